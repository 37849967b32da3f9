'use strict';
// Keyboard only: Tab, typing and Enter complete a password + one-time code sign-in, and
// every stop on the way shows where the focus is.

const assert = require('node:assert/strict');
const { harness, at } = require('../lib/harness');
const { PASSWORD } = require('../lib/emulator');

const h = harness('keyboard');

/** What has the focus: its id, or its tag, name and value. */
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    if (el.id) return `#${el.id}`;
    const name = el.getAttribute('name');
    return `${el.tagName.toLowerCase()}${name ? `[name=${name}]` : ''}${el.value ? `[value=${el.value}]` : ''}:${el.textContent.trim()}`;
  });

/** Whether the focused element draws a visible focus indicator. */
const focusVisible = (page) =>
  page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
  });

/** Presses Tab until `want` (a string, or a RegExp) has the focus, at most `max` times; returns the stops. */
async function tabTo(page, want, max = 12) {
  const stops = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    stops.push(now);
    assert.ok(await focusVisible(page), `focus is visible on ${now}`);
    if (typeof want === 'string' ? now === want : want.test(now)) return stops;
  }
  assert.fail(`${want} not reached by Tab; stops: ${stops.join(' → ')}`);
}

h.test('keyboard only: password + authenticator code, with Tab, typing and Enter', async ({ page }) => {
  await page.goto(h.url('/signin'));

  const stops = await tabTo(page, '#username');
  assert.equal(stops[0], 'a:Skip to content', 'the skip link comes first');
  await page.keyboard.type('bob@example.com');
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), '#password');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await at(page, '/signin/factor');

  // The kept username is not a tab stop; the factor buttons are.
  const factorStops = await tabTo(page, /^button\[name=factor\]\[value=otp\]/);
  assert.ok(!factorStops.some((s) => s.startsWith('input')), `stops: ${factorStops.join(' → ')}`);
  await page.keyboard.press('Enter');
  await at(page, '/signin/verify');

  // The code field has the focus on arrival.
  assert.equal(await focused(page), '#code');
  await page.keyboard.type(await h.emu.freshTotp());
  await page.keyboard.press('Enter');
  await at(page, '/account');
  assert.equal(await page.textContent('#claim-email'), 'bob@example.com');

  // Sign out from the keyboard too.
  await tabTo(page, 'button:Sign out', 30);
  await page.keyboard.press('Enter');
  await at(page, '/signin');
});
