//! The sign-in state machine: plain data and a transition function that takes an event
//! and `now` and returns the next flow and the effect to perform (call Okta, show the
//! step's page, complete, restart, reject the submitted form, or fail). No Rocket, no
//! HTTP, no clock: the service performs calls and feeds their outcomes back as
//! [`Event::Answer`].
//!
//! Every decision is in two tables: [`next`] matches (step, event), [`answers::answer`]
//! matches (awaited call, Okta's outcome).
//!
//! | step \ event  | ChooseFactor | SubmitCode      | Resend              | Poll           | SwitchFactor            |
//! |---------------|--------------|-----------------|---------------------|----------------|-------------------------|
//! | Starting      | reject       | reject          | reject              | show           | restart (choose another)|
//! | ChooseFactor  | challenge / app code | reject  | reject              | show           | show                    |
//! | EnterCode app | reject       | MfaOtp / PrimaryOtp | reject          | show           | factor choice or restart|
//! | EnterCode sent| reject       | RedeemOob (decoy: wrong) | re-challenge (cooldown, cap) | show | factor choice or restart |
//! | WaitPush      | reject       | reject          | reject              | RedeemOob when due (decoy: rhythm only) | factor choice or restart |
//! | ChooseRecovery| PrimaryAuthenticate (intent=recovery) | reject | reject | show | show      |
//! | NewPassword   | reject       | reject          | reject              | show           | show                    |
//!
//! A recovery (`StartRecovery`) begins at `ChooseRecovery`; its code and push steps are
//! the passwordless ones (the same decoys), "factor choice" being the recovery choice; a
//! proven factor leads to `NewPassword`, whose `SubmitNewPassword` is MyAccount's
//! `ResetPassword` call.//!
//! Whatever the step: a password or passwordless start replaces the flow, Cancel
//! restarts it, and any event but an answer past the step's deadline restarts it
//! (username kept). "Factor choice or restart": a second factor goes back to the choice,
//! a passwordless first factor back to the sign-in page.
//!
//! | awaited \ outcome | Tokens | MfaRequired | Challenge | wrong (code, credentials, policy) | Expired / Denied | RateLimited | Upstream |
//! |-------------------|--------|-------------|-----------|-----------------------------------|------------------|-------------|----------|
//! | FirstFactor       | complete | factor choice | code or push step | password: reject 401 (policy: fail); passwordless: decoy step | fail | fail | fail |
//! | Challenge(m)      | complete | factor choice | code or push step (OtpExpected: app code) | "unavailable", choose again | restart | wait notice | fail |
//! | Code              | complete | factor choice | fail      | count; 5th restarts (second factor policy: fail) | restart expired | fail | fail |
//! | Resend            | complete | factor choice | new code, count reset | decoy: "resent" | restart expired | wait, cooldown | fail |
//! | Poll              | complete | factor choice | fail      | fail                              | restart          | back off    | poll again |
//! | Reset             | —        | —             | —         | policy: reject 422 with the rules | restart expired  | fail        | fail       |
//!
//! A recovery flow's proven factor (`Recovered`, at Code or Poll) leads to `NewPassword`;
//! a recovery flow never completes a sign-in (`Tokens` there is refused), and a reset
//! (`PasswordChanged`) ends it with `Recovered`: back to the sign-in page.//!
//! Invariants:
//! - a password lives only in the event and the call it produces, never in a [`Flow`];
//! - `mfa_token`, `oob_code` and tokens live only in the flow, which stays on the server;
//! - an unknown username in a passwordless start is indistinguishable from a known one up
//!   to the code step (a [`Issued::Decoy`] step with no Okta challenge behind it);
//! - every step has a deadline; past it, any event restarts the flow (username kept);
//! - an answer that does not fit the flow (no call awaited, another step) is
//!   [`Failure::Internal`], never blamed on Okta.

mod answers;
mod effects;
mod recovery;
mod steps;
mod types;

pub use effects::*;
pub use steps::normalize_code;
pub use types::*;

/// The factors a recovery offers (Okta's classic recovery initiators).
pub const RECOVERY_METHODS: [Method; 4] = [Method::Email, Method::Sms, Method::Voice, Method::Push];

/// Seconds before a new SMS, call or email may be requested (Okta allows one per 30 s).
pub const RESEND_COOLDOWN: i64 = 30;
/// Wrong codes accepted in one step before the flow restarts.
pub const MAX_CODE_ATTEMPTS: u32 = 5;
/// New codes one flow may ask for.
pub const MAX_RESENDS: u32 = 5;
/// Deadline of steps whose Okta lifetime is not published (`mfa_token`).
pub const MFA_STEP_TTL: i64 = 300;
/// Push polling interval when Okta does not send one.
pub const DEFAULT_INTERVAL: i64 = 5;

/// The transition function: the (step, event) table.
pub fn next(flow: Option<Flow>, event: Event, now: i64) -> Transition {
    let (mut flow, event) = match (flow, event) {
        // A new start replaces whatever was in progress.
        (
            _,
            event @ (Event::SubmitPassword { .. }
            | Event::StartPasswordless { .. }
            | Event::StartRecovery { .. }),
        ) => return steps::start(event, now),
        (None, _) => return steps::nothing(),
        (Some(flow), Event::Answer(outcome)) => return answers::answer(flow, outcome, now),
        (Some(flow), Event::Cancel) => return steps::restart(flow, Notice::Cancelled),
        (Some(flow), _) if flow.step.deadline().is_some_and(|d| now >= d) => {
            return steps::restart(flow, Notice::Expired)
        }
        (Some(flow), event) => (flow, event),
    };
    // A previous call never came back (the instance died): forget it.
    flow.awaiting = None;
    // A notice stays on its page until the user's next action.
    flow.notice = None;
    use CodeSource::{App, Sent};
    use Step::{ChooseFactor, ChooseRecovery, EnterCode, NewPassword, Starting, WaitPush};
    match (&flow.step, event) {
        (ChooseFactor { .. }, Event::ChooseFactor(method)) => {
            steps::choose_factor(flow, method, now)
        }
        (ChooseRecovery { .. }, Event::ChooseFactor(method)) => {
            recovery::choose_recovery(flow, method)
        }
        (NewPassword { .. }, Event::SubmitNewPassword(password)) => {
            recovery::submit_new_password(flow, password)
        }
        (EnterCode { .. }, Event::SubmitCode(code)) => steps::submit_code(flow, code),
        (
            EnterCode {
                source: Sent { .. },
                ..
            },
            Event::Resend,
        ) => steps::resend(flow, now),
        (WaitPush { .. }, Event::Poll) => steps::poll(flow, now),
        (_, Event::Poll) => steps::show(flow),
        (
            EnterCode {
                factor: Factor::Second(mfa),
                ..
            }
            | WaitPush {
                factor: Factor::Second(mfa),
                ..
            },
            Event::SwitchFactor,
        ) => steps::choose_again(mfa.clone(), flow, now),
        (ChooseFactor { .. } | ChooseRecovery { .. } | NewPassword { .. }, Event::SwitchFactor) => {
            steps::show(flow)
        }
        // A recovery: back to its choice of factor.
        (EnterCode { .. } | WaitPush { .. }, Event::SwitchFactor)
            if flow.intent == Intent::Recovery =>
        {
            recovery::recovery_choice(flow, now)
        }
        // Passwordless: back to the sign-in page to pick another way.
        (EnterCode { .. } | WaitPush { .. } | Starting { .. }, Event::SwitchFactor) => {
            steps::restart(flow, Notice::ChooseAnother)
        }
        (EnterCode { source: App, .. }, Event::Resend)
        | (
            _,
            Event::ChooseFactor(_)
            | Event::SubmitCode(_)
            | Event::Resend
            | Event::SubmitNewPassword(_),
        ) => steps::reject(flow, Rejection::OutOfStep),
        (
            _,
            Event::SubmitPassword { .. }
            | Event::StartPasswordless { .. }
            | Event::StartRecovery { .. },
        )
        | (_, Event::Cancel | Event::Answer(_)) => steps::internal(flow),
    }
}

#[cfg(test)]
mod table_tests;
#[cfg(test)]
mod tests;
