//! Refresh-token rotation and reuse detection (§8.1), `/revoke` (§8.2), `/introspect`
//! (§8.3) and `/userinfo` (§8.4).

use serde_json::json;

use crate::common::*;

async fn refresh(emu: &Emu, token: &str, scope: Option<&str>) -> Resp {
    let mut params = vec![("grant_type", "refresh_token"), ("refresh_token", token)];
    if let Some(s) = scope {
        params.push(("scope", s));
    }
    emu.token(&params).await
}

async fn introspect(emu: &Emu, auth: &Auth, token: &str) -> Resp {
    emu.post_form(
        &emu.endpoint(As::Default, "introspect"),
        auth,
        &[("token", token)],
    )
    .await
}

async fn active(emu: &Emu, token: &str) -> bool {
    let r = introspect(emu, &Auth::Basic, token).await;
    r.expect_ok()["active"].as_bool().expect("active is a bool")
}

async fn revoke(emu: &Emu, auth: &Auth, token: &str, hint: Option<&str>) -> Resp {
    let mut params = vec![("token", token)];
    if let Some(h) = hint {
        params.push(("token_type_hint", h));
    }
    emu.post_form(&emu.endpoint(As::Default, "revoke"), auth, &params)
        .await
}

async fn userinfo(emu: &Emu, a: As, bearer: Option<&str>) -> Resp {
    let mut req = emu.http.get(emu.endpoint(a, "userinfo"));
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    emu.send(req).await
}

fn s(v: &serde_json::Value, field: &str) -> String {
    v[field].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_rotates_the_refresh_token() {
    let emu = Emu::start().await;
    let first = emu.alice_tokens().await;
    let r1 = s(&first, "refresh_token");
    emu.advance(60).await;
    let second = refresh(&emu, &r1, None).await.expect_tokens().clone();
    let r2 = s(&second, "refresh_token");
    assert_ne!(r1, r2);
    assert_ne!(first["access_token"], second["access_token"]);
    assert_eq!(second["scope"], SCOPE);
    let id = emu
        .verify(
            second["id_token"].as_str().unwrap(),
            As::Default,
            "demo-portal",
        )
        .await;
    // Same sign-in: auth_time and amr carry over.
    let first_id = claims_of(first["id_token"].as_str().unwrap());
    assert_eq!(id["auth_time"], first_id["auth_time"]);
    assert_eq!(id["amr"], json!(["pwd"]));
    assert!(id["iat"].as_i64().unwrap() >= first_id["iat"].as_i64().unwrap() + 60);
    // The new refresh token works in turn.
    let third = refresh(&emu, &r2, None).await.expect_tokens().clone();
    assert_ne!(s(&third, "refresh_token"), r2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reuse_within_grace_works_and_after_grace_revokes_the_chain() {
    let emu = Emu::start().await;
    let r1 = s(&emu.alice_tokens().await, "refresh_token");
    let second = refresh(&emu, &r1, None).await.expect_tokens().clone();
    let r2 = s(&second, "refresh_token");
    let access2 = s(&second, "access_token");
    // The rotated token is still active, but only for the grace period.
    let now = emu.now().await;
    let r = introspect(&emu, &Auth::Basic, &r1).await;
    assert_eq!(r.expect_ok()["active"], true);
    let exp = r.json["exp"].as_i64().unwrap();
    assert!(exp > now && exp <= now + 31, "{exp} vs {now}");
    // Within the 30 s grace the previous token still works (e.g. a lost response).
    emu.advance(20).await;
    let third = refresh(&emu, &r1, None).await.expect_tokens().clone();
    let r3 = s(&third, "refresh_token");
    // After the grace (counted from the first rotation) reuse is theft: the chain dies.
    emu.advance(11).await;
    refresh(&emu, &r1, None)
        .await
        .expect_error(400, "invalid_grant");
    for newest in [&r2, &r3] {
        refresh(&emu, newest, None)
            .await
            .expect_error(400, "invalid_grant");
        assert!(!active(&emu, newest).await);
    }
    assert!(
        !active(&emu, &access2).await,
        "the chain's access tokens die too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_scope_may_narrow_but_not_widen() {
    let emu = Emu::start().await;
    let granted = "openid profile offline_access";
    let r = emu
        .token(&[
            ("grant_type", "password"),
            ("username", ALICE),
            ("password", PASSWORD),
            ("scope", granted),
        ])
        .await;
    let r1 = r.str("refresh_token");
    for wider in [
        "openid profile offline_access email",
        "openid email",
        "openid nonsense",
    ] {
        refresh(&emu, &r1, Some(wider))
            .await
            .expect_error(400, "invalid_scope");
    }
    let narrow = refresh(&emu, &r1, Some("openid offline_access"))
        .await
        .expect_tokens()
        .clone();
    assert_eq!(narrow["scope"], "openid offline_access");
    assert_eq!(
        claims_of(narrow["access_token"].as_str().unwrap())["scp"],
        json!(["openid", "offline_access"])
    );
    assert!(claims_of(narrow["id_token"].as_str().unwrap())
        .get("name")
        .is_none());
    // Without openid there is no ID token.
    let r2 = s(&narrow, "refresh_token");
    let no_id = refresh(&emu, &r2, Some("profile offline_access"))
        .await
        .expect_tokens()
        .clone();
    assert!(no_id.get("id_token").is_none());
    // Narrowing once does not shrink what the chain may ask for later.
    let r3 = s(&no_id, "refresh_token");
    let back = refresh(&emu, &r3, Some(granted))
        .await
        .expect_tokens()
        .clone();
    assert_eq!(back["scope"], granted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_errors() {
    let emu = Emu::start().await;
    let r1 = s(&emu.alice_tokens().await, "refresh_token");
    refresh(&emu, "not-a-refresh-token", None)
        .await
        .expect_error(400, "invalid_grant");
    emu.token(&[("grant_type", "refresh_token")])
        .await
        .expect_error(400, "invalid_request");
    // Another client, another authorization server.
    emu.post_form(
        &emu.endpoint(As::Default, "token"),
        &Auth::Public,
        &[("grant_type", "refresh_token"), ("refresh_token", &r1)],
    )
    .await
    .expect_error(400, "invalid_grant");
    emu.post_form(
        &emu.endpoint(As::Org, "token"),
        &Auth::Basic,
        &[("grant_type", "refresh_token"), ("refresh_token", &r1)],
    )
    .await
    .expect_error(400, "invalid_grant");
    // Those did not hurt the token.
    refresh(&emu, &r1, None).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introspect_active_tokens() {
    let emu = Emu::start().await;
    let t = emu.alice_tokens().await;
    let now = emu.now().await;

    let r = introspect(&emu, &Auth::Basic, t["access_token"].as_str().unwrap()).await;
    let a = r.expect_ok();
    assert_eq!(a["active"], true);
    assert_eq!(a["scope"], SCOPE);
    assert_eq!(a["client_id"], "demo-portal");
    assert_eq!(a["username"], ALICE);
    assert_eq!(a["token_type"], "Bearer");
    assert_eq!(a["iss"], emu.issuer(As::Default).as_str());
    assert_eq!(a["aud"], "api://default");
    assert!(a["sub"].is_string());
    assert!(a["uid"].as_str().unwrap().starts_with("00u"));
    assert!(a["jti"].as_str().unwrap().starts_with("AT."));
    let exp = a["exp"].as_i64().unwrap();
    assert!(exp > now + 3500 && exp <= now + 3605, "{exp} vs {now}");

    let r = introspect(&emu, &Auth::Basic, t["refresh_token"].as_str().unwrap()).await;
    let rt = r.expect_ok();
    assert_eq!(rt["active"], true);
    assert_eq!(rt["scope"], SCOPE);
    assert_eq!(rt["client_id"], "demo-portal");
    assert_eq!(rt["username"], ALICE);
    assert_eq!(rt["sub"], a["sub"]);
    assert_eq!(rt["uid"], a["uid"]);
    assert!(rt["exp"].as_i64().unwrap() > now, "{rt}");

    let r = introspect(&emu, &Auth::Basic, t["id_token"].as_str().unwrap()).await;
    assert_eq!(r.expect_ok()["active"], true);

    // Garbage and missing tokens.
    let r = introspect(&emu, &Auth::Basic, "garbage").await;
    assert_eq!(r.expect_ok(), &json!({"active": false}));
    emu.post_form(&emu.endpoint(As::Default, "introspect"), &Auth::Basic, &[])
        .await
        .expect_error(400, "invalid_request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_tokens_expire_after_an_hour() {
    let emu = Emu::start().await;
    let t = emu.alice_tokens().await;
    let access = s(&t, "access_token");
    emu.advance(3601).await;
    assert!(!active(&emu, &access).await);
    userinfo(&emu, As::Default, Some(&access))
        .await
        .expect_error(401, "invalid_token");
    // The refresh token is still good and gives a fresh one.
    let fresh = refresh(&emu, t["refresh_token"].as_str().unwrap(), None)
        .await
        .expect_tokens()
        .clone();
    assert!(active(&emu, fresh["access_token"].as_str().unwrap()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_the_refresh_token_kills_its_access_tokens() {
    let emu = Emu::start().await;
    let t = emu.alice_tokens().await;
    let (access, rt) = (s(&t, "access_token"), s(&t, "refresh_token"));
    let r = revoke(&emu, &Auth::Basic, &rt, Some("refresh_token")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.is_empty(), "revoke answers with an empty body");
    assert!(!active(&emu, &rt).await);
    assert!(!active(&emu, &access).await);
    refresh(&emu, &rt, None)
        .await
        .expect_error(400, "invalid_grant");
    userinfo(&emu, As::Default, Some(&access))
        .await
        .expect_error(401, "invalid_token");
    // Revoking again is still 200.
    assert_eq!(revoke(&emu, &Auth::Basic, &rt, None).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_the_access_token_leaves_the_refresh_token() {
    let emu = Emu::start().await;
    let t = emu.alice_tokens().await;
    let (access, rt) = (s(&t, "access_token"), s(&t, "refresh_token"));
    let r = revoke(&emu, &Auth::Basic, &access, Some("access_token")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(!active(&emu, &access).await);
    assert!(active(&emu, &rt).await);
    let fresh = refresh(&emu, &rt, None).await.expect_tokens().clone();
    assert!(active(&emu, fresh["access_token"].as_str().unwrap()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_unknown_or_missing_token() {
    let emu = Emu::start().await;
    let r = revoke(&emu, &Auth::Basic, "never-issued", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.is_empty());
    emu.post_form(&emu.endpoint(As::Default, "revoke"), &Auth::Basic, &[])
        .await
        .expect_error(400, "invalid_request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_cannot_revoke_or_introspect_another_clients_tokens() {
    let emu = Emu::start().await;
    let t = emu.alice_tokens().await;
    let (access, rt) = (s(&t, "access_token"), s(&t, "refresh_token"));
    for token in [&access, &rt] {
        let r = introspect(&emu, &Auth::Public, token).await;
        assert_eq!(r.expect_ok(), &json!({"active": false}));
        let r = introspect(&emu, &Auth::Jwt, token).await;
        assert_eq!(r.expect_ok(), &json!({"active": false}));
        let r = revoke(&emu, &Auth::Public, token, None).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert!(active(&emu, &access).await);
    assert!(active(&emu, &rt).await);
    refresh(&emu, &rt, None).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn userinfo_returns_the_claims_of_the_granted_scopes() {
    let emu = Emu::start().await;
    let t = emu.alice_tokens().await;
    let access = s(&t, "access_token");
    let r = userinfo(&emu, As::Default, Some(&access)).await;
    let u = r.expect_ok();
    let id = claims_of(t["id_token"].as_str().unwrap());
    assert_eq!(u["sub"], id["sub"]);
    assert_eq!(u["name"], "Alice Anderson");
    assert_eq!(u["preferred_username"], ALICE);
    assert_eq!(u["email"], ALICE);
    assert_eq!(u["email_verified"], true);
    assert!(r.header("X-Rate-Limit-Limit").is_some());
    // POST works too.
    let r = emu
        .send(
            emu.http
                .post(emu.endpoint(As::Default, "userinfo"))
                .bearer_auth(&access),
        )
        .await;
    assert_eq!(r.expect_ok()["sub"], id["sub"]);

    // Only profile.
    emu.advance(1).await;
    let r = emu
        .token(&[
            ("grant_type", "password"),
            ("username", ALICE),
            ("password", PASSWORD),
            ("scope", "openid profile"),
        ])
        .await;
    let u = userinfo(&emu, As::Default, Some(&r.str("access_token"))).await;
    assert_eq!(u.expect_ok()["name"], "Alice Anderson");
    assert!(u.json.get("email").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn userinfo_errors() {
    let emu = Emu::start().await;
    for bearer in [None, Some("not-a-token")] {
        let r = userinfo(&emu, As::Default, bearer).await;
        r.expect_error(401, "invalid_token");
        let challenge = r.header("WWW-Authenticate").expect("WWW-Authenticate");
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        assert!(
            challenge.contains(r#"error="invalid_token""#),
            "{challenge}"
        );
    }
    // A Basic header is not a bearer token.
    let r = emu
        .send(
            emu.http
                .get(emu.endpoint(As::Default, "userinfo"))
                .basic_auth("demo-portal", Some("demo-portal-secret")),
        )
        .await;
    r.expect_error(401, "invalid_token");

    // A token with only `openid` cannot read userinfo.
    let r = emu
        .token(&[
            ("grant_type", "password"),
            ("username", ALICE),
            ("password", PASSWORD),
            ("scope", "openid"),
        ])
        .await;
    let r = userinfo(&emu, As::Default, Some(&r.str("access_token"))).await;
    r.expect_error(403, "insufficient_scope");
    assert!(r
        .header("WWW-Authenticate")
        .unwrap()
        .contains(r#"error="insufficient_scope""#));

    // A custom-AS token at the org AS.
    let t = emu.alice_tokens().await;
    userinfo(&emu, As::Org, t["access_token"].as_str())
        .await
        .expect_error(401, "invalid_token");
    // After revocation.
    revoke(
        &emu,
        &Auth::Basic,
        t["access_token"].as_str().unwrap(),
        None,
    )
    .await;
    let r = userinfo(&emu, As::Default, t["access_token"].as_str()).await;
    r.expect_error(401, "invalid_token");
    assert!(r.header("WWW-Authenticate").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introspect_answers_only_on_the_issuing_authorization_server() {
    let emu = Emu::start().await;
    let t = emu.alice_tokens().await;
    for field in ["access_token", "refresh_token", "id_token"] {
        let token = t[field].as_str().unwrap();
        let r = emu
            .post_form(
                &emu.endpoint(As::Org, "introspect"),
                &Auth::Basic,
                &[("token", token)],
            )
            .await;
        assert_eq!(r.expect_ok(), &json!({"active": false}), "{field}");
        assert!(active(&emu, token).await, "{field}");
    }
    // And an org-AS token is active at the org AS only.
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
    let org_access = r.str("access_token");
    let r = emu
        .post_form(
            &emu.endpoint(As::Org, "introspect"),
            &Auth::Basic,
            &[("token", &org_access)],
        )
        .await;
    assert_eq!(r.expect_ok()["active"], true);
    assert_eq!(r.json["iss"], emu.base_url());
    assert!(!active(&emu, &org_access).await);
    // Its userinfo is the org AS's too.
    userinfo(&emu, As::Org, Some(&org_access)).await.expect_ok();
    userinfo(&emu, As::Default, Some(&org_access))
        .await
        .expect_error(401, "invalid_token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_narrowed_access_token_is_limited_to_its_own_scopes() {
    let emu = Emu::start().await;
    let r1 = s(&emu.alice_tokens().await, "refresh_token");
    let narrow = refresh(&emu, &r1, Some("openid profile offline_access"))
        .await
        .expect_tokens()
        .clone();
    let access = s(&narrow, "access_token");
    let r = introspect(&emu, &Auth::Basic, &access).await;
    assert_eq!(r.expect_ok()["scope"], "openid profile offline_access");
    let u = userinfo(&emu, As::Default, Some(&access)).await;
    assert_eq!(u.expect_ok()["name"], "Alice Anderson");
    assert!(u.json.get("email").is_none(), "{}", u.text);

    let r2 = s(&narrow, "refresh_token");
    let bare = refresh(&emu, &r2, Some("openid offline_access"))
        .await
        .expect_tokens()
        .clone();
    userinfo(&emu, As::Default, bare["access_token"].as_str())
        .await
        .expect_error(403, "insufficient_scope");
}
