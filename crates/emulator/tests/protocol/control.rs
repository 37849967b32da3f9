//! The emulator's control API (product.md §2): outbox, pushes, clock, user status,
//! key rotation and reset.

use serde_json::json;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_lists_a_users_messages_newest_first() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    emu.challenge_oob(&mfa, "email").await.expect_ok();
    emu.advance(2).await;
    emu.challenge_oob(&mfa, "sms").await.expect_ok();
    emu.advance(31).await;
    emu.challenge_oob(&mfa, "voice").await.expect_ok();
    emu.primary_oob(CAROL, "email").await.expect_ok();

    let outbox = emu.outbox(BOB).await;
    let channels: Vec<&str> = outbox
        .iter()
        .map(|m| m["channel"].as_str().unwrap())
        .collect();
    assert_eq!(channels, ["voice", "sms", "email"]);
    let times: Vec<i64> = outbox
        .iter()
        .map(|m| m["sent_at"].as_i64().unwrap())
        .collect();
    assert!(
        times[0] >= times[1] + 31 && times[1] >= times[2] + 2,
        "{times:?}"
    );
    assert_eq!(outbox[0]["to"], "+1 555 0100");
    assert_eq!(outbox[2]["to"], BOB);
    // Codes differ per message.
    assert_ne!(outbox[0]["code"], outbox[1]["code"]);
    // Only the asked user's messages; case-insensitive; nobody has none.
    assert_eq!(emu.outbox("BOB@example.com").await.len(), 3);
    assert_eq!(emu.outbox(CAROL).await.len(), 1);
    assert!(emu.outbox(ALICE).await.is_empty());
    // Without ?user, everyone's.
    let all = emu.get("/emulator/outbox").await;
    assert_eq!(all.json.as_array().unwrap().len(), 4);
    assert_eq!(all.json[0]["to"], CAROL);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_lists_pending_pushes_newest_first() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    emu.challenge_oob(&mfa, "push").await.expect_ok();
    emu.advance(3).await;
    emu.challenge_oob(&mfa, "push").await.expect_ok();
    let pushes = emu.pushes(BOB).await;
    assert_eq!(pushes.len(), 2);
    let t0 = pushes[0]["created_at"].as_i64().unwrap();
    let t1 = pushes[1]["created_at"].as_i64().unwrap();
    assert!(t0 >= t1 + 3, "newest first: {t0} {t1}");
    assert_ne!(pushes[0]["id"], pushes[1]["id"]);
    assert!(emu.pushes(CAROL).await.is_empty());
    // Answered pushes leave the list.
    let id = pushes[0]["id"].as_str().unwrap().to_string();
    emu.deny(&id).await;
    let left = emu.pushes(BOB).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["id"], pushes[1]["id"]);
    // Unknown push ids are 404.
    assert_eq!(emu.approve("no-such-push", None).await.status, 404);
    assert_eq!(emu.deny("no-such-push").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clock_moves_forward_on_request() {
    let emu = Emu::start().await;
    let before = emu.now().await;
    let after = emu.advance(301).await;
    assert!(
        after >= before + 301 && after <= before + 305,
        "{before} → {after}"
    );
    assert!(emu.now().await >= after);
    let r = emu
        .post_json("/emulator/clock", json!({"advance_seconds": -10}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(emu.now().await >= after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_status_reports_lockout_state() {
    let emu = Emu::start().await;
    let s = emu.user(BOB).await;
    assert_eq!(s["login"], BOB);
    assert_eq!(s["status"], "active");
    assert_eq!(s["locked"], false);
    assert_eq!(s["failed_passwords"], 0);
    assert_eq!(emu.user(ERIN).await["status"], "suspended");
    assert_eq!(
        emu.get("/emulator/users/nobody@example.com").await.status,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_restores_the_seed_state() {
    let emu = Emu::start().await;
    let seed_kid = emu.jwks(As::Default).await["keys"][0]["kid"]
        .as_str()
        .unwrap()
        .to_string();
    let start = emu.now().await;

    // Lock alice, leave messages and pushes, tokens, a fault, a new key and a moved clock.
    for _ in 0..10 {
        emu.password(ALICE, "wrong").await;
        emu.advance(1).await;
    }
    assert_eq!(emu.user(ALICE).await["locked"], true);
    let t = emu.bob_tokens().await;
    let mfa = emu.mfa_token(BOB).await;
    emu.challenge_oob(&mfa, "sms").await.expect_ok();
    emu.challenge_oob(&mfa, "push").await.expect_ok();
    emu.rotate_keys().await;
    assert_eq!(
        emu.jwks(As::Default).await["keys"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    emu.add_fault(json!({"endpoint": "introspect", "kind": "status", "status": 503, "count": 50}))
        .await;
    emu.advance(10_000).await;

    emu.reset().await;

    assert_eq!(emu.user(ALICE).await["locked"], false);
    assert_eq!(emu.user(ALICE).await["failed_passwords"], 0);
    let now = emu.now().await;
    assert!(now < start + 100, "the clock is back: {start} → {now}");
    assert!(emu.outbox(BOB).await.is_empty());
    assert!(emu.pushes(BOB).await.is_empty());
    let keys = emu.jwks(As::Default).await;
    assert_eq!(keys["keys"].as_array().unwrap().len(), 1);
    assert_eq!(keys["keys"][0]["kid"], seed_kid.as_str());
    // Faults are gone, and so are the tokens and flows.
    let r = emu
        .call(
            "introspect",
            &[("token", t["refresh_token"].as_str().unwrap())],
        )
        .await;
    assert_eq!(r.expect_ok(), &json!({"active": false}));
    let code = emu.totp().await;
    emu.mfa_otp(&mfa, &code)
        .await
        .expect_error(403, "access_denied");
    // The seed state works.
    let fresh = emu.alice_tokens().await;
    assert_eq!(kid_of(fresh["id_token"].as_str().unwrap()), seed_kid);
    // The SMS cooldown is gone too.
    let mfa = emu.mfa_token(BOB).await;
    emu.challenge_oob(&mfa, "sms").await.expect_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_pages_for_people_exist() {
    let emu = Emu::start().await;
    let r = emu.get("/emulator/ui").await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// `failed_codes`, `pushes_sent` and `messages_sent` of `login`.
async fn delivery_counters(emu: &Emu, login: &str) -> (u64, u64, u64) {
    let s = emu.user(login).await;
    let n = |k: &str| {
        s[k].as_u64()
            .unwrap_or_else(|| panic!("{k} is a number: {s}"))
    };
    (n("failed_codes"), n("pushes_sent"), n("messages_sent"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_status_counts_wrong_codes_and_deliveries() {
    let emu = Emu::start().await;
    assert_eq!(delivery_counters(&emu, BOB).await, (0, 0, 0));
    assert_eq!(delivery_counters(&emu, CAROL).await, (0, 0, 0));
    let wrong = emu.wrong_totp().await;

    // Primary OTP: a wrong code counts, a right one does not.
    let primary_otp = |otp: String| {
        let emu = &emu;
        async move {
            emu.token(&[
                ("grant_type", GRANT_OTP),
                ("login_hint", CAROL),
                ("otp", otp.as_str()),
                ("scope", SCOPE),
            ])
            .await
        }
    };
    primary_otp(wrong.clone())
        .await
        .expect_error(400, "invalid_grant");
    primary_otp(wrong.clone())
        .await
        .expect_error(400, "invalid_grant");
    assert_eq!(delivery_counters(&emu, CAROL).await, (2, 0, 0));
    emu.advance(1).await;
    primary_otp(emu.totp().await).await.expect_tokens();
    assert_eq!(delivery_counters(&emu, CAROL).await, (2, 0, 0));

    // Primary email and push for carol: one message, one push; a wrong email code counts.
    let email = emu.primary_oob(CAROL, "email").await;
    let oob = email.str("oob_code");
    emu.advance(1).await;
    emu.oob_grant(&oob, Some("000000"))
        .await
        .expect_error(400, "invalid_grant");
    emu.primary_oob(CAROL, "push").await.expect_ok();
    assert_eq!(delivery_counters(&emu, CAROL).await, (3, 1, 1));

    // Second factor for bob: a wrong TOTP, a wrong SMS code, a push, an email.
    let mfa = emu.mfa_token(BOB).await;
    emu.advance(1).await;
    emu.mfa_otp(&mfa, &wrong)
        .await
        .expect_error(400, "invalid_grant");
    let sms = emu.challenge_oob(&mfa, "sms").await;
    let sms_code = sms.str("oob_code");
    emu.advance(1).await;
    emu.mfa_oob(&mfa, &sms_code, Some("not-it"))
        .await
        .expect_error(400, "invalid_grant");
    emu.challenge_oob(&mfa, "push").await.expect_ok();
    emu.challenge_oob(&mfa, "email").await.expect_ok();
    assert_eq!(delivery_counters(&emu, BOB).await, (2, 1, 2));
    // An SMS refused by the per-phone limit was not sent, so it is not counted.
    emu.challenge_oob(&mfa, "sms")
        .await
        .expect_error(429, "invalid_grant");
    assert_eq!(delivery_counters(&emu, BOB).await, (2, 1, 2));
    // A code burnt after five wrong tries keeps counting what reached the emulator.
    for _ in 0..5 {
        emu.advance(1).await;
        emu.mfa_oob(&mfa, &sms_code, Some("not-it")).await;
    }
    assert_eq!(delivery_counters(&emu, BOB).await.0, 6);
    // Wrong passwords are not codes.
    emu.password(ALICE, "wrong").await;
    assert_eq!(delivery_counters(&emu, ALICE).await, (0, 0, 0));
    assert_eq!(emu.user(ALICE).await["failed_passwords"], 1);

    emu.reset().await;
    assert_eq!(delivery_counters(&emu, BOB).await, (0, 0, 0));
    assert_eq!(delivery_counters(&emu, CAROL).await, (0, 0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_calls_counts_every_token_request_with_its_arrival_time() {
    let emu = Emu::start().await;
    let before = emu.get_json("/emulator/token-calls").await;
    assert_eq!(before["total"], 0, "{before}");
    let start_ms = emu.now().await * 1000;
    emu.password(ALICE, PASSWORD).await.expect_tokens();
    // A call answered by an injected fault reached "Okta" too.
    emu.add_fault(json!({"endpoint": "token", "kind": "status", "status": 503}))
        .await;
    assert_eq!(emu.password(ALICE, PASSWORD).await.status, 503);
    // Other endpoints are not `/token`.
    emu.call("introspect", &[("token", "x")]).await;
    emu.advance(5).await;
    emu.password(ALICE, "wrong").await;

    let all = emu.get_json("/emulator/token-calls").await;
    assert_eq!(all["total"], 3, "{all}");
    let arrivals: Vec<i64> = all["arrivals_ms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(arrivals.len(), 3);
    assert!(arrivals.windows(2).all(|w| w[0] <= w[1]), "{arrivals:?}");
    assert!(arrivals[0] >= start_ms && arrivals[2] >= start_ms + 5000);
    // `since` keeps the later ones only; the total stays.
    let later = emu
        .get_json(&format!("/emulator/token-calls?since={}", start_ms + 5000))
        .await;
    assert_eq!(later["total"], 3);
    assert_eq!(later["arrivals_ms"].as_array().unwrap().len(), 1, "{later}");
}
