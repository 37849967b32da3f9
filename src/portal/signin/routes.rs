//! The sign-in routes (product.md §3). Each handler stands behind [`CsrfForm`] (same-site
//! POST, form parsed, CSRF token checked) and [`Visitor`] (portal, session, cookies,
//! request context), validates its form, calls one service function and maps the result
//! (see [`super::answers`]).

use rocket::http::Status;
use rocket::{get, post, routes, Route};

use super::answers::{see, Again};
use super::forms::{CodeForm, EmptyForm, FactorForm, PasswordForm, PasswordlessForm, StepUp};
use super::machine::{Event, Method, Page, Rejection, Step, RECOVERY_METHODS};
use super::service::Driven;
use super::{views, wait};
use crate::portal::abuse::Action;
use crate::portal::error::AppError;
use crate::portal::guards::{CsrfForm, Visitor};
use crate::portal::views::Reply;

/// The sign-in routes (`/signin` and its steps).
pub fn routes() -> Vec<Route> {
    routes![
        signin_page,
        signin_password,
        signin_passwordless,
        factor_page,
        factor_submit,
        verify_page,
        verify_submit,
        wait::wait_page,
        wait::wait_status,
        resend,
        cancel,
        switch_factor,
    ]
}

#[get("/signin?<return_to>&<notice>&<step_up>")]
fn signin_page(
    return_to: Option<&str>,
    notice: Option<&str>,
    step_up: Option<&str>,
    v: Visitor<'_>,
) -> Reply {
    let return_to = v.return_to(return_to);
    let id = v.app.sessions.ensure_id(v.jar, v.current);
    match (v.current.signed_in(), StepUp::parse(step_up)) {
        (Some(_), Some(step_up)) => v.signin_step_up(&id, return_to, step_up),
        (Some(_), None) => see(return_to),
        (None, _) => v.signin_fresh(&id, return_to, notice),
    }
}

/// What a wrong (or unknown, locked, suspended) password is told.
const WRONG_PASSWORD: (&str, &str) = ("password", "invalid-credentials");

#[post("/signin", data = "<form>")]
async fn signin_password(form: CsrfForm<PasswordForm>, v: Visitor<'_>) -> Result<Reply, AppError> {
    let return_to = v.return_to(form.return_to.as_deref());
    let step_up = StepUp::parse(form.step_up.as_deref());
    if let Some(reply) = v.already_signed_in(&return_to, step_up) {
        return Ok(reply);
    }
    let (typed, remember) = (form.typed_username(), form.remember.0);
    let again = Again::new(&form.session_id, typed, &return_to, remember, step_up);
    let input = match form.validate(return_to.clone()) {
        Ok(input) => v.step_up_input(input, step_up).await?,
        Err(invalid) => return Ok(v.signin_again(again, Status::UnprocessableEntity, invalid)),
    };
    match v
        .app
        .signin
        .password(v.attempt(&form.session_id), input)
        .await?
    {
        Driven::Reject(Rejection::InvalidCredentials, _) => {
            Ok(v.signin_again(again, Status::Unauthorized, WRONG_PASSWORD))
        }
        other => v.finish(other),
    }
}

#[post("/signin/passwordless", data = "<form>")]
async fn signin_passwordless(
    form: CsrfForm<PasswordlessForm>,
    v: Visitor<'_>,
) -> Result<Reply, AppError> {
    let return_to = v.return_to(form.return_to.as_deref());
    let step_up = StepUp::parse(form.step_up.as_deref());
    if let Some(reply) = v.already_signed_in(&return_to, step_up) {
        return Ok(reply);
    }
    let (typed, remember) = (form.typed_username(), form.remember.0);
    let again = Again::new(&form.session_id, typed, &return_to, remember, step_up);
    let input = match form.validate(return_to.clone(), &v.app.passwordless) {
        Ok(input) => v.step_up_input(input, step_up).await?,
        Err(invalid) => return Ok(v.signin_again(again, Status::UnprocessableEntity, invalid)),
    };
    v.finish(
        v.app
            .signin
            .passwordless(v.attempt(&form.session_id), input)
            .await?,
    )
}

#[get("/signin/factor")]
fn factor_page(v: Visitor<'_>) -> Reply {
    match (v.current.id.as_deref(), v.flow()) {
        (Some(id), Some(flow)) => {
            v.shown(views::factor(v.app, id, flow, Status::Ok, None), Some(flow))
        }
        _ => v.see_page(Page::Signin),
    }
}

#[post("/signin/factor", data = "<form>")]
async fn factor_submit(form: CsrfForm<FactorForm>, v: Visitor<'_>) -> Result<Reply, AppError> {
    v.check_ip(Action::Code).await?;
    let id = &form.session_id;
    let recovery = v
        .flow()
        .is_some_and(|f| matches!(f.step, Step::ChooseRecovery { .. }));
    let offered: &[Method] = if recovery {
        &RECOVERY_METHODS
    } else {
        &v.app.second_factors
    };
    match form.validate(offered) {
        Ok(method) => v.drive(id, Event::ChooseFactor(method)).await,
        Err((_, message)) => Ok(match v.flow() {
            Some(flow) => {
                let page =
                    views::factor(v.app, id, flow, Status::UnprocessableEntity, Some(message));
                v.shown(page, Some(flow))
            }
            None => v.see_page(Page::Signin),
        }),
    }
}

#[get("/signin/verify")]
fn verify_page(v: Visitor<'_>) -> Reply {
    match (v.current.id.as_deref(), v.flow()) {
        (Some(id), Some(flow)) => {
            v.shown(views::verify(v.app, id, flow, Status::Ok, None), Some(flow))
        }
        _ => v.see_page(Page::Signin),
    }
}

#[post("/signin/verify", data = "<form>")]
async fn verify_submit(form: CsrfForm<CodeForm>, v: Visitor<'_>) -> Result<Reply, AppError> {
    v.check_ip(Action::Code).await?;
    let id = &form.session_id;
    let event = Event::SubmitCode(form.code());
    let (status, message, flow) = match v.app.signin.drive(v.attempt(id), event).await? {
        Driven::Reject(Rejection::InvalidCode, Some(flow)) => {
            (Status::Unauthorized, "invalid-code-wrong", flow)
        }
        Driven::Reject(Rejection::BadInput(message), Some(flow)) => {
            (Status::UnprocessableEntity, message, flow)
        }
        other => return v.finish(other),
    };
    let page = views::verify(v.app, id, &flow, status, Some(message));
    Ok(v.shown(page, Some(&flow)))
}

#[post("/signin/resend", data = "<form>")]
async fn resend(form: CsrfForm<EmptyForm>, v: Visitor<'_>) -> Result<Reply, AppError> {
    v.check_ip(Action::Resend).await?;
    v.drive(&form.session_id, Event::Resend).await
}

#[post("/signin/cancel", data = "<form>")]
async fn cancel(form: CsrfForm<EmptyForm>, v: Visitor<'_>) -> Result<Reply, AppError> {
    v.drive(&form.session_id, Event::Cancel).await
}

#[post("/signin/switch", data = "<form>")]
async fn switch_factor(form: CsrfForm<EmptyForm>, v: Visitor<'_>) -> Result<Reply, AppError> {
    v.drive(&form.session_id, Event::SwitchFactor).await
}
