//! `clv._clv.GroupedDraws`: the draws of a hierarchical NUTS run
//! ([`clv::bayes::sample_grouped`]). Each method converts, calls the core
//! and converts back; the Python layer (`clv.uncertainty.GroupedPosterior`)
//! builds frames.

use clv::bayes::{GroupSummary, GroupedDraws, Hyperprior, SampleOptions};
use pyo3::prelude::*;

use crate::conversion::{Floats, Wrap, borrow, dict, slice};
use crate::error::{Res, enter};
use crate::uncertainty::{Out, PyDraws, arrays, clv_units, four, three, with_spend};

/// Hierarchical posterior draws (`Model.sample(..., groups=...)`).
#[pyclass(module = "clv._clv", name = "GroupedDraws", frozen)]
pub(crate) struct PyGroupedDraws {
    inner: GroupedDraws,
}

/// `Model.sample(..., groups=...)` (Python layer): converts and calls
/// [`clv::bayes::sample_grouped`]; `hyperpriors` are (parameter,
/// `[mu_mean, mu_sd, tau_sd]`).
#[pyfunction]
#[pyo3(signature = (kind, inputs, weights, groups, hyperpriors, chains, tune, draws, seed))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sample_grouped(
    py: Python<'_>,
    kind: &str,
    inputs: Vec<Floats<'_>>,
    weights: Option<Floats<'_>>,
    groups: Vec<String>,
    hyperpriors: Vec<(String, Vec<f64>)>,
    chains: usize,
    tune: u64,
    draws: u64,
    seed: u64,
) -> Res<PyGroupedDraws> {
    let kind: clv::ModelKind = kind.parse()?;
    let given = hyperpriors
        .iter()
        .map(|(p, args)| Ok((p.clone(), Hyperprior::new(args, p)?)))
        .collect::<clv::Result<Vec<_>>>()?;
    let cols = arrays(&inputs);
    let slices = borrow(&cols);
    let w = weights.as_ref().map(slice);
    let o = SampleOptions {
        chains,
        tune,
        draws,
        seed,
        ..SampleOptions::default()
    };
    let inner = enter(py, || {
        clv::bayes::sample_grouped(kind, &slices, w.as_deref(), &groups, &given, &o)
    })?;
    Ok(PyGroupedDraws { inner })
}

impl<'py> IntoPyObject<'py> for Wrap<GroupSummary> {
    type Target = pyo3::types::PyDict;
    type Output = Bound<'py, pyo3::types::PyDict>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        let g = self.0;
        let r = &g.stats;
        dict!(py, {
            "group" => g.group, "term" => g.term, "param" => r.param, "mean" => r.mean,
            "sd" => r.sd, "q05" => r.q05, "q95" => r.q95, "r_hat" => r.r_hat,
            "ess_bulk" => r.ess_bulk, "ess_tail" => r.ess_tail, "divergences" => r.divergences,
        })
    }
}

#[pymethods]
impl PyGroupedDraws {
    /// The group labels, sorted.
    fn labels(&self) -> Vec<String> {
        self.inner.labels().to_vec()
    }

    /// The draws of one group.
    fn group(&self, label: &str) -> Res<PyDraws> {
        Ok(PyDraws {
            inner: self.inner.group(label)?.clone(),
        })
    }

    /// Per draw: mu_1..mu_k then tau_1..tau_k.
    fn hyper(&self) -> Vec<Vec<f64>> {
        self.inner.hyper().to_vec()
    }

    /// Per parameter: (mu_mean, mu_sd, tau_sd).
    fn hyperpriors(&self) -> Vec<(f64, f64, f64)> {
        self.inner
            .hyperpriors()
            .iter()
            .map(|h| (h.mu_mean, h.mu_sd, h.tau_sd))
            .collect()
    }

    /// (chains, tune, draws per chain, divergent draw indices).
    fn nuts(&self) -> (usize, u64, usize, Vec<usize>) {
        let n = self.inner.nuts();
        (n.chains, n.tune, n.draws, n.divergent.clone())
    }

    /// Rows per (group, parameter), then the mu and tau rows per parameter.
    fn summary(&self) -> Res<Vec<Wrap<GroupSummary>>> {
        Ok(self.inner.summary()?.into_iter().map(Wrap).collect())
    }

    /// The draws as JSON (`GroupedDraws::to_json` of the core).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Reads what `to_json` wrote.
    #[staticmethod]
    fn from_json(text: &str) -> Res<Self> {
        Ok(PyGroupedDraws {
            inner: GroupedDraws::from_json(text)?,
        })
    }

    /// The seed.
    fn seed(&self) -> u64 {
        self.inner.seed()
    }

    /// The registry key of the model.
    fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// P(alive) with intervals, each customer with its group's draws.
    fn prob_alive(
        &self,
        py: Python<'_>,
        groups: Vec<String>,
        customers: Vec<Floats<'_>>,
        quantiles: Vec<f64>,
    ) -> Out {
        let c = arrays(&customers);
        let [x, tx, t] = three(&c)?;
        let f = || self.inner.prob_alive(&groups, x, tx, t, &quantiles);
        Ok(Wrap(enter(py, f)?))
    }

    /// Expected purchases in the next `horizon`, each customer with its group.
    fn expected_purchases(
        &self,
        py: Python<'_>,
        groups: Vec<String>,
        horizon: Floats<'_>,
        customers: Vec<Floats<'_>>,
        quantiles: Vec<f64>,
    ) -> Out {
        let (h, c) = (slice(&horizon), arrays(&customers));
        let [x, tx, t] = three(&c)?;
        let f = || {
            self.inner
                .expected_purchases(&groups, &h, x, tx, t, &quantiles)
        };
        Ok(Wrap(enter(py, f)?))
    }

    /// E[X(t)] of a new customer of each element's group.
    fn expected_purchases_new(
        &self,
        py: Python<'_>,
        groups: Vec<String>,
        t: Floats<'_>,
        quantiles: Vec<f64>,
    ) -> Out {
        let t = slice(&t);
        let f = || self.inner.expected_purchases_new(&groups, &t, &quantiles);
        Ok(Wrap(enter(py, f)?))
    }

    /// P(X(t) = n) of a new customer of each element's group.
    fn prob_purchases(
        &self,
        py: Python<'_>,
        groups: Vec<String>,
        n: Floats<'_>,
        t: Floats<'_>,
        quantiles: Vec<f64>,
    ) -> Out {
        let (n, t) = (slice(&n), slice(&t));
        let f = || self.inner.prob_purchases(&groups, &n, &t, &quantiles);
        Ok(Wrap(enter(py, f)?))
    }

    /// DERT with intervals, where the model has it.
    fn dert(
        &self,
        py: Python<'_>,
        groups: Vec<String>,
        discount: f64,
        customers: Vec<Floats<'_>>,
        quantiles: Vec<f64>,
    ) -> Out {
        let c = arrays(&customers);
        let [x, tx, t] = three(&c)?;
        let f = || self.inner.dert(&groups, discount, x, tx, t, &quantiles);
        Ok(Wrap(enter(py, f)?))
    }

    /// Expected spend with intervals; `customers` = [frequency, monetary_value].
    fn expected_spend(
        &self,
        py: Python<'_>,
        groups: Vec<String>,
        customers: Vec<Floats<'_>>,
        quantiles: Vec<f64>,
    ) -> Out {
        let c = arrays(&customers);
        let (x, m) = (
            c.first().map_or(&[][..], |a| a),
            c.get(1).map_or(&[][..], |a| a),
        );
        let f = || self.inner.expected_spend(&groups, x, m, &quantiles);
        Ok(Wrap(enter(py, f)?))
    }

    /// Discounted CLV with intervals, each customer with its group's draws.
    #[pyo3(signature = (groups, spend, customers, time, discount_rate, quantiles, freq=None, data_unit=None))]
    #[allow(clippy::too_many_arguments)]
    fn customer_lifetime_value(
        &self,
        py: Python<'_>,
        groups: Vec<String>,
        spend: &Bound<'_, PyAny>,
        customers: Vec<Floats<'_>>,
        time: f64,
        discount_rate: f64,
        quantiles: Vec<f64>,
        freq: Option<&str>,
        data_unit: Option<&str>,
    ) -> Out {
        let (time, ppm) = clv_units(time, freq, None, data_unit)?;
        let c = arrays(&customers);
        let [x, tx, t, m] = four(&c)?;
        with_spend(spend, |spend| {
            let f = || {
                self.inner.customer_lifetime_value(
                    &groups,
                    spend,
                    x,
                    tx,
                    t,
                    m,
                    time,
                    discount_rate,
                    ppm,
                    &quantiles,
                )
            };
            Ok(Wrap(enter(py, f)?))
        })
    }
}
