//! Helpers shared by the model vector runners: reading the vector files and
//! the CSV data, and dispatching a case to a transaction model.
#![allow(clippy::unwrap_used, dead_code)]

use clv::fit::FitOptions;
use clv::models::{AnyModel, Family, ModelInfo, ModelKind, SpendModel};
use clv::value::{customer_lifetime_value, periods_per_month};
use clv::{BetaGeo, TransactionModel};
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

/// The `n` argument (a count), checked by the core as the bindings check it.
pub fn count(args: &Value) -> clv::Result<u32> {
    clv::models::whole_count("n", num(args, "n"))
}

/// The model a case runs on: the file's `params`, or the named set of
/// `params_sets` when the case has `"params": NAME` (or explicit params).
pub fn case_model(v: &Value, case: &Value) -> AnyModel {
    let kind: ModelKind = v["model"].as_str().unwrap().parse().unwrap();
    let p = match &case["params"] {
        Value::String(name) => &v["params_sets"][name.as_str()],
        Value::Object(_) => &case["params"],
        _ => &v["params"],
    };
    let values: Vec<f64> = kind
        .spec()
        .params
        .iter()
        .map(|n| p[*n].as_f64().unwrap())
        .collect();
    AnyModel::from_values(kind, &values).unwrap()
}

/// Evaluates a case (`fn`, `args`) on any model of the registry, all outputs
/// as a vector; the dispatch is by the registry's family.
pub fn run_model(m: &AnyModel, case: &Value) -> clv::Result<Vec<f64>> {
    let a = &case["args"];
    let spec = m.kind().spec();
    let retention = spec.family == Family::Retention;
    let one = |v: f64| Ok(vec![v]);
    match case["fn"].as_str().unwrap() {
        "prob_alive" => {
            let (x, tx, t) = customers(a);
            m.prob_alive(&x, &tx, &t)
        }
        "log_likelihood" if retention => one(m
            .retention("log_likelihood")?
            .log_likelihood(&arr(a, "survivors"))?),
        "log_likelihood" => {
            let (x, tx, t) = customers(a);
            m.log_likelihood(&x, &tx, &t)
        }
        "expected_purchases" => {
            let (x, tx, t) = customers(a);
            m.expected_purchases(num(a, "t"), &x, &tx, &t)
        }
        "expected_purchases_new" => one(m.expected_purchases_new(num(a, "t"))?),
        "prob_purchases" => one(m.prob_purchases(count(a)?, num(a, "t"))?),
        "prob_purchases_conditional" => {
            let (x, tx, t) = customers(a);
            m.prob_purchases_conditional(count(a)?, num(a, "t"), &x, &tx, &t)
        }
        "prob_alive_ahead" => {
            let (x, tx, t) = customers(a);
            m.prob_alive_ahead(num(a, "m"), &x, &tx, &t)
        }
        "dert" if retention => {
            let r = m.retention("dert")?;
            one(r.dert(num(a, "discount"), num(a, "renewals"))?)
        }
        "dert" => {
            let (x, tx, t) = customers(a);
            let rate = if a.get("delta").is_some() {
                num(a, "delta")
            } else {
                num(a, "discount")
            };
            m.dert(rate, &x, &tx, &t)
        }
        "survival" => one(m.retention("survival")?.survival(num(a, "t"))?),
        "retention" => one(m.retention("retention")?.retention(num(a, "t"))?),
        "discounted_expected_lifetime" => one(m
            .retention("discounted_expected_lifetime")?
            .discounted_expected_lifetime(num(a, "discount"))?),
        "expected_spend" => m.expected_spend(&arr(a, "frequency"), &arr(a, "monetary_value")),
        "customer_lifetime_value" => {
            // The file's spend model with the FHL (2005) BG/NBD estimates.
            let bg = BetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap();
            let (x, tx, t) = customers(a);
            let spend = m.expected_spend(&x, &arr(a, "monetary_value"))?;
            customer_lifetime_value(
                &bg,
                &spend,
                &x,
                &tx,
                &t,
                u32::try_from(a["time"].as_u64().unwrap()).unwrap(),
                num(a, "discount_rate"),
                periods_per_month(a["freq"].as_str().unwrap())?,
            )
        }
        "fit" => {
            let inputs: Vec<Vec<f64>> = spec.inputs.iter().map(|n| arr(a, n)).collect();
            let refs: Vec<&[f64]> = inputs.iter().map(Vec::as_slice).collect();
            let w = a.get("weights").map(|_| arr(a, "weights"));
            Ok(AnyModel::fit(spec.kind, &refs, w.as_deref(), &FitOptions::default())?.values())
        }
        other => panic!("unknown fn {other} for {}", spec.name),
    }
}

/// The runner of every model vector file: `cases` and `errors` through
/// [`run_model`], then every `fits` entry through [`check_fit`].
pub fn model_vectors(file: &str) {
    let v = vector(file);
    let (cases, errors) = check_vectors(&v, |case| run_model(&case_model(&v, case), case));
    assert!(
        cases > 0 && errors > 0,
        "{file}: {cases} cases, {errors} errors"
    );
    let kind: ModelKind = v["model"].as_str().unwrap().parse().unwrap();
    for fit in v["fits"].as_array().unwrap() {
        check_fit(kind, fit);
    }
}

/// A published (or reference) fit: the inputs are `survivors`, or the
/// `columns` (and `weights` column) of the `data` file. Checks the
/// parameters (`atol_params`, `atol_by_param`) and the log-likelihood
/// (`atol_ll`); for transaction models also that the per-customer
/// log-likelihoods add up to the fitted total, that the reference
/// parameters do not beat the fit, and that the same data compressed to
/// distinct rows with weights gives the same fit.
pub fn check_fit(kind: ModelKind, fit: &Value) {
    let spec = kind.spec();
    let (inputs, weights) = if fit.get("survivors").is_some() {
        (vec![arr(fit, "survivors")], None)
    } else {
        let mut names: Vec<&str> = fit["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let w = fit.get("weights").and_then(Value::as_str);
        names.extend(w);
        let mut c = columns(fit["data"].as_str().unwrap(), &names);
        let w = w.map(|_| c.pop().unwrap());
        (c, w)
    };
    let refs: Vec<&[f64]> = inputs.iter().map(Vec::as_slice).collect();
    let m = AnyModel::fit(kind, &refs, weights.as_deref(), &FitOptions::default()).unwrap();
    let info = m.fit_info().unwrap();
    assert!(info.converged, "{}", spec.name);
    for (name, got) in m.params() {
        let want = fit["expected_params"][name].as_f64().unwrap();
        let tol = fit["atol_by_param"][name]
            .as_f64()
            .unwrap_or_else(|| fit["atol_params"].as_f64().unwrap());
        assert!(
            (got - want).abs() <= tol,
            "{} {name}: {got} vs {want}",
            spec.name
        );
    }
    if let Some(ll) = fit["expected_log_likelihood"].as_f64() {
        let tol = fit["atol_ll"].as_f64().unwrap();
        let got = info.log_likelihood;
        assert!((got - ll).abs() <= tol, "{}: LL {got} vs {ll}", spec.name);
    }
    if spec.family == Family::Spend {
        // the fit uses the repeat customers only
        let repeat = inputs[0].iter().filter(|x| **x > 0.0).count();
        assert_eq!(info.n_observations, repeat as f64, "{}", spec.name);
    }
    if spec.family != Family::Transaction {
        return;
    }
    let (x, tx, t) = (&inputs[0], &inputs[1], &inputs[2]);
    let w = weights.clone().unwrap_or_else(|| vec![1.0; x.len()]);
    let weighted_ll = |m: &AnyModel| -> f64 {
        let per = m.log_likelihood(x, tx, t).unwrap();
        per.iter().zip(&w).map(|(l, w)| l * w).sum()
    };
    let total = weighted_ll(&m);
    assert!(
        (total - info.log_likelihood).abs() < 1e-6,
        "{}: {total}",
        spec.name
    );
    let reference: Vec<f64> = spec
        .params
        .iter()
        .map(|n| fit["expected_params"][*n].as_f64().unwrap())
        .collect();
    let ll_ref = weighted_ll(&AnyModel::from_values(kind, &reference).unwrap());
    assert!(
        ll_ref <= info.log_likelihood + 1e-9,
        "{}: {ll_ref}",
        spec.name
    );
    if weights.is_none() {
        let (rows, counts) = compress(x, tx, t);
        let cols: Vec<&[f64]> = rows.iter().map(Vec::as_slice).collect();
        let mw = AnyModel::fit(kind, &cols, Some(&counts), &FitOptions::default()).unwrap();
        for ((_, a), b) in m.params().iter().zip(mw.values()) {
            assert!((a - b).abs() < 1e-5 * a, "{}: {a} vs {b}", spec.name);
        }
    }
}

/// Distinct (x, t_x, T) rows and how many customers share each.
pub fn compress(x: &[f64], tx: &[f64], t: &[f64]) -> (Vec<Vec<f64>>, Vec<f64>) {
    let mut rows: Vec<[u64; 3]> = (0..x.len())
        .map(|i| [x[i].to_bits(), tx[i].to_bits(), t[i].to_bits()])
        .collect();
    rows.sort_unstable();
    let mut uniq: Vec<([u64; 3], f64)> = Vec::new();
    for r in rows {
        match uniq.last_mut() {
            Some((u, w)) if *u == r => *w += 1.0,
            _ => uniq.push((r, 1.0)),
        }
    }
    let col = |k: usize| uniq.iter().map(|(r, _)| f64::from_bits(r[k])).collect();
    (
        vec![col(0), col(1), col(2)],
        uniq.iter().map(|(_, w)| *w).collect(),
    )
}

/// The runner of `errors.json`, the cross-runtime error contract: every
/// case meant for Rust gives its `code` and `field`.
pub fn error_vectors(file: &str) {
    let v = vector(file);
    let mut n = 0;
    for case in v["cases"].as_array().unwrap() {
        if let Some(r) = case.get("runtimes")
            && !r.as_array().unwrap().iter().any(|r| r == "rust")
        {
            continue;
        }
        let kind: ModelKind = case["model"].as_str().unwrap().parse().unwrap();
        let a = &case["args"];
        let call = case["call"].as_str().unwrap();
        let got = match call {
            "from_params" => {
                let values: Vec<f64> = kind.spec().params.iter().map(|p| num(a, p)).collect();
                AnyModel::from_values(kind, &values).map(|_| ())
            }
            "from_json" => AnyModel::from_json_as(kind, a["json"].as_str().unwrap()).map(|_| ()),
            _ => {
                // `fit` runs on the class; the model's parameters do not matter.
                let m = if call == "fit" {
                    AnyModel::from_values(kind, &vec![1.0; kind.spec().params.len()]).unwrap()
                } else {
                    case_model(&serde_json::json!({"model": case["model"]}), case)
                };
                run_model(&m, &serde_json::json!({"fn": call, "args": a})).map(|_| ())
            }
        };
        let e = got.unwrap_err();
        assert_eq!(e.code(), case["code"].as_str().unwrap(), "{case}: {e}");
        assert_eq!(e.field(), case["field"].as_str(), "{case}: {e}");
        n += 1;
    }
    assert!(n >= 10, "{n} error cases");
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
