//! What users change about themselves through the MyAccount API: their password (with its
//! history) and their phones. The directory stays immutable; these changes live in the
//! state (so `POST /emulator/reset` undoes them) and are laid over the directory's user
//! wherever a sign-in looks a user up ([`Emulator::user_in`]), so a new password or a
//! verified phone takes effect for sign-in at once.

use std::sync::Arc;

use super::directory::{Phone, User};
use super::state::State;
use super::Emulator;

/// A phone of the MyAccount Phone API.
#[derive(Clone, Debug)]
pub struct MyPhone {
    /// `sms…` id, stable for the seeded phone.
    pub id: String,
    /// The number as the user gave it.
    pub number: String,
    /// `VERIFIED` (usable for sign-in) or `UNVERIFIED`.
    pub verified: bool,
    /// Whether SMS can be sent to it (false only for a seeded phone configured so).
    pub sms: bool,
    /// Whether it can be called.
    pub voice: bool,
    /// The pending verification challenge, if any.
    pub challenge: Option<PhoneChallenge>,
}

/// A verification code sent to a phone (`POST /idp/myaccount/phones/{id}/challenge`).
#[derive(Clone, Debug)]
pub struct PhoneChallenge {
    /// The six digits sent.
    pub code: String,
    /// When the code stops working.
    pub expires_at: i64,
    /// Wrong codes given so far.
    pub wrong: u32,
}

/// A user's self-service changes.
#[derive(Default)]
pub struct Account {
    /// The password set through MyAccount (replaces the directory's).
    pub password_hash: Option<String>,
    /// Hashes of the latest passwords, newest (the current one) first.
    pub history: Vec<String>,
    /// When the password was last changed through MyAccount.
    pub password_changed_at: Option<i64>,
    /// The user's phones once MyAccount has looked at them (`None`: the directory's).
    pub phones: Option<Vec<MyPhone>>,
}

/// The id of a user's directory phone (stable across resets).
fn seeded_phone_id(login: &str, number: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{}|{number}", login.to_lowercase()).as_bytes());
    let tail: String = digest.iter().take(9).map(|b| format!("{b:02x}")).collect();
    format!("sms{}", &tail[..17])
}

/// A fresh phone id, Okta style (`sms` + 17 characters).
pub fn new_phone_id() -> String {
    format!("sms{}", shared::random::alphanumeric(17))
}

impl State {
    /// The account record of `login` (lower-cased key).
    pub fn account(&mut self, login: &str) -> &mut Account {
        self.accounts.entry(login.to_lowercase()).or_default()
    }

    /// `user`'s phones, seeded from the directory on first use.
    pub fn phones(&mut self, user: &User) -> &mut Vec<MyPhone> {
        let account = self.account(&user.login);
        account.phones.get_or_insert_with(|| {
            user.phone
                .iter()
                .map(|p| MyPhone {
                    id: seeded_phone_id(&user.login, &p.number),
                    number: p.number.clone(),
                    verified: true,
                    sms: p.sms,
                    voice: p.voice,
                    challenge: None,
                })
                .collect()
        })
    }
}

impl Emulator {
    /// The user with this login as sign-in sees them now: the directory's user with the
    /// password and phone they set through MyAccount.
    pub fn user_in(&self, st: &State, login: &str) -> Option<Arc<User>> {
        let user = self.directory.user(login)?;
        let Some(account) = st.accounts.get(&user.login.to_lowercase()) else {
            return Some(user.clone());
        };
        let mut user = User::clone(user);
        if let Some(hash) = &account.password_hash {
            user.password_hash = Some(hash.clone());
        }
        if let Some(phones) = &account.phones {
            // Sign-in texts or calls the first verified phone.
            user.phone = phones.iter().find(|p| p.verified).map(|p| Phone {
                number: p.number.clone(),
                sms: p.sms,
                voice: p.voice,
            });
        }
        Some(Arc::new(user))
    }

    /// [`Emulator::user_in`], taking the state's lock.
    pub fn user(&self, login: &str) -> Option<Arc<User>> {
        let st = self.state.lock();
        self.user_in(&st, login)
    }
}
