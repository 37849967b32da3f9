//! direct-signin: a branded sign-in service for Okta direct authentication. The Okta
//! emulator it is developed, demonstrated and tested against is its own crate
//! (`crates/emulator`), linked only with the default `emulator` feature.
//!
//! - [`config`]: the typed configuration, read from Rocket's figment and validated at start.
//! - [`secret`], [`method`], [`local_path`]: the secret string, the sign-in methods and
//!   local redirect paths, shared by the configuration and the portal.
//! - [`okta`]: the client of Okta's direct-authentication API.
//! - [`portal`]: the sign-in service itself.
//! - [`embed`]: the portal inside a host Rocket app (a stage under a base path) and the
//!   `SignedIn` guard for the host's routes.
//! - [`metrics`]: the Prometheus registry.
//! - [`clock`], [`random`]: the movable clock and CSPRNG helpers (from `crates/shared`).

#![warn(missing_docs)]

pub mod clock;
pub mod config;
pub mod embed;
pub mod local_path;
pub mod method;
pub mod metrics;
pub mod okta;
pub mod portal;
pub mod secret;
pub use shared::random;
