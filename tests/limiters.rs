//! The keyed rate limiters mean the same in memory and in Redis (at `REDIS_URL`, which
//! `scripts/test` starts): one sequence of events on a moved clock gets the same answers
//! from both, and the Redis one is one budget for every instance that shares it.

use std::time::Duration;

use direct_signin::clock::Clock;
use direct_signin::portal::abuse::limiter::{KeyedLimiter, MemoryLimiter};
use direct_signin::portal::abuse::limiter_redis::RedisLimiter;
use direct_signin::portal::stores;

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/0".into())
}

async fn redis_limiter(clock: &Clock, prefix: &str, period: Duration, burst: u32) -> RedisLimiter {
    let conn = stores::connect(&redis_url())
        .await
        .expect("a Redis server at REDIS_URL (scripts/test starts one)");
    RedisLimiter::new(conn, prefix.to_string(), period, burst, clock.clone())
}

fn prefix() -> String {
    format!("test-limiter-{}:", direct_signin::random::alphanumeric(8))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_and_redis_give_the_same_answers_to_the_same_events() {
    for (period_ms, burst) in [(10_000, 2), (1_000, 2), (60_000 / 30, 7), (30_000, 1)] {
        let clock = Clock::new();
        let period = Duration::from_millis(period_ms);
        let memory = MemoryLimiter::with_period(&clock, period, burst);
        let redis = redis_limiter(&clock, &prefix(), period, burst).await;
        // A fixed pseudo-random walk: keys a, b, c, steps of 0 to 1.5 periods.
        let mut seed: u64 = 0x5eed_0001 ^ period_ms;
        let (mut allowed, mut refused) = (0, 0);
        for step in 0..300 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let key = ["a", "b", "c"][(seed >> 33) as usize % 3];
            // Half periods, so events fall on the limiters' boundaries too; real time only
            // moves on between two events, so both see the same side of a boundary.
            let halves = (seed >> 40) as i64 % 4;
            if step % 3 == 0 {
                clock.advance_ms(halves * period_ms as i64 / 2);
            }
            let m = memory.check(key);
            let r = redis.check(key).await.expect("Redis answers");
            assert_eq!(
                m.is_ok(),
                r.is_ok(),
                "period {period_ms} ms, burst {burst}, step {step}, key {key}: memory {m:?}, redis {r:?}"
            );
            if let (Err(mw), Err(rw)) = (m, r) {
                assert!((mw - rw).abs() <= 1, "waits {mw} and {rw} s");
                refused += 1;
            } else {
                allowed += 1;
            }
        }
        assert!(
            allowed > 0 && refused > 0,
            "the walk exercised both answers"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_sharing_redis_share_one_budget() {
    let clock = Clock::new();
    let shared = prefix();
    let period = Duration::from_secs(10);
    let one = redis_limiter(&clock, &shared, period, 3).await;
    let two = redis_limiter(&clock, &shared, period, 3).await;
    let three = redis_limiter(&clock, &shared, period, 3).await;
    let mut passed = 0;
    for limiter in [&one, &two, &three, &one, &two, &three] {
        if limiter.check("203.0.113.9").await.unwrap().is_ok() {
            passed += 1;
        }
    }
    assert_eq!(passed, 3, "a burst of 3 for the fleet, not 3 per instance");
    clock.advance_secs(10);
    assert!(two.check("203.0.113.9").await.unwrap().is_ok());
    assert!(three.check("203.0.113.9").await.unwrap().is_err());
    // Keys live only while they hold something back.
    let mut conn = stores::connect(&redis_url()).await.unwrap();
    let ttl: i64 = redis::cmd("PTTL")
        .arg(format!("{shared}203.0.113.9"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(ttl > 0 && ttl <= 30_000, "{ttl}");
}
