//! `/userinfo` with the user's access token (protocol reference §6).

use std::time::Instant;

use serde_json::Value;

use super::{transport_error, OktaClient, Upstream};

/// Errors of `/userinfo`.
#[derive(Debug)]
pub enum UserinfoError {
    /// The access token is no longer accepted (401/403).
    Unauthorized,
    /// Okta could not be used.
    Upstream(Upstream),
}

impl OktaClient {
    /// `/userinfo` with the user's access token.
    pub async fn userinfo(&self, access_token: &str) -> Result<Value, UserinfoError> {
        let endpoints = self.endpoints().await.map_err(UserinfoError::Upstream)?;
        let url = endpoints
            .userinfo
            .clone()
            .unwrap_or_else(|| endpoints.token.replace("/token", "/userinfo"));
        let started = Instant::now();
        let response = self
            .http
            .get(&url)
            .bearer_auth(access_token)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| UserinfoError::Upstream(transport_error(&e)))?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| UserinfoError::Upstream(transport_error(&e)))?;
        self.metrics
            .okta_call("userinfo", &status.to_string(), started.elapsed());
        match status {
            200 => serde_json::from_slice(&bytes)
                .map_err(|_| UserinfoError::Upstream(Upstream::Malformed)),
            401 | 403 => Err(UserinfoError::Unauthorized),
            s => Err(UserinfoError::Upstream(Upstream::Status(s, None))),
        }
    }
}
