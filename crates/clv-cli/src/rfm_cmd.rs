//! `clv rfm`: RFM scores, codes and segments per customer.

use std::path::PathBuf;

use clap::Args;
use clv::rfm;
use clv::{Error, Result};

use crate::data::{RfmInput, score, segment_map};
use crate::input::{self, ColumnArgs, PeriodArgs, SummaryColumnArgs};
use crate::render::{Format, csv_field};

/// Arguments of `clv rfm`.
#[derive(Debug, Args)]
pub struct RfmArgs {
    /// Transaction file (needs --amount-col). Omit it when using --summary.
    pub file: Option<PathBuf>,
    /// Read a per-customer summary CSV (as written by `clv summary`) instead
    /// of a transaction file.
    #[arg(long, conflicts_with = "file")]
    pub summary: Option<PathBuf>,
    #[command(flatten)]
    pub columns: ColumnArgs,
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub summary_columns: SummaryColumnArgs,
    /// Number of quantile bins per dimension (2..=9).
    #[arg(long, default_value_t = 5)]
    pub bins: u8,
    /// JSON file with a custom segment map
    /// (`[{"name": "Champions", "r": [5, 5], "f": [4, 5], "m": [1, 5]}, ...]`).
    #[arg(long)]
    pub segment_map: Option<PathBuf>,
    /// Print only the segment table (counts and shares).
    #[arg(long)]
    pub segments_only: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Write to this file instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

fn load(args: &RfmArgs) -> Result<RfmInput> {
    if let Some(path) = &args.summary {
        let c = &args.summary_columns;
        let cols = c.read(path)?;
        return Ok(RfmInput {
            frequency: cols.get(&c.frequency_col)?.to_vec(),
            recency: cols.get(&c.recency_col)?.to_vec(),
            t: cols.get(&c.t_col)?.to_vec(),
            monetary_value: cols.get(&c.monetary_col)?.to_vec(),
            customer_id: cols.ids,
        });
    }
    let Some(file) = &args.file else {
        return Err(Error::invalid(
            "file",
            "(none)",
            "a transaction file, or --summary FILE",
        ));
    };
    if args.columns.amount_col.is_none() {
        return Err(Error::invalid(
            "amount_col",
            "(none)",
            "--amount-col: RFM needs transaction amounts",
        ));
    }
    let options = args.period.summary_options(args.columns.skip_invalid)?;
    let (table, progress) = input::read_file(file, &args.columns)?;
    let s = input::summarize(&table, &options, &progress)?;
    Ok(RfmInput {
        monetary_value: s.monetary_value.unwrap_or_default(),
        customer_id: s.customer_id,
        frequency: s.frequency,
        recency: s.recency,
        t: s.t,
    })
}

/// Runs `clv rfm`.
pub fn run(args: &RfmArgs) -> Result<()> {
    let input = load(args)?;
    let map = segment_map(args.segment_map.as_ref())?;
    let (scores, segments) = score(&input, args.bins, &map)?;
    let table = rfm::segment_table(&segments, &map);
    let codes = scores.codes();
    let mut out = crate::output(args.output.as_deref())?;
    let text = match (args.format, args.segments_only) {
        (Format::Csv, true) => {
            let mut s = String::from("segment,customers,share\n");
            for row in &table {
                s.push_str(&format!(
                    "{},{},{}\n",
                    row.segment, row.customers, row.share
                ));
            }
            s
        }
        (Format::Csv, false) => {
            let mut s = String::from(
                "customer_id,frequency,recency,T,monetary_value,r_score,f_score,m_score,rfm_score,segment\n",
            );
            for i in 0..input.frequency.len() {
                s.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{}\n",
                    csv_field(&input.customer_id[i]),
                    input.frequency[i],
                    input.recency[i],
                    input.t[i],
                    input.monetary_value[i],
                    scores.r_score[i],
                    scores.f_score[i],
                    scores.m_score[i],
                    codes[i],
                    csv_field(&segments[i]),
                ));
            }
            s
        }
        (Format::Json, segments_only) => {
            let segs: Vec<_> = table
                .iter()
                .map(|r| {
                    serde_json::json!({"segment": r.segment, "customers": r.customers, "share": r.share})
                })
                .collect();
            let doc = if segments_only {
                serde_json::json!({ "bins": args.bins, "segments": segs })
            } else {
                serde_json::json!({
                    "bins": args.bins,
                    "segments": segs,
                    "customers": {
                        "customer_id": input.customer_id,
                        "r_score": scores.r_score,
                        "f_score": scores.f_score,
                        "m_score": scores.m_score,
                        "rfm_score": codes,
                        "segment": segments,
                    }
                })
            };
            serde_json::to_string(&doc).unwrap_or_default() + "\n"
        }
    };
    crate::write_out(&mut out, &text)
}
