//! Keyed rate limiters (`governor`, GCRA) that read time from the portal's movable
//! [`Clock`], behind a trait so a shared store can replace them.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Reference;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DashMapStateStore;
use governor::Quota;

use crate::clock::{Clock, GovernorClock};

/// Something that says whether one more event for `key` fits, and if not, how long to wait.
pub trait KeyedLimiter: Send + Sync {
    /// `Err(seconds)` when over the limit.
    fn check(&self, key: &str) -> Result<(), i64>;
    /// Forgets keys whose state is back to "full" (bounded memory under a flood of keys).
    fn prune(&self);
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

type Inner =
    governor::RateLimiter<String, DashMapStateStore<String>, GovernorClock, NoOpMiddleware<Nanos>>;

/// An in-memory keyed GCRA limiter.
pub struct MemoryLimiter {
    inner: Inner,
    clock: GovernorClock,
}

impl MemoryLimiter {
    /// `per_minute` events per minute with bursts of `burst`.
    pub fn per_minute(clock: &Clock, per_minute: u32, burst: u32) -> Self {
        let period = Duration::from_millis(60_000 / u64::from(per_minute.max(1)));
        Self::with_period(clock, period, burst)
    }

    /// One event every `period`, bursts of `burst`.
    pub fn with_period(clock: &Clock, period: Duration, burst: u32) -> Self {
        let quota = Quota::with_period(period)
            .expect("a positive period")
            .allow_burst(NonZeroU32::new(burst.max(1)).expect("burst is at least 1"));
        let clock = GovernorClock(clock.clone());
        MemoryLimiter {
            inner: governor::RateLimiter::new(quota, DashMapStateStore::default(), clock.clone()),
            clock,
        }
    }
}

impl KeyedLimiter for MemoryLimiter {
    fn check(&self, key: &str) -> Result<(), i64> {
        use governor::clock::Clock as _;
        self.inner.check_key(&key.to_string()).map_err(|not_until| {
            let wait = not_until
                .earliest_possible()
                .duration_since(self.clock.now());
            (Duration::from(wait).as_secs_f64().ceil() as i64).max(1)
        })
    }

    fn prune(&self) {
        self.inner.retain_recent();
        self.inner.shrink_to_fit();
    }

    fn len(&self) -> usize {
        self.inner.len()
    }
}

/// The key for per-IP limits: the address, or its /64 for IPv6 (one subscriber's block).
pub fn ip_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_follow_the_movable_clock() {
        let clock = Clock::new();
        let l = MemoryLimiter::per_minute(&clock, 6, 2);
        assert!(l.check("a").is_ok());
        assert!(l.check("a").is_ok());
        let wait = l.check("a").unwrap_err();
        assert!((1..=10).contains(&wait), "{wait}");
        assert!(l.check("b").is_ok(), "keys are independent");
        clock.advance_secs(10);
        assert!(l.check("a").is_ok());
        clock.advance_secs(3600);
        l.prune();
        assert_eq!(l.len(), 0, "idle keys are pruned");
    }

    #[test]
    fn ipv6_is_limited_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(ip_key(a), ip_key(b));
        assert_eq!(ip_key("192.0.2.7".parse().unwrap()), "192.0.2.7");
    }
}
