//! Time of a Pareto/NBD fit on ten customers, one of whom has a huge
//! repeat-purchase count (issue 17 #13; docs/performance.md):
//!
//! ```sh
//! cargo run --release -p clv-benches --example pnbd_large_count -- 3e5 [COPIES]
//! ```
//!
//! `COPIES` repeats the ten rows (1 by default). Prints the wall time and
//! the outcome: such data do not identify the model, so a typed error is the
//! expected answer; the point is how long it takes to get there.

use std::time::Instant;

use clv::fit::FitOptions;
use clv::models::{AnyModel, ModelInfo, ModelKind};
use clv_benches::positional;

fn main() {
    let big: f64 = positional(0, 3e5, "X, a number");
    let copies: usize = positional(1, 1, "COPIES, a count");
    let x0 = [0.0, 1.0, 2.0, 0.0, 5.0, 3.0, 1.0, 0.0, 2.0, big];
    let tx0 = [0.0, 10.0, 20.0, 0.0, 30.0, 25.0, 5.0, 0.0, 12.0, 35.0];
    let t0 = [38.0, 38.0, 37.0, 36.0, 38.0, 39.0, 30.0, 33.0, 35.0, 39.0];
    let (x, tx, t) = (x0.repeat(copies), tx0.repeat(copies), t0.repeat(copies));
    let start = Instant::now();
    let fit = AnyModel::fit(
        ModelKind::ParetoNbd,
        &[&x, &tx, &t],
        None,
        &FitOptions::default(),
    );
    let elapsed = start.elapsed();
    match fit {
        Ok(m) => println!(
            "x = {big:e}, {copies} copies: {elapsed:?}, fitted {:?}",
            m.params()
        ),
        Err(e) => println!(
            "x = {big:e}, {copies} copies: {elapsed:?}, {} {e}",
            e.code()
        ),
    }
}
