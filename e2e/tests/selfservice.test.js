'use strict';
// Self-service (issue 11) as a newcomer does it after `cargo run`: reset bob's password
// from the sign-in page with a code from the outbox, sign in with the new password, add a
// phone, verify it and remove it, and change the password again. Every page is checked
// with axe-core and photographed.

const assert = require('node:assert/strict');
const {
  harness, at, submitPassword, chooseFactor, submitCode, PASSWORD,
} = require('../lib/harness');

const h = harness('selfservice');

const BOB = 'bob@example.com';
const RESET = 'N3w-Horse-Battery';
const AGAIN = 'An0ther-Horse-Battery';

h.test('an old sign-in: changing the password steps up, then the change goes on', async ({ page, check }) => {
  await page.goto(h.url('/signin'));
  await submitPassword(page, 'alice@example.com');
  await at(page, '/account');
  await h.emu.advance(16 * 60);
  await page.fill('#current_password', PASSWORD);
  await page.fill('#new_password', RESET);
  await page.fill('#confirm_password', RESET);
  await page.locator('form[action="/account/password"] button[type="submit"]').click();
  await at(page, '/signin');
  assert.equal(new URL(page.url()).searchParams.get('step_up'), 'account');
  assert.equal(await page.inputValue('#username'), 'alice@example.com');
  assert.notEqual(await page.getAttribute('#username', 'readonly'), null, 'the username is read-only');
  assert.match(await notice(page), /Your change is kept/);
  assert.doesNotMatch(await page.content(), new RegExp(RESET), 'the new password is not in the page');
  await check('account-step-up');
  await page.fill('#password', PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await at(page, '/account');
  assert.match(await page.textContent('#account-done'), /Your password has been changed/);
  await check('account-step-up-done');
});

async function notice(page) {
  return (await page.textContent('main .notice')).trim();
}

h.test('bob resets his password, signs in with it, adds and removes a phone, changes it again', async ({ page, check }) => {
  await page.goto(h.url('/signin'));
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await at(page, '/recover');
  assert.equal(await page.getAttribute('#username', 'autocomplete'), 'username');
  assert.equal(await page.locator('form[action="/recover"] input[name="csrf_token"]').count(), 1);
  await check('recover');

  await page.fill('#username', BOB);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await at(page, '/signin/factor');
  for (const value of ['email', 'sms', 'voice', 'push']) {
    assert.equal(await page.locator(`button[name="factor"][value="${value}"]`).count(), 1, value);
  }
  await check('recover-factor');

  const since = await h.emu.now();
  await chooseFactor(page, 'email');
  await at(page, '/signin/verify');
  assert.equal(await page.getAttribute('#code', 'autocomplete'), 'one-time-code');
  await check('recover-code');
  await submitCode(page, await h.emu.latestCode(BOB, { after: since, channel: 'email' }));

  await at(page, '/recover/password');
  assert.equal(await page.getAttribute('#new_password', 'autocomplete'), 'new-password');
  assert.equal(await page.getAttribute('#confirm_password', 'autocomplete'), 'new-password');
  await check('recover-password');
  await page.fill('#new_password', 'alllowercase');
  await page.fill('#confirm_password', 'alllowercase');
  await page.getByRole('button', { name: 'Change password', exact: true }).click();
  await page.waitForSelector('#password-rules');
  assert.match(await page.textContent('#password-rules'), /Include an uppercase letter\./);
  assert.equal(await page.getAttribute('#new_password', 'aria-invalid'), 'true');
  await check('recover-password-refused');
  await page.fill('#new_password', RESET);
  await page.fill('#confirm_password', RESET);
  await page.getByRole('button', { name: 'Change password', exact: true }).click();

  await at(page, '/signin');
  assert.match(await notice(page), /Your password has been changed/);
  assert.equal(await page.inputValue('#username'), BOB);
  await check('signin-after-reset');
  await submitPassword(page, BOB, RESET);
  await at(page, '/signin/factor');
  await chooseFactor(page, 'otp');
  await at(page, '/signin/verify');
  await submitCode(page, await h.emu.freshTotp());
  await at(page, '/account');
  await check('account-methods');

  // A phone: add, a code by SMS, verify, remove.
  await page.fill('#phone_number', '+1 555 010 0199');
  await page.getByRole('button', { name: 'Add phone', exact: true }).click();
  await at(page, '/account');
  assert.match(await page.textContent('#phones'), /\+15550100199/);
  assert.match(await page.textContent('#phones'), /not verified/);
  await check('account-phone-added');
  await h.emu.advance(30);
  const sent = await h.emu.now();
  await page.getByRole('button', { name: 'Text me a code', exact: true }).click();
  await at(page, '/account');
  const code = await h.emu.latestCode(BOB, { after: sent, channel: 'sms' });
  await page.getByLabel('Code for +15550100199').fill(code);
  await page.locator('form[action="/account/phones/verify"] button').click();
  await at(page, '/account');
  assert.match(await page.textContent('#account-done'), /Phone verified/);
  await check('account-phone-verified');
  await page.getByRole('button', { name: 'Remove +15550100199', exact: true }).click();
  await at(page, '/account');
  assert.match(await page.textContent('#account-done'), /Phone removed/);
  assert.doesNotMatch(await page.textContent('#phones'), /\+15550100199/);

  // The password again, from the account page.
  await page.fill('#current_password', RESET);
  await page.fill('#new_password', AGAIN);
  await page.fill('#confirm_password', AGAIN);
  await page.locator('form[action="/account/password"] button[type="submit"]').click();
  await at(page, '/account');
  assert.match(await page.textContent('#account-done'), /Your password has been changed/);
  await check('account-password-changed');

  // The old passwords no longer sign in; the new one does.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await at(page, '/signin');
  await h.emu.advance(2);
  await submitPassword(page, BOB, PASSWORD);
  await page.waitForSelector('#password-error');
  await h.emu.advance(2);
  await submitPassword(page, BOB, AGAIN);
  await at(page, '/signin/factor');
}, { expectedErrors: [/status of 422/, /status of 401/] });
