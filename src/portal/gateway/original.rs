//! The URL the visitor asked the proxy for, read from the headers a reverse proxy sets on
//! its auth subrequest, believed only from `network.trusted_proxies`:
//!
//! - `X-Forwarded-Proto`, `X-Forwarded-Host` and `X-Forwarded-Uri` (Caddy `forward_auth`,
//!   Traefik `forwardAuth`);
//! - `X-Original-URL`, a whole URL (the shipped nginx configuration sets it);
//! - `X-Original-URI`, a path, with `X-Forwarded-Proto` and `X-Forwarded-Host` or `Host`.
//!
//! Also whether the request comes from a browser (which gets a `Location` to sign in) or
//! an API client (which gets a bare 401).

use url::Url;

/// The headers that matter here, as the request carried them.
#[derive(Debug, Default)]
pub struct Forwarded<'a> {
    /// `X-Forwarded-Proto`.
    pub proto: Option<&'a str>,
    /// `X-Forwarded-Host`.
    pub host: Option<&'a str>,
    /// `X-Forwarded-Uri`.
    pub uri: Option<&'a str>,
    /// `X-Original-URL` (a whole URL).
    pub original_url: Option<&'a str>,
    /// `X-Original-URI` (a path).
    pub original_uri: Option<&'a str>,
    /// The request's own `Host`.
    pub request_host: Option<&'a str>,
    /// `Accept`, to tell a browser from an API client.
    pub accept: Option<&'a str>,
    /// `X-Requested-With`, to tell a browser from an API client.
    pub requested_with: Option<&'a str>,
}

/// The longest original URL kept.
const MAX_URL: usize = 4096;

fn first(value: Option<&str>) -> Option<&str> {
    // A proxy chain may append: the first value is the client-facing one.
    value
        .map(|v| v.split(',').next().unwrap_or_default().trim())
        .filter(|v| !v.is_empty())
}

/// An absolute http(s) URL with a host and no credentials, or nothing.
fn checked(url: &str) -> Option<Url> {
    if url.len() > MAX_URL || url.chars().any(|c| c.is_control()) {
        return None;
    }
    let parsed = Url::parse(url).ok()?;
    let ok = matches!(parsed.scheme(), "http" | "https")
        && parsed.host_str().is_some_and(|h| !h.is_empty())
        && parsed.username().is_empty()
        && parsed.password().is_none();
    ok.then_some(parsed)
}

impl Forwarded<'_> {
    /// The original URL, when the peer is trusted and the headers make a sound one.
    pub fn original(&self, trusted: bool) -> Option<Url> {
        if !trusted {
            return None;
        }
        if let Some(url) = first(self.original_url) {
            return checked(url);
        }
        let proto = first(self.proto).unwrap_or("https");
        let host = first(self.host).or(self.request_host)?;
        let path = first(self.uri).or(first(self.original_uri))?;
        if !path.starts_with('/') || path.starts_with("//") {
            return None;
        }
        checked(&format!("{proto}://{host}{path}"))
    }

    /// A browser (an `Accept` with `text/html`, no `X-Requested-With`) outside the API
    /// prefixes gets sent to the sign-in page; anything else a bare 401.
    pub fn is_browser(&self, original: Option<&Url>, api_prefixes: &[String]) -> bool {
        let html = self.accept.is_some_and(|a| {
            a.as_bytes()
                .windows(9)
                .any(|w| w.eq_ignore_ascii_case(b"text/html"))
        });
        let api_path = original.is_some_and(|u| {
            api_prefixes
                .iter()
                .any(|p| !p.is_empty() && u.path().starts_with(p.as_str()))
        });
        html && self.requested_with.is_none() && !api_path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_header_family_gives_the_original_url() {
        let caddy = Forwarded {
            proto: Some("https"),
            host: Some("app.example.com"),
            uri: Some("/reports?year=2026"),
            ..Forwarded::default()
        };
        assert_eq!(
            caddy.original(true).unwrap().as_str(),
            "https://app.example.com/reports?year=2026"
        );
        let nginx = Forwarded {
            original_url: Some("https://app.example.com/a/b"),
            ..Forwarded::default()
        };
        assert_eq!(nginx.original(true).unwrap().path(), "/a/b");
        let uri_only = Forwarded {
            original_uri: Some("/x"),
            request_host: Some("app.example.com:8443"),
            proto: Some("https, http"),
            ..Forwarded::default()
        };
        assert_eq!(
            uri_only.original(true).unwrap().as_str(),
            "https://app.example.com:8443/x"
        );
    }

    #[test]
    fn untrusted_or_unsound_headers_give_nothing() {
        let good = Forwarded {
            original_url: Some("https://app.example.com/"),
            ..Forwarded::default()
        };
        assert!(good.original(false).is_none());
        for bad in [
            "javascript:alert(1)",
            "https://user:pw@app.example.com/",
            "ftp://app.example.com/",
            "https://",
            "/relative",
        ] {
            let f = Forwarded {
                original_url: Some(bad),
                ..Forwarded::default()
            };
            assert!(f.original(true).is_none(), "{bad}");
        }
        let scheme_relative = Forwarded {
            host: Some("app.example.com"),
            uri: Some("//evil.example.org/"),
            ..Forwarded::default()
        };
        assert!(scheme_relative.original(true).is_none());
    }

    #[test]
    fn browsers_are_told_where_to_sign_in_and_api_clients_are_not() {
        let url = Url::parse("https://app.example.com/api/v1/items").unwrap();
        let browser = Forwarded {
            accept: Some("text/html,application/xhtml+xml"),
            ..Forwarded::default()
        };
        assert!(browser.is_browser(None, &[]));
        assert!(!browser.is_browser(Some(&url), &["/api/".into()]));
        let xhr = Forwarded {
            accept: Some("text/html"),
            requested_with: Some("XMLHttpRequest"),
            ..Forwarded::default()
        };
        assert!(!xhr.is_browser(None, &[]));
        let json = Forwarded {
            accept: Some("application/json"),
            ..Forwarded::default()
        };
        assert!(!json.is_browser(None, &[]));
    }
}
