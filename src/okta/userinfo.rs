//! `/userinfo` with the user's access token (protocol reference §8.4), read into a typed
//! [`UserInfo`]. Its `sub` must be the session's ID-token `sub` (OpenID Connect Core
//! 5.3.2): an answer about anyone else is refused, never shown.

use std::fmt;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{transport_error, OktaClient, Upstream};

/// The claims `/userinfo` returned about the signed-in user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    /// The user's Okta ID: always the session's ID-token `sub`.
    pub sub: String,
    /// Full name (scope `profile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The Okta login (scope `profile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    /// Primary email (scope `email`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether Okta verified the email (scope `email`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Every other claim, as sent (shown on the account page).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl From<UserInfo> for Value {
    /// All claims as one JSON object, as Okta sent them.
    fn from(info: UserInfo) -> Value {
        serde_json::to_value(info).unwrap_or(Value::Null)
    }
}

/// Errors of `/userinfo`.
#[derive(Debug)]
pub enum UserinfoError {
    /// The access token is no longer accepted (401/403).
    Unauthorized,
    /// The answer is about another subject than the session's: it must not be used.
    SubjectMismatch,
    /// Okta could not be used.
    Upstream(Upstream),
}

impl fmt::Display for UserinfoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UserinfoError::Unauthorized => f.write_str("the access token was refused"),
            UserinfoError::SubjectMismatch => {
                f.write_str("the answer is about another subject than the session's")
            }
            UserinfoError::Upstream(e) => write!(f, "{e}"),
        }
    }
}

/// Reads `/userinfo`'s answer; `expected_sub` is the session's ID-token `sub`.
fn read(status: u16, bytes: &[u8], expected_sub: &str) -> Result<UserInfo, UserinfoError> {
    match status {
        200 => {
            let info: UserInfo = serde_json::from_slice(bytes)
                .map_err(|_| UserinfoError::Upstream(Upstream::Malformed))?;
            if info.sub != expected_sub {
                return Err(UserinfoError::SubjectMismatch);
            }
            Ok(info)
        }
        401 | 403 => Err(UserinfoError::Unauthorized),
        s => Err(UserinfoError::Upstream(Upstream::Status(s, None))),
    }
}

impl OktaClient {
    /// `/userinfo` with the user's access token; `expected_sub` is the `sub` of the ID
    /// token the session was created from.
    pub async fn userinfo(
        &self,
        access_token: &str,
        expected_sub: &str,
    ) -> Result<UserInfo, UserinfoError> {
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
        let result = read(status, &bytes, expected_sub);
        let label = match &result {
            Err(UserinfoError::SubjectMismatch) => "sub_mismatch".to_string(),
            _ => status.to_string(),
        };
        self.metrics
            .okta_call("userinfo", &label, started.elapsed());
        if let Err(UserinfoError::SubjectMismatch) = &result {
            tracing::error!("userinfo answered about another subject than the session's; not used");
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Vec<u8> {
        serde_json::to_vec(&v).unwrap()
    }

    #[test]
    fn userinfo_is_typed_and_keeps_every_claim() {
        let sent = json!({
            "sub": "00u1", "name": "Ada Lovelace", "preferred_username": "ada@example.com",
            "email": "ada@example.com", "email_verified": true, "locale": "en_US",
            "updated_at": 1_700_000_000,
        });
        let info = read(200, &body(sent.clone()), "00u1").unwrap();
        assert_eq!(info.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(info.email_verified, Some(true));
        assert_eq!(info.other["locale"], "en_US");
        assert_eq!(Value::from(info), sent, "shown as sent");
        let bare = read(200, &body(json!({"sub": "00u1"})), "00u1").unwrap();
        assert_eq!(Value::from(bare), json!({"sub": "00u1"}));
    }

    #[test]
    fn userinfo_about_another_subject_is_not_used() {
        let other = body(json!({"sub": "00u2", "name": "Someone Else"}));
        assert!(matches!(
            read(200, &other, "00u1"),
            Err(UserinfoError::SubjectMismatch)
        ));
        assert!(matches!(
            read(200, &body(json!({"name": "No Subject"})), "00u1"),
            Err(UserinfoError::Upstream(Upstream::Malformed))
        ));
        assert!(matches!(
            read(200, &body(json!({"sub": 7})), "7"),
            Err(UserinfoError::Upstream(Upstream::Malformed))
        ));
    }

    #[test]
    fn userinfo_errors_by_status() {
        assert!(matches!(
            read(401, b"", "00u1"),
            Err(UserinfoError::Unauthorized)
        ));
        assert!(matches!(
            read(403, b"{}", "00u1"),
            Err(UserinfoError::Unauthorized)
        ));
        assert!(matches!(
            read(503, b"", "00u1"),
            Err(UserinfoError::Upstream(Upstream::Status(503, None)))
        ));
        assert!(matches!(
            read(200, b"not json", "00u1"),
            Err(UserinfoError::Upstream(Upstream::Malformed))
        ));
    }
}
