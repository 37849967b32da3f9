// The Node peer of scripts/bench: the password sign-in a Node team would write with the
// usual packages: Express 5, express-session (its in-memory store), openid-client's
// password grant, and jose to verify the ID token against the issuer's JWKS.
// Same pages and form contract as the portal's password sign-in, so the bench drives
// both with one client: GET /signin (a form with a CSRF token kept in the session),
// POST /signin (password grant at Okta's /token, ID token verified, a new session id),
// GET /account (Okta's /userinfo on the first visit, then cached in the session).
// Not a product: no rate limits, no lockout protection, no MFA. It is here to be
// measured beside the portal, on the same machine, in the same run.
import crypto from "node:crypto";
import express from "express";
import session from "express-session";
import * as client from "openid-client";
import { createRemoteJWKSet, jwtVerify } from "jose";

const port = Number(process.env.PORT || 3000);
const issuer = process.env.ISSUER;
const clientId = process.env.CLIENT_ID;
const clientSecret = process.env.CLIENT_SECRET;
const scope = "openid profile email offline_access groups";

const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, {
  execute: [client.allowInsecureRequests],
});
const meta = config.serverMetadata();
const jwks = createRemoteJWKSet(new URL(meta.jwks_uri));

const esc = (s) =>
  String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

const layout = (title, body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Direct Sign-in</title><link rel="stylesheet" href="/static/app.css"></head>
<body><header class="site"><span class="product">Direct Sign-in</span></header><main>${body}</main>
<footer>Direct Sign-in will never ask for your password by email.</footer></body></html>`;

const app = express();
app.disable("x-powered-by");
app.use(express.urlencoded({ extended: false }));
app.use(
  session({
    name: "sid",
    secret: "bench-secret-bench-secret-bench-secret",
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: "lax", secure: false, maxAge: 30 * 60 * 1000 },
  }),
);

app.get("/healthz", (_req, res) => res.type("text").send("ok"));

app.get("/signin", (req, res) => {
  req.session.csrf ??= crypto.randomBytes(32).toString("base64url");
  res.send(
    layout(
      "Sign in",
      `<h1>Sign in</h1><form method="post" action="/signin">
<input type="hidden" name="csrf_token" value="${esc(req.session.csrf)}">
<label>Username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form>`,
    ),
  );
});

app.post("/signin", async (req, res, next) => {
  const { username, password, csrf_token: csrf } = req.body ?? {};
  if (!req.session.csrf || csrf !== req.session.csrf) return res.status(403).send(layout("Expired", "<p>Page expired</p>"));
  let tokens, claims;
  try {
    tokens = await client.genericGrantRequest(config, "password", { username, password, scope });
    ({ payload: claims } = await jwtVerify(tokens.id_token, jwks, { issuer: meta.issuer, audience: clientId }));
  } catch (e) {
    if (e instanceof client.ResponseBodyError) return res.status(401).send(layout("Sign in", "<p>Wrong username or password</p>"));
    return next(e);
  }
  req.session.regenerate((err) => {
    if (err) return next(err);
    req.session.user = {
      sub: claims.sub, name: claims.name, email: claims.email,
      preferred_username: claims.preferred_username, groups: claims.groups ?? [],
      amr: claims.amr ?? [], auth_time: claims.auth_time,
    };
    req.session.tokens = { access_token: tokens.access_token, refresh_token: tokens.refresh_token, expires_at: Date.now() + tokens.expires_in * 1000 };
    req.session.csrf = crypto.randomBytes(32).toString("base64url");
    res.redirect(303, "/account");
  });
});

app.get("/account", async (req, res, next) => {
  const user = req.session.user;
  if (!user) return res.redirect(303, "/signin?return_to=%2Faccount");
  try {
    req.session.userinfo ??= await client.fetchUserInfo(config, req.session.tokens.access_token, user.sub);
  } catch (e) {
    return next(e);
  }
  const info = Object.entries(req.session.userinfo)
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(typeof v === "string" ? v : JSON.stringify(v))}</dd>`)
    .join("");
  res.send(
    layout(
      "Your account",
      `<h1>${esc(user.name)}</h1><p class="lead">${esc(user.name)} · ${esc(user.email)}</p>
<form method="post" action="/signout"><input type="hidden" name="csrf_token" value="${esc(req.session.csrf)}"><button>Sign out</button></form>
<dl class="facts"><dt>Name</dt><dd>${esc(user.name)}</dd><dt>Email</dt><dd>${esc(user.email)}</dd>
<dt>Username</dt><dd>${esc(user.preferred_username)}</dd>
<dt>Groups</dt><dd>${user.groups.map((g) => `<span class="tag">${esc(g)}</span>`).join(" ")}</dd>
<dt>Signed in at</dt><dd>${esc(new Date(user.auth_time * 1000).toUTCString())}</dd>
<dt>Methods used</dt><dd>${user.amr.map((a) => `<span class="tag">${esc(a)}</span>`).join(" ")}</dd></dl>
<h2>From Okta</h2><dl class="facts">${info}</dl>`,
    ),
  );
});

app.listen(port, "127.0.0.1", () => console.log(`peer on http://127.0.0.1:${port}`));
