//! The sign-in flows end to end.

use crate::common::{Portal, PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_only() {
    let p = Portal::start().await;
    let page = p.get("/signin").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("autocomplete=\"username\"")
            && page.body.contains("autocomplete=\"current-password\"")
    );
    p.post(
        "/signin",
        &[("username", "alice@example.com"), ("password", PASSWORD)],
    )
    .await
    .assert_redirect("/account");
    let account = p.get("/account").await;
    assert_eq!(account.status, 200, "{}", account.body);
    assert!(account.body.contains("Alice Anderson"));
    assert!(account.body.contains(">pwd<"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_then_otp_wrong_then_right() {
    let p = Portal::start().await;
    p.password_step("bob@example.com", PASSWORD)
        .await
        .assert_redirect("/signin/factor");
    let factor = p.get("/signin/factor").await;
    for value in ["otp", "push", "sms", "voice", "email"] {
        assert!(
            factor
                .body
                .contains(&format!("name=\"factor\" value=\"{value}\"")),
            "{value}"
        );
    }
    p.post("/signin/factor", &[("factor", "otp")])
        .await
        .assert_redirect("/signin/verify");
    let verify = p.get("/signin/verify").await;
    assert!(
        verify.body.contains("autocomplete=\"one-time-code\"")
            && verify.body.contains("inputmode=\"numeric\"")
    );
    let wrong = p.post("/signin/verify", &[("code", "000000")]).await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("aria-invalid=\"true\""));
    let code = p.totp().await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
    let s = p.signed_in().await.expect("signed in");
    assert!(
        s.amr.contains(&"pwd".to_string())
            && s.amr.contains(&"otp".to_string())
            && s.amr.contains(&"mfa".to_string())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_then_sms_voice_and_email() {
    for (channel, amr) in [("sms", "sms"), ("voice", "tel"), ("email", "email")] {
        let p = Portal::start().await;
        p.password_step("bob@example.com", PASSWORD)
            .await
            .assert_redirect("/signin/factor");
        p.get("/signin/factor").await;
        p.post("/signin/factor", &[("factor", channel)])
            .await
            .assert_redirect("/signin/verify");
        let verify = p.get("/signin/verify").await;
        assert!(verify.body.contains("We sent you a code"), "{channel}");
        let code = p.outbox_code("bob@example.com").await;
        p.post("/signin/verify", &[("code", &code)])
            .await
            .assert_redirect("/account");
        assert!(
            p.signed_in().await.unwrap().amr.contains(&amr.to_string()),
            "{channel}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_with_number_challenge_wrong_number_then_right() {
    let p = Portal::start().await;
    p.password_step("dave@example.com", PASSWORD)
        .await
        .assert_redirect("/signin/factor");
    p.get("/signin/factor").await;
    p.post("/signin/factor", &[("factor", "push")])
        .await
        .assert_redirect("/signin/wait");
    let wait = p.get("/signin/wait").await;
    assert_eq!(wait.status, 200);
    let push = p.pending_push("dave@example.com").await;
    let numbers: Vec<u64> = push["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    let shown: u64 = wait
        .body
        .split("id=\"binding-code\"")
        .nth(1)
        .and_then(|s| s.split('>').nth(1))
        .and_then(|s| s.split('<').next())
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(numbers.contains(&shown));
    let wrong = numbers.iter().find(|n| **n != shown).copied().unwrap();
    p.answer_push("dave@example.com", true, Some(wrong)).await;
    p.advance(5).await;
    let status = p.get("/signin/wait/status").await.json();
    assert_eq!(status["state"], "denied");
    // Start again and tap the right number.
    p.password_step("dave@example.com", PASSWORD)
        .await
        .assert_redirect("/signin/factor");
    p.get("/signin/factor").await;
    p.post("/signin/factor", &[("factor", "push")])
        .await
        .assert_redirect("/signin/wait");
    let wait = p.get("/signin/wait").await;
    let shown: u64 = wait
        .body
        .split("id=\"binding-code\"")
        .nth(1)
        .and_then(|s| s.split('>').nth(1))
        .and_then(|s| s.split('<').next())
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        p.get("/signin/wait/status").await.json()["state"],
        "pending"
    );
    p.answer_push("dave@example.com", true, Some(shown)).await;
    p.advance(5).await;
    let status = p.get("/signin/wait/status").await.json();
    assert_eq!(status["state"], "approved", "{status}");
    assert_eq!(status["redirect"], "/account");
    assert_eq!(p.get("/account").await.status, 200);
}
