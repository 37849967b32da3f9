//! The MyAccount client's types: what a refused password broke, Okta's step-up challenge,
//! the typed errors, phones and authenticators as the portal reads them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::okta::Upstream;

/// Password-policy rules a refused password broke (Okta's `errorCauses[].reason`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordRules {
    /// One bit per [`PasswordRules::REASONS`] entry; the last bit: a reason not known here.
    pub broken: u16,
    /// The minimum length Okta named, if it did.
    pub min_length: Option<u16>,
    /// How many earlier passwords may not be reused, if Okta said.
    pub history: Option<u16>,
}

impl PasswordRules {
    /// Okta's reasons, in the order the pages list them.
    pub const REASONS: [&'static str; 7] = [
        "LENGTH_MINIMUM",
        "LOWER_CASE_REQUIRED",
        "UPPER_CASE_REQUIRED",
        "NUMBER_REQUIRED",
        "SYMBOL_REQUIRED",
        "USERNAME_INCLUDED",
        "PASSWORD_HISTORY",
    ];
    const OTHER: u16 = 1 << 15;

    /// Read from Okta's `errorCauses` (an empty or unreadable list counts as "other").
    pub fn from_causes(causes: &Value) -> PasswordRules {
        let mut rules = PasswordRules::default();
        for cause in causes.as_array().into_iter().flatten() {
            let summary = cause["errorSummary"].as_str().unwrap_or_default();
            let number = first_number(summary);
            match cause["reason"].as_str() {
                Some(reason) => match Self::REASONS.iter().position(|r| *r == reason) {
                    Some(i) => {
                        rules.broken |= 1 << i;
                        match i {
                            0 => rules.min_length = number,
                            6 => rules.history = number,
                            _ => {}
                        }
                    }
                    None => rules.broken |= Self::OTHER,
                },
                None => rules.broken |= Self::OTHER,
            }
        }
        if rules.broken == 0 {
            rules.broken = Self::OTHER;
        }
        rules
    }

    /// The broken reasons, in order (`"OTHER"` for one not known here).
    pub fn reasons(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Self::REASONS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.broken & (1 << i) != 0)
            .map(|(_, r)| *r)
            .collect();
        if self.broken & Self::OTHER != 0 {
            out.push("OTHER");
        }
        out
    }
}

fn first_number(text: &str) -> Option<u16> {
    let digits: String = text
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// What Okta asked for when it refused a write because the sign-in is too old or weak.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepUpChallenge {
    /// The largest acceptable age of the authentication (seconds), if said.
    pub max_age: Option<i64>,
    /// The `acr_values` to sign in with, if said.
    pub acr_values: Option<String>,
}

/// Why a MyAccount call did not succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountError {
    /// `insufficient_authentication_context`: sign in again as Okta asks, then retry.
    StepUp(StepUpChallenge),
    /// A new password the policy refuses.
    WeakPassword(PasswordRules),
    /// Any other validation failure (`400 E0000001`: a bad phone number, method …).
    Invalid,
    /// The current password is wrong (`403 E0000014`).
    WrongPassword,
    /// A wrong verification code (`401 E0000004`).
    InvalidCode,
    /// A conflict (`409 E0000157`): already in use, or no challenge to verify.
    Conflict,
    /// No such resource (`404`).
    NotFound,
    /// The token is not accepted (invalid, expired, revoked) or lacks the scope.
    Unauthorized,
    /// Okta's rate limit (epoch seconds of its reset, when said).
    RateLimited(Option<i64>),
    /// Not sent: this instance's ceiling held it back until then (epoch seconds).
    HeldBack(i64),
    /// Okta could not be used.
    Upstream(Upstream),
}

impl AccountError {
    /// A short label for logs and metrics.
    pub fn label(&self) -> &'static str {
        match self {
            AccountError::StepUp(_) => "step_up",
            AccountError::WeakPassword(_) => "weak_password",
            AccountError::Invalid => "invalid",
            AccountError::WrongPassword => "wrong_password",
            AccountError::InvalidCode => "invalid_code",
            AccountError::Conflict => "conflict",
            AccountError::NotFound => "not_found",
            AccountError::Unauthorized => "unauthorized",
            AccountError::RateLimited(_) => "rate_limited",
            AccountError::HeldBack(_) => "held_back",
            AccountError::Upstream(_) => "upstream_error",
        }
    }
}

/// One of the user's phones (`GET /idp/myaccount/phones`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// Okta's id of the phone.
    pub id: String,
    /// The number, E.164.
    pub number: String,
    /// Whether it has been verified (`VERIFIED`), i.e. is a sign-in factor.
    pub verified: bool,
}

/// One of the org's authenticators and whether the user has it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authenticator {
    /// Okta's key (`okta_password`, `phone_number`, `okta_email`, `google_otp`, `okta_verify`).
    pub key: String,
    /// Its display name.
    pub name: String,
    /// How many enrollments the user has.
    pub enrolled: usize,
}

/// `"sms"` or `"voice"`: how a phone receives its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhoneMethod {
    /// A text message.
    Sms,
    /// A call.
    Voice,
}

impl PhoneMethod {
    /// Its name in MyAccount calls (`SMS`, `CALL`).
    pub fn okta(self) -> &'static str {
        match self {
            PhoneMethod::Sms => "SMS",
            PhoneMethod::Voice => "CALL",
        }
    }
}

/// The challenge header's parameters (`max_age=900, acr_values="…"`), when the error is
/// `insufficient_authentication_context`.
pub fn parse_challenge_header(header: &str) -> Option<StepUpChallenge> {
    if !header.contains("insufficient_authentication_context") {
        return None;
    }
    let param = |name: &str| -> Option<String> {
        let at = header.find(&format!("{name}="))? + name.len() + 1;
        let rest = &header[at..];
        let value = match rest.strip_prefix('"') {
            Some(quoted) => &quoted[..quoted.find('"')?],
            None => rest.split([',', ' ']).next().unwrap_or_default(),
        };
        (!value.is_empty()).then(|| value.to_string())
    };
    Some(StepUpChallenge {
        max_age: param("max_age").and_then(|v| v.parse().ok()),
        acr_values: param("acr_values").filter(|v| v.len() <= 256),
    })
}

/// An Okta id is safe to put in a path: letters and digits only, bounded.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_step_up_challenge_is_read_from_the_header() {
        let h = r#"Bearer realm="IdpMyAccountAPI", error="insufficient_authentication_context", error_description="The access token requires additional assurance to access the resource", max_age=900, acr_values="urn:okta:loa:2fa:any:ifpossible""#;
        assert_eq!(
            parse_challenge_header(h),
            Some(StepUpChallenge {
                max_age: Some(900),
                acr_values: Some("urn:okta:loa:2fa:any:ifpossible".into()),
            })
        );
        let bare = r#"Bearer realm="IdpMyAccountAPI", error="insufficient_authentication_context", max_age=900"#;
        assert_eq!(parse_challenge_header(bare).unwrap().acr_values, None);
        assert_eq!(
            parse_challenge_header(r#"Bearer error="insufficient_scope""#),
            None
        );
    }

    #[test]
    fn policy_causes_are_read_into_rules() {
        let causes = json!([
            {"reason": "LENGTH_MINIMUM", "errorSummary": "password: Passwords must be at least 8 characters in length"},
            {"reason": "NUMBER_REQUIRED", "errorSummary": "x"},
            {"reason": "SOMETHING_NEW"},
        ]);
        let rules = PasswordRules::from_causes(&causes);
        assert_eq!(
            rules.reasons(),
            vec!["LENGTH_MINIMUM", "NUMBER_REQUIRED", "OTHER"]
        );
        assert_eq!(rules.min_length, Some(8));
        assert_eq!(
            PasswordRules::from_causes(&json!(null)).reasons(),
            vec!["OTHER"]
        );
    }
}
