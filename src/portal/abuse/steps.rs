//! The shields inside a flow, for every name known or not: wrong one-time codes per
//! username (a few free, then a backoff up to an hour), deliveries per username (the
//! SMS/call cooldown of passwordless starts, the outstanding cap, the daily cap), and
//! the bound on passwordless starts that cost Okta nothing.

use std::net::IpAddr;

use super::failures::{Failed, Reset};
use super::passwords::Admission;
use super::{seconds, Protection};
use crate::portal::error::AppError;
use crate::portal::session::StoreError;

/// A kind of delivery to a user's device, for the per-username caps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// A push (passwordless or second factor).
    Push,
    /// An SMS or a call for a passwordless start or resend: our own per-username cooldown
    /// applies before Okta's per-phone limit, for every name alike.
    FirstFactorPhone,
    /// Any other SMS, call or email.
    Message,
}

impl Protection {
    /// A one-time code for `username` may go on to Okta (or to a decoy's check): fewer
    /// than `code_failures_free` wrong codes so far, counting those in flight, or the
    /// backoff since the last one has passed (1, 2, 4 … s up to
    /// `code_max_backoff_seconds`). Keep the answer until the outcome is recorded.
    pub async fn admit_code(&self, username: &str, ip: IpAddr) -> Result<Admission, AppError> {
        let digest = self.digest(username);
        let admission = Admission::begin(self.failures.clone(), format!("code|{digest}")).await?;
        let now_ms = self.clock.now_ms();
        let f = self.failures.get(&digest, now_ms, &self.policy).await?;
        let spent = f.codes.saturating_add(admission.ahead);
        if spent >= self.config.code_failures_max {
            admission.end().await;
            return Err(self.deny("username_code_cap", 86_400, Some(&digest), ip));
        }
        let free = self.config.code_failures_free;
        if spent >= free {
            let exponent = (spent - free).min(30);
            let backoff_ms = (1000i64 << exponent)
                .min(self.config.code_max_backoff_seconds.saturating_mul(1000));
            let since_ms = now_ms.saturating_sub(f.last_code_ms);
            if admission.ahead > 0 || since_ms < backoff_ms {
                let wait = seconds(backoff_ms.saturating_sub(since_ms));
                admission.end().await;
                return Err(self.deny("username_code_backoff", wait, Some(&digest), ip));
            }
        }
        Ok(admission)
    }

    /// A wrong code (or one whose answer was lost) for `username`.
    pub async fn code_failed(&self, username: &str) -> Result<(), StoreError> {
        let digest = self.digest(username);
        self.failures
            .record(&digest, "", Failed::Code, self.clock.now_ms(), &self.policy)
            .await
    }

    /// A sign-in completed: the wrong-code count restarts.
    pub async fn codes_ok(&self, username: &str) -> Result<(), StoreError> {
        self.failures
            .reset(
                &self.digest(username),
                Reset::Codes,
                self.clock.now_ms(),
                &self.policy,
            )
            .await
    }

    /// Whether one more push, SMS, call or email may be sent for `username` (every name,
    /// known or not, so the answer tells nothing): the cooldown between SMS or calls,
    /// the outstanding cap and the daily cap. `Err(seconds)` to wait.
    /// `Err` when the shared caps could not be read (Redis down): nothing is sent then.
    pub async fn check_delivery(
        &self,
        username: &str,
        kind: Delivery,
        ip: IpAddr,
    ) -> Result<Result<(), i64>, StoreError> {
        let digest = self.digest(username);
        let deny = |limiter: &'static str, wait: i64| {
            self.metrics.rate_limited(limiter);
            tracing::info!(target: "audit", event = "rate_limited", limiter, user = %digest, ip = %ip, retry_after = wait);
            wait
        };
        if kind == Delivery::FirstFactorPhone {
            if let Err(w) = self.phone.check(&digest).await? {
                return Ok(Err(deny("username_phone_cooldown", w)));
            }
        }
        if let Err(w) = self.outstanding.check(&digest).await? {
            return Ok(Err(deny("username_deliveries_outstanding", w)));
        }
        Ok(self
            .daily
            .check(&digest)
            .await?
            .map_err(|w| deny("username_deliveries_daily", w)))
    }

    /// A passwordless authenticator-app start (no Okta call, a pending session).
    pub async fn check_free_start(&self, ip: IpAddr) -> Result<(), AppError> {
        self.free_starts
            .check("all")
            .await?
            .map_err(|wait| self.deny("free_starts", wait, None, ip))
    }
}
