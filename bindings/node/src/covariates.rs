//! `CovariateModel`: a Pareto/NBD or BG/NBD model with static covariates
//! (`clv::covariates`, issue 15), what `ParetoNBD.fit(data, {purchaseCovariates,
//! dropoutCovariates, penalty, constrainEqual})` and `BetaGeo.fit(...)`
//! return. Thin: the options are read by `clv-js-common`
//! ([`CovariateArgs`]), every check, the fit and the predictions are the
//! core's.

use clv_js_common::covariates::{self as common, CovariateArgs};
use napi::Env;
use napi::bindgen_prelude::{Float64Array, Object, Unknown};
use napi_derive::napi;

use crate::read::{Data, Opts, number};
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

/// A Pareto/NBD or BG/NBD model with static covariates: `params` are the base
/// parameters (their values at z = 0), `covariateEffects` the effects by
/// process and name (CLVTools' `trans.NAME` / `life.NAME`); the predictions
/// take each customer's covariates, with the model's names.
#[napi]
pub struct CovariateModel {
    inner: clv::covariates::CovariateModel,
}

impl From<clv::covariates::CovariateModel> for CovariateModel {
    fn from(inner: clv::covariates::CovariateModel) -> Self {
        CovariateModel { inner }
    }
}

/// The covariate options of `fit` (its second argument) or of a prediction
/// (`purchaseCovariates`, `dropoutCovariates`).
pub(crate) fn args_of(o: Option<&Unknown<'_>>) -> Result<CovariateArgs> {
    CovariateArgs::read(&Opts(o))
}

/// A napi failure to build an object (out of memory, a pending exception).
fn failed(e: napi::Error) -> napi::Error<String> {
    napi::Error::new("GenericFailure".to_string(), e.reason)
}

/// Named numbers as a JS object, keys in order.
fn object<'e, K: AsRef<str>>(
    env: &'e Env,
    pairs: impl IntoIterator<Item = (K, f64)>,
) -> Result<Object<'e>> {
    let mut o = Object::new(env).map_err(failed)?;
    for (k, v) in pairs {
        o.set(k, v).map_err(failed)?;
    }
    Ok(o)
}

impl CovariateModel {
    /// A per-customer prediction on `data` (`{frequency, recency, T}`) with
    /// the customers' covariates.
    fn customers(
        &self,
        data: &Unknown<'_>,
        options: Option<&Unknown<'_>>,
        f: impl FnOnce(
            &clv::covariates::CovariateModel,
            [&[f64]; 3],
            &clv::covariates::Covariates,
            &clv::covariates::Covariates,
        ) -> clv::Result<Vec<f64>>,
    ) -> Result<Float64Array> {
        let d = Data::read(data, &["frequency", "recency", "T"])?;
        let c = d.slices();
        let args = args_of(options)?;
        common::per_customer(&self.inner, [c[0], c[1], c[2]], &args, f)
            .map(out)
            .map_err(js)
    }
}

#[napi]
impl CovariateModel {
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
        Ok(common::from_json(&text).map_err(js)?.into())
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

    /// The registry key of the plain model: "pareto_nbd" or "bg_nbd".
    #[napi(getter)]
    pub fn kind(&self) -> String {
        common::kind(&self.inner).to_string()
    }

    /// Display name, e.g. "Pareto/NBD with static covariates".
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.kind().name().to_string()
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
        let mut o = Object::new(env).map_err(failed)?;
        o.set("purchase", object(env, p)?).map_err(failed)?;
        o.set("dropout", object(env, d)?).map_err(failed)?;
        Ok(o)
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

    /// The fit report; null for a model not fitted here.
    #[napi(getter)]
    pub fn fit_info(&self) -> Option<CovariateFitInfo> {
        common::fit_view(&self.inner).map(CovariateFitInfo::from)
    }

    /// The (unpenalised) log-likelihood at the optimum; null for a model not fitted here.
    #[napi(getter)]
    pub fn log_likelihood(&self) -> Option<f64> {
        self.inner.fit_info().map(|f| f.info.log_likelihood)
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

    /// `Pareto/NBD with static covariates(r=..., ...; purchase [...], dropout [...])`.
    #[napi(js_name = "toString")]
    pub fn display(&self) -> String {
        common::display(&self.inner)
    }
}

/// The per-customer predictions, one per line: `"doc" name(scalars) |model,
/// [x, t_x, T], purchase set, dropout set| core call`, each taking its
/// scalars, the customers (`Customers`) and their covariates.
macro_rules! per_customer_predictions {
    ($($doc:literal $name:ident($($s:ident),*) |$m:ident, $c:tt, $p:ident, $d:ident| $call:expr;)*) => {
        #[napi]
        impl CovariateModel {
            $(
                #[doc = $doc]
                #[napi(catch_unwind)]
                pub fn $name(
                    &self,
                    $(#[napi(ts_arg_type = "number")] $s: Unknown<'_>,)*
                    #[napi(ts_arg_type = "Customers")] data: Unknown<'_>,
                    #[napi(ts_arg_type = "CovariateOptions | undefined | null")] covariates: Option<Unknown<'_>>,
                ) -> Result<Float64Array> {
                    $(let $s = number(stringify!($s), $s)?;)*
                    self.customers(&data, covariates.as_ref(), |$m, $c, $p, $d| $call)
                }
            )*
        }
    };
}

per_customer_predictions! {
    "P(alive) of each customer, with each one's covariates."
    prob_alive() |m, [x, tx, t], p, d| m.prob_alive(x, tx, t, p, d);
    "Expected purchases of each customer in the next `t` units, with each one's covariates."
    expected_purchases(t) |m, [x, tx, tt], p, d| m.expected_purchases(t, x, tx, tt, p, d);
    "Per-customer log-likelihood, with each one's covariates."
    log_likelihood_of() |m, [x, tx, t], p, d| m.log_likelihood(x, tx, t, p, d);
}
