//! Model checking and simulation as data for charts (`clv::diagnostics`,
//! `clv::simulate`), as `@clv/node` has them: the tracking plot's series, the
//! period-transaction histogram, a customer's P(alive) path and a seeded
//! simulated customer base. Each function reads the JS values, calls the core
//! and builds the result object (arrays as `Float64Array`).

use js_sys::{Array, Float64Array, Object, Uint32Array};
use wasm_bindgen::prelude::*;

use crate::models::model_arg;
use crate::{
    Result, csv_args, f64s, get, glue, invalid, js, missing, num, opt_f64, opt_f64s, opt_string,
    set, summary_args, text_bytes, to_f64s, type_name,
};

fn whole(field: &str, v: f64) -> Result<usize> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 1e9 {
        Ok(v as usize)
    } else {
        Err(invalid(field, v, "a whole number >= 0"))
    }
}

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        set(&o, k, v.clone());
    }
    o.into()
}

fn floats(v: &[f64]) -> JsValue {
    Float64Array::from(v).into()
}

/// The tracking plot's series: cumulative repeat transactions, actual vs expected, customers
/// joining in cohorts by their first purchase period (Fader, Hardie & Lee 2005).
#[wasm_bindgen(js_name = trackingSeries, unchecked_return_type = "TrackingSeries")]
pub fn tracking_series(
    #[wasm_bindgen(unchecked_param_type = "ModelClass")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "TrackingInput")] input: JsValue,
) -> Result<JsValue> {
    let m = model_arg("model", &model)?;
    let n = whole("nPeriods", num("nPeriods", &get(&input, "nPeriods"))?)?;
    let k = whole("multiplier", opt_f64(&input, "multiplier")?.unwrap_or(1.0))?;
    let (first, repeats) = (f64s(&input, "firstPeriod")?, f64s(&input, "repeatPeriods")?);
    let s = clv::diagnostics::tracking_series(&m, &first, &repeats, n, k).map_err(js)?;
    Ok(series(&s))
}

fn series(s: &clv::diagnostics::TrackingSeries) -> JsValue {
    object(&[
        ("time", floats(&s.time)),
        ("actual", floats(&s.actual)),
        ("expected", floats(&s.expected)),
        ("actualIncremental", floats(&s.actual_incremental)),
        ("expectedIncremental", floats(&s.expected_incremental)),
    ])
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
    let m = model_arg("model", &model)?;
    let (bytes, csv) = (text_bytes(&text)?, csv_args(&options)?);
    let log =
        glue::diagnostics::tracking_csv(&m, &bytes, &csv, &summary_args(&options)?).map_err(js)?;
    let mut fields = vec![
        ("series", series(&log.series)),
        (
            "start",
            JsValue::from_str(&clv::time::format_timestamp(log.start)),
        ),
        ("nPeriods", JsValue::from_f64(log.n_periods as f64)),
    ];
    if let Some(t) = log.calibration_time {
        fields.push(("calibrationTime", JsValue::from_f64(t)));
    }
    Ok(object(&fields))
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
    let k = if missing(&max_frequency) {
        7
    } else {
        whole("maxFrequency", num("maxFrequency", &max_frequency)?)?
    };
    let (x, t, w) = (
        f64s(&data, "frequency")?,
        f64s(&data, "T")?,
        opt_f64s(&data, "weights")?,
    );
    let d = clv::diagnostics::period_transactions(&m, &x, &t, w.as_deref(), k).map_err(js)?;
    let labels: Array = d.labels.iter().map(|s| JsValue::from_str(s)).collect();
    Ok(object(&[
        ("labels", labels.into()),
        ("actual", floats(&d.actual)),
        ("expected", floats(&d.expected)),
    ]))
}

/// P(alive) of one customer at each age 0..t from their purchases per period (element 0: the
/// first purchase period).
#[wasm_bindgen(js_name = alivePath, unchecked_return_type = "AlivePath")]
pub fn alive_path(
    #[wasm_bindgen(unchecked_param_type = "ModelClass")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float64Array | Array<number>")] purchases: JsValue,
    t: f64,
) -> Result<JsValue> {
    let m = model_arg("model", &model)?;
    let p = clv::diagnostics::alive_path(&m, &to_f64s("purchases", &purchases)?, whole("t", t)?)
        .map_err(js)?;
    Ok(object(&[
        ("T", floats(&p.t)),
        ("frequency", floats(&p.frequency)),
        ("recency", floats(&p.recency)),
        ("probAlive", floats(&p.prob_alive)),
    ]))
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
    seed: f64,
) -> Result<JsValue> {
    let m = model_arg("model", &model)?;
    let s = clv::simulate::simulate(&m, &to_f64s("T", &t)?, seed_of(seed)?).map_err(js)?;
    let alive: Array = s.alive.iter().map(|&a| JsValue::from_bool(a)).collect();
    let customers: Vec<u32> = s.purchase_customer.iter().map(|&c| c as u32).collect();
    Ok(object(&[
        ("frequency", floats(&s.frequency)),
        ("recency", floats(&s.recency)),
        ("T", floats(&s.t)),
        ("rate", floats(&s.rate)),
        ("dropout", floats(&s.dropout)),
        ("alive", alive.into()),
        (
            "purchaseCustomer",
            Uint32Array::from(customers.as_slice()).into(),
        ),
        ("purchaseTime", floats(&s.purchase_time)),
    ]))
}

fn seed_of(seed: f64) -> Result<u64> {
    if seed.is_finite() && seed >= 0.0 && seed.fract() == 0.0 && seed < 9_007_199_254_740_992.0 {
        Ok(seed as u64)
    } else {
        Err(invalid("seed", seed, "a whole number in [0, 2^53)"))
    }
}

/// Simulates the mean spend of customers with `frequency` transactions each from a Gamma-Gamma
/// model with a seeded generator (the same data in every runtime).
#[wasm_bindgen(js_name = simulateSpend, unchecked_return_type = "SimulatedSpend")]
pub fn simulate_spend(
    #[wasm_bindgen(unchecked_param_type = "ModelClass")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float64Array | Array<number>")] frequency: JsValue,
    seed: f64,
) -> Result<JsValue> {
    let m = model_arg("model", &model)?;
    let s = clv::simulate::simulate_spend(&m, &to_f64s("frequency", &frequency)?, seed_of(seed)?)
        .map_err(js)?;
    Ok(object(&[
        ("frequency", floats(&s.frequency)),
        ("monetaryValue", floats(&s.monetary_value)),
        ("nu", floats(&s.nu)),
    ]))
}

/// Simulates the survivor curve of a cohort of `size` customers over `periods` periods from an
/// sBG model with a seeded generator (element 0 the cohort size).
#[wasm_bindgen(js_name = simulateSurvivors)]
pub fn simulate_survivors(
    #[wasm_bindgen(unchecked_param_type = "ModelClass")] model: JsValue,
    size: f64,
    periods: f64,
    seed: f64,
) -> Result<Float64Array> {
    let m = model_arg("model", &model)?;
    let (n, p) = (whole("size", size)?, whole("periods", periods)?);
    let s = clv::simulate::simulate_survivors(&m, n, p, seed_of(seed)?).map_err(js)?;
    Ok(Float64Array::from(s.as_slice()))
}

/// P(alive) or expected purchases in the next `t` units on the frequency × recency grid of
/// customers of age maxRecency (the heat maps of lifetimes; every cell is computed).
#[wasm_bindgen(js_name = frequencyRecencyMatrix, unchecked_return_type = "FrequencyRecencyMatrix")]
pub fn frequency_recency_matrix(
    #[wasm_bindgen(unchecked_param_type = "ModelClass")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MatrixOptions")] options: JsValue,
) -> Result<JsValue> {
    use clv::diagnostics::MatrixOf;
    let m = model_arg("model", &model)?;
    let what = match opt_string(&options, "what")?
        .as_deref()
        .unwrap_or("probAlive")
    {
        "probAlive" => MatrixOf::ProbAlive,
        "expectedPurchases" => MatrixOf::ExpectedPurchases(opt_f64(&options, "t")?.unwrap_or(1.0)),
        other => {
            return Err(invalid(
                "what",
                format!("{other:?}"),
                "\"probAlive\" or \"expectedPurchases\"",
            ));
        }
    };
    let f = whole(
        "maxFrequency",
        num("maxFrequency", &get(&options, "maxFrequency"))?,
    )?;
    let r = whole(
        "maxRecency",
        num("maxRecency", &get(&options, "maxRecency"))?,
    )?;
    let z = clv::diagnostics::frequency_recency_matrix(&m, what, f, r).map_err(js)?;
    Ok(object(&[
        ("values", floats(&z)),
        ("rows", JsValue::from_f64((r + 1) as f64)),
        ("columns", JsValue::from_f64((f + 1) as f64)),
    ]))
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
    let m = model_arg("model", &model)?;
    let kind = if missing(&kind) {
        "frequency".to_string()
    } else {
        kind.as_string()
            .ok_or_else(|| invalid("kind", type_name(&kind), "a string"))?
    };
    let group = kind.parse().map_err(js)?;
    let n = if missing(&max_groups) {
        7
    } else {
        whole("maxGroups", num("maxGroups", &max_groups)?)?
    };
    let x = f64s(&data, "frequency")?;
    let duration = f64s(&data, "durationHoldout")?;
    let duration = if duration.len() == 1 {
        vec![duration[0]; x.len()]
    } else {
        duration
    };
    let c = clv::diagnostics::calibration_vs_holdout(
        &m,
        &x,
        &f64s(&data, "recency")?,
        &f64s(&data, "T")?,
        &f64s(&data, "frequencyHoldout")?,
        &duration,
        group,
        n,
    )
    .map_err(js)?;
    Ok(object(&[
        ("key", floats(&c.key)),
        ("customers", floats(&c.customers)),
        ("actual", floats(&c.actual)),
        ("expected", floats(&c.expected)),
    ]))
}

/// The model's mixing distribution of the transaction rate ("transactionRate": λ ~ Gamma(r, α);
/// BG/BB p ~ Beta(α, β)) or of dropout ("dropout": p ~ Beta(a, b), μ ~ Gamma(s, β), θ ~ Beta(γ, δ)),
/// with its density on `points` (default 100) values from 0 to its 99% quantile.
#[wasm_bindgen(unchecked_return_type = "Heterogeneity")]
pub fn heterogeneity(
    #[wasm_bindgen(unchecked_param_type = "ModelClass")] model: JsValue,
    what: String,
    #[wasm_bindgen(unchecked_optional_param_type = "number")] points: JsValue,
) -> Result<JsValue> {
    use clv::diagnostics::{Heterogeneity as H, Mixing};
    let m = model_arg("model", &model)?;
    let which = match what.as_str() {
        "transactionRate" => H::TransactionRate,
        "dropout" => H::Dropout,
        other => {
            return Err(invalid(
                "what",
                format!("{other:?}"),
                "\"transactionRate\" or \"dropout\"",
            ));
        }
    };
    let mixing = which.of(&m).map_err(js)?;
    let k = if missing(&points) {
        100
    } else {
        whole("points", num("points", &points)?)?
    };
    let (x, pdf) = mixing.density_curve(k).map_err(js)?;
    let (distribution, a, b) = match mixing {
        Mixing::Gamma { shape, rate } => ("gamma", shape, rate),
        Mixing::Beta { a, b } => ("beta", a, b),
    };
    Ok(object(&[
        ("distribution", JsValue::from_str(distribution)),
        ("a", JsValue::from_f64(a)),
        ("b", JsValue::from_f64(b)),
        ("mean", JsValue::from_f64(mixing.mean())),
        ("variance", JsValue::from_f64(mixing.variance())),
        ("x", floats(&x)),
        ("pdf", floats(&pdf)),
    ]))
}
