//! A password recovery through the machine: the recovery choice, a passwordless-style
//! challenge (decoys included), the new-password step, and that a recovery never
//! completes a sign-in.

use super::*;
use crate::okta::PasswordRules;

fn start() -> Event {
    Event::StartRecovery {
        username: "bob@example.com".into(),
    }
}

fn recovered() -> Event {
    Event::Answer(Answer::Recovered {
        access_token: Secret::new("rt"),
        expires_in: 600,
    })
}

fn at_code() -> Flow {
    run(
        None,
        vec![
            start(),
            Event::ChooseFactor(Method::Email),
            Event::Answer(challenge("email", BindingMethod::Prompt, None)),
        ],
        NOW,
    )
    .flow
    .unwrap()
}

fn at_new_password() -> Flow {
    let t = run(
        Some(at_code()),
        vec![Event::SubmitCode("123456".into()), recovered()],
        NOW,
    );
    assert!(matches!(t.effect, Effect::Show));
    t.flow.unwrap()
}

#[test]
fn a_recovery_starts_at_its_choice_and_asks_okta_with_the_factor() {
    let t = run(None, vec![start()], NOW);
    let flow = t.flow.unwrap();
    assert_eq!(flow.intent, Intent::Recovery);
    assert_eq!(page_of(&flow.step), Page::Factor);
    let t = next(Some(flow), Event::ChooseFactor(Method::Sms), NOW);
    assert!(matches!(
        t.effect,
        Effect::Call(Call::PrimaryAuthenticate { channel: "sms", .. })
    ));
    let flow = at_code();
    assert_eq!(page_of(&flow.step), Page::Verify);
}

#[test]
fn an_app_code_is_not_a_recovery_factor() {
    let flow = run(None, vec![start()], NOW).flow;
    let t = next(flow, Event::ChooseFactor(Method::Otp), NOW);
    assert!(matches!(t.effect, Effect::Reject(Rejection::OutOfStep)));
}

#[test]
fn an_unknown_user_gets_a_decoy_code_step_whose_codes_are_all_wrong() {
    let t = run(
        None,
        vec![
            start(),
            Event::ChooseFactor(Method::Email),
            Event::Answer(Answer::InvalidCredentials),
        ],
        NOW,
    );
    let flow = t.flow.unwrap();
    assert!(matches!(
        flow.step,
        Step::EnterCode {
            source: CodeSource::Sent {
                issued: Issued::Decoy,
                ..
            },
            ..
        }
    ));
    let t = next(Some(flow), Event::SubmitCode("123456".into()), NOW);
    assert!(matches!(t.effect, Effect::Reject(Rejection::InvalidCode)));
}

#[test]
fn a_proven_factor_leads_to_the_new_password_then_back_to_sign_in() {
    let flow = at_new_password();
    assert_eq!(page_of(&flow.step), Page::NewPassword);
    let t = next(
        Some(flow),
        Event::SubmitNewPassword("N3w-Passw0rd".into()),
        NOW,
    );
    let Effect::Call(Call::ResetPassword { token, .. }) = &t.effect else {
        panic!("{:?}", t.effect)
    };
    assert_eq!(token, "rt");
    let weak = PasswordRules::from_causes(&serde_json::json!([{"reason": "NUMBER_REQUIRED"}]));
    let t = next(t.flow, Event::Answer(Answer::PasswordRejected(weak)), NOW);
    assert!(matches!(
        t.effect,
        Effect::Reject(Rejection::WeakPassword(_))
    ));
    let t = run(
        t.flow,
        vec![
            Event::SubmitNewPassword("N3w-Passw0rd".into()),
            Event::Answer(Answer::PasswordChanged),
        ],
        NOW,
    );
    assert!(t.flow.is_none());
    assert!(
        matches!(t.effect, Effect::Recovered { ref username, .. } if username == "bob@example.com")
    );
}

#[test]
fn a_recovery_never_completes_a_sign_in() {
    let t = run(
        Some(at_code()),
        vec![Event::SubmitCode("123456".into()), Event::Answer(tokens())],
        NOW,
    );
    assert!(t.flow.is_none());
    assert!(matches!(
        t.effect,
        Effect::Fail(Failure::Upstream(Upstream::Malformed))
    ));
    let t = run(None, vec![password("bob@example.com"), recovered()], NOW);
    assert!(
        matches!(t.effect, Effect::Fail(_)),
        "a sign-in never takes a recovery token"
    );
}

#[test]
fn the_new_password_step_expires_and_another_way_goes_back_to_the_choice() {
    let t = next(
        Some(at_new_password()),
        Event::SubmitNewPassword("x".into()),
        NOW + 601,
    );
    assert!(matches!(
        t.effect,
        Effect::Restart {
            notice: Notice::Expired,
            ..
        }
    ));
    let t = next(Some(at_code()), Event::SwitchFactor, NOW);
    assert!(matches!(t.flow.unwrap().step, Step::ChooseRecovery { .. }));
}

#[test]
fn every_answer_to_a_reset_is_read() {
    let weak = PasswordRules::from_causes(&serde_json::json!([{"reason": "NUMBER_REQUIRED"}]));
    let cases: Vec<(Answer, &str)> = vec![
        (Answer::PasswordChanged, "recovered"),
        (Answer::PasswordRejected(weak), "reject"),
        (Answer::Expired, "restart"),
        (Answer::RateLimited { reset: None }, "fail kept"),
        (Answer::HeldBack { until: NOW + 5 }, "fail kept"),
        (Answer::Upstream(Upstream::Timeout), "fail kept"),
        (tokens(), "fail dropped"),
        (
            Answer::Recovered {
                access_token: Secret::new("x"),
                expires_in: 600,
            },
            "fail dropped",
        ),
        (Answer::InvalidCode, "fail kept"),
        (Answer::Denied, "fail kept"),
    ];
    for (outcome, expected) in cases {
        let label = outcome.label();
        let t = run(
            Some(at_new_password()),
            vec![
                Event::SubmitNewPassword("N3w-Passw0rd".into()),
                Event::Answer(outcome),
            ],
            NOW,
        );
        let got = match (&t.effect, &t.flow) {
            (Effect::Recovered { .. }, None) => "recovered",
            (Effect::Reject(Rejection::WeakPassword(_)), Some(_)) => "reject",
            (Effect::Restart { .. }, None) => "restart",
            (Effect::Fail(_), Some(_)) => "fail kept",
            (Effect::Fail(_), None) => "fail dropped",
            _ => "other",
        };
        assert_eq!(got, expected, "{label}");
    }
}
