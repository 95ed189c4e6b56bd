//! `clv summary`: transaction log -> per-customer summary.

use std::path::PathBuf;

use clap::Args;
use clv::Result;

use crate::input::{self, ColumnArgs, PeriodArgs};
use crate::render::Format;

/// Arguments of `clv summary`.
#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// Transaction file (CSV, TSV or whitespace-separated).
    pub file: PathBuf,
    #[command(flatten)]
    pub columns: ColumnArgs,
    #[command(flatten)]
    pub period: PeriodArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Write to this file instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Runs `clv summary`.
pub fn run(args: &SummaryArgs) -> Result<()> {
    let options = args.period.summary_options(args.columns.skip_invalid)?;
    // Streamed: memory does not grow with the file, and the CSV is written
    // from the per-customer state (issue 17 #18). The output is opened
    // only once the summary is known to be valid.
    let output = || crate::output(args.output.as_deref());
    match args.format {
        Format::Csv => {
            input::summarize_file_csv(&args.file, &args.columns, &options, output)?;
            Ok(())
        }
        Format::Json => {
            let (summary, skipped_lines) =
                input::summarize_file(&args.file, &args.columns, &options)?;
            let mut out = output()?;
            let mut doc = summary.to_json();
            doc["skipped_lines"] = skipped_lines.into();
            let text = serde_json::to_string(&doc).unwrap_or_default() + "\n";
            crate::write_out(&mut out, &text)
        }
    }
}
