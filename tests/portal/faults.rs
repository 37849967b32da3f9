//! Okta faults injected through the emulator: 5xx, timeouts, rate limits and malformed
//! bodies give an error page with an operation id (never a panic, never internals), and
//! the user can try again and succeed.

use serde_json::json;

use crate::common::{until, Page, Portal, BUDGET, PASSWORD, POLL_DUE};

#[track_caller]
fn assert_error_page(page: &Page, status: u16) {
    assert_eq!(page.status, status, "{}", page.body);
    let id = page.operation_id().expect("an operation id on the page");
    assert!(
        id.len() >= 8 && id.chars().all(|c| c.is_ascii_alphanumeric()),
        "{id}"
    );
    assert!(page.body.contains("href=\"/signin\""), "a way back");
    for internal in [
        "E0000",
        "status 5",
        "malformed",
        "invalid_grant",
        "panicked",
        "mfa_token",
    ] {
        assert!(
            !page.body.contains(internal),
            "{internal} leaked into the page"
        );
    }
    assert_eq!(page.header("Cache-Control"), Some("no-store"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_5xx_then_retry() {
    // Three lost answers from one address count as three failures: let this address
    // forward them all (by default one IP may spend 2 of a username's failures).
    let p = Portal::with(|c| c.protection.ip_username_failures = 4).await;
    for status in [500, 502, 503] {
        p.fault("token", "status", json!({"status": status})).await;
        let page = p.password_step("alice@example.com", PASSWORD).await;
        assert_error_page(&page, 502);
        assert!(page.text().contains("We can't sign you in right now"));
        assert!(p.signed_in().await.is_none());
        // A lost answer counts as a wrong password (Okta may have counted it): wait out
        // the backoff (1, 2, 4 … s) before the next try.
        p.advance(60).await;
    }
    // Each fault was used once: the next attempt succeeds.
    p.sign_in_alice().await;
    assert_eq!(p.get("/account").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operation_ids_differ() {
    let p = Portal::start().await;
    p.fault("token", "status", json!({"status": 503, "count": 2}))
        .await;
    let a = p.password_step("alice@example.com", PASSWORD).await;
    let b = p.password_step("alice@example.com", PASSWORD).await;
    assert_ne!(a.operation_id().unwrap(), b.operation_id().unwrap());
}

/// The portal's HTTP timeout toward Okta in the timeout tests, and the delay of the one
/// late answer: 75 times longer, so it cannot arrive in time however loaded the machine,
/// while every other call still has 40 times what it needs. Only that one call is
/// delayed (`count` 1), so the test never waits for the delay to end.
const TIMEOUT_MS: u64 = 400;
const LATE_MS: u64 = 30_000;

/// A portal that gives up on Okta after [`TIMEOUT_MS`], whose next `/token` call is
/// answered only after [`LATE_MS`].
async fn with_a_late_token_answer() -> Portal {
    let p = Portal::with(|c| c.okta.timeout_ms = TIMEOUT_MS).await;
    p.fault("token", "delay", json!({"delay_ms": LATE_MS, "count": 1}))
        .await;
    p
}

/// Runs `step`, which hits the late answer, and checks that the portal gave up at its
/// timeout: not before, and long before the answer came.
async fn gives_up_at_the_timeout<F: std::future::Future<Output = Page>>(step: F) -> Page {
    let started = std::time::Instant::now();
    let page = step.await;
    let elapsed = started.elapsed();
    assert!(
        elapsed >= std::time::Duration::from_millis(TIMEOUT_MS),
        "{elapsed:?}"
    );
    assert!(
        elapsed < std::time::Duration::from_millis(LATE_MS / 3),
        "the portal gave up instead of waiting for the answer: {elapsed:?}"
    );
    page
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_timeout_then_retry() {
    // The one real wait in the suite: the portal's HTTP timeout.
    // Had the portal waited for the answer, it would have signed in: 504 means it gave up.
    let p = with_a_late_token_answer().await;
    let page = gives_up_at_the_timeout(p.password_step("alice@example.com", PASSWORD)).await;
    assert_error_page(&page, 504);
    assert!(p.signed_in().await.is_none());
    // The timed-out attempt counted as a failure: past its 1 s backoff, alice gets in.
    p.advance(1).await;
    p.sign_in_alice().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn okta_rate_limit_then_retry() {
    let p = Portal::start().await;
    p.fault("token", "rate_limit", json!({})).await;
    let page = p.password_step("alice@example.com", PASSWORD).await;
    assert_error_page(&page, 429);
    let retry: i64 = page
        .header("Retry-After")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=61).contains(&retry), "{retry}");
    assert!(page.text().contains("Too many attempts"));
    // The portal honours Okta's reset instead of retrying into the exhausted bucket…
    let held = p.password_step("alice@example.com", PASSWORD).await;
    assert_error_page(&held, 429);
    // …and goes back to Okta once it has passed.
    p.advance(61).await;
    p.sign_in_alice().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_body_then_retry() {
    let p = Portal::start().await;
    p.fault("token", "malformed", json!({})).await;
    let page = p.password_step("alice@example.com", PASSWORD).await;
    assert_error_page(&page, 502);
    // A malformed answer counted as a failure: past its 1 s backoff, alice gets in.
    p.advance(1).await;
    p.sign_in_alice().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unexpected_4xx_is_an_error_page() {
    // Two lost answers count as two failures, one IP's default share of a username's.
    let p = Portal::with(|c| c.protection.ip_username_failures = 3).await;
    p.fault("token", "status", json!({"status": 400})).await;
    let page = p.password_step("alice@example.com", PASSWORD).await;
    assert_error_page(&page, 502);
    // A fault left over is cleared; the user tries again.
    p.fault("token", "status", json!({"status": 500, "count": 5}))
        .await;
    // Each lost answer counted as a failure: the backoff is 1 s, then 2 s.
    p.advance(1).await;
    assert_error_page(&p.password_step("alice@example.com", PASSWORD).await, 502);
    p.clear_faults().await;
    p.advance(2).await;
    p.sign_in_alice().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn challenge_fault_keeps_the_flow() {
    let p = Portal::start().await;
    p.password_step("bob@example.com", PASSWORD)
        .await
        .assert_redirect("/signin/factor");
    p.get("/signin/factor").await;
    for kind in ["status", "malformed"] {
        p.fault("challenge", kind, json!({"status": 503})).await;
        let page = p.post("/signin/factor", &[("factor", "sms")]).await;
        assert_error_page(&page, 502);
        assert!(p.outbox("bob@example.com").await.is_empty());
        // The flow is still there: back to the factor choice, and try again.
        let factor = p.get("/signin/factor").await;
        assert_eq!(factor.status, 200);
    }
    p.post("/signin/factor", &[("factor", "sms")])
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    let code = p.outbox_code("bob@example.com").await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_while_redeeming_a_code_keeps_the_code_usable() {
    let p = Portal::start().await;
    p.mfa_start("bob@example.com", "otp")
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    let code = p.totp().await;
    p.fault("token", "status", json!({"status": 503})).await;
    let page = p.post("/signin/verify", &[("code", &code)]).await;
    assert_error_page(&page, 502);
    assert_eq!(
        p.get("/signin/verify").await.status,
        200,
        "still at the code step"
    );
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_while_redeeming_a_code() {
    let p = Portal::with(|c| c.okta.timeout_ms = TIMEOUT_MS).await;
    p.mfa_start("bob@example.com", "sms")
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    let code = p.outbox_code("bob@example.com").await;
    p.fault("token", "delay", json!({"delay_ms": LATE_MS, "count": 1}))
        .await;
    let page = gives_up_at_the_timeout(p.post("/signin/verify", &[("code", &code)])).await;
    assert_error_page(&page, 504);
    assert_eq!(p.get("/signin/verify").await.status, 200);
    // Meanwhile the late request may have used the code at Okta: ask for a new one.
    p.advance(30).await;
    p.post("/signin/resend", &[])
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    let code = p.outbox_code("bob@example.com").await;
    let page = p.post("/signin/verify", &[("code", &code)]).await;
    page.assert_redirect("/account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwordless_start_fault_then_retry() {
    let p = Portal::start().await;
    p.fault("primary-authenticate", "status", json!({"status": 503}))
        .await;
    let page = p.passwordless_start("carol@example.com", "sms").await;
    assert_error_page(&page, 502);
    assert!(p.outbox("carol@example.com").await.is_empty());
    // The SMS cooldown counts the failed start too (Okta may have sent it).
    p.advance(30).await;
    p.passwordless_start("carol@example.com", "sms")
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    let code = p.outbox_code("carol@example.com").await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_polling_survives_passing_faults() {
    let p = Portal::start().await;
    p.mfa_start("bob@example.com", "push")
        .await
        .assert_redirect("/signin/wait");
    p.get("/signin/wait").await;
    let mut polls = p.okta_calls("token").await;
    for kind in ["status", "malformed", "rate_limit"] {
        p.fault("token", kind, json!({"status": 503})).await;
        p.advance(POLL_DUE).await;
        let status = p.get("/signin/wait/status").await;
        assert_eq!(status.status, 200);
        assert_eq!(status.json()["state"], "pending", "{kind}");
        // The poll is made in the background; the fault meets it there.
        let after = polls;
        polls = until(BUDGET, || p.okta_calls("token"), |n| *n > after).await;
        assert_eq!(polls, after + 1, "{kind}: one poll");
        let status = p.get("/signin/wait/status").await;
        assert_eq!(status.status, 200);
        assert_eq!(status.json()["state"], "pending", "{kind}, polled");
    }
    p.answer_push("bob@example.com", true, None).await;
    // After a rate limit the next poll waits for Okta's reset (60 s).
    p.advance(61).await;
    let status = p.settled_status().await;
    assert_eq!(status["state"], "approved", "{status}");
    assert_eq!(p.get("/account").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn userinfo_fault_still_shows_the_account() {
    let p = Portal::start().await;
    p.fault("userinfo", "status", json!({"status": 503})).await;
    p.sign_in_alice().await;
    let account = p.get("/account").await;
    assert_eq!(account.status, 200);
    assert!(account
        .text()
        .contains("Your Okta profile can't be loaded right now."));
    assert!(account.body.contains("Alice Anderson"));
}
