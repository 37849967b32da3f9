//! The keyed limiter suite: the same events on a moved clock get the same answers from
//! memory and Redis, and limiters sharing Redis share one budget. Run by
//! `tests/limiters.rs` (one Redis server) and `tests/redis_cluster.rs` (a Redis Cluster).

use std::time::Duration;

use direct_signin::clock::Clock;
use direct_signin::portal::abuse::limiter::{KeyedLimiter, MemoryLimiter};
use direct_signin::portal::abuse::limiter_redis::RedisLimiter;
use direct_signin::portal::stores::RedisConn;

fn redis_limiter(
    conn: &RedisConn,
    clock: &Clock,
    prefix: &str,
    period: Duration,
    burst: u32,
) -> RedisLimiter {
    RedisLimiter::new(
        conn.clone(),
        prefix.to_string(),
        period,
        burst,
        clock.clone(),
    )
}

fn prefix() -> String {
    format!("test-limiter-{}:", direct_signin::random::alphanumeric(8))
}

/// The same walk of events on a moved clock against memory and Redis over `conn`.
pub async fn memory_and_redis_give_the_same_answers_to_the_same_events(conn: RedisConn) {
    for (period_ms, burst) in [(10_000, 2), (1_000, 2), (60_000 / 30, 7), (30_000, 1)] {
        let clock = Clock::new();
        let period = Duration::from_millis(period_ms);
        let memory = MemoryLimiter::with_period(&clock, period, burst);
        let redis = redis_limiter(&conn, &clock, &prefix(), period, burst);
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

/// Three limiters over `conn` with one prefix are one budget.
pub async fn instances_sharing_redis_share_one_budget(conn: RedisConn) {
    let clock = Clock::new();
    let shared = prefix();
    let period = Duration::from_secs(10);
    let one = redis_limiter(&conn, &clock, &shared, period, 3);
    let two = redis_limiter(&conn, &clock, &shared, period, 3);
    let three = redis_limiter(&conn, &clock, &shared, period, 3);
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
    let mut conn = conn.clone();
    let ttl: i64 = redis::cmd("PTTL")
        .arg(format!("{shared}203.0.113.9"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(ttl > 0 && ttl <= 30_000, "{ttl}");
}

/// The fleet's rate toward Okta: calls that come together queue for their slot (up to the
/// queue's length) instead of being refused, and no second, wherever it starts, holds
/// more than the configured rate: the slots are one interval apart.
pub async fn the_fleet_rate_queues_calls_and_never_passes_its_rate(conn: RedisConn) {
    use direct_signin::okta::{Bucket, FleetRate};
    use direct_signin::portal::abuse::limiter_redis::{RedisOktaRate, FLEET_QUEUE};
    let clock = Clock::new();
    let prefix = prefix();
    // Two instances of one fleet, 10 calls a second between them.
    let a = RedisOktaRate::new(conn.clone(), &prefix, 10, 50, clock.clone());
    let b = RedisOktaRate::new(conn, &prefix, 10, 50, clock.clone());
    let mut slots = vec![]; // when each admitted call may go (µs, the script's time)
    let mut refused = 0;
    for _ in 0..40 {
        // Eight calls every 200 ms: four times what the rate allows.
        for i in 0..8 {
            let fleet = if i % 2 == 0 { &a } else { &b };
            let asked = clock.now_ms() * 1000;
            match fleet.admit(Bucket::Token, false).await.unwrap() {
                Ok(wait) => {
                    assert!(wait <= FLEET_QUEUE, "a wait is at most the queue: {wait:?}");
                    slots.push(asked + wait.as_micros() as i64);
                }
                Err(seconds) => {
                    assert!(seconds >= 1);
                    refused += 1;
                }
            }
        }
        clock.advance_ms(200);
    }
    slots.sort_unstable();
    // A slot is read here as asked + wait, where "asked" is this side's clock a moment
    // before the script read it: a slot can look up to a few ms early. A window 5 ms short
    // of a second absorbs that and still holds at most the rate (slots 100 ms apart).
    for (i, start) in slots.iter().enumerate() {
        let in_second = slots[i..]
            .iter()
            .take_while(|t| **t < start + 995_000)
            .count();
        assert!(
            in_second <= 10,
            "{in_second} calls in the second from {start} µs"
        );
    }
    assert!(
        slots.len() >= 75,
        "the rate is used, not starved: {}",
        slots.len()
    );
    assert!(refused > 0, "what is over the rate is refused");
    // Calls that come together are queued, not refused: a quiet fleet takes five at once.
    clock.advance_ms(5_000);
    for _ in 0..5 {
        assert!(a.admit(Bucket::Token, false).await.unwrap().is_ok());
    }
}
