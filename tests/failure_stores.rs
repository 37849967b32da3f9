//! One conformance suite for both failure stores (in memory, and Redis at `REDIS_URL`,
//! which `scripts/test` starts): the counts that keep Okta from locking anyone out must
//! mean the same wherever they live.

use std::sync::Arc;

use direct_signin::portal::abuse::failures::{
    Failed, FailureBook, FailureStore, RedisFailures, Reset,
};
use direct_signin::portal::stores;

#[path = "suites/failures.rs"]
mod suite;
use suite::policy;

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/0".into())
}

async fn stores() -> suite::Stores {
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

#[tokio::test]
async fn counts_never_decay_and_restart_only_on_success() {
    suite::counts_never_decay_and_restart_only_on_success(stores().await).await;
}

#[tokio::test]
async fn a_declared_auto_unlock_restarts_stale_counts() {
    suite::a_declared_auto_unlock_restarts_stale_counts(stores().await).await;
}

#[tokio::test]
async fn attempts_in_flight_are_counted_per_key() {
    suite::attempts_in_flight_are_counted_per_key(stores().await).await;
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

#[tokio::test]
async fn counts_under_the_old_key_names_carry_over() {
    let prefix = format!("test-upgrade-{}:", direct_signin::random::token(6));
    let s = RedisFailures::new(stores::connect(&redis_url()).await.unwrap(), &prefix);
    let p = policy(None);
    let t0 = 1_800_000_000_000_i64;
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    // What the layout before hash tags left: `f:<user>` and `fi:<ip>|<user>`.
    let _: () = redis::pipe()
        .cmd("HSET")
        .arg(format!("{prefix}f:dave"))
        .arg(&["anonymous", "4", "last", &t0.to_string()])
        .ignore()
        .cmd("EXPIRE")
        .arg(format!("{prefix}f:dave"))
        .arg(600)
        .ignore()
        .cmd("SET")
        .arg(format!("{prefix}fi:1.1.1.1|dave"))
        .arg(3)
        .arg("EX")
        .arg(600)
        .ignore()
        .query_async(&mut conn)
        .await
        .unwrap();
    let f = s.get("dave", t0 + 1, &p).await.unwrap();
    assert_eq!(
        (f.anonymous, f.last_failure_ms),
        (4, t0),
        "the count carried over"
    );
    assert_eq!(s.ip_user("1.1.1.1", "dave", t0 + 1, &p).await.unwrap(), 3);
    s.record("dave", "1.1.1.1", Failed::Anonymous, t0 + 2, &p)
        .await
        .unwrap();
    assert_eq!(s.get("dave", t0 + 3, &p).await.unwrap().anonymous, 5);
    assert_eq!(s.ip_user("1.1.1.1", "dave", t0 + 3, &p).await.unwrap(), 4);
    let old: i64 = redis::cmd("EXISTS")
        .arg(format!("{prefix}f:dave"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(old, 0, "renamed, not copied");
    let ttl: i64 = redis::cmd("TTL")
        .arg(format!("{prefix}f:{{dave}}"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(ttl > 0, "{ttl}");
    // Nothing under either name: nothing to carry, and no error.
    assert_eq!(s.get("erin", t0, &p).await.unwrap().anonymous, 0);
}
