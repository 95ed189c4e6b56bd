//! `clv fit --covariates`: static covariates of Pareto/NBD and BG/NBD
//! (issue 15) on CLVTools' apparel data.
#![allow(clippy::unwrap_used)]

mod common;

use common::{assert_fails, clv, json, stdout};

/// A file of the core's test data (CLVTools' apparel set, copied there).
fn core_data(name: &str) -> String {
    common::repo_file("crates/clv/tests/data", name)
}

/// The apparel summary as CLVTools takes it: weeks, calibration 40 weeks
/// after the first transaction (2005-10-09), written into `dir`.
fn apparel_summary(dir: &tempfile::TempDir) -> String {
    let out = stdout(&clv(&[
        "summary",
        &core_data("apparel_transactions.csv"),
        "--customer-col",
        "Id",
        "--date-col",
        "Date",
        "--amount-col",
        "Price",
        "--freq",
        "7d",
        "--calibration-end",
        "2005-10-09",
        "--observation-end",
        "2010-12-20",
    ]));
    let path = dir.path().join("summary.csv");
    std::fs::write(&path, out).unwrap();
    path.display().to_string()
}

/// `clv fit MODEL` on `summary` with the covariates file `cov` (ids in
/// `Id`) and the `extra` arguments.
fn fit_with(model: &str, summary: &str, cov: &str, extra: &[&str]) -> std::process::Output {
    let mut a = vec![
        "fit",
        model,
        "--summary",
        summary,
        "--id-col",
        "customer_id",
        "--covariates",
        cov,
        "--covariate-id-col",
        "Id",
    ];
    a.extend(extra);
    clv(&a)
}

/// Both sets of the apparel covariates on both processes.
const BOTH: [&str; 4] = [
    "--purchase-covariates",
    "Gender,Channel",
    "--dropout-covariates",
    "Gender,Channel",
];

#[test]
fn fit_with_covariates_gives_the_cores_apparel_estimates() {
    let dir = tempfile::tempdir().unwrap();
    let summary = apparel_summary(&dir);
    let cov = core_data("apparel_static_covariates.csv");
    let doc = json(&fit_with(
        "pareto-nbd",
        &summary,
        &cov,
        &[&BOTH[..], &["--json"]].concat(),
    ));
    // The core's fit (crates/clv/tests/covariates.rs,
    // apparel_fits_match_an_independent_likelihood: its 12 customers' ln L
    // against a brute-force 2-D integration): LL −2589.2321, purchase
    // effects Gender 0.4552, Channel 0.8338.
    assert!(
        (doc["log_likelihood"].as_f64().unwrap() - (-2589.2321)).abs() < 1e-3,
        "{doc}"
    );
    let purchase = &doc["covariates"]["purchase"];
    assert!(
        (purchase["Gender"].as_f64().unwrap() - 0.4552).abs() < 1e-3,
        "{doc}"
    );
    assert!(
        (purchase["Channel"].as_f64().unwrap() - 0.8338).abs() < 1e-3,
        "{doc}"
    );
    assert!(doc["std_errors"]["purchase_Gender"].as_f64().unwrap() > 0.0);
    // beta_0 and the Channel dropout effect run off together: a boundary,
    // their standard errors null (crates/clv/tests/covariates.rs)
    assert!(doc["std_errors"]["dropout_Channel"].is_null(), "{doc}");
    assert!(doc["std_errors"]["dropout_Gender"].is_number(), "{doc}");
    let note = doc["boundary"].as_str().unwrap();
    assert!(
        note.starts_with("beta -> inf, dropout_Channel -> +inf"),
        "{doc}"
    );
    assert_eq!(doc["n"], 600.0);
    assert!(doc["params"]["r"].is_number() && doc["params"]["beta"].is_number());
    // A constraint, one effect of Gender on both processes, and the table:
    // its purchase_Gender and dropout_Gender rows are the same.
    let extra = ["--constrain-equal", "Gender", "--penalty", "0,0"];
    let text = stdout(&fit_with(
        "pareto-nbd",
        &summary,
        &cov,
        &[&BOTH[..], &extra].concat(),
    ));
    let row = |label: &str| {
        let line = text.lines().find(|l| l.trim_start().starts_with(label));
        line.unwrap_or_else(|| panic!("{label} not in {text}"))
            .split_whitespace()
            .skip(1)
            .collect::<Vec<_>>()
    };
    assert_eq!(row("purchase_Gender"), row("dropout_Gender"), "{text}");
    assert!(row("purchase_Channel") != row("dropout_Channel"), "{text}");
}

#[test]
fn covariate_errors_are_typed() {
    let dir = tempfile::tempdir().unwrap();
    let summary = apparel_summary(&dir);
    let cov = core_data("apparel_static_covariates.csv");
    let gender = ["--purchase-covariates", "Gender"];
    // a model without covariates
    assert_fails(
        &fit_with("mbg-nbd", &summary, &cov, &gender),
        &["NOT_SUPPORTED", "covariates"],
    );
    // a column the file lacks
    assert_fails(
        &fit_with(
            "pareto-nbd",
            &summary,
            &cov,
            &["--purchase-covariates", "Age"],
        ),
        &["Age", "Gender, Channel"],
    );
    // a customer without a row: the covariates of customers 1..=300 only
    let text = std::fs::read_to_string(&cov).unwrap();
    let half: Vec<&str> = text.lines().take(301).collect();
    let short = dir.path().join("short.csv");
    std::fs::write(&short, half.join("\n")).unwrap();
    assert_fails(
        &fit_with("pareto-nbd", &summary, short.to_str().unwrap(), &gender),
        &["INVALID_INPUT", "invalid purchase_covariates["],
    );
    // no --save yet, and P,D penalties only with covariates
    assert_fails(
        &fit_with(
            "pareto-nbd",
            &summary,
            &cov,
            &[&gender[..], &["--save", "m.json"]].concat(),
        ),
        &["--save with --covariates"],
    );
    let plain = [
        "fit",
        "pareto-nbd",
        "--summary",
        &summary,
        "--id-col",
        "customer_id",
    ];
    assert_fails(
        &clv(&[&plain[..], &["--penalty", "0.1,0.1"]].concat()),
        &["INVALID_INPUT", "penalty"],
    );
}
