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
   * A test with its own browser context (in `locale`, when given). `fn` gets {page,
   * context, problems, check}; console errors, page errors and CSP violations fail it,
   * unless `expectedErrors` (regular expressions) names them.
   */
  h.test = (title, fn, { javaScriptEnabled = true, expectedErrors = [], locale } = {}) =>
    test(title, async (t) => {
      const { context, page, problems } = await browser.newContext(h.browser, { javaScriptEnabled, locale });
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
 * Starts a passwordless sign-in on the sign-in form: the button `name="method"
 * value=METHOD`. A step-up sign-in shows the username read-only: it must be `username`.
 */
async function choosePasswordless(page, username, method) {
  const field = page.locator('#username');
  if ((await field.getAttribute('readonly')) === null) await field.fill(username);
  else assert.equal(await field.inputValue(), username, 'the step-up keeps the username');
  await page.click(`form[action="/signin"] button[name="method"][value="${method}"]`);
}

/**
 * On the wait page: approves the push the emulator holds for `user` (tapping the number
 * the page shows, when number challenge applies), then moves the clock past Okta's
 * polling `interval` (5 s), so the wait page's next poll through the portal reaches Okta.
 */
async function approvePush(page, emu, user) {
  await at(page, '/signin/wait');
  const push = await emu.pendingPush(user);
  let number;
  if (push.numbers) {
    number = Number((await page.textContent('#binding-code')).trim());
    assert.ok(push.numbers.includes(number), `${number} is one of ${push.numbers}`);
  } else {
    assert.equal(await page.locator('#binding-code').count(), 0, 'no number to tap without number challenge');
  }
  await emu.approve(push.id, number);
  await emu.advance(6); // the push interval, and the second the portal adds to it
}

/**
 * On the code step: types the code the emulator sent `user` by `channel` (sms, voice,
 * email) after `since` (the emulator's clock).
 */
async function submitDeliveredCode(page, emu, user, channel, since) {
  await at(page, '/signin/verify');
  await submitCode(page, await emu.latestCode(user, { after: since, channel }));
}

/** A passwordless start of a code by SMS or voice: Okta sends one per phone per 30 s. */
async function phoneCode(page, emu, user, method) {
  await emu.advance(30);
  const since = await emu.now();
  await choosePasswordless(page, user, method);
  await submitDeliveredCode(page, emu, user, method, since);
}

/**
 * Each first factor from the sign-in form (`username` typed there) until the flow is done:
 * `firstFactor[method](page, emu, user)`. `password` alone signs in a one-factor user; the
 * others are the passwordless methods, for a user whose policy lets one factor do.
 */
const firstFactor = {
  password: (page, emu, user) => submitPassword(page, user),
  otp: async (page, emu, user) => {
    await choosePasswordless(page, user, 'otp');
    await at(page, '/signin/verify');
    await submitCode(page, await emu.freshTotp());
  },
  push: async (page, emu, user) => {
    await choosePasswordless(page, user, 'push');
    await approvePush(page, emu, user);
  },
  sms: (page, emu, user) => phoneCode(page, emu, user, 'sms'),
  voice: (page, emu, user) => phoneCode(page, emu, user, 'voice'),
  email: async (page, emu, user) => {
    const since = await emu.now();
    await choosePasswordless(page, user, 'email');
    await submitDeliveredCode(page, emu, user, 'email', since);
  },
};

/**
 * Each second factor on /signin/factor, after a password that asked for one, until the
 * flow is done: `secondFactor[method](page, emu, user)`.
 */
const secondFactor = {
  otp: async (page, emu) => {
    await chooseFactor(page, 'otp');
    await at(page, '/signin/verify');
    await submitCode(page, await emu.freshTotp());
  },
  push: async (page, emu, user) => {
    await chooseFactor(page, 'push');
    await approvePush(page, emu, user);
  },
};

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

module.exports = {
  harness, pathOf, at, submitPassword, chooseFactor, submitCode, choosePasswordless, approvePush,
  submitDeliveredCode, firstFactor, secondFactor, assertCredentialForm, PASSWORD,
};
