//! A client for the emulator's control API under `/emulator` (see the emulator's
//! `control.rs` and the README's control API table): outbox, pushes, faults, clock, key
//! rotation, reset, user status and traffic stats; plus the few OAuth calls tests make as
//! the portal's client to look at the emulator (introspection, the rate-limit probe).
//!
//! The `try_` methods answer errors (for the flood simulation); the others panic with the
//! emulator's answer when it is not what a test expects.

use reqwest::RequestBuilder;
use serde_json::{json, Value};

use crate::demo::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use crate::resp::Resp;
use crate::totp::{totp_at, wrong_totp_at};

/// A control-API client for one emulator.
#[derive(Clone)]
pub struct Control {
    /// The HTTP client (redirects are not followed).
    pub http: reqwest::Client,
    base: String,
}

impl Control {
    /// A client for the emulator at `base` (e.g. `http://127.0.0.1:8001`).
    pub fn new(base: &str) -> Control {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Control::with_client(http, base)
    }

    /// A client for the emulator at `base` that sends through `http`.
    pub fn with_client(http: reqwest::Client, base: &str) -> Control {
        Control {
            http,
            base: base.trim_end_matches('/').to_string(),
        }
    }

    /// The emulator's base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Issuer of the custom authorization server `default`.
    pub fn issuer(&self) -> String {
        format!("{}/oauth2/default", self.base)
    }

    /// The full URL of `path` on the emulator.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    // ---- requests ---------------------------------------------------------------------

    /// Sends a request and reads the answer.
    pub async fn try_send(&self, req: RequestBuilder) -> Result<Resp, String> {
        Resp::read(req.send().await.map_err(|e| e.to_string())?).await
    }

    /// Sends a request and reads the answer; panics when the emulator does not answer.
    pub async fn send(&self, req: RequestBuilder) -> Resp {
        self.try_send(req).await.expect("the emulator answers")
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.http.get(self.url(path))).await
    }

    /// `GET path`, its JSON body; panics when it is not JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert!(
            !r.json.is_null(),
            "GET {path}: not JSON: {} {}",
            r.status,
            r.text
        );
        r.json
    }

    /// `GET path`, its JSON body, or why not.
    pub async fn try_get_json(&self, path: &str) -> Result<Value, String> {
        let r = self
            .try_send(self.http.get(self.url(path)))
            .await
            .map_err(|e| format!("emulator {path}: {e}"))?;
        if r.json.is_null() {
            return Err(format!("emulator {path}: {} {}", r.status, r.text));
        }
        Ok(r.json)
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&self, path: &str, body: Value) -> Resp {
        self.send(self.http.post(self.url(path)).json(&body)).await
    }

    /// `POST path` without a body.
    pub async fn post_empty(&self, path: &str) -> Resp {
        self.send(self.http.post(self.url(path))).await
    }

    // ---- clock ------------------------------------------------------------------------

    /// The emulator's clock (`GET /emulator/clock`), or why not.
    pub async fn try_now(&self) -> Result<i64, String> {
        self.try_get_json("/emulator/clock").await?["now"]
            .as_i64()
            .ok_or_else(|| "emulator clock: no `now`".to_string())
    }

    /// The emulator's clock (`GET /emulator/clock`).
    pub async fn now(&self) -> i64 {
        self.try_now().await.expect("the emulator's clock")
    }

    /// Moves the emulator's clock (`POST /emulator/clock`); its new `now`, or why not.
    pub async fn try_advance(&self, seconds: i64) -> Result<i64, String> {
        let req = self
            .http
            .post(self.url("/emulator/clock"))
            .json(&json!({ "advance_seconds": seconds }));
        let r = self
            .try_send(req)
            .await
            .map_err(|e| format!("emulator clock: {e}"))?;
        if r.status != 200 {
            return Err(format!("emulator clock: {} {}", r.status, r.text));
        }
        r.json["now"]
            .as_i64()
            .ok_or_else(|| "emulator clock: no `now`".into())
    }

    /// Moves the emulator's clock (and a portal's sharing it); returns its new `now`.
    pub async fn advance(&self, seconds: i64) -> i64 {
        self.try_advance(seconds).await.expect("the clock moves")
    }

    /// The TOTP code of every demo user at the emulator's current time.
    pub async fn totp(&self) -> String {
        totp_at(self.now().await)
    }

    /// A six-digit code that is valid for none of the steps the emulator accepts now.
    pub async fn wrong_totp(&self) -> String {
        wrong_totp_at(self.now().await)
    }

    // ---- outbox and pushes ------------------------------------------------------------

    /// The messages (SMS, calls, emails) sent to `user`, newest first.
    pub async fn outbox(&self, user: &str) -> Vec<Value> {
        self.list(&format!("/emulator/outbox?user={user}")).await
    }

    /// The code in the newest message to `user`.
    pub async fn last_code(&self, user: &str) -> String {
        let outbox = self.outbox(user).await;
        newest_str(&outbox, "code").unwrap_or_else(|| panic!("no message with a code to {user}"))
    }

    /// `user`'s pending pushes, newest first.
    pub async fn pushes(&self, user: &str) -> Vec<Value> {
        self.list(&format!("/emulator/pushes?user={user}")).await
    }

    /// `GET path`, a JSON list; asserts a 200 and a list.
    async fn list(&self, path: &str) -> Vec<Value> {
        let r = self.get(path).await;
        assert_eq!(r.status, 200, "GET {path}: {}", r.text);
        r.json
            .as_array()
            .unwrap_or_else(|| panic!("GET {path}: not a list: {}", r.text))
            .clone()
    }

    /// The id of `user`'s newest pending push.
    pub async fn push_id(&self, user: &str) -> String {
        let pushes = self.pushes(user).await;
        newest_str(&pushes, "id").unwrap_or_else(|| panic!("{user} has no pending push"))
    }

    /// Approves a push, with the number when it uses number challenge.
    pub async fn approve(&self, push_id: &str, number: Option<u32>) -> Resp {
        let path = format!("/emulator/pushes/{push_id}/approve");
        match number {
            Some(n) => self.post_json(&path, json!({ "number": n })).await,
            None => self.post_empty(&path).await,
        }
    }

    /// Denies a push.
    pub async fn deny(&self, push_id: &str) -> Resp {
        self.post_empty(&format!("/emulator/pushes/{push_id}/deny"))
            .await
    }

    // ---- faults, keys, reset ----------------------------------------------------------

    /// `POST /emulator/faults` with a fault spec, as given.
    pub async fn add_fault(&self, spec: Value) -> Resp {
        self.post_json("/emulator/faults", spec).await
    }

    /// Injects a fault of `kind` on `endpoint`, `extra` fields (`status`, `delay_ms`,
    /// `count`) merged in; asserts the emulator took it.
    pub async fn fault(&self, endpoint: &str, kind: &str, extra: Value) {
        let mut spec = json!({ "endpoint": endpoint, "kind": kind });
        if let (Some(s), Some(e)) = (spec.as_object_mut(), extra.as_object()) {
            s.extend(e.clone());
        }
        let r = self.add_fault(spec).await;
        assert_eq!(r.status, 200, "fault accepted: {}", r.text);
    }

    /// `DELETE /emulator/faults`; asserts it worked.
    pub async fn clear_faults(&self) {
        let r = self
            .send(self.http.delete(self.url("/emulator/faults")))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }

    /// `POST /emulator/keys/rotate`.
    pub async fn rotate_keys(&self) -> Resp {
        self.post_empty("/emulator/keys/rotate").await
    }

    /// `POST /emulator/reset`; asserts it worked.
    pub async fn reset(&self) {
        let r = self.post_empty("/emulator/reset").await;
        assert_eq!(r.status, 200, "{}", r.text);
    }

    // ---- counters ---------------------------------------------------------------------

    /// `GET /emulator/users/{login}`, or why not.
    pub async fn try_user(&self, login: &str) -> Result<Value, String> {
        self.try_get_json(&format!("/emulator/users/{login}")).await
    }

    /// `GET /emulator/users/{login}`: lockout, failure and delivery counters, `/token`
    /// traffic. Asserts a 200.
    pub async fn user(&self, login: &str) -> Value {
        let r = self.get(&format!("/emulator/users/{login}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json
    }

    /// `user`'s phones as the MyAccount API sees them, from `GET /emulator/users/{login}`:
    /// `[{"id", "phoneNumber", "status": "VERIFIED"|"UNVERIFIED"}]`.
    pub async fn phones(&self, user: &str) -> Vec<Value> {
        self.user(user).await["phones"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// When `user` last set a password through the MyAccount API (emulator clock,
    /// seconds), or `None` if never since the seed.
    pub async fn password_changed_at(&self, user: &str) -> Option<i64> {
        self.user(user).await["password_changed_at"].as_i64()
    }

    /// How many `/token` requests for `user` reached the emulator.
    pub async fn token_requests(&self, user: &str) -> u64 {
        self.user(user).await["token_traffic"]["token_requests"]
            .as_u64()
            .unwrap_or(0)
    }

    /// `GET /emulator/stats`, or why not.
    pub async fn try_stats(&self) -> Result<Value, String> {
        self.try_get_json("/emulator/stats").await
    }

    /// `GET /emulator/stats`: per-username `/token` traffic and locked users.
    pub async fn stats(&self) -> Value {
        self.get_json("/emulator/stats").await
    }

    // ---- as the portal's client -------------------------------------------------------

    /// Introspects a token at the `default` server as the portal's client.
    pub async fn introspect(&self, token: &str) -> Value {
        let req = self
            .http
            .post(format!("{}/v1/introspect", self.issuer()))
            .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
            .form(&[("token", token)]);
        self.send(req).await.expect_ok().clone()
    }

    /// How many requests reached the emulator's `/token` endpoint in the current org
    /// rate-limit window (60 s of emulator time), whatever they were and however they
    /// ended. Read from `X-Rate-Limit-Remaining` of a probe request, which counts too: the
    /// difference of two readings is the requests in between plus one.
    pub async fn token_endpoint_hits(&self) -> u64 {
        let req = self
            .http
            .post(format!("{}/v1/token", self.issuer()))
            .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", "probe")]);
        let r = self.send(req).await;
        let number = |name: &str| -> u64 {
            r.header(name)
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("no {name} on the probe: {}", r.text))
        };
        number("X-Rate-Limit-Limit") - number("X-Rate-Limit-Remaining")
    }
}

/// A string field of the first (newest) entry of a list.
fn newest_str(list: &[Value], field: &str) -> Option<String> {
    list.first()
        .and_then(|v| v[field].as_str())
        .map(str::to_string)
}
