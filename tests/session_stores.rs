//! One conformance suite for both session stores (in memory, and Redis at `REDIS_URL`,
//! which `scripts/test` starts): records, conditional updates, the per-user index and the
//! flow leases must mean the same wherever sessions live. Expiry by time is checked per
//! store elsewhere (the memory store on a moved clock in the portal tests, Redis TTLs in
//! the scale-out tests), as Redis's clock cannot be moved.

use std::sync::Arc;

use direct_signin::clock::Clock;
use direct_signin::portal::session::redis::RedisStore;
use direct_signin::portal::session::MemoryStore;
use direct_signin::portal::stores;

#[path = "suites/sessions.rs"]
mod suite;

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/0".into())
}

async fn stores() -> suite::Stores {
    let prefix = format!("test-sessions-{}:", direct_signin::random::token(6));
    let conn = stores::connect(&redis_url())
        .await
        .expect("a Redis server at REDIS_URL (scripts/test starts one)");
    vec![
        ("memory", Arc::new(MemoryStore::new(Clock::new()))),
        ("redis", Arc::new(RedisStore::new(conn, &prefix))),
    ]
}

#[tokio::test]
async fn records_round_trip_and_deletes_are_final() {
    suite::records_round_trip_and_deletes_are_final(stores().await).await;
}

#[tokio::test]
async fn an_update_writes_only_over_a_record_that_is_still_there() {
    suite::an_update_writes_only_over_a_record_that_is_still_there(stores().await).await;
}

#[tokio::test]
async fn the_user_index_lists_signed_in_sessions_only() {
    suite::the_user_index_lists_signed_in_sessions_only(stores().await).await;
}

#[tokio::test]
async fn a_lease_has_one_owner_who_alone_extends_and_releases_it() {
    suite::a_lease_has_one_owner_who_alone_extends_and_releases_it(stores().await).await;
}

#[tokio::test]
async fn sessions_indexed_before_the_upgrade_are_still_listed() {
    use direct_signin::portal::session::{Record, SessionKey, SessionStore};
    let prefix = format!("test-upgrade-{}:", direct_signin::random::token(6));
    let conn = stores::connect(&redis_url()).await.unwrap();
    let store = RedisStore::new(conn.clone(), &prefix);
    let user = format!("00u-{}", direct_signin::random::token(6));
    let (old, gone) = (
        SessionKey(direct_signin::random::token(8)),
        SessionKey(direct_signin::random::token(8)),
    );
    // What the layout before hash tags left: a session and a plain set `u:<user>`
    // listing it (and one whose session has expired).
    store
        .save(&old, &Record::PreAuth(Default::default()), 600)
        .await
        .unwrap();
    let mut raw = conn.clone();
    let _: () = redis::pipe()
        .cmd("SADD")
        .arg(format!("{prefix}u:{user}"))
        .arg(&old.0)
        .arg(&gone.0)
        .ignore()
        .cmd("EXPIRE")
        .arg(format!("{prefix}u:{user}"))
        .arg(600)
        .ignore()
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(store.user_sessions(&user).await.unwrap(), vec![old.clone()]);
    // Deleted, it is no longer listed (its session is gone).
    store.delete(&old).await.unwrap();
    assert!(store.user_sessions(&user).await.unwrap().is_empty());
}
