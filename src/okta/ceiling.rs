//! This instance's ceiling toward Okta as a whole: at most N calls in flight and M calls
//! per second, and after Okta answers an org-wide 429 (`E0000047`) no call to that bucket
//! until its `X-Rate-Limit-Reset`, so a flood cannot exhaust the org's rate limit for
//! everyone or keep retrying into it. A refused call is answered locally as a 429.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicI64, Ordering};

use governor::clock::Clock as _;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::Quota;
use serde_json::Value;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::clock::{Clock, GovernorClock};

/// Okta's buckets: `/token`, and the other OAuth endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bucket {
    Token = 0,
    Other = 1,
}

pub struct Ceiling {
    in_flight: Semaphore,
    per_second:
        governor::RateLimiter<NotKeyed, InMemoryState, GovernorClock, NoOpMiddleware<Nanos>>,
    blocked_until: [AtomicI64; 2],
    clock: Clock,
}

impl Ceiling {
    pub fn new(calls_per_second: u32, max_concurrent: u32, clock: Clock) -> Self {
        let rate = NonZeroU32::new(calls_per_second.max(1)).expect("at least 1");
        Ceiling {
            in_flight: Semaphore::new(max_concurrent.max(1) as usize),
            per_second: governor::RateLimiter::direct_with_clock(
                Quota::per_second(rate),
                GovernorClock(clock.clone()),
            ),
            blocked_until: [AtomicI64::new(0), AtomicI64::new(0)],
            clock,
        }
    }

    /// A permit to call Okta now, or `Err(reset)`: when to try again (epoch seconds).
    pub fn admit(&self, bucket: Bucket) -> Result<SemaphorePermit<'_>, i64> {
        let now = self.clock.now();
        let blocked = self.blocked_until[bucket as usize].load(Ordering::Relaxed);
        if now < blocked {
            return Err(blocked);
        }
        if let Err(not_until) = self.per_second.check() {
            let wait = not_until.wait_time_from(GovernorClock(self.clock.clone()).now());
            return Err(now + wait.as_secs().max(1) as i64);
        }
        self.in_flight.try_acquire().map_err(|_| now + 1)
    }

    /// Notes a 429 from Okta: an org-wide one closes the bucket until its reset.
    pub fn observe_429(&self, bucket: Bucket, reset: Option<i64>, body: &Value) {
        if body.get("errorCode").and_then(Value::as_str) != Some("E0000047") {
            return; // a per-user limit: the per-username limiter handles it
        }
        let now = self.clock.now();
        let until = reset.unwrap_or(now + 60).clamp(now + 1, now + 300);
        self.blocked_until[bucket as usize].fetch_max(until, Ordering::Relaxed);
        tracing::warn!(bucket = ?bucket, until, "Okta's org rate limit is exhausted; holding calls until its reset");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_org_429_closes_the_bucket_until_reset() {
        let clock = Clock::new();
        let c = Ceiling::new(1000, 10, clock.clone());
        let now = clock.now();
        c.observe_429(
            Bucket::Token,
            Some(now + 30),
            &json!({"error": "invalid_grant"}),
        );
        assert!(
            c.admit(Bucket::Token).is_ok(),
            "a per-user 429 does not close the bucket"
        );
        c.observe_429(
            Bucket::Token,
            Some(now + 30),
            &json!({"errorCode": "E0000047"}),
        );
        assert_eq!(c.admit(Bucket::Token).err(), Some(now + 30));
        assert!(c.admit(Bucket::Other).is_ok(), "buckets are separate");
        clock.advance_secs(30);
        assert!(c.admit(Bucket::Token).is_ok());
    }

    #[test]
    fn concurrency_and_rate_are_capped() {
        let clock = Clock::new();
        let c = Ceiling::new(1000, 2, clock.clone());
        let a = c.admit(Bucket::Token).unwrap();
        let _b = c.admit(Bucket::Other).unwrap();
        assert!(c.admit(Bucket::Token).is_err(), "two in flight at most");
        drop(a);
        assert!(c.admit(Bucket::Token).is_ok());
        let slow = Ceiling::new(2, 100, clock.clone());
        assert!(slow.admit(Bucket::Token).is_ok());
        assert!(slow.admit(Bucket::Token).is_ok());
        assert!(
            slow.admit(Bucket::Token).is_err(),
            "2 per second, then wait"
        );
        clock.advance_secs(1);
        assert!(slow.admit(Bucket::Token).is_ok());
    }
}
