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

use async_trait::async_trait;
use parking_lot::Mutex;
use redis::aio::ConnectionManager;

use crate::portal::session::StoreError;

/// Where the failure counts live: this process ([`FailureBook`]) or Redis
/// ([`RedisFailures`]), so instances behind a load balancer share one budget per username.
/// Times are in milliseconds, windows in seconds.
#[async_trait]
pub trait FailureStore: Send + Sync {
    async fn get(&self, user: &str, now_ms: i64, window: i64) -> Result<UserFailures, StoreError>;
    async fn ip_user(
        &self,
        ip: &str,
        user: &str,
        now_ms: i64,
        window: i64,
    ) -> Result<u32, StoreError>;
    async fn record_failure(
        &self,
        user: &str,
        ip: &str,
        device: bool,
        now_ms: i64,
        window: i64,
    ) -> Result<(), StoreError>;
    /// One more attempt for `key` on its way to Okta; answers how many already were.
    async fn begin(&self, key: &str) -> Result<u32, StoreError>;
    /// An attempt begun with [`FailureStore::begin`] has its outcome (or was refused).
    async fn end(&self, key: &str) -> Result<(), StoreError>;
    /// A correct password (see [`FailureBook::reset`] for what restarts).
    async fn reset(&self, user: &str, device: bool) -> Result<(), StoreError>;
    /// Drops what has expired (a store with expiring keys has nothing to do).
    fn prune(&self, now_ms: i64, window: i64);
    fn tracked_keys(&self) -> usize;
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UserFailures {
    pub anonymous: u32,
    pub device: u32,
    /// When the last failure was recorded, in milliseconds (the backoff is counted from it).
    pub last_failure_ms: i64,
}

/// In-memory failure counts (one instance).
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

#[async_trait]
impl FailureStore for FailureBook {
    async fn get(&self, user: &str, now_ms: i64, window: i64) -> Result<UserFailures, StoreError> {
        Ok(FailureBook::get(self, user, now_ms, window))
    }
    async fn ip_user(
        &self,
        ip: &str,
        user: &str,
        now_ms: i64,
        window: i64,
    ) -> Result<u32, StoreError> {
        Ok(FailureBook::ip_user(self, ip, user, now_ms, window))
    }
    async fn record_failure(
        &self,
        user: &str,
        ip: &str,
        device: bool,
        now_ms: i64,
        window: i64,
    ) -> Result<(), StoreError> {
        FailureBook::record_failure(self, user, ip, device, now_ms, window);
        Ok(())
    }
    async fn begin(&self, key: &str) -> Result<u32, StoreError> {
        Ok(FailureBook::begin(self, key))
    }
    async fn end(&self, key: &str) -> Result<(), StoreError> {
        FailureBook::end(self, key);
        Ok(())
    }
    async fn reset(&self, user: &str, device: bool) -> Result<(), StoreError> {
        FailureBook::reset(self, user, device);
        Ok(())
    }
    fn prune(&self, now_ms: i64, window: i64) {
        FailureBook::prune(self, now_ms, window)
    }
    fn tracked_keys(&self) -> usize {
        FailureBook::tracked_keys(self)
    }
}

/// Failure counts in Redis, shared by every instance. Keys under the session store's
/// prefix: `f:<user>` a hash (`anonymous`, `device`, `last`), `fi:<ip>|<user>` a counter,
/// `ff:<key>` the attempts in flight; all expire on their own.
pub struct RedisFailures {
    conn: ConnectionManager,
    prefix: String,
}

/// How long an attempt may stay "in flight" if its instance dies before ending it.
const IN_FLIGHT_TTL_SECS: i64 = 120;

fn redis_err(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("redis: {e}"))
}

impl RedisFailures {
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(redis_err)?;
        let conn = client.get_connection_manager().await.map_err(redis_err)?;
        Ok(RedisFailures {
            conn,
            prefix: prefix.to_string(),
        })
    }
}

#[async_trait]
impl FailureStore for RedisFailures {
    async fn get(&self, user: &str, now_ms: i64, window: i64) -> Result<UserFailures, StoreError> {
        let mut conn = self.conn.clone();
        let (anonymous, device, last): (Option<u32>, Option<u32>, Option<i64>) =
            redis::cmd("HMGET")
                .arg(format!("{}f:{user}", self.prefix))
                .arg("anonymous")
                .arg("device")
                .arg("last")
                .query_async(&mut conn)
                .await
                .map_err(redis_err)?;
        let f = UserFailures {
            anonymous: anonymous.unwrap_or(0),
            device: device.unwrap_or(0),
            last_failure_ms: last.unwrap_or(0),
        };
        Ok(if now_ms - f.last_failure_ms < window * 1000 {
            f
        } else {
            UserFailures::default()
        })
    }

    async fn ip_user(
        &self,
        ip: &str,
        user: &str,
        _now_ms: i64,
        _window: i64,
    ) -> Result<u32, StoreError> {
        let mut conn = self.conn.clone();
        let n: Option<u32> = redis::cmd("GET")
            .arg(format!("{}fi:{ip}|{user}", self.prefix))
            .query_async(&mut conn)
            .await
            .map_err(redis_err)?;
        Ok(n.unwrap_or(0))
    }

    async fn record_failure(
        &self,
        user: &str,
        ip: &str,
        device: bool,
        now_ms: i64,
        window: i64,
    ) -> Result<(), StoreError> {
        let key = format!("{}f:{user}", self.prefix);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("HINCRBY")
            .arg(&key)
            .arg(if device { "device" } else { "anonymous" })
            .arg(1)
            .ignore()
            .cmd("HSET")
            .arg(&key)
            .arg("last")
            .arg(now_ms)
            .ignore()
            .cmd("EXPIRE")
            .arg(&key)
            .arg(window)
            .ignore();
        if !device {
            let ip_key = format!("{}fi:{ip}|{user}", self.prefix);
            pipe.cmd("INCR")
                .arg(&ip_key)
                .ignore()
                .cmd("EXPIRE")
                .arg(&ip_key)
                .arg(window)
                .ignore();
        }
        let mut conn = self.conn.clone();
        pipe.query_async::<()>(&mut conn).await.map_err(redis_err)
    }

    async fn begin(&self, key: &str) -> Result<u32, StoreError> {
        let key = format!("{}ff:{key}", self.prefix);
        let mut conn = self.conn.clone();
        let (n,): (u32,) = redis::pipe()
            .atomic()
            .cmd("INCR")
            .arg(&key)
            .cmd("EXPIRE")
            .arg(&key)
            .arg(IN_FLIGHT_TTL_SECS)
            .ignore()
            .query_async(&mut conn)
            .await
            .map_err(redis_err)?;
        Ok(n.saturating_sub(1))
    }

    async fn end(&self, key: &str) -> Result<(), StoreError> {
        let key = format!("{}ff:{key}", self.prefix);
        let mut conn = self.conn.clone();
        // Never below zero, and gone when nothing is in flight.
        redis::Script::new(
            "local n = redis.call('DECR', KEYS[1]) if n <= 0 then redis.call('DEL', KEYS[1]) end return n",
        )
        .key(&key)
        .invoke_async::<i64>(&mut conn)
        .await
        .map(|_| ())
        .map_err(redis_err)
    }

    async fn reset(&self, user: &str, device: bool) -> Result<(), StoreError> {
        let key = format!("{}f:{user}", self.prefix);
        let mut conn = self.conn.clone();
        if device {
            redis::cmd("HSET")
                .arg(&key)
                .arg("device")
                .arg(0)
                .query_async::<()>(&mut conn)
                .await
        } else {
            redis::cmd("DEL")
                .arg(&key)
                .query_async::<()>(&mut conn)
                .await
        }
        .map_err(redis_err)
    }

    fn prune(&self, _now_ms: i64, _window: i64) {}

    fn tracked_keys(&self) -> usize {
        0
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
