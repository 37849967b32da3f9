//! Where sessions live: a trait with create/load/save/delete, a per-user index (for "sign
//! out everywhere" and the list of active sessions) and short leases (so only one request
//! at a time drives a sign-in flow, across instances). The in-memory store is the
//! single-instance default; a shared store implements the same trait.
//!
//! Keys are SHA-256 digests of the cookie value: a dump of the store does not reveal a
//! usable session id. Okta tokens in signed-in records arrive here already sealed (see
//! [`super::seal`]): the store never holds the key that opens them.
//!
//! Two write paths: `save` creates or replaces (a new session, a pre-sign-in record), and
//! `update` writes only over a record that still exists, so a request in flight holding a
//! stale copy cannot bring a session back after sign-out deleted it.
//!
//! A lease is owned by the random token `claim` returns: only that token releases or
//! extends it, so a request whose lease expired cannot end the next holder's.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use parking_lot::{Mutex, RwLock};

use super::record::Record;
use crate::clock::Clock;

/// The store key of a session: base64url(SHA-256(cookie value)).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct SessionKey(pub String);

/// The session store failed (the message says how); answered with a 503.
#[derive(Debug, thiserror::Error)]
#[error("session store: {0}")]
pub struct StoreError(pub String);

/// Where sessions and leases live: this process ([`MemoryStore`]) or Redis.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// The record under `key`; `None` when there is none (or it expired).
    async fn load(&self, key: &SessionKey) -> Result<Option<Record>, StoreError>;
    /// Saves `record`; the store may forget it `ttl_secs` from now.
    async fn save(
        &self,
        key: &SessionKey,
        record: &Record,
        ttl_secs: i64,
    ) -> Result<(), StoreError>;
    /// Replaces the record under `key` only if one is still there (a signed-in session's
    /// write-back); `false` when it is gone (signed out, expired) and nothing was written.
    async fn update(
        &self,
        key: &SessionKey,
        record: &Record,
        ttl_secs: i64,
    ) -> Result<bool, StoreError>;
    /// Removes the record under `key` (nothing happens when there is none).
    async fn delete(&self, key: &SessionKey) -> Result<(), StoreError>;
    /// Keys of the signed-in sessions of `user` (may include expired ones).
    async fn user_sessions(&self, user: &str) -> Result<Vec<SessionKey>, StoreError>;
    /// Takes the lease `name` for `ttl_ms` unless someone holds it; the answer is the
    /// owner token that [`release`](Self::release) and [`extend`](Self::extend) need.
    async fn claim(&self, name: &str, ttl_ms: i64) -> Result<Option<LeaseToken>, StoreError>;
    /// Ends the lease if `token` still owns it; `false` when it had expired or another
    /// request holds it now (then it is left alone).
    async fn release(&self, name: &str, token: &LeaseToken) -> Result<bool, StoreError>;
    /// Gives the lease `ttl_ms` from now if `token` still owns it; `false` otherwise.
    async fn extend(&self, name: &str, token: &LeaseToken, ttl_ms: i64)
        -> Result<bool, StoreError>;
    /// For readiness.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Proof of owning a lease: 128 random bits, never shown or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct LeaseToken(pub String);

impl LeaseToken {
    /// A fresh random token.
    pub fn new() -> Self {
        LeaseToken(crate::random::token(16))
    }
}

impl Default for LeaseToken {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for LeaseToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LeaseToken(***)")
    }
}

struct Entry {
    record: Record,
    expires_at: i64,
}

/// Sessions in this process's memory.
pub struct MemoryStore {
    clock: Clock,
    entries: RwLock<HashMap<SessionKey, Entry>>,
    by_user: Mutex<HashMap<String, HashSet<SessionKey>>>,
    leases: Mutex<HashMap<String, (LeaseToken, i64)>>,
    writes: Mutex<u64>,
}

impl MemoryStore {
    /// An empty store on `clock`.
    pub fn new(clock: Clock) -> Self {
        MemoryStore {
            clock,
            entries: RwLock::new(HashMap::new()),
            by_user: Mutex::new(HashMap::new()),
            leases: Mutex::new(HashMap::new()),
            writes: Mutex::new(0),
        }
    }

    /// Live entries (for benchmarks and tests).
    pub fn len(&self) -> usize {
        self.entries.read().len()
    }

    /// Whether `len` is 0.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn index(&self, key: &SessionKey, record: &Record) {
        if let Some(user) = record.user_id() {
            self.by_user
                .lock()
                .entry(user.to_string())
                .or_default()
                .insert(key.clone());
        }
    }

    fn sweep(&self, now: i64) {
        let mut writes = self.writes.lock();
        *writes += 1;
        if !writes.is_multiple_of(1024) {
            return;
        }
        drop(writes);
        self.entries.write().retain(|_, e| e.expires_at > now);
        let entries = self.entries.read();
        self.by_user.lock().retain(|_, keys| {
            keys.retain(|k| entries.contains_key(k));
            !keys.is_empty()
        });
        let now_ms = now * 1000;
        self.leases.lock().retain(|_, (_, until)| *until > now_ms);
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<Record>, StoreError> {
        let now = self.clock.now();
        Ok(self
            .entries
            .read()
            .get(key)
            .filter(|e| e.expires_at > now)
            .map(|e| e.record.clone()))
    }

    async fn save(
        &self,
        key: &SessionKey,
        record: &Record,
        ttl_secs: i64,
    ) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut entries = self.entries.write();
        self.index(key, record);
        entries.insert(
            key.clone(),
            Entry {
                record: record.clone(),
                expires_at: now + ttl_secs.max(1),
            },
        );
        drop(entries);
        self.sweep(now);
        Ok(())
    }

    async fn update(
        &self,
        key: &SessionKey,
        record: &Record,
        ttl_secs: i64,
    ) -> Result<bool, StoreError> {
        let now = self.clock.now();
        // One write lock over the check and the write: a delete cannot come between.
        let mut entries = self.entries.write();
        let Some(entry) = entries.get_mut(key).filter(|e| e.expires_at > now) else {
            return Ok(false);
        };
        entry.record = record.clone();
        entry.expires_at = now + ttl_secs.max(1);
        self.index(key, record);
        Ok(true)
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), StoreError> {
        if let Some(entry) = self.entries.write().remove(key) {
            if let Some(user) = entry.record.user_id() {
                if let Some(keys) = self.by_user.lock().get_mut(user) {
                    keys.remove(key);
                }
            }
        }
        Ok(())
    }

    async fn user_sessions(&self, user: &str) -> Result<Vec<SessionKey>, StoreError> {
        Ok(self
            .by_user
            .lock()
            .get(user)
            .map(|keys| keys.iter().cloned().collect())
            .unwrap_or_default())
    }

    async fn claim(&self, name: &str, ttl_ms: i64) -> Result<Option<LeaseToken>, StoreError> {
        let now = self.clock.now_ms();
        let mut leases = self.leases.lock();
        match leases.get(name) {
            Some((_, until)) if *until > now => Ok(None),
            _ => {
                let token = LeaseToken::new();
                leases.insert(name.to_string(), (token.clone(), now + ttl_ms.max(1)));
                Ok(Some(token))
            }
        }
    }

    async fn release(&self, name: &str, token: &LeaseToken) -> Result<bool, StoreError> {
        let now = self.clock.now_ms();
        let mut leases = self.leases.lock();
        match leases.get(name) {
            Some((owner, until)) if owner == token && *until > now => {
                leases.remove(name);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn extend(
        &self,
        name: &str,
        token: &LeaseToken,
        ttl_ms: i64,
    ) -> Result<bool, StoreError> {
        let now = self.clock.now_ms();
        match self.leases.lock().get_mut(name) {
            Some((owner, until)) if owner == token && *until > now => {
                *until = now + ttl_ms.max(1);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
