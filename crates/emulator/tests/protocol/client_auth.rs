//! Client authentication on the OAuth endpoints (§2.2): none, client_secret_basic,
//! client_secret_post, private_key_jwt, and every failure row the emulator implements.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use serde_json::json;

use crate::common::*;

fn alice_password() -> [(&'static str, &'static str); 4] {
    [
        ("grant_type", "password"),
        ("username", ALICE),
        ("password", PASSWORD),
        ("scope", SCOPE),
    ]
}

fn custom(authorization: Option<String>, fields: &[(&str, &str)]) -> Auth {
    Auth::Custom {
        authorization,
        fields: fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn basic(id: &str, secret: &str) -> Option<String> {
    Some(format!(
        "Basic {}",
        STANDARD.encode(format!("{id}:{secret}"))
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_supported_method_gets_tokens_with_its_client_id() {
    let emu = Emu::start().await;
    let url = emu.endpoint(As::Default, "token");
    for (auth, client_id) in [
        (Auth::Basic, "demo-portal"),
        (Auth::Post, "demo-portal"),
        (Auth::Public, "demo-public"),
        (Auth::Jwt, "demo-jwt"),
    ] {
        emu.advance(1).await;
        let r = emu.post_form(&url, &auth, &alice_password()).await;
        let body = r.expect_tokens();
        let claims = emu
            .verify(body["id_token"].as_str().unwrap(), As::Default, client_id)
            .await;
        assert_eq!(claims["aud"], client_id, "{auth:?}");
        assert_eq!(
            claims_of(body["access_token"].as_str().unwrap())["cid"],
            client_id
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_with_a_matching_body_client_id_is_fine() {
    let emu = Emu::start().await;
    let url = emu.endpoint(As::Default, "token");
    let auth = custom(
        basic("demo-portal", "demo-portal-secret"),
        &[("client_id", "demo-portal")],
    );
    emu.post_form(&url, &auth, &alice_password())
        .await
        .expect_tokens();
    // A body client_id that contradicts the Basic header is not.
    let auth = custom(
        basic("demo-portal", "demo-portal-secret"),
        &[("client_id", "demo-public")],
    );
    emu.post_form(&url, &auth, &alice_password())
        .await
        .expect_error(401, "invalid_client");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_key_jwt_works_on_every_endpoint_with_its_own_aud() {
    let emu = Emu::start().await;
    // /token (password) → mfa_required for bob, then /challenge and /token again, each
    // with a fresh assertion whose aud is that endpoint.
    let token = emu.endpoint(As::Default, "token");
    let challenge = emu.endpoint(As::Default, "challenge");
    let mfa = emu
        .post_form(
            &token,
            &Auth::Jwt,
            &[
                ("grant_type", "password"),
                ("username", BOB),
                ("password", PASSWORD),
                ("scope", SCOPE),
            ],
        )
        .await
        .expect_mfa_required();
    emu.post_form(
        &challenge,
        &Auth::Jwt,
        &[
            ("mfa_token", &mfa),
            ("challenge_types_supported", GRANT_MFA_OTP),
        ],
    )
    .await
    .expect_ok();
    let code = emu.totp().await;
    let body = emu
        .post_form(
            &token,
            &Auth::Jwt,
            &[
                ("grant_type", GRANT_MFA_OTP),
                ("mfa_token", &mfa),
                ("otp", &code),
                ("scope", SCOPE),
            ],
        )
        .await
        .expect_tokens()
        .clone();
    let refresh = body["refresh_token"].as_str().unwrap();
    let r = emu
        .post_form(
            &emu.endpoint(As::Default, "introspect"),
            &Auth::Jwt,
            &[("token", refresh)],
        )
        .await;
    assert_eq!(r.expect_ok()["active"], true);
    assert_eq!(r.json["client_id"], "demo-jwt");
    emu.post_form(
        &emu.endpoint(As::Default, "revoke"),
        &Auth::Jwt,
        &[("token", refresh)],
    )
    .await
    .expect_ok();
    // The org AS wants its own URL as aud.
    emu.post_form(
        &emu.endpoint(As::Org, "token"),
        &Auth::Jwt,
        &alice_password(),
    )
    .await
    .expect_tokens();
}

async fn jwt_auth(emu: &Emu, aud: &str, jti: &str, exp_in: i64, pem: Option<&str>) -> Auth {
    let assertion = emu.client_assertion(aud, jti, exp_in, pem).await;
    custom(
        None,
        &[
            ("client_id", "demo-jwt"),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", &assertion),
        ],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_key_jwt_failures_are_invalid_client() {
    let emu = Emu::start().await;
    let url = emu.endpoint(As::Default, "token");
    let params = alice_password();

    // aud is another endpoint, another AS, or the issuer.
    for aud in [
        emu.endpoint(As::Default, "challenge"),
        emu.endpoint(As::Org, "token"),
        emu.issuer(As::Default),
    ] {
        let auth = jwt_auth(&emu, &aud, &unique_jti(), 300, None).await;
        emu.post_form(&url, &auth, &params)
            .await
            .expect_error(401, "invalid_client");
    }
    // Expired.
    let auth = jwt_auth(&emu, &url, &unique_jti(), -120, None).await;
    emu.post_form(&url, &auth, &params)
        .await
        .expect_error(401, "invalid_client");
    // Too far ahead (more than an hour).
    let auth = jwt_auth(&emu, &url, &unique_jti(), 3 * 3600, None).await;
    emu.post_form(&url, &auth, &params)
        .await
        .expect_error(401, "invalid_client");
    // Signed with a key that is not the client's.
    let auth = jwt_auth(&emu, &url, &unique_jti(), 300, Some(OTHER_RSA_KEY_PEM)).await;
    emu.post_form(&url, &auth, &params)
        .await
        .expect_error(401, "invalid_client");
    // Not a JWT at all.
    let auth = custom(
        None,
        &[
            ("client_id", "demo-jwt"),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", "not.a.jwt"),
        ],
    );
    emu.post_form(&url, &auth, &params)
        .await
        .expect_error(401, "invalid_client");
    // The wrong assertion type.
    let assertion = emu.client_assertion(&url, &unique_jti(), 300, None).await;
    let auth = custom(
        None,
        &[
            ("client_id", "demo-jwt"),
            ("client_assertion_type", "urn:example:other"),
            ("client_assertion", &assertion),
        ],
    );
    emu.post_form(&url, &auth, &params)
        .await
        .expect_error(401, "invalid_client");
    // No assertion: the client's configured method was not used.
    let auth = custom(None, &[("client_id", "demo-jwt")]);
    emu.post_form(&url, &auth, &params)
        .await
        .expect_error(401, "invalid_client");
    // A secret instead of an assertion.
    let auth = custom(None, &[("client_id", "demo-jwt"), ("client_secret", "x")]);
    emu.post_form(&url, &auth, &params)
        .await
        .expect_error(401, "invalid_client");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_assertion_jti_is_single_use() {
    let emu = Emu::start().await;
    let url = emu.endpoint(As::Default, "token");
    let auth = jwt_auth(&emu, &url, "the-one-jti", 300, None).await;
    emu.post_form(&url, &auth, &alice_password())
        .await
        .expect_tokens();
    emu.advance(1).await;
    emu.post_form(&url, &auth, &alice_password())
        .await
        .expect_error(401, "invalid_client");
    // Even inside a freshly signed assertion.
    let again = jwt_auth(&emu, &url, "the-one-jti", 600, None).await;
    emu.post_form(&url, &again, &alice_password())
        .await
        .expect_error(401, "invalid_client");
    // The client_id can come from the assertion alone.
    let assertion = emu.client_assertion(&url, &unique_jti(), 300, None).await;
    let auth = custom(
        None,
        &[
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", &assertion),
        ],
    );
    emu.post_form(&url, &auth, &alice_password())
        .await
        .expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_failures() {
    let emu = Emu::start().await;
    let url = emu.endpoint(As::Default, "token");
    let params = alice_password();

    // Both a Basic header and a body secret: multiple_client_credentials.
    let auth = custom(
        basic("demo-portal", "demo-portal-secret"),
        &[("client_secret", "demo-portal-secret")],
    );
    emu.post_form(&url, &auth, &params)
        .await
        .expect_error(401, "invalid_request");

    // Credentials in the query string.
    let r = emu
        .post_form(
            &format!("{url}?client_secret=demo-portal-secret"),
            &Auth::Nothing,
            &[
                ("grant_type", "password"),
                ("username", ALICE),
                ("password", PASSWORD),
                ("scope", SCOPE),
                ("client_id", "demo-portal"),
            ],
        )
        .await;
    r.expect_error(400, "invalid_request");
    emu.post_form(&format!("{url}?client_assertion=x"), &Auth::Basic, &params)
        .await
        .expect_error(400, "invalid_request");

    // Unknown client, by body and by Basic.
    emu.post_form(
        &url,
        &custom(None, &[("client_id", "who-is-this")]),
        &params,
    )
    .await
    .expect_error(401, "invalid_client");
    emu.post_form(&url, &custom(basic("who-is-this", "x"), &[]), &params)
        .await
        .expect_error(401, "invalid_client");

    // A public client sending a secret.
    let auth = custom(
        None,
        &[("client_id", "demo-public"), ("client_secret", "anything")],
    );
    emu.post_form(&url, &auth, &params)
        .await
        .expect_error(401, "invalid_client");
    emu.post_form(
        &url,
        &custom(basic("demo-public", "anything"), &[]),
        &params,
    )
    .await
    .expect_error(401, "invalid_client");

    // Wrong secret, Basic and post.
    emu.post_form(&url, &custom(basic("demo-portal", "wrong"), &[]), &params)
        .await
        .expect_error(401, "invalid_client");
    let auth = custom(
        None,
        &[("client_id", "demo-portal"), ("client_secret", "wrong")],
    );
    emu.post_form(&url, &auth, &params)
        .await
        .expect_error(401, "invalid_client");

    // A confidential client without its secret.
    emu.post_form(
        &url,
        &custom(None, &[("client_id", "demo-portal")]),
        &params,
    )
    .await
    .expect_error(401, "invalid_client");

    // Nothing at all.
    emu.post_form(&url, &Auth::Nothing, &params)
        .await
        .expect_error(401, "invalid_client");

    // A malformed Basic header.
    emu.post_form(
        &url,
        &custom(Some("Basic !!!not-base64".into()), &[]),
        &params,
    )
    .await
    .expect_error(401, "invalid_client");

    // None of those reached the grant: alice has no failed passwords and can sign in.
    assert_eq!(emu.user(ALICE).await["failed_passwords"], 0);
    emu.post_form(&url, &Auth::Basic, &params)
        .await
        .expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_credentials_are_form_urlencoded_before_base64() {
    let emu = Emu::start().await;
    let url = emu.endpoint(As::Default, "token");
    // RFC 6749 §2.3.1: "demo%2Dportal" decodes to "demo-portal".
    let auth = custom(basic("demo%2Dportal", "demo%2Dportal%2Dsecret"), &[]);
    emu.post_form(&url, &auth, &alice_password())
        .await
        .expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_auth_applies_to_every_endpoint() {
    let emu = Emu::start().await;
    let wrong = custom(basic("demo-portal", "wrong"), &[]);
    for (name, params) in [
        (
            "challenge",
            vec![
                ("mfa_token", "x"),
                ("challenge_types_supported", GRANT_MFA_OTP),
            ],
        ),
        (
            "primary-authenticate",
            vec![
                ("login_hint", CAROL),
                ("challenge_hint", GRANT_OOB),
                ("channel_hint", "push"),
            ],
        ),
        (
            "oob-authenticate",
            vec![("login_hint", CAROL), ("channel_hint", "push")],
        ),
        ("revoke", vec![("token", "x")]),
        ("introspect", vec![("token", "x")]),
    ] {
        for auth in [&wrong, &Auth::Nothing] {
            emu.post_form(&emu.endpoint(As::Default, name), auth, &params)
                .await
                .expect_error(401, "invalid_client");
        }
    }
    assert!(emu.pushes(CAROL).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_key_jwt_claim_rules() {
    let emu = Emu::start().await;
    let url = emu.endpoint(As::Default, "token");
    let now = emu.now().await;
    let good = json!({
        "iss": "demo-jwt", "sub": "demo-jwt", "aud": url, "iat": now, "exp": now + 300,
    });
    let with = |field: &str, value: serde_json::Value| {
        let mut claims = good.clone();
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(field);
        } else {
            claims[field] = value;
        }
        claims
    };
    for (why, claims) in [
        ("iss is another client", with("iss", json!("demo-portal"))),
        ("sub is another client", with("sub", json!("demo-portal"))),
        ("no exp", with("exp", serde_json::Value::Null)),
        ("iat in the future", with("iat", json!(now + 600))),
        (
            "aud list without the endpoint",
            with("aud", json!([emu.issuer(As::Default)])),
        ),
    ] {
        let assertion = Emu::sign_assertion(&claims, None);
        let auth = custom(
            None,
            &[
                ("client_id", "demo-jwt"),
                ("client_assertion_type", ASSERTION_TYPE),
                ("client_assertion", &assertion),
            ],
        );
        let r = emu.post_form(&url, &auth, &alice_password()).await;
        assert_eq!(
            (r.status, r.error()),
            (401, "invalid_client"),
            "{why}: {}",
            r.text
        );
    }
    // Without a jti (it is optional) and with aud as a list containing the endpoint.
    for claims in [
        good.clone(),
        with("aud", json!([emu.issuer(As::Default), url])),
    ] {
        let assertion = Emu::sign_assertion(&claims, None);
        let auth = custom(
            None,
            &[
                ("client_id", "demo-jwt"),
                ("client_assertion_type", ASSERTION_TYPE),
                ("client_assertion", &assertion),
            ],
        );
        emu.advance(1).await;
        emu.post_form(&url, &auth, &alice_password())
            .await
            .expect_tokens();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multibyte_authorization_headers_are_invalid_client() {
    let emu = Emu::start().await;
    // "Basicé" puts a character boundary inside the first six bytes; the others hold
    // multibyte text where a scheme or credentials would be.
    let headers = [
        "Basicé",
        "Basic é…",
        "Basic éééé",
        "BASIC\u{a0}ZGVtby1wb3J0YWw6ZGVtby1wb3J0YWwtc2VjcmV0",
        "Bearerü",
        "Bearer ü",
        "ééé",
        "€",
        "Basic\u{1F600}x",
    ];
    let multibyte_credentials = format!("Basic {}", STANDARD.encode("démo-portal:sécret"));
    for endpoint in ["token", "challenge", "revoke", "introspect"] {
        let url = emu.endpoint(As::Default, endpoint);
        for value in headers
            .iter()
            .map(|h| h.to_string())
            .chain([multibyte_credentials.clone()])
        {
            // Without a client_id, and with the confidential client's id in the body.
            for fields in [&[][..], &[("client_id", "demo-portal")][..]] {
                let r = emu
                    .post_form(
                        &url,
                        &custom(Some(value.clone()), fields),
                        &alice_password(),
                    )
                    .await;
                assert_eq!(
                    (r.status, r.error()),
                    (401, "invalid_client"),
                    "{endpoint} with Authorization {value:?} and {fields:?}: {}",
                    r.text
                );
            }
        }
    }
    // The emulator is still serving, and good credentials still work.
    emu.alice_tokens().await;
}
