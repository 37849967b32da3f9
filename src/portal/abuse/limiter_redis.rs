//! Keyed GCRA limiters in Redis, so every instance of a fleet draws on one budget per key;
//! and the ceiling's per-second rates toward Okta for the whole fleet.
//! Each check is one atomic round trip: a Lua script reads the key's theoretical arrival
//! time (TAT), and either moves it one emission interval on or answers how long to wait.
//! It keeps [`super::limiter::MemoryLimiter`]'s semantics (one event per period, bursts of
//! `burst`), checked by the same sequence against both in the tests below.
//!
//! The time is the caller's clock (the portal's movable [`Clock`]), not Redis's: tests move
//! it, and instances of one fleet are expected to agree on the time (NTP) to well under a
//! period. A key lives only while it holds back something: its TTL is the time until its
//! bucket is full again, so idle keys cost nothing.
//!
//! Redis Cluster: a keyed limiter's check is one key (`rl:<name>:<key>`). The Okta
//! ceiling checks a bucket's rate and its untrusted share together (all or none), so both
//! keys carry the bucket as their hash tag, `rl:okta:{token}` and
//! `rl:okta:{token}:untrusted`, and share a slot. Tagging them together (rather than
//! splitting the script) keeps the all-or-none answer: a refused untrusted call must not
//! use up the bucket's rate. The keys live seconds, so the rename at upgrade costs at most
//! one second's budget counted twice.

use std::time::Duration;

use redis::Script;

use crate::clock::Clock;
use crate::okta::{Bucket, FleetRate};
use crate::portal::session::StoreError;
use crate::portal::stores::RedisConn;

/// The GCRA step over one or more keys, all or none: KEYS the keys; ARGV now (µs), the
/// longest wait (µs) a caller takes in a queue instead of a refusal, then an emission
/// interval (µs) and a burst per key. Returns 0 when the event fits every key now, minus
/// the microseconds to wait when it fits them within the longest wait (it is counted in
/// each key either way: its slot is reserved), else the microseconds until it would fit
/// them all (counting nothing).
const GCRA: &str = r"
local now, max_wait = tonumber(ARGV[1]), tonumber(ARGV[2])
local worst, next_tats = 0, {}
for i = 1, #KEYS do
  local interval, burst = tonumber(ARGV[2 * i + 1]), tonumber(ARGV[2 * i + 2])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  local next_tat = tat + interval
  local allowed_at = next_tat - burst * interval
  if now < allowed_at and allowed_at - now > worst then worst = allowed_at - now end
  next_tats[i] = next_tat
end
if worst > max_wait then return worst end
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], next_tats[i], 'PX', math.max(math.ceil((next_tats[i] - now) / 1000), 1))
end
return -worst
";

/// The longest a call toward Okta waits for the fleet's next free slot before it is held
/// back (the "try again" answer).
pub const FLEET_QUEUE: Duration = Duration::from_millis(500);

/// One key of a check: its Redis key, emission interval (µs) and burst.
struct Gcra<'a> {
    key: &'a str,
    interval_us: i64,
    burst: i64,
}

/// Runs the GCRA step over `keys` at `now_ms`: `Ok(Ok(wait))` when the event fits after
/// `wait` (at most `max_wait`; its slot is taken), `Ok(Err(seconds))` when over a limit.
async fn gcra(
    conn: &RedisConn,
    script: &Script,
    now_ms: i64,
    max_wait: Duration,
    keys: &[Gcra<'_>],
) -> Result<Result<Duration, i64>, StoreError> {
    let mut invocation = script.prepare_invoke();
    invocation
        .arg(now_ms.saturating_mul(1000))
        .arg(max_wait.as_micros() as i64);
    for k in keys {
        invocation.key(k.key).arg(k.interval_us).arg(k.burst);
    }
    let mut conn = conn.clone();
    // Not run twice after a dropped connection: a check that took effect would count twice.
    let wait_us: i64 = invocation
        .invoke_async(&mut conn)
        .await
        .map_err(|e| StoreError(format!("redis: {e}")))?;
    Ok(if wait_us <= 0 {
        Ok(Duration::from_micros(wait_us.unsigned_abs()))
    } else {
        Err(((wait_us + 999_999) / 1_000_000).max(1))
    })
}

/// One event per `period` per key, bursts of `burst`, shared through Redis.
pub struct RedisLimiter {
    conn: RedisConn,
    prefix: String,
    interval_us: i64,
    burst: i64,
    clock: Clock,
    script: Script,
}

impl RedisLimiter {
    /// Keys under `prefix` (the store's prefix and the limiter's name, e.g.
    /// `direct-signin:rl:ip_signin:`).
    pub fn new(
        conn: RedisConn,
        prefix: String,
        period: Duration,
        burst: u32,
        clock: Clock,
    ) -> Self {
        RedisLimiter {
            conn,
            prefix,
            interval_us: (period.as_micros() as i64).max(1),
            burst: i64::from(burst.max(1)),
            clock,
            script: Script::new(GCRA),
        }
    }

    /// `Ok(Err(seconds))` when over the limit; `Err` when Redis did not answer (the caller
    /// refuses: nothing passes unlimited because the shared budget cannot be read).
    pub async fn check(&self, key: &str) -> Result<Result<(), i64>, StoreError> {
        let key = format!("{}{key}", self.prefix);
        let one = Gcra {
            key: &key,
            interval_us: self.interval_us,
            burst: self.burst,
        };
        let checked = gcra(
            &self.conn,
            &self.script,
            self.clock.now_ms(),
            Duration::ZERO,
            &[one],
        )
        .await?;
        Ok(checked.map(|_| ()))
    }
}

/// The ceiling's per-second rates toward Okta, for the whole fleet: per bucket every call,
/// and the untrusted share, checked together in one round trip.
pub struct RedisOktaRate {
    conn: RedisConn,
    prefix: String,
    per_second: u32,
    untrusted_per_second: u32,
    clock: Clock,
    script: Script,
}

impl RedisOktaRate {
    /// `per_second` calls per bucket for the fleet, `untrusted_share` percent of them for
    /// untrusted first-factor attempts (as [`crate::okta::Ceiling::new`] takes them).
    pub fn new(
        conn: RedisConn,
        prefix: &str,
        per_second: u32,
        untrusted_share: u32,
        clock: Clock,
    ) -> Self {
        RedisOktaRate {
            conn,
            prefix: format!("{prefix}rl:okta:"),
            per_second: per_second.max(1),
            untrusted_per_second: (per_second.saturating_mul(untrusted_share.min(100)) / 100)
                .max(1),
            clock,
            script: Script::new(GCRA),
        }
    }
}

#[async_trait::async_trait]
impl FleetRate for RedisOktaRate {
    async fn admit(
        &self,
        bucket: Bucket,
        untrusted: bool,
    ) -> Result<Result<Duration, i64>, String> {
        let name = match bucket {
            Bucket::Token => "token",
            Bucket::Other => "other",
        };
        let (all, share) = (
            format!("{}{{{name}}}", self.prefix),
            format!("{}{{{name}}}:untrusted", self.prefix),
        );
        // No burst: calls are spaced one interval apart, so no second of the fleet's ever
        // holds more than `per_second` of them (a burst of b would allow b - 1 more). Calls
        // that come together wait their turn for up to FLEET_QUEUE instead of a refusal.
        let rate = |per_second: u32, key| Gcra {
            key,
            interval_us: 1_000_000 / i64::from(per_second),
            burst: 1,
        };
        let mut keys = vec![rate(self.per_second, &all)];
        if untrusted {
            keys.push(rate(self.untrusted_per_second, &share));
        }
        gcra(
            &self.conn,
            &self.script,
            self.clock.now_ms(),
            FLEET_QUEUE,
            &keys,
        )
        .await
        .map_err(|e| e.0)
    }
}
