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
pub mod limiter_redis;
mod passwords;
pub mod sketch;
mod steps;

pub use passwords::Admission;
pub use steps::Delivery;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rocket::http::CookieJar;

use crate::clock::Clock;
use crate::config::ProtectionConfig;
use crate::metrics::Metrics;
use crate::portal::error::AppError;
use crate::portal::session::Sessions;

use failures::{FailureStore, Policy};
use limiter::{ip_key, Limiter, LimiterHome};

/// What a request is trying to do, for the per-IP quotas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// A password submission or a passwordless start.
    SignIn,
    /// A one-time code submission.
    Code,
    /// A code resend.
    Resend,
    /// A push poll.
    Poll,
}

/// The sign-in protections: per-IP and per-username limits, delivery caps, and the
/// password and code failure budgets (with the device cookie that spares a known browser).
pub struct Protection {
    config: ProtectionConfig,
    clock: Clock,
    sessions: Arc<Sessions>,
    metrics: Arc<Metrics>,
    ip_signin: Limiter,
    ip_code: Limiter,
    ip_resend: Limiter,
    ip_poll: Limiter,
    username: Limiter,
    phone: Limiter,
    outstanding: Limiter,
    daily: Limiter,
    free_starts: Limiter,
    failures: Arc<dyn FailureStore>,
    policy: Policy,
}

impl Protection {
    /// `failures`: where failure counts live (see [`crate::portal::stores`]).
    pub fn new(
        config: ProtectionConfig,
        clock: Clock,
        sessions: Arc<Sessions>,
        metrics: Arc<Metrics>,
        failures: Arc<dyn FailureStore>,
        home: &LimiterHome,
    ) -> Self {
        let per_minute = |name: &str, n: u32| -> Limiter {
            let period = Duration::from_millis(60_000 / u64::from(n.max(1)));
            home.limiter(&clock, name, period, (n / 4).max(3))
        };
        let username_period =
            Duration::from_millis((1000.0 / config.username_per_second.max(0.01)) as u64);
        let every = |name: &str, seconds: i64, burst: u32| -> Limiter {
            let period =
                Duration::from_millis(seconds.max(1) as u64 * 1000 / u64::from(burst.max(1)));
            home.limiter(&clock, name, period.max(Duration::from_millis(1)), burst)
        };
        Protection {
            phone: every("phone", config.phone_cooldown_seconds, 1),
            outstanding: every(
                "outstanding",
                config.deliveries_window,
                config.deliveries_outstanding,
            ),
            daily: every("daily", 86_400, config.deliveries_per_day),
            free_starts: home.limiter(
                &clock,
                "free_starts",
                Duration::from_micros(1_000_000 / u64::from(config.free_starts_per_second.max(1))),
                config.free_starts_per_second,
            ),
            policy: Policy::from_config(&config),
            ip_signin: per_minute("ip_signin", config.ip_signin_per_minute),
            ip_code: per_minute("ip_code", config.ip_code_per_minute),
            ip_resend: per_minute("ip_resend", config.ip_resend_per_minute),
            ip_poll: per_minute("ip_poll", config.ip_poll_per_minute),
            username: home.limiter(&clock, "username", username_period, config.username_burst),
            failures,
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
    pub async fn check_ip(&self, ip: IpAddr, action: Action) -> Result<(), AppError> {
        let (limiter, name) = match action {
            Action::SignIn => (&self.ip_signin, "ip_signin"),
            Action::Code => (&self.ip_code, "ip_code"),
            Action::Resend => (&self.ip_resend, "ip_resend"),
            Action::Poll => (&self.ip_poll, "ip_poll"),
        };
        limiter
            .check(&ip_key(ip))
            .await?
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
    pub async fn check_username(
        &self,
        username: &str,
        device: bool,
        ip: IpAddr,
    ) -> Result<(), AppError> {
        let digest = self.digest(username);
        let key = if device {
            format!("device|{digest}")
        } else {
            digest.clone()
        };
        self.username
            .check(&key)
            .await?
            .map_err(|wait| self.deny("username_rate", wait, Some(&digest), ip))
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

    fn protection() -> (Protection, Clock) {
        let clock = Clock::new();
        let config = Config::default();
        let sessions = Arc::new(Sessions::new(
            Arc::new(MemoryStore::new(clock.clone())),
            clock.clone(),
            config.session.clone(),
            b"unit-test-secret-unit-test-secret".to_vec(),
        ));
        let protection = Protection::new(
            config.protection,
            clock.clone(),
            sessions,
            Arc::new(Metrics::new()),
            Arc::new(failures::FailureBook::default()),
            &LimiterHome::default(),
        );
        (protection, clock)
    }

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([198, 51, 100, n])
    }

    #[tokio::test]
    async fn attempts_in_flight_count_against_the_failure_budget() {
        // Okta answers slowly: wrong passwords from many IPs are admitted while earlier
        // ones are still in flight. However they interleave, no more of them may reach
        // Okta than the anonymous budget allows.
        let (g, clock) = protection();
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
        let (g, clock) = protection();
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
