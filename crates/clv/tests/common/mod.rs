//! Data shared by the integration tests: the repository's `tests/data`
//! files, read by the core's own column reader.
#![allow(dead_code, clippy::unwrap_used)]

/// Columns of a CSV file in `tests/data` (the repository's).
pub fn columns(file: &str, names: &[&str]) -> Vec<Vec<f64>> {
    let path = format!("{}/../../tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let c = clv::io::read_csv_columns(std::path::Path::new(&path), None, names).unwrap();
    names.iter().map(|n| c.get(n).unwrap().to_vec()).collect()
}

/// CDNOW (FHL 2005): 2357 customers, weeks 1-39.
pub fn cdnow() -> Vec<Vec<f64>> {
    columns(
        "cdnow_customers_summary.csv",
        &["frequency", "recency", "T"],
    )
}

/// CDNOW (Fader & Hardie 2013): frequency and mean repeat spend of the
/// 2357 customers (946 with repeat purchases).
pub fn cdnow_spend() -> (Vec<f64>, Vec<f64>) {
    let d = columns(
        "cdnow_customers_summary_with_transactions.csv",
        &["x", "zbar"],
    );
    (d[0].clone(), d[1].clone())
}

/// Deterministic covariates of `n` customers from `seed`: a binary one
/// (40% ones) and a continuous one, named `z1` and `z2`.
pub fn synthetic_covariates(n: usize, seed: u64) -> clv::covariates::Covariates {
    let mut rng = clv::simulate::Rng::new(seed);
    let rows: Vec<Vec<f64>> = (0..n)
        .map(|_| vec![f64::from(u8::from(rng.uniform() < 0.4)), 0.5 * rng.normal()])
        .collect();
    clv::covariates::Covariates::new(&["z1", "z2"], &rows).unwrap()
}

/// Asserts that `grad` (written by `f` at `x`, where `f` is `value`)
/// matches central differences of `f` (step 1e-5) in every coordinate,
/// within 1e-5 (1 + |∂ᵢ|) + 1e-7 |value|; `what` names the case.
pub fn assert_gradient(
    f: impl Fn(&[f64], &mut [f64]) -> f64,
    x: &[f64],
    grad: &[f64],
    value: f64,
    what: &str,
) {
    for i in 0..x.len() {
        let step = 1e-5;
        let (mut up, mut dn) = (x.to_vec(), x.to_vec());
        up[i] += step;
        dn[i] -= step;
        let mut tmp = vec![0.0; x.len()];
        let fd = (f(&up, &mut tmp) - f(&dn, &mut tmp)) / (2.0 * step);
        let tol = 1e-5 * (1.0 + grad[i].abs()) + 1e-7 * value.abs();
        assert!(
            (fd - grad[i]).abs() < tol,
            "{what} coordinate {i}: {} vs {fd}",
            grad[i]
        );
    }
}

/// Asserts that a closed-form Hessian `h` at `x` equals central differences
/// of the analytic gradient of `f` (steps `1e-5·x` for the first
/// `n_positive` coordinates, `1e-5` for the others) to 1e-6 of the
/// curvature scale (`|H_ij|` or `√|H_ii H_jj|`, entries can cancel to ~0).
#[allow(dead_code)] // not every test file checks a Hessian
#[allow(clippy::needless_range_loop)] // index notation mirrors the matrix algebra
pub fn assert_hessian(
    f: impl Fn(&[f64], &mut [f64]) -> f64,
    x: &[f64],
    h: &[Vec<f64>],
    n_positive: usize,
    what: &str,
) {
    let k = x.len();
    for j in 0..k {
        let step = if j < n_positive { 1e-5 * x[j] } else { 1e-5 };
        let (mut up, mut dn) = (x.to_vec(), x.to_vec());
        up[j] += step;
        dn[j] -= step;
        let (mut gu, mut gd) = (vec![0.0; k], vec![0.0; k]);
        f(&up, &mut gu);
        f(&dn, &mut gd);
        for i in 0..k {
            let fd = (gu[i] - gd[i]) / (2.0 * step);
            let scale = h[i][j].abs().max((h[i][i] * h[j][j]).abs().sqrt());
            assert!(
                (fd - h[i][j]).abs() <= 1e-6 * scale,
                "{what}: H[{i}][{j}] {} vs {fd}",
                h[i][j]
            );
        }
    }
}

/// The relative difference of `a` from `b`, `|a − b| / |b|` (`|b|` at
/// least 1e-300).
pub fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

/// Asserts that the value `vh` and gradient `gh` that a closed-form Hessian
/// `h` at `x` comes with are `f`'s own (the value to 1e-13 relative, the
/// gradient to 1e-9 of `max(|∂ᵢ|, 1)`), and that `h` is the central
/// differences of `f`'s gradient ([`assert_hessian`]); `what` names the case.
pub fn assert_closed_form_hessian(
    f: impl Fn(&[f64], &mut [f64]) -> f64,
    x: &[f64],
    vh: f64,
    gh: &[f64],
    h: &[Vec<f64>],
    n_positive: usize,
    what: &str,
) {
    let mut g = vec![0.0; x.len()];
    let v = f(x, &mut g);
    assert!(rel(vh, v) < 1e-13, "{what}: {vh} vs {v}");
    for (j, (a, b)) in gh.iter().zip(&g).enumerate() {
        assert!(
            (a - b).abs() <= 1e-9 * b.abs().max(1.0),
            "{what} g[{j}]: {gh:?} vs {g:?}"
        );
    }
    assert_hessian(f, x, h, n_positive, what);
}

/// Asserts that the analytic gradient of the log-likelihood `f` at `x`
/// matches central differences ([`assert_gradient`]), and that the
/// closed-form Hessian of `hessian` (which writes the gradient and returns
/// the value and the Hessian) is `f`'s ([`assert_closed_form_hessian`]);
/// `what` names the case.
pub fn assert_derivatives(
    f: impl Fn(&[f64], &mut [f64]) -> f64,
    hessian: impl Fn(&[f64], &mut [f64]) -> (f64, Vec<Vec<f64>>),
    x: &[f64],
    n_positive: usize,
    what: &str,
) {
    let mut g = vec![0.0; x.len()];
    let v = f(x, &mut g);
    assert_gradient(&f, x, &g, v, what);
    let mut gh = vec![0.0; x.len()];
    let (vh, h) = hessian(x, &mut gh);
    assert_closed_form_hessian(f, x, vh, &gh, &h, n_positive, &format!("Hessian, {what}"));
}

/// `Σ vᵢ²` over `values` (summed in order): the size of a fit's effects.
pub fn sum_of_squares<'a>(values: impl IntoIterator<Item = &'a f64>) -> f64 {
    values.into_iter().map(|v| v * v).sum()
}

/// NUTS options with the given chains, warm-up, kept draws and seed.
pub fn options(chains: usize, tune: u64, draws: u64, seed: u64) -> clv::bayes::SampleOptions {
    clv::bayes::SampleOptions {
        chains,
        tune,
        draws,
        seed,
        ..clv::bayes::SampleOptions::default()
    }
}

/// A file of the core crate's own test data (`crates/clv/tests/data`).
pub fn core_data_path(file: &str) -> String {
    format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// CLVTools' apparel data (`apparelTrans`, `apparelStaticCov`, copied from
/// `../shared/data`): weekly units (7 days), calibration (estimation split)
/// 40 weeks after the first transaction (2005-01-02 + 280 days =
/// 2005-10-09), same-day transactions merged (the summary counts distinct
/// days); the static covariates Gender and Channel joined on the id.
pub fn apparel() -> (clv::summary::Summary, clv::covariates::Covariates) {
    use clv::summary::{SummaryOptions, summarize};
    use clv::time::{TimeUnit, parse_timestamp};
    let text = std::fs::read_to_string(core_data_path("apparel_transactions.csv")).unwrap();
    let (mut ids, mut ts, mut amounts) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        ids.push(f[0].to_string());
        ts.push(parse_timestamp(f[1], None).unwrap());
        amounts.push(f[2].parse::<f64>().unwrap());
    }
    let options = SummaryOptions {
        unit: TimeUnit::parse("7d").unwrap(),
        calibration_end: Some(parse_timestamp("2005-10-09", None).unwrap()),
        observation_end: Some(parse_timestamp("2010-12-20", None).unwrap()),
        ..SummaryOptions::default()
    };
    let s = summarize(&ids, &ts, Some(&amounts), &options).unwrap();
    let text = std::fs::read_to_string(core_data_path("apparel_static_covariates.csv")).unwrap();
    let (mut cids, mut rows) = (Vec::new(), Vec::new());
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        cids.push(f[0].to_string());
        rows.push(vec![f[1].parse().unwrap(), f[2].parse().unwrap()]);
    }
    let z =
        clv::covariates::Covariates::by_id(&["Gender", "Channel"], &cids, &rows, &s.customer_id)
            .unwrap();
    (s, z)
}
