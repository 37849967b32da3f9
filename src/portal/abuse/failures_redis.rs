//! Failure counts in Redis, shared by every instance. Keys under the session store's
//! prefix, every one with a TTL: `f:{<user>}` a hash (`anonymous`, `device`, `codes`,
//! `last`, `last_code`) kept `protection.failure_retention` (or the declared auto-unlock
//! time) after its last change; `fi:{<user>}|<ip>` a counter kept
//! `protection.failure_window`; `ff:<key>` the attempts in flight, kept at most two minutes.
//!
//! Redis Cluster: a failure is counted in the user's hash and in the per-IP counter in one
//! script, so both keys carry the user as their hash tag (`{<user>}`, the user being the
//! username's HMAC) and share a slot; every other command touches one key.
//!
//! Upgrade: the layout before hash tags named the keys `f:<user>` and `fi:<ip>|<user>`.
//! A read that finds no key under the new name renames the old key to it (`RENAMENX`,
//! keeping its TTL), so counts carry over instead of restarting at zero (which would let
//! Okta count failures the portal has forgotten). Old keys exist only in single and
//! sentinel deployments (where a rename between slots is no concern), and expire by
//! their TTL; this step can go once `protection.failure_retention` has passed.
//!
//! Reads and resets are run once more after a dropped connection; a failure or an attempt
//! in flight is counted once only (run twice, it could count twice).

use async_trait::async_trait;

use super::{Conn, Failed, FailureStore, Policy, Reset, UserFailures};
use crate::portal::session::redis::hash_tag;
use crate::portal::session::StoreError;
use crate::portal::stores::idempotent;

/// Failure counts in Redis, shared by every instance.
pub struct RedisFailures {
    conn: Conn,
    prefix: String,
}

/// How long an attempt may stay "in flight" if its instance dies before ending it.
const IN_FLIGHT_TTL_SECS: i64 = 120;

fn redis_err(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("redis: {e}"))
}

/// One failure, atomically: Okta's auto-unlock (when declared) restarts a stale count,
/// then the count, its time and the key's TTL; the per-IP counter for anonymous ones.
const RECORD: &str = r"
local field, now, ttl, unlock, ip_ttl = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ARGV[5]
local last_field = 'last'
if field == 'codes' then last_field = 'last_code' end
if unlock > 0 then
  local last = tonumber(redis.call('HGET', KEYS[1], last_field) or '0')
  if now - last >= unlock then
    if field == 'codes' then
      redis.call('HSET', KEYS[1], 'codes', 0)
    else
      redis.call('HSET', KEYS[1], 'anonymous', 0, 'device', 0)
    end
  end
end
redis.call('HINCRBY', KEYS[1], field, 1)
redis.call('HSET', KEYS[1], last_field, now)
redis.call('EXPIRE', KEYS[1], ttl)
if field == 'anonymous' then
  redis.call('INCR', KEYS[2])
  redis.call('EXPIRE', KEYS[2], ip_ttl)
end
return 1
";

impl RedisFailures {
    /// Over `conn` (see [`crate::portal::stores`]), keys under `prefix`.
    pub fn new(conn: impl Into<Conn>, prefix: &str) -> Self {
        RedisFailures {
            conn: conn.into(),
            prefix: prefix.to_string(),
        }
    }

    fn user_key(&self, user: &str) -> String {
        format!("{}f:{}", self.prefix, hash_tag(user))
    }

    fn ip_user_key(&self, ip: &str, user: &str) -> String {
        format!("{}fi:{}|{ip}", self.prefix, hash_tag(user))
    }

    /// Moves a key of the layout before hash tags to its new name when only the old one
    /// exists (see the module header); nothing when there is none.
    async fn carry_over(&self, old: String, new: &str) -> Result<bool, StoreError> {
        if matches!(self.conn, Conn::Cluster(_)) {
            return Ok(false);
        }
        let moved: redis::RedisResult<bool> = idempotent(&self.conn, |mut conn| {
            let old = &old;
            async move {
                redis::cmd("RENAMENX")
                    .arg(old)
                    .arg(new)
                    .query_async(&mut conn)
                    .await
            }
        })
        .await;
        match moved {
            Ok(moved) => Ok(moved),
            // "no such key": there was nothing to carry over.
            Err(e)
                if e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::ResponseError) =>
            {
                Ok(false)
            }
            Err(e) => Err(redis_err(e)),
        }
    }
}

#[async_trait]
impl FailureStore for RedisFailures {
    async fn get(&self, user: &str, now_ms: i64, p: &Policy) -> Result<UserFailures, StoreError> {
        type Row = (
            Option<u32>,
            Option<u32>,
            Option<u32>,
            Option<i64>,
            Option<i64>,
        );
        let key = self.user_key(user);
        let read = || {
            idempotent(&self.conn, |mut conn| {
                let key = &key;
                async move {
                    redis::cmd("HMGET")
                        .arg(key)
                        .arg(&["anonymous", "device", "codes", "last", "last_code"])
                        .query_async::<Row>(&mut conn)
                        .await
                }
            })
        };
        let mut row = read().await.map_err(redis_err)?;
        if row == (None, None, None, None, None)
            && self
                .carry_over(format!("{}f:{user}", self.prefix), &key)
                .await?
        {
            row = read().await.map_err(redis_err)?;
        }
        let (anonymous, device, codes, last, last_code) = row;
        let f = UserFailures {
            anonymous: anonymous.unwrap_or(0),
            device: device.unwrap_or(0),
            codes: codes.unwrap_or(0),
            last_failure_ms: last.unwrap_or(0),
            last_code_ms: last_code.unwrap_or(0),
        };
        Ok(f.live(now_ms, p))
    }

    async fn ip_user(
        &self,
        ip: &str,
        user: &str,
        _now_ms: i64,
        _p: &Policy,
    ) -> Result<u32, StoreError> {
        let key = self.ip_user_key(ip, user);
        let read = || {
            idempotent(&self.conn, |mut conn| {
                let key = &key;
                async move {
                    redis::cmd("GET")
                        .arg(key)
                        .query_async::<Option<u32>>(&mut conn)
                        .await
                }
            })
        };
        let mut n = read().await.map_err(redis_err)?;
        if n.is_none()
            && self
                .carry_over(format!("{}fi:{ip}|{user}", self.prefix), &key)
                .await?
        {
            n = read().await.map_err(redis_err)?;
        }
        Ok(n.unwrap_or(0))
    }

    async fn record(
        &self,
        user: &str,
        ip: &str,
        what: Failed,
        now_ms: i64,
        p: &Policy,
    ) -> Result<(), StoreError> {
        let field = match what {
            Failed::Anonymous => "anonymous",
            Failed::Device => "device",
            Failed::Code => "codes",
        };
        let mut conn = self.conn.clone();
        redis::Script::new(RECORD)
            .key(self.user_key(user))
            .key(self.ip_user_key(ip, user))
            .arg(field)
            .arg(now_ms)
            .arg(p.retention_secs.max(1))
            .arg(p.auto_unlock_ms.unwrap_or(0))
            .arg((p.ip_window_ms / 1000).max(1))
            .invoke_async::<i64>(&mut conn)
            .await
            .map(|_| ())
            .map_err(redis_err)
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

    async fn reset(
        &self,
        user: &str,
        what: Reset,
        _now_ms: i64,
        p: &Policy,
    ) -> Result<(), StoreError> {
        let key = self.user_key(user);
        let mut pipe = redis::pipe();
        pipe.atomic();
        match what {
            Reset::Passwords => pipe
                .cmd("HSET")
                .arg(&key)
                .arg(&["anonymous", "0", "device", "0"]),
            Reset::DevicePasswords => pipe.cmd("HSET").arg(&key).arg(&["device", "0"]),
            Reset::Codes => pipe.cmd("HSET").arg(&key).arg(&["codes", "0"]),
        }
        .ignore();
        // HSET creates the key when it had expired: it gets a TTL like every other.
        pipe.cmd("EXPIRE")
            .arg(&key)
            .arg(p.retention_secs.max(1))
            .ignore();
        // Setting a count to zero twice sets it to zero.
        idempotent(&self.conn, |mut conn| {
            let pipe = &pipe;
            async move { pipe.query_async::<()>(&mut conn).await }
        })
        .await
        .map_err(redis_err)
    }

    fn prune(&self, _now_ms: i64, _p: &Policy) {}

    fn tracked_keys(&self) -> usize {
        0
    }
}
