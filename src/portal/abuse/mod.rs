//! Abuse resistance, checked before any call to Okta:
//! - per client IP (IPv6 per /64), one quota per action: sign-in starts, code
//!   submissions, resends, wait-status polls;
//! - per username (keyed digest, never the raw name), kept below Okta's 4 requests/s,
//!   with a backoff that grows with consecutive failures;
//! - a failure budget per username that keeps forwarded wrong passwords below Okta's
//!   lockout threshold, with a separate budget for browsers holding a device cookie;
//!   attempts still waiting for Okta's answer count against it, so concurrency cannot
//!   overspend it; like Okta's own count it never decays with time (see [`failures`]);
//! - per IP+username, so one IP cannot spend the budget a real user needs;
//! - wrong one-time codes per username over every flow, resend and factor: a few free,
//!   then a backoff growing to an hour, so guessing a code at Okta is impractical;
//! - deliveries (pushes, SMS, calls, emails) per username: a cooldown between SMS or
//!   calls, a cap on outstanding challenges and a daily cap, applied to every name,
//!   known or not, so they neither pump SMS nor tell accounts apart;
//! - passwordless authenticator-app starts, which cost Okta nothing, per second on this
//!   instance, which bounds the pending sessions they create;
//! - a response-time floor on failed password attempts and on passwordless starts, code
//!   answers, resends and due polls, so unknown, wrong, locked and suspended look alike in
//!   timing as they already do in status, page and cookies.
//!
//! Every rejection is counted in metrics and logged as an audit event.

pub mod device;
pub mod failures;
pub mod limiter;
pub mod sketch;

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
use failures::{Failed, FailureBook, FailureStore, Policy, Reset};
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
    phone: Box<dyn KeyedLimiter>,
    outstanding: Box<dyn KeyedLimiter>,
    daily: Box<dyn KeyedLimiter>,
    free_starts: Box<dyn KeyedLimiter>,
    failures: Arc<dyn FailureStore>,
    policy: Policy,
}

/// A kind of delivery to a user's device, for the per-username caps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    Push,
    /// An SMS or a call for a passwordless start or resend: our own per-username cooldown
    /// applies before Okta's per-phone limit, for every name alike.
    FirstFactorPhone,
    /// Any other SMS, call or email.
    Message,
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
        let every = |seconds: i64, burst: u32| -> Box<dyn KeyedLimiter> {
            let period =
                Duration::from_millis(seconds.max(1) as u64 * 1000 / u64::from(burst.max(1)));
            Box::new(MemoryLimiter::with_period(
                &clock,
                period.max(Duration::from_millis(1)),
                burst,
            ))
        };
        Guard {
            phone: every(config.phone_cooldown_seconds, 1),
            outstanding: every(config.deliveries_window, config.deliveries_outstanding),
            daily: every(86_400, config.deliveries_per_day),
            free_starts: Box::new(MemoryLimiter::with_period(
                &clock,
                Duration::from_micros(1_000_000 / u64::from(config.free_starts_per_second.max(1))),
                config.free_starts_per_second,
            )),
            policy: Policy::from_config(&config),
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
        self.check_username(username, device, ip)
    }

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
    pub fn check_delivery(&self, username: &str, kind: Delivery, ip: IpAddr) -> Result<(), i64> {
        let digest = self.digest(username);
        let deny = |limiter: &'static str, wait: i64| {
            self.metrics.rate_limited(limiter);
            tracing::info!(target: "audit", event = "rate_limited", limiter, user = %digest, ip = %ip, retry_after = wait);
            wait
        };
        if kind == Delivery::FirstFactorPhone {
            self.phone
                .check(&digest)
                .map_err(|w| deny("username_phone_cooldown", w))?;
        }
        self.outstanding
            .check(&digest)
            .map_err(|w| deny("username_deliveries_outstanding", w))?;
        self.daily
            .check(&digest)
            .map_err(|w| deny("username_deliveries_daily", w))
    }

    /// A passwordless authenticator-app start (no Okta call, a pending session).
    pub fn check_free_start(&self, ip: IpAddr) -> Result<(), AppError> {
        self.free_starts
            .check("all")
            .map_err(|wait| self.deny("free_starts", wait, None, ip))
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

    /// Waits until `started` + the configured floor (failed password attempts, and the
    /// steps a decoy answers without Okta: passwordless starts, codes, resends, polls).
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
            &self.phone,
            &self.outstanding,
            &self.daily,
        ] {
            l.prune();
        }
        self.failures.prune(self.clock.now_ms(), &self.policy);
    }

    /// Keys currently held (for the flood simulation's memory figures).
    pub fn tracked_keys(&self) -> usize {
        [
            &self.ip_signin,
            &self.ip_code,
            &self.ip_resend,
            &self.ip_poll,
            &self.username,
            &self.phone,
            &self.outstanding,
            &self.daily,
        ]
        .iter()
        .map(|l| l.tracked_keys())
        .sum::<usize>()
            + self.failures.tracked_keys()
    }
}

/// Milliseconds as whole seconds to wait, at least 1.
fn seconds(ms: i64) -> i64 {
    (ms.saturating_add(999).div_euclid(1000)).max(1)
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
