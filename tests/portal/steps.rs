//! Moving through the steps: wrong codes, denied and expired pushes, resend and its
//! cooldown, cancel, switching factor, double submits, the back button and stale forms.

use crate::common::{Portal, PASSWORD, POLL_DUE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_sms_code_then_right_code() {
    let p = Portal::start().await;
    p.mfa_start("bob@example.com", "sms")
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    let code = p.outbox_code("bob@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let page = p.post("/signin/verify", &[("code", wrong)]).await;
    assert_eq!(page.status, 401, "{}", page.body);
    assert!(page.text().contains("That code didn't work"));
    assert!(page.body.contains("aria-invalid=\"true\""));
    assert_eq!(
        page.input_value("username").as_deref(),
        Some("bob@example.com")
    );
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
    assert!(p
        .signed_in()
        .await
        .unwrap()
        .amr
        .contains(&"sms".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_codes_restart_with_the_username_kept() {
    let p = Portal::start().await;
    p.mfa_start("bob@example.com", "otp")
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    for _ in 0..4 {
        assert_eq!(
            p.post("/signin/verify", &[("code", "000000")]).await.status,
            401
        );
        // Stay under Okta's 4 requests per second per user.
        p.advance(1).await;
    }
    p.post("/signin/verify", &[("code", "000000")])
        .await
        .assert_redirect("/signin");
    let signin = p.get("/signin").await;
    assert_eq!(
        signin.input_value("username").as_deref(),
        Some("bob@example.com")
    );
    assert!(signin.body.contains("Too many wrong codes"));
    assert_eq!(signin.notices(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_denied() {
    let p = Portal::start().await;
    p.mfa_start("bob@example.com", "push")
        .await
        .assert_redirect("/signin/wait");
    p.get("/signin/wait").await;
    p.answer_push("bob@example.com", false, None).await;
    p.advance(POLL_DUE).await;
    let status = p.settled_status().await;
    assert_eq!(status["state"], "denied", "{status}");
    assert_eq!(status["redirect"], "/signin");
    let signin = p.get("/signin").await;
    assert_eq!(signin.status, 200);
    assert_eq!(
        signin.input_value("username").as_deref(),
        Some("bob@example.com")
    );
    assert!(signin.body.contains("denied on your device"));
    assert_eq!(signin.notices(), 1);
    assert!(p.signed_in().await.is_none());
    assert_eq!(
        p.get("/account").await.location.as_deref(),
        Some("/signin?return_to=%2Faccount")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_expired() {
    let p = Portal::start().await;
    p.mfa_start("dave@example.com", "push")
        .await
        .assert_redirect("/signin/wait");
    assert_eq!(p.get("/signin/wait").await.status, 200);
    assert_eq!(
        p.get("/signin/wait/status").await.json()["state"],
        "pending"
    );
    p.advance(301).await;
    let status = p.settled_status().await;
    assert_eq!(status["state"], "expired", "{status}");
    assert_eq!(status["redirect"], "/signin");
    // Approving now is too late: the push is gone at the emulator.
    assert!(p.emu.pushes("dave@example.com").await.is_empty());
    let signin = p.get("/signin").await;
    assert_eq!(signin.status, 200);
    assert_eq!(
        signin.input_value("username").as_deref(),
        Some("dave@example.com")
    );
    assert_eq!(signin.notices(), 1, "one friendly line");
    assert!(signin
        .body
        .contains("That step took too long and has expired. Please start again."));
    // The wait page itself also goes back to the sign-in page.
    p.get("/signin/wait").await.assert_redirect("/signin");
    // And the user can start again.
    let page = p.mfa_start("dave@example.com", "push").await;
    page.assert_redirect("/signin/wait");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_page_of_an_expired_push_restarts() {
    let p = Portal::start().await;
    p.mfa_start("bob@example.com", "push")
        .await
        .assert_redirect("/signin/wait");
    p.advance(301).await;
    p.get("/signin/wait").await.assert_redirect("/signin");
    let signin = p.get("/signin").await;
    assert_eq!(
        signin.input_value("username").as_deref(),
        Some("bob@example.com")
    );
    assert_eq!(signin.notices(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resend_cooldown_then_new_code() {
    let p = Portal::start().await;
    let user = "bob@example.com";
    p.mfa_start(user, "sms")
        .await
        .assert_redirect("/signin/verify");
    let verify = p.get("/signin/verify").await;
    assert!(
        verify.body.contains("id=\"resend-cooldown\""),
        "the cooldown is shown"
    );
    assert_eq!(p.outbox(user).await.len(), 1);
    let old = p.outbox_code(user).await;

    // Too early: a notice, no new SMS.
    p.advance(10).await;
    p.post("/signin/resend", &[])
        .await
        .assert_redirect("/signin/verify");
    let verify = p.get("/signin/verify").await;
    // 20 s left, or 19 when a real second ticked over since the code was sent.
    assert!(
        ["in 20 seconds.", "in 19 seconds."].iter().any(|s| verify
            .body
            .contains(&format!("You can ask for a new code {s}"))),
        "{}",
        verify.body
    );
    assert_eq!(
        p.outbox(user).await.len(),
        1,
        "no SMS sent during the cooldown"
    );

    // After the cooldown: a new code, and the old one no longer works.
    p.advance(20).await;
    p.post("/signin/resend", &[])
        .await
        .assert_redirect("/signin/verify");
    let verify = p.get("/signin/verify").await;
    assert!(verify.body.contains("We sent you a new code."));
    let sent = p.outbox(user).await;
    assert_eq!(sent.len(), 2);
    let new = sent[0]["code"].as_str().unwrap().to_string();
    assert_eq!(sent[1]["code"].as_str().unwrap(), old);
    if new != old {
        let page = p.post("/signin/verify", &[("code", &old)]).await;
        assert_eq!(page.status, 401, "the old code is refused");
    }
    p.post("/signin/verify", &[("code", &new)])
        .await
        .assert_redirect("/account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resend_of_an_authenticator_code_sends_nothing() {
    let p = Portal::start().await;
    p.mfa_start("bob@example.com", "otp")
        .await
        .assert_redirect("/signin/verify");
    let verify = p.get("/signin/verify").await;
    assert!(!verify.body.contains("action=\"/signin/resend\""));
    let page = p.post("/signin/resend", &[]).await;
    page.assert_redirect("/signin/verify");
    assert!(p.outbox("bob@example.com").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_keeps_the_username() {
    let p = Portal::start().await;
    p.mfa_start("bob@example.com", "sms")
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    p.post("/signin/cancel", &[])
        .await
        .assert_redirect("/signin");
    let signin = p.get("/signin").await;
    assert_eq!(signin.status, 200);
    assert_eq!(
        signin.input_value("username").as_deref(),
        Some("bob@example.com")
    );
    assert!(signin.body.contains("Sign-in cancelled."));
    assert_eq!(signin.notices(), 1);
    // The flow is gone: its pages send the visitor back to the sign-in page.
    p.get("/signin/verify").await.assert_redirect("/signin");
    p.get("/signin/factor").await.assert_redirect("/signin");
    let code = p.outbox_code("bob@example.com").await;
    let before = p.token_requests("bob@example.com").await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/signin");
    assert_eq!(
        p.token_requests("bob@example.com").await,
        before,
        "a cancelled flow's code is not sent"
    );
    assert!(p.signed_in().await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_from_the_push_wait() {
    let p = Portal::start().await;
    p.mfa_start("bob@example.com", "push")
        .await
        .assert_redirect("/signin/wait");
    p.get("/signin/wait").await;
    p.post("/signin/cancel", &[])
        .await
        .assert_redirect("/signin");
    assert_eq!(
        p.get("/signin/wait/status").await.json()["state"],
        "expired"
    );
    // Approving the push afterwards signs nobody in.
    p.answer_push("bob@example.com", true, None).await;
    p.advance(POLL_DUE).await;
    p.get("/signin/wait").await.assert_redirect("/signin");
    assert!(p.signed_in().await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switch_factor_from_verify_and_from_wait() {
    let p = Portal::start().await;
    p.mfa_start("bob@example.com", "sms")
        .await
        .assert_redirect("/signin/verify");
    let verify = p.get("/signin/verify").await;
    assert!(verify.body.contains("action=\"/signin/switch\""));
    p.post("/signin/switch", &[])
        .await
        .assert_redirect("/signin/factor");
    let factor = p.get("/signin/factor").await;
    assert_eq!(factor.status, 200);
    assert!(factor.body.contains("name=\"factor\" value=\"push\""));
    p.post("/signin/factor", &[("factor", "push")])
        .await
        .assert_redirect("/signin/wait");
    p.get("/signin/wait").await;
    p.post("/signin/switch", &[])
        .await
        .assert_redirect("/signin/factor");
    p.get("/signin/factor").await;
    p.post("/signin/factor", &[("factor", "otp")])
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    let code = p.totp().await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
    let amr = p.signed_in().await.unwrap().amr;
    assert!(
        amr.contains(&"otp".to_string()) && !amr.contains(&"sms".to_string()),
        "{amr:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switch_in_a_passwordless_flow_goes_back_to_the_sign_in_page() {
    let p = Portal::start().await;
    p.passwordless_start("carol@example.com", "sms")
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    p.post("/signin/switch", &[])
        .await
        .assert_redirect("/signin");
    let signin = p.get("/signin").await;
    assert_eq!(
        signin.input_value("username").as_deref(),
        Some("carol@example.com")
    );
    assert!(signin.body.contains("Please choose another way to verify."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submit_while_the_flow_is_busy_sends_okta_nothing() {
    let p = Portal::start().await;
    let user = "bob@example.com";
    p.mfa_start(user, "otp")
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    let sid = p.session_id().unwrap();
    let code = p.totp().await;
    let hits = p.token_endpoint_hits().await;
    let calls = p.okta_calls("token").await;
    // Another request holds the flow (the first of a double submit, still talking to Okta).
    p.hold_flow_lease(&sid).await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/signin/verify");
    assert_eq!(
        p.token_endpoint_hits().await,
        hits + 1,
        "only the probe reached /token"
    );
    assert_eq!(p.okta_calls("token").await, calls);
    assert!(p.signed_in().await.is_none());
    p.release_flow_lease(&sid).await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
    assert_eq!(
        p.token_endpoint_hits().await,
        hits + 3,
        "the probes and one redemption"
    );
    assert_eq!(p.okta_calls("token").await, calls + 1);
    assert!(p.signed_in().await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn double_submit_of_the_same_code() {
    for factor in ["otp", "sms"] {
        let p = Portal::start().await;
        let user = "bob@example.com";
        p.mfa_start(user, factor)
            .await
            .assert_redirect("/signin/verify");
        p.get("/signin/verify").await;
        let code = if factor == "otp" {
            p.totp().await
        } else {
            p.outbox_code(user).await
        };
        let hits = p.token_endpoint_hits().await;
        let calls = p.okta_calls("token").await;
        let fields = [("code", code.as_str())];
        let (a, b) = tokio::join!(
            p.post_request("/signin/verify", &fields, true, vec![])
                .dispatch(),
            p.post_request("/signin/verify", &fields, true, vec![])
                .dispatch(),
        );
        let (a, b) = (p.page(a).await, p.page(b).await);
        for page in [&a, &b] {
            assert_eq!(page.status, 303, "{factor}: {}", page.body);
        }
        assert!(
            [&a, &b]
                .iter()
                .any(|pg| pg.location.as_deref() == Some("/account")),
            "{factor}: one of them signs in: {:?} {:?}",
            a.location,
            b.location
        );
        // Exactly one redemption reached Okta (the second reading adds its own probe).
        assert_eq!(p.token_endpoint_hits().await, hits + 2, "{factor}");
        assert_eq!(p.okta_calls("token").await, calls + 1, "{factor}");
        // The browser ends signed in.
        assert!(p.signed_in().await.is_some(), "{factor}");
        assert_eq!(p.get("/account").await.status, 200, "{factor}");
        p.get("/signin/verify").await.assert_redirect("/signin");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replaying_an_accepted_code_in_the_next_sign_in_fails_at_okta() {
    // What the lease protects against: the emulator refuses a TOTP code used once.
    let p = Portal::start().await;
    p.mfa_start("bob@example.com", "otp")
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    let code = p.totp().await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
    let q = p.browser().await;
    q.mfa_start("bob@example.com", "otp")
        .await
        .assert_redirect("/signin/verify");
    q.get("/signin/verify").await;
    assert_eq!(
        q.post("/signin/verify", &[("code", &code)]).await.status,
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_button_lands_on_the_current_step() {
    let p = Portal::start().await;
    p.mfa_start("bob@example.com", "sms")
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    // Back to the factor choice: sent on to the step the flow is at.
    p.get("/signin/factor")
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/wait")
        .await
        .assert_redirect("/signin/verify");
    // The sign-in page still works (and shows who is signing in).
    let signin = p.get("/signin").await;
    assert_eq!(signin.status, 200);
    assert_eq!(
        signin.input_value("username").as_deref(),
        Some("bob@example.com")
    );
    // A stale POST of the factor form: back to the current step, no new SMS.
    p.post("/signin/factor", &[("factor", "sms")])
        .await
        .assert_redirect("/signin/verify");
    assert_eq!(p.outbox("bob@example.com").await.len(), 1);
    let code = p.outbox_code("bob@example.com").await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
    // Signed in: the sign-in pages send the visitor on.
    p.get("/signin").await.assert_redirect("/account");
    p.get("/signin?return_to=/account%3Ftab%3D1")
        .await
        .assert_redirect("/account?tab=1");
    p.get("/signin/verify").await.assert_redirect("/signin");
    p.get("/signin/wait").await.assert_redirect("/account");
    assert_eq!(
        p.get("/signin/wait/status").await.json()["state"],
        "approved"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_posts_after_sign_in_are_refused_cleanly() {
    let p = Portal::start().await;
    p.mfa_start("bob@example.com", "otp")
        .await
        .assert_redirect("/signin/verify");
    let verify = p.get("/signin/verify").await;
    let old_csrf = p.csrf().unwrap();
    let code = p.totp().await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
    assert!(verify.body.contains(&old_csrf));
    // The pre-sign-in forms carry a token of the old session id: refused, never a 500.
    for (path, fields) in [
        ("/signin/verify", vec![("code", code.as_str())]),
        ("/signin/factor", vec![("factor", "sms")]),
        ("/signin/resend", vec![]),
        ("/signin/cancel", vec![]),
        ("/signin/switch", vec![]),
        (
            "/signin",
            vec![("username", "bob@example.com"), ("password", PASSWORD)],
        ),
    ] {
        let mut fields = fields.clone();
        fields.push(("csrf_token", old_csrf.as_str()));
        let page = p.post(path, &fields).await;
        assert!(
            page.status == 403 || page.status == 303,
            "{path}: {} {:?}",
            page.status,
            page.location
        );
    }
    // With the signed-in page's token, a leftover step form just sends the user on.
    assert_eq!(p.get("/account").await.status, 200);
    p.post("/signin/factor", &[("factor", "sms")])
        .await
        .assert_redirect("/account");
    p.post("/signin/verify", &[("code", "123456")])
        .await
        .assert_redirect("/account");
    p.post(
        "/signin",
        &[("username", "bob@example.com"), ("password", PASSWORD)],
    )
    .await
    .assert_redirect("/account");
    assert!(
        p.outbox("bob@example.com").await.is_empty(),
        "no SMS was sent"
    );
    assert!(p.signed_in().await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_posts_of_an_old_step_during_sign_in() {
    let p = Portal::start().await;
    p.password_step("bob@example.com", PASSWORD)
        .await
        .assert_redirect("/signin/factor");
    p.get("/signin/factor").await;
    // The code form before any code was asked for.
    p.post("/signin/verify", &[("code", "123456")])
        .await
        .assert_redirect("/signin/factor");
    p.post("/signin/resend", &[])
        .await
        .assert_redirect("/signin/factor");
    p.post("/signin/factor", &[("factor", "otp")])
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    // Stale wait page of another tab.
    let wait = p.get("/signin/wait").await;
    wait.assert_redirect("/signin/verify");
    let code = p.totp().await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
}
