//! Model checking (`clv::diagnostics`) for `clv.plotting` and
//! `clv.compat.lifetimes`: each function converts its arguments, calls the
//! core with the GIL released and returns the core's result as a dict of
//! numpy arrays (the struct's field names, through `Wrap`). No formula here.

use clv::diagnostics::{
    self, AlivePath, HoldoutComparison, HoldoutGroup, MatrixOf, MixingCurve, PeriodTransactions,
    TrackingLog, TrackingSeries,
};
use clv::simulate::{Simulated, SimulatedSpend};
use pyo3::prelude::*;

use crate::conversion::{Floats, Wrap, array, slice};
use crate::error::{Res, enter, enter_array, enter_wrap};
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
) -> Res<Wrap<TrackingSeries>> {
    let (f, r) = (slice(&first_period), slice(&repeat_periods));
    let run = || diagnostics::tracking_series(&model.inner, &f, &r, n_periods, multiplier);
    enter_wrap(py, run)
}

/// The functions of a model, one array and one scalar, one per line:
/// `doc name(array, scalar: type) -> result = core function;`, each
/// converting the array, calling the core function on the model, the array
/// and the scalar with the GIL released, and returning the result as a dict
/// ([`Wrap`]).
macro_rules! model_array_functions {
    ($($(#[$doc:meta])* $name:ident($a:ident, $s:ident: $st:ty) -> $out:ty = $core:path;)*) => {
        $(
            $(#[$doc])*
            #[pyfunction]
            pub(crate) fn $name<'py>(
                py: Python<'py>,
                model: &PyModel,
                $a: Floats<'py>,
                $s: $st,
            ) -> Res<Wrap<$out>> {
                let a = slice(&$a);
                enter_wrap(py, || $core(&model.inner, &a, $s))
            }
        )*
    };
}

model_array_functions! {
    /// P(alive) of one customer at each age (`clv::diagnostics::alive_path`).
    alive_path(purchases, t: usize) -> AlivePath = diagnostics::alive_path;
    /// A seeded simulation of one customer per element of `t`
    /// (`clv::simulate::simulate`): frequency, recency, T, rate, dropout, alive
    /// and the repeat purchases (`purchase_customer`, `purchase_time`).
    simulate(t, seed: u64) -> Simulated = clv::simulate::simulate;
    /// Seeded mean spends of customers with `frequency` transactions each
    /// (`clv::simulate::simulate_spend`, Gamma-Gamma).
    simulate_spend(frequency, seed: u64) -> SimulatedSpend = clv::simulate::simulate_spend;
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
) -> Res<Wrap<PeriodTransactions>> {
    let (x, tt, w) = (slice(&frequency), slice(&t), weights.as_ref().map(slice));
    let run =
        || diagnostics::period_transactions(&model.inner, &x, &tt, w.as_deref(), max_frequency);
    enter_wrap(py, run)
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
) -> Res<Wrap<HoldoutComparison>> {
    let group: HoldoutGroup = kind.parse()?;
    let (x, tx, tt) = (slice(&frequency), slice(&recency), slice(&t));
    let (fh, dh) = (slice(&frequency_holdout), slice(&duration_holdout));
    let m = &model.inner;
    let run = || diagnostics::calibration_vs_holdout(m, &x, &tx, &tt, &fh, &dh, group, max_groups);
    enter_wrap(py, run)
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
) -> Res<Wrap<MixingCurve>> {
    let which = what.parse()?;
    enter_wrap(py, || {
        diagnostics::heterogeneity(&model.inner, which, points)
    })
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
) -> Res<Wrap<TrackingLog>> {
    let unit = clv::time::TimeUnit::parse(freq)?;
    let (c, t) = (slice(&codes), slice(&timestamps));
    let m = &model.inner;
    let run = || diagnostics::tracking_log(m, &c, &t, &unit, Some(n_periods), None, None);
    enter_wrap(py, run)
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
    enter_array(py, || {
        clv::simulate::simulate_survivors(&model.inner, size, periods, seed)
    })
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
    let which = MatrixOf::parse(what, t)?;
    let m = &model.inner;
    let run = || diagnostics::frequency_recency_matrix(m, which, max_frequency, max_recency);
    Ok(array(py, enter(py, run)?.values))
}
