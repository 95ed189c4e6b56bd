//! `Draws`: parameter draws of a model (`model.draws({method, n, seed})`,
//! or the posterior of `model.sample(data, {priors, chains, …})`) with
//! every prediction as intervals ([`clv::uncertainty`]), as in
//! `@clv/node`. Each method reads its JS arguments, calls the core (through
//! `clv_js_common::uncertainty`) and converts the result once ([`to_js`]).

use clv::ModelInfo;
use clv::models::AnyModel;
use clv::models::ModelKind;
use clv::uncertainty::{Intervals, Spend};
use clv_js_common::models::ClvArgs;
use clv_js_common::uncertainty::{self as common, DrawsArgs, ReadItem, SampleArgs};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::{
    Result, get, invalid, js, missing, num, opt_f64, opt_f64s, opt_string, to_f64s, to_js,
    type_name,
};

/// Parameter draws of a model, with its predictions as intervals.
#[wasm_bindgen(js_name = Draws)]
pub struct WasmDraws {
    pub(crate) inner: clv::uncertainty::Draws,
}

/// The quantile levels of `options` (default [0.05, 0.5, 0.95]).
pub(crate) fn quantiles(options: &JsValue) -> Result<Vec<f64>> {
    Ok(common::quantiles(opt_f64s(options, "quantiles")?))
}

/// The arrays of `data` by JS name (missing ones left out).
fn arrays(data: &JsValue, names: &[String]) -> Result<Vec<(String, Vec<f64>)>> {
    let mut out = Vec::new();
    for n in names {
        if let Some(v) = opt_f64s(data, n)? {
            out.push((n.clone(), v));
        }
    }
    Ok(out)
}

fn lookup<'a>(a: &'a [(String, Vec<f64>)]) -> impl Fn(&str) -> Option<&'a [f64]> {
    move |n| a.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_slice())
}

pub(crate) fn out(iv: clv::Result<Intervals>) -> Result<JsValue> {
    to_js(&iv.map_err(js)?)
}

/// `model.draws(options)` of every model class.
pub(crate) fn draws(model: &AnyModel, options: &JsValue) -> Result<WasmDraws> {
    let args = DrawsArgs {
        method: opt_string(options, "method")?,
        n: opt_f64(options, "n")?,
        seed: opt_f64(options, "seed")?,
    };
    let data = get(options, "data")?;
    let names = common::input_names(model.kind());
    let cols = if missing(&data) {
        None
    } else {
        Some(arrays(&data, &names)?)
    };
    let weights = if missing(&data) {
        None
    } else {
        opt_f64s(&data, "weights")?
    };
    let inputs = match &cols {
        Some(c) => Some((
            common::columns(model.kind(), lookup(c)).map_err(js)?,
            weights.as_deref(),
        )),
        None => None,
    };
    Ok(WasmDraws {
        inner: common::draws(model, &args, inputs).map_err(js)?,
    })
}

/// One element of a prior list: its string, number or type name.
fn prior_item(v: &JsValue) -> ReadItem {
    (v.as_string(), v.as_f64(), type_name(v))
}

/// The entries (key, value) of the object `options[key]`, none when it is
/// missing; anything else than a plain object is an [`invalid`] naming
/// `key`, expecting `expected`.
pub(crate) fn entries(
    options: &JsValue,
    key: &str,
    expected: &str,
) -> Result<Vec<(String, JsValue)>> {
    let v = get(options, key)?;
    if missing(&v) {
        return Ok(Vec::new());
    }
    if !v.is_object() || js_sys::Array::is_array(&v) {
        return Err(invalid(key, type_name(&v), expected));
    }
    Ok(js_sys::Object::entries(v.unchecked_ref())
        .iter()
        .map(|entry| {
            let kv: js_sys::Array = entry.unchecked_into();
            (kv.get(0).as_string().unwrap_or_default(), kv.get(1))
        })
        .collect())
}

/// The priors object (`{ r: ['gamma', 1, 1], … }`) as the core's items per
/// parameter (the core parses and checks them).
fn prior_items(options: &JsValue) -> Result<Vec<(String, Vec<ReadItem>)>> {
    let expected = "an object of priors by parameter name, e.g. { r: ['gamma', 1, 1] }";
    Ok(entries(options, "priors", expected)?
        .into_iter()
        .map(|(name, v)| {
            let items = if js_sys::Array::is_array(&v) {
                v.unchecked_into::<js_sys::Array>()
                    .iter()
                    .map(|i| prior_item(&i))
                    .collect()
            } else {
                vec![prior_item(&v)]
            };
            (name, items)
        })
        .collect())
}

/// `model.sample(data, options)` of every model class: the registry's
/// inputs of `kind` as `fit` takes them, and the weights of the data; a
/// `Draws`, or with `groups` a `GroupedDraws`.
pub(crate) fn sample(
    kind: ModelKind,
    inputs: &[&[f64]],
    weights: Option<&[f64]>,
    options: &JsValue,
) -> Result<JsValue> {
    let given = |key| Ok::<_, JsValue>(!missing(&get(options, key)?));
    common::check_sample_options(common::SampleGiven {
        groups: given("groups")?,
        priors: given("priors")?,
        hyperpriors: given("hyperpriors")?,
        on_progress: given("onProgress")?,
    })
    .map_err(js)?;
    let own = opt_f64s(options, "weights")?;
    let weights = common::sample_weights(weights, own.as_deref()).map_err(js)?;
    let read = prior_items(options)?;
    let priors = common::prior_items(&read);
    let args = SampleArgs {
        chains: opt_f64(options, "chains")?,
        tune: opt_f64(options, "tune")?,
        draws: opt_f64(options, "draws")?,
        seed: opt_f64(options, "seed")?,
    };
    let groups = get(options, "groups")?;
    if !missing(&groups) {
        let groups = crate::labels("groups", &groups)?;
        let hyper = crate::grouped::hyperpriors(options)?;
        let inner = common::sample_grouped(kind, inputs, weights, &groups, &hyper, &args);
        return Ok(crate::grouped::WasmGroupedDraws {
            inner: inner.map_err(js)?,
        }
        .into());
    }
    let on_progress = on_progress(options)?;
    let mut report = |p: clv::bayes::SampleProgress| -> std::result::Result<bool, String> {
        let Some(f) = &on_progress else {
            return Ok(true);
        };
        let row = to_js(&p).map_err(|e| message(&e))?;
        let back = f.call1(&JsValue::NULL, &row).map_err(|e| message(&e))?;
        Ok(back != JsValue::FALSE)
    };
    let report: Option<common::OnProgress<'_>> = on_progress.is_some().then_some(&mut report);
    Ok(WasmDraws {
        inner: common::sample(kind, inputs, weights, &priors, &args, report).map_err(js)?,
    }
    .into())
}

/// The `onProgress` function of the options, if any.
fn on_progress(options: &JsValue) -> Result<Option<js_sys::Function>> {
    let f = get(options, "onProgress")?;
    if missing(&f) {
        return Ok(None);
    }
    f.dyn_into::<js_sys::Function>()
        .map(Some)
        .map_err(|v| invalid("onProgress", type_name(&v), "a function"))
}

/// What a JS exception says, as `String(e)` (as `@clv/node` reads it):
/// `"Error: message"` for an `Error`, the text of a string or number.
fn message(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.to_string());
    }
    e.as_string()
        .or_else(|| e.as_f64().map(|v| v.to_string()))
        .unwrap_or_else(|| type_name(e))
}

/// `f` of the columns of `data` that the predictions of `kind` take.
pub(crate) fn per_customer<T>(
    kind: ModelKind,
    data: &JsValue,
    f: impl FnOnce(&[&[f64]]) -> T,
) -> Result<T> {
    let a = arrays(data, &common::input_names(kind))?;
    let c = common::columns(kind, lookup(&a)).map_err(js)?;
    Ok(f(&c))
}

/// Rows of numbers as an array of arrays (`values()`, `hyper()`).
pub(crate) fn number_rows(v: &[Vec<f64>]) -> JsValue {
    v.iter()
        .map(|r| js_sys::Array::from_iter(r.iter().map(|x| JsValue::from(*x))))
        .collect::<js_sys::Array>()
        .into()
}

clv_js_common::draws_members!(#[wasm_bindgen(js_class = Draws)] impl WasmDraws, wasm_bindgen);

#[wasm_bindgen(js_class = Draws)]
impl WasmDraws {
    /// Per parameter: posterior mean, sd, 5% and 95% quantiles, R-hat, bulk and
    /// tail ESS, and the divergences of the run (draws of other methods count
    /// as one chain).
    #[wasm_bindgen(unchecked_return_type = "PosteriorRow[]")]
    pub fn summary(&self) -> Result<JsValue> {
        to_js(&self.inner.summary().map_err(js)?)
    }

    /// Reads what `toJSON()` wrote.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<WasmDraws> {
        let text = json_string(&text)?;
        Ok(WasmDraws {
            inner: clv::uncertainty::Draws::from_json(&text).map_err(js)?,
        })
    }

    /// The number of draws.
    #[wasm_bindgen(getter)]
    pub fn n(&self) -> usize {
        self.inner.len()
    }

    /// The drawn parameter vectors, one array per draw in the model's order.
    #[wasm_bindgen(unchecked_return_type = "Array<Array<number>>")]
    pub fn values(&self) -> JsValue {
        number_rows(&self.inner.values())
    }

    /// Discounted CLV with intervals; the spend from a spend model or its draws.
    #[wasm_bindgen(js_name = customerLifetimeValue, unchecked_return_type = "PredictionIntervals")]
    pub fn customer_lifetime_value(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Draws | ModelClass")] spend: JsValue,
        #[wasm_bindgen(unchecked_param_type = "DrawsData")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ClvIntervalOptions")] options: JsValue,
    ) -> Result<JsValue> {
        clv_intervals(common::ClvOf::Draws(&self.inner), &spend, &data, &options)
    }
}

/// `customerLifetimeValue` of draws or of a grouped posterior (`of`): the
/// spend from a spend model or its draws.
pub(crate) fn clv_intervals(
    of: common::ClvOf<'_>,
    spend: &JsValue,
    data: &JsValue,
    options: &JsValue,
) -> Result<JsValue> {
    let args = ClvArgs::read(&crate::Opts(options), opt_string(data, "unit")?)?;
    let a = arrays(data, &common::CLV_INPUTS.map(String::from))?;
    let c = common::clv_columns(lookup(&a)).map_err(js)?;
    let draws = spend_draws(spend)?;
    let model = match &draws {
        Some(_) => None,
        None => Some(crate::models::model_arg("spend", spend)?),
    };
    let spend = match (&draws, &model) {
        (Some(d), _) => Spend::Draws(&d.inner),
        (_, Some(m)) => Spend::Model(m),
        _ => {
            return Err(crate::invalid(
                "spend",
                "undefined",
                "a spend model or spend draws",
            ));
        }
    };
    let q = quantiles(options)?;
    out(common::customer_lifetime_value(of, spend, c, &args, &q))
}

/// `data` itself: a `DrawsData` argument is read by the prediction.
#[allow(clippy::unnecessary_wraps)]
pub(crate) fn as_is<'a>(_: &str, v: &'a JsValue) -> Result<&'a JsValue> {
    Ok(v)
}

/// Generates an impl block of predictions with intervals of `Draws` or
/// `GroupedDraws` (`impl RustType as JsClass;`): each method reads its
/// arguments (`name: "TS type" => reader`) and then the interval options in
/// that order, and `|draws, quantiles| call` gives the core's intervals,
/// converted once ([`to_js`]).
macro_rules! predictions {
    (impl $class:ident as $js_class:ident; $($(#[doc = $doc:literal])* $js:ident fn $name:ident($($arg:ident: $ty:literal => $read:path),*) |$d:ident, $q:ident| $call:expr;)*) => {
        #[wasm_bindgen(js_class = $js_class)]
        impl $class {
            $(
                $(#[doc = $doc])*
                #[wasm_bindgen(js_name = $js, unchecked_return_type = "PredictionIntervals")]
                pub fn $name(
                    &self,
                    $(#[wasm_bindgen(unchecked_param_type = $ty)] $arg: JsValue,)*
                    #[wasm_bindgen(unchecked_optional_param_type = "IntervalOptions")] options: JsValue,
                ) -> $crate::Result<JsValue> {
                    $(let $arg = $read(stringify!($arg), &$arg)?;)*
                    let ($d, $q) = (self, $crate::uncertainty::quantiles(&options)?);
                    $crate::uncertainty::out($call)
                }
            )*
        }
    };
}
pub(crate) use predictions;

predictions! {
    impl WasmDraws as Draws;
    #[doc = "P(alive) with intervals."]
    probAlive fn prob_alive(data: "DrawsData" => as_is)
        |d, q| per_customer(d.inner.kind(), data, |c| d.inner.prob_alive(c[0], c[1], c[2], &q))?;
    #[doc = "Expected purchases in the next `t` units with intervals."]
    expectedPurchases fn expected_purchases(t: "number" => num, data: "DrawsData" => as_is)
        |d, q| per_customer(d.inner.kind(), data, |c| d.inner.expected_purchases(&[t], c[0], c[1], c[2], &q))?;
    #[doc = "E[X(t)] of a new customer for each `t`, with intervals."]
    expectedPurchasesNew fn expected_purchases_new(t: "Float64Array | number[]" => to_f64s)
        |d, q| d.inner.expected_purchases_new(&t, &q);
    #[doc = "P(X(t) = n) of a new customer (`n` and `t` broadcast), with intervals."]
    probPurchases fn prob_purchases(n: "Float64Array | number[]" => to_f64s, t: "Float64Array | number[]" => to_f64s)
        |d, q| d.inner.prob_purchases(&n, &t, &q);
    #[doc = "DERT with intervals, where the model has it."]
    dert fn dert(discount: "number" => num, data: "DrawsData" => as_is)
        |d, q| per_customer(d.inner.kind(), data, |c| d.inner.dert(discount, c[0], c[1], c[2], &q))?;
    #[doc = "Expected spend with intervals (draws of a spend model)."]
    expectedSpend fn expected_spend(data: "DrawsData" => as_is)
        |d, q| per_customer(d.inner.kind(), data, |c| d.inner.expected_spend(c[0], c[1], &q))?;
    #[doc = "S(t) of an sBG cohort for each `t`, with intervals."]
    survival fn survival(t: "Float64Array | number[]" => to_f64s) |d, q| d.inner.survival(&t, &q);
    #[doc = "Retention rate r(t) of an sBG cohort for each `t`, with intervals."]
    retention fn retention(t: "Float64Array | number[]" => to_f64s) |d, q| d.inner.retention(&t, &q);
}

/// The draws of a `Draws` argument, read back through its `toJSON()`
/// (wasm-bindgen has no "this class or those" argument type; the JSON keeps
/// the method, so NUTS draws, a posterior's or a group's, are spend draws
/// too); `None` for an object without `values()` (a model).
fn spend_draws(v: &JsValue) -> Result<Option<WasmDraws>> {
    if get(v, "values")?.dyn_into::<js_sys::Function>().is_err() {
        return Ok(None);
    }
    let text = get(v, "toJSON")?
        .dyn_into::<js_sys::Function>()
        .map_err(|_| crate::invalid("spend", "another object", "spend draws"))?
        .call0(v)?
        .as_string()
        .ok_or_else(|| crate::invalid("spend", "another object", "spend draws"))?;
    let inner = clv::uncertainty::Draws::from_json(&text).map_err(js)?;
    Ok(Some(WasmDraws { inner }))
}

/// The JSON text of `fromJSON` (a non-string is our error, not
/// wasm-bindgen's read of it as a string's memory).
pub(crate) fn json_string(text: &JsValue) -> Result<String> {
    text.as_string()
        .ok_or_else(|| crate::invalid("text", crate::type_name(text), "a string"))
}
