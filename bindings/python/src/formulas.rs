//! Deterministic value formulas on exact decimals (`clv::formulas`): decimal
//! strings in ([`clv::formulas::parse_decimal`]), decimal strings out.

use clv::formulas::{self, parse_decimal};
use pyo3::prelude::*;
use rust_decimal::Decimal;

use crate::error::Res;

/// Parses one decimal string per element, naming `field[i]` in an error.
fn decimals(field: &str, texts: &[String]) -> clv::Result<Vec<Decimal>> {
    let parse = |(i, t): (usize, &String)| parse_decimal(field, t).map_err(|e| e.at_index(i));
    texts.iter().enumerate().map(parse).collect()
}

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
    let input = formulas::WalandColeInput {
        volume: decimals("volume", &volume)?,
        margin: decimals("margin", &margin)?,
        direct_costs: decimals("direct_costs", &direct_costs)?,
        retention_costs: decimals("retention_costs", &retention_costs)?,
        acquisition_cost: parse_decimal("acquisition_cost", acquisition_cost)?,
        cost_of_capital: parse_decimal("cost_of_capital", cost_of_capital)?,
    };
    Ok(formulas::waland_cole(&input)?.to_string())
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
    Ok(formulas::waland_cole_constant(
        parse_decimal("volume", volume)?,
        parse_decimal("margin", margin)?,
        parse_decimal("direct_costs", direct_costs)?,
        parse_decimal("retention_costs", retention_costs)?,
        periods,
        parse_decimal("acquisition_cost", acquisition_cost)?,
        parse_decimal("cost_of_capital", cost_of_capital)?,
    )?
    .to_string())
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
    Ok(formulas::simple_clv(
        parse_decimal("average_purchase_value", average_purchase_value)?,
        parse_decimal("purchase_frequency", purchase_frequency)?,
        parse_decimal("lifespan", lifespan)?,
        parse_decimal("margin_rate", margin_rate)?,
        parse_decimal("acquisition_cost", acquisition_cost)?,
        parse_decimal("retention_cost", retention_cost)?,
    )?
    .to_string())
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
    let m = parse_decimal("margin", margin)?;
    let (r, i) = (
        parse_decimal("retention", retention)?,
        parse_decimal("discount_rate", discount_rate)?,
    );
    let v = match periods {
        None => formulas::retention_clv(m, r, i)?,
        Some(n) => formulas::retention_clv_finite(m, r, i, n)?,
    };
    Ok(v.to_string())
}

/// Contribution margin: revenue − variable costs − cost to serve.
#[pyfunction]
pub(crate) fn contribution_margin(
    revenue: &str,
    variable_costs: &str,
    cost_to_serve: &str,
) -> Res<String> {
    Ok(formulas::contribution_margin(
        parse_decimal("revenue", revenue)?,
        parse_decimal("variable_costs", variable_costs)?,
        parse_decimal("cost_to_serve", cost_to_serve)?,
    )?
    .to_string())
}

/// Contribution margins of many customers.
#[pyfunction]
pub(crate) fn contribution_margins(
    revenue: Vec<String>,
    variable_costs: Vec<String>,
    cost_to_serve: Vec<String>,
) -> Res<Vec<String>> {
    let v = formulas::contribution_margins(
        &decimals("revenue", &revenue)?,
        &decimals("variable_costs", &variable_costs)?,
        &decimals("cost_to_serve", &cost_to_serve)?,
    )?;
    Ok(v.iter().map(Decimal::to_string).collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_or_name_the_field_and_index() {
        let d = decimals("volume", &[" 0.25 ".into(), "1e-2".into()]).unwrap();
        assert_eq!(d, [Decimal::new(25, 2), Decimal::new(1, 2)]);
        let e = decimals("volume", &["1".into(), "x".into()]).unwrap_err();
        assert!(e.to_string().starts_with("invalid volume[1]: \"x\""), "{e}");
    }
}
