//! `RetentionCovariateModel`: the sBG with static covariates on
//! per-customer contract data (`clv::covariates::retention`), what
//! `new ShiftedBetaGeo().fitIndividual({periods, churned}, {dropoutCovariates,
//! penalty})` returns. Thin: the options are read by `clv-js-common`
//! ([`CovariateArgs`], [`common`]), every check, the fit and the
//! predictions are the core's.

use clv::covariates::Covariates;
use clv::covariates::retention::RetentionCovariateModel as Core;
use clv_js_common::covariates::CovariateArgs;
use clv_js_common::models::ModelState;
use clv_js_common::retention::{self as common, FitIndividualArgs, Renewals};
use napi::bindgen_prelude::{Float64Array, Object, Unknown};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;

use crate::covariates::{args_for, args_of, covariate_class, effects_object, object};
use crate::read::{
    Opts, flags_of, named_entries, number, number_of, numbers, numbers_of, opt_numbers_of,
};
use crate::{Result, js, out};

/// `fitIndividual(data, options)` of `ShiftedBetaGeo` on `state`.
pub(crate) fn fit(
    state: &ModelState,
    data: &Unknown<'_>,
    options: Option<&Unknown<'_>>,
) -> Result<RetentionCovariateModel> {
    let periods = numbers_of(data, "periods")?;
    let churned = flags_of(data, "churned")?;
    let weights = opt_numbers_of(data, "weights")?;
    let args = FitIndividualArgs::read_for(&Opts(options), &Opts(Some(data)))?;
    let w = weights.as_ref().map(crate::sl);
    common::fit(state, crate::sl(&periods), &churned, w, &args)
        .map(RetentionCovariateModel::from)
        .map_err(js)
}

/// The effects of `fromParams` on one parameter (`alpha` or `beta`):
/// `{ NAME: γ }` in key order, none when not given.
fn effects_of(effects: Option<&Unknown<'_>>, side: &str) -> Result<Vec<(String, f64)>> {
    let expected = "an object of effects by covariate name, e.g. { Premium: 0.5 }";
    let v = match effects {
        Some(e) => crate::read::property(e, side)?,
        None => None,
    };
    named_entries(v.as_ref(), side, expected, number)
}

/// The sBG with static covariates: `params` are the base parameters alpha,
/// beta (their values at z = 0), `covariateEffects` the effects on each by
/// covariate name (`alpha_i = alpha·exp(−γ_αᵀz_i)`, `beta_i =
/// beta·exp(−γ_βᵀz_i)`: a positive effect on alpha lowers the churn
/// probability, one on beta raises it); the predictions take each row's
/// `dropoutCovariates`, with the model's names.
#[napi]
pub struct RetentionCovariateModel {
    inner: Core,
}

clv_js_common::one_set_members!(retention, covariate_class, RetentionCovariateModel(Core));
clv_js_common::covariate_members!(retention, #[napi] impl RetentionCovariateModel, napi);

impl RetentionCovariateModel {
    /// A prediction for each row of the dropout set of `options`.
    fn rows(
        &self,
        options: Option<&Unknown<'_>>,
        f: impl FnOnce(&Core, &Covariates) -> clv::Result<Vec<f64>>,
    ) -> Result<Float64Array> {
        let args: CovariateArgs = args_of(options)?;
        common::per_row(&self.inner, &args, f).map(out).map_err(js)
    }
}

#[napi]
impl RetentionCovariateModel {
    /// A model with known parameters: `params` = {alpha, beta} (values at
    /// z = 0) and the effects `{ alpha: { NAME: γ }, beta: { NAME: γ } }`
    /// (covariates in the order of alpha's keys, then beta's; a covariate in
    /// one of them only has effect 0 on the other).
    #[napi(catch_unwind, factory)]
    pub fn from_params(
        #[napi(ts_arg_type = "ShiftedBetaGeoParams")] params: Unknown<'_>,
        #[napi(ts_arg_type = "RetentionCovariateEffects | undefined | null")] effects: Option<
            Unknown<'_>,
        >,
    ) -> Result<Self> {
        crate::read::known_params(&params, clv::models::ModelKind::Sbg)?;
        let base = [number_of(&params, "alpha")?, number_of(&params, "beta")?];
        crate::read::known_keys(
            effects.as_ref(),
            &["alpha", "beta"],
            "a group of sBG effects",
        )?;
        let effects =
            effects.filter(|e| !matches!(e.get_type(), Ok(ValueType::Undefined | ValueType::Null)));
        if let Some(e) = &effects
            && (e.get_type().ok() != Some(ValueType::Object) || e.is_array().unwrap_or(false))
        {
            return Err(crate::invalid(
                "effects",
                "not an object",
                "{ alpha: { NAME: effect }, beta: { NAME: effect } }",
            ));
        }
        let alpha = effects_of(effects.as_ref(), "alpha")?;
        let beta = effects_of(effects.as_ref(), "beta")?;
        Ok(common::from_params(base, &alpha, &beta).map_err(js)?.into())
    }

    /// The base parameters alpha, beta: their values at z = 0.
    #[napi(catch_unwind, getter, ts_return_type = "ShiftedBetaGeoParams")]
    pub fn params<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        object(env, common::params(&self.inner).0)
    }

    /// `{ alpha: {NAME: γ_α}, beta: {NAME: γ_β} }`, in covariate order.
    #[napi(catch_unwind, getter, ts_return_type = "RetentionCovariateEffects")]
    pub fn covariate_effects<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        let (a, b) = common::effects(&self.inner);
        effects_object(env, [("alpha", a), ("beta", b)])
    }

    /// The discounted expected residual lifetime (Fader & Hardie 2010, eq. 6; in periods) of
    /// each customer who has made `renewals` renewals (one per row, or one number for every
    /// row), with each one's covariates.
    #[napi(catch_unwind)]
    pub fn dert(
        &self,
        #[napi(ts_arg_type = "number")] discount: Unknown<'_>,
        #[napi(ts_arg_type = "number | Float64Array | Array<number>")] renewals: Unknown<'_>,
        #[napi(ts_arg_type = "RetentionCovariateOptions | undefined | null")] covariates: Option<
            Unknown<'_>,
        >,
    ) -> Result<Float64Array> {
        let discount = number("discount", discount)?;
        let renewals = if renewals.get_type().ok() == Some(ValueType::Number) {
            Renewals::One(number("renewals", renewals)?)
        } else {
            Renewals::Each(crate::sl(&numbers("renewals", renewals)?).to_vec())
        };
        let args = args_of(covariates.as_ref())?;
        common::dert(&self.inner, discount, &renewals, &args)
            .map(out)
            .map_err(js)
    }

    /// Each row's own `{alpha, beta}`.
    #[napi(catch_unwind, ts_return_type = "Array<ShiftedBetaGeoParams>")]
    pub fn customer_params<'e>(
        &self,
        env: &'e Env,
        #[napi(ts_arg_type = "RetentionCovariateOptions | undefined | null")] covariates: Option<
            Unknown<'_>,
        >,
    ) -> Result<Vec<Object<'e>>> {
        let args = args_of(covariates.as_ref())?;
        let rows = common::customer_params(&self.inner, &args).map_err(js)?;
        rows.into_iter().map(|r| object(env, r.0)).collect()
    }

    /// Per-customer ln L_i: ln P(T = t_i) for a customer who churned in period t_i, ln S(t_i)
    /// for one still active after t_i periods, with each customer's covariates.
    #[napi(catch_unwind)]
    pub fn log_likelihood_of(
        &self,
        #[napi(ts_arg_type = "RetentionCustomers")] data: Unknown<'_>,
        #[napi(ts_arg_type = "RetentionCovariateOptions | undefined | null")] covariates: Option<
            Unknown<'_>,
        >,
    ) -> Result<Float64Array> {
        let periods = numbers_of(&data, "periods")?;
        let churned = flags_of(&data, "churned")?;
        let args = args_for(covariates.as_ref(), &data)?;
        common::log_likelihood(&self.inner, crate::sl(&periods), &churned, &args)
            .map(out)
            .map_err(js)
    }
}

/// The per-row predictions of `clv_js_common::covariate_predictions!`, one
/// per entry: the doc lines, then `name = jsName(scalar) |model, dropout set|
/// core call`, each taking its scalar and the options with each row's
/// `dropoutCovariates` ([`RetentionCovariateModel::rows`]).
macro_rules! per_row_predictions {
    ($($($doc:literal)+ $name:ident = $js:ident($s:ident) |$m:ident, $z:ident| $call:expr;)*) => {
        #[napi]
        impl RetentionCovariateModel {
            $(
                $(#[doc = $doc])+
                #[napi(catch_unwind)]
                pub fn $name(
                    &self,
                    #[napi(ts_arg_type = "number")] $s: Unknown<'_>,
                    #[napi(ts_arg_type = "RetentionCovariateOptions | undefined | null")] covariates: Option<Unknown<'_>>,
                ) -> Result<Float64Array> {
                    let $s = number(stringify!($s), $s)?;
                    self.rows(covariates.as_ref(), |$m, $z| $call)
                }
            )*
        }
    };
}

clv_js_common::covariate_predictions!(retention, per_row_predictions);
