//! `SpendCovariateModel`: the Gamma-Gamma model with spend covariates
//! (`clv::covariates::spend`), what `new GammaGamma().fit(data,
//! {spendCovariates, penalty})` returns, as in `@clv/node`. Thin: the
//! options are read by `clv-js-common` ([`common`]), every check, the fit
//! and the predictions are the core's.

use clv_js_common::spend as common;
use wasm_bindgen::prelude::*;

use crate::covariates::{args_for, object};
use crate::{Opts, Result, f64s, get, js, json_text, num, to_js};

/// The Gamma-Gamma model with spend covariates: `params` are the base
/// parameters p, q, v (v at z = 0), `covariateEffects` the spend effects by
/// name (`v_i = v·exp(Σ γ_k z_ik)`: `e^γ` multiplies the expected spend per
/// transaction); the predictions take each customer's `spendCovariates`,
/// with the model's names.
#[wasm_bindgen(js_name = SpendCovariateModel)]
pub struct WasmSpendCovariateModel {
    inner: clv::covariates::spend::SpendCovariateModel,
}

impl From<clv::covariates::spend::SpendCovariateModel> for WasmSpendCovariateModel {
    fn from(inner: clv::covariates::spend::SpendCovariateModel) -> Self {
        WasmSpendCovariateModel { inner }
    }
}

impl WasmSpendCovariateModel {
    /// A per-customer prediction on `data` (`{frequency, monetaryValue}`)
    /// with the customers' spend covariates.
    fn customers(
        &self,
        data: &JsValue,
        options: &JsValue,
        f: impl FnOnce(
            &clv::covariates::spend::SpendCovariateModel,
            [&[f64]; 2],
            &clv::covariates::Covariates,
        ) -> clv::Result<Vec<f64>>,
    ) -> Result<Vec<f64>> {
        let (x, m) = (f64s(data, "frequency")?, f64s(data, "monetaryValue")?);
        let args = args_for(options, data)?;
        common::per_customer(&self.inner, [&x, &m], &args, f).map_err(js)
    }
}

#[wasm_bindgen(js_class = SpendCovariateModel)]
impl WasmSpendCovariateModel {
    /// A model with known parameters: `params` = {p, q, v} (v at z = 0) and
    /// one effect per spend covariate, `{ NAME: γ }` in the order the
    /// predictions take them.
    #[wasm_bindgen(js_name = fromParams)]
    pub fn from_params(
        #[wasm_bindgen(unchecked_param_type = "GammaGammaParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Record<string, number> | null")]
        effects: JsValue,
    ) -> Result<WasmSpendCovariateModel> {
        let base = [
            num("p", &get(&params, "p")?)?,
            num("q", &get(&params, "q")?)?,
            num("v", &get(&params, "v")?)?,
        ];
        // `effects` read as the field of an options object (named entries).
        let o = js_sys::Object::new();
        crate::set(&o, "effects", effects);
        let expected = "an object of effects by covariate name, e.g. { Gender: 0.1 }";
        let effects = Opts(&o.into())
            .named("effects", expected, num)?
            .unwrap_or_default();
        Ok(common::from_params(base, &effects).map_err(js)?.into())
    }

    /// Reads what `toJSON()` wrote (the object, or its JSON text).
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string | Record<string, unknown>")] json: JsValue,
    ) -> Result<WasmSpendCovariateModel> {
        Ok(common::from_json(&json_text(&json)?).map_err(js)?.into())
    }

    /// The model as JSON (`format_version` 1, the core's format; NaN standard errors as null).
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, unknown>")]
    pub fn to_json(&self) -> Result<JsValue> {
        js_sys::JSON::parse(&self.inner.to_json().map_err(js)?)
    }

    /// The registry key of the plain model: "gamma_gamma".
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        common::kind().to_string()
    }

    /// Display name: "Gamma-Gamma with spend covariates".
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        common::NAME.to_string()
    }

    /// The base parameters p, q, v: their values at z = 0.
    #[wasm_bindgen(getter, unchecked_return_type = "GammaGammaParams")]
    pub fn params(&self) -> JsValue {
        object(common::params(&self.inner).0)
    }

    /// The spend covariate names, in the order the predictions take them.
    #[wasm_bindgen(getter, js_name = covariateNames, unchecked_return_type = "string[]")]
    pub fn covariate_names(&self) -> JsValue {
        crate::strings_array(self.inner.covariate_names()).into()
    }

    /// `{NAME: γ}`: the spend effects, in covariate order.
    #[wasm_bindgen(
        getter,
        js_name = covariateEffects,
        unchecked_return_type = "Record<string, number>"
    )]
    pub fn covariate_effects(&self) -> JsValue {
        object(common::effects(&self.inner))
    }

    /// Standard errors by name (`p`, `q`, `v`, `spend_NAME`); null for a model not fitted here.
    #[wasm_bindgen(getter, js_name = stdErrors, unchecked_return_type = "Record<string, number> | null")]
    pub fn std_errors(&self) -> JsValue {
        common::std_errors(&self.inner).map_or(JsValue::NULL, object)
    }

    /// The fit report (as `CovariateModel.fitInfo`); null for a model not fitted here.
    #[wasm_bindgen(getter, js_name = fitInfo, unchecked_return_type = "CovariateFitInfo | null")]
    pub fn fit_info(&self) -> Result<JsValue> {
        common::fit_view(&self.inner).map_or(Ok(JsValue::NULL), |v| to_js(&v))
    }

    /// The (unpenalised) log-likelihood at the optimum; null for a model not fitted here.
    #[wasm_bindgen(getter, js_name = logLikelihood, unchecked_return_type = "number | null")]
    pub fn log_likelihood(&self) -> JsValue {
        self.inner
            .fit_info()
            .map_or(JsValue::NULL, |f| f.info.log_likelihood.into())
    }

    /// The L2 penalty on the spend effects of the fit (0 for a model built from parameters).
    #[wasm_bindgen(getter)]
    pub fn penalty(&self) -> f64 {
        self.inner.penalty()
    }

    /// The expected spend per transaction of each customer (Fader & Hardie 2013, eq. 5,
    /// at the customer's p, q, v_i), with each one's `spendCovariates`.
    #[wasm_bindgen(js_name = expectedSpend)]
    pub fn expected_spend(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SpendCustomers")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SpendCovariateOptions | null")]
        covariates: JsValue,
    ) -> Result<Vec<f64>> {
        self.customers(&data, &covariates, |m, [x, mv], z| {
            m.expected_spend(x, mv, z)
        })
    }

    /// Per-customer log-likelihood (customers with frequency > 0 and mean spend > 0),
    /// with each one's `spendCovariates`.
    #[wasm_bindgen(js_name = logLikelihoodOf)]
    pub fn log_likelihood_of(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SpendCustomers")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SpendCovariateOptions | null")]
        covariates: JsValue,
    ) -> Result<Vec<f64>> {
        self.customers(&data, &covariates, |m, [x, mv], z| {
            m.log_likelihood(x, mv, z)
        })
    }

    /// `Gamma-Gamma with spend covariates(p=..., q=..., v=...; spend [...])`.
    #[wasm_bindgen(js_name = toString)]
    pub fn display(&self) -> String {
        common::display(&self.inner)
    }
}
