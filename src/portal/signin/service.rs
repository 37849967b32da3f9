//! Drives the sign-in state machine for one request: takes a short lease on the flow (so a
//! double submit, a second tab or another instance never sends Okta a duplicate call),
//! loads the pre-sign-in session, feeds the event through [`machine::next`], performs the
//! Okta calls it asks for, and saves the result. On completion it destroys the pre-sign-in
//! session and creates the signed-in one under a new id.

use std::sync::Arc;

use rocket::http::CookieJar;

use super::machine::{self, Call, Effect, Event, Failure, Flow, Method, Notice, Rejection};
use crate::metrics::Metrics;
use crate::okta::{CallContext, OktaClient, Outcome, TokenSet};
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
}

/// Who is signing in, for the audit log (never the raw username).
pub struct Attempt<'a> {
    pub session_id: &'a str,
    pub ctx: &'a CallContext,
    pub jar: &'a CookieJar<'a>,
}

impl SigninService {
    pub async fn drive(&self, attempt: Attempt<'_>, event: Event) -> Result<Driven, StoreError> {
        let name = format!("flow:{}", self.sessions.key_of(attempt.session_id).0);
        let needed = self.lease_needed_ms();
        let store = self.sessions.store.clone();
        let clock = self.sessions.clock().clone();
        let Some(mut lease) = Lease::claim(store, clock, name, needed.max(LEASE_MS)).await? else {
            return Ok(Driven::Busy);
        };
        let result = self.drive_locked(&attempt, event, &mut lease).await;
        // Owner-checked: if the lease ran out meanwhile, the next holder keeps theirs.
        lease.release().await?;
        result
    }

    /// Lease time an Okta call needs left before it starts: its budget and a margin.
    fn lease_needed_ms(&self) -> i64 {
        self.okta.call_budget_ms().saturating_add(LEASE_MARGIN_MS)
    }

    async fn drive_locked(
        &self,
        attempt: &Attempt<'_>,
        mut event: Event,
        lease: &mut Lease,
    ) -> Result<Driven, StoreError> {
        let clock = self.sessions.clock().clone();
        let now = clock.now();
        let mut pre = match self.sessions.load(attempt.session_id).await? {
            Some(Record::Pending(p)) => p,
            // A signed-in visitor has nothing to drive: send them on.
            Some(Record::SignedIn(_)) => {
                return Ok(Driven::SignedIn {
                    return_to: String::new(),
                    username: String::new(),
                });
            }
            None => PreAuth {
                created_at: now,
                last_seen: now,
                ..PreAuth::default()
            },
        };
        let started = matches!(
            event,
            Event::SubmitPassword { .. } | Event::StartPasswordless { .. }
        );
        if started {
            self.metrics.funnel("started");
        }
        // Who this attempt is for, for the audit log: taken before the machine consumes
        // the flow (a completed or refused flow no longer holds the username).
        let username = match &event {
            Event::SubmitPassword { username, .. } | Event::StartPasswordless { username, .. } => {
                Some(username.clone())
            }
            _ => attempt_username(&pre),
        };
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
                    let outcome = self.perform(call, attempt.ctx).await;
                    self.count(&outcome, last_call);
                    event = Event::Answer(outcome);
                }
                Effect::Show => {
                    pre.last_seen = clock.now();
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
