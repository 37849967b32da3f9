//! The sign-in flows end to end.

use crate::common::{Portal, PASSWORD, POLL_DUE};

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
    let wait = p.wait_for_push().await;
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
    p.advance(POLL_DUE).await;
    let status = p.settled_status().await;
    assert_eq!(status["state"], "denied");
    // Start again and tap the right number.
    p.password_step("dave@example.com", PASSWORD)
        .await
        .assert_redirect("/signin/factor");
    let wait = p.wait_for_push().await;
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
    p.advance(POLL_DUE).await;
    let status = p.settled_status().await;
    assert_eq!(status["state"], "approved", "{status}");
    assert_eq!(status["redirect"], "/account");
    assert_eq!(p.get("/account").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_then_push_without_number_challenge() {
    let p = Portal::start().await;
    let before = p.token_requests("bob@example.com").await;
    p.mfa_start("bob@example.com", "push")
        .await
        .assert_redirect("/signin/wait");
    let wait = p.get("/signin/wait").await;
    assert_eq!(wait.status, 200, "{}", wait.body);
    assert!(wait.body.contains("Check your phone"));
    assert!(
        !wait.body.contains("id=\"binding-code\""),
        "bob's push has no number challenge"
    );
    let push = p.pending_push("bob@example.com").await;
    assert!(push["numbers"].is_null(), "{push}");
    // Not answered yet: the portal polls (once the interval has passed, in the
    // background) and keeps waiting.
    p.advance(POLL_DUE).await;
    assert_eq!(
        p.get("/signin/wait/status").await.json()["state"],
        "pending"
    );
    // The password, then that poll.
    assert_eq!(
        p.token_requests_reach("bob@example.com", before + 2).await,
        before + 2
    );
    assert_eq!(
        p.get("/signin/wait/status").await.json()["state"],
        "pending"
    );
    p.answer_push("bob@example.com", true, None).await;
    p.advance(POLL_DUE).await;
    // The page itself (no JavaScript) polls and moves on.
    p.get("/signin/wait").await.assert_redirect("/account");
    let s = p.signed_in().await.expect("signed in");
    assert_eq!(
        s.amr,
        vec!["pwd".to_string(), "swk".to_string(), "mfa".to_string()]
    );
    // password, one pending poll, the approved poll.
    assert_eq!(p.token_requests("bob@example.com").await - before, 3);
    assert_eq!(p.get("/account").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_page_does_not_poll_before_the_interval() {
    let p = Portal::start().await;
    p.mfa_start("bob@example.com", "push")
        .await
        .assert_redirect("/signin/wait");
    let before = p.token_requests("bob@example.com").await;
    for _ in 0..3 {
        assert_eq!(
            p.get("/signin/wait/status").await.json()["state"],
            "pending"
        );
        assert_eq!(p.get("/signin/wait").await.status, 200);
    }
    assert_eq!(
        p.token_requests("bob@example.com").await,
        before,
        "no poll before `interval`"
    );
    p.advance(POLL_DUE).await;
    assert_eq!(
        p.get("/signin/wait/status").await.json()["state"],
        "pending"
    );
    // The poll is made in the background, once.
    assert_eq!(
        p.token_requests_reach("bob@example.com", before + 1).await,
        before + 1
    );
    assert_eq!(
        p.get("/signin/wait/status").await.json()["state"],
        "pending"
    );
    assert_eq!(p.token_requests("bob@example.com").await, before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwordless_otp() {
    let p = Portal::start().await;
    let signin = p.get("/signin").await;
    for value in ["otp", "push", "sms", "voice", "email"] {
        assert!(
            signin
                .body
                .contains(&format!("name=\"method\" value=\"{value}\"")),
            "{value}"
        );
    }
    p.post(
        "/signin/passwordless",
        &[("username", "carol@example.com"), ("method", "otp")],
    )
    .await
    .assert_redirect("/signin/verify");
    let verify = p.get("/signin/verify").await;
    assert!(verify.body.contains("authenticator app"));
    assert_eq!(
        verify.input_value("username").as_deref(),
        Some("carol@example.com")
    );
    let code = p.totp().await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
    let s = p.signed_in().await.expect("signed in");
    assert_eq!(s.amr, vec!["otp".to_string()]);
    assert!(p.get("/account").await.body.contains("Carol"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwordless_push_with_number_challenge() {
    let p = Portal::start().await;
    p.passwordless_start("carol@example.com", "push")
        .await
        .assert_redirect("/signin/wait");
    let wait = p.get("/signin/wait").await;
    let shown = wait
        .binding_code()
        .expect("carol's push has a number challenge");
    let push = p.pending_push("carol@example.com").await;
    let numbers: Vec<u64> = push["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    assert_eq!(numbers.len(), 3);
    assert!(numbers.contains(&shown));
    p.answer_push("carol@example.com", true, Some(shown)).await;
    p.advance(POLL_DUE).await;
    let status = p.settled_status().await;
    assert_eq!(status["state"], "approved", "{status}");
    assert_eq!(status["redirect"], "/account");
    assert_eq!(p.signed_in().await.unwrap().amr, vec!["swk".to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwordless_sms_voice_and_email() {
    for (method, amr) in [("sms", "sms"), ("voice", "tel"), ("email", "email")] {
        let p = Portal::start().await;
        p.passwordless_start("carol@example.com", method)
            .await
            .assert_redirect("/signin/verify");
        let verify = p.get("/signin/verify").await;
        assert!(verify.body.contains("We sent you a code"), "{method}");
        let sent = p.outbox("carol@example.com").await;
        assert_eq!(sent.len(), 1, "{method}");
        assert_eq!(sent[0]["channel"], method, "{method}");
        let code = sent[0]["code"].as_str().unwrap().to_string();
        p.post("/signin/verify", &[("code", &code)])
            .await
            .assert_redirect("/account");
        assert_eq!(
            p.signed_in().await.unwrap().amr,
            vec![amr.to_string()],
            "{method}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mfa_required_after_passwordless_email() {
    let p = Portal::start().await;
    p.passwordless_start("bob@example.com", "email")
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    let code = p.outbox_code("bob@example.com").await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/signin/factor");
    let factor = p.get("/signin/factor").await;
    assert_eq!(factor.status, 200);
    assert!(
        !factor.body.contains("name=\"factor\" value=\"email\""),
        "the first factor is not offered again"
    );
    for value in ["otp", "push", "sms", "voice"] {
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
    p.get("/signin/verify").await;
    let totp = p.totp().await;
    p.post("/signin/verify", &[("code", &totp)])
        .await
        .assert_redirect("/account");
    let amr = p.signed_in().await.unwrap().amr;
    for a in ["email", "otp", "mfa"] {
        assert!(amr.contains(&a.to_string()), "{a} in {amr:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mfa_required_after_passwordless_otp() {
    let p = Portal::start().await;
    p.passwordless_start("bob@example.com", "otp")
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    let totp = p.totp().await;
    p.post("/signin/verify", &[("code", &totp)])
        .await
        .assert_redirect("/signin/factor");
    let factor = p.get("/signin/factor").await;
    assert!(!factor.body.contains("name=\"factor\" value=\"otp\""));
    // Picking the same factor again is refused with a notice, not an Okta call.
    let before = p.token_requests("bob@example.com").await;
    p.post("/signin/factor", &[("factor", "otp")])
        .await
        .assert_redirect("/signin/factor");
    assert!(p
        .get("/signin/factor")
        .await
        .body
        .contains("Please choose another way to verify."));
    p.post("/signin/factor", &[("factor", "sms")])
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    let code = p.outbox_code("bob@example.com").await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
    assert_eq!(
        p.token_requests("bob@example.com").await - before,
        1,
        "only the SMS code went to /token"
    );
    let amr = p.signed_in().await.unwrap().amr;
    for a in ["otp", "sms", "mfa"] {
        assert!(amr.contains(&a.to_string()), "{a} in {amr:?}");
    }
}
