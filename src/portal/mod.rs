//! The sign-in portal: routes, state and fairings. [`ignite`] builds what `cargo run`
//! runs (configuration, embedded emulator, stores, Rocket); tests go through
//! [`ignite::assemble`] or [`build`], the same path below the configuration. [`install`]
//! is the wiring both share with the stage a host app attaches ([`crate::embed`]): the
//! standalone portal is the portal installed at the base `/`.
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
pub mod ignite;
pub mod ops;
pub mod security;
pub mod session;
pub mod signin;
pub mod stores;
pub mod templates;
pub mod username;
pub mod views;

use std::path::PathBuf;
use std::sync::Arc;

use rocket::fairing::AdHoc;
use rocket::figment::value::magic::RelativePathBuf;
use rocket::figment::Figment;
use rocket::fs::FileServer;
use rocket::http::Status;
use rocket::shield::Shield;
use rocket::{catch, catchers, Build, Request, Rocket};

use crate::clock::Clock;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::okta::{self, OktaClient};
use security::{SecurityHeaders, TrustedProxies};
use session::Sessions;
use signin::machine::Method;
use signin::service::{methods, SigninService};
pub use base::Base;
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

pub use ignite::{assemble, ignite, Ignited};

/// What [`ignite`] (or a test) hands to [`build`]: the clock and the stores (both in
/// memory on that clock when `None`).
#[derive(Default)]
pub struct Parts {
    /// The clock everything reads the time from.
    pub clock: Clock,
    /// The session and failure stores; `None`: both in memory on `clock`.
    pub stores: Option<Stores>,
}

/// The grants the portal can complete with these methods (sent as `grant_types_supported`).
fn grant_types(passwordless: &[Method], second: &[Method]) -> Vec<&'static str> {
    let mut grants = vec![okta::GRANT_PASSWORD];
    if passwordless.contains(&Method::Otp) {
        grants.push(okta::GRANT_OTP);
    }
    if passwordless.iter().any(|m| *m != Method::Otp) {
        grants.push(okta::GRANT_OOB);
    }
    if second.contains(&Method::Otp) {
        grants.push(okta::GRANT_MFA_OTP);
    }
    if second.iter().any(|m| *m != Method::Otp) {
        grants.push(okta::GRANT_MFA_OOB);
    }
    grants
}

/// Where the portal is mounted and what it serves its pages from.
pub struct Mount {
    /// The base path (the root for the standalone portal).
    pub base: Base,
    /// The directory of the portal's templates (`*.html.tera`).
    pub templates: PathBuf,
    /// The directory served under `<base>/static`.
    pub static_dir: PathBuf,
    /// Whether this is a release profile (HSTS, the warning for a missing secret).
    pub release: bool,
}

impl Mount {
    /// The templates and static files shipped with the crate.
    pub fn shipped(base: Base, release: bool) -> Mount {
        Mount {
            base,
            templates: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/templates")),
            static_dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/static")),
            release,
        }
    }
}

/// Builds the standalone portal from Rocket's figment and a validated configuration: a
/// Rocket instance of its own with the portal at the root ([`install`] with the base `/`).
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
    // The client IP comes from the socket unless the peer is a trusted proxy.
    let figment = figment.merge(("ip_header", false));
    // An empty Shield: the portal's own fairing sets every security header.
    let rocket = rocket::custom(figment).attach(Shield::new());
    install(rocket, mount, config, parts)
}

/// Installs the portal in `rocket` under `mount.base`: its state, every route (sign-in,
/// account, sign-out, ops, gateway, static files, `brand.css`), its catchers (under the
/// base only), the security headers (on the portal's own responses only) and its
/// background tasks. The standalone portal ([`build`]) and the stage a host app attaches
/// ([`crate::embed::DirectSignin`]) both come here.
pub fn install(
    rocket: Rocket<Build>,
    mount: Mount,
    config: Config,
    parts: Parts,
) -> Result<Rocket<Build>, String> {
    if rocket.state::<Arc<Portal>>().is_some() {
        return Err("direct-signin is already installed in this Rocket instance".into());
    }
    let metrics = Arc::new(Metrics::new());
    let passwordless = methods(&config.signin.passwordless);
    let second_factors = methods(&config.signin.second_factors);
    let okta = Arc::new(OktaClient::new(
        &config.okta,
        &grant_types(&passwordless, &second_factors),
        config.network.forward_client_ip,
        parts.clock.clone(),
        metrics.clone(),
        okta::Ceiling::new(
            config.protection.okta_calls_per_second,
            config.protection.okta_untrusted_share,
            config.protection.okta_max_concurrent,
            parts.clock.clone(),
        ),
    )?);
    let key = match &config.session.secret {
        Some(secret) => secret.expose().as_bytes().to_vec(),
        None => {
            if mount.release {
                tracing::warn!(
                    "session.secret is not set: a random key is used, so forms and sessions \
                     do not survive a restart (set DIRECT_SIGNIN_SESSION__SECRET)"
                );
            }
            crate::random::token(32).into_bytes()
        }
    };
    let stores = parts.stores.unwrap_or_else(|| Stores::memory(&parts.clock));
    let sessions = Arc::new(Sessions::new(
        stores.sessions,
        parts.clock.clone(),
        config.session.clone(),
        key,
    ));
    let brand = Brand::from(&config.branding);
    let templates = Templates::load(&mount.templates)?;
    let protection = Arc::new(abuse::Protection::new(
        config.protection.clone(),
        parts.clock.clone(),
        sessions.clone(),
        metrics.clone(),
        stores.failures,
    ));
    let pruner = protection.clone();
    let base = mount.base;
    let at = base.mount_point().to_string();
    let portal = Arc::new(Portal {
        brand: brand.clone(),
        sessions: sessions.clone(),
        protection: protection.clone(),
        signin: SigninService {
            okta: okta.clone(),
            sessions: sessions.clone(),
            metrics,
            protection,
            decoy_number_challenge: config.protection.decoy_number_challenge,
        },
        passwordless,
        second_factors,
        base: base.clone(),
        templates,
        config: config.clone(),
    });
    Ok(rocket
        .manage(portal)
        .manage(sessions)
        .manage(Arc::new(brand))
        .manage(Arc::new(gateway::Gateway::from_config(&config.gateway)?))
        .manage(Arc::new(TrustedProxies::from_config(
            &config.network.trusted_proxies,
        )))
        .mount(at.as_str(), signin::routes::routes())
        .mount(at.as_str(), account::routes())
        .mount(at.as_str(), ops::routes())
        .mount(at.as_str(), gateway::routes())
        .mount(base.url("/static"), FileServer::from(mount.static_dir))
        .register(at.as_str(), catchers![catch_all])
        .attach(SecurityHeaders {
            hsts: mount.release,
            base,
        })
        .attach(AdHoc::on_liftoff("Okta discovery", move |_| {
            Box::pin(async move {
                tokio::spawn(okta.discover_until_ready());
            })
        }))
        .attach(AdHoc::on_liftoff("Limiter pruning", move |rocket| {
            let mut shutdown = rocket.shutdown();
            Box::pin(async move {
                tokio::spawn(async move {
                    loop {
                        tokio::select! {
                            _ = &mut shutdown => return,
                            _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => pruner.prune(),
                        }
                    }
                });
            })
        })))
}

#[catch(default)]
fn catch_all(status: Status, req: &Request<'_>) -> Result<error::ErrorPage, error::AppError> {
    if status == Status::Forbidden && guards::csrf_rejected(req) {
        return Err(error::AppError::Csrf);
    }
    let (title, detail) = match status.code {
        404 => ("Page not found", "There is nothing at this address."),
        403 => (
            "Request refused",
            "This request was refused for your security. Reload the page and try again.",
        ),
        400 | 413 | 422 => (
            "Something in the request was not right",
            "Go back, check the form and try again.",
        ),
        503 => (
            "We can't sign you in right now",
            "Please try again in a moment.",
        ),
        _ => ("Something went wrong", "Please try again in a moment."),
    };
    Ok(error::ErrorPage {
        status,
        title,
        detail,
    })
}
