//! `CovariateModel`: a Pareto/NBD, BG/NBD, MBG/NBD or GGom/NBD model with static covariates
//! (`clv::covariates`, issue 15), what `ParetoNBD.fit(data, {purchaseCovariates,
//! dropoutCovariates, penalty, constrainEqual})` and `BetaGeo.fit(...)`
//! return; and `DynamicCovariateData` with `CovariateModel.fitDynamic` and
//! the `*Dynamic` predictions, the Pareto/NBD with time-varying covariates
//! (`clv::covariates::dynamic`). Thin: the options are read by
//! `clv-js-common` ([`CovariateArgs`], [`dynamic::DynamicArgs`]), every
//! check, the fit and the predictions are the core's.

use clv_js_common::covariates::{self as common, CovariateArgs, EffectArgs};
use clv_js_common::dynamic;
use napi::Env;
use napi::bindgen_prelude::{Float64Array, Object, Unknown};
use napi_derive::napi;

use crate::read::{Data, Opts, dynamic_data, entries, number, opt_numbers_of, string};
use crate::{Result, js, out};

js_object! {
#[doc = "The fit report of a `CovariateModel`: the free parameters' names and, in that"]
#[doc = "order, their standard errors and 95% intervals."]
#[napi(object, object_from_js = false)]
pub struct CovariateFitInfo from common::FitView {
    #[doc = "Base names, then `purchase_NAME`, `dropout_NAME` and `constrained_NAME`."]
    pub param_names: Vec<String>,
    #[doc = "Log-likelihood at the optimum, without the penalty."]
    pub log_likelihood: f64,
    #[doc = "LL − N·(λ_p Σγ_p² + λ_d Σγ_d²) at the optimum."]
    pub penalized_log_likelihood: f64,
    #[doc = "√diag((−H)⁻¹) in the order of `paramNames` (NaN where not identified)."]
    pub std_errors: Float64Array => out,
    #[doc = "Lower ends of the 95% intervals (log-scale for the base parameters, γ − 1.96·SE)."]
    pub lower95: Float64Array => out,
    #[doc = "Upper ends of the 95% intervals."]
    pub upper95: Float64Array => out,
    #[doc = "Optimiser iterations."]
    pub iterations: f64,
    #[doc = "Whether the gradient criterion holds at the optimum."]
    pub converged: bool,
    #[doc = "The gradient norm at the optimum."]
    pub gradient_norm: f64,
    #[doc = "Total weight (number of customers)."]
    pub n_observations: f64,
    #[doc = "The note of a boundary optimum, else null."]
    pub boundary: Option<String>,
    #[doc = "The time unit of the fitted data, else null."]
    pub unit: Option<String>,
    #[doc = "2k − 2·LL."]
    pub aic: f64,
    #[doc = "k·ln(n) − 2·LL."]
    pub bic: f64,
}
}

/// The covariate names of each process, in the order the predictions take them.
#[napi(object, object_from_js = false)]
pub struct CovariateNames {
    /// Names of the purchase covariates.
    pub purchase: Vec<String>,
    /// Names of the dropout covariates.
    pub dropout: Vec<String>,
}

/// The customers of a `DynamicCovariateData`: the summary of its
/// transactions, in the order of every per-customer result.
#[napi(object, object_from_js = false)]
pub struct DynamicSummary {
    /// Customer ids, byte-sorted.
    pub customer_id: Vec<String>,
    /// Repeat purchase periods x.
    pub frequency: Float64Array,
    /// t_x, in units from the first purchase.
    pub recency: Float64Array,
    /// T, in units from the first purchase.
    #[napi(js_name = "T")]
    pub t: Float64Array,
    /// The time unit, e.g. "7d".
    pub unit: String,
}

/// Customers of a transaction log with their time-varying covariates, for
/// the Pareto/NBD of Bachmann, Meierer & Näf (2021): built once (every
/// check is the core's: missing customers or periods, two rows in one
/// period, non-finite values, unknown names), then fitted by
/// `CovariateModel.fitDynamic` and scored by the `*Dynamic` predictions.
#[napi]
pub struct DynamicCovariateData {
    inner: clv::covariates::dynamic::DynamicData,
}

#[napi]
impl DynamicCovariateData {
    /// `transactions` (`customerId`, `datetime`) summarised as `rfmSummary`
    /// does with `options` (`freq`, `observationPeriodEnd`,
    /// `calibrationPeriodEnd`, `dateFormat`), and the long covariate table
    /// (one row per customer and time unit, from the period of each
    /// customer's first purchase to the calibration end and on through any
    /// prediction horizon); `purchaseCovariates` and `dropoutCovariates`
    /// name its columns.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        #[napi(ts_arg_type = "Transactions")] transactions: Unknown<'_>,
        #[napi(ts_arg_type = "DynamicCovariateTable")] covariates: Unknown<'_>,
        #[napi(ts_arg_type = "DynamicCovariateOptions")] options: Option<Unknown<'_>>,
    ) -> Result<Self> {
        let args = dynamic::DynamicArgs::read(
            &Opts(Some(&transactions)),
            &Opts(Some(&covariates)),
            &Opts(options.as_ref()),
        )?;
        Ok(DynamicCovariateData {
            inner: args.build().map_err(js)?,
        })
    }

    /// The customers' ids, in the order of every per-customer result.
    #[napi(getter)]
    pub fn customer_id(&self) -> Vec<String> {
        self.inner.customer_id.clone()
    }

    /// The customers' `frequency`, `recency` and `T` (and the unit): the
    /// summary of the transactions, as `rfmSummary` gives it.
    #[napi(getter)]
    pub fn summary(&self) -> DynamicSummary {
        let d = &self.inner;
        DynamicSummary {
            customer_id: d.customer_id.clone(),
            frequency: out(d.frequency.clone()),
            recency: out(d.recency.clone()),
            t: out(d.t.clone()),
            unit: d.unit().to_string(),
        }
    }

    /// The purchase and dropout covariate names.
    #[napi(getter)]
    pub fn covariate_names(&self) -> CovariateNames {
        CovariateNames {
            purchase: self.inner.purchase_names().to_vec(),
            dropout: self.inner.dropout_names().to_vec(),
        }
    }

    /// The time unit ("7d", "W", ...).
    #[napi(getter)]
    pub fn unit(&self) -> String {
        self.inner.unit().to_string()
    }
}

/// A Pareto/NBD, BG/NBD, MBG/NBD or GGom/NBD model with static covariates: `params` are the base
/// parameters (their values at z = 0), `covariateEffects` the effects by
/// process and name (CLVTools' `trans.NAME` / `life.NAME`); the predictions
/// take each customer's covariates, with the model's names.
#[napi]
pub struct CovariateModel {
    inner: clv::covariates::CovariateModel,
}

/// The covariate options of `fit` (its second argument) or of a prediction
/// (`purchaseCovariates`, `dropoutCovariates`).
pub(crate) fn args_of(o: Option<&Unknown<'_>>) -> Result<CovariateArgs> {
    CovariateArgs::read(&Opts(o))
}

/// The covariate options `o` of a fit or per-customer prediction on the
/// customers `data` (with `covariateIds`, their `customerId` to join on).
pub(crate) fn args_for(o: Option<&Unknown<'_>>, data: &Unknown<'_>) -> Result<CovariateArgs> {
    CovariateArgs::read_for(&Opts(o), &Opts(Some(data)))
}

/// A per-customer prediction `f` of a covariate class on the arrays `names`
/// of the customers `data` and the covariate options `o` of those customers
/// ([`args_for`]); its values as a `Float64Array`.
pub(crate) fn on_customers<const N: usize>(
    data: &Unknown<'_>,
    names: [&str; N],
    o: Option<&Unknown<'_>>,
    f: impl FnOnce([&[f64]; N], &CovariateArgs) -> clv::Result<Vec<f64>>,
) -> Result<Float64Array> {
    let d = Data::read(data, &names)?;
    let c = d.slices();
    let args = args_for(o, data)?;
    f(std::array::from_fn(|i| c[i]), &args).map(out).map_err(js)
}

/// A napi failure to build an object (out of memory, a pending exception).
pub(crate) fn failed(e: napi::Error) -> napi::Error<String> {
    napi::Error::new("GenericFailure".to_string(), e.reason)
}

/// Named numbers as a JS object, keys in order.
pub(crate) fn object<'e, K: AsRef<str>>(
    env: &'e Env,
    pairs: impl IntoIterator<Item = (K, f64)>,
) -> Result<Object<'e>> {
    let mut o = Object::new(env).map_err(failed)?;
    for (k, v) in pairs {
        o.set(k, v).map_err(failed)?;
    }
    Ok(o)
}

/// Two groups of effects as a JS object of objects (`{ purchase: {NAME: γ},
/// dropout: {NAME: γ} }`), keys in order.
pub(crate) fn effects_object<'e>(
    env: &'e Env,
    groups: [(&str, common::Effects); 2],
) -> Result<Object<'e>> {
    let mut o = Object::new(env).map_err(failed)?;
    for (k, effects) in groups {
        o.set(k, object(env, effects)?).map_err(failed)?;
    }
    Ok(o)
}

/// `From<$core>` for the covariate class `$class` and the members the
/// covariate classes share with a body of this runtime: `fromJSON`,
/// `toJSON`, `fitInfo` and `logLikelihood`; with `one_set`, also those of
/// the classes with one covariate set (spend, retention), each after its
/// doc lines (`clv_js_common::one_set_members`): `covariateNames` and
/// `stdErrors`. The members alike in both runtimes (`kind`, `name`,
/// `toString`, `penalty`) are `clv_js_common::covariate_members`.
macro_rules! covariate_class {
    ($class:ident($core:ty) $(#[doc = $fit_info:literal])*) => {
        impl From<$core> for $class {
            fn from(inner: $core) -> Self {
                $class { inner }
            }
        }

        #[napi]
        impl $class {
            /// Reads what `toJSON()` wrote (the object, or its JSON text).
            #[napi(
                catch_unwind,
                factory,
                js_name = "fromJSON",
                ts_args_type = "json: string | Record<string, unknown>"
            )]
            pub fn from_json(json: serde_json::Value) -> Result<Self> {
                let text = match json {
                    serde_json::Value::String(s) => s,
                    v => v.to_string(),
                };
                Ok(<$core>::from_json(&text).map_err(js)?.into())
            }

            /// The model as JSON (`format_version` 1, the core's format; NaN standard errors as null).
            #[napi(
                catch_unwind,
                js_name = "toJSON",
                ts_return_type = "Record<string, unknown>"
            )]
            pub fn to_json(&self) -> Result<serde_json::Value> {
                let text = self.inner.to_json().map_err(js)?;
                // The core writes valid JSON.
                Ok(serde_json::from_str(&text).unwrap_or_default())
            }

            $(#[doc = $fit_info])*
            #[napi(getter)]
            pub fn fit_info(&self) -> Option<$crate::covariates::CovariateFitInfo> {
                self.inner
                    .fit_info()
                    .map(|f| $crate::covariates::CovariateFitInfo::from(clv_js_common::covariates::view_of(f)))
            }

            /// The (unpenalised) log-likelihood at the optimum; null for a model not fitted here.
            #[napi(getter)]
            pub fn log_likelihood(&self) -> Option<f64> {
                self.inner.fit_info().map(|f| f.info.log_likelihood)
            }
        }
    };
    (
        $class:ident($core:ty) one_set
        $(#[doc = $names:literal])* covariate_names;
        $(#[doc = $se:literal])* std_errors;
    ) => {
        $crate::covariates::covariate_class!($class($core)
            #[doc = " The fit report (as `CovariateModel.fitInfo`); null for a model not fitted here."]
        );

        #[napi]
        impl $class {
            $(#[doc = $names])*
            #[napi(getter)]
            pub fn covariate_names(&self) -> Vec<String> {
                self.inner.covariate_names().to_vec()
            }

            $(#[doc = $se])*
            #[napi(catch_unwind, getter, ts_return_type = "Record<string, number> | null")]
            pub fn std_errors<'e>(&self, env: &'e napi::Env) -> Result<Option<napi::bindgen_prelude::Object<'e>>> {
                self.inner
                    .fit_info()
                    .map(clv_js_common::covariates::std_errors_of)
                    .map(|s| $crate::covariates::object(env, s))
                    .transpose()
            }
        }
    };
}
pub(crate) use covariate_class;

covariate_class!(CovariateModel(clv::covariates::CovariateModel)
    #[doc = " The fit report; null for a model not fitted here."]
);
clv_js_common::covariate_members!(transaction, #[napi] impl CovariateModel, napi);

impl CovariateModel {
    /// A per-customer prediction on the customers of the
    /// `DynamicCovariateData` `data`, with their time-varying covariates.
    fn dynamic(
        &self,
        data: Unknown<'_>,
        f: impl FnOnce(
            &clv::covariates::CovariateModel,
            &clv::covariates::dynamic::DynamicData,
        ) -> clv::Result<Vec<f64>>,
    ) -> Result<Float64Array> {
        let data = dynamic_data("data", data)?;
        f(&self.inner, &data.inner).map(out).map_err(js)
    }
}

#[napi]
impl CovariateModel {
    /// A model with known parameters, as Python's `from_params`: `kind` a
    /// registry key or class name ("pareto_nbd" / "ParetoNBD", "bg_nbd",
    /// "mbg_nbd", "ggom_nbd"), `params` the base parameters by name (their
    /// values at z = 0), `effects` = `{purchase: {NAME: γ}, dropout: {NAME: γ}}`
    /// in the order the predictions take the covariates.
    #[napi(catch_unwind, factory)]
    pub fn from_params(
        #[napi(ts_arg_type = "string")] kind: Unknown<'_>,
        #[napi(ts_arg_type = "Record<string, number>")] params: Unknown<'_>,
        #[napi(ts_arg_type = "CovariateEffects | undefined | null")] effects: Option<Unknown<'_>>,
    ) -> Result<Self> {
        let kind = string("kind", kind)?;
        let expected = "an object of the base parameters by name, e.g. { r: 0.5, alpha: 10, s: 0.6, beta: 12 }";
        let params = entries(Some(&params), "params", expected)?
            .into_iter()
            .map(|(k, v)| Ok((k.clone(), number(&k, v)?)))
            .collect::<Result<Vec<_>>>()?;
        let read = EffectArgs::read(&Opts(effects.as_ref()))?;
        // after `read`: its own message for constrainEqual
        crate::read::known_keys(
            effects.as_ref(),
            &["purchase", "dropout"],
            "a group of effects",
        )?;
        let effects = read;
        Ok(common::from_params(&kind, &params, &effects)
            .map_err(js)?
            .into())
    }

    /// The base parameters (r, alpha, s, beta or r, alpha, a, b): their values at z = 0.
    #[napi(catch_unwind, getter, ts_return_type = "Record<string, number>")]
    pub fn params<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        object(env, common::params(&self.inner).0)
    }

    /// The covariate names, in the order the predictions take them.
    #[napi(getter)]
    pub fn covariate_names(&self) -> CovariateNames {
        let (p, d) = self.inner.covariate_names();
        CovariateNames {
            purchase: p.to_vec(),
            dropout: d.to_vec(),
        }
    }

    /// `{purchase: {NAME: γ}, dropout: {NAME: γ}}`: the effects of the links, in covariate order.
    #[napi(
        catch_unwind,
        getter,
        ts_return_type = "{ purchase: Record<string, number>, dropout: Record<string, number> }"
    )]
    pub fn covariate_effects<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        let (p, d) = common::effects(&self.inner);
        effects_object(env, [("purchase", p), ("dropout", d)])
    }

    /// The covariates whose purchase and dropout effects were constrained equal.
    #[napi(getter)]
    pub fn constrained(&self) -> Vec<String> {
        self.inner.constrained()
    }

    /// Standard errors by name: the base parameters, `purchase_NAME` and
    /// `dropout_NAME` (a constrained effect under both); NaN where not
    /// identified (the dropout side at a boundary); null for a model not fitted here.
    #[napi(catch_unwind, getter, ts_return_type = "Record<string, number> | null")]
    pub fn std_errors<'e>(&self, env: &'e Env) -> Result<Option<Object<'e>>> {
        self.inner.std_errors().map(|s| object(env, s)).transpose()
    }

    /// The note of a boundary optimum; null for an interior one.
    #[napi(getter)]
    pub fn boundary(&self) -> Option<String> {
        self.inner.fit_info().and_then(|f| f.info.boundary.clone())
    }

    /// The time unit of the fitted data, or null.
    #[napi(getter)]
    pub fn unit(&self) -> Option<String> {
        self.inner.fit_info().and_then(|f| f.info.unit.clone())
    }

    /// Expected purchases in `t` units of a new customer with each row's covariates.
    #[napi(catch_unwind)]
    pub fn expected_purchases_new(
        &self,
        #[napi(ts_arg_type = "number")] t: Unknown<'_>,
        #[napi(ts_arg_type = "CovariateOptions | undefined | null")] covariates: Option<
            Unknown<'_>,
        >,
    ) -> Result<Float64Array> {
        let t = number("t", t)?;
        let args = args_of(covariates.as_ref())?;
        common::expected_purchases_new(&self.inner, t, &args)
            .map(out)
            .map_err(js)
    }

    /// P(X(t) = n) of a new customer with each row's covariates (`n` a whole number ≥ 0).
    #[napi(catch_unwind)]
    pub fn prob_purchases(
        &self,
        #[napi(ts_arg_type = "number")] n: Unknown<'_>,
        #[napi(ts_arg_type = "number")] t: Unknown<'_>,
        #[napi(ts_arg_type = "CovariateOptions | undefined | null")] covariates: Option<
            Unknown<'_>,
        >,
    ) -> Result<Float64Array> {
        let n = number("n", n)?;
        let t = number("t", t)?;
        let args = args_of(covariates.as_ref())?;
        common::prob_purchases(&self.inner, n, t, &args)
            .map(out)
            .map_err(js)
    }

    /// Each row's own parameters (r, alpha_i, s, beta_i or r, alpha_i, a_i, b_i).
    #[napi(catch_unwind, ts_return_type = "Array<Record<string, number>>")]
    pub fn customer_params<'e>(
        &self,
        env: &'e Env,
        #[napi(ts_arg_type = "CovariateOptions | undefined | null")] covariates: Option<
            Unknown<'_>,
        >,
    ) -> Result<Vec<Object<'e>>> {
        let args = args_of(covariates.as_ref())?;
        let rows = common::customer_params(&self.inner, &args).map_err(js)?;
        rows.into_iter().map(|r| object(env, r.0)).collect()
    }

    /// Maximum-likelihood fit of the Pareto/NBD with time-varying covariates
    /// to `data`: the same penalties, equality constraints, standard errors
    /// and boundary reports as the static fit.
    #[napi(catch_unwind, factory)]
    pub fn fit_dynamic(
        #[napi(ts_arg_type = "DynamicCovariateData")] data: Unknown<'_>,
        #[napi(ts_arg_type = "DynamicFitOptions | undefined | null")] options: Option<Unknown<'_>>,
    ) -> Result<Self> {
        let data = dynamic_data("data", data)?;
        let args = dynamic::DynamicFitArgs::read(&Opts(options.as_ref()))?;
        let weights = options
            .as_ref()
            .map(|o| opt_numbers_of(o, "weights"))
            .transpose()?
            .flatten();
        let w = weights.as_ref().map(crate::sl);
        Ok(dynamic::fit(&data.inner, w, &args).map_err(js)?.into())
    }
}

/// The per-row methods of `CovariateModel` (`@write`), each after its doc
/// lines: `name(scalar = jsScalar, ...) [its other parameters] |this| body`,
/// the scalars (JS numbers, named by their JS names in errors) read first,
/// `this` the model. `customers ENTRIES` writes the per-customer
/// predictions of `clv_js_common::covariate_predictions!` (`name =
/// jsName(scalars) |model, [x, t_x, T], purchase set, dropout set| core
/// call`), each taking the customers (`Customers`) and their covariates
/// ([`on_customers`]); `dynamic ENTRIES` those of
/// `clv_js_common::dynamic_predictions!` (`name = jsName(scalar = jsScalar,
/// ...) |model, data| core call`), each taking a `DynamicCovariateData`
/// ([`CovariateModel::dynamic`]).
macro_rules! covariate_methods {
    (customers $($($doc:literal)+ $name:ident = $js:ident($($s:ident),*) |$m:ident, $c:tt, $p:ident, $d:ident| $call:expr;)*) => {
        covariate_methods!(@write $([$($doc)+] $name($($s = $s),*) [
            #[napi(ts_arg_type = "Customers")] data: Unknown<'_>,
            #[napi(ts_arg_type = "CovariateOptions | undefined | null")] covariates: Option<Unknown<'_>>,
        ] |this| on_customers(&data, ["frequency", "recency", "T"], covariates.as_ref(), |c, args| {
            common::per_customer(&this.inner, c, args, |$m, $c, $p, $d| $call)
        });)*);
    };
    (dynamic $($($doc:literal)+ $name:ident = $js:ident($($s:ident = $sjs:ident),*) |$m:ident, $d:ident| $call:expr;)*) => {
        covariate_methods!(@write $([$($doc)+] $name($($s = $sjs),*) [
            #[napi(ts_arg_type = "DynamicCovariateData")] data: Unknown<'_>,
        ] |this| this.dynamic(data, |$m, $d| $call);)*);
    };
    (@write $([$($doc:literal)+] $name:ident($($s:ident = $sjs:ident),*) [$($param:tt)*] |$this:ident| $body:expr;)*) => {
        #[napi]
        impl CovariateModel {
            $(
                $(#[doc = $doc])+
                #[napi(catch_unwind)]
                pub fn $name(
                    &self,
                    $(#[napi(ts_arg_type = "number")] $s: Unknown<'_>,)*
                    $($param)*
                ) -> Result<Float64Array> {
                    $(let $s = number(stringify!($sjs), $s)?;)*
                    let $this = self;
                    $body
                }
            )*
        }
    };
}

clv_js_common::dynamic_predictions!(covariate_methods dynamic);
clv_js_common::covariate_predictions!(transaction, covariate_methods customers);
