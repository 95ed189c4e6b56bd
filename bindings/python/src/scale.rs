//! The scale-out pieces of the core (`clv::scale`) for `clv.spark`: partial
//! sums of the log-likelihood per partition, their fit, compression and the
//! observation window's end. Conversion and delegation only.

use std::sync::Mutex;

use clv::fit::LikelihoodTerms;
use clv::scale::PartialSumsSource;
use numpy::PyArray1;
use pyo3::prelude::*;

use crate::conversion::{Floats, array, fit_options};
use crate::error::{PyClvErr, Res, enter, enter_data};
use crate::models::PyModel;

/// `(value, gradient, hessian or None)`: the partial sums as Python values.
type Terms = (f64, Vec<f64>, Option<Vec<f64>>);

/// The log-likelihood of one partition's rows at `params`, with its
/// gradient and (`hessian`, when the model has one in closed form) its
/// row-major Hessian (`clv::scale::partial_sums`).
#[pyfunction]
#[pyo3(signature = (kind, inputs, params, weights=None, hessian=true))]
pub(crate) fn partial_sums(
    py: Python<'_>,
    kind: &str,
    inputs: Vec<Floats<'_>>,
    params: Vec<f64>,
    weights: Option<Floats<'_>>,
    hessian: bool,
) -> Res<Terms> {
    let kind = kind.parse()?;
    let f = |d: clv::uncertainty::Data<'_>| {
        clv::scale::partial_sums(kind, d.inputs, d.weights, &params, hessian)
    };
    let t = enter_data(py, &inputs, weights.as_ref(), f)?;
    Ok((t.value, t.gradient, t.hessian))
}

/// Partial sums from a Python callable `terms(params, hessian)` returning
/// every partition's [`Terms`] in a fixed order, added by the core
/// (`clv::scale::add_partial_sums`); the first Python exception is kept (and
/// raised after the fit) and reported to the core as a failed evaluation.
struct Callback {
    terms: Py<PyAny>,
    weight: f64,
    raised: Mutex<Option<PyErr>>,
}

impl PartialSumsSource for Callback {
    fn total_weight(&self) -> f64 {
        self.weight
    }
    fn terms(&self, params: &[f64], hessian: bool) -> clv::Result<LikelihoodTerms> {
        let got = Python::attach(|py| {
            let out = self.terms.call1(py, (params.to_vec(), hessian))?;
            out.extract::<Vec<Terms>>(py)
        });
        match got {
            Ok(parts) => {
                let parts: Vec<LikelihoodTerms> = parts
                    .into_iter()
                    .map(|(value, gradient, hessian)| LikelihoodTerms {
                        value,
                        gradient,
                        hessian,
                    })
                    .collect();
                clv::scale::add_partial_sums(&parts)
            }
            Err(e) => {
                let message = e.to_string();
                if let Ok(mut slot) = self.raised.lock() {
                    slot.get_or_insert(e);
                }
                Err(clv::Error::invalid(
                    "partial_sums",
                    message,
                    "partial sums of every partition",
                ))
            }
        }
    }
}

/// Fit of model `kind` from partial sums (`clv::scale::fit_from_partial_sums`):
/// `terms(params, hessian)` returns the sums of every partition at
/// `params`, in a fixed order; `sample` (arrays in the spec's input order, with
/// `sample_weights`) starts the fit. Returns the model and the number of
/// evaluations (passes over the data). The GIL is released between
/// evaluations.
#[pyfunction]
#[pyo3(signature = (kind, sample, total_weight, terms, sample_weights=None, penalty=0.0, max_iterations=1000.0, gradient_tolerance=1e-6, unit=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit_from_partial_sums(
    py: Python<'_>,
    kind: &str,
    sample: Vec<Floats<'_>>,
    total_weight: f64,
    terms: Py<PyAny>,
    sample_weights: Option<Floats<'_>>,
    penalty: f64,
    max_iterations: f64,
    gradient_tolerance: f64,
    unit: Option<&str>,
) -> Res<(PyModel, u64)> {
    let kind = kind.parse()?;
    let o = fit_options(penalty, max_iterations, gradient_tolerance, unit)?;
    let source = Callback {
        terms,
        weight: total_weight,
        raised: Mutex::new(None),
    };
    let f = |d: clv::uncertainty::Data<'_>| {
        clv::scale::fit_from_partial_sums(kind, d.inputs, d.weights, &source, &o)
    };
    let fitted = enter_data(py, &sample, sample_weights.as_ref(), f);
    if let Some(e) = source.raised.lock().ok().and_then(|mut e| e.take()) {
        return Err(PyClvErr::Python(e));
    }
    let (model, passes) = fitted?;
    Ok((model.into(), passes))
}

/// Distinct rows of `inputs` with summed weights (`clv::scale::compress`):
/// `(columns, weights)`.
#[pyfunction]
#[pyo3(signature = (inputs, weights=None))]
#[allow(clippy::type_complexity)]
pub(crate) fn compress<'py>(
    py: Python<'py>,
    inputs: Vec<Floats<'py>>,
    weights: Option<Floats<'py>>,
) -> Res<(Vec<Bound<'py, PyArray1<f64>>>, Bound<'py, PyArray1<f64>>)> {
    let f = |d: clv::uncertainty::Data<'_>| clv::scale::compress(d.inputs, d.weights);
    let (rows, w) = enter_data(py, &inputs, weights.as_ref(), f)?;
    let cols = rows.into_iter().map(|c| array(py, c)).collect();
    Ok((cols, array(py, w)))
}

/// The first timestamp (seconds) outside the window of a summary in unit
/// `freq` ending at `observation_end` (`clv::scale::window_end`).
#[pyfunction]
pub(crate) fn window_end(
    py: Python<'_>,
    freq: &str,
    observation_end: i64,
    calibration: bool,
) -> Res<i64> {
    let unit = clv::time::TimeUnit::parse(freq)?;
    enter(py, || {
        Ok(clv::scale::window_end(&unit, observation_end, calibration))
    })
}
