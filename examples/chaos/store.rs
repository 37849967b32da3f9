//! The run's Redis: a master and one replica (append-only files on, in
//! `target/chaos/redis-*`), and with `--sentinel` one `redis-sentinel` watching them as
//! `mymaster` (quorum 1, down after 1 s). The failover fault acts here.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::fleet::stop_gracefully;
use crate::procs::{spawn_program, Proc};

/// The master's name at Sentinel (the portal's `redis.master_name`).
pub const MASTER_NAME: &str = "mymaster";

/// One `redis-server` and how to start it again.
struct Server {
    port: u16,
    args: Vec<String>,
    proc: Option<Proc>,
    log: std::path::PathBuf,
}

/// Master, replica and (maybe) Sentinel.
pub struct Store {
    servers: Vec<Server>,
    pub master: u16,
    pub replica: u16,
    pub sentinel_port: Option<u16>,
    sentinel: Option<Proc>,
}

/// One command to the Redis server on `port`, with a timeout.
pub async fn query<T: redis::FromRedisValue>(port: u16, args: &[&str]) -> Result<T, String> {
    let client =
        redis::Client::open(format!("redis://127.0.0.1:{port}/")).map_err(|e| e.to_string())?;
    let work = async {
        let mut con = client
            .get_multiplexed_async_connection()
            .await
            .map_err(|e| e.to_string())?;
        let mut cmd = redis::cmd(args[0]);
        for a in &args[1..] {
            cmd.arg(*a);
        }
        cmd.query_async::<T>(&mut con)
            .await
            .map_err(|e| e.to_string())
    };
    tokio::time::timeout(Duration::from_secs(2), work)
        .await
        .map_err(|_| format!("redis :{port}: no answer within 2 s"))?
}

/// Waits until `check` holds (polling every 100 ms), at most `limit`.
async fn until<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < limit {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Which server Sentinel on `sentinel` names as the master (its port).
async fn sentinel_master(sentinel: u16) -> Option<u16> {
    query::<Vec<String>>(
        sentinel,
        &["SENTINEL", "get-master-addr-by-name", MASTER_NAME],
    )
    .await
    .ok()?
    .get(1)?
    .parse()
    .ok()
}

impl Store {
    /// Starts the master, the replica (waiting until it has synced) and, when asked,
    /// Sentinel (waiting until it sees the master).
    pub async fn start(
        dir: &Path,
        master: u16,
        replica: u16,
        sentinel: Option<u16>,
    ) -> Result<Store, String> {
        let mut servers = vec![];
        for (role, port) in [("master", master), ("replica", replica)] {
            let data = dir.join(format!("redis-{role}"));
            std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
            let mut args: Vec<String> = [
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--dir",
                &data.to_string_lossy(),
                "--appendonly",
                "yes",
                "--save",
                "",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            if role == "replica" {
                args.extend(["--replicaof".into(), "127.0.0.1".into(), master.to_string()]);
            }
            let mut server = Server {
                port,
                args,
                proc: None,
                log: dir.join(format!("redis-{role}.log")),
            };
            server.start().await?;
            servers.push(server);
        }
        let synced = until(Duration::from_secs(15), move || async move {
            query::<String>(replica, &["INFO", "replication"])
                .await
                .is_ok_and(|info| info.contains("master_link_status:up"))
        })
        .await;
        if !synced {
            return Err(format!(
                "the Redis replica did not sync with its master; see {}",
                dir.display()
            ));
        }
        let sentinel_proc = match sentinel {
            Some(port) => {
                let conf = dir.join("sentinel.conf");
                std::fs::write(
                    &conf,
                    format!(
                        "port {port}\nbind 127.0.0.1\ndir {}\n\
                         sentinel monitor {MASTER_NAME} 127.0.0.1 {master} 1\n\
                         sentinel down-after-milliseconds {MASTER_NAME} 1000\n\
                         sentinel failover-timeout {MASTER_NAME} 5000\n\
                         sentinel parallel-syncs {MASTER_NAME} 1\n",
                        dir.display()
                    ),
                )
                .map_err(|e| e.to_string())?;
                let proc = spawn_program(
                    Path::new("redis-sentinel"),
                    &[&conf.to_string_lossy()],
                    &[],
                    &dir.join("sentinel.log"),
                )?;
                let sees = until(Duration::from_secs(10), move || async move {
                    sentinel_master(port).await == Some(master)
                })
                .await;
                if !sees {
                    return Err("redis-sentinel does not see the master".into());
                }
                Some(proc)
            }
            None => None,
        };
        Ok(Store {
            servers,
            master,
            replica,
            sentinel_port: sentinel,
            sentinel: sentinel_proc,
        })
    }

    /// With Sentinel: SIGKILL on the master, until Sentinel names the replica. Without:
    /// the master stopped (SIGTERM, its append-only file flushed) and started again.
    pub async fn failover(&mut self) -> String {
        let (master, replica) = (self.master, self.replica);
        let Some(p) = self.servers[0].proc.take() else {
            return "the Redis master was not running".into();
        };
        if let Some(sentinel) = self.sentinel_port {
            drop(p); // SIGKILL
            let started = Instant::now();
            let promoted = until(Duration::from_secs(30), move || async move {
                sentinel_master(sentinel).await == Some(replica)
            })
            .await;
            if promoted {
                format!(
                    "Redis master :{master} killed with SIGKILL; Sentinel promoted the replica :{replica} after {:.1} s",
                    started.elapsed().as_secs_f64()
                )
            } else {
                format!("Redis master :{master} killed; Sentinel did not promote the replica within 30 s")
            }
        } else {
            let stopped = stop_gracefully(p, Duration::from_secs(10)).await;
            let started = Instant::now();
            match self.servers[0].start().await {
                Ok(()) => format!(
                    "no Sentinel: Redis master :{master} restarted instead of failed over (stopped in {:.1} s, answering again after {:.1} s)",
                    stopped.as_secs_f64(),
                    started.elapsed().as_secs_f64()
                ),
                Err(e) => format!("the Redis master did not start again: {e}"),
            }
        }
    }

    /// The role of each server (`INFO replication`), or "down".
    pub async fn roles(&self) -> String {
        let mut roles = vec![];
        for s in &self.servers {
            let role = match query::<String>(s.port, &["INFO", "replication"]).await {
                Ok(info) => info
                    .lines()
                    .find_map(|l| l.strip_prefix("role:"))
                    .unwrap_or("?")
                    .trim()
                    .to_string(),
                Err(_) => "down".to_string(),
            };
            roles.push(format!(":{} {role}", s.port));
        }
        roles.join(", ")
    }

    /// Sentinel first, then the servers (SIGTERM).
    pub async fn stop(&mut self) {
        let grace = Duration::from_secs(5);
        if let Some(s) = self.sentinel.take() {
            stop_gracefully(s, grace).await;
        }
        for s in &mut self.servers {
            if let Some(proc) = s.proc.take() {
                stop_gracefully(proc, grace).await;
            }
        }
    }
}

impl Server {
    async fn start(&mut self) -> Result<(), String> {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        // A restarted server writes a log of its own; the first one stays.
        let log = if self.log.exists() {
            self.log.with_extension("restart.log")
        } else {
            self.log.clone()
        };
        let mut proc = spawn_program(Path::new("redis-server"), &args, &[], &log)?;
        let port = self.port;
        let up = until(Duration::from_secs(15), move || async move {
            query::<String>(port, &["PING"]).await.is_ok()
        })
        .await;
        if let Some(status) = proc.exited() {
            return Err(format!(
                "redis-server :{port} exited ({status}); see {}",
                log.display()
            ));
        }
        if !up {
            return Err(format!(
                "redis-server :{port} does not answer; see {}",
                log.display()
            ));
        }
        self.proc = Some(proc);
        Ok(())
    }
}
