//! Test harness: the real portal builder driven by Rocket's tracked local client, against
//! the real emulator on an ephemeral port. Both clocks can be moved; nothing sleeps.

#![allow(dead_code)]

use std::sync::Arc;

use direct_signin::clock::Clock;
use direct_signin::config::{Config, Secret};
use direct_signin::emulator::{self, EmulatorOptions, RunningEmulator};
use direct_signin::portal::session::{MemoryStore, Record, SessionStore, SignedIn};
use direct_signin::portal::{self, Parts};
use parking_lot::Mutex;
use rocket::config::LogLevel;
use rocket::figment::Figment;
use rocket::http::{ContentType, Header};
use rocket::local::asynchronous::Client;
use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret as TotpSecret, TOTP};

pub const PASSWORD: &str = "Sup3r-Secret!";

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

pub struct Portal {
    pub client: Client,
    pub emu: RunningEmulator,
    pub clock: Clock,
    pub store: Arc<MemoryStore>,
    http: reqwest::Client,
    csrf: Mutex<Option<String>>,
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
        let figment =
            Figment::from(rocket::Config::debug_default()).merge(("log_level", LogLevel::Off));
        let rocket = portal::build(
            figment,
            config,
            Parts {
                clock: clock.clone(),
                store: Some(store.clone() as Arc<dyn SessionStore>),
            },
        )
        .expect("the portal builds");
        let client = Client::tracked(rocket).await.expect("the portal ignites");
        Portal {
            client,
            emu,
            clock,
            store,
            http: reqwest::Client::new(),
            csrf: Mutex::new(None),
        }
    }

    async fn page(&self, response: rocket::local::asynchronous::LocalResponse<'_>) -> Page {
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
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            form.append_pair(k, v);
        }
        if !fields.iter().any(|(k, _)| *k == "csrf_token") {
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
        let r = request.dispatch().await;
        self.page(r).await
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
        let id = self.session_id()?;
        let key = direct_signin::portal::session::SessionKey(session_key(&id));
        match self.store.load(&key).await.ok()?? {
            Record::SignedIn(s) => Some(*s),
            _ => None,
        }
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
        let list = self.emu_get(&format!("/emulator/outbox?user={user}")).await;
        list[0]["code"]
            .as_str()
            .expect("a message in the outbox")
            .to_string()
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

/// The store key for a cookie value (what `Sessions::key_of` computes).
pub fn session_key(id: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(id.as_bytes()))
}
