//! Redis Sentinel: sign-ins through the real portal builder (`redis.mode = "sentinel"`)
//! while the master fails over. Each test runs its own master, one replica and one
//! Sentinel (Debian's `redis-server` and `redis-sentinel`; `scripts/test` installs them)
//! on free loopback ports with `down-after-milliseconds 500`, and counts the requests
//! that fail: at most one per failover. Sessions written (and replicated) before the
//! failover are still there on the promoted replica. Without the Debian packages these
//! tests fail, they do not skip.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use direct_signin::clock::Clock;
use direct_signin::config::redis::RedisMode;
use direct_signin::config::{Config, Secret, StoreKind};
use direct_signin::portal;
use rocket::config::LogLevel;
use rocket::figment::Figment;
use rocket::http::{ContentType, Cookie};
use rocket::local::asynchronous::Client;
use testkit::demo::{ALICE, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, PASSWORD};
use testkit::redis::{cli, wait_until, SentinelSet};

const SID: &str = "__Host-sid";

async fn portal_on(set: &SentinelSet, emu: &testkit::TestEmulator) -> Client {
    let mut config = Config::default();
    config.okta.issuer = Some(emu.issuer());
    config.okta.client_id = Some(DEMO_CLIENT_ID.into());
    config.okta.client_secret = Some(Secret::new(DEMO_CLIENT_SECRET));
    config.session.secret = Some(Secret::new("sentinel-test-secret-0123456789abcdef"));
    config.session.store = StoreKind::Redis;
    config.redis.mode = RedisMode::Sentinel;
    config.redis.sentinels = set.addresses();
    config.redis.failover_wait_ms = 15_000;
    config.redis.prefix = format!("sentinel-test-{}:", direct_signin::random::alphanumeric(8));
    // Many sign-ins from one address: not what is tested (the clock moves a second per
    // sign-in for the per-username rate).
    config.protection.ip_signin_per_minute = 60_000;
    config.protection.failure_floor_ms = 0;
    config.validate(false).unwrap();
    let figment =
        Figment::from(rocket::Config::debug_default()).merge(("log_level", LogLevel::Off));
    let rocket = portal::assemble(figment, config, emu.clock())
        .await
        .expect("the portal finds the master through the Sentinel");
    Client::untracked(rocket).await.unwrap()
}

/// Requests made and requests that failed (anything but the expected answer).
#[derive(Default)]
struct Tally {
    requests: AtomicUsize,
    failed: AtomicUsize,
}

impl Tally {
    fn count(&self, ok: bool) -> bool {
        self.requests.fetch_add(1, Ordering::SeqCst);
        if !ok {
            self.failed.fetch_add(1, Ordering::SeqCst);
        }
        ok
    }
}

/// A password sign-in (two requests) then the account page (one): the signed-in
/// session id, or `None` when a request failed (counted in `tally`).
async fn sign_in(client: &Client, clock: &Clock, tally: &Tally) -> Option<String> {
    clock.advance_secs(1);
    let page = client.get("/signin").dispatch().await;
    let sid = page.cookies().get(SID).map(|c| c.value().to_string());
    if !tally.count(page.status().code == 200 && sid.is_some()) {
        return None;
    }
    let csrf = testkit::html::csrf_token(&page.into_string().await.unwrap_or_default())?;
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("username", ALICE)
        .append_pair("password", PASSWORD)
        .append_pair("csrf_token", &csrf)
        .finish();
    let r = client
        .post("/signin")
        .header(ContentType::Form)
        .cookie(Cookie::new(SID, sid.unwrap()))
        .body(form)
        .dispatch()
        .await;
    let signed_in = r.cookies().get(SID).map(|c| c.value().to_string());
    let ok = r.status().code == 303 && r.headers().get_one("Location") == Some("/account");
    if !tally.count(ok && signed_in.is_some()) {
        return None;
    }
    let signed_in = signed_in.unwrap();
    tally
        .count(account(client, &signed_in).await == 200)
        .then_some(signed_in)
}

async fn account(client: &Client, sid: &str) -> u16 {
    client
        .get("/account")
        .cookie(Cookie::new(SID, sid.to_string()))
        .dispatch()
        .await
        .status()
        .code
}

/// Waits until the replica has every write the master acknowledged (what the sessions
/// written so far need to survive the master's loss; see the README on `WAIT`).
fn replicated(set: &SentinelSet) {
    let offset = |port, field: &str| {
        cli(port, &["info", "replication"])
            .lines()
            .find_map(|l| {
                l.strip_prefix(field)
                    .map(|v| v.trim().parse::<i64>().unwrap_or(-1))
            })
            .unwrap_or(-1)
    };
    let (m, r) = (set.master.port, set.replica.port);
    wait_until(
        "the replica has every write",
        Duration::from_secs(10),
        || {
            let master = offset(m, "master_repl_offset:");
            master > 0 && offset(r, "slave_repl_offset:") >= master
        },
    );
}

/// Signs in over and over on one task until `stop`; the sessions made.
fn keep_signing_in(
    client: Arc<Client>,
    clock: Clock,
    tally: Arc<Tally>,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<Vec<String>> {
    tokio::spawn(async move {
        let mut sessions = vec![];
        while !stop.load(Ordering::SeqCst) {
            if let Some(sid) = sign_in(&client, &clock, &tally).await {
                sessions.push(sid);
            }
        }
        sessions
    })
}

/// Signs in five times, waits until the replica has those writes, then runs `fault`
/// while sign-ins go on, until nine more requests were made after the promotion; then
/// counts the failed requests and checks every session made is still there.
async fn through_a_failover(fault: impl FnOnce(&mut SentinelSet)) {
    let mut set = SentinelSet::start(1);
    let emu = testkit::start().await;
    let client = Arc::new(portal_on(&set, &emu).await);
    let tally = Arc::new(Tally::default());
    let mut before = vec![];
    for _ in 0..5 {
        before.push(
            sign_in(&client, &emu.clock(), &tally)
                .await
                .expect("a sign-in before the failover"),
        );
    }
    replicated(&set);

    let stop = Arc::new(AtomicBool::new(false));
    let running = keep_signing_in(client.clone(), emu.clock(), tally.clone(), stop.clone());
    let started = tally.requests.load(Ordering::SeqCst);
    wait_until("sign-ins run", Duration::from_secs(10), || {
        tally.requests.load(Ordering::SeqCst) >= started + 4
    });
    // Mid-run: a sign-in is in flight when the master goes.
    fault(&mut set);
    set.wait_for_promotion(Duration::from_secs(20));
    let promoted_at = tally.requests.load(Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(20);
    while tally.requests.load(Ordering::SeqCst) < promoted_at + 9 {
        assert!(Instant::now() < deadline, "sign-ins did not continue");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::SeqCst);
    let during = running.await.unwrap();

    let (requests, failed) = (
        tally.requests.load(Ordering::SeqCst),
        tally.failed.load(Ordering::SeqCst),
    );
    println!("failover: {requests} requests, {failed} failed");
    assert!(failed <= 1, "{failed} of {requests} requests failed");
    assert!(during.len() >= 3, "sign-ins continued: {}", during.len());
    for sid in before.iter().chain(&during) {
        assert_eq!(
            account(&client, sid).await,
            200,
            "a session written before the failover is on the promoted replica"
        );
    }
    let ready = client.get("/readyz").dispatch().await;
    assert_eq!(ready.status().code, 200, "ready on the new master");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_survive_the_master_being_killed() {
    through_a_failover(|set| set.master.kill()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_survive_a_forced_failover_that_demotes_the_master() {
    // The old master stays up as a replica: writes to it answer READONLY until the portal
    // asks the Sentinel again.
    through_a_failover(|set| {
        let answer = cli(set.sentinels[0].port, &["sentinel", "failover", "mymaster"]);
        assert!(answer.contains("OK"), "{answer}");
    })
    .await;
}

/// Asks `/readyz` until its session store field is `want`; the time it took.
async fn until_store_ready_is(client: &Client, want: bool, within: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let r = client.get("/readyz").dispatch().await;
        let body: serde_json::Value =
            serde_json::from_str(&r.into_string().await.unwrap_or_default()).unwrap_or_default();
        if body["session_store"] == want {
            return start.elapsed();
        }
        assert!(start.elapsed() < within, "readiness never turned {want}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_is_false_while_no_master_answers_and_true_after_the_failover() {
    let mut set = SentinelSet::start(1);
    let emu = testkit::start().await;
    let client = portal_on(&set, &emu).await;
    until_store_ready_is(&client, true, Duration::from_secs(5)).await;
    set.master.kill();
    let lost = until_store_ready_is(&client, false, Duration::from_secs(1)).await;
    set.wait_for_promotion(Duration::from_secs(20));
    let back = until_store_ready_is(&client, true, Duration::from_secs(2)).await;
    println!("readiness: false {lost:?} after the kill, true {back:?} after the promotion");
}
