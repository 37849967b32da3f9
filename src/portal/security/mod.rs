//! Cross-cutting protections as request guards and one fairing: the client IP (the
//! socket's peer unless it is a configured trusted proxy), the request context forwarded
//! to Okta, the `Sec-Fetch-Site` check on POSTs, local-only `return_to`, and security
//! headers on every response (strict CSP without inline script, no framing, nosniff,
//! referrer policy, HSTS in release, `no-store` on pages).
//!
//! - [`client`]: who the client is (trusted proxies, `X-Forwarded-For`, the metrics allow
//!   list) and the request context forwarded to Okta;
//! - [`headers`]: the security headers fairing;
//! - here: the `Sec-Fetch-Site` guard and `return_to`.

mod client;
mod headers;

use percent_encoding::percent_decode_str;
#[cfg(test)]
use rocket::http::uri::Reference;
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

pub use crate::config::parse_net as parse_cidr;
pub use crate::local_path::is_local_path;
use crate::local_path::local_target;
use crate::portal::Base;

pub use client::{ClientIp, MetricsAllowList, RequestContext, TrustedProxies};
pub use headers::{NotADocument, SecurityHeaders};

/// Rejects cross-site POSTs (`Sec-Fetch-Site: cross-site`) before any handler runs.
pub struct NotCrossSite;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for NotCrossSite {
    type Error = &'static str;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match req.headers().get_one("Sec-Fetch-Site") {
            Some(site) if site.eq_ignore_ascii_case("cross-site") => {
                Outcome::Error((Status::Forbidden, "cross-site request"))
            }
            _ => Outcome::Success(NotCrossSite),
        }
    }
}

/// `return_to` as a local path a redirect accepts (percent-encoded where needed), or the
/// default when it is not local, cannot be made valid, is longer than 1024 bytes encoded,
/// or leads back into sign-in (`/signin…`, however encoded).
pub fn safe_return_to(candidate: Option<&str>, default: &str) -> String {
    safe_return_to_under(&Base::root(), candidate, default)
}

/// [`safe_return_to`] for a portal mounted under `base`: a path into its sign-in
/// (`<base>/signin…`, however encoded) is refused too.
pub fn safe_return_to_under(base: &Base, candidate: Option<&str>, default: &str) -> String {
    let signin = base.url("/signin");
    candidate
        .and_then(local_target)
        .filter(|target| {
            let decoded = percent_decode_str(target).decode_utf8_lossy();
            !decoded.starts_with("/signin") && !decoded.starts_with(signin.as_str())
        })
        .unwrap_or_else(|| default.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn return_to_accepts_only_local_paths() {
        for good in ["/", "/account", "/a/b?c=d#e"] {
            assert!(is_local_path(good), "{good}");
        }
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "evil",
            "/a\nb",
            "/a b",
            "javascript:alert(1)",
        ] {
            assert!(!is_local_path(bad), "{bad}");
        }
        assert_eq!(safe_return_to(Some("//x"), "/account"), "/account");
        assert_eq!(
            safe_return_to(Some("/signin/verify"), "/account"),
            "/account"
        );
    }

    fn browser_resolves(location: &str) -> url::Url {
        url::Url::parse("https://portal.example/signin")
            .unwrap()
            .join(location)
            .unwrap()
    }

    #[test]
    fn return_to_is_always_a_target_redirect_accepts() {
        for (given, expected) in [
            ("/x\"y", "/x%22y"),
            ("/<script>", "/%3Cscript%3E"),
            ("/a|b", "/a%7Cb"),
            ("/`x`", "/%60x%60"),
            ("/{a}", "/%7Ba%7D"),
            ("/café", "/caf%C3%A9"),
            ("/café?q=<x>", "/caf%C3%A9?q=%3Cx%3E"),
            ("/a b", "/a%20b"),
            ("/%zz", "/%25zz"),
            ("/100%", "/100%25"),
            ("/a%20b?c=d%26e", "/a%20b?c=d%26e"),
            ("/a?b=[1]^", "/a?b=%5B1%5D%5E"),
            ("/a#x#y", "/a#x%23y"),
            ("/account", "/account"),
            ("/a/b?c=d#e", "/a/b?c=d#e"),
            ("/x\u{3000}y", "/x%E3%80%80y"),
        ] {
            let target = safe_return_to(Some(given), "/account");
            assert_eq!(target, expected, "{given:?}");
            // What `Redirect::to` does with a `String`.
            assert!(
                Reference::parse_owned(target.clone()).is_ok(),
                "{given:?}: Redirect::to accepts {target:?}"
            );
            let resolved = browser_resolves(&target);
            assert_eq!(resolved.host_str(), Some("portal.example"), "{given:?}");
        }
    }

    #[test]
    fn return_to_refuses_what_is_not_local() {
        let long = format!("/{}", "a".repeat(2000));
        let long_encoded = format!("/{}", "é".repeat(200));
        for bad in [
            "//evil.example",
            "///evil.example",
            "/\\evil",
            "/a\\b",
            "https://evil.example",
            "evil",
            "",
            " /account",
            "/\tevil",
            "/\t/evil.example",
            "/a\nb",
            "/a\u{85}b",
            "javascript:alert(1)",
            "/./x",
            "/a/../signin",
            "/%2e%2e/x",
            "/signin",
            "/signin/verify?x=1",
            "/%73ignin",
            long.as_str(),
            long_encoded.as_str(),
        ] {
            assert_eq!(safe_return_to(Some(bad), "/account"), "/account", "{bad:?}");
        }
        assert_eq!(safe_return_to(None, "/home"), "/home");
        let sso = Base::new("/sso").unwrap();
        for bad in [
            "/sso/signin",
            "/sso/signin/verify",
            "/sso/%73ignin",
            "/signin",
        ] {
            assert_eq!(safe_return_to_under(&sso, Some(bad), "/d"), "/d", "{bad:?}");
        }
        assert_eq!(
            safe_return_to_under(&sso, Some("/sso/account"), "/d"),
            "/sso/account"
        );
        assert_eq!(
            safe_return_to_under(&sso, Some("/app?x=1"), "/d"),
            "/app?x=1"
        );
        // The default is checked at start: it must be usable as it is.
        assert!(is_local_path("/account"));
        assert!(
            !is_local_path("/caf\u{e9}"),
            "needs encoding: not usable as it is"
        );
    }
}
