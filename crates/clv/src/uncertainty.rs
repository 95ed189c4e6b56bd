//! # Parameter draws and prediction intervals
//!
//! A fitted model gives point predictions; [`Draws`] gives the uncertainty
//! that comes from estimating its parameters. A draws object holds `n`
//! parameter vectors θ⁽¹⁾ … θ⁽ⁿ⁾ of one model of the registry (any
//! [`ModelKind`]) and has the same predictions as the model, each returning
//! per customer the mean over the draws and the requested quantiles
//! ([`Intervals`]).
//!
//! ## Laplace draws ([`Method::Laplace`])
//!
//! The asymptotic normal approximation of the maximum-likelihood estimator,
//! taken on the log-parameter scale (where the fits are computed, and where
//! positive parameters stay positive):
//!
//! ```text
//! φ = ln θ ~ N(ln θ̂, Σ_log),   Σ_log = D⁻¹ Σ D⁻¹,   D = diag(θ̂)
//! θ⁽ᵈ⁾ = exp(ln θ̂ + L z⁽ᵈ⁾),   L Lᵀ = Σ_log (Cholesky),   z⁽ᵈ⁾ ~ N(0, I)
//! ```
//!
//! Σ = (−H)⁻¹ is the fit's covariance of the natural parameters
//! ([`FitInfo::covariance`](crate::fit::FitInfo::covariance)); Σ_log is its delta-method image
//! (∂ ln θᵢ/∂θᵢ = 1/θᵢ). The standard normals come from the crate's portable
//! generator [`crate::simulate::Rng`] (SplitMix64 → xorshift64*, Marsaglia's
//! polar method), seeded by `seed` and consumed draw by draw, component by
//! component, so every runtime gets the same draws.
//!
//! ## Bootstrap draws ([`Method::Bootstrap`])
//!
//! The nonparametric bootstrap (Efron & Tibshirani 1993, *An Introduction
//! to the Bootstrap*, ch. 6): resample the N customers with replacement and
//! refit, n times. On a compressed data set (distinct rows with whole-number
//! counts as weights) resampling customers is a multinomial reweighting of
//! the counts, and each refit is a weighted fit on the distinct rows through
//! [`crate::fit::fit_model`]. The resampling is defined on customers so that
//! compressed and expanded data give the same draws:
//!
//! 1. the rows are put in a canonical table: distinct input tuples sorted
//!    lexicographically (IEEE total order), each with its count cⱼ (the sum
//!    of the weights of its rows, which must be whole numbers);
//!    customer k ∈ [0, N) is the k-th of the cumulative layout;
//! 2. replicate b draws N customers uniformly with replacement (an unbiased
//!    integer in [0, N) by rejection from 64 random bits) from its own
//!    generator `Rng::new(s + b)`, `s` the first output of `Rng::new(seed)`,
//!    and counts how often each distinct row was drawn;
//! 3. the model is refitted to the distinct rows drawn at least once, with
//!    those counts as weights.
//!
//! Each replicate depends on its index only, so the refits run in parallel
//! (with the `parallel` feature) and give the same draws bit for bit on any
//! number of threads. A failed refit is an error (the replicate's own).
//! The sBG's survivor curve is not a table of customers: it has Laplace
//! draws only.
//!
//! ## Intervals
//!
//! Every prediction of [`Draws`] is computed block by block of
//! [`BLOCK`] customers: one block's `BLOCK × n` matrix of per-draw
//! predictions at a time, so memory is O(BLOCK · n + customers · quantiles),
//! never the whole n × customers matrix. Per customer: the mean over draws
//! (summed in draw order) and the quantiles of the draws by numpy's default
//! definition (linear interpolation, Hyndman & Fan 1996 type 7):
//!
//! ```text
//! sorted v₍₀₎ ≤ … ≤ v₍ₙ₋₁₎,  h = (n − 1) q,  j = ⌊h⌋
//! Q(q) = v₍ⱼ₎ + (h − j) (v₍ⱼ₊₁₎ − v₍ⱼ₎)
//! ```
//!
//! In the same pass, each draw's sum over the customers gives the portfolio
//! total's distribution ([`Intervals::total`]): e.g. the expected purchases
//! of the whole base over the horizon, or its CLV, with mean and quantiles.
//! Block sums are added in block order, so totals too are the same on any
//! number of threads.
//!
//! ```
//! use clv::uncertainty::{Draws, Method};
//! use clv::{AnyModel, ModelKind, fit::FitOptions};
//! // FH (2007) "regular" survivors, years 0-7
//! let s = [1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0];
//! let m = AnyModel::fit(ModelKind::Sbg, &[&s], None, &FitOptions::default())?;
//! let d = Draws::laplace(&m, 500, 1)?;
//! assert_eq!(d.len(), 500);
//! let again = Draws::laplace(&m, 500, 1)?;
//! assert_eq!(d.values(), again.values());
//! # Ok::<(), clv::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::error::{Error, Result, check};
use crate::fit::FitOptions;
use crate::models::{
    AnyModel, ModelInfo, ModelKind, ShiftedBetaGeo, SpendModel, TransactionModel, registry,
};
use crate::simulate::Rng;

/// Customers per block of an interval computation (see the module docs).
pub const BLOCK: usize = 512;

/// Blocks computed at once (in parallel with the `parallel` feature); their
/// per-draw sums are then added in block order.
const WAVE: usize = 8;

/// Most draws one object may hold.
pub const MAX_DRAWS: usize = 1_000_000;

/// Most resampled customers per bootstrap replicate (each replicate draws
/// one random number per customer).
pub const MAX_BOOTSTRAP_CUSTOMERS: f64 = 1e9;

/// The default quantiles of every interval: 5%, 50%, 95%.
pub const DEFAULT_QUANTILES: [f64; 3] = [0.05, 0.5, 0.95];

/// How parameter draws are made (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Multivariate normal on the log-parameter scale from the fit's
    /// covariance.
    Laplace,
    /// Customers resampled with replacement, model refitted.
    Bootstrap,
    /// Posterior draws of a Bayesian fit with NUTS ([`crate::bayes`]).
    Nuts,
}

impl Method {
    /// `"laplace"` or `"bootstrap"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Laplace => "laplace",
            Method::Bootstrap => "bootstrap",
            Method::Nuts => "nuts",
        }
    }
}

impl FromStr for Method {
    type Err = Error;

    /// `"laplace"` or `"bootstrap"`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] with field `method`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "laplace" => Ok(Method::Laplace),
            "bootstrap" => Ok(Method::Bootstrap),
            other => Err(Error::invalid(
                "method",
                format!("{other:?}"),
                "\"laplace\" or \"bootstrap\"",
            )),
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The data a bootstrap resamples: one array per name of the model's
/// [`ModelSpec::inputs`](crate::models::ModelSpec::inputs), and optional
/// whole-number counts per row.
#[derive(Debug, Clone, Copy)]
pub struct Data<'a> {
    /// One array per input name, of equal lengths.
    pub inputs: &'a [&'a [f64]],
    /// Whole-number counts per row (all ones when `None`).
    pub weights: Option<&'a [f64]>,
}

/// The JSON of [`Draws::to_json`].
#[derive(Serialize, serde::Deserialize)]
struct DrawsJson {
    format_version: u32,
    model: String,
    method: String,
    seed: u64,
    unit: Option<String>,
    params: Vec<String>,
    values: Vec<Vec<f64>>,
    nuts: Option<crate::bayes::NutsInfo>,
}

/// One block's results: per-customer means, per-quantile values, per-draw sums.
type BlockPart = (Vec<f64>, Vec<Vec<f64>>, Vec<f64>);

/// Parameter draws of one model (module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Draws {
    kind: ModelKind,
    method: Method,
    seed: u64,
    /// The fitted model's time unit ([`crate::fit::FitInfo::unit`]).
    unit: Option<String>,
    /// One model per draw, in draw order.
    models: Vec<AnyModel>,
    /// Chains, priors and divergences of NUTS draws.
    nuts: Option<crate::bayes::NutsInfo>,
}

/// Checks the number of draws.
fn check_n(n: usize) -> Result<()> {
    if n == 0 || n > MAX_DRAWS {
        return Err(Error::invalid(
            "n",
            n,
            format!("a number of draws in [1, {MAX_DRAWS}]"),
        ));
    }
    Ok(())
}

/// The elements `lo..hi` of `a`, one block of customers; an array of
/// length one (a value broadcast to every customer) as it is.
fn broadcast_block(a: &[f64], lo: usize, hi: usize) -> &[f64] {
    if a.len() == 1 { a } else { &a[lo..hi] }
}

/// Checks quantile levels: each finite and in [0, 1].
///
/// # Errors
/// [`Error::InvalidValue`] naming `quantiles` and the index.
pub fn check_quantiles(quantiles: &[f64]) -> Result<()> {
    for (i, &q) in quantiles.iter().enumerate() {
        if !(0.0..=1.0).contains(&q) {
            return Err(Error::invalid_at("quantiles", i, q, "a level in [0, 1]"));
        }
    }
    Ok(())
}

/// The quantiles of an interval of level `level` ∈ (0, 1): `((1 − level)/2,
/// 0.5, (1 + level)/2)`, e.g. 0.9 → (0.05, 0.5, 0.95).
///
/// # Errors
/// [`Error::InvalidValue`] with field `intervals` outside (0, 1).
pub fn central_quantiles(level: f64) -> Result<[f64; 3]> {
    if !(level > 0.0 && level < 1.0) {
        return Err(Error::invalid(
            "intervals",
            level,
            "an interval level in (0, 1), e.g. 0.9",
        ));
    }
    Ok([(1.0 - level) / 2.0, 0.5, (1.0 + level) / 2.0])
}

/// Quantile `q` of sorted values by linear interpolation (numpy's default,
/// Hyndman & Fan type 7): `h = (n − 1) q`, `v[⌊h⌋] + (h − ⌊h⌋)(v[⌊h⌋+1] − v[⌊h⌋])`.
///
/// ```
/// use clv::uncertainty::quantile_sorted;
/// // numpy.quantile([1, 2, 4, 8], 0.3) = 1.9: h = 3 · 0.3 = 0.9 → 1 + 0.9·(2 − 1)
/// assert!((quantile_sorted(&[1.0, 2.0, 4.0, 8.0], 0.3) - 1.9).abs() < 1e-15);
/// assert_eq!(quantile_sorted(&[1.0, 2.0, 4.0, 8.0], 1.0), 8.0);
/// ```
#[must_use]
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    #[allow(clippy::cast_precision_loss)]
    let h = (n - 1) as f64 * q;
    let j = h.floor();
    // h in [0, n − 1]: the cast is exact and in range
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let lo = (j as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - j) * (sorted[hi] - sorted[lo])
}

/// Mean and quantiles of a sample (mean summed in order). The quantiles are
/// those of [`quantile_sorted`] on the sorted sample, found by selection
/// (O(n) per level instead of a sort): the order statistics v₍ⱼ₎ and
/// v₍ⱼ₊₁₎ are the same numbers. The sample is reordered in place.
pub(crate) fn summarize(values: &mut [f64], quantiles: &[f64]) -> (f64, Vec<f64>) {
    let n = values.len();
    #[allow(clippy::cast_precision_loss)]
    let mean = values.iter().sum::<f64>() / n as f64;
    if n == 0 {
        return (mean, vec![f64::NAN; quantiles.len()]);
    }
    let qs = quantiles
        .iter()
        .map(|&q| {
            #[allow(clippy::cast_precision_loss)]
            let h = (n - 1) as f64 * q;
            let j = h.floor();
            // h in [0, n − 1]: the cast is exact and in range
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let lo = (j as usize).min(n - 1);
            let (_, &mut a, right) = values.select_nth_unstable_by(lo, f64::total_cmp);
            // v₍ⱼ₊₁₎ is the least of the values after v₍ⱼ₎
            let b = right.iter().copied().min_by(f64::total_cmp).unwrap_or(a);
            a + (h - j) * (b - a)
        })
        .collect();
    (mean, qs)
}

/// The distribution of the portfolio total: each draw's sum over customers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Total {
    /// Mean over draws of the per-draw sums.
    pub mean: f64,
    /// Quantiles of the per-draw sums, in the order of
    /// [`Intervals::quantiles`].
    pub values: Vec<f64>,
}

/// A prediction with intervals ([`Draws`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Intervals {
    /// The quantile levels, as asked.
    pub quantiles: Vec<f64>,
    /// Per customer, the mean over draws.
    pub mean: Vec<f64>,
    /// `values[k][i]`: quantile `quantiles[k]` of customer `i`.
    pub values: Vec<Vec<f64>>,
    /// The sum over customers: its mean and quantiles over draws.
    pub total: Total,
    /// Each draw's sum over the customers (what [`Intervals::total`]
    /// summarises), in draw order; kept for a sum over several draws
    /// objects whose draws are paired by index
    /// ([`crate::bayes::GroupedDraws`]).
    #[serde(skip)]
    pub(crate) draw_sums: Vec<f64>,
}

impl Intervals {
    /// The intervals of per-customer `mean` and `values` (as
    /// [`Intervals::values`]) whose draws sum over the customers to
    /// `draw_sums`: the total is their mean and `quantiles`.
    pub(crate) fn assemble(
        quantiles: &[f64],
        mean: Vec<f64>,
        values: Vec<Vec<f64>>,
        draw_sums: Vec<f64>,
    ) -> Intervals {
        let (mean_total, values_total) = summarize(&mut draw_sums.clone(), quantiles);
        Intervals {
            quantiles: quantiles.to_vec(),
            mean,
            values,
            total: Total {
                mean: mean_total,
                values: values_total,
            },
            draw_sums,
        }
    }
}

/// Where a CLV's spend per transaction comes from.
#[derive(Debug, Clone, Copy)]
pub enum Spend<'a> {
    /// One spend model (its point estimate) for every draw.
    Model(&'a AnyModel),
    /// Draws of a spend model, paired with the transaction draws by index
    /// (same number of draws).
    Draws(&'a Draws),
}

impl<'a> Spend<'a> {
    /// The spend model of transaction draw `d`: the one model, or spend
    /// draw `d`.
    pub(crate) fn model(self, d: usize) -> &'a AnyModel {
        match self {
            Spend::Model(m) => m,
            Spend::Draws(s) => &s.models[d],
        }
    }

    /// Spend draws must be as many as the transaction `draws`.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] (field `spend`) for another number.
    pub(crate) fn check_draws(self, draws: usize) -> Result<()> {
        match self {
            Spend::Model(_) => Ok(()),
            Spend::Draws(s) => check::same_len("spend", s.len(), "draws", draws),
        }
    }
}

impl Draws {
    /// Draws of `model` by `method` (module docs); `data` is what a
    /// bootstrap resamples (refitted with `options`, whose unit defaults to
    /// the model's).
    ///
    /// # Errors
    /// Those of [`Draws::laplace`] and [`Draws::bootstrap`]; a bootstrap
    /// without data: [`Error::InvalidValue`] with field `inputs`.
    pub fn new(
        model: &AnyModel,
        method: Method,
        n: usize,
        seed: u64,
        data: Option<Data<'_>>,
        options: &FitOptions,
    ) -> Result<Draws> {
        match method {
            Method::Laplace => Draws::laplace(model, n, seed),
            Method::Bootstrap => {
                let data = data.ok_or_else(|| {
                    Error::invalid(
                        "inputs",
                        "none",
                        "the data the model was fitted to (a bootstrap resamples it)",
                    )
                })?;
                Draws::bootstrap(model, data, n, seed, options)
            }
            Method::Nuts => Err(registry::unsupported(
                model.name(),
                "nuts draws",
                "posterior draws come from clv::bayes::sample (priors and data), not from a fitted model",
            )),
        }
    }

    /// `n` Laplace draws of a fitted model, seeded by `seed` (module docs).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] (field `n`) for n = 0 or above
    /// [`MAX_DRAWS`]; [`Error::Unsupported`] (field `laplace draws`) for a
    /// model without a fit covariance (built from parameters, a boundary
    /// fit, or a covariance that is not positive definite); an invalid
    /// drawn parameter (beyond [`check::MAX_PARAMETER`]).
    pub fn laplace(model: &AnyModel, n: usize, seed: u64) -> Result<Draws> {
        check_n(n)?;
        let theta = model.values();
        let k = theta.len();
        let no_cov = |why: &str| registry::unsupported(model.name(), "laplace draws", why);
        let info = model.fit_info().ok_or_else(|| {
            no_cov("the model has no fit covariance (it was built from parameters); fit it to data")
        })?;
        let cov = &info.covariance;
        if cov.len() != k
            || cov
                .iter()
                .any(|r| r.len() != k || r.iter().any(|v| !v.is_finite()))
        {
            return Err(no_cov(
                "the fit has no finite covariance (a boundary optimum or a weakly identified fit)",
            ));
        }
        let log_cov: Vec<Vec<f64>> = (0..k)
            .map(|i| (0..k).map(|j| cov[i][j] / (theta[i] * theta[j])).collect())
            .collect();
        let l = cholesky(&log_cov)
            .ok_or_else(|| no_cov("the fit's covariance is not positive definite"))?;
        let mu: Vec<f64> = theta.iter().map(|t| t.ln()).collect();
        let mut rng = Rng::new(seed);
        let mut models = Vec::with_capacity(n);
        let mut z = vec![0.0; k];
        for _ in 0..n {
            for zi in &mut z {
                *zi = rng.normal();
            }
            let v: Vec<f64> = (0..k)
                .map(|i| (mu[i] + (0..=i).map(|j| l[i][j] * z[j]).sum::<f64>()).exp())
                .collect();
            models.push(AnyModel::from_values(model.kind(), &v)?);
        }
        Ok(Draws {
            kind: model.kind(),
            method: Method::Laplace,
            seed,
            unit: info.unit.clone(),
            models,
            nuts: None,
        })
    }

    /// `n` bootstrap draws: refits of `model`'s kind to resamples of `data`
    /// (module docs), seeded by `seed`. `options.unit`, when `None`, is the
    /// model's fitted unit.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] (field `n`); [`Error::Unsupported`] for the
    /// sBG; the fit's input errors; weights that are not whole numbers
    /// (field `weights`) or more than [`MAX_BOOTSTRAP_CUSTOMERS`]
    /// customers; the error of the first refit that fails.
    pub fn bootstrap(
        model: &AnyModel,
        data: Data<'_>,
        n: usize,
        seed: u64,
        options: &FitOptions,
    ) -> Result<Draws> {
        check_n(n)?;
        let kind = model.kind();
        if kind == ModelKind::Sbg {
            return Err(registry::unsupported(
                model.name(),
                "bootstrap draws",
                "a survivor curve is not a table of customers; use method=\"laplace\"",
            ));
        }
        let table = Table::new(kind, data)?;
        let unit = model.fit_info().and_then(|f| f.unit.clone());
        let mut options = options.clone();
        if let (None, Some(u)) = (options.unit, &unit) {
            options.unit = Some(crate::time::TimeUnit::parse(u)?);
        }
        let base = Rng::new(seed).next_u64();
        let one = |b: usize| -> Result<AnyModel> {
            let (inputs, weights) = table.resample(base.wrapping_add(b as u64));
            let cols: Vec<&[f64]> = inputs.iter().map(Vec::as_slice).collect();
            let fitted = AnyModel::fit(kind, &cols, Some(&weights), &options)?;
            AnyModel::from_values(kind, &fitted.values())
        };
        #[cfg(feature = "parallel")]
        let models: Result<Vec<AnyModel>> = {
            use rayon::prelude::*;
            (0..n).into_par_iter().map(one).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let models: Result<Vec<AnyModel>> = (0..n).map(one).collect();
        Ok(Draws {
            kind,
            method: Method::Bootstrap,
            seed,
            unit,
            models: models?,
            nuts: None,
        })
    }

    /// Draws given as parameter vectors (one per draw, in the order of
    /// [`ModelSpec::params`](crate::models::ModelSpec::params)), e.g. what
    /// [`Draws::values`] returned to a binding.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] (field `n`) for no vector or too many;
    /// those of [`AnyModel::from_values`] for each vector.
    pub fn from_values(
        kind: ModelKind,
        method: Method,
        seed: u64,
        unit: Option<String>,
        values: &[Vec<f64>],
    ) -> Result<Draws> {
        check_n(values.len())?;
        let models = values
            .iter()
            .map(|v| AnyModel::from_values(kind, v))
            .collect::<Result<_>>()?;
        Ok(Draws {
            kind,
            method,
            seed,
            unit,
            models,
            nuts: None,
        })
    }

    /// Posterior draws of a NUTS run ([`crate::bayes::sample`]): parameter
    /// vectors stored chain after chain.
    ///
    /// # Errors
    /// As [`Draws::from_values`]; [`Error::InvalidValue`] (field `draws`)
    /// when the number of vectors is not chains × draws.
    pub fn from_nuts(
        kind: ModelKind,
        seed: u64,
        values: &[Vec<f64>],
        info: crate::bayes::NutsInfo,
    ) -> Result<Draws> {
        if info.chains.checked_mul(info.draws) != Some(values.len())
            || info.divergent.iter().any(|&i| i >= values.len())
            || info.priors.len() != kind.spec().params.len()
        {
            return Err(Error::invalid(
                "draws",
                values.len(),
                format!(
                    "chains × draws = {} × {} vectors, divergent indices below that, one prior per parameter",
                    info.chains, info.draws
                ),
            ));
        }
        let mut d = Draws::from_values(kind, Method::Nuts, seed, None, values)?;
        d.nuts = Some(info);
        Ok(d)
    }

    /// Chains, priors and divergences of NUTS draws (`None` for other
    /// methods).
    pub fn nuts(&self) -> Option<&crate::bayes::NutsInfo> {
        self.nuts.as_ref()
    }

    /// Per parameter: posterior mean, sd, 5% and 95% quantiles,
    /// rank-normalised split R-hat, bulk and tail ESS and the number of
    /// divergences ([`crate::bayes::convergence`]). Draws of another method
    /// count as one chain.
    ///
    /// # Errors
    /// None today; a `Result` so that summaries may check more later.
    pub fn summary(&self) -> Result<Vec<crate::bayes::ParamSummary>> {
        Ok(crate::bayes::summarize(self))
    }

    /// The draws as JSON: `{"format_version": 1, "model": KEY, "method":
    /// ..., "seed": ..., "unit": ... | null, "params": [NAMES], "values":
    /// [[...] per draw], "nuts": {"chains", "tune", "draws", "priors":
    /// [[FAMILY, [ARGS]] per parameter], "divergent": [INDICES]} | null}`;
    /// numbers read back bit for bit ([`Draws::from_json`]).
    pub fn to_json(&self) -> String {
        let json = DrawsJson {
            format_version: registry::FORMAT_VERSION,
            model: self.kind.as_str().to_string(),
            method: self.method.as_str().to_string(),
            seed: self.seed,
            unit: self.unit.clone(),
            params: param_names(self.kind),
            values: self.values(),
            nuts: self.nuts.clone(),
        };
        // numbers and strings only: serialising cannot fail
        serde_json::to_string(&json).unwrap_or_default()
    }

    /// Reads what [`Draws::to_json`] wrote.
    ///
    /// # Errors
    /// [`Error::Format`] for text that is not draws JSON (another format
    /// version, an unknown model or method, parameter names that are not
    /// the model's); those of [`Draws::from_values`].
    pub fn from_json(text: &str) -> Result<Draws> {
        let bad = format_error("draws JSON");
        let j: DrawsJson = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        if j.format_version != registry::FORMAT_VERSION {
            return Err(bad(format!(
                "format_version {} (expected {})",
                j.format_version,
                registry::FORMAT_VERSION
            )));
        }
        let kind = json_kind(&j.model, &j.params, bad)?;
        let method = match j.method.as_str() {
            "nuts" => Method::Nuts,
            other => other
                .parse()
                .map_err(|_| bad(format!("method {other:?}")))?,
        };
        match (method, j.nuts) {
            (Method::Nuts, Some(info)) => {
                let mut d = Draws::from_nuts(kind, j.seed, &j.values, info)?;
                d.unit = j.unit;
                Ok(d)
            }
            (Method::Nuts, None) => Err(bad("method nuts without its \"nuts\" section".into())),
            (m, _) => Draws::from_values(kind, m, j.seed, j.unit, &j.values),
        }
    }

    /// The model kind.
    pub fn kind(&self) -> ModelKind {
        self.kind
    }

    /// How the draws were made.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The number of draws.
    pub fn len(&self) -> usize {
        self.models.len()
    }

    /// Never true (a draws object holds at least one draw).
    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }

    /// The time unit of the fitted model the draws come from.
    pub fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }

    /// One model per draw (without fit information), in draw order.
    pub fn models(&self) -> &[AnyModel] {
        &self.models
    }

    /// The drawn parameter vectors, one per draw, in the order of
    /// [`ModelSpec::params`](crate::models::ModelSpec::params).
    pub fn values(&self) -> Vec<Vec<f64>> {
        self.models.iter().map(ModelInfo::values).collect()
    }

    /// `f(d, model, lo, hi)` is the prediction of draw d's model for the
    /// customers `lo..hi` (of `len`): the intervals, block by block (module
    /// docs). `validate` runs once on the whole input first, so errors name
    /// whole-array indices.
    fn intervals<F>(&self, len: usize, quantiles: &[f64], f: F) -> Result<Intervals>
    where
        F: Fn(usize, &AnyModel, usize, usize) -> Result<Vec<f64>> + Sync,
    {
        check_quantiles(quantiles)?;
        let nd = self.models.len();
        let nq = quantiles.len();
        let mut mean = Vec::with_capacity(len);
        let mut values = vec![Vec::with_capacity(len); nq];
        let mut sums = vec![0.0; nd];
        let block = |b: usize| -> Result<BlockPart> {
            let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(len));
            // m[d][i]: draw d, customer lo + i
            let m: Vec<Vec<f64>> = self
                .models
                .iter()
                .enumerate()
                .map(|(d, model)| f(d, model, lo, hi))
                .collect::<Result<_>>()?;
            let block_sums: Vec<f64> = m.iter().map(|row| row.iter().sum()).collect();
            let mut col = vec![0.0; nd];
            let mut means = Vec::with_capacity(hi - lo);
            let mut qs = vec![Vec::with_capacity(hi - lo); nq];
            for i in 0..hi - lo {
                for (c, row) in col.iter_mut().zip(&m) {
                    *c = row[i];
                }
                let (mu, q) = summarize(&mut col, quantiles);
                means.push(mu);
                for (dst, v) in qs.iter_mut().zip(q) {
                    dst.push(v);
                }
            }
            Ok((means, qs, block_sums))
        };
        let n_blocks = len.div_ceil(BLOCK);
        let mut start = 0;
        while start < n_blocks {
            let end = (start + WAVE).min(n_blocks);
            #[cfg(feature = "parallel")]
            let parts: Result<Vec<_>> = {
                use rayon::prelude::*;
                (start..end).into_par_iter().map(block).collect()
            };
            #[cfg(not(feature = "parallel"))]
            let parts: Result<Vec<_>> = (start..end).map(block).collect();
            for (means, qs, block_sums) in parts? {
                mean.extend(means);
                for (dst, src) in values.iter_mut().zip(qs) {
                    dst.extend(src);
                }
                for (s, b) in sums.iter_mut().zip(block_sums) {
                    *s += b;
                }
            }
            start = end;
        }
        Ok(Intervals::assemble(quantiles, mean, values, sums))
    }

    /// The first draw's transaction view, refusing another family with
    /// [`Error::Unsupported`] naming `operation`.
    fn transaction(&self, operation: &str) -> Result<&dyn TransactionModel> {
        self.models[0].transaction(operation)
    }

    /// P(alive) with intervals ([`TransactionModel::prob_alive`]); the
    /// total is the expected number of customers alive.
    ///
    /// # Errors
    /// Those of the model's prediction; bad `quantiles`.
    pub fn prob_alive(
        &self,
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
        quantiles: &[f64],
    ) -> Result<Intervals> {
        self.transaction("prob_alive")?
            .validate(frequency, recency, t)?;
        self.intervals(frequency.len(), quantiles, |_, m, lo, hi| {
            m.prob_alive(&frequency[lo..hi], &recency[lo..hi], &t[lo..hi])
        })
    }

    /// Expected purchases in the next `horizon` units with intervals
    /// ([`TransactionModel::expected_purchases_each`]: one horizon or one
    /// per customer); the total is the base's expected purchases.
    ///
    /// # Errors
    /// Those of the model's prediction; bad `quantiles`.
    pub fn expected_purchases(
        &self,
        horizon: &[f64],
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
        quantiles: &[f64],
    ) -> Result<Intervals> {
        // every check (lengths, customers, horizons) on the whole input first
        self.models[0].expected_purchases_each(horizon, frequency, recency, t)?;
        self.intervals(frequency.len(), quantiles, |_, m, lo, hi| {
            let h = broadcast_block(horizon, lo, hi);
            m.expected_purchases_each(h, &frequency[lo..hi], &recency[lo..hi], &t[lo..hi])
        })
    }

    /// E[X(t)] of a new customer, for each `t`, with intervals.
    ///
    /// # Errors
    /// Those of the model's prediction; bad `quantiles`.
    pub fn expected_purchases_new(&self, t: &[f64], quantiles: &[f64]) -> Result<Intervals> {
        self.models[0].expected_purchases_new_each(t)?;
        self.intervals(t.len(), quantiles, |_, m, lo, hi| {
            m.expected_purchases_new_each(&t[lo..hi])
        })
    }

    /// P(X(t) = n) of a new customer, element by element (`n` and `t`
    /// broadcast), with intervals.
    ///
    /// # Errors
    /// Those of the model's prediction; bad `quantiles`.
    pub fn prob_purchases(&self, n: &[f64], t: &[f64], quantiles: &[f64]) -> Result<Intervals> {
        let len = self.models[0].prob_purchases_each(n, t)?.len();
        self.intervals(len, quantiles, |_, m, lo, hi| {
            let (nn, tt) = (broadcast_block(n, lo, hi), broadcast_block(t, lo, hi));
            let v = m.prob_purchases_each(nn, tt)?;
            // a block of one element against a length-1 broadcast
            Ok(if v.len() == hi - lo {
                v
            } else {
                vec![v[0]; hi - lo]
            })
        })
    }

    /// Discounted expected residual transactions with intervals, where the
    /// model has them ([`TransactionModel::dert`]).
    ///
    /// # Errors
    /// [`Error::Unsupported`] for a model without DERT; the model's own; bad
    /// `quantiles`.
    pub fn dert(
        &self,
        discount: f64,
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
        quantiles: &[f64],
    ) -> Result<Intervals> {
        self.models[0].dert(discount, frequency, recency, t)?;
        self.intervals(frequency.len(), quantiles, |_, m, lo, hi| {
            m.dert(discount, &frequency[lo..hi], &recency[lo..hi], &t[lo..hi])
        })
    }

    /// Expected spend per transaction with intervals (a spend model's
    /// draws, [`SpendModel::expected_spend`]).
    ///
    /// # Errors
    /// Those of the model's prediction; bad `quantiles`.
    pub fn expected_spend(
        &self,
        frequency: &[f64],
        monetary_value: &[f64],
        quantiles: &[f64],
    ) -> Result<Intervals> {
        self.models[0].expected_spend(frequency, monetary_value)?;
        self.intervals(frequency.len(), quantiles, |_, m, lo, hi| {
            m.expected_spend(&frequency[lo..hi], &monetary_value[lo..hi])
        })
    }

    /// Discounted CLV per customer with intervals
    /// ([`crate::value::customer_lifetime_value`], months of
    /// `periods_per_month` units); the spend per transaction from `spend`
    /// (a point spend model, or spend draws paired by index). The total is
    /// the base's CLV.
    ///
    /// # Errors
    /// Those of [`crate::value::customer_lifetime_value`] and the spend
    /// model's; spend draws of another length ([`Error::LengthMismatch`],
    /// field `spend`); bad `quantiles`.
    #[allow(clippy::too_many_arguments)]
    pub fn customer_lifetime_value(
        &self,
        spend: Spend<'_>,
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
        monetary_value: &[f64],
        time_months: u32,
        discount_rate_monthly: f64,
        periods_per_month: f64,
        quantiles: &[f64],
    ) -> Result<Intervals> {
        spend.check_draws(self.len())?;
        self.transaction("customer_lifetime_value")?;
        let s0 = spend.model(0).expected_spend(frequency, monetary_value)?;
        crate::value::customer_lifetime_value(
            &self.models[0],
            &s0,
            frequency,
            recency,
            t,
            0,
            discount_rate_monthly,
            periods_per_month,
        )?;
        self.intervals(frequency.len(), quantiles, |d, m, lo, hi| {
            let s = spend
                .model(d)
                .expected_spend(&frequency[lo..hi], &monetary_value[lo..hi])?;
            crate::value::customer_lifetime_value(
                m,
                &s,
                &frequency[lo..hi],
                &recency[lo..hi],
                &t[lo..hi],
                time_months,
                discount_rate_monthly,
                periods_per_month,
            )
        })
    }

    /// Survival S(t) of an sBG cohort with intervals, for each whole t ≥ 0.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for another model; the model's own.
    pub fn survival(&self, t: &[f64], quantiles: &[f64]) -> Result<Intervals> {
        self.cohort_curve("survival", t, quantiles, ShiftedBetaGeo::survival)
    }

    /// Retention rate r(t) of an sBG cohort with intervals, each whole t ≥ 1.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for another model; the model's own.
    pub fn retention(&self, t: &[f64], quantiles: &[f64]) -> Result<Intervals> {
        self.cohort_curve("retention", t, quantiles, ShiftedBetaGeo::retention)
    }

    /// A curve of an sBG cohort (`curve` at each `t`) with intervals: every
    /// `t` checked on the base first; [`Error::Unsupported`] naming
    /// `operation` for another model.
    fn cohort_curve(
        &self,
        operation: &str,
        t: &[f64],
        quantiles: &[f64],
        curve: fn(&ShiftedBetaGeo, f64) -> Result<f64>,
    ) -> Result<Intervals> {
        let m0 = self.models[0].retention(operation)?;
        crate::models::each(t.len(), |i| curve(m0, t[i]))?;
        self.intervals(t.len(), quantiles, |_, m, lo, hi| {
            let r = m.retention(operation)?;
            (lo..hi).map(|i| curve(r, t[i])).collect()
        })
    }
}

/// The model kind named by a draws JSON document (`model`), whose
/// `params` must be the kind's parameter names; errors made by `bad`.
/// [`Error::Format`] of the JSON reader of `what` (`"draws JSON"`, …).
pub(crate) fn format_error(what: &'static str) -> impl Fn(String) -> Error + Copy {
    move |message| Error::Format {
        what: what.to_string(),
        message,
    }
}

/// The model's parameter names, as the draws JSON formats list them.
pub(crate) fn param_names(kind: ModelKind) -> Vec<String> {
    kind.spec().params.iter().map(ToString::to_string).collect()
}

pub(crate) fn json_kind(
    model: &str,
    params: &[String],
    bad: impl Fn(String) -> Error,
) -> Result<ModelKind> {
    let kind = ModelKind::from_key(model).ok_or_else(|| bad(format!("model {model:?}")))?;
    if params != kind.spec().params {
        return Err(bad(format!(
            "params {params:?} (expected {:?})",
            kind.spec().params
        )));
    }
    Ok(kind)
}

/// Cholesky factor L (lower, L Lᵀ = a) of a small symmetric matrix; `None`
/// when it is not positive definite. Written out: k ≤ 5 and no linear
/// algebra crate is a dependency of the core.
fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let k = a.len();
    let mut l = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in 0..=i {
            let s: f64 = (0..j).map(|m| l[i][m] * l[j][m]).sum();
            if i == j {
                let d = a[i][i] - s;
                if !(d > 0.0 && d.is_finite()) {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    Some(l)
}

/// The canonical table of a bootstrap (module docs): distinct rows sorted,
/// with cumulative counts.
struct Table {
    /// `rows[j]`: the j-th distinct input tuple.
    rows: Vec<Vec<f64>>,
    /// `cum[j]`: customers in rows 0..=j.
    cum: Vec<u64>,
    /// Number of inputs per row.
    width: usize,
}

impl Table {
    fn new(kind: ModelKind, data: Data<'_>) -> Result<Table> {
        let spec = kind.spec();
        let width = spec.inputs.len();
        if data.inputs.len() != width {
            return Err(Error::invalid(
                "inputs",
                format!("{} arrays", data.inputs.len()),
                spec.inputs.join(", "),
            ));
        }
        let len = data.inputs[0].len();
        // the fit's own checks of the data (lengths, values, weights), with
        // indices into the data as given
        AnyModel::log_likelihood_terms(kind, data.inputs, data.weights, &kind_values(kind), false)?;
        let mut keyed: Vec<(Vec<f64>, u64)> = Vec::with_capacity(len);
        let mut total = 0.0;
        for i in 0..len {
            let w = data.weights.map_or(1.0, |w| w[i]);
            if !(w.is_finite() && w >= 0.0 && w.fract() == 0.0) {
                return Err(Error::invalid_at(
                    "weights",
                    i,
                    w,
                    "a whole number of customers (the bootstrap resamples customers)",
                ));
            }
            if w == 0.0 {
                continue;
            }
            total += w;
            // whole and ≤ MAX_BOOTSTRAP_CUSTOMERS (checked below): exact
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            keyed.push((data.inputs.iter().map(|c| c[i]).collect(), w as u64));
        }
        if !(total > 0.0 && total <= MAX_BOOTSTRAP_CUSTOMERS) {
            return Err(Error::invalid(
                "weights",
                total,
                "a total of 1 to 1e9 customers",
            ));
        }
        keyed.sort_by(|a, b| {
            a.0.iter()
                .zip(&b.0)
                .map(|(x, y)| x.total_cmp(y))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut rows: Vec<Vec<f64>> = Vec::new();
        let mut cum: Vec<u64> = Vec::new();
        let mut acc = 0;
        for (row, c) in keyed {
            acc += c;
            let same = rows
                .last()
                .is_some_and(|r| r.iter().zip(&row).all(|(a, b)| a.to_bits() == b.to_bits()));
            if same {
                if let Some(last) = cum.last_mut() {
                    *last = acc;
                }
            } else {
                rows.push(row);
                cum.push(acc);
            }
        }
        Ok(Table { rows, cum, width })
    }

    /// One replicate from the generator seeded by `stream`: the distinct
    /// rows drawn at least once (as columns) and their counts.
    fn resample(&self, stream: u64) -> (Vec<Vec<f64>>, Vec<f64>) {
        let total = *self.cum.last().unwrap_or(&0);
        let mut rng = Rng::new(stream);
        let mut counts = vec![0u64; self.rows.len()];
        // 2^64 mod total: draws below it are rejected so that v % total is
        // exactly uniform
        let reject = total.wrapping_neg() % total;
        for _ in 0..total {
            let k = loop {
                let v = rng.next_u64();
                if v >= reject {
                    break v % total;
                }
            };
            counts[self.cum.partition_point(|&c| c <= k)] += 1;
        }
        let mut cols = vec![Vec::new(); self.width];
        let mut weights = Vec::new();
        for (row, &c) in self.rows.iter().zip(&counts) {
            if c > 0 {
                for (col, &v) in cols.iter_mut().zip(row) {
                    col.push(v);
                }
                #[allow(clippy::cast_precision_loss)]
                weights.push(c as f64);
            }
        }
        (cols, weights)
    }
}

/// Valid parameter values of `kind` (all ones) for a data check.
fn kind_values(kind: ModelKind) -> Vec<f64> {
    vec![1.0; kind.spec().params.len()]
}
