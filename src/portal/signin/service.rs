//! Drives the sign-in state machine for one request: takes a short lease on the flow (so a
//! double submit, a second tab or another instance never sends Okta a duplicate call),
//! loads the pre-sign-in session, feeds the event through [`machine::next`], performs the
//! Okta calls it asks for, and saves the result. On completion it destroys the pre-sign-in
//! session and creates the signed-in one under a new id.

use std::sync::Arc;

use rocket::http::CookieJar;

use super::machine::{self, Call, Effect, Event, Failure, Flow, Method, Notice, Rejection, Step};
use crate::metrics::Metrics;
use crate::okta::{CallContext, OktaClient, Outcome, Priority, TokenSet};
use crate::portal::abuse::{Admission, Delivery, Guard};
use crate::portal::error::AppError;
use crate::portal::session::{Lease, PreAuth, Record, Sessions, SignedIn, StoreError};

/// How long one request holds a flow at least; longer when one Okta call may take longer.
const LEASE_MS: i64 = 30_000;
/// Lease time kept beyond an Okta call's budget, for saving its result.
const LEASE_MARGIN_MS: i64 = 5_000;

/// What the route should do next.
#[derive(Debug)]
pub enum Driven {
    /// Redirect to this page of the flow.
    Show(&'static str),
    /// Signed in (the cookie is set): redirect here.
    SignedIn {
        return_to: String,
        username: String,
    },
    /// The flow ended: back to the sign-in page (username and notice kept).
    Restart(Notice),
    /// Re-render the submitted form with a 4xx and this reason.
    Reject(Rejection, Option<Flow>),
    Fail(Failure),
    /// Another request is working on this flow right now.
    Busy,
}

pub struct SigninService {
    pub okta: Arc<OktaClient>,
    pub sessions: Arc<Sessions>,
    pub metrics: Arc<Metrics>,
    /// The per-username shields that apply inside a flow: wrong codes, deliveries,
    /// free starts, timing floors, and the priority of each Okta call.
    pub guard: Arc<Guard>,
    /// Whether a decoy push shows a number to tap.
    pub decoy_number_challenge: bool,
}

/// What the shield decided before the machine ran, settled once the outcome is known.
struct Shielding {
    /// Held while a code is on its way (it counts against the code budget meanwhile).
    code: Option<Admission>,
    /// The answer must not come faster than the failure floor (a decoy would otherwise
    /// answer without Okta's latency).
    floor: bool,
    /// A browser with a device cookie for this flow's username.
    device: bool,
}

/// Who is signing in, for the audit log (never the raw username).
pub struct Attempt<'a> {
    pub session_id: &'a str,
    pub ctx: &'a CallContext,
    pub jar: &'a CookieJar<'a>,
}

impl SigninService {
    pub async fn drive(&self, attempt: Attempt<'_>, event: Event) -> Result<Driven, AppError> {
        let name = format!("flow:{}", self.sessions.key_of(attempt.session_id).0);
        let needed = self.lease_needed_ms();
        let store = self.sessions.store.clone();
        let clock = self.sessions.clock().clone();
        let Some(mut lease) = Lease::claim(store, clock, name, needed.max(LEASE_MS)).await? else {
            return Ok(Driven::Busy);
        };
        let started = std::time::Instant::now();
        let result = self.drive_locked(&attempt, event, &mut lease).await;
        let floor = matches!(&result, Ok((_, true)));
        // Past this point a session may exist and its cookie be set: nothing may turn the
        // answer into an error (the browser would lose the cookie and the session would be
        // orphaned). Owner-checked: if the lease ran out meanwhile, the next holder keeps
        // theirs; one that cannot be released expires on its own.
        if let Err(e) = lease.release().await {
            tracing::warn!(error = %e, "could not release a flow lease");
        }
        if floor {
            self.guard.failure_floor(started).await;
        }
        result.map(|(driven, _)| driven)
    }

    /// Lease time an Okta call needs left before it starts: its budget and a margin.
    fn lease_needed_ms(&self) -> i64 {
        self.okta.call_budget_ms().saturating_add(LEASE_MARGIN_MS)
    }

    /// The shield's checks before the machine sees `event` (the username is the flow's).
    async fn shield(
        &self,
        attempt: &Attempt<'_>,
        pre: &PreAuth,
        event: &Event,
        username: Option<&str>,
        now: i64,
    ) -> Result<Shielding, AppError> {
        let ip = client_ip(attempt.ctx);
        let device = username.is_some_and(|u| self.guard.has_device_cookie(attempt.jar, u));
        let step = pre.flow.as_ref().map(|f| &f.step);
        let mut shielding = Shielding {
            code: None,
            floor: false,
            device,
        };
        match event {
            Event::StartPasswordless { method, .. } => {
                if *method == Method::Otp {
                    self.guard.check_free_start(ip)?;
                }
                shielding.floor = true;
            }
            Event::SubmitCode(_) => {
                if let (Some(Step::EnterCode { .. }), Some(user)) = (step, username) {
                    shielding.code = Some(self.guard.admit_code(user, ip).await?);
                    shielding.floor = true;
                }
            }
            Event::Resend => shielding.floor = matches!(step, Some(Step::EnterCode { .. })),
            Event::Poll => {
                shielding.floor = matches!(step, Some(Step::WaitPush { next_poll_at, .. }) if now >= *next_poll_at)
            }
            _ => {}
        }
        Ok(shielding)
    }

    /// Records what a code attempt earned: a wrong code, or one whose answer was lost
    /// (Okta may have counted it), counts; a completed sign-in restarts the count.
    async fn settle(
        &self,
        shielding: Shielding,
        username: Option<&str>,
        result: &Result<Driven, AppError>,
    ) -> Result<(), StoreError> {
        let Some(user) = username else {
            return Ok(());
        };
        if let Ok(Driven::SignedIn { .. }) = result {
            self.guard.codes_ok(user).await?;
        }
        if let Some(admission) = shielding.code {
            let wrong = matches!(
                result,
                Ok(Driven::Reject(Rejection::InvalidCode, _)
                    | Driven::Restart(Notice::TooManyAttempts)
                    | Driven::Fail(Failure::Upstream(_)))
            );
            if wrong {
                self.guard.code_failed(user).await?;
            }
            admission.end().await;
        }
        Ok(())
    }

    /// The answer, and whether it must wait for the failure floor.
    async fn drive_locked(
        &self,
        attempt: &Attempt<'_>,
        event: Event,
        lease: &mut Lease,
    ) -> Result<(Driven, bool), AppError> {
        let now = self.sessions.clock().now();
        let pre = match self.sessions.load(attempt.session_id).await? {
            Some(Record::Pending(p)) => Some(p),
            Some(Record::SignedIn(_)) => None,
            None => Some(PreAuth {
                created_at: now,
                last_seen: now,
                ..PreAuth::default()
            }),
        };
        // A signed-in visitor has nothing to drive: send them on.
        let Some(pre) = pre else {
            return Ok((
                Driven::SignedIn {
                    return_to: String::new(),
                    username: String::new(),
                },
                false,
            ));
        };
        // Who this attempt is for, for the shield and the audit log: taken before the
        // machine consumes the flow (a completed or refused flow no longer holds it).
        let username = match &event {
            Event::SubmitPassword { username, .. } | Event::StartPasswordless { username, .. } => {
                Some(username.clone())
            }
            _ => attempt_username(&pre),
        };
        let shielding = self
            .shield(attempt, &pre, &event, username.as_deref(), now)
            .await?;
        let floor = shielding.floor;
        let device = shielding.device;
        let result = self
            .run(attempt, pre, event, username.clone(), device, lease)
            .await
            .map_err(AppError::from);
        if let Err(e) = self.settle(shielding, username.as_deref(), &result).await {
            // The outcome stands (a sign-in may be complete); the budget is best effort
            // here, as an attempt in flight expires from the store on its own.
            tracing::warn!(error = %e, "could not record a code attempt's outcome");
        }
        let floor = floor && !matches!(result, Ok(Driven::SignedIn { .. }));
        result.map(|driven| (driven, floor))
    }

    async fn run(
        &self,
        attempt: &Attempt<'_>,
        mut pre: PreAuth,
        mut event: Event,
        username: Option<String>,
        device: bool,
        lease: &mut Lease,
    ) -> Result<Driven, StoreError> {
        let clock = self.sessions.clock().clone();
        let started = matches!(
            event,
            Event::SubmitPassword { .. } | Event::StartPasswordless { .. }
        );
        if started {
            self.metrics.funnel("started");
        }
        let mut last_call: Option<&'static str> = None;
        loop {
            let transition = machine::next(pre.flow.take(), event, clock.now());
            pre.flow = transition.flow;
            match transition.effect {
                Effect::Call(call) => {
                    // Never start a call that could outlast the lease; if it cannot be
                    // extended, another request owns the flow now: stop, write nothing.
                    if !lease.ensure(self.lease_needed_ms()).await? {
                        return Ok(Driven::Busy);
                    }
                    last_call = Some(call_name(&call));
                    // Deliveries are capped per username before they reach Okta, for
                    // every name alike; a refusal reads as Okta's own rate limit.
                    if let (Some(kind), Some(user)) = (delivery(&call), username.as_deref()) {
                        if let Err(wait) =
                            self.guard
                                .check_delivery(user, kind, client_ip(attempt.ctx))
                        {
                            let reset = Some(clock.now() + wait);
                            event = Event::Answer(Outcome::RateLimited { reset });
                            continue;
                        }
                    }
                    let mut ctx = attempt.ctx.clone();
                    ctx.priority = priority(&call, device);
                    let outcome = self.perform(call, &ctx).await;
                    self.count(&outcome, last_call);
                    event = Event::Answer(outcome);
                }
                Effect::Show => {
                    pre.last_seen = clock.now();
                    self.decoy_number(&mut pre);
                    let page = pre
                        .flow
                        .as_ref()
                        .map_or("/signin", |f| machine::page_of(&f.step));
                    self.save(attempt.session_id, pre).await?;
                    return Ok(Driven::Show(page));
                }
                Effect::Complete {
                    tokens,
                    return_to,
                    remember,
                } => {
                    self.sessions.delete(attempt.session_id).await?;
                    let mut session = signed_in(*tokens, remember, attempt.ctx, clock.now());
                    session.user_digest = username
                        .as_deref()
                        .map(|u| self.sessions.username_digest(u))
                        .unwrap_or_default();
                    self.audit(attempt, username.as_deref(), "succeeded", last_call);
                    self.metrics.funnel("succeeded");
                    self.metrics.sessions_created.inc();
                    let id = self.sessions.create_signed_in(session).await?;
                    self.sessions
                        .set_signed_in_cookie(attempt.jar, id, remember);
                    return Ok(Driven::SignedIn {
                        return_to,
                        username: username.unwrap_or_default(),
                    });
                }
                Effect::Restart { username, notice } => {
                    self.audit(attempt, Some(&username), notice_outcome(notice), last_call);
                    if matches!(notice, Notice::Expired | Notice::TooManyAttempts) {
                        self.metrics.failure(notice_outcome(notice));
                    }
                    pre.flow = None;
                    pre.username = Some(username);
                    pre.notice = Some(notice);
                    pre.last_seen = clock.now();
                    self.save(attempt.session_id, pre).await?;
                    return Ok(Driven::Restart(notice));
                }
                Effect::Reject(rejection) => {
                    if let Some(reason) = match rejection {
                        Rejection::InvalidCredentials => Some("invalid_credentials"),
                        Rejection::InvalidCode => Some("invalid_code"),
                        _ => None,
                    } {
                        self.failed(attempt, username.as_deref(), reason, last_call);
                    }
                    let flow = pre.flow.clone();
                    pre.last_seen = clock.now();
                    self.save(attempt.session_id, pre).await?;
                    return Ok(Driven::Reject(rejection, flow));
                }
                Effect::Fail(failure) => {
                    let reason = match &failure {
                        Failure::RateLimited { .. } => "okta_rate_limited",
                        Failure::HeldBack { .. } => "okta_held_back",
                        Failure::Upstream(_) => "okta_unavailable",
                        Failure::PolicyDenied => "policy_denied",
                    };
                    self.failed(attempt, username.as_deref(), reason, last_call);
                    pre.last_seen = clock.now();
                    self.save(attempt.session_id, pre).await?;
                    return Ok(Driven::Fail(failure));
                }
            }
        }
    }

    /// A decoy push shows a number to tap when real ones would (see
    /// `protection.decoy_number_challenge`), so the page does not tell them apart.
    fn decoy_number(&self, pre: &mut PreAuth) {
        if !self.decoy_number_challenge {
            return;
        }
        if let Some(Flow {
            step:
                Step::WaitPush {
                    oob: None,
                    decoy_number: number @ None,
                    ..
                },
            ..
        }) = pre.flow.as_mut()
        {
            *number = Some(crate::random::in_range(10..100).to_string());
        }
    }

    /// Saves the pre-sign-in session, or deletes it when nothing is left to remember.
    async fn save(&self, id: &str, pre: PreAuth) -> Result<(), StoreError> {
        if pre.flow.is_none() && pre.notice.is_none() && pre.username.is_none() {
            return self.sessions.delete(id).await;
        }
        self.sessions.save(id, &Record::Pending(pre)).await
    }

    async fn perform(&self, call: Call, ctx: &CallContext) -> Outcome {
        match call {
            Call::Password { username, password } => {
                self.okta.password(ctx, &username, &password).await
            }
            Call::PrimaryOtp { username, otp } => self.okta.primary_otp(ctx, &username, &otp).await,
            Call::PrimaryAuthenticate { username, channel } => {
                self.okta
                    .primary_authenticate(ctx, &username, channel)
                    .await
            }
            Call::Challenge { mfa_token, channel } => {
                self.okta.challenge(ctx, &mfa_token, channel).await
            }
            Call::MfaOtp { mfa_token, otp } => self.okta.mfa_otp(ctx, &mfa_token, &otp).await,
            Call::RedeemOob {
                mfa_token,
                oob_code,
                binding_code,
            } => {
                self.okta
                    .redeem_oob(
                        ctx,
                        mfa_token.as_deref(),
                        &oob_code,
                        binding_code.as_deref(),
                    )
                    .await
            }
        }
    }

    fn count(&self, outcome: &Outcome, call: Option<&str>) {
        match outcome {
            Outcome::MfaRequired { .. } => self.metrics.funnel("mfa_required"),
            Outcome::Challenge(_) => self.metrics.funnel("challenge_sent"),
            Outcome::Tokens(_) if call == Some("poll") => self.metrics.funnel("approved"),
            Outcome::Denied => self.metrics.funnel("denied"),
            Outcome::Expired => self.metrics.funnel("expired"),
            _ => {}
        }
    }

    fn failed(
        &self,
        attempt: &Attempt<'_>,
        username: Option<&str>,
        reason: &str,
        step: Option<&str>,
    ) {
        self.metrics.failure(reason);
        self.audit(attempt, username, reason, step);
    }

    /// One structured audit event per sign-in attempt outcome; the username only as a
    /// keyed digest.
    fn audit(
        &self,
        attempt: &Attempt<'_>,
        username: Option<&str>,
        outcome: &str,
        step: Option<&str>,
    ) {
        let user = username
            .map(|u| self.sessions.username_digest(u))
            .unwrap_or_default();
        let ip = attempt
            .ctx
            .client_ip
            .map(|i| i.to_string())
            .unwrap_or_default();
        tracing::info!(target: "audit", event = "signin", outcome, user, ip, step = step.unwrap_or("-"));
    }
}

fn client_ip(ctx: &CallContext) -> std::net::IpAddr {
    ctx.client_ip
        .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]))
}

/// What a call delivers to the user's devices, if anything.
fn delivery(call: &Call) -> Option<Delivery> {
    let (channel, first_factor) = match call {
        Call::PrimaryAuthenticate { channel, .. } => (*channel, true),
        Call::Challenge {
            channel: Some(channel),
            ..
        } => (*channel, false),
        _ => return None,
    };
    Some(match channel {
        "push" => Delivery::Push,
        "sms" | "voice" if first_factor => Delivery::FirstFactorPhone,
        _ => Delivery::Message,
    })
}

/// Calls from a flow that has passed a first factor (they carry an `mfa_token`) or from a
/// browser with a device cookie go at normal priority; the rest (passwords, passwordless
/// starts, codes, resends and polls) only get the untrusted share of the ceiling.
fn priority(call: &Call, device: bool) -> Priority {
    let mfa = match call {
        Call::Challenge { .. } | Call::MfaOtp { .. } => true,
        Call::RedeemOob { mfa_token, .. } => mfa_token.is_some(),
        _ => false,
    };
    if mfa || device {
        Priority::Normal
    } else {
        Priority::Untrusted
    }
}

fn attempt_username(pre: &PreAuth) -> Option<String> {
    pre.flow
        .as_ref()
        .map(|f| f.username.clone())
        .or_else(|| pre.username.clone())
}

fn call_name(call: &Call) -> &'static str {
    match call {
        Call::Password { .. } => "password",
        Call::PrimaryOtp { .. } => "otp",
        Call::PrimaryAuthenticate { .. } => "primary_authenticate",
        Call::Challenge { .. } => "challenge",
        Call::MfaOtp { .. } => "mfa_otp",
        Call::RedeemOob {
            binding_code: None, ..
        } => "poll",
        Call::RedeemOob { .. } => "oob_code",
    }
}

fn notice_outcome(notice: Notice) -> &'static str {
    match notice {
        Notice::Expired => "expired",
        Notice::Denied => "denied",
        Notice::Cancelled => "cancelled",
        Notice::TooManyAttempts => "too_many_attempts",
        _ => "restarted",
    }
}

fn signed_in(tokens: TokenSet, remember: bool, ctx: &CallContext, now: i64) -> SignedIn {
    let claims = tokens.claims;
    SignedIn {
        user_id: claims.sub,
        user_digest: String::new(),
        name: claims.name,
        email: claims.email,
        preferred_username: claims.preferred_username,
        amr: claims.amr,
        auth_time: claims.auth_time.unwrap_or(now),
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        access_expires_at: now + tokens.expires_in,
        userinfo: None,
        created_at: now,
        last_seen: now,
        remember,
        device: ctx.user_agent.as_deref().map(describe_browser),
        ip: ctx.client_ip.map(|i| i.to_string()),
    }
}

/// "Chrome on Linux"-style summary of a User-Agent.
pub fn describe_browser(ua: &str) -> String {
    let browser = ["Edg/", "OPR/", "Firefox/", "Chrome/", "Safari/"]
        .iter()
        .find(|b| ua.contains(*b))
        .map(|b| match *b {
            "Edg/" => "Edge",
            "OPR/" => "Opera",
            "Firefox/" => "Firefox",
            "Chrome/" => "Chrome",
            _ => "Safari",
        })
        .unwrap_or("A browser");
    let os = [
        ("Windows", "Windows"),
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    match os {
        Some(os) => format!("{browser} on {os}"),
        None => browser.to_string(),
    }
}

/// Methods from configuration, in the contract's order.
pub fn methods(list: &[String]) -> Vec<Method> {
    Method::ALL
        .into_iter()
        .filter(|m| list.iter().any(|s| s == m.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_calls_past_a_first_factor_or_from_a_device_cookie_go_at_normal_priority() {
        let mfa = || "mfa".to_string();
        let untrusted_first_factor = [
            Call::Password {
                username: "u".into(),
                password: "p".into(),
            },
            Call::PrimaryOtp {
                username: "u".into(),
                otp: "1".into(),
            },
            Call::PrimaryAuthenticate {
                username: "u".into(),
                channel: "sms",
            },
            Call::RedeemOob {
                mfa_token: None,
                oob_code: "o".into(),
                binding_code: Some("1".into()),
            },
        ];
        for call in &untrusted_first_factor {
            assert_eq!(priority(call, false), Priority::Untrusted, "{call:?}");
            assert_eq!(priority(call, true), Priority::Normal, "{call:?}");
        }
        for call in [
            Call::Challenge {
                mfa_token: mfa(),
                channel: Some("sms"),
            },
            Call::MfaOtp {
                mfa_token: mfa(),
                otp: "1".into(),
            },
            Call::RedeemOob {
                mfa_token: Some(mfa()),
                oob_code: "o".into(),
                binding_code: None,
            },
        ] {
            assert_eq!(priority(&call, false), Priority::Normal, "{call:?}");
        }
    }

    #[test]
    fn deliveries_by_kind() {
        let start = |channel| Call::PrimaryAuthenticate {
            username: "u".into(),
            channel,
        };
        let challenge = |channel| Call::Challenge {
            mfa_token: "m".into(),
            channel: Some(channel),
        };
        assert_eq!(delivery(&start("sms")), Some(Delivery::FirstFactorPhone));
        assert_eq!(delivery(&start("voice")), Some(Delivery::FirstFactorPhone));
        assert_eq!(delivery(&start("push")), Some(Delivery::Push));
        assert_eq!(delivery(&start("email")), Some(Delivery::Message));
        assert_eq!(delivery(&challenge("sms")), Some(Delivery::Message));
        assert_eq!(delivery(&challenge("push")), Some(Delivery::Push));
        assert_eq!(
            delivery(&Call::MfaOtp {
                mfa_token: "m".into(),
                otp: "1".into()
            }),
            None
        );
    }
}
