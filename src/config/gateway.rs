//! `[gateway]`: the portal as the sign-in front of other apps behind a reverse proxy
//! (`/auth` for nginx `auth_request`, Caddy `forward_auth`, Traefik `forwardAuth`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{invalid, ConfigError};

/// A family of identity headers `/auth` answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeaderFamily {
    /// `X-Auth-Request-User`, `-Email`, `-Preferred-Username`, `-Groups` (oauth2-proxy).
    Oauth2Proxy,
    /// `Remote-User`, `Remote-Email`, `Remote-Name`, `Remote-Groups` (Authelia).
    Authelia,
}

/// What `/auth` does and who it trusts.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    /// The portal's external URL (`https://signin.example.com`, or the app's host when the
    /// portal is served under its paths): the sign-in URL `/auth` sends browsers to, and
    /// the assertion's `iss`. Empty: the sign-in URL is the path `/signin` on the
    /// visitor's own host.
    pub public_url: Option<String>,
    /// Hosts an absolute `return_to` may name: exact hosts, or `.example.com` for every
    /// subdomain of example.com. Anything else falls back to `signin.default_return_to`.
    pub allowed_hosts: Vec<String>,
    /// Path prefixes of the protected apps that are APIs: no `Location` on their 401.
    pub api_prefixes: Vec<String>,
    /// The identity header families to answer with.
    pub headers: Vec<HeaderFamily>,
    /// Whether `/auth` adds `X-Signin-Assertion`, a signed JWT of who the user is.
    pub assertion: bool,
    /// The assertion's P-256 key (PKCS#8 PEM), shared by every instance; empty: one is
    /// generated at start (each instance has its own then).
    pub assertion_key_file: Option<PathBuf>,
    /// Whether `/auth` also hands the upstream the user's Okta access token (in
    /// `X-Auth-Request-Access-Token`). Off: Okta's tokens never leave the portal.
    pub forward_access_token: bool,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            public_url: None,
            allowed_hosts: Vec::new(),
            api_prefixes: Vec::new(),
            headers: vec![HeaderFamily::Oauth2Proxy, HeaderFamily::Authelia],
            assertion: true,
            assertion_key_file: None,
            forward_access_token: false,
        }
    }
}

impl GatewayConfig {
    /// `public_url` is an absolute http(s) URL with no path beyond `/` (https in
    /// release unless loopback); `allowed_hosts` are host names.
    pub fn validate(&self, release: bool) -> Result<(), ConfigError> {
        if let Some(raw) = self.public_url.as_deref().filter(|u| !u.is_empty()) {
            let url = url::Url::parse(raw)
                .map_err(|e| invalid("gateway.public_url", format!("not a URL: {e}")))?;
            let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
            let scheme_ok = match url.scheme() {
                "https" => true,
                "http" => !release || loopback,
                _ => false,
            };
            if !scheme_ok {
                return Err(invalid(
                    "gateway.public_url",
                    "must be https (http is allowed only for a loopback address)",
                ));
            }
            if url.host_str().is_none() || url.query().is_some() || url.fragment().is_some() {
                return Err(invalid(
                    "gateway.public_url",
                    "must be a URL with a host and no query or fragment",
                ));
            }
        }
        for host in &self.allowed_hosts {
            let name = host.strip_prefix('.').unwrap_or(host);
            let ok = !name.is_empty()
                && name.len() <= 253
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
            if !ok {
                return Err(invalid(
                    "gateway.allowed_hosts",
                    format!("{host:?} is not a host name without a port (or a .domain suffix)"),
                ));
            }
        }
        for prefix in &self.api_prefixes {
            if !prefix.starts_with('/') {
                return Err(invalid(
                    "gateway.api_prefixes",
                    format!("{prefix:?} must start with /"),
                ));
            }
        }
        Ok(())
    }

    /// The public URL without a trailing `/` (empty when not configured).
    pub fn base(&self) -> &str {
        self.public_url
            .as_deref()
            .unwrap_or_default()
            .trim_end_matches('/')
    }

    /// Whether an absolute URL's host may be a `return_to`.
    pub fn allows_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.allowed_hosts.iter().any(|allowed| {
            let allowed = allowed.to_ascii_lowercase();
            match allowed.strip_prefix('.') {
                Some(domain) => host.ends_with(&format!(".{domain}")),
                None => host == allowed,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::with;
    use super::*;

    #[test]
    fn defaults_answer_both_header_families_with_an_assertion() {
        let c = with("").unwrap();
        assert_eq!(
            c.gateway.headers,
            vec![HeaderFamily::Oauth2Proxy, HeaderFamily::Authelia]
        );
        assert!(c.gateway.assertion && !c.gateway.forward_access_token);
        let c = with("[gateway]\nheaders = [\"authelia\"]").unwrap();
        assert_eq!(c.gateway.headers, vec![HeaderFamily::Authelia]);
        assert!(with("[gateway]\nheaders = [\"vouch\"]").is_err());
    }

    #[test]
    fn public_url_and_hosts_are_checked() {
        for bad in ["not a url", "ftp://x.example", "https://x.example/?q=1"] {
            let e = with(&format!("[gateway]\npublic_url = \"{bad}\"")).unwrap_err();
            assert!(e.to_string().contains("gateway.public_url"), "{bad}: {e}");
        }
        assert!(with("[gateway]\npublic_url = \"https://signin.example.com/\"").is_ok());
        let e = with("[gateway]\nallowed_hosts = [\"exa mple.com\"]").unwrap_err();
        assert!(e.to_string().contains("gateway.allowed_hosts"), "{e}");
        let e = with("[gateway]\napi_prefixes = [\"api\"]").unwrap_err();
        assert!(e.to_string().contains("gateway.api_prefixes"), "{e}");
    }

    #[test]
    fn allowed_hosts_match_exactly_or_by_domain_suffix() {
        let g = GatewayConfig {
            allowed_hosts: vec!["app.example.com".into(), ".example.org".into()],
            ..GatewayConfig::default()
        };
        assert!(g.allows_host("APP.example.com"));
        assert!(!g.allows_host("evil-app.example.com"));
        assert!(g.allows_host("shop.example.org"));
        assert!(!g.allows_host("example.org.evil.com"));
        assert!(!g.allows_host("example.org"));
    }
}
