//! The recovery's own steps (the rest of a recovery is the passwordless flow): its start,
//! the choice of factor, and the new password.

use super::effects::*;
use super::steps::{call, internal, reject, show};
use super::types::*;
use super::{MFA_STEP_TTL, RECOVERY_METHODS};

/// A recovery begins with the choice of the factor that proves who the user is.
pub(super) fn start(username: String, now: i64) -> Transition {
    let flow = Flow {
        username,
        return_to: String::new(),
        remember: false,
        step: Step::ChooseRecovery {
            deadline: now + MFA_STEP_TTL,
        },
        awaiting: None,
        notice: None,
        acr_values: None,
        intent: Intent::Recovery,
    };
    show(flow)
}

/// Back to a recovery's choice of factor.
pub(super) fn recovery_choice(mut flow: Flow, now: i64) -> Transition {
    flow.step = Step::ChooseRecovery {
        deadline: now + MFA_STEP_TTL,
    };
    show(flow)
}

/// A recovery factor: its challenge, started as a passwordless one (with the intent).
pub(super) fn choose_recovery(mut flow: Flow, method: Method) -> Transition {
    let Some(channel) = method
        .channel()
        .filter(|_| RECOVERY_METHODS.contains(&method))
    else {
        return reject(flow, Rejection::OutOfStep);
    };
    flow.step = Step::Starting {
        start: Start::Passwordless(method),
    };
    let username = flow.username.clone();
    call(
        flow,
        Awaiting::FirstFactor,
        Call::PrimaryAuthenticate { username, channel },
    )
}

/// The new password of a recovery, for MyAccount with the recovery token.
pub(super) fn submit_new_password(flow: Flow, password: String) -> Transition {
    let Step::NewPassword { token, .. } = &flow.step else {
        return internal(flow);
    };
    let token = token.access_token.clone();
    call(
        flow,
        Awaiting::Reset,
        Call::ResetPassword { token, password },
    )
}
