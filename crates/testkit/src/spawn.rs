//! An emulator for tests: in this process, on a free port, logging nothing, with a
//! control client at hand.

use std::ops::Deref;

use okta_emulator::{EmulatorOptions, RunningEmulator};
use rocket::config::LogLevel;
use shared::clock::Clock;

use crate::control::Control;

/// A running emulator and a control client for it. Derefs to the [`Control`] client, so
/// `emu.advance(30)` or `emu.outbox(BOB)` read as they should.
pub struct TestEmulator {
    /// The emulator itself (its state, its clock, its shutdown).
    pub running: RunningEmulator,
    /// The control-API client, on the emulator's base URL.
    pub control: Control,
}

impl TestEmulator {
    /// The emulator's movable clock, to share with a portal in the same process.
    pub fn clock(&self) -> Clock {
        self.running.emulator.clock.clone()
    }
}

impl Deref for TestEmulator {
    type Target = Control;

    fn deref(&self) -> &Control {
        &self.control
    }
}

/// Starts an emulator with the default (demo) options.
pub async fn start() -> TestEmulator {
    start_with(EmulatorOptions::default()).await
}

/// Starts an emulator; `options.port` and its log level are overridden (a free port, no
/// logs). Panics when it does not start.
pub async fn start_with(options: EmulatorOptions) -> TestEmulator {
    try_start_with(options).await.expect("the emulator starts")
}

/// [`start_with`], answering an error instead of panicking.
pub async fn try_start_with(options: EmulatorOptions) -> Result<TestEmulator, String> {
    let running = okta_emulator::spawn(EmulatorOptions {
        port: 0,
        log_level: LogLevel::Off,
        ..options
    })
    .await?;
    let control = Control::new(&running.base_url());
    Ok(TestEmulator { running, control })
}
