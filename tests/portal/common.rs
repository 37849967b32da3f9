//! Test harness: the real portal builder driven by Rocket's tracked local client, against
//! the real emulator on an ephemeral port. Both clocks can be moved; nothing sleeps for a
//! time window.
//! `Portal::browser` adds a second browser (its own cookie jar) on the same emulator and
//! session store; `get_as` replays a cookie value; `token_endpoint_hits` and `okta_calls`
//! count what reached Okta. What the portal does in the background (a push poll made ahead
//! of the status request) is awaited with `settled_status` and `token_requests_reach`,
//! within the kit's real-time budget.

#![allow(dead_code)]

use std::sync::Arc;

use direct_signin::clock::Clock;
use direct_signin::config::{Config, Secret};
use direct_signin::portal::abuse::failures::FailureBook;
use direct_signin::portal::session::{
    LeaseToken, MemoryStore, Record, SessionKey, SessionStore, Sessions, SignedIn,
};
use direct_signin::portal::stores::Stores;
use direct_signin::portal::{self, Parts};
use parking_lot::Mutex;
use rocket::config::LogLevel;
use rocket::figment::Figment;
use rocket::http::{ContentType, Cookie, Header};
use rocket::local::asynchronous::Client;
use serde_json::Value;
use testkit::demo::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use testkit::html::csrf_token;
use testkit::TestEmulator;

pub use testkit::demo::PASSWORD;
pub use testkit::html::unescape;
pub use testkit::wait::{until, BUDGET};
/// The session cookie's name.
pub const SID: &str = "__Host-sid";
/// Seconds until a push poll is due: the emulator's 5 s interval, and the second the portal
/// adds because its clock counts whole seconds (a poll is never early by Okta's clock).
pub const POLL_DUE: i64 = 6;

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every `Set-Cookie` header of the response.
    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Set-Cookie"))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The `Set-Cookie` header for the session cookie, if the response sets one.
    pub fn session_cookie(&self) -> Option<&str> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{SID}=")))
    }

    /// The value of the `value` attribute of the input named `name`.
    pub fn input_value(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\"");
        let at = self.body.find(&marker)?;
        let tag_start = self.body[..at].rfind('<')?;
        let tag_end = at + self.body[at..].find('>')?;
        let tag = &self.body[tag_start..tag_end];
        let v = tag.find("value=\"")? + "value=\"".len();
        let end = tag[v..].find('"')? + v;
        Some(unescape(&tag[v..end]))
    }

    /// The number shown in `id="binding-code"` on the push wait page.
    pub fn binding_code(&self) -> Option<u64> {
        self.body
            .split("id=\"binding-code\"")
            .nth(1)
            .and_then(|s| s.split('>').nth(1))
            .and_then(|s| s.split('<').next())
            .and_then(|s| s.trim().parse().ok())
    }

    /// The body with Tera's HTML escaping undone (for matching text with apostrophes).
    pub fn text(&self) -> String {
        unescape(&self.body)
    }

    /// How many one-line notices the page shows.
    pub fn notices(&self) -> usize {
        self.body.matches("class=\"notice ").count()
    }

    /// The operation id on an error page.
    pub fn operation_id(&self) -> Option<String> {
        let marker = "id=\"operation-id\">";
        let start = self.body.find(marker)? + marker.len();
        let end = self.body[start..].find('<')? + start;
        Some(self.body[start..end].to_string())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    #[track_caller]
    pub fn assert_redirect(&self, to: &str) {
        assert_eq!(
            self.status, 303,
            "expected a 303 to {to}, got {} {:?}\n{}",
            self.status, self.location, self.body
        );
        assert_eq!(self.location.as_deref(), Some(to));
    }
}

/// One browser (its own cookie jar) on a portal, with the emulator behind it.
pub struct Portal {
    pub client: Client,
    /// The emulator, with the kit's control client (`p.emu.stats()`, `p.emu.user(BOB)`).
    pub emu: Arc<TestEmulator>,
    pub clock: Clock,
    pub store: Arc<MemoryStore>,
    pub config: Config,
    csrf: Mutex<Option<String>>,
    leases: Mutex<std::collections::HashMap<String, LeaseToken>>,
}

impl Portal {
    pub async fn start() -> Self {
        Self::with(|_| {}).await
    }

    /// A portal whose configuration `tweak` may change.
    pub async fn with(tweak: impl FnOnce(&mut Config)) -> Self {
        let emu = testkit::start().await;
        let mut config = Config::default();
        config.okta.issuer = Some(emu.issuer());
        config.okta.client_id = Some(DEMO_CLIENT_ID.into());
        config.okta.client_secret = Some(Secret::new(DEMO_CLIENT_SECRET));
        config.okta.timeout_ms = 1500;
        // As the embedded demo asks: the account page's MyAccount scopes.
        for scope in direct_signin::okta::myaccount::SESSION_SCOPES {
            config.okta.scopes.push(' ');
            config.okta.scopes.push_str(scope);
        }
        config.session.secret = Some(Secret::new("test-secret-test-secret-test-secret!"));
        tweak(&mut config);
        config.validate(false).expect("valid test configuration");
        // The portal shares the emulator's clock, as in the `cargo run` demo.
        let clock = emu.clock();
        let store = Arc::new(MemoryStore::new(clock.clone()));
        let client = ignite(&config, &clock, &store).await;
        Portal {
            client,
            emu: Arc::new(emu),
            clock,
            store,
            config,
            csrf: Mutex::new(None),
            leases: Mutex::default(),
        }
    }

    /// Another browser with its own cookie jar. A Rocket instance serves one local client,
    /// so this is a second portal instance on the same emulator, session store, clock and
    /// configuration (secret included): what a second instance behind a load balancer is.
    pub async fn browser(&self) -> Portal {
        Portal {
            client: ignite(&self.config, &self.clock, &self.store).await,
            emu: self.emu.clone(),
            clock: self.clock.clone(),
            store: self.store.clone(),
            config: self.config.clone(),
            csrf: Mutex::new(None),
            leases: Mutex::default(),
        }
    }

    pub async fn page(&self, response: rocket::local::asynchronous::LocalResponse<'_>) -> Page {
        let status = response.status().code;
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|h| (h.name().to_string(), h.value().to_string()))
            .collect();
        let location = response.headers().get_one("Location").map(str::to_string);
        let body = response.into_string().await.unwrap_or_default();
        if let Some(token) = csrf_token(&body) {
            *self.csrf.lock() = Some(token);
        }
        Page {
            status,
            location,
            body,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        let r = self.client.get(path.to_string()).dispatch().await;
        self.page(r).await
    }

    pub async fn get_with(&self, path: &str, header: Header<'static>) -> Page {
        let r = self
            .client
            .get(path.to_string())
            .header(header)
            .dispatch()
            .await;
        self.page(r).await
    }

    /// A GET that presents `sid` as the session cookie (replaying a cookie value).
    /// Posts a form as the session `sid` (its own cookie, whatever this browser holds);
    /// `fields` are sent as given (no CSRF token is added).
    pub async fn post_as(
        &self,
        path: &str,
        sid: &str,
        fields: &[(&str, &str)],
        headers: Vec<Header<'static>>,
    ) -> Page {
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            form.append_pair(k, v);
        }
        let mut request = self
            .client
            .post(path.to_string())
            .cookie(Cookie::new(SID, sid.to_string()))
            .header(ContentType::Form)
            .body(form.finish());
        for h in headers {
            request = request.header(h);
        }
        let r = request.dispatch().await;
        self.page(r).await
    }

    pub async fn get_as(&self, path: &str, sid: &str) -> Page {
        let r = self
            .client
            .get(path.to_string())
            .cookie(Cookie::new(SID, sid.to_string()))
            .dispatch()
            .await;
        self.page(r).await
    }

    /// Posts a form, adding the CSRF token of the last page seen unless `fields` has one.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_with(path, fields, vec![]).await
    }

    pub async fn post_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: Vec<Header<'static>>,
    ) -> Page {
        let r = self
            .post_request(path, fields, true, headers)
            .dispatch()
            .await;
        self.page(r).await
    }

    /// Posts a form exactly as given: no CSRF token is added.
    pub async fn post_without_csrf(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let r = self
            .post_request(path, fields, false, vec![])
            .dispatch()
            .await;
        self.page(r).await
    }

    /// The request `post_with` sends, not yet dispatched (to send several at once).
    pub fn post_request(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        add_csrf: bool,
        headers: Vec<Header<'static>>,
    ) -> rocket::local::asynchronous::LocalRequest<'_> {
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            form.append_pair(k, v);
        }
        if add_csrf && !fields.iter().any(|(k, _)| *k == "csrf_token") {
            if let Some(token) = self.csrf.lock().clone() {
                form.append_pair("csrf_token", &token);
            }
        }
        let mut request = self
            .client
            .post(path.to_string())
            .header(ContentType::Form)
            .body(form.finish());
        for h in headers {
            request = request.header(h);
        }
        request
    }

    pub fn csrf(&self) -> Option<String> {
        self.csrf.lock().clone()
    }

    /// The session cookie's value, if any.
    pub fn session_id(&self) -> Option<String> {
        self.client
            .cookies()
            .get("__Host-sid")
            .map(|c| c.value().to_string())
    }

    /// The signed-in session record behind the current cookie.
    pub async fn signed_in(&self) -> Option<SignedIn> {
        match self.record_of(&self.session_id()?).await? {
            Record::SignedIn(s) => Some(std::sync::Arc::unwrap_or_clone(s)),
            _ => None,
        }
    }

    /// The store's record for a cookie value, read directly (no timeout check), its sealed
    /// tokens opened as the portal opens them.
    pub async fn record_of(&self, sid: &str) -> Option<Record> {
        let key = SessionKey(session_key(sid));
        let stored = self.store.load(&key).await.ok()??;
        self.sessions().open(&key, stored)
    }

    /// The portal's session service (the sealing key included).
    pub fn sessions(&self) -> Arc<Sessions> {
        self.client
            .rocket()
            .state::<Arc<Sessions>>()
            .expect("sessions are managed")
            .clone()
    }

    /// Takes the sign-in flow lease of the session `sid`, as a request in progress would.
    pub async fn hold_flow_lease(&self, sid: &str) {
        let token = self.store.claim(&lease_name(sid), 30_000).await.unwrap();
        assert!(token.is_some(), "the lease was free");
        self.leases.lock().insert(sid.to_string(), token.unwrap());
    }

    pub async fn release_flow_lease(&self, sid: &str) {
        let token = self
            .leases
            .lock()
            .remove(sid)
            .expect("a lease held by the test");
        assert!(self.store.release(&lease_name(sid), &token).await.unwrap());
    }

    // ------------------------------------------------------------ emulator control
    // Shorthands for the kit's control client (`self.emu`), which holds the calls.

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

    // ------------------------------------------------------------ flows

    /// GET /signin then POST the password.
    pub async fn password_step(&self, user: &str, password: &str) -> Page {
        let page = self.get("/signin").await;
        assert_eq!(page.status, 200);
        self.post("/signin", &[("username", user), ("password", password)])
            .await
    }

    /// Signs in a password-only user and lands on /account.
    pub async fn sign_in_alice(&self) {
        self.password_step("alice@example.com", PASSWORD)
            .await
            .assert_redirect("/account");
    }

    /// Password, then choose `factor` on `/signin/factor`; answers the redirect to the
    /// factor's page (`/signin/verify` or `/signin/wait`).
    pub async fn mfa_start(&self, user: &str, factor: &str) -> Page {
        self.password_step(user, PASSWORD)
            .await
            .assert_redirect("/signin/factor");
        let page = self.get("/signin/factor").await;
        assert_eq!(page.status, 200);
        self.post("/signin/factor", &[("factor", factor)]).await
    }

    /// From the factor page: chooses push and opens the wait page.
    pub async fn wait_for_push(&self) -> Page {
        self.get("/signin/factor").await;
        self.post("/signin/factor", &[("factor", "push")])
            .await
            .assert_redirect("/signin/wait");
        self.get("/signin/wait").await
    }

    /// Starts a passwordless sign-in with `method`.
    pub async fn passwordless_start(&self, user: &str, method: &str) -> Page {
        let page = self.get("/signin").await;
        assert_eq!(page.status, 200);
        self.post(
            "/signin/passwordless",
            &[("username", user), ("method", method)],
        )
        .await
    }

    /// Password then OTP for bob.
    pub async fn sign_in_bob_with_otp(&self) {
        self.password_step("bob@example.com", PASSWORD)
            .await
            .assert_redirect("/signin/factor");
        self.get("/signin/factor").await;
        self.post("/signin/factor", &[("factor", "otp")])
            .await
            .assert_redirect("/signin/verify");
        self.get("/signin/verify").await;
        let code = self.totp().await;
        self.post("/signin/verify", &[("code", &code)])
            .await
            .assert_redirect("/account");
    }
}

async fn ignite(config: &Config, clock: &Clock, store: &Arc<MemoryStore>) -> Client {
    let figment =
        Figment::from(rocket::Config::debug_default()).merge(("log_level", LogLevel::Off));
    let rocket = portal::build(
        figment,
        config.clone(),
        Parts {
            clock: clock.clone(),
            stores: Some(Stores {
                sessions: store.clone() as Arc<dyn SessionStore>,
                failures: Arc::new(FailureBook::default()),
                limits: Default::default(),
            }),
        },
    )
    .expect("the portal builds");
    Client::tracked(rocket).await.expect("the portal ignites")
}

/// The name of the lease that guards the sign-in flow of the session `sid`.
pub fn lease_name(sid: &str) -> String {
    format!("flow:{}", session_key(sid))
}

/// The store key for a cookie value (what `Sessions::key_of` computes).
pub fn session_key(id: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(id.as_bytes()))
}
