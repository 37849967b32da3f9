//! `[redis]`: the Redis deployment of `session.store = "redis"` and the prefix of every key.
//!
//! `redis.mode` picks the deployment: `"single"` (one server at `redis.url`), `"sentinel"`
//! (a master and its replicas watched by Sentinels: `redis.sentinels` and
//! `redis.master_name`; the master is asked of the Sentinels at start and again after
//! every lost connection or READONLY answer), or `"cluster"` (Redis Cluster, seeded by
//! `redis.nodes`). Lists may be given as TOML lists or as one comma-separated string
//! (what an environment variable gives).
//!
//! In sentinel mode the host and port of `redis.url` are not used (the Sentinels name the
//! master), but its database, username and password are: they apply to the master
//! connection. Credentials for the Sentinels themselves go in the `redis://` URLs of
//! `redis.sentinels`. TLS to Redis is not built in (the redis crate's TLS features are
//! off), so `rediss://` is refused in sentinel and cluster modes; the master connection in
//! sentinel mode would not be encrypted otherwise.
//!
//! `session.redis_url` and `session.redis_prefix` are the old names: when only an old name
//! is set it is used; when a key is given under both names, the configuration is refused,
//! naming both (so a half-finished migration cannot silently pick one).

use serde::{Deserialize, Deserializer, Serialize};

use super::session::StoreKind;
use super::{invalid, ConfigError};

/// `redis.mode`: how the Redis deployment is reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RedisMode {
    /// One server at `redis.url`.
    #[default]
    Single,
    /// A master found through `redis.sentinels` under `redis.master_name`.
    Sentinel,
    /// A Redis Cluster seeded by `redis.nodes`.
    Cluster,
}

/// `[redis]`: the Redis deployment used by the Redis stores.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RedisConfig {
    /// `single` (default), `sentinel` or `cluster`.
    #[serde(default)]
    pub mode: RedisMode,
    /// `redis://` or `rediss://` URL, e.g. `redis://127.0.0.1:6379/0` (single mode; in
    /// sentinel mode only its database and credentials are used).
    pub url: String,
    /// The Sentinels, `host:port` or `redis://host:port` (sentinel mode).
    #[serde(default, deserialize_with = "list")]
    pub sentinels: Vec<String>,
    /// The name the Sentinels know the master by (sentinel mode).
    #[serde(default = "default_master_name")]
    pub master_name: String,
    /// Seed nodes of the cluster, `redis://host:port` (cluster mode).
    #[serde(default, deserialize_with = "list")]
    pub nodes: Vec<String>,
    /// Prefix of every Redis key, so several deployments can share a server.
    pub prefix: String,
    /// How long one Redis command (or connection attempt) may take, in milliseconds,
    /// before the request gets the "try again" page.
    pub timeout_ms: u64,
    /// Sentinel mode: how long a command waits, in milliseconds, for the Sentinels to
    /// name a reachable master after the master was lost (a failover under way), before
    /// the request gets the "try again" page.
    #[serde(default = "default_failover_wait_ms")]
    pub failover_wait_ms: u64,
}

fn default_master_name() -> String {
    "mymaster".into()
}

fn default_failover_wait_ms() -> u64 {
    5_000
}

impl Default for RedisConfig {
    fn default() -> Self {
        RedisConfig {
            mode: RedisMode::Single,
            url: "redis://127.0.0.1:6379/0".into(),
            sentinels: Vec::new(),
            master_name: default_master_name(),
            nodes: Vec::new(),
            prefix: "direct-signin:".into(),
            timeout_ms: 500,
            failover_wait_ms: default_failover_wait_ms(),
        }
    }
}

/// A list given as a list or as one comma-separated string (an environment variable).
fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        List(Vec<String>),
        One(String),
    }
    let items = match Either::deserialize(d)? {
        Either::List(items) => items,
        Either::One(s) => s.split(',').map(str::to_string).collect(),
    };
    Ok(items
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect())
}

/// A `host:port` or `redis://host:port[...]` address as a URL, or why not.
pub fn node_url(address: &str) -> Result<url::Url, String> {
    let full = if address.contains("://") {
        address.to_string()
    } else {
        format!("redis://{address}")
    };
    let url = url::Url::parse(&full).map_err(|e| format!("{address:?}: {e}"))?;
    if url.scheme() != "redis" {
        return Err(format!(
            "{address:?}: must be host:port or a redis:// URL (TLS is not built in)"
        ));
    }
    if url.host_str().is_none_or(str::is_empty) || url.port().is_none() {
        return Err(format!("{address:?}: needs a host and a port"));
    }
    Ok(url)
}

impl RedisConfig {
    /// The deployment is checked only when Redis is the store.
    pub fn validate(&self, store: StoreKind) -> Result<(), ConfigError> {
        if !(10..=60_000).contains(&self.timeout_ms) {
            return Err(invalid("redis.timeout_ms", "must be from 10 to 60000"));
        }
        if self.failover_wait_ms > 60_000 {
            return Err(invalid("redis.failover_wait_ms", "must be at most 60000"));
        }
        if store != StoreKind::Redis {
            return Ok(());
        }
        let url = url::Url::parse(&self.url);
        match self.mode {
            RedisMode::Single => {
                if url.map_or(true, |u| !u.scheme().starts_with("redis")) {
                    return Err(invalid("redis.url", "must be a redis:// or rediss:// URL"));
                }
            }
            RedisMode::Sentinel => {
                if url.map_or(true, |u| u.scheme() != "redis") {
                    return Err(invalid(
                        "redis.url",
                        "must be a redis:// URL in sentinel mode (its database and \
                         credentials apply to the master; TLS is not built in)",
                    ));
                }
                if self.sentinels.is_empty() {
                    return Err(invalid(
                        "redis.sentinels",
                        "sentinel mode needs at least one Sentinel (host:port)",
                    ));
                }
                for s in &self.sentinels {
                    node_url(s).map_err(|e| invalid("redis.sentinels", e))?;
                }
                if self.master_name.trim().is_empty() {
                    return Err(invalid(
                        "redis.master_name",
                        "sentinel mode needs the master's name",
                    ));
                }
            }
            RedisMode::Cluster => {
                if self.nodes.is_empty() {
                    return Err(invalid(
                        "redis.nodes",
                        "cluster mode needs at least one seed node (redis://host:port)",
                    ));
                }
                for n in &self.nodes {
                    let u = node_url(n).map_err(|e| invalid("redis.nodes", e))?;
                    if !matches!(u.path(), "" | "/" | "/0") {
                        return Err(invalid("redis.nodes", "a cluster has database 0 only"));
                    }
                }
                // The prefix comes before every key's hash tag: braces in it would make
                // the prefix (or part of it) the tag, and the slots of a script's keys
                // could differ.
                if self.prefix.contains(['{', '}']) {
                    return Err(invalid(
                        "redis.prefix",
                        "must not contain { or } in cluster mode (they would be the keys' hash tag)",
                    ));
                }
            }
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
    fn sentinel_mode_reads_lists_and_strings() {
        let c = with(&format!(
            "{REDIS}[redis]\nmode = \"sentinel\"\nsentinels = [\"127.0.0.1:26379\", \"redis://:pw@s2:26380\"]\nmaster_name = \"main\""
        ))
        .unwrap();
        assert_eq!(c.redis.mode, RedisMode::Sentinel);
        assert_eq!(
            c.redis.sentinels,
            ["127.0.0.1:26379", "redis://:pw@s2:26380"]
        );
        assert_eq!(c.redis.master_name, "main");
        // What an environment variable gives: one comma-separated string.
        let figment = Config::figment()
            .merge(("session.store", "redis"))
            .merge(("session.secret", "0123456789abcdef0123456789abcdef"))
            .merge(("redis.mode", "sentinel"))
            .merge(("redis.sentinels", "127.0.0.1:26379, 127.0.0.1:26380,"));
        let c = Config::from_figment(&figment).unwrap();
        assert_eq!(c.redis.sentinels, ["127.0.0.1:26379", "127.0.0.1:26380"]);
        assert_eq!(c.redis.master_name, "mymaster", "the default name");
        let figment = Config::figment()
            .merge(("session.store", "redis"))
            .merge(("session.secret", "0123456789abcdef0123456789abcdef"))
            .merge(("redis.mode", "cluster"))
            .merge((
                "redis.nodes",
                "redis://127.0.0.1:7000,redis://127.0.0.1:7001",
            ));
        let c = Config::from_figment(&figment).unwrap();
        assert_eq!(c.redis.mode, RedisMode::Cluster);
        assert_eq!(c.redis.nodes.len(), 2);
    }

    #[test]
    fn the_environment_names_the_new_keys() {
        use rocket::figment::providers::{Env, Serialized};
        // Variables of this test's own prefix (the environment is the whole process's),
        // split as `Config::figment` splits `DIRECT_SIGNIN_*`.
        std::env::set_var("DIRECT_SIGNIN_TEST_REDIS_REDIS__SENTINELS", "a:1,b:2");
        std::env::set_var("DIRECT_SIGNIN_TEST_REDIS_REDIS__MASTER_NAME", "m1");
        std::env::set_var("DIRECT_SIGNIN_TEST_REDIS_REDIS__MODE", "sentinel");
        std::env::set_var("DIRECT_SIGNIN_TEST_REDIS_REDIS__NODES", "redis://n:7000");
        let figment = rocket::figment::Figment::from(Serialized::defaults(Config::default()))
            .merge(Env::prefixed("DIRECT_SIGNIN_TEST_REDIS_").split("__"));
        let c: Config = figment.extract().unwrap();
        assert_eq!(c.redis.sentinels, ["a:1", "b:2"]);
        assert_eq!(c.redis.nodes, ["redis://n:7000"]);
        assert_eq!(
            (c.redis.mode, c.redis.master_name.as_str()),
            (RedisMode::Sentinel, "m1")
        );
    }

    #[test]
    fn sentinel_mode_needs_sentinels_and_a_master_name() {
        let e = with(&format!("{REDIS}[redis]\nmode = \"sentinel\""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("redis.sentinels"), "{e}");
        let e = with(&format!(
            "{REDIS}[redis]\nmode = \"sentinel\"\nsentinels = \"s:26379\"\nmaster_name = \" \""
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("redis.master_name"), "{e}");
        let e = with(&format!(
            "{REDIS}[redis]\nmode = \"sentinel\"\nsentinels = \"s:26379,http://x:1\""
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("redis.sentinels"), "{e}");
        let e = with(&format!(
            "{REDIS}[redis]\nmode = \"sentinel\"\nsentinels = \"nohost\""
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("redis.sentinels") && e.contains("port"), "{e}");
        let e = with(&format!(
            "{REDIS}[redis]\nmode = \"sentinel\"\nsentinels = \"s:26379\"\nurl = \"rediss://x/0\""
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("redis.url"), "{e}");
        let e = with(&format!("{REDIS}[redis]\nmode = \"primary\""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("mode"), "{e}");
    }

    #[test]
    fn cluster_mode_needs_nodes_and_a_prefix_without_braces() {
        let e = with(&format!("{REDIS}[redis]\nmode = \"cluster\""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("redis.nodes"), "{e}");
        let e = with(&format!(
            "{REDIS}[redis]\nmode = \"cluster\"\nnodes = \"redis://n:7000/3\""
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("redis.nodes") && e.contains("database"), "{e}");
        let e = with(&format!(
            "{REDIS}[redis]\nmode = \"cluster\"\nnodes = \"n:7000\"\nprefix = \"{{app}}:\""
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("redis.prefix"), "{e}");
        with(&format!(
            "{REDIS}[redis]\nmode = \"cluster\"\nnodes = [\"n:7000\", \"redis://n:7001\"]"
        ))
        .unwrap();
        // Not checked while the store is memory.
        with("[redis]\nmode = \"cluster\"").unwrap();
        let e = with(&format!("{REDIS}[redis]\nfailover_wait_ms = 70000"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("redis.failover_wait_ms"), "{e}");
    }

    #[test]
    fn the_url_must_be_redis_when_redis_is_the_store() {
        let e = with(&format!("{REDIS}[redis]\nurl = \"http://x\"")).unwrap_err();
        assert!(e.to_string().contains("redis.url"), "{e}");
        // Not checked while the store is memory.
        with("[redis]\nurl = \"http://x\"").unwrap();
    }
}
