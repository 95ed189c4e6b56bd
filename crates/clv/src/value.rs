//! Customer lifetime value from a transaction model and a spend model.
//!
//! [`customer_lifetime_value`] has exactly the semantics of
//! `lifetimes.utils._customer_lifetime_value` (lifetimes 0.11.3): monthly
//! steps k = 1..time, each month `u` periods of the summary's unit long,
//! cash flows discounted at the end of each month:
//!
//! ```text
//! CLV = Σ_{k=1..time} spend · (E[Y(k·u) | x, t_x, T] − E[Y((k−1)·u) | x, t_x, T]) / (1 + d)^k
//! ```
//!
//! with `d` the monthly discount rate and `spend` the expected spend per
//! transaction (in lifetimes: the Gamma-Gamma conditional expected average
//! profit). Periods per month `u` ([`periods_per_month`]) are the constants of
//! lifetimes: weeks `W` 4.345, days `D` 30, hours `H` 720 (30·24), months
//! `M` 1.
//!
//! ## DERT-based CLV (closed form, infinite horizon)
//! Where the transaction model has a closed-form discounted expected residual
//! transactions (DERT), the residual CLV of a customer is
//! `CLV = DERT × expected spend per transaction` (Fader, Hardie & Lee 2005,
//! "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", *JMR*
//! 42(4), eq. 1: the spend and transaction processes are independent):
//! [`customer_lifetime_value_dert`] takes the model's own discount rate:
//! - Pareto/NBD: a **continuous** discount rate δ per unit of the summary's
//!   time,
//!   `DERT = ∫₀^∞ e^{−δt} d E[X(T, T+t) | x, t_x, T]` (FHL 2005 eq. 2,
//!   [`ParetoNbd::dert`](crate::ParetoNbd::dert)). An annual rate i compounded continuously is
//!   δ = ln(1+i)/(periods per year) ([`continuous_rate`]); FHL (2005) use
//!   15 % a year on weekly CDNOW data, δ = ln(1.15)/52 ≈ 0.00269 per week.
//! - BG/BB: a **discrete** discount rate d per transaction opportunity,
//!   `DERT = Σ_{i≥1} E[transaction at opportunity n+i | x, t_x, n] / (1+d)^i`
//!   (Fader, Hardie & Shang 2010 eq. 14, [`BetaGeoBetaBinom::dert`](crate::BetaGeoBetaBinom::dert)).

use crate::error::{Error, Result, check};
use crate::models::{ModelInfo, SpendModel, TransactionModel};
use crate::time::TimeUnit;

/// The time unit of a CLV when nothing says otherwise: days, as lifetimes'
/// `customer_lifetime_value(..., freq="D")`. The same in every runtime.
pub const DEFAULT_FREQ: &str = "D";

/// The unit a fitted model was fitted in ([`crate::fit::FitInfo::unit`]);
/// `None` for a model built from parameters or fitted without one.
pub fn model_unit(model: &dyn ModelInfo) -> Option<&str> {
    model.fit_info().and_then(|f| f.unit.as_deref())
}

/// The one time unit of a computation from every place that may state it,
/// as `(what, unit)` pairs: e.g. `("freq", the argument)`, `("the
/// transaction model", its fitted unit)`, `("the summary", the data's unit)`.
/// Units travel with the data: the first stated unit is used, and every
/// other stated unit must be of the same length (a week `"W"` and 7 days
/// `"7d"` agree: they differ only in where periods start, which the
/// summary has already applied; days and weeks do not); with none stated,
/// [`DEFAULT_FREQ`]. Returns the first stated unit's canonical text (`"W"`,
/// `"7d"`), which names the months' conversion ([`periods_per_month`]).
///
/// # Errors
/// [`Error::InvalidValue`] (field `freq`) for a unit that does not parse;
/// [`Error::UnitMismatch`] naming the first stated unit and the one that
/// differs; its field is the first claim's name (the unit argument, e.g.
/// `freq`), stated or not.
///
/// # Example
/// ```
/// use clv::value::resolve_unit;
/// assert_eq!(resolve_unit(&[("freq", None), ("the model", Some("W"))])?, "W");
/// assert_eq!(resolve_unit(&[("freq", None), ("the model", None)])?, "D");
/// let e = resolve_unit(&[("freq", Some("D")), ("the model", Some("W"))]).unwrap_err();
/// assert_eq!(e.code(), "UNIT_MISMATCH");
/// assert_eq!(e.to_string(), "time unit mismatch (freq): freq is \"D\" but the model is in \"W\"");
/// # Ok::<(), clv::Error>(())
/// ```
pub fn resolve_unit(claims: &[(&str, Option<&str>)]) -> Result<String> {
    let mut first: Option<(&str, &str, TimeUnit)> = None;
    for &(what, unit) in claims {
        let Some(text) = unit else { continue };
        let parsed = TimeUnit::parse(text)?;
        match first {
            None => first = Some((what, text, parsed)),
            Some((stated_by, given, unit)) if !same_length(unit, parsed) => {
                return Err(Error::UnitMismatch {
                    field: claims[0].0.to_string(),
                    stated_by: stated_by.to_string(),
                    given: given.to_string(),
                    other: what.to_string(),
                    expected: text.to_string(),
                });
            }
            Some(_) => {}
        }
    }
    Ok(first.map_or_else(|| DEFAULT_FREQ.to_string(), |(_, _, u)| u.to_string()))
}

/// Whether two units last as long: calendar months against months, hours,
/// days and weeks against each other in days.
fn same_length(a: TimeUnit, b: TimeUnit) -> bool {
    use crate::time::Period;
    let days = |u: TimeUnit| match u.period {
        Period::Hour => Some(u.multiplier / 24.0),
        Period::Day => Some(u.multiplier),
        Period::Week => Some(7.0 * u.multiplier),
        Period::Month => None,
    };
    match (days(a), days(b)) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-12 * x.max(y),
        (None, None) => a.multiplier == b.multiplier,
        _ => false,
    }
}

/// Periods of the summary's unit in one month, as lifetimes uses them:
/// `"W"` 4.345, `"D"` 30, `"H"` 720, `"M"` 1. A multiple `"<k>D"`, `"<k>W"`,
/// … (the summary's "7d"-style units, any spelling
/// [`TimeUnit::parse`] reads) divides them by k (a month is 30 days, as for
/// `"D"`; lifetimes itself accepts only W, M, D, H).
///
/// # Errors
/// [`Error::InvalidValue`] with field `freq` for a unit that does not parse.
///
/// # Example
/// ```
/// use clv::value::periods_per_month;
/// assert_eq!(periods_per_month("W").unwrap(), 4.345);
/// assert_eq!(periods_per_month("w").unwrap(), 4.345);
/// assert_eq!(periods_per_month("2W").unwrap(), 4.345 / 2.0);
/// assert_eq!(periods_per_month("7d").unwrap(), 30.0 / 7.0);
/// assert!(periods_per_month("Y").is_err());
/// ```
pub fn periods_per_month(freq: &str) -> Result<f64> {
    use crate::time::Period;
    // every spelling `summary` takes ("w", "2W", "7d", "h"): issue 17 #16
    let unit = TimeUnit::parse(freq)?;
    let per_month = match unit.period {
        Period::Week => 4.345,
        Period::Day => 30.0,
        Period::Hour => 720.0,
        Period::Month => 1.0,
    };
    Ok(per_month / unit.multiplier)
}

/// The longest horizon of [`customer_lifetime_value`]: 1,200 months (100
/// years), beyond which a 1 %/month discount leaves less than 10⁻⁵ of a
/// month's value; the sum runs month by month, so a bound keeps its time
/// bounded.
pub const MAX_MONTHS: u32 = 1200;

/// Discounted CLV per customer over `time_months` months (see the
/// [module docs](self) for the formula and its source).
///
/// `spend` is the expected spend per transaction of each customer (e.g.
/// [`crate::SpendModel::expected_spend`] of a Gamma-Gamma model);
/// `frequency`, `recency`, `t` are in the summary's unit, of which
/// `periods_per_month` make a month ([`periods_per_month`]).
///
/// # Errors
/// The transaction model's input errors; `spend` of another length
/// ([`Error::LengthMismatch`]) or not finite; `discount_rate_monthly` not
/// finite or ≤ −1; `periods_per_month` not finite and > 0; `time_months`
/// above [`MAX_MONTHS`] (field `time`).
///
/// # Example
/// ```
/// use clv::{BetaGeo, GammaGamma, SpendModel};
/// use clv::value::{customer_lifetime_value, periods_per_month};
/// // CDNOW customer ID 1 at the published BG/NBD and Gamma-Gamma estimates;
/// // lifetimes 0.11.3 gives 36.28921 (12 months, 1%/month, weeks).
/// let bg = BetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap();
/// let gg = GammaGamma::from_params(6.25, 3.74, 15.44).unwrap();
/// let spend = gg.expected_spend(&[2.0], &[22.35]).unwrap();
/// let clv = customer_lifetime_value(&bg, &spend, &[2.0], &[30.43], &[38.86], 12, 0.01,
///                                   periods_per_month("W").unwrap()).unwrap();
/// assert!((clv[0] - 36.289_211).abs() < 1e-5);
/// ```
#[allow(clippy::too_many_arguments)]
pub fn customer_lifetime_value(
    transaction: &dyn TransactionModel,
    spend: &[f64],
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
    time_months: u32,
    discount_rate_monthly: f64,
    periods_per_month: f64,
) -> Result<Vec<f64>> {
    check_spend(spend, frequency.len())?;
    if time_months > MAX_MONTHS {
        return Err(Error::invalid(
            "time",
            time_months,
            "a whole number of months <= 1200 (100 years; the sum runs month by month)",
        ));
    }
    check_rate("discount_rate", discount_rate_monthly)?;
    check::positive("periods_per_month", periods_per_month)?;
    crate::models::validate_customers(frequency, recency, t)?;
    let mut clv = vec![0.0; frequency.len()];
    let mut prev = vec![0.0; frequency.len()];
    for k in 1..=time_months {
        let kf = f64::from(k);
        let cur = transaction.expected_purchases(kf * periods_per_month, frequency, recency, t)?;
        let disc = (1.0 + discount_rate_monthly).powf(kf);
        for i in 0..clv.len() {
            clv[i] += spend[i] * (cur[i] - prev[i]) / disc;
        }
        prev = cur;
    }
    Ok(clv)
}

/// The continuous discount rate per period equivalent to an annual rate:
/// `δ = ln(1 + annual_rate) / periods_per_year` (e^{δ · periods_per_year} = 1 + annual_rate).
///
/// # Errors
/// [`Error::InvalidValue`] for `annual_rate` not finite or ≤ −1 (field
/// `annual_rate`) and `periods_per_year` not finite and > 0.
///
/// # Example
/// ```
/// use clv::value::continuous_rate;
/// // 15% a year on weekly data (FHL 2005): δ = ln(1.15)/52 = 0.0026877 per week
/// let d = continuous_rate(0.15, 52.0).unwrap();
/// assert!((d - 0.002_687_7).abs() < 1e-7);
/// ```
pub fn continuous_rate(annual_rate: f64, periods_per_year: f64) -> Result<f64> {
    check_rate("annual_rate", annual_rate)?;
    check::positive("periods_per_year", periods_per_year)?;
    Ok(annual_rate.ln_1p() / periods_per_year)
}

/// A discount rate: finite and > −1.
fn check_rate(field: &str, rate: f64) -> Result<()> {
    if rate.is_finite() && rate > -1.0 {
        Ok(())
    } else {
        Err(Error::invalid(field, rate, "a finite number > -1"))
    }
}

fn check_spend(spend: &[f64], n: usize) -> Result<()> {
    check::same_len("spend", spend.len(), "frequency", n)?;
    if let Some(i) = spend.iter().position(|s| !s.is_finite()) {
        return Err(Error::invalid_at("spend", i, spend[i], "a finite number"));
    }
    Ok(())
}

/// Residual CLV from a closed-form DERT (see the [module docs](self)):
/// `CLV_i = spend_i × DERT(discount | x_i, t_x,i, T_i)` (FHL 2005 eq. 1), the
/// horizon infinite.
///
/// - Pareto/NBD: `discount` is the continuous rate δ per unit of the
///   summary's time (e.g. per week for a weekly summary; see
///   [`continuous_rate`]); `DERT = ∫₀^∞ e^{−δt} dE[X(T, T+t) | x, t_x, T]`
///   (FHL 2005 eq. 2, [`ParetoNbd::dert`](crate::ParetoNbd::dert)).
/// - BG/BB: `discount` is the discrete rate d per transaction opportunity
///   (10 % a year: 0.1), the inputs whole opportunities; the first
///   discounted opportunity is n + 1, discounted by 1/(1+d) (FHS 2010
///   eq. 14, [`BetaGeoBetaBinom::dert`](crate::BetaGeoBetaBinom::dert)).
///
/// `spend` is the expected spend (or margin) per transaction, e.g. a
/// Gamma-Gamma [`crate::SpendModel::expected_spend`].
///
/// # Errors
/// `spend` of another length ([`Error::LengthMismatch`]) or not finite;
/// those of the model's [`TransactionModel::dert`] (the rate must be
/// finite and positive, the customers valid; [`Error::Unsupported`] for a
/// model without a closed-form DERT).
///
/// # Example
/// ```
/// use clv::{BetaGeoBetaBinom, GammaGamma, ParetoNbd, SpendModel, TransactionModel};
/// use clv::value::{continuous_rate, customer_lifetime_value_dert};
/// // CDNOW customer ID 1 at the published Pareto/NBD and Gamma-Gamma estimates, 15%/year
/// let pnbd = ParetoNbd::from_params(0.553, 10.578, 0.606, 11.669).unwrap();
/// let gg = GammaGamma::from_params(6.25, 3.74, 15.44).unwrap();
/// let spend = gg.expected_spend(&[2.0], &[22.35]).unwrap();
/// let delta = continuous_rate(0.15, 52.0).unwrap();
/// let clv = customer_lifetime_value_dert(&pnbd, &spend, delta, &[2.0], &[30.43], &[38.86]).unwrap();
/// let dert = pnbd.dert(delta, &[2.0], &[30.43], &[38.86]).unwrap();
/// assert!((clv[0] - spend[0] * dert[0]).abs() < 1e-12 * clv[0]);
/// // FHS (2010) donations model; a donor who gave in all 6 years, $50 a gift, 10% a year
/// let m = BetaGeoBetaBinom::from_params(1.204, 0.750, 0.657, 2.783).unwrap();
/// let clv = customer_lifetime_value_dert(&m, &[50.0], 0.1, &[6.0], &[6.0], &[6.0]).unwrap();
/// let dert = m.dert(0.1, &[6.0], &[6.0], &[6.0]).unwrap();
/// assert!((clv[0] - 50.0 * dert[0]).abs() < 1e-12 * clv[0]);
/// ```
pub fn customer_lifetime_value_dert<M: TransactionModel + ?Sized>(
    model: &M,
    spend: &[f64],
    discount: f64,
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
) -> Result<Vec<f64>> {
    check_spend(spend, frequency.len())?;
    let dert = model.dert(discount, frequency, recency, t)?;
    Ok(dert.iter().zip(spend).map(|(d, s)| d * s).collect())
}

/// [`customer_lifetime_value`] with the spend per transaction taken from a
/// spend model: `spend = spend_model.expected_spend(frequency, monetary_value)`
/// and `periods_per_month` from the unit name `freq` ([`periods_per_month`]).
/// This is the call of `lifetimes`' `customer_lifetime_value(transaction_model,
/// frequency, recency, T, monetary_value, time, discount_rate, freq)` and of
/// the bindings' `customer_lifetime_value(transaction_model, spend_model, ...)`.
///
/// # Errors
/// Those of [`SpendModel::expected_spend`], [`periods_per_month`] and
/// [`customer_lifetime_value`].
///
/// # Example
/// ```
/// use clv::{BetaGeo, GammaGamma};
/// use clv::value::customer_lifetime_value_with_spend;
/// // CDNOW customer ID 1, published estimates; lifetimes 0.11.3 gives 36.28921.
/// let bg = BetaGeo::from_params(0.243, 4.414, 0.793, 2.426)?;
/// let gg = GammaGamma::from_params(6.25, 3.74, 15.44)?;
/// let clv = customer_lifetime_value_with_spend(
///     &bg, &gg, &[2.0], &[30.43], &[38.86], &[22.35], 12, 0.01, "W")?;
/// assert!((clv[0] - 36.289_211).abs() < 1e-5);
/// # Ok::<(), clv::Error>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn customer_lifetime_value_with_spend(
    transaction: &dyn TransactionModel,
    spend_model: &dyn SpendModel,
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
    monetary_value: &[f64],
    time_months: u32,
    discount_rate_monthly: f64,
    freq: &str,
) -> Result<Vec<f64>> {
    let periods = periods_per_month(freq)?;
    let spend = spend_model.expected_spend(frequency, monetary_value)?;
    customer_lifetime_value(
        transaction,
        &spend,
        frequency,
        recency,
        t,
        time_months,
        discount_rate_monthly,
        periods,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BetaGeo;
    use crate::models::{BetaGeoBetaBinom, ParetoNbd};

    #[test]
    fn with_spend_model_equals_explicit_spend() {
        // Independent computation: expected_spend then customer_lifetime_value.
        let bg = BetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap();
        let gg = crate::GammaGamma::from_params(6.25, 3.74, 15.44).unwrap();
        let (x, tx, tt, m) = ([2.0, 1.0], [30.43, 1.71], [38.86, 38.86], [22.35, 11.77]);
        let spend = gg.expected_spend(&x, &m).unwrap();
        let want = customer_lifetime_value(&bg, &spend, &x, &tx, &tt, 12, 0.01, 4.345).unwrap();
        let got =
            customer_lifetime_value_with_spend(&bg, &gg, &x, &tx, &tt, &m, 12, 0.01, "W").unwrap();
        assert_eq!(got, want);
        let e = customer_lifetime_value_with_spend(&bg, &gg, &x, &tx, &tt, &m, 12, 0.01, "Y")
            .unwrap_err();
        assert_eq!(e.field(), Some("freq"));
        let e = customer_lifetime_value_with_spend(&bg, &gg, &x, &tx, &tt, &m[..1], 12, 0.01, "W")
            .unwrap_err();
        assert_eq!(e.code(), "LENGTH_MISMATCH");
    }

    #[test]
    fn a_fitted_model_carries_its_unit_and_clv_takes_it() {
        use crate::fit::FitOptions;
        use crate::models::Model;
        let (x, tx, tt) = (
            [2.0, 1.0, 0.0, 3.0, 0.0, 1.0],
            [30.0, 2.0, 0.0, 35.0, 0.0, 10.0],
            [38.0, 38.0, 38.0, 39.0, 37.0, 36.0],
        );
        let o = FitOptions {
            unit: Some(TimeUnit::parse("W").unwrap()),
            penalty: 0.01,
            ..FitOptions::default()
        };
        let bg = BetaGeo::fit(&[&x, &tx, &tt], None, &o).unwrap();
        assert_eq!(model_unit(&bg), Some("W"));
        // stored in the model JSON, and read back
        let back = BetaGeo::from_json(&bg.to_json()).unwrap();
        assert_eq!(model_unit(&back), Some("W"));
        // CLV takes it from the model; a different freq is a typed error
        assert_eq!(
            resolve_unit(&[("freq", None), ("the transaction model", model_unit(&bg))]).unwrap(),
            "W"
        );
        let e = resolve_unit(&[
            ("freq", Some("D")),
            ("the transaction model", model_unit(&bg)),
        ])
        .unwrap_err();
        assert_eq!(
            e,
            Error::UnitMismatch {
                field: "freq".into(),
                stated_by: "freq".into(),
                given: "D".into(),
                other: "the transaction model".into(),
                expected: "W".into(),
            }
        );
        // a week and 7 days last as long: they agree, the first names the months
        assert_eq!(
            resolve_unit(&[("freq", Some("7d")), ("m", Some("W"))]).unwrap(),
            "7d"
        );
        assert_eq!(
            resolve_unit(&[("freq", Some("W")), ("m", Some("7d"))]).unwrap(),
            "W"
        );
        assert_eq!(
            resolve_unit(&[("freq", Some("H")), ("m", Some("D"))])
                .unwrap_err()
                .code(),
            "UNIT_MISMATCH"
        );
        // without the argument, the model and the data disagree: still about `freq`
        let e = resolve_unit(&[
            ("freq", None),
            ("the model", Some("D")),
            ("the data", Some("W")),
        ])
        .unwrap_err();
        assert_eq!(e.field(), Some("freq"));
        assert_eq!(
            e.to_string(),
            "time unit mismatch (freq): the model is \"D\" but the data is in \"W\""
        );
        assert_eq!(
            resolve_unit(&[("freq", Some("M")), ("m", Some("30d"))])
                .unwrap_err()
                .code(),
            "UNIT_MISMATCH"
        );
        assert_eq!(
            resolve_unit(&[("freq", Some("24h")), ("m", Some("D"))]).unwrap(),
            "24h"
        );
        assert_eq!(e.field(), Some("freq"));
        // same unit written differently; nothing stated: the default (days)
        assert_eq!(
            resolve_unit(&[("freq", Some("7D")), ("m", Some("7d"))]).unwrap(),
            "7d"
        );
        assert_eq!(resolve_unit(&[("freq", None)]).unwrap(), DEFAULT_FREQ);
        assert_eq!(
            resolve_unit(&[("freq", Some("Y"))]).unwrap_err().field(),
            Some("freq")
        );
        // a model without a unit (from parameters) writes none
        let known = BetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap();
        assert_eq!(model_unit(&known), None);
        assert!(
            !BetaGeo::fit(
                &[&x, &tx, &tt],
                None,
                &FitOptions {
                    penalty: 0.01,
                    ..FitOptions::default()
                }
            )
            .unwrap()
            .to_json()
            .contains("\"unit\"")
        );
    }

    #[test]
    fn units() {
        assert_eq!(periods_per_month("D").unwrap(), 30.0);
        assert_eq!(periods_per_month("H").unwrap(), 720.0);
        assert_eq!(periods_per_month("M").unwrap(), 1.0);
        assert_eq!(periods_per_month("14D").unwrap(), 30.0 / 14.0);
        // the spellings `summary` takes (issue 17 #16: `clv score --freq w` and 2W were refused)
        assert_eq!(periods_per_month("d").unwrap(), 30.0);
        assert_eq!(periods_per_month("2W").unwrap(), 4.345 / 2.0);
        for bad in ["", "0d", "-7d", "x7d", "week"] {
            assert_eq!(
                periods_per_month(bad).unwrap_err().field(),
                Some("freq"),
                "{bad}"
            );
        }
    }

    #[test]
    fn one_month_equals_discounted_expectation() {
        // time = 1: CLV = spend · E[Y(u)] / (1 + d)
        let bg = BetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap();
        let e = bg
            .expected_purchases(4.345, &[2.0], &[30.43], &[38.86])
            .unwrap()[0];
        let c = customer_lifetime_value(&bg, &[10.0], &[2.0], &[30.43], &[38.86], 1, 0.01, 4.345)
            .unwrap();
        assert!((c[0] - 10.0 * e / 1.01).abs() < 1e-12);
    }

    /// Σ_k discount(t_k, E[X(T, T + t_k)] − E[X(T, T + t_{k−1})]) per
    /// customer over the horizons t_1, t_2, … of `horizons` (t_0 = 0).
    fn discounted_increments(
        m: &impl TransactionModel,
        horizons: impl Iterator<Item = f64>,
        discount: impl Fn(f64, f64) -> f64,
        (x, tx, tt): (&[f64], &[f64], &[f64]),
    ) -> Vec<f64> {
        let mut sum = vec![0.0; x.len()];
        let mut prev = vec![0.0; x.len()];
        for t in horizons {
            let e = m.expected_purchases(t, x, tx, tt).unwrap();
            for (s, (ek, pk)) in sum.iter_mut().zip(e.iter().zip(prev.iter_mut())) {
                *s += discount(t, ek - *pk);
                *pk = *ek;
            }
        }
        sum
    }

    /// `clv[k]` equals `spend[k] · sum[k]` to `rtol`, customer by customer.
    fn assert_spend_times(clv: &[f64], spend: &[f64], sum: &[f64], rtol: f64) {
        for k in 0..clv.len() {
            let want = spend[k] * sum[k];
            assert!(
                (clv[k] - want).abs() < rtol * want,
                "{k}: {} vs {want}",
                clv[k]
            );
        }
    }

    #[test]
    fn pareto_dert_clv_equals_discounted_integral() {
        // Independent check of FHL (2005) eq. 2: ∫₀^∞ e^{−δt} dE[X(T, T+t)] by
        // summing E-increments over 0.25-week steps to 1e4 weeks, each weighted by
        // e^{−δ t_mid} (the tail beyond 1e4 weeks is below e^{−26.9} of the total).
        let m = ParetoNbd::from_params(0.553, 10.578, 0.606, 11.669).unwrap();
        let delta = continuous_rate(0.15, 52.0).unwrap();
        let (x, tx, tt) = ([2.0, 0.0, 7.0], [30.43, 0.0, 29.43], [38.86, 38.86, 38.86]);
        let spend = [35.08, 47.0, 20.5];
        let clv = customer_lifetime_value_dert(&m, &spend, delta, &x, &tx, &tt).unwrap();
        let h = 0.25;
        let num = discounted_increments(
            &m,
            (1..=40_000).map(|k| h * f64::from(k)),
            |t, d| (-delta * (t - h / 2.0)).exp() * d,
            (&x, &tx, &tt),
        );
        assert_spend_times(&clv, &spend, &num, 1e-6);
    }

    #[test]
    fn bgbb_dert_clv_equals_discounted_sum() {
        // FHS (2010) eq. 14 against Σ_i (E[X(n, n+i)] − E[X(n, n+i−1)]) / (1+d)^i, i ≤ 2000
        // (the remainder is below 1.1^−2000).
        let m = BetaGeoBetaBinom::from_params(1.204, 0.750, 0.657, 2.783).unwrap();
        let (x, tx, n) = ([6.0, 3.0, 0.0], [6.0, 4.0, 0.0], [6.0, 6.0, 6.0]);
        let spend = [50.0, 25.0, 10.0];
        let clv = customer_lifetime_value_dert(&m, &spend, 0.1, &x, &tx, &n).unwrap();
        let sum = discounted_increments(
            &m,
            (1..=2000).map(f64::from),
            |t, d| d / 1.1f64.powi(t as i32),
            (&x, &tx, &n),
        );
        assert_spend_times(&clv, &spend, &sum, 1e-10);
    }

    #[test]
    fn dert_clv_bad_inputs() {
        let p = ParetoNbd::from_params(0.553, 10.578, 0.606, 11.669).unwrap();
        let b = BetaGeoBetaBinom::from_params(1.204, 0.750, 0.657, 2.783).unwrap();
        let c = |s: &[f64], d: f64| {
            customer_lifetime_value_dert(&p, s, d, &[2.0], &[30.43], &[38.86]).unwrap_err()
        };
        assert_eq!(c(&[1.0, 2.0], 0.01).code(), "LENGTH_MISMATCH");
        assert_eq!(c(&[f64::INFINITY], 0.01).field(), Some("spend"));
        assert_eq!(c(&[1.0], 0.0).field(), Some("delta"));
        let e = customer_lifetime_value_dert(&p, &[1.0], 0.01, &[2.0], &[40.0], &[38.86]);
        assert_eq!(e.unwrap_err().field(), Some("recency"));
        let d = |s: &[f64], r: f64, n: f64| {
            customer_lifetime_value_dert(&b, s, r, &[1.0], &[1.0], &[n]).unwrap_err()
        };
        assert_eq!(d(&[f64::NAN], 0.1, 6.0).field(), Some("spend"));
        assert_eq!(d(&[1.0], -0.5, 6.0).field(), Some("discount"));
        assert_eq!(d(&[1.0], 0.1, 6.5).field(), Some("n_periods"));
        // issue 17 #14: the monthly sum ran for minutes at 1e7 months
        let bg = crate::BetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap();
        let e = customer_lifetime_value(&bg, &[1.0], &[2.0], &[30.43], &[38.86], 1201, 0.01, 4.345);
        assert_eq!(e.unwrap_err().field(), Some("time"));
        let ok =
            customer_lifetime_value(&bg, &[1.0], &[2.0], &[30.43], &[38.86], 1200, 0.01, 4.345);
        assert!(ok.unwrap()[0].is_finite());
        // a model without a closed-form DERT
        let bg = crate::BetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap();
        let e = customer_lifetime_value_dert(&bg, &[1.0], 0.01, &[2.0], &[30.43], &[38.86]);
        assert_eq!(e.unwrap_err().code(), "NOT_SUPPORTED");
        assert_eq!(
            continuous_rate(-1.0, 52.0).unwrap_err().field(),
            Some("annual_rate")
        );
        assert_eq!(
            continuous_rate(0.15, 0.0).unwrap_err().field(),
            Some("periods_per_year")
        );
    }

    #[test]
    fn bad_inputs() {
        let bg = BetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap();
        let f = |s: &[f64], d: f64, u: f64| {
            customer_lifetime_value(&bg, s, &[2.0], &[30.43], &[38.86], 12, d, u).unwrap_err()
        };
        assert_eq!(f(&[1.0, 2.0], 0.01, 4.345).code(), "LENGTH_MISMATCH");
        assert_eq!(f(&[f64::NAN], 0.01, 4.345).field(), Some("spend"));
        assert_eq!(f(&[1.0], -1.0, 4.345).field(), Some("discount_rate"));
        assert_eq!(f(&[1.0], 0.01, 0.0).field(), Some("periods_per_month"));
    }
}
