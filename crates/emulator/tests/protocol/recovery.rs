//! Password recovery through direct authentication (docs/okta-myaccount-and-recovery.md
//! §2): `intent=recovery` (Swift) or `prompt=recover_authenticator` (Kotlin) with the
//! MyAccount password scope; each factor the recovery policy allows (email, SMS, voice,
//! push), the ones it does not (password, OTP), the scope rule, a token that carries only
//! the MyAccount scope and is no sign-in, and the reset that follows.

use serde_json::json;

use crate::common::*;

const NEW: &str = "Tr1cky-Horse";

#[track_caller]
fn recovery_token(r: &Resp) -> String {
    let body = r.expect_tokens();
    assert_eq!(body["scope"], PASSWORD_MANAGE, "{body}");
    assert!(body.get("id_token").is_none(), "{body}");
    assert!(body.get("refresh_token").is_none(), "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bob_recovers_by_email_and_resets_his_password() {
    let emu = Emu::start().await;
    let r = emu.recover(BOB, "email", &[]).await;
    let token = recovery_token(&r);
    let claims = emu.verify(&token, As::Default, "api://default").await;
    assert_eq!(claims["scp"], json!([PASSWORD_MANAGE]));
    let r = emu
        .myaccount(
            "PUT",
            "/password",
            Some(&token),
            Some(json!({ "profile": { "password": NEW } })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    emu.password(BOB, PASSWORD)
        .await
        .expect_error(400, "invalid_grant");
    // The new one does (bob's policy then asks for his second factor).
    emu.password(BOB, NEW).await.expect_mfa_required();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_allowed_factor_recovers() {
    let emu = Emu::start().await;
    recovery_token(&emu.recover(BOB, "sms", &[]).await);
    emu.advance(30).await;
    recovery_token(&emu.recover(BOB, "voice", &[]).await);
    recovery_token(&emu.recover(BOB, "push", &[]).await);
    // Kotlin's parameter instead of Swift's.
    emu.advance(30).await;
    recovery_token(
        &emu.recover(BOB, "sms", &[("prompt", "recover_authenticator")])
            .await,
    );
    // Dave's sign-in needs his password first; recovery does not (when the client says
    // so at /primary-authenticate). His pushes use number challenge.
    let r = emu
        .primary_authenticate(&[
            ("login_hint", DAVE),
            ("challenge_hint", GRANT_OOB),
            ("channel_hint", "push"),
            ("intent", "recovery"),
        ])
        .await;
    let oob = r.str("oob_code");
    let number: u32 = r.str("binding_code").parse().unwrap();
    let id = emu.push_id(DAVE).await;
    emu.approve(&id, Some(number)).await;
    recovery_token(
        &emu.token(&[
            ("grant_type", GRANT_OOB),
            ("oob_code", &oob),
            ("scope", PASSWORD_MANAGE),
            ("intent", "recovery"),
        ])
        .await,
    );
    // Without the intent, Dave's sign-in policy refuses a push first.
    emu.primary_oob(DAVE, "push")
        .await
        .expect_error(403, "access_denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn factors_outside_the_recovery_policy_are_refused() {
    let emu = Emu::start().await;
    // The password cannot recover itself (and is not even checked).
    for password in [PASSWORD, "wrong"] {
        emu.token(&[
            ("grant_type", GRANT_PASSWORD),
            ("username", BOB),
            ("password", password),
            ("scope", PASSWORD_MANAGE),
            ("intent", "recovery"),
        ])
        .await
        .expect_error(403, "access_denied");
    }
    // An authenticator-app code is not a recovery factor by default.
    let code = emu.totp().await;
    emu.token(&[
        ("grant_type", GRANT_OTP),
        ("login_hint", BOB),
        ("otp", &code),
        ("scope", PASSWORD_MANAGE),
        ("intent", "recovery"),
    ])
    .await
    .expect_error(403, "access_denied");
    // Carol has no password to recover.
    emu.recover(CAROL, "email", &[])
        .await
        .expect_error(403, "access_denied");
    // An unknown user gets the sign-in answer at primary-authenticate.
    emu.primary_oob("nobody@example.com", "email")
        .await
        .expect_error(400, "invalid_grant");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_asks_only_for_the_password_scopes() {
    let emu = Emu::start().await;
    let oob = emu.primary_oob(BOB, "email").await.str("oob_code");
    let code = emu.last_code(BOB).await;
    let emu = &emu;
    let (oob, code) = (&oob, &code);
    let redeem = |scope: &'static str, intent: &'static str| async move {
        emu.token(&[
            ("grant_type", GRANT_OOB),
            ("oob_code", oob),
            ("binding_code", code),
            ("scope", scope),
            ("intent", intent),
        ])
        .await
    };
    redeem("openid okta.myAccount.password.manage", "recovery")
        .await
        .expect_error(400, "invalid_scope");
    redeem(PASSWORD_MANAGE, "reset")
        .await
        .expect_error(400, "invalid_request");
    emu.token(&[
        ("grant_type", GRANT_PASSWORD),
        ("username", BOB),
        ("password", PASSWORD),
        ("scope", PASSWORD_MANAGE),
        ("prompt", "login"),
    ])
    .await
    .expect_error(400, "invalid_request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recovery_token_is_no_sign_in() {
    let emu = Emu::start().await;
    let token = recovery_token(&emu.recover(BOB, "email", &[]).await);
    let r = emu
        .send(
            emu.http
                .get(emu.endpoint(As::Default, "userinfo"))
                .bearer_auth(&token),
        )
        .await;
    r.expect_error(403, "insufficient_scope");
    emu.myaccount("GET", "/phones", Some(&token), None)
        .await
        .expect_error(403, "E0000006");
    let intro = emu.introspect(&token).await;
    assert_eq!(intro["active"], true);
    assert_eq!(intro["scope"], PASSWORD_MANAGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_flow_cannot_turn_into_recovery() {
    let emu = Emu::start().await;
    // The first /token call of a primary flow fixes the intent; later calls keep it.
    let oob = emu.primary_oob(BOB, "email").await.str("oob_code");
    let code = emu.last_code(BOB).await;
    emu.token(&[
        ("grant_type", GRANT_OOB),
        ("oob_code", &oob),
        ("binding_code", "000000"),
        ("scope", PASSWORD_MANAGE),
    ])
    .await;
    emu.token(&[
        ("grant_type", GRANT_OOB),
        ("oob_code", &oob),
        ("binding_code", &code),
        ("scope", PASSWORD_MANAGE),
        ("intent", "recovery"),
    ])
    .await
    .expect_error(400, "invalid_request");
}
