//! # Portfolio: the customer base as a set of value-generating assets
//!
//! B2B customer value management looks at the whole base at once: who
//! creates and who destroys value, how concentrated it is, which value is at
//! risk, and how far one may go to keep an account.
//!
//! - [`whale_curve`]: customers sorted by value (revenue, contribution margin
//!   or CLV — margins may be negative), the cumulative share of the total,
//!   its peak ("the top 20 % make 150 % of the margin"), top-k shares, the
//!   value destroyers and the Gini coefficient (Kaplan & Narayanan 2001,
//!   "Measuring and Managing Customer Profitability", *J. Cost Management*
//!   15(5), introduced the whale curve of cumulative customer profitability).
//! - [`value_tiers`]: A/B/C tiers by cumulative share of value (default A =
//!   the top 80 %, B = the next 15 %, C = the rest) or by value quantiles.
//! - [`revenue_at_risk`] / [`risk_ranking`]: value × (1 − P(alive)) per
//!   customer, the total, and the customers ranked by value at stake;
//!   [`risk_ranking_with_lost`] lists the likely lost customers (P(alive)
//!   below [`LIKELY_LOST_BELOW`]) apart.
//! - [`offer_ceiling`]: the most one may spend to keep a customer.
//!
//! ## Conventions shared by every function here
//! - Values must be finite ([`Error::InvalidValue`] naming the element
//!   otherwise); an empty input is [`Error::Empty`]. Nothing is dropped.
//! - Customers are sorted by value, largest first; **ties keep their input
//!   order** (a stable sort). Shares, tiers and the Gini coefficient do not
//!   depend on the order within ties (tiers are assigned per distinct value,
//!   see [`value_tiers`]); only [`WhaleCurve::order`] lists tied customers in
//!   input order.
//! - Shares are fractions of the **total** value Σ v_i, which must be > 0: a
//!   share of a zero or negative total (all margins negative, or gains and
//!   losses cancelling out) has no meaning, and [`whale_curve`] and
//!   [`value_tiers`] (by share) return [`Error::InvalidValue`] with field
//!   `values` for it.
//! - "The top p of customers" is the top k = ⌈p·n⌉ customers (at least one):
//!   the smallest group that is at least a fraction p of the base. (p·n is
//!   rounded to the nearest integer first when it is within 1e-9 of it, so
//!   that 0.2 · 10 is 2 customers, not 3 through floating-point error.)

use serde::Serialize;

use crate::error::{Error, Result, check};

/// The fractions of customers whose value share [`whale_curve`] reports:
/// the top 1 %, 5 %, 10 %, 20 % and 50 %.
pub const TOP_FRACTIONS: [f64; 5] = [0.01, 0.05, 0.10, 0.20, 0.50];

/// The default cut points of [`value_tiers`]: A = the top 80 % of value,
/// B = the next 15 %, C = the rest.
pub const DEFAULT_CUTS: [f64; 2] = [0.8, 0.95];

/// The share of value of the top customers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopShare {
    /// Fraction p of customers asked for.
    pub fraction: f64,
    /// Number of customers k = ⌈p·n⌉ (at least 1).
    pub customers: usize,
    /// Their value divided by the total value.
    pub share: f64,
}

/// The whale curve of a customer base (see [`whale_curve`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhaleCurve {
    /// Indices of the customers in the input, by value, largest first (ties
    /// in input order).
    pub order: Vec<usize>,
    /// The values in that order.
    pub sorted_values: Vec<f64>,
    /// `cumulative_share[k]` = (v₍₁₎ + … + v₍ₖ₊₁₎) / Σ v: the share of the
    /// total value made by the top k + 1 customers. Ends at 1.
    pub cumulative_share: Vec<f64>,
    /// Σ v, the total value (> 0).
    pub total: f64,
    /// Sum of the positive values (value created).
    pub created: f64,
    /// Sum of the negative values (value destroyed, ≤ 0).
    pub destroyed: f64,
    /// The maximum of `cumulative_share`: with value destroyers it exceeds 1
    /// (e.g. 1.5: the value creators make 150 % of the total, the rest
    /// destroy half of it); without, it is 1.
    pub peak_share: f64,
    /// Customers at the peak (the first position where the maximum is
    /// reached, counted from 1).
    pub peak_customers: usize,
    /// `peak_customers / n`: the fraction of customers where the curve peaks.
    pub peak_fraction: f64,
    /// Shares of the top 1, 5, 10, 20 and 50 % ([`TOP_FRACTIONS`]).
    pub top_shares: Vec<TopShare>,
    /// Indices of the customers with a negative value (value destroyers), by
    /// value, most negative first.
    pub destroyers: Vec<usize>,
    /// Gini coefficient of the values (see [`gini`]).
    pub gini: f64,
}

impl WhaleCurve {
    /// Number of customers.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Always `false`: a whale curve has at least one customer.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The share of the total value made by the top fraction `p` of
    /// customers (k = ⌈p·n⌉, at least 1).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] (field `fraction`) unless 0 < p ≤ 1.
    pub fn top_share(&self, fraction: f64) -> Result<TopShare> {
        let k = top_count(fraction, self.len())?;
        Ok(TopShare {
            fraction,
            customers: k,
            share: self.cumulative_share[k - 1],
        })
    }
}

/// k = ⌈p·n⌉, at least 1, with p·n snapped to an integer within 1e-9.
fn top_count(fraction: f64, n: usize) -> Result<usize> {
    if !(fraction.is_finite() && fraction > 0.0 && fraction <= 1.0) {
        return Err(Error::invalid("fraction", fraction, "a number in (0, 1]"));
    }
    let x = fraction * n as f64;
    let k = if (x - x.round()).abs() < 1e-9 {
        x.round()
    } else {
        x.ceil()
    };
    Ok((k as usize).clamp(1, n))
}

fn check_values(field: &str, values: &[f64]) -> Result<()> {
    if values.is_empty() {
        return Err(Error::Empty {
            field: field.to_string(),
            reason: "a portfolio needs at least one customer".to_string(),
        });
    }
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(Error::invalid_at(field, i, values[i], "a finite number")),
        None => Ok(()),
    }
}

/// Indices sorted by value, largest first, ties in input order.
fn descending_order(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    // `sort_by` is stable: equal values keep their input order.
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    order
}

fn positive_total(values: &[f64]) -> Result<f64> {
    let total: f64 = values.iter().sum();
    if total > 0.0 {
        Ok(total)
    } else {
        Err(Error::invalid(
            "values",
            format!("total {total}"),
            "a positive total value (shares of a zero or negative total are undefined)",
        ))
    }
}

/// The whale curve (Pareto curve) of customer values.
///
/// # Formula
/// With v₍₁₎ ≥ v₍₂₎ ≥ … ≥ v₍ₙ₎ the values sorted in decreasing order and
/// V = Σ vᵢ > 0:
/// ```text
/// cumulative_share[k−1] = (v₍₁₎ + … + v₍ₖ₎) / V,   k = 1..n   (ends at 1)
/// peak_share    = max_k cumulative_share[k−1]     (= 1 when no value is negative)
/// peak_fraction = k* / n,  k* the first k where the maximum is reached
/// top share(p)  = cumulative_share[⌈p·n⌉ − 1]
/// ```
/// The curve rises while customers create value, peaks after the last
/// customer with a positive value (or earlier, at the first of trailing
/// zeros) and falls back to 1 through the value destroyers: the "whale"
/// shape of Kaplan & Narayanan (2001). `gini` is [`gini`] of the values.
///
/// # Errors
/// - [`Error::Empty`] (field `values`) for no customer;
/// - [`Error::InvalidValue`] for a NaN or infinite value (naming its index),
///   and for a total ≤ 0 (all margins negative, or all zero).
///
/// # Example
/// ```
/// use clv::portfolio::whale_curve;
/// // Two value creators (100, 50) and a destroyer (−30): total 120.
/// let w = whale_curve(&[50.0, -30.0, 100.0]).unwrap();
/// assert_eq!(w.order, vec![2, 0, 1]);
/// // 100/120, 150/120, 120/120
/// assert!((w.cumulative_share[1] - 1.25).abs() < 1e-15);
/// assert!((w.peak_share - 1.25).abs() < 1e-15); // the top 2 of 3 make 125 %
/// assert_eq!(w.peak_customers, 2);
/// assert_eq!(w.destroyers, vec![1]);
/// ```
pub fn whale_curve(values: &[f64]) -> Result<WhaleCurve> {
    check_values("values", values)?;
    let order = descending_order(values);
    let sorted_values: Vec<f64> = order.iter().map(|&i| values[i]).collect();
    // The total is summed in the same (sorted) order as the running sums, so
    // that the curve ends at exactly 1 and, without negative values, never
    // exceeds it through rounding.
    let total = positive_total(&sorted_values)?;
    let mut running = 0.0;
    let cumulative_share: Vec<f64> = sorted_values
        .iter()
        .map(|v| {
            running += v;
            running / total
        })
        .collect();
    let (mut peak_k, mut peak_share) = (0, cumulative_share[0]);
    for (k, &s) in cumulative_share.iter().enumerate() {
        if s > peak_share {
            peak_k = k;
            peak_share = s;
        }
    }
    let n = values.len();
    let top_shares = TOP_FRACTIONS
        .iter()
        .map(|&p| {
            let k = top_count(p, n)?;
            Ok(TopShare {
                fraction: p,
                customers: k,
                share: cumulative_share[k - 1],
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let destroyers: Vec<usize> = order
        .iter()
        .rev()
        .copied()
        .filter(|&i| values[i] < 0.0)
        .collect();
    let created = values.iter().filter(|&&v| v > 0.0).fold(0.0, |a, v| a + v);
    let destroyed = values.iter().filter(|&&v| v < 0.0).fold(0.0, |a, v| a + v);
    Ok(WhaleCurve {
        gini: gini_sorted_desc(&sorted_values, total),
        order,
        sorted_values,
        cumulative_share,
        total,
        created,
        destroyed,
        peak_share,
        peak_customers: peak_k + 1,
        peak_fraction: (peak_k + 1) as f64 / n as f64,
        top_shares,
        destroyers,
    })
}

/// The Gini coefficient of customer values.
///
/// # Formula
/// The mean-difference form (Gini 1912; e.g. Yitzhaki & Schechtman 2013,
/// *The Gini Methodology*, eq. 2.1), population version (denominator n²):
/// ```text
/// G = Σᵢ Σⱼ |vᵢ − vⱼ| / (2 n² μ),   μ = Σ v / n > 0
///   = Σ_{i=1..n} (2i − n − 1) v₍ᵢ₎ / (n² μ)   with v₍ᵢ₎ sorted increasingly (O(n log n))
/// ```
/// 0 when all customers are worth the same; (n − 1)/n when one customer
/// holds all the value. With negative values G can exceed 1; it is kept
/// unnormalised, as De Battisti, Porro & Vernizzi (2019), "The Gini
/// coefficient and the case of negative values", *Electronic J. of Applied
/// Statistical Analysis* 12(1), recommend for comparisons (it then measures
/// relative variability rather than concentration).
///
/// # Errors
/// As [`whale_curve`]: empty, non-finite, or a total ≤ 0.
///
/// # Example
/// ```
/// // |1−3| = 2 twice (i, j and j, i): G = 4 / (2·4·2) = 0.25.
/// assert!((clv::portfolio::gini(&[1.0, 3.0]).unwrap() - 0.25).abs() < 1e-15);
/// ```
pub fn gini(values: &[f64]) -> Result<f64> {
    check_values("values", values)?;
    let total = positive_total(values)?;
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    Ok(gini_sorted_desc(&sorted, total))
}

/// Gini of values sorted in decreasing order, with their (positive) total.
fn gini_sorted_desc(desc: &[f64], total: f64) -> f64 {
    let n = desc.len() as f64;
    // Increasing rank i = n − position (position 0-based in decreasing order).
    let s: f64 = desc
        .iter()
        .enumerate()
        .map(|(pos, v)| {
            let i = n - pos as f64;
            (2.0 * i - n - 1.0) * v
        })
        .sum();
    // n² μ = n · total
    s / (n * total)
}

/// How [`value_tiers`] cuts the base into tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TierMethod {
    /// By cumulative share of value (ABC analysis): tier j holds the
    /// customers whose value, added from the top, brings the cumulative
    /// share up to cut j.
    #[default]
    CumulativeShare,
    /// By value quantiles (share of customers): tier j holds the customers
    /// ranked between the fractions cut j−1 and cut j of the base.
    Quantile,
}

crate::error::named_choices! {
    TierMethod, field "method",
    /// The name of the method: `"share"` or `"quantile"`.
    ///
    /// ```
    /// use clv::portfolio::TierMethod;
    /// assert_eq!(TierMethod::CumulativeShare.as_str(), "share");
    /// for m in TierMethod::ALL {
    ///     assert_eq!(m.as_str().parse::<TierMethod>()?, m);
    /// }
    /// # Ok::<(), clv::Error>(())
    /// ```
    as_str {
        CumulativeShare => "share",
        Quantile => "quantile",
    }
    /// `"share"` (aliases `"cumulative_share"`, `"cumulativeShare"`) or
    /// `"quantile"`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] on the field `method`, listing the names.
    ///
    /// ```
    /// use clv::portfolio::TierMethod;
    /// assert_eq!("cumulative_share".parse::<TierMethod>()?, TierMethod::CumulativeShare);
    /// assert_eq!("quantile".parse::<TierMethod>()?, TierMethod::Quantile);
    /// let e = "abc".parse::<TierMethod>().unwrap_err();
    /// assert_eq!(
    ///     e.to_string(),
    ///     "invalid method: \"abc\" (expected \"share\", \"quantile\", \"cumulative_share\" or \"cumulativeShare\")"
    /// );
    /// # Ok::<(), clv::Error>(())
    /// ```
    from_str aliases {
        "cumulative_share" => CumulativeShare,
        "cumulativeShare" => CumulativeShare,
    }
}

/// One tier of [`ValueTiers`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierSummary {
    /// "A", "B", "C", ...
    pub tier: String,
    /// Customers in the tier.
    pub customers: usize,
    /// Their total value.
    pub value: f64,
    /// `value / total` (`None` when the total is ≤ 0).
    pub share: Option<f64>,
}

/// Value tiers of a customer base (see [`value_tiers`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueTiers {
    /// The method used.
    pub method: TierMethod,
    /// The cut points used.
    pub cuts: Vec<f64>,
    /// Tier label of each customer, in input order.
    pub tier: Vec<String>,
    /// One row per tier, A first (tiers may be empty).
    pub tiers: Vec<TierSummary>,
}

/// Tier labels: A, B, C, ... (at most 26 tiers).
fn tier_label(j: usize) -> String {
    char::from(b'A' + j as u8).to_string()
}

/// Value tiers: ABC analysis by cumulative share of value, or tiers by value
/// quantiles.
///
/// `cuts` are increasing numbers in (0, 1]; k cuts make k + 1 tiers A, B, C, …
/// (the default [`DEFAULT_CUTS`] (0.8, 0.95): A, B, C).
///
/// # Rule
/// Customers are sorted by value, largest first; for the customer at
/// position k (1-based):
/// - [`TierMethod::CumulativeShare`]: with S(k−1) the cumulative share of the
///   customers before it (S(0) = 0), its tier is the first j with
///   S(k−1) < cut_j, else the last tier. So A is the *smallest* group of top
///   customers whose value reaches cut₁ (the customer that crosses 80 % is in
///   A). Customers after the curve has passed the last cut — those adding
///   little, nothing or destroying value — are in the last tier.
/// - [`TierMethod::Quantile`]: its tier is the first j with k ≤ ⌈cut_j · n⌉
///   (A = the top ⌈0.8 n⌉ customers for cut 0.8), else the last tier.
///
/// Tied values then all get the tier of the first of them in the sorted
/// order, so a tier depends only on a customer's value, never on input
/// order (which may make a tier larger than its cut).
///
/// # Errors
/// - [`Error::Empty`] / [`Error::InvalidValue`] for empty or non-finite
///   values, and (cumulative share only) a total ≤ 0;
/// - [`Error::InvalidValue`] (field `cuts`) unless the cuts are strictly
///   increasing in (0, 1], 1 to 25 of them.
///
/// # Example
/// ```
/// use clv::portfolio::{value_tiers, TierMethod, DEFAULT_CUTS};
/// // Total 100: 60 (S=0 → A), 25 (S=0.60 → A), 10 (S=0.85 → B), 5 (S=0.95 → C)
/// let t = value_tiers(&[10.0, 60.0, 5.0, 25.0], &DEFAULT_CUTS, TierMethod::CumulativeShare).unwrap();
/// assert_eq!(t.tier, vec!["B", "A", "C", "A"]);
/// assert_eq!(t.tiers[0].customers, 2);
/// ```
pub fn value_tiers(values: &[f64], cuts: &[f64], method: TierMethod) -> Result<ValueTiers> {
    check_values("values", values)?;
    check_cuts(cuts)?;
    let n = values.len();
    let order = descending_order(values);
    let last = cuts.len();
    let mut sorted_tier = vec![last; n];
    match method {
        TierMethod::CumulativeShare => {
            let sorted: Vec<f64> = order.iter().map(|&i| values[i]).collect();
            let total = positive_total(&sorted)?;
            let mut running = 0.0;
            for (k, &i) in order.iter().enumerate() {
                let before = running / total;
                sorted_tier[k] = cuts.iter().position(|&c| before < c).unwrap_or(last);
                running += values[i];
            }
        }
        TierMethod::Quantile => {
            let bounds = cuts
                .iter()
                .map(|&c| top_count(c, n))
                .collect::<Result<Vec<_>>>()?;
            for (k, t) in sorted_tier.iter_mut().enumerate() {
                *t = bounds.iter().position(|&b| k < b).unwrap_or(last);
            }
        }
    }
    // Ties: every customer with the same value gets the tier of the first.
    for k in 1..n {
        if values[order[k]] == values[order[k - 1]] {
            sorted_tier[k] = sorted_tier[k - 1];
        }
    }
    let total: f64 = values.iter().sum();
    let mut tier = vec![String::new(); n];
    let mut tiers: Vec<TierSummary> = (0..=last)
        .map(|j| TierSummary {
            tier: tier_label(j),
            customers: 0,
            value: 0.0,
            share: None,
        })
        .collect();
    for (k, &i) in order.iter().enumerate() {
        let j = sorted_tier[k];
        tier[i] = tier_label(j);
        tiers[j].customers += 1;
        tiers[j].value += values[i];
    }
    for t in &mut tiers {
        t.share = (total > 0.0).then(|| t.value / total);
    }
    Ok(ValueTiers {
        method,
        cuts: cuts.to_vec(),
        tier,
        tiers,
    })
}

fn check_cuts(cuts: &[f64]) -> Result<()> {
    let show = || format!("{cuts:?}");
    if cuts.is_empty() || cuts.len() > 25 {
        return Err(Error::invalid(
            "cuts",
            show(),
            "1 to 25 cut points in (0, 1]",
        ));
    }
    let mut prev = 0.0;
    for (i, &c) in cuts.iter().enumerate() {
        if !(c.is_finite() && c > prev && c <= 1.0) {
            return Err(Error::invalid_at(
                "cuts",
                i,
                c,
                "strictly increasing cut points in (0, 1]",
            ));
        }
        prev = c;
    }
    Ok(())
}

fn check_probabilities(field: &str, p: &[f64]) -> Result<()> {
    match p
        .iter()
        .position(|v| !(v.is_finite() && (0.0..=1.0).contains(v)))
    {
        Some(i) => Err(Error::invalid_at(field, i, p[i], "a probability in [0, 1]")),
        None => Ok(()),
    }
}

/// Revenue at risk per customer: `value × (1 − P(alive))`.
///
/// `value` is what the customer brings while active (revenue, margin or a
/// CLV *given alive*); `p_alive` the model's probability that the customer
/// is still active (e.g. [`BetaGeo::prob_alive`](crate::BetaGeo)). A
/// negative value gives a negative result (losing a value destroyer removes
/// a loss); it is reported as is.
///
/// # Errors
/// [`Error::Empty`] for no customer; [`Error::InvalidValue`] for a
/// non-finite value or a `p_alive` outside [0, 1] (naming the index);
/// [`Error::LengthMismatch`] when the lengths differ.
///
/// # Example
/// ```
/// let r = clv::portfolio::revenue_at_risk(&[1000.0, 50.0], &[0.4, 0.9]).unwrap();
/// assert!((r[0] - 600.0).abs() < 1e-12 && (r[1] - 5.0).abs() < 1e-12);
/// ```
pub fn revenue_at_risk(values: &[f64], p_alive: &[f64]) -> Result<Vec<f64>> {
    check_values("values", values)?;
    check::same_len("p_alive", p_alive.len(), "values", values.len())?;
    check_probabilities("p_alive", p_alive)?;
    Ok(values
        .iter()
        .zip(p_alive)
        .map(|(v, p)| v * (1.0 - p))
        .collect())
}

/// A customer at risk, for [`RiskRanking::at_risk`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerAtRisk {
    /// Index of the customer in the input.
    pub index: usize,
    /// Its value.
    pub value: f64,
    /// Its P(alive).
    pub p_alive: f64,
    /// `value × (1 − p_alive)`.
    pub value_at_risk: f64,
}

/// Revenue at risk of a portfolio (see [`risk_ranking`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskRanking {
    /// `value × (1 − p_alive)` per customer, in input order.
    pub value_at_risk: Vec<f64>,
    /// Σ value × (1 − p_alive) over all customers (net of value destroyers).
    pub total: f64,
    /// Σ value.
    pub total_value: f64,
    /// `total / total_value` (`None` when the total value is ≤ 0).
    pub share: Option<f64>,
    /// Σ value × P(alive): the value expected to stay.
    pub expected_retained: f64,
    /// Customers with a positive value at risk, largest first (ties in input
    /// order); without the likely lost ones ([`Self::lost`]).
    pub at_risk: Vec<CustomerAtRisk>,
    /// The P(alive) below which a customer counts as likely lost
    /// ([`risk_ranking_with_lost`]; 0 for [`risk_ranking`]: nobody).
    pub lost_below: f64,
    /// Σ value × (1 − p_alive) over the likely lost customers: value that
    /// is most probably gone already, not at risk. `total + lost_total +
    /// expected_retained = total_value`.
    pub lost_total: f64,
    /// The likely lost customers (P(alive) < `lost_below`) with a positive
    /// value, largest value first (ties in input order).
    pub lost: Vec<CustomerAtRisk>,
}

/// Revenue at risk with its total and the customers ranked by value at
/// stake (value × (1 − P(alive)), largest first; only those with a
/// positive value at risk are listed).
///
/// # Errors
/// As [`revenue_at_risk`].
///
/// # Example
/// ```
/// let r = clv::portfolio::risk_ranking(&[50.0, 1000.0, -20.0], &[0.9, 0.4, 0.5]).unwrap();
/// // 5 + 600 − 10
/// assert!((r.total - 595.0).abs() < 1e-12);
/// assert_eq!(r.at_risk.iter().map(|c| c.index).collect::<Vec<_>>(), vec![1, 0]);
/// ```
pub fn risk_ranking(values: &[f64], p_alive: &[f64]) -> Result<RiskRanking> {
    risk_ranking_with_lost(values, p_alive, 0.0)
}

/// The P(alive) below which `clv report` lists a customer as likely lost
/// rather than at risk: 0.1, i.e. the model gives less than one chance in
/// ten that the customer still buys. Such a customer's value if active is
/// mostly gone already; ranking it by value × (1 − P(alive)) would put a
/// customer who is almost surely gone (P(alive) ≈ 0) at the top of the
/// list of customers to save.
pub const LIKELY_LOST_BELOW: f64 = 0.1;

/// [`risk_ranking`] that tells the customers at risk from the likely lost:
/// customers with `p_alive < lost_below` are left out of
/// [`RiskRanking::at_risk`] and [`RiskRanking::total`] and listed in
/// [`RiskRanking::lost`] (largest value first), their value × (1 − P(alive))
/// summed in [`RiskRanking::lost_total`]. `share` is `total / total_value`.
/// [`LIKELY_LOST_BELOW`] is the report's threshold; 0 lists nobody as lost.
///
/// # Errors
/// As [`revenue_at_risk`]; [`Error::InvalidValue`] for a `lost_below`
/// outside [0, 1].
///
/// # Example
/// ```
/// use clv::portfolio::risk_ranking_with_lost;
/// // customer 0 is almost surely gone: listed as lost, not at the top of the risks
/// let r = risk_ranking_with_lost(&[6000.0, 800.0, 300.0], &[0.001, 0.3, 0.9], 0.1).unwrap();
/// assert_eq!(r.at_risk.iter().map(|c| c.index).collect::<Vec<_>>(), vec![1, 2]);
/// assert_eq!(r.lost.iter().map(|c| c.index).collect::<Vec<_>>(), vec![0]);
/// assert!((r.total - (560.0 + 30.0)).abs() < 1e-9 && (r.lost_total - 5994.0).abs() < 1e-9);
/// ```
pub fn risk_ranking_with_lost(
    values: &[f64],
    p_alive: &[f64],
    lost_below: f64,
) -> Result<RiskRanking> {
    check::in_closed("lost_below", lost_below, 0.0, 1.0)?;
    let value_at_risk = revenue_at_risk(values, p_alive)?;
    let is_lost = |i: usize| p_alive[i] < lost_below;
    let total_value: f64 = values.iter().sum();
    let (mut total, mut lost_total) = (0.0, 0.0);
    for (i, v) in value_at_risk.iter().enumerate() {
        if is_lost(i) {
            lost_total += v;
        } else {
            total += v;
        }
    }
    let customer = |i: usize| CustomerAtRisk {
        index: i,
        value: values[i],
        p_alive: p_alive[i],
        value_at_risk: value_at_risk[i],
    };
    let at_risk = descending_order(&value_at_risk)
        .into_iter()
        .filter(|&i| value_at_risk[i] > 0.0 && !is_lost(i))
        .map(customer)
        .collect();
    let lost = descending_order(values)
        .into_iter()
        .filter(|&i| values[i] > 0.0 && is_lost(i))
        .map(customer)
        .collect();
    Ok(RiskRanking {
        total,
        share: (total_value > 0.0).then(|| total / total_value),
        expected_retained: values.iter().zip(p_alive).map(|(v, p)| v * p).sum(),
        total_value,
        value_at_risk,
        at_risk,
        lost_below,
        lost_total,
        lost,
    })
}

/// Retention-offer ceilings (see [`offer_ceiling`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferCeiling {
    /// Expected future value if the customer is kept: `clv / p_alive`.
    pub value_if_retained: Vec<f64>,
    /// Expected future value if the customer is lost: 0.
    pub value_if_lost: Vec<f64>,
    /// Expected future value with no offer: `clv`.
    pub value_without_offer: Vec<f64>,
    /// The most one may spend on the offer, ≥ 0.
    pub ceiling: Vec<f64>,
}

/// The retention-offer ceiling: the most one may spend to keep a customer
/// without destroying value, in expectation.
///
/// # Definition
/// In the buy-till-you-die models a customer is either still active ("alive",
/// probability p = P(alive)) or gone for good, and a gone customer buys
/// nothing. The model's conditional expectation factors as
/// `E[Y(t) | x, t_x, T] = P(alive) · E[Y(t) | alive]` (Fader, Hardie & Lee
/// 2005, eq. 10: the denominator of that equation is 1 / P(alive), eq. 13),
/// so a CLV computed from it (`clv`, e.g.
/// [`customer_lifetime_value`](crate::value::customer_lifetime_value)) is
/// `clv = p · V_alive`. Hence, per customer:
/// ```text
/// value if retained  V_r = clv / p          (expected value given active)
/// value if lost      V_l = 0                (a lost customer buys nothing)
/// value with no offer    = p·V_r + (1−p)·V_l = clv
/// ceiling = s · (1 − p) · (V_r − V_l)   if V_r > V_l, else 0
///         = s · clv · (1 − p) / p
/// ```
/// where s ∈ [0, 1] (`success_rate`) is the probability that the offer
/// keeps a customer who would otherwise be lost. The reasoning is the
/// expected value of the action: the offer changes the outcome only for the
/// customers who would be lost (probability 1 − p), and then gains
/// V_r − V_l; paying more than that expected gain destroys value on
/// average, paying less creates it. With s = 1 this is the most that any
/// offer may cost. A valuable "Alpha" account at risk (high clv, middling
/// p) gets a strong ceiling; a customer who is surely active (p = 1) needs
/// no offer (ceiling 0), and one whose value is ≤ 0 gets none (keeping it
/// does not pay: the ceiling is 0, and `value_if_retained` shows the loss).
///
/// # Errors
/// [`Error::Empty`], [`Error::LengthMismatch`]; [`Error::InvalidValue`] for
/// a non-finite `clv`, a `p_alive` outside (0, 1] (at p = 0 the value if
/// retained, clv / p, is undefined), or `success_rate` outside [0, 1].
///
/// # Example
/// ```
/// use clv::portfolio::offer_ceiling;
/// // Alpha: CLV 1200 at P(alive) 0.6 → V_r = 2000, ceiling 0.4 · 2000 = 800.
/// // Beta: CLV −50 (serving it costs more than it brings) → no offer.
/// let o = offer_ceiling(&[1200.0, -50.0], &[0.6, 0.9], 1.0).unwrap();
/// assert!((o.ceiling[0] - 800.0).abs() < 1e-9);
/// assert_eq!(o.ceiling[1], 0.0);
/// ```
pub fn offer_ceiling(clv: &[f64], p_alive: &[f64], success_rate: f64) -> Result<OfferCeiling> {
    check_values("clv", clv)?;
    check::same_len("p_alive", p_alive.len(), "clv", clv.len())?;
    if let Some(i) = p_alive
        .iter()
        .position(|p| !(p.is_finite() && *p > 0.0 && *p <= 1.0))
    {
        return Err(Error::invalid_at(
            "p_alive",
            i,
            p_alive[i],
            "a probability in (0, 1] (the value if retained, clv / p_alive, is undefined at 0)",
        ));
    }
    check::in_closed("success_rate", success_rate, 0.0, 1.0)?;
    let value_if_retained: Vec<f64> = clv.iter().zip(p_alive).map(|(c, p)| c / p).collect();
    let ceiling = value_if_retained
        .iter()
        .zip(p_alive)
        .map(|(&vr, &p)| {
            if vr > 0.0 {
                success_rate * (1.0 - p) * vr
            } else {
                0.0
            }
        })
        .collect();
    Ok(OfferCeiling {
        value_if_lost: vec![0.0; clv.len()],
        value_without_offer: clv.to_vec(),
        value_if_retained,
        ceiling,
    })
}

/// Revenue, transactions and contribution margin per customer, from a
/// transaction log (see [`customer_totals`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerTotals {
    /// Customer ids, in order of first appearance in the log.
    pub customer_id: Vec<String>,
    /// Σ amount per customer.
    pub revenue: Vec<f64>,
    /// Transactions (rows) per customer.
    pub transactions: Vec<f64>,
    /// `margin_rate × revenue − cost_per_transaction × transactions`.
    pub margin: Vec<f64>,
}

/// Per-customer revenue and a contribution margin from a transaction log
/// (interned ids as read by [`crate::io::read_transactions`]):
/// ```text
/// revenue_c      = Σ amounts of c's rows
/// transactions_c = number of c's rows
/// margin_c       = margin_rate · revenue_c − cost_per_transaction · transactions_c
/// ```
/// a simple stand-in for a contribution margin (revenue − variable costs −
/// cost to serve, as [`crate::formulas::contribution_margin`]) when only the
/// gross margin rate and a cost to serve per order are known. With
/// `margin_rate = 1` and no cost it is the revenue.
///
/// # Errors
/// [`Error::LengthMismatch`] when `amounts` and the ids differ in length;
/// [`Error::InvalidValue`] for a non-finite amount (naming the row), a
/// `margin_rate` outside [0, 1] or a negative or non-finite
/// `cost_per_transaction`; [`Error::Empty`] for no row.
///
/// # Example
/// ```
/// use clv::portfolio::customer_totals;
/// use clv::summary::CustomerIds;
/// let ids = CustomerIds::from_parts(vec![0, 1, 0], vec!["a".into(), "b".into()]);
/// let t = customer_totals(&ids, &[10.0, 4.0, 30.0], 0.3, 2.0).unwrap();
/// assert_eq!(t.revenue, vec![40.0, 4.0]);
/// // a: 0.3·40 − 2·2 = 8; b: 0.3·4 − 2·1 = −0.8
/// assert!((t.margin[0] - 8.0).abs() < 1e-12 && (t.margin[1] + 0.8).abs() < 1e-12);
/// ```
pub fn customer_totals(
    ids: &crate::summary::CustomerIds,
    amounts: &[f64],
    margin_rate: f64,
    cost_per_transaction: f64,
) -> Result<CustomerTotals> {
    check::same_len("amounts", amounts.len(), "customer ids", ids.codes.len())?;
    if amounts.is_empty() {
        return Err(Error::Empty {
            field: "amounts".to_string(),
            reason: "the transaction log has no row".to_string(),
        });
    }
    if let Some(i) = amounts.iter().position(|a| !a.is_finite()) {
        return Err(Error::invalid_at(
            "amounts",
            i,
            amounts[i],
            "a finite number",
        ));
    }
    check::in_closed("margin_rate", margin_rate, 0.0, 1.0)?;
    check::non_negative("cost_per_transaction", cost_per_transaction)?;
    let n = ids.names.len();
    let (mut revenue, mut transactions) = (vec![0.0; n], vec![0.0; n]);
    for (&c, &a) in ids.codes.iter().zip(amounts) {
        let c = c as usize;
        if c >= n {
            return Err(Error::invalid_at(
                "customer ids",
                c,
                c,
                format!("a code below the number of ids ({n})"),
            ));
        }
        revenue[c] += a;
        transactions[c] += 1.0;
    }
    let margin = revenue
        .iter()
        .zip(&transactions)
        .map(|(r, t)| margin_rate * r - cost_per_transaction * t)
        .collect();
    Ok(CustomerTotals {
        customer_id: ids.names.clone(),
        revenue,
        transactions,
        margin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random values in [lo, hi) (a 64-bit LCG, Knuth MMIX constants).
    fn values(n: usize, lo: f64, hi: f64, seed: u64) -> Vec<f64> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                lo + (hi - lo) * ((x >> 11) as f64 / (1u64 << 53) as f64)
            })
            .collect()
    }

    /// Gini by the O(n²) definition Σ Σ |vᵢ − vⱼ| / (2 n² μ), independent of
    /// the sorted formula used by the crate.
    fn gini_brute(v: &[f64]) -> f64 {
        let n = v.len() as f64;
        let mu = v.iter().sum::<f64>() / n;
        let s: f64 = v
            .iter()
            .map(|a| v.iter().map(|b| (a - b).abs()).sum::<f64>())
            .sum();
        s / (2.0 * n * n * mu)
    }

    #[test]
    fn whale_curve_matches_brute_force_with_destroyers() {
        // Margins in [−40, 100): many destroyers, positive total.
        let v = values(501, -40.0, 100.0, 7);
        let w = whale_curve(&v).unwrap();
        let total: f64 = v.iter().sum();
        assert!(total > 0.0);
        // Independent: for each k, the sum of the k largest values (sorting a copy).
        let mut desc = v.clone();
        desc.sort_by(|a, b| b.partial_cmp(a).unwrap());
        for k in [1, 5, 100, 250, 400, 501] {
            let top: f64 = desc[..k].iter().sum();
            assert!((w.cumulative_share[k - 1] - top / total).abs() < 1e-12);
        }
        // Peak after the last positive value: all positives / total.
        let positives: f64 = v.iter().filter(|&&x| x > 0.0).sum();
        let n_pos = v.iter().filter(|&&x| x > 0.0).count();
        assert!((w.peak_share - positives / total).abs() < 1e-12);
        assert!(w.peak_share > 1.0);
        assert_eq!(w.peak_customers, n_pos);
        assert!((w.peak_fraction - n_pos as f64 / 501.0).abs() < 1e-15);
        assert!((w.gini - gini_brute(&v)).abs() < 1e-12);
        assert_eq!(w.destroyers.len(), 501 - n_pos);
        assert!(w.destroyers.iter().all(|&i| v[i] < 0.0));
        // most negative first
        assert!(v[w.destroyers[0]] <= v[*w.destroyers.last().unwrap()]);
        assert!((w.created + w.destroyed - total).abs() < 1e-9);
        // top 20 % of 501 = ⌈100.2⌉ = 101 customers
        let t20 = w.top_share(0.2).unwrap();
        assert_eq!(t20.customers, 101);
        assert!((t20.share - desc[..101].iter().sum::<f64>() / total).abs() < 1e-12);
        assert_eq!(w.top_shares[3], t20);
        assert_eq!(w.cumulative_share[500], 1.0);
    }

    #[test]
    fn gini_reference_points() {
        // Equal values: 0. One customer holds everything: (n − 1)/n.
        assert_eq!(gini(&[5.0; 4]).unwrap(), 0.0);
        assert!((gini(&[0.0, 0.0, 0.0, 8.0]).unwrap() - 0.75).abs() < 1e-15);
        // 1, 2, 3: Σ|d| = 2·(1 + 2 + 1) = 8, μ = 2: 8 / (2·9·2) = 2/9.
        assert!((gini(&[3.0, 1.0, 2.0]).unwrap() - 2.0 / 9.0).abs() < 1e-15);
        // With a negative value G can exceed 1: (−5, 6): Σ|d| = 22, μ = 0.5:
        // 22 / (2·4·0.5) = 5.5.
        assert!((gini(&[-5.0, 6.0]).unwrap() - 5.5).abs() < 1e-12);
        let v = values(300, 0.0, 50.0, 3);
        assert!((gini(&v).unwrap() - gini_brute(&v)).abs() < 1e-12);
    }

    #[test]
    fn whale_curve_edge_cases() {
        // A single customer.
        let w = whale_curve(&[42.0]).unwrap();
        assert_eq!(w.cumulative_share, vec![1.0]);
        assert_eq!(
            (w.peak_share, w.peak_customers, w.peak_fraction),
            (1.0, 1, 1.0)
        );
        assert_eq!(w.gini, 0.0);
        assert!(
            w.top_shares
                .iter()
                .all(|t| t.customers == 1 && t.share == 1.0)
        );
        // Ties keep input order; shares do not depend on it.
        let w = whale_curve(&[5.0, 9.0, 5.0, 5.0]).unwrap();
        assert_eq!(w.order, vec![1, 0, 2, 3]);
        // 9/24, 14/24, 19/24, 1
        assert!((w.cumulative_share[2] - 19.0 / 24.0).abs() < 1e-15);
        // Trailing zeros: the peak (1) is reached at the last positive value.
        let w = whale_curve(&[0.0, 3.0, 1.0, 0.0]).unwrap();
        assert_eq!((w.peak_share, w.peak_customers), (1.0, 2));
        assert_eq!(w.destroyed.to_bits(), 0.0f64.to_bits()); // +0, not −0
        // Many non-negative values with zeros at the end: the curve reaches
        // exactly 1 at the last positive value despite rounding.
        let mut v = values(1000, 0.0, 30.0, 11);
        v.extend([0.0; 5]);
        let w = whale_curve(&v).unwrap();
        assert_eq!((w.peak_share, w.peak_customers), (1.0, 1000));
        // All-negative margins, zero total, empty, NaN: errors naming the field.
        for bad in [&[-1.0, -2.0][..], &[0.0, 0.0], &[3.0, -3.0]] {
            let e = whale_curve(bad).unwrap_err();
            assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("values")));
            assert!(e.to_string().contains("positive total"), "{e}");
        }
        assert_eq!(whale_curve(&[]).unwrap_err().code(), "EMPTY_INPUT");
        let e = whale_curve(&[1.0, f64::NAN]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid values[1]: NaN (expected a finite number)"
        );
        assert!(whale_curve(&[1.0]).unwrap().top_share(0.0).is_err());
        assert!(whale_curve(&[1.0]).unwrap().top_share(1.5).is_err());
    }

    #[test]
    fn top_count_rounding() {
        assert_eq!(top_count(0.2, 10).unwrap(), 2); // not 3 via 2.0000000000000004
        assert_eq!(top_count(0.1, 30).unwrap(), 3); // 0.1·30 = 3.0000000000000004
        assert_eq!(top_count(0.01, 2357).unwrap(), 24); // ⌈23.57⌉
        assert_eq!(top_count(0.01, 5).unwrap(), 1); // at least one
        assert_eq!(top_count(1.0, 5).unwrap(), 5);
    }

    #[test]
    fn tiers_by_share_and_quantile() {
        // Sorted: 50 (S before = 0 → A), 30 (0.5 → A), 10 (0.8 → B: 0.8 is not < 0.8),
        // 5 (0.9 → B), 3 (0.95 → C), 2 (0.98 → C); total 100.
        let v = [2.0, 30.0, 5.0, 50.0, 3.0, 10.0];
        let t = value_tiers(&v, &DEFAULT_CUTS, TierMethod::CumulativeShare).unwrap();
        assert_eq!(t.tier, vec!["C", "A", "B", "A", "C", "B"]);
        let counts: Vec<usize> = t.tiers.iter().map(|r| r.customers).collect();
        assert_eq!(counts, vec![2, 2, 2]);
        let vals: Vec<f64> = t.tiers.iter().map(|r| r.value).collect();
        assert_eq!(vals, vec![80.0, 15.0, 5.0]);
        assert_eq!(t.tiers[0].share, Some(0.8));
        // Quantiles: cuts 0.2, 0.5 of 6 customers → A = top ⌈1.2⌉ = 2, B = up to 3, C rest.
        let q = value_tiers(&v, &[0.2, 0.5], TierMethod::Quantile).unwrap();
        assert_eq!(q.tier, vec!["C", "A", "C", "A", "C", "B"]);
        // Ties straddling a cut all get the higher tier: values 4,4,4,4 with
        // quantile cut 0.5 → all A.
        let q = value_tiers(&[4.0; 4], &[0.5], TierMethod::Quantile).unwrap();
        assert_eq!(q.tier, vec!["A"; 4]);
        // Destroyers land in the last tier.
        let t = value_tiers(
            &[100.0, -10.0, 20.0],
            &DEFAULT_CUTS,
            TierMethod::CumulativeShare,
        )
        .unwrap();
        assert_eq!(t.tier, vec!["A", "C", "B"]);
        // Quantile tiers work with a non-positive total; shares are then None.
        let q = value_tiers(&[-1.0, -2.0], &[0.5], TierMethod::Quantile).unwrap();
        assert_eq!(q.tier, vec!["A", "B"]);
        assert_eq!(q.tiers[0].share, None);
        // Bad cuts.
        for cuts in [&[][..], &[0.9, 0.8], &[0.0, 0.5], &[0.5, 1.2], &[f64::NAN]] {
            let e = value_tiers(&v, cuts, TierMethod::CumulativeShare).unwrap_err();
            assert_eq!(e.field(), Some("cuts"), "{cuts:?}");
        }
    }

    #[test]
    fn revenue_at_risk_and_ranking() {
        let v = [1000.0, 50.0, -20.0, 300.0];
        let p = [0.4, 0.9, 0.5, 0.4];
        // 1000·0.6 = 600, 50·0.1 = 5, −20·0.5 = −10, 300·0.6 = 180
        let r = risk_ranking(&v, &p).unwrap();
        assert_eq!(r.value_at_risk, revenue_at_risk(&v, &p).unwrap());
        for (g, w) in r.value_at_risk.iter().zip([600.0, 5.0, -10.0, 180.0]) {
            assert!((g - w).abs() < 1e-12);
        }
        assert!((r.total - 775.0).abs() < 1e-12);
        assert!((r.total_value - 1330.0).abs() < 1e-12);
        assert!((r.share.unwrap() - 775.0 / 1330.0).abs() < 1e-15);
        // retained: 400 + 45 − 10 + 120 = 555 = 1330 − 775
        assert!((r.expected_retained - 555.0).abs() < 1e-12);
        let idx: Vec<usize> = r.at_risk.iter().map(|c| c.index).collect();
        assert_eq!(idx, vec![0, 3, 1]);
        // Errors.
        let e = revenue_at_risk(&[1.0, 2.0], &[0.5]).unwrap_err();
        assert_eq!(e.code(), "LENGTH_MISMATCH");
        let e = revenue_at_risk(&[1.0], &[1.5]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid p_alive[0]: 1.5 (expected a probability in [0, 1])"
        );
        assert_eq!(revenue_at_risk(&[], &[]).unwrap_err().code(), "EMPTY_INPUT");
        assert!(revenue_at_risk(&[f64::INFINITY], &[0.5]).is_err());
    }

    #[test]
    fn offer_ceiling_alpha_beta() {
        // Alpha: CLV 1200, P(alive) 0.6: V_r = 2000, ceiling = 0.4·2000 = 800.
        // Gamma: CLV 90, P(alive) 0.9: V_r = 100, ceiling = 0.1·100 = 10.
        // Beta: CLV −50 (negative margin): no offer.
        // Delta: surely active (p = 1): no offer needed.
        let o = offer_ceiling(&[1200.0, 90.0, -50.0, 500.0], &[0.6, 0.9, 0.5, 1.0], 1.0).unwrap();
        let want = [800.0, 10.0, 0.0, 0.0];
        for (g, w) in o.ceiling.iter().zip(want) {
            assert!((g - w).abs() < 1e-9, "{g} {w}");
        }
        assert!((o.value_if_retained[0] - 2000.0).abs() < 1e-9);
        assert!((o.value_if_retained[2] + 100.0).abs() < 1e-9);
        assert_eq!(o.value_if_lost, vec![0.0; 4]);
        // Expected value identity: p·V_r + (1−p)·V_l = clv.
        for i in 0..4 {
            let p = [0.6, 0.9, 0.5, 1.0][i];
            assert!((p * o.value_if_retained[i] - o.value_without_offer[i]).abs() < 1e-9);
        }
        // A 25 % success rate scales the ceiling: 200.
        let o = offer_ceiling(&[1200.0], &[0.6], 0.25).unwrap();
        assert!((o.ceiling[0] - 200.0).abs() < 1e-9);
        // Errors.
        assert_eq!(
            offer_ceiling(&[1.0], &[0.0], 1.0).unwrap_err().field(),
            Some("p_alive")
        );
        assert_eq!(
            offer_ceiling(&[1.0], &[0.5], 1.1).unwrap_err().field(),
            Some("success_rate")
        );
        assert_eq!(
            offer_ceiling(&[f64::NAN], &[0.5], 1.0).unwrap_err().field(),
            Some("clv")
        );
        assert_eq!(
            offer_ceiling(&[1.0], &[0.5, 0.5], 1.0).unwrap_err().code(),
            "LENGTH_MISMATCH"
        );
    }
}
