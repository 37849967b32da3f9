//! Every numeric `[protection]` key at its smallest and at its largest accepted value, so
//! tests (and anyone checking a deployment's extremes) can build a portal at the bounds
//! `ProtectionConfig::validate` enforces.

use super::{ProtectionConfig, MAX_SECONDS};

impl ProtectionConfig {
    /// Every numeric protection key at its largest accepted value.
    pub fn largest() -> ProtectionConfig {
        ProtectionConfig {
            ip_signin_per_minute: 60_000,
            ip_code_per_minute: 60_000,
            ip_resend_per_minute: 60_000,
            ip_poll_per_minute: 60_000,
            username_per_second: 3.999,
            username_burst: 1000,
            okta_lockout_threshold: 100_000,
            anonymous_failure_budget: 49_999,
            device_failure_budget: 50_000,
            ip_username_failures: 100_000,
            failure_window: MAX_SECONDS,
            max_backoff_seconds: MAX_SECONDS,
            failure_floor_ms: 60_000,
            okta_calls_per_second: 100_000,
            okta_untrusted_share: 100,
            okta_max_concurrent: 100_000,
            okta_auto_unlock: Some(365 * 86400),
            failure_memory_entries: 100_000_000,
            failure_retention: 3650 * 86400,
            code_failures_free: 100_000,
            code_max_backoff_seconds: 86400,
            code_failures_max: 100_000,
            deliveries_per_day: 100_000,
            deliveries_outstanding: 100_000,
            deliveries_window: 86400,
            phone_cooldown_seconds: 3600,
            free_starts_per_second: 100_000,
            decoy_number_challenge: true,
        }
    }

    /// Every numeric protection key at its smallest accepted value.
    pub fn smallest() -> ProtectionConfig {
        ProtectionConfig {
            ip_signin_per_minute: 1,
            ip_code_per_minute: 1,
            ip_resend_per_minute: 1,
            ip_poll_per_minute: 1,
            username_per_second: f64::MIN_POSITIVE,
            username_burst: 1,
            okta_lockout_threshold: 2,
            anonymous_failure_budget: 1,
            device_failure_budget: 0,
            ip_username_failures: 1,
            failure_window: 1,
            max_backoff_seconds: 0,
            failure_floor_ms: 0,
            okta_calls_per_second: 1,
            okta_untrusted_share: 1,
            okta_max_concurrent: 1,
            okta_auto_unlock: Some(1),
            failure_memory_entries: 1000,
            failure_retention: 1,
            code_failures_free: 0,
            code_max_backoff_seconds: 1,
            code_failures_max: 1,
            deliveries_per_day: 1,
            deliveries_outstanding: 1,
            deliveries_window: 1,
            phone_cooldown_seconds: 1,
            free_starts_per_second: 1,
            decoy_number_challenge: false,
        }
    }
}
