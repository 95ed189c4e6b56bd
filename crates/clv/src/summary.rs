//! Transaction log → one row per customer: `frequency`, `recency`, `T`,
//! `monetary_value`, and optionally the holdout columns.
//!
//! The definitions are those of `lifetimes` 0.11.3
//! (`utils.summary_data_from_transaction_data` and
//! `utils.calibration_and_holdout_data` with `freq`, `freq_multiplier` and
//! `include_first_transaction=False`), so numbers compare one to one. They are
//! the (x, t_x, T) of Fader, Hardie & Lee (2005), "Counting Your Customers the
//! Easy Way", *Marketing Science* 24(2), and the z̄ of Fader & Hardie (2013),
//! "The Gamma-Gamma Model of Monetary Value".
//!
//! # Definitions
//!
//! Each timestamp is mapped to the index `p(ts)` of the period of the
//! [`TimeUnit`] that contains it (the period's start: hour, day, Monday of the
//! ISO week, first of the month; see [`crate::time`]); `m` is the multiplier.
//! For a customer whose purchases fall in the distinct periods
//! `p_0 < p_1 < … < p_k` (all ≤ the observation end `E`):
//!
//! ```text
//! frequency      x   = k                      (distinct purchase periods − 1)
//! recency        t_x = (p_k − p(ts_first)) / m = (p_k − p_0) / m
//! T                  = (p(E) − p_0) / m
//! monetary_value     = (1/k) Σ_{j=1..k} S_j   with S_j = Σ amounts in period p_j; 0 when k = 0
//! ```
//!
//! For `Month` the differences are whole calendar months. The first
//! period's amounts are excluded, and zero amounts are kept (they make a
//! period count). `Σ_j S_j` is the sum of the customer's other amounts,
//! added in input order: the same number as summing each period first, up
//! to the rounding of the additions, and it needs no per-period sums, so
//! that rows in any order are summarised with a set of (customer, period)
//! keys alone ([`Summarizer`]).
//!
//! # Observation window (as-of summaries)
//!
//! The observation end `E` defines the window, as in `lifetimes`
//! (`summary_data_from_transaction_data` maps every row and `E` to their
//! periods and keeps the rows whose period is ≤ `E`'s): a row is inside when
//! `p(ts) ≤ p(E)`, so the rows of `E`'s own period belong to the window even
//! when they come later that period (a weekly summary to Tuesday keeps that
//! week's Sunday). Rows outside are valid data, not errors: they are left
//! out and counted in [`Summary::after_observation_end`] (the CLI notes the
//! count on stderr, Python warns, JS returns it). This is how a back-test
//! summarises a log "as of" an earlier date.
//!
//! # Amounts: zero and negative
//!
//! A zero amount is a valid transaction (a $0 order): it counts for the
//! frequency and adds 0 to the spend. A negative amount (a return or
//! refund) is not a purchase, and netting it within its period would count
//! a return as a purchase period; so it is an [`Error::InvalidValue`] naming
//! the row, the customer and the date ([`invalid_amount`]), or, with
//! `skip_invalid`, a skipped row. Net returns against the purchases they
//! refund before summarising.
//!
//! # Calibration / holdout split
//!
//! With `calibration_end = C` and observation end `E` (`C ≤ E`): rows with
//! `ts ≤ C` (raw timestamps, not periods) form the calibration summary above
//! with `C` as its observation end; rows with `C < ts ≤ E` are the holdout
//! (raw timestamps too, as `lifetimes.utils.calibration_and_holdout_data`
//! selects them; rows with `ts > E` are left out and counted):
//!
//! ```text
//! frequency_holdout      = number of distinct periods with a holdout purchase   (NOT divided by m)
//! monetary_value_holdout = mean of the raw holdout amounts (not per-period sums)
//! duration_holdout       = (p(E) − p(C)) / m
//! ```
//!
//! both 0 for a customer without holdout purchases.
//!
//! # `lifetimes` quirks kept on purpose, and differences
//!
//! - `frequency_holdout` is not divided by the multiplier while
//!   `duration_holdout` is: with `7d`, a customer buying on 3 distinct holdout
//!   days has `frequency_holdout = 3`.
//! - `monetary_value_holdout` is the mean of raw transactions, whereas the
//!   calibration `monetary_value` is the mean of per-period sums.
//! - A period straddling `C` (e.g. a week from Monday to Sunday with `C` on
//!   Tuesday) can count both in the calibration and in the holdout.
//! - Only customers with a calibration purchase are output; customers first
//!   seen in the holdout are dropped, as in `lifetimes`, but they are counted
//!   in [`Summary::holdout_only_customers`].
//! - Difference: `lifetimes` silently drops rows after the observation end;
//!   here they are dropped the same way but counted
//!   ([`Summary::after_observation_end`]). `lifetimes` raises when the
//!   holdout is empty; here all holdout columns are then 0.
//!
//! Customers are sorted by the byte order of their id strings, as the sorted
//! pandas `groupby` of `lifetimes` does (`"10" < "9"`).
//!
//! # Example
//!
//! ```
//! use clv::summary::{summarize, SummaryOptions};
//! use clv::time::{parse_timestamp, TimeUnit};
//! let day = |s| parse_timestamp(s, None).unwrap();
//! let ids = ["a", "a", "a", "b"];
//! let ts = [day("1997-01-01"), day("1997-01-08"), day("1997-01-15"), day("1997-01-03")];
//! let amounts = [10.0, 20.0, 40.0, 5.0];
//! let options = SummaryOptions {
//!     unit: TimeUnit::parse("7d")?,
//!     observation_end: Some(day("1997-01-29")),
//!     ..SummaryOptions::default()
//! };
//! let s = summarize(&ids, &ts, Some(&amounts), &options)?;
//! assert_eq!(s.customer_id, ["a", "b"]);
//! assert_eq!(s.frequency, [2.0, 0.0]);
//! assert_eq!(s.recency, [2.0, 0.0]);            // 14 days / 7
//! assert_eq!(s.t, [4.0, 26.0 / 7.0]);           // 28 days / 7; 26 days / 7
//! assert_eq!(s.monetary_value.unwrap(), [30.0, 0.0]); // (20 + 40) / 2
//! # Ok::<(), clv::Error>(())
//! ```

use std::collections::HashMap;

use crate::error::{Error, Result, check};
use crate::time::{TimeUnit, format_timestamp};

mod intern;
mod stream;

pub(crate) use stream::Accumulator;
pub use stream::{RowOrder, Summarizer};

/// Options of [`summarize`] and [`summarize_coded`].
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryOptions {
    /// Period and multiplier of `frequency`, `recency` and `T`.
    pub unit: TimeUnit,
    /// End of the observation period (seconds since 1970-01-01, naive);
    /// `None` = the latest transaction, as in `lifetimes`.
    pub observation_end: Option<i64>,
    /// End of the calibration period; `Some` adds the holdout columns.
    pub calibration_end: Option<i64>,
    /// Skip (and list in [`Summary::skipped`]) rows with a bad amount
    /// (negative or not finite) instead of failing. Rows after the
    /// observation end are not invalid: they are always left out and counted
    /// in [`Summary::after_observation_end`].
    pub skip_invalid: bool,
}

impl Default for SummaryOptions {
    /// Days with multiplier 1, observation end = latest transaction, no
    /// holdout, invalid rows are errors.
    fn default() -> Self {
        SummaryOptions {
            unit: TimeUnit::default(),
            observation_end: None,
            calibration_end: None,
            skip_invalid: false,
        }
    }
}

/// Fixed ahash seeds: deterministic, and no runtime randomness needed (wasm).
fn hasher() -> ahash::RandomState {
    ahash::RandomState::with_seeds(
        0x243f_6a88_85a3_08d3,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
        0x082e_fa98_ec4e_6c89,
    )
}

/// Customer ids interned once: row `i` has the id `names[codes[i]]`.
///
/// Interning turns the per-row string into a `u32`, so that summarising does
/// no per-row allocation or string comparison. At most `u32::MAX` distinct
/// ids; a further new id gets the code `u32::MAX`, which
/// [`summarize_coded`] rejects.
#[derive(Debug, Clone, Default)]
pub struct CustomerIds {
    /// One code per row, an index into `names`.
    pub codes: Vec<u32>,
    /// The distinct ids, in order of first appearance.
    pub names: Vec<String>,
    lookup: Lookup,
}

/// Id → code. Ids of at most 16 bytes are keyed inline (bytes packed in
/// two `u64` plus the length), so that a lookup compares integers in the
/// table instead of following a pointer to each candidate string: interning
/// is memory-bound and this halves its cache misses on large logs. (Two
/// `u64` rather than a `u128`: 8-byte alignment makes an entry 32 bytes
/// instead of 48, which is most of the memory a streaming summary spends
/// per customer.)
#[derive(Debug, Clone)]
struct Lookup {
    short: HashMap<(u64, u64, u8), u32, ahash::RandomState>,
    long: HashMap<Box<str>, u32, ahash::RandomState>,
}

impl Default for Lookup {
    fn default() -> Self {
        Lookup {
            short: HashMap::with_hasher(hasher()),
            long: HashMap::with_hasher(hasher()),
        }
    }
}

fn short_key(id: &str) -> Option<(u128, u8)> {
    let bytes = id.as_bytes();
    (bytes.len() <= 16).then(|| {
        let mut buf = [0u8; 16];
        buf[..bytes.len()].copy_from_slice(bytes);
        (u128::from_le_bytes(buf), bytes.len() as u8)
    })
}

/// [`short_key`] as the [`Lookup`] table stores it.
fn table_key((key, len): (u128, u8)) -> (u64, u64, u8) {
    (key as u64, (key >> 64) as u64, len)
}

impl Lookup {
    fn get(&self, id: &str) -> Option<u32> {
        match short_key(id) {
            Some(key) => self.short.get(&table_key(key)).copied(),
            None => self.long.get(id).copied(),
        }
    }

    /// Inserts `id` unless present (the first code wins).
    fn insert(&mut self, id: &str, code: u32) {
        match short_key(id) {
            Some(key) => {
                self.short.entry(table_key(key)).or_insert(code);
            }
            None => {
                self.long.entry(id.into()).or_insert(code);
            }
        }
    }
}

impl PartialEq for CustomerIds {
    fn eq(&self, other: &Self) -> bool {
        self.codes == other.codes && self.names == other.names
    }
}

impl CustomerIds {
    /// An empty set of rows.
    pub fn new() -> Self {
        CustomerIds {
            codes: Vec::new(),
            names: Vec::new(),
            lookup: Lookup::default(),
        }
    }

    /// From codes and names built elsewhere (e.g. a pandas categorical). The
    /// codes are checked by [`summarize_coded`]; duplicate names denote the
    /// same customer.
    pub fn from_parts(codes: Vec<u32>, names: Vec<String>) -> Self {
        let mut lookup = Lookup::default();
        lookup.short.reserve(names.len());
        for (code, name) in names.iter().enumerate() {
            let code = u32::try_from(code).unwrap_or(u32::MAX);
            lookup.insert(name, code);
        }
        CustomerIds {
            codes,
            names,
            lookup,
        }
    }

    /// Interns one id per row.
    ///
    /// ```
    /// use clv::summary::CustomerIds;
    /// let ids = CustomerIds::intern(&["b", "a", "b"]);
    /// assert_eq!(ids.codes, [0, 1, 0]);
    /// assert_eq!(ids.names, ["b", "a"]);
    /// ```
    pub fn intern<S: AsRef<str>>(ids: &[S]) -> Self {
        let mut out = CustomerIds::new();
        out.codes.reserve(ids.len());
        for id in ids {
            out.push(id.as_ref());
        }
        out
    }

    /// Number of rows (not of distinct ids; that is `names.len()`).
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// `true` when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Appends one row with id `id` (amortised O(1): one hash lookup; the
    /// string is copied only the first time it is seen).
    pub fn push(&mut self, id: &str) {
        let code = self.code_of(id);
        self.codes.push(code);
    }

    /// Forgets every row and id (keeps the allocations).
    pub(crate) fn clear(&mut self) {
        self.codes.clear();
        self.names.clear();
        self.lookup.short.clear();
        self.lookup.long.clear();
    }

    /// The code of `id`, adding it to `names` if it is new; adds no row.
    /// `u32::MAX` once `u32::MAX` distinct ids are stored.
    pub(crate) fn code_of(&mut self, id: &str) -> u32 {
        match self.lookup.get(id) {
            Some(code) => code,
            None => match u32::try_from(self.names.len()) {
                Ok(code) if code < u32::MAX => {
                    self.names.push(id.to_string());
                    self.lookup.insert(id, code);
                    code
                }
                _ => u32::MAX,
            },
        }
    }
}

/// Interns many rows at once, giving exactly [`CustomerIds::intern`]'s codes
/// and names (first-appearance order), on all threads and with small hash
/// tables: rows are bucketed by a hash of the id into 256 partitions, each
/// partition is interned on its own (a table of a few thousand ids stays in
/// cache, where one table of a million ids misses on almost every row), and
/// the partitions' names are then ordered by the row where each first
/// appears.
#[cfg(feature = "parallel")]
pub(crate) fn intern_partitioned(ids: &[&str]) -> CustomerIds {
    use rayon::prelude::*;
    const BITS: u32 = 8;
    let n = ids.len();
    if n >= u32::MAX as usize || n < 1 << 16 {
        return CustomerIds::intern(ids);
    }
    // Seeds differ from `hasher()`'s, so that the partition bits and the
    // bits the tables inside a partition use are independent.
    let split = ahash::RandomState::with_seeds(
        0x4528_21e6_38d0_1377,
        0xbe54_66cf_34e9_0c6c,
        0xc0ac_29b7_c97c_50dd,
        0x3f84_d5b5_b547_0917,
    );
    // Each row's id as an inline key (LONG for ids over 16 bytes), so that
    // interning a partition reads its rows' keys in sequence instead of
    // chasing each row's text through the input.
    const LONG: u8 = u8::MAX;
    let inline = |id: &str| short_key(id).unwrap_or((0, LONG));
    let part: Vec<u8> = ids
        .par_iter()
        .map(|id| {
            let (key, len) = inline(id);
            let hash = if len == LONG {
                split.hash_one(id)
            } else {
                split.hash_one((key, len))
            };
            (hash >> (64 - BITS)) as u8
        })
        .collect();
    let mut start = vec![0usize; (1 << BITS) + 1];
    for &p in &part {
        start[p as usize + 1] += 1;
    }
    for k in 1..start.len() {
        start[k] += start[k - 1];
    }
    let mut next = start.clone();
    let mut rows: Vec<(u128, u32, u8)> = vec![(0, 0, 0); n];
    for (i, (&p, id)) in part.iter().zip(ids).enumerate() {
        let (key, len) = inline(id);
        rows[next[p as usize]] = (key, i as u32, len);
        next[p as usize] += 1;
    }
    drop(part);
    // Per partition: local code of each of its rows, first row of each name.
    let local: Vec<(Vec<u32>, Vec<u32>)> = (0..1usize << BITS)
        .into_par_iter()
        .map(|p| {
            let rows = &rows[start[p]..start[p + 1]];
            let mut short: HashMap<(u128, u8), u32, ahash::RandomState> =
                HashMap::with_hasher(hasher());
            let mut long: HashMap<&str, u32, ahash::RandomState> = HashMap::with_hasher(hasher());
            let mut first = Vec::new();
            let mut new_code = |r: u32| {
                first.push(r);
                (first.len() - 1) as u32
            };
            let codes = rows
                .iter()
                .map(|&(key, r, len)| {
                    if len == LONG {
                        *long.entry(ids[r as usize]).or_insert_with(|| new_code(r))
                    } else {
                        *short.entry((key, len)).or_insert_with(|| new_code(r))
                    }
                })
                .collect();
            (codes, first)
        })
        .collect();
    let mut order: Vec<(u32, u32, u32)> = local
        .iter()
        .enumerate()
        .flat_map(|(p, (_, first))| {
            first
                .iter()
                .enumerate()
                .map(move |(k, &r)| (r, p as u32, k as u32))
        })
        .collect();
    order.par_sort_unstable_by_key(|&(r, _, _)| r);
    let mut remap: Vec<Vec<u32>> = local.iter().map(|(_, f)| vec![0; f.len()]).collect();
    let mut names = Vec::with_capacity(order.len());
    for (code, &(r, p, k)) in order.iter().enumerate() {
        remap[p as usize][k as usize] = code as u32;
        names.push(ids[r as usize].to_string());
    }
    let mut codes = vec![0u32; n];
    for (p, (local_codes, _)) in local.iter().enumerate() {
        let map = &remap[p];
        for (&(_, r, _), &c) in rows[start[p]..start[p + 1]].iter().zip(local_codes) {
            codes[r as usize] = map[c as usize];
        }
    }
    CustomerIds::from_parts(codes, names)
}

/// A row that [`summarize`] skipped because `skip_invalid` was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRow {
    /// 0-based index of the input row.
    pub index: usize,
    /// Why it was skipped.
    pub reason: String,
}

/// Holdout columns of a calibration/holdout summary (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Holdout {
    /// Distinct holdout periods with a purchase (not divided by the multiplier).
    pub frequency: Vec<f64>,
    /// Mean raw holdout transaction amount (0 without holdout purchase);
    /// `Some` iff amounts were given.
    pub monetary_value: Option<Vec<f64>>,
    /// `(p(observation_end) − p(calibration_end)) / multiplier`.
    pub duration: f64,
}

/// One row per customer, sorted by customer id (byte order).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Customer ids, byte-sorted.
    pub customer_id: Vec<String>,
    /// Repeat purchase periods `x`.
    pub frequency: Vec<f64>,
    /// `t_x`: last minus first purchase period, in units.
    pub recency: Vec<f64>,
    /// `T`: observation (or calibration) end period minus first purchase period, in units.
    pub t: Vec<f64>,
    /// Mean per-period spend over the repeat periods; `Some` iff amounts were given.
    pub monetary_value: Option<Vec<f64>>,
    /// Holdout columns; `Some` iff a calibration end was given.
    pub holdout: Option<Holdout>,
    /// The time unit used.
    pub unit: TimeUnit,
    /// The observation end used (given, or the latest transaction).
    pub observation_end: i64,
    /// The calibration end, if any (then it is the end of `T`).
    pub calibration_end: Option<i64>,
    /// Input rows used (calibration plus holdout).
    pub n_transactions: usize,
    /// Rows skipped because `skip_invalid` was set (empty otherwise), by index.
    pub skipped: Vec<SkippedRow>,
    /// Customers whose first purchase is in the holdout (not in the output).
    pub holdout_only_customers: usize,
    /// Rows outside the observation window (after the observation end's
    /// period; with a calibration end, after the observation end itself):
    /// left out, as in `lifetimes` (module docs, "Observation window").
    pub after_observation_end: usize,
}

impl Summary {
    /// Number of customers.
    pub fn len(&self) -> usize {
        self.customer_id.len()
    }

    /// `true` when there is no customer.
    pub fn is_empty(&self) -> bool {
        self.customer_id.is_empty()
    }

    /// Writes the summary as CSV with the header
    /// `customer_id,frequency,recency,T[,monetary_value][,frequency_holdout[,monetary_value_holdout],duration_holdout]`;
    /// numbers in shortest round-trip form (`2`, `30.428571428571427`).
    ///
    /// # Errors
    /// [`Error::Io`] (path `<output>`) when writing fails.
    pub fn write_csv<W: std::io::Write>(&self, w: W) -> Result<()> {
        let layout = Layout {
            amounts: self.monetary_value.is_some(),
            holdout: self.holdout.is_some(),
        };
        write_csv_rows(w, &layout.header(), self.len(), |i, id, values| {
            id.extend_from_slice(self.customer_id[i].as_bytes());
            values.extend([self.frequency[i], self.recency[i], self.t[i]]);
            if let Some(m) = &self.monetary_value {
                values.push(m[i]);
            }
            if let Some(h) = &self.holdout {
                values.push(h.frequency[i]);
                if let Some(m) = &h.monetary_value {
                    values.push(m[i]);
                }
                values.push(h.duration);
            }
        })
    }

    /// What the summary says beside its columns.
    pub fn info(&self) -> SummaryInfo {
        SummaryInfo {
            unit: self.unit,
            observation_end: self.observation_end,
            calibration_end: self.calibration_end,
            n_customers: self.len(),
            n_transactions: self.n_transactions,
            skipped: self.skipped.clone(),
            holdout_only_customers: self.holdout_only_customers,
            after_observation_end: self.after_observation_end,
        }
    }

    /// The summary as JSON:
    /// `{"columns": {"customer_id": [...], "frequency": [...], ...}, "unit": "7d",
    /// "observation_end": "1997-09-30", "calibration_end": null, "n_customers": ..,
    /// "n_transactions": .., "holdout_only_customers": .., "after_observation_end": ..,
    /// "skipped": [{"index", "reason"}]}`.
    /// Column names are those of [`Summary::write_csv`].
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{Value, json};
        let mut columns = serde_json::Map::new();
        columns.insert("customer_id".into(), json!(self.customer_id));
        columns.insert("frequency".into(), json!(self.frequency));
        columns.insert("recency".into(), json!(self.recency));
        columns.insert("T".into(), json!(self.t));
        if let Some(m) = &self.monetary_value {
            columns.insert("monetary_value".into(), json!(m));
        }
        if let Some(h) = &self.holdout {
            columns.insert("frequency_holdout".into(), json!(h.frequency));
            if let Some(m) = &h.monetary_value {
                columns.insert("monetary_value_holdout".into(), json!(m));
            }
            columns.insert(
                "duration_holdout".into(),
                json!(vec![h.duration; self.len()]),
            );
        }
        let skipped: Vec<Value> = self
            .skipped
            .iter()
            .map(|s| json!({"index": s.index, "reason": s.reason}))
            .collect();
        json!({
            "columns": columns,
            "unit": self.unit.to_string(),
            "observation_end": format_timestamp(self.observation_end),
            "calibration_end": self.calibration_end.map(format_timestamp),
            "n_customers": self.len(),
            "n_transactions": self.n_transactions,
            "holdout_only_customers": self.holdout_only_customers,
            "after_observation_end": self.after_observation_end,
            "skipped": skipped,
        })
    }
}

/// What a [`Summary`] says beside its columns (the same fields): returned
/// by the writers that stream the rows out without building the columns
/// ([`crate::io::summarize_reader_csv`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryInfo {
    /// The time unit used.
    pub unit: TimeUnit,
    /// The observation end used (given, or the latest transaction).
    pub observation_end: i64,
    /// The calibration end, if any (then it is the end of `T`).
    pub calibration_end: Option<i64>,
    /// Number of customers (rows of the summary).
    pub n_customers: usize,
    /// Input rows used (calibration plus holdout).
    pub n_transactions: usize,
    /// Rows skipped because `skip_invalid` was set (empty otherwise), by index.
    pub skipped: Vec<SkippedRow>,
    /// Customers whose first purchase is in the holdout (not in the output).
    pub holdout_only_customers: usize,
    /// Rows outside the observation window (module docs, "Observation window").
    pub after_observation_end: usize,
}

/// The optional columns of a summary ([`Summary::write_csv`]): the
/// monetary value (and, with a holdout, the holdout's) when there are
/// amounts, the holdout columns when there is a calibration end.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    pub(crate) amounts: bool,
    pub(crate) holdout: bool,
}

impl Layout {
    /// The header of a summary CSV with these columns.
    pub(crate) fn header(self) -> Vec<&'static str> {
        let mut header = vec!["customer_id", "frequency", "recency", "T"];
        if self.amounts {
            header.push("monetary_value");
        }
        if self.holdout {
            header.push("frequency_holdout");
            if self.amounts {
                header.push("monetary_value_holdout");
            }
            header.push("duration_holdout");
        }
        header
    }
}

/// Writes a CSV of `n` rows of an id and numbers ([`Summary::write_csv`]):
/// the `header`, then row `i` as `row(i, id, values)` gives it (its
/// id's bytes appended to `id`, its numbers, in header order, to
/// `values`; both empty at the call). The one CSV writer of
/// [`Summary::write_csv`], of the streaming writer
/// ([`crate::io::summarize_reader_csv`]) and of
/// [`crate::io::write_csv_columns`]: rows are formatted a block at a
/// time (blocks in parallel with the `parallel` feature) and written in
/// order, the same bytes as one `csv` writer row by row; a whole number
/// prints as the integer it is (what `{x}` prints, faster).
///
/// # Errors
/// [`Error::Io`] (path `<output>`) when writing fails.
pub(crate) fn write_csv_rows<W: std::io::Write>(
    mut w: W,
    header: &[&str],
    n: usize,
    row: impl Fn(usize, &mut Vec<u8>, &mut Vec<f64>) + Sync,
) -> Result<()> {
    let io_err = |e: std::io::Error| Error::Io {
        path: "<output>".to_string(),
        message: e.to_string(),
    };
    w.write_all(&csv_bytes(|out| out.write_record(header))?)
        .map_err(io_err)?;
    const BLOCK: usize = 1 << 14;
    let block = |&start: &usize| -> Result<Vec<u8>> {
        use std::fmt::Write as _;
        let (mut id, mut values, mut buf) = (Vec::new(), Vec::new(), String::new());
        csv_bytes(|out| {
            for i in start..(start + BLOCK).min(n) {
                id.clear();
                values.clear();
                row(i, &mut id, &mut values);
                out.write_field(&id)?;
                for &x in &values {
                    buf.clear();
                    // Writing to a String cannot fail.
                    let _ = if x.fract() == 0.0 && x.abs() < 1e15 && x.is_sign_positive() {
                        write!(buf, "{}", x as i64)
                    } else {
                        write!(buf, "{x}")
                    };
                    out.write_field(buf.as_bytes())?;
                }
                out.write_record(std::iter::empty::<&[u8]>())?;
            }
            Ok(())
        })
    };
    let starts: Vec<usize> = (0..n).step_by(BLOCK).collect();
    for group in starts.chunks(16) {
        #[cfg(feature = "parallel")]
        let blocks: Vec<Result<Vec<u8>>> = {
            use rayon::prelude::*;
            group.par_iter().map(block).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let blocks: Vec<Result<Vec<u8>>> = group.iter().map(block).collect();
        for b in blocks {
            w.write_all(&b?).map_err(io_err)?;
        }
    }
    w.flush().map_err(io_err)
}

/// Summarises a transaction log given as one customer id, timestamp and
/// (optionally) amount per row. Interns the ids, then calls
/// [`summarize_coded`]; see the module documentation for the definitions.
///
/// # Errors
/// As [`summarize_coded`].
///
/// # Example
/// Weekly, with a calibration/holdout split (2024-01-01 is a Monday):
/// ```
/// use clv::summary::{summarize, SummaryOptions};
/// use clv::time::{parse_timestamp, TimeUnit};
///
/// let day = |d| parse_timestamp(d, None);
/// let ids = ["a", "a", "a", "b", "a"];
/// let ts = [day("2024-01-01")?, day("2024-01-03")?, day("2024-01-09")?, day("2024-01-02")?, day("2024-02-05")?];
/// let options = SummaryOptions {
///     unit: TimeUnit::parse("W")?,
///     calibration_end: Some(day("2024-01-31")?),
///     observation_end: Some(day("2024-02-29")?),
///     ..SummaryOptions::default()
/// };
/// let s = summarize(&ids, &ts, Some(&[10.0, 5.0, 20.0, 8.0, 7.0]), &options)?;
/// assert_eq!(s.customer_id, ["a", "b"]);
/// // a: weeks of 01-01 (10 + 5) and 01-08 (20) in calibration: one repeat week,
/// // recency 1, T = week of 01-29 − week of 01-01 = 4, mean repeat spend 20
/// assert_eq!((s.frequency[0], s.recency[0], s.t[0]), (1.0, 1.0, 4.0));
/// assert_eq!(s.monetary_value.as_ref().unwrap()[0], 20.0);
/// // b bought once: frequency 0
/// assert_eq!((s.frequency[1], s.recency[1], s.t[1]), (0.0, 0.0, 4.0));
/// let h = s.holdout.as_ref().unwrap();
/// assert_eq!(h.frequency, [1.0, 0.0]); // a bought in the week of 02-05
/// assert_eq!(h.duration, 4.0); // week of 02-26 − week of 01-29
/// assert_eq!(s.unit.words(), "weeks");
/// # Ok::<(), clv::Error>(())
/// ```
pub fn summarize<S: AsRef<str>>(
    customer_ids: &[S],
    timestamps: &[i64],
    amounts: Option<&[f64]>,
    options: &SummaryOptions,
) -> Result<Summary> {
    let ids = CustomerIds::intern(customer_ids);
    summarize_coded(&ids, timestamps, amounts, options)
}

/// A customer's calibration spend, folded row by row in input order: its
/// first period so far, the sum of that period's amounts, and the sum of
/// all its other amounts (`rest`, the numerator of `monetary_value`).
///
/// A row of the first period adds to `first_sum`, a later one to `rest`;
/// a row earlier than the first period (rows in any order) makes its
/// period the first, and the old first period's sum moves to `rest`. Rows
/// in date order never move a sum, and `rest` is then their amounts added
/// one by one in input order. [`summarize`] and the streaming
/// [`Summarizer`] (in either [`RowOrder`]) fold each customer's rows in
/// input order through this one type, so their sums agree to the last bit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FirstAndRest<P> {
    pub(crate) first: P,
    pub(crate) first_sum: f64,
    pub(crate) rest: f64,
}

impl<P: Ord + Copy> FirstAndRest<P> {
    /// A customer's first row: period `p`, `amount` (a sum started at 0,
    /// so that −0.0 counts as 0.0 in either place).
    pub(crate) fn new(p: P, amount: f64) -> Self {
        FirstAndRest {
            first: p,
            first_sum: 0.0 + amount,
            rest: 0.0,
        }
    }

    /// Folds the customer's next row (type docs).
    pub(crate) fn add(&mut self, p: P, amount: f64) {
        match p.cmp(&self.first) {
            std::cmp::Ordering::Equal => self.first_sum += amount,
            std::cmp::Ordering::Greater => self.rest += amount,
            std::cmp::Ordering::Less => {
                self.rest += self.first_sum;
                self.first = p;
                self.first_sum = 0.0 + amount;
            }
        }
    }
}

/// One input row after validation: the customer's rank in byte-sorted id
/// order, the period relative to a base period, and the amount.
///
/// Both sorts are stable: `sort` (by customer, then period) keeps the rows
/// of one (customer, period) in input order, so that the holdout's period
/// sums add their amounts in input order; `sort_by_customer` keeps each
/// customer's rows in input order, for [`FirstAndRest`]. Both as the
/// streaming [`Summarizer`] adds them: floating-point sums then agree to
/// the last bit.
trait RowLike: Copy + Send {
    fn new(rank: u32, offset: i64, amount: f64) -> Self;
    fn rank(&self) -> u32;
    fn offset(&self) -> i64;
    fn amount(&self) -> f64;
    fn sort(rows: &mut [Self]);
    fn sort_by_customer(rows: &mut [Self]) {
        stable_sort_by_key(rows, Self::rank);
    }
}

/// Stable sort of `rows` by `key`, on all threads with the `parallel`
/// feature.
fn stable_sort_by_key<R: Send, K: Ord>(rows: &mut [R], key: impl Fn(&R) -> K + Sync) {
    #[cfg(feature = "parallel")]
    {
        use rayon::slice::ParallelSliceMut;
        rows.par_sort_by_key(key);
    }
    #[cfg(not(feature = "parallel"))]
    rows.sort_by_key(key);
}

/// Rank and period offset packed in one `u64` sort key (16-byte rows, one
/// integer comparison): used when every period offset fits in 32 bits, i.e.
/// the data spans fewer than 2³² periods (490,000 years of hours).
#[derive(Clone, Copy)]
struct Packed {
    key: u64,
    amount: f64,
}

impl RowLike for Packed {
    fn new(rank: u32, offset: i64, amount: f64) -> Self {
        Packed {
            key: (u64::from(rank) << 32) | (offset as u64 & 0xffff_ffff),
            amount,
        }
    }
    fn rank(&self) -> u32 {
        (self.key >> 32) as u32
    }
    fn offset(&self) -> i64 {
        (self.key & 0xffff_ffff) as i64
    }
    fn amount(&self) -> f64 {
        self.amount
    }
    fn sort(rows: &mut [Self]) {
        stable_sort_by_key(rows, |r| r.key);
    }
}

/// Fallback for absurd spans of timestamps.
#[derive(Clone, Copy)]
struct Wide {
    rank: u32,
    offset: i64,
    amount: f64,
}

impl RowLike for Wide {
    fn new(rank: u32, offset: i64, amount: f64) -> Self {
        Wide {
            rank,
            offset,
            amount,
        }
    }
    fn rank(&self) -> u32 {
        self.rank
    }
    fn offset(&self) -> i64 {
        self.offset
    }
    fn amount(&self) -> f64 {
        self.amount
    }
    fn sort(rows: &mut [Self]) {
        stable_sort_by_key(rows, |r| (r.rank, r.offset));
    }
}

/// The bytes a `csv` writer (default settings) writes in `write`.
fn csv_bytes(write: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>) -> Result<Vec<u8>> {
    let err = |message: String| Error::Io {
        path: "<output>".to_string(),
        message,
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    write(&mut out).map_err(|e| err(e.to_string()))?;
    out.into_inner().map_err(|e| err(e.to_string()))
}

/// The first 16 bytes of `id` as two big-endian words, zero-padded: the
/// words sort as the ids do (byte order), up to ids that agree in them.
pub(crate) fn sort_prefix(id: &[u8]) -> (u64, u64) {
    let mut buf = [0u8; 16];
    let n = id.len().min(16);
    buf[..n].copy_from_slice(&id[..n]);
    let word = |w: &[u8]| u64::from_be_bytes(w.try_into().unwrap_or_default());
    (word(&buf[..8]), word(&buf[8..]))
}

/// `rank_of_code[code]` = position of `names[code]` among the byte-sorted
/// distinct names (equal names share a rank); `code_of_rank[rank]` = one code
/// with that name.
pub(crate) fn rank_names(names: &[String]) -> (Vec<u32>, Vec<u32>) {
    // Callers guarantee names.len() < u32::MAX.
    // Sorted by the first 16 bytes as a big-endian integer (zero-padded),
    // then by the whole text where those agree: the byte order of the
    // names, without following a pointer to each name at every comparison
    // (most ids differ in their first 16 bytes).
    let mut order: Vec<(u64, u64, u32)> = names
        .iter()
        .enumerate()
        .map(|(code, name)| {
            let (w0, w1) = sort_prefix(name.as_bytes());
            (w0, w1, code as u32)
        })
        .collect();
    let by_name = |a: &(u64, u64, u32), b: &(u64, u64, u32)| {
        (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| {
            names[a.2 as usize]
                .as_bytes()
                .cmp(names[b.2 as usize].as_bytes())
        })
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::slice::ParallelSliceMut;
        order.par_sort_unstable_by(by_name);
    }
    #[cfg(not(feature = "parallel"))]
    order.sort_unstable_by(by_name);
    let mut rank_of_code = vec![0u32; names.len()];
    let mut code_of_rank = Vec::with_capacity(names.len());
    for (pos, &(w0, w1, code)) in order.iter().enumerate() {
        let same = pos > 0
            && (order[pos - 1].0, order[pos - 1].1) == (w0, w1)
            && names[order[pos - 1].2 as usize] == names[code as usize];
        if !same {
            code_of_rank.push(code);
        }
        rank_of_code[code as usize] = (code_of_rank.len() - 1) as u32;
    }
    (rank_of_code, code_of_rank)
}

pub(crate) fn valid_amount(a: f64) -> bool {
    a.is_finite() && a >= 0.0
}

/// The error for row `index` whose `amount` is negative or not finite,
/// naming the customer and the date (module docs, "Amounts"). Bindings that
/// summarise by customer code use it to name the customer by their own id.
///
/// ```
/// use clv::summary::invalid_amount;
/// let e = invalid_amount(7, -12.5, "00042", 857_520_000);
/// assert_eq!(e.field(), Some("amount"));
/// assert!(e.to_string().starts_with(
///     "invalid amount[7]: -12.5 for customer \"00042\" on 1997-03-05 (expected a finite number >= 0"));
/// ```
pub fn invalid_amount(index: usize, amount: f64, customer: &str, timestamp: i64) -> Error {
    Error::invalid_at(
        "amount",
        index,
        format!(
            "{amount} for customer {customer:?} on {}",
            format_timestamp(timestamp)
        ),
        "a finite number >= 0; a negative amount (a return) is not a purchase: net it \
         against the purchase it refunds, or skip such rows (skip_invalid)",
    )
}

/// Validated inputs shared by the row-building pass.
struct Plan<'a> {
    ids: &'a CustomerIds,
    timestamps: &'a [i64],
    amounts: Option<&'a [f64]>,
    unit: TimeUnit,
    observation_end: i64,
    /// Period index of the observation end.
    top: i64,
    /// Rows with `ts <= split` are calibration rows.
    split: i64,
    /// A calibration end was given: the window ends at the observation end
    /// itself, not at its period.
    holdout: bool,
    /// Period offsets are relative to this period.
    base: i64,
    skip: bool,
    rank_of_code: Vec<u32>,
}

/// Calibration columns, one entry per customer, ranks ascending.
struct Calibration {
    ranks: Vec<u32>,
    frequency: Vec<f64>,
    recency: Vec<f64>,
    t: Vec<f64>,
    monetary: Vec<f64>,
}

struct Grouped {
    cal: Calibration,
    holdout_frequency: Vec<f64>,
    holdout_monetary: Vec<f64>,
    holdout_only: usize,
    n_transactions: usize,
    skipped: Vec<SkippedRow>,
    after_observation_end: usize,
}

/// Rows of one validation pass: calibration, holdout, skipped, and the
/// number outside the window.
type Split<R> = (Vec<R>, Vec<R>, Vec<SkippedRow>, usize);

impl Plan<'_> {
    fn amount(&self, i: usize) -> f64 {
        self.amounts.map_or(0.0, |a| a[i])
    }

    /// Whether a row at `ts` (in period `period`) is inside the observation
    /// window (module docs).
    fn inside(&self, ts: i64, period: i64) -> bool {
        if self.holdout {
            ts <= self.observation_end
        } else {
            period <= self.top
        }
    }

    /// The one validation pass: rows split into calibration and holdout;
    /// rows outside the window are counted.
    fn rows<R: RowLike>(&self) -> Result<Split<R>> {
        let n = self.timestamps.len();
        let mut skipped = Vec::new();
        let mut after = 0;
        let mut cal: Vec<R> = Vec::with_capacity(n);
        let mut hold: Vec<R> = Vec::new();
        for i in 0..n {
            let ts = self.timestamps[i];
            let period = self.unit.period_index(ts);
            if !self.inside(ts, period) {
                after += 1;
                continue;
            }
            let amount = self.amount(i);
            if !valid_amount(amount) {
                let customer = &self.ids.names[self.ids.codes[i] as usize];
                if self.skip {
                    skipped.push(SkippedRow {
                        index: i,
                        reason: format!(
                            "amount {amount} for customer {customer:?} on {} is not a finite number >= 0",
                            format_timestamp(ts)
                        ),
                    });
                    continue;
                }
                return Err(invalid_amount(i, amount, customer, ts));
            }
            let row = R::new(
                self.rank_of_code[self.ids.codes[i] as usize],
                period - self.base,
                amount,
            );
            if !self.holdout || ts <= self.split {
                cal.push(row);
            } else {
                hold.push(row);
            }
        }
        Ok((cal, hold, skipped, after))
    }

    fn group<R: RowLike>(&self) -> Result<Grouped> {
        let (mut cal, mut hold, skipped, after_observation_end) = self.rows::<R>()?;
        if cal.is_empty() {
            if hold.is_empty() {
                let n = self.timestamps.len();
                return Err(if after_observation_end == n {
                    Error::Empty {
                        field: "transactions".into(),
                        reason: format!(
                            "all {n} rows are after the observation end {}",
                            format_timestamp(self.observation_end)
                        ),
                    }
                } else {
                    all_skipped(n)
                });
            }
            let first = (0..self.timestamps.len())
                .filter(|&i| valid_amount(self.amount(i)))
                .map(|i| self.timestamps[i])
                .filter(|&ts| ts <= self.observation_end)
                .min()
                .unwrap_or(self.split);
            return Err(Error::invalid(
                "calibration_end",
                format_timestamp(self.split),
                format!(">= the first purchase {}", format_timestamp(first)),
            ));
        }
        let n_transactions = cal.len() + hold.len();
        R::sort_by_customer(&mut cal);
        let end = self.unit.period_index(self.split) - self.base;
        let cal = group_calibration(&cal, end, self.unit.multiplier);
        R::sort(&mut hold);
        let (holdout_frequency, holdout_monetary, holdout_only) = group_holdout(&hold, &cal.ranks);
        // Finite amounts can still add up past f64::MAX (two of 1e308): an
        // error naming the customer, not a silent inf (issue 17 #9).
        for (field, values) in [
            ("monetary_value", &cal.monetary),
            ("monetary_value_holdout", &holdout_monetary),
        ] {
            if let Some(k) = values.iter().position(|v| !v.is_finite()) {
                let rank = cal.ranks[k];
                let code = self
                    .rank_of_code
                    .iter()
                    .position(|&r| r == rank)
                    .unwrap_or(0);
                let customer = self.ids.names.get(code).map_or("", String::as_str);
                return Err(Error::invalid(
                    field,
                    format!("customer {customer:?}"),
                    "amounts whose sum is a finite number (the sum overflows)",
                ));
            }
        }
        Ok(Grouped {
            cal,
            holdout_frequency,
            holdout_monetary,
            holdout_only,
            n_transactions,
            skipped,
            after_observation_end,
        })
    }
}

/// One pass over calibration rows sorted by rank, each customer's rows in
/// input order: the spend folded by [`FirstAndRest`], the distinct periods
/// counted from the customer's periods sorted.
fn group_calibration<R: RowLike>(rows: &[R], end: i64, m: f64) -> Calibration {
    let mut out = Calibration {
        ranks: Vec::new(),
        frequency: Vec::new(),
        recency: Vec::new(),
        t: Vec::new(),
        monetary: Vec::new(),
    };
    let mut periods = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let rank = rows[i].rank();
        let mut spend = FirstAndRest::new(rows[i].offset(), rows[i].amount());
        periods.clear();
        periods.push(rows[i].offset());
        let mut j = i + 1;
        while j < rows.len() && rows[j].rank() == rank {
            spend.add(rows[j].offset(), rows[j].amount());
            periods.push(rows[j].offset());
            j += 1;
        }
        periods.sort_unstable();
        periods.dedup();
        let (first, last) = (periods[0], periods[periods.len() - 1]);
        let repeats = periods.len() - 1;
        out.ranks.push(rank);
        out.frequency.push(repeats as f64);
        out.recency.push((last - first) as f64 / m);
        out.t.push((end - first) as f64 / m);
        out.monetary.push(if repeats > 0 {
            spend.rest / repeats as f64
        } else {
            0.0
        });
        i = j;
    }
    out
}

/// One pass over holdout rows sorted by (rank, period), merged with the
/// calibration customers `ranks` (ascending). Returns distinct holdout
/// periods, mean raw holdout amount (per calibration customer) and the
/// number of holdout-only customers.
fn group_holdout<R: RowLike>(rows: &[R], ranks: &[u32]) -> (Vec<f64>, Vec<f64>, usize) {
    let mut frequency = vec![0.0; ranks.len()];
    let mut monetary = vec![0.0; ranks.len()];
    let mut holdout_only = 0;
    let mut k = 0; // position in `ranks`
    let mut i = 0;
    while i < rows.len() {
        let rank = rows[i].rank();
        let (mut periods, mut count, mut sum) = (0u64, 0u64, 0.0);
        while i < rows.len() && rows[i].rank() == rank {
            // Summed by period first, then the period sums in period order:
            // the order the streaming `Summarizer` can reproduce.
            let period = rows[i].offset();
            let mut period_sum = 0.0;
            while i < rows.len() && rows[i].rank() == rank && rows[i].offset() == period {
                period_sum += rows[i].amount();
                count += 1;
                i += 1;
            }
            sum += period_sum;
            periods += 1;
        }
        while k < ranks.len() && ranks[k] < rank {
            k += 1;
        }
        if k < ranks.len() && ranks[k] == rank {
            frequency[k] = periods as f64;
            monetary[k] = sum / count as f64;
        } else {
            holdout_only += 1;
        }
    }
    (frequency, monetary, holdout_only)
}

/// Summarises a transaction log whose customer ids are already interned.
/// This is the fast path: one validation pass, one sort of
/// `(customer rank, period, amount)` rows (parallel with the `parallel`
/// feature), one grouping pass.
///
/// # Errors
/// - [`Error::Empty`] (`transactions`) without rows, or when every row was skipped;
/// - [`Error::LengthMismatch`] when `timestamps` or `amounts` do not have one
///   element per id;
/// - [`Error::InvalidValue`]: `customer_id[i]` code out of range; `amount[i]`
///   negative or not finite, naming the customer and date ([`invalid_amount`];
///   skipped and reported instead when `skip_invalid` is set);
///   `calibration_end` after the observation end or before every purchase.
///
/// Rows after the observation end are not errors: they are left out and
/// counted ([`Summary::after_observation_end`]; module docs).
pub fn summarize_coded(
    ids: &CustomerIds,
    timestamps: &[i64],
    amounts: Option<&[f64]>,
    options: &SummaryOptions,
) -> Result<Summary> {
    summarize_ranked(ids, timestamps, amounts, options, rank_names).map(|(s, _)| s)
}

/// [`summarize_coded`] for customers given as codes `0..n_customers` that are
/// already in the wanted output order (e.g. the sorted codes of pandas'
/// `factorize`, where customer `9` comes before customer `10`), instead of the
/// byte order of id strings. Rows come out in code order; the second vector
/// gives each output row's code (and [`Summary::customer_id`] holds the codes
/// as text). Codes without a calibration purchase have no row.
///
/// # Errors
/// Those of [`summarize_coded`].
///
/// # Example
/// ```
/// use clv::summary::{summarize_in_code_order, SummaryOptions};
/// use clv::time::{parse_timestamp, TimeUnit};
/// let day = |s| parse_timestamp(s, None).unwrap();
/// // code 0 is customer 9, code 1 customer 10: by byte order "10" would come first
/// let codes = [1, 0, 1];
/// let ts = [day("1997-01-01"), day("1997-01-02"), day("1997-01-08")];
/// let options = SummaryOptions {
///     unit: TimeUnit::parse("D")?,
///     observation_end: Some(day("1997-01-10")),
///     ..SummaryOptions::default()
/// };
/// let (s, rows) = summarize_in_code_order(&codes, 2, &ts, None, &options)?;
/// assert_eq!(rows, [0, 1]);
/// assert_eq!(s.frequency, [0.0, 1.0]);
/// assert_eq!(s.t, [8.0, 9.0]);
/// # Ok::<(), clv::Error>(())
/// ```
pub fn summarize_in_code_order(
    codes: &[u32],
    n_customers: usize,
    timestamps: &[i64],
    amounts: Option<&[f64]>,
    options: &SummaryOptions,
) -> Result<(Summary, Vec<u32>)> {
    let names = (0..n_customers).map(|c| c.to_string()).collect();
    let ids = CustomerIds::from_parts(codes.to_vec(), names);
    let in_code_order = |names: &[String]| {
        // Callers guarantee names.len() < u32::MAX.
        let identity: Vec<u32> = (0..names.len() as u32).collect();
        (identity.clone(), identity)
    };
    summarize_ranked(&ids, timestamps, amounts, options, in_code_order)
}

/// [`summarize_coded`] with the customers ordered by `rank` (which returns
/// `rank_of_code` and `code_of_rank`, as [`rank_names`]); also returns each
/// output row's code.
fn summarize_ranked(
    ids: &CustomerIds,
    timestamps: &[i64],
    amounts: Option<&[f64]>,
    options: &SummaryOptions,
    rank: impl FnOnce(&[String]) -> (Vec<u32>, Vec<u32>),
) -> Result<(Summary, Vec<u32>)> {
    let n = ids.codes.len();
    check::same_len("timestamps", timestamps.len(), "customer_ids", n)?;
    if let Some(a) = amounts {
        check::same_len("amounts", a.len(), "customer_ids", n)?;
    }
    if n == 0 {
        return Err(Error::Empty {
            field: "transactions".into(),
            reason: "there are no rows to summarise".into(),
        });
    }
    let unit = TimeUnit::new(options.unit.period, options.unit.multiplier)?;
    let n_names = ids.names.len();
    if n_names >= u32::MAX as usize {
        return Err(Error::invalid(
            "customer_ids",
            n_names,
            format!("fewer than {} distinct ids", u32::MAX),
        ));
    }
    if let Some(i) = ids.codes.iter().position(|&c| c as usize >= n_names) {
        return Err(Error::invalid_at(
            "customer_id",
            i,
            ids.codes[i],
            format!("a code < {n_names} (the number of names)"),
        ));
    }
    let skip = options.skip_invalid;
    let usable = |i: usize| !skip || amounts.is_none_or(|a| valid_amount(a[i]));

    // Observation end: given, or the latest timestamp among usable rows.
    let observation_end = match options.observation_end {
        Some(e) => e,
        None => (0..n)
            .filter(|&i| usable(i))
            .map(|i| timestamps[i])
            .max()
            .ok_or_else(|| all_skipped(n))?,
    };
    check_calibration_end(options.calibration_end, observation_end)?;
    // Every used row has min_ts <= ts and a period <= p(observation_end), so its period lies
    // in [base, top] (period_index is monotone).
    let min_ts = timestamps.iter().copied().min().unwrap_or(observation_end);
    let base = unit.period_index(min_ts.min(observation_end));
    let top = unit.period_index(observation_end);
    let (rank_of_code, code_of_rank) = rank(&ids.names);
    let plan = Plan {
        ids,
        timestamps,
        amounts,
        unit,
        observation_end,
        top,
        split: options.calibration_end.unwrap_or(observation_end),
        holdout: options.calibration_end.is_some(),
        base,
        skip,
        rank_of_code,
    };
    let grouped = match top.checked_sub(base) {
        Some(span) if span < 1 << 32 => plan.group::<Packed>()?,
        _ => plan.group::<Wide>()?,
    };
    let cal = grouped.cal;
    let holdout = options.calibration_end.map(|c| Holdout {
        frequency: grouped.holdout_frequency,
        monetary_value: amounts.map(|_| grouped.holdout_monetary),
        duration: (top - unit.period_index(c)) as f64 / unit.multiplier,
    });
    let row_codes: Vec<u32> = cal
        .ranks
        .iter()
        .map(|&r| code_of_rank[r as usize])
        .collect();
    let customer_id = row_codes
        .iter()
        .map(|&c| ids.names[c as usize].clone())
        .collect();
    let summary = Summary {
        customer_id,
        frequency: cal.frequency,
        recency: cal.recency,
        t: cal.t,
        monetary_value: amounts.map(|_| cal.monetary),
        holdout,
        unit,
        observation_end,
        calibration_end: options.calibration_end,
        n_transactions: grouped.n_transactions,
        skipped: grouped.skipped,
        holdout_only_customers: grouped.holdout_only,
        after_observation_end: grouped.after_observation_end,
    };
    Ok((summary, row_codes))
}

/// A calibration end after the observation end is an [`Error::InvalidValue`].
pub(crate) fn check_calibration_end(
    calibration_end: Option<i64>,
    observation_end: i64,
) -> Result<()> {
    match calibration_end {
        Some(c) if c > observation_end => Err(Error::invalid(
            "calibration_end",
            format_timestamp(c),
            format!("<= observation end {}", format_timestamp(observation_end)),
        )),
        _ => Ok(()),
    }
}

pub(crate) fn all_skipped(n: usize) -> Error {
    Error::Empty {
        field: "transactions".into(),
        reason: format!("all {n} rows were skipped as invalid (see skip_invalid)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{Period, parse_timestamp};
    use proptest::prelude::*;

    fn ts(text: &str) -> i64 {
        parse_timestamp(text, None).unwrap()
    }

    fn opts(unit: &str, end: Option<&str>) -> SummaryOptions {
        SummaryOptions {
            unit: TimeUnit::parse(unit).unwrap(),
            observation_end: end.map(ts),
            ..SummaryOptions::default()
        }
    }

    /// The summary of one customer's `purchases`, written `date=amount`
    /// separated by commas (`"1997-01-01=10, 1997-01-02 18:00=5"`).
    fn one(unit: &str, end: &str, purchases: &str) -> Summary {
        let (stamps, amounts): (Vec<i64>, Vec<f64>) = purchases
            .split(',')
            .map(|p| {
                let (date, amount) = p.trim().split_once('=').unwrap();
                (ts(date), amount.parse::<f64>().unwrap())
            })
            .unzip();
        let ids = vec!["c"; stamps.len()];
        summarize(&ids, &stamps, Some(&amounts), &opts(unit, Some(end))).unwrap()
    }

    /// The block-wise CSV writer gives, byte for byte, what one `csv`
    /// writer formatting every number with `{x}` gives: over many blocks,
    /// with ids that need quoting and whole numbers up to and beyond the
    /// integer fast path.
    #[test]
    fn csv_blocks_equal_one_writer() {
        use std::fmt::Write as _;
        let n = 40_000;
        let id = |i: usize| match i % 5 {
            0 => format!("c{i}"),
            1 => format!("\"q,{i}\""),
            _ => format!("{i:09}"),
        };
        let num = |i: usize| match i % 7 {
            0 => i as f64,
            1 => i as f64 / 7.0,
            2 => 1e15 + i as f64,
            3 => 1e21 * i as f64,
            4 => 0.0,
            5 => 999_999_999_999_999.0,
            _ => (i as f64).sqrt(),
        };
        let s = Summary {
            customer_id: (0..n).map(id).collect(),
            frequency: (0..n).map(num).collect(),
            recency: (0..n).map(|i| num(i + 1)).collect(),
            t: (0..n).map(|i| num(i + 2)).collect(),
            monetary_value: Some((0..n).map(|i| num(i + 3)).collect()),
            holdout: None,
            unit: TimeUnit::default(),
            observation_end: 0,
            calibration_end: None,
            n_transactions: n,
            skipped: Vec::new(),
            holdout_only_customers: 0,
            after_observation_end: 0,
        };
        let mut blocks = Vec::new();
        s.write_csv(&mut blocks).unwrap();
        let mut one = csv::Writer::from_writer(Vec::new());
        one.write_record(["customer_id", "frequency", "recency", "T", "monetary_value"])
            .unwrap();
        for i in 0..n {
            let mut row = vec![s.customer_id[i].clone()];
            for x in [s.frequency[i], s.recency[i], s.t[i], num(i + 3)] {
                let mut t = String::new();
                write!(t, "{x}").unwrap();
                row.push(t);
            }
            one.write_record(&row).unwrap();
        }
        assert_eq!(blocks, one.into_inner().unwrap());
    }

    #[test]
    fn weeks_months_hours_and_multiples() {
        // (unit, observation end, purchases, (x, t_x, T, monetary value))
        for (unit, end, purchases, want) in [
            // Wed 1997-01-01 and Sun 01-05 share the week of Mon 1996-12-30; Mon 01-06
            // starts the next. Observation end Fri 01-31 is in the week of Mon 01-27,
            // 4 weeks after 1996-12-30.
            (
                "W",
                "1997-01-31",
                "1997-01-01=1, 1997-01-05=2, 1997-01-06=3",
                (1.0, 1.0, 4.0, 3.0),
            ),
            // Months Jan, Feb, Mar 1997; end in Dec 1997: x = 2, t_x = 2, T = 11;
            // monetary (2 + 4) / 2 = 3.
            (
                "M",
                "1997-12-31",
                "1997-01-31 23:00=1, 1997-02-01=2, 1997-03-15=4",
                (2.0, 2.0, 11.0, 3.0),
            ),
            // Hours 10, 10, 12; end 15:30 is in hour 15: x = 1, t_x = 2, T = 5.
            (
                "H",
                "1997-01-01 15:30",
                "1997-01-01 10:05=1, 1997-01-01 10:55=2, 1997-01-01 12:00=4",
                (1.0, 2.0, 5.0, 4.0),
            ),
            // Unit "2d": days 0 and 3, end day 10 → t_x = 3/2, T = 10/2.
            (
                "2d",
                "1997-01-11",
                "1997-01-01=1, 1997-01-04=1",
                (1.0, 1.5, 5.0, 1.0),
            ),
            // Weeks halved: weeks of 12-30 and 01-13 are 2 apart; end week 01-27 is 4.
            (
                "2w",
                "1997-01-27",
                "1997-01-01=1, 1997-01-13=1",
                (1.0, 1.0, 2.0, 1.0),
            ),
        ] {
            let s = one(unit, end, purchases);
            let m = s.monetary_value.as_ref().unwrap()[0];
            assert_eq!((s.frequency[0], s.recency[0], s.t[0], m), want, "{unit}");
        }
    }

    #[test]
    fn monetary_value_rules() {
        // (purchases by day, (x, monetary value))
        for (purchases, want) in [
            // Zero amounts are kept: days 1, 2, 3 with 10, 0, 20 → x = 2, (0 + 20) / 2 = 10.
            ("1997-01-01=10, 1997-01-02=0, 1997-01-03=20", (2.0, 10.0)),
            // Same-day amounts are summed: day 2 has 5 + 7 = 12; one repeat period.
            (
                "1997-01-01=10, 1997-01-02=5, 1997-01-02 18:00=7",
                (1.0, 12.0),
            ),
            // The whole first period is excluded: 100 + 100 on day 1, 10 on day 2 → 10.
            (
                "1997-01-01=100, 1997-01-01 12:00=100, 1997-01-02=10",
                (1.0, 10.0),
            ),
            // Only a first period → 0.
            ("1997-01-01=3, 1997-01-01=4", (0.0, 0.0)),
        ] {
            let s = one("D", "1997-01-10", purchases);
            let m = s.monetary_value.as_ref().unwrap()[0];
            assert_eq!((s.frequency[0], m), want, "{purchases}");
        }
    }

    #[test]
    fn ids_are_byte_sorted_and_no_amounts() {
        let ids = ["a", "9", "B", "10", "a"];
        let t = [0, 0, 0, 0, 86_400];
        let s = summarize(&ids, &t, None, &SummaryOptions::default()).unwrap();
        assert_eq!(s.customer_id, ["10", "9", "B", "a"]);
        assert_eq!(s.frequency, [0.0, 0.0, 0.0, 1.0]);
        assert_eq!(s.monetary_value, None);
        // Observation end defaults to the latest timestamp (day 1): T = 1 for all.
        assert_eq!(s.observation_end, 86_400);
        assert_eq!(s.t, [1.0; 4]);
        assert_eq!(s.n_transactions, 5);
        // Duplicate names from an external coding are one customer.
        let coded =
            CustomerIds::from_parts(vec![0, 1, 2], vec!["x".into(), "y".into(), "x".into()]);
        let s = summarize_coded(&coded, &[0, 0, 86_400], None, &SummaryOptions::default()).unwrap();
        assert_eq!(s.customer_id, ["x", "y"]);
        assert_eq!(s.frequency, [1.0, 0.0]);
    }

    #[test]
    fn holdout_split() {
        // Unit 7d, calibration end 1997-01-10 00:00, observation end 1997-01-31.
        let rows = [
            ("a", "1997-01-01", 10.0),
            ("a", "1997-01-05", 20.0),
            ("a", "1997-01-10", 30.0), // ts == calibration end: calibration
            ("a", "1997-01-10 12:00", 5.0), // same day, but holdout
            ("a", "1997-01-20", 7.0),
            ("a", "1997-01-20 08:00", 9.0),
            ("b", "1997-01-02", 4.0),
            ("c", "1997-01-15", 50.0), // first seen in the holdout
        ];
        let ids: Vec<&str> = rows.iter().map(|r| r.0).collect();
        let stamps: Vec<i64> = rows.iter().map(|r| ts(r.1)).collect();
        let amounts: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let mut o = opts("7d", Some("1997-01-31"));
        o.calibration_end = Some(ts("1997-01-10"));
        let s = summarize(&ids, &stamps, Some(&amounts), &o).unwrap();
        assert_eq!(s.customer_id, ["a", "b"]);
        // a: days 01-01, 01-05, 01-10 → x = 2, t_x = 9/7, T = 9/7, (20 + 30)/2 = 25.
        // b: day 01-02 → x = 0, t_x = 0, T = 8/7.
        assert_eq!(s.frequency, [2.0, 0.0]);
        assert_eq!(s.recency, [9.0 / 7.0, 0.0]);
        assert_eq!(s.t, [9.0 / 7.0, 8.0 / 7.0]);
        assert_eq!(s.monetary_value.as_deref(), Some(&[25.0, 0.0][..]));
        let h = s.holdout.as_ref().unwrap();
        // a: holdout days 01-10 and 01-20 → 2 (NOT divided by 7); raw mean (5+7+9)/3 = 7.
        assert_eq!(h.frequency, [2.0, 0.0]);
        assert_eq!(h.monetary_value.as_deref(), Some(&[7.0, 0.0][..]));
        // 21 days from 01-10 to 01-31, divided by 7.
        assert_eq!(h.duration, 3.0);
        assert_eq!(s.holdout_only_customers, 1);
        assert_eq!(s.n_transactions, 8);

        let mut csv = Vec::new();
        s.write_csv(&mut csv).unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "customer_id,frequency,recency,T,monetary_value,frequency_holdout,monetary_value_holdout,duration_holdout\n\
             a,2,1.2857142857142858,1.2857142857142858,25,2,7,3\n\
             b,0,0,1.1428571428571428,0,0,0,3\n"
        );
        let j = s.to_json();
        assert_eq!(j["unit"], "7d");
        assert_eq!(j["observation_end"], "1997-01-31");
        assert_eq!(j["calibration_end"], "1997-01-10");
        assert_eq!(j["holdout_only_customers"], 1);
        assert_eq!(j["columns"]["frequency_holdout"][0], 2.0);
        assert_eq!(j["columns"]["duration_holdout"][1], 3.0);
        assert_eq!(j["columns"]["customer_id"][1], "b");

        // Empty holdout: all holdout columns 0 (lifetimes would raise).
        o.observation_end = Some(ts("1997-01-10"));
        let s = summarize(&ids[..3], &stamps[..3], Some(&amounts[..3]), &o).unwrap();
        let h = s.holdout.unwrap();
        assert_eq!((h.frequency[0], h.duration), (0.0, 0.0));
    }

    #[test]
    fn as_of_window_keeps_the_observation_end_period() {
        // Weeks (Monday..Sunday); observation end Tuesday 1997-09-30, whose week
        // runs 09-29..10-05. As lifetimes: rows up to Sunday 10-05 are inside
        // (their period is the end's), rows from Monday 10-06 are left out and
        // counted.
        let rows = [
            ("a", "1997-09-01", 10.0),
            ("a", "1997-10-02", 0.0), // after the end, same week: inside, a $0 order
            ("a", "1997-10-05 23:00", 5.0), // Sunday: inside
            ("a", "1997-10-06", 7.0), // next week: outside
            ("b", "1997-09-29", 3.0),
            ("c", "1997-10-20", 4.0), // only outside: not in the summary
        ];
        let ids: Vec<&str> = rows.iter().map(|r| r.0).collect();
        let stamps: Vec<i64> = rows.iter().map(|r| ts(r.1)).collect();
        let amounts: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let s = summarize(
            &ids,
            &stamps,
            Some(&amounts),
            &opts("W", Some("1997-09-30")),
        )
        .unwrap();
        assert_eq!(s.customer_id, ["a", "b"]);
        // a: weeks of 09-01 and 09-29 → x = 1, t_x = T = 4 weeks, m = 0 + 5.
        assert_eq!(s.frequency, [1.0, 0.0]);
        assert_eq!(s.recency, [4.0, 0.0]);
        assert_eq!(s.t, [4.0, 0.0]);
        assert_eq!(s.monetary_value.as_deref(), Some(&[5.0, 0.0][..]));
        assert_eq!((s.n_transactions, s.after_observation_end), (4, 2));
        assert_eq!(s.to_json()["after_observation_end"], 2);
        // Days: the end's period is the day 09-30, so 10-02 and 10-05 are outside.
        let s = summarize(
            &ids,
            &stamps,
            Some(&amounts),
            &opts("D", Some("1997-09-30")),
        )
        .unwrap();
        assert_eq!((s.frequency[0], s.after_observation_end), (0.0, 4));
        // A $0 repeat order alone makes a repeat period, with monetary value 0.
        let s = summarize(
            &["z", "z"],
            &[ts("1997-01-01"), ts("1997-01-08")],
            Some(&[12.0, 0.0]),
            &opts("D", None),
        )
        .unwrap();
        assert_eq!((s.frequency[0], s.monetary_value.unwrap()[0]), (1.0, 0.0));
        // With a calibration end the holdout ends at the observation end itself
        // (lifetimes' calibration_and_holdout_data compares raw dates).
        let mut o = opts("W", Some("1997-09-30"));
        o.calibration_end = Some(ts("1997-09-10"));
        let s = summarize(&ids, &stamps, Some(&amounts), &o).unwrap();
        // a in calibration (09-01), b only in the holdout (09-29), the rest after 09-30.
        assert_eq!(s.customer_id, ["a"]);
        assert_eq!(s.holdout.unwrap().frequency, [0.0]);
        assert_eq!((s.holdout_only_customers, s.after_observation_end), (1, 4));
    }

    #[test]
    fn errors_name_field_and_value() {
        let o = opts("D", Some("1997-01-10"));
        let t = [ts("1997-01-01"), ts("1997-01-02")];
        let e = summarize(&["a", "b"], &t[..1], None, &o).unwrap_err();
        assert!(
            matches!(e, Error::LengthMismatch { ref field, actual: 1, expected: 2, .. } if field == "timestamps")
        );
        let e = summarize(&["a", "b"], &t, Some(&[1.0]), &o).unwrap_err();
        assert_eq!(e.field(), Some("amounts"));
        let e = summarize::<&str>(&[], &[], None, &o).unwrap_err();
        assert_eq!(e.code(), "EMPTY_INPUT");
        // A negative amount (a return) names the row, the customer and the date.
        let e = summarize(&["a", "b"], &t, Some(&[1.0, -2.0]), &o).unwrap_err();
        assert_eq!(e, invalid_amount(1, -2.0, "b", t[1]));
        assert!(
            e.to_string().starts_with(
                "invalid amount[1]: -2 for customer \"b\" on 1997-01-02 (expected a finite number >= 0; a negative amount (a return) is not a purchase"
            ),
            "{e}"
        );
        let e = summarize(&["a", "b"], &t, Some(&[f64::NAN, 1.0]), &o).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("invalid amount[0]: NaN for customer \"a\" on 1997-01-01"),
            "{e}"
        );
        // Rows after the observation end are not errors; all of them after it is Empty.
        let late = [ts("1997-01-11"), ts("1997-01-12")];
        let e = summarize(&["a", "b"], &late, None, &o).unwrap_err();
        assert_eq!(
            e.to_string(),
            "transactions is empty: all 2 rows are after the observation end 1997-01-10"
        );
        let mut c = o.clone();
        c.calibration_end = Some(ts("1997-01-11"));
        let e = summarize(&["a", "b"], &t, None, &c).unwrap_err();
        assert_eq!(e.field(), Some("calibration_end"));
        c.calibration_end = Some(ts("1996-12-31"));
        let e = summarize(&["a", "b"], &t, None, &c).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid calibration_end: 1996-12-31 (expected >= the first purchase 1997-01-01)"
        );
        let bad_codes = CustomerIds::from_parts(vec![0, 5], vec!["a".into()]);
        let e = summarize_coded(&bad_codes, &t, None, &o).unwrap_err();
        assert_eq!(e.field(), Some("customer_id"));
        let mut m = o.clone();
        m.unit.multiplier = 0.0;
        let e = summarize(&["a", "b"], &t, None, &m).unwrap_err();
        assert_eq!(e.field(), Some("multiplier"));
        m.unit = TimeUnit::new(Period::Week, 1.0).unwrap();
        assert!(summarize(&["a", "b"], &t, None, &m).is_ok());
    }

    #[test]
    fn skip_invalid_lists_rows() {
        let mut o = opts("D", Some("1997-01-10"));
        o.skip_invalid = true;
        let t = [
            ts("1997-01-01"),
            ts("1997-01-02"),
            ts("1997-01-03"),
            ts("1997-01-11"),
            ts("1997-01-04"),
        ];
        let a = [1.0, -1.0, f64::INFINITY, 2.0, 3.0];
        let s = summarize(&["a"; 5], &t, Some(&a), &o).unwrap();
        let idx: Vec<usize> = s.skipped.iter().map(|r| r.index).collect();
        assert_eq!(idx, [1, 2]);
        assert_eq!(
            s.skipped[0].reason,
            "amount -1 for customer \"a\" on 1997-01-02 is not a finite number >= 0"
        );
        // Row 3 is after the observation end: left out and counted, not skipped.
        assert_eq!(s.after_observation_end, 1);
        // Rows 0 and 4 remain: days 0 and 3 → x = 1, t_x = 3, T = 9, m = 3.
        assert_eq!(s.n_transactions, 2);
        assert_eq!((s.frequency[0], s.recency[0], s.t[0]), (1.0, 3.0, 9.0));
        assert_eq!(s.monetary_value.unwrap(), [3.0]);
        // Without an observation end, it is the latest row with a valid amount.
        o.observation_end = None;
        let s = summarize(&["a"; 5], &t, Some(&a), &o).unwrap();
        assert_eq!(s.observation_end, ts("1997-01-11"));
        assert_eq!(s.skipped.len(), 2);
        // Everything skipped → Empty, not an empty summary.
        let e = summarize(&["a"; 2], &t[..2], Some(&[-1.0, -1.0]), &o).unwrap_err();
        assert_eq!(e.code(), "EMPTY_INPUT");
    }

    #[test]
    fn huge_time_span_uses_wide_rows() {
        // Hours from −10^15 s (≈ 31.7 million years ago) to 1970: floor(−10^15/3600)
        // = −277777777778, a span > 2^32 periods, so rows are not packed.
        let t = [-1_000_000_000_000_000, 0, 3600];
        let s = summarize(
            &["a", "a", "b"],
            &t,
            Some(&[1.0, 2.0, 3.0]),
            &opts("H", None),
        )
        .unwrap();
        assert_eq!(s.frequency, [1.0, 0.0]);
        assert_eq!(s.recency, [277_777_777_778.0, 0.0]);
        // The observation end is the latest row, hour 1: T = 1 + 277777777778.
        assert_eq!(s.t, [277_777_777_779.0, 0.0]);
        assert_eq!(s.monetary_value.unwrap(), [2.0, 0.0]);
    }

    #[cfg(feature = "parallel")]
    #[test]
    fn partitioned_interning_equals_sequential() {
        // 200,000 rows over 30,011 ids (some longer than 16 bytes), in a
        // scrambled order: same codes and names as one row at a time.
        let owned: Vec<String> = (0..200_000u64)
            .map(|i| {
                let k = (i * 7919) % 30_011;
                if k % 3 == 0 {
                    format!("a-rather-long-customer-id-{k}")
                } else {
                    format!("c{k}")
                }
            })
            .collect();
        let ids: Vec<&str> = owned.iter().map(String::as_str).collect();
        let fast = intern_partitioned(&ids);
        let slow = CustomerIds::intern(&ids);
        assert_eq!(fast, slow);
        assert_eq!(fast.names.len(), 30_011);
        // The lookup is usable for further pushes.
        let mut fast = fast;
        fast.push("c1");
        fast.push("new");
        let mut slow = slow;
        slow.push("c1");
        slow.push("new");
        assert_eq!(fast, slow);
    }

    #[test]
    fn push_interns_once() {
        let mut ids = CustomerIds::new();
        for id in ["x", "y", "x", "x"] {
            ids.push(id);
        }
        assert_eq!(ids.codes, [0, 1, 0, 0]);
        assert_eq!(ids.names, ["x", "y"]);
        assert_eq!(ids.len(), 4);
        assert!(!ids.is_empty());
        assert_eq!(ids, CustomerIds::intern(&["x", "y", "x", "x"]));
        // Short (inline-keyed) and long ids; a trailing NUL is a different id.
        let long = "a-customer-id-longer-than-16-bytes";
        let ids = CustomerIds::intern(&["a", "a\0", long, "a", long, "0123456789abcdef"]);
        assert_eq!(ids.codes, [0, 1, 2, 0, 2, 3]);
        assert_eq!(ids.names.len(), 4);
        let parts = CustomerIds::from_parts(ids.codes.clone(), ids.names.clone());
        let mut again = parts.clone();
        again.push(long);
        again.push("new");
        assert_eq!(&again.codes[6..], [2, 4]);
    }

    proptest! {
        #[test]
        fn invariants(rows in proptest::collection::vec((0u8..20, 0i64..2_000_000, 0u32..10_000), 1..200)) {
            let ids: Vec<String> = rows.iter().map(|r| r.0.to_string()).collect();
            let t: Vec<i64> = rows.iter().map(|r| r.1 * 60).collect();
            let a: Vec<f64> = rows.iter().map(|r| f64::from(r.2) / 100.0).collect();
            let s = summarize(&ids, &t, Some(&a), &SummaryOptions::default()).unwrap();
            for w in s.customer_id.windows(2) {
                prop_assert!(w[0].as_bytes() < w[1].as_bytes());
            }
            let m = s.monetary_value.as_ref().unwrap();
            for (k, id) in s.customer_id.iter().enumerate() {
                // lifetimes' definition, independently: the amounts summed
                // by day, the first day left out, the mean of the others.
                let mut by_day = std::collections::BTreeMap::<i64, f64>::new();
                for r in rows.iter().filter(|r| r.0.to_string() == *id) {
                    *by_day.entry((r.1 * 60).div_euclid(86_400)).or_default() += f64::from(r.2) / 100.0;
                }
                prop_assert_eq!(s.frequency[k], (by_day.len() - 1) as f64);
                prop_assert!(0.0 <= s.recency[k] && s.recency[k] <= s.t[k]);
                let repeat: Vec<f64> = by_day.values().skip(1).copied().collect();
                let want = if repeat.is_empty() { 0.0 } else { repeat.iter().sum::<f64>() / repeat.len() as f64 };
                prop_assert!((m[k] - want).abs() <= 1e-12 * want.max(1.0), "{}: {} vs {}", id, m[k], want);
            }
            prop_assert_eq!(s.n_transactions, rows.len());
        }
    }
    /// [`FirstAndRest`]: in date order the other amounts are added one by
    /// one; a row before the first period moves that period's sum, as one
    /// term, to the rest.
    #[test]
    fn first_and_rest_folds_in_input_order() {
        let mut s = FirstAndRest::new(5, 1.0);
        for (p, a) in [(5, 2.0), (6, 0.1), (6, 0.2), (9, 0.3)] {
            s.add(p, a);
        }
        assert_eq!(s.first, 5);
        assert_eq!(s.first_sum, 3.0);
        assert_eq!(s.rest.to_bits(), ((0.1_f64 + 0.2) + 0.3).to_bits());
        s.add(2, 7.0);
        assert_eq!((s.first, s.first_sum), (2, 7.0));
        assert_eq!(s.rest.to_bits(), (((0.1_f64 + 0.2) + 0.3) + 3.0).to_bits());
        s.add(5, 0.5);
        assert_eq!(
            s.rest.to_bits(),
            ((((0.1_f64 + 0.2) + 0.3) + 3.0) + 0.5).to_bits()
        );
    }

    #[test]
    fn overflowing_sums_are_an_error_naming_the_customer() {
        // issue 17 #9: two amounts of 1e308 in one period gave inf (JSON null)
        let ids = ["a", "a", "a"];
        let stamps = [0, 86_400, 86_400];
        let e = summarize(
            &ids,
            &stamps,
            Some(&[1.0, 1e308, 1e308]),
            &SummaryOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            (e.code(), e.field()),
            ("INVALID_INPUT", Some("monetary_value"))
        );
        assert!(e.to_string().contains("\"a\""), "{e}");
        // large finite sums are fine
        let s = summarize(
            &ids,
            &stamps,
            Some(&[1.0, 1e307, 1e307]),
            &SummaryOptions::default(),
        )
        .unwrap();
        assert_eq!(s.monetary_value.unwrap()[0], 2e307);
    }
}
