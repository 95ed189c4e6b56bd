//! Customer id → dense code, and a state per customer, for the shards of
//! the streaming summary ([`super::stream`]): a dense list of entries (the
//! id itself when it has at most [`INLINE`] bytes, and the customer's
//! state) in chunks that never move, and an open-addressing index (linear
//! probing, at most three quarters full) of 8-byte slots from the id's
//! hash to its code, so that neither a lookup nor the table keeps a
//! `String` per customer.
//!
//! Interning a large log is bound by cache misses: rows come in date order,
//! each of a random customer among millions. The table is built so that
//! [`IdTable::touch`] and [`IdTable::touch_entry`] can start the misses of
//! a row's slot and entry while earlier rows are still being looked up (a
//! plain load whose value is not waited for: the processor keeps several
//! such loads in flight), which is how `stream::Shard::fold_items` folds
//! its rows in groups.

use std::cmp::Ordering;

use super::{hasher, sort_prefix};

/// Ids of at most this many bytes are stored in their entry.
const INLINE: usize = 15;

/// The bytes of a key's two words.
const KEY_BYTES: usize = 16;

/// The top byte of a key's `hi` for an id longer than [`INLINE`] bytes:
/// `lo` is then a hash of its text, and an entry's `hi` holds where the
/// text is in [`IdTable::long`] below that byte. No short id can have this
/// length, and no UTF-8 text holds the byte 0xFF, so a long key never
/// equals a short one.
const LONG: u8 = u8::MAX;

/// The bits of `hi` below its top byte (the length, or [`LONG`]).
const LOW56: u64 = (1 << 56) - 1;

/// An id as the table compares it: the bytes of a short id (at most
/// [`INLINE`]) in two little-endian words, zero-padded, its length in the
/// top byte of `hi`; or a hash of a long one and [`LONG`] there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    lo: u64,
    hi: u64,
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
                // The last 8 bytes, shifted so that byte 8 comes first (and
                // the top byte, n ≤ 15, is left 0 for the length).
                let hi = if n > 8 {
                    word(n - 8) >> (8 * (KEY_BYTES - n))
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
                hi: hi | (n as u64) << 56,
            }
        } else {
            Key {
                lo: hasher().hash_one(bytes),
                hi: u64::from(LONG) << 56,
            }
        }
    }

    /// The id's length in bytes, or [`LONG`].
    fn len(&self) -> u8 {
        (self.hi >> 56) as u8
    }

    /// The 64-bit hash the shards and the tables use (its top bits choose
    /// the shard, its low 32 bits the slot, bits 32–47 are the slot's tag).
    pub(crate) fn hash(&self) -> u64 {
        hasher().hash_one((self.lo, self.hi))
    }

    /// The text of a short id (`None` for [`LONG`]).
    #[cfg(test)]
    fn text(&self) -> Option<String> {
        if self.len() == LONG {
            return None;
        }
        let buf = inline_bytes(self.lo, self.hi);
        // The bytes of a `&str` cut at its own length: valid UTF-8.
        Some(String::from_utf8_lossy(&buf[..usize::from(self.len())]).into_owned())
    }
}

/// The bytes of a short id stored as the little-endian words `lo`, `hi`
/// (zero-padded; the last byte, the length, is not part of the id).
fn inline_bytes(lo: u64, hi: u64) -> [u8; KEY_BYTES] {
    let mut buf = [0u8; KEY_BYTES];
    buf[..8].copy_from_slice(&lo.to_le_bytes());
    buf[8..].copy_from_slice(&hi.to_le_bytes());
    buf
}

/// A slot of the index: a code and a 16-bit tag from its id's hash (bits
/// 32–47, which settle most comparisons without reading the entry). 6
/// bytes, as three 16-bit words (2-byte alignment, no padding).
#[derive(Debug, Clone, Copy)]
struct Slot([u16; 3]);

impl Slot {
    /// An empty slot (its code is [`EMPTY`]).
    const FREE: Slot = Slot([u16::MAX; 3]);

    fn new(code: u32, tag: u16) -> Slot {
        Slot([code as u16, (code >> 16) as u16, tag])
    }

    fn code(self) -> u32 {
        u32::from(self.0[0]) | u32::from(self.0[1]) << 16
    }

    fn tag(self) -> u16 {
        self.0[2]
    }
}

/// `code` of an empty slot.
const EMPTY: u32 = u32::MAX;

/// The tag of a slot for the id whose hash is `hash`.
fn tag_of(hash: u64) -> u16 {
    (hash >> 32) as u16
}

/// An id's key (as [`Key`], with where its text is in [`IdTable::long`]
/// in the low bits of `hi` for a long one) and what the
/// table keeps for it. The key is held as four 32-bit words, so that an
/// entry is 4-byte aligned: with the summary's 28-byte state, 44 bytes.
#[derive(Debug, Clone, Copy)]
struct Entry<S> {
    words: [u32; 4],
    state: S,
}

impl<S> Entry<S> {
    fn new(lo: u64, hi: u64, state: S) -> Self {
        Entry {
            words: [lo as u32, (lo >> 32) as u32, hi as u32, (hi >> 32) as u32],
            state,
        }
    }

    fn lo(&self) -> u64 {
        u64::from(self.words[0]) | u64::from(self.words[1]) << 32
    }

    fn hi(&self) -> u64 {
        u64::from(self.words[2]) | u64::from(self.words[3]) << 32
    }

    fn is_long(&self) -> bool {
        self.words[3] >> 24 == u32::from(LONG)
    }

    /// The key the id was stored under (a long id's index cleared).
    fn key(&self) -> Key {
        let hi = self.hi();
        Key {
            lo: self.lo(),
            hi: if self.is_long() { hi & !LOW56 } else { hi },
        }
    }

    /// The text of a long id.
    fn long_text<'a>(&self, long: &'a LongIds) -> &'a [u8] {
        long.get(self.hi() & LOW56)
    }

    /// The bytes of the id (`buf` holds a short one; `long` the long ones).
    fn id<'a>(&self, long: &'a LongIds, buf: &'a mut [u8; KEY_BYTES]) -> &'a [u8] {
        if self.is_long() {
            return self.long_text(long);
        }
        let hi = self.hi();
        *buf = inline_bytes(self.lo(), hi);
        &buf[..(hi >> 56) as usize]
    }

    /// The id as a `String`.
    fn name(&self, long: &LongIds) -> String {
        // The bytes of a `&str` (whole, or cut at its own length): valid UTF-8.
        String::from_utf8_lossy(self.id(long, &mut [0u8; KEY_BYTES])).into_owned()
    }

    /// [`sort_prefix`] of the id; a short id's words are its key's,
    /// byte-swapped (the length byte cleared: the 16th byte of an id of at
    /// most 15).
    fn prefix(&self, long: &LongIds) -> (u64, u64) {
        if self.is_long() {
            return sort_prefix(self.long_text(long));
        }
        (self.lo().swap_bytes(), (self.hi() & LOW56).swap_bytes())
    }

    /// The byte order of the ids of `self` and `other` (with the long ids
    /// of their tables): on the prefixes, then, where those agree, on the
    /// whole ids.
    fn cmp_id(&self, long: &LongIds, other: &Entry<S>, other_long: &LongIds) -> Ordering {
        self.prefix(long)
            .cmp(&other.prefix(other_long))
            .then_with(|| {
                let (mut x, mut y) = ([0u8; KEY_BYTES], [0u8; KEY_BYTES]);
                self.id(long, &mut x).cmp(other.id(other_long, &mut y))
            })
    }
}

/// Bytes of a block of [`LongIds`].
const BLOCK: usize = 1 << 20;

/// The text of the ids longer than [`INLINE`] bytes, each after its length
/// (LEB128: one byte below 128), end to end in blocks of [`BLOCK`] bytes
/// that never move (an id longer than a block gets a block of its own).
/// An id costs its bytes and one or two more, where a `Box<str>` each cost
/// 16 bytes of pointer and length and the allocator's rounding of the text
/// (a 36-byte UUID: 64 bytes against 37).
#[derive(Debug, Clone, Default)]
struct LongIds {
    blocks: Vec<Vec<u8>>,
}

impl LongIds {
    /// Stores `id` and returns where it is: the block's number above bit
    /// 32, the place of its length in the block below (together under
    /// 2⁵⁶, the bits an entry has for it, below 2²⁴ blocks).
    fn push(&mut self, id: &[u8]) -> u64 {
        let mut head = [0u8; 10];
        let mut n = 0;
        let mut len = id.len() as u64;
        loop {
            let low = (len & 0x7f) as u8;
            len >>= 7;
            head[n] = if len > 0 { low | 0x80 } else { low };
            n += 1;
            if len == 0 {
                break;
            }
        }
        let need = n + id.len();
        let fits = self
            .blocks
            .last()
            .is_some_and(|b| b.capacity() - b.len() >= need);
        if !fits {
            self.blocks.push(Vec::with_capacity(BLOCK.max(need)));
        }
        let number = self.blocks.len() - 1;
        let block = &mut self.blocks[number];
        let at = block.len() as u64;
        block.extend_from_slice(&head[..n]);
        block.extend_from_slice(id);
        (number as u64) << 32 | at
    }

    /// The id stored at `at` ([`LongIds::push`]).
    fn get(&self, at: u64) -> &[u8] {
        let block = &self.blocks[(at >> 32) as usize];
        let mut i = (at & u64::from(u32::MAX)) as usize;
        let (mut len, mut shift) = (0usize, 0);
        loop {
            let b = block[i];
            i += 1;
            len |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        &block[i..i + len]
    }
}

/// Entries a chunk of [`IdTable`] holds: the entries live in chunks that
/// never move, so that the table grows without copying them (nor holding
/// them twice while it does) and wastes at most one chunk's spare room.
const CHUNK: usize = 1 << 12;

/// Ids a table takes at most (codes are 32-bit, [`EMPTY`] marks a free
/// slot).
const MAX_IDS: usize = 3 << 30;

/// The index grows when more than `MAX_LOAD_NUM / MAX_LOAD_DEN` of its
/// slots are taken, by half its size: its load then stays between 7/12 and
/// 7/8 (6 bytes of slots at that load: 7–10 bytes a customer).
const MAX_LOAD_NUM: usize = 7;
const MAX_LOAD_DEN: usize = 8;

/// Slots an index has at most: a slot's place, `(h₃₂ · len) >> 32`, is
/// then computed in 64 bits without overflow, and [`MAX_IDS`] ids fill it
/// to at most 3/4.
const MAX_SLOTS: usize = u32::MAX as usize;

/// Customer ids → codes `0, 1, 2, …` in order of first appearance, each
/// with a state `S` (`S::default()` when the id is new).
///
/// The ids and states are entries of a dense list (an id of up to
/// [`INLINE`] bytes is stored in its entry, a longer one in `long`); an
/// open-addressing index (linear probing, at most 7/8 full) maps an id's
/// hash to its code. With the summary's 44-byte entries a customer costs
/// its entry and 6 bytes of index at a load of 7/12 to 7/8 (7–10 bytes),
/// and no `String`. A lookup reads one slot of the index (or the few next
/// ones, in the same cache line mostly) and one entry, the entry being
/// where the state is updated anyway.
///
/// The index is not a power of two in size: the slot of a hash is its low
/// 32 bits scaled to the index (`(h₃₂ · len) >> 32`, Lemire's fast range),
/// so that it can grow by halves rather than double. Growing places every
/// code again from its entry's key (read in code order, chunk by chunk).
#[derive(Debug, Clone)]
pub(crate) struct IdTable<S> {
    index: Vec<Slot>,
    /// The entries by code: code `c` is `chunks[c / CHUNK][c % CHUNK]`.
    chunks: Vec<Vec<Entry<S>>>,
    /// Ids stored.
    len: usize,
    /// Whether a new id was refused ([`MAX_IDS`]).
    full: bool,
    /// The text of the ids longer than [`INLINE`] bytes.
    long: LongIds,
}

impl<S: Copy + Default> IdTable<S> {
    /// An empty table.
    pub(crate) fn new() -> Self {
        IdTable {
            index: vec![Slot::FREE; 16],
            chunks: Vec::new(),
            len: 0,
            full: false,
            long: LongIds::default(),
        }
    }

    /// Distinct ids stored.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether an id was refused: the table held [`MAX_IDS`] ids.
    pub(crate) fn is_full(&self) -> bool {
        self.full
    }

    fn entry(&self, code: u32) -> &Entry<S> {
        let c = code as usize;
        &self.chunks[c / CHUNK][c % CHUNK]
    }

    /// The state of `code`.
    pub(crate) fn state(&self, code: u32) -> &S {
        &self.entry(code).state
    }

    /// The state of `code`, to update.
    pub(crate) fn state_mut(&mut self, code: u32) -> &mut S {
        let c = code as usize;
        &mut self.chunks[c / CHUNK][c % CHUNK].state
    }

    /// The first slot an id of hash `hash` probes in an index of `n` slots.
    fn place(hash: u64, n: usize) -> usize {
        ((u64::from(hash as u32) * n as u64) >> 32) as usize
    }

    /// The slot after `i` in an index of `n` slots.
    fn next(i: usize, n: usize) -> usize {
        if i + 1 == n { 0 } else { i + 1 }
    }

    /// Reads the first slot `hash` probes and returns a word of it: called
    /// for the next rows while the current ones are looked up, it starts
    /// their cache misses early (the caller passes the words to
    /// [`std::hint::black_box`] so that the loads are not optimised away).
    pub(crate) fn touch(&self, hash: u64) -> u64 {
        u64::from(self.index[Self::place(hash, self.index.len())].code())
    }

    /// Reads the entry that the slots `hash` probes point to first (its
    /// slot having been touched): the next stage of [`IdTable::touch`],
    /// whose word it returns likewise. A hint only: [`IdTable::code_of`]
    /// looks the id up.
    pub(crate) fn touch_entry(&self, hash: u64) -> u64 {
        let tag = tag_of(hash);
        let mut i = Self::place(hash, self.index.len());
        loop {
            let s = self.index[i];
            if s.code() == EMPTY {
                return 0;
            }
            if s.tag() == tag {
                return self.entry(s.code()).lo();
            }
            i = Self::next(i, self.index.len());
        }
    }

    /// The code of the id whose key and hash are `key`, `hash` (`id` gives
    /// its text, read only for an id longer than [`INLINE`] bytes: the
    /// caller's list of ids is then not touched for most rows), storing it
    /// with the next code and a default state if it is new; `u32::MAX`
    /// once [`MAX_IDS`] ids are stored.
    pub(crate) fn code_of<'a>(&mut self, key: Key, hash: u64, id: impl Fn() -> &'a str) -> u32 {
        let tag = tag_of(hash);
        let long = key.len() == LONG;
        let mut i = Self::place(hash, self.index.len());
        loop {
            let s = self.index[i];
            let code = s.code();
            if code == EMPTY {
                break;
            }
            if s.tag() == tag {
                let e = self.entry(code);
                if e.lo() == key.lo
                    && if long {
                        e.is_long() && e.long_text(&self.long) == id().as_bytes()
                    } else {
                        e.hi() == key.hi
                    }
                {
                    return code;
                }
            }
            i = Self::next(i, self.index.len());
        }
        if self.len >= MAX_IDS {
            self.full = true;
            return u32::MAX;
        }
        let code = self.len as u32;
        let hi = if long {
            key.hi | self.long.push(id().as_bytes())
        } else {
            key.hi
        };
        let entry = Entry::new(key.lo, hi, S::default());
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < CHUNK => chunk.push(entry),
            _ => {
                // The first chunk grows as a `Vec` does (small tables stay
                // small), the next ones are allocated whole.
                let mut chunk = Vec::with_capacity(if self.chunks.is_empty() { 0 } else { CHUNK });
                chunk.push(entry);
                self.chunks.push(chunk);
            }
        }
        self.index[i] = Slot::new(code, tag);
        self.len += 1;
        if MAX_LOAD_DEN * self.len > MAX_LOAD_NUM * self.index.len() {
            self.grow();
        }
        code
    }

    /// Grows the index by half and places every code again, from its
    /// entry's key (the entries read in code order).
    fn grow(&mut self) {
        let len = self.index.len() as u64;
        // In 64 bits: MAX_SLOTS is usize::MAX on 32-bit targets.
        let n = (len + len / 2).min(MAX_SLOTS as u64) as usize;
        self.index = Vec::new();
        let mut index = vec![Slot::FREE; n];
        let mut code = 0u32;
        for chunk in &self.chunks {
            for e in chunk {
                let hash = e.key().hash();
                let mut i = Self::place(hash, n);
                while index[i].code() != EMPTY {
                    i = Self::next(i, n);
                }
                index[i] = Slot::new(code, tag_of(hash));
                code += 1;
            }
        }
        self.index = index;
    }

    /// The id of `code` as a `String` (for an error message).
    pub(crate) fn name(&self, code: u32) -> Option<String> {
        ((code as usize) < self.len).then(|| self.entry(code).name(&self.long))
    }

    /// The ids whose state `keep` accepts, in the byte order of the ids,
    /// and their codes in that order: for the end of a summary, when no id
    /// is looked up any more. The index is dropped and the entries are
    /// reordered where they are (a permutation followed cycle by cycle),
    /// so that no second copy of them is ever held.
    pub(crate) fn into_sorted(self, keep: impl Fn(&S) -> bool) -> (SortedIds<S>, Vec<u32>) {
        let IdTable {
            index,
            mut chunks,
            len,
            long,
            ..
        } = self;
        drop(index);
        let at = |code: usize| (code / CHUNK, code % CHUNK);
        let entry = |chunks: &[Vec<Entry<S>>], code: usize| {
            let (c, k) = at(code);
            chunks[c][k]
        };
        // Sorted on the prefixes held beside the codes (no entry read for
        // most comparisons), the whole ids where those agree.
        let mut ranked: Vec<((u64, u64), u32)> = (0..len)
            .map(|c| (entry(&chunks, c), c as u32))
            .filter(|(e, _)| keep(&e.state))
            .map(|(e, c)| (e.prefix(&long), c))
            .collect();
        ranked.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                let (x, y) = (entry(&chunks, a.1 as usize), entry(&chunks, b.1 as usize));
                x.cmp_id(&long, &y, &long)
            })
        });
        let codes: Vec<u32> = ranked.into_iter().map(|r| r.1).collect();
        let kept = codes.len();
        // perm[new place] = old code: the kept ids in order, then the
        // others; a place done is marked u32::MAX.
        let mut perm = codes.clone();
        perm.extend((0..len as u32).filter(|&c| !keep(&entry(&chunks, c as usize).state)));
        for start in 0..len {
            if perm[start] == u32::MAX {
                continue;
            }
            let first = entry(&chunks, start);
            let mut to = start;
            loop {
                let from = perm[to] as usize;
                perm[to] = u32::MAX;
                let (c, k) = at(to);
                if from == start {
                    chunks[c][k] = first;
                    break;
                }
                chunks[c][k] = entry(&chunks, from);
                to = from;
            }
        }
        let sorted = SortedIds {
            chunks,
            long,
            len: kept,
        };
        (sorted, codes)
    }
}

/// Ids and their states in the byte order of the ids
/// ([`IdTable::into_sorted`]).
#[derive(Debug, Clone)]
pub(crate) struct SortedIds<S> {
    /// The entries in order, in chunks as in [`IdTable`] (those from
    /// `len` on are not part of it).
    chunks: Vec<Vec<Entry<S>>>,
    /// The text of the ids longer than [`INLINE`] bytes.
    long: LongIds,
    len: usize,
}

impl<S> SortedIds<S> {
    /// Number of ids.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn entry(&self, i: usize) -> &Entry<S> {
        debug_assert!(i < self.len);
        &self.chunks[i / CHUNK][i % CHUNK]
    }

    /// The state of the `i`-th id.
    pub(crate) fn state(&self, i: usize) -> &S {
        &self.entry(i).state
    }

    /// The bytes of the `i`-th id (`buf` holds a short one).
    pub(crate) fn id<'a>(&'a self, i: usize, buf: &'a mut [u8; KEY_BYTES]) -> &'a [u8] {
        self.entry(i).id(&self.long, buf)
    }

    /// The `i`-th id as a `String`.
    pub(crate) fn name(&self, i: usize) -> String {
        self.entry(i).name(&self.long)
    }

    /// [`sort_prefix`] of the `i`-th id.
    pub(crate) fn prefix(&self, i: usize) -> (u64, u64) {
        self.entry(i).prefix(&self.long)
    }

    /// The byte order of the `i`-th id here and the `j`-th of `other`.
    pub(crate) fn cmp_ids(&self, i: usize, other: &SortedIds<S>, j: usize) -> Ordering {
        self.entry(i)
            .cmp_id(&self.long, other.entry(j), &other.long)
    }
}

/// The order of the ids of all `lists` (each in byte order, no id in two):
/// entry `j` of list `s` as `starts[s] + j`, `starts` being the lists'
/// running lengths.
///
/// The ids are cut into [`MERGE_PARTS`] ranges at ids of the longest list
/// (each list split where its ids pass the cut, by binary search); the
/// ranges are merged on all threads, each by a k-way merge on a binary heap
/// of the lists' heads ([`merge_range`]), and put end to end.
pub(crate) fn merge_order<S: Sync>(lists: &[&SortedIds<S>]) -> (Vec<u32>, Vec<usize>) {
    let mut starts = Vec::with_capacity(lists.len() + 1);
    starts.push(0);
    for l in lists {
        starts.push(starts[starts.len() - 1] + l.len());
    }
    // The cuts: for each, where every list is split (its ids before it).
    let longest = (0..lists.len()).max_by_key(|&s| lists[s].len());
    let mut cuts: Vec<Vec<usize>> = vec![vec![0; lists.len()]];
    if let Some(big) = longest {
        let n = lists[big].len();
        for p in 1..MERGE_PARTS {
            let at = n * p / MERGE_PARTS;
            if at == 0 || at == n {
                continue;
            }
            cuts.push(
                (0..lists.len())
                    .map(|s| {
                        if s == big {
                            at
                        } else {
                            lists[s].partition_point_before(lists[big], at)
                        }
                    })
                    .collect(),
            );
        }
    }
    cuts.push(lists.iter().map(|l| l.len()).collect());
    let parts: Vec<(&[usize], &[usize])> =
        cuts.windows(2).map(|w| (&w[0][..], &w[1][..])).collect();
    let merge = |&(lo, hi): &(&[usize], &[usize])| merge_range(lists, &starts, lo, hi);
    #[cfg(feature = "parallel")]
    let merged: Vec<Vec<u32>> = {
        use rayon::prelude::*;
        parts.par_iter().map(merge).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let merged: Vec<Vec<u32>> = parts.iter().map(merge).collect();
    (merged.concat(), starts)
}

/// Ranges [`merge_order`] merges apart (on all threads).
const MERGE_PARTS: usize = 8;

impl<S> SortedIds<S> {
    /// How many ids here come before the `j`-th id of `other` (an id not
    /// here), by binary search.
    fn partition_point_before(&self, other: &SortedIds<S>, j: usize) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.cmp_ids(mid, other, j) == Ordering::Less {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

/// The order (as in [`merge_order`]) of the ids `lo[s]..hi[s]` of each list
/// `s`: a k-way merge on a binary heap of the lists' heads.
fn merge_range<S>(
    lists: &[&SortedIds<S>],
    starts: &[usize],
    lo: &[usize],
    hi: &[usize],
) -> Vec<u32> {
    // Each list's place and the prefix of the id there.
    let mut at: Vec<(usize, (u64, u64))> = (0..lists.len())
        .map(|s| {
            (
                lo[s],
                if lo[s] < hi[s] {
                    lists[s].prefix(lo[s])
                } else {
                    (0, 0)
                },
            )
        })
        .collect();
    // Min-heap of list numbers, by the id at each list's head.
    let mut heap: Vec<usize> = (0..lists.len()).filter(|&s| lo[s] < hi[s]).collect();
    let less = |at: &[(usize, (u64, u64))], a: usize, b: usize| {
        at[a]
            .1
            .cmp(&at[b].1)
            .then_with(|| lists[a].cmp_ids(at[a].0, lists[b], at[b].0))
            == Ordering::Less
    };
    let sift_down = |heap: &mut [usize], at: &[(usize, (u64, u64))], mut i: usize| loop {
        let (l, r) = (2 * i + 1, 2 * i + 2);
        let mut m = i;
        if l < heap.len() && less(at, heap[l], heap[m]) {
            m = l;
        }
        if r < heap.len() && less(at, heap[r], heap[m]) {
            m = r;
        }
        if m == i {
            break;
        }
        heap.swap(i, m);
        i = m;
    };
    for i in (0..heap.len() / 2).rev() {
        sift_down(&mut heap, &at, i);
    }
    let mut order = Vec::with_capacity((0..lists.len()).map(|s| hi[s] - lo[s]).sum());
    while let Some(&s) = heap.first() {
        // Fewer than u32::MAX ids in all (checked by the caller).
        order.push((starts[s] + at[s].0) as u32);
        at[s].0 += 1;
        if at[s].0 == hi[s] {
            heap.swap_remove(0);
        } else {
            at[s].1 = lists[s].prefix(at[s].0);
        }
        sift_down(&mut heap, &at, 0);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intern(table: &mut IdTable<u32>, id: &str) -> u32 {
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
        let codes: Vec<u32> = ids
            .iter()
            .map(|id| {
                let code = intern(&mut t, id);
                *t.state_mut(code) += 1;
                code
            })
            .collect();
        assert_eq!(codes, [0, 1, 2, 0, 3, 4, 1, 5, 3, 6]);
        assert_eq!(t.len(), 7);
        assert_eq!(t.name(3).as_deref(), Some(long));
        assert_eq!(t.name(7), None);
        let names = ["b", "a", "", long, "a\0", "é", "0123456789abcdef"];
        for (code, name) in names.iter().enumerate() {
            // an entry's words, byte-swapped, are the id's sort prefix
            assert_eq!(
                t.entry(code as u32).prefix(&t.long),
                sort_prefix(name.as_bytes()),
                "{name}"
            );
        }
        // Sorted in byte order, those seen once left out.
        let (sorted, codes) = t.into_sorted(|&n| n > 1);
        assert_eq!(codes, [1, 3, 0]);
        let got: Vec<(Vec<u8>, u32)> = (0..sorted.len())
            .map(|i| (sorted.id(i, &mut [0; KEY_BYTES]).to_vec(), *sorted.state(i)))
            .collect();
        let want = [("a", 2), (long, 2), ("b", 2)].map(|(s, n)| (s.as_bytes().to_vec(), n));
        assert_eq!(got, want);
    }

    /// A customer's entry with the summary's state (28 bytes, 4-byte
    /// aligned) fits in 44 bytes, a slot in 6.
    #[test]
    fn entries_are_44_bytes() {
        assert_eq!(std::mem::size_of::<Entry<[u32; 7]>>(), 44);
        assert_eq!(std::mem::size_of::<Slot>(), 6);
    }

    /// The merged order of sorted lists is the byte order of all their ids.
    #[test]
    fn merge_order_is_the_byte_order() {
        // Lists of equal sizes; one list holding most ids (the cuts fall in
        // it) beside empty and one-id lists; a single list.
        let spread: [fn(usize) -> usize; 3] =
            [|i| i % 5, |i| if i % 7 == 0 { i % 5 } else { 2 }, |_| 0];
        for (k, list_of) in spread.into_iter().enumerate() {
            let mut lists: Vec<Vec<String>> = vec![Vec::new(); 5 + k];
            for i in 0..200 {
                lists[list_of(i)].push(match i % 3 {
                    0 => format!("0123456789abcdef-{i}"),
                    1 => format!("c{i}"),
                    _ => "x".repeat(i % 20) + &i.to_string(),
                });
            }
            lists[4].truncate(1);
            check_merge_order(&lists);
        }
    }

    fn check_merge_order(lists: &[Vec<String>]) {
        let sorted: Vec<SortedIds<u32>> = lists
            .iter()
            .map(|ids| {
                let mut t = IdTable::new();
                for id in ids {
                    intern(&mut t, id);
                }
                t.into_sorted(|_| true).0
            })
            .collect();
        let refs: Vec<&SortedIds<u32>> = sorted.iter().collect();
        let (order, starts) = merge_order(&refs);
        let got: Vec<Vec<u8>> = order
            .iter()
            .map(|&g| {
                let s = starts.partition_point(|&st| st <= g as usize) - 1;
                sorted[s]
                    .id(g as usize - starts[s], &mut [0; KEY_BYTES])
                    .to_vec()
            })
            .collect();
        let mut want: Vec<Vec<u8>> = lists.concat().into_iter().map(String::into_bytes).collect();
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn keys_are_the_zero_padded_bytes() {
        for id in [
            "",
            "a",
            "a\0",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "0123456789abcde",
            "é€",
        ] {
            let mut buf = [0u8; KEY_BYTES];
            buf[..id.len()].copy_from_slice(id.as_bytes());
            buf[KEY_BYTES - 1] = id.len() as u8;
            let word = |w: &[u8]| u64::from_le_bytes(w.try_into().unwrap());
            let key = Key::of(id);
            assert_eq!((key.lo, key.hi), (word(&buf[..8]), word(&buf[8..])), "{id}");
            assert_eq!(usize::from(key.len()), id.len());
            assert_eq!(key.text().as_deref(), Some(id));
        }
        // 16 bytes and more: a hash, LONG in the top byte, the same for the
        // same text only
        let long = Key::of("0123456789abcdef");
        assert_eq!(long.len(), LONG);
        assert_eq!(long.hi, u64::from(LONG) << 56);
        assert_eq!(long, Key::of("0123456789abcdef"));
        assert_ne!(long, Key::of("0123456789abcdeg"));
        assert_eq!(long.text(), None);
    }

    /// Long ids round-trip through their blocks: lengths around the
    /// one-byte length (127, 128), ids that do not fit the rest of a block,
    /// and one longer than a block.
    #[test]
    fn long_ids_are_stored_end_to_end() {
        let mut long = LongIds::default();
        let ids: Vec<Vec<u8>> = [16, 127, 128, 300, BLOCK - 200, 5000, BLOCK + 5, 17]
            .iter()
            .enumerate()
            .map(|(k, &n)| (0..n).map(|i| b'a' + ((i + k) % 26) as u8).collect())
            .collect();
        let at: Vec<u64> = ids.iter().map(|id| long.push(id)).collect();
        for (id, &at) in ids.iter().zip(&at) {
            assert_eq!(long.get(at), &id[..]);
        }
        // 16 B + 1, 127 + 1, 128 + 2, 300 + 2 in the first block; the next
        // id does not fit it, the one after neither; the oversized one has
        // a block of its own and the last starts a new one
        assert_eq!(at[..4], [0, 17, 145, 275]);
        assert_eq!(
            at[4..].iter().map(|a| a >> 32).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        assert_eq!(long.blocks[0].len(), 577);
    }

    #[test]
    fn growth_keeps_every_code() {
        let mut t = IdTable::new();
        let ids: Vec<String> = (0..50_000)
            .map(|i| {
                if i % 7 == 0 {
                    format!("a long customer id number {i}")
                } else if i % 5 == 0 {
                    // 15 bytes (the longest inline) and 16 (the shortest long)
                    format!("{i:0>width$}", width = 15 + (i / 5) % 2)
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
        assert!(MAX_LOAD_DEN * t.len() <= MAX_LOAD_NUM * t.index.len());
        assert!(3 * MAX_LOAD_DEN * t.len() > 2 * MAX_LOAD_NUM * t.index.len());
        let names: Vec<String> = (0..ids.len() as u32).map(|c| t.name(c).unwrap()).collect();
        assert_eq!(names, ids);
    }
}
