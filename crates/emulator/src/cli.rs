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

/// What a person needs to use a running emulator: its URLs, clients and users.
pub fn banner(running: &RunningEmulator) {
    print!(
        "{}",
        banner_text(
            &running.base_url(),
            &running.emulator.user_summaries(),
            running.emulator.has_demo_users(),
            running.emulator.directory.client(DEMO_CLIENT_ID).is_some(),
        )
    );
}

/// The banner's text for an emulator at `base` with `users`. The demo password and TOTP
/// secret are shown only when the users are the demo users (`demo_users`), the demo
/// clients' secret only when they are there (`demo_clients`): a users file replaces
/// them, and its own secrets are never printed.
pub fn banner_text(base: &str, users: &[String], demo_users: bool, demo_clients: bool) -> String {
    let mut text = format!(
        "Okta emulator on {base}\n  issuer        {base}/oauth2/default  (org AS: {base})\n  \
         outbox        {base}/emulator/ui/outbox\n  Okta Verify   {base}/emulator/ui/verify\n"
    );
    if demo_clients {
        text += &format!(
            "  clients       {DEMO_CLIENT_ID} / {DEMO_CLIENT_SECRET} (confidential), \
             {DEMO_PUBLIC_CLIENT_ID} (public)\n"
        );
    } else {
        text += "  clients       from the users file\n";
    }
    let users = users.join(", ");
    if demo_users {
        text += &format!(
            "  demo users    {users}  (password {DEMO_PASSWORD}, TOTP secret {DEMO_TOTP_SECRET})\n"
        );
    } else {
        text += &format!("  users         {users}  (from the users file)\n");
    }
    text
}

/// Runs the emulator until Ctrl-C or SIGTERM.
pub async fn run(args: &Args) -> Result<(), String> {
    let mut running = spawn(args.options()).await?;
    banner(&running);
    // A key for the first `POST /emulator/keys/rotate`, made while nobody waits for it.
    running.emulator.prepare_key();
    // Rocket itself handles SIGTERM; Ctrl-C is caught here too.
    tokio::select! {
        _ = tokio::signal::ctrl_c() => running.shutdown(),
        _ = running.stopped() => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_shows_the_demo_secrets_only_with_the_demo_users() {
        let users = vec!["a@example.com".to_string()];
        let demo = banner_text("http://127.0.0.1:8001", &users, true, true);
        assert!(
            demo.contains(DEMO_PASSWORD) && demo.contains(DEMO_TOTP_SECRET),
            "{demo}"
        );
        assert!(
            demo.contains("http://127.0.0.1:8001/oauth2/default"),
            "{demo}"
        );
        let file = banner_text("http://127.0.0.1:8001", &users, false, true);
        assert!(!file.contains(DEMO_PASSWORD), "{file}");
        assert!(!file.contains(DEMO_TOTP_SECRET), "{file}");
        assert!(
            file.contains("a@example.com"),
            "the users are still listed: {file}"
        );
        assert!(
            file.contains(DEMO_CLIENT_ID),
            "the demo clients stay: {file}"
        );
        let own = banner_text("http://127.0.0.1:8001", &users, false, false);
        assert!(!own.contains(DEMO_CLIENT_SECRET), "{own}");
        assert!(
            !own.contains(DEMO_PASSWORD) && !own.contains(DEMO_TOTP_SECRET),
            "{own}"
        );
    }
}
