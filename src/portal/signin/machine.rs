//! The sign-in state machine: a plain enum and a transition function that takes an event
//! and `now` and returns the next state and the effect to perform (call Okta, show the
//! step's page, complete, restart, reject the submitted form, or fail). No Rocket, no
//! HTTP, no clock: the service layer performs calls and feeds their outcomes back as
//! [`Event::Answer`].
//!
//! Invariants:
//! - a password lives only in the event and the call it produces, never in a [`Flow`];
//! - `mfa_token`, `oob_code` and tokens live only in the flow, which stays on the server;
//! - an unknown username in a passwordless start is indistinguishable from a known one up
//!   to the code step (a decoy step with no Okta challenge behind it);
//! - every step has a deadline; past it, any event restarts the flow (username kept).

use serde::{Deserialize, Serialize};

use crate::okta::{BindingMethod, Challenge, Outcome, TokenSet, Upstream};

/// Seconds before a new SMS, call or email may be requested (Okta allows one per 30 s).
pub const RESEND_COOLDOWN: i64 = 30;
/// Wrong codes accepted in one step before the flow restarts.
pub const MAX_CODE_ATTEMPTS: u32 = 5;
/// New codes one flow may ask for.
pub const MAX_RESENDS: u32 = 5;
/// Deadline of steps whose Okta lifetime is not published (`mfa_token`).
pub const MFA_STEP_TTL: i64 = 300;
/// Push polling interval when Okta does not send one.
pub const DEFAULT_INTERVAL: i64 = 5;

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

/// The `mfa_required` state of a flow.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mfa {
    pub mfa_token: String,
    /// The first factor when it was not the password.
    pub first: Option<Method>,
}

/// A started OOB challenge. `None` where a flow holds an `Option<Oob>` means a decoy.
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// The first factor's call is in progress (`None`: password).
    Starting { method: Option<Method> },
    /// Okta wants another factor: the user picks one.
    ChooseFactor { mfa: Mfa, deadline: i64 },
    /// The user types a code (OTP app, or one sent by SMS, voice or email).
    EnterCode {
        method: Method,
        mfa: Option<Mfa>,
        /// `None` for an OTP app or a decoy.
        oob: Option<Oob>,
        decoy: bool,
        resend_after: Option<i64>,
        #[serde(default)]
        resends: u32,
        attempts: u32,
        deadline: i64,
    },
    /// Waiting for the push to be answered (`oob` `None`: a decoy).
    WaitPush {
        mfa: Option<Mfa>,
        oob: Option<Oob>,
        /// The number a decoy shows to tap (set by the service, which has the randomness;
        /// see `protection.decoy_number_challenge`).
        #[serde(default)]
        decoy_number: Option<String>,
        next_poll_at: i64,
        interval: i64,
        deadline: i64,
    },
}

/// The call a flow is waiting for, so its answer can be read in context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pending {
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

/// A sign-in in progress; stored server-side in the pre-sign-in session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    pub username: String,
    pub return_to: String,
    pub remember: bool,
    pub step: Step,
    pub pending: Option<Pending>,
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
    Answer(Outcome),
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

fn keep(flow: Flow, effect: Effect) -> Transition {
    Transition {
        flow: Some(flow),
        effect,
    }
}

/// An error page; the flow stays where it was, except a half-started one.
fn fail(flow: Flow, failure: Failure) -> Transition {
    let flow = (!matches!(flow.step, Step::Starting { .. })).then_some(flow);
    Transition {
        flow,
        effect: Effect::Fail(failure),
    }
}

fn restart(flow: Flow, notice: Notice) -> Transition {
    Transition {
        flow: None,
        effect: Effect::Restart {
            username: flow.username,
            notice,
        },
    }
}

fn call(mut flow: Flow, pending: Pending, call: Call) -> Transition {
    flow.pending = Some(pending);
    keep(flow, Effect::Call(call))
}

impl Step {
    fn deadline(&self) -> Option<i64> {
        match self {
            Step::Starting { .. } => None,
            Step::ChooseFactor { deadline, .. }
            | Step::EnterCode { deadline, .. }
            | Step::WaitPush { deadline, .. } => Some(*deadline),
        }
    }
}

/// Typing a code from an authenticator app (no Okta call needed to get there).
fn otp_step(method: Method, mfa: Option<Mfa>, now: i64) -> Step {
    Step::EnterCode {
        method,
        mfa,
        oob: None,
        decoy: false,
        resend_after: None,
        resends: 0,
        attempts: 0,
        deadline: now + MFA_STEP_TTL,
    }
}

/// A step after a started challenge (or a decoy when `challenge` is `None`).
fn challenge_step(
    method: Method,
    mfa: Option<Mfa>,
    challenge: Option<Challenge>,
    now: i64,
) -> Step {
    let deadline = now + challenge.as_ref().map_or(300, |c| c.expires_in);
    let push = challenge.as_ref().map_or(method == Method::Push, |c| {
        c.binding_method != BindingMethod::Prompt
    });
    let oob = challenge.as_ref().map(|c| Oob {
        oob_code: c.oob_code.clone(),
        binding_code: c.binding_code.clone(),
    });
    if push {
        let interval = challenge
            .and_then(|c| c.interval)
            .unwrap_or(DEFAULT_INTERVAL);
        Step::WaitPush {
            mfa,
            oob,
            decoy_number: None,
            next_poll_at: now + interval,
            interval,
            deadline,
        }
    } else {
        Step::EnterCode {
            method,
            mfa,
            decoy: oob.is_none(),
            oob,
            resend_after: Some(now + RESEND_COOLDOWN),
            resends: 0,
            attempts: 0,
            deadline,
        }
    }
}

/// Checks a typed code's shape before anything is sent to Okta.
pub fn normalize_code(method: Method, code: &str) -> Result<String, Rejection> {
    let code: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if code.is_empty() {
        return Err(Rejection::BadInput("Enter the code."));
    }
    if code.len() > 12 {
        return Err(Rejection::BadInput("That code is too long."));
    }
    let ok = if method.code_is_numeric() {
        code.chars().all(|c| c.is_ascii_digit())
    } else {
        code.chars().all(|c| c.is_ascii_alphanumeric())
    };
    if !ok {
        return Err(Rejection::BadInput(if method.code_is_numeric() {
            "The code is made of digits only."
        } else {
            "The code is made of letters and digits only."
        }));
    }
    Ok(code)
}

/// The transition function.
pub fn next(flow: Option<Flow>, event: Event, now: i64) -> Transition {
    let Some(mut flow) = flow else {
        return start(event, now);
    };
    match event {
        // A new start replaces whatever was in progress.
        Event::SubmitPassword { .. } | Event::StartPasswordless { .. } => return start(event, now),
        Event::Cancel => return restart(flow, Notice::Cancelled),
        _ => {}
    }
    if !matches!(event, Event::Answer(_)) {
        if flow.step.deadline().is_some_and(|d| now >= d) {
            return restart(flow, Notice::Expired);
        }
        // A previous call never came back (the instance died): forget it.
        flow.pending = None;
        // A notice stays on its page until the user's next action.
        flow.notice = None;
    }
    match event {
        Event::Answer(outcome) => answer(flow, outcome, now),
        Event::ChooseFactor(method) => choose_factor(flow, method, now),
        Event::SubmitCode(code) => submit_code(flow, code),
        Event::Resend => resend(flow, now),
        Event::Poll => poll(flow, now),
        Event::SwitchFactor => switch_factor(flow, now),
        Event::SubmitPassword { .. } | Event::StartPasswordless { .. } | Event::Cancel => {
            unreachable!("handled above")
        }
    }
}

fn start(event: Event, now: i64) -> Transition {
    let (username, return_to, remember, method, password) = match event {
        Event::SubmitPassword {
            username,
            password,
            return_to,
            remember,
        } => (username, return_to, remember, None, Some(password)),
        Event::StartPasswordless {
            username,
            method,
            return_to,
            remember,
        } => (username, return_to, remember, Some(method), None),
        _ => {
            return Transition {
                flow: None,
                effect: Effect::Reject(Rejection::OutOfStep),
            };
        }
    };
    let mut flow = Flow {
        username: username.clone(),
        return_to,
        remember,
        step: Step::Starting { method },
        pending: None,
        notice: None,
    };
    match (method, password) {
        (None, Some(password)) => call(
            flow,
            Pending::FirstFactor,
            Call::Password { username, password },
        ),
        (Some(Method::Otp), _) => {
            flow.step = otp_step(Method::Otp, None, now);
            keep(flow, Effect::Show)
        }
        (Some(m), _) => {
            let channel = m.channel().expect("non-OTP methods have a channel");
            call(
                flow,
                Pending::FirstFactor,
                Call::PrimaryAuthenticate { username, channel },
            )
        }
        (None, None) => Transition {
            flow: None,
            effect: Effect::Reject(Rejection::OutOfStep),
        },
    }
}

fn choose_factor(mut flow: Flow, method: Method, now: i64) -> Transition {
    let Step::ChooseFactor { mfa, .. } = &flow.step else {
        return keep(flow, Effect::Reject(Rejection::OutOfStep));
    };
    if mfa.first == Some(method) {
        flow.notice = Some(Notice::ChooseAnother);
        return keep(flow, Effect::Show);
    }
    let mfa = mfa.clone();
    match method.channel() {
        None => {
            flow.step = otp_step(method, Some(mfa), now);
            keep(flow, Effect::Show)
        }
        Some(channel) => call(
            flow,
            Pending::Challenge(method),
            Call::Challenge {
                mfa_token: mfa.mfa_token,
                channel: Some(channel),
            },
        ),
    }
}

fn submit_code(mut flow: Flow, code: String) -> Transition {
    let Step::EnterCode {
        method,
        mfa,
        oob,
        decoy,
        attempts,
        ..
    } = &mut flow.step
    else {
        return keep(flow, Effect::Reject(Rejection::OutOfStep));
    };
    let code = match normalize_code(*method, &code) {
        Ok(c) => c,
        Err(r) => return keep(flow, Effect::Reject(r)),
    };
    if *decoy {
        *attempts += 1;
        if *attempts >= MAX_CODE_ATTEMPTS {
            return restart(flow, Notice::TooManyAttempts);
        }
        return keep(flow, Effect::Reject(Rejection::InvalidCode));
    }
    let the_call = match (method, mfa, oob) {
        (Method::Otp, Some(mfa), _) => Call::MfaOtp {
            mfa_token: mfa.mfa_token.clone(),
            otp: code,
        },
        (Method::Otp, None, _) => Call::PrimaryOtp {
            username: flow.username.clone(),
            otp: code,
        },
        (_, mfa, Some(oob)) => Call::RedeemOob {
            mfa_token: mfa.as_ref().map(|m| m.mfa_token.clone()),
            oob_code: oob.oob_code.clone(),
            binding_code: Some(code),
        },
        (_, _, None) => return keep(flow, Effect::Reject(Rejection::OutOfStep)),
    };
    call(flow, Pending::Code, the_call)
}

fn resend(mut flow: Flow, now: i64) -> Transition {
    let username = flow.username.clone();
    let Step::EnterCode {
        method,
        mfa,
        resend_after,
        resends,
        ..
    } = &mut flow.step
    else {
        return keep(flow, Effect::Reject(Rejection::OutOfStep));
    };
    if *resends >= MAX_RESENDS {
        flow.notice = Some(Notice::ResendLimit);
        return keep(flow, Effect::Show);
    }
    let Some(channel) = method.channel() else {
        // An OTP app shows its own codes: nothing to resend.
        return keep(flow, Effect::Reject(Rejection::OutOfStep));
    };
    if let Some(after) = *resend_after {
        if now < after {
            flow.notice = Some(Notice::ResendWait(after - now));
            return keep(flow, Effect::Show);
        }
    }
    *resends += 1;
    // A decoy asks Okta again too (and is told the name is unknown, answered as sent):
    // the same calls, caps and timing as a real resend.
    let the_call = match mfa {
        Some(mfa) => Call::Challenge {
            mfa_token: mfa.mfa_token.clone(),
            channel: Some(channel),
        },
        None => Call::PrimaryAuthenticate { username, channel },
    };
    call(flow, Pending::Resend, the_call)
}

fn poll(mut flow: Flow, now: i64) -> Transition {
    let Step::WaitPush {
        mfa,
        oob,
        next_poll_at,
        interval,
        ..
    } = &mut flow.step
    else {
        return keep(flow, Effect::Show);
    };
    if now < *next_poll_at {
        return keep(flow, Effect::Show);
    }
    let Some(oob) = oob else {
        // A decoy keeps the same polling rhythm as a real push.
        *next_poll_at = now + *interval;
        return keep(flow, Effect::Show);
    };
    let the_call = Call::RedeemOob {
        mfa_token: mfa.as_ref().map(|m| m.mfa_token.clone()),
        oob_code: oob.oob_code.clone(),
        binding_code: None,
    };
    flow.notice = None;
    call(flow, Pending::Poll, the_call)
}

fn switch_factor(mut flow: Flow, now: i64) -> Transition {
    let mfa = match &flow.step {
        Step::EnterCode { mfa, .. } | Step::WaitPush { mfa, .. } => mfa.clone(),
        Step::ChooseFactor { .. } => return keep(flow, Effect::Show),
        Step::Starting { .. } => None,
    };
    match mfa {
        Some(mfa) => {
            flow.step = Step::ChooseFactor {
                mfa,
                deadline: now + MFA_STEP_TTL,
            };
            keep(flow, Effect::Show)
        }
        // Passwordless: back to the sign-in page to pick another way.
        None => restart(flow, Notice::ChooseAnother),
    }
}

fn answer(mut flow: Flow, outcome: Outcome, now: i64) -> Transition {
    let Some(pending) = flow.pending.take() else {
        return keep(flow, Effect::Fail(Failure::Upstream(Upstream::Malformed)));
    };
    // Answers that mean the same in every context.
    let outcome = match outcome {
        Outcome::Tokens(tokens) => {
            return Transition {
                effect: Effect::Complete {
                    tokens,
                    return_to: flow.return_to,
                    remember: flow.remember,
                },
                flow: None,
            }
        }
        Outcome::MfaRequired { mfa_token } => {
            let first = match &flow.step {
                Step::Starting { method } => *method,
                Step::EnterCode {
                    method, mfa: None, ..
                } => Some(*method),
                Step::WaitPush { mfa: None, .. } => Some(Method::Push),
                _ => None,
            };
            flow.step = Step::ChooseFactor {
                mfa: Mfa { mfa_token, first },
                deadline: now + MFA_STEP_TTL,
            };
            return keep(flow, Effect::Show);
        }
        Outcome::Upstream(e) if pending != Pending::Poll => {
            return fail(flow, Failure::Upstream(e))
        }
        Outcome::RateLimited { reset }
            if !matches!(
                pending,
                Pending::Poll | Pending::Resend | Pending::Challenge(_)
            ) =>
        {
            return fail(flow, Failure::RateLimited { reset })
        }
        Outcome::HeldBack { until }
            if !matches!(
                pending,
                Pending::Poll | Pending::Resend | Pending::Challenge(_)
            ) =>
        {
            return fail(flow, Failure::HeldBack { until })
        }
        // Otherwise the local ceiling's refusal is waited out like Okta's rate limit.
        Outcome::HeldBack { until } => Outcome::RateLimited { reset: Some(until) },
        other => other,
    };
    match pending {
        Pending::FirstFactor => first_factor_answer(flow, outcome, now),
        Pending::Challenge(method) => challenge_answer(flow, method, outcome, now),
        Pending::Code => code_answer(flow, outcome),
        Pending::Resend => resend_answer(flow, outcome, now),
        Pending::Poll => poll_answer(flow, outcome, now),
    }
}

fn first_factor_answer(mut flow: Flow, outcome: Outcome, now: i64) -> Transition {
    let Step::Starting { method } = flow.step else {
        return keep(flow, Effect::Fail(Failure::Upstream(Upstream::Malformed)));
    };
    match (method, outcome) {
        (None, Outcome::InvalidCredentials) => Transition {
            flow: None,
            effect: Effect::Reject(Rejection::InvalidCredentials),
        },
        (None, Outcome::PolicyDenied) => Transition {
            flow: None,
            effect: Effect::Fail(Failure::PolicyDenied),
        },
        (Some(m), Outcome::Challenge(c)) => {
            flow.step = challenge_step(m, None, Some(c), now);
            flow.notice = (m != Method::Push).then_some(Notice::CodeSent);
            keep(flow, Effect::Show)
        }
        // Unknown user, or a method the user cannot use: answer exactly like a known one
        // up to the code step, so the form cannot be used to find out who has an account.
        (Some(m), Outcome::InvalidCredentials | Outcome::PolicyDenied) => {
            flow.step = challenge_step(m, None, None, now);
            flow.notice = (m != Method::Push).then_some(Notice::CodeSent);
            keep(flow, Effect::Show)
        }
        (_, _) => Transition {
            flow: None,
            effect: Effect::Fail(Failure::Upstream(Upstream::Malformed)),
        },
    }
}

fn challenge_answer(mut flow: Flow, method: Method, outcome: Outcome, now: i64) -> Transition {
    let Step::ChooseFactor { mfa, .. } = &flow.step else {
        return keep(flow, Effect::Fail(Failure::Upstream(Upstream::Malformed)));
    };
    let mfa = mfa.clone();
    match outcome {
        Outcome::Challenge(c) => {
            flow.step = challenge_step(method, Some(mfa), Some(c), now);
            flow.notice = (method != Method::Push).then_some(Notice::CodeSent);
            keep(flow, Effect::Show)
        }
        Outcome::OtpExpected => {
            flow.step = otp_step(Method::Otp, Some(mfa), now);
            keep(flow, Effect::Show)
        }
        Outcome::Expired => restart(flow, Notice::Expired),
        Outcome::PolicyDenied | Outcome::InvalidCredentials => {
            flow.notice = Some(Notice::MethodUnavailable);
            keep(flow, Effect::Show)
        }
        // E.g. Okta's one SMS or call per phone per 30 s: wait, or choose another factor.
        Outcome::RateLimited { reset } => {
            let wait = reset.map_or(RESEND_COOLDOWN, |r| (r - now).clamp(1, 300));
            flow.notice = Some(Notice::ResendWait(wait));
            keep(flow, Effect::Show)
        }
        _ => keep(flow, Effect::Fail(Failure::Upstream(Upstream::Malformed))),
    }
}

fn code_answer(mut flow: Flow, outcome: Outcome) -> Transition {
    let Step::EnterCode { attempts, mfa, .. } = &mut flow.step else {
        return keep(flow, Effect::Fail(Failure::Upstream(Upstream::Malformed)));
    };
    let primary = mfa.is_none();
    match outcome {
        // For a passwordless code, "this user cannot sign in this way" must look like a
        // wrong code (no enumeration).
        Outcome::InvalidCode | Outcome::InvalidCredentials => {
            *attempts += 1;
            if *attempts >= MAX_CODE_ATTEMPTS {
                return restart(flow, Notice::TooManyAttempts);
            }
            keep(flow, Effect::Reject(Rejection::InvalidCode))
        }
        Outcome::PolicyDenied if primary => {
            *attempts += 1;
            if *attempts >= MAX_CODE_ATTEMPTS {
                return restart(flow, Notice::TooManyAttempts);
            }
            keep(flow, Effect::Reject(Rejection::InvalidCode))
        }
        Outcome::Expired | Outcome::Denied => restart(flow, Notice::Expired),
        Outcome::PolicyDenied => Transition {
            flow: None,
            effect: Effect::Fail(Failure::PolicyDenied),
        },
        _ => keep(flow, Effect::Fail(Failure::Upstream(Upstream::Malformed))),
    }
}

fn resend_answer(mut flow: Flow, outcome: Outcome, now: i64) -> Transition {
    let Step::EnterCode {
        oob,
        resend_after,
        deadline,
        attempts,
        ..
    } = &mut flow.step
    else {
        return keep(flow, Effect::Fail(Failure::Upstream(Upstream::Malformed)));
    };
    match outcome {
        Outcome::Challenge(c) => {
            *oob = Some(Oob {
                oob_code: c.oob_code,
                binding_code: c.binding_code,
            });
            *resend_after = Some(now + RESEND_COOLDOWN);
            *deadline = now + c.expires_in;
            *attempts = 0;
            flow.notice = Some(Notice::CodeResent);
            keep(flow, Effect::Show)
        }
        Outcome::RateLimited { reset } => {
            let wait = reset.map_or(RESEND_COOLDOWN, |r| (r - now).clamp(1, 300));
            *resend_after = Some(now + wait);
            flow.notice = Some(Notice::ResendWait(wait));
            keep(flow, Effect::Show)
        }
        Outcome::Expired => restart(flow, Notice::Expired),
        Outcome::Upstream(e) => keep(flow, Effect::Fail(Failure::Upstream(e))),
        // Unknown user on a passwordless resend: behave as if it was sent.
        Outcome::InvalidCredentials | Outcome::PolicyDenied => {
            *resend_after = Some(now + RESEND_COOLDOWN);
            flow.notice = Some(Notice::CodeResent);
            keep(flow, Effect::Show)
        }
        _ => keep(flow, Effect::Fail(Failure::Upstream(Upstream::Malformed))),
    }
}

fn poll_answer(mut flow: Flow, outcome: Outcome, now: i64) -> Transition {
    let Step::WaitPush {
        next_poll_at,
        interval,
        ..
    } = &mut flow.step
    else {
        return keep(flow, Effect::Fail(Failure::Upstream(Upstream::Malformed)));
    };
    match outcome {
        Outcome::Pending => {
            *next_poll_at = now + *interval;
            keep(flow, Effect::Show)
        }
        Outcome::SlowDown => {
            *interval += 5;
            *next_poll_at = now + *interval;
            keep(flow, Effect::Show)
        }
        Outcome::RateLimited { reset } => {
            *next_poll_at = reset.map_or(now + 2 * *interval, |r| r.max(now + *interval));
            keep(flow, Effect::Show)
        }
        // A passing fault while polling: try again at the next interval.
        Outcome::Upstream(_) => {
            *next_poll_at = now + *interval;
            keep(flow, Effect::Show)
        }
        Outcome::Denied => restart(flow, Notice::Denied),
        Outcome::Expired => restart(flow, Notice::Expired),
        _ => keep(flow, Effect::Fail(Failure::Upstream(Upstream::Malformed))),
    }
}

/// The path of the page that shows `step`.
pub fn page_of(step: &Step) -> &'static str {
    match step {
        Step::Starting { .. } => "/signin",
        Step::ChooseFactor { .. } => "/signin/factor",
        Step::EnterCode { .. } => "/signin/verify",
        Step::WaitPush { .. } => "/signin/wait",
    }
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
