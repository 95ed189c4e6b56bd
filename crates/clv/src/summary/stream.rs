//! The streaming summary: rows are folded into per-customer state as they
//! arrive, so that a log of any size is summarised in memory that does not
//! grow with the number of rows (the reader side, bytes → rows, is
//! [`crate::io::SummaryReader`]).
//!
//! The result equals [`summarize`](super::summarize) on the same rows in the
//! same order, column for column and bit for bit: both add the amounts of
//! one (customer, period) in input order, then the period sums in period
//! order (the holdout mean too), and both name the same rows in errors.
//!
//! # Memory
//!
//! The ids are interned once (the id text plus a hash entry per customer);
//! the per-customer state then depends on [`RowOrder`]:
//!
//! - [`RowOrder::Chronological`]: each customer's rows arrive in date order
//!   (true of a log sorted by date, or by customer then date, such as
//!   CDNOW). A customer holds first and last period, the number of distinct
//!   periods, the open period's sum and the sum of the closed repeat
//!   periods (40 bytes; 40 more for the holdout): memory is O(customers).
//!   A row older than its customer's previous period cannot be folded into
//!   that state (it may fall in a period already counted); the summariser
//!   then stops and [`Summarizer::finish`] is an error naming the row.
//!   [`crate::io::summarize_path`] detects this and reads the file again
//!   with [`RowOrder::Any`].
//! - [`RowOrder::Any`] (the default): any order. Counting distinct periods
//!   in an unordered stream needs the periods seen, so one entry (sum of the
//!   amounts) is kept per distinct (customer, period) pair, about 30 bytes:
//!   memory is O(customers + distinct (customer, period) pairs), never one
//!   entry per row (a customer's rows of one day or week share one entry).

use std::collections::HashMap;

use super::{
    CustomerIds, Holdout, SkippedRow, Summary, SummaryOptions, all_skipped, check_calibration_end,
    hasher, invalid_amount, rank_names, valid_amount,
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
    ids: CustomerIds,
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
            ids: CustomerIds::new(),
            acc: Accumulator::new(options, order, with_amounts)?,
        })
    }

    /// Folds one transaction in (the next row, in input order).
    pub fn push(&mut self, customer_id: &str, timestamp: i64, amount: f64) {
        let code = self.ids.code_of(customer_id);
        self.acc.fold(code, timestamp, amount, &self.ids.names);
    }

    /// Rows pushed so far.
    pub fn rows(&self) -> usize {
        self.acc.rows
    }

    /// Distinct customers seen so far.
    pub fn customers(&self) -> usize {
        self.ids.names.len()
    }

    /// `true` once a row came out of order under [`RowOrder::Chronological`]
    /// (further rows are ignored and [`Summarizer::finish`] is an error).
    pub fn out_of_order(&self) -> bool {
        self.acc.disorder.is_some()
    }

    /// The summary.
    ///
    /// # Errors
    /// Those of [`summarize`](super::summarize), for the same rows; and,
    /// under [`RowOrder::Chronological`], [`Error::InvalidValue`] (field
    /// `date`, the 0-based row) for the first row older than its customer's
    /// previous period.
    pub fn finish(self) -> Result<Summary> {
        let mut ids = self.ids;
        let names = std::mem::take(&mut ids.names);
        drop(ids); // the id lookup table
        self.acc.finish(names)
    }
}

/// Sentinel of an empty period slot.
const NONE: i64 = i64::MIN;

/// A customer's calibration state under [`RowOrder::Chronological`].
#[derive(Debug, Clone, Copy)]
struct Cal {
    first: i64,
    last: i64,
    /// Distinct periods (0: no calibration row yet).
    periods: u64,
    /// Sum of the amounts of period `last`, in input order.
    open: f64,
    /// Sum of the closed repeat periods' sums, in period order.
    repeat: f64,
}

impl Cal {
    const EMPTY: Cal = Cal {
        first: NONE,
        last: NONE,
        periods: 0,
        open: 0.0,
        repeat: 0.0,
    };

    /// Folds a row of period `p`; `false` when it is older than `last`.
    fn fold(&mut self, p: i64, amount: f64) -> bool {
        if self.periods == 0 {
            *self = Cal {
                first: p,
                last: p,
                periods: 1,
                open: 0.0,
                repeat: 0.0,
            };
        } else if p > self.last {
            if self.last != self.first {
                self.repeat += self.open;
            }
            self.last = p;
            self.periods += 1;
            self.open = 0.0;
        } else if p < self.last {
            return false;
        }
        self.open += amount;
        true
    }
}

/// A customer's holdout state under [`RowOrder::Chronological`].
#[derive(Debug, Clone, Copy)]
struct Hold {
    last: i64,
    periods: u64,
    rows: u64,
    /// Sum of period `last`, in input order.
    open: f64,
    /// Sum of the closed periods' sums, in period order.
    closed: f64,
}

impl Hold {
    const EMPTY: Hold = Hold {
        last: NONE,
        periods: 0,
        rows: 0,
        open: 0.0,
        closed: 0.0,
    };

    fn fold(&mut self, p: i64, amount: f64) -> bool {
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

type PairMap<V> = HashMap<(u32, i64), V, ahash::RandomState>;

/// The state behind [`Summarizer`], by customer code (the reader interns
/// ids itself and feeds codes). Decisions that need the observation end
/// when it is not given (the latest usable row) wait for
/// [`Accumulator::finish`].
#[derive(Debug, Clone)]
pub(crate) struct Accumulator {
    unit: TimeUnit,
    order: RowOrder,
    with_amounts: bool,
    skip: bool,
    given_end: Option<i64>,
    calibration_end: Option<i64>,
    cal: Vec<Cal>,
    hold: Vec<Hold>,
    /// [`RowOrder::Any`]: (code, period) → sum of amounts in input order.
    cal_pairs: PairMap<f64>,
    /// [`RowOrder::Any`]: (code, period) → (sum, rows) of holdout rows.
    hold_pairs: PairMap<(f64, u64)>,
    /// Rows pushed.
    pub(crate) rows: usize,
    cal_rows: usize,
    hold_rows: usize,
    after: usize,
    skipped: Vec<SkippedRow>,
    /// Invalid rows whose place (inside the window or after it) waits for
    /// the observation end: (row, timestamp, amount, code).
    deferred: Vec<(usize, i64, f64, u32)>,
    /// The first invalid row inside the window when invalid rows are errors.
    first_invalid: Option<(usize, i64, f64, u32)>,
    /// Latest timestamp of a usable row (the default observation end).
    max_usable: Option<i64>,
    /// Earliest timestamp of a valid row inside the window (for the
    /// calibration-end error).
    min_valid: Option<i64>,
    /// First row out of order (Chronological), with its timestamp and code.
    pub(crate) disorder: Option<(usize, i64, u32)>,
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
            cal: Vec::new(),
            hold: Vec::new(),
            cal_pairs: HashMap::with_hasher(hasher()),
            hold_pairs: HashMap::with_hasher(hasher()),
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
        })
    }

    /// Whether a row at `ts` is inside the window ending at `end`.
    fn inside(&self, ts: i64, end: i64) -> bool {
        if self.calibration_end.is_some() {
            ts <= end
        } else {
            self.unit.period_index(ts) <= self.unit.period_index(end)
        }
    }

    /// Folds row number `self.rows` (customer `code`, whose id is
    /// `names[code]`).
    pub(crate) fn fold(&mut self, code: u32, ts: i64, amount: f64, names: &[String]) {
        let index = self.rows;
        self.rows += 1;
        if self.disorder.is_some() {
            return;
        }
        let amount = if self.with_amounts { amount } else { 0.0 };
        let valid = valid_amount(amount);
        if valid || !self.skip {
            self.max_usable = Some(self.max_usable.map_or(ts, |m| m.max(ts)));
        }
        match self.given_end {
            Some(end) if !self.inside(ts, end) => {
                self.after += 1;
                return;
            }
            _ => {}
        }
        if valid && self.given_end.is_none_or(|end| ts <= end) {
            self.min_valid = Some(self.min_valid.map_or(ts, |m| m.min(ts)));
        }
        if !valid {
            if !self.skip {
                self.first_invalid.get_or_insert((index, ts, amount, code));
            } else if self.given_end.is_some() {
                let customer = names.get(code as usize).map_or("", String::as_str);
                self.skipped.push(skipped_row(index, amount, customer, ts));
            } else {
                self.deferred.push((index, ts, amount, code));
            }
            return;
        }
        if self.first_invalid.is_some() {
            // The summary is an error; only the observation end still matters.
            return;
        }
        let period = self.unit.period_index(ts);
        let calibration = self.calibration_end.is_none_or(|c| ts <= c);
        let c = code as usize;
        let in_order = match (self.order, calibration) {
            (RowOrder::Chronological, true) => {
                if self.cal.len() <= c {
                    self.cal.resize(c + 1, Cal::EMPTY);
                }
                self.cal[c].fold(period, amount)
            }
            (RowOrder::Chronological, false) => {
                if self.hold.len() <= c {
                    self.hold.resize(c + 1, Hold::EMPTY);
                }
                self.hold[c].fold(period, amount)
            }
            (RowOrder::Any, true) => {
                *self.cal_pairs.entry((code, period)).or_insert(0.0) += amount;
                true
            }
            (RowOrder::Any, false) => {
                let e = self.hold_pairs.entry((code, period)).or_insert((0.0, 0));
                e.0 += amount;
                e.1 += 1;
                true
            }
        };
        if !in_order {
            self.disorder = Some((index, ts, code));
            return;
        }
        if calibration {
            self.cal_rows += 1;
        } else {
            self.hold_rows += 1;
        }
    }

    /// Under [`RowOrder::Any`], turns the (customer, period) entries into
    /// the per-customer states of [`RowOrder::Chronological`] (with the
    /// repeat sum in `repeat` and the holdout sum in `closed`, both in
    /// period order, and `open` 0), so that both orders finish alike.
    fn settle(&mut self, n_customers: usize) {
        if self.order == RowOrder::Chronological {
            return;
        }
        let mut pairs: Vec<((u32, i64), f64)> = self.cal_pairs.drain().collect();
        self.cal_pairs = HashMap::with_hasher(hasher());
        pairs.sort_unstable_by_key(|p| p.0);
        self.cal = vec![Cal::EMPTY; n_customers];
        for &((code, period), sum) in &pairs {
            let c = &mut self.cal[code as usize];
            if c.periods == 0 {
                *c = Cal {
                    first: period,
                    last: period,
                    periods: 1,
                    open: 0.0,
                    repeat: 0.0,
                };
            } else {
                c.last = period;
                c.periods += 1;
                c.repeat += sum;
            }
        }
        drop(pairs);
        if self.hold_pairs.is_empty() {
            return;
        }
        let mut pairs: Vec<((u32, i64), (f64, u64))> = self.hold_pairs.drain().collect();
        self.hold_pairs = HashMap::with_hasher(hasher());
        pairs.sort_unstable_by_key(|p| p.0);
        self.hold = vec![Hold::EMPTY; n_customers];
        for &((code, period), (sum, rows)) in &pairs {
            let h = &mut self.hold[code as usize];
            h.last = period;
            h.periods += 1;
            h.rows += rows;
            h.closed += sum;
        }
    }

    /// The summary of the rows folded, customers named by `names[code]`.
    pub(crate) fn finish(mut self, mut names: Vec<String>) -> Result<Summary> {
        let n = self.rows;
        if n == 0 {
            return Err(Error::Empty {
                field: "transactions".into(),
                reason: "there are no rows to summarise".into(),
            });
        }
        let name = |code: u32| {
            names
                .get(code as usize)
                .map_or("", String::as_str)
                .to_string()
        };
        if let Some((index, ts, code)) = self.disorder {
            return Err(Error::invalid_at(
                "date",
                index,
                format!("{} of customer {:?}", format_timestamp(ts), name(code)),
                "each customer's rows in date order (RowOrder::Chronological); \
                 summarise rows in any order with RowOrder::Any",
            ));
        }
        let n_names = names.len();
        if n_names >= u32::MAX as usize {
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
        if let Some((index, ts, amount, code)) = self.first_invalid {
            return Err(invalid_amount(index, amount, &name(code), ts));
        }
        for (index, ts, amount, code) in std::mem::take(&mut self.deferred) {
            if self.inside(ts, observation_end) {
                self.skipped
                    .push(skipped_row(index, amount, &name(code), ts));
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
        self.settle(n_names);
        let holdout_only = self
            .hold
            .iter()
            .enumerate()
            .filter(|(c, h)| h.periods > 0 && self.cal.get(*c).is_none_or(|c| c.periods == 0))
            .count();
        let (_, code_of_rank) = rank_names(&names);
        let end = unit.period_index(split);
        let m = unit.multiplier;
        let holdout = self.calibration_end.is_some();
        let k = self.cal.iter().filter(|c| c.periods > 0).count();
        let mut customer_id = Vec::with_capacity(k);
        let (mut frequency, mut recency, mut t, mut monetary) = (
            Vec::with_capacity(k),
            Vec::with_capacity(k),
            Vec::with_capacity(k),
            Vec::with_capacity(k),
        );
        let (mut hold_frequency, mut hold_monetary) = (Vec::new(), Vec::new());
        for &code in &code_of_rank {
            let Some(f) = self.cal.get(code as usize).filter(|c| c.periods > 0) else {
                continue;
            };
            let repeats = f.periods - 1;
            customer_id.push(std::mem::take(&mut names[code as usize]));
            frequency.push(repeats as f64);
            recency.push((f.last - f.first) as f64 / m);
            t.push((end - f.first) as f64 / m);
            monetary.push(if repeats > 0 {
                (f.repeat + f.open) / repeats as f64
            } else {
                0.0
            });
            if holdout {
                let h = self.hold.get(code as usize).copied().unwrap_or(Hold::EMPTY);
                hold_frequency.push(h.periods as f64);
                hold_monetary.push(if h.rows > 0 {
                    h.sum() / h.rows as f64
                } else {
                    0.0
                });
            }
        }
        for (field, values) in [
            ("monetary_value", &monetary),
            ("monetary_value_holdout", &hold_monetary),
        ] {
            if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                return Err(Error::invalid(
                    field,
                    format!("customer {:?}", customer_id[i]),
                    "amounts whose sum is a finite number (the sum overflows)",
                ));
            }
        }
        let with_amounts = self.with_amounts;
        Ok(Summary {
            customer_id,
            frequency,
            recency,
            t,
            monetary_value: with_amounts.then_some(monetary),
            holdout: self.calibration_end.map(|c| Holdout {
                frequency: hold_frequency,
                monetary_value: with_amounts.then_some(hold_monetary),
                duration: (top - unit.period_index(c)) as f64 / m,
            }),
            unit,
            observation_end,
            calibration_end: self.calibration_end,
            n_transactions,
            skipped,
            holdout_only_customers: holdout_only,
            after_observation_end,
        })
    }
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
            let (ids, ts, amounts) = chronological(&ids, &ts, &amounts);
            let a = with_amounts.then_some(&amounts[..]);
            let want = summarize(&ids, &ts, a, &options);
            for order in [RowOrder::Any, RowOrder::Chronological] {
                let got = streamed(&ids, &ts, a, &options, order);
                prop_assert!(same(&want, &got), "{order:?}\n{want:?}\n{got:?}");
            }
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
