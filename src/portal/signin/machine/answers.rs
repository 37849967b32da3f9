//! Okta's answers, read in the context of the call the flow awaited: the (awaited,
//! outcome) table of the module header.

use super::effects::*;
use super::steps::{
    app_code_step, challenge_step, due_after, fail, internal, keep, restart, show, wrong_code,
};
use super::types::*;
use super::{MFA_STEP_TTL, RESEND_COOLDOWN};
use crate::okta::{Answer, Challenge, TokenSet, Upstream};

/// The (awaited call, outcome) table.
pub(super) fn answer(mut flow: Flow, outcome: Answer, now: i64) -> Transition {
    match flow.awaiting.take() {
        Some(awaiting) => answer_in(flow, awaiting, outcome, now),
        None => internal(flow),
    }
}

fn answer_in(mut flow: Flow, awaiting: Awaiting, outcome: Answer, now: i64) -> Transition {
    use Answer as O;
    use Awaiting as A;
    match (awaiting, outcome) {
        // A recovery never becomes a sign-in.
        (
            A::Code | A::Poll,
            O::Recovered {
                access_token,
                expires_in,
            },
        ) if flow.intent == Intent::Recovery => {
            flow.step = Step::NewPassword {
                token: RecoveryToken {
                    access_token: access_token.expose().to_string(),
                },
                deadline: now + expires_in.min(MFA_STEP_TTL * 2),
            };
            show(flow)
        }
        (_, O::Tokens(_)) if flow.intent == Intent::Recovery => dropped_malformed(),
        (_, O::Recovered { .. }) => dropped_malformed(),
        (A::Reset, O::PasswordChanged) => reset_done(flow),
        (A::Reset, O::PasswordRejected(rules)) => {
            keep(flow, Effect::Reject(Rejection::WeakPassword(rules)))
        }
        (A::Reset, O::Expired) => restart(flow, Notice::Expired),
        // The same whatever was asked.
        (_, O::Tokens(tokens)) => complete(flow, tokens),
        (_, O::MfaRequired { mfa_token }) => mfa_required(flow, mfa_token, now),
        // A passing fault while polling: try again at the next interval.
        (A::Poll, O::Upstream(_)) => poll_again(flow, now, None),
        (_, O::Upstream(e)) => fail(flow, Failure::Upstream(e)),
        (A::FirstFactor | A::Code | A::Reset, O::RateLimited { reset }) => {
            fail(flow, Failure::RateLimited { reset })
        }
        (A::FirstFactor | A::Code | A::Reset, O::HeldBack { until }) => {
            fail(flow, Failure::HeldBack { until })
        }
        // Elsewhere the local ceiling's refusal is waited out like Okta's rate limit.
        (awaiting, O::HeldBack { until }) => {
            answer_in(flow, awaiting, O::RateLimited { reset: Some(until) }, now)
        }

        (A::FirstFactor, O::Challenge(c)) => first_factor_sent(flow, Some(c), now),
        (A::FirstFactor, outcome @ (O::InvalidCredentials | O::PolicyDenied)) => {
            first_factor_refused(flow, outcome, now)
        }

        (A::Challenge(method), O::Challenge(c)) => second_factor_sent(flow, method, c, now),
        (A::Challenge(_), O::OtpExpected) => second_factor_app_code(flow, now),
        (A::Challenge(_), O::Expired) => restart(flow, Notice::Expired),
        (A::Challenge(_), O::PolicyDenied | O::InvalidCredentials) => {
            flow.notice = Some(Notice::MethodUnavailable);
            show(flow)
        }
        // E.g. Okta's one SMS or call per phone per 30 s: wait, or choose another factor.
        (A::Challenge(_), O::RateLimited { reset }) => {
            flow.notice = Some(Notice::ResendWait(wait(reset, now)));
            show(flow)
        }

        // For a passwordless code, "this user cannot sign in this way" must look like a
        // wrong code (no enumeration).
        (A::Code, O::InvalidCode | O::InvalidCredentials) => wrong_code(flow),
        (A::Code, O::PolicyDenied) if first_factor(&flow) => wrong_code(flow),
        (A::Code, O::PolicyDenied) => Transition {
            flow: None,
            effect: Effect::Fail(Failure::PolicyDenied),
        },
        (A::Code, O::Expired | O::Denied) => restart(flow, Notice::Expired),

        (A::Resend, O::Challenge(c)) => resent(flow, Some(c), now),
        (A::Resend, O::RateLimited { reset }) => resend_later(flow, wait(reset, now), now),
        (A::Resend, O::Expired) => restart(flow, Notice::Expired),
        // Unknown user on a passwordless resend: behave as if it was sent.
        (A::Resend, O::InvalidCredentials | O::PolicyDenied) => resent(flow, None, now),

        (A::Poll, O::AuthorizationPending) => poll_again(flow, now, None),
        (A::Poll, O::SlowDown) => poll_again(flow, now, Some(5)),
        (A::Poll, O::RateLimited { reset }) => poll_after(flow, reset, now),
        (A::Poll, O::Denied) => restart(flow, Notice::Denied),
        (A::Poll, O::Expired) => restart(flow, Notice::Expired),

        // Anything else is not an answer Okta gives to that call.
        (A::FirstFactor, _) => Transition {
            flow: None,
            effect: Effect::Fail(Failure::Upstream(Upstream::Malformed)),
        },
        (_, _) => keep(flow, Effect::Fail(Failure::Upstream(Upstream::Malformed))),
    }
}

fn wait(reset: Option<i64>, now: i64) -> i64 {
    reset.map_or(RESEND_COOLDOWN, |r| (r - now).clamp(1, 300))
}

/// "We sent you a code" on a code step (not on a push, whatever method was asked for).
fn code_sent(step: &Step) -> Option<Notice> {
    matches!(step, Step::EnterCode { .. }).then_some(Notice::CodeSent)
}

fn first_factor(flow: &Flow) -> bool {
    matches!(
        flow.step,
        Step::EnterCode {
            factor: Factor::First,
            ..
        }
    )
}

/// An answer that must not be used (a recovery's token in a sign-in, or the reverse):
/// the flow is dropped.
fn dropped_malformed() -> Transition {
    Transition {
        flow: None,
        effect: Effect::Fail(Failure::Upstream(Upstream::Malformed)),
    }
}

/// The password is reset: the flow ends, its token to be revoked.
fn reset_done(flow: Flow) -> Transition {
    let Step::NewPassword { token, .. } = flow.step else {
        return internal(flow);
    };
    Transition {
        flow: None,
        effect: Effect::Recovered {
            username: flow.username,
            token: token.access_token,
        },
    }
}

fn complete(flow: Flow, tokens: Box<TokenSet>) -> Transition {
    Transition {
        effect: Effect::Complete {
            tokens,
            return_to: flow.return_to,
            remember: flow.remember,
        },
        flow: None,
    }
}

/// Okta wants a second factor: the choice, without the first factor if it was not the
/// password.
fn mfa_required(mut flow: Flow, mfa_token: String, now: i64) -> Transition {
    let first = match &flow.step {
        Step::Starting {
            start: Start::Passwordless(m),
        } => Some(*m),
        Step::EnterCode {
            factor: Factor::First,
            source,
            ..
        } => Some(source.method()),
        Step::WaitPush {
            factor: Factor::First,
            ..
        } => Some(Method::Push),
        _ => None,
    };
    flow.step = Step::ChooseFactor {
        mfa: Mfa { mfa_token, first },
        deadline: now + MFA_STEP_TTL,
    };
    show(flow)
}

/// A passwordless first factor's challenge (or its decoy) is out.
fn first_factor_sent(mut flow: Flow, challenge: Option<Challenge>, now: i64) -> Transition {
    let Step::Starting {
        start: Start::Passwordless(method),
    } = flow.step
    else {
        return Transition {
            flow: None,
            effect: Effect::Fail(Failure::Upstream(Upstream::Malformed)),
        };
    };
    flow.step = challenge_step(method, Factor::First, challenge, now);
    flow.notice = code_sent(&flow.step);
    show(flow)
}

/// Wrong password, or an unknown user (or one who cannot use the method) starting
/// passwordless: the latter answers exactly like a known one up to the code step, so
/// the form cannot be used to find out who has an account.
fn first_factor_refused(flow: Flow, outcome: Answer, now: i64) -> Transition {
    match (&flow.step, outcome) {
        (
            Step::Starting {
                start: Start::Password,
            },
            Answer::PolicyDenied,
        ) => Transition {
            flow: None,
            effect: Effect::Fail(Failure::PolicyDenied),
        },
        (
            Step::Starting {
                start: Start::Password,
            },
            _,
        ) => Transition {
            flow: None,
            effect: Effect::Reject(Rejection::InvalidCredentials),
        },
        (Step::Starting { .. }, _) => first_factor_sent(flow, None, now),
        _ => internal(flow),
    }
}

fn second_factor_sent(mut flow: Flow, method: Method, c: Challenge, now: i64) -> Transition {
    let Step::ChooseFactor { mfa, .. } = &flow.step else {
        return internal(flow);
    };
    flow.step = challenge_step(method, Factor::Second(mfa.clone()), Some(c), now);
    flow.notice = code_sent(&flow.step);
    show(flow)
}

/// `/challenge` said the client should now send an app code.
fn second_factor_app_code(mut flow: Flow, now: i64) -> Transition {
    let Step::ChooseFactor { mfa, .. } = &flow.step else {
        return internal(flow);
    };
    flow.step = app_code_step(Factor::Second(mfa.clone()), now);
    show(flow)
}

/// A new code was sent (`Some`: Okta's challenge replaces the old one, the wrong-code
/// count starts again) or, for a decoy, answered as sent.
fn resent(mut flow: Flow, challenge: Option<Challenge>, now: i64) -> Transition {
    let Step::EnterCode {
        source:
            CodeSource::Sent {
                issued,
                resend_after,
                ..
            },
        deadline,
        attempts,
        ..
    } = &mut flow.step
    else {
        return internal(flow);
    };
    *resend_after = now + RESEND_COOLDOWN;
    if let Some(c) = challenge {
        *issued = Issued::Okta(Oob {
            oob_code: c.oob_code,
            binding_code: c.binding_code,
        });
        *deadline = now + c.expires_in;
        *attempts = 0;
    }
    flow.notice = Some(Notice::CodeResent);
    show(flow)
}

fn resend_later(mut flow: Flow, wait: i64, now: i64) -> Transition {
    let Step::EnterCode {
        source: CodeSource::Sent { resend_after, .. },
        ..
    } = &mut flow.step
    else {
        return internal(flow);
    };
    *resend_after = now + wait;
    flow.notice = Some(Notice::ResendWait(wait));
    show(flow)
}

/// The next poll at `when(interval)`, which may also change the interval.
fn poll_at(mut flow: Flow, when: impl FnOnce(&mut i64) -> i64) -> Transition {
    let Step::WaitPush {
        next_poll_at,
        interval,
        ..
    } = &mut flow.step
    else {
        return internal(flow);
    };
    *next_poll_at = when(interval);
    show(flow)
}

/// The next poll one interval from now (`slower`: the interval grows by that first).
fn poll_again(flow: Flow, now: i64, slower: Option<i64>) -> Transition {
    poll_at(flow, |interval| {
        *interval += slower.unwrap_or(0);
        due_after(now, *interval)
    })
}

/// Okta's rate limit while polling: not before its reset, nor sooner than an interval.
fn poll_after(flow: Flow, reset: Option<i64>, now: i64) -> Transition {
    poll_at(flow, |interval| {
        reset.map_or(due_after(now, 2 * *interval), |r| {
            r.max(due_after(now, *interval))
        })
    })
}
