//! First factors without a password: primary OTP (flow E), `/primary-authenticate` and the
//! deprecated `/oob-authenticate` with push, SMS, voice and email (flows F–H), and a
//! passwordless first factor followed by `mfa_required` (§3, §4).

use serde_json::json;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carol_primary_otp() {
    let emu = Emu::start().await;
    let code = emu.totp().await;
    let r = primary_otp(&emu, CAROL, &code).await;
    let body = r.expect_tokens();
    let id = body["id_token"].as_str().unwrap();
    let claims = emu.verify(id, As::Default, "demo-portal").await;
    assert_eq!(claims["amr"], json!(["otp"]));
    assert_eq!(claims["preferred_username"], CAROL);
    assert!(body["refresh_token"].is_string());
}

async fn primary_otp(emu: &Emu, login: &str, otp: &str) -> Resp {
    emu.token(&[
        ("grant_type", GRANT_OTP),
        ("login_hint", login),
        ("otp", otp),
        ("scope", SCOPE),
    ])
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn primary_otp_errors() {
    let emu = Emu::start().await;
    let code = emu.totp().await;
    let wrong = emu.wrong_totp().await;
    primary_otp(&emu, CAROL, &wrong)
        .await
        .expect_error(400, "invalid_grant");
    primary_otp(&emu, "nobody@example.com", &code)
        .await
        .expect_error(400, "invalid_grant");
    primary_otp(&emu, ERIN, &code)
        .await
        .expect_error(400, "invalid_grant");
    // Dave's policy requires a password.
    primary_otp(&emu, DAVE, &code)
        .await
        .expect_error(403, "access_denied");
    emu.token(&[("grant_type", GRANT_OTP), ("otp", &code), ("scope", SCOPE)])
        .await
        .expect_error(400, "invalid_request");
    emu.token(&[
        ("grant_type", GRANT_OTP),
        ("login_hint", CAROL),
        ("scope", SCOPE),
    ])
    .await
    .expect_error(400, "invalid_request");
    // The right code still works afterwards.
    primary_otp(&emu, CAROL, &code).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carol_primary_push_with_number_challenge() {
    let emu = Emu::start().await;
    let r = emu.primary_oob(CAROL, "push").await;
    let c = r.expect_ok();
    assert!(
        c.get("challenge_type").is_none(),
        "only /challenge has challenge_type"
    );
    assert_eq!(c["channel"], "push");
    assert_eq!(c["binding_method"], "transfer");
    assert_eq!(c["interval"], 5);
    assert_eq!(c["expires_in"], 300);
    let oob = r.str("oob_code");
    let binding: u32 = r.str("binding_code").parse().unwrap();

    emu.oob_grant(&oob, None)
        .await
        .expect_error(400, "authorization_pending");
    emu.oob_grant(&oob, None)
        .await
        .expect_error(400, "slow_down");

    let pushes = emu.pushes(CAROL).await;
    assert!(pushes[0]["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_u64() == Some(binding as u64)));
    let push = pushes[0]["id"].as_str().unwrap().to_string();
    assert_eq!(emu.approve(&push, None).await.status, 400);
    let r = emu.approve(&push, Some(binding)).await;
    assert_eq!(r.json["status"], "approved", "{}", r.text);
    emu.advance(10).await;
    let body = emu.oob_grant(&oob, None).await.expect_tokens().clone();
    let claims = emu
        .verify(
            body["id_token"].as_str().unwrap(),
            As::Default,
            "demo-portal",
        )
        .await;
    assert_eq!(claims["amr"], json!(["swk"]));
    emu.advance(10).await;
    emu.oob_grant(&oob, None)
        .await
        .expect_error(403, "access_denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carol_primary_push_denied() {
    let emu = Emu::start().await;
    let oob = emu.primary_oob(CAROL, "push").await.str("oob_code");
    let push = emu.push_id(CAROL).await;
    assert_eq!(emu.deny(&push).await.json["status"], "denied");
    emu.oob_grant(&oob, None)
        .await
        .expect_error(400, "invalid_grant");
}

async fn carol_prompt(channel: &str, to: &str, amr_value: &str) {
    let emu = Emu::start().await;
    let r = emu.primary_oob(CAROL, channel).await;
    let c = r.expect_ok();
    assert_eq!(c["channel"], channel);
    assert_eq!(c["binding_method"], "prompt");
    assert_eq!(c["expires_in"], 300);
    assert!(c.get("interval").is_none());
    let oob = r.str("oob_code");
    let outbox = emu.outbox(CAROL).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0]["channel"], channel);
    assert_eq!(outbox[0]["to"], to);
    let code = outbox[0]["code"].as_str().unwrap().to_string();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    emu.oob_grant(&oob, Some(wrong))
        .await
        .expect_error(400, "invalid_grant");
    let body = emu
        .oob_grant(&oob, Some(&code))
        .await
        .expect_tokens()
        .clone();
    let claims = emu
        .verify(
            body["id_token"].as_str().unwrap(),
            As::Default,
            "demo-portal",
        )
        .await;
    assert_eq!(claims["amr"], json!([amr_value]));
    emu.oob_grant(&oob, Some(&code))
        .await
        .expect_error(403, "access_denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carol_primary_sms() {
    carol_prompt("sms", "+1 555 0101", "sms").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carol_primary_voice() {
    carol_prompt("voice", "+1 555 0101", "tel").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carol_primary_email() {
    carol_prompt("email", CAROL, "email").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn primary_sms_resend_cooldown_and_expiry() {
    let emu = Emu::start().await;
    let first = emu.primary_oob(CAROL, "sms").await.str("oob_code");
    emu.primary_oob(CAROL, "voice")
        .await
        .expect_error(429, "invalid_grant");
    emu.advance(30).await;
    let second = emu.primary_oob(CAROL, "sms").await.str("oob_code");
    let code = emu.last_code(CAROL).await;
    emu.advance(271).await;
    // first was sent 301 s ago: expired; second 271 s ago: still good.
    let old_code = emu.outbox(CAROL).await[1]["code"]
        .as_str()
        .unwrap()
        .to_string();
    emu.oob_grant(&first, Some(&old_code))
        .await
        .expect_error(403, "access_denied");
    emu.oob_grant(&second, Some(&code)).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deprecated_oob_authenticate_without_challenge_hint() {
    let emu = Emu::start().await;
    let r = emu
        .call(
            "oob-authenticate",
            &[("login_hint", CAROL), ("channel_hint", "email")],
        )
        .await;
    let c = r.expect_ok();
    assert_eq!(c["binding_method"], "prompt");
    let oob = r.str("oob_code");
    let code = emu.last_code(CAROL).await;
    emu.oob_grant(&oob, Some(&code)).await.expect_tokens();
    // It takes challenge_hint too, and needs channel_hint.
    emu.call(
        "oob-authenticate",
        &[
            ("login_hint", CAROL),
            ("channel_hint", "push"),
            ("challenge_hint", GRANT_OOB),
        ],
    )
    .await
    .expect_ok();
    emu.call("oob-authenticate", &[("login_hint", CAROL)])
        .await
        .expect_error(400, "invalid_request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn primary_authenticate_errors() {
    let emu = Emu::start().await;
    // scope is not accepted here.
    emu.primary_authenticate(&[
        ("login_hint", CAROL),
        ("challenge_hint", GRANT_OOB),
        ("channel_hint", "push"),
        ("scope", "openid"),
    ])
    .await
    .expect_error(400, "invalid_scope");
    // Missing login_hint.
    emu.primary_authenticate(&[("challenge_hint", GRANT_OOB), ("channel_hint", "push")])
        .await
        .expect_error(400, "invalid_request");
    // Missing or bad challenge_hint.
    for hint in [
        None,
        Some("urn:example:nope"),
        Some(GRANT_OTP),
        Some("urn:okta:params:oauth:grant-type:webauthn"),
    ] {
        let mut params = vec![("login_hint", CAROL), ("channel_hint", "push")];
        if let Some(h) = hint {
            params.push(("challenge_hint", h));
        }
        emu.primary_authenticate(&params)
            .await
            .expect_error(400, "invalid_request");
    }
    // Missing or bad channel_hint.
    emu.primary_authenticate(&[("login_hint", CAROL), ("challenge_hint", GRANT_OOB)])
        .await
        .expect_error(400, "invalid_request");
    emu.primary_oob(CAROL, "fax")
        .await
        .expect_error(400, "invalid_request");
    // Unknown and suspended users.
    emu.primary_oob("nobody@example.com", "push")
        .await
        .expect_error(400, "invalid_grant");
    emu.primary_oob(ERIN, "push")
        .await
        .expect_error(400, "invalid_grant");
    // Dave's policy requires the password first.
    emu.primary_oob(DAVE, "push")
        .await
        .expect_error(403, "access_denied");
    // Alice has no push.
    emu.primary_oob(ALICE, "push")
        .await
        .expect_error(403, "access_denied");
    assert!(emu.pushes(CAROL).await.is_empty());
    assert!(emu.outbox(CAROL).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn primary_oob_scope_is_fixed_by_the_first_token_call() {
    let emu = Emu::start().await;
    let oob = emu.primary_oob(CAROL, "push").await.str("oob_code");
    emu.oob_grant(&oob, None)
        .await
        .expect_error(400, "authorization_pending");
    emu.advance(5).await;
    emu.token(&[
        ("grant_type", GRANT_OOB),
        ("oob_code", &oob),
        ("scope", "openid"),
    ])
    .await
    .expect_error(400, "invalid_scope");
    // Another client, another AS.
    emu.post_form(
        &emu.endpoint(As::Default, "token"),
        &Auth::Public,
        &[
            ("grant_type", GRANT_OOB),
            ("oob_code", &oob),
            ("scope", SCOPE),
        ],
    )
    .await
    .expect_error(401, "invalid_client");
    emu.post_form(
        &emu.endpoint(As::Org, "token"),
        &Auth::Basic,
        &[
            ("grant_type", GRANT_OOB),
            ("oob_code", &oob),
            ("scope", SCOPE),
        ],
    )
    .await
    .expect_error(400, "invalid_request");
    emu.oob_grant(&oob, None)
        .await
        .expect_error(400, "authorization_pending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bob_passwordless_email_then_totp() {
    let emu = Emu::start().await;
    let oob = emu.primary_oob(BOB, "email").await.str("oob_code");
    let code = emu.last_code(BOB).await;
    let mfa = emu.oob_grant(&oob, Some(&code)).await.expect_mfa_required();
    // The email authenticator was already used in this sign-in.
    emu.challenge_oob(&mfa, "email")
        .await
        .expect_error(403, "access_denied");
    let otp = emu.totp().await;
    let body = emu.mfa_otp(&mfa, &otp).await.expect_tokens().clone();
    let amr = amr(body["id_token"].as_str().unwrap());
    for m in ["email", "otp", "mfa"] {
        assert!(amr.contains(&m.to_string()), "{amr:?}");
    }
    assert!(!amr.contains(&"pwd".to_string()), "{amr:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bob_passwordless_otp_then_push() {
    let emu = Emu::start().await;
    let otp = emu.totp().await;
    let mfa = primary_otp(&emu, BOB, &otp).await.expect_mfa_required();
    // The OTP authenticator cannot be the second factor too.
    emu.advance(1).await;
    let otp = emu.totp().await;
    emu.mfa_otp(&mfa, &otp)
        .await
        .expect_error(403, "access_denied");
    let oob = emu.challenge_oob(&mfa, "push").await.str("oob_code");
    let push = emu.push_id(BOB).await;
    emu.approve(&push, None).await;
    let body = emu.mfa_oob(&mfa, &oob, None).await.expect_tokens().clone();
    let amr = amr(body["id_token"].as_str().unwrap());
    for m in ["otp", "swk", "mfa"] {
        assert!(amr.contains(&m.to_string()), "{amr:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwordless_grant_types_supported() {
    let emu = Emu::start().await;
    let otp = emu.totp().await;
    // Bob needs a second factor; a client that can only do primary OTP is told early.
    emu.token(&[
        ("grant_type", GRANT_OTP),
        ("login_hint", BOB),
        ("otp", &otp),
        ("scope", SCOPE),
        ("grant_types_supported", GRANT_OTP),
    ])
    .await
    .expect_error(403, "access_denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_user_cannot_sign_in_passwordless_either() {
    let emu = Emu::start().await;
    for _ in 0..10 {
        emu.password(BOB, "wrong")
            .await
            .expect_error(400, "invalid_grant");
        emu.advance(1).await;
    }
    assert_eq!(emu.user(BOB).await["locked"], true);
    emu.primary_oob(BOB, "email")
        .await
        .expect_error(400, "invalid_grant");
    let code = emu.totp().await;
    primary_otp(&emu, BOB, &code)
        .await
        .expect_error(400, "invalid_grant");
    assert!(emu.outbox(BOB).await.is_empty());
}
