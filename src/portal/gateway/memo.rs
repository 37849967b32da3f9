//! What `/auth` works out once per opened session instead of on every check: the identity
//! the rules judge, the identity header values, and the assertion per app.
//!
//! A proxy asks `/auth` before every request to a protected app, so one signed-in browser
//! loading a page with its assets asks tens of times a second, always with the same
//! session. Its record, opened, is one immutable `Arc<SignedIn>` that the session layer
//! hands out for as long as the stored record is unchanged (see `session::opened`): any
//! change (activity written once a minute, a token renewal, an account action, another
//! instance's write) gives a new `Arc`. So the memo is keyed by that `Arc`'s address and
//! holds a `Weak` to it:
//!
//! - a hit needs the `Weak` to still point at the very `Arc` of this request
//!   (`Weak::ptr_eq`), so a memo never describes another record;
//! - while the `Weak` exists the allocation cannot be reused, so an address names one
//!   record for as long as its entry lives;
//! - `Arc::make_mut` on a record with a `Weak` moves the value to a new allocation, so a
//!   record changed in place is a miss too.
//!
//! The rules are still judged on every check (`max_age` depends on the time), and the
//! assertion is taken again from [`Gateway::assertion`](super::Gateway::assertion) when less
//! than half its life is left. At most [`CAPACITY`] sessions are kept; past it, entries of
//! records no longer alive go, then all.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use rustc_hash::FxHasher;

use super::rules::Identity;
use crate::portal::session::SignedIn;

/// Sessions kept at most (each a few hundred bytes plus its assertions).
pub const CAPACITY: usize = 10_000;
/// Apps (assertion audiences) kept per session at most.
const AUDIENCES: usize = 4;

/// One session's answers.
pub struct Memo {
    /// The identity the rules judge.
    pub who: Identity,
    /// The identity headers of the configured families.
    pub headers: Vec<(&'static str, String)>,
    /// (audience, assertion, its `exp`), newest last.
    assertions: Mutex<Vec<(String, String, i64)>>,
}

impl Memo {
    /// A memo of `who` with its `headers`.
    pub fn new(who: Identity, headers: Vec<(&'static str, String)>) -> Self {
        Memo {
            who,
            headers,
            assertions: Mutex::new(Vec::new()),
        }
    }

    /// The assertion kept for `audience`, when it has at least `left` seconds to live.
    pub fn assertion(&self, audience: &str, now: i64, left: i64) -> Option<String> {
        let kept = self.assertions.lock();
        kept.iter()
            .find(|(aud, _, exp)| aud == audience && exp - now >= left)
            .map(|(_, token, _)| token.clone())
    }

    /// Keeps `token` (expiring at `exp`) for `audience`, in place of an older one.
    pub fn keep_assertion(&self, audience: &str, token: &str, exp: i64) {
        let mut kept = self.assertions.lock();
        kept.retain(|(aud, _, _)| aud != audience);
        if kept.len() >= AUDIENCES {
            kept.remove(0);
        }
        kept.push((audience.to_string(), token.to_string(), exp));
    }
}

type Entries = HashMap<usize, (Weak<SignedIn>, Arc<Memo>), BuildHasherDefault<FxHasher>>;

/// The memos of the sessions checked lately.
#[derive(Default)]
pub struct Memos {
    entries: Mutex<Entries>,
}

impl Memos {
    /// The memo of `session`, made by `make` when there is none for this very record.
    pub fn get_or(&self, session: &Arc<SignedIn>, make: impl FnOnce() -> Memo) -> Arc<Memo> {
        let key = Arc::as_ptr(session) as usize;
        if let Some((weak, memo)) = self.entries.lock().get(&key) {
            // The Weak holds the allocation: the same address is the same record.
            if std::ptr::eq(weak.as_ptr(), Arc::as_ptr(session)) {
                return memo.clone();
            }
        }
        let memo = Arc::new(make());
        let mut entries = self.entries.lock();
        if entries.len() >= CAPACITY {
            entries.retain(|_, (weak, _)| weak.strong_count() > 0);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(key, (Arc::downgrade(session), memo.clone()));
        memo
    }

    /// How many sessions are kept (for tests).
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

    fn record(name: &str) -> SignedIn {
        SignedIn {
            name: Some(name.into()),
            ..SignedIn::fixture()
        }
    }

    fn memo_of(s: &SignedIn) -> Memo {
        Memo::new(
            Identity {
                name: s.name.clone(),
                ..Identity::default()
            },
            vec![],
        )
    }

    #[test]
    fn a_memo_serves_only_the_record_it_was_made_for() {
        let memos = Memos::default();
        let mut a = Arc::new(record("Ann"));
        let first = memos.get_or(&a, || memo_of(&a));
        let again = memos.get_or(&a, || panic!("made twice for one record"));
        assert!(Arc::ptr_eq(&first, &again));

        // Changed in place: make_mut moves the value away from the Weak, so a new memo.
        Arc::make_mut(&mut a).name = Some("Bea".into());
        let changed = memos.get_or(&a, || memo_of(&a));
        assert_eq!(changed.who.name.as_deref(), Some("Bea"));

        // Another record, even one made after the first is gone, is another memo.
        drop(a);
        let b = Arc::new(record("Cy"));
        assert_eq!(
            memos.get_or(&b, || memo_of(&b)).who.name.as_deref(),
            Some("Cy")
        );
    }

    #[test]
    fn assertions_are_kept_per_app_while_enough_life_is_left() {
        let memo = memo_of(&record("Ann"));
        memo.keep_assertion("app.example.com", "t1", 1_060);
        assert_eq!(
            memo.assertion("app.example.com", 1_000, 30).as_deref(),
            Some("t1")
        );
        assert_eq!(memo.assertion("app.example.com", 1_031, 30), None);
        assert_eq!(memo.assertion("shop.example.com", 1_000, 30), None);
        for i in 0..AUDIENCES + 2 {
            memo.keep_assertion(&format!("app{i}"), "t", 2_000);
        }
        assert!(memo.assertions.lock().len() <= AUDIENCES);
    }

    #[test]
    fn the_memos_stay_bounded() {
        let memos = Memos::default();
        let mut alive = Vec::new();
        for i in 0..CAPACITY + 10 {
            let r = Arc::new(record(&i.to_string()));
            memos.get_or(&r, || memo_of(&r));
            if i % 2 == 0 {
                alive.push(r);
            }
        }
        assert!(memos.len() <= CAPACITY);
    }
}
