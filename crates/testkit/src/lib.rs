//! The one test kit for everything that drives the Okta emulator: the portal's tests, the
//! scale-out tests, the emulator's own protocol tests and the flood simulation.
//!
//! - [`spawn`]: an emulator on a free port, quiet, with a control client ([`TestEmulator`]);
//! - [`control`]: a client for the emulator's `/emulator/...` control API ([`Control`]);
//! - [`resp`]: a finished HTTP exchange with the emulator and its OAuth checks ([`Resp`]);
//! - [`totp`]: TOTP codes of the demo secret at a given time;
//! - [`demo`]: the demo users, clients, password, TOTP secret and keys;
//! - [`html`]: the CSRF token of a page and Tera's escaping undone.
//! - [`redis`]: Redis servers, Sentinels and a Cluster of a test's own, on free ports;
//! - [`wait`]: asking again until background work shows, within a real-time budget.
//!
//! It does not depend on the portal: the emulator stays independent of it.

#![warn(missing_docs)]

pub mod control;
pub mod demo;
pub mod html;
pub mod redis;
pub mod resp;
pub mod spawn;
pub mod totp;
pub mod wait;

pub use control::Control;
pub use resp::Resp;
pub use spawn::{start, start_with, try_start_with, TestEmulator};
pub use totp::{totp_at, wrong_totp_at};
