//! A wall clock that tests and the emulator's control API can move forward.
//!
//! Every expiry, lifetime, lockout and rate-limit window in the portal and the emulator reads time from a
//! [`Clock`] instead of the system directly, so tests never sleep: they advance the clock.
//! Clones share the same offset.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Unix time plus a shared, adjustable offset.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// A clock with no offset (the system time).
    pub fn new() -> Self {
        Self::default()
    }

    /// Milliseconds since the Unix epoch, as this clock sees it.
    pub fn now_ms(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        real + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Seconds since the Unix epoch, as this clock sees it.
    pub fn now(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// Moves the clock forward (a negative value moves it back; only tests do that).
    pub fn advance_secs(&self, secs: i64) {
        self.offset_ms
            .fetch_add(secs.saturating_mul(1000), Ordering::Relaxed);
    }

    /// Moves the clock forward by `ms` milliseconds.
    pub fn advance_ms(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// Back to real time.
    pub fn reset(&self) {
        self.offset_ms.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_every_clone() {
        let clock = Clock::new();
        let other = clock.clone();
        let before = other.now();
        clock.advance_secs(301);
        assert!(other.now() >= before + 301);
        clock.reset();
        assert!(other.now() < before + 300);
    }
}
