//! Parameter draws and prediction intervals (`clv::uncertainty`), checked
//! against computations written out here: the delta method for Laplace
//! intervals, the moments of the draws against the fit's covariance, the
//! bootstrap on compressed counts against the bootstrap on expanded rows.
#![allow(clippy::unwrap_used, clippy::needless_range_loop)]

use clv::fit::FitOptions;
use clv::uncertainty::{Data, Draws, Method, Spend, quantile_sorted};
use clv::{AnyModel, ModelInfo, ModelKind, TransactionModel};

mod common;
use common::{cdnow, columns};

/// The fit of a model of `kind` with default options.
fn fit(kind: ModelKind, inputs: &[&[f64]], weights: Option<&[f64]>) -> AnyModel {
    AnyModel::fit(kind, inputs, weights, &FitOptions::default()).unwrap()
}

fn bg_nbd_cdnow() -> AnyModel {
    let d = cdnow();
    fit(ModelKind::BgNbd, &[&d[0], &d[1], &d[2]], None)
}

/// Σ_log = D⁻¹ Σ D⁻¹ from the fit (written out independently of the crate).
fn log_covariance(m: &AnyModel) -> Vec<Vec<f64>> {
    let th = m.values();
    let c = &m.fit_info().unwrap().covariance;
    (0..th.len())
        .map(|i| (0..th.len()).map(|j| c[i][j] / th[i] / th[j]).collect())
        .collect()
}

#[test]
fn laplace_intervals_of_expected_purchases_match_the_delta_method() {
    let m = bg_nbd_cdnow();
    let d = Draws::laplace(&m, 4000, 1).unwrap();
    // CDNOW IDs 1, 2, 18 (x = 2, 1, 8 … a light and a heavy buyer) and a newcomer
    let (x, tx, t) = (
        [2.0, 1.0, 8.0, 0.0],
        [30.43, 1.71, 36.71, 0.0],
        [38.86, 38.86, 38.86, 38.86],
    );
    let q = [0.05, 0.5, 0.95];
    let iv = d.expected_purchases(&[39.0], &x, &tx, &t, &q).unwrap();
    let point = m.expected_purchases(39.0, &x, &tx, &t).unwrap();
    let sl = log_covariance(&m);
    let phi: Vec<f64> = m.values().iter().map(|v| v.ln()).collect();
    for i in 0..x.len() {
        // numerical gradient of E[Y(39)] in the log-parameters
        let ey = |p: &[f64]| {
            let v: Vec<f64> = p.iter().map(|l| l.exp()).collect();
            AnyModel::from_values(ModelKind::BgNbd, &v)
                .unwrap()
                .expected_purchases(39.0, &x[i..=i], &tx[i..=i], &t[i..=i])
                .unwrap()[0]
        };
        let h = 1e-5;
        let g: Vec<f64> = (0..4)
            .map(|k| {
                let (mut up, mut down) = (phi.clone(), phi.clone());
                up[k] += h;
                down[k] -= h;
                (ey(&up) - ey(&down)) / (2.0 * h)
            })
            .collect();
        let var: f64 = (0..4)
            .map(|a| (0..4).map(|b| g[a] * sl[a][b] * g[b]).sum::<f64>())
            .sum();
        let sd = var.sqrt();
        let z = 1.644_853_626_951_472_2;
        let (lo, med, hi) = (iv.values[0][i], iv.values[1][i], iv.values[2][i]);
        // Half-width against z·sd (the delta method's normal interval), the
        // median and mean against the point prediction: within Monte Carlo
        // error (≈ 0.03 sd for 4000 draws) plus the curvature the delta
        // method leaves out.
        let width = (hi - lo) / (2.0 * z * sd);
        assert!(
            (width - 1.0).abs() < 0.08,
            "customer {i}: {width} ({lo}, {hi}, sd {sd})"
        );
        assert!(
            (med - point[i]).abs() < 0.1 * sd,
            "customer {i}: {med} vs {}",
            point[i]
        );
        assert!((iv.mean[i] - point[i]).abs() < 0.15 * sd, "customer {i}");
        assert!(lo < point[i] && point[i] < hi);
    }
    // the total over customers has its own distribution, from per-draw sums
    let sums: Vec<f64> = d
        .models()
        .iter()
        .map(|mm| {
            mm.expected_purchases(39.0, &x, &tx, &t)
                .unwrap()
                .iter()
                .sum()
        })
        .collect();
    let mut sorted = sums.clone();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(iv.total.values[1], quantile_sorted(&sorted, 0.5));
    let mean = sums.iter().sum::<f64>() / sums.len() as f64;
    assert!((iv.total.mean - mean).abs() < 1e-12 * mean);
}

#[test]
fn laplace_draws_have_the_fits_mean_and_covariance() {
    let m = bg_nbd_cdnow();
    let n = 20_000;
    let d = Draws::laplace(&m, n, 7).unwrap();
    let logs: Vec<Vec<f64>> = d
        .values()
        .iter()
        .map(|v| v.iter().map(|x| x.ln()).collect())
        .collect();
    let sl = log_covariance(&m);
    let mu: Vec<f64> = m.values().iter().map(|v| v.ln()).collect();
    let nf = n as f64;
    let mean: Vec<f64> = (0..4)
        .map(|k| logs.iter().map(|l| l[k]).sum::<f64>() / nf)
        .collect();
    for k in 0..4 {
        // 4 Monte Carlo standard errors
        assert!(
            (mean[k] - mu[k]).abs() < 4.0 * (sl[k][k] / nf).sqrt(),
            "{k}: {} vs {}",
            mean[k],
            mu[k]
        );
    }
    for a in 0..4 {
        for b in 0..4 {
            let c = logs
                .iter()
                .map(|l| (l[a] - mean[a]) * (l[b] - mean[b]))
                .sum::<f64>()
                / (nf - 1.0);
            // sd of a sample covariance ≈ √((σ_aa σ_bb + σ_ab²)/n)
            let se = ((sl[a][a] * sl[b][b] + sl[a][b].powi(2)) / nf).sqrt();
            assert!(
                (c - sl[a][b]).abs() < 4.0 * se,
                "({a},{b}): {c} vs {}",
                sl[a][b]
            );
        }
    }
}

#[test]
fn same_seed_same_draws_and_quantiles_another_seed_others() {
    let m = bg_nbd_cdnow();
    let a = Draws::laplace(&m, 300, 42).unwrap();
    let b = Draws::laplace(&m, 300, 42).unwrap();
    let c = Draws::laplace(&m, 300, 43).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.values(), c.values());
    let d = cdnow();
    let q = [0.025, 0.5, 0.975];
    let pa = a.prob_alive(&d[0], &d[1], &d[2], &q).unwrap();
    let pb = b.prob_alive(&d[0], &d[1], &d[2], &q).unwrap();
    assert_eq!(pa, pb);
    assert_eq!(pa.mean.len(), 2357);
    for i in 0..2357 {
        assert!(pa.values[0][i] <= pa.values[1][i] && pa.values[1][i] <= pa.values[2][i]);
        assert!((0.0..=1.0).contains(&pa.values[0][i]) && pa.values[2][i] <= 1.0);
    }
}

#[test]
fn blocks_give_the_values_of_the_whole_matrix() {
    // more customers than one block: every customer's interval equals the
    // one computed from the full draws × customers matrix
    let m = bg_nbd_cdnow();
    let d = Draws::laplace(&m, 50, 3).unwrap();
    let c = cdnow();
    let q = [0.0, 0.1, 0.5, 0.9, 1.0];
    let iv = d.prob_alive(&c[0], &c[1], &c[2], &q).unwrap();
    let full: Vec<Vec<f64>> = d
        .models()
        .iter()
        .map(|mm| mm.prob_alive(&c[0], &c[1], &c[2]).unwrap())
        .collect();
    for i in (0..2357).step_by(97) {
        let mut col: Vec<f64> = full.iter().map(|r| r[i]).collect();
        let mean = col.iter().sum::<f64>() / 50.0;
        col.sort_by(f64::total_cmp);
        assert_eq!(iv.mean[i], mean);
        for (k, &qq) in q.iter().enumerate() {
            assert_eq!(iv.values[k][i], quantile_sorted(&col, qq));
        }
        assert_eq!(iv.values[0][i], col[0]);
        assert_eq!(iv.values[4][i], col[49]);
    }
}

#[test]
fn quantiles_are_numpys_linear_interpolation() {
    // numpy.quantile([3, 1, 4, 1, 5], [0.05, 0.5, 0.95, 0.3]) = [1, 3, 4.8, 1.4]
    // (h = 4q: 0.2 → 1 + 0.2·0; 2 → 3; 3.8 → 4 + 0.8·1; 1.2 → 1 + 0.2·2)
    let mut v = [3.0, 1.0, 4.0, 1.0, 5.0];
    v.sort_by(f64::total_cmp);
    let want = [1.0, 3.0, 4.8, 1.4];
    for (q, w) in [0.05, 0.5, 0.95, 0.3].iter().zip(want) {
        assert!((quantile_sorted(&v, *q) - w).abs() < 1e-12, "{q}");
    }
}

/// Groups equal rows (x, t_x, T) into distinct rows with counts, in order
/// of first appearance (not the order the bootstrap uses internally).
fn compress(cols: &[Vec<f64>]) -> (Vec<Vec<f64>>, Vec<f64>) {
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut w: Vec<f64> = Vec::new();
    for i in 0..cols[0].len() {
        let r: Vec<f64> = cols.iter().map(|c| c[i]).collect();
        match rows.iter().position(|x| *x == r) {
            Some(j) => w[j] += 1.0,
            None => {
                rows.push(r);
                w.push(1.0);
            }
        }
    }
    let out = (0..cols.len())
        .map(|k| rows.iter().map(|r| r[k]).collect())
        .collect();
    (out, w)
}

#[test]
fn bootstrap_on_compressed_counts_equals_bootstrap_on_expanded_rows() {
    let m = bg_nbd_cdnow();
    let c = cdnow();
    let (rows, w) = compress(&c);
    assert!(rows[0].len() < 2357);
    let expanded = boot(&m, &c, None, 6, 11);
    let compressed = boot(&m, &rows, Some(&w), 6, 11);
    // the same draws, bit for bit
    assert_eq!(expanded.values(), compressed.values());
    assert_eq!(expanded.method(), Method::Bootstrap);
    // reversed rows: the same customers, the same draws
    let rev: Vec<Vec<f64>> = c
        .iter()
        .map(|col| col.iter().rev().copied().collect())
        .collect();
    let reversed = boot(&m, &rev, None, 6, 11);
    assert_eq!(expanded.values(), reversed.values());
    // each refit differs from the fit and from the others
    let v = expanded.values();
    assert_ne!(v[0], v[1]);
    assert_ne!(v[0], m.values());
}

#[test]
fn bootstrap_of_bg_bb_donations_counts_equals_expanded_and_spreads_like_the_se() {
    // FHS (2010) donations, 11104 donors in 22 distinct rows (weights)
    let d = columns(
        "donations.csv",
        &["frequency", "recency", "periods", "weights"],
    );
    let m = fit(ModelKind::BgBb, &[&d[0], &d[1], &d[2]], Some(&d[3]));
    let mut ex = vec![Vec::new(); 3];
    for i in 0..d[0].len() {
        for _ in 0..d[3][i] as usize {
            for k in 0..3 {
                ex[k].push(d[k][i]);
            }
        }
    }
    let a = boot(&m, &d, Some(&d[3]), 40, 5);
    let b = boot(&m, &ex, None, 40, 5);
    assert_eq!(a.values(), b.values());
    // the bootstrap sd of each parameter is the fit's standard error
    // (asymptotically); with 40 refits, within ±40%
    let se = &m.fit_info().unwrap().std_errors;
    let v = a.values();
    for k in 0..4 {
        let mean = v.iter().map(|r| r[k]).sum::<f64>() / 40.0;
        let sd = (v.iter().map(|r| (r[k] - mean).powi(2)).sum::<f64>() / 39.0).sqrt();
        assert!((sd / se[k] - 1.0).abs() < 0.4, "{k}: {sd} vs {}", se[k]);
    }
}

#[test]
fn clv_with_spend_draws_and_dert() {
    let d = columns(
        "cdnow_customers_summary_with_transactions.csv",
        &["x", "t_x", "T", "zbar"],
    );
    let pn = fit(ModelKind::ParetoNbd, &[&d[0], &d[1], &d[2]], None);
    let rep: Vec<usize> = (0..d[0].len())
        .filter(|&i| d[0][i] > 0.0 && d[3][i] > 0.0)
        .collect();
    let (fx, fm): (Vec<f64>, Vec<f64>) = rep.iter().map(|&i| (d[0][i], d[3][i])).unzip();
    let gg = fit(ModelKind::GammaGamma, &[&fx, &fm], None);
    let tx = Draws::laplace(&pn, 200, 1).unwrap();
    let sp = Draws::laplace(&gg, 200, 2).unwrap();
    let q = [0.05, 0.5, 0.95];
    let (x, r, t, mv) = (&d[0][..20], &d[1][..20], &d[2][..20], &d[3][..20]);
    let with_draws = tx
        .customer_lifetime_value(Spend::Draws(&sp), x, r, t, mv, 12, 0.01, 4.345, &q)
        .unwrap();
    let with_point = tx
        .customer_lifetime_value(Spend::Model(&gg), x, r, t, mv, 12, 0.01, 4.345, &q)
        .unwrap();
    // draw d of the CLV: transaction draw d with spend draw d
    let want: Vec<f64> = (0..200)
        .map(|k| {
            let s = clv::SpendModel::expected_spend(&sp.models()[k], &x[..1], &mv[..1]).unwrap();
            clv::value::customer_lifetime_value(
                &tx.models()[k],
                &s,
                &x[..1],
                &r[..1],
                &t[..1],
                12,
                0.01,
                4.345,
            )
            .unwrap()[0]
        })
        .collect();
    let mean = want.iter().sum::<f64>() / 200.0;
    assert!((with_draws.mean[0] - mean).abs() < 1e-12 * mean.abs().max(1.0));
    // spend uncertainty widens the interval
    let w = |iv: &clv::uncertainty::Intervals, i: usize| iv.values[2][i] - iv.values[0][i];
    assert!(w(&with_draws, 0) > w(&with_point, 0));
    let de = tx.dert(0.003, x, r, t, &q).unwrap();
    assert!(de.mean.iter().all(|v| v.is_finite() && *v >= 0.0));
    // spend draws of another length
    let short = Draws::laplace(&gg, 10, 2).unwrap();
    let e = tx
        .customer_lifetime_value(Spend::Draws(&short), x, r, t, mv, 12, 0.01, 4.345, &q)
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("LENGTH_MISMATCH", Some("spend")));
}

#[test]
fn errors_are_typed_and_name_the_field() {
    let m = bg_nbd_cdnow();
    let e = Draws::laplace(&m, 0, 1).unwrap_err();
    assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("n")));
    let e = "nuts".parse::<Method>().unwrap_err();
    assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("method")));
    let d = Draws::laplace(&m, 10, 1).unwrap();
    let e = d
        .prob_alive(&[1.0], &[1.0], &[2.0], &[0.5, 1.5])
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("quantiles")));
    assert!(
        e.to_string().starts_with("invalid quantiles[1]: 1.5"),
        "{e}"
    );
    let e = d.prob_alive(&[1.0], &[3.0], &[2.0], &[0.5]).unwrap_err();
    assert_eq!(e.field(), Some("recency"));
    let e = d.dert(0.1, &[1.0], &[1.0], &[2.0], &[0.5]).unwrap_err();
    assert_eq!((e.code(), e.field()), ("NOT_SUPPORTED", Some("dert")));
    // a model built from parameters has no covariance
    let known = AnyModel::from_values(ModelKind::BgNbd, &m.values()).unwrap();
    let e = Draws::laplace(&known, 10, 1).unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("NOT_SUPPORTED", Some("laplace draws"))
    );
    // a bootstrap needs the data, in whole-number counts
    let e = Draws::new(&m, Method::Bootstrap, 10, 1, None, &FitOptions::default()).unwrap_err();
    assert_eq!(e.field(), Some("inputs"));
    let inputs: [&[f64]; 3] = [&[1.0, 2.0], &[1.0, 2.0], &[3.0, 3.0]];
    let data = Data {
        inputs: &inputs,
        weights: Some(&[1.5, 2.0]),
    };
    let e = Draws::bootstrap(&m, data, 10, 1, &FitOptions::default()).unwrap_err();
    assert_eq!(e.field(), Some("weights"));
    assert!(e.to_string().starts_with("invalid weights[0]: 1.5"), "{e}");
    let e = clv::uncertainty::central_quantiles(1.0).unwrap_err();
    assert_eq!(e.field(), Some("intervals"));
}

/// `Draws::bootstrap` of `m` with `n` refits and `seed` on the first three
/// columns of `cols`, with default fit options.
fn boot(m: &AnyModel, cols: &[Vec<f64>], weights: Option<&[f64]>, n: usize, seed: u64) -> Draws {
    let inputs = [&cols[0][..], &cols[1][..], &cols[2][..]];
    let data = Data {
        inputs: &inputs,
        weights,
    };
    Draws::bootstrap(m, data, n, seed, &FitOptions::default()).unwrap()
}
