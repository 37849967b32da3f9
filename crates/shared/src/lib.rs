//! What the portal and the emulator both need, and nothing else: a movable clock and
//! CSPRNG helpers. Neither crate shares any other code, so the emulator stays an
//! independent oracle of Okta's behaviour.

#![warn(missing_docs)]

pub mod clock;
pub mod random;
