//! Every model of the core's registry behind one class, `clv._clv.Model`,
//! holding a [`clv::AnyModel`]; `registry()` lists the models so that the
//! Python package builds its public classes (`BetaGeo`, ...) from it. A model
//! added to `clv::for_each_model!` appears here without any code.
//!
//! Per-customer arrays come as one list in the order of the spec's inputs
//! (`[frequency, recency, T]`; BG/BB: `T` is `n_periods`); an operation the model's family does not have raises
//! `ClvError` code `NOT_SUPPORTED` with `field` the operation.

use clv::ShiftedBetaGeo;
use clv::models::{
    AnyModel, ModelInfo, ModelKind, SpendModel, TransactionModel, each, whole_count,
};
use clv::uncertainty::Data;
use clv::value;
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::conversion::{Floats, Wrap, fit_options, slice};
use crate::error::{Res, enter_array, enter_data};
use crate::uncertainty::clv_units;

type Out<'py> = Res<Bound<'py, PyArray1<f64>>>;

/// The models of the registry, in order, as dicts: `key`, `name`, `class`,
/// `family` ("transaction", "spend" or "retention"), `params`, `inputs`,
/// `reference`.
#[pyfunction]
pub(crate) fn registry(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    let specs = ModelKind::ALL.iter().map(|k| Wrap(k.spec()));
    specs.map(|s| s.into_pyobject(py)).collect()
}

/// A model of the registry with its parameters (fitted or known).
#[pyclass(module = "clv._clv", name = "Model", frozen)]
pub(crate) struct PyModel {
    pub(crate) inner: AnyModel,
}

impl From<AnyModel> for PyModel {
    fn from(inner: AnyModel) -> Self {
        PyModel { inner }
    }
}

/// The per-customer arrays of a prediction, in the order of the spec's inputs.
type Customers<'py, const N: usize> = [Floats<'py>; N];

/// A per-customer prediction of a model.
type PerCustomer<'a, const N: usize> =
    &'a (dyn Fn(&AnyModel, [&[f64]; N]) -> clv::Result<Vec<f64>> + Sync);

impl PyModel {
    /// Runs `f` on the per-customer arrays with the GIL released.
    fn customers<'py, const N: usize>(
        &self,
        py: Python<'py>,
        customers: Customers<'py, N>,
        f: PerCustomer<'_, N>,
    ) -> Out<'py> {
        let arrays = customers.each_ref().map(slice);
        enter_array(py, || f(&self.inner, arrays.each_ref().map(|a| &a[..])))
    }

    /// Runs `f` of the retention model on each element of `t` with the GIL
    /// released (`what` names the operation for a model without it).
    fn each_t<'py>(
        &self,
        py: Python<'py>,
        what: &str,
        t: Floats<'py>,
        f: fn(&ShiftedBetaGeo, f64) -> clv::Result<f64>,
    ) -> Out<'py> {
        let (m, t) = (self.inner.retention(what)?, slice(&t));
        enter_array(py, || each(t.len(), |i| f(m, t[i])))
    }
}

#[pymethods]
impl PyModel {
    /// Maximum-likelihood fit of model `kind` (registry key or class name)
    /// to `inputs`, one array per name of the spec's `inputs`; the GIL is
    /// released during the fit. `unit` (the inputs' time unit) is stored
    /// with the fitted model.
    #[staticmethod]
    #[pyo3(signature = (kind, inputs, weights=None, penalty=0.0, max_iterations=1000.0, gradient_tolerance=1e-6, unit=None))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        kind: &str,
        inputs: Vec<Floats<'_>>,
        weights: Option<Floats<'_>>,
        penalty: f64,
        max_iterations: f64,
        gradient_tolerance: f64,
        unit: Option<&str>,
    ) -> Res<Self> {
        let kind = kind.parse()?;
        let o = fit_options(penalty, max_iterations, gradient_tolerance, unit)?;
        let fit = |d: Data<'_>| AnyModel::fit(kind, d.inputs, d.weights, &o);
        Ok(enter_data(py, &inputs, weights.as_ref(), fit)?.into())
    }

    /// A model of `kind` with known parameters, in the order of the spec's `params`.
    #[staticmethod]
    fn from_values(kind: &str, values: Vec<f64>) -> Res<Self> {
        Ok(AnyModel::from_values(kind.parse()?, &values)?.into())
    }

    /// Reads a model written by `to_json`; with `kind`, only a model of that kind.
    #[staticmethod]
    #[pyo3(signature = (text, kind=None))]
    fn from_json(text: &str, kind: Option<&str>) -> Res<Self> {
        Ok(match kind {
            Some(k) => AnyModel::from_json_as(k.parse()?, text)?,
            None => AnyModel::from_json(text)?,
        }
        .into())
    }

    /// `{"format_version": 1, "model": KEY, "params": {...}, "fit": {...} | null}`.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The registry key, e.g. "bg_nbd".
    fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }

    /// Display name, e.g. "BG/NBD".
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    /// Parameters in order as (name, value) pairs.
    fn params(&self) -> Vec<(&'static str, f64)> {
        self.inner.params()
    }

    /// The core's one-line `Display`: `BG/NBD(r=0.2426, ...; fitted to ...)`.
    fn __repr__(&self) -> String {
        self.inner.to_string()
    }

    /// Parameter draws: `method` "laplace" (from the fit's covariance) or
    /// "bootstrap" (refits to resamples of `inputs`, with whole-number
    /// `weights`); `n` draws, seeded by `seed` (`clv::uncertainty`).
    #[pyo3(signature = (method, n, seed, inputs=None, weights=None))]
    fn draws(
        &self,
        py: Python<'_>,
        method: &str,
        n: f64,
        seed: u64,
        inputs: Option<Vec<Floats<'_>>>,
        weights: Option<Floats<'_>>,
    ) -> Res<crate::uncertainty::PyDraws> {
        crate::uncertainty::draws(py, &self.inner, method, n, seed, inputs, weights)
    }

    /// Fit diagnostics as a dict, or None for a model built from parameters.
    fn fit_info(&self) -> Option<Wrap<&clv::fit::FitInfo>> {
        self.inner.fit_info().map(Wrap)
    }

    // -- transaction models: `customers` = [frequency, recency, T] -------------

    /// Per-customer log-likelihood.
    fn log_likelihood<'py>(&self, py: Python<'py>, customers: Customers<'py, 3>) -> Out<'py> {
        self.customers(py, customers, &|m, [x, tx, t]| m.log_likelihood(x, tx, t))
    }

    /// P(alive | x, t_x, T) per customer.
    fn prob_alive<'py>(&self, py: Python<'py>, customers: Customers<'py, 3>) -> Out<'py> {
        self.customers(py, customers, &|m, [x, tx, t]| m.prob_alive(x, tx, t))
    }

    /// E[purchases in (T, T + horizon] | x, t_x, T]; `horizon` has one
    /// element (the same for everybody) or one per customer.
    fn expected_purchases<'py>(
        &self,
        py: Python<'py>,
        horizon: Floats<'py>,
        customers: Customers<'py, 3>,
    ) -> Out<'py> {
        let h = slice(&horizon);
        let f = |m: &AnyModel, [x, tx, t]: [&[f64]; 3]| m.expected_purchases_each(&h, x, tx, t);
        self.customers(py, customers, &f)
    }

    /// E[X(t)] of a new customer for each `t`.
    fn expected_purchases_new<'py>(&self, py: Python<'py>, t: Floats<'py>) -> Out<'py> {
        let t = slice(&t);
        enter_array(py, || self.inner.expected_purchases_new_each(&t))
    }

    /// P(X(t) = n) of a new customer, element by element (`n` and `t`
    /// broadcast against each other).
    fn prob_purchases<'py>(&self, py: Python<'py>, n: Floats<'py>, t: Floats<'py>) -> Out<'py> {
        let (n, t) = (slice(&n), slice(&t));
        enter_array(py, || self.inner.prob_purchases_each(&n, &t))
    }

    /// P(n purchases in (T, T + horizon] | x, t_x, T), where the model has it.
    fn prob_purchases_conditional<'py>(
        &self,
        py: Python<'py>,
        n: f64,
        horizon: f64,
        customers: Customers<'py, 3>,
    ) -> Out<'py> {
        let k = whole_count("n", n)?;
        let f = |m: &AnyModel, [x, tx, t]: [&[f64]; 3]| {
            m.prob_purchases_conditional(k, horizon, x, tx, t)
        };
        self.customers(py, customers, &f)
    }

    /// Discounted expected residual transactions where the model has a
    /// closed form (Pareto/NBD: continuous rate per period; BG/BB: rate per period).
    fn dert<'py>(&self, py: Python<'py>, discount: f64, customers: Customers<'py, 3>) -> Out<'py> {
        self.customers(py, customers, &|m, [x, tx, t]| m.dert(discount, x, tx, t))
    }

    /// P(alive at period n + m | x, t_x, n) (BG/BB).
    fn prob_alive_ahead<'py>(
        &self,
        py: Python<'py>,
        m: f64,
        customers: Customers<'py, 3>,
    ) -> Out<'py> {
        self.customers(py, customers, &|model, [x, tx, n]| {
            model.prob_alive_ahead(m, x, tx, n)
        })
    }

    // -- spend models: `customers` = [frequency, monetary_value] -----------------

    /// E[mean spend | x, m̄] per customer.
    fn expected_spend<'py>(&self, py: Python<'py>, customers: Customers<'py, 2>) -> Out<'py> {
        self.customers(py, customers, &|m, [x, mv]| m.expected_spend(x, mv))
    }

    /// Per-customer log-likelihood of the mean spends (customers with x > 0).
    fn spend_log_likelihood<'py>(&self, py: Python<'py>, customers: Customers<'py, 2>) -> Out<'py> {
        let g = self.inner.gamma_gamma("spend_log_likelihood")?;
        self.customers(py, customers, &|_, [x, mv]| g.log_likelihood(x, mv))
    }

    // -- retention models -------------------------------------------------------

    /// Total log-likelihood of a survivor curve (survivors[0] = cohort size).
    fn survivors_log_likelihood(&self, survivors: Floats<'_>) -> Res<f64> {
        Ok(self
            .inner
            .retention("survivors_log_likelihood")?
            .log_likelihood(&slice(&survivors))?)
    }

    /// S(t) for each whole t ≥ 0.
    fn survival<'py>(&self, py: Python<'py>, t: Floats<'py>) -> Out<'py> {
        self.each_t(py, "survival", t, ShiftedBetaGeo::survival)
    }

    /// P(churn in period t) for each whole t ≥ 1.
    fn prob_churn<'py>(&self, py: Python<'py>, t: Floats<'py>) -> Out<'py> {
        self.each_t(py, "prob_churn", t, ShiftedBetaGeo::prob_churn)
    }

    /// Retention rate r(t) = S(t)/S(t−1) for each whole t ≥ 1.
    fn retention<'py>(&self, py: Python<'py>, t: Floats<'py>) -> Out<'py> {
        self.each_t(py, "retention", t, ShiftedBetaGeo::retention)
    }

    /// Discounted expected residual lifetime of a customer with `renewals` renewals.
    fn renewal_dert(&self, discount: f64, renewals: f64) -> Res<f64> {
        Ok(self.inner.retention("dert")?.dert(discount, renewals)?)
    }

    /// Discounted expected lifetime of a new customer.
    fn discounted_expected_lifetime(&self, discount: f64) -> Res<f64> {
        Ok(self
            .inner
            .retention("discounted_expected_lifetime")?
            .discounted_expected_lifetime(discount)?)
    }
}

/// Discounted CLV per customer (lifetimes' definition; see `clv::value`).
/// The unit of the months is `freq`, the model's fitted unit and the data's
/// unit (`data_unit`, e.g. a summary's `attrs["unit"]`), which must agree;
/// none given: days (`clv::value::resolve_unit`).
#[pyfunction]
#[pyo3(signature = (model, spend, frequency, recency, t, time, discount_rate, freq=None, data_unit=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn customer_lifetime_value<'py>(
    py: Python<'py>,
    model: PyRef<'py, PyModel>,
    spend: Floats<'py>,
    frequency: Floats<'py>,
    recency: Floats<'py>,
    t: Floats<'py>,
    time: f64,
    discount_rate: f64,
    freq: Option<&str>,
    data_unit: Option<&str>,
) -> Out<'py> {
    let (time, ppm) = clv_units(time, freq, value::model_unit(&model.inner), data_unit)?;
    let m = model.inner.transaction("customer_lifetime_value")?;
    let (s, x, tx, t) = (slice(&spend), slice(&frequency), slice(&recency), slice(&t));
    let clv = || value::customer_lifetime_value(m, &s, &x, &tx, &t, time, discount_rate, ppm);
    enter_array(py, clv)
}
