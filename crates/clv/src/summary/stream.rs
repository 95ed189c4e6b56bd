//! The streaming summary: rows are folded into per-customer state as they
//! arrive, so that a log of any size is summarised in memory that does not
//! grow with the number of rows (the reader side, bytes → rows, is
//! [`crate::io::SummaryReader`]).
//!
//! The result equals [`summarize`](super::summarize) on the same rows in the
//! same order, column for column and bit for bit: both fold each
//! customer's calibration amounts in input order through
//! [`FirstAndRest`], add the amounts of one holdout (customer, period) in
//! input order, then the holdout's period sums in period order, and both
//! name the same rows in errors.
//!
//! # Memory
//!
//! The ids are interned once, in tables of 44-byte entries that hold an id
//! of up to 15 bytes itself beside the customer's calibration state, with
//! an index of 6-byte slots (7/12 to 7/8 full) from the id's hash to its
//! entry: about 52 bytes a customer, no `String` per
//! customer until the summary is built, and none at all when it is written
//! as CSV straight from the states by
//! [`crate::io::SummaryReader::write_csv`] (see `summary::intern`). At the
//! end the index is dropped, each table's entries are sorted where they
//! are, and the tables are merged into one order of 4 bytes a customer.
//! Periods are kept as 32-bit offsets from the first row's period
//! ([`Accumulator::offset`]). The per-customer state then depends on
//! [`RowOrder`]:
//!
//! - [`RowOrder::Chronological`]: each customer's rows arrive in date order
//!   (true of a log sorted by date, or by customer then date, such as
//!   CDNOW). A customer holds first and last period, the number of distinct
//!   periods, the first period's sum and the sum of the other amounts
//!   (28 bytes of the entry; 32 more for the holdout): memory is
//!   O(customers).
//!   A row older than its customer's previous period cannot be folded into
//!   that state (it may fall in a period already counted); the summariser
//!   then stops and [`Summarizer::finish`] is an error naming the row.
//!   [`crate::io::summarize_path`] detects this and reads the file again
//!   with [`RowOrder::Any`].
//! - [`RowOrder::Any`] (the default): any order. The spend and the first
//!   and last period are folded into the same state as rows come
//!   ([`FirstAndRest`] takes a row earlier than the first period), but
//!   counting distinct periods in an unordered stream needs the periods
//!   seen: one key is kept per distinct (customer, period) pair, 8 bytes in
//!   a sorted run per shard, with a log of the latest rows, at most as many
//!   as the run has pairs, that is merged into it when full ([`PairLog`]).
//!   Memory is O(customers + distinct (customer, period) pairs), 8 to 16
//!   bytes a pair (the holdout's pairs 24 to 40, with their sums), never one
//!   entry per row (a customer's rows of one day or week share one key).
//!
//! # Speed
//!
//! The per-customer state is split into [`SHARDS`] shards by a hash of the
//! id, each with its own id table and states. A batch of rows
//! ([`Accumulator::fold_batch`]) first goes through the bookkeeping that
//! spans customers (row numbers, observation end, invalid rows) in input
//! order, then each shard folds its own rows, in input order, on all
//! threads: a customer's rows all fall in one shard and keep their order, so
//! every sum is the same as one pass over the rows would give, bit for bit.
//!
//! With rows in date order, each row belongs to a random customer among
//! millions: the fold waits on memory, one cache miss for the id's slot and
//! one for the customer's state. A shard therefore takes its rows in groups
//! of [`GROUP`] ([`Shard::fold_items`]): it first reads the slots of the
//! whole group, then looks the ids up and reads their states, then folds
//! the rows in order, so that the misses of a group are waited for together
//! rather than one after the other. The id's key and hash are computed once,
//! by the bookkeeping pass, and travel with the row. And the bookkeeping of
//! one sub-batch runs on the calling thread while the shards fold the
//! previous one ([`Accumulator::fold_batches`]). On 10M rows of 1M
//! customers this took `clv summary` from 5.3–7.1 s to 2.3–2.9 s on two
//! cores (docs/performance.md).

use super::intern::{IdTable, Key, SortedIds, merge_order};
use super::{
    FirstAndRest, Holdout, Layout, SkippedRow, Summary, SummaryInfo, SummaryOptions, all_skipped,
    check_calibration_end, invalid_amount, valid_amount, write_csv_rows,
};
use crate::error::{Error, Result};
use crate::time::{TimeUnit, format_timestamp};

/// The order in which the rows of each customer reach a [`Summarizer`]
/// (module docs, "Memory").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RowOrder {
    /// Any order; memory O(customers + distinct (customer, period) pairs).
    #[default]
    Any,
    /// Each customer's calibration rows, and each customer's holdout rows,
    /// come in non-decreasing period order; memory O(customers). A row out
    /// of that order makes [`Summarizer::finish`] an error.
    Chronological,
}

/// A transaction log summarised row by row, without keeping the rows:
/// [`Summarizer::push`] each transaction, then [`Summarizer::finish`]. The
/// summary equals [`summarize`](super::summarize) of the same rows.
///
/// ```
/// use clv::summary::{summarize, RowOrder, Summarizer, SummaryOptions};
/// use clv::time::parse_timestamp;
/// let day = |s| parse_timestamp(s, None).unwrap();
/// let rows = [("a", "1997-01-01", 10.0), ("b", "1997-01-03", 5.0), ("a", "1997-01-08", 20.0)];
/// let mut s = Summarizer::new(&SummaryOptions::default(), RowOrder::Chronological, true)?;
/// for (id, date, amount) in rows {
///     s.push(id, day(date), amount);
/// }
/// let streamed = s.finish()?;
/// let ids: Vec<&str> = rows.iter().map(|r| r.0).collect();
/// let ts: Vec<i64> = rows.iter().map(|r| day(r.1)).collect();
/// let amounts: Vec<f64> = rows.iter().map(|r| r.2).collect();
/// assert_eq!(streamed, summarize(&ids, &ts, Some(&amounts), &SummaryOptions::default())?);
/// assert_eq!(streamed.monetary_value.unwrap(), [20.0, 0.0]);
/// # Ok::<(), clv::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Summarizer {
    acc: Accumulator,
}

impl Summarizer {
    /// A summariser with the options of [`summarize`](super::summarize);
    /// `with_amounts` says whether the rows carry amounts (else the amounts
    /// passed to [`Summarizer::push`] are ignored and there is no
    /// `monetary_value` column).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a bad time unit (`multiplier`).
    pub fn new(options: &SummaryOptions, order: RowOrder, with_amounts: bool) -> Result<Self> {
        Ok(Summarizer {
            acc: Accumulator::new(options, order, with_amounts)?,
        })
    }

    /// Folds one transaction in (the next row, in input order).
    pub fn push(&mut self, customer_id: &str, timestamp: i64, amount: f64) {
        self.acc.fold(customer_id, timestamp, amount);
    }

    /// Rows pushed so far.
    pub fn rows(&self) -> usize {
        self.acc.rows
    }

    /// Distinct customers seen so far.
    pub fn customers(&self) -> usize {
        self.acc.customers()
    }

    /// `true` once a row came out of order under [`RowOrder::Chronological`]
    /// (further rows are ignored and [`Summarizer::finish`] is an error).
    pub fn out_of_order(&self) -> bool {
        self.acc.out_of_order()
    }

    /// The summary.
    ///
    /// # Errors
    /// Those of [`summarize`](super::summarize), for the same rows; and,
    /// under [`RowOrder::Chronological`], [`Error::InvalidValue`] (field
    /// `date`, the 0-based row) for the first row older than its customer's
    /// previous period. In either order, [`Error::InvalidValue`] (field
    /// `date`, the row) for the first row whose period is about 2³¹
    /// periods or more from the first row's (the states keep periods in 32
    /// bits; unreachable with dates of years 1 to 9999).
    pub fn finish(self) -> Result<Summary> {
        self.acc.finish()
    }
}

/// A customer's calibration state: first and last period, the spend
/// ([`FirstAndRest`]: the first period's sum and the sum of the other
/// amounts, in input order) and the number of distinct periods (under
/// [`RowOrder::Any`] counted at the end from the (customer, period) keys,
/// 1 until then). Periods are offsets from the summary's base period
/// ([`Accumulator::offset`]). 28 bytes, aligned to 4 so that the state and
/// its id's key make a 44-byte entry of the id table (`summary::intern`);
/// the count of distinct periods cannot overflow before a customer has
/// 2³² − 1 of them, i.e. as many rows.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, packed(4))]
struct Cal {
    /// Sum of the amounts of period `first`, in input order.
    first_sum: f64,
    /// Sum of the other amounts, in input order: the numerator of the
    /// mean repeat-period spend.
    rest: f64,
    first: i32,
    last: i32,
    /// Distinct periods (0: no calibration row yet).
    periods: u32,
}

impl Cal {
    /// A customer's first row.
    fn start(p: i32, amount: f64) -> Cal {
        let spend = FirstAndRest::new(p, amount);
        Cal {
            first_sum: spend.first_sum,
            rest: spend.rest,
            first: p,
            last: p,
            periods: 1,
        }
    }

    /// Adds a row's amount to the spend ([`FirstAndRest::add`]; copied in
    /// and out, since a `FirstAndRest` field would break the packed 28-byte
    /// layout).
    fn spend(&mut self, p: i32, amount: f64) {
        let mut spend = FirstAndRest {
            first: self.first,
            first_sum: self.first_sum,
            rest: self.rest,
        };
        spend.add(p, amount);
        (self.first, self.first_sum, self.rest) = (spend.first, spend.first_sum, spend.rest);
    }

    /// [`RowOrder::Chronological`]: folds a row of period `p`; `false` when
    /// it is older than `last`.
    fn fold(&mut self, p: i32, amount: f64) -> bool {
        if self.periods == 0 {
            *self = Cal::start(p, amount);
            return true;
        }
        if p < self.last {
            return false;
        }
        if p > self.last {
            self.last = p;
            self.periods += 1;
        }
        self.spend(p, amount);
        true
    }

    /// [`RowOrder::Any`]: folds a row of period `p` (distinct periods are
    /// counted at the end, [`Shard::settle`]).
    fn fold_any(&mut self, p: i32, amount: f64) {
        if self.periods == 0 {
            *self = Cal::start(p, amount);
            return;
        }
        self.last = self.last.max(p);
        self.spend(p, amount);
    }
}

/// A customer's holdout state (under [`RowOrder::Any`] built from the
/// (customer, period) entries at the end); `last` is an offset from the
/// base period, as in [`Cal`].
#[derive(Debug, Clone, Copy)]
struct Hold {
    last: i32,
    periods: u32,
    rows: u64,
    /// Sum of period `last`, in input order.
    open: f64,
    /// Sum of the closed periods' sums, in period order.
    closed: f64,
}

impl Hold {
    const EMPTY: Hold = Hold {
        last: 0,
        periods: 0,
        rows: 0,
        open: 0.0,
        closed: 0.0,
    };

    fn fold(&mut self, p: i32, amount: f64) -> bool {
        if self.periods == 0 || p > self.last {
            if self.periods > 0 {
                self.closed += self.open;
            }
            self.last = p;
            self.periods += 1;
            self.open = 0.0;
        } else if p < self.last {
            return false;
        }
        self.rows += 1;
        self.open += amount;
        true
    }

    fn sum(&self) -> f64 {
        if self.periods == 0 {
            0.0
        } else {
            self.closed + self.open
        }
    }
}

/// [`RowOrder::Any`]: one shard's distinct (customer, period) pairs, with
/// a value per pair (nothing for the calibration, whose spend is folded
/// into [`Cal`]; the sum and row count for the holdout), as a run of
/// distinct pairs sorted by (customer code, period) and a log of the rows
/// folded since the run was last brought up to date.
///
/// A row costs an append to the log (no lookup: the pair's place is not
/// read, so no cache miss). When the log has as many rows as the run has
/// pairs (at least [`MIN_LOG`]), [`PairLog::compact`] sorts it by pair (stably when
/// rows carry amounts) and merges it into the run: a pair's sum is the
/// run's sum plus the log's amounts one by one, in input order, which is
/// the sum of all its amounts in input order, as
/// [`summarize`](super::summarize) adds them. Memory is the run (8 bytes a
/// calibration pair, 24 a holdout pair) and a log of at most as many rows
/// (8 and 16 bytes), never one entry per row; each compaction costs the
/// run's length, and the run at most doubles at each, so a pair is copied
/// about twice in all (sequential copies, no random access). A log of a
/// quarter of the run copied each pair about five times: 10M unordered
/// rows took 1.23 s against 1.13 s (medians), and more memory, as each
/// merge allocates the new run (docs/performance.md).
#[derive(Debug, Clone)]
struct PairLog<V: PairSum> {
    run: Vec<(u64, V)>,
    log: Vec<(u64, V::Row)>,
}

/// Rows a [`PairLog`]'s log takes before it is merged into its run when the
/// run is small (per shard; 64 KiB). Tiny in the unit tests, so that their
/// small inputs go through many merges.
const MIN_LOG: usize = if cfg!(test) { 3 } else { 1 << 12 };

/// The value kept per pair by a [`PairLog`], and what its log keeps of a
/// row: nothing (calibration: the pairs are only counted), or the amounts'
/// sum and the number of rows, from each row's amount (holdout).
trait PairSum: Copy {
    type Row: Copy;
    const ZERO: Self;
    fn row(amount: f64) -> Self::Row;
    fn add(&mut self, row: Self::Row);
}

impl PairSum for () {
    type Row = ();
    const ZERO: () = ();
    fn row(_: f64) {}
    fn add(&mut self, (): ()) {}
}

impl PairSum for (f64, u64) {
    type Row = f64;
    const ZERO: (f64, u64) = (0.0, 0);
    fn row(amount: f64) -> f64 {
        amount
    }
    fn add(&mut self, amount: f64) {
        self.0 += amount;
        self.1 += 1;
    }
}

/// The key of pair (`code`, `period`) in a [`PairLog`]: the code in the
/// high 32 bits and the period, its sign bit flipped, in the low 32, so
/// that keys sort as (code, period) do.
fn pair_key(code: u32, period: i32) -> u64 {
    (u64::from(code) << 32) | u64::from(period.cast_unsigned() ^ 0x8000_0000)
}

/// The (code, period) of a [`pair_key`].
fn pair_of(key: u64) -> (u32, i32) {
    (
        (key >> 32) as u32,
        ((key as u32) ^ 0x8000_0000).cast_signed(),
    )
}

impl<V: PairSum> PairLog<V> {
    const fn new() -> Self {
        PairLog {
            run: Vec::new(),
            log: Vec::new(),
        }
    }

    /// Rows the log takes before it is merged into the run: as many as
    /// the run has pairs, at least [`MIN_LOG`].
    fn log_limit(&self) -> usize {
        MIN_LOG.max(self.run.len())
    }

    /// Adds a row of `amount` to pair (`code`, `period`).
    fn push(&mut self, code: u32, period: i32, amount: f64) {
        if self.log.len() == self.log.capacity() {
            // Exactly to the limit: a doubling `Vec` would hold up to twice
            // the rows it needs until the end.
            self.log.reserve_exact(self.log_limit() - self.log.len());
        }
        self.log.push((pair_key(code, period), V::row(amount)));
        if self.log.len() >= self.log_limit() {
            self.compact();
        }
    }

    /// Merges the log into the run (type docs).
    fn compact(&mut self) {
        if self.log.is_empty() {
            return;
        }
        if size_of::<V::Row>() == 0 {
            // Keys alone: their order among equals says nothing.
            self.log.sort_unstable_by_key(|&(key, _)| key);
        } else {
            // Stable: a pair's rows keep their input order.
            self.log.sort_by_key(|&(key, _)| key);
        }
        let (run, log) = (&self.run, &self.log);
        // At most the run plus the log's distinct pairs (exactly that when
        // the log brings only new pairs).
        let distinct = 1 + log.windows(2).filter(|w| w[0].0 != w[1].0).count();
        let mut merged = Vec::with_capacity(run.len() + distinct);
        let mut old = run.iter().copied().peekable();
        let mut rows = log.iter().copied().peekable();
        while let Some(&(key, _)) = rows.peek() {
            while let Some(&pair) = old.peek()
                && pair.0 < key
            {
                merged.push(pair);
                old.next();
            }
            let mut sum = match old.peek() {
                Some(&(k, sum)) if k == key => {
                    old.next();
                    sum
                }
                _ => V::ZERO,
            };
            while let Some(&(k, row)) = rows.peek()
                && k == key
            {
                sum.add(row);
                rows.next();
            }
            merged.push((key, sum));
        }
        merged.extend(old);
        if merged.capacity() - merged.len() > merged.len() / 8 {
            // Pairs the run already had: the spare room would stay.
            merged.shrink_to_fit();
        }
        self.run = merged;
        self.log.clear();
    }

    /// The distinct pairs, sorted by (code, period), with their sums.
    fn into_sorted(mut self) -> impl Iterator<Item = (u32, i32, V)> {
        self.compact();
        self.run.into_iter().map(|(key, sum)| {
            let (code, period) = pair_of(key);
            (code, period, sum)
        })
    }
}

/// Number of shards of the per-customer state (module docs, "Speed"); a
/// power of two. The result does not depend on it.
const SHARDS: usize = 64;

/// Rows a shard looks up at a time ([`Shard::fold_items`]).
const GROUP: usize = 16;

/// Rows of a batch below which the shards fold on the calling thread.
#[cfg(feature = "parallel")]
const PARALLEL_ROWS: usize = 1 << 12;

/// Rows folded at a time by [`Accumulator::fold_batch`] (bounds its
/// scratch lists, and row offsets fit a `u32`).
const SUB_BATCH: usize = 1 << 20;

/// What a customer's state does with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Nothing: the id is only interned (an invalid row, a row after the
    /// observation end, or any row once the summary is an error).
    Intern,
    /// A calibration row.
    Cal,
    /// A holdout row.
    Hold,
}

/// A row of a batch for one shard: its offset in the batch, its id's
/// [`Key`] and hash, and what [`Accumulator::classify`] made of it.
#[derive(Debug, Clone, Copy)]
struct Item {
    row: u32,
    key: Key,
    hash: u64,
    kind: Kind,
    period: i32,
    amount: f64,
}

/// The customers whose id hashes to one shard: their ids (interned to
/// shard-local codes) with their calibration states, and their holdout
/// states by code.
#[derive(Debug, Clone)]
struct Shard {
    ids: IdTable<Cal>,
    hold: Vec<Hold>,
    /// [`RowOrder::Any`]: the distinct (code, period) pairs.
    cal_pairs: PairLog<()>,
    /// [`RowOrder::Any`]: (code, period) → (sum, rows) of holdout rows.
    hold_pairs: PairLog<(f64, u64)>,
    /// The shard's first row out of order (Chronological): row, timestamp,
    /// local code. The shard folds nothing more after it.
    disorder: Option<(usize, i64, u32)>,
}

impl Shard {
    fn new() -> Self {
        Shard {
            ids: IdTable::new(),
            hold: Vec::new(),
            cal_pairs: PairLog::new(),
            hold_pairs: PairLog::new(),
            disorder: None,
        }
    }

    /// Interns `id` (whose [`Key`] and hash are `key`, `hash`) and folds
    /// row `index` into its customer's state as `kind` says.
    #[allow(clippy::too_many_arguments)]
    fn fold(
        &mut self,
        order: RowOrder,
        id: &str,
        key: Key,
        hash: u64,
        index: usize,
        ts: i64,
        kind: Kind,
        period: i32,
        amount: f64,
    ) {
        let code = self.ids.code_of(key, hash, || id);
        self.fold_code(order, code, index, || ts, kind, period, amount);
    }

    /// [`Shard::fold`] of a batch's rows of this shard (`items`, in input
    /// order; row `r` of the batch is row `base + r` of the input), in
    /// groups of [`GROUP`]: the index slots of a group's ids are read
    /// first, then the entries (id and state) they point to, then the ids
    /// looked up and the rows folded in order. Each stage's loads are
    /// independent of one another, so their cache misses overlap instead
    /// of following each other (module docs, "Speed"); the result is that
    /// of folding the rows one by one.
    fn fold_items(
        &mut self,
        order: RowOrder,
        items: &[Item],
        ids: &[&str],
        ts: &[i64],
        base: usize,
    ) {
        for group in items.chunks(GROUP) {
            let mut touched = 0u64;
            for it in group {
                touched ^= self.ids.touch(it.hash);
            }
            std::hint::black_box(touched);
            for it in group {
                touched ^= self.ids.touch_entry(it.hash);
            }
            std::hint::black_box(touched);
            for it in group {
                let code = self.ids.code_of(it.key, it.hash, || ids[it.row as usize]);
                let r = it.row as usize;
                let ts = || ts[r];
                self.fold_code(order, code, base + r, ts, it.kind, it.period, it.amount);
            }
        }
    }

    /// Folds row `index` into the state of customer `code` as `kind` says
    /// (nothing for `u32::MAX`, an id beyond the table's capacity: the
    /// summary is then an error, see [`Accumulator::finish`]). `ts` gives
    /// the row's timestamp, read only for a row out of order.
    #[allow(clippy::too_many_arguments)]
    fn fold_code(
        &mut self,
        order: RowOrder,
        code: u32,
        index: usize,
        ts: impl FnOnce() -> i64,
        kind: Kind,
        period: i32,
        amount: f64,
    ) {
        if kind == Kind::Intern || self.disorder.is_some() || code == u32::MAX {
            return;
        }
        let c = code as usize;
        let in_order = match (order, kind == Kind::Cal) {
            (RowOrder::Chronological, true) => self.ids.state_mut(code).fold(period, amount),
            (RowOrder::Chronological, false) => {
                if self.hold.len() <= c {
                    self.hold.resize(c + 1, Hold::EMPTY);
                }
                self.hold[c].fold(period, amount)
            }
            (RowOrder::Any, true) => {
                self.ids.state_mut(code).fold_any(period, amount);
                self.cal_pairs.push(code, period, amount);
                true
            }
            (RowOrder::Any, false) => {
                self.hold_pairs.push(code, period, amount);
                true
            }
        };
        if !in_order {
            self.disorder = Some((index, ts(), code));
        }
    }

    /// The shard's customers with a calibration row, in the byte order of
    /// their ids, with their states (and, with a holdout, their holdout
    /// states in the same order). Under [`RowOrder::Any`] the (customer,
    /// period) pairs first complete the states to those of
    /// [`RowOrder::Chronological`]: the calibration pairs give the number
    /// of distinct periods, the holdout pairs the holdout states (with the
    /// holdout sum in `closed`, in period order, and `open` 0), so that
    /// both orders finish alike.
    fn settle(self, order: RowOrder, holdout: bool) -> Settled {
        let Shard {
            mut ids,
            mut hold,
            cal_pairs,
            hold_pairs,
            ..
        } = self;
        let n = ids.len();
        if order == RowOrder::Any {
            // A customer's first pair is the 1 its state already counts.
            let mut previous = None;
            for (code, _, ()) in cal_pairs.into_sorted() {
                if previous == Some(code) {
                    ids.state_mut(code).periods += 1;
                }
                previous = Some(code);
            }
            let mut pairs = hold_pairs.into_sorted().peekable();
            hold = Vec::new();
            if pairs.peek().is_some() {
                hold = vec![Hold::EMPTY; n];
            }
            for (code, period, (sum, rows)) in pairs {
                let h = &mut hold[code as usize];
                h.last = period;
                h.periods += 1;
                h.rows += rows;
                h.closed += sum;
            }
        }
        let mut holdout_only = 0;
        if holdout {
            hold.resize(n, Hold::EMPTY);
            holdout_only = (0..n as u32)
                .filter(|&c| hold[c as usize].periods > 0 && ids.state(c).periods == 0)
                .count();
        }
        let (ids, codes) = ids.into_sorted(|c| c.periods > 0);
        let hold = if holdout {
            codes.iter().map(|&c| hold[c as usize]).collect()
        } else {
            Vec::new()
        };
        Settled {
            ids,
            hold,
            holdout_only,
        }
    }
}

/// The state behind [`Summarizer`] and [`crate::io::SummaryReader`].
/// Decisions that need the observation end when it is not given (the
/// latest usable row) wait for [`Accumulator::finish`].
#[derive(Debug, Clone)]
pub(crate) struct Accumulator {
    unit: TimeUnit,
    order: RowOrder,
    with_amounts: bool,
    skip: bool,
    given_end: Option<i64>,
    calibration_end: Option<i64>,
    /// The customers, by a hash of the id ([`Accumulator::shard_of`]).
    shards: Vec<Shard>,
    /// [`Accumulator::fold_batches`]'s rows for each shard, of the
    /// sub-batch being folded and of the next (kept for reuse).
    items: Vec<Vec<Item>>,
    spare: Vec<Vec<Item>>,
    /// Rows pushed.
    pub(crate) rows: usize,
    cal_rows: usize,
    hold_rows: usize,
    after: usize,
    skipped: Vec<SkippedRow>,
    /// Invalid rows whose place (inside the window or after it) waits for
    /// the observation end: (row, timestamp, amount, customer).
    deferred: Vec<(usize, i64, f64, String)>,
    /// The first invalid row inside the window when invalid rows are errors.
    first_invalid: Option<(usize, i64, f64, String)>,
    /// Latest timestamp of a usable row (the default observation end).
    max_usable: Option<i64>,
    /// Earliest timestamp of a valid row inside the window (for the
    /// calibration-end error).
    min_valid: Option<i64>,
    /// First row out of order (Chronological), with its timestamp and customer.
    disorder: Option<(usize, i64, String)>,
    /// The period of the first usable row: the states hold periods as
    /// 32-bit offsets from it ([`Accumulator::offset`]).
    base: Option<i64>,
    /// The first usable row whose period is 2³¹ periods or more from
    /// `base`, with its timestamp and customer (an error).
    far: Option<(usize, i64, String)>,
}

impl Accumulator {
    pub(crate) fn new(
        options: &SummaryOptions,
        order: RowOrder,
        with_amounts: bool,
    ) -> Result<Self> {
        Ok(Accumulator {
            unit: TimeUnit::new(options.unit.period, options.unit.multiplier)?,
            order,
            with_amounts,
            skip: options.skip_invalid,
            given_end: options.observation_end,
            calibration_end: options.calibration_end,
            shards: (0..SHARDS).map(|_| Shard::new()).collect(),
            items: Vec::new(),
            spare: Vec::new(),
            rows: 0,
            cal_rows: 0,
            hold_rows: 0,
            after: 0,
            skipped: Vec::new(),
            deferred: Vec::new(),
            first_invalid: None,
            max_usable: None,
            min_valid: None,
            disorder: None,
            base: None,
            far: None,
        })
    }

    /// Distinct customers seen so far.
    pub(crate) fn customers(&self) -> usize {
        self.shards.iter().map(|s| s.ids.len()).sum()
    }

    /// `true` once a row came out of order under [`RowOrder::Chronological`].
    pub(crate) fn out_of_order(&self) -> bool {
        self.disorder.is_some()
    }

    /// The shard of an id whose [`Key::hash`] is `hash` (its top bits; the
    /// shard's table uses the low bits).
    fn shard_of(hash: u64) -> usize {
        (hash >> (64 - SHARDS.trailing_zeros())) as usize
    }

    /// Whether a row at `ts` is inside the window ending at `end`.
    fn inside(&self, ts: i64, end: i64) -> bool {
        if self.calibration_end.is_some() {
            ts <= end
        } else {
            self.unit.period_index(ts) <= self.unit.period_index(end)
        }
    }

    /// The period of `ts` as an offset from the base period (that of the
    /// first row asking), or `None` when the offset does not fit an `i32`
    /// (about 2³¹ periods either way: 245,000 years of hours, so never for
    /// dates this crate parses, years 1 to 9999, only for raw timestamps
    /// given to [`Summarizer::push`]).
    fn offset(&mut self, ts: i64) -> Option<i32> {
        let p = self.unit.period_index(ts);
        let base = *self.base.get_or_insert(p);
        i32::try_from(p.checked_sub(base)?).ok()
    }

    /// The bookkeeping of row number `self.rows` (customer `id`) that spans
    /// customers, in input order: what its customer's state does with it,
    /// its period and its amount.
    fn classify(&mut self, id: &str, ts: i64, amount: f64) -> (Kind, i32, f64) {
        let index = self.rows;
        self.rows += 1;
        let nothing = (Kind::Intern, 0, 0.0);
        if self.disorder.is_some() {
            return nothing;
        }
        let amount = if self.with_amounts { amount } else { 0.0 };
        let valid = valid_amount(amount);
        if valid || !self.skip {
            self.max_usable = Some(self.max_usable.map_or(ts, |m| m.max(ts)));
        }
        match self.given_end {
            Some(end) if !self.inside(ts, end) => {
                self.after += 1;
                return nothing;
            }
            _ => {}
        }
        if valid && self.given_end.is_none_or(|end| ts <= end) {
            self.min_valid = Some(self.min_valid.map_or(ts, |m| m.min(ts)));
        }
        if !valid {
            if !self.skip {
                self.first_invalid
                    .get_or_insert_with(|| (index, ts, amount, id.to_string()));
            } else if self.given_end.is_some() {
                self.skipped.push(skipped_row(index, amount, id, ts));
            } else {
                self.deferred.push((index, ts, amount, id.to_string()));
            }
            return nothing;
        }
        if self.first_invalid.is_some() {
            // The summary is an error; only the observation end still matters.
            return nothing;
        }
        let Some(period) = self.offset(ts) else {
            self.far.get_or_insert_with(|| (index, ts, id.to_string()));
            return nothing;
        };
        // Counted before the shard folds the row: should it be out of
        // order, the summary is an error and the counts do not matter.
        if self.calibration_end.is_none_or(|c| ts <= c) {
            self.cal_rows += 1;
            (Kind::Cal, period, amount)
        } else {
            self.hold_rows += 1;
            (Kind::Hold, period, amount)
        }
    }

    /// Folds the next row (number `self.rows`).
    pub(crate) fn fold(&mut self, id: &str, ts: i64, amount: f64) {
        let index = self.rows;
        let (kind, period, amount) = self.classify(id, ts, amount);
        let key = Key::of(id);
        let hash = key.hash();
        let shard = &mut self.shards[Self::shard_of(hash)];
        shard.fold(self.order, id, key, hash, index, ts, kind, period, amount);
        if self.disorder.is_none()
            && let Some((index, ts, code)) = shard.disorder
        {
            self.disorder = Some((index, ts, shard.ids.name(code).unwrap_or_default()));
        }
    }

    /// Folds the next rows: customer `ids[i]`, timestamp `ts[i]` and amount
    /// `amounts[i]` (0 when `amounts` is shorter), as [`Accumulator::fold`]
    /// of each row in turn would (module docs, "Speed").
    pub(crate) fn fold_batch(&mut self, ids: &[&str], ts: &[i64], amounts: &[f64]) {
        self.fold_batches(&[(ids, ts, amounts)]);
    }

    /// [`Accumulator::fold_batch`] of each batch in turn, pipelined: while
    /// the shards fold one sub-batch (of at most [`SUB_BATCH`] rows) on all
    /// threads, the next one goes through the bookkeeping that spans
    /// customers ([`Accumulator::route`]) on the calling thread.
    pub(crate) fn fold_batches(&mut self, batches: &[Batch<'_>]) {
        let mut subs: Vec<Batch<'_>> = Vec::new();
        for &(ids, ts, amounts) in batches {
            let mut start = 0;
            while start < ids.len() {
                let end = ids.len().min(start + SUB_BATCH);
                let amounts = amounts
                    .get(start..end.min(amounts.len()))
                    .unwrap_or_default();
                subs.push((&ids[start..end], &ts[start..end], amounts));
                start = end;
            }
        }
        let order = self.order;
        let mut routed = std::mem::take(&mut self.items);
        let mut next = std::mem::take(&mut self.spare);
        routed.resize_with(SHARDS, Vec::new);
        next.resize_with(SHARDS, Vec::new);
        // The routed sub-batch waiting for its fold, and its first row.
        let mut waiting: Option<(Batch<'_>, usize)> = None;
        for sub in subs.iter().copied().map(Some).chain([None]) {
            let base = self.rows;
            let mut shards = std::mem::take(&mut self.shards);
            let fold = |shards: &mut Vec<Shard>| {
                if let Some(((ids, ts, _), base)) = waiting {
                    fold_routed(shards, order, &routed, ids, ts, base);
                }
            };
            match sub {
                #[cfg(feature = "parallel")]
                Some(sub) if sub.0.len() >= PARALLEL_ROWS => {
                    rayon::join(|| self.route(sub, &mut next), || fold(&mut shards));
                }
                Some(sub) => {
                    fold(&mut shards);
                    self.route(sub, &mut next);
                }
                None => fold(&mut shards),
            }
            self.shards = shards;
            self.note_disorder();
            for list in &mut routed {
                list.clear();
            }
            std::mem::swap(&mut routed, &mut next);
            waiting = sub.map(|sub| (sub, base));
        }
        self.items = routed;
        self.spare = next;
    }

    /// The bookkeeping of a sub-batch's rows that spans customers
    /// ([`Accumulator::classify`], in input order), each row then listed
    /// for its shard in `items`.
    fn route(&mut self, (ids, ts, amounts): Batch<'_>, items: &mut [Vec<Item>]) {
        for (row, (&id, &t)) in ids.iter().zip(ts).enumerate() {
            let amount = amounts.get(row).copied().unwrap_or(0.0);
            let (kind, period, amount) = self.classify(id, t, amount);
            let key = Key::of(id);
            let hash = key.hash();
            items[Self::shard_of(hash)].push(Item {
                row: row as u32,
                key,
                hash,
                kind,
                period,
                amount,
            });
        }
    }

    /// Notes the first row out of order of all shards, if none is noted
    /// yet: each shard's first comes after every row before it in the file.
    fn note_disorder(&mut self) {
        if self.disorder.is_none() {
            self.disorder = self
                .shards
                .iter()
                .filter_map(|s| s.disorder.map(|d| (d, s)))
                .min_by_key(|((index, _, _), _)| *index)
                .map(|((index, ts, code), s)| (index, ts, s.ids.name(code).unwrap_or_default()));
        }
    }

    /// The summary of the rows folded.
    pub(crate) fn finish(self) -> Result<Summary> {
        self.settle_all()?.into_summary()
    }

    /// The summary of the rows folded written as CSV to the writer `out`
    /// opens ([`Summary::write_csv`], the same bytes) without building the
    /// [`Summary`]: its columns (a `String` per customer and the numbers)
    /// are never held, only the id tables, the states and the order of the
    /// ids (module docs, "Memory"). `out` is called only once the summary
    /// is known to be valid: an error leaves no output.
    ///
    /// # Errors
    /// Those of [`Accumulator::finish`], then those of `out` and
    /// [`Error::Io`] (path `<output>`) when writing fails.
    pub(crate) fn write_csv<W: std::io::Write>(
        self,
        out: impl FnOnce() -> Result<W>,
    ) -> Result<SummaryInfo> {
        self.settle_all()?.write_csv(out)
    }

    /// The checks of [`Accumulator::finish`] and the states settled.
    fn settle_all(mut self) -> Result<Finished> {
        self.items = Vec::new();
        self.spare = Vec::new();
        let n = self.rows;
        if n == 0 {
            return Err(Error::Empty {
                field: "transactions".into(),
                reason: "there are no rows to summarise".into(),
            });
        }
        if let Some((index, ts, name)) = &self.disorder {
            return Err(Error::invalid_at(
                "date",
                *index,
                format!("{} of customer {name:?}", format_timestamp(*ts)),
                "each customer's rows in date order (RowOrder::Chronological); \
                 summarise rows in any order with RowOrder::Any",
            ));
        }
        if let Some((index, ts, name)) = &self.far {
            return Err(Error::invalid_at(
                "date",
                *index,
                format!("{} of customer {name:?}", format_timestamp(*ts)),
                "fewer than 2^31 periods from the first transaction's period \
                 (Summarizer keeps periods in 32 bits)",
            ));
        }
        let n_names = self.customers();
        if n_names >= u32::MAX as usize || self.shards.iter().any(|s| s.ids.is_full()) {
            return Err(Error::invalid(
                "customer_ids",
                n_names,
                format!("fewer than {} distinct ids", u32::MAX),
            ));
        }
        let unit = self.unit;
        let observation_end = match self.given_end {
            Some(e) => e,
            None => self.max_usable.ok_or_else(|| all_skipped(n))?,
        };
        check_calibration_end(self.calibration_end, observation_end)?;
        if let Some((index, ts, amount, name)) = &self.first_invalid {
            return Err(invalid_amount(*index, *amount, name, *ts));
        }
        for (index, ts, amount, name) in std::mem::take(&mut self.deferred) {
            if self.inside(ts, observation_end) {
                self.skipped.push(skipped_row(index, amount, &name, ts));
            } else {
                self.after += 1;
            }
        }
        let top = unit.period_index(observation_end);
        let split = self.calibration_end.unwrap_or(observation_end);
        if self.cal_rows == 0 {
            if self.hold_rows == 0 {
                return Err(if self.after == n {
                    Error::Empty {
                        field: "transactions".into(),
                        reason: format!(
                            "all {n} rows are after the observation end {}",
                            format_timestamp(observation_end)
                        ),
                    }
                } else {
                    all_skipped(n)
                });
            }
            let first = self.min_valid.unwrap_or(split);
            return Err(Error::invalid(
                "calibration_end",
                format_timestamp(split),
                format!(">= the first purchase {}", format_timestamp(first)),
            ));
        }
        let n_transactions = self.cal_rows + self.hold_rows;
        let after_observation_end = self.after;
        let skipped = std::mem::take(&mut self.skipped);
        let holdout = self.calibration_end.is_some();
        let shards = self.settle(holdout);
        let holdout_only = shards.iter().map(|s| s.holdout_only).sum();
        let lists: Vec<&SortedIds<Cal>> = shards.iter().map(|s| &s.ids).collect();
        let (order, starts) = merge_order(&lists);
        Ok(Finished {
            info: SummaryInfo {
                unit,
                observation_end,
                calibration_end: self.calibration_end,
                n_customers: order.len(),
                n_transactions,
                skipped,
                holdout_only_customers: holdout_only,
                after_observation_end,
            },
            layout: Layout {
                amounts: self.with_amounts,
                holdout,
            },
            end: unit.period_index(split) - self.base.unwrap_or(0),
            duration: (top - unit.period_index(split)) as f64 / unit.multiplier,
            shards,
            order,
            starts,
        })
    }

    /// Each shard's customers with a calibration row, in id order, with
    /// their states ([`Shard::settle`]).
    fn settle(&mut self, holdout: bool) -> Vec<Settled> {
        let order = self.order;
        let shards = std::mem::take(&mut self.shards);
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            // One shard per thread at a time, in order: the pairs of a few
            // shards are turned into states at once, not of all.
            let threads = rayon::current_num_threads().max(1);
            let mut settled = Vec::with_capacity(shards.len());
            let mut shards = shards.into_iter();
            loop {
                let group: Vec<Shard> = shards.by_ref().take(threads).collect();
                if group.is_empty() {
                    break;
                }
                let done: Vec<Settled> = group
                    .into_par_iter()
                    .map(|s| s.settle(order, holdout))
                    .collect();
                settled.extend(done);
            }
            settled
        }
        #[cfg(not(feature = "parallel"))]
        shards
            .into_iter()
            .map(|s| s.settle(order, holdout))
            .collect()
    }
}

/// A shard settled ([`Shard::settle`]).
#[derive(Debug)]
struct Settled {
    /// The customers with a calibration row, in the byte order of their
    /// ids, with their calibration states.
    ids: SortedIds<Cal>,
    /// With a holdout, their holdout states in the same order; else empty.
    hold: Vec<Hold>,
    /// Customers with holdout rows only.
    holdout_only: usize,
}

/// The summary's columns of one customer.
struct Row {
    frequency: f64,
    recency: f64,
    t: f64,
    monetary: f64,
    hold_frequency: f64,
    hold_monetary: f64,
}

/// The rows folded, checked and settled ([`Accumulator::settle_all`]): what
/// the summary says beside its columns, and the states its columns come
/// from.
struct Finished {
    info: SummaryInfo,
    layout: Layout,
    /// Period of the end of `T` (the calibration end, else the observation
    /// end) as an offset from the base period, as the states' periods.
    end: i64,
    /// The holdout's duration in units.
    duration: f64,
    shards: Vec<Settled>,
    /// The customers of all shards in the byte order of their ids: the
    /// `j`-th of shard `s` as `starts[s] + j` (4 bytes a customer).
    order: Vec<u32>,
    starts: Vec<usize>,
}

impl Finished {
    /// The columns of the customer of states `f`, `h` (module docs of
    /// [`super`]): repeat periods, recency and `T` in units, the mean
    /// repeat-period spend, the holdout periods and mean holdout amount.
    fn row(&self, f: &Cal, h: Option<&Hold>) -> Row {
        let m = self.info.unit.multiplier;
        let repeats = f.periods - 1;
        let (first, last) = (i64::from(f.first), i64::from(f.last));
        let h = h.copied().unwrap_or(Hold::EMPTY);
        Row {
            frequency: repeats as f64,
            recency: (last - first) as f64 / m,
            t: (self.end - first) as f64 / m,
            monetary: if repeats > 0 {
                f.rest / repeats as f64
            } else {
                0.0
            },
            hold_frequency: h.periods as f64,
            hold_monetary: if h.rows > 0 {
                h.sum() / h.rows as f64
            } else {
                0.0
            },
        }
    }

    /// The error for a sum that overflowed: the first of the summary's `n`
    /// customers, in its order, whose mean spend (else mean holdout amount)
    /// is not finite. `means(i)` gives customer `i`'s two means, `name(i)`
    /// its id (called only for the customer named).
    fn overflow(
        &self,
        n: usize,
        means: impl Fn(usize) -> (f64, f64),
        name: impl FnOnce(usize) -> String,
    ) -> Result<()> {
        if !self.layout.amounts {
            return Ok(());
        }
        if self.all_means_finite() {
            return Ok(());
        }
        let fields = [
            ("monetary_value", true),
            ("monetary_value_holdout", self.layout.holdout),
        ];
        for (k, (field, present)) in fields.into_iter().enumerate() {
            if !present {
                continue;
            }
            let pick = |i: usize| if k == 0 { means(i).0 } else { means(i).1 };
            if let Some(i) = (0..n).find(|&i| !pick(i).is_finite()) {
                return Err(Error::invalid(
                    field,
                    format!("customer {:?}", name(i)),
                    "amounts whose sum is a finite number (the sum overflows)",
                ));
            }
        }
        Ok(())
    }

    /// Whether every customer's means are finite (the usual case), checked
    /// shard by shard in the shards' own order, on all threads: the
    /// customer to name in an error, the first in id order, is looked for
    /// only when one is not.
    fn all_means_finite(&self) -> bool {
        let shard_ok = |s: &Settled| {
            (0..s.ids.len()).all(|j| {
                let r = self.row(s.ids.state(j), s.hold.get(j));
                r.monetary.is_finite() && r.hold_monetary.is_finite()
            })
        };
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            self.shards.par_iter().all(shard_ok)
        }
        #[cfg(not(feature = "parallel"))]
        self.shards.iter().all(shard_ok)
    }

    /// The `i`-th customer in id order: its shard's ids, its place there,
    /// and its states.
    fn at(&self, i: usize) -> (&SortedIds<Cal>, usize, &Cal, Option<&Hold>) {
        let g = self.order[i] as usize;
        // The last shard starting at or before g (empty shards share their
        // start with the next one).
        let s = self.starts.partition_point(|&start| start <= g) - 1;
        let (shard, j) = (&self.shards[s], g - self.starts[s]);
        (&shard.ids, j, shard.ids.state(j), shard.hold.get(j))
    }

    /// The id of the `i`-th customer in id order.
    fn name(&self, i: usize) -> String {
        let (ids, j, _, _) = self.at(i);
        ids.name(j)
    }

    /// The summary's two means of the `i`-th customer in id order, for
    /// [`Finished::overflow`].
    fn means(&self, i: usize) -> (f64, f64) {
        let (_, _, f, h) = self.at(i);
        let r = self.row(f, h);
        (r.monetary, r.hold_monetary)
    }

    /// The [`Summary`]: the ids become `String`s, in byte order.
    fn into_summary(self) -> Result<Summary> {
        self.overflow(self.order.len(), |i| self.means(i), |i| self.name(i))?;
        let k = self.order.len();
        let holdout = self.layout.holdout;
        let mut customer_id = Vec::with_capacity(k);
        let (mut frequency, mut recency, mut t, mut monetary) = (
            Vec::with_capacity(k),
            Vec::with_capacity(k),
            Vec::with_capacity(k),
            Vec::with_capacity(k),
        );
        let (mut hold_frequency, mut hold_monetary) = (Vec::new(), Vec::new());
        for i in 0..k {
            let (ids, j, f, h) = self.at(i);
            let r = self.row(f, h);
            customer_id.push(ids.name(j));
            frequency.push(r.frequency);
            recency.push(r.recency);
            t.push(r.t);
            monetary.push(r.monetary);
            if holdout {
                hold_frequency.push(r.hold_frequency);
                hold_monetary.push(r.hold_monetary);
            }
        }
        let with_amounts = self.layout.amounts;
        let info = self.info;
        Ok(Summary {
            customer_id,
            frequency,
            recency,
            t,
            monetary_value: with_amounts.then_some(monetary),
            holdout: info.calibration_end.map(|_| Holdout {
                frequency: hold_frequency,
                monetary_value: with_amounts.then_some(hold_monetary),
                duration: self.duration,
            }),
            unit: info.unit,
            observation_end: info.observation_end,
            calibration_end: info.calibration_end,
            n_transactions: info.n_transactions,
            skipped: info.skipped,
            holdout_only_customers: info.holdout_only_customers,
            after_observation_end: info.after_observation_end,
        })
    }

    /// [`Accumulator::write_csv`]: the customers with a calibration
    /// purchase in the byte order of their ids (each shard's sorted, then
    /// merged), each block of rows formatted from the states.
    fn write_csv<W: std::io::Write>(self, out: impl FnOnce() -> Result<W>) -> Result<SummaryInfo> {
        // Checked before the output is opened (a pass over the states
        // without formatting; the id text only for the customer named).
        self.overflow(self.order.len(), |i| self.means(i), |i| self.name(i))?;
        let w = out()?;
        let layout = self.layout;
        write_csv_rows(w, &layout.header(), self.order.len(), |i, id, values| {
            let (ids, j, f, h) = self.at(i);
            id.extend_from_slice(ids.id(j, &mut [0u8; 16]));
            let r = self.row(f, h);
            values.extend([r.frequency, r.recency, r.t]);
            if layout.amounts {
                values.push(r.monetary);
            }
            if layout.holdout {
                values.push(r.hold_frequency);
                if layout.amounts {
                    values.push(r.hold_monetary);
                }
                values.push(self.duration);
            }
        })?;
        Ok(self.info)
    }
}

/// A batch of rows: ids, timestamps and amounts (0 where `amounts` is
/// shorter).
pub(crate) type Batch<'a> = (&'a [&'a str], &'a [i64], &'a [f64]);

/// Each shard folds its rows of a routed sub-batch (`items`, by shard;
/// row `r` of `ids`, `ts` is row `base + r` of the input), on all threads.
fn fold_routed(
    shards: &mut [Shard],
    order: RowOrder,
    items: &[Vec<Item>],
    ids: &[&str],
    ts: &[i64],
    base: usize,
) {
    let run = |(shard, items): (&mut Shard, &Vec<Item>)| {
        shard.fold_items(order, items, ids, ts, base);
    };
    #[cfg(feature = "parallel")]
    if ids.len() >= PARALLEL_ROWS {
        use rayon::prelude::*;
        shards.par_iter_mut().zip(items).for_each(run);
        return;
    }
    shards.iter_mut().zip(items).for_each(run);
}

fn skipped_row(index: usize, amount: f64, customer: &str, ts: i64) -> SkippedRow {
    SkippedRow {
        index,
        reason: format!(
            "amount {amount} for customer {customer:?} on {} is not a finite number >= 0",
            format_timestamp(ts)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::summarize;
    use super::*;
    use crate::time::parse_timestamp;
    use proptest::prelude::*;

    fn streamed(
        ids: &[String],
        ts: &[i64],
        amounts: Option<&[f64]>,
        options: &SummaryOptions,
        order: RowOrder,
    ) -> Result<Summary> {
        let mut s = Summarizer::new(options, order, amounts.is_some())?;
        for (i, id) in ids.iter().enumerate() {
            s.push(id, ts[i], amounts.map_or(0.0, |a| a[i]));
        }
        s.finish()
    }

    /// The CSV [`Accumulator::write_csv`] writes for `ids`, `ts`, `amounts`
    /// pushed one by one, or its error.
    fn streamed_csv(
        ids: &[String],
        ts: &[i64],
        amounts: Option<&[f64]>,
        options: &SummaryOptions,
        order: RowOrder,
    ) -> Result<Vec<u8>> {
        let mut acc = Accumulator::new(options, order, amounts.is_some())?;
        for (i, id) in ids.iter().enumerate() {
            acc.fold(id, ts[i], amounts.map_or(0.0, |a| a[i]));
        }
        let mut out = Vec::new();
        let info = acc.write_csv(|| Ok(&mut out))?;
        assert!(out.starts_with(b"customer_id,"));
        assert_eq!(
            out.iter().filter(|&&b| b == b'\n').count(),
            info.n_customers + 1
        );
        Ok(out)
    }

    /// [`Accumulator::write_csv`] writes what [`Summary::write_csv`] writes
    /// of the summary of the same rows, or fails with its error.
    fn same_csv(want: &Result<Summary>, got: &Result<Vec<u8>>) -> bool {
        match (want, got) {
            (Ok(s), Ok(bytes)) => {
                let mut w = Vec::new();
                s.write_csv(&mut w).unwrap();
                &w == bytes
            }
            (Err(a), Err(b)) => a == b,
            _ => false,
        }
    }

    fn same(a: &Result<Summary>, b: &Result<Summary>) -> bool {
        match (a, b) {
            (Ok(a), Ok(b)) => {
                // bit for bit (NaN-free by construction)
                a == b
            }
            (Err(a), Err(b)) => a == b,
            _ => false,
        }
    }

    /// Rows sorted by timestamp (stable): each customer's rows in date order.
    fn chronological(
        ids: &[String],
        ts: &[i64],
        amounts: &[f64],
    ) -> (Vec<String>, Vec<i64>, Vec<f64>) {
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|&i| ts[i]);
        (
            order.iter().map(|&i| ids[i].clone()).collect(),
            order.iter().map(|&i| ts[i]).collect(),
            order.iter().map(|&i| amounts[i]).collect(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn streaming_equals_summarize(
            rows in proptest::collection::vec(
                (0u8..12, 0i64..3_000, prop_oneof![
                    4 => (0u32..100_000).prop_map(|c| f64::from(c) / 100.0),
                    1 => Just(0.0),
                    1 => Just(-1.0),
                    1 => (0u32..1000).prop_map(|c| f64::from(c) * 0.1 + 1e-3),
                ]),
                0..120),
            unit in prop_oneof![Just("D"), Just("W"), Just("M"), Just("H"), Just("3d")],
            end in proptest::option::of(0i64..3_000),
            cal in proptest::option::of(0i64..3_000),
            skip in any::<bool>(),
            with_amounts in any::<bool>(),
        ) {
            let hour = 3_600;
            let ids: Vec<String> = rows.iter().map(|r| format!("c{}", r.0)).collect();
            let ts: Vec<i64> = rows.iter().map(|r| 852_076_800 + r.1 * hour * 7).collect();
            let amounts: Vec<f64> = rows.iter().map(|r| r.2).collect();
            let options = SummaryOptions {
                unit: TimeUnit::parse(unit).unwrap(),
                observation_end: end.map(|e| 852_076_800 + e * hour * 7),
                calibration_end: cal.map(|c| 852_076_800 + c * hour * 7),
                skip_invalid: skip,
            };
            let a = with_amounts.then_some(&amounts[..]);
            let want = summarize(&ids, &ts, a, &options);
            let any = streamed(&ids, &ts, a, &options, RowOrder::Any);
            prop_assert!(same(&want, &any), "{want:?}\n{any:?}");
            let csv = streamed_csv(&ids, &ts, a, &options, RowOrder::Any);
            prop_assert!(same_csv(&want, &csv), "{want:?}\n{csv:?}");
            let (ids, ts, amounts) = chronological(&ids, &ts, &amounts);
            let a = with_amounts.then_some(&amounts[..]);
            let want = summarize(&ids, &ts, a, &options);
            for order in [RowOrder::Any, RowOrder::Chronological] {
                let got = streamed(&ids, &ts, a, &options, order);
                prop_assert!(same(&want, &got), "{order:?}\n{want:?}\n{got:?}");
                let csv = streamed_csv(&ids, &ts, a, &options, order);
                prop_assert!(same_csv(&want, &csv), "{order:?}\n{want:?}\n{csv:?}");
            }
        }
    }

    /// Batches large enough for the shards to fold on all threads give what
    /// row-by-row folding and [`summarize`] give, errors included.
    #[test]
    fn large_batches_equal_rows_one_by_one() {
        let n = 20_000;
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let day = 86_400;
        let rows: Vec<(String, i64, f64)> = (0..n)
            .map(|i| {
                let r = next();
                let amount = match r % 500 {
                    0 => -1.0,
                    1 => f64::NAN,
                    k => (k % 97) as f64 * 0.37,
                };
                (
                    format!("c{}", r % 2_000),
                    852_076_800 + (i as i64 / 7) * day,
                    amount,
                )
            })
            .collect();
        let sorted = rows.clone();
        let mut keyed: Vec<(u64, (String, i64, f64))> =
            rows.into_iter().map(|r| (next(), r)).collect();
        keyed.sort_by_key(|k| k.0);
        let rows: Vec<(String, i64, f64)> = keyed.into_iter().map(|k| k.1).collect();
        for rows in [sorted, rows] {
            let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
            let ts: Vec<i64> = rows.iter().map(|r| r.1).collect();
            let amounts: Vec<f64> = rows.iter().map(|r| r.2).collect();
            let owned: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
            for (skip, cal) in [(true, None), (true, Some(ts[n / 2])), (false, None)] {
                let options = SummaryOptions {
                    skip_invalid: skip,
                    calibration_end: cal,
                    ..SummaryOptions::default()
                };
                for order in [RowOrder::Any, RowOrder::Chronological] {
                    let one_by_one = streamed(&owned, &ts, Some(&amounts), &options, order);
                    let mut acc = Accumulator::new(&options, order, true).unwrap();
                    for start in (0..n).step_by(7_000) {
                        let end = n.min(start + 7_000);
                        acc.fold_batch(&ids[start..end], &ts[start..end], &amounts[start..end]);
                    }
                    let csv_acc = acc.clone();
                    let batched = acc.finish();
                    assert!(same(&one_by_one, &batched), "{order:?} {skip} {cal:?}");
                    let mut csv = Vec::new();
                    let csv = csv_acc.write_csv(|| Ok(&mut csv)).map(|_| csv);
                    assert!(same_csv(&batched, &csv), "{order:?} {skip} {cal:?}");
                    if order == RowOrder::Any {
                        let want = summarize(&ids, &ts, Some(&amounts), &options);
                        assert!(same(&want, &batched), "{skip} {cal:?}");
                    }
                }
            }
        }
    }

    /// The streamed CSV ranks ids as the summary does where their first
    /// 16 bytes agree: long ids sharing them, ids that differ only in
    /// trailing NUL bytes or length, the empty id, non-ASCII ids, ids that
    /// need quoting.
    #[test]
    fn streamed_csv_ranks_ids_that_share_a_prefix() {
        let mut ids: Vec<String> = ["a", "a\0", "a\0\0", "", "é", "\"q,1\"", "0123456789abcdef"]
            .map(String::from)
            .to_vec();
        for i in (0..300).rev() {
            ids.push(format!("customer-number-{:06}-{}", i % 150, i % 7));
            ids.push(format!("0123456789abcdef{i}"));
        }
        let n = ids.len();
        let ts: Vec<i64> = (0..n as i64)
            .map(|i| 852_076_800 + (i % 40) * 86_400)
            .collect();
        let amounts: Vec<f64> = (0..n).map(|i| (i % 13) as f64 * 1.25).collect();
        let options = SummaryOptions::default();
        let want = summarize(&ids, &ts, Some(&amounts), &options);
        assert!(want.as_ref().unwrap().len() > 400);
        for order in [RowOrder::Any, RowOrder::Chronological] {
            let csv = streamed_csv(&ids, &ts, Some(&amounts), &options, order);
            assert!(same_csv(&want, &csv), "{order:?}");
        }
    }

    /// An overflowing sum is the summary's error, naming the same customer,
    /// and nothing is written (the output is not even opened).
    #[test]
    fn streamed_csv_refuses_an_overflow_before_writing() {
        let ids: Vec<String> = ["b", "a", "b", "b", "a", "a"].map(String::from).to_vec();
        let day = 86_400;
        let ts = [0, 0, day, 2 * day, day, 2 * day].map(|t| 852_076_800 + t);
        let amounts = [1.0, 1.0, 1e308, 1e308, 1e308, 1e308];
        let options = SummaryOptions::default();
        let want = summarize(&ids, &ts, Some(&amounts), &options).unwrap_err();
        assert!(want.to_string().contains("customer \"a\""), "{want}");
        let mut acc = Accumulator::new(&options, RowOrder::Chronological, true).unwrap();
        for i in 0..ids.len() {
            acc.fold(&ids[i], ts[i], amounts[i]);
        }
        let got = acc
            .write_csv(|| -> Result<Vec<u8>> { panic!("the output must not be opened") })
            .unwrap_err();
        assert_eq!(got, want);
    }

    /// [`PairLog`] against a map of sums added in input order: equal bit for
    /// bit, over many merges (a small `MIN_LOG` under test), with pairs
    /// seen again long after they were merged, negative and extreme
    /// periods, and the holdout's row counts.
    #[test]
    fn pair_log_sums_each_pair_in_input_order() {
        use std::collections::BTreeMap;
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for rows in [0, 1, 2, 7, 100, 5_000] {
            let mut log = PairLog::<(f64, u64)>::new();
            let mut want: BTreeMap<(u32, i32), (f64, u64)> = BTreeMap::new();
            for _ in 0..rows {
                let r = next();
                let code = (r % 37) as u32 * if r % 5 == 0 { 100_000_000 } else { 1 };
                let period = match (r >> 8) % 6 {
                    0 => i32::MIN,
                    1 => i32::MAX,
                    _ => ((r >> 16) % 41) as i32 - 20,
                };
                // Amounts whose sum depends on the order of the additions.
                let amount = f64::from((r >> 24) as u16) * 0.1 + 1e-9 * f64::from((r >> 40) as u8);
                log.push(code, period, amount);
                let e = want.entry((code, period)).or_insert((0.0, 0));
                e.0 += amount;
                e.1 += 1;
            }
            let got: Vec<(u32, i32, (f64, u64))> = log.into_sorted().collect();
            let want: Vec<(u32, i32, (f64, u64))> =
                want.into_iter().map(|((c, p), v)| (c, p, v)).collect();
            assert_eq!(got.len(), want.len(), "{rows} rows");
            for (g, w) in got.iter().zip(&want) {
                assert_eq!((g.0, g.1, g.2.1), (w.0, w.1, w.2.1), "{rows} rows");
                assert_eq!(g.2.0.to_bits(), w.2.0.to_bits(), "{rows} rows, pair {g:?}");
            }
        }
        for (code, period) in [
            (0, i32::MIN),
            (0, -1),
            (0, 0),
            (1, i32::MIN),
            (u32::MAX - 1, i32::MAX),
        ] {
            assert_eq!(pair_of(pair_key(code, period)), (code, period));
        }
        assert!(pair_key(0, -1) < pair_key(0, 0) && pair_key(0, i32::MAX) < pair_key(1, i32::MIN));
    }

    /// Periods are kept as 32-bit offsets from the first row's: a row
    /// 2³¹ − 1 periods away is summarised, one 2³¹ away is an error naming
    /// it, in both orders.
    #[test]
    fn periods_beyond_32_bits_are_an_error() {
        let hours = SummaryOptions {
            unit: TimeUnit::parse("H").unwrap(),
            ..SummaryOptions::default()
        };
        let far = |k: i64| k * 3_600;
        for order in [RowOrder::Any, RowOrder::Chronological] {
            let mut s = Summarizer::new(&hours, order, true).unwrap();
            s.push("a", 0, 1.0);
            s.push("b", far(i64::from(i32::MAX)), 2.0);
            let got = s.finish().unwrap();
            let want = summarize(
                &["a", "b"],
                &[0, far(i64::from(i32::MAX))],
                Some(&[1.0, 2.0]),
                &hours,
            )
            .unwrap();
            assert_eq!(got, want, "{order:?}");
            assert_eq!(got.t, [f64::from(i32::MAX), 0.0]);
            let mut s = Summarizer::new(&hours, order, true).unwrap();
            s.push("a", 0, 1.0);
            s.push("b", 3_600, 1.0);
            s.push("c", far(-(1 << 31) - 1), 1.0);
            s.push("d", far(1 << 40), 1.0);
            let e = s.finish().unwrap_err();
            assert_eq!(e.field(), Some("date"));
            assert!(
                e.to_string().starts_with("invalid date[2]: ")
                    && e.to_string().contains("of customer \"c\""),
                "{e}"
            );
        }
    }

    #[test]
    fn chronological_rejects_rows_out_of_order() {
        let day = |s| parse_timestamp(s, None).unwrap();
        let mut s =
            Summarizer::new(&SummaryOptions::default(), RowOrder::Chronological, true).unwrap();
        s.push("a", day("1997-01-05"), 1.0);
        s.push("b", day("1997-01-01"), 1.0); // another customer: fine
        assert!(!s.out_of_order());
        s.push("a", day("1997-01-05"), 1.0); // same period: fine
        s.push("a", day("1997-01-02"), 1.0);
        assert!(s.out_of_order());
        assert_eq!((s.rows(), s.customers()), (4, 2));
        let e = s.finish().unwrap_err();
        assert_eq!(e.field(), Some("date"));
        assert!(
            e.to_string()
                .starts_with("invalid date[3]: 1997-01-02 of customer \"a\""),
            "{e}"
        );
    }

    #[test]
    fn invalid_rows_wait_for_the_observation_end() {
        // Without an observation end, an invalid row after the latest valid
        // row is outside the window (counted), one before is skipped.
        let day = |s| parse_timestamp(s, None).unwrap();
        let ids: Vec<String> = ["a", "a", "a", "a"].map(String::from).to_vec();
        let ts = [
            day("1997-01-01"),
            day("1997-01-03"),
            day("1997-01-05"),
            day("1997-01-02"),
        ];
        let amounts = [1.0, -1.0, 2.0, f64::NAN];
        let mut o = SummaryOptions {
            skip_invalid: true,
            ..SummaryOptions::default()
        };
        for order in [RowOrder::Any, RowOrder::Chronological] {
            let want = summarize(&ids, &ts, Some(&amounts), &o);
            let got = streamed(&ids, &ts, Some(&amounts), &o, RowOrder::Any);
            assert!(same(&want, &got), "{order:?}");
        }
        o.skip_invalid = false;
        let got = streamed(&ids, &ts, Some(&amounts), &o, RowOrder::Any).unwrap_err();
        assert_eq!(got, invalid_amount(1, -1.0, "a", ts[1]));
    }
}
