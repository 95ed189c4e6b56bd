//! # Spend covariates: the Gamma-Gamma model with static covariates
//!
//! What drives how much a customer spends per transaction. In the
//! Gamma-Gamma model (Fader & Hardie 2013, [`crate::models::gamma_gamma`])
//! each transaction's value is Gamma(p, ν_i) and ν_i ~ Gamma(q, v) across
//! customers, so the mean spend per transaction is `E[Z] = p v/(q−1)`. A
//! customer's spend covariates `z_i` (one named set, as the purchase and
//! dropout sets of the [transaction models](super)) scale the rate v of
//! that gamma:
//!
//! ```text
//! v_i = v₀ · exp(γ_sᵀ z_i)          (p, q shared)
//! E[Z_i] = p v_i/(q−1) = e^{γ_sᵀ z_i} · p v₀/(q−1)
//! ```
//!
//! so `e^{γ_k}` is the factor by which one unit of covariate k multiplies
//! the expected spend per transaction (a log-linear model of the mean, as a
//! gamma GLM with log link), and the shrinkage of each customer's mean
//! toward it (eq. 5) is unchanged. Neither CLVTools (`gg`) nor
//! pymc-marketing (`GammaGammaModel`) has spend covariates; the link is
//! clv's, chosen to act on v as CLVTools' transaction links act on the
//! gamma scales α and β (`α_i = α₀ exp(−γᵀz)`: a rate divided, a mean
//! multiplied). At γ_s = 0 the model is the plain Gamma-Gamma.
//!
//! ## Likelihood and gradient
//! As the plain model: the sum over the repeat customers (frequency > 0)
//! with a positive mean spend of `w_i ln f(z̄_i | p, q, v_i; x_i)` (Fader &
//! Hardie 2013, eq. 3; repeat customers with mean spend 0 are valid, left
//! out and listed in [`FitInfo::left_out`](crate::fit::FitInfo::left_out), as in the plain fit), computed
//! by the plain model's code with its gradient `g`; the chain rule gives
//! `∂/∂v₀ = g_v v_i/v₀`, `∂/∂γ_k = g_v v_i z_ik`.
//!
//! ## Penalty, fit and uncertainty
//! An optional L2 penalty on the effects only, `PLL = LL − N λ Σ γ_k²`
//! (N the total weight of the customers in the fit; the form of the
//! transaction models' penalty, CLVTools' `reg.lambdas`). The optimiser,
//! starts (the plain fit's optimum with γ = 0 first), standard errors
//! (`√diag((−H)⁻¹)`, H of the penalised log-likelihood when a penalty is
//! set), 95% intervals and the identification check are those of the
//! transaction models' covariate fits. H is in closed form
//! ([`SpendLikelihood::penalized_hessian`]): the plain per-customer Hessian
//! in (p, q, v_i) (`gamma_gamma::ln_lik_hessian`: trigamma terms) through
//! the link by the chain rule, so the fit runs Newton's method.
//!
//! ## Predictions
//! Each customer's `(p, q, v_i)` with the plain model's formulas: the
//! conditional expected spend (eq. 5; the population mean of that
//! customer's covariate cell for a customer without repeat spend), the
//! per-customer log-likelihood, and CLV through any transaction model.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    CovariateFitInfo, Covariates, LinkedHessian, check_finite_effects, check_names, checked_pairs,
    dot, intern_names, model_json, named, no_fit_penalty, one_set_penalized, padded_starts,
    pairs_text, read_model_json,
};
use crate::error::{Error, Result};
use crate::fit::{FitOptions, LeftOut};
use crate::models::gamma_gamma::{self, GammaGammaParams};
use crate::models::{AnyModel, GammaGamma, ModelInfo, ModelKind, SpendModel};

/// The format version written by [`SpendCovariateModel::to_json`].
pub const SPEND_COVARIATE_FORMAT_VERSION: u32 = 1;

/// The base parameters, in the registry's order.
const BASE: [&str; 3] = ["p", "q", "v"];

/// Display name.
const NAME: &str = SpendCovariateModel::NAME;

one_set_accessors!(
    SpendCovariateModel,
    BASE,
    "`p`, `q`, `v`, `spend_NAME`",
    SPEND_COVARIATE_FORMAT_VERSION,
    "spend covariate model"
);

/// Spend covariates are the Gamma-Gamma model's (its registry entry's
/// `spend` link, [`crate::models::Model::COVARIATES`]): the check every
/// runtime makes before a fit with spend covariates.
///
/// # Errors
/// [`Error::Unsupported`] (operation `spend_covariates`) for any other
/// model, naming the models that take which covariates.
pub fn check_model(kind: ModelKind) -> Result<()> {
    if kind == ModelKind::GammaGamma && kind.spec().reads_covariates("spend") {
        return Ok(());
    }
    Err(Error::Unsupported {
        model: kind.spec().name.to_string(),
        operation: "spend_covariates".to_string(),
        reason: super::covariate_support(),
    })
}

/// Options of a spend-covariate fit.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SpendCovariateOptions {
    /// L2 penalty λ on the spend effects, ≥ 0.
    pub penalty: f64,
    /// Optimiser options; `penalty` must stay 0 (the penalty above
    /// replaces it: p, q and v₀ are never penalised).
    pub fit: FitOptions,
}

/// The penalised Gamma-Gamma log-likelihood with spend covariates (module
/// docs). Natural parameters: p, q, v₀ (> 0), then one effect per
/// covariate; as a [`Likelihood`](crate::fit::Likelihood) each effect γ is presented as `e^γ`.
pub struct SpendLikelihood<'a> {
    names: &'static [&'static str],
    /// The customers in the fit: their input row, x, z̄ and weight.
    rows: Vec<usize>,
    x: Vec<f64>,
    m: Vec<f64>,
    w: Vec<f64>,
    z: &'a Covariates,
    left_out: Vec<usize>,
    total_weight: f64,
    penalty: f64,
    starts: Vec<Vec<f64>>,
}

impl<'a> SpendLikelihood<'a> {
    /// Checks the inputs and builds the likelihood.
    ///
    /// # Errors
    /// The plain model's input checks (lengths, a negative, non-finite or
    /// fractional frequency, a negative or non-finite monetary value, each
    /// naming the index); weights (finite, ≥ 0, one per customer); the
    /// covariate set with one row per customer ([`Error::LengthMismatch`],
    /// field `spend_covariates`) and no column constant over the customers
    /// in the fit ([`Error::InvalidValue`], field `spend_covariates.NAME`);
    /// [`Error::Empty`] when no customer has a frequency > 0 and a mean
    /// spend > 0; the penalty finite and ≥ 0; `options.fit.penalty` 0.
    pub fn new(
        frequency: &[f64],
        monetary_value: &[f64],
        spend: &'a Covariates,
        weights: Option<&[f64]>,
        options: &SpendCovariateOptions,
    ) -> Result<Self> {
        gamma_gamma::validate(frequency, monetary_value)?;
        let n = frequency.len();
        let w_all = crate::models::weights_or_ones(weights, n)?;
        crate::error::check::non_negative("penalty", options.penalty)?;
        no_fit_penalty(
            options.fit.penalty,
            "a spend-covariate fit takes its own penalty on the effects",
        )?;
        let (mut rows, mut x, mut m, mut w, mut left_out) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut used = vec![0.0; n];
        for i in 0..n {
            if frequency[i] > 0.0 {
                if monetary_value[i] > 0.0 {
                    rows.push(i);
                    x.push(frequency[i]);
                    m.push(monetary_value[i]);
                    w.push(w_all[i]);
                    used[i] = w_all[i];
                } else {
                    left_out.push(i);
                }
            }
        }
        let total_weight: f64 = w.iter().sum();
        if rows.is_empty() || total_weight <= 0.0 {
            return Err(Error::Empty {
                field: "frequency".into(),
                reason:
                    "the Gamma-Gamma fit needs customers with frequency > 0 and mean spend > 0 \
                         (and positive weight)"
                        .into(),
            });
        }
        spend.check_for_fit("spend", n, &used)?;
        let mut names: Vec<String> = BASE.iter().map(|s| (*s).to_string()).collect();
        names.extend(spend.names().iter().map(|c| format!("spend_{c}")));
        let k = names.len();
        // the plain model's scale-aware starts (p v/(q−1) = mean spend)
        let sm: f64 = w.iter().zip(&m).map(|(w, m)| w * m).sum::<f64>() / total_weight;
        let starts = padded_starts([[2.0, 3.0, sm], [5.0, 2.0, sm / 5.0]], k);
        Ok(SpendLikelihood {
            names: intern_names(&names),
            rows,
            x,
            m,
            w,
            z: spend,
            left_out,
            total_weight,
            penalty: options.penalty,
            starts,
        })
    }

    /// The unpenalised log-likelihood `Σ wᵢ ln f(z̄ᵢ | xᵢ)` at natural
    /// parameters, with its gradient written into `grad`.
    pub fn log_likelihood(&self, params: &[f64], grad: &mut [f64]) -> f64 {
        let (base, effects) = params.split_at(3);
        grad.fill(0.0);
        let mut total = 0.0;
        let mut g = [0.0; 3];
        for (j, &i) in self.rows.iter().enumerate() {
            let z = self.z.row(i);
            let vi = base[2] * dot(effects, z).exp();
            let pp = GammaGammaParams {
                p: base[0],
                q: base[1],
                v: vi,
            };
            let wi = self.w[j];
            total += wi * gamma_gamma::ln_lik(&pp, self.x[j], self.m[j], Some(&mut g));
            grad[0] += wi * g[0];
            grad[1] += wi * g[1];
            let dv = wi * g[2] * vi;
            grad[2] += dv / base[2];
            for (a, zk) in grad[3..].iter_mut().zip(z) {
                *a += dv * zk;
            }
        }
        total
    }

    /// The penalised log-likelihood with its gradient (into `grad`) and
    /// Hessian in natural parameters, in closed form: the chain rule through
    /// the link `v_i = v₀e^{γᵀz}` (`super::LinkedHessian`) on each
    /// customer's Hessian in (p, q, v_i) (`gamma_gamma::ln_lik_hessian`).
    #[allow(clippy::unnecessary_wraps)] // the one_set_likelihood! signature
    pub fn penalized_hessian(
        &self,
        params: &[f64],
        grad: &mut [f64],
    ) -> Option<(f64, Vec<Vec<f64>>)> {
        let (base, effects) = params.split_at(3);
        // v_i = v₀ e^{γᵀz}, the Gamma-Gamma's registry link
        let link = super::registry_links(ModelKind::GammaGamma, &["spend"]);
        // (j, l) → the packed [pp, pq, pv, qq, qv, vv]
        const AT: [[usize; 3]; 3] = [[0, 1, 2], [1, 3, 4], [2, 4, 5]];
        let mut acc = LinkedHessian::new(3, &[effects.len()]);
        for (j, &i) in self.rows.iter().enumerate() {
            let z = self.z.row(i);
            let theta = [base[0], base[1], base[2] * dot(effects, z).exp()];
            let pp = GammaGammaParams {
                p: theta[0],
                q: theta[1],
                v: theta[2],
            };
            let (v, g, h) = gamma_gamma::ln_lik_hessian(&pp, self.x[j], self.m[j]);
            acc.add(
                self.w[j],
                base,
                &theta,
                v,
                &g,
                |a, b| h[AT[a][b]],
                &link,
                &[z],
            );
        }
        let lam = self.penalty * self.total_weight;
        Some(one_set_penalized(acc, params, 3, lam, grad))
    }
}

one_set_likelihood!(SpendLikelihood, 3, NAME);

/// A fitted (or given) Gamma-Gamma model with spend covariates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpendCovariateModel {
    format_version: u32,
    /// p, q, v₀.
    base: [f64; 3],
    /// Covariate names, in the order the predictions take them.
    names: Vec<String>,
    /// One effect per covariate.
    effects: Vec<f64>,
    penalty: f64,
    fit: Option<CovariateFitInfo>,
}

/// Fits the Gamma-Gamma model with spend covariates (module docs): `spend`
/// holds one row per customer, in the order of `frequency`.
///
/// # Errors
/// Those of [`SpendLikelihood::new`] and of [`maximize`](crate::fit::maximize);
/// [`Error::NotIdentified`] (field the parameter, e.g. `p` or
/// `spend_Gender`) when an unpenalised estimate has no finite standard
/// error or one more than [`crate::fit::MAX_RELATIVE_STD_ERROR`] times its
/// value (`max(1, |γ|)` for an effect): typically the plain model's p → ∞
/// ridge (every customer's spend per transaction constant), for which a
/// small penalty on the plain fit, or more customers, is the remedy.
///
/// # Example
/// ```
/// use clv::covariates::Covariates;
/// use clv::covariates::spend::{fit, SpendCovariateOptions};
/// let x = [1.0, 2.0, 3.0, 1.0, 4.0, 2.0, 0.0, 5.0, 1.0, 3.0];
/// let m = [20.0, 35.0, 18.0, 60.0, 25.0, 80.0, 0.0, 30.0, 45.0, 55.0];
/// let z = Covariates::new(&["Premium"], &[0., 0., 0., 1., 0., 1., 0., 0., 1., 1.].map(|v| vec![v]))?;
/// match fit(&x, &m, &z, None, &SpendCovariateOptions::default()) {
///     Ok(model) => assert!(model.effects()["Premium"].is_finite()),
///     // ten customers may not identify p, q and v: a typed outcome
///     Err(e) => assert!(["NOT_IDENTIFIED", "NOT_CONVERGED"].contains(&e.code())),
/// }
/// # Ok::<(), clv::Error>(())
/// ```
pub fn fit(
    frequency: &[f64],
    monetary_value: &[f64],
    spend: &Covariates,
    weights: Option<&[f64]>,
    options: &SpendCovariateOptions,
) -> Result<SpendCovariateModel> {
    let mut lik = SpendLikelihood::new(frequency, monetary_value, spend, weights, options)?;
    // the plain model's optimum (γ = 0) first, when it exists (the
    // weights were checked by the likelihood)
    if let Ok(plain) = AnyModel::fit(
        ModelKind::GammaGamma,
        &[frequency, monetary_value],
        weights,
        &options.fit,
    ) {
        let mut s = vec![0.0; lik.names.len()];
        s[..3].copy_from_slice(&plain.values());
        lik.starts.insert(0, s);
    }
    let (params, mut fit) = lik.estimate(&options.fit)?;
    fit.info.left_out = (!lik.left_out.is_empty()).then(|| LeftOut {
        indices: lik.left_out.clone(),
        reason: gamma_gamma::ZERO_SPEND_REASON.to_string(),
    });
    Ok(SpendCovariateModel {
        format_version: SPEND_COVARIATE_FORMAT_VERSION,
        base: [params[0], params[1], params[2]],
        names: spend.names().to_vec(),
        effects: params[3..].to_vec(),
        penalty: options.penalty,
        fit: Some(fit),
    })
}

impl std::fmt::Display for SpendCovariateModel {
    /// `Gamma-Gamma with spend covariates(p=3.6533, q=4.6935, v=34.4240;
    /// spend [Gender=0.0916, Channel=0.0393])`: 4 decimals, effects in
    /// covariate order (Python's `repr`, JS `toString()`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let base = pairs_text(BASE, &self.base);
        let effects = pairs_text(self.names.iter().map(String::as_str), &self.effects);
        write!(f, "{NAME}({base}; spend [{effects}])")
    }
}

impl SpendCovariateModel {
    /// The display name of the model.
    pub const NAME: &'static str = "Gamma-Gamma with spend covariates";

    /// The display name ([`SpendCovariateModel::NAME`]).
    #[must_use]
    pub fn name(&self) -> &'static str {
        Self::NAME
    }

    /// A model with given parameters: `base` = (p, q, v₀), one effect per
    /// spend covariate (by name, in the order the predictions take them).
    ///
    /// # Errors
    /// p, q, v₀ finite and > 0 (field named); effects finite (field
    /// `spend_NAME`); distinct names.
    pub fn from_params(base: [f64; 3], effects: &[(&str, f64)]) -> Result<Self> {
        for (name, v) in BASE.iter().zip(base) {
            crate::error::check::parameter(name, v)?;
        }
        let names: Vec<&str> = effects.iter().map(|e| e.0).collect();
        let names = check_names(&names)?;
        let effects: Vec<f64> = effects.iter().map(|e| e.1).collect();
        check_finite_effects("spend", &names, &effects)?;
        Ok(SpendCovariateModel {
            format_version: SPEND_COVARIATE_FORMAT_VERSION,
            base,
            names,
            effects,
            penalty: 0.0,
            fit: None,
        })
    }

    /// p, q, v₀.
    #[must_use]
    pub fn base(&self) -> [f64; 3] {
        self.base
    }

    /// Spend effects by covariate name (γ_s).
    #[must_use]
    pub fn effects(&self) -> BTreeMap<String, f64> {
        named(&self.names, &self.effects)
    }

    /// Each row's own Gamma-Gamma model `(p, q, v_i)`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] (field `spend_covariates`) when the set's
    /// names are not the model's, in order; a v_i that overflows.
    pub fn customer_models(&self, spend: &Covariates) -> Result<Vec<GammaGamma>> {
        if spend.names() != self.names.as_slice() {
            return Err(Error::invalid(
                "spend_covariates",
                format!("[{}]", spend.names().join(", ")),
                format!(
                    "the model's covariates [{}], in that order",
                    self.names.join(", ")
                ),
            ));
        }
        let [p, q, v] = self.base;
        (0..spend.len())
            .map(|i| {
                let vi = v * dot(&self.effects, spend.row(i)).exp();
                GammaGamma::from_params(p, q, vi).map_err(|_| {
                    Error::invalid_at(
                        "spend_covariates",
                        i,
                        format!("v_i = {vi:e}"),
                        "covariates whose effect keeps v_i finite and > 0",
                    )
                })
            })
            .collect()
    }

    fn each(
        &self,
        frequency: &[f64],
        monetary_value: &[f64],
        spend: &Covariates,
        f: impl Fn(&GammaGamma, &[f64], &[f64]) -> Result<Vec<f64>>,
    ) -> Result<Vec<f64>> {
        gamma_gamma::validate(frequency, monetary_value)?;
        crate::error::check::same_len(
            "spend_covariates",
            spend.len(),
            "frequency",
            frequency.len(),
        )?;
        self.customer_models(spend)?
            .iter()
            .enumerate()
            .map(|(i, g)| {
                f(g, &frequency[i..=i], &monetary_value[i..=i])
                    .map(|v| v[0])
                    .map_err(|e| e.at_row(i))
            })
            .collect()
    }

    /// The conditional expected spend per transaction of each customer
    /// (Fader & Hardie 2013, eq. 5, at `(p, q, v_i)`): the population mean
    /// `p v_i/(q−1)` of the customer's covariate cell for a customer with
    /// no repeat spend.
    ///
    /// # Errors
    /// Those of [`SpendCovariateModel::customer_models`], the plain model's
    /// input checks, and the plain model's (q ≤ 1: no mean).
    pub fn expected_spend(
        &self,
        frequency: &[f64],
        monetary_value: &[f64],
        spend: &Covariates,
    ) -> Result<Vec<f64>> {
        self.each(frequency, monetary_value, spend, |g, x, m| {
            g.expected_spend(x, m)
        })
    }

    /// Per-customer ln f(z̄ᵢ | xᵢ) (eq. 3) for customers with frequency > 0
    /// and mean spend > 0.
    ///
    /// # Errors
    /// As [`SpendCovariateModel::expected_spend`]; a customer with
    /// frequency 0 or mean spend 0 (outside the density) is an
    /// [`Error::InvalidValue`] naming the index, as for the plain model.
    pub fn log_likelihood(
        &self,
        frequency: &[f64],
        monetary_value: &[f64],
        spend: &Covariates,
    ) -> Result<Vec<f64>> {
        self.each(frequency, monetary_value, spend, |g, x, m| {
            g.log_likelihood(x, m)
        })
    }

    /// Reads a model written by [`SpendCovariateModel::to_json`], with the
    /// checks of [`SpendCovariateModel::from_params`].
    ///
    /// # Errors
    /// [`Error::InvalidValue`]: field `json` (malformed JSON, or a number
    /// of effects other than of names), `format_version`, or the
    /// parameter's.
    pub fn from_json(text: &str) -> Result<Self> {
        let m = Self::read_json(text)?;
        SpendCovariateModel::from_params(m.base, &checked_pairs(&m.names, &m.effects)?)?;
        Ok(m)
    }
}
