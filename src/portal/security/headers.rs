//! The security headers on every response of the portal: a strict CSP without inline
//! script, no framing, nosniff, a referrer policy, HSTS in release and `no-store` on pages.
//! Fairings see every response of the Rocket instance: mounted under a base path inside a
//! host app, the fairing touches only the responses under that base, never the host's.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::request::Request;
use rocket::Response;

use crate::portal::Base;

/// Marks a response no browser renders: an empty `/auth` answer, read by a reverse proxy
/// that passes on only the headers it was told to. It gets `Cache-Control` from its
/// responder and none of the document headers (a proxy check per request to the app
/// should not carry a CSP nobody reads).
pub struct NotADocument(pub bool);

impl NotADocument {
    /// Marks `req`'s response as not a document.
    pub fn mark(req: &Request<'_>) {
        req.local_cache(|| NotADocument(true));
    }
}

/// Security headers on every response under the portal's base.
pub struct SecurityHeaders {
    /// Whether to send `Strict-Transport-Security` (release builds).
    pub hsts: bool,
    /// The portal's base path: responses to requests outside it are left alone.
    pub base: Base,
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
        let path = req.uri().path();
        if !self.base.contains(path.as_str()) || req.local_cache(|| NotADocument(false)).0 {
            return;
        }
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
        let assets = self.base.url("/static/");
        if !path.starts_with(assets.as_str()) && res.headers().get_one("Cache-Control").is_none() {
            res.set_header(Header::new("Cache-Control", "no-store"));
        }
    }
}
