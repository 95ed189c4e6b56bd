//! Pareto/NBD against published values (Fader & Hardie's Pareto/NBD notes,
//! DESIGN.md table) on the CDNOW 2,357-customer calibration summary.
#![allow(clippy::unwrap_used)]

use clv::ParetoNbd;
use clv::fit::FitOptions;
use clv::models::TransactionModel;
use clv_conformance::data_path;

fn cdnow() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let text = std::fs::read_to_string(data_path("cdnow_customers_summary.csv")).unwrap();
    let (mut x, mut tx, mut t) = (vec![], vec![], vec![]);
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<f64> = line.split(',').map(|v| v.trim().parse().unwrap()).collect();
        x.push(f[1]);
        tx.push(f[2]);
        t.push(f[3]);
    }
    (x, tx, t)
}

#[test]
fn cdnow_published_fit() {
    // Published: r = 0.553, α = 10.578, s = 0.606, β = 11.669, LL = −9595.0
    // (Fader & Hardie, Pareto/NBD notes; DESIGN.md).
    let (x, tx, t) = cdnow();
    assert_eq!(x.len(), 2357);
    let m = ParetoNbd::fit(&x, &tx, &t, None, &FitOptions::default()).unwrap();
    let info = m.fit_info().unwrap();
    assert!((m.r() - 0.553).abs() < 5e-4, "r = {}", m.r());
    assert!((m.alpha() - 10.578).abs() < 5e-4, "alpha = {}", m.alpha());
    assert!((m.s() - 0.606).abs() < 5e-4, "s = {}", m.s());
    // β: the likelihood is flat in β (SE ≈ 6.2); our MLE is β = 11.6680 (11.6679
    // with gradient_tolerance 1e-8), one unit of the third decimal below the published
    // 11.669, and it has a *higher* log-likelihood than the published point (asserted
    // below), so the published value is the less converged one.
    assert!((m.beta() - 11.669).abs() < 2e-3, "beta = {}", m.beta());
    assert!(
        (info.log_likelihood - (-9595.0)).abs() < 0.05,
        "LL = {}",
        info.log_likelihood
    );
    // The per-customer log-likelihoods add up to the fitted total.
    let ll: f64 = m.log_likelihood(&x, &tx, &t).unwrap().iter().sum();
    assert!((ll - info.log_likelihood).abs() < 1e-8);
    let published = ParetoNbd::from_params(0.553, 10.578, 0.606, 11.669).unwrap();
    let ll_pub: f64 = published.log_likelihood(&x, &tx, &t).unwrap().iter().sum();
    assert!(
        ll_pub <= info.log_likelihood + 1e-9,
        "{ll_pub} vs {}",
        info.log_likelihood
    );
    eprintln!(
        "LL at published params {ll_pub:.4}, at our MLE {:.4}; SE {:?}",
        info.log_likelihood, info.std_errors
    );
}
