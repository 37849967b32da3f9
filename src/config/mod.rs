//! The portal's configuration: one typed struct extracted from Rocket's figment
//! (defaults → `Rocket.toml` → `DIRECT_SIGNIN_*` variables → the Okta CLI's variables) and
//! validated at start with messages that name the offending key.
//!
//! One module per section, each with its own `validate`, called from
//! [`Config::validate`]: [`okta`], [`session`], [`redis`], [`signin`], [`network`],
//! [`protection`], [`branding`], [`gateway`], [`i18n`] (and `[emulator]`, here). Values are typed where they can
//! be ([`AuthMethod`], [`StoreKind`], [`Method`] lists, [`IpNet`] lists, [`LocalPath`]),
//! so a wrong one is refused while reading, and figment's message names the key.
//!
//! [`Config::from_figment`] also reads the `*_file` secrets (`okta.client_secret_file`,
//! `session.secret_file`) and moves the old `session.redis_url` / `session.redis_prefix`
//! to `[redis]`. This module imports nothing from `crate::portal` or `crate::okta`.

pub mod branding;
pub mod gateway;
pub mod i18n;
pub mod network;
pub mod okta;
pub mod protection;
mod protection_bounds;
pub mod redis;
pub mod session;
pub mod signin;

use std::fmt;
use std::path::PathBuf;

use rocket::figment::providers::{Env, Serialized};
use rocket::figment::Figment;
use serde::{Deserialize, Serialize};

pub use self::branding::BrandingConfig;
pub use self::gateway::{GatewayConfig, HeaderFamily};
pub use self::i18n::I18nConfig;
pub use self::network::{parse_net, NetworkConfig};
pub use self::okta::{AuthMethod, OktaConfig};
pub use self::protection::ProtectionConfig;
pub use self::redis::RedisConfig;
pub use self::session::{SessionConfig, StoreKind};
pub use self::signin::SigninConfig;
pub use crate::local_path::LocalPath;
pub use crate::method::Method;
pub use crate::secret::Secret;
pub use ipnet::IpNet;

/// `[emulator]`: the embedded Okta emulator.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EmulatorConfig {
    /// Port of the embedded emulator (debug builds with no issuer).
    pub port: u16,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig { port: 8001 }
    }
}

/// Everything the portal reads from configuration.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Config {
    /// `[okta]`: the Okta org and the client.
    pub okta: OktaConfig,
    /// `[emulator]`: the embedded emulator (debug builds).
    pub emulator: EmulatorConfig,
    /// `[branding]`: how the pages look.
    pub branding: BrandingConfig,
    /// `[session]`: session lifetimes, store and secret.
    pub session: SessionConfig,
    /// `[redis]`: the Redis server, when a store uses it.
    pub redis: RedisConfig,
    /// `[signin]`: which factors are offered and where to go after sign-in.
    pub signin: SigninConfig,
    /// `[network]`: trusted proxies and forwarding.
    pub network: NetworkConfig,
    /// `[protection]`: rate limits and brute-force defences.
    pub protection: ProtectionConfig,
    /// `[gateway]`: the forward-auth gateway for apps behind a proxy.
    pub gateway: GatewayConfig,
    /// `[i18n]`: the languages offered, the fallback, operator overrides.
    #[serde(default)]
    pub i18n: I18nConfig,
}

/// A configuration that cannot be read or is not valid.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration could not be parsed (the message says why).
    #[error("configuration: {0}")]
    Parse(String),
    /// A key has a value that is not allowed.
    #[error("configuration key `{key}`: {message}")]
    Invalid {
        /// The key, e.g. `session.idle_timeout`.
        key: &'static str,
        /// What is wrong with its value.
        message: String,
    },
}

pub(crate) fn invalid(key: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        message: message.into(),
    }
}

/// The longest duration any `*_timeout`, window or backoff key may take: ten years, so
/// that `now` plus it (in milliseconds too) can never overflow.
pub const MAX_SECONDS: i64 = 10 * 366 * 24 * 3600;

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

/// A value given under two names (`key` and `other`) is an error naming both.
fn both_set(
    key: &'static str,
    key_set: bool,
    other: &'static str,
    other_set: bool,
) -> Result<(), ConfigError> {
    if key_set && other_set {
        return Err(invalid(
            key,
            format!("set either {key} or {other}, not both"),
        ));
    }
    Ok(())
}

/// Reads the secret file named by `file_key` into `secret`, then forgets the path (the
/// value is now in `secret`). Both set, or a file that cannot be read, is an error.
fn secret_file(
    key: &'static str,
    secret: &mut Option<Secret>,
    file_key: &'static str,
    file: &mut Option<PathBuf>,
) -> Result<(), ConfigError> {
    both_set(key, secret.is_some(), file_key, file.is_some())?;
    if let Some(path) = file.take() {
        *secret = Some(Secret::from_file(&path).map_err(|e| invalid(file_key, e))?);
    }
    Ok(())
}

/// Whether `key` was given by something above our own defaults (a file, a variable, a
/// merged value in a test).
pub(crate) fn given(figment: &Figment, key: &str) -> bool {
    figment
        .find_metadata(key)
        .is_some_and(|m| m.name != std::any::type_name::<Config>())
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

    /// Extracts the configuration from `figment`, reads the `*_file` secrets, moves the
    /// old key names to the new ones, and validates.
    pub fn from_figment(figment: &Figment) -> Result<Self, ConfigError> {
        let mut config: Config = figment
            .extract()
            .map_err(|e| ConfigError::Parse(e.to_string()))?;
        config.move_aliases(figment)?;
        config.okta.load_files()?;
        config.session.load_files()?;
        config.validate(figment.profile() == rocket::Config::RELEASE_PROFILE)?;
        Ok(config)
    }

    /// `session.redis_url` → `redis.url`, `session.redis_prefix` → `redis.prefix`; a key
    /// given under both names is refused.
    fn move_aliases(&mut self, figment: &Figment) -> Result<(), ConfigError> {
        for (old, new, alias, target) in [
            (
                "session.redis_url",
                "redis.url",
                &mut self.session.redis_url,
                &mut self.redis.url,
            ),
            (
                "session.redis_prefix",
                "redis.prefix",
                &mut self.session.redis_prefix,
                &mut self.redis.prefix,
            ),
        ] {
            if let Some(value) = alias.take() {
                both_set(new, given(figment, new), old, true)?;
                *target = value;
            }
        }
        Ok(())
    }

    /// Checks every key whose value the type system cannot, section by section.
    pub fn validate(&self, release: bool) -> Result<(), ConfigError> {
        self.okta.validate(release)?;
        self.session.validate()?;
        self.redis.validate(self.session.store)?;
        self.signin.validate()?;
        self.network.validate()?;
        self.protection.validate()?;
        self.branding.validate()?;
        self.gateway.validate(release)?;
        self.i18n.validate()?;
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
pub(crate) mod tests;
