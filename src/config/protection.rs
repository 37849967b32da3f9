//! `[protection]`: abuse resistance (see `portal::abuse`; named `protection` because Rocket
//! owns `limits`).
//!
//! Every numeric key is bounded so that no value can wrap, overflow or make a limiter
//! panic when the portal is built (governor refuses a zero period: above 60000 per minute
//! the per-IP period `60000 ms / n` would be zero):
//!
//! | keys | accepted |
//! |---|---|
//! | `ip_*_per_minute` | 1 to 60000 |
//! | `username_per_second` | above 0, below 4 (Okta's per-username limit) |
//! | `username_burst` | 1 to 1000 |
//! | `okta_calls_per_second`, `okta_max_concurrent` | 1 to 100000 |
//! | `okta_untrusted_share` | 1 to 100 (percent) |
//! | `anonymous_failure_budget` + `device_failure_budget` | below `okta_lockout_threshold` |
//! | `okta_lockout_threshold` | 1 to 100000 |
//! | `ip_username_failures` | 1 to 100000 |
//! | `failure_window` | 1 s to 10 years |
//! | `max_backoff_seconds` | 0 to 10 years |
//! | `failure_floor_ms` | 0 to 60000 |
//! | `okta_auto_unlock` | unset, or 1 s to 365 days |
//! | `failure_memory_entries` | 1000 to 100000000 |
//! | `failure_retention` | 1 s to 3650 days |
//! | `code_failures_free` | 0 to 100000 |
//! | `code_max_backoff_seconds` | 1 to 86400 |
//! | `code_failures_max`, `deliveries_per_day`, `deliveries_outstanding`, `free_starts_per_second` | 1 to 100000 |
//! | `deliveries_window` | 1 to 86400 s |
//! | `phone_cooldown_seconds` | 1 to 3600 s |

use serde::{Deserialize, Serialize};

use super::{invalid, within, ConfigError, MAX_SECONDS};

/// Abuse resistance (see `portal::abuse`; named `protection` because Rocket owns `limits`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProtectionConfig {
    /// Password and passwordless sign-in starts per client IP per minute.
    pub ip_signin_per_minute: u32,
    /// Code submissions per client IP per minute.
    pub ip_code_per_minute: u32,
    /// Code resends per client IP per minute.
    pub ip_resend_per_minute: u32,
    /// Push wait-status polls per client IP per minute.
    pub ip_poll_per_minute: u32,
    /// Sign-in starts per username per second (Okta allows 4 `/token` calls per second).
    pub username_per_second: f64,
    /// Sign-in starts that may begin together for one username (per kind of browser). With
    /// 2, a double submit still reaches the flow's lease (and is answered as one), while
    /// 2 guesses starting together plus the real user's own password and code calls stay
    /// within Okta's 4 per second.
    pub username_burst: u32,
    /// Okta's lockout threshold (its password policy; 10 by default).
    pub okta_lockout_threshold: u32,
    /// Wrong passwords forwarded per username from browsers without a device cookie.
    pub anonymous_failure_budget: u32,
    /// Wrong passwords forwarded per username from browsers with a device cookie.
    pub device_failure_budget: u32,
    /// Wrong passwords one IP may forward for one username.
    pub ip_username_failures: u32,
    /// Seconds after the last failure when a username's counts are forgotten.
    pub failure_window: i64,
    /// Longest backoff between attempts on a failing username, in seconds.
    pub max_backoff_seconds: i64,
    /// Minimum response time of a failed password attempt, in milliseconds.
    pub failure_floor_ms: u64,
    /// Calls to Okta per second from this instance, per Okta rate-limit bucket (`/token`,
    /// and the other OAuth endpoints). Keep the sum over instances below the org's limit
    /// (Okta's default for `/token`: 1200 per minute).
    pub okta_calls_per_second: u32,
    /// Percent of that capacity first-factor attempts from browsers without a device
    /// cookie may use; the rest stays for real users.
    pub okta_untrusted_share: u32,
    /// Calls to Okta in flight at once from this instance.
    pub okta_max_concurrent: u32,
    /// Seconds after which the org's Okta policy unlocks an account on its own, when the
    /// operator declares that it does. Unset (the default): Okta's count of consecutive
    /// failures never decays, so neither do ours; they restart only on a correct password.
    pub okta_auto_unlock: Option<i64>,
    /// Usernames whose failure counts this instance keeps exactly (in-memory store); past
    /// it the least recently failed are folded into a fixed-size sketch that never counts
    /// low (see `abuse::sketch`).
    pub failure_memory_entries: usize,
    /// Seconds a username's exact counts stay in Redis after its last change (the Redis
    /// sketch keeps an upper bound after that).
    pub failure_retention: i64,
    /// Wrong one-time codes a username may send (over all flows, resends and factors)
    /// before each further one waits: 1, 2, 4 … s, up to `code_max_backoff_seconds`.
    pub code_failures_free: u32,
    /// The longest wait between wrong codes, in seconds.
    pub code_max_backoff_seconds: i64,
    /// Consecutive wrong codes after which a username's codes are refused until a sign-in
    /// completes (by another factor): NIST SP 800-63B allows at most 100.
    pub code_failures_max: u32,
    /// Codes or pushes sent per username per day (pushes, SMS, calls, emails; every name,
    /// known or not).
    pub deliveries_per_day: u32,
    /// Codes or pushes per username within `deliveries_window` seconds (the lifetime of
    /// a challenge: at most this many outstanding at once).
    pub deliveries_outstanding: u32,
    /// The window of `deliveries_outstanding`, in seconds.
    pub deliveries_window: i64,
    /// Seconds between two SMS or calls for one username (Okta's per-phone limit is 30 s;
    /// applying our own to every name makes a second start look the same for all).
    pub phone_cooldown_seconds: i64,
    /// Passwordless authenticator-app starts per second on this instance: they cost Okta
    /// nothing, so this bounds the pending sessions they create.
    pub free_starts_per_second: u32,
    /// Whether a decoy push (an unknown user's) shows a number to tap. Set it as your
    /// org's Okta Verify number challenge is set for passwordless pushes.
    pub decoy_number_challenge: bool,
}

impl Default for ProtectionConfig {
    fn default() -> Self {
        ProtectionConfig {
            ip_signin_per_minute: 30,
            ip_code_per_minute: 30,
            ip_resend_per_minute: 10,
            ip_poll_per_minute: 120,
            username_per_second: 1.0,
            username_burst: 2,
            okta_lockout_threshold: 10,
            anonymous_failure_budget: 4,
            device_failure_budget: 5,
            ip_username_failures: 2,
            failure_window: 24 * 3600,
            max_backoff_seconds: 30,
            failure_floor_ms: 400,
            okta_calls_per_second: 16,
            okta_untrusted_share: 50,
            okta_max_concurrent: 64,
            okta_auto_unlock: None,
            failure_memory_entries: 1_000_000,
            failure_retention: 30 * 24 * 3600,
            code_failures_free: 5,
            code_max_backoff_seconds: 3600,
            code_failures_max: 100,
            deliveries_per_day: 10,
            deliveries_outstanding: 5,
            deliveries_window: 300,
            phone_cooldown_seconds: 30,
            free_starts_per_second: 20,
            decoy_number_challenge: true,
        }
    }
}

impl ProtectionConfig {
    /// Checks every limit is within its allowed range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let l = self;
        within(
            "protection.okta_lockout_threshold",
            l.okta_lockout_threshold,
            1,
            100_000,
            "",
        )?;
        // Summed in u64: two u32 budgets cannot wrap there.
        if u64::from(l.anonymous_failure_budget) + u64::from(l.device_failure_budget)
            >= u64::from(l.okta_lockout_threshold)
        {
            return Err(invalid(
                "protection.anonymous_failure_budget",
                format!(
                    "anonymous_failure_budget + device_failure_budget must stay below okta_lockout_threshold ({})",
                    l.okta_lockout_threshold
                ),
            ));
        }
        // NaN fails both comparisons.
        if !(l.username_per_second > 0.0 && l.username_per_second < 4.0) {
            return Err(invalid(
                "protection.username_per_second",
                "must be above 0 and below Okta's 4 per second",
            ));
        }
        for (key, value) in [
            ("protection.ip_signin_per_minute", l.ip_signin_per_minute),
            ("protection.ip_code_per_minute", l.ip_code_per_minute),
            ("protection.ip_resend_per_minute", l.ip_resend_per_minute),
            ("protection.ip_poll_per_minute", l.ip_poll_per_minute),
            ("protection.username_burst", l.username_burst),
            (
                "protection.anonymous_failure_budget",
                l.anonymous_failure_budget,
            ),
            ("protection.ip_username_failures", l.ip_username_failures),
            ("protection.okta_calls_per_second", l.okta_calls_per_second),
            ("protection.okta_untrusted_share", l.okta_untrusted_share),
            ("protection.okta_max_concurrent", l.okta_max_concurrent),
        ] {
            if value == 0 {
                return Err(invalid(key, "must be at least 1"));
            }
        }
        // Above 60000 per minute the limiter's period (60000 ms / n) would be zero, which
        // it refuses with a panic at start.
        for (key, value) in [
            ("protection.ip_signin_per_minute", l.ip_signin_per_minute),
            ("protection.ip_code_per_minute", l.ip_code_per_minute),
            ("protection.ip_resend_per_minute", l.ip_resend_per_minute),
            ("protection.ip_poll_per_minute", l.ip_poll_per_minute),
        ] {
            within(key, value, 1, 60_000, " per minute")?;
        }
        within("protection.username_burst", l.username_burst, 1, 1000, "")?;
        within(
            "protection.ip_username_failures",
            l.ip_username_failures,
            1,
            100_000,
            "",
        )?;
        // Bounded so that calls × okta_untrusted_share stays within u32 in the ceiling.
        within(
            "protection.okta_calls_per_second",
            l.okta_calls_per_second,
            1,
            100_000,
            " per second",
        )?;
        within(
            "protection.okta_max_concurrent",
            l.okta_max_concurrent,
            1,
            100_000,
            "",
        )?;
        within(
            "protection.failure_floor_ms",
            l.failure_floor_ms,
            0,
            60_000,
            " ms",
        )?;
        if l.okta_untrusted_share > 100 {
            return Err(invalid(
                "protection.okta_untrusted_share",
                "is a percentage (1 to 100)",
            ));
        }
        if l.failure_window <= 0 {
            return Err(invalid("protection.failure_window", "must be positive"));
        }
        if l.max_backoff_seconds < 0 {
            return Err(invalid(
                "protection.max_backoff_seconds",
                "must not be negative",
            ));
        }
        for (key, value, max) in [
            (
                "protection.okta_auto_unlock",
                l.okta_auto_unlock.unwrap_or(60),
                365 * 86400,
            ),
            (
                "protection.failure_retention",
                l.failure_retention,
                3650 * 86400,
            ),
            (
                "protection.code_max_backoff_seconds",
                l.code_max_backoff_seconds,
                86400,
            ),
            ("protection.deliveries_window", l.deliveries_window, 86400),
            (
                "protection.phone_cooldown_seconds",
                l.phone_cooldown_seconds,
                3600,
            ),
        ] {
            if !(1..=max).contains(&value) {
                return Err(invalid(key, format!("must be between 1 and {max} seconds")));
            }
        }
        for (key, value) in [
            ("protection.code_failures_max", l.code_failures_max),
            ("protection.deliveries_per_day", l.deliveries_per_day),
            (
                "protection.deliveries_outstanding",
                l.deliveries_outstanding,
            ),
            (
                "protection.free_starts_per_second",
                l.free_starts_per_second,
            ),
        ] {
            if !(1..=100_000).contains(&value) {
                return Err(invalid(key, "must be between 1 and 100000"));
            }
        }
        within(
            "protection.code_failures_free",
            l.code_failures_free,
            0,
            100_000,
            "",
        )?;
        within(
            "protection.failure_memory_entries",
            l.failure_memory_entries,
            1000,
            100_000_000,
            "",
        )?;
        within(
            "protection.failure_window",
            l.failure_window,
            1,
            MAX_SECONDS,
            " seconds",
        )?;
        within(
            "protection.max_backoff_seconds",
            l.max_backoff_seconds,
            0,
            MAX_SECONDS,
            " seconds",
        )?;
        Ok(())
    }
}

#[cfg(test)]
#[path = "protection_tests.rs"]
mod tests;
