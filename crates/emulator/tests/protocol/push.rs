//! Okta Verify push as the second factor (flow D): polling with `authorization_pending`
//! and `slow_down`, approve / deny / expiry through the control API, and number
//! challenge (`binding_method` `transfer`) for dave (§5.2, §6, §7.1).

use serde_json::json;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_polling_pending_slow_down_then_approved() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    let r = emu.challenge_oob(&mfa, "push").await;
    let c = r.expect_ok();
    assert_eq!(c["challenge_type"], GRANT_MFA_OOB);
    assert_eq!(c["channel"], "push");
    assert_eq!(c["binding_method"], "none");
    assert_eq!(c["interval"], 5);
    assert_eq!(c["expires_in"], 300);
    assert!(c.get("binding_code").is_none());
    let oob = r.str("oob_code");
    assert!(emu.outbox(BOB).await.is_empty(), "a push sends no message");

    let pushes = emu.pushes(BOB).await;
    assert_eq!(pushes.len(), 1);
    assert!(
        pushes[0]["numbers"].is_null(),
        "bob has no number challenge"
    );
    assert!(pushes[0]["created_at"].is_i64());
    let push = pushes[0]["id"].as_str().unwrap().to_string();

    emu.mfa_oob(&mfa, &oob, None)
        .await
        .expect_error(400, "authorization_pending");
    // Polled again at once: slow down (interval grows to 10 s).
    emu.mfa_oob(&mfa, &oob, None)
        .await
        .expect_error(400, "slow_down");
    emu.advance(6).await;
    emu.mfa_oob(&mfa, &oob, None)
        .await
        .expect_error(400, "slow_down");
    emu.advance(16).await;
    emu.mfa_oob(&mfa, &oob, None)
        .await
        .expect_error(400, "authorization_pending");

    let r = emu.approve(&push, None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "approved");
    assert!(emu.pushes(BOB).await.is_empty(), "no longer pending");
    emu.advance(20).await;
    let body = emu.mfa_oob(&mfa, &oob, None).await.expect_tokens().clone();
    let amr = amr(body["id_token"].as_str().unwrap());
    for m in ["pwd", "swk", "mfa"] {
        assert!(amr.contains(&m.to_string()), "{amr:?}");
    }
    emu.advance(20).await;
    emu.mfa_oob(&mfa, &oob, None)
        .await
        .expect_error(403, "access_denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_push_is_invalid_grant() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    let oob = emu.challenge_oob(&mfa, "push").await.str("oob_code");
    let push = emu.push_id(BOB).await;
    let r = emu.deny(&push).await;
    assert_eq!(r.json["status"], "denied", "{}", r.text);
    emu.mfa_oob(&mfa, &oob, None)
        .await
        .expect_error(400, "invalid_grant");
    // A push can be answered once.
    assert_eq!(emu.approve(&push, None).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_expires() {
    let emu = Emu::start().await;
    let mfa = emu.mfa_token(BOB).await;
    let oob = emu.challenge_oob(&mfa, "push").await.str("oob_code");
    let push = emu.push_id(BOB).await;
    emu.advance(301).await;
    assert!(emu.pushes(BOB).await.is_empty());
    assert_eq!(emu.approve(&push, None).await.status, 404);
    emu.mfa_oob(&mfa, &oob, None)
        .await
        .expect_error(403, "access_denied");
}

async fn dave_push(emu: &Emu) -> (String, String, u32, Vec<u32>, String) {
    let mfa = emu.mfa_token(DAVE).await;
    let r = emu.challenge_oob(&mfa, "push").await;
    let c = r.expect_ok();
    assert_eq!(c["binding_method"], "transfer");
    assert_eq!(c["channel"], "push");
    assert_eq!(c["interval"], 5);
    let binding: u32 = r.str("binding_code").parse().expect("a number");
    assert!((10..100).contains(&binding), "{binding}");
    let pushes = emu.pushes(DAVE).await;
    let numbers: Vec<u32> = pushes[0]["numbers"]
        .as_array()
        .expect("numbers with number challenge")
        .iter()
        .map(|n| n.as_u64().unwrap() as u32)
        .collect();
    assert_eq!(numbers.len(), 3);
    assert!(numbers.contains(&binding), "{numbers:?} / {binding}");
    let id = pushes[0]["id"].as_str().unwrap().to_string();
    (mfa, r.str("oob_code"), binding, numbers, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dave_number_challenge_right_number() {
    let emu = Emu::start().await;
    let (mfa, oob, binding, _, push) = dave_push(&emu).await;
    emu.mfa_oob(&mfa, &oob, None)
        .await
        .expect_error(400, "authorization_pending");
    // Approving without the number is refused by "Okta Verify"; the push stays pending.
    let r = emu.approve(&push, None).await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = emu
        .post_json(&format!("/emulator/pushes/{push}/approve"), json!({}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(emu.pushes(DAVE).await.len(), 1);
    let r = emu.approve(&push, Some(binding)).await;
    assert_eq!(r.json["status"], "approved", "{}", r.text);
    emu.advance(5).await;
    let body = emu.mfa_oob(&mfa, &oob, None).await.expect_tokens().clone();
    let amr = amr(body["id_token"].as_str().unwrap());
    for m in ["pwd", "swk", "mfa"] {
        assert!(amr.contains(&m.to_string()), "{amr:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dave_number_challenge_wrong_number_rejects() {
    let emu = Emu::start().await;
    let (mfa, oob, binding, numbers, push) = dave_push(&emu).await;
    let wrong = *numbers.iter().find(|n| **n != binding).unwrap();
    let r = emu.approve(&push, Some(wrong)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "denied");
    emu.mfa_oob(&mfa, &oob, None)
        .await
        .expect_error(400, "invalid_grant");
}
