'use strict';
// One portal (with its embedded emulator) and one browser per test file; a fresh browser
// context per test, whose console errors, page errors and CSP violations fail the test.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { before, after, test } = require('node:test');
const { startPortal, ARTIFACTS } = require('./portal');
const { Emulator, PASSWORD } = require('./emulator');
const browser = require('./browser');

const BLOCKING = new Set(['serious', 'critical']);

function harness(name, { env = {} } = {}) {
  const h = { portal: null, emu: null, browser: null };

  before(async () => {
    h.portal = await startPortal({ name, env });
    h.emu = new Emulator(h.portal.emulatorBase);
    h.browser = await browser.launch();
  });

  after(async () => {
    if (h.browser) await h.browser.close();
    if (h.portal) await h.portal.stop();
  });

  h.url = (path) => `${h.portal.base}${path}`;

  /**
   * A test with its own browser context. `fn` gets {page, context, problems, check};
   * console errors, page errors and CSP violations fail it, unless `expectedErrors`
   * (regular expressions) names them.
   */
  h.test = (title, fn, { javaScriptEnabled = true, expectedErrors = [] } = {}) =>
    test(title, async (t) => {
      const { context, page, problems } = await browser.newContext(h.browser, { javaScriptEnabled });
      try {
        const check = (shot, opts) => h.check(page, shot, opts);
        await fn({ t, page, context, problems, check });
        const unexpected = problems.filter((p) => !expectedErrors.some((re) => re.test(p)));
        assert.deepEqual(unexpected, [], 'no console errors, page errors or CSP violations');
      } catch (err) {
        // Leave what the browser showed for whoever reads the failure.
        const file = path.join(ARTIFACTS, 'failures', `${title.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}.png`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const shown = await page.screenshot({ path: file, fullPage: true }).then(() => file, () => 'no screenshot');
        const where = `(the page was ${page.url()}; see ${shown})`;
        err.message += `\n  ${where}`;
        if (typeof err.stack === 'string') err.stack += `\n  ${where}`;
        throw err;
      } finally {
        await context.close();
      }
    });

  /**
   * Checks the page a flow has reached: no serious or critical axe violation, then
   * screenshots at phone and desktop widths, neither of which may scroll sideways. (Without JavaScript there is no axe run: the
   * same pages are checked with it on.)
   */
  h.check = async (page, shot, { axe = true } = {}) => {
    if (axe) {
      const violations = await browser.axe(page, shot);
      const blocking = violations.filter((v) => BLOCKING.has(v.impact));
      assert.deepEqual(blocking, [], `axe: no serious or critical violations on ${shot}`);
    }
    const overflow = await browser.screenshots(page, shot);
    assert.deepEqual(overflow, [], `${shot} fits the phone and desktop widths`);
  };

  return h;
}

// ---------------------------------------------------------------- page helpers

const pathOf = (page) => new URL(page.url()).pathname;

async function at(page, path, timeout = 15_000) {
  await page.waitForURL((u) => u.pathname === path, { timeout });
  await page.waitForLoadState('load');
}

/** Fills and submits the sign-in form's password step. */
async function submitPassword(page, username, password = PASSWORD) {
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Picks a second factor on /signin/factor: the button `name="factor" value=VALUE`. */
async function chooseFactor(page, value) {
  await page.click(`form[action="/signin/factor"] button[name="factor"][value="${value}"]`);
}

/** Types a code on /signin/verify and submits it. */
async function submitCode(page, code) {
  await page.fill('#code', code);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
}

/**
 * The password-manager contract of a step: exactly one form holds text or password
 * inputs, it carries the username (`name="username"`, `autocomplete="username"`), and the
 * fields have the documented names, ids and autocomplete values.
 */
async function assertCredentialForm(page, { username, fields }) {
  const forms = await page.$$eval('form', (all) =>
    all
      .map((f) => ({
        action: f.getAttribute('action'),
        inputs: [...f.querySelectorAll('input')]
          .filter((i) => ['text', 'password', 'email', ''].includes(i.getAttribute('type') || ''))
          .map((i) => ({
            id: i.id,
            name: i.name,
            type: i.getAttribute('type'),
            autocomplete: i.getAttribute('autocomplete'),
            inputmode: i.getAttribute('inputmode'),
            value: i.value,
          })),
      }))
      .filter((f) => f.inputs.length > 0),
  );
  assert.equal(forms.length, 1, `one form with credential fields, got ${JSON.stringify(forms)}`);
  const [form] = forms;
  const user = form.inputs.find((i) => i.name === 'username');
  assert.ok(user, 'the step carries the username');
  assert.equal(user.autocomplete, 'username');
  if (username !== undefined) assert.equal(user.value, username, 'the username is kept');
  for (const expected of fields) {
    const got = form.inputs.find((i) => i.name === expected.name);
    assert.ok(got, `field ${expected.name} is in the form`);
    for (const [key, value] of Object.entries(expected)) {
      assert.equal(got[key], value, `${expected.name}.${key}`);
    }
  }
  return form;
}

module.exports = { harness, pathOf, at, submitPassword, chooseFactor, submitCode, assertCredentialForm, PASSWORD };
