//! BG/BB against the published donations fit (Fader, Hardie & Shang 2010,
//! Marketing Science 29(6); DESIGN.md table).
#![allow(clippy::unwrap_used)]

use clv::BetaGeoBetaBinom;
use clv::fit::FitOptions;
use clv::models::TransactionModel;
use clv_conformance::data_path;

#[test]
fn donations_published_fit() {
    let text = std::fs::read_to_string(data_path("donations.csv")).unwrap();
    let (mut x, mut tx, mut n, mut w) = (vec![], vec![], vec![], vec![]);
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<f64> = line.split(',').map(|v| v.trim().parse().unwrap()).collect();
        x.push(f[0]);
        tx.push(f[1]);
        n.push(f[2]);
        w.push(f[3]);
    }
    assert_eq!(w.iter().sum::<f64>(), 11_104.0);
    // FHS (2010): α = 1.204, β = 0.750, γ = 0.657, δ = 2.783, LL = −33,225.6
    let m = BetaGeoBetaBinom::fit(&x, &tx, &n, Some(&w), &FitOptions::default()).unwrap();
    let info = m.fit_info().unwrap();
    assert!((m.alpha() - 1.204).abs() < 5e-4, "alpha = {}", m.alpha());
    assert!((m.beta() - 0.750).abs() < 5e-4, "beta = {}", m.beta());
    assert!((m.gamma() - 0.657).abs() < 5e-4, "gamma = {}", m.gamma());
    assert!((m.delta() - 2.783).abs() < 5e-4, "delta = {}", m.delta());
    assert!(
        (info.log_likelihood - (-33_225.6)).abs() < 0.05,
        "LL = {}",
        info.log_likelihood
    );
    let per: Vec<f64> = m.log_likelihood(&x, &tx, &n).unwrap();
    let ll: f64 = per.iter().zip(&w).map(|(l, w)| l * w).sum();
    assert!((ll - info.log_likelihood).abs() < 1e-8);
}
