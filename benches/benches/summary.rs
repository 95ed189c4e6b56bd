//! Transaction log → customer summary: `summarize_coded` on interned ids and
//! `read_transactions` on an in-memory CSV, for 100k and 1M rows.
//!
//! The log is synthetic and deterministic (xorshift64*): about 10 transactions
//! per customer, timestamps uniform over two years (1997-01-01 .. 1998-12-31)
//! with a time of day, amounts 0.00 .. 199.99.
//!
//! Run: `cargo bench -p clv-benches --bench summary`.

use std::hint::black_box;
use std::time::Duration;

use clv::io::{ColumnRef, Delimiter, ReadOptions, read_transactions};
use clv::summary::{CustomerIds, SummaryOptions, summarize_coded};
use clv::time::{TimeUnit, format_timestamp};
use clv_benches::XorShift;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const START: i64 = 852_076_800; // 1997-01-01T00:00:00
const TWO_YEARS: u64 = 730 * 86_400;

struct Log {
    ids: Vec<String>,
    timestamps: Vec<i64>,
    amounts: Vec<f64>,
}

fn synthetic_log(rows: usize) -> Log {
    let customers = (rows / 10).max(1) as u64;
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut log = Log {
        ids: Vec::with_capacity(rows),
        timestamps: Vec::with_capacity(rows),
        amounts: Vec::with_capacity(rows),
    };
    for _ in 0..rows {
        log.ids.push(format!("C{:07}", rng.below(customers)));
        log.timestamps.push(START + rng.below(TWO_YEARS) as i64);
        log.amounts.push(rng.below(20_000) as f64 / 100.0);
    }
    log
}

fn to_csv(log: &Log) -> Vec<u8> {
    let mut out = String::from("customer_id,date,amount\n");
    for i in 0..log.ids.len() {
        // Date-only text: the fast path the CDNOW-style files use.
        let day = format_timestamp(log.timestamps[i] - log.timestamps[i].rem_euclid(86_400));
        out.push_str(&format!("{},{},{:.2}\n", log.ids[i], day, log.amounts[i]));
    }
    out.into_bytes()
}

fn bench_summary(c: &mut Criterion) {
    let mut group = c.benchmark_group("summary");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    let options = SummaryOptions {
        unit: TimeUnit::parse("W").unwrap_or_default(),
        observation_end: Some(START + TWO_YEARS as i64),
        calibration_end: Some(START + 365 * 86_400),
        skip_invalid: false,
    };
    let read = ReadOptions {
        customer_col: ColumnRef::parse("customer_id"),
        date_col: ColumnRef::parse("date"),
        amount_col: Some(ColumnRef::parse("amount")),
        delimiter: Delimiter::Comma,
        ..ReadOptions::default()
    };
    for rows in [100_000usize, 1_000_000] {
        let log = synthetic_log(rows);
        let ids = CustomerIds::intern(&log.ids);
        let csv = to_csv(&log);
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_with_input(BenchmarkId::new("summarize_coded", rows), &rows, |b, _| {
            b.iter(|| {
                summarize_coded(
                    black_box(&ids),
                    black_box(&log.timestamps),
                    Some(black_box(&log.amounts)),
                    &options,
                )
            })
        });
        group.bench_with_input(
            BenchmarkId::new("read_transactions", rows),
            &rows,
            |b, _| b.iter(|| read_transactions(black_box(&csv[..]), &read)),
        );
    }
    group.finish();
}

criterion_group!(benches, bench_summary);
criterion_main!(benches);
