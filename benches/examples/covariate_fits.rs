//! Timing of covariate fits (issue 15, docs/performance.md):
//!
//! 1. static-covariate Pareto/NBD, BG/NBD and MBG/NBD fits on 100,000
//!    simulated customers with 5 covariates on both processes, GGom/NBD on
//!    the first 10,000 of them, and a Gamma-Gamma fit with 5 spend
//!    covariates on 100,000 simulated repeat customers;
//! 2. the time-varying-covariate Pareto/NBD fit on CLVTools' apparel data
//!    (High.Season, Gender, Channel on both processes; weekly, split 40
//!    weeks after 2005-01-02).
//!
//! ```sh
//! cargo run --release -p clv-benches --example covariate_fits [-- CUSTOMERS]
//! ```
//! Each fit runs three times; the wall times of all three are printed.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::time::Instant;

use clv::covariates::dynamic::{self, CovariateTable, DynamicData};
use clv::covariates::spend::{self, SpendCovariateOptions};
use clv::covariates::{CovariateOptions, Covariates, fit};
use clv::models::ModelKind;
use clv::simulate::Rng;
use clv::summary::SummaryOptions;
use clv::time::{TimeUnit, parse_timestamp};

/// Pareto/NBD customers with per-customer α_i = α₀e^{−γ_pᵀz}, β_i =
/// β₀e^{−γ_dᵀz}: T uniform on [20, 52] weeks, lifetime Exp(μ), purchases a
/// Poisson process of rate λ while alive (x ~ Poisson(λ·min(τ, T)), t_x the
/// largest of x uniform times).
fn simulate(n: usize, seed: u64) -> ([Vec<f64>; 3], Covariates) {
    let mut rng = Rng::new(seed);
    let (r, alpha, s, beta) = (0.8, 8.0, 0.7, 12.0);
    let gp = [0.3, -0.2, 0.4, 0.1, -0.3];
    let gd = [0.2, 0.3, -0.2, 0.0, 0.1];
    let (mut x, mut tx, mut t) = (Vec::new(), Vec::new(), Vec::new());
    let mut rows = Vec::with_capacity(n);
    for _ in 0..n {
        let z: Vec<f64> = (0..5)
            .map(|k| {
                if k < 2 {
                    f64::from(u8::from(rng.uniform() < 0.4))
                } else {
                    0.5 * rng.normal()
                }
            })
            .collect();
        let dot = |g: &[f64; 5]| g.iter().zip(&z).map(|(a, b)| a * b).sum::<f64>();
        let lambda = rng.gamma(r) / (alpha * (-dot(&gp)).exp());
        let mu = rng.gamma(s) / (beta * (-dot(&gd)).exp());
        let big_t = 20.0 + 32.0 * rng.uniform();
        let alive = (rng.exponential(1.0) / mu).min(big_t);
        // purchase times by exponential gaps while alive
        let (mut k, mut last, mut now) = (0.0, 0.0, 0.0);
        loop {
            now += rng.exponential(1.0) / lambda;
            if now > alive {
                break;
            }
            k += 1.0;
            last = now;
        }
        x.push(k);
        tx.push(last);
        t.push(big_t);
        rows.push(z);
    }
    let names = ["z1", "z2", "z3", "z4", "z5"];
    ([x, tx, t], Covariates::new(&names, &rows).unwrap())
}

fn apparel() -> DynamicData {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../crates/clv/tests/data/");
    let text = std::fs::read_to_string(format!("{dir}apparel_transactions.csv")).unwrap();
    let (ids, ts): (Vec<String>, Vec<i64>) = text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), parse_timestamp(f[1], None).unwrap())
        })
        .unzip();
    let text = std::fs::read_to_string(format!("{dir}apparel_dynamic_covariates.csv")).unwrap();
    let (mut cid, mut cst, mut cols) = (Vec::new(), Vec::new(), vec![Vec::new(); 3]);
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        cid.push(f[0].to_string());
        cst.push(parse_timestamp(f[1], None).unwrap());
        for (c, v) in cols.iter_mut().zip(&f[2..]) {
            c.push(v.parse::<f64>().unwrap());
        }
    }
    let names = ["High.Season", "Gender", "Channel"];
    let columns: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let table = CovariateTable::new(&names, &cid, &cst, &columns).unwrap();
    let options = SummaryOptions {
        unit: TimeUnit::parse("7d").unwrap(),
        calibration_end: Some(parse_timestamp("2005-10-09", None).unwrap()),
        observation_end: Some(parse_timestamp("2010-12-20", None).unwrap()),
        ..SummaryOptions::default()
    };
    DynamicData::new(&ids, &ts, &table, &names, &names, &options).unwrap()
}

/// Gamma-Gamma spend of repeat customers with a per-customer scale
/// `v_i = v₀e^{γᵀz}` (`clv::covariates::spend`): x ~ 1 + Poisson-like
/// counts, ν_i ~ Gamma(q, rate v_i), the mean of x transactions ~
/// Gamma(p·x, rate ν_i·x).
fn simulate_spend(n: usize, seed: u64) -> ([Vec<f64>; 2], Covariates) {
    let mut rng = Rng::new(seed);
    let (p, q, v) = (6.0, 3.8, 15.0);
    let g = [0.3, -0.2, 0.4, 0.1, -0.3];
    let (mut x, mut m, mut rows) = (Vec::new(), Vec::new(), Vec::with_capacity(n));
    for _ in 0..n {
        let z: Vec<f64> = (0..5)
            .map(|k| {
                if k < 2 {
                    f64::from(u8::from(rng.uniform() < 0.4))
                } else {
                    0.5 * rng.normal()
                }
            })
            .collect();
        let eta: f64 = g.iter().zip(&z).map(|(a, b)| a * b).sum();
        let k = 1.0 + (rng.exponential(1.0) * 3.0).floor();
        let nu = rng.gamma(q) / (v * eta.exp());
        x.push(k);
        m.push(rng.gamma(p * k) / (nu * k));
        rows.push(z);
    }
    let names = ["z1", "z2", "z3", "z4", "z5"];
    ([x, m], Covariates::new(&names, &rows).unwrap())
}

/// Runs `f` three times and prints its wall times with `label`.
fn time3<T>(label: &str, mut f: impl FnMut() -> (T, String)) {
    let mut times = Vec::new();
    let mut last = String::new();
    for _ in 0..3 {
        let start = Instant::now();
        let (_, what) = f();
        times.push(format!("{:.2}", start.elapsed().as_secs_f64()));
        last = what;
    }
    println!("{label}: {} s; {last}", times.join(" / "));
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(100_000, |a| a.parse().unwrap());
    let ([x, tx, t], z) = simulate(n, 2026);
    let opts = CovariateOptions::default();
    // GGom/NBD's likelihood has a numerical integral per customer: a tenth
    for (kind, rows) in [
        (ModelKind::ParetoNbd, n),
        (ModelKind::BgNbd, n),
        (ModelKind::MbgNbd, n),
        (ModelKind::GgomNbd, n / 10),
    ] {
        let zk = Covariates::new(
            z.names(),
            &(0..rows).map(|i| z.row(i).to_vec()).collect::<Vec<_>>(),
        )
        .unwrap();
        time3(
            &format!("static {kind:?}, {rows} customers, 5+5 effects"),
            || {
                let m = fit(
                    kind,
                    &x[..rows],
                    &tx[..rows],
                    &t[..rows],
                    &zk,
                    &zk,
                    None,
                    &opts,
                )
                .unwrap();
                let info = &m.fit_info().unwrap().info;
                let what = format!(
                    "LL {:.3}, {} iterations, base {:?}, purchase {:?}, dropout {:?}",
                    info.log_likelihood,
                    info.iterations,
                    m.base(),
                    m.purchase_effects(),
                    m.dropout_effects()
                );
                (m, what)
            },
        );
    }
    let ([sx, sm], sz) = simulate_spend(n, 2027);
    time3(
        &format!("spend (Gamma-Gamma), {n} customers, 5 effects"),
        || {
            let m = spend::fit(&sx, &sm, &sz, None, &SpendCovariateOptions::default()).unwrap();
            let info = &m.fit_info().unwrap().info;
            let what = format!(
                "LL {:.3}, {} iterations, base {:?}, effects {:?}",
                info.log_likelihood,
                info.iterations,
                m.base(),
                m.effects()
            );
            (m, what)
        },
    );
    time3("dynamic apparel (600 customers, 3+3 effects)", || {
        let data = apparel();
        let m = dynamic::fit(&data, None, &opts).unwrap();
        let info = &m.fit_info().unwrap().info;
        let what = format!(
            "LL {:.6}, {} iterations",
            info.log_likelihood, info.iterations
        );
        (m, what)
    });
}
