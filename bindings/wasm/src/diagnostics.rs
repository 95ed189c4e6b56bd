//! Model checking and simulation as data for charts (`clv::diagnostics`,
//! `clv::simulate`), as `@clv/node` has them: the tracking plot's series, the
//! period-transaction histogram, a customer's P(alive) path and a seeded
//! simulated customer base. Each function reads the JS values, calls the core
//! and returns its result through the one conversion, [`to_js`].

use clv::error::check::{seed as seed_of, whole};
use js_sys::{Float64Array, Uint32Array};
use wasm_bindgen::prelude::*;

use crate::models::model_arg;
use crate::{
    Result, csv_args, f64s, get, glue, invalid, js, missing, num, opt_f64, opt_f64s, opt_string,
    summary_args, text_bytes, to_f64s, to_js, to_js_with, type_name,
};

/// `whole(field, v)` of a JS number.
fn count(field: &str, v: &JsValue) -> Result<usize> {
    whole(field, num(field, v)?).map_err(js)
}

/// The `seed` of the simulations: 0 when not given, as in Python.
fn seed_arg(v: &JsValue) -> Result<u64> {
    seed_of("seed", opt_num("seed", v)?.unwrap_or(0.0)).map_err(js)
}

/// An optional JS number: `None` when missing.
fn opt_num(field: &str, v: &JsValue) -> Result<Option<f64>> {
    if missing(v) {
        Ok(None)
    } else {
        num(field, v).map(Some)
    }
}

/// The tracking plot's series: cumulative repeat transactions, actual vs expected, customers
/// joining in cohorts by their first purchase period (Fader, Hardie & Lee 2005).
#[wasm_bindgen(js_name = trackingSeries, unchecked_return_type = "TrackingSeries")]
pub fn tracking_series(
    #[wasm_bindgen(unchecked_param_type = "ModelClass")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "TrackingInput")] input: JsValue,
) -> Result<JsValue> {
    let m = model_arg("model", &model)?;
    let n = count("nPeriods", &get(&input, "nPeriods")?)?;
    let k = glue::diagnostics::multiplier(opt_f64(&input, "multiplier")?).map_err(js)?;
    let (first, repeats) = (f64s(&input, "firstPeriod")?, f64s(&input, "repeatPeriods")?);
    to_js(&clv::diagnostics::tracking_series(&m, &first, &repeats, n, k).map_err(js)?)
}

/// The tracking series of a transaction file (read as `rfmSummaryFromCsv` reads it) through the
/// observation end, in `freq` units (`"7d"`: daily periods, weekly points), the calibration end
/// marked: the data of the tracking plot.
#[wasm_bindgen(js_name = trackingSeriesFromCsv, unchecked_return_type = "TrackingLog")]
pub fn tracking_series_from_csv(
    #[wasm_bindgen(unchecked_param_type = "ModelClass")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] text: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CsvOptions")] options: JsValue,
) -> Result<JsValue> {
    let (m, bytes) = (model_arg("model", &model)?, text_bytes(&text)?);
    let (csv, args) = (csv_args(&options)?, summary_args(&options)?);
    let log = glue::diagnostics::tracking_csv(&m, &bytes, &csv, &args).map_err(js)?;
    let start = clv::time::format_timestamp(log.start);
    to_js_with(&log, &[("start", start.into())])
}

/// The period-transaction histogram: customers by repeat purchases 0..K−1 and K+ (default K = 7),
/// actual vs the model's expected counts.
#[wasm_bindgen(js_name = periodTransactions, unchecked_return_type = "PeriodTransactions")]
pub fn period_transactions(
    #[wasm_bindgen(unchecked_param_type = "ModelClass")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PeriodInput")] data: JsValue,
    #[wasm_bindgen(js_name = maxFrequency, unchecked_optional_param_type = "number")]
    max_frequency: JsValue,
) -> Result<JsValue> {
    let m = model_arg("model", &model)?;
    let k = opt_num("maxFrequency", &max_frequency)?;
    let k = glue::diagnostics::max_frequency(k).map_err(js)?;
    let (x, t) = (f64s(&data, "frequency")?, f64s(&data, "T")?);
    let w = opt_f64s(&data, "weights")?;
    to_js(&clv::diagnostics::period_transactions(&m, &x, &t, w.as_deref(), k).map_err(js)?)
}

/// P(alive) of one customer at each age 0..t from their purchases per period (element 0: the
/// first purchase period).
#[wasm_bindgen(js_name = alivePath, unchecked_return_type = "AlivePath")]
pub fn alive_path(
    #[wasm_bindgen(unchecked_param_type = "ModelClass")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float64Array | Array<number>")] purchases: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] t: JsValue,
) -> Result<JsValue> {
    let (m, p) = (
        model_arg("model", &model)?,
        to_f64s("purchases", &purchases)?,
    );
    let t = count("t", &t)?;
    to_js(&clv::diagnostics::alive_path(&m, &p, t).map_err(js)?)
}

/// The order of the customer exposure plot (pymc-marketing's `plot_customer_exposure`): customer
/// indices by `T`, then `recency` (each customer a line from 0 to `recency` and on to `T`).
#[wasm_bindgen(js_name = customerExposure)]
pub fn customer_exposure(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | Array<number>")] recency: JsValue,
    #[wasm_bindgen(js_name = T, unchecked_param_type = "Float64Array | Array<number>")] t: JsValue,
) -> Result<Vec<u32>> {
    let (r, t) = (to_f64s("recency", &recency)?, to_f64s("T", &t)?);
    let order = clv::diagnostics::customer_exposure(&r, &t).map_err(js)?;
    Ok(order.into_iter().map(|i| i as u32).collect())
}

/// Simulates one customer per element of `T` from a transaction model with a seeded generator
/// (`seed` a whole number below 2^53): the same seed gives the same data in every runtime.
#[wasm_bindgen(unchecked_return_type = "Simulated")]
pub fn simulate(
    #[wasm_bindgen(unchecked_param_type = "ModelClass")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float64Array | Array<number>")] t: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "number")] seed: JsValue,
) -> Result<JsValue> {
    let (m, t, seed) = (
        model_arg("model", &model)?,
        to_f64s("T", &t)?,
        seed_arg(&seed)?,
    );
    let s = clv::simulate::simulate(&m, &t, seed).map_err(js)?;
    let customers: Vec<u32> = s.purchase_customer.iter().map(|&c| c as u32).collect();
    to_js_with(
        &s,
        &[("purchaseCustomer", Uint32Array::from(&customers[..]).into())],
    )
}

/// Simulates the mean spend of customers with `frequency` transactions each from a Gamma-Gamma
/// model with a seeded generator (the same data in every runtime).
#[wasm_bindgen(js_name = simulateSpend, unchecked_return_type = "SimulatedSpend")]
pub fn simulate_spend(
    #[wasm_bindgen(unchecked_param_type = "ModelClass")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float64Array | Array<number>")] frequency: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "number")] seed: JsValue,
) -> Result<JsValue> {
    let (m, x) = (
        model_arg("model", &model)?,
        to_f64s("frequency", &frequency)?,
    );
    let seed = seed_arg(&seed)?;
    to_js(&clv::simulate::simulate_spend(&m, &x, seed).map_err(js)?)
}

/// Simulates the survivor curve of a cohort of `size` customers over `periods` periods from an
/// sBG model with a seeded generator (element 0 the cohort size).
#[wasm_bindgen(js_name = simulateSurvivors)]
pub fn simulate_survivors(
    #[wasm_bindgen(unchecked_param_type = "ModelClass")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] size: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] periods: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "number")] seed: JsValue,
) -> Result<Float64Array> {
    let m = model_arg("model", &model)?;
    let (n, p) = (count("size", &size)?, count("periods", &periods)?);
    let s = clv::simulate::simulate_survivors(&m, n, p, seed_arg(&seed)?);
    Ok(Float64Array::from(s.map_err(js)?.as_slice()))
}

/// P(alive) or expected purchases in the next `t` units on the frequency × recency grid of
/// customers of age maxRecency (the heat maps of lifetimes; every cell is computed).
#[wasm_bindgen(js_name = frequencyRecencyMatrix, unchecked_return_type = "FrequencyRecencyMatrix")]
pub fn frequency_recency_matrix(
    #[wasm_bindgen(unchecked_param_type = "ModelClass")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MatrixOptions")] options: JsValue,
) -> Result<JsValue> {
    let m = model_arg("model", &model)?;
    let what = opt_string(&options, "what")?;
    let t = opt_f64(&options, "t")?;
    let what = glue::diagnostics::matrix_of(what.as_deref(), t).map_err(js)?;
    let f = count("maxFrequency", &get(&options, "maxFrequency")?)?;
    let r = count("maxRecency", &get(&options, "maxRecency")?)?;
    to_js(&clv::diagnostics::frequency_recency_matrix(&m, what, f, r).map_err(js)?)
}

/// Mean holdout purchases, actual vs the model's conditional expectation, by a calibration column
/// (`kind`: "frequency" (default), "recency", "T" or "time_since_last_purchase"), the first
/// `maxGroups` (default 7) groups.
#[wasm_bindgen(js_name = calibrationVsHoldout, unchecked_return_type = "HoldoutComparison")]
pub fn calibration_vs_holdout(
    #[wasm_bindgen(unchecked_param_type = "ModelClass")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "HoldoutInput")] data: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string")] kind: JsValue,
    #[wasm_bindgen(js_name = maxGroups, unchecked_optional_param_type = "number")]
    max_groups: JsValue,
) -> Result<JsValue> {
    let group = match kind.as_string() {
        Some(k) => Some(k),
        None if missing(&kind) => None,
        None => return Err(invalid("kind", type_name(&kind), "a string")),
    };
    let group = glue::diagnostics::holdout_group(group.as_deref()).map_err(js)?;
    let m = model_arg("model", &model)?;
    let n = opt_num("maxGroups", &max_groups)?;
    let n = glue::diagnostics::max_groups(n).map_err(js)?;
    let (x, tx, t) = (
        f64s(&data, "frequency")?,
        f64s(&data, "recency")?,
        f64s(&data, "T")?,
    );
    let fh = f64s(&data, "frequencyHoldout")?;
    // one number for all (a summary's `durationHoldout`) or one per customer
    let dh = match get(&data, "durationHoldout")?.as_f64() {
        Some(v) => vec![v; x.len()],
        None => f64s(&data, "durationHoldout")?,
    };
    let c = clv::diagnostics::calibration_vs_holdout(&m, &x, &tx, &t, &fh, &dh, group, n);
    to_js(&c.map_err(js)?)
}

/// The model's mixing distribution of the transaction rate ("transactionRate": λ ~ Gamma(r, α);
/// BG/BB p ~ Beta(α, β)) or of dropout ("dropout": p ~ Beta(a, b), μ ~ Gamma(s, β), θ ~ Beta(γ, δ)),
/// with its density on `points` (default 100) values from 0 to its 99% quantile.
#[wasm_bindgen(unchecked_return_type = "Heterogeneity")]
pub fn heterogeneity(
    #[wasm_bindgen(unchecked_param_type = "ModelClass")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] what: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "number")] points: JsValue,
) -> Result<JsValue> {
    let m = model_arg("model", &model)?;
    let what = what
        .as_string()
        .ok_or_else(|| invalid("what", type_name(&what), "a string"))?;
    let which = what.parse().map_err(js)?;
    let k = glue::diagnostics::points(opt_num("points", &points)?).map_err(js)?;
    to_js(&clv::diagnostics::heterogeneity(&m, which, k).map_err(js)?)
}
