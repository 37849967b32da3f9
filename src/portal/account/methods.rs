//! `/account`'s sign-in methods and password (issue 11 §2): the forms, thin handlers over
//! [`super::actions`], and the step-up's return (`GET /account/resume`). Every form is a
//! [`CsrfForm`] behind the signed-in [`User`]; a refused form is shown again on the account
//! page with a 4xx and the message beside its field.

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::{get, post, routes, Route};

use super::actions::{self, phone_method, Outcome, Try};
use super::pending::Action;
use super::views::{self, FormError};
use crate::okta::myaccount::valid_id;
use crate::okta::AccountError;
use crate::portal::error::AppError;
use crate::portal::guards::{CsrfForm, Visitor, WithCsrf};
use crate::portal::session::User;
use crate::portal::signin::answers::see;
use crate::portal::signin::recover::{new_password, rule_words};
use crate::portal::views::Reply;

/// The account's self-service routes.
pub fn routes() -> Vec<Route> {
    routes![
        change_password,
        add_phone,
        challenge_phone,
        verify_phone,
        remove_phone,
        resume
    ]
}

/// `POST /account/password`.
#[derive(FromForm)]
pub struct PasswordChange {
    /// The current password.
    pub current_password: Option<String>,
    /// The new password.
    pub new_password: Option<String>,
    /// The new password again.
    pub confirm_password: Option<String>,
    /// The CSRF token.
    pub csrf_token: Option<String>,
}

/// `POST /account/phones/*`: a phone and what to do with it.
#[derive(FromForm)]
pub struct PhoneForm {
    /// A new number (`/account/phones`).
    pub phone_number: Option<String>,
    /// Okta's id of an existing phone.
    pub id: Option<String>,
    /// `sms` or `voice` (`/account/phones/challenge`).
    pub method: Option<String>,
    /// The code received (`/account/phones/verify`).
    pub code: Option<String>,
    /// The CSRF token.
    pub csrf_token: Option<String>,
}

impl WithCsrf for PasswordChange {
    fn csrf_token(&self) -> Option<&str> {
        self.csrf_token.as_deref()
    }
}

impl WithCsrf for PhoneForm {
    fn csrf_token(&self) -> Option<&str> {
        self.csrf_token.as_deref()
    }
}

/// A phone number as typed, read as E.164 (`+`, then 8–15 digits once spaces, `-`, `(`,
/// `)` and `.` are removed).
pub fn phone_number(raw: &str) -> Result<String, FormError> {
    let cleaned: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    let digits = cleaned.strip_prefix('+').unwrap_or_default();
    if digits.len() < 8 || digits.len() > 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(FormError::new(
            "phone",
            "phone_number",
            "account-invalid-phone-number",
        ));
    }
    Ok(cleaned)
}

fn phone_id(form: &PhoneForm) -> Result<String, FormError> {
    form.id
        .as_deref()
        .filter(|id| valid_id(id))
        .map(str::to_string)
        .ok_or_else(|| FormError::new("phone", "id", "account-invalid-phone-choice"))
}

/// The answer to an action: the page it leads to, or the form shown again.
async fn answer(
    v: &Visitor<'_>,
    user: &User<'_>,
    outcome: Outcome,
    form: &'static str,
) -> Result<Reply, AppError> {
    let refused = match outcome {
        Outcome::Done(done) => return Ok(see(v.url(&format!("/account?done={}", done.as_str())))),
        Outcome::StepUp => {
            let back = super::encode(&v.url("/account/resume"));
            return Ok(see(
                v.url(&format!("/signin?return_to={back}&step_up=account"))
            ));
        }
        Outcome::Refused(e) => e,
    };
    let (status, error) = match refused {
        AccountError::WrongPassword => (
            Status::Unauthorized,
            FormError::new(form, "current_password", "account-invalid-current-password"),
        ),
        AccountError::WeakPassword(rules) => (
            Status::UnprocessableEntity,
            FormError::new(form, "new_password", "invalid-password-weak")
                .with_rules(rule_words(&rules)),
        ),
        AccountError::InvalidCode => (
            Status::Unauthorized,
            FormError::new(form, "code", "account-invalid-code"),
        ),
        AccountError::Invalid => (
            Status::UnprocessableEntity,
            FormError::new(form, "phone_number", "account-invalid-phone-refused"),
        ),
        AccountError::Conflict => (
            Status::Conflict,
            FormError::new(form, "code", "account-invalid-phone-state"),
        ),
        AccountError::NotFound => (
            Status::NotFound,
            FormError::new(form, "id", "account-invalid-phone-gone"),
        ),
        _ => (
            Status::Forbidden,
            FormError::new(form, "", "account-invalid-reauth"),
        ),
    };
    views::account_with(v, user, status, None, Some(error)).await
}

async fn refuse(v: &Visitor<'_>, user: &User<'_>, error: FormError) -> Result<Reply, AppError> {
    views::account_with(v, user, Status::UnprocessableEntity, None, Some(error)).await
}

#[post("/account/password", data = "<form>")]
async fn change_password(
    form: CsrfForm<PasswordChange>,
    user: User<'_>,
    v: Visitor<'_>,
) -> Result<Reply, AppError> {
    let current = form.current_password.clone().unwrap_or_default();
    if current.is_empty() || current.len() > 1024 {
        let e = FormError::new(
            "password",
            "current_password",
            "account-invalid-current-password-empty",
        );
        return refuse(&v, &user, e).await;
    }
    let new = match new_password(
        form.new_password.as_deref(),
        form.confirm_password.as_deref(),
    ) {
        Ok(new) => new,
        Err((field, message)) => {
            return refuse(&v, &user, FormError::new("password", field, message)).await
        }
    };
    let outcome = actions::attempt(v.app, &user, Try::ChangePassword { current, new }).await?;
    answer(&v, &user, outcome, "password").await
}

#[post("/account/phones", data = "<form>")]
async fn add_phone(
    form: CsrfForm<PhoneForm>,
    user: User<'_>,
    v: Visitor<'_>,
) -> Result<Reply, AppError> {
    let number = match phone_number(form.phone_number.as_deref().unwrap_or_default()) {
        Ok(n) => n,
        Err(e) => return refuse(&v, &user, e).await,
    };
    let outcome = actions::attempt(v.app, &user, Try::Action(Action::AddPhone { number })).await?;
    answer(&v, &user, outcome, "phone").await
}

#[post("/account/phones/challenge", data = "<form>")]
async fn challenge_phone(
    form: CsrfForm<PhoneForm>,
    user: User<'_>,
    v: Visitor<'_>,
) -> Result<Reply, AppError> {
    let id = match phone_id(&form) {
        Ok(id) => id,
        Err(e) => return refuse(&v, &user, e).await,
    };
    let Some(method) = form.method.as_deref().and_then(phone_method) else {
        let e = FormError::new("phone", "method", "account-invalid-phone-method");
        return refuse(&v, &user, e).await;
    };
    let action = Action::ChallengePhone { id, method };
    let outcome = actions::attempt(v.app, &user, Try::Action(action)).await?;
    answer(&v, &user, outcome, "phone").await
}

#[post("/account/phones/verify", data = "<form>")]
async fn verify_phone(
    form: CsrfForm<PhoneForm>,
    user: User<'_>,
    v: Visitor<'_>,
) -> Result<Reply, AppError> {
    let id = match phone_id(&form) {
        Ok(id) => id,
        Err(e) => return refuse(&v, &user, e).await,
    };
    let code: String = form
        .code
        .as_deref()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if code.is_empty() || code.len() > 12 || !code.chars().all(|c| c.is_ascii_digit()) {
        let e = FormError::new("phone", "code", "account-invalid-code-digits");
        return refuse(&v, &user, e).await;
    }
    let outcome =
        actions::attempt(v.app, &user, Try::Action(Action::VerifyPhone { id, code })).await?;
    answer(&v, &user, outcome, "phone").await
}

#[post("/account/phones/remove", data = "<form>")]
async fn remove_phone(
    form: CsrfForm<PhoneForm>,
    user: User<'_>,
    v: Visitor<'_>,
) -> Result<Reply, AppError> {
    let id = match phone_id(&form) {
        Ok(id) => id,
        Err(e) => return refuse(&v, &user, e).await,
    };
    let outcome = actions::attempt(v.app, &user, Try::Action(Action::RemovePhone { id })).await?;
    answer(&v, &user, outcome, "phone").await
}

/// After the step-up sign-in: the kept action, carried out once, then the account page.
#[get("/account/resume")]
async fn resume(user: User<'_>, v: Visitor<'_>) -> Result<Reply, AppError> {
    let form = match &user.session.pending {
        Some(p) if matches!(p.action, Action::SetPassword { .. }) => "password",
        _ => "phone",
    };
    match actions::resume(v.app, &user).await? {
        Some(Outcome::StepUp) | None => Ok(see(v.url("/account"))),
        Some(outcome) => answer(&v, &user, outcome, form).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_read_as_e164() {
        assert_eq!(phone_number(" +1 (555) 010-0199 ").unwrap(), "+15550100199");
        assert!(phone_number("5550100199").is_err());
        assert!(phone_number("+1 555").is_err());
        assert!(phone_number("+1 555 0100 abc").is_err());
    }
}
