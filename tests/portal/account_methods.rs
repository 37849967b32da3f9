//! `/account`'s self-service (issue 11 §2): change the password, add, verify and remove a
//! phone, and the step-up when MyAccount answers that the sign-in is too old (the clock
//! moved 16 minutes): a fresh sign-in for the same user, then the kept action completes.

use crate::common::{Portal, PASSWORD};

const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";
const NEW: &str = "N3w-Horse-Battery";

fn change(current: &str, new: &str) -> Vec<(&'static str, String)> {
    vec![
        ("current_password", current.to_string()),
        ("new_password", new.to_string()),
        ("confirm_password", new.to_string()),
    ]
}

async fn post(p: &Portal, path: &str, fields: Vec<(&'static str, String)>) -> crate::common::Page {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    p.post(path, &fields).await
}

/// Okta's id of `user`'s phone with this number, and whether it is verified.
async fn phone(p: &Portal, user: &str, number: &str) -> Option<(String, String)> {
    let u = p.emu_get(&format!("/emulator/users/{user}")).await;
    u["phones"].as_array()?.iter().find_map(|ph| {
        (ph["phoneNumber"].as_str()? == number).then(|| {
            (
                ph["id"].as_str().unwrap().to_string(),
                ph["status"].as_str().unwrap().to_string(),
            )
        })
    })
}

#[tokio::test]
async fn alice_changes_her_password() {
    let p = Portal::start().await;
    p.sign_in_alice().await;
    let page = p.get("/account").await;
    assert_eq!(page.status, 200);
    for ac in ["current-password", "new-password", "tel"] {
        assert!(
            page.body.contains(&format!("autocomplete=\"{ac}\"")),
            "{ac}"
        );
    }
    assert!(
        page.body.contains("id=\"authenticators\""),
        "the sign-in methods"
    );
    let wrong = post(&p, "/account/password", change("Not-Her-Passw0rd", NEW)).await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.text().contains("current password is incorrect"));
    let weak = post(&p, "/account/password", change(PASSWORD, "short1A")).await;
    assert_eq!(weak.status, 422);
    assert!(
        weak.text().contains("Use at least 8 characters."),
        "{}",
        weak.text()
    );
    post(&p, "/account/password", change(PASSWORD, NEW))
        .await
        .assert_redirect("/account?done=password_changed");
    assert!(p
        .get("/account?done=password_changed")
        .await
        .text()
        .contains("Your password has been changed."));
    p.post("/signout", &[]).await;
    p.advance(2).await;
    assert_eq!(p.password_step(ALICE, PASSWORD).await.status, 401);
    p.advance(2).await;
    p.password_step(ALICE, NEW)
        .await
        .assert_redirect("/account");
}

#[tokio::test]
async fn an_old_sign_in_steps_up_then_the_password_change_completes() {
    let p = Portal::start().await;
    p.sign_in_alice().await;
    p.get("/account").await;
    p.advance(16 * 60).await;
    let page = post(&p, "/account/password", change(PASSWORD, NEW)).await;
    page.assert_redirect("/signin?return_to=%2Faccount%2Fresume&step_up=account");
    // Nothing the user typed is in the page or the URL.
    assert!(!page.location.clone().unwrap().contains(NEW));
    let form = p
        .get("/signin?return_to=%2Faccount%2Fresume&step_up=account")
        .await;
    assert_eq!(form.status, 200);
    assert_eq!(form.input_value("username").as_deref(), Some(ALICE));
    assert!(form.body.contains("readonly"));
    assert!(!form.body.contains(NEW));
    p.post(
        "/signin",
        &[
            ("username", ALICE),
            ("password", PASSWORD),
            ("return_to", "/account/resume"),
            ("step_up", "account"),
        ],
    )
    .await
    .assert_redirect("/account/resume");
    let s = p.signed_in().await.expect("signed in again");
    assert!(s.pending.is_some(), "kept, sealed, for the resume");
    p.get("/account/resume")
        .await
        .assert_redirect("/account?done=password_changed");
    assert!(p.signed_in().await.unwrap().pending.is_none());
    let page = p.get("/account?done=password_changed").await;
    assert!(page.text().contains("Your password has been changed."));
    // Resumed once: a second visit does nothing.
    p.get("/account/resume").await.assert_redirect("/account");
    p.get("/account").await;
    p.post("/signout", &[]).await;
    p.advance(2).await;
    p.password_step(ALICE, NEW)
        .await
        .assert_redirect("/account");
}

#[tokio::test]
async fn bob_adds_verifies_and_removes_a_phone() {
    let p = Portal::start().await;
    p.sign_in_bob_with_otp().await;
    p.get("/account").await;
    let bad = p.post("/account/phones", &[("phone_number", "12")]).await;
    assert_eq!(bad.status, 422);
    p.post("/account/phones", &[("phone_number", "+1 555 010 0199")])
        .await
        .assert_redirect("/account?done=phone_added");
    let (id, status) = phone(&p, BOB, "+15550100199").await.expect("added");
    assert_eq!(status, "UNVERIFIED");
    let page = p.get("/account?done=phone_added").await;
    assert!(page.body.contains(&id));
    assert!(page.body.contains("autocomplete=\"one-time-code\""));
    p.post(
        "/account/phones/challenge",
        &[("id", &id), ("method", "sms")],
    )
    .await
    .assert_redirect("/account?done=code_sent");
    let code = p.outbox_code(BOB).await;
    p.get("/account").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let page = p
        .post("/account/phones/verify", &[("id", &id), ("code", wrong)])
        .await;
    assert_eq!(page.status, 401);
    p.post("/account/phones/verify", &[("id", &id), ("code", &code)])
        .await
        .assert_redirect("/account?done=phone_verified");
    assert_eq!(phone(&p, BOB, "+15550100199").await.unwrap().1, "VERIFIED");
    p.get("/account").await;
    p.post("/account/phones/remove", &[("id", &id)])
        .await
        .assert_redirect("/account?done=phone_removed");
    assert!(phone(&p, BOB, "+15550100199").await.is_none());
    let gone = p.post("/account/phones/remove", &[("id", "../x")]).await;
    assert_eq!(gone.status, 422);
}

#[tokio::test]
async fn an_old_sign_in_steps_up_then_the_phone_is_added() {
    let p = Portal::start().await;
    p.sign_in_bob_with_otp().await;
    p.get("/account").await;
    p.advance(16 * 60).await;
    p.post("/account/phones", &[("phone_number", "+1 555 010 0177")])
        .await
        .assert_redirect("/signin?return_to=%2Faccount%2Fresume&step_up=account");
    assert!(phone(&p, BOB, "+15550100177").await.is_none());
    p.get("/signin?return_to=%2Faccount%2Fresume&step_up=account")
        .await;
    p.post(
        "/signin",
        &[
            ("username", BOB),
            ("password", PASSWORD),
            ("return_to", "/account/resume"),
            ("step_up", "account"),
        ],
    )
    .await
    .assert_redirect("/signin/factor");
    p.get("/signin/factor").await;
    p.post("/signin/factor", &[("factor", "otp")])
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    p.advance(30).await;
    let code = p.totp().await;
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/account/resume");
    p.get("/account/resume")
        .await
        .assert_redirect("/account?done=phone_added");
    assert!(phone(&p, BOB, "+15550100177").await.is_some());
}

#[tokio::test]
async fn every_account_form_checks_its_csrf_token() {
    let p = Portal::start().await;
    p.sign_in_alice().await;
    p.get("/account").await;
    for (path, fields) in [
        ("/account/password", change(PASSWORD, NEW)),
        (
            "/account/phones",
            vec![("phone_number", "+15550100199".to_string())],
        ),
        (
            "/account/phones/challenge",
            vec![("id", "sms1".to_string()), ("method", "sms".to_string())],
        ),
        (
            "/account/phones/verify",
            vec![("id", "sms1".to_string()), ("code", "123456".to_string())],
        ),
        ("/account/phones/remove", vec![("id", "sms1".to_string())]),
    ] {
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(p.post_without_csrf(path, &f).await.status, 403, "{path}");
        let mut forged = f.clone();
        forged.push(("csrf_token", "forged"));
        assert_eq!(p.post(path, &forged).await.status, 403, "{path}");
    }
    // Anonymous: the forms need a session.
    let anon = Portal::start().await;
    anon.get("/signin").await;
    let page = anon
        .post("/account/phones", &[("phone_number", "+15550100199")])
        .await;
    assert!(
        page.status == 401 || page.status == 303 || page.status == 403 || page.status == 404,
        "{}",
        page.status
    );
}

#[tokio::test]
async fn the_sign_in_methods_are_read_once_and_again_after_an_action() {
    let p = Portal::start().await;
    p.sign_in_bob_with_otp().await;
    p.get("/account").await;
    p.post("/account/phones", &[("phone_number", "+1 555 010 0142")])
        .await
        .assert_redirect("/account?done=phone_added");
    let (id, _) = phone(&p, BOB, "+15550100142").await.expect("added");
    assert!(
        p.get("/account").await.body.contains(&id),
        "read after the action"
    );
    // MyAccount failing now: the page still lists the phone, because a view asks Okta nothing.
    p.fault("myaccount", "status", serde_json::json!({"status": 503}))
        .await;
    let page = p.get("/account").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&id),
        "kept in the session, not fetched per view"
    );
    p.emu.clear_faults().await;
    p.get("/account").await;
    // An action forgets them: the next view reads them again (the phone is gone).
    p.post("/account/phones/remove", &[("id", &id)])
        .await
        .assert_redirect("/account?done=phone_removed");
    assert!(!p.get("/account").await.body.contains(&id));
}
