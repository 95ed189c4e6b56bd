//! Command-line options shared by the commands that read transaction or
//! summary files, and their conversion into `clv::io` options; the model
//! and its data as `clv fit` and `clv sample` both take them.

use std::fs::File;
use std::path::{Path, PathBuf};

use std::str::FromStr;

use clap::Args;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clv::covariates::Covariates;
use clv::covariates::dynamic::{CovariateTable, DynamicData};
use clv::io::{
    ColumnRef, CsvColumns, DEFAULT_BATCH, Delimiter, ReadOptions, SkippedLine, TransactionTable,
    read_csv_columns, summarize_reader, summarize_reader_csv,
};
use clv::models::{Family, ModelKind};
use clv::summary::{Summary, SummaryInfo, SummaryOptions};
use clv::time::{TimeUnit, parse_timestamp, parse_timestamp_for};
use clv::{Error, Result};

use crate::progress::{Progress, ProgressReader};

/// The clap parser of an option that names a core enum value: the names of
/// `all` (`name` of each) are the possible values clap checks and lists in
/// the help, and the core's `FromStr` converts them, so that the table of
/// names lives in the core only.
pub fn core_enum<T>(
    all: &'static [T],
    name: fn(T) -> &'static str,
) -> impl TypedValueParser<Value = T>
where
    T: FromStr<Err = Error> + Copy + Send + Sync + 'static,
{
    PossibleValuesParser::new(all.iter().map(|&v| name(v))).try_map(|s| s.parse::<T>())
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
    ///
    /// auto: sniffed from the first line; comma: `,`; tab; semicolon: `;`;
    /// whitespace: runs of spaces or tabs (e.g. CDNOW_master.txt).
    #[arg(long, default_value = "auto",
          value_parser = core_enum(&Delimiter::ALL, Delimiter::as_str))]
    pub delimiter: Delimiter,
    /// The file has no header line; columns are then given by position.
    #[arg(long)]
    pub no_header: bool,
    /// Skip rows that cannot be used (unparseable, negative amounts) instead
    /// of failing; the count is reported on stderr. (Rows after the
    /// observation end are never errors: they are left out and counted.)
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
            delimiter: self.delimiter,
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
        summary_options(
            &self.freq,
            self.observation_end.as_deref(),
            self.calibration_end.as_deref(),
            skip_invalid,
        )
    }
}

/// The summary options of a time unit (`--freq`) and the window's ends
/// (`--observation-end`, `--calibration-end`), as given on the command line.
fn summary_options(
    freq: &str,
    observation_end: Option<&str>,
    calibration_end: Option<&str>,
    skip_invalid: bool,
) -> Result<SummaryOptions> {
    Ok(SummaryOptions {
        unit: TimeUnit::parse(freq)?,
        observation_end: parse_date_arg("observation_end", observation_end)?,
        calibration_end: parse_date_arg("calibration_end", calibration_end)?,
        skip_invalid,
    })
}

/// A comma-separated list of numbers from option `field`; a bad one is named
/// by its index, with `expected` in the message.
pub fn parse_numbers(field: &str, text: &str, expected: &str) -> Result<Vec<f64>> {
    text.split(',')
        .enumerate()
        .map(|(i, p)| {
            p.trim()
                .parse::<f64>()
                .map_err(|_| Error::invalid_at(field, i, p.trim(), expected))
        })
        .collect()
}

/// Parses a date given on the command line, naming the option on error.
pub fn parse_date_arg(field: &str, text: Option<&str>) -> Result<Option<i64>> {
    text.map(|t| {
        parse_timestamp_for(field, t, None).map_err(|e| match e {
            Error::InvalidValue { expected, .. } => {
                Error::invalid(field, t, format!("a date like 1997-09-30 ({expected})"))
            }
            e => e,
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
    let meta = file.metadata().map_err(io_err)?;
    if meta.is_dir() {
        return Err(Error::Io {
            path: path.display().to_string(),
            message: "a directory, not a file".to_string(),
        });
    }
    let progress = Progress::new(Some(meta.len()));
    // errors while reading name this file, not `<input>` (issue 17 #16)
    let table = clv::io::read_transactions(progress.reader(file), &columns.read_options())
        .map_err(|e| match e {
            Error::Io { message, .. } => Error::Io {
                path: path.display().to_string(),
                message,
            },
            other => other,
        })?;
    report_skipped_lines(&table);
    Ok((table, progress))
}

/// Summarises a transaction file as it is read, in batches of
/// [`clv::io::DEFAULT_BATCH`] bytes: memory does not grow with the file
/// ([`clv::io::summarize_reader`]). Notes skipped lines and rows, and rows
/// after the observation end, on stderr; returns the summary and the
/// number of skipped lines.
pub fn summarize_file(
    path: &Path,
    columns: &ColumnArgs,
    options: &SummaryOptions,
) -> Result<(Summary, usize)> {
    let read = columns.read_options();
    let (summary, skipped) = read_summarized(path, |open| {
        summarize_reader(open, &read, options, DEFAULT_BATCH)
    })?;
    report_summary(&summary.info());
    Ok((summary, skipped))
}

/// [`summarize_file`] written as CSV to the writer `out` opens, without
/// holding the summary ([`clv::io::summarize_reader_csv`]: the peak memory
/// is the per-customer state); returns the number of skipped lines.
pub fn summarize_file_csv<W: std::io::Write>(
    path: &Path,
    columns: &ColumnArgs,
    options: &SummaryOptions,
    out: impl FnOnce() -> Result<W>,
) -> Result<usize> {
    let read = columns.read_options();
    let (info, skipped) = read_summarized(path, |open| {
        summarize_reader_csv(open, &read, options, DEFAULT_BATCH, out)
    })?;
    report_summary(&info);
    Ok(skipped)
}

/// Runs `summarize` on an opener of the file at `path` (with a progress
/// bar), naming the file in its input errors and noting skipped lines on
/// stderr; returns its result and the number of skipped lines.
fn read_summarized<T>(
    path: &Path,
    summarize: impl FnOnce(
        &mut dyn FnMut() -> Result<ProgressReader<File>>,
    ) -> Result<(T, Vec<SkippedLine>)>,
) -> Result<(T, usize)> {
    let name = || path.display().to_string();
    let io_err = |e: std::io::Error| Error::Io {
        path: name(),
        message: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if meta.is_dir() {
        return Err(Error::Io {
            path: name(),
            message: "a directory, not a file".to_string(),
        });
    }
    let progress = Progress::new(Some(meta.len()));
    let mut open = || File::open(path).map(|f| progress.reader(f)).map_err(io_err);
    let (value, skipped) = summarize(&mut open).map_err(|e| match e {
        // the reader's errors name the file (not those of the output)
        Error::Io { path, message } if path == "<input>" => Error::Io {
            path: name(),
            message,
        },
        other => other,
    })?;
    if let Some(first) = skipped.first() {
        eprintln!(
            "skipped {} invalid line(s); first: line {}: {}",
            skipped.len(),
            first.line,
            first.reason
        );
    }
    Ok((value, skipped.len()))
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

/// Summarises a table, reporting skipped rows and the rows after the
/// observation end (left out of the window) on stderr.
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
    report_summary(&summary.info());
    Ok(summary)
}

/// Notes skipped rows and rows after the observation end on stderr.
fn report_summary(summary: &SummaryInfo) {
    if let Some(first) = summary.skipped.first() {
        eprintln!(
            "skipped {} invalid row(s); first: data row {}: {}",
            summary.skipped.len(),
            first.index + 1,
            first.reason
        );
    }
    if summary.after_observation_end > 0 {
        eprintln!(
            "note: {} transaction(s) after the observation end {} (outside the window) left out",
            summary.after_observation_end,
            clv::time::format_timestamp(summary.observation_end)
        );
    }
}

/// Columns of a per-customer summary file (as written by `clv summary`).
#[derive(Debug, Clone, Args)]
pub struct SummaryColumnArgs {
    /// Customer id column of the summary file (row numbers when absent).
    #[arg(long = "id-col", default_value = "customer_id")]
    pub id_col: String,
    /// Frequency column (repeat purchases x).
    #[arg(long, default_value = "frequency")]
    pub frequency_col: String,
    /// Recency column (t_x).
    #[arg(long, default_value = "recency")]
    pub recency_col: String,
    /// T (customer age) column.
    #[arg(long = "T-col", default_value = "T")]
    pub t_col: String,
    /// Monetary value column (mean repeat spend).
    #[arg(long, default_value = "monetary_value")]
    pub monetary_col: String,
    /// Number of transaction opportunities column (BG/BB).
    #[arg(long, default_value = "periods")]
    pub periods_col: String,
    /// Weights column: how many customers share the row (compressed data).
    #[arg(long)]
    pub weights_col: Option<String>,
    /// sBG with per-customer data: the column saying whether the customer
    /// churned in the last of their --periods-col periods (1/true) or is
    /// still active after them (0/false).
    #[arg(long, default_value = "churned")]
    pub churned_col: String,
}

impl SummaryColumnArgs {
    /// The column holding the model input `name` of the registry
    /// (`frequency`, `recency`, `T`, `n_periods`, `monetary_value`); any
    /// other name is its own column.
    pub fn column_of<'a>(&'a self, name: &'a str) -> &'a str {
        match name {
            "frequency" => &self.frequency_col,
            "recency" => &self.recency_col,
            "T" => &self.t_col,
            "n_periods" => &self.periods_col,
            "monetary_value" => &self.monetary_col,
            other => other,
        }
    }

    /// Reads every column these options name that the file has, and the ids
    /// (a fit that leaves customers out names them).
    pub fn read(&self, path: &Path) -> Result<CsvColumns> {
        self.read_columns(path, true)
    }

    /// [`SummaryColumnArgs::read`], with the ids only when `named` (else
    /// `ids` is empty: 100,000 ids cost a quarter of reading the file).
    fn read_columns(&self, path: &Path, named: bool) -> Result<CsvColumns> {
        let mut wanted = vec![
            self.frequency_col.as_str(),
            self.recency_col.as_str(),
            self.t_col.as_str(),
            self.monetary_col.as_str(),
            self.periods_col.as_str(),
        ];
        if let Some(w) = &self.weights_col {
            wanted.push(w);
        }
        let id_col = named.then_some(self.id_col.as_str());
        let cols = read_csv_columns(path, id_col, &wanted)?;
        if let Some(w) = &self.weights_col {
            cols.get(w)?;
        }
        Ok(cols)
    }

    /// The weights column, when one was asked for.
    pub fn weights<'a>(&self, cols: &'a CsvColumns) -> Result<Option<&'a [f64]>> {
        self.weights_col.as_deref().map(|w| cols.get(w)).transpose()
    }
}

/// A model of the core's registry, as a command-line value (`bg-nbd`, ...):
/// the CLI lists whatever models the core has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelArg(pub ModelKind);

impl clap::ValueEnum for ModelArg {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: std::sync::OnceLock<Vec<ModelArg>> = std::sync::OnceLock::new();
        ALL.get_or_init(|| ModelKind::ALL.iter().map(|&k| ModelArg(k)).collect())
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        // The CLI spellings (`bg-nbd`), made once: clap asks for them on
        // every parse and help.
        static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        let names =
            NAMES.get_or_init(|| ModelKind::ALL.iter().map(|k| k.spec().cli_name()).collect());
        let spec = self.0.spec();
        let i = ModelKind::ALL.iter().position(|&k| k == self.0)?;
        let help = format!(
            "{} ({}): {}",
            spec.name,
            spec.reference,
            spec.params.join(", ")
        );
        Some(
            PossibleValue::new(names[i].as_str())
                .alias(spec.key)
                .help(help),
        )
    }
}

/// The model and its data, as `clv fit` and `clv sample` take them.
#[derive(Debug, Args)]
pub struct ModelData {
    /// The model.
    #[arg(value_enum)]
    pub model: ModelArg,
    /// Per-customer summary CSV (frequency, recency, T / periods, monetary_value).
    /// `clv fit sbg`: one row per contract customer (--periods-col whole
    /// periods observed, >= 1; --churned-col 0/1), instead of --survivors:
    /// the sBG with covariates (--covariates, --dropout-covariates).
    #[arg(long, visible_alias = "customers")]
    pub summary: Option<PathBuf>,
    #[command(flatten)]
    pub columns: SummaryColumnArgs,
    /// sBG only: customers still active at the start of each period, the
    /// first being the cohort size (e.g. 1000,631,468,382).
    #[arg(long)]
    pub survivors: Option<String>,
}

impl ModelData {
    /// The data the model takes, read as `clv fit` and `clv sample` read
    /// it: the registry names the arrays the model takes, read from the
    /// summary's columns (`--survivors` for a retention model); `f` gets
    /// them with the optional weights and the customer ids (empty for a
    /// retention model).
    pub fn with_inputs<T>(
        &self,
        f: impl FnOnce(&[&[f64]], Option<&[f64]>, &[String]) -> Result<T>,
    ) -> Result<T> {
        self.inputs(true, f)
    }

    /// [`ModelData::with_inputs`] without reading the ids (`f` gets none):
    /// for a fit, which names customers only when it leaves some out
    /// ([`ModelData::ids`] reads them then).
    pub fn with_unnamed_inputs<T>(
        &self,
        f: impl FnOnce(&[&[f64]], Option<&[f64]>) -> Result<T>,
    ) -> Result<T> {
        self.inputs(false, |inputs, weights, _| f(inputs, weights))
    }

    /// The customer ids of the summary file, in row order, as
    /// [`ModelData::with_inputs`] gives them (empty for a retention model).
    ///
    /// # Errors
    /// Those of [`read_csv_columns`].
    pub fn ids(&self) -> Result<Vec<String>> {
        match self.summary.as_deref() {
            Some(path) if self.model.0.spec().family != Family::Retention => {
                Ok(read_csv_columns(path, Some(&self.columns.id_col), &[])?.ids)
            }
            _ => Ok(Vec::new()),
        }
    }

    fn inputs<T>(
        &self,
        named: bool,
        f: impl FnOnce(&[&[f64]], Option<&[f64]>, &[String]) -> Result<T>,
    ) -> Result<T> {
        let (kind, columns) = (self.model.0, &self.columns);
        let (summary, survivors) = (self.summary.as_ref(), self.survivors.as_deref());
        let spec = kind.spec();
        if spec.family == Family::Retention {
            let text = required(
                survivors,
                "survivors",
                format!("--survivors N0,N1,... for the {} model", spec.name),
            )?;
            return f(&[&parse_numbers("survivors", text, "a number")?], None, &[]);
        }
        let path = required(
            summary,
            "summary",
            "--summary FILE with the per-customer summary",
        )?;
        let cols = columns.read_columns(path, named)?;
        let weights = columns.weights(&cols)?;
        let inputs = spec
            .inputs
            .iter()
            .map(|name| cols.get(columns.column_of(name)))
            .collect::<Result<Vec<&[f64]>>>()?;
        f(&inputs, weights, &cols.ids)
    }
}

/// The covariate columns to read: the purchase set, then the dropout
/// covariates not in it.
fn both_sets<'a>(purchase: &'a [String], dropout: &'a [String]) -> Vec<&'a str> {
    let mut names: Vec<&str> = purchase.iter().map(String::as_str).collect();
    for d in dropout {
        if !names.contains(&d.as_str()) {
            names.push(d);
        }
    }
    names
}

/// The value of an option that must be given here, `value`; when it is
/// missing, [`Error::InvalidValue`] for `field` with the value `(none)` and
/// `expected` saying what to give.
pub fn required<'a, T: ?Sized>(
    value: Option<&'a T>,
    field: &str,
    expected: impl Into<String>,
) -> Result<&'a T> {
    value.ok_or_else(|| Error::invalid(field, "(none)", expected))
}

/// Refuses the covariate options of `given` (`(field, names)`) that are not
/// empty: the sBG with covariates (`clv fit sbg` and `clv score` with its
/// model) takes its covariates on the retention process alone.
///
/// # Errors
/// [`Error::InvalidValue`] naming the first field given and its names.
pub fn retention_covariates_alone(given: &[(&str, &[String])]) -> Result<()> {
    match given.iter().find(|(_, names)| !names.is_empty()) {
        Some((field, names)) => Err(Error::invalid(
            *field,
            names.join(","),
            "the sBG's covariates alone (--dropout-covariates, alias \
             --retention-covariates)",
        )),
        None => Ok(()),
    }
}

/// The static covariates of a customer file, as `clv fit` and `clv score`
/// take them ([`clv::covariates`]; Pareto/NBD, BG/NBD, MBG/NBD and GGom/NBD).
#[derive(Debug, Clone, Args, Default)]
pub struct CovariateFileArgs {
    /// CSV of static covariates, one row per customer (joined on the
    /// customer id), numeric columns (0/1 for a category).
    #[arg(long)]
    pub covariates: Option<PathBuf>,
    /// Customer id column of the --covariates file.
    #[arg(long, default_value = "customer_id")]
    pub covariate_id_col: String,
    /// Covariates of the purchase process (α_i = α₀·exp(−γ_pᵀz_i)); `clv
    /// score`: default the model's.
    #[arg(long, value_delimiter = ',')]
    pub purchase_covariates: Vec<String>,
    /// Covariates of the dropout process (Pareto/NBD β_i = β₀·exp(−γ_dᵀz_i);
    /// BG/NBD a_i, b_i = a₀, b₀·exp(γ_dᵀz_i); sBG α_i = α₀·exp(−γ_αᵀz_i),
    /// β_i = β₀·exp(−γ_βᵀz_i), alias --retention-covariates); `clv score`:
    /// default the model's.
    #[arg(long, value_delimiter = ',', visible_alias = "retention-covariates")]
    pub dropout_covariates: Vec<String>,
    /// Covariates of the spend per transaction (Gamma-Gamma: v_i =
    /// v₀·exp(γ_sᵀz_i), so exp(γ) multiplies the expected spend); `clv
    /// score`: default the spend model's.
    #[arg(long, value_delimiter = ',')]
    pub spend_covariates: Vec<String>,
}

impl CovariateFileArgs {
    /// Whether any covariate option was given.
    pub fn given(&self) -> bool {
        self.covariates.is_some()
            || !self.purchase_covariates.is_empty()
            || !self.dropout_covariates.is_empty()
            || !self.spend_covariates.is_empty()
    }

    /// The purchase and dropout covariates `purchase` and `dropout` (column
    /// names) of the file `path`, one row per entry of `customers` (the
    /// summary's ids), in that order, joined on the id column: the join of
    /// [`Covariates::by_id_columns`]. Nothing is filled in: a file without
    /// the id column or a named column is [`Error::MissingColumn`]; a
    /// customer without a row, an id with two rows or a non-finite value is
    /// [`Error::InvalidValue`] naming the process, the customer (index and
    /// id) and, for a bad value, the column (`purchase_covariates.NAME`).
    pub fn read_sets(
        &self,
        path: &Path,
        purchase: &[String],
        dropout: &[String],
        customers: &[String],
    ) -> Result<(Covariates, Covariates)> {
        let sets = self.read_named(
            path,
            &[("purchase", purchase), ("dropout", dropout)],
            customers,
        )?;
        let mut sets = sets.into_iter();
        match (sets.next(), sets.next()) {
            (Some(p), Some(d)) => Ok((p, d)),
            _ => Err(Error::Format {
                what: "covariates".to_string(),
                message: "two covariate sets were asked for".to_string(),
            }),
        }
    }

    /// The spend covariates `names` of the file `path` (Gamma-Gamma,
    /// [`clv::covariates::spend`]), joined as [`CovariateFileArgs::read_sets`]
    /// joins them (process `spend`).
    pub fn read_spend(
        &self,
        path: &Path,
        names: &[String],
        customers: &[String],
    ) -> Result<Covariates> {
        self.read_one(path, "spend", names, customers)
    }

    /// The sBG's covariates `names` of the file `path`
    /// ([`clv::covariates::retention`]), joined as
    /// [`CovariateFileArgs::read_sets`] joins them (process `dropout`, the
    /// core's name of the set).
    pub fn read_retention(
        &self,
        path: &Path,
        names: &[String],
        customers: &[String],
    ) -> Result<Covariates> {
        self.read_one(path, "dropout", names, customers)
    }

    /// The one covariate set `names` of the file `path` for `process`,
    /// joined as [`CovariateFileArgs::read_sets`] joins them.
    fn read_one(
        &self,
        path: &Path,
        process: &str,
        names: &[String],
        customers: &[String],
    ) -> Result<Covariates> {
        let mut sets = self.read_named(path, &[(process, names)], customers)?;
        Ok(sets
            .pop()
            .unwrap_or_else(|| Covariates::none(customers.len())))
    }

    /// One covariate set per `(process, names)` of the file `path`, joined
    /// on the id (the errors of [`CovariateFileArgs::read_sets`]).
    fn read_named(
        &self,
        path: &Path,
        processes: &[(&str, &[String])],
        customers: &[String],
    ) -> Result<Vec<Covariates>> {
        let mut wanted: Vec<&str> = Vec::new();
        for n in processes.iter().flat_map(|(_, names)| names.iter()) {
            if !wanted.contains(&n.as_str()) {
                wanted.push(n);
            }
        }
        let file = read_csv_columns(path, Some(&self.covariate_id_col), &wanted)?;
        // Without the id column the ids would be row numbers: never join on them.
        let ids = file.ids_of(&self.covariate_id_col)?;
        let set = |process: &str, names: &[String]| -> Result<Covariates> {
            let cols = names
                .iter()
                .map(|n| file.get(n))
                .collect::<Result<Vec<&[f64]>>>()?;
            let column = format!("{process}_covariates.");
            Covariates::by_id_columns(process, names, ids, &cols, customers).map_err(|e| match e {
                // a bad value: the core names the column and the customer's
                // row; add the customer's id
                Error::InvalidValue {
                    field,
                    index: Some(i),
                    value,
                    expected,
                } if field.starts_with(&column) && i < customers.len() => Error::InvalidValue {
                    field,
                    index: Some(i),
                    value,
                    expected: format!("{expected}; customer id {}", customers[i]),
                },
                e => e,
            })
        };
        processes
            .iter()
            .map(|(process, names)| set(process, names))
            .collect()
    }
}

/// A transaction file with time-varying covariates, as `clv fit
/// pareto-nbd` and `clv score` take them ([`clv::covariates::dynamic`]):
/// the transactions, read and summarised as `clv summary` reads them, and
/// a long table of covariates per customer and period.
#[derive(Debug, Clone, Args)]
pub struct DynamicArgs {
    /// Transaction file (CSV, TSV or whitespace-separated), read as `clv
    /// summary` reads it (--customer-col, --date-col, --date-format, ...;
    /// time unit --freq: `clv fit` default D, `clv score` default the
    /// model's): the customers of a fit or score with --dynamic-covariates
    /// (--amount-col is not used).
    #[arg(long)]
    pub transactions: Option<PathBuf>,
    #[command(flatten)]
    pub columns: ColumnArgs,
    /// End of the observation period of --transactions (default: the last
    /// transaction date).
    #[arg(long)]
    pub observation_end: Option<String>,
    /// End of the calibration period of --transactions: the fit's window
    /// ends there (CLVTools' estimation split).
    #[arg(long)]
    pub calibration_end: Option<String>,
    /// CSV of time-varying covariates (Pareto/NBD; Bachmann, Meierer & Näf
    /// 2021): one row per customer (--covariate-id-col) and period of the
    /// time unit (--covariate-date-col, its start), numeric columns, from
    /// each customer's first purchase to the calibration end and on to the
    /// end of any prediction horizon. Nothing is filled in.
    #[arg(long)]
    pub dynamic_covariates: Option<PathBuf>,
    /// Period start column of --dynamic-covariates: dates read as the
    /// transaction dates (--date-format).
    #[arg(long, default_value = "period_start")]
    pub covariate_date_col: String,
}

impl DynamicArgs {
    /// Whether --transactions or --dynamic-covariates was given.
    pub fn given(&self) -> bool {
        self.transactions.is_some() || self.dynamic_covariates.is_some()
    }

    /// The transaction file and the covariate file; [`Error::InvalidValue`]
    /// naming the option that is missing.
    fn paths(&self) -> Result<(&Path, &Path)> {
        match (&self.transactions, &self.dynamic_covariates) {
            (Some(t), Some(c)) => Ok((t, c)),
            (None, _) => Err(Error::invalid(
                "transactions",
                "(none)",
                "--transactions FILE: time-varying covariates (--dynamic-covariates) are joined \
                 to the customers of a transaction file",
            )),
            (Some(_), None) => Err(Error::invalid(
                "dynamic_covariates",
                "(none)",
                "--dynamic-covariates FILE with --transactions (without time-varying \
                 covariates, `clv summary` the transactions and give --summary)",
            )),
        }
    }

    /// The customers of the transaction file, summarised in the unit `freq`
    /// over the window of --observation-end and --calibration-end, with the
    /// covariates `purchase` and `dropout` of the --dynamic-covariates file
    /// (ids in its column `id_col`): [`DynamicData::new`].
    ///
    /// # Errors
    /// Those of the transaction reader and of [`DynamicData::new`] (a
    /// customer without rows, a missing or doubled period: field
    /// `covariates` or `covariates.period_start`); a covariate file without
    /// the id, date or a named column is [`Error::MissingColumn`]; a date
    /// that does not parse is [`Error::InvalidValue`] (field
    /// `covariates.period_start`, index the data row); those of
    /// [`CovariateTable::new`] (a non-finite value: field
    /// `covariates.NAME`, index the data row).
    pub fn read(
        &self,
        freq: &str,
        id_col: &str,
        purchase: &[String],
        dropout: &[String],
    ) -> Result<DynamicData> {
        let (tx_path, cov_path) = self.paths()?;
        let options = summary_options(
            freq,
            self.observation_end.as_deref(),
            self.calibration_end.as_deref(),
            self.columns.skip_invalid,
        )?;
        let table = self.read_table(cov_path, id_col, &both_sets(purchase, dropout))?;
        let (tx, progress) = read_file(tx_path, &self.columns)?;
        progress.phase("summarising");
        DynamicData::from_coded(&tx.ids, &tx.timestamps, &table, purchase, dropout, &options)
    }

    /// The columns `names` of the covariate file `path` with its ids
    /// (column `id_col`) and period starts (--covariate-date-col), read by
    /// the column reader ([`read_csv_columns`]; the dates as texts, parsed
    /// as the transaction dates).
    fn read_table(&self, path: &Path, id_col: &str, names: &[&str]) -> Result<CovariateTable> {
        let file = read_csv_columns(path, Some(id_col), names)?;
        // Without the id column the ids would be row numbers: never join on them.
        let ids = file.ids_of(id_col)?;
        let date_col = &self.covariate_date_col;
        let dates = read_csv_columns(path, Some(date_col), &[])?;
        let format = self.columns.date_format.as_deref();
        let starts = dates
            .ids_of(date_col)?
            .iter()
            .enumerate()
            .map(|(j, text)| {
                parse_timestamp(text, format).map_err(|e| {
                    let reason = match e {
                        Error::InvalidValue { expected, .. } => expected,
                        e => e.to_string(),
                    };
                    Error::invalid_at(
                        "covariates.period_start",
                        j,
                        format!("{text:?}"),
                        format!("a date in column {date_col} ({reason})"),
                    )
                })
            })
            .collect::<Result<Vec<i64>>>()?;
        let columns = names
            .iter()
            .map(|n| file.get(n))
            .collect::<Result<Vec<&[f64]>>>()?;
        CovariateTable::new(names, ids, &starts, &columns)
    }
}

/// Contract customers of a per-customer file, as `clv fit sbg --summary`
/// and `clv score` read them ([`clv::covariates::retention`]).
pub struct Contractual {
    /// The customers' ids (the --id-col column; row numbers without it).
    pub ids: Vec<String>,
    /// Whole periods each customer was observed for.
    pub periods: Vec<f64>,
    /// Whether each customer churned in the last of them.
    pub churned: Vec<bool>,
    /// The --weights-col column, when asked for.
    pub weights: Option<Vec<f64>>,
}

impl SummaryColumnArgs {
    /// The contract customers of `path`: --periods-col (numbers), the
    /// --churned-col flags (`1`/`0`/`true`/`false`, any case) and
    /// --weights-col. With `need_churned` false a file without the churned
    /// column reads as every customer still active.
    ///
    /// # Errors
    /// Those of [`read_csv_columns`] (a missing column, a periods value
    /// that is not a number: [`Error::Parse`] with the column, line and
    /// text); [`Error::InvalidValue`] naming the churned column, the data
    /// row (0-based), the text and the customer id for a flag that is not
    /// 0/1/true/false, and the periods column, row, value and customer id
    /// for a period count that is not a whole number >= 1 (the core's
    /// [`clv::covariates::retention::validate`]).
    pub fn read_contractual(&self, path: &Path, need_churned: bool) -> Result<Contractual> {
        let mut wanted = vec![self.periods_col.as_str()];
        if let Some(w) = &self.weights_col {
            wanted.push(w);
        }
        let cols = read_csv_columns(path, Some(&self.id_col), &wanted)?;
        let periods = cols.get(&self.periods_col)?.to_vec();
        let weights = self.weights(&cols)?.map(<[f64]>::to_vec);
        let ids = cols.ids;
        let with_id = |expected: &str, i: usize| match ids.get(i) {
            Some(id) => format!("{expected}; customer id {id}"),
            None => expected.to_string(),
        };
        let flags = match read_csv_columns(path, Some(&self.churned_col), &[]) {
            Ok(f) => Some(f),
            Err(Error::MissingColumn { .. }) if !need_churned => None,
            Err(e) => return Err(e),
        };
        let churned = match &flags {
            Some(f) => f
                .ids_of(&self.churned_col)?
                .iter()
                .enumerate()
                .map(
                    |(i, text)| match text.trim().to_ascii_lowercase().as_str() {
                        "1" | "true" => Ok(true),
                        "0" | "false" => Ok(false),
                        _ => Err(Error::invalid_at(
                            self.churned_col.as_str(),
                            i,
                            format!("{text:?}"),
                            with_id(
                                "1 or true (churned in the last period), 0 or false (still active)",
                                i,
                            ),
                        )),
                    },
                )
                .collect::<Result<Vec<bool>>>()?,
            None => vec![false; periods.len()],
        };
        clv::covariates::retention::validate(&periods, &churned).map_err(|e| match e {
            Error::InvalidValue {
                field,
                index: Some(i),
                value,
                expected,
            } if field == "periods" => Error::InvalidValue {
                field: self.periods_col.clone(),
                index: Some(i),
                value,
                expected: with_id(&expected, i),
            },
            e => e,
        })?;
        Ok(Contractual {
            ids,
            periods,
            churned,
            weights,
        })
    }
}
