//! Figures: what each scenario measured, printed, and checked against what the
//! protections promise.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use parking_lot::Mutex;

use crate::attack::Attack;
use crate::bob::BobFigures;
use crate::browser::Answer;
use crate::codes::CodeMeasured;
use crate::procs::mib;
use crate::week::WeekMeasured;
use crate::{Options, Scenario, BOB, CAROL, DAVE};

/// Okta's per-username limit on `/token`.
pub const OKTA_PER_USER_PER_SECOND: u64 = 4;

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

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    // Nearest rank.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Milliseconds, or "-" when there was nothing to measure.
pub fn ms(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else {
        format!("{v:.0} ms")
    }
}

pub fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.total_cmp(b));
    v
}

pub struct Report {
    pub scenario: Scenario,
    pub failed_checks: Vec<String>,
    pub summary: BTreeMap<&'static str, String>,
}

pub fn metric_lines(metrics: &str, name: &str, label: &str) -> Vec<(String, f64)> {
    let prefix = format!("direct_signin_{name}{{");
    metrics
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter_map(|rest| {
            let (labels, value) = rest.split_once("} ")?;
            let key = labels
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .filter(|(k, _)| label.split('+').any(|want| want == *k))
                .map(|(_, v)| v.trim_matches('"').to_string())
                .collect::<Vec<_>>()
                .join(" ");
            Some((key, value.trim().parse().ok()?))
        })
        .collect()
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

/// "-" for a figure that was not measured (an empty list, a missing value).
pub fn or_dash(s: String) -> String {
    if s.trim().is_empty() {
        "-".into()
    } else {
        s
    }
}

/// The portal's answers per kind of request: `row` → outcome ("303", "401", "error") →
/// count.
#[derive(Default)]
pub struct Tally(Mutex<BTreeMap<String, BTreeMap<String, u64>>>);

impl Tally {
    pub fn add(&self, row: &str, outcome: &str) {
        *self
            .0
            .lock()
            .entry(row.to_string())
            .or_default()
            .entry(outcome.to_string())
            .or_default() += 1;
    }

    /// Tallies an answer by its status, or "error" for a transport error.
    pub fn answer(&self, row: &str, a: &Result<Answer, String>) {
        match a {
            Ok(a) => self.add(row, &a.status.to_string()),
            Err(_) => self.add(row, "error"),
        }
    }

    /// Answers with a 5xx status, over all rows.
    pub fn server_errors(&self) -> u64 {
        self.0
            .lock()
            .values()
            .flat_map(|r| r.iter())
            .filter(|(k, _)| k.starts_with('5'))
            .map(|(_, v)| v)
            .sum()
    }

    pub fn total(&self, row: &str) -> u64 {
        self.0
            .lock()
            .get(row)
            .map(|r| r.values().sum())
            .unwrap_or(0)
    }

    /// Each row with its outcomes: "total n: 303 a, 401 b, …".
    pub fn rows(&self) -> Vec<(String, String)> {
        self.0
            .lock()
            .iter()
            .map(|(row, outcomes)| {
                let total: u64 = outcomes.values().sum();
                (row.clone(), format!("{total}: {}", outcomes_line(outcomes)))
            })
            .collect()
    }
}

/// "303 4, 401 17" (or "-").
pub fn outcomes_line(outcomes: &BTreeMap<String, u64>) -> String {
    or_dash(
        outcomes
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

fn label_line(out: &mut String, label: &str, value: String) {
    let _ = writeln!(out, "  {label:<44} {}", or_dash(value));
}

fn portal_lines(out: &mut String, metrics: &str) {
    let limiters = metric_lines(metrics, "rate_limit_rejections_total", "limiter");
    label_line(
        out,
        "portal rate-limit rejections (metrics)",
        limiters
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    let okta_calls = metric_lines(metrics, "okta_requests_total", "endpoint+result");
    label_line(
        out,
        "portal calls to Okta (metrics)",
        okta_calls
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
}

fn u(v: &Value, k: &str) -> Option<u64> {
    v[k].as_u64()
}

fn opt(v: Option<u64>) -> String {
    v.map_or("-".into(), |n| n.to_string())
}

/// Figures of `otp-flood` and `push-flood`.
pub fn code_report(m: CodeMeasured, scenario: Scenario) -> Report {
    let secs = m.elapsed.as_secs_f64();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n== Scenario {}: {} (trusted proxy 127.0.0.1, a random X-Forwarded-For per request; {} new browsers per second over {} clients, {} made-up usernames, {:.1} s)",
        scenario.slug(),
        m.title,
        m.rate,
        m.concurrency,
        m.usernames,
        secs
    );
    let _ = writeln!(out, "  portal answers (requests: outcomes)");
    for (row, line) in m.tally.rows() {
        let _ = writeln!(out, "    {row:<42} {line}");
    }
    let user = |login: &str| m.users.iter().find(|(l, _)| l == login).map(|(_, v)| v);
    let _ = writeln!(
        out,
        "  at the emulator, per real account          failed codes | pushes sent | messages sent (SMS, voice, email) | /token calls | locked"
    );
    for (login, v) in &m.users {
        let _ = writeln!(
            out,
            "    {login:<42} {} | {} | {} | {} | {}",
            opt(u(v, "failed_codes")),
            opt(u(v, "pushes_sent")),
            opt(u(v, "messages_sent")),
            opt(v["token_traffic"]["token_requests"].as_u64()),
            match v["locked"].as_bool() {
                Some(true) => "YES",
                Some(false) => "no",
                None => "-",
            }
        );
    }
    let carol = user(CAROL);
    let carol_codes = carol.and_then(|v| u(v, "failed_codes"));
    let per_day = |n: u64| n as f64 / secs.max(1.0) * 86_400.0;
    let mut failed = vec![];
    let mut summary = BTreeMap::new();
    match scenario {
        Scenario::OtpFlood => {
            let sent = m.tally.total("code (carol)");
            label_line(
                &mut out,
                "wrong codes for carol: sent / reached Okta",
                format!(
                    "{sent} / {} ({})",
                    opt(carol_codes),
                    match carol_codes {
                        Some(n) if sent > 0 =>
                            format!("{:.0} % forwarded", n as f64 * 100.0 / sent as f64),
                        _ => "-".into(),
                    }
                ),
            );
            label_line(
                &mut out,
                "carol's wrong codes at Okta, at this pace",
                carol_codes.map_or("-".into(), |n| {
                    format!(
                        "{:.0} per minute, {:.0} per day; TOTP accepts 3 codes in 10^6, so {:.2} break-ins a day",
                        n as f64 / secs.max(1.0) * 60.0,
                        per_day(n),
                        per_day(n) * 3e-6
                    )
                }),
            );
            label_line(
                &mut out,
                "codes that signed an attacker in",
                if m.break_ins.is_empty() {
                    "none".into()
                } else {
                    format!(
                        "!!!!!!!! {} !!!!!!!! {}",
                        m.break_ins.len(),
                        m.break_ins.join("; ")
                    )
                },
            );
            if !m.break_ins.is_empty() {
                failed.push(format!(
                    "otp-flood: a random code signed an attacker in ({})",
                    m.break_ins.join("; ")
                ));
            }
            summary.insert(
                "line",
                format!(
                    "carol: {sent} wrong codes sent, {} reached Okta in {secs:.0} s (≈ {} a day); break-ins: {}",
                    opt(carol_codes),
                    carol_codes.map_or("-".into(), |n| format!("{:.0}", per_day(n))),
                    m.break_ins.len()
                ),
            );
        }
        _ => {
            let pushes = carol.and_then(|v| u(v, "pushes_sent"));
            let messages = carol.and_then(|v| u(v, "messages_sent"));
            let dave_pushes = user(DAVE).and_then(|v| u(v, "pushes_sent"));
            let starts = |who: &str| {
                m.tally.total(&format!("push start ({who})"))
                    + m.tally.total(&format!("sms start ({who})"))
            };
            label_line(
                &mut out,
                "starts: carol / dave / made-up",
                format!(
                    "{} / {} / {}",
                    starts("carol"),
                    starts("dave"),
                    starts("made-up")
                ),
            );
            label_line(
                &mut out,
                "sent to carol's devices",
                format!(
                    "{} pushes, {} SMS/voice/email in {secs:.0} s (≈ {} pushes and {} messages a day at this pace)",
                    opt(pushes),
                    opt(messages),
                    pushes.map_or("-".into(), |n| format!("{:.0}", per_day(n))),
                    messages.map_or("-".into(), |n| format!("{:.0}", per_day(n)))
                ),
            );
            label_line(
                &mut out,
                "pushes sent to dave (refused by policy)",
                opt(dave_pushes),
            );
            let polls = carol.and_then(|v| v["token_traffic"]["token_requests"].as_u64());
            label_line(
                &mut out,
                "carol's poll /token calls at the emulator",
                format!(
                    "{} (wait-status polls sent to the portal for carol: {})",
                    opt(polls),
                    m.tally.total("wait status poll (carol)")
                ),
            );
            summary.insert(
                "line",
                format!(
                    "carol got {} pushes and {} messages in {secs:.0} s; dave {} pushes; portal RSS {} → {}",
                    opt(pushes),
                    opt(messages),
                    opt(dave_pushes),
                    mib(m.rss_before),
                    mib(m.rss_after)
                ),
            );
        }
    }
    label_line(
        &mut out,
        "portal memory (VmRSS)",
        format!(
            "{} before, {} after (peak {})",
            mib(m.rss_before),
            mib(m.rss_after),
            mib(m.rss_peak)
        ),
    );
    let okta_429: u64 = m.stats["token_traffic"]
        .as_object()
        .map(|t| {
            t.values()
                .map(|v| v["rate_limited"].as_u64().unwrap_or(0))
                .sum()
        })
        .unwrap_or(0);
    label_line(
        &mut out,
        "Okta 429s on /token (per-username limit)",
        okta_429.to_string(),
    );
    portal_lines(&mut out, &m.metrics);
    label_line(
        &mut out,
        "portal process",
        format!(
            "{}; {} panic(s) in its log ({})",
            match &m.portal_exit {
                None => "ran through the flood".to_string(),
                Some(status) => format!("EXITED during the flood ({status})"),
            },
            m.panics,
            m.portal_log.display()
        ),
    );
    print!("{out}");
    for (login, v) in &m.users {
        if v["locked"].as_bool() == Some(true) {
            failed.push(format!(
                "{}: {login} is locked at the emulator",
                scenario.slug()
            ));
        }
    }
    if let Some(status) = &m.portal_exit {
        failed.push(format!("{}: the portal exited ({status})", scenario.slug()));
    }
    if m.panics > 0 {
        failed.push(format!(
            "{}: {} panic(s) in the portal's log",
            scenario.slug(),
            m.panics
        ));
    }
    let fives = m.tally.server_errors();
    if fives > 0 {
        failed.push(format!(
            "{}: the portal answered 5xx {fives} time(s)",
            scenario.slug()
        ));
    }
    Report {
        scenario,
        failed_checks: failed,
        summary,
    }
}

/// Figures of `slow-week`: per account, per simulated day.
pub fn week_report(m: WeekMeasured) -> Report {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n== Scenario slow-week: {} simulated days, about {} attempts per account per day from random forwarded addresses (portal and emulator in-process on one clock, moved {:.1} days in {:.1} s)",
        m.days,
        m.per_day,
        m.clock_moved as f64 / 86_400.0,
        m.elapsed.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "  alice, bob, dave: wrong passwords (reached = their /token calls at the emulator); carol: wrong passwordless-OTP codes, {} per flow (reached = failed_codes)",
        crate::week::CODES_PER_FLOW
    );
    let _ = writeln!(
        out,
        "  {:<20} {:>4} {:>6} {:>8} {:>12}  {:<8} portal answers",
        "account", "day", "sent", "reached", "consecutive", "locked"
    );
    let mut failed = vec![];
    let mut totals = vec![];
    for (login, days) in &m.accounts {
        let mut reached_total = 0;
        let mut max_reached = 0;
        let mut locked_on = None;
        for (i, d) in days.iter().enumerate() {
            reached_total += d.reached;
            max_reached = max_reached.max(d.reached);
            if d.locked && locked_on.is_none() {
                locked_on = Some(i + 1);
            }
            let _ = writeln!(
                out,
                "  {:<20} {:>4} {:>6} {:>8} {:>12}  {:<8} {}",
                login,
                i + 1,
                d.sent,
                d.reached,
                if login == CAROL {
                    "-".to_string()
                } else {
                    d.consecutive.to_string()
                },
                if d.locked { "YES" } else { "no" },
                outcomes_line(&d.answers)
            );
        }
        totals.push(format!(
            "{}: {reached_total} reached (max {max_reached}/day){}",
            login.split('@').next().unwrap_or(login),
            locked_on.map_or(String::new(), |d| format!(", LOCKED on day {d}"))
        ));
        if let Some(d) = locked_on {
            failed.push(format!(
                "slow-week: {login} is locked at the emulator (day {d})"
            ));
        }
    }
    label_line(
        &mut out,
        "locked at the emulator at the end",
        if m.locked_users.is_empty() {
            "none".into()
        } else {
            m.locked_users.join(", ")
        },
    );
    for (login, result) in &m.after {
        label_line(
            &mut out,
            &format!("after the week, {login} signs in"),
            match result {
                None => "- (not measured)".into(),
                Some(Ok(())) => "yes (fresh browser, right credentials)".into(),
                Some(Err(e)) => format!("NO: {e}"),
            },
        );
    }
    let _ = writeln!(out, "  portal answers over the week (requests: outcomes)");
    for (row, line) in m.tally.rows() {
        let _ = writeln!(out, "    {row:<42} {line}");
    }
    portal_lines(&mut out, &m.metrics);
    label_line(
        &mut out,
        "portal (in-process)",
        format!(
            "{}; {} panic(s) in this process",
            m.portal_crashed
                .as_deref()
                .unwrap_or("ran through the week"),
            m.panics
        ),
    );
    let _ = &m.stats;
    print!("{out}");
    if let Some(c) = &m.portal_crashed {
        failed.push(format!("slow-week: {c}"));
    }
    if m.panics > 0 {
        failed.push(format!("slow-week: {} panic(s)", m.panics));
    }
    let fives = m.tally.server_errors();
    if fives > 0 {
        failed.push(format!(
            "slow-week: the portal answered 5xx {fives} time(s)"
        ));
    }
    let mut summary = BTreeMap::new();
    summary.insert("line", totals.join("; "));
    Report {
        scenario: Scenario::SlowWeek,
        failed_checks: failed,
        summary,
    }
}
