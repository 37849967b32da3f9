//! Sending one request to Okta: client authentication, the end user's forwarded headers
//! (`X-Forwarded-For` only when configured), the local ceiling, one metric and one debug
//! line per call, and transport errors mapped to [`Upstream`]. Bodies are parsed as JSON
//! here and read in `answer`.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{answer, numbers, Bucket, CallContext, OktaClient, Upstream};

/// What a transport failure means to the portal.
pub(crate) fn transport_error(e: &reqwest::Error) -> Upstream {
    if e.is_timeout() {
        Upstream::Timeout
    } else if e.is_connect() {
        Upstream::Connect
    } else {
        Upstream::Malformed
    }
}

/// Why a request got no answer from Okta.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Unanswered {
    /// The local ceiling refused to send it; calls pass again at `until` (epoch seconds).
    HeldBack { until: i64 },
    /// Sent, but Okta could not be used.
    Upstream(Upstream),
}

impl From<Upstream> for Unanswered {
    fn from(e: Upstream) -> Self {
        Unanswered::Upstream(e)
    }
}

/// Okta's answer to one form POST.
pub(super) struct Reply {
    pub(super) status: u16,
    /// When a rate limit resets (epoch seconds), from Okta's headers.
    pub(super) reset: Option<i64>,
    /// The parsed JSON body; `Value::Null` for an empty body.
    pub(super) body: Value,
}

impl OktaClient {
    /// Sends one form POST with client authentication and returns status, headers of
    /// interest and the parsed JSON body (`Value::Null` for an empty body), unless the
    /// local ceiling holds it back.
    pub(super) async fn post(
        &self,
        url: &str,
        mut form: Vec<(&str, String)>,
        ctx: &CallContext,
    ) -> Result<Reply, Unanswered> {
        if let Some(acr) = &ctx.acr_values {
            form.push(("acr_values", acr.clone()));
        }
        let request = self.http.post(url).header("Accept", "application/json");
        let mut request = self.authenticate(request, &mut form, url)?;
        if let Some(ua) = &ctx.user_agent {
            request = request.header("User-Agent", ua.as_str());
        }
        if let Some(lang) = &ctx.accept_language {
            request = request.header("Accept-Language", lang.as_str());
        }
        if let (true, Some(ip)) = (self.forward_client_ip, ctx.client_ip) {
            request = request.header("X-Forwarded-For", ip.to_string());
        }
        let endpoint = url.rsplit('/').next().unwrap_or_default().to_string();
        let bucket = if endpoint == "token" {
            Bucket::Token
        } else {
            Bucket::Other
        };
        let fleet = self.ceiling.fleet_admits(bucket, ctx.priority).await;
        let _permit = match fleet.and_then(|()| self.ceiling.admit(bucket, ctx.priority)) {
            Ok(permit) => permit,
            Err(until) => {
                // Refused here: never sent, so not Okta's own rate limit.
                self.metrics
                    .okta_call(&endpoint, "held_by_ceiling", Duration::ZERO);
                return Err(Unanswered::HeldBack { until });
            }
        };
        let started = Instant::now();
        let result = request.form(&form).send().await;
        let response = match result {
            Ok(r) => r,
            Err(e) => {
                let err = transport_error(&e);
                self.metrics
                    .okta_call(&endpoint, "transport_error", started.elapsed());
                tracing::warn!(endpoint, error = %err, "Okta call failed");
                return Err(err.into());
            }
        };
        let status = response.status().as_u16();
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok());
        let reset = numbers::rate_limit_reset(
            self.clock.now(),
            header("X-Rate-Limit-Reset"),
            header("Retry-After"),
        );
        let request_id = response
            .headers()
            .get("X-Okta-Request-Id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = response.bytes().await.map_err(|e| transport_error(&e))?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).map_err(|_| {
                tracing::warn!(endpoint, status, okta_request_id = %request_id, "Okta sent a body that is not JSON");
                self.metrics.okta_call(&endpoint, "malformed", started.elapsed());
                Upstream::Malformed
            })?
        };
        if status == 429 {
            self.ceiling.observe_429(bucket, reset, &body);
        }
        let code = answer::error_code(&body).unwrap_or(if status < 300 { "ok" } else { "unknown" });
        self.metrics.okta_call(&endpoint, code, started.elapsed());
        tracing::debug!(endpoint, status, error = code, okta_request_id = %request_id, elapsed_ms = started.elapsed().as_millis() as u64, "Okta call");
        Ok(Reply {
            status,
            reset,
            body,
        })
    }
}
