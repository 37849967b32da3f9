//! Caps, deadlines, out-of-step events and answers in context.

use super::*;

#[test]
fn too_many_wrong_codes_restart() {
    let mut flow = next(Some(mfa_flow()), Event::ChooseFactor(Method::Otp), NOW).flow;
    for _ in 1..MAX_CODE_ATTEMPTS {
        flow = run(
            flow,
            vec![
                Event::SubmitCode("000000".into()),
                Event::Answer(Answer::InvalidCode),
            ],
            NOW,
        )
        .flow;
    }
    let t = run(
        flow,
        vec![
            Event::SubmitCode("000000".into()),
            Event::Answer(Answer::InvalidCode),
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
            Event::Answer(Answer::PolicyDenied),
        ],
        NOW,
    );
    assert_eq!(
        t.flow.as_ref().unwrap().notice,
        Some(Notice::MethodUnavailable)
    );
    assert_eq!(page_of(&t.flow.unwrap().step).path(), "/signin/factor");
    let t = run(
        Some(mfa_flow()),
        vec![
            Event::ChooseFactor(Method::Voice),
            Event::Answer(Answer::Expired),
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
            Event::Answer(Answer::OtpExpected),
        ],
        NOW,
    );
    assert!(matches!(
        t.flow.unwrap().step,
        Step::EnterCode {
            source: CodeSource::App,
            factor: Factor::Second(_),
            ..
        }
    ));
    let t = run(
        Some(mfa_flow()),
        vec![
            Event::ChooseFactor(Method::Sms),
            Event::Answer(Answer::Upstream(Upstream::Timeout)),
        ],
        NOW,
    );
    assert!(matches!(t.effect, Effect::Fail(_)));
    assert_eq!(
        page_of(&t.flow.unwrap().step).path(),
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
            Event::Answer(Answer::Expired),
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
            Event::Answer(Answer::RateLimited {
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
    assert_eq!(page_of(&flow.step).path(), "/signin/factor");
    assert_eq!(flow.notice, Some(Notice::ResendWait(20)));
}

#[test]
fn the_local_ceiling_is_waited_out_like_okta_rate_limit_with_its_own_failure() {
    let t = run(
        None,
        vec![
            password("x"),
            Event::Answer(Answer::HeldBack { until: NOW + 2 }),
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
            Event::Answer(Answer::HeldBack { until: NOW + 20 }),
        ],
        NOW,
    );
    assert!(matches!(t.effect, Effect::Show));
    let flow = t.flow.unwrap();
    assert_eq!(page_of(&flow.step).path(), "/signin/factor");
    assert_eq!(flow.notice, Some(Notice::ResendWait(20)));
}
