//! The gateway: `/auth` for nginx `auth_request`, Caddy `forward_auth` and Traefik
//! `forwardAuth`, so apps we did not build can use our sign-in; the key set that verifies
//! its assertions; and the page a refused visitor sees.
//!
//! - [`original`]: the URL the visitor asked the proxy for, from trusted proxies only;
//! - [`rules`]: a location's rules (groups, emails, domains, two factors, sign-in age);
//! - [`auth`]: the check and its answer (status, identity headers, `Location`);
//! - [`assertion`]: the signed identity assertion and its published key;
//! - [`memo`]: what a check works out once per opened session (identity, headers, assertions).

pub mod assertion;
pub mod auth;
pub mod memo;
pub mod original;
pub mod rules;

use std::sync::Arc;

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, routes, Route, State};
use serde_json::Value;

use assertion::{Claims, Signer};
use auth::{AuthAnswer, ProxyRequest};
use rules::{Identity, RuleQuery};

use super::error::ErrorPage;
use super::session::{Current, User};
use super::Portal;
use crate::config::GatewayConfig;

/// Assertions kept for reuse, at most this many (about 7 MiB; past it, expired ones go,
/// then all).
const CACHED_ASSERTIONS: usize = 10_000;
/// An assertion is reused while it has at least this many seconds left.
const REUSE_WHILE_LEFT: i64 = assertion::MAX_LIFETIME / 2;

/// The gateway's own state: the assertion key, and the assertions signed lately.
pub struct Gateway {
    signer: Option<Signer>,
    /// (sub, auth_time, audience, claims) → (assertion, its exp). One sign-in's claims do
    /// not change, so an assertion serves every check of that sign-in for the same app
    /// while it has half its life left: an ES256 signature per request would cost more
    /// than the rest of `/auth` together.
    cache: parking_lot::Mutex<std::collections::HashMap<AssertionKey, (String, i64)>>,
    /// Keys the fingerprint of the claims in [`AssertionKey`] (random per instance).
    fingerprint: std::collections::hash_map::RandomState,
    /// Per opened session: its identity, headers and assertions.
    pub memos: memo::Memos,
}

/// Which sign-in and which app an assertion is for: (sub, auth_time, audience, and a
/// keyed 64-bit fingerprint of the email, groups and amr). sub and auth_time alone do not
/// name one sign-in: two sign-ins of one user within one second (by different factors)
/// share them, and must not share an assertion.
type AssertionKey = (String, i64, String, u64);

impl Gateway {
    /// The assertion key from `gateway.assertion_key_file`, or a fresh one.
    pub fn from_config(config: &GatewayConfig) -> Result<Self, String> {
        let signer = match (&config.assertion, &config.assertion_key_file) {
            (false, _) => None,
            (true, Some(path)) => {
                let pem = std::fs::read_to_string(path)
                    .map_err(|e| format!("gateway.assertion_key_file {}: {e}", path.display()))?;
                Some(
                    Signer::from_pem(&pem).map_err(|e| {
                        format!("gateway.assertion_key_file {}: {e}", path.display())
                    })?,
                )
            }
            (true, None) => Some(Signer::generate()?),
        };
        Ok(Gateway {
            signer,
            cache: Default::default(),
            fingerprint: Default::default(),
            memos: Default::default(),
        })
    }

    /// The assertion of a session's `memo` for the app at `audience`: the one it keeps
    /// while it has half its life left, else one from [`Gateway::assertion`], then kept.
    pub fn assertion_kept(
        &self,
        memo: &memo::Memo,
        issuer: &str,
        audience: &str,
        now: i64,
    ) -> Option<String> {
        self.signer.as_ref()?;
        if let Some(kept) = memo.assertion(audience, now, REUSE_WHILE_LEFT) {
            return Some(kept);
        }
        let (token, exp) = self.assertion_until(issuer, &memo.who, audience, now)?;
        memo.keep_assertion(audience, &token, exp);
        Some(token)
    }

    /// A signed assertion of `who` for the app at `audience`, issued by `issuer`, when
    /// assertions are on.
    pub fn assertion(
        &self,
        issuer: &str,
        who: &Identity,
        audience: &str,
        now: i64,
    ) -> Option<String> {
        self.assertion_until(issuer, who, audience, now)
            .map(|(token, _)| token)
    }

    /// [`Gateway::assertion`] with its `exp`.
    fn assertion_until(
        &self,
        issuer: &str,
        who: &Identity,
        audience: &str,
        now: i64,
    ) -> Option<(String, i64)> {
        let signer = self.signer.as_ref()?;
        let said = std::hash::BuildHasher::hash_one(
            &self.fingerprint,
            (&who.email, &who.groups, &who.amr),
        );
        let key = (who.sub.clone(), who.auth_time, audience.to_string(), said);
        if let Some((token, exp)) = self.cache.lock().get(&key) {
            if exp - now >= REUSE_WHILE_LEFT {
                return Some((token.clone(), *exp));
            }
        }
        let claims = Claims {
            iss: issuer,
            aud: audience,
            sub: &who.sub,
            email: who.email.as_deref(),
            groups: &who.groups,
            amr: &who.amr,
            auth_time: who.auth_time,
            iat: now,
            exp: now + assertion::MAX_LIFETIME,
        };
        match signer.sign(&claims) {
            Ok(token) => {
                let mut cache = self.cache.lock();
                if cache.len() >= CACHED_ASSERTIONS {
                    cache.retain(|_, (_, exp)| *exp - now >= REUSE_WHILE_LEFT);
                    if cache.len() >= CACHED_ASSERTIONS {
                        cache.clear();
                    }
                }
                cache.insert(key, (token.clone(), claims.exp));
                Some((token, claims.exp))
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not sign an identity assertion");
                None
            }
        }
    }
}

/// The gateway's routes: `/auth` for every forwarded method, the key set and the 403 page.
pub fn routes() -> Vec<Route> {
    routes![
        auth_get,
        auth_post,
        auth_put,
        auth_delete,
        auth_patch,
        auth_options,
        jwks,
        forbidden
    ]
}

/// One `/auth` handler per method a proxy may forward (HEAD is answered by GET's).
macro_rules! auth_routes {
    ($($name:ident: $method:ident),*) => {$(
        #[rocket::route($method, uri = "/auth?<redirect>&<rules..>")]
        fn $name(
            redirect: Option<&str>,
            rules: RuleQuery,
            user: Option<User<'_>>,
            current: &Current,
            proxy: ProxyRequest<'_>,
            app: &State<Arc<Portal>>,
            gateway: &State<Arc<Gateway>>,
        ) -> AuthAnswer {
            let redirect = matches!(redirect, Some("1" | "true"));
            // The record as shared, so the check's memo can be kept for it.
            let session = user.and(current.signed_in_shared());
            auth::answer(app, gateway, session, &rules, redirect, &proxy)
        }
    )*};
}

auth_routes!(
    auth_get: GET,
    auth_post: POST,
    auth_put: PUT,
    auth_delete: DELETE,
    auth_patch: PATCH,
    auth_options: OPTIONS
);

/// The keys that verify `X-Signin-Assertion`.
#[get("/.well-known/jwks.json")]
fn jwks(gateway: &State<Arc<Gateway>>) -> Json<Value> {
    Json(match &gateway.signer {
        Some(signer) => signer.jwks(),
        None => serde_json::json!({"keys": []}),
    })
}

/// What a proxy shows a signed-in visitor `/auth` refused.
#[get("/signin/forbidden")]
pub fn forbidden() -> ErrorPage {
    ErrorPage {
        status: Status::Forbidden,
        title: "error-forbidden-title",
        detail: "error-forbidden-detail",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assertion_is_reused_for_half_its_life_then_signed_again() {
        let g = Gateway::from_config(&GatewayConfig::default()).unwrap();
        let who = Identity {
            sub: "00u1".into(),
            auth_time: 1_000,
            ..Identity::default()
        };
        let first = g.assertion("https://signin.example.com", &who, "app.example.com", 2_000);
        let again = g.assertion("https://signin.example.com", &who, "app.example.com", 2_030);
        assert!(first.is_some());
        assert_eq!(first, again, "reused while half its life is left");
        let later = g.assertion("https://signin.example.com", &who, "app.example.com", 2_031);
        assert_ne!(first, later, "signed again past half its life");
        let other_app = g.assertion(
            "https://signin.example.com",
            &who,
            "shop.example.com",
            2_031,
        );
        assert_ne!(later, other_app, "one per app");
        let next_sign_in = Identity {
            auth_time: 2_031,
            ..who.clone()
        };
        let fresh = g.assertion(
            "https://signin.example.com",
            &next_sign_in,
            "app.example.com",
            2_031,
        );
        assert_ne!(later, fresh, "one per sign-in");
        let off = Gateway::from_config(&GatewayConfig {
            assertion: false,
            ..GatewayConfig::default()
        })
        .unwrap();
        assert!(off.assertion("x", &who, "app.example.com", 2_000).is_none());
    }
}
