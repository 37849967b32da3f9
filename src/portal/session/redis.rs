//! Sessions, sign-in flows and flow leases in Redis, so any number of portal instances
//! behind a load balancer share them: a flow started on one instance finishes on another,
//! and a restart loses nothing.
//!
//! Keys (all under a configurable prefix): `s:<key>` the record as JSON with the session's
//! TTL; `u:{<user id>}` a sorted set of that user's session keys, each scored with the
//! time (ms, Redis's clock) until which its session may live; `l:<name>` a lease
//! (`SET NX PX`) whose value is the owner's token.
//!
//! Redis Cluster: every script and command here touches one key, so each runs in one slot
//! whatever the layout. The session and its user's index live in different slots (a
//! session key is looked up by its id alone, so it cannot carry the user's tag), so a
//! write is two steps: first the index entry (its score and the index's TTL in one
//! script), then the session. A crash between them leaves an index entry without a
//! session, which readers skip (they load each key); never a live session missing from
//! its user's index, so "sign out everywhere" reaches every session. An update moves only
//! an entry that is there (a write-back after a sign-out brings none back). Expired entries
//! leave the index by their score, inside the index's own scripts, so no step needs the
//! session and the index together. The tag `{...}` around the user keeps the layout one
//! for every mode (and a name apart from the old plain set `u:<user id>`, which is only
//! read, for sessions written before the upgrade, until it expires).
//!
//! Every key has a TTL from the moment it exists; the index lives as long as its longest
//! session. Ownership checks (a lease's release and extension, a session's write-back only
//! while it exists) happen inside Redis, in one step, so nothing can come between the
//! check and the write. No `WAIT` after writes: see the README (a failover can lose the
//! last writes the replica had not received; sign-ins then start again).

use std::sync::LazyLock;

use async_trait::async_trait;
use redis::{AsyncCommands, Script};

use super::record::Record;
use super::store::{LeaseToken, SessionKey, SessionStore, StoreError};
use crate::portal::stores::{idempotent, RedisConn};

/// Redis's time in ms (scripts are replicated by their effects, so `TIME` is safe).
const NOW_MS: &str = "local t = redis.call('TIME')\nlocal now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n";

/// Puts a session key in its user's index until its TTL (plus a second, so the entry
/// never leaves before the session), drops entries past their time, and keeps the
/// index's own TTL at least the session's. KEYS: index. ARGV: member, ttl (s), "create"
/// | "update". An update only moves an entry that is there (a session signed out since
/// has none, and gets none back); answers whether the entry is there now.
static INDEX: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r"{NOW_MS}
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
if ARGV[3] == 'update' then
  if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
end
redis.call('ZADD', KEYS[1], now + ttl * 1000 + 1000, ARGV[1])
if redis.call('TTL', KEYS[1]) < ttl + 1 then redis.call('EXPIRE', KEYS[1], ttl + 1) end
return 1
"
    ))
});

/// A user's session keys whose time has not passed, dropping the others. KEYS: index.
static MEMBERS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r"{NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
"
    ))
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

/// Sessions and leases in Redis, shared by every instance.
pub struct RedisStore {
    conn: RedisConn,
    prefix: String,
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("redis: {e}"))
}

impl RedisStore {
    /// Over `conn` (see [`crate::portal::stores`]), keys under `prefix`.
    pub fn new(conn: impl Into<RedisConn>, prefix: &str) -> Self {
        RedisStore {
            conn: conn.into(),
            prefix: prefix.to_string(),
        }
    }

    fn session(&self, key: &SessionKey) -> String {
        format!("{}s:{}", self.prefix, key.0)
    }

    fn user(&self, user: &str) -> String {
        format!("{}u:{}", self.prefix, hash_tag(user))
    }

    /// The index of the layout before hash tags (a plain set), read until it expires.
    fn legacy_user(&self, user: &str) -> String {
        format!("{}u:{user}", self.prefix)
    }

    /// Runs [`INDEX`] for `key` in `index`; whether the entry is there now.
    async fn index_entry(
        &self,
        index: &str,
        key: &SessionKey,
        ttl: i64,
        mode: &str,
    ) -> Result<bool, StoreError> {
        // The same entry written twice is written once.
        let there: i64 = idempotent(&self.conn, |mut conn| async move {
            INDEX
                .key(index)
                .arg(&key.0)
                .arg(ttl)
                .arg(mode)
                .invoke_async(&mut conn)
                .await
        })
        .await
        .map_err(err)?;
        Ok(there == 1)
    }

    /// Whether the old plain set lists `key` (a session written before the upgrade).
    async fn in_legacy_index(&self, user: &str, key: &SessionKey) -> Result<bool, StoreError> {
        let legacy = self.legacy_user(user);
        idempotent(&self.conn, |mut conn| {
            let legacy = &legacy;
            async move { conn.sismember(legacy, &key.0).await }
        })
        .await
        .map_err(err)
    }

    fn lease(&self, name: &str) -> String {
        format!("{}l:{name}", self.prefix)
    }

    /// A write of a session, after its index entry (see the module header for the
    /// order); `false` when an update found the session gone.
    async fn write(
        &self,
        key: &SessionKey,
        record: &Record,
        ttl_secs: i64,
        update: bool,
    ) -> Result<bool, StoreError> {
        let json = serde_json::to_string(record).map_err(err)?;
        let ttl = ttl_secs.max(1);
        if let Some(user) = record.user_id() {
            let index = self.user(user);
            let mode = if update { "update" } else { "create" };
            if !self.index_entry(&index, key, ttl, mode).await?
                && self.in_legacy_index(user, key).await?
            {
                // A session of the layout before hash tags: its entry moves to the new index.
                self.index_entry(&index, key, ttl, "create").await?;
            }
        }
        let session = self.session(key);
        // The same value and TTL written twice is written once.
        let written: Option<String> = idempotent(&self.conn, |mut conn| {
            let (session, json) = (&session, &json);
            async move {
                let mut set = redis::cmd("SET");
                set.arg(session).arg(json).arg("EX").arg(ttl);
                if update {
                    set.arg("XX");
                }
                set.query_async(&mut conn).await
            }
        })
        .await
        .map_err(err)?;
        Ok(written.is_some())
    }
}

/// `s` as a hash tag (`{s}`): braces and `%` are percent-encoded so the tag ends where it
/// should, and an empty `s` still gives a tag of its own.
pub fn hash_tag(s: &str) -> String {
    if s.is_empty() {
        return "{%}".into();
    }
    let mut tag = String::with_capacity(s.len() + 2);
    tag.push('{');
    for c in s.chars() {
        match c {
            '{' => tag.push_str("%7B"),
            '}' => tag.push_str("%7D"),
            '%' => tag.push_str("%25"),
            c => tag.push(c),
        }
    }
    tag.push('}');
    tag
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
        self.write(key, record, ttl_secs, false).await.map(|_| ())
    }

    async fn update(
        &self,
        key: &SessionKey,
        record: &Record,
        ttl_secs: i64,
    ) -> Result<bool, StoreError> {
        self.write(key, record, ttl_secs, true).await
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
                async move { conn.zrem(index, &key.0).await }
            })
            .await
            .map_err(err)?;
        }
        Ok(())
    }

    async fn user_sessions(&self, user: &str) -> Result<Vec<SessionKey>, StoreError> {
        let index = self.user(user);
        let mut keys: Vec<String> = idempotent(&self.conn, |mut conn| {
            let index = &index;
            async move { MEMBERS.key(index).invoke_async(&mut conn).await }
        })
        .await
        .map_err(err)?;
        // Sessions written before the upgrade are in the old plain set (one key; each
        // member is checked on its own, as the sessions may live in other slots).
        let legacy = self.legacy_user(user);
        let old: Vec<String> = idempotent(&self.conn, |mut conn| {
            let legacy = &legacy;
            async move { conn.smembers(legacy).await }
        })
        .await
        .map_err(err)?;
        for member in old {
            let session = self.session(&SessionKey(member.clone()));
            let live: bool = idempotent(&self.conn, |mut conn| {
                let session = &session;
                async move { conn.exists(session).await }
            })
            .await
            .map_err(err)?;
            if live && !keys.contains(&member) {
                keys.push(member);
            }
        }
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
        self.conn.ready().await.map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::hash_tag;

    #[test]
    fn a_hash_tag_holds_no_brace_and_is_never_empty() {
        assert_eq!(hash_tag("00u1"), "{00u1}");
        assert_eq!(hash_tag("a}b{c%"), "{a%7Db%7Bc%25}");
        assert_eq!(hash_tag(""), "{%}");
        assert_ne!(hash_tag("%7D"), hash_tag("}"), "still one tag per name");
    }
}
