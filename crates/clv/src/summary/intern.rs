//! Customer id → dense code, for the shards of the streaming summary
//! ([`super::stream`]): an open-addressing table (linear probing, at most
//! three quarters full) whose slot holds the id itself when it has at most
//! [`INLINE`] bytes, so that neither a lookup nor the table keeps a `String`
//! per customer.
//!
//! Interning a large log is bound by cache misses: rows come in date order,
//! each of a random customer among millions. The table is built so that
//! [`IdTable::touch`] can start the miss of a row's slot while earlier rows
//! are still being looked up (a plain load whose value is not waited for:
//! the processor keeps several such loads in flight), which is how
//! `stream::Shard::fold_items` folds its rows in groups.

use super::{hasher, sort_prefix};

/// Ids of at most this many bytes are stored in their slot.
const INLINE: usize = 16;

/// `len` of a slot or key holding a longer id: its text is in
/// [`IdTable::long`], `lo` is a hash of it and `hi` its index there.
const LONG: u8 = u8::MAX;

/// `code` of an empty slot.
const EMPTY: u32 = u32::MAX;

/// An id as the table compares it: the bytes of a short id in two
/// little-endian words and its length, or [`LONG`] with a hash of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    lo: u64,
    hi: u64,
    len: u8,
}

impl Key {
    /// The key of `id`.
    pub(crate) fn of(id: &str) -> Key {
        let bytes = id.as_bytes();
        let n = bytes.len();
        // The bytes as little-endian words, zero-padded: whole-word loads
        // where the id allows (a copy of a short, variable length is a
        // library call per row).
        let word = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&bytes[at..at + 8]);
            u64::from_le_bytes(w)
        };
        if n <= INLINE {
            let (lo, hi) = if n >= 8 {
                // The last 8 bytes, shifted so that byte 8 comes first.
                let hi = if n > 8 {
                    word(n - 8) >> (8 * (INLINE - n))
                } else {
                    0
                };
                (word(0), hi)
            } else {
                let lo = bytes
                    .iter()
                    .enumerate()
                    .fold(0u64, |w, (i, &b)| w | u64::from(b) << (8 * i));
                (lo, 0)
            };
            Key {
                lo,
                hi,
                len: n as u8,
            }
        } else {
            Key {
                lo: hasher().hash_one(bytes),
                hi: 0,
                len: LONG,
            }
        }
    }

    /// The 64-bit hash the shards and the tables use (its top bits choose
    /// the shard, its low bits the slot).
    pub(crate) fn hash(&self) -> u64 {
        hasher().hash_one((self.lo, self.hi, self.len))
    }

    /// The text of a short id (`None` for [`LONG`]).
    fn text(&self) -> Option<String> {
        if self.len == LONG {
            return None;
        }
        let buf = inline_bytes(self.lo, self.hi);
        // The bytes of a `&str` cut at its own length: valid UTF-8.
        Some(String::from_utf8_lossy(&buf[..self.len as usize]).into_owned())
    }
}

/// The bytes of a short id stored as the little-endian words `lo`, `hi`
/// (zero-padded to [`INLINE`] bytes).
fn inline_bytes(lo: u64, hi: u64) -> [u8; INLINE] {
    let mut buf = [0u8; INLINE];
    buf[..8].copy_from_slice(&lo.to_le_bytes());
    buf[8..].copy_from_slice(&hi.to_le_bytes());
    buf
}

/// A slot: a key and its code ([`EMPTY`] when free). 24 bytes.
#[derive(Debug, Clone, Copy)]
struct Slot {
    lo: u64,
    hi: u64,
    code: u32,
    len: u8,
}

const FREE: Slot = Slot {
    lo: 0,
    hi: 0,
    code: EMPTY,
    len: 0,
};

/// Customer ids → codes `0, 1, 2, …` in order of first appearance.
#[derive(Debug, Clone)]
pub(crate) struct IdTable {
    slots: Vec<Slot>,
    /// `slots.len() - 1` (a power of two less one).
    mask: usize,
    /// Ids stored.
    len: usize,
    /// The text of the ids longer than [`INLINE`] bytes.
    long: Vec<Box<str>>,
}

impl IdTable {
    /// An empty table.
    pub(crate) fn new() -> Self {
        IdTable {
            slots: vec![FREE; 16],
            mask: 15,
            len: 0,
            long: Vec::new(),
        }
    }

    /// Distinct ids stored.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Reads the first slot `hash` probes and returns a word of it: called
    /// for the next rows while the current ones are looked up, it starts
    /// their cache misses early (the caller passes the words to
    /// [`std::hint::black_box`] so that the loads are not optimised away).
    pub(crate) fn touch(&self, hash: u64) -> u64 {
        self.slots[hash as usize & self.mask].lo
    }

    /// The code of the id whose key and hash are `key`, `hash` (`id` gives
    /// its text, read only for an id longer than [`INLINE`] bytes: the
    /// caller's list of ids is then not touched for most rows), storing it
    /// with the next code if it is new; `u32::MAX` once `u32::MAX − 1`
    /// ids are stored.
    pub(crate) fn code_of<'a>(&mut self, key: Key, hash: u64, id: impl Fn() -> &'a str) -> u32 {
        let mut i = hash as usize & self.mask;
        loop {
            let s = self.slots[i];
            if s.code == EMPTY {
                break;
            }
            if s.lo == key.lo
                && s.len == key.len
                && (key.len != LONG || &*self.long[s.hi as usize] == id())
                && (key.len == LONG || s.hi == key.hi)
            {
                return s.code;
            }
            i = (i + 1) & self.mask;
        }
        let Ok(code) = u32::try_from(self.len) else {
            return u32::MAX;
        };
        if code >= EMPTY - 1 {
            return u32::MAX;
        }
        let hi = if key.len == LONG {
            self.long.push(id().into());
            (self.long.len() - 1) as u64
        } else {
            key.hi
        };
        self.slots[i] = Slot {
            lo: key.lo,
            hi,
            code,
            len: key.len,
        };
        self.len += 1;
        if 4 * self.len > 3 * self.slots.len() {
            self.grow();
        }
        code
    }

    /// Doubles the slots and places every id again.
    fn grow(&mut self) {
        let old = std::mem::replace(&mut self.slots, vec![FREE; 2 * (self.mask + 1)]);
        self.mask = self.slots.len() - 1;
        for s in old.into_iter().filter(|s| s.code != EMPTY) {
            let hash = self.key_of(&s).hash();
            let mut i = hash as usize & self.mask;
            while self.slots[i].code != EMPTY {
                i = (i + 1) & self.mask;
            }
            self.slots[i] = s;
        }
    }

    /// The [`Key`] a slot was stored under.
    fn key_of(&self, s: &Slot) -> Key {
        Key {
            lo: s.lo,
            hi: if s.len == LONG { 0 } else { s.hi },
            len: s.len,
        }
    }

    /// The text of the id in slot `s`.
    fn text(&self, s: &Slot) -> String {
        self.key_of(s)
            .text()
            .unwrap_or_else(|| self.long[s.hi as usize].to_string())
    }

    /// The id of `code` (a scan of the table: for the rare error message).
    pub(crate) fn name(&self, code: u32) -> Option<String> {
        self.slots
            .iter()
            .find(|s| s.code == code)
            .map(|s| self.text(s))
    }

    /// The ids listed by code, 24 bytes each (about half the table's
    /// slots, which are at most three quarters full): for the end of a
    /// summary, when no id is looked up any more.
    pub(crate) fn into_by_code(self) -> IdsByCode {
        let mut by_code = vec![FREE; self.len];
        for s in self.slots.into_iter().filter(|s| s.code != EMPTY) {
            by_code[s.code as usize] = s;
        }
        IdsByCode {
            slots: by_code,
            long: self.long,
        }
    }
}

/// The ids of an [`IdTable`] by code ([`IdTable::into_by_code`]).
#[derive(Debug, Clone)]
pub(crate) struct IdsByCode {
    /// The slot of each code.
    slots: Vec<Slot>,
    /// The text of the ids longer than [`INLINE`] bytes.
    long: Vec<Box<str>>,
}

impl IdsByCode {
    /// Number of ids.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// [`sort_prefix`] of the id of `code` (ties are broken by
    /// [`IdsByCode::id`]); a short id's words are its slot's, byte-swapped.
    pub(crate) fn prefix(&self, code: u32) -> (u64, u64) {
        let s = &self.slots[code as usize];
        if s.len == LONG {
            return sort_prefix(self.long[s.hi as usize].as_bytes());
        }
        (s.lo.swap_bytes(), s.hi.swap_bytes())
    }

    /// The bytes of the id of `code` (`buf` holds a short one).
    pub(crate) fn id<'a>(&'a self, code: u32, buf: &'a mut [u8; INLINE]) -> &'a [u8] {
        let s = &self.slots[code as usize];
        if s.len == LONG {
            return self.long[s.hi as usize].as_bytes();
        }
        *buf = inline_bytes(s.lo, s.hi);
        &buf[..s.len as usize]
    }

    /// The ids by code, as `String`s.
    pub(crate) fn into_names(self) -> Vec<String> {
        let mut buf = [0u8; INLINE];
        (0..self.slots.len() as u32)
            // The bytes of a `&str` (whole, or cut at its own length): valid UTF-8.
            .map(|code| String::from_utf8_lossy(self.id(code, &mut buf)).into_owned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intern(table: &mut IdTable, id: &str) -> u32 {
        let key = Key::of(id);
        table.code_of(key, key.hash(), || id)
    }

    #[test]
    fn codes_follow_first_appearance_and_names_round_trip() {
        let long = "a customer id of more than sixteen bytes";
        let ids = [
            "b",
            "a",
            "",
            "b",
            long,
            "a\0",
            "a",
            "é",
            long,
            "0123456789abcdef",
        ];
        let mut t = IdTable::new();
        let codes: Vec<u32> = ids.iter().map(|id| intern(&mut t, id)).collect();
        assert_eq!(codes, [0, 1, 2, 0, 3, 4, 1, 5, 3, 6]);
        assert_eq!(t.len(), 7);
        assert_eq!(t.name(3).as_deref(), Some(long));
        assert_eq!(t.name(7), None);
        let by_code = t.into_by_code();
        let names = ["b", "a", "", long, "a\0", "é", "0123456789abcdef"];
        for (code, name) in names.iter().enumerate() {
            // a slot's words, byte-swapped, are the id's sort prefix
            assert_eq!(
                by_code.prefix(code as u32),
                sort_prefix(name.as_bytes()),
                "{name}"
            );
        }
        assert_eq!(by_code.into_names(), names);
    }

    #[test]
    fn keys_are_the_zero_padded_bytes() {
        for id in [
            "",
            "a",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "0123456789abcdef",
            "é€",
        ] {
            let mut buf = [0u8; INLINE];
            buf[..id.len()].copy_from_slice(id.as_bytes());
            let word = |w: &[u8]| u64::from_le_bytes(w.try_into().unwrap());
            let key = Key::of(id);
            assert_eq!(
                (key.lo, key.hi, key.len as usize),
                (word(&buf[..8]), word(&buf[8..]), id.len()),
                "{id}"
            );
            assert_eq!(key.text().as_deref(), Some(id));
        }
        assert_eq!(Key::of("0123456789abcdefg").len, LONG);
    }

    #[test]
    fn growth_keeps_every_code() {
        let mut t = IdTable::new();
        let ids: Vec<String> = (0..50_000)
            .map(|i| {
                if i % 7 == 0 {
                    format!("a long customer id number {i}")
                } else {
                    format!("C{i:08}")
                }
            })
            .collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(intern(&mut t, id), i as u32);
        }
        for (i, id) in ids.iter().enumerate().rev() {
            assert_eq!(intern(&mut t, id), i as u32);
        }
        assert!(4 * t.len() <= 3 * t.slots.len());
        assert_eq!(t.into_by_code().into_names(), ids);
    }
}
