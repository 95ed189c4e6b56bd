//! # Static (time-invariant) covariates for Pareto/NBD, BG/NBD, MBG/NBD and GGom/NBD
//!
//! Each customer i carries two vectors of covariates, one for the purchase
//! process (`z_i^p`) and one for the dropout process (`z_i^d`), as separate
//! named sets of any size (possibly empty). Their effects `γ_p`, `γ_d` enter
//! the models through CLVTools' links, so estimates compare directly with
//! `CLVTools::pnbd`, `CLVTools::bgnbd` and `CLVTools::ggomnbd` on a
//! `clv.data.static.covariates` object (Bachmann, Meierer & Näf 2021,
//! *Marketing Science* 40(4) for the Pareto/NBD; the CLVTools sources,
//! `pnbd_staticcov_LL_ind`, `bgnbd_staticcov_LL_ind` and
//! `ggomnbd_staticcov_LL_ind`: "alpha_i: alpha0 * exp(-cov.trans *
//! cov.params.trans), beta_i: beta0 * exp(-cov.life * cov.params.life)"):
//!
//! ```text
//! Pareto/NBD:  α_i = α₀ · exp(−γ_pᵀ z_i^p)    β_i = β₀ · exp(−γ_dᵀ z_i^d)     (r, s shared)
//! BG/NBD:      α_i = α₀ · exp(−γ_pᵀ z_i^p)    a_i = a₀ · exp(γ_dᵀ z_i^d)
//!                                              b_i = b₀ · exp(γ_dᵀ z_i^d)     (r shared)
//! MBG/NBD:     as BG/NBD (CLVTools has no MBG/NBD; the same dropout process
//!              with one more dropout chance at time 0, Batislam et al. 2007)
//! GGom/NBD:    α_i = α₀ · exp(−γ_pᵀ z_i^p)    β_i = β₀ · exp(−γ_dᵀ z_i^d)     (r, b, s shared)
//! ```
//!
//! A positive purchase effect raises the purchase rate (α is a Gamma rate,
//! the mean purchase rate is r/α); a positive Pareto/NBD dropout effect
//! raises the dropout rate (mean s/β); a positive BG/NBD (MBG/NBD) dropout
//! effect scales a and b alike, which keeps the mean dropout probability
//! a/(a+b) and makes it less heterogeneous; a positive GGom/NBD dropout
//! effect raises the Gompertz η (mean s/β_i), so lifetimes shorten.
//!
//! ## Likelihood and gradient
//! The log-likelihood is the sum over customers of the plain model's
//! per-customer `ln L(x, t_x, T | r, α_i, s, β_i)` (resp. `(r, α_i, a_i, b_i)`,
//! `(r, α_i, b, s, β_i)`), computed by the models' own code
//! (`pareto_nbd::ln_lik_row`, `bg_nbd::ln_lik`, `ggom_nbd::ln_lik`) with its
//! analytic gradient `g`. The chain rule through
//! the links gives, with `θ_i` a linked parameter, `θ₀` its base and `σ = ±1`
//! the sign of its link (`θ_i = θ₀ e^{σ η_i}`, `η_i = γᵀ z_i`):
//! ```text
//! ∂ ln L_i/∂θ₀ = g_θ · θ_i/θ₀          ∂ ln L_i/∂γ_k = Σ_θ g_θ · σ θ_i · z_ik
//! ```
//! (the sum over the parameters linked to that process: α for purchase; β,
//! or a and b, for dropout). The base parameters are those of the registry
//! model, in its order ([`CovariateModelKind::base_names`]).
//!
//! ## Through the model registry
//! Which models take covariates, and how, is the registry's: each model
//! file declares its links ([`Model::COVARIATES`](crate::models::Model::COVARIATES),
//! read back as [`ModelSpec::covariates`](crate::models::ModelSpec::covariates):
//! the covariate set, the parameters it scales, the sign) and, for purchase
//! and dropout covariates, gives its per-customer likelihood and ridge
//! ([`LinkedRows`], through
//! [`Model::covariate_rows`](crate::models::Model::covariate_rows)). Nothing
//! in this module names a model: [`CovariateModelKind`] is any registry
//! model with both, the chain rule, the Hessian accumulation, penalties,
//! constraints, boundaries and predictions are written once against the
//! links, the starts are the plain model's (its likelihood's
//! `starting_points`, with γ = 0), and [`covariate_support`] (the
//! refusal's reason in every runtime) is read from the registry. A new transaction model gets covariates in
//! every runtime with those two items in its own file.
//!
//! ## Penalty and constraints (CLVTools `reg.lambdas`, `names.cov.constr`)
//! CLVTools minimises `−LL/N + λ_p Σγ_p² + λ_d Σγ_d²` (its
//! `interlayer_regularization`, `R/f_interface_interlayers.R`: the average
//! negative log-likelihood plus the L2 terms, N the number of customers).
//! Here the same optimum is reached by maximising the penalised
//! log-likelihood
//! ```text
//! PLL = LL − N · (λ_p Σ_k γ_p,k² + λ_d Σ_k γ_d,k²),
//! ```
//! N the total weight. Only the covariate effects are penalised, never r, α₀,
//! s, β₀ (a₀, b₀). A covariate named in `constrain_equal` has one effect γ_c
//! used in both processes (it must be in both sets); as in CLVTools, where
//! the constrained parameter is duplicated into both lists before the
//! penalty is applied, it counts in both penalty sums.
//!
//! ## Fitting and uncertainty
//! The shared optimiser ([`crate::fit::maximize`]) works on the logarithm of
//! positive parameters; the covariate likelihood presents each effect to it
//! as `e^γ`, so that the optimiser's log-scale variable is γ itself (no
//! bound, and the convergence criterion is on `∂PLL/∂γ`). Starts: the plain
//! model's fit (γ = 0) when it succeeds, and scale-aware defaults. Standard
//! errors are `√diag((−H)⁻¹)` with `H` the Hessian of the (penalised, when
//! a penalty is set) log-likelihood in natural parameters (r, α₀, s, β₀, γ):
//! in closed form for static covariates on the Pareto/NBD, BG/NBD and
//! MBG/NBD (the chain rule through the links on the plain models'
//! per-customer Hessians, [`CovariateLikelihood::penalized_hessian`]; the
//! fit then runs Newton's method), by central differences of the analytic
//! gradient for the GGom/NBD (whose likelihood has a numerical integral) and
//! for time-varying covariates; 95% intervals are
//! log-scale Wald intervals for the positive parameters (as every model of
//! the crate) and `γ ± 1.96 SE` for the effects. With a constraint, the
//! Hessian is that of the constrained parameter vector, so the standard
//! errors are those of the constrained model.
//!
//! ## Predictions
//! Each customer's parameters `(r, α_i, s, β_i)` / `(r, α_i, a_i, b_i)` /
//! `(r, α_i, b, s, β_i)` are formed from their covariates, and the plain
//! model's formulas (the registry's [`AnyModel`]) are evaluated with them: P(alive), the
//! conditional expectation E[X(T, T+t) | x, t_x, T] and the unconditional
//! E[X(t)] of a new customer with those covariates.
//!
//! ## Compressed data
//! Customers with the same `(x, t_x, T, z^p, z^d)` have the same likelihood
//! term: [`compress`] groups them and returns weights, and every fit takes a
//! weight vector (as the plain fits do).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fit::{Boundary, FitInfo, FitOptions, Likelihood, maximize};
use crate::models::{AnyModel, ModelInfo, ModelKind, TransactionModel, validate_customers};

/// The [`Likelihood`] the optimiser sees of a covariate likelihood `$t`
/// (each effect as `e^γ`: [`optimiser_value`], [`optimiser_hessian`],
/// [`optimiser_of`]), the one impl of `one_set_likelihood!` and
/// [`CovariateLikelihood`]. `$t` has the fields `names`, `total_weight`
/// and `starts` (natural parameters), an inherent `nb` (how many base
/// parameters), `penalized_log_likelihood` and `$hessian` (value, gradient
/// into its second argument and Hessian of the penalised log-likelihood at
/// natural parameters, `None` without) and, when named, `$boundary`
/// ([`Likelihood::boundary`]; else the trait's default).
macro_rules! optimiser_likelihood {
    ($t:ident, $hessian:ident $(, $boundary:ident)?) => {
        impl $crate::fit::Likelihood for $t<'_> {
            fn names(&self) -> &'static [&'static str] {
                self.names
            }

            fn value_and_gradient(&self, theta: &[f64], grad: &mut [f64]) -> f64 {
                $crate::covariates::optimiser_value(
                    |p, g| self.penalized_log_likelihood(p, g),
                    theta,
                    grad,
                    self.nb(),
                )
            }

            fn value_gradient_hessian(
                &self,
                theta: &[f64],
                grad: &mut [f64],
                hess: &mut [f64],
            ) -> Option<f64> {
                $crate::covariates::optimiser_hessian(
                    |p, g| self.$hessian(p, g),
                    theta,
                    grad,
                    hess,
                    self.nb(),
                )
            }

            fn total_weight(&self) -> f64 {
                self.total_weight
            }

            fn starting_points(&self) -> Vec<Vec<f64>> {
                let nb = self.nb();
                self.starts
                    .iter()
                    .map(|s| $crate::covariates::optimiser_of(s, nb))
                    .collect()
            }

            $(
                fn boundary(&self, theta: &[f64]) -> Option<$crate::fit::Boundary> {
                    self.$boundary(theta)
                }
            )?
        }
    };
}

/// The shared half of a covariate likelihood `$t` with `$nb` positive base
/// parameters followed by one vector of effects, all under the L2 penalty
/// `N λ Σγ²` ([`spend`], [`retention`]): the penalised log-likelihood, its
/// Hessian, the [`Likelihood`] the optimiser sees (each effect as `e^γ`)
/// and the estimates of a fit. `$t` has the fields `names`, `penalty`,
/// `total_weight` and `starts`, an inherent `log_likelihood` (the
/// unpenalised one, with its gradient, at natural parameters) and an
/// inherent `penalized_hessian` (value, gradient and Hessian of the
/// penalised one in closed form, `None` without).
macro_rules! one_set_likelihood {
    ($t:ident, $nb:expr, $name:expr) => {
        impl $t<'_> {
            /// Names of the natural parameters: the base parameters in
            /// registry order, then the effects (`spend_NAME`; `alpha_NAME`
            /// for each covariate, then `beta_NAME`).
            #[must_use]
            pub fn param_names(&self) -> Vec<String> {
                self.names.iter().map(|s| (*s).to_string()).collect()
            }

            /// How many base parameters (`$nb`).
            fn nb(&self) -> usize {
                $nb
            }

            /// The penalised log-likelihood `LL − N λ Σγ²` with its gradient.
            pub fn penalized_log_likelihood(&self, params: &[f64], grad: &mut [f64]) -> f64 {
                let ll = self.log_likelihood(params, grad);
                ll - super::one_set_penalty(params, $nb, self.penalty * self.total_weight, grad)
            }

            /// The Hessian of the penalised log-likelihood in natural
            /// parameters: the closed form of `penalized_hessian` where it
            /// has one, else central differences of the analytic gradient
            /// (steps `1e-5·θ` for the base parameters and
            /// `1e-5·max(1, |γ|)` for the effects), symmetrised.
            #[must_use]
            pub fn hessian(&self, params: &[f64]) -> Vec<Vec<f64>> {
                let mut g = vec![0.0; params.len()];
                match self.penalized_hessian(params, &mut g) {
                    Some((_, h)) => h,
                    None => super::effects_hessian(
                        |p, g| self.penalized_log_likelihood(p, g),
                        params,
                        $nb,
                    ),
                }
            }

            /// Maximises the penalised log-likelihood from `self.starts`
            /// and reports the optimum: the natural parameters, the
            /// unpenalised and penalised log-likelihoods, standard errors
            /// from [`Self::hessian`], the identification check (penalised
            /// effects exempt) and the fit report
            /// ([`super::fit_report`]).
            fn estimate(
                &self,
                options: &$crate::fit::FitOptions,
            ) -> $crate::error::Result<(Vec<f64>, super::CovariateFitInfo)> {
                let (theta, run) = $crate::fit::maximize($name, self, options)?;
                let params = super::natural_of(&theta, $nb);
                let k = params.len();
                let mut g = vec![0.0; k];
                let ll = self.log_likelihood(&params, &mut g);
                let pll = self.penalized_log_likelihood(&params, &mut g);
                let (std_errors, covariance) =
                    $crate::fit::std_errors_and_covariance(&self.hessian(&params), &[]);
                let names = self.param_names();
                let penalised: Vec<usize> = if self.penalty > 0.0 {
                    ($nb..k).collect()
                } else {
                    Vec::new()
                };
                $crate::fit::identified($name, &names, &params, &std_errors, &[], &penalised, $nb)?;
                let info = super::fit_report(
                    &run,
                    super::Estimates {
                        params: &params,
                        n_positive: $nb,
                        log_likelihood: ll,
                        std_errors,
                        covariance,
                    },
                    self.total_weight,
                    options,
                    None,
                );
                let fit = super::CovariateFitInfo {
                    param_names: names,
                    info,
                    penalized_log_likelihood: pll,
                };
                Ok((params, fit))
            }
        }

        optimiser_likelihood!($t, penalized_hessian);
    };
}

/// The accessors and JSON writer of a one-set covariate model `$t` (fields
/// `format_version`, `base`, `names`, `penalty`, `fit`; [`spend`],
/// [`retention`]): its base parameters by name (`$base`, the names in
/// registry order), the covariate names, penalty, fit report, standard
/// errors (named `$se`) and JSON (format version `$version`), and the
/// reading of that JSON (`$what` in its errors) that the model's
/// `from_json` checks further.
macro_rules! one_set_accessors {
    ($t:ident, $base:expr, $se:literal, $version:ident, $what:literal) => {
        impl $t {
            #[doc = concat!("The base parameters by name (", stringify!($base), ": the values at z = 0).")]
            #[must_use]
            pub fn params(&self) -> BTreeMap<String, f64> {
                named(&$base.map(String::from), &self.base)
            }

            /// The covariate names, in the order the predictions take them.
            #[must_use]
            pub fn covariate_names(&self) -> &[String] {
                &self.names
            }

            /// The L2 penalty of the fit (0 for a model built from parameters).
            #[must_use]
            pub fn penalty(&self) -> f64 {
                self.penalty
            }

            /// The fit report, `None` for a model built from parameters.
            #[must_use]
            pub fn fit_info(&self) -> Option<&CovariateFitInfo> {
                self.fit.as_ref()
            }

            #[doc = concat!("Standard errors by name (", $se, "); `None` for a model built from parameters.")]
            #[must_use]
            pub fn std_errors(&self) -> Option<BTreeMap<String, f64>> {
                let f = self.fit.as_ref()?;
                Some(named(&f.param_names, &f.info.std_errors))
            }

            #[doc = concat!("The model as JSON, with `format_version` ([`", stringify!($version), "`]); NaN standard errors as `null`.")]
            ///
            /// # Errors
            /// Serialisation errors (none for a valid model).
            pub fn to_json(&self) -> Result<String> {
                model_json(self)
            }

            /// The model of a JSON text of format version `$version`,
            /// before the checks of a model built from its parameters
            /// ([`read_model_json`]).
            fn read_json(text: &str) -> Result<Self> {
                read_model_json(text, $what, $version, |m: &Self| m.format_version)
            }
        }
    };
}

pub mod dynamic;
pub mod retention;
pub mod spend;

/// The format version written by [`CovariateModel::to_json`].
pub const COVARIATE_FORMAT_VERSION: u32 = 1;

/// z-quantile of the two-sided 95% interval.
const Z_95: f64 = 1.959_963_984_540_054;

/// Most base parameters of a covariate model (GGom/NBD's five).
pub(crate) const MAX_BASE: usize = 5;

/// The per-customer likelihood of a transaction model that purchase and
/// dropout covariates link: what a model file gives (through
/// [`Model::covariate_rows`](crate::models::Model::covariate_rows), beside its
/// [`Model::COVARIATES`](crate::models::Model::COVARIATES)) for the fits of
/// this module. The links, the chain rule, penalties, constraints, starts
/// with γ = 0 and the predictions are generic; a model with covariates
/// writes only this.
pub trait LinkedRows: Sync {
    /// ln L of one customer at the base parameters `p` (registry order),
    /// with its gradient in them written into `g` (the plain model's code).
    /// The customer is `[x, t_x, T]`.
    fn ln_lik_row(&self, p: &[f64], customer: [f64; 3], g: &mut [f64]) -> f64;

    /// ln L of one customer `[x, t_x, T]` with its gradient and Hessian in
    /// the four base parameters of a model with a closed-form Hessian;
    /// `None` (the default) for a model without one, whose covariate fits
    /// difference the analytic gradient.
    fn ln_lik_row_hessian(&self, _p: &[f64], _customer: [f64; 3]) -> Option<RowHessian> {
        None
    }

    /// The indices of the two dropout parameters that run off together on
    /// the ridge of a degenerate dropout mixture ([`Likelihood::boundary`]).
    fn ridge(&self) -> (usize, usize);

    /// What the model reduces to on that ridge, for customer `i` whose two
    /// ridge parameters are `u` and `v`.
    fn ridge_note(&self, i: usize, u: f64, v: f64) -> String;
}

/// ln L of one customer with its gradient and Hessian, the Hessian as the
/// packed upper triangle of the 4×4 matrix (10 numbers, row by row).
pub type RowHessian = (f64, [f64; 4], [f64; 10]);

impl std::fmt::Display for CovariateModel {
    /// `Pareto/NBD with static covariates(r=0.1234, ...; purchase
    /// [Gender=0.4552, ...], dropout [...])`: 4 decimals, effects in
    /// covariate order (Python's `repr`, JS `toString()`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let base = self.named_base();
        let (p, d) = (&self.purchase_effects, &self.dropout_effects);
        write!(
            f,
            "{}({}; purchase [{}], dropout [{}])",
            self.layout.kind.name(),
            pairs_text(base.iter().map(|b| b.0), &self.base),
            pairs_text(self.layout.purchase_names.iter().map(String::as_str), p),
            pairs_text(self.layout.dropout_names.iter().map(String::as_str), d),
        )
    }
}

/// Effects as `(covariate name, γ)` pairs, in the covariate set's order.
pub type NamedEffects = Vec<(String, f64)>;

/// `name=value` pairs with 4 decimals, comma-separated (the `Display` of
/// the covariate models).
fn pairs_text<'a>(names: impl IntoIterator<Item = &'a str>, values: &[f64]) -> String {
    names
        .into_iter()
        .zip(values)
        .map(|(n, x)| format!("{n}={x:.4}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Effects must be finite: the error names the first that is not, as
/// `{prefix}_{name}`.
fn check_finite_effects(prefix: &str, names: &[String], values: &[f64]) -> Result<()> {
    match names.iter().zip(values).find(|(_, v)| !v.is_finite()) {
        Some((n, v)) => Err(Error::invalid(
            format!("{prefix}_{n}"),
            v,
            "a finite effect",
        )),
        None => Ok(()),
    }
}

/// The chain-rule links of a registry model's covariate links
/// ([`ModelSpec::covariates`](crate::models::ModelSpec::covariates)) for the
/// groups of effects `effects`, group j being the linear predictor `η_j`
/// (e.g. `["purchase", "dropout"]`).
fn registry_links(kind: ModelKind, effects: &[&str]) -> Vec<Link> {
    let spec = kind.spec();
    effects
        .iter()
        .enumerate()
        .flat_map(|(eta, name)| {
            let (idx, sign) = spec
                .covariate_link(name)
                .map(|l| l.indices(spec))
                .unwrap_or_else(|| unreachable!("{} links {name} covariates", spec.name));
            idx.into_iter().map(move |param| Link { param, eta, sign })
        })
        .collect()
}

/// A registry model that takes purchase and dropout covariates: one whose
/// [`ModelSpec::covariates`](crate::models::ModelSpec::covariates) link a
/// `purchase` and a `dropout` group and that gives its
/// [`LinkedRows`] (Pareto/NBD, BG/NBD, MBG/NBD, GGom/NBD today). Written in
/// JSON as the registry key (`"pareto_nbd"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CovariateModelKind(ModelKind);

impl Serialize for CovariateModelKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for CovariateModelKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        key.parse::<ModelKind>()
            .and_then(CovariateModelKind::from_model)
            .map_err(serde::de::Error::custom)
    }
}

/// The purchase and dropout links of a covariate model: the indices of the
/// linked base parameters and the sign of the link.
struct Links {
    purchase: (Vec<usize>, f64),
    dropout: (Vec<usize>, f64),
}

impl From<CovariateModelKind> for ModelKind {
    fn from(k: CovariateModelKind) -> ModelKind {
        k.0
    }
}

impl PartialEq<ModelKind> for CovariateModelKind {
    fn eq(&self, other: &ModelKind) -> bool {
        self.0 == *other
    }
}

impl CovariateModelKind {
    /// Every registry model that takes purchase and dropout covariates, in
    /// registry order.
    #[must_use]
    pub fn all() -> Vec<CovariateModelKind> {
        ModelKind::ALL
            .iter()
            .filter_map(|&k| CovariateModelKind::from_model(k).ok())
            .collect()
    }

    /// The names of the base parameters, in order: the registry model's
    /// (`r, alpha, s, beta`; `r, alpha, a, b`; `r, alpha, b, s, beta`).
    #[must_use]
    pub fn base_names(self) -> &'static [&'static str] {
        self.0.spec().params
    }

    /// How many base parameters (4, or 5 for GGom/NBD).
    #[must_use]
    pub fn n_base(self) -> usize {
        self.base_names().len()
    }

    /// The covariate model of a registry model: one whose registry entry
    /// links `purchase` and `dropout` covariates and gives its
    /// [`LinkedRows`].
    ///
    /// # Errors
    /// [`Error::Unsupported`] (operation `covariates`) for any other model,
    /// naming the models that take which covariates.
    pub fn from_model(kind: ModelKind) -> Result<Self> {
        let spec = kind.spec();
        if spec.covariate_link("purchase").is_some()
            && spec.covariate_link("dropout").is_some()
            && kind.covariate_rows().is_some()
        {
            return Ok(CovariateModelKind(kind));
        }
        Err(Error::Unsupported {
            model: spec.name.to_string(),
            operation: "covariates".to_string(),
            reason: covariate_support(),
        })
    }

    /// The registry model it extends.
    #[must_use]
    pub fn model(self) -> ModelKind {
        self.0
    }

    /// The model's display name (`"Pareto/NBD with static covariates"`).
    #[must_use]
    pub fn name(self) -> &'static str {
        // one leaked string per registry model, made once, indexed as
        // `links`
        static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
        NAMES.get_or_init(|| {
            ModelKind::ALL
                .iter()
                .map(|k| &*format!("{} with static covariates", k.spec().name).leak())
                .collect()
        })[self.0 as usize]
    }

    fn rows(self) -> &'static dyn LinkedRows {
        // checked by `from_model`, the only constructor
        self.0
            .covariate_rows()
            .unwrap_or_else(|| unreachable!("a CovariateModelKind has rows"))
    }

    /// The purchase and dropout links ([`ModelSpec::covariates`](crate::models::ModelSpec::covariates)),
    /// read from the registry once.
    fn links(self) -> &'static Links {
        static LINKS: OnceLock<Vec<Option<Links>>> = OnceLock::new();
        let all = LINKS.get_or_init(|| {
            ModelKind::ALL
                .iter()
                .map(|&k| {
                    let spec = k.spec();
                    let of = |effects: &str| Some(spec.covariate_link(effects)?.indices(spec));
                    Some(Links {
                        purchase: of("purchase")?,
                        dropout: of("dropout")?,
                    })
                })
                .collect()
        });
        all[self.0 as usize]
            .as_ref()
            .unwrap_or_else(|| unreachable!("checked by from_model"))
    }
}

/// Which models take which covariates, from the registry: the reason of
/// the refusal of a fit with covariates the model does not take.
#[must_use]
pub fn covariate_support() -> String {
    let mut sets: Vec<(String, Vec<String>)> = Vec::new();
    for &k in ModelKind::ALL {
        let spec = k.spec();
        let mut names: Vec<&str> = spec.covariates.iter().map(|l| l.set).collect();
        names.dedup();
        if names.is_empty() {
            continue;
        }
        let set = names.join(" and ");
        match sets.iter_mut().find(|(s, _)| *s == set) {
            Some((_, models)) => models.push(spec.cli_name()),
            None => sets.push((set, vec![spec.cli_name()])),
        }
    }
    let parts: Vec<String> = sets
        .iter()
        .map(|(set, models)| {
            let list = match models.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                None => String::new(),
            };
            format!("{set} covariates for {list}")
        })
        .collect();
    format!("there are {}", parts.join("; "))
}

/// One named set of covariates: a row of values per customer.
///
/// Checked when built: distinct, non-empty names; every row present with one
/// finite value per name. Nothing is ever filled in or dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Covariates {
    names: Vec<String>,
    /// Row-major, `n_rows × names.len()`.
    values: Vec<f64>,
    n_rows: usize,
}

impl Covariates {
    /// Covariates from one row per customer (`rows[i][k]` = customer i's value
    /// of covariate `names[k]`).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a duplicate or empty name (field
    /// `covariate names`) and for a non-finite value (field `covariates.NAME`,
    /// index = the customer's row); [`Error::LengthMismatch`] for a row of
    /// the wrong length (field `covariates[i]`).
    pub fn new<S: AsRef<str>>(names: &[S], rows: &[Vec<f64>]) -> Result<Self> {
        let names = check_names(names)?;
        let k = names.len();
        let mut values = Vec::with_capacity(rows.len() * k);
        for (i, row) in rows.iter().enumerate() {
            if row.len() != k {
                return Err(Error::LengthMismatch {
                    field: format!("covariates[{i}]"),
                    actual: row.len(),
                    reference: "covariate names".into(),
                    expected: k,
                });
            }
            values.extend_from_slice(row);
        }
        let c = Covariates {
            names,
            values,
            n_rows: rows.len(),
        };
        c.check_finite()?;
        Ok(c)
    }

    /// Covariates from one column per name (`columns[k][i]`).
    /// With no names there are no rows: use [`Covariates::none`] for a
    /// process without covariates.
    ///
    /// # Errors
    /// As [`Covariates::new`]; a column of another length than the first is
    /// [`Error::LengthMismatch`] (field `covariates.NAME`).
    pub fn from_columns<S: AsRef<str>>(names: &[S], columns: &[&[f64]]) -> Result<Self> {
        let names = check_names(names)?;
        same_count(columns.len(), names.len())?;
        let n = columns.first().map_or(0, |c| c.len());
        for (name, c) in names.iter().zip(columns) {
            crate::error::check::same_len(
                &format!("covariates.{name}"),
                c.len(),
                &format!("covariates.{}", names[0]),
                n,
            )?;
        }
        let k = names.len();
        let mut values = vec![0.0; n * k];
        for (j, c) in columns.iter().enumerate() {
            for (i, v) in c.iter().enumerate() {
                values[i * k + j] = *v;
            }
        }
        let c = Covariates {
            names,
            values,
            n_rows: n,
        };
        c.check_finite()?;
        Ok(c)
    }

    /// Covariates looked up by customer id: `ids[j]` owns `rows[j]`, and the
    /// result has one row per entry of `customers`, in that order (e.g. the
    /// ids of a [`crate::summary::Summary`]).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a customer without a row (field
    /// `covariates`, index = the customer's position, value = the id) and
    /// for an id with two rows (field `covariate ids`); those of
    /// [`Covariates::new`]; [`Error::LengthMismatch`] when `ids` and `rows`
    /// differ in length.
    pub fn by_id<S: AsRef<str>, C: AsRef<str>>(
        names: &[S],
        ids: &[C],
        rows: &[Vec<f64>],
        customers: &[C],
    ) -> Result<Self> {
        crate::error::check::same_len("covariate rows", rows.len(), "covariate ids", ids.len())?;
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(ids.len());
        for (j, id) in ids.iter().enumerate() {
            if index.insert(id.as_ref(), j).is_some() {
                return Err(Error::invalid_at(
                    "covariate ids",
                    j,
                    id.as_ref(),
                    "one covariate row per customer id",
                ));
            }
        }
        let picked = customers
            .iter()
            .enumerate()
            .map(|(i, c)| match index.get(c.as_ref()) {
                Some(&j) => Ok(rows[j].clone()),
                None => Err(Error::invalid_at(
                    "covariates",
                    i,
                    c.as_ref(),
                    "a covariate row for every customer (customer id not found)",
                )),
            })
            .collect::<Result<Vec<_>>>()?;
        Covariates::new(names, &picked)
    }

    /// The `process` set (`"purchase"` or `"dropout"`) for `n` customers
    /// from named columns, as the bindings receive it:
    /// [`Covariates::none`]`(n)` without names, else
    /// [`Covariates::from_columns`] (a set of another length than `n` is
    /// reported by the fit or prediction that takes it, field
    /// `purchase_covariates` / `dropout_covariates`).
    ///
    /// # Errors
    /// Those of [`Covariates::from_columns`], their fields naming the
    /// process (`purchase_covariates.NAME`, see [`in_process`]).
    pub fn from_named_columns<S: AsRef<str>>(
        process: &str,
        names: &[S],
        columns: &[&[f64]],
        n: usize,
    ) -> Result<Self> {
        if names.is_empty() && columns.is_empty() {
            return Ok(Covariates::none(n));
        }
        Covariates::from_columns(names, columns).map_err(|e| in_process(process, e))
    }

    /// The `process` set by [`Covariates::by_id`] from columns: `ids[j]`
    /// owns the values `columns[k][j]`; one row per entry of `customers`,
    /// in that order (without names: [`Covariates::none`] for the
    /// customers).
    ///
    /// # Errors
    /// Those of [`Covariates::by_id`] (a customer without a row: field
    /// `purchase_covariates` / `dropout_covariates`, index = the customer's
    /// position, value = the id; a non-finite value: field
    /// `purchase_covariates.NAME`, see [`in_process`]); a column of another
    /// length than `ids` is [`Error::LengthMismatch`] (field
    /// `purchase_covariates.NAME`); a column count other than the names'
    /// (field `covariate columns`).
    pub fn by_id_columns<S: AsRef<str>, C: AsRef<str>>(
        process: &str,
        names: &[S],
        ids: &[C],
        columns: &[&[f64]],
        customers: &[C],
    ) -> Result<Self> {
        if names.is_empty() && columns.is_empty() {
            return Ok(Covariates::none(customers.len()));
        }
        same_count(columns.len(), names.len())?;
        for (name, c) in names.iter().zip(columns) {
            crate::error::check::same_len(
                &format!("{process}_covariates.{}", name.as_ref()),
                c.len(),
                "covariate ids",
                ids.len(),
            )?;
        }
        let rows: Vec<Vec<f64>> = (0..ids.len())
            .map(|i| columns.iter().map(|c| c[i]).collect())
            .collect();
        Covariates::by_id(names, ids, &rows, customers).map_err(|e| in_process(process, e))
    }

    /// No covariates for `n` customers.
    #[must_use]
    pub fn none(n: usize) -> Self {
        Covariates {
            names: Vec::new(),
            values: Vec::new(),
            n_rows: n,
        }
    }

    /// Covariate names, in column order.
    #[must_use]
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of customers (rows).
    #[must_use]
    pub fn len(&self) -> usize {
        self.n_rows
    }

    /// Whether there are no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.n_rows == 0
    }

    /// Customer `i`'s values, in the order of [`Covariates::names`].
    #[must_use]
    pub fn row(&self, i: usize) -> &[f64] {
        let k = self.names.len();
        &self.values[i * k..(i + 1) * k]
    }

    fn check_finite(&self) -> Result<()> {
        let k = self.names.len();
        if k == 0 {
            return Ok(());
        }
        for (idx, v) in self.values.iter().enumerate() {
            if !v.is_finite() {
                return Err(Error::invalid_at(
                    format!("covariates.{}", self.names[idx % k]),
                    idx / k,
                    v,
                    "a finite number (covariates are never filled in)",
                ));
            }
        }
        Ok(())
    }

    /// The same covariates with the field names of errors prefixed by the
    /// process (`purchase_covariates.NAME`).
    fn check_for_fit(&self, process: &str, n: usize, weights: &[f64]) -> Result<()> {
        crate::error::check::same_len(
            &format!("{process}_covariates"),
            self.n_rows,
            "frequency",
            n,
        )?;
        let k = self.names.len();
        for (j, name) in self.names.iter().enumerate() {
            // identified only if the column varies among the rows that count
            let mut first: Option<f64> = None;
            let mut varies = false;
            for i in (0..n).filter(|&i| weights[i] > 0.0) {
                let v = self.values[i * k + j];
                match first {
                    None => first = Some(v),
                    Some(f) if f != v => {
                        varies = true;
                        break;
                    }
                    Some(_) => {}
                }
            }
            if !varies {
                return Err(Error::invalid(
                    format!("{process}_covariates.{name}"),
                    format!("constant {}", first.unwrap_or(f64::NAN)),
                    "a column that varies across customers (a constant column is not identified \
                     beside the model's scale parameter)",
                ));
            }
        }
        Ok(())
    }
}

/// An error about the values of one covariate set with the process in its
/// field: `covariates` → `purchase_covariates` (a customer without a row),
/// `covariates.NAME` → `purchase_covariates.NAME` (a non-finite value);
/// other errors unchanged.
pub fn in_process(process: &str, e: Error) -> Error {
    let named = |f: &str| f == "covariates" || f.starts_with("covariates.");
    e.rename_fields(|f| {
        if named(&f) {
            format!("{process}_{f}")
        } else {
            f
        }
    })
}

/// One column per covariate name ([`Error::LengthMismatch`] otherwise).
fn same_count(columns: usize, names: usize) -> Result<()> {
    crate::error::check::same_len("covariate columns", columns, "covariate names", names)
}

fn check_names<S: AsRef<str>>(names: &[S]) -> Result<Vec<String>> {
    let mut seen = HashSet::new();
    for (i, n) in names.iter().enumerate() {
        let n = n.as_ref();
        if n.is_empty() {
            return Err(Error::invalid_at(
                "covariate names",
                i,
                "\"\"",
                "a non-empty name",
            ));
        }
        if !seen.insert(n) {
            return Err(Error::invalid_at(
                "covariate names",
                i,
                n,
                "distinct names (this one is a duplicate)",
            ));
        }
    }
    Ok(names.iter().map(|n| n.as_ref().to_string()).collect())
}

/// Options of a covariate fit.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CovariateOptions {
    /// L2 penalty λ_p on the purchase effects (CLVTools `reg.lambdas["trans"]`), ≥ 0.
    pub penalty_purchase: f64,
    /// L2 penalty λ_d on the dropout effects (CLVTools `reg.lambdas["life"]`), ≥ 0.
    pub penalty_dropout: f64,
    /// Covariates forced to have the same effect on purchase and dropout
    /// (CLVTools `names.cov.constr`); each must be in both sets.
    pub constrain_equal: Vec<String>,
    /// Optimiser options; `penalty` must stay 0 (the covariate penalties
    /// above replace it).
    pub fit: FitOptions,
}

/// How the free parameter vector maps to the base parameters and the effects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Layout {
    kind: CovariateModelKind,
    purchase_names: Vec<String>,
    dropout_names: Vec<String>,
    /// Purchase columns with their own effect.
    free_p: Vec<usize>,
    /// Dropout columns with their own effect.
    free_d: Vec<usize>,
    /// (purchase column, dropout column) sharing one effect.
    constr: Vec<(usize, usize)>,
}

impl Layout {
    fn new(
        kind: CovariateModelKind,
        purchase: &[String],
        dropout: &[String],
        constrain: &[String],
    ) -> Result<Self> {
        let mut constr = Vec::new();
        let mut seen = HashSet::new();
        for (i, c) in constrain.iter().enumerate() {
            if !seen.insert(c.as_str()) {
                return Err(Error::invalid_at(
                    "constrain_equal",
                    i,
                    c,
                    "distinct names (this one is a duplicate)",
                ));
            }
            let p = purchase.iter().position(|n| n == c);
            let d = dropout.iter().position(|n| n == c);
            match (p, d) {
                (Some(p), Some(d)) => constr.push((p, d)),
                _ => {
                    return Err(Error::invalid_at(
                        "constrain_equal",
                        i,
                        c,
                        "the name of a covariate present in both the purchase and the dropout set",
                    ));
                }
            }
        }
        let free_p = (0..purchase.len())
            .filter(|j| !constr.iter().any(|c| c.0 == *j))
            .collect();
        let free_d = (0..dropout.len())
            .filter(|j| !constr.iter().any(|c| c.1 == *j))
            .collect();
        Ok(Layout {
            kind,
            purchase_names: purchase.to_vec(),
            dropout_names: dropout.to_vec(),
            free_p,
            free_d,
            constr,
        })
    }

    /// How many base parameters.
    fn nb(&self) -> usize {
        self.kind.n_base()
    }

    fn n_params(&self) -> usize {
        self.nb() + self.free_p.len() + self.free_d.len() + self.constr.len()
    }

    /// Names of the free parameters: the base names, `purchase_NAME`,
    /// `dropout_NAME`, then `constrained_NAME`.
    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .kind
            .base_names()
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        v.extend(
            self.free_p
                .iter()
                .map(|&j| format!("purchase_{}", self.purchase_names[j])),
        );
        v.extend(
            self.free_d
                .iter()
                .map(|&j| format!("dropout_{}", self.dropout_names[j])),
        );
        v.extend(
            self.constr
                .iter()
                .map(|&(j, _)| format!("constrained_{}", self.purchase_names[j])),
        );
        v
    }

    /// The effect columns each free parameter past the base four sets, in
    /// order: its purchase column, its dropout column (both for a
    /// constrained effect).
    fn slots(&self) -> impl Iterator<Item = (Option<usize>, Option<usize>)> + '_ {
        let free_p = self.free_p.iter().map(|&j| (Some(j), None));
        let free_d = self.free_d.iter().map(|&j| (None, Some(j)));
        let constr = self.constr.iter().map(|&(p, d)| (Some(p), Some(d)));
        free_p.chain(free_d).chain(constr)
    }

    /// The full effect vectors (one per column) from the free parameters.
    fn expand(&self, params: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let mut gp = vec![0.0; self.purchase_names.len()];
        let mut gd = vec![0.0; self.dropout_names.len()];
        for ((p, d), &v) in self.slots().zip(&params[self.nb()..]) {
            if let Some(p) = p {
                gp[p] = v;
            }
            if let Some(d) = d {
                gd[d] = v;
            }
        }
        (gp, gd)
    }

    /// The gradient in the free parameters from that in the full effects
    /// (a constrained effect collects both).
    fn collect(&self, base: &[f64], dp: &[f64], dd: &[f64], out: &mut [f64]) {
        let nb = self.nb();
        out[..nb].copy_from_slice(&base[..nb]);
        for ((p, d), o) in self.slots().zip(&mut out[nb..]) {
            *o = p.map_or(0.0, |p| dp[p]) + d.map_or(0.0, |d| dd[d]);
        }
    }
}

/// The parameters `(r, α_i, ·, ·[, ·])` of one customer from the base
/// parameters and the linear predictors `η_p = γ_pᵀz^p`, `η_d = γ_dᵀz^d`;
/// the first [`CovariateModelKind::n_base`] entries are used.
fn customer_params(
    kind: CovariateModelKind,
    base: &[f64],
    eta_p: f64,
    eta_d: f64,
) -> [f64; MAX_BASE] {
    let mut p = [0.0; MAX_BASE];
    let nb = kind.n_base();
    p[..nb].copy_from_slice(&base[..nb]);
    let links = kind.links();
    for ((idx, sign), eta) in [(&links.purchase, eta_p), (&links.dropout, eta_d)] {
        let f = (sign * eta).exp();
        for &j in idx {
            p[j] *= f;
        }
    }
    p
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The covariate log-likelihood of a data set (see the [module docs](self)).
///
/// Natural parameters (for [`CovariateLikelihood::penalized_log_likelihood`]):
/// the four base parameters (> 0), then one effect per free purchase
/// covariate, one per free dropout covariate, one per constrained covariate
/// ([`CovariateLikelihood::param_names`]). As a [`Likelihood`] (for the
/// optimiser), each effect γ is presented as `e^γ`.
pub struct CovariateLikelihood<'a> {
    layout: Layout,
    names: &'static [&'static str],
    x: &'a [f64],
    tx: &'a [f64],
    t: &'a [f64],
    data: Data<'a>,
    w: Vec<f64>,
    total_weight: f64,
    penalty_purchase: f64,
    penalty_dropout: f64,
    starts: Vec<Vec<f64>>,
}

/// Where each customer's covariates come from.
enum Data<'a> {
    /// One row per customer in each set.
    Static {
        zp: &'a Covariates,
        zd: &'a Covariates,
    },
    /// Piecewise-constant covariates over time ([`dynamic`]).
    Dynamic(&'a dynamic::DynamicData),
}

/// A covariate fit's penalty is in its own options: the plain fit options'
/// `penalty` (`fit_penalty`) must be 0; `instead` says in the error what
/// takes its place.
fn no_fit_penalty(fit_penalty: f64, instead: &str) -> Result<()> {
    if fit_penalty == 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            "penalty",
            fit_penalty,
            format!("0 ({instead})"),
        ))
    }
}

/// The starting points of a covariate fit of `k` natural parameters: each
/// of the plain model's `starts` (its base parameters), with no effect.
fn padded_starts<B: AsRef<[f64]>>(starts: impl IntoIterator<Item = B>, k: usize) -> Vec<Vec<f64>> {
    starts
        .into_iter()
        .map(|b| {
            let b = b.as_ref();
            let mut v = vec![0.0; k];
            v[..b.len()].copy_from_slice(b);
            v
        })
        .collect()
}

/// `&'static` parameter names for [`Likelihood::names`], interned: each
/// distinct list is leaked once, however many fits use it.
fn intern_names(names: &[String]) -> &'static [&'static str] {
    static CACHE: OnceLock<Mutex<HashMap<Vec<String>, &'static [&'static str]>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = match cache.lock() {
        Ok(m) => m,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(v) = map.get(names) {
        return v;
    }
    let leaked: Vec<&'static str> = names
        .iter()
        .map(|n| &*Box::leak(n.clone().into_boxed_str()))
        .collect();
    let slice: &'static [&'static str] = Box::leak(leaked.into_boxed_slice());
    map.insert(names.to_vec(), slice);
    slice
}

impl<'a> CovariateLikelihood<'a> {
    /// Checks the inputs and builds the likelihood.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for a model without purchase and dropout
    /// covariates ([`CovariateModelKind::from_model`]); the customers as
    /// [`validate_customers`]; weights (finite, ≥ 0,
    /// positive sum, field `weights`); each covariate set with one row per
    /// customer ([`Error::LengthMismatch`], field `purchase_covariates` /
    /// `dropout_covariates`) and no constant column ([`Error::InvalidValue`],
    /// field `purchase_covariates.NAME`); a name shared by both sets unless
    /// constrained is fine; penalties finite and ≥ 0; `constrain_equal`
    /// names in both sets; `options.fit.penalty` must be 0.
    #[allow(clippy::too_many_arguments)] // the arrays of a fit, as `fit`
    pub fn new(
        kind: impl Into<ModelKind>,
        frequency: &'a [f64],
        recency: &'a [f64],
        t: &'a [f64],
        purchase: &'a Covariates,
        dropout: &'a Covariates,
        weights: Option<&[f64]>,
        options: &CovariateOptions,
    ) -> Result<Self> {
        let kind = CovariateModelKind::from_model(kind.into())?;
        validate_customers(frequency, recency, t)?;
        let n = frequency.len();
        if n == 0 {
            return Err(Error::Empty {
                field: "frequency".into(),
                reason: "a fit needs at least one customer".into(),
            });
        }
        let w = crate::models::weights_or_ones(weights, n)?;
        purchase.check_for_fit("purchase", n, &w)?;
        dropout.check_for_fit("dropout", n, &w)?;
        Self::build(
            kind,
            [frequency, recency, t],
            Data::Static {
                zp: purchase,
                zd: dropout,
            },
            [purchase.names(), dropout.names()],
            w,
            options,
        )
    }

    /// The likelihood of the Pareto/NBD with time-varying covariates
    /// ([`dynamic`]) on `data`, whose covariate sets are the purchase and
    /// dropout sets.
    ///
    /// # Errors
    /// Weights (one per customer, finite, ≥ 0, positive sum); a covariate
    /// constant over every period of every customer who counts
    /// ([`Error::InvalidValue`], field `purchase_covariates.NAME`); the
    /// penalties and `constrain_equal` as [`CovariateLikelihood::new`].
    pub fn dynamic(
        data: &'a dynamic::DynamicData,
        weights: Option<&[f64]>,
        options: &CovariateOptions,
    ) -> Result<Self> {
        let n = data.len();
        let mut w = crate::models::weights_or_ones(weights, n)?;
        data.check_for_fit(&w)?;
        data.merge_identical(&mut w);
        Self::build(
            CovariateModelKind(ModelKind::ParetoNbd),
            [&data.frequency, &data.recency, &data.t],
            Data::Dynamic(data),
            [data.purchase_names(), data.dropout_names()],
            w,
            options,
        )
    }

    fn build(
        kind: CovariateModelKind,
        [frequency, recency, t]: [&'a [f64]; 3],
        data: Data<'a>,
        [purchase, dropout]: [&[String]; 2],
        w: Vec<f64>,
        options: &CovariateOptions,
    ) -> Result<Self> {
        crate::error::check::non_negative("penalty_purchase", options.penalty_purchase)?;
        crate::error::check::non_negative("penalty_dropout", options.penalty_dropout)?;
        no_fit_penalty(
            options.fit.penalty,
            "covariate fits take penalty_purchase and penalty_dropout instead",
        )?;
        let layout = Layout::new(kind, purchase, dropout, &options.constrain_equal)?;
        let names = intern_names(&layout.names());
        let total_weight = w.iter().sum();
        // the plain model's scale-aware starts, γ = 0
        let k = layout.n_params();
        let plain = AnyModel::likelihood(kind.model(), &[frequency, recency, t], Some(&w))?;
        let starts = padded_starts(plain.starting_points(), k);
        Ok(CovariateLikelihood {
            layout,
            names,
            x: frequency,
            tx: recency,
            t,
            data,
            w,
            total_weight,
            penalty_purchase: options.penalty_purchase,
            penalty_dropout: options.penalty_dropout,
            starts,
        })
    }

    /// Names of the natural parameters, in order: the base parameters,
    /// `purchase_NAME`, `dropout_NAME`, `constrained_NAME`.
    #[must_use]
    pub fn param_names(&self) -> Vec<String> {
        self.layout.names()
    }

    /// The (unpenalised) log-likelihood `Σ wᵢ ln Lᵢ` at natural parameters,
    /// with its gradient written into `grad`.
    pub fn log_likelihood(&self, params: &[f64], grad: &mut [f64]) -> f64 {
        let lay = &self.layout;
        let kind = lay.kind;
        let nb = lay.nb();
        let base = &params[..nb];
        let (gp, gd) = lay.expand(params);
        let links = kind.links();
        let rows = kind.rows();
        // ∂ ln L_i/∂η = Σ_θ σ g_θ θ_i over the parameters a link scales
        let d_eta = |(idx, sign): &(Vec<usize>, f64), g: &[f64], p: &[f64]| -> f64 {
            idx.iter().map(|&j| sign * g[j] * p[j]).sum()
        };
        let mut total = 0.0;
        let mut g_base = [0.0; MAX_BASE];
        let mut dp = vec![0.0; gp.len()];
        let mut dd = vec![0.0; gd.len()];
        for i in 0..self.x.len() {
            let wi = self.w[i];
            if wi == 0.0 {
                continue;
            }
            let (zp, zd) = match &self.data {
                Data::Static { zp, zd } => (zp.row(i), zd.row(i)),
                Data::Dynamic(d) => {
                    total += d
                        .ln_lik_customer(i, base, [&gp, &gd], wi, &mut g_base, [&mut dp, &mut dd])
                        .0;
                    continue;
                }
            };
            let (eta_p, eta_d) = (dot(&gp, zp), dot(&gd, zd));
            let p = customer_params(kind, base, eta_p, eta_d);
            let mut g = [0.0; MAX_BASE];
            total +=
                wi * rows.ln_lik_row(&p[..nb], [self.x[i], self.tx[i], self.t[i]], &mut g[..nb]);
            // ∂/∂θ₀ = g θ_i/θ₀ (θ_i = θ₀ for the unlinked r, s, b)
            for j in 0..nb {
                g_base[j] += wi * g[j] * p[j] / base[j];
            }
            let d_eta_p = d_eta(&links.purchase, &g, &p);
            let d_eta_d = d_eta(&links.dropout, &g, &p);
            for (a, z) in dp.iter_mut().zip(zp) {
                *a += wi * d_eta_p * z;
            }
            for (a, z) in dd.iter_mut().zip(zd) {
                *a += wi * d_eta_d * z;
            }
        }
        lay.collect(&g_base, &dp, &dd, grad);
        total
    }

    /// The penalised log-likelihood
    /// `PLL = LL − N (λ_p Σγ_p² + λ_d Σγ_d²)` (module docs) at natural
    /// parameters, with its gradient written into `grad`.
    pub fn penalized_log_likelihood(&self, params: &[f64], grad: &mut [f64]) -> f64 {
        let ll = self.log_likelihood(params, grad);
        let (pen, dpen) = self.penalty(params);
        for (g, d) in grad.iter_mut().zip(dpen) {
            *g -= d;
        }
        ll - pen
    }

    /// The penalty term and its gradient in the natural parameters.
    fn penalty(&self, params: &[f64]) -> (f64, Vec<f64>) {
        let n = self.total_weight;
        let (lp, ld) = (self.penalty_purchase * n, self.penalty_dropout * n);
        let (gp, gd) = self.layout.expand(params);
        let pen = lp * dot(&gp, &gp) + ld * dot(&gd, &gd);
        let dp: Vec<f64> = gp.iter().map(|g| 2.0 * lp * g).collect();
        let dd: Vec<f64> = gd.iter().map(|g| 2.0 * ld * g).collect();
        let mut out = vec![0.0; params.len()];
        self.layout.collect(&[0.0; MAX_BASE], &dp, &dd, &mut out);
        (pen, out)
    }

    /// Natural parameters from the optimiser's (effects as `e^γ`).
    fn natural(&self, theta: &[f64]) -> Vec<f64> {
        natural_of(theta, self.layout.nb())
    }

    /// The ridge of a time-varying fit where s and β₀ run off together
    /// with s/β₀ fixed, as the plain Pareto/NBD's ([`crate::models::shapes_run_off`]:
    /// s past 1, β₀ past 100 times the longest T, the penalised
    /// log-likelihood as high within 0.01 with both 10³ times larger): the
    /// Gamma heterogeneity of the dropout rate vanishes and customer i
    /// leaves at the rate `(s/β₀)·e^{γ_dᵀz_i(t)}`. Newton's method on the
    /// differenced Hessian stops along this ridge far below the absolute
    /// 10⁶ of [`Likelihood::boundary`] (apparel with a penalty: s ≈ 4.7·10³,
    /// β₀ ≈ 4.5·10⁵), where that Hessian is too poor for [`flat_ridge`].
    fn dynamic_shapes_run_off(&self, p: &[f64]) -> Option<Boundary> {
        let Data::Dynamic(_) = self.data else {
            return None;
        };
        let tmax = crate::models::max_age(self.t, &self.w);
        let k = p.len();
        let ll = |q: &[f64]| self.penalized_log_likelihood(q, &mut vec![0.0; k]);
        if !crate::models::shapes_run_off(ll, p, [2, 3], [1.0, 100.0 * tmax]) {
            return None;
        }
        Some(Boundary {
            params: vec![2, 3],
            note: format!(
                "s, beta -> inf together (s = {:.3e}, beta = {:.3e}): the Gamma heterogeneity of \
                 the dropout rate vanishes, each customer leaves at the rate s/beta * \
                 exp(gamma_d'z(t)) with s/beta = {:.6e}; the standard errors of s and beta are \
                 not reported",
                p[2],
                p[3],
                p[2] / p[3]
            ),
        })
    }

    /// The Hessian of the penalised log-likelihood in natural parameters:
    /// in closed form ([`Self::penalized_hessian`]) for static covariates on
    /// the Pareto/NBD, BG/NBD and MBG/NBD; otherwise (GGom/NBD, time-varying
    /// covariates) by central differences of the analytic gradient (steps
    /// `1e-5·θ` for the base parameters, `1e-5·max(1, |γ|)` for the
    /// effects), symmetrised.
    #[must_use]
    pub fn hessian(&self, params: &[f64]) -> Vec<Vec<f64>> {
        let mut g = vec![0.0; params.len()];
        match self.penalized_hessian(params, &mut g) {
            Some((_, h)) => h,
            None => effects_hessian(
                |p, g| self.penalized_log_likelihood(p, g),
                params,
                self.layout.nb(),
            ),
        }
    }

    /// The penalised log-likelihood, its gradient (into `grad`) and its
    /// Hessian in natural parameters, in closed form, where the model has a
    /// closed-form per-customer Hessian and the covariates are static
    /// (`None` otherwise).
    ///
    /// The chain rule through the links, in two stages. First in the
    /// reduced variables `v = (θ₀, η_p, η_d)` of one customer (the base
    /// parameters and the two linear predictors): with `θ_i,j = θ₀,j e^{σ_j
    /// η}` (σ_j = ±1 for a linked parameter, module docs), `J = ∂θ_i/∂v`
    /// (`∂θ_i,j/∂θ₀,j = θ_i,j/θ₀,j`, `∂θ_i,j/∂η = σ_j θ_i,j`) and `g`, `H`
    /// the plain model's gradient and Hessian at `θ_i`,
    /// ```text
    /// ∂² ln L_i/∂v∂v' = Jᵀ H J + Σ_j g_j ∂²θ_i,j/∂v∂v',
    /// ∂²θ_i,j/∂θ₀,j∂η = σ_j θ_i,j/θ₀,j,   ∂²θ_i,j/∂η² = θ_i,j.
    /// ```
    /// Then, η being linear in the effects (`∂η_p/∂γ_p,k = z_ik^p`), the
    /// entries of the effects are those of η times the covariates:
    /// `∂²/∂γ_k∂γ_l = ∂²/∂η∂η' · z_k z_l`, `∂²/∂θ₀∂γ_k = ∂²/∂θ₀∂η · z_k`.
    /// The penalty adds `−2Nλ` on the diagonal of the effects, and a
    /// constrained effect (in both processes) collects the four blocks of
    /// its two copies.
    pub fn penalized_hessian(
        &self,
        params: &[f64],
        grad: &mut [f64],
    ) -> Option<(f64, Vec<Vec<f64>>)> {
        let Data::Static { zp, zd } = &self.data else {
            return None;
        };
        let lay = &self.layout;
        let kind = lay.kind;
        let nb = lay.nb();
        if nb != 4 {
            return None;
        }
        let base = &params[..nb];
        let (gp, gd) = lay.expand(params);
        let (kp, kd) = (gp.len(), gd.len());
        let e = nb + kp + kd;
        let links = registry_links(kind.model(), &["purchase", "dropout"]);
        let rows = kind.rows();
        let mut acc = LinkedHessian::new(nb, &[kp, kd]);
        for i in 0..self.x.len() {
            let wi = self.w[i];
            if wi == 0.0 {
                continue;
            }
            let (zpi, zdi) = (zp.row(i), zd.row(i));
            let p = customer_params(kind, base, dot(&gp, zpi), dot(&gd, zdi));
            let (v, g, h) =
                rows.ln_lik_row_hessian(&p[..nb], [self.x[i], self.tx[i], self.t[i]])?;
            let h = |j: usize, l: usize| h[crate::models::tri(j, l)];
            acc.add(wi, base, &p[..nb], v, &g, h, &links, &[zpi, zdi]);
        }
        let (total, g_exp, mut h_exp) = acc.finish();
        // the penalty's curvature (module docs) on the effects as expanded;
        // its value and gradient are [`Self::penalty`]'s
        let n = self.total_weight;
        let (lp, ld) = (self.penalty_purchase * n, self.penalty_dropout * n);
        for u in nb..e {
            h_exp[u * (e + 1)] -= 2.0 * if u < nb + kp { lp } else { ld };
        }
        // to the free parameters: Mᵀ (·) M with `collect` as Mᵀ
        let k = lay.n_params();
        let to_free = |v: &[f64], out: &mut [f64]| {
            lay.collect(&v[..nb], &v[nb..nb + kp], &v[nb + kp..], out);
        };
        to_free(&g_exp, grad);
        let (pen, dpen) = self.penalty(params);
        for (g, d) in grad.iter_mut().zip(dpen) {
            *g -= d;
        }
        let mut rows = vec![vec![0.0; k]; e];
        for (u, row) in rows.iter_mut().enumerate() {
            to_free(&h_exp[u * e..(u + 1) * e], row);
        }
        let mut hess = vec![vec![0.0; k]; k];
        let mut col = vec![0.0; e];
        let mut out = vec![0.0; k];
        for a in 0..k {
            for (c, row) in col.iter_mut().zip(&rows) {
                *c = row[a];
            }
            to_free(&col, &mut out);
            for (b, &v) in out.iter().enumerate() {
                hess[b][a] = v;
            }
        }
        Some((total - pen, hess))
    }

    /// How many base parameters.
    fn nb(&self) -> usize {
        self.layout.nb()
    }

    /// The penalised value, gradient and Hessian the optimiser takes
    /// ([`optimiser_likelihood!`]): the closed form
    /// ([`CovariateLikelihood::penalized_hessian`]) where there is one;
    /// with time-varying covariates the differenced Hessian, so that the
    /// fit runs Newton's method and stops on a ridge
    /// ([`Self::dynamic_shapes_run_off`]) instead of L-BFGS creeping along
    /// it for minutes.
    fn optimiser_penalized_hessian(
        &self,
        p: &[f64],
        g: &mut [f64],
    ) -> Option<(f64, Vec<Vec<f64>>)> {
        self.penalized_hessian(p, g).or_else(|| match self.data {
            Data::Dynamic(_) => {
                let v = self.penalized_log_likelihood(p, g);
                Some((v, self.hessian(p)))
            }
            Data::Static { .. } => None,
        })
    }

    /// The ridges of the apparel-like data sets (issue 15): for some
    /// customers both dropout parameters run off to ∞ (Pareto/NBD: s and
    /// β_i, every such lifetime exponential with rate s/β_i; BG/NBD: a_i and
    /// b_i, a dropout probability fixed at a_i/(a_i+b_i)), through the base
    /// parameters or a dropout effect running to ±∞. The dropout side's
    /// standard errors are then not reported.
    fn ridge_boundary(&self, theta: &[f64]) -> Option<Boundary> {
        const FAR: f64 = 1e6;
        let p = self.natural(theta);
        let nb = self.layout.nb();
        let (ja, jb) = self.layout.kind.rows().ridge();
        let (_, gd) = self.layout.expand(&p);
        let mut worst: Option<(usize, [f64; MAX_BASE])> = None;
        for i in (0..self.x.len()).filter(|&i| self.w[i] > 0.0) {
            let eta_d = match &self.data {
                Data::Static { zd, .. } => dot(&gd, zd.row(i)),
                // the period where β_i is largest
                Data::Dynamic(d) => d.min_dropout_eta(i, &gd),
            };
            let c = customer_params(self.layout.kind, &p[..nb], 0.0, eta_d);
            if c[ja] > FAR && c[jb] > FAR && worst.is_none_or(|(_, w)| c[jb] > w[jb]) {
                worst = Some((i, c));
            }
        }
        let Some((i, c)) = worst else {
            return self.dynamic_shapes_run_off(&p);
        };
        let (u, v) = (c[ja], c[jb]);
        let what = self.layout.kind.rows().ridge_note(i, u, v);
        let k_free = nb + self.layout.free_p.len();
        let mut params = vec![ja, jb];
        params.extend(k_free..self.layout.n_params());
        Some(Boundary {
            params,
            note: format!("{what}; the dropout parameters' standard errors are not reported"),
        })
    }
}

/// One exponential link of a covariate model: the customer's base
/// parameter `param` is `θ₀ · exp(sign · η)`, `η` the linear predictor
/// number `eta` (`γᵀz` of one set of effects).
#[derive(Debug, Clone, Copy)]
struct Link {
    param: usize,
    eta: usize,
    sign: f64,
}

/// Σ wᵢ ln Lᵢ with its gradient and Hessian in the expanded variables
/// (θ₀, the effects of predictor 0, of predictor 1, …), by the chain rule
/// through exponential [`Link`]s from each customer's value `v`, gradient
/// `g` and Hessian `H` in the base parameters at their own `θ_i`.
///
/// Per customer, first in the reduced variables `u = (θ₀, η₀, η₁, …)`: with
/// `J = ∂θ_i/∂u` (`∂θ_i,j/∂θ₀,j = θ_i,j/θ₀,j`; `∂θ_i,j/∂η = σ θ_i,j` for a
/// link of sign σ),
/// ```text
/// ∂² ln Lᵢ/∂u∂u' = Jᵀ H J + Σ_links g_j ∂²θ_i,j/∂u∂u',
/// ∂²θ_i,j/∂θ₀,j∂η = σ θ_i,j/θ₀,j,   ∂²θ_i,j/∂η² = θ_i,j;
/// ```
/// then, η being linear in its effects (`∂η/∂γ_k = z_k`), an effect's
/// entries are its predictor's times the covariates: `∂²/∂γ_k∂γ'_l =
/// ∂²/∂η∂η' · z_k z'_l`, `∂²/∂θ₀∂γ_k = ∂²/∂θ₀∂η · z_k`.
struct LinkedHessian {
    nb: usize,
    /// The reduced variable of each expanded one: (index, its predictor's
    /// set and covariate, or `None` for a base parameter).
    map: Vec<(usize, Option<(usize, usize)>)>,
    total: f64,
    g: Vec<f64>,
    /// Row-major `e × e`, upper triangle until [`LinkedHessian::finish`].
    h: Vec<f64>,
}

/// Most reduced variables: [`MAX_BASE`] base parameters and 3 predictors.
const MAX_REDUCED: usize = MAX_BASE + 3;

impl LinkedHessian {
    /// `nb` base parameters, then predictors with `lens[e]` effects each.
    fn new(nb: usize, lens: &[usize]) -> Self {
        let mut map: Vec<(usize, Option<(usize, usize)>)> = (0..nb).map(|j| (j, None)).collect();
        for (eta, &len) in lens.iter().enumerate() {
            map.extend((0..len).map(|k| (nb + eta, Some((eta, k)))));
        }
        let e = map.len();
        LinkedHessian {
            nb,
            map,
            total: 0.0,
            g: vec![0.0; e],
            h: vec![0.0; e * e],
        }
    }

    /// Adds customer i with weight `w`: base parameters `base`, its own
    /// `theta`, ln Lᵢ = `v` with gradient `g` and Hessian `h(j, l)` in
    /// them; `zs[e]` the customer's covariates of predictor e.
    #[allow(clippy::too_many_arguments)] // one customer's terms
    #[allow(clippy::needless_range_loop)] // index notation mirrors the matrix algebra
    fn add(
        &mut self,
        w: f64,
        base: &[f64],
        theta: &[f64],
        v: f64,
        g: &[f64],
        h: impl Fn(usize, usize) -> f64,
        links: &[Link],
        zs: &[&[f64]],
    ) {
        let nb = self.nb;
        let r = nb + zs.len();
        let mut jac = [[0.0; MAX_REDUCED]; MAX_BASE];
        for j in 0..nb {
            jac[j][j] = theta[j] / base[j];
        }
        for l in links {
            jac[l.param][nb + l.eta] = l.sign * theta[l.param];
        }
        let mut red = [[0.0; MAX_REDUCED]; MAX_REDUCED];
        let mut g_red = [0.0; MAX_REDUCED];
        for u in 0..r {
            for j in 0..nb {
                g_red[u] += g[j] * jac[j][u];
            }
            for t in u..r {
                let mut s = 0.0;
                for j in (0..nb).filter(|&j| jac[j][u] != 0.0) {
                    for l in (0..nb).filter(|&l| jac[l][t] != 0.0) {
                        s += jac[j][u] * h(j, l) * jac[l][t];
                    }
                }
                red[u][t] = s;
            }
        }
        for l in links {
            let (j, eta) = (l.param, nb + l.eta);
            red[j][eta] += g[j] * l.sign * theta[j] / base[j];
            red[eta][eta] += g[j] * theta[j];
        }
        self.total += w * v;
        let e = self.map.len();
        let factor =
            |(u, z): (usize, Option<(usize, usize)>)| (u, z.map_or(1.0, |(eta, k)| zs[eta][k]));
        for a in 0..e {
            let (ua, ca) = factor(self.map[a]);
            if ca == 0.0 {
                continue;
            }
            self.g[a] += w * ca * g_red[ua];
            for b in a..e {
                let (ub, cb) = factor(self.map[b]);
                let rv = if ua <= ub { red[ua][ub] } else { red[ub][ua] };
                self.h[a * e + b] += w * ca * cb * rv;
            }
        }
    }

    /// The total, its gradient and its (full, symmetric) Hessian.
    fn finish(mut self) -> (f64, Vec<f64>, Vec<f64>) {
        let e = self.map.len();
        for a in 0..e {
            for b in 0..a {
                self.h[a * e + b] = self.h[b * e + a];
            }
        }
        (self.total, self.g, self.h)
    }
}

/// The natural parameters of the optimiser's vector `theta`: the first `nb`
/// (positive) as they are, then each effect γ from the `e^γ` the optimiser
/// works with (module docs, "Fitting and uncertainty").
fn natural_of(theta: &[f64], nb: usize) -> Vec<f64> {
    theta
        .iter()
        .enumerate()
        .map(|(j, &v)| if j < nb { v } else { v.ln() })
        .collect()
}

/// The optimiser's vector of natural parameters `p` (the inverse of
/// [`natural_of`]: each effect as `e^γ`).
fn optimiser_of(p: &[f64], nb: usize) -> Vec<f64> {
    p.iter()
        .enumerate()
        .map(|(j, &v)| if j < nb { v } else { v.exp() })
        .collect()
}

/// [`Likelihood::value_and_gradient`] of a covariate likelihood whose
/// `penalized` log-likelihood takes natural parameters: at the optimiser's
/// `theta`, with the gradient in its coordinates (`∂/∂e^γ = (∂/∂γ)/e^γ`).
fn optimiser_value(
    penalized: impl Fn(&[f64], &mut [f64]) -> f64,
    theta: &[f64],
    grad: &mut [f64],
    nb: usize,
) -> f64 {
    let v = penalized(&natural_of(theta, nb), grad);
    for j in nb..theta.len() {
        grad[j] /= theta[j];
    }
    v
}

/// [`Likelihood::value_gradient_hessian`] of a covariate likelihood whose
/// `penalized_hessian` (value, gradient into its second argument, Hessian)
/// takes natural parameters: at the optimiser's `theta`, where each effect
/// is `u = e^γ`, `∂f/∂u = f_γ/u` and `∂²f/∂u∂u' = f_γγ'/(u u') − δ f_γ/u²`
/// (so that on the optimiser's log scale, ln u = γ, the Hessian is `f_γγ'`
/// again). `None` where the likelihood has no closed-form Hessian.
fn optimiser_hessian(
    penalized_hessian: impl Fn(&[f64], &mut [f64]) -> Option<(f64, Vec<Vec<f64>>)>,
    theta: &[f64],
    grad: &mut [f64],
    hess: &mut [f64],
    nb: usize,
) -> Option<f64> {
    let (v, h) = penalized_hessian(&natural_of(theta, nb), grad)?;
    let k = theta.len();
    let scale = |j: usize| if j < nb { 1.0 } else { 1.0 / theta[j] };
    for a in 0..k {
        for b in 0..k {
            hess[a * k + b] = h[a][b] * scale(a) * scale(b);
        }
    }
    for j in nb..k {
        hess[j * k + j] -= grad[j] / (theta[j] * theta[j]);
        grad[j] /= theta[j];
    }
    Some(v)
}

/// The penalised value, gradient (into `grad`) and Hessian of a one-set
/// likelihood (`one_set_likelihood!`) from its [`LinkedHessian`] over
/// the natural parameters `params` (`nb` base parameters, then effects all
/// under `LL − lam Σγ²`, `lam` = N λ).
fn one_set_penalized(
    acc: LinkedHessian,
    params: &[f64],
    nb: usize,
    lam: f64,
    grad: &mut [f64],
) -> (f64, Vec<Vec<f64>>) {
    let (total, g, h) = acc.finish();
    grad.copy_from_slice(&g);
    let pen = one_set_penalty(params, nb, lam, grad);
    let mut hess: Vec<Vec<f64>> = h.chunks(params.len()).map(<[f64]>::to_vec).collect();
    for (j, row) in hess.iter_mut().enumerate().skip(nb) {
        row[j] -= 2.0 * lam;
    }
    (total - pen, hess)
}

/// The L2 penalty `lam Σγ²` on the effects `params[nb..]` of a one-set
/// likelihood (`lam` = N λ), its gradient `2 lam γ` subtracted from
/// `grad[nb..]`: the one place both the penalised log-likelihood and its
/// closed-form Hessian ([`one_set_penalized`]) take it from.
fn one_set_penalty(params: &[f64], nb: usize, lam: f64, grad: &mut [f64]) -> f64 {
    let effects = &params[nb..];
    for (g, e) in grad[nb..].iter_mut().zip(effects) {
        *g -= 2.0 * lam * e;
    }
    lam * dot(effects, effects)
}

/// The Hessian in natural parameters of a covariate likelihood's
/// `penalized` log-likelihood, by central differences of its analytic
/// gradient (steps `1e-5·θ` for the `nb` positive parameters,
/// `1e-5·max(1, |γ|)` for the effects), symmetrised.
fn effects_hessian(
    penalized: impl Fn(&[f64], &mut [f64]) -> f64,
    params: &[f64],
    nb: usize,
) -> Vec<Vec<f64>> {
    crate::fit::hessian_of(
        |p, g| {
            penalized(p, g);
        },
        params,
        |j, v| {
            if j < nb {
                1e-5 * v
            } else {
                1e-5 * v.abs().max(1.0)
            }
        },
    )
}

optimiser_likelihood!(
    CovariateLikelihood,
    optimiser_penalized_hessian,
    ridge_boundary
);

/// A ridge through an optimum whose estimates are not all identified: the
/// log-likelihood's flattest direction `v` (the principal eigenvector of
/// the covariance in the optimiser's coordinates ln θ for the base
/// parameters and γ for the effects, by power iteration), scaled to
/// `max |vᵢ| = 1`. When the penalised log-likelihood, maximised over the
/// others ([`profile_reaches`]), is as high (within 0.01) with the estimate of the
/// largest `|vᵢ|` moved `±ln 10³` along `v`, the estimates with `|vᵢ| ≥ 0.1` run off
/// together toward a limit of the model that the data cannot tell from the
/// optimum reached. On CLVTools' apparel cohort (Pareto/NBD, Gender and
/// Channel on both processes) β₀ ≈ 1.4·10⁴ and the Channel dropout effect
/// run off so that customers of one channel never leave (issue 15, item
/// 5: "with covariates, β runs to 1e4"); on a handful of customers r and
/// α₀ run off together (no purchase heterogeneity).
fn flat_ridge(
    lik: &CovariateLikelihood<'_>,
    params: &[f64],
    covariance: &[Vec<f64>],
    names: &[String],
) -> Option<Boundary> {
    const FAR: f64 = 6.907_755_278_982_137; // ln 10³
    let k = params.len();
    let nb = lik.layout.nb();
    // the covariance of (ln θ_base, γ)
    let scale = |i: usize| if i < nb { params[i] } else { 1.0 };
    let c: Vec<Vec<f64>> = (0..k)
        .map(|i| {
            (0..k)
                .map(|j| covariance[i][j] / (scale(i) * scale(j)))
                .collect()
        })
        .collect();
    if c.iter().flatten().any(|v| !v.is_finite()) {
        return None;
    }
    let mut v = vec![1.0; k];
    for _ in 0..500 {
        let w: Vec<f64> = c.iter().map(|row| dot(row, &v)).collect();
        let norm = w.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
        if !(norm > 0.0 && norm.is_finite()) {
            return None;
        }
        v = w.iter().map(|x| x / norm).collect();
    }
    // optimiser coordinates: θ for the base parameters, e^γ for the effects
    let at = |t: f64| -> Vec<f64> {
        (0..k)
            .map(|i| {
                let l = if i < nb { params[i].ln() } else { params[i] };
                (l + t * v[i]).exp()
            })
            .collect()
    };
    let here = lik.value_and_gradient(&at(0.0), &mut vec![0.0; k]);
    let d = (0..k).fold(0, |m, i| if v[i].abs() > v[m].abs() { i } else { m });
    let t = [FAR, -FAR]
        .into_iter()
        .find(|&t| profile_reaches(lik, lik.natural(&at(t)), d, here - 1e-2))?;
    let moving: Vec<usize> = (0..k).filter(|&i| v[i].abs() >= 0.1).collect();
    let what: Vec<String> = moving
        .iter()
        .map(|&i| {
            let up = t * v[i] > 0.0;
            match (i < nb, up) {
                (true, true) => format!("{} -> inf", names[i]),
                (true, false) => format!("{} -> 0", names[i]),
                (false, true) => format!("{} -> +inf", names[i]),
                (false, false) => format!("{} -> -inf", names[i]),
            }
        })
        .collect();
    Some(Boundary {
        params: moving,
        note: format!(
            "{} together: the log-likelihood is as high (within 0.01) with them 10^3 times \
             farther along its flattest direction, a limit of the model the data cannot tell from \
             the optimum reached; their standard errors are not reported",
            what.join(", ")
        ),
    })
}

/// Whether the penalised log-likelihood maximised over every parameter but
/// `fixed` from `p` (natural parameters) reaches `target`: at most 10
/// Newton steps on the others, each halved until it gains (the profile
/// along a ridge, [`flat_ridge`]).
fn profile_reaches(
    lik: &CovariateLikelihood<'_>,
    mut p: Vec<f64>,
    fixed: usize,
    target: f64,
) -> bool {
    let k = p.len();
    let mut g = vec![0.0; k];
    let mut best = lik.penalized_log_likelihood(&p, &mut g);
    for _ in 0..10 {
        if !best.is_finite() || best >= target {
            return best >= target;
        }
        let (_, cov) = crate::fit::std_errors_and_covariance(&lik.hessian(&p), &[fixed]);
        let step: Vec<f64> = (0..k)
            .map(|i| match i == fixed {
                true => 0.0,
                false => (0..k)
                    .filter(|&j| j != fixed)
                    .map(|j| cov[i][j] * g[j])
                    .sum(),
            })
            .collect();
        if step.iter().any(|s| !s.is_finite()) {
            return false;
        }
        let mut gained = false;
        let mut h = 1.0;
        for _ in 0..30 {
            let q: Vec<f64> = p.iter().zip(&step).map(|(a, s)| a + h * s).collect();
            let mut gq = vec![0.0; k];
            let v = if q[..lik.layout.nb()].iter().all(|&b| b > 0.0) {
                lik.penalized_log_likelihood(&q, &mut gq)
            } else {
                f64::NEG_INFINITY
            };
            if v.is_finite() && v > best {
                gained = v - best > 1e-9;
                (p, g, best) = (q, gq, v);
                break;
            }
            h /= 2.0;
        }
        if !gained {
            break;
        }
    }
    best >= target
}

/// A fitted (or given) Pareto/NBD, BG/NBD, MBG/NBD or GGom/NBD model with
/// static covariates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CovariateModel {
    format_version: u32,
    layout: Layout,
    /// The base parameters in the registry model's order: r, α₀, s, β₀;
    /// r, α₀, a₀, b₀; or r, α₀, b, s, β₀.
    base: Vec<f64>,
    /// One effect per purchase covariate (constrained ones repeated).
    purchase_effects: Vec<f64>,
    /// One effect per dropout covariate (constrained ones repeated).
    dropout_effects: Vec<f64>,
    penalty_purchase: f64,
    penalty_dropout: f64,
    fit: Option<CovariateFitInfo>,
}

/// What a covariate fit reports besides the parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CovariateFitInfo {
    /// Names of the free parameters, the order of `info`'s vectors and of
    /// the covariance ([`CovariateLikelihood::param_names`]).
    pub param_names: Vec<String>,
    /// The fit report in that order: `log_likelihood` is the unpenalised LL
    /// at the optimum, standard errors from the (penalised) Hessian, 95%
    /// intervals log-scale for the base parameters and `γ ± 1.96 SE` for the
    /// effects, AIC/BIC with k = the number of free parameters.
    pub info: FitInfo,
    /// The penalised log-likelihood at the optimum (= `info.log_likelihood`
    /// without penalty).
    pub penalized_log_likelihood: f64,
}

/// Fits a Pareto/NBD, BG/NBD, MBG/NBD or GGom/NBD model with static
/// covariates.
///
/// `purchase` and `dropout` hold one row per customer (in the order of
/// `frequency`); either may have no columns ([`Covariates::none`]).
///
/// # Errors
/// [`Error::Unsupported`] (operation `covariates`) for a model without
/// purchase and dropout covariates ([`CovariateModelKind::from_model`]);
/// those of [`CovariateLikelihood::new`] and of [`maximize`] (e.g.
/// [`Error::NotConverged`]); [`Error::NotIdentified`] (field the parameter,
/// e.g. `r` or `purchase_Gender`) when an estimate that is neither at a
/// reported boundary nor penalised has no finite standard error or one
/// more than [`crate::fit::MAX_RELATIVE_STD_ERROR`] times its value
/// (`max(1, |γ|)` for an effect), as for a plain fit.
///
/// # Example
/// ```
/// use clv::covariates::{fit, CovariateModelKind, CovariateOptions, Covariates};
/// use clv::models::ModelKind;
/// let pnbd = CovariateModelKind::from_model(ModelKind::ParetoNbd)?;
/// let x = [0.0, 1.0, 3.0, 0.0, 2.0, 5.0, 1.0, 0.0];
/// let tx = [0.0, 10.0, 30.0, 0.0, 20.0, 35.0, 5.0, 0.0];
/// let t = [40.0; 8];
/// let z = Covariates::new(&["Gender"], &[0., 0., 0., 0., 1., 1., 1., 1.].map(|v| vec![v]))?;
/// // Eight customers say nothing about the spread of the purchase rates:
/// // r and α₀ run off together, a typed outcome, not a silent success
/// // (the fits of docs/covariates.md use CLVTools' 600 apparel customers).
/// let e = fit(pnbd, &x, &tx, &t, &z, &Covariates::none(8), None,
///             &CovariateOptions::default()).unwrap_err();
/// assert_eq!((e.code(), e.field()), ("NOT_IDENTIFIED", Some("r")));
/// # Ok::<(), clv::Error>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn fit(
    kind: impl Into<ModelKind>,
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
    purchase: &Covariates,
    dropout: &Covariates,
    weights: Option<&[f64]>,
    options: &CovariateOptions,
) -> Result<CovariateModel> {
    let lik = CovariateLikelihood::new(
        kind, frequency, recency, t, purchase, dropout, weights, options,
    )?;
    fit_likelihood(lik, options)
}

/// The estimates of a covariate fit at its optimum: the natural
/// parameters (the first `n_positive` positive, then the effects), the
/// unpenalised log-likelihood, standard errors and covariance.
struct Estimates<'a> {
    params: &'a [f64],
    n_positive: usize,
    log_likelihood: f64,
    std_errors: Vec<f64>,
    covariance: Vec<Vec<f64>>,
}

/// The fit report of a covariate fit (static, time-varying or spend): the
/// optimiser's counts from `run`, 95% intervals (log-scale Wald for the
/// positive parameters, `γ ± 1.96 SE` for the effects, NaN without a
/// standard error), AIC/BIC with k = the number of parameters, `boundary`
/// and the unit of `options`; no customers left out (a spend fit adds its own).
fn fit_report(
    run: &FitInfo,
    e: Estimates<'_>,
    total_weight: f64,
    options: &FitOptions,
    boundary: Option<String>,
) -> FitInfo {
    let ci_95 = e
        .params
        .iter()
        .zip(&e.std_errors)
        .enumerate()
        .map(|(j, (&p, &s))| {
            if !s.is_finite() {
                (f64::NAN, f64::NAN)
            } else if j < e.n_positive {
                let m = (Z_95 * s / p).exp();
                (p / m, p * m)
            } else {
                (p - Z_95 * s, p + Z_95 * s)
            }
        })
        .collect();
    let (aic, bic) = FitInfo::information_criteria(e.log_likelihood, e.params.len(), total_weight);
    FitInfo {
        log_likelihood: e.log_likelihood,
        std_errors: e.std_errors,
        ci_95,
        iterations: run.iterations,
        converged: run.converged,
        gradient_norm: run.gradient_norm,
        n_observations: total_weight,
        boundary,
        left_out: None,
        unit: options.unit.map(|u| u.to_string()),
        aic,
        bic,
        covariance: e.covariance,
        warnings: Vec::new(),
    }
}

/// A covariate model as JSON (NaN standard errors as `null`).
fn model_json<T: Serialize>(m: &T) -> Result<String> {
    serde_json::to_string(m)
        .map_err(|e| Error::invalid("model", e.to_string(), "a serialisable model"))
}

/// Reads the JSON of a covariate model (`what`, for the error) whose
/// `format_version` (read by `version_of`) must be `version`.
fn read_model_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
    version: u32,
    version_of: impl Fn(&T) -> u32,
) -> Result<T> {
    let m: T = serde_json::from_str(text)
        .map_err(|e| Error::invalid("json", e.to_string(), format!("a {what}'s JSON")))?;
    if version_of(&m) != version {
        return Err(Error::invalid(
            "format_version",
            version_of(&m),
            format!("{version}"),
        ));
    }
    Ok(m)
}

/// A model JSON's effects as `(name, effect)` pairs; the effects must be
/// one per covariate name.
fn checked_pairs<'a>(names: &'a [String], effects: &[f64]) -> Result<Vec<(&'a str, f64)>> {
    if names.len() != effects.len() {
        return Err(Error::invalid(
            "json",
            effects.len(),
            format!("{} effects, one per covariate name", names.len()),
        ));
    }
    Ok(names
        .iter()
        .map(String::as_str)
        .zip(effects.iter().copied())
        .collect())
}

/// Fits a covariate likelihood (static, or [`dynamic`]): the starts, the
/// optimum, its standard errors, ridge and identification checks.
fn fit_likelihood(
    mut lik: CovariateLikelihood<'_>,
    options: &CovariateOptions,
) -> Result<CovariateModel> {
    let kind = lik.layout.kind;
    let [frequency, recency, t] = [lik.x, lik.tx, lik.t];
    // the plain model's optimum (all effects 0) is the first start, when it
    // is an interior one (at a boundary the plain shapes are past 10⁴, a
    // start from which the effects cannot pull the fit back)
    let w = lik.w.clone();
    let interior = |info: Option<&FitInfo>| info.is_some_and(|i| i.boundary.is_none());
    let nb = lik.layout.nb();
    let plain = AnyModel::fit(
        kind.model(),
        &[frequency, recency, t],
        Some(&w),
        &options.fit,
    )
    .ok()
    .filter(|m| interior(m.info().fit_info()))
    .map(|m| m.values());
    if let Some(b) = plain {
        let mut s = vec![0.0; lik.layout.n_params()];
        s[..nb].copy_from_slice(&b);
        lik.starts.insert(0, s);
    }
    let (theta, info) = maximize(kind.name(), &lik, &options.fit)?;
    let params = lik.natural(&theta);
    let (mut base_excluded, mut boundary) = match (&info.boundary, lik.boundary(&theta)) {
        (Some(note), Some(b)) => (b.params, Some(note.clone())),
        _ => (Vec::new(), None),
    };
    let k = params.len();
    let mut g = vec![0.0; k];
    let ll = lik.log_likelihood(&params, &mut g);
    let pll = lik.penalized_log_likelihood(&params, &mut g);
    let h = lik.hessian(&params);
    let (mut std_errors, mut covariance) =
        crate::fit::std_errors_and_covariance(&h, &base_excluded);
    // As a plain fit's: every parameter not running off at a boundary and
    // not penalised must be identified (e.g. r and α₀ running off together
    // on a handful of customers, or a covariate that separates them),
    // unless the optimum found lies on a ridge ([`flat_ridge`]).
    let penalised: Vec<usize> = lik
        .layout
        .slots()
        .enumerate()
        .filter_map(|(j, (p, d))| {
            let on = (p.is_some() && options.penalty_purchase > 0.0)
                || (d.is_some() && options.penalty_dropout > 0.0);
            on.then_some(nb + j)
        })
        .collect();
    let names = lik.layout.names();
    let check = |skip: &[usize], se: &[f64]| {
        let skip: Vec<usize> = skip.iter().chain(&penalised).copied().collect();
        crate::fit::identified(kind.name(), &names, &params, se, &[], &skip, nb)
    };
    if boundary.is_none()
        && check(&base_excluded, &std_errors).is_err()
        && let Some(b) = flat_ridge(&lik, &params, &covariance, &names)
    {
        (std_errors, covariance) = crate::fit::std_errors_and_covariance(&h, &b.params);
        (base_excluded, boundary) = (b.params, Some(b.note));
    }
    check(&base_excluded, &std_errors)?;
    let fit_info = fit_report(
        &info,
        Estimates {
            params: &params,
            n_positive: nb,
            log_likelihood: ll,
            std_errors,
            covariance,
        },
        lik.total_weight,
        &options.fit,
        boundary,
    );
    let (gp, gd) = lik.layout.expand(&params);
    Ok(CovariateModel {
        format_version: COVARIATE_FORMAT_VERSION,
        base: params[..nb].to_vec(),
        purchase_effects: gp,
        dropout_effects: gd,
        penalty_purchase: options.penalty_purchase,
        penalty_dropout: options.penalty_dropout,
        fit: Some(CovariateFitInfo {
            param_names: lik.layout.names(),
            info: fit_info,
            penalized_log_likelihood: pll,
        }),
        layout: lik.layout,
    })
}

impl CovariateModel {
    /// A model with given parameters: `base` in the order of
    /// [`CovariateModelKind::base_names`] ((r, α₀, s, β₀), (r, α₀, a₀, b₀)
    /// or (r, α₀, b, s, β₀)), one effect per purchase and per dropout
    /// covariate (by name, in the order of the covariate sets used for
    /// predictions).
    ///
    /// # Errors
    /// [`Error::Unsupported`] for a model without purchase and dropout
    /// covariates ([`CovariateModelKind::from_model`]);
    /// [`Error::InvalidValue`] (field `params`) for a wrong number of base
    /// parameters; base parameters finite and > 0 (field named), effects
    /// finite, duplicate names.
    pub fn from_params(
        kind: impl Into<ModelKind>,
        base: &[f64],
        purchase: &[(&str, f64)],
        dropout: &[(&str, f64)],
    ) -> Result<Self> {
        let kind = CovariateModelKind::from_model(kind.into())?;
        if base.len() != kind.n_base() {
            return Err(Error::invalid(
                "params",
                base.len(),
                format!(
                    "{} values ({})",
                    kind.n_base(),
                    kind.base_names().join(", ")
                ),
            ));
        }
        for (name, &v) in kind.base_names().iter().zip(base) {
            crate::error::check::parameter(name, v)?;
        }
        let pn: Vec<&str> = purchase.iter().map(|p| p.0).collect();
        let dn: Vec<&str> = dropout.iter().map(|p| p.0).collect();
        let pn = check_names(&pn)?;
        let dn = check_names(&dn)?;
        let values = |set: &[(&str, f64)]| set.iter().map(|p| p.1).collect::<Vec<f64>>();
        check_finite_effects("purchase", &pn, &values(purchase))?;
        check_finite_effects("dropout", &dn, &values(dropout))?;
        Ok(CovariateModel {
            format_version: COVARIATE_FORMAT_VERSION,
            layout: Layout::new(kind, &pn, &dn, &[])?,
            base: base.to_vec(),
            purchase_effects: purchase.iter().map(|p| p.1).collect(),
            dropout_effects: dropout.iter().map(|p| p.1).collect(),
            penalty_purchase: 0.0,
            penalty_dropout: 0.0,
            fit: None,
        })
    }

    /// Which model.
    #[must_use]
    pub fn kind(&self) -> CovariateModelKind {
        self.layout.kind
    }

    /// The base parameters by name: `r, alpha, s, beta` (Pareto/NBD),
    /// `r, alpha, a, b` (BG/NBD, MBG/NBD) or `r, alpha, b, s, beta`
    /// (GGom/NBD), α₀ etc. being the values at z = 0.
    #[must_use]
    pub fn params(&self) -> BTreeMap<String, f64> {
        self.layout
            .kind
            .base_names()
            .iter()
            .zip(&self.base)
            .map(|(n, &v)| ((*n).to_string(), v))
            .collect()
    }

    /// The base parameters in order ([`CovariateModelKind::base_names`]).
    #[must_use]
    pub fn base(&self) -> &[f64] {
        &self.base
    }

    /// Purchase effects by covariate name (γ_p; CLVTools `trans.NAME`).
    #[must_use]
    pub fn purchase_effects(&self) -> BTreeMap<String, f64> {
        named(&self.layout.purchase_names, &self.purchase_effects)
    }

    /// Dropout effects by covariate name (γ_d; CLVTools `life.NAME`).
    #[must_use]
    pub fn dropout_effects(&self) -> BTreeMap<String, f64> {
        named(&self.layout.dropout_names, &self.dropout_effects)
    }

    /// The base parameters as `(name, value)` pairs, in registry order.
    #[must_use]
    pub fn named_base(&self) -> Vec<(&'static str, f64)> {
        self.layout
            .kind
            .base_names()
            .iter()
            .copied()
            .zip(self.base.iter().copied())
            .collect()
    }

    /// The purchase and the dropout effects, each as `(name, γ)` pairs in
    /// its covariate set's order (the order of [`CovariateModel::covariate_names`]).
    #[must_use]
    pub fn ordered_effects(&self) -> (NamedEffects, NamedEffects) {
        let pairs =
            |names: &[String], e: &[f64]| names.iter().cloned().zip(e.iter().copied()).collect();
        (
            pairs(&self.layout.purchase_names, &self.purchase_effects),
            pairs(&self.layout.dropout_names, &self.dropout_effects),
        )
    }

    /// The purchase and the dropout covariate names, in the order of the
    /// covariate sets the predictions take.
    #[must_use]
    pub fn covariate_names(&self) -> (&[String], &[String]) {
        (&self.layout.purchase_names, &self.layout.dropout_names)
    }

    /// The covariates whose purchase and dropout effects were constrained equal.
    #[must_use]
    pub fn constrained(&self) -> Vec<String> {
        self.layout
            .constr
            .iter()
            .map(|&(p, _)| self.layout.purchase_names[p].clone())
            .collect()
    }

    /// The fit report, `None` for a model built from parameters.
    #[must_use]
    pub fn fit_info(&self) -> Option<&CovariateFitInfo> {
        self.fit.as_ref()
    }

    /// Standard errors by name: the base parameters, `purchase_NAME` and
    /// `dropout_NAME` (a constrained effect under both names, with its one
    /// standard error). `None` for a model built from parameters.
    #[must_use]
    pub fn std_errors(&self) -> Option<BTreeMap<String, f64>> {
        let f = self.fit.as_ref()?;
        let mut out = BTreeMap::new();
        for (name, &se) in f.param_names.iter().zip(&f.info.std_errors) {
            if let Some(c) = name.strip_prefix("constrained_") {
                out.insert(format!("purchase_{c}"), se);
                out.insert(format!("dropout_{c}"), se);
            } else {
                out.insert(name.clone(), se);
            }
        }
        Some(out)
    }

    /// Each customer's own parameters `(r, α_i, s, β_i)`, `(r, α_i, a_i, b_i)`
    /// or `(r, α_i, b, s, β_i)`: the registry model's values for that
    /// customer.
    ///
    /// # Errors
    /// The covariate sets must have the model's names, in the same order
    /// (field `purchase_covariates` / `dropout_covariates`), and the same
    /// number of rows.
    pub fn customer_params(
        &self,
        purchase: &Covariates,
        dropout: &Covariates,
    ) -> Result<Vec<Vec<f64>>> {
        self.check_sets(purchase, dropout)?;
        let nb = self.layout.nb();
        Ok((0..purchase.len())
            .map(|i| {
                customer_params(
                    self.layout.kind,
                    &self.base,
                    dot(&self.purchase_effects, purchase.row(i)),
                    dot(&self.dropout_effects, dropout.row(i)),
                )[..nb]
                    .to_vec()
            })
            .collect())
    }

    fn check_sets(&self, purchase: &Covariates, dropout: &Covariates) -> Result<()> {
        for (process, set, names) in [
            ("purchase", purchase, &self.layout.purchase_names),
            ("dropout", dropout, &self.layout.dropout_names),
        ] {
            if set.names() != names.as_slice() {
                return Err(Error::invalid(
                    format!("{process}_covariates"),
                    format!("[{}]", set.names().join(", ")),
                    format!(
                        "the model's covariates [{}], in that order",
                        names.join(", ")
                    ),
                ));
            }
        }
        crate::error::check::same_len(
            "dropout_covariates",
            dropout.len(),
            "purchase_covariates",
            purchase.len(),
        )?;
        Ok(())
    }

    /// Checks the customers and evaluates `f` with the plain model of each
    /// customer's parameters on that customer's `(x, t_x, T)` (one-element
    /// arrays); its first value.
    fn each_customer(
        &self,
        [frequency, recency, t]: [&[f64]; 3],
        purchase: &Covariates,
        dropout: &Covariates,
        f: impl Fn(&dyn TransactionModel, &[f64], &[f64], &[f64]) -> Result<Vec<f64>>,
    ) -> Result<Vec<f64>> {
        validate_customers(frequency, recency, t)?;
        self.per_customer(purchase, dropout, frequency.len(), |m, i| {
            let one = |a: &[f64]| [a[i]];
            f(m, &one(frequency), &one(recency), &one(t))
                .map(|v| v[0])
                .map_err(|e| e.at_row(i))
        })
    }

    /// Evaluates `f` with the plain model of each customer's parameters.
    fn per_customer(
        &self,
        purchase: &Covariates,
        dropout: &Covariates,
        n: usize,
        f: impl Fn(&dyn TransactionModel, usize) -> Result<f64>,
    ) -> Result<Vec<f64>> {
        let params = self.customer_params(purchase, dropout)?;
        crate::error::check::same_len("purchase_covariates", params.len(), "frequency", n)?;
        let kind = self.layout.kind.model();
        params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                f(
                    AnyModel::from_values(kind, p)?.transaction(kind.as_str())?,
                    i,
                )
            })
            .collect()
    }

    /// E[X(h)] of a new customer with each row's covariates.
    ///
    /// # Errors
    /// As [`CovariateModel::customer_params`]; `h` as the plain model's.
    pub fn expected_purchases_new(
        &self,
        h: f64,
        purchase: &Covariates,
        dropout: &Covariates,
    ) -> Result<Vec<f64>> {
        self.per_customer(purchase, dropout, purchase.len(), |m, _| {
            m.expected_purchases_new(h)
        })
    }

    /// P(X(h) = n) of a new customer with each row's covariates (the PMF of
    /// the plain model at that row's parameters); `n` a whole number given
    /// as a float (as the bindings pass it).
    ///
    /// # Errors
    /// As [`CovariateModel::customer_params`]; `n` ([`Error::InvalidValue`]
    /// for a negative, fractional or huge count) and `h` as the plain
    /// model's.
    pub fn prob_purchases(
        &self,
        n: f64,
        h: f64,
        purchase: &Covariates,
        dropout: &Covariates,
    ) -> Result<Vec<f64>> {
        let n = crate::models::whole_count("n", n)?;
        self.per_customer(purchase, dropout, purchase.len(), |m, _| {
            m.prob_purchases(n, h)
        })
    }

    /// The model as JSON, with `format_version`
    /// ([`COVARIATE_FORMAT_VERSION`]); NaN standard errors are written as
    /// `null`.
    ///
    /// # Errors
    /// Serialisation errors (none for a valid model).
    pub fn to_json(&self) -> Result<String> {
        model_json(self)
    }

    /// Reads a model written by [`CovariateModel::to_json`].
    ///
    /// # Errors
    /// [`Error::InvalidValue`] (field `json`) for malformed JSON or another
    /// format version (field `format_version`).
    pub fn from_json(text: &str) -> Result<Self> {
        let m: CovariateModel = read_model_json(
            text,
            "covariate model",
            COVARIATE_FORMAT_VERSION,
            |m: &CovariateModel| m.format_version,
        )?;
        // the checks of a model built from its parameters
        CovariateModel::from_params(
            m.layout.kind,
            &m.base,
            &checked_pairs(&m.layout.purchase_names, &m.purchase_effects)?,
            &checked_pairs(&m.layout.dropout_names, &m.dropout_effects)?,
        )?;
        Ok(m)
    }
}

fn named(names: &[String], values: &[f64]) -> BTreeMap<String, f64> {
    names.iter().cloned().zip(values.iter().copied()).collect()
}

/// Groups customers with the same `(x, t_x, T, z^p, z^d)` (the covariate
/// cell): returns the index of one representative row per group, in order
/// of first appearance, and each group's weight (the sum of `weights`, or
/// the count). A fit on the representatives with these weights equals the
/// fit on all rows.
///
/// # Errors
/// Lengths: the covariate sets and `weights` must have one row per customer.
pub fn compress(
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
    purchase: &Covariates,
    dropout: &Covariates,
    weights: Option<&[f64]>,
) -> Result<(Vec<usize>, Vec<f64>)> {
    let n = frequency.len();
    crate::error::check::same_len("recency", recency.len(), "frequency", n)?;
    crate::error::check::same_len("T", t.len(), "frequency", n)?;
    crate::error::check::same_len("purchase_covariates", purchase.len(), "frequency", n)?;
    crate::error::check::same_len("dropout_covariates", dropout.len(), "frequency", n)?;
    let w = crate::models::weights_or_ones(weights, n)?;
    let key = |i: usize| -> Vec<u64> {
        [frequency[i], recency[i], t[i]]
            .iter()
            .chain(purchase.row(i))
            .chain(dropout.row(i))
            // +0.0 and −0.0 are one cell
            .map(|v| (v + 0.0).to_bits())
            .collect()
    };
    Ok(crate::scale::group_rows(n, key, Some(&w)))
}

impl Covariates {
    /// The rows at `indices` (e.g. the representatives of [`compress`]).
    #[must_use]
    pub fn select(&self, indices: &[usize]) -> Covariates {
        let mut values = Vec::with_capacity(indices.len() * self.names.len());
        for &i in indices {
            values.extend_from_slice(self.row(i));
        }
        Covariates {
            names: self.names.clone(),
            values,
            n_rows: indices.len(),
        }
    }
}

/// The predictions of [`CovariateModel`] per customer `(x, t_x, T)` with
/// that customer's covariates: each the plain model's prediction at the
/// customer's parameters (`CovariateModel::each_customer`), with the
/// arguments of the prediction first, then the customers' arrays and both
/// covariate sets. A `let` line checks an argument before any customer.
macro_rules! customer_predictions {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty),*) $(let $v:ident = $check:expr;)?
            => |$m:ident, $x:ident, $tx:ident, $t:ident| $call:expr;
    )*) => {
        impl CovariateModel {
            $(
                $(#[$doc])*
                #[allow(clippy::too_many_arguments)] // the customers' arrays and both sets
                pub fn $name(
                    &self,
                    $($arg: $ty,)*
                    frequency: &[f64],
                    recency: &[f64],
                    t: &[f64],
                    purchase: &Covariates,
                    dropout: &Covariates,
                ) -> Result<Vec<f64>> {
                    $(let $v = $check;)?
                    self.each_customer(
                        [frequency, recency, t],
                        purchase,
                        dropout,
                        |$m, $x, $tx, $t| $call,
                    )
                }
            )*
        }
    };
}

customer_predictions! {
    /// P(alive at T | x, t_x, T) per customer, with that customer's covariates.
    ///
    /// # Errors
    /// Those of [`CovariateModel::customer_params`], of the customers
    /// ([`validate_customers`]) and of the plain model.
    fn prob_alive() => |m, x, tx, tt| m.prob_alive(x, tx, tt);

    /// E[X(T, T+h) | x, t_x, T] per customer (the conditional expectation),
    /// with that customer's covariates.
    ///
    /// # Errors
    /// As [`CovariateModel::prob_alive`]; `h` as the plain model's.
    fn expected_purchases(h: f64) => |m, x, tx, tt| m.expected_purchases(h, x, tx, tt);

    /// P(X(T, T+h) = n | x, t_x, T) per customer, with that customer's
    /// covariates (the plain model's conditional PMF).
    ///
    /// # Errors
    /// As [`CovariateModel::prob_purchases`] and
    /// [`CovariateModel::prob_alive`].
    fn prob_purchases_conditional(n: f64, h: f64) let n = crate::models::whole_count("n", n)?;
        => |m, x, tx, tt| m.prob_purchases_conditional(n, h, x, tx, tt);

    /// Discounted expected residual transactions per customer, with that
    /// customer's covariates, where the plain model has them in closed form
    /// (Pareto/NBD: continuous rate δ per unit).
    ///
    /// # Errors
    /// As [`CovariateModel::prob_alive`]; [`Error::Unsupported`] for a
    /// model without DERT (BG/NBD, MBG/NBD, GGom/NBD).
    fn dert(discount: f64) => |m, x, tx, tt| m.dert(discount, x, tx, tt);

    /// Per-customer log-likelihood `ln Lᵢ` with each customer's covariates.
    ///
    /// # Errors
    /// As [`CovariateModel::prob_alive`].
    fn log_likelihood() => |m, x, tx, tt| m.log_likelihood(x, tx, tt);
}
