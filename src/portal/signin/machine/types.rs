//! The machine's vocabulary: the methods, the steps of a flow (shaped so that illegal
//! states cannot be written down), the events that move it, the calls it asks for and
//! what it tells the service to do.

use serde::{Deserialize, Serialize};

use crate::okta::{Answer, TokenSet, Upstream};

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
}

/// What moves a flow: a user's action or Okta's answer to a call.
pub enum Event {
    /// The sign-in form, with a password.
    SubmitPassword {
        /// The username typed.
        username: String,
        /// The password typed.
        password: String,
        /// Where to go once signed in.
        return_to: String,
        /// Whether to remember the user.
        remember: bool,
    },
    /// The sign-in form, passwordless by a method.
    StartPasswordless {
        /// The username typed.
        username: String,
        /// The chosen first factor.
        method: Method,
        /// Where to go once signed in.
        return_to: String,
        /// Whether to remember the user.
        remember: bool,
    },
    /// The user picked a second factor.
    ChooseFactor(Method),
    /// The user typed a code.
    SubmitCode(String),
    /// The user asked for the code again.
    Resend,
    /// The wait page polls the push.
    Poll,
    /// The user wants another factor.
    SwitchFactor,
    /// The user cancels the sign-in.
    Cancel,
    /// Okta's answer to the awaited call.
    Answer(Answer),
}

/// A call to Okta for the service layer to perform.
#[derive(PartialEq, Eq)]
pub enum Call {
    /// Resource-owner password grant.
    Password {
        /// The username.
        username: String,
        /// The password.
        password: String,
    },
    /// A passwordless sign-in with an authenticator app's code.
    PrimaryOtp {
        /// The username.
        username: String,
        /// The one-time code.
        otp: String,
    },
    /// Start a passwordless out-of-band challenge (`primary-authenticate`).
    PrimaryAuthenticate {
        /// The username.
        username: String,
        /// Okta's channel name (`sms`, `voice`, `email`, `push`).
        channel: &'static str,
    },
    /// Start a second-factor challenge.
    Challenge {
        /// Okta's `mfa_token`.
        mfa_token: String,
        /// Okta's `channel_hint` for an out-of-band challenge; `None` asks for an OTP challenge
        /// (the machine does not send this today: an app code needs no challenge).
        channel: Option<&'static str>,
    },
    /// A second factor proven by an authenticator app's code.
    MfaOtp {
        /// Okta's `mfa_token`.
        mfa_token: String,
        /// The one-time code.
        otp: String,
    },
    /// Redeem an out-of-band challenge (a sent code or a push).
    RedeemOob {
        /// Okta's `mfa_token`; `None` for a first factor.
        mfa_token: Option<String>,
        /// Okta's `oob_code`.
        oob_code: String,
        /// The code typed by the user, or `None` for a push.
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
    /// The username or the password is wrong.
    InvalidCredentials,
    /// The code is wrong.
    InvalidCode,
    /// The input is not well-formed (empty, too long, wrong characters).
    BadInput(&'static str),
    /// The event does not apply to the current step.
    OutOfStep,
}

/// Why the user gets an error page (the flow is kept as it was).
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// Okta's rate limit answered.
    RateLimited {
        /// When Okta's limit resets (epoch seconds), if it said.
        reset: Option<i64>,
    },
    /// This instance's ceiling toward Okta held the call back (epoch seconds).
    HeldBack {
        /// When the call may be made again (epoch seconds).
        until: i64,
    },
    /// Okta failed or could not be reached.
    Upstream(Upstream),
    /// Okta's policy refuses this way of signing in.
    PolicyDenied,
    /// The flow and the answer it got do not fit together (a bug or a corrupted flow,
    /// not Okta's fault).
    Internal,
}

/// What the service must do after a transition.
#[derive(Debug)]
pub enum Effect {
    /// Make this call to Okta, then feed the answer back.
    Call(Call),
    /// Show the page of the flow's current step.
    Show,
    /// Signed in: open the session and go to `return_to`.
    Complete {
        /// The tokens Okta issued.
        tokens: Box<TokenSet>,
        /// Where to send the user.
        return_to: String,
        /// Whether the session is persistent.
        remember: bool,
    },
    /// The flow is over; back to the sign-in page with the username kept.
    Restart {
        /// The username to prefill.
        username: String,
        /// The message to show.
        notice: Notice,
    },
    /// Show the form again with a 4xx.
    Reject(Rejection),
    /// Show an error page.
    Fail(Failure),
}

/// The outcome of one event: the flow as it now stands and what to do.
#[derive(Debug)]
pub struct Transition {
    /// The flow to keep (`None`: the flow is over and is dropped).
    pub flow: Option<Flow>,
    /// What the service does next.
    pub effect: Effect,
}

/// A page of the sign-in process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// The sign-in page (`/signin`).
    Signin,
    /// The second-factor choice (`/signin/factor`).
    Factor,
    /// The code entry (`/signin/verify`).
    Verify,
    /// The push wait (`/signin/wait`).
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
