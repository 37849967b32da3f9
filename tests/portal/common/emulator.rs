//! The emulator's side of a test: shorthands for the kit's control client (faults, the
//! clock, codes, push answers) and counts of what reached Okta.

use serde_json::Value;

use super::{until, Portal, BUDGET};

impl Portal {
    /// `GET path` at the emulator, its JSON body.
    pub async fn emu_get(&self, path: &str) -> Value {
        self.emu.get_json(path).await
    }

    /// Injects a fault at the emulator (`extra`: `status`, `delay_ms`, `count`).
    pub async fn fault(&self, endpoint: &str, kind: &str, extra: Value) {
        self.emu.fault(endpoint, kind, extra).await
    }

    /// Moves the shared clock (the portal's and the emulator's) forward.
    pub async fn advance(&self, secs: i64) {
        self.emu.advance(secs).await;
    }

    /// The current TOTP code of the demo secret at the emulator's time.
    pub async fn totp(&self) -> String {
        self.emu.totp().await
    }

    /// The newest code sent to `user`.
    pub async fn outbox_code(&self, user: &str) -> String {
        self.emu.last_code(user).await
    }

    /// The messages (SMS, calls, emails) sent to `user`, newest first.
    pub async fn outbox(&self, user: &str) -> Vec<Value> {
        self.emu.outbox(user).await
    }

    /// See [`testkit::Control::token_endpoint_hits`].
    pub async fn token_endpoint_hits(&self) -> u64 {
        self.emu.token_endpoint_hits().await
    }

    /// Calls to Okta's `endpoint` the portal counted in its metrics, whatever their result.
    pub async fn okta_calls(&self, endpoint: &str) -> u64 {
        let metrics = self.get("/metrics").await.body;
        let prefix = format!("direct_signin_okta_requests_total{{endpoint=\"{endpoint}\"");
        metrics
            .lines()
            .filter(|l| l.starts_with(&prefix))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    }

    /// The portal's `rate_limit_rejections_total` counter of `limiter` (0 if it never
    /// refused anything): which protection answered a 429.
    pub async fn rate_limited(&self, limiter: &str) -> u64 {
        self.rate_limited_all()
            .await
            .into_iter()
            .find(|(name, _)| name == limiter)
            .map_or(0, |(_, n)| n)
    }

    /// Every limiter that refused something, with its count, sorted by name.
    pub async fn rate_limited_all(&self) -> Vec<(String, u64)> {
        let metrics = self.get("/metrics").await.body;
        let prefix = "direct_signin_rate_limit_rejections_total{limiter=\"";
        let mut all: Vec<(String, u64)> = metrics
            .lines()
            .filter_map(|l| {
                let rest = l.strip_prefix(prefix)?;
                let (name, count) = rest.split_once("\"} ")?;
                Some((name.to_string(), count.trim().parse().ok()?))
            })
            .collect();
        all.sort();
        all
    }

    /// Calls to Okta this portal's ceiling held back and answered locally as a 429.
    pub async fn held_by_ceiling(&self) -> u64 {
        let metrics = self.get("/metrics").await.body;
        metrics
            .lines()
            .filter(|l| l.starts_with("direct_signin_okta_requests_total{"))
            .filter(|l| l.contains("result=\"held_by_ceiling\""))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    }

    /// How many `/token` requests for `user` reached the emulator.
    pub async fn token_requests(&self, user: &str) -> u64 {
        self.emu.token_requests(user).await
    }

    /// `user`'s `/token` requests once they number `n` at least, or the kit's budget ran
    /// out: a push poll the portal makes in the background (see `settled_status`).
    pub async fn token_requests_reach(&self, user: &str, n: u64) -> u64 {
        until(BUDGET, || self.token_requests(user), |c| *c >= n).await
    }

    /// `GET /signin/wait/status` until it is no longer `pending` or the kit's budget ran out;
    /// its last answer. A due poll is made in the background (the status answers `pending`
    /// at once), so an approval or denial shows one status request later. A non-JSON
    /// answer comes back as `{"state": "http <status>"}`.
    pub async fn settled_status(&self) -> Value {
        let ask = || async {
            let page = self.get("/signin/wait/status").await;
            match serde_json::from_str::<Value>(&page.body) {
                Ok(json) if page.status == 200 => json,
                _ => {
                    serde_json::json!({ "state": format!("http {}", page.status), "body": page.body })
                }
            }
        };
        until(BUDGET, ask, |s| s["state"] != "pending").await
    }

    /// `user`'s newest pending push (`Null` when there is none).
    pub async fn pending_push(&self, user: &str) -> Value {
        let pushes = self.emu.pushes(user).await;
        pushes.first().cloned().unwrap_or(Value::Null)
    }

    /// Approves (with the number, under number challenge) or denies `user`'s newest
    /// pending push; the emulator's answer.
    pub async fn answer_push(&self, user: &str, approve: bool, number: Option<u64>) -> Value {
        let id = self.emu.push_id(user).await;
        let answer = if approve {
            let number = number.map(|n| u32::try_from(n).expect("a push number"));
            self.emu.approve(&id, number).await
        } else {
            self.emu.deny(&id).await
        };
        answer.json
    }

    /// Introspects a token at the emulator as the portal's client.
    pub async fn introspect(&self, token: &str) -> Value {
        self.emu.introspect(token).await
    }

    /// Clears every fault injected at the emulator.
    pub async fn clear_faults(&self) {
        self.emu.clear_faults().await
    }
}
