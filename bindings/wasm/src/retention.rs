//! `RetentionCovariateModel`: the sBG with static covariates on
//! per-customer contract data (`clv::covariates::retention`), what
//! `new ShiftedBetaGeo().fitIndividual({periods, churned}, {dropoutCovariates,
//! penalty})` returns, as in `@clv/node`. Thin: the options are read by
//! `clv-js-common` ([`common`]), every check, the fit and the predictions
//! are the core's.

use clv::covariates::Covariates;
use clv::covariates::retention::RetentionCovariateModel as Core;
use clv_js_common::models::ModelState;
use clv_js_common::retention::{self as common, FitIndividualArgs, Renewals};
use js_sys::Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::covariates::{args_for, args_of, object};
use crate::{
    Opts, Result, f64s, get, invalid, js, json_text, missing, num, opt_f64s, to_f64s, to_js,
    type_name,
};

const FLAGS: &str = "an array of booleans (or of 0 and 1)";

/// The array `obj[key]` of booleans or numbers (each boolean read as 1 or
/// 0; js-common checks the numbers), e.g. `churned`; a `Float64Array` too.
fn flags(obj: &JsValue, key: &str) -> Result<Vec<f64>> {
    let v = get(obj, key)?;
    if !Array::is_array(&v) {
        if missing(&v) {
            return Err(invalid(key, "undefined", FLAGS));
        }
        return to_f64s(key, &v);
    }
    let a: &Array = v.unchecked_ref();
    a.iter()
        .enumerate()
        .map(|(i, x)| {
            if let Some(b) = x.as_bool() {
                Ok(if b { 1.0 } else { 0.0 })
            } else {
                x.as_f64()
                    .ok_or_else(|| js(clv::Error::invalid_at(key, i, type_name(&x), FLAGS)))
            }
        })
        .collect()
}

/// `fitIndividual(data, options)` of `ShiftedBetaGeo` on `state`.
pub(crate) fn fit(
    state: &ModelState,
    data: &JsValue,
    options: &JsValue,
) -> Result<WasmRetentionCovariateModel> {
    let periods = f64s(data, "periods")?;
    let churned = flags(data, "churned")?;
    let weights = opt_f64s(data, "weights")?;
    let args = FitIndividualArgs::read_for(&Opts(options), &Opts(data))?;
    common::fit(state, &periods, &churned, weights.as_deref(), &args)
        .map(WasmRetentionCovariateModel::from)
        .map_err(js)
}

/// The sBG with static covariates: `params` are the base parameters alpha,
/// beta (their values at z = 0), `covariateEffects` the effects on each by
/// covariate name (`alpha_i = alpha·exp(−γ_αᵀz_i)`, `beta_i =
/// beta·exp(−γ_βᵀz_i)`: a positive effect on alpha lowers the churn
/// probability, one on beta raises it); the predictions take each row's
/// `dropoutCovariates`, with the model's names.
#[wasm_bindgen(js_name = RetentionCovariateModel)]
pub struct WasmRetentionCovariateModel {
    inner: Core,
}

impl From<Core> for WasmRetentionCovariateModel {
    fn from(inner: Core) -> Self {
        WasmRetentionCovariateModel { inner }
    }
}

impl WasmRetentionCovariateModel {
    /// A prediction for each row of the dropout set of `options`.
    fn rows(
        &self,
        options: &JsValue,
        f: impl FnOnce(&Core, &Covariates) -> clv::Result<Vec<f64>>,
    ) -> Result<Vec<f64>> {
        let args = args_of(options)?;
        common::per_row(&self.inner, &args, f).map_err(js)
    }
}

#[wasm_bindgen(js_class = RetentionCovariateModel)]
impl WasmRetentionCovariateModel {
    /// A model with known parameters: `params` = {alpha, beta} (values at
    /// z = 0) and the effects `{ alpha: { NAME: γ }, beta: { NAME: γ } }`
    /// (covariates in the order of alpha's keys, then beta's; a covariate in
    /// one of them only has effect 0 on the other).
    #[wasm_bindgen(js_name = fromParams)]
    pub fn from_params(
        #[wasm_bindgen(unchecked_param_type = "ShiftedBetaGeoParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RetentionCovariateEffects | null")]
        effects: JsValue,
    ) -> Result<WasmRetentionCovariateModel> {
        let base = [
            num("alpha", &get(&params, "alpha")?)?,
            num("beta", &get(&params, "beta")?)?,
        ];
        if !missing(&effects) && (!effects.is_object() || Array::is_array(&effects)) {
            return Err(invalid(
                "effects",
                "not an object",
                "{ alpha: { NAME: effect }, beta: { NAME: effect } }",
            ));
        }
        let expected = "an object of effects by covariate name, e.g. { Premium: 0.5 }";
        let o = Opts(&effects);
        let alpha = o.named("alpha", expected, num)?.unwrap_or_default();
        let beta = o.named("beta", expected, num)?.unwrap_or_default();
        Ok(common::from_params(base, &alpha, &beta).map_err(js)?.into())
    }

    /// Reads what `toJSON()` wrote (the object, or its JSON text).
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string | Record<string, unknown>")] json: JsValue,
    ) -> Result<WasmRetentionCovariateModel> {
        Ok(common::from_json(&json_text(&json)?).map_err(js)?.into())
    }

    /// The model as JSON (`format_version` 1, the core's format; NaN standard errors as null).
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, unknown>")]
    pub fn to_json(&self) -> Result<JsValue> {
        js_sys::JSON::parse(&self.inner.to_json().map_err(js)?)
    }

    /// The registry key of the plain model: "sbg".
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        common::kind().to_string()
    }

    /// Display name: "sBG with covariates".
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        common::NAME.to_string()
    }

    /// The base parameters alpha, beta: their values at z = 0.
    #[wasm_bindgen(getter, unchecked_return_type = "ShiftedBetaGeoParams")]
    pub fn params(&self) -> JsValue {
        object(common::params(&self.inner).0)
    }

    /// The covariate names, in the order the predictions take them.
    #[wasm_bindgen(getter, js_name = covariateNames, unchecked_return_type = "string[]")]
    pub fn covariate_names(&self) -> JsValue {
        crate::strings_array(self.inner.covariate_names()).into()
    }

    /// `{ alpha: {NAME: γ_α}, beta: {NAME: γ_β} }`, in covariate order.
    #[wasm_bindgen(
        getter,
        js_name = covariateEffects,
        unchecked_return_type = "RetentionCovariateEffects"
    )]
    pub fn covariate_effects(&self) -> JsValue {
        let (a, b) = common::effects(&self.inner);
        let o = js_sys::Object::new();
        crate::set(&o, "alpha", object(a));
        crate::set(&o, "beta", object(b));
        o.into()
    }

    /// Standard errors by name (`alpha`, `beta`, `alpha_NAME`, `beta_NAME`); null for a model
    /// not fitted here.
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

    /// The L2 penalty on the effects of the fit (0 for a model built from parameters).
    #[wasm_bindgen(getter)]
    pub fn penalty(&self) -> f64 {
        self.inner.penalty()
    }

    /// S(t): the probability of being still active after `t` whole periods, for each row of
    /// `dropoutCovariates` (one value for a model without covariates given none).
    pub fn survival(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] t: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RetentionCovariateOptions | null")]
        covariates: JsValue,
    ) -> Result<Vec<f64>> {
        let t = num("t", &t)?;
        self.rows(&covariates, |m, z| m.survival(t, z))
    }

    /// r(t) = (β_i+t−1)/(α_i+β_i+t−1): the retention rate in period `t` ≥ 1, for each row.
    pub fn retention(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] t: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RetentionCovariateOptions | null")]
        covariates: JsValue,
    ) -> Result<Vec<f64>> {
        let t = num("t", &t)?;
        self.rows(&covariates, |m, z| m.retention(t, z))
    }

    /// P(T = t): the probability of churning in period `t` ≥ 1, for each row.
    #[wasm_bindgen(js_name = probChurn)]
    pub fn prob_churn(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] t: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RetentionCovariateOptions | null")]
        covariates: JsValue,
    ) -> Result<Vec<f64>> {
        let t = num("t", &t)?;
        self.rows(&covariates, |m, z| m.prob_churn(t, z))
    }

    /// The discounted expected residual lifetime (Fader & Hardie 2010, eq. 6; in periods) of
    /// each customer who has made `renewals` renewals (one per row, or one number for every
    /// row), with each one's covariates.
    pub fn dert(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] discount: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number | Float64Array | Array<number>")]
        renewals: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RetentionCovariateOptions | null")]
        covariates: JsValue,
    ) -> Result<Vec<f64>> {
        let discount = num("discount", &discount)?;
        let renewals = match renewals.as_f64() {
            Some(r) => Renewals::One(r),
            None => Renewals::Each(to_f64s("renewals", &renewals)?),
        };
        let args = args_of(&covariates)?;
        common::dert(&self.inner, discount, &renewals, &args).map_err(js)
    }

    /// The discounted expected lifetime (in periods, the first payment included) of a new
    /// customer with each row's covariates.
    #[wasm_bindgen(js_name = discountedExpectedLifetime)]
    pub fn discounted_expected_lifetime(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] discount: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RetentionCovariateOptions | null")]
        covariates: JsValue,
    ) -> Result<Vec<f64>> {
        let discount = num("discount", &discount)?;
        self.rows(&covariates, |m, z| {
            m.discounted_expected_lifetime(discount, z)
        })
    }

    /// Each row's own `{alpha, beta}`.
    #[wasm_bindgen(js_name = customerParams, unchecked_return_type = "ShiftedBetaGeoParams[]")]
    pub fn customer_params(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "RetentionCovariateOptions | null")]
        covariates: JsValue,
    ) -> Result<JsValue> {
        let args = args_of(&covariates)?;
        let rows = common::customer_params(&self.inner, &args).map_err(js)?;
        Ok(rows
            .into_iter()
            .map(|r| object(r.0))
            .collect::<Array>()
            .into())
    }

    /// Per-customer ln L_i: ln P(T = t_i) for a customer who churned in period t_i, ln S(t_i)
    /// for one still active after t_i periods, with each customer's covariates.
    #[wasm_bindgen(js_name = logLikelihoodOf)]
    pub fn log_likelihood_of(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RetentionCustomers")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RetentionCovariateOptions | null")]
        covariates: JsValue,
    ) -> Result<Vec<f64>> {
        let periods = f64s(&data, "periods")?;
        let churned = flags(&data, "churned")?;
        let args = args_for(&covariates, &data)?;
        common::log_likelihood(&self.inner, &periods, &churned, &args).map_err(js)
    }

    /// `sBG with covariates(alpha=..., beta=...; alpha [...], beta [...])`.
    #[wasm_bindgen(js_name = toString)]
    pub fn display(&self) -> String {
        common::display(&self.inner)
    }
}
