//! [`ProtectionConfig::validate`] refuses every value that would wrap or panic, naming the
//! key, and accepts the bounds themselves.

use super::super::tests::with;
use super::*;
use crate::config::Config;

#[track_caller]
fn refused_naming(tweak: impl FnOnce(&mut ProtectionConfig), key: &str) {
    let mut c = Config::default();
    tweak(&mut c.protection);
    let e = c.validate(false).expect_err(key);
    assert!(e.to_string().contains(key), "{key}: {e}");
}

#[test]
fn values_that_would_wrap_or_panic_are_refused_naming_the_key() {
    // u32::MAX + 1 wraps to 0, which is below any threshold.
    refused_naming(
        |p| {
            p.anonymous_failure_budget = u32::MAX;
            p.device_failure_budget = 1;
        },
        "protection.anonymous_failure_budget",
    );
    // Above 60000 per minute the limiter's period is zero: it panicked at start.
    for (key, set) in [
        (
            "protection.ip_signin_per_minute",
            (|p, v| p.ip_signin_per_minute = v) as fn(&mut ProtectionConfig, u32),
        ),
        ("protection.ip_code_per_minute", |p, v| {
            p.ip_code_per_minute = v
        }),
        ("protection.ip_resend_per_minute", |p, v| {
            p.ip_resend_per_minute = v
        }),
        ("protection.ip_poll_per_minute", |p, v| {
            p.ip_poll_per_minute = v
        }),
    ] {
        for bad in [0, 60_001, 70_000, 1_000_000, u32::MAX] {
            refused_naming(|p| set(p, bad), key);
        }
    }
    for bad in [0.0, -1.0, 4.0, 1000.5, 1e9, f64::NAN, f64::INFINITY] {
        refused_naming(
            |p| p.username_per_second = bad,
            "protection.username_per_second",
        );
    }
    for bad in [0, 1001, u32::MAX] {
        refused_naming(|p| p.username_burst = bad, "protection.username_burst");
    }
    // calls × share overflowed u32 in the ceiling.
    for bad in [0, 100_001, u32::MAX] {
        refused_naming(
            |p| p.okta_calls_per_second = bad,
            "protection.okta_calls_per_second",
        );
        refused_naming(
            |p| p.okta_max_concurrent = bad,
            "protection.okta_max_concurrent",
        );
    }
    for bad in [0, 101, u32::MAX] {
        refused_naming(
            |p| p.okta_untrusted_share = bad,
            "protection.okta_untrusted_share",
        );
    }
    // `window * 1000` overflowed in the failure book.
    for bad in [0, -1, i64::MAX / 100, i64::MAX] {
        refused_naming(|p| p.failure_window = bad, "protection.failure_window");
    }
    for bad in [-1, i64::MAX] {
        refused_naming(
            |p| p.max_backoff_seconds = bad,
            "protection.max_backoff_seconds",
        );
    }
    refused_naming(
        |p| p.failure_floor_ms = u64::MAX,
        "protection.failure_floor_ms",
    );
    for bad in [0, -5, 365 * 86400 + 1, i64::MAX] {
        refused_naming(
            |p| p.okta_auto_unlock = Some(bad),
            "protection.okta_auto_unlock",
        );
    }
    for bad in [0, i64::MAX] {
        refused_naming(
            |p| p.failure_retention = bad,
            "protection.failure_retention",
        );
        refused_naming(
            |p| p.code_max_backoff_seconds = bad,
            "protection.code_max_backoff_seconds",
        );
        refused_naming(
            |p| p.deliveries_window = bad,
            "protection.deliveries_window",
        );
        refused_naming(
            |p| p.phone_cooldown_seconds = bad,
            "protection.phone_cooldown_seconds",
        );
    }
    for bad in [0, 100_001, u32::MAX] {
        refused_naming(
            |p| p.code_failures_max = bad,
            "protection.code_failures_max",
        );
        refused_naming(
            |p| p.deliveries_per_day = bad,
            "protection.deliveries_per_day",
        );
        refused_naming(
            |p| p.deliveries_outstanding = bad,
            "protection.deliveries_outstanding",
        );
        refused_naming(
            |p| p.free_starts_per_second = bad,
            "protection.free_starts_per_second",
        );
        refused_naming(
            |p| p.ip_username_failures = bad,
            "protection.ip_username_failures",
        );
    }
    refused_naming(
        |p| p.code_failures_free = u32::MAX,
        "protection.code_failures_free",
    );
    for bad in [0, 999, usize::MAX] {
        refused_naming(
            |p| p.failure_memory_entries = bad,
            "protection.failure_memory_entries",
        );
    }
    for bad in [0, 100_001, u32::MAX] {
        refused_naming(
            |p| {
                p.okta_lockout_threshold = bad;
            },
            "protection.okta_lockout_threshold",
        );
    }
}

#[test]
fn out_of_range_values_in_a_file_are_refused_naming_the_key() {
    let e = with("[protection]\nip_signin_per_minute = 1000000").unwrap_err();
    assert!(
        e.to_string().contains("protection.ip_signin_per_minute"),
        "{e}"
    );
    let e = with("[protection]\nusername_per_second = 1001.0").unwrap_err();
    assert!(
        e.to_string().contains("protection.username_per_second"),
        "{e}"
    );
    // Negative or fractional where a count is expected: refused when read.
    let e = with("[protection]\nip_code_per_minute = -1").unwrap_err();
    assert!(
        e.to_string().contains("protection.ip_code_per_minute"),
        "{e}"
    );
    let e = with("[protection]\nokta_auto_unlock = 0").unwrap_err();
    assert!(e.to_string().contains("protection.okta_auto_unlock"), "{e}");
}

/// The bounds themselves are accepted (the integration test `config_limits` builds a
/// portal with them and checks it does not panic).
#[test]
fn the_bounds_are_accepted() {
    let mut c = Config {
        protection: ProtectionConfig::largest(),
        ..Config::default()
    };
    c.validate(false).expect("the largest values are accepted");
    c.protection = ProtectionConfig::smallest();
    c.validate(false).expect("the smallest values are accepted");
}
