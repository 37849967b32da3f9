//! The chaos run (issue 13, part 4): a measurement that prints figures, not a test.
//!
//! Run it with `scripts/chaos` (which builds the release binary and this example first).
//! It starts, on loopback, each as its own process: the Okta emulator with a generated
//! users file, a Redis master and one replica (and, with `--sentinel`, a `redis-sentinel`
//! watching them), three portal instances sharing that Redis and one `session.secret`,
//! and nginx balancing them round robin (the portals trust 127.0.0.1 as their proxy).
//!
//! Through nginx it then runs, for `--seconds`:
//! - real users (`--users`): two in three sign in with password + TOTP, one in three
//!   with password + push (approved through the emulator's control API); each stays
//!   signed in for a while, re-checks `/account` after every fault, signs out, and
//!   starts again; each has a fixed forwarded address of its own;
//! - a credential-stuffing flood (`--flood-rate` attempts per second) of wrong passwords
//!   from a different forwarded address almost every time, over many made-up usernames
//!   and the real users' names.
//!
//! Faults, on a schedule printed as they happen: Okta 5xx, one portal killed with
//! SIGKILL (it stays down), another stopped and started again, the Redis master failed
//! over (with Sentinel: SIGKILL on the master; without: the master restarted, its
//! append-only file kept), Okta timeouts, Okta 429s.
//!
//! Figures: real sign-ins completed / attempted per kind and per phase, 5xx answers by
//! status and phase, sessions lost, `/token` calls per second at the emulator against the
//! fleet ceiling, locked accounts. Also `target/chaos/report.json`; logs in
//! `target/chaos/`.
//!
//! Exit status: 0 when the goals hold (no account locked; no session lost when instances
//! are killed or restarted; at most one failed real sign-in per failover: instance kill,
//! instance restart, Redis failover; the fleet never above the ceiling in any 1-s window
//! at the emulator), 1 when one does not, 2 when the run could not start.

#[path = "../flood/browser.rs"]
#[allow(dead_code)]
mod browser;
#[path = "../flood/procs.rs"]
#[allow(dead_code)]
mod procs;

mod faults;
mod fleet;
mod flood;
mod nginx;
mod options;
mod report;
mod store;
mod tally;
mod users;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use options::Options;
use tally::Tally;

/// The whole run: start the fleet, warm the users up, load and faults, figures.
async fn run(o: Options) -> Result<report::Outcome, String> {
    println!(
        "Chaos run: {} s, {} real users, flood {} attempts/s, fleet ceiling {} Okta calls/s per bucket, Redis {}",
        o.seconds,
        o.users,
        o.flood_rate,
        o.ceiling,
        if o.sentinel {
            "master + replica + Sentinel"
        } else {
            "master + replica (no Sentinel: the failover is a master restart)"
        }
    );
    println!("Binary: {}", procs::binary().display());
    let mut fleet = fleet::Fleet::start(&o).await?;
    println!(
        "Fleet: emulator {}, Redis master :{} replica :{}{}, portals {}, nginx {}",
        fleet.emu.base_url(),
        fleet.store.master,
        fleet.store.replica,
        fleet
            .store
            .sentinel_port
            .map(|p| format!(" sentinel :{p}"))
            .unwrap_or_default(),
        fleet
            .portals
            .iter()
            .map(|p| format!(":{}", p.port))
            .collect::<Vec<_>>()
            .join(" "),
        fleet.base
    );

    let tally = Arc::new(Tally::new());
    let users = users::make(&fleet);
    println!("\n== Warm-up: every real user signs in once (device cookie), before the flood");
    let users = users::warm_up(users, &fleet, &tally).await;
    let warm = users.iter().filter(|u| u.signed_in).count();
    println!("   {warm} of {} signed in", users.len());
    if warm == 0 {
        return Err(format!(
            "no real user could sign in before the run; see {}",
            fleet.dir.display()
        ));
    }

    let load_start_ms = fleet.emu.try_now().await? * 1000;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(o.seconds);
    tally.begin("steady", started);
    println!("\n== Load and faults (t = seconds since the load started)");
    let (fault_tx, fault_rx) = tokio::sync::watch::channel(0u64);
    let flood = tokio::spawn(flood::run(
        fleet.base.clone(),
        fleet.http.clone(),
        users.iter().map(|u| u.login.clone()).collect(),
        o.flood_rate,
        tally.clone(),
        deadline,
    ));
    let workers: Vec<_> = users
        .into_iter()
        .map(|u| tokio::spawn(u.run(fleet.emu.clone(), tally.clone(), fault_rx.clone(), deadline)))
        .collect();
    let schedule = faults::schedule(&o);
    println!(
        "   schedule: {}",
        schedule
            .iter()
            .map(|f| format!("t={:.1} {}", f.at, f.phase))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let fault_log = faults::run(&schedule, &mut fleet, &tally, &fault_tx, started, deadline).await;
    tokio::time::sleep_until(deadline.into()).await;
    tally.end(Instant::now());
    let flood = flood.await.map_err(|e| format!("flood: {e}"))?;
    let mut users = vec![];
    // A user stops at the deadline, dropping what it was doing.
    for w in workers {
        users.push(w.await.map_err(|e| format!("a real user's task: {e}"))?);
    }
    let _ = faults::clear_okta(&fleet.emu).await;
    let figures = report::collect(
        &o,
        &mut fleet,
        &tally,
        flood,
        &users,
        fault_log,
        load_start_ms,
    )
    .await?;
    fleet.stop().await;
    Ok(figures)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match options::parse() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    // Ctrl-C drops the run, and with it the child processes.
    let result = tokio::select! {
        r = run(options) => r,
        _ = tokio::signal::ctrl_c() => Err("interrupted".to_string()),
    };
    match result {
        Ok(outcome) => {
            outcome.print();
            if outcome.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("\nchaos: the run could not go on: {e}");
            ExitCode::from(2)
        }
    }
}
