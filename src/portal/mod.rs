//! The sign-in portal.

pub mod signin;

use rocket::{get, routes, Build, Rocket};

use crate::config::Config;

#[get("/healthz")]
fn healthz() -> &'static str {
    "ok"
}

/// Builds the portal's Rocket instance from a validated configuration.
pub fn rocket(figment: rocket::figment::Figment, config: Config) -> Rocket<Build> {
    rocket::custom(figment)
        .manage(config)
        .mount("/", routes![healthz])
}
