//! Discovery documents on both authorization servers (§1.2) and the JWKS with rotation
//! (§1.3).

use crate::common::*;

async fn check_discovery(emu: &Emu, a: As, prefix: &str) {
    for doc in ["openid-configuration", "oauth-authorization-server"] {
        let r = emu.get(&format!("{prefix}/.well-known/{doc}")).await;
        let d = r.expect_ok();
        let issuer = emu.issuer(a);
        assert_eq!(d["issuer"], issuer.as_str(), "{doc}");
        for (field, name) in [
            ("token_endpoint", "token"),
            ("jwks_uri", "keys"),
            ("userinfo_endpoint", "userinfo"),
            ("revocation_endpoint", "revoke"),
            ("introspection_endpoint", "introspect"),
            ("end_session_endpoint", "logout"),
        ] {
            assert_eq!(d[field], emu.endpoint(a, name).as_str(), "{doc} {field}");
        }
        // The SDKs derive /challenge and /primary-authenticate from token_endpoint.
        assert!(d["token_endpoint"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{issuer}/")));
        assert_eq!(
            d["id_token_signing_alg_values_supported"],
            serde_json::json!(["RS256"])
        );
        let methods = d["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap();
        for m in [
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt",
            "none",
        ] {
            assert!(methods.iter().any(|v| v == m), "{doc} lacks {m}");
        }
        let scopes = d["scopes_supported"].as_array().unwrap();
        assert!(scopes.iter().any(|s| s == "openid"));
        assert!(scopes.iter().any(|s| s == "offline_access"));
        assert!(r.header("X-Okta-Request-Id").is_some());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_as_discovery_documents() {
    let emu = Emu::start().await;
    check_discovery(&emu, As::Default, "/oauth2/default").await;
    assert_eq!(
        emu.issuer(As::Default),
        format!("{}/oauth2/default", emu.base_url())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_as_discovery_documents() {
    let emu = Emu::start().await;
    check_discovery(&emu, As::Org, "").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_discovered_token_endpoint_works() {
    let emu = Emu::start().await;
    let d = emu
        .get("/oauth2/default/.well-known/openid-configuration")
        .await;
    let token_endpoint = d.json["token_endpoint"].as_str().unwrap().to_string();
    let r = emu
        .post_form(
            &token_endpoint,
            &Auth::Basic,
            &[
                ("grant_type", "password"),
                ("username", ALICE),
                ("password", PASSWORD),
                ("scope", "openid"),
            ],
        )
        .await;
    let body = r.expect_tokens();
    let claims = emu
        .verify(
            body["id_token"].as_str().unwrap(),
            As::Default,
            "demo-portal",
        )
        .await;
    assert_eq!(claims["iss"], d.json["issuer"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_authorization_server_is_404_e0000007() {
    let emu = Emu::start().await;
    for path in [
        "/oauth2/nope/.well-known/openid-configuration",
        "/oauth2/nope/.well-known/oauth-authorization-server",
        "/oauth2/nope/v1/keys",
    ] {
        let r = emu.get(path).await;
        r.expect_error(404, "E0000007");
        assert!(r.json["errorSummary"].is_string(), "{path}");
        assert!(r.json["errorId"].is_string(), "{path}");
        assert!(r.json["errorCauses"].is_array(), "{path}");
    }
    let r = emu
        .post_form(
            &emu.url("/oauth2/nope/v1/token"),
            &Auth::Basic,
            &[("grant_type", "password")],
        )
        .await;
    r.expect_error(404, "E0000007");
    // An unknown well-known document is a 404 too.
    emu.get("/oauth2/default/.well-known/nothing-here")
        .await
        .expect_error(404, "E0000007");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwks_publishes_rs256_keys_with_kid() {
    let emu = Emu::start().await;
    for a in [As::Default, As::Org] {
        let jwks = emu.jwks(a).await;
        let keys = jwks["keys"].as_array().unwrap();
        assert!(!keys.is_empty());
        for k in keys {
            assert_eq!(k["kty"], "RSA");
            assert_eq!(k["alg"], "RS256");
            assert_eq!(k["use"], "sig");
            assert!(!k["kid"].as_str().unwrap().is_empty());
            assert!(k["n"].as_str().unwrap().len() > 300, "RSA-2048 modulus");
            assert_eq!(k["e"], "AQAB");
        }
    }
    // Stable kid: the same key across two emulators.
    let other = Emu::start().await;
    assert_eq!(
        emu.jwks(As::Default).await["keys"][0]["kid"],
        other.jwks(As::Default).await["keys"][0]["kid"]
    );
    let r = emu
        .send(emu.http.get(emu.endpoint(As::Default, "keys")))
        .await;
    assert!(r.header("Cache-Control").unwrap().contains("max-age"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_rotation_publishes_a_new_kid_and_signs_with_it() {
    let emu = Emu::start().await;
    let before = emu.alice_tokens().await;
    let old_token = before["access_token"].as_str().unwrap().to_string();
    let old_kid = kid_of(&old_token);
    let jwks = emu.jwks(As::Default).await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert_eq!(jwks["keys"][0]["kid"], old_kid.as_str());

    let r = emu.rotate_keys().await;
    let new_kid = r.str("kid");
    assert_ne!(new_kid, old_kid);

    let jwks = emu.jwks(As::Default).await;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert!(kids.contains(&new_kid.as_str()), "{kids:?}");
    assert!(
        kids.contains(&old_kid.as_str()),
        "old key still published: {kids:?}"
    );

    let after = emu.alice_tokens().await;
    for field in ["access_token", "id_token"] {
        assert_eq!(kid_of(after[field].as_str().unwrap()), new_kid, "{field}");
    }
    emu.verify(
        after["id_token"].as_str().unwrap(),
        As::Default,
        "demo-portal",
    )
    .await;
    // Tokens signed before the rotation still verify (the old key is still there).
    emu.verify(&old_token, As::Default, "api://default").await;
    // And the emulator itself still accepts the old access token.
    let r = emu
        .send(
            emu.http
                .get(emu.endpoint(As::Default, "userinfo"))
                .bearer_auth(&old_token),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}
