//! The account's MyAccount actions (change the password, add, challenge, verify and
//! remove a phone), each tried once with the session's access token; when Okta answers that
//! the sign-in is too old, the action is kept (see [`super::pending`]) and the user is sent
//! to the step-up sign-in (`/signin?step_up=account`, the gateway's mechanism), after which
//! `/account/resume` carries it out with the new session's token.

use super::pending::{Action, Pending};
use super::service;
use crate::okta::myaccount::PhoneMethod;
use crate::okta::AccountError;
use crate::portal::error::AppError;
use crate::portal::session::{Record, User};
use crate::portal::Portal;

/// What the user asked for, as first tried.
pub enum Try {
    /// Change the password, proving the current one.
    ChangePassword {
        /// The current password (never kept past this request).
        current: String,
        /// The new password.
        new: String,
    },
    /// Any other action.
    Action(Action),
}

// A `Try` holds passwords and codes: its `{:?}` is the variant only.
impl std::fmt::Debug for Try {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Try::ChangePassword { .. } => f.write_str("ChangePassword"),
            Try::Action(a) => a.fmt(f),
        }
    }
}

/// What an action did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Done {
    /// The password is changed.
    PasswordChanged,
    /// The phone is added (not verified yet).
    PhoneAdded,
    /// A code is on its way to the phone.
    CodeSent,
    /// The phone is verified: a sign-in factor now.
    PhoneVerified,
    /// The phone is removed.
    PhoneRemoved,
}

impl Done {
    /// Its name in `/account?done=…`.
    pub fn as_str(self) -> &'static str {
        match self {
            Done::PasswordChanged => "password_changed",
            Done::PhoneAdded => "phone_added",
            Done::CodeSent => "code_sent",
            Done::PhoneVerified => "phone_verified",
            Done::PhoneRemoved => "phone_removed",
        }
    }
}

/// How an action ended.
#[derive(Debug)]
pub enum Outcome {
    /// Done.
    Done(Done),
    /// Kept for after the step-up sign-in: go there.
    StepUp,
    /// Okta refused it (shown on the form).
    Refused(AccountError),
}

async fn call(app: &Portal, token: &str, what: &Try) -> Result<Done, AccountError> {
    let okta = &app.signin.okta;
    match what {
        Try::ChangePassword { current, new } => okta
            .change_password(token, current, new)
            .await
            .map(|_| Done::PasswordChanged),
        Try::Action(action) => match action {
            Action::SetPassword { new_password } => okta
                .reset_password(token, new_password)
                .await
                .map(|_| Done::PasswordChanged),
            Action::AddPhone { number } => okta
                .add_phone(token, number)
                .await
                .map(|_| Done::PhoneAdded),
            Action::ChallengePhone { id, method } => okta
                .challenge_phone(token, id, *method)
                .await
                .map(|_| Done::CodeSent),
            Action::VerifyPhone { id, code } => okta
                .verify_phone(token, id, code)
                .await
                .map(|_| Done::PhoneVerified),
            Action::RemovePhone { id } => okta
                .remove_phone(token, id)
                .await
                .map(|_| Done::PhoneRemoved),
        },
    }
}

/// The action to keep for after a step-up: a password change keeps only the new password.
fn keepable(what: Try) -> Action {
    match what {
        Try::ChangePassword { new, .. } => Action::SetPassword { new_password: new },
        Try::Action(action) => action,
    }
}

/// Tries `what` for the signed-in `user`; a refusal for an old sign-in keeps it (sealed in
/// the session) and answers [`Outcome::StepUp`].
pub async fn attempt(app: &Portal, user: &User<'_>, what: Try) -> Result<Outcome, AppError> {
    let result = call(app, user.session.access_token.expose(), &what).await;
    audit(user, &what, &result);
    match result {
        Ok(done) => {
            service::methods_changed(app, user.id, user.session).await?;
            Ok(Outcome::Done(done))
        }
        Err(AccountError::StepUp(challenge)) => {
            let now = app.sessions.clock().now();
            let mut session = user.session.clone();
            session.last_seen = session.last_seen.max(now);
            session.pending = Some(Pending {
                user_id: session.user_id.clone(),
                action: keepable(what),
                acr_values: challenge.acr_values,
                created_at: now,
            });
            app.sessions
                .update(user.id, &Record::SignedIn(session.into()))
                .await?;
            Ok(Outcome::StepUp)
        }
        Err(e) => refused(e, app.sessions.clock().now()),
    }
}

/// Carries out the action kept for this session's step-up, once (it is dropped whatever
/// happens, so a failure never loops back to another sign-in); `None` when there is none.
pub async fn resume(app: &Portal, user: &User<'_>) -> Result<Option<Outcome>, AppError> {
    let Some(pending) = user.session.pending.clone() else {
        return Ok(None);
    };
    let now = app.sessions.clock().now();
    let mut session = user.session.clone();
    session.pending = None;
    // The action changes the methods the page shows: read them again afterwards.
    session.methods = None;
    session.last_seen = session.last_seen.max(now);
    app.sessions
        .update(user.id, &Record::SignedIn(session.into()))
        .await?;
    if pending.user_id != user.session.user_id || !pending.live(now) {
        return Ok(None);
    }
    let what = Try::Action(pending.action);
    let result = call(app, user.session.access_token.expose(), &what).await;
    audit(user, &what, &result);
    match result {
        Ok(done) => Ok(Some(Outcome::Done(done))),
        Err(e) => refused(e, now).map(Some),
    }
}

/// An error the page shows beside its form, or one for the error page.
fn refused(e: AccountError, now: i64) -> Result<Outcome, AppError> {
    match e {
        AccountError::RateLimited(reset) => Err(AppError::RateLimited {
            retry_after: reset.map_or(30, |r| (r - now).clamp(1, 3600)),
            limiter: "okta",
        }),
        AccountError::HeldBack(_) => Err(AppError::RateLimited {
            retry_after: 1,
            limiter: "okta_ceiling",
        }),
        AccountError::Upstream(u) => Err(AppError::Upstream(u)),
        other => Ok(Outcome::Refused(other)),
    }
}

fn audit(user: &User<'_>, what: &Try, result: &Result<Done, AccountError>) {
    let outcome = match result {
        Ok(done) => done.as_str(),
        Err(e) => e.label(),
    };
    tracing::info!(target: "audit", event = "account", action = ?what, outcome, user = %user.session.user_digest);
}

/// `sms` or `voice` from a form.
pub fn phone_method(value: &str) -> Option<PhoneMethod> {
    match value {
        "sms" => Some(PhoneMethod::Sms),
        "voice" => Some(PhoneMethod::Voice),
        _ => None,
    }
}
