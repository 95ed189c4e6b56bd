//! Simulation tests: data generated from BG/NBD, MBG/NBD and Gamma-Gamma
//! with known parameters is recovered by the fit within 3 standard errors.
//! The generator is a seeded xorshift64* with inverse-CDF exponentials,
//! Marsaglia–Tsang gammas and beta = G₁/(G₁+G₂), written here so that the
//! data are identical on every platform.
#![allow(clippy::unwrap_used)]

use clv::fit::FitOptions;
use clv::{BetaGeo, GammaGamma, Model, ModelInfo, ModifiedBetaGeo};

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        // xorshift64* (Vigna 2016)
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        // Box–Muller
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    fn exponential(&mut self, rate: f64) -> f64 {
        -self.uniform().ln() / rate
    }
    /// Gamma(shape k, scale 1): Marsaglia & Tsang (2000); k < 1 via G(k+1)·U^(1/k).
    fn gamma(&mut self, k: f64) -> f64 {
        if k < 1.0 {
            return self.gamma(k + 1.0) * self.uniform().powf(1.0 / k);
        }
        let d = k - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let z = self.normal();
            let v = (1.0 + c * z).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = self.uniform();
            if u.ln() < 0.5 * z * z + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }
    fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        x / (x + self.gamma(b))
    }
}

/// Simulates (x, t_x, T) for customers observed for `t_obs` units.
/// `drop_at_zero`: MBG/NBD (the customer may also drop out right after the
/// first purchase) instead of BG/NBD.
fn simulate(
    rng: &mut Rng,
    n: usize,
    params: [f64; 4],
    drop_at_zero: bool,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let [r, alpha, a, b] = params;
    let (mut xs, mut txs, mut ts) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        // ages spread over 20..52 units
        let t_obs = 20.0 + 32.0 * (i as f64 / n as f64);
        let lambda = rng.gamma(r) / alpha;
        let p = rng.beta(a, b);
        let (mut x, mut tx, mut t) = (0.0, 0.0, 0.0);
        let mut alive = !(drop_at_zero && rng.uniform() < p);
        while alive {
            t += rng.exponential(lambda);
            if t > t_obs {
                break;
            }
            x += 1.0;
            tx = t;
            alive = rng.uniform() >= p;
        }
        xs.push(x);
        txs.push(tx);
        ts.push(t_obs);
    }
    (xs, txs, ts)
}

fn assert_recovered(name: &str, truth: &[f64], got: &[(&str, f64)], se: &[f64]) {
    for ((k, (pn, est)), s) in truth.iter().zip(got).zip(se) {
        assert!(
            (est - k).abs() < 3.0 * s,
            "{name} {pn}: estimate {est} vs true {k} (SE {s})"
        );
    }
}

#[test]
fn bg_nbd_recovers_parameters() {
    let truth = [0.5, 6.0, 0.8, 2.5];
    let (x, tx, t) = simulate(&mut Rng(0x9E37_79B9_7F4A_7C15), 6000, truth, false);
    let m = BetaGeo::fit(&[&x, &tx, &t], None, &FitOptions::default()).unwrap();
    assert_recovered(
        "BG/NBD",
        &truth,
        &m.params(),
        &m.fit_info().unwrap().std_errors,
    );
}

#[test]
fn mbg_nbd_recovers_parameters() {
    let truth = [0.5, 6.0, 0.8, 2.5];
    let (x, tx, t) = simulate(&mut Rng(0x0123_4567_89AB_CDEF), 6000, truth, true);
    let m = ModifiedBetaGeo::fit(&[&x, &tx, &t], None, &FitOptions::default()).unwrap();
    assert_recovered(
        "MBG/NBD",
        &truth,
        &m.params(),
        &m.fit_info().unwrap().std_errors,
    );
}

#[test]
fn gamma_gamma_recovers_parameters() {
    // ν ~ Gamma(q, rate v); each transaction ~ Gamma(p, rate ν); z̄ = mean of x transactions.
    let (p, q, v) = (6.0, 4.0, 15.0);
    let mut rng = Rng(42);
    let (mut xs, mut ms) = (Vec::new(), Vec::new());
    for i in 0..3000 {
        let x = 1 + i % 6;
        let nu = rng.gamma(q) / v;
        let total: f64 = (0..x).map(|_| rng.gamma(p) / nu).sum();
        xs.push(x as f64);
        ms.push(total / x as f64);
    }
    let g = GammaGamma::fit(&[&xs, &ms], None, &FitOptions::default()).unwrap();
    assert_recovered(
        "Gamma-Gamma",
        &[p, q, v],
        &g.params(),
        &g.fit_info().unwrap().std_errors,
    );
}
