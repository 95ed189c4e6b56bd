//! `clv fit --covariates` and `clv score --covariates`: static covariates
//! of Pareto/NBD and BG/NBD (issue 15) on CLVTools' apparel data.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;

use clv::covariates::spend::SpendCovariateModel;
use clv::covariates::{CovariateModel, Covariates};
use clv::models::{AnyModel, ModelInfo, ModelKind};
use common::{assert_close, assert_fails, clv, json, scored, stdout};

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

/// A temporary folder with the apparel summary in it (kept alive by the
/// folder), the summary's path and that of the apparel covariates.
fn apparel() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let summary = apparel_summary(&dir);
    (dir, summary, core_data("apparel_static_covariates.csv"))
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

/// The output of `clv score MODEL` on `summary` with the covariates file
/// `cov` (ids in `Id`) and the `extra` arguments, a run that must succeed.
fn score_with(model: &str, summary: &str, cov: &str, extra: &[&str]) -> String {
    let a = [
        "score",
        model,
        "--summary",
        summary,
        "--covariates",
        cov,
        "--covariate-id-col",
        "Id",
    ];
    stdout(&clv(&[&a[..], extra].concat()))
}

/// Asserts that the JSON number `v` is within 1e-3 of `want`, showing the
/// whole output `doc` if not.
fn assert_near(v: &serde_json::Value, want: f64, doc: &serde_json::Value) {
    assert!(
        (v.as_f64().unwrap() - want).abs() < 1e-3,
        "{v} vs {want}: {doc}"
    );
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
    let (_dir, summary, cov) = apparel();
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
    assert_near(&doc["log_likelihood"], -2589.2321, &doc);
    let purchase = &doc["covariates"]["purchase"];
    assert_near(&purchase["Gender"], 0.4552, &doc);
    assert_near(&purchase["Channel"], 0.8338, &doc);
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
    let (dir, summary, cov) = apparel();
    let gender = ["--purchase-covariates", "Gender"];
    // a model without covariates
    assert_fails(
        &fit_with("bg-bb", &summary, &cov, &gender),
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
    let short = dir.path().join("short.csv").display().to_string();
    first_300_rows(&cov, &short);
    assert_fails(
        &fit_with("pareto-nbd", &summary, &short, &gender),
        &["INVALID_INPUT", "invalid purchase_covariates["],
    );
    // P,D penalties only with covariates
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

/// The apparel covariates by customer id, read here (not by the CLI's or
/// the core's reader): `Id -> (Gender, Channel)`.
fn apparel_covariates(cov: &str) -> HashMap<String, (f64, f64)> {
    let text = std::fs::read_to_string(cov).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap().trim(), "Id,Gender,Channel");
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.trim().split(',').collect();
            (
                f[0].to_string(),
                (f[1].parse().unwrap(), f[2].parse().unwrap()),
            )
        })
        .collect()
}

/// The summary's columns and ids.
struct Summary {
    ids: Vec<String>,
    x: Vec<f64>,
    tx: Vec<f64>,
    t: Vec<f64>,
    m: Vec<f64>,
}

fn read_summary(path: &str) -> Summary {
    let c = clv::io::read_csv_columns(
        std::path::Path::new(path),
        Some("customer_id"),
        &["frequency", "recency", "T", "monetary_value"],
    )
    .unwrap();
    Summary {
        ids: c.ids.clone(),
        x: c.get("frequency").unwrap().to_vec(),
        tx: c.get("recency").unwrap().to_vec(),
        t: c.get("T").unwrap().to_vec(),
        m: c.get("monetary_value").unwrap().to_vec(),
    }
}

/// Customer `ids`' covariates `names` (each `Gender` or `Channel`).
fn set(table: &HashMap<String, (f64, f64)>, names: &[&str], ids: &[String]) -> Covariates {
    let rows: Vec<Vec<f64>> = ids
        .iter()
        .map(|id| {
            let (g, c) = table[id];
            names
                .iter()
                .map(|n| if *n == "Gender" { g } else { c })
                .collect()
        })
        .collect();
    Covariates::new(names, &rows).unwrap()
}

/// The `months`-month CLV of each customer from the plain model with
/// their own parameters (as `clv score` defines it with a covariate model).
fn clv_by_customer(
    model: &CovariateModel,
    purchase: &Covariates,
    dropout: &Covariates,
    s: &Summary,
    spend: &[f64],
    months: u32,
    periods_per_month: f64,
) -> Vec<f64> {
    let params = model.customer_params(purchase, dropout).unwrap();
    (0..s.ids.len())
        .map(|i| {
            let own = AnyModel::from_values(model.kind().model(), &params[i]).unwrap();
            let one = i..=i;
            clv::value::customer_lifetime_value(
                own.transaction("test").unwrap(),
                &spend[one.clone()],
                &s.x[one.clone()],
                &s.tx[one.clone()],
                &s.t[one],
                months,
                0.01,
                periods_per_month,
            )
            .unwrap()[0]
        })
        .collect()
}

/// `clv fit MODEL --summary SUMMARY --freq 7d --save SAVE`, without
/// covariates; it must succeed.
fn fit_plain(model: &str, summary: &str, save: &str) {
    stdout(&clv(&[
        "fit",
        model,
        "--summary",
        summary,
        "--freq",
        "7d",
        "--save",
        save,
    ]));
}

/// A Pareto/NBD covariate model (not fitted: Gender and Channel on
/// purchase, Channel on dropout), saved as JSON at `path`.
fn saved_pareto_nbd(path: &str) -> CovariateModel {
    let model = CovariateModel::from_params(
        ModelKind::ParetoNbd,
        &[1.6, 110.0, 1.9, 50.0],
        &[("Gender", 0.45), ("Channel", 0.83)],
        &[("Channel", 0.5)],
    )
    .unwrap();
    std::fs::write(path, model.to_json().unwrap()).unwrap();
    model
}

/// Writes the header and the first 300 rows of the covariates file `cov`
/// to `path`: customers without a row. Returns the lines written.
fn first_300_rows(cov: &str, path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(cov).unwrap();
    let half: Vec<String> = text.lines().take(301).map(String::from).collect();
    std::fs::write(path, half.join("\n")).unwrap();
    half
}

#[test]
fn score_with_covariates_gives_the_cores_predictions() {
    let (dir, summary, cov) = apparel();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let (model_json, gg_json) = (path("model.json"), path("gg.json"));
    // the fit of fit_with_covariates_gives_the_cores_apparel_estimates, saved
    let doc = json(&fit_with(
        "pareto-nbd",
        &summary,
        &cov,
        &[
            &BOTH[..],
            &["--freq", "7d", "--json", "--save", &model_json],
        ]
        .concat(),
    ));
    let model = CovariateModel::from_json(&std::fs::read_to_string(&model_json).unwrap()).unwrap();
    assert_eq!(model.kind(), ModelKind::ParetoNbd);
    assert_eq!(
        serde_json::to_value(model.purchase_effects()).unwrap(),
        doc["covariates"]["purchase"]
    );
    assert_eq!(model.fit_info().unwrap().info.unit.as_deref(), Some("7d"));
    fit_plain("gamma-gamma", &summary, &gg_json);
    let gg = AnyModel::from_json(&std::fs::read_to_string(&gg_json).unwrap()).unwrap();
    // the same covariate options as the fit; the months of the CLV from
    // the model's unit (7d)
    let out = score_with(
        &model_json,
        &summary,
        &cov,
        &[
            "--purchase-covariates",
            "Gender,Channel",
            "--dropout-covariates",
            "Channel,Gender",
            "--horizon",
            "10",
            "--spend-model",
            &gg_json,
        ],
    );
    let (ids, cols) = scored(&out);
    let s = read_summary(&summary);
    assert_eq!(ids, s.ids);
    assert_eq!(ids.len(), 600);
    let table = apparel_covariates(&cov);
    let z = set(&table, &["Gender", "Channel"], &s.ids);
    let alive = model.prob_alive(&s.x, &s.tx, &s.t, &z, &z).unwrap();
    let expected = model
        .expected_purchases(10.0, &s.x, &s.tx, &s.t, &z, &z)
        .unwrap();
    assert_close("prob_alive", &cols["prob_alive"], &alive);
    assert_close("expected_purchases", &cols["expected_purchases"], &expected);
    let spend = gg
        .spend("test")
        .unwrap()
        .expected_spend(&s.x, &s.m)
        .unwrap();
    assert_close("expected_spend", &cols["expected_spend"], &spend);
    let ppm = clv::value::periods_per_month("7d").unwrap();
    let clv_want = clv_by_customer(&model, &z, &z, &s, &spend, 12, ppm);
    assert_close("clv", &cols["clv"], &clv_want);
    // customers with all covariates 0 get the base model's value; the
    // others' covariates matter
    let base = AnyModel::from_values(ModelKind::ParetoNbd, model.base()).unwrap();
    let plain = base
        .transaction("test")
        .unwrap()
        .expected_purchases(10.0, &s.x, &s.tx, &s.t)
        .unwrap();
    for (i, id) in s.ids.iter().enumerate() {
        if table[id] == (0.0, 0.0) {
            assert!((cols["expected_purchases"][i] - plain[i]).abs() <= 1e-12 * plain[i]);
        }
    }
    let channel = s.ids.iter().position(|id| table[id] == (0.0, 1.0)).unwrap();
    assert!((cols["expected_purchases"][channel] - plain[channel]).abs() > 0.1 * plain[channel]);

    // BG/NBD, purchase and dropout sets of their own, names from the model
    let bg = CovariateModel::from_params(
        ModelKind::BgNbd,
        &[0.6, 9.0, 0.7, 3.0],
        &[("Channel", 0.8), ("Gender", 0.4)],
        &[("Gender", -0.3)],
    )
    .unwrap();
    let bg_json = path("bg.json");
    std::fs::write(&bg_json, bg.to_json().unwrap()).unwrap();
    let out = score_with(
        &bg_json,
        &summary,
        &cov,
        &[
            "--spend-model",
            &gg_json,
            "--freq",
            "7d",
            "--clv-months",
            "24",
        ],
    );
    let (ids, cols) = scored(&out);
    assert_eq!(ids, s.ids);
    let (zp, zd) = (
        set(&table, &["Channel", "Gender"], &s.ids),
        set(&table, &["Gender"], &s.ids),
    );
    let alive = bg.prob_alive(&s.x, &s.tx, &s.t, &zp, &zd).unwrap();
    let expected = bg
        .expected_purchases(1.0, &s.x, &s.tx, &s.t, &zp, &zd)
        .unwrap();
    assert_close("bg prob_alive", &cols["prob_alive"], &alive);
    assert_close(
        "bg expected_purchases",
        &cols["expected_purchases"],
        &expected,
    );
    // 24 months: the 12 of clv_by_customer would differ
    let clv24 = clv_by_customer(&bg, &zp, &zd, &s, &spend, 24, ppm);
    assert_close("bg clv", &cols["clv"], &clv24);
}

#[test]
fn score_covariate_errors_are_typed() {
    let (dir, summary, cov) = apparel();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let model_json = path("model.json");
    saved_pareto_nbd(&model_json);
    let score = |model: &str, extra: &[&str]| {
        let a = ["score", model, "--summary", &summary, "--freq", "7d"];
        clv(&[&a[..], extra].concat())
    };
    let with = |file: &str, extra: &[&str]| {
        let a = ["--covariates", file, "--covariate-id-col", "Id"];
        [&a[..], extra]
            .concat()
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    fn strs(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    // the covariate model scores with covariates only
    assert_fails(
        &score(&model_json, &[]),
        &[
            "INVALID_INPUT",
            "invalid covariates",
            "--covariates FILE",
            "[Gender, Channel]",
        ],
    );
    // a plain model takes none
    let plain = path("plain.json");
    let pm = AnyModel::from_values(ModelKind::ParetoNbd, &[1.6, 110.0, 1.9, 50.0]).unwrap();
    std::fs::write(&plain, pm.to_json()).unwrap();
    assert_fails(
        &score(&plain, &strs(&with(&cov, &[]))),
        &["NOT_SUPPORTED", "covariates", "fitted without covariates"],
    );
    assert_fails(
        &score(&plain, &["--purchase-covariates", "Gender"]),
        &["NOT_SUPPORTED", "covariates"],
    );
    // other covariate names than the model's
    assert_fails(
        &score(
            &model_json,
            &strs(&with(&cov, &["--dropout-covariates", "Gender"])),
        ),
        &[
            "INVALID_INPUT",
            "invalid dropout_covariates: Gender",
            "[Channel]",
        ],
    );
    // no intervals (no parameter draws for a covariate model)
    assert_fails(
        &score(&model_json, &strs(&with(&cov, &["--intervals", "0.9"]))),
        &["NOT_SUPPORTED", "intervals"],
    );
    // a customer without a row: the covariates of customers 1..=300 only;
    // the first summary customer without one is named by position and id
    let short = path("short.csv");
    let half = first_300_rows(&cov, &short);
    let s = read_summary(&summary);
    let kept: std::collections::HashSet<&str> = half[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let i = s
        .ids
        .iter()
        .position(|id| !kept.contains(id.as_str()))
        .unwrap();
    assert_fails(
        &score(&model_json, &strs(&with(&short, &[]))),
        &[
            "INVALID_INPUT",
            &format!("invalid purchase_covariates[{i}]: {} ", s.ids[i]),
            "customer id not found",
        ],
    );
    // a non-finite value, named by column and customer
    let text = std::fs::read_to_string(&cov).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let j = lines
        .iter()
        .position(|l| l.starts_with(&format!("{},", s.ids[3])))
        .unwrap();
    lines[j] = format!("{},0.0,NaN", s.ids[3]);
    let nan = path("nan.csv");
    std::fs::write(&nan, lines.join("\n")).unwrap();
    assert_fails(
        &score(&model_json, &strs(&with(&nan, &[]))),
        &[
            "INVALID_INPUT",
            "invalid purchase_covariates.Channel[3]: NaN",
            &format!("customer id {}", s.ids[3]),
        ],
    );
    // a covariate column or the id column the file lacks
    let no_channel: Vec<String> = text
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string())
        .collect();
    let gender_only = path("gender.csv");
    std::fs::write(&gender_only, no_channel.join("\n")).unwrap();
    assert_fails(
        &score(&model_json, &strs(&with(&gender_only, &[]))),
        &["MISSING_COLUMN", "\"Channel\"", "Id, Gender"],
    );
    assert_fails(
        &score(&model_json, &["--covariates", &cov]),
        &["MISSING_COLUMN", "\"customer_id\"", "Id, Gender, Channel"],
    );
    // not a model JSON
    let junk = path("junk.json");
    std::fs::write(&junk, "{\"format_version\": 1}").unwrap();
    assert_fails(&score(&junk, &[]), &["FORMAT_ERROR", "neither a model"]);
}

/// `clv fit gamma-gamma --covariates F --spend-covariates ...`: the core's
/// spend-covariate fit (crates/clv/tests/covariates_spend.rs: LL
/// −1275.9439, Gender 0.0916, Channel 0.0393 on 293 repeat customers),
/// bit for bit the core's own fit on the same rows; --save writes a model
/// the core reads; the typed errors.
#[test]
fn fit_with_spend_covariates_is_the_cores_fit() {
    let (dir, summary, cov) = apparel();
    let saved = dir.path().join("gg.json").display().to_string();
    let spend = ["--spend-covariates", "Gender,Channel"];
    let doc = json(&fit_with(
        "gamma-gamma",
        &summary,
        &cov,
        &[&spend[..], &["--json", "--save", &saved]].concat(),
    ));
    assert_eq!(doc["model"], "gamma-gamma");
    assert_eq!(doc["name"], "Gamma-Gamma with spend covariates");
    assert_eq!(doc["n_observations"], 293.0);
    assert_near(&doc["log_likelihood"], -1275.9439, &doc);
    let e = &doc["covariates"]["spend"];
    assert_near(&e["Gender"], 0.0916, &doc);
    assert_near(&e["Channel"], 0.0393, &doc);
    for k in ["p", "q", "v", "spend_Gender", "spend_Channel"] {
        assert!(doc["std_errors"][k].as_f64().unwrap() > 0.0, "{k}: {doc}");
        assert_eq!(doc["ci_95"][k].as_array().unwrap().len(), 2, "{k}");
    }
    let model = SpendCovariateModel::from_json(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(
        model.fit_info().unwrap().info.log_likelihood,
        doc["log_likelihood"].as_f64().unwrap()
    );
    assert_eq!(model.covariate_names(), ["Gender", "Channel"]);
    // the table
    let text = stdout(&fit_with("gamma-gamma", &summary, &cov, &spend));
    assert!(
        text.starts_with("Gamma-Gamma with spend covariates fitted on 293"),
        "{text}"
    );
    assert!(text.contains("spend_Gender"), "{text}");
    // errors: another model; spend beside purchase covariates; a P,D
    // penalty; a constraint; a column the file lacks
    assert_fails(
        &fit_with("pareto-nbd", &summary, &cov, &spend),
        &["NOT_SUPPORTED", "spend_covariates"],
    );
    // (the last: purchase covariates on Gamma-Gamma, the transaction
    // models' refusal)
    let spend_and = |extra: &[&'static str]| [&spend[..], extra].concat();
    for (args, needles) in [
        (
            spend_and(&["--purchase-covariates", "Gender"]),
            &["INVALID_INPUT", "spend_covariates"][..],
        ),
        (
            spend_and(&["--penalty", "0.1,0.2"]),
            &["INVALID_INPUT", "penalty"],
        ),
        (
            spend_and(&["--constrain-equal", "Gender"]),
            &["INVALID_INPUT", "constrain_equal"],
        ),
        (
            vec!["--spend-covariates", "Age"],
            &["MISSING_COLUMN", "Age"],
        ),
        (
            vec!["--purchase-covariates", "Gender"],
            &["NOT_SUPPORTED", "spend covariates for gamma-gamma"],
        ),
    ] {
        assert_fails(&fit_with("gamma-gamma", &summary, &cov, &args), needles);
    }
}

/// `clv score --spend-model` with a Gamma-Gamma model with spend
/// covariates: each customer's expected spend with their own covariates
/// (from --covariates, joined on the id), the core's, and the CLV from it;
/// beside a plain transaction model and beside a covariate one (one
/// --covariates file for both). Errors: no --covariates; --spend-covariates
/// for a plain spend model; intervals.
#[test]
fn score_with_a_spend_covariate_model() {
    let (dir, summary, cov) = apparel();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let (pnbd_json, gg_json, plain_gg) = (path("pnbd.json"), path("ggz.json"), path("gg.json"));
    let spend = ["--spend-covariates", "Gender,Channel", "--save", &gg_json];
    stdout(&fit_with("gamma-gamma", &summary, &cov, &spend));
    let gg = SpendCovariateModel::from_json(&std::fs::read_to_string(&gg_json).unwrap()).unwrap();
    fit_plain("pareto-nbd", &summary, &pnbd_json);
    fit_plain("gamma-gamma", &summary, &plain_gg);
    let s = read_summary(&summary);
    let table = apparel_covariates(&cov);
    let z = set(&table, &["Gender", "Channel"], &s.ids);
    let want_spend = gg.expected_spend(&s.x, &s.m, &z).unwrap();
    let score = |model: &str, spend_model: &str, extra: &[&str]| {
        let a = [
            "score",
            model,
            "--summary",
            &summary,
            "--freq",
            "7d",
            "--spend-model",
            spend_model,
        ];
        clv(&[&a[..], extra].concat())
    };
    let with_cov = ["--covariates", cov.as_str(), "--covariate-id-col", "Id"];
    // a plain transaction model
    let (ids, cols) = scored(&stdout(&score(&pnbd_json, &gg_json, &with_cov)));
    assert_eq!(ids, s.ids);
    assert_close("expected_spend", &cols["expected_spend"], &want_spend);
    let pnbd = AnyModel::from_json(&std::fs::read_to_string(&pnbd_json).unwrap()).unwrap();
    let ppm = clv::value::periods_per_month("7d").unwrap();
    let want_clv = clv::value::customer_lifetime_value(
        pnbd.transaction("test").unwrap(),
        &want_spend,
        &s.x,
        &s.tx,
        &s.t,
        12,
        0.01,
        ppm,
    )
    .unwrap();
    assert_close("clv", &cols["clv"], &want_clv);
    // the spend covariates differ from the plain model's mean spend
    let plain = AnyModel::from_json(&std::fs::read_to_string(&plain_gg).unwrap()).unwrap();
    let plain_spend = plain
        .spend("test")
        .unwrap()
        .expected_spend(&s.x, &s.m)
        .unwrap();
    assert!(
        want_spend
            .iter()
            .zip(&plain_spend)
            .any(|(a, b)| (a - b).abs() > 1e-3 * b)
    );
    // beside a transaction covariate model: one file for both
    let model_json = path("cov.json");
    let model = saved_pareto_nbd(&model_json);
    let (_, cols) = scored(&stdout(&score(&model_json, &gg_json, &with_cov)));
    assert_close(
        "expected_spend (covariate model)",
        &cols["expected_spend"],
        &want_spend,
    );
    let zd = set(&table, &["Channel"], &s.ids);
    let want = clv_by_customer(&model, &z, &zd, &s, &want_spend, 12, ppm);
    assert_close("clv (covariate model)", &cols["clv"], &want);
    // errors
    assert_fails(
        &score(&pnbd_json, &gg_json, &[]),
        &["INVALID_INPUT", "covariates", "spend covariates"],
    );
    assert_fails(
        &score(
            &pnbd_json,
            &plain_gg,
            &[
                "--covariates",
                &cov,
                "--covariate-id-col",
                "Id",
                "--spend-covariates",
                "Gender",
            ],
        ),
        &["NOT_SUPPORTED", "spend_covariates"],
    );
    assert_fails(
        &score(
            &pnbd_json,
            &gg_json,
            &[&with_cov[..], &["--intervals", "0.9"]].concat(),
        ),
        &["NOT_SUPPORTED", "intervals"],
    );
    assert_fails(
        &score(
            &pnbd_json,
            &gg_json,
            &[&with_cov[..], &["--spend-covariates", "Gender"]].concat(),
        ),
        &["INVALID_INPUT", "spend_covariates", "[Gender, Channel]"],
    );
}
