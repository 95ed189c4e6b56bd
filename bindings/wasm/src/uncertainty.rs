//! `Draws`: parameter draws of a model (`model.draws({method, n, seed})`)
//! with every prediction as intervals ([`clv::uncertainty`]), as in
//! `@clv/node`. Each method reads its JS arguments, calls the core (through
//! `clv_js_common::uncertainty`) and converts the result once ([`to_js`]).

use clv::ModelInfo;
use clv::models::AnyModel;
use clv::uncertainty::{Intervals, Spend};
use clv_js_common::models::ClvArgs;
use clv_js_common::uncertainty::{self as common, DrawsArgs};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::{Result, get, js, missing, num, opt_f64, opt_f64s, opt_string, to_f64s, to_js};

/// Parameter draws of a model, with its predictions as intervals.
#[wasm_bindgen(js_name = Draws)]
pub struct WasmDraws {
    inner: clv::uncertainty::Draws,
}

/// The quantile levels of `options` (default [0.05, 0.5, 0.95]).
fn quantiles(options: &JsValue) -> Result<Vec<f64>> {
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

fn out(iv: clv::Result<Intervals>) -> Result<JsValue> {
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
    let names: Vec<String> = model
        .kind()
        .spec()
        .inputs
        .iter()
        .map(|n| clv_js_common::camel(n))
        .collect();
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

impl WasmDraws {
    fn columns(&self, data: &JsValue) -> Result<Vec<(String, Vec<f64>)>> {
        let names: Vec<String> = self
            .inner
            .kind()
            .spec()
            .inputs
            .iter()
            .map(|n| clv_js_common::camel(n))
            .collect();
        arrays(data, &names)
    }

    fn customers<T>(&self, data: &JsValue, f: impl FnOnce(&[&[f64]]) -> T) -> Result<T> {
        let a = self.columns(data)?;
        let c = common::columns(self.inner.kind(), lookup(&a)).map_err(js)?;
        Ok(f(&c))
    }
}

#[wasm_bindgen(js_class = Draws)]
impl WasmDraws {
    /// "laplace" or "bootstrap".
    #[wasm_bindgen(getter)]
    pub fn method(&self) -> String {
        self.inner.method().as_str().to_string()
    }

    /// The number of draws.
    #[wasm_bindgen(getter)]
    pub fn n(&self) -> usize {
        self.inner.len()
    }

    /// The registry key of the model.
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        self.inner.kind().as_str().to_string()
    }

    /// The seed.
    #[wasm_bindgen(getter)]
    pub fn seed(&self) -> f64 {
        // seeds come from JS numbers (whole, below 2^53): exact
        #[allow(clippy::cast_precision_loss)]
        let s = self.inner.seed() as f64;
        s
    }

    /// The fitted model's time unit, or null.
    #[wasm_bindgen(getter)]
    pub fn unit(&self) -> Option<String> {
        self.inner.unit().map(String::from)
    }

    /// The drawn parameter vectors, one array per draw in the model's order.
    #[wasm_bindgen(unchecked_return_type = "Array<Array<number>>")]
    pub fn values(&self) -> Result<JsValue> {
        let v = self.inner.values();
        Ok(v.iter()
            .map(|r| js_sys::Array::from_iter(r.iter().map(|x| JsValue::from(*x))))
            .collect::<js_sys::Array>()
            .into())
    }

    /// P(alive) with intervals.
    #[wasm_bindgen(js_name = probAlive, unchecked_return_type = "PredictionIntervals")]
    pub fn prob_alive(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DrawsData")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "IntervalOptions")] options: JsValue,
    ) -> Result<JsValue> {
        let q = quantiles(&options)?;
        out(self.customers(&data, |c| self.inner.prob_alive(c[0], c[1], c[2], &q))?)
    }

    /// Expected purchases in the next `t` units with intervals.
    #[wasm_bindgen(js_name = expectedPurchases, unchecked_return_type = "PredictionIntervals")]
    pub fn expected_purchases(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] t: JsValue,
        #[wasm_bindgen(unchecked_param_type = "DrawsData")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "IntervalOptions")] options: JsValue,
    ) -> Result<JsValue> {
        let (t, q) = (num("t", &t)?, quantiles(&options)?);
        out(self.customers(&data, |c| {
            self.inner.expected_purchases(&[t], c[0], c[1], c[2], &q)
        })?)
    }

    /// E[X(t)] of a new customer for each `t`, with intervals.
    #[wasm_bindgen(js_name = expectedPurchasesNew, unchecked_return_type = "PredictionIntervals")]
    pub fn expected_purchases_new(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] t: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "IntervalOptions")] options: JsValue,
    ) -> Result<JsValue> {
        out(self
            .inner
            .expected_purchases_new(&to_f64s("t", &t)?, &quantiles(&options)?))
    }

    /// P(X(t) = n) of a new customer (`n` and `t` broadcast), with intervals.
    #[wasm_bindgen(js_name = probPurchases, unchecked_return_type = "PredictionIntervals")]
    pub fn prob_purchases(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] n: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] t: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "IntervalOptions")] options: JsValue,
    ) -> Result<JsValue> {
        let (n, t) = (to_f64s("n", &n)?, to_f64s("t", &t)?);
        out(self.inner.prob_purchases(&n, &t, &quantiles(&options)?))
    }

    /// DERT with intervals, where the model has it.
    #[wasm_bindgen(unchecked_return_type = "PredictionIntervals")]
    pub fn dert(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] discount: JsValue,
        #[wasm_bindgen(unchecked_param_type = "DrawsData")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "IntervalOptions")] options: JsValue,
    ) -> Result<JsValue> {
        let (discount, q) = (num("discount", &discount)?, quantiles(&options)?);
        out(self.customers(&data, |c| self.inner.dert(discount, c[0], c[1], c[2], &q))?)
    }

    /// Expected spend with intervals (draws of a spend model).
    #[wasm_bindgen(js_name = expectedSpend, unchecked_return_type = "PredictionIntervals")]
    pub fn expected_spend(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DrawsData")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "IntervalOptions")] options: JsValue,
    ) -> Result<JsValue> {
        let q = quantiles(&options)?;
        out(self.customers(&data, |c| self.inner.expected_spend(c[0], c[1], &q))?)
    }

    /// Discounted CLV with intervals; the spend from a spend model or its draws.
    #[wasm_bindgen(js_name = customerLifetimeValue, unchecked_return_type = "PredictionIntervals")]
    pub fn customer_lifetime_value(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Draws | ModelClass")] spend: JsValue,
        #[wasm_bindgen(unchecked_param_type = "DrawsData")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ClvIntervalOptions")] options: JsValue,
    ) -> Result<JsValue> {
        let args = ClvArgs {
            time: opt_f64(&options, "time")?,
            discount_rate: opt_f64(&options, "discountRate")?,
            freq: opt_string(&options, "freq")?,
            data_unit: opt_string(&data, "unit")?,
        };
        let names = ["frequency", "recency", "T", "monetaryValue"].map(String::from);
        let a = arrays(&data, &names)?;
        let c = common::columns_named(&names, lookup(&a)).map_err(js)?;
        let draws = spend_draws(&spend)?;
        let model = if draws.is_some() {
            None
        } else {
            Some(crate::models::model_arg("spend", &spend)?)
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
        let q = quantiles(&options)?;
        out(common::customer_lifetime_value(
            &self.inner,
            spend,
            [c[0], c[1], c[2], c[3]],
            &args,
            &q,
        ))
    }

    /// S(t) of an sBG cohort for each `t`, with intervals.
    #[wasm_bindgen(unchecked_return_type = "PredictionIntervals")]
    pub fn survival(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] t: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "IntervalOptions")] options: JsValue,
    ) -> Result<JsValue> {
        out(self
            .inner
            .survival(&to_f64s("t", &t)?, &quantiles(&options)?))
    }

    /// Retention rate r(t) of an sBG cohort for each `t`, with intervals.
    #[wasm_bindgen(unchecked_return_type = "PredictionIntervals")]
    pub fn retention(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] t: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "IntervalOptions")] options: JsValue,
    ) -> Result<JsValue> {
        out(self
            .inner
            .retention(&to_f64s("t", &t)?, &quantiles(&options)?))
    }
}

/// The draws of a `Draws` argument, read back through its `values()`,
/// `kind`, `method`, `seed` and `unit` (wasm-bindgen has no "this class or
/// those" argument type); `None` for an object without `values()`.
fn spend_draws(v: &JsValue) -> Result<Option<WasmDraws>> {
    let Ok(f) = get(v, "values")?.dyn_into::<js_sys::Function>() else {
        return Ok(None);
    };
    let rows: js_sys::Array = f
        .call0(v)?
        .dyn_into()
        .map_err(|_| crate::invalid("spend", "another object", "spend draws"))?;
    let values = rows
        .iter()
        .map(|r| to_f64s("spend", &r))
        .collect::<Result<Vec<_>>>()?;
    let kind = opt_string(v, "kind")?
        .unwrap_or_default()
        .parse()
        .map_err(js)?;
    let method = opt_string(v, "method")?
        .unwrap_or_default()
        .parse()
        .map_err(js)?;
    let seed = clv::error::check::seed("seed", opt_f64(v, "seed")?.unwrap_or(0.0)).map_err(js)?;
    let unit = opt_string(v, "unit")?;
    let inner =
        clv::uncertainty::Draws::from_values(kind, method, seed, unit, &values).map_err(js)?;
    Ok(Some(WasmDraws { inner }))
}
