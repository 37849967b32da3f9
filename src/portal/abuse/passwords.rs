//! The password attempt's checks: the failure budgets (anonymous and device-cookie),
//! the per IP+username share, the backoff and the per-username rate, with the attempts
//! still in flight counted (an [`Admission`] is held until Okta's answer is recorded).

use std::net::IpAddr;
use std::sync::Arc;

use super::failures::{Failed, FailureStore, Reset};
use super::limiter::ip_key;
use super::{seconds, Protection};
use crate::portal::error::AppError;
use crate::portal::session::StoreError;

/// A password attempt admitted toward Okta: counted as in flight until [`Admission::end`]
/// (or, on an early return, until it is dropped).
#[must_use = "the attempt counts against the failure budget only while this is kept"]
pub struct Admission {
    failures: Arc<dyn FailureStore>,
    key: String,
    /// Attempts on the same budget that were already in flight.
    pub(super) ahead: u32,
    ended: bool,
}

impl Admission {
    pub(super) async fn begin(
        failures: Arc<dyn FailureStore>,
        key: String,
    ) -> Result<Self, StoreError> {
        let ahead = failures.begin(&key).await?;
        Ok(Admission {
            failures,
            key,
            ahead,
            ended: false,
        })
    }

    /// The attempt's outcome is recorded: it no longer counts as in flight.
    pub async fn end(mut self) {
        self.ended = true;
        if let Err(e) = self.failures.end(&self.key).await {
            tracing::warn!(error = %e, "could not end a password attempt in the failure store");
        }
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        let (failures, key) = (self.failures.clone(), std::mem::take(&mut self.key));
        // Dropped on an early return: end it in the background (a store may need I/O).
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(async move {
                    let _ = failures.end(&key).await;
                });
            }
            Err(_) => tracing::warn!("a password attempt was dropped outside a runtime"),
        }
    }
}

impl Protection {
    /// Everything a password attempt must pass before it may reach Okta. Keep the
    /// answer until the attempt's outcome is recorded: until then it counts against
    /// the budget, so attempts admitted while others are still waiting for Okta cannot
    /// overspend it.
    pub async fn admit_password(
        &self,
        username: &str,
        device: bool,
        ip: IpAddr,
    ) -> Result<Admission, AppError> {
        let digest = self.digest(username);
        // In flight first, then the recorded failures: an attempt that ends in between
        // is seen in one or the other, never in neither.
        let key = if device {
            format!("device|{digest}")
        } else {
            digest.clone()
        };
        let admission = Admission::begin(self.failures.clone(), key).await?;
        match self
            .judge_password(&digest, username, device, ip, admission.ahead)
            .await
        {
            Ok(()) => Ok(admission),
            Err(refusal) => {
                // A refused attempt never reaches Okta: it stops counting at once.
                admission.end().await;
                Err(refusal)
            }
        }
    }

    /// The budget, per IP+username, backoff and rate checks of a password attempt, with
    /// `ahead` attempts on the same budget already in flight.
    async fn judge_password(
        &self,
        digest: &str,
        username: &str,
        device: bool,
        ip: IpAddr,
        ahead: u32,
    ) -> Result<(), AppError> {
        let now_ms = self.clock.now_ms();
        let f = self.failures.get(digest, now_ms, &self.policy).await?;
        // Milliseconds since the last failure: a whole-second clock would let the
        // "1 s" backoff end a few milliseconds after the failure.
        let since_ms = now_ms.saturating_sub(f.last_failure_ms);
        // A spent budget comes back only with a correct password (or Okta's declared
        // auto-unlock): the wait a refused browser is told is the auto-unlock's, or a day.
        let retry_later = self
            .policy
            .auto_unlock_ms
            .map_or(86_400, |p| seconds(p.saturating_sub(since_ms)).min(86_400));
        let (spent, budget) = if device {
            (f.device, self.config.device_failure_budget)
        } else {
            (f.anonymous, self.config.anonymous_failure_budget)
        };
        if spent.saturating_add(ahead) >= budget {
            return Err(self.deny("username_failure_budget", retry_later, Some(digest), ip));
        }
        if !device
            && self
                .failures
                .ip_user(&ip_key(ip), digest, now_ms, &self.policy)
                .await?
                >= self.config.ip_username_failures
        {
            let wait = seconds(self.policy.ip_window_ms.saturating_sub(since_ms));
            return Err(self.deny("ip_username_failures", wait, Some(digest), ip));
        }
        // Backoff: 1, 2, 4 … (capped) seconds after each further consecutive failure.
        if spent >= 1 {
            let backoff = (1i64 << (spent - 1).min(16)).min(self.config.max_backoff_seconds);
            if since_ms < backoff * 1000 {
                let wait = seconds(backoff * 1000 - since_ms);
                return Err(self.deny("username_backoff", wait, Some(digest), ip));
            }
        }
        self.check_username(username, device, ip).await
    }

    /// Records a wrong password for `username` (`device`: the browser has a valid device cookie).
    pub async fn password_failed(
        &self,
        username: &str,
        device: bool,
        ip: IpAddr,
    ) -> Result<(), StoreError> {
        let digest = self.digest(username);
        let what = if device {
            Failed::Device
        } else {
            Failed::Anonymous
        };
        self.failures
            .record(
                &digest,
                &ip_key(ip),
                what,
                self.clock.now_ms(),
                &self.policy,
            )
            .await
    }

    /// A correct password (Okta answered tokens or `mfa_required`), from a browser with
    /// or without a device cookie.
    pub async fn password_ok(&self, username: &str, device: bool) -> Result<(), StoreError> {
        let what = if device {
            Reset::DevicePasswords
        } else {
            Reset::Passwords
        };
        self.failures
            .reset(
                &self.digest(username),
                what,
                self.clock.now_ms(),
                &self.policy,
            )
            .await
    }
}
