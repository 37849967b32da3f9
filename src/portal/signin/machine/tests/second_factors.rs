//! Password, then a second factor: app code, SMS, voice, email, push.

use super::*;

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
        vec![password("x"), Event::Answer(Answer::InvalidCredentials)],
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
        vec![password("x"), Event::Answer(Answer::PolicyDenied)],
        NOW,
    );
    assert!(t.flow.is_none() && matches!(t.effect, Effect::Fail(Failure::PolicyDenied)));
    let t = run(
        None,
        vec![
            password("x"),
            Event::Answer(Answer::RateLimited { reset: Some(5) }),
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
            Event::Answer(Answer::Upstream(Upstream::Timeout)),
        ],
        NOW,
    );
    assert!(
        t.flow.is_none() && matches!(t.effect, Effect::Fail(Failure::Upstream(Upstream::Timeout)))
    );
    let t = run(
        None,
        vec![password("x"), Event::Answer(Answer::AuthorizationPending)],
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
    assert_eq!(page_of(&flow.step).path(), "/signin/factor");
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
    assert_eq!(
        page_of(&t.flow.as_ref().unwrap().step).path(),
        "/signin/verify"
    );
    let t = next(t.flow, Event::SubmitCode("123 456".into()), NOW);
    assert!(
        matches!(&t.effect, Effect::Call(Call::MfaOtp { mfa_token, otp }) if mfa_token == "mt" && otp == "123456")
    );
    let t = next(t.flow, Event::Answer(Answer::InvalidCode), NOW);
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
            matches!(&flow.step, Step::EnterCode { source: CodeSource::Sent { resend_after: r, issued: Issued::Okta(_), .. }, .. } if *r == NOW + RESEND_COOLDOWN)
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

pub(super) fn push_flow(binding: BindingMethod, code: Option<&str>) -> Flow {
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
    assert_eq!(page_of(&flow.step).path(), "/signin/wait");
    // A whole-second clock: due one second past the interval, so never early by Okta's.
    let t = next(Some(flow), Event::Poll, NOW + 5);
    assert!(matches!(t.effect, Effect::Show), "too early to poll Okta");
    let t = next(t.flow, Event::Poll, NOW + 6);
    assert!(matches!(
        &t.effect,
        Effect::Call(Call::RedeemOob {
            binding_code: None,
            mfa_token: Some(_),
            ..
        })
    ));
    let t = next(t.flow, Event::Answer(Answer::AuthorizationPending), NOW + 6);
    assert!(
        matches!(t.flow.as_ref().unwrap().step, Step::WaitPush { next_poll_at, .. } if next_poll_at == NOW + 12)
    );
    let t = run(
        t.flow,
        vec![Event::Poll, Event::Answer(Answer::SlowDown)],
        NOW + 12,
    );
    assert!(
        matches!(t.flow.as_ref().unwrap().step, Step::WaitPush { next_poll_at, interval: 10, .. } if next_poll_at == NOW + 23)
    );
    let t = next(t.flow, Event::Poll, NOW + 22);
    assert!(matches!(t.effect, Effect::Show));
    let t = run(t.flow, vec![Event::Poll, Event::Answer(tokens())], NOW + 23);
    assert!(matches!(t.effect, Effect::Complete { .. }));
}

#[test]
fn number_challenge_keeps_the_number_to_show() {
    let flow = push_flow(BindingMethod::Transfer, Some("37"));
    assert!(
        matches!(&flow.step, Step::WaitPush { issued: Issued::Okta(Oob { binding_code: Some(c), .. }), .. } if c == "37")
    );
}

#[test]
fn push_denied_expired_and_passing_faults() {
    let t = run(
        Some(push_flow(BindingMethod::None, None)),
        vec![Event::Poll, Event::Answer(Answer::Denied)],
        NOW + 6,
    );
    assert!(
        t.flow.is_none()
            && matches!(t.effect, Effect::Restart { notice: Notice::Denied, ref username } if username == "bob@example.com")
    );
    let t = run(
        Some(push_flow(BindingMethod::None, None)),
        vec![Event::Poll, Event::Answer(Answer::Expired)],
        NOW + 6,
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
            Event::Answer(Answer::Upstream(Upstream::Status(503, None))),
        ],
        NOW + 6,
    );
    assert!(
        matches!(t.effect, Effect::Show) && t.flow.is_some(),
        "a 503 while polling is retried later"
    );
    let t = run(
        Some(push_flow(BindingMethod::None, None)),
        vec![
            Event::Poll,
            Event::Answer(Answer::RateLimited {
                reset: Some(NOW + 60),
            }),
        ],
        NOW + 6,
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
    assert!(
        matches!(flow.step, Step::EnterCode { source: CodeSource::Sent { resend_after: r, .. }, .. } if r == NOW + 60)
    );
    let t = run(
        Some(flow),
        vec![
            Event::Resend,
            Event::Answer(Answer::RateLimited {
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
