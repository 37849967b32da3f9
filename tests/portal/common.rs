//! Test harness: the real portal builder driven by Rocket's tracked local client, against
//! the real emulator on an ephemeral port. Both clocks can be moved; nothing sleeps.
//! `Portal::browser` adds a second browser (its own cookie jar) on the same emulator and
//! session store; `get_as` replays a cookie value; `token_endpoint_hits` and `okta_calls`
//! count what reached Okta.

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
use okta_emulator::{self as emulator, EmulatorOptions, RunningEmulator};
use parking_lot::Mutex;
use rocket::config::LogLevel;
use rocket::figment::Figment;
use rocket::http::{ContentType, Cookie, Header};
use rocket::local::asynchronous::Client;
use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret as TotpSecret, TOTP};

pub const PASSWORD: &str = "Sup3r-Secret!";
/// The session cookie's name.
pub const SID: &str = "__Host-sid";

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
    pub emu: Arc<RunningEmulator>,
    pub clock: Clock,
    pub store: Arc<MemoryStore>,
    pub config: Config,
    http: reqwest::Client,
    csrf: Mutex<Option<String>>,
    leases: Mutex<std::collections::HashMap<String, LeaseToken>>,
}

fn extract_csrf(body: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = body.find(marker)? + marker.len();
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_string())
}

impl Portal {
    pub async fn start() -> Self {
        Self::with(|_| {}).await
    }

    /// A portal whose configuration `tweak` may change.
    pub async fn with(tweak: impl FnOnce(&mut Config)) -> Self {
        let emu = emulator::spawn(EmulatorOptions {
            port: 0,
            log_level: LogLevel::Off,
            ..EmulatorOptions::default()
        })
        .await
        .expect("the emulator starts");
        let mut config = Config::default();
        config.okta.issuer = Some(emu.issuer());
        config.okta.client_id = Some(emulator::DEMO_CLIENT_ID.into());
        config.okta.client_secret = Some(Secret::new(emulator::DEMO_CLIENT_SECRET));
        config.okta.timeout_ms = 1500;
        config.session.secret = Some(Secret::new("test-secret-test-secret-test-secret!"));
        tweak(&mut config);
        config.validate(false).expect("valid test configuration");
        // The portal shares the emulator's clock, as in the `cargo run` demo.
        let clock = emu.emulator.clock.clone();
        let store = Arc::new(MemoryStore::new(clock.clone()));
        let client = ignite(&config, &clock, &store).await;
        Portal {
            client,
            emu: Arc::new(emu),
            clock,
            store,
            config,
            http: reqwest::Client::new(),
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
            http: self.http.clone(),
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
        if let Some(token) = extract_csrf(&body) {
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
            Record::SignedIn(s) => Some(*s),
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

    pub fn emu_url(&self, path: &str) -> String {
        format!("{}{}", self.emu.base_url(), path)
    }

    pub async fn emu_get(&self, path: &str) -> Value {
        self.http
            .get(self.emu_url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn emu_post(&self, path: &str, body: Value) -> Value {
        self.http
            .post(self.emu_url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap_or(Value::Null)
    }

    pub async fn fault(&self, endpoint: &str, kind: &str, extra: Value) {
        let mut body = json!({"endpoint": endpoint, "kind": kind});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let r = self
            .http
            .post(self.emu_url("/emulator/faults"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "fault accepted");
    }

    /// Moves the shared clock (the portal's and the emulator's) forward.
    pub async fn advance(&self, secs: i64) {
        self.emu_post("/emulator/clock", json!({"advance_seconds": secs}))
            .await;
    }

    /// The current TOTP code of the demo secret at the emulator's time.
    pub async fn totp(&self) -> String {
        let now = self.emu_get("/emulator/clock").await["now"]
            .as_u64()
            .unwrap();
        let secret = TotpSecret::Encoded(emulator::DEMO_TOTP_SECRET.into())
            .to_bytes()
            .unwrap();
        TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, secret).generate(now)
    }

    /// The newest code sent to `user`.
    pub async fn outbox_code(&self, user: &str) -> String {
        let list = self.outbox(user).await;
        list[0]["code"]
            .as_str()
            .expect("a message in the outbox")
            .to_string()
    }

    /// The messages (SMS, calls, emails) sent to `user`, newest first.
    pub async fn outbox(&self, user: &str) -> Vec<Value> {
        let list = self.emu_get(&format!("/emulator/outbox?user={user}")).await;
        list.as_array().cloned().unwrap_or_default()
    }

    /// How many requests reached the emulator's `/token` endpoint in the current org
    /// rate-limit window (60 s of emulator time), whatever they were and however they
    /// ended. Read from `X-Rate-Limit-Remaining` of a probe request, which counts too: the
    /// difference of two readings is the requests in between plus one.
    pub async fn token_endpoint_hits(&self) -> u64 {
        let r = self
            .http
            .post(format!("{}/v1/token", self.emu.issuer()))
            .basic_auth(emulator::DEMO_CLIENT_ID, Some(emulator::DEMO_CLIENT_SECRET))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", "probe")])
            .send()
            .await
            .unwrap();
        let number = |name: &str| -> u64 { r.headers()[name].to_str().unwrap().parse().unwrap() };
        number("X-Rate-Limit-Limit") - number("X-Rate-Limit-Remaining")
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
        let status = self.emu_get(&format!("/emulator/users/{user}")).await;
        status["token_traffic"]["token_requests"]
            .as_u64()
            .unwrap_or(0)
    }

    pub async fn pending_push(&self, user: &str) -> Value {
        let list = self.emu_get(&format!("/emulator/pushes?user={user}")).await;
        list[0].clone()
    }

    pub async fn answer_push(&self, user: &str, approve: bool, number: Option<u64>) -> Value {
        let push = self.pending_push(user).await;
        let id = push["id"].as_str().expect("a pending push");
        let path = format!(
            "/emulator/pushes/{id}/{}",
            if approve { "approve" } else { "deny" }
        );
        let body = number.map_or(json!({}), |n| json!({"number": n}));
        self.emu_post(&path, body).await
    }

    /// Introspects a token at the emulator as the portal's client.
    pub async fn introspect(&self, token: &str) -> Value {
        self.http
            .post(format!("{}/v1/introspect", self.emu.issuer()))
            .basic_auth(emulator::DEMO_CLIENT_ID, Some(emulator::DEMO_CLIENT_SECRET))
            .form(&[("token", token)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn clear_faults(&self) {
        let r = self
            .http
            .delete(self.emu_url("/emulator/faults"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
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

/// Undoes Tera's HTML escaping.
pub fn unescape(s: &str) -> String {
    s.replace("&#x2F;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
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
