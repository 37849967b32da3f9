//! The pages around sign-in: the anonymous home, the protected account page (claims,
//! `amr`, active sessions, `/userinfo` renewed with the refresh token when the access token
//! has expired), sign-out and sign-out everywhere, and the operational endpoints.

use std::sync::Arc;

use rocket::form::{Form, FromForm};
use rocket::http::{CookieJar, Header, Status};
use rocket::response::{self, Redirect, Responder};
use rocket::{get, post, routes, Request, Route, State};
use serde_json::{json, Value};

use super::error::AppError;
use super::security::{ClientIp, MetricsAllowList, NotCrossSite};
use super::session::{Current, Record, SignedIn, User};
use super::views::{self, format_time, Reply};
use super::Portal;
use crate::okta::{Outcome, UserinfoError};

pub fn routes() -> Vec<Route> {
    routes![
        home,
        brand_css,
        account,
        account_anonymous,
        signout,
        signout_everywhere,
        healthz,
        readyz,
        metrics
    ]
}

type App = State<Arc<Portal>>;

#[get("/")]
fn home(_activity: Option<User<'_>>, current: &Current, app: &App) -> Reply {
    let user = current.signed_in().map(|s| {
        json!({
            "name": s.name.clone().or_else(|| s.preferred_username.clone()).unwrap_or_else(|| "you".into()),
            "email": s.email,
        })
    });
    let csrf = current
        .id
        .as_deref()
        .filter(|_| user.is_some())
        .map(|id| app.sessions.csrf_token(id));
    Reply::Page(
        Status::Ok,
        views::render("home", &app.brand, csrf.as_deref(), json!({"user": user})),
    )
}

/// Renews the access token with the refresh token when it has expired and fetches
/// `/userinfo` once per token; the result is kept in the session so later views cost no
/// Okta call.
async fn userinfo(app: &Portal, id: &str, session: &SignedIn) -> Result<Option<Value>, AppError> {
    let now = app.sessions.clock().now();
    let fresh = session.access_expires_at > now + 30;
    if fresh && session.userinfo.is_some() {
        return Ok(session.userinfo.clone());
    }
    let mut updated = session.clone();
    // `session` is the copy loaded before the guard's idle-timeout touch; this request is
    // activity, so record it rather than write back the stale `last_seen`.
    updated.last_seen = updated.last_seen.max(now);
    if !fresh {
        let Some(refresh) = &session.refresh_token else {
            return Ok(None);
        };
        match app.signin.okta.refresh(refresh.expose()).await {
            Outcome::Tokens(tokens) => {
                updated.access_token = tokens.access_token;
                if tokens.refresh_token.is_some() {
                    updated.refresh_token = tokens.refresh_token;
                }
                updated.access_expires_at = now + tokens.expires_in;
                updated.userinfo = None;
            }
            other => {
                tracing::warn!(outcome = other.label(), "could not renew the access token");
                return Ok(None);
            }
        }
    }
    match app
        .signin
        .okta
        .userinfo(updated.access_token.expose(), &session.user_id)
        .await
    {
        Ok(info) => updated.userinfo = Some(info.into()),
        Err(UserinfoError::Unauthorized) => tracing::warn!("userinfo refused the access token"),
        Err(e) => tracing::warn!(error = %e, "userinfo failed"),
    }
    let info = updated.userinfo.clone();
    // Only over the session as it still is: signed out meanwhile, it stays gone, and
    // tokens renewed for it here are revoked rather than left live and unrecorded.
    let updated = Record::SignedIn(Box::new(updated));
    if !app.sessions.update(id, &updated).await? {
        if let (false, Record::SignedIn(renewed)) = (fresh, &updated) {
            revoke(app, renewed).await;
        }
        return Ok(None);
    }
    Ok(info)
}

#[get("/account")]
async fn account(user: User<'_>, app: &App) -> Result<Reply, AppError> {
    let s = user.session;
    let info = userinfo(app, user.id, s).await?;
    let current_key = app.sessions.key_of(user.id);
    let sessions: Vec<Value> = app
        .sessions
        .of_user(&s.user_id)
        .await?
        .into_iter()
        .map(|(key, other)| {
            json!({
                "current": key == current_key,
                "device": other.device.unwrap_or_else(|| "Unknown browser".into()),
                "ip": other.ip,
                "signed_in_at": format_time(other.created_at),
                "last_seen": format_time(other.last_seen),
                "remember": other.remember,
            })
        })
        .collect();
    let page = json!({
        "name": s.name,
        "email": s.email,
        "preferred_username": s.preferred_username,
        "sub": s.user_id,
        "amr": s.amr,
        "auth_time": format_time(s.auth_time),
        "remember": s.remember,
        "sessions": sessions,
        "userinfo": info.map(|v| {
            v.as_object()
                .map(|o| o.iter().map(|(k, v)| json!({"name": k, "value": match v { Value::String(s) => s.clone(), other => other.to_string() }})).collect::<Vec<_>>())
                .unwrap_or_default()
        }),
    });
    Ok(Reply::Page(
        Status::Ok,
        views::render(
            "account",
            &app.brand,
            Some(&app.sessions.csrf_token(user.id)),
            page,
        ),
    ))
}

#[get("/account", rank = 2)]
fn account_anonymous() -> Redirect {
    Redirect::to("/signin?return_to=%2Faccount")
}

#[derive(FromForm)]
pub struct SignoutForm {
    csrf_token: Option<String>,
}

/// The answer to a sign-out: back to the sign-in page with a notice, the cookie expired,
/// the browser told to drop cached pages and storage.
pub struct SignedOut;

impl<'r> Responder<'r, 'static> for SignedOut {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let mut response = Redirect::to("/signin?notice=signed_out").respond_to(req)?;
        // Not "cookies": that would also drop the device cookie that shields this user
        // from lockout; the session cookie is expired explicitly instead.
        response.set_header(Header::new("Clear-Site-Data", "\"cache\", \"storage\""));
        response.set_header(Header::new("Cache-Control", "no-store"));
        Ok(response)
    }
}

/// Revokes a session's tokens at Okta. Failures are logged: the local session ends anyway.
async fn revoke(app: &Portal, session: &SignedIn) {
    let okta = &app.signin.okta;
    let refresh = async {
        match &session.refresh_token {
            Some(t) => okta.revoke(t.expose(), "refresh_token").await,
            None => Ok(()),
        }
    };
    let access = okta.revoke(session.access_token.expose(), "access_token");
    let (r, a) = tokio::join!(refresh, access);
    for (kind, result) in [("refresh_token", r), ("access_token", a)] {
        if let Err(e) = result {
            tracing::warn!(token = kind, error = %e, "token revocation failed; the local session is ended anyway");
        }
    }
}

#[post("/signout", data = "<form>")]
async fn signout(
    form: Form<SignoutForm>,
    _site: NotCrossSite,
    current: &Current,
    jar: &CookieJar<'_>,
    app: &App,
) -> Result<SignedOut, AppError> {
    if !app
        .sessions
        .csrf_ok(current.id.as_deref(), form.csrf_token.as_deref())
    {
        return Err(AppError::Csrf);
    }
    if let (Some(id), Some(session)) = (&current.id, current.signed_in()) {
        revoke(app, session).await;
        app.sessions.delete(id).await?;
        tracing::info!(target: "audit", event = "signout", user = %session.user_digest);
    } else if let Some(id) = &current.id {
        app.sessions.delete(id).await?;
    }
    super::session::Sessions::expire_cookie(jar);
    Ok(SignedOut)
}

#[post("/signout/everywhere", data = "<form>")]
async fn signout_everywhere(
    form: Form<SignoutForm>,
    _site: NotCrossSite,
    user: User<'_>,
    jar: &CookieJar<'_>,
    app: &App,
) -> Result<SignedOut, AppError> {
    if !app
        .sessions
        .csrf_ok(Some(user.id), form.csrf_token.as_deref())
    {
        return Err(AppError::Csrf);
    }
    let all = app.sessions.of_user(&user.session.user_id).await?;
    for (key, session) in &all {
        revoke(app, session).await;
        app.sessions.store.delete(key).await?;
    }
    app.sessions.delete(user.id).await?;
    tracing::info!(target: "audit", event = "signout_everywhere", sessions = all.len(), user = %user.session.user_digest);
    super::session::Sessions::expire_cookie(jar);
    Ok(SignedOut)
}

/// Brand colours as CSS (the CSP forbids inline styles).
#[get("/brand.css")]
fn brand_css(app: &App) -> (rocket::http::ContentType, String) {
    (
        rocket::http::ContentType::CSS,
        views::brand_css(&app.brand.primary_color),
    )
}

#[get("/healthz")]
fn healthz() -> &'static str {
    "ok"
}

#[get("/readyz")]
async fn readyz(app: &App) -> (Status, rocket::serde::json::Json<Value>) {
    let store = app.sessions.store.ping().await.is_ok();
    let okta = app.signin.okta.is_ready();
    let status = if store && okta {
        Status::Ok
    } else {
        Status::ServiceUnavailable
    };
    (
        status,
        rocket::serde::json::Json(json!({"session_store": store, "okta_discovery": okta})),
    )
}

/// The Prometheus metrics, for clients in `network.metrics_allowed` only (the client IP
/// as [`ClientIp`] sees it). Anyone else gets the same 404 as an unknown path: the route
/// is not advertised.
#[get("/metrics")]
fn metrics(client: ClientIp, app: &App) -> Result<(rocket::http::ContentType, String), Status> {
    if !MetricsAllowList::from_config(&app.config.network.metrics_allowed).allows(client.0) {
        return Err(Status::NotFound);
    }
    Ok((
        rocket::http::ContentType::new("text", "plain").with_params(("version", "0.0.4")),
        app.signin.metrics.render(),
    ))
}
