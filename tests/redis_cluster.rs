//! Redis Cluster: the session, failure and limiter suites (the same functions the
//! single-server tests run) pass on a real three-master cluster, so every script and
//! multi-key command touches keys of one slot (a cross-slot one would answer CROSSSLOT);
//! the Okta ceiling's two keys share a slot; the keys spread over the masters; and the
//! portal builder runs on `redis.mode = "cluster"`. The cluster is this test's own
//! (`redis-server --cluster-enabled yes` on free ports, joined by `redis-cli --cluster
//! create`); without Debian's `redis-server` and `redis-cli` it fails, it does not skip.

use std::sync::Arc;
use std::time::Duration;

use direct_signin::clock::Clock;
use direct_signin::config::redis::RedisMode;
use direct_signin::config::{Config, Secret, StoreKind};
use direct_signin::okta::{Bucket, FleetRate};
use direct_signin::portal::abuse::failures::RedisFailures;
use direct_signin::portal::abuse::limiter_redis::RedisOktaRate;
use direct_signin::portal::session::redis::RedisStore;
use direct_signin::portal::session::SessionStore;
use direct_signin::portal::{self, stores};
use rocket::config::LogLevel;
use rocket::figment::Figment;
use rocket::local::asynchronous::Client;
use testkit::demo::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use testkit::redis::{cli, RedisClusterSet};

#[path = "suites/failures.rs"]
mod failures;
#[path = "suites/limiters.rs"]
mod limiters;
#[path = "suites/sessions.rs"]
mod sessions;

fn prefix(what: &str) -> String {
    format!("test-{what}-{}:", direct_signin::random::alphanumeric(8))
}

// One cluster for every check: starting one takes a few seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_suites_pass_on_a_redis_cluster() {
    let cluster = RedisClusterSet::start();
    let conn = || async {
        stores::RedisConn::Cluster(
            stores::connect_cluster(&cluster.urls(), Duration::from_millis(500))
                .await
                .expect("the cluster connection"),
        )
    };

    let session_store = || async {
        let store: Arc<dyn SessionStore> = Arc::new(RedisStore::new(conn().await, &prefix("s")));
        vec![("cluster", store)]
    };
    sessions::records_round_trip_and_deletes_are_final(session_store().await).await;
    sessions::an_update_writes_only_over_a_record_that_is_still_there(session_store().await).await;
    sessions::the_user_index_lists_signed_in_sessions_only(session_store().await).await;
    sessions::a_lease_has_one_owner_who_alone_extends_and_releases_it(session_store().await).await;

    let failure_store = || async {
        let store: Arc<dyn direct_signin::portal::abuse::failures::FailureStore> =
            Arc::new(RedisFailures::new(conn().await, &prefix("f")));
        vec![("cluster", store)]
    };
    failures::counts_never_decay_and_restart_only_on_success(failure_store().await).await;
    failures::a_declared_auto_unlock_restarts_stale_counts(failure_store().await).await;
    failures::attempts_in_flight_are_counted_per_key(failure_store().await).await;

    limiters::memory_and_redis_give_the_same_answers_to_the_same_events(conn().await).await;
    limiters::instances_sharing_redis_share_one_budget(conn().await).await;
    limiters::the_fleet_rate_queues_calls_and_never_passes_its_rate(conn().await).await;

    // The ceiling checks a bucket and its untrusted share in one script: one slot. The
    // clock stands still: untrusted calls get a slot now and one 500 ms on (the queue's
    // length), then none.
    let clock = Clock::new();
    let okta = RedisOktaRate::new(conn().await, &prefix("okta"), 4, 50, clock.clone());
    let mut admitted = 0;
    for _ in 0..6 {
        if okta
            .admit(Bucket::Token, true)
            .await
            .expect("no CROSSSLOT")
            .is_ok()
        {
            admitted += 1;
        }
    }
    assert_eq!(admitted, 2, "half of 4 per second for untrusted calls");
    assert!(okta.admit(Bucket::Token, false).await.unwrap().is_ok());

    // The keys spread over the masters (so the cluster is used, not one node).
    let holding = cluster
        .nodes
        .iter()
        .filter(|n| cli(n.port, &["dbsize"]).trim().parse::<u64>().unwrap_or(0) > 0)
        .count();
    assert!(holding >= 2, "keys on {holding} of 3 masters");

    // The portal builder on `redis.mode = "cluster"`: ready, and a page that writes a
    // session.
    let emu = testkit::start().await;
    let mut config = Config::default();
    config.okta.issuer = Some(emu.issuer());
    config.okta.client_id = Some(DEMO_CLIENT_ID.into());
    config.okta.client_secret = Some(Secret::new(DEMO_CLIENT_SECRET));
    config.session.secret = Some(Secret::new("cluster-test-secret-0123456789abcdef"));
    config.session.store = StoreKind::Redis;
    config.redis.mode = RedisMode::Cluster;
    config.redis.nodes = cluster.urls();
    config.validate(false).unwrap();
    let figment =
        Figment::from(rocket::Config::debug_default()).merge(("log_level", LogLevel::Off));
    let rocket = portal::assemble(figment, config, emu.clock())
        .await
        .unwrap();
    let client = Client::untracked(rocket).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let r = client.get("/readyz").dispatch().await;
        if r.status().code == 200 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(client.get("/signin").dispatch().await.status().code, 200);
}
