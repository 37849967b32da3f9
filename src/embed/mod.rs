//! The portal inside a host Rocket app: a stage that mounts it under a base path, and
//! request guards for the host's own routes.
//!
//! ```no_run
//! use direct_signin::embed::{self, DirectSignin, SignedIn};
//! use rocket::get;
//!
//! #[get("/dashboard")]
//! fn dashboard(user: SignedIn) -> String {
//!     format!("Hello, {} ({})", user.display_name(), user.groups().join(", "))
//! }
//!
//! #[rocket::launch]
//! fn rocket() -> _ {
//!     rocket::custom(direct_signin::config::Config::figment())
//!         .attach(DirectSignin::at("/sso"))
//!         .mount("/", rocket::routes![dashboard])
//!         // A browser that is not signed in goes to /sso/signin?return_to=/dashboard.
//!         .register("/", embed::catchers())
//! }
//! ```
//!
//! - here: [`DirectSignin`], the stage. At ignite it reads the portal's configuration from
//!   the host's figment with the standalone portal's keys (`okta.*`, `session.*`, …;
//!   [`crate::config::Config::figment`] adds the `DIRECT_SIGNIN_*` variables), starts the
//!   embedded emulator demo when no Okta is configured (debug builds, feature `emulator`),
//!   connects the stores and installs the portal under the base
//!   ([`crate::portal::install`]);
//! - [`guard`]: [`SignedIn`] (who is signed in, from the portal's session) and
//!   [`Allowed`] (signed in and passing a [`Policy`]'s rules);
//! - [`catchers()`]: what a host registers so that those guards' 401 sends a browser to
//!   sign in and their 403 shows the portal's "no access" page.
//!
//! What stays the host's: Rocket's Shield, its `Template` fairing and `template_dir`, its
//! catchers outside the base, every managed state type (the portal's are its own types).
//! The portal's security headers (CSP and the rest) go only on responses under the base.
//! The session cookie is the standalone portal's (`__Host-sid`, `Path=/`), so the host's
//! routes receive it.

pub mod catchers;
pub mod guard;

use std::path::PathBuf;

use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::figment::providers::Serialized;
use rocket::figment::Figment;
use rocket::{Build, Rocket};

pub use catchers::{catchers, sign_in_url};
pub use guard::{Allowed, NotAllowed, Policy, SignedIn};

use crate::config::{Config, LocalPath};
use crate::portal::ignite::{configure, Embedded};
use crate::portal::stores::Stores;
use crate::portal::{install, Base, Mount, Parts};

/// The stage that mounts the portal under a base path inside a host Rocket app.
pub struct DirectSignin {
    base: String,
    templates: Option<PathBuf>,
    static_dir: Option<PathBuf>,
}

impl DirectSignin {
    /// The portal under `base` (e.g. `/sso`: `/sso/signin`, `/sso/account`,
    /// `/sso/static/…`). A base that is not `/segments` of `A-Z a-z 0-9 - . _ ~` fails the
    /// launch with a message (it does not panic).
    pub fn at(base: &str) -> DirectSignin {
        DirectSignin {
            base: base.to_string(),
            templates: None,
            static_dir: None,
        }
    }

    /// The portal's templates from `dir` instead of the shipped ones (the host's own
    /// `template_dir` is the host's).
    pub fn templates(mut self, dir: impl Into<PathBuf>) -> Self {
        self.templates = Some(dir.into());
        self
    }

    /// The portal's static files from `dir` instead of the shipped ones.
    pub fn static_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.static_dir = Some(dir.into());
        self
    }

    /// Everything the portal needs, from the host's figment; the embedded emulator (if
    /// any) is returned to be kept alive.
    async fn prepare(
        &self,
        rocket: &Rocket<Build>,
    ) -> Result<(install::Installation, Embedded), String> {
        if rocket
            .state::<std::sync::Arc<crate::portal::Portal>>()
            .is_some()
        {
            return Err("direct-signin is already attached to this Rocket instance".into());
        }
        let base = Base::new(&self.base)?;
        // The portal's defaults below the host's figment, so `rocket::build()` works too.
        let figment =
            &Figment::from(Serialized::defaults(Config::default())).merge(rocket.figment().clone());
        let (mut config, clock, embedded) = configure(figment).await?;
        default_landing(&mut config, figment, &base)?;
        let stores = Stores::from_config(&config, &clock).await?;
        let release = figment.profile() == rocket::Config::RELEASE_PROFILE;
        let mut mount = Mount::shipped(base, release);
        if let Some(dir) = &self.templates {
            mount.templates = dir.clone();
        }
        if let Some(dir) = &self.static_dir {
            mount.static_dir = dir.clone();
        }
        let parts = Parts {
            clock,
            stores: Some(stores),
        };
        Ok((install::prepare(mount, config, parts)?, embedded))
    }
}

/// `signin.default_return_to` left at its default names the portal's own account page:
/// under a base, `<base>/account`. A value the host configured is a path of its own.
fn default_landing(config: &mut Config, figment: &Figment, base: &Base) -> Result<(), String> {
    if !base.is_root() && !crate::config::given(figment, "signin.default_return_to") {
        config.signin.default_return_to = LocalPath::new(base.url("/account"))?;
    }
    Ok(())
}

/// The embedded emulator demo, kept alive as long as the host's Rocket instance.
struct EmbeddedOkta(#[allow(dead_code)] Embedded);

#[rocket::async_trait]
impl Fairing for DirectSignin {
    fn info(&self) -> Info {
        Info {
            name: "direct-signin",
            kind: Kind::Ignite,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        match self.prepare(&rocket).await {
            Ok((installation, embedded)) => {
                Ok(installation.install(rocket).manage(EmbeddedOkta(embedded)))
            }
            Err(e) => {
                // The host may have no tracing subscriber: the reason must still show.
                tracing::error!(error = %e, "direct-signin could not start");
                eprintln!("direct-signin: {e}");
                Err(rocket)
            }
        }
    }
}
