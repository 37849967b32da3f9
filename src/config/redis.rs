//! `[redis]`: the Redis server of `session.store = "redis"` and the prefix of every key.
//!
//! `session.redis_url` and `session.redis_prefix` are the old names: when only an old name
//! is set it is used; when a key is given under both names, the configuration is refused,
//! naming both (so a half-finished migration cannot silently pick one).

use serde::{Deserialize, Serialize};

use super::session::StoreKind;
use super::{invalid, ConfigError};

/// `[redis]`: the Redis server used by the Redis stores.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RedisConfig {
    /// `redis://` or `rediss://` URL, e.g. `redis://127.0.0.1:6379/0`.
    pub url: String,
    /// Prefix of every Redis key, so several deployments can share a server.
    pub prefix: String,
    /// How long one Redis command (or connection attempt) may take, in milliseconds,
    /// before the request gets the "try again" page.
    pub timeout_ms: u64,
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig {
            url: "redis://127.0.0.1:6379/0".into(),
            prefix: "direct-signin:".into(),
            timeout_ms: 500,
        }
    }
}

impl RedisConfig {
    /// `url` is checked only when Redis is the store.
    pub fn validate(&self, store: StoreKind) -> Result<(), ConfigError> {
        if store == StoreKind::Redis
            && url::Url::parse(&self.url).map_or(true, |u| !u.scheme().starts_with("redis"))
        {
            return Err(invalid("redis.url", "must be a redis:// or rediss:// URL"));
        }
        if !(10..=60_000).contains(&self.timeout_ms) {
            return Err(invalid("redis.timeout_ms", "must be from 10 to 60000"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::with;
    use super::*;
    use crate::config::Config;

    const REDIS: &str =
        "[session]\nstore = \"redis\"\nsecret = \"0123456789abcdef0123456789abcdef\"\n";

    #[test]
    fn the_redis_section_is_read() {
        let c = with(&format!(
            "{REDIS}[redis]\nurl = \"redis://r.example:6380/2\"\nprefix = \"p:\""
        ))
        .unwrap();
        assert_eq!(c.redis.url, "redis://r.example:6380/2");
        assert_eq!(c.redis.prefix, "p:");
        let d = with("").unwrap();
        assert_eq!(d.redis.url, RedisConfig::default().url);
        assert_eq!(d.redis.prefix, "direct-signin:");
    }

    #[test]
    fn the_old_session_keys_are_aliases() {
        let c = with(&format!(
            "{REDIS}redis_url = \"redis://old.example/1\"\nredis_prefix = \"old:\""
        ))
        .unwrap();
        assert_eq!(c.redis.url, "redis://old.example/1");
        assert_eq!(c.redis.prefix, "old:");
        assert_eq!(c.session.redis_url, None, "moved into [redis]");
        c.validate(false).unwrap();
        let figment = Config::figment()
            .merge(("session.redis_url", "redis://env.example/0"))
            .merge(("session.redis_prefix", "env:"));
        let c = Config::from_figment(&figment).unwrap();
        assert_eq!(c.redis.url, "redis://env.example/0");
        assert_eq!(c.redis.prefix, "env:");
    }

    #[test]
    fn a_key_under_both_names_is_refused_naming_both() {
        let e = with(&format!(
            "{REDIS}redis_url = \"redis://old/0\"\n[redis]\nurl = \"redis://new/0\""
        ))
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("redis.url") && e.contains("session.redis_url"),
            "{e}"
        );
        let e = with("[session]\nredis_prefix = \"a:\"\n[redis]\nprefix = \"b:\"")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("redis.prefix") && e.contains("session.redis_prefix"),
            "{e}"
        );
    }

    #[test]
    fn the_url_must_be_redis_when_redis_is_the_store() {
        let e = with(&format!("{REDIS}[redis]\nurl = \"http://x\"")).unwrap_err();
        assert!(e.to_string().contains("redis.url"), "{e}");
        // Not checked while the store is memory.
        with("[redis]\nurl = \"http://x\"").unwrap();
    }
}
