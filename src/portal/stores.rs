//! The one store factory: where sessions and failure counts live, chosen by
//! `session.store`. With Redis, the stores and the rate limiters share one connection,
//! a [`RedisConn`], whatever the deployment (`redis.mode`): one server (a
//! [`ConnectionManager`], which reconnects by itself), a master found through Sentinel
//! (a [`SentinelConn`], which asks the Sentinels again after a lost connection or a
//! READONLY answer) or a Redis Cluster (the redis crate's cluster connection, which
//! follows the slots by itself). So instances share sessions, flows, failure budgets and
//! every rate limit. Under Cluster, every script and multi-key command touches keys of
//! one slot only: see the key layouts in the session, failure and limiter modules.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};

use super::abuse::failures::{FailureBook, FailureStore, RedisFailures};
use super::abuse::limiter::LimiterHome;
use super::session::redis::RedisStore;
use super::session::{MemoryStore, SessionStore, StoreError};
use crate::clock::Clock;
use crate::config::redis::{node_url, RedisConfig, RedisMode};
use crate::config::{Config, StoreKind};

#[path = "stores_sentinel.rs"]
mod sentinel;
pub use sentinel::SentinelConn;

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
    pub fn redis(conn: impl Into<RedisConn>, prefix: &str) -> Self {
        let conn = conn.into();
        Stores {
            sessions: Arc::new(RedisStore::new(conn.clone(), prefix)),
            failures: Arc::new(RedisFailures::new(conn.clone(), prefix)),
            limits: LimiterHome {
                redis: Some((conn, prefix.to_string())),
            },
        }
    }

    /// What the configuration asks for; connects to Redis when it is the store.
    /// `session.store`; with Redis, `[redis]` (`redis.mode` and its keys, `redis.prefix`).
    pub async fn from_config(config: &Config, clock: &Clock) -> Result<Self, String> {
        if config.session.store == StoreKind::Redis {
            let conn = connect_config(&config.redis).await?;
            Ok(Stores::redis(conn, &config.redis.prefix))
        } else {
            Ok(Stores::memory(clock))
        }
    }
}

/// The connection the Redis stores and limiters share, for every `redis.mode`. Cheap to
/// clone (all clones share the connection); every command has the configured timeout.
#[derive(Clone)]
pub enum RedisConn {
    /// One server (`redis.mode = "single"`).
    Single(ConnectionManager),
    /// The master that the Sentinels name (`"sentinel"`).
    Sentinel(SentinelConn),
    /// A Redis Cluster (`"cluster"`).
    Cluster(ClusterConnection),
}

impl From<ConnectionManager> for RedisConn {
    fn from(c: ConnectionManager) -> Self {
        RedisConn::Single(c)
    }
}

impl ConnectionLike for RedisConn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            RedisConn::Single(c) => c.req_packed_command(cmd),
            RedisConn::Sentinel(c) => c.req_packed_command(cmd),
            RedisConn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            RedisConn::Single(c) => c.req_packed_commands(pipeline, offset, count),
            RedisConn::Sentinel(c) => c.req_packed_commands(pipeline, offset, count),
            RedisConn::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            RedisConn::Single(c) => c.get_db(),
            RedisConn::Sentinel(c) => c.get_db(),
            RedisConn::Cluster(_) => 0,
        }
    }
}

impl RedisConn {
    /// Whether the deployment can serve commands now (readiness): a `PING` for one server;
    /// in sentinel mode, no failover under way and the master answering; for a cluster,
    /// a node reporting `cluster_state:ok` (every slot served).
    pub async fn ready(&self) -> redis::RedisResult<()> {
        match self {
            RedisConn::Single(c) => redis::cmd("PING").query_async(&mut c.clone()).await,
            RedisConn::Sentinel(c) => c.ping().await,
            RedisConn::Cluster(c) => {
                let info: String = redis::cmd("CLUSTER")
                    .arg("INFO")
                    .query_async(&mut c.clone())
                    .await?;
                if info.lines().any(|l| l.trim() == "cluster_state:ok") {
                    Ok(())
                } else {
                    Err(redis::RedisError::from((
                        redis::ErrorKind::Client,
                        "the cluster does not serve every slot",
                    )))
                }
            }
        }
    }
}

/// How long a Redis command or connection attempt may take by default (`redis.timeout_ms`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(500);

/// A connection to one server that keeps reconnecting when it drops, with the default
/// timeout.
pub async fn connect(url: &str) -> Result<RedisConn, StoreError> {
    connect_with(url, DEFAULT_TIMEOUT)
        .await
        .map(RedisConn::Single)
}

/// The configuration's connection, in its `redis.mode`; the error names the key.
pub async fn connect_config(redis: &RedisConfig) -> Result<RedisConn, String> {
    let timeout = Duration::from_millis(redis.timeout_ms);
    match redis.mode {
        RedisMode::Single => connect_with(&redis.url, timeout)
            .await
            .map(RedisConn::Single)
            .map_err(|e| format!("redis.url: {e}")),
        RedisMode::Sentinel => SentinelConn::connect(
            &redis.sentinels,
            &redis.master_name,
            &redis.url,
            timeout,
            Duration::from_millis(redis.failover_wait_ms),
        )
        .await
        .map(RedisConn::Sentinel)
        .map_err(|e| format!("redis.sentinels: {e}")),
        RedisMode::Cluster => connect_cluster(&redis.nodes, timeout)
            .await
            .map(RedisConn::Cluster)
            .map_err(|e| format!("redis.nodes: {e}")),
    }
}

/// A connection to a Redis Cluster from its seed nodes (`host:port` or `redis://` URLs).
/// The cluster connection learns the slots from the nodes, follows `MOVED`/`ASK` and
/// reconnects by itself; every command gives up after `timeout`.
pub async fn connect_cluster(
    nodes: &[String],
    timeout: Duration,
) -> Result<ClusterConnection, StoreError> {
    let err = |e: redis::RedisError| StoreError(format!("redis: {e}"));
    let urls = nodes
        .iter()
        .map(|n| node_url(n).map(|u| u.to_string()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(StoreError)?;
    redis::cluster::ClusterClient::builder(urls)
        .connection_timeout(timeout)
        .response_timeout(timeout)
        .retries(2)
        .min_retry_wait(50)
        .max_retry_wait(500)
        .build()
        .map_err(err)?
        .get_async_connection()
        .await
        .map_err(err)
}

/// The reconnection settings shared by every connection manager: every command and every
/// connection attempt gives up after `timeout`; reconnection is retried 100 ms, 200 ms,
/// then every 500 ms.
fn manager_config(timeout: Duration) -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_response_timeout(Some(timeout))
        .set_connection_timeout(Some(timeout))
        .set_min_delay(Duration::from_millis(100))
        .set_max_delay(Duration::from_millis(500))
        .set_number_of_retries(8)
}

/// A Redis connection that keeps reconnecting when it drops. Every command and every
/// connection attempt gives up after `timeout`, so a Redis that hangs costs a request that
/// long and then the "try again" page, never a request stuck for good. Reconnection is
/// retried 100 ms, 200 ms, then every 500 ms, so a Redis that comes back is used again
/// within about half a second.
pub async fn connect_with(url: &str, timeout: Duration) -> Result<ConnectionManager, StoreError> {
    let err = |e: redis::RedisError| StoreError(format!("redis: {e}"));
    let client = redis::Client::open(url).map_err(err)?;
    client
        .get_connection_manager_with_config(manager_config(timeout))
        .await
        .map_err(err)
}

/// Whether the server answered that it is a replica (after a failover, the old master
/// comes back demoted): the connection is to the wrong server, as if it had dropped.
pub fn is_read_only(e: &redis::RedisError) -> bool {
    e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::ReadOnly)
        || e.code() == Some("READONLY")
}

/// Whether `e` says the connection (not the command) failed: dropped, refused, an I/O
/// error, or a replica where a master should be.
pub fn is_lost(e: &redis::RedisError) -> bool {
    e.is_connection_dropped() || e.is_io_error() || e.is_connection_refusal() || is_read_only(e)
}

/// Runs a command that may safely run twice (a read, or a write of the same value).
/// After a Redis restart the first command on the old connection fails ("broken pipe")
/// while the connection reconnects; after a Sentinel failover it fails (or answers
/// READONLY) while the new master is found. Such a command is run once more, on the new
/// connection, instead of failing the request. A command that may count twice does not
/// come here: those use the connection directly.
pub async fn idempotent<T, F, Fut>(conn: &RedisConn, command: F) -> redis::RedisResult<T>
where
    F: Fn(RedisConn) -> Fut,
    Fut: Future<Output = redis::RedisResult<T>>,
{
    match command(conn.clone()).await {
        Err(e) if is_lost(&e) => {
            tracing::info!(error = %e, "a Redis command met a lost connection; once more");
            command(conn.clone()).await
        }
        done => done,
    }
}
