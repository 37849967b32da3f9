//! Who the client is: the socket's peer unless it is a configured trusted proxy (then the
//! right-most untrusted `X-Forwarded-For` entry), the metrics allow list, and the request
//! context forwarded to Okta.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use ipnet::IpNet;
use rocket::request::{FromRequest, Outcome, Request};

use crate::okta::CallContext;

/// The trusted reverse proxies.
#[derive(Default, Clone)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    /// `network.trusted_proxies`, parsed when the configuration was read.
    pub fn from_config(list: &[IpNet]) -> Self {
        TrustedProxies(list.to_vec())
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client address: the peer, unless the peer is trusted; then the right-most
    /// `X-Forwarded-For` entry that is not itself a trusted proxy.
    pub fn client_ip(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let Some(header) = forwarded_for else {
            return peer;
        };
        let mut last = peer;
        for entry in header.rsplit(',') {
            let Some(ip) = forwarded_address(entry) else {
                // Garbage (or "unknown") in the chain: stop at the last address we could
                // trust.
                return last;
            };
            let ip = canonical(ip);
            if !self.trusts(ip) {
                return ip;
            }
            last = ip;
        }
        last
    }
}

/// One `X-Forwarded-For` entry: a bare address (`1.2.3.4`, `2001:db8::1`), or one with a
/// port or in brackets as some proxies write them (`1.2.3.4:5678`, `[2001:db8::1]:443`,
/// `[2001:db8::1]`). Anything else (`unknown`, an obfuscated identifier, a zone) is `None`.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = entry.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    entry
        .strip_prefix('[')
        .and_then(|e| e.strip_suffix(']'))
        .and_then(|inner| inner.parse::<Ipv6Addr>().ok())
        .map(IpAddr::V6)
}

/// Who may read `/metrics` (`network.metrics_allowed`): client addresses (as
/// [`ClientIp`] sees them, trusted proxies believed) inside one of these networks.
#[derive(Default, Clone)]
pub struct MetricsAllowList(pub Vec<IpNet>);

impl MetricsAllowList {
    /// `network.metrics_allowed`, parsed when the configuration was read.
    pub fn from_config(list: &[IpNet]) -> Self {
        MetricsAllowList(list.to_vec())
    }

    /// Whether `ip` (an IPv4-mapped address counts as IPv4) is in `network.metrics_allowed`.
    pub fn allows(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The end user's address (see [`TrustedProxies::client_ip`]).
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientIp {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let peer = req
            .remote()
            .map(|r| r.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        let ip = match req.rocket().state::<Arc<TrustedProxies>>() {
            Some(t) => {
                // Several header lines form one list, in order.
                let lines: Vec<&str> = req.headers().get("X-Forwarded-For").collect();
                let joined = (!lines.is_empty()).then(|| lines.join(","));
                t.client_ip(peer, joined.as_deref())
            }
            None => peer,
        };
        Outcome::Success(ClientIp(ip))
    }
}

/// What the end user's browser said, forwarded to Okta.
pub struct RequestContext(pub CallContext);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for RequestContext {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let header = |name: &str, max: usize| {
            req.headers()
                .get_one(name)
                .map(|v| v.chars().take(max).collect::<String>())
        };
        let ip = match ClientIp::from_request(req).await {
            Outcome::Success(ClientIp(ip)) => Some(ip),
            _ => None,
        };
        Outcome::Success(RequestContext(CallContext {
            user_agent: header("User-Agent", 512),
            accept_language: header("Accept-Language", 128),
            client_ip: ip,
            priority: Default::default(),
            acr_values: None,
            recovery: false,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_net as parse_cidr;
    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let t = TrustedProxies::from_config(&[
            parse_cidr("10.0.0.0/8").unwrap(),
            parse_cidr("::1").unwrap(),
        ]);
        let peer: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(
            t.client_ip(peer, Some("1.2.3.4")),
            peer,
            "spoofed header from an untrusted peer"
        );
        let proxy: IpAddr = "10.1.1.1".parse().unwrap();
        assert_eq!(
            t.client_ip(proxy, Some("1.2.3.4, 10.2.2.2")).to_string(),
            "1.2.3.4"
        );
        assert_eq!(
            t.client_ip(proxy, Some("6.6.6.6, 1.2.3.4")).to_string(),
            "1.2.3.4",
            "right-most untrusted wins"
        );
        assert_eq!(t.client_ip(proxy, None), proxy);
        assert_eq!(t.client_ip(proxy, Some("garbage")), proxy);
        let mapped: IpAddr = "::ffff:10.0.0.7".parse().unwrap();
        assert_eq!(t.client_ip(mapped, Some("5.5.5.5")).to_string(), "5.5.5.5");
    }

    /// What a browser makes of a `Location` on `https://portal.example/signin`.
    #[test]
    fn forwarded_for_entries_with_ports_and_brackets() {
        let t = TrustedProxies::from_config(&[parse_cidr("10.0.0.0/8").unwrap()]);
        let proxy: IpAddr = "10.1.1.1".parse().unwrap();
        for (header, client) in [
            ("1.2.3.4:5678", "1.2.3.4"),
            ("[2001:db8::1]:443", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
            (" 1.2.3.4:5678 , 10.2.2.2:80", "1.2.3.4"),
            ("6.6.6.6, [2001:db8::7]:1, 10.9.9.9:80", "2001:db8::7"),
            ("[::ffff:1.2.3.4]:99", "1.2.3.4"),
        ] {
            assert_eq!(
                t.client_ip(proxy, Some(header)).to_string(),
                client,
                "{header}"
            );
        }
        for garbage in [
            "unknown",
            "_hidden",
            "1.2.3.4:99999",
            "[1.2.3.4]",
            "fe80::1%eth0",
            "[2001:db8::1",
            "",
        ] {
            assert_eq!(t.client_ip(proxy, Some(garbage)), proxy, "{garbage:?}");
        }
        assert_eq!(
            t.client_ip(proxy, Some("1.2.3.4, unknown")),
            proxy,
            "nothing left of garbage is believed"
        );
    }

    #[test]
    fn metrics_allow_list_defaults_to_loopback() {
        let list = MetricsAllowList::from_config(&[
            parse_cidr("127.0.0.0/8").unwrap(),
            parse_cidr("::1").unwrap(),
        ]);
        for ok in ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"] {
            assert!(list.allows(ok.parse().unwrap()), "{ok}");
        }
        for no in ["10.0.0.1", "203.0.113.9", "2001:db8::1", "::2"] {
            assert!(!list.allows(no.parse().unwrap()), "{no}");
        }
        assert!(!MetricsAllowList::default().allows("127.0.0.1".parse().unwrap()));
    }
}
