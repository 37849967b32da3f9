//! Cross-cutting protections as request guards and one fairing: the client IP (the
//! socket's peer unless it is a configured trusted proxy), the request context forwarded
//! to Okta, the `Sec-Fetch-Site` check on POSTs, local-only `return_to`, and security
//! headers on every response (strict CSP without inline script, no framing, nosniff,
//! referrer policy, HSTS in release, `no-store` on pages).

use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{Header, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::Response;

use crate::okta::CallContext;

/// Parses `10.0.0.0/8` or a bare address.
pub fn parse_cidr(s: &str) -> Result<IpNet, String> {
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
        .map_err(|e| e.to_string())
}

/// The trusted reverse proxies.
#[derive(Default, Clone)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    pub fn from_config(list: &[String]) -> Self {
        TrustedProxies(list.iter().filter_map(|c| parse_cidr(c).ok()).collect())
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client address: the peer, unless the peer is trusted; then the right-most
    /// `X-Forwarded-For` entry that is not itself a trusted proxy.
    pub fn client_ip(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let Some(header) = forwarded_for else {
            return peer;
        };
        let mut last = peer;
        for entry in header.rsplit(',') {
            let Ok(ip) = entry.trim().parse::<IpAddr>() else {
                // Garbage in the chain: stop at the last address we could trust.
                return last;
            };
            let ip = canonical(ip);
            if !self.trusts(ip) {
                return ip;
            }
            last = ip;
        }
        last
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The end user's address (see [`TrustedProxies::client_ip`]).
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientIp {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let peer = req
            .remote()
            .map(|r| r.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        let ip = match req.rocket().state::<Arc<TrustedProxies>>() {
            Some(t) => t.client_ip(peer, req.headers().get("X-Forwarded-For").last()),
            None => peer,
        };
        Outcome::Success(ClientIp(ip))
    }
}

/// What the end user's browser said, forwarded to Okta.
pub struct RequestContext(pub CallContext);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for RequestContext {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let header = |name: &str, max: usize| {
            req.headers()
                .get_one(name)
                .map(|v| v.chars().take(max).collect::<String>())
        };
        let ip = match ClientIp::from_request(req).await {
            Outcome::Success(ClientIp(ip)) => Some(ip),
            _ => None,
        };
        Outcome::Success(RequestContext(CallContext {
            user_agent: header("User-Agent", 512),
            accept_language: header("Accept-Language", 128),
            client_ip: ip,
            priority: Default::default(),
        }))
    }
}

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

/// Whether `path` is a local path safe to redirect to: starts with one `/`, no scheme or
/// authority, no backslash, no control characters.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= 1024
        && !path.contains('\\')
        && !path.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// `return_to` if it is local, otherwise the default.
pub fn safe_return_to(candidate: Option<&str>, default: &str) -> String {
    match candidate {
        Some(p) if is_local_path(p) && !p.starts_with("/signin") => p.to_string(),
        _ => default.to_string(),
    }
}

/// Security headers on every response.
pub struct SecurityHeaders {
    pub hsts: bool,
}

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info {
            name: "Security headers",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        res.set_header(Header::new(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ));
        res.set_header(Header::new("X-Content-Type-Options", "nosniff"));
        res.set_header(Header::new("X-Frame-Options", "DENY"));
        res.set_header(Header::new("Referrer-Policy", "no-referrer"));
        res.set_header(Header::new("Cross-Origin-Opener-Policy", "same-origin"));
        res.set_header(Header::new(
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        ));
        if self.hsts {
            res.set_header(Header::new(
                "Strict-Transport-Security",
                "max-age=31536000; includeSubDomains",
            ));
        }
        if !req.uri().path().starts_with("/static/")
            && res.headers().get_one("Cache-Control").is_none()
        {
            res.set_header(Header::new("Cache-Control", "no-store"));
        }
    }
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

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let t = TrustedProxies::from_config(&["10.0.0.0/8".into(), "::1".into()]);
        let peer: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(
            t.client_ip(peer, Some("1.2.3.4")),
            peer,
            "spoofed header from an untrusted peer"
        );
        let proxy: IpAddr = "10.1.1.1".parse().unwrap();
        assert_eq!(
            t.client_ip(proxy, Some("1.2.3.4, 10.2.2.2")).to_string(),
            "1.2.3.4"
        );
        assert_eq!(
            t.client_ip(proxy, Some("6.6.6.6, 1.2.3.4")).to_string(),
            "1.2.3.4",
            "right-most untrusted wins"
        );
        assert_eq!(t.client_ip(proxy, None), proxy);
        assert_eq!(t.client_ip(proxy, Some("garbage")), proxy);
        let mapped: IpAddr = "::ffff:10.0.0.7".parse().unwrap();
        assert_eq!(t.client_ip(mapped, Some("5.5.5.5")).to_string(), "5.5.5.5");
    }
}
