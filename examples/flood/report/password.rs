//! The figures of `one-ip` and `many-ips`: credential stuffing on the password step.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::attack::Attack;
use crate::bob::BobFigures;
use crate::procs::mib;
use crate::{Options, Scenario, BOB};

use super::*;

/// Everything one scenario measured.
pub struct Measured {
    pub scenario: Scenario,
    pub elapsed: Duration,
    pub attack: Arc<Attack>,
    pub bob: BobFigures,
    pub baseline: Duration,
    pub device_before: bool,
    pub device_after: bool,
    pub rss_before: u64,
    pub rss_after: u64,
    pub rss_peak: u64,
    pub stats: Value,
    pub bob_status: Value,
    pub alice_status: Value,
    pub dave_status: Value,
    pub metrics: String,
    pub portal_exit: Option<String>,
    pub panics: usize,
    pub portal_log: PathBuf,
}

/// Prints the figures of one scenario and says which promises it broke.
pub fn report(m: Measured, o: &Options) -> Report {
    let Measured {
        scenario,
        elapsed,
        attack,
        bob: bob_figures,
        baseline,
        device_before,
        device_after,
        rss_before,
        rss_after,
        rss_peak,
        stats,
        bob_status,
        alice_status,
        dave_status,
        metrics,
        portal_exit,
        panics,
        portal_log,
    } = m;

    let traffic: HashMap<String, Value> = stats["token_traffic"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let field = |v: &Value, k: &str| v[k].as_u64().unwrap_or(0);
    let total_token: u64 = traffic.values().map(|v| field(v, "token_requests")).sum();
    let okta_429: u64 = traffic.values().map(|v| field(v, "rate_limited")).sum();
    let (max_user, max_per_second) = traffic
        .iter()
        .map(|(k, v)| (k.clone(), field(v, "max_per_second")))
        .max_by_key(|(k, n)| (*n, k == BOB))
        .unwrap_or_default();
    let bob_traffic = traffic.get(BOB).cloned().unwrap_or(Value::Null);
    let bob_locked = bob_status["locked"].as_bool().unwrap_or(true);
    let locked_users: Vec<String> = stats["locked_users"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    // Bob's own /token calls: a password and a TOTP grant per sign-in.
    let bob_own = 2 * (1 + bob_figures.ok as u64);

    let c = &attack.counts;
    let n = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let sent = n(&c.sent);
    let wrong_ms = sorted(c.wrong_ms.lock().clone());
    let limited_ms = sorted(c.limited_ms.lock().clone());
    let lat = sorted(bob_figures.latencies_ms.clone());

    let mut out = String::new();
    let line = |out: &mut String, label: &str, value: String| {
        let _ = writeln!(out, "  {label:<38} {value}");
    };
    let _ = writeln!(
        out,
        "\n== Scenario {}: {}",
        match scenario {
            Scenario::OneIp => "A",
            _ => "B",
        },
        match scenario {
            Scenario::OneIp =>
                "one IP (attacker 127.0.0.1, no X-Forwarded-For; bob from 127.0.0.2)",
            _ =>
                "many IPs (trusted proxy 127.0.0.1, a random X-Forwarded-For per attempt; bob as 203.0.113.77)",
        }
    );
    line(
        &mut out,
        "attempts sent",
        format!(
            "{sent} wrong passwords in {:.1} s, {} clients, {} usernames + bob, alice, dave ({} of the attempts)",
            elapsed.as_secs_f64(),
            o.concurrency,
            o.usernames,
            n(&c.real_user_attempts)
        ),
    );
    let others = c.other_statuses.lock().clone();
    line(
        &mut out,
        "portal answers",
        format!(
            "303: {}  401: {}  429: {}  other: {}{}  transport errors: {}{}",
            n(&c.s303),
            n(&c.s401),
            n(&c.s429),
            n(&c.other),
            if others.is_empty() {
                String::new()
            } else {
                format!(" {others:?}")
            },
            n(&c.errors),
            c.last_error
                .lock()
                .as_ref()
                .map(|e| format!(" (last: {e})"))
                .unwrap_or_default()
        ),
    );
    line(
        &mut out,
        "answer time 401 / 429 (median)",
        format!(
            "{} / {}",
            ms(percentile(&wrong_ms, 50.0)),
            ms(percentile(&limited_ms, 50.0))
        ),
    );
    line(
        &mut out,
        "/token calls that reached the emulator",
        format!(
            "{total_token} over {} usernames (bob's own sign-ins: {bob_own}); Okta 429s: {okta_429}",
            traffic.len()
        ),
    );
    line(
        &mut out,
        "max per username per second at emulator",
        format!(
            "{max_per_second} ({max_user}); bob: {} ({} calls, {} answered 429)",
            opt(bob_traffic["max_per_second"].as_u64()),
            opt(bob_traffic["token_requests"].as_u64()),
            opt(bob_traffic["rate_limited"].as_u64())
        ),
    );
    line(
        &mut out,
        "wrong passwords on bob forwarded",
        format!(
            "{} of the attempts on bob reached the emulator",
            n(&c.bob_forwarded)
        ),
    );
    line(
        &mut out,
        "bob locked at the emulator",
        format!(
            "{} (consecutive failed passwords now: {}); alice {}, dave {}; locked users: {}",
            match bob_status["locked"].as_bool() {
                Some(true) => "YES",
                Some(false) => "no",
                None => "- (not measured: counted as locked)",
            },
            opt(bob_status["failed_passwords"].as_u64()),
            opt(alice_status["failed_passwords"].as_u64()),
            opt(dave_status["failed_passwords"].as_u64()),
            if locked_users.is_empty() {
                "none".to_string()
            } else {
                locked_users.join(", ")
            }
        ),
    );
    line(
        &mut out,
        "bob's browser holds a device cookie",
        format!(
            "{} after the sign-in before the flood, {} at the end",
            if device_before { "yes" } else { "NO" },
            if device_after { "yes" } else { "NO" }
        ),
    );
    line(
        &mut out,
        "bob's sign-ins during the flood",
        format!(
            "{} of {} succeeded (password + TOTP, device cookie kept){}",
            bob_figures.ok,
            bob_figures.tries,
            if bob_figures.failures.is_empty() {
                String::new()
            } else {
                format!("; failures: {}", bob_figures.failures.join(" | "))
            }
        ),
    );
    line(
        &mut out,
        "bob's sign-in latency",
        format!(
            "median {}, p99 {} (n = {}; before the flood: {})",
            ms(percentile(&lat, 50.0)),
            ms(percentile(&lat, 99.0)),
            lat.len(),
            ms(baseline.as_secs_f64() * 1000.0)
        ),
    );
    line(
        &mut out,
        "portal memory (VmRSS)",
        format!(
            "{} before, {} after (peak {})",
            mib(rss_before),
            mib(rss_after),
            mib(rss_peak)
        ),
    );
    line(
        &mut out,
        "portal process",
        format!(
            "{}; {} panic(s) in its log ({})",
            match &portal_exit {
                None => "ran through the flood".to_string(),
                Some(status) => format!("EXITED during the flood ({status})"),
            },
            panics,
            portal_log.display()
        ),
    );
    let limiters = metric_lines(&metrics, "rate_limit_rejections_total", "limiter");
    line(
        &mut out,
        "portal rate-limit rejections",
        or_dash(
            limiters
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    let okta_calls = metric_lines(&metrics, "okta_requests_total", "endpoint+result");
    line(
        &mut out,
        "portal calls to Okta",
        or_dash(
            okta_calls
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    line(
        &mut out,
        "emulator clock moved (TOTP steps)",
        format!("{} s", bob_figures.clock_advanced),
    );
    print!("{out}");

    let mut failed = vec![];
    if bob_locked {
        failed.push(format!(
            "{}: bob is locked at the emulator",
            scenario.title()
        ));
    }
    if max_per_second > OKTA_PER_USER_PER_SECOND {
        failed.push(format!(
            "{}: the emulator saw {max_per_second} /token calls in one second for {max_user} (Okta allows {OKTA_PER_USER_PER_SECOND})",
            scenario.title()
        ));
    }
    if let Some(status) = &portal_exit {
        failed.push(format!(
            "{}: the portal exited during the flood ({status})",
            scenario.title()
        ));
    }
    if panics > 0 {
        failed.push(format!(
            "{}: {panics} panic(s) in the portal's log",
            scenario.title()
        ));
    }
    if !device_before {
        failed.push(format!(
            "{}: no device cookie after bob's complete sign-in (the device-cookie budget cannot help him)",
            scenario.title()
        ));
    }
    if bob_figures.ok == 0 {
        failed.push(format!(
            "{}: bob never signed in during the flood",
            scenario.title()
        ));
    }

    let mut summary = BTreeMap::new();
    summary.insert(
        "attempts",
        format!("{sent} in {:.0} s", elapsed.as_secs_f64()),
    );
    summary.insert(
        "answers",
        format!(
            "{} / {} / {}",
            n(&c.s401),
            n(&c.s429),
            n(&c.other) + n(&c.s303) + n(&c.errors)
        ),
    );
    summary.insert("reached", format!("{total_token}"));
    summary.insert(
        "max",
        format!(
            "{max_per_second} (bob {})",
            opt(bob_traffic["max_per_second"].as_u64())
        ),
    );
    summary.insert("locked", if bob_locked { "yes" } else { "no" }.to_string());
    summary.insert("bob", format!("{}/{}", bob_figures.ok, bob_figures.tries));
    summary.insert(
        "latency",
        format!(
            "{} / {}",
            ms(percentile(&lat, 50.0)),
            ms(percentile(&lat, 99.0))
        ),
    );
    summary.insert(
        "memory",
        format!("{} → {}", mib(rss_before), mib(rss_after)),
    );
    Report {
        scenario,
        failed_checks: failed,
        summary,
    }
}
