//! The runner of `covariates.json`: static-covariate models
//! ([`clv::covariates::CovariateModel`]) and the Gamma-Gamma with spend
//! covariates ([`clv::covariates::spend::SpendCovariateModel`]) built with
//! `from_params`, each case's customers carrying their covariates as named
//! columns (expected values: the plain models' published formulas at each
//! customer's own parameters, in mpmath: `tests/vectors/gen_refs_covariates.py`).
#![allow(clippy::unwrap_used, dead_code)]

use clv::covariates::spend::SpendCovariateModel;
use clv::covariates::{CovariateModel, CovariateModelKind, Covariates};
use clv::models::ModelKind;
use serde_json::{Map, Value};

use crate::structured::{arr, compare, num, vector};

/// Effects `{NAME: γ}` in the file's key order (as the sets' columns).
fn effects(v: &Value) -> Vec<(&str, f64)> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_f64().unwrap()))
        .collect()
}

/// A covariate set of named columns `{NAME: [...]}` (absent: no covariates).
fn set(args: &Value, key: &str, n: usize) -> Covariates {
    let Some(cols) = args.get(key).and_then(Value::as_object) else {
        return Covariates::none(n);
    };
    let names: Vec<&str> = cols.keys().map(String::as_str).collect();
    let columns: Vec<Vec<f64>> = names.iter().map(|k| arr(&args[key], k)).collect();
    let refs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    Covariates::from_columns(&names, &refs).unwrap()
}

fn rows(args: &Value) -> usize {
    [
        "purchase_covariates",
        "dropout_covariates",
        "spend_covariates",
    ]
    .iter()
    .find_map(|k| args.get(*k).and_then(Value::as_object))
    .and_then(|c| c.values().next())
    .map_or(0, |c| c.as_array().unwrap().len())
}

/// The model of a case: `models[case.model]` (`params`, `purchase`, `dropout`).
pub fn covariate_model(v: &Value, key: &str) -> CovariateModel {
    let m = &v["models"][key];
    let kind = CovariateModelKind::from_model(key.parse::<ModelKind>().unwrap()).unwrap();
    let base: Vec<f64> = kind
        .base_names()
        .iter()
        .map(|n| m["params"][*n].as_f64().unwrap())
        .collect();
    CovariateModel::from_params(
        kind,
        &base,
        &effects(&m["purchase"]),
        &effects(&m["dropout"]),
    )
    .unwrap()
}

fn covariate_case(v: &Value, case: &Value) -> clv::Result<Value> {
    let key = case["model"].as_str().unwrap();
    let m = covariate_model(v, key);
    let a = &case["args"];
    let n = rows(a);
    let (p, d) = (
        set(a, "purchase_covariates", n),
        set(a, "dropout_covariates", n),
    );
    let cust = || (arr(a, "frequency"), arr(a, "recency"), arr(a, "T"));
    let values = match case["fn"].as_str().unwrap() {
        "customer_params" => {
            let names = m.kind().base_names();
            let rows = m.customer_params(&p, &d)?;
            let objects = rows
                .into_iter()
                .map(|r| {
                    let o: Map<String, Value> = names
                        .iter()
                        .zip(r)
                        .map(|(k, v)| ((*k).to_string(), Value::from(v)))
                        .collect();
                    Value::Object(o)
                })
                .collect();
            return Ok(Value::Array(objects));
        }
        "prob_alive" => {
            let (x, tx, t) = cust();
            m.prob_alive(&x, &tx, &t, &p, &d)?
        }
        "log_likelihood" => {
            let (x, tx, t) = cust();
            m.log_likelihood(&x, &tx, &t, &p, &d)?
        }
        "expected_purchases" => {
            let (x, tx, t) = cust();
            m.expected_purchases(num(a, "t"), &x, &tx, &t, &p, &d)?
        }
        "expected_purchases_new" => m.expected_purchases_new(num(a, "t"), &p, &d)?,
        "prob_purchases" => m.prob_purchases(num(a, "n"), num(a, "t"), &p, &d)?,
        "prob_purchases_conditional" => {
            let (x, tx, t) = cust();
            m.prob_purchases_conditional(num(a, "n"), num(a, "t"), &x, &tx, &t, &p, &d)?
        }
        "dert" => {
            let (x, tx, t) = cust();
            m.dert(num(a, "discount"), &x, &tx, &t, &p, &d)?
        }
        other => panic!("unknown fn {other}"),
    };
    Ok(Value::from(values))
}

fn spend_case(v: &Value, case: &Value) -> clv::Result<Value> {
    let sm = &v["spend_model"];
    let base = ["p", "q", "v"].map(|k| sm["params"][k].as_f64().unwrap());
    let m = SpendCovariateModel::from_params(base, &effects(&sm["effects"]))?;
    let a = &case["args"];
    let z = set(a, "spend_covariates", rows(a));
    let (x, mv) = (arr(a, "frequency"), arr(a, "monetary_value"));
    let values = match case["fn"].as_str().unwrap() {
        "expected_spend" => m.expected_spend(&x, &mv, &z)?,
        "log_likelihood" => m.log_likelihood(&x, &mv, &z)?,
        other => panic!("unknown fn {other}"),
    };
    Ok(Value::from(values))
}

fn check(cases: &Value, run: impl Fn(&Value) -> clv::Result<Value>) -> usize {
    let cases = cases.as_array().unwrap();
    for case in cases {
        let got = run(case).unwrap_or_else(|e| panic!("{}: {e}", case["source"]));
        let rtol = case["rtol"].as_f64().unwrap();
        let atol = case["atol"].as_f64().unwrap_or(0.0);
        let label = format!("{} {} ({})", case["model"], case["fn"], case["source"]);
        compare(&got, &case["expected"], rtol, atol, &label);
    }
    cases.len()
}

/// The runner of `covariates.json`: every `cases` entry on its model of
/// `models`, every `spend_cases` entry on `spend_model`.
pub fn covariate_vectors(file: &str) {
    let v = vector(file);
    let n = check(&v["cases"], |c| covariate_case(&v, c));
    let s = check(&v["spend_cases"], |c| spend_case(&v, c));
    assert!(n >= 40 && s >= 2, "{file}: {n} cases, {s} spend cases");
}
