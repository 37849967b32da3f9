//! What the portal logs: with a JSON subscriber at TRACE capturing every `tracing` event
//! (the portal's and its dependencies'), a full MFA sign-in, a sign-out and a second
//! sign-in with an authenticator code, and a password recovery (a wrong code, a refused
//! and a good new password) leave no password, code, token, session id,
//! `mfa_token`, `oob_code` or raw username in the output, and do leave audit events.
//!
//! Rocket logs through the `log` crate; its records are captured too, at Rocket's
//! `normal` level (what the portal runs with). At Rocket's own `debug` level Rocket prints
//! every url-encoded form field (passwords and codes included) and the emulator's Rocket
//! prints request headers (bearer tokens), so that level must never be used in production.
//!
//! A separate test binary: the subscriber is global to the process.

#[path = "portal/common/mod.rs"]
mod common;

use std::io::Write;
use std::sync::Arc;

use common::{Portal, PASSWORD};
use direct_signin::portal::session::Record;
use direct_signin::portal::signin::machine::{CodeSource, Issued, Step};
use parking_lot::Mutex;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock()).into_owned()
    }
}

/// The `mfa_token` and `oob_code` of the flow at the code step, from the store.
async fn flow_secrets(p: &Portal) -> Vec<String> {
    let sid = p.session_id().expect("a pre-sign-in session");
    let Some(Record::PreAuth(pre)) = p.record_of(&sid).await else {
        panic!("a sign-in in progress")
    };
    match pre.flow.expect("a flow").step {
        Step::EnterCode { factor, source, .. } => {
            let mut out = vec![];
            out.extend(factor.mfa_token());
            if let CodeSource::Sent {
                issued: Issued::Okta(oob),
                ..
            } = source
            {
                out.push(oob.oob_code);
            }
            out
        }
        other => panic!("not at the code step: {other:?}"),
    }
}

/// A password recovery by email code: a wrong code, a password the policy refuses, then
/// a good one; every secret it saw goes to `secrets`.
async fn recover(p: &Portal, user: &str, secrets: &mut Vec<String>) {
    p.get("/recover").await;
    p.post("/recover", &[("username", user)])
        .await
        .assert_redirect("/signin/factor");
    p.get("/signin/factor").await;
    p.post("/signin/factor", &[("factor", "email")])
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    secrets.extend(flow_secrets(p).await);
    // (The control API's `?user=` would log the name: the newest message is bob's.)
    let code = p.emu_get("/emulator/outbox").await[0]["code"]
        .as_str()
        .unwrap()
        .to_string();
    let wrong = if code == "135792" { "246801" } else { "135792" };
    assert_eq!(
        p.post("/signin/verify", &[("code", wrong)]).await.status,
        401
    );
    p.post("/signin/verify", &[("code", &code)])
        .await
        .assert_redirect("/recover/password");
    secrets.extend([code, wrong.to_string()]);
    let sid = p.session_id().unwrap();
    let Some(Record::PreAuth(pre)) = p.record_of(&sid).await else {
        panic!("a recovery in progress")
    };
    let Some(Step::NewPassword { token, .. }) = pre.flow.map(|f| f.step) else {
        panic!("at the new-password step")
    };
    secrets.push(token.access_token);
    p.get("/recover/password").await;
    let weak = "weakpassword";
    let page = p
        .post(
            "/recover/password",
            &[("new_password", weak), ("confirm_password", weak)],
        )
        .await;
    assert_eq!(page.status, 422);
    let good = "Recovered-Passw0rd";
    p.post(
        "/recover/password",
        &[("new_password", good), ("confirm_password", good)],
    )
    .await
    .assert_redirect("/signin");
    secrets.extend([weak.to_string(), good.to_string()]);
}

/// Signs bob in with the recovered password, then the account's self-service.
async fn account(p: &Portal, user: &str, secrets: &mut Vec<String>) {
    p.password_step(user, "Recovered-Passw0rd")
        .await
        .assert_redirect("/signin/factor");
    p.get("/signin/factor").await;
    p.post("/signin/factor", &[("factor", "otp")]).await;
    p.get("/signin/verify").await;
    p.advance(30).await; // a TOTP step not used before (no replay)
    let totp = p.totp().await;
    p.post("/signin/verify", &[("code", &totp)])
        .await
        .assert_redirect("/account");
    p.get("/account").await;
    let number = "+15550100188";
    p.post("/account/phones", &[("phone_number", number)])
        .await
        .assert_redirect("/account?done=phone_added");
    let page = p.get("/account").await;
    let id = page
        .body
        .split("name=\"id\" value=\"")
        .nth(2)
        .and_then(|rest| rest.split('"').next())
        .expect("the new phone's id")
        .to_string();
    p.advance(30).await;
    p.post(
        "/account/phones/challenge",
        &[("id", &id), ("method", "sms")],
    )
    .await
    .assert_redirect("/account?done=code_sent");
    let code = p.emu_get("/emulator/outbox").await[0]["code"]
        .as_str()
        .unwrap()
        .to_string();
    p.get("/account").await;
    p.post("/account/phones/verify", &[("id", &id), ("code", &code)])
        .await
        .assert_redirect("/account?done=phone_verified");
    p.get("/account").await;
    p.post("/account/phones/remove", &[("id", &id)])
        .await
        .assert_redirect("/account?done=phone_removed");
    p.get("/account").await;
    let changed = "Changed-Passw0rd-1";
    p.post(
        "/account/password",
        &[
            ("current_password", "Recovered-Passw0rd"),
            ("new_password", changed),
            ("confirm_password", changed),
        ],
    )
    .await
    .assert_redirect("/account?done=password_changed");
    p.get("/account").await;
    p.advance(16 * 60).await;
    let stepped = "Stepped-Passw0rd-2";
    p.post(
        "/account/password",
        &[
            ("current_password", changed),
            ("new_password", stepped),
            ("confirm_password", stepped),
        ],
    )
    .await
    .assert_redirect("/signin?return_to=%2Faccount%2Fresume&step_up=account");
    secrets.extend([
        totp,
        number.to_string(),
        "5550100188".to_string(),
        code,
        changed.to_string(),
        stepped.to_string(),
    ]);
    let s = p.signed_in().await.expect("still signed in");
    secrets.push(s.access_token.expose().to_string());
}

/// Signs out from the account page; answers the tokens and session id it had.
async fn sign_out(p: &Portal, secrets: &mut Vec<String>) {
    let s = p.signed_in().await.expect("signed in");
    secrets.push(s.access_token.expose().to_string());
    secrets.extend(s.refresh_token.map(|t| t.expose().to_string()));
    secrets.push(p.session_id().unwrap());
    assert_eq!(p.get("/account").await.status, 200);
    secrets.push(p.csrf().unwrap());
    // The renewed tokens, if /account renewed them.
    let s = p.signed_in().await.expect("signed in");
    secrets.push(s.access_token.expose().to_string());
    secrets.extend(s.refresh_token.map(|t| t.expose().to_string()));
    p.post("/signout", &[])
        .await
        .assert_redirect("/signin?notice=signed_out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secrets_in_logs() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace,rocket=info"))
        .with_current_span(true)
        .with_span_list(true)
        .with_writer(move || writer.clone())
        .try_init()
        .expect("the only subscriber in this binary");

    let user = "bob@example.com";
    let p = Portal::start().await;
    let mut secrets: Vec<String> = vec![PASSWORD.to_string()];

    // Password, then an SMS code (one wrong code first).
    p.get("/signin").await;
    secrets.push(p.session_id().unwrap());
    secrets.push(p.csrf().unwrap());
    p.post("/signin", &[("username", user), ("password", PASSWORD)])
        .await
        .assert_redirect("/signin/factor");
    p.get("/signin/factor").await;
    p.post("/signin/factor", &[("factor", "sms")])
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    secrets.extend(flow_secrets(&p).await);
    let sms = p.emu_get("/emulator/outbox").await[0]["code"]
        .as_str()
        .unwrap()
        .to_string();
    let wrong = if sms == "987654" { "456789" } else { "987654" };
    assert_eq!(
        p.post("/signin/verify", &[("code", wrong)]).await.status,
        401
    );
    p.post("/signin/verify", &[("code", &sms)])
        .await
        .assert_redirect("/account");
    secrets.push(sms);
    secrets.push(wrong.to_string());
    sign_out(&p, &mut secrets).await;

    // Again with the authenticator app (a second later: Okta allows 4 /token calls per
    // second per user).
    p.advance(1).await;
    p.get("/signin").await;
    secrets.push(p.session_id().unwrap());
    p.post("/signin", &[("username", user), ("password", PASSWORD)])
        .await
        .assert_redirect("/signin/factor");
    p.get("/signin/factor").await;
    p.post("/signin/factor", &[("factor", "otp")])
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    secrets.extend(flow_secrets(&p).await);
    let totp = p.totp().await;
    p.post("/signin/verify", &[("code", &totp)])
        .await
        .assert_redirect("/account");
    secrets.push(totp);
    sign_out(&p, &mut secrets).await;

    // And a failed attempt with a wrong password.
    p.advance(1).await;
    let page = p.password_step(user, "Wr0ng-Passw0rd!").await;
    assert_eq!(page.status, 401);
    secrets.push("Wr0ng-Passw0rd!".into());

    // Forgot password: an email code (a wrong one first), a refused and a good new one.
    p.advance(1).await;
    recover(&p, user, &mut secrets).await;

    // The account page: a phone added, texted a code, verified and removed; the password
    // changed; then, 16 minutes on, a change that steps up first.
    p.advance(1).await;
    account(&p, user, &mut secrets).await;

    let logs = capture.text();
    assert!(!logs.is_empty());
    for line in logs.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    }
    for secret in &secrets {
        assert!(secret.len() >= 6, "{secret}");
        assert!(
            !logs.contains(secret.as_str()),
            "a secret leaked into the logs: {secret}\n{logs}"
        );
    }
    let lower = logs.to_lowercase();
    assert!(
        !lower.contains(user),
        "the raw username leaked into the logs\n{logs}"
    );
    assert!(
        !lower.contains("bob%40example.com"),
        "the raw username (URL-encoded) leaked\n{logs}"
    );
    // No JWT at all (the ID token is not kept anywhere the test could read it).
    assert!(
        !logs.contains("eyJ"),
        "something JWT-shaped was logged\n{logs}"
    );

    let audit: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["target"] == "audit")
        .collect();
    assert!(!audit.is_empty(), "audit events\n{logs}");
    let outcomes: Vec<&str> = audit
        .iter()
        .filter_map(|v| v["fields"]["outcome"].as_str())
        .collect();
    for expected in [
        "succeeded",
        "invalid_code",
        "invalid_credentials",
        "weak_password",
        "password_reset",
        "phone_verified",
        "step_up",
    ] {
        assert!(outcomes.contains(&expected), "{expected} in {outcomes:?}");
    }
    assert!(
        audit.iter().any(|v| v["fields"]["event"] == "signout"),
        "{audit:?}"
    );
    // Every event names the user, only as a keyed digest; the sign-in events of one user
    // (successes and failures alike) carry the same digest, so they can be correlated.
    let digests: Vec<&str> = audit
        .iter()
        .filter_map(|v| v["fields"]["user"].as_str())
        .collect();
    assert_eq!(digests.len(), audit.len(), "{audit:?}");
    assert!(
        digests
            .iter()
            .all(|d| d.len() == 24 && d.chars().all(|c| c.is_ascii_hexdigit())),
        "{digests:?}"
    );
    let signin: Vec<&str> = audit
        .iter()
        .filter(|v| v["fields"]["event"] == "signin")
        .filter_map(|v| v["fields"]["user"].as_str())
        .collect();
    assert!(
        signin.len() >= 4 && signin.iter().all(|d| *d == signin[0]),
        "{signin:?}"
    );
}
