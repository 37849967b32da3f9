//! Portal integration tests: every flow of the protocol reference through the real
//! routes, against the emulator.

mod abuse;
mod common;
mod flows;
