//! Command-line options shared by the commands that read transaction or
//! summary files, and their conversion into `clv::io` options.

use std::fs::File;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use clv::io::{ColumnRef, Delimiter, ReadOptions, TransactionTable};
use clv::summary::{Summary, SummaryOptions};
use clv::time::{TimeUnit, parse_timestamp};
use clv::{Error, Result};

use crate::progress::Progress;

/// Field separator of the input file.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DelimiterArg {
    /// Sniff from the first line.
    Auto,
    /// `,`
    Comma,
    /// Tab.
    Tab,
    /// `;`
    Semicolon,
    /// Runs of spaces or tabs (e.g. CDNOW_master.txt).
    Whitespace,
}

impl From<DelimiterArg> for Delimiter {
    fn from(d: DelimiterArg) -> Self {
        match d {
            DelimiterArg::Auto => Delimiter::Auto,
            DelimiterArg::Comma => Delimiter::Comma,
            DelimiterArg::Tab => Delimiter::Tab,
            DelimiterArg::Semicolon => Delimiter::Semicolon,
            DelimiterArg::Whitespace => Delimiter::Whitespace,
        }
    }
}

/// How to read the columns of a transaction file.
#[derive(Debug, Clone, Args)]
pub struct ColumnArgs {
    /// Customer id column: a header name, or a 1-based position.
    #[arg(long, default_value = "customer_id")]
    pub customer_col: String,
    /// Transaction date column: a header name, or a 1-based position.
    #[arg(long, default_value = "date")]
    pub date_col: String,
    /// Transaction amount column (enables monetary_value).
    #[arg(long)]
    pub amount_col: Option<String>,
    /// Date format (strftime, e.g. `%d/%m/%Y`); default accepts YYYY-MM-DD,
    /// YYYYMMDD and ISO timestamps.
    #[arg(long)]
    pub date_format: Option<String>,
    /// Field separator.
    #[arg(long, value_enum, default_value = "auto")]
    pub delimiter: DelimiterArg,
    /// The file has no header line; columns are then given by position.
    #[arg(long)]
    pub no_header: bool,
    /// Skip rows that cannot be used (unparseable, negative amounts, after the
    /// observation end) instead of failing; the count is reported on stderr.
    #[arg(long)]
    pub skip_invalid: bool,
}

/// The time unit and the observation window.
#[derive(Debug, Clone, Args)]
pub struct PeriodArgs {
    /// Time unit: D (day), W (ISO week, Monday..Sunday), M (month), H (hour),
    /// or `<n>d` (days, counts divided by n; `7d` gives weeks of 7 days).
    #[arg(long, default_value = "D")]
    pub freq: String,
    /// End of the observation period (default: the last transaction date).
    #[arg(long)]
    pub observation_end: Option<String>,
    /// End of the calibration period: adds the holdout columns.
    #[arg(long)]
    pub calibration_end: Option<String>,
}

impl ColumnArgs {
    fn read_options(&self) -> ReadOptions {
        ReadOptions {
            customer_col: column(&self.customer_col),
            date_col: column(&self.date_col),
            amount_col: self.amount_col.as_deref().map(column),
            date_format: self.date_format.clone(),
            delimiter: self.delimiter.into(),
            has_header: !self.no_header,
            skip_invalid: self.skip_invalid,
        }
    }
}

fn column(text: &str) -> ColumnRef {
    ColumnRef::parse(text)
}

impl PeriodArgs {
    /// Converts to summary options.
    pub fn summary_options(&self, skip_invalid: bool) -> Result<SummaryOptions> {
        Ok(SummaryOptions {
            unit: TimeUnit::parse(&self.freq)?,
            observation_end: parse_date_arg("observation_end", self.observation_end.as_deref())?,
            calibration_end: parse_date_arg("calibration_end", self.calibration_end.as_deref())?,
            skip_invalid,
        })
    }
}

/// Parses a date given on the command line, naming the option on error.
pub fn parse_date_arg(field: &str, text: Option<&str>) -> Result<Option<i64>> {
    text.map(|t| {
        parse_timestamp(t, None).map_err(|reason| {
            Error::invalid(field, t, format!("a date like 1997-09-30 ({reason})"))
        })
    })
    .transpose()
}

/// Reads a transaction file, with a progress bar for slow reads.
pub fn read_file(path: &Path, columns: &ColumnArgs) -> Result<(TransactionTable, Progress)> {
    let io_err = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let file = File::open(path).map_err(io_err)?;
    let size = file.metadata().ok().map(|m| m.len());
    let progress = Progress::new(size);
    let table = clv::io::read_transactions(progress.reader(file), &columns.read_options())?;
    report_skipped_lines(&table);
    Ok((table, progress))
}

/// Reads transactions from bytes already in memory (the bundled data set).
pub fn read_bytes(bytes: &[u8], columns: &ColumnArgs) -> Result<TransactionTable> {
    let table = clv::io::read_transactions(bytes, &columns.read_options())?;
    report_skipped_lines(&table);
    Ok(table)
}

fn report_skipped_lines(table: &TransactionTable) {
    if let Some(first) = table.skipped.first() {
        eprintln!(
            "skipped {} invalid line(s); first: line {}: {}",
            table.skipped.len(),
            first.line,
            first.reason
        );
    }
}

/// Summarises a table, reporting skipped rows on stderr.
pub fn summarize(
    table: &TransactionTable,
    options: &SummaryOptions,
    progress: &Progress,
) -> Result<Summary> {
    progress.phase("summarising");
    let summary = clv::summary::summarize_coded(
        &table.ids,
        &table.timestamps,
        table.amounts.as_deref(),
        options,
    )?;
    if let Some(first) = summary.skipped.first() {
        eprintln!(
            "skipped {} invalid row(s); first: data row {}: {}",
            summary.skipped.len(),
            first.index + 1,
            first.reason
        );
    }
    Ok(summary)
}

/// Columns of a per-customer summary file (as written by `clv summary`).
#[derive(Debug, Clone, Args)]
pub struct SummaryColumnArgs {
    /// Customer id column of the summary file.
    #[arg(long = "id-col", default_value = "customer_id")]
    pub id_col: String,
    /// Frequency column.
    #[arg(long, default_value = "frequency")]
    pub frequency_col: String,
    /// Recency column.
    #[arg(long, default_value = "recency")]
    pub recency_col: String,
    /// T (customer age) column.
    #[arg(long = "T-col", default_value = "T")]
    pub t_col: String,
    /// Monetary value column.
    #[arg(long, default_value = "monetary_value")]
    pub monetary_col: String,
}

/// A summary read back from a CSV file.
pub struct SummaryTable {
    pub customer_id: Vec<String>,
    pub frequency: Vec<f64>,
    pub recency: Vec<f64>,
    pub t: Vec<f64>,
    pub monetary_value: Option<Vec<f64>>,
}

/// Reads a per-customer summary CSV (comma separated, with a header).
pub fn read_summary_csv(path: &PathBuf, cols: &SummaryColumnArgs) -> Result<SummaryTable> {
    let io_err = |e: csv::Error| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(io_err)?;
    let header = reader.headers().map_err(io_err)?.clone();
    let find = |name: &str| -> Result<usize> {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::MissingColumn {
                column: name.to_string(),
                available: header.iter().collect::<Vec<_>>().join(", "),
            })
    };
    let id_idx = find(&cols.id_col).ok();
    let f_idx = find(&cols.frequency_col)?;
    let r_idx = find(&cols.recency_col)?;
    let t_idx = find(&cols.t_col)?;
    let m_idx = find(&cols.monetary_col).ok();
    let mut out = SummaryTable {
        customer_id: Vec::new(),
        frequency: Vec::new(),
        recency: Vec::new(),
        t: Vec::new(),
        monetary_value: m_idx.map(|_| Vec::new()),
    };
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(io_err)?;
        let line = record.position().map_or(row as u64 + 2, |p| p.line());
        let num = |idx: usize, name: &str| -> Result<f64> {
            let text = record.get(idx).unwrap_or("");
            text.parse::<f64>().map_err(|_| Error::Parse {
                column: name.to_string(),
                line,
                value: text.to_string(),
                reason: "expected a number".to_string(),
            })
        };
        out.customer_id.push(match id_idx {
            Some(i) => record.get(i).unwrap_or("").to_string(),
            None => (row + 1).to_string(),
        });
        out.frequency.push(num(f_idx, &cols.frequency_col)?);
        out.recency.push(num(r_idx, &cols.recency_col)?);
        out.t.push(num(t_idx, &cols.t_col)?);
        if let (Some(i), Some(m)) = (m_idx, out.monetary_value.as_mut()) {
            m.push(num(i, &cols.monetary_col)?);
        }
    }
    if out.frequency.is_empty() {
        return Err(Error::Empty {
            field: path.display().to_string(),
            reason: "the summary file has no customer rows".to_string(),
        });
    }
    Ok(out)
}
