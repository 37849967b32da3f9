//! The ways to prove who you are besides the password, as configuration
//! (`signin.passwordless`, `signin.second_factors`) and the sign-in flow name them. A
//! neutral module, so the configuration does not import portal code.

use serde::{Deserialize, Serialize};

/// A way to prove who you are, besides the password.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// A code from an authenticator app (TOTP).
    Otp,
    /// An Okta Verify push.
    Push,
    /// A code sent by SMS.
    Sms,
    /// A code read out by a voice call.
    Voice,
    /// A code sent by email.
    Email,
}

impl Method {
    /// Every method, in the contract's order (also the default of `signin.passwordless` and
    /// `signin.second_factors`).
    pub const ALL: [Method; 5] = [
        Method::Otp,
        Method::Push,
        Method::Sms,
        Method::Voice,
        Method::Email,
    ];

    /// The method named `s` (`otp`, `push`, `sms`, `voice`, `email`), as configuration and forms
    /// spell it.
    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The method's name (`otp`, `push`, `sms`, `voice`, `email`).
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
