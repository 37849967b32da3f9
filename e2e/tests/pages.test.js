'use strict';
// The pages around the flows: return_to, switching factor and cancelling, the error pages.

const assert = require('node:assert/strict');
const { harness, pathOf, at, submitPassword, chooseFactor } = require('../lib/harness');

const h = harness('pages');

h.test('an anonymous visit to /account signs in and comes back to it', async ({ page }) => {
  await page.goto(h.url('/account'));
  await at(page, '/signin');
  assert.equal(new URL(page.url()).searchParams.get('return_to'), '/account');
  assert.equal(await page.inputValue('input[name="return_to"]'), '/account');
  await submitPassword(page, 'alice@example.com');
  await at(page, '/account');
});

h.test('return_to sends the user back to a local page, never elsewhere', async ({ page }) => {
  await page.goto(h.url('/signin?return_to=//evil.example/'));
  assert.equal(await page.inputValue('input[name="return_to"]'), '/account');
  await page.goto(h.url('/signin?return_to=/'));
  await submitPassword(page, 'alice@example.com');
  await page.waitForURL((u) => u.pathname === '/' && !u.search);
  assert.match(await page.textContent('h1'), /Welcome back/);
});

h.test('try another way, then cancel: back to sign in with the username kept', async ({ page, check }) => {
  await page.goto(h.url('/signin'));
  await submitPassword(page, 'bob@example.com');
  await at(page, '/signin/factor');
  await chooseFactor(page, 'email');
  await at(page, '/signin/verify');
  assert.match(await page.textContent('h1'), /emailed/);

  await page.getByRole('button', { name: 'Try another way' }).click();
  await at(page, '/signin/factor');
  await chooseFactor(page, 'voice');
  await at(page, '/signin/verify');
  assert.match(await page.textContent('h1'), /call/);
  await check('verify-voice');

  await page.getByRole('button', { name: 'Cancel' }).click();
  await at(page, '/signin');
  assert.equal(await page.inputValue('#username'), 'bob@example.com');
  assert.deepEqual(
    await page.$$eval('main .notice', (n) => n.map((x) => x.textContent.trim())),
    ['Sign-in cancelled.'],
  );
});

h.test('a page that does not exist gets the branded error page', async ({ page, check }) => {
  const res = await page.goto(h.url('/no/such/page'));
  assert.equal(res.status(), 404);
  assert.equal((await page.textContent('h1')).trim(), 'Page not found');
  assert.ok((await page.textContent('#operation-id')).trim().length > 0);
  await check('error-not-found');
}, { expectedErrors: [/status of 404/] });

h.test('Okta failing gives a clear try-again page with an operation id', async ({ page, check }) => {
  await page.goto(h.url('/signin'));
  await h.emu.call('POST', '/faults', { endpoint: 'token', kind: 'status', status: 503, count: 1 });
  try {
    await submitPassword(page, 'alice@example.com');
    await page.waitForSelector('#operation-id');
    assert.equal(pathOf(page), '/signin');
    assert.ok((await page.textContent('#operation-id')).trim().length > 0);
    assert.ok(!/503|Service Unavailable|E0000/.test(await page.textContent('main')), 'no upstream detail shown');
    await check('error-okta-unavailable');
  } finally {
    await h.emu.call('DELETE', '/faults');
  }
  await page.getByRole('link', { name: /sign in/i }).click();
  await at(page, '/signin');
}, { expectedErrors: [/status of 5\d\d/] });

h.test('refresh, Back and a second tab keep the code step', async ({ page, context }) => {
  await page.goto(h.url('/signin'));
  await submitPassword(page, 'bob@example.com');
  await at(page, '/signin/factor');
  const since = await h.emu.now();
  await chooseFactor(page, 'email');
  await at(page, '/signin/verify');

  await page.reload();
  await at(page, '/signin/verify');
  await page.goBack();
  await page.waitForLoadState('load');
  assert.equal(pathOf(page), '/signin/verify', 'Back from the code step lands on the current step');

  const second = await context.newPage();
  await second.goto(h.url('/signin/verify'));
  assert.equal(pathOf(second), '/signin/verify');
  assert.equal(await second.inputValue('input[name="username"]'), 'bob@example.com');
  await second.close();

  const code = await h.emu.latestCode('bob@example.com', { after: since });
  await page.fill('#code', code);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await at(page, '/account');
});

h.test('resend shows its cooldown, then sends a new code that works', async ({ page }) => {
  // Okta sends one SMS or call per phone per 30 s; an earlier test called bob's phone.
  await h.emu.advance(31);
  await page.goto(h.url('/signin'));
  await submitPassword(page, 'bob@example.com');
  await at(page, '/signin/factor');
  await chooseFactor(page, 'sms');
  await at(page, '/signin/verify');
  assert.match(await page.textContent('#resend-cooldown'), /Available in \d+ seconds/);

  await page.getByRole('button', { name: 'Send a new code' }).click();
  await at(page, '/signin/verify');
  assert.match(await page.textContent('main .notice'), /You can ask for a new code in \d+ seconds/);

  await h.emu.advance(31);
  const since = await h.emu.now();
  await page.getByRole('button', { name: 'Send a new code' }).click();
  await at(page, '/signin/verify');
  assert.equal((await page.textContent('main .notice')).trim(), 'We sent you a new code.');
  await page.fill('#code', await h.emu.latestCode('bob@example.com', { after: since }));
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await at(page, '/account');
});

h.test('the CSP blocks inline script and style, and this suite notices when it does', async ({ page, problems }) => {
  await page.goto(h.url('/signin'));
  const ran = await page.evaluate(async () => {
    window.inlineRan = false;
    const script = document.createElement('script');
    script.textContent = 'window.inlineRan = true;';
    document.body.appendChild(script);
    document.querySelector('h1').setAttribute('style', 'color: rgb(255, 0, 0)');
    await new Promise((r) => setTimeout(r, 100));
    return { inline: window.inlineRan, color: getComputedStyle(document.querySelector('h1')).color };
  });
  assert.equal(ran.inline, false, 'inline script blocked');
  assert.notEqual(ran.color, 'rgb(255, 0, 0)', 'style attribute blocked');
  const reported = problems.filter((p) => /CSP violation/.test(p)).join('\n');
  assert.match(reported, /script-src/);
  assert.match(reported, /style-src/);
}, { expectedErrors: [/CSP violation|Content Security Policy/] });
