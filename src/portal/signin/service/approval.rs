//! A completed sign-in, in two halves. [`SigninService::approval`] builds the signed-in
//! session from Okta's tokens (who, how, the account action it carries on);
//! [`SigninService::commit`] turns it into a session: the pre-sign-in session is destroyed,
//! the new one created under a new id and its cookie set, counted and audited once.
//!
//! A browser's request does both at once. A poll made ahead in the background has no
//! cookie jar: it stashes the approval in the pre-sign-in session (sealed, with the flow
//! it completed) and the browser's next request commits it ([`SigninService::commit_stashed`]),
//! under the flow's lease. A stash the visitor moved on from is dropped, its tokens revoked.

use rocket::http::CookieJar;

use super::run::signed_in;
use super::{Attempt, Driven, SigninService};
use crate::okta::TokenSet;
use crate::portal::error::AppError;
use crate::portal::session::{Approval, PreAuth, StoreError};

/// The audit step of an approval stashed by a poll made ahead.
const POLL: &str = "poll";

impl SigninService {
    /// The signed-in session Okta's `tokens` open for this flow's user, not yet stored.
    pub(super) fn approval(
        &self,
        attempt: &Attempt<'_>,
        tokens: TokenSet,
        return_to: String,
        remember: bool,
        username: Option<String>,
        pre: &mut PreAuth,
    ) -> Approval {
        let now = self.sessions.clock().now();
        let mut session = signed_in(tokens, remember, attempt.ctx, now);
        session.user_digest = username
            .as_deref()
            .map(|u| self.sessions.username_digest(u))
            .unwrap_or_default();
        // An account action waiting for this step-up goes on with the new session, if it
        // is the same user's and still live.
        session.pending = pre
            .pending
            .take()
            .filter(|p| p.user_id == session.user_id && p.live(now));
        Approval {
            session: Box::new(session),
            return_to,
            username,
        }
    }

    /// Creates the session `approval` holds: the pre-sign-in session goes, the new one is
    /// stored under a new id and its cookie set in `jar`.
    pub(super) async fn commit(
        &self,
        attempt: &Attempt<'_>,
        jar: &CookieJar<'_>,
        approval: Approval,
        step: Option<&str>,
    ) -> Result<Driven, StoreError> {
        let Approval {
            session,
            return_to,
            username,
        } = approval;
        self.sessions.delete(attempt.session_id).await?;
        self.audit(attempt, username.as_deref(), "succeeded", step);
        self.metrics.funnel("succeeded");
        self.metrics.sessions_created.inc();
        let remember = session.remember;
        let id = self.sessions.create_signed_in(*session).await?;
        self.sessions.set_signed_in_cookie(jar, id, remember);
        Ok(Driven::SignedIn {
            return_to,
            username: username.unwrap_or_default(),
        })
    }

    /// Commits an approval a poll made ahead stashed; a completed sign-in restarts the
    /// username's code count, as one made in the request does.
    pub(super) async fn commit_stashed(
        &self,
        attempt: &Attempt<'_>,
        jar: &CookieJar<'_>,
        approval: Approval,
    ) -> Result<Driven, AppError> {
        let username = approval.username.clone();
        let driven = self.commit(attempt, jar, approval, Some(POLL)).await?;
        if let Some(user) = username.as_deref() {
            if let Err(e) = self.protection.codes_ok(user).await {
                tracing::warn!(error = %e, "could not restart a code count");
            }
        }
        Ok(driven)
    }

    /// Forgets a stashed approval the visitor moved on from; its tokens are revoked (best
    /// effort: they were never handed to anyone).
    pub(super) async fn drop_approval(&self, approval: Approval) {
        let session = approval.session;
        let refresh = async {
            match &session.refresh_token {
                Some(t) => self.okta.revoke(t.expose(), "refresh_token").await,
                None => Ok(()),
            }
        };
        let access = self
            .okta
            .revoke(session.access_token.expose(), "access_token");
        let (r, a) = tokio::join!(refresh, access);
        for (kind, result) in [("refresh_token", r), ("access_token", a)] {
            if let Err(e) = result {
                tracing::warn!(token = kind, error = %e, "could not revoke a dropped approval's token");
            }
        }
    }
}
