//! `clv fit sbg --summary ... --dropout-covariates ...` and `clv score` of
//! the sBG with static covariates (`clv::covariates::retention`, issue 15)
//! on Fader & Hardie (2007)'s "regular" cohort as 1000 contract customers.
#![allow(clippy::unwrap_used)]

mod common;

use clv::covariates::Covariates;
use clv::covariates::retention::{RetentionCovariateModel, RetentionCovariateOptions, fit};
use common::{assert_close, assert_fails, clv, json, scored, stdout};

/// FH (2007) "regular" segment, customers active at the start of years 1-8.
const REGULAR: [f64; 8] = [1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0];

/// The cohort as 1000 customers (`s[t−1] − s[t]` churned in period t, 241
/// still active after 7), with two covariates: `Premium` (0/1) and `Tenure`
/// (continuous), spread over the customers by a fixed pattern.
struct Customers {
    ids: Vec<String>,
    periods: Vec<f64>,
    churned: Vec<bool>,
    premium: Vec<f64>,
    tenure: Vec<f64>,
}

fn customers() -> Customers {
    let (mut periods, mut churned) = (vec![], vec![]);
    for t in 1..REGULAR.len() {
        for _ in 0..(REGULAR[t - 1] - REGULAR[t]) as usize {
            periods.push(t as f64);
            churned.push(true);
        }
    }
    for _ in 0..241 {
        periods.push(7.0);
        churned.push(false);
    }
    let n = periods.len();
    Customers {
        ids: (0..n).map(|i| format!("c{i}")).collect(),
        premium: (0..n)
            .map(|i| f64::from(u8::from(i * 7 % 10 < 4)))
            .collect(),
        tenure: (0..n)
            .map(|i| ((i * 37) % 101) as f64 / 101.0 - 0.5)
            .collect(),
        periods,
        churned,
    }
}

/// Writes the customer file (`churned` as 1/0 and true/false alike) and the
/// covariate file (ids in `Id`, rows in reverse order: joined on the id).
fn write_files(dir: &tempfile::TempDir, c: &Customers) -> (String, String) {
    let mut s = String::from("customer_id,periods,churned\n");
    for i in 0..c.ids.len() {
        let flag = match (c.churned[i], i % 2 == 0) {
            (true, true) => "1",
            (true, false) => "true",
            (false, true) => "0",
            (false, false) => "False",
        };
        s.push_str(&format!("{},{},{flag}\n", c.ids[i], c.periods[i]));
    }
    let mut z = String::from("Id,Premium,Tenure\n");
    for i in (0..c.ids.len()).rev() {
        z.push_str(&format!("{},{},{}\n", c.ids[i], c.premium[i], c.tenure[i]));
    }
    let (p, q) = (dir.path().join("customers.csv"), dir.path().join("cov.csv"));
    std::fs::write(&p, s).unwrap();
    std::fs::write(&q, z).unwrap();
    (p.display().to_string(), q.display().to_string())
}

fn fit_sbg(customers: &str, extra: &[&str]) -> std::process::Output {
    let mut a = vec!["fit", "sbg", "--summary", customers];
    a.extend(extra);
    clv(&a)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
}

/// The covariate-free fit of the 1000 customers is the cohort fit
/// (α 0.704, β 1.182, LL −1680.27; FH 2007) and exactly the core's.
#[test]
fn fit_without_covariates_is_the_cohort_fit() {
    let dir = tempfile::tempdir().unwrap();
    let c = customers();
    let (path, _) = write_files(&dir, &c);
    let doc = json(&fit_sbg(&path, &["--json"]));
    assert_eq!(doc["model"], "sbg");
    assert_eq!(doc["name"], "sBG with covariates");
    let core = fit(
        &c.periods,
        &c.churned,
        &Covariates::none(1000),
        None,
        &RetentionCovariateOptions::default(),
    )
    .unwrap();
    let [a, b] = core.base();
    let (ga, gb) = (
        doc["params"]["alpha"].as_f64().unwrap(),
        doc["params"]["beta"].as_f64().unwrap(),
    );
    assert!(close(ga, a) && close(gb, b), "{doc}");
    assert!(
        (ga - 0.704077).abs() < 5e-5 && (gb - 1.182043).abs() < 5e-5,
        "{doc}"
    );
    let ll = doc["log_likelihood"].as_f64().unwrap();
    assert!(close(ll, core.fit_info().unwrap().info.log_likelihood));
    assert!((ll - (-1680.27)).abs() < 5e-3, "{ll}");
    assert_eq!(doc["n_observations"], 1000.0);
    assert!(doc["covariates"]["alpha"].as_object().unwrap().is_empty());
}

/// `clv fit sbg --summary C --covariates COV --dropout-covariates A,B`: the
/// core's fit on the same customers and covariates to 1e-12 (parameters,
/// effects, log-likelihood, standard errors); `--retention-covariates` is
/// the same option; --save writes the core's JSON; the table names the
/// effects; `clv score` gives each customer's own parameters, survival and
/// DERT as the core computes them.
#[test]
fn fit_with_covariates_is_the_cores_fit_and_scores() {
    let dir = tempfile::tempdir().unwrap();
    let c = customers();
    let (path, cov) = write_files(&dir, &c);
    let saved = dir.path().join("sbg.json").display().to_string();
    let args = ["--covariates", &cov, "--covariate-id-col", "Id"];
    let doc = json(&fit_sbg(
        &path,
        &[
            &args[..],
            &[
                "--dropout-covariates",
                "Premium,Tenure",
                "--penalty",
                "0.001",
                "--json",
                "--save",
                &saved,
            ],
        ]
        .concat(),
    ));
    let z = Covariates::new(
        &["Premium", "Tenure"],
        &(0..1000)
            .map(|i| vec![c.premium[i], c.tenure[i]])
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let opts = RetentionCovariateOptions {
        penalty: 0.001,
        ..RetentionCovariateOptions::default()
    };
    let core = fit(&c.periods, &c.churned, &z, None, &opts).unwrap();
    let [a, b] = core.base();
    assert!(close(doc["params"]["alpha"].as_f64().unwrap(), a), "{doc}");
    assert!(close(doc["params"]["beta"].as_f64().unwrap(), b), "{doc}");
    for (side, effects) in [
        ("alpha", core.alpha_effects()),
        ("beta", core.beta_effects()),
    ] {
        for (name, v) in effects {
            let got = doc["covariates"][side][&name].as_f64().unwrap();
            assert!(close(got, v), "{side} {name}: {got} vs {v}");
        }
    }
    let info = &core.fit_info().unwrap();
    assert!(close(
        doc["log_likelihood"].as_f64().unwrap(),
        info.info.log_likelihood
    ));
    assert!(close(
        doc["penalized_log_likelihood"].as_f64().unwrap(),
        info.penalized_log_likelihood
    ));
    for (k, se) in core.std_errors().unwrap() {
        assert!(se > 0.0 && se.is_finite(), "{k}");
        assert!(close(doc["std_errors"][&k].as_f64().unwrap(), se), "{k}");
        assert_eq!(doc["ci_95"][&k].as_array().unwrap().len(), 2, "{k}");
    }
    let m = RetentionCovariateModel::from_json(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(m, core);
    // the alias, and the table
    let text = stdout(&fit_sbg(
        &path,
        &[
            &args[..],
            &[
                "--retention-covariates",
                "Premium,Tenure",
                "--penalty",
                "0.001",
            ],
        ]
        .concat(),
    ));
    assert!(
        text.starts_with("sBG with covariates fitted on 1000 observations"),
        "{text}"
    );
    for label in ["alpha_Premium", "beta_Tenure"] {
        assert!(text.contains(label), "{text}");
    }
    // scores: customers and covariates in the same file, in another order
    let mut s = String::from("customer_id,periods,churned,Premium,Tenure\n");
    let rows = [3usize, 999, 500, 760];
    for &i in &rows {
        s.push_str(&format!(
            "{},{},{},{},{}\n",
            c.ids[i],
            c.periods[i],
            u8::from(c.churned[i]),
            c.premium[i],
            c.tenure[i]
        ));
    }
    let file = dir.path().join("score.csv");
    std::fs::write(&file, s).unwrap();
    let file = file.display().to_string();
    let out = stdout(&clv(&[
        "score",
        &saved,
        "--summary",
        &file,
        "--horizon",
        "2",
        "--discount-rate",
        "0.1",
    ]));
    let (ids, cols) = scored(&out);
    let want_ids: Vec<String> = rows.iter().map(|&i| c.ids[i].clone()).collect();
    assert_eq!(ids, want_ids);
    let zs = Covariates::new(
        &["Premium", "Tenure"],
        &rows
            .iter()
            .map(|&i| vec![c.premium[i], c.tenure[i]])
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let own = core.customer_params(&zs).unwrap();
    let models = core.customer_models(&zs).unwrap();
    let t: Vec<f64> = rows.iter().map(|&i| c.periods[i]).collect();
    let dert = core.dert(0.1, &t, &zs).unwrap();
    let mut survival = vec![];
    let mut dert_want = vec![];
    for (k, &i) in rows.iter().enumerate() {
        let (m, tk) = (&models[k], t[k]);
        let stay = m.survival(tk + 2.0).unwrap() / m.survival(tk).unwrap();
        survival.push(if c.churned[i] { 0.0 } else { stay });
        dert_want.push(if c.churned[i] { 0.0 } else { dert[k] });
    }
    assert!(c.churned[3] && !c.churned[999]);
    assert!(survival[1] > 0.0 && dert_want[1] > 1.0);
    assert_close(
        "alpha",
        &cols["alpha"],
        &own.iter().map(|p| p[0]).collect::<Vec<_>>(),
    );
    assert_close(
        "beta",
        &cols["beta"],
        &own.iter().map(|p| p[1]).collect::<Vec<_>>(),
    );
    assert_close("survival", &cols["survival"], &survival);
    assert_close("dert", &cols["dert"], &dert_want);
    // without --discount-rate, no dert column
    let out = stdout(&clv(&["score", &saved, "--summary", &file]));
    assert!(
        out.starts_with("customer_id,alpha,beta,survival\n"),
        "{out}"
    );
    // score errors: other covariates, intervals
    assert_fails(
        &clv(&[
            "score",
            &saved,
            "--summary",
            &file,
            "--dropout-covariates",
            "Premium",
        ]),
        &["INVALID_INPUT", "dropout_covariates", "Premium, Tenure"],
    );
    assert_fails(
        &clv(&["score", &saved, "--summary", &file, "--intervals", "0.9"]),
        &["NOT_SUPPORTED", "intervals"],
    );
}

/// Bad input: the exit code 2 and a message naming the column, the row,
/// the value and the customer.
#[test]
fn bad_input_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let cov = file("cov.csv", "Id,Premium\na,1\nb,0\nc,1\n");
    let with_cov = ["--covariates", &cov, "--covariate-id-col", "Id"];
    let premium = ["--dropout-covariates", "Premium"];
    let extra = [&with_cov[..], &premium[..]].concat();
    // (file, its text, options beside `extra`, what the error says)
    for (name, text, more, needles) in [
        // a period count that is not a whole number >= 1
        (
            "fractional.csv",
            "customer_id,periods,churned\na,1,1\nb,2.5,0\nc,3,1\n",
            &[][..],
            &["INVALID_INPUT", "invalid periods[1]: 2.5", "customer id b"][..],
        ),
        (
            "zero.csv",
            "customer_id,periods,churned\na,1,1\nb,2,0\nc,0,1\n",
            &[],
            &["INVALID_INPUT", "invalid periods[2]: 0", "customer id c"],
        ),
        // not a number: the column, the line and the text
        (
            "text.csv",
            "customer_id,periods,churned\na,1,1\nb,two,0\nc,3,1\n",
            &[],
            &["PARSE_ERROR", "periods on line 3", "\"two\""],
        ),
        // churned not 0/1/true/false, in a renamed column
        (
            "flags.csv",
            "customer_id,periods,status\na,1,1\nb,2,yes\nc,3,0\n",
            &["--churned-col", "status"],
            &[
                "INVALID_INPUT",
                "invalid status[1]: \"yes\"",
                "0 or false",
                "customer id b",
            ],
        ),
        // no churned column at all
        (
            "flags.csv",
            "customer_id,periods,status\na,1,1\nb,2,yes\nc,3,0\n",
            &[],
            &["MISSING_COLUMN", "churned", "customer_id, periods, status"],
        ),
    ] {
        let p = file(name, text);
        assert_fails(&fit_sbg(&p, &[&extra[..], more].concat()), needles);
    }
    // a customer without covariates
    let p = file(
        "ok.csv",
        "customer_id,periods,churned\na,1,1\nb,2,0\nd,3,1\n",
    );
    assert_fails(
        &fit_sbg(&p, &extra),
        &["INVALID_INPUT", "dropout_covariates", "d"],
    );
    // a covariate the file lacks
    assert_fails(
        &fit_sbg(
            &p,
            &[&with_cov[..], &["--dropout-covariates", "Age"]].concat(),
        ),
        &["MISSING_COLUMN", "Age"],
    );
    // other options that do not apply
    let ok = file(
        "good.csv",
        "customer_id,periods,churned\na,1,1\nb,2,0\nc,3,1\n",
    );
    for (args, needles) in [
        (
            vec!["--purchase-covariates", "Premium"],
            vec!["INVALID_INPUT", "purchase_covariates"],
        ),
        (
            vec!["--spend-covariates", "Premium"],
            vec!["INVALID_INPUT", "spend_covariates"],
        ),
        (
            vec!["--penalty", "0.1,0.2"],
            vec!["INVALID_INPUT", "penalty", "0.1,0.2"],
        ),
        (
            vec!["--survivors", "10,5,2"],
            vec!["INVALID_INPUT", "survivors"],
        ),
    ] {
        assert_fails(&fit_sbg(&ok, &[&extra[..], &args[..]].concat()), &needles);
    }
    // covariates without the per-customer file
    assert_fails(
        &clv(&[&["fit", "sbg"][..], &extra[..]].concat()),
        &["INVALID_INPUT", "summary", "--customers"],
    );
    // the survivor counts still fit the plain sBG
    let doc = json(&clv(&[
        "fit",
        "sbg",
        "--survivors",
        "1000,631,468,382,326,289,262,241",
        "--json",
    ]));
    assert_eq!(doc["name"], "sBG");
}
