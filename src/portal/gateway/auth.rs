//! `/auth`: the question a reverse proxy asks before each request to a protected app
//! ("who is this, and may they see this URL?"), and its answer: 200 with identity headers,
//! 401 (with where to sign in, for a browser), 403, or 400 for rules the proxy
//! configuration got wrong.

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::Arc;

use rocket::http::{Header, HeaderMap, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder, Response};
use url::Url;

use super::memo::Memo;
use super::original::Forwarded;
use super::rules::{Identity, RuleQuery, Rules, Verdict};
use super::Gateway;
use crate::config::HeaderFamily;
use crate::portal::security::{NotADocument, TrustedProxies};
use crate::portal::session::SignedIn;
use crate::portal::Portal;

/// The headers a proxy sends on its auth subrequest, and whether it is trusted.
pub struct ProxyRequest<'r> {
    /// The forwarding headers (to be believed only when `trusted`).
    pub forwarded: Forwarded<'r>,
    /// Whether the peer is one of `network.trusted_proxies`.
    pub trusted: bool,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ProxyRequest<'r> {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let peer = req
            .remote()
            .map(|r| r.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        let trusted = req
            .rocket()
            .state::<Arc<TrustedProxies>>()
            .is_some_and(|t| t.trusts(peer));
        Outcome::Success(ProxyRequest {
            forwarded: forwarded(req.headers()),
            trusted,
        })
    }
}

/// The forwarding headers, each its first value, in one pass over the request's headers
/// (a proxy check is answered many times a second: eight look-ups by name cost more than
/// the rest of reading the request).
fn forwarded<'a>(headers: &'a HeaderMap<'_>) -> Forwarded<'a> {
    let mut f = Forwarded::default();
    for header in headers.iter() {
        let Cow::Borrowed(value) = header.value else {
            continue;
        };
        let name = header.name.as_str();
        let slot = match name.len() {
            4 if name.eq_ignore_ascii_case("host") => &mut f.request_host,
            6 if name.eq_ignore_ascii_case("accept") => &mut f.accept,
            14 if name.eq_ignore_ascii_case("x-original-url") => &mut f.original_url,
            14 if name.eq_ignore_ascii_case("x-original-uri") => &mut f.original_uri,
            15 if name.eq_ignore_ascii_case("x-forwarded-uri") => &mut f.uri,
            16 if name.eq_ignore_ascii_case("x-forwarded-host") => &mut f.host,
            16 if name.eq_ignore_ascii_case("x-requested-with") => &mut f.requested_with,
            17 if name.eq_ignore_ascii_case("x-forwarded-proto") => &mut f.proto,
            _ => continue,
        };
        slot.get_or_insert(value);
    }
    f
}

/// What `/auth` answers.
pub enum AuthAnswer {
    /// 200 with the session's identity headers and these others (the assertion, the
    /// access token when forwarded).
    Allow {
        /// The session's memo, whose identity headers are sent.
        memo: Arc<Memo>,
        /// Headers of this check alone.
        extra: Vec<(&'static str, String)>,
    },
    /// Not signed in (or not enough): 401, or 302 when the proxy asked for redirects;
    /// `location` is where a browser signs in.
    SignIn {
        /// Where a browser signs in; `None` for an API client (a bare 401).
        location: Option<String>,
        /// Whether the proxy asked for a 302 instead of a 401.
        redirect: bool,
    },
    /// 403: signed in, not allowed here.
    Deny,
    /// 400: the location's rules are malformed.
    BadRules(String),
}

/// The memo of the answered session, kept in the request's cache so the response can
/// lend its header values instead of copying them (a private type: nothing else sets it).
struct Lent(Arc<Memo>);

impl<'r> Responder<'r, 'r> for AuthAnswer {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'r> {
        let mut r = Response::build();
        r.raw_header("Cache-Control", "no-store");
        if matches!(self, AuthAnswer::Allow { .. } | AuthAnswer::SignIn { .. }) {
            NotADocument::mark(req);
        }
        match self {
            AuthAnswer::Allow { memo, extra } => {
                r.status(Status::Ok);
                let lent = &req.local_cache(|| Lent(memo)).0;
                for (name, value) in &lent.headers {
                    r.header_adjoin(Header::new(*name, value.as_str()));
                }
                for (name, value) in extra {
                    r.header_adjoin(Header::new(name, value));
                }
            }
            AuthAnswer::SignIn { location, redirect } => {
                let status = if redirect && location.is_some() {
                    Status::Found
                } else {
                    Status::Unauthorized
                };
                r.status(status);
                if let Some(location) = location {
                    r.raw_header("Location", location);
                }
            }
            // The branded page, for proxies that pass the answer on (Caddy, Traefik);
            // nginx shows /signin/forbidden instead.
            AuthAnswer::Deny => return super::forbidden().respond_to(req),
            AuthAnswer::BadRules(why) => {
                tracing::warn!(error = %why, "an /auth request carried malformed rules");
                r.status(Status::BadRequest);
            }
        }
        Ok(r.finalize())
    }
}

/// The identity a session carries. An email Okta says is not verified is left out: no rule
/// or header may rest on it.
pub fn identity(s: &SignedIn) -> Identity {
    Identity {
        sub: s.user_id.clone(),
        email: s.email.clone().filter(|_| s.email_verified != Some(false)),
        name: s.name.clone(),
        preferred_username: s.preferred_username.clone(),
        groups: s.groups.clone(),
        amr: s.amr.clone(),
        auth_time: s.auth_time,
    }
}

/// Header values are single lines: anything else is dropped rather than passed on.
fn line(value: &str) -> Option<String> {
    (!value.chars().any(|c| c.is_control())).then(|| value.to_string())
}

/// The identity headers of `who` in the configured families.
pub fn identity_headers(families: &[HeaderFamily], who: &Identity) -> Vec<(&'static str, String)> {
    let user = who.preferred_username.as_deref().unwrap_or(&who.sub);
    let groups = who.groups.join(",");
    let mut out = Vec::new();
    let mut put = |name: &'static str, value: Option<&str>| {
        if let Some(v) = value.and_then(line) {
            out.push((name, v));
        }
    };
    for family in families {
        match family {
            HeaderFamily::Oauth2Proxy => {
                put("X-Auth-Request-User", Some(user));
                put("X-Auth-Request-Email", who.email.as_deref());
                put(
                    "X-Auth-Request-Preferred-Username",
                    who.preferred_username.as_deref(),
                );
                put("X-Auth-Request-Groups", Some(&groups));
            }
            HeaderFamily::Authelia => {
                put("Remote-User", Some(user));
                put("Remote-Email", who.email.as_deref());
                put("Remote-Name", who.name.as_deref());
                put("Remote-Groups", Some(&groups));
            }
        }
    }
    out
}

/// The answer for one `/auth` request.
pub fn answer(
    app: &Portal,
    gateway: &Gateway,
    session: Option<&Arc<SignedIn>>,
    query: &RuleQuery,
    redirect: bool,
    proxy: &ProxyRequest<'_>,
) -> AuthAnswer {
    let rules = match Rules::parse(query) {
        Ok(rules) => rules,
        Err(why) => return AuthAnswer::BadRules(why),
    };
    let original = proxy.forwarded.original(proxy.trusted);
    let browser = proxy
        .forwarded
        .is_browser(original.as_ref(), &app.config.gateway.api_prefixes);
    let sign_in = |step_up: Option<&str>| AuthAnswer::SignIn {
        location: browser.then(|| signin_url(app, original.as_ref(), step_up)),
        redirect,
    };
    let Some(session) = session else {
        return sign_in(None);
    };
    let memo = gateway.memos.get_or(session, || {
        let who = identity(session);
        let headers = identity_headers(&app.config.gateway.headers, &who);
        Memo::new(who, headers)
    });
    let now = app.sessions.clock().now();
    match rules.judge(&memo.who, now) {
        Verdict::Deny => AuthAnswer::Deny,
        // Signed in, but not with two factors or not recently enough: sign in again, the
        // username fixed, Okta asked for two factors when they are what is missing.
        Verdict::StepUp { mfa, .. } => {
            let missing_factor = mfa && !memo.who.used_two_factors();
            sign_in(Some(if missing_factor { "mfa" } else { "fresh" }))
        }
        Verdict::Allow => {
            let mut headers = Vec::new();
            // The assertion names the app it is for: without a (trusted) original URL
            // there is no audience, and no assertion. The audience is the forwarded host
            // as the browser named it, with its port when not the default (a URL keeps no
            // default port and no credentials here: see `original`).
            let audience = original
                .as_ref()
                .filter(|u| u.has_host())
                .map(|u| &u[url::Position::BeforeHost..url::Position::AfterPort]);
            if let Some(assertion) = audience
                .and_then(|aud| gateway.assertion_kept(&memo, app.config.gateway.base(), aud, now))
            {
                headers.push(("X-Signin-Assertion", assertion));
            }
            if app.config.gateway.forward_access_token {
                headers.push((
                    "X-Auth-Request-Access-Token",
                    session.access_token.expose().to_string(),
                ));
            }
            AuthAnswer::Allow {
                memo,
                extra: headers,
            }
        }
    }
}

/// Where a browser signs in to come back to `original` (the absolute URL, which the
/// sign-in accepts for the host it is served on and for `gateway.allowed_hosts`), as a
/// step-up sign-in when `step_up` says why.
fn signin_url(app: &Portal, original: Option<&Url>, step_up: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(back) = original {
        query.append_pair("return_to", back.as_str());
    }
    if let Some(step_up) = step_up {
        query.append_pair("step_up", step_up);
    }
    let query = query.finish();
    let signin = app.base.url("/signin");
    let base = app.config.gateway.base();
    if query.is_empty() {
        format!("{base}{signin}")
    } else {
        format!("{base}{signin}?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(email_verified: Option<bool>) -> SignedIn {
        SignedIn {
            email: Some("pat@example.com".into()),
            preferred_username: Some("pat@example.com".into()),
            email_verified,
            ..SignedIn::fixture()
        }
    }

    #[test]
    fn the_forwarding_headers_are_read_in_one_pass_first_value_first() {
        let mut h = HeaderMap::new();
        h.add_raw("x-ORIGINAL-url", "https://app.example.com/a");
        h.add_raw("X-Original-URL", "https://evil.example.com/");
        h.add_raw("X-Forwarded-Proto", "https");
        h.add_raw("X-Forwarded-Host", "app.example.com");
        h.add_raw("X-Forwarded-Uri", "/b");
        h.add_raw("X-Original-URI", "/c");
        h.add_raw("Host", "portal.example.com");
        h.add_raw("Accept", "text/html");
        h.add_raw("X-Requested-With", "XMLHttpRequest");
        h.add_raw("X-Forwarded-Hosts", "not.this.one");
        let f = forwarded(&h);
        assert_eq!(f.original_url, Some("https://app.example.com/a"));
        assert_eq!(f.proto, Some("https"));
        assert_eq!(f.host, Some("app.example.com"));
        assert_eq!(f.uri, Some("/b"));
        assert_eq!(f.original_uri, Some("/c"));
        assert_eq!(f.request_host, Some("portal.example.com"));
        assert_eq!(f.accept, Some("text/html"));
        assert_eq!(f.requested_with, Some("XMLHttpRequest"));
        let empty = HeaderMap::new();
        let none = forwarded(&empty);
        assert!(none.original_url.is_none() && none.host.is_none() && none.accept.is_none());
    }

    #[test]
    fn an_email_okta_has_not_verified_is_no_identity() {
        assert_eq!(
            identity(&session(Some(true))).email.as_deref(),
            Some("pat@example.com")
        );
        assert_eq!(
            identity(&session(None)).email.as_deref(),
            Some("pat@example.com")
        );
        let unverified = identity(&session(Some(false)));
        assert_eq!(unverified.email, None);
        let headers = identity_headers(&[HeaderFamily::Oauth2Proxy], &unverified);
        assert!(headers
            .iter()
            .all(|(name, _)| *name != "X-Auth-Request-Email"));
    }
}
