//! The Redis master of a Sentinel deployment, found through the Sentinels and found again
//! after a failover.
//!
//! A [`SentinelConn`] holds a connection manager to the master the Sentinels named. When
//! a command finds that connection lost (dropped, refused, an I/O error) or answered
//! READONLY (the old master came back demoted to a replica), the connection is marked
//! lost and one background task asks the Sentinels for the master again, every 100 ms,
//! until one answers as a master; then the new connection replaces the old one. Commands
//! that arrive meanwhile wait for it (at most `redis.failover_wait_ms`) instead of
//! failing one after another on a dead address, so a failover costs only the commands
//! that were on the wire when the master went; [`super::idempotent`] runs those once more
//! when they may safely run twice. Readiness does not wait: it is false while the master
//! is being looked for.

use std::sync::{Arc, Weak};
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager};
use redis::sentinel::{SentinelClient, SentinelNodeConnectionInfo, SentinelServerType};
use redis::{Cmd, IntoConnectionInfo, Pipeline, RedisError, RedisFuture, RedisResult, Value};
use tokio::sync::{watch, Mutex};

use super::{is_lost, manager_config};
use crate::config::redis::node_url;
use crate::portal::session::StoreError;

/// The master connection, or none while the master is being looked for.
#[derive(Clone)]
enum State {
    /// Connected: the `generation`-th master connection.
    Up(u64, ConnectionManager),
    /// Lost; a task is looking for the master.
    Lost,
}

struct Shared {
    sentinel: Mutex<SentinelClient>,
    state: watch::Sender<State>,
    timeout: Duration,
    failover_wait: Duration,
    db: i64,
}

/// A connection to the current master of a Sentinel deployment (cheap to clone).
#[derive(Clone)]
pub struct SentinelConn {
    shared: Arc<Shared>,
}

fn error(message: &'static str) -> RedisError {
    RedisError::from((redis::ErrorKind::Io, message))
}

impl SentinelConn {
    /// Asks `sentinels` (`host:port` or `redis://` URLs) for the master named `master`
    /// and connects to it with the database and credentials of `url`.
    pub async fn connect(
        sentinels: &[String],
        master: &str,
        url: &str,
        timeout: Duration,
        failover_wait: Duration,
    ) -> Result<Self, StoreError> {
        let err = |e: RedisError| StoreError(format!("redis: {e}"));
        let addresses = sentinels
            .iter()
            .map(|s| node_url(s).map(|u| u.to_string()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError)?;
        let master_info = url.into_connection_info().map_err(err)?;
        let db = master_info.redis_settings().db();
        let node = SentinelNodeConnectionInfo::default()
            .set_redis_connection_info(master_info.redis_settings().clone());
        let client = SentinelClient::build(
            addresses,
            master.to_string(),
            Some(node),
            SentinelServerType::Master,
        )
        .map_err(err)?;
        let sentinel = Mutex::new(client);
        let first = find_master(&sentinel, timeout).await.map_err(err)?;
        let (state, _) = watch::channel(State::Up(0, first));
        Ok(SentinelConn {
            shared: Arc::new(Shared {
                sentinel,
                state,
                timeout,
                failover_wait,
                db,
            }),
        })
    }

    /// The current master connection, waiting (at most `failover_wait`) while it is
    /// being looked for.
    async fn current(&self) -> RedisResult<(u64, ConnectionManager)> {
        let mut rx = self.shared.state.subscribe();
        let up = tokio::time::timeout(
            self.shared.failover_wait,
            rx.wait_for(|s| matches!(s, State::Up(..))),
        )
        .await;
        match up {
            Ok(Ok(state)) => match &*state {
                State::Up(generation, conn) => Ok((*generation, conn.clone())),
                State::Lost => Err(error("no Redis master")),
            },
            _ => Err(error(
                "no Redis master: the Sentinels name none that answers",
            )),
        }
    }

    /// After a command on the `generation`-th connection failed with `e`: when the
    /// connection is lost, marks it so and starts the one search for the master.
    fn failed(&self, generation: u64, e: &RedisError) {
        if !is_lost(e) {
            return;
        }
        let lost = self.shared.state.send_if_modified(|s| match s {
            State::Up(g, _) if *g == generation => {
                *s = State::Lost;
                true
            }
            _ => false,
        });
        if lost {
            tracing::warn!(error = %e, "the Redis master was lost; asking the Sentinels");
            tokio::spawn(rediscover(Arc::downgrade(&self.shared), generation));
        }
    }

    /// Readiness: an error at once while the master is being looked for, else a `PING`.
    pub async fn ping(&self) -> RedisResult<()> {
        let current = self.shared.state.borrow().clone();
        match current {
            State::Lost => Err(error("a Redis failover is under way")),
            State::Up(generation, mut conn) => {
                let r = redis::cmd("PING").query_async::<()>(&mut conn).await;
                if let Err(e) = &r {
                    self.failed(generation, e);
                }
                r
            }
        }
    }
}

/// Asks the Sentinels for the master and connects to it. The redis crate checks that
/// the server it names answers `ROLE` as a master.
async fn find_master(
    sentinel: &Mutex<SentinelClient>,
    timeout: Duration,
) -> RedisResult<ConnectionManager> {
    let lookup = async {
        let client = sentinel.lock().await.async_get_client().await?;
        client
            .get_connection_manager_with_config(manager_config(timeout).set_number_of_retries(1))
            .await
    };
    // A Sentinel that hangs must not stall the search: each attempt is bounded.
    tokio::time::timeout(timeout * 4, lookup)
        .await
        .unwrap_or_else(|_| Err(error("the Sentinels did not answer in time")))
}

/// Looks for the master every 100 ms until one answers, then installs the connection as
/// the next generation. Ends when every [`SentinelConn`] is gone.
async fn rediscover(shared: Weak<Shared>, generation: u64) {
    let mut attempts = 0u32;
    loop {
        let Some(s) = shared.upgrade() else { return };
        match find_master(&s.sentinel, s.timeout).await {
            Ok(conn) => {
                s.state.send_replace(State::Up(generation + 1, conn));
                tracing::info!(attempts, "the Redis master was found again");
                return;
            }
            Err(e) => {
                attempts += 1;
                if attempts % 50 == 1 {
                    tracing::warn!(error = %e, attempts, "no Redis master yet");
                }
            }
        }
        drop(s);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl ConnectionLike for SentinelConn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let (generation, mut conn) = self.current().await?;
            let r = conn.req_packed_command(cmd).await;
            if let Err(e) = &r {
                self.failed(generation, e);
            }
            r
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let (generation, mut conn) = self.current().await?;
            let r = conn.req_packed_commands(pipeline, offset, count).await;
            if let Err(e) = &r {
                self.failed(generation, e);
            }
            r
        })
    }

    fn get_db(&self) -> i64 {
        self.shared.db
    }
}
