//! What a call to Okta can come to, as the rest of the portal sees it. Okta reuses
//! `invalid_grant` and `access_denied` for several situations; the client interprets them
//! by the kind of call (a wrong password, a wrong code and a rejected push are all
//! `invalid_grant`), so callers never look at raw error strings.

use std::fmt;

use crate::config::Secret;

/// Tokens from a successful grant, with the validated ID token's claims.
pub struct TokenSet {
    /// The access token, for `/userinfo` and revocation.
    pub access_token: Secret,
    /// Present when the `offline_access` scope was granted.
    pub refresh_token: Option<Secret>,
    /// The ID token as received (validated).
    pub id_token: Secret,
    /// Access-token lifetime in seconds.
    pub expires_in: i64,
    /// The scopes granted, space-separated.
    pub scope: String,
    /// The validated ID token's claims.
    pub claims: IdClaims,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .field("sub", &self.claims.sub)
            .finish_non_exhaustive()
    }
}

/// The ID-token claims the portal uses.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct IdClaims {
    /// The user's Okta ID.
    pub sub: String,
    /// The user's display name.
    #[serde(default)]
    pub name: Option<String>,
    /// The user's email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether Okta has verified `email` (`None`: not said).
    #[serde(default)]
    pub email_verified: Option<bool>,
    /// The user's Okta login.
    #[serde(default)]
    pub preferred_username: Option<String>,
    /// How the user authenticated (`pwd`, `otp`, `sms`, `swk` …).
    #[serde(default)]
    pub amr: Vec<String>,
    /// The user's groups, from the claim `okta.groups_claim` names (filled in after
    /// decoding, as the name is configured).
    #[serde(skip)]
    pub groups: Vec<String>,
    /// When the user authenticated (epoch seconds), if sent.
    #[serde(default)]
    pub auth_time: Option<i64>,
    /// Okta always sends it; a stand-in that does not is not refused for it.
    #[serde(default)]
    pub iat: i64,
    /// When the ID token expires (epoch seconds).
    pub exp: i64,
}

/// How an OOB challenge binds the user's answer (protocol reference §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BindingMethod {
    /// Just poll.
    None,
    /// Show `binding_code`; the user taps it in Okta Verify; poll.
    Transfer,
    /// The user types the code they received; redeem once.
    Prompt,
}

/// A started OOB challenge (from `/primary-authenticate` or `/challenge`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Challenge {
    /// Identifies the challenge when redeeming or polling it.
    pub oob_code: String,
    /// Seconds until the challenge expires.
    pub expires_in: i64,
    /// Seconds between polls (push); absent for prompt channels.
    pub interval: Option<i64>,
    /// `push`, `sms`, `voice` or `email`.
    pub channel: String,
    /// How the user's answer is bound to the challenge.
    pub binding_method: BindingMethod,
    /// The number to show for a transfer binding.
    pub binding_code: Option<String>,
}

/// Why Okta could not be used; the detail is for logs, never for pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upstream {
    /// Okta did not answer in time.
    Timeout,
    /// No connection to Okta.
    Connect,
    /// 5xx or an unexpected status, with Okta's error code when it sent one.
    Status(u16, Option<String>),
    /// A body that is not the JSON we expect.
    Malformed,
    /// An ID token that failed validation.
    InvalidIdToken(String),
    /// Discovery has not succeeded yet.
    NotReady,
}

impl fmt::Display for Upstream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Upstream::Timeout => f.write_str("timeout"),
            Upstream::Connect => f.write_str("connection failed"),
            Upstream::Status(s, Some(code)) => write!(f, "status {s} ({code})"),
            Upstream::Status(s, None) => write!(f, "status {s}"),
            Upstream::Malformed => f.write_str("malformed response"),
            Upstream::InvalidIdToken(why) => write!(f, "invalid ID token: {why}"),
            Upstream::NotReady => f.write_str("discovery not complete"),
        }
    }
}

/// The result of one call to Okta's token, `/challenge` or `/primary-authenticate` endpoint.
#[derive(Debug)]
pub enum Answer {
    /// Signed in: the tokens, their ID token validated.
    Tokens(Box<TokenSet>),
    /// The first factor was right; a second one is needed.
    MfaRequired {
        /// Names the sign-in for `/challenge` and the MFA grants.
        mfa_token: String,
    },
    /// A challenge was sent.
    Challenge(Challenge),
    /// `/challenge` answered that the client should now send an OTP (no OOB).
    OtpExpected,
    /// The push is not answered yet: poll again.
    AuthorizationPending,
    /// Polling too often: lengthen the interval.
    SlowDown,
    /// The user rejected the push.
    Denied,
    /// The `mfa_token` or `oob_code` expired or was used: start over.
    Expired,
    /// Wrong username or password (or unknown, locked, suspended: Okta does not say).
    InvalidCredentials,
    /// Wrong one-time code.
    InvalidCode,
    /// The policy cannot be satisfied this way (or the user is not enrolled).
    PolicyDenied,
    /// Okta's rate limit; `reset` is epoch seconds when known.
    RateLimited {
        /// When Okta's limit resets (epoch seconds); `None`: not said.
        reset: Option<i64>,
    },
    /// Not sent: this instance's ceiling toward Okta held the call back (Okta was not
    /// asked, so this is not Okta's rate limit). Calls pass again at `until`, epoch seconds.
    HeldBack {
        /// When calls may pass again (epoch seconds).
        until: i64,
    },
    /// A recovery flow's factor was proven: a token for the MyAccount password only
    /// (no ID token, no refresh token; never a session's).
    Recovered {
        /// The recovery access token.
        access_token: Secret,
        /// Its lifetime in seconds.
        expires_in: i64,
    },
    /// MyAccount replaced the password.
    PasswordChanged,
    /// MyAccount refused the new password: the policy rules it breaks.
    PasswordRejected(crate::okta::PasswordRules),
    /// Okta could not be used.
    Upstream(Upstream),
}

impl Answer {
    /// A short label for metrics and audit logs.
    pub fn label(&self) -> &'static str {
        match self {
            Answer::Tokens(_) => "tokens",
            Answer::MfaRequired { .. } => "mfa_required",
            Answer::Challenge(_) => "challenge",
            Answer::OtpExpected => "otp_expected",
            Answer::AuthorizationPending => "pending",
            Answer::SlowDown => "slow_down",
            Answer::Denied => "denied",
            Answer::Expired => "expired",
            Answer::InvalidCredentials => "invalid_credentials",
            Answer::InvalidCode => "invalid_code",
            Answer::PolicyDenied => "policy_denied",
            Answer::RateLimited { .. } => "rate_limited",
            Answer::HeldBack { .. } => "held_back",
            Answer::Recovered { .. } => "recovered",
            Answer::PasswordChanged => "password_changed",
            Answer::PasswordRejected(_) => "password_rejected",
            Answer::Upstream(_) => "upstream_error",
        }
    }
}
