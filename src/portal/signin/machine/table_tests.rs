//! Every (awaited call × Okta outcome) pair, driven through [`next`] from flows built by
//! events only, against the expected decision written out below. The table is the
//! module header's second table, cell by cell.

use super::tests::{challenge, tokens, NOW};
use super::*;
use crate::okta::{Answer, BindingMethod, Upstream};

fn outcomes() -> Vec<(&'static str, Answer)> {
    vec![
        ("tokens", tokens()),
        (
            "mfa",
            Answer::MfaRequired {
                mfa_token: "mt2".into(),
            },
        ),
        ("push", challenge("push", BindingMethod::None, None)),
        ("sms", challenge("sms", BindingMethod::Prompt, None)),
        ("otp_expected", Answer::OtpExpected),
        ("pending", Answer::AuthorizationPending),
        ("slow_down", Answer::SlowDown),
        ("denied", Answer::Denied),
        ("expired", Answer::Expired),
        ("bad_credentials", Answer::InvalidCredentials),
        ("bad_code", Answer::InvalidCode),
        ("policy", Answer::PolicyDenied),
        ("rate", Answer::RateLimited { reset: None }),
        ("timeout", Answer::Upstream(Upstream::Timeout)),
        ("held_back", Answer::HeldBack { until: NOW + 20 }),
    ]
}

fn start_password() -> Event {
    Event::SubmitPassword {
        username: "bob".into(),
        password: "pw".into(),
        return_to: "/account".into(),
        remember: false,
        acr_values: None,
    }
}

fn start_passwordless(method: Method) -> Event {
    Event::StartPasswordless {
        username: "carol".into(),
        method,
        return_to: "/account".into(),
        remember: false,
        acr_values: None,
    }
}

fn sms_challenge() -> Event {
    Event::Answer(outcomes().remove(3).1)
}

fn push_challenge() -> Event {
    Event::Answer(outcomes().remove(2).1)
}

fn mfa() -> Event {
    Event::Answer(Answer::MfaRequired {
        mfa_token: "mt".into(),
    })
}

/// A flow that awaits the answer of the call named, and when.
fn awaiting(context: &str) -> (Flow, i64) {
    let events = match context {
        "password" => vec![start_password()],
        "passwordless_sms" => vec![start_passwordless(Method::Sms)],
        "challenge_sms" => vec![start_password(), mfa(), Event::ChooseFactor(Method::Sms)],
        "code_app_second" => vec![
            start_password(),
            mfa(),
            Event::ChooseFactor(Method::Otp),
            Event::SubmitCode("123456".into()),
        ],
        "code_sent_first" => vec![
            start_passwordless(Method::Sms),
            sms_challenge(),
            Event::SubmitCode("123456".into()),
        ],
        "resend_first" => vec![start_passwordless(Method::Sms), sms_challenge()],
        "poll_second" => vec![
            start_password(),
            mfa(),
            Event::ChooseFactor(Method::Push),
            push_challenge(),
        ],
        other => panic!("no context {other}"),
    };
    let mut flow = None;
    for event in events {
        flow = next(flow, event, NOW).flow;
    }
    let later = match context {
        "resend_first" => NOW + 31,
        "poll_second" => NOW + 6,
        _ => NOW,
    };
    let t = match context {
        "resend_first" => next(flow, Event::Resend, later),
        "poll_second" => next(flow, Event::Poll, later),
        _ => Transition {
            flow,
            effect: Effect::Show,
        },
    };
    assert!(
        matches!(t.effect, Effect::Call(_) | Effect::Show),
        "{context}: {:?}",
        t.effect
    );
    (t.flow.expect("a flow awaiting an answer"), later)
}

/// One cell: the effect, then the page the flow is on and its notice.
fn summary(t: &Transition) -> String {
    let effect = match &t.effect {
        Effect::Call(_) => "call".to_string(),
        Effect::Show => "show".to_string(),
        Effect::Complete { .. } => "complete".to_string(),
        Effect::Recovered { .. } => "recovered".to_string(),
        Effect::Restart { notice, .. } => format!("restart {notice:?}"),
        Effect::Reject(r) => format!("reject {r:?}"),
        Effect::Fail(Failure::Upstream(Upstream::Malformed)) => "fail malformed".to_string(),
        Effect::Fail(Failure::Upstream(_)) => "fail upstream".to_string(),
        Effect::Fail(Failure::RateLimited { .. }) => "fail rate".to_string(),
        Effect::Fail(Failure::PolicyDenied) => "fail policy".to_string(),
        Effect::Fail(Failure::HeldBack { .. }) => "fail held".to_string(),
        Effect::Fail(other) => format!("fail {other:?}"),
    };
    match &t.flow {
        None => effect,
        Some(f) => match f.notice {
            Some(n) => format!("{effect} {} {n:?}", page_of(&f.step).path()),
            None => format!("{effect} {}", page_of(&f.step).path()),
        },
    }
}

const CONTEXTS: [&str; 7] = [
    "password",
    "passwordless_sms",
    "challenge_sms",
    "code_app_second",
    "code_sent_first",
    "resend_first",
    "poll_second",
];

/// Rows: the outcomes in the order of [`outcomes`]; columns: [`CONTEXTS`].
const EXPECTED: [[&str; 7]; 15] = [
    // tokens
    ["complete"; 7],
    // mfa
    ["show /signin/factor"; 7],
    // push challenge
    [
        "fail malformed",
        "show /signin/wait",
        "show /signin/wait",
        "fail malformed /signin/verify",
        "fail malformed /signin/verify",
        "show /signin/verify CodeResent",
        "fail malformed /signin/wait",
    ],
    // sms challenge
    [
        "fail malformed",
        "show /signin/verify CodeSent",
        "show /signin/verify CodeSent",
        "fail malformed /signin/verify",
        "fail malformed /signin/verify",
        "show /signin/verify CodeResent",
        "fail malformed /signin/wait",
    ],
    // otp_expected
    [
        "fail malformed",
        "fail malformed",
        "show /signin/verify",
        "fail malformed /signin/verify",
        "fail malformed /signin/verify",
        "fail malformed /signin/verify",
        "fail malformed /signin/wait",
    ],
    // pending
    [
        "fail malformed",
        "fail malformed",
        "fail malformed /signin/factor",
        "fail malformed /signin/verify",
        "fail malformed /signin/verify",
        "fail malformed /signin/verify",
        "show /signin/wait",
    ],
    // slow_down
    [
        "fail malformed",
        "fail malformed",
        "fail malformed /signin/factor",
        "fail malformed /signin/verify",
        "fail malformed /signin/verify",
        "fail malformed /signin/verify",
        "show /signin/wait",
    ],
    // denied
    [
        "fail malformed",
        "fail malformed",
        "fail malformed /signin/factor",
        "restart Expired",
        "restart Expired",
        "fail malformed /signin/verify",
        "restart Denied",
    ],
    // expired
    [
        "fail malformed",
        "fail malformed",
        "restart Expired",
        "restart Expired",
        "restart Expired",
        "restart Expired",
        "restart Expired",
    ],
    // bad_credentials
    [
        "reject InvalidCredentials",
        "show /signin/verify CodeSent",
        "show /signin/factor MethodUnavailable",
        "reject InvalidCode /signin/verify",
        "reject InvalidCode /signin/verify",
        "show /signin/verify CodeResent",
        "fail malformed /signin/wait",
    ],
    // bad_code
    [
        "fail malformed",
        "fail malformed",
        "fail malformed /signin/factor",
        "reject InvalidCode /signin/verify",
        "reject InvalidCode /signin/verify",
        "fail malformed /signin/verify",
        "fail malformed /signin/wait",
    ],
    // policy
    [
        "fail policy",
        "show /signin/verify CodeSent",
        "show /signin/factor MethodUnavailable",
        "fail policy",
        "reject InvalidCode /signin/verify",
        "show /signin/verify CodeResent",
        "fail malformed /signin/wait",
    ],
    // rate
    [
        "fail rate",
        "fail rate",
        "show /signin/factor ResendWait(30)",
        "fail rate /signin/verify",
        "fail rate /signin/verify",
        "show /signin/verify ResendWait(30)",
        "show /signin/wait",
    ],
    // timeout
    [
        "fail upstream",
        "fail upstream",
        "fail upstream /signin/factor",
        "fail upstream /signin/verify",
        "fail upstream /signin/verify",
        "fail upstream /signin/verify",
        "show /signin/wait",
    ],
    // held_back (this instance's ceiling): a start or a code fails with its own 429;
    // elsewhere it is waited out like Okta's rate limit
    [
        "fail held",
        "fail held",
        "show /signin/factor ResendWait(20)",
        "fail held /signin/verify",
        "fail held /signin/verify",
        "show /signin/verify ResendWait(1)",
        "show /signin/wait",
    ],
];

#[test]
fn every_awaited_call_and_outcome_pair_has_its_decision() {
    let mut wrong = Vec::new();
    for (row, (name, _)) in outcomes().into_iter().enumerate() {
        for (column, context) in CONTEXTS.iter().enumerate() {
            let (flow, now) = awaiting(context);
            let outcome = outcomes().remove(row).1;
            let got = summary(&next(Some(flow), Event::Answer(outcome), now));
            if got != EXPECTED[row][column] {
                wrong.push(format!(
                    "{context} × {name}: got {got:?}, expected {:?}",
                    EXPECTED[row][column]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn an_answer_no_call_awaits_is_an_internal_failure() {
    let (mut flow, now) = awaiting("poll_second");
    flow.awaiting = None;
    let t = next(Some(flow), Event::Answer(Answer::AuthorizationPending), now);
    assert!(matches!(t.effect, Effect::Fail(Failure::Internal)));
}
