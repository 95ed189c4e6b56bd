//! # Pareto/NBD — continuous-time non-contractual purchasing and dropout
//!
//! Schmittlein, Morrison & Colombo (1987), "Counting Your Customers: Who Are
//! They and What Will They Do Next?", *Management Science* 33(1) (SMC);
//! Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and
//! Related Expressions" (FH note); Fader, Hardie & Lee (2005), "RFM and CLV:
//! Using Iso-Value Curves for Customer Base Analysis", *JMR* 42(4) (FHL, DERT).
//!
//! ## Model
//! While alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α);
//! the lifetime is exponential with rate μ ~ Gamma(s, β); λ, μ independent.
//! Per customer: x repeat purchases, last at t_x, observed for T (time unit of
//! the summary).
//!
//! ## Likelihood (FH note eqs. 17-19, written without subtraction of 2F1s)
//! ```text
//! L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^{−(r+x)} (β+T)^{−s} + s · ∫_{t_x}^{T} (α+τ)^{−(r+x)} (β+τ)^{−(s+1)} dτ ]
//! ```
//! The integral is J(t_x) − J(T) with
//! `J(t) = ∫_t^∞ (α+τ)^{−(r+x)}(β+τ)^{−(s+1)} dτ = (α+t)^{−(r+s+x)}/(r+s+x) · ₂F₁(r+s+x, s+1; r+s+x+1; (α−β)/(α+t))`
//! for α ≥ β, and the same with (α, r+x) and (β, s+1) exchanged for α < β
//! (FH note: A₀ = J(t_x) − J(T) up to the factor r+s+x). Both arguments lie
//! in [0, 1). J is evaluated as `A^{−a} Σ_k (q)_k z^k / (k! (a+k))` (the
//! Gauss series of that ₂F₁ with c = a+1) when z ≤ 0.8, and otherwise by
//! tanh-sinh quadrature of Euler's integral `A^{−a} ∫₀¹ t^{a−1}(1−zt)^{−q} dt`
//! ([`crate::special`]); both give the parameter derivatives analytically
//! (term by term, or under the integral), so the gradient is exact.
//!
//! ## Predictions
//! - P(alive | x, t_x, T) = (α+T)^{−(r+x)}(β+T)^{−s} / [ ... ] (the first term
//!   of L over L; FH note eq. 20, SMC eq. 11).
//! - E[X(T, T+t) | x, t_x, T] = P(alive) · (r+x)(β+T) / ((α+T)(s−1)) ·
//!   [1 − ((β+T)/(β+T+t))^{s−1}] (FH note eq. 21, SMC eq. 22), at s = 1 the
//!   limit (r+x)(β+T)/(α+T) · ln(1 + t/(β+T)).
//! - E[X(t)] = rβ/(α(s−1)) · [1 − (β/(β+t))^{s−1}] (SMC eq. 17).
//! - P(X(t) = n) = (β/(β+t))^s NB(n; t) + ∫₀^t NB(n; τ) sβ^s (β+τ)^{−(s+1)} dτ,
//!   NB(n; τ) = Γ(r+n)/(Γ(r) n!) (α/(α+τ))^r (τ/(α+τ))^n: the customer is alive
//!   throughout, or dies at τ < t having bought NB(n; τ). This is the
//!   Fader-Hardie (2006) note "Deriving an Expression for P(X(t) = x) under
//!   the Pareto/NBD Model" before its closed form, whose alternating sum of
//!   ₂F₁ terms cancels catastrophically for large n; the positive integral is
//!   computed by tanh-sinh quadrature instead.
//! - P(X(T, T+t) = n | x, t_x, T) = (1 − P(alive))·1{n=0} + P(alive) ·
//!   P(X(t) = n | r+x, α+T, s, β+T): alive at T, λ and μ have the posterior
//!   Gamma(r+x, α+T) and Gamma(s, β+T) and the process restarts (memoryless).
//! - DERT with continuous discount rate δ (FHL eq. 2):
//!   `DERT = α^r β^s δ^{s−1} Γ(r+x+1) U(s, s; δ(β+T)) / (Γ(r) (α+T)^{r+x+1} L)`
//!   = P(alive) · (r+x)/(α+T) · (β+T)^s δ^{s−1} U(s, s; δ(β+T)), with U the
//!   confluent hypergeometric function of the second kind ([`crate::special::hyperu`]).
//!
//! ## Parameterisation
//! `r, alpha, s, beta` as in SMC/FH, `lifetimes.ParetoNBDFitter` (same names),
//! `pymc-marketing` `ParetoNBDModel` (`r, alpha, s, beta`) and CLVTools
//! `pnbd` (`r, alpha, s, beta`). Published CDNOW fit (FH note; DESIGN.md):
//! r = 0.553, α = 10.578, s = 0.606, β = 11.669, LL = −9595.0.

use serde::{Deserialize, Serialize};
use statrs::function::gamma::{digamma, ln_gamma};

use crate::error::{Error, Result, check};
use crate::fit::{self, FitInfo, FitOptions, Likelihood};
use crate::models::{
    Distinct, TransactionModel, chunked_sum, map_customers, model_from_json, model_to_json,
    validate_customers, weights_or_ones,
};
use crate::special::{ln_hyperu, tanh_sinh};

/// r, α (purchase rate) and s, β (dropout rate).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct PnbdParams {
    r: f64,
    alpha: f64,
    s: f64,
    beta: f64,
}

/// Pareto/NBD model (Schmittlein, Morrison & Colombo 1987).
///
/// # Example
/// ```
/// use clv::{ParetoNbd, TransactionModel};
/// let m = ParetoNbd::from_params(0.553, 10.578, 0.606, 11.669).unwrap();
/// // CDNOW customer 1: x = 2, t_x = 30.43, T = 38.86 (weeks)
/// let p = m.prob_alive(&[2.0], &[30.43], &[38.86]).unwrap();
/// assert!(p[0] > 0.0 && p[0] < 1.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParetoNbd {
    params: PnbdParams,
    fit: Option<FitInfo>,
}

const JSON_NAME: &str = "pareto_nbd";

/// ln J(A, B, p, q), J = ∫₀^∞ (A+u)^{−p} (B+u)^{−q} du (p, q > 0, p+q > 1),
/// and ∂ ln J/∂(A, B, p, q).
fn ln_j(a_: f64, b_: f64, p: f64, q: f64) -> (f64, [f64; 4]) {
    if a_ < b_ {
        let (l, d) = ln_j(b_, a_, q, p);
        return (l, [d[1], d[0], d[3], d[2]]);
    }
    // A ≥ B: a = p+q−1, z = (A−B)/A, J = A^{−a} I(a, q, z),
    // I = Σ (q)_k z^k/(k!(a+k)) = ∫₀¹ t^{a−1}(1−zt)^{−q} dt.
    let a = p + q - 1.0;
    let z = (a_ - b_) / a_;
    let (ln_i, d_a, d_q, d_z) = if z <= 0.8 && q * z / (1.0 - z) < 300.0 {
        // Series with term-wise derivatives.
        let mut c = 1.0; // (q)_k z^k / k!
        let mut h = 0.0; // Σ_{j<k} 1/(q+j)
        let (mut i0, mut ia, mut iq, mut ik) = (0.0, 0.0, 0.0, 0.0);
        let mut k = 0.0_f64;
        loop {
            let inv = 1.0 / (a + k);
            let t = c * inv;
            i0 += t;
            ia -= t * inv;
            iq += t * h;
            ik += t * k;
            if t <= 1e-17 * i0 && k > q * z / (1.0 - z) {
                break;
            }
            h += 1.0 / (q + k);
            c *= (q + k) * z / (k + 1.0);
            k += 1.0;
            if c == 0.0 || k > 100_000.0 {
                break;
            }
        }
        let dz = if z > 0.0 {
            ik / z / i0
        } else {
            q / (a + 1.0) / i0
        };
        (i0.ln(), ia / i0, iq / i0, dz)
    } else {
        let y = 1.0 - z;
        let (ln_i, m) = tanh_sinh(a.min(1.0), |n| {
            let w = y + z * n.tc; // 1 − z t
            (
                (a - 1.0) * n.ln_t - q * w.ln(),
                [n.ln_t, -w.ln(), q * n.t / w],
            )
        });
        (ln_i, m[0], m[1], m[2])
    };
    let ln_a = a_.ln();
    let lj = -a * ln_a + ln_i;
    let d_da = -ln_a + d_a; // ∂/∂a
    (
        lj,
        [-a / a_ + d_z * b_ / (a_ * a_), -d_z / a_, d_da, d_da + d_q],
    )
}

/// ln J(α+t, β+t, r+x, s+1) with its gradient mapped to (r, α, s, β).
fn ln_j_at(p: &PnbdParams, rx: f64, t: f64) -> (f64, [f64; 4]) {
    let (l, d) = ln_j(p.alpha + t, p.beta + t, rx, p.s + 1.0);
    (l, [d[2], d[0], d[3], d[1]])
}

/// The bracket of the likelihood, `ln[(α+T)^{−(r+x)}(β+T)^{−s} + s (J(t_x) − J(T))]`,
/// its gradient in (r, α, s, β), and ln of its first ("alive") term.
/// `j_tx` is `ln_j_at(p, r+x, t_x)` when the caller already has it.
fn ln_bracket(
    p: &PnbdParams,
    rx: f64,
    tx: f64,
    t: f64,
    j_tx: Option<(f64, [f64; 4])>,
) -> (f64, [f64; 4], f64) {
    let PnbdParams { alpha, s, beta, .. } = *p;
    let (lat, lbt) = ((alpha + t).ln(), (beta + t).ln());
    let l_e1 = -rx * lat - s * lbt;
    let d_e1 = [-lat, -rx / (alpha + t), -lbt, -s / (beta + t)];
    if tx >= t {
        return (l_e1, d_e1, l_e1);
    }
    let ln_s = s.ln();
    let (lj1, g1) = j_tx.unwrap_or_else(|| ln_j_at(p, rx, tx));
    let (lj2, g2) = ln_j_at(p, rx, t);
    let m = l_e1.max(ln_s + lj1);
    let e1 = (l_e1 - m).exp();
    let j1 = (ln_s + lj1 - m).exp();
    let j2 = (ln_s + lj2 - m).exp();
    let br = e1 + j1 - j2;
    let mut g = [0.0; 4];
    for k in 0..4 {
        g[k] = (e1 * d_e1[k] + j1 * g1[k] - j2 * g2[k]) / br;
    }
    g[2] += (j1 - j2) / s / br;
    (m + br.ln(), g, l_e1)
}

/// Pieces of the likelihood of one customer: ln L, ln of the "alive" term,
/// and (optionally) ∂ ln L/∂(r, α, s, β).
fn ln_lik(p: &PnbdParams, x: f64, tx: f64, t: f64, grad: Option<&mut [f64; 4]>) -> (f64, f64) {
    let PnbdParams { r, alpha, s, beta } = *p;
    let rx = r + x;
    let (l_br, d_br, l_e1) = ln_bracket(p, rx, tx, t, None);
    let ll = ln_gamma(rx) - ln_gamma(r) + r * alpha.ln() + s * beta.ln() + l_br;
    if let Some(gr) = grad {
        gr[0] = digamma(rx) - digamma(r) + alpha.ln() + d_br[0];
        gr[1] = r / alpha + d_br[1];
        gr[2] = beta.ln() + d_br[2];
        gr[3] = s / beta + d_br[3];
    }
    (ll, l_e1 - l_br)
}

/// (b/(s−1)) · [1 − (b/(b+t))^{s−1}] = ∫₀^t (b/(b+u))^s du, stable at s = 1.
fn int_survival(b: f64, s: f64, t: f64) -> f64 {
    let l = (t / b).ln_1p();
    let e = s - 1.0;
    if e.abs() < 1e-12 {
        b * l * (1.0 - e * l / 2.0)
    } else {
        b * (-(-e * l).exp_m1()) / e
    }
}

/// ln P(X(t) = n) for a new customer with parameters (r, α, s, β).
fn ln_p_new(r: f64, alpha: f64, s: f64, beta: f64, n: u32, t: f64) -> f64 {
    let nf = f64::from(n);
    if t == 0.0 {
        return if n == 0 { 0.0 } else { f64::NEG_INFINITY };
    }
    let coef = ln_gamma(r + nf) - ln_gamma(r) - ln_gamma(nf + 1.0);
    let ln_t = t.ln();
    // alive throughout (0, t]
    let alive = s * (beta.ln() - (beta + t).ln())
        + coef
        + r * (alpha.ln() - (alpha + t).ln())
        + if n > 0 {
            nf * (ln_t - (alpha + t).ln())
        } else {
            0.0
        };
    // died at τ = t·v
    let (ln_int, _) = tanh_sinh::<0>(1.0, |v| {
        let tau = t * v.t;
        let lat = (alpha + tau).ln();
        let g = coef
            + r * (alpha.ln() - lat)
            + if n > 0 {
                nf * (ln_t + v.ln_t - lat)
            } else {
                0.0
            }
            + s.ln()
            + s * beta.ln()
            - (s + 1.0) * (beta + tau).ln()
            + ln_t;
        (g, [])
    });
    let m = alive.max(ln_int);
    (m + ((alive - m).exp() + (ln_int - m).exp()).ln()).min(0.0)
}

/// The weighted Pareto/NBD likelihood of a data set.
///
/// lnΓ(r+x) and ψ(r+x) are computed once per distinct x, and so is J at
/// t_x = 0 (every customer without repeat purchases), the most expensive
/// term when |α − β| is large; the rest per customer ([`ln_bracket`]). The
/// sum equals the per-customer [`ln_lik`] sum (checked in the tests).
struct PnbdLikelihood<'a> {
    x: &'a [f64],
    tx: &'a [f64],
    t: &'a [f64],
    w: Vec<f64>,
    distinct: Distinct,
    /// Whether some row with this distinct x has t_x = 0 < T.
    needs_j0: Vec<bool>,
}

impl<'a> PnbdLikelihood<'a> {
    fn new(x: &'a [f64], tx: &'a [f64], t: &'a [f64], w: Vec<f64>) -> Self {
        let distinct = Distinct::new(x, &w);
        let mut needs_j0 = vec![false; distinct.values.len()];
        for i in 0..x.len() {
            if tx[i] == 0.0 && t[i] > 0.0 {
                needs_j0[distinct.index[i] as usize] = true;
            }
        }
        PnbdLikelihood {
            x,
            tx,
            t,
            w,
            distinct,
            needs_j0,
        }
    }
}

impl Likelihood for PnbdLikelihood<'_> {
    fn names(&self) -> &'static [&'static str] {
        &["r", "alpha", "s", "beta"]
    }

    fn value_and_gradient(&self, p: &[f64], grad: &mut [f64]) -> f64 {
        let params = PnbdParams {
            r: p[0],
            alpha: p[1],
            s: p[2],
            beta: p[3],
        };
        let PnbdParams { r, alpha, s, beta } = params;
        let d = &self.distinct;
        let mut total = 0.0;
        let mut g = [0.0; 4];
        // Per distinct x: lnΓ(r+x), ψ(r+x) weighted, and J at t_x = 0.
        let j0: Vec<Option<(f64, [f64; 4])>> = d
            .values
            .iter()
            .zip(&d.weight)
            .zip(&self.needs_j0)
            .map(|((&x, &wx), &need)| {
                total += wx * ln_gamma(r + x);
                g[0] += wx * digamma(r + x);
                need.then(|| ln_j_at(&params, r + x, 0.0))
            })
            .collect();
        let wt: f64 = d.weight.iter().sum();
        let (ln_alpha, ln_beta) = (alpha.ln(), beta.ln());
        total += wt * (-ln_gamma(r) + r * ln_alpha + s * ln_beta);
        g[0] += wt * (ln_alpha - digamma(r));
        g[1] += wt * r / alpha;
        g[2] += wt * ln_beta;
        g[3] += wt * s / beta;
        let (br, gb) = chunked_sum(self.x.len(), |lo, hi| {
            let mut total = 0.0;
            let mut g = [0.0; 4];
            for i in lo..hi {
                let w = self.w[i];
                if w == 0.0 {
                    continue;
                }
                let k = d.index[i] as usize;
                let tx = self.tx[i];
                let cached = if tx == 0.0 { j0[k] } else { None };
                let (l, dl, _) = ln_bracket(&params, r + d.values[k], tx, self.t[i], cached);
                total += w * l;
                for (o, v) in g.iter_mut().zip(dl) {
                    *o += w * v;
                }
            }
            (total, g)
        });
        total += br;
        for (o, v) in g.iter_mut().zip(gb) {
            *o += v;
        }
        grad.copy_from_slice(&g);
        total
    }

    fn total_weight(&self) -> f64 {
        self.w.iter().sum()
    }

    fn starting_points(&self) -> Vec<Vec<f64>> {
        // scale-aware start: α and β of the order of the mean age T
        let tw: f64 = self.w.iter().sum();
        let mean_t = self.t.iter().zip(&self.w).map(|(t, w)| t * w).sum::<f64>() / tw;
        let m = if mean_t.is_finite() && mean_t > 0.0 {
            mean_t
        } else {
            1.0
        };
        vec![vec![0.5, m / 3.0, 0.5, m / 3.0], vec![1.0, m, 1.0, m]]
    }
}

impl ParetoNbd {
    /// A model with known parameters.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming the first parameter that is not finite
    /// and > 0.
    pub fn from_params(r: f64, alpha: f64, s: f64, beta: f64) -> Result<Self> {
        check::positive("r", r)?;
        check::positive("alpha", alpha)?;
        check::positive("s", s)?;
        check::positive("beta", beta)?;
        Ok(ParetoNbd {
            params: PnbdParams { r, alpha, s, beta },
            fit: None,
        })
    }

    /// Maximum-likelihood fit with optional per-row weights.
    ///
    /// # Errors
    /// Those of [`validate_customers`]; [`Error::Empty`] without customers;
    /// weights must have the same length, be finite, ≥ 0, with a positive sum;
    /// [`fit::maximize`] errors (e.g. [`Error::NotConverged`]).
    pub fn fit(
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
        weights: Option<&[f64]>,
        options: &FitOptions,
    ) -> Result<Self> {
        validate_customers(frequency, recency, t)?;
        if frequency.is_empty() {
            return Err(Error::Empty {
                field: "frequency".into(),
                reason: "a fit needs at least one customer".into(),
            });
        }
        let w = weights_or_ones(weights, frequency.len())?;
        let lik = PnbdLikelihood::new(frequency, recency, t, w);
        let (p, info) = fit::maximize("Pareto/NBD", &lik, options)?;
        let mut m = Self::from_params(p[0], p[1], p[2], p[3])?;
        m.fit = Some(info);
        Ok(m)
    }

    /// r (shape of the purchase-rate Gamma).
    pub fn r(&self) -> f64 {
        self.params.r
    }
    /// α (rate of the purchase-rate Gamma, in the summary's time unit).
    pub fn alpha(&self) -> f64 {
        self.params.alpha
    }
    /// s (shape of the dropout-rate Gamma).
    pub fn s(&self) -> f64 {
        self.params.s
    }
    /// β (rate of the dropout-rate Gamma, in the summary's time unit).
    pub fn beta(&self) -> f64 {
        self.params.beta
    }

    /// ln P(X(t) = n) for a new customer (see the module documentation), for
    /// probabilities that underflow.
    ///
    /// # Errors
    /// `t` must be finite and ≥ 0.
    pub fn ln_prob_purchases(&self, n: u32, t: f64) -> Result<f64> {
        check::non_negative("t", t)?;
        let p = &self.params;
        Ok(ln_p_new(p.r, p.alpha, p.s, p.beta, n, t))
    }

    /// P(X(T, T+horizon) = n | x, t_x, T): probability of exactly `n`
    /// purchases in the next `horizon` units (see the module documentation).
    ///
    /// # Errors
    /// `horizon` must be finite and ≥ 0; customers as [`validate_customers`].
    ///
    /// # Example
    /// ```
    /// use clv::ParetoNbd;
    /// let m = ParetoNbd::from_params(0.553, 10.578, 0.606, 11.669).unwrap();
    /// let total: f64 = (0..200)
    ///     .map(|n| m.prob_purchases_conditional(n, 39.0, &[2.0], &[30.43], &[38.86]).unwrap()[0])
    ///     .sum();
    /// assert!((total - 1.0).abs() < 1e-9);
    /// ```
    pub fn prob_purchases_conditional(
        &self,
        n: u32,
        horizon: f64,
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
    ) -> Result<Vec<f64>> {
        check::non_negative("t", horizon)?;
        validate_customers(frequency, recency, t)?;
        let p = &self.params;
        Ok(frequency
            .iter()
            .zip(recency)
            .zip(t)
            .map(|((&x, &tx), &tt)| {
                let (_, l_alive) = ln_lik(p, x, tx, tt, None);
                let pa = l_alive.exp().min(1.0);
                let pn = ln_p_new(p.r + x, p.alpha + tt, p.s, p.beta + tt, n, horizon).exp();
                let dead = if n == 0 { 1.0 - pa } else { 0.0 };
                (dead + pa * pn).min(1.0)
            })
            .collect())
    }

    /// Discounted expected residual transactions with continuous discount
    /// rate `delta` per time unit (FHL 2005 eq. 2; see the module
    /// documentation). Multiply by the margin per transaction for value.
    ///
    /// # Errors
    /// `delta` must be finite and > 0; customers as [`validate_customers`].
    ///
    /// # Example
    /// ```
    /// use clv::ParetoNbd;
    /// let m = ParetoNbd::from_params(0.553, 10.578, 0.606, 11.669).unwrap();
    /// // 15% a year compounded continuously, weekly data: δ = ln(1.15)/52
    /// let d = m.dert(1.15f64.ln() / 52.0, &[2.0, 0.0], &[30.43, 0.0], &[38.86, 38.86]).unwrap();
    /// assert!(d[0] > d[1] && d[1] > 0.0);
    /// ```
    pub fn dert(
        &self,
        delta: f64,
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
    ) -> Result<Vec<f64>> {
        check::positive("delta", delta)?;
        validate_customers(frequency, recency, t)?;
        let p = &self.params;
        frequency
            .iter()
            .zip(recency)
            .zip(t)
            .map(|((&x, &tx), &tt)| {
                let (_, l_alive) = ln_lik(p, x, tx, tt, None);
                let b = p.beta + tt;
                let lu = ln_hyperu(p.s, p.s, delta * b)?;
                let ln = l_alive.min(0.0) + (p.r + x).ln() - (p.alpha + tt).ln()
                    + p.s * b.ln()
                    + (p.s - 1.0) * delta.ln()
                    + lu;
                Ok(ln.exp())
            })
            .collect()
    }

    /// Serialises the model (`{"format_version": 1, "model": "pareto_nbd", ...}`).
    pub fn to_json(&self) -> String {
        model_to_json(JSON_NAME, &self.params, self.fit.as_ref())
    }

    /// Reads a model written by [`Self::to_json`].
    ///
    /// # Errors
    /// [`Error::Format`] on bad JSON, another model or version;
    /// [`Error::InvalidValue`] on a non-positive parameter.
    pub fn from_json(text: &str) -> Result<Self> {
        let (p, fit): (PnbdParams, _) = model_from_json(JSON_NAME, text)?;
        let mut m = Self::from_params(p.r, p.alpha, p.s, p.beta)?;
        m.fit = fit;
        Ok(m)
    }
}

impl TransactionModel for ParetoNbd {
    fn name(&self) -> &'static str {
        "Pareto/NBD"
    }

    fn params(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("r", self.r()),
            ("alpha", self.alpha()),
            ("s", self.s()),
            ("beta", self.beta()),
        ]
    }

    fn fit_info(&self) -> Option<&FitInfo> {
        self.fit.as_ref()
    }

    fn log_likelihood(&self, frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<Vec<f64>> {
        validate_customers(frequency, recency, t)?;
        map_customers(frequency, recency, t, |x, tx, tt| {
            Ok(ln_lik(&self.params, x, tx, tt, None).0)
        })
    }

    fn prob_alive(&self, frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<Vec<f64>> {
        validate_customers(frequency, recency, t)?;
        map_customers(frequency, recency, t, |x, tx, tt| {
            Ok(ln_lik(&self.params, x, tx, tt, None).1.exp().min(1.0))
        })
    }

    fn expected_purchases(
        &self,
        horizon: f64,
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
    ) -> Result<Vec<f64>> {
        check::non_negative("t", horizon)?;
        validate_customers(frequency, recency, t)?;
        let p = &self.params;
        map_customers(frequency, recency, t, |x, tx, tt| {
            let pa = ln_lik(p, x, tx, tt, None).1.exp().min(1.0);
            Ok(pa * (p.r + x) / (p.alpha + tt) * int_survival(p.beta + tt, p.s, horizon))
        })
    }

    fn expected_purchases_new(&self, t: f64) -> Result<f64> {
        check::non_negative("t", t)?;
        let p = &self.params;
        Ok(p.r / p.alpha * int_survival(p.beta, p.s, t))
    }

    fn prob_purchases(&self, n: u32, t: f64) -> Result<f64> {
        Ok(self.ln_prob_purchases(n, t)?.exp())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn m() -> ParetoNbd {
        ParetoNbd::from_params(0.553, 10.578, 0.606, 11.669).unwrap()
    }

    #[test]
    fn grouped_likelihood_equals_per_customer_sum() {
        // The optimiser's likelihood caches lnΓ(r+x), ψ(r+x) and J at t_x = 0
        // per distinct x; it must equal Σ w_i ln L_i (and its gradient) row by
        // row. Rows: x = 0 at t_x = 0, repeated x, non-integer x, t_x = T,
        // T = 0, a zero weight, more than one parallel chunk; parameters with
        // |α − β| large so that both J paths (series and quadrature) are used.
        let n = 9000;
        let x: Vec<f64> = (0..n)
            .map(|i| [0.0, 1.0, 2.0, 7.0, 2.5, 30.0][i % 6])
            .collect();
        let t: Vec<f64> = (0..n)
            .map(|i| {
                if i == 11 {
                    0.0
                } else {
                    0.5 + (i % 17) as f64 * 2.3
                }
            })
            .collect();
        let tx: Vec<f64> = (0..n)
            .map(|i| match (x[i] == 0.0, i % 5) {
                (true, _) => 0.0,
                (false, 0) => t[i],
                (false, k) => t[i] * k as f64 / 5.0,
            })
            .collect();
        let w: Vec<f64> = (0..n)
            .map(|i| if i == 5 { 0.0 } else { 1.0 + (i % 3) as f64 })
            .collect();
        for theta in [
            [0.55, 10.6, 0.6, 11.7],
            [0.5, 2.0, 0.9, 40.0],
            [1.5, 60.0, 2.0, 1.5],
        ] {
            let p = PnbdParams {
                r: theta[0],
                alpha: theta[1],
                s: theta[2],
                beta: theta[3],
            };
            let lik = PnbdLikelihood::new(&x, &tx, &t, w.clone());
            crate::models::assert_equals_row_sum(
                &lik,
                &theta,
                &w,
                |i, gi| ln_lik(&p, x[i], tx[i], t[i], Some(gi)).0,
                &format!("{theta:?}"),
            );
        }
    }

    #[test]
    fn j_matches_hyp2f1_and_gradient() {
        // J(A,B,p,q) = A^{−a}/a · 2F1(a, q; a+1; (A−B)/A), a = p+q−1
        for &(a_, b_, p, q) in &[
            (20.0, 11.0, 2.553, 1.606),
            (11.0, 20.0, 2.553, 1.606),
            (100.0, 1.0, 0.6, 1.3), // z = 0.99: quadrature branch
            (50.0, 45.0, 10_000.5, 1.6),
            (1e5, 3.0, 0.3, 1.1),
            // either side of the series/quadrature switch at z = 0.8
            (20.0, 4.2, 2.5, 3.0),  // z = 0.79: series
            (20.0, 3.8, 2.5, 3.0),  // z = 0.81: quadrature
            (20.0, 5.0, 1.6, 60.5), // z = 0.75, q z/(1−z) = 181: series, long
            (20.0, 9.0, 40.5, 1.6), // z = 0.55
        ] {
            let (lj, d) = ln_j(a_, b_, p, q);
            let (aa, bb, pp, qq) = if a_ >= b_ {
                (a_, b_, p, q)
            } else {
                (b_, a_, q, p)
            };
            let a = pp + qq - 1.0;
            let (lf, _) = crate::special::ln_hyp2f1(a, qq, a + 1.0, (aa - bb) / aa).unwrap();
            let expect = -a * aa.ln() - a.ln() + lf;
            assert!(
                (lj - expect).abs() < 1e-11 * expect.abs().max(1.0),
                "{lj} vs {expect}"
            );
            let args = [a_, b_, p, q];
            for k in 0..4 {
                // h = 1e-4·θ: the quadrature branch is accurate to ~1e-12 absolute, so
                // much smaller steps would measure quadrature noise, not the derivative.
                let h = 1e-4 * args[k];
                let mut up = args;
                up[k] += h;
                let mut dn = args;
                dn[k] -= h;
                let fd = (ln_j(up[0], up[1], up[2], up[3]).0 - ln_j(dn[0], dn[1], dn[2], dn[3]).0)
                    / (2.0 * h);
                assert!(
                    (d[k] - fd).abs() < 1e-6 * fd.abs().max(1e-3),
                    "{a_} {b_} {k}: {} vs {fd}",
                    d[k]
                );
            }
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let p = PnbdParams {
            r: 0.6,
            alpha: 9.0,
            s: 0.7,
            beta: 13.0,
        };
        for &(x, tx, t) in &[
            (0.0, 0.0, 38.0),
            (2.0, 30.43, 38.86),
            (20.0, 38.0, 38.0),
            (3.0, 1.0, 200.0),
        ] {
            let mut g = [0.0; 4];
            ln_lik(&p, x, tx, t, Some(&mut g));
            let arr = [p.r, p.alpha, p.s, p.beta];
            for k in 0..4 {
                let h = 1e-6 * arr[k];
                let mut u = arr;
                u[k] += h;
                let mut d = arr;
                d[k] -= h;
                let mk = |a: [f64; 4]| PnbdParams {
                    r: a[0],
                    alpha: a[1],
                    s: a[2],
                    beta: a[3],
                };
                let fd = (ln_lik(&mk(u), x, tx, t, None).0 - ln_lik(&mk(d), x, tx, t, None).0)
                    / (2.0 * h);
                assert!(
                    (g[k] - fd).abs() < 1e-6 * fd.abs().max(1e-2),
                    "{x},{tx},{t} {k}: {} vs {fd}",
                    g[k]
                );
            }
        }
    }

    #[test]
    fn distribution_sums_and_means() {
        let m = m();
        for t in [1.0, 39.0, 500.0] {
            let mut s = 0.0;
            let mut mean = 0.0;
            for n in 0..3000u32 {
                let p = m.prob_purchases(n, t).unwrap();
                assert!((0.0..=1.0).contains(&p));
                s += p;
                mean += f64::from(n) * p;
            }
            assert!((s - 1.0).abs() < 1e-9, "t={t}: {s}");
            let e = m.expected_purchases_new(t).unwrap();
            assert!((mean - e).abs() < 1e-7 * e.max(1.0), "t={t}: {mean} vs {e}");
        }
        // conditional: Σ n P(X(T,T+t)=n | ·) = E[X(T,T+t) | ·]
        let (x, tx, tt, h) = (2.0, 30.43, 38.86, 39.0);
        let mut mean = 0.0;
        for n in 0..3000u32 {
            mean += f64::from(n)
                * m.prob_purchases_conditional(n, h, &[x], &[tx], &[tt])
                    .unwrap()[0];
        }
        let e = m.expected_purchases(h, &[x], &[tx], &[tt]).unwrap()[0];
        assert!((mean - e).abs() < 1e-8, "{mean} vs {e}");
    }

    #[test]
    fn monotone_and_extreme_inputs() {
        let m = m();
        let pa = m
            .prob_alive(&[5.0; 3], &[10.0, 20.0, 38.0], &[38.86; 3])
            .unwrap();
        assert!(pa[0] < pa[1] && pa[1] < pa[2] && pa[2] <= 1.0);
        let e: Vec<f64> = [1.0, 10.0, 100.0, 1e4]
            .iter()
            .map(|&h| m.expected_purchases(h, &[2.0], &[30.43], &[38.86]).unwrap()[0])
            .collect();
        assert!(e.windows(2).all(|w| w[0] < w[1]));
        for &(x, tx, t) in &[
            (1e4, 9e4, 1e5),
            (1e4, 1.0, 1e5),
            (0.0, 0.0, 1e5),
            (1e4, 1e5, 1e5),
        ] {
            let l = m.log_likelihood(&[x], &[tx], &[t]).unwrap()[0];
            let p = m.prob_alive(&[x], &[tx], &[t]).unwrap()[0];
            let e = m.expected_purchases(1e4, &[x], &[tx], &[t]).unwrap()[0];
            assert!(
                l.is_finite() && (0.0..=1.0).contains(&p) && e.is_finite(),
                "{x} {tx} {t}: {l} {p} {e}"
            );
            let d = m.dert(0.01, &[x], &[tx], &[t]).unwrap()[0];
            assert!(d.is_finite() && d >= 0.0);
        }
        assert!(m.prob_purchases(500, 1e4).unwrap().is_finite());
        // α ≪ β and α ≫ β (2F1 argument near 1)
        let skew = ParetoNbd::from_params(0.5, 0.01, 0.7, 500.0).unwrap();
        let l = skew
            .log_likelihood(&[3.0, 0.0], &[2.0, 0.0], &[40.0, 40.0])
            .unwrap();
        assert!(l.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn dert_matches_direct_integral() {
        // DERT = P(alive)·(r+x)/(α+T)·∫₀^∞ e^{−δu} ((β+T)/(β+T+u))^s du
        let m = m();
        let (x, tx, tt, delta) = (2.0, 30.43, 38.86, 0.01);
        let pa = m.prob_alive(&[x], &[tx], &[tt]).unwrap()[0];
        let b: f64 = 11.669 + tt;
        // trapezoid on u ∈ [0, 6000] with step 0.05 (integrand smooth, tail < e^{−60})
        let f = |u: f64| (-delta * u).exp() * (b / (b + u)).powf(0.606);
        let hstep = 0.05;
        let n = (6000.0 / hstep) as usize;
        let mut s = 0.5 * (f(0.0) + f(6000.0));
        for i in 1..n {
            s += f(i as f64 * hstep);
        }
        let direct = pa * (0.553 + x) / (10.578 + tt) * s * hstep;
        let d = m.dert(delta, &[x], &[tx], &[tt]).unwrap()[0];
        assert!((d - direct).abs() < 1e-6 * direct, "{d} vs {direct}");
    }

    #[test]
    fn errors() {
        let m = m();
        assert_eq!(
            m.prob_alive(&[1.0], &[40.0], &[38.0]).unwrap_err().field(),
            Some("recency")
        );
        assert_eq!(
            m.expected_purchases(-1.0, &[1.0], &[1.0], &[2.0])
                .unwrap_err()
                .field(),
            Some("t")
        );
        assert_eq!(
            m.prob_purchases(1, f64::NAN).unwrap_err().field(),
            Some("t")
        );
        assert_eq!(
            m.dert(0.0, &[1.0], &[1.0], &[2.0]).unwrap_err().field(),
            Some("delta")
        );
        assert_eq!(
            ParetoNbd::from_params(0.5, 1.0, -1.0, 1.0)
                .unwrap_err()
                .field(),
            Some("s")
        );
        let e = ParetoNbd::fit(&[], &[], &[], None, &FitOptions::default()).unwrap_err();
        assert_eq!(e.code(), "EMPTY_INPUT");
    }

    #[test]
    fn json_round_trip() {
        let m = m();
        assert_eq!(ParetoNbd::from_json(&m.to_json()).unwrap(), m);
        assert_eq!(
            ParetoNbd::from_json("{}").unwrap_err().code(),
            "FORMAT_ERROR"
        );
    }

    #[test]
    fn simulation_recovery() {
        let (r, alpha, s, beta) = (0.8, 8.0, 0.9, 12.0);
        let mut rng = super::super::sbg::test_rng::Rng(0xDEAD_BEEF_CAFE_F00D);
        let n = 8000;
        let (mut xs, mut txs, mut ts) = (vec![], vec![], vec![]);
        for i in 0..n {
            let lambda = rng.gamma(r) / alpha;
            let mu = rng.gamma(s) / beta;
            let t_obs = 20.0 + (i % 20) as f64; // staggered ages 20..39
            let death = -rng.uniform().ln() / mu;
            let end = death.min(t_obs);
            let (mut x, mut last, mut clock) = (0.0, 0.0, 0.0);
            loop {
                clock += -rng.uniform().ln() / lambda;
                if clock > end {
                    break;
                }
                x += 1.0;
                last = clock;
            }
            xs.push(x);
            txs.push(last);
            ts.push(t_obs);
        }
        let m = ParetoNbd::fit(&xs, &txs, &ts, None, &FitOptions::default()).unwrap();
        let se = &m.fit_info().unwrap().std_errors;
        let est = [m.r(), m.alpha(), m.s(), m.beta()];
        for (k, truth) in [r, alpha, s, beta].iter().enumerate() {
            assert!(
                (est[k] - truth).abs() < 3.0 * se[k],
                "{k}: {} ± {} vs {truth}",
                est[k],
                se[k]
            );
        }
    }
}
