//! # The model registry
//!
//! Every model of the crate is one entry of [`for_each_model!`](crate::for_each_model)
//! (in `models/mod.rs`, beside the model's `mod` line) plus one file (its
//! math and its [`Model`] impl). From that line the
//! crate generates [`ModelKind`] (with its [`ModelSpec`]: JSON key, display
//! name, class name in the bindings, family, parameter and input names) and
//! [`AnyModel`], an enum that holds any model and dispatches every
//! prediction (the `ModelWrapper` pattern of the tokenizers crate). The CLI
//! and the Python, Node and WebAssembly bindings generate their classes and
//! commands from the same line, so a capability written against [`Model`]
//! or [`AnyModel`] appears everywhere at once.
//!
//! The lifecycle of every model is the same: [`Model::from_values`] (known
//! parameters, in the order of [`ModelSpec::params`]), [`Model::fit`] (the
//! one pipeline [`crate::fit::fit_model`]: check inputs → weights →
//! [`crate::fit::maximize`] → attach [`FitInfo`]), and JSON
//! ([`ModelInfo::to_json`], [`Model::from_json`]) in the format
//! `{"format_version": 1, "model": KEY, "params": {NAME: VALUE, ...}, "fit": {...} | null}`.
//!
//! ```
//! use clv::models::{AnyModel, ModelKind, ModelInfo, TransactionModel};
//! let kind: ModelKind = "pareto_nbd".parse()?;
//! assert_eq!(kind.spec().params, ["r", "alpha", "s", "beta"]);
//! let m = AnyModel::from_values(kind, &[0.553, 10.578, 0.606, 11.669])?;
//! let p = m.prob_alive(&[2.0], &[30.43], &[38.86])?;
//! assert!(p[0] > 0.0 && p[0] < 1.0);
//! let back = AnyModel::from_json(&m.to_json())?;
//! assert_eq!(back.kind(), ModelKind::ParetoNbd);
//! # Ok::<(), clv::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{SpendModel, TransactionModel};
use crate::error::{Error, Result};
use crate::fit::{FitInfo, FitOptions, Likelihood};

/// What a model describes, and so which predictions it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Purchases and dropout per customer ([`TransactionModel`]).
    Transaction,
    /// Spend per transaction ([`SpendModel`]).
    Spend,
    /// Contractual retention of a cohort (survival curve).
    Retention,
}

impl Family {
    /// `"transaction"`, `"spend"` or `"retention"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Transaction => "transaction",
            Family::Spend => "spend",
            Family::Retention => "retention",
        }
    }
}

/// A model's registry entry (from its [`for_each_model!`](crate::for_each_model) line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelSpec {
    /// The model.
    #[serde(skip)]
    pub kind: ModelKind,
    /// JSON and CLI key, e.g. `"bg_nbd"`.
    pub key: &'static str,
    /// Display name, e.g. `"BG/NBD"`.
    pub name: &'static str,
    /// Class name in the bindings, e.g. `"BetaGeo"`.
    pub class: &'static str,
    /// What the model describes.
    pub family: Family,
    /// Parameter names, in order.
    pub params: &'static [&'static str],
    /// The arrays a fit takes, in order (e.g. `frequency, recency, T`).
    pub inputs: &'static [&'static str],
    /// The paper the model comes from.
    pub reference: &'static str,
    /// How covariates enter the model (its [`Model::COVARIATES`]): one
    /// link per group of effects, empty for a model without covariates.
    pub covariates: &'static [CovariateLink],
}

/// One group of covariate effects of a model: the covariate set it reads
/// and the parameters it scales, `θ_i = θ₀ · exp(sign · γᵀ z_i)` for each
/// named θ (CLVTools' links for the transaction models, see
/// [`crate::covariates`]; [`crate::covariates::spend`] and
/// [`crate::covariates::retention`] for the others).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CovariateLink {
    /// The name of the group of effects (`"purchase"`, `"dropout"`,
    /// `"spend"`, or the sBG's `"alpha"` and `"beta"`).
    pub effects: &'static str,
    /// The covariate set it reads (`"purchase"`, `"dropout"` or `"spend"`).
    pub set: &'static str,
    /// The parameters it scales, by their registry names.
    pub params: &'static [&'static str],
    /// The sign of the link: +1 or −1.
    pub sign: i8,
}

impl CovariateLink {
    /// CLVTools' purchase link of the transaction models,
    /// `α_i = α₀ · exp(−γ_pᵀ z_i)` (Pareto/NBD, BG/NBD, MBG/NBD, GGom/NBD).
    pub const PURCHASE_ALPHA: CovariateLink = CovariateLink {
        effects: "purchase",
        set: "purchase",
        params: &["alpha"],
        sign: -1,
    };

    /// CLVTools' dropout link of the Pareto/NBD and GGom/NBD,
    /// `β_i = β₀ · exp(−γ_dᵀ z_i)`.
    pub const DROPOUT_BETA: CovariateLink = CovariateLink {
        effects: "dropout",
        set: "dropout",
        params: &["beta"],
        sign: -1,
    };

    /// The indices of [`CovariateLink::params`] among `spec`'s parameters
    /// and the sign as a number.
    pub(crate) fn indices(&self, spec: &ModelSpec) -> (Vec<usize>, f64) {
        let idx = self
            .params
            .iter()
            .filter_map(|p| spec.params.iter().position(|q| q == p))
            .collect();
        (idx, f64::from(self.sign))
    }
}

impl ModelSpec {
    /// The covariate link of a group of effects (`"purchase"`, ...).
    pub fn covariate_link(&self, effects: &str) -> Option<&'static CovariateLink> {
        self.covariates.iter().find(|l| l.effects == effects)
    }

    /// Whether the model reads the covariate set `set`.
    pub fn reads_covariates(&self, set: &str) -> bool {
        self.covariates.iter().any(|l| l.set == set)
    }
}

impl ModelSpec {
    /// The CLI spelling of the key (`bg-nbd`).
    pub fn cli_name(&self) -> String {
        self.key.replace('_', "-")
    }
}

/// Error for an operation a model does not define.
pub(crate) fn unsupported(model: &str, operation: &str, reason: &str) -> Error {
    Error::Unsupported {
        model: model.to_string(),
        operation: operation.to_string(),
        reason: reason.to_string(),
    }
}

/// What every model reports about itself; implemented for every [`Model`]
/// and for [`AnyModel`]. Object safe.
pub trait ModelInfo {
    /// The model's registry kind.
    fn kind(&self) -> ModelKind;
    /// Display name, e.g. `"BG/NBD"`.
    fn name(&self) -> &'static str {
        self.kind().spec().name
    }
    /// Parameter values in the order of [`ModelSpec::params`].
    fn values(&self) -> Vec<f64>;
    /// Parameters with their names, e.g. `[("r", 0.243), ...]`.
    fn params(&self) -> Vec<(&'static str, f64)> {
        self.kind()
            .spec()
            .params
            .iter()
            .copied()
            .zip(self.values())
            .collect()
    }
    /// Fit diagnostics, `None` for a model built from known parameters.
    fn fit_info(&self) -> Option<&FitInfo>;
    /// `{"format_version": 1, "model": KEY, "params": {...}, "fit": {...} | null}`;
    /// non-finite numbers in `fit` (a NaN standard error) are written as
    /// `null`.
    fn to_json(&self) -> String {
        let spec = self.kind().spec();
        let values = self.values();
        let env = Envelope {
            format_version: FORMAT_VERSION,
            model: spec.key.to_string(),
            params: Ordered(spec.params, &values),
            fit: self.fit_info(),
        };
        // Serialising numbers and strings cannot fail (serde_json writes
        // non-finite floats as null).
        serde_json::to_string(&env).unwrap_or_default()
    }
}

/// A model of the registry: its parameters, its likelihood and how a fit
/// builds it. Each model file implements this once; everything else
/// (JSON, the fit pipeline, [`AnyModel`], the bindings) is generic.
pub trait Model:
    Registered + ModelInfo + Clone + Send + Sync + fmt::Debug + Sized + Into<AnyModel>
{
    /// The likelihood a fit maximises (borrowing the fit inputs).
    type Lik<'a>: Likelihood;

    /// Parameter values in the order of [`ModelSpec::params`] (what
    /// [`ModelInfo::values`] returns).
    fn param_values(&self) -> Vec<f64>;

    /// Fit diagnostics (what [`ModelInfo::fit_info`] returns).
    fn fit_ref(&self) -> Option<&FitInfo>;

    /// A model with known parameters, in the order of [`ModelSpec::params`].
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for another number of values (field
    /// `params`) or naming the first invalid parameter.
    fn from_values(values: &[f64]) -> Result<Self>;

    /// Attaches (or removes) fit diagnostics.
    fn with_fit_info(self, info: Option<FitInfo>) -> Self;

    /// Checks the fit inputs (one array per [`ModelSpec::inputs`] name, of
    /// equal lengths), with errors naming the field, index and value. By
    /// default the checks of a continuous-time customer summary
    /// ([`validate_customers`](super::validate_customers) on `frequency,
    /// recency, T`); a model with other inputs overrides it.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] and the like, as the model defines.
    fn check_inputs(inputs: &[&[f64]]) -> Result<()> {
        match inputs {
            [x, tx, t] => super::validate_customers(x, tx, t),
            _ => Err(Error::invalid(
                "inputs",
                format!("{} arrays", inputs.len()),
                "frequency, recency and T",
            )),
        }
    }

    /// The likelihood of checked inputs with per-row weights: all ones when
    /// the caller gave none, or empty where [`Model::IMPLICIT_UNIT_WEIGHTS`]
    /// says so; empty for a model fitted without weights (retention).
    ///
    /// # Errors
    /// Model specific (e.g. no usable row).
    fn likelihood<'a>(inputs: &[&'a [f64]], weights: Vec<f64>) -> Result<Self::Lik<'a>>;

    /// Whether [`Model::likelihood`] is given an empty `weights` when the
    /// caller gave none, reading it as every row weighing 1: no vector of
    /// ones to fill (on 100,000 customers 0.8 MB of fresh pages; the whole
    /// `clv fit bg-nbd` 12.0 → 11.1 ms, docs/performance.md). Off by
    /// default; on for BG/NBD and MBG/NBD.
    const IMPLICIT_UNIT_WEIGHTS: bool = false;

    /// How covariates enter the model (what [`ModelSpec::covariates`]
    /// says); none by default.
    const COVARIATES: &'static [CovariateLink] = &[];

    /// Whether a large fit starts from the optimum of a subsample
    /// ([`crate::fit::fit_model`]'s warm start); off by default. On where
    /// it was measured to pay: BG/NBD and MBG/NBD (9 → 6 passes over
    /// 100,000 customers, subsample included). Not for Pareto/NBD, where
    /// the subsample's fit cost more than it saved (the whole `clv fit
    /// pareto-nbd` on the same customers 128 → 158 ms).
    const WARM_START: bool = false;

    /// The per-customer likelihood a fit with purchase and dropout
    /// covariates links ([`crate::covariates`]); `None` (the default) for
    /// a model without them. A transaction model that declares
    /// `purchase` and `dropout` [`Model::COVARIATES`] returns its own.
    fn covariate_rows() -> Option<&'static dyn crate::covariates::LinkedRows> {
        None
    }

    /// Turns the optimiser's outcome into the fit's outcome; by default
    /// unchanged. A model overrides it to tell a boundary optimum from a
    /// failure (see [`crate::models::gamma_gamma`]).
    ///
    /// # Errors
    /// The optimiser's, or the model's verdict.
    fn finish(
        _likelihood: &Self::Lik<'_>,
        fitted: Result<(Vec<f64>, FitInfo)>,
        _options: &FitOptions,
    ) -> Result<(Vec<f64>, FitInfo)> {
        fitted
    }

    /// The model's registry entry.
    fn spec() -> &'static ModelSpec {
        Self::KIND.spec()
    }

    /// Maximum-likelihood fit ([`crate::fit::fit_model`]).
    ///
    /// # Errors
    /// Those of [`crate::fit::fit_model`].
    fn fit(inputs: &[&[f64]], weights: Option<&[f64]>, options: &FitOptions) -> Result<Self> {
        crate::fit::fit_model(inputs, weights, options)
    }

    /// Reads what [`ModelInfo::to_json`] wrote for this model.
    ///
    /// # Errors
    /// [`Error::Format`] for text that is not this model's JSON, another
    /// format version or a missing parameter; [`Error::InvalidValue`] for an
    /// invalid parameter.
    fn from_json(text: &str) -> Result<Self> {
        let spec = Self::spec();
        let env = read_envelope(text, &format!("{} model JSON", spec.key))?;
        if env.model != spec.key {
            return Err(Error::Format {
                what: format!("{} model JSON", spec.key),
                message: format!("model is {:?}, expected {:?}", env.model, spec.key),
            });
        }
        let values = env_values(spec, &env.params)?;
        Ok(Self::from_values(&values)?.with_fit_info(env.fit))
    }
}

/// The model's kind, generated from its registry line.
pub trait Registered {
    /// The model's kind.
    const KIND: ModelKind;
}

/// Current model JSON format version.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// Parameters written as a JSON object in registry order.
struct Ordered<'a>(&'static [&'static str], &'a [f64]);

impl Serialize for Ordered<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0.iter().zip(self.1) {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    format_version: u32,
    model: String,
    params: Ordered<'a>,
    fit: Option<&'a FitInfo>,
}

#[derive(Deserialize)]
struct EnvelopeIn {
    format_version: u32,
    model: String,
    params: BTreeMap<String, f64>,
    fit: Option<FitInfo>,
}

fn read_envelope(text: &str, what: &str) -> Result<EnvelopeIn> {
    let env: EnvelopeIn = serde_json::from_str(text).map_err(|e| Error::Format {
        what: what.to_string(),
        message: e.to_string(),
    })?;
    if env.format_version != FORMAT_VERSION {
        return Err(Error::Format {
            what: what.to_string(),
            message: format!(
                "format_version {} is not supported (expected {FORMAT_VERSION})",
                env.format_version
            ),
        });
    }
    Ok(env)
}

fn env_values(spec: &ModelSpec, params: &BTreeMap<String, f64>) -> Result<Vec<f64>> {
    spec.params
        .iter()
        .map(|name| {
            params.get(*name).copied().ok_or_else(|| Error::Format {
                what: format!("{} model JSON", spec.key),
                message: format!(
                    "missing parameter {name:?} (expected {})",
                    spec.params.join(", ")
                ),
            })
        })
        .collect()
}

/// The error for `n` parameter values where `spec` has another number (the
/// one check of every `Model::from_values`, through `model_state!`).
pub(crate) fn params_len_error(spec: &ModelSpec, n: usize) -> Error {
    Error::invalid(
        "params",
        format!("{n} values"),
        format!(
            "{} values for {}: {}",
            spec.params.len(),
            spec.name,
            spec.params.join(", ")
        ),
    )
}

/// Generates [`ModelKind`], [`AnyModel`] and their dispatch from the
/// registry list.
macro_rules! registry {
    ($(
        $variant:ident : $ty:ident {
            key: $key:literal, name: $name:literal, class: $class:ident, family: $family:ident,
            params: [$($param:ident),*], inputs: [$($input:ident),*], reference: $reference:literal
        }
    ),* $(,)?) => {
        /// Every model of the registry.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ModelKind {
            $(
                #[doc = concat!($name, " (", $reference, ").")]
                $variant,
            )*
        }

        impl ModelKind {
            /// All models, in registry order.
            pub const ALL: &'static [ModelKind] = &[$(ModelKind::$variant),*];

            /// The model's registry entry.
            pub fn spec(self) -> &'static ModelSpec {
                match self {
                    $(ModelKind::$variant => {
                        static SPEC: ModelSpec = ModelSpec {
                            kind: ModelKind::$variant,
                            key: $key,
                            name: $name,
                            class: stringify!($class),
                            family: Family::$family,
                            params: &[$(stringify!($param)),*],
                            inputs: &[$(stringify!($input)),*],
                            reference: $reference,
                            covariates: <super::$ty as Model>::COVARIATES,
                        };
                        &SPEC
                    })*
                }
            }

            /// The per-customer likelihood of the model's fits with
            /// purchase and dropout covariates ([`Model::covariate_rows`]).
            pub fn covariate_rows(self) -> Option<&'static dyn crate::covariates::LinkedRows> {
                match self {
                    $(ModelKind::$variant => <super::$ty as Model>::covariate_rows(),)*
                }
            }
        }

        $(
            impl From<super::$ty> for AnyModel {
                fn from(m: super::$ty) -> Self {
                    AnyModel::$variant(m)
                }
            }

            impl Registered for super::$ty {
                const KIND: ModelKind = ModelKind::$variant;
            }

            impl fmt::Display for super::$ty {
                /// `Name(p=v, ...; fitted to n customers ...)` (`crate::display`).
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    crate::display::model(self, f)
                }
            }

            impl ModelInfo for super::$ty {
                fn kind(&self) -> ModelKind {
                    ModelKind::$variant
                }
                fn values(&self) -> Vec<f64> {
                    <super::$ty as Model>::param_values(self)
                }
                fn fit_info(&self) -> Option<&FitInfo> {
                    <super::$ty as Model>::fit_ref(self)
                }
            }
        )*

        /// Any model of the registry; dispatches every prediction to the
        /// model it holds, and answers [`Error::Unsupported`] for a
        /// prediction the model's family does not have.
        #[derive(Debug, Clone, PartialEq)]
        pub enum AnyModel {
            $(
                #[doc = concat!($name, ".")]
                $variant(super::$ty),
            )*
        }

        impl AnyModel {
            /// A model of `kind` with known parameters (in the order of
            /// [`ModelSpec::params`]).
            ///
            /// # Errors
            /// [`Error::InvalidValue`] for the wrong number of values
            /// (field `params`) or an invalid parameter.
            pub fn from_values(kind: ModelKind, values: &[f64]) -> Result<AnyModel> {
                new_of_kind!(kind, [$($variant: $ty),*], from_values(values))
            }

            /// Maximum-likelihood fit of a model of `kind` to `inputs` (one
            /// array per [`ModelSpec::inputs`] name) with optional per-row
            /// weights.
            ///
            /// # Errors
            /// Those of [`crate::fit::fit_model`].
            pub fn fit(
                kind: ModelKind,
                inputs: &[&[f64]],
                weights: Option<&[f64]>,
                options: &FitOptions,
            ) -> Result<AnyModel> {
                new_of_kind!(kind, [$($variant: $ty),*], fit(inputs, weights, options))
            }

            /// The likelihood of `inputs` (one array per
            /// [`ModelSpec::inputs`] name) with optional per-row weights,
            /// checked as a fit checks them, as a trait object: what
            /// [`crate::bayes`] samples from.
            ///
            /// # Errors
            /// The input checks of [`crate::fit::fit_model`].
            pub fn likelihood<'a>(
                kind: ModelKind,
                inputs: &[&'a [f64]],
                weights: Option<&[f64]>,
            ) -> Result<Box<dyn Likelihood + 'a>> {
                Ok(match kind {
                    $(ModelKind::$variant => Box::new(crate::fit::prepare::<super::$ty>(inputs, weights)?),)*
                })
            }

            /// Reads a model of `kind` written by [`ModelInfo::to_json`].
            ///
            /// # Errors
            /// As [`Model::from_json`].
            pub fn from_json_as(kind: ModelKind, text: &str) -> Result<AnyModel> {
                new_of_kind!(kind, [$($variant: $ty),*], from_json(text))
            }

            /// Total log-likelihood of `inputs` at `params` with its
            /// gradient (and Hessian where the model has it): see
            /// [`crate::fit::log_likelihood_terms`].
            ///
            /// # Errors
            /// As there.
            pub fn log_likelihood_terms(
                kind: ModelKind,
                inputs: &[&[f64]],
                weights: Option<&[f64]>,
                params: &[f64],
                hessian: bool,
            ) -> Result<crate::fit::LikelihoodTerms> {
                match kind {
                    $(ModelKind::$variant => crate::fit::log_likelihood_terms::<super::$ty>(
                        inputs, weights, params, hessian,
                    ),)*
                }
            }

            /// The same model with `info` as its fit diagnostics.
            pub fn with_fit_info(self, info: Option<FitInfo>) -> AnyModel {
                match self {
                    $(AnyModel::$variant(m) => m.with_fit_info(info).into(),)*
                }
            }

            /// The model's reports, as a trait object.
            pub fn info(&self) -> &dyn ModelInfo {
                match self {
                    $(AnyModel::$variant(m) => m,)*
                }
            }

            /// The transaction model, or [`Error::Unsupported`] naming
            /// `operation` for a model of another family.
            ///
            /// # Errors
            /// As above.
            pub fn transaction(&self, operation: &str) -> Result<&dyn TransactionModel> {
                match self {
                    $(AnyModel::$variant(m) => family_as!($family, Transaction, m, operation),)*
                }
            }

            /// The spend model, or [`Error::Unsupported`].
            ///
            /// # Errors
            /// As above.
            pub fn spend(&self, operation: &str) -> Result<&dyn SpendModel> {
                match self {
                    $(AnyModel::$variant(m) => family_as!($family, Spend, m, operation),)*
                }
            }
        }
    };
}

/// `Ok(AnyModel)` from the [`Model`] constructor `$f($args…)` of the type
/// registered for `$kind` (`?` on its error): the one dispatch of
/// [`AnyModel::from_values`], [`AnyModel::fit`] and
/// [`AnyModel::from_json_as`].
macro_rules! new_of_kind {
    ($kind:expr, [$($variant:ident: $ty:ident),*], $f:ident $args:tt) => {
        Ok(match $kind {
            $(ModelKind::$variant => <super::$ty as Model>::$f $args?.into(),)*
        })
    };
}

/// `Ok(m)` when the model's family is the one asked for, else
/// [`Error::Unsupported`].
macro_rules! family_as {
    (Transaction, Transaction, $m:ident, $op:ident) => {
        Ok($m)
    };
    (Spend, Spend, $m:ident, $op:ident) => {
        Ok($m)
    };
    ($family:ident, $want:ident, $m:ident, $op:ident) => {
        Err(unsupported(
            ModelInfo::name($m),
            $op,
            concat!(
                "it is a ",
                stringify!($family),
                " model, not a ",
                stringify!($want),
                " model"
            ),
        ))
    };
}

crate::for_each_model!(registry);

impl AnyModel {
    /// Reads any model written by [`ModelInfo::to_json`], dispatching on its
    /// `"model"` key.
    ///
    /// # Errors
    /// [`Error::Format`] for text that is not a model JSON or an unknown key;
    /// the errors of the model's [`Model::from_json`].
    pub fn from_json(text: &str) -> Result<AnyModel> {
        #[derive(Deserialize)]
        struct Tag {
            model: String,
        }
        let tag: Tag = serde_json::from_str(text).map_err(|e| Error::Format {
            what: "model JSON".to_string(),
            message: e.to_string(),
        })?;
        let kind = ModelKind::from_key(&tag.model).ok_or_else(|| Error::Format {
            what: "model JSON".to_string(),
            message: format!("unknown model {:?}; expected one of {}", tag.model, keys()),
        })?;
        AnyModel::from_json_as(kind, text)
    }

    /// The sBG model, or [`Error::Unsupported`] naming `operation`.
    ///
    /// # Errors
    /// As above.
    pub fn retention(&self, operation: &str) -> Result<&super::ShiftedBetaGeo> {
        match self {
            AnyModel::Sbg(m) => Ok(m),
            other => Err(unsupported(
                other.name(),
                operation,
                "it is not a retention (survival curve) model",
            )),
        }
    }

    /// The Gamma-Gamma model, or [`Error::Unsupported`] naming `operation`.
    ///
    /// # Errors
    /// As above.
    pub fn gamma_gamma(&self, operation: &str) -> Result<&super::GammaGamma> {
        match self {
            AnyModel::GammaGamma(m) => Ok(m),
            other => Err(unsupported(
                other.name(),
                operation,
                "it is not a Gamma-Gamma spend model",
            )),
        }
    }
}

fn keys() -> String {
    ModelKind::ALL
        .iter()
        .map(|k| k.spec().key)
        .collect::<Vec<_>>()
        .join(", ")
}

impl ModelKind {
    /// The kind with this JSON key (`bg_nbd`), CLI key (`bg-nbd`) or class
    /// name (`BetaGeo`); `None` for anything else.
    pub fn from_key(text: &str) -> Option<ModelKind> {
        ModelKind::ALL.iter().copied().find(|k| {
            let s = k.spec();
            s.key == text || s.cli_name() == text || s.class == text
        })
    }

    /// The JSON key, e.g. `"bg_nbd"`.
    pub fn as_str(self) -> &'static str {
        self.spec().key
    }
}

impl FromStr for ModelKind {
    type Err = Error;

    /// Parses a JSON key, CLI key or class name ([`ModelKind::from_key`]).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] (field `model`) listing the accepted keys.
    fn from_str(s: &str) -> Result<Self> {
        ModelKind::from_key(s).ok_or_else(|| Error::invalid("model", format!("{s:?}"), keys()))
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.spec().key)
    }
}

impl ModelInfo for AnyModel {
    fn kind(&self) -> ModelKind {
        self.info().kind()
    }
    fn values(&self) -> Vec<f64> {
        self.info().values()
    }
    fn fit_info(&self) -> Option<&FitInfo> {
        self.info().fit_info()
    }
}

/// Methods of `AnyModel` that pass their arguments to the family view
/// `$view` (named after the method in the error of another family).
macro_rules! delegate {
    ($view:ident: $(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        $(fn $name(&self $(, $arg: $ty)*) -> $ret {
            self.$view(stringify!($name))?.$name($($arg),*)
        })*
    };
}

#[rustfmt::skip]
impl TransactionModel for AnyModel {
    delegate! { transaction:
        fn log_likelihood(&self, frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<Vec<f64>>;
        fn prob_alive(&self, frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<Vec<f64>>;
        fn expected_purchases(&self, horizon: f64, frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<Vec<f64>>;
        fn expected_purchases_new(&self, t: f64) -> Result<f64>;
        fn ln_prob_purchases(&self, n: u32, t: f64) -> Result<f64>;
        fn prob_purchases(&self, n: u32, t: f64) -> Result<f64>;
        fn validate(&self, frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<()>;
        fn prob_purchases_conditional(&self, n: u32, horizon: f64, frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<Vec<f64>>;
        fn dert(&self, discount: f64, frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<Vec<f64>>;
        fn prob_alive_ahead(&self, m: f64, frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<Vec<f64>>;
    }
    fn alive_and_pmf(&self, n: u32, h: f64, x: f64, tx: f64, t: f64) -> Option<(f64, f64)> {
        self.transaction("alive_and_pmf").ok()?.alive_and_pmf(n, h, x, tx, t)
    }
}

#[rustfmt::skip]
impl SpendModel for AnyModel {
    delegate! { spend:
        fn expected_spend(&self, frequency: &[f64], monetary_value: &[f64]) -> Result<Vec<f64>>;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model of `kind` with valid parameters (every model accepts any
    /// positive values); the published ones where a test needs them.
    fn example(kind: ModelKind) -> AnyModel {
        let v: Vec<f64> = match kind {
            // FHL (2005), FH (2013), FH (2007): DESIGN.md
            ModelKind::BgNbd => vec![0.243, 4.414, 0.793, 2.426],
            ModelKind::GammaGamma => vec![6.25, 3.74, 15.44],
            ModelKind::Sbg => vec![0.704, 1.182],
            other => (0..other.spec().params.len())
                .map(|i| 0.5 + i as f64)
                .collect(),
        };
        AnyModel::from_values(kind, &v).unwrap()
    }

    /// Every covariate link names parameters of its model, with a sign of
    /// ±1; a transaction model links purchase and dropout covariates
    /// exactly when it gives the rows of those fits.
    #[test]
    fn covariate_links_are_consistent() {
        for &kind in ModelKind::ALL {
            let spec = kind.spec();
            for link in spec.covariates {
                assert!(link.sign == 1 || link.sign == -1, "{kind}: {link:?}");
                assert!(!link.params.is_empty(), "{kind}: {link:?}");
                for p in link.params {
                    assert!(spec.params.contains(p), "{kind}: {p} is not a parameter");
                }
                let (idx, _) = link.indices(spec);
                assert_eq!(idx.len(), link.params.len());
            }
            let linked = spec.covariate_link("purchase").is_some()
                && spec.covariate_link("dropout").is_some();
            assert_eq!(
                linked,
                kind.covariate_rows().is_some(),
                "{kind}: purchase and dropout links go with covariate rows"
            );
            if linked {
                assert_eq!(spec.family, Family::Transaction, "{kind}");
                let (a, b) = kind.covariate_rows().map(|r| r.ridge()).unwrap_or((0, 0));
                assert!(a < b && b < spec.params.len(), "{kind}: ridge ({a}, {b})");
            }
        }
    }

    #[test]
    fn every_model_round_trips_through_json_and_values() {
        for &kind in ModelKind::ALL {
            let m = example(kind);
            assert_eq!(m.kind(), kind);
            assert_eq!(m.params().len(), kind.spec().params.len());
            let back = AnyModel::from_json(&m.to_json()).unwrap();
            assert_eq!(back, m);
            let again = AnyModel::from_json_as(kind, &m.to_json()).unwrap();
            assert_eq!(again.to_json(), m.to_json());
            assert_eq!(kind.as_str().parse::<ModelKind>().unwrap(), kind);
            assert_eq!(kind.spec().cli_name().parse::<ModelKind>().unwrap(), kind);
            assert_eq!(kind.spec().class.parse::<ModelKind>().unwrap(), kind);
        }
    }

    #[test]
    fn json_format_is_stable() {
        let m = example(ModelKind::BgNbd);
        assert_eq!(
            m.to_json(),
            r#"{"format_version":1,"model":"bg_nbd","params":{"r":0.243,"alpha":4.414,"a":0.793,"b":2.426},"fit":null}"#
        );
    }

    #[test]
    fn json_version_is_checked_and_floats_round_trip_exactly() {
        let m = example(ModelKind::Sbg);
        let e = AnyModel::from_json(&m.to_json().replace(":1,", ":2,")).unwrap_err();
        assert!(e.to_string().contains("format_version 2"), "{e}");
        // 2.4257810535016078 is a BG/NBD `b` from a CDNOW fit whose last digit
        // serde_json's default (fast, not correctly rounded) parser lost; with
        // `float_roundtrip` every finite f64 reads back bit for bit.
        for b in [
            2.425_781_053_501_607_8,
            0.1,
            1e-300,
            5e-324,
            crate::error::check::MAX_PARAMETER,
            9.876_543_210_987_654e99,
            1.0 / 3.0,
        ] {
            let m = AnyModel::from_values(ModelKind::Sbg, &[1.0, b]).unwrap();
            let back = AnyModel::from_json(&m.to_json()).unwrap();
            assert_eq!(back.values()[1].to_bits(), b.to_bits(), "{}", m.to_json());
        }
    }

    #[test]
    fn errors_are_typed() {
        let e = AnyModel::from_values(ModelKind::BgNbd, &[1.0, 2.0]).unwrap_err();
        assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("params")));
        assert!(e.to_string().contains("r, alpha, a, b"), "{e}");
        let e = AnyModel::from_json("{").unwrap_err();
        assert_eq!(e.code(), "FORMAT_ERROR");
        let e =
            AnyModel::from_json(r#"{"format_version":1,"model":"nope","params":{}}"#).unwrap_err();
        assert!(e.to_string().contains("\"nope\""), "{e}");
        let e = AnyModel::from_json(r#"{"format_version":1,"model":"sbg","params":{"alpha":1}}"#)
            .unwrap_err();
        assert!(e.to_string().contains("missing parameter \"beta\""), "{e}");
        let bg = example(ModelKind::BgNbd);
        let e = AnyModel::from_json_as(ModelKind::ParetoNbd, &bg.to_json()).unwrap_err();
        assert_eq!(e.code(), "FORMAT_ERROR");
        let gg = example(ModelKind::GammaGamma);
        let e = gg.prob_alive(&[1.0], &[1.0], &[2.0]).unwrap_err();
        assert_eq!((e.code(), e.field()), ("NOT_SUPPORTED", Some("prob_alive")));
        let e = bg.expected_spend(&[1.0], &[1.0]).unwrap_err();
        assert_eq!(e.code(), "NOT_SUPPORTED");
        let e = bg.dert(0.1, &[1.0], &[1.0], &[2.0]).unwrap_err();
        assert_eq!((e.code(), e.field()), ("NOT_SUPPORTED", Some("dert")));
        let e = "x".parse::<ModelKind>().unwrap_err();
        assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("model")));
    }

    #[test]
    fn fit_through_the_registry_equals_the_typed_fit() {
        // FH (2007) "regular" survivors, years 0-7.
        let s = [1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0];
        let m = AnyModel::fit(ModelKind::Sbg, &[&s], None, &FitOptions::default()).unwrap();
        let v = m.values();
        assert!((v[0] - 0.704).abs() < 5e-4 && (v[1] - 1.182).abs() < 5e-4);
        let e = AnyModel::fit(
            ModelKind::Sbg,
            &[&s],
            Some(&[1.0; 8]),
            &FitOptions::default(),
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("weights"));
        let e = AnyModel::fit(ModelKind::BgNbd, &[&s], None, &FitOptions::default()).unwrap_err();
        assert_eq!(e.field(), Some("inputs"));
        let e = AnyModel::fit(
            ModelKind::BgNbd,
            &[&[], &[], &[]],
            None,
            &FitOptions::default(),
        )
        .unwrap_err();
        assert_eq!((e.code(), e.field()), ("EMPTY_INPUT", Some("frequency")));
    }
}
