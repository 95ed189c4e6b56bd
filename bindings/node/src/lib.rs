//! Node.js bindings of `clv` (napi-rs), published as `@clv/node`.
//!
//! Thin: each function converts JS values, calls the core crate `clv` (or the
//! shared option glue `clv-js-common`) and converts back. Arrays come in as
//! `Float64Array` or plain arrays of numbers and go out as `Float64Array`;
//! money is decimal text. Every core error becomes a JS `Error` whose `code`
//! is [`clv::Error::code`] (`INVALID_INPUT`, `LENGTH_MISMATCH`, ...) and
//! whose message names the field and the value. The API is the one of
//! DESIGN.md in camelCase; `index.d.ts` is generated from this file.
#![allow(missing_docs)] // napi-derive generates undocumented items; the API docs are in index.d.ts.

use clv_js_common as glue;
use napi::bindgen_prelude::{Either, Float64Array, Uint8Array, Uint32Array, Unknown};
use napi_derive::napi;

/// Result of every exported function: the error's status is the core's code.
type Result<T> = std::result::Result<T, napi::Error<String>>;

/// The one mapping of core errors to JS errors: `code` = [`clv::Error::code`],
/// message = its text, with field names in JS spelling (`n_periods` →
/// `nPeriods`, `p_alive` → `pAlive`).
fn js(e: clv::Error) -> napi::Error<String> {
    let e = glue::js_names(e);
    napi::Error::new(e.code().to_string(), e.to_string())
}

/// [`js`] of [`clv::Error::invalid`].
fn invalid(field: &str, value: impl std::fmt::Display, expected: &str) -> napi::Error<String> {
    js(clv::Error::invalid(field, value, expected))
}

fn sl(a: &Either<Float64Array, Vec<f64>>) -> &[f64] {
    match a {
        Either::A(t) => t,
        Either::B(v) => v,
    }
}

fn out(v: Vec<f64>) -> Float64Array {
    Float64Array::new(v)
}

/// A result object declared once: the napi object, and its conversion from
/// the core type field by field (`=> f` converts the core field with `f`; a
/// field without it is moved as it is). Docs are written `#[doc = "…"]`:
/// napi's type generator misreads the raw literals `///` becomes inside a
/// macro.
macro_rules! js_object {
    (
        $(#[doc = $doc:literal])*
        #[napi($($napi:tt)*)]
        pub struct $name:ident from $core:ty {
            $( $(#[doc = $fdoc:literal])* $(#[napi($($fnapi:tt)*)])? pub $field:ident: $ty:ty $(=> $conv:expr)?, )*
        }
    ) => {
        $(#[doc = $doc])*
        #[napi($($napi)*)]
        pub struct $name {
            $( $(#[doc = $fdoc])* $(#[napi($($fnapi)*)])? pub $field: $ty, )*
        }

        impl From<$core> for $name {
            fn from(v: $core) -> Self {
                Self { $( $field: js_object!(@conv v.$field $(, $conv)?), )* }
            }
        }
    };
    (@conv $v:expr) => { $v };
    (@conv $v:expr, $conv:expr) => { ($conv)($v) };
}

/// An input object declared once: the napi object (for its TS type) and its
/// `read` from the JS value, each field with the `read` function that reads
/// it and its JS name (`= reader("jsName")`), read in the order declared,
/// with our errors. Docs are written `#[doc = "…"]`, as in [`js_object!`].
macro_rules! js_input {
    (
        $(#[doc = $doc:literal])*
        #[napi($($napi:tt)*)]
        $(#[derive($($derive:path),*)])?
        pub struct $name:ident {
            $( $(#[doc = $fdoc:literal])* $(#[napi($($fnapi:tt)*)])? pub $field:ident: $ty:ty = $read:ident($js:literal), )*
        }
    ) => {
        $(#[doc = $doc])*
        #[napi($($napi)*)]
        $(#[derive($($derive),*)])?
        pub struct $name {
            $( $(#[doc = $fdoc])* $(#[napi($($fnapi)*)])? pub $field: $ty, )*
        }

        impl $name {
            /// The JS object, read with our errors (in @clv/wasm's order).
            fn read(o: &Unknown<'_>) -> Result<Self> {
                Ok($name { $( $field: read::$read(o, $js)?, )* })
            }
        }
    };
}

// After `js_object!` and `js_input!`, which they use.
pub mod covariates;

pub mod models;

pub mod spend;

pub mod retention;

mod read;

pub mod uncertainty;

pub mod grouped;

pub mod diagnostics;

/// Core rows as JS rows.
fn rows<T, U: From<T>>(v: Vec<T>) -> Vec<U> {
    v.into_iter().map(U::from).collect()
}

/// Options of `fit` (all optional), the JS object itself (napi types it by
/// this alias's name: its TS is in the head `index.d.ts.in`).
pub type FitOptions<'a> = Unknown<'a>;

fn fit_options(o: Option<FitOptions<'_>>) -> Result<clv::fit::FitOptions> {
    let args = glue::FitArgs::read(&read::Opts(o.as_ref()))?;
    args.to_options().map_err(js)
}

// ---------------------------------------------------------------------------
// summary and RFM

js_input! {
#[doc = " A transaction log as columns, one element per transaction."]
#[napi(object, object_to_js = false)]
pub struct Transactions {
    #[doc = " Customer ids."]
    pub customer_id: Vec<String> = strings_of("customerId"),
    #[doc = " Dates: YYYY-MM-DD, YYYYMMDD, ISO date-times, or `dateFormat`."]
    pub datetime: Vec<String> = strings_of("datetime"),
    #[doc = " Amounts (≥ 0), optional."]
    pub monetary_value: Option<Either<Float64Array, Vec<f64>>> = opt_numbers_of("monetaryValue"),
}
}

/// Options of `rfmSummary` (lifetimes' `summary_data_from_transaction_data`).
#[napi(object)]
#[derive(Default)]
pub struct SummaryOptions {
    /// Time unit: "D" (default), "W", "M", "H" or "<n>d" (e.g. "7d").
    pub freq: Option<String>,
    /// End of observation (default: the latest transaction).
    pub observation_period_end: Option<String>,
    /// End of calibration: adds the holdout columns.
    pub calibration_period_end: Option<String>,
    /// chrono strftime format of the dates.
    pub date_format: Option<String>,
    /// Skip and count bad rows instead of failing.
    pub skip_invalid: Option<bool>,
}

/// Options of `rfmSummaryFromCsv`: where the columns are, and the summary options.
#[napi(object)]
pub struct CsvOptions {
    /// Customer id column: header name or 1-based position ("2").
    pub customer_id_col: String,
    /// Date column.
    pub datetime_col: String,
    /// Amount column, if any.
    pub monetary_value_col: Option<String>,
    /// "auto" (default), ",", "\t", ";" or "whitespace".
    pub delimiter: Option<String>,
    /// First line is a header (default true).
    pub has_header: Option<bool>,
    pub freq: Option<String>,
    pub observation_period_end: Option<String>,
    pub calibration_period_end: Option<String>,
    pub date_format: Option<String>,
    pub skip_invalid: Option<bool>,
    /// `Summarizer` only: "any" (default: rows in any order; memory grows
    /// with the distinct (customer, period) pairs) or "chronological" (each
    /// customer's rows in date order; memory per customer only; a row out of
    /// order is an error at `finish`). `rfmSummaryFromFile` finds out itself.
    pub order: Option<String>,
}

/// One row per customer (sorted by id), as lifetimes' summary.
#[napi(object, object_from_js = false)]
pub struct RfmSummary {
    pub customer_id: Vec<String>,
    pub frequency: Float64Array,
    pub recency: Float64Array,
    #[napi(js_name = "T")]
    pub t: Float64Array,
    /// Mean repeat spend; present when amounts were given.
    pub monetary_value: Option<Float64Array>,
    /// Holdout columns; present with `calibrationPeriodEnd`.
    pub frequency_holdout: Option<Float64Array>,
    pub monetary_value_holdout: Option<Float64Array>,
    pub duration_holdout: Option<f64>,
    /// The time unit, e.g. "W" or "7d".
    pub unit: String,
    pub observation_period_end: String,
    pub calibration_period_end: Option<String>,
    /// Transactions used.
    pub n_transactions: u32,
    /// Rows skipped with `skipInvalid`.
    pub n_skipped: u32,
    /// Transactions after the observation end: outside the window and left
    /// out, as in lifetimes (rows of the end's own period stay in).
    pub n_after_observation_end: u32,
}

// Written out, not with `js_object!`: napi leaves an absent optional field
// out of the object only when it sees `Option` itself, not through a macro
// type fragment (it would write `null`).
impl From<clv::summary::Summary> for RfmSummary {
    fn from(s: clv::summary::Summary) -> Self {
        let v = glue::SummaryView::from(s);
        RfmSummary {
            customer_id: v.customer_id,
            frequency: out(v.frequency),
            recency: out(v.recency),
            t: out(v.t),
            monetary_value: v.monetary_value.map(out),
            frequency_holdout: v.frequency_holdout.map(out),
            monetary_value_holdout: v.monetary_value_holdout.map(out),
            duration_holdout: v.duration_holdout,
            unit: v.unit,
            observation_period_end: v.observation_period_end,
            calibration_period_end: v.calibration_period_end,
            n_transactions: count(v.n_transactions),
            n_skipped: count(v.n_skipped),
            n_after_observation_end: count(v.n_after_observation_end),
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Transaction log → per-customer frequency, recency, T, monetaryValue.
#[napi(catch_unwind)]
pub fn rfm_summary(
    #[napi(ts_arg_type = "Transactions")] transactions: Unknown<'_>,
    #[napi(ts_arg_type = "SummaryOptions | undefined | null")] options: Option<Unknown<'_>>,
) -> Result<RfmSummary> {
    let transactions = Transactions::read(&transactions)?;
    let args = glue::SummaryArgs::read(&read::Opts(options.as_ref()))?;
    let amounts = transactions.monetary_value.as_ref().map(sl);
    glue::summarize_columns(
        &transactions.customer_id,
        &transactions.datetime,
        amounts,
        &args,
    )
    .map(RfmSummary::from)
    .map_err(js)
}

/// The reading options and the summary options of a `CsvOptions` object,
/// read with our errors (in @clv/wasm's order: the columns and reading
/// options, then the summary options).
pub(crate) fn csv_options(o: &Unknown<'_>) -> Result<(glue::CsvArgs, glue::SummaryArgs)> {
    let o = read::Opts(Some(o));
    Ok((glue::CsvArgs::read(&o)?, glue::SummaryArgs::read(&o)?))
}

/// The bytes of a file given as text or as bytes.
pub(crate) fn text_bytes(text: &Either<String, Uint8Array>) -> &[u8] {
    match text {
        Either::A(s) => s.as_bytes(),
        Either::B(b) => b,
    }
}

/// A transaction file (CSV, TSV, `;` or whitespace separated) → summary, as `rfmSummary`.
#[napi(catch_unwind)]
pub fn rfm_summary_from_csv(
    #[napi(ts_arg_type = "string | Uint8Array")] text: Unknown<'_>,
    #[napi(ts_arg_type = "CsvOptions")] options: Unknown<'_>,
) -> Result<RfmSummary> {
    let text = read::text("text", text)?;
    let (csv, args) = csv_options(&options)?;
    let bytes = text_bytes(&text);
    glue::summarize_csv(bytes, &csv, &args)
        .map(RfmSummary::from)
        .map_err(js)
}

/// A transaction file on disk → summary, equal to `rfmSummaryFromCsv` on its
/// bytes, read in 8 MiB batches: memory does not grow with the file (a
/// second pass, in any order, when a customer's rows are not in date order).
#[napi(catch_unwind)]
pub fn rfm_summary_from_file(
    #[napi(ts_arg_type = "string")] path: Unknown<'_>,
    #[napi(ts_arg_type = "CsvOptions")] options: Unknown<'_>,
) -> Result<RfmSummary> {
    let path = read::string("path", path)?;
    let (csv, args) = csv_options(&options)?;
    glue::summarize_file(&path, &csv, &args)
        .map(RfmSummary::from)
        .map_err(js)
}

/// A transaction file summarised chunk by chunk (`push` chunks split
/// anywhere, then `finish`): the summary of `rfmSummaryFromCsv` on the
/// chunks joined, in memory that does not grow with the file.
#[napi]
pub struct Summarizer {
    inner: glue::CsvStream,
}

#[napi]
impl Summarizer {
    /// A summariser with the options of `rfmSummaryFromCsv` (and `order`).
    #[napi(catch_unwind, constructor)]
    pub fn new(#[napi(ts_arg_type = "CsvOptions")] options: Unknown<'_>) -> Result<Self> {
        let (csv, args) = csv_options(&options)?;
        let order = read::opt_string_of(&options, "order")?;
        glue::CsvStream::new(&csv, &args, order.as_deref())
            .map(|inner| Summarizer { inner })
            .map_err(js)
    }

    /// The next bytes of the file (a string chunk must end on a character).
    #[napi(catch_unwind)]
    pub fn push(
        &mut self,
        #[napi(ts_arg_type = "string | Uint8Array")] chunk: Unknown<'_>,
    ) -> Result<()> {
        // named "text" as in @clv/wasm
        let chunk = read::text("text", chunk)?;
        self.inner.push(text_bytes(&chunk)).map_err(js)
    }

    /// The summary of everything pushed; the summariser is then spent.
    #[napi(catch_unwind)]
    pub fn finish(&mut self) -> Result<RfmSummary> {
        self.inner.finish().map(RfmSummary::from).map_err(js)
    }
}

js_input! {
#[doc = " The summary columns RFM needs."]
#[napi(object, object_to_js = false)]
pub struct RfmInput {
    pub frequency: Either<Float64Array, Vec<f64>> = numbers_of("frequency"),
    pub recency: Either<Float64Array, Vec<f64>> = numbers_of("recency"),
    #[napi(js_name = "T")]
    pub t: Either<Float64Array, Vec<f64>> = numbers_of("T"),
    pub monetary_value: Either<Float64Array, Vec<f64>> = numbers_of("monetaryValue"),
}
}

js_input! {
#[doc = " Options of `rfmScores` / `rfmSegments`."]
#[napi(object)]
#[derive(Default)]
pub struct RfmOptions {
    #[doc = " Quantile bins per score, 2..=9 (default 5)."]
    pub bins: Option<f64> = opt_number_of("bins"),
    #[doc = " A segment map as JSON (default: the documented 11-segment map)."]
    pub segment_map: Option<String> = opt_string_of("segmentMap"),
}
}

impl RfmOptions {
    /// The JS object (none: the defaults), read with our errors.
    fn read_or_default(o: Option<&Unknown<'_>>) -> Result<Self> {
        o.map_or_else(|| Ok(Self::default()), Self::read)
    }
}

/// Quantile scores of each customer.
#[napi(object, object_from_js = false)]
pub struct RfmScores {
    pub r_score: Uint8Array,
    pub f_score: Uint8Array,
    pub m_score: Uint8Array,
    /// R, F and M digits, e.g. "545".
    pub rfm_score: Vec<String>,
    pub bins: u32,
    /// Segment names (rfmSegments only).
    pub segment: Option<Vec<String>>,
    /// Customers per segment, in map order (rfmSegments only).
    pub segment_counts: Option<Vec<SegmentCount>>,
}

js_object! {
#[doc = "One row of the segment table."]
#[napi(object)]
pub struct SegmentCount from clv::rfm::SegmentCount {
    pub segment: String,
    pub customers: u32 => count,
    pub share: f64,
}
}

fn scores(input: &RfmInput, options: &RfmOptions) -> Result<clv::rfm::RfmScores> {
    glue::rfm_scores(
        sl(&input.frequency),
        sl(&input.recency),
        sl(&input.t),
        sl(&input.monetary_value),
        options.bins,
    )
    .map_err(js)
}

fn scores_js(s: &clv::rfm::RfmScores) -> RfmScores {
    RfmScores {
        r_score: Uint8Array::new(s.r_score.clone()),
        f_score: Uint8Array::new(s.f_score.clone()),
        m_score: Uint8Array::new(s.m_score.clone()),
        rfm_score: s.codes(),
        bins: u32::from(s.bins),
        segment: None,
        segment_counts: None,
    }
}

/// RFM quantile scores (1..bins) and the combined code.
#[napi(catch_unwind)]
pub fn rfm_scores(
    #[napi(ts_arg_type = "RfmInput")] summary: Unknown<'_>,
    #[napi(ts_arg_type = "RfmOptions | undefined | null")] options: Option<Unknown<'_>>,
) -> Result<RfmScores> {
    let summary = RfmInput::read(&summary)?;
    let o = RfmOptions::read_or_default(options.as_ref())?;
    Ok(scores_js(&scores(&summary, &o)?))
}

/// RFM scores plus the named segment of each customer and the segment counts.
#[napi(catch_unwind)]
pub fn rfm_segments(
    #[napi(ts_arg_type = "RfmInput")] summary: Unknown<'_>,
    #[napi(ts_arg_type = "RfmOptions | undefined | null")] options: Option<Unknown<'_>>,
) -> Result<RfmScores> {
    let summary = RfmInput::read(&summary)?;
    let o = RfmOptions::read_or_default(options.as_ref())?;
    let s = scores(&summary, &o)?;
    let (segments, table) = glue::rfm_segments(&s, o.segment_map.as_deref()).map_err(js)?;
    let mut r = scores_js(&s);
    r.segment = Some(segments);
    r.segment_counts = Some(table.into_iter().map(Into::into).collect());
    Ok(r)
}

// ---------------------------------------------------------------------------
// formulas (decimal strings in and out)

/// Waland & Cole client value with per-period series (element 0 = period 1).
#[napi(object)]
pub struct WalandColeInput {
    pub volume: Vec<String>,
    pub margin: Vec<String>,
    pub direct_costs: Vec<String>,
    pub retention_costs: Vec<String>,
    pub acquisition_cost: String,
    pub cost_of_capital: String,
}

/// Waland & Cole with the same values in every one of `periods` periods.
#[napi(object)]
pub struct WalandColeConstantInput {
    pub volume: String,
    pub margin: String,
    pub direct_costs: String,
    pub retention_costs: String,
    pub periods: f64,
    pub acquisition_cost: String,
    pub cost_of_capital: String,
}

/// Inputs of the simple CLV.
#[napi(object)]
pub struct SimpleClvInput {
    pub average_purchase_value: String,
    pub purchase_frequency: String,
    pub lifespan: String,
    /// In [0, 1].
    pub margin_rate: String,
    /// Default "0".
    pub acquisition_cost: Option<String>,
    /// Default "0".
    pub retention_cost: Option<String>,
}

/// Inputs of the retention CLV.
#[napi(object)]
pub struct RetentionClvInput {
    pub margin: String,
    /// In [0, 1).
    pub retention: String,
    pub discount_rate: String,
    /// Finite horizon; infinite when absent.
    pub periods: Option<f64>,
}

/// Inputs of the contribution margin.
#[napi(object)]
pub struct ContributionMarginInput {
    pub revenue: String,
    pub variable_costs: String,
    /// Default "0".
    pub cost_to_serve: Option<String>,
}

/// The decimal formulas, each a function of one input object that
/// `clv_js_common::decimal` reads and computes: `"doc" name("TS type")`.
macro_rules! decimal_formulas {
    ($($doc:literal $name:ident($ty:literal);)*) => {
        $(
            #[doc = $doc]
            #[napi(catch_unwind)]
            pub fn $name(#[napi(ts_arg_type = $ty)] input: Unknown<'_>) -> Result<String> {
                glue::decimal::$name(&read::Opts(Some(&input)))
            }
        )*
    };
}

decimal_formulas! {
    "VC = Σ_{t=1..n} (Vol_t·M_t − D_t − R_t)·d^t − A, d = 1/(1+COC)."
    waland_cole("WalandColeInput");
    "Waland & Cole client value with constant per-period values."
    waland_cole_constant("WalandColeConstantInput");
    "APV × purchase frequency × lifespan × margin rate − acquisition − retention costs."
    simple_clv("SimpleClvInput");
    "m·r/(1+i−r), or Σ_{t=1..n} m·(r/(1+i))^t with `periods`."
    retention_clv("RetentionClvInput");
    "revenue − variable costs − cost to serve."
    contribution_margin("ContributionMarginInput");
}

/// Rounds decimal text to `dp` places, half away from zero.
#[napi(catch_unwind)]
pub fn round_money(
    #[napi(ts_arg_type = "string")] value: Unknown<'_>,
    #[napi(ts_arg_type = "number")] dp: Unknown<'_>,
) -> Result<String> {
    let value = read::string("value", value)?;
    glue::round_money(&value, read::number("dp", dp)?).map_err(js)
}

// ---------------------------------------------------------------------------
// portfolio measures (`clv::portfolio`) and uplift (`clv::experiment`)

fn positions(v: Vec<usize>) -> Uint32Array {
    Uint32Array::new(v.into_iter().map(count).collect())
}

js_object! {
#[doc = "Share of the total value held by the top `fraction` of customers."]
#[napi(object, object_from_js = false)]
pub struct TopShare from clv::portfolio::TopShare {
    #[doc = "Fraction of customers (0.01, 0.05, 0.1, 0.2, 0.5)."]
    pub fraction: f64,
    #[doc = "⌈fraction·n⌉ customers."]
    pub customers: u32 => count,
    #[doc = "Their share of the total value."]
    pub share: f64,
}
}

js_object! {
#[doc = "The whale curve (Kaplan & Narayanan 2001): customers sorted by value, largest first (ties in input order)."]
#[napi(object, object_from_js = false)]
pub struct WhaleCurve from clv::portfolio::WhaleCurve {
    #[doc = "Input positions in curve order."]
    pub order: Uint32Array => positions,
    #[doc = "Values in curve order."]
    pub sorted_values: Float64Array => out,
    #[doc = "cumulativeShare[k−1] = (v₍₁₎ + … + v₍ₖ₎) / V, ending at 1."]
    pub cumulative_share: Float64Array => out,
    #[doc = "V = Σ v (> 0)."]
    pub total: f64,
    #[doc = "Σ of the positive values (value created)."]
    pub created: f64,
    #[doc = "Σ of the negative values (value destroyed, ≤ 0)."]
    pub destroyed: f64,
    #[doc = "max_k cumulativeShare[k−1] (above 1 when some customers destroy value)."]
    pub peak_share: f64,
    #[doc = "k*: customers at the peak (first position of the maximum, from 1)."]
    pub peak_customers: u32 => count,
    #[doc = "k*/n."]
    pub peak_fraction: f64,
    #[doc = "Shares of the top 1, 5, 10, 20, 50 % of customers."]
    pub top_shares: Vec<TopShare> => rows,
    #[doc = "Input positions of the customers with negative value, most negative first."]
    pub destroyers: Uint32Array => positions,
    #[doc = "Gini coefficient Σᵢ Σⱼ |vᵢ − vⱼ| / (2 n² μ)."]
    pub gini: f64,
}
}

/// The whale curve of `values` (per-customer revenue, margin or CLV; finite, total > 0).
#[napi(catch_unwind)]
pub fn whale_curve(
    #[napi(ts_arg_type = "Float64Array | Array<number>")] values: Unknown<'_>,
) -> Result<WhaleCurve> {
    let values = read::numbers("values", values)?;
    clv::portfolio::whale_curve(sl(&values))
        .map(Into::into)
        .map_err(js)
}

/// Gini coefficient G = Σᵢ Σⱼ |vᵢ − vⱼ| / (2 n² μ) (population version; above 1 possible with negative values).
#[napi(catch_unwind)]
pub fn gini(
    #[napi(ts_arg_type = "Float64Array | Array<number>")] values: Unknown<'_>,
) -> Result<f64> {
    let values = read::numbers("values", values)?;
    clv::portfolio::gini(sl(&values)).map_err(js)
}

/// Options of `valueTiers`.
#[napi(object)]
#[derive(Default)]
pub struct ValueTiersOptions {
    /// Strictly increasing cuts in (0, 1]; k cuts make k + 1 tiers A, B, C, … (default [0.8, 0.95]).
    pub cuts: Option<Either<Float64Array, Vec<f64>>>,
    /// "share" (cumulative share of value, the default; alias "cumulativeShare") or "quantile".
    pub method: Option<String>,
}

js_object! {
#[doc = "One tier of `valueTiers`."]
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct TierSummary from clv::portfolio::TierSummary {
    pub tier: String,
    pub customers: u32 => count,
    #[doc = "Σ value of its customers."]
    pub value: f64,
    #[doc = "value / total; null when the total is ≤ 0."]
    pub share: Option<f64>,
}
}

js_object! {
#[doc = "Value tiers: the tier of each customer (input order) and one row per tier."]
#[napi(object, object_from_js = false)]
pub struct ValueTiers from clv::portfolio::ValueTiers {
    #[doc = "\"share\" or \"quantile\"."]
    pub method: String => |m: clv::portfolio::TierMethod| m.as_str().to_string(),
    pub cuts: Float64Array => out,
    #[doc = "Tier letter of each customer, in input order."]
    pub tier: Vec<String>,
    pub tiers: Vec<TierSummary> => rows,
}
}

/// Value tiers A, B, C, … by cumulative share of value (ABC analysis) or by quantile; tied values share a tier.
#[napi(catch_unwind)]
pub fn value_tiers(
    #[napi(ts_arg_type = "Float64Array | Array<number>")] values: Unknown<'_>,
    #[napi(ts_arg_type = "ValueTiersOptions | undefined | null")] options: Option<Unknown<'_>>,
) -> Result<ValueTiers> {
    // in @clv/wasm's order: the options, then the values
    let o = options.as_ref();
    let method = o
        .map(|o| read::opt_string_of(o, "method"))
        .transpose()?
        .flatten();
    let method = glue::tier_method(method.as_deref()).map_err(js)?;
    let cuts = o
        .map(|o| read::opt_numbers_of(o, "cuts"))
        .transpose()?
        .flatten();
    let cuts = cuts.as_ref().map_or(&clv::portfolio::DEFAULT_CUTS[..], sl);
    let values = read::numbers("values", values)?;
    clv::portfolio::value_tiers(sl(&values), cuts, method)
        .map(Into::into)
        .map_err(js)
}

/// Revenue at risk per customer: value × (1 − pAlive).
#[napi(catch_unwind)]
pub fn revenue_at_risk(
    #[napi(ts_arg_type = "Float64Array | Array<number>")] values: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array | Array<number>")] p_alive: Unknown<'_>,
) -> Result<Float64Array> {
    let values = read::numbers("values", values)?;
    let p_alive = read::numbers("pAlive", p_alive)?;
    clv::portfolio::revenue_at_risk(sl(&values), sl(&p_alive))
        .map(out)
        .map_err(js)
}

js_object! {
#[doc = "One customer of `riskRanking().atRisk`."]
#[napi(object, object_from_js = false)]
pub struct CustomerAtRisk from clv::portfolio::CustomerAtRisk {
    #[doc = "Input position."]
    pub index: u32 => count,
    pub value: f64,
    pub p_alive: f64,
    #[doc = "value × (1 − pAlive)."]
    pub value_at_risk: f64,
}
}

js_object! {
#[doc = "Revenue at risk with totals and the customers ranked by it."]
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct RiskRanking from clv::portfolio::RiskRanking {
    #[doc = "value × (1 − pAlive), input order."]
    pub value_at_risk: Float64Array => out,
    #[doc = "Σ valueAtRisk."]
    pub total: f64,
    #[doc = "Σ value."]
    pub total_value: f64,
    #[doc = "total / totalValue; null when totalValue ≤ 0."]
    pub share: Option<f64>,
    #[doc = "Σ value × pAlive."]
    pub expected_retained: f64,
    #[doc = "Customers with positive value at risk, largest first (ties in input order)."]
    pub at_risk: Vec<CustomerAtRisk> => rows,
}
}

/// Revenue at risk, its totals and the ranking of the customers by it.
#[napi(catch_unwind)]
pub fn risk_ranking(
    #[napi(ts_arg_type = "Float64Array | Array<number>")] values: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array | Array<number>")] p_alive: Unknown<'_>,
) -> Result<RiskRanking> {
    let values = read::numbers("values", values)?;
    let p_alive = read::numbers("pAlive", p_alive)?;
    clv::portfolio::risk_ranking(sl(&values), sl(&p_alive))
        .map(Into::into)
        .map_err(js)
}

js_object! {
#[doc = "Retention-offer ceilings, per customer."]
#[napi(object, object_from_js = false)]
pub struct OfferCeiling from clv::portfolio::OfferCeiling {
    #[doc = "clv / pAlive: the value of a customer known to stay."]
    pub value_if_retained: Float64Array => out,
    #[doc = "0: a lost customer is worth nothing more."]
    pub value_if_lost: Float64Array => out,
    #[doc = "clv (= pAlive · valueIfRetained)."]
    pub value_without_offer: Float64Array => out,
    #[doc = "successRate · (1 − pAlive) · clv / pAlive when clv > 0, else 0."]
    pub ceiling: Float64Array => out,
}
}

/// The most one may spend on a retention offer per customer: successRate · (1 − pAlive) · clv / pAlive (clv > 0, else 0).
#[napi(catch_unwind)]
pub fn offer_ceiling(
    #[napi(ts_arg_type = "Float64Array | Array<number>")] clv: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array | Array<number>")] p_alive: Unknown<'_>,
    #[napi(ts_arg_type = "number | undefined | null")] success_rate: Option<Unknown<'_>>,
) -> Result<OfferCeiling> {
    let clv = read::numbers("clv", clv)?;
    let p_alive = read::numbers("pAlive", p_alive)?;
    // 1 when not given, as in Python
    let success_rate = read::opt_number("successRate", success_rate)?.unwrap_or(1.0);
    clv::portfolio::offer_ceiling(sl(&clv), sl(&p_alive), success_rate)
        .map(Into::into)
        .map_err(js)
}

/// A transaction log for `customerTotals`: one customer id and one amount per transaction.
#[napi(object, object_to_js = false)]
pub struct TotalsInput {
    pub customer_id: Vec<String>,
    pub monetary_value: Either<Float64Array, Vec<f64>>,
}

/// Options of `customerTotals`.
#[napi(object)]
#[derive(Default)]
pub struct TotalsOptions {
    /// Gross margin rate in [0, 1] (default 1).
    pub margin_rate: Option<f64>,
    /// Cost to serve one transaction, ≥ 0 (default 0).
    pub cost_per_transaction: Option<f64>,
}

js_object! {
#[doc = "Per-customer totals, customers in order of first appearance."]
#[napi(object, object_from_js = false)]
pub struct CustomerTotals from clv::portfolio::CustomerTotals {
    pub customer_id: Vec<String>,
    #[doc = "Σ amounts."]
    pub revenue: Float64Array => out,
    #[doc = "Number of transactions."]
    pub transactions: Float64Array => out,
    #[doc = "marginRate · revenue − costPerTransaction · transactions."]
    pub margin: Float64Array => out,
}
}

/// Revenue, transactions and a contribution margin per customer from a transaction log.
#[napi(catch_unwind)]
pub fn customer_totals(
    #[napi(ts_arg_type = "TotalsInput")] transactions: Unknown<'_>,
    #[napi(ts_arg_type = "TotalsOptions | undefined | null")] options: Option<Unknown<'_>>,
) -> Result<CustomerTotals> {
    let customer_id = read::strings_of(&transactions, "customerId")?;
    let monetary_value = read::numbers_of(&transactions, "monetaryValue")?;
    let o = options.as_ref();
    let margin_rate = o
        .map(|o| read::opt_number_of(o, "marginRate"))
        .transpose()?
        .flatten();
    let cost = o
        .map(|o| read::opt_number_of(o, "costPerTransaction"))
        .transpose()?
        .flatten();
    glue::customer_totals(&customer_id, sl(&monetary_value), margin_rate, cost)
        .map(Into::into)
        .map_err(js)
}

/// Options of the uplift functions, the JS object itself (napi types it by
/// this alias's name: its TS is in the head `index.d.ts.in`).
pub type UpliftOptions<'a> = Unknown<'a>;

fn uplift_options(o: Option<UpliftOptions<'_>>) -> Result<clv::experiment::UpliftOptions> {
    let args = glue::UpliftArgs::read(&read::Opts(o.as_ref()))?;
    args.to_options().map_err(js)
}

js_object! {
#[doc = "The measured effect of an action: treated − control, per customer and in total."]
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Uplift from clv::experiment::Uplift {
    #[doc = "\"continuous\" or \"binary\"."]
    pub metric: String => |m: clv::experiment::Metric| m.as_str().to_string(),
    #[doc = "\"welch\", \"newcombe_hybrid_score\", \"stratified_welch_satterthwaite\" or \"stratified_wald\"."]
    pub method: String => String::from,
    pub confidence: f64,
    pub n_treated: u32 => count,
    pub n_control: u32 => count,
    #[doc = "Mean outcome of the treated group (a proportion for binary metrics)."]
    pub mean_treated: f64,
    #[doc = "Mean outcome of the control group (stratified: standardised to the treated mix)."]
    pub mean_control: f64,
    #[doc = "treated − control, per customer."]
    pub effect: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    #[doc = "Standard error of `effect` (binary: the unpooled Wald one, for information)."]
    pub std_error: f64,
    #[doc = "Degrees of freedom (continuous metrics), else null."]
    pub df: Option<f64>,
    #[doc = "Welch's t, or the z of the score test."]
    pub statistic: f64,
    #[doc = "Two-sided p-value of \"no effect\"."]
    pub p_value: f64,
    #[doc = "effect / meanControl; null when the control mean is 0."]
    pub relative_effect: Option<f64>,
    #[doc = "The treated population `total` is computed for."]
    pub population: f64,
    #[doc = "effect × population: the incremental value created."]
    pub total: f64,
    pub total_ci_low: f64,
    pub total_ci_high: f64,
}
}

/// Uplift of treated over control: Welch's interval and test (continuous) or Newcombe's hybrid score interval with the score-test p-value (binary).
#[napi(catch_unwind)]
pub fn uplift(
    #[napi(ts_arg_type = "Float64Array | Array<number | boolean>")] treated: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array | Array<number | boolean>")] control: Unknown<'_>,
    options: Option<UpliftOptions<'_>>,
) -> Result<Uplift> {
    let treated = read::outcomes("treated", treated)?;
    let control = read::outcomes("control", control)?;
    let o = uplift_options(options)?;
    clv::experiment::uplift(sl(&treated), sl(&control), &o)
        .map(Uplift::from)
        .map_err(js)
}

/// Options of `upliftProportions` (TS in `index.d.ts.in`).
pub type ProportionsOptions<'a> = Unknown<'a>;

/// Counts of a binary outcome in the two groups (TS in `index.d.ts.in`).
pub type Proportions<'a> = Unknown<'a>;

/// Uplift on a binary metric from counts (Newcombe hybrid score interval, score-test p-value).
#[napi(catch_unwind)]
pub fn uplift_proportions(
    counts: Proportions<'_>,
    options: Option<ProportionsOptions<'_>>,
) -> Result<Uplift> {
    let (c, o) = (read::Opts(Some(&counts)), read::Opts(options.as_ref()));
    glue::ProportionsArgs::read_uplift(&c, &o).map(Uplift::from)
}

/// Wilson score interval [low, high] of successes / n (Wilson 1927).
#[napi(catch_unwind, ts_return_type = "[number, number]")]
pub fn wilson_interval(
    #[napi(ts_arg_type = "number")] successes: Unknown<'_>,
    #[napi(ts_arg_type = "number")] n: Unknown<'_>,
    #[napi(ts_arg_type = "number | undefined | null")] confidence: Option<Unknown<'_>>,
) -> Result<Vec<f64>> {
    let (s, n) = (read::number("successes", successes)?, read::number("n", n)?);
    let confidence = read::opt_number("confidence", confidence)?;
    let (lo, hi) = glue::wilson_interval(s, n, confidence).map_err(js)?;
    Ok(vec![lo, hi])
}

js_object! {
#[doc = "One stratum of `upliftStratified` (weight = nTreated / total treated)."]
#[napi(object, object_from_js = false)]
pub struct StratumUplift from clv::experiment::StratumUplift {
    pub stratum: String,
    pub n_treated: u32 => count,
    pub n_control: u32 => count,
    pub weight: f64,
    pub mean_treated: f64,
    pub mean_control: f64,
    pub effect: f64,
    pub std_error: f64,
}
}

js_object! {
#[doc = "A stratified uplift: the combined estimate and one row per stratum (sorted by label)."]
#[napi(object, object_from_js = false)]
pub struct StratifiedUplift from clv::experiment::StratifiedUplift {
    pub overall: Uplift => Uplift::from,
    pub strata: Vec<StratumUplift> => rows,
}
}

/// Uplift estimated within strata and combined with treated weights w_s = n_t,s / n_t: δ = Σ w_s δ_s, Var δ = Σ w_s² (a_s + b_s).
#[napi(catch_unwind)]
pub fn uplift_stratified(
    #[napi(ts_arg_type = "Float64Array | Array<number | boolean>")] treated: Unknown<'_>,
    #[napi(ts_arg_type = "Array<string>")] treated_strata: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array | Array<number | boolean>")] control: Unknown<'_>,
    #[napi(ts_arg_type = "Array<string>")] control_strata: Unknown<'_>,
    options: Option<UpliftOptions<'_>>,
) -> Result<StratifiedUplift> {
    let treated = read::outcomes("treated", treated)?;
    let treated_strata = read::strings("treatedStrata", treated_strata)?;
    let control = read::outcomes("control", control)?;
    let control_strata = read::strings("controlStrata", control_strata)?;
    let o = uplift_options(options)?;
    clv::experiment::uplift_stratified(
        sl(&treated),
        &treated_strata,
        sl(&control),
        &control_strata,
        &o,
    )
    .map(Into::into)
    .map_err(js)
}
