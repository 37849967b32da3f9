//! The keyed rate limiters mean the same in memory and in Redis (at `REDIS_URL`, which
//! `scripts/test` starts): one sequence of events on a moved clock gets the same answers
//! from both, and the Redis one is one budget for every instance that shares it.

use direct_signin::portal::stores::{self, RedisConn};

#[path = "suites/limiters.rs"]
mod suite;

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/0".into())
}

async fn conn() -> RedisConn {
    stores::connect(&redis_url())
        .await
        .expect("a Redis server at REDIS_URL (scripts/test starts one)")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_and_redis_give_the_same_answers_to_the_same_events() {
    suite::memory_and_redis_give_the_same_answers_to_the_same_events(conn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_sharing_redis_share_one_budget() {
    suite::instances_sharing_redis_share_one_budget(conn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fleet_rate_queues_calls_and_never_passes_its_rate() {
    suite::the_fleet_rate_queues_calls_and_never_passes_its_rate(conn().await).await;
}
