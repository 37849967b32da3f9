'use strict';
// A light brand colour stays readable: /brand.css picks dark text for buttons and a darker
// shade of the brand for links and numbers, and axe finds no contrast problem.

const assert = require('node:assert/strict');
const { harness, at, submitPassword, chooseFactor } = require('../lib/harness');

const h = harness('contrast', {
  env: {
    DIRECT_SIGNIN_BRANDING__PRODUCT_NAME: 'Sunrise Credit Union',
    DIRECT_SIGNIN_BRANDING__PRIMARY_COLOR: '#ffc400',
    DIRECT_SIGNIN_BRANDING__SUPPORT_URL: 'https://help.example.com/',
  },
});

h.test('a light primary colour keeps every step readable', async ({ page, check }) => {
  const css = await (await fetch(h.url('/brand.css'))).text();
  assert.match(css, /--brand: #ffc400;/);
  assert.match(css, /--brand-ink: #16191f;/);

  await page.goto(h.url('/signin'));
  const button = await page.$eval('button.primary', (b) => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]);
  assert.deepEqual(button, ['rgb(255, 196, 0)', 'rgb(22, 25, 31)']);
  await check('light-brand-signin');

  await submitPassword(page, 'dave@example.com');
  await at(page, '/signin/factor');
  await check('light-brand-factor');
  await chooseFactor(page, 'push');
  await at(page, '/signin/wait');
  await check('light-brand-wait');
});
