//! The MyAccount API (`/idp/myaccount/…` on the org's host, not under the issuer path):
//! the user's own password, phones and authenticators, called with the user's access token
//! (`docs/okta-myaccount-and-recovery.md`). Every call sends
//! `Accept: application/json; okta-version=1.0.0`, passes this instance's ceiling toward
//! Okta (bucket "other", normal priority: the caller has proven a factor), and is read into
//! a typed result: Okta's management error shape (`errorCode`, `errorSummary`,
//! `errorCauses`) and the `WWW-Authenticate … insufficient_authentication_context` challenge
//! become [`AccountError`]s. No token, password, code or phone number is ever logged.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use super::{numbers, transport_error, Bucket, OktaClient, Priority, Upstream};

mod types;

pub use types::*;

/// The `Accept` header MyAccount requires (§1).
pub const ACCEPT: &str = "application/json; okta-version=1.0.0";
/// The scope of a recovery flow's token (both of Okta's SDKs ask for this one only).
pub const RECOVERY_SCOPE: &str = "okta.myAccount.password.manage";
/// The scopes a signed-in session needs for its sign-in methods page.
pub const SESSION_SCOPES: &[&str] = &[
    "okta.myAccount.password.manage",
    "okta.myAccount.phone.manage",
    "okta.myAccount.authenticators.read",
];

/// A MyAccount answer: status, the step-up challenge if any, the JSON body.
struct Reply {
    status: u16,
    challenge: Option<StepUpChallenge>,
    reset: Option<i64>,
    body: Value,
}

/// Reads a non-2xx answer.
fn error_of(reply: &Reply) -> AccountError {
    if let Some(c) = &reply.challenge {
        return AccountError::StepUp(c.clone());
    }
    let code = reply.body["errorCode"].as_str().unwrap_or_default();
    let password_cause = reply.body["errorCauses"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c.get("reason").is_some());
    match (reply.status, code) {
        (429, _) => AccountError::RateLimited(reply.reset),
        (400, "E0000001") if password_cause => {
            AccountError::WeakPassword(PasswordRules::from_causes(&reply.body["errorCauses"]))
        }
        (400 | 403, "E0000080") => {
            AccountError::WeakPassword(PasswordRules::from_causes(&reply.body["errorCauses"]))
        }
        (400, _) => AccountError::Invalid,
        (403, "E0000014") => AccountError::WrongPassword,
        (401, "E0000004") => AccountError::InvalidCode,
        (401 | 403, _) => AccountError::Unauthorized,
        (404, _) => AccountError::NotFound,
        (409, _) => AccountError::Conflict,
        (s, c) => AccountError::Upstream(Upstream::Status(s, (!c.is_empty()).then(|| c.into()))),
    }
}

impl OktaClient {
    /// The org's base URL (`https://example.okta.com`): the issuer's scheme and authority.
    fn org_url(&self) -> String {
        match url::Url::parse(&self.issuer) {
            Ok(u) => u.origin().ascii_serialization(),
            Err(_) => self.issuer.clone(),
        }
    }

    async fn myaccount(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Result<Reply, AccountError> {
        let url = format!("{}/idp/myaccount{path}", self.org_url());
        let mut request = self
            .http
            .request(method, &url)
            .bearer_auth(token)
            .header("Accept", ACCEPT);
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        let _permit = self
            .ceiling
            .admit(Bucket::Other, Priority::Normal)
            .map_err(|until| {
                self.metrics
                    .okta_call("myaccount", "held_by_ceiling", Duration::ZERO);
                AccountError::HeldBack(until)
            })?;
        let started = Instant::now();
        let response = request.send().await.map_err(|e| {
            self.metrics
                .okta_call("myaccount", "transport_error", started.elapsed());
            AccountError::Upstream(transport_error(&e))
        })?;
        let status = response.status().as_u16();
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok());
        let challenge = header("WWW-Authenticate").and_then(parse_challenge_header);
        let reset = numbers::rate_limit_reset(
            self.clock.now(),
            header("X-Rate-Limit-Reset"),
            header("Retry-After"),
        );
        let bytes = response
            .bytes()
            .await
            .map_err(|e| AccountError::Upstream(transport_error(&e)))?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).map_err(|_| {
                self.metrics
                    .okta_call("myaccount", "malformed", started.elapsed());
                AccountError::Upstream(Upstream::Malformed)
            })?
        };
        let code =
            body["errorCode"]
                .as_str()
                .unwrap_or(if status < 300 { "ok" } else { "unknown" });
        self.metrics.okta_call("myaccount", code, started.elapsed());
        tracing::debug!(
            status,
            error = code,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "MyAccount call"
        );
        let reply = Reply {
            status,
            challenge,
            reset,
            body,
        };
        if (200..300).contains(&status) {
            Ok(reply)
        } else {
            Err(error_of(&reply))
        }
    }

    /// `PUT /password`: replaces the password (a recovery, or a reset by a signed-in user).
    pub async fn reset_password(&self, token: &str, password: &str) -> Result<(), AccountError> {
        let body = json!({"profile": {"password": password}});
        self.myaccount(Method::PUT, "/password", token, Some(body))
            .await
            .map(drop)
    }

    /// `POST /password/change-password`: the current password and the new one.
    pub async fn change_password(
        &self,
        token: &str,
        old: &str,
        new: &str,
    ) -> Result<(), AccountError> {
        let body = json!({"oldPassword": old, "newPassword": new});
        self.myaccount(Method::POST, "/password/change-password", token, Some(body))
            .await
            .map(drop)
    }

    /// `GET /phones`.
    pub async fn phones(&self, token: &str) -> Result<Vec<Phone>, AccountError> {
        let reply = self.myaccount(Method::GET, "/phones", token, None).await?;
        let list = reply
            .body
            .as_array()
            .ok_or(AccountError::Upstream(Upstream::Malformed))?;
        Ok(list
            .iter()
            .filter_map(|p| {
                Some(Phone {
                    id: p["id"].as_str()?.to_string(),
                    number: p["profile"]["phoneNumber"].as_str()?.to_string(),
                    verified: p["status"].as_str() == Some("VERIFIED"),
                })
            })
            .collect())
    }

    /// `POST /phones` without sending a code; answers the new phone's id.
    pub async fn add_phone(&self, token: &str, number: &str) -> Result<String, AccountError> {
        let body = json!({"profile": {"phoneNumber": number}, "sendCode": false});
        let reply = self
            .myaccount(Method::POST, "/phones", token, Some(body))
            .await?;
        reply.body["id"]
            .as_str()
            .filter(|id| valid_id(id))
            .map(str::to_string)
            .ok_or(AccountError::Upstream(Upstream::Malformed))
    }

    /// `POST /phones/{id}/challenge`: a code by SMS or call.
    pub async fn challenge_phone(
        &self,
        token: &str,
        id: &str,
        method: PhoneMethod,
    ) -> Result<(), AccountError> {
        if !valid_id(id) {
            return Err(AccountError::NotFound);
        }
        let body = json!({"method": method.okta(), "retry": false});
        self.myaccount(
            Method::POST,
            &format!("/phones/{id}/challenge"),
            token,
            Some(body),
        )
        .await
        .map(drop)
    }

    /// `POST /phones/{id}/verify` with the code.
    pub async fn verify_phone(
        &self,
        token: &str,
        id: &str,
        code: &str,
    ) -> Result<(), AccountError> {
        if !valid_id(id) {
            return Err(AccountError::NotFound);
        }
        let body = json!({"verificationCode": code});
        self.myaccount(
            Method::POST,
            &format!("/phones/{id}/verify"),
            token,
            Some(body),
        )
        .await
        .map(drop)
    }

    /// `DELETE /phones/{id}`.
    pub async fn remove_phone(&self, token: &str, id: &str) -> Result<(), AccountError> {
        if !valid_id(id) {
            return Err(AccountError::NotFound);
        }
        self.myaccount(Method::DELETE, &format!("/phones/{id}"), token, None)
            .await
            .map(drop)
    }

    /// `GET /authenticators?expand=enrollments`.
    pub async fn authenticators(&self, token: &str) -> Result<Vec<Authenticator>, AccountError> {
        let reply = self
            .myaccount(
                Method::GET,
                "/authenticators?expand=enrollments",
                token,
                None,
            )
            .await?;
        let list = reply
            .body
            .as_array()
            .ok_or(AccountError::Upstream(Upstream::Malformed))?;
        Ok(list
            .iter()
            .filter_map(|a| {
                Some(Authenticator {
                    key: a["key"].as_str()?.to_string(),
                    name: a["name"].as_str().unwrap_or_default().to_string(),
                    enrolled: a["_embedded"]["enrollments"].as_array().map_or(0, Vec::len),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_typed() {
        let reply = |status, body: Value| Reply {
            status,
            challenge: None,
            reset: None,
            body,
        };
        assert_eq!(
            error_of(&reply(403, json!({"errorCode": "E0000014"}))),
            AccountError::WrongPassword
        );
        assert_eq!(
            error_of(&reply(401, json!({"errorCode": "E0000004"}))),
            AccountError::InvalidCode
        );
        assert_eq!(
            error_of(&reply(401, json!({"errorCode": "E0000011"}))),
            AccountError::Unauthorized
        );
        assert_eq!(
            error_of(&reply(
                400,
                json!({"errorCode": "E0000001", "errorCauses": [{"errorSummary": "Invalid phone number."}]})
            )),
            AccountError::Invalid
        );
        assert!(matches!(
            error_of(&reply(
                400,
                json!({"errorCode": "E0000001", "errorCauses": [{"reason": "PASSWORD_HISTORY", "errorSummary": "last 4 passwords"}]})
            )),
            AccountError::WeakPassword(PasswordRules {
                history: Some(4),
                ..
            })
        ));
        assert_eq!(error_of(&reply(409, json!({}))), AccountError::Conflict);
        assert!(!valid_id("../x") && valid_id("sms1a2b"));
    }
}
