//! Conversions between Python and core types, each written once: arrays in
//! ([`Floats`]), arrays out ([`array`]), and the core's result structs as
//! dicts through the [`Wrap`] newtype (polars' `Wrap<T>`), with the structs'
//! field names.

use std::borrow::Cow;

use clv::bayes::{GroupSummary, ParamSummary};
use clv::diagnostics::{
    AlivePath, HoldoutComparison, MixingCurve, PeriodTransactions, TrackingLog, TrackingSeries,
};
use clv::experiment::{StratifiedUplift, StratumUplift, Uplift};
use clv::fit::{FitInfo, FitOptions};
use clv::models::{CovariateLink, ModelSpec};
use clv::portfolio::{
    CustomerAtRisk, CustomerTotals, OfferCeiling, RiskRanking, TierSummary, TopShare, ValueTiers,
    WhaleCurve,
};
use clv::simulate::{Simulated, SimulatedSpend};
use clv::uncertainty::{Intervals, Total};
use numpy::{Element, IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A 1-d numpy array argument (float64 unless said otherwise), read in place.
pub(crate) type Floats<'py, T = f64> = PyReadonlyArray1<'py, T>;

/// Borrows a 1-d array as a slice (copying only a non-contiguous view).
pub(crate) fn slice<'a, T: Element + Clone>(a: &'a Floats<'_, T>) -> Cow<'a, [T]> {
    match a.as_slice() {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(a.as_array().to_vec()),
    }
}

/// Slices of borrowed arrays.
pub(crate) fn borrow<'a>(arrays: &'a [Cow<'_, [f64]>]) -> Vec<&'a [f64]> {
    arrays.iter().map(AsRef::as_ref).collect()
}

/// Slices of the per-customer arrays.
pub(crate) fn arrays<'a>(a: &'a [Floats<'_>]) -> Vec<Cow<'a, [f64]>> {
    a.iter().map(slice).collect()
}

/// The `N` per-customer arrays a prediction takes (`names` them in an
/// error; the Python layer always passes them).
pub(crate) fn columns<'a, const N: usize>(
    c: &'a [Cow<'_, [f64]>],
    names: &'static str,
) -> clv::Result<[&'a [f64]; N]> {
    let cols: &[Cow<'_, [f64]>; N] = c
        .try_into()
        .map_err(|_| clv::Error::invalid("customers", c.len(), names))?;
    Ok(cols.each_ref().map(|a| &a[..]))
}

/// The keyword arguments of `fit` (checked by the core's fit);
/// `max_iterations` is read as a number, so that −1 or 2**64 is a
/// `ClvError` naming it, not Python's `OverflowError`. `unit` is the
/// inputs' time unit (stored with the fitted model).
pub(crate) fn fit_options(
    penalty: f64,
    max_iterations: f64,
    gradient_tolerance: f64,
    unit: Option<&str>,
) -> clv::Result<FitOptions> {
    Ok(FitOptions {
        max_iterations: u64::from(clv::models::whole_count("max_iterations", max_iterations)?),
        gradient_tolerance,
        penalty,
        unit: unit.map(clv::time::TimeUnit::parse).transpose()?,
    })
}

/// A vector as a new numpy array.
pub(crate) fn array<T: Element>(py: Python<'_>, v: Vec<T>) -> Bound<'_, PyArray1<T>> {
    v.into_pyarray(py)
}

/// A core type converted to Python (a dict with the struct's field names).
pub(crate) struct Wrap<T>(pub T);

/// Builds a dict from `name => value` pairs (a `PyResult`).
macro_rules! dict {
    ($py:expr, { $($key:literal => $value:expr),* $(,)? }) => {{
        let d = pyo3::types::PyDict::new($py);
        $(d.set_item($key, $value)?;)*
        Ok::<_, PyErr>(d)
    }};
}
pub(crate) use dict;

/// `impl IntoPyObject for Wrap<$ty>`: a dict of `name => value` pairs
/// computed from `$v` (the struct), after the keys of `$base` (a nested
/// struct whose dict it extends) when given.
macro_rules! into_dict {
    ($ty:ty, |$py:ident, $v:ident| $(extends $base:expr,)? { $($key:literal => $value:expr),* $(,)? }) => {
        impl<'py> IntoPyObject<'py> for Wrap<$ty> {
            type Target = PyDict;
            type Output = Bound<'py, PyDict>;
            type Error = PyErr;
            fn into_pyobject(self, $py: Python<'py>) -> PyResult<Self::Output> {
                let $v = self.0;
                let d = into_dict!(@start $py $(, $base)?);
                $(d.set_item($key, $value)?;)*
                Ok(d)
            }
        }
    };
    (@start $py:ident) => { PyDict::new($py) };
    (@start $py:ident, $base:expr) => { Wrap($base).into_pyobject($py)? };
}

/// Nested rows as a list of dicts.
fn rows<T>(v: Vec<T>) -> Vec<Wrap<T>> {
    v.into_iter().map(Wrap).collect()
}

into_dict!(&ModelSpec, |py, s| {
    "key" => s.key, "name" => s.name, "class" => s.class, "family" => s.family.as_str(),
    "params" => s.params.to_vec(), "inputs" => s.inputs.to_vec(), "reference" => s.reference,
    "covariates" => rows(s.covariates.iter().collect()),
});

into_dict!(&CovariateLink, |py, l| {
    "effects" => l.effects, "set" => l.set, "params" => l.params.to_vec(), "sign" => l.sign,
});

into_dict!(&FitInfo, |py, f| {
    "log_likelihood" => f.log_likelihood,
    "std_errors" => f.std_errors.clone(),
    "lower_95" => f.ci_95.iter().map(|c| c.0).collect::<Vec<f64>>(),
    "upper_95" => f.ci_95.iter().map(|c| c.1).collect::<Vec<f64>>(),
    "iterations" => f.iterations,
    "converged" => f.converged,
    "gradient_norm" => f.gradient_norm,
    "n_observations" => f.n_observations,
    "n" => f.n_observations,
    "aic" => f.aic,
    "bic" => f.bic,
    "covariance" => f.covariance.clone(),
    "boundary" => f.boundary.clone(),
    "left_out" => f.left_out.as_ref().map(|l| l.indices.clone()),
    "left_out_reason" => f.left_out.as_ref().map(|l| l.reason.clone()),
    "unit" => f.unit.clone(),
    "warnings" => f.warnings.clone(),
});

into_dict!(WhaleCurve, |py, w| {
    "order" => array(py, w.order),
    "sorted_values" => array(py, w.sorted_values),
    "cumulative_share" => array(py, w.cumulative_share),
    "total" => w.total, "created" => w.created, "destroyed" => w.destroyed,
    "peak_share" => w.peak_share, "peak_customers" => w.peak_customers,
    "peak_fraction" => w.peak_fraction,
    "top_shares" => rows(w.top_shares),
    "destroyers" => array(py, w.destroyers),
    "gini" => w.gini,
});

into_dict!(TopShare, |py, t| {
    "fraction" => t.fraction, "customers" => t.customers, "share" => t.share,
});

into_dict!(ValueTiers, |py, t| {
    "method" => t.method.as_str(), "cuts" => t.cuts, "tier" => t.tier, "tiers" => rows(t.tiers),
});

into_dict!(TierSummary, |py, s| {
    "tier" => s.tier, "customers" => s.customers, "value" => s.value, "share" => s.share,
});

into_dict!(RiskRanking, |py, r| {
    "value_at_risk" => array(py, r.value_at_risk),
    "total" => r.total, "total_value" => r.total_value, "share" => r.share,
    "expected_retained" => r.expected_retained,
    "at_risk" => rows(r.at_risk),
});

into_dict!(CustomerAtRisk, |py, c| {
    "index" => c.index, "value" => c.value, "p_alive" => c.p_alive,
    "value_at_risk" => c.value_at_risk,
});

into_dict!(OfferCeiling, |py, o| {
    "value_if_retained" => array(py, o.value_if_retained),
    "value_if_lost" => array(py, o.value_if_lost),
    "value_without_offer" => array(py, o.value_without_offer),
    "ceiling" => array(py, o.ceiling),
});

into_dict!(CustomerTotals, |py, t| {
    "revenue" => array(py, t.revenue),
    "transactions" => array(py, t.transactions),
    "margin" => array(py, t.margin),
});

into_dict!(Uplift, |py, u| {
    "metric" => u.metric.as_str(), "method" => u.method, "confidence" => u.confidence,
    "n_treated" => u.n_treated, "n_control" => u.n_control,
    "mean_treated" => u.mean_treated, "mean_control" => u.mean_control,
    "effect" => u.effect, "ci_low" => u.ci_low, "ci_high" => u.ci_high,
    "std_error" => u.std_error, "df" => u.df, "statistic" => u.statistic,
    "p_value" => u.p_value, "relative_effect" => u.relative_effect,
    "population" => u.population, "total" => u.total,
    "total_ci_low" => u.total_ci_low, "total_ci_high" => u.total_ci_high,
});

into_dict!(StratifiedUplift, |py, s| {
    "overall" => Wrap(s.overall), "strata" => rows(s.strata),
});

into_dict!(StratumUplift, |py, s| {
    "stratum" => s.stratum, "n_treated" => s.n_treated, "n_control" => s.n_control,
    "weight" => s.weight, "mean_treated" => s.mean_treated, "mean_control" => s.mean_control,
    "effect" => s.effect, "std_error" => s.std_error,
});

into_dict!(TrackingSeries, |py, s| {
    "time" => array(py, s.time), "actual" => array(py, s.actual),
    "expected" => array(py, s.expected),
    "actual_incremental" => array(py, s.actual_incremental),
    "expected_incremental" => array(py, s.expected_incremental),
});

// The series' dict with `start` (seconds since 1970-01-01), `n_periods`
// and `calibration_time` (None without a calibration end).
into_dict!(TrackingLog, |py, log| extends log.series, {
    "start" => log.start, "n_periods" => log.n_periods, "calibration_time" => log.calibration_time,
});

into_dict!(AlivePath, |py, a| {
    "T" => array(py, a.t), "frequency" => array(py, a.frequency),
    "recency" => array(py, a.recency), "prob_alive" => array(py, a.prob_alive),
});

into_dict!(PeriodTransactions, |py, d| {
    "labels" => d.labels, "actual" => array(py, d.actual), "expected" => array(py, d.expected),
});

into_dict!(HoldoutComparison, |py, c| {
    "key" => array(py, c.key), "customers" => array(py, c.customers),
    "actual" => array(py, c.actual), "expected" => array(py, c.expected),
});

into_dict!(MixingCurve, |py, m| {
    "distribution" => m.distribution, "a" => m.a, "b" => m.b,
    "mean" => m.mean, "variance" => m.variance,
    "x" => array(py, m.x), "pdf" => array(py, m.pdf),
});

into_dict!(Simulated, |py, s| {
    "frequency" => array(py, s.frequency), "recency" => array(py, s.recency),
    "T" => array(py, s.t), "rate" => array(py, s.rate), "dropout" => array(py, s.dropout),
    "alive" => array(py, s.alive),
    "purchase_customer" => array(py, s.purchase_customer.into_iter().map(|c| c as u64).collect()),
    "purchase_time" => array(py, s.purchase_time),
});

into_dict!(SimulatedSpend, |py, s| {
    "frequency" => array(py, s.frequency), "monetary_value" => array(py, s.monetary_value),
    "nu" => array(py, s.nu),
});

into_dict!(Intervals, |py, v| {
    "quantiles" => v.quantiles, "mean" => v.mean, "values" => v.values, "total" => Wrap(v.total),
});

into_dict!(Total, |py, t| { "mean" => t.mean, "values" => t.values });

into_dict!(ParamSummary, |py, r| {
    "param" => r.param, "mean" => r.mean, "sd" => r.sd, "q05" => r.q05, "q95" => r.q95,
    "r_hat" => r.r_hat, "ess_bulk" => r.ess_bulk, "ess_tail" => r.ess_tail,
    "divergences" => r.divergences,
});

// A parameter's summary row with its `group` (None for mu and tau) and `term`.
into_dict!(GroupSummary, |py, g| extends g.stats, { "group" => g.group, "term" => g.term });
