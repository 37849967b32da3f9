//! A held lease: its owner token, and when it runs out as far as this request knows. The
//! sign-in driver holds one per flow while it works, and asks [`Lease::ensure`] before every
//! Okta call, so no call starts with less lease left than it may take: the lease is
//! extended (in one owner-checked step) or, when another request owns it by now, the driver
//! stops. Release is owner-checked too: a request whose lease ran out never ends the next
//! holder's.
//!
//! "Runs out" is read on the sessions clock at the moment the claim or extension was sent,
//! before the store answered: the store's own expiry can only be later.

use std::sync::Arc;

use super::store::{LeaseToken, SessionStore, StoreError};
use crate::clock::Clock;

/// A lease held in the session store: one request at a time works on a flow.
pub struct Lease {
    store: Arc<dyn SessionStore>,
    clock: Clock,
    name: String,
    token: LeaseToken,
    ttl_ms: i64,
    until_ms: i64,
}

impl Lease {
    /// Takes the lease `name` for `ttl_ms`; `None` while someone else holds it.
    pub async fn claim(
        store: Arc<dyn SessionStore>,
        clock: Clock,
        name: String,
        ttl_ms: i64,
    ) -> Result<Option<Lease>, StoreError> {
        let sent = clock.now_ms();
        let Some(token) = store.claim(&name, ttl_ms).await? else {
            return Ok(None);
        };
        Ok(Some(Lease {
            store,
            clock,
            name,
            token,
            ttl_ms,
            until_ms: sent.saturating_add(ttl_ms),
        }))
    }

    /// Milliseconds this holder can count on.
    pub fn left_ms(&self) -> i64 {
        self.until_ms - self.clock.now_ms()
    }

    /// Makes sure at least `needed_ms` are left, extending the lease to its full length if
    /// not; `false` when it can no longer be extended (it ran out and may be someone
    /// else's): the holder must stop without writing.
    pub async fn ensure(&mut self, needed_ms: i64) -> Result<bool, StoreError> {
        if self.left_ms() >= needed_ms {
            return Ok(true);
        }
        let ttl = self.ttl_ms.max(needed_ms);
        let sent = self.clock.now_ms();
        if !self.store.extend(&self.name, &self.token, ttl).await? {
            self.until_ms = i64::MIN;
            return Ok(false);
        }
        self.until_ms = sent.saturating_add(ttl);
        Ok(true)
    }

    /// Ends the lease if this holder still owns it; `false` when it had run out or moved on.
    pub async fn release(self) -> Result<bool, StoreError> {
        self.store.release(&self.name, &self.token).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::session::MemoryStore;

    fn store(clock: &Clock) -> Arc<dyn SessionStore> {
        Arc::new(MemoryStore::new(clock.clone()))
    }

    #[tokio::test]
    async fn release_by_a_holder_whose_lease_ran_out_leaves_the_next_holder_alone() {
        let clock = Clock::new();
        let store = store(&clock);
        let slow = Lease::claim(store.clone(), clock.clone(), "flow:x".into(), 30_000)
            .await
            .unwrap()
            .unwrap();
        assert!(
            Lease::claim(store.clone(), clock.clone(), "flow:x".into(), 30_000)
                .await
                .unwrap()
                .is_none()
        );
        clock.advance_secs(31);
        let next = Lease::claim(store.clone(), clock.clone(), "flow:x".into(), 30_000)
            .await
            .unwrap()
            .expect("the lease ran out");
        assert!(!slow.release().await.unwrap(), "not the owner any more");
        assert!(
            store.claim("flow:x", 30_000).await.unwrap().is_none(),
            "the next holder still has it"
        );
        assert!(next.release().await.unwrap());
        assert!(store.claim("flow:x", 30_000).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn ensure_extends_a_short_lease_and_refuses_a_lost_one() {
        let clock = Clock::new();
        let store = store(&clock);
        let mut lease = Lease::claim(store.clone(), clock.clone(), "flow:y".into(), 30_000)
            .await
            .unwrap()
            .unwrap();
        assert!(lease.ensure(10_000).await.unwrap());
        clock.advance_secs(25);
        assert!(lease.left_ms() < 10_000);
        assert!(lease.ensure(10_000).await.unwrap(), "extended while owned");
        assert!(lease.left_ms() >= 30_000);
        // The store agrees: 29 s later the lease still stands.
        clock.advance_secs(29);
        assert!(store.claim("flow:y", 1_000).await.unwrap().is_none());
        // Ran out, and someone else took it: no extension, no release.
        clock.advance_secs(2);
        let thief = store.claim("flow:y", 30_000).await.unwrap().unwrap();
        assert!(!lease.ensure(10_000).await.unwrap());
        assert!(!store.extend("flow:y", &LeaseToken::new(), 1).await.unwrap());
        assert!(!lease.release().await.unwrap());
        assert!(store.release("flow:y", &thief).await.unwrap());
    }

    #[tokio::test]
    async fn a_lease_that_ran_out_unclaimed_is_not_extended() {
        let clock = Clock::new();
        let store = store(&clock);
        let mut lease = Lease::claim(store.clone(), clock.clone(), "flow:z".into(), 30_000)
            .await
            .unwrap()
            .unwrap();
        clock.advance_secs(31);
        // Another request may have taken and released it meanwhile: this copy of the flow
        // is stale, so the holder must stop.
        assert!(!lease.ensure(10_000).await.unwrap());
    }
}
