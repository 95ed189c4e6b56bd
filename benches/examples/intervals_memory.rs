//! Memory and time of Laplace intervals for a large customer base (issue
//! 14; docs/performance.md, "Uncertainty and Bayesian fits"):
//!
//! ```sh
//! cargo run --release -p clv-benches --example intervals_memory -- 1000000 2000
//! cargo run --release -p clv-benches --example intervals_memory -- 1000000 1000 --raw
//! cargo run --release -p clv-benches --example intervals_memory -- 1000000 2000 --prob-alive
//! ```
//!
//! `N DRAWS` (defaults 1,000,000 and 2000): N customers (the CDNOW rows
//! repeated with jittered ages, [`clv_benches::scaled`]), a BG/NBD fit to
//! them, then
//!
//! 1. the point prediction E[Y(39)] for every customer (the baseline), and
//!    the peak RSS after it;
//! 2. DRAWS Laplace draws and E[Y(39)] with the quantiles 0.05, 0.5, 0.95
//!    and the mean for every customer, and the peak RSS after it: the
//!    difference is the extra peak memory of the intervals;
//! 3. with `--raw`: the point prediction once per draw (DRAWS passes over
//!    the N customers, results dropped), the model evaluations the
//!    intervals are made of, without the quantiles and the blocking.
//!
//! `--prob-alive` predicts P(alive) instead of E[Y(39)] (a closed form,
//! without E[Y(39)]'s Gaussian hypergeometric function; the blocks and
//! their memory are the same). `--point-only` stops after step 1, so that `/usr/bin/time -v` of the two
//! runs gives the same difference from outside. Peak RSS is `VmHWM` of
//! `/proc/self/status`; times are wall clock (`Instant`); the load averages
//! are printed before and after.

use std::hint::black_box;
use std::time::Instant;

use clv::fit::FitOptions;
use clv::uncertainty::{DEFAULT_QUANTILES, Draws};
use clv::{AnyModel, ModelKind, TransactionModel};
use clv_benches::{cdnow, load_average, peak_rss_mib, positional, scaled};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = positional(0, 1_000_000, "N, a number of customers");
    let n_draws: usize = positional(1, 2000, "DRAWS, a number of draws");
    let raw = args.iter().any(|a| a == "--raw");
    let point_only = args.iter().any(|a| a == "--point-only");
    let prob_alive = args.iter().any(|a| a == "--prob-alive");
    let what = if prob_alive { "P(alive)" } else { "E[Y(39)]" };
    let mib = || peak_rss_mib().unwrap_or(f64::NAN);
    println!("load average before: {}", load_average());
    println!("customers {n}, draws {n_draws}");

    let c = scaled(&cdnow(), n);
    let data = [c.x.as_slice(), &c.tx, &c.t];
    let start = Instant::now();
    let model =
        AnyModel::fit(ModelKind::BgNbd, &data, None, &FitOptions::default()).expect("BG/NBD fit");
    println!("fit BG/NBD: {:.3} s", start.elapsed().as_secs_f64());
    let horizon = [39.0];
    // the point prediction of one model: P(alive) or E[Y(39)]
    let predict = |m: &AnyModel| {
        if prob_alive {
            m.prob_alive(&c.x, &c.tx, &c.t)
        } else {
            m.expected_purchases_each(&horizon, &c.x, &c.tx, &c.t)
        }
        .expect("point prediction")
    };

    let start = Instant::now();
    let point = predict(&model);
    let point_s = start.elapsed().as_secs_f64();
    let total: f64 = point.iter().sum();
    drop(point);
    let base = mib();
    println!("point {what}, one pass: {point_s:.3} s (total {total:.1})");
    println!("peak RSS after data, fit and point prediction: {base:.1} MiB");
    if point_only {
        println!("load average after: {}", load_average());
        return;
    }

    let start = Instant::now();
    let draws = Draws::laplace(&model, n_draws, 1).expect("Laplace draws");
    let draws_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let iv = if prob_alive {
        draws.prob_alive(&c.x, &c.tx, &c.t, &DEFAULT_QUANTILES)
    } else {
        draws.expected_purchases(&horizon, &c.x, &c.tx, &c.t, &DEFAULT_QUANTILES)
    }
    .expect("intervals");
    let intervals_s = start.elapsed().as_secs_f64();
    let peak = mib();
    println!("Laplace draws: {draws_s:.3} s");
    println!(
        "intervals {what} (mean, q0.05, q0.5, q0.95): {intervals_s:.1} s \
         (total: mean {:.1}, 90% [{:.1}, {:.1}])",
        iv.total.mean, iv.total.values[0], iv.total.values[2]
    );
    println!("peak RSS after the intervals: {peak:.1} MiB");
    println!("extra peak memory of the intervals: {:.1} MiB", peak - base);
    drop(iv);

    if raw {
        let start = Instant::now();
        for m in draws.models() {
            black_box(predict(m));
        }
        let raw_s = start.elapsed().as_secs_f64();
        println!("point {what} once per draw ({n_draws} passes): {raw_s:.1} s");
        println!(
            "intervals / ({n_draws} point passes): {:.2}x; intervals / one point pass: {:.0}x",
            intervals_s / raw_s,
            intervals_s / point_s
        );
    }
    println!("load average after: {}", load_average());
}
