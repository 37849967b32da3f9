//! The sign-in routes (product.md §3). Handlers are thin: check CSRF, parse the form,
//! drive the state machine once, and map the result to a redirect (post/redirect/get), a
//! re-rendered form with a 4xx, or the error page.

use std::sync::Arc;

use rocket::form::{Form, FromForm};
use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;
use rocket::serde::json::Json;
use rocket::{get, post, routes, Route, State};
use serde_json::{json, Value};

use super::machine::{Event, Failure, Flow, Method, Notice, Rejection, Step};
use super::service::{Attempt, Driven};
use crate::portal::abuse::Action;
use crate::portal::error::AppError;
use crate::portal::security::{safe_return_to, NotCrossSite, RequestContext};
use crate::portal::session::{Current, Sessions};
use crate::portal::views::{self, notice_text, Reply};
use crate::portal::Portal;

pub fn routes() -> Vec<Route> {
    routes![
        signin_page,
        signin_password,
        signin_passwordless,
        factor_page,
        factor_submit,
        verify_page,
        verify_submit,
        wait_page,
        wait_status,
        resend,
        cancel,
        switch_factor,
    ]
}

type App = State<Arc<Portal>>;

fn see(path: impl Into<String>) -> Reply {
    Reply::Redirect(Redirect::to(path.into()))
}

fn failure(app: &Portal, f: Failure) -> AppError {
    match f {
        Failure::RateLimited { reset } => AppError::RateLimited {
            retry_after: reset.map_or(30, |r| (r - app.sessions.clock().now()).clamp(1, 3600)),
            limiter: "okta",
        },
        Failure::HeldBack { until } => AppError::RateLimited {
            retry_after: (until - app.sessions.clock().now()).clamp(1, 3600),
            limiter: "okta_ceiling",
        },
        Failure::Upstream(u) => AppError::Upstream(u),
        Failure::PolicyDenied => AppError::PolicyDenied,
    }
}

/// Renders a sign-in step's page with its notice line and the visitor's CSRF token.
fn step_page(
    app: &Portal,
    id: &str,
    status: Status,
    template: &'static str,
    notice: Option<Notice>,
    mut page: Value,
) -> Reply {
    let notice = notice.map(notice_text);
    if let Some(map) = page.as_object_mut() {
        map.insert("notice".into(), json!(notice.as_ref().map(|n| &n.0)));
        map.insert("notice_kind".into(), json!(notice.as_ref().map(|n| n.1)));
    }
    let csrf = app.sessions.csrf_token(id);
    Reply::Page(
        status,
        views::render(template, &app.brand, Some(&csrf), page),
    )
}

/// Runs one event through the sign-in service for this visitor.
async fn drive(
    app: &Portal,
    id: &str,
    ctx: &RequestContext,
    jar: &CookieJar<'_>,
    event: Event,
) -> Result<Driven, AppError> {
    let attempt = Attempt {
        session_id: id,
        ctx: &ctx.0,
        jar,
    };
    app.signin.drive(attempt, event).await
}

/// Checks the form's CSRF token against the visitor's session id.
fn csrf(app: &Portal, current: &Current, token: Option<&str>) -> Result<String, AppError> {
    if app.sessions.csrf_ok(current.id.as_deref(), token) {
        Ok(current.id.clone().unwrap_or_default())
    } else {
        Err(AppError::Csrf)
    }
}

fn client_ip(ctx: &RequestContext) -> std::net::IpAddr {
    ctx.0
        .client_ip
        .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]))
}

fn current_flow(current: &Current) -> Option<&Flow> {
    current.pending().and_then(|p| p.flow.as_ref())
}

/// Where a visitor with this session belongs in the sign-in process.
fn current_page(current: &Current) -> &'static str {
    current_flow(current).map_or("/signin", |f| super::machine::page_of(&f.step))
}

// ---------------------------------------------------------------- sign-in page

#[derive(FromForm)]
pub struct PasswordForm {
    username: Option<String>,
    password: Option<String>,
    csrf_token: Option<String>,
    return_to: Option<String>,
    remember: Option<String>,
}

#[derive(FromForm)]
pub struct PasswordlessForm {
    username: Option<String>,
    method: Option<String>,
    csrf_token: Option<String>,
    return_to: Option<String>,
    remember: Option<String>,
}

struct SigninView<'a> {
    username: String,
    return_to: String,
    notice: Option<Notice>,
    error: Option<(&'a str, &'a str)>,
    remember: bool,
}

fn render_signin(app: &Portal, id: &str, status: Status, v: SigninView<'_>) -> Reply {
    let page = json!({
        "username": v.username,
        "return_to": v.return_to,
        "remember": v.remember,
        "error": v.error.map(|e| e.1),
        "error_field": v.error.map(|e| e.0),
        "passwordless": app.passwordless.iter().map(|m| json!({"value": m.as_str(), "label": method_label(*m)})).collect::<Vec<_>>(),
    });
    step_page(app, id, status, "signin", v.notice, page)
}

pub fn method_label(m: Method) -> &'static str {
    match m {
        Method::Otp => "Code from an authenticator app",
        Method::Push => "Push notification to Okta Verify",
        Method::Sms => "Code by text message (SMS)",
        Method::Voice => "Code by phone call",
        Method::Email => "Code by email",
    }
}

#[get("/signin?<return_to>&<notice>")]
fn signin_page(
    return_to: Option<&str>,
    notice: Option<&str>,
    current: &Current,
    jar: &CookieJar<'_>,
    app: &App,
) -> Reply {
    let return_to = safe_return_to(return_to, &app.config.signin.default_return_to);
    if current.signed_in().is_some() {
        return see(return_to);
    }
    let id = Sessions::ensure_id(jar, current);
    let pre = current.pending();
    let query_notice = match notice {
        Some("signed_out") => Some(Notice::SignedOut),
        Some("session_ended") => Some(Notice::SessionEnded),
        _ => None,
    };
    let username = pre
        .and_then(|p| {
            p.flow
                .as_ref()
                .map(|f| f.username.clone())
                .or_else(|| p.username.clone())
        })
        .unwrap_or_default();
    render_signin(
        app,
        &id,
        Status::Ok,
        SigninView {
            username,
            return_to,
            notice: pre.and_then(|p| p.notice).or(query_notice),
            error: None,
            remember: false,
        },
    )
}

fn check_username(raw: Option<&str>) -> Result<String, &'static str> {
    let username = raw.unwrap_or_default().trim();
    if username.is_empty() {
        return Err("Enter your username.");
    }
    if username.chars().count() > 256 || username.chars().any(char::is_control) {
        return Err("That username is not valid.");
    }
    Ok(username.to_string())
}

#[post("/signin", data = "<form>")]
async fn signin_password(
    form: Form<PasswordForm>,
    _site: NotCrossSite,
    current: &Current,
    jar: &CookieJar<'_>,
    ctx: RequestContext,
    app: &App,
) -> Result<Reply, AppError> {
    let id = csrf(app, current, form.csrf_token.as_deref())?;
    let return_to = safe_return_to(
        form.return_to.as_deref(),
        &app.config.signin.default_return_to,
    );
    if current.signed_in().is_some() {
        return Ok(see(return_to));
    }
    let remember = form.remember.is_some();
    let typed = form.username.clone().unwrap_or_default();
    let rerender = |status, field, message| {
        render_signin(
            app,
            &id,
            status,
            SigninView {
                username: typed.trim().to_string(),
                return_to: return_to.clone(),
                notice: None,
                error: Some((field, message)),
                remember,
            },
        )
    };
    let username = match check_username(form.username.as_deref()) {
        Ok(u) => u,
        Err(message) => return Ok(rerender(Status::UnprocessableEntity, "username", message)),
    };
    let password = form.password.clone().unwrap_or_default();
    if password.is_empty() || password.len() > 1024 {
        let message = if password.is_empty() {
            "Enter your password."
        } else {
            "That password is too long."
        };
        return Ok(rerender(Status::UnprocessableEntity, "password", message));
    }
    let ip = client_ip(&ctx);
    app.guard.check_ip(ip, Action::SignIn)?;
    let device = app.guard.has_device_cookie(jar, &username);
    // Held until the outcome is recorded below (it counts against the budget meanwhile).
    let admission = app.guard.admit_password(&username, device, ip).await?;
    let started = std::time::Instant::now();
    let name = username.clone();
    let event = Event::SubmitPassword {
        username,
        password,
        return_to: return_to.clone(),
        remember,
    };
    let driven = drive(app, &id, &ctx, jar, event).await?;
    // Record what Okta said, then the attempt stops counting as in flight. An answer
    // that was lost (a timeout, a 5xx, a malformed body) counts as a failure: Okta may
    // have counted it.
    match &driven {
        Driven::Reject(Rejection::InvalidCredentials, _) | Driven::Fail(Failure::Upstream(_)) => {
            app.guard.password_failed(&name, device, ip).await?
        }
        Driven::Show(_) | Driven::SignedIn { .. } => app.guard.password_ok(&name, device).await?,
        _ => {}
    }
    admission.end().await;
    match driven {
        Driven::Reject(Rejection::InvalidCredentials, _) => {
            // Unknown, wrong, locked and suspended take the same time, at least.
            app.guard.failure_floor(started).await;
            Ok(rerender(
                Status::Unauthorized,
                "password",
                "Your username or password is incorrect.",
            ))
        }
        other => finish(app, other, current, jar),
    }
}

#[post("/signin/passwordless", data = "<form>")]
async fn signin_passwordless(
    form: Form<PasswordlessForm>,
    _site: NotCrossSite,
    current: &Current,
    jar: &CookieJar<'_>,
    ctx: RequestContext,
    app: &App,
) -> Result<Reply, AppError> {
    let id = csrf(app, current, form.csrf_token.as_deref())?;
    let return_to = safe_return_to(
        form.return_to.as_deref(),
        &app.config.signin.default_return_to,
    );
    if current.signed_in().is_some() {
        return Ok(see(return_to));
    }
    let remember = form.remember.is_some();
    let rerender = |status, field, message| {
        render_signin(
            app,
            &id,
            status,
            SigninView {
                username: form.username.clone().unwrap_or_default().trim().to_string(),
                return_to: return_to.clone(),
                notice: None,
                error: Some((field, message)),
                remember,
            },
        )
    };
    let username = match check_username(form.username.as_deref()) {
        Ok(u) => u,
        Err(message) => return Ok(rerender(Status::UnprocessableEntity, "username", message)),
    };
    let method = match form.method.as_deref().and_then(Method::parse) {
        Some(m) if app.passwordless.contains(&m) => m,
        _ => {
            return Ok(rerender(
                Status::UnprocessableEntity,
                "method",
                "Choose a way to sign in.",
            ))
        }
    };
    let ip = client_ip(&ctx);
    app.guard.check_ip(ip, Action::SignIn)?;
    let device = app.guard.has_device_cookie(jar, &username);
    app.guard.check_username(&username, device, ip)?;
    let event = Event::StartPasswordless {
        username,
        method,
        return_to: return_to.clone(),
        remember,
    };
    let driven = drive(app, &id, &ctx, jar, event).await?;
    finish(app, driven, current, jar)
}

/// Maps what the service did to the post/redirect/get answer.
fn finish(
    app: &Portal,
    driven: Driven,
    current: &Current,
    jar: &CookieJar<'_>,
) -> Result<Reply, AppError> {
    if let Driven::SignedIn { username, .. } = &driven {
        if !username.is_empty() {
            app.guard.signed_in(jar, username);
        }
    }
    match driven {
        Driven::Show(page) => Ok(see(page)),
        Driven::SignedIn { return_to, .. } if return_to.is_empty() => {
            Ok(see(app.config.signin.default_return_to.clone()))
        }
        Driven::SignedIn { return_to, .. } => Ok(see(return_to)),
        Driven::Restart(_) => Ok(see("/signin")),
        Driven::Reject(_, flow) => Ok(see(
            flow.map_or("/signin", |f| super::machine::page_of(&f.step))
        )),
        Driven::Fail(f) => Err(failure(app, f)),
        Driven::Busy => Ok(see(current_page(current))),
    }
}

// ---------------------------------------------------------------- factor choice

#[derive(FromForm)]
pub struct FactorForm {
    factor: Option<String>,
    csrf_token: Option<String>,
}

fn render_factor(
    app: &Portal,
    id: &str,
    flow: &Flow,
    status: Status,
    error: Option<&str>,
) -> Reply {
    let Step::ChooseFactor { mfa, .. } = &flow.step else {
        return see(super::machine::page_of(&flow.step));
    };
    let factors: Vec<Value> = app
        .second_factors
        .iter()
        .filter(|m| Some(**m) != mfa.first)
        .map(|m| json!({"value": m.as_str(), "label": method_label(*m)}))
        .collect();
    let page = json!({
        "username": flow.username,
        "factors": factors,
        "error": error,
    });
    step_page(app, id, status, "factor", flow.notice, page)
}

#[get("/signin/factor")]
fn factor_page(current: &Current, app: &App) -> Reply {
    match (current.id.as_deref(), current_flow(current)) {
        (Some(id), Some(flow)) => render_factor(app, id, flow, Status::Ok, None),
        _ => see("/signin"),
    }
}

#[post("/signin/factor", data = "<form>")]
async fn factor_submit(
    form: Form<FactorForm>,
    _site: NotCrossSite,
    current: &Current,
    jar: &CookieJar<'_>,
    ctx: RequestContext,
    app: &App,
) -> Result<Reply, AppError> {
    let id = csrf(app, current, form.csrf_token.as_deref())?;
    app.guard.check_ip(client_ip(&ctx), Action::Code)?;
    let method = match form.factor.as_deref().and_then(Method::parse) {
        Some(m) if app.second_factors.contains(&m) => m,
        _ => {
            return Ok(match current_flow(current) {
                Some(flow) => render_factor(
                    app,
                    &id,
                    flow,
                    Status::UnprocessableEntity,
                    Some("Choose one of the options."),
                ),
                None => see("/signin"),
            })
        }
    };
    let driven = drive(app, &id, &ctx, jar, Event::ChooseFactor(method)).await?;
    finish(app, driven, current, jar)
}

// ---------------------------------------------------------------- code entry

#[derive(FromForm)]
pub struct CodeForm {
    code: Option<String>,
    csrf_token: Option<String>,
}

fn render_verify(
    app: &Portal,
    id: &str,
    flow: &Flow,
    status: Status,
    error: Option<&str>,
) -> Reply {
    let Step::EnterCode {
        method,
        resend_after,
        ..
    } = &flow.step
    else {
        return see(super::machine::page_of(&flow.step));
    };
    let now = app.sessions.clock().now();
    let (title, hint) = match method {
        Method::Otp => (
            "Enter the code from your authenticator app",
            "Open your authenticator app and type the 6-digit code it shows.",
        ),
        Method::Sms => (
            "Enter the code we texted you",
            "We sent a code by text message to the phone number on your account.",
        ),
        Method::Voice => (
            "Enter the code from our call",
            "We are calling the phone number on your account to read you a code.",
        ),
        Method::Email => (
            "Enter the code we emailed you",
            "We sent a code to the email address on your account.",
        ),
        Method::Push => ("Enter your code", ""),
    };
    let page = json!({
        "username": flow.username,
        "method": method.as_str(),
        "title": title,
        "hint": hint,
        "numeric": method.code_is_numeric(),
        "can_resend": *method != Method::Otp,
        "resend_in": resend_after.map_or(0, |r| (r - now).max(0)),
        "can_switch": true,
        "error": error,
    });
    step_page(app, id, status, "verify", flow.notice, page)
}

#[get("/signin/verify")]
fn verify_page(current: &Current, app: &App) -> Reply {
    match (current.id.as_deref(), current_flow(current)) {
        (Some(id), Some(flow)) => render_verify(app, id, flow, Status::Ok, None),
        _ => see("/signin"),
    }
}

#[post("/signin/verify", data = "<form>")]
async fn verify_submit(
    form: Form<CodeForm>,
    _site: NotCrossSite,
    current: &Current,
    jar: &CookieJar<'_>,
    ctx: RequestContext,
    app: &App,
) -> Result<Reply, AppError> {
    let id = csrf(app, current, form.csrf_token.as_deref())?;
    app.guard.check_ip(client_ip(&ctx), Action::Code)?;
    let code = form.code.clone().unwrap_or_default();
    let driven = drive(app, &id, &ctx, jar, Event::SubmitCode(code)).await?;
    match driven {
        Driven::Reject(Rejection::InvalidCode, Some(flow)) => Ok(render_verify(
            app,
            &id,
            &flow,
            Status::Unauthorized,
            Some("That code didn't work. Check it and try again."),
        )),
        Driven::Reject(Rejection::BadInput(message), Some(flow)) => Ok(render_verify(
            app,
            &id,
            &flow,
            Status::UnprocessableEntity,
            Some(message),
        )),
        other => finish(app, other, current, jar),
    }
}

// ---------------------------------------------------------------- push wait

/// Polls Okta if it is time (the service enforces `interval`), then shows the wait page.
/// Works without JavaScript: a refresh or the Continue button lands here.
#[get("/signin/wait")]
async fn wait_page(
    current: &Current,
    jar: &CookieJar<'_>,
    ctx: RequestContext,
    app: &App,
) -> Result<Reply, AppError> {
    let Some(id) = current.id.clone() else {
        return Ok(see("/signin"));
    };
    app.guard.check_ip(client_ip(&ctx), Action::Poll)?;
    if current_flow(current).is_none() {
        return Ok(see(if current.signed_in().is_some() {
            "/account"
        } else {
            "/signin"
        }));
    }
    let driven = drive(app, &id, &ctx, jar, Event::Poll).await?;
    let flow = match driven {
        Driven::Show("/signin/wait") | Driven::Busy => match app.sessions.load(&id).await? {
            Some(crate::portal::session::Record::Pending(p)) => p.flow,
            _ => None,
        },
        other => return finish(app, other, current, jar),
    };
    let Some(flow) = flow else {
        return Ok(see("/signin"));
    };
    let Step::WaitPush {
        oob, decoy_number, ..
    } = &flow.step
    else {
        return Ok(see(super::machine::page_of(&flow.step)));
    };
    let page = json!({
        "username": flow.username,
        "binding_code": oob.as_ref().and_then(|o| o.binding_code.clone()).or(decoy_number.clone()),
    });
    Ok(step_page(app, &id, Status::Ok, "wait", flow.notice, page))
}

/// What the wait page's script asks: `{"state": …, "redirect": …}`.
#[get("/signin/wait/status")]
async fn wait_status(
    current: &Current,
    jar: &CookieJar<'_>,
    ctx: RequestContext,
    app: &App,
) -> Result<Json<Value>, AppError> {
    let ended = |state: &str| Json(json!({"state": state, "redirect": "/signin"}));
    let Some(id) = current.id.clone() else {
        return Ok(ended("expired"));
    };
    app.guard.check_ip(client_ip(&ctx), Action::Poll)?;
    if current.signed_in().is_some() {
        return Ok(Json(
            json!({"state": "approved", "redirect": app.config.signin.default_return_to}),
        ));
    }
    if current_flow(current).is_none() {
        return Ok(ended("expired"));
    }
    let driven = drive(app, &id, &ctx, jar, Event::Poll).await?;
    Ok(Json(match driven {
        Driven::Show("/signin/wait") | Driven::Busy => json!({"state": "pending"}),
        Driven::Show(page) => json!({"state": "approved", "redirect": page}),
        Driven::SignedIn {
            return_to,
            username,
        } => {
            if !username.is_empty() {
                app.guard.signed_in(jar, &username);
            }
            let to = if return_to.is_empty() {
                app.config.signin.default_return_to.clone()
            } else {
                return_to
            };
            json!({"state": "approved", "redirect": to})
        }
        Driven::Restart(Notice::Denied) => json!({"state": "denied", "redirect": "/signin"}),
        _ => json!({"state": "expired", "redirect": "/signin"}),
    }))
}

// ---------------------------------------------------------------- resend, cancel, switch

#[derive(FromForm)]
pub struct CsrfForm {
    csrf_token: Option<String>,
}

async fn simple_event(
    form: &CsrfForm,
    current: &Current,
    jar: &CookieJar<'_>,
    ctx: &RequestContext,
    app: &Portal,
    event: Event,
) -> Result<Reply, AppError> {
    let id = csrf(app, current, form.csrf_token.as_deref())?;
    if matches!(event, Event::Resend) {
        app.guard.check_ip(client_ip(ctx), Action::Resend)?;
    }
    let driven = drive(app, &id, ctx, jar, event).await?;
    finish(app, driven, current, jar)
}

#[post("/signin/resend", data = "<form>")]
async fn resend(
    form: Form<CsrfForm>,
    _site: NotCrossSite,
    current: &Current,
    jar: &CookieJar<'_>,
    ctx: RequestContext,
    app: &App,
) -> Result<Reply, AppError> {
    simple_event(&form, current, jar, &ctx, app, Event::Resend).await
}

#[post("/signin/cancel", data = "<form>")]
async fn cancel(
    form: Form<CsrfForm>,
    _site: NotCrossSite,
    current: &Current,
    jar: &CookieJar<'_>,
    ctx: RequestContext,
    app: &App,
) -> Result<Reply, AppError> {
    simple_event(&form, current, jar, &ctx, app, Event::Cancel).await
}

#[post("/signin/switch", data = "<form>")]
async fn switch_factor(
    form: Form<CsrfForm>,
    _site: NotCrossSite,
    current: &Current,
    jar: &CookieJar<'_>,
    ctx: RequestContext,
    app: &App,
) -> Result<Reply, AppError> {
    simple_event(&form, current, jar, &ctx, app, Event::SwitchFactor).await
}
