//! A fixed-size memory of failure counts for usernames that no longer have an exact
//! entry: a count-min sketch updated with *max* instead of *add*.
//!
//! Why: Okta's count of consecutive wrong passwords never decays, so ours may not either;
//! but a flood of made-up names must not grow memory without bound. When the exact table
//! is full, its least recently failed entries are folded in here. Every name hashes to one
//! cell per row; a cell holds the largest count of any name folded into it, and a name's
//! estimate is the smallest of its cells. So an estimate is never below the name's true
//! count (an attacker gains no guesses from eviction); it can be above it when other names
//! share all its cells, which only makes the portal more careful for that name (its owner
//! then needs a device cookie or a passwordless factor until one correct password).
//!
//! No crate does max-merge count-min with epochs, hence this one (about 100 lines).
//! With `protection.okta_auto_unlock` declared, cells belong to epochs of that length and a reading
//! looks at the current and the previous epoch: a count is kept at least one period.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// Rows of the sketch (independent hashes).
pub const ROWS: usize = 4;
/// Cells per row.
pub const CELLS: usize = 1 << 20;
/// What a cell holds: anonymous password failures, device password failures, wrong codes.
pub const FIELDS: usize = 3;

/// The cells a name hashes to, one per row (also used by the Redis sketch).
pub fn cells(name: &str) -> [usize; ROWS] {
    let mut out = [0; ROWS];
    for (row, cell) in out.iter_mut().enumerate() {
        let mut h = DefaultHasher::new();
        (row as u64, name).hash(&mut h);
        *cell = (h.finish() % CELLS as u64) as usize;
    }
    out
}

/// The byte offset of (row, cell, field) in a flat sketch.
pub fn offset(row: usize, cell: usize, field: usize) -> usize {
    (row * CELLS + cell) * FIELDS + field
}

/// The epoch `now_ms` falls in (always 0 without auto-unlock).
pub fn epoch(now_ms: i64, period_ms: Option<i64>) -> i64 {
    period_ms.map_or(0, |p| now_ms.div_euclid(p.max(1)))
}

struct Slot {
    epoch: i64,
    cells: Vec<u8>,
}

/// The in-memory sketch; its 12 MiB per epoch are allocated on the first fold.
pub struct Sketch {
    period_ms: Option<i64>,
    slots: Vec<Slot>,
}

impl Sketch {
    /// An empty sketch; `period_ms` is the epoch length in milliseconds (`None`: one epoch
    /// forever).
    pub fn new(period_ms: Option<i64>) -> Self {
        Sketch {
            period_ms,
            slots: vec![],
        }
    }

    fn live(&self, now_ms: i64) -> impl Iterator<Item = &Slot> {
        let current = epoch(now_ms, self.period_ms);
        self.slots
            .iter()
            .filter(move |s| s.epoch == current || s.epoch + 1 == current)
    }

    /// Raises `name`'s cells to at least `counts`.
    pub fn fold(&mut self, name: &str, counts: [u32; FIELDS], now_ms: i64) {
        if counts.iter().all(|c| *c == 0) {
            return;
        }
        let current = epoch(now_ms, self.period_ms);
        let slot = match self.slots.iter().position(|s| s.epoch == current) {
            Some(i) => i,
            None => {
                // Reuse a slot older than the previous epoch, or allocate (at most two).
                match self.slots.iter().position(|s| s.epoch + 1 < current) {
                    Some(i) => {
                        self.slots[i].epoch = current;
                        self.slots[i].cells.fill(0);
                        i
                    }
                    None => {
                        self.slots.push(Slot {
                            epoch: current,
                            cells: vec![0; ROWS * CELLS * FIELDS],
                        });
                        self.slots.len() - 1
                    }
                }
            }
        };
        let cells = &mut self.slots[slot].cells;
        for (row, cell) in self::cells(name).into_iter().enumerate() {
            for (field, count) in counts.iter().enumerate() {
                let c = &mut cells[offset(row, cell, field)];
                *c = (*c).max((*count).min(255) as u8);
            }
        }
    }

    /// An upper bound of `name`'s counts among the names folded in (zero if none).
    pub fn estimate(&self, name: &str, now_ms: i64) -> [u32; FIELDS] {
        let mut out = [0u32; FIELDS];
        let cells = self::cells(name);
        for slot in self.live(now_ms) {
            for (field, o) in out.iter_mut().enumerate() {
                let min = cells
                    .iter()
                    .enumerate()
                    .map(|(row, cell)| slot.cells[offset(row, *cell, field)])
                    .min()
                    .unwrap_or(0);
                *o = (*o).max(u32::from(min));
            }
        }
        out
    }

    /// Bytes held (for the memory figures).
    pub fn bytes(&self) -> usize {
        self.slots.len() * ROWS * CELLS * FIELDS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_counts_low_and_keeps_unrelated_names_at_zero() {
        let mut s = Sketch::new(None);
        assert_eq!(s.bytes(), 0, "nothing allocated before the first fold");
        for i in 0..10_000 {
            s.fold(&format!("user{i}"), [i % 5, 0, i % 3], 1_000);
        }
        for i in 0..10_000 {
            let e = s.estimate(&format!("user{i}"), 2_000);
            assert!(e[0] >= i % 5 && e[2] >= i % 3, "{i}: {e:?}");
        }
        // 10,000 names in 2^20 cells per row: a never-seen name almost surely reads zero.
        let clean = (0..1000)
            .filter(|i| s.estimate(&format!("other{i}"), 2_000) == [0; FIELDS])
            .count();
        assert!(clean > 990, "{clean}");
    }

    #[test]
    fn with_auto_unlock_a_count_lives_one_to_two_periods() {
        let period = 3_600_000;
        let mut s = Sketch::new(Some(period));
        s.fold("bob", [4, 1, 0], 10 * period + 5);
        assert_eq!(s.estimate("bob", 10 * period + 10)[0], 4);
        assert_eq!(s.estimate("bob", 11 * period + 10)[0], 4, "the next period");
        assert_eq!(s.estimate("bob", 12 * period + 10)[0], 0, "two periods on");
        s.fold("carol", [1, 0, 0], 12 * period + 10);
        assert_eq!(s.bytes(), ROWS * CELLS * FIELDS, "the old slot is reused");
    }
}
