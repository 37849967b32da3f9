//! The sign-in pages' contexts, one `Serialize` struct per template, each rendered with
//! the step's notice line and the visitor's CSRF token. Copy is passed as message ids
//! (the templates look them up in the visitor's language).

use rocket::http::Status;
use serde::Serialize;

use super::forms::{Invalid, StepUp};
use super::machine::{CodeSource, Flow, Issued, Method, Notice, Step, RECOVERY_METHODS};
use crate::portal::i18n::Msg;
use crate::portal::views::{self, notice_text, Reply};
use crate::portal::Portal;

/// A page's own context plus the notice line every step page shows.
#[derive(Serialize)]
struct StepPage<T> {
    #[serde(flatten)]
    page: T,
    notice: Option<Msg>,
    notice_kind: Option<&'static str>,
}

/// Renders a sign-in step's page with its notice line and the visitor's CSRF token.
fn step_page(
    app: &Portal,
    id: &str,
    status: Status,
    template: &'static str,
    notice: Option<Notice>,
    page: impl Serialize,
) -> Reply {
    let notice = notice.map(notice_text);
    let page = StepPage {
        page,
        notice_kind: notice.as_ref().map(|n| n.1),
        notice: notice.map(|n| n.0),
    };
    let csrf = app.sessions.csrf_token(id);
    Reply::Page(
        status,
        views::render(template, &app.brand, Some(&csrf), page),
    )
}

#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: &'static str,
}

fn choices(methods: impl Iterator<Item = Method>) -> Vec<Choice> {
    methods
        .map(|m| Choice {
            value: m.as_str(),
            label: method_label(m),
        })
        .collect()
}

/// The message id of the label the pages give `m`.
pub fn method_label(m: Method) -> &'static str {
    match m {
        Method::Otp => "method-otp",
        Method::Push => "method-push",
        Method::Sms => "method-sms",
        Method::Voice => "method-voice",
        Method::Email => "method-email",
    }
}

/// What the sign-in form shows.
pub struct SigninView {
    /// Set on a step-up sign-in: the username is fixed, and the form says why.
    pub step_up: Option<StepUp>,
    /// The username to prefill.
    pub username: String,
    /// Where to go after sign-in (a hidden field).
    pub return_to: String,
    /// The message to show above the form, if any.
    pub notice: Option<Notice>,
    /// The field that failed validation and its message, if any.
    pub error: Option<Invalid>,
    /// Whether "Keep me signed in" is ticked.
    pub remember: bool,
}

#[derive(Serialize)]
struct SigninPage {
    username: String,
    return_to: String,
    remember: bool,
    error: Option<&'static str>,
    error_field: Option<&'static str>,
    passwordless: Vec<Choice>,
    step_up: Option<&'static str>,
    username_extra: &'static str,
}

/// The sign-in page for the session `id`, with `status` (200, or 4xx when a form is shown again).
pub fn signin(app: &Portal, id: &str, status: Status, v: SigninView) -> Reply {
    let page = SigninPage {
        username: v.username,
        return_to: v.return_to,
        remember: v.remember,
        error: v.error.map(|e| e.1),
        error_field: v.error.map(|e| e.0),
        passwordless: choices(app.passwordless.iter().copied()),
        step_up: v.step_up.map(StepUp::as_str),
        username_extra: if v.step_up.is_some() {
            r#"autocapitalize="none" spellcheck="false" required readonly"#
        } else {
            r#"autocapitalize="none" spellcheck="false" required"#
        },
    };
    step_page(app, id, status, "signin", v.notice, page)
}

#[derive(Serialize)]
struct FactorPage<'a> {
    username: &'a str,
    factors: Vec<Choice>,
    error: Option<&'a str>,
    recovery: bool,
}

/// The methods the factor choice of `flow` offers (`None`: not at a choice).
pub fn offered(app: &Portal, flow: &Flow) -> Option<Vec<Method>> {
    match &flow.step {
        Step::ChooseFactor { mfa, .. } => Some(
            app.second_factors
                .iter()
                .copied()
                .filter(|m| Some(*m) != mfa.first)
                .collect(),
        ),
        Step::ChooseRecovery { .. } => Some(RECOVERY_METHODS.to_vec()),
        _ => None,
    }
}

/// The factor choice (of a second factor, or of a recovery's factor); `None` when the
/// flow is at another step.
pub fn factor(
    app: &Portal,
    id: &str,
    flow: &Flow,
    status: Status,
    error: Option<&str>,
) -> Option<Reply> {
    let offered = offered(app, flow)?;
    let page = FactorPage {
        username: &flow.username,
        factors: choices(offered.into_iter()),
        error,
        recovery: matches!(flow.step, Step::ChooseRecovery { .. }),
    };
    Some(step_page(app, id, status, "factor", flow.notice, page))
}

#[derive(Serialize)]
struct VerifyPage<'a> {
    username: &'a str,
    method: &'static str,
    title: &'static str,
    hint: &'static str,
    numeric: bool,
    can_resend: bool,
    resend_in: i64,
    can_switch: bool,
    error: Option<&'a str>,
}

/// The message ids of the code entry's heading and hint for `method` (no hint: `""`).
fn code_copy(method: Method) -> (&'static str, &'static str) {
    match method {
        Method::Otp => ("verify-otp-title", "verify-otp-hint"),
        Method::Sms => ("verify-sms-title", "verify-sms-hint"),
        Method::Voice => ("verify-voice-title", "verify-voice-hint"),
        Method::Email => ("verify-email-title", "verify-email-hint"),
        Method::Push => ("verify-push-title", ""),
    }
}

/// The code entry; `None` when the flow is at another step.
pub fn verify(
    app: &Portal,
    id: &str,
    flow: &Flow,
    status: Status,
    error: Option<&str>,
) -> Option<Reply> {
    let Step::EnterCode { source, .. } = &flow.step else {
        return None;
    };
    let method = &source.method();
    let resend_after = match source {
        CodeSource::Sent { resend_after, .. } => Some(*resend_after),
        CodeSource::App => None,
    };
    let now = app.sessions.clock().now();
    let (title, hint) = code_copy(*method);
    let page = VerifyPage {
        username: &flow.username,
        method: method.as_str(),
        title,
        hint,
        numeric: method.code_is_numeric(),
        can_resend: *method != Method::Otp,
        resend_in: resend_after.map_or(0, |r| (r - now).max(0)),
        can_switch: true,
        error,
    };
    Some(step_page(app, id, status, "verify", flow.notice, page))
}

#[derive(Serialize)]
struct WaitPage<'a> {
    username: &'a str,
    binding_code: Option<&'a str>,
}

/// The push wait; `None` when the flow is at another step.
pub fn wait(app: &Portal, id: &str, flow: &Flow) -> Option<Reply> {
    let Step::WaitPush {
        issued,
        decoy_number,
        ..
    } = &flow.step
    else {
        return None;
    };
    let binding_code = match issued {
        Issued::Okta(oob) => oob.binding_code.as_deref(),
        Issued::Decoy => decoy_number.as_deref(),
    };
    let page = WaitPage {
        username: &flow.username,
        binding_code,
    };
    Some(step_page(app, id, Status::Ok, "wait", flow.notice, page))
}
