//! What each user event does at the step [`super::next`] matched it to, and the
//! constructors of the steps.

use super::effects::*;
use super::types::*;
use super::{DEFAULT_INTERVAL, MAX_CODE_ATTEMPTS, MAX_RESENDS, MFA_STEP_TTL, RESEND_COOLDOWN};
use crate::okta::{BindingMethod, Challenge};

pub(super) fn keep(flow: Flow, effect: Effect) -> Transition {
    Transition {
        flow: Some(flow),
        effect,
    }
}

pub(super) fn show(flow: Flow) -> Transition {
    keep(flow, Effect::Show)
}

pub(super) fn reject(flow: Flow, rejection: Rejection) -> Transition {
    keep(flow, Effect::Reject(rejection))
}

/// No flow, and the event needs one.
pub(super) fn nothing() -> Transition {
    Transition {
        flow: None,
        effect: Effect::Reject(Rejection::OutOfStep),
    }
}

/// The flow and what happened to it do not fit together.
pub(super) fn internal(flow: Flow) -> Transition {
    fail(flow, Failure::Internal)
}

/// An error page; the flow stays where it was, except a half-started one.
pub(super) fn fail(flow: Flow, failure: Failure) -> Transition {
    let flow = (!matches!(flow.step, Step::Starting { .. })).then_some(flow);
    Transition {
        flow,
        effect: Effect::Fail(failure),
    }
}

/// The flow ends; the sign-in page keeps the username and shows `notice`.
pub(super) fn restart(flow: Flow, notice: Notice) -> Transition {
    Transition {
        flow: None,
        effect: Effect::Restart {
            username: flow.username,
            notice,
        },
    }
}

pub(super) fn call(mut flow: Flow, awaiting: Awaiting, call: Call) -> Transition {
    flow.awaiting = Some(awaiting);
    keep(flow, Effect::Call(call))
}

/// Typing a code from an authenticator app (no Okta call needed to get there).
pub(super) fn app_code_step(factor: Factor, now: i64) -> Step {
    Step::EnterCode {
        factor,
        source: CodeSource::App,
        attempts: 0,
        deadline: now + MFA_STEP_TTL,
    }
}

/// The step after a challenge Okta started (`Some`), or its decoy (`None`).
pub(super) fn challenge_step(
    method: Method,
    factor: Factor,
    challenge: Option<Challenge>,
    now: i64,
) -> Step {
    let deadline = now + challenge.as_ref().map_or(300, |c| c.expires_in);
    let push = challenge.as_ref().map_or(method == Method::Push, |c| {
        c.binding_method != BindingMethod::Prompt
    });
    let interval = challenge
        .as_ref()
        .and_then(|c| c.interval)
        .unwrap_or(DEFAULT_INTERVAL);
    let issued = match challenge {
        Some(c) => Issued::Okta(Oob {
            oob_code: c.oob_code,
            binding_code: c.binding_code,
        }),
        None => Issued::Decoy,
    };
    if push {
        Step::WaitPush {
            factor,
            issued,
            decoy_number: None,
            next_poll_at: due_after(now, interval),
            interval,
            deadline,
        }
    } else {
        Step::EnterCode {
            factor,
            source: CodeSource::Sent {
                method,
                issued,
                resend_after: now + RESEND_COOLDOWN,
                resends: 0,
            },
            attempts: 0,
            deadline,
        }
    }
}

/// A password or passwordless start: the first factor's call (an app code needs none).
pub(super) fn start(event: Event, now: i64) -> Transition {
    let (username, return_to, remember, start, password, acr_values) = match event {
        Event::StartRecovery { username } => return super::recovery::start(username, now),
        Event::SubmitPassword {
            username,
            password,
            return_to,
            remember,
            acr_values,
        } => (
            username,
            return_to,
            remember,
            Start::Password,
            password,
            acr_values,
        ),
        Event::StartPasswordless {
            username,
            method,
            return_to,
            remember,
            acr_values,
        } => (
            username,
            return_to,
            remember,
            Start::Passwordless(method),
            String::new(),
            acr_values,
        ),
        _ => return nothing(),
    };
    let mut flow = Flow {
        username: username.clone(),
        return_to,
        remember,
        step: Step::Starting { start },
        awaiting: None,
        notice: None,
        acr_values,
        intent: Intent::SignIn,
    };
    match start {
        Start::Password => call(
            flow,
            Awaiting::FirstFactor,
            Call::Password { username, password },
        ),
        Start::Passwordless(Method::Otp) => {
            flow.step = app_code_step(Factor::First, now);
            show(flow)
        }
        Start::Passwordless(m) => match m.channel() {
            Some(channel) => call(
                flow,
                Awaiting::FirstFactor,
                Call::PrimaryAuthenticate { username, channel },
            ),
            None => internal(flow),
        },
    }
}

/// The factor the user picked: an app code at once, anything else through a challenge.
pub(super) fn choose_factor(mut flow: Flow, method: Method, now: i64) -> Transition {
    let Step::ChooseFactor { mfa, .. } = &flow.step else {
        return internal(flow);
    };
    if mfa.first == Some(method) {
        flow.notice = Some(Notice::ChooseAnother);
        return show(flow);
    }
    let mfa = mfa.clone();
    match method.channel() {
        None => {
            flow.step = app_code_step(Factor::Second(mfa), now);
            show(flow)
        }
        Some(channel) => call(
            flow,
            Awaiting::Challenge(method),
            Call::Challenge {
                mfa_token: mfa.mfa_token,
                channel: Some(channel),
            },
        ),
    }
}

/// One more wrong code at a code step; the last allowed one ends the flow.
pub(super) fn wrong_code(mut flow: Flow) -> Transition {
    let Step::EnterCode { attempts, .. } = &mut flow.step else {
        return internal(flow);
    };
    *attempts += 1;
    if *attempts >= MAX_CODE_ATTEMPTS {
        return restart(flow, Notice::TooManyAttempts);
    }
    reject(flow, Rejection::InvalidCode)
}

/// A typed code: checked for shape, then sent to Okta (a decoy's is always wrong).
pub(super) fn submit_code(flow: Flow, code: String) -> Transition {
    let Step::EnterCode { factor, source, .. } = &flow.step else {
        return internal(flow);
    };
    let code = match normalize_code(source.method(), &code) {
        Ok(c) => c,
        Err(r) => return reject(flow, r),
    };
    let the_call = match (factor, source) {
        (
            _,
            CodeSource::Sent {
                issued: Issued::Decoy,
                ..
            },
        ) => return wrong_code(flow),
        (Factor::Second(mfa), CodeSource::App) => Call::MfaOtp {
            mfa_token: mfa.mfa_token.clone(),
            otp: code,
        },
        (Factor::First, CodeSource::App) => Call::PrimaryOtp {
            username: flow.username.clone(),
            otp: code,
        },
        (
            factor,
            CodeSource::Sent {
                issued: Issued::Okta(oob),
                ..
            },
        ) => Call::RedeemOob {
            mfa_token: factor.mfa_token(),
            oob_code: oob.oob_code.clone(),
            binding_code: Some(code),
        },
    };
    call(flow, Awaiting::Code, the_call)
}

/// A new code by the same channel, after the cooldown and within the cap. A decoy asks
/// Okta again too (and is told the name is unknown, answered as sent): the same calls,
/// caps and timing as a real resend.
pub(super) fn resend(mut flow: Flow, now: i64) -> Transition {
    let username = flow.username.clone();
    let Step::EnterCode {
        factor,
        source:
            CodeSource::Sent {
                method,
                resend_after,
                resends,
                ..
            },
        ..
    } = &mut flow.step
    else {
        return internal(flow);
    };
    if *resends >= MAX_RESENDS {
        flow.notice = Some(Notice::ResendLimit);
        return show(flow);
    }
    if now < *resend_after {
        flow.notice = Some(Notice::ResendWait(*resend_after - now));
        return show(flow);
    }
    let Some(channel) = method.channel() else {
        return internal(flow);
    };
    *resends += 1;
    let the_call = match factor {
        Factor::Second(mfa) => Call::Challenge {
            mfa_token: mfa.mfa_token.clone(),
            channel: Some(channel),
        },
        Factor::First => Call::PrimaryAuthenticate { username, channel },
    };
    call(flow, Awaiting::Resend, the_call)
}

/// When the next poll is due, `interval` seconds after `now`. The machine counts whole
/// seconds while Okta measures the interval in milliseconds: a poll due at `now + interval`
/// could go out up to a second early and earn `slow_down` (5 s more on every later poll, so
/// an approval is seen up to 10 s late). One second more keeps every poll on time.
pub(super) fn due_after(now: i64, interval: i64) -> i64 {
    now.saturating_add(interval).saturating_add(1)
}

/// Asks Okta whether the push was answered, when it is time (a decoy keeps the rhythm).
pub(super) fn poll(mut flow: Flow, now: i64) -> Transition {
    let Step::WaitPush {
        factor,
        issued,
        next_poll_at,
        interval,
        ..
    } = &mut flow.step
    else {
        return internal(flow);
    };
    if now < *next_poll_at {
        return show(flow);
    }
    let Issued::Okta(oob) = issued else {
        *next_poll_at = due_after(now, *interval);
        return show(flow);
    };
    let the_call = Call::RedeemOob {
        mfa_token: factor.mfa_token(),
        oob_code: oob.oob_code.clone(),
        binding_code: None,
    };
    call(flow, Awaiting::Poll, the_call)
}

/// Back to the choice of a second factor.
pub(super) fn choose_again(mfa: Mfa, mut flow: Flow, now: i64) -> Transition {
    flow.step = Step::ChooseFactor {
        mfa,
        deadline: now + MFA_STEP_TTL,
    };
    show(flow)
}

/// Checks a typed code's shape before anything is sent to Okta.
pub fn normalize_code(method: Method, code: &str) -> Result<String, Rejection> {
    let code: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if code.is_empty() {
        return Err(Rejection::BadInput("invalid-code-empty"));
    }
    if code.len() > 12 {
        return Err(Rejection::BadInput("invalid-code-long"));
    }
    let ok = if method.code_is_numeric() {
        code.chars().all(|c| c.is_ascii_digit())
    } else {
        code.chars().all(|c| c.is_ascii_alphanumeric())
    };
    if !ok {
        return Err(Rejection::BadInput(if method.code_is_numeric() {
            "invalid-code-digits"
        } else {
            "invalid-code-alphanumeric"
        }));
    }
    Ok(code)
}
