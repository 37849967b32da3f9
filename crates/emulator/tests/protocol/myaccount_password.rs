//! The MyAccount Password API and what guards every MyAccount call: the bearer token, the
//! `okta-version` Accept header, the scopes, the 15-minute authentication age with its
//! exact challenge, the password policy (length, complexity, username, history) and the
//! new password taking effect for sign-in (docs/okta-myaccount-and-recovery.md §3–§5).

use serde_json::json;

use crate::common::*;

const NEW: &str = "Tr1cky-Horse";
const CHALLENGE: &str = r#"Bearer realm="IdpMyAccountAPI", error="insufficient_authentication_context", error_description="The access token requires additional assurance to access the resource", max_age=900, acr_values="urn:okta:loa:2fa:any:ifpossible""#;

fn new_password(p: &str) -> Option<serde_json::Value> {
    Some(json!({ "profile": { "password": p } }))
}

async fn alice(emu: &Emu, scope: &str) -> String {
    emu.password_with(ALICE, PASSWORD, scope)
        .await
        .str("access_token")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replace_changes_the_sign_in_password() {
    let emu = Emu::start().await;
    let token = alice(&emu, &format!("openid {PASSWORD_MANAGE}")).await;
    let r = emu
        .myaccount("PUT", "/password", Some(&token), new_password(NEW))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["status"], "ACTIVE");
    assert!(r.json["id"].as_str().unwrap().starts_with("00T"));
    assert!(r.json["_links"]["self"]["href"]
        .as_str()
        .unwrap()
        .ends_with("/idp/myaccount/password"));
    assert_eq!(
        r.header("Content-Type"),
        Some("application/json;okta-version=1.0.0")
    );
    assert!(!r.text.contains(NEW));
    emu.password(ALICE, PASSWORD)
        .await
        .expect_error(400, "invalid_grant");
    emu.password(ALICE, NEW).await.expect_tokens();
    let status = emu.user(ALICE).await;
    assert!(status["password_changed_at"].as_i64().is_some());
    // Back to the seed on reset.
    emu.reset().await;
    emu.password(ALICE, PASSWORD).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_needs_the_current_password() {
    let emu = Emu::start().await;
    let token = alice(&emu, PASSWORD_MANAGE).await;
    let change = |old: &str, new: &str| json!({ "oldPassword": old, "newPassword": new });
    let r = emu
        .myaccount(
            "POST",
            "/password/change-password",
            Some(&token),
            Some(change("wrong-Passw0rd", NEW)),
        )
        .await;
    r.expect_error(403, "E0000014");
    let r = emu
        .myaccount(
            "POST",
            "/password/change-password",
            Some(&token),
            Some(change(PASSWORD, NEW)),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert!(r.text.is_empty());
    emu.password(ALICE, NEW).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_failures_list_every_broken_rule() {
    let emu = Emu::start().await;
    let token = alice(&emu, PASSWORD_MANAGE).await;
    let reasons = |r: &Resp| -> Vec<String> {
        r.json["errorCauses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["reason"].as_str().unwrap().to_string())
            .collect()
    };
    for (candidate, expected) in [
        ("Sh0rt", vec!["LENGTH_MINIMUM"]),
        ("all-lower-case-9", vec!["UPPER_CASE_REQUIRED"]),
        ("NoDigitsHere", vec!["NUMBER_REQUIRED"]),
        ("ALL-UPPER-9", vec!["LOWER_CASE_REQUIRED"]),
        ("Alice-Rocks-1", vec!["USERNAME_INCLUDED"]),
        (
            "x",
            vec!["LENGTH_MINIMUM", "UPPER_CASE_REQUIRED", "NUMBER_REQUIRED"],
        ),
    ] {
        let r = emu
            .myaccount("PUT", "/password", Some(&token), new_password(candidate))
            .await;
        r.expect_error(400, "E0000001");
        assert_eq!(r.json["errorSummary"], "Api validation failed: password");
        assert_eq!(reasons(&r), expected, "{candidate}: {}", r.text);
        assert!(
            !r.text.contains(candidate) || candidate == "x",
            "{}",
            r.text
        );
    }
    // Nothing changed.
    emu.password(ALICE, PASSWORD).await.expect_tokens();
    // Malformed bodies.
    emu.myaccount(
        "PUT",
        "/password",
        Some(&token),
        Some(json!({"profile": {}})),
    )
    .await
    .expect_error(400, "E0000001");
    let r = emu
        .send(
            emu.http
                .put(format!("{}/idp/myaccount/password", emu.base_url()))
                .header("Accept", ACCEPT_V1)
                .bearer_auth(&token)
                .body("not json"),
        )
        .await;
    r.expect_error(400, "E0000003");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_four_passwords_cannot_be_reused() {
    let emu = Emu::start().await;
    let token = alice(&emu, PASSWORD_MANAGE).await;
    let put = |p: &'static str| emu.myaccount("PUT", "/password", Some(&token), new_password(p));
    // The current password is part of the history.
    let r = put(PASSWORD).await;
    r.expect_error(400, "E0000001");
    assert_eq!(r.json["errorCauses"][0]["reason"], "PASSWORD_HISTORY");
    assert_eq!(put("Second-Pass1").await.status, 201);
    assert_eq!(put("Third-Pass1").await.status, 201);
    put(PASSWORD).await.expect_error(400, "E0000001");
    assert_eq!(put("Fourth-Pass1").await.status, 201);
    // History now: Fourth, Third, Second, the original: still refused.
    put(PASSWORD).await.expect_error(400, "E0000001");
    assert_eq!(put("Fifth-Pass1").await.status, 201);
    // The original has left the last four.
    assert_eq!(put(PASSWORD).await.status, 201);
    emu.password(ALICE, PASSWORD).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_need_an_authentication_at_most_15_minutes_old() {
    let emu = Emu::start().await;
    let body = emu
        .password_with(
            ALICE,
            PASSWORD,
            &format!("{PASSWORD_MANAGE} offline_access"),
        )
        .await
        .expect_tokens()
        .clone();
    let token = body["access_token"].as_str().unwrap().to_string();
    emu.advance(900).await;
    let r = emu.myaccount("GET", "/password", Some(&token), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    emu.advance(1).await;
    let r = emu
        .myaccount("PUT", "/password", Some(&token), new_password(NEW))
        .await;
    r.expect_error(403, "E0000006");
    assert_eq!(r.header("WWW-Authenticate"), Some(CHALLENGE));
    // Reads stay allowed.
    let r = emu.myaccount("GET", "/password", Some(&token), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A refreshed token keeps the old authentication time.
    let refreshed = emu
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ])
        .await
        .str("access_token");
    emu.myaccount("PUT", "/password", Some(&refreshed), new_password(NEW))
        .await
        .expect_error(403, "E0000006");
    // A fresh sign-in may write again.
    let fresh = alice(&emu, PASSWORD_MANAGE).await;
    let r = emu
        .myaccount("PUT", "/password", Some(&fresh), new_password(NEW))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_token_and_version_are_enforced() {
    let emu = Emu::start().await;
    let signed_in = alice(&emu, "openid profile").await;
    let r = emu
        .myaccount("GET", "/password", Some(&signed_in), None)
        .await;
    r.expect_error(403, "E0000006");
    let header = r.header("WWW-Authenticate").unwrap();
    assert!(header.contains(r#"error="insufficient_scope""#), "{header}");
    // The read scope reads but does not write.
    let read = alice(&emu, "okta.myAccount.password.read").await;
    let r = emu.myaccount("GET", "/password", Some(&read), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    emu.myaccount("PUT", "/password", Some(&read), new_password(NEW))
        .await
        .expect_error(403, "E0000006");
    let r = emu
        .myaccount(
            "GET",
            "/password/complexity-requirements",
            Some(&read),
            None,
        )
        .await;
    assert_eq!(r.json["complexity"]["minLength"], 8, "{}", r.text);
    assert_eq!(r.json["age"]["historyCount"], 4);
    // No token, a forged one, a revoked one.
    let r = emu.myaccount("GET", "/password", None, None).await;
    r.expect_error(401, "E0000011");
    assert!(r
        .header("WWW-Authenticate")
        .unwrap()
        .contains(r#"error="invalid_token""#));
    emu.myaccount("GET", "/password", Some("eyJhbGciOiJub25lIn0.e30."), None)
        .await
        .expect_error(401, "E0000011");
    emu.call("revoke", &[("token", &read)]).await;
    emu.myaccount("GET", "/password", Some(&read), None)
        .await
        .expect_error(401, "E0000011");
    // Without the API version in Accept.
    let manage = alice(&emu, PASSWORD_MANAGE).await;
    let r = emu
        .send(
            emu.http
                .get(format!("{}/idp/myaccount/password", emu.base_url()))
                .header("Accept", "application/json")
                .bearer_auth(&manage),
        )
        .await;
    assert_eq!(r.status, 406, "{}", r.text);
    // Tokens of the org authorization server work too.
    let org = emu
        .post_form(
            &emu.endpoint(As::Org, "token"),
            &Auth::Basic,
            &[
                ("grant_type", GRANT_PASSWORD),
                ("username", ALICE),
                ("password", PASSWORD),
                ("scope", PASSWORD_MANAGE),
            ],
        )
        .await
        .str("access_token");
    let r = emu.myaccount("GET", "/password", Some(&org), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Injected faults reach the MyAccount API too.
    emu.fault("myaccount", "status", serde_json::json!({ "status": 503 }))
        .await;
    emu.myaccount("GET", "/password", Some(&org), None)
        .await
        .expect_error(503, "E0000009");
    let r = emu.myaccount("GET", "/password", Some(&org), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_without_a_password_has_none_to_change() {
    let emu = Emu::start().await;
    // Carol signs in with a TOTP code only.
    let code = emu.totp().await;
    let token = emu
        .token(&[
            ("grant_type", GRANT_OTP),
            ("login_hint", CAROL),
            ("otp", &code),
            ("scope", PASSWORD_MANAGE),
        ])
        .await
        .str("access_token");
    emu.myaccount("GET", "/password", Some(&token), None)
        .await
        .expect_error(404, "E0000007");
    emu.myaccount("PUT", "/password", Some(&token), new_password(NEW))
        .await
        .expect_error(404, "E0000007");
}
