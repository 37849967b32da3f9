//! This instance's ceiling toward Okta as a whole: at most N calls in flight, M calls per
//! second per Okta bucket of which only a share may be untrusted first-factor attempts
//! (browsers without a device cookie), and after Okta answers an org-wide 429 (`E0000047`)
//! no call to that bucket until its `X-Rate-Limit-Reset`. So a credential-stuffing flood
//! cannot exhaust the org's rate limit for everyone: real users (device cookies, MFA steps
//! of flows that passed a first factor, polls, sign-out) keep the reserved capacity. A
//! refused call is not sent: it comes back as `Answer::HeldBack`, which the user sees
//! like Okta's own 429 but the metrics count apart.
//!
//! With instances sharing Redis, the per-second rates are also counted for the fleet
//! ([`FleetRate`], implemented by the portal): what all instances send together stays below
//! the configured rate. The calls in flight and a bucket closed by Okta's 429 stay per
//! instance.

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
    /// `/token`.
    Token = 0,
    /// `/challenge`, `/primary-authenticate`, `/revoke` and the like.
    Other = 1,
}

/// Who a call is for: untrusted first-factor attempts get only a share of the capacity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Priority {
    /// Any call but an untrusted first factor.
    #[default]
    Normal,
    /// A first-factor attempt from a browser without a device cookie.
    Untrusted,
}

type Direct = governor::RateLimiter<NotKeyed, InMemoryState, GovernorClock, NoOpMiddleware<Nanos>>;

/// The per-second rates counted for a whole fleet of instances (in Redis, by the portal),
/// so what the fleet sends to Okta stays below `protection.okta_calls_per_second`.
#[async_trait::async_trait]
pub trait FleetRate: Send + Sync {
    /// One more call to `bucket` (`untrusted`: also against the untrusted share), counted
    /// atomically: `Ok(Ok(wait))` it may go after `wait` (its slot is taken; a short
    /// queue), `Ok(Err(seconds))` refused, try again after that long, `Err` the shared
    /// count could not be read (the call is held back: never unlimited).
    async fn admit(
        &self,
        bucket: Bucket,
        untrusted: bool,
    ) -> Result<Result<std::time::Duration, i64>, String>;
}

/// The ceiling shared by every call of this instance.
pub struct Ceiling {
    in_flight: Semaphore,
    /// Per bucket: every call, and the untrusted share.
    per_second: [Direct; 2],
    untrusted: [Direct; 2],
    blocked_until: [AtomicI64; 2],
    clock: Clock,
    /// The fleet's per-second rates, when instances share them.
    fleet: Option<std::sync::Arc<dyn FleetRate>>,
}

impl Ceiling {
    /// `calls_per_second` per bucket, `untrusted_share` percent of it for untrusted calls.
    pub fn new(
        calls_per_second: u32,
        untrusted_share: u32,
        max_concurrent: u32,
        clock: Clock,
    ) -> Self {
        let limiter = |per_second: u32| -> Direct {
            let rate = NonZeroU32::new(per_second.max(1)).expect("at least 1");
            governor::RateLimiter::direct_with_clock(
                Quota::per_second(rate),
                GovernorClock(clock.clone()),
            )
        };
        let untrusted = (calls_per_second * untrusted_share.min(100) / 100).max(1);
        Ceiling {
            in_flight: Semaphore::new(max_concurrent.max(1) as usize),
            per_second: [limiter(calls_per_second), limiter(calls_per_second)],
            untrusted: [limiter(untrusted), limiter(untrusted)],
            blocked_until: [AtomicI64::new(0), AtomicI64::new(0)],
            clock,
            fleet: None,
        }
    }

    /// The same ceiling, its per-second rates also counted for the whole fleet by `fleet`.
    pub fn shared_by(mut self, fleet: std::sync::Arc<dyn FleetRate>) -> Self {
        self.fleet = Some(fleet);
        self
    }

    /// The fleet's word on one more call, before [`admit`](Self::admit): `Err(reset)` when
    /// the fleet's rate for `bucket` (or its untrusted share) is spent, or cannot be read;
    /// when its slot is a little ahead, this waits for it. Without a fleet, always yes.
    pub async fn fleet_admits(&self, bucket: Bucket, priority: Priority) -> Result<(), i64> {
        let Some(fleet) = &self.fleet else {
            return Ok(());
        };
        let now = self.clock.now();
        match fleet.admit(bucket, priority == Priority::Untrusted).await {
            Ok(Ok(wait)) => {
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                Ok(())
            }
            Ok(Err(wait)) => Err(now + wait.max(1)),
            Err(e) => {
                tracing::warn!(error = %e, "the fleet's Okta rate could not be read; holding the call back");
                Err(now + 1)
            }
        }
    }

    /// A permit to call Okta now, or `Err(reset)`: when to try again (epoch seconds).
    pub fn admit(&self, bucket: Bucket, priority: Priority) -> Result<SemaphorePermit<'_>, i64> {
        let now = self.clock.now();
        let b = bucket as usize;
        let blocked = self.blocked_until[b].load(Ordering::Relaxed);
        if now < blocked {
            return Err(blocked);
        }
        let wait = |limiter: &Direct| {
            limiter.check().map_err(|not_until| {
                let wait = not_until.wait_time_from(GovernorClock(self.clock.clone()).now());
                now + wait.as_secs().max(1) as i64
            })
        };
        if priority == Priority::Untrusted {
            wait(&self.untrusted[b])?;
        }
        wait(&self.per_second[b])?;
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
        let c = Ceiling::new(1000, 100, 10, clock.clone());
        let now = clock.now();
        c.observe_429(
            Bucket::Token,
            Some(now + 30),
            &json!({"error": "invalid_grant"}),
        );
        assert!(
            c.admit(Bucket::Token, Priority::Normal).is_ok(),
            "a per-user 429 does not close the bucket"
        );
        c.observe_429(
            Bucket::Token,
            Some(now + 30),
            &json!({"errorCode": "E0000047"}),
        );
        assert_eq!(
            c.admit(Bucket::Token, Priority::Normal).err(),
            Some(now + 30)
        );
        assert!(
            c.admit(Bucket::Other, Priority::Normal).is_ok(),
            "buckets are separate"
        );
        clock.advance_secs(30);
        assert!(c.admit(Bucket::Token, Priority::Normal).is_ok());
    }

    #[test]
    fn concurrency_and_rate_are_capped() {
        let clock = Clock::new();
        let c = Ceiling::new(1000, 100, 2, clock.clone());
        let a = c.admit(Bucket::Token, Priority::Normal).unwrap();
        let _b = c.admit(Bucket::Other, Priority::Normal).unwrap();
        assert!(
            c.admit(Bucket::Token, Priority::Normal).is_err(),
            "two in flight at most"
        );
        drop(a);
        assert!(c.admit(Bucket::Token, Priority::Normal).is_ok());
        let slow = Ceiling::new(2, 100, 100, clock.clone());
        assert!(slow.admit(Bucket::Token, Priority::Normal).is_ok());
        assert!(slow.admit(Bucket::Token, Priority::Normal).is_ok());
        assert!(
            slow.admit(Bucket::Token, Priority::Normal).is_err(),
            "2 per second, then wait"
        );
        clock.advance_secs(1);
        assert!(slow.admit(Bucket::Token, Priority::Normal).is_ok());
    }

    #[test]
    fn untrusted_attempts_only_get_their_share() {
        let clock = Clock::new();
        let c = Ceiling::new(10, 50, 100, clock.clone());
        let untrusted = (0..20)
            .filter(|_| c.admit(Bucket::Token, Priority::Untrusted).is_ok())
            .count();
        assert_eq!(untrusted, 5, "half of 10 per second");
        let normal = (0..20)
            .filter(|_| c.admit(Bucket::Token, Priority::Normal).is_ok())
            .count();
        assert_eq!(
            normal, 5,
            "real users keep the rest of the second's capacity"
        );
        assert!(
            c.admit(Bucket::Other, Priority::Untrusted).is_ok(),
            "buckets are separate"
        );
    }
}
