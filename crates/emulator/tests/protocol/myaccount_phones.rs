//! The MyAccount Phone API: the phone object, the lifecycle (add → UNVERIFIED, challenge
//! by SMS or call, verify → VERIFIED, delete), codes in the outbox valid five minutes, one
//! challenge per number per 30 s, the scopes, the 15-minute rule, 2FA-if-possible, and a
//! verified phone signing the user in (docs/okta-myaccount-and-recovery.md §6).

use serde_json::{json, Value};

use crate::common::*;

const NUMBER: &str = "+1 (444) 444-4444";

fn add(number: &str, method: &str) -> Option<Value> {
    Some(json!({ "profile": { "phoneNumber": number }, "sendCode": true, "method": method }))
}

async fn bob(emu: &Emu) -> String {
    emu.bob_token_with(&format!("openid {PHONE_MANAGE}")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_lifecycle() {
    let emu = Emu::start().await;
    let token = bob(&emu).await;
    // Bob's enrolled phone, verified.
    let r = emu.myaccount("GET", "/phones", Some(&token), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let list = r.json.as_array().unwrap().clone();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["status"], "VERIFIED");
    assert_eq!(list[0]["profile"]["phoneNumber"], "+1 555 0100");
    assert!(list[0]["id"].as_str().unwrap().starts_with("sms"));
    assert!(list[0]["_links"]["verify"].is_null());

    // Add one: UNVERIFIED, a code by SMS in the outbox.
    let r = emu
        .myaccount("POST", "/phones", Some(&token), add(NUMBER, "SMS"))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_str().unwrap().to_string();
    assert_eq!(r.json["status"], "UNVERIFIED");
    assert_eq!(r.json["profile"]["phoneNumber"], NUMBER);
    let base = format!("{}/idp/myaccount/phones/{id}", emu.base_url());
    assert_eq!(r.header("Location"), Some(base.as_str()));
    assert_eq!(r.json["_links"]["self"]["href"], base);
    assert_eq!(
        r.json["_links"]["self"]["hints"]["allow"],
        json!(["GET", "DELETE"])
    );
    assert_eq!(
        r.json["_links"]["challenge"]["href"],
        format!("{base}/challenge")
    );
    assert_eq!(r.json["_links"]["verify"]["href"], format!("{base}/verify"));
    let sms = emu.outbox(BOB).await[0].clone();
    assert_eq!(
        (sms["channel"].as_str(), sms["to"].as_str()),
        (Some("sms"), Some(NUMBER))
    );
    let code = sms["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 6);

    // A wrong code, then the right one.
    let verify = |c: &str| json!({ "verificationCode": c });
    let wrong = if code == "000000" { "111111" } else { "000000" };
    emu.myaccount(
        "POST",
        &format!("/phones/{id}/verify"),
        Some(&token),
        Some(verify(wrong)),
    )
    .await
    .expect_error(401, "E0000004");
    let r = emu
        .myaccount(
            "POST",
            &format!("/phones/{id}/verify"),
            Some(&token),
            Some(verify(&code)),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = emu
        .myaccount("GET", &format!("/phones/{id}"), Some(&token), None)
        .await;
    assert_eq!(r.json["status"], "VERIFIED", "{}", r.text);
    // Verifying again is a no-op.
    let r = emu
        .myaccount(
            "POST",
            &format!("/phones/{id}/verify"),
            Some(&token),
            Some(verify(&code)),
        )
        .await;
    assert_eq!(r.status, 204);
    let phones = emu.user(BOB).await["phones"].as_array().unwrap().clone();
    assert_eq!(phones.len(), 2);
    assert!(phones.iter().all(|p| p["status"] == "VERIFIED"));

    // Delete it.
    let r = emu
        .myaccount("DELETE", &format!("/phones/{id}"), Some(&token), None)
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    emu.myaccount("GET", &format!("/phones/{id}"), Some(&token), None)
        .await
        .expect_error(404, "E0000008");
    emu.myaccount("DELETE", &format!("/phones/{id}"), Some(&token), None)
        .await
        .expect_error(404, "E0000008");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_phone_signs_the_user_in() {
    let emu = Emu::start().await;
    let token = bob(&emu).await;
    let old = emu
        .myaccount("GET", "/phones", Some(&token), None)
        .await
        .json[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    emu.myaccount("DELETE", &format!("/phones/{old}"), Some(&token), None)
        .await;
    // Without a phone, no SMS second factor.
    let mfa = emu.mfa_token(BOB).await;
    emu.challenge_oob(&mfa, "sms")
        .await
        .expect_error(403, "access_denied");
    // An unverified phone is not a factor either.
    let r = emu
        .myaccount("POST", "/phones", Some(&token), add(NUMBER, "CALL"))
        .await;
    let id = r.str("id");
    let call = emu.outbox(BOB).await[0].clone();
    assert_eq!(call["channel"], "voice");
    emu.challenge_oob(&mfa, "sms")
        .await
        .expect_error(403, "access_denied");
    let code = call["code"].as_str().unwrap().to_string();
    emu.myaccount(
        "POST",
        &format!("/phones/{id}/verify"),
        Some(&token),
        Some(json!({ "verificationCode": code })),
    )
    .await;
    // Verified: the sign-in texts the new number (after the 30 s window of the call).
    emu.advance(30).await;
    let mfa = emu.mfa_token(BOB).await;
    let oob = emu.challenge_oob(&mfa, "sms").await.str("oob_code");
    let sms = emu.outbox(BOB).await[0].clone();
    assert_eq!(sms["to"], NUMBER);
    emu.mfa_oob(&mfa, &oob, sms["code"].as_str())
        .await
        .expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_challenge_per_30_seconds_and_codes_last_five_minutes() {
    let emu = Emu::start().await;
    let token = bob(&emu).await;
    let r = emu
        .myaccount(
            "POST",
            "/phones",
            Some(&token),
            Some(json!({ "profile": { "phoneNumber": NUMBER }, "sendCode": false })),
        )
        .await;
    let id = r.str("id");
    assert!(emu.outbox(BOB).await.iter().all(|m| m["to"] != NUMBER));
    let challenge = |method: &str| json!({ "method": method, "retry": false });
    let path = format!("/phones/{id}/challenge");
    let r = emu
        .myaccount("POST", &path, Some(&token), Some(challenge("SMS")))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json["_links"]["verify"]["href"],
        format!("{}/idp/myaccount/phones/{id}/verify", emu.base_url())
    );
    emu.advance(29).await;
    let r = emu
        .myaccount("POST", &path, Some(&token), Some(challenge("CALL")))
        .await;
    r.expect_error(429, "E0000047");
    assert_eq!(r.header("X-Rate-Limit-Remaining"), Some("0"));
    let to_number = |list: Vec<Value>| list.iter().filter(|m| m["to"] == NUMBER).count();
    assert_eq!(to_number(emu.outbox(BOB).await), 1);
    emu.advance(1).await;
    let r = emu
        .myaccount("POST", &path, Some(&token), Some(challenge("CALL")))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let code = emu.last_code(BOB).await;
    // Five minutes later the code is gone: no transaction to answer.
    emu.advance(300).await;
    emu.myaccount(
        "POST",
        &format!("/phones/{id}/verify"),
        Some(&token),
        Some(json!({ "verificationCode": code })),
    )
    .await
    .expect_error(409, "E0000157");
    // A bad method.
    emu.myaccount("POST", &path, Some(&token), Some(challenge("FAX")))
        .await
        .expect_error(400, "E0000001");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_numbers_and_duplicates_are_refused() {
    let emu = Emu::start().await;
    let token = bob(&emu).await;
    for bad in ["555-0100", "+1 555 abcd", "+1234", "+12345678901234567"] {
        emu.myaccount("POST", "/phones", Some(&token), add(bad, "SMS"))
            .await
            .expect_error(400, "E0000001");
    }
    // Bob's own number, written differently.
    emu.myaccount("POST", "/phones", Some(&token), add("+15550100", "SMS"))
        .await
        .expect_error(409, "E0000157");
    emu.myaccount("POST", "/phones", Some(&token), add(NUMBER, "PIGEON"))
        .await
        .expect_error(400, "E0000001");
    emu.myaccount("GET", "/phones/sms00000000000000000", Some(&token), None)
        .await
        .expect_error(404, "E0000008");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_scopes_age_and_two_factors() {
    let emu = Emu::start().await;
    // The read scope lists but does not add.
    let read = emu.bob_token_with(PHONE_READ).await;
    let r = emu.myaccount("GET", "/phones", Some(&read), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    emu.myaccount("POST", "/phones", Some(&read), add(NUMBER, "SMS"))
        .await
        .expect_error(403, "E0000006");
    // Without a phone scope, not even a list.
    let other = emu.bob_token_with(PASSWORD_MANAGE).await;
    emu.myaccount("GET", "/phones", Some(&other), None)
        .await
        .expect_error(403, "E0000006");
    // Older than 15 minutes: the challenge.
    let manage = bob(&emu).await;
    emu.advance(901).await;
    let r = emu
        .myaccount("POST", "/phones", Some(&manage), add(NUMBER, "SMS"))
        .await;
    r.expect_error(403, "E0000006");
    assert!(r
        .header("WWW-Authenticate")
        .unwrap()
        .contains("insufficient_authentication_context"));
    // Carol has several authenticators but signed in with one: 2FA if possible.
    let code = emu.totp().await;
    let carol = emu
        .token(&[
            ("grant_type", GRANT_OTP),
            ("login_hint", CAROL),
            ("otp", &code),
            ("scope", PHONE_MANAGE),
        ])
        .await
        .str("access_token");
    let r = emu.myaccount("GET", "/phones", Some(&carol), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = emu
        .myaccount("POST", "/phones", Some(&carol), add(NUMBER, "SMS"))
        .await;
    r.expect_error(403, "E0000006");
    assert!(r
        .header("WWW-Authenticate")
        .unwrap()
        .contains(r#"acr_values="urn:okta:loa:2fa:any:ifpossible""#));
    // Alice has only her password: one factor is all that is possible.
    let alice = emu
        .password_with(ALICE, PASSWORD, PHONE_MANAGE)
        .await
        .str("access_token");
    let r = emu
        .myaccount("POST", "/phones", Some(&alice), add(NUMBER, "SMS"))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}
