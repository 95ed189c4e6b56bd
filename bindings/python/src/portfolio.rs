//! Portfolio measures (`clv::portfolio`) and uplift against a control group
//! (`clv::experiment`) for the Python modules `clv.portfolio` and
//! `clv.experiment`: each function converts its arguments, calls the core and
//! returns the core's result struct as a dict ([`Wrap`]); the Python layer
//! wraps the dicts in dataclasses. No formula here.

use std::borrow::Cow;

use clv::experiment::{StratifiedUplift, Uplift, UpliftOptions};
use clv::portfolio::{self, CustomerTotals, OfferCeiling, RiskRanking, ValueTiers, WhaleCurve};
use numpy::PyArray1;
use pyo3::prelude::*;

use crate::conversion::{Floats, Wrap, array, slice};
use crate::error::{Res, enter, enter_wrap};

/// The whale curve of `values` (see `clv::portfolio::whale_curve`).
#[pyfunction]
pub(crate) fn whale_curve(py: Python<'_>, values: Floats<'_>) -> Res<Wrap<WhaleCurve>> {
    let v = slice(&values);
    enter_wrap(py, || portfolio::whale_curve(&v))
}

/// The Gini coefficient of `values` (see `clv::portfolio::gini`).
#[pyfunction]
pub(crate) fn gini(py: Python<'_>, values: Floats<'_>) -> Res<f64> {
    let v = slice(&values);
    enter(py, || portfolio::gini(&v))
}

/// Value tiers (see `clv::portfolio::value_tiers`); `method` is "share"
/// (alias "cumulative_share") or "quantile".
#[pyfunction]
pub(crate) fn value_tiers<'py>(
    py: Python<'py>,
    values: Floats<'py>,
    cuts: Floats<'py>,
    method: &str,
) -> Res<Wrap<ValueTiers>> {
    let (m, v, c) = (method.parse()?, slice(&values), slice(&cuts));
    enter_wrap(py, || portfolio::value_tiers(&v, &c, m))
}

/// `f` on the customers' values (or CLVs) and their P(alive), the GIL
/// released: the conversion of the measures of value at risk.
fn at_risk<T: Send>(
    py: Python<'_>,
    values: &Floats<'_>,
    p_alive: &Floats<'_>,
    f: impl FnOnce(&[f64], &[f64]) -> clv::Result<T> + Send,
) -> Res<T> {
    let (v, p) = (slice(values), slice(p_alive));
    enter(py, || f(&v, &p))
}

/// `values × (1 − p_alive)` per customer (see `clv::portfolio::revenue_at_risk`).
#[pyfunction]
pub(crate) fn revenue_at_risk<'py>(
    py: Python<'py>,
    values: Floats<'py>,
    p_alive: Floats<'py>,
) -> Res<Bound<'py, PyArray1<f64>>> {
    Ok(array(
        py,
        at_risk(py, &values, &p_alive, portfolio::revenue_at_risk)?,
    ))
}

/// Revenue at risk with totals and the ranking (see `clv::portfolio::risk_ranking`).
#[pyfunction]
pub(crate) fn risk_ranking<'py>(
    py: Python<'py>,
    values: Floats<'py>,
    p_alive: Floats<'py>,
) -> Res<Wrap<RiskRanking>> {
    at_risk(py, &values, &p_alive, portfolio::risk_ranking).map(Wrap)
}

/// Retention-offer ceilings (see `clv::portfolio::offer_ceiling`).
#[pyfunction]
pub(crate) fn offer_ceiling<'py>(
    py: Python<'py>,
    clv: Floats<'py>,
    p_alive: Floats<'py>,
    success_rate: f64,
) -> Res<Wrap<OfferCeiling>> {
    let ceiling = |c: &[f64], p: &[f64]| portfolio::offer_ceiling(c, p, success_rate);
    at_risk(py, &clv, &p_alive, ceiling).map(Wrap)
}

/// Per-customer revenue, transactions and margin from a coded transaction
/// log (see `clv::portfolio::customer_totals`): customers are codes
/// `0..n_customers` (the Python layer factorises the id column); the result
/// rows are in code order.
#[pyfunction]
pub(crate) fn customer_totals<'py>(
    py: Python<'py>,
    codes: Floats<'py, u32>,
    n_customers: usize,
    amounts: Floats<'py>,
    margin_rate: f64,
    cost_per_transaction: f64,
) -> Res<Wrap<CustomerTotals>> {
    let names: Vec<String> = (0..n_customers).map(|i| i.to_string()).collect();
    let (ids, a) = (
        clv::summary::CustomerIds::from_parts(codes.as_array().to_vec(), names),
        slice(&amounts),
    );
    enter_wrap(py, || {
        portfolio::customer_totals(&ids, &a, margin_rate, cost_per_transaction)
    })
}

fn options(confidence: f64, metric: &str, population: Option<f64>) -> clv::Result<UpliftOptions> {
    let metric = metric.parse()?;
    Ok(UpliftOptions {
        confidence,
        metric,
        population,
    })
}

/// The uplift options and the treated and control values, as the core takes them.
type UpliftArgs<'a> = (UpliftOptions, Cow<'a, [f64]>, Cow<'a, [f64]>);

/// [`UpliftArgs`] from the Python arguments.
fn uplift_args<'a>(
    treated: &'a Floats<'_>,
    control: &'a Floats<'_>,
    confidence: f64,
    metric: &str,
    population: Option<f64>,
) -> clv::Result<UpliftArgs<'a>> {
    let o = options(confidence, metric, population)?;
    Ok((o, slice(treated), slice(control)))
}

/// Uplift of treated over control (see `clv::experiment::uplift`).
#[pyfunction]
#[pyo3(signature = (treated, control, confidence=0.95, metric="continuous", population=None))]
pub(crate) fn uplift<'py>(
    py: Python<'py>,
    treated: Floats<'py>,
    control: Floats<'py>,
    confidence: f64,
    metric: &str,
    population: Option<f64>,
) -> Res<Wrap<Uplift>> {
    let (o, t, c) = uplift_args(&treated, &control, confidence, metric, population)?;
    enter_wrap(py, || clv::experiment::uplift(&t, &c, &o))
}

/// Uplift on a binary metric from counts (see `clv::experiment::uplift_proportions`).
#[pyfunction]
#[pyo3(signature = (successes_treated, n_treated, successes_control, n_control, confidence=0.95, population=None))]
pub(crate) fn uplift_proportions(
    successes_treated: u64,
    n_treated: u64,
    successes_control: u64,
    n_control: u64,
    confidence: f64,
    population: Option<f64>,
) -> Res<Wrap<Uplift>> {
    let o = options(confidence, "binary", population)?;
    let u = clv::experiment::uplift_proportions(
        successes_treated,
        n_treated,
        successes_control,
        n_control,
        &o,
    )?;
    Ok(Wrap(u))
}

/// The Wilson score interval of `successes / n` (see `clv::experiment::wilson_interval`).
#[pyfunction]
#[pyo3(signature = (successes, n, confidence=0.95))]
pub(crate) fn wilson_interval(successes: u64, n: u64, confidence: f64) -> Res<(f64, f64)> {
    Ok(clv::experiment::wilson_interval(successes, n, confidence)?)
}

/// Stratified uplift (see `clv::experiment::uplift_stratified`) as
/// `{"overall": {...}, "strata": [{...}, ...]}`.
#[pyfunction]
#[pyo3(signature = (treated, treated_strata, control, control_strata, confidence=0.95, metric="continuous", population=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn uplift_stratified<'py>(
    py: Python<'py>,
    treated: Floats<'py>,
    treated_strata: Vec<String>,
    control: Floats<'py>,
    control_strata: Vec<String>,
    confidence: f64,
    metric: &str,
    population: Option<f64>,
) -> Res<Wrap<StratifiedUplift>> {
    let (o, t, c) = uplift_args(&treated, &control, confidence, metric, population)?;
    let f = || clv::experiment::uplift_stratified(&t, &treated_strata, &c, &control_strata, &o);
    enter_wrap(py, f)
}
