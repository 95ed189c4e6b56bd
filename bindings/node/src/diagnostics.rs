//! Model checking and simulation as data for charts (`clv::diagnostics`,
//! `clv::simulate`): the series of the tracking plot, the period-transaction
//! histogram, a customer's P(alive) path and a seeded simulated customer
//! base. Each function converts, calls the core and converts back through
//! the result objects declared once with `js_object!`.

use clv::error::check;
use napi::bindgen_prelude::{Either, Float64Array, Uint32Array, Unknown};
use napi_derive::napi;

use crate::{Result, count, glue, js, out, read, sl, text_bytes};

/// The model of the `model` argument ([`read::model`]: anything but a
/// model class instance is an `INVALID_INPUT` naming `model`; an unfitted
/// one `NOT_FITTED`).
fn core_of(model: Unknown<'_>) -> Result<clv::AnyModel> {
    read::model("model", model)
}

fn whole(field: &str, v: f64) -> Result<usize> {
    check::whole(field, v).map_err(js)
}

/// The `seed` of the simulations: 0 when not given, as in Python.
fn seed_arg(seed: Option<Unknown<'_>>) -> Result<u64> {
    let seed = read::opt_number("seed", seed)?.unwrap_or(0.0);
    check::seed("seed", seed).map_err(js)
}

fn positions(v: Vec<usize>) -> Uint32Array {
    Uint32Array::new(v.into_iter().map(|i| i as u32).collect())
}

/// The customer base over time, for `trackingSeries`.
#[napi(object, object_to_js = false)]
pub struct TrackingInput {
    /// Period (0-based, from the start of the data) of each customer's first purchase.
    pub first_period: Either<Float64Array, Vec<f64>>,
    /// Period of each repeat transaction (one per customer and period after their first).
    pub repeat_periods: Either<Float64Array, Vec<f64>>,
    /// Periods covered.
    pub n_periods: f64,
    /// Periods per model unit (default 1).
    pub multiplier: Option<f64>,
}

impl TrackingInput {
    /// The JS object, read with our errors (in @clv/wasm's order).
    fn read(o: &Unknown<'_>) -> Result<Self> {
        let n_periods = read::number_of(o, "nPeriods")?;
        let multiplier = read::opt_number_of(o, "multiplier")?;
        Ok(TrackingInput {
            first_period: read::numbers_of(o, "firstPeriod")?,
            repeat_periods: read::numbers_of(o, "repeatPeriods")?,
            n_periods,
            multiplier,
        })
    }
}

js_object! {
#[doc = "Actual vs expected repeat transactions over time."]
#[napi(object, object_from_js = false)]
pub struct TrackingSeries from clv::diagnostics::TrackingSeries {
    #[doc = "Time of each point in model units."]
    pub time: Float64Array => out,
    #[doc = "Cumulative repeat transactions observed."]
    pub actual: Float64Array => out,
    #[doc = "Cumulative expected repeat transactions Σ_c n_c E[X(t − c)]."]
    pub expected: Float64Array => out,
    #[doc = "Observed repeat transactions per step."]
    pub actual_incremental: Float64Array => out,
    #[doc = "Expected repeat transactions per step."]
    pub expected_incremental: Float64Array => out,
}
}

/// The tracking plot's series: cumulative repeat transactions, actual vs expected, customers
/// joining in cohorts by their first purchase period (Fader, Hardie & Lee 2005).
#[napi(catch_unwind)]
pub fn tracking_series(
    #[napi(ts_arg_type = "ModelClass")] model: Unknown<'_>,
    #[napi(ts_arg_type = "TrackingInput")] input: Unknown<'_>,
) -> Result<TrackingSeries> {
    let input = TrackingInput::read(&input)?;
    let (m, n) = (&core_of(model)?, whole("nPeriods", input.n_periods)?);
    let k = glue::diagnostics::multiplier(input.multiplier).map_err(js)?;
    let (first, repeats) = (sl(&input.first_period), sl(&input.repeat_periods));
    clv::diagnostics::tracking_series(m, first, repeats, n, k)
        .map(Into::into)
        .map_err(js)
}

js_object! {
#[doc = "The tracking series of a transaction file."]
#[napi(object, object_from_js = false)]
pub struct TrackingLog from clv::diagnostics::TrackingLog {
    #[doc = "The series, one point per model unit."]
    pub series: TrackingSeries => TrackingSeries::from,
    #[doc = "Start of the first period (the period of the first transaction), ISO date-time."]
    pub start: String => clv::time::format_timestamp,
    #[doc = "Periods tracked (through the observation end's period)."]
    pub n_periods: u32 => count,
    #[doc = "Where the calibration ends on the time axis (model units), when `calibrationPeriodEnd` is given."]
    pub calibration_time: Option<f64>,
}
}

/// The tracking series of a transaction file (read as `rfmSummaryFromCsv` reads it) through the
/// observation end, in `freq` units (`"7d"`: daily periods, weekly points), the calibration end
/// marked: the data of the tracking plot.
#[napi(catch_unwind)]
pub fn tracking_series_from_csv(
    #[napi(ts_arg_type = "ModelClass")] model: Unknown<'_>,
    #[napi(ts_arg_type = "string | Uint8Array")] text: Unknown<'_>,
    #[napi(ts_arg_type = "CsvOptions")] options: Unknown<'_>,
) -> Result<TrackingLog> {
    let (m, text) = (&core_of(model)?, read::text("text", text)?);
    let (csv, args) = crate::csv_options(&options)?;
    let log = glue::diagnostics::tracking_csv(m, text_bytes(&text), &csv, &args);
    log.map(Into::into).map_err(js)
}

js_object! {
#[doc = "Customers by number of repeat purchases, actual vs expected."]
#[napi(object, object_from_js = false)]
pub struct PeriodTransactions from clv::diagnostics::PeriodTransactions {
    #[doc = "\"0\", \"1\", …, \"K-1\", \"K+\"."]
    pub labels: Vec<String>,
    #[doc = "Customers with k repeat purchases (last: K or more)."]
    pub actual: Float64Array => out,
    #[doc = "Σ_i w_i P(X(T_i) = k) (last: P(X(T_i) ≥ K))."]
    pub expected: Float64Array => out,
}
}

/// The period-transaction histogram: customers by repeat purchases 0..K−1 and K+ (default K = 7),
/// actual vs the model's expected counts.
#[napi(catch_unwind)]
pub fn period_transactions(
    #[napi(ts_arg_type = "ModelClass")] model: Unknown<'_>,
    #[napi(ts_arg_type = "PeriodInput")] data: Unknown<'_>,
    max_frequency: Option<f64>,
) -> Result<PeriodTransactions> {
    let m = &core_of(model)?;
    let k = glue::diagnostics::max_frequency(max_frequency).map_err(js)?;
    let d = read::Data::read(&data, &["frequency", "T"])?;
    let (c, w) = (d.slices(), d.weights());
    let d = clv::diagnostics::period_transactions(m, c[0], c[1], w, k);
    d.map(Into::into).map_err(js)
}

js_object! {
#[doc = "A customer's P(alive) at each age."]
#[napi(object, object_from_js = false)]
pub struct AlivePath from clv::diagnostics::AlivePath {
    #[doc = "Age T in periods since the first purchase period."]
    #[napi(js_name = "T")]
    pub t: Float64Array => out,
    #[doc = "Repeat purchase periods by then."]
    pub frequency: Float64Array => out,
    #[doc = "Age at the last purchase by then."]
    pub recency: Float64Array => out,
    #[doc = "P(alive | x, t_x, T)."]
    pub prob_alive: Float64Array => out,
}
}

/// P(alive) of one customer at each age 0..t from their purchases per period (element 0: the
/// first purchase period).
#[napi(catch_unwind)]
pub fn alive_path(
    #[napi(ts_arg_type = "ModelClass")] model: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array | Array<number>")] purchases: Unknown<'_>,
    #[napi(ts_arg_type = "number")] t: Unknown<'_>,
) -> Result<AlivePath> {
    let purchases = read::numbers("purchases", purchases)?;
    let t = read::number("t", t)?;
    let (m, t) = (&core_of(model)?, whole("t", t)?);
    let p = clv::diagnostics::alive_path(m, sl(&purchases), t);
    p.map(Into::into).map_err(js)
}

js_object! {
#[doc = "A simulated customer base."]
#[napi(object, object_from_js = false)]
pub struct Simulated from clv::simulate::Simulated {
    #[doc = "Repeat purchases."]
    pub frequency: Float64Array => out,
    #[doc = "Time of the last repeat purchase (0 without one)."]
    pub recency: Float64Array => out,
    #[doc = "Age (BG/BB: opportunities), as given."]
    #[napi(js_name = "T")]
    pub t: Float64Array => out,
    #[doc = "Purchase rate λ (BG/BB: p)."]
    pub rate: Float64Array => out,
    #[doc = "Dropout parameter (p, μ, η or θ)."]
    pub dropout: Float64Array => out,
    #[doc = "Alive at T."]
    pub alive: Vec<bool>,
    #[doc = "Customer of each repeat purchase."]
    pub purchase_customer: Uint32Array => positions,
    #[doc = "Time of each repeat purchase after the customer's first."]
    pub purchase_time: Float64Array => out,
}
}

/// Simulates one customer per element of `T` from a transaction model with a seeded generator
/// (`seed` a whole number below 2^53): the same seed gives the same data in every runtime.
#[napi(catch_unwind)]
pub fn simulate(
    #[napi(ts_arg_type = "ModelClass")] model: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array | Array<number>")] t: Unknown<'_>,
    #[napi(ts_arg_type = "number | undefined | null")] seed: Option<Unknown<'_>>,
) -> Result<Simulated> {
    let t = read::numbers("T", t)?;
    let (m, seed) = (&core_of(model)?, seed_arg(seed)?);
    clv::simulate::simulate(m, sl(&t), seed)
        .map(Into::into)
        .map_err(js)
}

js_object! {
#[doc = "Simulated mean spends."]
#[napi(object, object_from_js = false)]
pub struct SimulatedSpend from clv::simulate::SimulatedSpend {
    #[doc = "Transactions per customer, as given."]
    pub frequency: Float64Array => out,
    #[doc = "Mean spend per transaction (0 without one)."]
    pub monetary_value: Float64Array => out,
    #[doc = "Each customer's rate ν."]
    pub nu: Float64Array => out,
}
}

/// Simulates the mean spend of customers with `frequency` transactions each from a Gamma-Gamma
/// model with a seeded generator (the same data in every runtime).
#[napi(catch_unwind)]
pub fn simulate_spend(
    #[napi(ts_arg_type = "ModelClass")] model: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array | Array<number>")] frequency: Unknown<'_>,
    #[napi(ts_arg_type = "number | undefined | null")] seed: Option<Unknown<'_>>,
) -> Result<SimulatedSpend> {
    let frequency = read::numbers("frequency", frequency)?;
    let (m, seed) = (&core_of(model)?, seed_arg(seed)?);
    let s = clv::simulate::simulate_spend(m, sl(&frequency), seed);
    s.map(Into::into).map_err(js)
}

/// Simulates the survivor curve of a cohort of `size` customers over `periods` periods from an
/// sBG model with a seeded generator (element 0 the cohort size).
#[napi(catch_unwind)]
pub fn simulate_survivors(
    #[napi(ts_arg_type = "ModelClass")] model: Unknown<'_>,
    #[napi(ts_arg_type = "number")] size: Unknown<'_>,
    #[napi(ts_arg_type = "number")] periods: Unknown<'_>,
    #[napi(ts_arg_type = "number | undefined | null")] seed: Option<Unknown<'_>>,
) -> Result<Float64Array> {
    let size = read::number("size", size)?;
    let periods = read::number("periods", periods)?;
    let m = &core_of(model)?;
    let (n, p) = (whole("size", size)?, whole("periods", periods)?);
    clv::simulate::simulate_survivors(m, n, p, seed_arg(seed)?)
        .map(out)
        .map_err(js)
}

/// The order of the customer exposure plot (pymc-marketing's `plot_customer_exposure`): customer
/// indices by `T`, then `recency` (each customer a line from 0 to `recency` and on to `T`).
#[napi(catch_unwind, js_name = "customerExposure")]
pub fn customer_exposure(
    #[napi(ts_arg_type = "Float64Array | Array<number>")] recency: Unknown<'_>,
    #[napi(ts_arg_type = "Float64Array | Array<number>")] t: Unknown<'_>,
) -> Result<Uint32Array> {
    let recency = read::numbers("recency", recency)?;
    let t = read::numbers("T", t)?;
    let order = clv::diagnostics::customer_exposure(sl(&recency), sl(&t));
    order.map(positions).map_err(js)
}

js_input! {
#[doc = " Options of `frequencyRecencyMatrix`."]
#[napi(object, object_to_js = false)]
pub struct MatrixOptions {
    #[doc = " \"probAlive\" (default) or \"expectedPurchases\"."]
    pub what: Option<String> = opt_string_of("what"),
    #[doc = " Horizon of the expected purchases (default 1)."]
    pub t: Option<f64> = opt_number_of("t"),
    #[doc = " Largest frequency (columns 0..=maxFrequency)."]
    pub max_frequency: f64 = number_of("maxFrequency"),
    #[doc = " Largest recency, also the customers' age T (rows 0..=maxRecency)."]
    pub max_recency: f64 = number_of("maxRecency"),
}
}

js_object! {
#[doc = "A frequency × recency matrix."]
#[napi(object, object_from_js = false)]
pub struct FrequencyRecencyMatrix from clv::diagnostics::FrequencyRecencyMatrix {
    #[doc = "Row-major values, element [recency · columns + frequency]."]
    pub values: Float64Array => out,
    #[doc = "Rows: recency 0..=maxRecency."]
    pub rows: u32 => count,
    #[doc = "Columns: frequency 0..=maxFrequency."]
    pub columns: u32 => count,
}
}

/// P(alive) or expected purchases in the next `t` units on the frequency × recency grid of
/// customers of age maxRecency (the heat maps of lifetimes; every cell is computed).
#[napi(catch_unwind)]
pub fn frequency_recency_matrix(
    #[napi(ts_arg_type = "ModelClass")] model: Unknown<'_>,
    #[napi(ts_arg_type = "MatrixOptions")] options: Unknown<'_>,
) -> Result<FrequencyRecencyMatrix> {
    let m = &core_of(model)?;
    let options = MatrixOptions::read(&options)?;
    let what = glue::diagnostics::matrix_of(options.what.as_deref(), options.t).map_err(js)?;
    let f = whole("maxFrequency", options.max_frequency)?;
    let r = whole("maxRecency", options.max_recency)?;
    let z = clv::diagnostics::frequency_recency_matrix(m, what, f, r);
    z.map(Into::into).map_err(js)
}

js_object! {
#[doc = "Mean holdout purchases by group."]
#[napi(object, object_from_js = false)]
pub struct HoldoutComparison from clv::diagnostics::HoldoutComparison {
    #[doc = "The grouping column's value, ascending."]
    pub key: Float64Array => out,
    #[doc = "Customers in the group."]
    pub customers: Float64Array => out,
    #[doc = "Mean observed holdout purchases."]
    pub actual: Float64Array => out,
    #[doc = "Mean E[Y(duration) | x, t_x, T]."]
    pub expected: Float64Array => out,
}
}

/// Mean holdout purchases, actual vs the model's conditional expectation, by a calibration column
/// (`kind`: "frequency" (default), "recency", "T" or "time_since_last_purchase"), the first
/// `maxGroups` (default 7) groups.
#[napi(catch_unwind)]
pub fn calibration_vs_holdout(
    #[napi(ts_arg_type = "ModelClass")] model: Unknown<'_>,
    #[napi(ts_arg_type = "HoldoutInput")] data: Unknown<'_>,
    kind: Option<String>,
    max_groups: Option<f64>,
) -> Result<HoldoutComparison> {
    let m = &core_of(model)?;
    let group = glue::diagnostics::holdout_group(kind.as_deref()).map_err(js)?;
    let n = glue::diagnostics::max_groups(max_groups).map_err(js)?;
    let names = ["frequency", "recency", "T", "frequencyHoldout"];
    let d = read::Data::read(&data, &names)?;
    let [x, tx, t, fh] = [0, 1, 2, 3].map(|i| sl(&d.columns[i]));
    // one number for all (a summary's `durationHoldout`) or one per customer
    let dh = match read::property(&data, "durationHoldout")? {
        Some(v) if v.get_type().ok() == Some(napi::ValueType::Number) => {
            vec![read::number("durationHoldout", v)?; x.len()]
        }
        _ => sl(&read::numbers_of(&data, "durationHoldout")?).to_vec(),
    };
    let c = clv::diagnostics::calibration_vs_holdout(m, x, tx, t, fh, &dh, group, n);
    c.map(Into::into).map_err(js)
}

js_object! {
#[doc = "A mixing distribution and its density."]
#[napi(object, object_from_js = false)]
pub struct Heterogeneity from clv::diagnostics::MixingCurve {
    #[doc = "\"gamma\" (shape a, rate b) or \"beta\" (a, b)."]
    pub distribution: String => String::from,
    #[doc = "First parameter."]
    pub a: f64,
    #[doc = "Second parameter."]
    pub b: f64,
    #[doc = "Mean."]
    pub mean: f64,
    #[doc = "Variance."]
    pub variance: f64,
    #[doc = "Points from 0 to the 99% quantile."]
    pub x: Float64Array => out,
    #[doc = "The density at x."]
    pub pdf: Float64Array => out,
}
}

/// The model's mixing distribution of the transaction rate ("transactionRate": λ ~ Gamma(r, α);
/// BG/BB p ~ Beta(α, β)) or of dropout ("dropout": p ~ Beta(a, b), μ ~ Gamma(s, β), θ ~ Beta(γ, δ)),
/// with its density on `points` (default 100) values from 0 to its 99% quantile.
#[napi(catch_unwind)]
pub fn heterogeneity(
    #[napi(ts_arg_type = "ModelClass")] model: Unknown<'_>,
    #[napi(ts_arg_type = "string")] what: Unknown<'_>,
    #[napi(ts_arg_type = "number | undefined | null")] points: Option<Unknown<'_>>,
) -> Result<Heterogeneity> {
    let m = &core_of(model)?;
    let which = read::string("what", what)?.parse().map_err(js)?;
    let k = read::opt_number("points", points)?;
    let k = glue::diagnostics::points(k).map_err(js)?;
    let h = clv::diagnostics::heterogeneity(m, which, k);
    h.map(Into::into).map_err(js)
}
