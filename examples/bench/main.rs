//! The benchmark harness (issue 12, item 1): figures, not tests. Run it with
//! `scripts/bench` (which builds the release binaries, this example and the Node peer's
//! packages, and pins this driver, and so wrk, to core 1).
//!
//! Every server runs as its own process on loopback: the portal (and the bare Rocket
//! route, and the Node peer) pinned to core 0, the emulator, Redis and the load generator
//! to core 1. Stages (`--stages`, comma-separated; default all):
//! - `account`: `/account` signed in against a bare Rocket route rendering the same
//!   template with the same context and no session (`bench bare`, `bare.rs`);
//! - `gateway`: `/auth` for a signed-in session against `/healthz`;
//! - `signin`: portal CPU per complete sign-in (password only, password + TOTP,
//!   passwordless email), from the portal process's own CPU time (`signin.rs`);
//! - `memory`: bytes per live session, memory store (`bench sessions`, VmRSS) and Redis
//!   (`MEMORY USAGE`) (`sessions.rs`);
//! - `redis`: the Redis store against the memory store, on `/account` and on sign-in;
//! - `push`: thousands of concurrent push waits on one instance (`push.rs`);
//! - `peer`: the same `/account` and sign-in work on the Node peer
//!   (`bench/peers/express`), same machine, same run, same pinning.
//!
//! Output: a progress line per stage, then a table, also written as JSON to
//! `target/bench/bench.json` (logs beside it).

mod bare;
#[path = "../flood/browser.rs"]
#[allow(dead_code)]
mod browser;
mod load;
mod procs;
mod push;
mod sessions;
mod signin;
mod users;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use testkit::control::Control;

use browser::{http_client, Browser};
use procs::Proc;
use signin::Kind;

/// Cores: the servers on one, the load generator (and the emulator, Redis) on the other.
const SERVER_CORE: usize = 0;
const LOAD_CORE: usize = 1;
const SECRET: &str = "bench-secret-bench-secret-bench-secret";

const STAGES: [&str; 7] = [
    "account", "gateway", "signin", "memory", "redis", "push", "peer",
];

#[derive(Clone, Debug)]
struct Options {
    quick: bool,
    /// Seconds of each saturating wrk run.
    seconds: u64,
    /// wrk connections.
    connections: usize,
    /// Sign-ins per CPU measurement (each kind).
    signins: usize,
    /// Sign-ins in flight at once.
    signin_concurrency: usize,
    /// Password-only users in the emulator (and TOTP, email users).
    users: usize,
    /// Sessions of the memory measurement (the Redis one uses a tenth, at most 10,000).
    sessions: usize,
    /// Concurrent push waits, and the seconds they are measured over.
    push_flows: usize,
    push_seconds: u64,
    stages: Vec<String>,
    out: PathBuf,
}

const USAGE: &str = "usage: bench [--quick] [--seconds S] [--connections N] [--signins N] \
[--signin-concurrency N] [--users N] [--sessions N] [--push-flows N] [--push-seconds S] \
[--stages account,gateway,signin,memory,redis,push,peer] [--out FILE]
       bench bare --port P             (the bare Rocket route, started by the bench)
       bench sessions --count N [--redis URL]   (memory per session, started by the bench)";

fn parse(args: &[String]) -> Result<Options, String> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut o = Options {
        quick,
        seconds: if quick { 3 } else { 10 },
        connections: 64,
        signins: if quick { 40 } else { 400 },
        signin_concurrency: 16,
        users: 1000,
        sessions: if quick { 10_000 } else { 100_000 },
        push_flows: if quick { 500 } else { 10_000 },
        push_seconds: if quick { 10 } else { 30 },
        stages: STAGES.iter().map(|s| s.to_string()).collect(),
        out: procs::root().join("target/bench/bench.json"),
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--quick" {
            continue;
        }
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.into());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = || format!("{flag}: not a valid value: {value}");
        match flag.as_str() {
            "--seconds" => o.seconds = value.parse().map_err(|_| bad())?,
            "--connections" => o.connections = value.parse().map_err(|_| bad())?,
            "--signins" => o.signins = value.parse().map_err(|_| bad())?,
            "--signin-concurrency" => o.signin_concurrency = value.parse().map_err(|_| bad())?,
            "--users" => o.users = value.parse().map_err(|_| bad())?,
            "--sessions" => o.sessions = value.parse().map_err(|_| bad())?,
            "--push-flows" => o.push_flows = value.parse().map_err(|_| bad())?,
            "--push-seconds" => o.push_seconds = value.parse().map_err(|_| bad())?,
            "--out" => o.out = PathBuf::from(value),
            "--stages" => {
                o.stages = value.split(',').map(|s| s.trim().to_string()).collect();
                if let Some(bad) = o.stages.iter().find(|s| !STAGES.contains(&s.as_str())) {
                    return Err(format!("--stages: unknown stage {bad}\n{USAGE}"));
                }
            }
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    o.seconds = o.seconds.clamp(1, 600);
    o.connections = o.connections.clamp(1, 10_000);
    o.users = o.users.clamp(10, 100_000);
    // Each user signs in at most once per kind and batch (TOTP codes are single-use).
    o.signins = o.signins.clamp(1, o.users / 2);
    o.signin_concurrency = o.signin_concurrency.clamp(1, 1024);
    o.sessions = o.sessions.clamp(100, 10_000_000);
    o.push_flows = o.push_flows.clamp(1, 60_000);
    // Pushes expire after 300 s at Okta: the window must end well before.
    o.push_seconds = o.push_seconds.clamp(5, 120);
    Ok(o)
}

/// One figure of the table.
struct Row {
    stage: &'static str,
    figure: String,
    value: f64,
    unit: &'static str,
}

struct Bench {
    o: Options,
    dir: PathBuf,
    rows: Vec<Row>,
    extra: serde_json::Map<String, Value>,
    errors: Vec<String>,
    emulator: Proc,
    control: Control,
    issuer: String,
    started: Instant,
}

fn say(line: impl AsRef<str>) {
    println!("{}", line.as_ref());
}

impl Bench {
    fn row(
        &mut self,
        stage: &'static str,
        figure: impl Into<String>,
        value: f64,
        unit: &'static str,
    ) {
        let figure = figure.into();
        say(format!("  {figure}: {} {unit}", fmt(value)));
        self.rows.push(Row {
            stage,
            figure,
            value,
            unit,
        });
    }

    /// A stage that failed is reported and the run goes on with the next one.
    fn settle(&mut self, stage: &str, result: Result<(), String>) {
        if let Err(e) = result {
            say(format!("  FAILED ({stage}): {e}"));
            self.errors.push(format!("{stage}: {e}"));
        }
    }

    fn stage(&self, title: &str) {
        say(format!(
            "== [{:>4.0} s] {title}",
            self.started.elapsed().as_secs_f64()
        ));
    }

    /// The environment of a portal process against the bench emulator.
    fn portal_env(&self, port: u16, redis: Option<&str>) -> Vec<(String, String)> {
        let mut env: Vec<(&str, String)> = vec![
            ("ROCKET_PROFILE", "release".into()),
            ("ROCKET_ADDRESS", "127.0.0.1".into()),
            ("ROCKET_PORT", port.to_string()),
            ("ROCKET_LOG_LEVEL", "off".into()),
            ("RUST_LOG", "warn".into()),
            ("OKTA_OAUTH2_ISSUER", self.issuer.clone()),
            ("OKTA_OAUTH2_CLIENT_ID", "demo-portal".into()),
            ("OKTA_OAUTH2_CLIENT_SECRET", "demo-portal-secret".into()),
            (
                "DIRECT_SIGNIN_OKTA__SCOPES",
                "openid profile email offline_access groups".into(),
            ),
            ("DIRECT_SIGNIN_SESSION__SECRET", SECRET.into()),
            // The push waits come from many people behind one proxy (X-Forwarded-For).
            (
                "DIRECT_SIGNIN_NETWORK__TRUSTED_PROXIES",
                r#"["127.0.0.1"]"#.into(),
            ),
            // The bench signs thousands of users in from one address, at a rate no
            // per-IP limit or Okta ceiling sized for one instance's real traffic allows.
            (
                "DIRECT_SIGNIN_PROTECTION__IP_SIGNIN_PER_MINUTE",
                "60000".into(),
            ),
            (
                "DIRECT_SIGNIN_PROTECTION__IP_CODE_PER_MINUTE",
                "60000".into(),
            ),
            (
                "DIRECT_SIGNIN_PROTECTION__IP_POLL_PER_MINUTE",
                "60000".into(),
            ),
            (
                "DIRECT_SIGNIN_PROTECTION__OKTA_CALLS_PER_SECOND",
                "100000".into(),
            ),
            (
                "DIRECT_SIGNIN_PROTECTION__OKTA_MAX_CONCURRENT",
                "100000".into(),
            ),
        ];
        if let Some(url) = redis {
            env.push(("DIRECT_SIGNIN_SESSION__STORE", "redis".into()));
            env.push(("DIRECT_SIGNIN_REDIS__URL", url.to_string()));
        }
        env.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    async fn start_portal(
        &self,
        name: &'static str,
        redis: Option<&str>,
    ) -> Result<(Proc, String), String> {
        let port = procs::free_port()?;
        let mut p = procs::spawn(
            name,
            SERVER_CORE,
            &procs::release_binary("direct-signin"),
            &[],
            &self.portal_env(port, redis),
            &self.dir.join(format!("{name}.log")),
        )?;
        let base = format!("http://127.0.0.1:{port}");
        procs::wait_ready(&mut p, &format!("{base}/readyz"), 30).await?;
        Ok((p, base))
    }

    /// A signed-in browser on `base` (password user `i`).
    async fn signed_in(&self, base: &str, i: usize) -> Result<Browser, String> {
        let mut b = Browser::new(http_client(None)?, base, None);
        signin::sign_in(
            &mut b,
            Kind::Password,
            &users::password_user(i),
            &self.control,
        )
        .await?;
        Ok(b)
    }

    /// wrk on `path` with `b`'s cookies.
    fn wrk_signed_in(
        &self,
        base: &str,
        path: &str,
        b: &Browser,
        extra: &[(&str, &str)],
    ) -> Result<f64, String> {
        let cookie = b.jar.header().unwrap_or_default();
        let mut headers = vec![("Cookie", cookie.as_str()), ("Accept", "text/html")];
        headers.extend_from_slice(extra);
        load::wrk(
            &format!("{base}{path}"),
            &headers,
            self.o.seconds,
            self.o.connections,
        )
    }

    async fn account(&mut self, portal: &Proc, base: &str) -> Result<f64, String> {
        self.stage("account: /account signed in against a bare Rocket route (same template, same context, no session)");
        let b = self.signed_in(base, 0).await?;
        let account = self.wrk_signed_in(base, "/account", &b, &[])?;
        let port = procs::free_port()?;
        let mut bare = procs::spawn(
            "bare",
            SERVER_CORE,
            &std::env::current_exe().map_err(|e| e.to_string())?,
            &["bare".into(), "--port".into(), port.to_string()],
            &[],
            &self.dir.join("bare.log"),
        )?;
        let bare_base = format!("http://127.0.0.1:{port}");
        procs::wait_ready(&mut bare, &format!("{bare_base}/healthz"), 30).await?;
        // The two pages should be the same size (same template, same shape of context).
        let mut probe = Browser::new(http_client(None)?, base, None);
        probe.jar = b.jar.clone();
        let portal_bytes = probe.get("/account").await?.body.len();
        let bare_bytes = reqwest::get(format!("{bare_base}/account"))
            .await
            .map_err(|e| e.to_string())?
            .text()
            .await
            .map_err(|e| e.to_string())?
            .len();
        say(format!(
            "  page sizes: portal {portal_bytes} bytes, bare route {bare_bytes} bytes"
        ));
        self.extra.insert(
            "account_page_bytes".into(),
            json!({"portal": portal_bytes, "bare": bare_bytes}),
        );
        let bare_rps = load::wrk(
            &format!("{bare_base}/account"),
            &[],
            self.o.seconds,
            self.o.connections,
        )?;
        drop(bare);
        portal_alive(portal)?;
        self.row(
            "account",
            "portal /account (signed in), requests/s",
            account,
            "req/s",
        );
        self.row(
            "account",
            "bare Rocket route, same template and context, requests/s",
            bare_rps,
            "req/s",
        );
        self.row("account", "/account ÷ bare route", account / bare_rps, "×");
        Ok(account)
    }

    async fn gateway(&mut self, base: &str) -> Result<(), String> {
        self.stage("gateway: /auth (signed in) against /healthz");
        let b = self.signed_in(base, 1).await?;
        let healthz = load::wrk(
            &format!("{base}/healthz"),
            &[],
            self.o.seconds,
            self.o.connections,
        )?;
        let auth = self.wrk_signed_in(
            base,
            "/auth",
            &b,
            &[("X-Original-URL", "https://app.example.com/reports")],
        )?;
        self.row("gateway", "/healthz, requests/s", healthz, "req/s");
        self.row(
            "gateway",
            "/auth (signed in, both header families, assertion), requests/s",
            auth,
            "req/s",
        );
        self.row("gateway", "/auth ÷ /healthz", auth / healthz, "×");
        Ok(())
    }

    async fn signin_costs(
        &mut self,
        portal: &Proc,
        base: &str,
        label: &'static str,
        kinds: &[Kind],
        first: usize,
    ) -> Result<Vec<f64>, String> {
        let mut out = Vec::new();
        for &kind in kinds {
            say(format!(
                "  {label}: {} sign-ins, {} at a time: {}",
                self.o.signins,
                self.o.signin_concurrency,
                kind.title()
            ));
            let cost = signin::batch(
                portal,
                base,
                &self.control,
                kind,
                first,
                self.o.signins,
                self.o.signin_concurrency,
            )
            .await?;
            self.row(
                if label == "memory store" {
                    "signin"
                } else {
                    "redis"
                },
                format!(
                    "{label}: portal CPU per sign-in, {} ({} sign-ins, {:.0}/s)",
                    kind.title(),
                    cost.signins,
                    cost.signins_per_second
                ),
                cost.cpu_ms_per_signin,
                "ms",
            );
            out.push(cost.cpu_ms_per_signin);
        }
        Ok(out)
    }

    async fn memory(&mut self, redis_url: Option<&str>) -> Result<(), String> {
        self.stage(&format!(
            "memory: {} sessions in the memory store (Okta-sized tokens)",
            self.o.sessions
        ));
        let run = |args: Vec<String>| -> Result<Value, String> {
            let out = std::process::Command::new("taskset")
                .arg("-c")
                .arg(SERVER_CORE.to_string())
                .arg(std::env::current_exe().map_err(|e| e.to_string())?)
                .args(args)
                .current_dir(procs::root())
                .output()
                .map_err(|e| e.to_string())?;
            if !out.status.success() {
                return Err(format!(
                    "bench sessions: {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            serde_json::from_slice(&out.stdout).map_err(|e| format!("bench sessions answered: {e}"))
        };
        let mem = run(vec![
            "sessions".into(),
            "--count".into(),
            self.o.sessions.to_string(),
        ])?;
        let count = self.o.sessions;
        self.row(
            "memory",
            format!("memory store: bytes per live session ({count} sessions, RSS)"),
            mem["bytes_per_session"].as_f64().unwrap_or(0.0),
            "B",
        );
        self.row(
            "memory",
            format!("memory store: RSS with {count} sessions"),
            procs::mib(mem["rss_after_kib"].as_u64().unwrap_or(0)),
            "MiB",
        );
        self.extra.insert("memory_store".into(), mem);
        if let Some(url) = redis_url {
            let n = (self.o.sessions / 10).clamp(100, 10_000);
            say(format!(
                "  {n} sessions in Redis: MEMORY USAGE of each record and index"
            ));
            let r = run(vec![
                "sessions".into(),
                "--count".into(),
                n.to_string(),
                "--redis".into(),
                url.into(),
            ])?;
            self.row(
                "memory",
                format!("Redis: bytes per session (record + user index, {n} sessions)"),
                r["redis_bytes_per_session"].as_f64().unwrap_or(0.0),
                "B",
            );
            self.extra.insert("redis_store".into(), r);
        }
        Ok(())
    }
}

fn portal_alive(p: &Proc) -> Result<(), String> {
    if std::path::Path::new(&format!("/proc/{}", p.pid())).exists() {
        Ok(())
    } else {
        Err(format!("{} is gone", p.name))
    }
}

fn fmt(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

async fn start_redis(dir: &std::path::Path) -> Result<(Proc, String), String> {
    let port = procs::free_port()?;
    let mut p = procs::spawn(
        "redis-server",
        LOAD_CORE,
        std::path::Path::new("redis-server"),
        &[
            "--port".into(),
            port.to_string(),
            "--bind".into(),
            "127.0.0.1".into(),
            "--save".into(),
            "".into(),
            "--appendonly".into(),
            "no".into(),
        ],
        &[],
        &dir.join("redis.log"),
    )?;
    let url = format!("redis://127.0.0.1:{port}/0");
    for _ in 0..100 {
        p.check_alive()?;
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok((p, url));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err("redis-server did not start".into())
}

async fn start_peer(dir: &std::path::Path, issuer: &str) -> Result<(Proc, String), String> {
    let port = procs::free_port()?;
    let peer = procs::root().join("bench/peers/express");
    let mut p = procs::spawn(
        "express-peer",
        SERVER_CORE,
        std::path::Path::new("node"),
        &[peer.join("server.js").display().to_string()],
        &[
            ("PORT".into(), port.to_string()),
            ("ISSUER".into(), issuer.to_string()),
            ("CLIENT_ID".into(), "demo-portal".into()),
            ("CLIENT_SECRET".into(), "demo-portal-secret".into()),
            ("NODE_ENV".into(), "production".into()),
        ],
        &dir.join("express-peer.log"),
    )?;
    let base = format!("http://127.0.0.1:{port}");
    procs::wait_ready(&mut p, &format!("{base}/healthz"), 30).await?;
    Ok((p, base))
}

async fn run(o: Options) -> Result<(), String> {
    let started = Instant::now();
    let dir = o
        .out
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_else(|| procs::root().join("target/bench"));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    say(format!(
        "== [   0 s] setup: {} password, {} TOTP, {} email and {} push users; servers on core {SERVER_CORE}, load on core {LOAD_CORE}{}",
        o.users, o.users, o.users, o.push_flows, if o.quick { " (quick)" } else { "" }
    ));
    let wants = |s: &str| o.stages.iter().any(|x| x == s);
    let push_users = if wants("push") { o.push_flows } else { 0 };
    let users_file = dir.join("users.json");
    let file = users::file(o.users, o.users, o.users, push_users)?;
    std::fs::write(&users_file, file.to_string()).map_err(|e| e.to_string())?;
    let emu_port = procs::free_port()?;
    let mut emulator = procs::spawn(
        "emulator",
        LOAD_CORE,
        &procs::release_binary("okta-emulator"),
        &[
            "--port".into(),
            emu_port.to_string(),
            "--users".into(),
            users_file.display().to_string(),
            // The org-wide limit is Okta's, per org: the bench measures the portal.
            "--org-rate-limit".into(),
            "100000000".into(),
        ],
        &[],
        &dir.join("emulator.log"),
    )?;
    let emu_base = format!("http://127.0.0.1:{emu_port}");
    procs::wait_ready(
        &mut emulator,
        &format!("{emu_base}/oauth2/default/.well-known/openid-configuration"),
        60,
    )
    .await?;
    let control = Control::with_client(http_client(None)?, &emu_base);
    let mut b = Bench {
        issuer: format!("{emu_base}/oauth2/default"),
        o: o.clone(),
        dir: dir.clone(),
        rows: Vec::new(),
        extra: Default::default(),
        errors: Vec::new(),
        emulator,
        control,
        started,
    };

    let (portal, base) = b.start_portal("portal", None).await?;
    let mut portal_account = None;
    let mut portal_password = None;
    if wants("account") {
        match b.account(&portal, &base).await {
            Ok(v) => portal_account = Some(v),
            Err(e) => b.settle("account", Err(e)),
        }
    }
    if wants("gateway") {
        let r = b.gateway(&base).await;
        b.settle("gateway", r);
    }
    if wants("signin") {
        b.stage("signin: portal CPU per complete sign-in (the portal process's own CPU time; emulator excluded)");
        match b
            .signin_costs(
                &portal,
                &base,
                "memory store",
                &[Kind::Password, Kind::PasswordTotp, Kind::Email],
                0,
            )
            .await
        {
            Ok(costs) => portal_password = costs.first().copied(),
            Err(e) => b.settle("signin", Err(e)),
        }
    }
    let rss = portal.rss_kib();
    b.extra
        .insert("portal_rss_after_stages_mib".into(), json!(procs::mib(rss)));
    drop(portal);

    if wants("peer") {
        let r: Result<(), String> = async {
        b.stage("peer: the Node peer (Express 5, express-session, openid-client, jose), same pinning");
        let (peer, peer_base) = start_peer(&dir, &b.issuer).await?;
        let signed = b.signed_in(&peer_base, 3).await?;
        let account = b.wrk_signed_in(&peer_base, "/account", &signed, &[])?;
        b.row("peer", "Node peer: /account (signed in), requests/s", account, "req/s");
        if let Some(mem) = portal_account {
            b.row("peer", "portal ÷ Node peer, /account requests/s", mem / account, "×");
        }
        let first = b.o.users / 4;
        say(format!("  Node peer: {} password sign-ins, {} at a time", b.o.signins, b.o.signin_concurrency));
        let cost = signin::batch(&peer, &peer_base, &b.control, Kind::Password, first, b.o.signins, b.o.signin_concurrency).await?;
        b.row("peer", format!("Node peer: CPU per password sign-in ({} sign-ins, {:.0}/s)", cost.signins, cost.signins_per_second), cost.cpu_ms_per_signin, "ms");
        if let Some(mem) = portal_password {
            b.row("peer", "Node peer ÷ portal, CPU per password sign-in", cost.cpu_ms_per_signin / mem, "×");
        }
        b.extra.insert("peer_rss_mib".into(), json!(procs::mib(peer.rss_kib())));
        Ok(())
        }
        .await;
        b.settle("peer", r);
    }

    let redis = if wants("redis") || wants("memory") {
        Some(start_redis(&dir).await?)
    } else {
        None
    };
    if wants("memory") {
        let r = b.memory(redis.as_ref().map(|(_, u)| u.as_str())).await;
        b.settle("memory", r);
    }
    if let (true, Some((_, url))) = (wants("redis"), &redis) {
        let r: Result<(), String> = async {
            b.stage(
                "redis: the Redis store against the memory store (/account and password sign-in)",
            );
            let (portal, base) = b.start_portal("portal-redis", Some(url)).await?;
            let signed = b.signed_in(&base, 2).await?;
            let account = b.wrk_signed_in(&base, "/account", &signed, &[])?;
            b.row(
                "redis",
                "Redis store: /account (signed in), requests/s",
                account,
                "req/s",
            );
            if let Some(mem) = portal_account {
                b.row(
                    "redis",
                    "Redis ÷ memory store, /account",
                    account / mem,
                    "×",
                );
            }
            // Other users than the memory store's batch: each user signs in once per kind.
            let first = b.o.users / 2;
            let costs = b
                .signin_costs(&portal, &base, "Redis store", &[Kind::Password], first)
                .await?;
            if let Some(mem) = portal_password {
                b.row(
                    "redis",
                    "Redis ÷ memory store, CPU per password sign-in",
                    costs[0] / mem,
                    "×",
                );
            }
            Ok(())
        }
        .await;
        b.settle("redis", r);
    }

    drop(redis);

    if wants("push") {
        let r: Result<(), String> = async {
        b.stage(&format!("push: {} concurrent push waits on one instance, polled every 2 s", b.o.push_flows));
        let (portal, base) = b.start_portal("portal-push", None).await?;
        let w = push::run(&portal, &b.emulator, &base, &b.control, b.o.push_flows, Duration::from_secs(b.o.push_seconds), say).await?;
        // The emulator's push interval (Okta's default): 5 s.
        let expected = w.flows as f64 / 5.0;
        b.row("push", format!("push waits started in {:.0} s", w.start_seconds), w.flows as f64, "flows");
        b.row("push", "push starts that failed (not counted in the flows)", w.failed_starts as f64, "");
        b.row("push", "polls sent to Okta per second", w.okta_polls_per_second, "/s");
        b.row("push", "flows ÷ interval (5 s): the most allowed", expected, "/s");
        b.row("push", "/signin/wait/status requests per second", w.status_requests_per_second, "/s");
        b.row("push", "/signin/wait/status p50", w.p50_ms, "ms");
        b.row("push", "/signin/wait/status p99", w.p99_ms, "ms");
        b.row("push", "/signin/wait/status slowest", w.max_ms, "ms");
        b.row("push", "portal RSS before the flows", w.rss_before_mib, "MiB");
        b.row("push", format!("portal RSS with {} flows waiting", w.flows), w.rss_waiting_mib, "MiB");
        b.row("push", "portal's open connections (file descriptors) with the flows waiting", w.fds_waiting as f64, "");
        b.row("push", "portal CPU during the window (core 0)", w.portal_cpu_percent, "%");
        b.row("push", "emulator + driver CPU during the window (core 1)", w.emulator_cpu_percent + w.driver_cpu_percent, "%");
        b.row("push", "status answers that were not pending (should be 0)", w.not_pending as f64, "");
        b.extra.insert("push_polls_within_limit".into(), json!(w.okta_polls_per_second <= expected * 1.02));
        if w.okta_polls_per_second > expected * 1.02 {
            say(format!("  WARNING: {:.1} polls/s reached Okta, more than flows ÷ interval ({expected:.1})", w.okta_polls_per_second));
        }
        b.extra.insert("push_window_seconds".into(), json!(w.window_seconds));
        let slow = w.okta_results.iter().filter(|(k, _)| k.ends_with("/slow_down")).map(|(_, v)| v).sum::<f64>();
        b.row("push", "Okta answers slow_down during the window (polled before the interval)", slow.max(0.0), "");
        say(format!("  the portal's calls to Okta during the window: {:?}", w.okta_results));
        b.extra.insert("push_okta_results".into(), json!(w.okta_results));
        Ok(())
        }
        .await;
        b.settle("push", r);
    }

    b.emulator.check_alive()?;

    // The table.
    say(format!(
        "\n== Result ({:.0} s{})",
        started.elapsed().as_secs_f64(),
        if o.quick {
            ", quick: short runs, noisy"
        } else {
            ""
        }
    ));
    let width = b
        .rows
        .iter()
        .map(|r| r.figure.chars().count())
        .max()
        .unwrap_or(10);
    let mut last = "";
    for r in &b.rows {
        if r.stage != last {
            say(format!("  [{}]", r.stage));
            last = r.stage;
        }
        say(format!(
            "  {:<width$}  {:>10} {}",
            r.figure,
            fmt(r.value),
            r.unit
        ));
    }
    let json = json!({
        "date": httpdate::fmt_http_date(std::time::SystemTime::now()),
        "quick": o.quick,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "options": {
            "seconds": o.seconds, "connections": o.connections, "signins": o.signins,
            "signin_concurrency": o.signin_concurrency, "users": o.users, "sessions": o.sessions,
            "push_flows": o.push_flows, "push_seconds": o.push_seconds, "stages": o.stages,
        },
        "figures": b.rows.iter().map(|r| json!({"stage": r.stage, "figure": r.figure, "value": r.value, "unit": r.unit})).collect::<Vec<_>>(),
        "details": b.extra,
        "errors": b.errors,
    });
    std::fs::write(
        &o.out,
        serde_json::to_string_pretty(&json).unwrap_or_default(),
    )
    .map_err(|e| e.to_string())?;
    say(format!(
        "  (also in {}; logs in {})",
        o.out.display(),
        dir.display()
    ));
    if b.errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} stage(s) failed: {}",
            b.errors.len(),
            b.errors.join("; ")
        ))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("bare") => match args.get(1..3) {
            Some([flag, port]) if flag == "--port" => match port.parse() {
                Ok(port) => bare::serve(port).await,
                Err(_) => Err(USAGE.into()),
            },
            _ => Err(USAGE.into()),
        },
        Some("sessions") => {
            let mut count = None;
            let mut redis = None;
            let mut it = args[1..].iter();
            while let Some(f) = it.next() {
                match (f.as_str(), it.next()) {
                    ("--count", Some(v)) => count = v.parse().ok(),
                    ("--redis", Some(v)) => redis = Some(v.clone()),
                    _ => count = None,
                }
            }
            match count {
                Some(n) => sessions::run(n, redis).await,
                None => Err(USAGE.into()),
            }
        }
        _ => match parse(&args) {
            Ok(o) => run(o).await,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
