//! `clv._clv.Draws`: parameter draws of a model with every prediction as
//! intervals ([`clv::uncertainty`]). Each method converts, calls the core
//! and converts back; results are dicts ([`Wrap`] of
//! [`clv::uncertainty::Intervals`]) that the Python layer turns into frames.

use std::borrow::Cow;

use clv::bayes::{ParamSummary, Prior, PriorItem, SampleOptions};
use clv::models::whole_count;
use clv::uncertainty::{Data, Draws, Intervals, Spend};
use clv::value;
use pyo3::prelude::*;

use crate::conversion::{Floats, Wrap, borrow, dict, fit_options, slice};
use crate::error::{Res, enter};
use crate::models::PyModel;

/// Parameter draws of one model (`Model.draws`).
#[pyclass(module = "clv._clv", name = "Draws", frozen)]
pub(crate) struct PyDraws {
    pub(crate) inner: Draws,
}

impl<'py> IntoPyObject<'py> for Wrap<Intervals> {
    type Target = pyo3::types::PyDict;
    type Output = Bound<'py, pyo3::types::PyDict>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        let v = self.0;
        let total = dict!(py, { "mean" => v.total.mean, "values" => v.total.values })?;
        dict!(py, { "quantiles" => v.quantiles, "mean" => v.mean, "values" => v.values, "total" => total })
    }
}

pub(crate) type Out = Res<Wrap<Intervals>>;

/// Slices of the per-customer arrays.
pub(crate) fn arrays<'a>(a: &'a [Floats<'_>]) -> Vec<Cow<'a, [f64]>> {
    a.iter().map(slice).collect()
}

/// `Model.draws` (in `models.rs`): converts and calls [`Draws::new`].
pub(crate) fn draws(
    py: Python<'_>,
    model: &clv::AnyModel,
    method: &str,
    n: f64,
    seed: u64,
    inputs: Option<Vec<Floats<'_>>>,
    weights: Option<Floats<'_>>,
) -> Res<PyDraws> {
    let (method, n) = (method.parse()?, whole_count("n", n)? as usize);
    let cols = inputs.as_deref().map(arrays);
    let slices = cols.as_deref().map(borrow);
    let w = weights.as_ref().map(slice);
    let data = slices.as_deref().map(|inputs| Data {
        inputs,
        weights: w.as_deref(),
    });
    let o = fit_options(0.0, 1000.0, 1e-6, None)?;
    let inner = enter(py, || Draws::new(model, method, n, seed, data, &o))?;
    Ok(PyDraws { inner })
}

/// One element of a prior as Python gives it: a string, a number (what
/// `float()` of it gives) or another object (its type name).
enum ReadItem {
    Text(String),
    Number(f64),
    Other(String),
}

impl ReadItem {
    fn item(&self) -> PriorItem<'_> {
        match self {
            ReadItem::Text(s) => PriorItem::Text(s),
            ReadItem::Number(v) => PriorItem::Number(*v),
            ReadItem::Other(t) => PriorItem::Other(t),
        }
    }
}

/// A prior `("gamma", 1, 1)` (a tuple or list, or the bare family name) as
/// items for the core, which parses and checks them
/// ([`Prior::from_items`]): every runtime gives the same errors.
fn prior_items(spec: &Bound<'_, PyAny>) -> Vec<ReadItem> {
    let read = |v: &Bound<'_, PyAny>| {
        if let Ok(s) = v.extract::<String>() {
            ReadItem::Text(s)
        } else if let Ok(x) = v.extract::<f64>() {
            ReadItem::Number(x)
        } else {
            let name = v
                .get_type()
                .name()
                .map_or_else(|_| "object".to_string(), |n| n.to_string());
            ReadItem::Other(name)
        }
    };
    let seq = spec
        .cast::<pyo3::types::PyTuple>()
        .map(|t| t.iter().collect::<Vec<_>>())
        .or_else(|_| {
            spec.cast::<pyo3::types::PyList>()
                .map(|l| l.iter().collect::<Vec<_>>())
        });
    match seq {
        Ok(items) => items.iter().map(read).collect(),
        Err(_) => vec![read(spec)],
    }
}

/// `Model.sample` (Python layer): converts and calls [`clv::bayes::sample`];
/// `priors` are (parameter, `(family, *args)` as the user wrote it).
#[pyfunction]
#[pyo3(signature = (kind, inputs, weights, priors, chains, tune, draws, seed))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sample(
    py: Python<'_>,
    kind: &str,
    inputs: Vec<Floats<'_>>,
    weights: Option<Floats<'_>>,
    priors: Vec<(String, Bound<'_, PyAny>)>,
    chains: usize,
    tune: u64,
    draws: u64,
    seed: u64,
) -> Res<PyDraws> {
    let kind: clv::ModelKind = kind.parse()?;
    let read: Vec<(String, Vec<ReadItem>)> = priors
        .iter()
        .map(|(p, spec)| (p.clone(), prior_items(spec)))
        .collect();
    let given = read
        .iter()
        .map(|(p, items)| {
            let items: Vec<PriorItem<'_>> = items.iter().map(ReadItem::item).collect();
            Ok((p.clone(), Prior::from_items(&items, p)?))
        })
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
        clv::bayes::sample(kind, &slices, w.as_deref(), &given, &o)
    })?;
    Ok(PyDraws { inner })
}

impl<'py> IntoPyObject<'py> for Wrap<ParamSummary> {
    type Target = pyo3::types::PyDict;
    type Output = Bound<'py, pyo3::types::PyDict>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        let r = self.0;
        dict!(py, {
            "param" => r.param, "mean" => r.mean, "sd" => r.sd, "q05" => r.q05, "q95" => r.q95,
            "r_hat" => r.r_hat, "ess_bulk" => r.ess_bulk, "ess_tail" => r.ess_tail,
            "divergences" => r.divergences,
        })
    }
}

#[pymethods]
impl PyDraws {
    /// "laplace", "bootstrap" or "nuts".
    fn method(&self) -> &'static str {
        self.inner.method().as_str()
    }

    /// Per parameter: mean, sd, q05, q95, r_hat, ess_bulk, ess_tail,
    /// divergences (`clv::bayes`).
    fn summary(&self) -> Res<Vec<Wrap<ParamSummary>>> {
        Ok(self.inner.summary()?.into_iter().map(Wrap).collect())
    }

    /// The draws as JSON (`Draws::to_json` of the core).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Reads what `to_json` wrote.
    #[staticmethod]
    fn from_json(text: &str) -> Res<Self> {
        Ok(PyDraws {
            inner: Draws::from_json(text)?,
        })
    }

    /// NUTS draws: (chains, tune, draws per chain, divergent draw indices,
    /// priors as (family, arguments)); None for other methods.
    #[allow(clippy::type_complexity)]
    fn nuts(&self) -> Option<(usize, u64, usize, Vec<usize>, Vec<(&'static str, Vec<f64>)>)> {
        self.inner.nuts().map(|n| {
            let priors = n.priors.iter().map(|p| (p.family(), p.args())).collect();
            (n.chains, n.tune, n.draws, n.divergent.clone(), priors)
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

    /// The fitted model's time unit.
    fn unit(&self) -> Option<&str> {
        self.inner.unit()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// The drawn parameter vectors (one list per draw, in the model's order).
    fn values(&self) -> Vec<Vec<f64>> {
        self.inner.values()
    }

    /// P(alive) with intervals; `customers` = [frequency, recency, T].
    fn prob_alive(&self, py: Python<'_>, customers: Vec<Floats<'_>>, quantiles: Vec<f64>) -> Out {
        let c = arrays(&customers);
        let [x, tx, t] = three(&c)?;
        Ok(Wrap(enter(py, || {
            self.inner.prob_alive(x, tx, t, &quantiles)
        })?))
    }

    /// Expected purchases in the next `horizon` (one value or one per customer).
    fn expected_purchases(
        &self,
        py: Python<'_>,
        horizon: Floats<'_>,
        customers: Vec<Floats<'_>>,
        quantiles: Vec<f64>,
    ) -> Out {
        let (h, c) = (slice(&horizon), arrays(&customers));
        let [x, tx, t] = three(&c)?;
        let f = || self.inner.expected_purchases(&h, x, tx, t, &quantiles);
        Ok(Wrap(enter(py, f)?))
    }

    /// E[X(t)] of a new customer for each `t`.
    fn expected_purchases_new(&self, py: Python<'_>, t: Floats<'_>, quantiles: Vec<f64>) -> Out {
        let t = slice(&t);
        Ok(Wrap(enter(py, || {
            self.inner.expected_purchases_new(&t, &quantiles)
        })?))
    }

    /// P(X(t) = n) of a new customer (`n` and `t` broadcast).
    fn prob_purchases(
        &self,
        py: Python<'_>,
        n: Floats<'_>,
        t: Floats<'_>,
        quantiles: Vec<f64>,
    ) -> Out {
        let (n, t) = (slice(&n), slice(&t));
        Ok(Wrap(enter(py, || {
            self.inner.prob_purchases(&n, &t, &quantiles)
        })?))
    }

    /// DERT with intervals, where the model has it.
    fn dert(
        &self,
        py: Python<'_>,
        discount: f64,
        customers: Vec<Floats<'_>>,
        quantiles: Vec<f64>,
    ) -> Out {
        let c = arrays(&customers);
        let [x, tx, t] = three(&c)?;
        Ok(Wrap(enter(py, || {
            self.inner.dert(discount, x, tx, t, &quantiles)
        })?))
    }

    /// Expected spend with intervals; `customers` = [frequency, monetary_value].
    fn expected_spend(
        &self,
        py: Python<'_>,
        customers: Vec<Floats<'_>>,
        quantiles: Vec<f64>,
    ) -> Out {
        let c = arrays(&customers);
        let (x, m) = (
            c.first().map_or(&[][..], |a| a),
            c.get(1).map_or(&[][..], |a| a),
        );
        Ok(Wrap(enter(py, || {
            self.inner.expected_spend(x, m, &quantiles)
        })?))
    }

    /// sBG survival S(t) with intervals.
    fn survival(&self, py: Python<'_>, t: Floats<'_>, quantiles: Vec<f64>) -> Out {
        let t = slice(&t);
        Ok(Wrap(enter(py, || self.inner.survival(&t, &quantiles))?))
    }

    /// sBG retention r(t) with intervals.
    fn retention(&self, py: Python<'_>, t: Floats<'_>, quantiles: Vec<f64>) -> Out {
        let t = slice(&t);
        Ok(Wrap(enter(py, || self.inner.retention(&t, &quantiles))?))
    }

    /// Discounted CLV with intervals; the spend from a spend `Model` or
    /// spend `Draws` (paired by index). Units as `customer_lifetime_value`.
    #[pyo3(signature = (spend, customers, time, discount_rate, quantiles, freq=None, data_unit=None))]
    #[allow(clippy::too_many_arguments)]
    fn customer_lifetime_value(
        &self,
        py: Python<'_>,
        spend: &Bound<'_, PyAny>,
        customers: Vec<Floats<'_>>,
        time: f64,
        discount_rate: f64,
        quantiles: Vec<f64>,
        freq: Option<&str>,
        data_unit: Option<&str>,
    ) -> Out {
        let (time, ppm) = clv_units(time, freq, self.inner.unit(), data_unit)?;
        let c = arrays(&customers);
        let [x, tx, t, m] = four(&c)?;
        with_spend(spend, |spend| {
            let f = || {
                self.inner.customer_lifetime_value(
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

/// The months and the periods per month of a CLV (`customer_lifetime_value`).
pub(crate) fn clv_units(
    time: f64,
    freq: Option<&str>,
    model_unit: Option<&str>,
    data_unit: Option<&str>,
) -> Res<(u32, f64)> {
    let time = whole_count("time", time)?;
    let unit = value::resolve_unit(&[
        ("freq", freq),
        ("the transaction model", model_unit),
        ("the data", data_unit),
    ])?;
    Ok((time, value::periods_per_month(&unit)?))
}

/// `f` with the spend of a CLV: a spend `Model` or spend `Draws`.
pub(crate) fn with_spend<R>(
    spend: &Bound<'_, PyAny>,
    f: impl FnOnce(Spend<'_>) -> Res<R>,
) -> Res<R> {
    let (model, draws) = (spend.cast::<PyModel>().ok(), spend.cast::<PyDraws>().ok());
    match (model.map(|m| m.get()), draws.map(|d| d.get())) {
        (Some(m), _) => f(Spend::Model(&m.inner)),
        (_, Some(d)) => f(Spend::Draws(&d.inner)),
        _ => Err(
            clv::Error::invalid("spend", "another object", "a spend model or spend draws").into(),
        ),
    }
}

/// Three per-customer arrays (the Python layer always passes them).
pub(crate) fn three<'a>(c: &'a [Cow<'_, [f64]>]) -> clv::Result<[&'a [f64]; 3]> {
    match c {
        [a, b, d] => Ok([a, b, d]),
        _ => Err(clv::Error::invalid(
            "customers",
            c.len(),
            "frequency, recency and T",
        )),
    }
}

/// Four per-customer arrays.
pub(crate) fn four<'a>(c: &'a [Cow<'_, [f64]>]) -> clv::Result<[&'a [f64]; 4]> {
    match c {
        [a, b, d, e] => Ok([a, b, d, e]),
        _ => Err(clv::Error::invalid(
            "customers",
            c.len(),
            "frequency, recency, T and monetary_value",
        )),
    }
}
