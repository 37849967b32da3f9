//! The figures of `otp-flood` and `push-flood`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::codes::CodeMeasured;
use crate::procs::mib;
use crate::{Scenario, CAROL, DAVE};

use super::*;

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
