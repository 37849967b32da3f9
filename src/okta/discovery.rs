//! Discovery: the authorization server's metadata, the endpoints derived from it (Okta's
//! own clients derive `/challenge` and `/primary-authenticate` from `token_endpoint`), the
//! signing keys fetched with it, and readiness (discovery has succeeded once).

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::{transport_error, OktaClient, Upstream};

/// Endpoints found by discovery.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// The issuer as the discovery document spells it.
    pub issuer: String,
    /// `token_endpoint`.
    pub token: String,
    /// `/challenge`, next to the token endpoint.
    pub challenge: String,
    /// `/primary-authenticate`, next to the token endpoint.
    pub primary_authenticate: String,
    /// `revocation_endpoint`, when advertised.
    pub revoke: Option<String>,
    /// `userinfo_endpoint`, when advertised.
    pub userinfo: Option<String>,
    /// Where the ID-token signing keys are.
    pub jwks_uri: String,
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    revocation_endpoint: Option<String>,
    #[serde(default)]
    userinfo_endpoint: Option<String>,
}

impl OktaClient {
    /// Whether discovery has succeeded.
    pub fn is_ready(&self) -> bool {
        self.endpoints.read().is_some()
    }

    /// Fetches the discovery document and the JWKS.
    pub async fn discover(&self) -> Result<Arc<Endpoints>, Upstream> {
        let url = format!("{}/.well-known/openid-configuration", self.issuer);
        let response = self
            .http
            .get(&url)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| transport_error(&e))?;
        if status != 200 {
            return Err(Upstream::Status(status, None));
        }
        let doc: Discovery = serde_json::from_slice(&bytes).map_err(|_| Upstream::Malformed)?;
        if doc.issuer.trim_end_matches('/') != self.issuer {
            tracing::error!(
                configured = %self.issuer,
                discovered = %doc.issuer,
                "the discovery document's issuer differs from okta.issuer"
            );
            return Err(Upstream::Malformed);
        }
        // Okta's own clients derive these two from `token_endpoint`; an unusual token URL
        // falls back to the issuer's `/v1` base.
        let base = doc
            .token_endpoint
            .strip_suffix("/token")
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}/v1", doc.issuer.trim_end_matches('/')));
        let endpoints = Arc::new(Endpoints {
            issuer: doc.issuer.clone(),
            challenge: format!("{base}/challenge"),
            primary_authenticate: format!("{base}/primary-authenticate"),
            token: doc.token_endpoint,
            revoke: doc.revocation_endpoint,
            userinfo: doc.userinfo_endpoint,
            jwks_uri: doc.jwks_uri,
        });
        self.keys.refresh(&self.http, &endpoints.jwks_uri).await?;
        *self.endpoints.write() = Some(endpoints.clone());
        Ok(endpoints)
    }

    /// Retries discovery with backoff until it succeeds (run at start in the background).
    pub async fn discover_until_ready(self: Arc<Self>) {
        let mut delay = Duration::from_millis(250);
        loop {
            match self.discover().await {
                Ok(_) => {
                    tracing::info!(issuer = %self.issuer, "Okta discovery complete");
                    return;
                }
                Err(e) => {
                    tracing::warn!(issuer = %self.issuer, error = %e, "Okta discovery failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(30));
                }
            }
        }
    }

    /// The endpoints, discovering them first if discovery has not succeeded yet.
    pub(super) async fn endpoints(&self) -> Result<Arc<Endpoints>, Upstream> {
        if let Some(e) = self.endpoints.read().clone() {
            return Ok(e);
        }
        self.discover().await
    }
}
