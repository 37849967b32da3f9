//! Command line: `direct-signin` runs the portal; `direct-signin emulator` runs the Okta
//! emulator alone (only in builds with the default `emulator` feature). Everything the
//! portal needs is built by [`direct_signin::portal::ignite`]; this file only parses the
//! command line and launches.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The portal allocates and frees many small blocks per request (header values, form
/// fields, template values); mimalloc serves them in a fraction of the system
/// allocator's instructions (README, Performance). A library user keeps their own.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(version, about = "Branded sign-in for Okta direct authentication")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the Okta emulator alone.
    #[cfg(feature = "emulator")]
    Emulator(okta_emulator::cli::Args),
}

/// Structured logs: JSON in release builds, readable lines in debug; `RUST_LOG` filters
/// (default `info`). Rocket's own launch and request lines are configured separately by
/// its `log_level` (see Rocket.toml).
fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    // Rocket's own records (launch dump, per-request lines) arrive through the `log`
    // bridge; keep its warnings, drop its chatter unless RUST_LOG asks for it.
    // Never below warn for Rocket, whatever RUST_LOG says: its debug level prints form
    // fields (passwords, codes) and request headers (cookies).
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info"))
        .add_directive("rocket=warn".parse().expect("static directive"))
        .add_directive("_=warn".parse().expect("static directive"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true);
    if cfg!(debug_assertions) {
        builder.init();
    } else {
        builder.json().flatten_event(true).init();
    }
}

#[rocket::main]
async fn main() -> ExitCode {
    // Before anything (the embedded emulator too) uses jsonwebtoken: see `okta::crypto`.
    direct_signin::okta::crypto::install();
    init_tracing();
    let cli = Cli::parse();
    let result = match cli.command {
        #[cfg(feature = "emulator")]
        Some(Command::Emulator(args)) => okta_emulator::cli::run(&args).await,
        None => run_portal().await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run_portal() -> Result<(), String> {
    let config = direct_signin::config::Config::figment();
    // The embedded emulator (if any) lives until the portal has stopped.
    let direct_signin::portal::Ignited {
        rocket,
        embedded: _embedded,
    } = direct_signin::portal::ignite(config).await?;
    let rocket = rocket.attach(rocket::fairing::AdHoc::on_liftoff("Banner", |rocket| {
        Box::pin(async move {
            let c = rocket.config();
            println!(
                "Portal on http://{}:{}/ — sign in at /signin",
                c.address, c.port
            );
        })
    }));
    rocket.launch().await.map_err(|e| e.to_string())?;
    Ok(())
}
