//! `[session]`: lifetimes of signed-in sessions and sign-ins in progress, where they are
//! stored ([`StoreKind`]) and the HMAC key (`secret`, or `secret_file`).
//!
//! `session.redis_url` and `session.redis_prefix` are the old names of `redis.url` and
//! `redis.prefix` (see [`super::redis`]): still accepted, moved there when the
//! configuration is read.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{invalid, within, ConfigError, MAX_SECONDS};
use crate::secret::Secret;

/// Where sessions, sign-in flows, leases and failure counts live (`session.store`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// This process's memory: one instance.
    #[default]
    Memory,
    /// Redis (`[redis]`): shared by every instance.
    Redis,
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoreKind::Memory => "memory",
            StoreKind::Redis => "redis",
        })
    }
}

/// `[session]`: session lifetimes, the store and the HMAC secret.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    /// Seconds of inactivity after which a signed-in session ends.
    pub idle_timeout: i64,
    /// Seconds after sign-in after which a session ends whatever the activity.
    pub absolute_timeout: i64,
    /// The same pair when the user ticks "Keep me signed in".
    pub remember_idle_timeout: i64,
    /// Seconds after sign-in after which a remembered session ends whatever the activity.
    pub remember_absolute_timeout: i64,
    /// Lifetime of a pre-sign-in session (a sign-in in progress).
    pub pending_timeout: i64,
    /// Key for HMACs (CSRF tokens, username digests, device cookies): at least 32
    /// characters, the same on every instance. Generated at start when absent (debug only).
    #[serde(default)]
    pub secret: Option<Secret>,
    /// A file holding `secret` (trailing line break removed), read at start; setting both
    /// is an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_file: Option<PathBuf>,
    /// `memory` (one instance) or `redis` (sessions, flows and leases shared by instances).
    pub store: StoreKind,
    /// Old name of `redis.url`; moved there when the configuration is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redis_url: Option<String>,
    /// Old name of `redis.prefix`; moved there when the configuration is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redis_prefix: Option<String>,
    /// A domain (`example.com`) to share the session cookie with its subdomains, for
    /// sign-in on one host and apps on others: the cookie becomes `__Secure-sid` with that
    /// `Domain`. Unset: `__Host-sid`, this host only (safer: no subdomain can see or set it).
    #[serde(default)]
    pub cookie_domain: Option<String>,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle_timeout: 30 * 60,
            absolute_timeout: 12 * 3600,
            remember_idle_timeout: 7 * 24 * 3600,
            remember_absolute_timeout: 30 * 24 * 3600,
            pending_timeout: 15 * 60,
            secret: None,
            secret_file: None,
            store: StoreKind::Memory,
            redis_url: None,
            redis_prefix: None,
            cookie_domain: None,
        }
    }
}

impl SessionConfig {
    /// Reads `secret_file` into `secret`.
    pub(super) fn load_files(&mut self) -> Result<(), ConfigError> {
        super::secret_file(
            "session.secret",
            &mut self.secret,
            "session.secret_file",
            &mut self.secret_file,
        )
    }

    /// Checks the timeouts, the secret and the cookie domain.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(domain) = &self.cookie_domain {
            let name = domain.strip_prefix('.').unwrap_or(domain);
            let ok = name.contains('.')
                && name.len() <= 253
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
            if !ok {
                return Err(super::invalid(
                    "session.cookie_domain",
                    format!("{domain:?} is not a domain such as example.com"),
                ));
            }
        }
        super::both_set(
            "session.secret",
            self.secret.is_some(),
            "session.secret_file",
            self.secret_file.is_some(),
        )?;
        for (key, value) in [
            ("session.idle_timeout", self.idle_timeout),
            ("session.absolute_timeout", self.absolute_timeout),
            ("session.remember_idle_timeout", self.remember_idle_timeout),
            (
                "session.remember_absolute_timeout",
                self.remember_absolute_timeout,
            ),
            ("session.pending_timeout", self.pending_timeout),
        ] {
            if value <= 0 {
                return Err(invalid(key, "must be a positive number of seconds"));
            }
            within(key, value, 1, MAX_SECONDS, " seconds")?;
        }
        if self.idle_timeout > self.absolute_timeout {
            return Err(invalid(
                "session.idle_timeout",
                "must not exceed session.absolute_timeout",
            ));
        }
        if self.remember_idle_timeout > self.remember_absolute_timeout {
            return Err(invalid(
                "session.remember_idle_timeout",
                "must not exceed session.remember_absolute_timeout",
            ));
        }
        match &self.secret {
            Some(secret) if secret.expose().len() < 32 => {
                return Err(invalid("session.secret", "must be at least 32 characters"))
            }
            // Instances sharing a store must derive the same CSRF tokens and digests.
            None if self.store == StoreKind::Redis && self.secret_file.is_none() => {
                return Err(invalid(
                    "session.secret",
                    "is required with session.store = \"redis\" (DIRECT_SIGNIN_SESSION__SECRET or session.secret_file), the same on every instance",
                ))
            }
            _ => {}
        }
        for (key, alias) in [
            ("session.redis_url", &self.redis_url),
            ("session.redis_prefix", &self.redis_prefix),
        ] {
            if alias.is_some() {
                return Err(invalid(
                    key,
                    "is the old name of redis.url / redis.prefix: set those (Config::from_figment moves the old names)",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::with;
    use super::*;

    #[test]
    fn store_is_memory_or_redis() {
        assert_eq!(with("").unwrap().session.store, StoreKind::Memory);
        let c = with("[session]\nstore = \"redis\"\nsecret = \"0123456789abcdef0123456789abcdef\"")
            .unwrap();
        assert_eq!(c.session.store, StoreKind::Redis);
        let e = with("[session]\nstore = \"postgres\"").unwrap_err();
        assert!(e.to_string().contains("session.store"), "{e}");
        let e = with("[session]\nstore = \"redis\"").unwrap_err();
        assert!(e.to_string().contains("session.secret"), "{e}");
        assert_eq!(StoreKind::Redis.to_string(), "redis");
    }

    #[test]
    fn short_secrets_are_refused() {
        let e = with("[session]\nsecret = \"short\"").unwrap_err();
        assert!(e.to_string().contains("session.secret"), "{e}");
    }
}
