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
mod run;
mod scale;
mod servers;
mod sessions;
mod signin;
mod stages;
mod users;

/// The portal's allocator (src/main.rs), so the bare route and the per-session memory
/// are measured as the portal runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use testkit::control::Control;

use browser::{http_client, Browser};
use procs::Proc;
use servers::*;
use signin::Kind;
use stages::*;

/// Cores: the servers on one, the load generator (and the emulator, Redis) on the other.
const SERVER_CORE: usize = 0;
const LOAD_CORE: usize = 1;
const SECRET: &str = "bench-secret-bench-secret-bench-secret";

const STAGES: [&str; 8] = [
    "account", "gateway", "signin", "memory", "redis", "scale", "push", "peer",
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
    /// Sessions in Redis at each step of the `scale` stage.
    scale_sessions: Vec<usize>,
    stages: Vec<String>,
    out: PathBuf,
}

const USAGE: &str = "usage: bench [--quick] [--seconds S] [--connections N] [--signins N] \
[--signin-concurrency N] [--users N] [--sessions N] [--push-flows N] [--push-seconds S] \
[--scale-sessions N,N,…] [--stages account,gateway,signin,memory,redis,scale,push,peer] [--out FILE]
       bench bare --port P             (the bare Rocket route, started by the bench)
       bench sessions --count N [--redis URL [--keep] [--from K]]   (memory per session, started by the bench)";

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
        scale_sessions: if quick {
            vec![1_000, 10_000]
        } else {
            vec![10_000, 100_000, 1_000_000]
        },
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
            "--scale-sessions" => {
                o.scale_sessions = value
                    .split(',')
                    .map(|v| v.trim().parse::<usize>().map_err(|_| bad()))
                    .collect::<Result<_, _>>()?;
                o.scale_sessions.sort_unstable();
            }
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
    o.scale_sessions.retain(|n| (1..=10_000_000).contains(n));
    // Pushes expire after 300 s at Okta: the window must end well before.
    o.push_seconds = o.push_seconds.clamp(5, 120);
    Ok(o)
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
            let mut from = Some(0);
            let keep = args[1..].iter().any(|a| a == "--keep");
            let mut it = args[1..].iter().filter(|a| *a != "--keep");
            while let Some(f) = it.next() {
                match (f.as_str(), it.next()) {
                    ("--count", Some(v)) => count = v.parse().ok(),
                    ("--redis", Some(v)) => redis = Some(v.clone()),
                    ("--from", Some(v)) => from = v.parse().ok(),
                    _ => count = None,
                }
            }
            match (count, from) {
                (Some(n), Some(from)) => sessions::run(n, redis, from, keep).await,
                _ => Err(USAGE.into()),
            }
        }
        _ => match parse(&args) {
            Ok(o) => run::run(o).await,
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
