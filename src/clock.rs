//! The portal's clock: the shared movable [`Clock`], and the same clock as `governor`'s
//! rate limiters see it.

pub use shared::clock::Clock;

/// The same clock as `governor` sees it, so rate limiters follow a moved clock too.
#[derive(Clone, Debug)]
pub struct GovernorClock(pub Clock);

impl governor::clock::Clock for GovernorClock {
    type Instant = governor::nanos::Nanos;

    fn now(&self) -> Self::Instant {
        governor::nanos::Nanos::from(self.0.now_ms().max(0) as u64 * 1_000_000)
    }
}
