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
//! transactions only, so **only customers with x > 0 enter the fit**, and
//! their z̄ must be > 0 (the likelihood has `ln z̄`): a zero-valued repeat
//! customer is an error naming its index, not silently dropped. (CDNOW has
//! zero-dollar transactions; a customer whose repeat transactions are all
//! zero must be removed or given a positive value by the caller.)
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

use serde::{Deserialize, Serialize};
use statrs::function::gamma::{digamma, ln_gamma};

use super::{SpendModel, model_from_json, model_to_json, weights_or_ones};
use crate::error::{Error, Result, check};
use crate::fit::{FitInfo, FitOptions, Likelihood, maximize};

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

/// ln f(z̄ | x) and its gradient in (p, q, v).
fn ln_lik(pp: &GammaGammaParams, x: f64, m: f64, g: Option<&mut [f64; 3]>) -> f64 {
    let (p, q, v) = (pp.p, pp.q, pp.v);
    let px = p * x;
    let l_vxm = (v + x * m).ln();
    let ll = ln_gamma(px + q) - ln_gamma(px) - ln_gamma(q)
        + q * v.ln()
        + px * x.ln()
        + (px - 1.0) * m.ln()
        - (px + q) * l_vxm;
    if let Some(g) = g {
        let psi = digamma(px + q);
        g[0] = x * (psi - digamma(px) + x.ln() + m.ln() - l_vxm);
        g[1] = psi - digamma(q) + v.ln() - l_vxm;
        g[2] = q / v - (px + q) / (v + x * m);
    }
    ll
}

struct GgLikelihood {
    x: Vec<f64>,
    m: Vec<f64>,
    w: Vec<f64>,
}

impl Likelihood for GgLikelihood {
    fn names(&self) -> &'static [&'static str] {
        &["p", "q", "v"]
    }
    fn value_and_gradient(&self, params: &[f64], grad: &mut [f64]) -> f64 {
        let p = GammaGammaParams {
            p: params[0],
            q: params[1],
            v: params[2],
        };
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

/// Validates (frequency, monetary_value) pairs: equal lengths, frequency a
/// finite whole number ≥ 0, monetary value finite and ≥ 0.
fn validate(frequency: &[f64], monetary_value: &[f64]) -> Result<()> {
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

impl GammaGamma {
    /// A model with known parameters.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming `p`, `q` or `v` when not finite and > 0.
    pub fn from_params(p: f64, q: f64, v: f64) -> Result<Self> {
        Ok(GammaGamma {
            params: GammaGammaParams {
                p: check::positive("p", p)?,
                q: check::positive("q", q)?,
                v: check::positive("v", v)?,
            },
            fit: None,
        })
    }

    /// Maximum-likelihood fit on the customers with `frequency > 0` (the
    /// others are skipped: the model describes repeat transactions);
    /// `weights` are per-row counts.
    ///
    /// # Errors
    /// Lengths ([`Error::LengthMismatch`]); a negative, non-finite or
    /// fractional frequency, a negative or non-finite monetary value, or a
    /// monetary value of 0 for a customer with frequency > 0
    /// ([`Error::InvalidValue`] naming the index); [`Error::Empty`] when no
    /// customer has frequency > 0; bad weights; [`Error::NotConverged`].
    pub fn fit(
        frequency: &[f64],
        monetary_value: &[f64],
        weights: Option<&[f64]>,
        options: &FitOptions,
    ) -> Result<Self> {
        validate(frequency, monetary_value)?;
        let w_all = weights_or_ones(weights, frequency.len())?;
        let (mut x, mut m, mut w) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..frequency.len() {
            if frequency[i] > 0.0 {
                if monetary_value[i] <= 0.0 {
                    return Err(Error::invalid_at(
                        "monetary_value",
                        i,
                        monetary_value[i],
                        "a number > 0 for a customer with frequency > 0 (the Gamma-Gamma likelihood needs positive mean spend)",
                    ));
                }
                x.push(frequency[i]);
                m.push(monetary_value[i]);
                w.push(w_all[i]);
            }
        }
        if x.is_empty() || w.iter().sum::<f64>() <= 0.0 {
            return Err(Error::Empty {
                field: "frequency".into(),
                reason:
                    "the Gamma-Gamma fit needs customers with frequency > 0 (and positive weight)"
                        .into(),
            });
        }
        let (p, info) = maximize("Gamma-Gamma", &GgLikelihood { x, m, w }, options)?;
        Ok(GammaGamma {
            params: GammaGammaParams {
                p: p[0],
                q: p[1],
                v: p[2],
            },
            fit: Some(info),
        })
    }

    /// The parameters.
    pub fn parameters(&self) -> GammaGammaParams {
        self.params
    }
    /// Shape p.
    pub fn p(&self) -> f64 {
        self.params.p
    }
    /// Shape q.
    pub fn q(&self) -> f64 {
        self.params.q
    }
    /// Rate v (γ).
    pub fn v(&self) -> f64 {
        self.params.v
    }
    /// Fit diagnostics, `None` for a model built from known parameters.
    pub fn fit_info(&self) -> Option<&FitInfo> {
        self.fit.as_ref()
    }
    /// Parameters with their names: `[("p", ..), ("q", ..), ("v", ..)]`.
    pub fn params(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("p", self.params.p),
            ("q", self.params.q),
            ("v", self.params.v),
        ]
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
            .collect()
    }

    /// `{"format_version": 1, "model": "gamma_gamma", "params": {...}, "fit": ...}`.
    pub fn to_json(&self) -> String {
        model_to_json("gamma_gamma", &self.params, self.fit.as_ref())
    }

    /// Reads [`GammaGamma::to_json`] output.
    ///
    /// # Errors
    /// [`Error::Format`] for bad JSON, another model or version;
    /// [`Error::InvalidValue`] for invalid parameters.
    pub fn from_json(text: &str) -> Result<Self> {
        let (p, fit): (GammaGammaParams, _) = model_from_json("gamma_gamma", text)?;
        let mut m = GammaGamma::from_params(p.p, p.q, p.v)?;
        m.fit = fit;
        Ok(m)
    }
}

impl SpendModel for GammaGamma {
    /// `E[Z | z̄, x] = p (γ + x z̄) / (px + q − 1)` (Fader & Hardie 2013, eq. 5).
    ///
    /// # Errors
    /// Bad inputs as in [`GammaGamma::fit`] (zero monetary values are
    /// accepted here); a customer with `p x + q ≤ 1` (for x = 0 that is
    /// q ≤ 1: the population mean spend is infinite) is an
    /// [`Error::InvalidValue`] naming the index.
    fn expected_spend(&self, frequency: &[f64], monetary_value: &[f64]) -> Result<Vec<f64>> {
        validate(frequency, monetary_value)?;
        let GammaGammaParams { p, q, v } = self.params;
        frequency
            .iter()
            .zip(monetary_value)
            .enumerate()
            .map(|(i, (&x, &m))| {
                let den = p * x + q - 1.0;
                if den > 0.0 {
                    Ok(p * (v + x * m) / den)
                } else {
                    Err(Error::invalid_at(
                        "frequency",
                        i,
                        x,
                        format!("a frequency with p·x + q > 1 (p = {p}, q = {q}): the expected spend is infinite"),
                    ))
                }
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let p = GammaGammaParams {
            p: 6.25,
            q: 3.74,
            v: 15.44,
        };
        for &(x, m) in &[(1.0, 11.77), (2.0, 22.35), (20.0, 5.5)] {
            let mut g = [0.0; 3];
            ln_lik(&p, x, m, Some(&mut g));
            let base = [p.p, p.q, p.v];
            for k in 0..3 {
                let h = 1e-6 * base[k];
                let (mut hi, mut lo) = (base, base);
                hi[k] += h;
                lo[k] -= h;
                let mk = |b: [f64; 3]| GammaGammaParams {
                    p: b[0],
                    q: b[1],
                    v: b[2],
                };
                let fd = (ln_lik(&mk(hi), x, m, None) - ln_lik(&mk(lo), x, m, None)) / (2.0 * h);
                assert!(
                    (g[k] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
                    "{k} {g:?} {fd}"
                );
            }
        }
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
        let e =
            GammaGamma::fit(&[1.0, 2.0], &[3.0, 0.0], None, &FitOptions::default()).unwrap_err();
        assert_eq!(e.field(), Some("monetary_value"));
        assert!(
            e.to_string().starts_with("invalid monetary_value[1]: 0"),
            "{e}"
        );
        let e = GammaGamma::fit(&[0.0], &[0.0], None, &FitOptions::default()).unwrap_err();
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
