//! Rate limits (§10): 4 `/token` requests per second per username, the org bucket with
//! its headers and `E0000047` body; `X-Okta-Request-Id` everywhere; injected faults.

use std::time::{Duration, Instant};

use okta_emulator::EmulatorOptions;
use serde_json::json;

use crate::common::*;

fn rate_headers(r: &Resp) -> (i64, i64, i64) {
    let h = |name: &str| -> i64 {
        r.header(name)
            .unwrap_or_else(|| panic!("{name} missing: {} {}", r.status, r.text))
            .parse()
            .unwrap_or_else(|_| panic!("{name} is not a number"))
    };
    (
        h("X-Rate-Limit-Limit"),
        h("X-Rate-Limit-Remaining"),
        h("X-Rate-Limit-Reset"),
    )
}

async fn carol_otp(emu: &Emu, otp: &str) -> Resp {
    emu.token(&[
        ("grant_type", GRANT_OTP),
        ("login_hint", CAROL),
        ("otp", otp),
        ("scope", SCOPE),
    ])
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifth_token_request_in_a_second_for_one_user_is_429() {
    let emu = Emu::start().await;
    let wrong = emu.wrong_totp().await;
    // Cheap requests in a row, without moving the clock (the window is 1 s).
    for _ in 0..4 {
        carol_otp(&emu, &wrong)
            .await
            .expect_error(400, "invalid_grant");
    }
    let r = carol_otp(&emu, &wrong).await;
    r.expect_error(429, "invalid_grant");
    let (limit, remaining, reset) = rate_headers(&r);
    assert_eq!((limit, remaining), (4, 0), "the per-user figures");
    let now = emu.now().await;
    assert!(reset >= now && reset <= now + 2, "{reset} vs {now}");
    // Other users are not affected.
    emu.password(ALICE, PASSWORD).await.expect_tokens();
    // Even the right code is refused until the window moves on…
    let code = emu.totp().await;
    carol_otp(&emu, &code)
        .await
        .expect_error(429, "invalid_grant");
    // …and then works.
    emu.advance(1).await;
    carol_otp(&emu, &code).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_per_user_limit_is_per_username_case_insensitive_on_password() {
    let emu = Emu::start().await;
    // Concurrent, so that all five land inside one second whatever the machine's speed.
    let (a, b, c, d, e) = tokio::join!(
        emu.password("alice@example.com", "wrong"),
        emu.password("ALICE@example.com", "wrong"),
        emu.password("Alice@Example.com", "wrong"),
        emu.password("alice@EXAMPLE.com", "wrong"),
        emu.password("alice@example.COM", "wrong"),
    );
    let results = [a, b, c, d, e];
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        1,
        "{statuses:?}"
    );
    for r in &results {
        if r.status == 429 {
            r.expect_error(429, "invalid_grant");
        } else {
            r.expect_error(400, "invalid_grant");
        }
    }
    // The rejected request did not count as a failed password.
    assert_eq!(emu.user(ALICE).await["failed_passwords"], 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_oauth_response_carries_rate_limit_headers() {
    let emu = Emu::start().await;
    let t = emu.alice_tokens().await;
    let access = t["access_token"].as_str().unwrap().to_string();
    let mfa = emu.mfa_token(BOB).await;
    let responses = vec![
        emu.password(ALICE, "wrong").await,
        emu.challenge_oob(&mfa, "push").await,
        emu.challenge_oob(&mfa, "nope").await,
        emu.primary_oob(CAROL, "push").await,
        emu.call(
            "oob-authenticate",
            &[("login_hint", CAROL), ("channel_hint", "email")],
        )
        .await,
        emu.call("revoke", &[("token", "x")]).await,
        emu.call("introspect", &[("token", &access)]).await,
        emu.send(
            emu.http
                .get(emu.endpoint(As::Default, "userinfo"))
                .bearer_auth(&access),
        )
        .await,
        emu.send(emu.http.get(emu.endpoint(As::Default, "userinfo")))
            .await,
        emu.post_form(&emu.endpoint(As::Org, "token"), &Auth::Nothing, &[])
            .await,
        emu.send(
            emu.http
                .post(emu.endpoint(As::Default, "token"))
                .body("not a form"),
        )
        .await,
    ];
    for r in &responses {
        let (limit, remaining, reset) = rate_headers(r);
        assert_eq!(limit, 1200, "{}", r.text);
        assert!(remaining < limit);
        assert!(reset > emu.now().await);
    }
    // /token and the other endpoints are separate buckets.
    let a = emu.password(ALICE, PASSWORD).await;
    let b = emu.call("introspect", &[("token", &access)]).await;
    let (_, token_remaining, _) = rate_headers(&a);
    let (_, other_remaining, _) = rate_headers(&b);
    assert_ne!(token_remaining, other_remaining);
    let c = emu.password(ALICE, PASSWORD).await;
    assert_eq!(rate_headers(&c).1, token_remaining - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_org_bucket_answers_429_e0000047_until_the_window_resets() {
    let emu = Emu::start_with(EmulatorOptions {
        org_rate_limit: 3,
        ..Default::default()
    })
    .await;
    let mut resets = vec![];
    for expected_remaining in [2, 1, 0] {
        let r = emu.call("token", &[("grant_type", "nope")]).await;
        r.expect_error(400, "unsupported_grant_type");
        let (limit, remaining, reset) = rate_headers(&r);
        assert_eq!((limit, remaining), (3, expected_remaining));
        resets.push(reset);
    }
    assert!(
        resets.iter().all(|r| *r == resets[0]),
        "one window: {resets:?}"
    );
    // Ten seconds into the window the bucket is still empty, and Reset still names the
    // end of the window (not "now + 60").
    emu.advance(10).await;
    let r = emu.password(ALICE, PASSWORD).await;
    r.expect_error(429, "E0000047");
    for field in ["errorSummary", "errorLink", "errorId"] {
        assert!(r.json[field].is_string(), "{field}: {}", r.text);
    }
    assert!(r.json["errorCauses"].is_array());
    let (limit, remaining, reset) = rate_headers(&r);
    assert_eq!((limit, remaining, reset), (3, 0, resets[0]));
    // The other OAuth endpoints have their own bucket.
    emu.call("introspect", &[("token", "x")]).await.expect_ok();
    // Discovery and keys are not rate-limited.
    emu.get("/oauth2/default/.well-known/openid-configuration")
        .await
        .expect_ok();
    emu.jwks(As::Default).await;
    emu.advance(30).await;
    emu.password(ALICE, PASSWORD)
        .await
        .expect_error(429, "E0000047");
    // The window is 60 s of the emulator's clock.
    let now = emu.now().await;
    emu.advance(reset - now).await;
    let r = emu.password(ALICE, PASSWORD).await;
    r.expect_tokens();
    assert_eq!(rate_headers(&r).1, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_has_an_okta_request_id() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    let responses = vec![
        emu.password(ALICE, PASSWORD).await,
        emu.password(ALICE, "wrong").await,
        emu.password(BOB, PASSWORD).await,
        emu.challenge_oob(&mfa, "sms").await,
        emu.post_form(&emu.endpoint(As::Default, "token"), &Auth::Nothing, &[])
            .await,
        emu.get("/oauth2/default/.well-known/openid-configuration")
            .await,
        emu.get("/.well-known/oauth-authorization-server").await,
        emu.get("/oauth2/v1/keys").await,
        emu.get("/oauth2/nope/v1/keys").await,
        emu.get("/no/such/path").await,
        emu.get("/emulator/clock").await,
        emu.get("/emulator/outbox?user=bob@example.com").await,
        emu.post_json(
            "/emulator/faults",
            json!({"endpoint": "nope", "kind": "delay"}),
        )
        .await,
        emu.send(emu.http.get(emu.endpoint(As::Default, "userinfo")))
            .await,
    ];
    let mut ids = vec![];
    for r in &responses {
        let id = r
            .header("X-Okta-Request-Id")
            .unwrap_or_else(|| panic!("no X-Okta-Request-Id on {} {}", r.status, r.text));
        assert!(!id.is_empty());
        ids.push(id.to_string());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), responses.len(), "request ids are unique");
}

// ---- faults -----------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delay_fault_delays_but_the_call_succeeds() {
    let emu = Emu::start().await;
    let r = emu
        .add_fault(json!({"endpoint": "token", "kind": "delay", "delay_ms": 250}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let started = Instant::now();
    emu.password(ALICE, PASSWORD).await.expect_tokens();
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_fault_answers_with_an_okta_shaped_body_then_clears() {
    let emu = Emu::start().await;
    emu.add_fault(json!({"endpoint": "token", "kind": "status", "status": 503}))
        .await;
    let r = emu.password(ALICE, PASSWORD).await;
    assert_eq!(r.status, 503, "{}", r.text);
    assert!(r.json["errorCode"].as_str().unwrap().starts_with('E'));
    assert!(r.json["errorSummary"].is_string());
    assert!(r.json["errorId"].is_string());
    assert!(r.json["errorCauses"].is_array());
    assert!(r.header("X-Okta-Request-Id").is_some());
    // count defaults to 1.
    emu.password(ALICE, PASSWORD).await.expect_tokens();

    // A 4xx status.
    emu.add_fault(json!({"endpoint": "introspect", "kind": "status", "status": 400}))
        .await;
    let r = emu.call("introspect", &[("token", "x")]).await;
    assert_eq!(r.status, 400);
    assert!(r.json["errorCode"].is_string(), "{}", r.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_fault_answers_200_with_broken_json() {
    let emu = Emu::start().await;
    emu.add_fault(json!({"endpoint": "token", "kind": "malformed"}))
        .await;
    let r = emu.password(ALICE, PASSWORD).await;
    assert_eq!(r.status, 200);
    assert!(!r.text.is_empty());
    assert!(
        serde_json::from_str::<serde_json::Value>(&r.text).is_err(),
        "{}",
        r.text
    );
    emu.password(ALICE, PASSWORD).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_fault_answers_429_e0000047() {
    let emu = Emu::start().await;
    emu.add_fault(json!({"endpoint": "challenge", "kind": "rate_limit"}))
        .await;
    let mfa = emu.mfa_token(BOB).await;
    let r = emu.challenge_oob(&mfa, "push").await;
    r.expect_error(429, "E0000047");
    let (_, remaining, reset) = rate_headers(&r);
    assert_eq!(remaining, 0);
    assert!(reset > emu.now().await);
    emu.challenge_oob(&mfa, "push").await.expect_ok();
    // status 429 is the same thing.
    emu.add_fault(json!({"endpoint": "primary-authenticate", "kind": "status", "status": 429}))
        .await;
    emu.primary_oob(CAROL, "push")
        .await
        .expect_error(429, "E0000047");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_lasts_count_calls_of_its_endpoint_only() {
    let emu = Emu::start().await;
    emu.add_fault(json!({"endpoint": "token", "kind": "status", "status": 500, "count": 3}))
        .await;
    // Other endpoints are untouched.
    emu.call("introspect", &[("token", "x")]).await.expect_ok();
    for _ in 0..3 {
        assert_eq!(emu.password(ALICE, PASSWORD).await.status, 500);
    }
    emu.password(ALICE, PASSWORD).await.expect_tokens();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_clears_every_fault() {
    let emu = Emu::start().await;
    for endpoint in ["token", "keys", "discovery"] {
        emu.add_fault(json!({"endpoint": endpoint, "kind": "status", "status": 503, "count": 100}))
            .await;
    }
    assert_eq!(emu.password(ALICE, PASSWORD).await.status, 503);
    emu.clear_faults().await;
    emu.password(ALICE, PASSWORD).await.expect_tokens();
    emu.jwks(As::Default).await;
    emu.get("/.well-known/openid-configuration")
        .await
        .expect_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_and_discovery_faults() {
    let emu = Emu::start().await;
    emu.add_fault(json!({"endpoint": "keys", "kind": "status", "status": 503}))
        .await;
    let r = emu.get("/oauth2/default/v1/keys").await;
    assert_eq!(r.status, 503, "{}", r.text);
    assert!(r.json["errorCode"].is_string());
    emu.jwks(As::Default).await;

    emu.add_fault(json!({"endpoint": "keys", "kind": "malformed"}))
        .await;
    let r = emu.get("/oauth2/v1/keys").await;
    assert_eq!(r.status, 200);
    assert!(r.json.is_null(), "not JSON: {}", r.text);

    emu.add_fault(json!({"endpoint": "discovery", "kind": "malformed", "count": 2}))
        .await;
    for path in [
        "/oauth2/default/.well-known/openid-configuration",
        "/.well-known/openid-configuration",
    ] {
        let r = emu.get(path).await;
        assert_eq!(r.status, 200);
        assert!(r.json.is_null(), "not JSON: {}", r.text);
    }
    emu.get("/.well-known/openid-configuration")
        .await
        .expect_ok();

    emu.add_fault(json!({"endpoint": "discovery", "kind": "status", "status": 404}))
        .await;
    assert_eq!(
        emu.get("/oauth2/default/.well-known/oauth-authorization-server")
            .await
            .status,
        404
    );
    emu.add_fault(json!({"endpoint": "discovery", "kind": "delay", "delay_ms": 100}))
        .await;
    emu.get("/oauth2/default/.well-known/oauth-authorization-server")
        .await
        .expect_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn userinfo_revoke_and_oob_authenticate_faults() {
    let emu = Emu::start().await;
    let t = emu.alice_tokens().await;
    let access = t["access_token"].as_str().unwrap();
    emu.add_fault(json!({"endpoint": "userinfo", "kind": "status", "status": 502}))
        .await;
    let r = emu
        .send(
            emu.http
                .get(emu.endpoint(As::Default, "userinfo"))
                .bearer_auth(access),
        )
        .await;
    assert_eq!(r.status, 502);
    emu.add_fault(json!({"endpoint": "revoke", "kind": "status", "status": 503}))
        .await;
    assert_eq!(emu.call("revoke", &[("token", access)]).await.status, 503);
    // The deprecated /oob-authenticate shares the primary-authenticate faults.
    emu.add_fault(json!({"endpoint": "primary-authenticate", "kind": "status", "status": 503}))
        .await;
    let r = emu
        .call(
            "oob-authenticate",
            &[("login_hint", CAROL), ("channel_hint", "push")],
        )
        .await;
    assert_eq!(r.status, 503);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_fault_spec_is_400() {
    let emu = Emu::start().await;
    for spec in [
        json!({"endpoint": "nope", "kind": "delay", "delay_ms": 10}),
        json!({"endpoint": "token", "kind": "explode"}),
        json!({"endpoint": "token", "kind": "delay"}),
        json!({"endpoint": "token", "kind": "delay", "delay_ms": 999_999}),
        json!({"endpoint": "token", "kind": "status"}),
        json!({"endpoint": "token", "kind": "status", "status": 200}),
        json!({"endpoint": "token", "kind": "status", "status": 503, "count": 0}),
    ] {
        let r = emu.add_fault(spec.clone()).await;
        assert_eq!(r.status, 400, "{spec} → {} {}", r.status, r.text);
        assert!(r.json["error"].is_string(), "{}", r.text);
    }
    // Nothing was installed.
    emu.password(ALICE, PASSWORD).await.expect_tokens();
}
