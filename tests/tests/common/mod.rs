//! Helpers shared by the model vector runners: reading the vector files and
//! the CSV data, and dispatching a case to a transaction model.
#![allow(clippy::unwrap_used, dead_code)]

use clv::TransactionModel;
use serde_json::Value;

/// Reads `tests/vectors/<name>`.
pub fn vector(name: &str) -> Value {
    let text = std::fs::read_to_string(clv_conformance::vector_path(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Columns of a CSV file in `tests/data`, parsed as f64.
pub fn columns(file: &str, names: &[&str]) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(clv_conformance::data_path(file)).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let idx: Vec<usize> = names
        .iter()
        .map(|n| header.iter().position(|h| h == n).unwrap())
        .collect();
    let mut out = vec![Vec::new(); names.len()];
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        for (k, &i) in idx.iter().enumerate() {
            out[k].push(f[i].trim().parse().unwrap());
        }
    }
    out
}

/// An f64 array argument.
pub fn arr(args: &Value, key: &str) -> Vec<f64> {
    args[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

/// Expected values of a case as a vector (scalars become one element).
pub fn expected(case: &Value) -> Vec<f64> {
    match &case["expected"] {
        Value::Array(a) => a.iter().map(|v| v.as_f64().unwrap()).collect(),
        v => vec![v.as_f64().unwrap()],
    }
}

/// Evaluates a transaction-model case.
pub fn run_transaction(m: &dyn TransactionModel, case: &Value) -> clv::Result<Vec<f64>> {
    let a = &case["args"];
    match case["fn"].as_str().unwrap() {
        "prob_alive" => m.prob_alive(&arr(a, "frequency"), &arr(a, "recency"), &arr(a, "T")),
        "log_likelihood" => {
            m.log_likelihood(&arr(a, "frequency"), &arr(a, "recency"), &arr(a, "T"))
        }
        "expected_purchases" => m.expected_purchases(
            a["t"].as_f64().unwrap(),
            &arr(a, "frequency"),
            &arr(a, "recency"),
            &arr(a, "T"),
        ),
        "expected_purchases_new" => Ok(vec![m.expected_purchases_new(a["t"].as_f64().unwrap())?]),
        "prob_purchases" => Ok(vec![m.prob_purchases(
            u32::try_from(a["n"].as_u64().unwrap()).unwrap(),
            a["t"].as_f64().unwrap(),
        )?]),
        other => panic!("unknown fn {other}"),
    }
}

/// Checks values against a case's `expected` with its `rtol`.
pub fn assert_close(got: &[f64], case: &Value) {
    let want = expected(case);
    let rtol = case["rtol"].as_f64().unwrap();
    assert_eq!(got.len(), want.len(), "{case}");
    for (g, w) in got.iter().zip(&want) {
        assert!(
            (g - w).abs() <= rtol * w.abs().max(1e-300),
            "{}: got {g}, want {w} (rtol {rtol}); {}",
            case["fn"],
            case["source"]
        );
    }
}

/// Runs the `cases` and `errors` of a transaction-model vector file.
pub fn check_transaction_vectors(m: &dyn TransactionModel, v: &Value) {
    for case in v["cases"].as_array().unwrap() {
        let got = run_transaction(m, case).unwrap();
        assert_close(&got, case);
    }
    for case in v["errors"].as_array().unwrap() {
        let e = run_transaction(m, case).unwrap_err();
        assert_eq!(e.code(), case["code"].as_str().unwrap(), "{case}");
        assert_eq!(e.field(), case["field"].as_str(), "{case}");
    }
}
