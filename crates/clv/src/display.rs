//! Readable [`Display`](fmt::Display) of the models and of the result
//! structs: one or a few lines with the figures a person looks at first
//! (never the per-customer arrays), for `println!("{model}")`, Python's
//! `repr` and JavaScript's `toString`, which delegate here.
//!
//! ```
//! use clv::BetaGeo;
//! let m = BetaGeo::from_params(0.243, 4.414, 0.793, 2.426)?;
//! assert_eq!(m.to_string(), "BG/NBD(r=0.243, alpha=4.414, a=0.793, b=2.426)");
//! let w = clv::portfolio::whale_curve(&[50.0, 30.0, 20.0])?;
//! assert_eq!(
//!     w.to_string(),
//!     "WhaleCurve(3 customers, total 100, top 20% (1) hold 50.0%, Gini 0.2000, 0 value destroyers)"
//! );
//! # Ok::<(), clv::Error>(())
//! ```

use std::fmt;

use crate::diagnostics::HoldoutCheck;
use crate::experiment::Uplift;
use crate::fit::FitInfo;
use crate::models::{AnyModel, ModelInfo};
use crate::portfolio::{RiskRanking, ValueTiers, WhaleCurve};
use crate::summary::Summary;

/// `v` with at most 4 decimals and no trailing zeros (`0.243`, `4.4136`,
/// `465869`); scientific notation outside `[1e-4, 1e9)`.
pub(crate) fn num(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let a = v.abs();
    if a != 0.0 && !(1e-4..1e9).contains(&a) {
        return format!("{v:.4e}");
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// The texts `each` gives the `items`, joined by `sep`.
fn joined<T>(items: &[T], sep: &str, each: impl Fn(&T) -> String) -> String {
    items.iter().map(each).collect::<Vec<String>>().join(sep)
}

/// `Name(p1=v1, ...)`, then the fit's figures when fitted.
pub(crate) fn model(m: &dyn ModelInfo, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let params = joined(&m.params(), ", ", |(n, v)| format!("{n}={}", num(*v)));
    write!(f, "{}({}", m.name(), params)?;
    if let Some(info) = m.fit_info() {
        write!(f, "; {info}")?;
    }
    f.write_str(")")
}

impl fmt::Display for FitInfo {
    /// `fitted to 2357 customers in 7d, log-likelihood -9582.43` (and any
    /// warning).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fitted to {} customers", num(self.n_observations))?;
        if let Some(unit) = &self.unit {
            write!(f, " in {unit}")?;
        }
        write!(f, ", log-likelihood {:.2}", self.log_likelihood)?;
        if let Some(left) = &self.left_out {
            write!(f, ", {} left out", left.indices.len())?;
        }
        for w in &self.warnings {
            write!(f, "; warning: {w}")?;
        }
        Ok(())
    }
}

impl fmt::Display for AnyModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        model(self, f)
    }
}

impl fmt::Display for WhaleCurve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "WhaleCurve({} customers, total {}",
            self.len(),
            num(self.total)
        )?;
        if let Some(t) = self.top_shares.iter().find(|t| t.fraction == 0.2) {
            write!(
                f,
                ", top 20% ({}) hold {:.1}%",
                t.customers,
                100.0 * t.share
            )?;
        }
        write!(
            f,
            ", Gini {:.4}, {} value destroyers)",
            self.gini,
            self.destroyers.len()
        )
    }
}

impl fmt::Display for RiskRanking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "RiskRanking(at risk {} of {}",
            num(self.total),
            num(self.total_value)
        )?;
        if let Some(share) = self.share {
            write!(f, " ({:.1}%)", 100.0 * share)?;
        }
        write!(
            f,
            ", expected to stay {}, {} customers at risk",
            num(self.expected_retained),
            self.at_risk.len()
        )?;
        if self.lost_below > 0.0 {
            write!(
                f,
                ", {} likely lost (P(alive) < {}) with {}",
                self.lost.len(),
                num(self.lost_below),
                num(self.lost_total)
            )?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for ValueTiers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tiers = joined(&self.tiers, "; ", |t| {
            let share = t
                .share
                .map_or_else(String::new, |s| format!(", {:.1}%", 100.0 * s));
            format!("{}: {} customers{share}", t.tier, t.customers)
        });
        write!(f, "ValueTiers({}; {tiers})", self.method.as_str())
    }
}

impl fmt::Display for Uplift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Uplift({} {}: effect {} per customer [{}, {}] at {}%, p = {}, total {} [{}, {}]; \
             {} treated, {} control)",
            self.metric.as_str(),
            self.method,
            num(self.effect),
            num(self.ci_low),
            num(self.ci_high),
            num(100.0 * self.confidence),
            num(self.p_value),
            num(self.total),
            num(self.total_ci_low),
            num(self.total_ci_high),
            self.n_treated,
            self.n_control
        )
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let repeat = self.frequency.iter().filter(|&&x| x > 0.0).count();
        write!(
            f,
            "Summary({} customers ({repeat} repeat), {} transactions, unit {} ({}), observation end {}",
            self.len(),
            self.n_transactions,
            self.unit,
            self.unit.words(),
            crate::time::format_timestamp(self.observation_end)
        )?;
        if let Some(c) = self.calibration_end {
            write!(f, ", calibration end {}", crate::time::format_timestamp(c))?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for HoldoutCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let buckets = joined(&self.buckets, ", ", |b| {
            format!("{}: {} vs {:.1}", b.label, num(b.actual), b.predicted)
        });
        write!(
            f,
            "HoldoutCheck({} customers: actual {} vs predicted {:.1}; {buckets})",
            self.customers,
            num(self.actual),
            self.predicted,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ModelKind;

    #[test]
    fn numbers_models_and_results_read_well() {
        assert_eq!(num(0.24259), "0.2426");
        assert_eq!(num(465_869.0), "465869");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(1e-6), "1.0000e-6");
        let m = AnyModel::from_values(ModelKind::GammaGamma, &[6.25, 3.74, 15.44]).unwrap();
        assert_eq!(m.to_string(), "Gamma-Gamma(p=6.25, q=3.74, v=15.44)");
        let fitted = AnyModel::fit(
            ModelKind::BgNbd,
            &[
                &[0.0, 1.0, 2.0, 0.0],
                &[0.0, 3.0, 5.0, 0.0],
                &[6.0, 6.0, 6.0, 4.0],
            ],
            None,
            // 4 customers do not identify BG/NBD: a penalty gives an estimate
            &crate::fit::FitOptions {
                penalty: 0.01,
                ..crate::fit::FitOptions::default()
            },
        )
        .unwrap();
        let text = fitted.to_string();
        assert!(
            text.starts_with("BG/NBD(r=")
                && text.contains("; fitted to 4 customers, log-likelihood "),
            "{text}"
        );
        let r =
            crate::portfolio::risk_ranking_with_lost(&[6000.0, 800.0], &[0.001, 0.3], 0.1).unwrap();
        assert_eq!(
            r.to_string(),
            "RiskRanking(at risk 560 of 6800 (8.2%), expected to stay 246, 1 customers at risk, \
             1 likely lost (P(alive) < 0.1) with 5994)"
        );
        let t = crate::portfolio::value_tiers(
            &[50.0, 30.0, 20.0],
            &[0.5],
            crate::portfolio::TierMethod::CumulativeShare,
        )
        .unwrap();
        assert_eq!(
            t.to_string(),
            "ValueTiers(share; A: 1 customers, 50.0%; B: 2 customers, 50.0%)"
        );
    }
}
