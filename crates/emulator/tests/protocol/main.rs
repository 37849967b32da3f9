//! Protocol-level integration tests of the Okta direct-authentication emulator
//! (`okta-direct-auth-protocol.md`, product.md §2).
//!
//! Every test starts its own emulator on an ephemeral port and talks to it only over
//! HTTP: the OAuth endpoints as a client would, and the `/emulator/...` control API to
//! read the outbox, answer pushes, inject faults and move the clock (no test sleeps for
//! an expiry, lockout or rate window).

mod acr;
mod binding;
mod client_auth;
mod common;
mod common_myaccount;
mod control;
mod discovery_keys;
mod limits_faults;
mod mfa;
mod myaccount_authenticators;
mod myaccount_password;
mod myaccount_phones;
mod passwordless;
mod push;
mod recovery;
mod refresh_revoke;
mod token_grants;
