//! `clv._clv`: the native half of the Python package `clv`.
//!
//! This crate only converts types and errors and calls the core crate `clv`;
//! it holds no formula (DESIGN.md, "All math lives in the core"). The
//! pure-Python package `clv` (in `python/clv`) wraps it with the API of
//! DESIGN.md (pandas/polars frames, Series index, `fit` returning `self`,
//! pickling) and builds its model classes from [`models::registry`].
//!
//! Layout (by concept, as the core): [`error`] (the one error mapping and
//! the GIL-releasing [`error::enter`]), [`conversion`] (arrays and the core's
//! result structs, each converted once), [`models`] (one `Model` class over
//! `clv::AnyModel`), [`covariates`] (`CovariateModel`, static covariates), [`summary`], [`formulas`], [`portfolio`], [`diagnostics`].
//!
//! Conventions:
//! - numeric arrays come in as contiguous numpy arrays, borrowed without a
//!   copy (the Python layer calls `np.ascontiguousarray`, a no-op for such
//!   arrays); results go out as new numpy arrays;
//! - the GIL is released while the core fits or scores;
//! - every core [`clv::Error`] becomes `clv.ClvError` (a `ValueError`) with
//!   attributes `code` and `field`; no panic crosses into Python (pyo3 turns a
//!   panic into `PanicException`, and the core does not panic on valid or
//!   invalid input).

use pyo3::prelude::*;

mod conversion;
mod covariates;
mod diagnostics;
mod error;
mod formulas;
mod grouped;
mod models;
mod portfolio;
mod scale;
mod summary;
mod uncertainty;

/// The native module `clv._clv`.
#[pymodule]
fn _clv(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ClvError", m.py().get_type::<error::ClvError>())?;
    m.add_class::<models::PyModel>()?;
    m.add_class::<covariates::PyCovariateModel>()?;
    m.add_class::<covariates::PyDynamicData>()?;
    m.add_class::<covariates::PySpendCovariateModel>()?;
    m.add_class::<covariates::PyRetentionCovariateModel>()?;
    m.add_class::<uncertainty::PyDraws>()?;
    m.add_class::<grouped::PyGroupedDraws>()?;
    m.add_function(wrap_pyfunction!(models::registry, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::sample, m)?)?;
    m.add_function(wrap_pyfunction!(uncertainty::check_prior_options, m)?)?;
    m.add_function(wrap_pyfunction!(grouped::sample_grouped, m)?)?;
    m.add_function(wrap_pyfunction!(models::customer_lifetime_value, m)?)?;
    m.add_function(wrap_pyfunction!(summary::summarize, m)?)?;
    m.add_function(wrap_pyfunction!(summary::unit_words, m)?)?;
    m.add_function(wrap_pyfunction!(summary::unit_with_multiplier, m)?)?;
    m.add_function(wrap_pyfunction!(summary::rfm_scores, m)?)?;
    m.add_function(wrap_pyfunction!(summary::rfm_segments, m)?)?;
    m.add_function(wrap_pyfunction!(summary::default_segment_map, m)?)?;
    m.add_function(wrap_pyfunction!(formulas::waland_cole, m)?)?;
    m.add_function(wrap_pyfunction!(formulas::waland_cole_constant, m)?)?;
    m.add_function(wrap_pyfunction!(formulas::simple_clv, m)?)?;
    m.add_function(wrap_pyfunction!(formulas::retention_clv, m)?)?;
    m.add_function(wrap_pyfunction!(formulas::contribution_margin, m)?)?;
    m.add_function(wrap_pyfunction!(formulas::contribution_margins, m)?)?;
    m.add_function(wrap_pyfunction!(portfolio::whale_curve, m)?)?;
    m.add_function(wrap_pyfunction!(portfolio::gini, m)?)?;
    m.add_function(wrap_pyfunction!(portfolio::value_tiers, m)?)?;
    m.add_function(wrap_pyfunction!(portfolio::revenue_at_risk, m)?)?;
    m.add_function(wrap_pyfunction!(portfolio::risk_ranking, m)?)?;
    m.add_function(wrap_pyfunction!(portfolio::offer_ceiling, m)?)?;
    m.add_function(wrap_pyfunction!(portfolio::customer_totals, m)?)?;
    m.add_function(wrap_pyfunction!(portfolio::uplift, m)?)?;
    m.add_function(wrap_pyfunction!(portfolio::uplift_proportions, m)?)?;
    m.add_function(wrap_pyfunction!(portfolio::wilson_interval, m)?)?;
    m.add_function(wrap_pyfunction!(portfolio::uplift_stratified, m)?)?;
    m.add_function(wrap_pyfunction!(diagnostics::tracking_series, m)?)?;
    m.add_function(wrap_pyfunction!(diagnostics::alive_path, m)?)?;
    m.add_function(wrap_pyfunction!(diagnostics::customer_exposure, m)?)?;
    m.add_function(wrap_pyfunction!(diagnostics::period_transactions, m)?)?;
    m.add_function(wrap_pyfunction!(diagnostics::calibration_vs_holdout, m)?)?;
    m.add_function(wrap_pyfunction!(diagnostics::heterogeneity, m)?)?;
    m.add_function(wrap_pyfunction!(diagnostics::simulate, m)?)?;
    m.add_function(wrap_pyfunction!(diagnostics::frequency_recency_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(diagnostics::simulate_spend, m)?)?;
    m.add_function(wrap_pyfunction!(diagnostics::simulate_survivors, m)?)?;
    m.add_function(wrap_pyfunction!(
        diagnostics::tracking_series_from_transactions,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(scale::partial_sums, m)?)?;
    m.add_function(wrap_pyfunction!(scale::fit_from_partial_sums, m)?)?;
    m.add_function(wrap_pyfunction!(scale::compress, m)?)?;
    m.add_function(wrap_pyfunction!(scale::window_end, m)?)?;
    Ok(())
}
