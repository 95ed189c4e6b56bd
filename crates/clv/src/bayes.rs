//! # Bayesian fits with NUTS
//!
//! [`sample`] draws the posterior of any model of the registry with the
//! No-U-Turn sampler of the `nuts-rs` crate (pymc-devs, the engine of
//! nutpie; Hoffman & Gelman 2014), behind this small facade: the rest of
//! the crate and the bindings see only [`Prior`], [`SampleOptions`],
//! [`LogDensity`] and the resulting [`Draws`] (method
//! [`Method::Nuts`](crate::uncertainty::Method::Nuts)), which has every
//! prediction with intervals, a [`Draws::summary`] and JSON.
//!
//! ## The density sampled
//!
//! On φ = ln θ (every parameter is positive), over the model's
//! log-likelihood of the data compressed to distinct input rows with summed
//! weights (the fit's closed-form likelihood and gradient,
//! [`crate::fit::Likelihood`]), with the priors (`priors`) and the
//! Jacobian of θ = e^φ:
//!
//! ```text
//! ln p(φ | data) = LL(e^φ) + Σᵢ ln pᵢ(e^φᵢ) + Σᵢ φᵢ + const
//! ∂/∂φᵢ          = θᵢ (∂LL/∂θᵢ + d ln pᵢ/dθᵢ) + 1
//! ```
//!
//! A point where this is not finite (an overflow far in the tails) is a
//! recoverable error for the sampler, which records a divergence and
//! rejects the trajectory; it never panics.
//!
//! ## Chains and seeds
//!
//! Chain c starts at the maximum-likelihood estimate (or, when the fit
//! fails, the best of the likelihood's starting points) moved by a uniform
//! jitter in [−1, 1] on each ln θᵢ, and samples with nuts-rs's NUTS with a
//! low-rank modified mass matrix (`LowRankNutsSettings`: the diagonal
//! scaling plus a low-rank correction learnt from the draws and gradients
//! of the warm-up, as nutpie's `low_rank_modified_mass_matrix`; its default
//! adaptation of step size and mass matrix during `tune` draws, then
//! `draws` kept draws). The parameters of these models are strongly
//! correlated (BG/NBD's a and b, Pareto/NBD's s and β): on CDNOW BG/NBD the
//! low-rank matrix takes 3.1 gradients a draw against the diagonal's 7.8,
//! and its smallest bulk ESS of 4 × 1000 draws is 6145 against 1103. Its random stream
//! (jitter and the sampler's ChaCha8) is seeded from `seed` and c only, so
//! the chains run in parallel (with the `parallel` feature) and give the
//! same draws bit for bit on any number of threads.
//!
//! [`sample_with_progress`] is [`sample`] with a progress callback, called
//! on the caller's thread with each chain's [`SampleProgress`] (about every
//! 1% of its draws); returning false stops the run with
//! [`Error::Cancelled`]. It does not change the draws.
//!
//! ```
//! use clv::bayes::{SampleOptions, sample};
//! use clv::ModelKind;
//! // FH (2007) "regular" survivors, years 0-7
//! let s = [1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0];
//! let o = SampleOptions { chains: 2, tune: 300, draws: 200, seed: 1, ..SampleOptions::default() };
//! let post = sample(ModelKind::Sbg, &[&s], None, &[], &o)?;
//! assert_eq!(post.len(), 400);
//! let alpha = &post.summary()?[0];
//! assert!((alpha.mean - 0.704).abs() < 3.0 * alpha.sd);
//! # Ok::<(), clv::Error>(())
//! ```

/// `impl Target` for a density type with a `kind` field and inherent `dim`
/// and `value_and_gradient`, plus the `extra` trait items given.
macro_rules! impl_target {
    ($ty:ident $(, $extra:item)*) => {
        impl Target for $ty<'_> {
            fn name(&self) -> &'static str {
                self.kind.spec().name
            }
            fn dim(&self) -> usize {
                $ty::dim(self)
            }
            fn value_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
                $ty::value_and_gradient(self, x, grad)
            }
            $($extra)*
        }
    };
}

pub mod convergence;
mod hierarchical;
mod priors;

use nuts_rs::rand::SeedableRng;
use nuts_rs::rand::rngs::ChaCha8Rng;
use nuts_rs::{
    Chain, CpuLogpFunc, CpuMath, CpuMathError, DiagNutsSettings, HasDims, LogpError,
    LowRankNutsSettings, NutsSettings, Settings,
};
use serde::{Deserialize, Serialize};

pub use hierarchical::{
    GroupData, GroupSummary, GroupedDraws, HierDensity, Hyperprior, MAX_GROUPS,
    default_hyperpriors, resolve_hyperpriors, sample_grouped,
};
pub use priors::{FAMILIES, Prior, PriorItem, default_priors, resolve_priors};

use crate::error::{Error, Result};
use crate::fit::{FitOptions, Likelihood};
use crate::models::{AnyModel, Family, ModelKind};
use crate::simulate::Rng;
use crate::uncertainty::{Draws, MAX_DRAWS};

/// Most chains of one run.
pub const MAX_CHAINS: usize = 64;

/// Options of [`sample`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SampleOptions {
    /// Number of chains (default 4).
    pub chains: usize,
    /// Warm-up draws per chain, discarded (default 1000).
    pub tune: u64,
    /// Kept draws per chain (default 1000).
    pub draws: u64,
    /// Seed of every random stream (default 0).
    pub seed: u64,
    /// Maximum tree depth of NUTS (default 10: at most 1023 leapfrog steps per draw).
    pub max_depth: u64,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            chains: 4,
            tune: 1000,
            draws: 1000,
            seed: 0,
            max_depth: 10,
        }
    }
}

impl SampleOptions {
    /// Checks the options.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming `chains` (0 or above [`MAX_CHAINS`]),
    /// `draws` (0, or chains × draws above [`MAX_DRAWS`]) or `max_depth`
    /// (0 or above 20).
    pub fn validate(&self) -> Result<()> {
        if self.chains == 0 || self.chains > MAX_CHAINS {
            return Err(Error::invalid(
                "chains",
                self.chains,
                format!("a number of chains in [1, {MAX_CHAINS}]"),
            ));
        }
        let total = (self.chains as u64).saturating_mul(self.draws);
        if self.draws == 0 || total > MAX_DRAWS as u64 {
            return Err(Error::invalid(
                "draws",
                self.draws,
                format!("at least 1 draw per chain, and at most {MAX_DRAWS} draws in all chains"),
            ));
        }
        if self.max_depth == 0 || self.max_depth > 20 {
            return Err(Error::invalid(
                "max_depth",
                self.max_depth,
                "a tree depth in [1, 20]",
            ));
        }
        Ok(())
    }
}

/// What a NUTS run adds to its [`Draws`]: the chain layout, the priors and
/// the divergences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NutsInfo {
    /// Number of chains; the draws are stored chain after chain.
    pub chains: usize,
    /// Warm-up draws per chain (discarded).
    pub tune: u64,
    /// Kept draws per chain.
    pub draws: usize,
    /// The prior of each parameter, in the model's order.
    pub priors: Vec<Prior>,
    /// Indices (into the stored draws) of the draws whose trajectory
    /// diverged.
    pub divergent: Vec<usize>,
}

/// One parameter's posterior summary ([`Draws::summary`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamSummary {
    /// Parameter name.
    pub param: &'static str,
    /// Posterior mean.
    pub mean: f64,
    /// Posterior standard deviation (n − 1).
    pub sd: f64,
    /// 5% quantile.
    pub q05: f64,
    /// 95% quantile.
    pub q95: f64,
    /// Rank-normalised split R-hat ([`convergence::r_hat`]).
    pub r_hat: f64,
    /// Bulk effective sample size ([`convergence::ess_bulk`]).
    pub ess_bulk: f64,
    /// Tail effective sample size ([`convergence::ess_tail`]).
    pub ess_tail: f64,
    /// Divergent transitions in the whole run (the same on every row).
    pub divergences: usize,
}

/// The data of a model compressed to distinct input rows, each with the
/// sum of its rows' weights (a retention model's survivor curve is kept
/// as it is).
#[derive(Debug, Clone, PartialEq)]
pub struct Compressed {
    /// One column per input of the model.
    pub inputs: Vec<Vec<f64>>,
    /// Summed weights per distinct row (`None` for a retention model).
    pub weights: Option<Vec<f64>>,
}

impl Compressed {
    /// Groups identical input rows (compared bit for bit), in the
    /// lexicographic order of their values, and sums their weights.
    #[must_use]
    pub fn new(kind: ModelKind, inputs: &[&[f64]], weights: Option<&[f64]>) -> Compressed {
        if kind.spec().family == Family::Retention || inputs.is_empty() {
            return Compressed {
                inputs: inputs.iter().map(|c| c.to_vec()).collect(),
                weights: weights.map(<[f64]>::to_vec),
            };
        }
        let n = inputs[0].len();
        let mut order: Vec<usize> = (0..n).collect();
        let key = |i: usize, j: usize| {
            inputs
                .iter()
                .map(|c| c[i].total_cmp(&c[j]))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        };
        order.sort_by(|&i, &j| key(i, j));
        let mut cols: Vec<Vec<f64>> = vec![Vec::new(); inputs.len()];
        let mut w: Vec<f64> = Vec::new();
        let mut last: Option<usize> = None;
        for &i in &order {
            let wi = weights.map_or(1.0, |w| w[i]);
            match last {
                Some(l) if key(l, i).is_eq() => {
                    if let Some(x) = w.last_mut() {
                        *x += wi;
                    }
                }
                _ => {
                    for (c, col) in cols.iter_mut().zip(inputs) {
                        c.push(col[i]);
                    }
                    w.push(wi);
                    last = Some(i);
                }
            }
        }
        Compressed {
            inputs: cols,
            weights: Some(w),
        }
    }

    /// The columns as slices.
    pub fn columns(&self) -> Vec<&[f64]> {
        self.inputs.iter().map(Vec::as_slice).collect()
    }
}

/// The log posterior density on φ = ln θ with its gradient (module docs):
/// what the sampler sees.
pub struct LogDensity<'a> {
    kind: ModelKind,
    likelihood: Box<dyn Likelihood + 'a>,
    priors: Vec<Prior>,
}

impl std::fmt::Debug for LogDensity<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogDensity")
            .field("kind", &self.kind)
            .field("priors", &self.priors)
            .finish_non_exhaustive()
    }
}

impl<'a> LogDensity<'a> {
    /// The density of a model of `kind` given `inputs` (one array per
    /// input name of the model), optional weights and one prior per
    /// parameter.
    ///
    /// # Errors
    /// Those of a fit's input checks ([`crate::fit::fit_model`]); a wrong
    /// number of priors ([`Error::InvalidValue`], field `priors`).
    pub fn new(
        kind: ModelKind,
        inputs: &[&'a [f64]],
        weights: Option<&[f64]>,
        priors: Vec<Prior>,
    ) -> Result<LogDensity<'a>> {
        one_per_param(kind, "priors", "prior", priors.len())?;
        let likelihood = AnyModel::likelihood(kind, inputs, weights)?;
        Ok(LogDensity {
            kind,
            likelihood,
            priors,
        })
    }

    /// The number of parameters.
    pub fn dim(&self) -> usize {
        self.priors.len()
    }

    /// ln p(φ | data) up to a constant, and its gradient in φ written into
    /// `grad` (module docs). Not finite (−∞ or NaN) where the likelihood
    /// is not.
    pub fn value_and_gradient(&self, phi: &[f64], grad: &mut [f64]) -> f64 {
        let theta: Vec<f64> = phi.iter().map(|p| p.exp()).collect();
        if theta.iter().any(|t| !(t.is_finite() && *t > 0.0)) {
            grad.iter_mut().for_each(|g| *g = 0.0);
            return f64::NEG_INFINITY;
        }
        let mut g = vec![0.0; theta.len()];
        let mut value = self.likelihood.value_and_gradient(&theta, &mut g);
        for i in 0..theta.len() {
            let (lp, dlp) = self.priors[i].ln_pdf(theta[i]);
            value += lp + phi[i];
            grad[i] = theta[i] * (g[i] + dlp) + 1.0;
        }
        value
    }

    /// The starting point on φ: the maximum-likelihood estimate when the
    /// fit succeeds with a finite density there, else the first of the
    /// likelihood's starting points (then all ones) with a finite density.
    fn start(&self) -> Vec<f64> {
        let options = FitOptions::default();
        let k = self.dim();
        let mut g = vec![0.0; k];
        let mut candidates: Vec<Vec<f64>> = Vec::new();
        if let Ok((p, _)) = crate::fit::maximize_dyn(
            self.kind.spec().name,
            self.likelihood.as_ref(),
            &options,
            None,
        ) {
            candidates.push(p);
        }
        candidates.extend(self.likelihood.starting_points());
        candidates.push(vec![1.0; k]);
        for c in candidates {
            if c.len() != k {
                continue;
            }
            let phi: Vec<f64> = c.iter().map(|t| t.ln()).collect();
            let v = self.value_and_gradient(&phi, &mut g);
            if v.is_finite() && g.iter().all(|x| x.is_finite()) {
                return phi;
            }
        }
        vec![0.0; k]
    }
}

/// A log density on an unconstrained vector with its gradient: what a
/// chain samples ([`LogDensity`], [`HierDensity`]).
trait Target: Sync {
    /// The model's name, for errors.
    fn name(&self) -> &'static str;
    /// The number of coordinates.
    fn dim(&self) -> usize;
    /// The log density up to a constant, its gradient written into `grad`.
    fn value_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64;
    /// Whether NUTS adapts a low-rank modified mass matrix (module docs)
    /// rather than a diagonal one.
    fn low_rank(&self) -> bool {
        true
    }
}

impl_target!(LogDensity);

/// The log density as nuts-rs sees it.
struct NutsDensity<'d, T> {
    density: &'d T,
}

/// A point where the log density is not finite: a divergence.
#[derive(Debug, thiserror::Error)]
#[error("the log density is not finite at this point")]
struct NotFinite;

impl LogpError for NotFinite {
    fn is_recoverable(&self) -> bool {
        true
    }
}

impl<T: Target> HasDims for NutsDensity<'_, T> {
    fn dim_sizes(&self) -> std::collections::HashMap<String, u64> {
        std::collections::HashMap::from([(
            "unconstrained_parameter".to_string(),
            self.density.dim() as u64,
        )])
    }
}

impl<T: Target> CpuLogpFunc for NutsDensity<'_, T> {
    type LogpError = NotFinite;
    type FlowParameters = ();
    type ExpandedVector = Vec<f64>;

    fn dim(&self) -> usize {
        self.density.dim()
    }

    fn logp(
        &mut self,
        position: &[f64],
        gradient: &mut [f64],
    ) -> std::result::Result<f64, NotFinite> {
        let v = self.density.value_and_gradient(position, gradient);
        if v.is_finite() && gradient.iter().all(|g| g.is_finite()) {
            Ok(v)
        } else {
            Err(NotFinite)
        }
    }

    fn expand_vector<R: nuts_rs::rand::Rng + ?Sized>(
        &mut self,
        _rng: &mut R,
        array: &[f64],
    ) -> std::result::Result<Vec<f64>, CpuMathError> {
        Ok(array.to_vec())
    }
}

/// Checks that `count`, the length of `field`, is one `what` per parameter
/// of `kind`.
///
/// # Errors
/// [`Error::InvalidValue`] naming `field` for another count.
fn one_per_param(kind: ModelKind, field: &str, what: &str, count: usize) -> Result<()> {
    let k = kind.spec().params.len();
    if count == k {
        return Ok(());
    }
    Err(Error::invalid(
        field,
        format!("{count} {field}"),
        format!("one {what} per parameter of {} ({k})", kind.spec().name),
    ))
}

/// One chain's kept draws on φ and which of them diverged.
type ChainOut = (Vec<Vec<f64>>, Vec<bool>);

/// The seeds of chain `c`: (jitter stream, sampler stream).
fn chain_seeds(seed: u64, chain: usize) -> (u64, u64) {
    let mut rng = Rng::new(seed);
    let base = rng.next_u64();
    let mut r = Rng::new(base.wrapping_add(chain as u64));
    (r.next_u64(), r.next_u64())
}

/// One chain of a run: the density, the point it starts near, its index
/// and the run's options.
struct ChainJob<'a, T> {
    density: &'a T,
    start: &'a [f64],
    chain: usize,
    o: &'a SampleOptions,
}

fn run_chain<T: Target>(
    job: &ChainJob<'_, T>,
    report: &mut dyn FnMut(SampleProgress) -> bool,
) -> Result<ChainOut> {
    // the two settings are different types: one `drive` call each
    macro_rules! drive_with {
        ($settings:expr) => {
            drive(configured($settings, job.o), job, report)
        };
    }
    if job.density.low_rank() {
        drive_with!(LowRankNutsSettings::default())
    } else {
        drive_with!(DiagNutsSettings::default())
    }
}

/// nuts-rs's settings with the run's counts, seed and tree depth.
fn configured<A>(settings: NutsSettings<A>, o: &SampleOptions) -> NutsSettings<A>
where
    A: std::fmt::Debug + Copy + Default + Serialize,
{
    NutsSettings {
        num_tune: o.tune,
        num_draws: o.draws,
        num_chains: o.chains,
        seed: o.seed,
        maxdepth: o.max_depth,
        ..settings
    }
}

/// Runs one chain with `settings`: a jittered start, then `tune + draws`
/// draws, reporting progress.
fn drive<S: Settings, T: Target>(
    settings: S,
    job: &ChainJob<'_, T>,
    report: &mut dyn FnMut(SampleProgress) -> bool,
) -> Result<ChainOut> {
    let &ChainJob {
        density,
        start,
        chain,
        o,
    } = job;
    let name = density.name();
    let failed = |iterations: u64, why: String| Error::NotConverged {
        model: name.to_string(),
        iterations,
        gradient_norm: f64::NAN,
        reason: format!("NUTS chain {chain}: {why}"),
    };
    let (jitter_seed, nuts_seed) = chain_seeds(o.seed, chain);
    let math = CpuMath::new(NutsDensity { density });
    let mut rng = ChaCha8Rng::seed_from_u64(nuts_seed);
    let mut sampler = settings
        .new_chain(chain as u64, math, &mut rng)
        .map_err(|e| failed(0, format!("{e:#}")))?;
    // a jittered start with a finite density (up to 20 tries, then the start itself)
    let mut jitter = Rng::new(jitter_seed);
    let mut g = vec![0.0; start.len()];
    let mut init = start.to_vec();
    for _ in 0..20 {
        let p: Vec<f64> = start
            .iter()
            .map(|s| s + 2.0 * jitter.uniform() - 1.0)
            .collect();
        if density.value_and_gradient(&p, &mut g).is_finite() {
            init = p;
            break;
        }
    }
    sampler
        .set_position(&init)
        .map_err(|e| failed(0, format!("no finite log density at the start: {e:#}")))?;
    let total = o.tune + o.draws;
    let keep = usize::try_from(o.draws).unwrap_or(usize::MAX);
    let mut draws = Vec::with_capacity(keep);
    let mut divergent = Vec::with_capacity(keep);
    let step = (total / PROGRESS_STEPS).max(1);
    let mut divergences = 0;
    for i in 0..total {
        let (draw, progress) = sampler.draw().map_err(|e| failed(i, format!("{e:#}")))?;
        if i >= o.tune {
            draws.push(draw.to_vec());
            divergent.push(progress.diverging);
            divergences += usize::from(progress.diverging);
        }
        let done = i + 1;
        if (done % step == 0 || done == total)
            && !report(SampleProgress {
                chain,
                chains: o.chains,
                done,
                total,
                divergences,
            })
        {
            return Err(cancelled("the progress callback returned false"));
        }
    }
    Ok((draws, divergent))
}

/// Runs the chains, in parallel where the crate may, calling `progress`
/// (when given) on the caller's thread: with the `parallel` feature the
/// chains then run on rayon's global pool from a helper thread, and their
/// reports reach the caller through a channel (without `progress`, on the
/// caller's pool, as ever). After `progress` returned false it is not
/// called again, and the run ends in [`Error::Cancelled`].
fn run_chains<T: Target>(
    density: &T,
    start: &[f64],
    o: &SampleOptions,
    progress: Option<&mut dyn FnMut(SampleProgress) -> bool>,
) -> Vec<Result<ChainOut>> {
    let job = |chain| ChainJob {
        density,
        start,
        chain,
        o,
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        use std::sync::atomic::{AtomicBool, Ordering};
        let Some(progress) = progress else {
            return (0..o.chains)
                .into_par_iter()
                .map(|c| run_chain(&job(c), &mut |_| true))
                .collect();
        };
        let stop = AtomicBool::new(false);
        let (tx, rx) = std::sync::mpsc::channel::<SampleProgress>();
        std::thread::scope(|scope| {
            let stop = &stop;
            let worker = scope.spawn(move || {
                (0..o.chains)
                    .into_par_iter()
                    .map_with(tx, |tx, c| {
                        let mut report = |p| tx.send(p).is_ok() && !stop.load(Ordering::Relaxed);
                        run_chain(&job(c), &mut report)
                    })
                    .collect::<Vec<_>>()
            });
            for p in rx {
                if !stop.load(Ordering::Relaxed) && !progress(p) {
                    stop.store(true, Ordering::Relaxed);
                }
            }
            let mut out = worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            if stop.load(Ordering::Relaxed) {
                out.push(Err(cancelled("the progress callback returned false")));
            }
            out
        })
    }
    #[cfg(not(feature = "parallel"))]
    {
        let mut go_on = |_| true;
        let progress = progress.unwrap_or(&mut go_on);
        let mut out = Vec::with_capacity(o.chains);
        for c in 0..o.chains {
            let chain = run_chain(&job(c), progress);
            let failed = chain.is_err();
            out.push(chain);
            if failed {
                break;
            }
        }
        out
    }
}

/// Passes the kept draws of the chains, chain after chain, to `keep`, and
/// returns the indices (in that order) of those that diverged.
///
/// # Errors
/// The first chain's error.
fn each_draw(chains: Vec<Result<ChainOut>>, mut keep: impl FnMut(Vec<f64>)) -> Result<Vec<usize>> {
    let mut divergent = Vec::new();
    let mut index = 0;
    for chain in chains {
        let (draws, diverged) = chain?;
        for (draw, dv) in draws.into_iter().zip(diverged) {
            if dv {
                divergent.push(index);
            }
            keep(draw);
            index += 1;
        }
    }
    Ok(divergent)
}

/// About how many progress reports a chain makes ([`sample_with_progress`]).
const PROGRESS_STEPS: u64 = 100;

/// How far a NUTS run is ([`sample_with_progress`]): one report of one
/// chain, made about every 1% of its draws and after its last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SampleProgress {
    /// The chain reporting (0-based).
    pub chain: usize,
    /// Number of chains of the run.
    pub chains: usize,
    /// Draws done by this chain, warm-up included (1..=`total`).
    pub done: u64,
    /// Draws this chain makes: `tune + draws`.
    pub total: u64,
    /// Divergent transitions among this chain's kept draws so far.
    pub divergences: usize,
}

fn cancelled(reason: &str) -> Error {
    Error::Cancelled {
        operation: "NUTS sampling".to_string(),
        reason: reason.to_string(),
    }
}

/// Refuses the prior options that do not go with the kind of fit, the same
/// in every runtime: a hierarchical fit (`grouped`: a group label per
/// customer, [`sample_grouped`]) takes hyperpriors and no priors, a plain
/// one ([`sample`]) priors and no hyperpriors.
///
/// ```
/// use clv::bayes::check_prior_options;
/// assert!(check_prior_options(true, false, true).is_ok());
/// assert_eq!(check_prior_options(true, true, false).unwrap_err().field(), Some("priors"));
/// assert_eq!(check_prior_options(false, false, true).unwrap_err().field(), Some("hyperpriors"));
/// ```
///
/// # Errors
/// [`Error::InvalidValue`], field `priors` (priors with groups) or
/// `hyperpriors` (hyperpriors without groups).
pub fn check_prior_options(grouped: bool, priors: bool, hyperpriors: bool) -> Result<()> {
    if grouped && priors {
        return Err(Error::invalid(
            "priors",
            "priors with groups",
            "hyperpriors (mu_mean, mu_sd, tau_sd) per parameter: a hierarchical fit takes \
             hyperpriors",
        ));
    }
    if !grouped && hyperpriors {
        return Err(Error::invalid(
            "hyperpriors",
            "hyperpriors without groups",
            "a group label per customer (groups, --group-col): hyperpriors are those of a \
             hierarchical fit",
        ));
    }
    Ok(())
}

/// Samples the posterior of a model of `kind` given `inputs` (one array
/// per input name of the model, as a fit takes them) and optional
/// per-row `weights`, with the default priors replaced by those `given`
/// by parameter name (module docs).
///
/// # Errors
/// Those of [`SampleOptions::validate`], [`resolve_priors`] and of a fit's
/// input checks; [`Error::NotConverged`] when a chain cannot start (no
/// finite density) or the sampler fails; an invalid drawn parameter (past
/// 10¹⁰⁰, which only an improper prior allows).
pub fn sample(
    kind: ModelKind,
    inputs: &[&[f64]],
    weights: Option<&[f64]>,
    given: &[(String, Prior)],
    options: &SampleOptions,
) -> Result<Draws> {
    sample_reporting(kind, inputs, weights, given, options, None)
}

/// [`sample`] that reports its progress: `progress` is called on the
/// caller's thread with each chain's [`SampleProgress`] (about every 1% of
/// its draws, and after its last), in the order the reports arrive
/// (chains in parallel interleave). Returning false stops the run.
/// The draws are those of [`sample`] with the same arguments, bit for bit.
/// With the `parallel` feature the chains run on rayon's global pool (a
/// helper thread waits for them while this one calls `progress`), even
/// when the caller runs in another pool.
///
/// # Errors
/// Those of [`sample`]; [`Error::Cancelled`] when `progress` returned
/// false.
pub fn sample_with_progress(
    kind: ModelKind,
    inputs: &[&[f64]],
    weights: Option<&[f64]>,
    given: &[(String, Prior)],
    options: &SampleOptions,
    progress: &mut dyn FnMut(SampleProgress) -> bool,
) -> Result<Draws> {
    sample_reporting(kind, inputs, weights, given, options, Some(progress))
}

/// [`sample`], reporting to `progress` when given.
fn sample_reporting(
    kind: ModelKind,
    inputs: &[&[f64]],
    weights: Option<&[f64]>,
    given: &[(String, Prior)],
    options: &SampleOptions,
    progress: Option<&mut dyn FnMut(SampleProgress) -> bool>,
) -> Result<Draws> {
    options.validate()?;
    let priors = resolve_priors(kind, given)?;
    // the checks of a fit, with errors naming the caller's rows
    drop(AnyModel::likelihood(kind, inputs, weights)?);
    let data = Compressed::new(kind, inputs, weights);
    let cols = data.columns();
    let density = LogDensity::new(kind, &cols, data.weights.as_deref(), priors.clone())?;
    let start = density.start();
    let mut values = Vec::new();
    let divergent = each_draw(run_chains(&density, &start, options, progress), |phi| {
        values.push(phi.iter().map(|p| p.exp()).collect::<Vec<f64>>());
    })?;
    let info = NutsInfo {
        chains: options.chains,
        tune: options.tune,
        draws: usize::try_from(options.draws).unwrap_or(usize::MAX),
        priors,
        divergent,
    };
    Draws::from_nuts(kind, options.seed, &values, info)
}

/// The posterior summary of draws (module docs of [`convergence`]): one row
/// per parameter. Draws that are not from NUTS count as one chain.
pub(crate) fn summarize(draws: &Draws) -> Vec<ParamSummary> {
    let spec = draws.kind().spec();
    let values = draws.values();
    let (chains, per) = draws
        .nuts()
        .map_or((1, values.len()), |n| (n.chains, n.draws));
    let divergences = draws.nuts().map_or(0, |n| n.divergent.len());
    spec.params
        .iter()
        .enumerate()
        .map(|(i, &param)| {
            let col: Vec<f64> = values.iter().map(|v| v[i]).collect();
            summarize_column(param, &col, chains, per, divergences)
        })
        .collect()
}

/// The summary of one parameter's draws `col`, stored as `chains` chains
/// of `per` draws each, after a run with `divergences` divergent draws.
fn summarize_column(
    param: &'static str,
    col: &[f64],
    chains: usize,
    per: usize,
    divergences: usize,
) -> ParamSummary {
    let by_chain: Vec<&[f64]> = col.chunks(per.max(1)).take(chains).collect();
    #[allow(clippy::cast_precision_loss)]
    let n = col.len() as f64;
    let mean = col.iter().sum::<f64>() / n;
    let sd = (col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)).sqrt();
    let mut sorted = col.to_vec();
    sorted.sort_by(f64::total_cmp);
    ParamSummary {
        param,
        mean,
        sd,
        q05: crate::uncertainty::quantile_sorted(&sorted, 0.05),
        q95: crate::uncertainty::quantile_sorted(&sorted, 0.95),
        r_hat: convergence::r_hat(&by_chain),
        ess_bulk: convergence::ess_bulk(&by_chain),
        ess_tail: convergence::ess_tail(&by_chain),
        divergences,
    }
}
