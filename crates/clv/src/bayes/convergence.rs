//! Convergence diagnostics of MCMC draws: rank-normalised split R-hat,
//! bulk and tail effective sample sizes.
//!
//! Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), "Rank-normalization,
//! folding, and localization: an improved R̂ for assessing convergence of
//! MCMC", Bayesian Analysis 16(2). Written as ArviZ (`arviz.rhat`,
//! `arviz.ess`, method `"rank"`, `"bulk"`, `"tail"`) and the `posterior` R
//! package compute them, which the tests compare with:
//!
//! ```text
//! split:      each chain cut in two halves of ⌊n/2⌋ draws (the middle draw of an odd chain dropped)
//! rank-norm:  z = Φ⁻¹((rank − 3/8) / (S + 1/4)), ranks over all S draws, ties averaged
//! R̂(x):       B = n · var(chain means), W = mean(chain variances) (both with n−1 / m−1)
//!             R̂ = √((B/W + n − 1) / n)
//! r_hat       = max(R̂(z(split x)), R̂(z(split |x − median x|)))
//! ESS(x):     autocorrelation ρ̂ₜ = 1 − (W − mean_c acovₜ) / var⁺,  var⁺ = W (n−1)/n + var(chain means)
//!             summed in pairs while positive (Geyer 1992, initial monotone sequence)
//!             τ̂ = −1 + 2 Σₜ ρ̂ₜ,  ESS = m n / max(τ̂, 1/log10(m n))
//! ess_bulk    = ESS(z(split x))
//! ess_tail    = min(ESS(split 1{x ≤ q₀.₀₅}), ESS(split 1{x ≤ q₀.₉₅}))
//! ```
//!
//! Autocovariances are computed directly (O(n²) per chain), which for the
//! draws of a sampling run (≤ a few thousand per chain) costs less than the
//! sampling; no FFT crate is needed.

use statrs::distribution::{ContinuousCDF, Normal};

/// Splits each chain in two halves of ⌊n/2⌋ draws.
fn split(chains: &[&[f64]]) -> Vec<Vec<f64>> {
    let mut out = Vec::with_capacity(2 * chains.len());
    for c in chains {
        let half = c.len() / 2;
        out.push(c[..half].to_vec());
        out.push(c[c.len() - half..].to_vec());
    }
    out
}

/// Ranks (1-based, ties averaged) of all values, normalised to normal
/// scores `Φ⁻¹((r − 3/8)/(S + 1/4))`, keeping the chain layout.
fn z_scale(chains: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let all: Vec<f64> = chains.iter().flatten().copied().collect();
    let s = all.len();
    let mut order: Vec<usize> = (0..s).collect();
    order.sort_by(|&i, &j| all[i].total_cmp(&all[j]));
    let mut rank = vec![0.0; s];
    let mut i = 0;
    while i < s {
        let mut j = i;
        while j + 1 < s && all[order[j + 1]] == all[order[i]] {
            j += 1;
        }
        // positions i..=j (0-based) share the average 1-based rank
        #[allow(clippy::cast_precision_loss)]
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            rank[k] = r;
        }
        i = j + 1;
    }
    let normal = Normal::standard();
    #[allow(clippy::cast_precision_loss)]
    let denom = s as f64 + 0.25;
    let mut k = 0;
    chains
        .iter()
        .map(|c| {
            c.iter()
                .map(|_| {
                    let z = normal.inverse_cdf((rank[k] - 0.375) / denom);
                    k += 1;
                    z
                })
                .collect()
        })
        .collect()
}

fn mean(x: &[f64]) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let n = x.len() as f64;
    x.iter().sum::<f64>() / n
}

/// Sample variance (n − 1).
fn var(x: &[f64]) -> f64 {
    let m = mean(x);
    #[allow(clippy::cast_precision_loss)]
    let n = x.len() as f64;
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0)
}

/// The classic R̂ of equal-length chains (module docs); NaN with fewer than
/// two chains or two draws, 1 for constant draws.
fn rhat_plain(chains: &[Vec<f64>]) -> f64 {
    let n = chains.iter().map(Vec::len).min().unwrap_or(0);
    if chains.len() < 2 || n < 2 {
        return f64::NAN;
    }
    #[allow(clippy::cast_precision_loss)]
    let nf = n as f64;
    let means: Vec<f64> = chains.iter().map(|c| mean(c)).collect();
    let between = nf * var(&means);
    let within = mean(&chains.iter().map(|c| var(c)).collect::<Vec<_>>());
    if within == 0.0 {
        return if between == 0.0 { 1.0 } else { f64::INFINITY };
    }
    ((between / within + nf - 1.0) / nf).sqrt()
}

/// The effective sample size of equal-length chains (module docs; ArviZ's
/// `_ess`). NaN with fewer than four draws per chain.
fn ess_plain(chains: &[Vec<f64>]) -> f64 {
    let m = chains.len();
    let n = chains.iter().map(Vec::len).min().unwrap_or(0);
    if m == 0 || n < 4 {
        return f64::NAN;
    }
    #[allow(clippy::cast_precision_loss)]
    let (mf, nf) = (m as f64, n as f64);
    // biased autocovariances (divided by n) of each chain at lags 0..n
    let acov: Vec<Vec<f64>> = chains
        .iter()
        .map(|c| {
            let mu = mean(&c[..n]);
            let d: Vec<f64> = c[..n].iter().map(|v| v - mu).collect();
            (0..n)
                .map(|t| (0..n - t).map(|i| d[i] * d[i + t]).sum::<f64>() / nf)
                .collect()
        })
        .collect();
    let chain_means: Vec<f64> = chains.iter().map(|c| mean(&c[..n])).collect();
    let mean_var = acov.iter().map(|a| a[0]).sum::<f64>() / mf * nf / (nf - 1.0);
    let mut var_plus = mean_var * (nf - 1.0) / nf;
    if m > 1 {
        var_plus += var(&chain_means);
    }
    if var_plus == 0.0 || !var_plus.is_finite() {
        return if var_plus == 0.0 { mf * nf } else { f64::NAN };
    }
    let mean_acov = |t: usize| acov.iter().map(|a| a[t]).sum::<f64>() / mf;
    let rho = |t: usize| 1.0 - (mean_var - mean_acov(t)) / var_plus;
    let mut rho_t = vec![0.0; n];
    rho_t[0] = 1.0;
    let mut rho_even = 1.0;
    rho_t[1] = rho(1);
    let mut rho_odd = rho_t[1];
    let mut t = 1;
    while t < n - 3 && rho_even + rho_odd > 0.0 {
        rho_even = rho(t + 1);
        rho_odd = rho(t + 2);
        if rho_even + rho_odd >= 0.0 {
            rho_t[t + 1] = rho_even;
            rho_t[t + 2] = rho_odd;
        }
        t += 2;
    }
    let max_t = t - 2;
    if rho_even > 0.0 {
        rho_t[max_t + 1] = rho_even;
    }
    // Geyer's initial monotone sequence
    let mut t = 1;
    while t + 2 <= max_t {
        if rho_t[t + 1] + rho_t[t + 2] > rho_t[t - 1] + rho_t[t] {
            rho_t[t + 1] = (rho_t[t - 1] + rho_t[t]) / 2.0;
            rho_t[t + 2] = rho_t[t + 1];
        }
        t += 2;
    }
    let total = mf * nf;
    let tau = -1.0
        + 2.0 * rho_t[..=max_t].iter().sum::<f64>()
        + rho_t[max_t + 1..(max_t + 2).min(n)].iter().sum::<f64>();
    total / tau.max(1.0 / total.log10())
}

/// Rank-normalised split R-hat (module docs), the maximum of the bulk and
/// the folded (tail) R-hat. NaN for fewer than 4 draws per chain.
///
/// ```
/// use clv::bayes::convergence::r_hat;
/// // two chains that do not overlap at all: far from converged
/// let a: Vec<f64> = (0..100).map(f64::from).collect();
/// let b: Vec<f64> = a.iter().map(|v| v + 1e3).collect();
/// assert!(r_hat(&[&a, &b]) > 1.5);
/// ```
#[must_use]
pub fn r_hat(chains: &[&[f64]]) -> f64 {
    if chains.iter().any(|c| c.len() < 4) || chains.is_empty() {
        return f64::NAN;
    }
    let s = split(chains);
    let bulk = rhat_plain(&z_scale(&s));
    let all: Vec<f64> = chains.iter().flat_map(|c| c.iter().copied()).collect();
    let med = median(&all);
    let folded: Vec<Vec<f64>> = s
        .iter()
        .map(|c| c.iter().map(|v| (v - med).abs()).collect())
        .collect();
    let tail = rhat_plain(&z_scale(&folded));
    bulk.max(tail)
}

/// Bulk effective sample size: the ESS of the rank-normalised split chains.
#[must_use]
pub fn ess_bulk(chains: &[&[f64]]) -> f64 {
    if chains.iter().any(|c| c.len() < 8) || chains.is_empty() {
        return f64::NAN;
    }
    ess_plain(&z_scale(&split(chains)))
}

/// Tail effective sample size: the smaller ESS of the indicators of the 5%
/// and the 95% quantile (split chains).
#[must_use]
pub fn ess_tail(chains: &[&[f64]]) -> f64 {
    if chains.iter().any(|c| c.len() < 8) || chains.is_empty() {
        return f64::NAN;
    }
    let all: Vec<f64> = chains.iter().flat_map(|c| c.iter().copied()).collect();
    let mut sorted = all;
    sorted.sort_by(f64::total_cmp);
    let s = split(chains);
    let ind = |q: f64| {
        let cut = crate::uncertainty::quantile_sorted(&sorted, q);
        let v: Vec<Vec<f64>> = s
            .iter()
            .map(|c| {
                c.iter()
                    .map(|&x| if x <= cut { 1.0 } else { 0.0 })
                    .collect()
            })
            .collect();
        ess_plain(&v)
    };
    ind(0.05).min(ind(0.95))
}

fn median(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    crate::uncertainty::quantile_sorted(&v, 0.5)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::simulate::Rng;

    fn normal_chains(m: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = Rng::new(seed);
        (0..m)
            .map(|_| (0..n).map(|_| rng.normal()).collect())
            .collect()
    }

    fn refs(c: &[Vec<f64>]) -> Vec<&[f64]> {
        c.iter().map(Vec::as_slice).collect()
    }

    #[test]
    fn iid_normal_draws_have_r_hat_one_and_ess_n() {
        let c = normal_chains(4, 1000, 7);
        let r = refs(&c);
        let rh = r_hat(&r);
        assert!((rh - 1.0).abs() < 0.01, "{rh}");
        // ESS of iid draws ≈ 4000 (sampling error of the estimate ~ ±10%)
        let (b, t) = (ess_bulk(&r), ess_tail(&r));
        assert!((3400.0..4600.0).contains(&b), "{b}");
        assert!((3000.0..5000.0).contains(&t), "{t}");
    }

    #[test]
    fn ar1_chains_have_the_theoretical_ess() {
        // x_t = ρ x_{t−1} + √(1−ρ²) ε_t has integrated autocorrelation
        // time τ = (1+ρ)/(1−ρ): ESS = m n (1−ρ)/(1+ρ) = 40000/3 for ρ = 0.5.
        let (m, n, rho) = (4, 10_000, 0.5_f64);
        let mut rng = Rng::new(3);
        let c: Vec<Vec<f64>> = (0..m)
            .map(|_| {
                let mut x = rng.normal();
                (0..n)
                    .map(|_| {
                        x = rho * x + (1.0 - rho * rho).sqrt() * rng.normal();
                        x
                    })
                    .collect()
            })
            .collect();
        let b = ess_bulk(&refs(&c));
        let want = 40_000.0 / 3.0;
        assert!((b / want - 1.0).abs() < 0.1, "{b} vs {want}");
        assert!((r_hat(&refs(&c)) - 1.0).abs() < 0.01);
    }

    #[test]
    fn classic_r_hat_by_hand() {
        // chains [1,2,3,4] and [5,6,7,8] (unsplit, untransformed): chain
        // means 2.5, 6.5, variances 5/3 each; B = 4 · var(2.5, 6.5) = 4 · 8
        // = 32, W = 5/3; R̂ = √((32/(5/3) + 3)/4) = √(22.2/4) = 2.3558…
        let c = vec![vec![1.0, 2.0, 3.0, 4.0], vec![5.0, 6.0, 7.0, 8.0]];
        let want = ((32.0 / (5.0 / 3.0) + 3.0) / 4.0_f64).sqrt();
        assert!((rhat_plain(&c) - want).abs() < 1e-14);
        // ranks 1..8 over both chains: z-scores are symmetric, and split
        // chains [1,2],[3,4],[5,6],[7,8] are far apart
        assert!(r_hat(&[&c[0], &c[1]]) > 2.0);
    }

    #[test]
    fn shifted_chain_is_flagged() {
        let mut c = normal_chains(4, 500, 11);
        for v in &mut c[3] {
            *v += 1.0;
        }
        assert!(r_hat(&refs(&c)) > 1.05);
    }

    /// Deterministic chains, also built in Python, with the values ArviZ
    /// 0.23.4 gives for them (`az.rhat(x, method="rank")`, `az.ess(x,
    /// method="bulk")`, `az.ess(x, method="tail")`, computed on 2026-12-01):
    /// x[c][i] = sin(0.37 (i+1) + c) + 0.5 cos(1.3 i (c+1)) + 0.2 c, 4 × 100;
    /// and the same rounded to quarters (ties) and cut to 75 draws (odd
    /// halves).
    #[test]
    fn matches_arviz_on_fixed_chains() {
        let x: Vec<Vec<f64>> = (0..4)
            .map(|c| {
                let c = f64::from(c);
                (0..100)
                    .map(|i| {
                        let i = f64::from(i);
                        (0.37 * (i + 1.0) + c).sin() + 0.5 * (1.3 * i * (c + 1.0)).cos() + 0.2 * c
                    })
                    .collect()
            })
            .collect();
        // R-hat, bulk and tail ESS of `chains` equal `want` to 1e-9 relative
        let check = |chains: &[Vec<f64>], want: [f64; 3]| {
            let r = refs(chains);
            let got = [r_hat(&r), ess_bulk(&r), ess_tail(&r)];
            for (g, w) in got.iter().zip(want) {
                assert!((g - w).abs() < 1e-9 * w.abs(), "{got:?} != {want:?}");
            }
        };
        check(
            &x,
            [
                1.038_883_145_882_106_4,
                93.703_947_633_512_63,
                227.704_941_232_119_1,
            ],
        );
        let y: Vec<Vec<f64>> = x
            .iter()
            .map(|c| c[..75].iter().map(|v| (v * 4.0).round() / 4.0).collect())
            .collect();
        check(
            &y,
            [
                1.019_809_688_739_101,
                73.271_899_211_887_36,
                177.225_569_831_735_56,
            ],
        );
    }

    #[test]
    fn z_scale_averages_ties() {
        let z = z_scale(&[vec![1.0, 1.0, 2.0]]);
        assert_eq!(z[0][0], z[0][1]);
        // rank 1.5 of 3: Φ⁻¹((1.5 − 0.375)/3.25) = Φ⁻¹(0.34615…)
        let want = Normal::standard().inverse_cdf(1.125 / 3.25);
        assert!((z[0][0] - want).abs() < 1e-12);
    }
}
