//! sBG: shared vectors (`tests/vectors/sbg.json`, written by
//! `tests/vectors/gen_lifetimes_refs_models_b.py`): Fader & Hardie (2007), "How
//! to Project Customer Retention" (DESIGN.md table) fits, the years 8-12
//! holdout, survival/retention/DERT values.
#![allow(clippy::unwrap_used)]

mod common;

#[allow(unused_imports)]
use clv::ModelInfo;
use clv::ShiftedBetaGeo;
use clv::fit::FitOptions;
use serde_json::Value;

fn model(v: &Value, set: &str) -> ShiftedBetaGeo {
    let p = &v["params_sets"][set];
    ShiftedBetaGeo::from_params(p["alpha"].as_f64().unwrap(), p["beta"].as_f64().unwrap()).unwrap()
}

fn run(v: &Value, case: &Value) -> clv::Result<Vec<f64>> {
    let m = model(v, case["params"].as_str().unwrap_or("regular"));
    let a = &case["args"];
    let n = |k: &str| common::num(a, k);
    Ok(vec![match case["fn"].as_str().unwrap() {
        "survival" => m.survival(n("t"))?,
        "retention" => m.retention(n("t"))?,
        "dert" => m.dert(n("discount"), n("renewals"))?,
        "discounted_expected_lifetime" => m.discounted_expected_lifetime(n("discount"))?,
        "log_likelihood" => m.log_likelihood(&common::arr(a, "survivors"))?,
        "fit" => {
            let f = ShiftedBetaGeo::fit(&common::arr(a, "survivors"), &FitOptions::default())?;
            f.alpha()
        }
        other => panic!("unknown fn {other}"),
    }])
}

#[test]
fn vectors() {
    let v = common::vector("sbg.json");
    let (cases, errors) = common::check_vectors(&v, |c| run(&v, c));
    // includes the 10 holdout years (regular and high end)
    assert!(cases >= 40 && errors >= 8, "{cases} {errors}");
}

#[test]
fn published_fits() {
    let v = common::vector("sbg.json");
    // FH (2007): regular α = 0.704, β = 1.182, LL = −1680.27;
    // high end α = 0.668, β = 3.806, LL = −1611.16.
    for fit in v["fits"].as_array().unwrap() {
        let m =
            ShiftedBetaGeo::fit(&common::arr(fit, "survivors"), &FitOptions::default()).unwrap();
        let tol = fit["atol_params"].as_f64().unwrap();
        for (name, got) in m.params() {
            let want = fit["expected_params"][name].as_f64().unwrap();
            assert!((got - want).abs() <= tol, "{name}: {got} vs {want}");
        }
        let ll = fit["expected_log_likelihood"].as_f64().unwrap();
        let got = m.fit_info().unwrap().log_likelihood;
        assert!(
            (got - ll).abs() <= fit["atol_ll"].as_f64().unwrap(),
            "{got}"
        );
    }
}
