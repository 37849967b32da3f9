//! Abuse resistance (issue 4): enumeration safety, each limiter, the failure budgets that
//! keep Okta from locking a real user out, device cookies, trusted proxies, and Okta's own
//! 429 being honoured.

use std::sync::Arc;
use std::time::Instant;

use direct_signin::clock::Clock;
use direct_signin::portal::abuse::device;
use direct_signin::portal::session::{MemoryStore, Sessions};
use rocket::http::{Cookie, Header};
use serde_json::json;
use testkit::demo::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

use crate::common::{Page, Portal, PASSWORD};

const SECRET: &str = "test-secret-test-secret-test-secret!";

fn xff(ip: &str) -> Vec<Header<'static>> {
    vec![Header::new("X-Forwarded-For", ip.to_string())]
}

/// The body with the parts that legitimately differ (CSRF token, typed username) blanked.
fn normalized(page: &Page, username: &str) -> String {
    let mut body = page.body.replace(username, "USERNAME");
    let marker = testkit::html::CSRF_MARKER;
    while let Some(start) = body.find(marker) {
        let from = start + marker.len();
        let end = body[from..].find('"').map_or(body.len(), |e| from + e);
        body.replace_range(start..end, "CSRF");
    }
    // What depends on the moment or on chance: the resend countdown (the clock may tick
    // between two pages) and the number a push shows.
    blank_digits_after(&mut body, "Available in ");
    blank_digits_after(
        &mut body,
        "id=\"binding-code\" aria-label=\"Number to tap: ",
    );
    blank_digits_after(&mut body, "Number to tap: NN\">");
    body
}

/// Replaces the digits that follow each `marker` with `NN`.
fn blank_digits_after(body: &mut String, marker: &str) {
    let mut from = 0;
    while let Some(at) = body[from..].find(marker) {
        let start = from + at + marker.len();
        let len = body[start..].bytes().take_while(u8::is_ascii_digit).count();
        body.replace_range(start..start + len, "NN");
        from = start + 2;
    }
}

fn set_cookies(page: &Page) -> Vec<String> {
    let mut v: Vec<String> = page
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.split('=').next().unwrap_or_default().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_wrong_locked_and_suspended_look_the_same() {
    let p = Portal::start().await;
    // Lock dave at the emulator directly (10 wrong passwords).
    for _ in 0..10 {
        let wrong = p
            .emu
            .http
            .post(format!("{}/v1/token", p.emu.issuer()))
            .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
            .form(&[
                ("grant_type", "password"),
                ("username", "dave@example.com"),
                ("password", "nope"),
                ("scope", "openid"),
            ]);
        p.emu.send(wrong).await;
        p.advance(1).await;
    }
    assert_eq!(p.emu.user("dave@example.com").await["locked"], true);
    let cases = [
        ("nobody@example.com", "whatever-password"),
        ("alice@example.com", "wrong-password"),
        ("dave@example.com", PASSWORD),
        ("erin@example.com", PASSWORD),
    ];
    let mut seen = vec![];
    for (user, password) in cases {
        p.get("/signin").await;
        let started = Instant::now();
        let page = p
            .post("/signin", &[("username", user), ("password", password)])
            .await;
        let elapsed = started.elapsed();
        assert_eq!(page.status, 401, "{user}");
        assert!(
            elapsed.as_millis() >= 400,
            "{user}: the failure floor holds ({elapsed:?})"
        );
        seen.push((
            normalized(&page, user),
            set_cookies(&page),
            page.header("Cache-Control").map(str::to_string),
        ));
    }
    for other in &seen[1..] {
        assert_eq!(
            &seen[0], other,
            "every failure gives the same page, cookies and headers"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwordless_start_for_an_unknown_user_looks_like_a_known_one() {
    let p = Portal::start().await;
    let mut pages = vec![];
    for user in ["carol@example.com", "nobody@example.com"] {
        p.get("/signin").await;
        let start = p
            .post(
                "/signin/passwordless",
                &[("username", user), ("method", "sms")],
            )
            .await;
        start.assert_redirect("/signin/verify");
        let verify = p.get("/signin/verify").await;
        assert_eq!(verify.status, 200);
        pages.push(normalized(&verify, user));
        p.post("/signin/cancel", &[])
            .await
            .assert_redirect("/signin");
    }
    assert_eq!(pages[0], pages[1]);
    // Push too: both wait, and a decoy shows a number to tap exactly when the portal is
    // told the org's pushes do (`protection.decoy_number_challenge`, on by default):
    // like carol's, whose pushes have number challenge…
    assert!(push_wait_pages(&p, ["carol@example.com", "nobody@example.com"]).await);
    // …and, with it off, like bob's, whose pushes have none.
    let p = Portal::with(|c| c.protection.decoy_number_challenge = false).await;
    assert!(!push_wait_pages(&p, ["bob@example.com", "nobody@example.com"]).await);
}

/// Starts a passwordless push for each user: their wait pages must be the same; answers
/// whether they show a number to tap.
async fn push_wait_pages(p: &Portal, users: [&str; 2]) -> bool {
    let mut waits = vec![];
    for user in users {
        p.get("/signin").await;
        p.post(
            "/signin/passwordless",
            &[("username", user), ("method", "push")],
        )
        .await
        .assert_redirect("/signin/wait");
        waits.push(normalized(&p.get("/signin/wait").await, user));
        p.post("/signin/cancel", &[]).await;
    }
    assert_eq!(waits[0], waits[1], "{users:?}");
    waits[0].contains("id=\"binding-code\"")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_ip_signin_limit_answers_429_with_retry_after() {
    let p = Portal::with(|c| {
        c.protection.ip_signin_per_minute = 4;
        c.protection.failure_floor_ms = 0;
    })
    .await;
    p.get("/signin").await;
    let mut statuses = vec![];
    for i in 0..8 {
        let user = format!("user{i}@example.com");
        statuses.push(
            p.post("/signin", &[("username", &user), ("password", "x")])
                .await
                .status,
        );
    }
    assert!(
        statuses.contains(&401) && statuses.contains(&429),
        "{statuses:?}"
    );
    let limited = p
        .post(
            "/signin",
            &[("username", "user9@example.com"), ("password", "x")],
        )
        .await;
    assert_eq!(limited.status, 429);
    let retry: i64 = limited.header("Retry-After").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert!(limited.body.contains("Too many attempts"));
    let metrics = p.get("/metrics").await.body;
    assert!(
        metrics.contains("rate_limit_rejections_total{limiter=\"ip_signin\"}"),
        "{metrics}"
    );
    p.advance(60).await;
    assert_eq!(
        p.post(
            "/signin",
            &[("username", "late@example.com"), ("password", "x")]
        )
        .await
        .status,
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing() {
    // No trusted proxy: the header names a new address each time, but the quota is the
    // socket's. A new username each time, so no per-username limit can answer instead.
    let p = Portal::with(|c| {
        c.protection.ip_signin_per_minute = 3;
        c.protection.failure_floor_ms = 0;
    })
    .await;
    p.get("/signin").await;
    let mut statuses = vec![];
    for i in 0..8 {
        let page = p
            .post_with(
                "/signin",
                &[
                    ("username", &format!("spoof{i}@example.com")),
                    ("password", "x"),
                ],
                xff(&format!("198.51.100.{i}")),
            )
            .await;
        statuses.push(page.status);
    }
    assert_eq!(
        statuses,
        [401, 401, 401, 429, 429, 429, 429, 429],
        "the limit keys on the socket's address, not the header"
    );
    assert_eq!(
        p.rate_limited_all().await,
        [("ip_signin".to_string(), 5)],
        "every refusal came from the per-IP sign-in quota"
    );
    assert_eq!(p.held_by_ceiling().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_proxy_forwarded_for_is_the_client_ip() {
    let p = Portal::with(|c| {
        c.network.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.protection.ip_signin_per_minute = 3;
        c.protection.failure_floor_ms = 0;
    })
    .await;
    p.get("/signin").await;
    for i in 0..8 {
        let page = p
            .post_with(
                "/signin",
                &[
                    ("username", &format!("u{i}@example.com")),
                    ("password", "x"),
                ],
                xff(&format!("198.51.100.{i}")),
            )
            .await;
        assert_eq!(page.status, 401, "each client IP has its own quota");
        // Keep the untrusted share of the Okta ceiling out of it.
        p.advance(1).await;
    }
    assert_eq!(p.rate_limited_all().await, []);
    // The same client IP behind the proxy is limited: by its per-IP quota (3 at once),
    // with new usernames and well within the Okta ceiling, so nothing else can refuse.
    p.advance(60).await;
    let statuses: Vec<u16> = futures_statuses(&p, "203.0.113.7", 6).await;
    assert_eq!(statuses, [401, 401, 401, 429, 429, 429]);
    assert_eq!(
        p.rate_limited_all().await,
        [("ip_signin".to_string(), 3)],
        "every refusal came from the per-IP sign-in quota"
    );
    assert_eq!(p.held_by_ceiling().await, 0);
}

async fn futures_statuses(p: &Portal, ip: &str, n: usize) -> Vec<u16> {
    let mut out = vec![];
    for i in 0..n {
        out.push(
            p.post_with(
                "/signin",
                &[
                    ("username", &format!("v{i}@example.com")),
                    ("password", "x"),
                ],
                xff(ip),
            )
            .await
            .status,
        );
    }
    out
}

/// The portal's sessions with the test secret: what signs device cookies.
fn test_sessions(clock: &Clock) -> Sessions {
    Sessions::new(
        Arc::new(MemoryStore::new(clock.clone())),
        clock.clone(),
        direct_signin::config::Config::default().session,
        SECRET.as_bytes().to_vec(),
    )
}

/// A device-cookie value for `username` issued at `issued` (epoch seconds), signed with
/// the test portal's secret, exactly as a sign-in at that time would have set it.
fn device_value_at(username: &str, clock: &Clock, issued: i64) -> String {
    let sessions = test_sessions(clock);
    let digest = sessions.username_digest(username);
    device::value(&sessions, &digest, issued)
}

/// A device cookie for `username`, exactly as a prior sign-in would have set it.
fn device_cookie(username: &str, clock: &Clock) -> Cookie<'static> {
    Cookie::new(
        device::COOKIE,
        device_value_at(username, clock, clock.now()),
    )
}

/// Bob's password from `ip`, in a browser that holds his device cookie.
async fn bob_with_device_cookie(p: &Portal, ip: &str) -> Page {
    bob_with_cookie(p, ip, device_cookie("bob@example.com", &p.clock)).await
}

/// Bob's (correct) password from `ip`, in a browser that presents `cookie`.
async fn bob_with_cookie(p: &Portal, ip: &str, cookie: Cookie<'static>) -> Page {
    let r = p
        .client
        .post("/signin")
        .header(rocket::http::ContentType::Form)
        .header(Header::new("X-Forwarded-For", ip.to_string()))
        .cookie(cookie)
        .body(format!(
            "username=bob%40example.com&password=Sup3r-Secret%21&csrf_token={}",
            p.csrf().unwrap()
        ))
        .dispatch()
        .await;
    p.page(r).await
}

/// Wrong passwords for bob from new IPs, waiting out each backoff, until the anonymous
/// budget is spent: the next attempt without a valid device cookie is refused.
async fn spend_bobs_anonymous_budget(p: &Portal) {
    let budget = p.config.protection.anonymous_failure_budget;
    for i in 0..budget {
        let page = p
            .post_with(
                "/signin",
                &[("username", "bob@example.com"), ("password", "wrong")],
                xff(&format!("198.51.100.{i}")),
            )
            .await;
        assert_eq!(page.status, 401, "wrong password {i} reaches Okta");
        p.advance(60).await;
    }
    assert_eq!(
        p.emu.user("bob@example.com").await["failed_passwords"],
        budget
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_cannot_lock_the_real_user_out_at_okta() {
    let p = Portal::with(|c| {
        c.network.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.protection.failure_floor_ms = 0;
    })
    .await;
    p.get("/signin").await;
    // Attackers on many IPs hammer bob with wrong passwords.
    let mut statuses = vec![];
    for i in 0..40 {
        let page = p
            .post_with(
                "/signin",
                &[("username", "bob@example.com"), ("password", "wrong")],
                xff(&format!("198.51.100.{}", i % 20)),
            )
            .await;
        statuses.push(page.status);
        p.advance(20).await;
    }
    let forwarded = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(
        forwarded, 4,
        "only the anonymous budget reaches Okta: {statuses:?}"
    );
    let at_okta = p.emu.user("bob@example.com").await;
    assert_eq!(at_okta["locked"], false);
    assert_eq!(at_okta["failed_passwords"], 4);
    // Bob on a new browser is paused, with a clear 429…
    let paused = p
        .post_with(
            "/signin",
            &[("username", "bob@example.com"), ("password", PASSWORD)],
            xff("192.0.2.10"),
        )
        .await;
    assert_eq!(paused.status, 429);
    assert!(paused.header("Retry-After").is_some());
    // …but from a browser where he signed in before, he gets in with his second factor.
    bob_with_device_cookie(&p, "192.0.2.10")
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
    assert_eq!(
        p.emu.user("bob@example.com").await["failed_passwords"],
        0,
        "a correct password resets Okta's count"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_ip_cannot_spend_the_whole_username_budget() {
    let p = Portal::with(|c| {
        c.network.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.protection.failure_floor_ms = 0;
    })
    .await;
    p.get("/signin").await;
    let mut statuses = vec![];
    for _ in 0..6 {
        statuses.push(
            p.post_with(
                "/signin",
                &[("username", "alice@example.com"), ("password", "bad")],
                xff("198.51.100.1"),
            )
            .await
            .status,
        );
        p.advance(60).await;
    }
    assert_eq!(statuses, vec![401, 401, 429, 429, 429, 429]);
    // Alice on another network still has budget left and signs in.
    p.post_with(
        "/signin",
        &[("username", "alice@example.com"), ("password", PASSWORD)],
        xff("192.0.2.44"),
    )
    .await
    .assert_redirect("/account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_back_off_per_username() {
    let p = Portal::with(|c| {
        c.network.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.protection.failure_floor_ms = 0;
    })
    .await;
    p.get("/signin").await;
    let attempt = |ip: &'static str| {
        p.post_with(
            "/signin",
            &[("username", "alice@example.com"), ("password", "bad")],
            xff(ip),
        )
    };
    assert_eq!(attempt("198.51.100.1").await.status, 401);
    p.advance(1).await;
    assert_eq!(attempt("198.51.100.2").await.status, 401);
    // Two failures: the next try must wait 2 s.
    let early = attempt("198.51.100.3").await;
    assert_eq!(early.status, 429);
    assert_eq!(early.header("Retry-After"), Some("2"));
    p.advance(2).await;
    assert_eq!(attempt("198.51.100.3").await.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn okta_org_rate_limit_is_honoured_not_retried_into() {
    let p = Portal::with(|c| c.protection.failure_floor_ms = 0).await;
    p.get("/signin").await;
    p.fault("token", "rate_limit", json!({"count": 1})).await;
    let first = p
        .post(
            "/signin",
            &[("username", "alice@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(first.status, 429);
    assert!(first.header("Retry-After").is_some());
    let before = p.emu.stats().await;
    // Within the reset window the portal does not call Okta's /token at all.
    let second = p
        .post(
            "/signin",
            &[("username", "alice@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(second.status, 429);
    let after = p.emu.stats().await;
    assert_eq!(
        before["token_traffic"], after["token_traffic"],
        "no call reached the emulator"
    );
    p.advance(61).await;
    p.post(
        "/signin",
        &[("username", "alice@example.com"), ("password", PASSWORD)],
    )
    .await
    .assert_redirect("/account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resends_are_capped_per_flow() {
    let p = Portal::start().await;
    p.password_step("bob@example.com", PASSWORD)
        .await
        .assert_redirect("/signin/factor");
    p.get("/signin/factor").await;
    p.post("/signin/factor", &[("factor", "email")])
        .await
        .assert_redirect("/signin/verify");
    for _ in 0..5 {
        p.advance(31).await;
        p.post("/signin/resend", &[])
            .await
            .assert_redirect("/signin/verify");
    }
    let sent = p.emu.outbox("bob@example.com").await.len();
    assert_eq!(sent, 6);
    p.advance(31).await;
    p.post("/signin/resend", &[])
        .await
        .assert_redirect("/signin/verify");
    assert!(p
        .get("/signin/verify")
        .await
        .body
        .contains("too many codes"));
    assert_eq!(p.emu.outbox("bob@example.com").await.len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complete_sign_in_leaves_a_device_cookie_for_that_user() {
    // The other tests forge the cookie; this one checks that a real sign-in sets it,
    // after a second factor as well as after a password alone.
    let p = Portal::start().await;
    let digest_of = |user: &str| {
        let value = device_cookie(user, &p.clock).value().to_string();
        value.split('.').nth(1).unwrap_or_default().to_string()
    };
    p.sign_in_bob_with_otp().await;
    let cookie = p
        .client
        .cookies()
        .get(device::COOKIE)
        .map(|c| c.value().to_string())
        .expect("a device cookie after bob's sign-in");
    assert_eq!(
        cookie.split('.').nth(1),
        Some(digest_of("bob@example.com").as_str())
    );

    let p = Portal::start().await;
    p.sign_in_alice().await;
    let cookie = p
        .client
        .cookies()
        .get(device::COOKIE)
        .map(|c| c.value().to_string())
        .expect("a device cookie after alice's sign-in");
    assert_eq!(
        cookie.split('.').nth(1),
        Some(digest_of("alice@example.com").as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_untrusted_attempts_leaves_okta_capacity_for_real_users() {
    let p = Portal::with(|c| {
        c.network.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.protection.failure_floor_ms = 0;
        c.protection.okta_calls_per_second = 4;
        c.protection.okta_untrusted_share = 50;
    })
    .await;
    p.get("/signin").await;
    // Many usernames from many IPs within one second: only 2 of them may reach Okta.
    let mut statuses = vec![];
    for i in 0..6 {
        let user = format!("victim{i}@example.com");
        let page = p
            .post_with(
                "/signin",
                &[("username", &user), ("password", "guess")],
                xff(&format!("198.51.100.{i}")),
            )
            .await;
        statuses.push(page.status);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        2,
        "{statuses:?}"
    );
    assert!(statuses.iter().skip(2).all(|s| *s == 429), "{statuses:?}");
    // In the same second, bob's browser with a device cookie still reaches Okta.
    bob_with_device_cookie(&p, "192.0.2.10")
        .await
        .assert_redirect("/signin/factor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_valid_device_cookie_of_that_user_earns_the_device_budget() {
    let p = Portal::with(|c| {
        c.network.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.protection.failure_floor_ms = 0;
    })
    .await;
    p.get("/signin").await;
    // Issued now, presented after its 180 days (moving the clock also forgets any
    // failure recorded before, so the budget is spent after the move).
    let old = device_value_at("bob@example.com", &p.clock, p.clock.now());
    p.advance(device::MAX_AGE + 1).await;
    spend_bobs_anonymous_budget(&p).await;
    let now = p.clock.now();
    let fresh = device_value_at("bob@example.com", &p.clock, now);
    let tampered_signature = {
        let (body, sig) = fresh.rsplit_once('.').unwrap();
        let flipped = if sig.starts_with('A') { 'B' } else { 'A' };
        format!("{body}.{flipped}{}", &sig[1..])
    };
    let tampered_time = {
        // The signature of a fresh cookie on a body that claims another issue time.
        let parts: Vec<&str> = fresh.split('.').collect();
        let earlier = (now - 10).to_string();
        [parts[0], parts[1], &earlier, parts[3], parts[4]].join(".")
    };
    let cases = [
        ("a tampered signature", tampered_signature),
        ("a tampered issue time", tampered_time),
        (
            "another user's cookie",
            device_value_at("alice@example.com", &p.clock, now),
        ),
        ("an expired cookie", old),
        (
            "a cookie issued in the future",
            device_value_at("bob@example.com", &p.clock, now + 3600),
        ),
        ("garbage", "v1.not-a-device-cookie".to_string()),
    ];
    for (n, (what, value)) in cases.into_iter().enumerate() {
        let before = p.rate_limited("username_failure_budget").await;
        let page = bob_with_cookie(
            &p,
            &format!("192.0.2.{}", 10 + n),
            Cookie::new(device::COOKIE, value),
        )
        .await;
        assert_eq!(page.status, 429, "{what} earns no device budget");
        assert_eq!(
            p.rate_limited("username_failure_budget").await,
            before + 1,
            "{what}: refused by the spent anonymous budget"
        );
    }
    assert_eq!(
        p.token_requests("bob@example.com").await,
        u64::from(p.config.protection.anonymous_failure_budget),
        "no refused attempt reached Okta"
    );
    // The same attempt with bob's valid cookie gets through to his second factor.
    bob_with_cookie(&p, "192.0.2.30", Cookie::new(device::COOKIE, fresh))
        .await
        .assert_redirect("/signin/factor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_ceiling_holds_back_with_its_own_label() {
    let p = Portal::with(|c| {
        c.protection.okta_calls_per_second = 1;
        c.protection.failure_floor_ms = 0;
    })
    .await;
    p.get("/signin").await;
    let first = p.password_step("held1@example.com", "x").await;
    assert_eq!(first.status, 401, "the one call this second reaches Okta");
    let before = p.token_endpoint_hits().await;
    let held = p.password_step("held2@example.com", "x").await;
    assert_eq!(held.status, 429, "answered like Okta's rate limit");
    assert!(held.header("Retry-After").is_some());
    assert_eq!(
        p.token_endpoint_hits().await,
        before + 1,
        "Okta was not asked (the probe counts itself)"
    );
    assert_eq!(p.held_by_ceiling().await, 1);
    let metrics = p.get("/metrics").await.body;
    let failures = |reason: &str| {
        metrics
            .lines()
            .find(|l| {
                l.starts_with("direct_signin_signin_failures_total{")
                    && l.contains(&format!("reason=\"{reason}\""))
            })
            .and_then(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    assert_eq!(failures("okta_held_back"), 1);
    assert_eq!(
        failures("okta_rate_limited"),
        0,
        "not counted as Okta's own"
    );
}
