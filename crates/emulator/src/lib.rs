//! A faithful local stand-in for an Okta org's direct-authentication API (see
//! `okta-direct-auth-protocol.md`), for development, demos and tests.
//!
//! Layout: `directory` (users, clients, policies; immutable), `state` + `limits` +
//! `flows` + `tokens` (what changes), `grants` and `challenges` (the endpoints' logic),
//! `clientauth` and `params` (request checks), `routes` (HTTP surface), `control` and `ui`
//! (the `/emulator` API and pages for people), `faults` (injected failures), `cli` (the
//! command line of both binaries that run it); self-service: `recovery` (the recovery
//! intent of the grants), `myaccount` (the MyAccount API under `/idp/myaccount`) and
//! `accounts` (the password and phones users change, laid over the directory).
//!
//! This crate depends on nothing of the portal it checks, so the two cannot share a mistake.
//!
//! All time comes from one movable [`Clock`]; `POST /emulator/reset` returns to the seed.

#![warn(missing_docs)]

mod accounts;
mod challenges;
pub mod cli;
mod clientauth;
mod control;
pub mod directory;
mod faults;
mod flows;
mod grants;
mod keys;
mod limits;
mod myaccount;
mod params;
mod recovery;
mod reply;
mod routes;
mod state;
mod tokens;
mod ui;

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use parking_lot::{Mutex, RwLock};
use rocket::config::LogLevel;
use rocket::fairing::AdHoc;
use rocket::{catch, catchers, Build, Request, Rocket};

use directory::Directory;
pub use directory::{
    DirectoryError, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT_CLIENT_ID,
    DEMO_JWT_CLIENT_KEY_PEM, DEMO_PASSWORD, DEMO_PUBLIC_CLIENT_ID, DEMO_TOTP_SECRET,
};
use reply::Reply;
use shared::clock::Clock;

/// Start-up options (`direct-signin emulator --port … --users …`).
#[derive(Clone, Debug)]
pub struct EmulatorOptions {
    /// IP address to bind.
    pub address: IpAddr,
    /// 0 picks a free port (tests).
    pub port: u16,
    /// A JSON users file that replaces the demo users; `None`: the demo users.
    pub users_file: Option<PathBuf>,
    /// Org-wide requests per minute per bucket (Okta Enterprise: 1200).
    pub org_rate_limit: u32,
    /// Rocket's log level.
    pub log_level: LogLevel,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        EmulatorOptions {
            address: Ipv4Addr::LOCALHOST.into(),
            port: 8001,
            users_file: None,
            org_rate_limit: 1200,
            log_level: LogLevel::Critical,
        }
    }
}

/// An authorization server of the emulated org.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthServer {
    /// The org authorization server (`/oauth2/v1/…`).
    Org,
    /// A custom authorization server (`/oauth2/{id}/v1/…`); the emulator has `default`.
    Custom(String),
}

impl AuthServer {
    /// The server's name as recorded with the challenges and grants it issues (`org` or the
    /// custom id).
    pub fn key(&self) -> String {
        match self {
            AuthServer::Org => "org".into(),
            AuthServer::Custom(id) => id.clone(),
        }
    }
}

/// The emulator's shared state (managed by its Rocket instance).
pub struct Emulator {
    /// The emulator's clock (tests can shift it).
    pub clock: Clock,
    directory: Directory,
    base_url: OnceLock<String>,
    keys: RwLock<keys::Keyring>,
    spare_key: keys::Spare,
    state: Mutex<state::State>,
    faults: Mutex<faults::Faults>,
    org_rate_limit: u32,
    started_at: i64,
    demo_users: bool,
}

impl Emulator {
    fn new(directory: Directory, org_rate_limit: u32, demo_users: bool) -> Self {
        let clock = Clock::new();
        Emulator {
            started_at: clock.now(),
            clock,
            directory,
            base_url: OnceLock::new(),
            keys: RwLock::new(keys::Keyring::seed()),
            spare_key: keys::Spare::default(),
            state: Mutex::new(state::State::default()),
            faults: Mutex::new(faults::Faults::default()),
            org_rate_limit,
            demo_users,
        }
    }

    /// Whether the directory holds the demo users (no `--users FILE`).
    pub fn has_demo_users(&self) -> bool {
        self.demo_users
    }

    /// `http://127.0.0.1:<port>` once the server is listening.
    pub fn base_url(&self) -> &str {
        self.base_url
            .get()
            .map(String::as_str)
            .unwrap_or("http://127.0.0.1")
    }

    fn auth_server(&self, id: &str) -> Option<AuthServer> {
        (id == "default").then(|| AuthServer::Custom(id.to_string()))
    }

    /// This authorization server's issuer URL.
    pub fn issuer(&self, a: &AuthServer) -> String {
        match a {
            AuthServer::Org => self.base_url().to_string(),
            AuthServer::Custom(id) => format!("{}/oauth2/{id}", self.base_url()),
        }
    }

    /// Full URL of an endpoint (what a `private_key_jwt` assertion's `aud` must be).
    pub fn endpoint(&self, a: &AuthServer, name: &str) -> String {
        match a {
            AuthServer::Org => format!("{}/oauth2/v1/{name}", self.base_url()),
            AuthServer::Custom(id) => format!("{}/oauth2/{id}/v1/{name}", self.base_url()),
        }
    }

    /// Access-token audience: the org URL for the org AS, `api://{id}` for a custom one.
    pub fn audience(&self, a: &AuthServer) -> String {
        match a {
            AuthServer::Org => self.base_url().to_string(),
            AuthServer::Custom(id) => format!("api://{id}"),
        }
    }

    /// Back to the seed: users' counters, codes, tokens, clock, faults and keys.
    pub fn reset(&self) {
        *self.state.lock() = state::State::default();
        self.faults.lock().clear();
        *self.keys.write() = keys::Keyring::seed();
        self.clock.reset();
    }

    /// Publishes a freshly generated key and signs with it from now on: the key made
    /// ahead of time when it is ready (then the next one is made), else a new one.
    pub async fn rotate_keys(&self) -> Result<String, String> {
        let key = match self.spare_key.take() {
            Some(key) => key,
            None => tokio::task::spawn_blocking(keys::Keyring::generate)
                .await
                .map_err(|e| e.to_string())??,
        };
        let kid = key.kid.clone();
        self.keys.write().rotate_to(key);
        self.spare_key.fill();
        Ok(kid)
    }

    /// Makes the next rotation's key ahead of time, on a blocking thread (the
    /// command-line emulator calls this at start; tests that never rotate need not pay).
    pub fn prepare_key(&self) {
        self.spare_key.fill();
    }

    /// Logins of the directory's users, sorted (for the start-up banner and the UI).
    pub fn user_summaries(&self) -> Vec<String> {
        let mut users: Vec<String> = self.directory.users().map(|u| u.login.clone()).collect();
        users.sort();
        users
    }
}

#[catch(default)]
fn default_catcher(status: rocket::http::Status, _: &Request<'_>) -> Reply {
    match status.code {
        404 => Reply::not_found("the requested resource"),
        code => Reply::okta(code, "E0000001", status.reason_lossy().to_string()),
    }
}

/// Builds the emulator's Rocket instance.
pub fn rocket(options: &EmulatorOptions) -> Result<Rocket<Build>, DirectoryError> {
    let directory = match &options.users_file {
        Some(path) => Directory::from_file(path)?,
        None => Directory::demo()?,
    };
    let demo_users = options.users_file.is_none();
    let emulator = Arc::new(Emulator::new(directory, options.org_rate_limit, demo_users));
    let config = rocket::Config {
        address: options.address,
        port: options.port,
        log_level: options.log_level,
        cli_colors: false,
        ident: rocket::config::Ident::none(),
        ..rocket::Config::debug_default()
    };
    let ui = ui::templates();
    Ok(rocket::custom(config)
        .manage(emulator)
        .manage(ui)
        .mount("/", routes::routes())
        .mount("/", control::routes())
        .mount("/", myaccount::routes())
        .mount("/", ui::routes())
        .register("/", catchers![default_catcher])
        .attach(AdHoc::on_liftoff("Emulator base URL", |rocket| {
            Box::pin(async move {
                let config = rocket.config();
                let host = match config.address {
                    a if a.is_unspecified() => "127.0.0.1".to_string(),
                    IpAddr::V6(a) => format!("[{a}]"),
                    a => a.to_string(),
                };
                if let Some(emu) = rocket.state::<Arc<Emulator>>() {
                    let _ = emu.base_url.set(format!("http://{host}:{}", config.port));
                }
            })
        }))
        .attach(AdHoc::on_response("X-Okta-Request-Id", |_, response| {
            Box::pin(async move {
                response.set_raw_header("X-Okta-Request-Id", shared::random::alphanumeric(20));
            })
        })))
}

/// An emulator running in this process, e.g. for tests or the embedded demo.
pub struct RunningEmulator {
    /// The running emulator's state.
    pub emulator: Arc<Emulator>,
    shutdown: rocket::Shutdown,
    task: Option<tokio::task::JoinHandle<Result<(), rocket::Error>>>,
}

impl RunningEmulator {
    /// `http://127.0.0.1:<port>` of the running server.
    pub fn base_url(&self) -> String {
        self.emulator.base_url().to_string()
    }

    /// Issuer of the custom authorization server `default`.
    pub fn issuer(&self) -> String {
        format!("{}/oauth2/default", self.base_url())
    }

    /// Asks the server to shut down gracefully (does not wait: see `stopped`).
    pub fn shutdown(&self) {
        self.shutdown.clone().notify();
    }

    /// Resolves when the server has stopped (e.g. Rocket received SIGTERM).
    pub async fn stopped(&mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
    }
}

/// Launches the emulator on a Tokio task and returns once it is listening.
pub async fn spawn(options: EmulatorOptions) -> Result<RunningEmulator, String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let rocket = rocket(&options)
        .map_err(|e| e.to_string())?
        .attach(AdHoc::on_liftoff("Report readiness", move |rocket| {
            Box::pin(async move {
                let emu = rocket.state::<Arc<Emulator>>().cloned();
                let _ = tx.send((emu, rocket.shutdown()));
            })
        }));
    let task = tokio::spawn(async move { rocket.launch().await.map(|_| ()) });
    match rx.await {
        Ok((Some(emulator), shutdown)) => Ok(RunningEmulator {
            emulator,
            shutdown,
            task: Some(task),
        }),
        _ => Err(match task.await {
            Ok(Err(e)) => format!("the emulator failed to start: {e}"),
            _ => "the emulator failed to start".to_string(),
        }),
    }
}
