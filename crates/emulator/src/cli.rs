//! The emulator's command line, shared by its own binary (`okta-emulator`) and the
//! portal's `direct-signin emulator` subcommand, so both take the same flags.

use std::net::IpAddr;
use std::path::PathBuf;

use crate::DEMO_TOTP_SECRET;
use crate::{spawn, EmulatorOptions, RunningEmulator};
use crate::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD, DEMO_PUBLIC_CLIENT_ID};

/// `--port`, `--address`, `--users`, `--org-rate-limit`.
#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// TCP port to listen on.
    #[arg(long, default_value_t = 8001)]
    pub port: u16,
    /// IP address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub address: IpAddr,
    /// A JSON users file that replaces the demo users (see the README).
    #[arg(long)]
    pub users: Option<PathBuf>,
    /// Org-wide requests per minute per rate-limit bucket.
    #[arg(long, default_value_t = 1200)]
    pub org_rate_limit: u32,
}

impl Args {
    /// The emulator options these arguments describe.
    pub fn options(&self) -> EmulatorOptions {
        EmulatorOptions {
            address: self.address,
            port: self.port,
            users_file: self.users.clone(),
            org_rate_limit: self.org_rate_limit,
            ..EmulatorOptions::default()
        }
    }
}

/// What a person needs to use a running emulator: its URLs, clients and demo users.
pub fn banner(running: &RunningEmulator) {
    let base = running.base_url();
    println!("Okta emulator on {base}");
    println!("  issuer        {base}/oauth2/default  (org AS: {base})");
    println!("  outbox        {base}/emulator/ui/outbox");
    println!("  Okta Verify   {base}/emulator/ui/verify");
    println!(
        "  clients       {DEMO_CLIENT_ID} / {DEMO_CLIENT_SECRET} (confidential), {DEMO_PUBLIC_CLIENT_ID} (public)"
    );
    println!(
        "  demo users    {}  (password {DEMO_PASSWORD}, TOTP secret {DEMO_TOTP_SECRET})",
        running.emulator.user_summaries().join(", ")
    );
}

/// Runs the emulator until Ctrl-C or SIGTERM.
pub async fn run(args: &Args) -> Result<(), String> {
    let mut running = spawn(args.options()).await?;
    banner(&running);
    // Rocket itself handles SIGTERM; Ctrl-C is caught here too.
    tokio::select! {
        _ = tokio::signal::ctrl_c() => running.shutdown(),
        _ = running.stopped() => {}
    }
    Ok(())
}
