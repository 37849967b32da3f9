//! direct-signin: a branded sign-in service for Okta direct authentication, and the Okta
//! emulator it is developed, demonstrated and tested against.
//!
//! - [`config`]: the typed configuration, read from Rocket's figment and validated at start.
//! - [`emulator`]: a faithful stand-in for an Okta org's direct-authentication API.
//! - [`portal`]: the sign-in service itself.
//! - [`clock`], [`random`]: a movable clock and CSPRNG helpers shared by both.

pub mod clock;
pub mod config;
pub mod emulator;
pub mod metrics;
pub mod okta;
pub mod portal;
pub mod random;
