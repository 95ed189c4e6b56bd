//! WebAssembly bindings of `clv` (wasm-bindgen), published as `@clv/wasm`.
//!
//! The same API as `@clv/node` (DESIGN.md, camelCase): the same classes,
//! methods, input objects and results. Thin: each function reads the JS
//! values, calls the core crate `clv` (built without its `parallel` feature:
//! no threads in wasm32) or the shared option glue `clv-js-common`, and
//! converts back. Arrays come in as `Float64Array` or plain arrays and go out
//! as `Float64Array`; money is decimal text. Every error is a JS `Error`
//! with a `code` property ([`clv::Error::code`]) and a message naming the
//! field and the value.
//!
//! `fit()` returns the model: a second JS handle on the same fitted state
//! (wasm-bindgen cannot return `this`), so `m.fit(d)` and `m` both see the
//! fitted parameters.
#![allow(missing_docs)] // wasm-bindgen generates undocumented items; the API docs are in the .d.ts.

use std::cell::RefCell;
use std::rc::Rc;

use clv::fit::FitInfo;
use clv::models::{SpendModel, TransactionModel};
use clv::summary::Summary;
use clv_js_common as glue;
use js_sys::{Array, Float64Array, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

type Result<T> = std::result::Result<T, JsValue>;

/// A core error as a JS `Error` with `code` = [`clv::Error::code`].
fn js(e: clv::Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&err, &"code".into(), &e.code().into());
    err.into()
}

fn invalid(field: &str, value: impl std::fmt::Display, expected: &str) -> JsValue {
    js(clv::Error::invalid(field, value, expected))
}

fn not_fitted(model: &str) -> JsValue {
    invalid(
        "this",
        format!("an unfitted {model} model"),
        "a fitted model: call fit() or use fromParams() / fromJSON() first",
    )
}

// ---------------------------------------------------------------------------
// reading JS values

fn get(obj: &JsValue, key: &str) -> JsValue {
    if obj.is_object() {
        Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

fn missing(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

fn type_name(v: &JsValue) -> String {
    v.js_typeof().as_string().unwrap_or_default()
}

const ARRAY: &str = "a Float64Array or an array of numbers";

/// A numeric array: a `Float64Array` (copied) or a plain array of numbers;
/// other typed arrays are rejected, as `@clv/node` does.
fn to_f64s(field: &str, v: &JsValue) -> Result<Vec<f64>> {
    if let Some(t) = v.dyn_ref::<Float64Array>() {
        return Ok(t.to_vec());
    }
    if Array::is_array(v) {
        let a: &Array = v.unchecked_ref();
        return a
            .iter()
            .enumerate()
            .map(|(i, x)| {
                x.as_f64().ok_or_else(|| {
                    js(clv::Error::invalid_at(
                        field,
                        i,
                        format!("{x:?}"),
                        "a number",
                    ))
                })
            })
            .collect();
    }
    Err(invalid(
        field,
        if missing(v) {
            "undefined".to_string()
        } else {
            type_name(v)
        },
        ARRAY,
    ))
}

fn f64s(obj: &JsValue, key: &str) -> Result<Vec<f64>> {
    to_f64s(key, &get(obj, key))
}

fn opt_f64s(obj: &JsValue, key: &str) -> Result<Option<Vec<f64>>> {
    let v = get(obj, key);
    if missing(&v) {
        Ok(None)
    } else {
        to_f64s(key, &v).map(Some)
    }
}

fn opt_f64(obj: &JsValue, key: &str) -> Result<Option<f64>> {
    let v = get(obj, key);
    if missing(&v) {
        return Ok(None);
    }
    v.as_f64()
        .map(Some)
        .ok_or_else(|| invalid(key, type_name(&v), "a number"))
}

fn num(field: &str, v: &JsValue) -> Result<f64> {
    v.as_f64()
        .ok_or_else(|| invalid(field, type_name(v), "a number"))
}

fn opt_bool(obj: &JsValue, key: &str) -> Result<Option<bool>> {
    let v = get(obj, key);
    if missing(&v) {
        return Ok(None);
    }
    v.as_bool()
        .map(Some)
        .ok_or_else(|| invalid(key, type_name(&v), "a boolean"))
}

fn opt_string(obj: &JsValue, key: &str) -> Result<Option<String>> {
    let v = get(obj, key);
    if missing(&v) {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| invalid(key, type_name(&v), "a string"))
}

fn string(obj: &JsValue, key: &str) -> Result<String> {
    opt_string(obj, key)?.ok_or_else(|| invalid(key, "undefined", "a string"))
}

fn strings(obj: &JsValue, key: &str) -> Result<Vec<String>> {
    let v = get(obj, key);
    if !Array::is_array(&v) {
        return Err(invalid(key, type_name(&v), "an array of strings"));
    }
    let a: &Array = v.unchecked_ref();
    a.iter()
        .enumerate()
        .map(|(i, x)| {
            x.as_string()
                .ok_or_else(|| js(clv::Error::invalid_at(key, i, type_name(&x), "a string")))
        })
        .collect()
}

/// Columns of a transaction model's input: `(frequency, recency, T or nPeriods)`.
fn customers(data: &JsValue, third: &str) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    Ok((
        f64s(data, "frequency")?,
        f64s(data, "recency")?,
        f64s(data, third)?,
    ))
}

fn fit_options(options: &JsValue) -> Result<clv::fit::FitOptions> {
    glue::FitArgs {
        penalty: opt_f64(options, "penalty")?,
        max_iterations: opt_f64(options, "maxIterations")?,
        gradient_tolerance: opt_f64(options, "gradientTolerance")?,
    }
    .to_options()
    .map_err(js)
}

// ---------------------------------------------------------------------------
// building JS values

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    // Defining a property on a plain object cannot fail.
    let _ = Reflect::set(obj, &key.into(), &value.into());
}

fn named(names: &[&str], values: &[f64]) -> JsValue {
    let o = Object::new();
    for (n, v) in names.iter().zip(values) {
        set(&o, n, *v);
    }
    o.into()
}

fn params_object(params: &[(&str, f64)]) -> JsValue {
    let names: Vec<&str> = params.iter().map(|(n, _)| *n).collect();
    let values: Vec<f64> = params.iter().map(|(_, v)| *v).collect();
    named(&names, &values)
}

fn std_errors_object(params: &[(&str, f64)], info: Option<&FitInfo>) -> JsValue {
    match info {
        None => JsValue::NULL,
        Some(f) => {
            let names: Vec<&str> = params.iter().map(|(n, _)| *n).collect();
            named(&names, &f.std_errors)
        }
    }
}

/// The fitted log-likelihood, `null` (as in `@clv/node`) without a fit.
fn ll(info: Option<&FitInfo>) -> JsValue {
    info.map_or(JsValue::NULL, |f| JsValue::from_f64(f.log_likelihood))
}

fn summary_rows(params: &[(&str, f64)], info: Option<&FitInfo>) -> JsValue {
    let rows = Array::new();
    for (i, (name, v)) in params.iter().enumerate() {
        let o = Object::new();
        set(&o, "param", *name);
        set(&o, "estimate", *v);
        set(&o, "stdError", info.map_or(f64::NAN, |f| f.std_errors[i]));
        set(&o, "lower95", info.map_or(f64::NAN, |f| f.ci_95[i].0));
        set(&o, "upper95", info.map_or(f64::NAN, |f| f.ci_95[i].1));
        rows.push(&o);
    }
    rows.into()
}

fn json_object(text: &str) -> Result<JsValue> {
    js_sys::JSON::parse(text)
}

fn json_text(json: &JsValue) -> Result<String> {
    if let Some(s) = json.as_string() {
        return Ok(s);
    }
    js_sys::JSON::stringify(json)
        .map(String::from)
        .map_err(|_| invalid("json", type_name(json), "model JSON text or object"))
}

fn strings_array(v: &[String]) -> Array {
    v.iter().map(|s| JsValue::from_str(s)).collect()
}

// ---------------------------------------------------------------------------
// transaction models

macro_rules! transaction_model {
    ($doc:literal, $Js:ident, $Core:ident, $ptype:literal, $ptype_or_null:literal, [$($p:literal),*], $third:literal) => {
        #[doc = $doc]
        #[wasm_bindgen]
        pub struct $Js {
            inner: Rc<RefCell<Option<clv::models::$Core>>>,
            options: clv::fit::FitOptions,
        }

        impl $Js {
            fn with<T>(&self, f: impl FnOnce(&clv::models::$Core) -> Result<T>) -> Result<T> {
                match self.inner.borrow().as_ref() {
                    Some(m) => f(m),
                    None => Err(not_fitted(stringify!($Js))),
                }
            }
            fn known(m: clv::models::$Core) -> Self {
                $Js { inner: Rc::new(RefCell::new(Some(m))), options: clv::fit::FitOptions::default() }
            }
        }

        #[wasm_bindgen]
        impl $Js {
            /// An unfitted model; `options` are used by `fit`.
            #[wasm_bindgen(constructor)]
            pub fn new(#[wasm_bindgen(unchecked_optional_param_type = "FitOptions")] options: JsValue) -> Result<$Js> {
                Ok($Js { inner: Rc::new(RefCell::new(None)), options: fit_options(&options)? })
            }

            /// Fits the model by maximum likelihood and returns it (the same fitted state).
            pub fn fit(&self, #[wasm_bindgen(unchecked_param_type = $third)] data: JsValue) -> Result<$Js> {
                let (x, tx, t) = customers(&data, if $third == "BgBbCustomers" { "nPeriods" } else { "T" })?;
                let w = opt_f64s(&data, "weights")?;
                let m = clv::models::$Core::fit(&x, &tx, &t, w.as_deref(), &self.options).map_err(js)?;
                *self.inner.borrow_mut() = Some(m);
                Ok($Js { inner: Rc::clone(&self.inner), options: self.options.clone() })
            }

            /// A model with known parameters.
            #[wasm_bindgen(js_name = fromParams)]
            pub fn from_params(#[wasm_bindgen(unchecked_param_type = $ptype)] params: JsValue) -> Result<$Js> {
                let v = [$(num($p, &get(&params, $p))?),*];
                let m = from_values!(clv::models::$Core, v, $($p),*).map_err(js)?;
                Ok($Js::known(m))
            }

            /// Reads what `toJSON()` wrote (the object, or its JSON text).
            #[wasm_bindgen(js_name = fromJSON)]
            pub fn from_json(#[wasm_bindgen(unchecked_param_type = "string | Record<string, unknown>")] json: JsValue) -> Result<$Js> {
                let m = clv::models::$Core::from_json(&json_text(&json)?).map_err(js)?;
                Ok($Js::known(m))
            }

            /// `{format_version, model, params, fit}`: what `JSON.stringify(model)` writes.
            #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, unknown>")]
            pub fn to_json(&self) -> Result<JsValue> {
                self.with(|m| json_object(&m.to_json()))
            }

            /// The parameters.
            #[wasm_bindgen(getter, unchecked_return_type = $ptype)]
            pub fn params(&self) -> Result<JsValue> {
                self.with(|m| Ok(params_object(&m.params())))
            }

            /// Total log-likelihood at the optimum; null for a model built from parameters.
            #[wasm_bindgen(getter, js_name = logLikelihood, unchecked_return_type = "number | null")]
            pub fn log_likelihood(&self) -> Result<JsValue> {
                self.with(|m| Ok(ll(m.fit_info())))
            }

            /// Standard errors of the parameters; null for a model built from parameters.
            #[wasm_bindgen(getter, js_name = stdErrors, unchecked_return_type = $ptype_or_null)]
            pub fn std_errors(&self) -> Result<JsValue> {
                self.with(|m| Ok(std_errors_object(&m.params(), m.fit_info())))
            }

            /// Estimate, standard error and 95% interval of each parameter.
            #[wasm_bindgen(unchecked_return_type = "ParamSummary[]")]
            pub fn summary(&self) -> Result<JsValue> {
                self.with(|m| Ok(summary_rows(&m.params(), m.fit_info())))
            }

            /// Per-customer log-likelihood.
            #[wasm_bindgen(js_name = logLikelihoodOf)]
            pub fn log_likelihood_of(&self, #[wasm_bindgen(unchecked_param_type = $third)] data: JsValue) -> Result<Vec<f64>> {
                let (x, tx, t) = customers(&data, if $third == "BgBbCustomers" { "nPeriods" } else { "T" })?;
                self.with(|m| m.log_likelihood(&x, &tx, &t).map_err(js))
            }

            /// P(alive) of each customer.
            #[wasm_bindgen(js_name = probAlive)]
            pub fn prob_alive(&self, #[wasm_bindgen(unchecked_param_type = $third)] data: JsValue) -> Result<Vec<f64>> {
                let (x, tx, t) = customers(&data, if $third == "BgBbCustomers" { "nPeriods" } else { "T" })?;
                self.with(|m| m.prob_alive(&x, &tx, &t).map_err(js))
            }

            /// Expected purchases of each customer in the next `t` units.
            #[wasm_bindgen(js_name = expectedPurchases)]
            pub fn expected_purchases(&self, t: f64, #[wasm_bindgen(unchecked_param_type = $third)] data: JsValue) -> Result<Vec<f64>> {
                let (x, tx, tt) = customers(&data, if $third == "BgBbCustomers" { "nPeriods" } else { "T" })?;
                self.with(|m| m.expected_purchases(t, &x, &tx, &tt).map_err(js))
            }

            /// Expected purchases of a new customer in `t` units.
            #[wasm_bindgen(js_name = expectedPurchasesNew)]
            pub fn expected_purchases_new(&self, t: f64) -> Result<f64> {
                self.with(|m| m.expected_purchases_new(t).map_err(js))
            }

            /// P(X(t) = n) for a new customer.
            #[wasm_bindgen(js_name = probPurchases)]
            pub fn prob_purchases(&self, n: f64, t: f64) -> Result<f64> {
                let n = glue::whole_u32("n", n, 0).map_err(js)?;
                self.with(|m| m.prob_purchases(n, t).map_err(js))
            }
        }
    };
}

macro_rules! from_values {
    ($Core:path, $v:ident, $a:literal, $b:literal) => {
        <$Core>::from_params($v[0], $v[1])
    };
    ($Core:path, $v:ident, $a:literal, $b:literal, $c:literal) => {
        <$Core>::from_params($v[0], $v[1], $v[2])
    };
    ($Core:path, $v:ident, $a:literal, $b:literal, $c:literal, $d:literal) => {
        <$Core>::from_params($v[0], $v[1], $v[2], $v[3])
    };
}

macro_rules! continuous_clv {
    ($Js:ident) => {
        #[wasm_bindgen]
        impl $Js {
            /// Discounted CLV of each customer with `spendModel` (see `customerLifetimeValue`).
            #[wasm_bindgen(js_name = customerLifetimeValue)]
            pub fn customer_lifetime_value(
                &self,
                #[wasm_bindgen(js_name = spendModel)] spend_model: &GammaGamma,
                #[wasm_bindgen(unchecked_param_type = "SpendCustomers")] data: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "ClvOptions")] options: JsValue,
            ) -> Result<Vec<f64>> {
                self.with(|m| clv_of(m, spend_model, &data, &options))
            }
        }
    };
}

transaction_model!(
    "BG/NBD (Fader, Hardie & Lee 2005).",
    BetaGeo,
    BetaGeo,
    "BgNbdParams",
    "BgNbdParams | null",
    ["r", "alpha", "a", "b"],
    "Customers"
);
continuous_clv!(BetaGeo);
transaction_model!(
    "MBG/NBD (Batislam, Denizel & Filiztekin 2007).",
    ModifiedBetaGeo,
    ModifiedBetaGeo,
    "BgNbdParams",
    "BgNbdParams | null",
    ["r", "alpha", "a", "b"],
    "Customers"
);
continuous_clv!(ModifiedBetaGeo);
transaction_model!(
    "Pareto/NBD (Schmittlein, Morrison & Colombo 1987).",
    ParetoNBD,
    ParetoNbd,
    "ParetoNbdParams",
    "ParetoNbdParams | null",
    ["r", "alpha", "s", "beta"],
    "Customers"
);
continuous_clv!(ParetoNBD);
transaction_model!(
    "BG/BB (Fader, Hardie & Shang 2010), discrete time: `nPeriods` instead of `T`.",
    BetaGeoBetaBinom,
    BetaGeoBetaBinom,
    "BgBbParams",
    "BgBbParams | null",
    ["alpha", "beta", "gamma", "delta"],
    "BgBbCustomers"
);

#[wasm_bindgen]
impl ParetoNBD {
    /// P(X(T, T+t) = n | x, t_x, T) for each customer.
    #[wasm_bindgen(js_name = probPurchasesConditional)]
    pub fn prob_purchases_conditional(
        &self,
        n: f64,
        t: f64,
        #[wasm_bindgen(unchecked_param_type = "Customers")] data: JsValue,
    ) -> Result<Vec<f64>> {
        let n = glue::whole_u32("n", n, 0).map_err(js)?;
        let (x, tx, tt) = customers(&data, "T")?;
        self.with(|m| m.prob_purchases_conditional(n, t, &x, &tx, &tt).map_err(js))
    }

    /// Discounted expected residual transactions with continuous discount rate `delta` per unit.
    pub fn dert(
        &self,
        delta: f64,
        #[wasm_bindgen(unchecked_param_type = "Customers")] data: JsValue,
    ) -> Result<Vec<f64>> {
        let (x, tx, tt) = customers(&data, "T")?;
        self.with(|m| m.dert(delta, &x, &tx, &tt).map_err(js))
    }
}

#[wasm_bindgen]
impl BetaGeoBetaBinom {
    /// P(alive at opportunity nPeriods + m) for each customer.
    #[wasm_bindgen(js_name = probAliveAhead)]
    pub fn prob_alive_ahead(
        &self,
        m: f64,
        #[wasm_bindgen(unchecked_param_type = "BgBbCustomers")] data: JsValue,
    ) -> Result<Vec<f64>> {
        let (x, tx, n) = customers(&data, "nPeriods")?;
        self.with(|model| model.prob_alive_ahead(m, &x, &tx, &n).map_err(js))
    }

    /// Discounted expected residual transactions with discount rate `discount` per opportunity.
    pub fn dert(
        &self,
        discount: f64,
        #[wasm_bindgen(unchecked_param_type = "BgBbCustomers")] data: JsValue,
    ) -> Result<Vec<f64>> {
        let (x, tx, n) = customers(&data, "nPeriods")?;
        self.with(|m| m.dert(discount, &x, &tx, &n).map_err(js))
    }
}

// ---------------------------------------------------------------------------
// Gamma-Gamma

/// Gamma-Gamma spend model (Fader & Hardie 2013); fitted on repeat customers.
#[wasm_bindgen]
pub struct GammaGamma {
    inner: Rc<RefCell<Option<clv::models::GammaGamma>>>,
    options: clv::fit::FitOptions,
}

impl GammaGamma {
    fn with<T>(&self, f: impl FnOnce(&clv::models::GammaGamma) -> Result<T>) -> Result<T> {
        match self.inner.borrow().as_ref() {
            Some(m) => f(m),
            None => Err(not_fitted("GammaGamma")),
        }
    }
    fn known(m: clv::models::GammaGamma) -> Self {
        GammaGamma {
            inner: Rc::new(RefCell::new(Some(m))),
            options: clv::fit::FitOptions::default(),
        }
    }
}

fn spend_columns(data: &JsValue) -> Result<(Vec<f64>, Vec<f64>)> {
    Ok((f64s(data, "frequency")?, f64s(data, "monetaryValue")?))
}

#[wasm_bindgen]
impl GammaGamma {
    /// An unfitted model; `options` are used by `fit`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "FitOptions")] options: JsValue,
    ) -> Result<GammaGamma> {
        Ok(GammaGamma {
            inner: Rc::new(RefCell::new(None)),
            options: fit_options(&options)?,
        })
    }

    /// Fits on the customers with frequency > 0 (the others are skipped) and returns the model.
    pub fn fit(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SpendCustomers")] data: JsValue,
    ) -> Result<GammaGamma> {
        let (x, m) = spend_columns(&data)?;
        let w = opt_f64s(&data, "weights")?;
        let g = clv::models::GammaGamma::fit(&x, &m, w.as_deref(), &self.options).map_err(js)?;
        *self.inner.borrow_mut() = Some(g);
        Ok(GammaGamma {
            inner: Rc::clone(&self.inner),
            options: self.options.clone(),
        })
    }

    /// A model with known parameters.
    #[wasm_bindgen(js_name = fromParams)]
    pub fn from_params(
        #[wasm_bindgen(unchecked_param_type = "GammaGammaParams")] params: JsValue,
    ) -> Result<GammaGamma> {
        let g = clv::models::GammaGamma::from_params(
            num("p", &get(&params, "p"))?,
            num("q", &get(&params, "q"))?,
            num("v", &get(&params, "v"))?,
        )
        .map_err(js)?;
        Ok(GammaGamma::known(g))
    }

    /// Reads what `toJSON()` wrote.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string | Record<string, unknown>")] json: JsValue,
    ) -> Result<GammaGamma> {
        Ok(GammaGamma::known(
            clv::models::GammaGamma::from_json(&json_text(&json)?).map_err(js)?,
        ))
    }

    /// `{format_version, model, params, fit}`.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, unknown>")]
    pub fn to_json(&self) -> Result<JsValue> {
        self.with(|m| json_object(&m.to_json()))
    }

    /// The parameters.
    #[wasm_bindgen(getter, unchecked_return_type = "GammaGammaParams")]
    pub fn params(&self) -> Result<JsValue> {
        self.with(|m| Ok(params_object(&m.params())))
    }

    /// Total log-likelihood at the optimum; null for a model built from parameters.
    #[wasm_bindgen(getter, js_name = logLikelihood, unchecked_return_type = "number | null")]
    pub fn log_likelihood(&self) -> Result<JsValue> {
        self.with(|m| Ok(ll(m.fit_info())))
    }

    /// Standard errors; null for a model built from parameters.
    #[wasm_bindgen(getter, js_name = stdErrors, unchecked_return_type = "GammaGammaParams | null")]
    pub fn std_errors(&self) -> Result<JsValue> {
        self.with(|m| Ok(std_errors_object(&m.params(), m.fit_info())))
    }

    /// Estimate, standard error and 95% interval of each parameter.
    #[wasm_bindgen(unchecked_return_type = "ParamSummary[]")]
    pub fn summary(&self) -> Result<JsValue> {
        self.with(|m| Ok(summary_rows(&m.params(), m.fit_info())))
    }

    /// Per-customer log-likelihood.
    #[wasm_bindgen(js_name = logLikelihoodOf)]
    pub fn log_likelihood_of(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SpendCustomers")] data: JsValue,
    ) -> Result<Vec<f64>> {
        let (x, m) = spend_columns(&data)?;
        self.with(|g| g.log_likelihood(&x, &m).map_err(js))
    }

    /// Expected mean transaction value of each customer.
    #[wasm_bindgen(js_name = expectedSpend)]
    pub fn expected_spend(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SpendCustomers")] data: JsValue,
    ) -> Result<Vec<f64>> {
        let (x, m) = spend_columns(&data)?;
        self.with(|g| g.expected_spend(&x, &m).map_err(js))
    }
}

// ---------------------------------------------------------------------------
// sBG

/// Shifted-beta-geometric contractual retention model (Fader & Hardie 2007).
#[wasm_bindgen]
pub struct ShiftedBetaGeo {
    inner: Rc<RefCell<Option<clv::models::ShiftedBetaGeo>>>,
    options: clv::fit::FitOptions,
}

impl ShiftedBetaGeo {
    fn with<T>(&self, f: impl FnOnce(&clv::models::ShiftedBetaGeo) -> Result<T>) -> Result<T> {
        match self.inner.borrow().as_ref() {
            Some(m) => f(m),
            None => Err(not_fitted("ShiftedBetaGeo")),
        }
    }
    fn known(m: clv::models::ShiftedBetaGeo) -> Self {
        ShiftedBetaGeo {
            inner: Rc::new(RefCell::new(Some(m))),
            options: clv::fit::FitOptions::default(),
        }
    }
}

#[wasm_bindgen]
impl ShiftedBetaGeo {
    /// An unfitted model; `options` are used by `fit`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "FitOptions")] options: JsValue,
    ) -> Result<ShiftedBetaGeo> {
        Ok(ShiftedBetaGeo {
            inner: Rc::new(RefCell::new(None)),
            options: fit_options(&options)?,
        })
    }

    /// Fits to the active customers at the start of each period (survivors[0] = cohort size) and returns the model.
    pub fn fit(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] survivors: JsValue,
    ) -> Result<ShiftedBetaGeo> {
        let s = to_f64s("survivors", &survivors)?;
        *self.inner.borrow_mut() =
            Some(clv::models::ShiftedBetaGeo::fit(&s, &self.options).map_err(js)?);
        Ok(ShiftedBetaGeo {
            inner: Rc::clone(&self.inner),
            options: self.options.clone(),
        })
    }

    /// A model with known parameters.
    #[wasm_bindgen(js_name = fromParams)]
    pub fn from_params(
        #[wasm_bindgen(unchecked_param_type = "SbgParams")] params: JsValue,
    ) -> Result<ShiftedBetaGeo> {
        let m = clv::models::ShiftedBetaGeo::from_params(
            num("alpha", &get(&params, "alpha"))?,
            num("beta", &get(&params, "beta"))?,
        )
        .map_err(js)?;
        Ok(ShiftedBetaGeo::known(m))
    }

    /// Reads what `toJSON()` wrote.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string | Record<string, unknown>")] json: JsValue,
    ) -> Result<ShiftedBetaGeo> {
        Ok(ShiftedBetaGeo::known(
            clv::models::ShiftedBetaGeo::from_json(&json_text(&json)?).map_err(js)?,
        ))
    }

    /// `{format_version, model, params, fit}`.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, unknown>")]
    pub fn to_json(&self) -> Result<JsValue> {
        self.with(|m| json_object(&m.to_json()))
    }

    /// The parameters.
    #[wasm_bindgen(getter, unchecked_return_type = "SbgParams")]
    pub fn params(&self) -> Result<JsValue> {
        self.with(|m| Ok(params_object(&m.params())))
    }

    /// Total log-likelihood at the optimum; null for a model built from parameters.
    #[wasm_bindgen(getter, js_name = logLikelihood, unchecked_return_type = "number | null")]
    pub fn log_likelihood(&self) -> Result<JsValue> {
        self.with(|m| Ok(ll(m.fit_info())))
    }

    /// Standard errors; null for a model built from parameters.
    #[wasm_bindgen(getter, js_name = stdErrors, unchecked_return_type = "SbgParams | null")]
    pub fn std_errors(&self) -> Result<JsValue> {
        self.with(|m| Ok(std_errors_object(&m.params(), m.fit_info())))
    }

    /// Estimate, standard error and 95% interval of each parameter.
    #[wasm_bindgen(unchecked_return_type = "ParamSummary[]")]
    pub fn summary(&self) -> Result<JsValue> {
        self.with(|m| Ok(summary_rows(&m.params(), m.fit_info())))
    }

    /// Log-likelihood of a survivor series at these parameters.
    #[wasm_bindgen(js_name = logLikelihoodOf)]
    pub fn log_likelihood_of(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] survivors: JsValue,
    ) -> Result<f64> {
        let s = to_f64s("survivors", &survivors)?;
        self.with(|m| m.log_likelihood(&s).map_err(js))
    }

    /// S(t): probability of being active after t periods.
    pub fn survival(&self, t: f64) -> Result<f64> {
        self.with(|m| m.survival(t).map_err(js))
    }

    /// r(t) = S(t)/S(t−1): retention rate in period t.
    pub fn retention(&self, t: f64) -> Result<f64> {
        self.with(|m| m.retention(t).map_err(js))
    }

    /// P(T = t): probability of churning in period t.
    #[wasm_bindgen(js_name = probChurn)]
    pub fn prob_churn(&self, t: f64) -> Result<f64> {
        self.with(|m| m.prob_churn(t).map_err(js))
    }

    /// Discounted expected residual lifetime of a customer who has made `renewals` renewals.
    pub fn dert(&self, discount: f64, renewals: f64) -> Result<f64> {
        self.with(|m| m.dert(discount, renewals).map_err(js))
    }

    /// Discounted expected lifetime of a new customer.
    #[wasm_bindgen(js_name = discountedExpectedLifetime)]
    pub fn discounted_expected_lifetime(&self, discount: f64) -> Result<f64> {
        self.with(|m| m.discounted_expected_lifetime(discount).map_err(js))
    }
}

// ---------------------------------------------------------------------------
// CLV

fn clv_of(
    model: &dyn TransactionModel,
    spend: &GammaGamma,
    data: &JsValue,
    options: &JsValue,
) -> Result<Vec<f64>> {
    let time = glue::whole_u32("time", opt_f64(options, "time")?.unwrap_or(12.0), 0).map_err(js)?;
    let discount = opt_f64(options, "discountRate")?.unwrap_or(0.01);
    let freq = opt_string(options, "freq")?.unwrap_or_else(|| "W".into());
    let (x, m) = spend_columns(data)?;
    let (tx, t) = (f64s(data, "recency")?, f64s(data, "T")?);
    spend.with(|g| {
        clv::value::customer_lifetime_value_with_spend(
            model, g, &x, &tx, &t, &m, time, discount, &freq,
        )
        .map_err(js)
    })
}

/// Discounted CLV of each customer over `time` months (lifetimes-compatible):
/// Σ_{k=1..time} spend · (E[Y(k·u)] − E[Y((k−1)·u)]) / (1+discountRate)^k, spend from the Gamma-Gamma model.
#[wasm_bindgen(js_name = customerLifetimeValue)]
pub fn customer_lifetime_value(
    #[wasm_bindgen(js_name = transactionModel, unchecked_param_type = "BetaGeo | ModifiedBetaGeo | ParetoNBD")]
    transaction_model: JsValue,
    #[wasm_bindgen(js_name = spendModel, unchecked_param_type = "GammaGamma")] spend_model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "SpendCustomers")] data: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ClvOptions")] options: JsValue,
) -> Result<Float64Array> {
    // Dispatch to the model's own method (wasm-bindgen has no "one of these classes" argument type).
    let method = get(&transaction_model, "customerLifetimeValue");
    let f: &Function = method.dyn_ref::<Function>().ok_or_else(|| {
        invalid(
            "transactionModel",
            type_name(&transaction_model),
            "a BetaGeo, ModifiedBetaGeo or ParetoNBD model",
        )
    })?;
    Ok(f.call3(&transaction_model, &spend_model, &data, &options)?
        .unchecked_into())
}

// ---------------------------------------------------------------------------
// summary and RFM

fn summary_args(options: &JsValue) -> Result<glue::SummaryArgs> {
    Ok(glue::SummaryArgs {
        freq: opt_string(options, "freq")?,
        observation_period_end: opt_string(options, "observationPeriodEnd")?,
        calibration_period_end: opt_string(options, "calibrationPeriodEnd")?,
        date_format: opt_string(options, "dateFormat")?,
        skip_invalid: opt_bool(options, "skipInvalid")?,
    })
}

fn f64_array(v: &[f64]) -> Float64Array {
    Float64Array::from(v)
}

fn summary_js(s: &Summary) -> JsValue {
    let o = Object::new();
    set(&o, "customerId", strings_array(&s.customer_id));
    set(&o, "frequency", f64_array(&s.frequency));
    set(&o, "recency", f64_array(&s.recency));
    set(&o, "T", f64_array(&s.t));
    if let Some(m) = &s.monetary_value {
        set(&o, "monetaryValue", f64_array(m));
    }
    if let Some(h) = &s.holdout {
        set(&o, "frequencyHoldout", f64_array(&h.frequency));
        if let Some(m) = &h.monetary_value {
            set(&o, "monetaryValueHoldout", f64_array(m));
        }
        set(&o, "durationHoldout", h.duration);
    }
    set(&o, "unit", s.unit.to_string());
    set(
        &o,
        "observationPeriodEnd",
        clv::time::format_timestamp(s.observation_end),
    );
    if let Some(c) = s.calibration_end {
        set(&o, "calibrationPeriodEnd", clv::time::format_timestamp(c));
    }
    set(&o, "nTransactions", s.n_transactions as f64);
    set(&o, "nSkipped", s.skipped.len() as f64);
    o.into()
}

/// Transaction log → per-customer frequency, recency, T, monetaryValue.
#[wasm_bindgen(js_name = rfmSummary, unchecked_return_type = "RfmSummary")]
pub fn rfm_summary(
    #[wasm_bindgen(unchecked_param_type = "Transactions")] transactions: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SummaryOptions")] options: JsValue,
) -> Result<JsValue> {
    let ids = strings(&transactions, "customerId")?;
    let dates = strings(&transactions, "datetime")?;
    let amounts = opt_f64s(&transactions, "monetaryValue")?;
    let s = glue::summarize_columns(&ids, &dates, amounts.as_deref(), &summary_args(&options)?)
        .map_err(js)?;
    Ok(summary_js(&s))
}

/// A transaction file (CSV, TSV, `;` or whitespace separated) → summary, as `rfmSummary`.
#[wasm_bindgen(js_name = rfmSummaryFromCsv, unchecked_return_type = "RfmSummary")]
pub fn rfm_summary_from_csv(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] text: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CsvOptions")] options: JsValue,
) -> Result<JsValue> {
    let bytes: Vec<u8> = if let Some(s) = text.as_string() {
        s.into_bytes()
    } else if let Some(b) = text.dyn_ref::<Uint8Array>() {
        b.to_vec()
    } else {
        return Err(invalid(
            "text",
            type_name(&text),
            "a string or a Uint8Array",
        ));
    };
    let csv = glue::CsvArgs {
        customer_id_col: string(&options, "customerIdCol")?,
        datetime_col: string(&options, "datetimeCol")?,
        monetary_value_col: opt_string(&options, "monetaryValueCol")?,
        delimiter: opt_string(&options, "delimiter")?,
        has_header: opt_bool(&options, "hasHeader")?,
    };
    let s = glue::summarize_csv(&bytes, &csv, &summary_args(&options)?).map_err(js)?;
    Ok(summary_js(&s))
}

fn scores(summary: &JsValue, options: &JsValue) -> Result<clv::rfm::RfmScores> {
    glue::rfm_scores(
        &f64s(summary, "frequency")?,
        &f64s(summary, "recency")?,
        &f64s(summary, "T")?,
        &f64s(summary, "monetaryValue")?,
        opt_f64(options, "bins")?,
    )
    .map_err(js)
}

fn scores_js(s: &clv::rfm::RfmScores) -> Object {
    let o = Object::new();
    set(&o, "rScore", Uint8Array::from(s.r_score.as_slice()));
    set(&o, "fScore", Uint8Array::from(s.f_score.as_slice()));
    set(&o, "mScore", Uint8Array::from(s.m_score.as_slice()));
    set(&o, "rfmScore", strings_array(&s.codes()));
    set(&o, "bins", f64::from(s.bins));
    o
}

/// RFM quantile scores (1..bins) and the combined code.
#[wasm_bindgen(js_name = rfmScores, unchecked_return_type = "RfmScores")]
pub fn rfm_scores(
    #[wasm_bindgen(unchecked_param_type = "RfmInput")] summary: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RfmOptions")] options: JsValue,
) -> Result<JsValue> {
    Ok(scores_js(&scores(&summary, &options)?).into())
}

/// RFM scores plus the named segment of each customer and the segment counts.
#[wasm_bindgen(js_name = rfmSegments, unchecked_return_type = "RfmScores")]
pub fn rfm_segments(
    #[wasm_bindgen(unchecked_param_type = "RfmInput")] summary: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RfmOptions")] options: JsValue,
) -> Result<JsValue> {
    let s = scores(&summary, &options)?;
    let map = opt_string(&options, "segmentMap")?;
    let (segments, table) = glue::rfm_segments(&s, map.as_deref()).map_err(js)?;
    let o = scores_js(&s);
    set(&o, "segment", strings_array(&segments));
    let counts = Array::new();
    for c in table {
        let row = Object::new();
        set(&row, "segment", c.segment);
        set(&row, "customers", c.customers as f64);
        set(&row, "share", c.share);
        counts.push(&row);
    }
    set(&o, "segmentCounts", counts);
    Ok(o.into())
}

// ---------------------------------------------------------------------------
// formulas (decimal strings in and out)

fn opt_money(obj: &JsValue, key: &str) -> Result<String> {
    Ok(opt_string(obj, key)?.unwrap_or_else(|| "0".into()))
}

/// VC = Σ_{t=1..n} (Vol_t·M_t − D_t − R_t)·d^t − A, d = 1/(1+COC).
#[wasm_bindgen(js_name = walandCole)]
pub fn waland_cole(
    #[wasm_bindgen(unchecked_param_type = "WalandColeInput")] input: JsValue,
) -> Result<String> {
    glue::waland_cole(
        &strings(&input, "volume")?,
        &strings(&input, "margin")?,
        &strings(&input, "directCosts")?,
        &strings(&input, "retentionCosts")?,
        &string(&input, "acquisitionCost")?,
        &string(&input, "costOfCapital")?,
    )
    .map_err(js)
}

/// Waland & Cole client value with constant per-period values.
#[wasm_bindgen(js_name = walandColeConstant)]
pub fn waland_cole_constant(
    #[wasm_bindgen(unchecked_param_type = "WalandColeConstantInput")] input: JsValue,
) -> Result<String> {
    glue::waland_cole_constant(
        &string(&input, "volume")?,
        &string(&input, "margin")?,
        &string(&input, "directCosts")?,
        &string(&input, "retentionCosts")?,
        num("periods", &get(&input, "periods"))?,
        &string(&input, "acquisitionCost")?,
        &string(&input, "costOfCapital")?,
    )
    .map_err(js)
}

/// APV × purchase frequency × lifespan × margin rate − acquisition − retention costs.
#[wasm_bindgen(js_name = simpleClv)]
pub fn simple_clv(
    #[wasm_bindgen(unchecked_param_type = "SimpleClvInput")] input: JsValue,
) -> Result<String> {
    glue::simple_clv(
        &string(&input, "averagePurchaseValue")?,
        &string(&input, "purchaseFrequency")?,
        &string(&input, "lifespan")?,
        &string(&input, "marginRate")?,
        &opt_money(&input, "acquisitionCost")?,
        &opt_money(&input, "retentionCost")?,
    )
    .map_err(js)
}

/// m·r/(1+i−r), or Σ_{t=1..n} m·(r/(1+i))^t with `periods`.
#[wasm_bindgen(js_name = retentionClv)]
pub fn retention_clv(
    #[wasm_bindgen(unchecked_param_type = "RetentionClvInput")] input: JsValue,
) -> Result<String> {
    glue::retention_clv(
        &string(&input, "margin")?,
        &string(&input, "retention")?,
        &string(&input, "discountRate")?,
        opt_f64(&input, "periods")?,
    )
    .map_err(js)
}

/// revenue − variable costs − cost to serve.
#[wasm_bindgen(js_name = contributionMargin)]
pub fn contribution_margin(
    #[wasm_bindgen(unchecked_param_type = "ContributionMarginInput")] input: JsValue,
) -> Result<String> {
    glue::contribution_margin(
        &string(&input, "revenue")?,
        &string(&input, "variableCosts")?,
        &string(&input, "costToServe")?,
    )
    .map_err(js)
}

/// Rounds decimal text to `dp` places, half away from zero.
#[wasm_bindgen(js_name = roundMoney)]
pub fn round_money(value: &str, dp: f64) -> Result<String> {
    glue::round_money(value, dp).map_err(js)
}

// ---------------------------------------------------------------------------
// portfolio measures (`clv::portfolio`) and uplift (`clv::experiment`)

/// A core error with its field in JS spelling (`p_alive` → `pAlive`).
fn js_named(e: clv::Error) -> JsValue {
    js(glue::js_names(e))
}

fn positions(v: &[usize]) -> js_sys::Uint32Array {
    let v: Vec<u32> = v
        .iter()
        .map(|&i| u32::try_from(i).unwrap_or(u32::MAX))
        .collect();
    js_sys::Uint32Array::from(v.as_slice())
}

fn or_null(v: Option<f64>) -> JsValue {
    v.map_or(JsValue::NULL, JsValue::from_f64)
}

/// The whale curve of `values` (per-customer revenue, margin or CLV; finite, total > 0).
#[wasm_bindgen(js_name = whaleCurve, unchecked_return_type = "WhaleCurve")]
pub fn whale_curve(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] values: JsValue,
) -> Result<JsValue> {
    let w = clv::portfolio::whale_curve(&to_f64s("values", &values)?).map_err(js_named)?;
    let o = Object::new();
    set(&o, "order", positions(&w.order));
    set(&o, "sortedValues", f64_array(&w.sorted_values));
    set(&o, "cumulativeShare", f64_array(&w.cumulative_share));
    set(&o, "total", w.total);
    set(&o, "created", w.created);
    set(&o, "destroyed", w.destroyed);
    set(&o, "peakShare", w.peak_share);
    set(&o, "peakCustomers", w.peak_customers as f64);
    set(&o, "peakFraction", w.peak_fraction);
    let top = Array::new();
    for t in &w.top_shares {
        let r = Object::new();
        set(&r, "fraction", t.fraction);
        set(&r, "customers", t.customers as f64);
        set(&r, "share", t.share);
        top.push(&r);
    }
    set(&o, "topShares", top);
    set(&o, "destroyers", positions(&w.destroyers));
    set(&o, "gini", w.gini);
    Ok(o.into())
}

/// Gini coefficient G = Σᵢ Σⱼ |vᵢ − vⱼ| / (2 n² μ) (population version; above 1 possible with negative values).
#[wasm_bindgen]
pub fn gini(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] values: JsValue,
) -> Result<f64> {
    clv::portfolio::gini(&to_f64s("values", &values)?).map_err(js_named)
}

/// Value tiers A, B, C, … by cumulative share of value (ABC analysis) or by quantile; tied values share a tier.
#[wasm_bindgen(js_name = valueTiers, unchecked_return_type = "ValueTiers")]
pub fn value_tiers(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] values: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ValueTiersOptions")] options: JsValue,
) -> Result<JsValue> {
    let method = glue::tier_method(opt_string(&options, "method")?.as_deref()).map_err(js)?;
    let cuts = opt_f64s(&options, "cuts")?.unwrap_or_else(|| clv::portfolio::DEFAULT_CUTS.to_vec());
    let t = clv::portfolio::value_tiers(&to_f64s("values", &values)?, &cuts, method)
        .map_err(js_named)?;
    let o = Object::new();
    set(&o, "method", glue::tier_method_name(t.method));
    set(&o, "cuts", f64_array(&t.cuts));
    set(&o, "tier", strings_array(&t.tier));
    let rows = Array::new();
    for s in &t.tiers {
        let r = Object::new();
        set(&r, "tier", s.tier.as_str());
        set(&r, "customers", s.customers as f64);
        set(&r, "value", s.value);
        set(&r, "share", or_null(s.share));
        rows.push(&r);
    }
    set(&o, "tiers", rows);
    Ok(o.into())
}

/// Revenue at risk per customer: value × (1 − pAlive).
#[wasm_bindgen(js_name = revenueAtRisk)]
pub fn revenue_at_risk(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] values: JsValue,
    #[wasm_bindgen(js_name = pAlive, unchecked_param_type = "Float64Array | number[]")]
    p_alive: JsValue,
) -> Result<Float64Array> {
    let r = clv::portfolio::revenue_at_risk(
        &to_f64s("values", &values)?,
        &to_f64s("pAlive", &p_alive)?,
    )
    .map_err(js_named)?;
    Ok(f64_array(&r))
}

/// Revenue at risk, its totals and the ranking of the customers by it.
#[wasm_bindgen(js_name = riskRanking, unchecked_return_type = "RiskRanking")]
pub fn risk_ranking(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] values: JsValue,
    #[wasm_bindgen(js_name = pAlive, unchecked_param_type = "Float64Array | number[]")]
    p_alive: JsValue,
) -> Result<JsValue> {
    let r =
        clv::portfolio::risk_ranking(&to_f64s("values", &values)?, &to_f64s("pAlive", &p_alive)?)
            .map_err(js_named)?;
    let o = Object::new();
    set(&o, "valueAtRisk", f64_array(&r.value_at_risk));
    set(&o, "total", r.total);
    set(&o, "totalValue", r.total_value);
    set(&o, "share", or_null(r.share));
    set(&o, "expectedRetained", r.expected_retained);
    let rows = Array::new();
    for c in &r.at_risk {
        let row = Object::new();
        set(&row, "index", c.index as f64);
        set(&row, "value", c.value);
        set(&row, "pAlive", c.p_alive);
        set(&row, "valueAtRisk", c.value_at_risk);
        rows.push(&row);
    }
    set(&o, "atRisk", rows);
    Ok(o.into())
}

/// The most one may spend on a retention offer per customer: successRate · (1 − pAlive) · clv / pAlive (clv > 0, else 0).
#[wasm_bindgen(js_name = offerCeiling, unchecked_return_type = "OfferCeiling")]
pub fn offer_ceiling(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] clv: JsValue,
    #[wasm_bindgen(js_name = pAlive, unchecked_param_type = "Float64Array | number[]")]
    p_alive: JsValue,
    #[wasm_bindgen(js_name = successRate)] success_rate: f64,
) -> Result<JsValue> {
    let c = clv::portfolio::offer_ceiling(
        &to_f64s("clv", &clv)?,
        &to_f64s("pAlive", &p_alive)?,
        success_rate,
    )
    .map_err(js_named)?;
    let o = Object::new();
    set(&o, "valueIfRetained", f64_array(&c.value_if_retained));
    set(&o, "valueIfLost", f64_array(&c.value_if_lost));
    set(&o, "valueWithoutOffer", f64_array(&c.value_without_offer));
    set(&o, "ceiling", f64_array(&c.ceiling));
    Ok(o.into())
}

/// Revenue, transactions and a contribution margin per customer from a transaction log.
#[wasm_bindgen(js_name = customerTotals, unchecked_return_type = "CustomerTotals")]
pub fn customer_totals(
    #[wasm_bindgen(unchecked_param_type = "TotalsInput")] transactions: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "TotalsOptions")] options: JsValue,
) -> Result<JsValue> {
    let t = glue::customer_totals(
        &strings(&transactions, "customerId")?,
        &f64s(&transactions, "monetaryValue")?,
        opt_f64(&options, "marginRate")?,
        opt_f64(&options, "costPerTransaction")?,
    )
    .map_err(js)?;
    let o = Object::new();
    set(&o, "customerId", strings_array(&t.customer_id));
    set(&o, "revenue", f64_array(&t.revenue));
    set(&o, "transactions", f64_array(&t.transactions));
    set(&o, "margin", f64_array(&t.margin));
    Ok(o.into())
}

fn uplift_options(
    options: &JsValue,
    metric: Option<String>,
) -> Result<clv::experiment::UpliftOptions> {
    glue::UpliftArgs {
        confidence: opt_f64(options, "confidence")?,
        metric: match metric {
            Some(m) => Some(m),
            None => opt_string(options, "metric")?,
        },
        population: opt_f64(options, "population")?,
    }
    .to_options()
    .map_err(js)
}

fn uplift_js(u: &clv::experiment::Uplift) -> Object {
    let o = Object::new();
    set(&o, "metric", glue::metric_name(u.metric));
    set(&o, "method", u.method);
    set(&o, "confidence", u.confidence);
    set(&o, "nTreated", u.n_treated as f64);
    set(&o, "nControl", u.n_control as f64);
    set(&o, "meanTreated", u.mean_treated);
    set(&o, "meanControl", u.mean_control);
    set(&o, "effect", u.effect);
    set(&o, "ciLow", u.ci_low);
    set(&o, "ciHigh", u.ci_high);
    set(&o, "stdError", u.std_error);
    set(&o, "df", or_null(u.df));
    set(&o, "statistic", u.statistic);
    set(&o, "pValue", u.p_value);
    set(&o, "relativeEffect", or_null(u.relative_effect));
    set(&o, "population", u.population);
    set(&o, "total", u.total);
    set(&o, "totalCiLow", u.total_ci_low);
    set(&o, "totalCiHigh", u.total_ci_high);
    o
}

/// Uplift of treated over control: Welch's interval and test (continuous) or Newcombe's hybrid score interval with the score-test p-value (binary).
#[wasm_bindgen(unchecked_return_type = "Uplift")]
pub fn uplift(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] treated: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] control: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "UpliftOptions")] options: JsValue,
) -> Result<JsValue> {
    let o = uplift_options(&options, None)?;
    let u = clv::experiment::uplift(
        &to_f64s("treated", &treated)?,
        &to_f64s("control", &control)?,
        &o,
    )
    .map_err(js_named)?;
    Ok(uplift_js(&u).into())
}

/// Uplift on a binary metric from counts (Newcombe hybrid score interval, score-test p-value).
#[wasm_bindgen(js_name = upliftProportions, unchecked_return_type = "Uplift")]
pub fn uplift_proportions(
    #[wasm_bindgen(unchecked_param_type = "Proportions")] counts: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ProportionsOptions")] options: JsValue,
) -> Result<JsValue> {
    let o = uplift_options(&options, Some("binary".into()))?;
    let w = |f: &str| -> Result<u64> {
        let v = num(f, &get(&counts, f))?;
        glue::whole_u32(f, v, 0).map(u64::from).map_err(js)
    };
    let u = clv::experiment::uplift_proportions(
        w("successesTreated")?,
        w("nTreated")?,
        w("successesControl")?,
        w("nControl")?,
        &o,
    )
    .map_err(js_named)?;
    Ok(uplift_js(&u).into())
}

/// Wilson score interval [low, high] of successes / n (Wilson 1927).
#[wasm_bindgen(js_name = wilsonInterval, unchecked_return_type = "[number, number]")]
pub fn wilson_interval(successes: f64, n: f64, confidence: Option<f64>) -> Result<JsValue> {
    let s = glue::whole_u32("successes", successes, 0).map_err(js)?;
    let n = glue::whole_u32("n", n, 0).map_err(js)?;
    let (lo, hi) = clv::experiment::wilson_interval(
        u64::from(s),
        u64::from(n),
        confidence.unwrap_or(clv::experiment::UpliftOptions::default().confidence),
    )
    .map_err(js_named)?;
    Ok(Array::of2(&lo.into(), &hi.into()).into())
}

fn labels(field: &str, v: &JsValue) -> Result<Vec<String>> {
    if !Array::is_array(v) {
        return Err(invalid(field, type_name(v), "an array of strings"));
    }
    let a: &Array = v.unchecked_ref();
    a.iter()
        .enumerate()
        .map(|(i, x)| {
            x.as_string()
                .ok_or_else(|| js(clv::Error::invalid_at(field, i, type_name(&x), "a string")))
        })
        .collect()
}

/// Uplift estimated within strata and combined with treated weights w_s = n_t,s / n_t: δ = Σ w_s δ_s, Var δ = Σ w_s² (a_s + b_s).
#[wasm_bindgen(js_name = upliftStratified, unchecked_return_type = "StratifiedUplift")]
pub fn uplift_stratified(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] treated: JsValue,
    #[wasm_bindgen(js_name = treatedStrata, unchecked_param_type = "string[]")]
    treated_strata: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] control: JsValue,
    #[wasm_bindgen(js_name = controlStrata, unchecked_param_type = "string[]")]
    control_strata: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "UpliftOptions")] options: JsValue,
) -> Result<JsValue> {
    let o = uplift_options(&options, None)?;
    let s = clv::experiment::uplift_stratified(
        &to_f64s("treated", &treated)?,
        &labels("treatedStrata", &treated_strata)?,
        &to_f64s("control", &control)?,
        &labels("controlStrata", &control_strata)?,
        &o,
    )
    .map_err(js_named)?;
    let out = Object::new();
    set(&out, "overall", uplift_js(&s.overall));
    let rows = Array::new();
    for st in &s.strata {
        let r = Object::new();
        set(&r, "stratum", st.stratum.as_str());
        set(&r, "nTreated", st.n_treated as f64);
        set(&r, "nControl", st.n_control as f64);
        set(&r, "weight", st.weight);
        set(&r, "meanTreated", st.mean_treated);
        set(&r, "meanControl", st.mean_control);
        set(&r, "effect", st.effect);
        set(&r, "stdError", st.std_error);
        rows.push(&r);
    }
    set(&out, "strata", rows);
    Ok(out.into())
}
