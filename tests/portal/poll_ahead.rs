//! The push wait's status polls ahead: a due status request answers `pending` at once and
//! the Okta poll is made in the background (one per interval, however many requests ask,
//! on whichever instance), for a real push and a decoy alike; an approval is stashed
//! sealed in the pre-sign-in session and the browser's next request commits it, once.

use std::time::{Duration, Instant};

use direct_signin::portal::session::{PreAuth, Record, SessionKey, SessionStore};
use serde_json::Value;

use crate::common::*;

const STATUS: &str = "/signin/wait/status";
const BOB: &str = "bob@example.com";

/// The pre-sign-in record of the session `sid`, opened (`None`: another kind, or none).
async fn pre_auth(p: &Portal, sid: &str) -> Option<PreAuth> {
    match p.record_of(sid).await? {
        Record::PreAuth(pre) => Some(pre),
        Record::SignedIn(_) => None,
    }
}

/// Bob's push approved and polled in the background: the session id whose pre-sign-in
/// record now holds the stashed approval, and that record.
async fn stashed_approval(p: &Portal) -> (String, PreAuth) {
    p.mfa_start(BOB, "push")
        .await
        .assert_redirect("/signin/wait");
    assert_eq!(p.get("/signin/wait").await.status, 200);
    let sid = p.session_id().expect("a session cookie");
    p.answer_push(BOB, true, None).await;
    p.advance(POLL_DUE).await;
    assert_eq!(p.get(STATUS).await.json()["state"], "pending");
    let pre = until(
        BUDGET,
        || pre_auth(p, &sid),
        |pre| pre.as_ref().is_some_and(|pre| pre.approved.is_some()),
    )
    .await
    .expect("the pre-sign-in session is kept");
    assert!(
        pre.approved.is_some(),
        "the background poll stashed the approval"
    );
    (sid, pre)
}

/// A gauge or counter of `p`'s `/metrics` (0 when absent).
async fn metric(p: &Portal, name: &str) -> u64 {
    let text = p.get("/metrics").await.body;
    let prefix = format!("direct_signin_{name} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map_or(0, |v| v.trim().parse().unwrap_or(0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_status_answers_at_once_for_real_and_decoy_pushes() {
    // The poll is made in the background, so a due status request waits neither for Okta
    // nor for the failure floor, and a decoy (no Okta call behind it) answers the same.
    let real = Portal::start().await;
    let decoy = real.browser().await;
    let floor = Duration::from_millis(real.config.protection.failure_floor_ms);
    real.passwordless_start("carol@example.com", "push")
        .await
        .assert_redirect("/signin/wait");
    decoy
        .passwordless_start("nobody@example.com", "push")
        .await
        .assert_redirect("/signin/wait");
    let before = real.token_requests("carol@example.com").await;
    // Okta takes its time over the real poll: the status must not wait for it.
    real.fault(
        "token",
        "delay",
        serde_json::json!({"delay_ms": 600, "count": 1}),
    )
    .await;
    real.advance(POLL_DUE).await;
    let mut slowest = vec![];
    for (name, p) in [("real", &real), ("decoy", &decoy)] {
        // Several requests while the poll is due (and in flight): all answer at once.
        let mut max = Duration::ZERO;
        for i in 0..4 {
            let t = Instant::now();
            let status = p.get(STATUS).await;
            let took = t.elapsed();
            assert_eq!(status.json()["state"], "pending", "{name} {i}");
            assert!(took < floor / 2, "{name} status {i} took {took:?}");
            max = max.max(took);
        }
        slowest.push(format!("{name} {max:?}"));
    }
    eprintln!("figures: slowest due status: {}", slowest.join(", "));
    // The real flow's poll did happen, in the background: once.
    assert_eq!(
        real.token_requests_reach("carol@example.com", before + 1)
            .await,
        before + 1
    );
    for p in [&real, &decoy] {
        let sid = p.session_id().unwrap();
        let polled = until(
            BUDGET,
            || pre_auth(p, &sid),
            |pre| pre.as_ref().is_some_and(|pre| !due(pre, p.clock.now())),
        )
        .await;
        assert!(
            !due(&polled.unwrap(), p.clock.now()),
            "the next poll is an interval away"
        );
        assert_eq!(p.get(STATUS).await.json()["state"], "pending");
    }
    assert_eq!(real.token_requests("carol@example.com").await, before + 1);
    // Without JavaScript the wait page still polls in the request, behind the floor.
    decoy.advance(POLL_DUE).await;
    let t = Instant::now();
    assert_eq!(decoy.get("/signin/wait").await.status, 200);
    assert!(t.elapsed() >= floor, "decoy wait page: {:?}", t.elapsed());
}

fn due(pre: &PreAuth, now: i64) -> bool {
    use direct_signin::portal::signin::machine::Step;
    matches!(
        pre.flow.as_ref().map(|f| &f.step),
        Some(Step::WaitPush { next_poll_at, .. }) if now >= *next_poll_at
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stashed_approval_is_committed_once_by_the_next_status_on_any_instance() {
    let p = Portal::start().await;
    let (sid, pre) = stashed_approval(&p).await;
    let user_id = pre.approved.as_ref().unwrap().session.user_id.clone();
    // Another instance (the shared store) gets the browser's next request.
    let q = p.browser().await;
    let created = metric(&q, "sessions_created").await;
    let status = q.get_as(STATUS, &sid).await;
    assert_eq!(status.json()["state"], "approved", "{}", status.body);
    assert_eq!(status.json()["redirect"], "/account");
    assert!(
        status.session_cookie().is_some(),
        "the session cookie is set"
    );
    assert!(
        status
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("__Host-device=")),
        "the device cookie is renewed: {:?}",
        status.set_cookies()
    );
    assert_eq!(metric(&q, "sessions_created").await, created + 1);
    let session = q.signed_in().await.expect("signed in on the new cookie");
    assert_eq!(session.user_id, user_id);
    assert_eq!(session.amr, vec!["pwd", "swk", "mfa"]);
    // Asking again (the script's next round) answers approved and creates nothing.
    let again = q.get(STATUS).await.json();
    assert_eq!(again["state"], "approved", "{again}");
    assert_eq!(metric(&q, "sessions_created").await, created + 1);
    // The pre-sign-in session is gone: a replay of its cookie signs nobody in.
    assert!(p.record_of(&sid).await.is_none());
    assert_eq!(p.get_as(STATUS, &sid).await.json()["state"], "expired");
    assert_eq!(metric(&p, "sessions_created").await, 0);
    let sessions = p.sessions().of_user(&user_id).await.unwrap();
    assert_eq!(sessions.len(), 1, "one session");
    assert_eq!(q.get("/account").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wait_page_without_javascript_commits_a_stash() {
    let p = Portal::start().await;
    let (_, pre) = stashed_approval(&p).await;
    p.get("/signin/wait").await.assert_redirect("/account");
    let user_id = pre.approved.unwrap().session.user_id;
    assert_eq!(p.sessions().of_user(&user_id).await.unwrap().len(), 1);
    assert_eq!(p.get("/account").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_while_an_approval_is_stashed_signs_nobody_in() {
    let p = Portal::start().await;
    let (sid, pre) = stashed_approval(&p).await;
    let approval = pre.approved.unwrap();
    p.post("/signin/cancel", &[])
        .await
        .assert_redirect("/signin");
    assert!(p.signed_in().await.is_none());
    assert!(p
        .sessions()
        .of_user(&approval.session.user_id)
        .await
        .unwrap()
        .is_empty());
    let pre = pre_auth(&p, &sid).await.expect("the notice is kept");
    assert!(pre.approved.is_none() && pre.flow.is_none());
    assert!(p.get("/signin").await.body.contains("Sign-in cancelled."));
    assert_eq!(p.get(STATUS).await.json()["state"], "expired");
    // The dropped approval's tokens were revoked at Okta.
    let token = approval.session.access_token.expose().to_string();
    assert_eq!(p.introspect(&token).await["active"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_okta_poll_per_interval_however_many_ask_at_once() {
    let p = Portal::start().await;
    let (q, r) = (p.browser().await, p.browser().await);
    p.mfa_start(BOB, "push")
        .await
        .assert_redirect("/signin/wait");
    p.get("/signin/wait").await;
    let sid = p.session_id().unwrap();
    let s = sid.as_str();
    let mut polls = p.token_requests(BOB).await;
    for round in 0..3 {
        p.advance(POLL_DUE).await;
        // Nine status requests at once, on three instances, while the poll is due.
        let answers = tokio::join!(
            p.get_as(STATUS, s),
            q.get_as(STATUS, s),
            r.get_as(STATUS, s),
            p.get_as(STATUS, s),
            q.get_as(STATUS, s),
            r.get_as(STATUS, s),
            p.get_as(STATUS, s),
            q.get_as(STATUS, s),
            r.get_as(STATUS, s),
        );
        let states: Vec<Value> = [
            answers.0, answers.1, answers.2, answers.3, answers.4, answers.5, answers.6, answers.7,
            answers.8,
        ]
        .iter()
        .map(|a| a.json()["state"].clone())
        .collect();
        assert!(states.iter().all(|s| s == "pending"), "{round}: {states:?}");
        let reached = p.token_requests_reach(BOB, polls + 1).await;
        assert_eq!(reached, polls + 1, "round {round}: one poll");
        // Once it is made, more requests before the interval add none.
        until(
            BUDGET,
            || pre_auth(&p, s),
            |pre| pre.as_ref().is_some_and(|pre| !due(pre, p.clock.now())),
        )
        .await;
        for b in [&p, &q, &r] {
            assert_eq!(b.get_as(STATUS, s).await.json()["state"], "pending");
        }
        polls = p.token_requests(BOB).await;
        assert_eq!(polls, reached, "round {round}: still one poll");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stashed_approval_is_sealed_at_rest() {
    let p = Portal::start().await;
    let (sid, pre) = stashed_approval(&p).await;
    let approval = pre.approved.unwrap();
    let stored = p
        .store
        .load(&SessionKey(session_key(&sid)))
        .await
        .unwrap()
        .expect("the stored record");
    let Record::PreAuth(raw) = &stored else {
        panic!("a pre-sign-in record: {stored:?}");
    };
    assert!(
        raw.approved.is_none() && raw.flow.is_none(),
        "only in the seal"
    );
    assert!(raw.sealed.as_deref().is_some_and(|s| s.starts_with("ds1.")));
    let json = serde_json::to_string(&stored).unwrap();
    let access = approval.session.access_token.expose();
    assert!(access.len() > 20, "a real access token");
    assert!(!json.contains(access), "the access token in clear: {json}");
    if let Some(refresh) = &approval.session.refresh_token {
        assert!(
            !json.contains(refresh.expose()),
            "the refresh token in clear"
        );
    }
    assert!(!json.contains(BOB), "the username in clear");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recovery_push_polled_ahead_goes_on_at_its_own_pages() {
    for (approve, state, to) in [
        (true, "approved", "/recover/password"),
        (false, "denied", "/recover"),
    ] {
        let p = Portal::start().await;
        p.get("/recover").await;
        p.post("/recover", &[("username", BOB)])
            .await
            .assert_redirect("/signin/factor");
        p.wait_for_push().await;
        p.answer_push(BOB, approve, None).await;
        p.advance(POLL_DUE).await;
        let status = p.settled_status().await;
        assert_eq!(status["state"], state, "{status}");
        assert_eq!(status["redirect"], to, "{status}");
        // A recovery never becomes a session.
        assert!(p.signed_in().await.is_none());
    }
}
