//! Second factors after `mfa_required` other than push: flow B (mfa-otp, TOTP replay
//! and drift), `/challenge` with SMS, voice and email (flows C, H-MFA), code retries,
//! resend limits, expiry, single use and `/challenge` errors (§3.4, §5, §7).

use serde_json::json;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bob_password_then_totp() {
    let emu = Emu::start().await;
    let r = emu.password(BOB, PASSWORD).await;
    let mfa = r.expect_mfa_required();
    assert!(r.json["error_description"].is_string());
    assert!(mfa.len() >= 16, "{mfa}");
    for field in ["access_token", "id_token", "refresh_token"] {
        assert!(r.json.get(field).is_none());
    }

    let wrong = emu.wrong_totp().await;
    emu.mfa_otp(&mfa, &wrong)
        .await
        .expect_error(400, "invalid_grant");
    let code = emu.totp().await;
    let body = emu.mfa_otp(&mfa, &code).await.expect_tokens().clone();
    let id = body["id_token"].as_str().unwrap();
    emu.verify(id, As::Default, "demo-portal").await;
    let amr = amr(id);
    for m in ["pwd", "otp", "mfa"] {
        assert!(amr.contains(&m.to_string()), "{amr:?}");
    }
    assert_eq!(claims_of(id)["preferred_username"], BOB);
    // The mfa_token is spent.
    emu.advance(1).await;
    let code = emu.totp().await;
    emu.mfa_otp(&mfa, &code)
        .await
        .expect_error(403, "access_denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_totp_code_cannot_be_replayed() {
    let emu = Emu::start().await;
    let code = emu.totp().await;
    let first = emu.mfa_token(BOB).await;
    emu.mfa_otp(&first, &code).await.expect_tokens();
    emu.advance(1).await;
    let second = emu.mfa_token(BOB).await;
    emu.mfa_otp(&second, &code)
        .await
        .expect_error(400, "invalid_grant");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_mfa_token_is_access_denied() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    emu.advance(301).await;
    let code = emu.totp().await;
    emu.mfa_otp(&mfa, &code)
        .await
        .expect_error(403, "access_denied");
    emu.challenge_oob(&mfa, "sms")
        .await
        .expect_error(403, "access_denied");
    // An mfa_token that never existed answers the same.
    emu.mfa_otp("mt_nonexistent", &code)
        .await
        .expect_error(403, "access_denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_otps_burn_the_mfa_token() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    for _ in 0..5 {
        emu.advance(1).await;
        let wrong = emu.wrong_totp().await;
        emu.mfa_otp(&mfa, &wrong)
            .await
            .expect_error(400, "invalid_grant");
    }
    emu.advance(1).await;
    let code = emu.totp().await;
    emu.mfa_otp(&mfa, &code)
        .await
        .expect_error(403, "access_denied");
}

async fn prompt_channel(channel: &str, to: &str, amr_value: &str) {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    let now = emu.now().await;
    let r = emu.challenge_oob(&mfa, channel).await;
    let c = r.expect_ok();
    assert_eq!(c["challenge_type"], GRANT_MFA_OOB);
    assert_eq!(c["channel"], channel);
    assert_eq!(c["binding_method"], "prompt");
    assert_eq!(c["expires_in"], 300);
    assert!(
        c.get("interval").is_none(),
        "prompt channels are not polled"
    );
    assert!(
        c.get("binding_code").is_none(),
        "the code is not in the response"
    );
    let oob = r.str("oob_code");

    let outbox = emu.outbox(BOB).await;
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    let m = &outbox[0];
    assert_eq!(m["channel"], channel);
    assert_eq!(m["to"], to);
    let code = m["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    let sent_at = m["sent_at"].as_i64().unwrap();
    assert!(sent_at >= now && sent_at <= now + 5);

    let body = emu
        .mfa_oob(&mfa, &oob, Some(&code))
        .await
        .expect_tokens()
        .clone();
    let amr = amr(body["id_token"].as_str().unwrap());
    for m in ["pwd", amr_value, "mfa"] {
        assert!(amr.contains(&m.to_string()), "{amr:?}");
    }
    // The oob_code is single use.
    emu.advance(1).await;
    emu.mfa_oob(&mfa, &oob, Some(&code))
        .await
        .expect_error(403, "access_denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bob_password_then_sms() {
    prompt_channel("sms", "+1 555 0100", "sms").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bob_password_then_voice() {
    prompt_channel("voice", "+1 555 0100", "tel").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bob_password_then_email() {
    prompt_channel("email", BOB, "email").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_sms_code_can_be_retried_then_succeeds() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    let oob = emu.challenge_oob(&mfa, "sms").await.str("oob_code");
    let code = emu.last_code(BOB).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    emu.mfa_oob(&mfa, &oob, Some(wrong))
        .await
        .expect_error(400, "invalid_grant");
    // No binding_code at all is a wrong code too.
    emu.mfa_oob(&mfa, &oob, None)
        .await
        .expect_error(400, "invalid_grant");
    emu.mfa_oob(&mfa, &oob, Some(&code)).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_sms_codes_burn_the_oob_code() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    let oob = emu.challenge_oob(&mfa, "sms").await.str("oob_code");
    let code = emu.last_code(BOB).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        emu.advance(1).await;
        emu.mfa_oob(&mfa, &oob, Some(wrong))
            .await
            .expect_error(400, "invalid_grant");
    }
    emu.advance(1).await;
    emu.mfa_oob(&mfa, &oob, Some(&code))
        .await
        .expect_error(403, "access_denied");
    // The mfa_token survives: a new challenge (after the SMS cooldown) still works.
    emu.advance(30).await;
    let oob = emu.challenge_oob(&mfa, "sms").await.str("oob_code");
    let code = emu.last_code(BOB).await;
    emu.mfa_oob(&mfa, &oob, Some(&code)).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_sms_or_call_per_phone_per_30_seconds() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    emu.challenge_oob(&mfa, "sms").await.expect_ok();
    let sent_at = emu.outbox(BOB).await[0]["sent_at"].as_i64().unwrap();
    emu.advance(10).await;
    let r = emu.challenge_oob(&mfa, "sms").await;
    r.expect_error(429, "invalid_grant");
    // The per-phone limit's own figures: one message per 30 s.
    assert_eq!(r.header("X-Rate-Limit-Limit"), Some("1"));
    assert_eq!(r.header("X-Rate-Limit-Remaining"), Some("0"));
    let expected_reset = (sent_at + 30).to_string();
    assert_eq!(
        r.header("X-Rate-Limit-Reset"),
        Some(expected_reset.as_str())
    );
    // Voice goes to the same phone number.
    emu.challenge_oob(&mfa, "voice")
        .await
        .expect_error(429, "invalid_grant");
    // Email is not a phone.
    emu.challenge_oob(&mfa, "email").await.expect_ok();
    assert_eq!(emu.outbox(BOB).await.len(), 2);
    emu.advance(20).await;
    let r = emu.challenge_oob(&mfa, "sms").await;
    let oob = r.str("oob_code");
    let outbox = emu.outbox(BOB).await;
    assert_eq!(outbox.len(), 3);
    assert_eq!(outbox[0]["channel"], "sms", "newest first");
    let code = emu.last_code(BOB).await;
    emu.mfa_oob(&mfa, &oob, Some(&code)).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_oob_code_is_access_denied() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    let oob = emu.challenge_oob(&mfa, "email").await.str("oob_code");
    let code = emu.last_code(BOB).await;
    emu.advance(301).await;
    emu.mfa_oob(&mfa, &oob, Some(&code))
        .await
        .expect_error(403, "access_denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn otp_only_challenge_returns_the_bare_challenge_type() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    let r = emu
        .challenge(&[
            ("mfa_token", &mfa),
            ("challenge_types_supported", GRANT_MFA_OTP),
        ])
        .await;
    assert_eq!(r.expect_ok(), &json!({"challenge_type": GRANT_MFA_OTP}));
    let code = emu.totp().await;
    emu.mfa_otp(&mfa, &code).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn challenge_request_errors() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    // Unknown channel_hint.
    emu.challenge_oob(&mfa, "carrier-pigeon")
        .await
        .expect_error(400, "invalid_request");
    // Unknown challenge type.
    emu.challenge(&[
        ("mfa_token", &mfa),
        ("challenge_types_supported", "urn:example:magic"),
        ("channel_hint", "sms"),
    ])
    .await
    .expect_error(400, "invalid_request");
    // mfa-oob without a channel.
    emu.challenge(&[
        ("mfa_token", &mfa),
        ("challenge_types_supported", GRANT_MFA_OOB),
    ])
    .await
    .expect_error(400, "invalid_request");
    // Missing parameters.
    emu.challenge(&[
        ("challenge_types_supported", GRANT_MFA_OOB),
        ("channel_hint", "sms"),
    ])
    .await
    .expect_error(400, "invalid_request");
    emu.challenge(&[("mfa_token", &mfa), ("channel_hint", "sms")])
        .await
        .expect_error(400, "invalid_request");
    // scope is not accepted by /challenge.
    emu.challenge(&[
        ("mfa_token", &mfa),
        ("challenge_types_supported", GRANT_MFA_OOB),
        ("channel_hint", "sms"),
        ("scope", SCOPE),
    ])
    .await
    .expect_error(400, "invalid_scope");
    // A channel_hint while only mfa-otp is offered cannot be satisfied.
    emu.challenge(&[
        ("mfa_token", &mfa),
        ("challenge_types_supported", GRANT_MFA_OTP),
        ("channel_hint", "sms"),
    ])
    .await
    .expect_error(403, "access_denied");
    // None of that spent the mfa_token or sent anything.
    assert!(emu.outbox(BOB).await.is_empty());
    emu.challenge_oob(&mfa, "sms").await.expect_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn challenge_for_an_authenticator_the_user_lacks_is_403() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(DAVE).await;
    for channel in ["sms", "voice", "email"] {
        emu.challenge_oob(&mfa, channel)
            .await
            .expect_error(403, "access_denied");
    }
    // Dave has no OTP app either.
    emu.challenge(&[
        ("mfa_token", &mfa),
        ("challenge_types_supported", GRANT_MFA_OTP),
    ])
    .await
    .expect_error(403, "access_denied");
    let code = emu.totp().await;
    emu.mfa_otp(&mfa, &code)
        .await
        .expect_error(403, "access_denied");
    // Push is what dave has.
    emu.challenge_oob(&mfa, "push").await.expect_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totp_accepts_one_step_of_drift_either_side() {
    let emu = Emu::start().await;
    for (offset, accepted) in [(-30, true), (30, true), (-60, false), (60, false)] {
        emu.advance(1).await;
        let mfa = emu.mfa_token(BOB).await;
        // Align to the middle of a step so the request lands in the same one (read the
        // clock each time: on a loaded machine real seconds pass between iterations).
        let now = emu.now().await;
        let into_step = now.rem_euclid(30);
        let now = if !(5..=25).contains(&into_step) {
            emu.advance(15 - into_step + if into_step > 25 { 30 } else { 0 })
                .await
        } else {
            now
        };
        let r = emu.mfa_otp(&mfa, &totp_at(now + offset)).await;
        if accepted {
            r.expect_tokens();
        } else {
            r.expect_error(400, "invalid_grant");
        }
    }
}
