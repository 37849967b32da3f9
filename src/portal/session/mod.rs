//! Server-side sessions: the `__Host-` cookie holding an opaque 256-bit id, idle and
//! absolute timeouts enforced on every load, a fresh id at sign-in (the pre-sign-in
//! session is destroyed, never promoted), CSRF tokens derived from the id, and the request
//! guards that load the session once per request.
//!
//! Writes of a signed-in session that already exists are conditional (the store's
//! `update`): a request in flight that holds a copy loaded before `POST /signout` (the
//! `User` guard's touch, the account page's token renewal) cannot write it back. Only
//! [`Sessions::create_signed_in`] creates one. Okta tokens (and a pending flow's
//! `mfa_token` and `oob_code`) are sealed (see [`seal`]) on the way to the store and opened
//! on the way back.

mod cookie;
mod guards;
pub mod lease;
pub mod opened;
pub mod record;
pub mod redis;
pub mod seal;
pub mod store;

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::config::SessionConfig;
use crate::random;
pub use guards::{Current, User};
pub use lease::Lease;
pub use record::{Approval, PreAuth, Record, SignedIn};
pub use seal::Sealer;
pub use store::{LeaseToken, MemoryStore, SessionKey, SessionStore, StoreError};

/// The session cookie's name. `__Host-` makes browsers insist on `Secure`, `Path=/` and no
/// `Domain`, so no sibling subdomain can set or shadow it.
pub const COOKIE: &str = "__Host-sid";
/// The session cookie's name when `session.cookie_domain` shares it with subdomains
/// (`__Host-` cannot carry a `Domain`; `__Secure-` still insists on `Secure`).
pub const SHARED_COOKIE: &str = "__Secure-sid";
/// How often `last_seen` is written back (idle timeouts are this precise).
pub(super) const TOUCH_EVERY: i64 = 60;

/// The session service shared by all routes.
pub struct Sessions {
    /// Where the records live (memory or Redis).
    pub store: Arc<dyn SessionStore>,
    clock: Clock,
    config: SessionConfig,
    /// HMAC-SHA256 keyed with the session secret, its key schedule done once (each MAC
    /// starts from a copy: two compressions fewer than keying it anew).
    keyed: Hmac<Sha256>,
    sealer: Sealer,
    opened: opened::Opened,
}

impl Sessions {
    /// The session service over `store`; `key` is the session secret (HMACs, and the sealing
    /// key derived from it).
    pub fn new(
        store: Arc<dyn SessionStore>,
        clock: Clock,
        config: SessionConfig,
        key: Vec<u8>,
    ) -> Self {
        Sessions {
            store,
            clock,
            config,
            sealer: Sealer::new(&key),
            opened: Default::default(),
            keyed: Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length"),
        }
    }

    /// The clock sessions are timed by.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// A fresh cookie value (256 random bits).
    pub fn new_id() -> String {
        random::token(32)
    }

    pub(super) fn well_formed(id: &str) -> bool {
        id.len() == 43
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    /// The store key of the session `id`: its SHA-256 (the cookie value itself is never stored).
    pub fn key_of(&self, id: &str) -> SessionKey {
        SessionKey(URL_SAFE_NO_PAD.encode(Sha256::digest(id.as_bytes())))
    }

    fn mac(&self, purpose: &str, value: &str) -> Vec<u8> {
        let mut mac = self.keyed.clone();
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// The synchronizer token for forms of the session `id`.
    pub fn csrf_token(&self, id: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac("csrf", id))
    }

    /// Whether `token` is the CSRF token of the session `id` (constant-time; `false` when either is
    /// missing).
    pub fn csrf_ok(&self, id: Option<&str>, token: Option<&str>) -> bool {
        use subtle::ConstantTimeEq;
        match (id, token) {
            (Some(id), Some(token)) => {
                bool::from(self.csrf_token(id).as_bytes().ct_eq(token.as_bytes()))
            }
            _ => false,
        }
    }

    /// A keyed digest of a normalized username, for logs and rate-limit keys: never the
    /// raw name.
    pub fn username_digest(&self, username: &str) -> String {
        let normalized = crate::portal::username::normalize_username(username);
        let mac = self.mac("username", &normalized);
        const HEX: &[u8; 16] = b"0123456789abcdef";
        mac[..12]
            .iter()
            .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
            .map(char::from)
            .collect()
    }

    /// An HMAC-SHA256 of `value` under the session key, separated by `purpose`.
    pub fn hmac(&self, purpose: &str, value: &str) -> Vec<u8> {
        self.mac(purpose, value)
    }

    fn limits(&self, record: &Record) -> (i64, i64) {
        match record {
            Record::PreAuth(_) => (self.config.pending_timeout, 4 * self.config.pending_timeout),
            Record::SignedIn(s) if s.remember => (
                self.config.remember_idle_timeout,
                self.config.remember_absolute_timeout,
            ),
            Record::SignedIn(_) => (self.config.idle_timeout, self.config.absolute_timeout),
        }
    }

    fn times(record: &Record) -> (i64, i64) {
        match record {
            Record::PreAuth(p) => (p.created_at, p.last_seen),
            Record::SignedIn(s) => (s.created_at, s.last_seen),
        }
    }

    /// Seconds the store should keep `record` from now.
    fn ttl(&self, record: &Record) -> i64 {
        let now = self.clock.now();
        let (idle, absolute) = self.limits(record);
        let (created, last_seen) = Self::times(record);
        (last_seen + idle - now)
            .min(created + absolute - now)
            .max(1)
    }

    /// Loads a live session; an expired one, or one written before sealing, is deleted and
    /// reads as none. One whose seal does not open (moved from another key, altered, or
    /// sealed with another secret) reads as none.
    pub async fn load(&self, id: &str) -> Result<Option<Record>, StoreError> {
        if !Self::well_formed(id) {
            return Ok(None);
        }
        let key = self.key_of(id);
        let Some(stored) = self.store.load(&key).await? else {
            self.opened.forget(&key);
            return Ok(None);
        };
        let plaintext = seal::is_plaintext(&stored);
        let Some(record) = self.open(&key, stored) else {
            // Plaintext from before sealing goes at once; a seal that does not open may be
            // another instance's (another secret) and is left to its TTL.
            if plaintext {
                self.store.delete(&key).await?;
            }
            return Ok(None);
        };
        let now = self.clock.now();
        let (idle, absolute) = self.limits(&record);
        let (created, last_seen) = Self::times(&record);
        if now - last_seen >= idle || now - created >= absolute {
            self.delete_key(&key).await?;
            return Ok(None);
        }
        Ok(Some(record))
    }

    /// A record as the store holds it, opened: `None` when its seal does not open under
    /// `key`, or it holds in plaintext what this version seals.
    pub fn open(&self, key: &SessionKey, stored: Record) -> Option<Record> {
        match stored {
            Record::SignedIn(s) => {
                if let Some(hit) = self.opened.get(key, &s) {
                    return Some(Record::SignedIn(hit));
                }
                let opened = Arc::new(self.sealer.open(key, &s).ok()?);
                self.opened
                    .put(key, s.access_token.expose(), opened.clone());
                Some(Record::SignedIn(opened))
            }
            Record::PreAuth(p) => self.sealer.open_pending(key, &p).ok().map(Record::PreAuth),
        }
    }

    fn sealed(&self, key: &SessionKey, record: &Record) -> Result<Record, StoreError> {
        let sealed = match record {
            Record::SignedIn(s) => self
                .sealer
                .seal(key, s)
                .map(|s| Record::SignedIn(Arc::new(s))),
            Record::PreAuth(p) => self.sealer.seal_pending(key, p).map(Record::PreAuth),
        };
        sealed.map_err(|e| StoreError(e.to_string()))
    }

    /// Saves a pre-sign-in record (created or replaced). A signed-in record is only
    /// written back over itself, as [`update`](Self::update) does: this never brings a
    /// signed-out session back.
    pub async fn save(&self, id: &str, record: &Record) -> Result<(), StoreError> {
        if let Record::SignedIn(_) = record {
            return self.update(id, record).await.map(|_| ());
        }
        let key = self.key_of(id);
        let stored = self.sealed(&key, record)?;
        self.store.save(&key, &stored, self.ttl(record)).await
    }

    /// Writes a signed-in session back only while it exists; `false` when it is gone
    /// (signed out, expired) and nothing was written.
    pub async fn update(&self, id: &str, record: &Record) -> Result<bool, StoreError> {
        let key = self.key_of(id);
        let stored = self.sealed(&key, record)?;
        self.store.update(&key, &stored, self.ttl(record)).await
    }

    /// Deletes the session `id`'s record.
    pub async fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.delete_key(&self.key_of(id)).await
    }

    /// Deletes the record under the store key `key` (another device's session, when a
    /// user signs out everywhere).
    pub async fn delete_key(&self, key: &SessionKey) -> Result<(), StoreError> {
        self.opened.forget(key);
        self.store.delete(key).await
    }

    /// Records activity at most once a minute (idle timeout).
    pub async fn touch(&self, id: &str, record: &mut Record) -> Result<(), StoreError> {
        let now = self.clock.now();
        let last_seen = match record {
            Record::PreAuth(p) => &mut p.last_seen,
            Record::SignedIn(s) => &mut Arc::make_mut(s).last_seen,
        };
        if now - *last_seen >= TOUCH_EVERY {
            *last_seen = now;
            self.save(id, record).await?;
        }
        Ok(())
    }

    /// Stores a new signed-in session under a new id and returns the id.
    pub async fn create_signed_in(&self, session: SignedIn) -> Result<String, StoreError> {
        let id = Self::new_id();
        let key = self.key_of(&id);
        let record = Record::SignedIn(Arc::new(session));
        let stored = self.sealed(&key, &record)?;
        self.store.save(&key, &stored, self.ttl(&record)).await?;
        Ok(id)
    }

    /// The live signed-in sessions of `user_id`, by store key.
    pub async fn of_user(&self, user_id: &str) -> Result<Vec<(SessionKey, SignedIn)>, StoreError> {
        let now = self.clock.now();
        let mut out = vec![];
        for key in self.store.user_sessions(user_id).await? {
            let stored = self.store.load(&key).await?;
            if let Some(Record::SignedIn(s)) = stored.and_then(|r| self.open(&key, r)) {
                let (idle, absolute) = self.limits(&Record::SignedIn(s.clone()));
                if now - s.last_seen < idle && now - s.created_at < absolute && s.user_id == user_id
                {
                    out.push((key, Arc::unwrap_or_clone(s)));
                }
            }
        }
        out.sort_by_key(|(_, s)| std::cmp::Reverse(s.last_seen));
        Ok(out)
    }

    /// The `[session]` configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }
}
