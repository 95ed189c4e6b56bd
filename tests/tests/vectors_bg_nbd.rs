//! BG/NBD: shared vectors (`tests/vectors/bg_nbd.json`) and the published
//! CDNOW fit of Fader, Hardie & Lee (2005).
#![allow(clippy::unwrap_used)]

mod common;

#[allow(unused_imports)]
use clv::ModelInfo;
use clv::fit::FitOptions;
use clv::{BetaGeo, TransactionModel};

fn published() -> BetaGeo {
    let v = common::vector("bg_nbd.json");
    let p = &v["params"];
    let g = |k: &str| p[k].as_f64().unwrap();
    BetaGeo::from_params(g("r"), g("alpha"), g("a"), g("b")).unwrap()
}

#[test]
fn vectors() {
    common::check_transaction_vectors(&published(), &common::vector("bg_nbd.json"));
}

#[test]
fn cdnow_fit_reproduces_fhl_2005() {
    let v = common::vector("bg_nbd.json");
    let fit = &v["fits"][0];
    let c = common::columns(
        fit["data"].as_str().unwrap(),
        &["frequency", "recency", "T"],
    );
    let m = BetaGeo::fit(&c[0], &c[1], &c[2], None, &FitOptions::default()).unwrap();
    let tol = fit["atol_params"].as_f64().unwrap();
    // FHL (2005): r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4
    for (name, got) in m.params() {
        let want = fit["expected_params"][name].as_f64().unwrap();
        assert!((got - want).abs() <= tol, "{name}: {got} vs {want}");
    }
    let info = m.fit_info().unwrap();
    let ll = fit["expected_log_likelihood"].as_f64().unwrap();
    assert!(
        (info.log_likelihood - ll).abs() <= fit["atol_ll"].as_f64().unwrap(),
        "{}",
        info.log_likelihood
    );
    assert!(info.converged && info.std_errors.iter().all(|s| s.is_finite() && *s > 0.0));
    // the per-customer LL sums to the fitted total
    let total: f64 = m.log_likelihood(&c[0], &c[1], &c[2]).unwrap().iter().sum();
    assert!((total - info.log_likelihood).abs() < 1e-6);
    // weights: the same data compressed to unique rows gives the same fit
    let mut rows: Vec<(u64, u64, u64)> = (0..c[0].len())
        .map(|i| (c[0][i].to_bits(), c[1][i].to_bits(), c[2][i].to_bits()))
        .collect();
    rows.sort_unstable();
    let mut uniq: Vec<((u64, u64, u64), f64)> = Vec::new();
    for r in rows {
        match uniq.last_mut() {
            Some((u, w)) if *u == r => *w += 1.0,
            _ => uniq.push((r, 1.0)),
        }
    }
    let f = |k: usize| -> Vec<f64> {
        uniq.iter()
            .map(|(r, _)| f64::from_bits([r.0, r.1, r.2][k]))
            .collect()
    };
    let w: Vec<f64> = uniq.iter().map(|(_, w)| *w).collect();
    let mw = BetaGeo::fit(&f(0), &f(1), &f(2), Some(&w), &FitOptions::default()).unwrap();
    for ((_, a), (_, b)) in m.params().iter().zip(mw.params()) {
        assert!((a - b).abs() < 1e-5 * a, "{a} {b}");
    }
}
