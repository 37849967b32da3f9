//! Redis processes of a test's own, on free loopback ports: one server, a master with a
//! replica watched by Sentinels, or a three-master Redis Cluster. They run Debian's
//! `redis-server` and `redis-sentinel` (`scripts/test` installs both), are checked with
//! `redis-cli`, and are killed (SIGKILL) when dropped. Waits poll a condition with a
//! deadline; none sleeps for a fixed time.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free TCP port on the loopback interface.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A fresh scratch directory for one process's files.
fn scratch(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!(
        "direct-signin-{name}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// Polls `ready` every 20 ms until it holds; panics with `what` after `within`.
pub fn wait_until(what: &str, within: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !ready() {
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `redis-cli -p port args...`: its output, or an empty string when it failed.
pub fn cli(port: u16, args: &[&str]) -> String {
    Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .stderr(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

/// One `redis-server` (or `redis-sentinel`) process; killed when dropped.
pub struct RedisProcess {
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: PathBuf,
    program: &'static str,
    args: Vec<String>,
    child: Option<Child>,
}

impl RedisProcess {
    /// A `redis-server` on a free port with `args` added (no persistence by default).
    pub fn server(args: &[&str]) -> Self {
        let mut p = Self::new(
            "redis-server",
            free_port(),
            args.iter().map(|a| a.to_string()),
        );
        p.up();
        p
    }

    fn new(program: &'static str, port: u16, extra: impl Iterator<Item = String>) -> Self {
        let dir = scratch(program);
        let mut args: Vec<String> = vec![
            "--bind".into(),
            "127.0.0.1".into(),
            "--port".into(),
            port.to_string(),
            "--save".into(),
            String::new(),
            "--dir".into(),
            dir.display().to_string(),
        ];
        args.extend(extra);
        RedisProcess {
            port,
            dir,
            program,
            args,
            child: None,
        }
    }

    /// `redis://127.0.0.1:<port>/0`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Starts the process (again, on the same port) and waits until it answers `PING`.
    pub fn up(&mut self) {
        let child = Command::new(self.program)
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "{} (Debian packages redis-server, redis-sentinel): {e}",
                    self.program
                )
            });
        self.child = Some(child);
        let port = self.port;
        wait_until("the Redis process answers", Duration::from_secs(10), || {
            cli(port, &["ping"]).trim() == "PONG"
        });
    }

    /// Kills the process at once (SIGKILL, no shutdown), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The process's scratch directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for RedisProcess {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The master name the Sentinels of [`SentinelSet`] watch.
pub const MASTER_NAME: &str = "mymaster";

/// A master, one replica and `n` Sentinels with a short `down-after-milliseconds` (500)
/// and `failover-timeout` (2000), so a failover takes a second or two.
pub struct SentinelSet {
    /// The master at start.
    pub master: RedisProcess,
    /// Its replica at start.
    pub replica: RedisProcess,
    /// The Sentinels.
    pub sentinels: Vec<RedisProcess>,
}

impl SentinelSet {
    /// Starts them and waits until the replica is in sync and every Sentinel knows it.
    pub fn start(n: usize) -> Self {
        let master = RedisProcess::server(&[]);
        let replica = RedisProcess::server(&["--replicaof", "127.0.0.1", &master.port.to_string()]);
        let quorum = n / 2 + 1;
        let sentinels = (0..n)
            .map(|_| {
                let port = free_port();
                let mut s = RedisProcess::new("redis-sentinel", port, std::iter::empty());
                let conf = s.dir.join("sentinel.conf");
                std::fs::write(
                    &conf,
                    format!(
                        "bind 127.0.0.1\nport {port}\ndir {dir}\n\
                         sentinel monitor {MASTER_NAME} 127.0.0.1 {m} {quorum}\n\
                         sentinel down-after-milliseconds {MASTER_NAME} 500\n\
                         sentinel failover-timeout {MASTER_NAME} 2000\n\
                         sentinel parallel-syncs {MASTER_NAME} 1\n",
                        dir = s.dir.display(),
                        m = master.port,
                    ),
                )
                .expect("the Sentinel's configuration");
                s.args = vec![conf.display().to_string()];
                s.up();
                s
            })
            .collect::<Vec<_>>();
        let set = SentinelSet {
            master,
            replica,
            sentinels,
        };
        let replica_port = set.replica.port;
        wait_until("the replica is in sync", Duration::from_secs(10), || {
            cli(replica_port, &["info", "replication"]).contains("master_link_status:up")
        });
        for s in &set.sentinels {
            wait_until(
                "the Sentinel knows the replica",
                Duration::from_secs(15),
                || {
                    cli(s.port, &["sentinel", "replicas", MASTER_NAME])
                        .contains(&replica_port.to_string())
                },
            );
        }
        if n > 1 {
            for s in &set.sentinels {
                wait_until(
                    "the Sentinel knows the others",
                    Duration::from_secs(15),
                    || {
                        cli(s.port, &["sentinel", "sentinels", MASTER_NAME])
                            .matches("runid")
                            .count()
                            >= n - 1
                    },
                );
            }
        }
        set
    }

    /// The Sentinels' addresses, `127.0.0.1:port`.
    pub fn addresses(&self) -> Vec<String> {
        self.sentinels
            .iter()
            .map(|s| format!("127.0.0.1:{}", s.port))
            .collect()
    }

    /// The port of the master as the first Sentinel names it.
    pub fn master_port(&self) -> Option<u16> {
        let out = cli(
            self.sentinels[0].port,
            &["sentinel", "get-master-addr-by-name", MASTER_NAME],
        );
        out.lines().nth(1).and_then(|p| p.trim().parse().ok())
    }

    /// Waits until the Sentinels name the replica as the master and it answers as one.
    pub fn wait_for_promotion(&self, within: Duration) {
        let port = self.replica.port;
        wait_until("the replica is promoted", within, || {
            self.master_port() == Some(port) && cli(port, &["role"]).starts_with("master")
        });
    }
}

/// A Redis Cluster of three masters (no replicas), each slot served.
pub struct RedisClusterSet {
    /// The nodes.
    pub nodes: Vec<RedisProcess>,
}

impl RedisClusterSet {
    /// Starts three `--cluster-enabled yes` servers, joins them with
    /// `redis-cli --cluster create`, and waits until every node reports `cluster_state:ok`.
    pub fn start() -> Self {
        let nodes: Vec<RedisProcess> = (0..3)
            .map(|_| {
                RedisProcess::server(&[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-node-timeout",
                    "2000",
                    "--appendonly",
                    "no",
                ])
            })
            .collect();
        let addresses: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        let created = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addresses)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("redis-cli");
        assert!(created.success(), "redis-cli --cluster create failed");
        for n in &nodes {
            wait_until(
                "the cluster serves every slot",
                Duration::from_secs(15),
                || cli(n.port, &["cluster", "info"]).contains("cluster_state:ok"),
            );
        }
        RedisClusterSet { nodes }
    }

    /// The seed nodes, `redis://127.0.0.1:port`.
    pub fn urls(&self) -> Vec<String> {
        self.nodes
            .iter()
            .map(|n| format!("redis://127.0.0.1:{}", n.port))
            .collect()
    }
}
