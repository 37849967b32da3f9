'use strict';
// Debian's Chromium driven by playwright-core (never a downloaded browser), with every
// console error, page error and CSP violation collected, axe-core runs and screenshots.

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { ARTIFACTS } = require('./portal');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
const SCREENSHOTS = path.join(ARTIFACTS, 'screenshots');
const AXE_DIR = path.join(ARTIFACTS, 'axe');
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };

function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
}

/**
 * A fresh browser context (its own cookies) whose pages report every console error, page
 * error and CSP violation into `problems`. `locale` (e.g. `de`) sets the browser's language
 * and its `Accept-Language`.
 */
async function newContext(browser, { javaScriptEnabled = true, viewport = WIDTHS.desktop, locale } = {}) {
  const context = await browser.newContext({ javaScriptEnabled, viewport, ...(locale ? { locale } : {}) });
  const problems = [];
  // Runs before any page script; added through the DevTools protocol, so the page's CSP
  // does not apply to it. It only reports.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile || document.URL}:${e.lineNumber}`);
    });
  });
  const watch = (page) => {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const where = msg.location() && msg.location().url;
      problems.push(`console error on ${page.url()}: ${msg.text()}${where && where !== page.url() ? ` (${where})` : ''}`);
    });
    page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
  };
  context.on('page', watch);
  const page = await context.newPage();
  return { context, page, problems };
}

/** Runs axe-core on the page; writes every result to artifacts/axe/NAME.json. */
async function axe(page, name) {
  // The CSP forbids inline scripts; evaluating through the DevTools protocol is not
  // subject to it, so the page's own policy stays untouched.
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  });
  fs.mkdirSync(AXE_DIR, { recursive: true });
  fs.writeFileSync(path.join(AXE_DIR, `${name}.json`), JSON.stringify({ url: page.url(), violations }, null, 2));
  return violations;
}

/**
 * Full-page screenshots at phone and desktop widths (artifacts/screenshots/NAME-{phone,desktop}.png).
 * Returns the widths at which the page scrolls sideways (it never should).
 */
async function screenshots(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const before = page.viewportSize();
  const overflow = [];
  for (const [label, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    if (scrollWidth > size.width) overflow.push(`${label}: ${scrollWidth}px wide in a ${size.width}px viewport`);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
  }
  await page.setViewportSize(before);
  return overflow;
}

module.exports = { launch, newContext, axe, screenshots, WIDTHS, SCREENSHOTS };
