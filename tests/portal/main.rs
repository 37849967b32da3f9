//! Portal integration tests: every flow of the protocol reference through the real
//! routes, against the emulator. Each test builds its own `Portal` (a portal and an
//! emulator on an ephemeral port sharing one movable clock), so tests run in parallel
//! and never sleep for a time window: they move the clock.
//!
//! - `flows`: every sign-in flow (password, MFA, passwordless, `mfa_required` after a
//!   passwordless factor);
//! - `steps`: wrong codes, denied and expired pushes, resend, cancel, switch, double
//!   submits, the back button and stale forms;
//! - `sessions`: the cookie, id rotation, timeouts, sign-out and sign-out everywhere;
//! - `id_tokens`: ID-token validation and key rotation;
//! - `faults`: Okta failures injected through the emulator;
//! - `protections`: CSRF, cross-site POSTs, `return_to`, malformed input;
//! - `edges`: hostile `return_to` values, `X-Forwarded-For` with ports and brackets,
//!   Unicode spellings of one username, `/metrics` behind its allow-list;
//! - `gateway`: `/auth` for reverse proxies, its rules, headers and assertion;
//! - `recovery`: forgot password, by every factor, with its decoys and limiters;
//! - `account_methods`: change password, phones, and the MyAccount step-up.
//! - `languages`: negotiation, the German flow, operator overrides;
//! - `pseudo`: nothing on a page bypasses the catalog;
//! - `poll_ahead`: the push wait's status polls Okta in the background, commits a stashed
//!   approval once, and answers real and decoy pushes alike at once.

mod abuse;
mod account_methods;
mod common;
mod edges;
mod faults;
mod flows;
mod gateway;
mod id_tokens;
mod languages;
mod ops;
mod poll_ahead;
mod protections;
mod pseudo;
mod recovery;
mod sessions;
mod shield;
mod steps;
