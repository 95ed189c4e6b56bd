//! `clv._clv.GroupedDraws`: the draws of a hierarchical NUTS run
//! ([`clv::bayes::sample_grouped`]). Each method converts, calls the core
//! and converts back; the predictions are those of `Draws`, each customer
//! with its group's draws ([`draws_methods!`]). The Python layer
//! (`clv.uncertainty.GroupedPosterior`) builds frames.

use clv::bayes::{GroupSummary, GroupedDraws, Hyperprior};
use pyo3::prelude::*;

use crate::conversion::{Floats, Wrap, arrays, columns, slice};
use crate::error::{Res, enter_wrap};
use crate::uncertainty::{
    CLV, Out, PyDraws, SPEND, TRANSACTION, clv_units, draws_methods, sampler, with_spend,
};

/// Hierarchical posterior draws (`Model.sample(..., groups=...)`).
#[pyclass(module = "clv._clv", name = "GroupedDraws", frozen)]
pub(crate) struct PyGroupedDraws {
    inner: GroupedDraws,
}

/// The hyperpriors as the core reads them: (parameter, `[mu_mean, mu_sd,
/// tau_sd]`), each checked by [`Hyperprior::new`].
fn hyperpriors(given: &[(String, Vec<f64>)]) -> clv::Result<Vec<(String, Hyperprior)>> {
    let read = |(p, args): &(String, Vec<f64>)| Ok((p.clone(), Hyperprior::new(args, p)?));
    given.iter().map(read).collect()
}

sampler!(
    /// `Model.sample(..., groups=...)` (Python layer): converts and calls
    /// [`clv::bayes::sample_grouped`]; `hyperpriors` are (parameter,
    /// `[mu_mean, mu_sd, tau_sd]`).
    sample_grouped(kind, groups: Vec<String>, hyperpriors: Vec<(String, Vec<f64>)>) -> PyGroupedDraws {
        let (given, kind) = (self::hyperpriors(&hyperpriors)?, kind.parse()?);
    } |d, o| clv::bayes::sample_grouped(kind, d.inputs, d.weights, &groups, &given, &o)
);

draws_methods!(PyGroupedDraws(GroupedDraws, GroupSummary, groups) {
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
        let h = self.inner.hyperpriors();
        h.iter().map(|h| (h.mu_mean, h.mu_sd, h.tau_sd)).collect()
    }

    /// (chains, tune, draws per chain, divergent draw indices).
    fn nuts(&self) -> (usize, u64, usize, Vec<usize>) {
        let n = self.inner.nuts();
        (n.chains, n.tune, n.draws, n.divergent.clone())
    }
});

impl PyGroupedDraws {
    /// The unit of a CLV's transaction model: none stated (the spend, the
    /// `freq` argument and the data state it).
    fn model_unit(&self) -> Option<&str> {
        None
    }
}
