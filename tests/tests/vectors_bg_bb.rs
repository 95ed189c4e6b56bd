//! BG/BB: shared vectors (`tests/vectors/bg_bb.json`, written by
//! `tests/vectors/gen_lifetimes_refs_models_b.py`) and the published donations
//! fit (Fader, Hardie & Shang 2010, Marketing Science 29(6); DESIGN.md table).
#![allow(clippy::unwrap_used)]

mod common;

use clv::BetaGeoBetaBinom;
#[allow(unused_imports)]
use clv::ModelInfo;
use clv::fit::FitOptions;
use clv::models::TransactionModel;
use serde_json::Value;

fn published(v: &Value) -> BetaGeoBetaBinom {
    let g = |k: &str| v["params"][k].as_f64().unwrap();
    BetaGeoBetaBinom::from_params(g("alpha"), g("beta"), g("gamma"), g("delta")).unwrap()
}

fn run(m: &BetaGeoBetaBinom, case: &Value) -> clv::Result<Vec<f64>> {
    let a = &case["args"];
    match case["fn"].as_str().unwrap() {
        "prob_alive_ahead" => {
            let (x, tx, n) = common::customers(a);
            m.prob_alive_ahead(common::num(a, "m"), &x, &tx, &n)
        }
        "dert" => {
            let (x, tx, n) = common::customers(a);
            m.dert(common::num(a, "discount"), &x, &tx, &n)
        }
        _ => common::run_transaction(m, case),
    }
}

#[test]
fn vectors() {
    let v = common::vector("bg_bb.json");
    let m = published(&v);
    let (cases, errors) = common::check_vectors(&v, |c| run(&m, c));
    assert!(cases >= 30 && errors >= 8, "{cases} {errors}");
}

#[test]
fn donations_published_fit() {
    let v = common::vector("bg_bb.json");
    let fit = &v["fits"][0];
    let cols: Vec<&str> = fit["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .chain([fit["weights"].as_str().unwrap()])
        .collect();
    let c = common::columns(fit["data"].as_str().unwrap(), &cols);
    let (x, tx, n, w) = (&c[0], &c[1], &c[2], &c[3]);
    assert_eq!(w.iter().sum::<f64>(), 11_104.0);
    // FHS (2010): α = 1.204, β = 0.750, γ = 0.657, δ = 2.783, LL = −33,225.6
    let m = BetaGeoBetaBinom::fit(x, tx, n, Some(w), &FitOptions::default()).unwrap();
    let info = m.fit_info().unwrap();
    let tol = fit["atol_params"].as_f64().unwrap();
    for (name, got) in m.params() {
        let want = fit["expected_params"][name].as_f64().unwrap();
        assert!((got - want).abs() <= tol, "{name}: {got} vs {want}");
    }
    let ll = fit["expected_log_likelihood"].as_f64().unwrap();
    assert!(
        (info.log_likelihood - ll).abs() < fit["atol_ll"].as_f64().unwrap(),
        "LL = {}",
        info.log_likelihood
    );
    let per: Vec<f64> = m.log_likelihood(x, tx, n).unwrap();
    let total: f64 = per.iter().zip(w).map(|(l, w)| l * w).sum();
    assert!((total - info.log_likelihood).abs() < 1e-8);
}
