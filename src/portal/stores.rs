//! The one store factory: where sessions and failure counts live, chosen by
//! `session.store`. With Redis, the stores and the rate limiters share one connection
//! (one [`ConnectionManager`], which reconnects by itself), so instances share sessions,
//! flows, failure budgets and every rate limit.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::abuse::failures::{FailureBook, FailureStore, RedisFailures};
use super::abuse::limiter::LimiterHome;
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
    /// Where the rate limiters and delivery caps live.
    pub limits: LimiterHome,
}

impl Stores {
    /// Both in this process's memory (one instance).
    pub fn memory(clock: &Clock) -> Self {
        Stores {
            sessions: Arc::new(MemoryStore::new(clock.clone())),
            failures: Arc::new(FailureBook::default()),
            limits: LimiterHome::default(),
        }
    }

    /// Both in Redis under `prefix`, over one connection.
    pub fn redis(conn: ConnectionManager, prefix: &str) -> Self {
        Stores {
            sessions: Arc::new(RedisStore::new(conn.clone(), prefix)),
            failures: Arc::new(RedisFailures::new(conn.clone(), prefix)),
            limits: LimiterHome {
                redis: Some((conn, prefix.to_string())),
            },
        }
    }

    /// What the configuration asks for; connects to Redis when it is the store.
    /// `session.store`; with Redis, `[redis]` (`redis.url`, `redis.prefix`).
    pub async fn from_config(config: &Config, clock: &Clock) -> Result<Self, String> {
        if config.session.store == StoreKind::Redis {
            let conn = connect_with(
                &config.redis.url,
                Duration::from_millis(config.redis.timeout_ms),
            )
            .await
            .map_err(|e| format!("redis.url: {e}"))?;
            Ok(Stores::redis(conn, &config.redis.prefix))
        } else {
            Ok(Stores::memory(clock))
        }
    }
}

/// How long a Redis command or connection attempt may take by default (`redis.timeout_ms`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(500);

/// A Redis connection that keeps reconnecting when it drops, with the default timeout.
pub async fn connect(url: &str) -> Result<ConnectionManager, StoreError> {
    connect_with(url, DEFAULT_TIMEOUT).await
}

/// A Redis connection that keeps reconnecting when it drops. Every command and every
/// connection attempt gives up after `timeout`, so a Redis that hangs costs a request that
/// long and then the "try again" page, never a request stuck for good. Reconnection is
/// retried 100 ms, 200 ms, then every 500 ms, so a Redis that comes back is used again
/// within about half a second.
pub async fn connect_with(url: &str, timeout: Duration) -> Result<ConnectionManager, StoreError> {
    let err = |e: redis::RedisError| StoreError(format!("redis: {e}"));
    let client = redis::Client::open(url).map_err(err)?;
    let config = ConnectionManagerConfig::new()
        .set_response_timeout(Some(timeout))
        .set_connection_timeout(Some(timeout))
        .set_min_delay(Duration::from_millis(100))
        .set_max_delay(Duration::from_millis(500))
        .set_number_of_retries(8);
    client
        .get_connection_manager_with_config(config)
        .await
        .map_err(err)
}

/// Runs a command that may safely run twice (a read, or a write of the same value).
/// After a Redis restart the first command on the old connection fails ("broken pipe")
/// while the connection manager reconnects; such a command is run once more, on the new
/// connection, instead of failing the request. A timeout is not retried (it would double
/// the wait), and neither is a command that may count twice: those use the connection
/// directly.
pub async fn idempotent<T, F, Fut>(conn: &ConnectionManager, command: F) -> redis::RedisResult<T>
where
    F: Fn(ConnectionManager) -> Fut,
    Fut: Future<Output = redis::RedisResult<T>>,
{
    match command(conn.clone()).await {
        Err(e) if e.is_connection_dropped() || e.is_io_error() || e.is_connection_refusal() => {
            tracing::info!(error = %e, "a Redis command met a dropped connection; once more");
            command(conn.clone()).await
        }
        done => done,
    }
}
