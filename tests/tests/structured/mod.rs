//! Helpers for vector files whose functions return structs
//! (`portfolio.json`, `uplift.json`): arguments with `"NaN"` standing for a
//! NaN number, and a recursive comparison of the serialised result with the
//! case's `expected` object (only the keys it lists are checked).
#![allow(clippy::unwrap_used, dead_code)]

use clv::experiment::{Metric, UpliftOptions, uplift, uplift_stratified};
use clv::portfolio::{
    TierMethod, offer_ceiling, revenue_at_risk, risk_ranking, value_tiers, whale_curve,
};
use serde_json::{Value, to_value};

/// Reads `tests/vectors/<name>`.
pub fn vector(name: &str) -> Value {
    let text = std::fs::read_to_string(clv_conformance::vector_path(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// An f64 array argument; the string "NaN" is a NaN.
pub fn arr(args: &Value, key: &str) -> Vec<f64> {
    args[key]
        .as_array()
        .unwrap_or_else(|| panic!("missing array {key} in {args}"))
        .iter()
        .map(|v| match v {
            Value::String(s) if s == "NaN" => f64::NAN,
            v => v.as_f64().unwrap(),
        })
        .collect()
}

/// A string array argument.
pub fn strings(args: &Value, key: &str) -> Vec<String> {
    args[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// A scalar f64 argument.
pub fn num(args: &Value, key: &str) -> f64 {
    args[key]
        .as_f64()
        .unwrap_or_else(|| panic!("missing number {key} in {args}"))
}

/// Checks `got` against `want`: numbers within atol + rtol·|want|, arrays
/// element by element, objects on the keys `want` has, anything else equal.
pub fn compare(got: &Value, want: &Value, rtol: f64, atol: f64, path: &str) {
    match (got, want) {
        (_, Value::Number(w)) => {
            let w = w.as_f64().unwrap();
            let g = got
                .as_f64()
                .unwrap_or_else(|| panic!("{path}: got {got}, want the number {w}"));
            assert!(
                g.is_finite() && (g - w).abs() <= atol + rtol * w.abs(),
                "{path}: got {g}, want {w} (rtol {rtol}, atol {atol})"
            );
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{path}: length");
            for (i, (g, w)) in g.iter().zip(w).enumerate() {
                compare(g, w, rtol, atol, &format!("{path}[{i}]"));
            }
        }
        (Value::Object(g), Value::Object(w)) => {
            for (k, w) in w {
                let g = g
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k}: missing in the result"));
                compare(g, w, rtol, atol, &format!("{path}.{k}"));
            }
        }
        _ => assert_eq!(got, want, "{path}"),
    }
}

/// Runs the `cases` and `errors` of a struct-valued vector file through
/// `run`, which evaluates one case to its serialised result. Returns the
/// number of cases and error cases checked.
pub fn check(v: &Value, run: impl Fn(&Value) -> clv::Result<Value>) -> (usize, usize) {
    let cases = v["cases"].as_array().unwrap();
    for case in cases {
        let got = run(case).unwrap_or_else(|e| panic!("{}: {e}", case["source"]));
        let rtol = case["rtol"].as_f64().unwrap();
        let atol = case["atol"].as_f64().unwrap_or(0.0);
        let label = format!("{} ({})", case["fn"], case["source"]);
        compare(&got, &case["expected"], rtol, atol, &label);
    }
    let errors = v["errors"].as_array().unwrap();
    for case in errors {
        let e = run(case).map(|_| ()).unwrap_err();
        assert_eq!(e.code(), case["code"].as_str().unwrap(), "{case}: {e}");
        assert_eq!(e.field(), case["field"].as_str(), "{case}: {e}");
    }
    (cases.len(), errors.len())
}

fn portfolio_case(case: &Value) -> clv::Result<Value> {
    let a = &case["args"];
    Ok(match case["fn"].as_str().unwrap() {
        "whale_curve" => to_value(whale_curve(&arr(a, "values"))?),
        "value_tiers" => {
            let method: TierMethod = a["method"].as_str().unwrap().parse()?;
            to_value(value_tiers(&arr(a, "values"), &arr(a, "cuts"), method)?)
        }
        "revenue_at_risk" => to_value(revenue_at_risk(&arr(a, "values"), &arr(a, "p_alive"))?),
        "risk_ranking" => to_value(risk_ranking(&arr(a, "values"), &arr(a, "p_alive"))?),
        "offer_ceiling" => to_value(offer_ceiling(
            &arr(a, "clv"),
            &arr(a, "p_alive"),
            num(a, "success_rate"),
        )?),
        other => panic!("unknown fn {other}"),
    }
    .unwrap())
}

/// The runner of `portfolio.json` (from an independent numpy computation:
/// stable sort, cumulative sums, the O(n²) Gini definition;
/// `tests/vectors/gen_portfolio_uplift_refs.py`).
pub fn portfolio_vectors(file: &str) {
    let (cases, errors) = check(&vector(file), portfolio_case);
    assert!(cases >= 17 && errors >= 10, "{cases} {errors}");
}

fn options(a: &Value) -> UpliftOptions {
    UpliftOptions {
        confidence: num(a, "confidence"),
        metric: a["metric"].as_str().unwrap().parse::<Metric>().unwrap(),
        population: a.get("population").and_then(Value::as_f64),
    }
}

fn uplift_case(case: &Value) -> clv::Result<Value> {
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

/// The runner of `uplift.json`: Welch intervals and p-values from scipy
/// 1.17.1, Newcombe (1998) Table II published intervals, Wilson/Newcombe
/// written out in Python with scipy's χ² p-values, and stratified estimates
/// computed with numpy (`tests/vectors/gen_portfolio_uplift_refs.py`).
pub fn uplift_vectors(file: &str) {
    let (cases, errors) = check(&vector(file), uplift_case);
    assert!(cases >= 13 && errors >= 8, "{cases} {errors}");
}

/// One case of `draws.json`: the model from its JSON, its draws
/// (`draws`: method, n, seed and, for a bootstrap, the `data` columns with
/// `weights`), then the prediction `fn` with `quantiles`, serialised as
/// [`clv::uncertainty::Intervals`].
fn draws_case(case: &Value) -> clv::Result<Value> {
    use clv::uncertainty::{Data, Draws};
    let model = clv::AnyModel::from_json(case["model"].as_str().unwrap())?;
    let d = &case["draws"];
    let names = ["frequency", "recency", "T"];
    let cols: Option<Vec<Vec<f64>>> = d
        .get("data")
        .map(|data| names.iter().map(|n| arr(data, n)).collect());
    let weights = d.get("data").map(|data| arr(data, "weights"));
    let slices: Option<Vec<&[f64]>> = cols.as_ref().map(|c| c.iter().map(Vec::as_slice).collect());
    let data = slices.as_deref().map(|inputs| Data {
        inputs,
        weights: weights.as_deref(),
    });
    let method = d["method"].as_str().unwrap().parse()?;
    let n = d["n"].as_u64().unwrap() as usize;
    let draws = Draws::new(
        &model,
        method,
        n,
        d["seed"].as_u64().unwrap(),
        data,
        &clv::fit::FitOptions::default(),
    )?;
    let Some(f) = case["fn"].as_str() else {
        return Ok(Value::Null);
    };
    let a = &case["args"];
    let q = arr(case, "quantiles");
    let (x, tx, t) = (arr(a, "frequency"), arr(a, "recency"), arr(a, "T"));
    let iv = match f {
        "prob_alive" => draws.prob_alive(&x, &tx, &t, &q)?,
        "expected_purchases" => draws.expected_purchases(&[num(a, "t")], &x, &tx, &t, &q)?,
        other => panic!("unknown fn {other}"),
    };
    Ok(to_value(iv).unwrap())
}

/// The runner of `draws.json` (Laplace cases from an independent
/// computation, the bootstrap case recorded from the core:
/// `tests/vectors/gen_draws_refs.py`).
pub fn draws_vectors(file: &str) {
    let (cases, errors) = check(&vector(file), draws_case);
    assert!(
        cases >= 3 && errors >= 4,
        "{file}: {cases} cases, {errors} errors"
    );
}
