'use strict';
// The portal in front of an app it did not build, through real nginx and real Caddy
// (Debian's packages) configured by the shipped examples/gateway/ files: an anonymous
// visit signs in and lands on the original URL, the app sees the identity headers and can
// verify the signed assertion, spoofed identity headers never reach it, a location's
// group rule refuses with the portal's 403 page, and sign-out ends access.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { after } = require('node:test');
const { harness, at, submitPassword, chooseFactor, submitCode } = require('../lib/harness');
const { startNginx, startCaddy } = require('../lib/proxy');
const { startUpstream } = require('../lib/upstream');

const h = harness('gateway', {
  env: {
    DIRECT_SIGNIN_NETWORK__TRUSTED_PROXIES: '["127.0.0.1"]',
  },
});

const ALICE = 'alice@example.com';
const CAROL = 'carol@example.com';
const BOB = 'bob@example.com';
const proxies = {};
let app;

/** The app and both proxies, started once the portal is (the first test waits). */
let started;
function setup() {
  started ||= (async () => {
    app = await startUpstream();
    const portalPort = Number(new URL(h.portal.base).port);
    proxies.nginx = await startNginx({ portalPort, appPort: app.port });
    proxies.caddy = await startCaddy({ portalPort, appPort: app.port });
  })();
  return started;
}

after(async () => {
  for (const p of Object.values(proxies)) await p.stop();
  if (app) await app.stop();
});

/** Verifies an ES256 JWT against a JWKS; answers its claims. */
function verifyAssertion(token, jwks) {
  const [head, body, sig] = token.split('.');
  const header = JSON.parse(Buffer.from(head, 'base64url'));
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, `the assertion's kid ${header.kid} is published`);
  assert.equal(header.alg, 'ES256');
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  const ok = crypto.verify('sha256', Buffer.from(`${head}.${body}`), { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(sig, 'base64url'));
  assert.ok(ok, 'the assertion verifies against /.well-known/jwks.json');
  return JSON.parse(Buffer.from(body, 'base64url'));
}

/** Bob signs in with password + authenticator code on whatever page he was sent to. */
async function bobSignsIn(page) {
  await at(page, '/signin');
  await submitPassword(page, BOB);
  await at(page, '/signin/factor');
  await chooseFactor(page, 'otp');
  await at(page, '/signin/verify');
  await submitCode(page, await h.emu.freshTotp());
}

/** The session cookie header of this browser context, to replay from Node. */
async function cookieHeader(context) {
  const cookies = await context.cookies();
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

for (const kind of ['nginx', 'caddy']) {
  h.test(`${kind}: an anonymous visit signs in with password + code and reaches the app with its identity`, async ({ page, context }) => {
    await setup();
    const proxy = proxies[kind];
    await page.goto(`${proxy.base}/reports?year=2026`);
    await at(page, '/signin');
    assert.equal(await page.inputValue('input[name="return_to"]'), `${proxy.base}/reports?year=2026`);
    await bobSignsIn(page);
    await at(page, '/reports');
    assert.equal(new URL(page.url()).search, '?year=2026');
    assert.match(await page.textContent('#upstream'), /Upstream app: \/reports\?year=2026/);
    const seen = app.last().headers;
    assert.equal(seen['x-auth-request-user'], BOB);
    assert.equal(seen['x-auth-request-email'], BOB);
    assert.equal(seen['x-auth-request-groups'], 'admins,staff');
    assert.equal(seen['remote-user'], BOB);
    assert.equal(seen['remote-name'], 'Bob Brown');
    assert.equal(seen['remote-groups'], 'admins,staff');
    assert.equal(seen['x-auth-request-access-token'], undefined, "Okta's tokens stay in the portal");
    const jwks = await (await fetch(`${proxy.base}/.well-known/jwks.json`)).json();
    const claims = verifyAssertion(seen['x-signin-assertion'], jwks);
    assert.equal(claims.email, BOB);
    assert.deepEqual(claims.groups, ['admins', 'staff']);
    assert.ok(claims.amr.length >= 2, JSON.stringify(claims.amr));
    assert.equal(claims.aud, `127.0.0.1:${proxy.port}`, 'the host the browser asked for');
    assert.ok(claims.exp - claims.iat <= 60);

    // Spoofed identity headers never reach the app, signed in or not.
    const spoof = {
      'X-Auth-Request-User': 'mallory@example.com',
      'Remote-User': 'mallory@example.com',
      'Remote-Groups': 'admins',
      'X-Signin-Assertion': 'forged',
    };
    const before = app.seen.length;
    const anonymous = await fetch(`${proxy.base}/reports`, { headers: { ...spoof, Accept: 'text/html' }, redirect: 'manual' });
    assert.equal(anonymous.status, 302);
    assert.equal(app.seen.length, before, 'an anonymous request never reaches the app');
    const signedIn = await fetch(`${proxy.base}/reports`, { headers: { ...spoof, Cookie: await cookieHeader(context) } });
    assert.equal(signedIn.status, 200);
    const got = app.last().headers;
    assert.equal(got['x-auth-request-user'], BOB);
    assert.equal(got['remote-user'], BOB);
    assert.notEqual(got['x-signin-assertion'], 'forged');
    const api = await fetch(`${proxy.base}/reports`, { headers: { Accept: 'application/json' }, redirect: 'manual' });
    assert.equal(api.status, 401, 'an API client gets a 401, not a redirect');
  });

  h.test(`${kind}: a location for admins refuses alice with the portal's 403 page, and sign-out ends access`, async ({ page }) => {
    await setup();
    const proxy = proxies[kind];
    await page.goto(`${proxy.base}/admin/console`);
    await at(page, '/signin');
    await submitPassword(page, ALICE);
    await page.waitForLoadState('load');
    assert.match(await page.textContent('h1'), /don't have access/);
    await page.goto(`${proxy.base}/`);
    assert.match(await page.textContent('#upstream'), /Upstream app: \//);
    assert.equal(app.last().headers['x-auth-request-groups'], 'customers');
    // Sign out on the portal's account page (through the proxy): the app is closed again.
    await page.goto(`${proxy.base}/account`);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await at(page, '/signin');
    await page.goto(`${proxy.base}/reports`);
    await at(page, '/signin');
  }, { expectedErrors: [/status of 403/] });

  h.test(`${kind}: passwordless by email reaches the app; a two-factor location steps carol up`, async ({ page }) => {
    await setup();
    const proxy = proxies[kind];
    await page.goto(`${proxy.base}/notes`);
    await at(page, '/signin');
    await page.fill('#username', CAROL);
    let since = await h.emu.now();
    await page.getByRole('button', { name: 'Code by email' }).click();
    await at(page, '/signin/verify');
    await submitCode(page, await h.emu.latestCode(CAROL, { after: since }));
    await at(page, '/notes');
    assert.equal(app.last().headers['x-auth-request-user'], CAROL);
    assert.equal(app.last().headers['x-auth-request-groups'], 'customers');
    // /admin/ wants the group admins: carol is not one (403).
    await page.goto(`${proxy.base}/admin/`);
    assert.match(await page.textContent('h1'), /don't have access/);
    // /secure/ wants two factors: a step-up sign-in, her username fixed, then a second one.
    await page.goto(`${proxy.base}/secure/plan`);
    await at(page, '/signin');
    assert.equal(await page.inputValue('#username'), CAROL);
    assert.equal(await page.getAttribute('#username', 'readonly'), '');
    since = await h.emu.now();
    await page.getByRole('button', { name: 'Code by email' }).click();
    await at(page, '/signin/verify');
    await submitCode(page, await h.emu.latestCode(CAROL, { after: since }));
    await at(page, '/signin/factor');
    await chooseFactor(page, 'otp');
    await at(page, '/signin/verify');
    await submitCode(page, await h.emu.freshTotp());
    await at(page, '/secure/plan');
    const claims = verifyAssertion(app.last().headers['x-signin-assertion'],
      await (await fetch(`${proxy.base}/.well-known/jwks.json`)).json());
    assert.ok(claims.amr.includes('mfa'), JSON.stringify(claims.amr));
  }, { expectedErrors: [/status of 403/] });
}
