//! Signed-in records opened lately. A signed-in visitor's record is read on every request
//! (each page, each `/auth` check a proxy sends), but written at most once a minute; each
//! write seals it afresh under a new random nonce. So the sealed value names one version of
//! the record exactly: while the store still holds the value opened last time, opening it
//! again would give the same tokens and claims, and this cache gives them without the
//! decryption and the JSON parse.
//!
//! A hit needs the same store key, the same sealed value, and the same fields the seal
//! binds (user, username digest, `amr`, `auth_time`, creation time, "remember"): a record
//! altered in the store misses, and is then opened, and refused, as before. Fields the seal
//! does not bind (`last_seen`, the token expiry, the browser summary) come from the stored
//! record on every read, as they would without the cache.
//!
//! The cache only saves work: the store is read on every request, so a session signed out
//! on another instance reads as absent at once. It holds at most [`CAPACITY`] records
//! (about 3 KiB each with Okta-sized tokens) in this process's memory, which holds them
//! opened while it serves their requests anyway; an entry goes when its session is read
//! as absent or deleted here.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::record::SignedIn;
use super::store::SessionKey;

/// At most this many opened records are kept (about 12 MiB with Okta-sized tokens).
pub const CAPACITY: usize = 4096;

/// Opened records by store key, with the sealed value each was opened from.
#[derive(Default)]
pub struct Opened {
    entries: Mutex<HashMap<SessionKey, (String, Arc<SignedIn>)>>,
}

/// Whether two records agree on every field the seal binds (see `Sealer::aad`).
pub fn same_binding(a: &SignedIn, b: &SignedIn) -> bool {
    a.user_id == b.user_id
        && a.user_digest == b.user_digest
        && a.amr == b.amr
        && a.auth_time == b.auth_time
        && a.created_at == b.created_at
        && a.remember == b.remember
}

impl Opened {
    /// `stored` opened, when it is the version opened last under `key`.
    pub fn get(&self, key: &SessionKey, stored: &SignedIn) -> Option<SignedIn> {
        let opened = {
            let entries = self.entries.lock();
            let (sealed, opened) = entries.get(key)?;
            if sealed != stored.access_token.expose() {
                return None;
            }
            opened.clone()
        };
        if !same_binding(&opened, stored) {
            return None;
        }
        let mut session = SignedIn::clone(&opened);
        session.email_verified = stored.email_verified;
        session.access_expires_at = stored.access_expires_at;
        session.last_seen = stored.last_seen;
        session.device.clone_from(&stored.device);
        session.ip.clone_from(&stored.ip);
        Some(session)
    }

    /// Keeps `opened`, opened from the sealed value `sealed` under `key`.
    pub fn put(&self, key: &SessionKey, sealed: &str, opened: &SignedIn) {
        let entry = (sealed.to_string(), Arc::new(opened.clone()));
        let mut entries = self.entries.lock();
        if entries.len() >= CAPACITY && !entries.contains_key(key) {
            // Any entry will do: a busy session comes back on its next request.
            if let Some(victim) = entries.keys().next().cloned() {
                entries.remove(&victim);
            }
        }
        entries.insert(key.clone(), entry);
    }

    /// Forgets the record under `key` (its session ended or reads as absent).
    pub fn forget(&self, key: &SessionKey) {
        self.entries.lock().remove(key);
    }

    /// How many records are kept (for tests).
    pub fn len(&self) -> usize {
        self.entries.lock().len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
