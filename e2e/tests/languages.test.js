'use strict';
// Every built-in language in a real browser: for each of en, de, fr, es, ja and ar, a
// browser set to that language signs bob in with his password and an authenticator code.
// On every page: `<html lang>` (and `dir`), no axe violation, no sideways scrolling at
// 390 px, screenshots at phone and desktop widths; for de, ja and ar no English UI string;
// for ar a right-to-left layout with the code field left to right. Then the on-page
// language picker, kept across pages by its cookie.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { harness, at, chooseFactor } = require('../lib/harness');
const { PASSWORD } = require('../lib/emulator');
const { ROOT } = require('../lib/portal');
const browser = require('../lib/browser');

const h = harness('languages');

const BOB = 'bob@example.com';
const LANGUAGES = ['en', 'de', 'fr', 'es', 'ja', 'ar'];
const NO_ENGLISH = new Set(['de', 'ja', 'ar']);
const RTL = new Set(['ar']);
// Names that stay as they are in every language.
const NAMES = ['Okta Verify', 'SMS'];

/**
 * The literal parts (between placeables) of the English catalog's values and variants,
 * with at least eight letters once brand and product names are taken out.
 */
function englishStrings() {
  const dir = path.join(ROOT, 'locales', 'en');
  const out = new Set();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ftl'))) {
    for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      if (/^\s*#/.test(line)) continue;
      const m = line.match(/^[a-z][a-z0-9-]* = (.*)$/) || line.match(/^\s+\*?\[[a-z0-9]+\] (.*)$/);
      if (!m) continue;
      for (let part of m[1].split(/\{[^}]*\}/)) {
        for (const name of NAMES) part = part.split(name).join(' ');
        part = part.trim();
        if ((part.match(/\p{L}/gu) || []).length >= 8) out.add(part);
      }
    }
  }
  return [...out];
}

const ENGLISH = englishStrings();

/** What the page shows in words: its title, its text and its labelling attributes. */
function shownText(page) {
  return page.evaluate(() => {
    const body = document.body.cloneNode(true);
    // Okta's claims and authenticator names are data, not copy.
    body.querySelectorAll('#userinfo, #authenticators').forEach((e) => e.remove());
    const attrs = [...body.querySelectorAll('[title], [alt], [placeholder], [aria-label]')]
      .flatMap((e) => ['title', 'alt', 'placeholder', 'aria-label'].map((a) => e.getAttribute(a) || ''));
    return [document.title, body.textContent, ...attrs].join('\n').replace(/\s+/g, ' ');
  });
}

/** The checks every page of a language's flow passes; `name` names its screenshots. */
async function checkPage(page, lang, step) {
  const name = `languages-${lang}-${step}`;
  const html = await page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));
  assert.deepEqual(html, { lang, dir: RTL.has(lang) ? 'rtl' : 'ltr' }, `${name}: <html lang dir>`);
  const violations = await browser.axe(page, name);
  assert.deepEqual(violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target).join(', ')}`), [], `${name}: axe`);
  const overflow = await browser.screenshots(page, name);
  assert.deepEqual(overflow, [], `${name}: no sideways scrolling`);
  if (NO_ENGLISH.has(lang)) {
    const text = await shownText(page);
    const found = ENGLISH.filter((e) => text.includes(e));
    assert.deepEqual(found, [], `${name}: no English in «${text}»`);
  }
  if (RTL.has(lang)) {
    const direction = await page.evaluate(() => ({
      body: getComputedStyle(document.body).direction,
      main: getComputedStyle(document.querySelector('main')).direction,
      code: [...document.querySelectorAll('input.code-input')].map((i) => getComputedStyle(i).direction),
    }));
    assert.equal(direction.body, 'rtl', `${name}: body direction`);
    assert.equal(direction.main, 'rtl', `${name}: main direction`);
    assert.ok(direction.code.every((d) => d === 'ltr'), `${name}: code fields left to right`);
  }
}

test('the English strings are read from the catalog (the check is not vacuous)', () => {
  assert.ok(ENGLISH.includes('Keep me signed in'), JSON.stringify(ENGLISH.slice(0, 10)));
  assert.ok(ENGLISH.length > 100, `${ENGLISH.length} English strings`);
});

for (const lang of LANGUAGES) {
  h.test(`${lang}: bob signs in with password + authenticator code, every page in ${lang}`, async ({ page }) => {
    await page.goto(h.url('/signin'));
    await checkPage(page, lang, 'signin');

    await page.fill('#username', BOB);
    await page.fill('#password', PASSWORD);
    await page.click('form[action="/signin"] button.primary[type="submit"]');
    await at(page, '/signin/factor');
    await checkPage(page, lang, 'factor');

    await chooseFactor(page, 'otp');
    await at(page, '/signin/verify');
    await checkPage(page, lang, 'verify');

    await page.fill('#code', await h.emu.freshTotp());
    await page.click('form[action="/signin/verify"] button.primary[type="submit"]');
    await at(page, '/account');
    assert.equal((await page.textContent('#claim-email')).trim(), BOB);
    await checkPage(page, lang, 'account');

    await page.goto(h.url('/'));
    await checkPage(page, lang, 'home');
  }, { locale: lang });
}

h.test('the language picker switches the page and its choice is kept across pages', async ({ page, context }) => {
  await page.goto(h.url('/signin'));
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  const names = await page.$$eval('nav.languages a', (links) => links.map((a) => [a.hreflang, a.textContent.trim()]));
  assert.deepEqual(names, [
    ['en', 'English'], ['de', 'Deutsch'], ['fr', 'Français'], ['es', 'Español'], ['ja', '日本語'], ['ar', 'العربية'],
  ]);

  await page.click('nav.languages a[hreflang="ar"]');
  await page.waitForFunction(() => document.documentElement.lang === 'ar');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.equal(await page.getAttribute('nav.languages a[aria-current]', 'hreflang'), 'ar');
  const cookie = (await context.cookies()).find((c) => c.name === 'lang');
  assert.equal(cookie && cookie.value, 'ar');

  // Another page, reached by a link without `?lang=`: still Arabic.
  await page.click('a[href="/recover"]');
  await at(page, '/recover');
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  await checkPage(page, 'ar', 'recover');

  await page.click('nav.languages a[hreflang="ja"]');
  await page.waitForFunction(() => document.documentElement.lang === 'ja');
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  await page.goto(h.url('/signin'));
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  assert.equal((await page.textContent('h1')).trim(), 'サインイン');
}, { locale: 'en' });

h.test('ar: the resend countdown and its notice read right to left with their numbers intact', async ({ page }) => {
  // Okta sends one SMS per phone per 30 s; an earlier sign-in may have texted bob.
  await h.emu.advance(31);
  await page.goto(h.url('/signin'));
  await page.fill('#username', BOB);
  await page.fill('#password', PASSWORD);
  await page.click('form[action="/signin"] button.primary[type="submit"]');
  await at(page, '/signin/factor');
  await chooseFactor(page, 'sms');
  await at(page, '/signin/verify');
  const cooldown = (await page.textContent('#resend-cooldown')).trim();
  // "Available in N seconds", Arabic plural forms; the number isolated (U+2068…U+2069).
  assert.match(cooldown, /^متاح بعد (ثانية واحدة|ثانيتين|\u2068\d+\u2069 (ثوانٍ|ثانية))\.$/u, cooldown);
  await checkPage(page, 'ar', 'verify-sms');

  await page.click('form.resend button[type="submit"]');
  await at(page, '/signin/verify');
  const notice = (await page.textContent('main .notice')).trim();
  assert.match(notice, /^يمكنك طلب رمز جديد بعد /u, notice);
  await checkPage(page, 'ar', 'verify-resend-wait');
}, { locale: 'ar' });
