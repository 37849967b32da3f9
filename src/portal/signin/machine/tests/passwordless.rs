//! Passwordless starts, cancel, expiry and switching factor.

use super::second_factors::push_flow;
use super::*;

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
    assert_eq!(page_of(&t.flow.unwrap().step).path(), "/signin/factor");
    let t = run(
        Some(push_flow(BindingMethod::None, None)),
        vec![Event::SwitchFactor],
        NOW + 1,
    );
    assert_eq!(page_of(&t.flow.unwrap().step).path(), "/signin/factor");
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
        Event::Answer(Answer::MfaRequired {
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
        assert_eq!(page_of(&t.flow.as_ref().unwrap().step).path(), expected);
        let t = if m == Method::Push {
            run(t.flow, vec![Event::Poll], NOW + 6)
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
            Event::Answer(Answer::InvalidCredentials),
        ],
        NOW,
    );
    let (k, u) = (known.flow.unwrap(), unknown.flow.unwrap());
    assert_eq!(page_of(&k.step).path(), page_of(&u.step).path());
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
    let t = next(t.flow, Event::Answer(Answer::InvalidCredentials), NOW + 31);
    assert!(matches!(t.effect, Effect::Show));
    assert_eq!(t.flow.unwrap().notice, Some(Notice::CodeResent));
    // A decoy push waits like a real one, never calls Okta, and expires.
    let t = run(
        None,
        vec![
            passwordless(Method::Push),
            Event::Answer(Answer::PolicyDenied),
            Event::Poll,
        ],
        NOW,
    );
    assert!(
        matches!(t.effect, Effect::Show)
            && page_of(&t.flow.as_ref().unwrap().step).path() == "/signin/wait"
    );
    // It keeps a real push's rhythm: a due poll moves the next one an interval on.
    let t = next(t.flow, Event::Poll, NOW + DEFAULT_INTERVAL + 1);
    let Some(Step::WaitPush { next_poll_at, .. }) = t.flow.as_ref().map(|f| &f.step) else {
        panic!("still waiting");
    };
    assert_eq!(*next_poll_at, NOW + 2 * DEFAULT_INTERVAL + 2);
    let t = next(t.flow, Event::Poll, NOW + 300);
    assert!(matches!(
        t.effect,
        Effect::Restart {
            notice: Notice::Expired,
            ..
        }
    ));
}
