//! The sign-in portal: routes, state and fairings. [`ignite`] builds what `cargo run`
//! runs (configuration, embedded emulator, stores, Rocket); tests go through
//! [`ignite::assemble`] or [`build`], the same path below the configuration.
//!
//! - [`ignite`], [`stores`]: the builder and the one store factory;
//! - [`signin`]: the state machine, the service that drives it, the sign-in routes;
//! - [`session`]: server-side sessions and their store;
//! - [`security`]: client IP, CSRF/`Sec-Fetch-Site`, `return_to`, security headers;
//! - [`account`]: home, account, sign-out; [`ops`]: health, readiness, metrics, brand CSS;
//! - [`guards`]: the CSRF form guard and the visitor bundle every handler stands behind;
//! - [`views`], [`error`]: rendering and the one error responder.

pub mod abuse;
pub mod account;
pub mod error;
pub mod gateway;
pub mod guards;
pub mod ignite;
pub mod ops;
pub mod security;
pub mod session;
pub mod signin;
pub mod stores;
pub mod username;
pub mod views;

use std::sync::Arc;

use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::fs::FileServer;
use rocket::http::Status;
use rocket::{catch, catchers, Build, Request, Rocket};
use rocket_dyn_templates::Template;

use crate::clock::Clock;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::okta::{self, OktaClient};
use security::{SecurityHeaders, TrustedProxies};
use session::Sessions;
use signin::machine::Method;
use signin::service::{methods, SigninService};
use stores::Stores;
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

/// Builds the portal from Rocket's figment and a validated configuration.
pub fn build(figment: Figment, config: Config, parts: Parts) -> Result<Rocket<Build>, String> {
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
    let release = figment.profile() == rocket::Config::RELEASE_PROFILE;
    let key = match &config.session.secret {
        Some(secret) => secret.expose().as_bytes().to_vec(),
        None => {
            if release {
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
    let static_dir: String = figment
        .extract_inner("static_dir")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/static").to_string());
    let figment = figment
        // The client IP comes from the socket unless the peer is a trusted proxy.
        .merge(("ip_header", false))
        // No `Server: Rocket` on every answer, unless the operator asks for one.
        .join(("ident", false))
        .join((
            "template_dir",
            concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
        ));
    let protection = Arc::new(abuse::Protection::new(
        config.protection.clone(),
        parts.clock.clone(),
        sessions.clone(),
        metrics.clone(),
        stores.failures,
    ));
    let pruner = protection.clone();
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
        config: config.clone(),
    });
    Ok(rocket::custom(figment)
        .manage(portal)
        .manage(sessions)
        .manage(Arc::new(brand))
        .manage(Arc::new(gateway::Gateway::from_config(&config.gateway)?))
        .manage(Arc::new(TrustedProxies::from_config(
            &config.network.trusted_proxies,
        )))
        .mount("/", signin::routes::routes())
        .mount("/", account::routes())
        .mount("/", ops::routes())
        .mount("/", gateway::routes())
        .mount("/static", FileServer::from(static_dir))
        .register("/", catchers![catch_all])
        .attach(Template::fairing())
        .attach(SecurityHeaders { hsts: release })
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
