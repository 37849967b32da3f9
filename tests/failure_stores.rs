//! One conformance suite for both failure stores (in memory, and Redis at `REDIS_URL`,
//! which `scripts/test` starts): the counts that keep Okta from locking anyone out must
//! mean the same wherever they live.

use std::sync::Arc;

use direct_signin::portal::abuse::failures::{
    Failed, FailureBook, FailureStore, Policy, RedisFailures, Reset,
};
use direct_signin::portal::stores;

const DAY_MS: i64 = 86_400_000;

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/0".into())
}

async fn stores() -> Vec<(&'static str, Arc<dyn FailureStore>)> {
    let prefix = format!("test-failures-{}:", direct_signin::random::token(6));
    let conn = stores::connect(&redis_url())
        .await
        .expect("a Redis server at REDIS_URL (scripts/test starts one)");
    let redis = RedisFailures::new(conn, &prefix);
    vec![
        ("memory", Arc::new(FailureBook::default())),
        ("redis", Arc::new(redis)),
    ]
}

fn policy(auto_unlock_ms: Option<i64>) -> Policy {
    Policy {
        auto_unlock_ms,
        ip_window_ms: DAY_MS,
        max_entries: 100_000,
        retention_secs: 30 * 86_400,
    }
}

#[tokio::test]
async fn counts_never_decay_and_restart_only_on_success() {
    let p = policy(None);
    for (name, s) in stores().await {
        let t0 = 1_800_000_000_000;
        for i in 0..3 {
            s.record("bob", "1.1.1.1", Failed::Anonymous, t0 + i, &p)
                .await
                .unwrap();
        }
        s.record("bob", "2.2.2.2", Failed::Device, t0 + 5, &p)
            .await
            .unwrap();
        s.record("bob", "", Failed::Code, t0 + 6, &p).await.unwrap();
        let f = s.get("bob", t0 + 7, &p).await.unwrap();
        assert_eq!(
            (
                f.anonymous,
                f.device,
                f.codes,
                f.last_failure_ms,
                f.last_code_ms
            ),
            (3, 1, 1, t0 + 5, t0 + 6),
            "{name}"
        );
        assert_eq!(s.ip_user("1.1.1.1", "bob", t0 + 7, &p).await.unwrap(), 3);
        // Okta's count does not decay with time: neither do ours.
        let later = t0 + 7 * DAY_MS;
        let f = s.get("bob", later, &p).await.unwrap();
        assert_eq!((f.anonymous, f.device, f.codes), (3, 1, 1), "{name}");
        s.reset("bob", Reset::DevicePasswords, later, &p)
            .await
            .unwrap();
        let f = s.get("bob", later, &p).await.unwrap();
        assert_eq!((f.anonymous, f.device, f.codes), (3, 0, 1), "{name}");
        s.reset("bob", Reset::Passwords, later, &p).await.unwrap();
        s.reset("bob", Reset::Codes, later, &p).await.unwrap();
        let f = s.get("bob", later, &p).await.unwrap();
        assert_eq!((f.anonymous, f.device, f.codes), (0, 0, 0), "{name}");
        assert_eq!(s.get("nobody", later, &p).await.unwrap().anonymous, 0);
    }
}

#[tokio::test]
async fn a_declared_auto_unlock_restarts_stale_counts() {
    let p = policy(Some(3_600_000));
    for (name, s) in stores().await {
        let t0 = 1_800_000_000_000;
        s.record("carol", "1.1.1.1", Failed::Anonymous, t0, &p)
            .await
            .unwrap();
        s.record("carol", "1.1.1.1", Failed::Code, t0, &p)
            .await
            .unwrap();
        assert_eq!(
            s.get("carol", t0 + 3_599_999, &p).await.unwrap().anonymous,
            1
        );
        let f = s.get("carol", t0 + 3_600_000, &p).await.unwrap();
        assert_eq!((f.anonymous, f.codes), (0, 0), "{name}");
        // A failure after the unlock starts a new count rather than adding to the old.
        s.record("carol", "1.1.1.1", Failed::Anonymous, t0 + 3_600_001, &p)
            .await
            .unwrap();
        let f = s.get("carol", t0 + 3_600_002, &p).await.unwrap();
        assert_eq!(f.anonymous, 1, "{name}");
    }
}

#[tokio::test]
async fn attempts_in_flight_are_counted_per_key() {
    for (name, s) in stores().await {
        assert_eq!(s.begin("k").await.unwrap(), 0, "{name}");
        assert_eq!(s.begin("k").await.unwrap(), 1, "{name}");
        assert_eq!(s.begin("other").await.unwrap(), 0, "{name}");
        s.end("k").await.unwrap();
        s.end("k").await.unwrap();
        s.end("k").await.unwrap();
        assert_eq!(s.begin("k").await.unwrap(), 0, "never below zero: {name}");
    }
}

#[tokio::test]
async fn every_redis_key_has_a_ttl() {
    let prefix = format!("test-ttl-{}:", direct_signin::random::token(6));
    let s = RedisFailures::new(stores::connect(&redis_url()).await.unwrap(), &prefix);
    let p = policy(None);
    let t0 = 1_800_000_000_000;
    s.record("a", "1.1.1.1", Failed::Anonymous, t0, &p)
        .await
        .unwrap();
    s.record("b", "", Failed::Code, t0, &p).await.unwrap();
    // A reset of a name with no key yet creates one: it gets a TTL too.
    s.reset("c", Reset::Passwords, t0, &p).await.unwrap();
    s.reset("a", Reset::DevicePasswords, t0, &p).await.unwrap();
    s.begin("a").await.unwrap();
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(keys.len() >= 4, "{keys:?}");
    for key in keys {
        let ttl: i64 = redis::cmd("TTL")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!(ttl > 0, "{key} has no TTL ({ttl})");
    }
}
