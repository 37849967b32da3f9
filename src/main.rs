//! Command line: `direct-signin` runs the portal; `direct-signin emulator` runs the Okta
//! emulator alone.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use direct_signin::config::Config;
use direct_signin::emulator::{self, EmulatorOptions};

#[derive(Parser)]
#[command(version, about = "Branded sign-in for Okta direct authentication")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the Okta emulator alone.
    Emulator {
        #[arg(long, default_value_t = 8001)]
        port: u16,
        #[arg(long, default_value = "127.0.0.1")]
        address: IpAddr,
        /// A JSON users file that replaces the demo users (see the README).
        #[arg(long)]
        users: Option<PathBuf>,
        /// Org-wide requests per minute per rate-limit bucket.
        #[arg(long, default_value_t = 1200)]
        org_rate_limit: u32,
    },
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
    init_tracing();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Emulator {
            port,
            address,
            users,
            org_rate_limit,
        }) => {
            run_emulator(EmulatorOptions {
                address,
                port,
                users_file: users,
                org_rate_limit,
                ..EmulatorOptions::default()
            })
            .await
        }
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

fn banner(base: &str, users: &[String]) {
    println!("Okta emulator on {base}");
    println!("  issuer        {base}/oauth2/default  (org AS: {base})");
    println!("  outbox        {base}/emulator/ui/outbox");
    println!("  Okta Verify   {base}/emulator/ui/verify");
    println!(
        "  clients       {} / {} (confidential), {} (public)",
        emulator::DEMO_CLIENT_ID,
        emulator::DEMO_CLIENT_SECRET,
        emulator::DEMO_PUBLIC_CLIENT_ID
    );
    println!(
        "  demo users    {}  (password {}, TOTP secret {})",
        users.join(", "),
        emulator::DEMO_PASSWORD,
        emulator::DEMO_TOTP_SECRET
    );
}

async fn run_emulator(options: EmulatorOptions) -> Result<(), String> {
    let mut running = emulator::spawn(options).await?;
    banner(&running.base_url(), &running.emulator.user_summaries());
    // Rocket itself handles SIGTERM; Ctrl-C is caught here too.
    tokio::select! {
        _ = tokio::signal::ctrl_c() => running.shutdown(),
        _ = running.stopped() => {}
    }
    Ok(())
}

async fn run_portal() -> Result<(), String> {
    let figment = Config::figment();
    let mut config = Config::from_figment(&figment).map_err(|e| e.to_string())?;
    let mut _embedded = None;
    let mut parts = direct_signin::portal::Parts::default();
    if config.wants_embedded_emulator() {
        let running = emulator::spawn(EmulatorOptions {
            port: config.emulator.port,
            ..EmulatorOptions::default()
        })
        .await?;
        banner(&running.base_url(), &running.emulator.user_summaries());
        config.okta.issuer = Some(running.issuer());
        config.okta.client_id = Some(emulator::DEMO_CLIENT_ID.into());
        config.okta.client_secret = Some(direct_signin::config::Secret::new(
            emulator::DEMO_CLIENT_SECRET,
        ));
        // One clock for both: `POST /emulator/clock` moves the portal's time too.
        parts.clock = running.emulator.clock.clone();
        _embedded = Some(running);
    }
    let store = direct_signin::portal::session::store_from_config(&config.session, &parts.clock)
        .await
        .map_err(|e| format!("session.store: {e}"))?;
    parts.store = Some(store);
    if config.session.store == "redis" {
        // Instances share the failure budgets too, or N instances would allow N times them.
        let failures = direct_signin::portal::abuse::failures::RedisFailures::connect(
            &config.session.redis_url,
            &config.session.redis_prefix,
        )
        .await
        .map_err(|e| format!("session.redis_url: {e}"))?;
        parts.failures = Some(std::sync::Arc::new(failures));
    }
    let rocket = direct_signin::portal::build(figment, config, parts)?.attach(
        rocket::fairing::AdHoc::on_liftoff("Banner", |rocket| {
            Box::pin(async move {
                let c = rocket.config();
                println!(
                    "Portal on http://{}:{}/ — sign in at /signin",
                    c.address, c.port
                );
            })
        }),
    );
    rocket.launch().await.map_err(|e| e.to_string())?;
    Ok(())
}
