//! Model checking: the numbers behind the diagnostic plots of `lifetimes`,
//! `CLVTools` and `pymc-marketing`, computed once here for every runtime
//! (the bindings only convert and draw them).
//!
//! Time is in the model's unit (the summary's); period indices are whole
//! numbers of periods of that unit counted from a start (0 = the first).
//!
//! - [`tracking_series`]: actual vs expected **cumulative repeat
//!   transactions** of a customer base over calendar time, customers joining
//!   in cohorts by the period of their first purchase. At the start of period
//!   `i` the expectation is `Σ_c n_c · E[X((i − c)/m)]` over the cohorts
//!   `c < i` of `n_c` customers, with `E[X(t)]` the model's expected repeat
//!   purchases of a new customer in `t` units and `m` periods per unit (Fader,
//!   Hardie & Lee 2005, "A Note on Implementing the Pareto/NBD Model in
//!   MATLAB", brucehardie.com/notes/008, p. 8; `lifetimes.utils.
//!   expected_cumulative_transactions`; CLVTools' `plotTrackingCum`).
//! - [`alive_path`]: P(alive) of one customer at each age `0..=t` given the
//!   purchases made by then (`lifetimes.utils.calculate_alive_path`).
//! - [`period_transactions`]: customers by number of repeat purchases,
//!   actual vs the model's `Σ_i w_i P(X(T_i) = k)`, with a last `K+` bucket
//!   (Fader, Hardie & Lee 2005, Marketing Science 24(2), Figure 2).
//! - [`frequency_recency_matrix`]: P(alive) or expected purchases on the
//!   frequency × recency grid of `lifetimes`' heat maps.
//! - [`calibration_vs_holdout`]: mean holdout purchases, actual vs the
//!   conditional expectation `E[Y(duration) | x, t_x, T]`, by a calibration
//!   column (FHL 2005, Figure 4).
//! - [`holdout_check`]: predicted vs actual holdout purchases in total and
//!   by bucket of calibration frequency (0, 1, 2, 3, 4-6, 7+).
//! - [`Heterogeneity`]: the mixing distributions of the individual rates
//!   (Gamma for λ and μ, Beta for p and θ) with their densities.
//! - [`customer_exposure`]: the order in which pymc-marketing's
//!   `plot_customer_exposure` draws customers (by T, then recency), each a
//!   line from the first purchase (0) to the last (recency) and on to T.

use serde::Serialize;
use statrs::distribution::{Beta, Continuous, ContinuousCDF, Gamma};

use crate::error::{Error, Result, check};
use crate::models::{AnyModel, ModelInfo, ModelKind, TransactionModel};

/// A whole number of periods ≥ 0 from element `i` of `field`.
fn period(field: &str, i: usize, v: f64) -> Result<usize> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 1e9 {
        Ok(v as usize)
    } else {
        Err(Error::invalid_at(
            field,
            i,
            v,
            "a whole number of periods >= 0",
        ))
    }
}

/// How many of `periods` (whole numbers ≥ 0, [`period`]; `field` names
/// them in errors) fall in each period `0..n_periods`; `n_periods + 1`
/// entries, the last 0.
fn count_by_period(field: &str, periods: &[f64], n_periods: usize) -> Result<Vec<f64>> {
    let mut counts = vec![0.0; n_periods + 1];
    for (i, &p) in periods.iter().enumerate() {
        let p = period(field, i, p)?;
        if p < n_periods {
            counts[p] += 1.0;
        }
    }
    Ok(counts)
}

/// Actual and expected repeat transactions of a customer base over time
/// ([`tracking_series`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackingSeries {
    /// The time of each point in model units: `1/m, 2/m, …` (point `k`
    /// closes period `(k+1)·m − 1`).
    pub time: Vec<f64>,
    /// Cumulative repeat transactions observed in periods `0..(k+1)·m`.
    pub actual: Vec<f64>,
    /// Cumulative expected repeat transactions at the end of those periods.
    pub expected: Vec<f64>,
    /// Repeat transactions observed in each step (differences of `actual`).
    pub actual_incremental: Vec<f64>,
    /// Expected repeat transactions in each step (differences of `expected`).
    pub expected_incremental: Vec<f64>,
}

/// Actual vs expected cumulative repeat transactions (the "tracking" plot).
///
/// - `first_period[i]`: the period (0-based, from the start of the data) of
///   customer `i`'s first purchase; the customers joining in period `c` form
///   cohort `c` of size `n_c`;
/// - `repeat_periods`: the period of each repeat transaction (one entry per
///   customer and period with a purchase after the customer's first period,
///   as the summaries count them);
/// - `n_periods`: periods covered (`t` of `lifetimes`), `multiplier` `m`
///   periods per model unit (`freq_multiplier`, ≥ 1).
///
/// Point `k = 0..⌊n_periods/m⌋` (`i = (k+1)·m`): `actual = #repeat
/// transactions in periods < i`, `expected = Σ_{c < i} n_c · E[X((i − c)/m)]`
/// (module docs). Incremental series are the differences (the first point
/// is its own increment).
///
/// # Errors
/// [`Error::InvalidValue`] for a period that is not a whole number ≥ 0 or
/// `multiplier = 0`; the model's for `E[X(t)]` (a model that is not a
/// transaction model answers [`Error::Unsupported`]).
pub fn tracking_series(
    model: &dyn TransactionModel,
    first_period: &[f64],
    repeat_periods: &[f64],
    n_periods: usize,
    multiplier: usize,
) -> Result<TrackingSeries> {
    if multiplier == 0 {
        return Err(Error::invalid("multiplier", 0, "a whole number >= 1"));
    }
    let cohort = count_by_period("first_period", first_period, n_periods)?;
    let repeats = count_by_period("repeat_periods", repeat_periods, n_periods)?;
    // E[X(j/m)] for j = 1..n_periods, each needed age once.
    let m = multiplier as f64;
    let expected_new: Vec<f64> = (1..=n_periods)
        .map(|j| model.expected_purchases_new(j as f64 / m))
        .collect::<Result<_>>()?;
    let points = n_periods / multiplier;
    let mut out = TrackingSeries {
        time: Vec::with_capacity(points),
        actual: Vec::with_capacity(points),
        expected: Vec::with_capacity(points),
        actual_incremental: Vec::with_capacity(points),
        expected_incremental: Vec::with_capacity(points),
    };
    let mut actual = 0.0;
    let mut done = 0;
    for k in 0..points {
        let i = (k + 1) * multiplier;
        actual += repeats[done..i].iter().sum::<f64>();
        done = i;
        let expected: f64 = (0..i)
            .filter(|&c| cohort[c] > 0.0)
            .map(|c| cohort[c] * expected_new[i - c - 1])
            .sum();
        let (pa, pe) = match k {
            0 => (0.0, 0.0),
            _ => (out.actual[k - 1], out.expected[k - 1]),
        };
        out.time.push((k + 1) as f64);
        out.actual.push(actual);
        out.expected.push(expected);
        out.actual_incremental.push(actual - pa);
        out.expected_incremental.push(expected - pe);
    }
    Ok(out)
}

/// The cohorts and repeat transactions of a transaction log, in periods of
/// a time unit counted from the period of the first transaction
/// ([`tracking_inputs`]): the inputs of [`tracking_series`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackingInputs {
    /// The period of each customer's first purchase (one per customer, in
    /// order of first appearance).
    pub first_period: Vec<f64>,
    /// The period of each repeat transaction: one per customer and later
    /// period with a purchase (several purchases in a period count once, as
    /// the summaries count them).
    pub repeat_periods: Vec<f64>,
    /// The start of period 0 (seconds since 1970-01-01, naive).
    pub start: i64,
}

/// [`TrackingInputs`] from a transaction log: customer `codes` (any `u32`
/// per row) and `timestamps` (seconds since 1970-01-01), periods of
/// `unit`'s calendar period (its multiplier is [`tracking_series`]'s
/// `multiplier`, not used here), as [`TimeUnit::period_index`](crate::time::TimeUnit::period_index) maps them.
///
/// # Errors
/// [`Error::LengthMismatch`]; [`Error::Empty`] for no transaction.
pub fn tracking_inputs(
    codes: &[u32],
    timestamps: &[i64],
    unit: &crate::time::TimeUnit,
) -> Result<TrackingInputs> {
    check::same_len("timestamps", timestamps.len(), "customer ids", codes.len())?;
    let Some(&first_ts) = timestamps.iter().min() else {
        return Err(Error::Empty {
            field: "transactions".into(),
            reason: "there are no transactions to track".into(),
        });
    };
    let base = unit.period_index(first_ts);
    let mut pairs: Vec<(u32, i64)> = codes
        .iter()
        .zip(timestamps)
        .map(|(&c, &ts)| (c, unit.period_index(ts) - base))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut out = TrackingInputs {
        first_period: Vec::new(),
        repeat_periods: Vec::new(),
        start: unit.period_start(base),
    };
    let mut previous = None;
    for (c, p) in pairs {
        if previous == Some(c) {
            out.repeat_periods.push(p as f64);
        } else {
            out.first_period.push(p as f64);
            previous = Some(c);
        }
    }
    Ok(out)
}

/// The tracking series of a transaction log ([`tracking_log`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackingLog {
    /// The series ([`tracking_series`]).
    pub series: TrackingSeries,
    /// The start of period 0, the period of the first transaction (seconds
    /// since 1970-01-01, naive).
    pub start: i64,
    /// Periods tracked.
    pub n_periods: usize,
    /// Where the calibration period ends on the series' time axis (model
    /// units: the periods through the calibration end's period over the
    /// multiplier), when a calibration end is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration_time: Option<f64>,
}

/// The tracking series of a transaction log in one call: [`tracking_inputs`]
/// then [`tracking_series`], with periods of `unit`'s calendar period and
/// `unit.multiplier` of them per model unit (a whole number: `"7d"` gives
/// weekly points on daily periods, as `lifetimes`' `freq_multiplier`), over
/// `n_periods` periods, or by default through the period of `end` (the last
/// transaction without one).
///
/// # Errors
/// [`Error::InvalidValue`] for a multiplier that is not a whole number ≥ 1
/// (field `freq`); those of [`tracking_inputs`] and [`tracking_series`].
pub fn tracking_log(
    model: &dyn TransactionModel,
    codes: &[u32],
    timestamps: &[i64],
    unit: &crate::time::TimeUnit,
    n_periods: Option<usize>,
    end: Option<i64>,
    calibration_end: Option<i64>,
) -> Result<TrackingLog> {
    let m = unit.multiplier;
    if !(m >= 1.0 && m.fract() == 0.0 && m < 1e6) {
        return Err(Error::invalid(
            "freq",
            unit,
            "a unit whose multiplier is a whole number >= 1 (periods per model unit)",
        ));
    }
    let inputs = tracking_inputs(codes, timestamps, unit)?;
    let base = unit.period_index(inputs.start);
    let through = |ts: i64| (unit.period_index(ts) - base + 1).max(0) as usize;
    let last = timestamps.iter().copied().max().unwrap_or(inputs.start);
    let n = n_periods.unwrap_or_else(|| through(end.unwrap_or(last)));
    let series = tracking_series(
        model,
        &inputs.first_period,
        &inputs.repeat_periods,
        n,
        m as usize,
    )?;
    Ok(TrackingLog {
        series,
        start: inputs.start,
        n_periods: n,
        calibration_time: calibration_end.map(|ts| through(ts) as f64 / m),
    })
}

/// P(alive) of one customer along their life ([`alive_path`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlivePath {
    /// Age `T = 0, 1, …` in periods since the first purchase period.
    #[serde(rename = "T")]
    pub t: Vec<f64>,
    /// Repeat purchase periods by then (`x`).
    pub frequency: Vec<f64>,
    /// Age at the last purchase period by then (`t_x`).
    pub recency: Vec<f64>,
    /// `P(alive | x, t_x, T)` of the model.
    pub prob_alive: Vec<f64>,
}

/// P(alive) of a customer at each age `T = 0..max(t, len − 1)`, from
/// `purchases[k]`, the customer's number of purchases in period `k` after
/// the first purchase period (element 0, which must have a purchase). At age
/// `T`: `x` = periods `1..=T` with a purchase, `t_x` = the last of them (0
/// without one), then the model's `P(alive | x, t_x, T)` — the path
/// `lifetimes.utils.calculate_alive_path` computes, periods beyond the data
/// having no purchase.
///
/// # Errors
/// [`Error::InvalidValue`] for a count that is negative or not finite, or
/// `purchases[0] = 0`; [`Error::Empty`] for no purchase at all; the model's.
pub fn alive_path(model: &dyn TransactionModel, purchases: &[f64], t: usize) -> Result<AlivePath> {
    if purchases.is_empty() {
        return Err(Error::Empty {
            field: "purchases".into(),
            reason: "the customer needs a first purchase (period 0)".into(),
        });
    }
    check::counts_first_positive(
        "purchases",
        purchases,
        "a count > 0 (period 0 is the first purchase period)",
    )?;
    let len = purchases.len().max(t + 1);
    let (mut x, mut tx) = (0.0, 0.0);
    let mut path = AlivePath {
        t: Vec::with_capacity(len),
        frequency: Vec::with_capacity(len),
        recency: Vec::with_capacity(len),
        prob_alive: Vec::new(),
    };
    for k in 0..len {
        if k > 0 && purchases.get(k).copied().unwrap_or(0.0) > 0.0 {
            x += 1.0;
            tx = k as f64;
        }
        path.t.push(k as f64);
        path.frequency.push(x);
        path.recency.push(tx);
    }
    path.prob_alive = model.prob_alive(&path.frequency, &path.recency, &path.t)?;
    Ok(path)
}

/// The quantity of a [`frequency_recency_matrix`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MatrixOf {
    /// `P(alive | x, t_x, T)`.
    ProbAlive,
    /// `E[Y(t) | x, t_x, T]`: expected purchases in the next `t` units.
    ExpectedPurchases(f64),
}

impl MatrixOf {
    /// `"prob_alive"` (JS `"probAlive"`) or `"expected_purchases"`
    /// (`"expectedPurchases"`) over the next `t` units.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming `what` for another name.
    pub fn parse(what: &str, t: f64) -> Result<Self> {
        crate::error::parse_name(
            "what",
            what,
            &[
                ("prob_alive", MatrixOf::ProbAlive),
                ("probAlive", MatrixOf::ProbAlive),
                ("expected_purchases", MatrixOf::ExpectedPurchases(t)),
                ("expectedPurchases", MatrixOf::ExpectedPurchases(t)),
            ],
        )
    }
}

/// The grid of [`frequency_recency_matrix`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrequencyRecencyMatrix {
    /// Row-major values, element `[t_x · columns + x]`.
    pub values: Vec<f64>,
    /// Rows: recency `0..=max_recency`.
    pub rows: usize,
    /// Columns: frequency `0..=max_frequency`.
    pub columns: usize,
}

/// The frequency/recency matrix of `lifetimes`' heat maps: element
/// `[t_x][x]` (row-major, `(max_recency + 1) × (max_frequency + 1)`) is the
/// quantity for a customer of age `T = max_recency` with `x = 0..=max_frequency`
/// repeat purchases, the last at `t_x = 0..=max_recency` — every cell,
/// `x > 0` with `t_x = 0` included (FHL 2005, Figures 5 and 6).
///
/// # Errors
/// [`Error::InvalidValue`] for a grid above 10⁷ cells (field
/// `max_frequency`); the model's.
pub fn frequency_recency_matrix(
    model: &dyn TransactionModel,
    what: MatrixOf,
    max_frequency: usize,
    max_recency: usize,
) -> Result<FrequencyRecencyMatrix> {
    let (nf, nr) = (max_frequency + 1, max_recency + 1);
    if nf.saturating_mul(nr) > 10_000_000 {
        return Err(Error::invalid(
            "max_frequency",
            max_frequency,
            format!("a grid of at most 1e7 cells (with max_recency = {max_recency})"),
        ));
    }
    let mut x = Vec::with_capacity(nf * nr);
    let mut tx = Vec::with_capacity(nf * nr);
    for r in 0..nr {
        for f in 0..nf {
            x.push(f as f64);
            tx.push(r as f64);
        }
    }
    let age = vec![max_recency as f64; nf * nr];
    let values = match what {
        MatrixOf::ProbAlive => model.prob_alive(&x, &tx, &age),
        MatrixOf::ExpectedPurchases(t) => model.expected_purchases(t, &x, &tx, &age),
    }?;
    Ok(FrequencyRecencyMatrix {
        values,
        rows: nr,
        columns: nf,
    })
}

/// Customers by number of repeat purchases ([`period_transactions`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodTransactions {
    /// Bucket labels: `"0"`, `"1"`, …, `"K-1"`, `"K+"`.
    pub labels: Vec<String>,
    /// Customers (weights) with `k` repeat purchases; last: `≥ K`.
    pub actual: Vec<f64>,
    /// `Σ_i w_i P(X(T_i) = k)`; last: `Σ_i w_i P(X(T_i) ≥ K)`.
    pub expected: Vec<f64>,
}

/// Actual vs expected number of customers with `k = 0..K−1` repeat purchases
/// and with `K` or more (`K = max_frequency`), each customer `i` observed
/// for `T_i` units: `expected_k = Σ_i w_i P(X(T_i) = k)` and
/// `expected_{K+} = Σ_i w_i (1 − Σ_{k<K} P(X(T_i) = k))` (FHL 2005, Figure
/// 2; exact expected counts where `lifetimes` draws one simulation).
/// `weights` (customers per row) default to 1.
///
/// # Errors
/// [`Error::LengthMismatch`]; [`Error::InvalidValue`] for a frequency that is
/// not a whole number ≥ 0, an age that is not finite and ≥ 0, a negative
/// weight or `max_frequency = 0`; the model's.
pub fn period_transactions(
    model: &dyn TransactionModel,
    frequency: &[f64],
    t: &[f64],
    weights: Option<&[f64]>,
    max_frequency: usize,
) -> Result<PeriodTransactions> {
    if max_frequency == 0 {
        return Err(Error::invalid("max_frequency", 0, "a whole number >= 1"));
    }
    check::same_len("T", t.len(), "frequency", frequency.len())?;
    if let Some(w) = weights {
        check::same_len("weights", w.len(), "frequency", frequency.len())?;
        check::all_non_negative("weights", w)?;
    }
    check::all_non_negative("T", t)?;
    let k_max = max_frequency;
    let mut actual = vec![0.0; k_max + 1];
    // customers by age, in order of first appearance: P(X(T) = k) once per age
    let mut ages: Vec<(f64, f64)> = Vec::new();
    let mut index: ahash::AHashMap<u64, usize> = ahash::AHashMap::new();
    for (i, (&x, &ti)) in frequency.iter().zip(t).enumerate() {
        let x = period("frequency", i, x)?;
        let w = weights.map_or(1.0, |w| w[i]);
        actual[x.min(k_max)] += w;
        let slot = *index.entry(ti.to_bits()).or_insert_with(|| {
            ages.push((ti, 0.0));
            ages.len() - 1
        });
        ages[slot].1 += w;
    }
    let mut expected = vec![0.0; k_max + 1];
    for &(age, w) in &ages {
        let mut below = 0.0;
        for (k, e) in expected.iter_mut().enumerate().take(k_max) {
            let p = model.prob_purchases(k as u32, age)?;
            below += p;
            *e += w * p;
        }
        expected[k_max] += w * (1.0 - below).max(0.0);
    }
    let mut labels: Vec<String> = (0..k_max).map(|k| k.to_string()).collect();
    labels.push(format!("{k_max}+"));
    Ok(PeriodTransactions {
        labels,
        actual,
        expected,
    })
}

/// The calibration column that groups [`calibration_vs_holdout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldoutGroup {
    /// Repeat purchases in the calibration period, `x`.
    Frequency,
    /// Age at the last purchase, `t_x`.
    Recency,
    /// Age at the end of calibration, `T`.
    T,
    /// `T − t_x`.
    TimeSinceLastPurchase,
}

impl std::str::FromStr for HoldoutGroup {
    type Err = Error;
    /// `frequency`, `recency`, `T`, `time_since_last_purchase` (also with
    /// lifetimes' `_cal` suffix).
    fn from_str(s: &str) -> Result<Self> {
        crate::error::parse_name(
            "kind",
            s.strip_suffix("_cal").unwrap_or(s),
            &[
                ("frequency", HoldoutGroup::Frequency),
                ("recency", HoldoutGroup::Recency),
                ("T", HoldoutGroup::T),
                (
                    "time_since_last_purchase",
                    HoldoutGroup::TimeSinceLastPurchase,
                ),
            ],
        )
    }
}

/// Mean holdout purchases by group ([`calibration_vs_holdout`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldoutComparison {
    /// The value of the grouping column, ascending.
    pub key: Vec<f64>,
    /// Customers (weights) in the group.
    pub customers: Vec<f64>,
    /// Mean observed holdout purchases.
    pub actual: Vec<f64>,
    /// Mean `E[Y(duration_i) | x_i, t_x,i, T_i]`.
    pub expected: Vec<f64>,
}

/// Mean holdout purchases, actual (`frequency_holdout`) vs expected
/// (`E[Y(duration_holdout_i) | x_i, t_x,i, T_i]`, the model's conditional
/// expectation; `duration_holdout` one value for everyone or one per customer), by the distinct values of a calibration column, ascending,
/// the first `max_groups` groups (FHL 2005, Figure 4;
/// `lifetimes.plotting.plot_calibration_purchases_vs_holdout_purchases`).
///
/// # Errors
/// [`Error::LengthMismatch`]; [`Error::InvalidValue`] for a negative or
/// non-finite holdout count or duration; the model's checks of the
/// calibration customers.
#[allow(clippy::too_many_arguments)] // the summary's five columns, the grouping and its limit
pub fn calibration_vs_holdout(
    model: &dyn TransactionModel,
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
    frequency_holdout: &[f64],
    duration_holdout: &[f64],
    group: HoldoutGroup,
    max_groups: usize,
) -> Result<HoldoutComparison> {
    let n = frequency.len();
    let one;
    let duration_holdout = match duration_holdout {
        [d] if n != 1 => {
            one = vec![*d; n];
            &one[..]
        }
        d => d,
    };
    let columns = [frequency, recency, t, frequency_holdout, duration_holdout];
    let expected = holdout_expected(model, columns)?;
    let key = |i: usize| match group {
        HoldoutGroup::Frequency => frequency[i],
        HoldoutGroup::Recency => recency[i],
        HoldoutGroup::T => t[i],
        HoldoutGroup::TimeSinceLastPurchase => t[i] - recency[i],
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| key(a).total_cmp(&key(b)));
    let mut out = HoldoutComparison {
        key: Vec::new(),
        customers: Vec::new(),
        actual: Vec::new(),
        expected: Vec::new(),
    };
    for i in order {
        let k = key(i);
        if out.key.last() != Some(&k) {
            if out.key.len() == max_groups {
                break;
            }
            out.key.push(k);
            out.customers.push(0.0);
            out.actual.push(0.0);
            out.expected.push(0.0);
        }
        let g = out.key.len() - 1;
        out.customers[g] += 1.0;
        out.actual[g] += frequency_holdout[i];
        out.expected[g] += expected[i];
    }
    for g in 0..out.key.len() {
        out.actual[g] /= out.customers[g];
        out.expected[g] /= out.customers[g];
    }
    Ok(out)
}

/// Each customer's `E[Y(duration_holdout_i) | x_i, t_x,i, T_i]` of the
/// columns `[frequency, recency, T, frequency_holdout, duration_holdout]`,
/// after checking the holdout columns (lengths, ≥ 0) and the calibration
/// customers.
fn holdout_expected(model: &dyn TransactionModel, columns: [&[f64]; 5]) -> Result<Vec<f64>> {
    let [frequency, recency, t, frequency_holdout, duration_holdout] = columns;
    let n = frequency.len();
    check::same_len("frequency_holdout", frequency_holdout.len(), "frequency", n)?;
    check::same_len("duration_holdout", duration_holdout.len(), "frequency", n)?;
    check::all_non_negative("frequency_holdout", frequency_holdout)?;
    check::all_non_negative("duration_holdout", duration_holdout)?;
    model.validate(frequency, recency, t)?;
    model.expected_purchases_each(duration_holdout, frequency, recency, t)
}

/// The calibration-frequency buckets of [`holdout_check`] used by `clv
/// report`: 0, 1, 2, 3, 4-6 and 7+ repeat purchases (lower edges).
pub const FREQUENCY_BUCKETS: [f64; 6] = [0.0, 1.0, 2.0, 3.0, 4.0, 7.0];

/// Holdout purchases of one bucket of customers ([`holdout_check`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldoutBucket {
    /// `"0"`, `"4-6"`, `"7+"`: the calibration frequencies of the bucket.
    pub label: String,
    /// Lowest calibration frequency of the bucket (inclusive).
    pub from: f64,
    /// Start of the next bucket (exclusive); `None` for the last, open one.
    pub to: Option<f64>,
    /// Customers in the bucket.
    pub customers: usize,
    /// Σ `frequency_holdout`: the purchases they made in the holdout.
    pub actual: f64,
    /// Σ `E[Y(duration_holdout) | x, t_x, T]`: the purchases the model
    /// predicted for them.
    pub predicted: f64,
}

/// Predicted vs actual holdout purchases, in total and by bucket of
/// calibration frequency ([`holdout_check`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldoutCheck {
    /// One row per bucket, in the order of the edges (empty buckets kept).
    pub buckets: Vec<HoldoutBucket>,
    /// All customers.
    pub customers: usize,
    /// Σ `frequency_holdout` over all customers.
    pub actual: f64,
    /// Σ of the model's conditional expectations over all customers.
    pub predicted: f64,
}

impl HoldoutCheck {
    /// `(predicted − actual) / actual`, the relative error of the total
    /// (`None` when nobody bought in the holdout).
    #[must_use]
    pub fn relative_error(&self) -> Option<f64> {
        (self.actual > 0.0).then(|| (self.predicted - self.actual) / self.actual)
    }
}

/// The model check of a calibration/holdout split in totals: per customer
/// the model's conditional expectation of purchases over the holdout,
/// `E[Y(duration_holdout_i) | x_i, t_x,i, T_i]` (FHL 2005 eq. 10), summed
/// and set against the purchases observed there (`frequency_holdout`), in
/// total and by bucket of calibration frequency `x` (the grouping of FHL
/// 2005, Figure 4, with totals instead of means: what a business compares
/// with its sales). Bucket `k` holds the customers with
/// `lower_edges[k] ≤ x < lower_edges[k + 1]`; the last bucket is open.
/// [`FREQUENCY_BUCKETS`] gives 0, 1, 2, 3, 4-6, 7+.
///
/// # Errors
/// [`Error::InvalidValue`] (field `lower_edges`) unless the edges are
/// finite, strictly increasing and start at 0; [`Error::LengthMismatch`];
/// [`Error::InvalidValue`] for a negative holdout count or duration; the
/// model's checks of the calibration customers.
///
/// # Example
/// ```
/// use clv::diagnostics::{holdout_check, FREQUENCY_BUCKETS};
/// use clv::BetaGeo;
/// use clv::models::TransactionModel;
/// let m = BetaGeo::from_params(0.243, 4.414, 0.793, 2.426)?; // FHL 2005, CDNOW
/// let (x, tx, t) = ([0.0, 1.0, 5.0], [0.0, 10.0, 30.0], [32.0, 32.0, 32.0]);
/// let check = holdout_check(&m, &x, &tx, &t, &[0.0, 2.0, 4.0], &[39.0; 3], &FREQUENCY_BUCKETS)?;
/// let labels: Vec<&str> = check.buckets.iter().map(|b| b.label.as_str()).collect();
/// assert_eq!(labels, ["0", "1", "2", "3", "4-6", "7+"]);
/// assert_eq!((check.actual, check.buckets[4].actual, check.buckets[4].customers), (6.0, 4.0, 1));
/// let e = m.expected_purchases(39.0, &x, &tx, &t)?;
/// assert!((check.predicted - e.iter().sum::<f64>()).abs() < 1e-12);
/// # Ok::<(), clv::Error>(())
/// ```
#[allow(clippy::too_many_arguments)] // the summary's five columns and the buckets
pub fn holdout_check(
    model: &dyn TransactionModel,
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
    frequency_holdout: &[f64],
    duration_holdout: &[f64],
    lower_edges: &[f64],
) -> Result<HoldoutCheck> {
    let ok = lower_edges.first() == Some(&0.0)
        && lower_edges.iter().all(|e| e.is_finite())
        && lower_edges.windows(2).all(|w| w[0] < w[1]);
    if !ok {
        return Err(Error::invalid(
            "lower_edges",
            format!("{lower_edges:?}"),
            "finite, strictly increasing bucket edges starting at 0",
        ));
    }
    let n = frequency.len();
    let columns = [frequency, recency, t, frequency_holdout, duration_holdout];
    let expected = holdout_expected(model, columns)?;
    let mut buckets: Vec<HoldoutBucket> = lower_edges
        .iter()
        .enumerate()
        .map(|(k, &from)| {
            let to = lower_edges.get(k + 1).copied();
            let label = match to {
                None => format!("{from}+"),
                Some(to) if to - from == 1.0 && from.fract() == 0.0 => format!("{from}"),
                Some(to) if to.fract() == 0.0 && from.fract() == 0.0 => {
                    format!("{from}-{}", to - 1.0)
                }
                Some(to) => format!("{from}-<{to}"),
            };
            HoldoutBucket {
                label,
                from,
                to,
                customers: 0,
                actual: 0.0,
                predicted: 0.0,
            }
        })
        .collect();
    for i in 0..n {
        // the last edge ≤ x (edges start at 0 and x ≥ 0 after validate)
        let k = lower_edges.partition_point(|&e| e <= frequency[i]) - 1;
        let b = &mut buckets[k];
        b.customers += 1;
        b.actual += frequency_holdout[i];
        b.predicted += expected[i];
    }
    Ok(HoldoutCheck {
        customers: n,
        actual: frequency_holdout.iter().sum(),
        predicted: expected.iter().sum(),
        buckets,
    })
}

/// A mixing distribution of individual rates or probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "distribution", rename_all = "snake_case")]
pub enum Mixing {
    /// Gamma with `shape` and `rate` (mean `shape/rate`).
    Gamma {
        /// Shape (`r` or `s`).
        shape: f64,
        /// Rate (`α` or `β`).
        rate: f64,
    },
    /// Beta(`a`, `b`) (mean `a/(a+b)`).
    Beta {
        /// First shape.
        a: f64,
        /// Second shape.
        b: f64,
    },
}

impl Mixing {
    /// Mean: `shape/rate`; `a/(a+b)`.
    #[must_use]
    pub fn mean(&self) -> f64 {
        match *self {
            Mixing::Gamma { shape, rate } => shape / rate,
            Mixing::Beta { a, b } => a / (a + b),
        }
    }

    /// Variance: `shape/rate²`; `ab/((a+b)²(a+b+1))`.
    #[must_use]
    pub fn variance(&self) -> f64 {
        match *self {
            Mixing::Gamma { shape, rate } => shape / (rate * rate),
            Mixing::Beta { a, b } => a * b / ((a + b) * (a + b) * (a + b + 1.0)),
        }
    }

    /// The density at each `x` (`statrs`; +∞ where it is unbounded, e.g. at
    /// 0 with shape < 1).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for shapes that are not finite and > 0.
    pub fn pdf(&self, x: &[f64]) -> Result<Vec<f64>> {
        match *self {
            Mixing::Gamma { shape, rate } => {
                let d = Gamma::new(shape, rate)
                    .map_err(|e| Error::invalid("shape", shape, e.to_string()))?;
                Ok(x.iter().map(|&v| d.pdf(v)).collect())
            }
            Mixing::Beta { a, b } => {
                let d = Beta::new(a, b).map_err(|e| Error::invalid("a", a, e.to_string()))?;
                Ok(x.iter().map(|&v| d.pdf(v)).collect())
            }
        }
    }

    /// The `p` quantile (`statrs` inverse CDF).
    ///
    /// # Errors
    /// As [`Self::pdf`]; `p` must lie in [0, 1].
    pub fn quantile(&self, p: f64) -> Result<f64> {
        check::in_closed("p", p, 0.0, 1.0)?;
        match *self {
            Mixing::Gamma { shape, rate } => Gamma::new(shape, rate)
                .map(|d| d.inverse_cdf(p))
                .map_err(|e| Error::invalid("shape", shape, e.to_string())),
            Mixing::Beta { a, b } => Beta::new(a, b)
                .map(|d| d.inverse_cdf(p))
                .map_err(|e| Error::invalid("a", a, e.to_string())),
        }
    }

    /// The density on `points` equally spaced values from 0 to the 99%
    /// quantile (the grid `lifetimes` plots): `(x, pdf(x))`.
    ///
    /// # Errors
    /// As [`Self::pdf`]; `points ≥ 2`.
    pub fn density_curve(&self, points: usize) -> Result<(Vec<f64>, Vec<f64>)> {
        if points < 2 {
            return Err(Error::invalid("points", points, "a whole number >= 2"));
        }
        let hi = self.quantile(0.99)?;
        let x: Vec<f64> = (0..points)
            .map(|i| hi * i as f64 / (points - 1) as f64)
            .collect();
        let y = self.pdf(&x)?;
        Ok((x, y))
    }
}

/// Which individual-level quantity a [`Mixing`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heterogeneity {
    /// How often customers buy: λ (Gamma(r, α)) in the NBD models, p
    /// (Beta(α, β)) in BG/BB.
    TransactionRate,
    /// How soon customers leave: p (Beta(a, b)) in BG/NBD and MBG/NBD, μ
    /// (Gamma(s, β)) in Pareto/NBD, θ (Beta(γ, δ)) in BG/BB, θ (Beta(α, β))
    /// in sBG.
    Dropout,
}

impl std::str::FromStr for Heterogeneity {
    type Err = Error;
    /// `"transaction_rate"` (JS `"transactionRate"`) or `"dropout"`.
    fn from_str(s: &str) -> Result<Self> {
        crate::error::parse_name(
            "what",
            s,
            &[
                ("transaction_rate", Heterogeneity::TransactionRate),
                ("transactionRate", Heterogeneity::TransactionRate),
                ("dropout", Heterogeneity::Dropout),
            ],
        )
    }
}

/// A mixing distribution with its density curve ([`heterogeneity`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MixingCurve {
    /// `"gamma"` (`a` the shape, `b` the rate) or `"beta"` (`a`, `b`).
    pub distribution: &'static str,
    /// First parameter.
    pub a: f64,
    /// Second parameter.
    pub b: f64,
    /// Mean ([`Mixing::mean`]).
    pub mean: f64,
    /// Variance ([`Mixing::variance`]).
    pub variance: f64,
    /// `points` values from 0 to the 99% quantile.
    pub x: Vec<f64>,
    /// The density at `x`.
    pub pdf: Vec<f64>,
}

/// The model's mixing distribution of `which` quantity with its density on
/// `points` values from 0 to its 99% quantile ([`Heterogeneity::of`],
/// [`Mixing::density_curve`]).
///
/// # Errors
/// Those of [`Heterogeneity::of`] and [`Mixing::density_curve`].
pub fn heterogeneity(model: &AnyModel, which: Heterogeneity, points: usize) -> Result<MixingCurve> {
    let mixing = which.of(model)?;
    let (x, pdf) = mixing.density_curve(points)?;
    let (distribution, a, b) = match mixing {
        Mixing::Gamma { shape, rate } => ("gamma", shape, rate),
        Mixing::Beta { a, b } => ("beta", a, b),
    };
    Ok(MixingCurve {
        distribution,
        a,
        b,
        mean: mixing.mean(),
        variance: mixing.variance(),
        x,
        pdf,
    })
}

impl Heterogeneity {
    /// The model's mixing distribution of this quantity, from its
    /// parameters (the papers of [`crate::models`]).
    ///
    /// # Errors
    /// [`Error::Unsupported`] for a model without one (Gamma-Gamma;
    /// GGom/NBD's dropout, whose Gompertz hazard has no single rate).
    pub fn of(self, model: &AnyModel) -> Result<Mixing> {
        let v = model.values();
        let gamma = |shape: f64, rate: f64| Mixing::Gamma { shape, rate };
        let beta = |a: f64, b: f64| Mixing::Beta { a, b };
        use Heterogeneity::{Dropout, TransactionRate};
        Ok(match (model.kind(), self) {
            (ModelKind::BgNbd | ModelKind::MbgNbd, TransactionRate)
            | (ModelKind::ParetoNbd | ModelKind::GgomNbd, TransactionRate) => gamma(v[0], v[1]),
            (ModelKind::BgNbd | ModelKind::MbgNbd, Dropout) => beta(v[2], v[3]),
            (ModelKind::ParetoNbd, Dropout) => gamma(v[2], v[3]),
            (ModelKind::BgBb, TransactionRate) => beta(v[0], v[1]),
            (ModelKind::BgBb, Dropout) => beta(v[2], v[3]),
            (ModelKind::Sbg, Dropout) => beta(v[0], v[1]),
            (kind, what) => {
                return Err(Error::Unsupported {
                    model: kind.spec().name.to_string(),
                    operation: match what {
                        TransactionRate => "transaction_rate_heterogeneity",
                        Dropout => "dropout_heterogeneity",
                    }
                    .to_string(),
                    reason: "the model has no single mixing distribution of this quantity"
                        .to_string(),
                });
            }
        })
    }
}

/// The customers in the order of the exposure plot (pymc-marketing's
/// `plot_customer_exposure`): by age `T`, then `recency`, ties in input
/// order. Each customer is drawn as a line from the first purchase (0) to
/// the last (`recency`) and on to the end of observation (`T`), in the
/// summary's unit.
///
/// # Errors
/// [`Error::LengthMismatch`] (field `T`); [`Error::InvalidValue`] naming
/// `recency` or `T` and the customer's index for a value that is not finite
/// and ≥ 0, or a recency above T.
pub fn customer_exposure(recency: &[f64], t: &[f64]) -> Result<Vec<usize>> {
    crate::error::check::same_len("T", t.len(), "recency", recency.len())?;
    for (i, (&r, &tt)) in recency.iter().zip(t).enumerate() {
        if !(tt.is_finite() && tt >= 0.0) {
            return Err(Error::invalid_at("T", i, tt, "a finite number >= 0"));
        }
        if !(r.is_finite() && (0.0..=tt).contains(&r)) {
            return Err(Error::invalid_at(
                "recency",
                i,
                r,
                format!("a number in [0, T = {tt}]"),
            ));
        }
    }
    let mut order: Vec<usize> = (0..t.len()).collect();
    order.sort_by(|&a, &b| {
        t[a].total_cmp(&t[b])
            .then(recency[a].total_cmp(&recency[b]))
    });
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelInfo;

    fn fhl() -> AnyModel {
        // Fader, Hardie & Lee (2005) CDNOW estimates
        AnyModel::from_values(ModelKind::BgNbd, &[0.243, 4.414, 0.793, 2.426]).unwrap()
    }

    #[test]
    fn tracking_sums_the_unconditional_expectation_by_cohort() {
        let m = fhl();
        // cohorts: 2 customers in period 0, 1 in period 2; repeats in periods 1, 3, 3, 5
        let s = tracking_series(&m, &[0.0, 0.0, 2.0], &[1.0, 3.0, 3.0, 5.0], 6, 1).unwrap();
        let e = |t: f64| m.expected_purchases_new(t).unwrap();
        assert_eq!(s.time, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(s.actual, vec![0.0, 1.0, 1.0, 3.0, 3.0, 4.0]);
        for (k, got) in s.expected.iter().enumerate() {
            let i = (k + 1) as f64;
            let want = 2.0 * e(i) + if i > 2.0 { e(i - 2.0) } else { 0.0 };
            assert!((got - want).abs() < 1e-12, "{k}: {got} vs {want}");
        }
        assert!((s.expected_incremental[3] - (s.expected[3] - s.expected[2])).abs() < 1e-15);
        // two periods per unit: points at i = 2, 4, 6 with ages (i - c)/2
        let s2 = tracking_series(&m, &[0.0, 0.0, 2.0], &[1.0, 3.0, 3.0, 5.0], 6, 2).unwrap();
        assert_eq!(s2.actual, vec![1.0, 3.0, 4.0]);
        assert!((s2.expected[2] - (2.0 * e(3.0) + e(2.0))).abs() < 1e-12);
        let err = tracking_series(&m, &[0.5], &[], 3, 1).unwrap_err();
        assert_eq!(
            (err.code(), err.field()),
            ("INVALID_INPUT", Some("first_period"))
        );
    }

    #[test]
    fn tracking_inputs_from_a_log() {
        use crate::time::{TimeUnit, parse_timestamp};
        let ts = |d: &str| parse_timestamp(d, None).unwrap();
        // customer 5: Wed 1997-01-01, Thu 1997-01-02 (same ISO week), 1997-01-09;
        // customer 2: 1997-01-08 (week 1) and 1997-01-20 (week 3)
        let codes = [5, 5, 5, 2, 2];
        let t = [
            ts("1997-01-01"),
            ts("1997-01-02"),
            ts("1997-01-09"),
            ts("1997-01-08"),
            ts("1997-01-20"),
        ];
        let week = TimeUnit::parse("W").unwrap();
        let i = tracking_inputs(&codes, &t, &week).unwrap();
        assert_eq!(i.first_period, vec![1.0, 0.0]); // customer 2 first (sorted codes), then 5
        assert_eq!(i.repeat_periods, vec![3.0, 1.0]);
        assert_eq!(i.start, ts("1996-12-30")); // the Monday of the first week
        let day = TimeUnit::parse("D").unwrap();
        let d = tracking_inputs(&codes, &t, &day).unwrap();
        assert_eq!(d.first_period, vec![7.0, 0.0]);
        assert_eq!(d.repeat_periods, vec![19.0, 1.0, 8.0]);
        assert_eq!(
            tracking_inputs(&[], &[], &day).unwrap_err().code(),
            "EMPTY_INPUT"
        );
        // the whole log through 1997-01-26 (4 weeks from Monday 1996-12-30), calibration to
        // 1997-01-12 (2 weeks)
        let m = fhl();
        let log = tracking_log(
            &m,
            &codes,
            &t,
            &week,
            None,
            Some(ts("1997-01-26")),
            Some(ts("1997-01-12")),
        )
        .unwrap();
        assert_eq!((log.n_periods, log.calibration_time), (4, Some(2.0)));
        let direct = tracking_series(&m, &i.first_period, &i.repeat_periods, 4, 1).unwrap();
        assert_eq!(log.series, direct);
        assert_eq!(log.series.actual, vec![0.0, 1.0, 1.0, 2.0]);
        // 7-day units on daily periods: days through the last transaction, points every 7 days
        let seven = TimeUnit::parse("7d").unwrap();
        let log = tracking_log(&m, &codes, &t, &seven, None, None, None).unwrap();
        assert_eq!(log.n_periods, 20); // 1997-01-01 .. 1997-01-20
        assert_eq!(log.series.time, vec![1.0, 2.0]);
        let half = TimeUnit::parse("0.5d").unwrap();
        let e = tracking_log(&m, &codes, &t, &half, None, None, None).unwrap_err();
        assert_eq!(e.field(), Some("freq"));
    }

    #[test]
    fn alive_path_is_prob_alive_at_each_age() {
        let m = fhl();
        // purchases in periods 0, 2 (twice) and 5; path to age 8
        let p = alive_path(&m, &[1.0, 0.0, 2.0, 0.0, 0.0, 1.0], 8).unwrap();
        assert_eq!(p.t.len(), 9);
        assert_eq!(
            p.frequency,
            vec![0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0]
        );
        assert_eq!(p.recency, vec![0.0, 0.0, 2.0, 2.0, 2.0, 5.0, 5.0, 5.0, 5.0]);
        for k in [0usize, 3, 8] {
            let want = m
                .prob_alive(&[p.frequency[k]], &[p.recency[k]], &[k as f64])
                .unwrap()[0];
            assert_eq!(p.prob_alive[k], want);
        }
        let e = alive_path(&m, &[0.0, 1.0], 3).unwrap_err();
        assert_eq!(e.field(), Some("purchases"));
    }

    #[test]
    fn matrices_are_the_predictions_cell_by_cell() {
        let m = fhl();
        let g = frequency_recency_matrix(&m, MatrixOf::parse("prob_alive", 1.0).unwrap(), 3, 5)
            .unwrap();
        assert_eq!((g.rows, g.columns), (6, 4));
        let z = g.values;
        assert_eq!(z.len(), 24);
        // row t_x = 4, column x = 2: P(alive | 2, 4, 5)
        assert_eq!(
            z[4 * 4 + 2],
            m.prob_alive(&[2.0], &[4.0], &[5.0]).unwrap()[0]
        );
        // x = 1 with t_x = 0 is computed too
        assert!(z[1].is_finite() && z[1] > 0.0);
        let e =
            frequency_recency_matrix(&m, MatrixOf::parse("expectedPurchases", 2.0).unwrap(), 3, 5)
                .unwrap()
                .values;
        let want = m.expected_purchases(2.0, &[3.0], &[5.0], &[5.0]).unwrap()[0];
        assert_eq!(e[5 * 4 + 3], want);
    }

    #[test]
    fn period_transactions_expected_counts_sum_to_the_customers() {
        let m = fhl();
        let x = [0.0, 0.0, 1.0, 3.0, 9.0];
        let t = [10.0, 20.0, 10.0, 30.0, 30.0];
        let w = [1.0, 2.0, 1.0, 1.0, 3.0];
        let d = period_transactions(&m, &x, &t, Some(&w), 3).unwrap();
        assert_eq!(d.labels, vec!["0", "1", "2", "3+"]);
        assert_eq!(d.actual, vec![3.0, 1.0, 0.0, 4.0]);
        let total: f64 = d.expected.iter().sum();
        assert!((total - 8.0).abs() < 1e-12);
        let p = |k: u32, t: f64| m.prob_purchases(k, t).unwrap();
        let want1 = 2.0 * p(1, 10.0) + 2.0 * p(1, 20.0) + 4.0 * p(1, 30.0);
        assert!((d.expected[1] - want1).abs() < 1e-12);
    }

    #[test]
    fn holdout_groups_by_calibration_frequency() {
        let m = fhl();
        let (x, tx, t) = ([0.0, 1.0, 1.0, 2.0], [0.0, 5.0, 8.0, 9.0], [10.0; 4]);
        let (fh, dh) = ([0.0, 1.0, 2.0, 3.0], [5.0; 4]);
        let c =
            calibration_vs_holdout(&m, &x, &tx, &t, &fh, &dh, HoldoutGroup::Frequency, 2).unwrap();
        assert_eq!(c.key, vec![0.0, 1.0]);
        assert_eq!(c.customers, vec![1.0, 2.0]);
        assert_eq!(c.actual, vec![0.0, 1.5]);
        let e = m.expected_purchases(5.0, &x, &tx, &t).unwrap();
        assert!((c.expected[1] - (e[1] + e[2]) / 2.0).abs() < 1e-15);
        let g: HoldoutGroup = "time_since_last_purchase".parse().unwrap();
        assert_eq!(g, HoldoutGroup::TimeSinceLastPurchase);
        assert_eq!("T_cal".parse::<HoldoutGroup>().unwrap(), HoldoutGroup::T);
    }

    #[test]
    fn mixing_distributions() {
        let m = fhl();
        let g = Heterogeneity::TransactionRate.of(&m).unwrap();
        assert_eq!(
            g,
            Mixing::Gamma {
                shape: 0.243,
                rate: 4.414
            }
        );
        assert!((g.mean() - 0.243 / 4.414).abs() < 1e-15);
        assert!((g.variance() - 0.243 / 4.414f64.powi(2)).abs() < 1e-15);
        // Gamma pdf by hand: α^r x^(r−1) e^(−αx) / Γ(r)
        let x: f64 = 0.05;
        let want = 4.414f64.powf(0.243) * x.powf(0.243 - 1.0) * (-4.414 * x).exp()
            / statrs::function::gamma::ln_gamma(0.243).exp();
        assert!((g.pdf(&[x]).unwrap()[0] - want).abs() < 1e-10 * want);
        let (xs, ys) = g.density_curve(100).unwrap();
        assert_eq!((xs.len(), ys.len(), xs[0]), (100, 100, 0.0));
        let q = g.quantile(0.99).unwrap();
        assert!((xs[99] - q).abs() < 1e-12);
        let b = Heterogeneity::Dropout.of(&m).unwrap();
        assert!((b.mean() - 0.793 / (0.793 + 2.426)).abs() < 1e-15);
        let gg = AnyModel::from_values(ModelKind::GammaGamma, &[6.25, 3.74, 15.44]).unwrap();
        let e = Heterogeneity::Dropout.of(&gg).unwrap_err();
        assert_eq!(e.code(), "NOT_SUPPORTED");
        assert_eq!(gg.kind(), ModelKind::GammaGamma);
        // the one conversion the bindings return: names in both spellings
        let which: Heterogeneity = "transactionRate".parse().unwrap();
        let c = heterogeneity(&m, which, 100).unwrap();
        assert_eq!((c.distribution, c.a, c.b), ("gamma", 0.243, 4.414));
        assert_eq!((c.x, c.pdf), (xs, ys));
        assert_eq!((c.mean, c.variance), (g.mean(), g.variance()));
        let d = heterogeneity(&m, "dropout".parse().unwrap(), 5).unwrap();
        assert_eq!((d.distribution, d.a, d.b), ("beta", 0.793, 2.426));
        let e = "churn".parse::<Heterogeneity>().unwrap_err();
        assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("what")));
        let e = MatrixOf::parse("alive", 1.0).unwrap_err();
        assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("what")));
    }

    #[test]
    fn one_holdout_duration_serves_every_customer() {
        let m = fhl();
        let (x, tx, t, fh) = ([0.0, 1.0, 2.0], [0.0, 3.0, 4.0], [6.0; 3], [0.0, 1.0, 1.0]);
        let one = calibration_vs_holdout(&m, &x, &tx, &t, &fh, &[5.0], HoldoutGroup::Frequency, 7)
            .unwrap();
        let each =
            calibration_vs_holdout(&m, &x, &tx, &t, &fh, &[5.0; 3], HoldoutGroup::Frequency, 7)
                .unwrap();
        assert_eq!(one, each);
        let e = calibration_vs_holdout(&m, &x, &tx, &t, &fh, &[5.0; 2], HoldoutGroup::T, 7)
            .unwrap_err();
        assert_eq!(e.field(), Some("duration_holdout"));
    }

    #[test]
    fn customer_exposure_orders_by_t_then_recency() {
        let order = customer_exposure(&[3.0, 1.0, 0.0, 2.0], &[5.0, 5.0, 2.0, 9.0]).unwrap();
        assert_eq!(order, [2, 1, 0, 3]);
        // ties keep the input order
        assert_eq!(customer_exposure(&[1.0, 1.0], &[4.0, 4.0]).unwrap(), [0, 1]);
        let e = customer_exposure(&[3.0], &[2.0]).unwrap_err();
        assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("recency")));
        assert_eq!(
            customer_exposure(&[1.0], &[1.0, 2.0]).unwrap_err().code(),
            "LENGTH_MISMATCH"
        );
        assert_eq!(
            customer_exposure(&[0.0], &[f64::NAN]).unwrap_err().field(),
            Some("T")
        );
    }
}
