//! `/token` basics: flow A (password only) and its tokens (§3, §9), bad credentials,
//! lockout, `grant_types_supported`, and malformed requests.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::common::*;

fn at_hash(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(access_token.as_bytes())[..16])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_only_issues_access_id_and_refresh_tokens() {
    let emu = Emu::start().await;
    let before = emu.now().await;
    let r = emu.password(ALICE, PASSWORD).await;
    let body = r.expect_tokens();
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], SCOPE);
    assert!(body["refresh_token"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    assert_eq!(r.header("Cache-Control"), Some("no-store"));

    let access = body["access_token"].as_str().unwrap();
    let id = body["id_token"].as_str().unwrap();
    let idc = emu.verify(id, As::Default, "demo-portal").await;
    assert_eq!(idc["iss"], emu.issuer(As::Default).as_str());
    assert_eq!(idc["aud"], "demo-portal");
    assert_eq!(idc["ver"], 1);
    let sub = idc["sub"].as_str().unwrap();
    assert!(sub.starts_with("00u"), "{sub}");
    assert_eq!(idc["amr"], json!(["pwd"]));
    let auth_time = idc["auth_time"].as_i64().unwrap();
    assert!(auth_time >= before && auth_time <= before + 5);
    assert_eq!(
        idc["exp"].as_i64().unwrap() - idc["iat"].as_i64().unwrap(),
        3600
    );
    assert_eq!(idc["at_hash"], at_hash(access).as_str());
    assert!(idc["idp"].as_str().unwrap().starts_with("00o"));
    assert!(idc["jti"].as_str().unwrap().starts_with("ID."));
    assert_eq!(idc["name"], "Alice Anderson");
    assert_eq!(idc["preferred_username"], ALICE);
    assert_eq!(idc["email"], ALICE);
    assert!(idc.get("nonce").is_none());

    let atc = emu.verify(access, As::Default, "api://default").await;
    assert_eq!(atc["iss"], emu.issuer(As::Default).as_str());
    assert_eq!(atc["aud"], "api://default");
    assert_eq!(atc["cid"], "demo-portal");
    assert_eq!(atc["uid"], sub);
    assert_eq!(atc["sub"], ALICE);
    assert_eq!(
        atc["scp"],
        json!(["openid", "profile", "email", "offline_access"])
    );
    assert!(atc["jti"].as_str().unwrap().starts_with("AT."));
    assert_eq!(atc["auth_time"], auth_time);
    assert_eq!(atc["ver"], 1);
    assert_eq!(
        atc["exp"].as_i64().unwrap() - atc["iat"].as_i64().unwrap(),
        3600
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_and_email_claims_follow_the_scopes() {
    let emu = Emu::start().await;
    let r = emu
        .token(&[
            ("grant_type", "password"),
            ("username", ALICE),
            ("password", PASSWORD),
            ("scope", "openid"),
        ])
        .await;
    let body = r.expect_tokens().clone();
    assert_eq!(body["scope"], "openid");
    assert!(
        body.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );
    let idc = claims_of(body["id_token"].as_str().unwrap());
    for claim in ["name", "preferred_username", "email"] {
        assert!(idc.get(claim).is_none(), "{claim} without its scope");
    }

    emu.advance(1).await;
    let r = emu
        .token(&[
            ("grant_type", "password"),
            ("username", ALICE),
            ("password", PASSWORD),
            ("scope", "openid profile"),
        ])
        .await;
    let idc = claims_of(r.expect_tokens()["id_token"].as_str().unwrap());
    assert_eq!(idc["name"], "Alice Anderson");
    assert!(idc.get("email").is_none());

    let r = emu
        .token(&[
            ("grant_type", "password"),
            ("username", ALICE),
            ("password", PASSWORD),
            ("scope", "openid email"),
        ])
        .await;
    let idc = claims_of(r.expect_tokens()["id_token"].as_str().unwrap());
    assert_eq!(idc["email"], ALICE);
    assert!(idc.get("name").is_none());

    // No openid: an access token but no ID token.
    let r = emu
        .token(&[
            ("grant_type", "password"),
            ("username", ALICE),
            ("password", PASSWORD),
            ("scope", "profile"),
        ])
        .await;
    assert!(r.expect_tokens().get("id_token").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_problems_are_invalid_scope() {
    let emu = Emu::start().await;
    for scope in [None, Some("openid nonsense")] {
        let mut params = vec![
            ("grant_type", "password"),
            ("username", ALICE),
            ("password", PASSWORD),
        ];
        if let Some(s) = scope {
            params.push(("scope", s));
        }
        emu.token(&params).await.expect_error(400, "invalid_scope");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_authorization_server_issues_tokens_with_the_org_issuer() {
    let emu = Emu::start().await;
    let r = emu
        .post_form(
            &emu.endpoint(As::Org, "token"),
            &Auth::Basic,
            &[
                ("grant_type", "password"),
                ("username", ALICE),
                ("password", PASSWORD),
                ("scope", SCOPE),
            ],
        )
        .await;
    let body = r.expect_tokens();
    let idc = emu
        .verify(body["id_token"].as_str().unwrap(), As::Org, "demo-portal")
        .await;
    assert_eq!(idc["iss"], emu.base_url());
    let atc = emu
        .verify(
            body["access_token"].as_str().unwrap(),
            As::Org,
            emu.base_url(),
        )
        .await;
    assert_eq!(atc["iss"], emu.base_url());
    assert_eq!(atc["aud"], emu.base_url());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_unknown_suspended_and_locked_look_identical() {
    let emu = Emu::start().await;
    // Lock dave first (10 wrong passwords; one second apart for the 4/s per-user limit).
    for _ in 0..10 {
        emu.password(DAVE, "wrong")
            .await
            .expect_error(400, "invalid_grant");
        emu.advance(1).await;
    }
    let cases = [
        (ALICE, "not-the-password"),
        ("nobody@example.com", PASSWORD),
        (ERIN, PASSWORD),
        (DAVE, PASSWORD),
    ];
    let mut bodies = vec![];
    for (user, password) in cases {
        let r = emu.password(user, password).await;
        r.expect_error(400, "invalid_grant");
        assert!(r.json.get("mfa_token").is_none());
        bodies.push(r.text.clone());
    }
    assert!(bodies.iter().all(|b| b == &bodies[0]), "{bodies:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_consecutive_failures_lock_the_account_until_reset() {
    let emu = Emu::start().await;
    for i in 1..=9 {
        emu.password(ALICE, "wrong")
            .await
            .expect_error(400, "invalid_grant");
        assert_eq!(emu.user(ALICE).await["failed_passwords"], i);
        emu.advance(1).await;
    }
    assert_eq!(emu.user(ALICE).await["locked"], false);
    emu.password(ALICE, "wrong")
        .await
        .expect_error(400, "invalid_grant");
    let status = emu.user(ALICE).await;
    assert_eq!(status["locked"], true, "{status}");
    emu.advance(1).await;
    // Now even the right password fails, exactly like a wrong one.
    emu.password(ALICE, PASSWORD)
        .await
        .expect_error(400, "invalid_grant");
    // Locked users cannot use other grants either (same answer as unknown).
    emu.reset().await;
    assert_eq!(emu.user(ALICE).await["locked"], false);
    emu.password(ALICE, PASSWORD).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_success_resets_the_failure_count() {
    let emu = Emu::start().await;
    for _ in 0..9 {
        emu.password(ALICE, "wrong")
            .await
            .expect_error(400, "invalid_grant");
        emu.advance(1).await;
    }
    emu.password(ALICE, PASSWORD).await.expect_tokens();
    assert_eq!(emu.user(ALICE).await["failed_passwords"], 0);
    emu.advance(1).await;
    emu.password(ALICE, "wrong")
        .await
        .expect_error(400, "invalid_grant");
    emu.advance(1).await;
    emu.password(ALICE, PASSWORD).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usernames_are_case_insensitive() {
    let emu = Emu::start().await;
    emu.password("Alice@Example.COM", PASSWORD)
        .await
        .expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_types_supported_is_checked() {
    let emu = Emu::start().await;
    let with = |list: &'static str| {
        [
            ("grant_type", "password"),
            ("username", BOB),
            ("password", PASSWORD),
            ("scope", SCOPE),
            ("grant_types_supported", list),
        ]
    };
    emu.token(&with("password urn:example:not-a-grant"))
        .await
        .expect_error(400, "invalid_request");
    emu.token(&with("password"))
        .await
        .expect_error(403, "access_denied");
    let mfa = emu
        .token(&with("password http://auth0.com/oauth/grant-type/mfa-otp"))
        .await
        .expect_mfa_required();
    // The flow it opened works.
    let code = emu.totp().await;
    emu.mfa_otp(&mfa, &code).await.expect_tokens();
    // Alice needs nothing more: grant_types_supported=password is enough.
    emu.advance(1).await;
    emu.token(&[
        ("grant_type", "password"),
        ("username", ALICE),
        ("password", PASSWORD),
        ("scope", SCOPE),
        ("grant_types_supported", "password"),
    ])
    .await
    .expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_are_invalid_request() {
    let emu = Emu::start().await;
    let url = emu.endpoint(As::Default, "token");

    // A repeated parameter (duplicate_oauth_params).
    let r = emu
        .post_form(
            &url,
            &Auth::Basic,
            &[
                ("grant_type", "password"),
                ("username", ALICE),
                ("password", PASSWORD),
                ("scope", "openid"),
                ("scope", "email"),
            ],
        )
        .await;
    r.expect_error(400, "invalid_request");

    // Not a form.
    let r = emu
        .send(
            emu.http
                .post(&url)
                .basic_auth("demo-portal", Some("demo-portal-secret"))
                .json(&json!({"grant_type": "password", "username": ALICE, "password": PASSWORD, "scope": "openid"})),
        )
        .await;
    r.expect_error(400, "invalid_request");
    let r = emu
        .send(
            emu.http
                .post(&url)
                .basic_auth("demo-portal", Some("demo-portal-secret"))
                .body("grant_type=password"),
        )
        .await;
    r.expect_error(400, "invalid_request");

    // No grant_type.
    emu.token(&[
        ("username", ALICE),
        ("password", PASSWORD),
        ("scope", "openid"),
    ])
    .await
    .expect_error(400, "invalid_request");
    // An empty grant_type counts as missing.
    emu.token(&[("grant_type", ""), ("scope", "openid")])
        .await
        .expect_error(400, "invalid_request");
    // Missing grant parameters.
    emu.token(&[
        ("grant_type", "password"),
        ("username", ALICE),
        ("scope", "openid"),
    ])
    .await
    .expect_error(400, "invalid_request");

    // A grant type this server does not support.
    for grant in [
        "client_credentials",
        "urn:example:nope",
        "authorization_code",
    ] {
        emu.token(&[("grant_type", grant), ("scope", "openid")])
            .await
            .expect_error(400, "unsupported_grant_type");
    }
}
