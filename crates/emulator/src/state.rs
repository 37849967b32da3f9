//! Everything in the emulated org that changes: per-user counters, MFA and OOB
//! transactions, the outbox, rate-limit windows and issued tokens. One value behind one
//! mutex; no lock is held across an await or across CPU-heavy work (hashing, signing).

use std::collections::HashMap;

use serde::Serialize;

use super::directory::Factor;
use super::limits::Limits;
use super::tokens::TokenStore;

/// Consecutive failed passwords that lock an account (Okta's default password policy).
pub const LOCKOUT_THRESHOLD: u32 = 10;
/// Lifetime of an `mfa_token` (UNCONFIRMED at Okta; five minutes chosen).
pub const MFA_TOKEN_TTL: i64 = 300;
/// `expires_in` of an `oob_code`.
pub const OOB_TTL: i64 = 300;
/// Default push polling `interval`.
pub const PUSH_INTERVAL: i64 = 5;
/// Wrong codes accepted for one `oob_code` or `mfa_token` before it is burnt.
pub const MAX_WRONG_CODES: u32 = 5;

#[derive(Default)]
pub struct UserState {
    pub failed_passwords: u32,
    pub locked: bool,
    /// TOTP time steps already accepted (no replay of a used code).
    pub used_totp_steps: Vec<u64>,
    /// Wrong one-time codes received (TOTP, SMS, voice, email; first or second factor).
    /// Never reset but by `POST /emulator/reset`: a measurement for abuse simulations.
    pub failed_codes: u64,
    /// Pushes sent to the user's Okta Verify.
    pub pushes_sent: u64,
    /// SMS, voice calls and emails sent to the user.
    pub messages_sent: u64,
}

/// The parameters a flow's follow-up calls must repeat (protocol reference §2.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub client_id: String,
    pub auth_server: String,
    /// `None` until the first `/token` call of a primary OOB flow fixes it.
    pub scope: Option<Vec<String>>,
    pub acr_values: Option<String>,
    pub intent: Option<String>,
}

pub struct MfaTxn {
    pub login: String,
    pub binding: Binding,
    pub satisfied: Vec<Factor>,
    pub expires_at: i64,
    pub wrong_codes: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PushStatus {
    Pending,
    Approved,
    Denied,
}

pub struct OobTxn {
    pub login: String,
    pub binding: Binding,
    pub mfa_token: Option<String>,
    pub factor: Factor,
    /// `none`, `transfer` or `prompt`.
    pub binding_method: &'static str,
    /// The number to tap (`transfer`) or the code sent (`prompt`).
    pub binding_code: Option<String>,
    pub status: PushStatus,
    pub created_at: i64,
    pub expires_at: i64,
    pub interval: i64,
    pub last_poll_ms: Option<i64>,
    pub wrong_codes: u32,
    pub push_id: Option<String>,
    /// The three numbers Okta Verify offers (number challenge).
    pub numbers: Option<[u32; 3]>,
}

/// An SMS, voice call or email "sent" by the emulator.
#[derive(Clone, Debug, Serialize)]
pub struct Message {
    pub channel: &'static str,
    pub to: String,
    pub code: String,
    pub sent_at: i64,
    #[serde(skip)]
    pub login: String,
}

#[derive(Default)]
pub struct State {
    pub users: HashMap<String, UserState>,
    pub mfa: HashMap<String, MfaTxn>,
    pub oob: HashMap<String, OobTxn>,
    /// push id → `oob_code`
    pub pushes: HashMap<String, String>,
    pub outbox: Vec<Message>,
    pub limits: Limits,
    pub tokens: TokenStore,
    /// `jti`s of client assertions already used, with their `exp`.
    pub assertion_jtis: HashMap<String, i64>,
    /// Self-service changes (MyAccount password and phones), by lower-cased login.
    pub accounts: HashMap<String, super::accounts::Account>,
    operations: u64,
}

impl State {
    pub fn user(&mut self, login: &str) -> &mut UserState {
        self.users.entry(login.to_lowercase()).or_default()
    }

    pub fn is_locked(&self, login: &str) -> bool {
        self.users
            .get(&login.to_lowercase())
            .is_some_and(|u| u.locked)
    }

    /// Housekeeping every few hundred operations: drop what has expired.
    pub fn tick(&mut self, now: i64, now_ms: i64) {
        self.operations += 1;
        if !self.operations.is_multiple_of(512) {
            return;
        }
        self.mfa.retain(|_, t| t.expires_at > now);
        self.oob.retain(|_, t| t.expires_at > now - 60);
        let oob = &self.oob;
        self.pushes.retain(|_, code| oob.contains_key(code));
        self.assertion_jtis.retain(|_, &mut exp| exp > now);
        if self.outbox.len() > 10_000 {
            let excess = self.outbox.len() - 10_000;
            self.outbox.drain(..excess);
        }
        self.limits.prune(now_ms);
        self.tokens.prune(now);
    }
}
