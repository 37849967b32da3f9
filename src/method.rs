//! The ways to prove who you are besides the password, as configuration
//! (`signin.passwordless`, `signin.second_factors`) and the sign-in flow name them. A
//! neutral module, so the configuration does not import portal code.

use serde::{Deserialize, Serialize};

/// A way to prove who you are, besides the password.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Otp,
    Push,
    Sms,
    Voice,
    Email,
}

impl Method {
    pub const ALL: [Method; 5] = [
        Method::Otp,
        Method::Push,
        Method::Sms,
        Method::Voice,
        Method::Email,
    ];

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Otp => "otp",
            Method::Push => "push",
            Method::Sms => "sms",
            Method::Voice => "voice",
            Method::Email => "email",
        }
    }

    /// Okta's `channel_hint`; `None` for an OTP app (no challenge needed).
    pub fn channel(self) -> Option<&'static str> {
        match self {
            Method::Otp => None,
            m => Some(m.as_str()),
        }
    }

    /// Codes the user types: digits, except email codes which may be alphanumeric.
    pub fn code_is_numeric(self) -> bool {
        self != Method::Email
    }
}
