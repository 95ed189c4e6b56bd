//! Simulation tests: data generated from BG/NBD, MBG/NBD, Pareto/NBD,
//! BG/BB, Gamma-Gamma and sBG with known parameters by the core's seeded
//! simulation (`clv::simulate`, the same draws in every runtime) are
//! recovered by the fit within 3 standard errors.
#![allow(clippy::unwrap_used)]

use clv::fit::FitOptions;
use clv::simulate::{simulate, simulate_spend, simulate_survivors};
use clv::{AnyModel, ModelInfo, ModelKind};

/// Customers observed for ages spread over 20..52 units.
fn ages(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 20.0 + 32.0 * (i as f64 / n as f64))
        .collect()
}

/// Simulates `n` customers of `kind` with parameters `truth` and fits the
/// model back to them.
fn fit_simulated(kind: ModelKind, truth: &[f64], t: &[f64], seed: u64) -> AnyModel {
    let m = AnyModel::from_values(kind, truth).unwrap();
    let s = simulate(&m, t, seed).unwrap();
    AnyModel::fit(
        kind,
        &[&s.frequency, &s.recency, &s.t],
        None,
        &FitOptions::default(),
    )
    .unwrap()
}

fn assert_recovered(name: &str, truth: &[f64], got: &[(&str, f64)], se: &[f64]) {
    for ((k, (pn, est)), s) in truth.iter().zip(got).zip(se) {
        assert!(
            (est - k).abs() < 3.0 * s,
            "{name} {pn}: estimate {est} vs true {k} (SE {s})"
        );
    }
}

#[test]
fn bg_nbd_recovers_parameters() {
    let truth = [0.5, 6.0, 0.8, 2.5];
    let m = fit_simulated(ModelKind::BgNbd, &truth, &ages(6000), 0x9E37_79B9_7F4A_7C15);
    assert_recovered(
        "BG/NBD",
        &truth,
        &m.params(),
        &m.fit_info().unwrap().std_errors,
    );
}

#[test]
fn mbg_nbd_recovers_parameters() {
    let truth = [0.5, 6.0, 0.8, 2.5];
    let m = fit_simulated(
        ModelKind::MbgNbd,
        &truth,
        &ages(6000),
        0x0123_4567_89AB_CDEF,
    );
    assert_recovered(
        "MBG/NBD",
        &truth,
        &m.params(),
        &m.fit_info().unwrap().std_errors,
    );
}

#[test]
fn pareto_nbd_recovers_parameters() {
    let truth = [0.55, 10.0, 0.6, 12.0];
    let m = fit_simulated(ModelKind::ParetoNbd, &truth, &ages(6000), 7);
    assert_recovered(
        "Pareto/NBD",
        &truth,
        &m.params(),
        &m.fit_info().unwrap().std_errors,
    );
}

#[test]
fn bg_bb_recovers_parameters() {
    // Fader, Hardie & Shang (2010)'s estimates, 6 opportunities
    let truth = [1.204, 0.750, 0.657, 2.783];
    let m = fit_simulated(ModelKind::BgBb, &truth, &[6.0; 8000], 11);
    assert_recovered(
        "BG/BB",
        &truth,
        &m.params(),
        &m.fit_info().unwrap().std_errors,
    );
}

#[test]
fn gamma_gamma_recovers_parameters() {
    // ν ~ Gamma(q, rate v); each transaction ~ Gamma(p, rate ν); z̄ = mean of x transactions.
    let truth = [6.0, 4.0, 15.0];
    let x: Vec<f64> = (0..3000).map(|i| (1 + i % 6) as f64).collect();
    let m = AnyModel::from_values(ModelKind::GammaGamma, &truth).unwrap();
    let s = simulate_spend(&m, &x, 42).unwrap();
    let g = AnyModel::fit(
        ModelKind::GammaGamma,
        &[&s.frequency, &s.monetary_value],
        None,
        &FitOptions::default(),
    )
    .unwrap();
    assert_recovered(
        "Gamma-Gamma",
        &truth,
        &g.params(),
        &g.fit_info().unwrap().std_errors,
    );
}

#[test]
fn sbg_recovers_parameters() {
    // Fader & Hardie (2007)'s "regular" cohort, 5000 customers over 8 years
    let truth = [0.704, 1.182];
    let m = AnyModel::from_values(ModelKind::Sbg, &truth).unwrap();
    let survivors = simulate_survivors(&m, 5000, 8, 2007).unwrap();
    let f = AnyModel::fit(ModelKind::Sbg, &[&survivors], None, &FitOptions::default()).unwrap();
    assert_recovered(
        "sBG",
        &truth,
        &f.params(),
        &f.fit_info().unwrap().std_errors,
    );
}
