//! Time of a bootstrap of BG/NBD refits (issue 14; docs/performance.md,
//! "Uncertainty and Bayesian fits"):
//!
//! ```sh
//! cargo run --release -p clv-benches --example bootstrap_refits -- 100000 200
//! ```
//!
//! `N REFITS` (defaults 100,000 and 200): N customers simulated from BG/NBD
//! ([`clv_benches::simulated_bg_nbd`], whole days, so rows repeat), one
//! maximum-likelihood fit, then [`Draws::bootstrap`] with REFITS refits
//! (each resamples the N customers as counts of the distinct rows and
//! refits on the rows drawn). Prints the distinct (x, t_x, T) rows, the
//! wall times (`Instant`), refits per second and the bootstrap sd of each
//! parameter beside the fit's standard error; the load averages before
//! and after.

use std::time::Instant;

use clv::fit::FitOptions;
use clv::uncertainty::{Data, Draws};
use clv::{AnyModel, ModelInfo, ModelKind};
use clv_benches::{load_average, positional, simulated_bg_nbd};

fn main() {
    let n: usize = positional(0, 100_000, "N, a number of customers");
    let refits: usize = positional(1, 200, "REFITS, a number of refits");
    println!("load average before: {}", load_average());
    let c = simulated_bg_nbd(n, 7);
    let mut rows: Vec<[u64; 3]> = (0..n)
        .map(|i| [c.x[i].to_bits(), c.tx[i].to_bits(), c.t[i].to_bits()])
        .collect();
    rows.sort_unstable();
    rows.dedup();
    println!("customers {n}, distinct (x, t_x, T) rows {}", rows.len());

    let data = [c.x.as_slice(), &c.tx, &c.t];
    let options = FitOptions::default();
    let start = Instant::now();
    let model = AnyModel::fit(ModelKind::BgNbd, &data, None, &options).expect("BG/NBD fit");
    println!(
        "one fit on the {n} rows: {:.3} s, params {:?}",
        start.elapsed().as_secs_f64(),
        model.values()
    );
    let start = Instant::now();
    let draws = Draws::bootstrap(
        &model,
        Data {
            inputs: &data,
            weights: None,
        },
        refits,
        1,
        &options,
    )
    .expect("bootstrap");
    let s = start.elapsed().as_secs_f64();
    println!(
        "bootstrap, {refits} refits: {s:.2} s, {:.1} refits/s",
        refits as f64 / s
    );
    let values = draws.values();
    let se = model
        .fit_info()
        .map(|f| f.std_errors.clone())
        .unwrap_or_default();
    for (k, name) in ModelKind::BgNbd.spec().params.iter().enumerate() {
        let v: Vec<f64> = values.iter().map(|d| d[k]).collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1).max(1) as f64)
            .sqrt();
        println!(
            "  {name}: bootstrap mean {mean:.4} sd {sd:.4}, fit se {:.4}",
            se.get(k).copied().unwrap_or(f64::NAN)
        );
    }
    println!("load average after: {}", load_average());
}
