//! Failures forwarded to Okta, per username (by keyed digest) and per IP+username, so the
//! portal never lets Okta's consecutive-failure lockout trigger, and one-time codes cannot
//! be guessed at Okta's pace.
//!
//! Okta locks an account after N consecutive failed passwords (10 by default) and resets
//! the count only on a correct one, or on its own when the org's policy auto-unlocks. So
//! our counts behave the same: they never decay with time, only on a correct password
//! (from a device-cookie browser, only the device count: see [`Reset`]), or after
//! `protection.okta_auto_unlock` when the operator declares one. Browsers without a device
//! cookie share one budget per username; browsers with a valid device cookie share a
//! second, larger one; the two sum to less than N. One IP may spend only a small part of
//! the username's budget (that count does forget, after `protection.failure_window`: it
//! is about fairness between networks, not about Okta's lockout).
//!
//! Wrong one-time codes are counted per username too, over every flow, resend and factor,
//! and restart only when a sign-in completes.
//!
//! Attempts admitted but not answered yet are counted per budget too (`begin`/`end`), so
//! the budgets hold however many attempts are in flight at once.
//!
//! Memory: the in-memory store keeps `protection.failure_memory_entries` names exactly and
//! folds the least recently failed ones into a fixed-size [`Sketch`] that never counts low.
//! Redis keeps each name `protection.failure_retention` after its last change.

use async_trait::async_trait;

use crate::config::ProtectionConfig;
use crate::portal::session::StoreError;

/// How long counts live, from configuration.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Okta unlocks on its own after this long (milliseconds), when declared.
    pub auto_unlock_ms: Option<i64>,
    /// Per IP+username counts are forgotten this long after their last failure.
    pub ip_window_ms: i64,
    /// Names kept exactly in memory.
    pub max_entries: usize,
    /// Seconds a Redis entry lives after its last change.
    pub retention_secs: i64,
}

impl Policy {
    /// The policy `[protection]` configures (seconds turned into milliseconds).
    pub fn from_config(c: &ProtectionConfig) -> Self {
        Policy {
            auto_unlock_ms: c.okta_auto_unlock.map(|s| s.saturating_mul(1000)),
            ip_window_ms: c.failure_window.saturating_mul(1000),
            max_entries: c.failure_memory_entries,
            retention_secs: c.okta_auto_unlock.unwrap_or(c.failure_retention),
        }
    }

    /// Whether a count last raised at `last_ms` has been unlocked by Okta's policy.
    fn unlocked(&self, last_ms: i64, now_ms: i64) -> bool {
        self.auto_unlock_ms
            .is_some_and(|p| now_ms.saturating_sub(last_ms) >= p)
    }
}

/// What failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failed {
    /// A wrong password from a browser without a device cookie.
    Anonymous,
    /// A wrong password from a browser with a valid device cookie.
    Device,
    /// A wrong one-time code (any factor, any flow).
    Code,
}

/// What a success restarts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reset {
    /// A correct password from a browser without a device cookie: Okta's count is back
    /// to zero, and so are both of ours.
    Passwords,
    /// A correct password from a browser with a device cookie: only the device count
    /// restarts. The anonymous budget stays spent, or whoever spent it would get a fresh
    /// one each time the real user signs in.
    DevicePasswords,
    /// A completed sign-in: the wrong-code count restarts.
    Codes,
}

/// Where the failure counts live: this process ([`FailureBook`]) or Redis
/// ([`RedisFailures`]), so instances behind a load balancer share one budget per username.
/// Times are in milliseconds.
#[async_trait]
pub trait FailureStore: Send + Sync {
    /// The live counts of `user` at `now_ms`.
    async fn get(&self, user: &str, now_ms: i64, p: &Policy) -> Result<UserFailures, StoreError>;
    /// Anonymous password failures of `user` from `ip` within the IP window.
    async fn ip_user(
        &self,
        ip: &str,
        user: &str,
        now_ms: i64,
        p: &Policy,
    ) -> Result<u32, StoreError>;
    /// One more failure; `ip` counts per IP+username for anonymous password failures.
    async fn record(
        &self,
        user: &str,
        ip: &str,
        what: Failed,
        now_ms: i64,
        p: &Policy,
    ) -> Result<(), StoreError>;
    /// One more attempt for `key` on its way to Okta; answers how many already were.
    async fn begin(&self, key: &str) -> Result<u32, StoreError>;
    /// An attempt begun with [`FailureStore::begin`] has its outcome (or was refused).
    async fn end(&self, key: &str) -> Result<(), StoreError>;
    /// Restarts the counts `what` names (a success).
    async fn reset(
        &self,
        user: &str,
        what: Reset,
        now_ms: i64,
        p: &Policy,
    ) -> Result<(), StoreError>;
    /// Drops what has expired (a store with expiring keys has nothing to do).
    fn prune(&self, now_ms: i64, p: &Policy);
    /// How many keys this store holds in memory (0 for Redis).
    fn tracked_keys(&self) -> usize;
}

/// A username's failure counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UserFailures {
    /// Wrong passwords from browsers without a device cookie.
    pub anonymous: u32,
    /// Wrong passwords from browsers with a valid device cookie.
    pub device: u32,
    /// Consecutive wrong one-time codes.
    pub codes: u32,
    /// When the last password failure was recorded, in milliseconds (the backoff is
    /// counted from it; 0 when unknown).
    pub last_failure_ms: i64,
    /// When the last wrong code was recorded.
    pub last_code_ms: i64,
}

impl UserFailures {
    /// These counts as Okta's policy sees them at `now_ms`.
    fn live(mut self, now_ms: i64, p: &Policy) -> Self {
        if p.unlocked(self.last_failure_ms, now_ms) {
            (self.anonymous, self.device) = (0, 0);
        }
        if p.unlocked(self.last_code_ms, now_ms) {
            self.codes = 0;
        }
        self
    }

    fn from_estimate(e: [u32; 3]) -> Self {
        UserFailures {
            anonymous: e[0],
            device: e[1],
            codes: e[2],
            ..Default::default()
        }
    }

    fn counts(&self) -> [u32; 3] {
        [self.anonymous, self.device, self.codes]
    }

    fn last_ms(&self) -> i64 {
        self.last_failure_ms.max(self.last_code_ms)
    }
}

#[path = "failures_memory.rs"]
mod memory_store;
pub use memory_store::FailureBook;
#[path = "failures_redis.rs"]
mod redis_store;
pub use redis_store::RedisFailures;

#[cfg(test)]
#[path = "failures_tests.rs"]
mod tests;

/// Connection type shared with the Redis store module.
pub(crate) type Conn = crate::portal::stores::RedisConn;
