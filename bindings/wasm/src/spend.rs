//! `SpendCovariateModel`: the Gamma-Gamma model with spend covariates
//! (`clv::covariates::spend`), what `new GammaGamma().fit(data,
//! {spendCovariates, penalty})` returns, as in `@clv/node`. Thin: the
//! options are read by `clv-js-common` ([`common`]), every check, the fit
//! and the predictions are the core's.

use clv_js_common::spend as common;
use wasm_bindgen::prelude::*;

use crate::covariates::{covariate_class, object, on_customers, params_getters};
use crate::{Opts, Result, get, js, num};

/// The Gamma-Gamma model with spend covariates: `params` are the base
/// parameters p, q, v (v at z = 0), `covariateEffects` the spend effects by
/// name (`v_i = v·exp(Σ γ_k z_ik)`: `e^γ` multiplies the expected spend per
/// transaction); the predictions take each customer's `spendCovariates`,
/// with the model's names.
#[wasm_bindgen(js_name = SpendCovariateModel)]
pub struct WasmSpendCovariateModel {
    inner: clv::covariates::spend::SpendCovariateModel,
}

clv_js_common::one_set_members!(
    spend,
    covariate_class,
    WasmSpendCovariateModel = SpendCovariateModel(clv::covariates::spend::SpendCovariateModel)
);
clv_js_common::covariate_members!(
    spend,
    #[wasm_bindgen(js_class = SpendCovariateModel)] impl WasmSpendCovariateModel,
    wasm_bindgen
);
params_getters! {
    WasmSpendCovariateModel = SpendCovariateModel, spend,
    #[doc = " The base parameters p, q, v: their values at z = 0."] "GammaGammaParams",
    #[doc = " `{NAME: γ}`: the spend effects, in covariate order."]
    "Record<string, number>", |effects| object(effects)
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
        crate::known_params(&params, clv::models::ModelKind::GammaGamma)?;
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
}

/// The per-customer predictions of `clv_js_common::covariate_predictions!`,
/// one per entry: the doc lines, then `name = jsName() |model, [frequency,
/// monetaryValue], spend set| core call`, each taking the customers
/// (`SpendCustomers`) and their `spendCovariates`
/// ([`on_customers`]).
macro_rules! per_customer_predictions {
    ($($($doc:literal)+ $name:ident = $js:ident() |$m:ident, $c:tt, $z:ident| $call:expr;)*) => {
        #[wasm_bindgen(js_class = SpendCovariateModel)]
        impl WasmSpendCovariateModel {
            $(
                $(#[doc = $doc])+
                #[wasm_bindgen(js_name = $js)]
                pub fn $name(
                    &self,
                    #[wasm_bindgen(unchecked_param_type = "SpendCustomers")] data: JsValue,
                    #[wasm_bindgen(unchecked_optional_param_type = "SpendCovariateOptions | null")]
                    covariates: JsValue,
                ) -> Result<Vec<f64>> {
                    on_customers(&data, ["frequency", "monetaryValue"], &covariates, |c, args| {
                        common::per_customer(&self.inner, c, args, |$m, $c, $z| $call)
                    })
                }
            )*
        }
    };
}

clv_js_common::covariate_predictions!(spend, per_customer_predictions);
