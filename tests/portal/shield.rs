//! The shield's promises over days and across flows: no lockout at Okta after a week of
//! slow guessing, one-time codes that cannot be guessed by starting flow after flow,
//! attempts whose answer was lost counted, decoys that look like real flows on a second
//! SMS start and in timing, deliveries capped per username, free starts bounded, and the
//! capacity toward Okta kept from untrusted code guesses. Each test fails without the
//! protection it names (the first four reproduce defects of an earlier version).

use std::time::{Duration, Instant};

use rocket::http::Header;

use crate::common::*;

const DAY: i64 = 86_400;

fn from(ip: &str) -> Vec<Header<'static>> {
    vec![Header::new("X-Forwarded-For", ip.to_string())]
}

/// A counter of the portal's `/metrics`, e.g. `rate_limit_rejections_total`, `limiter`.
async fn rejections(p: &Portal, limiter: &str) -> u64 {
    let text = p.get("/metrics").await.body;
    let needle = format!("direct_signin_rate_limit_rejections_total{{limiter=\"{limiter}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&needle))
        .map_or(0, |v| v.trim().parse().unwrap_or(0))
}

async fn user_status(p: &Portal, user: &str) -> (bool, u64) {
    let s = p.emu.user(user).await;
    (
        s["locked"].as_bool().unwrap_or(false),
        s["failed_passwords"].as_u64().unwrap_or(0),
    )
}

/// A portal behind a trusted proxy (so each attempt can come from its own address),
/// without the timing floor (tested on its own below), as fast as the test can go.
async fn behind_proxy(tweak: impl FnOnce(&mut direct_signin::config::Config)) -> Portal {
    Portal::with(|c| {
        c.network.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.protection.failure_floor_ms = 0;
        tweak(c);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_week_of_slow_guessing_from_many_ips_locks_no_one() {
    // Six wrong passwords a day for alice and dave, each from a new address, for a week.
    // Okta's count of consecutive failures never decays; ours must not either.
    let p = behind_proxy(|_| {}).await;
    // Alice signed in once from her own browser before: it holds her device cookie.
    let home = p.browser().await;
    home.sign_in_alice().await;
    home.post("/signout", &[]).await;
    let mut forwarded_per_day = vec![];
    let mut n = 0u32;
    for day in 0..7 {
        let before = user_status(&p, "alice@example.com").await.1;
        for _ in 0..6 {
            for user in ["alice@example.com", "dave@example.com"] {
                n += 1;
                let ip = format!("198.51.{}.{}", n / 250, n % 250 + 1);
                p.get("/signin").await;
                let page = p
                    .post_with(
                        "/signin",
                        &[("username", user), ("password", "wrong-guess")],
                        from(&ip),
                    )
                    .await;
                assert!(
                    [401, 429].contains(&page.status),
                    "day {day}: {}",
                    page.status
                );
            }
            p.advance(DAY / 6).await;
        }
        forwarded_per_day.push(user_status(&p, "alice@example.com").await.1 - before);
    }
    eprintln!("figures: alice's wrong passwords reaching Okta per day: {forwarded_per_day:?}");
    for user in ["alice@example.com", "dave@example.com"] {
        let (locked, failed) = user_status(&p, user).await;
        assert!(!locked, "{user} is locked at Okta");
        assert!(failed < 10, "{user}: {failed} consecutive failures at Okta");
    }
    assert_eq!(
        forwarded_per_day.iter().sum::<u64>(),
        4,
        "the anonymous budget, once for the week: {forwarded_per_day:?}"
    );
    assert!(rejections(&p, "username_failure_budget").await > 0);
    // The real alice, from her own browser, still gets in after the week.
    home.get("/signin").await;
    home.post(
        "/signin",
        &[("username", "alice@example.com"), ("password", PASSWORD)],
    )
    .await
    .assert_redirect("/account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_auto_unlock_lets_the_budget_come_back() {
    let p = behind_proxy(|c| c.protection.okta_auto_unlock = Some(3600)).await;
    for i in 0..6 {
        p.get("/signin").await;
        p.post_with(
            "/signin",
            &[("username", "alice@example.com"), ("password", "wrong")],
            from(&format!("203.0.113.{}", i + 1)),
        )
        .await;
        p.advance(60).await;
    }
    assert_eq!(user_status(&p, "alice@example.com").await.1, 4);
    // The org unlocks (and forgets) after an hour: so may we.
    p.advance(3600).await;
    p.get("/signin").await;
    p.post_with(
        "/signin",
        &[("username", "alice@example.com"), ("password", PASSWORD)],
        from("203.0.113.99"),
    )
    .await
    .assert_redirect("/account");
}

/// Starts a passwordless authenticator-app flow for `user` and sends one random code;
/// answers the status of the code submission (or of the start, when refused there).
async fn guess_code(p: &Portal, user: &str, ip: &str, code: &str) -> u16 {
    p.get("/signin").await;
    let start = p
        .post_with(
            "/signin/passwordless",
            &[("username", user), ("method", "otp")],
            from(ip),
        )
        .await;
    if start.status != 303 {
        return start.status;
    }
    p.get("/signin/verify").await;
    p.post_with("/signin/verify", &[("code", code)], from(ip))
        .await
        .status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_cannot_be_guessed_by_starting_flow_after_flow() {
    // 200 random codes for carol over 40 flows in 20 minutes, each flow from its own
    // address: an earlier version sent every one of them to Okta.
    let p = behind_proxy(|_| {}).await;
    let before = p.token_requests("carol@example.com").await;
    let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
    for i in 0..200u32 {
        let ip = format!("198.18.{}.{}", i / 5 / 250, i / 5 % 250 + 1);
        // Never the right one: the TOTP window is 3 codes of a million.
        let code = format!("{:06}", (i * 7919 + 13) % 1_000_000);
        let code = if code == p.totp().await {
            "000001".into()
        } else {
            code
        };
        *statuses
            .entry(guess_code(&p, "carol@example.com", &ip, &code).await)
            .or_default() += 1;
        p.advance(6).await;
    }
    let reached = p.token_requests("carol@example.com").await - before;
    eprintln!("figures: {reached} of 200 codes reached Okta in 20 minutes ({statuses:?})");
    assert!(
        reached <= 20,
        "{reached} codes reached Okta in 20 minutes ({statuses:?})"
    );
    assert!(
        statuses.get(&429).copied().unwrap_or(0) > 150,
        "{statuses:?}"
    );
    assert!(rejections(&p, "username_code_backoff").await > 150);
    // The real carol, with the right code, still gets in once the backoff has passed.
    p.advance(3600).await;
    let code = p.totp().await;
    assert_eq!(
        guess_code(&p, "carol@example.com", "192.0.2.1", &code).await,
        303
    );
    assert!(p.signed_in().await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_week_of_code_guessing_sends_okta_a_few_dozen_a_day() {
    let p = behind_proxy(|_| {}).await;
    let mut per_day = vec![];
    let mut n = 0u32;
    for _day in 0..7 {
        let before = p.token_requests("carol@example.com").await;
        // Two guesses every 20 minutes, each flow from a new address.
        for _ in 0..72 {
            for _ in 0..2 {
                n += 1;
                let ip = format!("198.19.{}.{}", n / 250 % 250, n % 250 + 1);
                guess_code(&p, "carol@example.com", &ip, "000000").await;
            }
            p.advance(1200).await;
        }
        per_day.push(p.token_requests("carol@example.com").await - before);
    }
    eprintln!("figures: wrong codes reaching Okta per day over a week: {per_day:?}");
    // 5 free, then a backoff doubling up to an hour: at most 24 a day after the first.
    assert!(per_day[0] <= 40, "{per_day:?}");
    assert!(per_day[1..].iter().all(|d| *d <= 25), "{per_day:?}");
    // And never more than NIST SP 800-63B's 100 consecutive failures: then codes stop
    // until a sign-in completes by another factor.
    assert_eq!(per_day.iter().sum::<u64>(), 100, "{per_day:?}");
    assert!(rejections(&p, "username_code_cap").await > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_whose_answer_was_lost_are_counted() {
    // Okta is slower than the portal's timeout: each wrong password ends in a 504, yet
    // Okta counts it. Twelve from twelve addresses locked bob in an earlier version.
    let p = behind_proxy(|c| c.okta.timeout_ms = 150).await;
    p.fault(
        "token",
        "delay",
        serde_json::json!({"delay_ms": 400, "count": 12}),
    )
    .await;
    let mut statuses = vec![];
    for i in 0..12 {
        p.get("/signin").await;
        let page = p
            .post_with(
                "/signin",
                &[("username", "bob@example.com"), ("password", "wrong")],
                from(&format!("192.0.2.{}", i + 10)),
            )
            .await;
        statuses.push(page.status);
        p.advance(60).await;
    }
    p.clear_faults().await;
    // The emulator answers each delayed call 400 ms after it came (real time: the one
    // wait this test cannot move a clock past).
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (locked, failed) = user_status(&p, "bob@example.com").await;
    assert!(!locked, "bob is locked at Okta ({statuses:?})");
    assert_eq!(
        failed, 4,
        "only the anonymous budget reached Okta ({statuses:?})"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 504).count(), 4);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_sms_start_looks_the_same_for_real_and_unknown_users() {
    let p = Portal::start().await;
    let mut answers = vec![];
    for user in ["carol@example.com", "nobody@example.com"] {
        let first = p.passwordless_start(user, "sms").await;
        assert_eq!(first.status, 303, "{user}");
        p.post("/signin/cancel", &[]).await;
        // Within Okta's 30 s per-phone window: the portal's own cooldown answers for
        // every name alike, before Okta could tell them apart.
        p.advance(POLL_DUE).await;
        let second = p.passwordless_start(user, "sms").await;
        answers.push((
            second.status,
            second.header("Retry-After").map(str::to_string),
            second.text().replace(user, "USER"),
        ));
    }
    assert_eq!(answers[0].0, 429);
    assert_eq!(answers[0].0, answers[1].0);
    assert_eq!(answers[0].2.len(), answers[1].2.len(), "the same page");
    // The same Retry-After (the clock may tick between the two).
    let wait = |i: usize| -> i64 {
        answers[i]
            .1
            .as_deref()
            .expect("Retry-After")
            .parse()
            .unwrap()
    };
    assert!((wait(0) - wait(1)).abs() <= 1, "{} vs {}", wait(0), wait(1));
    assert_eq!(rejections(&p, "username_phone_cooldown").await, 2);
    // Past the cooldown both start again.
    p.advance(30).await;
    for user in ["carol@example.com", "nobody@example.com"] {
        assert_eq!(p.passwordless_start(user, "sms").await.status, 303);
        p.post("/signin/cancel", &[]).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decoys_take_as_long_as_real_flows() {
    // A decoy never waits for Okta: without a floor it answers in a millisecond.
    let p = Portal::start().await;
    let floor = Duration::from_millis(p.config.protection.failure_floor_ms);
    for (user, method) in [
        ("nobody@example.com", "email"),
        ("carol@example.com", "email"),
        ("nobody@example.com", "otp"),
    ] {
        p.get("/signin").await;
        let t = Instant::now();
        let start = p
            .post(
                "/signin/passwordless",
                &[("username", user), ("method", method)],
            )
            .await;
        assert_eq!(start.status, 303);
        assert!(
            t.elapsed() >= floor,
            "{user} {method} start: {:?}",
            t.elapsed()
        );
        p.get("/signin/verify").await;
        let t = Instant::now();
        let wrong = p.post("/signin/verify", &[("code", "000000")]).await;
        assert_eq!(wrong.status, 401);
        assert!(
            t.elapsed() >= floor,
            "{user} {method} code: {:?}",
            t.elapsed()
        );
        if method == "email" {
            p.advance(31).await;
            let t = Instant::now();
            p.post("/signin/resend", &[])
                .await
                .assert_redirect("/signin/verify");
            assert!(t.elapsed() >= floor, "{user} resend: {:?}", t.elapsed());
        }
        p.post("/signin/cancel", &[]).await;
        p.advance(31).await;
    }
    // A due push poll: the status answers at once for both, as the poll is made in the
    // background, and the wait page without JavaScript waits the floor (see
    // `poll_ahead::a_due_status_answers_at_once_for_real_and_decoy_pushes`).
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_capped_per_username_for_every_name() {
    // Pushes to one user, a flow at a time, each from its own address: MFA fatigue and
    // SMS pumping stop at the caps, for a real user and a made-up one alike.
    let p = behind_proxy(|_| {}).await;
    for user in ["carol@example.com", "nobody@example.com"] {
        let mut statuses = vec![];
        for i in 0..14 {
            p.get("/signin").await;
            let page = p
                .post_with(
                    "/signin/passwordless",
                    &[("username", user), ("method", "push")],
                    from(&format!("198.51.100.{}", i + 1)),
                )
                .await;
            statuses.push(page.status);
            p.post("/signin/cancel", &[]).await;
            p.advance(120).await;
        }
        let sent = statuses.iter().filter(|s| **s == 303).count();
        assert_eq!(sent, 10, "{user}: the daily cap ({statuses:?})");
        if user == "carol@example.com" {
            let pushes = p.emu.pushes("carol@example.com").await;
            assert!(pushes.len() <= 10);
        }
        // A day later the cap has room again.
        p.advance(DAY).await;
    }
    assert_eq!(rejections(&p, "username_deliveries_daily").await, 8);
    // Five challenges at once at most: a burst of starts hits the outstanding cap.
    let mut statuses = vec![];
    for i in 0..7 {
        let page = p
            .post_with(
                "/signin/passwordless",
                &[("username", "dave@example.com"), ("method", "email")],
                from(&format!("198.51.101.{}", i + 1)),
            )
            .await;
        statuses.push(page.status);
        p.advance(1).await;
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        5,
        "{statuses:?}"
    );
    assert!(rejections(&p, "username_deliveries_outstanding").await >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_passwordless_starts_are_bounded() {
    // Authenticator-app starts cost Okta nothing and leave a pending session each.
    let p = behind_proxy(|c| c.protection.free_starts_per_second = 3).await;
    let mut statuses = vec![];
    p.get("/signin").await;
    for i in 0..10 {
        let page = p
            .post_with(
                "/signin/passwordless",
                &[
                    ("username", &format!("made-up-{i}@example.com")),
                    ("method", "otp"),
                ],
                from(&format!("203.0.113.{}", i + 1)),
            )
            .await;
        statuses.push(page.status);
    }
    let started = statuses.iter().filter(|s| **s == 303).count();
    assert!((3..=5).contains(&started), "{statuses:?}");
    assert!(rejections(&p, "free_starts").await >= 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_code_guesses_leave_okta_capacity_for_real_users() {
    // Two calls a second toward Okta from this instance, one of them for untrusted
    // callers. Made-up names guessing authenticator codes (no Okta call at the start)
    // are untrusted: bob, past his password, keeps the rest. (The refill is one call per
    // half second: the flood below takes far less.)
    let p = behind_proxy(|c| {
        c.protection.okta_calls_per_second = 2;
        c.protection.okta_untrusted_share = 50;
    })
    .await;
    p.password_step("bob@example.com", PASSWORD)
        .await
        .assert_redirect("/signin/factor");
    p.get("/signin/factor").await;
    p.post("/signin/factor", &[("factor", "otp")])
        .await
        .assert_redirect("/signin/verify");
    p.get("/signin/verify").await;
    let (bob_sid, bob_csrf) = (p.session_id().unwrap(), p.csrf().unwrap());
    // The flood, on the same instance, each guess in a session of its own.
    let mut refused = 0;
    for i in 0..12 {
        let sid = direct_signin::random::token(32);
        let ip = from(&format!("203.0.113.{}", i + 1));
        let csrf = p
            .get_as("/signin", &sid)
            .await
            .input_value("csrf_token")
            .unwrap();
        let name = format!("made-up-{i}@example.com");
        let start = p
            .post_as(
                "/signin/passwordless",
                &sid,
                &[
                    ("username", &name),
                    ("method", "otp"),
                    ("csrf_token", &csrf),
                ],
                ip.clone(),
            )
            .await;
        assert_eq!(start.status, 303);
        let guess = p
            .post_as(
                "/signin/verify",
                &sid,
                &[("code", "123456"), ("csrf_token", &csrf)],
                ip,
            )
            .await;
        refused += u32::from(guess.status == 429);
    }
    assert!(
        refused >= 10,
        "the untrusted share held ({refused} refused)"
    );
    let code = p.totp().await;
    p.post_as(
        "/signin/verify",
        &bob_sid,
        &[("code", &code), ("csrf_token", &bob_csrf)],
        vec![],
    )
    .await
    .assert_redirect("/account");
}
