//! The emulator and the portal (and, for the chaos run, Redis and nginx) as child
//! processes: free ports, start, readiness, memory, and a kill when dropped (also on
//! errors and on Ctrl-C). The chaos run (`examples/chaos`) uses this module too.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process that is killed when dropped (also on errors and on Ctrl-C).
pub struct Proc {
    pub child: Child,
}

impl Proc {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            _ => None,
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two distinct free ports (both listeners are held until both are known).
pub fn free_ports() -> Result<(u16, u16), String> {
    let ports = free_port_list(2)?;
    Ok((ports[0], ports[1]))
}

/// `n` distinct free loopback ports (every listener is held until all are known).
pub fn free_port_list(n: usize) -> Result<Vec<u16>, String> {
    let listeners = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()).map_err(|e| e.to_string()))
        .collect()
}

pub fn binary() -> PathBuf {
    // This example lives in target/release/examples/; the binary in target/release/.
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent()?.parent().map(|d| d.join("direct-signin")))
        .filter(|p| p.exists())
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/direct-signin")
        })
}

/// Starts the release `direct-signin` binary with `args` and `env`, output to `log`.
pub fn spawn(args: &[&str], env: &[(&str, String)], log: &Path) -> Result<Proc, String> {
    spawn_program(&binary(), args, env, log)
}

/// Starts `program` with `args` and `env` in the repository's directory, output to `log`.
pub fn spawn_program(
    program: &Path,
    args: &[&str],
    env: &[(&str, String)],
    log: &Path,
) -> Result<Proc, String> {
    let out = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    Ok(Proc { child })
}

/// Waits up to 30 s for `url` to answer 2xx, failing early when `proc` exits.
pub async fn wait_ready(
    http: &reqwest::Client,
    url: &str,
    proc: &mut Proc,
    what: &str,
    log: &Path,
) -> Result<(), String> {
    let until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < until {
        if let Some(status) = proc.exited() {
            return Err(format!(
                "the {what} exited ({status}); see {}",
                log.display()
            ));
        }
        if let Ok(r) = http.get(url).send().await {
            if r.status().is_success() {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!(
        "the {what} was not ready within 30 s; see {}",
        log.display()
    ))
}

/// The resident and peak memory of a process, in KiB (`/proc/<pid>/status`).
pub fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
