//! The builder: everything `main` builds, in one place, so tests build the same.
//!
//! [`ignite`] reads the configuration, starts the embedded emulator when it is wanted (a
//! debug build with no `okta.issuer`, and the `emulator` feature), connects the stores
//! through [`Stores::from_config`] and builds the Rocket instance. [`assemble`] is the
//! same below the configuration, for tests that set it themselves. [`configure`] is the
//! first half, shared with the stage a host app attaches ([`crate::embed`]).

use rocket::figment::Figment;
use rocket::{Build, Rocket};

use super::stores::Stores;
use super::{build, Parts};
use crate::clock::Clock;
use crate::config::Config;

/// A portal ready to launch, and the embedded emulator it talks to (if any), which must
/// live as long as the portal.
pub struct Ignited {
    /// The built Rocket instance, ready to launch.
    pub rocket: Rocket<Build>,
    /// The embedded emulator, when the portal runs against one (debug builds with no issuer).
    pub embedded: Embedded,
}

/// The embedded emulator a portal talks to, if any (it must live as long as the portal).
#[cfg(feature = "emulator")]
pub type Embedded = Option<okta_emulator::RunningEmulator>;
/// Always `None`: this build has no emulator.
#[cfg(not(feature = "emulator"))]
pub type Embedded = Option<std::convert::Infallible>;

/// What `cargo run` runs: [`configure`], then [`assemble`].
pub async fn ignite(figment: Figment) -> Result<Ignited, String> {
    let (config, clock, embedded) = configure(&figment).await?;
    let rocket = assemble(figment, config, clock).await?;
    Ok(Ignited { rocket, embedded })
}

/// The configuration from `figment`, and the clock to run on; with the embedded emulator
/// started (and the configuration pointed at it) when it is wanted: a debug build with no
/// `okta.issuer`, and the `emulator` feature.
pub async fn configure(figment: &Figment) -> Result<(Config, Clock, Embedded), String> {
    #[allow(unused_mut)]
    let mut config = Config::from_figment(figment).map_err(|e| e.to_string())?;
    #[allow(unused_mut)]
    let mut clock = Clock::new();
    #[allow(unused_mut)]
    let mut embedded = None;
    #[cfg(feature = "emulator")]
    if config.wants_embedded_emulator() {
        let running = embedded_emulator(&mut config).await?;
        // One clock for both: `POST /emulator/clock` moves the portal's time too.
        clock = running.emulator.clock.clone();
        embedded = Some(running);
    }
    Ok((config, clock, embedded))
}

/// The stores the configuration asks for, then [`build`].
pub async fn assemble(
    figment: Figment,
    config: Config,
    clock: Clock,
) -> Result<Rocket<Build>, String> {
    let stores = Stores::from_config(&config, &clock).await?;
    build(
        figment,
        config,
        Parts {
            clock,
            stores: Some(stores),
        },
    )
}

/// Starts the demo emulator on `emulator.port` and points `config` at it.
#[cfg(feature = "emulator")]
async fn embedded_emulator(config: &mut Config) -> Result<okta_emulator::RunningEmulator, String> {
    let running = okta_emulator::spawn(okta_emulator::EmulatorOptions {
        port: config.emulator.port,
        ..okta_emulator::EmulatorOptions::default()
    })
    .await?;
    okta_emulator::cli::banner(&running);
    config.okta.issuer = Some(running.issuer());
    config.okta.client_id = Some(okta_emulator::DEMO_CLIENT_ID.into());
    config.okta.client_secret = Some(crate::config::Secret::new(
        okta_emulator::DEMO_CLIENT_SECRET,
    ));
    // The demo org issues its users' groups under the `groups` scope, and its tokens
    // reach MyAccount (the account page's sign-in methods and password) with its scopes.
    let extra =
        std::iter::once("groups").chain(crate::okta::myaccount::SESSION_SCOPES.iter().copied());
    for scope in extra {
        if !config.okta.scopes.split_whitespace().any(|s| s == scope) {
            config.okta.scopes.push(' ');
            config.okta.scopes.push_str(scope);
        }
    }
    Ok(running)
}
