//! The one store factory: where sessions and failure counts live, chosen by
//! `session.store`. With Redis, both stores share one connection (one
//! [`ConnectionManager`], which reconnects by itself), so instances share sessions, flows
//! and failure budgets.

use std::sync::Arc;

use redis::aio::ConnectionManager;

use super::abuse::failures::{FailureBook, FailureStore, RedisFailures};
use super::session::redis::RedisStore;
use super::session::{MemoryStore, SessionStore, StoreError};
use crate::clock::Clock;
use crate::config::{Config, StoreKind};

/// The stores a portal runs on.
#[derive(Clone)]
pub struct Stores {
    /// Where sessions and leases live.
    pub sessions: Arc<dyn SessionStore>,
    /// Where failure counts live.
    pub failures: Arc<dyn FailureStore>,
}

impl Stores {
    /// Both in this process's memory (one instance).
    pub fn memory(clock: &Clock) -> Self {
        Stores {
            sessions: Arc::new(MemoryStore::new(clock.clone())),
            failures: Arc::new(FailureBook::default()),
        }
    }

    /// Both in Redis under `prefix`, over one connection.
    pub fn redis(conn: ConnectionManager, prefix: &str) -> Self {
        Stores {
            sessions: Arc::new(RedisStore::new(conn.clone(), prefix)),
            failures: Arc::new(RedisFailures::new(conn, prefix)),
        }
    }

    /// What the configuration asks for; connects to Redis when it is the store.
    /// `session.store`; with Redis, `[redis]` (`redis.url`, `redis.prefix`).
    pub async fn from_config(config: &Config, clock: &Clock) -> Result<Self, String> {
        if config.session.store == StoreKind::Redis {
            let conn = connect(&config.redis.url)
                .await
                .map_err(|e| format!("redis.url: {e}"))?;
            Ok(Stores::redis(conn, &config.redis.prefix))
        } else {
            Ok(Stores::memory(clock))
        }
    }
}

/// A Redis connection that keeps reconnecting when it drops.
pub async fn connect(url: &str) -> Result<ConnectionManager, StoreError> {
    let err = |e: redis::RedisError| StoreError(format!("redis: {e}"));
    let client = redis::Client::open(url).map_err(err)?;
    client.get_connection_manager().await.map_err(err)
}
