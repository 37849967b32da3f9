//! The portal's configuration: one typed struct extracted from Rocket's figment
//! (defaults → `Rocket.toml` → `DIRECT_SIGNIN_*` variables → the Okta CLI's variables) and
//! validated at start with messages that name the offending key.

use std::fmt;
use std::path::PathBuf;

use rocket::figment::providers::{Env, Serialized};
use rocket::figment::Figment;
use serde::{Deserialize, Serialize};

/// A secret that never prints.
#[derive(Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OktaConfig {
    /// `OKTA_OAUTH2_ISSUER`: e.g. `https://example.okta.com/oauth2/default`. Empty in a
    /// debug build: use the embedded emulator.
    #[serde(default)]
    pub issuer: Option<String>,
    /// `OKTA_OAUTH2_CLIENT_ID`.
    #[serde(default)]
    pub client_id: Option<String>,
    /// `OKTA_OAUTH2_CLIENT_SECRET` (client_secret_basic unless `auth_method` says otherwise).
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// PEM file of the private key for `private_key_jwt`.
    #[serde(default)]
    pub private_key_file: Option<PathBuf>,
    /// `kid` to put in `private_key_jwt` assertions (when the app's JWKS has several keys).
    #[serde(default)]
    pub private_key_id: Option<String>,
    /// `none`, `client_secret_basic`, `client_secret_post` or `private_key_jwt`; derived
    /// from what is configured when absent.
    #[serde(default)]
    pub auth_method: Option<String>,
    pub scopes: String,
    /// Whole-request timeout for calls to Okta, in milliseconds.
    pub timeout_ms: u64,
    pub connect_timeout_ms: u64,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EmulatorConfig {
    /// Port of the embedded emulator (debug builds with no issuer).
    pub port: u16,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BrandingConfig {
    pub product_name: String,
    #[serde(default)]
    pub logo_url: Option<String>,
    pub primary_color: String,
    #[serde(default)]
    pub support_url: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    /// Seconds of inactivity after which a signed-in session ends.
    pub idle_timeout: i64,
    /// Seconds after sign-in after which a session ends whatever the activity.
    pub absolute_timeout: i64,
    /// The same pair when the user ticks "Keep me signed in".
    pub remember_idle_timeout: i64,
    pub remember_absolute_timeout: i64,
    /// Lifetime of a pre-sign-in session (a sign-in in progress).
    pub pending_timeout: i64,
    /// Key for HMACs (CSRF tokens, username digests, device cookies): at least 32
    /// characters, the same on every instance. Generated at start when absent (debug only).
    #[serde(default)]
    pub secret: Option<Secret>,
    /// `memory` (one instance) or `redis` (sessions, flows and leases shared by instances).
    pub store: String,
    /// Redis URL when `store = "redis"`, e.g. `redis://127.0.0.1:6379/0`.
    pub redis_url: String,
    /// Prefix of every Redis key, so several deployments can share a server.
    pub redis_prefix: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SigninConfig {
    /// Passwordless first factors offered on the sign-in page.
    pub passwordless: Vec<String>,
    /// Second factors offered after `mfa_required`.
    pub second_factors: Vec<String>,
    /// Where to go after sign-in when no `return_to` is given.
    pub default_return_to: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// CIDRs of reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<String>,
    /// Send the end user's IP to Okta in `X-Forwarded-For` (only useful when the
    /// portal's address is registered as a trusted proxy in Okta).
    pub forward_client_ip: bool,
    /// CIDRs (or addresses) of clients that may read `/metrics`; everyone else gets a 404.
    /// The client is the one [`crate::portal::security::ClientIp`] sees (trusted proxies
    /// believed). Loopback only by default.
    pub metrics_allowed: Vec<String>,
}

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

/// Everything the portal reads from configuration.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Config {
    pub okta: OktaConfig,
    pub emulator: EmulatorConfig,
    pub branding: BrandingConfig,
    pub session: SessionConfig,
    pub signin: SigninConfig,
    pub network: NetworkConfig,
    pub protection: ProtectionConfig,
}

const METHODS: &[&str] = &["otp", "push", "sms", "voice", "email"];

impl Default for Config {
    fn default() -> Self {
        Config {
            okta: OktaConfig {
                issuer: None,
                client_id: None,
                client_secret: None,
                private_key_file: None,
                private_key_id: None,
                auth_method: None,
                scopes: "openid profile email offline_access".into(),
                timeout_ms: 10_000,
                connect_timeout_ms: 3_000,
            },
            emulator: EmulatorConfig { port: 8001 },
            branding: BrandingConfig {
                product_name: "Direct Sign-in".into(),
                logo_url: None,
                primary_color: "#1f4fd1".into(),
                support_url: None,
            },
            session: SessionConfig {
                idle_timeout: 30 * 60,
                absolute_timeout: 12 * 3600,
                remember_idle_timeout: 7 * 24 * 3600,
                remember_absolute_timeout: 30 * 24 * 3600,
                pending_timeout: 15 * 60,
                secret: None,
                store: "memory".into(),
                redis_url: "redis://127.0.0.1:6379/0".into(),
                redis_prefix: "direct-signin:".into(),
            },
            signin: SigninConfig {
                passwordless: METHODS.iter().map(|m| m.to_string()).collect(),
                second_factors: METHODS.iter().map(|m| m.to_string()).collect(),
                default_return_to: "/account".into(),
            },
            network: NetworkConfig {
                trusted_proxies: vec![],
                forward_client_ip: false,
                metrics_allowed: vec!["127.0.0.0/8".into(), "::1".into()],
            },
            protection: ProtectionConfig {
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
            },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Parse(String),
    #[error("configuration key `{key}`: {message}")]
    Invalid { key: &'static str, message: String },
}

fn invalid(key: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        message: message.into(),
    }
}

/// The longest duration any `*_timeout`, window or backoff key may take: ten years, so
/// that `now` plus it (in milliseconds too) can never overflow.
const MAX_SECONDS: i64 = 10 * 366 * 24 * 3600;

/// Checks that `value` lies within `min..=max`, naming `key` and the range when not.
fn within<T: PartialOrd + fmt::Display>(
    key: &'static str,
    value: T,
    min: T,
    max: T,
    unit: &str,
) -> Result<(), ConfigError> {
    if value >= min && value <= max {
        Ok(())
    } else {
        Err(invalid(
            key,
            format!("{value} is out of range: use {min} to {max}{unit}"),
        ))
    }
}

/// Checks each entry of `list` is an address or CIDR, naming `key` when not.
fn cidrs(key: &'static str, list: &[String]) -> Result<(), ConfigError> {
    for cidr in list {
        crate::portal::security::parse_cidr(cidr)
            .map_err(|e| invalid(key, format!("'{cidr}' is not an address or CIDR: {e}")))?;
    }
    Ok(())
}

impl Config {
    /// Rocket's figment with our defaults below it and our environment variables above.
    pub fn figment() -> Figment {
        Figment::from(Serialized::defaults(Config::default()))
            .merge(rocket::Config::figment())
            .merge(Env::prefixed("DIRECT_SIGNIN_").split("__"))
            .merge(
                Env::raw()
                    .only(&[
                        "OKTA_OAUTH2_ISSUER",
                        "OKTA_OAUTH2_CLIENT_ID",
                        "OKTA_OAUTH2_CLIENT_SECRET",
                    ])
                    .map(|k| match k.as_str() {
                        "OKTA_OAUTH2_ISSUER" => "okta.issuer".into(),
                        "OKTA_OAUTH2_CLIENT_ID" => "okta.client_id".into(),
                        _ => "okta.client_secret".into(),
                    }),
            )
    }

    /// Extracts and validates the configuration from `figment`.
    pub fn from_figment(figment: &Figment) -> Result<Self, ConfigError> {
        let config: Config = figment
            .extract()
            .map_err(|e| ConfigError::Parse(e.to_string()))?;
        config.validate(figment.profile() == rocket::Config::RELEASE_PROFILE)?;
        Ok(config)
    }

    /// Checks every key whose value the type system cannot.
    pub fn validate(&self, release: bool) -> Result<(), ConfigError> {
        let okta = &self.okta;
        if let Some(issuer) = okta.issuer.as_deref().filter(|i| !i.is_empty()) {
            let url = url::Url::parse(issuer)
                .map_err(|e| invalid("okta.issuer", format!("not a URL: {e}")))?;
            let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
            match url.scheme() {
                "https" => {}
                "http" if !release || loopback => {}
                _ => {
                    return Err(invalid(
                        "okta.issuer",
                        "must be https (http is allowed only for a loopback address)",
                    ))
                }
            }
            if okta.client_id.as_deref().unwrap_or_default().is_empty() {
                return Err(invalid(
                    "okta.client_id",
                    "is required when okta.issuer is set (OKTA_OAUTH2_CLIENT_ID)",
                ));
            }
        } else if release {
            return Err(invalid(
                "okta.issuer",
                "is required in the release profile (OKTA_OAUTH2_ISSUER); the embedded emulator runs only in debug builds",
            ));
        } else if !cfg!(feature = "emulator") {
            return Err(invalid(
                "okta.issuer",
                "is required (OKTA_OAUTH2_ISSUER): this binary was built without the embedded emulator",
            ));
        }
        if let Some(method) = &okta.auth_method {
            if ![
                "none",
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt",
            ]
            .contains(&method.as_str())
            {
                return Err(invalid(
                    "okta.auth_method",
                    "must be none, client_secret_basic, client_secret_post or private_key_jwt",
                ));
            }
        }
        if !okta.scopes.split_whitespace().any(|s| s == "openid") {
            return Err(invalid("okta.scopes", "must include openid"));
        }
        if okta.timeout_ms == 0 || okta.connect_timeout_ms == 0 {
            return Err(invalid("okta.timeout_ms", "timeouts must be positive"));
        }
        let s = &self.session;
        for (key, value) in [
            ("session.idle_timeout", s.idle_timeout),
            ("session.absolute_timeout", s.absolute_timeout),
            ("session.remember_idle_timeout", s.remember_idle_timeout),
            (
                "session.remember_absolute_timeout",
                s.remember_absolute_timeout,
            ),
            ("session.pending_timeout", s.pending_timeout),
        ] {
            if value <= 0 {
                return Err(invalid(key, "must be a positive number of seconds"));
            }
            within(key, value, 1, MAX_SECONDS, " seconds")?;
        }
        if s.idle_timeout > s.absolute_timeout {
            return Err(invalid(
                "session.idle_timeout",
                "must not exceed session.absolute_timeout",
            ));
        }
        if s.remember_idle_timeout > s.remember_absolute_timeout {
            return Err(invalid(
                "session.remember_idle_timeout",
                "must not exceed session.remember_absolute_timeout",
            ));
        }
        match &s.secret {
            Some(secret) if secret.expose().len() < 32 => {
                return Err(invalid("session.secret", "must be at least 32 characters"))
            }
            // Instances sharing a store must derive the same CSRF tokens and digests.
            None if s.store == "redis" => {
                return Err(invalid(
                    "session.secret",
                    "is required with session.store = \"redis\" (DIRECT_SIGNIN_SESSION__SECRET), the same on every instance",
                ))
            }
            _ => {}
        }
        if s.store != "memory" && s.store != "redis" {
            return Err(invalid("session.store", "must be memory or redis"));
        }
        if s.store == "redis"
            && url::Url::parse(&s.redis_url).map_or(true, |u| !u.scheme().starts_with("redis"))
        {
            return Err(invalid(
                "session.redis_url",
                "must be a redis:// or rediss:// URL",
            ));
        }
        for (key, list) in [
            ("signin.passwordless", &self.signin.passwordless),
            ("signin.second_factors", &self.signin.second_factors),
        ] {
            if let Some(bad) = list.iter().find(|m| !METHODS.contains(&m.as_str())) {
                return Err(invalid(
                    key,
                    format!("unknown method '{bad}' (use otp, push, sms, voice, email)"),
                ));
            }
        }
        if !crate::portal::security::is_local_path(&self.signin.default_return_to) {
            return Err(invalid(
                "signin.default_return_to",
                "must be a local path such as /account",
            ));
        }
        cidrs("network.trusted_proxies", &self.network.trusted_proxies)?;
        cidrs("network.metrics_allowed", &self.network.metrics_allowed)?;
        let l = &self.protection;
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
        if l.failure_window <= 0 || l.max_backoff_seconds < 0 {
            return Err(invalid("protection.failure_window", "must be positive"));
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
        if l.failure_memory_entries < 1000 {
            return Err(invalid(
                "protection.failure_memory_entries",
                "must be at least 1000",
            ));
        }
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
        let color = &self.branding.primary_color;
        let hex = color.strip_prefix('#').unwrap_or("");
        if !(hex.len() == 6 || hex.len() == 3) || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(invalid(
                "branding.primary_color",
                "must be a hex colour such as #1f4fd1",
            ));
        }
        Ok(())
    }

    /// Whether `cargo run` should start the embedded emulator.
    pub fn wants_embedded_emulator(&self) -> bool {
        cfg!(debug_assertions)
            && cfg!(feature = "emulator")
            && self.okta.issuer.as_deref().unwrap_or_default().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rocket::figment::providers::{Format, Toml};

    fn with(toml: &str) -> Result<Config, ConfigError> {
        let figment =
            Figment::from(Serialized::defaults(Config::default())).merge(Toml::string(toml));
        Config::from_figment(&figment)
    }

    #[test]
    fn errors_name_the_key() {
        let e = with("[okta]\nissuer = \"ftp://x\"\nclient_id = \"a\"").unwrap_err();
        assert!(e.to_string().contains("okta.issuer"), "{e}");
        let e = with("[okta]\nissuer = \"https://x.okta.com\"").unwrap_err();
        assert!(e.to_string().contains("okta.client_id"), "{e}");
        let e = with("[branding]\nprimary_color = \"blue\"").unwrap_err();
        assert!(e.to_string().contains("branding.primary_color"), "{e}");
        let e = with("[okta]\nscopes = \"profile\"").unwrap_err();
        assert!(e.to_string().contains("okta.scopes"), "{e}");
    }

    #[test]
    fn release_refuses_plain_http_and_missing_issuer() {
        let mut c = Config::default();
        assert!(c.validate(true).is_err());
        c.okta.issuer = Some("http://okta.example.com/oauth2/default".into());
        c.okta.client_id = Some("x".into());
        assert!(c.validate(true).is_err());
        assert!(c.validate(false).is_ok());
        c.okta.issuer = Some("http://127.0.0.1:8001/oauth2/default".into());
        assert!(
            c.validate(true).is_ok(),
            "one instance may run with a generated secret"
        );
        c.session.store = "redis".into();
        let e = c.validate(true).unwrap_err();
        assert!(e.to_string().contains("session.secret"), "{e}");
        c.session.secret = Some(Secret::new("0123456789abcdef0123456789abcdef"));
        assert!(c.validate(true).is_ok());
        c.protection.device_failure_budget = 6;
        let e = c.validate(true).unwrap_err();
        assert!(
            e.to_string()
                .contains("protection.anonymous_failure_budget"),
            "{e}"
        );
    }

    #[test]
    fn the_real_figment_extracts_with_defaults() {
        // Rocket's own keys (e.g. `limits`) live in the same figment as ours.
        let config = Config::from_figment(&Config::figment()).expect("defaults are valid");
        assert_eq!(config.protection.okta_lockout_threshold, 10);
        let figment = Config::figment()
            .merge(("protection.anonymous_failure_budget", 9))
            .merge(("session.idle_timeout", 60));
        let e = Config::from_figment(&figment).unwrap_err();
        assert!(
            e.to_string()
                .contains("protection.anonymous_failure_budget"),
            "{e}"
        );
    }

    #[test]
    fn secrets_never_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }

    #[track_caller]
    fn refused_naming(tweak: impl FnOnce(&mut Config), key: &str) {
        let mut c = Config::default();
        tweak(&mut c);
        let e = c.validate(false).expect_err(key);
        assert!(e.to_string().contains(key), "{key}: {e}");
    }

    #[test]
    fn values_that_would_wrap_or_panic_are_refused_naming_the_key() {
        // u32::MAX + 1 wraps to 0, which is below any threshold.
        refused_naming(
            |c| {
                c.protection.anonymous_failure_budget = u32::MAX;
                c.protection.device_failure_budget = 1;
            },
            "protection.anonymous_failure_budget",
        );
        // Above 60000 per minute the limiter's period is zero: it panicked at start.
        refused_naming(
            |c| c.protection.ip_signin_per_minute = 60_001,
            "protection.ip_signin_per_minute",
        );
        refused_naming(
            |c| c.protection.ip_poll_per_minute = u32::MAX,
            "protection.ip_poll_per_minute",
        );
        refused_naming(
            |c| c.protection.ip_code_per_minute = 100_000,
            "protection.ip_code_per_minute",
        );
        refused_naming(
            |c| c.protection.ip_resend_per_minute = 70_000,
            "protection.ip_resend_per_minute",
        );
        for bad in [0.0, -1.0, 1000.5, f64::NAN, f64::INFINITY] {
            refused_naming(
                |c| c.protection.username_per_second = bad,
                "protection.username_per_second",
            );
        }
        // calls × share overflowed u32 in the ceiling.
        refused_naming(
            |c| c.protection.okta_calls_per_second = u32::MAX,
            "protection.okta_calls_per_second",
        );
        refused_naming(
            |c| c.protection.okta_max_concurrent = u32::MAX,
            "protection.okta_max_concurrent",
        );
        // `now + timeout` (and `4 * pending_timeout`) overflowed i64.
        refused_naming(
            |c| c.session.absolute_timeout = i64::MAX,
            "session.absolute_timeout",
        );
        refused_naming(
            |c| {
                c.session.idle_timeout = i64::MAX;
                c.session.absolute_timeout = i64::MAX;
            },
            "session.idle_timeout",
        );
        refused_naming(
            |c| c.session.pending_timeout = i64::MAX / 2,
            "session.pending_timeout",
        );
        // `window * 1000` overflowed in the failure book.
        refused_naming(
            |c| c.protection.failure_window = i64::MAX / 100,
            "protection.failure_window",
        );
        refused_naming(
            |c| c.protection.max_backoff_seconds = i64::MAX,
            "protection.max_backoff_seconds",
        );
        refused_naming(
            |c| c.protection.failure_floor_ms = u64::MAX,
            "protection.failure_floor_ms",
        );
        // The bounds themselves are fine.
        let mut c = Config::default();
        c.protection.ip_signin_per_minute = 60_000;
        c.protection.username_per_second = 3.9;
        c.session.remember_absolute_timeout = MAX_SECONDS;
        c.session.remember_idle_timeout = MAX_SECONDS;
        c.validate(false).expect("the largest values are accepted");
    }

    #[test]
    fn the_limiters_start_with_the_largest_accepted_values() {
        let mut c = Config::default();
        c.protection.ip_signin_per_minute = 60_000;
        c.protection.okta_calls_per_second = 100_000;
        c.protection.okta_untrusted_share = 100;
        c.validate(false).unwrap();
        let clock = crate::clock::Clock::new();
        let l = crate::portal::abuse::limiter::MemoryLimiter::per_minute(
            &clock,
            c.protection.ip_signin_per_minute,
            3,
        );
        use crate::portal::abuse::limiter::KeyedLimiter;
        assert!(l.check("k").is_ok());
        let ceiling = crate::okta::Ceiling::new(
            c.protection.okta_calls_per_second,
            c.protection.okta_untrusted_share,
            c.protection.okta_max_concurrent,
            clock,
        );
        assert!(ceiling
            .admit(crate::okta::Bucket::Token, crate::okta::Priority::Untrusted)
            .is_ok());
    }

    #[test]
    fn metrics_allowed_is_a_list_of_networks() {
        let c = Config::default();
        assert_eq!(c.network.metrics_allowed, vec!["127.0.0.0/8", "::1"]);
        let e = with("[network]\nmetrics_allowed = [\"10.0.0.0/8\", \"not-an-ip\"]").unwrap_err();
        assert!(e.to_string().contains("network.metrics_allowed"), "{e}");
        let c = with("[network]\nmetrics_allowed = [\"10.0.0.0/8\", \"2001:db8::/32\"]").unwrap();
        assert_eq!(c.network.metrics_allowed.len(), 2);
        let c = Config::from_figment(
            &Config::figment().merge(("network.metrics_allowed", vec!["192.0.2.1"])),
        )
        .unwrap();
        assert_eq!(c.network.metrics_allowed, vec!["192.0.2.1"]);
    }
}
