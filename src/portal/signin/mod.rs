//! Signing in: the state machine (pure), the service that drives it against Okta and the
//! stores, and the routes that stand in front of it.
//!
//! - [`machine`]: steps, events, calls and the transition function;
//! - [`service`]: one request's drive of the machine (leases, shield, Okta calls, saves);
//! - [`routes`]: the thin handlers; [`forms`]: their forms and validation;
//!   [`answers`]: how the service's result becomes a response; [`views`]: page contexts;
//! - [`wait`]: the push wait's page and status (its polls made ahead in the background);
//! - [`recover`]: forgot password (the same machine with `intent=recovery`).

pub mod answers;
pub mod forms;
pub mod machine;
pub mod recover;
pub mod routes;
pub mod service;
pub mod views;
pub mod wait;
