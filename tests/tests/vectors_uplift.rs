//! Uplift against a control group: shared vectors (`tests/vectors/uplift.json`,
//! written by `tests/vectors/gen_portfolio_uplift_refs.py`): Welch intervals and
//! p-values from scipy 1.17.1, Newcombe (1998) Table II published intervals,
//! Wilson/Newcombe written out in Python with scipy's χ² p-values, and
//! stratified estimates computed with numpy.
#![allow(clippy::unwrap_used)]

mod structured;

#[allow(unused_imports)]
use clv::ModelInfo;
use clv::experiment::{Metric, UpliftOptions, uplift, uplift_stratified};
use serde_json::{Value, to_value};
use structured::{arr, num, strings};

fn options(a: &Value) -> UpliftOptions {
    UpliftOptions {
        confidence: num(a, "confidence"),
        metric: match a["metric"].as_str().unwrap() {
            "continuous" => Metric::Continuous,
            "binary" => Metric::Binary,
            other => panic!("unknown metric {other}"),
        },
        population: a.get("population").and_then(Value::as_f64),
    }
}

fn run(case: &Value) -> clv::Result<Value> {
    let a = &case["args"];
    Ok(match case["fn"].as_str().unwrap() {
        "uplift" => to_value(uplift(&arr(a, "treated"), &arr(a, "control"), &options(a))?),
        "uplift_stratified" => to_value(uplift_stratified(
            &arr(a, "treated"),
            &strings(a, "treated_strata"),
            &arr(a, "control"),
            &strings(a, "control_strata"),
            &options(a),
        )?),
        other => panic!("unknown fn {other}"),
    }
    .unwrap())
}

#[test]
fn vectors() {
    let v = structured::vector("uplift.json");
    let (cases, errors) = structured::check(&v, run);
    assert!(cases >= 13 && errors >= 8, "{cases} {errors}");
}
