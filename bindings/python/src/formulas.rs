//! Deterministic value formulas on exact decimals: decimal strings in,
//! decimal strings out, read and written by the core
//! ([`clv::formulas::text`]).

use clv::formulas::text;
use pyo3::prelude::*;

use crate::error::Res;

/// Waland & Cole client value with per-period series (decimal strings).
#[pyfunction]
pub(crate) fn waland_cole(
    volume: Vec<String>,
    margin: Vec<String>,
    direct_costs: Vec<String>,
    retention_costs: Vec<String>,
    acquisition_cost: &str,
    cost_of_capital: &str,
) -> Res<String> {
    let (v, m, d, r) = (&volume, &margin, &direct_costs, &retention_costs);
    Ok(text::waland_cole(
        v,
        m,
        d,
        r,
        acquisition_cost,
        cost_of_capital,
    )?)
}

/// Waland & Cole client value with constant per-period values.
#[pyfunction]
pub(crate) fn waland_cole_constant(
    volume: &str,
    margin: &str,
    direct_costs: &str,
    retention_costs: &str,
    periods: u32,
    acquisition_cost: &str,
    cost_of_capital: &str,
) -> Res<String> {
    let (v, m, d, r) = (volume, margin, direct_costs, retention_costs);
    Ok(text::waland_cole_constant(
        v,
        m,
        d,
        r,
        periods,
        acquisition_cost,
        cost_of_capital,
    )?)
}

/// Simple CLV: APV × frequency × lifespan × margin rate − acquisition − retention.
#[pyfunction]
pub(crate) fn simple_clv(
    average_purchase_value: &str,
    purchase_frequency: &str,
    lifespan: &str,
    margin_rate: &str,
    acquisition_cost: &str,
    retention_cost: &str,
) -> Res<String> {
    Ok(text::simple_clv(
        average_purchase_value,
        purchase_frequency,
        lifespan,
        margin_rate,
        acquisition_cost,
        retention_cost,
    )?)
}

/// Retention CLV m·r/(1+i−r), or the finite-horizon sum over `periods`.
#[pyfunction]
#[pyo3(signature = (margin, retention, discount_rate, periods=None))]
pub(crate) fn retention_clv(
    margin: &str,
    retention: &str,
    discount_rate: &str,
    periods: Option<u32>,
) -> Res<String> {
    Ok(text::retention_clv(
        margin,
        retention,
        discount_rate,
        periods,
    )?)
}

/// Contribution margin: revenue − variable costs − cost to serve.
#[pyfunction]
pub(crate) fn contribution_margin(
    revenue: &str,
    variable_costs: &str,
    cost_to_serve: &str,
) -> Res<String> {
    Ok(text::contribution_margin(
        revenue,
        variable_costs,
        cost_to_serve,
    )?)
}

/// Contribution margins of many customers.
#[pyfunction]
pub(crate) fn contribution_margins(
    revenue: Vec<String>,
    variable_costs: Vec<String>,
    cost_to_serve: Vec<String>,
) -> Res<Vec<String>> {
    Ok(text::contribution_margins(
        &revenue,
        &variable_costs,
        &cost_to_serve,
    )?)
}
