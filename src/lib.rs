//! direct-signin: a branded sign-in service for Okta direct authentication. The Okta
//! emulator it is developed, demonstrated and tested against is its own crate
//! (`crates/emulator`), linked only with the default `emulator` feature.
//!
//! - [`config`]: the typed configuration, read from Rocket's figment and validated at start.
//! - [`okta`]: the client of Okta's direct-authentication API.
//! - [`portal`]: the sign-in service itself.
//! - [`metrics`]: the Prometheus registry.
//! - [`clock`], [`random`]: the movable clock and CSPRNG helpers (from `crates/shared`).

pub mod clock;
pub mod config;
pub mod metrics;
pub mod okta;
pub mod portal;
pub use shared::random;
