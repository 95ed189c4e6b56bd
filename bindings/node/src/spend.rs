//! `SpendCovariateModel`: the Gamma-Gamma model with spend covariates
//! (`clv::covariates::spend`), what `new GammaGamma().fit(data,
//! {spendCovariates, penalty})` returns. Thin: the options are read by
//! `clv-js-common` ([`CovariateArgs`](clv_js_common::covariates::CovariateArgs),
//! [`common`]), every check, the fit and the predictions are the core's.

use clv_js_common::spend as common;
use napi::Env;
use napi::bindgen_prelude::{Float64Array, Object, Unknown};
use napi_derive::napi;

use crate::covariates::{covariate_class, object, on_customers};
use crate::read::{known_params, named_entries, number, number_of};
use crate::{Result, js};

/// The Gamma-Gamma model with spend covariates: `params` are the base
/// parameters p, q, v (v at z = 0), `covariateEffects` the spend effects by
/// name (`v_i = v·exp(Σ γ_k z_ik)`: `e^γ` multiplies the expected spend per
/// transaction); the predictions take each customer's `spendCovariates`,
/// with the model's names.
#[napi]
pub struct SpendCovariateModel {
    inner: clv::covariates::spend::SpendCovariateModel,
}

clv_js_common::one_set_members!(
    spend,
    covariate_class,
    SpendCovariateModel(clv::covariates::spend::SpendCovariateModel)
);
clv_js_common::covariate_members!(spend, #[napi] impl SpendCovariateModel, napi);

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
        known_params(&params, clv::models::ModelKind::GammaGamma)?;
        let base = [
            number_of(&params, "p")?,
            number_of(&params, "q")?,
            number_of(&params, "v")?,
        ];
        let expected = "an object of effects by covariate name, e.g. { Gender: 0.1 }";
        let effects = named_entries(effects.as_ref(), "effects", expected, number)?;
        Ok(common::from_params(base, &effects).map_err(js)?.into())
    }

    /// The base parameters p, q, v: their values at z = 0.
    #[napi(catch_unwind, getter, ts_return_type = "GammaGammaParams")]
    pub fn params<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        object(env, common::params(&self.inner).0)
    }

    /// `{NAME: γ}`: the spend effects, in covariate order.
    #[napi(catch_unwind, getter, ts_return_type = "Record<string, number>")]
    pub fn covariate_effects<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        object(env, common::effects(&self.inner))
    }
}

/// The per-customer predictions of `clv_js_common::covariate_predictions!`,
/// one per entry: the doc lines, then `name = jsName() |model, [frequency,
/// monetaryValue], spend set| core call`, each taking the customers
/// (`SpendCustomers`) and their `spendCovariates`
/// ([`on_customers`]).
macro_rules! per_customer_predictions {
    ($($($doc:literal)+ $name:ident = $js:ident() |$m:ident, $c:tt, $z:ident| $call:expr;)*) => {
        #[napi]
        impl SpendCovariateModel {
            $(
                $(#[doc = $doc])+
                #[napi(catch_unwind)]
                pub fn $name(
                    &self,
                    #[napi(ts_arg_type = "SpendCustomers")] data: Unknown<'_>,
                    #[napi(ts_arg_type = "SpendCovariateOptions | undefined | null")] covariates: Option<Unknown<'_>>,
                ) -> Result<Float64Array> {
                    on_customers(&data, ["frequency", "monetaryValue"], covariates.as_ref(), |c, args| {
                        common::per_customer(&self.inner, c, args, |$m, $c, $z| $call)
                    })
                }
            )*
        }
    };
}

clv_js_common::covariate_predictions!(spend, per_customer_predictions);
