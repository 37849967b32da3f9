//! `[network]`: which peers are trusted proxies, whether the user's IP goes to Okta, and
//! who may read `/metrics`.
//!
//! Both address lists are `Vec<IpNet>`, parsed when the configuration is read: each entry
//! a CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a bare address, taken as a /32 or /128. An
//! entry that is neither is refused, naming the key.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::ConfigError;

/// Parses `10.0.0.0/8` or a bare address (a /32 or /128).
pub fn parse_net(s: &str) -> Result<IpNet, String> {
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
        .map_err(|e| e.to_string())
}

/// Serde for a list of networks written as strings.
mod nets {
    use ipnet::IpNet;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(list: &[IpNet], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(list.iter().map(|n| n.to_string()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<IpNet>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|entry| {
                super::parse_net(entry.trim()).map_err(|e| {
                    D::Error::custom(format!("'{entry}' is not an address or CIDR: {e}"))
                })
            })
            .collect()
    }
}

/// `[network]`: which proxies are trusted and what is forwarded to Okta.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Networks of reverse proxies whose `X-Forwarded-For` is believed.
    #[serde(with = "nets")]
    pub trusted_proxies: Vec<IpNet>,
    /// Send the end user's IP to Okta in `X-Forwarded-For` (only useful when the
    /// portal's address is registered as a trusted proxy in Okta).
    pub forward_client_ip: bool,
    /// Networks of clients that may read `/metrics`; everyone else gets a 404. The client
    /// is the one the portal's `ClientIp` sees (trusted proxies believed). Loopback only
    /// by default.
    #[serde(with = "nets")]
    pub metrics_allowed: Vec<IpNet>,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            trusted_proxies: vec![],
            forward_client_ip: false,
            metrics_allowed: vec![
                parse_net("127.0.0.0/8").expect("a CIDR"),
                parse_net("::1").expect("an address"),
            ],
        }
    }
}

impl NetworkConfig {
    /// Everything here is checked by its type when read.
    pub fn validate(&self) -> Result<(), ConfigError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::with;
    use super::*;
    use crate::config::Config;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|s| parse_net(s).unwrap()).collect()
    }

    #[test]
    fn bare_addresses_are_single_hosts() {
        assert_eq!(parse_net("192.0.2.1").unwrap().to_string(), "192.0.2.1/32");
        assert_eq!(parse_net("::1").unwrap().to_string(), "::1/128");
        assert_eq!(parse_net("10.0.0.0/8").unwrap().prefix_len(), 8);
        for bad in ["not-an-ip", "10.0.0.0/33", "1.2.3.4:80", ""] {
            assert!(parse_net(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn metrics_allowed_is_a_list_of_networks() {
        let c = Config::default();
        assert_eq!(c.network.metrics_allowed, nets(&["127.0.0.0/8", "::1"]));
        let e = with("[network]\nmetrics_allowed = [\"10.0.0.0/8\", \"not-an-ip\"]").unwrap_err();
        assert!(e.to_string().contains("network.metrics_allowed"), "{e}");
        let c = with("[network]\nmetrics_allowed = [\"10.0.0.0/8\", \"2001:db8::/32\"]").unwrap();
        assert_eq!(
            c.network.metrics_allowed,
            nets(&["10.0.0.0/8", "2001:db8::/32"])
        );
        let c = Config::from_figment(
            &Config::figment().merge(("network.metrics_allowed", vec!["192.0.2.1"])),
        )
        .unwrap();
        assert_eq!(c.network.metrics_allowed, nets(&["192.0.2.1/32"]));
        assert_eq!(with("").unwrap().network.metrics_allowed, c_default());
    }

    fn c_default() -> Vec<IpNet> {
        NetworkConfig::default().metrics_allowed
    }

    #[test]
    fn trusted_proxies_parse_and_refuse_naming_the_key() {
        let c =
            with("[network]\ntrusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\", \"::1\"]").unwrap();
        assert_eq!(
            c.network.trusted_proxies,
            nets(&["127.0.0.1/32", "10.0.0.0/8", "::1/128"])
        );
        let e = with("[network]\ntrusted_proxies = [\"10.0.0.0/40\"]").unwrap_err();
        assert!(e.to_string().contains("network.trusted_proxies"), "{e}");
        let e = with("[network]\ntrusted_proxies = \"10.0.0.0/8\"").unwrap_err();
        assert!(e.to_string().contains("network.trusted_proxies"), "{e}");
    }
}
