//! Exhaustive transition tests of the sign-in state machine.

use super::*;
use crate::config::Secret;
use crate::okta::IdClaims;

const NOW: i64 = 1_000_000;

fn tokens() -> Outcome {
    Outcome::Tokens(Box::new(TokenSet {
        access_token: Secret::new("at"),
        refresh_token: None,
        id_token: Secret::new("id"),
        expires_in: 3600,
        scope: "openid".into(),
        claims: IdClaims {
            sub: "00u1".into(),
            name: None,
            email: None,
            preferred_username: None,
            amr: vec!["pwd".into()],
            auth_time: Some(NOW),
            iat: NOW,
            exp: NOW + 3600,
        },
    }))
}

fn challenge(channel: &str, method: BindingMethod, binding_code: Option<&str>) -> Outcome {
    Outcome::Challenge(Challenge {
        oob_code: format!("oob-{channel}"),
        expires_in: 300,
        interval: (channel == "push").then_some(5),
        channel: channel.into(),
        binding_method: method,
        binding_code: binding_code.map(String::from),
    })
}

fn password(username: &str) -> Event {
    Event::SubmitPassword {
        username: username.into(),
        password: "Sup3r-Secret!".into(),
        return_to: "/account".into(),
        remember: true,
    }
}

fn passwordless(method: Method) -> Event {
    Event::StartPasswordless {
        username: "carol@example.com".into(),
        method,
        return_to: "/account".into(),
        remember: false,
    }
}

/// Applies events in order, each at `now`, returning the last transition.
fn run(flow: Option<Flow>, events: Vec<Event>, now: i64) -> Transition {
    let mut t = Transition {
        flow,
        effect: Effect::Show,
    };
    for e in events {
        t = next(t.flow, e, now);
    }
    t
}

fn mfa_flow() -> Flow {
    run(
        None,
        vec![
            password("bob@example.com"),
            Event::Answer(Outcome::MfaRequired {
                mfa_token: "mt".into(),
            }),
        ],
        NOW,
    )
    .flow
    .unwrap()
}

#[test]
fn password_only_completes_and_keeps_no_password() {
    let t = next(None, password("alice@example.com"), NOW);
    assert!(
        matches!(&t.effect, Effect::Call(Call::Password { username, .. }) if username == "alice@example.com")
    );
    let stored = serde_json::to_string(t.flow.as_ref().unwrap()).unwrap();
    assert!(
        !stored.contains("Sup3r-Secret!"),
        "the password must never be stored in a flow"
    );
    let t = next(t.flow, Event::Answer(tokens()), NOW);
    assert!(t.flow.is_none());
    assert!(
        matches!(t.effect, Effect::Complete { ref return_to, remember: true, .. } if return_to == "/account")
    );
}

#[test]
fn wrong_password_rejects_and_ends_the_flow() {
    let t = run(
        None,
        vec![password("x"), Event::Answer(Outcome::InvalidCredentials)],
        NOW,
    );
    assert!(t.flow.is_none());
    assert!(matches!(
        t.effect,
        Effect::Reject(Rejection::InvalidCredentials)
    ));
}

#[test]
fn first_factor_failures() {
    let t = run(
        None,
        vec![password("x"), Event::Answer(Outcome::PolicyDenied)],
        NOW,
    );
    assert!(t.flow.is_none() && matches!(t.effect, Effect::Fail(Failure::PolicyDenied)));
    let t = run(
        None,
        vec![
            password("x"),
            Event::Answer(Outcome::RateLimited { reset: Some(5) }),
        ],
        NOW,
    );
    assert!(
        t.flow.is_none()
            && matches!(
                t.effect,
                Effect::Fail(Failure::RateLimited { reset: Some(5) })
            )
    );
    let t = run(
        None,
        vec![
            password("x"),
            Event::Answer(Outcome::Upstream(Upstream::Timeout)),
        ],
        NOW,
    );
    assert!(
        t.flow.is_none() && matches!(t.effect, Effect::Fail(Failure::Upstream(Upstream::Timeout)))
    );
    let t = run(
        None,
        vec![password("x"), Event::Answer(Outcome::Pending)],
        NOW,
    );
    assert!(matches!(
        t.effect,
        Effect::Fail(Failure::Upstream(Upstream::Malformed))
    ));
}

#[test]
fn mfa_required_offers_a_factor_choice() {
    let flow = mfa_flow();
    assert_eq!(page_of(&flow.step), "/signin/factor");
    assert!(
        matches!(&flow.step, Step::ChooseFactor { mfa, deadline } if mfa.mfa_token == "mt" && mfa.first.is_none() && *deadline == NOW + MFA_STEP_TTL)
    );
}

#[test]
fn password_then_otp_with_a_wrong_code_first() {
    let t = next(Some(mfa_flow()), Event::ChooseFactor(Method::Otp), NOW);
    assert!(
        matches!(t.effect, Effect::Show),
        "no Okta call is needed to type an OTP"
    );
    assert_eq!(page_of(&t.flow.as_ref().unwrap().step), "/signin/verify");
    let t = next(t.flow, Event::SubmitCode("123 456".into()), NOW);
    assert!(
        matches!(&t.effect, Effect::Call(Call::MfaOtp { mfa_token, otp }) if mfa_token == "mt" && otp == "123456")
    );
    let t = next(t.flow, Event::Answer(Outcome::InvalidCode), NOW);
    assert!(matches!(t.effect, Effect::Reject(Rejection::InvalidCode)));
    assert!(matches!(
        t.flow.as_ref().unwrap().step,
        Step::EnterCode { attempts: 1, .. }
    ));
    let t = run(
        t.flow,
        vec![Event::SubmitCode("654321".into()), Event::Answer(tokens())],
        NOW,
    );
    assert!(matches!(t.effect, Effect::Complete { .. }) && t.flow.is_none());
}

#[test]
fn password_then_sms_voice_email() {
    for (method, channel) in [
        (Method::Sms, "sms"),
        (Method::Voice, "voice"),
        (Method::Email, "email"),
    ] {
        let t = next(Some(mfa_flow()), Event::ChooseFactor(method), NOW);
        assert!(
            matches!(&t.effect, Effect::Call(Call::Challenge { mfa_token, channel: Some(c) }) if mfa_token == "mt" && *c == channel)
        );
        let t = next(
            t.flow,
            Event::Answer(challenge(channel, BindingMethod::Prompt, None)),
            NOW,
        );
        let flow = t.flow.clone().unwrap();
        assert_eq!(flow.notice, Some(Notice::CodeSent));
        assert!(
            matches!(&flow.step, Step::EnterCode { resend_after: Some(r), oob: Some(_), decoy: false, .. } if *r == NOW + RESEND_COOLDOWN)
        );
        let code = if method == Method::Email {
            "Ab12Cd"
        } else {
            "123456"
        };
        let t = next(t.flow, Event::SubmitCode(code.into()), NOW + 10);
        assert!(
            matches!(&t.effect, Effect::Call(Call::RedeemOob { mfa_token: Some(m), oob_code, binding_code: Some(b) })
            if m == "mt" && *oob_code == format!("oob-{channel}") && b == code)
        );
        let t = next(t.flow, Event::Answer(tokens()), NOW + 10);
        assert!(matches!(t.effect, Effect::Complete { .. }));
    }
}

#[test]
fn codes_are_checked_before_okta_sees_them() {
    assert!(normalize_code(Method::Sms, "12a456").is_err());
    assert!(normalize_code(Method::Otp, "").is_err());
    assert!(normalize_code(Method::Otp, &"1".repeat(13)).is_err());
    assert_eq!(normalize_code(Method::Email, "ab-12 CD").unwrap(), "ab12CD");
    assert!(normalize_code(Method::Email, "ab<12").is_err());
    let flow = next(Some(mfa_flow()), Event::ChooseFactor(Method::Otp), NOW).flow;
    let t = next(flow, Event::SubmitCode("12345x".into()), NOW);
    assert!(matches!(t.effect, Effect::Reject(Rejection::BadInput(_))));
}

fn push_flow(binding: BindingMethod, code: Option<&str>) -> Flow {
    let t = next(Some(mfa_flow()), Event::ChooseFactor(Method::Push), NOW);
    assert!(matches!(
        &t.effect,
        Effect::Call(Call::Challenge {
            channel: Some("push"),
            ..
        })
    ));
    let t = next(t.flow, Event::Answer(challenge("push", binding, code)), NOW);
    assert!(matches!(t.effect, Effect::Show));
    t.flow.unwrap()
}

#[test]
fn push_polls_no_faster_than_interval_and_slows_down() {
    let flow = push_flow(BindingMethod::None, None);
    assert_eq!(page_of(&flow.step), "/signin/wait");
    let t = next(Some(flow), Event::Poll, NOW + 4);
    assert!(matches!(t.effect, Effect::Show), "too early to poll Okta");
    let t = next(t.flow, Event::Poll, NOW + 5);
    assert!(matches!(
        &t.effect,
        Effect::Call(Call::RedeemOob {
            binding_code: None,
            mfa_token: Some(_),
            ..
        })
    ));
    let t = next(t.flow, Event::Answer(Outcome::Pending), NOW + 5);
    assert!(
        matches!(t.flow.as_ref().unwrap().step, Step::WaitPush { next_poll_at, .. } if next_poll_at == NOW + 10)
    );
    let t = run(
        t.flow,
        vec![Event::Poll, Event::Answer(Outcome::SlowDown)],
        NOW + 10,
    );
    assert!(
        matches!(t.flow.as_ref().unwrap().step, Step::WaitPush { next_poll_at, interval: 10, .. } if next_poll_at == NOW + 20)
    );
    let t = next(t.flow, Event::Poll, NOW + 19);
    assert!(matches!(t.effect, Effect::Show));
    let t = run(t.flow, vec![Event::Poll, Event::Answer(tokens())], NOW + 20);
    assert!(matches!(t.effect, Effect::Complete { .. }));
}

#[test]
fn number_challenge_keeps_the_number_to_show() {
    let flow = push_flow(BindingMethod::Transfer, Some("37"));
    assert!(
        matches!(&flow.step, Step::WaitPush { oob: Some(Oob { binding_code: Some(c), .. }), .. } if c == "37")
    );
}

#[test]
fn push_denied_expired_and_passing_faults() {
    let t = run(
        Some(push_flow(BindingMethod::None, None)),
        vec![Event::Poll, Event::Answer(Outcome::Denied)],
        NOW + 5,
    );
    assert!(
        t.flow.is_none()
            && matches!(t.effect, Effect::Restart { notice: Notice::Denied, ref username } if username == "bob@example.com")
    );
    let t = run(
        Some(push_flow(BindingMethod::None, None)),
        vec![Event::Poll, Event::Answer(Outcome::Expired)],
        NOW + 5,
    );
    assert!(matches!(
        t.effect,
        Effect::Restart {
            notice: Notice::Expired,
            ..
        }
    ));
    let t = run(
        Some(push_flow(BindingMethod::None, None)),
        vec![
            Event::Poll,
            Event::Answer(Outcome::Upstream(Upstream::Status(503, None))),
        ],
        NOW + 5,
    );
    assert!(
        matches!(t.effect, Effect::Show) && t.flow.is_some(),
        "a 503 while polling is retried later"
    );
    let t = run(
        Some(push_flow(BindingMethod::None, None)),
        vec![
            Event::Poll,
            Event::Answer(Outcome::RateLimited {
                reset: Some(NOW + 60),
            }),
        ],
        NOW + 5,
    );
    assert!(
        matches!(t.flow.unwrap().step, Step::WaitPush { next_poll_at, .. } if next_poll_at == NOW + 60)
    );
    // The portal stops at expires_in on its own.
    let t = next(
        Some(push_flow(BindingMethod::None, None)),
        Event::Poll,
        NOW + 300,
    );
    assert!(matches!(
        t.effect,
        Effect::Restart {
            notice: Notice::Expired,
            ..
        }
    ));
}

#[test]
fn resend_has_a_cooldown() {
    let t = run(
        Some(mfa_flow()),
        vec![
            Event::ChooseFactor(Method::Sms),
            Event::Answer(challenge("sms", BindingMethod::Prompt, None)),
        ],
        NOW,
    );
    let t = next(t.flow, Event::Resend, NOW + 10);
    assert!(matches!(t.effect, Effect::Show));
    assert_eq!(
        t.flow.as_ref().unwrap().notice,
        Some(Notice::ResendWait(20))
    );
    let t = next(t.flow, Event::Resend, NOW + 30);
    assert!(matches!(
        &t.effect,
        Effect::Call(Call::Challenge {
            channel: Some("sms"),
            ..
        })
    ));
    let t = next(
        t.flow,
        Event::Answer(challenge("sms", BindingMethod::Prompt, None)),
        NOW + 30,
    );
    let flow = t.flow.unwrap();
    assert_eq!(flow.notice, Some(Notice::CodeResent));
    assert!(matches!(flow.step, Step::EnterCode { resend_after: Some(r), .. } if r == NOW + 60));
    let t = run(
        Some(flow),
        vec![
            Event::Resend,
            Event::Answer(Outcome::RateLimited {
                reset: Some(NOW + 75),
            }),
        ],
        NOW + 60,
    );
    assert_eq!(t.flow.unwrap().notice, Some(Notice::ResendWait(15)));
}

#[test]
fn otp_has_nothing_to_resend() {
    let t = run(
        Some(mfa_flow()),
        vec![Event::ChooseFactor(Method::Otp), Event::Resend],
        NOW,
    );
    assert!(matches!(t.effect, Effect::Reject(Rejection::OutOfStep)));
}

#[test]
fn cancel_and_expiry_keep_the_username() {
    let t = next(Some(mfa_flow()), Event::Cancel, NOW);
    assert!(
        matches!(t.effect, Effect::Restart { notice: Notice::Cancelled, ref username } if username == "bob@example.com")
    );
    let t = next(
        Some(mfa_flow()),
        Event::ChooseFactor(Method::Otp),
        NOW + MFA_STEP_TTL,
    );
    assert!(matches!(
        t.effect,
        Effect::Restart {
            notice: Notice::Expired,
            ..
        }
    ));
}

#[test]
fn switching_factor() {
    let t = run(
        Some(mfa_flow()),
        vec![Event::ChooseFactor(Method::Otp), Event::SwitchFactor],
        NOW,
    );
    assert_eq!(page_of(&t.flow.unwrap().step), "/signin/factor");
    let t = run(
        Some(push_flow(BindingMethod::None, None)),
        vec![Event::SwitchFactor],
        NOW + 1,
    );
    assert_eq!(page_of(&t.flow.unwrap().step), "/signin/factor");
    let t = run(
        None,
        vec![passwordless(Method::Otp), Event::SwitchFactor],
        NOW,
    );
    assert!(matches!(
        t.effect,
        Effect::Restart {
            notice: Notice::ChooseAnother,
            ..
        }
    ));
}

#[test]
fn passwordless_otp_then_mfa_required() {
    let t = next(None, passwordless(Method::Otp), NOW);
    assert!(matches!(t.effect, Effect::Show));
    let t = next(t.flow, Event::SubmitCode("123456".into()), NOW);
    assert!(
        matches!(&t.effect, Effect::Call(Call::PrimaryOtp { username, otp }) if username == "carol@example.com" && otp == "123456")
    );
    let t = next(
        t.flow,
        Event::Answer(Outcome::MfaRequired {
            mfa_token: "m2".into(),
        }),
        NOW,
    );
    assert!(
        matches!(&t.flow.as_ref().unwrap().step, Step::ChooseFactor { mfa, .. } if mfa.first == Some(Method::Otp))
    );
    let t = next(t.flow, Event::ChooseFactor(Method::Otp), NOW);
    assert_eq!(t.flow.as_ref().unwrap().notice, Some(Notice::ChooseAnother));
    let t = next(t.flow, Event::ChooseFactor(Method::Email), NOW);
    assert!(
        matches!(&t.effect, Effect::Call(Call::Challenge { mfa_token, channel: Some("email") }) if mfa_token == "m2")
    );
}

#[test]
fn passwordless_push_sms_voice_email() {
    for m in [Method::Push, Method::Sms, Method::Voice, Method::Email] {
        let t = next(None, passwordless(m), NOW);
        assert!(
            matches!(&t.effect, Effect::Call(Call::PrimaryAuthenticate { channel, .. }) if *channel == m.as_str())
        );
        let binding = if m == Method::Push {
            BindingMethod::Transfer
        } else {
            BindingMethod::Prompt
        };
        let t = next(
            t.flow,
            Event::Answer(challenge(
                m.as_str(),
                binding,
                (m == Method::Push).then_some("12"),
            )),
            NOW,
        );
        let expected = if m == Method::Push {
            "/signin/wait"
        } else {
            "/signin/verify"
        };
        assert_eq!(page_of(&t.flow.as_ref().unwrap().step), expected);
        let t = if m == Method::Push {
            run(t.flow, vec![Event::Poll], NOW + 5)
        } else {
            run(t.flow, vec![Event::SubmitCode("123456".into())], NOW + 5)
        };
        assert!(matches!(
            &t.effect,
            Effect::Call(Call::RedeemOob {
                mfa_token: None,
                ..
            })
        ));
        let t = next(t.flow, Event::Answer(tokens()), NOW + 5);
        assert!(matches!(t.effect, Effect::Complete { .. }));
    }
}

#[test]
fn passwordless_for_an_unknown_user_looks_the_same_up_to_the_code() {
    let known = run(
        None,
        vec![
            passwordless(Method::Sms),
            Event::Answer(challenge("sms", BindingMethod::Prompt, None)),
        ],
        NOW,
    );
    let unknown = run(
        None,
        vec![
            passwordless(Method::Sms),
            Event::Answer(Outcome::InvalidCredentials),
        ],
        NOW,
    );
    let (k, u) = (known.flow.unwrap(), unknown.flow.unwrap());
    assert_eq!(page_of(&k.step), page_of(&u.step));
    assert_eq!(k.notice, u.notice);
    assert!(matches!(unknown.effect, Effect::Show));
    // Codes for the decoy never reach Okta and always fail, then the flow restarts.
    let mut flow = Some(u);
    for i in 1..MAX_CODE_ATTEMPTS {
        let t = next(flow, Event::SubmitCode("123456".into()), NOW + 1);
        assert!(
            matches!(t.effect, Effect::Reject(Rejection::InvalidCode)),
            "attempt {i}"
        );
        flow = t.flow;
    }
    let t = next(flow.clone(), Event::SubmitCode("123456".into()), NOW + 1);
    assert!(matches!(
        t.effect,
        Effect::Restart {
            notice: Notice::TooManyAttempts,
            ..
        }
    ));
    // A decoy's resend asks Okta again, as a real one does, and reads the refusal as sent.
    let t = next(flow, Event::Resend, NOW + 31);
    assert!(matches!(
        t.effect,
        Effect::Call(Call::PrimaryAuthenticate { .. })
    ));
    let t = next(t.flow, Event::Answer(Outcome::InvalidCredentials), NOW + 31);
    assert!(matches!(t.effect, Effect::Show));
    assert_eq!(t.flow.unwrap().notice, Some(Notice::CodeResent));
    // A decoy push waits like a real one, never calls Okta, and expires.
    let t = run(
        None,
        vec![
            passwordless(Method::Push),
            Event::Answer(Outcome::PolicyDenied),
            Event::Poll,
        ],
        NOW,
    );
    assert!(
        matches!(t.effect, Effect::Show)
            && page_of(&t.flow.as_ref().unwrap().step) == "/signin/wait"
    );
    // It keeps a real push's rhythm: a due poll moves the next one an interval on.
    let t = next(t.flow, Event::Poll, NOW + DEFAULT_INTERVAL);
    let Some(Step::WaitPush { next_poll_at, .. }) = t.flow.as_ref().map(|f| &f.step) else {
        panic!("still waiting");
    };
    assert_eq!(*next_poll_at, NOW + 2 * DEFAULT_INTERVAL);
    let t = next(t.flow, Event::Poll, NOW + 300);
    assert!(matches!(
        t.effect,
        Effect::Restart {
            notice: Notice::Expired,
            ..
        }
    ));
}

#[test]
fn too_many_wrong_codes_restart() {
    let mut flow = next(Some(mfa_flow()), Event::ChooseFactor(Method::Otp), NOW).flow;
    for _ in 1..MAX_CODE_ATTEMPTS {
        flow = run(
            flow,
            vec![
                Event::SubmitCode("000000".into()),
                Event::Answer(Outcome::InvalidCode),
            ],
            NOW,
        )
        .flow;
    }
    let t = run(
        flow,
        vec![
            Event::SubmitCode("000000".into()),
            Event::Answer(Outcome::InvalidCode),
        ],
        NOW,
    );
    assert!(matches!(
        t.effect,
        Effect::Restart {
            notice: Notice::TooManyAttempts,
            ..
        }
    ));
}

#[test]
fn challenge_answers_in_context() {
    let t = run(
        Some(mfa_flow()),
        vec![
            Event::ChooseFactor(Method::Voice),
            Event::Answer(Outcome::PolicyDenied),
        ],
        NOW,
    );
    assert_eq!(
        t.flow.as_ref().unwrap().notice,
        Some(Notice::MethodUnavailable)
    );
    assert_eq!(page_of(&t.flow.unwrap().step), "/signin/factor");
    let t = run(
        Some(mfa_flow()),
        vec![
            Event::ChooseFactor(Method::Voice),
            Event::Answer(Outcome::Expired),
        ],
        NOW,
    );
    assert!(matches!(
        t.effect,
        Effect::Restart {
            notice: Notice::Expired,
            ..
        }
    ));
    let t = run(
        Some(mfa_flow()),
        vec![
            Event::ChooseFactor(Method::Push),
            Event::Answer(Outcome::OtpExpected),
        ],
        NOW,
    );
    assert!(matches!(
        t.flow.unwrap().step,
        Step::EnterCode {
            method: Method::Otp,
            ..
        }
    ));
    let t = run(
        Some(mfa_flow()),
        vec![
            Event::ChooseFactor(Method::Sms),
            Event::Answer(Outcome::Upstream(Upstream::Timeout)),
        ],
        NOW,
    );
    assert!(matches!(t.effect, Effect::Fail(_)));
    assert_eq!(
        page_of(&t.flow.unwrap().step),
        "/signin/factor",
        "a fault keeps the step"
    );
}

#[test]
fn expired_code_step_restarts() {
    let flow = run(
        Some(mfa_flow()),
        vec![
            Event::ChooseFactor(Method::Sms),
            Event::Answer(challenge("sms", BindingMethod::Prompt, None)),
        ],
        NOW,
    )
    .flow;
    let t = run(
        flow.clone(),
        vec![
            Event::SubmitCode("123456".into()),
            Event::Answer(Outcome::Expired),
        ],
        NOW + 1,
    );
    assert!(matches!(
        t.effect,
        Effect::Restart {
            notice: Notice::Expired,
            ..
        }
    ));
    let t = next(flow, Event::SubmitCode("123456".into()), NOW + 300);
    assert!(
        matches!(
            t.effect,
            Effect::Restart {
                notice: Notice::Expired,
                ..
            }
        ),
        "no call once expires_in has passed"
    );
}

#[test]
fn events_out_of_step_are_rejected_without_a_call() {
    let t = next(Some(mfa_flow()), Event::SubmitCode("123456".into()), NOW);
    assert!(matches!(t.effect, Effect::Reject(Rejection::OutOfStep)));
    let flow = next(Some(mfa_flow()), Event::ChooseFactor(Method::Otp), NOW).flow;
    let t = next(flow, Event::ChooseFactor(Method::Sms), NOW);
    assert!(matches!(t.effect, Effect::Reject(Rejection::OutOfStep)));
    let t = next(None, Event::Poll, NOW);
    assert!(t.flow.is_none() && matches!(t.effect, Effect::Reject(Rejection::OutOfStep)));
    let t = next(Some(mfa_flow()), Event::Answer(tokens()), NOW);
    assert!(
        matches!(t.effect, Effect::Fail(_)),
        "an answer nobody asked for is ignored"
    );
}

#[test]
fn a_new_start_replaces_a_flow_even_an_expired_one() {
    let t = next(
        Some(mfa_flow()),
        password("alice@example.com"),
        NOW + 10_000,
    );
    assert!(
        matches!(&t.effect, Effect::Call(Call::Password { username, .. }) if username == "alice@example.com")
    );
}

#[test]
fn resends_are_capped() {
    let mut t = run(
        Some(mfa_flow()),
        vec![
            Event::ChooseFactor(Method::Sms),
            Event::Answer(challenge("sms", BindingMethod::Prompt, None)),
        ],
        NOW,
    );
    let mut now = NOW;
    for _ in 0..MAX_RESENDS {
        now += RESEND_COOLDOWN;
        t = run(
            t.flow,
            vec![
                Event::Resend,
                Event::Answer(challenge("sms", BindingMethod::Prompt, None)),
            ],
            now,
        );
        assert_eq!(t.flow.as_ref().unwrap().notice, Some(Notice::CodeResent));
    }
    now += RESEND_COOLDOWN;
    let t = next(t.flow, Event::Resend, now);
    assert!(matches!(t.effect, Effect::Show), "no further call to Okta");
    assert_eq!(t.flow.unwrap().notice, Some(Notice::ResendLimit));
}

#[test]
fn a_rate_limited_challenge_keeps_the_factor_choice() {
    let t = run(
        Some(mfa_flow()),
        vec![
            Event::ChooseFactor(Method::Sms),
            Event::Answer(Outcome::RateLimited {
                reset: Some(NOW + 20),
            }),
        ],
        NOW,
    );
    assert!(
        matches!(t.effect, Effect::Show),
        "a notice, not an error page"
    );
    let flow = t.flow.unwrap();
    assert_eq!(page_of(&flow.step), "/signin/factor");
    assert_eq!(flow.notice, Some(Notice::ResendWait(20)));
}

#[test]
fn the_local_ceiling_is_waited_out_like_okta_rate_limit_with_its_own_failure() {
    let t = run(
        None,
        vec![
            password("x"),
            Event::Answer(Outcome::HeldBack { until: NOW + 2 }),
        ],
        NOW,
    );
    assert!(
        t.flow.is_none()
            && matches!(t.effect, Effect::Fail(Failure::HeldBack { until }) if until == NOW + 2)
    );
    let t = run(
        Some(mfa_flow()),
        vec![
            Event::ChooseFactor(Method::Sms),
            Event::Answer(Outcome::HeldBack { until: NOW + 20 }),
        ],
        NOW,
    );
    assert!(matches!(t.effect, Effect::Show));
    let flow = t.flow.unwrap();
    assert_eq!(page_of(&flow.step), "/signin/factor");
    assert_eq!(flow.notice, Some(Notice::ResendWait(20)));
}
