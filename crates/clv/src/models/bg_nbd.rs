//! # BG/NBD — Fader, Hardie & Lee (2005)
//!
//! "Counting Your Customers the Easy Way: An Alternative to the Pareto/NBD
//! Model", *Marketing Science* 24(2), 275–284 (FHL 2005), with the
//! derivations of Fader, Hardie & Lee, "Implementing the BG/NBD Model for
//! Customer Base Analysis in Excel" (2005 note).
//!
//! ## Model
//! While alive, a customer buys as a Poisson process with rate λ; λ ~
//! Gamma(shape r, rate α) across customers. After each purchase the customer
//! drops out with probability p; p ~ Beta(a, b). Parameters `r, alpha, a, b`
//! (same names and meaning in `lifetimes.BetaGeoFitter`, pymc-marketing
//! `BetaGeoModel` and CLVTools `bgnbd`).
//!
//! ## Likelihood (FHL 2005 eq. 6), customer (x, t_x, T)
//! ```text
//! L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
//!   + 1{x>0} · B(a+1, b+x−1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))
//! ```
//! computed as `ln L = A1 + A2 + logaddexp(A3, A4)` with
//! `A1 = lnΓ(r+x) − lnΓ(r) + r ln α`, `A2 = ln B(a, b+x) − ln B(a, b)`,
//! `A3 = −(r+x) ln(α+T)`, `A4 = ln a − ln(b+x−1) − (r+x) ln(α+t_x)` (x > 0).
//!
//! ## P(alive) (FHL 2005 note, eq. for P(τ > T))
//! `P(alive | x, t_x, T) = 1 / (1 + 1{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))`.
//!
//! ## Conditional expectation (FHL 2005 eq. 10)
//! ```text
//! E[Y(t) | x, t_x, T] = (a+b+x−1)/(a−1)
//!     · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive)
//! ```
//! Evaluated after Euler's transformation
//! `2F1(A, B; C; z) = (1−z)^(C−A−B) 2F1(C−A, C−B; C; z)`, which turns the
//! bracket into `1 − (1−z)^(a−1) · 2F1(a+b−1−r, a−1; a+b+x−1; z)`: the upper
//! parameters no longer grow with x, and the form is also valid at a = 1
//! (see `bracket_over_a_minus_one`). The series converges like z^k, so for
//! z = t/(α+T+t) > 0.95 (horizons much longer than α+T, e.g. α = 0.01, T = 0,
//! t = 10⁴ gives z = 1 − 10⁻⁶) the same quantity is computed as the posterior
//! integral `E_p[(1 − (1 + p t/(α+T))^{−(r+x)})/p]`, p ~ Beta(a, b+x)
//! (see `expectation_given_alive`), by quadrature: every valid input gives a
//! finite value.
//!
//! ## New customer (FHL 2005 eq. 9 and eq. 8)
//! `E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t))]`
//! (the conditional expectation at x = t_x = T = 0), and
//! ```text
//! P(X(t) = n) = B(a, b+n)/B(a, b) · Γ(r+n)/(Γ(r) n!) · (α/(α+t))^r (t/(α+t))^n
//!   + 1{n>0} · B(a+1, b+n−1)/B(a, b) · [1 − (α/(α+t))^r Σ_{j<n} Γ(r+j)/(Γ(r) j!) (t/(α+t))^j]
//! ```
//! where the bracket is the negative-binomial tail `P(NB ≥ n) = I_{t/(α+t)}(n, r)`
//! (regularised incomplete beta), evaluated without cancellation; the sum of
//! the two terms is taken in log space.

use crate::special::ln_beta;
use serde::{Deserialize, Serialize};
use statrs::function::beta::checked_beta_reg;
use statrs::function::factorial::ln_factorial;
use statrs::function::gamma::{digamma, ln_gamma};

use super::{
    CovariateLink, Distinct, Model, SUM_CHUNK, TransactionModel, chunked_sum, log_add_exp,
    per_customer, shapes_run_off, tri, write_sym4,
};
use crate::covariates::{LinkedRows, RowHessian};
use crate::error::{Error, Result, check};
use crate::fit::{Boundary, FitInfo, Likelihood};
use crate::special::lanes::{LANES, exp_lanes, ln_lanes};
use crate::special::{tanh_sinh, trigamma};

/// Parameters of the BG/NBD and MBG/NBD models.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BgNbdParams {
    /// Shape of the gamma distribution of purchase rates.
    pub r: f64,
    /// Rate (inverse scale, in the summary's time unit) of that gamma.
    pub alpha: f64,
    /// First shape parameter of the beta distribution of dropout probabilities.
    pub a: f64,
    /// Second shape parameter of that beta.
    pub b: f64,
}

impl BgNbdParams {
    /// Validates each parameter ([`check::parameter`]), naming it in the error.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] with field `r`, `alpha`, `a` or `b`.
    pub fn new(r: f64, alpha: f64, a: f64, b: f64) -> Result<Self> {
        Ok(BgNbdParams {
            r: check::parameter("r", r)?,
            alpha: check::parameter("alpha", alpha)?,
            a: check::parameter("a", a)?,
            b: check::parameter("b", b)?,
        })
    }
}

/// BG/NBD (s = 0) or MBG/NBD (s = 1): the MBG/NBD shifts b+x by one in the
/// beta terms and lets x = 0 customers drop out at time 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Variant {
    /// Fader, Hardie & Lee (2005).
    Bg,
    /// Batislam, Denizel & Filiztekin (2007).
    Mbg,
}

impl Variant {
    fn shift(self) -> f64 {
        match self {
            Variant::Bg => 0.0,
            Variant::Mbg => 1.0,
        }
    }
    /// x − 1 + s, what the dropout term adds to b (its beta function is
    /// B(a + 1, b + x − 1 + s)). Callers add it to b last: b + (x − 1 + s)
    /// is exact for whole x, where (b + x) − 1 rounds a tiny b away (b =
    /// 1e-100 made ln L NaN at BG x = 1, MBG x = 0).
    fn dropout_offset(self, x: f64) -> f64 {
        x - 1.0 + self.shift()
    }
    /// Whether the "dropped out after the last purchase" term exists.
    fn has_dropout_term(self, x: f64) -> bool {
        match self {
            Variant::Bg => x > 0.0,
            Variant::Mbg => true,
        }
    }
}

/// ln L for one customer and (optionally) its gradient in (r, α, a, b).
pub(crate) fn ln_lik(
    v: Variant,
    p: &BgNbdParams,
    x: f64,
    tx: f64,
    tt: f64,
    grad: Option<&mut [f64; 4]>,
) -> f64 {
    let (r, al, a, b) = (p.r, p.alpha, p.a, p.b);
    let s = v.shift();
    let a1 = ln_gamma(r + x) - ln_gamma(r) + r * al.ln();
    let (a2, d2a, d2b) = ln_beta_ratio(a, b, x + s);
    let l_t = (al + tt).ln();
    let l_tx = (al + tx).ln();
    let a3 = -(r + x) * l_t;
    let dropout = v.has_dropout_term(x);
    let bx = b + v.dropout_offset(x);
    let a4 = if dropout {
        a.ln() - bx.ln() - (r + x) * l_tx
    } else {
        f64::NEG_INFINITY
    };
    let ll = a1 + a2 + log_add_exp(a3, a4);
    if let Some(g) = grad {
        // weight of the A4 term: w4 = e^{A4}/(e^{A3}+e^{A4}) = σ(A4 − A3)
        let w4 = if dropout {
            1.0 / (1.0 + (a3 - a4).exp())
        } else {
            0.0
        };
        let w3 = 1.0 - w4;
        g[0] = digamma(r + x) - digamma(r) + al.ln() - w3 * l_t - w4 * l_tx;
        g[1] = r / al - (r + x) * (w3 / (al + tt) + w4 / (al + tx));
        g[2] = d2a + if dropout { w4 / a } else { 0.0 };
        g[3] = d2b - if dropout { w4 / bx } else { 0.0 };
    }
    ll
}

/// `ln B(a, b+n) − ln B(a, b)` and its derivatives in a and b, for a whole
/// number n ≥ 0. Up to n = 10⁴ as the finite sum
/// `Σ_{j<n} ln((b+j)/(a+b+j))` (derivatives `−Σ 1/(a+b+j)` and
/// `Σ a/((b+j)(a+b+j))`), which stays accurate where the four lnΓ of the
/// textbook form cancel (a, b ≫ 1: at a, b ~ 10¹⁸ each lnΓ is ~4·10¹⁹ and
/// their sum keeps no digit); beyond, the lnΓ/ψ form.
pub(crate) fn ln_beta_ratio(a: f64, b: f64, n: f64) -> (f64, f64, f64) {
    if n <= 1e4 && n.fract() == 0.0 {
        let (mut v, mut da, mut db) = (0.0, 0.0, 0.0);
        let mut j = 0.0;
        while j < n {
            let (bj, abj) = (b + j, a + b + j);
            // ln((b+j)/(a+b+j)): by ln_1p when the ratio is near 1, by the
            // two logarithms when it is small (b+j < a: 1 − a/(a+b+j) would
            // round to 0 for b ≪ a)
            v += if bj < a {
                bj.ln() - abj.ln()
            } else {
                (-a / abj).ln_1p()
            };
            da -= 1.0 / abj;
            db += a / (bj * abj);
            j += 1.0;
        }
        (v, da, db)
    } else {
        let (psi_ab, psi_abn) = (digamma(a + b), digamma(a + b + n));
        (
            ln_gamma(a + b) + ln_gamma(b + n) - ln_gamma(b) - ln_gamma(a + b + n),
            psi_ab - psi_abn,
            psi_ab + digamma(b + n) - digamma(b) - psi_abn,
        )
    }
}

/// ln P(alive | x, t_x, T) = −ln(1 + 1{dropout term} · a/(b+x−1+s) · ((α+T)/(α+t_x))^(r+x)).
pub(crate) fn ln_prob_alive(v: Variant, p: &BgNbdParams, x: f64, tx: f64, tt: f64) -> f64 {
    if !v.has_dropout_term(x) {
        return 0.0;
    }
    let d = p.a.ln() - (p.b + v.dropout_offset(x)).ln()
        + (p.r + x) * ((p.alpha + tt).ln() - (p.alpha + tx).ln());
    // −softplus(d), stable for large |d|
    -(d.max(0.0) + (-d.abs()).exp().ln_1p())
}

/// `S = Σ_{k≥1} u_k` with `u_k = (A)_k (ε+1)_{k−1} / ((C)_k k!) · z^k`, so that
/// `2F1(A, ε; C; z) = 1 + ε S`. Returned as `(s, ln_scale)` with
/// `S = s · e^{ln_scale}` (rescaled to avoid overflow for large parameters).
///
/// Written by hand (statrs has no 2F1). Terms are generated by their ratio
/// `u_{k+1}/u_k = (A+k)(ε+k) z / ((C+k)(k+1))`; for j ≥ k, with A+k, ε+k,
/// C+k > 0, the ratio is bounded by `ρ = z · max((A+k)/(k+1), 1) · max((ε+k)/(C+k), 1)`
/// (both factors are monotone in j and tend to 1), so once ρ < 1 the tail is
/// at most `|u_k| ρ/(1−ρ)`; the sum stops when that bound is below 1e-17 of
/// the partial sum.
fn series_s(big_a: f64, eps: f64, c: f64, z: f64) -> Option<(f64, f64)> {
    const MAX_TERMS: u32 = 10_000_000;
    if z == 0.0 {
        return Some((0.0, 0.0));
    }
    let mut term = big_a * z / c;
    let mut sum = term;
    let mut ln_scale = 0.0;
    let mut k = 1.0;
    for i in 0..MAX_TERMS {
        if !term.is_finite() || !sum.is_finite() {
            return None;
        }
        if term == 0.0 {
            return Some((sum, ln_scale));
        }
        // The tail bound costs two divisions: test it every fourth term (a
        // few extra terms only add accuracy).
        if i % 4 == 0 && big_a + k > 0.0 && eps + k > 0.0 && c + k > 0.0 {
            let rho = z * ((big_a + k) / (k + 1.0)).max(1.0) * ((eps + k) / (c + k)).max(1.0);
            if rho < 1.0 && term.abs() * rho / (1.0 - rho) <= 1e-17 * sum.abs() {
                return Some((sum, ln_scale));
            }
        }
        term *= (big_a + k) * (eps + k) * z / ((c + k) * (k + 1.0));
        sum += term;
        k += 1.0;
        let m = term.abs().max(sum.abs());
        if m > 1e250 {
            term /= m;
            sum /= m;
            ln_scale += m.ln();
        }
    }
    None
}

/// `[1 − (1−z)^ε · 2F1(A, ε; C; z)] / ε` for z ∈ [0, 1), with `ln_1mz = ln(1−z)`,
/// continuous at ε = 0 (limit `−ln(1−z) − S`).
///
/// With `F = 1 + εS` ([`series_s`]): `(1−z)^ε F = exp(ε ln(1−z) + ln(1+εS))`,
/// so the bracket is `−expm1(ε ln(1−z) + ln_1p(εS))/ε`, free of cancellation
/// when both terms are close to 1.
fn bracket_over_a_minus_one(big_a: f64, eps: f64, c: f64, z: f64, ln_1mz: f64) -> Option<f64> {
    let (s, ls) = series_s(big_a, eps, c, z)?;
    if eps == 0.0 {
        return if ls == 0.0 { Some(-ln_1mz - s) } else { None };
    }
    // ln(1 + εS) with S = s·e^{ls}
    let one_plus = if ls == 0.0 {
        let es = eps * s;
        if es > -1.0 { Some(es.ln_1p()) } else { None }
    } else {
        let inner = (-ls).exp() + eps * s;
        if inner > 0.0 {
            Some(ls + inner.ln())
        } else {
            None
        }
    };
    match one_plus {
        Some(lf) => Some(-(eps * ln_1mz + lf).exp_m1() / eps),
        None => {
            // F ≤ 0 (possible only for unusual parameters): direct form.
            let f = 1.0 + eps * s * ls.exp();
            Some((1.0 - (eps * ln_1mz).exp() * f) / eps)
        }
    }
}

/// Largest z = t/(α+T+t) for which the conditional expectation uses the
/// hypergeometric series rather than [`expectation_given_alive`].
const SERIES_MAX_Z: f64 = 0.95;

/// E[Y(t) | alive at T, x, T] as an integral over the posterior of the dropout
/// probability p, valid for every t (used where z = t/(α+T+t) is close to 1
/// and the ₂F₁ series would need millions of terms).
///
/// Given alive at T, λ | · ~ Gamma(r+x, α+T) and p | · ~ Beta(a, b+x+s) (the
/// customer survived x + s purchase opportunities). With purchases at rate λ
/// and a dropout chance p after each, the expected number of purchases in
/// (T, T+t] is Σ_{k≥1} P(N ≥ k)(1−p)^{k−1} = (1 − e^{−λpt})/p (N ~ Poisson(λt)),
/// and averaging over λ gives
/// ```text
/// E[Y(t) | alive] = ∫₀¹ [1 − (1 + p·t/(α+T))^{−(r+x)}] / p · p^{a−1}(1−p)^{b+x+s−1} / B(a, b+x+s) dp,
/// ```
/// which equals (a+b+x−1+s)/(a−1) · [1 − ((α+T)/(α+T+t))^{r+x} ₂F₁(r+x, b+x+s; a+b+x−1+s; z)]
/// (FHL 2005 eq. 10 without P(alive); Euler's integral A&S 15.3.1 of that ₂F₁).
/// The integrand is positive and `1 − (1+pu)^{−k}` is formed by `expm1`/`ln_1p`,
/// so nothing cancels; tanh-sinh quadrature ([`crate::special`]) in log space.
fn expectation_given_alive(p: &BgNbdParams, s: f64, t: f64, x: f64, tt: f64) -> f64 {
    let k = p.r + x;
    let u = t / (p.alpha + tt);
    let bb = p.b + x + s;
    let ln_b = ln_beta(p.a, bb);
    let (ln_i, _) = tanh_sinh::<0>(p.a.min(bb), |n| {
        let y = k * (n.t * u).ln_1p();
        let g = (-(-y).exp_m1()).ln() + (p.a - 2.0) * n.ln_t + (bb - 1.0) * n.ln_tc - ln_b;
        (g, [])
    });
    ln_i.exp()
}

/// E[Y(t) | x, t_x, T] for BG/NBD (s = 0) or MBG/NBD (s = 1):
/// `P(alive) · C · [1 − (1−z)^(a−1) 2F1(a+b−1+s−r, a−1; C; z)] / (a−1)`,
/// `C = a+b+x−1+s`, `z = t/(α+T+t)`.
pub(crate) fn conditional_expectation(
    v: Variant,
    p: &BgNbdParams,
    t: f64,
    x: f64,
    tx: f64,
    tt: f64,
) -> Result<f64> {
    if t == 0.0 {
        return Ok(0.0);
    }
    let s = v.shift();
    let c = p.a + p.b + v.dropout_offset(x);
    let z = t / (p.alpha + tt + t);
    let ln_1mz = (p.alpha + tt).ln() - (p.alpha + tt + t).ln();
    // The series needs about ln(1e-17)/ln(z) terms: fine up to z = 0.95
    // (~800 terms); beyond, and wherever it fails, use the posterior integral.
    let series = if z <= SERIES_MAX_Z {
        bracket_over_a_minus_one(p.a + p.b - 1.0 + s - p.r, p.a - 1.0, c, z, ln_1mz)
            .map(|b| c * b)
            .filter(|v| v.is_finite())
    } else {
        None
    };
    let per_alive = match series {
        Some(v) => v,
        None => expectation_given_alive(p, s, t, x, tt),
    };
    let value = ln_prob_alive(v, p, x, tx, tt).exp() * per_alive;
    if value.is_finite() {
        Ok(value.max(0.0))
    } else {
        Err(Error::invalid(
            "t",
            t,
            format!("a horizon giving a finite expectation (x = {x}, T = {tt})"),
        ))
    }
}

/// ln P(X(t) = n) for a new customer (FHL 2005 eq. 8; MBG/NBD analogue with s = 1).
pub(crate) fn ln_prob_purchases(v: Variant, p: &BgNbdParams, n: u32, t: f64) -> f64 {
    let (r, al, a, b) = (p.r, p.alpha, p.a, p.b);
    let s = v.shift();
    let nf = f64::from(n);
    let ln_b = ln_beta(a, b);
    // ln NB(n; r, α/(α+t))
    let ln_nb = if t == 0.0 {
        if n == 0 { 0.0 } else { f64::NEG_INFINITY }
    } else {
        ln_gamma(r + nf) - ln_gamma(r) - ln_factorial(u64::from(n)) - r * (t / al).ln_1p()
            + nf * (t.ln() - (al + t).ln())
    };
    let first = ln_beta(a, b + nf + s) - ln_b + ln_nb;
    let second = if n > 0 || s > 0.0 {
        // P(NB ≥ n) = I_{t/(α+t)}(n, r); 1 for n = 0
        let tail = if n == 0 {
            1.0
        } else if t == 0.0 {
            0.0
        } else {
            checked_beta_reg(nf, r, t / (al + t)).unwrap_or(f64::NAN)
        };
        ln_beta(a + 1.0, b + v.dropout_offset(nf)) - ln_b + tail.ln()
    } else {
        f64::NEG_INFINITY
    };
    log_add_exp(first, second)
}

/// Log-likelihood of a data set, for the optimiser.
///
/// The terms of `ln L` that depend on x alone (A1, A2 and the constants of
/// A4) are computed once per distinct x and weighted by the total weight of
/// that x; only `logaddexp(A3, A4)` is computed per customer. The sum is the
/// same as summing `ln_lik` per customer (checked in the tests).
///
/// Per customer, the rows are taken in two groups:
/// - without the dropout term (BG/NBD's x = 0), `logaddexp(A3, A4) = A3 =
///   −r ln(α+T)`: only `Σ w ln(α+T)`, `Σ w/(α+T)` and `Σ w/(α+T)²` are
///   summed, and with unit weights the logarithm is taken of the product of
///   16 rows' `α+T` (when that product is a normal number; else row by
///   row): one logarithm per 16 customers;
/// - the others: `ln(α+T)`, `ln(α+t_x)` and one exponential each, and
///   `ln(1 + e^{−|A4−A3|})` again as the logarithm of a product of 16
///   factors in `[1, 2]` with unit weights.
///
/// `ln Π yᵢ` and `Σ ln yᵢ` agree to about 16 roundings of a product, ~2e-15
/// absolute per 16 rows: far below the rounding of a total of thousands.
pub struct GeoLikelihood<'a> {
    pub(crate) variant: Variant,
    pub(crate) x: &'a [f64],
    pub(crate) tx: &'a [f64],
    pub(crate) tt: &'a [f64],
    /// Per-row weights; empty: every row weighs 1.
    pub(crate) w: Vec<f64>,
    pub(crate) distinct: Distinct,
    groups: Groups,
    /// Σ w, summed once (the fit asks for it at every Newton step).
    total_weight: f64,
    /// Whether most repeat customers (by weight) have a frequency above
    /// their recency: swapped columns ([`Likelihood::boundary`]).
    swapped: bool,
}

/// The rows of a [`GeoLikelihood`] with weight > 0, in input order within
/// two groups: those without the dropout term (`zero`: BG/NBD's x = 0; no
/// MBG/NBD row) and the others (`mixed`).
struct Groups {
    zero: Vec<u32>,
    mixed: Vec<u32>,
    /// Every weight > 0 is 1 (the logarithms of products apply).
    unit: bool,
}

/// Rows whose logarithms [`GeoLikelihood`] takes as one logarithm of their
/// product, and whose `ln` and `exp` it takes at once ([`LANES`]).
const PRODUCT_ROWS: usize = 16;
const _: () = assert!(PRODUCT_ROWS == LANES);

/// Blocks of [`PRODUCT_ROWS`] mixed rows whose factors 1 + e ∈ [1, 2]
/// [`GeoLikelihood::chunk_hessian`] multiplies before one logarithm: at
/// most 2^512, far from overflow.
const PRODUCT_BLOCKS: usize = 32;

/// Per-distinct-x quantities of one evaluation.
#[derive(Clone, Copy)]
struct PerX {
    /// r + x
    rx: f64,
    /// ln a − ln(b+x−1+s), or −∞ without the dropout term.
    c4: f64,
    /// 1/(b+x−1+s) (0 without the dropout term).
    inv_bx: f64,
}

impl PerX {
    /// The lanes of [`MixLanes`] past the last row of a block: finite
    /// quantities (with α+T = α+t_x = 1 and weight 0).
    const PADDING: PerX = PerX {
        rx: 0.0,
        c4: 0.0,
        inv_bx: 0.0,
    };

    /// The quantities of the x of a customer, `ln_a` = ln a.
    fn new(variant: Variant, r: f64, ln_a: f64, b: f64, x: f64) -> Self {
        let bx = b + variant.dropout_offset(x);
        let dropout = variant.has_dropout_term(x);
        PerX {
            rx: r + x,
            c4: if dropout {
                ln_a - bx.ln()
            } else {
                f64::NEG_INFINITY
            },
            inv_bx: if dropout { 1.0 / bx } else { 0.0 },
        }
    }
}

impl<'a> GeoLikelihood<'a> {
    pub(crate) fn new(
        variant: Variant,
        x: &'a [f64],
        tx: &'a [f64],
        tt: &'a [f64],
        w: Vec<f64>,
    ) -> Self {
        let distinct = Distinct::new(x, &w);
        let (groups, total_weight, swapped) = if w.is_empty() {
            Groups::new(variant, x, tx, std::iter::repeat(1.0))
        } else {
            Groups::new(variant, x, tx, w.iter().copied())
        };
        GeoLikelihood {
            variant,
            x,
            tx,
            tt,
            w,
            distinct,
            groups,
            total_weight,
            swapped,
        }
    }

    /// The weight of row `i` of a group: 1 where every weight in the groups
    /// is ([`Groups::unit`], and always without weights).
    #[inline(always)]
    fn weight(&self, i: usize) -> f64 {
        if self.groups.unit { 1.0 } else { self.w[i] }
    }
}

impl Groups {
    /// The groups, Σ w and whether most repeat customers (by weight) have
    /// a frequency above their recency (swapped columns).
    fn new(
        variant: Variant,
        x: &[f64],
        tx: &[f64],
        w: impl Iterator<Item = f64>,
    ) -> (Self, f64, bool) {
        // One pass for the groups, Σ w and the swapped-columns test, without
        // a branch on the data: x = 0 and x > 0 alternate at random in a
        // customer base, and a mispredicted branch per row cost more than
        // the row's work. Each row index is written to both lists and kept
        // in the one whose length grows. Room for every row in both: only
        // the pages written are touched.
        let n = x.len();
        let (mut zero, mut mixed) = (vec![0u32; n], vec![0u32; n]);
        let (mut n_zero, mut n_mixed) = (0, 0);
        let mut unit = true;
        let (mut total_weight, mut repeat, mut above) = (0.0, 0.0, 0.0);
        for (i, ((&x, &tx), w)) in x.iter().zip(tx).zip(w).enumerate() {
            total_weight += w;
            repeat += if x > 0.0 { w } else { 0.0 };
            above += if x > 0.0 && x > tx { w } else { 0.0 };
            if w == 0.0 {
                continue;
            }
            unit &= w == 1.0;
            // Rows are counted in u32 by `Distinct` already.
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            let dropout = variant.has_dropout_term(x);
            zero[n_zero] = i;
            mixed[n_mixed] = i;
            n_zero += usize::from(!dropout);
            n_mixed += usize::from(dropout);
        }
        zero.truncate(n_zero);
        mixed.truncate(n_mixed);
        let groups = Groups { zero, mixed, unit };
        (groups, total_weight, above > 0.5 * repeat)
    }
}

impl GeoLikelihood<'_> {
    /// The terms that depend on x only (A1 + A2, summed per distinct x with
    /// their total weight) and the constants, with their gradient, adding
    /// their Hessian to `h` (packed upper triangle, [`tri`]); and the per-x
    /// quantities of the mixture term.
    fn x_terms(&self, params: &[f64], h: &mut [f64; 10]) -> (f64, [f64; 4], Vec<PerX>) {
        let (r, alpha, a, b) = (params[0], params[1], params[2], params[3]);
        let s = self.variant.shift();
        let d = &self.distinct;
        let (ln_a, psi_ab) = (a.ln(), digamma(a + b));
        let mut total = 0.0;
        let mut g = [0.0; 4];
        let per_x: Vec<PerX> = d
            .values
            .iter()
            .zip(&d.weight)
            .map(|(&x, &wx)| {
                // A1 + A2 without the constants, and their derivatives.
                let abx = a + b + x + s;
                total += wx * (ln_gamma(r + x) + ln_gamma(b + x + s) - ln_gamma(abx));
                let psi_abx = digamma(abx);
                g[0] += wx * digamma(r + x);
                g[2] -= wx * psi_abx;
                g[3] += wx * (digamma(b + x + s) - psi_abx);
                let t_abx = trigamma(abx);
                h[tri(0, 0)] += wx * trigamma(r + x);
                h[tri(2, 2)] -= wx * t_abx;
                h[tri(2, 3)] -= wx * t_abx;
                h[tri(3, 3)] += wx * (trigamma(b + x + s) - t_abx);
                PerX::new(self.variant, r, ln_a, b, x)
            })
            .collect();
        // Constants of A1 + A2: −lnΓ(r) + r ln α + lnΓ(a+b) − lnΓ(b).
        let wt: f64 = d.weight.iter().sum();
        let ln_alpha = alpha.ln();
        total += wt * (-ln_gamma(r) + r * ln_alpha + ln_gamma(a + b) - ln_gamma(b));
        g[0] += wt * (ln_alpha - digamma(r));
        g[1] += wt * r / alpha;
        g[2] += wt * psi_ab;
        g[3] += wt * (psi_ab - digamma(b));
        let t_ab = trigamma(a + b);
        h[tri(0, 0)] -= wt * trigamma(r);
        h[tri(0, 1)] += wt / alpha;
        h[tri(1, 1)] -= wt * r / (alpha * alpha);
        h[tri(2, 2)] += wt * t_ab;
        h[tri(2, 3)] += wt * t_ab;
        h[tri(3, 3)] += wt * (t_ab - trigamma(b));
        (total, g, per_x)
    }

    /// Σ w·logaddexp(A3, A4) over `rows` (of [`Groups::mixed`]: with the
    /// dropout term) with its gradient (elements 0..4) and Hessian
    /// (elements 4..14, packed as [`tri`]) in (r, α, a, b), formulas at
    /// [`mix_lanes`].
    ///
    /// The rows are taken [`LANES`] at a time, each quantity as an array of
    /// the block's rows (`ln` and `exp` by [`ln_lanes`] and [`exp_lanes`]),
    /// and every sum is kept per lane until the end of the chunk, so that
    /// the arithmetic runs two rows per SSE2 instruction (one row at a time,
    /// its 15 running sums did not fit in the registers: about 1.5 ms more
    /// CPU per fit of 100,000 customers, docs/performance.md); the lanes
    /// are added up in a fixed order, so a chunk's sums do not depend on
    /// the thread. Lanes past the end of the last block weigh 0, with
    /// finite quantities (ln 1, e^0: [`PerX::PADDING`]). The mixed rows all
    /// have the dropout term, so c4 is finite.
    fn chunk_hessian(
        &self,
        alpha: f64,
        inv_a: f64,
        per_x: &[PerX],
        rows: &[u32],
    ) -> (f64, [f64; 14]) {
        // sums[0..14]: the gradient and Hessian entries; sums[14]: Σ w·max.
        let mut sums = [[0.0; LANES]; 15];
        let mut total = 0.0;
        // Unit weights: Π(1+e) of up to PRODUCT_BLOCKS blocks (each factor
        // in [1, 2], so at most 2^512), one logarithm for all of them.
        let mut product = 1.0;
        for (n, block) in rows.chunks(PRODUCT_ROWS).enumerate() {
            let (mut at, mut atx, mut w) = ([1.0; LANES], [1.0; LANES], [0.0; LANES]);
            let mut px = [PerX::PADDING; LANES];
            for (k, &i) in block.iter().enumerate() {
                let i = i as usize;
                px[k] = per_x[self.distinct.index[i] as usize];
                at[k] = alpha + self.tt[i];
                atx[k] = alpha + self.tx[i];
                w[k] = self.weight(i);
            }
            let lanes = MixLanes::new(at, atx, &px, w, ln_lanes, exp_lanes);
            let one_plus_e = mix_lanes(inv_a, &lanes, &mut sums);
            let rows_here = &one_plus_e[..block.len()];
            if self.groups.unit {
                // (a NaN factor keeps the product NaN)
                product *= rows_here.iter().product::<f64>();
                if (n + 1) % PRODUCT_BLOCKS == 0 {
                    total += product.ln();
                    product = 1.0;
                }
            } else {
                total += rows_here
                    .iter()
                    .zip(&w)
                    .map(|(&f, &wk)| wk * f.ln())
                    .sum::<f64>();
            }
        }
        total += product.ln();
        let lanes = |s: &[f64; LANES]| s.iter().sum::<f64>();
        let mut o = [0.0; 14];
        for (o, s) in o.iter_mut().zip(&sums) {
            *o = lanes(s);
        }
        (total + lanes(&sums[14]), o)
    }

    /// The rows without the dropout term ([`Groups::zero`]) among `rows`,
    /// where `logaddexp(A3, A4) = A3 = −r ln(α+T)`: their share of
    /// [`GeoLikelihood::chunk_hessian`]'s sums, from `Σ w ln(α+T)`,
    /// `Σ w/(α+T)` and `Σ w/(α+T)²`.
    fn chunk_zero(&self, r: f64, alpha: f64, rows: &[u32]) -> (f64, [f64; 14]) {
        let (mut s0, mut s1, mut s2) = (0.0, 0.0, 0.0);
        for block in rows.chunks(PRODUCT_ROWS) {
            if self.groups.unit {
                let mut product = 1.0;
                for &i in block {
                    let at = alpha + self.tt[i as usize];
                    let inv = 1.0 / at;
                    product *= at;
                    s1 += inv;
                    s2 += inv * inv;
                }
                s0 += if product.is_normal() {
                    product.ln()
                } else {
                    block
                        .iter()
                        .map(|&i| (alpha + self.tt[i as usize]).ln())
                        .sum()
                };
            } else {
                for &i in block {
                    let i = i as usize;
                    let (w, at) = (self.w[i], alpha + self.tt[i]);
                    let inv = 1.0 / at;
                    s0 += w * at.ln();
                    s1 += w * inv;
                    s2 += w * inv * inv;
                }
            }
        }
        let mut o = [0.0; 14];
        o[0] = -s0;
        o[1] = -r * s1;
        o[4 + tri(0, 1)] = -s1;
        o[4 + tri(1, 1)] = r * s2;
        (-r * s0, o)
    }
}

/// The rows of [`mix_lanes`], one lane each: `α+T`, `α+t_x`, their
/// logarithms, the two log-terms A3 and A4 and `e = e^{−|A4−A3|}`
/// ([`MixLanes::new`]), the per-x `r+x` and `1/(b+x−1+s)` ([`PerX`]) and
/// the weight.
struct MixLanes<const N: usize> {
    at: [f64; N],
    atx: [f64; N],
    l_t: [f64; N],
    l_tx: [f64; N],
    a3: [f64; N],
    a4: [f64; N],
    e: [f64; N],
    rx: [f64; N],
    inv_bx: [f64; N],
    w: [f64; N],
}

impl<const N: usize> MixLanes<N> {
    /// The lanes of rows with `at` = α+T, `atx` = α+t_x, the per-x
    /// quantities `px` and the weights `w`: `ln(α+T)` and `ln(α+t_x)` by
    /// `ln`, `A3 = −(r+x) ln(α+T)`, `A4 = c4 − (r+x) ln(α+t_x)` and `e =
    /// e^{−|A4−A3|}` by `exp` (`ln` and `exp` of the N lanes in place:
    /// [`ln_lanes`] and [`exp_lanes`] for a block of [`LANES`] rows,
    /// `f64::ln` and `f64::exp` for one row). A row without the dropout
    /// term (c4 = −∞) has A4 = −∞ and e = 0.
    #[inline(always)]
    fn new(
        at: [f64; N],
        atx: [f64; N],
        px: &[PerX; N],
        w: [f64; N],
        ln: impl Fn(&mut [f64; N]),
        exp: impl Fn(&mut [f64; N]),
    ) -> Self {
        let (mut l_t, mut l_tx) = (at, atx);
        ln(&mut l_t);
        ln(&mut l_tx);
        let (mut a3, mut a4, mut e) = ([0.0; N], [0.0; N], [0.0; N]);
        let (mut rx, mut inv_bx) = ([0.0; N], [0.0; N]);
        for k in 0..N {
            (rx[k], inv_bx[k]) = (px[k].rx, px[k].inv_bx);
            a3[k] = -rx[k] * l_t[k];
            a4[k] = px[k].c4 - rx[k] * l_tx[k];
            e[k] = -(a4[k] - a3[k]).abs();
        }
        exp(&mut e);
        MixLanes {
            at,
            atx,
            l_t,
            l_tx,
            a3,
            a4,
            e,
            rx,
            inv_bx,
            w,
        }
    }
}

/// `w·logaddexp(A3, A4)` of each lane's row but for `w·ln(1+e)`, added to
/// `sums[14]`, with its gradient (`sums[0..4]`) and Hessian (`sums[4..14]`,
/// packed as [`tri`]) in (r, α, a, b), each sum kept per lane; returns the
/// lanes' `1+e` (`inv_a` = 1/a). With `L = logaddexp(A3, A4) = max +
/// ln(1+e)`, `w3 = e^{A3−L}`, `w4 = e^{A4−L}`: `∇L = w3 ∇A3 + w4 ∇A4` and
/// `∇²L = w3 ∇²A3 + w4 ∇²A4 + w3 w4 (∇A4 − ∇A3)(∇A4 − ∇A3)ᵀ`, where
/// `∇A3 = (−ln(α+T), −(r+x)/(α+T), 0, 0)`,
/// `∇A4 = (−ln(α+t_x), −(r+x)/(α+t_x), 1/a, −1/(b+x−1+s))`, and the only
/// second derivatives are `∂²A/∂r∂α = −1/(α+·)`,
/// `∂²A/∂α² = (r+x)/(α+·)²`, `∂²A4/∂a² = −1/a²`,
/// `∂²A4/∂b² = 1/(b+x−1+s)²`. Without the dropout term (A4 = −∞, e = 0)
/// w4 = 0 and the row is A3 alone: the terms with `ln(α+t_x)` are
/// multiplied by 0.
///
/// Written lane by lane without a branch, so that the compiler runs a
/// block of [`LANES`] rows two per SSE2 instruction.
#[inline(always)]
fn mix_lanes<const N: usize>(inv_a: f64, m: &MixLanes<N>, sums: &mut [[f64; N]; 15]) -> [f64; N] {
    let mut one_plus_e = [1.0; N];
    for k in 0..N {
        let (inv_at, inv_atx) = (1.0 / m.at[k], 1.0 / m.atx[k]);
        let (l_t, l_tx, rx, inv_bx, w) = (m.l_t[k], m.l_tx[k], m.rx[k], m.inv_bx[k], m.w[k]);
        let up = m.a4[k] - m.a3[k] > 0.0;
        let max = if up { m.a4[k] } else { m.a3[k] };
        one_plus_e[k] = 1.0 + m.e[k];
        let w4 = if up { 1.0 } else { m.e[k] } / one_plus_e[k];
        let w3 = 1.0 - w4;
        sums[14][k] += w * max;
        sums[0][k] -= w * (w3 * l_t + w4 * l_tx);
        let mean_inv = w3 * inv_at + w4 * inv_atx;
        sums[1][k] -= w * rx * mean_inv;
        sums[2][k] += w * w4 * inv_a;
        sums[3][k] -= w * w4 * inv_bx;
        let v = w * w3 * w4;
        let dv = [l_t - l_tx, rx * (inv_at - inv_atx), inv_a, -inv_bx];
        sums[4 + tri(0, 0)][k] += v * dv[0] * dv[0];
        sums[4 + tri(0, 1)][k] += v * dv[0] * dv[1] - w * mean_inv;
        sums[4 + tri(0, 2)][k] += v * dv[0] * dv[2];
        sums[4 + tri(0, 3)][k] += v * dv[0] * dv[3];
        sums[4 + tri(1, 1)][k] +=
            v * dv[1] * dv[1] + w * rx * (w3 * inv_at * inv_at + w4 * inv_atx * inv_atx);
        sums[4 + tri(1, 2)][k] += v * dv[1] * dv[2];
        sums[4 + tri(1, 3)][k] += v * dv[1] * dv[3];
        sums[4 + tri(2, 2)][k] += v * dv[2] * dv[2] - w * w4 * inv_a * inv_a;
        sums[4 + tri(2, 3)][k] += v * dv[2] * dv[3];
        sums[4 + tri(3, 3)][k] += v * dv[3] * dv[3] + w * w4 * inv_bx * inv_bx;
    }
    one_plus_e
}

/// The second derivatives `(∂²/∂a², ∂²/∂a∂b, ∂²/∂b²)` of
/// [`ln_beta_ratio`]`(a, b, n) = ln B(a, b+n) − ln B(a, b)`, split the same
/// way: up to n = 10⁴ the finite sums `Σ_{j<n} 1/(a+b+j)²` (for ∂²/∂a² and
/// ∂²/∂a∂b) and `Σ_{j<n} (1/(a+b+j)² − 1/(b+j)²)`; beyond, the trigamma
/// form `ψ′(a+b) − ψ′(a+b+n)` (and `+ ψ′(b+n) − ψ′(b)` for ∂²/∂b²).
pub(crate) fn ln_beta_ratio_hessian(a: f64, b: f64, n: f64) -> (f64, f64, f64) {
    if n <= 1e4 && n.fract() == 0.0 {
        let (mut hab, mut hbb) = (0.0, 0.0);
        let mut j = 0.0;
        while j < n {
            let (bj, abj) = (b + j, a + b + j);
            let q = 1.0 / (abj * abj);
            hab += q;
            // 1/(a+b+j)² − 1/(b+j)² = −a(a + 2(b+j)) / ((b+j)²(a+b+j)²)
            hbb -= a * (a + 2.0 * bj) * q / (bj * bj);
            j += 1.0;
        }
        (hab, hab, hbb)
    } else {
        let d_ab = trigamma(a + b) - trigamma(a + b + n);
        (d_ab, d_ab, d_ab + trigamma(b + n) - trigamma(b))
    }
}

/// ln L of one customer with its gradient and Hessian (packed as [`tri`])
/// in `(r, α, a, b)`: [`ln_lik`]'s value and gradient; the Hessian of
/// A1 = lnΓ(r+x) − lnΓ(r) + r ln α (∂²/∂r² = ψ′(r+x) − ψ′(r), ∂²/∂r∂α =
/// 1/α, ∂²/∂α² = −r/α²), of A2 ([`ln_beta_ratio_hessian`]) and of
/// logaddexp(A3, A4) ([`GeoLikelihood::chunk_hessian`]). For likelihoods
/// built on per-customer parameters ([`crate::covariates`]).
pub(crate) fn ln_lik_hessian(
    v: Variant,
    p: &BgNbdParams,
    x: f64,
    tx: f64,
    tt: f64,
) -> (f64, [f64; 4], [f64; 10]) {
    let mut g = [0.0; 4];
    let ll = ln_lik(v, p, x, tx, tt, Some(&mut g));
    let (r, al, a, b) = (p.r, p.alpha, p.a, p.b);
    let px = PerX::new(v, r, a.ln(), b, x);
    let row = MixLanes::new(
        [al + tt],
        [al + tx],
        &[px],
        [1.0],
        |l| l[0] = l[0].ln(),
        |e| e[0] = e[0].exp(),
    );
    let mut sums = [[0.0; 1]; 15];
    mix_lanes(1.0 / a, &row, &mut sums);
    let mut h = [0.0; 10];
    for (h, s) in h.iter_mut().zip(&sums[4..14]) {
        *h = s[0];
    }
    h[tri(0, 0)] += trigamma(r + x) - trigamma(r);
    h[tri(0, 1)] += 1.0 / al;
    h[tri(1, 1)] -= r / (al * al);
    let (haa, hab, hbb) = ln_beta_ratio_hessian(a, b, x + v.shift());
    h[tri(2, 2)] += haa;
    h[tri(2, 3)] += hab;
    h[tri(3, 3)] += hbb;
    (ll, g, h)
}

impl Likelihood for GeoLikelihood<'_> {
    fn names(&self) -> &'static [&'static str] {
        &["r", "alpha", "a", "b"]
    }
    fn value_and_gradient(&self, params: &[f64], grad: &mut [f64]) -> f64 {
        // One code path: the Hessian costs a few multiplications per row
        // next to the logarithms both need.
        let mut hess = [0.0; 16];
        self.value_gradient_hessian(params, grad, &mut hess)
            .unwrap_or(f64::NAN)
    }
    fn value_gradient_hessian(&self, p: &[f64], grad: &mut [f64], hess: &mut [f64]) -> Option<f64> {
        let (r, alpha, a) = (p[0], p[1], p[2]);
        let mut h = [0.0; 10];
        let (mut total, mut g, per_x) = self.x_terms(p, &mut h);
        // One pass over both groups, the zero rows padded to whole chunks
        // so that no chunk holds both.
        let (zero, mixed) = (&self.groups.zero, &self.groups.mixed);
        let padded = zero.len().div_ceil(SUM_CHUNK) * SUM_CHUNK;
        let (mix, o) = chunked_sum(padded + mixed.len(), |lo, hi| {
            if lo < padded {
                self.chunk_zero(r, alpha, &zero[lo..hi.min(zero.len())])
            } else {
                self.chunk_hessian(alpha, 1.0 / a, &per_x, &mixed[lo - padded..hi - padded])
            }
        });
        total += mix;
        for i in 0..4 {
            g[i] += o[i];
            for j in i..4 {
                h[tri(i, j)] += o[4 + tri(i, j)];
            }
        }
        write_sym4(total, &g, &h, grad, hess)
    }
    fn total_weight(&self) -> f64 {
        self.total_weight
    }
    fn starting_points(&self) -> Vec<Vec<f64>> {
        // α ≈ r · (Σ w T)/(Σ w x): matches the mean purchase rate r/α.
        let weighted = |a: &[f64]| -> f64 {
            if self.w.is_empty() {
                a.iter().sum()
            } else {
                self.w.iter().zip(a).map(|(w, v)| w * v).sum()
            }
        };
        let (sx, st) = (weighted(self.x), weighted(self.tt));
        let scale = if sx > 0.0 && st > 0.0 { st / sx } else { 1.0 };
        vec![vec![0.5, 0.5 * scale, 1.0, 2.0], vec![1.0, scale, 0.5, 1.0]]
    }
    /// a, b → ∞ with a/(a+b) fixed: the Beta mixing distribution of the
    /// dropout probability loses its spread, and the model reduces to one
    /// common dropout probability p = a/(a+b) (CLVTools' apparel cohort:
    /// every first purchase on the same day, little repeat buying). Swapped
    /// columns (recency given as frequency) reach the same ridge: data where
    /// most repeat customers (by weight) have a frequency above their
    /// recency (a few can, where several purchases share a period, as 4 of
    /// the apparel cohort's 293; swapped columns give nearly all) are left
    /// to the identification check and its mis-specification warning
    /// ([`crate::fit::extreme_parameter_warnings`]).
    fn boundary(&self, p: &[f64]) -> Option<Boundary> {
        let ll = |q: &[f64]| self.value_and_gradient(q, &mut [0.0; 4]);
        if self.swapped || !shapes_run_off(ll, p, [2, 3], [100.0, 100.0]) {
            return None;
        }
        let (a, b) = (p[2], p[3]);
        let name = match self.variant {
            Variant::Bg => "BG/NBD",
            Variant::Mbg => "MBG/NBD",
        };
        Some(Boundary {
            params: vec![2, 3],
            note: format!(
                "a, b -> inf with a/(a+b) fixed (a = {a:.3e}, b = {b:.3e}): the Beta \
                 heterogeneity of the dropout probability vanishes; {name} reduces to NBD \
                 purchasing with one common dropout probability p = a/(a+b) = {:.6} at each \
                 repeat purchase",
                a / (a + b)
            ),
        })
    }
}

/// The BG/NBD model (Fader, Hardie & Lee 2005); see the [module docs](self).
///
/// # Example
/// ```
/// use clv::{BetaGeo, TransactionModel};
/// // FHL (2005) CDNOW estimates; customer ID 1: x = 2, t_x = 30.43, T = 38.86.
/// let m = BetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap();
/// let e = m.expected_purchases(39.0, &[2.0], &[30.43], &[38.86]).unwrap();
/// assert!((e[0] - 1.226).abs() < 5e-4); // FHL 2005: E[Y(39) | ...] = 1.226
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetaGeo {
    params: BgNbdParams,
    fit: Option<FitInfo>,
}

/// The inherent methods and the [`TransactionModel`] impl shared by
/// [`BetaGeo`] and [`crate::ModifiedBetaGeo`]: the two models differ only in
/// the [`Variant`] passed to the shared likelihood and predictions, their
/// JSON name and display name.
macro_rules! geo_model {
    ($ty:ident, $variant:expr, $eq8:literal) => {
        $crate::models::model_params! {
            $ty(BgNbdParams) {
                /// Gamma shape r.
                r,
                /// Gamma rate α.
                alpha,
                /// Beta shape a.
                a,
                /// Beta shape b.
                b,
            }
        }

        impl $ty {
            /// The parameters.
            pub fn parameters(&self) -> BgNbdParams {
                self.params
            }

            /// ln P(alive), for customers whose P(alive) underflows.
            ///
            /// # Errors
            /// Those of [`validate_customers`](crate::models::validate_customers).
            pub fn ln_prob_alive(&self, x: &[f64], tx: &[f64], t: &[f64]) -> Result<Vec<f64>> {
                per_customer(x, tx, t, |x, tx, tt| {
                    Ok(ln_prob_alive($variant, &self.params, x, tx, tt))
                })
            }
        }

        impl Model for $ty {
            type Lik<'a> = GeoLikelihood<'a>;
            const WARM_START: bool = true;
            $crate::models::model_state!(r, alpha, a, b);
            fn likelihood<'a>(inputs: &[&'a [f64]], w: Vec<f64>) -> Result<GeoLikelihood<'a>> {
                Ok(GeoLikelihood::new(
                    $variant, inputs[0], inputs[1], inputs[2], w,
                ))
            }
            const IMPLICIT_UNIT_WEIGHTS: bool = true;
            const COVARIATES: &'static [$crate::models::CovariateLink] =
                $crate::models::bg_nbd::COVARIATES;
            fn covariate_rows() -> Option<&'static dyn $crate::covariates::LinkedRows> {
                Some(&$variant)
            }
        }

        impl TransactionModel for $ty {
            fn log_likelihood(&self, x: &[f64], tx: &[f64], t: &[f64]) -> Result<Vec<f64>> {
                per_customer(x, tx, t, |x, tx, tt| {
                    Ok(ln_lik($variant, &self.params, x, tx, tt, None))
                })
            }
            fn prob_alive(&self, x: &[f64], tx: &[f64], t: &[f64]) -> Result<Vec<f64>> {
                per_customer(x, tx, t, |x, tx, tt| {
                    Ok(ln_prob_alive($variant, &self.params, x, tx, tt).exp())
                })
            }
            fn expected_purchases(
                &self,
                h: f64,
                x: &[f64],
                tx: &[f64],
                t: &[f64],
            ) -> Result<Vec<f64>> {
                check::non_negative("t", h)?;
                per_customer(x, tx, t, |x, tx, tt| {
                    conditional_expectation($variant, &self.params, h, x, tx, tt)
                })
            }
            fn expected_purchases_new(&self, t: f64) -> Result<f64> {
                check::non_negative("t", t)?;
                conditional_expectation($variant, &self.params, t, 0.0, 0.0, 0.0)
            }
            #[doc = concat!("ln P(X(t) = n) for a new customer (", $eq8, ", in log space).")]
            ///
            /// # Errors
            /// `t` must be finite and ≥ 0.
            fn ln_prob_purchases(&self, n: u32, t: f64) -> Result<f64> {
                check::non_negative("t", t)?;
                Ok(ln_prob_purchases($variant, &self.params, n, t))
            }
        }
    };
}
pub(crate) use geo_model;

/// The covariate links of the BG/NBD and MBG/NBD (CLVTools'
/// `bgnbd_staticcov_LL_ind`): `α_i = α₀ exp(−γ_pᵀz)`, `a_i = a₀ exp(γ_dᵀz)`,
/// `b_i = b₀ exp(γ_dᵀz)`.
pub(crate) const COVARIATES: &[CovariateLink] = &[
    CovariateLink::PURCHASE_ALPHA,
    CovariateLink {
        effects: "dropout",
        set: "dropout",
        params: &["a", "b"],
        sign: 1,
    },
];

/// The BG/NBD's (MBG/NBD's) part in fits with covariates
/// ([`crate::covariates`]): the per-customer likelihood with its
/// closed-form Hessian.
impl LinkedRows for Variant {
    fn ln_lik_row(&self, p: &[f64], [x, tx, t]: [f64; 3], g: &mut [f64]) -> f64 {
        let mut g4 = [0.0; 4];
        let ll = ln_lik(*self, &params_of(p), x, tx, t, Some(&mut g4));
        g.copy_from_slice(&g4);
        ll
    }
    fn ln_lik_row_hessian(&self, p: &[f64], [x, tx, t]: [f64; 3]) -> Option<RowHessian> {
        Some(ln_lik_hessian(*self, &params_of(p), x, tx, t))
    }
    fn ridge(&self) -> (usize, usize) {
        (2, 3)
    }
    fn ridge_note(&self, i: usize, u: f64, v: f64) -> String {
        format!(
            "a_i, b_i -> inf (customer {i}: a_i = {u:.3e}, b_i = {v:.3e}): a dropout \
             probability fixed at a_i/(a_i+b_i) = {:.6}",
            u / (u + v)
        )
    }
}

/// `(r, α, a, b)` from a slice in registry order.
fn params_of(p: &[f64]) -> BgNbdParams {
    BgNbdParams {
        r: p[0],
        alpha: p[1],
        a: p[2],
        b: p[3],
    }
}

geo_model!(BetaGeo, Variant::Bg, "FHL 2005 eq. 8");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::gradient_differences;

    #[test]
    fn no_purchase_probability_never_exceeds_one() {
        // BG/NBD: P(X(t) = 0) = (α/(α+t))^r exactly (the dropout term needs
        // x > 0). ln 0! is taken from statrs' factorial table (0 exactly);
        // ln Γ(1) from `ln_gamma` is 4.4e-16, and with r = 1e-20 that made
        // P(X(t) = 0) = 1.0000000000000004 (found by the stop-40 probe).
        for (r, alpha, a, b) in [(1e-20, 10.0, 1e-20, 1e-20), (0.243, 4.414, 0.793, 2.426)] {
            let m = BetaGeo::from_params(r, alpha, a, b).unwrap();
            for t in [1.0, 1e6, 1e300] {
                let p = m.prob_purchases(0, t).unwrap();
                let want = (-r * (t / alpha).ln_1p()).exp();
                assert!(
                    p <= 1.0 && (p - want).abs() <= 1e-15 * want,
                    "{p} vs {want}"
                );
            }
        }
        for m in [
            &crate::models::ParetoNbd::from_params(1e-20, 10.0, 1e-20, 10.0).unwrap()
                as &dyn TransactionModel,
            &crate::models::GammaGompertzNbd::from_params(1e-20, 10.0, 0.1, 1e-20, 10.0).unwrap(),
        ] {
            for t in [1.0, 1e6] {
                let p = m.prob_purchases(0, t).unwrap();
                assert!(p <= 1.0 && p > 1.0 - 1e-15, "{p}");
            }
        }
    }

    #[test]
    fn tiny_b_keeps_b_plus_x_minus_one_exact() {
        // b + x − 1 + s is formed as b + (x − 1 + s): with b = 1e-100 the old
        // (b + x) − 1 + s rounded to 0 where x − 1 + s = 0 (BG x = 1, MBG
        // x = 0), and ln L was NaN (found probing the Python binding). The
        // closed form for those rows, term by term (FHL 2005 eq. 6; Batislam
        // et al. 2007 for MBG): A1 = ln Γ(r+x) − ln Γ(r) + r ln α (= ln r + r ln α
        // at x = 1, r ln α at x = 0), A2 = ln B(a, b+x+s) − ln B(a, b)
        // = ln(b/(a+b)) when x + s = 1, A3 = −(r+x) ln(α+T),
        // A4 = ln a − ln b − (r+x) ln(α+t_x).
        let (r, alpha, a, b) = (0.243, 4.414, 0.793, 1e-100);
        let p = BgNbdParams::new(r, alpha, a, b).unwrap();
        let lae = |u: f64, v: f64| u.max(v) + (-(u - v).abs()).exp().ln_1p();
        let a2 = b.ln() - (a + b).ln();
        for (v, x, tx, tt) in [
            (Variant::Bg, 1.0, 30.0, 38.86),
            (Variant::Bg, 1.0, 1e-300, 1e-300),
            (Variant::Mbg, 0.0, 0.0, 38.86),
        ] {
            let a1 = if x == 1.0 { r.ln() } else { 0.0 } + r * alpha.ln();
            let a3 = -(r + x) * (alpha + tt).ln();
            let a4 = a.ln() - b.ln() - (r + x) * (alpha + tx).ln();
            let want = a1 + a2 + lae(a3, a4);
            let got = ln_lik(v, &p, x, tx, tt, None);
            assert!(
                (got - want).abs() <= 1e-12 * want.abs(),
                "{v:?} x={x}: {got} vs {want}"
            );
            let alive = ln_prob_alive(v, &p, x, tx, tt).exp();
            assert!(alive.is_finite() && (0.0..=1.0).contains(&alive), "{alive}");
        }
    }

    #[test]
    fn fhl_customer_one() {
        // FHL 2005: CDNOW ID 1 (x=2, t_x=30.43, T=38.86) E[Y(39)] = 1.226
        let e = fhl()
            .expected_purchases(39.0, &[2.0], &[30.43], &[38.86])
            .unwrap();
        assert!((e[0] - 1.226).abs() < 5e-4, "{e:?}");
    }

    #[test]
    fn a_tiny_b_is_a_probability_not_a_panic() {
        // issue 17 #3: b = 1e-17 (accepted by from_params) made b + n − 1
        // round to 0 and statrs' ln_beta panic in prob_purchases(1, 10);
        // the pmf is continuous down to such b and still sums to 1.
        let at = |b: f64| BetaGeo::from_params(0.2, 1.0, 1.0, b).unwrap();
        let (tiny, small) = (at(1e-17), at(1e-12));
        for n in 0..5 {
            let (p, q) = (
                tiny.prob_purchases(n, 10.0).unwrap(),
                small.prob_purchases(n, 10.0).unwrap(),
            );
            assert!((p - q).abs() < 1e-9, "{n}: {p} vs {q}");
        }
        let total: f64 = (0..20_000)
            .map(|n| tiny.prob_purchases(n, 10.0).unwrap())
            .sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
    }

    #[test]
    fn a_equal_one_is_continuous() {
        let at = |a: f64| {
            BetaGeo::from_params(0.5, 4.0, a, 2.0)
                .unwrap()
                .expected_purchases(20.0, &[3.0], &[10.0], &[15.0])
                .unwrap()[0]
        };
        let (lo, mid, hi) = (at(1.0 - 1e-7), at(1.0), at(1.0 + 1e-7));
        assert!(mid.is_finite() && (lo - mid).abs() < 1e-6 && (hi - mid).abs() < 1e-6);
    }

    #[test]
    fn extreme_inputs_are_finite() {
        let m = fhl();
        let x = [0.0, 1e4, 1e4, 5.0, 0.0];
        let tx = [0.0, 1e5, 10.0, 1e5 - 1.0, 0.0];
        let tt = [1e5, 1e5, 1e5, 1e5, 0.5];
        for t in [1e-6, 1.0, 1e4] {
            for v in m.expected_purchases(t, &x, &tx, &tt).unwrap() {
                assert!(v.is_finite() && v >= 0.0, "{t} {v}");
            }
        }
        for v in m.prob_alive(&x, &tx, &tt).unwrap() {
            assert!(v.is_finite() && (0.0..=1.0).contains(&v));
        }
        for v in m.log_likelihood(&x, &tx, &tt).unwrap() {
            assert!(v.is_finite());
        }
        let lp = m.ln_prob_alive(&[1e4], &[10.0], &[1e5]).unwrap()[0];
        assert!(lp.is_finite() && lp < -1e4);
        assert!(m.expected_purchases_new(1e4).unwrap().is_finite());
        assert!(m.prob_purchases(500, 1e4).unwrap().is_finite());
    }

    #[test]
    fn long_horizons_match_the_posterior_integral() {
        // Where both methods work (z ≤ 0.95) the series and the integral agree.
        let p = BgNbdParams::new(0.243, 4.414, 0.793, 2.426).unwrap();
        for v in [Variant::Bg, Variant::Mbg] {
            let s = v.shift();
            for (x, tt) in [(0.0, 0.0), (2.0, 38.86), (20.0, 38.86), (1e4, 1e5)] {
                for z in [0.3, 0.7, 0.9, 0.95] {
                    let t = z / (1.0 - z) * (p.alpha + tt);
                    let c = p.a + p.b + (x - 1.0 + s);
                    let ln_1mz = (1.0_f64 - z).ln();
                    let series = c * bracket_over_a_minus_one(
                        p.a + p.b - 1.0 + s - p.r,
                        p.a - 1.0,
                        c,
                        z,
                        ln_1mz,
                    )
                    .unwrap();
                    let integral = expectation_given_alive(&p, s, t, x, tt);
                    assert!(
                        (series - integral).abs() <= 1e-10 * series, // worst: 1.5e-11 at x = 1e4
                        "{v:?} x={x} T={tt} z={z}: {series} vs {integral}"
                    );
                }
            }
        }
    }

    #[test]
    fn extreme_horizons_match_mpmath() {
        // E[Y(t) | x, t_x, T] by FHL (2005) eq. 10 with mpmath.hyp2f1 at 50 digits, equal
        // to 17 digits to mpmath quadrature of the posterior integral
        // (tests/vectors/gen_refs_pareto_nbd_bg_bb_sbg.py prints both; r = 0.243, a = 0.793,
        // b = 2.426). α = 0.01, T = 0, t = 10⁴: z = 1 − 10⁻⁶, where the series
        // used to give up after 10⁷ terms.
        let m = BetaGeo::from_params(0.243, 0.01, 0.793, 2.426).unwrap();
        let cases: &[(f64, f64, f64, f64, f64)] = &[
            (1e4, 0.0, 0.0, 0.0, 76.409_382_821_535_7),
            (1e4, 3.0, 0.5, 1.0, 47.942_826_028_256_11),
            (1e4, 1e4, 1e5, 1e5, 962.519_872_909_550),
        ];
        for &(t, x, tx, tt, want) in cases {
            let got = m.expected_purchases(t, &[x], &[tx], &[tt]).unwrap()[0];
            assert!(
                (got - want).abs() <= 1e-9 * want,
                "{x} {tx} {tt}: {got} vs {want}"
            );
        }
    }

    #[test]
    #[allow(clippy::needless_range_loop)] // index notation mirrors the matrix algebra
    fn row_hessian_matches_finite_differences() {
        // ln_lik_hessian's Hessian against central differences of ln_lik's
        // analytic gradient (relative step 1e-5), for both variants, at the
        // FHL optimum, at large a, b (the ridge of issue 15, where the
        // finite sums of ln_beta_ratio carry the accuracy) and past the
        // 10⁴-term switch to the trigamma form; and its value and gradient
        // equal ln_lik's.
        let points = [
            [0.243, 4.414, 0.793, 2.426],
            [1.3, 0.7, 3e4, 9e4],
            [0.5, 12.0, 0.02, 0.3],
        ];
        let rows = [
            (0.0, 0.0, 30.0),
            (1.0, 2.0, 38.86),
            (2.0, 30.43, 38.86),
            (7.0, 20.0, 39.0),
            (2e4, 50.0, 52.0),
        ];
        for v in [Variant::Bg, Variant::Mbg] {
            for q in points {
                for &(x, tx, tt) in &rows {
                    let par = |q: [f64; 4]| BgNbdParams {
                        r: q[0],
                        alpha: q[1],
                        a: q[2],
                        b: q[3],
                    };
                    let (ll, g, h) = ln_lik_hessian(v, &par(q), x, tx, tt);
                    let mut g0 = [0.0; 4];
                    assert_eq!(ll, ln_lik(v, &par(q), x, tx, tt, Some(&mut g0)));
                    assert_eq!(g, g0);
                    let fd = gradient_differences(
                        q,
                        |j| 1e-5 * q[j],
                        |q| {
                            let mut g = [0.0; 4];
                            ln_lik(v, &par(q), x, tx, tt, Some(&mut g));
                            g
                        },
                    );
                    for j in 0..4 {
                        for i in 0..4 {
                            let fd = fd[i][j];
                            let an = h[tri(i, j)];
                            // the scale of the term: |H_ij| or the curvature
                            // of either parameter (entries can cancel to ~0)
                            let scale = an
                                .abs()
                                .max((h[tri(i, i)] * h[tri(j, j)]).abs().sqrt())
                                .max(1e-12);
                            assert!(
                                (fd - an).abs() <= 1e-6 * scale,
                                "{v:?} {q:?} x={x} tx={tx} T={tt} H[{i}][{j}]: {an} vs {fd}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn grouped_passes_equal_the_sum_over_customers() {
        // GeoLikelihood (rows in two groups, logarithms of products of 16
        // rows with unit weights) against Σ w·ln_lik_hessian per customer,
        // with unit weights, weights of 2 (row by row) and ages whose
        // product overflows (the zero rows' fallback), for both variants.
        let n = 203;
        let x: Vec<f64> = (0..n).map(|i| f64::from(i % 7 / 3 * (i % 5))).collect();
        let tt: Vec<f64> = (0..n).map(|i| 27.0 + f64::from(i % 13)).collect();
        let tx: Vec<f64> = (0..n)
            .map(|i| {
                if x[i as usize] > 0.0 {
                    tt[i as usize] * f64::from(i % 11) / 11.0
                } else {
                    0.0
                }
            })
            .collect();
        let mut huge = tt.clone();
        for t in huge.iter_mut().step_by(3) {
            *t = 1e300;
        }
        let q = [0.243, 4.414, 0.793, 2.426];
        let par = BgNbdParams {
            r: q[0],
            alpha: q[1],
            a: q[2],
            b: q[3],
        };
        for v in [Variant::Bg, Variant::Mbg] {
            for (ages, weight) in [(&tt, 1.0), (&tt, 2.0), (&huge, 1.0)] {
                let w = vec![weight; x.len()];
                let lik = GeoLikelihood::new(v, &x, &tx, ages, w);
                let (mut g, mut h) = ([0.0; 4], [0.0; 16]);
                let ll = lik.value_gradient_hessian(&q, &mut g, &mut h).unwrap();
                let (mut ll0, mut g0, mut h0) = (0.0, [0.0; 4], [0.0; 10]);
                for i in 0..x.len() {
                    let (l, gi, hi) = ln_lik_hessian(v, &par, x[i], tx[i], ages[i]);
                    ll0 += weight * l;
                    for j in 0..4 {
                        g0[j] += weight * gi[j];
                    }
                    for j in 0..10 {
                        h0[j] += weight * hi[j];
                    }
                }
                let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
                assert!(close(ll, ll0), "{v:?} {weight}: {ll} vs {ll0}");
                for i in 0..4 {
                    assert!(
                        close(g[i], g0[i]),
                        "{v:?} {weight} g{i}: {} vs {}",
                        g[i],
                        g0[i]
                    );
                    for j in 0..4 {
                        let (a, b) = (h[i * 4 + j], h0[tri(i, j)]);
                        assert!(close(a, b), "{v:?} {weight} H{i}{j}: {a} vs {b}");
                    }
                }
            }
        }
    }

    #[test]
    fn implicit_unit_weights_equal_explicit_ones() {
        // No weights (an empty vector, Model::IMPLICIT_UNIT_WEIGHTS) and a
        // vector of ones: the same passes, starts and Σ w to the bit, and
        // the same fits (BG/NBD and MBG/NBD, ages whose products overflow
        // too); through `fit::prepare`, None is the empty vector.
        let n: u32 = 203;
        let x: Vec<f64> = (0..n).map(|i| f64::from(i % 7 / 3 * (i % 5))).collect();
        let tt: Vec<f64> = (0..n).map(|i| 27.0 + f64::from(i % 13)).collect();
        let tx: Vec<f64> = (0..n)
            .map(|i| tt[i as usize] * f64::from(i % 11) / 11.0 * x[i as usize].min(1.0))
            .collect();
        let mut huge = tt.clone();
        for t in huge.iter_mut().step_by(3) {
            *t = 1e300;
        }
        let q = [0.243, 4.414, 0.793, 2.426];
        for v in [Variant::Bg, Variant::Mbg] {
            for ages in [&tt, &huge] {
                let ones = GeoLikelihood::new(v, &x, &tx, ages, vec![1.0; x.len()]);
                let none = GeoLikelihood::new(v, &x, &tx, ages, Vec::new());
                let pass = |l: &GeoLikelihood| {
                    let (mut g, mut h) = ([0.0; 4], [0.0; 16]);
                    let ll = l.value_gradient_hessian(&q, &mut g, &mut h).unwrap();
                    (ll.to_bits(), g.map(f64::to_bits), h.map(f64::to_bits))
                };
                assert_eq!(pass(&none), pass(&ones), "{v:?}");
                assert_eq!(none.starting_points(), ones.starting_points());
                assert_eq!(none.total_weight(), ones.total_weight());
                assert_eq!(none.total_weight(), 203.0);
            }
        }
        let inputs: [&[f64]; 3] = [&x, &tx, &tt];
        assert!(
            crate::fit::prepare::<BetaGeo>(&inputs, None)
                .unwrap()
                .w
                .is_empty()
        );
        // The fits on the CDNOW calibration summary (FHL 2005).
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/data/cdnow_customers_summary.csv"
        );
        let cdnow = crate::io::read_csv_columns(
            std::path::Path::new(path),
            None,
            &["frequency", "recency", "T"],
        )
        .unwrap();
        let column = |name| cdnow.get(name).unwrap();
        let inputs = [column("frequency"), column("recency"), column("T")];
        let ones = vec![1.0; inputs[0].len()];
        let options = crate::fit::FitOptions::default();
        use crate::models::{ModelInfo, ModifiedBetaGeo};
        let a = BetaGeo::fit(&inputs, None, &options).unwrap();
        let b = BetaGeo::fit(&inputs, Some(&ones), &options).unwrap();
        assert_eq!(a.to_json(), b.to_json());
        let a = ModifiedBetaGeo::fit(&inputs, None, &options).unwrap();
        let b = ModifiedBetaGeo::fit(&inputs, Some(&ones), &options).unwrap();
        assert_eq!(a.to_json(), b.to_json());
    }

    fn fhl() -> BetaGeo {
        // FHL (2005) CDNOW estimates.
        BetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap()
    }
}
