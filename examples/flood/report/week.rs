//! The figures of `slow-week`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::week::WeekMeasured;
use crate::{Scenario, CAROL};

use super::*;

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
