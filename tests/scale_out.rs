//! Scale-out: portal instances that share a Redis session store share sign-in flows and
//! sessions. A flow started on one instance finishes on another; a restart loses nothing.
//! Needs a Redis server at `REDIS_URL` (default `redis://127.0.0.1:6379/0`); `scripts/test`
//! starts one when none is running. Without Redis these tests fail, they do not skip.

use std::sync::Arc;

use direct_signin::config::{Config, Secret, StoreKind};
use direct_signin::portal::session::redis::RedisStore;
use direct_signin::portal::session::{Record, SessionStore, Sessions};
use direct_signin::portal::{self, stores};
use rocket::config::LogLevel;
use rocket::figment::Figment;
use rocket::http::{ContentType, Cookie};
use rocket::local::asynchronous::{Client, LocalResponse};
use testkit::demo::{ALICE, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use testkit::TestEmulator;

const SID: &str = "__Host-sid";

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/0".into())
}

struct Cluster {
    emu: TestEmulator,
    config: Config,
    prefix: String,
}

impl Cluster {
    async fn new() -> Self {
        let emu = testkit::start().await;
        let mut config = Config::default();
        config.okta.issuer = Some(emu.issuer());
        config.okta.client_id = Some(DEMO_CLIENT_ID.into());
        config.okta.client_secret = Some(Secret::new(DEMO_CLIENT_SECRET));
        config.session.secret = Some(Secret::new("scale-out-secret-shared-by-instances"));
        config.session.store = StoreKind::Redis;
        config.redis.url = redis_url();
        let prefix = format!(
            "direct-signin-test:{}:",
            direct_signin::random::alphanumeric(12)
        );
        config.redis.prefix = prefix.clone();
        config.network.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        config.protection.failure_floor_ms = 0;
        config.validate(false).unwrap();
        Cluster {
            emu,
            config,
            prefix,
        }
    }

    /// One more portal instance on the shared store, built as `main` builds it.
    async fn instance(&self) -> Client {
        let figment =
            Figment::from(rocket::Config::debug_default()).merge(("log_level", LogLevel::Off));
        let rocket = portal::assemble(figment, self.config.clone(), self.emu.clock())
            .await
            .expect("a Redis server at REDIS_URL (scripts/test starts one)");
        Client::untracked(rocket).await.unwrap()
    }
}

fn csrf_of(body: &str) -> String {
    testkit::html::csrf_token(body).expect("a form")
}

fn new_sid(r: &LocalResponse<'_>) -> Option<String> {
    r.cookies().get(SID).map(|c| c.value().to_string())
}

async fn post(
    client: &Client,
    path: &str,
    sid: &str,
    form: &str,
) -> (u16, Option<String>, Option<String>) {
    let r = client
        .post(path.to_string())
        .header(ContentType::Form)
        .cookie(Cookie::new(SID, sid.to_string()))
        .body(form)
        .dispatch()
        .await;
    let location = r.headers().get_one("Location").map(str::to_string);
    (r.status().code, location, new_sid(&r))
}

async fn get(client: &Client, path: &str, sid: &str) -> (u16, String) {
    let r = client
        .get(path.to_string())
        .cookie(Cookie::new(SID, sid.to_string()))
        .dispatch()
        .await;
    let status = r.status().code;
    (status, r.into_string().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flow_started_on_one_instance_finishes_on_another_and_survives_restarts() {
    let cluster = Cluster::new().await;
    let a = cluster.instance().await;
    let b = cluster.instance().await;

    // Instance A: the sign-in page and the password step.
    let page = a.get("/signin").dispatch().await;
    let sid = new_sid(&page).expect("a pre-sign-in cookie");
    let csrf = csrf_of(&page.into_string().await.unwrap());
    let form = format!("username=bob%40example.com&password=Sup3r-Secret%21&csrf_token={csrf}");
    assert_eq!(
        post(&a, "/signin", &sid, &form).await.1.as_deref(),
        Some("/signin/factor")
    );

    // Instance B sees the flow and takes the next step with the same CSRF token.
    let (status, body) = get(&b, "/signin/factor", &sid).await;
    assert_eq!(status, 200, "the flow is visible on another instance");
    assert!(body.contains("value=\"otp\""));
    let form = format!("factor=otp&csrf_token={csrf}");
    assert_eq!(
        post(&b, "/signin/factor", &sid, &form).await.1.as_deref(),
        Some("/signin/verify")
    );

    // Back on A: the code completes the sign-in with a fresh session id.
    let code = cluster.emu.totp().await;
    let (status, location, signed_in) = post(
        &a,
        "/signin/verify",
        &sid,
        &format!("code={code}&csrf_token={csrf}"),
    )
    .await;
    assert_eq!((status, location.as_deref()), (303, Some("/account")));
    let signed_in = signed_in.expect("a new session cookie");
    assert_ne!(signed_in, sid);

    // B serves the signed-in session; the pre-sign-in one is gone everywhere.
    let (status, body) = get(&b, "/account", &signed_in).await;
    assert_eq!(status, 200);
    assert!(body.contains("Bob Brown"));
    assert_eq!(get(&b, "/signin/factor", &sid).await.0, 303);

    // Every instance restarts: nothing is lost.
    drop(a);
    drop(b);
    let c = cluster.instance().await;
    let (status, body) = get(&c, "/account", &signed_in).await;
    assert_eq!(status, 200, "the session outlives the instances");
    assert!(body.contains("Bob Brown"));

    // Sign-out on one instance ends the session for all of them.
    let d = cluster.instance().await;
    let csrf = csrf_of(&body);
    assert_eq!(
        post(&c, "/signout", &signed_in, &format!("csrf_token={csrf}"))
            .await
            .0,
        303
    );
    assert_eq!(get(&d, "/account", &signed_in).await.0, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flow_lease_is_shared_between_instances() {
    let cluster = Cluster::new().await;
    let one = RedisStore::new(
        stores::connect(&redis_url()).await.unwrap(),
        &cluster.prefix,
    );
    let two = RedisStore::new(
        stores::connect(&redis_url()).await.unwrap(),
        &cluster.prefix,
    );
    let first = one.claim("flow:x", 5_000).await.unwrap().expect("free");
    assert!(
        two.claim("flow:x", 5_000).await.unwrap().is_none(),
        "a second instance cannot drive the same flow"
    );
    assert!(one.release("flow:x", &first).await.unwrap());
    let second = two.claim("flow:x", 5_000).await.unwrap().expect("released");
    assert!(two.release("flow:x", &second).await.unwrap());
    two.ping().await.unwrap();
}

async fn raw(cluster: &Cluster) -> redis::aio::MultiplexedConnection {
    let _ = cluster;
    redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_is_released_and_extended_only_by_its_owner() {
    let cluster = Cluster::new().await;
    let one = RedisStore::new(
        stores::connect(&redis_url()).await.unwrap(),
        &cluster.prefix,
    );
    let two = RedisStore::new(
        stores::connect(&redis_url()).await.unwrap(),
        &cluster.prefix,
    );
    let mut conn = raw(&cluster).await;
    let key = format!("{}l:flow:y", cluster.prefix);
    let slow = one.claim("flow:y", 30_000).await.unwrap().unwrap();
    assert!(one.extend("flow:y", &slow, 30_000).await.unwrap());
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(ttl > 25_000 && ttl <= 30_000, "{ttl}");
    // The slow request's lease runs out (Redis expires it) and the next request takes it.
    let _: () = redis::cmd("DEL")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    let next = two.claim("flow:y", 30_000).await.unwrap().expect("ran out");
    assert!(
        !one.release("flow:y", &slow).await.unwrap(),
        "the slow request no longer owns it"
    );
    assert!(!one.extend("flow:y", &slow, 60_000).await.unwrap());
    assert!(
        one.claim("flow:y", 30_000).await.unwrap().is_none(),
        "the next holder's lease survives the slow request's release"
    );
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(ttl <= 30_000, "the stale extension did not apply: {ttl}");
    assert!(two.release("flow:y", &next).await.unwrap());
    let exists: i64 = redis::cmd("EXISTS")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(exists, 0);
}

/// Every key under the cluster's prefix that the session store owns (not the failure
/// store's `f:`, `fi:` and `ff:` keys), with its TTL.
async fn session_keys(cluster: &Cluster) -> Vec<(String, i64)> {
    let mut conn = raw(cluster).await;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{}*", cluster.prefix))
        .query_async(&mut conn)
        .await
        .unwrap();
    let mut out = vec![];
    for key in keys {
        let rest = &key[cluster.prefix.len()..];
        if !(rest.starts_with("s:") || rest.starts_with("u:") || rest.starts_with("l:")) {
            continue;
        }
        let ttl: i64 = redis::cmd("TTL")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .unwrap();
        out.push((key, ttl));
    }
    out
}

#[track_caller]
fn assert_all_expire(keys: &[(String, i64)]) {
    for (key, ttl) in keys {
        assert!(*ttl > 0, "{key} has no TTL ({ttl})");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_session_store_key_has_a_ttl_through_sign_in_and_sign_out() {
    let cluster = Cluster::new().await;
    let a = cluster.instance().await;
    let b = cluster.instance().await;
    let mut sids = vec![];
    for client in [&a, &b] {
        let page = client.get("/signin").dispatch().await;
        let sid = new_sid(&page).unwrap();
        let csrf = csrf_of(&page.into_string().await.unwrap());
        let form =
            format!("username=alice%40example.com&password=Sup3r-Secret%21&csrf_token={csrf}");
        let (status, location, signed_in) = post(client, "/signin", &sid, &form).await;
        assert_eq!((status, location.as_deref()), (303, Some("/account")));
        sids.push(signed_in.unwrap());
    }
    let keys = session_keys(&cluster).await;
    assert_eq!(
        keys.iter().filter(|(k, _)| k.contains(":u:")).count(),
        1,
        "one index for alice: {keys:?}"
    );
    assert_eq!(keys.iter().filter(|(k, _)| k.contains(":s:")).count(), 2);
    assert_all_expire(&keys);

    // A touch and the account page's write-back keep every TTL.
    cluster.emu.advance(120).await;
    let (status, body) = get(&a, "/account", &sids[0]).await;
    assert_eq!(status, 200);
    assert_all_expire(&session_keys(&cluster).await);

    // Sign-out of one leaves the other's index with its TTL; sign-out everywhere leaves
    // nothing of alice's behind.
    let csrf = csrf_of(&body);
    assert_eq!(
        post(&a, "/signout", &sids[0], &format!("csrf_token={csrf}"))
            .await
            .0,
        303
    );
    let keys = session_keys(&cluster).await;
    assert_eq!(keys.iter().filter(|(k, _)| k.contains(":s:")).count(), 1);
    assert_all_expire(&keys);
    // A session Redis expired on its own leaves the index when the index is read.
    let store = RedisStore::new(
        stores::connect(&redis_url()).await.unwrap(),
        &cluster.prefix,
    );
    let user = {
        let sessions = b.rocket().state::<Arc<Sessions>>().unwrap();
        let Some(Record::SignedIn(s)) = sessions.load(&sids[1]).await.unwrap() else {
            panic!("still signed in");
        };
        s.user_id.clone()
    };
    let expired = direct_signin::random::token(32);
    let mut conn = raw(&cluster).await;
    let index = format!(
        "{}u:{}",
        cluster.prefix,
        direct_signin::portal::session::redis::hash_tag(&user)
    );
    // An entry whose time has passed (the index is scored by each session's end).
    let _: i64 = redis::cmd("ZADD")
        .arg(&index)
        .arg(1)
        .arg(
            &b.rocket()
                .state::<Arc<Sessions>>()
                .unwrap()
                .key_of(&expired)
                .0,
        )
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(store.user_sessions(&user).await.unwrap().len(), 1);
    let members: i64 = redis::cmd("ZCARD")
        .arg(&index)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(members, 1, "the expired member was dropped");
    let (_, body) = get(&b, "/account", &sids[1]).await;
    let csrf = csrf_of(&body);
    assert_eq!(
        post(
            &b,
            "/signout/everywhere",
            &sids[1],
            &format!("csrf_token={csrf}")
        )
        .await
        .0,
        303
    );
    let keys = session_keys(&cluster).await;
    assert!(
        keys.iter()
            .all(|(k, _)| !k.contains(":s:") && !k.contains(":u:")),
        "{keys:?}"
    );
    assert_all_expire(&keys);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_back_after_sign_out_does_not_bring_the_session_back() {
    let cluster = Cluster::new().await;
    let a = cluster.instance().await;
    let page = a.get("/signin").dispatch().await;
    let sid = new_sid(&page).unwrap();
    let csrf = csrf_of(&page.into_string().await.unwrap());
    let form = format!("username=alice%40example.com&password=Sup3r-Secret%21&csrf_token={csrf}");
    let signed_in = post(&a, "/signin", &sid, &form).await.2.unwrap();
    let sessions = a.rocket().state::<Arc<Sessions>>().unwrap().clone();
    // A request in flight loaded the session before the sign-out...
    let mut stale = sessions.load(&signed_in).await.unwrap().unwrap();
    let (_, body) = get(&a, "/account", &signed_in).await;
    let csrf = csrf_of(&body);
    assert_eq!(
        post(&a, "/signout", &signed_in, &format!("csrf_token={csrf}"))
            .await
            .0,
        303
    );
    // ...and writes it back afterwards (the guard's touch, the account page's save).
    cluster.emu.advance(120).await;
    sessions.touch(&signed_in, &mut stale).await.unwrap();
    assert!(!sessions.update(&signed_in, &stale).await.unwrap());
    sessions.save(&signed_in, &stale).await.unwrap();
    let user = stale.user_id().unwrap().to_string();
    assert!(sessions.load(&signed_in).await.unwrap().is_none());
    assert!(sessions
        .store
        .user_sessions(&user)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        get(&a, "/account", &signed_in).await.0,
        303,
        "the old cookie is dead"
    );
    assert_all_expire(&session_keys(&cluster).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_dump_holds_no_okta_token_and_a_moved_record_does_not_open() {
    let cluster = Cluster::new().await;
    let a = cluster.instance().await;
    let mut sids = vec![];
    for _ in 0..2 {
        let page = a.get("/signin").dispatch().await;
        let sid = new_sid(&page).unwrap();
        let csrf = csrf_of(&page.into_string().await.unwrap());
        let form =
            format!("username=alice%40example.com&password=Sup3r-Secret%21&csrf_token={csrf}");
        sids.push(post(&a, "/signin", &sid, &form).await.2.unwrap());
    }
    let sessions = a.rocket().state::<Arc<Sessions>>().unwrap().clone();
    let mut tokens = vec![];
    for sid in &sids {
        let Some(Record::SignedIn(s)) = sessions.load(sid).await.unwrap() else {
            panic!("signed in");
        };
        tokens.push(s.access_token.expose().to_string());
        tokens.push(s.refresh_token.as_ref().unwrap().expose().to_string());
    }
    let mut conn = raw(&cluster).await;
    let stored_key = format!("{}s:{}", cluster.prefix, sessions.key_of(&sids[0]).0);
    let dump: String = redis::cmd("GET")
        .arg(&stored_key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(dump.contains("ds1."), "a sealed record: {dump}");
    for token in &tokens {
        assert!(!dump.contains(token.as_str()), "a token in the store");
    }
    assert!(!dump.contains("alice@example.com"), "no email in the store");

    // Copied under another session's key, the record does not open.
    let thief = direct_signin::random::token(32);
    let _: () = redis::cmd("SET")
        .arg(format!("{}s:{}", cluster.prefix, sessions.key_of(&thief).0))
        .arg(&dump)
        .arg("EX")
        .arg(600)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(sessions.load(&thief).await.unwrap().is_none());
    assert_eq!(get(&a, "/account", &thief).await.0, 303);

    // Sign-out everywhere still opens the other session to revoke its tokens.
    let (status, body) = get(&a, "/account", &sids[0]).await;
    assert_eq!(status, 200);
    let csrf = csrf_of(&body);
    assert_eq!(
        post(
            &a,
            "/signout/everywhere",
            &sids[0],
            &format!("csrf_token={csrf}")
        )
        .await
        .0,
        303
    );
    for token in &tokens {
        let active = cluster.emu.introspect(token).await;
        assert_eq!(active["active"], false, "revoked");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attack_spread_over_instances_gets_one_failure_budget_not_one_per_instance() {
    let cluster = Cluster::new().await;
    let instances = [cluster.instance().await, cluster.instance().await];
    let mut statuses = vec![];
    for i in 0..10usize {
        let client = &instances[i % 2];
        let page = client.get("/signin").dispatch().await;
        let sid = new_sid(&page).unwrap();
        let csrf = csrf_of(&page.into_string().await.unwrap());
        let r = client
            .post("/signin")
            .header(ContentType::Form)
            .header(rocket::http::Header::new(
                "X-Forwarded-For",
                format!("198.51.100.{i}"),
            ))
            .cookie(Cookie::new(SID, sid))
            .body(format!(
                "username=alice%40example.com&password=wrong&csrf_token={csrf}"
            ))
            .dispatch()
            .await;
        statuses.push(r.status().code);
        cluster.emu.advance(60).await;
    }
    let forwarded = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(
        forwarded, 4,
        "one budget across both instances: {statuses:?}"
    );
    let at_okta = cluster.emu.user(ALICE).await;
    assert_eq!(at_okta["failed_passwords"], 4);
    assert_eq!(at_okta["locked"], false);
}

/// A sign-in start on `client` from `ip` (through the trusted proxy): a wrong password for
/// `username`, or with `passwordless`, a start by email code.
async fn attempt(client: &Client, ip: &str, username: &str, passwordless: bool) -> u16 {
    let page = client.get("/signin").dispatch().await;
    let sid = new_sid(&page).unwrap();
    let csrf = csrf_of(&page.into_string().await.unwrap());
    let (path, form) = if passwordless {
        (
            "/signin/passwordless",
            format!("username={username}&method=email&csrf_token={csrf}"),
        )
    } else {
        (
            "/signin",
            format!("username={username}&password=wrong&csrf_token={csrf}"),
        )
    };
    client
        .post(path)
        .header(ContentType::Form)
        .header(rocket::http::Header::new("X-Forwarded-For", ip.to_string()))
        .cookie(Cookie::new(SID, sid))
        .body(form)
        .dispatch()
        .await
        .status()
        .code
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_one_budget_for_the_fleet_not_one_per_instance() {
    let mut cluster = Cluster::new().await;
    // 4 sign-in starts a minute per IP: a burst of 3.
    cluster.config.protection.ip_signin_per_minute = 4;
    let instances = [
        cluster.instance().await,
        cluster.instance().await,
        cluster.instance().await,
    ];
    let mut statuses = vec![];
    for i in 0..9usize {
        let user = format!("nobody{i}%40example.com");
        statuses.push(attempt(&instances[i % 3], "203.0.113.7", &user, false).await);
    }
    let passed = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(
        passed, 3,
        "one per-IP burst across three instances: {statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 6);

    // Per username (passwordless starts, which record no failure): bursts of 2 at one a
    // second, whichever instance and address.
    let mut statuses = vec![];
    for i in 0..6usize {
        let ip = format!("198.51.100.{}", 20 + i);
        statuses.push(attempt(&instances[i % 3], &ip, "someone%40example.com", true).await);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        2,
        "one per-username burst across instances: {statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        4,
        "{statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fleet_sends_okta_no_more_than_the_configured_rate() {
    let mut cluster = Cluster::new().await;
    // 2 calls a second per Okta bucket for the fleet, half of them for untrusted attempts:
    // one untrusted /token call a second, whichever instance it comes through.
    cluster.config.protection.okta_calls_per_second = 2;
    cluster.config.protection.okta_untrusted_share = 50;
    let instances = [
        cluster.instance().await,
        cluster.instance().await,
        cluster.instance().await,
    ];
    let started = std::time::Instant::now();
    let mut statuses = vec![];
    for i in 0..9usize {
        let user = format!("stranger{i}%40example.com");
        let ip = format!("192.0.2.{}", 10 + i);
        statuses.push(attempt(&instances[i % 3], &ip, &user, false).await);
    }
    let elapsed = started.elapsed().as_secs() as usize;
    let reached_okta = statuses.iter().filter(|s| **s == 401).count();
    // Each instance's own ceiling would let one through each: three in the first second.
    assert!(
        reached_okta >= 1 && reached_okta <= 1 + elapsed,
        "one a second for the fleet ({elapsed} s): {statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        9 - reached_okta,
        "the rest held back: {statuses:?}"
    );
}
