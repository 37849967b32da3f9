//! Abuse resistance, checked before any call to Okta:
//! - per client IP (IPv6 per /64), one quota per action: sign-in starts, code
//!   submissions, resends, wait-status polls;
//! - per username (keyed digest, never the raw name), kept below Okta's 4 requests/s,
//!   with a backoff that grows with consecutive failures;
//! - a failure budget per username that keeps forwarded wrong passwords below Okta's
//!   lockout threshold, with a separate budget for browsers holding a device cookie;
//!   attempts still waiting for Okta's answer count against it, so concurrency cannot
//!   overspend it;
//! - per IP+username, so one IP cannot spend the budget a real user needs;
//! - a response-time floor on failed password attempts, so unknown, wrong, locked and
//!   suspended look alike in timing as they already do in status, page and cookies.
//!
//! Every rejection is counted in metrics and logged as an audit event.

pub mod device;
pub mod failures;
pub mod limiter;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rocket::http::CookieJar;

use crate::clock::Clock;
use crate::config::ProtectionConfig;
use crate::metrics::Metrics;
use crate::portal::error::AppError;
use crate::portal::session::Sessions;
use crate::portal::session::StoreError;
use failures::{FailureBook, FailureStore};
use limiter::{ip_key, KeyedLimiter, MemoryLimiter};

/// What a request is trying to do, for the per-IP quotas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    SignIn,
    Code,
    Resend,
    Poll,
}

/// A password attempt admitted toward Okta: counted as in flight until [`Admission::end`]
/// (or, on an early return, until it is dropped).
#[must_use = "the attempt counts against the failure budget only while this is kept"]
pub struct Admission {
    failures: Arc<dyn FailureStore>,
    key: String,
    /// Attempts on the same budget that were already in flight.
    ahead: u32,
    ended: bool,
}

impl Admission {
    async fn begin(failures: Arc<dyn FailureStore>, key: String) -> Result<Self, StoreError> {
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

pub struct Guard {
    config: ProtectionConfig,
    clock: Clock,
    sessions: Arc<Sessions>,
    metrics: Arc<Metrics>,
    ip_signin: Box<dyn KeyedLimiter>,
    ip_code: Box<dyn KeyedLimiter>,
    ip_resend: Box<dyn KeyedLimiter>,
    ip_poll: Box<dyn KeyedLimiter>,
    username: Box<dyn KeyedLimiter>,
    failures: Arc<dyn FailureStore>,
}

impl Guard {
    /// `failures`: where failure counts live (`None`: this process's memory).
    pub fn new(
        config: ProtectionConfig,
        clock: Clock,
        sessions: Arc<Sessions>,
        metrics: Arc<Metrics>,
        failures: Option<Arc<dyn FailureStore>>,
    ) -> Self {
        let per_minute = |n: u32| -> Box<dyn KeyedLimiter> {
            Box::new(MemoryLimiter::per_minute(&clock, n, (n / 4).max(3)))
        };
        let username_period =
            Duration::from_millis((1000.0 / config.username_per_second.max(0.01)) as u64);
        Guard {
            ip_signin: per_minute(config.ip_signin_per_minute),
            ip_code: per_minute(config.ip_code_per_minute),
            ip_resend: per_minute(config.ip_resend_per_minute),
            ip_poll: per_minute(config.ip_poll_per_minute),
            username: Box::new(MemoryLimiter::with_period(
                &clock,
                username_period,
                config.username_burst,
            )),
            failures: failures.unwrap_or_else(|| Arc::new(FailureBook::default())),
            config,
            clock,
            sessions,
            metrics,
        }
    }

    fn deny(
        &self,
        limiter: &'static str,
        retry_after: i64,
        user: Option<&str>,
        ip: IpAddr,
    ) -> AppError {
        self.metrics.rate_limited(limiter);
        tracing::info!(target: "audit", event = "rate_limited", limiter, user = user.unwrap_or(""), ip = %ip, retry_after);
        AppError::RateLimited {
            retry_after,
            limiter,
        }
    }

    /// The per-IP quota for `action`.
    pub fn check_ip(&self, ip: IpAddr, action: Action) -> Result<(), AppError> {
        let (limiter, name) = match action {
            Action::SignIn => (&self.ip_signin, "ip_signin"),
            Action::Code => (&self.ip_code, "ip_code"),
            Action::Resend => (&self.ip_resend, "ip_resend"),
            Action::Poll => (&self.ip_poll, "ip_poll"),
        };
        limiter
            .check(&ip_key(ip))
            .map_err(|wait| self.deny(name, wait, None, ip))
    }

    /// The keyed digest of a username (what every per-username key and log line uses).
    pub fn digest(&self, username: &str) -> String {
        self.sessions.username_digest(username)
    }

    /// Whether this browser holds a device cookie for `username`.
    pub fn has_device_cookie(&self, jar: &CookieJar<'_>, username: &str) -> bool {
        device::valid_for(
            &self.sessions,
            jar,
            &self.digest(username),
            self.clock.now(),
        )
    }

    /// The per-username rate (any sign-in start for that name).
    pub fn check_username(&self, username: &str, device: bool, ip: IpAddr) -> Result<(), AppError> {
        let digest = self.digest(username);
        let key = if device {
            format!("device|{digest}")
        } else {
            digest.clone()
        };
        self.username
            .check(&key)
            .map_err(|wait| self.deny("username_rate", wait, Some(&digest), ip))
    }

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
        let window = self.config.failure_window;
        let f = self.failures.get(digest, now_ms, window).await?;
        // Milliseconds since the last failure: a whole-second clock would let the
        // "1 s" backoff end a few milliseconds after the failure.
        let since_ms = now_ms - f.last_failure_ms;
        let seconds = |ms: i64| ((ms + 999).div_euclid(1000)).max(1);
        let forget_in = seconds(window * 1000 - since_ms);
        let (spent, budget) = if device {
            (f.device, self.config.device_failure_budget)
        } else {
            (f.anonymous, self.config.anonymous_failure_budget)
        };
        if spent + ahead >= budget {
            return Err(self.deny("username_failure_budget", forget_in, Some(digest), ip));
        }
        if !device
            && self
                .failures
                .ip_user(&ip_key(ip), digest, now_ms, window)
                .await?
                >= self.config.ip_username_failures
        {
            return Err(self.deny("ip_username_failures", forget_in, Some(digest), ip));
        }
        // Backoff: 1, 2, 4 … (capped) seconds after each further consecutive failure.
        if spent >= 1 {
            let backoff = (1i64 << (spent - 1).min(16)).min(self.config.max_backoff_seconds);
            if since_ms < backoff * 1000 {
                let wait = seconds(backoff * 1000 - since_ms);
                return Err(self.deny("username_backoff", wait, Some(digest), ip));
            }
        }
        self.check_username(username, device, ip)
    }

    pub async fn password_failed(
        &self,
        username: &str,
        device: bool,
        ip: IpAddr,
    ) -> Result<(), StoreError> {
        let digest = self.digest(username);
        self.failures
            .record_failure(
                &digest,
                &ip_key(ip),
                device,
                self.clock.now_ms(),
                self.config.failure_window,
            )
            .await
    }

    /// A correct password (Okta answered tokens or `mfa_required`), from a browser with
    /// or without a device cookie.
    pub async fn password_ok(&self, username: &str, device: bool) -> Result<(), StoreError> {
        self.failures.reset(&self.digest(username), device).await
    }

    /// After a complete sign-in: remember this browser for this user.
    pub fn signed_in(&self, jar: &CookieJar<'_>, username: &str) {
        device::issue(
            &self.sessions,
            jar,
            &self.digest(username),
            self.clock.now(),
        );
    }

    /// Waits until `started` + the configured floor (failed password attempts).
    pub async fn failure_floor(&self, started: Instant) {
        let floor = Duration::from_millis(self.config.failure_floor_ms);
        let elapsed = started.elapsed();
        if elapsed < floor {
            tokio::time::sleep(floor - elapsed).await;
        }
    }

    /// Drops idle state (run periodically).
    pub fn prune(&self) {
        for l in [
            &self.ip_signin,
            &self.ip_code,
            &self.ip_resend,
            &self.ip_poll,
            &self.username,
        ] {
            l.prune();
        }
        self.failures
            .prune(self.clock.now_ms(), self.config.failure_window);
    }

    /// Keys currently held (for the flood simulation's memory figures).
    pub fn tracked_keys(&self) -> usize {
        [
            &self.ip_signin,
            &self.ip_code,
            &self.ip_resend,
            &self.ip_poll,
            &self.username,
        ]
        .iter()
        .map(|l| l.tracked_keys())
        .sum::<usize>()
            + self.failures.tracked_keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::portal::session::MemoryStore;

    fn guard() -> (Guard, Clock) {
        let clock = Clock::new();
        let config = Config::default();
        let sessions = Arc::new(Sessions::new(
            Arc::new(MemoryStore::new(clock.clone())),
            clock.clone(),
            config.session.clone(),
            b"unit-test-secret-unit-test-secret".to_vec(),
        ));
        let guard = Guard::new(
            config.protection,
            clock.clone(),
            sessions,
            Arc::new(Metrics::new()),
            None,
        );
        (guard, clock)
    }

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([198, 51, 100, n])
    }

    #[tokio::test]
    async fn attempts_in_flight_count_against_the_failure_budget() {
        // Okta answers slowly: wrong passwords from many IPs are admitted while earlier
        // ones are still in flight. However they interleave, no more of them may reach
        // Okta than the anonymous budget allows.
        let (g, clock) = guard();
        let budget = Config::default().protection.anonymous_failure_budget;
        let mut failures = 0;
        for round in 0..10u8 {
            let mut admitted = vec![];
            for i in 0..8u8 {
                let from = ip(round * 8 + i);
                if let Ok(a) = g.admit_password("bob@example.com", false, from).await {
                    admitted.push((a, from));
                }
            }
            for (admission, from) in admitted {
                g.password_failed("bob@example.com", false, from)
                    .await
                    .unwrap();
                failures += 1;
                admission.end().await;
            }
            clock.advance_secs(60);
        }
        assert_eq!(failures, budget, "wrong passwords that reached Okta");
    }

    #[tokio::test]
    async fn the_real_users_sign_in_does_not_refill_the_attackers_budget() {
        let (g, clock) = guard();
        let budget = Config::default().protection.anonymous_failure_budget;
        let mut forwarded = 0;
        for i in 0..20u8 {
            if let Ok(admission) = g.admit_password("bob@example.com", false, ip(i)).await {
                g.password_failed("bob@example.com", false, ip(i))
                    .await
                    .unwrap();
                forwarded += 1;
                admission.end().await;
            }
            clock.advance_secs(60);
        }
        assert_eq!(forwarded, budget);
        // Bob signs in from his browser with a device cookie…
        let admission = g
            .admit_password("bob@example.com", true, ip(200))
            .await
            .expect("the device budget is untouched");
        g.password_ok("bob@example.com", true).await.unwrap();
        admission.end().await;
        // …and the flood still gets nothing through.
        clock.advance_secs(60);
        assert!(g
            .admit_password("bob@example.com", false, ip(201))
            .await
            .is_err());
        // A correct password from a browser without a device cookie restarts everything.
        g.password_ok("bob@example.com", false).await.unwrap();
        assert!(g
            .admit_password("bob@example.com", false, ip(202))
            .await
            .is_ok());
    }
}
