//! The loop between the machine and Okta: each transition's effect is performed (an Okta
//! call whose answer is fed back, or a page, a completed sign-in, a restart, a rejection,
//! a failure), and the pre-sign-in session saved.

use super::shield::{client_ip, delivery, priority};
use super::{Attempt, Driven, SigninService};
use crate::okta::{Answer, CallContext, TokenSet};
use crate::portal::session::{Lease, PreAuth, Record, SignedIn, StoreError};
use crate::portal::signin::machine::{
    self, Call, Effect, Event, Failure, Flow, Intent, Issued, Notice, Rejection, Step,
};

impl SigninService {
    pub(super) async fn run(
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
            let recovery = pre
                .flow
                .as_ref()
                .is_some_and(|f| f.intent == Intent::Recovery);
            // A poll made ahead keeps the flow an approval completes (see `Complete`).
            let completed = match attempt.jar {
                Some(_) => None,
                None => pre.flow.clone(),
            };
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
                        if let Err(wait) = self
                            .protection
                            .check_delivery(user, kind, client_ip(attempt.ctx))
                            .await?
                        {
                            let reset = Some(clock.now() + wait);
                            event = Event::Answer(Answer::RateLimited { reset });
                            continue;
                        }
                    }
                    let mut ctx = attempt.ctx.clone();
                    ctx.priority = priority(&call, device);
                    ctx.acr_values = pre.flow.as_ref().and_then(|f| f.acr_values.clone());
                    ctx.recovery = pre
                        .flow
                        .as_ref()
                        .is_some_and(|f| f.intent == Intent::Recovery);
                    let outcome = self.perform(call, &ctx).await;
                    self.count(&outcome, last_call);
                    event = Event::Answer(outcome);
                }
                Effect::Show => {
                    pre.last_seen = clock.now();
                    self.decoy_number(&mut pre);
                    let page = machine::Page::of(pre.flow.as_ref());
                    self.save(attempt.session_id, pre).await?;
                    return Ok(Driven::Show(page));
                }
                Effect::Complete {
                    tokens,
                    return_to,
                    remember,
                } => {
                    let approval =
                        self.approval(attempt, *tokens, return_to, remember, username, &mut pre);
                    if let Some(jar) = attempt.jar {
                        return self.commit(attempt, jar, approval, last_call).await;
                    }
                    // A poll made ahead: the browser's next request commits it. The flow
                    // it completed stays (a cancel still ends it as one).
                    pre.approved = Some(Box::new(approval));
                    pre.flow = completed;
                    pre.last_seen = clock.now();
                    self.save(attempt.session_id, pre).await?;
                    return Ok(Driven::Show(machine::Page::Wait));
                }
                Effect::Recovered { username, token } => {
                    // The recovery token has served: revoked (best effort), never kept.
                    if let Err(e) = self.okta.revoke(&token, "access_token").await {
                        tracing::warn!(error = %e, "could not revoke a recovery token");
                    }
                    self.audit(attempt, Some(&username), "password_reset", last_call);
                    self.metrics.funnel("password_reset");
                    pre.flow = None;
                    pre.username = Some(username);
                    pre.notice = Some(Notice::PasswordChanged);
                    pre.restarted_to = None;
                    pre.last_seen = clock.now();
                    self.save(attempt.session_id, pre).await?;
                    return Ok(Driven::Recovered);
                }
                Effect::Restart { username, notice } => {
                    self.audit(attempt, Some(&username), notice_outcome(notice), last_call);
                    if matches!(notice, Notice::Expired | Notice::TooManyAttempts) {
                        self.metrics.failure(notice_outcome(notice));
                    }
                    // A recovery starts again at its own form (a cancel goes to sign-in).
                    let page = if recovery && notice != Notice::Cancelled {
                        machine::Page::Recover
                    } else {
                        machine::Page::Signin
                    };
                    pre.flow = None;
                    pre.username = Some(username);
                    pre.notice = Some(notice);
                    pre.restarted_to = Some(page);
                    pre.last_seen = clock.now();
                    self.save(attempt.session_id, pre).await?;
                    return Ok(Driven::Restart(notice, page));
                }
                Effect::Reject(rejection) => {
                    if let Some(reason) = match rejection {
                        Rejection::InvalidCredentials => Some("invalid_credentials"),
                        Rejection::InvalidCode => Some("invalid_code"),
                        Rejection::WeakPassword(_) => Some("weak_password"),
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
                        Failure::Internal => "internal",
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
                    issued: Issued::Decoy,
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
        if pre.flow.is_none()
            && pre.notice.is_none()
            && pre.username.is_none()
            && pre.pending.is_none()
            && pre.approved.is_none()
        {
            return self.sessions.delete(id).await;
        }
        self.sessions.save(id, &Record::PreAuth(pre)).await
    }

    async fn perform(&self, call: Call, ctx: &CallContext) -> Answer {
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
            Call::ResetPassword { token, password } => {
                self.okta.recover_password(&token, &password).await
            }
        }
    }

    fn count(&self, outcome: &Answer, call: Option<&str>) {
        match outcome {
            Answer::MfaRequired { .. } => self.metrics.funnel("mfa_required"),
            Answer::Challenge(_) => self.metrics.funnel("challenge_sent"),
            Answer::Tokens(_) if call == Some("poll") => self.metrics.funnel("approved"),
            Answer::Denied => self.metrics.funnel("denied"),
            Answer::Expired => self.metrics.funnel("expired"),
            _ => {}
        }
    }
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
        Call::ResetPassword { .. } => "reset_password",
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

pub(super) fn signed_in(tokens: TokenSet, remember: bool, ctx: &CallContext, now: i64) -> SignedIn {
    let claims = tokens.claims;
    SignedIn {
        user_id: claims.sub,
        user_digest: String::new(),
        name: claims.name,
        email: claims.email,
        preferred_username: claims.preferred_username,
        amr: claims.amr,
        groups: claims.groups,
        email_verified: claims.email_verified,
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
        pending: None,
        methods: None,
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
