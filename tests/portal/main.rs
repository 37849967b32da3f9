//! Portal integration tests: every flow of the protocol reference through the real
//! routes, against the emulator.

mod common;
mod flows;
mod sessions;
mod steps;
