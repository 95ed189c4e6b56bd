//! Benchmarks of `clv` live in `benches/` (criterion) and in the
//! `compare_*.py` scripts beside this file; this library holds what the
//! benches and the examples share: the generators of synthetic data, and
//! the peak memory and load readings the examples print.

use std::path::Path;

/// xorshift64* (Vigna 2016): small, fast, seeded and good enough for a
/// reproducible synthetic log (the same seed gives the same data).
pub struct XorShift(pub u64);

impl XorShift {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 for `n = 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// A customer summary: repeat purchases `x`, recency `t_x`, age `T`.
pub struct Customers {
    /// Repeat purchases.
    pub x: Vec<f64>,
    /// Age at the last purchase.
    pub tx: Vec<f64>,
    /// Age at the end of the observation.
    pub t: Vec<f64>,
}

/// The CDNOW calibration summary shipped with the tests (2,357 customers,
/// weeks; `ID,frequency,recency,T`).
///
/// # Panics
/// When `tests/data/cdnow_customers_summary.csv` is missing or malformed.
pub fn cdnow() -> Customers {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/cdnow_customers_summary.csv");
    let text = std::fs::read_to_string(&path).expect("tests/data/cdnow_customers_summary.csv");
    let mut c = Customers {
        x: Vec::new(),
        tx: Vec::new(),
        t: Vec::new(),
    };
    for line in text.lines().skip(1) {
        let f: Vec<f64> = line
            .split(',')
            .skip(1)
            .map(|v| v.parse().expect("number"))
            .collect();
        c.x.push(f[0]);
        c.tx.push(f[1]);
        c.t.push(f[2]);
    }
    c
}

/// `n` customers: the rows of `base` in turn, ages scaled by
/// 1 + 0.05·sin(i), so that rows are distinct and keep the shape of `base`
/// (for CDNOW, x = 0 for 60% of customers).
pub fn scaled(base: &Customers, n: usize) -> Customers {
    let m = base.x.len();
    let mut c = Customers {
        x: Vec::with_capacity(n),
        tx: Vec::with_capacity(n),
        t: Vec::with_capacity(n),
    };
    for i in 0..n {
        let k = i % m;
        let s = 1.0 + 0.05 * (i as f64).sin();
        c.x.push(base.x[k]);
        c.tx.push(base.tx[k] * s);
        c.t.push(base.t[k] * s);
    }
    c
}

/// Peak resident memory of this process so far in MiB (`VmHWM` of
/// `/proc/self/status`, Linux; `None` elsewhere).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The 1-, 5- and 15-minute load averages (`/proc/loadavg`, Linux), as
/// `uptime` prints them; `"?"` elsewhere.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".to_string())
}

/// `n` customers simulated from BG/NBD with the CDNOW estimates (r 0.243,
/// α 4.414, a 0.793, b 2.426; Fader, Hardie & Lee 2005) by
/// [`clv::simulate::simulate`]: ages of 27 to 39 weeks in whole days, the
/// last purchase rounded down to its day, as a summary made from dated
/// transactions in weeks has them (so rows repeat and compress).
///
/// # Panics
/// Never for these fixed parameters.
pub fn simulated_bg_nbd(n: usize, seed: u64) -> Customers {
    let model = clv::AnyModel::from_values(clv::ModelKind::BgNbd, &[0.243, 4.414, 0.793, 2.426])
        .expect("BG/NBD parameters");
    let mut rng = XorShift(seed | 1);
    let t: Vec<f64> = (0..n).map(|_| (189 + rng.below(85)) as f64 / 7.0).collect();
    let s = clv::simulate::simulate(&model, &t, seed).expect("simulation");
    Customers {
        x: s.frequency,
        tx: s.recency.iter().map(|r| (r * 7.0).floor() / 7.0).collect(),
        t: s.t,
    }
}

/// The `index`-th positional argument of the examples' command line (the
/// arguments that do not start with `--`), parsed; `default` when absent.
///
/// # Panics
/// When the argument does not parse, naming `what`.
pub fn positional<T: std::str::FromStr>(index: usize, default: T, what: &str) -> T {
    std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .nth(index)
        .map_or(Ok(default), |s| s.parse())
        .unwrap_or_else(|_| panic!("argument {}: {what}", index + 1))
}
