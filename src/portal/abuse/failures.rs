//! Failed passwords forwarded to Okta, per username (by keyed digest) and per
//! IP+username, so the portal never lets Okta's consecutive-failure lockout trigger.
//!
//! Okta locks an account after N consecutive failed passwords (10 by default) and resets
//! the count on a correct one. The portal counts the failures it forwards: browsers
//! without a device cookie share one budget per username; browsers with a valid device
//! cookie share a second, larger one; the two sum to less than N. One IP may spend only a
//! small part of the username's budget. Counts reset on a correct password seen by the
//! portal (from a device-cookie browser, only the device count: see [`FailureBook::reset`]),
//! and are forgotten `window` seconds after the last failure. Attempts admitted
//! but not answered yet are counted per budget too (`begin`/`end`), so the budgets hold
//! however many attempts are in flight at once.

use std::collections::HashMap;

use parking_lot::Mutex;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UserFailures {
    pub anonymous: u32,
    pub device: u32,
    /// When the last failure was recorded, in milliseconds (the backoff is counted from it).
    pub last_failure_ms: i64,
}

/// In-memory failure counts (a shared store would implement the same methods).
#[derive(Default)]
pub struct FailureBook {
    users: Mutex<HashMap<String, UserFailures>>,
    ip_user: Mutex<HashMap<String, (u32, i64)>>,
    /// Password attempts admitted toward Okta whose outcome is not known yet, per key.
    in_flight: Mutex<HashMap<String, u32>>,
}

impl FailureBook {
    /// The live counts for `user` (forgotten after `window` seconds of quiet). Times are
    /// in milliseconds, windows in seconds.
    pub fn get(&self, user: &str, now_ms: i64, window: i64) -> UserFailures {
        match self.users.lock().get(user) {
            Some(f) if now_ms - f.last_failure_ms < window * 1000 => *f,
            _ => UserFailures::default(),
        }
    }

    pub fn ip_user(&self, ip: &str, user: &str, now_ms: i64, window: i64) -> u32 {
        match self.ip_user.lock().get(&format!("{ip}|{user}")) {
            Some((count, last)) if now_ms - last < window * 1000 => *count,
            _ => 0,
        }
    }

    pub fn record_failure(&self, user: &str, ip: &str, device: bool, now_ms: i64, window: i64) {
        let window = window * 1000;
        let mut users = self.users.lock();
        let entry = users.entry(user.to_string()).or_default();
        if now_ms - entry.last_failure_ms >= window {
            *entry = UserFailures::default();
        }
        if device {
            entry.device += 1;
        } else {
            entry.anonymous += 1;
        }
        entry.last_failure_ms = now_ms;
        drop(users);
        if !device {
            let mut ip_user = self.ip_user.lock();
            let e = ip_user.entry(format!("{ip}|{user}")).or_insert((0, now_ms));
            if now_ms - e.1 >= window {
                *e = (0, now_ms);
            }
            e.0 += 1;
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

    /// A correct password: Okta's count is back to zero. From a browser without a device
    /// cookie both of ours restart. From one with a device cookie only the device count
    /// does: the anonymous budget stays spent until the window forgets it, or whoever
    /// spent it would get a fresh one each time the real user signs in (and would be
    /// let through at the very moment the user's second-factor call reaches Okta).
    pub fn reset(&self, user: &str, device: bool) {
        let mut users = self.users.lock();
        if !device {
            users.remove(user);
        } else if let Some(f) = users.get_mut(user) {
            f.device = 0;
        }
    }

    pub fn prune(&self, now_ms: i64, window: i64) {
        let window = window * 1000;
        self.users
            .lock()
            .retain(|_, f| now_ms - f.last_failure_ms < window);
        self.ip_user
            .lock()
            .retain(|_, (_, last)| now_ms - *last < window);
    }

    pub fn tracked_keys(&self) -> usize {
        self.users.lock().len() + self.ip_user.lock().len() + self.in_flight.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_split_by_device_and_forget_after_the_window() {
        let b = FailureBook::default();
        b.record_failure("u", "1.1.1.1", false, 100_000, 1000);
        b.record_failure("u", "1.1.1.1", false, 101_000, 1000);
        b.record_failure("u", "2.2.2.2", true, 102_000, 1000);
        assert_eq!(
            b.get("u", 103_000, 1000),
            UserFailures {
                anonymous: 2,
                device: 1,
                last_failure_ms: 102_000
            }
        );
        assert_eq!(b.ip_user("1.1.1.1", "u", 103_000, 1000), 2);
        assert_eq!(
            b.ip_user("2.2.2.2", "u", 103_000, 1000),
            0,
            "device failures are not per-IP"
        );
        assert_eq!(b.get("u", 1_102_000, 1000), UserFailures::default());
        b.reset("u", true);
        assert_eq!(
            (
                b.get("u", 103_000, 1000).anonymous,
                b.get("u", 103_000, 1000).device
            ),
            (2, 0),
            "a device-cookie success leaves the anonymous count spent"
        );
        b.reset("u", false);
        assert_eq!(b.get("u", 103_000, 1000).anonymous, 0);
        b.prune(5_000_000, 1000);
        assert_eq!(b.tracked_keys(), 0);
    }
}
