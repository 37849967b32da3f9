//! Reading Okta's answers into an [`Answer`]: both error body shapes (protocol reference
//! §2.3) interpreted by the kind of call, token responses (the ID token validated), and
//! challenge responses (parsed leniently but safely). Unknown fields are ignored.

use serde_json::Value;

use super::{
    idtoken, numbers, Answer, BindingMethod, Challenge, Endpoints, OktaClient, TokenSet, Upstream,
};
use crate::config::Secret;

/// Which kind of call an answer belongs to: Okta's `invalid_grant` and `access_denied`
/// mean different things for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CallKind {
    Password,
    PasswordlessStart,
    Code,
    Poll,
    Challenge,
    Refresh,
}

/// Okta's error body in either shape (protocol reference §2.3).
pub(super) fn error_code(body: &Value) -> Option<&str> {
    body.get("error")
        .or_else(|| body.get("errorCode"))
        .and_then(Value::as_str)
}

/// A non-200 answer of a call of `kind`.
pub(super) fn interpret_error(
    kind: CallKind,
    status: u16,
    reset: Option<i64>,
    body: &Value,
) -> Answer {
    let code = error_code(body).unwrap_or_default();
    match (status, code) {
        (429, _) => Answer::RateLimited { reset },
        // The error code decides, whatever the status (lenient toward stand-ins).
        (_, "mfa_required") => match body["mfa_token"].as_str() {
            Some(t) if !t.is_empty() => Answer::MfaRequired {
                mfa_token: t.to_string(),
            },
            _ => Answer::Upstream(Upstream::Malformed),
        },
        (_, "authorization_pending") => Answer::AuthorizationPending,
        (_, "slow_down") => Answer::SlowDown,
        (_, "invalid_grant") => match kind {
            CallKind::Password | CallKind::PasswordlessStart => Answer::InvalidCredentials,
            CallKind::Code => Answer::InvalidCode,
            CallKind::Poll => Answer::Denied,
            CallKind::Challenge | CallKind::Refresh => Answer::Expired,
        },
        (_, "access_denied") => match kind {
            CallKind::Code | CallKind::Poll | CallKind::Refresh => Answer::Expired,
            _ => Answer::PolicyDenied,
        },
        (s, c) => Answer::Upstream(Upstream::Status(s, (!c.is_empty()).then(|| c.to_string()))),
    }
}

impl OktaClient {
    /// A successful token response, its ID token validated.
    pub(super) async fn token_set(
        &self,
        endpoints: &Endpoints,
        body: Value,
    ) -> Result<TokenSet, Upstream> {
        let text = |k: &str| {
            body[k]
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let access = text("access_token").ok_or(Upstream::Malformed)?;
        let id_token = text("id_token").ok_or(Upstream::Malformed)?;
        let claims = idtoken::validate(
            &self.keys,
            &self.http,
            &endpoints.jwks_uri,
            &id_token,
            &idtoken::Expectations {
                issuer: &endpoints.issuer,
                client_id: &self.client_id,
                access_token: Some(&access),
                clock: &self.clock,
                groups_claim: &self.groups_claim,
            },
        )
        .await?;
        Ok(TokenSet {
            access_token: Secret::new(access),
            refresh_token: text("refresh_token").map(Secret::new),
            id_token: Secret::new(id_token),
            expires_in: numbers::access_token_lifetime(&body["expires_in"]),
            scope: text("scope").unwrap_or_default(),
            claims,
        })
    }
}

/// A recovery flow's token response: the access token only (no ID token is asked for).
pub(super) fn recovery_token(body: &Value) -> Answer {
    match body["access_token"].as_str().filter(|s| !s.is_empty()) {
        Some(token) => Answer::Recovered {
            access_token: Secret::new(token.to_string()),
            expires_in: numbers::access_token_lifetime(&body["expires_in"]),
        },
        None => Answer::Upstream(Upstream::Malformed),
    }
}

/// A successful `/challenge` or `/primary-authenticate` answer: `None` when it cannot be
/// used safely (no `oob_code`, an unknown channel or binding, a transfer without a code).
pub(super) fn parse_challenge(body: &Value, requested_channel: &str) -> Option<Challenge> {
    let oob_code = body["oob_code"]
        .as_str()
        .filter(|s| !s.is_empty())?
        .to_string();
    let channel = body["channel"]
        .as_str()
        .unwrap_or(requested_channel)
        .to_string();
    if !["push", "sms", "voice", "email"].contains(&channel.as_str()) {
        return None;
    }
    let binding_method = match body["binding_method"].as_str() {
        Some("none") => BindingMethod::None,
        Some("transfer") => BindingMethod::Transfer,
        Some("prompt") => BindingMethod::Prompt,
        // Lenient: infer from the channel when absent.
        None if channel == "push" => BindingMethod::None,
        None => BindingMethod::Prompt,
        Some(_) => return None,
    };
    let binding_code = match &body["binding_code"] {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    if binding_method == BindingMethod::Transfer && binding_code.is_none() {
        return None;
    }
    Some(Challenge {
        oob_code,
        expires_in: numbers::challenge_lifetime(&body["expires_in"]),
        interval: numbers::poll_interval(&body["interval"]),
        channel,
        binding_method,
        binding_code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_are_interpreted_by_call_kind() {
        let grant = json!({"error": "invalid_grant"});
        assert!(matches!(
            interpret_error(CallKind::Password, 400, None, &grant),
            Answer::InvalidCredentials
        ));
        assert!(matches!(
            interpret_error(CallKind::Code, 400, None, &grant),
            Answer::InvalidCode
        ));
        assert!(matches!(
            interpret_error(CallKind::Poll, 400, None, &grant),
            Answer::Denied
        ));
        let denied = json!({"error": "access_denied"});
        assert!(matches!(
            interpret_error(CallKind::Poll, 403, None, &denied),
            Answer::Expired
        ));
        assert!(matches!(
            interpret_error(CallKind::Password, 403, None, &denied),
            Answer::PolicyDenied
        ));
        let org = json!({"errorCode": "E0000047"});
        assert!(matches!(
            interpret_error(CallKind::Password, 429, Some(9), &org),
            Answer::RateLimited { reset: Some(9) }
        ));
        let five = json!({"errorCode": "E0000009"});
        assert!(matches!(
            interpret_error(CallKind::Code, 503, None, &five),
            Answer::Upstream(Upstream::Status(503, Some(_)))
        ));
        let pending = json!({"error": "authorization_pending"});
        assert!(matches!(
            interpret_error(CallKind::Poll, 401, None, &pending),
            Answer::AuthorizationPending
        ));
        let mfa_400 = json!({"error": "mfa_required", "mfa_token": "m"});
        assert!(matches!(
            interpret_error(CallKind::Password, 400, None, &mfa_400),
            Answer::MfaRequired { .. }
        ));
        let mfa = json!({"error": "mfa_required"});
        assert!(matches!(
            interpret_error(CallKind::Password, 403, None, &mfa),
            Answer::Upstream(Upstream::Malformed)
        ));
    }

    #[test]
    fn challenges_are_parsed_leniently_but_safely() {
        let c = parse_challenge(&json!({"oob_code": "x", "channel": "push", "binding_method": "transfer", "binding_code": 37, "interval": 5, "extra": 1}), "push").unwrap();
        assert_eq!(c.binding_code.as_deref(), Some("37"));
        assert_eq!(c.expires_in, 300);
        assert!(parse_challenge(
            &json!({"oob_code": "x", "channel": "push", "binding_method": "transfer"}),
            "push"
        )
        .is_none());
        assert!(parse_challenge(&json!({"oob_code": "x", "channel": "fax"}), "push").is_none());
        assert!(parse_challenge(
            &json!({"oob_code": "x", "channel": "sms", "binding_method": "magic"}),
            "sms"
        )
        .is_none());
        let sms = parse_challenge(&json!({"oob_code": "x"}), "sms").unwrap();
        assert_eq!(sms.binding_method, BindingMethod::Prompt);
        let strings = parse_challenge(
            &json!({"oob_code": "x", "channel": "push", "expires_in": "120", "interval": "3"}),
            "push",
        )
        .unwrap();
        assert_eq!((strings.expires_in, strings.interval), (120, Some(3)));
    }

    #[test]
    fn challenge_numbers_out_of_range_are_clamped() {
        let huge = parse_challenge(
            &json!({"oob_code": "x", "channel": "push", "expires_in": 18446744073709551615u64, "interval": "-5"}),
            "push",
        )
        .unwrap();
        assert_eq!((huge.expires_in, huge.interval), (3600, Some(1)));
        let wrapping = parse_challenge(
            &json!({"oob_code": "x", "channel": "push", "expires_in": i64::MAX, "interval": i64::MAX}),
            "push",
        )
        .unwrap();
        assert_eq!((wrapping.expires_in, wrapping.interval), (3600, Some(60)));
        let negative = parse_challenge(
            &json!({"oob_code": "x", "channel": "sms", "expires_in": -300}),
            "sms",
        )
        .unwrap();
        assert_eq!((negative.expires_in, negative.interval), (1, None));
    }
}
