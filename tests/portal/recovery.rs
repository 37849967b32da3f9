//! Forgot password (issue 11 §1): from the sign-in page's link through `/recover`, a
//! factor's code or push (`intent=recovery`), the new password typed twice, and back to
//! the sign-in page; decoys for names that cannot recover; the sign-in limiters.

use serde_json::json;

use crate::common::{Portal, PASSWORD, POLL_DUE};

const BOB: &str = "bob@example.com";
const NEW: &str = "N3w-Horse-Battery";

/// The sign-in page's link, then `/recover` for `user`, then `factor`: answers the
/// redirect to the factor's page.
async fn recover(p: &Portal, user: &str, factor: &str) -> crate::common::Page {
    let signin = p.get("/signin").await;
    assert!(signin.body.contains("href=\"/recover\""), "the link");
    let page = p.get("/recover").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("autocomplete=\"username\""));
    assert!(page.body.contains("name=\"csrf_token\""));
    p.post("/recover", &[("username", user)])
        .await
        .assert_redirect("/signin/factor");
    let choice = p.get("/signin/factor").await;
    assert_eq!(choice.status, 200);
    for value in ["email", "sms", "voice", "push"] {
        assert!(
            choice.body.contains(&format!("value=\"{value}\"")),
            "{value}"
        );
    }
    assert!(!choice.body.contains("value=\"otp\""));
    p.post("/signin/factor", &[("factor", factor)]).await
}

/// The code from the outbox, to the new-password page.
async fn prove_by_code(p: &Portal, user: &str) {
    let page = p.get("/signin/verify").await;
    assert!(page.body.contains("autocomplete=\"one-time-code\""));
    let code = p.outbox_code(user).await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/recover/password");
}

/// The new password, twice; back on the sign-in page with the notice.
async fn set_password(p: &Portal, password: &str) {
    let page = p.get("/recover/password").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.body.matches("autocomplete=\"new-password\"").count(),
        2
    );
    p.post(
        "/recover/password",
        &[("new_password", password), ("confirm_password", password)],
    )
    .await
    .assert_redirect("/signin");
    let signin = p.get("/signin").await;
    assert!(signin.text().contains("Your password has been changed"));
    assert_eq!(signin.input_value("username").as_deref(), Some(BOB));
}

#[tokio::test]
async fn bob_recovers_by_each_factor_and_signs_in_with_the_new_password() {
    for (i, factor) in ["email", "sms", "voice", "push"].into_iter().enumerate() {
        let p = Portal::start().await;
        let next = recover(&p, BOB, factor).await;
        if factor == "push" {
            next.assert_redirect("/signin/wait");
            p.get("/signin/wait").await;
            p.answer_push(BOB, true, None).await;
            p.advance(POLL_DUE).await;
            p.get("/signin/wait")
                .await
                .assert_redirect("/recover/password");
        } else {
            next.assert_redirect("/signin/verify");
            prove_by_code(&p, BOB).await;
        }
        // The recovery token never became a session.
        assert!(p.signed_in().await.is_none());
        let password = format!("{NEW}{i}");
        set_password(&p, &password).await;
        let user = p.emu_get(&format!("/emulator/users/{BOB}")).await;
        assert!(user["password_changed_at"].is_i64(), "{factor}: {user}");
        // The old password is refused; the new one signs in (with bob's second factor).
        assert_eq!(
            p.password_step(BOB, PASSWORD).await.status,
            401,
            "{factor}: the old password"
        );
        p.advance(2).await;
        p.password_step(BOB, &password)
            .await
            .assert_redirect("/signin/factor");
    }
}

#[tokio::test]
async fn an_unknown_user_cannot_be_told_apart() {
    let real = Portal::start().await;
    let fake = Portal::start().await;
    let a = recover(&real, BOB, "email").await;
    let b = recover(&fake, "nobody@example.com", "email").await;
    assert_eq!(
        (a.status, a.location.clone()),
        (b.status, b.location.clone())
    );
    let pa = real.get("/signin/verify").await;
    let pb = fake.get("/signin/verify").await;
    assert_eq!(pa.status, pb.status);
    // The two portals run on their own clocks: the cooldown's seconds may differ by one.
    let same = |page: &crate::common::Page, name: &str, p: &Portal| {
        let body = page
            .body
            .replace(name, "NAME")
            .replace(&p.csrf().unwrap(), "TOKEN");
        let (before, after) = body.split_once("Available in ").unwrap();
        let after = after.split_once(" seconds").unwrap().1;
        format!("{before}{after}")
    };
    assert_eq!(
        same(&pa, BOB, &real),
        same(&pb, "nobody@example.com", &fake)
    );
    for p in [&real, &fake] {
        let started = std::time::Instant::now();
        let wrong = p.post("/signin/verify", &[("code", "000000")]).await;
        assert_eq!(wrong.status, 401);
        assert!(started.elapsed().as_millis() >= 400, "the failure floor");
    }
    // Alice has no recovery factor, carol no password: the same decoy.
    for user in ["alice@example.com", "carol@example.com"] {
        let p = Portal::start().await;
        recover(&p, user, "sms")
            .await
            .assert_redirect("/signin/verify");
        assert_eq!(
            p.post("/signin/verify", &[("code", "123456")]).await.status,
            401
        );
    }
}

#[tokio::test]
async fn a_wrong_code_then_an_expired_one() {
    let p = Portal::start().await;
    recover(&p, BOB, "email")
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    let wrong = p.post("/signin/verify", &[("code", "000000")]).await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.text().contains("That code didn't work"));
    let code = p.outbox_code(BOB).await;
    p.advance(301).await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/recover");
    let page = p.get("/recover").await;
    assert!(page.text().contains("expired"), "{}", page.text());
    assert_eq!(page.input_value("username").as_deref(), Some(BOB));
}

#[tokio::test]
async fn a_password_the_policy_refuses_is_explained_then_a_good_one_works() {
    let p = Portal::start().await;
    recover(&p, BOB, "sms")
        .await
        .assert_redirect("/signin/verify");
    prove_by_code(&p, BOB).await;
    p.get("/recover/password").await;
    let mismatch = p
        .post(
            "/recover/password",
            &[("new_password", NEW), ("confirm_password", "other")],
        )
        .await;
    assert_eq!(mismatch.status, 422);
    assert!(mismatch.text().contains("not the same"));
    let weak = p
        .post(
            "/recover/password",
            &[
                ("new_password", "alllowercase"),
                ("confirm_password", "alllowercase"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    let text = weak.text();
    assert!(text.contains("Include an uppercase letter."), "{text}");
    assert!(text.contains("Include a number."), "{text}");
    assert!(
        !weak.body.contains("alllowercase"),
        "the password is not echoed"
    );
    let reused = p
        .post(
            "/recover/password",
            &[("new_password", PASSWORD), ("confirm_password", PASSWORD)],
        )
        .await;
    assert_eq!(reused.status, 422);
    assert!(reused.text().contains("haven't used"), "{}", reused.text());
    p.post(
        "/recover/password",
        &[("new_password", NEW), ("confirm_password", NEW)],
    )
    .await
    .assert_redirect("/signin");
}

#[tokio::test]
async fn every_recovery_form_checks_its_csrf_token() {
    let p = Portal::start().await;
    p.get("/recover").await;
    let page = p.post_without_csrf("/recover", &[("username", BOB)]).await;
    assert_eq!(page.status, 403);
    recover(&p, BOB, "email")
        .await
        .assert_redirect("/signin/verify");
    prove_by_code(&p, BOB).await;
    p.get("/recover/password").await;
    let page = p
        .post_without_csrf(
            "/recover/password",
            &[("new_password", NEW), ("confirm_password", NEW)],
        )
        .await;
    assert_eq!(page.status, 403);
    let page = p
        .post(
            "/recover/password",
            &[
                ("new_password", NEW),
                ("confirm_password", NEW),
                ("csrf_token", "forged"),
            ],
        )
        .await;
    assert_eq!(page.status, 403);
    let empty = p.post("/recover", &[("username", " ")]).await;
    assert!(
        empty.status == 422 || empty.status == 303,
        "{}",
        empty.status
    );
}

#[tokio::test]
async fn recovery_passes_the_sign_in_limiters() {
    let p = Portal::start().await;
    // The delivery caps: a second SMS to bob within 30 s is refused before Okta.
    recover(&p, BOB, "sms")
        .await
        .assert_redirect("/signin/verify");
    let b = p.browser().await;
    let again = recover(&b, BOB, "sms").await;
    assert_eq!(again.status, 429, "the per-username SMS cooldown");
    // Wrong codes share the username's code budget with sign-in.
    let before = p.emu_get(&format!("/emulator/users/{BOB}")).await["failed_codes"]
        .as_u64()
        .unwrap();
    p.get("/signin/verify").await;
    assert_eq!(
        p.post("/signin/verify", &[("code", "000001")]).await.status,
        401
    );
    let after = p.emu_get(&format!("/emulator/users/{BOB}")).await["failed_codes"]
        .as_u64()
        .unwrap();
    assert_eq!(after, before + 1, "the wrong code reached Okta once");
    // The per-IP limit of sign-in starts applies to recovery starts too.
    let flood = Portal::with(|c| c.protection.ip_signin_per_minute = 2).await;
    for _ in 0..2 {
        flood.get("/recover").await;
        flood
            .post("/recover", &[("username", "x@example.com")])
            .await
            .assert_redirect("/signin/factor");
    }
    flood.get("/recover").await;
    let refused = flood
        .post("/recover", &[("username", "x@example.com")])
        .await;
    assert_eq!(refused.status, 429);
    assert!(refused.header("Retry-After").is_some());
    let _ = json!({});
}
