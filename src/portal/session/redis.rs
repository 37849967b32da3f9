//! Sessions, sign-in flows and flow leases in Redis, so any number of portal instances
//! behind a load balancer share them: a flow started on one instance finishes on another,
//! and a restart loses nothing.
//!
//! Keys (all under a configurable prefix): `s:<key>` the record as JSON with the session's
//! TTL; `u:<user id>` a set of that user's session keys; `l:<name>` a lease (`SET NX PX`).

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use redis::AsyncCommands;

use super::record::Record;
use super::store::{SessionKey, SessionStore, StoreError};

pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("redis: {e}"))
}

impl RedisStore {
    /// Connects (and keeps reconnecting when the connection drops).
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(err)?;
        let conn = client.get_connection_manager().await.map_err(err)?;
        Ok(RedisStore {
            conn,
            prefix: prefix.to_string(),
        })
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
}

#[async_trait]
impl SessionStore for RedisStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<Record>, StoreError> {
        let mut conn = self.conn.clone();
        let json: Option<String> = conn.get(self.session(key)).await.map_err(err)?;
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
        let json = serde_json::to_string(record).map_err(err)?;
        let ttl = ttl_secs.max(1);
        let mut pipe = redis::pipe();
        pipe.set_ex(self.session(key), json, ttl as u64).ignore();
        if let Some(user) = record.user_id() {
            let index = self.user(user);
            pipe.sadd(&index, &key.0).ignore();
            // The index lives as long as its longest session.
            pipe.cmd("EXPIRE").arg(&index).arg(ttl).arg("NX").ignore();
            pipe.cmd("EXPIRE").arg(&index).arg(ttl).arg("GT").ignore();
        }
        let mut conn = self.conn.clone();
        pipe.query_async::<()>(&mut conn).await.map_err(err)
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        let json: Option<String> = redis::cmd("GETDEL")
            .arg(self.session(key))
            .query_async(&mut conn)
            .await
            .map_err(err)?;
        let user = json
            .and_then(|j| serde_json::from_str::<Record>(&j).ok())
            .and_then(|r| r.user_id().map(str::to_string));
        if let Some(user) = user {
            let _: i64 = conn.srem(self.user(&user), &key.0).await.map_err(err)?;
        }
        Ok(())
    }

    async fn user_sessions(&self, user: &str) -> Result<Vec<SessionKey>, StoreError> {
        let mut conn = self.conn.clone();
        let keys: Vec<String> = conn.smembers(self.user(user)).await.map_err(err)?;
        Ok(keys.into_iter().map(SessionKey).collect())
    }

    async fn claim(&self, name: &str, ttl_ms: i64) -> Result<bool, StoreError> {
        let mut conn = self.conn.clone();
        let set: Option<String> = redis::cmd("SET")
            .arg(self.lease(name))
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(ttl_ms.max(1))
            .query_async(&mut conn)
            .await
            .map_err(err)?;
        Ok(set.is_some())
    }

    async fn release(&self, name: &str) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        let _: i64 = conn.del(self.lease(name)).await.map_err(err)?;
        Ok(())
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
