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

use crate::error::{Error, Result, check};
use crate::models::TransactionModel;

/// Periods of the summary's unit in one month, as lifetimes uses them:
/// `"W"` 4.345, `"D"` 30, `"H"` 720, `"M"` 1. A multiple of days `"<k>D"` /
/// `"<k>d"` (the summary's "7d"-style unit) gives `30 / k` (a month is 30
/// days, as for `"D"`; lifetimes itself accepts only W, M, D, H).
///
/// # Errors
/// [`Error::InvalidValue`] with field `freq` for any other text or k ≤ 0.
///
/// # Example
/// ```
/// use clv::value::periods_per_month;
/// assert_eq!(periods_per_month("W").unwrap(), 4.345);
/// assert_eq!(periods_per_month("7d").unwrap(), 30.0 / 7.0);
/// assert!(periods_per_month("Y").is_err());
/// ```
pub fn periods_per_month(freq: &str) -> Result<f64> {
    match freq {
        "W" => Ok(4.345),
        "D" => Ok(30.0),
        "H" => Ok(720.0),
        "M" => Ok(1.0),
        _ => {
            let bad = || {
                Error::invalid(
                    "freq",
                    format!("{freq:?}"),
                    "W, D, H, M or a number of days such as \"7d\"",
                )
            };
            let num = freq
                .strip_suffix('d')
                .or_else(|| freq.strip_suffix('D'))
                .ok_or_else(bad)?;
            let k: f64 = num.parse().map_err(|_| bad())?;
            if k.is_finite() && k > 0.0 {
                Ok(30.0 / k)
            } else {
                Err(bad())
            }
        }
    }
}

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
/// finite or ≤ −1; `periods_per_month` not finite and > 0.
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
    check::same_len("spend", spend.len(), "frequency", frequency.len())?;
    if let Some(i) = spend.iter().position(|s| !s.is_finite()) {
        return Err(Error::invalid_at("spend", i, spend[i], "a finite number"));
    }
    if !(discount_rate_monthly.is_finite() && discount_rate_monthly > -1.0) {
        return Err(Error::invalid(
            "discount_rate",
            discount_rate_monthly,
            "a finite number > -1",
        ));
    }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::BetaGeo;

    #[test]
    fn units() {
        assert_eq!(periods_per_month("D").unwrap(), 30.0);
        assert_eq!(periods_per_month("H").unwrap(), 720.0);
        assert_eq!(periods_per_month("M").unwrap(), 1.0);
        assert_eq!(periods_per_month("14D").unwrap(), 30.0 / 14.0);
        for bad in ["", "d", "0d", "-7d", "x7d", "week"] {
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
