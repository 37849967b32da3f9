//! The audit log (one structured event per attempt's outcome, the username only as a
//! keyed digest) and the failure metrics.

use super::{Attempt, SigninService};

impl SigninService {
    pub(super) fn failed(
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
    pub(super) fn audit(
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
