//! Model fitting and scoring: BG/NBD, MBG/NBD and Pareto/NBD fits on the
//! CDNOW calibration summary (2,357 customers, Fader, Hardie & Lee 2005) and
//! on 100k customers, and scoring (P(alive) + conditional expected purchases)
//! of 1M customers.
//!
//! The larger sets repeat the CDNOW rows with a deterministic jitter of the
//! ages (T and t_x scaled by 1 ± 5%), so that rows are distinct and the data
//! keep CDNOW's shape (x = 0 for 60% of customers).
//!
//! Run: `cargo bench -p clv-benches --bench models`.

use std::hint::black_box;
use std::time::Duration;

use clv::fit::FitOptions;
use clv::models::GammaGompertzNbd;
use clv::{AnyModel, BetaGeo, Model, ModifiedBetaGeo, ParetoNbd, TransactionModel};
use clv_benches::{cdnow, scaled};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn fits(c: &mut Criterion) {
    let base = cdnow();
    let opts = FitOptions::default();
    let mut group = c.benchmark_group("fit");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    for (name, data) in [
        ("cdnow", scaled(&base, base.x.len())),
        ("100k", scaled(&base, 100_000)),
    ] {
        let d = &data;
        group.throughput(Throughput::Elements(d.x.len() as u64));
        group.bench_with_input(BenchmarkId::new("bg_nbd", name), d, |b, d| {
            b.iter(|| BetaGeo::fit(&[black_box(&d.x), &d.tx, &d.t], None, &opts).expect("fit"));
        });
        group.bench_with_input(BenchmarkId::new("mbg_nbd", name), d, |b, d| {
            b.iter(|| {
                ModifiedBetaGeo::fit(&[black_box(&d.x), &d.tx, &d.t], None, &opts).expect("fit")
            });
        });
        group.bench_with_input(BenchmarkId::new("pareto_nbd", name), d, |b, d| {
            b.iter(|| ParetoNbd::fit(&[black_box(&d.x), &d.tx, &d.t], None, &opts).expect("fit"));
        });
    }
    // The model added through the registry: no closed-form Hessian (L-BFGS),
    // a quadrature per customer.
    let d = scaled(&base, base.x.len());
    group.bench_function(BenchmarkId::new("ggom_nbd", "cdnow"), |b| {
        b.iter(|| {
            GammaGompertzNbd::fit(&[black_box(&d.x), &d.tx, &d.t], None, &opts).expect("fit")
        });
    });
    group.finish();
}

fn scoring(c: &mut Criterion) {
    let data = scaled(&cdnow(), 1_000_000);
    let bg = BetaGeo::from_params(0.243, 4.414, 0.793, 2.426).expect("params");
    let pnbd = ParetoNbd::from_params(0.553, 10.578, 0.606, 11.669).expect("params");
    let mut group = c.benchmark_group("score_1m");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(data.x.len() as u64));
    // The same models behind the registry's AnyModel (what the bindings call).
    let (bg_any, pnbd_any) = (AnyModel::from(bg.clone()), AnyModel::from(pnbd.clone()));
    let models: [(&str, &dyn TransactionModel); 4] = [
        ("bg_nbd", &bg),
        ("pareto_nbd", &pnbd),
        ("bg_nbd_any_model", &bg_any),
        ("pareto_nbd_any_model", &pnbd_any),
    ];
    for (name, m) in models {
        group.bench_function(BenchmarkId::new(name, "prob_alive+expected_39"), |b| {
            b.iter(|| {
                let p = m
                    .prob_alive(black_box(&data.x), &data.tx, &data.t)
                    .expect("p");
                let e = m
                    .expected_purchases(39.0, &data.x, &data.tx, &data.t)
                    .expect("e");
                (p, e)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, fits, scoring);
criterion_main!(benches);
