//! `GroupedDraws`: the posterior of a hierarchical fit
//! (`model.sample(data, {groups, hyperpriors, …})`, [`clv::bayes::sample_grouped`]).
//! Each method converts, calls the core (through
//! `clv_js_common::uncertainty`) and converts back.

use clv_js_common::uncertainty as common;
use napi::bindgen_prelude::{Either, Float64Array};
use napi_derive::napi;

use crate::uncertainty::{Draws, DrawsData, IntervalOptions, PredictionIntervals, q};
use crate::{Result, js, sl};

/// One row of a grouped posterior's `summary()`: a group's parameter
/// (`term` "theta"), or the mean "mu" / spread "tau" of a parameter
/// across groups (`group` null).
#[napi(object, object_from_js = false)]
pub struct GroupPosteriorRow {
    pub group: Option<String>,
    pub term: String,
    pub param: String,
    pub mean: f64,
    pub sd: f64,
    pub q05: f64,
    pub q95: f64,
    pub r_hat: f64,
    pub ess_bulk: f64,
    pub ess_tail: f64,
    pub divergences: u32,
}

impl From<common::GroupRow> for GroupPosteriorRow {
    fn from(r: common::GroupRow) -> Self {
        let p = r.row;
        GroupPosteriorRow {
            group: r.group,
            term: r.term.to_string(),
            param: p.param.to_string(),
            mean: p.mean,
            sd: p.sd,
            q05: p.q05,
            q95: p.q95,
            r_hat: p.r_hat,
            ess_bulk: p.ess_bulk,
            ess_tail: p.ess_tail,
            divergences: p.divergences,
        }
    }
}

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
    pub fn group(&self, label: String) -> Result<Draws> {
        Ok(Draws {
            inner: self.inner.group(&label).map_err(js)?.clone(),
        })
    }

    /// Rows per (group, parameter), then the mu and tau rows per parameter.
    #[napi(catch_unwind)]
    pub fn summary(&self) -> Result<Vec<GroupPosteriorRow>> {
        Ok(crate::rows(common::grouped_rows(&self.inner).map_err(js)?))
    }

    /// The hyperparameter draws: per draw mu of each parameter, then tau.
    #[napi(catch_unwind)]
    pub fn hyper(&self) -> Vec<Vec<f64>> {
        self.inner.hyper().to_vec()
    }

    /// Draws per group.
    #[napi(getter)]
    pub fn n(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// Divergent transitions of the run.
    #[napi(getter)]
    pub fn divergences(&self) -> u32 {
        u32::try_from(self.inner.nuts().divergent.len()).unwrap_or(u32::MAX)
    }

    /// The JSON text of the core (`GroupedDraws::to_json`).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Reads what `toJSON` wrote.
    #[napi(catch_unwind, factory, js_name = "fromJSON")]
    pub fn from_json(text: String) -> Result<GroupedDraws> {
        Ok(GroupedDraws {
            inner: clv::bayes::GroupedDraws::from_json(&text).map_err(js)?,
        })
    }

    /// P(alive) with intervals, each customer with its group's draws.
    #[napi(catch_unwind)]
    pub fn prob_alive(
        &self,
        data: DrawsData,
        groups: Vec<String>,
        options: Option<IntervalOptions>,
    ) -> Result<PredictionIntervals> {
        let q = q(options);
        self.per_customer(&data, |c| {
            self.inner.prob_alive(&groups, c[0], c[1], c[2], &q)
        })
    }

    /// Expected purchases in the next `t` units with intervals, each customer
    /// with its group's draws.
    #[napi(catch_unwind)]
    pub fn expected_purchases(
        &self,
        t: f64,
        data: DrawsData,
        groups: Vec<String>,
        options: Option<IntervalOptions>,
    ) -> Result<PredictionIntervals> {
        let q = q(options);
        self.per_customer(&data, |c| {
            self.inner
                .expected_purchases(&groups, &[t], c[0], c[1], c[2], &q)
        })
    }

    /// E[X(t)] of a new customer of each element's group, with intervals.
    #[napi(catch_unwind)]
    pub fn expected_purchases_new(
        &self,
        t: Either<Float64Array, Vec<f64>>,
        groups: Vec<String>,
        options: Option<IntervalOptions>,
    ) -> Result<PredictionIntervals> {
        self.inner
            .expected_purchases_new(&groups, sl(&t), &q(options))
            .map(Into::into)
            .map_err(js)
    }
}

impl GroupedDraws {
    /// `f` of the columns of `data` that this kind's predictions take,
    /// converted.
    fn per_customer(
        &self,
        data: &DrawsData,
        f: impl FnOnce(&[&[f64]]) -> clv::Result<clv::uncertainty::Intervals>,
    ) -> Result<PredictionIntervals> {
        common::columns(self.inner.kind(), |n| data.get(n))
            .and_then(|c| f(&c))
            .map(Into::into)
            .map_err(js)
    }
}
