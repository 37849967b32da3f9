//! Sessions, sign-in flows and flow leases in Redis, so any number of portal instances
//! behind a load balancer share them: a flow started on one instance finishes on another,
//! and a restart loses nothing.
//!
//! Keys (all under a configurable prefix): `s:<key>` the record as JSON with the session's
//! TTL; `u:<user id>` a set of that user's session keys; `l:<name>` a lease (`SET NX PX`)
//! whose value is the owner's token.
//!
//! Every key has a TTL from the moment it exists: writes that touch two keys (a session and
//! its user's index) run as one Lua script, so no half-done write leaves an index without
//! one; the index lives as long as its longest session. Ownership checks (a lease's release
//! and extension, a session's write-back only while it exists) happen inside Redis, in one
//! step, so nothing can come between the check and the write. Reading a user's index drops
//! the keys of sessions Redis has already expired, so it holds only live ones.

use std::sync::LazyLock;

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, Script};

use super::record::Record;
use super::store::{LeaseToken, SessionKey, SessionStore, StoreError};
use crate::portal::stores::idempotent;

/// Writes a session and keeps its user's index (and the index's TTL) right, atomically.
/// KEYS: session, [index]. ARGV: json, ttl (s), member, "create" | "update". An update
/// writes nothing (answers 0) when the session is gone.
static WRITE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local ttl = tonumber(ARGV[2])
if ARGV[4] == 'update' then
  if not redis.call('SET', KEYS[1], ARGV[1], 'XX', 'EX', ttl) then return 0 end
else
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
end
if KEYS[2] then
  redis.call('SADD', KEYS[2], ARGV[3])
  if redis.call('TTL', KEYS[2]) < ttl then redis.call('EXPIRE', KEYS[2], ttl) end
end
return 1
",
    )
});

/// Deletes a lease only if ARGV[1] still owns it.
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
",
    )
});

/// Gives a lease ARGV[2] ms from now only if ARGV[1] still owns it.
static EXTEND: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
",
    )
});

/// A user's session keys, dropping from the index those whose session has expired (Redis
/// forgets a session by its TTL without telling the index). KEYS: index. ARGV: the
/// session key prefix.
static MEMBERS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local live = {}
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. member) == 1 then
    table.insert(live, member)
  else
    redis.call('SREM', KEYS[1], member)
  end
end
return live
",
    )
});

/// Sessions and leases in Redis, shared by every instance.
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("redis: {e}"))
}

impl RedisStore {
    /// Over `conn` (see [`crate::portal::stores`]), keys under `prefix`.
    pub fn new(conn: ConnectionManager, prefix: &str) -> Self {
        RedisStore {
            conn,
            prefix: prefix.to_string(),
        }
    }

    fn session(&self, key: &SessionKey) -> String {
        format!("{}s:{}", self.prefix, key.0)
    }

    fn user(&self, user: &str) -> String {
        format!("{}u:{user}", self.prefix)
    }

    fn lease(&self, name: &str) -> String {
        format!("{}l:{name}", self.prefix)
    }

    /// One atomic write of a session and its index entry; `false` when an update found
    /// the session gone.
    async fn write(
        &self,
        key: &SessionKey,
        record: &Record,
        ttl_secs: i64,
        mode: &str,
    ) -> Result<bool, StoreError> {
        let json = serde_json::to_string(record).map_err(err)?;
        let mut script = WRITE.prepare_invoke();
        script.key(self.session(key));
        if let Some(user) = record.user_id() {
            script.key(self.user(user));
        }
        script.arg(json).arg(ttl_secs.max(1)).arg(&key.0).arg(mode);
        // The same value and TTL written twice is written once.
        let written: i64 = idempotent(&self.conn, |mut conn| {
            let script = &script;
            async move { script.invoke_async(&mut conn).await }
        })
        .await
        .map_err(err)?;
        Ok(written == 1)
    }
}

#[async_trait]
impl SessionStore for RedisStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<Record>, StoreError> {
        let session = self.session(key);
        let json: Option<String> = idempotent(&self.conn, |mut conn| {
            let session = &session;
            async move { conn.get(session).await }
        })
        .await
        .map_err(err)?;
        match json {
            Some(j) => serde_json::from_str(&j).map(Some).map_err(err),
            None => Ok(None),
        }
    }

    async fn save(
        &self,
        key: &SessionKey,
        record: &Record,
        ttl_secs: i64,
    ) -> Result<(), StoreError> {
        self.write(key, record, ttl_secs, "create")
            .await
            .map(|_| ())
    }

    async fn update(
        &self,
        key: &SessionKey,
        record: &Record,
        ttl_secs: i64,
    ) -> Result<bool, StoreError> {
        self.write(key, record, ttl_secs, "update").await
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), StoreError> {
        let session = self.session(key);
        let json: Option<String> = idempotent(&self.conn, |mut conn| {
            let session = &session;
            async move {
                redis::cmd("GETDEL")
                    .arg(session)
                    .query_async(&mut conn)
                    .await
            }
        })
        .await
        .map_err(err)?;
        let user = json
            .and_then(|j| serde_json::from_str::<Record>(&j).ok())
            .and_then(|r| r.user_id().map(str::to_string));
        if let Some(user) = user {
            let index = self.user(&user);
            let _: i64 = idempotent(&self.conn, |mut conn| {
                let index = &index;
                async move { conn.srem(index, &key.0).await }
            })
            .await
            .map_err(err)?;
        }
        Ok(())
    }

    async fn user_sessions(&self, user: &str) -> Result<Vec<SessionKey>, StoreError> {
        let (index, sessions) = (self.user(user), format!("{}s:", self.prefix));
        let keys: Vec<String> = idempotent(&self.conn, |mut conn| {
            let (index, sessions) = (&index, &sessions);
            async move {
                MEMBERS
                    .key(index)
                    .arg(sessions)
                    .invoke_async(&mut conn)
                    .await
            }
        })
        .await
        .map_err(err)?;
        Ok(keys.into_iter().map(SessionKey).collect())
    }

    async fn claim(&self, name: &str, ttl_ms: i64) -> Result<Option<LeaseToken>, StoreError> {
        let token = LeaseToken::new();
        let mut conn = self.conn.clone();
        let set: Option<String> = redis::cmd("SET")
            .arg(self.lease(name))
            .arg(&token.0)
            .arg("NX")
            .arg("PX")
            .arg(ttl_ms.max(1))
            .query_async(&mut conn)
            .await
            .map_err(err)?;
        Ok(set.map(|_| token))
    }

    async fn release(&self, name: &str, token: &LeaseToken) -> Result<bool, StoreError> {
        // Run twice, a release that took effect answers "not held" the second time: the
        // lease is gone either way.
        let lease = self.lease(name);
        let deleted: i64 = idempotent(&self.conn, |mut conn| {
            let lease = &lease;
            async move {
                RELEASE
                    .key(lease)
                    .arg(&token.0)
                    .invoke_async(&mut conn)
                    .await
            }
        })
        .await
        .map_err(err)?;
        Ok(deleted == 1)
    }

    async fn extend(
        &self,
        name: &str,
        token: &LeaseToken,
        ttl_ms: i64,
    ) -> Result<bool, StoreError> {
        let lease = self.lease(name);
        let extended: i64 = idempotent(&self.conn, |mut conn| {
            let lease = &lease;
            async move {
                EXTEND
                    .key(lease)
                    .arg(&token.0)
                    .arg(ttl_ms.max(1))
                    .invoke_async(&mut conn)
                    .await
            }
        })
        .await
        .map_err(err)?;
        Ok(extended == 1)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        let _: String = redis::cmd("PING")
            .query_async(&mut conn)
            .await
            .map_err(err)?;
        Ok(())
    }
}
