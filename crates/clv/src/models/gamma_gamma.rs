//! # Gamma-Gamma spend model — Fader & Hardie (2013)
//!
//! "The Gamma-Gamma Model of Monetary Value" (note, 2013), building on
//! Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for
//! Customer Base Analysis", JMR 42(4). The value of each transaction is
//! Gamma(p, ν); a customer's ν is Gamma(q, γ) across customers. Parameters
//! `p, q, v` (`v` is the note's γ; `lifetimes.GammaGammaFitter` uses the same
//! `p, q, v`; pymc-marketing `GammaGammaModel` calls them `p, q, v`; CLVTools
//! `gg` calls them `p, q, gamma`).
//!
//! Inputs per customer: `frequency` x (number of repeat transactions) and
//! `monetary_value` z̄ (their mean value). The model describes repeat
//! transactions only, so **only customers with x > 0 enter the fit**.
//!
//! ## Zero spend (valid data, left out and reported)
//! A $0 order is a valid transaction: it counts for the frequency (as in
//! `lifetimes`, whose summary keeps zero amounts). But the likelihood below
//! has `ln z̄` and a gamma density with no mass at 0, so a repeat customer
//! whose mean repeat spend is z̄ = 0 (only $0 repeat orders; CDNOW_master
//! has such customers) carries no information the model can use. The fit
//! therefore uses the repeat customers with **z̄ > 0** and lists the others
//! in [`FitInfo::left_out`](crate::fit::FitInfo::left_out) (their indices and
//! why), so that every runtime can warn and name them; they are not an
//! error. In [`SpendModel::expected_spend`] such a customer, like a customer
//! with x = 0, has no spend estimate of their own and is valued at the
//! **population mean spend** `E[Z] = pγ/(q−1)` (eq. 5 at x = 0), not at eq. 5
//! with z̄ = 0 (which would shrink the estimate toward $0 by the weight of
//! orders the model cannot describe).
//!
//! ## Likelihood (Fader & Hardie 2013, eq. 3: the density of z̄ given x)
//! ```text
//! f(z̄ | p, q, γ; x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q x^(px) z̄^(px−1) / (γ + x z̄)^(px+q)
//! ```
//! ## Conditional expected spend (Fader & Hardie 2013, eq. 5)
//! ```text
//! E[Z | p, q, γ; z̄, x] = (q−1)/(px+q−1) · pγ/(q−1) + px/(px+q−1) · z̄ = p (γ + x z̄) / (px + q − 1)
//! ```
//! a weighted mean of the population mean pγ/(q−1) and the customer's z̄. For
//! x = 0 it is the population mean, which exists only when q > 1.
//!
//! ## When the maximum does not exist: the limit p → ∞ with p·γ fixed
//! Put κ = 1/p and γ = cκ (so c = pγ stays fixed). With P = px and
//! `lnΓ(P+q) − lnΓ(P) = q ln P + q(q−1)/(2P) + O(P⁻²)` (Stirling) and
//! `ln(γ + x z̄) = ln(x z̄) + cκ/(x z̄) − c²κ²/(2x²z̄²) + O(κ³)`, eq. 3 becomes
//! ```text
//! ln f(z̄ | x) = [q ln c − lnΓ(q) − (q+1) ln z̄ − c/z̄] + κ/(2x) · [(q − c/z̄)² − q] + O(κ²)
//! ```
//! (derived for clv; checked numerically against eq. 3 at κ = 1e-4, 1e-5 in
//! the unit tests, and with mpmath at 50 digits by
//! `tests/vectors/gen_gamma_gamma_boundary_refs.py`). The bracket is the log-density of
//! an **inverse gamma** with shape q and scale c, whatever x: as p → ∞ each
//! customer's spend per transaction is constant (1/ν), so z̄ no longer shrinks
//! towards its mean as x grows. When the data show no such shrinking, the
//! likelihood keeps rising along this ridge and has no interior maximum.
//!
//! The best point of the limit (weights w, W = Σw, S = Σ w/z̄, L = Σ w ln z̄)
//! solves the inverse-gamma score equations:
//! ```text
//! ĉ = W q̂ / S,   ln q̂ − ψ(q̂) = L/W + ln(S/W)   (≥ 0 by Jensen's inequality)
//! LL_b = W q̂ ln ĉ − W lnΓ(q̂) − (q̂+1) L − W q̂
//! ```
//! and the slope of the log-likelihood into the interior there is
//! ```text
//! D = ∂LL/∂κ |κ=0 = Σ wᵢ/(2xᵢ) · [(q̂ − ĉ/z̄ᵢ)² − q̂]
//! ```
//! [`GammaGamma::fit`] (without a penalty) uses them to tell a ridge from a
//! maximum: a fit is kept only when its log-likelihood beats LL_b (within
//! rounding, when D > 0); a ridge point, or a non-converged run with D ≤ 0
//! (the limit is locally optimal), is an [`Error::NotConverged`] that says the
//! estimate does not exist.

use serde::{Deserialize, Serialize};
use statrs::function::gamma::{digamma, ln_gamma};

use super::{CovariateLink, Model, ModelInfo, SpendModel, log_add_exp, representable};
use super::{model_params, model_state};
use crate::error::{Error, Result, check};
use crate::fit::{FitInfo, FitOptions, LeftOut, Likelihood};
use crate::special::trigamma;

/// Parameters of the Gamma-Gamma model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GammaGammaParams {
    /// Shape of the per-transaction gamma distribution.
    pub p: f64,
    /// Shape of the gamma distribution of ν across customers.
    pub q: f64,
    /// Rate of that gamma (Fader & Hardie's γ).
    pub v: f64,
}

/// The Gamma-Gamma spend model; see the [module docs](self).
///
/// # Example
/// ```
/// use clv::{GammaGamma, SpendModel};
/// // Fader & Hardie (2013) CDNOW estimates; customer ID 1: x = 2, z̄ = 22.35.
/// // E = 6.25 (15.44 + 2·22.35)/(6.25·2 + 3.74 − 1) = 375.875/15.24 = 24.6637
/// let g = GammaGamma::from_params(6.25, 3.74, 15.44).unwrap();
/// let e = g.expected_spend(&[2.0], &[22.35]).unwrap();
/// assert!((e[0] - 24.663_714).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GammaGamma {
    params: GammaGammaParams,
    fit: Option<FitInfo>,
}

/// `S(z) = lnΓ(z) − [(z − ½) ln z − z + ½ ln 2π]` for z ≥ 20 by the Stirling
/// series (Abramowitz & Stegun 6.1.41)
/// `1/(12z) − 1/(360z³) + 1/(1260z⁵) − 1/(1680z⁷) + 1/(1188z⁹) − …`; the first
/// omitted term, 691/(360360 z¹¹), is below 1e-17 at z = 20.
fn stirling_tail(z: f64) -> f64 {
    let r = 1.0 / z;
    let r2 = r * r;
    r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 * (1.0 / 1680.0 - r2 / 1188.0))))
}

/// `lnΓ(P + q) − lnΓ(P)` for P, q > 0.
///
/// For P ≥ 20 it is summed as
/// `(P − ½) ln(1 + q/P) + q ln(P + q) − q + S(P + q) − S(P)` (Stirling,
/// [`stirling_tail`]), whose terms are O(q ln P): the plain difference of two
/// `ln_gamma` values of size P ln P keeps only ~ε·P ln P absolute accuracy,
/// 1e-8 at P = 10⁷ (statrs has no log-gamma ratio).
fn ln_gamma_ratio(pp: f64, q: f64) -> f64 {
    if pp >= 20.0 {
        (pp - 0.5) * (q / pp).ln_1p() + q * (pp + q).ln() - q + stirling_tail(pp + q)
            - stirling_tail(pp)
    } else {
        ln_gamma(pp + q) - ln_gamma(pp)
    }
}

/// ln f(z̄ | x) and its gradient in (p, q, v).
///
/// Eq. 3 is summed as
/// `[lnΓ(px+q) − lnΓ(px)] − lnΓ(q) + q ln v − q ln(v + x z̄) − ln z̄ − px · ln(1 + v/(x z̄))`
/// (the same value: px ln x + px ln z̄ − px ln(v + x z̄) = −px ln(1 + v/(x z̄))),
/// so that no term grows with p: term by term, eq. 3 cancels values of size
/// px·ln(px) and loses ~1e-7 per customer at p ~ 10⁶, more than the gap
/// between a ridge point and the limit p → ∞ (module docs) that
/// [`GammaGamma::fit`] must resolve.
/// The parameters from the optimiser's vector (p, q, v).
fn gg_params(p: &[f64]) -> GammaGammaParams {
    GammaGammaParams {
        p: p[0],
        q: p[1],
        v: p[2],
    }
}

pub(crate) fn ln_lik(pp: &GammaGammaParams, x: f64, m: f64, g: Option<&mut [f64; 3]>) -> f64 {
    let (p, q, v) = (pp.p, pp.q, pp.v);
    let px = p * x;
    let xm = x * m;
    let (l_vxm, l1p_v_xm) = if (v + xm).is_finite() && (v / xm).is_finite() {
        ((v + xm).ln(), (v / xm).ln_1p())
    } else {
        // x·z̄ (or v/(x·z̄)) beyond f64, e.g. z̄ = 1e308 with x = 2, or
        // z̄ = 1e-300 with v = 1e100: the same logs from ln v and ln x + ln z̄
        let (lv, lxm) = (v.ln(), x.ln() + m.ln());
        (log_add_exp(lv, lxm), log_add_exp(0.0, lv - lxm))
    };
    let ll = ln_gamma_ratio(px, q) - ln_gamma(q) + q * (v.ln() - l_vxm) - m.ln() - px * l1p_v_xm;
    if let Some(g) = g {
        let psi = digamma(px + q);
        g[0] = x * (psi - digamma(px) + x.ln() + m.ln() - l_vxm);
        g[1] = psi - digamma(q) + v.ln() - l_vxm;
        g[2] = q / v - (px + q) / (v + x * m);
    }
    ll
}

/// [`ln_lik`] with its Hessian in (p, q, v), packed as `[pp, pq, pv, qq,
/// qv, vv]`, for likelihoods built on per-customer parameters
/// ([`crate::covariates::spend`]). From the gradient above:
/// ```text
/// ∂²/∂p² = x²(ψ′(px+q) − ψ′(px))   ∂²/∂p∂q = x ψ′(px+q)     ∂²/∂p∂v = −x/(v+xz̄)
/// ∂²/∂q² = ψ′(px+q) − ψ′(q)        ∂²/∂q∂v = 1/v − 1/(v+xz̄)
/// ∂²/∂v² = −q/v² + (px+q)/(v+xz̄)²
/// ```
pub(crate) fn ln_lik_hessian(pp: &GammaGammaParams, x: f64, m: f64) -> (f64, [f64; 3], [f64; 6]) {
    let mut g = [0.0; 3];
    let ll = ln_lik(pp, x, m, Some(&mut g));
    let (p, q, v) = (pp.p, pp.q, pp.v);
    let px = p * x;
    let t = trigamma(px + q);
    let inv = 1.0 / (v + x * m);
    let h = [
        x * x * (t - trigamma(px)),
        x * t,
        -x * inv,
        t - trigamma(q),
        1.0 / v - inv,
        -q / (v * v) + (px + q) * inv * inv,
    ];
    (ll, g, h)
}

/// The weighted Gamma-Gamma likelihood of the repeat customers (eq. 3).
pub struct GgLikelihood {
    x: Vec<f64>,
    m: Vec<f64>,
    w: Vec<f64>,
    /// Input rows with x > 0 and z̄ = 0, left out of the fit (module docs).
    left_out: Vec<usize>,
}

impl Likelihood for GgLikelihood {
    fn names(&self) -> &'static [&'static str] {
        &["p", "q", "v"]
    }
    fn value_and_gradient(&self, params: &[f64], grad: &mut [f64]) -> f64 {
        let p = gg_params(params);
        let mut total = 0.0;
        let mut gi = [0.0; 3];
        grad.fill(0.0);
        for i in 0..self.x.len() {
            total += self.w[i] * ln_lik(&p, self.x[i], self.m[i], Some(&mut gi));
            for k in 0..3 {
                grad[k] += self.w[i] * gi[k];
            }
        }
        total
    }
    fn total_weight(&self) -> f64 {
        self.w.iter().sum()
    }
    fn starting_points(&self) -> Vec<Vec<f64>> {
        // Moment-style start: p = 2, q = 3, v chosen so that pv/(q−1) = weighted mean z̄.
        let (mut s, mut sw) = (0.0, 0.0);
        for i in 0..self.x.len() {
            s += self.w[i] * self.m[i];
            sw += self.w[i];
        }
        let mean = if sw > 0.0 && s > 0.0 { s / sw } else { 1.0 };
        vec![vec![2.0, 3.0, mean], vec![5.0, 2.0, mean / 5.0]]
    }
}

/// Model name in error messages.
const MODEL: &str = "Gamma-Gamma";

/// [`LeftOut::reason`] of a fit that left out zero-spend repeat customers.
pub(crate) const ZERO_SPEND_REASON: &str = "repeat customers whose mean spend is 0 (only $0 repeat orders) \
     are not in the Gamma-Gamma fit (its likelihood needs spend > 0); they count for \
     frequency and are valued at the population mean spend p·v/(q−1)";

/// The best point of the p → ∞ limit of the likelihood (module docs): z̄ ~
/// InverseGamma(shape `q`, scale `c` = p·v).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Boundary {
    /// Shape q̂.
    q: f64,
    /// Scale ĉ = p·v.
    c: f64,
    /// Limit log-likelihood `LL_b` at (q̂, ĉ).
    log_likelihood: f64,
    /// `D = ∂LL/∂κ` at κ = 1/p = 0, (q̂, ĉ): the slope into the interior.
    slope: f64,
}

/// `ln q − ψ(q)` for q > 0, strictly decreasing from +∞ to 0 with
/// `1/(2q) < ln q − ψ(q) < 1/q`: the lower bound because
/// `ψ(q) = ln q − 1/(2q) − 2∫₀^∞ t dt / ((t² + q²)(e^(2πt) − 1))`
/// (Abramowitz & Stegun 6.3.21) with a positive integral; the upper bound
/// because `ψ(q) = ψ(q+1) − 1/q` (6.3.5) and `ψ(q+1) > lnΓ(q+1) − lnΓ(q) = ln q`
/// (ψ is increasing, and the difference is ψ at a point of (q, q+1)).
///
/// For q ≥ 20 the asymptotic series of ψ (Abramowitz & Stegun 6.3.18)
/// `ln q − ψ(q) = 1/(2q) + 1/(12q²) − 1/(120q⁴) + 1/(252q⁶) − 1/(240q⁸) + 1/(132q¹⁰) − …`
/// is summed directly: subtracting statrs' ψ(q) from ln q would cancel all
/// but ~1/(2q) of ln q and lose digits for large q. The first omitted term,
/// 691/(32760 q¹²), is below 5.2e-18 (2.1e-16 relative) at q = 20; below 20
/// `ln q − digamma(q)` loses at most ln 20 ≈ 3 units of ψ's rounding.
fn ln_minus_digamma(q: f64) -> f64 {
    if q >= 20.0 {
        let r = 1.0 / q;
        let r2 = r * r;
        0.5 * r
            + r2 * (1.0 / 12.0
                - r2 * (1.0 / 120.0 - r2 * (1.0 / 252.0 - r2 * (1.0 / 240.0 - r2 / 132.0))))
    } else {
        q.ln() - digamma(q)
    }
}

/// Solves `ln q − ψ(q) = rhs` (rhs > 0) by bisection on ln q inside the
/// bracket `[1/(2 rhs), 1/rhs]` given by `1/(2q) < ln q − ψ(q) < 1/q`
/// (widened by a factor 2 each side for safety), until the
/// bracket stops shrinking in floating point: about 60 halvings of a bracket
/// of width ln 8 reach full precision. Bisection rather than Newton's method
/// (with [`crate::special::trigamma`]) because it cannot leave the bracket,
/// and it runs once per fit.
fn solve_ln_minus_digamma(rhs: f64) -> f64 {
    let (mut lo, mut hi) = ((0.25 / rhs).ln(), (2.0 / rhs).ln());
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if ln_minus_digamma(mid.exp()) > rhs {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (0.5 * (lo + hi)).exp()
}

impl GgLikelihood {
    /// The best point of the p → ∞ limit and the slope D there (module docs).
    /// `None` when all z̄ are equal (to rounding): the limit then has no best
    /// point (q̂ → ∞) and says nothing about the fit.
    fn boundary(&self) -> Option<Boundary> {
        let n = self.x.len();
        let mut wsum = 0.0;
        let mut lsum = 0.0;
        for i in 0..n {
            wsum += self.w[i];
            lsum += self.w[i] * self.m[i].ln();
        }
        if !(wsum.is_finite() && wsum > 0.0) {
            return None;
        }
        // With dᵢ = ln z̄ᵢ − a around a = L/W, the right side is
        // L/W + ln(S/W) = Σw d/W + ln(1 + Σ w (e^(−d) − 1)/W): summed this
        // way it keeps its digits when the z̄ are close together (rhs ≈ the
        // weighted variance of ln z̄ over 2) and is exactly 0 when all z̄ are equal.
        let a = lsum / wsum;
        let (mut mean_d, mut mean_e, mut mean_abs) = (0.0, 0.0, 0.0);
        for i in 0..n {
            let d = self.m[i].ln() - a;
            mean_d += self.w[i] * d;
            mean_e += self.w[i] * (-d).exp_m1();
            mean_abs += self.w[i] * d.abs();
        }
        let (mean_d, mean_e, mean_abs) = (mean_d / wsum, mean_e / wsum, mean_abs / wsum);
        let rhs = mean_d + mean_e.ln_1p();
        // Within a few rounding errors of these sums of 0, the z̄ are equal.
        if !(rhs.is_finite() && rhs > 64.0 * f64::EPSILON * (1.0 + mean_abs)) {
            return None;
        }
        let q = solve_ln_minus_digamma(rhs);
        // S = Σ w/z̄ = W e^(−a) (1 + Σ w (e^(−d) − 1)/W)
        let s_sum = wsum * (-a).exp() * (1.0 + mean_e);
        let c = wsum * q / s_sum;
        // LL_b = W q ln c − W lnΓ(q) − (q+1) L − c S, with c S = W q.
        let log_likelihood = wsum * q * c.ln() - wsum * ln_gamma(q) - (q + 1.0) * lsum - wsum * q;
        let mut slope = 0.0;
        for i in 0..n {
            let u = q - c / self.m[i];
            slope += self.w[i] / (2.0 * self.x[i]) * (u * u - q);
        }
        (log_likelihood.is_finite() && slope.is_finite()).then_some(Boundary {
            q,
            c,
            log_likelihood,
            slope,
        })
    }
}

/// Tells a ridge toward p → ∞ from a maximum (see [`GammaGamma::fit`]).
///
/// A converged fit is kept when its log-likelihood beats the limit's `LL_b`.
/// Within `1e-10 · max(|LL_b|, W)` of `LL_b` (rounding: the two cannot be told
/// apart) the sign of `D` decides: D > 0 means the maximum exists, just close
/// to the limit; D ≤ 0 means the fit sits on the ridge. A fit clearly below
/// `LL_b`, or a non-converged run with D ≤ 0 (the limit is locally optimal,
/// so the optimiser drifted toward it), is an [`Error::NotConverged`] that
/// says so; anything else passes through unchanged.
fn check_boundary(
    lik: &GgLikelihood,
    fitted: Result<(Vec<f64>, FitInfo)>,
) -> Result<(Vec<f64>, FitInfo)> {
    match fitted {
        Ok((params, info)) => {
            let Some(b) = lik.boundary() else {
                return Ok((params, info));
            };
            let ll = info.log_likelihood;
            let tol = 1e-10 * b.log_likelihood.abs().max(lik.total_weight());
            let beats_limit =
                ll > b.log_likelihood + tol || (ll >= b.log_likelihood - tol && b.slope > 0.0);
            if beats_limit {
                return Ok((params, info));
            }
            let at = format!(
                "p = {:.6e}, q = {:.6}, v = {:.6e}, log-likelihood {:.6}",
                params[0], params[1], params[2], ll
            );
            let reason = if b.slope <= 0.0 {
                no_maximum_reason(&b, &format!("the optimiser stopped on that ridge at {at}"))
            } else {
                format!(
                    "the optimiser stopped at {at}, below the limit p → ∞ with p·v fixed \
                     (log-likelihood {:.6}), yet the likelihood rises from that limit into \
                     the interior (slope D = {:.6e} > 0 in 1/p): a better maximum exists that \
                     the optimiser missed",
                    b.log_likelihood, b.slope
                )
            };
            Err(Error::NotConverged {
                model: MODEL.to_string(),
                iterations: info.iterations,
                gradient_norm: info.gradient_norm,
                reason,
            })
        }
        Err(Error::NotConverged {
            model,
            iterations,
            gradient_norm,
            reason,
        }) => {
            let reason = match lik.boundary() {
                Some(b) if b.slope <= 0.0 => no_maximum_reason(
                    &b,
                    &format!("the optimiser drifted toward it and stopped: {reason}"),
                ),
                _ => reason,
            };
            Err(Error::NotConverged {
                model,
                iterations,
                gradient_norm,
                reason,
            })
        }
        Err(e) => Err(e),
    }
}

/// The reason of the [`Error::NotConverged`] for data without a maximum;
/// `stop` says where the optimiser stopped.
fn no_maximum_reason(b: &Boundary, stop: &str) -> String {
    format!(
        "the likelihood keeps rising toward p → ∞ with p·v fixed (limit log-likelihood {:.6}, \
         where z̄ ~ InverseGamma(q = {:.6}, scale p·v = {:.6}) whatever the number of \
         transactions, and slope D = {:.6e} ≤ 0 into the interior; {stop}): the spread of mean \
         spend does not shrink with the number of transactions as the model assumes, so the \
         Gamma-Gamma maximum-likelihood estimate does not exist for these data; fit with a \
         penalty (e.g. penalty = 0.001) or more customers",
        b.log_likelihood, b.q, b.c, b.slope
    )
}

/// Validates (frequency, monetary_value) pairs: equal lengths, frequency a
/// finite whole number ≥ 0, monetary value finite and ≥ 0.
pub(crate) fn validate(frequency: &[f64], monetary_value: &[f64]) -> Result<()> {
    check::same_len(
        "monetary_value",
        monetary_value.len(),
        "frequency",
        frequency.len(),
    )?;
    for (i, (&x, &m)) in frequency.iter().zip(monetary_value).enumerate() {
        if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) {
            return Err(Error::invalid_at(
                "frequency",
                i,
                x,
                "a finite whole number >= 0",
            ));
        }
        if !(m.is_finite() && m >= 0.0) {
            return Err(Error::invalid_at(
                "monetary_value",
                i,
                m,
                "a finite number >= 0",
            ));
        }
    }
    Ok(())
}

model_params! {
    GammaGamma(GammaGammaParams) {
        /// Shape p.
        p,
        /// Shape q.
        q,
        /// Rate v (γ).
        v,
    }
}

impl GammaGamma {
    /// The parameters.
    pub fn parameters(&self) -> GammaGammaParams {
        self.params
    }

    /// Per-customer log-likelihood ln f(z̄ | x) (eq. 3) for customers with
    /// frequency > 0.
    ///
    /// # Errors
    /// As [`GammaGamma::fit`] for the inputs; customers with frequency 0 are
    /// an error here (the density is defined for x > 0 only).
    pub fn log_likelihood(&self, frequency: &[f64], monetary_value: &[f64]) -> Result<Vec<f64>> {
        validate(frequency, monetary_value)?;
        frequency
            .iter()
            .zip(monetary_value)
            .enumerate()
            .map(|(i, (&x, &m))| {
                if x == 0.0 {
                    Err(Error::invalid_at("frequency", i, x, "a number > 0"))
                } else if m == 0.0 {
                    Err(Error::invalid_at("monetary_value", i, m, "a number > 0"))
                } else {
                    Ok(ln_lik(&self.params, x, m, None))
                }
            })
            .collect::<Result<Vec<f64>>>()
            .and_then(|ll| representable(ll, "log-likelihood", self.name()))
    }
}

impl Model for GammaGamma {
    type Lik<'a> = GgLikelihood;
    model_state!(p, q, v);
    /// The spend link of [`crate::covariates::spend`]: `v_i = v₀ exp(γ_sᵀz)`.
    const COVARIATES: &'static [CovariateLink] = &[CovariateLink {
        effects: "spend",
        set: "spend",
        params: &["v"],
        sign: 1,
    }];
    fn check_inputs(inputs: &[&[f64]]) -> Result<()> {
        validate(inputs[0], inputs[1])
    }
    /// The repeat customers (frequency > 0) with a positive mean spend; the
    /// repeat customers with mean spend 0 are left out and listed (module
    /// docs, "Zero spend").
    fn likelihood(inputs: &[&[f64]], w_all: Vec<f64>) -> Result<GgLikelihood> {
        let (frequency, monetary_value) = (inputs[0], inputs[1]);
        let (mut x, mut m, mut w) = (Vec::new(), Vec::new(), Vec::new());
        let mut left_out = Vec::new();
        for i in 0..frequency.len() {
            if frequency[i] > 0.0 {
                if monetary_value[i] > 0.0 {
                    x.push(frequency[i]);
                    m.push(monetary_value[i]);
                    w.push(w_all[i]);
                } else {
                    left_out.push(i);
                }
            }
        }
        if x.is_empty() || w.iter().sum::<f64>() <= 0.0 {
            let zero = if left_out.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} repeat customer(s) have mean spend 0 and cannot enter it",
                    left_out.len()
                )
            };
            return Err(Error::Empty {
                field: "frequency".into(),
                reason: format!(
                    "the Gamma-Gamma fit needs customers with frequency > 0 and mean spend > 0 \
                     (and positive weight){zero}"
                ),
            });
        }
        Ok(GgLikelihood { x, m, w, left_out })
    }
    /// **Data without a maximum.** A fit ([`Model::fit`], inputs
    /// `frequency, monetary_value`, on the customers with `frequency > 0`:
    /// the model describes repeat transactions) may find no interior
    /// maximum: the supremum is then the limit p → ∞ with p·v = c fixed, where
    /// z̄ ~ InverseGamma(q, c) for every x (see the [module docs](self) for the
    /// limit, its best point (q̂, ĉ) with log-likelihood `LL_b`, and the slope
    /// `D = Σ wᵢ/(2xᵢ) [(q̂ − ĉ/z̄ᵢ)² − q̂]` into the interior). Without a
    /// penalty, a converged fit is returned only when its log-likelihood
    /// exceeds `LL_b`; a fit that stops on that ridge (log-likelihood ≤
    /// `LL_b`, typically p ≈ 10⁶ and a tiny v), or that does not converge while
    /// `D ≤ 0`, is an [`Error::NotConverged`] whose reason says that the
    /// likelihood keeps rising toward p → ∞ and to fit with a penalty (e.g.
    /// 0.001) or more customers. With `options.penalty > 0` the penalty makes
    /// p → ∞ infinitely costly, so the penalised optimum exists and no such
    /// check is made.
    ///
    /// Repeat customers with a monetary value of 0 are valid and left out
    /// of the likelihood: their indices are in
    /// [`FitInfo::left_out`](crate::fit::FitInfo::left_out) (module docs,
    /// "Zero spend").
    ///
    /// Input errors: lengths ([`Error::LengthMismatch`]); a negative,
    /// non-finite or fractional frequency, a negative or non-finite monetary
    /// value ([`Error::InvalidValue`] naming the index); [`Error::Empty`]
    /// when no customer has frequency > 0 and a mean spend > 0.
    fn finish(
        lik: &GgLikelihood,
        fitted: Result<(Vec<f64>, FitInfo)>,
        options: &FitOptions,
    ) -> Result<(Vec<f64>, FitInfo)> {
        let (params, mut info) = if options.penalty == 0.0 {
            check_boundary(lik, fitted)
        } else {
            fitted
        }?;
        if !lik.left_out.is_empty() {
            info.left_out = Some(LeftOut {
                indices: lik.left_out.clone(),
                reason: ZERO_SPEND_REASON.to_string(),
            });
        }
        Ok((params, info))
    }
}

impl SpendModel for GammaGamma {
    /// `E[Z | z̄, x] = p (γ + x z̄) / (px + q − 1)` (Fader & Hardie 2013, eq. 5).
    ///
    /// A customer without a spend estimate of their own — x = 0, or z̄ = 0
    /// (only $0 repeat orders, left out of the fit; module docs, "Zero
    /// spend") — gets the population mean spend `pγ/(q−1)` (eq. 5 at x = 0).
    ///
    /// # Errors
    /// Bad inputs as in [`GammaGamma::fit`] (zero monetary values are
    /// accepted here); a customer with `p x + q ≤ 1` (for the population
    /// mean that is q ≤ 1: it is infinite) is an [`Error::InvalidValue`]
    /// naming the index.
    fn expected_spend(&self, frequency: &[f64], monetary_value: &[f64]) -> Result<Vec<f64>> {
        validate(frequency, monetary_value)?;
        let GammaGammaParams { p, q, v } = self.params;
        frequency
            .iter()
            .zip(monetary_value)
            .enumerate()
            .map(|(i, (&x, &m))| {
                // No spend estimate of their own: eq. 5 at x = 0.
                let x = if m > 0.0 { x } else { 0.0 };
                let den = p * x + q - 1.0;
                if den > 0.0 {
                    // v + x·z̄ may overflow where the mean of the two does not
                    let e = p * (v + x * m) / den;
                    Ok(if e.is_finite() {
                        e
                    } else {
                        p / den * v + p * x / den * m
                    })
                } else {
                    Err(Error::invalid_at(
                        "frequency",
                        i,
                        x,
                        format!("a frequency with p·x + q > 1 (p = {p}, q = {q}): the expected spend is infinite"),
                    ))
                }
            })
            .collect::<Result<Vec<f64>>>()
            .and_then(|e| representable(e, "expected spend", self.name()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::excessive_precision)] // mpmath references keep all 17 digits
mod tests {
    use super::*;
    use crate::fit::FitOptions;
    use crate::models::{Model, ModelInfo};

    #[test]
    fn gradient_matches_finite_differences() {
        let theta = [6.25, 3.74, 15.44];
        for &(x, m) in &[(1.0, 11.77), (2.0, 22.35), (20.0, 5.5)] {
            crate::models::assert_gradient_matches_differences(
                theta,
                |b, g| ln_lik(&gg_params(&b), x, m, g),
                |b| 1e-6 * b,
                |g, fd, _| (g - fd).abs() < 1e-6 * (1.0 + fd.abs()),
                &format!("{x},{m}"),
            );
        }
    }

    /// The small weighted data set of the boundary tests: (x, z̄, w).
    fn small() -> GgLikelihood {
        GgLikelihood {
            x: vec![1.0, 2.0, 3.0, 1.0, 5.0, 2.0],
            m: vec![12.5, 30.25, 18.0, 7.75, 22.0, 41.5],
            w: vec![1.0, 2.0, 1.0, 3.0, 1.0, 2.0],
            left_out: Vec::new(),
        }
    }

    fn total_ll(lik: &GgLikelihood, p: f64, q: f64, v: f64) -> f64 {
        let mut g = [0.0; 3];
        lik.value_and_gradient(&[p, q, v], &mut g)
    }

    #[test]
    fn boundary_mle_solves_the_inverse_gamma_score_equations() {
        let lik = small();
        let b = lik.boundary().unwrap();
        // mpmath 1.3.0, 50 digits (tests/vectors/gen_gamma_gamma_boundary_refs.py):
        // q̂ = 2.5656937401511405, ĉ = 37.597245501374738, LL_b = −39.042235523196192,
        // D = 1.9157437214268049.
        assert!((b.q - 2.565_693_740_151_140_5).abs() < 1e-12, "{b:?}");
        assert!((b.c - 37.597_245_501_374_738).abs() < 1e-11, "{b:?}");
        assert!(
            (b.log_likelihood + 39.042_235_523_196_192).abs() < 1e-11,
            "{b:?}"
        );
        assert!((b.slope - 1.915_743_721_426_804_9).abs() < 1e-12, "{b:?}");
        // Score equations of Σ w ln InverseGamma(z̄; q, c):
        // ∂/∂q = W ln c − W ψ(q) − L = 0, ∂/∂c = W q / c − S = 0.
        let w: f64 = lik.w.iter().sum();
        let s: f64 = lik.w.iter().zip(&lik.m).map(|(w, m)| w / m).sum();
        let l: f64 = lik.w.iter().zip(&lik.m).map(|(w, m)| w * m.ln()).sum();
        assert!((w * b.c.ln() - w * digamma(b.q) - l).abs() < 1e-10);
        assert!((w * b.q / b.c - s).abs() < 1e-10);
        // LL_b is the direct sum of the inverse-gamma log-density (statrs'
        // InverseGamma(shape, rate) has density β^α/Γ(α) z^(−α−1) e^(−β/z): β is our scale c).
        use statrs::distribution::{Continuous, InverseGamma};
        let ig = InverseGamma::new(b.q, b.c).unwrap();
        let direct: f64 = lik
            .w
            .iter()
            .zip(&lik.m)
            .map(|(w, m)| w * ig.ln_pdf(*m))
            .sum();
        assert!(
            (direct - b.log_likelihood).abs() < 1e-12 * direct.abs(),
            "{direct}"
        );
    }

    #[test]
    fn boundary_slope_is_the_derivative_of_the_likelihood_in_one_over_p() {
        // LL(κ) at p = 1/κ, v = ĉκ, q = q̂ is LL_b + D κ + O(κ²) (module docs):
        // one-sided differences d(κ) = (LL(κ) − LL_b)/κ at κ = 1e-4 and 1e-5,
        // Richardson-extrapolated (10 d(1e-5) − d(1e-4))/9, cancel the O(κ) error.
        let lik = small();
        let b = lik.boundary().unwrap();
        let d = |k: f64| (total_ll(&lik, 1.0 / k, b.q, b.c * k) - b.log_likelihood) / k;
        let (d1, d2) = (d(1e-4), d(1e-5));
        // mpmath (gen_gamma_gamma_boundary_refs.py): d(1e-4) = 1.9130703477660663
        assert!((d1 - 1.913_070_347_766_066_3).abs() < 1e-9, "{d1}");
        let richardson = (10.0 * d2 - d1) / 9.0;
        assert!(
            (richardson - b.slope).abs() < 5e-7 * b.slope.abs(),
            "{richardson} vs D = {}",
            b.slope
        );
        // the limit itself: LL → LL_b as κ → 0
        let far = total_ll(&lik, 1e12, b.q, b.c * 1e-12);
        assert!((far - b.log_likelihood).abs() < 1e-10, "{far}");
    }

    #[test]
    fn boundary_needs_spread_in_mean_spend() {
        // All z̄ equal: the right side ln q − ψ(q) = 0 has no root (q̂ → ∞).
        let lik = GgLikelihood {
            x: vec![1.0, 4.0, 2.0],
            m: vec![37.1, 37.1, 37.1],
            w: vec![1.0, 2.0, 5.0],
            left_out: Vec::new(),
        };
        assert_eq!(lik.boundary(), None);
    }

    #[test]
    fn ln_minus_digamma_and_its_inverse() {
        // mpmath ln q − ψ(q) (gen_gamma_gamma_boundary_refs.py), across the switch at q = 20
        for &(q, want) in &[
            (1e-3, 993.667_816_652_828_16),
            (0.5, 1.270_362_845_461_478_2),
            (3.5, 0.149_606_327_850_124_81),
            (19.999, 0.025_209_552_198_841_576),
            (20.0, 0.025_208_281_311_841_943),
            (123.4, 0.004_057_336_355_010_066_5),
            (1e8, 5.000_000_008_333_333_3e-9),
        ] {
            let got = ln_minus_digamma(q);
            assert!((got - want).abs() < 5e-14 * want, "{q}: {got} vs {want}");
            let back = solve_ln_minus_digamma(want);
            assert!((back - q).abs() < 1e-12 * q, "{q}: {back}");
            // the bracket of the solver: 1/(2q) < ln q − ψ(q) < 1/q
            assert!(0.5 / q < got && got < 1.0 / q, "{q}");
        }
    }

    #[test]
    fn ln_gamma_ratio_and_ln_lik_far_out() {
        // mpmath lnΓ(P+q) − lnΓ(P) (gen_gamma_gamma_boundary_refs.py), both sides of P = 20
        for &(pp, q, want) in &[
            (19.5, 3.74, 11.358_633_528_024_191),
            (20.0, 3.74, 11.447_395_073_005_268),
            (1e7, 3.2, 51.577_906_435_066_592),
            (2.5e8, 0.01, 0.193_369_714_738_465_21),
        ] {
            let got = ln_gamma_ratio(pp, q);
            assert!(
                (got - want).abs() < 1e-13 * want.abs(),
                "{pp}: {got} vs {want}"
            );
        }
        // One customer on the ridge: p = 9e6, p·v = 67.85, q = 3.217, x = 3, z̄ = 22.35;
        // mpmath eq. 3 at 50 digits: −3.4726666259622298.
        let pp = GammaGammaParams {
            p: 9.0e6,
            q: 3.217,
            v: 67.85 / 9.0e6,
        };
        let got = ln_lik(&pp, 3.0, 22.35, None);
        assert!((got + 3.472_666_625_962_229_8).abs() < 1e-12, "{got}");
    }

    #[test]
    fn zero_spend_repeat_customers_are_left_out_and_listed() {
        // Fit with two zero-spend repeat customers (rows 1 and 4) and a one-time
        // buyer (row 3) = fit on the positive-spend repeat customers alone.
        let x = [1.0, 2.0, 3.0, 0.0, 4.0, 1.0, 5.0, 2.0, 1.0];
        let m = [12.5, 0.0, 18.0, 0.0, 0.0, 7.75, 22.0, 41.5, 30.25];
        // (a penalty: so few customers have no unpenalised maximum)
        let o = FitOptions {
            penalty: 0.001,
            ..FitOptions::default()
        };
        let g = GammaGamma::fit(&[&x, &m], None, &o).unwrap();
        let (xs, ms): (Vec<f64>, Vec<f64>) = x
            .iter()
            .zip(&m)
            .filter(|(x, m)| **x > 0.0 && **m > 0.0)
            .map(|(x, m)| (*x, *m))
            .unzip();
        let want = GammaGamma::fit(&[&xs, &ms], None, &o).unwrap();
        assert_eq!(g.values(), want.values());
        let info = g.fit_info().unwrap();
        let left = info.left_out.as_ref().unwrap();
        assert_eq!(left.indices, [1, 4]);
        assert!(left.reason.contains("mean spend is 0"), "{}", left.reason);
        assert_eq!(want.fit_info().unwrap().left_out, None);
        // the JSON keeps the list; a fit without one writes no key
        let back = GammaGamma::from_json(&g.to_json()).unwrap();
        assert_eq!(back.fit_info().unwrap().left_out.as_ref(), Some(left));
        assert!(!want.to_json().contains("left_out"));
        // valued at the population mean p·v/(q−1), as a customer with x = 0
        let e = g
            .expected_spend(&[0.0, 2.0, 4.0], &[0.0, 0.0, 0.0])
            .unwrap();
        let (p, q, v) = (g.p(), g.q(), g.v());
        for (k, ek) in e.iter().enumerate() {
            assert!((ek - p * v / (q - 1.0)).abs() < 1e-12 * ek, "{k}");
        }
    }

    #[test]
    fn extreme_spends_stay_finite_or_overflow_typed() {
        // The density of z̄ given x in its textbook form (FH 2013 eq. 3):
        // lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln v + (px−1) ln z̄ + px ln x
        // − (px+q) ln(v + x z̄), with ln(v + x z̄) from the larger term.
        // x·z̄ = 2e308 overflowed (ln L = −inf), and v/(x z̄) = 1e400 too.
        for (p, q, v, x, z) in [
            (1e-100_f64, 3.0_f64, 1.0_f64, 2.0_f64, 1e308_f64),
            (1e-100, 3.0, 1e100, 1.0, 1e-300),
            (2.5, 4.0, 1e-100, 3.0, 1e308),
        ] {
            let g = GammaGamma::from_params(p, q, v).unwrap();
            let (lv, lxz) = (v.ln(), x.ln() + z.ln());
            let l_sum = lv.max(lxz) + (-(lv - lxz).abs()).exp().ln_1p();
            let want = ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma(q)
                + q * lv
                + (p * x - 1.0) * z.ln()
                + p * x * x.ln()
                - (p * x + q) * l_sum;
            let got = g.log_likelihood(&[x], &[z]).unwrap()[0];
            assert!(
                (got - want).abs() < 1e-12 * want.abs().max(1.0),
                "{got} vs {want}"
            );
        }
        // E = p(v + x z̄)/(px + q − 1): 1e-100 · 2e308 / 2 = 1e208
        let g = GammaGamma::from_params(1e-100, 3.0, 1.0).unwrap();
        let e = g.expected_spend(&[2.0], &[1e308]).unwrap()[0];
        assert!((e / 1e208 - 1.0).abs() < 1e-14, "{e}");
        // q < 1 weights z̄ by px/(px + q − 1) = 4/3: 2e308 is beyond f64
        let g = GammaGamma::from_params(1.0, 0.5, 1.0).unwrap();
        let err = g.expected_spend(&[1.0, 2.0], &[5.0, 1.5e308]).unwrap_err();
        assert_eq!(err.code(), "OVERFLOW");
        assert!(err.to_string().contains("customer 1"), "{err}");
    }

    #[test]
    fn expected_spend_values() {
        let g = GammaGamma::from_params(6.25, 3.74, 15.44).unwrap();
        // x = 0: population mean pγ/(q−1) = 6.25·15.44/2.74 = 35.21898
        let e = g.expected_spend(&[0.0, 1.0], &[0.0, 11.77]).unwrap();
        assert!((e[0] - 6.25 * 15.44 / 2.74).abs() < 1e-12);
        // x = 1: 6.25 (15.44 + 11.77)/(6.25 + 2.74) = 170.0625/8.99 = 18.916852
        assert!((e[1] - 170.0625 / 8.99).abs() < 1e-12);
    }

    #[test]
    fn bad_inputs() {
        let g = GammaGamma::from_params(6.25, 0.5, 15.44).unwrap();
        let e = g.expected_spend(&[0.0], &[0.0]).unwrap_err();
        assert_eq!(e.field(), Some("frequency"));
        let e = g.expected_spend(&[1.0], &[-1.0]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid monetary_value[0]: -1 (expected a finite number >= 0)"
        );
        let e = g.expected_spend(&[1.0], &[1.0, 2.0]).unwrap_err();
        assert_eq!(e.code(), "LENGTH_MISMATCH");
        let e = GammaGamma::fit(&[&[1.0, 2.0], &[3.0, -1.0]], None, &FitOptions::default())
            .unwrap_err();
        assert_eq!(e.field(), Some("monetary_value"));
        assert!(
            e.to_string().starts_with("invalid monetary_value[1]: -1"),
            "{e}"
        );
        // only zero-spend repeat customers: nothing to fit, and the message says why
        let e =
            GammaGamma::fit(&[&[1.0, 2.0], &[0.0, 0.0]], None, &FitOptions::default()).unwrap_err();
        assert_eq!(e.code(), "EMPTY_INPUT");
        assert!(
            e.to_string()
                .contains("2 repeat customer(s) have mean spend 0"),
            "{e}"
        );
        let e = GammaGamma::fit(&[&[0.0], &[0.0]], None, &FitOptions::default()).unwrap_err();
        assert_eq!(e.code(), "EMPTY_INPUT");
        assert_eq!(
            GammaGamma::from_params(1.0, f64::INFINITY, 1.0)
                .unwrap_err()
                .field(),
            Some("q")
        );
        let j = g.to_json();
        assert_eq!(GammaGamma::from_json(&j).unwrap(), g);
    }
}
