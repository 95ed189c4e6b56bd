//! The tracking series of a transaction file for `trackingSeriesFromCsv`
//! (both JS bindings): the file is read as `summarize_csv` reads it, then
//! `clv::diagnostics::tracking_log` groups it into periods of `freq` and
//! tracks it through the observation end.

use clv::Result;
use clv::diagnostics::{TrackingLog, tracking_log};
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
