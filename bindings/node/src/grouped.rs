//! `GroupedDraws`: the posterior of a hierarchical fit
//! (`model.sample(data, {groups, hyperpriors, …})`, [`clv::bayes::sample_grouped`]).
//! Each method converts, calls the core (through
//! `clv_js_common::uncertainty`) and converts back.

use clv_js_common::uncertainty as common;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

use crate::uncertainty::{
    Draws, DrawsData, GroupPosteriorRow, IntervalOptions, PredictionIntervals, clv_intervals,
    from_json_text, per_customer, predictions,
};
use crate::{Result, js, read, sl};

/// The posterior of a hierarchical fit: per group a `Draws`, and the
/// hyperparameter draws; predictions take one group label per customer.
#[napi]
pub struct GroupedDraws {
    pub(crate) inner: clv::bayes::GroupedDraws,
}

#[napi]
impl GroupedDraws {
    /// The group labels, sorted.
    #[napi(getter)]
    pub fn groups(&self) -> Vec<String> {
        self.inner.labels().to_vec()
    }

    /// The draws of one group (a `Draws`, method "nuts").
    #[napi(catch_unwind)]
    pub fn group(&self, #[napi(ts_arg_type = "string")] label: Unknown<'_>) -> Result<Draws> {
        // named "group", as the core names an unknown label
        let label = read::string("group", label)?;
        Ok(Draws {
            inner: self.inner.group(&label).map_err(js)?.clone(),
        })
    }

    /// Rows per (group, parameter), then the mu and tau rows per parameter.
    #[napi(catch_unwind)]
    pub fn summary(&self) -> Result<Vec<GroupPosteriorRow>> {
        Ok(crate::rows(self.inner.summary().map_err(js)?))
    }

    /// The hyperparameter draws: per draw mu of each parameter, then tau.
    #[napi(catch_unwind)]
    pub fn hyper(&self) -> Vec<Vec<f64>> {
        self.inner.hyper().to_vec()
    }

    /// Draws per group.
    #[napi(getter)]
    pub fn n(&self) -> u32 {
        crate::count(self.inner.len())
    }

    /// Divergent transitions of the run.
    #[napi(getter)]
    pub fn divergences(&self) -> u32 {
        common::grouped_divergences(&self.inner)
    }

    /// The JSON text of the core (`GroupedDraws::to_json`).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Reads what `toJSON` wrote.
    #[napi(catch_unwind, factory, js_name = "fromJSON")]
    pub fn from_json(#[napi(ts_arg_type = "string")] text: Unknown<'_>) -> Result<GroupedDraws> {
        let inner = from_json_text(text, clv::bayes::GroupedDraws::from_json)?;
        Ok(GroupedDraws { inner })
    }

    /// Discounted CLV with intervals, each customer with its group's draws;
    /// the spend from a spend model or its draws (paired by index with every
    /// group's draws).
    #[napi(catch_unwind)]
    pub fn customer_lifetime_value(
        &self,
        #[napi(ts_arg_type = "Draws | ModelClass")] spend: Unknown<'_>,
        data: DrawsData<'_>,
        #[napi(ts_arg_type = "Array<string>")] groups: Unknown<'_>,
        #[napi(ts_arg_type = "ClvIntervalOptions | undefined | null")] options: Option<Unknown<'_>>,
    ) -> Result<PredictionIntervals> {
        let groups = read::strings("groups", groups)?;
        let of = common::ClvOf::Grouped(&self.inner, &groups);
        clv_intervals(of, spend, &data, options.as_ref())
    }
}

predictions! {
    impl GroupedDraws;
    #[doc = "P(alive) with intervals, each customer with its group's draws."]
    fn prob_alive(data: DrawsData<'_>, #[napi(ts_arg_type = "Array<string>")] groups: Unknown<'_>) |d, q| { let groups = read::strings("groups", groups)?; per_customer(d.inner.kind(), &data, |c| d.inner.prob_alive(&groups, c[0], c[1], c[2], &q)) };
    #[doc = "Expected purchases in the next `t` units with intervals, each customer with its group's draws."]
    fn expected_purchases(#[napi(ts_arg_type = "number")] t: Unknown<'_>, data: DrawsData<'_>, #[napi(ts_arg_type = "Array<string>")] groups: Unknown<'_>) |d, q| { let groups = read::strings("groups", groups)?; let t = read::number("t", t)?; per_customer(d.inner.kind(), &data, |c| d.inner.expected_purchases(&groups, &[t], c[0], c[1], c[2], &q)) };
    #[doc = "E[X(t)] of a new customer of each element's group, with intervals."]
    fn expected_purchases_new(#[napi(ts_arg_type = "Float64Array | Array<number>")] t: Unknown<'_>, #[napi(ts_arg_type = "Array<string>")] groups: Unknown<'_>) |d, q| { let groups = read::strings("groups", groups)?; let t = read::numbers("t", t)?; d.inner.expected_purchases_new(&groups, sl(&t), &q) };
    #[doc = "P(X(t) = n) of a new customer of each element's group (`n` and `t` broadcast), with intervals."]
    fn prob_purchases(#[napi(ts_arg_type = "Float64Array | Array<number>")] n: Unknown<'_>, #[napi(ts_arg_type = "Float64Array | Array<number>")] t: Unknown<'_>, #[napi(ts_arg_type = "Array<string>")] groups: Unknown<'_>) |d, q| { let groups = read::strings("groups", groups)?; let n = read::numbers("n", n)?; let t = read::numbers("t", t)?; d.inner.prob_purchases(&groups, sl(&n), sl(&t), &q) };
    #[doc = "DERT with intervals, each customer with its group's draws, where the model has it."]
    fn dert(#[napi(ts_arg_type = "number")] discount: Unknown<'_>, data: DrawsData<'_>, #[napi(ts_arg_type = "Array<string>")] groups: Unknown<'_>) |d, q| { let groups = read::strings("groups", groups)?; let discount = read::number("discount", discount)?; per_customer(d.inner.kind(), &data, |c| d.inner.dert(&groups, discount, c[0], c[1], c[2], &q)) };
    #[doc = "Expected spend with intervals (a grouped spend posterior), each customer with its group's draws."]
    fn expected_spend(data: DrawsData<'_>, #[napi(ts_arg_type = "Array<string>")] groups: Unknown<'_>) |d, q| { let groups = read::strings("groups", groups)?; per_customer(d.inner.kind(), &data, |c| d.inner.expected_spend(&groups, c[0], c[1], &q)) };
}
