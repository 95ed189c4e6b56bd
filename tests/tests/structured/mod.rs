//! Helpers for vector files whose functions return structs
//! (`portfolio.json`, `uplift.json`): arguments with `"NaN"` standing for a
//! NaN number, and a recursive comparison of the serialised result with the
//! case's `expected` object (only the keys it lists are checked).
#![allow(clippy::unwrap_used, dead_code)]

use serde_json::Value;

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
