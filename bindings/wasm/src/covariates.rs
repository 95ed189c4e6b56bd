//! `CovariateModel`: a Pareto/NBD, BG/NBD, MBG/NBD or GGom/NBD model with static covariates
//! (`clv::covariates`, issue 15), what `ParetoNBD.fit(data, {purchaseCovariates,
//! dropoutCovariates, penalty, constrainEqual})` and `BetaGeo.fit(...)`
//! return, as in `@clv/node`; and `DynamicCovariateData` with
//! `CovariateModel.fitDynamic` and the `*Dynamic` predictions, the
//! Pareto/NBD with time-varying covariates (`clv::covariates::dynamic`).
//! Thin: the options are read by `clv-js-common` ([`CovariateArgs`],
//! [`dynamic::DynamicArgs`]), every check, the fit and the predictions are
//! the core's.

use clv_js_common::covariates::{self as common, CovariateArgs, EffectArgs};
use clv_js_common::dynamic;
use clv_js_common::models::Named;
use wasm_bindgen::prelude::*;

use crate::{Opts, Result, f64s, js, num};

/// The TS of the covariate options (the interfaces `Covariates`,
/// `CovariateOptions`, `CovariateFitOptions`, `CovariatePenalty`,
/// `SpendCovariateOptions`, `SpendCovariateFitOptions` come from
/// @clv/node's index.d.ts, bindings/wasm/build.rs) and of `fit` with them:
/// each model class with a `fit(data)` merges `FitsCovariates` (its TS
/// `fit` is skipped by wasm-bindgen).
#[wasm_bindgen(typescript_custom_section)]
const FIT_TYPES: &str = r"
/** `fit` of a model class `M` with per-customer arrays `D`. */
export interface FitsCovariates<D, M> {
  /** Fits the model by maximum likelihood and returns it (the same fitted state). */
  fit(data: D): M;
  /**
   * With `purchaseCovariates` and/or `dropoutCovariates` (Pareto/NBD, BG/NBD, MBG/NBD,
   * GGom/NBD; other models throw `NOT_SUPPORTED`): the model with static covariates; this model stays as it was.
   */
  fit(data: D, options: CovariateFitOptions & ({ purchaseCovariates: Covariates } | { dropoutCovariates: Covariates })): CovariateModel;
  /**
   * With `spendCovariates` (Gamma-Gamma; other models throw `NOT_SUPPORTED`): the model
   * with spend covariates; this model stays as it was.
   */
  fit(data: D, options: SpendCovariateFitOptions & { spendCovariates: Covariates }): SpendCovariateModel;
  fit(data: D, options?: CovariateFitOptions | null): M | CovariateModel;
  fit(data: D, options?: SpendCovariateFitOptions | null): M | SpendCovariateModel;
}
";

/// The covariate options of `fit` (its second argument) or of a prediction
/// (`purchaseCovariates`, `dropoutCovariates`).
pub(crate) fn args_of(options: &JsValue) -> Result<CovariateArgs> {
    CovariateArgs::read(&Opts(options))
}

/// The covariate options of a fit or per-customer prediction on the
/// customers `data` (with `covariateIds`, their `customerId` to join on).
pub(crate) fn args_for(options: &JsValue, data: &JsValue) -> Result<CovariateArgs> {
    CovariateArgs::read_for(&Opts(options), &Opts(data))
}

/// A per-customer prediction `f` of a covariate class on the arrays `names`
/// of the customers `data` and the covariate options `options` of those
/// customers ([`args_for`]).
pub(crate) fn on_customers<const N: usize>(
    data: &JsValue,
    names: [&str; N],
    options: &JsValue,
    f: impl FnOnce([&[f64]; N], &CovariateArgs) -> clv::Result<Vec<f64>>,
) -> Result<Vec<f64>> {
    let columns = names.map(|k| f64s(data, k));
    let columns = columns.into_iter().collect::<Result<Vec<_>>>()?;
    let args = args_for(options, data)?;
    f(std::array::from_fn(|i| columns[i].as_slice()), &args).map_err(js)
}

/// Customers of a transaction log with their time-varying covariates, for
/// the Pareto/NBD of Bachmann, Meierer & Näf (2021): built once (every
/// check is the core's: missing customers or periods, two rows in one
/// period, non-finite values, unknown names), then fitted by
/// `CovariateModel.fitDynamic` and scored by the `*Dynamic` predictions.
#[wasm_bindgen(js_name = DynamicCovariateData)]
pub struct WasmDynamicData {
    inner: clv::covariates::dynamic::DynamicData,
}

#[wasm_bindgen(js_class = DynamicCovariateData)]
impl WasmDynamicData {
    /// `transactions` (`customerId`, `datetime`) summarised as `rfmSummary`
    /// does with `options` (`freq`, `observationPeriodEnd`,
    /// `calibrationPeriodEnd`, `dateFormat`), and the long covariate table
    /// (one row per customer and time unit, from the period of each
    /// customer's first purchase to the calibration end and on through any
    /// prediction horizon); `purchaseCovariates` and `dropoutCovariates`
    /// name its columns.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Transactions")] transactions: JsValue,
        #[wasm_bindgen(unchecked_param_type = "DynamicCovariateTable")] covariates: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "DynamicCovariateOptions")] options: JsValue,
    ) -> Result<WasmDynamicData> {
        let args =
            dynamic::DynamicArgs::read(&Opts(&transactions), &Opts(&covariates), &Opts(&options))?;
        Ok(WasmDynamicData {
            inner: args.build().map_err(js)?,
        })
    }

    /// The customers' ids, in the order of every per-customer result.
    #[wasm_bindgen(getter, js_name = customerId, unchecked_return_type = "string[]")]
    pub fn customer_id(&self) -> JsValue {
        crate::strings_array(&self.inner.customer_id).into()
    }

    /// The customers' `frequency`, `recency` and `T` (and the unit): the
    /// summary of the transactions, as `rfmSummary` gives it.
    #[wasm_bindgen(getter, unchecked_return_type = "DynamicSummary")]
    pub fn summary(&self) -> JsValue {
        let d = &self.inner;
        let o = js_sys::Object::new();
        crate::set(&o, "customerId", crate::strings_array(&d.customer_id));
        crate::set(&o, "frequency", crate::f64_array(&d.frequency));
        crate::set(&o, "recency", crate::f64_array(&d.recency));
        crate::set(&o, "T", crate::f64_array(&d.t));
        crate::set(&o, "unit", d.unit().to_string());
        o.into()
    }

    /// The purchase and dropout covariate names.
    #[wasm_bindgen(getter, js_name = covariateNames, unchecked_return_type = "CovariateNames")]
    pub fn covariate_names(&self) -> JsValue {
        let o = js_sys::Object::new();
        crate::set(
            &o,
            "purchase",
            crate::strings_array(self.inner.purchase_names()),
        );
        crate::set(
            &o,
            "dropout",
            crate::strings_array(self.inner.dropout_names()),
        );
        o.into()
    }

    /// The time unit ("7d", "W", ...).
    #[wasm_bindgen(getter)]
    pub fn unit(&self) -> String {
        self.inner.unit().to_string()
    }
}

/// A Pareto/NBD, BG/NBD, MBG/NBD or GGom/NBD model with static covariates: `params` are the base
/// parameters (their values at z = 0), `covariateEffects` the effects by
/// process and name (CLVTools' `trans.NAME` / `life.NAME`); the predictions
/// take each customer's covariates, with the model's names.
#[wasm_bindgen(js_name = CovariateModel)]
pub struct WasmCovariateModel {
    inner: clv::covariates::CovariateModel,
}

/// Named numbers as a JS object, keys in order.
pub(crate) fn object<K: AsRef<str>>(pairs: impl IntoIterator<Item = (K, f64)>) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        crate::set(&o, k.as_ref(), v);
    }
    o.into()
}

/// Two groups of effects as a JS object of objects (`{ purchase: {NAME: γ},
/// dropout: {NAME: γ} }`), keys in order.
pub(crate) fn effects_object(groups: [(&str, common::Effects); 2]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, effects) in groups {
        crate::set(&o, k, object(effects));
    }
    o.into()
}

/// `From<$core>` for the covariate class `$class` (JS `$js`) and the members the
/// covariate classes share with a body of this runtime: `fromJSON`,
/// `toJSON`, `fitInfo` and `logLikelihood`; with `one_set`, also those of
/// the classes with one covariate set (spend, retention), each after its
/// doc lines (`clv_js_common::one_set_members`): `covariateNames` and
/// `stdErrors`. The members alike in both runtimes (`kind`, `name`,
/// `toString`, `penalty`) are `clv_js_common::covariate_members`.
macro_rules! covariate_class {
    ($class:ident = $js:ident($core:ty) $(#[doc = $fit_info:literal])*) => {
        impl From<$core> for $class {
            fn from(inner: $core) -> Self {
                $class { inner }
            }
        }

        #[wasm_bindgen(js_class = $js)]
        impl $class {
            /// Reads what `toJSON()` wrote (the object, or its JSON text).
            #[wasm_bindgen(js_name = fromJSON)]
            pub fn from_json(
                #[wasm_bindgen(unchecked_param_type = "string | Record<string, unknown>")] json: JsValue,
            ) -> $crate::Result<$class> {
                Ok(<$core>::from_json(&$crate::json_text(&json)?).map_err($crate::js)?.into())
            }

            /// The model as JSON (`format_version` 1, the core's format; NaN standard errors as null).
            #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, unknown>")]
            pub fn to_json(&self) -> $crate::Result<JsValue> {
                js_sys::JSON::parse(&self.inner.to_json().map_err($crate::js)?)
            }

            $(#[doc = $fit_info])*
            #[wasm_bindgen(getter, js_name = fitInfo, unchecked_return_type = "CovariateFitInfo | null")]
            pub fn fit_info(&self) -> $crate::Result<JsValue> {
                self.inner.fit_info().map(clv_js_common::covariates::view_of).map_or(Ok(JsValue::NULL), |v| $crate::to_js(&v))
            }

            /// The (unpenalised) log-likelihood at the optimum; null for a model not fitted here.
            #[wasm_bindgen(getter, js_name = logLikelihood, unchecked_return_type = "number | null")]
            pub fn log_likelihood(&self) -> JsValue {
                self.inner
                    .fit_info()
                    .map_or(JsValue::NULL, |f| f.info.log_likelihood.into())
            }
        }
    };
    (
        $class:ident = $js:ident($core:ty) one_set
        $(#[doc = $names:literal])* covariate_names;
        $(#[doc = $se:literal])* std_errors;
    ) => {
        $crate::covariates::covariate_class!($class = $js($core)
            #[doc = " The fit report (as `CovariateModel.fitInfo`); null for a model not fitted here."]
        );

        #[wasm_bindgen(js_class = $js)]
        impl $class {
            $(#[doc = $names])*
            #[wasm_bindgen(getter, js_name = covariateNames, unchecked_return_type = "string[]")]
            pub fn covariate_names(&self) -> JsValue {
                $crate::strings_array(self.inner.covariate_names()).into()
            }

            $(#[doc = $se])*
            #[wasm_bindgen(getter, js_name = stdErrors, unchecked_return_type = "Record<string, number> | null")]
            pub fn std_errors(&self) -> JsValue {
                self.inner.fit_info().map(clv_js_common::covariates::std_errors_of).map_or(JsValue::NULL, $crate::covariates::object)
            }
        }
    };
}
pub(crate) use covariate_class;

/// The getters `params` (the base parameters: their values at z = 0) and
/// `covariateEffects` of the covariate class `$class` (JS `$js`), each
/// after its doc line and TS return type: the `params` and `effects` of
/// the class's module of `clv_js_common` (`$common`), the effects made a JS
/// value by `|effects| body`.
macro_rules! params_getters {
    (
        $class:ident = $js:ident, $common:ident,
        #[doc = $params_doc:literal] $params_ty:literal,
        #[doc = $effects_doc:literal] $effects_ty:literal, |$e:pat_param| $effects:expr
    ) => {
        #[wasm_bindgen(js_class = $js)]
        impl $class {
            #[doc = $params_doc]
            #[wasm_bindgen(getter, unchecked_return_type = $params_ty)]
            pub fn params(&self) -> JsValue {
                $crate::covariates::object(clv_js_common::$common::params(&self.inner).0)
            }

            #[doc = $effects_doc]
            #[wasm_bindgen(getter, js_name = covariateEffects, unchecked_return_type = $effects_ty)]
            pub fn covariate_effects(&self) -> JsValue {
                let $e = clv_js_common::$common::effects(&self.inner);
                $effects
            }
        }
    };
}
pub(crate) use params_getters;

covariate_class!(WasmCovariateModel = CovariateModel(clv::covariates::CovariateModel)
    #[doc = " The fit report; null for a model not fitted here."]
);
clv_js_common::covariate_members!(transaction, #[wasm_bindgen(js_class = CovariateModel)] impl WasmCovariateModel, wasm_bindgen);
params_getters! {
    WasmCovariateModel = CovariateModel, covariates,
    #[doc = " The base parameters (r, alpha, s, beta or r, alpha, a, b): their values at z = 0."] "Record<string, number>",
    #[doc = " `{purchase: {NAME: γ}, dropout: {NAME: γ}}`: the effects of the links, in covariate order."]
    "{ purchase: Record<string, number>, dropout: Record<string, number> }", |(p, d)| effects_object([("purchase", p), ("dropout", d)])
}

#[wasm_bindgen(js_class = CovariateModel)]
impl WasmCovariateModel {
    /// A model with known parameters, as Python's `from_params`: `kind` a
    /// registry key or class name ("pareto_nbd" / "ParetoNBD", "bg_nbd",
    /// "mbg_nbd", "ggom_nbd"), `params` the base parameters by name (their
    /// values at z = 0), `effects` = `{purchase: {NAME: γ}, dropout: {NAME: γ}}`
    /// in the order the predictions take the covariates.
    #[wasm_bindgen(js_name = fromParams)]
    pub fn from_params(
        #[wasm_bindgen(unchecked_param_type = "string")] kind: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, number>")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CovariateEffects | null")] effects: JsValue,
    ) -> Result<WasmCovariateModel> {
        let kind = kind
            .as_string()
            .ok_or_else(|| crate::invalid("kind", crate::type_name(&kind), "a string"))?;
        // `params` read as the field of an object (its entries), each value named by its key.
        let o = js_sys::Object::new();
        crate::set(&o, "params", params);
        let expected = "an object of the base parameters by name, e.g. { r: 0.5, alpha: 10, s: 0.6, beta: 12 }";
        let params = crate::uncertainty::entries(&o.into(), "params", expected)?
            .into_iter()
            .map(|(k, v)| Ok((k.clone(), num(&k, &v)?)))
            .collect::<Result<Vec<_>>>()?;
        let read = EffectArgs::read(&Opts(&effects))?;
        // after `read`: its own message for constrainEqual
        crate::known_keys(&effects, &["purchase", "dropout"], "a group of effects")?;
        let effects = read;
        Ok(common::from_params(&kind, &params, &effects)
            .map_err(js)?
            .into())
    }

    /// The covariate names, in the order the predictions take them.
    #[wasm_bindgen(getter, js_name = covariateNames, unchecked_return_type = "CovariateNames")]
    pub fn covariate_names(&self) -> JsValue {
        let (p, d) = self.inner.covariate_names();
        let o = js_sys::Object::new();
        crate::set(&o, "purchase", crate::strings_array(p));
        crate::set(&o, "dropout", crate::strings_array(d));
        o.into()
    }

    /// The covariates whose purchase and dropout effects were constrained equal.
    #[wasm_bindgen(getter, unchecked_return_type = "string[]")]
    pub fn constrained(&self) -> JsValue {
        crate::strings_array(&self.inner.constrained()).into()
    }

    /// Standard errors by name: the base parameters, `purchase_NAME` and
    /// `dropout_NAME` (a constrained effect under both); NaN where not
    /// identified (the dropout side at a boundary); null for a model not fitted here.
    #[wasm_bindgen(getter, js_name = stdErrors, unchecked_return_type = "Record<string, number> | null")]
    pub fn std_errors(&self) -> JsValue {
        self.inner.std_errors().map_or(JsValue::NULL, object)
    }

    /// The note of a boundary optimum; null for an interior one.
    #[wasm_bindgen(getter, unchecked_return_type = "string | null")]
    pub fn boundary(&self) -> JsValue {
        let b = self
            .inner
            .fit_info()
            .and_then(|f| f.info.boundary.as_deref());
        b.map_or(JsValue::NULL, JsValue::from)
    }

    /// The time unit of the fitted data, or null.
    #[wasm_bindgen(getter, unchecked_return_type = "string | null")]
    pub fn unit(&self) -> JsValue {
        let u = self.inner.fit_info().and_then(|f| f.info.unit.as_deref());
        u.map_or(JsValue::NULL, JsValue::from)
    }

    /// Expected purchases in `t` units of a new customer with each row's covariates.
    #[wasm_bindgen(js_name = expectedPurchasesNew)]
    pub fn expected_purchases_new(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] t: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CovariateOptions")] covariates: JsValue,
    ) -> Result<Vec<f64>> {
        let t = num("t", &t)?;
        let args = args_of(&covariates)?;
        common::expected_purchases_new(&self.inner, t, &args).map_err(js)
    }

    /// P(X(t) = n) of a new customer with each row's covariates (`n` a whole number ≥ 0).
    #[wasm_bindgen(js_name = probPurchases)]
    pub fn prob_purchases(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] n: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] t: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CovariateOptions")] covariates: JsValue,
    ) -> Result<Vec<f64>> {
        let n = num("n", &n)?;
        let t = num("t", &t)?;
        let args = args_of(&covariates)?;
        common::prob_purchases(&self.inner, n, t, &args).map_err(js)
    }

    /// Each row's own parameters (r, alpha_i, s, beta_i or r, alpha_i, a_i, b_i).
    #[wasm_bindgen(js_name = customerParams, unchecked_return_type = "Array<Record<string, number>>")]
    pub fn customer_params(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CovariateOptions")] covariates: JsValue,
    ) -> Result<JsValue> {
        let args = args_of(&covariates)?;
        let rows = common::customer_params(&self.inner, &args).map_err(js)?;
        Ok(rows
            .into_iter()
            .map(|r: Named| object(r.0))
            .collect::<js_sys::Array>()
            .into())
    }

    /// Maximum-likelihood fit of the Pareto/NBD with time-varying covariates
    /// to `data`: the same penalties, equality constraints, standard errors
    /// and boundary reports as the static fit.
    #[wasm_bindgen(js_name = fitDynamic)]
    pub fn fit_dynamic(
        data: &WasmDynamicData,
        #[wasm_bindgen(unchecked_optional_param_type = "DynamicFitOptions")] options: JsValue,
    ) -> Result<WasmCovariateModel> {
        let args = dynamic::DynamicFitArgs::read(&Opts(&options))?;
        let w = crate::opt_f64s(&options, "weights")?;
        Ok(dynamic::fit(&data.inner, w.as_deref(), &args)
            .map_err(js)?
            .into())
    }
}

/// The per-row methods of `CovariateModel` (`@write`), each after its doc
/// lines: `rust_name = jsName(scalar = jsScalar, ...) [its other
/// parameters] |this| body`, the scalars (JS numbers, named by their JS
/// names) read first, `this` the model. `customers ENTRIES` writes the
/// per-customer predictions of `clv_js_common::covariate_predictions!`
/// (`rust_name = jsName(scalars) |model, [x, t_x, T], purchase set,
/// dropout set| core call`), each taking the customers (`Customers`) and
/// their covariates ([`on_customers`]); `dynamic ENTRIES` those of
/// `clv_js_common::dynamic_predictions!` (`rust_name = jsName(scalar =
/// jsScalar, ...) |model, data| core call`), each taking a
/// `DynamicCovariateData`.
macro_rules! covariate_methods {
    (customers $($($doc:literal)+ $name:ident = $js:ident($($s:ident),*) |$m:ident, $c:tt, $p:ident, $d:ident| $call:expr;)*) => {
        covariate_methods!(@write $([$($doc)+] $name = $js($($s = $s),*) [
            #[wasm_bindgen(unchecked_param_type = "Customers")] data: JsValue,
            #[wasm_bindgen(unchecked_optional_param_type = "CovariateOptions")] covariates: JsValue,
        ] |this| on_customers(&data, ["frequency", "recency", "T"], &covariates, |c, args| {
            common::per_customer(&this.inner, c, args, |$m, $c, $p, $d| $call)
        });)*);
    };
    (dynamic $($($doc:literal)+ $name:ident = $js:ident($($s:ident = $sjs:ident),*) |$m:ident, $d:ident| $call:expr;)*) => {
        covariate_methods!(@write $([$($doc)+] $name = $js($($s = $sjs),*) [data: &WasmDynamicData,] |this| {
            let ($m, $d) = (&this.inner, &data.inner);
            $call.map_err(js)
        };)*);
    };
    (@write $([$($doc:literal)+] $name:ident = $js:ident($($s:ident = $sjs:ident),*) [$($param:tt)*] |$this:ident| $body:expr;)*) => {
        #[wasm_bindgen(js_class = CovariateModel)]
        impl WasmCovariateModel {
            $(
                $(#[doc = $doc])+
                #[wasm_bindgen(js_name = $js)]
                pub fn $name(
                    &self,
                    $(#[wasm_bindgen(js_name = $sjs, unchecked_param_type = "number")] $s: JsValue,)*
                    $($param)*
                ) -> Result<Vec<f64>> {
                    $(let $s = num(stringify!($sjs), &$s)?;)*
                    let $this = self;
                    $body
                }
            )*
        }
    };
}

clv_js_common::dynamic_predictions!(covariate_methods dynamic);
clv_js_common::covariate_predictions!(transaction, covariate_methods customers);
