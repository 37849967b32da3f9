//! The fleet under test, each part its own process on loopback: the emulator with a
//! generated users file, Redis master + replica (+ Sentinel, `store.rs`), three portal
//! instances and nginx in front of them (`nginx.rs`; config and logs in
//! `target/chaos/`). Also the faults that act on instances: kill one, restart one.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use testkit::demo::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TOTP_SECRET};
use testkit::Control;

use crate::browser::http_client;
use crate::nginx;
use crate::options::Options;
use crate::procs::{free_port_list, spawn, wait_ready, Proc};
use crate::store::{Store, MASTER_NAME};

/// How a real user signs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Totp,
    Push,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Totp => "password + TOTP",
            Kind::Push => "password + push",
        }
    }
}

/// A real user of the generated users file.
#[derive(Clone, Debug)]
pub struct UserSpec {
    pub login: String,
    pub password: String,
    pub kind: Kind,
}

/// One portal instance: its port and, while it runs, its process.
pub struct Portal {
    pub port: u16,
    pub proc: Option<Proc>,
    pub log: PathBuf,
    pub starts: u32,
}

/// Everything the run started.
pub struct Fleet {
    pub dir: PathBuf,
    pub http: reqwest::Client,
    pub emu: Control,
    emulator: Proc,
    /// nginx's URL: what every browser talks to.
    pub base: String,
    nginx: Option<Proc>,
    pub portals: Vec<Portal>,
    portal_env: Vec<(&'static str, String)>,
    /// Redis master, replica and maybe Sentinel.
    pub store: Store,
    pub users: Vec<UserSpec>,
}

/// `SIGTERM` to a process (the graceful stop of Rocket, Redis and nginx).
pub fn terminate(proc: &Proc) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &proc.pid().to_string()])
        .status();
}

/// Stops `proc` with `SIGTERM`, then `SIGKILL` after `grace`; how long it took.
pub async fn stop_gracefully(mut proc: Proc, grace: Duration) -> Duration {
    let started = Instant::now();
    terminate(&proc);
    while proc.exited().is_none() && started.elapsed() < grace {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(proc); // SIGKILL if still running
    started.elapsed()
}

fn users_file(o: &Options, dir: &Path) -> Result<(Vec<UserSpec>, PathBuf), String> {
    let specs: Vec<UserSpec> = (0..o.users)
        .map(|i| UserSpec {
            login: format!("chaos-{i:03}@example.com"),
            password: format!("Ch4os-{:08x}!", rand::random::<u32>()),
            kind: if i % 3 == 2 { Kind::Push } else { Kind::Totp },
        })
        .collect();
    let users: Vec<_> = specs
        .iter()
        .map(|u| {
            let mut v = json!({
                "login": u.login,
                "name": format!("Chaos {}", u.login.split('@').next().unwrap_or_default()),
                "password": u.password,
                "policy": {"factors": 2, "password_required": true},
            });
            match u.kind {
                Kind::Totp => v["totp_secret"] = json!(DEMO_TOTP_SECRET),
                Kind::Push => v["push"] = json!({"number_challenge": false}),
            }
            v
        })
        .collect();
    let path = dir.join("users.json");
    std::fs::write(&path, json!({ "users": users }).to_string())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((specs, path))
}

impl Fleet {
    /// Starts everything and waits until each part answers.
    pub async fn start(o: &Options) -> Result<Fleet, String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/chaos");
        // A fresh directory: no Redis data or logs of an earlier run.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let ports = free_port_list(8)?;
        let (emu_port, master, replica, sentinel_port, nginx_port) =
            (ports[0], ports[1], ports[2], ports[3], ports[4]);
        let portal_ports = &ports[5..8];
        let http = http_client(None)?;

        let (users, users_path) = users_file(o, &dir)?;
        let emu_log = dir.join("emulator.log");
        let mut emulator = spawn(
            &[
                "emulator",
                "--port",
                &emu_port.to_string(),
                "--users",
                &users_path.to_string_lossy(),
            ],
            &[],
            &emu_log,
        )?;
        let emu = Control::with_client(http.clone(), &format!("http://127.0.0.1:{emu_port}"));
        wait_ready(
            &http,
            &emu.url("/emulator/clock"),
            &mut emulator,
            "emulator",
            &emu_log,
        )
        .await?;

        let store =
            Store::start(&dir, master, replica, o.sentinel.then_some(sentinel_port)).await?;

        let secret: String = (0..48)
            .map(|_| char::from(b'a' + rand::random::<u8>() % 26))
            .collect();
        let mut portal_env: Vec<(&'static str, String)> = vec![
            (
                "OKTA_OAUTH2_ISSUER",
                format!("http://127.0.0.1:{emu_port}/oauth2/default"),
            ),
            ("OKTA_OAUTH2_CLIENT_ID", DEMO_CLIENT_ID.to_string()),
            ("OKTA_OAUTH2_CLIENT_SECRET", DEMO_CLIENT_SECRET.to_string()),
            ("ROCKET_ADDRESS", "127.0.0.1".to_string()),
            ("DIRECT_SIGNIN_SESSION__SECRET", secret),
            ("DIRECT_SIGNIN_SESSION__STORE", "redis".to_string()),
            ("DIRECT_SIGNIN_REDIS__PREFIX", "chaos:".to_string()),
            (
                "DIRECT_SIGNIN_NETWORK__TRUSTED_PROXIES",
                r#"["127.0.0.1"]"#.to_string(),
            ),
            (
                "DIRECT_SIGNIN_PROTECTION__OKTA_CALLS_PER_SECOND",
                o.ceiling.to_string(),
            ),
            // Okta timeouts are injected as 4 s delays: the portal gives up after 3 s.
            ("DIRECT_SIGNIN_OKTA__TIMEOUT_MS", "3000".to_string()),
        ];
        if o.sentinel {
            portal_env.extend([
                ("DIRECT_SIGNIN_REDIS__MODE", "sentinel".to_string()),
                (
                    "DIRECT_SIGNIN_REDIS__SENTINELS",
                    format!("127.0.0.1:{sentinel_port}"),
                ),
                ("DIRECT_SIGNIN_REDIS__MASTER_NAME", MASTER_NAME.to_string()),
            ]);
        } else {
            portal_env.push((
                "DIRECT_SIGNIN_REDIS__URL",
                format!("redis://127.0.0.1:{master}/0"),
            ));
        }

        let mut fleet = Fleet {
            dir: dir.clone(),
            http: http.clone(),
            emu,
            emulator,
            base: format!("http://127.0.0.1:{nginx_port}"),
            nginx: None,
            portals: portal_ports
                .iter()
                .enumerate()
                .map(|(i, &port)| Portal {
                    port,
                    proc: None,
                    log: dir.join(format!("portal-{}.log", i + 1)),
                    starts: 0,
                })
                .collect(),
            portal_env,
            store,
            users,
        };
        for i in 0..fleet.portals.len() {
            fleet.start_portal(i).await.map_err(|e| {
                if o.sentinel {
                    format!("{e}\n(does this portal support redis.mode = \"sentinel\" yet?)")
                } else {
                    e
                }
            })?;
        }
        let nginx = nginx::start(&dir, nginx_port, portal_ports, &http).await?;
        fleet.nginx = Some(nginx);
        Ok(fleet)
    }

    /// Starts portal `i` (1-based in the logs) and waits for `/readyz`.
    async fn start_portal(&mut self, i: usize) -> Result<(), String> {
        let p = &mut self.portals[i];
        let mut env = self.portal_env.clone();
        env.push(("ROCKET_PORT", p.port.to_string()));
        p.starts += 1;
        // A restarted instance writes a log of its own; the first one stays.
        let log = if p.starts == 1 {
            p.log.clone()
        } else {
            p.log.with_extension(format!("start{}.log", p.starts))
        };
        let mut proc = spawn(&[], &env, &log)?;
        let url = format!("http://127.0.0.1:{}/readyz", p.port);
        wait_ready(
            &self.http,
            &url,
            &mut proc,
            &format!("portal {}", i + 1),
            &log,
        )
        .await?;
        p.proc = Some(proc);
        Ok(())
    }

    /// SIGKILL on portal `i`; it stays down.
    pub fn kill_portal(&mut self, i: usize) -> String {
        match self.portals[i].proc.take() {
            Some(p) => {
                let pid = p.pid();
                drop(p); // Proc's drop is SIGKILL
                format!(
                    "portal {} (pid {pid}) killed with SIGKILL; it stays down",
                    i + 1
                )
            }
            None => format!("portal {} was not running", i + 1),
        }
    }

    /// SIGTERM on portal `i`, then the same instance started again.
    pub async fn restart_portal(&mut self, i: usize) -> String {
        let Some(p) = self.portals[i].proc.take() else {
            return format!("portal {} was not running", i + 1);
        };
        let stopped = stop_gracefully(p, Duration::from_secs(10)).await;
        let started = Instant::now();
        match self.start_portal(i).await {
            Ok(()) => format!(
                "portal {} stopped (SIGTERM, {:.1} s) and started again (ready in {:.1} s)",
                i + 1,
                stopped.as_secs_f64(),
                started.elapsed().as_secs_f64()
            ),
            Err(e) => format!("portal {} did not start again: {e}", i + 1),
        }
    }

    /// Portals that exited on their own: `(instance, status)`.
    pub fn exited_portals(&mut self) -> Vec<(usize, String)> {
        self.portals
            .iter_mut()
            .enumerate()
            .filter_map(|(i, p)| p.proc.as_mut()?.exited().map(|s| (i + 1, s)))
            .collect()
    }

    /// Lines with "panicked" in every portal log of the run.
    pub fn panics(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("portal-"))
            .map(|e| {
                std::fs::read_to_string(e.path())
                    .unwrap_or_default()
                    .lines()
                    .filter(|l| l.contains("panicked"))
                    .count()
            })
            .sum()
    }

    /// 502s nginx made itself: requests in flight on an instance that died (the upstream
    /// closed or reset the connection before answering; nginx does not resend a POST).
    pub fn nginx_own_502s(&self) -> usize {
        std::fs::read_to_string(self.dir.join("nginx-error.log"))
            .unwrap_or_default()
            .lines()
            .filter(|l| {
                l.contains("[error]")
                    && l.contains("while reading response header from upstream")
                    && (l.contains("prematurely closed") || l.contains("reset by peer"))
            })
            .count()
    }

    /// Stops everything gracefully (SIGTERM), nginx first.
    pub async fn stop(mut self) {
        let grace = Duration::from_secs(5);
        if let Some(n) = self.nginx.take() {
            stop_gracefully(n, grace).await;
        }
        for p in &mut self.portals {
            if let Some(proc) = p.proc.take() {
                stop_gracefully(proc, grace).await;
            }
        }
        self.store.stop().await;
        terminate(&self.emulator);
    }
}
