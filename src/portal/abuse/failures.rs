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

use std::collections::HashMap;

use async_trait::async_trait;
use parking_lot::Mutex;
use redis::aio::ConnectionManager;

use super::sketch::Sketch;
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

#[derive(Default)]
struct Users {
    exact: HashMap<String, UserFailures>,
    /// Created on the first eviction (it holds 12 MiB per epoch).
    sketch: Option<Sketch>,
}

impl Users {
    fn estimate(&self, user: &str, now_ms: i64) -> UserFailures {
        self.sketch
            .as_ref()
            .map_or_else(UserFailures::default, |s| {
                UserFailures::from_estimate(s.estimate(user, now_ms))
            })
    }

    /// The entry for `user`, created from the sketch's bound when it has none (so a
    /// name that was evicted continues from at least where it was).
    fn entry(&mut self, user: &str, now_ms: i64, p: &Policy) -> &mut UserFailures {
        if !self.exact.contains_key(user) {
            let start = self.estimate(user, now_ms);
            self.exact.insert(user.to_string(), start);
        }
        let e = self.exact.get_mut(user).expect("just inserted");
        *e = e.live(now_ms, p);
        e
    }

    /// Folds the least recently failed eighth into the sketch when over `max`.
    fn evict(&mut self, now_ms: i64, p: &Policy) {
        if self.exact.len() <= p.max_entries {
            return;
        }
        let mut by_age: Vec<(i64, String)> = self
            .exact
            .iter()
            .map(|(k, v)| (v.last_ms(), k.clone()))
            .collect();
        by_age.sort_unstable();
        let sketch = self
            .sketch
            .get_or_insert_with(|| Sketch::new(p.auto_unlock_ms));
        for (_, user) in by_age.into_iter().take((p.max_entries / 8).max(1)) {
            if let Some(f) = self.exact.remove(&user) {
                sketch.fold(&user, f.live(now_ms, p).counts(), f.last_ms());
            }
        }
    }
}

/// In-memory failure counts (one instance).
#[derive(Default)]
pub struct FailureBook {
    users: Mutex<Users>,
    ip_user: Mutex<HashMap<String, (u32, i64)>>,
    /// Attempts admitted toward Okta whose outcome is not known yet, per key.
    in_flight: Mutex<HashMap<String, u32>>,
}

impl FailureBook {
    /// The live counts of `user` at `now_ms` (an upper bound from the sketch when not held
    /// exactly).
    pub fn get(&self, user: &str, now_ms: i64, p: &Policy) -> UserFailures {
        let users = self.users.lock();
        match users.exact.get(user) {
            Some(f) => f.live(now_ms, p),
            None => users.estimate(user, now_ms),
        }
    }

    /// Anonymous password failures of `user` from `ip` within the IP window.
    pub fn ip_user(&self, ip: &str, user: &str, now_ms: i64, p: &Policy) -> u32 {
        match self.ip_user.lock().get(&format!("{ip}|{user}")) {
            Some((count, last)) if now_ms - last < p.ip_window_ms => *count,
            _ => 0,
        }
    }

    /// One more failure; `ip` counts per IP+username for anonymous password failures.
    pub fn record(&self, user: &str, ip: &str, what: Failed, now_ms: i64, p: &Policy) {
        let mut users = self.users.lock();
        let entry = users.entry(user, now_ms, p);
        match what {
            Failed::Anonymous => entry.anonymous = entry.anonymous.saturating_add(1),
            Failed::Device => entry.device = entry.device.saturating_add(1),
            Failed::Code => entry.codes = entry.codes.saturating_add(1),
        }
        if what == Failed::Code {
            entry.last_code_ms = now_ms;
        } else {
            entry.last_failure_ms = now_ms;
        }
        users.evict(now_ms, p);
        drop(users);
        if what == Failed::Anonymous {
            let mut ip_user = self.ip_user.lock();
            let e = ip_user.entry(format!("{ip}|{user}")).or_insert((0, now_ms));
            if now_ms - e.1 >= p.ip_window_ms {
                *e = (0, now_ms);
            }
            e.0 = e.0.saturating_add(1);
            e.1 = now_ms;
        }
    }

    /// One more attempt for `key` on its way to Okta; answers how many already were.
    pub fn begin(&self, key: &str) -> u32 {
        let mut in_flight = self.in_flight.lock();
        let n = in_flight.entry(key.to_string()).or_default();
        *n += 1;
        *n - 1
    }

    /// An attempt begun with [`FailureBook::begin`] has its outcome (or was refused).
    pub fn end(&self, key: &str) {
        let mut in_flight = self.in_flight.lock();
        if let Some(n) = in_flight.get_mut(key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                in_flight.remove(key);
            }
        }
    }

    /// Restarts the counts `what` names (a success).
    pub fn reset(&self, user: &str, what: Reset, now_ms: i64, p: &Policy) {
        let mut users = self.users.lock();
        let entry = users.entry(user, now_ms, p);
        match what {
            Reset::Passwords => (entry.anonymous, entry.device) = (0, 0),
            Reset::DevicePasswords => entry.device = 0,
            Reset::Codes => entry.codes = 0,
        }
        // An all-zero entry is only needed to override a non-zero bound in the sketch.
        if entry.counts() == [0; 3] && users.estimate(user, now_ms).counts() == [0; 3] {
            users.exact.remove(user);
        }
    }

    /// Drops IP+username counts past the window, and user counts Okta has unlocked.
    pub fn prune(&self, now_ms: i64, p: &Policy) {
        if p.auto_unlock_ms.is_some() {
            self.users
                .lock()
                .exact
                .retain(|_, f| f.live(now_ms, p).counts() != [0; 3]);
        }
        self.ip_user
            .lock()
            .retain(|_, (_, last)| now_ms - *last < p.ip_window_ms);
    }

    /// Entries held: exact user counts, IP+username counts and attempts in flight.
    pub fn tracked_keys(&self) -> usize {
        self.users.lock().exact.len() + self.ip_user.lock().len() + self.in_flight.lock().len()
    }

    /// Bytes held by the sketch (zero until the exact table first overflows).
    pub fn sketch_bytes(&self) -> usize {
        self.users.lock().sketch.as_ref().map_or(0, Sketch::bytes)
    }
}

#[async_trait]
impl FailureStore for FailureBook {
    async fn get(&self, user: &str, now_ms: i64, p: &Policy) -> Result<UserFailures, StoreError> {
        Ok(FailureBook::get(self, user, now_ms, p))
    }
    async fn ip_user(
        &self,
        ip: &str,
        user: &str,
        now_ms: i64,
        p: &Policy,
    ) -> Result<u32, StoreError> {
        Ok(FailureBook::ip_user(self, ip, user, now_ms, p))
    }
    async fn record(
        &self,
        user: &str,
        ip: &str,
        what: Failed,
        now_ms: i64,
        p: &Policy,
    ) -> Result<(), StoreError> {
        FailureBook::record(self, user, ip, what, now_ms, p);
        Ok(())
    }
    async fn begin(&self, key: &str) -> Result<u32, StoreError> {
        Ok(FailureBook::begin(self, key))
    }
    async fn end(&self, key: &str) -> Result<(), StoreError> {
        FailureBook::end(self, key);
        Ok(())
    }
    async fn reset(
        &self,
        user: &str,
        what: Reset,
        now_ms: i64,
        p: &Policy,
    ) -> Result<(), StoreError> {
        FailureBook::reset(self, user, what, now_ms, p);
        Ok(())
    }
    fn prune(&self, now_ms: i64, p: &Policy) {
        FailureBook::prune(self, now_ms, p)
    }
    fn tracked_keys(&self) -> usize {
        FailureBook::tracked_keys(self)
    }
}

#[path = "failures_redis.rs"]
mod redis_store;
pub use redis_store::RedisFailures;

#[cfg(test)]
#[path = "failures_tests.rs"]
mod tests;

/// Connection type shared with the Redis store module.
pub(crate) type Conn = ConnectionManager;
