//! The demo org's constants: users, clients, password, TOTP secret and keys, as the
//! emulator seeds them (re-exported from `okta_emulator`, named once here).

pub use okta_emulator::{
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_JWT_CLIENT_ID, DEMO_JWT_CLIENT_KEY_PEM, DEMO_PASSWORD,
    DEMO_PUBLIC_CLIENT_ID, DEMO_TOTP_SECRET,
};

/// Password only.
pub const ALICE: &str = "alice@example.com";
/// Password, then TOTP, SMS, voice or push.
pub const BOB: &str = "bob@example.com";
/// Passwordless (OTP, push, SMS, email).
pub const CAROL: &str = "carol@example.com";
/// Push with number challenge.
pub const DAVE: &str = "dave@example.com";
/// The fifth demo user.
pub const ERIN: &str = "erin@example.com";
/// Every demo user's password.
pub const PASSWORD: &str = DEMO_PASSWORD;

/// The emulator's shipped signing key (the seed key of its JWKS): an RSA key that is
/// *not* the `demo-jwt` client's.
pub const SIGNING_KEY_PEM: &str = include_str!("../../emulator/keys/emulator-signing.pem");
