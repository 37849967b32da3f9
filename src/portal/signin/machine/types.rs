//! The machine's state: the steps of a flow, shaped so that illegal states cannot be
//! written down (first or second factor, app or sent code, real or decoy challenge), the
//! call a flow awaits, and its notice.

use serde::{Deserialize, Serialize};

pub use crate::method::Method;

/// Okta's `mfa_required` state: the token that lets a second factor be proven.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mfa {
    /// Okta's `mfa_token`, sent with every second-factor call (a bearer secret).
    pub mfa_token: String,
    /// The first factor when it was not the password (not offered again).
    pub first: Option<Method>,
}

/// A started out-of-band challenge.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Oob {
    /// Okta's `oob_code`, redeemed to finish the challenge (a bearer secret).
    pub oob_code: String,
    /// The number the user must tap in the push app, when Okta asks for number matching.
    pub binding_code: Option<String>,
}

// Okta's `mfa_token` and `oob_code` are bearer secrets: `{:?}` of a flow never shows them.
impl std::fmt::Debug for Mfa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mfa")
            .field("mfa_token", &"[redacted]")
            .field("first", &self.first)
            .finish()
    }
}

impl std::fmt::Debug for Oob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oob")
            .field("oob_code", &"[redacted]")
            .field("binding_code", &self.binding_code)
            .finish()
    }
}

/// A recovery's token for the MyAccount password (a bearer secret, never a session's).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryToken {
    /// The access token Okta issued for `okta.myAccount.password.manage`.
    pub access_token: String,
}

impl std::fmt::Debug for RecoveryToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryToken([redacted])")
    }
}

/// What a flow is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Intent {
    /// Signing in.
    #[default]
    SignIn,
    /// Recovering a forgotten password (`intent=recovery`): one factor, then a new password.
    Recovery,
}

/// How a flow began.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Start {
    /// With the password.
    Password,
    /// Without a password, by this method.
    Passwordless(Method),
}

/// Which factor a code or push step proves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Factor {
    /// The first (passwordless): no `mfa_token` yet.
    First,
    /// A second factor, after Okta's `mfa_required`.
    Second(Mfa),
}

impl Factor {
    /// The `mfa_token` to send with this factor's calls (`None` for the first factor).
    pub fn mfa_token(&self) -> Option<String> {
        match self {
            Factor::First => None,
            Factor::Second(mfa) => Some(mfa.mfa_token.clone()),
        }
    }
}

/// What stands behind a sent code or a push.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Issued {
    /// Okta's challenge, to redeem.
    Okta(Oob),
    /// Nothing: the username is unknown (or cannot use this method), and the step only
    /// looks like a real one so the form cannot tell who has an account.
    Decoy,
}

/// Where the code of a code step comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeSource {
    /// The user's authenticator app shows it (no challenge, nothing to resend).
    App,
    /// Okta sent it by SMS, voice or email.
    Sent {
        /// `Sms`, `Voice` or `Email`.
        method: Method,
        /// Okta's challenge, or a decoy.
        issued: Issued,
        /// When a resend is allowed again (epoch seconds).
        resend_after: i64,
        /// How many times the code was resent.
        resends: u32,
    },
}

impl CodeSource {
    /// The method that delivers the code (`Otp` for the app).
    pub fn method(&self) -> Method {
        match self {
            CodeSource::App => Method::Otp,
            CodeSource::Sent { method, .. } => *method,
        }
    }
}

/// The steps of a flow, each with what it needs and nothing it could contradict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// The first factor's call is in progress.
    Starting {
        /// How the flow began.
        start: Start,
    },
    /// Okta wants another factor: the user picks one.
    ChooseFactor {
        /// Okta's `mfa_required` state.
        mfa: Mfa,
        /// When the step expires (epoch seconds).
        deadline: i64,
    },
    /// The user types a code.
    EnterCode {
        /// Which factor the code proves.
        factor: Factor,
        /// Where the code comes from.
        source: CodeSource,
        /// Wrong codes typed so far.
        attempts: u32,
        /// When the step expires (epoch seconds).
        deadline: i64,
    },
    /// A recovery: the user picks the factor that proves it is them.
    ChooseRecovery {
        /// When the step expires (epoch seconds).
        deadline: i64,
    },
    /// A recovery's factor was proven: the user types the new password.
    NewPassword {
        /// Okta's recovery token.
        token: RecoveryToken,
        /// When the step expires (epoch seconds): the token's lifetime.
        deadline: i64,
    },
    /// Waiting for the push to be answered.
    WaitPush {
        /// Which factor the push proves.
        factor: Factor,
        /// Okta's challenge, or a decoy.
        issued: Issued,
        /// The number a decoy shows to tap (set by the service, which has the randomness;
        /// see `protection.decoy_number_challenge`).
        decoy_number: Option<String>,
        /// When the next poll may be made (epoch seconds).
        next_poll_at: i64,
        /// Seconds between polls.
        interval: i64,
        /// When the step expires (epoch seconds).
        deadline: i64,
    },
}

impl Step {
    /// When the step expires (epoch seconds); `None` while the first factor's call runs.
    pub fn deadline(&self) -> Option<i64> {
        match self {
            Step::Starting { .. } => None,
            Step::ChooseFactor { deadline, .. }
            | Step::ChooseRecovery { deadline }
            | Step::NewPassword { deadline, .. }
            | Step::EnterCode { deadline, .. }
            | Step::WaitPush { deadline, .. } => Some(*deadline),
        }
    }
}

/// The call a flow awaits the answer of, so the answer is read in context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Awaiting {
    /// The first factor's call (password, code or push start).
    FirstFactor,
    /// The start of a challenge by this method.
    Challenge(Method),
    /// A code's verification.
    Code,
    /// A code's resend.
    Resend,
    /// A push poll.
    Poll,
    /// A recovery's new password.
    Reset,
}

/// A one-line message for the user on the next page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    /// The step's deadline passed.
    Expired,
    /// The user cancelled the sign-in.
    Cancelled,
    /// The push was denied.
    Denied,
    /// A code was sent.
    CodeSent,
    /// The code was sent again.
    CodeResent,
    /// A resend is not allowed yet: wait this many seconds.
    ResendWait(i64),
    /// No more resends are allowed.
    ResendLimit,
    /// The chosen method cannot be used.
    MethodUnavailable,
    /// Too many wrong codes.
    TooManyAttempts,
    /// The user should pick another factor.
    ChooseAnother,
    /// The user signed out.
    SignedOut,
    /// The session ended (expired or revoked).
    SessionEnded,
    /// A page needs a stronger or fresher sign-in: sign in again to continue.
    ConfirmIdentity,
    /// The password was reset: sign in with the new one.
    PasswordChanged,
    /// An account change needs a fresh sign-in: sign in again and it goes on.
    ConfirmChange,
}

/// A sign-in in progress; stored server-side (sealed) in the pre-sign-in session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    /// The username typed on the sign-in page.
    pub username: String,
    /// Where to send the user once signed in.
    pub return_to: String,
    /// Whether the user asked to be remembered (a persistent session).
    pub remember: bool,
    /// The current step.
    pub step: Step,
    /// The call whose answer the flow is waiting for (`None`: no call in flight).
    pub awaiting: Option<Awaiting>,
    /// The message to show on the next page, if any.
    pub notice: Option<Notice>,
    /// The `acr_values` every call of this flow carries (Okta wants them unchanged).
    #[serde(default)]
    pub acr_values: Option<String>,
    /// Signing in, or recovering a password.
    #[serde(default)]
    pub intent: Intent,
}
