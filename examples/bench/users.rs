//! The emulator's users for the bench (`--users FILE`): password-only users for the
//! sign-in CPU and page stages, password + TOTP users, passwordless email users and
//! passwordless push users (one per push wait, so no per-user delivery cap is reached).
//!
//! Every password user shares one Argon2 hash computed here with light parameters: the
//! emulator's CPU is not what the bench measures, and a cheap hash keeps it from
//! crowding the load generator's core. Plain `password` entries would be hashed at load
//! with the emulator's own parameters, which takes minutes for thousands of users.

use argon2::password_hash::{PasswordHasher, SaltString};
use serde_json::{json, Value};

/// The password of every bench user.
pub const PASSWORD: &str = "Bench-Secret-1!";
/// Every TOTP user's secret (the demo secret, so `testkit::totp::totp_at` computes codes).
pub const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";

pub fn password_user(i: usize) -> String {
    format!("pw{i}@bench.example")
}
pub fn totp_user(i: usize) -> String {
    format!("mfa{i}@bench.example")
}
pub fn email_user(i: usize) -> String {
    format!("mail{i}@bench.example")
}
pub fn push_user(i: usize) -> String {
    format!("push{i}@bench.example")
}

fn light_hash(password: &str) -> Result<String, String> {
    let params = argon2::Params::new(1024, 1, 1, None).map_err(|e| e.to_string())?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let salt = SaltString::encode_b64(b"bench-salt-16byt").map_err(|e| e.to_string())?;
    argon
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// The users file: `password` password-only users, `mfa` password + TOTP users, `email`
/// passwordless email users and `push` passwordless push users.
pub fn file(password: usize, mfa: usize, email: usize, push: usize) -> Result<Value, String> {
    let hash = light_hash(PASSWORD)?;
    let mut users = Vec::with_capacity(password + mfa + email + push);
    let groups = json!(["customers"]);
    for i in 0..password {
        users.push(json!({
            "login": password_user(i), "name": format!("Password User {i}"),
            "password_hash": hash, "policy": {"factors": 1, "password_required": true},
            "groups": groups,
        }));
    }
    for i in 0..mfa {
        users.push(json!({
            "login": totp_user(i), "name": format!("TOTP User {i}"),
            "password_hash": hash, "policy": {"factors": 2, "password_required": true},
            "totp_secret": TOTP_SECRET, "groups": groups,
        }));
    }
    for i in 0..email {
        users.push(json!({
            "login": email_user(i), "name": format!("Email User {i}"),
            "policy": {"factors": 1, "password_required": false},
            "email_otp": true, "groups": groups,
        }));
    }
    for i in 0..push {
        users.push(json!({
            "login": push_user(i), "name": format!("Push User {i}"),
            "policy": {"factors": 1, "password_required": false},
            "push": {"number_challenge": false}, "groups": groups,
        }));
    }
    Ok(json!({ "users": users }))
}
