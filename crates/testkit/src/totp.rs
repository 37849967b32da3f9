//! TOTP codes of the demo secret (every demo user shares it): SHA-1, six digits, 30 s
//! steps, as the emulator checks them.

use totp_rs::{Algorithm, Secret, TOTP};

use crate::demo::DEMO_TOTP_SECRET;

/// The demo secret's code at `time` (Unix seconds, e.g. the emulator clock's `now`).
pub fn totp_at(time: i64) -> String {
    let secret = Secret::Encoded(DEMO_TOTP_SECRET.to_string())
        .to_bytes()
        .expect("the demo TOTP secret is valid base32");
    TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, secret).generate(time.max(0) as u64)
}

/// A six-digit code that is valid for none of the steps the emulator accepts at `now`
/// (two steps either side, to be safe).
pub fn wrong_totp_at(now: i64) -> String {
    let valid: Vec<String> = [-60, -30, 0, 30, 60]
        .iter()
        .map(|d| totp_at(now + d))
        .collect();
    (0..1000)
        .map(|i| format!("{:06}", 123_456 + i))
        .find(|c| !valid.contains(c))
        .expect("a code outside five steps")
}
