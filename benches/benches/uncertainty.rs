//! Intervals and bootstrap (issue 14): Laplace intervals of E[Y(39)] for
//! 10k customers from 200 draws, beside the point prediction once and once
//! per draw (the evaluations the intervals are made of); a bootstrap of 20
//! BG/NBD refits on 10k simulated customers. The 1M-customer figures come
//! from the examples `intervals_memory` and `bootstrap_refits`
//! (docs/performance.md).
//!
//! Run: `cargo bench -p clv-benches --bench uncertainty`.

use std::hint::black_box;
use std::time::Duration;

use clv::fit::FitOptions;
use clv::uncertainty::{DEFAULT_QUANTILES, Data, Draws};
use clv::{AnyModel, ModelKind, TransactionModel};
use clv_benches::{cdnow, scaled, simulated_bg_nbd};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

fn intervals(c: &mut Criterion) {
    let d = scaled(&cdnow(), 10_000);
    let opts = FitOptions::default();
    let model = AnyModel::fit(ModelKind::BgNbd, &[&d.x, &d.tx, &d.t], None, &opts).expect("fit");
    let draws = Draws::laplace(&model, 200, 1).expect("draws");
    let h = [39.0];
    let mut group = c.benchmark_group("intervals_10k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function(BenchmarkId::new("point_expected_39", "once"), |b| {
        b.iter(|| model.expected_purchases_each(&h, black_box(&d.x), &d.tx, &d.t));
    });
    group.bench_function(BenchmarkId::new("point_expected_39", "per_draw_200"), |b| {
        b.iter(|| {
            for m in draws.models() {
                black_box(m.expected_purchases_each(&h, black_box(&d.x), &d.tx, &d.t)).ok();
            }
        });
    });
    group.bench_function(
        BenchmarkId::new("intervals_expected_39", "draws_200"),
        |b| {
            b.iter(|| {
                draws.expected_purchases(&h, black_box(&d.x), &d.tx, &d.t, &DEFAULT_QUANTILES)
            });
        },
    );
    group.finish();
}

fn bootstrap(c: &mut Criterion) {
    let d = simulated_bg_nbd(10_000, 7);
    let opts = FitOptions::default();
    let model = AnyModel::fit(ModelKind::BgNbd, &[&d.x, &d.tx, &d.t], None, &opts).expect("fit");
    let inputs = [d.x.as_slice(), &d.tx, &d.t];
    let data = Data {
        inputs: &inputs,
        weights: None,
    };
    let mut group = c.benchmark_group("bootstrap_bg_nbd_10k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("refits_20", |b| {
        b.iter(|| Draws::bootstrap(&model, data, 20, black_box(1), &opts).expect("bootstrap"));
    });
    group.finish();
}

criterion_group!(benches, intervals, bootstrap);
criterion_main!(benches);
