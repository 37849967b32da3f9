//! Unit tests of the in-memory failure book: counts, resets, eviction into the sketch.

use super::*;

fn policy() -> Policy {
    Policy {
        auto_unlock_ms: None,
        ip_window_ms: 1_000_000,
        max_entries: 1000,
        retention_secs: 86400,
    }
}

const DAY_MS: i64 = 86_400_000;

#[test]
fn counts_split_by_kind_and_never_decay_with_time() {
    let p = policy();
    let b = FailureBook::default();
    b.record("u", "1.1.1.1", Failed::Anonymous, 100_000, &p);
    b.record("u", "1.1.1.1", Failed::Anonymous, 101_000, &p);
    b.record("u", "2.2.2.2", Failed::Device, 102_000, &p);
    b.record("u", "2.2.2.2", Failed::Code, 103_000, &p);
    let f = b.get("u", 104_000, &p);
    assert_eq!((f.anonymous, f.device, f.codes), (2, 1, 1));
    assert_eq!(f.last_failure_ms, 102_000);
    assert_eq!(b.ip_user("1.1.1.1", "u", 103_000, &p), 2);
    assert_eq!(
        b.ip_user("2.2.2.2", "u", 103_000, &p),
        0,
        "device failures are not per-IP"
    );
    // A year later, as at Okta, nothing has been forgotten…
    let later = 365 * DAY_MS;
    b.prune(later, &p);
    let f = b.get("u", later, &p);
    assert_eq!((f.anonymous, f.device, f.codes), (2, 1, 1));
    // …except the per-IP share, which is about fairness, not Okta's lockout.
    assert_eq!(b.ip_user("1.1.1.1", "u", later, &p), 0);
    b.reset("u", Reset::DevicePasswords, later, &p);
    let f = b.get("u", later, &p);
    assert_eq!(
        (f.anonymous, f.device),
        (2, 0),
        "a device-cookie success leaves the anonymous count spent"
    );
    b.reset("u", Reset::Passwords, later, &p);
    assert_eq!(b.get("u", later, &p).anonymous, 0);
    assert_eq!(
        b.get("u", later, &p).codes,
        1,
        "a password does not prove a code"
    );
    b.reset("u", Reset::Codes, later, &p);
    assert_eq!(b.tracked_keys(), 0, "an all-zero entry is dropped");
}

#[test]
fn a_declared_auto_unlock_forgets_after_that_time() {
    let p = Policy {
        auto_unlock_ms: Some(3_600_000),
        ..policy()
    };
    let b = FailureBook::default();
    b.record("u", "1.1.1.1", Failed::Anonymous, 0, &p);
    b.record("u", "1.1.1.1", Failed::Code, 0, &p);
    assert_eq!(b.get("u", 3_599_999, &p).anonymous, 1);
    let f = b.get("u", 3_600_000, &p);
    assert_eq!((f.anonymous, f.device, f.codes), (0, 0, 0));
    b.record("u", "1.1.1.1", Failed::Anonymous, 3_600_000, &p);
    assert_eq!(b.get("u", 3_600_001, &p).anonymous, 1, "a new count");
    b.prune(8_000_000, &p);
    assert_eq!(b.tracked_keys(), 0, "unlocked entries are dropped");
}

#[test]
fn evicted_names_never_come_back_with_fewer_failures() {
    // An attacker spends bob's budget, then floods made-up names so bob's exact entry
    // is evicted: bob must still read as spent, and a further failure continues the
    // count instead of restarting it.
    let p = Policy {
        max_entries: 1000,
        ..policy()
    };
    let b = FailureBook::default();
    for i in 0..4 {
        b.record("bob", "9.9.9.9", Failed::Anonymous, i, &p);
    }
    for i in 0..20_000 {
        b.record(
            &format!("made-up-{i}"),
            "9.9.9.9",
            Failed::Anonymous,
            10 + i,
            &p,
        );
    }
    assert!(b.users.lock().exact.len() <= 1000, "memory stays bounded");
    assert!(!b.users.lock().exact.contains_key("bob"), "bob was evicted");
    assert!(b.get("bob", 50_000, &p).anonymous >= 4);
    b.record("bob", "9.9.9.9", Failed::Anonymous, 50_000, &p);
    assert!(b.get("bob", 50_001, &p).anonymous >= 5);
    // A correct password overrides the sketch's bound.
    b.reset("bob", Reset::Passwords, 60_000, &p);
    assert_eq!(b.get("bob", 60_001, &p).anonymous, 0);
    // Names never seen read (almost always) zero: the sketch holds 20,000 names.
    let clean = (0..1000)
        .filter(|i| b.get(&format!("never-{i}"), 60_001, &p).anonymous == 0)
        .count();
    assert!(clean > 990, "{clean}");
    assert!(b.sketch_bytes() > 0);
}
