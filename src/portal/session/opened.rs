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
    /// `stored` opened, when it is the version opened last under `key`: the record kept
    /// itself while its unbound fields are the stored ones too (the usual case, as every
    /// write seals afresh), else a copy with them.
    pub fn get(&self, key: &SessionKey, stored: &SignedIn) -> Option<Arc<SignedIn>> {
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
        if opened.email_verified == stored.email_verified
            && opened.access_expires_at == stored.access_expires_at
            && opened.last_seen == stored.last_seen
            && opened.device == stored.device
            && opened.ip == stored.ip
        {
            return Some(opened);
        }
        let mut session = SignedIn::clone(&opened);
        session.email_verified = stored.email_verified;
        session.access_expires_at = stored.access_expires_at;
        session.last_seen = stored.last_seen;
        session.device.clone_from(&stored.device);
        session.ip.clone_from(&stored.ip);
        Some(Arc::new(session))
    }

    /// Keeps `opened`, opened from the sealed value `sealed` under `key`.
    pub fn put(&self, key: &SessionKey, sealed: &str, opened: Arc<SignedIn>) {
        let entry = (sealed.to_string(), opened);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn stored(sealed: &str) -> SignedIn {
        SignedIn {
            user_id: "00u1".into(),
            user_digest: "d".into(),
            name: None,
            email: None,
            preferred_username: None,
            amr: vec!["pwd".into()],
            email_verified: None,
            groups: vec![],
            auth_time: 10,
            access_token: Secret::new(sealed),
            refresh_token: None,
            access_expires_at: 100,
            userinfo: None,
            created_at: 10,
            last_seen: 10,
            remember: false,
            device: None,
            ip: None,
            pending: None,
            methods: None,
        }
    }

    fn opened_from(stored: &SignedIn) -> Arc<SignedIn> {
        Arc::new(SignedIn {
            access_token: Secret::new("the access token"),
            email: Some("pat@example.com".into()),
            ..stored.clone()
        })
    }

    fn key(k: &str) -> SessionKey {
        SessionKey(k.into())
    }

    #[test]
    fn the_version_opened_last_is_given_back_without_opening() {
        let cache = Opened::default();
        let v1 = stored("ds1.first");
        cache.put(&key("a"), "ds1.first", opened_from(&v1));
        let hit = cache.get(&key("a"), &v1).expect("the same sealed value");
        assert_eq!(hit.access_token.expose(), "the access token");
        assert!(Arc::ptr_eq(&hit, &cache.get(&key("a"), &v1).unwrap()));
        // Another write (a fresh nonce), another key: not this entry.
        assert!(cache.get(&key("a"), &stored("ds1.second")).is_none());
        assert!(cache.get(&key("b"), &v1).is_none());
    }

    #[test]
    fn a_record_altered_in_the_store_misses() {
        let cache = Opened::default();
        let v1 = stored("ds1.first");
        cache.put(&key("a"), "ds1.first", opened_from(&v1));
        for altered in [
            SignedIn {
                amr: vec!["pwd".into(), "otp".into()],
                ..v1.clone()
            },
            SignedIn {
                user_id: "00u2".into(),
                ..v1.clone()
            },
            SignedIn {
                created_at: 11,
                ..v1.clone()
            },
            SignedIn {
                remember: true,
                ..v1.clone()
            },
            SignedIn {
                auth_time: 11,
                ..v1.clone()
            },
        ] {
            assert!(cache.get(&key("a"), &altered).is_none(), "{altered:?}");
        }
    }

    #[test]
    fn fields_the_seal_does_not_bind_are_read_from_the_store() {
        let cache = Opened::default();
        let v1 = stored("ds1.first");
        cache.put(&key("a"), "ds1.first", opened_from(&v1));
        let later = SignedIn {
            last_seen: 70,
            ip: Some("192.0.2.1".into()),
            ..v1.clone()
        };
        let hit = cache.get(&key("a"), &later).unwrap();
        assert_eq!((hit.last_seen, hit.ip.as_deref()), (70, Some("192.0.2.1")));
        assert_eq!(hit.email.as_deref(), Some("pat@example.com"));
    }

    #[test]
    fn it_holds_at_most_its_capacity_and_forgets_ended_sessions() {
        let cache = Opened::default();
        let v = stored("ds1.x");
        for i in 0..CAPACITY + 10 {
            cache.put(&key(&format!("k{i}")), "ds1.x", opened_from(&v));
        }
        assert_eq!(cache.len(), CAPACITY);
        let last = key(&format!("k{}", CAPACITY + 9));
        assert!(cache.get(&last, &v).is_some(), "the newest stays");
        cache.forget(&last);
        assert!(cache.get(&last, &v).is_none());
    }
}
