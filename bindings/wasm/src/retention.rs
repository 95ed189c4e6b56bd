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

use crate::covariates::{
    args_for, args_of, covariate_class, effects_object, object, params_getters,
};
use crate::{Opts, Result, f64s, get, invalid, js, missing, num, opt_f64s, to_f64s, type_name};

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

clv_js_common::one_set_members!(
    retention,
    covariate_class,
    WasmRetentionCovariateModel = RetentionCovariateModel(Core)
);
clv_js_common::covariate_members!(
    retention,
    #[wasm_bindgen(js_class = RetentionCovariateModel)] impl WasmRetentionCovariateModel,
    wasm_bindgen
);
params_getters! {
    WasmRetentionCovariateModel = RetentionCovariateModel, retention,
    #[doc = " The base parameters alpha, beta: their values at z = 0."] "ShiftedBetaGeoParams",
    #[doc = " `{ alpha: {NAME: γ_α}, beta: {NAME: γ_β} }`, in covariate order."]
    "RetentionCovariateEffects", |(a, b)| effects_object([("alpha", a), ("beta", b)])
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
        crate::known_params(&params, clv::models::ModelKind::Sbg)?;
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
        crate::known_keys(&effects, &["alpha", "beta"], "a group of sBG effects")?;
        let expected = "an object of effects by covariate name, e.g. { Premium: 0.5 }";
        let o = Opts(&effects);
        let alpha = o.named("alpha", expected, num)?.unwrap_or_default();
        let beta = o.named("beta", expected, num)?.unwrap_or_default();
        Ok(common::from_params(base, &alpha, &beta).map_err(js)?.into())
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
}

/// The per-row predictions of `clv_js_common::covariate_predictions!`, one
/// per entry: the doc lines, then `name = jsName(scalar) |model, dropout set|
/// core call`, each taking its scalar and the options with each row's
/// `dropoutCovariates` ([`WasmRetentionCovariateModel::rows`]).
macro_rules! per_row_predictions {
    ($($($doc:literal)+ $name:ident = $js:ident($s:ident) |$m:ident, $z:ident| $call:expr;)*) => {
        #[wasm_bindgen(js_class = RetentionCovariateModel)]
        impl WasmRetentionCovariateModel {
            $(
                $(#[doc = $doc])+
                #[wasm_bindgen(js_name = $js)]
                pub fn $name(
                    &self,
                    #[wasm_bindgen(unchecked_param_type = "number")] $s: JsValue,
                    #[wasm_bindgen(unchecked_optional_param_type = "RetentionCovariateOptions | null")]
                    covariates: JsValue,
                ) -> Result<Vec<f64>> {
                    let $s = num(stringify!($s), &$s)?;
                    self.rows(&covariates, |$m, $z| $call)
                }
            )*
        }
    };
}

clv_js_common::covariate_predictions!(retention, per_row_predictions);
