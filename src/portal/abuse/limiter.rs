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

use super::limiter_redis::RedisLimiter;
use crate::clock::{Clock, GovernorClock};
use crate::portal::session::StoreError;

/// Something that says whether one more event for `key` fits, and if not, how long to wait.
pub trait KeyedLimiter: Send + Sync {
    /// `Err(seconds)` when over the limit.
    fn check(&self, key: &str) -> Result<(), i64>;
    /// Forgets keys whose state is back to "full" (bounded memory under a flood of keys).
    fn prune(&self);
    /// Keys currently held.
    fn tracked_keys(&self) -> usize;
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

    fn tracked_keys(&self) -> usize {
        self.inner.len()
    }
}

/// A keyed limiter: in this process, or in Redis and shared by every instance that uses it.
pub enum Limiter {
    /// This instance's own.
    Memory(MemoryLimiter),
    /// The fleet's, in Redis.
    Redis(RedisLimiter),
}

impl Limiter {
    /// `Ok(Err(seconds))` when over the limit; `Err` when Redis did not answer (the caller
    /// refuses: the shared budget cannot be read, so nothing passes unlimited).
    pub async fn check(&self, key: &str) -> Result<Result<(), i64>, StoreError> {
        match self {
            Limiter::Memory(m) => Ok(m.check(key)),
            Limiter::Redis(r) => r.check(key).await,
        }
    }

    /// Forgets idle keys (Redis forgets them by itself: each key's TTL).
    pub fn prune(&self) {
        if let Limiter::Memory(m) = self {
            m.prune();
        }
    }

    /// Keys held in this process.
    pub fn tracked_keys(&self) -> usize {
        match self {
            Limiter::Memory(m) => m.tracked_keys(),
            Limiter::Redis(_) => 0,
        }
    }
}

/// Where the limiters live: `Some` (a Redis connection and the key prefix) when the
/// stores are in Redis, so every instance draws on one budget per key.
#[derive(Clone, Default)]
pub struct LimiterHome {
    /// The Redis connection and key prefix, or `None`: this process's memory.
    pub redis: Option<(crate::portal::stores::RedisConn, String)>,
}

impl LimiterHome {
    /// A limiter named `name` (its keys' namespace): one event per `period`, bursts of
    /// `burst`.
    pub fn limiter(&self, clock: &Clock, name: &str, period: Duration, burst: u32) -> Limiter {
        match &self.redis {
            Some((conn, prefix)) => Limiter::Redis(RedisLimiter::new(
                conn.clone(),
                format!("{prefix}rl:{name}:"),
                period,
                burst,
                clock.clone(),
            )),
            None => Limiter::Memory(MemoryLimiter::with_period(clock, period, burst)),
        }
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
        assert_eq!(l.tracked_keys(), 0, "idle keys are pruned");
    }

    #[test]
    fn ipv6_is_limited_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(ip_key(a), ip_key(b));
        assert_eq!(ip_key("192.0.2.7".parse().unwrap()), "192.0.2.7");
    }
}
