//! Device cookies (OWASP "device cookies"): after a successful sign-in the browser gets a
//! signed cookie naming (by keyed digest) the user who signed in. Presenting it proves a
//! prior success for that user from this browser, which earns a separate failure budget,
//! so an attacker who exhausts the username's budget does not lock its owner out.
//! Format: `v1.<user digest>.<issued at>.<nonce>.<HMAC>`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rocket::http::{Cookie, CookieJar, SameSite};

use crate::portal::session::Sessions;
use crate::random;

/// Name of the device cookie (`__Host-` prefixed: Secure, path `/`, no domain).
pub const COOKIE: &str = "__Host-device";
/// How long a device cookie is honoured.
pub const MAX_AGE: i64 = 180 * 24 * 3600;

fn signature(sessions: &Sessions, body: &str) -> String {
    URL_SAFE_NO_PAD.encode(&sessions.hmac("device-cookie", body)[..18])
}

/// A fresh device-cookie value for `user_digest`.
pub fn value(sessions: &Sessions, user_digest: &str, now: i64) -> String {
    let body = format!("v1.{user_digest}.{now}.{}", random::token(9));
    format!("{body}.{}", signature(sessions, &body))
}

/// Sets a fresh device cookie for `user_digest` (valid `MAX_AGE` seconds).
pub fn issue(sessions: &Sessions, jar: &CookieJar<'_>, user_digest: &str, now: i64) {
    let value = value(sessions, user_digest, now);
    jar.add(
        Cookie::build((COOKIE, value))
            .path("/")
            .secure(true)
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(rocket::time::Duration::seconds(MAX_AGE))
            .build(),
    );
}

/// Whether the request carries a valid device cookie for `user_digest`.
pub fn valid_for(sessions: &Sessions, jar: &CookieJar<'_>, user_digest: &str, now: i64) -> bool {
    let Some(cookie) = jar.get(COOKIE) else {
        return false;
    };
    let value = cookie.value();
    let Some((body, sig)) = value.rsplit_once('.') else {
        return false;
    };
    let parts: Vec<&str> = body.split('.').collect();
    let [version, digest, issued, _nonce] = parts.as_slice() else {
        return false;
    };
    let Ok(issued) = issued.parse::<i64>() else {
        return false;
    };
    use subtle::ConstantTimeEq;
    *version == "v1"
        && bool::from(signature(sessions, body).as_bytes().ct_eq(sig.as_bytes()))
        && *digest == user_digest
        && now - issued < MAX_AGE
        && issued <= now + 60
}
