//! Prometheus metrics: the sign-in funnel, failures by reason, Okta latency and error
//! codes, rate-limit rejections, sessions. One registry per portal instance (managed
//! state, no global registry), rendered at `/metrics`.

use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

/// The portal's Prometheus registry and its metrics.
pub struct Metrics {
    registry: Registry,
    funnel: IntCounterVec,
    failures: IntCounterVec,
    okta_requests: IntCounterVec,
    okta_latency: HistogramVec,
    rate_limited: IntCounterVec,
    /// Signed-in sessions created since start.
    pub sessions_created: IntGauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric registered (all at zero).
    pub fn new() -> Self {
        let registry = Registry::new_custom(Some("direct_signin".into()), None)
            .expect("static registry prefix is valid");
        let funnel = IntCounterVec::new(
            Opts::new("signin_funnel_total", "Sign-in funnel steps (started, mfa_required, challenge_sent, approved, denied, expired, succeeded)"),
            &["step"],
        )
        .expect("valid metric");
        let failures = IntCounterVec::new(
            Opts::new("signin_failures_total", "Failed sign-in attempts by reason"),
            &["reason"],
        )
        .expect("valid metric");
        let okta_requests = IntCounterVec::new(
            Opts::new(
                "okta_requests_total",
                "Calls to Okta by endpoint and result code",
            ),
            &["endpoint", "result"],
        )
        .expect("valid metric");
        let okta_latency = HistogramVec::new(
            HistogramOpts::new("okta_request_duration_seconds", "Latency of calls to Okta")
                .buckets(vec![
                    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ]),
            &["endpoint"],
        )
        .expect("valid metric");
        let rate_limited = IntCounterVec::new(
            Opts::new(
                "rate_limit_rejections_total",
                "Requests rejected by a rate limiter",
            ),
            &["limiter"],
        )
        .expect("valid metric");
        let sessions_created =
            IntGauge::new("sessions_created", "Signed-in sessions created since start")
                .expect("valid metric");
        for c in [
            Box::new(funnel.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(failures.clone()),
            Box::new(okta_requests.clone()),
            Box::new(okta_latency.clone()),
            Box::new(rate_limited.clone()),
            Box::new(sessions_created.clone()),
        ] {
            registry.register(c).expect("metric names are unique");
        }
        Metrics {
            registry,
            funnel,
            failures,
            okta_requests,
            okta_latency,
            rate_limited,
            sessions_created,
        }
    }

    /// Counts a sign-in funnel step (`started`, `mfa_required`, `succeeded` …).
    pub fn funnel(&self, step: &str) {
        self.funnel.with_label_values(&[step]).inc();
    }

    /// Counts a failed sign-in attempt by reason.
    pub fn failure(&self, reason: &str) {
        self.failures.with_label_values(&[reason]).inc();
    }

    /// Counts a call to Okta by endpoint and result, and records its latency.
    pub fn okta_call(&self, endpoint: &str, result: &str, elapsed: Duration) {
        self.okta_requests
            .with_label_values(&[endpoint, result])
            .inc();
        self.okta_latency
            .with_label_values(&[endpoint])
            .observe(elapsed.as_secs_f64());
    }

    /// Counts a request rejected by the named rate limiter.
    pub fn rate_limited(&self, limiter: &str) {
        self.rate_limited.with_label_values(&[limiter]).inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = vec![];
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}
