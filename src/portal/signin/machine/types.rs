//! The machine's vocabulary: the methods, the steps of a flow (shaped so that illegal
//! states cannot be written down), the events that move it, the calls it asks for and
//! what it tells the service to do.

use serde::{Deserialize, Serialize};

use crate::okta::{Answer, TokenSet, Upstream};

pub use crate::method::Method;

/// Okta's `mfa_required` state: the token that lets a second factor be proven.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mfa {
    pub mfa_token: String,
    /// The first factor when it was not the password (not offered again).
    pub first: Option<Method>,
}

/// A started out-of-band challenge.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Oob {
    pub oob_code: String,
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

/// How a flow began.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Start {
    Password,
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
        issued: Issued,
        resend_after: i64,
        resends: u32,
    },
}

impl CodeSource {
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
    Starting { start: Start },
    /// Okta wants another factor: the user picks one.
    ChooseFactor { mfa: Mfa, deadline: i64 },
    /// The user types a code.
    EnterCode {
        factor: Factor,
        source: CodeSource,
        attempts: u32,
        deadline: i64,
    },
    /// Waiting for the push to be answered.
    WaitPush {
        factor: Factor,
        issued: Issued,
        /// The number a decoy shows to tap (set by the service, which has the randomness;
        /// see `protection.decoy_number_challenge`).
        decoy_number: Option<String>,
        next_poll_at: i64,
        interval: i64,
        deadline: i64,
    },
}

impl Step {
    pub fn deadline(&self) -> Option<i64> {
        match self {
            Step::Starting { .. } => None,
            Step::ChooseFactor { deadline, .. }
            | Step::EnterCode { deadline, .. }
            | Step::WaitPush { deadline, .. } => Some(*deadline),
        }
    }
}

/// The call a flow awaits the answer of, so the answer is read in context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Awaiting {
    FirstFactor,
    Challenge(Method),
    Code,
    Resend,
    Poll,
}

/// A one-line message for the user on the next page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    Expired,
    Cancelled,
    Denied,
    CodeSent,
    CodeResent,
    ResendWait(i64),
    ResendLimit,
    MethodUnavailable,
    TooManyAttempts,
    ChooseAnother,
    SignedOut,
    SessionEnded,
}

/// A sign-in in progress; stored server-side (sealed) in the pre-sign-in session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    pub username: String,
    pub return_to: String,
    pub remember: bool,
    pub step: Step,
    pub awaiting: Option<Awaiting>,
    pub notice: Option<Notice>,
}

pub enum Event {
    SubmitPassword {
        username: String,
        password: String,
        return_to: String,
        remember: bool,
    },
    StartPasswordless {
        username: String,
        method: Method,
        return_to: String,
        remember: bool,
    },
    ChooseFactor(Method),
    SubmitCode(String),
    Resend,
    Poll,
    SwitchFactor,
    Cancel,
    Answer(Answer),
}

/// A call to Okta for the service layer to perform.
#[derive(PartialEq, Eq)]
pub enum Call {
    Password {
        username: String,
        password: String,
    },
    PrimaryOtp {
        username: String,
        otp: String,
    },
    PrimaryAuthenticate {
        username: String,
        channel: &'static str,
    },
    Challenge {
        mfa_token: String,
        channel: Option<&'static str>,
    },
    MfaOtp {
        mfa_token: String,
        otp: String,
    },
    RedeemOob {
        mfa_token: Option<String>,
        oob_code: String,
        binding_code: Option<String>,
    },
}

// Events and calls carry passwords, codes and Okta's tokens: their `{:?}` is the variant
// only, so no log line or panic message can ever show one.
impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Event::SubmitPassword { .. } => "SubmitPassword",
            Event::StartPasswordless { .. } => "StartPasswordless",
            Event::ChooseFactor(_) => "ChooseFactor",
            Event::SubmitCode(_) => "SubmitCode",
            Event::Resend => "Resend",
            Event::Poll => "Poll",
            Event::SwitchFactor => "SwitchFactor",
            Event::Cancel => "Cancel",
            Event::Answer(_) => "Answer",
        })
    }
}

impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Call::Password { .. } => "Password",
            Call::PrimaryOtp { .. } => "PrimaryOtp",
            Call::PrimaryAuthenticate { .. } => "PrimaryAuthenticate",
            Call::Challenge { .. } => "Challenge",
            Call::MfaOtp { .. } => "MfaOtp",
            Call::RedeemOob { .. } => "RedeemOob",
        })
    }
}

/// Why a submitted form is shown again with a 4xx.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    InvalidCredentials,
    InvalidCode,
    /// The input is not well-formed (empty, too long, wrong characters).
    BadInput(&'static str),
    /// The event does not apply to the current step.
    OutOfStep,
}

/// Why the user gets an error page (the flow is kept as it was).
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    RateLimited {
        reset: Option<i64>,
    },
    /// This instance's ceiling toward Okta held the call back (epoch seconds).
    HeldBack {
        until: i64,
    },
    Upstream(Upstream),
    /// Okta's policy refuses this way of signing in.
    PolicyDenied,
    /// The flow and the answer it got do not fit together (a bug or a corrupted flow,
    /// not Okta's fault).
    Internal,
}

#[derive(Debug)]
pub enum Effect {
    Call(Call),
    /// Show the page of the flow's current step.
    Show,
    Complete {
        tokens: Box<TokenSet>,
        return_to: String,
        remember: bool,
    },
    /// The flow is over; back to the sign-in page with the username kept.
    Restart {
        username: String,
        notice: Notice,
    },
    Reject(Rejection),
    Fail(Failure),
}

#[derive(Debug)]
pub struct Transition {
    pub flow: Option<Flow>,
    pub effect: Effect,
}

/// A page of the sign-in process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Signin,
    Factor,
    Verify,
    Wait,
}

impl Page {
    /// Its path (product.md §3).
    pub fn path(self) -> &'static str {
        match self {
            Page::Signin => "/signin",
            Page::Factor => "/signin/factor",
            Page::Verify => "/signin/verify",
            Page::Wait => "/signin/wait",
        }
    }

    /// Where a visitor with this flow (or none) belongs.
    pub fn of(flow: Option<&Flow>) -> Page {
        flow.map_or(Page::Signin, |f| page_of(&f.step))
    }
}

/// The page that shows `step`.
pub fn page_of(step: &Step) -> Page {
    match step {
        Step::Starting { .. } => Page::Signin,
        Step::ChooseFactor { .. } => Page::Factor,
        Step::EnterCode { .. } => Page::Verify,
        Step::WaitPush { .. } => Page::Wait,
    }
}
