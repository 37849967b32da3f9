//! The sign-in portal: routes, state and fairings. [`ignite`] builds what `cargo run`
//! runs (configuration, embedded emulator, stores, Rocket); tests go through
//! [`ignite::assemble`] or [`build`], the same path below the configuration. [`install`]
//! is the wiring [`build`] shares with the stage a host app attaches ([`crate::embed`]):
//! the standalone portal is the portal installed at the base `/`.
//!
//! - [`ignite`], [`stores`]: the builder and the one store factory;
//! - [`base`], [`templates`]: the mount point every URL carries; the portal's own Tera;
//! - [`signin`]: the state machine, the service that drives it, the sign-in routes;
//! - [`session`]: server-side sessions and their store;
//! - [`security`]: client IP, CSRF/`Sec-Fetch-Site`, `return_to`, security headers;
//! - [`account`]: home, account, sign-out; [`ops`]: health, readiness, metrics, brand CSS;
//! - [`guards`]: the CSRF form guard and the visitor bundle every handler stands behind;
//! - [`views`], [`error`]: rendering and the one error responder.

pub mod abuse;
pub mod account;
pub mod base;
pub mod error;
pub mod gateway;
pub mod guards;
pub mod i18n;
pub mod ignite;
pub mod install;
pub mod ops;
pub mod security;
pub mod session;
pub mod signin;
pub mod stores;
pub mod templates;
pub mod username;
pub mod views;

use std::sync::Arc;

use rocket::figment::value::magic::RelativePathBuf;
use rocket::figment::Figment;
use rocket::http::Status;
use rocket::shield::Shield;
use rocket::{catch, Build, Request, Rocket};

use crate::clock::Clock;
use crate::config::Config;
pub use base::Base;
pub use install::Mount;
use session::Sessions;
use signin::machine::Method;
use signin::service::SigninService;
use stores::Stores;
use templates::Templates;
use views::Brand;

/// Everything the routes share.
pub struct Portal {
    /// The configuration the portal started with.
    pub config: Config,
    /// Branding for the pages.
    pub brand: Brand,
    /// The session manager.
    pub sessions: Arc<Sessions>,
    /// The sign-in service (Okta calls and the flow machine).
    pub signin: SigninService,
    /// Rate limits and failure budgets.
    pub protection: Arc<abuse::Protection>,
    /// Passwordless first factors offered, in the contract's order.
    pub passwordless: Vec<Method>,
    /// Second factors offered, in the contract's order.
    pub second_factors: Vec<Method>,
    /// Where the portal is mounted: every URL it writes starts with it.
    pub base: Base,
    /// The portal's own templates (not the host's `Template` fairing).
    pub templates: Templates,
}

pub use ignite::{assemble, configure, ignite, Ignited};

/// What [`ignite`] (or a test) hands to [`build`]: the clock and the stores (both in
/// memory on that clock when `None`).
#[derive(Default)]
pub struct Parts {
    /// The clock everything reads the time from.
    pub clock: Clock,
    /// The session and failure stores; `None`: both in memory on `clock`.
    pub stores: Option<Stores>,
}

/// Builds the standalone portal from Rocket's figment and a validated configuration: a
/// Rocket instance of its own with the portal at the root (see [`install`]).
/// `template_dir` and `static_dir` replace the shipped templates and static files.
pub fn build(figment: Figment, config: Config, parts: Parts) -> Result<Rocket<Build>, String> {
    let release = figment.profile() == rocket::Config::RELEASE_PROFILE;
    let mut mount = Mount::shipped(Base::root(), release);
    if let Ok(dir) = figment.extract_inner::<RelativePathBuf>("template_dir") {
        mount.templates = dir.relative();
    }
    if let Ok(dir) = figment.extract_inner::<RelativePathBuf>("static_dir") {
        mount.static_dir = dir.relative();
    }
    let installation = install::prepare(mount, config, parts)?;
    // The client IP comes from the socket unless the peer is a trusted proxy.
    let figment = figment
        .merge(("ip_header", false))
        // No `Server: Rocket` on every answer, unless the operator asks for one.
        .join(("ident", false));
    // An empty Shield: the portal's own fairing sets every security header.
    let rocket = rocket::custom(figment).attach(Shield::new());
    Ok(installation.install(rocket))
}

#[catch(default)]
pub(crate) fn catch_all(
    status: Status,
    req: &Request<'_>,
) -> Result<error::ErrorPage, error::AppError> {
    if status == Status::Forbidden && guards::csrf_rejected(req) {
        return Err(error::AppError::Csrf);
    }
    let (title, detail) = match status.code {
        404 => ("error-not-found-title", "error-not-found-detail"),
        403 => ("error-refused-title", "error-refused-detail"),
        400 | 413 | 422 => ("error-bad-request-title", "error-bad-request-detail"),
        503 => ("error-unavailable-title", "error-unavailable-short-detail"),
        _ => ("error-internal-title", "error-unavailable-short-detail"),
    };
    Ok(error::ErrorPage {
        status,
        title,
        detail,
    })
}
