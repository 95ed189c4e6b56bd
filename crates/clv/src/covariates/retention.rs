//! # Retention covariates: the shifted-beta-geometric (sBG) model with static covariates
//!
//! What drives how long a contract customer stays. In the sBG model (Fader
//! & Hardie 2007, [`crate::models::sbg`]) a customer churns at the end of
//! each period with a constant probability θ, and θ ~ Beta(α, β) across
//! customers. Customer i's covariates `z_i` (one named set, the
//! `dropout_covariates`) scale both shape parameters, each with its own
//! effects `γ_α`, `γ_β`:
//!
//! ```text
//! α_i = α₀ · exp(−γ_αᵀ z_i)          β_i = β₀ · exp(−γ_βᵀ z_i)
//! E[θ_i] = α_i/(α_i + β_i)           (mean churn probability per period)
//! ```
//!
//! **Source of the link:** pymc-marketing's `ShiftedBetaGeoModel` with
//! `dropout_covariate_cols` (pull request pymc-labs/pymc-marketing#2080,
//! `pymc_marketing/clv/models/shifted_beta_geo.py`, `build_model`:
//! `alpha = alpha_scale · exp(−dropout_data · dropout_coefficient_alpha)`,
//! `beta = beta_scale · exp(−dropout_data · dropout_coefficient_beta)`),
//! whose comment cites the parameter substitutions of Fader & Hardie's note
//! "Incorporating Time-Invariant Covariates into the Pareto/NBD and BG/NBD
//! Models" (2007, brucehardie.com note 019, p. 2). The sign, the separate
//! effect vectors for α and β over one covariate set, and α₀, β₀ as the
//! values at z = 0 are pymc-marketing's (it fits them by MCMC/MAP with
//! Normal(0, 1) priors on the effects; here by maximum likelihood, with an
//! optional L2 penalty). The sign is also that of the crate's transaction
//! links (CLVTools': `θ_i = θ₀ exp(−γᵀz)`, [`super`]).
//!
//! Reading the effects: a positive `γ_α,k` lowers α_i and with it the mean
//! churn probability (lifetimes lengthen); a positive `γ_β,k` lowers β_i
//! and raises it (lifetimes shorten). `γ_α,k = γ_β,k` keeps the mean churn
//! probability and changes only its spread (a positive common effect makes
//! α_i + β_i smaller: more heterogeneous churn probabilities). At
//! γ = 0 the model is the plain sBG.
//!
//! ## Data: one row per customer
//! Customer i was observed for `t_i ≥ 1` whole periods (renewal
//! opportunities) and either churned in period t_i (`churned_i = true`) or
//! is still active after t_i periods (censored). This is the individual
//! form of pymc-marketing's `ShiftedBetaGeoModelIndividual` (`t_churn`,
//! `T`); a cohort's survivor curve n₀ ≥ n₁ ≥ … ≥ n_k is the same data as
//! `n_{t−1} − n_t` customers churned in period t and `n_k` censored at k.
//!
//! ## Likelihood (Fader & Hardie 2007, eqs. 3-5)
//! ```text
//! churned:  ln P(T = t_i) = ln B(α_i+1, β_i+t_i−1) − ln B(α_i, β_i)
//!                         = ln α_i − ln(α_i+β_i) + ln[(β_i)_{t_i−1} / (α_i+β_i+1)_{t_i−1}]
//! active:   ln S(t_i)     = ln B(α_i, β_i+t_i) − ln B(α_i, β_i)
//!                         = ln[(β_i)_{t_i} / (α_i+β_i)_{t_i}]
//! LL = Σ_i w_i ln L_i
//! ```
//! ((x)_t the rising factorial; weights w_i ≥ 0, 1 by default). With ψ the
//! digamma function the per-customer gradient is
//! ```text
//! churned:  g_α = 1/α + ψ(α+β) − ψ(α+β+t)      g_β = ψ(β+t−1) − ψ(β) + ψ(α+β) − ψ(α+β+t)
//! active:   g_α = ψ(α+β) − ψ(α+β+t)            g_β = ψ(β+t) − ψ(β) + ψ(α+β) − ψ(α+β+t)
//! ```
//! and the chain rule through the links gives
//! ```text
//! ∂ ln L_i/∂α₀ = g_α α_i/α₀        ∂ ln L_i/∂γ_α,k = −g_α α_i z_ik
//! ∂ ln L_i/∂β₀ = g_β β_i/β₀        ∂ ln L_i/∂γ_β,k = −g_β β_i z_ik
//! ```
//!
//! ## Penalty, fit and uncertainty
//! An optional L2 penalty on the effects only, `PLL = LL − N λ Σ_k (γ_α,k² +
//! γ_β,k²)` (N the total weight; the form of the other covariate models'
//! penalty, CLVTools' `reg.lambdas`; α₀ and β₀ are never penalised). The
//! optimiser, the presentation of each effect as `e^γ`, the standard errors
//! (`√diag((−H)⁻¹)`, H of the penalised log-likelihood when a penalty is
//! set, in closed form: each customer's trigamma Hessian in (α_i, β_i),
//! `ln_lik_row_hessian`, through the links by the chain rule, so the fit
//! runs Newton's method), the 95% intervals
//! (log-scale for α₀, β₀; `γ ± 1.96 SE` for the effects) and the
//! identification check are those of the transaction models' covariate
//! fits ([`super`]). Starts: the covariate-free fit of the same customers
//! (γ = 0) first, then the plain model's defaults.
//!
//! ## Predictions
//! Each customer's plain sBG `(α_i, β_i)`
//! ([`RetentionCovariateModel::customer_models`]) with the plain model's
//! formulas: S(t), the retention rate r(t), P(T = t), the discounted
//! expected residual lifetime after a number of renewals (Fader & Hardie
//! 2010, eq. 6) and the discounted expected lifetime of a new customer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use statrs::function::gamma::digamma;

use super::{
    CovariateFitInfo, Covariates, LinkedHessian, check_finite_effects, check_names, checked_pairs,
    dot, intern_names, model_json, named, no_fit_penalty, one_set_penalized, padded_starts,
    pairs_text, read_model_json,
};
use crate::error::{Error, Result, check};
use crate::fit::{FitOptions, maximize};
use crate::models::ShiftedBetaGeo;
use crate::special::{ln_pochhammer_ratio, trigamma_diff};

/// The format version written by [`RetentionCovariateModel::to_json`].
pub const RETENTION_COVARIATE_FORMAT_VERSION: u32 = 1;

/// The base parameters α₀, β₀.
const BASE: [&str; 2] = ["alpha", "beta"];

/// Display name.
const NAME: &str = RetentionCovariateModel::NAME;

one_set_accessors!(
    RetentionCovariateModel,
    BASE,
    "`alpha`, `beta`, `alpha_NAME`, `beta_NAME`",
    RETENTION_COVARIATE_FORMAT_VERSION,
    "retention covariate model"
);

/// The covariate set's name in errors (`dropout_covariates.NAME`).
const PROCESS: &str = "dropout";

/// Options of a retention-covariate fit.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RetentionCovariateOptions {
    /// L2 penalty λ on the effects (γ_α and γ_β), ≥ 0.
    pub penalty: f64,
    /// Optimiser options; `penalty` must stay 0 (the penalty above
    /// replaces it: α₀ and β₀ are never penalised).
    pub fit: FitOptions,
}

/// Checks the per-customer data: `periods` whole numbers ≥ 1 and one
/// `churned` flag per customer.
///
/// # Errors
/// [`Error::Empty`] (field `periods`) without customers;
/// [`Error::LengthMismatch`] (field `churned`); [`Error::InvalidValue`]
/// (field `periods`, with the index) for a period count that is not a
/// whole number ≥ 1.
pub fn validate(periods: &[f64], churned: &[bool]) -> Result<()> {
    if periods.is_empty() {
        return Err(Error::Empty {
            field: "periods".into(),
            reason: "at least one customer is needed".into(),
        });
    }
    check::same_len("churned", churned.len(), "periods", periods.len())?;
    for (i, &t) in periods.iter().enumerate() {
        if !(t.is_finite() && t >= 1.0 && t.fract() == 0.0) {
            return Err(Error::invalid_at(
                "periods",
                i,
                t,
                "a whole number of periods >= 1 (the periods the customer was observed for)",
            ));
        }
    }
    Ok(())
}

/// The weights (one per customer, finite, ≥ 0, with a positive sum; 1 each
/// by default).
fn weights_of(weights: Option<&[f64]>, n: usize) -> Result<Vec<f64>> {
    if let Some(w) = weights {
        check::same_len("weights", w.len(), "periods", n)?;
    }
    crate::models::weights_or_ones(weights, n)
}

/// One customer's ln L and its gradient in (α, β) (module docs):
/// churned in period `t`, or still active after `t` periods.
fn ln_lik_row(a: f64, b: f64, t: f64, churned: bool) -> (f64, f64, f64) {
    let pab = digamma(a + b);
    let pabt = digamma(a + b + t);
    if churned {
        let ll = a.ln() - (a + b).ln() + ln_pochhammer_ratio(b, a + 1.0, t - 1.0);
        let gb = digamma(b + t - 1.0) - digamma(b) + pab - pabt;
        (ll, 1.0 / a + pab - pabt, gb)
    } else {
        let ll = ln_pochhammer_ratio(b, a, t);
        let gb = digamma(b + t) - digamma(b) + pab - pabt;
        (ll, pab - pabt, gb)
    }
}

/// ln Lᵢ with its gradient `[∂/∂α, ∂/∂β]` and Hessian `[∂²/∂α², ∂²/∂α∂β,
/// ∂²/∂β²]` at the customer's (α, β) ([`ln_lik_row`]). With
/// `D(x, n) = ψ′(x) − ψ′(x+n)` ([`trigamma_diff`]):
/// ```text
/// churned:  H_αα = −1/α² + D(α+β, t)   H_αβ = D(α+β, t)   H_ββ = D(α+β, t) − D(β, t−1)
/// active:   H_αα = D(α+β, t)           H_αβ = D(α+β, t)   H_ββ = D(α+β, t) − D(β, t)
/// ```
fn ln_lik_row_hessian(a: f64, b: f64, t: f64, churned: bool) -> (f64, [f64; 2], [f64; 3]) {
    let (ll, ga, gb) = ln_lik_row(a, b, t, churned);
    let d_ab = trigamma_diff(a + b, t);
    let h = if churned {
        [d_ab - 1.0 / (a * a), d_ab, d_ab - trigamma_diff(b, t - 1.0)]
    } else {
        [d_ab, d_ab, d_ab - trigamma_diff(b, t)]
    };
    (ll, [ga, gb], h)
}

/// The penalised sBG log-likelihood with covariates (module docs).
/// Natural parameters: α₀, β₀ (> 0), then one effect per covariate on α
/// (`alpha_NAME`), then one per covariate on β (`beta_NAME`); as a
/// [`Likelihood`](crate::fit::Likelihood) each effect γ is presented as `e^γ`.
pub struct RetentionLikelihood<'a> {
    names: &'static [&'static str],
    periods: &'a [f64],
    churned: &'a [bool],
    w: Vec<f64>,
    z: &'a Covariates,
    total_weight: f64,
    penalty: f64,
    starts: Vec<Vec<f64>>,
}

impl<'a> RetentionLikelihood<'a> {
    /// Checks the inputs and builds the likelihood.
    ///
    /// # Errors
    /// Those of [`validate`]; weights (one per customer, finite, ≥ 0, a
    /// positive sum); the covariate set with one row per customer
    /// ([`Error::LengthMismatch`], field `dropout_covariates`) and no
    /// column constant over the customers with a positive weight
    /// ([`Error::InvalidValue`], field `dropout_covariates.NAME`: not
    /// identified beside α₀ and β₀); the penalty finite and ≥ 0;
    /// `options.fit.penalty` 0.
    pub fn new(
        periods: &'a [f64],
        churned: &'a [bool],
        covariates: &'a Covariates,
        weights: Option<&[f64]>,
        options: &RetentionCovariateOptions,
    ) -> Result<Self> {
        validate(periods, churned)?;
        let n = periods.len();
        let w = weights_of(weights, n)?;
        check::non_negative("penalty", options.penalty)?;
        no_fit_penalty(
            options.fit.penalty,
            "a retention-covariate fit takes its own penalty on the effects",
        )?;
        check::same_len(
            &format!("{PROCESS}_covariates"),
            covariates.len(),
            "periods",
            n,
        )?;
        covariates.check_for_fit(PROCESS, n, &w)?;
        let total_weight: f64 = w.iter().sum();
        let mut names: Vec<String> = BASE.iter().map(|s| (*s).to_string()).collect();
        for b in BASE {
            names.extend(covariates.names().iter().map(|c| format!("{b}_{c}")));
        }
        let k = names.len();
        // the plain model's defaults, with no effect
        let starts = padded_starts([[0.5, 2.0], [2.0, 5.0]], k);
        Ok(RetentionLikelihood {
            names: intern_names(&names),
            periods,
            churned,
            w,
            z: covariates,
            total_weight,
            penalty: options.penalty,
            starts,
        })
    }

    /// The unpenalised log-likelihood `Σ wᵢ ln Lᵢ` at natural parameters,
    /// with its gradient written into `grad`; NaN where some α_i or β_i is
    /// not a finite positive number (a wild optimiser step).
    pub fn log_likelihood(&self, params: &[f64], grad: &mut [f64]) -> f64 {
        let k = self.z.names().len();
        let (a0, b0) = (params[0], params[1]);
        let (ga_eff, gb_eff) = params[2..].split_at(k);
        grad.fill(0.0);
        let mut total = 0.0;
        for (i, &wi) in self.w.iter().enumerate() {
            if wi == 0.0 {
                continue;
            }
            let z = self.z.row(i);
            let ai = a0 * (-dot(ga_eff, z)).exp();
            let bi = b0 * (-dot(gb_eff, z)).exp();
            if !(ai.is_finite() && ai > 0.0 && bi.is_finite() && bi > 0.0) {
                return f64::NAN;
            }
            let (ll, ga, gb) = ln_lik_row(ai, bi, self.periods[i], self.churned[i]);
            total += wi * ll;
            let (da, db) = (wi * ga * ai, wi * gb * bi);
            grad[0] += da / a0;
            grad[1] += db / b0;
            let (gra, grb) = grad[2..].split_at_mut(k);
            for ((x, y), zk) in gra.iter_mut().zip(grb.iter_mut()).zip(z) {
                *x -= da * zk;
                *y -= db * zk;
            }
        }
        total
    }

    /// The penalised log-likelihood with its gradient (into `grad`) and
    /// Hessian in natural parameters, in closed form: the chain rule through
    /// the links (`super::LinkedHessian`) on each customer's Hessian in
    /// (α_i, β_i) (`ln_lik_row_hessian`); NaN where some α_i or β_i is not
    /// a finite positive number.
    #[allow(clippy::unnecessary_wraps)] // the one_set_likelihood! signature
    pub fn penalized_hessian(
        &self,
        params: &[f64],
        grad: &mut [f64],
    ) -> Option<(f64, Vec<Vec<f64>>)> {
        let k = self.z.names().len();
        let base = &params[..2];
        let (ga_eff, gb_eff) = params[2..].split_at(k);
        // α_i = α₀ e^{−γ_αᵀz}, β_i = β₀ e^{−γ_βᵀz}: the sBG's registry links
        let links = super::registry_links(crate::models::ModelKind::Sbg, &["alpha", "beta"]);
        let mut acc = LinkedHessian::new(2, &[k, k]);
        for (i, &wi) in self.w.iter().enumerate() {
            if wi == 0.0 {
                continue;
            }
            let z = self.z.row(i);
            let theta = [
                base[0] * (-dot(ga_eff, z)).exp(),
                base[1] * (-dot(gb_eff, z)).exp(),
            ];
            if !theta.iter().all(|v| v.is_finite() && *v > 0.0) {
                let n = params.len();
                grad.fill(f64::NAN);
                return Some((f64::NAN, vec![vec![f64::NAN; n]; n]));
            }
            let (v, g, h) =
                ln_lik_row_hessian(theta[0], theta[1], self.periods[i], self.churned[i]);
            acc.add(wi, base, &theta, v, &g, |j, l| h[j + l], &links, &[z, z]);
        }
        let lam = self.penalty * self.total_weight;
        Some(one_set_penalized(acc, params, 2, lam, grad))
    }
}

one_set_likelihood!(RetentionLikelihood, 2, NAME);

/// A fitted (or given) sBG model with static covariates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionCovariateModel {
    format_version: u32,
    /// α₀, β₀.
    base: [f64; 2],
    /// Covariate names, in the order the predictions take them.
    names: Vec<String>,
    /// One effect on α per covariate (γ_α).
    alpha_effects: Vec<f64>,
    /// One effect on β per covariate (γ_β).
    beta_effects: Vec<f64>,
    penalty: f64,
    fit: Option<CovariateFitInfo>,
}

/// Fits the sBG model with static covariates (module docs): customer i was
/// observed for `periods[i]` whole periods and churned in the last of them
/// (`churned[i]`) or is still active; `covariates` holds one row per
/// customer, in the same order (it may have no columns,
/// [`Covariates::none`]: the plain sBG on individual data).
///
/// # Errors
/// Those of [`RetentionLikelihood::new`] and of [`maximize`] (e.g.
/// [`Error::NotConverged`]); [`Error::NotIdentified`] (field the
/// parameter, e.g. `beta` or `alpha_Premium`) when an unpenalised estimate
/// has no finite standard error or one more than
/// [`crate::fit::MAX_RELATIVE_STD_ERROR`] times its value (`max(1, |γ|)`
/// for an effect): e.g. nobody or everybody churns, or a covariate that
/// separates churners from stayers.
///
/// # Example
/// ```
/// use clv::covariates::Covariates;
/// use clv::covariates::retention::{fit, RetentionCovariateOptions};
/// // FH (2007) "regular" cohort, years 1-7, as 1000 customers: 369 churned
/// // in year 1, 163 in year 2, …, 241 still active after 7 years
/// let s = [1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0];
/// let (mut periods, mut churned) = (vec![], vec![]);
/// for t in 1..s.len() {
///     for _ in 0..(s[t - 1] - s[t]) as usize {
///         periods.push(t as f64);
///         churned.push(true);
///     }
/// }
/// periods.extend([7.0; 241]);
/// churned.extend([false; 241]);
/// let none = Covariates::none(periods.len());
/// let m = fit(&periods, &churned, &none, None, &RetentionCovariateOptions::default())?;
/// let [alpha, beta] = m.base();
/// assert!((alpha - 0.704).abs() < 5e-4 && (beta - 1.182).abs() < 5e-4);
/// # Ok::<(), clv::Error>(())
/// ```
pub fn fit(
    periods: &[f64],
    churned: &[bool],
    covariates: &Covariates,
    weights: Option<&[f64]>,
    options: &RetentionCovariateOptions,
) -> Result<RetentionCovariateModel> {
    let mut lik = RetentionLikelihood::new(periods, churned, covariates, weights, options)?;
    // the covariate-free fit of the same customers (γ = 0) first, when it
    // converges
    if !covariates.names().is_empty() {
        let none = Covariates::none(periods.len());
        let plain_opts = RetentionCovariateOptions {
            penalty: 0.0,
            fit: options.fit.clone(),
        };
        let plain = RetentionLikelihood::new(periods, churned, &none, weights, &plain_opts)?;
        if let Ok((theta, _)) = maximize(NAME, &plain, &options.fit) {
            let mut s = vec![0.0; lik.names.len()];
            s[..2].copy_from_slice(&theta[..2]);
            lik.starts.insert(0, s);
        }
    }
    let (params, fit) = lik.estimate(&options.fit)?;
    let nz = covariates.names().len();
    Ok(RetentionCovariateModel {
        format_version: RETENTION_COVARIATE_FORMAT_VERSION,
        base: [params[0], params[1]],
        names: covariates.names().to_vec(),
        alpha_effects: params[2..2 + nz].to_vec(),
        beta_effects: params[2 + nz..].to_vec(),
        penalty: options.penalty,
        fit: Some(fit),
    })
}

impl std::fmt::Display for RetentionCovariateModel {
    /// `sBG with covariates(alpha=0.7040, beta=1.1820; alpha [Premium=0.5000],
    /// beta [Premium=-0.2000])`: 4 decimals, effects in covariate order.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let base = pairs_text(BASE, &self.base);
        let effects = |e: &[f64]| pairs_text(self.names.iter().map(String::as_str), e);
        write!(
            f,
            "{NAME}({base}; alpha [{}], beta [{}])",
            effects(&self.alpha_effects),
            effects(&self.beta_effects)
        )
    }
}

impl RetentionCovariateModel {
    /// The display name of the model.
    pub const NAME: &'static str = "sBG with covariates";

    /// The display name ([`RetentionCovariateModel::NAME`]).
    #[must_use]
    pub fn name(&self) -> &'static str {
        Self::NAME
    }

    /// A model with given parameters: `base` = (α₀, β₀), and per covariate
    /// (by name, in the order the predictions take them) its effect on α
    /// and its effect on β: `(name, γ_α, γ_β)`.
    ///
    /// # Errors
    /// α₀, β₀ finite, > 0 and ≤ 10¹⁰⁰ (field `alpha` / `beta`); effects
    /// finite (field `alpha_NAME` / `beta_NAME`); distinct, non-empty names
    /// (field `covariate names`).
    ///
    /// # Example
    /// ```
    /// use clv::covariates::Covariates;
    /// use clv::covariates::retention::RetentionCovariateModel;
    /// let m = RetentionCovariateModel::from_params([0.704, 1.182], &[("Premium", 0.5, 0.0)])?;
    /// let z = Covariates::new(&["Premium"], &[vec![0.0], vec![1.0]])?;
    /// let r = m.retention(1.0, &z)?;
    /// // year-1 retention β_i/(α_i+β_i): α_i = 0.704 e^{−0.5} for a premium customer
    /// let a1 = 0.704 * (-0.5f64).exp();
    /// assert!((r[0] - 1.182 / 1.886).abs() < 1e-15);
    /// assert!((r[1] - 1.182 / (a1 + 1.182)).abs() < 1e-15);
    /// # Ok::<(), clv::Error>(())
    /// ```
    pub fn from_params(base: [f64; 2], effects: &[(&str, f64, f64)]) -> Result<Self> {
        for (name, v) in BASE.iter().zip(base) {
            check::parameter(name, v)?;
        }
        let names: Vec<&str> = effects.iter().map(|e| e.0).collect();
        let names = check_names(&names)?;
        let alpha_effects: Vec<f64> = effects.iter().map(|e| e.1).collect();
        let beta_effects: Vec<f64> = effects.iter().map(|e| e.2).collect();
        check_finite_effects("alpha", &names, &alpha_effects)?;
        check_finite_effects("beta", &names, &beta_effects)?;
        Ok(RetentionCovariateModel {
            format_version: RETENTION_COVARIATE_FORMAT_VERSION,
            base,
            names,
            alpha_effects,
            beta_effects,
            penalty: 0.0,
            fit: None,
        })
    }

    /// α₀, β₀.
    #[must_use]
    pub fn base(&self) -> [f64; 2] {
        self.base
    }

    /// Effects on α by covariate name (γ_α; positive: lower churn).
    #[must_use]
    pub fn alpha_effects(&self) -> BTreeMap<String, f64> {
        named(&self.names, &self.alpha_effects)
    }

    /// Effects on β by covariate name (γ_β; positive: higher churn).
    #[must_use]
    pub fn beta_effects(&self) -> BTreeMap<String, f64> {
        named(&self.names, &self.beta_effects)
    }

    /// Each row's `[α_i, β_i] = [α₀ e^{−γ_αᵀz_i}, β₀ e^{−γ_βᵀz_i}]`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] (field `dropout_covariates`) when the set's
    /// names are not the model's, in order, or (with the row) when α_i or
    /// β_i is not a valid parameter (0, or above 10¹⁰⁰).
    pub fn customer_params(&self, covariates: &Covariates) -> Result<Vec<[f64; 2]>> {
        Ok(self
            .customer_models(covariates)?
            .iter()
            .map(|m| [m.alpha(), m.beta()])
            .collect())
    }

    /// Each row's own plain sBG model `(α_i, β_i)`.
    ///
    /// # Errors
    /// As [`RetentionCovariateModel::customer_params`].
    pub fn customer_models(&self, covariates: &Covariates) -> Result<Vec<ShiftedBetaGeo>> {
        if covariates.names() != self.names.as_slice() {
            return Err(Error::invalid(
                format!("{PROCESS}_covariates"),
                format!("[{}]", covariates.names().join(", ")),
                format!(
                    "the model's covariates [{}], in that order",
                    self.names.join(", ")
                ),
            ));
        }
        let [a0, b0] = self.base;
        (0..covariates.len())
            .map(|i| {
                let z = covariates.row(i);
                let ai = a0 * (-dot(&self.alpha_effects, z)).exp();
                let bi = b0 * (-dot(&self.beta_effects, z)).exp();
                ShiftedBetaGeo::from_params(ai, bi).map_err(|_| {
                    Error::invalid_at(
                        format!("{PROCESS}_covariates"),
                        i,
                        format!("alpha_i = {ai:e}, beta_i = {bi:e}"),
                        "covariates whose effects keep alpha_i and beta_i in (0, 1e100]",
                    )
                })
            })
            .collect()
    }

    /// Applies `f` to each customer's plain model, naming the row in errors.
    fn each(
        &self,
        covariates: &Covariates,
        f: impl Fn(usize, &ShiftedBetaGeo) -> Result<f64>,
    ) -> Result<Vec<f64>> {
        self.customer_models(covariates)?
            .iter()
            .enumerate()
            .map(|(i, m)| f(i, m))
            .collect()
    }

    /// S(t) = B(α_i, β_i+t)/B(α_i, β_i) of each customer: the probability of
    /// being still active after `t` periods (FH 2007 eq. 4).
    ///
    /// # Errors
    /// Those of [`RetentionCovariateModel::customer_params`]; `t` a whole
    /// number ≥ 0.
    pub fn survival(&self, t: f64, covariates: &Covariates) -> Result<Vec<f64>> {
        self.each(covariates, |_, m| m.survival(t))
    }

    /// Retention rate of each customer in period `t`:
    /// r(t) = (β_i+t−1)/(α_i+β_i+t−1) (FH 2007 eq. 7).
    ///
    /// # Errors
    /// Those of [`RetentionCovariateModel::customer_params`]; `t` a whole
    /// number ≥ 1.
    pub fn retention(&self, t: f64, covariates: &Covariates) -> Result<Vec<f64>> {
        self.each(covariates, |_, m| m.retention(t))
    }

    /// P(T = t) = B(α_i+1, β_i+t−1)/B(α_i, β_i) of each customer: the
    /// probability of churning in period `t` (FH 2007 eq. 3).
    ///
    /// # Errors
    /// Those of [`RetentionCovariateModel::customer_params`]; `t` a whole
    /// number ≥ 1.
    pub fn prob_churn(&self, t: f64, covariates: &Covariates) -> Result<Vec<f64>> {
        self.each(covariates, |_, m| m.prob_churn(t))
    }

    /// Discounted expected residual lifetime of each customer, in periods,
    /// who has made `renewals[i]` renewals, just before the next renewal
    /// decision (FH 2010 eq. 6 at `(α_i, β_i)`):
    /// `(β_i+n−1)/(α_i+β_i+n−1) · ₂F₁(1, β_i+n; α_i+β_i+n; 1/(1+d))`, n − 1
    /// the renewals. Multiply by the margin per period for value.
    ///
    /// # Errors
    /// Those of [`RetentionCovariateModel::customer_params`];
    /// [`Error::LengthMismatch`] (field `renewals`); `discount` finite
    /// and positive; each renewal count a whole number ≥ 0 (field
    /// `renewals`, with the row).
    pub fn dert(
        &self,
        discount: f64,
        renewals: &[f64],
        covariates: &Covariates,
    ) -> Result<Vec<f64>> {
        check::same_len(
            "renewals",
            renewals.len(),
            &format!("{PROCESS}_covariates"),
            covariates.len(),
        )?;
        check::positive("discount", discount)?;
        self.each(covariates, |i, m| {
            m.dert(discount, renewals[i]).map_err(|e| match e {
                Error::InvalidValue {
                    field,
                    index: None,
                    value,
                    expected,
                } if field == "renewals" => Error::invalid_at(field, i, value, expected),
                other => other,
            })
        })
    }

    /// Discounted expected lifetime of a new customer with each row's
    /// covariates, in periods, the first payment included:
    /// `₂F₁(1, β_i; α_i+β_i; 1/(1+d))` (FH 2010 §2).
    ///
    /// # Errors
    /// Those of [`RetentionCovariateModel::customer_params`]; `discount`
    /// finite and > 0.
    pub fn discounted_expected_lifetime(
        &self,
        discount: f64,
        covariates: &Covariates,
    ) -> Result<Vec<f64>> {
        check::positive("discount", discount)?;
        self.each(covariates, |_, m| m.discounted_expected_lifetime(discount))
    }

    /// Per-customer ln L_i: ln P(T = t_i) for a customer who churned in
    /// period t_i, ln S(t_i) for one still active (module docs).
    ///
    /// # Errors
    /// Those of [`validate`]; [`Error::LengthMismatch`] (field
    /// `dropout_covariates`); those of
    /// [`RetentionCovariateModel::customer_params`].
    pub fn log_likelihood(
        &self,
        periods: &[f64],
        churned: &[bool],
        covariates: &Covariates,
    ) -> Result<Vec<f64>> {
        validate(periods, churned)?;
        check::same_len(
            &format!("{PROCESS}_covariates"),
            covariates.len(),
            "periods",
            periods.len(),
        )?;
        self.each(covariates, |i, m| {
            Ok(ln_lik_row(m.alpha(), m.beta(), periods[i], churned[i]).0)
        })
    }

    /// Reads a model written by [`RetentionCovariateModel::to_json`], with
    /// the checks of [`RetentionCovariateModel::from_params`].
    ///
    /// # Errors
    /// [`Error::InvalidValue`]: field `json` (malformed JSON, or a number
    /// of effects other than of names), `format_version`, or the
    /// parameter's.
    pub fn from_json(text: &str) -> Result<Self> {
        let m = Self::read_json(text)?;
        let alpha = checked_pairs(&m.names, &m.alpha_effects)?;
        let beta = checked_pairs(&m.names, &m.beta_effects)?;
        let triples: Vec<(&str, f64, f64)> = alpha
            .iter()
            .zip(&beta)
            .map(|(&(n, a), &(_, b))| (n, a, b))
            .collect();
        RetentionCovariateModel::from_params(m.base, &triples)?;
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_gradient_matches_differences() {
        for (a, b, t, churned) in [
            (0.7, 1.2, 1.0, true),
            (0.7, 1.2, 5.0, true),
            (2.5, 0.4, 9.0, false),
            (0.3, 8.0, 1.0, false),
        ] {
            let (_, ga, gb) = ln_lik_row(a, b, t, churned);
            let h = 1e-6;
            let fa = (ln_lik_row(a + h, b, t, churned).0 - ln_lik_row(a - h, b, t, churned).0)
                / (2.0 * h);
            let fb = (ln_lik_row(a, b + h, t, churned).0 - ln_lik_row(a, b - h, t, churned).0)
                / (2.0 * h);
            assert!((ga - fa).abs() < 1e-7 * fa.abs().max(1.0), "{ga} vs {fa}");
            assert!((gb - fb).abs() < 1e-7 * fb.abs().max(1.0), "{gb} vs {fb}");
        }
    }
}
