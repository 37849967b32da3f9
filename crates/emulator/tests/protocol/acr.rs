//! `acr_values` (protocol reference §2.4): `urn:okta:loa:2fa:any` asks for two factors
//! whatever the sign-in policy says (refused for a user with no second factor);
//! `…:2fa:any:ifpossible` asks for two only when the user has a second one; the value must
//! stay the same through the flow.

use crate::common::*;

const TWO: &str = "urn:okta:loa:2fa:any";
const TWO_IF_POSSIBLE: &str = "urn:okta:loa:2fa:any:ifpossible";

async fn carol_otp(emu: &Emu, acr: Option<&str>) -> Resp {
    let otp = emu.totp().await;
    let mut params = vec![
        ("grant_type", GRANT_OTP),
        ("login_hint", CAROL),
        ("otp", otp.as_str()),
        ("scope", SCOPE),
    ];
    if let Some(acr) = acr {
        params.push(("acr_values", acr));
    }
    emu.token(&params).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_factors_asked_for_turn_a_one_factor_sign_in_into_mfa_required() {
    let emu = Emu::start().await;
    // carol's policy wants one factor: her authenticator code alone signs her in...
    carol_otp(&emu, None).await.expect_tokens();
    // ...unless two are asked for.
    emu.advance(30).await;
    let mfa_token = carol_otp(&emu, Some(TWO)).await.expect_mfa_required();
    // The second factor, with the same acr_values, completes it with two amr values.
    let challenge = emu
        .challenge(&[
            ("mfa_token", mfa_token.as_str()),
            (
                "challenge_types_supported",
                "http://auth0.com/oauth/grant-type/mfa-oob",
            ),
            ("channel_hint", "email"),
            ("acr_values", TWO),
        ])
        .await;
    let oob_code = challenge.str("oob_code");
    let code = emu.last_code(CAROL).await;
    let done = emu
        .token(&[
            ("grant_type", GRANT_MFA_OOB),
            ("mfa_token", mfa_token.as_str()),
            ("oob_code", oob_code.as_str()),
            ("binding_code", code.as_str()),
            ("scope", SCOPE),
            ("acr_values", TWO),
        ])
        .await;
    let body = done.expect_tokens();
    let id = emu
        .verify(
            body["id_token"].as_str().unwrap(),
            As::Default,
            "demo-portal",
        )
        .await;
    let amr: Vec<String> = serde_json::from_value(id["amr"].clone()).unwrap();
    assert!(amr.contains(&"mfa".to_string()), "{amr:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_factors_from_a_user_with_one_are_refused_unless_only_if_possible() {
    let emu = Emu::start().await;
    let asked = |acr: &'static str| {
        let emu = &emu;
        async move {
            emu.token(&[
                ("grant_type", GRANT_PASSWORD),
                ("username", ALICE),
                ("password", PASSWORD),
                ("scope", SCOPE),
                ("acr_values", acr),
            ])
            .await
        }
    };
    asked(TWO).await.expect_error(403, "access_denied");
    asked(TWO_IF_POSSIBLE).await.expect_tokens();
}
