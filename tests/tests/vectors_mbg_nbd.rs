//! MBG/NBD: shared vectors (`tests/vectors/mbg_nbd.json`, lifetimes 0.11.3
//! ModifiedBetaGeoFitter values) and the CDNOW fit against lifetimes' fit
//! (no widely published CDNOW estimate exists).
#![allow(clippy::unwrap_used)]

mod common;

#[allow(unused_imports)]
use clv::ModelInfo;
use clv::ModifiedBetaGeo;
use clv::fit::FitOptions;

#[test]
fn vectors() {
    let v = common::vector("mbg_nbd.json");
    let p = &v["params"];
    let g = |k: &str| p[k].as_f64().unwrap();
    let m = ModifiedBetaGeo::from_params(g("r"), g("alpha"), g("a"), g("b")).unwrap();
    common::check_transaction_vectors(&m, &v);
}

#[test]
fn cdnow_fit_matches_lifetimes() {
    let v = common::vector("mbg_nbd.json");
    let fit = &v["fits"][0];
    let c = common::columns(
        fit["data"].as_str().unwrap(),
        &["frequency", "recency", "T"],
    );
    let m = ModifiedBetaGeo::fit(&c[0], &c[1], &c[2], None, &FitOptions::default()).unwrap();
    let tol = fit["atol_params"].as_f64().unwrap();
    for (name, got) in m.params() {
        let want = fit["expected_params"][name].as_f64().unwrap();
        assert!((got - want).abs() <= tol, "{name}: {got} vs {want}");
    }
    let ll = fit["expected_log_likelihood"].as_f64().unwrap();
    let got = m.fit_info().unwrap().log_likelihood;
    // our optimum is at least as good as lifetimes' (within its tolerance)
    assert!(
        got >= ll - fit["atol_ll"].as_f64().unwrap(),
        "{got} vs {ll}"
    );
}
