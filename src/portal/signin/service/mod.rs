//! Drives the sign-in state machine for one request: takes a short lease on the flow (so a
//! double submit, a second tab or another instance never sends Okta a duplicate call),
//! loads the pre-sign-in session, runs the shield's checks, feeds the event through
//! [`machine::next`], performs the Okta calls it asks for, and saves the result. On
//! completion it destroys the pre-sign-in session, creates the signed-in one under a new id
//! and renews the browser's device cookie.
//!
//! - [`entry`]: the two ways in (password, passwordless), with their budgets;
//! - [`shield`]: the per-username checks around codes, deliveries and free starts, and the
//!   priority of each Okta call;
//! - [`run`]: the loop between the machine and Okta;
//! - [`approval`]: a completed sign-in built, then committed as a session (at once, or
//!   stashed by a poll made ahead in the background for the browser's next request);
//! - [`audit`]: the audit log and failure metrics.
//!
//! A poll made ahead (see the wait page's status route) is a background [`Attempt`]: no
//! cookie jar, no failure floor (no one waits for its answer). Whatever it ends in is saved
//! in the pre-sign-in session; an approval is stashed there (sealed) and the browser's next
//! request commits it under the flow's lease, so the session is created exactly once.

mod approval;
mod audit;
mod entry;
mod run;
mod shield;

use std::sync::Arc;

use rocket::http::CookieJar;

pub use entry::{PasswordInput, PasswordlessInput, StepUpStart};

use super::machine::{Event, Failure, Flow, Method, Notice, Page, Rejection};
use crate::metrics::Metrics;
use crate::okta::{CallContext, OktaClient};
use crate::portal::abuse::Protection;
use crate::portal::error::AppError;
use crate::portal::session::{Lease, PreAuth, Record, Sessions};
pub use run::describe_browser;

/// How long one request holds a flow at least; longer when one Okta call may take longer.
const LEASE_MS: i64 = 30_000;
/// Lease time kept beyond an Okta call's budget, for saving its result.
const LEASE_MARGIN_MS: i64 = 5_000;

/// What the route should do next.
#[derive(Debug)]
pub enum Driven {
    /// Redirect to this page of the flow.
    Show(Page),
    /// Signed in (the cookie is set): redirect here.
    SignedIn {
        /// Where to send the user.
        return_to: String,
        /// The username signed in with (renews the device cookie).
        username: String,
    },
    /// The flow ended: back to this page, the sign-in or recovery form (username and
    /// notice kept).
    Restart(Notice, Page),
    /// A recovery reset the password: back to the sign-in page with a notice.
    Recovered,
    /// Re-render the submitted form with a 4xx and this reason.
    Reject(Rejection, Option<Flow>),
    /// Show an error page.
    Fail(Failure),
    /// Another request is working on this flow right now.
    Busy,
}

/// Runs sign-ins: drives the flow machine, makes its Okta calls and opens sessions.
pub struct SigninService {
    /// The Okta client.
    pub okta: Arc<OktaClient>,
    /// The session manager.
    pub sessions: Arc<Sessions>,
    /// The portal's metrics.
    pub metrics: Arc<Metrics>,
    /// The per-username shields that apply inside a flow: wrong codes, deliveries,
    /// free starts, timing floors, and the priority of each Okta call.
    pub protection: Arc<Protection>,
    /// Whether a decoy push shows a number to tap.
    pub decoy_number_challenge: bool,
}

/// Who is signing in, for the audit log (never the raw username).
pub struct Attempt<'a> {
    /// The visitor's session id.
    pub session_id: &'a str,
    /// The request context forwarded to Okta.
    pub ctx: &'a CallContext,
    /// The request's cookies (the session and device cookies are set here); `None`: a poll
    /// made ahead in the background, with no browser waiting for its answer.
    pub jar: Option<&'a CookieJar<'a>>,
    /// A background attempt's device cookie for the flow's username, as the browser that
    /// asked held it (a foreground attempt reads its jar).
    pub device: bool,
}

impl<'a> Attempt<'a> {
    /// A request's attempt: its cookies are read and set.
    pub fn browser(session_id: &'a str, ctx: &'a CallContext, jar: &'a CookieJar<'a>) -> Self {
        Attempt {
            session_id,
            ctx,
            jar: Some(jar),
            device: false,
        }
    }

    /// An attempt no browser waits for (a poll made ahead); `device`: the asking browser
    /// holds a device cookie for the flow's username (its calls keep their priority).
    pub fn background(session_id: &'a str, ctx: &'a CallContext, device: bool) -> Self {
        Attempt {
            session_id,
            ctx,
            jar: None,
            device,
        }
    }

    /// Whether the browser holds a device cookie for `username`.
    pub(super) fn has_device_cookie(&self, protection: &Protection, username: &str) -> bool {
        match self.jar {
            Some(jar) => protection.has_device_cookie(jar, username),
            None => self.device,
        }
    }
}

impl SigninService {
    /// Feeds `event` to the visitor's flow under its lease, making Okta calls until the machine
    /// needs the user again; `Busy` when another request holds the lease.
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
        // No one waits for a background attempt: nothing to hide from its timing.
        if floor && attempt.jar.is_some() {
            self.protection.failure_floor(started).await;
        }
        // A completed sign-in renews this browser's device cookie for the username.
        if let (Ok((Driven::SignedIn { username, .. }, _)), Some(jar)) = (&result, attempt.jar) {
            if !username.is_empty() {
                self.protection.signed_in(jar, username);
            }
        }
        result.map(|(driven, _)| driven)
    }

    /// The visitor's sign-in in progress, as stored now.
    pub async fn flow_of(&self, id: &str) -> Result<Option<Flow>, AppError> {
        Ok(match self.sessions.load(id).await? {
            Some(Record::PreAuth(p)) => p.flow,
            _ => None,
        })
    }

    /// Lease time an Okta call needs left before it starts: its budget and a margin.
    fn lease_needed_ms(&self) -> i64 {
        self.okta.call_budget_ms().saturating_add(LEASE_MARGIN_MS)
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
            Some(Record::PreAuth(p)) => Some(p),
            Some(Record::SignedIn(_)) => None,
            None => Some(PreAuth {
                created_at: now,
                last_seen: now,
                ..PreAuth::default()
            }),
        };
        // A signed-in visitor has nothing to drive: send them on.
        let Some(mut pre) = pre else {
            return Ok((
                Driven::SignedIn {
                    return_to: String::new(),
                    username: String::new(),
                },
                false,
            ));
        };
        // An approval stashed by a poll made ahead: this request creates its session, unless
        // the visitor has moved on (cancelled, switched, started again): then it is dropped.
        let dropped = match pre.approved.take() {
            Some(approval) if !drops_approval(&event) => {
                let Some(jar) = attempt.jar else {
                    // Only a browser's request can set the session cookie: leave it stashed.
                    return Ok((Driven::Busy, false));
                };
                return Ok((self.commit_stashed(attempt, jar, *approval).await?, false));
            }
            dropped => dropped,
        };
        // Who this attempt is for, for the shield and the audit log: taken before the
        // machine consumes the flow (a completed or refused flow no longer holds it).
        let username = match &event {
            Event::SubmitPassword { username, .. }
            | Event::StartPasswordless { username, .. }
            | Event::StartRecovery { username } => Some(username.clone()),
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
        // A dropped approval's tokens go once the flow is saved without it.
        if let (Some(approval), Ok(driven)) = (dropped, &result) {
            if !matches!(driven, Driven::Busy) {
                self.drop_approval(*approval).await;
            }
        }
        let floor = floor && !matches!(result, Ok(Driven::SignedIn { .. }));
        result.map(|driven| (driven, floor))
    }
}

/// Events that move on from a stashed approval: it is dropped and the event handled.
fn drops_approval(event: &Event) -> bool {
    matches!(
        event,
        Event::Cancel
            | Event::SwitchFactor
            | Event::SubmitPassword { .. }
            | Event::StartPasswordless { .. }
            | Event::StartRecovery { .. }
    )
}

fn attempt_username(pre: &PreAuth) -> Option<String> {
    pre.flow
        .as_ref()
        .map(|f| f.username.clone())
        .or_else(|| pre.username.clone())
}

/// Methods from configuration, in the contract's order.
pub fn methods(list: &[Method]) -> Vec<Method> {
    Method::ALL
        .into_iter()
        .filter(|m| list.contains(m))
        .collect()
}
