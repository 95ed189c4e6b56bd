//! Model checking (`clv::diagnostics`) for `clv.plotting` and
//! `clv.compat.lifetimes`: each function converts its arguments, calls the
//! core with the GIL released and returns the core's result as a dict of
//! numpy arrays (the struct's field names). No formula here.

use clv::diagnostics::{self, Heterogeneity, HoldoutGroup};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::conversion::{Floats, array, dict, slice};
use crate::error::{Res, enter};
use crate::models::PyModel;

/// Actual vs expected cumulative (and incremental) repeat transactions
/// (`clv::diagnostics::tracking_series`).
#[pyfunction]
pub(crate) fn tracking_series<'py>(
    py: Python<'py>,
    model: &PyModel,
    first_period: Floats<'py>,
    repeat_periods: Floats<'py>,
    n_periods: usize,
    multiplier: usize,
) -> Res<Bound<'py, PyDict>> {
    let (f, r) = (slice(&first_period), slice(&repeat_periods));
    let s = enter(py, || {
        diagnostics::tracking_series(&model.inner, &f, &r, n_periods, multiplier)
    })?;
    Ok(dict!(py, {
        "time" => array(py, s.time), "actual" => array(py, s.actual),
        "expected" => array(py, s.expected),
        "actual_incremental" => array(py, s.actual_incremental),
        "expected_incremental" => array(py, s.expected_incremental),
    })?)
}

/// P(alive) of one customer at each age (`clv::diagnostics::alive_path`).
#[pyfunction]
pub(crate) fn alive_path<'py>(
    py: Python<'py>,
    model: &PyModel,
    purchases: Floats<'py>,
    t: usize,
) -> Res<Bound<'py, PyDict>> {
    let p = slice(&purchases);
    let a = enter(py, || diagnostics::alive_path(&model.inner, &p, t))?;
    Ok(dict!(py, {
        "T" => array(py, a.t), "frequency" => array(py, a.frequency),
        "recency" => array(py, a.recency), "prob_alive" => array(py, a.prob_alive),
    })?)
}

/// The exposure plot's order of the customers
/// (`clv::diagnostics::customer_exposure`).
#[pyfunction]
pub(crate) fn customer_exposure<'py>(
    py: Python<'py>,
    recency: Floats<'py>,
    t: Floats<'py>,
) -> Res<Bound<'py, numpy::PyArray1<u64>>> {
    let (r, t) = (slice(&recency), slice(&t));
    let order = diagnostics::customer_exposure(&r, &t)?;
    Ok(array(py, order.into_iter().map(|i| i as u64).collect()))
}

/// Customers by repeat purchases, actual vs expected, with the `K+` bucket
/// (`clv::diagnostics::period_transactions`).
#[pyfunction]
#[pyo3(signature = (model, frequency, t, weights, max_frequency))]
pub(crate) fn period_transactions<'py>(
    py: Python<'py>,
    model: &PyModel,
    frequency: Floats<'py>,
    t: Floats<'py>,
    weights: Option<Floats<'py>>,
    max_frequency: usize,
) -> Res<Bound<'py, PyDict>> {
    let (x, tt) = (slice(&frequency), slice(&t));
    let w = weights.as_ref().map(slice);
    let d = enter(py, || {
        diagnostics::period_transactions(&model.inner, &x, &tt, w.as_deref(), max_frequency)
    })?;
    Ok(dict!(py, {
        "labels" => d.labels, "actual" => array(py, d.actual), "expected" => array(py, d.expected),
    })?)
}

/// Mean holdout purchases, actual vs expected, by a calibration column
/// (`clv::diagnostics::calibration_vs_holdout`; `kind` as
/// `HoldoutGroup::from_str`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub(crate) fn calibration_vs_holdout<'py>(
    py: Python<'py>,
    model: &PyModel,
    frequency: Floats<'py>,
    recency: Floats<'py>,
    t: Floats<'py>,
    frequency_holdout: Floats<'py>,
    duration_holdout: Floats<'py>,
    kind: &str,
    max_groups: usize,
) -> Res<Bound<'py, PyDict>> {
    let group: HoldoutGroup = kind.parse()?;
    let (x, tx, tt) = (slice(&frequency), slice(&recency), slice(&t));
    let (fh, dh) = (slice(&frequency_holdout), slice(&duration_holdout));
    let c = enter(py, || {
        diagnostics::calibration_vs_holdout(&model.inner, &x, &tx, &tt, &fh, &dh, group, max_groups)
    })?;
    Ok(dict!(py, {
        "key" => array(py, c.key), "customers" => array(py, c.customers),
        "actual" => array(py, c.actual), "expected" => array(py, c.expected),
    })?)
}

/// The mixing distribution of `what` ("transaction_rate" or "dropout") with
/// its mean, variance and density on `points` values from 0 to its 99%
/// quantile (`clv::diagnostics::Heterogeneity`).
#[pyfunction]
pub(crate) fn heterogeneity<'py>(
    py: Python<'py>,
    model: &PyModel,
    what: &str,
    points: usize,
) -> Res<Bound<'py, PyDict>> {
    let which = match what {
        "transaction_rate" => Heterogeneity::TransactionRate,
        "dropout" => Heterogeneity::Dropout,
        other => {
            return Err(clv::Error::invalid(
                "what",
                format!("{other:?}"),
                "\"transaction_rate\" or \"dropout\"",
            )
            .into());
        }
    };
    let mixing = which.of(&model.inner)?;
    let (x, pdf) = enter(py, || mixing.density_curve(points))?;
    let (name, a, b) = match mixing {
        diagnostics::Mixing::Gamma { shape, rate } => ("gamma", shape, rate),
        diagnostics::Mixing::Beta { a, b } => ("beta", a, b),
    };
    Ok(dict!(py, {
        "distribution" => name, "a" => a, "b" => b,
        "mean" => mixing.mean(), "variance" => mixing.variance(),
        "x" => array(py, x), "pdf" => array(py, pdf),
    })?)
}

/// A seeded simulation of one customer per element of `t`
/// (`clv::simulate::simulate`): frequency, recency, T, rate, dropout, alive
/// and the repeat purchases (`purchase_customer`, `purchase_time`).
#[pyfunction]
pub(crate) fn simulate<'py>(
    py: Python<'py>,
    model: &PyModel,
    t: Floats<'py>,
    seed: u64,
) -> Res<Bound<'py, PyDict>> {
    let tt = slice(&t);
    let s = enter(py, || clv::simulate::simulate(&model.inner, &tt, seed))?;
    let customers: Vec<u64> = s.purchase_customer.iter().map(|&c| c as u64).collect();
    Ok(dict!(py, {
        "frequency" => array(py, s.frequency), "recency" => array(py, s.recency),
        "T" => array(py, s.t), "rate" => array(py, s.rate), "dropout" => array(py, s.dropout),
        "alive" => array(py, s.alive), "purchase_customer" => array(py, customers),
        "purchase_time" => array(py, s.purchase_time),
    })?)
}

/// The tracking series of a transaction log (`clv::diagnostics::tracking_inputs`
/// then `tracking_series`): customer `codes` and `timestamps` (seconds since
/// 1970-01-01) per row, `freq` a time unit (`"D"`, `"W"`, `"7d"`: its
/// period groups the rows, its multiplier is the periods per model unit),
/// `n_periods` periods tracked. The dict adds `start`, the start of period 0.
#[pyfunction]
pub(crate) fn tracking_series_from_transactions<'py>(
    py: Python<'py>,
    model: &PyModel,
    codes: Floats<'py, u32>,
    timestamps: Floats<'py, i64>,
    freq: &str,
    n_periods: usize,
) -> Res<Bound<'py, PyDict>> {
    let unit = clv::time::TimeUnit::parse(freq)?;
    let (c, t) = (slice(&codes), slice(&timestamps));
    let log = enter(py, || {
        diagnostics::tracking_log(&model.inner, &c, &t, &unit, Some(n_periods), None, None)
    })?;
    let (s, start) = (log.series, log.start);
    Ok(dict!(py, {
        "time" => array(py, s.time), "actual" => array(py, s.actual),
        "expected" => array(py, s.expected),
        "actual_incremental" => array(py, s.actual_incremental),
        "expected_incremental" => array(py, s.expected_incremental),
        "start" => start,
    })?)
}

/// Seeded mean spends of customers with `frequency` transactions each
/// (`clv::simulate::simulate_spend`, Gamma-Gamma).
#[pyfunction]
pub(crate) fn simulate_spend<'py>(
    py: Python<'py>,
    model: &PyModel,
    frequency: Floats<'py>,
    seed: u64,
) -> Res<Bound<'py, PyDict>> {
    let x = slice(&frequency);
    let s = enter(py, || clv::simulate::simulate_spend(&model.inner, &x, seed))?;
    Ok(dict!(py, {
        "frequency" => array(py, s.frequency), "monetary_value" => array(py, s.monetary_value),
        "nu" => array(py, s.nu),
    })?)
}

/// A seeded survivor curve of a cohort of `size` customers over `periods`
/// periods (`clv::simulate::simulate_survivors`, sBG).
#[pyfunction]
pub(crate) fn simulate_survivors<'py>(
    py: Python<'py>,
    model: &PyModel,
    size: usize,
    periods: usize,
    seed: u64,
) -> Res<Bound<'py, numpy::PyArray1<f64>>> {
    let s = enter(py, || {
        clv::simulate::simulate_survivors(&model.inner, size, periods, seed)
    })?;
    Ok(array(py, s))
}

/// P(alive) (`what = "prob_alive"`) or E[Y(t)] (`"expected_purchases"`) on the
/// frequency × recency grid, row-major `[recency][frequency]`
/// (`clv::diagnostics::frequency_recency_matrix`).
#[pyfunction]
pub(crate) fn frequency_recency_matrix<'py>(
    py: Python<'py>,
    model: &PyModel,
    what: &str,
    t: f64,
    max_frequency: usize,
    max_recency: usize,
) -> Res<Bound<'py, numpy::PyArray1<f64>>> {
    let which = match what {
        "prob_alive" => diagnostics::MatrixOf::ProbAlive,
        "expected_purchases" => diagnostics::MatrixOf::ExpectedPurchases(t),
        other => {
            return Err(clv::Error::invalid(
                "what",
                format!("{other:?}"),
                "\"prob_alive\" or \"expected_purchases\"",
            )
            .into());
        }
    };
    let z = enter(py, || {
        diagnostics::frequency_recency_matrix(&model.inner, which, max_frequency, max_recency)
    })?;
    Ok(array(py, z))
}
