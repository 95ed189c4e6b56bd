//! # MBG/NBD — Batislam, Denizel & Filiztekin (2007)
//!
//! "Empirical validation and comparison of models for customer base
//! analysis", *International Journal of Research in Marketing* 24(3),
//! 201–209. The BG/NBD of [`super::bg_nbd`] modified so that a customer may
//! also drop out at time 0, right after the first purchase: customers with no
//! repeat purchase are not certainly alive. Parameters `r, alpha` (gamma
//! purchase rates) and `a, b` (beta dropout probability), as
//! `lifetimes.ModifiedBetaGeoFitter`; pymc-marketing has `ModifiedBetaGeoModel`
//! with the same names; CLVTools has no MBG/NBD.
//!
//! No widely published CDNOW estimate exists; the conformance tests compare
//! the fit and predictions with `lifetimes` 0.11.3.
//!
//! ## Likelihood, customer (x, t_x, T), all x ≥ 0
//! ```text
//! L = B(a, b+x+1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
//!   + B(a+1, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))
//! ```
//! (`ln L = A1 + A2 + logaddexp(A3, A4)`, `A2 = ln B(a, b+x+1) − ln B(a, b)`,
//! `A4 = ln a − ln(b+x) − (r+x) ln(α+t_x)`.)
//!
//! ## Predictions
//! ```text
//! P(alive | x, t_x, T) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))
//! E[Y(t) | x, t_x, T]  = (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x)
//!                         · 2F1(r+x, b+x+1; a+b+x; t/(α+T+t))] · P(alive)
//! E[X(t)]              = b/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b+1; a+b; t/(α+t))]
//! P(X(t) = n)          = B(a, b+n+1)/B(a, b) · NB(n; r, α/(α+t))
//!                        + B(a+1, b+n)/B(a, b) · P(NB ≥ n)
//! ```
//! evaluated with the same Euler-transformed series and log-space sums as the
//! BG/NBD (`2F1(a+b−r, a−1; a+b+x; z)` after the transformation).

use serde::{Deserialize, Serialize};

use super::bg_nbd::{
    BgNbdParams, GeoLikelihood, Variant, conditional_expectation, geo_model, ln_lik, ln_prob_alive,
    ln_prob_purchases,
};
use super::{Model, TransactionModel, per_customer};
use crate::error::{Result, check};
use crate::fit::FitInfo;

/// The MBG/NBD model (Batislam, Denizel & Filiztekin 2007); see the
/// [module docs](self).
///
/// # Example
/// ```
/// use clv::{ModifiedBetaGeo, TransactionModel};
/// // At the FHL (2005) BG/NBD CDNOW estimates, a customer who never came back
/// // (x = 0, T = 38.86) is alive with probability 1/(1 + a/b) = 2.426/3.219 = 0.75365
/// // at T = 0 and less later; P(alive | x=0, T=38.86) = 0.637253 (lifetimes 0.11.3).
/// let m = ModifiedBetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap();
/// let p = m.prob_alive(&[0.0], &[0.0], &[38.86]).unwrap();
/// assert!((p[0] - 0.637_253_3).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModifiedBetaGeo {
    params: BgNbdParams,
    fit: Option<FitInfo>,
}

geo_model!(
    ModifiedBetaGeo,
    Variant::Mbg,
    "MBG/NBD analogue of FHL 2005 eq. 8"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zero_dropout() {
        // x = 0, T = 0: P(alive) = 1/(1 + a/b) = 2.426/(0.793 + 2.426) = 0.753650
        let p = m().prob_alive(&[0.0], &[0.0], &[0.0]).unwrap()[0];
        assert!((p - 2.426 / 3.219).abs() < 1e-12);
        // P(X(t) = 0) ≥ a/(a+b) = 0.246350 (the time-0 dropouts)
        assert!(m().prob_purchases(0, 1000.0).unwrap() > 0.793 / 3.219);
    }

    fn m() -> ModifiedBetaGeo {
        ModifiedBetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap()
    }
}
