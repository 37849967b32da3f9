//! The emulated org's directory: users with their enrolled authenticators and sign-in
//! policy, and the OAuth clients. Loaded once (built-in demo data or `--users FILE`) and
//! immutable afterwards; everything that changes (lockouts, codes, tokens) lives in
//! [`super::state::State`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use jsonwebtoken::DecodingKey;
use rand::rngs::OsRng;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use serde::Deserialize;

mod demo;
mod file;
mod password_policy;
use demo::demo_clients;
use file::*;
pub use password_policy::{PasswordPolicy, Violation};

/// Password of every demo user.
pub const DEMO_PASSWORD: &str = "Sup3r-Secret!";
/// TOTP secret (base32) of every demo user with an OTP app.
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";
/// The confidential demo client.
pub const DEMO_CLIENT_ID: &str = "demo-portal";
/// The confidential demo client's secret.
pub const DEMO_CLIENT_SECRET: &str = "demo-portal-secret";
/// The public demo client (no client authentication).
pub const DEMO_PUBLIC_CLIENT_ID: &str = "demo-public";
/// A demo client that authenticates with `private_key_jwt`; its private key ships in
/// `keys/demo-jwt-client.pem` so tests and the portal can sign assertions.
pub const DEMO_JWT_CLIENT_ID: &str = "demo-jwt";
/// The PEM private key of the `demo-jwt` client, for signing client assertions.
pub const DEMO_JWT_CLIENT_KEY_PEM: &str = include_str!("../../keys/demo-jwt-client.pem");

/// A factor a user can present. SMS and voice are two channels of one authenticator (phone).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Factor {
    /// The password.
    Password,
    /// A TOTP code from an authenticator app.
    Totp,
    /// A code sent by SMS.
    Sms,
    /// A code read out by a voice call.
    Voice,
    /// A code sent by email.
    Email,
    /// An Okta Verify push.
    Push,
}

impl Factor {
    /// The `amr` value Okta's AMR mapping uses for this factor.
    pub fn amr(self) -> &'static str {
        match self {
            Factor::Password => "pwd",
            Factor::Totp => "otp",
            Factor::Sms => "sms",
            Factor::Voice => "tel",
            Factor::Email => "email",
            Factor::Push => "swk",
        }
    }

    /// Factors of the same authenticator cannot satisfy two policy steps.
    pub fn authenticator(self) -> &'static str {
        match self {
            Factor::Password => "password",
            Factor::Totp => "otp",
            Factor::Sms | Factor::Voice => "phone",
            Factor::Email => "email",
            Factor::Push => "okta_verify",
        }
    }

    /// The factor behind an OOB `channel_hint`.
    pub fn from_channel(channel: &str) -> Option<Factor> {
        match channel {
            "push" => Some(Factor::Push),
            "sms" => Some(Factor::Sms),
            "voice" => Some(Factor::Voice),
            "email" => Some(Factor::Email),
            _ => None,
        }
    }

    /// The OOB `channel_hint` for this factor (`password` and `otp` for the others).
    pub fn channel(self) -> &'static str {
        match self {
            Factor::Push => "push",
            Factor::Sms => "sms",
            Factor::Voice => "voice",
            Factor::Email => "email",
            Factor::Password => "password",
            Factor::Totp => "otp",
        }
    }
}

/// What the app sign-in policy asks of a user.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// How many factors (of distinct authenticators) a sign-in needs: 1 or 2.
    pub factors: u8,
    /// Whether the password must be one of them (then it must come first).
    #[serde(default)]
    pub password_required: bool,
}

/// Whether a user may sign in.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The user may sign in.
    #[default]
    Active,
    /// The user is suspended: every sign-in is refused.
    Suspended,
}

/// A user's enrolled phone.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phone {
    /// The phone number codes are sent to.
    pub number: String,
    /// Whether SMS codes can be sent (default true).
    #[serde(default = "yes")]
    pub sms: bool,
    /// Whether voice calls can be made (default true).
    #[serde(default = "yes")]
    pub voice: bool,
}

/// A user's enrolled Okta Verify push.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Push {
    /// Whether pushes ask the user to tap a number shown on the sign-in page.
    #[serde(default)]
    pub number_challenge: bool,
}

fn yes() -> bool {
    true
}

/// One user of the emulated org.
#[derive(Clone, Debug)]
pub struct User {
    /// Okta user id (`00u…`), the ID token's `sub`.
    pub id: String,
    /// Okta login, as given (lookups are case-insensitive).
    pub login: String,
    /// Display name (the `name` claim).
    pub name: String,
    /// Email address (the `email` claim and the email code's destination).
    pub email: String,
    /// Active or suspended.
    pub status: Status,
    /// The app sign-in policy that applies to this user.
    pub policy: Policy,
    /// Argon2 PHC string; `None` when the user has no password authenticator.
    pub password_hash: Option<String>,
    /// TOTP secret (raw bytes); `None` when no authenticator app is enrolled.
    pub totp_secret: Option<Vec<u8>>,
    /// The enrolled phone, if any.
    pub phone: Option<Phone>,
    /// Whether email codes are enrolled.
    pub email_otp: bool,
    /// The enrolled push, if any.
    pub push: Option<Push>,
    /// The user's Okta groups (the `groups` claim).
    pub groups: Vec<String>,
    /// The factors the password policy's recovery rule lets this user recover with.
    pub recovery: Vec<Factor>,
}

impl User {
    /// Whether the user has `factor` enrolled.
    pub fn enrolled(&self, factor: Factor) -> bool {
        match factor {
            Factor::Password => self.password_hash.is_some(),
            Factor::Totp => self.totp_secret.is_some(),
            Factor::Sms => self.phone.as_ref().is_some_and(|p| p.sms),
            Factor::Voice => self.phone.as_ref().is_some_and(|p| p.voice),
            Factor::Email => self.email_otp,
            Factor::Push => self.push.is_some(),
        }
    }

    /// Whether this user's pushes use number matching.
    pub fn number_challenge(&self) -> bool {
        self.push.as_ref().is_some_and(|p| p.number_challenge)
    }

    /// Where an OOB code for `factor` is delivered.
    pub fn destination(&self, factor: Factor) -> String {
        match factor {
            Factor::Sms | Factor::Voice => self
                .phone
                .as_ref()
                .map(|p| p.number.clone())
                .unwrap_or_default(),
            Factor::Email => self.email.clone(),
            _ => String::new(),
        }
    }
}

/// How a client authenticates at the token endpoint.
pub enum ClientAuth {
    /// Public client: only `client_id`.
    None,
    /// `client_secret_basic` or `client_secret_post` (Okta accepts either for a secret).
    Secret(String),
    /// `private_key_jwt` with these public keys.
    PrivateKeyJwt(Vec<DecodingKey>),
}

/// An OAuth client registered in the org.
pub struct Client {
    /// The `client_id`.
    pub id: String,
    /// How the client authenticates.
    pub auth: ClientAuth,
}

/// The whole directory.
pub struct Directory {
    users: HashMap<String, Arc<User>>,
    clients: HashMap<String, Arc<Client>>,
    /// Org id (`00o…`), the ID token's `idp`.
    pub org_id: String,
    /// A hash checked when the user is unknown, so a miss costs what a hit costs.
    pub decoy_hash: String,
    /// The org's password policy (one for every user).
    pub password_policy: PasswordPolicy,
}

impl Directory {
    /// The user with this login (trimmed, case-insensitive).
    pub fn user(&self, login: &str) -> Option<&Arc<User>> {
        self.users.get(&login.trim().to_lowercase())
    }

    /// Every user.
    pub fn users(&self) -> impl Iterator<Item = &Arc<User>> {
        self.users.values()
    }

    /// The client with this id.
    pub fn client(&self, id: &str) -> Option<&Arc<Client>> {
        self.clients.get(id)
    }

    /// Reads a users file (JSON, see the README) that replaces the demo users.
    pub fn from_file(path: &Path) -> Result<Self, DirectoryError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| DirectoryError(format!("cannot read {}: {e}", path.display())))?;
        let file: OrgFile = serde_json::from_str(&text)
            .map_err(|e| DirectoryError(format!("{}: {e}", path.display())))?;
        Self::build(file)
    }

    fn build(file: OrgFile) -> Result<Self, DirectoryError> {
        let mut users = HashMap::new();
        for (index, u) in file.users.into_iter().enumerate() {
            let key = u.login.trim().to_lowercase();
            if key.is_empty() {
                return Err(DirectoryError(format!("users[{index}]: empty login")));
            }
            let user = u.into_user(index)?;
            if users.insert(key, Arc::new(user)).is_some() {
                return Err(DirectoryError(format!("users[{index}]: duplicate login")));
            }
        }
        let clients = match file.clients {
            Some(list) => list
                .into_iter()
                .enumerate()
                .map(|(i, c)| c.into_client(i))
                .collect::<Result<Vec<_>, _>>()?,
            None => demo_clients()?,
        };
        let clients = clients
            .into_iter()
            .map(|c| (c.id.clone(), Arc::new(c)))
            .collect();
        Ok(Directory {
            users,
            clients,
            org_id: "00o1emulat0rorg0000".into(),
            decoy_hash: hash_password("decoy password that matches nobody")?,
            password_policy: file.password_policy.unwrap_or_default(),
        })
    }
}

/// Argon2id with light parameters: the emulator needs realistic per-check cost, not
/// production hardness, and the flood simulation checks thousands of passwords.
fn argon2() -> Argon2<'static> {
    let params = Params::new(4096, 1, 1, None).expect("static Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// An Argon2id PHC string for `password`, with a random salt.
pub fn hash_password(password: &str) -> Result<String, DirectoryError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| DirectoryError(format!("cannot hash a password: {e}")))
}

/// Checks `password` against a PHC string; a malformed hash never matches.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The users file or a password could not be loaded or hashed.
#[derive(Debug, thiserror::Error)]
#[error("emulator users: {0}")]
pub struct DirectoryError(pub String);

#[cfg(test)]
mod tests;
