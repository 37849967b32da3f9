//! `[okta]`: the authorization server and how the portal authenticates to it.
//!
//! The Okta CLI's variables (`OKTA_OAUTH2_ISSUER`, `OKTA_OAUTH2_CLIENT_ID`,
//! `OKTA_OAUTH2_CLIENT_SECRET`) map onto `issuer`, `client_id` and `client_secret`.
//! `client_secret_file` names a file holding the secret instead (read at start).

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{invalid, ConfigError};
use crate::secret::Secret;

/// How the portal authenticates to Okta (`okta.auth_method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// A public client: no client authentication.
    None,
    /// `client_secret` in HTTP Basic.
    ClientSecretBasic,
    /// `client_secret` in the form body.
    ClientSecretPost,
    /// A signed JWT assertion with `private_key_file`.
    PrivateKeyJwt,
}

impl AuthMethod {
    /// The method's name at Okta's token endpoint (`client_secret_basic` …).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::None => "none",
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
        }
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `[okta]`: the Okta org, the client and how calls to it are made.
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
    /// A file holding the client secret (trailing line break removed), read at start into
    /// `client_secret`; setting both is an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_file: Option<PathBuf>,
    /// PEM file of the private key for `private_key_jwt`.
    #[serde(default)]
    pub private_key_file: Option<PathBuf>,
    /// `kid` to put in `private_key_jwt` assertions (when the app's JWKS has several keys).
    #[serde(default)]
    pub private_key_id: Option<String>,
    /// Derived from what is configured when absent: the private key, else the secret
    /// (Basic), else none.
    #[serde(default)]
    pub auth_method: Option<AuthMethod>,
    /// Space-separated OAuth scopes to request (e.g. `openid profile email offline_access`).
    pub scopes: String,
    /// The ID-token claim that carries the user's groups (an Okta groups claim; add its
    /// scope, often `groups`, to `scopes` when the claim is tied to one).
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
    /// Whole-request timeout for calls to Okta, in milliseconds.
    pub timeout_ms: u64,
    /// Timeout for connecting to Okta, in milliseconds.
    pub connect_timeout_ms: u64,
}

impl Default for OktaConfig {
    fn default() -> Self {
        OktaConfig {
            issuer: None,
            client_id: None,
            client_secret: None,
            client_secret_file: None,
            private_key_file: None,
            private_key_id: None,
            auth_method: None,
            scopes: "openid profile email offline_access".into(),
            groups_claim: default_groups_claim(),
            timeout_ms: 10_000,
            connect_timeout_ms: 3_000,
        }
    }
}

fn default_groups_claim() -> String {
    "groups".into()
}

/// The longest timeout for one call to Okta: the ten years of every other duration key.
const MAX_TIMEOUT_MS: u64 = super::MAX_SECONDS as u64 * 1000;

impl OktaConfig {
    /// Reads `client_secret_file` into `client_secret`.
    pub(super) fn load_files(&mut self) -> Result<(), ConfigError> {
        super::secret_file(
            "okta.client_secret",
            &mut self.client_secret,
            "okta.client_secret_file",
            &mut self.client_secret_file,
        )
    }

    /// Checks the issuer, client and credentials (`release`: the release profile, where an issuer
    /// is required and must be https unless loopback).
    pub fn validate(&self, release: bool) -> Result<(), ConfigError> {
        super::both_set(
            "okta.client_secret",
            self.client_secret.is_some(),
            "okta.client_secret_file",
            self.client_secret_file.is_some(),
        )?;
        if let Some(issuer) = self.issuer.as_deref().filter(|i| !i.is_empty()) {
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
            if self.client_id.as_deref().unwrap_or_default().is_empty() {
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
        if !self.scopes.split_whitespace().any(|s| s == "openid") {
            return Err(invalid("okta.scopes", "must include openid"));
        }
        for (key, value) in [
            ("okta.timeout_ms", self.timeout_ms),
            ("okta.connect_timeout_ms", self.connect_timeout_ms),
        ] {
            if value == 0 {
                return Err(invalid(key, "timeouts must be positive"));
            }
            super::within(key, value, 1, MAX_TIMEOUT_MS, " ms")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::with;
    use super::*;

    #[test]
    fn auth_method_is_one_of_four_or_derived() {
        let c = with("[okta]\nauth_method = \"client_secret_post\"").unwrap();
        assert_eq!(c.okta.auth_method, Some(AuthMethod::ClientSecretPost));
        let c = with("[okta]\nauth_method = \"private_key_jwt\"").unwrap();
        assert_eq!(c.okta.auth_method, Some(AuthMethod::PrivateKeyJwt));
        assert_eq!(with("").unwrap().okta.auth_method, None, "absent: derived");
        let e = with("[okta]\nauth_method = \"client_secret_jwt\"").unwrap_err();
        assert!(e.to_string().contains("okta.auth_method"), "{e}");
        assert_eq!(AuthMethod::None.to_string(), "none");
    }

    #[test]
    fn timeouts_are_bounded() {
        let e = with("[okta]\nconnect_timeout_ms = 0").unwrap_err();
        assert!(e.to_string().contains("okta.connect_timeout_ms"), "{e}");
        let mut c = crate::config::Config::default();
        c.okta.timeout_ms = u64::MAX;
        let e = c.validate(false).unwrap_err();
        assert!(e.to_string().contains("okta.timeout_ms"), "{e}");
    }
}
