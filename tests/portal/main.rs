//! Portal integration tests: every flow of the protocol reference through the real
//! routes, against the emulator.

mod common;
mod faults;
mod flows;
mod id_tokens;
mod protections;
mod sessions;
mod steps;
