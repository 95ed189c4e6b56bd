//! Writes a synthetic transaction log (CSV: `customer_id,date,amount`) for
//! memory and speed measurements of `clv summary` (docs/performance.md).
//!
//! ```sh
//! cargo run --release -p clv-benches --example gen_transactions -- ROWS CUSTOMERS [--shuffled] > tx.csv
//! ```
//!
//! Fixed seed, so a given ROWS/CUSTOMERS always writes the same file. Rows
//! are in date order (1997-01-01 onwards, spread over 3 years) with a
//! random customer each; `--shuffled` gives each row a random date instead
//! (no order at all). Amounts are 0.00..=199.99 with about 1 % $0 orders.
//! Generated data is not committed.

use std::io::{BufWriter, Write};

use clv_benches::XorShift;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rows: u64 = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let customers: u64 = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(rows / 10);
    let shuffled = args.iter().any(|a| a == "--shuffled");
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let days = 3 * 365;
    let out = std::io::stdout().lock();
    let mut out = BufWriter::with_capacity(1 << 20, out);
    writeln!(out, "customer_id,date,amount")?;
    // day number → date text, computed once
    let dates: Vec<String> = (0..days)
        .map(|d| clv::time::format_timestamp(852_076_800 + d as i64 * 86_400))
        .collect();
    for i in 0..rows {
        let day = if shuffled {
            rng.below(days)
        } else {
            i * days / rows.max(1)
        };
        let customer = rng.below(customers);
        let cents = if rng.below(100) == 0 {
            0
        } else {
            rng.below(20_000)
        };
        writeln!(
            out,
            "C{customer:08},{},{}.{:02}",
            dates[day as usize],
            cents / 100,
            cents % 100
        )?;
    }
    out.flush()
}
