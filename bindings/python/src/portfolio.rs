//! Portfolio measures (`clv::portfolio`) and uplift against a control group
//! (`clv::experiment`) for the Python modules `clv.portfolio` and
//! `clv.experiment`.
//!
//! Each function converts its arguments, calls the core and returns the
//! core's result struct as a dict with the struct's field names (per-customer
//! vectors as numpy arrays, nested rows as lists of dicts); the Python layer
//! wraps the dicts in dataclasses. No formula here.

use clv::experiment::{Metric, StratifiedUplift, Uplift, UpliftOptions};
use clv::portfolio::{self, TierMethod};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::{map, out, slice};

/// `method` of `value_tiers`: "share" (alias "cumulative_share") or "quantile".
fn tier_method(method: &str) -> clv::Result<TierMethod> {
    match method {
        "share" | "cumulative_share" => Ok(TierMethod::CumulativeShare),
        "quantile" => Ok(TierMethod::Quantile),
        other => Err(clv::Error::invalid(
            "method",
            format!("{other:?}"),
            "\"share\" (cumulative share of value) or \"quantile\"",
        )),
    }
}

fn tier_method_name(m: TierMethod) -> &'static str {
    match m {
        TierMethod::CumulativeShare => "share",
        TierMethod::Quantile => "quantile",
    }
}

/// `metric` of the uplift functions: "continuous" or "binary".
fn metric(metric: &str) -> clv::Result<Metric> {
    match metric {
        "continuous" => Ok(Metric::Continuous),
        "binary" => Ok(Metric::Binary),
        other => Err(clv::Error::invalid(
            "metric",
            format!("{other:?}"),
            "\"continuous\" or \"binary\"",
        )),
    }
}

fn metric_name(m: Metric) -> &'static str {
    match m {
        Metric::Continuous => "continuous",
        Metric::Binary => "binary",
    }
}

fn uplift_options(
    confidence: f64,
    metric_name: &str,
    population: Option<f64>,
) -> clv::Result<UpliftOptions> {
    Ok(UpliftOptions {
        confidence,
        metric: metric(metric_name)?,
        population,
    })
}

fn positions(py: Python<'_>, v: Vec<usize>) -> Bound<'_, PyArray1<usize>> {
    v.into_pyarray(py)
}

/// The whale curve of `values` (see `clv::portfolio::whale_curve`) as a dict.
#[pyfunction]
pub(crate) fn whale_curve<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let v = slice(&values);
    let w = map(py.detach(|| portfolio::whale_curve(&v)))?;
    let d = PyDict::new(py);
    d.set_item("order", positions(py, w.order))?;
    d.set_item("sorted_values", out(py, w.sorted_values))?;
    d.set_item("cumulative_share", out(py, w.cumulative_share))?;
    d.set_item("total", w.total)?;
    d.set_item("created", w.created)?;
    d.set_item("destroyed", w.destroyed)?;
    d.set_item("peak_share", w.peak_share)?;
    d.set_item("peak_customers", w.peak_customers)?;
    d.set_item("peak_fraction", w.peak_fraction)?;
    let top = PyList::empty(py);
    for t in &w.top_shares {
        let r = PyDict::new(py);
        r.set_item("fraction", t.fraction)?;
        r.set_item("customers", t.customers)?;
        r.set_item("share", t.share)?;
        top.append(r)?;
    }
    d.set_item("top_shares", top)?;
    d.set_item("destroyers", positions(py, w.destroyers))?;
    d.set_item("gini", w.gini)?;
    Ok(d)
}

/// The Gini coefficient of `values` (see `clv::portfolio::gini`).
#[pyfunction]
pub(crate) fn gini(py: Python<'_>, values: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
    let v = slice(&values);
    map(py.detach(|| portfolio::gini(&v)))
}

/// Value tiers (see `clv::portfolio::value_tiers`) as a dict; `method` is
/// "share" (alias "cumulative_share") or "quantile".
#[pyfunction]
pub(crate) fn value_tiers<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, f64>,
    cuts: PyReadonlyArray1<'py, f64>,
    method: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let m = map(tier_method(method))?;
    let (v, c) = (slice(&values), slice(&cuts));
    let t = map(py.detach(|| portfolio::value_tiers(&v, &c, m)))?;
    let d = PyDict::new(py);
    d.set_item("method", tier_method_name(t.method))?;
    d.set_item("cuts", t.cuts)?;
    d.set_item("tier", t.tier)?;
    let rows = PyList::empty(py);
    for s in &t.tiers {
        let r = PyDict::new(py);
        r.set_item("tier", &s.tier)?;
        r.set_item("customers", s.customers)?;
        r.set_item("value", s.value)?;
        r.set_item("share", s.share)?;
        rows.append(r)?;
    }
    d.set_item("tiers", rows)?;
    Ok(d)
}

/// `values × (1 − p_alive)` per customer (see `clv::portfolio::revenue_at_risk`).
#[pyfunction]
pub(crate) fn revenue_at_risk<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, f64>,
    p_alive: PyReadonlyArray1<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let (v, p) = (slice(&values), slice(&p_alive));
    let r = map(py.detach(|| portfolio::revenue_at_risk(&v, &p)))?;
    Ok(out(py, r))
}

/// Revenue at risk with totals and the ranking (see
/// `clv::portfolio::risk_ranking`) as a dict.
#[pyfunction]
pub(crate) fn risk_ranking<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, f64>,
    p_alive: PyReadonlyArray1<'py, f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let (v, p) = (slice(&values), slice(&p_alive));
    let r = map(py.detach(|| portfolio::risk_ranking(&v, &p)))?;
    let d = PyDict::new(py);
    d.set_item("value_at_risk", out(py, r.value_at_risk))?;
    d.set_item("total", r.total)?;
    d.set_item("total_value", r.total_value)?;
    d.set_item("share", r.share)?;
    d.set_item("expected_retained", r.expected_retained)?;
    let rows = PyList::empty(py);
    for c in &r.at_risk {
        let row = PyDict::new(py);
        row.set_item("index", c.index)?;
        row.set_item("value", c.value)?;
        row.set_item("p_alive", c.p_alive)?;
        row.set_item("value_at_risk", c.value_at_risk)?;
        rows.append(row)?;
    }
    d.set_item("at_risk", rows)?;
    Ok(d)
}

/// Retention-offer ceilings (see `clv::portfolio::offer_ceiling`) as a dict.
#[pyfunction]
pub(crate) fn offer_ceiling<'py>(
    py: Python<'py>,
    clv: PyReadonlyArray1<'py, f64>,
    p_alive: PyReadonlyArray1<'py, f64>,
    success_rate: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (c, p) = (slice(&clv), slice(&p_alive));
    let o = map(py.detach(|| portfolio::offer_ceiling(&c, &p, success_rate)))?;
    let d = PyDict::new(py);
    d.set_item("value_if_retained", out(py, o.value_if_retained))?;
    d.set_item("value_if_lost", out(py, o.value_if_lost))?;
    d.set_item("value_without_offer", out(py, o.value_without_offer))?;
    d.set_item("ceiling", out(py, o.ceiling))?;
    Ok(d)
}

/// Per-customer revenue, transactions and margin from a coded transaction
/// log (see `clv::portfolio::customer_totals`): customers are codes
/// `0..n_customers` (the Python layer factorises the id column); the result
/// rows are in code order.
#[pyfunction]
pub(crate) fn customer_totals<'py>(
    py: Python<'py>,
    codes: PyReadonlyArray1<'py, u32>,
    n_customers: usize,
    amounts: PyReadonlyArray1<'py, f64>,
    margin_rate: f64,
    cost_per_transaction: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let names: Vec<String> = (0..n_customers).map(|i| i.to_string()).collect();
    let ids = clv::summary::CustomerIds::from_parts(codes.as_array().to_vec(), names);
    let a = slice(&amounts);
    let t =
        map(py.detach(|| portfolio::customer_totals(&ids, &a, margin_rate, cost_per_transaction)))?;
    let d = PyDict::new(py);
    d.set_item("revenue", out(py, t.revenue))?;
    d.set_item("transactions", out(py, t.transactions))?;
    d.set_item("margin", out(py, t.margin))?;
    Ok(d)
}

fn uplift_dict<'py>(py: Python<'py>, u: &Uplift) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("metric", metric_name(u.metric))?;
    d.set_item("method", u.method)?;
    d.set_item("confidence", u.confidence)?;
    d.set_item("n_treated", u.n_treated)?;
    d.set_item("n_control", u.n_control)?;
    d.set_item("mean_treated", u.mean_treated)?;
    d.set_item("mean_control", u.mean_control)?;
    d.set_item("effect", u.effect)?;
    d.set_item("ci_low", u.ci_low)?;
    d.set_item("ci_high", u.ci_high)?;
    d.set_item("std_error", u.std_error)?;
    d.set_item("df", u.df)?;
    d.set_item("statistic", u.statistic)?;
    d.set_item("p_value", u.p_value)?;
    d.set_item("relative_effect", u.relative_effect)?;
    d.set_item("population", u.population)?;
    d.set_item("total", u.total)?;
    d.set_item("total_ci_low", u.total_ci_low)?;
    d.set_item("total_ci_high", u.total_ci_high)?;
    Ok(d)
}

/// Uplift of treated over control (see `clv::experiment::uplift`) as a dict.
#[pyfunction]
#[pyo3(signature = (treated, control, confidence=0.95, metric="continuous", population=None))]
pub(crate) fn uplift<'py>(
    py: Python<'py>,
    treated: PyReadonlyArray1<'py, f64>,
    control: PyReadonlyArray1<'py, f64>,
    confidence: f64,
    metric: &str,
    population: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let o = map(uplift_options(confidence, metric, population))?;
    let (t, c) = (slice(&treated), slice(&control));
    let u = map(py.detach(|| clv::experiment::uplift(&t, &c, &o)))?;
    uplift_dict(py, &u)
}

/// Uplift on a binary metric from counts (see
/// `clv::experiment::uplift_proportions`) as a dict.
#[pyfunction]
#[pyo3(signature = (successes_treated, n_treated, successes_control, n_control, confidence=0.95, population=None))]
pub(crate) fn uplift_proportions<'py>(
    py: Python<'py>,
    successes_treated: u64,
    n_treated: u64,
    successes_control: u64,
    n_control: u64,
    confidence: f64,
    population: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let o = map(uplift_options(confidence, "binary", population))?;
    let u = map(clv::experiment::uplift_proportions(
        successes_treated,
        n_treated,
        successes_control,
        n_control,
        &o,
    ))?;
    uplift_dict(py, &u)
}

/// The Wilson score interval of `successes / n` (see
/// `clv::experiment::wilson_interval`).
#[pyfunction]
#[pyo3(signature = (successes, n, confidence=0.95))]
pub(crate) fn wilson_interval(successes: u64, n: u64, confidence: f64) -> PyResult<(f64, f64)> {
    map(clv::experiment::wilson_interval(successes, n, confidence))
}

/// Stratified uplift (see `clv::experiment::uplift_stratified`) as a dict
/// `{"overall": {...}, "strata": [{...}, ...]}`.
#[pyfunction]
#[pyo3(signature = (treated, treated_strata, control, control_strata, confidence=0.95, metric="continuous", population=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn uplift_stratified<'py>(
    py: Python<'py>,
    treated: PyReadonlyArray1<'py, f64>,
    treated_strata: Vec<String>,
    control: PyReadonlyArray1<'py, f64>,
    control_strata: Vec<String>,
    confidence: f64,
    metric: &str,
    population: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let o = map(uplift_options(confidence, metric, population))?;
    let (t, c) = (slice(&treated), slice(&control));
    let s: StratifiedUplift = map(py.detach(|| {
        clv::experiment::uplift_stratified(&t, &treated_strata, &c, &control_strata, &o)
    }))?;
    let d = PyDict::new(py);
    d.set_item("overall", uplift_dict(py, &s.overall)?)?;
    let rows = PyList::empty(py);
    for st in &s.strata {
        let r = PyDict::new(py);
        r.set_item("stratum", &st.stratum)?;
        r.set_item("n_treated", st.n_treated)?;
        r.set_item("n_control", st.n_control)?;
        r.set_item("weight", st.weight)?;
        r.set_item("mean_treated", st.mean_treated)?;
        r.set_item("mean_control", st.mean_control)?;
        r.set_item("effect", st.effect)?;
        r.set_item("std_error", st.std_error)?;
        rows.append(r)?;
    }
    d.set_item("strata", rows)?;
    Ok(d)
}

/// Registers the functions of this module in `clv._clv`.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(whale_curve, m)?)?;
    m.add_function(wrap_pyfunction!(gini, m)?)?;
    m.add_function(wrap_pyfunction!(value_tiers, m)?)?;
    m.add_function(wrap_pyfunction!(revenue_at_risk, m)?)?;
    m.add_function(wrap_pyfunction!(risk_ranking, m)?)?;
    m.add_function(wrap_pyfunction!(offer_ceiling, m)?)?;
    m.add_function(wrap_pyfunction!(customer_totals, m)?)?;
    m.add_function(wrap_pyfunction!(uplift, m)?)?;
    m.add_function(wrap_pyfunction!(uplift_proportions, m)?)?;
    m.add_function(wrap_pyfunction!(wilson_interval, m)?)?;
    m.add_function(wrap_pyfunction!(uplift_stratified, m)?)?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_or_name_the_field() {
        assert_eq!(tier_method("share").unwrap(), TierMethod::CumulativeShare);
        assert_eq!(
            tier_method("cumulative_share").unwrap(),
            TierMethod::CumulativeShare
        );
        assert_eq!(tier_method("quantile").unwrap(), TierMethod::Quantile);
        assert_eq!(tier_method("abc").unwrap_err().field(), Some("method"));
        assert_eq!(metric("binary").unwrap(), Metric::Binary);
        assert_eq!(metric("yes").unwrap_err().field(), Some("metric"));
    }
}
