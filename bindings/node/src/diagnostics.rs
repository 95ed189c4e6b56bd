//! Model checking and simulation as data for charts (`clv::diagnostics`,
//! `clv::simulate`): the series of the tracking plot, the period-transaction
//! histogram, a customer's P(alive) path and a seeded simulated customer
//! base. Each function converts, calls the core and converts back.

use napi::bindgen_prelude::{Either, Float64Array, Uint8Array, Uint32Array};
use napi_derive::napi;

use crate::models::{HasModel, ModelClass};
use crate::{CsvOptions, Result, glue, js, out, sl, text_bytes};

fn core_of<'a>(m: &'a ModelClass<'_>) -> Result<&'a clv::AnyModel> {
    m.state().get().map_err(js)
}

fn whole(field: &str, v: f64) -> Result<usize> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 1e9 {
        Ok(v as usize)
    } else {
        Err(js(clv::Error::invalid(field, v, "a whole number >= 0")))
    }
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

/// Actual vs expected repeat transactions over time.
#[napi(object, object_from_js = false)]
pub struct TrackingSeries {
    /// Time of each point in model units.
    pub time: Float64Array,
    /// Cumulative repeat transactions observed.
    pub actual: Float64Array,
    /// Cumulative expected repeat transactions Σ_c n_c E[X(t − c)].
    pub expected: Float64Array,
    /// Observed repeat transactions per step.
    pub actual_incremental: Float64Array,
    /// Expected repeat transactions per step.
    pub expected_incremental: Float64Array,
}

/// The tracking plot's series: cumulative repeat transactions, actual vs expected, customers
/// joining in cohorts by their first purchase period (Fader, Hardie & Lee 2005).
#[napi(catch_unwind)]
pub fn tracking_series(model: ModelClass<'_>, input: TrackingInput) -> Result<TrackingSeries> {
    let m = core_of(&model)?;
    let n = whole("nPeriods", input.n_periods)?;
    let k = whole("multiplier", input.multiplier.unwrap_or(1.0))?;
    let s = clv::diagnostics::tracking_series(
        m,
        sl(&input.first_period),
        sl(&input.repeat_periods),
        n,
        k,
    )
    .map_err(js)?;
    Ok(series(s))
}

fn series(s: clv::diagnostics::TrackingSeries) -> TrackingSeries {
    TrackingSeries {
        time: out(s.time),
        actual: out(s.actual),
        expected: out(s.expected),
        actual_incremental: out(s.actual_incremental),
        expected_incremental: out(s.expected_incremental),
    }
}

/// The tracking series of a transaction file.
#[napi(object, object_from_js = false)]
pub struct TrackingLog {
    /// The series, one point per model unit.
    pub series: TrackingSeries,
    /// Start of the first period (the period of the first transaction), ISO date-time.
    pub start: String,
    /// Periods tracked (through the observation end's period).
    pub n_periods: u32,
    /// Where the calibration ends on the time axis (model units), when `calibrationPeriodEnd` is given.
    pub calibration_time: Option<f64>,
}

/// The tracking series of a transaction file (read as `rfmSummaryFromCsv` reads it) through the
/// observation end, in `freq` units (`"7d"`: daily periods, weekly points), the calibration end
/// marked: the data of the tracking plot.
#[napi(catch_unwind)]
pub fn tracking_series_from_csv(
    model: ModelClass<'_>,
    text: Either<String, Uint8Array>,
    options: CsvOptions,
) -> Result<TrackingLog> {
    let m = core_of(&model)?;
    let (csv, args) = options.into_args();
    let bytes = text_bytes(&text);
    let log = glue::diagnostics::tracking_csv(m, bytes, &csv, &args).map_err(js)?;
    Ok(TrackingLog {
        series: series(log.series),
        start: clv::time::format_timestamp(log.start),
        n_periods: u32::try_from(log.n_periods).unwrap_or(u32::MAX),
        calibration_time: log.calibration_time,
    })
}

/// Customers with their number of repeat purchases and age, for `periodTransactions`.
#[napi(object, object_to_js = false)]
pub struct PeriodInput {
    /// Repeat purchases x.
    pub frequency: Either<Float64Array, Vec<f64>>,
    /// Age T (BG/BB: opportunities).
    #[napi(js_name = "T")]
    pub t: Either<Float64Array, Vec<f64>>,
    /// Optional customers per row.
    pub weights: Option<Either<Float64Array, Vec<f64>>>,
}

/// Customers by number of repeat purchases, actual vs expected.
#[napi(object, object_from_js = false)]
pub struct PeriodTransactions {
    /// "0", "1", …, "K-1", "K+".
    pub labels: Vec<String>,
    /// Customers with k repeat purchases (last: K or more).
    pub actual: Float64Array,
    /// Σ_i w_i P(X(T_i) = k) (last: P(X(T_i) ≥ K)).
    pub expected: Float64Array,
}

/// The period-transaction histogram: customers by repeat purchases 0..K−1 and K+ (default K = 7),
/// actual vs the model's expected counts.
#[napi(catch_unwind)]
pub fn period_transactions(
    model: ModelClass<'_>,
    data: PeriodInput,
    max_frequency: Option<f64>,
) -> Result<PeriodTransactions> {
    let m = core_of(&model)?;
    let k = whole("maxFrequency", max_frequency.unwrap_or(7.0))?;
    let d = clv::diagnostics::period_transactions(
        m,
        sl(&data.frequency),
        sl(&data.t),
        data.weights.as_ref().map(sl),
        k,
    )
    .map_err(js)?;
    Ok(PeriodTransactions {
        labels: d.labels,
        actual: out(d.actual),
        expected: out(d.expected),
    })
}

/// A customer's P(alive) at each age.
#[napi(object, object_from_js = false)]
pub struct AlivePath {
    /// Age T in periods since the first purchase period.
    #[napi(js_name = "T")]
    pub t: Float64Array,
    /// Repeat purchase periods by then.
    pub frequency: Float64Array,
    /// Age at the last purchase by then.
    pub recency: Float64Array,
    /// P(alive | x, t_x, T).
    pub prob_alive: Float64Array,
}

/// P(alive) of one customer at each age 0..t from their purchases per period (element 0: the
/// first purchase period).
#[napi(catch_unwind)]
pub fn alive_path(
    model: ModelClass<'_>,
    purchases: Either<Float64Array, Vec<f64>>,
    t: f64,
) -> Result<AlivePath> {
    let m = core_of(&model)?;
    let p = clv::diagnostics::alive_path(m, sl(&purchases), whole("t", t)?).map_err(js)?;
    Ok(AlivePath {
        t: out(p.t),
        frequency: out(p.frequency),
        recency: out(p.recency),
        prob_alive: out(p.prob_alive),
    })
}

/// A simulated customer base.
#[napi(object, object_from_js = false)]
pub struct Simulated {
    /// Repeat purchases.
    pub frequency: Float64Array,
    /// Time of the last repeat purchase (0 without one).
    pub recency: Float64Array,
    /// Age (BG/BB: opportunities), as given.
    #[napi(js_name = "T")]
    pub t: Float64Array,
    /// Purchase rate λ (BG/BB: p).
    pub rate: Float64Array,
    /// Dropout parameter (p, μ, η or θ).
    pub dropout: Float64Array,
    /// Alive at T.
    pub alive: Vec<bool>,
    /// Customer of each repeat purchase.
    pub purchase_customer: Uint32Array,
    /// Time of each repeat purchase after the customer's first.
    pub purchase_time: Float64Array,
}

/// Simulates one customer per element of `T` from a transaction model with a seeded generator
/// (`seed` a whole number below 2^53): the same seed gives the same data in every runtime.
#[napi(catch_unwind)]
pub fn simulate(
    model: ModelClass<'_>,
    t: Either<Float64Array, Vec<f64>>,
    seed: f64,
) -> Result<Simulated> {
    let m = core_of(&model)?;
    let s = clv::simulate::simulate(m, sl(&t), seed_of(seed)?).map_err(js)?;
    let customers: Vec<u32> = s.purchase_customer.iter().map(|&c| c as u32).collect();
    Ok(Simulated {
        frequency: out(s.frequency),
        recency: out(s.recency),
        t: out(s.t),
        rate: out(s.rate),
        dropout: out(s.dropout),
        alive: s.alive,
        purchase_customer: Uint32Array::new(customers),
        purchase_time: out(s.purchase_time),
    })
}

/// Simulated mean spends.
#[napi(object, object_from_js = false)]
pub struct SimulatedSpend {
    /// Transactions per customer, as given.
    pub frequency: Float64Array,
    /// Mean spend per transaction (0 without one).
    pub monetary_value: Float64Array,
    /// Each customer's rate ν.
    pub nu: Float64Array,
}

fn seed_of(seed: f64) -> Result<u64> {
    if seed.is_finite() && seed >= 0.0 && seed.fract() == 0.0 && seed < 9_007_199_254_740_992.0 {
        Ok(seed as u64)
    } else {
        Err(js(clv::Error::invalid(
            "seed",
            seed,
            "a whole number in [0, 2^53)",
        )))
    }
}

/// Simulates the mean spend of customers with `frequency` transactions each from a Gamma-Gamma
/// model with a seeded generator (the same data in every runtime).
#[napi(catch_unwind)]
pub fn simulate_spend(
    model: ModelClass<'_>,
    frequency: Either<Float64Array, Vec<f64>>,
    seed: f64,
) -> Result<SimulatedSpend> {
    let m = core_of(&model)?;
    let s = clv::simulate::simulate_spend(m, sl(&frequency), seed_of(seed)?).map_err(js)?;
    Ok(SimulatedSpend {
        frequency: out(s.frequency),
        monetary_value: out(s.monetary_value),
        nu: out(s.nu),
    })
}

/// Simulates the survivor curve of a cohort of `size` customers over `periods` periods from an
/// sBG model with a seeded generator (element 0 the cohort size).
#[napi(catch_unwind)]
pub fn simulate_survivors(
    model: ModelClass<'_>,
    size: f64,
    periods: f64,
    seed: f64,
) -> Result<Float64Array> {
    let m = core_of(&model)?;
    let (n, p) = (whole("size", size)?, whole("periods", periods)?);
    clv::simulate::simulate_survivors(m, n, p, seed_of(seed)?)
        .map(out)
        .map_err(js)
}

/// The order of the customer exposure plot (pymc-marketing's `plot_customer_exposure`): customer
/// indices by `T`, then `recency` (each customer a line from 0 to `recency` and on to `T`).
#[napi(catch_unwind, js_name = "customerExposure")]
pub fn customer_exposure(
    recency: Either<Float64Array, Vec<f64>>,
    #[napi(ts_arg_type = "Float64Array | Array<number>")] t: Either<Float64Array, Vec<f64>>,
) -> Result<Uint32Array> {
    let order = clv::diagnostics::customer_exposure(sl(&recency), sl(&t)).map_err(js)?;
    Ok(Uint32Array::new(
        order.into_iter().map(|i| i as u32).collect(),
    ))
}

/// Options of `frequencyRecencyMatrix`.
#[napi(object, object_to_js = false)]
pub struct MatrixOptions {
    /// "probAlive" (default) or "expectedPurchases".
    pub what: Option<String>,
    /// Horizon of the expected purchases (default 1).
    pub t: Option<f64>,
    /// Largest frequency (columns 0..=maxFrequency).
    pub max_frequency: f64,
    /// Largest recency, also the customers' age T (rows 0..=maxRecency).
    pub max_recency: f64,
}

/// A frequency × recency matrix.
#[napi(object, object_from_js = false)]
pub struct FrequencyRecencyMatrix {
    /// Row-major values, element [recency · columns + frequency].
    pub values: Float64Array,
    /// Rows: recency 0..=maxRecency.
    pub rows: u32,
    /// Columns: frequency 0..=maxFrequency.
    pub columns: u32,
}

fn matrix_of(what: Option<&str>, t: Option<f64>) -> Result<clv::diagnostics::MatrixOf> {
    match what.unwrap_or("probAlive") {
        "probAlive" => Ok(clv::diagnostics::MatrixOf::ProbAlive),
        "expectedPurchases" => Ok(clv::diagnostics::MatrixOf::ExpectedPurchases(
            t.unwrap_or(1.0),
        )),
        other => Err(js(clv::Error::invalid(
            "what",
            format!("{other:?}"),
            "\"probAlive\" or \"expectedPurchases\"",
        ))),
    }
}

/// P(alive) or expected purchases in the next `t` units on the frequency × recency grid of
/// customers of age maxRecency (the heat maps of lifetimes; every cell is computed).
#[napi(catch_unwind)]
pub fn frequency_recency_matrix(
    model: ModelClass<'_>,
    options: MatrixOptions,
) -> Result<FrequencyRecencyMatrix> {
    let m = core_of(&model)?;
    let what = matrix_of(options.what.as_deref(), options.t)?;
    let (f, r) = (
        whole("maxFrequency", options.max_frequency)?,
        whole("maxRecency", options.max_recency)?,
    );
    let z = clv::diagnostics::frequency_recency_matrix(m, what, f, r).map_err(js)?;
    Ok(FrequencyRecencyMatrix {
        values: out(z),
        rows: (r + 1) as u32,
        columns: (f + 1) as u32,
    })
}

/// Calibration and holdout columns of a summary, for `calibrationVsHoldout`.
#[napi(object, object_to_js = false)]
pub struct HoldoutInput {
    /// Repeat purchases in the calibration period.
    pub frequency: Either<Float64Array, Vec<f64>>,
    /// Age at the last calibration purchase.
    pub recency: Either<Float64Array, Vec<f64>>,
    /// Age at the end of calibration.
    #[napi(js_name = "T")]
    pub t: Either<Float64Array, Vec<f64>>,
    /// Purchase periods in the holdout period.
    pub frequency_holdout: Either<Float64Array, Vec<f64>>,
    /// Length of the holdout period (one value, or one per customer).
    pub duration_holdout: Either<Float64Array, Vec<f64>>,
}

/// Mean holdout purchases by group.
#[napi(object, object_from_js = false)]
pub struct HoldoutComparison {
    /// The grouping column's value, ascending.
    pub key: Float64Array,
    /// Customers in the group.
    pub customers: Float64Array,
    /// Mean observed holdout purchases.
    pub actual: Float64Array,
    /// Mean E[Y(duration) | x, t_x, T].
    pub expected: Float64Array,
}

/// Mean holdout purchases, actual vs the model's conditional expectation, by a calibration column
/// (`kind`: "frequency" (default), "recency", "T" or "time_since_last_purchase"), the first
/// `maxGroups` (default 7) groups.
#[napi(catch_unwind)]
pub fn calibration_vs_holdout(
    model: ModelClass<'_>,
    data: HoldoutInput,
    kind: Option<String>,
    max_groups: Option<f64>,
) -> Result<HoldoutComparison> {
    let m = core_of(&model)?;
    let group = kind.as_deref().unwrap_or("frequency").parse().map_err(js)?;
    let n = whole("maxGroups", max_groups.unwrap_or(7.0))?;
    let x = sl(&data.frequency);
    let duration = sl(&data.duration_holdout);
    let duration = if duration.len() == 1 {
        vec![duration[0]; x.len()]
    } else {
        duration.to_vec()
    };
    let c = clv::diagnostics::calibration_vs_holdout(
        m,
        x,
        sl(&data.recency),
        sl(&data.t),
        sl(&data.frequency_holdout),
        &duration,
        group,
        n,
    )
    .map_err(js)?;
    Ok(HoldoutComparison {
        key: out(c.key),
        customers: out(c.customers),
        actual: out(c.actual),
        expected: out(c.expected),
    })
}

/// A mixing distribution and its density.
#[napi(object, object_from_js = false)]
pub struct Heterogeneity {
    /// "gamma" (shape a, rate b) or "beta" (a, b).
    pub distribution: String,
    /// First parameter.
    pub a: f64,
    /// Second parameter.
    pub b: f64,
    /// Mean.
    pub mean: f64,
    /// Variance.
    pub variance: f64,
    /// Points from 0 to the 99% quantile.
    pub x: Float64Array,
    /// The density at x.
    pub pdf: Float64Array,
}

/// The model's mixing distribution of the transaction rate ("transactionRate": λ ~ Gamma(r, α);
/// BG/BB p ~ Beta(α, β)) or of dropout ("dropout": p ~ Beta(a, b), μ ~ Gamma(s, β), θ ~ Beta(γ, δ)),
/// with its density on `points` (default 100) values from 0 to its 99% quantile.
#[napi(catch_unwind)]
pub fn heterogeneity(
    model: ModelClass<'_>,
    what: String,
    points: Option<f64>,
) -> Result<Heterogeneity> {
    use clv::diagnostics::{Heterogeneity as H, Mixing};
    let m = core_of(&model)?;
    let which = match what.as_str() {
        "transactionRate" => H::TransactionRate,
        "dropout" => H::Dropout,
        other => {
            return Err(js(clv::Error::invalid(
                "what",
                format!("{other:?}"),
                "\"transactionRate\" or \"dropout\"",
            )));
        }
    };
    let mixing = which.of(m).map_err(js)?;
    let (x, pdf) = mixing
        .density_curve(whole("points", points.unwrap_or(100.0))?)
        .map_err(js)?;
    let (distribution, a, b) = match mixing {
        Mixing::Gamma { shape, rate } => ("gamma", shape, rate),
        Mixing::Beta { a, b } => ("beta", a, b),
    };
    Ok(Heterogeneity {
        distribution: distribution.to_string(),
        a,
        b,
        mean: mixing.mean(),
        variance: mixing.variance(),
        x: out(x),
        pdf: out(pdf),
    })
}
