//! Okta's rate limits as the emulator enforces them (protocol reference §10), on the
//! emulator's movable clock:
//! - 4 `/token` requests per second per username (429 `invalid_grant`);
//! - an org-wide bucket per endpoint group per 60 s window, reported in
//!   `X-Rate-Limit-Limit/Remaining/Reset` on every OAuth response (429 `E0000047`);
//! - one SMS or voice call per phone number per 30 s.
//!
//! It also records, per username, how many `/token` requests arrived in the busiest
//! second, and when every `/token` request arrived (the last [`TOKEN_ARRIVALS_KEPT`]), so
//! abuse and chaos simulations can show what reached "Okta".

use std::collections::{HashMap, VecDeque};

use serde::Serialize;

pub const USER_TOKEN_REQUESTS_PER_SECOND: usize = 4;
pub const PHONE_RESEND_SECONDS: i64 = 30;
const ORG_WINDOW_SECONDS: i64 = 60;
/// How many `/token` arrival times are kept for `GET /emulator/token-calls` (a few minutes
/// of a busy org; older ones are dropped first).
pub const TOKEN_ARRIVALS_KEPT: usize = 100_000;

/// The org-wide buckets (Okta counts `/token` separately from the other OAuth endpoints).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bucket {
    Token,
    OtherOAuth,
}

#[derive(Default)]
struct OrgWindow {
    start: i64,
    used: u32,
}

/// The figures sent in the `X-Rate-Limit-*` headers.
#[derive(Clone, Copy, Debug)]
pub struct OrgDecision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    pub reset: i64,
}

/// Per-username `/token` traffic, for the 4/s limit and for the stats.
#[derive(Default)]
struct UserTraffic {
    accepted: VecDeque<i64>,
    arrived: VecDeque<i64>,
    total: u64,
    rejected: u64,
    max_per_second: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct UserTrafficStats {
    pub token_requests: u64,
    pub rate_limited: u64,
    pub max_per_second: usize,
}

#[derive(Default)]
pub struct Limits {
    users: HashMap<String, UserTraffic>,
    org: HashMap<Bucket, OrgWindow>,
    phones: HashMap<String, i64>,
    token_arrivals: VecDeque<i64>,
    token_total: u64,
}

impl Limits {
    /// Records a `/token` request for `login` (lower-cased) and says whether it is within
    /// the per-username limit.
    pub fn user_token_request(&mut self, login: &str, now_ms: i64) -> bool {
        let t = self.users.entry(login.to_lowercase()).or_default();
        let horizon = now_ms - 1000;
        while t.arrived.front().is_some_and(|&at| at <= horizon) {
            t.arrived.pop_front();
        }
        while t.accepted.front().is_some_and(|&at| at <= horizon) {
            t.accepted.pop_front();
        }
        t.arrived.push_back(now_ms);
        t.total += 1;
        t.max_per_second = t.max_per_second.max(t.arrived.len());
        if t.accepted.len() >= USER_TOKEN_REQUESTS_PER_SECOND {
            t.rejected += 1;
            return false;
        }
        t.accepted.push_back(now_ms);
        true
    }

    /// When the per-username window frees a slot again (epoch seconds, rounded up).
    pub fn user_reset(&self, login: &str, now_ms: i64) -> i64 {
        let first = self
            .users
            .get(&login.to_lowercase())
            .and_then(|t| t.accepted.front().copied())
            .unwrap_or(now_ms);
        (first + 1000 + 999).div_euclid(1000)
    }

    pub fn user_stats(&self, login: &str) -> Option<UserTrafficStats> {
        self.users
            .get(&login.to_lowercase())
            .map(|t| UserTrafficStats {
                token_requests: t.total,
                rate_limited: t.rejected,
                max_per_second: t.max_per_second,
            })
    }

    pub fn all_user_stats(&self) -> HashMap<String, UserTrafficStats> {
        self.users
            .keys()
            .filter_map(|k| self.user_stats(k).map(|s| (k.clone(), s)))
            .collect()
    }

    /// Records that a request reached `/token` at `now_ms`, whatever happens to it next
    /// (an injected fault, a 429, an answer).
    pub fn token_arrival(&mut self, now_ms: i64) {
        if self.token_arrivals.len() >= TOKEN_ARRIVALS_KEPT {
            self.token_arrivals.pop_front();
        }
        self.token_arrivals.push_back(now_ms);
        self.token_total += 1;
    }

    /// Every `/token` request so far, and the arrival times (ms) kept from `since_ms` on.
    pub fn token_arrivals(&self, since_ms: i64) -> (u64, Vec<i64>) {
        let from = self.token_arrivals.partition_point(|&at| at < since_ms);
        (
            self.token_total,
            self.token_arrivals.range(from..).copied().collect(),
        )
    }

    /// Counts one request against the org bucket.
    pub fn org_request(&mut self, bucket: Bucket, limit: u32, now: i64) -> OrgDecision {
        let w = self.org.entry(bucket).or_default();
        if now >= w.start + ORG_WINDOW_SECONDS || now < w.start {
            *w = OrgWindow {
                start: now,
                used: 0,
            };
        }
        let allowed = w.used < limit;
        if allowed {
            w.used += 1;
        }
        OrgDecision {
            allowed,
            limit,
            remaining: limit.saturating_sub(w.used),
            reset: w.start + ORG_WINDOW_SECONDS,
        }
    }

    /// Claims the phone for an SMS or call; `Err(reset)` when one went out in the last 30 s.
    pub fn phone_send(&mut self, number: &str, now: i64) -> Result<(), i64> {
        match self.phones.get(number) {
            Some(&last) if now < last + PHONE_RESEND_SECONDS => Err(last + PHONE_RESEND_SECONDS),
            _ => {
                self.phones.insert(number.to_string(), now);
                Ok(())
            }
        }
    }

    /// Drops idle per-user records (called now and then so a flood of distinct
    /// usernames cannot grow memory without bound; the stats of active users stay).
    pub fn prune(&mut self, now_ms: i64) {
        if self.users.len() > 50_000 {
            self.users
                .retain(|_, t| t.arrived.back().is_some_and(|&at| at > now_ms - 60_000));
        }
        let now = now_ms.div_euclid(1000);
        self.phones
            .retain(|_, &mut last| now < last + PHONE_RESEND_SECONDS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_per_second_per_user() {
        let mut l = Limits::default();
        for i in 0..4 {
            assert!(l.user_token_request("Bob", 10_000 + i));
        }
        assert!(!l.user_token_request("bob", 10_500));
        assert!(l.user_token_request("bob", 11_001));
        let s = l.user_stats("BOB").unwrap();
        assert_eq!(
            (s.token_requests, s.rate_limited, s.max_per_second),
            (6, 1, 5)
        );
    }

    #[test]
    fn org_window_resets_after_a_minute() {
        let mut l = Limits::default();
        assert!(l.org_request(Bucket::Token, 2, 100).allowed);
        let d = l.org_request(Bucket::Token, 2, 101);
        assert!(d.allowed && d.remaining == 0 && d.reset == 160);
        assert!(!l.org_request(Bucket::Token, 2, 159).allowed);
        assert!(l.org_request(Bucket::OtherOAuth, 2, 159).allowed);
        assert!(l.org_request(Bucket::Token, 2, 160).allowed);
    }

    #[test]
    fn token_arrivals_are_kept_in_order_and_bounded() {
        let mut l = Limits::default();
        for at in [1_000, 1_500, 2_000] {
            l.token_arrival(at);
        }
        assert_eq!(l.token_arrivals(1_500), (3, vec![1_500, 2_000]));
        assert_eq!(l.token_arrivals(0).1.len(), 3);
        for at in 0..TOKEN_ARRIVALS_KEPT as i64 {
            l.token_arrival(3_000 + at);
        }
        let (total, kept) = l.token_arrivals(0);
        assert_eq!(total, 3 + TOKEN_ARRIVALS_KEPT as u64);
        assert_eq!(kept.len(), TOKEN_ARRIVALS_KEPT);
        assert_eq!(kept[0], 3_000, "the oldest went first");
    }

    #[test]
    fn one_sms_per_phone_per_30s() {
        let mut l = Limits::default();
        assert!(l.phone_send("+1", 0).is_ok());
        assert_eq!(l.phone_send("+1", 29), Err(30));
        assert!(l.phone_send("+1", 30).is_ok());
    }
}
