//! Glue shared by the two JavaScript bindings of `clv` (`bindings/node`,
//! napi-rs, and `bindings/wasm`, wasm-bindgen).
//!
//! Both bindings expose the same API (DESIGN.md, camelCase names). What they
//! have in common and does not depend on the JS engine lives here: turning
//! the option values a JS caller passes (strings, numbers, booleans) into the
//! core's option structs, and the few argument checks a JS number needs
//! before it becomes a Rust integer. There is no math here: every formula is
//! in the core crate `clv`.

use clv::experiment::{Uplift, UpliftOptions};
use clv::fit::FitOptions;
use clv::formulas::{self, parse_decimal};
use clv::io::{ColumnRef, Delimiter, ReadOptions, SummaryReader, read_transactions};
use clv::portfolio::{CustomerTotals, TierMethod};
use clv::rfm::{RfmScores, SegmentCount, SegmentMap};
use clv::summary::{CustomerIds, RowOrder, Summary, SummaryOptions, summarize, summarize_coded};
use clv::time::{TimeUnit, parse_timestamp_for};
use clv::{Error, Result};

pub mod covariates;
pub mod decimal;
pub mod diagnostics;
pub mod dynamic;
pub mod models;
pub mod retention;
pub mod spend;
pub mod uncertainty;

/// A JS number that must be a whole number in `[lo, u32::MAX]` (the core's
/// [`clv::models::whole_count`] with a lower bound).
///
/// # Errors
/// [`Error::InvalidValue`] naming `field` for NaN, infinities, fractions and
/// values out of range.
pub fn whole_u32(field: &str, value: f64, lo: u32) -> Result<u32> {
    match clv::models::whole_count(field, value)? {
        n if n >= lo => Ok(n),
        _ => Err(Error::invalid(
            field,
            value,
            format!("a whole number >= {lo}"),
        )),
    }
}

/// A JS options object as a binding reads it: its optional fields by their
/// JS names, each read with the binding's own error for a wrong type. The
/// option structs below read themselves through it (`read`), so that both
/// bindings take the same fields by the same names.
pub trait JsObject {
    /// The binding's error.
    type Error;
    /// The number `key`, `None` when not given.
    ///
    /// # Errors
    /// The binding's, for a value that is not a number.
    fn number(&self, key: &str) -> std::result::Result<Option<f64>, Self::Error>;
    /// The string `key`, `None` when not given.
    ///
    /// # Errors
    /// The binding's, for a value that is not a string.
    fn string(&self, key: &str) -> std::result::Result<Option<String>, Self::Error>;
    /// The boolean `key`, `None` when not given.
    ///
    /// # Errors
    /// The binding's, for a value that is not a boolean.
    fn boolean(&self, key: &str) -> std::result::Result<Option<bool>, Self::Error>;
    /// The array of strings `key`, `None` when not given.
    ///
    /// # Errors
    /// The binding's, for a value that is not an array of strings.
    fn strings(&self, key: &str) -> std::result::Result<Option<Vec<String>>, Self::Error>;
    /// The object of numeric columns `key` (`{ name: [numbers] }`, in key
    /// order), `None` when not given.
    ///
    /// # Errors
    /// The binding's, for a value that is not an object of numeric arrays
    /// (a bad column named `key.name`).
    fn columns(
        &self,
        key: &str,
    ) -> std::result::Result<Option<covariates::NamedColumns>, Self::Error>;
    /// The number, or object of numbers by name, `key`; `None` when not given.
    ///
    /// # Errors
    /// The binding's, for anything else (a bad entry named `key.name`).
    fn number_or_named(
        &self,
        key: &str,
    ) -> std::result::Result<Option<covariates::NumberOrNamed>, Self::Error>;
    /// The binding's error for an error of the core (or of this crate).
    fn error(&self, e: Error) -> Self::Error;
}

/// A JS object whose fields must be given (a missing one is the binding's
/// [`Error::InvalidValue`] naming it as undefined), and the binding's error
/// for the core's.
pub(crate) struct Required<'o, O>(pub &'o O);

impl<O: JsObject> Required<'_, O> {
    /// `value`, or the binding's error naming `key` as undefined.
    pub(crate) fn given<T>(
        &self,
        key: &str,
        value: Option<T>,
        expected: &str,
    ) -> std::result::Result<T, O::Error> {
        value.ok_or_else(|| self.0.error(Error::invalid(key, "undefined", expected)))
    }

    pub(crate) fn string(&self, key: &str) -> std::result::Result<String, O::Error> {
        self.given(key, self.0.string(key)?, "a string")
    }

    pub(crate) fn strings(&self, key: &str) -> std::result::Result<Vec<String>, O::Error> {
        self.given(key, self.0.strings(key)?, "an array of strings")
    }

    pub(crate) fn number(&self, key: &str) -> std::result::Result<f64, O::Error> {
        self.given(key, self.0.number(key)?, "a number")
    }

    /// A money amount that defaults to `"0"`.
    pub(crate) fn money(&self, key: &str) -> std::result::Result<String, O::Error> {
        Ok(self.0.string(key)?.unwrap_or_else(|| "0".into()))
    }

    /// The number of periods: a whole number ≥ 1.
    pub(crate) fn periods(&self, n: f64) -> std::result::Result<u32, O::Error> {
        whole_u32("periods", n, 1).map_err(|e| self.0.error(e))
    }

    /// The core's answer as the binding's.
    pub(crate) fn out<T>(&self, value: Result<T>) -> std::result::Result<T, O::Error> {
        value.map_err(|e| self.0.error(e))
    }
}

/// An options struct as a JS caller gives it (every field optional) and its
/// `read` from a [`JsObject`]: each field declared once with its kind
/// (`number`: `Option<f64>`, `string`: `Option<String>`, `boolean`:
/// `Option<bool>`, `strings`: `Option<Vec<String>>`, `number_or_named`:
/// `Option<NumberOrNamed>`) and its JS name.
macro_rules! js_args {
    (@ty number) => { Option<f64> };
    (@ty string) => { Option<String> };
    (@ty boolean) => { Option<bool> };
    (@ty strings) => { Option<Vec<String>> };
    (@ty number_or_named) => { Option<$crate::covariates::NumberOrNamed> };
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* $field:ident: $kind:ident = $js:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {
            $($(#[$fm])* pub $field: js_args!(@ty $kind),)*
        }

        impl $name {
            /// The fields of a JS options object, by their JS names.
            ///
            /// # Errors
            /// The binding's, for a field of the wrong type.
            pub fn read<O: JsObject>(o: &O) -> std::result::Result<Self, O::Error> {
                Ok($name { $($field: o.$kind($js)?,)* })
            }
        }
    };
}
pub(crate) use js_args;

js_args! {
    /// Fit options as a JS caller gives them (every field optional).
    pub struct FitArgs {
        /// L2 penalty (the form of `lifetimes`' `penalizer_coef`, on the parameters in the data's unit), default 0.
        penalty: number = "penalty",
        /// Maximum optimiser iterations per start, default 1000.
        max_iterations: number = "maxIterations",
        /// Gradient tolerance, default 1e-6.
        gradient_tolerance: number = "gradientTolerance",
    }
}

impl FitArgs {
    /// The core's [`FitOptions`], defaults filled in and validated.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming `maxIterations`, `gradient_tolerance`
    /// or `penalty` ([`js_names`] spells them as JS does).
    pub fn to_options(&self) -> Result<FitOptions> {
        let mut o = FitOptions::default();
        if let Some(p) = self.penalty {
            o.penalty = p;
        }
        if let Some(m) = self.max_iterations {
            o.max_iterations = u64::from(whole_u32("maxIterations", m, 1)?);
        }
        if let Some(g) = self.gradient_tolerance {
            o.gradient_tolerance = g;
        }
        o.validate()?;
        Ok(o)
    }
}

/// `upliftProportions`' counts of a binary outcome in the two groups (JS
/// numbers) and options (`confidence`, `population`) as a JS caller gives them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProportionsArgs {
    /// Successes among the treated.
    pub successes_treated: f64,
    /// Treated customers.
    pub n_treated: f64,
    /// Successes among the controls.
    pub successes_control: f64,
    /// Control customers.
    pub n_control: f64,
    /// Confidence level of the intervals (default 0.95).
    pub confidence: Option<f64>,
    /// Population `total` is computed for (default: the treated count).
    pub population: Option<f64>,
}

impl ProportionsArgs {
    /// The counts (`successesTreated`, `nTreated`, `successesControl`,
    /// `nControl`, all required) and then the options (`confidence`,
    /// `population`) of a JS call, by their JS names.
    ///
    /// # Errors
    /// The binding's, for a missing or wrong-typed field (named as JS does).
    pub fn read<O: JsObject>(counts: &O, options: &O) -> std::result::Result<Self, O::Error> {
        let count = |key| Required(counts).number(key);
        Ok(ProportionsArgs {
            successes_treated: count("successesTreated")?,
            n_treated: count("nTreated")?,
            successes_control: count("successesControl")?,
            n_control: count("nControl")?,
            confidence: options.number("confidence")?,
            population: options.number("population")?,
        })
    }

    /// `upliftProportions(counts, options)`: [`ProportionsArgs::read`], then
    /// [`ProportionsArgs::uplift`].
    ///
    /// # Errors
    /// Those of both, as the binding's errors.
    pub fn read_uplift<O: JsObject>(
        counts: &O,
        options: &O,
    ) -> std::result::Result<Uplift, O::Error> {
        let args = Self::read(counts, options)?;
        Required(counts).out(args.uplift())
    }

    /// Uplift on a binary metric from the counts; see
    /// [`clv::experiment::uplift_proportions`].
    ///
    /// # Errors
    /// A count that is not a whole number (naming it as JS does); those of
    /// the core.
    pub fn uplift(&self) -> Result<Uplift> {
        let o = UpliftArgs {
            confidence: self.confidence,
            metric: Some("binary".into()),
            population: self.population,
        }
        .to_options()?;
        let w = |f: &str, v: f64| clv::models::whole_count(f, v).map(u64::from);
        clv::experiment::uplift_proportions(
            w("successesTreated", self.successes_treated)?,
            w("nTreated", self.n_treated)?,
            w("successesControl", self.successes_control)?,
            w("nControl", self.n_control)?,
            &o,
        )
    }
}

/// The Wilson score interval `(low, high)` of `successes / n` at
/// `confidence` (default 0.95); see [`clv::experiment::wilson_interval`].
///
/// # Errors
/// `successes` or `n` not a whole number; those of the core.
pub fn wilson_interval(successes: f64, n: f64, confidence: Option<f64>) -> Result<(f64, f64)> {
    let s = clv::models::whole_count("successes", successes)?;
    let n = clv::models::whole_count("n", n)?;
    let c = confidence.unwrap_or(UpliftOptions::default().confidence);
    clv::experiment::wilson_interval(u64::from(s), u64::from(n), c)
}

/// `method` of `valueTiers` ([`TierMethod`]'s names; default `"share"`).
///
/// # Errors
/// [`Error::InvalidValue`] naming `method` for an unknown name.
pub fn tier_method(method: Option<&str>) -> Result<TierMethod> {
    method
        .unwrap_or(TierMethod::CumulativeShare.as_str())
        .parse()
}

js_args! {
    /// Options of the uplift functions as a JS caller gives them (every field
    /// optional): `confidence` (default 0.95), `metric` (`"continuous"`, the
    /// default, or `"binary"`), `population` (default: the treated count).
    pub struct UpliftArgs {
        /// Confidence level of the intervals, in (0, 1).
        confidence: number = "confidence",
        /// `"continuous"` or `"binary"`.
        metric: string = "metric",
        /// Population `total` is computed for.
        population: number = "population",
    }
}

impl UpliftArgs {
    /// The core's [`UpliftOptions`], defaults filled in (the core validates
    /// the numbers when it uses them).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming `metric` for an unknown metric.
    pub fn to_options(&self) -> Result<UpliftOptions> {
        let d = UpliftOptions::default();
        Ok(UpliftOptions {
            confidence: self.confidence.unwrap_or(d.confidence),
            metric: self.metric.as_deref().map_or(Ok(d.metric), str::parse)?,
            population: self.population.or(d.population),
        })
    }
}

/// A core error with its field names in JS spelling (`p_alive` → `pAlive`,
/// `success_rate` → `successRate`), for functions whose JS arguments carry
/// those names. What follows a `.` is a caller's name and is kept
/// (`purchase_covariates.is_member` → `purchaseCovariates.is_member`).
/// Code, value and reason are unchanged.
pub fn js_names(e: Error) -> Error {
    e.rename_fields(|f| match f.split_once('.') {
        Some((head, rest)) => format!("{}.{rest}", camel(head)),
        None => camel(&f),
    })
}

/// Per-customer revenue, transactions and margin from one customer id and
/// one amount per transaction (see [`clv::portfolio::customer_totals`]);
/// customers in order of first appearance. `marginRate` defaults to 1 and
/// `costPerTransaction` to 0 (the margin is then the revenue).
///
/// # Errors
/// Those of [`clv::portfolio::customer_totals`], with the core's names of
/// the columns (`amounts`, `customer ids`) as the JS arguments
/// (`monetaryValue`, `customerId`); [`js_names`] spells the others
/// (`margin_rate` → `marginRate`).
pub fn customer_totals(
    customer_id: &[String],
    monetary_value: &[f64],
    margin_rate: Option<f64>,
    cost_per_transaction: Option<f64>,
) -> Result<CustomerTotals> {
    let ids = CustomerIds::intern(customer_id);
    clv::portfolio::customer_totals(
        &ids,
        monetary_value,
        margin_rate.unwrap_or(1.0),
        cost_per_transaction.unwrap_or(0.0),
    )
    .map_err(|e| {
        e.rename_fields(|f| match f.as_str() {
            "amounts" => "monetaryValue".to_string(),
            "customer ids" => "customerId".to_string(),
            _ => f,
        })
    })
}

/// `snake_case` → `camelCase` (for field names in errors about JS options).
pub fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

js_args! {
    /// Summary options as a JS caller gives them: `freq` (`"D"`, `"W"`, `"M"`,
    /// `"H"` or `"<n>d"`, default `"D"` as `lifetimes`), dates as text.
    pub struct SummaryArgs {
        /// Time unit, default `"D"`.
        freq: string = "freq",
        /// End of observation, default the latest transaction.
        observation_period_end: string = "observationPeriodEnd",
        /// End of calibration; adds the holdout columns.
        calibration_period_end: string = "calibrationPeriodEnd",
        /// chrono `strftime` format of every date; default `YYYY-MM-DD`,
        /// `YYYYMMDD` or ISO date-time.
        date_format: string = "dateFormat",
        /// Skip (and report) bad rows instead of failing.
        skip_invalid: boolean = "skipInvalid",
    }
}

fn date(field: &str, text: &str, format: Option<&str>) -> Result<i64> {
    parse_timestamp_for(field, text, format)
}

impl SummaryArgs {
    /// The core's [`SummaryOptions`].
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming `freq`, `observationPeriodEnd` or
    /// `calibrationPeriodEnd`.
    pub fn to_options(&self) -> Result<SummaryOptions> {
        let fmt = self.date_format.as_deref();
        Ok(SummaryOptions {
            unit: TimeUnit::parse(self.freq.as_deref().unwrap_or("D"))?,
            observation_end: self
                .observation_period_end
                .as_deref()
                .map(|t| date("observationPeriodEnd", t, fmt))
                .transpose()?,
            calibration_end: self
                .calibration_period_end
                .as_deref()
                .map(|t| date("calibrationPeriodEnd", t, fmt))
                .transpose()?,
            skip_invalid: self.skip_invalid.unwrap_or(false),
        })
    }
}

/// A summary as both JS packages return it (`rfmSummary`): the core's
/// columns with the holdout columns flattened, dates as text, counts; in
/// JS spelling when serialised (absent optional columns are left out).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryView {
    /// Customer ids, byte-sorted.
    pub customer_id: Vec<String>,
    /// Repeat purchase periods x.
    pub frequency: Vec<f64>,
    /// Age at the last purchase.
    pub recency: Vec<f64>,
    /// Age at the end of observation (or calibration).
    #[serde(rename = "T")]
    pub t: Vec<f64>,
    /// Mean repeat spend, when amounts were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monetary_value: Option<Vec<f64>>,
    /// Holdout purchase periods, with a calibration end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency_holdout: Option<Vec<f64>>,
    /// Mean holdout transaction amount, with a calibration end and amounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monetary_value_holdout: Option<Vec<f64>>,
    /// Holdout length in units, with a calibration end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_holdout: Option<f64>,
    /// The time unit, e.g. `"W"` or `"7d"`.
    pub unit: String,
    /// The observation end used.
    pub observation_period_end: String,
    /// The calibration end, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration_period_end: Option<String>,
    /// Transactions used.
    pub n_transactions: usize,
    /// Rows skipped with `skipInvalid`.
    pub n_skipped: usize,
    /// Rows after the observation end (outside the window), left out as in
    /// lifetimes (`clv::summary`, "Observation window").
    pub n_after_observation_end: usize,
}

impl From<Summary> for SummaryView {
    fn from(s: Summary) -> Self {
        let (frequency_holdout, monetary_value_holdout, duration_holdout) = match s.holdout {
            Some(h) => (Some(h.frequency), h.monetary_value, Some(h.duration)),
            None => (None, None, None),
        };
        SummaryView {
            customer_id: s.customer_id,
            frequency: s.frequency,
            recency: s.recency,
            t: s.t,
            monetary_value: s.monetary_value,
            frequency_holdout,
            monetary_value_holdout,
            duration_holdout,
            unit: s.unit.to_string(),
            observation_period_end: clv::time::format_timestamp(s.observation_end),
            calibration_period_end: s.calibration_end.map(clv::time::format_timestamp),
            n_transactions: s.n_transactions,
            n_skipped: s.skipped.len(),
            n_after_observation_end: s.after_observation_end,
        }
    }
}

/// Summarises columns: one customer id, date text and (optionally) amount
/// per transaction.
///
/// # Errors
/// [`Error::InvalidValue`] naming `datetime` and the row index for a date
/// that does not parse; then the errors of [`summarize`].
pub fn summarize_columns(
    customer_id: &[String],
    datetime: &[String],
    monetary_value: Option<&[f64]>,
    args: &SummaryArgs,
) -> Result<Summary> {
    let fmt = args.date_format.as_deref();
    let ts = datetime
        .iter()
        .enumerate()
        .map(|(i, d)| parse_timestamp_for("datetime", d, fmt).map_err(|e| e.at_index(i)))
        .collect::<Result<Vec<i64>>>()?;
    summarize(customer_id, &ts, monetary_value, &args.to_options()?)
}

/// Where the columns of a transaction file are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CsvArgs {
    /// Customer id column: header name or 1-based position (`"2"`).
    pub customer_id_col: String,
    /// Date column.
    pub datetime_col: String,
    /// Amount column, if any.
    pub monetary_value_col: Option<String>,
    /// `","`, `"\t"`, `";"`, `"whitespace"` or `"auto"` (default).
    pub delimiter: Option<String>,
    /// Whether the first line is a header (default true).
    pub has_header: Option<bool>,
}

impl CsvArgs {
    /// The columns (`customerIdCol`, `datetimeCol`, both required,
    /// `monetaryValueCol`) and the reading options (`delimiter`,
    /// `hasHeader`) of a JS options object, by their JS names.
    ///
    /// # Errors
    /// The binding's, for a missing or wrong-typed field (named as JS does).
    pub fn read<O: JsObject>(o: &O) -> std::result::Result<Self, O::Error> {
        let r = Required(o);
        Ok(CsvArgs {
            customer_id_col: r.string("customerIdCol")?,
            datetime_col: r.string("datetimeCol")?,
            monetary_value_col: o.string("monetaryValueCol")?,
            delimiter: o.string("delimiter")?,
            has_header: o.boolean("hasHeader")?,
        })
    }

    /// The core's [`ReadOptions`].
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for an unknown `delimiter`.
    pub fn read_options(&self, args: &SummaryArgs) -> Result<ReadOptions> {
        let delimiter: Delimiter = self.delimiter.as_deref().unwrap_or("auto").parse()?;
        Ok(ReadOptions {
            customer_col: ColumnRef::parse(&self.customer_id_col),
            date_col: ColumnRef::parse(&self.datetime_col),
            amount_col: self.monetary_value_col.as_deref().map(ColumnRef::parse),
            date_format: args.date_format.clone(),
            delimiter,
            has_header: self.has_header.unwrap_or(true),
            skip_invalid: args.skip_invalid.unwrap_or(false),
        })
    }
}

/// Reads a transaction file (its bytes) and summarises it.
///
/// # Errors
/// [`Error::InvalidValue`] for an unknown `delimiter`; the errors of
/// [`read_transactions`] and [`summarize_coded`].
pub fn summarize_csv(text: &[u8], csv: &CsvArgs, args: &SummaryArgs) -> Result<Summary> {
    let options = csv.read_options(args)?;
    let table = read_transactions(text, &options)?;
    summarize_coded(
        &table.ids,
        &table.timestamps,
        table.amounts.as_deref(),
        &args.to_options()?,
    )
}

/// Summarises the transaction file at `path` as it is read, in bounded
/// memory ([`clv::io::summarize_path`]): the summary of [`summarize_csv`]
/// on the file's bytes.
///
/// # Errors
/// Those of [`summarize_csv`]; [`Error::Io`] naming `path`.
pub fn summarize_file(path: &str, csv: &CsvArgs, args: &SummaryArgs) -> Result<Summary> {
    let read = csv.read_options(args)?;
    let options = args.to_options()?;
    clv::io::summarize_path(
        std::path::Path::new(path),
        &read,
        &options,
        clv::io::DEFAULT_BATCH,
    )
    .map(|(s, _)| s)
}

/// The `order` option of `Summarizer`: `"any"` (default) or `"chronological"`.
///
/// # Errors
/// [`Error::InvalidValue`] naming `order` for any other text.
pub fn row_order(text: Option<&str>) -> Result<RowOrder> {
    match text.unwrap_or("any") {
        "any" => Ok(RowOrder::Any),
        "chronological" => Ok(RowOrder::Chronological),
        other => Err(Error::invalid(
            "order",
            format!("{other:?}"),
            "\"any\" or \"chronological\"",
        )),
    }
}

/// A transaction file summarised chunk by chunk (JS `Summarizer`): the
/// summary of [`summarize_csv`] on the chunks joined, in memory that does
/// not grow with the file ([`clv::io::SummaryReader`]).
pub struct CsvStream {
    reader: Option<SummaryReader>,
}

impl CsvStream {
    /// A stream with the reading and summary options of [`summarize_csv`].
    ///
    /// # Errors
    /// Those of [`CsvArgs::read_options`], [`SummaryArgs::to_options`] and
    /// [`row_order`].
    pub fn new(csv: &CsvArgs, args: &SummaryArgs, order: Option<&str>) -> Result<Self> {
        let read = csv.read_options(args)?;
        let reader = SummaryReader::new(&read, &args.to_options()?, row_order(order)?)?;
        Ok(CsvStream {
            reader: Some(reader),
        })
    }

    /// The next bytes of the file (split anywhere).
    ///
    /// # Errors
    /// The file's first parse error so far; [`Error::InvalidValue`]
    /// (`Summarizer`) after `finish`.
    pub fn push(&mut self, bytes: &[u8]) -> Result<()> {
        self.reader.as_mut().ok_or_else(finished)?.push(bytes)
    }

    /// The summary of everything pushed; the stream is then spent.
    ///
    /// # Errors
    /// Those of [`summarize_csv`] on the whole file.
    pub fn finish(&mut self) -> Result<Summary> {
        let reader = self.reader.take().ok_or_else(finished)?;
        reader.finish().map(|(s, _)| s)
    }
}

fn finished() -> Error {
    Error::invalid(
        "Summarizer",
        "finished",
        "a Summarizer that has not returned its summary yet (make a new one)",
    )
}

/// The segment map: the default one, or one given as JSON
/// ([`SegmentMap::from_json`]).
///
/// # Errors
/// Those of [`SegmentMap::from_json`].
pub fn segment_map(json: Option<&str>) -> Result<SegmentMap> {
    json.map_or_else(|| Ok(SegmentMap::default_map()), SegmentMap::from_json)
}

/// RFM scores with `bins` (default 5) from the summary columns.
///
/// # Errors
/// Those of [`clv::rfm::rfm_scores`]; `bins` not a whole number.
pub fn rfm_scores(
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
    monetary_value: &[f64],
    bins: Option<f64>,
) -> Result<RfmScores> {
    let bins = match bins {
        None => 5,
        Some(b) => u8::try_from(whole_u32("bins", b, 0)?)
            .map_err(|_| Error::invalid("bins", b, "a whole number in 2..=9"))?,
    };
    clv::rfm::rfm_scores(frequency, recency, t, monetary_value, bins)
}

/// Segment names of scored customers and the count table of the map.
///
/// # Errors
/// Those of [`clv::rfm::rfm_segments`] and [`segment_map`].
pub fn rfm_segments(
    scores: &RfmScores,
    map_json: Option<&str>,
) -> Result<(Vec<String>, Vec<SegmentCount>)> {
    let map = segment_map(map_json)?;
    let segments = clv::rfm::rfm_segments(scores, &map)?;
    let table = clv::rfm::segment_table(&segments, &map);
    Ok((segments, table))
}

/// Rounds a decimal string half away from zero to `dp` places; see
/// [`formulas::round_money`].
///
/// # Errors
/// `value` not a decimal; `dp` not a whole number in 0..=28.
pub fn round_money(value: &str, dp: f64) -> Result<String> {
    let dp = whole_u32("dp", dp, 0)?;
    if dp > 28 {
        return Err(Error::invalid("dp", dp, "a whole number in 0..=28"));
    }
    Ok(formulas::round_money(parse_decimal("value", value)?, dp).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers() {
        assert_eq!(whole_u32("n", 3.0, 0).unwrap(), 3);
        for bad in [-1.0, 0.5, f64::NAN, f64::INFINITY, 5e9] {
            assert_eq!(
                whole_u32("n", bad, 0).unwrap_err().field(),
                Some("n"),
                "{bad}"
            );
        }
        assert_eq!(
            whole_u32("periods", 0.0, 1).unwrap_err().code(),
            "INVALID_INPUT"
        );
    }

    #[test]
    fn fit_args() {
        assert_eq!(
            FitArgs::default().to_options().unwrap(),
            FitOptions::default()
        );
        let o = FitArgs {
            penalty: Some(0.1),
            max_iterations: Some(50.0),
            gradient_tolerance: Some(1e-8),
        }
        .to_options()
        .unwrap();
        assert_eq!(
            (o.penalty, o.max_iterations, o.gradient_tolerance),
            (0.1, 50, 1e-8)
        );
        let e = FitArgs {
            gradient_tolerance: Some(-1.0),
            ..FitArgs::default()
        }
        .to_options()
        .unwrap_err();
        assert_eq!(js_names(e).field(), Some("gradientTolerance"));
        let e = FitArgs {
            max_iterations: Some(0.0),
            ..FitArgs::default()
        }
        .to_options()
        .unwrap_err();
        assert_eq!(e.field(), Some("maxIterations"));
    }

    #[test]
    fn summaries_from_columns_and_csv_agree() {
        // Hand-computed, days: a buys on 01-01, 01-03 (x = 1, t_x = 2, T = 9
        // to 01-10), b once on 01-05 (x = 0, T = 5); amounts: a's repeat 20.
        let ids: Vec<String> = ["a", "a", "b"].iter().map(|s| s.to_string()).collect();
        let dates: Vec<String> = ["2024-01-01", "2024-01-03", "2024-01-05"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let args = SummaryArgs {
            observation_period_end: Some("2024-01-10".into()),
            ..SummaryArgs::default()
        };
        let s = summarize_columns(&ids, &dates, Some(&[10.0, 20.0, 5.0]), &args).unwrap();
        assert_eq!(
            (s.frequency.clone(), s.recency.clone(), s.t.clone()),
            (vec![1.0, 0.0], vec![2.0, 0.0], vec![9.0, 5.0])
        );
        assert_eq!(s.monetary_value.clone().unwrap(), vec![20.0, 0.0]);
        let csv = "id,day,amount\na,2024-01-01,10\na,2024-01-03,20\nb,2024-01-05,5\n";
        let c = CsvArgs {
            customer_id_col: "id".into(),
            datetime_col: "day".into(),
            monetary_value_col: Some("3".into()),
            ..CsvArgs::default()
        };
        assert_eq!(summarize_csv(csv.as_bytes(), &c, &args).unwrap(), s);
        let bad = vec![
            "2024-01-01".to_string(),
            "2024-13-01".to_string(),
            "2024-01-05".to_string(),
        ];
        let e = summarize_columns(&ids, &bad, None, &args).unwrap_err();
        assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("datetime")));
        assert!(
            e.to_string()
                .starts_with("invalid datetime[1]: \"2024-13-01\""),
            "{e}"
        );
        let e = summarize_csv(
            csv.as_bytes(),
            &CsvArgs {
                delimiter: Some("|".into()),
                ..c
            },
            &args,
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("delimiter"));
        let e = SummaryArgs {
            freq: Some("fortnight".into()),
            ..SummaryArgs::default()
        }
        .to_options()
        .unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT");
    }

    #[test]
    fn formula_errors_in_js_spelling() {
        // The bindings call the core's decimal-text formulas
        // (`clv::formulas::text`); their errors name the JS fields.
        use clv::formulas::text;
        assert_eq!(round_money("2.345", 2.0).unwrap(), "2.35");
        let e = text::simple_clv("50", "4", "3", "0.25", "twenty", "0").unwrap_err();
        assert_eq!(js_names(e).field(), Some("acquisitionCost"));
        let e = text::waland_cole(&["10", "x"], &["5"; 2], &["2"; 2], &["1"; 2], "20", "0");
        let e = js_names(e.unwrap_err());
        assert!(e.to_string().starts_with("invalid volume[1]"), "{e}");
        let e = text::retention_clv("100", "1", "0.1", None).unwrap_err();
        assert_eq!(js_names(e).field(), Some("retention"));
        assert_eq!(
            whole_u32("periods", 0.0, 1).unwrap_err().field(),
            Some("periods")
        );
    }

    #[test]
    fn rfm() {
        let s = rfm_scores(
            &[0.0, 1.0, 1.0, 2.0],
            &[0.0, 1.0, 2.0, 3.0],
            &[5.0; 4],
            &[0.0, 1.0, 2.0, 3.0],
            Some(2.0),
        )
        .unwrap();
        assert_eq!(s.bins, 2);
        let (seg, table) = rfm_segments(&s, None).unwrap();
        assert_eq!(seg.len(), 4);
        assert_eq!(table.iter().map(|r| r.customers).sum::<usize>(), 4);
        assert_eq!(
            rfm_scores(&[1.0], &[1.0], &[1.0], &[1.0], Some(2.5))
                .unwrap_err()
                .field(),
            Some("bins")
        );
        assert_eq!(
            rfm_scores(&[1.0], &[1.0], &[1.0], &[1.0], Some(300.0))
                .unwrap_err()
                .field(),
            Some("bins")
        );
        assert_eq!(segment_map(Some("{")).unwrap_err().code(), "FORMAT_ERROR");
    }

    #[test]
    fn portfolio_and_uplift_options() {
        assert_eq!(tier_method(None).unwrap(), TierMethod::CumulativeShare);
        assert_eq!(
            tier_method(Some("cumulativeShare")).unwrap(),
            TierMethod::CumulativeShare
        );
        assert_eq!(tier_method(Some("quantile")).unwrap(), TierMethod::Quantile);
        assert_eq!(
            tier_method(Some("abc")).unwrap_err().field(),
            Some("method")
        );
        assert_eq!(
            UpliftArgs::default().to_options().unwrap(),
            UpliftOptions::default()
        );
        let o = UpliftArgs {
            confidence: Some(0.9),
            metric: Some("binary".into()),
            population: Some(1000.0),
        }
        .to_options()
        .unwrap();
        assert_eq!(
            (o.confidence, o.metric, o.population),
            (0.9, clv::experiment::Metric::Binary, Some(1000.0))
        );
        let e = UpliftArgs {
            metric: Some("yes".into()),
            ..UpliftArgs::default()
        }
        .to_options()
        .unwrap_err();
        assert_eq!(e.field(), Some("metric"));
        let e = js_names(Error::invalid_at("p_alive", 2, 1.5, "a probability"));
        assert!(e.to_string().starts_with("invalid pAlive[2]: 1.5"), "{e}");
        let e = clv::portfolio::revenue_at_risk(&[1.0, 2.0], &[0.5]).unwrap_err();
        let e = js_names(e);
        assert_eq!((e.code(), e.field()), ("LENGTH_MISMATCH", Some("pAlive")));
    }

    #[test]
    fn customer_totals_name_js_fields() {
        // As the core's example: a: 0.3·40 − 2·2 = 8; b: 0.3·4 − 2·1 = −0.8.
        let ids: Vec<String> = ["a", "b", "a"].iter().map(|s| s.to_string()).collect();
        let t = customer_totals(&ids, &[10.0, 4.0, 30.0], Some(0.3), Some(2.0)).unwrap();
        assert_eq!(t.customer_id, ["a", "b"]);
        assert_eq!(
            (t.revenue, t.transactions),
            (vec![40.0, 4.0], vec![2.0, 1.0])
        );
        assert!((t.margin[0] - 8.0).abs() < 1e-12 && (t.margin[1] + 0.8).abs() < 1e-12);
        // Defaults: the margin is the revenue.
        let t = customer_totals(&ids, &[10.0, 4.0, 30.0], None, None).unwrap();
        assert_eq!(t.margin, vec![40.0, 4.0]);
        let e = customer_totals(&ids, &[1.0], None, None).unwrap_err();
        assert_eq!(
            (e.code(), e.field()),
            ("LENGTH_MISMATCH", Some("monetaryValue"))
        );
        assert!(e.to_string().contains("customerId"), "{e}");
        let e = customer_totals(&ids, &[1.0; 3], Some(1.5), None).unwrap_err();
        assert_eq!(js_names(e).field(), Some("marginRate"));
        let e = customer_totals(&ids, &[1.0, f64::NAN, 1.0], None, None).unwrap_err();
        assert_eq!(e.field(), Some("monetaryValue"));
    }

    #[test]
    fn camel_case() {
        assert_eq!(camel("gradient_tolerance"), "gradientTolerance");
        assert_eq!(camel("r"), "r");
    }
}
