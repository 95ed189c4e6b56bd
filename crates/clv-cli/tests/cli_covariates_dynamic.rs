//! `clv fit pareto-nbd --transactions ... --dynamic-covariates ...` and
//! `clv score --dynamic-covariates`: time-varying covariates of the
//! Pareto/NBD (issue 15 item 3) on CLVTools' apparel data, against the
//! core's `clv::covariates::dynamic`.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::path::Path;

use clv::covariates::dynamic::{self, CovariateTable, DynamicData};
use clv::covariates::{CovariateModel, CovariateOptions};
use clv::io::read_csv_columns;
use clv::models::{AnyModel, ModelInfo, ModelKind};
use clv::summary::SummaryOptions;
use clv::time::{TimeUnit, parse_timestamp};
use common::{assert_close, assert_fails, clv, json, scored, stdout};

/// A file of the core's test data (CLVTools' apparel set, copied there).
fn core_data(name: &str) -> String {
    common::repo_file("crates/clv/tests/data", name)
}

/// The three weekly covariates of `apparel_dynamic_covariates.csv`.
const ALL: [&str; 3] = ["High.Season", "Gender", "Channel"];

/// The transactions and their window as CLVTools takes apparel (weeks,
/// calibration 40 weeks after the first transaction), with the covariate
/// file `cov` (ids `Id`, period starts `Cov.Date`).
fn inputs(cov: &str) -> Vec<String> {
    [
        "--transactions",
        &core_data("apparel_transactions.csv"),
        "--customer-col",
        "Id",
        "--date-col",
        "Date",
        "--calibration-end",
        "2005-10-09",
        "--observation-end",
        "2010-12-20",
        "--dynamic-covariates",
        cov,
        "--covariate-id-col",
        "Id",
        "--covariate-date-col",
        "Cov.Date",
    ]
    .map(String::from)
    .to_vec()
}

/// Runs `clv {before} {inputs(cov)} {after}`.
fn run(before: &[&str], cov: &str, after: &[&str]) -> std::process::Output {
    let inputs = inputs(cov);
    let mut a: Vec<&str> = before.to_vec();
    a.extend(inputs.iter().map(String::as_str));
    a.extend(after);
    clv(&a)
}

/// The covariates of both processes.
const BOTH: [&str; 4] = [
    "--purchase-covariates",
    "High.Season,Gender,Channel",
    "--dropout-covariates",
    "High.Season,Gender,Channel",
];

/// The column `name` of the core data file `file`, as texts: the ids of
/// the core's column reader ([`read_csv_columns`]) with `name` as the id
/// column.
fn texts(file: &str, name: &str) -> Vec<String> {
    read_csv_columns(Path::new(&core_data(file)), Some(name), &[])
        .unwrap()
        .ids
}

/// The dates of the column `name` of the core data file `file` ([`texts`]).
fn dates(file: &str, name: &str) -> Vec<i64> {
    texts(file, name)
        .iter()
        .map(|d| parse_timestamp(d, None).unwrap())
        .collect()
}

/// The apparel transactions and covariate table, read here by the core's
/// column reader (not by the CLI's reader), and the customers'
/// `DynamicData` for the covariates `ALL` on both processes.
fn core_apparel() -> DynamicData {
    let tx = "apparel_transactions.csv";
    let (ids, ts) = (texts(tx, "Id"), dates(tx, "Date"));
    let cov = "apparel_dynamic_covariates.csv";
    let file = read_csv_columns(Path::new(&core_data(cov)), Some("Id"), &ALL).unwrap();
    let columns: Vec<&[f64]> = ALL.iter().map(|n| file.get(n).unwrap()).collect();
    let starts = dates(cov, "Cov.Date");
    let table = CovariateTable::new(&ALL, &file.ids, &starts, &columns).unwrap();
    let options = SummaryOptions {
        unit: TimeUnit::parse("7d").unwrap(),
        calibration_end: Some(parse_timestamp("2005-10-09", None).unwrap()),
        observation_end: Some(parse_timestamp("2010-12-20", None).unwrap()),
        ..SummaryOptions::default()
    };
    DynamicData::new(&ids, &ts, &table, &ALL, &ALL, &options).unwrap()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

/// Every number of the JSON object `got` equals `want`'s to `tol`
/// relative, with the same keys.
fn assert_map_close(what: &str, got: &serde_json::Value, want: &HashMap<String, f64>, tol: f64) {
    let got = got.as_object().unwrap_or_else(|| panic!("{what}: {got}"));
    assert_eq!(got.len(), want.len(), "{what}: {got:?} vs {want:?}");
    for (k, w) in want {
        let g = got[k]
            .as_f64()
            .unwrap_or_else(|| panic!("{what}.{k}: {got:?}"));
        assert!(rel(g, *w) <= tol, "{what}.{k}: {g} vs {w}");
    }
}

/// The CLI's fit is the core's `dynamic::fit` on the same data (CLVTools'
/// dynamic-covariate example: High.Season, Gender and Channel on both
/// processes), and `clv score` of the saved model gives the core's
/// predictions with the same covariates.
#[test]
fn fit_and_score_give_the_cores_apparel_values() {
    let dir = tempfile::tempdir().unwrap();
    let cov = core_data("apparel_dynamic_covariates.csv");
    let model_json = dir.path().join("model.json").display().to_string();
    let doc = json(&run(
        &["fit", "pareto-nbd"],
        &cov,
        &[
            &BOTH[..],
            &["--freq", "7d", "--json", "--save", &model_json],
        ]
        .concat(),
    ));
    let data = core_apparel();
    let core = dynamic::fit(&data, None, &CovariateOptions::default()).unwrap();
    let info = &core.fit_info().unwrap().info;
    // the core's optimum (crates/clv/tests/covariates_dynamic.rs,
    // apparel_dynamic_fit): an interior one
    assert!(rel(info.log_likelihood, -2568.5736851227) < 1e-12);
    assert!((core.purchase_effects()["High.Season"] - 0.780755).abs() < 1e-6);
    assert!(info.boundary.is_none());
    let ll = doc["log_likelihood"].as_f64().unwrap();
    assert!(rel(ll, info.log_likelihood) < 1e-9, "{ll}");
    let effects = |m: std::collections::BTreeMap<String, f64>| -> HashMap<String, f64> {
        m.into_iter().collect()
    };
    assert_map_close("params", &doc["params"], &effects(core.params()), 1e-9);
    let cv = &doc["covariates"];
    assert_map_close(
        "purchase",
        &cv["purchase"],
        &effects(core.purchase_effects()),
        1e-9,
    );
    assert_map_close(
        "dropout",
        &cv["dropout"],
        &effects(core.dropout_effects()),
        1e-9,
    );
    assert_eq!(cv["constrained"], serde_json::json!([]));
    let se = effects(core.std_errors().unwrap());
    assert!(se.contains_key("purchase_High.Season") && se.contains_key("dropout_Channel"));
    assert_map_close("std_errors", &doc["std_errors"], &se, 1e-6);
    // the keys of a static covariate fit, marked as time-varying
    assert_eq!(doc["model"], "pareto-nbd");
    assert_eq!(doc["name"], "Pareto/NBD with time-varying covariates");
    assert_eq!(doc["time_varying"], true);
    assert_eq!(doc["unit"], "7d");
    assert_eq!(doc["n"], 600.0);
    assert!(doc["boundary"].is_null(), "{doc}");
    assert_eq!(doc["converged"], true);
    for key in [
        "penalized_log_likelihood",
        "aic",
        "bic",
        "ci_95",
        "iterations",
    ] {
        assert!(!doc[key].is_null(), "{key}: {doc}");
    }

    // the saved model is the printed one, in the unit of the fit
    let saved = CovariateModel::from_json(&std::fs::read_to_string(&model_json).unwrap()).unwrap();
    assert_eq!(saved.kind(), ModelKind::ParetoNbd);
    assert_eq!(saved.fit_info().unwrap().info.unit.as_deref(), Some("7d"));
    assert_map_close(
        "saved",
        &cv["purchase"],
        &effects(saved.purchase_effects()),
        0.0,
    );

    // scores over the 12 weeks after the calibration end (the table runs
    // to 2006-01-01), the unit from the model, the names from the model
    let out = stdout(&run(
        &["score", &model_json],
        &cov,
        &["--horizon", "12", "--discount-rate", "0.05"],
    ));
    assert!(
        out.starts_with(
            "customer_id,prob_alive,expected_purchases,discounted_expected_purchases\n"
        )
    );
    let (ids, cols) = scored(&out);
    assert_eq!(ids, data.customer_id);
    assert_eq!(ids.len(), 600);
    let alive = saved.prob_alive_dynamic(&data).unwrap();
    let expected = saved.expected_purchases_dynamic(12.0, &data).unwrap();
    let discounted = saved
        .discounted_expected_purchases_dynamic(12.0, 0.05, &data)
        .unwrap();
    assert_close("prob_alive", &cols["prob_alive"], &alive);
    assert_close("expected_purchases", &cols["expected_purchases"], &expected);
    assert_close(
        "discounted_expected_purchases",
        &cols["discounted_expected_purchases"],
        &discounted,
    );
    assert!(
        expected
            .iter()
            .zip(&discounted)
            .all(|(e, d)| d < e && *d > 0.0)
    );
    // without a rate, no discounted column; covariate names given in
    // another order are the model's
    let out = stdout(&run(
        &["score", &model_json],
        &cov,
        &[
            "--horizon",
            "12",
            "--purchase-covariates",
            "Channel,Gender,High.Season",
        ],
    ));
    assert!(out.starts_with("customer_id,prob_alive,expected_purchases\n"));
    let (_, cols) = scored(&out);
    assert_close("expected_purchases", &cols["expected_purchases"], &expected);
    // another unit than the model's
    assert_fails(
        &run(&["score", &model_json], &cov, &["--freq", "D"]),
        &["UNIT_MISMATCH", "7d"],
    );
}

/// A Pareto/NBD with time-varying covariates (not fitted: the errors come
/// before any fit), saved into `dir`.
fn saved_model(dir: &tempfile::TempDir, kind: ModelKind) -> String {
    let m = CovariateModel::from_params(
        kind,
        &[1.9, 127.0, 0.3, 77.0],
        &[("High.Season", 0.8), ("Gender", 0.4), ("Channel", 0.8)],
        &[("High.Season", 2.7), ("Gender", -0.6), ("Channel", 2.4)],
    )
    .unwrap();
    let path = dir.path().join(format!("{kind:?}.json"));
    std::fs::write(&path, m.to_json().unwrap()).unwrap();
    path.display().to_string()
}

#[test]
fn dynamic_covariate_errors_are_typed() {
    let dir = tempfile::tempdir().unwrap();
    let cov = core_data("apparel_dynamic_covariates.csv");
    let fit = ["fit", "pareto-nbd"];
    let weekly = ["--freq", "7d"];
    // a covariate column the file lacks, and a date column it lacks
    assert_fails(
        &run(
            &fit,
            &cov,
            &[&weekly[..], &["--purchase-covariates", "Age,Gender"]].concat(),
        ),
        &[
            "MISSING_COLUMN",
            "\"Age\"",
            "Id, Cov.Date, High.Season, Gender, Channel",
        ],
    );
    // a fit on the covariates file `name` written with `text`, both sets
    let fit_on = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        run(
            &fit,
            path.to_str().unwrap(),
            &[&weekly[..], &BOTH[..]].concat(),
        )
    };
    let text = std::fs::read_to_string(&cov).unwrap();
    assert_fails(
        &fit_on("renamed.csv", text.replacen("Cov.Date", "Week", 1)),
        &["MISSING_COLUMN", "\"Cov.Date\"", "Id, Week, High.Season"],
    );
    // customer 1 without rows: the core names it (index 0, id 1)
    let without_1: Vec<&str> = text.lines().filter(|l| !l.starts_with("1,")).collect();
    assert_fails(
        &fit_on("without_1.csv", without_1.join("\n")),
        &["INVALID_INPUT", "invalid covariates[0]: 1", "has none"],
    );
    // a date that does not parse, named by its data row
    let bad: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(j, l)| {
            if j == 3 {
                l.replace("2005-01-16", "2005-13-16")
            } else {
                l.to_string()
            }
        })
        .collect();
    assert_fails(
        &fit_on("bad_date.csv", bad.join("\n")),
        &[
            "INVALID_INPUT",
            "covariates.period_start[2]",
            "2005-13-16",
            "Cov.Date",
        ],
    );
    // only the Pareto/NBD takes time-varying covariates
    assert_fails(
        &run(&["fit", "bg-nbd"], &cov, &[&weekly[..], &BOTH[..]].concat()),
        &["NOT_SUPPORTED", "time-varying covariates", "BG/NBD"],
    );
    // --transactions needs --dynamic-covariates; not beside --summary
    let tx = core_data("apparel_transactions.csv");
    assert_fails(
        &clv(&[
            "fit",
            "pareto-nbd",
            "--transactions",
            &tx,
            "--customer-col",
            "Id",
        ]),
        &["INVALID_INPUT", "dynamic_covariates"],
    );
    assert_fails(
        &run(&fit, &cov, &[&BOTH[..], &["--summary", &tx]].concat()),
        &["INVALID_INPUT", "invalid summary"],
    );

    // scores: a horizon past the table (it ends on 2006-01-01, 12 weeks
    // after the calibration end) names the first customer
    let model = saved_model(&dir, ModelKind::ParetoNbd);
    let score = ["score", model.as_str()];
    stdout(&run(&score, &cov, &["--freq", "7d", "--horizon", "12"]));
    assert_fails(
        &run(&score, &cov, &["--freq", "7d", "--horizon", "20"]),
        &[
            "INVALID_INPUT",
            "invalid covariates[0]: 1",
            "prediction periods",
        ],
    );
    // a BG/NBD with covariates: the core's refusal
    let bg = saved_model(&dir, ModelKind::BgNbd);
    assert_fails(
        &run(&["score", &bg], &cov, &["--freq", "7d"]),
        &["NOT_SUPPORTED", "time-varying covariates", "Pareto/NBD"],
    );
    // a model without covariates
    let plain = dir.path().join("plain.json");
    let pnbd = AnyModel::from_values(ModelKind::ParetoNbd, &[1.9, 127.0, 0.3, 77.0]).unwrap();
    std::fs::write(&plain, pnbd.to_json()).unwrap();
    assert_fails(
        &run(&["score", plain.to_str().unwrap()], &cov, &["--freq", "7d"]),
        &[
            "NOT_SUPPORTED",
            "time-varying covariates",
            "without covariates",
        ],
    );
    // a spend model is not taken
    assert_fails(
        &run(&score, &cov, &["--freq", "7d", "--spend-model", &model]),
        &["NOT_SUPPORTED", "spend-model"],
    );
}
