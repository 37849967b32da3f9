//! Forgot password (issue 11, §1): `GET /recover` (who forgot), then the sign-in flow's own
//! factor choice, code and push pages with `intent=recovery`, then `GET /recover/password`
//! (the new password, typed twice) and `PUT /idp/myaccount/password` with the recovery
//! token. The user ends back on the sign-in page with a notice (see the README's form
//! contract for why). An unknown name, or one that cannot recover, gets the same pages,
//! statuses and timing (the passwordless decoys). Handlers are thin: the work is in the
//! state machine and [`super::service`].

use rocket::form::FromForm;
use rocket::http::Status;
use rocket::{get, post, routes, Route};
use serde::Serialize;

use super::answers::see;
use super::forms::{username, Invalid};
use super::machine::{Event, Notice, Page, Rejection, Step};
use super::service::Driven;
use crate::okta::PasswordRules;
use crate::portal::error::AppError;
use crate::portal::guards::{CsrfForm, Visitor, WithCsrf};
use crate::portal::i18n::Msg;
use crate::portal::views::{self, notice_text, Reply};
use crate::portal::Portal;

/// The recovery routes.
pub fn routes() -> Vec<Route> {
    routes![recover_page, recover_start, password_page, password_submit]
}

/// The recovery form (`POST /recover`).
#[derive(FromForm)]
pub struct RecoverForm {
    /// Who forgot their password.
    pub username: Option<String>,
    /// The CSRF token of the visitor's session.
    pub csrf_token: Option<String>,
}

/// The new password, typed twice (`POST /recover/password`).
#[derive(FromForm)]
pub struct NewPasswordForm {
    /// The new password.
    pub new_password: Option<String>,
    /// The same again.
    pub confirm_password: Option<String>,
    /// The CSRF token of the visitor's session.
    pub csrf_token: Option<String>,
}

impl WithCsrf for RecoverForm {
    fn csrf_token(&self) -> Option<&str> {
        self.csrf_token.as_deref()
    }
}

impl WithCsrf for NewPasswordForm {
    fn csrf_token(&self) -> Option<&str> {
        self.csrf_token.as_deref()
    }
}

/// A new password typed twice: present, bounded, the same both times.
pub fn new_password(first: Option<&str>, second: Option<&str>) -> Result<String, Invalid> {
    let first = first.unwrap_or_default();
    if first.is_empty() {
        return Err(("new_password", "invalid-new-password-empty"));
    }
    if first.len() > 1024 {
        return Err(("new_password", "invalid-password-long"));
    }
    if second.unwrap_or_default() != first {
        return Err(("confirm_password", "invalid-passwords-differ"));
    }
    Ok(first.to_string())
}

/// Okta's policy rules, as messages.
pub fn rule_words(rules: &PasswordRules) -> Vec<Msg> {
    rules
        .reasons()
        .into_iter()
        .map(|reason| match reason {
            "LENGTH_MINIMUM" => match rules.min_length {
                Some(n) => Msg::new("rule-min-length").arg("count", i64::from(n)),
                None => Msg::new("rule-longer"),
            },
            "LOWER_CASE_REQUIRED" => Msg::new("rule-lowercase"),
            "UPPER_CASE_REQUIRED" => Msg::new("rule-uppercase"),
            "NUMBER_REQUIRED" => Msg::new("rule-number"),
            "SYMBOL_REQUIRED" => Msg::new("rule-symbol"),
            "USERNAME_INCLUDED" => Msg::new("rule-no-username"),
            "PASSWORD_HISTORY" => match rules.history {
                Some(n) => Msg::new("rule-history").arg("count", i64::from(n)),
                None => Msg::new("rule-history-any"),
            },
            _ => Msg::new("rule-policy"),
        })
        .collect()
}

#[derive(Serialize)]
struct RecoverPage {
    username: String,
    error: Option<&'static str>,
    error_field: Option<&'static str>,
    notice: Option<Msg>,
    notice_kind: Option<&'static str>,
}

fn recover_view(app: &Portal, id: &str, status: Status, page: RecoverPage) -> Reply {
    let csrf = app.sessions.csrf_token(id);
    Reply::Page(
        status,
        views::render("recover", &app.brand, Some(&csrf), page),
    )
}

#[derive(Serialize)]
struct PasswordPage<'a> {
    username: &'a str,
    error: Option<&'static str>,
    error_field: Option<&'static str>,
    rules: Vec<Msg>,
}

/// The new-password page of a flow at that step; `None` otherwise.
fn password_view(
    v: &Visitor<'_>,
    id: &str,
    status: Status,
    error: Option<Invalid>,
    rules: Vec<Msg>,
) -> Option<Reply> {
    let pre = v.current.pre_auth()?;
    let flow = pre.flow.as_ref()?;
    let Step::NewPassword { .. } = &flow.step else {
        return None;
    };
    let page = PasswordPage {
        username: &flow.username,
        error: error.map(|e| e.1),
        error_field: error.map(|e| e.0),
        rules,
    };
    let csrf = v.app.sessions.csrf_token(id);
    Some(Reply::Page(
        status,
        views::render("new_password", &v.app.brand, Some(&csrf), page),
    ))
}

#[get("/recover")]
fn recover_page(v: Visitor<'_>) -> Reply {
    if v.current.signed_in().is_some() {
        return see(v.url("/account"));
    }
    let id = v.app.sessions.ensure_id(v.jar, v.current);
    let pre = v.current.pre_auth();
    let notice = pre
        .and_then(|p| p.notice)
        .filter(|n| *n != Notice::PasswordChanged)
        .map(notice_text);
    let page = RecoverPage {
        username: pre.and_then(|p| p.username.clone()).unwrap_or_default(),
        error: None,
        error_field: None,
        notice_kind: notice.as_ref().map(|n| n.1),
        notice: notice.map(|n| n.0),
    };
    recover_view(v.app, &id, Status::Ok, page)
}

#[post("/recover", data = "<form>")]
async fn recover_start(form: CsrfForm<RecoverForm>, v: Visitor<'_>) -> Result<Reply, AppError> {
    if v.current.signed_in().is_some() {
        return Ok(see(v.url("/account")));
    }
    let name = match username(form.username.as_deref().unwrap_or_default()) {
        Ok(name) => name,
        Err((field, message)) => {
            let page = RecoverPage {
                username: form.username.clone().unwrap_or_default().trim().to_string(),
                error: Some(message),
                error_field: Some(field),
                notice: None,
                notice_kind: None,
            };
            return Ok(recover_view(
                v.app,
                &form.session_id,
                Status::UnprocessableEntity,
                page,
            ));
        }
    };
    let driven = v
        .app
        .signin
        .recover(v.attempt(&form.session_id), name)
        .await?;
    v.finish(driven)
}

#[get("/recover/password")]
fn password_page(v: Visitor<'_>) -> Reply {
    match v.current.id.as_deref() {
        Some(id) => v.shown(password_view(&v, id, Status::Ok, None, vec![]), v.flow()),
        None => v.see_page(Page::Recover),
    }
}

#[post("/recover/password", data = "<form>")]
async fn password_submit(
    form: CsrfForm<NewPasswordForm>,
    v: Visitor<'_>,
) -> Result<Reply, AppError> {
    let id = &form.session_id;
    let password = match new_password(
        form.new_password.as_deref(),
        form.confirm_password.as_deref(),
    ) {
        Ok(p) => p,
        Err(invalid) => {
            let page = password_view(&v, id, Status::UnprocessableEntity, Some(invalid), vec![]);
            return Ok(v.shown(page, v.flow()));
        }
    };
    let driven = v
        .app
        .signin
        .drive(v.attempt(id), Event::SubmitNewPassword(password))
        .await?;
    match driven {
        Driven::Reject(Rejection::WeakPassword(rules), Some(_)) => {
            let invalid = ("new_password", "invalid-password-weak");
            let page = password_view(
                &v,
                id,
                Status::UnprocessableEntity,
                Some(invalid),
                rule_words(&rules),
            );
            Ok(v.shown(page, v.flow()))
        }
        other => v.finish(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_passwords_must_match() {
        assert_eq!(new_password(Some("a"), Some("a")).unwrap(), "a");
        assert_eq!(new_password(None, None).unwrap_err().0, "new_password");
        assert_eq!(
            new_password(Some("a"), Some("b")).unwrap_err().0,
            "confirm_password"
        );
        assert!(new_password(Some(&"x".repeat(1025)), Some(&"x".repeat(1025))).is_err());
    }

    #[test]
    fn rules_are_put_in_words() {
        let rules = PasswordRules::from_causes(&serde_json::json!([
            {"reason": "LENGTH_MINIMUM", "errorSummary": "at least 8 characters"},
            {"reason": "UPPER_CASE_REQUIRED"}
        ]));
        assert_eq!(
            rule_words(&rules),
            vec![
                Msg::new("rule-min-length").arg("count", 8),
                Msg::new("rule-uppercase")
            ]
        );
    }
}
