//! The diagnostics of both JS bindings: the optional arguments with their
//! defaults, and the tracking series of a transaction file for
//! `trackingSeriesFromCsv` (the file is read as `summarize_csv` reads it,
//! then `clv::diagnostics::tracking_log` groups it into periods of `freq`
//! and tracks it through the observation end).

use clv::Result;
use clv::diagnostics::{HoldoutGroup, MatrixOf, TrackingLog, tracking_log};
use clv::error::check::whole;
use clv::io::{ColumnRef, Delimiter, ReadOptions, read_transactions};
use clv::models::TransactionModel;

use crate::{CsvArgs, SummaryArgs};

/// Reads a transaction file (its bytes, columns as `csv`) and tracks its
/// repeat transactions against `model` through `args`' observation end (the
/// last transaction without one), in `args.freq` (default `"D"`), marking
/// the calibration end when given.
///
/// # Errors
/// Those of [`read_transactions`], [`SummaryArgs::to_options`] and
/// [`tracking_log`].
pub fn tracking_csv(
    model: &dyn TransactionModel,
    text: &[u8],
    csv: &CsvArgs,
    args: &SummaryArgs,
) -> Result<TrackingLog> {
    let delimiter: Delimiter = csv.delimiter.as_deref().unwrap_or("auto").parse()?;
    let options = ReadOptions {
        customer_col: ColumnRef::parse(&csv.customer_id_col),
        date_col: ColumnRef::parse(&csv.datetime_col),
        amount_col: None,
        date_format: args.date_format.clone(),
        delimiter,
        has_header: csv.has_header.unwrap_or(true),
        skip_invalid: args.skip_invalid.unwrap_or(false),
    };
    let table = read_transactions(text, &options)?;
    let o = args.to_options()?;
    tracking_log(
        model,
        &table.ids.codes,
        &table.timestamps,
        &o.unit,
        None,
        o.observation_end,
        o.calibration_end,
    )
}

/// `trackingSeries`' `multiplier`: periods per model time unit (default 1).
///
/// # Errors
/// Not a whole number.
pub fn multiplier(v: Option<f64>) -> Result<usize> {
    whole("multiplier", v.unwrap_or(1.0))
}

/// `periodTransactions`' `maxFrequency`: the last bin K (K+; default 7).
///
/// # Errors
/// Not a whole number.
pub fn max_frequency(v: Option<f64>) -> Result<usize> {
    whole("maxFrequency", v.unwrap_or(7.0))
}

/// `frequencyRecencyMatrix`' `what` (`"probAlive"`, the default, or
/// `"expectedPurchases"`) over the horizon `t` (default 1).
///
/// # Errors
/// Those of [`MatrixOf::parse`].
pub fn matrix_of(what: Option<&str>, t: Option<f64>) -> Result<MatrixOf> {
    MatrixOf::parse(what.unwrap_or("probAlive"), t.unwrap_or(1.0))
}

/// `calibrationVsHoldout`' `kind` (default `"frequency"`).
///
/// # Errors
/// An unknown kind.
pub fn holdout_group(kind: Option<&str>) -> Result<HoldoutGroup> {
    kind.map_or(Ok(HoldoutGroup::Frequency), str::parse)
}

/// `calibrationVsHoldout`' `maxGroups`: the groups shown (default 7).
///
/// # Errors
/// Not a whole number.
pub fn max_groups(v: Option<f64>) -> Result<usize> {
    whole("maxGroups", v.unwrap_or(7.0))
}

/// `heterogeneity`'s `points`: where the density is evaluated (default 100).
///
/// # Errors
/// Not a whole number.
pub fn points(v: Option<f64>) -> Result<usize> {
    whole("points", v.unwrap_or(100.0))
}
