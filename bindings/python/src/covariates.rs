//! Static covariates of Pareto/NBD, BG/NBD, MBG/NBD and GGom/NBD (`clv::covariates`, issue 15)
//! behind one class, `clv._clv.CovariateModel`, holding a
//! [`clv::covariates::CovariateModel`]; the Gamma-Gamma's spend covariates
//! (`SpendCovariateModel`) and the sBG's retention covariates
//! (`RetentionCovariateModel`) each behind their own class. The Python layer (`clv.covariates`)
//! turns frames, dicts and 2-D arrays into named columns; everything else
//! (the checks, the fit, the predictions) is the core's.
//!
//! A covariate set comes as `(names, columns, ids)`: one float64 array per
//! name, and optionally the customer id of each row (the labels of a pandas
//! frame), in which case the rows are joined on the customers' ids
//! ([`Covariates::by_id_columns`]); without ids the rows are the customers',
//! in order ([`Covariates::from_named_columns`]).

use clv::covariates::dynamic::{self as core_dyn, CovariateTable, DynamicData};
use clv::covariates::retention::{
    self as core_ret, RetentionCovariateModel, RetentionCovariateOptions,
};
use clv::covariates::spend::{self as core_spend, SpendCovariateModel, SpendCovariateOptions};
use clv::covariates::{
    self as core_cov, CovariateModel, CovariateModelKind, CovariateOptions, Covariates,
};
use clv::models::ModelKind;
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::conversion::{Floats, Wrap, arrays, borrow, columns, fit_options, slice};
use crate::error::{Res, enter, enter_array};

type Out<'py> = Res<Bound<'py, PyArray1<f64>>>;

/// One covariate set: names, one column per name, and optionally each
/// row's customer id.
type CovSet<'py> = (Vec<String>, Vec<Floats<'py>>, Option<Vec<String>>);

/// The `process` covariate set for `n` customers (with ids: joined on
/// `customers`).
fn covariates(
    process: &str,
    set: &CovSet<'_>,
    n: usize,
    customers: Option<&[String]>,
) -> clv::Result<Covariates> {
    let cols = arrays(&set.1);
    let cols = borrow(&cols);
    match (&set.2, customers) {
        (Some(ids), Some(c)) => Covariates::by_id_columns(process, &set.0, ids, &cols, c),
        _ => Covariates::from_named_columns(process, &set.0, &cols, n),
    }
}

/// The purchase and dropout sets of `n` customers.
fn both(
    purchase: &CovSet<'_>,
    dropout: &CovSet<'_>,
    n: usize,
    customers: Option<&[String]>,
) -> clv::Result<(Covariates, Covariates)> {
    Ok((
        covariates("purchase", purchase, n, customers)?,
        covariates("dropout", dropout, n, customers)?,
    ))
}

/// A per-customer prediction of a covariate model.
type PerCustomer<'a> = &'a (
        dyn Fn(&CovariateModel, [&[f64]; 3], &Covariates, &Covariates) -> clv::Result<Vec<f64>>
            + Sync
    );

/// Effects by covariate name, in the covariates' order.
type Effects = clv::covariates::NamedEffects;

/// The fit report of a covariate model as Python's `fit_info` dict: the
/// keys of `Model.fit_info`, plus `param_names` and
/// `penalized_log_likelihood`; None for a model built from parameters.
fn fit_info_dict<'py>(
    py: Python<'py>,
    f: Option<&clv::covariates::CovariateFitInfo>,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    let Some(f) = f else {
        return Ok(None);
    };
    let d = Wrap(&f.info).into_pyobject(py)?;
    d.set_item("param_names", f.param_names.clone())?;
    d.set_item("penalized_log_likelihood", f.penalized_log_likelihood)?;
    Ok(Some(d))
}

/// A Pareto/NBD, BG/NBD, MBG/NBD or GGom/NBD model with static covariates (fitted or given).
#[pyclass(module = "clv._clv", name = "CovariateModel", frozen)]
pub(crate) struct PyCovariateModel {
    inner: CovariateModel,
}

impl PyCovariateModel {
    /// `f` on the customers' arrays and covariate sets, GIL released.
    fn customers<'py>(
        &self,
        py: Python<'py>,
        customers: [Floats<'py>; 3],
        purchase: &CovSet<'py>,
        dropout: &CovSet<'py>,
        customer_ids: Option<Vec<String>>,
        f: PerCustomer<'_>,
    ) -> Out<'py> {
        let a = customers.each_ref().map(slice);
        let n = a[0].len();
        let (p, d) = both(purchase, dropout, n, customer_ids.as_deref())?;
        enter_array(py, || f(&self.inner, a.each_ref().map(|c| &c[..]), &p, &d))
    }
}

/// Customers of a transaction log with their time-varying covariates
/// ([`clv::covariates::dynamic::DynamicData`]): built once, then fitted and
/// scored by `CovariateModel.fit_dynamic` and the `*_dynamic` predictions.
#[pyclass(module = "clv._clv", name = "DynamicData", frozen)]
pub(crate) struct PyDynamicData {
    inner: DynamicData,
}

#[pymethods]
impl PyDynamicData {
    /// Transactions (`ids`, `timestamps` in seconds, naive) summarised in
    /// `freq` with the given ends, and the long covariate table (`names`,
    /// one column each, `cov_ids`, `cov_starts` in seconds); the purchase and
    /// dropout covariates by name. Every check is the core's.
    #[new]
    #[pyo3(signature = (ids, timestamps, names, cov_ids, cov_starts, cov_columns, purchase,
        dropout, freq, observation_end=None, calibration_end=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        ids: Vec<String>,
        timestamps: Floats<'_, i64>,
        names: Vec<String>,
        cov_ids: Vec<String>,
        cov_starts: Floats<'_, i64>,
        cov_columns: Vec<Floats<'_>>,
        purchase: Vec<String>,
        dropout: Vec<String>,
        freq: &str,
        observation_end: Option<i64>,
        calibration_end: Option<i64>,
    ) -> Res<Self> {
        let options = clv::summary::SummaryOptions {
            unit: clv::time::TimeUnit::parse(freq)?,
            observation_end,
            calibration_end,
            skip_invalid: false,
        };
        let (ts, starts) = (slice(&timestamps), slice(&cov_starts));
        let cols = arrays(&cov_columns);
        let cols = borrow(&cols);
        let build = || {
            let table = CovariateTable::new(&names, &cov_ids, &starts, &cols)?;
            DynamicData::new(&ids, &ts, &table, &purchase, &dropout, &options)
        };
        Ok(PyDynamicData {
            inner: enter(py, build)?,
        })
    }

    /// The customers' ids, in the order of every per-customer result.
    fn customer_id(&self) -> Vec<String> {
        self.inner.customer_id.clone()
    }

    /// `(frequency, recency, T)` of the customers.
    fn summary<'py>(&self, py: Python<'py>) -> [Bound<'py, PyArray1<f64>>; 3] {
        let d = &self.inner;
        [&d.frequency, &d.recency, &d.t].map(|v| PyArray1::from_slice(py, v))
    }

    /// The purchase and dropout covariate names.
    fn covariate_names(&self) -> (Vec<String>, Vec<String>) {
        let d = &self.inner;
        (d.purchase_names().to_vec(), d.dropout_names().to_vec())
    }

    /// The time unit (`"7d"`, `"W"`, …).
    fn unit(&self) -> String {
        self.inner.unit().to_string()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }
}

/// Effects given as (name, value) pairs, borrowed as the core takes them.
fn named(effects: &[(String, f64)]) -> Vec<(&str, f64)> {
    effects.iter().map(|(n, v)| (n.as_str(), *v)).collect()
}

fn kind_of(kind: &str) -> clv::Result<CovariateModelKind> {
    CovariateModelKind::from_model(kind.parse::<ModelKind>()?)
}

/// `From<$inner>` for the covariate class `$py` and its `#[pymethods]`: its
/// own methods, then `from_json` and `to_json`.
macro_rules! model_methods {
    ($py:ident($inner:ident) { $($own:tt)* }) => {
        impl From<$inner> for $py {
            fn from(inner: $inner) -> Self {
                $py { inner }
            }
        }

        #[pymethods]
        impl $py {
            $($own)*

            /// Reads a model written by `to_json`.
            #[staticmethod]
            fn from_json(text: &str) -> Res<Self> {
                Ok($inner::from_json(text)?.into())
            }

            /// The model as JSON (`format_version` 1).
            fn to_json(&self) -> Res<String> {
                Ok(self.inner.to_json()?)
            }
        }
    };
}

/// The `#[pymethods]` of `CovariateModel`: its own methods, then the
/// per-customer predictions, one per line: `"doc" name(scalars)
/// |model, [x, t_x, T], purchase set, dropout set| core call`, each taking
/// its scalars, the customers' arrays, both covariate sets and optionally
/// the customers' ids ([`PyCovariateModel::customers`]).
macro_rules! covariate_methods {
    ({ $($own:tt)* } $($doc:literal $name:ident($($s:ident),*) |$m:ident, $c:tt, $p:ident, $d:ident| $call:expr;)*) => {
        model_methods!(PyCovariateModel(CovariateModel) {
            $($own)*

            $(
                #[doc = $doc]
                #[pyo3(signature = ($($s,)* customers, purchase, dropout, customer_ids=None))]
                #[allow(clippy::too_many_arguments)] // the scalars, the customers and both sets
                fn $name<'py>(
                    &self,
                    py: Python<'py>,
                    $($s: f64,)*
                    customers: [Floats<'py>; 3],
                    purchase: CovSet<'py>,
                    dropout: CovSet<'py>,
                    customer_ids: Option<Vec<String>>,
                ) -> Out<'py> {
                    let f: PerCustomer<'_> = &|$m, $c, $p, $d| $call;
                    self.customers(py, customers, &purchase, &dropout, customer_ids, f)
                }
            )*
        });
    };
}

covariate_methods!({
    /// Maximum-likelihood fit of the covariate model of `kind` (registry key
    /// or class name: Pareto/NBD, BG/NBD, MBG/NBD or GGom/NBD) to `inputs` = [frequency,
    /// recency, T] and the two covariate sets; the GIL is released.
    #[staticmethod]
    #[pyo3(signature = (kind, inputs, purchase, dropout, customer_ids=None, weights=None,
        penalty_purchase=0.0, penalty_dropout=0.0, constrain_equal=Vec::new(),
        max_iterations=1000.0, gradient_tolerance=1e-6, unit=None))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        kind: &str,
        inputs: Vec<Floats<'_>>,
        purchase: CovSet<'_>,
        dropout: CovSet<'_>,
        customer_ids: Option<Vec<String>>,
        weights: Option<Floats<'_>>,
        penalty_purchase: f64,
        penalty_dropout: f64,
        constrain_equal: Vec<String>,
        max_iterations: f64,
        gradient_tolerance: f64,
        unit: Option<&str>,
    ) -> Res<Self> {
        let kind = kind_of(kind)?;
        let options = CovariateOptions {
            penalty_purchase,
            penalty_dropout,
            constrain_equal,
            fit: fit_options(0.0, max_iterations, gradient_tolerance, unit)?,
        };
        let cols = arrays(&inputs);
        let [x, tx, t] = columns::<3>(&cols, "frequency, recency, T")?;
        let w = weights.as_ref().map(slice);
        let (p, d) = both(&purchase, &dropout, x.len(), customer_ids.as_deref())?;
        let fit = || core_cov::fit(kind, x, tx, t, &p, &d, w.as_deref(), &options);
        Ok(enter(py, fit)?.into())
    }

    /// Maximum-likelihood fit of the Pareto/NBD with time-varying covariates
    /// to `data`; the GIL is released.
    #[staticmethod]
    #[pyo3(signature = (data, weights=None, penalty_purchase=0.0, penalty_dropout=0.0,
        constrain_equal=Vec::new(), max_iterations=1000.0, gradient_tolerance=1e-6))]
    #[allow(clippy::too_many_arguments)]
    fn fit_dynamic(
        py: Python<'_>,
        data: &PyDynamicData,
        weights: Option<Floats<'_>>,
        penalty_purchase: f64,
        penalty_dropout: f64,
        constrain_equal: Vec<String>,
        max_iterations: f64,
        gradient_tolerance: f64,
    ) -> Res<Self> {
        let options = CovariateOptions {
            penalty_purchase,
            penalty_dropout,
            constrain_equal,
            fit: fit_options(0.0, max_iterations, gradient_tolerance, None)?,
        };
        let w = weights.as_ref().map(slice);
        let fit = || core_dyn::fit(&data.inner, w.as_deref(), &options);
        Ok(enter(py, fit)?.into())
    }

    /// P(alive at T) of each customer of `data`, with their time-varying covariates.
    fn prob_alive_dynamic<'py>(&self, py: Python<'py>, data: &PyDynamicData) -> Out<'py> {
        enter_array(py, || self.inner.prob_alive_dynamic(&data.inner))
    }

    /// E[X(T, T + horizon)] of each customer of `data` (CET), with the
    /// covariates of the prediction periods.
    fn expected_purchases_dynamic<'py>(
        &self,
        py: Python<'py>,
        horizon: f64,
        data: &PyDynamicData,
    ) -> Out<'py> {
        enter_array(py, || {
            self.inner.expected_purchases_dynamic(horizon, &data.inner)
        })
    }

    /// The discounted expected purchases over (T, T + horizon] (DECT) at
    /// the continuous rate `discount_rate` per unit.
    fn discounted_expected_purchases_dynamic<'py>(
        &self,
        py: Python<'py>,
        horizon: f64,
        discount_rate: f64,
        data: &PyDynamicData,
    ) -> Out<'py> {
        enter_array(py, || {
            self.inner
                .discounted_expected_purchases_dynamic(horizon, discount_rate, &data.inner)
        })
    }

    /// ln L_i of each customer of `data`, with their time-varying covariates.
    fn log_likelihood_dynamic<'py>(&self, py: Python<'py>, data: &PyDynamicData) -> Out<'py> {
        enter_array(py, || self.inner.log_likelihood_dynamic(&data.inner))
    }

    /// A model with known parameters: `base` in the order of
    /// `base_names(kind)`, the effects as (name, value) pairs in covariate
    /// order.
    #[staticmethod]
    fn from_params(
        kind: &str,
        base: Vec<f64>,
        purchase: Vec<(String, f64)>,
        dropout: Vec<(String, f64)>,
    ) -> Res<Self> {
        let (p, d) = (named(&purchase), named(&dropout));
        Ok(CovariateModel::from_params(kind_of(kind)?, &base, &p, &d)?.into())
    }

    /// The base parameters' names of `kind`'s covariate model.
    #[staticmethod]
    fn base_names(kind: &str) -> Res<Vec<&'static str>> {
        Ok(kind_of(kind)?.base_names().to_vec())
    }

    /// The registry key of the model it extends: "pareto_nbd", "bg_nbd",
    /// "mbg_nbd" or "ggom_nbd".
    fn kind(&self) -> &'static str {
        self.inner.kind().model().as_str()
    }

    /// Display name, e.g. "Pareto/NBD with static covariates".
    fn name(&self) -> &'static str {
        self.inner.kind().name()
    }

    /// The base parameters in order, as (name, value) pairs (values at z = 0).
    fn params(&self) -> Vec<(&'static str, f64)> {
        self.inner.named_base()
    }

    /// The purchase and dropout covariate names, in the order of the sets.
    fn covariate_names(&self) -> (Vec<String>, Vec<String>) {
        let (p, d) = self.inner.covariate_names();
        (p.to_vec(), d.to_vec())
    }

    /// The effects as (purchase, dropout) dicts by covariate name.
    fn effects(&self) -> (Effects, Effects) {
        self.inner.ordered_effects()
    }

    /// The covariates whose two effects were constrained equal.
    fn constrained(&self) -> Vec<String> {
        self.inner.constrained()
    }

    /// Standard errors by name (base names, `purchase_NAME`, `dropout_NAME`);
    /// None for a model built from parameters.
    fn std_errors(&self) -> Option<std::collections::BTreeMap<String, f64>> {
        self.inner.std_errors()
    }

    /// The fit report (the keys of `Model.fit_info`, in the order of
    /// `param_names`, plus `param_names` and `penalized_log_likelihood`);
    /// None for a model built from parameters.
    fn fit_info<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        fit_info_dict(py, self.inner.fit_info())
    }

    /// Each customer's own parameters, one row per customer (the base
    /// parameters' order).
    #[pyo3(signature = (purchase, dropout, n, customer_ids=None))]
    fn customer_params(
        &self,
        purchase: CovSet<'_>,
        dropout: CovSet<'_>,
        n: usize,
        customer_ids: Option<Vec<String>>,
    ) -> Res<Vec<Vec<f64>>> {
        let (p, d) = both(&purchase, &dropout, n, customer_ids.as_deref())?;
        Ok(self.inner.customer_params(&p, &d)?)
    }

    /// E[X(horizon)] of a new customer with each of the `n` rows' covariates.
    fn expected_purchases_new<'py>(
        &self,
        py: Python<'py>,
        horizon: f64,
        purchase: CovSet<'py>,
        dropout: CovSet<'py>,
        n: usize,
    ) -> Out<'py> {
        let (p, d) = both(&purchase, &dropout, n, None)?;
        enter_array(py, || self.inner.expected_purchases_new(horizon, &p, &d))
    }

    /// P(X(horizon) = n) of a new customer with each of the `n_rows` rows'
    /// covariates.
    fn prob_purchases<'py>(
        &self,
        py: Python<'py>,
        n: f64,
        horizon: f64,
        purchase: CovSet<'py>,
        dropout: CovSet<'py>,
        n_rows: usize,
    ) -> Out<'py> {
        let (p, d) = both(&purchase, &dropout, n_rows, None)?;
        enter_array(py, || self.inner.prob_purchases(n, horizon, &p, &d))
    }

    /// `Pareto/NBD with static covariates(r=..., ...; purchase {...}, dropout {...})`.
    fn __repr__(&self) -> String {
        self.inner.to_string()
    }
}
    "P(alive at T | x, t_x, T) per customer, with each one's covariates."
    prob_alive() |m, [x, tx, t], p, d| m.prob_alive(x, tx, t, p, d);
    "E[X(T, T + horizon) | x, t_x, T] per customer, with each one's covariates."
    expected_purchases(horizon) |m, [x, tx, t], p, d| m.expected_purchases(horizon, x, tx, t, p, d);
    "Per-customer log-likelihood, with each one's covariates."
    log_likelihood() |m, [x, tx, t], p, d| m.log_likelihood(x, tx, t, p, d);
    "P(X(T, T + horizon) = n | x, t_x, T) per customer, with each one's covariates."
    prob_purchases_conditional(n, horizon) |m, [x, tx, t], p, d| m.prob_purchases_conditional(n, horizon, x, tx, t, p, d);
    "Discounted expected residual transactions per customer (Pareto/NBD), with each one's covariates."
    dert(discount) |m, [x, tx, t], p, d| m.dert(discount, x, tx, t, p, d);
);

/// The Gamma-Gamma model with spend covariates (fitted or given),
/// [`clv::covariates::spend::SpendCovariateModel`].
#[pyclass(module = "clv._clv", name = "SpendCovariateModel", frozen)]
pub(crate) struct PySpendCovariateModel {
    inner: SpendCovariateModel,
}

impl PySpendCovariateModel {
    /// `f` on the customers' `[frequency, monetary_value]` and the spend
    /// set, GIL released.
    fn customers<'py>(
        &self,
        py: Python<'py>,
        customers: [Floats<'py>; 2],
        spend: &CovSet<'py>,
        customer_ids: Option<Vec<String>>,
        f: impl Fn(&SpendCovariateModel, &[f64], &[f64], &Covariates) -> clv::Result<Vec<f64>> + Sync,
    ) -> Out<'py> {
        let [x, m] = customers.each_ref().map(slice);
        let z = covariates("spend", spend, x.len(), customer_ids.as_deref())?;
        enter_array(py, || f(&self.inner, &x, &m, &z))
    }
}

/// [`model_methods`] of a model with one covariate set (spend, retention):
/// its own methods, then the accessors they share and `__repr__` (the core's
/// `Display`, documented by `$repr`).
macro_rules! one_set_methods {
    ($py:ident($inner:ident) $repr:literal { $($own:tt)* }) => {
        model_methods!($py($inner) {
            $($own)*

            /// Display name.
            fn name(&self) -> &'static str {
                self.inner.name()
            }

            /// The covariate names, in the order the predictions take them.
            fn covariate_names(&self) -> Vec<String> {
                self.inner.covariate_names().to_vec()
            }

            /// The L2 penalty of the fit.
            fn penalty(&self) -> f64 {
                self.inner.penalty()
            }

            /// The fit report (as `CovariateModel.fit_info`); None for a model
            /// built from parameters.
            fn fit_info<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
                fit_info_dict(py, self.inner.fit_info())
            }

            #[doc = $repr]
            fn __repr__(&self) -> String {
                self.inner.to_string()
            }
        });
    };
}

one_set_methods!(PySpendCovariateModel(SpendCovariateModel)
    "`Gamma-Gamma with spend covariates(p=..., q=..., v=...; spend [...])`\n(the core's `Display`)."
{
    /// Maximum-likelihood fit of the Gamma-Gamma model (`kind`, registry key
    /// or class name; any other model is NOT_SUPPORTED) with spend
    /// covariates to `inputs` = [frequency, monetary_value]; the GIL is
    /// released.
    #[staticmethod]
    #[pyo3(signature = (kind, inputs, spend, customer_ids=None, weights=None, penalty=0.0,
        max_iterations=1000.0, gradient_tolerance=1e-6, unit=None))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        kind: &str,
        inputs: Vec<Floats<'_>>,
        spend: CovSet<'_>,
        customer_ids: Option<Vec<String>>,
        weights: Option<Floats<'_>>,
        penalty: f64,
        max_iterations: f64,
        gradient_tolerance: f64,
        unit: Option<&str>,
    ) -> Res<Self> {
        core_spend::check_model(kind.parse::<ModelKind>()?)?;
        let options = SpendCovariateOptions {
            penalty,
            fit: fit_options(0.0, max_iterations, gradient_tolerance, unit)?,
        };
        let cols = arrays(&inputs);
        let [x, m] = columns::<2>(&cols, "frequency, monetary_value")?;
        let w = weights.as_ref().map(slice);
        let z = covariates("spend", &spend, x.len(), customer_ids.as_deref())?;
        let fit = || core_spend::fit(x, m, &z, w.as_deref(), &options);
        Ok(enter(py, fit)?.into())
    }

    /// Whether `kind` (registry key or class name) takes spend covariates:
    /// NOT_SUPPORTED for any model but Gamma-Gamma.
    #[staticmethod]
    fn check_model(kind: &str) -> Res<()> {
        Ok(core_spend::check_model(kind.parse::<ModelKind>()?)?)
    }

    /// A model with known parameters: `base` = [p, q, v], the effects as
    /// (name, value) pairs in covariate order.
    #[staticmethod]
    fn from_params(base: [f64; 3], effects: Vec<(String, f64)>) -> Res<Self> {
        Ok(SpendCovariateModel::from_params(base, &named(&effects))?.into())
    }

    /// The registry key of the model it extends: "gamma_gamma".
    fn kind(&self) -> &'static str {
        ModelKind::GammaGamma.as_str()
    }

    /// p, q, v (v₀, the value at z = 0) as (name, value) pairs.
    fn params(&self) -> Vec<(&'static str, f64)> {
        ["p", "q", "v"].into_iter().zip(self.inner.base()).collect()
    }

    /// The effects as (name, value) pairs in covariate order.
    fn effects(&self) -> Effects {
        let e = self.inner.effects();
        self.inner
            .covariate_names()
            .iter()
            .map(|n| (n.clone(), e[n]))
            .collect()
    }

    /// Standard errors by name (`p`, `q`, `v`, `spend_NAME`); None for a
    /// model built from parameters.
    fn std_errors(&self) -> Option<std::collections::BTreeMap<String, f64>> {
        self.inner.std_errors()
    }

    /// The conditional expected spend per transaction of each customer,
    /// with their spend covariates.
    #[pyo3(signature = (customers, spend, customer_ids=None))]
    fn expected_spend<'py>(
        &self,
        py: Python<'py>,
        customers: [Floats<'py>; 2],
        spend: CovSet<'py>,
        customer_ids: Option<Vec<String>>,
    ) -> Out<'py> {
        self.customers(py, customers, &spend, customer_ids, |m, x, v, z| {
            m.expected_spend(x, v, z)
        })
    }

    /// Per-customer ln f(z̄ | x), with each one's spend covariates.
    #[pyo3(signature = (customers, spend, customer_ids=None))]
    fn log_likelihood<'py>(
        &self,
        py: Python<'py>,
        customers: [Floats<'py>; 2],
        spend: CovSet<'py>,
        customer_ids: Option<Vec<String>>,
    ) -> Out<'py> {
        self.customers(py, customers, &spend, customer_ids, |m, x, v, z| {
            m.log_likelihood(x, v, z)
        })
    }
});

/// The sBG with static (dropout) covariates on per-customer contractual
/// data (fitted or given), [`clv::covariates::retention::RetentionCovariateModel`].
#[pyclass(module = "clv._clv", name = "RetentionCovariateModel", frozen)]
pub(crate) struct PyRetentionCovariateModel {
    inner: RetentionCovariateModel,
}

impl PyRetentionCovariateModel {
    /// `f` on the covariate set of `n` rows (joined on `customer_ids` when
    /// both they and the set's row ids are given), GIL released.
    fn rows<'py>(
        &self,
        py: Python<'py>,
        dropout: &CovSet<'py>,
        n: usize,
        customer_ids: Option<Vec<String>>,
        f: impl Fn(&RetentionCovariateModel, &Covariates) -> clv::Result<Vec<f64>> + Sync,
    ) -> Out<'py> {
        let z = covariates("dropout", dropout, n, customer_ids.as_deref())?;
        enter_array(py, || f(&self.inner, &z))
    }
}

/// The `#[pymethods]` of `RetentionCovariateModel`: its own methods, then the
/// per-row predictions, one per line: `"doc" name(scalar) |model, set| core
/// call`, each taking its scalar, the dropout set, the number of rows `n`
/// and optionally the customers' ids ([`PyRetentionCovariateModel::rows`]).
macro_rules! retention_methods {
    ({ $($own:tt)* } $($doc:literal $name:ident($s:ident) |$m:ident, $z:ident| $call:expr;)*) => {
        one_set_methods!(PyRetentionCovariateModel(RetentionCovariateModel)
            "`sBG with covariates(alpha=..., beta=...; alpha [...], beta [...])`\n(the core's `Display`)."
        {
            $($own)*

            $(
                #[doc = $doc]
                #[pyo3(signature = ($s, dropout, n, customer_ids=None))]
                fn $name<'py>(
                    &self,
                    py: Python<'py>,
                    $s: f64,
                    dropout: CovSet<'py>,
                    n: usize,
                    customer_ids: Option<Vec<String>>,
                ) -> Out<'py> {
                    self.rows(py, &dropout, n, customer_ids, |$m, $z| $call)
                }
            )*
        });
    };
}

retention_methods!({
    /// Maximum-likelihood fit of the sBG with static covariates to
    /// per-customer `periods` (whole periods observed, >= 1) and `churned`
    /// flags; the GIL is released.
    #[staticmethod]
    #[pyo3(signature = (periods, churned, dropout, customer_ids=None, weights=None, penalty=0.0,
        max_iterations=1000.0, gradient_tolerance=1e-6))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        periods: Floats<'_>,
        churned: Vec<bool>,
        dropout: CovSet<'_>,
        customer_ids: Option<Vec<String>>,
        weights: Option<Floats<'_>>,
        penalty: f64,
        max_iterations: f64,
        gradient_tolerance: f64,
    ) -> Res<Self> {
        let options = RetentionCovariateOptions {
            penalty,
            fit: fit_options(0.0, max_iterations, gradient_tolerance, None)?,
        };
        let t = slice(&periods);
        let w = weights.as_ref().map(slice);
        let z = covariates("dropout", &dropout, t.len(), customer_ids.as_deref())?;
        let fit = || core_ret::fit(&t, &churned, &z, w.as_deref(), &options);
        Ok(enter(py, fit)?.into())
    }

    /// A model with known parameters: `base` = [alpha, beta] (values at
    /// z = 0), the effects as (name, effect on alpha, effect on beta) in
    /// covariate order.
    #[staticmethod]
    fn from_params(base: [f64; 2], effects: Vec<(String, f64, f64)>) -> Res<Self> {
        let e: Vec<(&str, f64, f64)> = effects
            .iter()
            .map(|(n, a, b)| (n.as_str(), *a, *b))
            .collect();
        Ok(RetentionCovariateModel::from_params(base, &e)?.into())
    }

    /// The registry key of the model it extends: "sbg".
    fn kind(&self) -> &'static str {
        ModelKind::Sbg.as_str()
    }

    /// alpha, beta (their values at z = 0) as (name, value) pairs.
    fn params(&self) -> Vec<(&'static str, f64)> {
        ["alpha", "beta"]
            .into_iter()
            .zip(self.inner.base())
            .collect()
    }

    /// The effects on alpha and on beta, each as (name, value) pairs in
    /// covariate order.
    fn effects(&self) -> (Effects, Effects) {
        let names = self.inner.covariate_names();
        let (a, b) = (self.inner.alpha_effects(), self.inner.beta_effects());
        let pick = |e: &std::collections::BTreeMap<String, f64>| {
            names.iter().map(|n| (n.clone(), e[n])).collect::<Vec<_>>()
        };
        (pick(&a), pick(&b))
    }

    /// Standard errors by name (`alpha`, `beta`, `alpha_NAME`, `beta_NAME`);
    /// None for a model built from parameters.
    fn std_errors(&self) -> Option<std::collections::BTreeMap<String, f64>> {
        self.inner.std_errors()
    }

    /// Each row's `[alpha_i, beta_i]`.
    #[pyo3(signature = (dropout, n, customer_ids=None))]
    fn customer_params(
        &self,
        dropout: CovSet<'_>,
        n: usize,
        customer_ids: Option<Vec<String>>,
    ) -> Res<Vec<[f64; 2]>> {
        let z = covariates("dropout", &dropout, n, customer_ids.as_deref())?;
        Ok(self.inner.customer_params(&z)?)
    }

    /// The discounted expected residual lifetime of each customer after
    /// `renewals[i]` renewals.
    #[pyo3(signature = (discount, renewals, dropout, customer_ids=None))]
    fn dert<'py>(
        &self,
        py: Python<'py>,
        discount: f64,
        renewals: Floats<'py>,
        dropout: CovSet<'py>,
        customer_ids: Option<Vec<String>>,
    ) -> Out<'py> {
        let r = slice(&renewals);
        self.rows(py, &dropout, r.len(), customer_ids, |m, z| {
            m.dert(discount, &r, z)
        })
    }

    /// Per-customer ln L_i, with each one's covariates.
    #[pyo3(signature = (periods, churned, dropout, customer_ids=None))]
    fn log_likelihood<'py>(
        &self,
        py: Python<'py>,
        periods: Floats<'py>,
        churned: Vec<bool>,
        dropout: CovSet<'py>,
        customer_ids: Option<Vec<String>>,
    ) -> Out<'py> {
        let t = slice(&periods);
        self.rows(py, &dropout, t.len(), customer_ids, |m, z| {
            m.log_likelihood(&t, &churned, z)
        })
    }
}
    "S(t) of each of the `n` rows."
    survival(t) |m, z| m.survival(t, z);
    "The retention rate r(t) of each of the `n` rows."
    retention(t) |m, z| m.retention(t, z);
    "P(T = t) of each of the `n` rows."
    prob_churn(t) |m, z| m.prob_churn(t, z);
    "The discounted expected lifetime of a new customer with each of the\n`n` rows' covariates."
    discounted_expected_lifetime(discount) |m, z| m.discounted_expected_lifetime(discount, z);
);
