//! The pages around sign-in: the anonymous home, the protected account page (claims,
//! `amr`, active sessions, `/userinfo`, sign-in methods and password from MyAccount),
//! sign-out and sign-out everywhere; [`methods`] and [`actions`]: the self-service
//! forms and their MyAccount calls, with the step-up that [`pending`] carries across. Handlers are
//! thin; the work is in [`service`], the page contexts in [`views`].

pub mod actions;
pub mod methods;
pub mod pending;
pub mod service;
pub mod views;

use std::sync::Arc;

use rocket::http::Header;
use rocket::response::{self, Redirect, Responder};
use rocket::{get, post, routes, Request, Route, State};

use super::error::AppError;
use super::guards::{CsrfForm, Visitor};
use super::session::User;
use super::signin::forms::{EmptyForm, SignoutForm};
use super::views::Reply;
use super::Portal;

/// `value` percent-encoded for a query (`/account` → `%2Faccount`).
pub(crate) fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The home, account and sign-out routes.
pub fn routes() -> Vec<Route> {
    let mut all = routes![
        home,
        account,
        account_anonymous,
        signout,
        signout_everywhere
    ];
    all.extend(methods::routes());
    all
}

#[get("/")]
fn home(_activity: Option<User<'_>>, v: Visitor<'_>) -> Reply {
    views::home(v.app, v.current)
}

#[get("/account?<done>")]
async fn account(done: Option<&str>, user: User<'_>, v: Visitor<'_>) -> Result<Reply, AppError> {
    views::account_with(&v, &user, rocket::http::Status::Ok, done, None).await
}

#[get("/account", rank = 2)]
fn account_anonymous(app: &State<Arc<Portal>>) -> Redirect {
    let account = app.base.url("/account");
    Redirect::to(
        app.base
            .url(&format!("/signin?return_to={}", encode(&account))),
    )
}

/// The answer to a sign-out: to where it was sent (an allowed `return_to`), the cookie
/// expired, the browser told to drop cached pages and storage.
pub struct SignedOut(String);

impl SignedOut {
    /// To `return_to`, else the sign-in page with its "signed out" notice.
    fn to(v: &Visitor<'_>, return_to: Option<String>) -> SignedOut {
        SignedOut(return_to.unwrap_or_else(|| v.url("/signin?notice=signed_out")))
    }
}

impl<'r> Responder<'r, 'static> for SignedOut {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let mut response = Redirect::to(self.0).respond_to(req)?;
        // Not "cookies": that would also drop the device cookie that shields this user
        // from lockout; the session cookie is expired explicitly instead.
        response.set_header(Header::new("Clear-Site-Data", "\"cache\", \"storage\""));
        response.set_header(Header::new("Cache-Control", "no-store"));
        Ok(response)
    }
}

#[post("/signout", data = "<form>")]
async fn signout(form: CsrfForm<SignoutForm>, v: Visitor<'_>) -> Result<SignedOut, AppError> {
    service::sign_out(v.app, v.current).await?;
    v.app.sessions.expire_cookie(v.jar);
    let return_to = v.return_to_after_sign_out(form.return_to.as_deref());
    Ok(SignedOut::to(&v, return_to))
}

#[post("/signout/everywhere", data = "<_form>")]
async fn signout_everywhere(
    _form: CsrfForm<EmptyForm>,
    user: User<'_>,
    v: Visitor<'_>,
) -> Result<SignedOut, AppError> {
    service::sign_out_everywhere(v.app, &user).await?;
    v.app.sessions.expire_cookie(v.jar);
    Ok(SignedOut::to(&v, None))
}
