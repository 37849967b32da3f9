'use strict';
// The sign-in flows of product.md §4 in a real browser, each page checked with axe-core
// and photographed at phone and desktop widths.

const assert = require('node:assert/strict');
const {
  harness, pathOf, at, submitPassword, chooseFactor, submitCode, assertCredentialForm,
} = require('../lib/harness');

const h = harness('flows');

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const CAROL = 'carol@example.com';
const DAVE = 'dave@example.com';

async function amr(page) {
  return page.$$eval('#amr .tag', (tags) => tags.map((t) => t.textContent.trim()));
}

async function notices(page) {
  return page.$$eval('main .notice, main .field-error', (els) => els.map((e) => e.textContent.trim()));
}

h.test('Chromium keeps the __Host-sid cookie (Secure, HttpOnly, SameSite=Lax) over http://127.0.0.1', async ({ page, context }) => {
  await page.goto(h.url('/signin'));
  const cookies = await context.cookies();
  const sid = cookies.find((c) => c.name === '__Host-sid');
  assert.ok(sid, `__Host-sid set, got ${JSON.stringify(cookies.map((c) => c.name))}`);
  assert.equal(sid.secure, true);
  assert.equal(sid.httpOnly, true);
  assert.equal(sid.sameSite, 'Lax');
  assert.equal(sid.path, '/');
  assert.ok(!sid.domain.startsWith('.'), 'host-only');
  assert.ok(sid.value.length >= 22, 'at least 128 random bits');
});

h.test('password only: alice signs in and sees her account', async ({ page, check }) => {
  await page.goto(h.url('/'));
  assert.match(await page.textContent('h1'), /Welcome to/);
  await check('home-anonymous');

  await page.getByRole('link', { name: 'Sign in' }).first().click();
  await at(page, '/signin');
  await assertCredentialForm(page, {
    fields: [
      { name: 'username', id: 'username', autocomplete: 'username' },
      { name: 'password', id: 'password', type: 'password', autocomplete: 'current-password' },
    ],
  });
  assert.equal(await page.locator('form[action="/signin"] input[name="csrf_token"]').count(), 1);
  await check('signin');

  await submitPassword(page, ALICE);
  await at(page, '/account');
  assert.equal(await page.textContent('#claim-email'), ALICE);
  assert.deepEqual(await amr(page), ['pwd']);
  assert.equal(await page.locator('#sessions tbody tr').count(), 1);
  await check('account');

  await page.goto(h.url('/'));
  assert.match(await page.textContent('h1'), /Welcome back/);
  await check('home-signed-in');

  // A signed-in visitor of /signin is sent on.
  await page.goto(h.url('/signin'));
  assert.equal(pathOf(page), '/account');
});

h.test('a wrong password is announced on the field and the username is kept', async ({ page, check }) => {
  await page.goto(h.url('/signin'));
  await submitPassword(page, ALICE, 'not-the-password');
  await page.waitForSelector('#password-error');
  assert.equal(pathOf(page), '/signin');
  assert.equal(await page.inputValue('#username'), ALICE);
  assert.equal(await page.getAttribute('#password', 'aria-invalid'), 'true');
  assert.match(await page.getAttribute('#password', 'aria-describedby'), /\bpassword-error\b/);
  assert.equal((await page.textContent('#password-error')).trim(), 'Your username or password is incorrect.');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'password', 'the field in error has the focus');
  assert.match(await page.title(), /^Error: Sign in/);
  await check('signin-wrong-password');

  // The empty-username message is tied to the username field.
  await page.fill('#username', '');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForSelector('#username-error');
  assert.equal(await page.getAttribute('#username', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'username');
  await check('signin-missing-username');
}, { expectedErrors: [/status of 40[01]|status of 422/] });

h.test('password + TOTP: bob picks the authenticator app and types its code', async ({ page, check }) => {
  await page.goto(h.url('/signin'));
  await submitPassword(page, BOB);
  await at(page, '/signin/factor');
  assert.match(await page.textContent('main'), /bob@example\.com/);
  const values = await page.$$eval('button[name="factor"]', (b) => b.map((x) => x.value));
  assert.deepEqual([...values].sort(), ['email', 'otp', 'push', 'sms', 'voice']);
  await assertCredentialForm(page, { username: BOB, fields: [] });
  await check('factor');

  await chooseFactor(page, 'otp');
  await at(page, '/signin/verify');
  await assertCredentialForm(page, {
    username: BOB,
    fields: [{ name: 'code', id: 'code', autocomplete: 'one-time-code', inputmode: 'numeric' }],
  });
  await check('verify-totp');

  await submitCode(page, await h.emu.freshTotp());
  await at(page, '/account');
  assert.deepEqual((await amr(page)).sort(), ['mfa', 'otp', 'pwd']);
});

h.test('password + push with number challenge: dave taps the number shown in #binding-code', async ({ page, check }) => {
  await page.goto(h.url('/signin'));
  await submitPassword(page, DAVE);
  await at(page, '/signin/factor');
  await chooseFactor(page, 'push');
  await at(page, '/signin/wait');
  const shown = Number((await page.textContent('#binding-code')).trim());
  const push = await h.emu.pendingPush(DAVE);
  assert.ok(Array.isArray(push.numbers) && push.numbers.includes(shown), `${shown} is one of ${push.numbers}`);
  assert.equal(await page.getAttribute('#wait-status', 'aria-live'), 'polite');
  await check('wait-number-challenge');

  await h.emu.approve(push.id, shown);
  // wait.js asks the portal; the portal polls Okta at its interval.
  await at(page, '/account', 20_000);
  assert.deepEqual((await amr(page)).sort(), ['mfa', 'pwd', 'swk']);
});

h.test('password + SMS: bob types the code from the emulator outbox', async ({ page, check }) => {
  await page.goto(h.url('/signin'));
  await submitPassword(page, BOB);
  await at(page, '/signin/factor');
  const since = await h.emu.now();
  await chooseFactor(page, 'sms');
  await at(page, '/signin/verify');
  assert.match(await page.textContent('h1'), /texted/);
  assert.ok(await page.isVisible('#resend-cooldown'), 'the resend cooldown is shown');
  await check('verify-sms');

  await submitCode(page, '000000');
  await page.waitForSelector('#code-error');
  assert.equal(await page.getAttribute('#code', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'code');
  await assertCredentialForm(page, { username: BOB, fields: [{ name: 'code', autocomplete: 'one-time-code' }] });
  await check('verify-wrong-code');

  await submitCode(page, await h.emu.latestCode(BOB, { after: since }));
  await at(page, '/account');
  assert.deepEqual((await amr(page)).sort(), ['mfa', 'pwd', 'sms']);
}, { expectedErrors: [/status of 401/] });

h.test('passwordless email: carol signs in with a code from her inbox', async ({ page, check }) => {
  await page.goto(h.url('/signin'));
  await page.fill('#username', CAROL);
  const since = await h.emu.now();
  await page.getByRole('button', { name: 'Code by email' }).click();
  await at(page, '/signin/verify');
  assert.match(await page.textContent('h1'), /emailed/);
  await assertCredentialForm(page, { username: CAROL, fields: [{ name: 'code', autocomplete: 'one-time-code' }] });
  await check('verify-email');

  await submitCode(page, await h.emu.latestCode(CAROL, { after: since }));
  await at(page, '/account');
  assert.deepEqual(await amr(page), ['email']);
});

h.test('push denied: bob is taken back to sign in with one line saying so', async ({ page, check }) => {
  await page.goto(h.url('/signin'));
  await submitPassword(page, BOB);
  await at(page, '/signin/factor');
  await chooseFactor(page, 'push');
  await at(page, '/signin/wait');
  assert.equal(await page.locator('#binding-code').count(), 0, 'no number challenge for bob');
  await check('wait-push');

  const push = await h.emu.pendingPush(BOB);
  await h.emu.deny(push.id);
  await at(page, '/signin', 20_000);
  assert.deepEqual(await notices(page), ['The sign-in request was denied on your device.']);
  assert.equal(await page.inputValue('#username'), BOB);
  await check('signin-denied');
});

h.test('an expired push restarts sign-in with the username kept and one friendly line', async ({ page, check }) => {
  await page.goto(h.url('/signin'));
  await submitPassword(page, BOB);
  await at(page, '/signin/factor');
  await chooseFactor(page, 'push');
  await at(page, '/signin/wait');
  await h.emu.pendingPush(BOB);

  await h.emu.advance(301);
  await at(page, '/signin', 20_000);
  assert.deepEqual(await notices(page), ['That step took too long and has expired. Please start again.']);
  assert.equal(await page.inputValue('#username'), BOB);
  await check('signin-expired');

  // And it starts again from there.
  await page.fill('#password', require('../lib/emulator').PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await at(page, '/signin/factor');
});

h.test('sign-out, then the back button shows nothing private', async ({ page, context, check }) => {
  await page.goto(h.url('/signin'));
  await submitPassword(page, ALICE);
  await at(page, '/account');
  const before = (await context.cookies()).find((c) => c.name === '__Host-sid').value;

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await at(page, '/signin');
  assert.deepEqual(await notices(page), ['You have been signed out.']);
  await check('signin-signed-out');

  for (let i = 0; i < 2; i++) {
    await page.goBack();
    await page.waitForLoadState('load');
    const text = await page.textContent('body');
    assert.ok(!text.includes(ALICE) && !text.includes('Alice'), `nothing private after back (${page.url()}): ${text}`);
    assert.ok(!pathOf(page).startsWith('/account'), `not on the account page: ${page.url()}`);
  }

  // The old cookie is dead on the server.
  const res = await fetch(h.url('/account'), { headers: { cookie: `__Host-sid=${before}` }, redirect: 'manual' });
  assert.equal(res.status, 303);
  assert.match(res.headers.get('location'), /^\/signin/);
});
