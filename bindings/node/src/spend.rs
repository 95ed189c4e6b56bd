//! `SpendCovariateModel`: the Gamma-Gamma model with spend covariates
//! (`clv::covariates::spend`), what `new GammaGamma().fit(data,
//! {spendCovariates, penalty})` returns. Thin: the options are read by
//! `clv-js-common` ([`CovariateArgs`], [`common`]), every check, the fit and
//! the predictions are the core's.

use clv_js_common::covariates::CovariateArgs;
use clv_js_common::spend as common;
use napi::Env;
use napi::bindgen_prelude::{Float64Array, Object, Unknown};
use napi_derive::napi;

use crate::covariates::{CovariateFitInfo, args_for, object};
use crate::read::{Data, entries, number, number_of};
use crate::{Result, js, out};

/// The Gamma-Gamma model with spend covariates: `params` are the base
/// parameters p, q, v (v at z = 0), `covariateEffects` the spend effects by
/// name (`v_i = v·exp(Σ γ_k z_ik)`: `e^γ` multiplies the expected spend per
/// transaction); the predictions take each customer's `spendCovariates`,
/// with the model's names.
#[napi]
pub struct SpendCovariateModel {
    inner: clv::covariates::spend::SpendCovariateModel,
}

impl From<clv::covariates::spend::SpendCovariateModel> for SpendCovariateModel {
    fn from(inner: clv::covariates::spend::SpendCovariateModel) -> Self {
        SpendCovariateModel { inner }
    }
}

impl SpendCovariateModel {
    /// A per-customer prediction on `data` (`{frequency, monetaryValue}`)
    /// with the customers' spend covariates.
    fn customers(
        &self,
        data: &Unknown<'_>,
        options: Option<&Unknown<'_>>,
        f: impl FnOnce(
            &clv::covariates::spend::SpendCovariateModel,
            [&[f64]; 2],
            &clv::covariates::Covariates,
        ) -> clv::Result<Vec<f64>>,
    ) -> Result<Float64Array> {
        let d = Data::read(data, &["frequency", "monetaryValue"])?;
        let c = d.slices();
        let args: CovariateArgs = args_for(options, data)?;
        common::per_customer(&self.inner, [c[0], c[1]], &args, f)
            .map(out)
            .map_err(js)
    }
}

#[napi]
impl SpendCovariateModel {
    /// A model with known parameters: `params` = {p, q, v} (v at z = 0) and
    /// one effect per spend covariate, `{ NAME: γ }` in the order the
    /// predictions take them.
    #[napi(catch_unwind, factory)]
    pub fn from_params(
        #[napi(ts_arg_type = "GammaGammaParams")] params: Unknown<'_>,
        #[napi(ts_arg_type = "Record<string, number> | undefined | null")] effects: Option<
            Unknown<'_>,
        >,
    ) -> Result<Self> {
        let base = [
            number_of(&params, "p")?,
            number_of(&params, "q")?,
            number_of(&params, "v")?,
        ];
        let expected = "an object of effects by covariate name, e.g. { Gender: 0.1 }";
        let effects = entries(effects.as_ref(), "effects", expected)?
            .into_iter()
            .map(|(k, v)| Ok((k.clone(), number(&format!("effects.{k}"), v)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(common::from_params(base, &effects).map_err(js)?.into())
    }

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

    /// The registry key of the plain model: "gamma_gamma".
    #[napi(getter)]
    pub fn kind(&self) -> String {
        common::kind().to_string()
    }

    /// Display name: "Gamma-Gamma with spend covariates".
    #[napi(getter)]
    pub fn name(&self) -> String {
        common::NAME.to_string()
    }

    /// The base parameters p, q, v: their values at z = 0.
    #[napi(catch_unwind, getter, ts_return_type = "GammaGammaParams")]
    pub fn params<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        object(env, common::params(&self.inner).0)
    }

    /// The spend covariate names, in the order the predictions take them.
    #[napi(getter)]
    pub fn covariate_names(&self) -> Vec<String> {
        self.inner.covariate_names().to_vec()
    }

    /// `{NAME: γ}`: the spend effects, in covariate order.
    #[napi(catch_unwind, getter, ts_return_type = "Record<string, number>")]
    pub fn covariate_effects<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        object(env, common::effects(&self.inner))
    }

    /// Standard errors by name (`p`, `q`, `v`, `spend_NAME`); null for a model not fitted here.
    #[napi(catch_unwind, getter, ts_return_type = "Record<string, number> | null")]
    pub fn std_errors<'e>(&self, env: &'e Env) -> Result<Option<Object<'e>>> {
        common::std_errors(&self.inner)
            .map(|s| object(env, s))
            .transpose()
    }

    /// The fit report (as `CovariateModel.fitInfo`); null for a model not fitted here.
    #[napi(getter)]
    pub fn fit_info(&self) -> Option<CovariateFitInfo> {
        common::fit_view(&self.inner).map(CovariateFitInfo::from)
    }

    /// The (unpenalised) log-likelihood at the optimum; null for a model not fitted here.
    #[napi(getter)]
    pub fn log_likelihood(&self) -> Option<f64> {
        self.inner.fit_info().map(|f| f.info.log_likelihood)
    }

    /// The L2 penalty on the spend effects of the fit (0 for a model built from parameters).
    #[napi(getter)]
    pub fn penalty(&self) -> f64 {
        self.inner.penalty()
    }

    /// The expected spend per transaction of each customer (Fader & Hardie 2013, eq. 5,
    /// at the customer's p, q, v_i), with each one's `spendCovariates`.
    #[napi(catch_unwind)]
    pub fn expected_spend(
        &self,
        #[napi(ts_arg_type = "SpendCustomers")] data: Unknown<'_>,
        #[napi(ts_arg_type = "SpendCovariateOptions | undefined | null")] covariates: Option<
            Unknown<'_>,
        >,
    ) -> Result<Float64Array> {
        self.customers(&data, covariates.as_ref(), |m, [x, mv], z| {
            m.expected_spend(x, mv, z)
        })
    }

    /// Per-customer log-likelihood (customers with frequency > 0 and mean spend > 0),
    /// with each one's `spendCovariates`.
    #[napi(catch_unwind)]
    pub fn log_likelihood_of(
        &self,
        #[napi(ts_arg_type = "SpendCustomers")] data: Unknown<'_>,
        #[napi(ts_arg_type = "SpendCovariateOptions | undefined | null")] covariates: Option<
            Unknown<'_>,
        >,
    ) -> Result<Float64Array> {
        self.customers(&data, covariates.as_ref(), |m, [x, mv], z| {
            m.log_likelihood(x, mv, z)
        })
    }

    /// `Gamma-Gamma with spend covariates(p=..., q=..., v=...; spend [...])`.
    #[napi(js_name = "toString")]
    pub fn display(&self) -> String {
        common::display(&self.inner)
    }
}
