//! The failure counts in this process's memory (one instance), bounded: past
//! `protection.failure_memory_entries` names, the least recently failed eighth is folded
//! into a count-min sketch that never undercounts.

use crate::portal::abuse::sketch::Sketch;
use crate::portal::session::StoreError;
use async_trait::async_trait;
use parking_lot::Mutex;
use std::collections::HashMap;

use super::*;

#[derive(Default)]
pub(super) struct Users {
    pub(super) exact: HashMap<String, UserFailures>,
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
    pub(super) users: Mutex<Users>,
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
