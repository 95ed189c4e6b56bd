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
//! (term by term, or under the integral), so the gradient and the Hessian
//! are exact (formulas at `ln_j_a` and `ln_bracket`). With the closed-form
//! Hessian, fits run Newton's method ([`crate::fit`]): 5 passes over the data
//! on 100k customers instead of 30 with L-BFGS and a finite-difference
//! Hessian, a Hessian pass costing 1.2–1.6 gradient passes.
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
use statrs::function::factorial::ln_factorial;
use statrs::function::gamma::{digamma, ln_gamma};

use super::{alpha_beta_model, model_params};
use crate::covariates::{LinkedRows, RowHessian};
use crate::error::{Result, check};
use crate::fit::{Boundary, FitInfo, Likelihood};
use crate::models::{
    Distinct, ModelInfo, TransactionModel, log_add_exp, max_age, mean_age, per_customer,
    representable, representable_one, shapes_run_off, tri, validate_customers, weighted_rows,
    write_sym4,
};
use crate::special::{DEAD_CUT, Node, ln_hyperu, tanh_sinh, trigamma};

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

/// A log-term `v` with its gradient `g` and Hessian `h` (packed as [`tri`])
/// in four variables; `h` is zero where the caller did not ask for it.
#[derive(Debug, Clone, Copy)]
struct Derivs {
    v: f64,
    g: [f64; 4],
    h: [f64; 10],
}

impl Derivs {
    /// The same term in renamed variables: variable `i` of the result is
    /// variable `from[i]` of `self`. (Inlined: `from` is a constant at every
    /// call, and the index arithmetic then folds away.)
    #[inline(always)]
    fn rename(self, from: [usize; 4]) -> Self {
        let mut g = [0.0; 4];
        let mut h = [0.0; 10];
        for i in 0..4 {
            g[i] = self.g[from[i]];
            for j in i..4 {
                h[tri(i, j)] = self.h[tri(from[i], from[j])];
            }
        }
        Derivs { v: self.v, g, h }
    }
}

/// ln J(A, B, p, q), J = ∫₀^∞ (A+u)^{−p} (B+u)^{−q} du (p, q > 0, p+q > 1),
/// with its gradient in (A, B, p, q) and, when `H`, its Hessian (else zero).
///
/// J(A, B, p, q) = J(B, A, q, p), so let A ≥ B. With a = p+q−1 and
/// z = (A−B)/A = 1 − B/A ∈ [0, 1), `J = A^{−a} I(a, q, z)` (substitute
/// u = A/t − A) where
/// ```text
/// I(a, q, z) = Σ_k (q)_k z^k / (k! (a+k))     (the Gauss series of ₂F₁(a, q; a+1; z)/a, A&S 15.1.1)
///            = ∫₀¹ t^{a−1} (1−zt)^{−q} dt       (Euler's integral, A&S 15.3.1 with b = a, c = a+1)
/// ```
/// summed when z ≤ 0.8 (and q z/(1−z), where the terms peak, is < 300),
/// integrated by tanh-sinh quadrature otherwise.
///
/// Derivatives of I, f = ln I, f_x = I_x/I and f_xy = I_xy/I − f_x f_y:
/// - series, term by term: with c_k = (q)_k z^k/k!, h_k = Σ_{j<k} 1/(q+j)
///   (= ψ(q+k) − ψ(q)) and h2_k = Σ_{j<k} 1/(q+j)²:
///   `∂c_k/∂q = c_k h_k`, `∂²c_k/∂q² = c_k (h_k² − h2_k)`,
///   `∂c_k/∂z = c_k k/z`, `∂²c_k/∂z² = c_k k(k−1)/z²`,
///   `∂²c_k/∂q∂z = c_k h_k k/z`, and `∂ⁿ/∂aⁿ 1/(a+k) = (−1)ⁿ n!/(a+k)^{n+1}`;
///   at z = 0 the z-derivatives are the limits I_z = q/(a+1),
///   I_zz = q(q+1)/(a+2), I_az = −q/(a+1)², I_qz = 1/(a+1).
/// - quadrature, under the integral: with F = e^g, g = (a−1) ln t − q ln w,
///   w = 1 − zt: `g_a = ln t`, `g_q = −ln w`, `g_z = q t/w`, `g_qz = t/w`,
///   `g_zz = q t²/w²` (the others 0) and `F_xy = F (g_x g_y + g_xy)`; the
///   rule returns the F-weighted means of these products.
///
/// Chain rule from (a, q, z) to (A, B, p, q) (∂a/∂p = ∂a/∂q = 1,
/// ∂z/∂A = B/A², ∂z/∂B = −1/A, ∂²z/∂A² = −2B/A³, ∂²z/∂A∂B = 1/A²):
/// ```text
/// ∂/∂A = −a/A + f_z B/A²          ∂/∂B = −f_z/A
/// ∂/∂p = −ln A + f_a              ∂/∂q = −ln A + f_a + f_q
/// ∂²/∂A² = a/A² + f_zz B²/A⁴ − 2 f_z B/A³      ∂²/∂A∂B = −f_zz B/A³ + f_z/A²
/// ∂²/∂B² = f_zz/A²
/// ∂²/∂A∂p = −1/A + f_az B/A²                   ∂²/∂A∂q = −1/A + (f_az + f_qz) B/A²
/// ∂²/∂B∂p = −f_az/A                            ∂²/∂B∂q = −(f_az + f_qz)/A
/// ∂²/∂p² = f_aa    ∂²/∂p∂q = f_aa + f_aq       ∂²/∂q² = f_aa + 2 f_aq + f_qq
/// ```
///
/// `a` is p + q − 1, passed in because the caller can form it without
/// cancellation: `ln_j_at` has q = s + 1 ≥ 1 and passes (r + x) + (q − 1),
/// q − 1 exact, where a < 1; (p + q) − 1 rounded to 0 for r + x and s below
/// 1e-16 (and ln J to NaN).
fn ln_j_a<const H: bool>(a_: f64, b_: f64, p: f64, q: f64, a: f64) -> Derivs {
    if a_ < b_ {
        return ln_j_a::<H>(b_, a_, q, p, a).rename([1, 0, 3, 2]);
    }
    let z = (a_ - b_) / a_;
    // ln I, f_a, f_q, f_z and, when H, [f_aa, f_aq, f_az, f_qq, f_qz, f_zz].
    let (ln_i, d_a, d_q, d_z, f2) = if z <= 0.8 && q * z / (1.0 - z) < 300.0 {
        // Series with term-wise derivatives.
        let mut c = 1.0; // (q)_k z^k / k!
        let mut h = 0.0; // Σ_{j<k} 1/(q+j)
        let mut h2 = 0.0; // Σ_{j<k} 1/(q+j)²
        let (mut i0, mut ia, mut iq, mut ik) = (0.0, 0.0, 0.0, 0.0);
        // Σ t_k · [2/(a+k)², −h_k/(a+k), −k/(a+k), h_k² − h2_k, h_k k, k(k−1)]
        let mut s2 = [0.0; 6];
        let mut k = 0.0_f64;
        loop {
            let inv = 1.0 / (a + k);
            let t = c * inv;
            i0 += t;
            ia -= t * inv;
            iq += t * h;
            ik += t * k;
            if H {
                let ti = t * inv;
                s2[0] += 2.0 * ti * inv;
                s2[1] -= ti * h;
                s2[2] -= ti * k;
                s2[3] += t * (h * h - h2);
                s2[4] += t * h * k;
                s2[5] += t * k * (k - 1.0);
            }
            // Past the peak of the terms, and at least to k = 2 (the
            // leading term of I_zz when z is tiny).
            if t <= 1e-17 * i0 && k > (q * z / (1.0 - z)).max(1.0) {
                break;
            }
            let u = 1.0 / (q + k);
            h += u;
            if H {
                h2 += u * u;
            }
            c *= (q + k) * z / (k + 1.0);
            k += 1.0;
            if c == 0.0 || k > 100_000.0 {
                break;
            }
        }
        let (f_a, f_q) = (ia / i0, iq / i0);
        let (dz, i_z2) = if z > 0.0 {
            (ik / z / i0, [s2[2] / z, s2[4] / z, s2[5] / (z * z)])
        } else {
            let a1 = a + 1.0;
            (
                q / (a + 1.0) / i0,
                [-q / (a1 * a1), 1.0 / a1, q * (q + 1.0) / (a + 2.0)],
            )
        };
        let f2 = if H {
            [
                s2[0] / i0 - f_a * f_a,
                s2[1] / i0 - f_a * f_q,
                i_z2[0] / i0 - f_a * dz,
                s2[3] / i0 - f_q * f_q,
                i_z2[1] / i0 - f_q * dz,
                i_z2[2] / i0 - dz * dz,
            ]
        } else {
            [0.0; 6]
        };
        (i0.ln(), f_a, f_q, dz, f2)
    } else {
        euler_quadrature::<H>(a, q, z, b_ / a_)
    };
    let ln_a = a_.ln();
    let lj = -a * ln_a + ln_i;
    let d_da = -ln_a + d_a; // ∂/∂a
    let g = [-a / a_ + d_z * b_ / (a_ * a_), -d_z / a_, d_da, d_da + d_q];
    let mut h = [0.0; 10];
    if H {
        let [f_aa, f_aq, f_az, f_qq, f_qz, f_zz] = f2;
        let inv = 1.0 / a_;
        let z_a = b_ * inv * inv; // ∂z/∂A
        h[tri(0, 0)] = a * inv * inv + f_zz * z_a * z_a - 2.0 * d_z * z_a * inv;
        h[tri(0, 1)] = (d_z * inv - f_zz * z_a) * inv;
        h[tri(1, 1)] = f_zz * inv * inv;
        h[tri(0, 2)] = -inv + f_az * z_a;
        h[tri(0, 3)] = -inv + (f_az + f_qz) * z_a;
        h[tri(1, 2)] = -f_az * inv;
        h[tri(1, 3)] = -(f_az + f_qz) * inv;
        h[tri(2, 2)] = f_aa;
        h[tri(2, 3)] = f_aa + f_aq;
        h[tri(3, 3)] = f_aa + 2.0 * f_aq + f_qq;
    }
    Derivs { v: lj, g, h }
}

/// `(ln I, f_a, f_q, f_z, [f_aa, f_aq, f_az, f_qq, f_qz, f_zz])` of Euler's
/// integral `I(a, q, z) = ∫₀¹ t^{a−1} (1−zt)^{−q} dt` (see [`ln_j_a`]) by
/// tanh-sinh quadrature after the change of variables `t = (1−τ)^{1/κ}`,
/// `κ = max(1, a + q z/y)`, y = 1 − z given separately (as B/A: 1 − z
/// would lose its digits when z is near 1, and q·ln y needs them all):
/// ```text
/// I = ∫₀¹ t^a (1−zt)^{−q} / (κ (1−τ)) dτ
/// ```
/// The integrand is increasing in t and, near t = 1, falls like
/// `e^{−κ(1−t)}` (κ is −d ln(t^a (1−zt)^{−q})/d ln t at t = 1). With
/// `r + x` in the hundreds of thousands that is a spike of width 1/κ at the
/// endpoint, which the plain rule resolved only after 11–12 halvings (about
/// 10⁵ integrand evaluations, minutes per fit: issue 17, finding 13). In τ
/// the same integrand decays like `e^{−σ}` in σ = −ln(1−τ) from τ = 0, at
/// unit scale whatever r + x is, so the rule settles in a bounded number of
/// levels. Near τ = 1 (t → 0) it behaves like `(1−τ)^{a/κ − 1}`, which sets
/// the rule's reach. κ = 1 is the plain rule on the reflected interval,
/// kept when a/κ < 1e-6.
fn euler_quadrature<const H: bool>(
    a: f64,
    q: f64,
    z: f64,
    y: f64,
) -> (f64, f64, f64, f64, [f64; 6]) {
    let peak = a + q * z / y;
    // In τ the integrand behaves like (1−τ)^{a/κ − 1} towards τ = 1: with
    // a/κ below 1e-6 (the smallest exponent the rule's reach is sized
    // for) the mass of t far from 1 could lie beyond it. Such cases arise
    // only at extreme parameters (β/α or α/β beyond 10⁶, with r + x or
    // s + 1 below 1, or the spike not dominating), where the integrand has
    // two scales at t = 1: the spike of (1−zt)^{−q}, of width y/z, and
    // that of t^{a−1}, of width 1/a. They take the map in ln(1 − zt)
    // below (Map::LnW), on which both are of unit scale; the plain rule on
    // t needed all 12 halvings there. Unless what lies beyond the reach of
    // the unit-exponent rule at κ = peak is negligible (spike_dominates):
    // then that rule.
    let (map, kappa, reach) = if spike_dominates(a, q, z, y, peak) {
        (Map::Power, peak, 1.0)
    } else if a >= 1e-6 * peak {
        let kappa = peak.max(1.0);
        (Map::Power, kappa, (a / kappa).min(1.0))
    } else {
        (Map::LnW, 1.0, a.min(1.0))
    };
    let ln_kappa = kappa.ln();
    // ln(1/y): the range of ln((1 − zt)/y) over t ∈ [0, 1].
    let span = -y.ln();
    // At the original abscissa: ln t, t, 1 − zt, and ln((1 − zt)/(1 − z))
    // = ln(1 + z(1 − t)/(1 − z)); then the log of the transformed
    // integrand without its constant factor (1 − z)^{−q}. Taking that
    // factor out keeps q·ln(1 − zt) from losing the digits that vary
    // with t when q is 10⁹ (the weights were noisy at 1e-7 otherwise).
    // The moments are covariances, unchanged by the shift of ln(1 − zt)
    // by ln(1 − z), except the mean of g_q = −ln(1 − zt), corrected below.
    let point = |n: Node| match map {
        // t = (1−τ)^{1/κ}: dt = t/(κ(1−τ)) dτ
        Map::Power => {
            let ln_t = n.ln_tc / kappa;
            let t = ln_t.exp();
            let tc = -ln_t.exp_m1();
            let w = y + z * tc;
            let lw = (z * tc / y).ln_1p();
            (a * ln_t - q * lw - ln_kappa - n.ln_tc, ln_t, t, w, lw)
        }
        // ln(w/y) = τ·ln(1/y), w = 1 − zt: t = (1 − w)/z with 1 − w =
        // −expm1(−(1−τ) ln(1/y)), and |dt| = w ln(1/y)/z dτ.
        Map::LnW => {
            let lw = span * n.t;
            let w = y * lw.exp();
            // 1 − t = (w − y)/z: from it ln t near t = 1; near t = 0 from
            // 1 − w (and from ln(1−τ) where 1 − τ underflows)
            let tc = y * lw.exp_m1() / z;
            let ln_t = if tc < 0.5 {
                (-tc).ln_1p()
            } else {
                let e = span * n.tc;
                if e < 1e-100 {
                    span.ln() + n.ln_tc - z.ln()
                } else {
                    (-(-e).exp_m1()).ln() - z.ln()
                }
            };
            let t = ln_t.exp();
            let g = (a - 1.0) * ln_t - q * lw + w.ln() + span.ln() - z.ln();
            (g, ln_t, t, w, lw)
        }
    };
    if H {
        let (ln_i, m) = tanh_sinh(reach, |n| {
            let (g, ln_t, t, w, lw) = point(n);
            // lw stands for ln(1 − zt) − ln(1 − z) in the covariances
            let g_z = q * t / w;
            let u = t / w;
            (
                g,
                [
                    ln_t,
                    -lw,
                    g_z,
                    ln_t * ln_t,
                    -ln_t * lw,
                    ln_t * g_z,
                    lw * lw,
                    u * (1.0 - q * lw),
                    g_z * (g_z + u),
                ],
            )
        });
        let f2 = [
            m[3] - m[0] * m[0],
            m[4] - m[0] * m[1],
            m[5] - m[0] * m[2],
            m[6] - m[1] * m[1],
            m[7] - m[1] * m[2],
            m[8] - m[2] * m[2],
        ];
        (ln_i - q * y.ln(), m[0], m[1] - y.ln(), m[2], f2)
    } else {
        let (ln_i, m) = tanh_sinh(reach, |n| {
            let (g, ln_t, t, w, lw) = point(n);
            (g, [ln_t, -lw, q * t / w])
        });
        (ln_i - q * y.ln(), m[0], m[1] - y.ln(), m[2], [0.0; 6])
    }
}

/// The change of variables of [`euler_quadrature`].
#[derive(Clone, Copy)]
enum Map {
    /// t = (1−τ)^{1/κ}.
    Power,
    /// ln((1 − zt)/(1 − z)) = τ·ln(1/(1 − z)).
    LnW,
}

/// Whether Euler's integral `I(a, q, z)` ([`euler_quadrature`]) lies in
/// its spike at t = 1, so that the rule in τ with κ = `peak` (= a + qz/y)
/// and unit exponent may stop at its usual reach: σ = −ln(1−τ) ≤ 42, i.e.
/// t ≥ 1 − δ with δ = 1 − e^{−42/κ}. For q > 1 what it leaves out is at
/// most `∫_δ^1 (y + zu)^{−q} du ≤ (y + zδ)^{1−q} / (z(q−1))` (t^{a−1} ≤ 1),
/// and the spike alone, t ∈ [1 − 1/κ, 1], is at least `κ^{−1} y^{−q}
/// e^{−2.1}` (there 1 − zt ≤ y(1 + 1/q) since κ ≥ qz/y, and t^{a−1} ≥
/// e^{−1.1} since a ≤ κ, κ ≥ 10). The rule is used when the first is below
/// e^{−35} of the second (1e-15: below the rule's own tolerance).
fn spike_dominates(a: f64, q: f64, z: f64, y: f64, peak: f64) -> bool {
    if !(a > 0.0 && q > 2.0 && z > 0.0 && y > 0.0 && peak >= 10.0) {
        return false;
    }
    let delta = -(-42.0 / peak).exp_m1();
    // ln(left out) − ln(spike), the q·ln y of both taken out: they cancel,
    // and the difference of the two logs would lose (1 + zδ/y) to rounding
    let ratio =
        y.ln() + (1.0 - q) * (z * delta / y).ln_1p() - (z * (q - 1.0)).ln() + peak.ln() + 2.1;
    ratio < -35.0
}

/// ln J(α+t, β+t, r+x, s+1) with its derivatives mapped to (r, α, s, β)
/// (∂A/∂α = ∂B/∂β = ∂p/∂r = ∂q/∂s = 1).
fn ln_j_at<const H: bool>(p: &PnbdParams, rx: f64, t: f64) -> Derivs {
    let q = p.s + 1.0;
    // a = (r+x) + s. Below 1, (r+x) + (q − 1) (q − 1 is exact for q ≥ 1);
    // from 1 on, (r+x+q) − 1, which is as accurate there and is the
    // rounding the fits were tuned with: near-flat boundary fits (tests/
    // not_identified.rs, x = 10⁹) stop at the objective's rounding, and
    // moved by 1% in α when every a changed in its last bit.
    let a = match rx + (q - 1.0) {
        small if small < 1.0 => small,
        _ => rx + q - 1.0,
    };
    ln_j_a::<H>(p.alpha + t, p.beta + t, rx, q, a).rename([2, 0, 3, 1])
}

/// The bracket of the likelihood, `ln[(α+T)^{−(r+x)}(β+T)^{−s} + s (J(t_x) − J(T))]`,
/// its gradient in (r, α, s, β) and, when `H`, its Hessian; and ln of its
/// first ("alive") term. `j_tx` is `ln_j_at::<H>(p, r+x, t_x)` when the
/// caller already has it.
///
/// With the log-terms ℓ₁ = −(r+x) ln(α+T) − s ln(β+T), ℓ₂ = ln s + ln J(t_x),
/// ℓ₃ = ln s + ln J(T), signs σ = (+, +, −), the bracket b = Σ σ_k e^{ℓ_k} and
/// ω_k = σ_k e^{ℓ_k}/b (so Σ ω_k = 1):
/// ```text
/// ∇ ln b  = Σ ω_k ∇ℓ_k
/// ∇² ln b = ∇²b/b − ∇ln b ∇ln bᵀ = Σ ω_k (∇²ℓ_k + (∇ℓ_k − ∇ln b)(∇ℓ_k − ∇ln b)ᵀ)
/// ```
/// (the centred form avoids the cancellation of the raw second moments).
/// The second derivatives of ℓ₁ are ∂²/∂r∂α = −1/(α+T),
/// ∂²/∂α² = (r+x)/(α+T)², ∂²/∂s∂β = −1/(β+T), ∂²/∂β² = s/(β+T)²; ln s adds
/// −1/s² to ∂²/∂s² of ℓ₂ and ℓ₃; those of ln J are [`ln_j_a`]'s.
fn ln_bracket<const H: bool>(
    p: &PnbdParams,
    rx: f64,
    tx: f64,
    t: f64,
    j_tx: Option<Derivs>,
) -> (Derivs, f64) {
    let PnbdParams { alpha, s, beta, .. } = *p;
    let (lat, lbt) = ((alpha + t).ln(), (beta + t).ln());
    let l_e1 = -rx * lat - s * lbt;
    let d_e1 = [-lat, -rx / (alpha + t), -lbt, -s / (beta + t)];
    let mut h_e1 = [0.0; 10];
    if H {
        let (ia, ib) = (1.0 / (alpha + t), 1.0 / (beta + t));
        h_e1[tri(0, 1)] = -ia;
        h_e1[tri(1, 1)] = rx * ia * ia;
        h_e1[tri(2, 3)] = -ib;
        h_e1[tri(3, 3)] = s * ib * ib;
    }
    if tx >= t {
        let alive = Derivs {
            v: l_e1,
            g: d_e1,
            h: h_e1,
        };
        return (alive, l_e1);
    }
    let ln_s = s.ln();
    let jd1 = j_tx.unwrap_or_else(|| ln_j_at::<H>(p, rx, tx));
    let jd2 = ln_j_at::<H>(p, rx, t);
    let (lj1, g1, lj2, g2) = (jd1.v, jd1.g, jd2.v, jd2.g);
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
    let mut h = [0.0; 10];
    if H {
        let inv_s = 1.0 / s;
        let (w1, w2, w3) = (e1 / br, j1 / br, -j2 / br);
        // ∇ℓ_k − ∇ ln b
        let (mut c1, mut c2, mut c3) = (d_e1, g1, g2);
        c2[2] += inv_s;
        c3[2] += inv_s;
        for k in 0..4 {
            c1[k] -= g[k];
            c2[k] -= g[k];
            c3[k] -= g[k];
        }
        for i in 0..4 {
            for j in i..4 {
                let ij = tri(i, j);
                h[ij] = w1 * (h_e1[ij] + c1[i] * c1[j])
                    + w2 * (jd1.h[ij] + c2[i] * c2[j])
                    + w3 * (jd2.h[ij] + c3[i] * c3[j]);
            }
        }
        h[tri(2, 2)] -= (w2 + w3) * inv_s * inv_s;
    }
    (
        Derivs {
            v: m + br.ln(),
            g,
            h,
        },
        l_e1,
    )
}

/// Pieces of the likelihood of one customer: ln L, ln of the "alive" term,
/// and (optionally) ∂ ln L/∂(r, α, s, β).
fn ln_lik(p: &PnbdParams, x: f64, tx: f64, t: f64, grad: Option<&mut [f64; 4]>) -> (f64, f64) {
    let PnbdParams { r, alpha, s, beta } = *p;
    let rx = r + x;
    let (b, l_e1) = ln_bracket::<false>(p, rx, tx, t, None);
    let (l_br, d_br) = (b.v, b.g);
    let ll = ln_gamma(rx) - ln_gamma(r) + r * alpha.ln() + s * beta.ln() + l_br;
    if let Some(gr) = grad {
        gr[0] = digamma(rx) - digamma(r) + alpha.ln() + d_br[0];
        gr[1] = r / alpha + d_br[1];
        gr[2] = beta.ln() + d_br[2];
        gr[3] = s / beta + d_br[3];
    }
    (ll, l_e1 - l_br)
}

/// ln L of one customer and its gradient in `(r, α, s, β)` (the same
/// [`ln_lik`] the model uses), for likelihoods built on per-customer
/// parameters ([`crate::covariates`]).
pub(crate) fn ln_lik_row(p: [f64; 4], x: f64, tx: f64, t: f64, grad: &mut [f64; 4]) -> f64 {
    ln_lik(&pnbd_params(&p), x, tx, t, Some(grad)).0
}

/// ln L of one customer with its gradient and Hessian (packed as [`tri`])
/// in `(r, α, s, β)`, for likelihoods built on per-customer parameters
/// ([`crate::covariates`], whose Hessian follows by the chain rule).
pub(crate) fn ln_lik_row_hessian(
    p: [f64; 4],
    x: f64,
    tx: f64,
    t: f64,
) -> (f64, [f64; 4], [f64; 10]) {
    let d = ln_lik_derivs(&pnbd_params(&p), x, tx, t);
    (d.v, d.g, d.h)
}

/// ln L of one customer with its gradient and Hessian in (r, α, s, β): the
/// bracket's ([`ln_bracket`]) plus those of lnΓ(r+x) − lnΓ(r) + r ln α +
/// s ln β (∂²/∂r² = ψ′(r+x) − ψ′(r), ∂²/∂r∂α = 1/α, ∂²/∂α² = −r/α²,
/// ∂²/∂s∂β = 1/β, ∂²/∂β² = −s/β²).
fn ln_lik_derivs(p: &PnbdParams, x: f64, tx: f64, t: f64) -> Derivs {
    let PnbdParams { r, alpha, s, beta } = *p;
    let rx = r + x;
    let (b, _) = ln_bracket::<true>(p, rx, tx, t, None);
    let mut h = b.h;
    h[tri(0, 0)] += trigamma(rx) - trigamma(r);
    h[tri(0, 1)] += 1.0 / alpha;
    h[tri(1, 1)] -= r / (alpha * alpha);
    h[tri(2, 3)] += 1.0 / beta;
    h[tri(3, 3)] -= s / (beta * beta);
    Derivs {
        v: ln_gamma(rx) - ln_gamma(r) + r * alpha.ln() + s * beta.ln() + b.v,
        g: [
            digamma(rx) - digamma(r) + alpha.ln() + b.g[0],
            r / alpha + b.g[1],
            beta.ln() + b.g[2],
            s / beta + b.g[3],
        ],
        h,
    }
}

/// ln(1 + t/b) = −ln S(t)/s of a Pareto lifetime with scale b; ln t − ln b
/// where t/b exceeds f64 (t = 1e300, b = 1e-100).
fn ln1p_ratio(t: f64, b: f64) -> f64 {
    let q = t / b;
    if q.is_finite() {
        q.ln_1p()
    } else {
        t.ln() - b.ln()
    }
}

/// ln of `(b/(s−1)) · [1 − (b/(b+t))^{s−1}] = ∫₀^t (b/(b+u))^s du`, stable
/// at s = 1, and formed in logs: with ℓ = ln(1 + t/b) (ln t − ln b where t/b
/// exceeds f64) and u = (1−s)ℓ it is `ln b + ln(expm1(u)/(1−s))`, and
/// `ln b + u − ln(1−s)` where e^u would overflow, so that the integral
/// (which grows like t^{1−s} b^s for s < 1, up to t itself) is finite
/// wherever it is representable. −∞ at t = 0.
fn ln_int_survival(b: f64, s: f64, t: f64) -> f64 {
    if t == 0.0 {
        return f64::NEG_INFINITY;
    }
    let l = ln1p_ratio(t, b);
    let e = s - 1.0;
    if e.abs() < 1e-12 {
        b.ln() + l.ln() + (-e * l / 2.0).ln_1p()
    } else {
        let u = -e * l;
        if u > 700.0 {
            b.ln() + u + (-(-u).exp()).ln_1p() - (-e).ln()
        } else {
            b.ln() + (u.exp_m1() / -e).ln()
        }
    }
}

/// ln P(X(t) = n) for a new customer with parameters (r, α, s, β).
fn ln_p_new(r: f64, alpha: f64, s: f64, beta: f64, n: u32, t: f64) -> f64 {
    let nf = f64::from(n);
    if t == 0.0 {
        return if n == 0 { 0.0 } else { f64::NEG_INFINITY };
    }
    let coef = ln_gamma(r + nf) - ln_gamma(r) - ln_factorial(u64::from(n));
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
    // died at τ ∈ (0, h], h = t or, where the rest is below e^{−42} of the
    // integral, the τ_c with −ln S(τ_c) = −ln S(τ_s) + 42 + ln 2 (S(τ) =
    // (β/(β+τ))^s; NB(n; τ) falls from τ_s = nα/r on: the bound of GGom's
    // `cut_after`). In w = ln(1 + τ/β), f(τ) dτ = s e^{−sw} dw: the
    // integrand decays smoothly in w wherever its mass lies. In v = τ/t the
    // mass at τ ~ β sat at v ~ β/t, which the rule's nodes missed for
    // t ≫ β: at t = 1e300 P(X(t) = 0) was 0 (s = 2, β = 10: 0.712), at
    // t = 1e12 1.1e-7 off.
    let w_s = ln1p_ratio((nf * alpha / r).min(t), beta);
    let u_c = s * w_s + DEAD_CUT;
    let big_w = ln1p_ratio(t, beta).min((u_c / s).max(w_s));
    let (ln_alpha, ln_beta, ln_s, ln_big_w) = (alpha.ln(), beta.ln(), s.ln(), big_w.ln());
    let (ln_int, _) = tanh_sinh::<0>(1.0, |v| {
        let w = big_w * v.t;
        let em1 = w.exp_m1();
        let lat = (alpha + beta * em1).ln();
        let g = coef
            + r * (ln_alpha - lat)
            + if n > 0 {
                nf * (ln_beta + em1.ln() - lat)
            } else {
                0.0
            }
            + ln_s
            - s * w
            + ln_big_w;
        (g, [])
    });
    log_add_exp(alive, ln_int).min(0.0)
}

/// The weighted Pareto/NBD likelihood of a data set.
///
/// lnΓ(r+x), ψ(r+x) and ψ′(r+x) are computed once per distinct x, and so is
/// J at t_x = 0 (every customer without repeat purchases), the most
/// expensive term when |α − β| is large; the rest per customer
/// (`ln_bracket`). The sum equals the per-customer `ln_lik` sum (checked
/// in the tests). Its Hessian is in closed form
/// ([`Likelihood::value_gradient_hessian`]: `ln_bracket`, `ln_j`), so
/// fits run Newton's method.
pub struct PnbdLikelihood<'a> {
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
            tx,
            t,
            w,
            distinct,
            needs_j0,
        }
    }
}

impl PnbdLikelihood<'_> {
    /// The terms outside the bracket (W the total weight, w_x that of the
    /// rows with this x),
    /// ```text
    /// Σ_x w_x lnΓ(r+x) + W (−lnΓ(r) + r ln α + s ln β),
    /// ```
    /// with their gradient and, when `H`, their Hessian:
    /// ∂²/∂r² = Σ_x w_x ψ′(r+x) − W ψ′(r), ∂²/∂r∂α = W/α, ∂²/∂α² = −W r/α²,
    /// ∂²/∂s∂β = W/β, ∂²/∂β² = −W s/β². Also J at t_x = 0 per distinct x
    /// where some row needs it.
    fn outer_terms<const H: bool>(&self, params: &PnbdParams) -> (Derivs, Vec<Option<Derivs>>) {
        let PnbdParams { r, alpha, s, beta } = *params;
        let d = &self.distinct;
        let mut total = 0.0;
        let mut g = [0.0; 4];
        let mut h = [0.0; 10];
        let j0: Vec<Option<Derivs>> = d
            .values
            .iter()
            .zip(&d.weight)
            .zip(&self.needs_j0)
            .map(|((&x, &wx), &need)| {
                total += wx * ln_gamma(r + x);
                g[0] += wx * digamma(r + x);
                if H {
                    h[tri(0, 0)] += wx * trigamma(r + x);
                }
                need.then(|| ln_j_at::<H>(params, r + x, 0.0))
            })
            .collect();
        let wt: f64 = d.weight.iter().sum();
        let (ln_alpha, ln_beta) = (alpha.ln(), beta.ln());
        total += wt * (-ln_gamma(r) + r * ln_alpha + s * ln_beta);
        g[0] += wt * (ln_alpha - digamma(r));
        g[1] += wt * r / alpha;
        g[2] += wt * ln_beta;
        g[3] += wt * s / beta;
        if H {
            h[tri(0, 0)] -= wt * trigamma(r);
            h[tri(0, 1)] += wt / alpha;
            h[tri(1, 1)] -= wt * r / (alpha * alpha);
            h[tri(2, 3)] += wt / beta;
            h[tri(3, 3)] -= wt * s / (beta * beta);
        }
        (Derivs { v: total, g, h }, j0)
    }

    /// [`ln_bracket`] of row `i` (zero weight rows are skipped by the callers).
    fn bracket<const H: bool>(
        &self,
        params: &PnbdParams,
        j0: &[Option<Derivs>],
        i: usize,
    ) -> Derivs {
        let k = self.distinct.index[i] as usize;
        let tx = self.tx[i];
        let cached = if tx == 0.0 { j0[k] } else { None };
        let rx = params.r + self.distinct.values[k];
        ln_bracket::<H>(params, rx, tx, self.t[i], cached).0
    }
}

fn pnbd_params(p: &[f64]) -> PnbdParams {
    PnbdParams {
        r: p[0],
        alpha: p[1],
        s: p[2],
        beta: p[3],
    }
}

impl Likelihood for PnbdLikelihood<'_> {
    fn names(&self) -> &'static [&'static str] {
        &["r", "alpha", "s", "beta"]
    }

    fn value_and_gradient(&self, p: &[f64], grad: &mut [f64]) -> f64 {
        let params = pnbd_params(p);
        let (outer, j0) = self.outer_terms::<false>(&params);
        let (mut total, mut g) = (outer.v, outer.g);
        let (br, gb) = weighted_rows(&self.w, |i, d: &mut [f64; 4]| {
            let b = self.bracket::<false>(&params, &j0, i);
            *d = b.g;
            b.v
        });
        total += br;
        for (o, v) in g.iter_mut().zip(gb) {
            *o += v;
        }
        grad.copy_from_slice(&g);
        total
    }

    /// As [`Self::value_and_gradient`], with the Hessian of every term
    /// (`PnbdLikelihood::outer_terms`, `ln_bracket`) summed alongside;
    /// the chunks carry the gradient (elements 0..4) and the packed Hessian
    /// (4..14, `tri`).
    fn value_gradient_hessian(&self, p: &[f64], grad: &mut [f64], hess: &mut [f64]) -> Option<f64> {
        let params = pnbd_params(p);
        let (outer, j0) = self.outer_terms::<true>(&params);
        let (mut total, mut g, mut h) = (outer.v, outer.g, outer.h);
        let (br, o) = weighted_rows(&self.w, |i, d: &mut [f64; 14]| {
            let b = self.bracket::<true>(&params, &j0, i);
            d[..4].copy_from_slice(&b.g);
            d[4..].copy_from_slice(&b.h);
            b.v
        });
        total += br;
        for (o, v) in g.iter_mut().zip(&o[..4]) {
            *o += v;
        }
        for (o, v) in h.iter_mut().zip(&o[4..]) {
            *o += v;
        }
        write_sym4(total, &g, &h, grad, hess)
    }

    fn total_weight(&self) -> f64 {
        self.w.iter().sum()
    }

    fn starting_points(&self) -> Vec<Vec<f64>> {
        // scale-aware start: α and β of the order of the mean age T
        let m = mean_age(self.t, &self.w);
        vec![vec![0.5, m / 3.0, 0.5, m / 3.0], vec![1.0, m, 1.0, m]]
    }

    /// s, β → ∞ with s/β fixed (`shapes_run_off` with β past 100 times
    /// the longest T and s past 1): the Gamma heterogeneity of the dropout
    /// rate vanishes, every customer has the dropout rate μ = s/β, and the
    /// Pareto/NBD reduces to NBD purchasing with exponential lifetimes of
    /// that rate (or, when μ·max(T) < 0.01, to the NBD alone: hardly
    /// anybody drops out). CLVTools' apparel cohort runs there (issue 15).
    fn boundary(&self, p: &[f64]) -> Option<Boundary> {
        let tmax = max_age(self.t, &self.w);
        let ll = |q: &[f64]| self.value_and_gradient(q, &mut [0.0; 4]);
        if !shapes_run_off(ll, p, [2, 3], [1.0, 100.0 * tmax]) {
            return None;
        }
        let (s, beta) = (p[2], p[3]);
        let mu = s / beta;
        let limit = if mu * tmax < 1e-2 {
            format!(
                "hardly anybody drops out (s/beta * max(T) = {:.3e}); Pareto/NBD reduces to the \
                 NBD with r and alpha",
                mu * tmax
            )
        } else {
            format!(
                "the Gamma heterogeneity of the dropout rate vanishes; Pareto/NBD reduces to NBD \
                 purchasing with exponential lifetimes of common rate mu = s/beta = {mu:.6e}"
            )
        };
        Some(Boundary {
            params: vec![2, 3],
            note: format!(
                "s, beta -> inf with s/beta fixed (s = {s:.3e}, beta = {beta:.3e}): {limit}"
            ),
        })
    }
}

model_params! {
    ParetoNbd(PnbdParams) {
        /// r (shape of the purchase-rate Gamma).
        r,
        /// α (rate of the purchase-rate Gamma, in the summary's time unit).
        alpha,
        /// s (shape of the dropout-rate Gamma).
        s,
        /// β (rate of the dropout-rate Gamma, in the summary's time unit).
        beta,
    }
}

alpha_beta_model! {
    ParetoNbd(r, alpha, s, beta): PnbdLikelihood<'a>,
    /// CLVTools' links (`pnbd_staticcov_LL_ind`; Bachmann, Meierer & Näf
    /// 2021): `α_i = α₀ exp(−γ_pᵀz)`, `β_i = β₀ exp(−γ_dᵀz)`.
    rows PnbdRows
}

/// The Pareto/NBD's part in fits with covariates ([`crate::covariates`]):
/// the per-customer likelihood with its closed-form Hessian.
struct PnbdRows;

impl LinkedRows for PnbdRows {
    fn ln_lik_row(&self, p: &[f64], [x, tx, t]: [f64; 3], g: &mut [f64]) -> f64 {
        let mut g4 = [0.0; 4];
        let ll = ln_lik_row([p[0], p[1], p[2], p[3]], x, tx, t, &mut g4);
        g.copy_from_slice(&g4);
        ll
    }
    fn ln_lik_row_hessian(&self, p: &[f64], [x, tx, t]: [f64; 3]) -> Option<RowHessian> {
        Some(ln_lik_row_hessian([p[0], p[1], p[2], p[3]], x, tx, t))
    }
    fn ridge(&self) -> (usize, usize) {
        (2, 3)
    }
    fn ridge_note(&self, i: usize, u: f64, v: f64) -> String {
        format!(
            "s, beta_i -> inf (customer {i}: s = {u:.3e}, beta_i = {v:.3e}): exponential \
             lifetimes with the fixed rate s/beta_i = {:.6}",
            u / v
        )
    }
}

impl TransactionModel for ParetoNbd {
    /// P(alive at T) and P(X(T, T+h) = n | alive at T) = P(X(h) = n) of a
    /// new customer with r + x, α + T, s, β + T (the posterior), the parts of
    /// [`TransactionModel::prob_purchases_conditional`] (module docs).
    ///
    /// # Example
    /// ```
    /// use clv::{ParetoNbd, TransactionModel};
    /// let m = ParetoNbd::from_params(0.553, 10.578, 0.606, 11.669).unwrap();
    /// let total: f64 = (0..200)
    ///     .map(|n| m.prob_purchases_conditional(n, 39.0, &[2.0], &[30.43], &[38.86]).unwrap()[0])
    ///     .sum();
    /// assert!((total - 1.0).abs() < 1e-9);
    /// ```
    fn alive_and_pmf(&self, n: u32, h: f64, x: f64, tx: f64, t: f64) -> Option<(f64, f64)> {
        let p = &self.params;
        let pa = ln_lik(p, x, tx, t, None).1.exp().min(1.0);
        Some((
            pa,
            ln_p_new(p.r + x, p.alpha + t, p.s, p.beta + t, n, h).exp(),
        ))
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
    /// use clv::{ParetoNbd, TransactionModel};
    /// let m = ParetoNbd::from_params(0.553, 10.578, 0.606, 11.669).unwrap();
    /// // 15% a year compounded continuously, weekly data: δ = ln(1.15)/52
    /// let d = m.dert(1.15f64.ln() / 52.0, &[2.0, 0.0], &[30.43, 0.0], &[38.86, 38.86]).unwrap();
    /// assert!(d[0] > d[1] && d[1] > 0.0);
    /// ```
    fn dert(&self, delta: f64, x: &[f64], tx: &[f64], t: &[f64]) -> Result<Vec<f64>> {
        check::positive("delta", delta)?;
        validate_customers(x, tx, t)?;
        let p = &self.params;
        x.iter()
            .zip(tx)
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

    fn log_likelihood(&self, x: &[f64], tx: &[f64], t: &[f64]) -> Result<Vec<f64>> {
        per_customer(x, tx, t, |x, tx, tt| {
            Ok(ln_lik(&self.params, x, tx, tt, None).0)
        })
        .and_then(|v| representable(v, "log-likelihood", self.name()))
    }

    fn prob_alive(&self, x: &[f64], tx: &[f64], t: &[f64]) -> Result<Vec<f64>> {
        per_customer(x, tx, t, |x, tx, tt| {
            Ok(ln_lik(&self.params, x, tx, tt, None).1.exp().min(1.0))
        })
    }

    fn expected_purchases(&self, h: f64, x: &[f64], tx: &[f64], t: &[f64]) -> Result<Vec<f64>> {
        check::non_negative("t", h)?;
        let p = &self.params;
        per_customer(x, tx, t, |x, tx, tt| {
            let ln_pa = ln_lik(p, x, tx, tt, None).1.min(0.0);
            Ok((ln_pa + (p.r + x).ln() - (p.alpha + tt).ln()
                + ln_int_survival(p.beta + tt, p.s, h))
            .exp())
        })
        .and_then(|v| representable(v, "expected purchases", self.name()))
    }

    fn expected_purchases_new(&self, t: f64) -> Result<f64> {
        check::non_negative("t", t)?;
        let p = &self.params;
        let v = (p.r.ln() - p.alpha.ln() + ln_int_survival(p.beta, p.s, t)).exp();
        representable_one(v, "expected purchases of a new customer", self.name())
    }

    /// ln P(X(t) = n) for a new customer (see the module documentation), for
    /// probabilities that underflow.
    ///
    /// # Errors
    /// `t` must be finite and ≥ 0.
    fn ln_prob_purchases(&self, n: u32, t: f64) -> Result<f64> {
        check::non_negative("t", t)?;
        let p = &self.params;
        Ok(ln_p_new(p.r, p.alpha, p.s, p.beta, n, t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::FitOptions;
    use crate::models::{Model, gradient_differences};

    /// [`ln_j_a`] with a = p + q − 1 formed here (the tests' arguments are
    /// far from the cancellation).
    fn ln_j<const H: bool>(a_: f64, b_: f64, p: f64, q: f64) -> Derivs {
        ln_j_a::<H>(a_, b_, p, q, p + q - 1.0)
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
            let Derivs { v: lj, g: d, .. } = ln_j::<false>(a_, b_, p, q);
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
                let fd = (ln_j::<false>(up[0], up[1], up[2], up[3]).v
                    - ln_j::<false>(dn[0], dn[1], dn[2], dn[3]).v)
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
    // Reference values are quoted with the digits mpmath printed.
    #[allow(clippy::excessive_precision)]
    fn j_with_huge_counts_and_extreme_parameters_matches_mpmath() {
        // Issue 17, finding 13: r + x in the hundreds of thousands or
        // billions, and the extreme (α, β) a fit passes through on such
        // data. Each used to take 11–12 halvings of the tanh-sinh rule
        // (minutes per fit). References: mpmath 1.3.0, mp.dps = 50, ln J as
        // in `j_matches_hyp2f1_and_gradient` and mp.diff for the gradient.
        type Case = ([f64; 4], f64, [f64; 4]);
        let cases: [Case; 4] = [
            (
                [49.0, 50.0, 300000.5, 1.6],
                -1167563.0143011612451,
                [
                    -6122.43877561687,
                    -0.031999895467373307,
                    -3.8918236314320933,
                    -3.9120262720834012,
                ],
            ),
            (
                [
                    2.0306702850636163e-5,
                    470250.6346346845,
                    0.058020250229369456,
                    8665.672232993196,
                ],
                -113178.72923762342225,
                [
                    -0.023505156553098482,
                    -0.018425770460676428,
                    -3.3171509058172326,
                    -13.061129811411538,
                ],
            ),
            (
                [
                    39.00002030670285,
                    470289.6346346845,
                    1000000.0580202502,
                    8665.672232993196,
                ],
                -3776755.7778290119275,
                [
                    -25640.988136847229,
                    -0.018426245432787317,
                    -3.6635631668144227,
                    -13.06110402787245,
                ],
            ),
            (
                [
                    6.215149259013899e-6,
                    172750.74130178566,
                    0.05327302916029945,
                    3160.9709476710964,
                ],
                -38116.239883920076012,
                [
                    -0.02318526708363218,
                    -0.01829239166641708,
                    -3.3330025655886,
                    -12.059904630220315,
                ],
            ),
        ];
        for (args, value, grad) in cases {
            for swap in [false, true] {
                // J is symmetric under (A, p) ↔ (B, q)
                let [a_, b_, p, q] = if swap {
                    [args[1], args[0], args[3], args[2]]
                } else {
                    args
                };
                let d = ln_j::<true>(a_, b_, p, q);
                assert!(
                    (d.v - value).abs() <= 1e-14 * value.abs(),
                    "{args:?}: {} vs {value}",
                    d.v
                );
                let g = if swap {
                    [d.g[1], d.g[0], d.g[3], d.g[2]]
                } else {
                    d.g
                };
                // ∂/∂A and ∂/∂B are −a/A + f_z B/A² and the like: a
                // difference of terms of size (p + q)/min(A, B), which
                // bounds their absolute accuracy.
                let scale = (args[2] + args[3]) / args[0].min(args[1]);
                for k in 0..4 {
                    assert!(
                        (g[k] - grad[k]).abs() <= 1e-8 * grad[k].abs() + 1e-14 * scale,
                        "{args:?} swap {swap} ∂{k}: {} vs {}",
                        g[k],
                        grad[k]
                    );
                }
            }
        }
    }

    #[test]
    #[allow(clippy::excessive_precision)]
    fn j_all_in_its_spike_matches_mpmath() {
        // The customer with x = 10⁷ repeat purchases (t_x = 35) of
        // `pnbd_large_count` at r = 0.05, α = 1e-5, s = 10⁵ and β = 10⁹ or
        // 10⁹⁰, points a fit on such data passes through: J = ∫ (A+u)^{−p}
        // (B+u)^{−q} du is all in a spike of width 1/κ ≈ 10⁻⁹⁵ at the
        // endpoint. The plain rule on t, used there before, missed it (ln L
        // of the ten customers off by 1.08e6 at β = 10⁹⁰, the no-death
        // limit, and 12 halvings a term). References: mpmath 1.3.0, mp.dps
        // = 50, mp.quad of the integral in u with break points at the spike
        // scale times 10^k, mp.diff for the gradient (∂/∂B at B = 10⁹⁰ is
        // below the step mp.diff can take there: not compared).
        type Case = ([f64; 4], f64, [Option<f64>; 4]);
        let cases: [Case; 2] = [
            (
                [35.00001, 1e90 + 35.0, 10000000.05, 100001.0],
                -56276969.282155996064,
                [
                    Some(-285714.17693880658),
                    None,
                    Some(-3.5553484472036682),
                    Some(-207.23265836946411),
                ],
            ),
            (
                [35.00001, 1000000035.0, 10000000.05, 100001.0],
                -37625843.523011728798,
                [
                    Some(-285714.17693880659),
                    Some(-0.00010000099649996477),
                    Some(-3.5553484472036681),
                    Some(-20.723265871946414),
                ],
            ),
        ];
        for ([a_, b_, p, q], value, grad) in cases {
            let d = ln_j::<true>(a_, b_, p, q);
            assert!(
                (d.v - value).abs() <= 1e-14 * value.abs(),
                "B = {b_:e}: {} vs {value}",
                d.v
            );
            for (k, want) in grad.iter().enumerate() {
                if let Some(w) = want {
                    assert!(
                        (d.g[k] - w).abs() <= 1e-9 * w.abs(),
                        "B = {b_:e} ∂{k}: {} vs {w}",
                        d.g[k]
                    );
                }
            }
        }
    }

    #[test]
    #[allow(clippy::excessive_precision)]
    fn log_likelihood_at_extreme_parameters_matches_mpmath() {
        // The ten customers of `pnbd_large_count` (one with x = 10⁷) at
        // points a fit on them passes through. At β = 10⁹⁰ the integral
        // term of the customer with x = 10⁷ holds a death just after t_x,
        // worth e^{1.08e6} (no death would put the purchases over T = 39
        // instead of 35); the plain rule on t missed it and gave the
        // no-death limit, 114545256.25. With s + 1 or r + x below 2 the
        // spike of (1−zt)^{−q} and that of t^{a−1} coexist (the map in
        // ln(1 − zt)). References: mpmath 1.3.0, mp.dps = 40, each
        // customer's ln L with mp.quad of the integral from t_x to T (break
        // points at t_x + 10^k), summed.
        let x = [0.0, 1.0, 2.0, 0.0, 5.0, 3.0, 1.0, 0.0, 2.0, 1e7];
        let tx = [0.0, 10.0, 20.0, 0.0, 30.0, 25.0, 5.0, 0.0, 12.0, 35.0];
        let t = [38.0, 38.0, 37.0, 36.0, 38.0, 39.0, 30.0, 33.0, 35.0, 39.0];
        for (params, want) in [
            ([0.05, 1e-5, 1e5, 1e9], 115627370.03698783875),
            ([0.05, 1e-5, 1e5, 1e90], 115627183.52693207257),
            ([0.05, 1e-5, 0.5, 1e90], 115627171.32085942704),
            ([0.05, 1e80, 0.5, 1e-5], -1690889769.9930195361),
        ] {
            let ll =
                crate::fit::log_likelihood_terms::<ParetoNbd>(&[&x, &tx, &t], None, &params, true)
                    .unwrap()
                    .value;
            assert!(
                (ll - want).abs() <= 1e-13 * want.abs(),
                "{params:?}: {ll} vs {want}"
            );
        }
    }

    /// `h` (packed) against `reference` to `rtol` times the largest entry
    /// of row i and column j of `scale`, plus `atol`.
    fn assert_hessian_close(
        h: &[f64; 10],
        reference: &[[f64; 4]; 4],
        scale: &[[f64; 4]; 4],
        (rtol, atol): (f64, f64),
        label: &str,
    ) {
        for i in 0..4 {
            for j in 0..4 {
                let s = (0..4)
                    .map(|m| scale[i][m].abs().max(scale[m][j].abs()))
                    .fold(0.0_f64, f64::max);
                let got = h[tri(i, j)];
                assert!(
                    (got - reference[i][j]).abs() <= rtol * s + atol,
                    "{label} H[{i}][{j}]: {got} vs {}",
                    reference[i][j]
                );
            }
        }
    }

    #[test]
    fn tiny_r_and_s_keep_the_exponent_sum() {
        // a = (r+x) + s of J: formed as (r+x) + (s+1) − 1 it rounded to 0
        // for r+x, s ≤ 1e-16 and ln L was NaN (stop 40's probe). With r, s
        // → 0 (nobody buys, nobody dies): for x = 0, L = P(no purchase in
        // (0, T]) = 1 − r ln(1 + T/α) + O(r s, r²); for x > 0,
        // L = Γ(r+x)/Γ(r) α^r β^s [(α+T)^{−(r+x)} (β/(β+T))^s + O(s)]
        // = r Γ(x) (α+T)^{−x} (1 + O(r, s)).
        for rs in [1e-20, 1e-100] {
            let m = ParetoNbd::from_params(rs, 10.0, rs, 10.0).unwrap();
            let ll = m
                .log_likelihood(&[0.0, 2.0], &[0.0, 10.0], &[30.0, 30.0])
                .unwrap();
            let want0 = -rs * 4f64.ln();
            assert!((ll[0] - want0).abs() < 1e-15, "{} vs {want0}", ll[0]);
            let want2 = rs.ln() - 2.0 * 40f64.ln();
            assert!(
                (ll[1] - want2).abs() < 1e-12 * want2.abs(),
                "{} vs {want2}",
                ll[1]
            );
            let pa = m
                .prob_alive(&[0.0, 2.0], &[0.0, 10.0], &[30.0, 30.0])
                .unwrap();
            assert!(pa.iter().all(|p| (p - 1.0).abs() < 1e-12), "{pa:?}");
        }
    }

    #[test]
    fn pmf_at_horizons_far_beyond_the_lifetimes() {
        // s = 2, β = 10: lifetimes have a finite mean, and P(X(t) = n)
        // settles as t grows (e^{−42} of it is left by t = 1e12); at t =
        // 1e300 it was 0. Σ_n P(X(t) = n) = 1 checks the settled values.
        let m = ParetoNbd::from_params(0.5, 5.0, 2.0, 10.0).unwrap();
        let mut total = 0.0;
        for n in 0..4000 {
            let far = m.prob_purchases(n, 1e300).unwrap();
            let near = m.prob_purchases(n, 1e40).unwrap();
            assert!(
                (far - near).abs() <= 1e-9 * near + 1e-300,
                "n {n}: {far} vs {near}"
            );
            total += far;
        }
        assert!((total - 1.0).abs() < 1e-6, "{total}");
        // P(X(∞) = 0) = ∫₀^∞ (α/(α+τ))^r s β^s (β+τ)^{−s−1} dτ: SciPy 1.17
        // `quad` in w = ln(1 + τ/β) on [0, 300] (pieces at 0.5, 1, 2, …, 128;
        // epsrel 1e-13): 0.7123889803846898. P(X(t) = 0) differs from it by
        // less than (α/(α+t))^r S(t) (alive at t; dead after t), 3e-13 at 1e6.
        for t in [1e6, 1e12, 1e300] {
            let p0 = m.prob_purchases(0, t).unwrap();
            assert!((p0 - 0.712_388_980_384_689_8).abs() < 1e-12, "t {t}: {p0}");
        }
    }

    #[test]
    fn huge_expectations_are_finite_or_typed_overflow() {
        // r = α = s = β = 1e-100: E[X(t)] = r/α ∫₀^t (β/(β+u))^s du, and
        // with s = 1e-100 the survival is 1 − s ln(1 + u/β) ≈ 1 to 1e-97:
        // the expectation is t itself, 1e300 (t/β = 1e400 exceeds f64;
        // it was +∞).
        let m = ParetoNbd::from_params(1e-100, 1e-100, 1e-100, 1e-100).unwrap();
        let e = m.expected_purchases_new(1e300).unwrap();
        assert!((e / 1e300 - 1.0).abs() < 1e-13, "{e}");
        let e = m.expected_purchases(1e300, &[0.0], &[0.0], &[1.0]).unwrap()[0];
        // alive at T = 1 for sure (to 1e-97), rate (r+x)/(α+T) ≈ 1e-100
        assert!((e / (1e-100 * 1e300) - 1.0).abs() < 1e-13, "{e}");
        // s < 1 spreads it over u^{1−s}: s = 0.5, β = 1: 2 r/α ((1+t)^{1/2} − 1)
        let m = ParetoNbd::from_params(1.0, 1.0, 0.5, 1.0).unwrap();
        let e = m.expected_purchases_new(1e300).unwrap();
        assert!((e / (2.0 * 1e150) - 1.0).abs() < 1e-13, "{e}");
        // beyond f64: r/α = 1e200 times 1e300 is a typed error
        let m = ParetoNbd::from_params(1e100, 1e-100, 1e-100, 1e-100).unwrap();
        let err = m.expected_purchases_new(1e300).unwrap_err();
        assert_eq!(err.code(), "OVERFLOW", "{err}");
        assert!(
            err.to_string().contains("Pareto/NBD expected purchases"),
            "{err}"
        );
        // (T = 0: alive for sure, rate r/α = 1e200; at T = 1 with no
        // purchase at that rate the customer is dead, E = 0)
        let e = m.expected_purchases(1e300, &[0.0], &[0.0], &[1.0]).unwrap();
        assert_eq!(e, [0.0]);
        let err = m
            .expected_purchases(1e300, &[0.0, 0.0], &[0.0, 0.0], &[0.0, 0.0])
            .unwrap_err();
        assert!(err.to_string().contains("of customer 0"), "{err}");
    }

    #[test]
    // Reference values are quoted with the 17 digits mpmath printed.
    #[allow(clippy::excessive_precision)]
    fn j_hessian_matches_mpmath() {
        // ∂² ln J/∂(A, B, p, q)² from mpmath 1.3.0 (mp.dps = 40): mp.diff of
        // ln(A^{−a}/a · hyp2f1(a, q, a+1, (A−B)/A)), a = p+q−1 (A ≥ B; A ↔ B,
        // p ↔ q otherwise), whose value agrees with mp.quad of the defining
        // integral ∫₀^∞ (A+u)^{−p}(B+u)^{−q} du to 20 digits.
        type Case = ((f64, f64, f64, f64), [[f64; 4]; 4]);
        let cases: [Case; 3] = [
            (
                (20.0, 11.0, 2.553, 1.606), // z = 0.45: series
                [
                    [
                        0.004_698_269_455_739_283,
                        0.000_672_021_928_383_896_6,
                        -0.045_613_246_124_667_715,
                        -0.008_433_605_798_208_477,
                    ],
                    [
                        0.000_672_021_928_383_896_6,
                        0.008_132_252_638_143_572,
                        -0.007_975_916_136_967_79,
                        -0.075_575_262_185_075_5,
                    ],
                    [
                        -0.045_613_246_124_667_715,
                        -0.007_975_916_136_967_79,
                        0.076_075_725_702_910_41,
                        0.106_408_632_647_409_33,
                    ],
                    [
                        -0.008_433_605_798_208_477,
                        -0.075_575_262_185_075_5,
                        0.106_408_632_647_409_33,
                        0.149_929_242_009_869_07,
                    ],
                ],
            ),
            (
                (100.0, 1.0, 0.6, 1.3), // z = 0.99: quadrature
                [
                    [
                        4.894_485_676_959_068e-5,
                        0.000_273_965_128_833_975_5,
                        -0.009_220_596_383_833_505,
                        -0.002_040_016_082_802_025,
                    ],
                    [
                        0.000_273_965_128_833_975_5,
                        0.355_758_406_537_298_07,
                        -0.077_940_361_616_649_55,
                        -0.795_998_391_719_797_5,
                    ],
                    [
                        -0.009_220_596_383_833_505,
                        -0.077_940_361_616_649_55,
                        0.280_043_795_678_658_75,
                        0.730_636_183_740_599_5,
                    ],
                    [
                        -0.002_040_016_082_802_025,
                        -0.795_998_391_719_797_5,
                        0.730_636_183_740_599_5,
                        2.856_651_376_686_322_6,
                    ],
                ],
            ),
            (
                (11.0, 20.0, 2.553, 1.606), // A < B: exchanged
                [
                    [
                        0.014_223_062_061_561_534,
                        0.000_610_266_879_277_752_4,
                        -0.082_430_825_689_131_92,
                        -0.011_228_538_438_843_73,
                    ],
                    [
                        0.000_610_266_879_277_752_4,
                        0.002_923_730_159_172_108_4,
                        -0.004_663_045_870_977_444,
                        -0.043_824_303_858_635_95,
                    ],
                    [
                        -0.082_430_825_689_131_92,
                        -0.004_663_045_870_977_444,
                        0.129_436_988_024_019_62,
                        0.090_831_623_696_344_09,
                    ],
                    [
                        -0.011_228_538_438_843_73,
                        -0.043_824_303_858_635_95,
                        0.090_831_623_696_344_09,
                        0.064_205_913_081_854_85,
                    ],
                ],
            ),
        ];
        for ((a_, b_, p, q), reference) in cases {
            let d = ln_j::<true>(a_, b_, p, q);
            assert_hessian_close(
                &d.h,
                &reference,
                &reference,
                (1e-10, 0.0),
                &format!("{a_} {b_} {p} {q}"),
            );
        }
    }

    #[test]
    fn j_hessian_matches_gradient_differences() {
        // Both branches, both orders of A and B, A = B (z = 0) and A ≈ B
        // (z tiny), long series, extreme shapes.
        for &(a_, b_, p, q) in &[
            (20.0, 11.0, 2.553, 1.606),
            (11.0, 20.0, 2.553, 1.606),
            (100.0, 1.0, 0.6, 1.3),
            (1.0, 100.0, 0.6, 1.3),
            (50.0, 45.0, 10_000.5, 1.6),
            (1e5, 3.0, 0.3, 1.1),
            (20.0, 4.2, 2.5, 3.0),
            (20.0, 3.8, 2.5, 3.0),
            (20.0, 5.0, 1.6, 60.5),
            (20.0, 9.0, 40.5, 1.6),
            (10.0, 10.0, 1.5, 1.6),
            (10.0 * (1.0 + 1e-12), 10.0, 1.5, 1.6),
            (10.0, 10.0 * (1.0 + 1e-9), 0.05, 1.02),
            (0.05, 340.0, 25.0, 1.02),
        ] {
            let lo = ln_j::<false>(a_, b_, p, q);
            let hi = ln_j::<true>(a_, b_, p, q);
            let label = format!("{a_} {b_} {p} {q}");
            assert!(
                (lo.v - hi.v).abs() <= 1e-13 * lo.v.abs().max(1.0),
                "{label}"
            );
            for k in 0..4 {
                assert!(
                    (lo.g[k] - hi.g[k]).abs() <= 1e-12 * lo.g[k].abs().max(1e-3),
                    "{label} gradient {k}"
                );
            }
            // Central differences of the analytic gradient; h = 1e-4·θ as
            // in j_matches_hyp2f1_and_gradient (quadrature noise), and at
            // most 1e-4·a in p and q (J varies on the scale of a = p+q−1).
            let args = [a_, b_, p, q];
            let step = |j: usize| {
                let scale = if j < 2 {
                    args[j]
                } else {
                    args[j].min(p + q - 1.0)
                };
                1e-4 * scale
            };
            let fd = gradient_differences(args, step, |a| ln_j::<false>(a[0], a[1], a[2], a[3]).g);
            assert_hessian_close(&hi.h, &fd, &fd, (1e-6, 0.0), &label);
        }
    }

    /// Parameter points for the Hessian checks: near the CDNOW optimum,
    /// α < β and α > β with z on both sides of 0.8, α = β (z = 0), α ≈ β,
    /// extreme shapes and scales.
    const HESSIAN_POINTS: [[f64; 4]; 8] = [
        [0.55, 10.6, 0.6, 11.7],
        [0.5, 2.0, 0.9, 40.0],
        [1.5, 60.0, 2.0, 1.5],
        [0.55, 10.0, 0.6, 10.0],
        [0.55, 10.0 * (1.0 + 1e-10), 0.6, 10.0],
        [25.0, 0.05, 0.02, 300.0],
        [0.03, 400.0, 8.0, 0.2],
        [3.0, 5.0, 0.1, 4.0],
    ];

    #[test]
    #[allow(clippy::needless_range_loop)] // index notation mirrors the matrix algebra
    fn hessian_matches_finite_differences() {
        // Per customer: the closed-form Hessian of ln L against central
        // differences of the analytic gradient (step 1e-4·θ, symmetrised as
        // in fit::hessian), and its value and gradient against ln_lik.
        for theta in HESSIAN_POINTS {
            let p = pnbd_params(&theta);
            for &(x, tx, t) in &[
                (0.0, 0.0, 38.0),
                (2.0, 30.43, 38.86),
                (20.0, 38.0, 38.0),
                (3.0, 1.0, 200.0),
                (0.0, 0.0, 0.0),
                (1.0, 0.5, 0.7),
                (30.0, 20.0, 39.0),
                (400.0, 38.0, 39.0),
            ] {
                let label = format!("{theta:?} {x},{tx},{t}");
                let d = ln_lik_derivs(&p, x, tx, t);
                let mut g = [0.0; 4];
                let (ll, _) = ln_lik(&p, x, tx, t, Some(&mut g));
                assert!(ll.is_finite(), "{label}");
                assert!((d.v - ll).abs() <= 1e-12 * ll.abs().max(1.0), "{label}");
                for k in 0..4 {
                    assert!(
                        (d.g[k] - g[k]).abs() <= 1e-12 * g[k].abs().max(1.0),
                        "{label} gradient {k}"
                    );
                }
                let mut fd = gradient_differences(
                    theta,
                    |j| 1e-4 * theta[j],
                    |q| {
                        let mut g = [0.0; 4];
                        ln_lik(&pnbd_params(&q), x, tx, t, Some(&mut g));
                        g
                    },
                );
                for i in 0..4 {
                    for j in 0..i {
                        let m = 0.5 * (fd[i][j] + fd[j][i]);
                        fd[i][j] = m;
                        fd[j][i] = m;
                    }
                }
                // The tolerance scales with the summands, the bracket's
                // Hessian and that of lnΓ(r+x) − lnΓ(r) + r ln α + s ln β,
                // which cancel in places (e.g. ∂²/∂β² for x = 0 when
                // β ≪ T: ln b ≈ ln s + ln J(0), and −s/β² nearly offsets
                // ∂² ln J/∂B²; or every entry at T = 0, where ln L ≡ 0).
                let (b, _) = ln_bracket::<true>(&p, p.r + x, tx, t, None);
                let (r, alpha, s, beta) = (p.r, p.alpha, p.s, p.beta);
                let outer = [
                    [trigamma(r + x) + trigamma(r), 1.0 / alpha, 0.0, 0.0],
                    [1.0 / alpha, r / (alpha * alpha), 0.0, 0.0],
                    [0.0, 0.0, 0.0, 1.0 / beta],
                    [0.0, 0.0, 1.0 / beta, s / (beta * beta)],
                ];
                let mut scale = fd;
                for i in 0..4 {
                    for j in 0..4 {
                        scale[i][j] = fd[i][j].abs().max(b.h[tri(i, j)].abs()) + outer[i][j];
                    }
                }
                assert_hessian_close(&d.h, &fd, &scale, (1e-6, 0.0), &label);
            }
        }
    }

    /// The likelihood without its closed-form Hessian: [`fit::maximize`]
    /// then runs L-BFGS and differentiates the gradient for the standard
    /// errors, as it did before the Hessian existed.
    struct WithoutHessian<'a>(PnbdLikelihood<'a>);

    impl Likelihood for WithoutHessian<'_> {
        crate::fit::delegate_likelihood!();
    }

    #[test]
    fn newton_fit_matches_lbfgs() {
        // Newton's method with the closed-form Hessian reaches the optimum
        // L-BFGS reaches, and the exact-Hessian standard errors equal those
        // from differences of the gradient.
        let (x, tx, t) = simulate(4000);
        let w = vec![1.0; x.len()];
        let opts = FitOptions::default();
        let (pn, info_n) = crate::fit::maximize(
            "Pareto/NBD",
            &PnbdLikelihood::new(&x, &tx, &t, w.clone()),
            &opts,
        )
        .unwrap();
        let (pl, info_l) = crate::fit::maximize(
            "Pareto/NBD",
            &WithoutHessian(PnbdLikelihood::new(&x, &tx, &t, w)),
            &opts,
        )
        .unwrap();
        assert!(info_n.iterations < info_l.iterations);
        assert!(
            (info_n.log_likelihood - info_l.log_likelihood).abs()
                < 1e-9 * info_l.log_likelihood.abs()
        );
        for k in 0..4 {
            assert!(
                (pn[k] - pl[k]).abs() < 1e-5 * pl[k],
                "{k}: {} vs {}",
                pn[k],
                pl[k]
            );
            let (sn, sl) = (info_n.std_errors[k], info_l.std_errors[k]);
            assert!((sn - sl).abs() < 1e-4 * sl, "SE {k}: {sn} vs {sl}");
        }
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

    /// Customers simulated from the model with r = 0.8, α = 8, s = 0.9,
    /// β = 12, observed for 20..39 periods.
    fn simulate(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let (r, alpha, s, beta) = (0.8, 8.0, 0.9, 12.0);
        let mut rng = super::super::sbg::test_rng::Rng(0xDEAD_BEEF_CAFE_F00D);
        rng.poisson_customers(n, |rng, i| {
            let lambda = rng.gamma(r) / alpha;
            let mu = rng.gamma(s) / beta;
            let t_obs = 20.0 + (i % 20) as f64; // staggered ages 20..39
            let death = -rng.uniform().ln() / mu;
            (lambda, death, t_obs)
        })
    }

    #[test]
    fn simulation_recovery() {
        let (r, alpha, s, beta) = (0.8, 8.0, 0.9, 12.0);
        let (xs, txs, ts) = simulate(8000);
        let m = ParetoNbd::fit(&[&xs, &txs, &ts], None, &FitOptions::default()).unwrap();
        crate::models::assert_within_3_se(&m, &[r, alpha, s, beta]);
    }

    fn m() -> ParetoNbd {
        ParetoNbd::from_params(0.553, 10.578, 0.606, 11.669).unwrap()
    }
}
