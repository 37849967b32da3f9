//! The figures of a chaos run: a table on stdout, the same in
//! `target/chaos/report.json`, and the goals checked against them.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::faults::Logged;
use crate::fleet::Fleet;
use crate::flood::FloodFigures;
use crate::options::Options;
use crate::tally::{Check, Tally, Who};
use crate::users::RealUser;

/// The printed report, its JSON and the goals that did not hold.
pub struct Outcome {
    pub lines: Vec<String>,
    /// Findings that are not goals (e.g. sessions lost in a Redis failover).
    pub notes: Vec<String>,
    pub failed: Vec<String>,
}

impl Outcome {
    pub fn print(&self) {
        for l in &self.lines {
            println!("{l}");
        }
        for n in &self.notes {
            println!("Note: {n}");
        }
        if self.failed.is_empty() {
            println!("\nEvery goal held.");
        } else {
            println!("\n!!!!!!!! GOALS NOT MET !!!!!!!!");
            for f in &self.failed {
                println!("  - {f}");
            }
        }
    }
}

/// `/token` calls per second at the emulator.
struct TokenRate {
    total: usize,
    /// Calls in each whole emulator second of the load, in order.
    windows: Vec<(i64, usize)>,
    /// The most calls in any 1000 ms, wherever it starts.
    sliding_max: usize,
}

impl TokenRate {
    fn from(arrivals: &[i64], from_ms: i64, to_ms: i64) -> TokenRate {
        let arrivals: Vec<i64> = arrivals
            .iter()
            .copied()
            .filter(|&a| a >= from_ms && a < to_ms)
            .collect();
        let mut counts: BTreeMap<i64, usize> = (from_ms.div_euclid(1000)..to_ms.div_euclid(1000))
            .map(|s| (s, 0))
            .collect();
        for a in &arrivals {
            *counts.entry(a.div_euclid(1000)).or_default() += 1;
        }
        let mut sliding_max = 0;
        let mut j = 0;
        for i in 0..arrivals.len() {
            while j < arrivals.len() && arrivals[j] < arrivals[i] + 1000 {
                j += 1;
            }
            sliding_max = sliding_max.max(j - i);
        }
        TokenRate {
            total: arrivals.len(),
            windows: counts.into_iter().collect(),
            sliding_max,
        }
    }

    fn max(&self) -> usize {
        self.windows.iter().map(|w| w.1).max().unwrap_or(0)
    }

    fn p99(&self) -> usize {
        let mut c: Vec<usize> = self.windows.iter().map(|w| w.1).collect();
        c.sort_unstable();
        if c.is_empty() {
            return 0;
        }
        c[((c.len() as f64 * 0.99).ceil() as usize).clamp(1, c.len()) - 1]
    }

    fn mean(&self) -> f64 {
        self.total as f64 / self.windows.len().max(1) as f64
    }
}

fn ratio(ok: usize, all: usize) -> String {
    format!("{ok} / {all}")
}

/// Reads what the emulator and the portals saw, and puts the figures together.
pub async fn collect(
    o: &Options,
    fleet: &mut Fleet,
    tally: &Tally,
    flood: FloodFigures,
    users: &[RealUser],
    faults: Vec<Logged>,
    load_start_ms: i64,
) -> Result<Outcome, String> {
    let (phases, ended) = tally.phases();
    let calls = fleet
        .emu
        .try_get_json(&format!("/emulator/token-calls?since={load_start_ms}"))
        .await?;
    let arrivals: Vec<i64> = calls["arrivals_ms"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    let end_ms = load_start_ms + (ended * 1000.0) as i64;
    let rate = TokenRate::from(&arrivals, load_start_ms, end_ms);
    let stats = fleet.emu.try_stats().await?;
    let locked: Vec<String> = stats["locked_users"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let exited = fleet.exited_portals();
    let panics = fleet.panics();
    let redis_roles = fleet.store.roles().await;

    let signins = tally.signins();
    let checks = tally.checks();
    let five_xx = tally.five_xx();
    let transport = tally.transport();
    let phase_of_second = |second: i64| -> String {
        let t = (second * 1000 - load_start_ms) as f64 / 1000.0;
        phases
            .iter()
            .rev()
            .find(|p| p.start <= t)
            .map_or("steady".into(), |p| p.name.clone())
    };

    let mut lines = vec![String::new(), "== Chaos run: figures".to_string()];
    let mut failed = vec![];
    let mut notes = vec![];

    // Sign-ins per kind.
    let in_load = |s: &&crate::tally::SignIn| s.phase != "warm-up";
    lines.push("Real sign-ins completed / attempted:".into());
    let mut kinds = json!({});
    for kind in ["password + TOTP", "password + push"] {
        let all: Vec<_> = signins
            .iter()
            .filter(in_load)
            .filter(|s| s.kind == kind)
            .collect();
        let ok = all.iter().filter(|s| s.failure.is_none()).count();
        lines.push(format!("  {kind:<16} {}", ratio(ok, all.len())));
        kinds[kind] = json!({"completed": ok, "attempted": all.len()});
    }
    let warm: Vec<_> = signins.iter().filter(|s| s.phase == "warm-up").collect();
    let warm_ok = warm.iter().filter(|s| s.failure.is_none()).count();
    lines.push(format!(
        "  warm-up          {} (before the flood; not in the phases below)",
        ratio(warm_ok, warm.len())
    ));
    let (out_ok, out_all) = tally.signouts();
    lines.push(format!(
        "  sign-outs        {out_ok} / {out_all} answered 303"
    ));

    // Per phase.
    lines.push(String::new());
    lines.push("phase              start  sign-ins ok/tried  checks alive/lost/unreach  5xx real  5xx flood  no answer  /token max/s".into());
    let mut phase_json = vec![];
    for (i, p) in phases.iter().enumerate() {
        let end = phases.get(i + 1).map_or(ended, |n| n.start);
        let here: Vec<_> = signins.iter().filter(|s| s.phase == p.name).collect();
        let ok = here.iter().filter(|s| s.failure.is_none()).count();
        let count = |c: Check| checks.iter().filter(|x| x.0 == p.name && x.1 == c).count();
        let (alive, lost, unreachable) = (
            count(Check::Alive),
            count(Check::Lost),
            count(Check::Unreachable),
        );
        let errors = |who: Who| -> u64 {
            five_xx
                .iter()
                .filter(|((ph, w, _), _)| *ph == p.name && *w == who)
                .map(|(_, n)| n)
                .sum()
        };
        let no_answer: u64 = transport
            .iter()
            .filter(|((ph, _), _)| *ph == p.name)
            .map(|(_, n)| n)
            .sum();
        let max_rate = rate
            .windows
            .iter()
            .filter(|(s, _)| phase_of_second(*s) == p.name)
            .map(|w| w.1)
            .max()
            .unwrap_or(0);
        lines.push(format!(
            "{:<17} {:>6.1}  {:>17}  {:>25}  {:>8}  {:>9}  {:>9}  {:>12}",
            p.name,
            p.start,
            ratio(ok, here.len()),
            format!("{alive}/{lost}/{unreachable}"),
            errors(Who::Real),
            errors(Who::Flood),
            no_answer,
            max_rate
        ));
        let failures: Vec<String> = here
            .iter()
            .filter_map(|s| {
                s.failure
                    .as_ref()
                    .map(|f| format!("t={:.1} {}: {f}", s.at, s.kind))
            })
            .collect();
        phase_json.push(json!({
            "name": p.name, "start_s": p.start, "end_s": end,
            "signins_completed": ok, "signins_attempted": here.len(),
            "signin_failures": failures,
            "checks": {"alive": alive, "lost": lost, "unreachable": unreachable},
            "five_xx_real": errors(Who::Real), "five_xx_flood": errors(Who::Flood),
            "no_answer": no_answer, "token_calls_max_per_second": max_rate,
        }));
    }

    // 5xx by status.
    let mut by_status: BTreeMap<(u16, Who), u64> = BTreeMap::new();
    for ((_, who, status), n) in &five_xx {
        *by_status.entry((*status, *who)).or_default() += n;
    }
    lines.push(String::new());
    if by_status.is_empty() {
        lines.push("5xx answers: none".into());
    } else {
        let list: Vec<String> = by_status
            .iter()
            .map(|((s, w), n)| format!("{s} × {n} ({})", w.name()))
            .collect();
        lines.push(format!("5xx answers by status: {}", list.join(", ")));
    }
    let nginx_502s = fleet.nginx_own_502s();
    lines.push(format!(
        "  of which nginx's own 502s (a request in flight on an instance that died): {nginx_502s}; \
         the others are the portal's \"try again\" page (502 Okta error, 504 Okta timeout, 503 store)"
    ));
    let lost_total = checks.iter().filter(|c| c.1 == Check::Lost).count();
    lines.push(format!(
        "Sessions: {} re-checks of /account, {lost_total} lost, {} unreachable after 6 tries",
        checks.len(),
        checks.iter().filter(|c| c.1 == Check::Unreachable).count()
    ));
    let statuses: Vec<String> = flood
        .statuses
        .iter()
        .map(|(s, n)| format!("{s} × {n}"))
        .collect();
    lines.push(format!(
        "Flood: {} wrong passwords sent ({} naming real users), answers {}; {} got no form, {} no answer, {} skipped (too many in flight)",
        flood.sent,
        flood.real_names,
        if statuses.is_empty() { "none".to_string() } else { statuses.join(", ") },
        flood.failed_before_post,
        flood.transport_errors,
        flood.skipped
    ));
    lines.push(format!(
        "/token at the emulator: {} calls in {:.0} s, mean {:.1}/s, max {} and p99 {} per whole second, max {} in any 1000 ms; fleet ceiling {}/s",
        rate.total,
        ended,
        rate.mean(),
        rate.max(),
        rate.p99(),
        rate.sliding_max,
        o.ceiling
    ));
    lines.push(format!(
        "Locked accounts at the emulator: {}",
        if locked.is_empty() {
            "none".to_string()
        } else {
            locked.join(", ")
        }
    ));
    lines.push(format!(
        "Portals: {} panics in the logs; exited on their own: {}; Redis now: {redis_roles}",
        panics,
        if exited.is_empty() {
            "none".to_string()
        } else {
            format!("{exited:?}")
        }
    ));

    // Goals.
    if !locked.is_empty() {
        failed.push(format!(
            "accounts locked at the emulator: {}",
            locked.join(", ")
        ));
    }
    for f in faults.iter().filter(|f| f.failover) {
        let lost = checks
            .iter()
            .filter(|c| c.0 == f.phase && c.1 == Check::Lost)
            .count();
        // The goal is about instances; a Redis failover that loses sessions is a finding.
        if lost > 0 && f.phase == "redis-failover" {
            notes.push(format!(
                "{lost} session(s) lost in the Redis failover ({})",
                f.what
            ));
        } else if lost > 0 {
            failed.push(format!(
                "{lost} session(s) lost in phase {} ({})",
                f.phase, f.what
            ));
        }
        let failures = signins
            .iter()
            .filter(|s| s.phase == f.phase && s.failure.is_some())
            .count();
        if failures > 1 {
            failed.push(format!(
                "{failures} failed real sign-ins in phase {} (at most 1 per failover)",
                f.phase
            ));
        }
    }
    if rate.max() > o.ceiling as usize {
        failed.push(format!(
            "the fleet sent Okta {} /token calls in one second (ceiling {})",
            rate.max(),
            o.ceiling
        ));
    }
    if panics > 0 {
        failed.push(format!("{panics} panic(s) in the portal logs"));
    }

    let report = json!({
        "options": {"seconds": o.seconds, "users": o.users, "flood_rate": o.flood_rate,
                    "ceiling": o.ceiling, "sentinel": o.sentinel},
        "signins": kinds,
        "warm_up": {"completed": warm_ok, "attempted": warm.len()},
        "signouts": {"ok": out_ok, "attempted": out_all},
        "phases": phase_json,
        "faults": faults.iter().map(|f| json!({"at_s": f.at, "phase": f.phase, "what": f.what})).collect::<Vec<_>>(),
        "nginx_own_502s": nginx_502s,
        "five_xx_by_status": by_status.iter().map(|((s, w), n)| json!({"status": s, "who": w.name(), "count": n})).collect::<Vec<_>>(),
        "sessions": {"checks": checks.len(), "lost": lost_total,
                     "lost_users": checks.iter().filter(|c| c.1 == Check::Lost).map(|c| json!({"phase": c.0, "user": c.2})).collect::<Vec<_>>()},
        "flood": {"sent": flood.sent, "real_names": flood.real_names, "statuses": flood.statuses,
                  "no_form": flood.failed_before_post, "no_answer": flood.transport_errors, "skipped": flood.skipped},
        "token_calls": {"total": rate.total, "mean_per_second": rate.mean(), "max_per_second": rate.max(),
                        "p99_per_second": rate.p99(), "max_in_any_1000_ms": rate.sliding_max,
                        "ceiling": o.ceiling, "per_second": rate.windows.iter().map(|w| w.1).collect::<Vec<_>>()},
        "locked_accounts": locked,
        "portal_panics": panics,
        "redis_after": redis_roles,
        "real_users": users.iter().map(|u| json!({"login": u.login, "signed_in_at_end": u.signed_in})).collect::<Vec<_>>(),
        "goals_not_met": failed,
        "notes": notes,
    });
    let path = fleet.dir.join("report.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&report).unwrap_or_default(),
    )
    .map_err(|e| format!("{}: {e}", path.display()))?;
    lines.push(format!("JSON: {}", path.display()));
    Ok(Outcome {
        lines,
        notes,
        failed,
    })
}
