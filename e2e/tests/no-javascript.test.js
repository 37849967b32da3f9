'use strict';
// With JavaScript disabled the push wait page still completes a sign-in: the Continue
// button, a reload, or the page's own <noscript> refresh asks the portal, which polls Okta.

const assert = require('node:assert/strict');
const { harness, pathOf, at, submitPassword, chooseFactor } = require('../lib/harness');

const h = harness('no-javascript');
const NO_JS = { javaScriptEnabled: false };

async function toWaitPage(page, user) {
  await page.goto(h.url('/signin'));
  await submitPassword(page, user);
  await at(page, '/signin/factor');
  await chooseFactor(page, 'push');
  await at(page, '/signin/wait');
}

h.test('no JavaScript: dave approves the number challenge and presses Continue', async ({ page, check }) => {
  const user = 'dave@example.com';
  await toWaitPage(page, user);
  // With scripting off the parser reads <noscript> as markup: its refresh is live.
  assert.equal(await page.locator('noscript meta[http-equiv="refresh"]').count(), 1, 'scripts are off');
  const shown = Number((await page.textContent('#binding-code')).trim());
  const push = await h.emu.pendingPush(user);
  assert.ok(push.numbers.includes(shown));
  // Dave's only /token request so far is his password (the push went out by /challenge).
  assert.equal(await h.emu.tokenRequests(user), 1, 'the password grant only: showing the wait page polled nothing');

  // Too early: the portal does not poll Okta before `interval` (the clock has not moved;
  // this comes well within the push's 5 s), the page stays and nothing reaches /token.
  await page.getByRole('button', { name: /continue/i }).click();
  await at(page, '/signin/wait');
  assert.equal(await page.textContent('#binding-code'), String(shown));
  assert.equal(await h.emu.tokenRequests(user), 1, 'no poll reached Okta before the interval');
  await check('wait-no-javascript', { axe: false });

  await h.emu.approve(push.id, shown);
  const beforeContinue = await h.emu.tokenRequests(user);
  await h.emu.advance(6); // the push `interval`, and the second the portal adds to it
  await page.getByRole('button', { name: /continue/i }).click();
  await at(page, '/account');
  assert.equal(await h.emu.tokenRequests(user), beforeContinue + 1, 'Continue polled Okta once');
  assert.equal(await page.textContent('#claim-email'), 'dave@example.com');
}, NO_JS);

h.test('no JavaScript: a reload after approving signs bob in', async ({ page }) => {
  await toWaitPage(page, 'bob@example.com');
  const push = await h.emu.pendingPush('bob@example.com');
  await h.emu.approve(push.id);
  await h.emu.advance(6);
  await page.reload();
  await at(page, '/account');
  assert.equal(pathOf(page), '/account');
}, NO_JS);

h.test('no JavaScript: the wait page refreshes itself and lands on the account', async ({ page }) => {
  await toWaitPage(page, 'bob@example.com');
  assert.equal(await page.getAttribute('noscript meta[http-equiv="refresh"]', 'content'), '5');
  const push = await h.emu.pendingPush('bob@example.com');
  await h.emu.approve(push.id);
  await h.emu.advance(6);
  // No click, no reload: the <noscript> refresh comes within its 5 s.
  await at(page, '/account', 15_000);
}, NO_JS);
