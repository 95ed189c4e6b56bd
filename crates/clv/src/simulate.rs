//! Seeded simulation of customer bases from the transaction models: the
//! same seed gives the same data in Rust, Python, Node and WebAssembly.
//!
//! Each customer draws their individual rates from the model's mixing
//! distributions, then lives the model's story (the papers of
//! [`crate::models`]):
//!
//! - **BG/NBD** (Fader, Hardie & Lee 2005): λ ~ Gamma(r, α), p ~ Beta(a, b);
//!   purchases as a Poisson process of rate λ from the first purchase at
//!   time 0; after each repeat purchase the customer drops out with
//!   probability p.
//! - **MBG/NBD** (Batislam, Denizel & Filiztekin 2007): as BG/NBD, and the
//!   customer may also drop out right after the first purchase (time 0).
//! - **Pareto/NBD** (Schmittlein, Morrison & Colombo 1987): λ ~ Gamma(r, α),
//!   μ ~ Gamma(s, β), lifetime τ ~ Exponential(μ); purchases at rate λ
//!   during (0, min(τ, T)].
//! - **GGom/NBD** (Bemmaor & Glady 2012): λ ~ Gamma(r, α), η ~ Gamma(s, β),
//!   lifetime τ Gompertz with `P(τ > t) = exp(−η (e^{bt} − 1))`, drawn by
//!   inversion `τ = ln(1 − ln U / η) / b`.
//! - **BG/BB** (Fader, Hardie & Shang 2010): p ~ Beta(α, β), θ ~ Beta(γ, δ);
//!   at each of the `n` opportunities the customer first survives with
//!   probability 1 − θ, then buys with probability p (and faces one last
//!   dropout opportunity after the n-th, as the paper's simulation).
//!
//! Per customer: `frequency` = repeat purchases, `recency` = time of the
//! last (0 without one), `T` as given; BG/BB counts opportunities (recency =
//! the last opportunity with a purchase).
//!
//! The other families ([`simulate_spend`], [`simulate_survivors`]):
//!
//! - **Gamma-Gamma** (Fader & Hardie 2013; Colombo & Jiang 1999): ν ~
//!   Gamma(q, rate γ), each of a customer's x transactions ~ Gamma(p, rate
//!   ν); the customer's mean spend z̄ = the mean of the x values.
//! - **sBG** (Fader & Hardie 2007): θ ~ Beta(α, β) per customer, who then
//!   churns at the end of each period with probability θ; the survivor curve
//!   counts the customers still active after each period.
//!
//! **Randomness** is ours, written out so that every platform draws the
//! same numbers (no dependency on a crate's algorithm or version): the
//! seed goes through SplitMix64 (Steele, Lea & Flood 2014) into a
//! xorshift64* generator (Vigna 2016); uniforms from the top 53 bits;
//! exponentials by inversion; normals by Marsaglia's polar method; gammas
//! by Marsaglia & Tsang (2000, with `G(k) = G(k+1)·U^{1/k}` for k < 1);
//! betas as `G₁/(G₁+G₂)`. Only `+ − × ÷ √` (exact in IEEE 754), `ln`, `exp`
//! and `powf` are used, so runtimes agree up to their `ln`/`exp`/`pow`
//! rounding.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::models::{AnyModel, ModelInfo, ModelKind};

/// The random number generator of [`simulate`] (see the module docs).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from any seed (SplitMix64 scrambles it, so 0 works).
    #[must_use]
    pub fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    /// The next 64 random bits (xorshift64*).
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in (0, 1), never 0 or 1.
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Exponential with the given rate.
    pub fn exponential(&mut self, rate: f64) -> f64 {
        -self.uniform().ln() / rate
    }

    /// Standard normal (Marsaglia's polar method, one of the pair).
    pub fn normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * s.ln() / s).sqrt();
            }
        }
    }

    /// Gamma with shape `k` and scale 1 (Marsaglia & Tsang 2000).
    pub fn gamma(&mut self, k: f64) -> f64 {
        if k < 1.0 {
            let g = self.gamma(k + 1.0);
            return g * self.uniform().powf(1.0 / k);
        }
        let d = k - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let z = self.normal();
            let v = 1.0 + c * z;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.uniform();
            if u.ln() < 0.5 * z * z + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }

    /// Beta(a, b) as `G(a) / (G(a) + G(b))`.
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        let y = self.gamma(b);
        x / (x + y)
    }
}

/// A simulated customer base ([`simulate`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Simulated {
    /// Repeat purchases `x`.
    pub frequency: Vec<f64>,
    /// Time of the last purchase `t_x` (BG/BB: the last opportunity with a
    /// purchase); 0 without a repeat purchase.
    pub recency: Vec<f64>,
    /// Age `T` (BG/BB: opportunities `n`), as given.
    #[serde(rename = "T")]
    pub t: Vec<f64>,
    /// The customer's purchase rate λ (BG/BB: purchase probability p).
    pub rate: Vec<f64>,
    /// The customer's dropout parameter: p (BG/NBD, MBG/NBD), μ
    /// (Pareto/NBD), η (GGom/NBD), θ (BG/BB).
    pub dropout: Vec<f64>,
    /// Whether the customer is still alive at `T`.
    pub alive: Vec<bool>,
    /// Customer (0-based) of each repeat purchase, in order.
    pub purchase_customer: Vec<usize>,
    /// Time of each repeat purchase after the customer's first (BG/BB: the
    /// opportunity, 1..n).
    pub purchase_time: Vec<f64>,
}

/// Most repeat purchases one simulation may draw (a guard against rates
/// that would take forever).
pub const MAX_PURCHASES: usize = 50_000_000;

/// Simulates one customer per element of `t` (their age `T`, BG/BB: their
/// number of opportunities, a whole number) from a transaction model with
/// known parameters, with the generator seeded by `seed` (module docs).
///
/// # Errors
/// [`Error::InvalidValue`] for an age that is not finite and ≥ 0 (BG/BB: a
/// whole number), or when the draws exceed [`MAX_PURCHASES`] purchases
/// (field `T`); [`Error::Unsupported`] for a model that is not a
/// transaction model.
pub fn simulate(model: &AnyModel, t: &[f64], seed: u64) -> Result<Simulated> {
    let kind = model.kind();
    let v = model.values();
    let discrete = kind == ModelKind::BgBb;
    for (i, &ti) in t.iter().enumerate() {
        if !(ti.is_finite() && ti >= 0.0) || (discrete && ti.fract() != 0.0) {
            let what = if discrete {
                "a whole number of opportunities >= 0"
            } else {
                "a finite age >= 0"
            };
            return Err(Error::invalid_at("T", i, ti, what));
        }
    }
    let mut rng = Rng::new(seed);
    let n = t.len();
    let mut out = Simulated {
        frequency: Vec::with_capacity(n),
        recency: Vec::with_capacity(n),
        t: t.to_vec(),
        rate: Vec::with_capacity(n),
        dropout: Vec::with_capacity(n),
        alive: Vec::with_capacity(n),
        purchase_customer: Vec::new(),
        purchase_time: Vec::new(),
    };
    for (i, &age) in t.iter().enumerate() {
        let before = out.purchase_time.len();
        let (rate, dropout, alive) = match kind {
            ModelKind::BgNbd | ModelKind::MbgNbd => {
                let lambda = rng.gamma(v[0]) / v[1];
                let p = rng.beta(v[2], v[3]);
                let mut alive = kind == ModelKind::BgNbd || rng.uniform() > p;
                let mut now = 0.0;
                while alive {
                    now += rng.exponential(lambda);
                    if now >= age {
                        break;
                    }
                    out.purchase_time.push(now);
                    alive = rng.uniform() > p;
                }
                (lambda, p, alive)
            }
            ModelKind::ParetoNbd | ModelKind::GgomNbd => {
                let lambda = rng.gamma(v[0]) / v[1];
                let (rate, lifetime) = if kind == ModelKind::ParetoNbd {
                    let mu = rng.gamma(v[2]) / v[3];
                    (mu, rng.exponential(mu))
                } else {
                    let (b, eta) = (v[2], rng.gamma(v[3]) / v[4]);
                    (eta, (1.0 - rng.uniform().ln() / eta).ln() / b)
                };
                let end = lifetime.min(age);
                let mut now = rng.exponential(lambda);
                while now < end {
                    out.purchase_time.push(now);
                    now += rng.exponential(lambda);
                }
                (lambda, rate, lifetime > age)
            }
            ModelKind::BgBb => {
                let p = rng.beta(v[0], v[1]);
                let theta = rng.beta(v[2], v[3]);
                let mut alive = true;
                let mut k = 1.0;
                while k <= age {
                    alive = rng.uniform() >= theta;
                    if !alive {
                        break;
                    }
                    if rng.uniform() < p {
                        out.purchase_time.push(k);
                    }
                    k += 1.0;
                }
                if alive {
                    alive = rng.uniform() >= theta;
                }
                (p, theta, alive)
            }
            other => {
                return Err(Error::Unsupported {
                    model: other.spec().name.to_string(),
                    operation: "simulate".to_string(),
                    reason: "it simulates transaction models only".to_string(),
                });
            }
        };
        let count = out.purchase_time.len() - before;
        if out.purchase_time.len() > MAX_PURCHASES {
            return Err(Error::invalid_at(
                "T",
                i,
                age,
                format!(
                    "ages for which the simulation stays under {MAX_PURCHASES} purchases (the rates drawn are too high for them)"
                ),
            ));
        }
        out.purchase_customer.extend(std::iter::repeat_n(i, count));
        out.frequency.push(count as f64);
        out.recency.push(
            out.purchase_time
                .last()
                .filter(|_| count > 0)
                .copied()
                .unwrap_or(0.0),
        );
        out.rate.push(rate);
        out.dropout.push(dropout);
        out.alive.push(alive);
    }
    Ok(out)
}

/// Simulated spend ([`simulate_spend`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulatedSpend {
    /// The customers' numbers of transactions, as given.
    pub frequency: Vec<f64>,
    /// Mean spend per transaction (0 for a customer without one).
    pub monetary_value: Vec<f64>,
    /// The customer's rate ν (the scale of their spend: E[z | ν] = p/ν).
    pub nu: Vec<f64>,
}

/// Simulates the mean spend of customers with `frequency[i]` transactions
/// each (whole numbers ≥ 0) from a Gamma-Gamma model with known parameters
/// (module docs), seeded by `seed`.
///
/// # Errors
/// [`Error::InvalidValue`] for a frequency that is not a whole number ≥ 0
/// (or above 10⁷); [`Error::Unsupported`] for another model.
pub fn simulate_spend(model: &AnyModel, frequency: &[f64], seed: u64) -> Result<SimulatedSpend> {
    let gg = model.gamma_gamma("simulate_spend")?;
    let v = gg.values();
    let (p, q, gamma) = (v[0], v[1], v[2]);
    let mut rng = Rng::new(seed);
    let mut out = SimulatedSpend {
        frequency: frequency.to_vec(),
        monetary_value: Vec::with_capacity(frequency.len()),
        nu: Vec::with_capacity(frequency.len()),
    };
    for (i, &x) in frequency.iter().enumerate() {
        if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= 1e7) {
            return Err(Error::invalid_at(
                "frequency",
                i,
                x,
                "a whole number of transactions in [0, 1e7]",
            ));
        }
        let nu = rng.gamma(q) / gamma;
        let total: f64 = (0..x as u64).map(|_| rng.gamma(p) / nu).sum();
        out.monetary_value
            .push(if x > 0.0 { total / x } else { 0.0 });
        out.nu.push(nu);
    }
    Ok(out)
}

/// Simulates a cohort of `size` customers of an sBG model with known
/// parameters over `periods` periods (module docs), seeded by `seed`: the
/// survivor curve, element 0 the cohort size and element t the customers
/// still active after t periods (what `ShiftedBetaGeo` is fitted to).
///
/// # Errors
/// [`Error::InvalidValue`] for a size above 10⁸ or more than 10⁶ periods;
/// [`Error::Unsupported`] for another model.
pub fn simulate_survivors(
    model: &AnyModel,
    size: usize,
    periods: usize,
    seed: u64,
) -> Result<Vec<f64>> {
    let sbg = model.retention("simulate_survivors")?;
    if size > 100_000_000 {
        return Err(Error::invalid("size", size, "at most 1e8 customers"));
    }
    if periods > 1_000_000 {
        return Err(Error::invalid("periods", periods, "at most 1e6 periods"));
    }
    let v = sbg.values();
    let mut rng = Rng::new(seed);
    let mut survivors = vec![0.0; periods + 1];
    for _ in 0..size {
        let theta = rng.beta(v[0], v[1]);
        survivors[0] += 1.0;
        for s in survivors.iter_mut().skip(1) {
            if rng.uniform() < theta {
                break;
            }
            *s += 1.0;
        }
    }
    Ok(survivors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::FitOptions;
    use crate::models::TransactionModel;

    #[test]
    fn same_seed_same_data() {
        let m = AnyModel::from_values(ModelKind::BgNbd, &[0.243, 4.414, 0.793, 2.426]).unwrap();
        let a = simulate(&m, &[38.86; 50], 7).unwrap();
        let b = simulate(&m, &[38.86; 50], 7).unwrap();
        let c = simulate(&m, &[38.86; 50], 8).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        // The first numbers of the generator, computed independently (SplitMix64 then
        // xorshift64* written out in Python's integers): a change of algorithm shows here.
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0x7bbc_b40d_5506_82d0);
        assert_eq!(r.next_u64(), 0xde7f_e413_d00c_c9fd);
        assert_eq!(Rng::new(42).uniform(), 0.194_105_917_534_182_66);
        // Pinned simulation, also checked by the Python suite
        // (bindings/python/tests/test_compat_generate_data.py): FHL (2005) BG/NBD,
        // 40 customers of age 39, seed 7; customer 32 makes 23 repeat purchases.
        let s = simulate(&m, &[39.0; 40], 7).unwrap();
        let total: f64 = s.frequency.iter().sum();
        assert_eq!((s.frequency[32], total), (23.0, 88.0));
        assert_eq!(s.recency[32], 37.609_161_266_098_64);
        assert_eq!(s.rate[32], 0.464_162_623_735_558_55);
    }

    #[test]
    fn draws_have_their_moments() {
        let mut r = Rng::new(42);
        let n = 200_000;
        let (mut s1, mut s2) = (0.0, 0.0);
        for _ in 0..n {
            let g = r.gamma(0.7);
            s1 += g;
            s2 += g * g;
        }
        let mean = s1 / n as f64;
        let var = s2 / n as f64 - mean * mean;
        // Gamma(0.7, 1): mean 0.7, variance 0.7
        assert!(
            (mean - 0.7).abs() < 0.01 && (var - 0.7).abs() < 0.03,
            "{mean} {var}"
        );
        let b: f64 = (0..n).map(|_| r.beta(2.0, 5.0)).sum::<f64>() / n as f64;
        assert!((b - 2.0 / 7.0).abs() < 0.003, "{b}");
    }

    /// Simulated data agree with the model: the mean repeat purchases of new
    /// customers observed for T is E[X(T)], and a fit recovers the parameters.
    #[test]
    fn simulations_follow_their_models() {
        let cases: [(ModelKind, &[f64], f64); 5] = [
            (ModelKind::BgNbd, &[0.243, 4.414, 0.793, 2.426], 39.0),
            (ModelKind::MbgNbd, &[0.525, 6.183, 0.891, 1.614], 39.0),
            (ModelKind::ParetoNbd, &[0.553, 10.578, 0.606, 11.669], 39.0),
            (ModelKind::GgomNbd, &[0.55, 10.5, 0.05, 0.6, 2.0], 39.0),
            (ModelKind::BgBb, &[1.204, 0.750, 0.657, 2.783], 6.0),
        ];
        for (kind, params, age) in cases {
            let m = AnyModel::from_values(kind, params).unwrap();
            let n = 20_000;
            let s = simulate(&m, &vec![age; n], 2024).unwrap();
            let mean = s.frequency.iter().sum::<f64>() / n as f64;
            let want = m.expected_purchases_new(age).unwrap();
            let var = s.frequency.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            let se = (var / n as f64).sqrt();
            assert!(
                (mean - want).abs() < 4.0 * se,
                "{kind:?}: {mean} vs {want} (se {se})"
            );
            // P(X = 0) too
            let zero = s.frequency.iter().filter(|&&x| x == 0.0).count() as f64 / n as f64;
            let p0 = m.prob_purchases(0, age).unwrap();
            assert!(
                (zero - p0).abs() < 4.0 * (p0 * (1.0 - p0) / n as f64).sqrt(),
                "{kind:?}"
            );
            assert!(s.recency.iter().zip(&s.t).all(|(r, t)| r <= t));
            assert_eq!(
                s.purchase_customer.len() as f64,
                s.frequency.iter().sum::<f64>()
            );
        }
        // a BG/NBD fit on simulated data finds the parameters again (within 3 SE)
        let truth = [0.243, 4.414, 0.793, 2.426];
        let m = AnyModel::from_values(ModelKind::BgNbd, &truth).unwrap();
        let s = simulate(&m, &vec![39.0; 20_000], 99).unwrap();
        let fit = AnyModel::fit(
            ModelKind::BgNbd,
            &[&s.frequency, &s.recency, &s.t],
            None,
            &FitOptions::default(),
        )
        .unwrap();
        let info = fit.fit_info().unwrap();
        for (i, (&got, want)) in fit.values().iter().zip(truth).enumerate() {
            assert!(
                (got - want).abs() < 3.0 * info.std_errors[i],
                "{i}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn spend_and_survivors_follow_their_models() {
        // Gamma-Gamma (FH 2013's CDNOW values): E[z̄] = p·γ/(q − 1) for every x
        let g = AnyModel::from_values(ModelKind::GammaGamma, &[6.25, 3.74, 15.44]).unwrap();
        let x = vec![3.0; 40_000];
        let s = simulate_spend(&g, &x, 5).unwrap();
        let n = x.len() as f64;
        let mean = s.monetary_value.iter().sum::<f64>() / n;
        let var = s
            .monetary_value
            .iter()
            .map(|m| (m - mean).powi(2))
            .sum::<f64>()
            / n;
        let want = 6.25 * 15.44 / (3.74 - 1.0);
        assert!(
            (mean - want).abs() < 4.0 * (var / n).sqrt(),
            "{mean} vs {want}"
        );
        assert_eq!(
            simulate_spend(&g, &[0.0], 1).unwrap().monetary_value,
            vec![0.0]
        );
        assert_eq!(
            simulate_spend(&g, &[1.5], 1).unwrap_err().field(),
            Some("frequency")
        );
        // sBG "regular" cohort (FH 2007): survivors/size tracks S(t)
        let m = AnyModel::from_values(ModelKind::Sbg, &[0.704, 1.182]).unwrap();
        let size = 100_000;
        let c = simulate_survivors(&m, size, 7, 3).unwrap();
        assert_eq!(c[0], size as f64);
        let sbg = m.retention("survival").unwrap();
        for (t, &got) in c.iter().enumerate() {
            let p = sbg.survival(t as f64).unwrap();
            let se = (p * (1.0 - p) / size as f64).sqrt();
            assert!((got / size as f64 - p).abs() <= 4.0 * se + 1e-12, "t = {t}");
        }
        assert_eq!(
            simulate_spend(&m, &[1.0], 1).unwrap_err().code(),
            "NOT_SUPPORTED"
        );
        // pinned draws, also checked by the Python and JS suites
        let s = simulate_spend(&g, &[1.0, 2.0, 3.0], 9).unwrap();
        assert_eq!(
            s.monetary_value,
            vec![
                136.756_204_156_029_6,
                17.551_443_392_468_776,
                84.099_092_085_286_24
            ]
        );
        assert_eq!(
            simulate_survivors(&m, 1000, 7, 2).unwrap(),
            vec![1000.0, 630.0, 477.0, 405.0, 350.0, 305.0, 278.0, 251.0]
        );
    }

    #[test]
    fn bad_input() {
        let m = AnyModel::from_values(ModelKind::BgBb, &[1.0, 1.0, 1.0, 1.0]).unwrap();
        let e = simulate(&m, &[3.0, 2.5], 1).unwrap_err();
        assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("T")));
        let g = AnyModel::from_values(ModelKind::GammaGamma, &[6.25, 3.74, 15.44]).unwrap();
        assert_eq!(simulate(&g, &[1.0], 1).unwrap_err().code(), "NOT_SUPPORTED");
    }
}
