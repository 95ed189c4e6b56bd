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

/// A scalar f64 argument.
pub fn num(args: &Value, key: &str) -> f64 {
    args[key]
        .as_f64()
        .unwrap_or_else(|| panic!("missing number {key} in {args}"))
}

/// The customers of a case: (frequency, recency, T), where T is the `T`
/// argument or, for BG/BB, `n_periods`.
pub fn customers(args: &Value) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let t = if args.get("n_periods").is_some() {
        arr(args, "n_periods")
    } else {
        arr(args, "T")
    };
    (arr(args, "frequency"), arr(args, "recency"), t)
}

/// The `n` argument (a count).
pub fn count(args: &Value) -> u32 {
    u32::try_from(args["n"].as_u64().unwrap()).unwrap()
}

/// Evaluates a transaction-model case.
pub fn run_transaction(m: &dyn TransactionModel, case: &Value) -> clv::Result<Vec<f64>> {
    let a = &case["args"];
    match case["fn"].as_str().unwrap() {
        "prob_alive" => {
            let (x, tx, t) = customers(a);
            m.prob_alive(&x, &tx, &t)
        }
        "log_likelihood" => {
            let (x, tx, t) = customers(a);
            m.log_likelihood(&x, &tx, &t)
        }
        "expected_purchases" => {
            let (x, tx, t) = customers(a);
            m.expected_purchases(num(a, "t"), &x, &tx, &t)
        }
        "expected_purchases_new" => Ok(vec![m.expected_purchases_new(num(a, "t"))?]),
        "prob_purchases" => Ok(vec![m.prob_purchases(count(a), num(a, "t"))?]),
        other => panic!("unknown fn {other}"),
    }
}

/// Checks values against a case's `expected`:
/// |got − expected| ≤ atol + rtol·|expected| (`atol` optional, default 0).
pub fn assert_close(got: &[f64], case: &Value) {
    let want = expected(case);
    let rtol = case["rtol"].as_f64().unwrap();
    let atol = case.get("atol").and_then(Value::as_f64).unwrap_or(0.0);
    assert_eq!(got.len(), want.len(), "{case}");
    for (g, w) in got.iter().zip(&want) {
        assert!(
            g.is_finite() && (g - w).abs() <= atol + rtol * w.abs().max(1e-300),
            "{} {}: got {g}, want {w} (rtol {rtol}, rel err {:.2e}); {}",
            case["fn"],
            case["args"],
            (g - w).abs() / w.abs(),
            case["source"]
        );
    }
}

/// Runs the `cases` and `errors` of a vector file through `run`, which
/// evaluates one case (all outputs as a vector). Returns the number of cases
/// and error cases checked.
pub fn check_vectors(v: &Value, run: impl Fn(&Value) -> clv::Result<Vec<f64>>) -> (usize, usize) {
    let cases = v["cases"].as_array().unwrap();
    for case in cases {
        let got = run(case).unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_close(&got, case);
    }
    let errors = v["errors"].as_array().unwrap();
    for case in errors {
        let e = run(case).unwrap_err();
        assert_eq!(e.code(), case["code"].as_str().unwrap(), "{case}");
        assert_eq!(e.field(), case["field"].as_str(), "{case}");
    }
    (cases.len(), errors.len())
}

/// Runs the `cases` and `errors` of a transaction-model vector file.
pub fn check_transaction_vectors(m: &dyn TransactionModel, v: &Value) {
    check_vectors(v, |case| run_transaction(m, case));
}
