//! # Time-varying covariates for the Pareto/NBD
//!
//! Bachmann, Meierer & Näf (2021), "The Role of Time-Varying Contextual
//! Factors in Latent Attrition Models for Customer Base Analysis",
//! *Marketing Science* 40(4), 783–809; CLVTools' `pnbd` on a
//! `clv.data.dynamic.covariates` object (`SetDynamicCovariates`).
//!
//! ## The model
//! Covariates are given per customer per period (a long table: customer,
//! period start, values), one row per time unit of the fit (e.g. weekly
//! rows for weekly units, as CLVTools requires), from the customer's first
//! purchase (the row whose period holds it) to the calibration end, and on
//! to the end of any prediction horizon. A row holds for one unit from its
//! start; a missing period, or two rows in one, is an error naming the
//! customer and date (nothing is filled in). While alive,
//! customer i buys as a Poisson process of rate `λ·a(t)` and leaves at the
//! hazard `μ·c(t)`, with
//! ```text
//! a(t) = exp(γ_pᵀ z^p(t))     c(t) = exp(γ_dᵀ z^d(t))     λ ~ Gamma(r, α₀)   μ ~ Gamma(s, β₀)
//! ```
//! piecewise constant in t. With the clock started at the first purchase,
//! `A(τ) = ∫₀^τ a`, `C(τ) = ∫₀^τ c` (piecewise linear), x repeat purchases
//! at `t_1 … t_x = t_x` and the calibration end at T, the individual
//! likelihood given (λ, μ) is
//! `Π_j λ a(t_j) · [e^{−λA(T) − μC(T)} + ∫_{t_x}^T e^{−λA(τ)} μ c(τ) e^{−μC(τ)} dτ]`
//! (alive at T, or gone at τ ∈ (t_x, T]). Integrating λ and μ out:
//! ```text
//! L_i = e^{γ_pᵀ S_i} · Γ(r+x)/Γ(r) · α₀^r · [ (α₀+A(T))^{−(r+x)} (β₀/(β₀+C(T)))^s
//!        + s β₀^s ∫_{t_x}^T c(τ) (α₀+A(τ))^{−(r+x)} (β₀+C(τ))^{−(s+1)} dτ ]
//! ```
//! with `S_i = Σ_j z^p(t_j)`, the purchase covariates at the repeat
//! purchases (CLVTools' `A1sum`, the log of the purchase walk's last value
//! summed over the transactions). With covariates constant in time,
//! `A(τ) = e^{γ_pᵀz}τ` and `C(τ) = e^{γ_dᵀz}τ`, and `L_i` is the static
//! model's with `α_i = α₀e^{−γ_pᵀz}`, `β_i = β₀e^{−γ_dᵀz}`
//! ([`super`]'s links): the test of this module.
//!
//! The integral runs over the covariate periods between t_x and T: on each
//! the integrand is smooth (A, C linear), and it is computed by adaptive
//! Gauss–Kronrod quadrature to 1e-11 relative (the GGom/NBD routine),
//! together with the integrals the analytic gradient needs (differentiation
//! under the integral sign: `∂/∂γ_p` of `−(r+x) ln(α₀+A(τ))` is
//! `−(r+x)(∂A_k + a_k z^p_k (τ−τ_k))/(α₀+A(τ))` on period k starting at
//! τ_k, and likewise for C). Consecutive periods with the same covariate
//! values are merged first, so constant covariates cost one interval.
//!
//! ## Predictions
//! Alive at T, the posterior of λ is Gamma(r+x, α₀+A(T)) and of μ
//! Gamma(s, β₀+C(T)), independent, so with the covariates of the prediction
//! periods (which the table must cover):
//! ```text
//! P(alive | data)             = first bracket term / whole bracket
//! E[X(T, T+h) | data]         = P(alive) · (r+x)/(α₀+A(T)) · ∫_T^{T+h} a(u) ((β₀+C(T))/(β₀+C(u)))^s du
//! discounted (rate δ)         = the same with e^{−δ(u−T)} in the integral
//! ```
//! (the paper's CET and DECT; the discounted sum here runs over the given
//! horizon, as far as the covariates are known).

use std::collections::HashMap;

use statrs::function::gamma::{digamma, ln_gamma};

use super::{
    CovariateLikelihood, CovariateModel, CovariateModelKind, CovariateOptions, check_names, dot,
    fit_likelihood, same_count,
};
use crate::error::{Error, Result};
use crate::models::ggom_nbd::gk_log;
use crate::summary::{CustomerIds, SummaryOptions, summarize_coded};
use crate::time::{TimeUnit, format_timestamp};

/// A long table of time-varying covariates: one row per customer and
/// period, `(customer id, period start, values…)`.
///
/// Checked when built: distinct, non-empty names; one column per name; every
/// value finite (nothing is ever filled in).
#[derive(Debug, Clone, PartialEq)]
pub struct CovariateTable {
    names: Vec<String>,
    ids: Vec<String>,
    period_start: Vec<i64>,
    /// Row-major, `ids.len() × names.len()`.
    values: Vec<f64>,
}

impl CovariateTable {
    /// A table from its columns: `ids[j]`, `period_start[j]` (seconds since
    /// 1970-01-01, naive) and `columns[·][j]` make row j.
    ///
    /// # Errors
    /// Names (distinct, non-empty; field `covariates`), one column per name,
    /// every column and `period_start` as long as `ids`
    /// ([`Error::LengthMismatch`]), values finite ([`Error::InvalidValue`],
    /// field `covariates.NAME`, index the row).
    pub fn new<S: AsRef<str>, C: AsRef<str>>(
        names: &[S],
        ids: &[C],
        period_start: &[i64],
        columns: &[&[f64]],
    ) -> Result<Self> {
        let names = check_names(names)?;
        same_count(columns.len(), names.len())?;
        let n = ids.len();
        crate::error::check::same_len("period_start", period_start.len(), "covariate ids", n)?;
        for (name, col) in names.iter().zip(columns) {
            crate::error::check::same_len(
                &format!("covariates.{name}"),
                col.len(),
                "covariate ids",
                n,
            )?;
            if let Some(j) = col.iter().position(|v| !v.is_finite()) {
                return Err(Error::invalid_at(
                    format!("covariates.{name}"),
                    j,
                    col[j],
                    "a finite number (covariates are never filled in)",
                ));
            }
        }
        let k = names.len();
        let mut values = vec![0.0; n * k];
        for (c, col) in columns.iter().enumerate() {
            for (j, &v) in col.iter().enumerate() {
                values[j * k + c] = v;
            }
        }
        Ok(CovariateTable {
            names,
            ids: ids.iter().map(|s| s.as_ref().to_string()).collect(),
            period_start: period_start.to_vec(),
            values,
        })
    }

    /// The covariate names, in column order.
    #[must_use]
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// `true` without rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn columns_of(&self, process: &str, wanted: &[String]) -> Result<Vec<usize>> {
        wanted
            .iter()
            .enumerate()
            .map(|(i, w)| {
                self.names.iter().position(|n| n == w).ok_or_else(|| {
                    Error::invalid_at(
                        format!("{process}_covariates"),
                        i,
                        w,
                        format!(
                            "a column of the covariate table [{}]",
                            self.names.join(", ")
                        ),
                    )
                })
            })
            .collect()
    }
}

/// Customers of a transaction log with their covariate walks: the summary
/// `(x, t_x, T)` and, per customer, the covariate periods from the first
/// purchase to the end of the table (merged where the values repeat), in
/// time units from the first purchase.
#[derive(Debug, Clone, PartialEq)]
pub struct DynamicData {
    /// Customer ids, byte-sorted (the summary's order).
    pub customer_id: Vec<String>,
    /// Repeat purchase periods x.
    pub frequency: Vec<f64>,
    /// t_x, in units from the first purchase.
    pub recency: Vec<f64>,
    /// T, in units from the first purchase.
    pub t: Vec<f64>,
    unit: TimeUnit,
    purchase_names: Vec<String>,
    dropout_names: Vec<String>,
    /// First purchase of each customer (its period's start, a timestamp).
    first: Vec<i64>,
    /// Customer i's periods are `offsets[i]..offsets[i + 1]`.
    offsets: Vec<usize>,
    /// Start of each period (units from the customer's first purchase; the
    /// first is 0).
    start: Vec<f64>,
    /// End of each customer's last period.
    end: Vec<f64>,
    /// Purchase covariates per period, row-major.
    zp: Vec<f64>,
    /// Dropout covariates per period, row-major.
    zd: Vec<f64>,
    /// `S_i`: the purchase covariates summed over the repeat purchases.
    sum_zp: Vec<f64>,
}

/// One customer's periods.
struct Walk<'a> {
    start: &'a [f64],
    end: f64,
    zp: &'a [f64],
    zd: &'a [f64],
    kp: usize,
    kd: usize,
}

impl Walk<'_> {
    fn len(&self) -> usize {
        self.start.len()
    }

    fn hi(&self, k: usize) -> f64 {
        self.start.get(k + 1).copied().unwrap_or(self.end)
    }

    fn zp(&self, k: usize) -> &[f64] {
        &self.zp[k * self.kp..(k + 1) * self.kp]
    }

    fn zd(&self, k: usize) -> &[f64] {
        &self.zd[k * self.kd..(k + 1) * self.kd]
    }
}

/// One period of a walk with the cumulative intensities at its start.
#[derive(Debug, Clone, Copy)]
struct Piece {
    k: usize,
    lo: f64,
    hi: f64,
    /// `a_k = e^{γ_pᵀ z^p_k}`.
    a: f64,
    /// `η_d,k = γ_dᵀ z^d_k`.
    eta_d: f64,
    /// `A(lo)`, `C(lo)`.
    a_cum: f64,
    c_cum: f64,
}

impl Piece {
    fn c(&self) -> f64 {
        self.eta_d.exp()
    }
}

/// `(A(t), C(t))` from periods cumulated from 0 (`t` at most the last
/// period's end; 0 before the first).
fn cumulated(pieces: &[Piece], t: f64) -> (f64, f64) {
    pieces
        .iter()
        .rev()
        .find(|p| p.lo < t)
        .map_or((0.0, 0.0), |p| {
            let d = p.hi.min(t) - p.lo;
            (p.a_cum + p.a * d, p.c_cum + p.c() * d)
        })
}

impl DynamicData {
    /// The customers of a transaction log (summarised with `options`, as
    /// [`crate::summary::summarize`]: its unit, observation and calibration ends) with the
    /// covariates of `table` named in `purchase` and `dropout`.
    ///
    /// # Errors
    /// Those of [`crate::summary::summarize`]; a name not in the table (field
    /// `purchase_covariates` / `dropout_covariates`, index the name);
    /// two rows for one customer and period (field `covariates.period_start`,
    /// index the row); a customer without rows, or whose rows start after
    /// their first purchase or end before the calibration end (field
    /// `covariates`, index the customer in the output order, value the
    /// id). Rows of customers not in the summary are not used.
    pub fn new<S: AsRef<str>, N: AsRef<str>>(
        customer_ids: &[S],
        timestamps: &[i64],
        table: &CovariateTable,
        purchase: &[N],
        dropout: &[N],
        options: &SummaryOptions,
    ) -> Result<Self> {
        let ids = CustomerIds::intern(customer_ids);
        Self::from_coded(&ids, timestamps, table, purchase, dropout, options)
    }

    /// [`DynamicData::new`] for ids already interned (e.g. those of a
    /// transaction file read by [`crate::io`]), summarised by
    /// [`summarize_coded`]: no id is hashed again per row.
    ///
    /// # Errors
    /// As [`DynamicData::new`].
    pub fn from_coded<N: AsRef<str>>(
        ids: &CustomerIds,
        timestamps: &[i64],
        table: &CovariateTable,
        purchase: &[N],
        dropout: &[N],
        options: &SummaryOptions,
    ) -> Result<Self> {
        let purchase_names = check_names(purchase)?;
        let dropout_names = check_names(dropout)?;
        let cp = table.columns_of("purchase", &purchase_names)?;
        let cd = table.columns_of("dropout", &dropout_names)?;
        let summary = summarize_coded(ids, timestamps, None, options)?;
        let unit = summary.unit;
        let n = summary.len();
        let index: HashMap<&str, usize> = summary
            .customer_id
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        // the purchase periods of the window, as the summary selects them
        let in_window = |ts: i64| match summary.calibration_end {
            Some(c) => ts <= c,
            None => unit.period_index(ts) <= unit.period_index(summary.observation_end),
        };
        // each code's customer (the summary checked the codes)
        let customer_of: Vec<Option<usize>> = ids
            .names
            .iter()
            .map(|name| index.get(name.as_str()).copied())
            .collect();
        let mut periods: Vec<Vec<i64>> = vec![Vec::new(); n];
        for (&code, &ts) in ids.codes.iter().zip(timestamps) {
            if let Some(&Some(i)) = customer_of.get(code as usize)
                && in_window(ts)
            {
                periods[i].push(unit.period_index(ts));
            }
        }
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (j, id) in table.ids.iter().enumerate() {
            if let Some(&i) = index.get(id.as_str()) {
                rows[i].push(j);
            }
        }
        let (kp, kd) = (cp.len(), cd.len());
        let k_all = table.names.len();
        let mut data = DynamicData {
            customer_id: Vec::new(),
            frequency: summary.frequency.clone(),
            recency: summary.recency.clone(),
            t: summary.t.clone(),
            unit,
            purchase_names,
            dropout_names,
            first: Vec::with_capacity(n),
            offsets: vec![0],
            start: Vec::new(),
            end: Vec::with_capacity(n),
            zp: Vec::new(),
            zd: Vec::new(),
            sum_zp: vec![0.0; n * kp],
        };
        let units = |p: i64, p0: i64| (p - p0) as f64 / unit.multiplier;
        for i in 0..n {
            let id = &summary.customer_id[i];
            let p = &mut periods[i];
            p.sort_unstable();
            p.dedup();
            let p0 = p[0];
            let (x, tx) = (p.len() - 1, units(p[p.len() - 1], p0));
            if x as f64 != summary.frequency[i] || tx != summary.recency[i] {
                return Err(Error::invalid_at(
                    "transactions",
                    i,
                    id,
                    format!(
                        "the summary's x = {}, t_x = {} (found x = {x}, t_x = {tx}): an internal \
                         inconsistency, please report it",
                        summary.frequency[i], summary.recency[i]
                    ),
                ));
            }
            let r = &mut rows[i];
            r.sort_by_key(|&j| table.period_start[j]);
            if let Some(w) = r.windows(2).find(|w| {
                unit.period_index(table.period_start[w[0]])
                    == unit.period_index(table.period_start[w[1]])
            }) {
                return Err(Error::invalid_at(
                    "covariates.period_start",
                    w[1],
                    format_timestamp(table.period_start[w[1]]),
                    format!(
                        "one row per customer and period (customer {id} has two in this period)"
                    ),
                ));
            }
            let first_ts = unit.period_start(p0);
            let missing = |what: String| {
                Error::invalid_at(
                    "covariates",
                    i,
                    id,
                    format!("{what} (covariates are never filled in)"),
                )
            };
            let starts: Vec<f64> = r
                .iter()
                .map(|&j| units(unit.period_index(table.period_start[j]), p0))
                .collect();
            let Some(k0) = starts.iter().rposition(|&s| s <= 0.0) else {
                return Err(missing(match r.first() {
                    None => "rows for every customer (this one has none)".into(),
                    Some(&j) => format!(
                        "rows from the first purchase on {} (this customer's start on {})",
                        format_timestamp(first_ts),
                        format_timestamp(table.period_start[j])
                    ),
                }));
            };
            // one row per period: consecutive starts one unit apart
            if let Some(k) =
                (k0 + 1..starts.len()).find(|&k| (starts[k] - starts[k - 1] - 1.0).abs() > 1e-9)
            {
                let j = r[k];
                return Err(Error::invalid_at(
                    "covariates.period_start",
                    j,
                    format_timestamp(table.period_start[j]),
                    format!(
                        "one row per period of {unit}, without gaps (customer {id}: the row before \
                         starts on {})",
                        format_timestamp(table.period_start[r[k - 1]])
                    ),
                ));
            }
            let end = starts[starts.len() - 1] + 1.0;
            if end < summary.t[i] {
                return Err(missing(format!(
                    "rows up to the calibration end, {} units after the first purchase (this \
                     customer's last row covers up to {end})",
                    summary.t[i]
                )));
            }
            let value = |j: usize, c: usize| table.values[j * k_all + c];
            let base = data.start.len();
            for (k, &j) in r.iter().enumerate().skip(k0) {
                let same = data.start.len() > base && {
                    let last = data.start.len() - 1;
                    cp.iter()
                        .enumerate()
                        .all(|(q, &c)| data.zp[last * kp + q] == value(j, c))
                        && cd
                            .iter()
                            .enumerate()
                            .all(|(q, &c)| data.zd[last * kd + q] == value(j, c))
                };
                if same {
                    continue;
                }
                data.start.push(if k == k0 { 0.0 } else { starts[k] });
                data.zp.extend(cp.iter().map(|&c| value(j, c)));
                data.zd.extend(cd.iter().map(|&c| value(j, c)));
            }
            data.offsets.push(data.start.len());
            data.end.push(end);
            data.first.push(first_ts);
            let walk = data.walk(i);
            let mut sum = vec![0.0; kp];
            for &q in &p[1..] {
                let u = units(q, p0);
                let k = walk.start.partition_point(|&s| s <= u) - 1;
                for (a, z) in sum.iter_mut().zip(walk.zp(k)) {
                    *a += z;
                }
            }
            data.sum_zp[i * kp..(i + 1) * kp].copy_from_slice(&sum);
        }
        data.customer_id = summary.customer_id;
        Ok(data)
    }

    /// Number of customers.
    #[must_use]
    pub fn len(&self) -> usize {
        self.frequency.len()
    }

    /// `true` without customers.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.frequency.is_empty()
    }

    /// The purchase covariates' names.
    #[must_use]
    pub fn purchase_names(&self) -> &[String] {
        &self.purchase_names
    }

    /// The dropout covariates' names.
    #[must_use]
    pub fn dropout_names(&self) -> &[String] {
        &self.dropout_names
    }

    /// The time unit of `frequency`, `recency`, `T` and the horizons.
    #[must_use]
    pub fn unit(&self) -> TimeUnit {
        self.unit
    }

    /// How many covariate periods (after merging repeats) each customer has.
    #[must_use]
    pub fn periods(&self, i: usize) -> usize {
        self.offsets[i + 1] - self.offsets[i]
    }

    fn walk(&self, i: usize) -> Walk<'_> {
        let (lo, hi) = (self.offsets[i], self.offsets[i + 1]);
        let (kp, kd) = (self.purchase_names.len(), self.dropout_names.len());
        Walk {
            start: &self.start[lo..hi],
            end: self.end[i],
            zp: &self.zp[lo * kp..hi * kp],
            zd: &self.zd[lo * kd..hi * kd],
            kp,
            kd,
        }
    }

    /// Customer i's periods up to `until`, each with A and C at its start.
    fn pieces(&self, i: usize, gp: &[f64], gd: &[f64], until: f64) -> Vec<Piece> {
        let w = self.walk(i);
        let (mut a_cum, mut c_cum) = (0.0, 0.0);
        let mut out = Vec::with_capacity(w.len());
        for k in 0..w.len() {
            let lo = w.start[k];
            if lo >= until {
                break;
            }
            let hi = w.hi(k).min(until);
            let p = Piece {
                k,
                lo,
                hi,
                a: dot(gp, w.zp(k)).exp(),
                eta_d: dot(gd, w.zd(k)),
                a_cum,
                c_cum,
            };
            a_cum += p.a * (hi - lo);
            c_cum += p.c() * (hi - lo);
            out.push(p);
        }
        out
    }

    /// The smallest `γ_dᵀ z^d` over customer i's periods up to T (where
    /// `β_i = β₀e^{−η}` is largest), for the boundary check.
    pub(super) fn min_dropout_eta(&self, i: usize, gd: &[f64]) -> f64 {
        self.pieces(i, &[], gd, self.t[i])
            .iter()
            .map(|p| p.eta_d)
            .fold(f64::INFINITY, f64::min)
    }

    /// Merges the weight of every customer into the first customer with an
    /// identical likelihood term, whose weight it adds to (the others get
    /// weight 0 and are skipped): the same x, t_x, T, `S_i` and periods up
    /// to T (starts, ends, purchase and dropout covariates), compared bit
    /// for bit. The time-varying counterpart of [`super::compress`],
    /// applied by every fit: customers acquired on the same day share their
    /// calendar (CLVTools' apparel cohort: one acquisition day), so many
    /// terms repeat. The log-likelihood and its gradient are those of the
    /// unmerged weights, summed in another order.
    pub(super) fn merge_identical(&self, weights: &mut [f64]) {
        let mut first: HashMap<Vec<u64>, usize> = HashMap::new();
        for i in 0..self.len() {
            if weights[i] == 0.0 {
                continue;
            }
            match first.entry(self.term_key(i)) {
                std::collections::hash_map::Entry::Occupied(e) => {
                    let j = *e.get();
                    weights[j] += weights[i];
                    weights[i] = 0.0;
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(i);
                }
            }
        }
    }

    /// Everything customer i's likelihood term depends on, as bits (the
    /// periods as [`DynamicData::pieces`] cuts them at T).
    fn term_key(&self, i: usize) -> Vec<u64> {
        let t = self.t[i];
        let kp = self.purchase_names.len();
        let mut key: Vec<u64> = [self.frequency[i], self.recency[i], t]
            .iter()
            .chain(&self.sum_zp[i * kp..(i + 1) * kp])
            .map(|v| v.to_bits())
            .collect();
        let w = self.walk(i);
        for k in 0..w.len() {
            let lo = w.start[k];
            if lo >= t {
                break;
            }
            key.push(lo.to_bits());
            key.push(w.hi(k).min(t).to_bits());
            key.extend(w.zp(k).iter().chain(w.zd(k)).map(|v| v.to_bits()));
        }
        key
    }

    /// Every covariate must vary somewhere among the periods (up to T) of the
    /// customers who count.
    pub(super) fn check_for_fit(&self, weights: &[f64]) -> Result<()> {
        crate::error::check::same_len("weights", weights.len(), "frequency", self.len())?;
        for (process, names, z, k) in [
            (
                "purchase",
                &self.purchase_names,
                &self.zp,
                self.purchase_names.len(),
            ),
            (
                "dropout",
                &self.dropout_names,
                &self.zd,
                self.dropout_names.len(),
            ),
        ] {
            for (c, name) in names.iter().enumerate() {
                let mut seen: Option<f64> = None;
                let mut varies = false;
                'customers: for i in (0..self.len()).filter(|&i| weights[i] > 0.0) {
                    let lo = self.offsets[i];
                    for q in lo..self.offsets[i + 1] {
                        if self.start[q] >= self.t[i] && q > lo {
                            break;
                        }
                        let v = z[q * k + c];
                        if seen.is_some_and(|s| s != v) {
                            varies = true;
                            break 'customers;
                        }
                        seen = Some(v);
                    }
                }
                if !varies {
                    return Err(Error::invalid(
                        format!("{process}_covariates.{name}"),
                        format!("constant {}", seen.unwrap_or(f64::NAN)),
                        "a covariate that varies across customers or periods (a constant one \
                         is not identified beside the model's scale parameter)",
                    ));
                }
            }
        }
        Ok(())
    }

    /// `(w·ln L_i, P(alive at T))` (module docs) at `base = (r, α₀, s, β₀)`
    /// and the full effect vectors, adding `w·∂ ln L_i` to `g_base`, `dp`
    /// and `dd`. (P(alive) is the share of the bracket's first term.)
    pub(super) fn ln_lik_customer(
        &self,
        i: usize,
        base: &[f64],
        [gp, gd]: [&[f64]; 2],
        w: f64,
        g_base: &mut [f64],
        [dp, dd]: [&mut Vec<f64>; 2],
    ) -> (f64, f64) {
        let (r, alpha, s, beta) = (base[0], base[1], base[2], base[3]);
        let (x, tx, t) = (self.frequency[i], self.recency[i], self.t[i]);
        let (m, n) = (r + x, s + 1.0);
        let walk = self.walk(i);
        let pieces = self.pieces(i, gp, gd, t);
        let (a_t, c_t) = cumulated(&pieces, t);
        let (ln_s, ln_b) = (s.ln(), beta.ln());
        // ln of each bracket term: alive at T, then gone in each period
        let ln_alive = -m * (alpha + a_t).ln() + s * (ln_b - (beta + c_t).ln());
        let mut gone: Vec<(Piece, f64, [f64; 6])> = Vec::new();
        for p in pieces.iter().filter(|p| p.hi > tx) {
            let c = p.c();
            let (ln_j, h) = gk_log(p.lo.max(tx), p.hi, |tau| {
                let u = tau - p.lo;
                let pa = alpha + p.a_cum + p.a * u;
                let qc = beta + p.c_cum + c * u;
                let (lpa, lqc) = (pa.ln(), qc.ln());
                (
                    -m * lpa - n * lqc,
                    [lpa, 1.0 / pa, u / pa, lqc, 1.0 / qc, u / qc],
                )
            });
            if ln_j > f64::NEG_INFINITY {
                gone.push((*p, ln_s + s * ln_b + p.eta_d + ln_j, h));
            }
        }
        let top = gone.iter().map(|g| g.1).fold(ln_alive, f64::max);
        let sum = (ln_alive - top).exp() + gone.iter().map(|g| (g.1 - top).exp()).sum::<f64>();
        let ln_br = top + sum.ln();
        let s_i = &self.sum_zp[i * gp.len()..(i + 1) * gp.len()];
        let ll = dot(gp, s_i) + ln_gamma(m) - ln_gamma(r) + r * alpha.ln() + ln_br;
        // gradient: each term's share of the bracket times its own gradient
        let w1 = (ln_alive - ln_br).exp();
        let mut g = [
            digamma(m) - digamma(r) + alpha.ln() - w1 * (alpha + a_t).ln(),
            r / alpha - w1 * m / (alpha + a_t),
            w1 * (ln_b - (beta + c_t).ln()),
            w1 * s * (1.0 / beta - 1.0 / (beta + c_t)),
        ];
        for (j, z) in s_i.iter().enumerate() {
            dp[j] += w * z;
        }
        // ∂A, ∂C at each period's start (cumulated), and at T
        let mut da = vec![0.0; gp.len()];
        let mut dc = vec![0.0; gd.len()];
        let mut next = gone.iter().peekable();
        for p in &pieces {
            if let Some((q, ln_t, h)) = next.peek().copied()
                && q.k == p.k
            {
                next.next();
                let wk = (ln_t - ln_br).exp();
                let c = p.c();
                g[0] -= wk * h[0];
                g[1] -= wk * m * h[1];
                g[2] += wk * (1.0 / s + ln_b - h[3]);
                g[3] += wk * (s / beta - n * h[4]);
                let zp = walk.zp(p.k);
                for j in 0..gp.len() {
                    dp[j] -= w * wk * m * (da[j] * h[1] + p.a * zp[j] * h[2]);
                }
                let zd = walk.zd(p.k);
                for j in 0..gd.len() {
                    dd[j] += w * wk * (zd[j] - n * (dc[j] * h[4] + c * zd[j] * h[5]));
                }
            }
            let len = p.hi - p.lo;
            for (a, z) in da.iter_mut().zip(walk.zp(p.k)) {
                *a += p.a * z * len;
            }
            let c = p.c();
            for (a, z) in dc.iter_mut().zip(walk.zd(p.k)) {
                *a += c * z * len;
            }
        }
        for j in 0..gp.len() {
            dp[j] -= w * w1 * m * da[j] / (alpha + a_t);
        }
        for j in 0..gd.len() {
            dd[j] -= w * w1 * s * dc[j] / (beta + c_t);
        }
        for (o, v) in g_base.iter_mut().zip(g) {
            *o += w * v;
        }
        (w * ll, w1)
    }

    /// `(P(alive), (r+x)/(α₀+A(T)) · ∫_T^{T+h} e^{−δ(u−T)} a(u)
    /// ((β₀+C(T))/(β₀+C(u)))^s du)` of customer i (module docs).
    fn predict(&self, i: usize, m: &CovariateModel, h: f64, rate: f64) -> Result<(f64, f64)> {
        let [r, alpha, s, beta] = m.base[..] else {
            return Err(unsupported_model(m.kind().model().spec().name));
        };
        let t = self.t[i];
        if self.end[i] < t + h {
            return Err(Error::invalid_at(
                "covariates",
                i,
                &self.customer_id[i],
                format!(
                    "rows for the prediction periods, up to {} units after the first purchase \
                     (T + horizon; this customer's last row covers up to {}; covariates are \
                     never filled in)",
                    t + h,
                    self.end[i]
                ),
            ));
        }
        let (gp, gd) = (&m.purchase_effects, &m.dropout_effects);
        let mut g = [0.0; 4];
        let (mut dp, mut dd) = (vec![0.0; gp.len()], vec![0.0; gd.len()]);
        let (_, p_alive) =
            self.ln_lik_customer(i, &m.base, [gp, gd], 1.0, &mut g, [&mut dp, &mut dd]);
        if h == 0.0 {
            return Ok((p_alive, 0.0));
        }
        let pieces = self.pieces(i, gp, gd, t + h);
        let (a_t, c_t) = cumulated(&pieces, t);
        let ln_ct = (beta + c_t).ln();
        let mut total = 0.0;
        for p in pieces.iter().filter(|p| p.hi > t) {
            let c = p.c();
            let (ln_j, _) = gk_log::<0>(p.lo.max(t), p.hi, |u| {
                let cu = p.c_cum + c * (u - p.lo);
                (-rate * (u - t) + s * (ln_ct - (beta + cu).ln()), [])
            });
            total += p.a * ln_j.exp();
        }
        Ok((
            p_alive,
            p_alive * (r + self.frequency[i]) / (alpha + a_t) * total,
        ))
    }

    fn each(&self, m: &CovariateModel, f: impl Fn(usize) -> Result<f64>) -> Result<Vec<f64>> {
        m.check_dynamic(self)?;
        (0..self.len()).map(f).collect()
    }
}

impl CovariateModel {
    fn check_dynamic(&self, data: &DynamicData) -> Result<()> {
        if self.layout.kind != CovariateModelKind(crate::models::ModelKind::ParetoNbd) {
            return Err(unsupported_model(self.layout.kind.name()));
        }
        for (process, have, want) in [
            (
                "purchase",
                &data.purchase_names,
                &self.layout.purchase_names,
            ),
            ("dropout", &data.dropout_names, &self.layout.dropout_names),
        ] {
            if have != want {
                return Err(Error::invalid(
                    format!("{process}_covariates"),
                    format!("[{}]", have.join(", ")),
                    format!(
                        "the model's covariates [{}], in that order",
                        want.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// P(alive at T | data) of each customer of `data`, with their
    /// time-varying covariates (module docs).
    ///
    /// # Errors
    /// [`Error::Unsupported`] unless the model is a Pareto/NBD; the data's
    /// covariate names must be the model's, in order.
    pub fn prob_alive_dynamic(&self, data: &DynamicData) -> Result<Vec<f64>> {
        data.each(self, |i| Ok(data.predict(i, self, 0.0, 0.0)?.0))
    }

    /// E[X(T, T+h) | data] of each customer of `data` (the paper's CET),
    /// with the covariates of the prediction periods.
    ///
    /// # Errors
    /// As [`CovariateModel::prob_alive_dynamic`]; `h` finite and ≥ 0; a
    /// customer whose covariates end before T + h ([`Error::InvalidValue`],
    /// field `covariates`, the customer's index and id).
    pub fn expected_purchases_dynamic(&self, h: f64, data: &DynamicData) -> Result<Vec<f64>> {
        crate::error::check::non_negative("t", h)?;
        data.each(self, |i| Ok(data.predict(i, self, h, 0.0)?.1))
    }

    /// The discounted expected purchases over (T, T+h] (the paper's DECT
    /// over the horizon the covariates cover): `∫ e^{−δ(u−T)} dE[X(T,u)]`
    /// with the continuous discount rate δ per unit.
    ///
    /// # Errors
    /// As [`CovariateModel::expected_purchases_dynamic`]; `rate` finite and
    /// ≥ 0.
    pub fn discounted_expected_purchases_dynamic(
        &self,
        h: f64,
        rate: f64,
        data: &DynamicData,
    ) -> Result<Vec<f64>> {
        crate::error::check::non_negative("t", h)?;
        crate::error::check::non_negative("discount_rate", rate)?;
        data.each(self, |i| Ok(data.predict(i, self, h, rate)?.1))
    }

    /// ln L_i of each customer of `data` with their time-varying covariates.
    ///
    /// # Errors
    /// As [`CovariateModel::prob_alive_dynamic`].
    pub fn log_likelihood_dynamic(&self, data: &DynamicData) -> Result<Vec<f64>> {
        let (gp, gd) = (&self.purchase_effects, &self.dropout_effects);
        data.each(self, |i| {
            let mut g = [0.0; 4];
            let (mut dp, mut dd) = (vec![0.0; gp.len()], vec![0.0; gd.len()]);
            Ok(data
                .ln_lik_customer(i, &self.base, [gp, gd], 1.0, &mut g, [&mut dp, &mut dd])
                .0)
        })
    }
}

/// The refusal of time-varying covariates for `model` (any model but the
/// Pareto/NBD): [`Error::Unsupported`], operation `time-varying
/// covariates`. Callers that know the model before reading any data (the
/// CLI) refuse with it too.
#[must_use]
pub fn unsupported_model(model: &str) -> Error {
    Error::Unsupported {
        model: model.into(),
        operation: "time-varying covariates".into(),
        reason: "only the Pareto/NBD takes time-varying covariates (Bachmann, Meierer & Näf \
                 2021)"
            .into(),
    }
}

/// Fits the Pareto/NBD with time-varying covariates (module docs): the
/// same parameters, penalties, constraints, standard errors and boundary
/// reports as a static fit ([`super::fit`]).
///
/// # Errors
/// Those of [`CovariateLikelihood::dynamic`] and of the static fit.
pub fn fit(
    data: &DynamicData,
    weights: Option<&[f64]>,
    options: &CovariateOptions,
) -> Result<CovariateModel> {
    fit_likelihood(
        CovariateLikelihood::dynamic(data, weights, options)?,
        options,
    )
}
