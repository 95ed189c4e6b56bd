//! `GroupedDraws`: the posterior of a hierarchical fit
//! (`model.sample(data, {groups, hyperpriors, …})`,
//! [`clv::bayes::sample_grouped`]), as in `@clv/node`. Each method reads
//! its JS arguments, calls the core (through `clv_js_common::uncertainty`)
//! and converts the result once ([`to_js`]).

use clv_js_common::uncertainty as common;
use wasm_bindgen::prelude::*;

use crate::uncertainty::{
    WasmDraws, as_is, clv_intervals, entries, number_rows, per_customer, predictions,
};
use crate::{Result, js, labels, num, to_f64s, to_js};

/// The posterior of a hierarchical fit: per group a `Draws`, and the
/// hyperparameter draws; predictions take one group label per customer.
#[wasm_bindgen(js_name = GroupedDraws)]
pub struct WasmGroupedDraws {
    pub(crate) inner: clv::bayes::GroupedDraws,
}

/// The hyperpriors of the options (`{ r: [muMean, muSd, tauSd], … }`) by
/// parameter name (the core checks them).
pub(crate) fn hyperpriors(options: &JsValue) -> Result<Vec<(String, Vec<f64>)>> {
    let expected = "an object of [muMean, muSd, tauSd] by parameter name";
    entries(options, "hyperpriors", expected)?
        .into_iter()
        .map(|(name, v)| {
            let args = to_f64s(&name, &v)?;
            Ok((name, args))
        })
        .collect()
}

#[wasm_bindgen(js_class = GroupedDraws)]
impl WasmGroupedDraws {
    /// The group labels, sorted.
    #[wasm_bindgen(getter)]
    pub fn groups(&self) -> Vec<String> {
        self.inner.labels().to_vec()
    }

    /// The draws of one group (a `Draws`, method "nuts").
    pub fn group(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] label: JsValue,
    ) -> Result<WasmDraws> {
        // named "group", as the core names an unknown label
        let label = label
            .as_string()
            .ok_or_else(|| crate::invalid("group", crate::type_name(&label), "a string"))?;
        Ok(WasmDraws {
            inner: self.inner.group(&label).map_err(js)?.clone(),
        })
    }

    /// Rows per (group, parameter), then the mu and tau rows per parameter.
    #[wasm_bindgen(unchecked_return_type = "GroupPosteriorRow[]")]
    pub fn summary(&self) -> Result<JsValue> {
        to_js(&self.inner.summary().map_err(js)?)
    }

    /// The hyperparameter draws: per draw mu of each parameter, then tau.
    #[wasm_bindgen(unchecked_return_type = "Array<Array<number>>")]
    pub fn hyper(&self) -> JsValue {
        number_rows(self.inner.hyper())
    }

    /// Draws per group.
    #[wasm_bindgen(getter)]
    pub fn n(&self) -> usize {
        self.inner.len()
    }

    /// Divergent transitions of the run.
    #[wasm_bindgen(getter)]
    pub fn divergences(&self) -> u32 {
        common::grouped_divergences(&self.inner)
    }

    /// The JSON text of the core (`GroupedDraws::to_json`).
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Reads what `toJSON` wrote.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<WasmGroupedDraws> {
        let text = crate::uncertainty::json_string(&text)?;
        Ok(WasmGroupedDraws {
            inner: clv::bayes::GroupedDraws::from_json(&text).map_err(js)?,
        })
    }

    /// Discounted CLV with intervals, each customer with its group's draws;
    /// the spend from a spend model or its draws (paired by index with every
    /// group's draws).
    #[wasm_bindgen(js_name = customerLifetimeValue, unchecked_return_type = "PredictionIntervals")]
    pub fn customer_lifetime_value(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Draws | ModelClass")] spend: JsValue,
        #[wasm_bindgen(unchecked_param_type = "DrawsData")] data: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string[]")] groups: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ClvIntervalOptions")] options: JsValue,
    ) -> Result<JsValue> {
        let groups = labels("groups", &groups)?;
        let of = common::ClvOf::Grouped(&self.inner, &groups);
        clv_intervals(of, &spend, &data, &options)
    }
}

predictions! {
    impl WasmGroupedDraws as GroupedDraws;
    #[doc = "P(alive) with intervals, each customer with its group's draws."]
    probAlive fn prob_alive(data: "DrawsData" => as_is, groups: "string[]" => labels)
        |d, q| per_customer(d.inner.kind(), data, |c| d.inner.prob_alive(&groups, c[0], c[1], c[2], &q))?;
    #[doc = "Expected purchases in the next `t` units with intervals, each customer with its group's draws."]
    expectedPurchases fn expected_purchases(t: "number" => num, data: "DrawsData" => as_is, groups: "string[]" => labels)
        |d, q| per_customer(d.inner.kind(), data, |c| d.inner.expected_purchases(&groups, &[t], c[0], c[1], c[2], &q))?;
    #[doc = "E[X(t)] of a new customer of each element's group, with intervals."]
    expectedPurchasesNew fn expected_purchases_new(t: "Float64Array | number[]" => to_f64s, groups: "string[]" => labels)
        |d, q| d.inner.expected_purchases_new(&groups, &t, &q);
    #[doc = "P(X(t) = n) of a new customer of each element's group (`n` and `t` broadcast), with intervals."]
    probPurchases fn prob_purchases(n: "Float64Array | number[]" => to_f64s, t: "Float64Array | number[]" => to_f64s, groups: "string[]" => labels)
        |d, q| d.inner.prob_purchases(&groups, &n, &t, &q);
    #[doc = "DERT with intervals, each customer with its group's draws, where the model has it."]
    dert fn dert(discount: "number" => num, data: "DrawsData" => as_is, groups: "string[]" => labels)
        |d, q| per_customer(d.inner.kind(), data, |c| d.inner.dert(&groups, discount, c[0], c[1], c[2], &q))?;
    #[doc = "Expected spend with intervals (a grouped spend posterior), each customer with its group's draws."]
    expectedSpend fn expected_spend(data: "DrawsData" => as_is, groups: "string[]" => labels)
        |d, q| per_customer(d.inner.kind(), data, |c| d.inner.expected_spend(&groups, c[0], c[1], &q))?;
}
