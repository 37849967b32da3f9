//! How a sign-in handler answers: what the service did becomes a redirect
//! (post/redirect/get), a page shown again, or the error page; plus the [`Visitor`]
//! helpers the sign-in handlers share.

use rocket::http::Status;
use rocket::response::Redirect;

use super::forms::{Invalid, StepUp};
use super::machine::{Event, Failure, Flow, Notice, Page};
use super::service::{Attempt, Driven, StepUpStart};
use super::views::{self, SigninView};
use crate::portal::error::AppError;
use crate::portal::guards::Visitor;
use crate::portal::security::safe_return_to_under;
use crate::portal::session::{PreAuth, Record};
use crate::portal::views::Reply;

/// A redirect to `path` (303 See Other, as Rocket's `Redirect::to` answers).
pub fn see(path: impl Into<String>) -> Reply {
    Reply::Redirect(Box::new(Redirect::to(path.into())))
}

impl<'a> Again<'a> {
    /// The form of the session `session_id` as typed.
    pub fn new(
        session_id: &'a str,
        typed_username: &'a str,
        return_to: &'a str,
        remember: bool,
        step_up: Option<StepUp>,
    ) -> Self {
        Again {
            step_up,
            session_id,
            typed_username,
            return_to,
            remember,
        }
    }
}

/// The sign-in form shown again after a refused submission.
#[derive(Clone, Copy)]
pub struct Again<'a> {
    /// Set when the form was a step-up sign-in (it stays one).
    pub step_up: Option<StepUp>,
    /// The visitor's session id (for the form's CSRF token).
    pub session_id: &'a str,
    /// The username as typed, to put back in the form.
    pub typed_username: &'a str,
    /// Where to go after sign-in, kept in the form.
    pub return_to: &'a str,
    /// Whether "Keep me signed in" was ticked.
    pub remember: bool,
}

impl<'r> Visitor<'r> {
    /// The URL of the portal's `path` (`/signin`, `/account`) under its base.
    pub fn url(&self, path: &str) -> String {
        self.app.base.url(path)
    }

    /// A redirect to a sign-in step's page.
    pub fn see_page(&self, page: Page) -> Reply {
        see(self.url(page.path()))
    }

    /// `reply` when the page fits the flow's step, else a redirect to the page that does.
    pub fn shown(&self, reply: Option<Reply>, flow: Option<&Flow>) -> Reply {
        reply.unwrap_or_else(|| self.see_page(Page::of(flow)))
    }

    /// The request's side of a service call for the session `id`.
    pub fn attempt<'a>(&'a self, id: &'a str) -> Attempt<'a> {
        Attempt::browser(id, &self.ctx.0, self.jar)
    }

    /// The visitor's sign-in in progress.
    pub fn flow(&self) -> Option<&Flow> {
        self.current.pre_auth().and_then(|p| p.flow.as_ref())
    }

    /// A safe `return_to`: a local path, or an absolute URL on the host this request was
    /// sent to or on one of `gateway.allowed_hosts` (https, or http on loopback); else the
    /// configured default.
    pub fn return_to(&self, raw: Option<&str>) -> String {
        if let Some(url) = raw.and_then(|r| self.allowed_absolute(r)) {
            return url;
        }
        safe_return_to_under(
            &self.app.base,
            raw,
            &self.app.config.signin.default_return_to,
        )
    }

    /// Where a sign-out with this `return_to` lands: an allowed absolute URL or a local
    /// path, or `None` for the sign-in page with its "signed out" notice.
    pub fn return_to_after_sign_out(&self, raw: Option<&str>) -> Option<String> {
        let raw = raw?;
        if let Some(url) = self.allowed_absolute(raw) {
            return Some(url);
        }
        let local = safe_return_to_under(&self.app.base, Some(raw), "");
        (!local.is_empty()).then_some(local)
    }

    fn allowed_absolute(&self, raw: &str) -> Option<String> {
        if raw.len() > 2048 || raw.chars().any(char::is_control) {
            return None;
        }
        let url = url::Url::parse(raw).ok()?;
        let host = url.host_str()?;
        let loopback = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
        let scheme = url.scheme() == "https" || (url.scheme() == "http" && loopback);
        let clean = url.username().is_empty() && url.password().is_none();
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        let this_host = self
            .host
            .is_some_and(|h| h.eq_ignore_ascii_case(&authority));
        let allowed = this_host || self.app.config.gateway.allows_host(host);
        (scheme && clean && allowed).then(|| url.to_string())
    }

    /// Where a completed sign-in lands.
    pub fn landing(&self, return_to: String) -> String {
        if return_to.is_empty() {
            self.app.config.signin.default_return_to.to_string()
        } else {
            return_to
        }
    }

    /// Runs `event` through the service, then [`Visitor::finish`].
    pub async fn drive(&self, id: &str, event: Event) -> Result<Reply, AppError> {
        let driven = self.app.signin.drive(self.attempt(id), event).await?;
        self.finish(driven)
    }

    /// Maps what the service did to the post/redirect/get answer.
    pub fn finish(&self, driven: Driven) -> Result<Reply, AppError> {
        Ok(match driven {
            Driven::Show(page) => self.see_page(page),
            Driven::SignedIn { return_to, .. } => see(self.landing(return_to)),
            Driven::Restart(_, page) => self.see_page(page),
            Driven::Recovered => self.see_page(Page::Signin),
            Driven::Reject(_, flow) => self.see_page(Page::of(flow.as_ref())),
            Driven::Fail(f) => return Err(self.failure(f)),
            Driven::Busy => self.see_page(Page::of(self.flow())),
        })
    }

    fn failure(&self, f: Failure) -> AppError {
        match f {
            Failure::RateLimited { reset } => AppError::RateLimited {
                retry_after: reset
                    .map_or(30, |r| (r - self.app.sessions.clock().now()).clamp(1, 3600)),
                limiter: "okta",
            },
            Failure::HeldBack { until } => AppError::RateLimited {
                retry_after: (until - self.app.sessions.clock().now()).clamp(1, 3600),
                limiter: "okta_ceiling",
            },
            Failure::Upstream(u) => AppError::Upstream(u),
            Failure::PolicyDenied => AppError::PolicyDenied,
            Failure::Internal => AppError::Internal("a sign-in flow and its answer do not fit"),
        }
    }

    /// The sign-in form as the visitor left it, with `invalid` beside its field.
    pub fn signin_again(&self, again: Again<'_>, status: Status, invalid: Invalid) -> Reply {
        let view = SigninView {
            username: again.typed_username.trim().to_string(),
            return_to: again.return_to.to_string(),
            notice: None,
            error: Some(invalid),
            remember: again.remember,
            step_up: again.step_up,
        };
        views::signin(self.app, again.session_id, status, view)
    }

    /// The sign-in form on arrival: the username and notice of a flow that ended.
    pub fn signin_fresh(&self, id: &str, return_to: String, notice: Option<&str>) -> Reply {
        let pre = self.current.pre_auth();
        let query_notice = match notice {
            Some("signed_out") => Some(Notice::SignedOut),
            Some("session_ended") => Some(Notice::SessionEnded),
            _ => None,
        };
        let username = pre
            .and_then(|p| {
                p.flow
                    .as_ref()
                    .map(|f| f.username.clone())
                    .or_else(|| p.username.clone())
            })
            .unwrap_or_default();
        let view = SigninView {
            username,
            return_to,
            notice: pre.and_then(|p| p.notice).or(query_notice),
            error: None,
            remember: false,
            step_up: None,
        };
        views::signin(self.app, id, Status::Ok, view)
    }

    /// The signed-in user's username, as a step-up sign-in fixes it.
    fn signed_in_username(&self) -> Option<String> {
        let s = self.current.signed_in()?;
        Some(
            s.preferred_username
                .clone()
                .unwrap_or_else(|| s.user_id.clone()),
        )
    }

    /// The step-up form for the signed-in user: their username fixed, the reason shown.
    pub fn signin_step_up(&self, id: &str, return_to: String, step_up: StepUp) -> Reply {
        let view = SigninView {
            username: self.signed_in_username().unwrap_or_default(),
            return_to,
            notice: Some(match step_up {
                StepUp::Account => Notice::ConfirmChange,
                _ => Notice::ConfirmIdentity,
            }),
            error: None,
            remember: false,
            step_up: Some(step_up),
        };
        views::signin(self.app, id, Status::Ok, view)
    }

    /// `input` as a step-up sign-in makes it (see [`Visitor::begin_step_up`]).
    pub async fn step_up_input<I: StepUpStart>(
        &self,
        mut input: I,
        step_up: Option<StepUp>,
    ) -> Result<I, AppError> {
        // An account step-up carries its pending action, and asks Okta what it asked for.
        let pending = match step_up {
            Some(StepUp::Account) => self
                .current
                .signed_in()
                .and_then(|s| s.pending.clone())
                .or_else(|| self.current.pre_auth().and_then(|p| p.pending.clone())),
            _ => None,
        };
        let acr_values = match &pending {
            Some(p) => p.acr_values.clone(),
            None => step_up.and_then(StepUp::acr_values),
        };
        let signed_in = self.current.signed_in().is_some();
        let username = self.begin_step_up(step_up).await?;
        if let (true, Some(pending), Some(id)) = (signed_in, pending, &self.current.id) {
            let now = self.app.sessions.clock().now();
            let pre = PreAuth {
                pending: Some(pending),
                created_at: now,
                last_seen: now,
                ..PreAuth::default()
            };
            self.app.sessions.save(id, &Record::PreAuth(pre)).await?;
        }
        input.step_up(username, acr_values);
        Ok(input)
    }

    /// A signed-in visitor who is not stepping up goes straight on.
    pub fn already_signed_in(&self, return_to: &str, step_up: Option<StepUp>) -> Option<Reply> {
        (self.current.signed_in().is_some() && step_up.is_none()).then(|| see(return_to))
    }

    /// Starts a step-up sign-in: the signed-in session ends (its tokens revoked) and the
    /// sign-in runs again for its username, whatever the form says; answers that username
    /// (`None` when no one is signed in: a plain sign-in, still asking Okta for `step_up`).
    pub async fn begin_step_up(&self, step_up: Option<StepUp>) -> Result<Option<String>, AppError> {
        let (Some(_), Some(username)) = (step_up, self.signed_in_username()) else {
            return Ok(None);
        };
        crate::portal::account::service::sign_out(self.app, self.current).await?;
        Ok(Some(username))
    }
}
