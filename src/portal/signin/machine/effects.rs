//! What moves a flow and what the machine answers: the events, the calls to Okta it asks
//! for, the effects for the service to perform, and the pages of the sign-in process.

use super::types::{Flow, Method, Notice, Step};
use crate::okta::{Answer, TokenSet, Upstream};

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
        /// What Okta is asked for besides (a step-up's `urn:okta:loa:2fa:any`).
        acr_values: Option<String>,
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
        /// What Okta is asked for besides (a step-up's `urn:okta:loa:2fa:any`).
        acr_values: Option<String>,
    },
    /// The recovery form: who forgot their password.
    StartRecovery {
        /// The username typed.
        username: String,
    },
    /// The user picked a second factor (or a recovery factor).
    ChooseFactor(Method),
    /// A recovery's new password, typed twice and matching.
    SubmitNewPassword(String),
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
    /// A recovery's new password, with its recovery token (MyAccount).
    ResetPassword {
        /// The recovery token.
        token: String,
        /// The new password.
        password: String,
    },
}

// Events and calls carry passwords, codes and Okta's tokens: their `{:?}` is the variant
// only, so no log line or panic message can ever show one.
impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Event::SubmitPassword { .. } => "SubmitPassword",
            Event::StartPasswordless { .. } => "StartPasswordless",
            Event::StartRecovery { .. } => "StartRecovery",
            Event::ChooseFactor(_) => "ChooseFactor",
            Event::SubmitNewPassword(_) => "SubmitNewPassword",
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
            Call::ResetPassword { .. } => "ResetPassword",
        })
    }
}

/// Why a submitted form is shown again with a 4xx.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// The new password breaks these rules of Okta's password policy.
    WeakPassword(crate::okta::PasswordRules),
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
    /// The password was reset: back to the sign-in page to sign in with it.
    Recovered {
        /// The username, to prefill.
        username: String,
        /// The recovery token, revoked now that it has served.
        token: String,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Page {
    /// The sign-in page (`/signin`).
    Signin,
    /// The second-factor choice (`/signin/factor`).
    Factor,
    /// The code entry (`/signin/verify`).
    Verify,
    /// The push wait (`/signin/wait`).
    Wait,
    /// The recovery form (`/recover`).
    Recover,
    /// A recovery's new password (`/recover/password`).
    NewPassword,
}

impl Page {
    /// Its path (product.md §3).
    pub fn path(self) -> &'static str {
        match self {
            Page::Signin => "/signin",
            Page::Factor => "/signin/factor",
            Page::Verify => "/signin/verify",
            Page::Wait => "/signin/wait",
            Page::Recover => "/recover",
            Page::NewPassword => "/recover/password",
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
        Step::ChooseFactor { .. } | Step::ChooseRecovery { .. } => Page::Factor,
        Step::NewPassword { .. } => Page::NewPassword,
        Step::EnterCode { .. } => Page::Verify,
        Step::WaitPush { .. } => Page::Wait,
    }
}
