//! The push wait: its page (works without JavaScript) and the status its script reads
//! every 2 s (`static/wait.js`).
//!
//! The status never waits for Okta. When a poll is due it is made ahead, in the
//! background, and the status answers `pending` at once, for a real push and a decoy alike
//! (the request does the same work for both, so timing tells nothing); before then the
//! stored flow answers `pending` without taking the flow's lease or writing anything. What the poll ends
//! in is saved in the pre-sign-in session; the next status request reads it: an approval
//! stashed there is committed (session created, cookie set), a denied or expired push
//! answered from the notice the restart left. The flow's lease and its `next_poll_at` keep
//! it to one Okta poll per interval however many status requests arrive. The page without
//! JavaScript still polls in the request, behind the failure floor.

use std::sync::Arc;

use rocket::serde::json::Json;
use rocket::{get, State};
use serde::Serialize;

use super::answers::see;
use super::machine::{Event, Flow, Notice, Page, Step};
use super::service::{Attempt, Driven};
use super::views;
use crate::okta::CallContext;
use crate::portal::abuse::Action;
use crate::portal::error::AppError;
use crate::portal::guards::Visitor;
use crate::portal::session::PreAuth;
use crate::portal::views::Reply;
use crate::portal::Portal;

/// Polls Okta if it is time (the service enforces `interval`), then shows the wait page.
/// Works without JavaScript: a refresh or the Continue button lands here.
#[get("/signin/wait")]
pub async fn wait_page(v: Visitor<'_>) -> Result<Reply, AppError> {
    let Some(id) = v.current.id.clone() else {
        return Ok(v.see_page(Page::Signin));
    };
    v.check_ip(Action::Poll).await?;
    let stashed = v.current.pre_auth().is_some_and(|p| p.approved.is_some());
    if v.flow().is_none() && !stashed {
        return Ok(match (v.current.signed_in(), v.current.pre_auth()) {
            (Some(_), _) => see(v.url("/account")),
            (None, pre) => v.see_page(restarted_to(pre)),
        });
    }
    let flow = match v.app.signin.drive(v.attempt(&id), Event::Poll).await? {
        Driven::Show(Page::Wait) | Driven::Busy => v.app.signin.flow_of(&id).await?,
        other => return v.finish(other),
    };
    Ok(match flow {
        Some(flow) => v.shown(views::wait(v.app, &id, &flow), Some(&flow)),
        None => v.see_page(Page::Signin),
    })
}

/// What the wait page's script reads.
#[derive(Serialize)]
pub struct WaitStatus {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect: Option<String>,
}

fn state(state: &'static str, redirect: &str) -> Json<WaitStatus> {
    Json(WaitStatus {
        state,
        redirect: Some(redirect.to_string()),
    })
}

fn pending() -> Json<WaitStatus> {
    Json(WaitStatus {
        state: "pending",
        redirect: None,
    })
}

/// The wait's state for its script: never waits for Okta (see the module's documentation).
#[get("/signin/wait/status")]
pub async fn wait_status(
    app: &State<Arc<Portal>>,
    v: Visitor<'_>,
) -> Result<Json<WaitStatus>, AppError> {
    let signin = &v.url(Page::Signin.path());
    let Some(id) = v.current.id.clone() else {
        return Ok(state("expired", signin));
    };
    v.check_ip(Action::Poll).await?;
    if v.current.signed_in().is_some() {
        return Ok(state("approved", &v.landing(String::new())));
    }
    let Some(pre) = v.current.pre_auth() else {
        return Ok(state("expired", signin));
    };
    // A stashed approval is committed below, in the request (it sets the cookie).
    if pre.approved.is_none() {
        let Some(flow) = &pre.flow else {
            return Ok(ended(&v, pre));
        };
        match push_poll(flow, v.app.sessions.clock().now()) {
            Some(true) => {
                let device = v.app.protection.has_device_cookie(v.jar, &flow.username);
                poll_ahead(Arc::clone(app.inner()), id, v.ctx.0.clone(), device);
                return Ok(pending());
            }
            // Nothing to do before the next poll: the stored flow answers (no lease, no
            // write; the polls made ahead keep the session's activity time fresh).
            Some(false) => return Ok(pending()),
            None => {}
        }
    }
    Ok(
        match v.app.signin.drive(v.attempt(&id), Event::Poll).await? {
            Driven::Show(Page::Wait) | Driven::Busy => pending(),
            Driven::Show(page) => state("approved", &v.url(page.path())),
            Driven::SignedIn { return_to, .. } => state("approved", &v.landing(return_to)),
            Driven::Restart(Notice::Denied, page) => state("denied", &v.url(page.path())),
            Driven::Restart(_, page) => state("expired", &v.url(page.path())),
            _ => state("expired", signin),
        },
    )
}

/// For a flow that waits for a push within its deadline: whether its next poll is due;
/// `None` for any other flow (the machine answers it in the request, without Okta).
fn push_poll(flow: &Flow, now: i64) -> Option<bool> {
    match flow.step {
        Step::WaitPush {
            next_poll_at,
            deadline,
            ..
        } if now < deadline => Some(now >= next_poll_at),
        _ => None,
    }
}

/// Drives the visitor's flow with a poll in the background: the lease makes a poll that
/// another request or instance is already making a no-op.
fn poll_ahead(app: Arc<Portal>, id: String, ctx: CallContext, device: bool) {
    tokio::spawn(async move {
        let attempt = Attempt::background(&id, &ctx, device);
        if let Err(e) = app.signin.drive(attempt, Event::Poll).await {
            tracing::warn!(error = %e, "a push poll made ahead failed");
        }
    });
}

/// The status of a flow that ended without the browser (a poll made ahead restarted it):
/// the restart's notice and page, as a status that polled would have answered.
fn ended(v: &Visitor<'_>, pre: &PreAuth) -> Json<WaitStatus> {
    let page = v.url(restarted_to(Some(pre)).path());
    match pre.notice {
        Some(Notice::Denied) => state("denied", &page),
        _ => state("expired", &page),
    }
}

/// Where the last restart of the visitor's flow led (the sign-in page if none did).
fn restarted_to(pre: Option<&PreAuth>) -> Page {
    pre.and_then(|p| p.restarted_to).unwrap_or(Page::Signin)
}
