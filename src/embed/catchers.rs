//! What a host registers (`.register("/", embed::catchers())`) so the guards' refusals
//! are answered for people: a browser that is not signed in (or must step up) is sent to
//! `<base>/signin?return_to=<the page it asked for>`; a signed-in user a [`Policy`] refuses
//! sees the portal's branded "no access" page. A client that is not a browser (no
//! `text/html` in `Accept`, or `X-Requested-With`) gets a bare 401, as the gateway's
//! `/auth` answers API clients.
//!
//! [`Policy`]: super::Policy

use std::sync::Arc;

use rocket::http::Status;
use rocket::response::{self, Redirect, Responder};
use rocket::{catch, Catcher, Request};

use super::guard::StepUp;
use crate::portal::error::ErrorPage;
use crate::portal::gateway::original::Forwarded;
use crate::portal::{gateway, Portal};

/// The 401 and 403 catchers for the host's routes.
pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![not_signed_in, refused]
}

/// Where this request's visitor signs in to come back to it: the portal's sign-in page
/// under its base with `return_to` the request's path and query (and `step_up` when
/// [`Allowed`](super::Allowed) asked for two factors or a fresh sign-in).
pub fn sign_in_url(req: &Request<'_>) -> String {
    let signin = match req.rocket().state::<Arc<Portal>>() {
        Some(portal) => portal.base.url("/signin"),
        None => "/signin".to_string(),
    };
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("return_to", &req.uri().to_string());
    if let StepUp(Some(why)) = *req.local_cache(StepUp::default) {
        query.append_pair("step_up", why);
    }
    format!("{signin}?{}", query.finish())
}

/// The answer to a visitor who must sign in.
enum SignIn {
    Browser(String),
    Api,
}

impl<'r> Responder<'r, 'static> for SignIn {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        match self {
            SignIn::Browser(to) => Redirect::to(to).respond_to(req),
            SignIn::Api => (Status::Unauthorized, "Sign in to see this page.\n").respond_to(req),
        }
    }
}

#[catch(401)]
fn not_signed_in(req: &Request<'_>) -> SignIn {
    let h = |name: &str| req.headers().get_one(name);
    let asked = Forwarded {
        accept: h("Accept"),
        requested_with: h("X-Requested-With"),
        ..Forwarded::default()
    };
    if asked.is_browser(None, &[]) {
        SignIn::Browser(sign_in_url(req))
    } else {
        SignIn::Api
    }
}

#[catch(403)]
fn refused() -> ErrorPage {
    gateway::forbidden()
}
