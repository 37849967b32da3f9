'use strict';
// Branding from configuration alone: product name, logo, primary colour (/brand.css) and
// support link, with no template changed.

const assert = require('node:assert/strict');
const { harness, at, submitPassword, chooseFactor } = require('../lib/harness');

const LOGO = 'data:image/svg+xml;base64,' + Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0b6e4f"/>' +
  '<path d="M8 22V10l8 7 8-7v12" fill="none" stroke="#fff" stroke-width="3" stroke-linejoin="round"/></svg>',
).toString('base64');

const h = harness('branding', {
  env: {
    DIRECT_SIGNIN_BRANDING__PRODUCT_NAME: 'Meridian Bank',
    DIRECT_SIGNIN_BRANDING__LOGO_URL: LOGO,
    DIRECT_SIGNIN_BRANDING__PRIMARY_COLOR: '#0b6e4f',
    DIRECT_SIGNIN_BRANDING__SUPPORT_URL: 'https://help.example.com/signin',
  },
});

h.test('branding comes from configuration: name, logo, colour and support link', async ({ page, check }) => {
  await page.goto(h.url('/signin'));
  assert.equal(await page.title(), 'Sign in · Meridian Bank');
  assert.equal((await page.textContent('.brand-name')).trim(), 'Meridian Bank');
  assert.equal(await page.getAttribute('.brand-logo', 'src'), LOGO);
  assert.ok(await page.evaluate(() => document.querySelector('.brand-logo').naturalWidth > 0), 'the logo loads');
  const background = await page.$eval('button.primary', (b) => getComputedStyle(b).backgroundColor);
  assert.equal(background, 'rgb(11, 110, 79)');
  assert.equal(await page.getAttribute('a[href="https://help.example.com/signin"]', 'href'), 'https://help.example.com/signin');
  await check('branded-signin');

  await submitPassword(page, 'dave@example.com');
  await at(page, '/signin/factor');
  await chooseFactor(page, 'push');
  await at(page, '/signin/wait');
  await check('branded-wait');
});
