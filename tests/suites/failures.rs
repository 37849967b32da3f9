//! The failure store conformance suite: the counts that keep Okta from locking anyone out
//! must mean the same wherever they live. Run by `tests/failure_stores.rs` (memory and one
//! Redis server) and `tests/redis_cluster.rs` (a Redis Cluster).

use std::sync::Arc;

use direct_signin::portal::abuse::failures::{Failed, FailureStore, Policy, Reset};

/// Named stores to run a suite on.
pub type Stores = Vec<(&'static str, Arc<dyn FailureStore>)>;

const DAY_MS: i64 = 86_400_000;

/// A policy with `auto_unlock_ms`.
pub fn policy(auto_unlock_ms: Option<i64>) -> Policy {
    Policy {
        auto_unlock_ms,
        ip_window_ms: DAY_MS,
        max_entries: 100_000,
        retention_secs: 30 * 86_400,
    }
}

/// Runs on every store of `stores`.
pub async fn counts_never_decay_and_restart_only_on_success(stores: Stores) {
    let p = policy(None);
    for (name, s) in stores {
        let t0 = 1_800_000_000_000;
        for i in 0..3 {
            s.record("bob", "1.1.1.1", Failed::Anonymous, t0 + i, &p)
                .await
                .unwrap();
        }
        s.record("bob", "2.2.2.2", Failed::Device, t0 + 5, &p)
            .await
            .unwrap();
        s.record("bob", "", Failed::Code, t0 + 6, &p).await.unwrap();
        let f = s.get("bob", t0 + 7, &p).await.unwrap();
        assert_eq!(
            (
                f.anonymous,
                f.device,
                f.codes,
                f.last_failure_ms,
                f.last_code_ms
            ),
            (3, 1, 1, t0 + 5, t0 + 6),
            "{name}"
        );
        assert_eq!(s.ip_user("1.1.1.1", "bob", t0 + 7, &p).await.unwrap(), 3);
        // Okta's count does not decay with time: neither do ours.
        let later = t0 + 7 * DAY_MS;
        let f = s.get("bob", later, &p).await.unwrap();
        assert_eq!((f.anonymous, f.device, f.codes), (3, 1, 1), "{name}");
        s.reset("bob", Reset::DevicePasswords, later, &p)
            .await
            .unwrap();
        let f = s.get("bob", later, &p).await.unwrap();
        assert_eq!((f.anonymous, f.device, f.codes), (3, 0, 1), "{name}");
        s.reset("bob", Reset::Passwords, later, &p).await.unwrap();
        s.reset("bob", Reset::Codes, later, &p).await.unwrap();
        let f = s.get("bob", later, &p).await.unwrap();
        assert_eq!((f.anonymous, f.device, f.codes), (0, 0, 0), "{name}");
        assert_eq!(s.get("nobody", later, &p).await.unwrap().anonymous, 0);
    }
}

/// Runs on every store of `stores`.
pub async fn a_declared_auto_unlock_restarts_stale_counts(stores: Stores) {
    let p = policy(Some(3_600_000));
    for (name, s) in stores {
        let t0 = 1_800_000_000_000;
        s.record("carol", "1.1.1.1", Failed::Anonymous, t0, &p)
            .await
            .unwrap();
        s.record("carol", "1.1.1.1", Failed::Code, t0, &p)
            .await
            .unwrap();
        assert_eq!(
            s.get("carol", t0 + 3_599_999, &p).await.unwrap().anonymous,
            1
        );
        let f = s.get("carol", t0 + 3_600_000, &p).await.unwrap();
        assert_eq!((f.anonymous, f.codes), (0, 0), "{name}");
        // A failure after the unlock starts a new count rather than adding to the old.
        s.record("carol", "1.1.1.1", Failed::Anonymous, t0 + 3_600_001, &p)
            .await
            .unwrap();
        let f = s.get("carol", t0 + 3_600_002, &p).await.unwrap();
        assert_eq!(f.anonymous, 1, "{name}");
    }
}

/// Runs on every store of `stores`.
pub async fn attempts_in_flight_are_counted_per_key(stores: Stores) {
    for (name, s) in stores {
        assert_eq!(s.begin("k").await.unwrap(), 0, "{name}");
        assert_eq!(s.begin("k").await.unwrap(), 1, "{name}");
        assert_eq!(s.begin("other").await.unwrap(), 0, "{name}");
        s.end("k").await.unwrap();
        s.end("k").await.unwrap();
        s.end("k").await.unwrap();
        assert_eq!(s.begin("k").await.unwrap(), 0, "never below zero: {name}");
    }
}
