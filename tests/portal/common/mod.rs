//! Test harness: the real portal builder driven by Rocket's tracked local client, against
//! the real emulator on an ephemeral port. Both clocks can be moved; nothing sleeps for a
//! time window.
//! `Portal::browser` adds a second browser (its own cookie jar) on the same emulator and
//! session store; `get_as` replays a cookie value; `token_endpoint_hits` and `okta_calls`
//! count what reached Okta. What the portal does in the background (a push poll made ahead
//! of the status request) is awaited with `settled_status` and `token_requests_reach`,
//! within the kit's real-time budget.
//!
//! Here: starting a portal and sending requests; `page`: what an answer holds; `emulator`:
//! the emulator's side (faults, clock, codes, counts); `flows`: whole sign-in steps.

#![allow(dead_code)]

mod emulator;
mod flows;
mod page;

pub use page::Page;

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
