//! The session store conformance suite: records, conditional updates, the per-user index
//! and the flow leases must mean the same wherever sessions live. Run by
//! `tests/session_stores.rs` (memory and one Redis server) and `tests/redis_cluster.rs`
//! (a Redis Cluster).

use std::sync::Arc;

use direct_signin::config::Secret;
use direct_signin::portal::session::{PreAuth, Record, SessionKey, SessionStore, SignedIn};

/// Named stores to run a suite on.
pub type Stores = Vec<(&'static str, Arc<dyn SessionStore>)>;

fn key(name: &str) -> SessionKey {
    SessionKey(format!("{name}-{}", direct_signin::random::token(6)))
}

fn signed_in(user: &str, token: &str) -> Record {
    Record::SignedIn(Arc::new(SignedIn {
        user_id: user.into(),
        user_digest: "digest".into(),
        name: None,
        email: None,
        preferred_username: None,
        amr: vec!["pwd".into()],
        groups: vec!["staff".into()],
        email_verified: Some(true),
        auth_time: 1,
        access_token: Secret::new(token),
        refresh_token: None,
        access_expires_at: 2,
        userinfo: None,
        created_at: 1,
        last_seen: 1,
        remember: false,
        device: None,
        ip: None,
        pending: None,
        methods: None,
    }))
}

fn token_of(record: Option<Record>) -> Option<String> {
    match record {
        Some(Record::SignedIn(s)) => Some(s.access_token.expose().to_string()),
        _ => None,
    }
}

/// Runs on every store of `stores`.
pub async fn records_round_trip_and_deletes_are_final(stores: Stores) {
    for (name, store) in stores {
        let k = key("rt");
        assert!(store.load(&k).await.unwrap().is_none(), "{name}");
        store.save(&k, &signed_in("00u1", "a"), 600).await.unwrap();
        assert_eq!(
            token_of(store.load(&k).await.unwrap()).as_deref(),
            Some("a"),
            "{name}"
        );
        let pre = Record::PreAuth(PreAuth {
            username: Some("carol".into()),
            created_at: 5,
            last_seen: 6,
            ..PreAuth::default()
        });
        let other = key("pre");
        store.save(&other, &pre, 600).await.unwrap();
        match store.load(&other).await.unwrap() {
            Some(Record::PreAuth(p)) => {
                assert_eq!(p.username.as_deref(), Some("carol"), "{name}");
                assert_eq!((p.created_at, p.last_seen), (5, 6), "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
        store.delete(&k).await.unwrap();
        assert!(store.load(&k).await.unwrap().is_none(), "{name}");
        // Deleting what is not there is not an error.
        store.delete(&k).await.unwrap();
    }
}

/// Runs on every store of `stores`.
pub async fn an_update_writes_only_over_a_record_that_is_still_there(stores: Stores) {
    for (name, store) in stores {
        let k = key("upd");
        assert!(
            !store
                .update(&k, &signed_in("00u1", "x"), 600)
                .await
                .unwrap(),
            "{name}"
        );
        assert!(
            store.load(&k).await.unwrap().is_none(),
            "{name}: nothing written"
        );
        store.save(&k, &signed_in("00u1", "a"), 600).await.unwrap();
        assert!(
            store
                .update(&k, &signed_in("00u1", "b"), 600)
                .await
                .unwrap(),
            "{name}"
        );
        assert_eq!(
            token_of(store.load(&k).await.unwrap()).as_deref(),
            Some("b"),
            "{name}"
        );
        store.delete(&k).await.unwrap();
        assert!(
            !store
                .update(&k, &signed_in("00u1", "c"), 600)
                .await
                .unwrap(),
            "{name}"
        );
        assert!(
            store.load(&k).await.unwrap().is_none(),
            "{name}: signed out stays out"
        );
    }
}

/// Runs on every store of `stores`.
pub async fn the_user_index_lists_signed_in_sessions_only(stores: Stores) {
    for (name, store) in stores {
        let user = format!("00u-{}", direct_signin::random::token(6));
        let (one, two, pre) = (key("one"), key("two"), key("pre"));
        store.save(&one, &signed_in(&user, "a"), 600).await.unwrap();
        store.save(&two, &signed_in(&user, "b"), 600).await.unwrap();
        store
            .save(&pre, &Record::PreAuth(PreAuth::default()), 600)
            .await
            .unwrap();
        let mut listed = store.user_sessions(&user).await.unwrap();
        listed.sort_by(|a, b| a.0.cmp(&b.0));
        let mut expected = vec![one.clone(), two.clone()];
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(listed, expected, "{name}");
        store.delete(&one).await.unwrap();
        // The index may keep a deleted key (callers load each one); a live key is never
        // missing from it.
        let listed = store.user_sessions(&user).await.unwrap();
        assert!(listed.contains(&two), "{name}");
        for k in listed {
            if k != two {
                assert!(store.load(&k).await.unwrap().is_none(), "{name}");
            }
        }
        assert!(
            store.user_sessions("00u-nobody").await.unwrap().is_empty(),
            "{name}"
        );
    }
}

/// Runs on every store of `stores`.
pub async fn a_lease_has_one_owner_who_alone_extends_and_releases_it(stores: Stores) {
    for (name, store) in stores {
        let lease = format!("flow:{}", direct_signin::random::token(6));
        let mine = store.claim(&lease, 30_000).await.unwrap().expect("free");
        assert!(
            store.claim(&lease, 30_000).await.unwrap().is_none(),
            "{name}: held"
        );
        let stranger = direct_signin::portal::session::LeaseToken("not-the-owner".into());
        assert!(
            !store.extend(&lease, &stranger, 30_000).await.unwrap(),
            "{name}"
        );
        assert!(!store.release(&lease, &stranger).await.unwrap(), "{name}");
        assert!(
            store.claim(&lease, 30_000).await.unwrap().is_none(),
            "{name}: still held"
        );
        assert!(store.extend(&lease, &mine, 30_000).await.unwrap(), "{name}");
        assert!(store.release(&lease, &mine).await.unwrap(), "{name}");
        // Released twice: the second time it is no longer ours.
        assert!(!store.release(&lease, &mine).await.unwrap(), "{name}");
        let next = store
            .claim(&lease, 30_000)
            .await
            .unwrap()
            .expect("free again");
        assert_ne!(next.0, mine.0, "{name}: a new owner token");
        assert!(store.ping().await.is_ok(), "{name}");
    }
}
