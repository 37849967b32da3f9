//! Where sessions live: a trait with create/load/save/delete, a per-user index (for "sign
//! out everywhere" and the list of active sessions) and short leases (so only one request
//! at a time drives a sign-in flow, across instances). The in-memory store is the
//! single-instance default; a shared store implements the same trait.
//!
//! Keys are SHA-256 digests of the cookie value: a dump of the store does not reveal a
//! usable session id.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use parking_lot::{Mutex, RwLock};

use super::record::Record;
use crate::clock::Clock;

/// The store key of a session: base64url(SHA-256(cookie value)).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct SessionKey(pub String);

#[derive(Debug, thiserror::Error)]
#[error("session store: {0}")]
pub struct StoreError(pub String);

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn load(&self, key: &SessionKey) -> Result<Option<Record>, StoreError>;
    /// Saves `record`; the store may forget it `ttl_secs` from now.
    async fn save(
        &self,
        key: &SessionKey,
        record: &Record,
        ttl_secs: i64,
    ) -> Result<(), StoreError>;
    async fn delete(&self, key: &SessionKey) -> Result<(), StoreError>;
    /// Keys of the signed-in sessions of `user` (may include expired ones).
    async fn user_sessions(&self, user: &str) -> Result<Vec<SessionKey>, StoreError>;
    /// Takes the lease `name` for `ttl_ms` unless someone holds it.
    async fn claim(&self, name: &str, ttl_ms: i64) -> Result<bool, StoreError>;
    async fn release(&self, name: &str) -> Result<(), StoreError>;
    /// For readiness.
    async fn ping(&self) -> Result<(), StoreError>;
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
    leases: Mutex<HashMap<String, i64>>,
    writes: Mutex<u64>,
}

impl MemoryStore {
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

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
        self.leases.lock().retain(|_, until| *until > now_ms);
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
        if let Some(user) = record.user_id() {
            self.by_user
                .lock()
                .entry(user.to_string())
                .or_default()
                .insert(key.clone());
        }
        self.entries.write().insert(
            key.clone(),
            Entry {
                record: record.clone(),
                expires_at: now + ttl_secs.max(1),
            },
        );
        self.sweep(now);
        Ok(())
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

    async fn claim(&self, name: &str, ttl_ms: i64) -> Result<bool, StoreError> {
        let now = self.clock.now_ms();
        let mut leases = self.leases.lock();
        match leases.get(name) {
            Some(&until) if until > now => Ok(false),
            _ => {
                leases.insert(name.to_string(), now + ttl_ms);
                Ok(true)
            }
        }
    }

    async fn release(&self, name: &str) -> Result<(), StoreError> {
        self.leases.lock().remove(name);
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
