//! The native side of `benches/compare_js.mjs`: the same two jobs the JS
//! script times on the Node addon and the WASM build, timed here in native
//! Rust, printed as one JSON line.
//!
//! - fit: BG/NBD on the CDNOW calibration summary (2357 customers);
//! - score: for `n` customers (the CDNOW rows repeated), P(alive), expected
//!   purchases in the next 39 weeks and the 12-month CLV (Gamma-Gamma spend at
//!   the published estimates, 1% a month, weeks).
//!
//! Usage: `cargo run --release -p clv-benches --example compare_js_native -- FILE N REPS`
//! (set `RAYON_NUM_THREADS=1` for one thread; the JS builds are single-threaded).
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use clv::fit::FitOptions;
use clv::value::customer_lifetime_value_with_spend;
use clv::{BetaGeo, GammaGamma, Model, ModelInfo, TransactionModel};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).unwrap();
    let n: usize = args[2].parse().unwrap();
    let reps: usize = args[3].parse().unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (ix, itx, it) = (col("frequency"), col("recency"), col("T"));
    let (mut x, mut tx, mut t) = (Vec::new(), Vec::new(), Vec::new());
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let f: Vec<f64> = line
            .split(',')
            .map(|v| v.trim().parse().unwrap_or(0.0))
            .collect();
        x.push(f[ix]);
        tx.push(f[itx]);
        t.push(f[it]);
    }
    // The scored customers: the CDNOW rows repeated to n; spend 35 for repeat buyers.
    let big = |v: &[f64]| -> Vec<f64> { (0..n).map(|i| v[i % v.len()]).collect() };
    let (bx, btx, bt) = (big(&x), big(&tx), big(&t));
    let bm: Vec<f64> = bx
        .iter()
        .map(|&f| if f > 0.0 { 35.0 } else { 0.0 })
        .collect();

    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut fit_ms = Vec::new();
    let mut model = None;
    for _ in 0..reps {
        let t0 = Instant::now();
        let m = BetaGeo::fit(&[&x, &tx, &t], None, &FitOptions::default()).unwrap();
        fit_ms.push(t0.elapsed().as_secs_f64() * 1e3);
        model = Some(m);
    }
    let bg = model.unwrap();
    let gg = GammaGamma::from_params(6.25, 3.74, 15.44).unwrap();
    let mut score_ms = Vec::new();
    let mut checksum = 0.0;
    for _ in 0..reps {
        let t0 = Instant::now();
        let alive = bg.prob_alive(&bx, &btx, &bt).unwrap();
        let exp = bg.expected_purchases(39.0, &bx, &btx, &bt).unwrap();
        let clv = customer_lifetime_value_with_spend(&bg, &gg, &bx, &btx, &bt, &bm, 12, 0.01, "W")
            .unwrap();
        score_ms.push(t0.elapsed().as_secs_f64() * 1e3);
        checksum = alive.iter().sum::<f64>() + exp.iter().sum::<f64>() + clv.iter().sum::<f64>();
    }
    let p = bg.params();
    println!(
        "{{\"fit_ms\": {}, \"score_ms\": {}, \"params\": {{\"r\": {}, \"alpha\": {}, \"a\": {}, \"b\": {}}}, \"checksum\": {}}}",
        median(fit_ms),
        median(score_ms),
        p[0].1,
        p[1].1,
        p[2].1,
        p[3].1,
        checksum
    );
}
