//! The guards every form handler stands behind, so handlers only parse, call one service
//! function and map its result:
//!
//! - [`CsrfForm<T>`]: a data guard that refuses a cross-site POST (`Sec-Fetch-Site`),
//!   parses the form and checks its `csrf_token` against the visitor's session id; a
//!   failed check renders the "page has expired" answer ([`AppError::Csrf`]) through the
//!   403 catcher;
//! - [`Visitor`]: one request guard for what every sign-in and account handler takes (the
//!   portal, the visitor's session, the cookie jar, the request's context for Okta).

use std::net::IpAddr;
use std::ops::Deref;
use std::sync::Arc;

use rocket::data::{self, Data, FromData};
use rocket::form::{Form, FromForm};
use rocket::http::{CookieJar, Status};
use rocket::outcome::Outcome;
use rocket::request::{self, FromRequest, Request};

use super::abuse::Action;
use super::error::AppError;
use super::security::{NotCrossSite, RequestContext};
use super::session::{Current, Sessions};
use super::Portal;

/// A form that carries the CSRF token of the visitor's session.
pub trait WithCsrf {
    /// The CSRF token the form carried, if any.
    fn csrf_token(&self) -> Option<&str>;
}

/// A form `T` from a same-site POST whose CSRF token matched; derefs to `T`.
pub struct CsrfForm<T> {
    /// The visitor's session id (the CSRF token is derived from it).
    pub session_id: String,
    form: T,
}

impl<T> Deref for CsrfForm<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.form
    }
}

impl<T> CsrfForm<T> {
    /// The form itself.
    pub fn into_inner(self) -> T {
        self.form
    }
}

/// Set in the request's local cache when [`CsrfForm`] refused the token, so the 403
/// catcher answers with [`AppError::Csrf`] rather than the generic refusal.
pub struct CsrfRejected(pub bool);

/// Whether this request's 403 comes from a failed CSRF check.
pub fn csrf_rejected(req: &Request<'_>) -> bool {
    req.local_cache(|| CsrfRejected(false)).0
}

#[rocket::async_trait]
impl<'r, T> FromData<'r> for CsrfForm<T>
where
    T: FromForm<'r> + WithCsrf + Send + 'r,
{
    type Error = &'static str;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        if let Outcome::Error((status, why)) = req.guard::<NotCrossSite>().await {
            return Outcome::Error((status, why));
        }
        let form = match Form::<T>::from_data(req, data).await {
            Outcome::Success(form) => form.into_inner(),
            Outcome::Error((status, _)) => return Outcome::Error((status, "malformed form")),
            Outcome::Forward(f) => return Outcome::Forward(f),
        };
        let current = match req.guard::<&Current>().await {
            Outcome::Success(current) => current,
            _ => return Outcome::Error((Status::ServiceUnavailable, "session store")),
        };
        let Some(sessions) = req.rocket().state::<Arc<Sessions>>() else {
            return Outcome::Error((Status::InternalServerError, "sessions are not configured"));
        };
        if sessions.csrf_ok(current.id.as_deref(), form.csrf_token()) {
            Outcome::Success(CsrfForm {
                session_id: current.id.clone().unwrap_or_default(),
                form,
            })
        } else {
            req.local_cache(|| CsrfRejected(true));
            Outcome::Error((Status::Forbidden, "CSRF token"))
        }
    }
}

/// What every sign-in and account handler takes, as one guard.
pub struct Visitor<'r> {
    /// The portal's shared state.
    pub app: &'r Portal,
    /// The visitor's session, as loaded for this request.
    pub current: &'r Current,
    /// The request's cookies.
    pub jar: &'r CookieJar<'r>,
    /// The end user's context (IP, user agent, language) to forward to Okta.
    pub ctx: RequestContext,
    /// The `Host` the request was sent to (through a proxy: the app's host).
    pub host: Option<&'r str>,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Visitor<'r> {
    type Error = &'static str;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        let Some(app) = req.rocket().state::<Arc<Portal>>() else {
            return Outcome::Error((Status::InternalServerError, "portal is not configured"));
        };
        let current = match req.guard::<&Current>().await {
            Outcome::Success(current) => current,
            _ => return Outcome::Error((Status::ServiceUnavailable, "session store")),
        };
        let ctx = match req.guard::<RequestContext>().await {
            Outcome::Success(ctx) => ctx,
            _ => return Outcome::Error((Status::InternalServerError, "request context")),
        };
        Outcome::Success(Visitor {
            app,
            current,
            jar: req.cookies(),
            ctx,
            host: req.headers().get_one("Host"),
        })
    }
}

impl Visitor<'_> {
    /// The client's address (loopback when Rocket could not tell, as in local tests).
    pub fn ip(&self) -> IpAddr {
        self.ctx.0.client_ip.unwrap_or(IpAddr::from([127, 0, 0, 1]))
    }

    /// The per-IP limit of `action`.
    pub async fn check_ip(&self, action: Action) -> Result<(), AppError> {
        self.app.protection.check_ip(self.ip(), action).await
    }
}
