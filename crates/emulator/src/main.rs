//! `okta-emulator [--port] [--address] [--users] [--org-rate-limit]`: the emulator alone.

use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(
    version,
    about = "A local stand-in for an Okta org's direct-authentication API"
)]
struct Cli {
    #[command(flatten)]
    args: okta_emulator::cli::Args,
}

#[rocket::main]
async fn main() -> ExitCode {
    match okta_emulator::cli::run(&Cli::parse().args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
