//! The wiring of the portal into a Rocket instance, in two halves so that a stage can fail
//! without losing the host's instance: [`prepare`] builds everything that can fail (the
//! Okta client, the templates, the assertion key), [`Installation::install`] then manages
//! the state, mounts every route under the base path (sign-in, account, sign-out, ops,
//! gateway, static files, `brand.css`), registers the catchers under the base only and
//! attaches the security headers (for responses under the base only) and the background
//! tasks. It attaches no Shield and no `Template` fairing: those stay the host's.

use std::path::PathBuf;
use std::sync::Arc;

use rocket::fairing::AdHoc;
use rocket::fs::FileServer;
use rocket::{catchers, Build, Rocket};

use super::abuse::limiter_redis::RedisOktaRate;
use super::gateway::{self, Gateway};
use super::security::{SecurityHeaders, TrustedProxies};
use super::session::Sessions;
use super::signin::machine::Method;
use super::signin::service::{methods, SigninService};
use super::stores::Stores;
use super::templates::Templates;
use super::views::Brand;
use super::{abuse, account, catch_all, ops, signin, Base, Parts, Portal};
use crate::config::Config;
use crate::metrics::Metrics;
use crate::okta::{self, OktaClient};

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

/// A portal built and ready to go into a Rocket instance.
pub struct Installation {
    portal: Arc<Portal>,
    sessions: Arc<Sessions>,
    brand: Brand,
    gateway: Gateway,
    proxies: TrustedProxies,
    okta: Arc<OktaClient>,
    protection: Arc<abuse::Protection>,
    static_dir: PathBuf,
    release: bool,
}

/// Builds the portal for `mount` from a validated configuration: everything that can fail.
pub fn prepare(mount: Mount, config: Config, parts: Parts) -> Result<Installation, String> {
    // ID tokens are checked with ring's RSA (see `okta::crypto`).
    crate::okta::crypto::install();
    let metrics = Arc::new(Metrics::new());
    let passwordless = methods(&config.signin.passwordless);
    let second_factors = methods(&config.signin.second_factors);
    let stores = parts.stores.unwrap_or_else(|| Stores::memory(&parts.clock));
    let mut ceiling = okta::Ceiling::new(
        config.protection.okta_calls_per_second,
        config.protection.okta_untrusted_share,
        config.protection.okta_max_concurrent,
        parts.clock.clone(),
    );
    if let Some((conn, prefix)) = &stores.limits.redis {
        // With Redis, the rates toward Okta are the fleet's, not this instance's.
        ceiling = ceiling.shared_by(Arc::new(RedisOktaRate::new(
            conn.clone(),
            prefix,
            config.protection.okta_calls_per_second,
            config.protection.okta_untrusted_share,
            parts.clock.clone(),
        )));
    }
    let okta = Arc::new(OktaClient::new(
        &config.okta,
        &grant_types(&passwordless, &second_factors),
        config.network.forward_client_ip,
        parts.clock.clone(),
        metrics.clone(),
        ceiling,
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
    let sessions = Arc::new(Sessions::new(
        stores.sessions,
        parts.clock.clone(),
        config.session.clone(),
        key,
    ));
    let brand = Brand::from(&config.branding);
    let catalog = Arc::new(crate::portal::i18n::build(&config.i18n)?);
    let templates = Templates::load(&mount.templates, catalog)?;
    let gateway = Gateway::from_config(&config.gateway)?;
    let protection = Arc::new(abuse::Protection::new(
        config.protection.clone(),
        parts.clock.clone(),
        sessions.clone(),
        metrics.clone(),
        stores.failures,
        &stores.limits,
    ));
    let portal = Arc::new(Portal {
        brand: brand.clone(),
        sessions: sessions.clone(),
        protection: protection.clone(),
        signin: SigninService {
            okta: okta.clone(),
            sessions: sessions.clone(),
            metrics,
            protection: protection.clone(),
            decoy_number_challenge: config.protection.decoy_number_challenge,
        },
        passwordless,
        second_factors,
        base: mount.base,
        templates,
        config: config.clone(),
    });
    Ok(Installation {
        portal,
        sessions,
        brand,
        gateway,
        proxies: TrustedProxies::from_config(&config.network.trusted_proxies),
        okta,
        protection,
        static_dir: mount.static_dir,
        release: mount.release,
    })
}

impl Installation {
    /// Puts the portal into `rocket` under its base path.
    pub fn install(self, rocket: Rocket<Build>) -> Rocket<Build> {
        let base = self.portal.base.clone();
        let at = base.mount_point().to_string();
        let (okta, pruner) = (self.okta, self.protection);
        rocket
            .manage(self.portal)
            .manage(self.sessions)
            .manage(Arc::new(self.brand))
            .manage(Arc::new(self.gateway))
            .manage(Arc::new(self.proxies))
            .mount(at.as_str(), signin::routes::routes())
            .mount(at.as_str(), signin::recover::routes())
            .mount(at.as_str(), account::routes())
            .mount(at.as_str(), ops::routes())
            .mount(at.as_str(), gateway::routes())
            .mount(base.url("/static"), FileServer::from(self.static_dir))
            .register(at.as_str(), catchers![catch_all])
            .attach(SecurityHeaders {
                hsts: self.release,
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
            }))
    }
}
