//! Figures: what each scenario measured, printed, and checked against what the
//! protections promise. The helpers every report uses are here; each scenario family's
//! report is in its own file.

mod codes;
mod password;
mod week;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use parking_lot::Mutex;

use crate::browser::Answer;
use crate::Scenario;

pub use codes::code_report;
pub use password::{report, Measured};
pub use week::week_report;

/// Okta's per-username limit on `/token`.
pub const OKTA_PER_USER_PER_SECOND: u64 = 4;

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

pub(super) fn label_line(out: &mut String, label: &str, value: String) {
    let _ = writeln!(out, "  {label:<44} {}", or_dash(value));
}

pub(super) fn portal_lines(out: &mut String, metrics: &str) {
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

pub(super) fn u(v: &Value, k: &str) -> Option<u64> {
    v[k].as_u64()
}

pub(super) fn opt(v: Option<u64>) -> String {
    v.map_or("-".into(), |n| n.to_string())
}
