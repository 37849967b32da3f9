//! A keyed GCRA limiter in Redis, so every instance of a fleet draws on one budget per key.
//! Each check is one atomic round trip: a Lua script reads the key's theoretical arrival
//! time (TAT), and either moves it one emission interval on or answers how long to wait.
//! It keeps [`super::limiter::MemoryLimiter`]'s semantics (one event per period, bursts of
//! `burst`), checked by the same sequence against both in the tests below.
//!
//! The time is the caller's clock (the portal's movable [`Clock`]), not Redis's: tests move
//! it, and instances of one fleet are expected to agree on the time (NTP) to well under a
//! period. A key lives only while it holds back something: its TTL is the time until its
//! bucket is full again, so idle keys cost nothing.

use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::Script;

use crate::clock::Clock;
use crate::portal::session::StoreError;

/// The GCRA step. KEYS[1]: the key; ARGV: now (ms), emission interval (ms), burst.
/// Returns 0 when the event fits, else the milliseconds until it would.
const GCRA: &str = r"
local now, interval, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local next_tat = tat + interval
local allowed_at = next_tat - burst * interval
if now < allowed_at then
  return allowed_at - now
end
redis.call('SET', KEYS[1], next_tat, 'PX', math.max(next_tat - now, 1))
return 0
";

/// One event per `period` per key, bursts of `burst`, shared through Redis.
pub struct RedisLimiter {
    conn: ConnectionManager,
    prefix: String,
    interval_ms: i64,
    burst: i64,
    clock: Clock,
    script: Script,
}

impl RedisLimiter {
    /// Keys under `prefix` (the store's prefix and the limiter's name, e.g.
    /// `direct-signin:rl:ip_signin:`).
    pub fn new(
        conn: ConnectionManager,
        prefix: String,
        period: Duration,
        burst: u32,
        clock: Clock,
    ) -> Self {
        RedisLimiter {
            conn,
            prefix,
            interval_ms: (period.as_millis() as i64).max(1),
            burst: i64::from(burst.max(1)),
            clock,
            script: Script::new(GCRA),
        }
    }

    /// `Ok(Err(seconds))` when over the limit; `Err` when Redis did not answer (the caller
    /// refuses: nothing passes unlimited because the shared budget cannot be read).
    pub async fn check(&self, key: &str) -> Result<Result<(), i64>, StoreError> {
        let mut conn = self.conn.clone();
        // Not run twice after a dropped connection: a check that took effect would count
        // twice.
        let wait_ms: i64 = self
            .script
            .key(format!("{}{key}", self.prefix))
            .arg(self.clock.now_ms())
            .arg(self.interval_ms)
            .arg(self.burst)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| StoreError(format!("redis: {e}")))?;
        Ok(if wait_ms <= 0 {
            Ok(())
        } else {
            Err(((wait_ms + 999) / 1000).max(1))
        })
    }
}
