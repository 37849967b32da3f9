//! The two ways into a flow. A password attempt passes the per-IP limit, then the
//! username's failure budgets (with or without this browser's device cookie), is held in
//! flight until Okta's answer is recorded (a lost answer counts as a failure: Okta may
//! have counted it), and a wrong password never answers faster than the failure floor. A
//! passwordless start, and a password recovery's, pass the per-IP and per-username limits.

use super::{Attempt, Driven, SigninService};
use crate::portal::abuse::Action;
use crate::portal::error::AppError;
use crate::portal::signin::machine::{Event, Failure, Method, Rejection};

/// A validated password form.
pub struct PasswordInput {
    /// The username, trimmed.
    pub username: String,
    /// The password, as typed.
    pub password: String,
    /// Where to go after sign-in (already checked as safe).
    pub return_to: String,
    /// Whether "Keep me signed in" was ticked.
    pub remember: bool,
    /// Sent to Okta on every call of the flow (a step-up asks for two factors).
    pub acr_values: Option<String>,
}

/// A validated passwordless form.
pub struct PasswordlessInput {
    /// The username, trimmed.
    pub username: String,
    /// The chosen first factor.
    pub method: Method,
    /// Where to go after sign-in (already checked as safe).
    pub return_to: String,
    /// Whether "Keep me signed in" was ticked.
    pub remember: bool,
    /// Sent to Okta on every call of the flow (a step-up asks for two factors).
    pub acr_values: Option<String>,
}

/// A start that a step-up sign-in adjusts: the signed-in user's username, and what Okta
/// is asked for.
pub trait StepUpStart {
    /// Sets the username (when a signed-in user steps up) and the `acr_values`.
    fn step_up(&mut self, username: Option<String>, acr_values: Option<String>);
}

macro_rules! step_up_start {
    ($($input:ty),*) => {$(
        impl StepUpStart for $input {
            fn step_up(&mut self, username: Option<String>, acr_values: Option<String>) {
                if let Some(username) = username {
                    self.username = username;
                }
                self.acr_values = acr_values;
            }
        }
    )*};
}
step_up_start!(PasswordInput, PasswordlessInput);

impl SigninService {
    /// A password attempt, shielded (see the module's documentation).
    pub async fn password(
        &self,
        attempt: Attempt<'_>,
        input: PasswordInput,
    ) -> Result<Driven, AppError> {
        let ip = super::shield::client_ip(attempt.ctx);
        self.protection.check_ip(ip, Action::SignIn).await?;
        let name = input.username.clone();
        let device = attempt.has_device_cookie(&self.protection, &name);
        // Held until the outcome is recorded below (it counts against the budget meanwhile).
        let admission = self.protection.admit_password(&name, device, ip).await?;
        let started = std::time::Instant::now();
        let event = Event::SubmitPassword {
            username: input.username,
            password: input.password,
            return_to: input.return_to,
            remember: input.remember,
            acr_values: input.acr_values,
        };
        let driven = self.drive(attempt, event).await?;
        match &driven {
            Driven::Reject(Rejection::InvalidCredentials, _)
            | Driven::Fail(Failure::Upstream(_)) => {
                self.protection.password_failed(&name, device, ip).await?
            }
            Driven::Show(_) | Driven::SignedIn { .. } => {
                self.protection.password_ok(&name, device).await?
            }
            _ => {}
        }
        admission.end().await;
        if matches!(driven, Driven::Reject(Rejection::InvalidCredentials, _)) {
            // Unknown, wrong, locked and suspended take the same time, at least.
            self.protection.failure_floor(started).await;
        }
        Ok(driven)
    }

    /// A password recovery's start, limited as a passwordless start is (per IP, per
    /// username); its factor's challenge then passes the delivery caps, its codes the
    /// username's code budget.
    pub async fn recover(
        &self,
        attempt: Attempt<'_>,
        username: String,
    ) -> Result<Driven, AppError> {
        let ip = super::shield::client_ip(attempt.ctx);
        self.protection.check_ip(ip, Action::SignIn).await?;
        let device = attempt.has_device_cookie(&self.protection, &username);
        self.protection
            .check_username(&username, device, ip)
            .await?;
        self.drive(attempt, Event::StartRecovery { username }).await
    }

    /// A passwordless start, limited per IP and per username.
    pub async fn passwordless(
        &self,
        attempt: Attempt<'_>,
        input: PasswordlessInput,
    ) -> Result<Driven, AppError> {
        let ip = super::shield::client_ip(attempt.ctx);
        self.protection.check_ip(ip, Action::SignIn).await?;
        let device = attempt.has_device_cookie(&self.protection, &input.username);
        self.protection
            .check_username(&input.username, device, ip)
            .await?;
        let event = Event::StartPasswordless {
            username: input.username,
            method: input.method,
            return_to: input.return_to,
            remember: input.remember,
            acr_values: input.acr_values,
        };
        self.drive(attempt, event).await
    }
}
