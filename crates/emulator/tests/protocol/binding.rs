//! Per-flow binding rules (§2.4): a follow-up call must repeat the client, the
//! authorization server, the scope, `acr_values` and `intent` of the call that started the
//! flow, and an `oob_code` only goes with its own `mfa_token`.

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_up_from_another_client_is_invalid_client() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    let code = emu.totp().await;
    let url = emu.endpoint(As::Default, "token");
    let params = [
        ("grant_type", GRANT_MFA_OTP),
        ("mfa_token", mfa.as_str()),
        ("otp", code.as_str()),
        ("scope", SCOPE),
    ];
    emu.post_form(&url, &Auth::Public, &params)
        .await
        .expect_error(401, "invalid_client");
    emu.post_form(&url, &Auth::Jwt, &params)
        .await
        .expect_error(401, "invalid_client");
    emu.post_form(
        &emu.endpoint(As::Default, "challenge"),
        &Auth::Public,
        &[
            ("mfa_token", mfa.as_str()),
            ("challenge_types_supported", GRANT_MFA_OOB),
            ("channel_hint", "push"),
        ],
    )
    .await
    .expect_error(401, "invalid_client");
    // The right client still completes the flow.
    emu.mfa_otp(&mfa, &code).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_up_on_another_authorization_server_is_invalid_request() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    let code = emu.totp().await;
    emu.post_form(
        &emu.endpoint(As::Org, "token"),
        &Auth::Basic,
        &[
            ("grant_type", GRANT_MFA_OTP),
            ("mfa_token", mfa.as_str()),
            ("otp", code.as_str()),
            ("scope", SCOPE),
        ],
    )
    .await
    .expect_error(400, "invalid_request");
    emu.post_form(
        &emu.endpoint(As::Org, "challenge"),
        &Auth::Basic,
        &[
            ("mfa_token", mfa.as_str()),
            ("challenge_types_supported", GRANT_MFA_OOB),
            ("channel_hint", "push"),
        ],
    )
    .await
    .expect_error(400, "invalid_request");
    emu.mfa_otp(&mfa, &code).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_up_with_another_scope_is_invalid_scope() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    let code = emu.totp().await;
    for scope in ["openid", "openid profile email offline_access phone"] {
        emu.token(&[
            ("grant_type", GRANT_MFA_OTP),
            ("mfa_token", &mfa),
            ("otp", &code),
            ("scope", scope),
        ])
        .await
        .expect_error(400, "invalid_scope");
    }
    // Same scopes in another order are the same scope.
    emu.token(&[
        ("grant_type", GRANT_MFA_OTP),
        ("mfa_token", &mfa),
        ("otp", &code),
        ("scope", "offline_access email profile openid"),
    ])
    .await
    .expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_up_with_other_acr_values_is_invalid_request() {
    let emu = Emu::start().await;
    let mfa = emu
        .token(&[
            ("grant_type", "password"),
            ("username", BOB),
            ("password", PASSWORD),
            ("scope", SCOPE),
            ("acr_values", "urn:okta:loa:2fa:any"),
        ])
        .await
        .expect_mfa_required();
    let code = emu.totp().await;
    // Dropped acr_values.
    emu.mfa_otp(&mfa, &code)
        .await
        .expect_error(400, "invalid_request");
    // Changed acr_values.
    emu.token(&[
        ("grant_type", GRANT_MFA_OTP),
        ("mfa_token", &mfa),
        ("otp", &code),
        ("scope", SCOPE),
        ("acr_values", "urn:okta:loa:1fa:any"),
    ])
    .await
    .expect_error(400, "invalid_request");
    // Changed at /challenge too.
    emu.challenge(&[
        ("mfa_token", &mfa),
        ("challenge_types_supported", GRANT_MFA_OOB),
        ("channel_hint", "push"),
    ])
    .await
    .expect_error(400, "invalid_request");
    // Repeated: fine.
    emu.token(&[
        ("grant_type", GRANT_MFA_OTP),
        ("mfa_token", &mfa),
        ("otp", &code),
        ("scope", SCOPE),
        ("acr_values", "urn:okta:loa:2fa:any"),
    ])
    .await
    .expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_up_with_another_intent_is_invalid_request() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    let code = emu.totp().await;
    emu.token(&[
        ("grant_type", GRANT_MFA_OTP),
        ("mfa_token", &mfa),
        ("otp", &code),
        ("scope", SCOPE),
        ("intent", "recovery"),
    ])
    .await
    .expect_error(400, "invalid_request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oob_code_from_another_flow_is_invalid_request() {
    let emu = Emu::start().await;
    let first = emu.mfa_token(BOB).await;
    let oob = emu.challenge_oob(&first, "push").await.str("oob_code");
    let second = emu.mfa_token(BOB).await;
    emu.mfa_oob(&second, &oob, None)
        .await
        .expect_error(400, "invalid_request");
    // A primary oob_code is not for any mfa_token either.
    let carol = emu.primary_oob(CAROL, "email").await.str("oob_code");
    emu.mfa_oob(&second, &carol, None)
        .await
        .expect_error(400, "invalid_request");
    // And an MFA oob_code cannot be redeemed with the primary oob grant.
    emu.oob_grant(&oob, None)
        .await
        .expect_error(400, "invalid_request");
    // The original pairing still works.
    emu.mfa_oob(&first, &oob, None)
        .await
        .expect_error(400, "authorization_pending");
}
