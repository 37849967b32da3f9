//! The fault schedule and its execution: each fault starts a phase of the run (named in
//! the report), is printed as it happens, and tells every signed-in user to re-check
//! `/account` once it has taken effect.
//!
//! Okta faults go through the emulator's control API (`POST /emulator/faults` with a large
//! `count`, then `DELETE /emulator/faults` a few seconds later). The 429 comes last: after
//! Okta's 429 the portal holds `/token` until its `X-Rate-Limit-Reset` (the emulator's
//! injected 429 says 60 s), so sign-ins fail for the rest of the run by design.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use testkit::Control;

use crate::fleet::Fleet;
use crate::options::Options;
use crate::tally::Tally;

/// How long an Okta fault lasts.
const OKTA_FAULT_SECONDS: u64 = 4;

/// What a scheduled fault does.
#[derive(Clone, Debug)]
pub enum Action {
    /// An Okta fault on `/token` (a fault spec of the control API).
    Okta(Value),
    /// SIGKILL on a portal instance (0-based), which stays down.
    KillPortal(usize),
    /// SIGTERM on a portal instance, then the same instance started again.
    RestartPortal(usize),
    /// The Redis master failed over (Sentinel) or restarted (no Sentinel).
    RedisFailover,
}

/// A fault, when it starts (seconds since the load started) and the phase it opens.
#[derive(Clone, Debug)]
pub struct Fault {
    pub at: f64,
    pub phase: &'static str,
    pub action: Action,
}

impl Fault {
    /// Whether the goal "at most one failed real sign-in" applies to its phase.
    pub fn is_failover(&self) -> bool {
        !matches!(self.action, Action::Okta(_))
    }
}

/// The schedule for a run of `o.seconds`.
pub fn schedule(o: &Options) -> Vec<Fault> {
    let s = o.seconds as f64;
    let okta = |v: Value| Action::Okta(v);
    vec![
        Fault {
            at: 0.10 * s,
            phase: "okta-5xx",
            action: okta(
                json!({"endpoint": "token", "kind": "status", "status": 503, "count": 100000}),
            ),
        },
        Fault {
            at: 0.22 * s,
            phase: "kill-portal-1",
            action: Action::KillPortal(0),
        },
        Fault {
            at: 0.36 * s,
            phase: "restart-portal-2",
            action: Action::RestartPortal(1),
        },
        Fault {
            at: 0.50 * s,
            phase: "redis-failover",
            action: Action::RedisFailover,
        },
        Fault {
            at: 0.66 * s,
            phase: "okta-timeouts",
            action: okta(
                json!({"endpoint": "token", "kind": "delay", "delay_ms": 4000, "count": 100000}),
            ),
        },
        Fault {
            at: 0.84 * s,
            phase: "okta-429",
            action: okta(json!({"endpoint": "token", "kind": "rate_limit", "count": 100000})),
        },
    ]
}

/// `DELETE /emulator/faults`.
pub async fn clear_okta(emu: &Control) -> Result<(), String> {
    let r = emu
        .try_send(emu.http.delete(emu.url("/emulator/faults")))
        .await?;
    if r.status == 200 {
        Ok(())
    } else {
        Err(format!("DELETE /emulator/faults: {}", r.status))
    }
}

/// One line of the fault log: when, which phase, what happened.
#[derive(Clone, Debug)]
pub struct Logged {
    pub at: f64,
    pub phase: String,
    pub failover: bool,
    pub what: String,
}

/// Runs the schedule (before `deadline`), printing each fault as it happens.
pub async fn run(
    schedule: &[Fault],
    fleet: &mut Fleet,
    tally: &Tally,
    signal: &tokio::sync::watch::Sender<u64>,
    started: Instant,
    deadline: Instant,
) -> Vec<Logged> {
    let mut log = vec![];
    for f in schedule {
        let due = started + Duration::from_secs_f64(f.at);
        if due >= deadline {
            break;
        }
        tokio::time::sleep_until(due.into()).await;
        tally.phase(f.phase);
        let at = tally.now();
        println!("   t={at:5.1}  FAULT {}", f.phase);
        let what = match &f.action {
            Action::Okta(spec) => {
                let r = fleet
                    .emu
                    .try_send(
                        fleet
                            .emu
                            .http
                            .post(fleet.emu.url("/emulator/faults"))
                            .json(spec),
                    )
                    .await;
                match r {
                    Ok(r) if r.status == 200 => {
                        signal.send_modify(|n| *n += 1);
                        tokio::time::sleep(Duration::from_secs(OKTA_FAULT_SECONDS)).await;
                        let cleared = clear_okta(&fleet.emu).await;
                        format!(
                            "Okta /token {} for {OKTA_FAULT_SECONDS} s{}",
                            describe(spec),
                            cleared
                                .err()
                                .map(|e| format!(" (not cleared: {e})"))
                                .unwrap_or_default()
                        )
                    }
                    Ok(r) => format!("the emulator refused the fault: {} {}", r.status, r.text),
                    Err(e) => format!("the emulator did not take the fault: {e}"),
                }
            }
            Action::KillPortal(i) => fleet.kill_portal(*i),
            Action::RestartPortal(i) => fleet.restart_portal(*i).await,
            Action::RedisFailover => {
                let what = fleet.store.failover().await;
                format!("{what}; now {}", fleet.store.roles().await)
            }
        };
        if f.is_failover() {
            signal.send_modify(|n| *n += 1);
        }
        println!("   t={:5.1}        {what}", tally.now());
        log.push(Logged {
            at,
            phase: f.phase.to_string(),
            failover: f.is_failover(),
            what,
        });
    }
    log
}

fn describe(spec: &Value) -> String {
    match spec["kind"].as_str() {
        Some("status") => format!("answers {}", spec["status"]),
        Some("delay") => format!(
            "answers after {} ms (the portal's Okta timeout: 3000 ms)",
            spec["delay_ms"]
        ),
        Some("rate_limit") => "answers 429 E0000047 (X-Rate-Limit-Reset in 60 s)".into(),
        _ => spec.to_string(),
    }
}
