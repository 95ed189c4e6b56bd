//! `clv._clv`: the native half of the Python package `clv`.
//!
//! This crate only converts types and errors and calls the core crate `clv`;
//! it holds no formula (DESIGN.md, "All math lives in the core"). The
//! pure-Python package `clv` (in `python/clv`) wraps these classes with the
//! API of DESIGN.md (pandas/polars frames, Series index, `fit` returning
//! `self`, pickling).
//!
//! Conventions:
//! - numeric arrays come in as contiguous `float64` numpy arrays, borrowed
//!   without a copy (the Python layer calls `np.ascontiguousarray`, a no-op
//!   for such arrays); results go out as new numpy arrays;
//! - the GIL is released (`Python::detach`) while the core fits or scores;
//! - every core [`clv::Error`] becomes `clv.ClvError` (a `ValueError`) with
//!   attributes `code` and `field`; no panic crosses into Python (pyo3 turns a
//!   panic into `PanicException`, and the core does not panic on valid or
//!   invalid input).

use std::borrow::Cow;

use clv::fit::{FitInfo, FitOptions};
use clv::models::TransactionModel;
use clv::{
    BetaGeo, BetaGeoBetaBinom, GammaGamma, ModifiedBetaGeo, ParetoNbd, ShiftedBetaGeo, SpendModel,
};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rust_decimal::Decimal;

mod portfolio;

create_exception!(
    clv,
    ClvError,
    PyValueError,
    "Invalid input or a failed computation in clv. Subclasses ValueError; `code` is the \
     stable error code (e.g. \"INVALID_INPUT\", \"LENGTH_MISMATCH\") and `field` the \
     argument, column or parameter at fault (or None)."
);

/// Converts a core error into `clv.ClvError` with `code` and `field` set.
fn to_py(e: clv::Error) -> PyErr {
    Python::attach(|py| {
        let err = ClvError::new_err(e.to_string());
        let value = err.value(py);
        // Setting attributes on a fresh exception instance cannot fail in
        // practice; if it did, the message alone still says everything.
        let _ = value.setattr("code", e.code());
        let _ = value.setattr("field", e.field());
        err
    })
}

/// Result of the core, mapped to a Python result.
fn map<T>(r: clv::Result<T>) -> PyResult<T> {
    r.map_err(to_py)
}

/// Borrows a 1-d float64 array as a slice (copying only a non-contiguous view).
fn slice<'a>(a: &'a PyReadonlyArray1<'_, f64>) -> Cow<'a, [f64]> {
    match a.as_slice() {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(a.as_array().to_vec()),
    }
}

/// Returns a vector as a new numpy array.
fn out(py: Python<'_>, v: Vec<f64>) -> Bound<'_, PyArray1<f64>> {
    v.into_pyarray(py)
}

/// Converts element `i` of an `n` argument (a count) to `u32`, with a
/// `ClvError` naming `field[i]` for a negative, fractional or huge value.
fn count(field: &str, i: usize, v: f64) -> clv::Result<u32> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) {
        // exact: a whole number in [0, u32::MAX]
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(v as u32)
    } else {
        Err(clv::Error::invalid_at(field, i, v, "a whole number >= 0"))
    }
}

/// Adds the element index to a scalar-argument error raised while mapping a
/// core function over element `i` of a broadcast argument.
fn at_index(e: clv::Error, i: usize, n: usize) -> clv::Error {
    match e {
        clv::Error::InvalidValue {
            field,
            index: None,
            value,
            expected,
        } if n > 1 => clv::Error::InvalidValue {
            field,
            index: Some(i),
            value,
            expected,
        },
        other => other,
    }
}

/// Fit options from the keyword arguments of `fit` (defaults of
/// [`FitOptions::default`]), checked by the core.
fn options(penalty: f64, max_iterations: u64, gradient_tolerance: f64) -> clv::Result<FitOptions> {
    let o = FitOptions {
        max_iterations,
        gradient_tolerance,
        penalty,
    };
    o.validate()?;
    Ok(o)
}

/// Fit diagnostics as a dict (`None` for a model built from parameters).
fn fit_info<'py>(py: Python<'py>, info: Option<&FitInfo>) -> PyResult<Option<Bound<'py, PyDict>>> {
    let Some(info) = info else {
        return Ok(None);
    };
    let d = PyDict::new(py);
    d.set_item("log_likelihood", info.log_likelihood)?;
    d.set_item("std_errors", info.std_errors.clone())?;
    let lower: Vec<f64> = info.ci_95.iter().map(|c| c.0).collect();
    let upper: Vec<f64> = info.ci_95.iter().map(|c| c.1).collect();
    d.set_item("lower_95", lower)?;
    d.set_item("upper_95", upper)?;
    d.set_item("iterations", info.iterations)?;
    d.set_item("converged", info.converged)?;
    d.set_item("gradient_norm", info.gradient_norm)?;
    d.set_item("n_observations", info.n_observations)?;
    Ok(Some(d))
}

/// The four transaction models behind one Python class.
#[derive(Clone)]
enum Tx {
    Bg(BetaGeo),
    Mbg(ModifiedBetaGeo),
    Pnbd(ParetoNbd),
    Bgbb(BetaGeoBetaBinom),
}

impl Tx {
    fn model(&self) -> &dyn TransactionModel {
        match self {
            Tx::Bg(m) => m,
            Tx::Mbg(m) => m,
            Tx::Pnbd(m) => m,
            Tx::Bgbb(m) => m,
        }
    }

    /// The core's customer checks for this model (BG/BB: whole periods).
    fn validate(&self, x: &[f64], tx: &[f64], t: &[f64]) -> clv::Result<()> {
        match self {
            Tx::Bgbb(_) => clv::models::bg_bb::validate_bgbb_customers(x, tx, t),
            _ => clv::models::validate_customers(x, tx, t),
        }
    }
}

fn wrong_kind(kind: &str) -> PyErr {
    to_py(clv::Error::invalid(
        "model",
        format!("{kind:?}"),
        "bg_nbd, mbg_nbd, pareto_nbd or bg_bb",
    ))
}

fn not_for(what: &str, name: &str) -> PyErr {
    pyo3::exceptions::PyAttributeError::new_err(format!("{what} is not defined for {name}"))
}

/// A fitted or parameterised transaction model (BG/NBD, MBG/NBD, Pareto/NBD
/// or BG/BB). Time is in the unit of the summary; for BG/BB, `T` is the
/// number of transaction opportunities `n_periods`.
#[pyclass(module = "clv._clv", frozen)]
struct TransactionModelCore {
    inner: Tx,
}

#[pymethods]
impl TransactionModelCore {
    /// Maximum-likelihood fit of model `kind` ("bg_nbd", "mbg_nbd",
    /// "pareto_nbd", "bg_bb"); the GIL is released during the fit.
    #[staticmethod]
    #[pyo3(signature = (kind, frequency, recency, t, weights=None, penalty=0.0, max_iterations=1000, gradient_tolerance=1e-6))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        kind: &str,
        frequency: PyReadonlyArray1<'_, f64>,
        recency: PyReadonlyArray1<'_, f64>,
        t: PyReadonlyArray1<'_, f64>,
        weights: Option<PyReadonlyArray1<'_, f64>>,
        penalty: f64,
        max_iterations: u64,
        gradient_tolerance: f64,
    ) -> PyResult<Self> {
        let o = map(options(penalty, max_iterations, gradient_tolerance))?;
        let (x, tx, tt) = (slice(&frequency), slice(&recency), slice(&t));
        let w = weights.as_ref().map(slice);
        let w = w.as_deref();
        let inner = match kind {
            "bg_nbd" => Tx::Bg(map(py.detach(|| BetaGeo::fit(&x, &tx, &tt, w, &o)))?),
            "mbg_nbd" => Tx::Mbg(map(py.detach(|| ModifiedBetaGeo::fit(&x, &tx, &tt, w, &o)))?),
            "pareto_nbd" => Tx::Pnbd(map(py.detach(|| ParetoNbd::fit(&x, &tx, &tt, w, &o)))?),
            "bg_bb" => Tx::Bgbb(map(
                py.detach(|| BetaGeoBetaBinom::fit(&x, &tx, &tt, w, &o))
            )?),
            other => return Err(wrong_kind(other)),
        };
        Ok(TransactionModelCore { inner })
    }

    /// A model with known parameters, in the model's order (BG/NBD, MBG/NBD:
    /// r, alpha, a, b; Pareto/NBD: r, alpha, s, beta; BG/BB: alpha, beta,
    /// gamma, delta).
    #[staticmethod]
    fn from_params(kind: &str, p: [f64; 4]) -> PyResult<Self> {
        let inner = match kind {
            "bg_nbd" => Tx::Bg(map(BetaGeo::from_params(p[0], p[1], p[2], p[3]))?),
            "mbg_nbd" => Tx::Mbg(map(ModifiedBetaGeo::from_params(p[0], p[1], p[2], p[3]))?),
            "pareto_nbd" => Tx::Pnbd(map(ParetoNbd::from_params(p[0], p[1], p[2], p[3]))?),
            "bg_bb" => Tx::Bgbb(map(BetaGeoBetaBinom::from_params(p[0], p[1], p[2], p[3]))?),
            other => return Err(wrong_kind(other)),
        };
        Ok(TransactionModelCore { inner })
    }

    /// Reads a model of kind `kind` saved by `to_json`.
    #[staticmethod]
    fn from_json(kind: &str, text: &str) -> PyResult<Self> {
        let inner = match kind {
            "bg_nbd" => Tx::Bg(map(BetaGeo::from_json(text))?),
            "mbg_nbd" => Tx::Mbg(map(ModifiedBetaGeo::from_json(text))?),
            "pareto_nbd" => Tx::Pnbd(map(ParetoNbd::from_json(text))?),
            "bg_bb" => Tx::Bgbb(map(BetaGeoBetaBinom::from_json(text))?),
            other => return Err(wrong_kind(other)),
        };
        Ok(TransactionModelCore { inner })
    }

    /// The model as JSON (`{"format_version": 1, "model": ..., "params": ..., "fit": ...}`).
    fn to_json(&self) -> String {
        match &self.inner {
            Tx::Bg(m) => m.to_json(),
            Tx::Mbg(m) => m.to_json(),
            Tx::Pnbd(m) => m.to_json(),
            Tx::Bgbb(m) => m.to_json(),
        }
    }

    /// Model name, e.g. "BG/NBD".
    fn name(&self) -> &'static str {
        self.inner.model().name()
    }

    /// Parameters in order as (name, value) pairs.
    fn params(&self) -> Vec<(&'static str, f64)> {
        self.inner.model().params()
    }

    /// Fit diagnostics, or None for a model built from parameters.
    fn fit_info<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        fit_info(py, self.inner.model().fit_info())
    }

    /// Per-customer log-likelihood.
    fn log_likelihood<'py>(
        &self,
        py: Python<'py>,
        frequency: PyReadonlyArray1<'py, f64>,
        recency: PyReadonlyArray1<'py, f64>,
        t: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let (x, tx, tt) = (slice(&frequency), slice(&recency), slice(&t));
        let m = self.inner.model();
        let v = map(py.detach(|| m.log_likelihood(&x, &tx, &tt)))?;
        Ok(out(py, v))
    }

    /// P(alive | x, t_x, T) per customer.
    fn prob_alive<'py>(
        &self,
        py: Python<'py>,
        frequency: PyReadonlyArray1<'py, f64>,
        recency: PyReadonlyArray1<'py, f64>,
        t: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let (x, tx, tt) = (slice(&frequency), slice(&recency), slice(&t));
        let m = self.inner.model();
        let v = map(py.detach(|| m.prob_alive(&x, &tx, &tt)))?;
        Ok(out(py, v))
    }

    /// E[purchases in (T, T + horizon] | x, t_x, T]; `horizon` has one
    /// element (same horizon for everybody) or one per customer.
    fn expected_purchases<'py>(
        &self,
        py: Python<'py>,
        horizon: PyReadonlyArray1<'py, f64>,
        frequency: PyReadonlyArray1<'py, f64>,
        recency: PyReadonlyArray1<'py, f64>,
        t: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let (h, x, tx, tt) = (
            slice(&horizon),
            slice(&frequency),
            slice(&recency),
            slice(&t),
        );
        let inner = &self.inner;
        let v = map(py.detach(|| -> clv::Result<Vec<f64>> {
            let m = inner.model();
            if h.len() == 1 {
                return m.expected_purchases(h[0], &x, &tx, &tt);
            }
            clv::error::check::same_len("t", h.len(), "frequency", x.len())?;
            inner.validate(&x, &tx, &tt)?;
            (0..h.len())
                .map(|i| {
                    let r = m.expected_purchases(h[i], &x[i..=i], &tx[i..=i], &tt[i..=i]);
                    r.map(|v| v[0]).map_err(|e| at_index(e, i, h.len()))
                })
                .collect()
        }))?;
        Ok(out(py, v))
    }

    /// E[X(t)] of a new customer for each `t`.
    fn expected_purchases_new<'py>(
        &self,
        py: Python<'py>,
        t: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let t = slice(&t);
        let m = self.inner.model();
        let n = t.len();
        let v = map(py.detach(|| {
            t.iter()
                .enumerate()
                .map(|(i, &ti)| m.expected_purchases_new(ti).map_err(|e| at_index(e, i, n)))
                .collect::<clv::Result<Vec<f64>>>()
        }))?;
        Ok(out(py, v))
    }

    /// P(X(t) = n) of a new customer, element by element (`n` and `t` have
    /// the same length).
    fn prob_purchases<'py>(
        &self,
        py: Python<'py>,
        n: PyReadonlyArray1<'py, f64>,
        t: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let (n, t) = (slice(&n), slice(&t));
        let m = self.inner.model();
        let v = map(py.detach(|| -> clv::Result<Vec<f64>> {
            clv::error::check::same_len("t", t.len(), "n", n.len())?;
            let len = n.len();
            (0..len)
                .map(|i| {
                    let k = count("n", i, n[i])?;
                    m.prob_purchases(k, t[i]).map_err(|e| at_index(e, i, len))
                })
                .collect()
        }))?;
        Ok(out(py, v))
    }

    /// Pareto/NBD only: P(n purchases in (T, T + t] | x, t_x, T).
    fn prob_purchases_conditional<'py>(
        &self,
        py: Python<'py>,
        n: f64,
        horizon: f64,
        frequency: PyReadonlyArray1<'py, f64>,
        recency: PyReadonlyArray1<'py, f64>,
        t: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let Tx::Pnbd(m) = &self.inner else {
            return Err(not_for("prob_purchases_conditional", self.name()));
        };
        let k = map(count("n", 0, n).map_err(|e| match e {
            clv::Error::InvalidValue {
                value, expected, ..
            } => clv::Error::InvalidValue {
                field: "n".into(),
                index: None,
                value,
                expected,
            },
            other => other,
        }))?;
        let (x, tx, tt) = (slice(&frequency), slice(&recency), slice(&t));
        let v = map(py.detach(|| m.prob_purchases_conditional(k, horizon, &x, &tx, &tt)))?;
        Ok(out(py, v))
    }

    /// Discounted expected residual transactions: Pareto/NBD with a
    /// continuous rate `discount` per period (δ), BG/BB with a discount rate
    /// per period (d).
    fn dert<'py>(
        &self,
        py: Python<'py>,
        discount: f64,
        frequency: PyReadonlyArray1<'py, f64>,
        recency: PyReadonlyArray1<'py, f64>,
        t: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let (x, tx, tt) = (slice(&frequency), slice(&recency), slice(&t));
        let v = match &self.inner {
            Tx::Pnbd(m) => map(py.detach(|| m.dert(discount, &x, &tx, &tt)))?,
            Tx::Bgbb(m) => map(py.detach(|| m.dert(discount, &x, &tx, &tt)))?,
            _ => return Err(not_for("dert", self.name())),
        };
        Ok(out(py, v))
    }

    /// BG/BB only: P(alive at period n + m | x, t_x, n).
    fn prob_alive_ahead<'py>(
        &self,
        py: Python<'py>,
        m: f64,
        frequency: PyReadonlyArray1<'py, f64>,
        recency: PyReadonlyArray1<'py, f64>,
        n_periods: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let Tx::Bgbb(model) = &self.inner else {
            return Err(not_for("prob_alive_ahead", self.name()));
        };
        let (x, tx, n) = (slice(&frequency), slice(&recency), slice(&n_periods));
        let v = map(py.detach(|| model.prob_alive_ahead(m, &x, &tx, &n)))?;
        Ok(out(py, v))
    }
}

/// The Gamma-Gamma spend model (Fader & Hardie 2013).
#[pyclass(module = "clv._clv", frozen)]
struct GammaGammaCore {
    inner: GammaGamma,
}

#[pymethods]
impl GammaGammaCore {
    /// Maximum-likelihood fit on the customers with frequency > 0.
    #[staticmethod]
    #[pyo3(signature = (frequency, monetary_value, weights=None, penalty=0.0, max_iterations=1000, gradient_tolerance=1e-6))]
    fn fit(
        py: Python<'_>,
        frequency: PyReadonlyArray1<'_, f64>,
        monetary_value: PyReadonlyArray1<'_, f64>,
        weights: Option<PyReadonlyArray1<'_, f64>>,
        penalty: f64,
        max_iterations: u64,
        gradient_tolerance: f64,
    ) -> PyResult<Self> {
        let o = map(options(penalty, max_iterations, gradient_tolerance))?;
        let (x, m) = (slice(&frequency), slice(&monetary_value));
        let w = weights.as_ref().map(slice);
        let w = w.as_deref();
        let inner = map(py.detach(|| GammaGamma::fit(&x, &m, w, &o)))?;
        Ok(GammaGammaCore { inner })
    }

    /// A model with known parameters p, q, v.
    #[staticmethod]
    fn from_params(p: f64, q: f64, v: f64) -> PyResult<Self> {
        Ok(GammaGammaCore {
            inner: map(GammaGamma::from_params(p, q, v))?,
        })
    }

    /// Reads a model saved by `to_json`.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(GammaGammaCore {
            inner: map(GammaGamma::from_json(text))?,
        })
    }

    /// The model as JSON.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Parameters in order as (name, value) pairs.
    fn params(&self) -> Vec<(&'static str, f64)> {
        self.inner.params()
    }

    /// Fit diagnostics, or None.
    fn fit_info<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        fit_info(py, self.inner.fit_info())
    }

    /// Per-customer log-likelihood (customers with frequency > 0).
    fn log_likelihood<'py>(
        &self,
        py: Python<'py>,
        frequency: PyReadonlyArray1<'py, f64>,
        monetary_value: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let (x, m) = (slice(&frequency), slice(&monetary_value));
        let v = map(py.detach(|| self.inner.log_likelihood(&x, &m)))?;
        Ok(out(py, v))
    }

    /// E[mean spend | x, m̄] per customer.
    fn expected_spend<'py>(
        &self,
        py: Python<'py>,
        frequency: PyReadonlyArray1<'py, f64>,
        monetary_value: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let (x, m) = (slice(&frequency), slice(&monetary_value));
        let v = map(py.detach(|| self.inner.expected_spend(&x, &m)))?;
        Ok(out(py, v))
    }
}

/// The shifted-beta-geometric contractual model (Fader & Hardie 2007).
#[pyclass(module = "clv._clv", frozen)]
struct ShiftedBetaGeoCore {
    inner: ShiftedBetaGeo,
}

impl ShiftedBetaGeoCore {
    fn each<'py>(
        &self,
        py: Python<'py>,
        t: &PyReadonlyArray1<'py, f64>,
        f: impl Fn(&ShiftedBetaGeo, f64) -> clv::Result<f64> + Send + Sync,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let t = slice(t);
        let n = t.len();
        let m = &self.inner;
        let v = map(py.detach(|| {
            t.iter()
                .enumerate()
                .map(|(i, &ti)| f(m, ti).map_err(|e| at_index(e, i, n)))
                .collect::<clv::Result<Vec<f64>>>()
        }))?;
        Ok(out(py, v))
    }
}

#[pymethods]
impl ShiftedBetaGeoCore {
    /// Maximum-likelihood fit to a survivor curve (survivors[0] = cohort size).
    #[staticmethod]
    #[pyo3(signature = (survivors, penalty=0.0, max_iterations=1000, gradient_tolerance=1e-6))]
    fn fit(
        py: Python<'_>,
        survivors: PyReadonlyArray1<'_, f64>,
        penalty: f64,
        max_iterations: u64,
        gradient_tolerance: f64,
    ) -> PyResult<Self> {
        let o = map(options(penalty, max_iterations, gradient_tolerance))?;
        let s = slice(&survivors);
        let inner = map(py.detach(|| ShiftedBetaGeo::fit(&s, &o)))?;
        Ok(ShiftedBetaGeoCore { inner })
    }

    /// A model with known parameters alpha, beta.
    #[staticmethod]
    fn from_params(alpha: f64, beta: f64) -> PyResult<Self> {
        Ok(ShiftedBetaGeoCore {
            inner: map(ShiftedBetaGeo::from_params(alpha, beta))?,
        })
    }

    /// Reads a model saved by `to_json`.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(ShiftedBetaGeoCore {
            inner: map(ShiftedBetaGeo::from_json(text))?,
        })
    }

    /// The model as JSON.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Parameters in order as (name, value) pairs.
    fn params(&self) -> Vec<(&'static str, f64)> {
        self.inner.params()
    }

    /// Fit diagnostics, or None.
    fn fit_info<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        fit_info(py, self.inner.fit_info())
    }

    /// Total log-likelihood of a survivor curve.
    fn log_likelihood(&self, survivors: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
        map(self.inner.log_likelihood(&slice(&survivors)))
    }

    /// S(t) for each whole t ≥ 0.
    fn survival<'py>(
        &self,
        py: Python<'py>,
        t: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        self.each(py, &t, |m, t| m.survival(t))
    }

    /// P(churn at period t) for each whole t ≥ 1.
    fn prob_churn<'py>(
        &self,
        py: Python<'py>,
        t: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        self.each(py, &t, |m, t| m.prob_churn(t))
    }

    /// Retention rate r(t) = S(t)/S(t−1) for each whole t ≥ 1.
    fn retention<'py>(
        &self,
        py: Python<'py>,
        t: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        self.each(py, &t, |m, t| m.retention(t))
    }

    /// Discounted expected residual lifetime of a customer with `renewals` renewals.
    fn dert(&self, discount: f64, renewals: f64) -> PyResult<f64> {
        map(self.inner.dert(discount, renewals))
    }

    /// Discounted expected lifetime of a new customer.
    fn discounted_expected_lifetime(&self, discount: f64) -> PyResult<f64> {
        map(self.inner.discounted_expected_lifetime(discount))
    }
}

/// Transaction log → summary columns (see `clv::summary`). Customers are
/// given as codes `0..n_customers` (the Python layer factorises the id column
/// in sorted order); timestamps as seconds since 1970-01-01 (naive). The
/// result's `customer_code` gives each output row's code.
#[pyfunction]
#[pyo3(signature = (codes, n_customers, timestamps, amounts, freq, observation_end=None, calibration_end=None))]
#[allow(clippy::too_many_arguments)]
fn summarize<'py>(
    py: Python<'py>,
    codes: PyReadonlyArray1<'py, u32>,
    n_customers: usize,
    timestamps: PyReadonlyArray1<'py, i64>,
    amounts: Option<PyReadonlyArray1<'py, f64>>,
    freq: &str,
    observation_end: Option<i64>,
    calibration_end: Option<i64>,
) -> PyResult<Bound<'py, PyDict>> {
    let unit = map(clv::time::TimeUnit::parse(freq))?;
    // Zero-padded code names: the core's byte order of names is then the code order.
    let width = n_customers.to_string().len();
    let names: Vec<String> = (0..n_customers).map(|i| format!("{i:0width$}")).collect();
    let ids = clv::summary::CustomerIds::from_parts(codes.as_array().to_vec(), names);
    let ts: Cow<[i64]> = match timestamps.as_slice() {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(timestamps.as_array().to_vec()),
    };
    let a = amounts.as_ref().map(slice);
    let opts = clv::summary::SummaryOptions {
        unit,
        observation_end,
        calibration_end,
        skip_invalid: false,
    };
    let s = map(py.detach(|| clv::summary::summarize_coded(&ids, &ts, a.as_deref(), &opts)))?;
    let customer_code = s
        .customer_id
        .iter()
        .map(|name| {
            name.parse::<u32>().map_err(|_| {
                to_py(clv::Error::invalid(
                    "customer_id",
                    format!("{name:?}"),
                    "a customer code",
                ))
            })
        })
        .collect::<PyResult<Vec<u32>>>()?;
    let d = PyDict::new(py);
    d.set_item("customer_code", customer_code.into_pyarray(py))?;
    d.set_item("frequency", out(py, s.frequency))?;
    d.set_item("recency", out(py, s.recency))?;
    d.set_item("T", out(py, s.t))?;
    d.set_item("monetary_value", s.monetary_value.map(|v| out(py, v)))?;
    if let Some(h) = s.holdout {
        d.set_item("frequency_holdout", out(py, h.frequency))?;
        d.set_item(
            "monetary_value_holdout",
            h.monetary_value.map(|v| out(py, v)),
        )?;
        d.set_item("duration_holdout", h.duration)?;
    }
    d.set_item("observation_end", s.observation_end)?;
    d.set_item("n_transactions", s.n_transactions)?;
    d.set_item("holdout_only_customers", s.holdout_only_customers)?;
    Ok(d)
}

/// Quantile RFM scores: (r_score, f_score, m_score) as uint8 arrays.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn rfm_scores<'py>(
    py: Python<'py>,
    frequency: PyReadonlyArray1<'py, f64>,
    recency: PyReadonlyArray1<'py, f64>,
    t: PyReadonlyArray1<'py, f64>,
    monetary_value: PyReadonlyArray1<'py, f64>,
    bins: u8,
) -> PyResult<(
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray1<u8>>,
)> {
    let (x, tx, tt, m) = (
        slice(&frequency),
        slice(&recency),
        slice(&t),
        slice(&monetary_value),
    );
    let s = map(py.detach(|| clv::rfm::rfm_scores(&x, &tx, &tt, &m, bins)))?;
    Ok((
        s.r_score.into_pyarray(py),
        s.f_score.into_pyarray(py),
        s.m_score.into_pyarray(py),
    ))
}

/// Segment names for RFM scores under a segment map (JSON; None = default map).
#[pyfunction]
#[pyo3(signature = (r_score, f_score, m_score, bins, segment_map=None))]
fn rfm_segments(
    r_score: Vec<u8>,
    f_score: Vec<u8>,
    m_score: Vec<u8>,
    bins: u8,
    segment_map: Option<&str>,
) -> PyResult<Vec<String>> {
    let map_ = match segment_map {
        Some(text) => map(clv::rfm::SegmentMap::from_json(text))?,
        None => clv::rfm::SegmentMap::default(),
    };
    let scores = clv::rfm::RfmScores {
        r_score,
        f_score,
        m_score,
        bins,
    };
    map(clv::rfm::rfm_segments(&scores, &map_))
}

/// The default RFM segment map as JSON.
#[pyfunction]
fn default_segment_map() -> String {
    clv::rfm::SegmentMap::default().to_json()
}

/// Discounted CLV per customer (lifetimes' definition; see `clv::value`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn customer_lifetime_value<'py>(
    py: Python<'py>,
    model: PyRef<'py, TransactionModelCore>,
    spend: PyReadonlyArray1<'py, f64>,
    frequency: PyReadonlyArray1<'py, f64>,
    recency: PyReadonlyArray1<'py, f64>,
    t: PyReadonlyArray1<'py, f64>,
    time: u32,
    discount_rate: f64,
    freq: &str,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let ppm = map(clv::value::periods_per_month(freq))?;
    let (s, x, tx, tt) = (slice(&spend), slice(&frequency), slice(&recency), slice(&t));
    let m = model.inner.model();
    let v = map(py.detach(|| {
        clv::value::customer_lifetime_value(m, &s, &x, &tx, &tt, time, discount_rate, ppm)
    }))?;
    Ok(out(py, v))
}

/// Parses a decimal string for argument `field`.
fn dec(field: &str, text: &str) -> clv::Result<Decimal> {
    text.trim()
        .parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(text.trim()))
        .map_err(|_| clv::Error::invalid(field, format!("{text:?}"), "a decimal number"))
}

fn decs(field: &str, texts: &[String]) -> clv::Result<Vec<Decimal>> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            t.trim()
                .parse::<Decimal>()
                .or_else(|_| Decimal::from_scientific(t.trim()))
                .map_err(|_| clv::Error::invalid_at(field, i, format!("{t:?}"), "a decimal number"))
        })
        .collect()
}

/// Waland & Cole client value with per-period series (decimal strings).
#[pyfunction]
fn waland_cole(
    volume: Vec<String>,
    margin: Vec<String>,
    direct_costs: Vec<String>,
    retention_costs: Vec<String>,
    acquisition_cost: &str,
    cost_of_capital: &str,
) -> PyResult<String> {
    let input = clv::formulas::WalandColeInput {
        volume: map(decs("volume", &volume))?,
        margin: map(decs("margin", &margin))?,
        direct_costs: map(decs("direct_costs", &direct_costs))?,
        retention_costs: map(decs("retention_costs", &retention_costs))?,
        acquisition_cost: map(dec("acquisition_cost", acquisition_cost))?,
        cost_of_capital: map(dec("cost_of_capital", cost_of_capital))?,
    };
    map(clv::formulas::waland_cole(&input)).map(|d| d.to_string())
}

/// Waland & Cole client value with constant per-period values.
#[pyfunction]
fn waland_cole_constant(
    volume: &str,
    margin: &str,
    direct_costs: &str,
    retention_costs: &str,
    periods: u32,
    acquisition_cost: &str,
    cost_of_capital: &str,
) -> PyResult<String> {
    map(clv::formulas::waland_cole_constant(
        map(dec("volume", volume))?,
        map(dec("margin", margin))?,
        map(dec("direct_costs", direct_costs))?,
        map(dec("retention_costs", retention_costs))?,
        periods,
        map(dec("acquisition_cost", acquisition_cost))?,
        map(dec("cost_of_capital", cost_of_capital))?,
    ))
    .map(|d| d.to_string())
}

/// Simple CLV: APV × frequency × lifespan × margin rate − acquisition − retention.
#[pyfunction]
fn simple_clv(
    average_purchase_value: &str,
    purchase_frequency: &str,
    lifespan: &str,
    margin_rate: &str,
    acquisition_cost: &str,
    retention_cost: &str,
) -> PyResult<String> {
    map(clv::formulas::simple_clv(
        map(dec("average_purchase_value", average_purchase_value))?,
        map(dec("purchase_frequency", purchase_frequency))?,
        map(dec("lifespan", lifespan))?,
        map(dec("margin_rate", margin_rate))?,
        map(dec("acquisition_cost", acquisition_cost))?,
        map(dec("retention_cost", retention_cost))?,
    ))
    .map(|d| d.to_string())
}

/// Retention CLV m·r/(1+i−r), or the finite-horizon sum over `periods`.
#[pyfunction]
#[pyo3(signature = (margin, retention, discount_rate, periods=None))]
fn retention_clv(
    margin: &str,
    retention: &str,
    discount_rate: &str,
    periods: Option<u32>,
) -> PyResult<String> {
    let (m, r, i) = (
        map(dec("margin", margin))?,
        map(dec("retention", retention))?,
        map(dec("discount_rate", discount_rate))?,
    );
    let v = match periods {
        None => clv::formulas::retention_clv(m, r, i),
        Some(n) => clv::formulas::retention_clv_finite(m, r, i, n),
    };
    map(v).map(|d| d.to_string())
}

/// Contribution margin: revenue − variable costs − cost to serve.
#[pyfunction]
fn contribution_margin(
    revenue: &str,
    variable_costs: &str,
    cost_to_serve: &str,
) -> PyResult<String> {
    map(clv::formulas::contribution_margin(
        map(dec("revenue", revenue))?,
        map(dec("variable_costs", variable_costs))?,
        map(dec("cost_to_serve", cost_to_serve))?,
    ))
    .map(|d| d.to_string())
}

/// Contribution margins of many customers.
#[pyfunction]
fn contribution_margins(
    revenue: Vec<String>,
    variable_costs: Vec<String>,
    cost_to_serve: Vec<String>,
) -> PyResult<Vec<String>> {
    let v = map(clv::formulas::contribution_margins(
        &map(decs("revenue", &revenue))?,
        &map(decs("variable_costs", &variable_costs))?,
        &map(decs("cost_to_serve", &cost_to_serve))?,
    ))?;
    Ok(v.iter().map(Decimal::to_string).collect())
}

/// The native module `clv._clv`.
#[pymodule]
fn _clv(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ClvError", m.py().get_type::<ClvError>())?;
    m.add_class::<TransactionModelCore>()?;
    m.add_class::<GammaGammaCore>()?;
    m.add_class::<ShiftedBetaGeoCore>()?;
    m.add_function(wrap_pyfunction!(summarize, m)?)?;
    m.add_function(wrap_pyfunction!(rfm_scores, m)?)?;
    m.add_function(wrap_pyfunction!(rfm_segments, m)?)?;
    m.add_function(wrap_pyfunction!(default_segment_map, m)?)?;
    m.add_function(wrap_pyfunction!(customer_lifetime_value, m)?)?;
    m.add_function(wrap_pyfunction!(waland_cole, m)?)?;
    m.add_function(wrap_pyfunction!(waland_cole_constant, m)?)?;
    m.add_function(wrap_pyfunction!(simple_clv, m)?)?;
    m.add_function(wrap_pyfunction!(retention_clv, m)?)?;
    m.add_function(wrap_pyfunction!(contribution_margin, m)?)?;
    m.add_function(wrap_pyfunction!(contribution_margins, m)?)?;
    portfolio::register(m)?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_whole_and_non_negative() {
        assert_eq!(count("n", 0, 3.0).unwrap(), 3);
        for bad in [-1.0, 1.5, f64::NAN, 5e9] {
            let e = count("n", 2, bad).unwrap_err();
            assert_eq!(e.field(), Some("n"));
            assert!(e.to_string().starts_with("invalid n[2]: "), "{e}");
        }
    }

    #[test]
    fn broadcast_errors_get_the_element_index() {
        let e = clv::Error::invalid("t", -1.0, "a finite number >= 0");
        assert_eq!(
            at_index(e.clone(), 3, 5).to_string(),
            "invalid t[3]: -1 (expected a finite number >= 0)"
        );
        // one element: the scalar message is kept
        assert_eq!(at_index(e.clone(), 0, 1), e);
    }

    #[test]
    fn decimals_parse_or_name_the_field() {
        assert_eq!(dec("margin", " 0.25 ").unwrap(), Decimal::new(25, 2));
        assert_eq!(dec("margin", "1e-2").unwrap(), Decimal::new(1, 2));
        let e = dec("margin", "abc").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid margin: \"abc\" (expected a decimal number)"
        );
        let e = decs("volume", &["1".into(), "x".into()]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid volume[1]: \"x\" (expected a decimal number)"
        );
    }
}
