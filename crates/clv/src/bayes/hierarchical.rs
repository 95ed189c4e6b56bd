//! # Hierarchical pooling: one parameter vector per group
//!
//! [`sample_grouped`] gives each group of customers (a cohort, a country, a
//! channel: one label per customer) its own parameters, partially pooled
//! toward a common mean on the log scale. This is the hierarchical model
//! of Gelman et al., *Bayesian Data Analysis* (3rd ed., §5.4–5.5), written
//! in its non-centred form (Papaspiliopoulos, Roberts & Sköld 2007; Betancourt
//! & Girolami 2015), which is what pymc-marketing builds through `dims` and
//! the Stan case studies write by hand.
//!
//! ## The model
//!
//! For each parameter i of the model (k of them) and each group g (G of
//! them):
//!
//! ```text
//! ln θ_{g,i} = μᵢ + τᵢ z_{g,i},   z_{g,i} ~ N(0, 1)
//! μᵢ ~ N(mᵢ, sᵢ²),                τᵢ ~ HalfNormal(σ_τ,ᵢ)
//! data of group g ~ the model with parameters θ_g
//! ```
//!
//! The sampler works on x = (μ₁..μₖ, ln τ₁..ln τₖ, z_{1,1..k}, …, z_{G,1..k})
//! (2k + Gk coordinates, all unconstrained), with the Jacobian ln τᵢ of
//! τ = e^{ln τ}:
//!
//! ```text
//! ln p(x | data) = Σ_g LL_g(θ_g)
//!                − Σᵢ (μᵢ − mᵢ)²/(2sᵢ²)
//!                + Σᵢ [−τᵢ²/(2σ_τ,ᵢ²) + ln τᵢ]
//!                − ½ Σ_{g,i} z_{g,i}²                          + const
//! ```
//!
//! LL_g is the model's log-likelihood of group g's rows, compressed to
//! distinct rows with summed weights ([`Compressed`]), in closed form with
//! its gradient ([`crate::fit::Likelihood`]). By the chain rule through
//! θ_{g,i} = exp(μᵢ + τᵢ z_{g,i}), with Gᵍᵢ = θ_{g,i} ∂LL_g/∂θ_{g,i}:
//!
//! ```text
//! ∂/∂μᵢ       = Σ_g Gᵍᵢ − (μᵢ − mᵢ)/sᵢ²
//! ∂/∂ln τᵢ    = Σ_g Gᵍᵢ τᵢ z_{g,i} − τᵢ²/σ_τ,ᵢ² + 1
//! ∂/∂z_{g,i}  = Gᵍᵢ τᵢ − z_{g,i}
//! ```
//!
//! ## Defaults ([`default_hyperpriors`])
//!
//! mᵢ = 0 and sᵢ = the σ of the parameter's default prior
//! ([`crate::bayes::default_priors`]: 2 for a shape, 5 for a scale), so
//! that with τ → 0 every group has the non-hierarchical default prior;
//! σ_τ,ᵢ = 1: groups whose parameters differ by a factor e² ≈ 7.4 are
//! plausible, by e⁴ ≈ 55 unlikely. Each may be overridden per parameter
//! ([`Hyperprior`], [`resolve_hyperpriors`]).
//!
//! ## Groups
//!
//! One label per customer (input row); the groups are the distinct labels
//! in sorted (byte) order, so the same data in any row order give the same
//! groups. At most [`MAX_GROUPS`] groups, and groups × chains × draws at
//! most [`MAX_DRAWS`] stored parameter vectors. An empty label is refused.
//! The sBG is refused ([`Error::Unsupported`]): its data are one survivor
//! curve, not rows of customers that could carry labels (fit one curve per
//! cohort instead).
//!
//! ## Chains and seeds
//!
//! As [`crate::bayes::sample`], through the same chain runner: chain c
//! starts from a point moved by a uniform jitter in [−1, 1] on each
//! coordinate, seeded by `seed` and c only, so the run is reproducible bit
//! for bit on any number of threads. The point before the jitter is built
//! from each group's own starting point φ_g (its maximum-likelihood
//! estimate, or [`LogDensity`]'s fallback), robustly, since a small group's
//! estimate may run off to a boundary (BG/NBD's a, b → ∞): μ = the median
//! of the φ_g, τ = 1.4826 × their median absolute deviation clamped to
//! [0.1, 1], z_g = (φ_g − μ)/τ clamped to [−2, 2].
//!
//! ```
//! use clv::bayes::{SampleOptions, sample_grouped};
//! use clv::{AnyModel, ModelKind};
//! let truth = AnyModel::from_values(ModelKind::BgNbd, &[0.5, 5.0, 0.6, 2.0])?;
//! let t: Vec<f64> = (0..400).map(|j| 20.0 + (j % 20) as f64).collect();
//! let sim = clv::simulate::simulate(&truth, &t, 1)?;
//! let labels: Vec<&str> = (0..400).map(|j| if j % 2 == 0 { "web" } else { "store" }).collect();
//! let o = SampleOptions { chains: 2, tune: 200, draws: 100, seed: 1, ..SampleOptions::default() };
//! let post = sample_grouped(
//!     ModelKind::BgNbd, &[&sim.frequency, &sim.recency, &sim.t], None, &labels, &[], &o,
//! )?;
//! assert_eq!(post.labels(), ["store", "web"]);
//! assert_eq!(post.group("web")?.len(), 200);
//! # Ok::<(), clv::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use super::{
    Compressed, LogDensity, NutsInfo, ParamSummary, Prior, SampleOptions, Target, default_priors,
    each_draw, one_per_param, run_chains, summarize_column,
};
use crate::error::{Error, Result, check};
use crate::models::{AnyModel, Family, ModelKind, SpendModel, TransactionModel, registry};
use crate::uncertainty::{Draws, Intervals, MAX_DRAWS, Spend};

/// Most groups of one hierarchical run.
pub const MAX_GROUPS: usize = 1000;

/// The format version of [`GroupedDraws::to_json`].
const GROUPED_FORMAT_VERSION: u32 = 1;

/// The hyperpriors of one parameter (module docs): μ ~ N(`mu_mean`,
/// `mu_sd`²) on the log scale, τ ~ HalfNormal(`tau_sd`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Hyperprior {
    /// mᵢ, the prior mean of μᵢ (the log of a typical group's parameter).
    pub mu_mean: f64,
    /// sᵢ > 0, the prior standard deviation of μᵢ.
    pub mu_sd: f64,
    /// σ_τ > 0, the scale of the half-normal prior of τᵢ, the spread of
    /// the groups' ln θᵢ.
    pub tau_sd: f64,
}

impl Hyperprior {
    /// A hyperprior from plain numbers `[mu_mean, mu_sd, tau_sd]` (what a
    /// binding receives), for the parameter `param` (named in errors).
    ///
    /// ```
    /// use clv::bayes::Hyperprior;
    /// let h = Hyperprior::new(&[0.0, 2.0, 1.0], "r")?;
    /// assert_eq!(h.tau_sd, 1.0);
    /// assert_eq!(Hyperprior::new(&[0.0, -2.0, 1.0], "r").unwrap_err().field(), Some("r"));
    /// # Ok::<(), clv::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidValue`] with field `param`: not three numbers, a
    /// non-finite mean, a standard deviation that is not finite and > 0.
    pub fn new(args: &[f64], param: &str) -> Result<Hyperprior> {
        let ok = args.len() == 3
            && args[0].is_finite()
            && args[1..].iter().all(|v| v.is_finite() && *v > 0.0);
        if !ok {
            let shown: Vec<String> = args.iter().map(ToString::to_string).collect();
            return Err(Error::invalid(
                param,
                format!("hyperprior [{}]", shown.join(", ")),
                "[mu_mean, mu_sd, tau_sd]: mu_mean finite, mu_sd and tau_sd finite and > 0",
            ));
        }
        Ok(Hyperprior {
            mu_mean: args[0],
            mu_sd: args[1],
            tau_sd: args[2],
        })
    }
}

/// The default hyperpriors of every parameter of `kind` (module docs):
/// mᵢ = 0, sᵢ = the σ of the default lognormal prior, σ_τ = 1.
///
/// ```
/// use clv::bayes::{Hyperprior, default_hyperpriors};
/// use clv::ModelKind;
/// let h = default_hyperpriors(ModelKind::BgNbd);
/// assert_eq!(h[1], Hyperprior { mu_mean: 0.0, mu_sd: 5.0, tau_sd: 1.0 }); // alpha, a scale
/// ```
#[must_use]
pub fn default_hyperpriors(kind: ModelKind) -> Vec<Hyperprior> {
    default_priors(kind)
        .iter()
        .map(|p| {
            let (mu_mean, mu_sd) = match *p {
                Prior::LogNormal { mu, sigma } => (mu, sigma),
                _ => (0.0, 2.0),
            };
            Hyperprior {
                mu_mean,
                mu_sd,
                tau_sd: 1.0,
            }
        })
        .collect()
}

/// The hyperpriors of every parameter of `kind`: the defaults, replaced by
/// those `given` by parameter name.
///
/// # Errors
/// [`Error::InvalidValue`] with field `hyperpriors` for a name that is not
/// a parameter of the model, or given twice.
pub fn resolve_hyperpriors(
    kind: ModelKind,
    given: &[(String, Hyperprior)],
) -> Result<Vec<Hyperprior>> {
    super::priors::replace_by_name(
        kind,
        default_hyperpriors(kind),
        given,
        "hyperpriors",
        "one hyperprior per parameter",
    )
}

/// The distinct labels in sorted order and each row's group index.
///
/// # Errors
/// [`Error::InvalidValue`] with field `groups`: a length other than `rows`,
/// an empty label (its index), no label, more than [`MAX_GROUPS`].
fn group_index<S: AsRef<str>>(groups: &[S], rows: usize) -> Result<(Vec<String>, Vec<usize>)> {
    check::same_len("groups", groups.len(), "rows", rows)?;
    if let Some(i) = groups.iter().position(|g| g.as_ref().is_empty()) {
        return Err(Error::invalid_at(
            "groups",
            i,
            "\"\"",
            "a non-empty group label",
        ));
    }
    let mut labels: Vec<String> = groups.iter().map(|g| g.as_ref().to_string()).collect();
    labels.sort_unstable();
    labels.dedup();
    if labels.is_empty() || labels.len() > MAX_GROUPS {
        return Err(Error::invalid(
            "groups",
            format!("{} groups", labels.len()),
            format!("between 1 and {MAX_GROUPS} distinct labels"),
        ));
    }
    let index = groups
        .iter()
        .map(|g| {
            labels
                .binary_search_by(|l| l.as_str().cmp(g.as_ref()))
                .unwrap_or(0)
        })
        .collect();
    Ok((labels, index))
}

/// One group's data: one array per input of the model, optional weights.
pub type GroupData<'a, 'w> = (Vec<&'a [f64]>, Option<&'w [f64]>);

/// The hierarchical log density on x = (μ, ln τ, z) with its gradient
/// (module docs): what the sampler sees.
pub struct HierDensity<'a> {
    kind: ModelKind,
    /// One density per group; only its likelihood (and starting point) is
    /// used.
    groups: Vec<LogDensity<'a>>,
    hyper: Vec<Hyperprior>,
}

impl std::fmt::Debug for HierDensity<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HierDensity")
            .field("kind", &self.kind)
            .field("groups", &self.groups.len())
            .field("hyper", &self.hyper)
            .finish_non_exhaustive()
    }
}

impl<'a> HierDensity<'a> {
    /// The density of a model of `kind` over groups of data: per group one
    /// array per input name of the model and optional weights, and one
    /// hyperprior per parameter.
    ///
    /// # Errors
    /// Those of [`LogDensity::new`] for each group; a wrong number of
    /// hyperpriors ([`Error::InvalidValue`], field `hyperpriors`).
    pub fn new(
        kind: ModelKind,
        groups: &[GroupData<'a, '_>],
        hyper: Vec<Hyperprior>,
    ) -> Result<HierDensity<'a>> {
        one_per_param(kind, "hyperpriors", "hyperprior", hyper.len())?;
        let groups = groups
            .iter()
            .map(|(inputs, w)| LogDensity::new(kind, inputs, *w, default_priors(kind)))
            .collect::<Result<_>>()?;
        Ok(HierDensity {
            kind,
            groups,
            hyper,
        })
    }

    /// The number of parameters of the model (k).
    pub fn params(&self) -> usize {
        self.hyper.len()
    }

    /// The number of coordinates: 2k + G·k.
    pub fn dim(&self) -> usize {
        self.params() * (2 + self.groups.len())
    }

    /// θ_g of every group at x: `out[g][i] = exp(μᵢ + τᵢ z_{g,i})`.
    pub fn group_params(&self, x: &[f64]) -> Vec<Vec<f64>> {
        let k = self.params();
        (0..self.groups.len())
            .map(|g| {
                (0..k)
                    .map(|i| (x[i] + x[k + i].exp() * x[2 * k + g * k + i]).exp())
                    .collect()
            })
            .collect()
    }

    /// ln p(x | data) up to a constant, and its gradient written into
    /// `grad` (module docs). −∞ (gradient zero) where a group's θ is not
    /// finite and positive; not finite where a likelihood is not.
    pub fn value_and_gradient(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        let k = self.params();
        let (mu, rest) = x.split_at(k);
        let (ln_tau, z) = rest.split_at(k);
        let tau: Vec<f64> = ln_tau.iter().map(|v| v.exp()).collect();
        let mut value = 0.0;
        for i in 0..k {
            let h = self.hyper[i];
            let d = (mu[i] - h.mu_mean) / h.mu_sd;
            value -= 0.5 * d * d;
            grad[i] = -d / h.mu_sd;
            // τ ~ HalfNormal(σ_τ) with the Jacobian of τ = e^{ln τ}
            let (lp, dlp) = Prior::HalfNormal { sigma: h.tau_sd }.ln_pdf(tau[i]);
            value += lp + ln_tau[i];
            grad[k + i] = tau[i] * dlp + 1.0;
        }
        let mut theta = vec![0.0; k];
        let mut g = vec![0.0; k];
        for (gi, density) in self.groups.iter().enumerate() {
            let zg = &z[gi * k..(gi + 1) * k];
            for i in 0..k {
                theta[i] = (mu[i] + tau[i] * zg[i]).exp();
            }
            if theta.iter().any(|t| !(t.is_finite() && *t > 0.0)) {
                grad.iter_mut().for_each(|v| *v = 0.0);
                return f64::NEG_INFINITY;
            }
            value += density.likelihood.value_and_gradient(&theta, &mut g);
            for i in 0..k {
                let gl = theta[i] * g[i];
                grad[i] += gl;
                grad[k + i] += gl * tau[i] * zg[i];
                grad[2 * k + gi * k + i] = gl * tau[i] - zg[i];
                value -= 0.5 * zg[i] * zg[i];
            }
        }
        value
    }

    /// The starting point before the jitter (module docs).
    fn start(&self) -> Vec<f64> {
        let k = self.params();
        let phis: Vec<Vec<f64>> = self.groups.iter().map(LogDensity::start).collect();
        let mut x = vec![0.0; self.dim()];
        for i in 0..k {
            let mut col: Vec<f64> = phis.iter().map(|p| p[i]).collect();
            col.sort_by(f64::total_cmp);
            let median = crate::uncertainty::quantile_sorted(&col, 0.5);
            let mad = crate::uncertainty::quantile_sorted(
                &{
                    let mut d: Vec<f64> = col.iter().map(|v| (v - median).abs()).collect();
                    d.sort_by(f64::total_cmp);
                    d
                },
                0.5,
            );
            // 1.4826 MAD: the sd of a normal sample, robust to a small
            // group whose estimate runs off to a boundary
            let tau = (1.4826 * mad).clamp(0.1, 1.0);
            x[i] = median;
            x[k + i] = tau.ln();
            for (g, p) in phis.iter().enumerate() {
                x[2 * k + g * k + i] = ((p[i] - median) / tau).clamp(-2.0, 2.0);
            }
        }
        x
    }
}

impl_target!(
    HierDensity,
    /// A diagonal mass matrix: the low-rank one, which suits the plain
    /// models' correlated parameters, left chains of the recovery test
    /// (tests/hierarchical.rs) unmixed (R-hat 1.013, 13 divergences in
    /// 1200 draws, against R-hat ≤ 1.0095 and 1 divergence with the
    /// diagonal): the non-centred posterior's scales change along τ, which
    /// one fixed matrix cannot follow.
    fn low_rank(&self) -> bool {
        false
    }
);

/// Samples the hierarchical posterior (module docs) of a model of `kind`
/// given `inputs` (one array per input name of the model, as a fit takes
/// them), optional per-row `weights` and one group label per row, with the
/// default hyperpriors replaced by those `given` by parameter name.
///
/// # Errors
/// Those of [`SampleOptions::validate`], [`resolve_hyperpriors`] and of a
/// fit's input checks; [`Error::InvalidValue`] naming `groups` (module
/// docs) or `draws` (groups × chains × draws above [`MAX_DRAWS`]);
/// [`Error::Unsupported`] for the sBG; [`Error::NotConverged`] when a chain
/// cannot start or the sampler fails.
pub fn sample_grouped<S: AsRef<str>>(
    kind: ModelKind,
    inputs: &[&[f64]],
    weights: Option<&[f64]>,
    groups: &[S],
    given: &[(String, Hyperprior)],
    options: &SampleOptions,
) -> Result<GroupedDraws> {
    options.validate()?;
    if kind.spec().family == Family::Retention {
        return Err(registry::unsupported(
            kind.spec().name,
            "groups",
            "a survivor curve is one cohort, not rows of customers with labels; fit one curve per cohort",
        ));
    }
    let hyper = resolve_hyperpriors(kind, given)?;
    // the checks of a fit, with errors naming the caller's rows
    drop(AnyModel::likelihood(kind, inputs, weights)?);
    let rows = inputs.first().map_or(0, |c| c.len());
    let (labels, index) = group_index(groups, rows)?;
    let stored = (labels.len() as u64)
        .saturating_mul(options.chains as u64)
        .saturating_mul(options.draws);
    if stored > MAX_DRAWS as u64 {
        return Err(Error::invalid(
            "draws",
            options.draws,
            format!("at most {MAX_DRAWS} stored draws: groups × chains × draws"),
        ));
    }
    // each group's rows, compressed
    let data: Vec<Compressed> = (0..labels.len())
        .map(|g| {
            let rows: Vec<usize> = (0..index.len()).filter(|&r| index[r] == g).collect();
            let cols: Vec<Vec<f64>> = inputs
                .iter()
                .map(|c| rows.iter().map(|&r| c[r]).collect())
                .collect();
            let w: Option<Vec<f64>> = weights.map(|w| rows.iter().map(|&r| w[r]).collect());
            let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
            Compressed::new(kind, &refs, w.as_deref())
        })
        .collect();
    let parts: Vec<GroupData<'_, '_>> = data
        .iter()
        .map(|d| (d.columns(), d.weights.as_deref()))
        .collect();
    let density = HierDensity::new(kind, &parts, hyper.clone())?;
    let start = density.start();
    let k = density.params();
    let mut hyper_draws = Vec::new();
    let mut group_values: Vec<Vec<Vec<f64>>> = vec![Vec::new(); labels.len()];
    let divergent = each_draw(run_chains(&density, &start, options, None), |x| {
        let mut h = x[..k].to_vec();
        h.extend(x[k..2 * k].iter().map(|v| v.exp()));
        hyper_draws.push(h);
        for (dst, theta) in group_values.iter_mut().zip(density.group_params(&x)) {
            dst.push(theta);
        }
    })?;
    GroupedDraws::new(
        kind,
        options.seed,
        labels,
        &group_values,
        hyper_draws,
        hyper,
        options.chains,
        options.tune,
        divergent,
    )
}

/// One row of [`GroupedDraws::summary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSummary {
    /// The group label; `None` on a hyperparameter row.
    pub group: Option<String>,
    /// `"theta"` (a group's parameter), `"mu"` or `"tau"` (the
    /// hyperparameters of the parameter named in `stats.param`).
    pub term: &'static str,
    /// The summary of the draws.
    #[serde(flatten)]
    pub stats: ParamSummary,
}

/// The JSON of [`GroupedDraws::to_json`].
#[derive(Serialize, Deserialize)]
struct GroupedJson {
    format_version: u32,
    kind: String,
    model: String,
    seed: u64,
    chains: usize,
    tune: u64,
    draws: usize,
    params: Vec<String>,
    groups: Vec<String>,
    hyperpriors: Vec<Hyperprior>,
    divergent: Vec<usize>,
    hyper: Vec<Vec<f64>>,
    values: Vec<Vec<Vec<f64>>>,
}

/// The draws of a hierarchical NUTS run ([`sample_grouped`]): per group a
/// [`Draws`] (method nuts, same chain layout, draws paired by index across
/// groups), and the hyperparameter draws.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedDraws {
    kind: ModelKind,
    seed: u64,
    labels: Vec<String>,
    groups: Vec<Draws>,
    /// Per draw: μ₁..μₖ then τ₁..τₖ.
    hyper: Vec<Vec<f64>>,
    hyperpriors: Vec<Hyperprior>,
    /// The chain layout and divergences, shared by every group.
    info: NutsInfo,
}

impl GroupedDraws {
    /// Builds the object from its parts (what [`sample_grouped`] and
    /// [`GroupedDraws::from_json`] read). Each group's [`NutsInfo::priors`]
    /// records the lognormal(mᵢ, sᵢ) prior that the hyperprior of μᵢ
    /// implies on a group's θᵢ when τ = 0 (the group's actual prior is the
    /// hierarchy).
    #[allow(clippy::too_many_arguments)]
    fn new(
        kind: ModelKind,
        seed: u64,
        labels: Vec<String>,
        values: &[Vec<Vec<f64>>],
        hyper: Vec<Vec<f64>>,
        hyperpriors: Vec<Hyperprior>,
        chains: usize,
        tune: u64,
        divergent: Vec<usize>,
    ) -> Result<GroupedDraws> {
        let k = kind.spec().params.len();
        let per = hyper.len() / chains.max(1);
        if labels.len() != values.len()
            || labels.is_empty()
            || hyperpriors.len() != k
            || hyper.iter().any(|h| h.len() != 2 * k)
        {
            return Err(Error::invalid(
                "groups",
                format!("{} labels, {} groups of draws", labels.len(), values.len()),
                "one label per group of draws, 2k hyperparameters per draw, one hyperprior per parameter",
            ));
        }
        let priors: Vec<Prior> = hyperpriors
            .iter()
            .map(|h| Prior::LogNormal {
                mu: h.mu_mean,
                sigma: h.mu_sd,
            })
            .collect();
        let info = NutsInfo {
            chains,
            tune,
            draws: per,
            priors,
            divergent,
        };
        let groups = values
            .iter()
            .map(|v| Draws::from_nuts(kind, seed, v, info.clone()))
            .collect::<Result<Vec<Draws>>>()?;
        if groups.iter().any(|d| d.len() != hyper.len()) {
            return Err(Error::invalid(
                "draws",
                hyper.len(),
                "as many hyperparameter draws as draws of each group",
            ));
        }
        Ok(GroupedDraws {
            kind,
            seed,
            labels,
            groups,
            hyper,
            hyperpriors,
            info,
        })
    }

    /// The model kind.
    pub fn kind(&self) -> ModelKind {
        self.kind
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The group labels, sorted.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Each group's draws, in the order of [`GroupedDraws::labels`].
    pub fn groups(&self) -> &[Draws] {
        &self.groups
    }

    /// The hyperpriors, one per parameter.
    pub fn hyperpriors(&self) -> &[Hyperprior] {
        &self.hyperpriors
    }

    /// The hyperparameter draws: per draw μ₁..μₖ then τ₁..τₖ, chain after
    /// chain.
    pub fn hyper(&self) -> &[Vec<f64>] {
        &self.hyper
    }

    /// The chain layout and divergences (shared by every group).
    pub fn nuts(&self) -> &NutsInfo {
        &self.info
    }

    /// The number of draws (per group).
    pub fn len(&self) -> usize {
        self.hyper.len()
    }

    /// Never true.
    pub fn is_empty(&self) -> bool {
        self.hyper.is_empty()
    }

    /// The draws of the group labelled `label`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] with field `group` for an unknown label.
    pub fn group(&self, label: &str) -> Result<&Draws> {
        self.position(label)
            .map(|g| &self.groups[g])
            .ok_or_else(|| {
                Error::invalid(
                    "group",
                    format!("{label:?}"),
                    format!("one of the sampled groups: {}", self.shown_labels()),
                )
            })
    }

    fn position(&self, label: &str) -> Option<usize> {
        self.labels.binary_search_by(|l| l.as_str().cmp(label)).ok()
    }

    fn shown_labels(&self) -> String {
        let mut s: Vec<String> = self
            .labels
            .iter()
            .take(10)
            .map(|l| format!("{l:?}"))
            .collect();
        if self.labels.len() > 10 {
            s.push(format!("… ({} in all)", self.labels.len()));
        }
        s.join(", ")
    }

    /// Rows per (group, parameter) (term `"theta"`), then per parameter
    /// the rows of μ and τ: mean, sd, 5% and 95% quantiles, R-hat, bulk
    /// and tail ESS, divergences ([`crate::bayes::convergence`]).
    ///
    /// # Errors
    /// None today; a `Result` as [`Draws::summary`].
    pub fn summary(&self) -> Result<Vec<GroupSummary>> {
        let mut rows = Vec::new();
        for (label, d) in self.labels.iter().zip(&self.groups) {
            for stats in d.summary()? {
                rows.push(GroupSummary {
                    group: Some(label.clone()),
                    term: "theta",
                    stats,
                });
            }
        }
        let info = self.nuts();
        let params = self.kind.spec().params;
        let k = params.len();
        for (i, &param) in params.iter().enumerate() {
            for (term, j) in [("mu", i), ("tau", k + i)] {
                let col: Vec<f64> = self.hyper.iter().map(|h| h[j]).collect();
                rows.push(GroupSummary {
                    group: None,
                    term,
                    stats: summarize_column(
                        param,
                        &col,
                        info.chains,
                        info.draws,
                        info.divergent.len(),
                    ),
                });
            }
        }
        Ok(rows)
    }

    /// The draws as JSON: `{"format_version": 1, "kind": "grouped_nuts",
    /// "model": KEY, "seed", "chains", "tune", "draws", "params": [NAMES],
    /// "groups": [LABELS], "hyperpriors": [{"mu_mean", "mu_sd", "tau_sd"}
    /// per parameter], "divergent": [INDICES], "hyper": [[μ.., τ..] per
    /// draw], "values": [[[θ] per draw] per group]}`; numbers read back bit
    /// for bit ([`GroupedDraws::from_json`]).
    pub fn to_json(&self) -> String {
        let info = self.nuts();
        let json = GroupedJson {
            format_version: GROUPED_FORMAT_VERSION,
            kind: "grouped_nuts".to_string(),
            model: self.kind.as_str().to_string(),
            seed: self.seed,
            chains: info.chains,
            tune: info.tune,
            draws: info.draws,
            params: crate::uncertainty::param_names(self.kind),
            groups: self.labels.clone(),
            hyperpriors: self.hyperpriors.clone(),
            divergent: info.divergent.clone(),
            hyper: self.hyper.clone(),
            values: self.groups.iter().map(Draws::values).collect(),
        };
        // numbers and strings only: serialising cannot fail
        serde_json::to_string(&json).unwrap_or_default()
    }

    /// Reads what [`GroupedDraws::to_json`] wrote.
    ///
    /// # Errors
    /// [`Error::Format`] for text that is not grouped draws JSON (another
    /// format version, an unknown model, parameter names that are not the
    /// model's, labels not sorted and distinct); those of
    /// [`Draws::from_nuts`] for each group.
    pub fn from_json(text: &str) -> Result<GroupedDraws> {
        let bad = crate::uncertainty::format_error("grouped draws JSON");
        let j: GroupedJson = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        if j.format_version != GROUPED_FORMAT_VERSION || j.kind != "grouped_nuts" {
            return Err(bad(format!(
                "format_version {} kind {:?} (expected {GROUPED_FORMAT_VERSION}, \"grouped_nuts\")",
                j.format_version, j.kind
            )));
        }
        let kind = crate::uncertainty::json_kind(&j.model, &j.params, bad)?;
        if j.groups.windows(2).any(|w| w[0] >= w[1]) {
            return Err(bad("groups not sorted and distinct".into()));
        }
        if j.chains.checked_mul(j.draws) != Some(j.hyper.len()) {
            return Err(bad(format!(
                "{} hyperparameter draws (expected chains × draws = {} × {})",
                j.hyper.len(),
                j.chains,
                j.draws
            )));
        }
        GroupedDraws::new(
            kind,
            j.seed,
            j.groups,
            &j.values,
            j.hyper,
            j.hyperpriors,
            j.chains,
            j.tune,
            j.divergent,
        )
    }

    /// Each customer's group index; `groups` has one label per element of
    /// a prediction of `len` elements, or one label for all.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] (field `groups`); [`Error::InvalidValue`]
    /// with field `groups`, the index and the label for an unknown label.
    fn index<S: AsRef<str>>(&self, groups: &[S], len: usize) -> Result<Vec<usize>> {
        if groups.len() != 1 {
            check::same_len("groups", groups.len(), "customers", len)?;
        }
        let one = |i: usize, g: &S| {
            self.position(g.as_ref()).ok_or_else(|| {
                Error::invalid_at(
                    "groups",
                    i,
                    format!("{:?}", g.as_ref()),
                    format!("one of the sampled groups: {}", self.shown_labels()),
                )
            })
        };
        if let [g] = groups {
            let at = one(0, g)?;
            return Ok(vec![at; len]);
        }
        groups.iter().enumerate().map(|(i, g)| one(i, g)).collect()
    }

    /// A prediction of `len` elements from the arrays `columns`:
    /// `validate` runs once on the whole input (so errors name whole-array
    /// indices), then `f(draws, picked)` predicts the rows of one group
    /// with that group's draws, `picked` the rows of each column
    /// ([`pick`]); the results are put back in input order. Draws are
    /// paired by index across groups, so the total of draw d is the sum of
    /// the groups' totals of draw d.
    fn by_group<S, C, F, const N: usize>(
        &self,
        groups: &[S],
        len: usize,
        quantiles: &[f64],
        validate: C,
        columns: [&[f64]; N],
        f: F,
    ) -> Result<Intervals>
    where
        S: AsRef<str>,
        C: FnOnce(&AnyModel) -> Result<()>,
        F: Fn(&Draws, [Vec<f64>; N]) -> Result<Intervals>,
    {
        crate::uncertainty::check_quantiles(quantiles)?;
        let index = self.index(groups, len)?;
        validate(&self.groups[0].models()[0])?;
        let nq = quantiles.len();
        let mut mean = vec![0.0; len];
        let mut values = vec![vec![0.0; len]; nq];
        let mut sums = vec![0.0; self.len()];
        for (g, draws) in self.groups.iter().enumerate() {
            let rows: Vec<usize> = (0..len).filter(|&r| index[r] == g).collect();
            if rows.is_empty() {
                continue;
            }
            let part = f(draws, columns.map(|a| pick(a, &rows)))?;
            for (j, &r) in rows.iter().enumerate() {
                mean[r] = part.mean[j];
                for (dst, src) in values.iter_mut().zip(&part.values) {
                    dst[r] = src[j];
                }
            }
            for (s, v) in sums.iter_mut().zip(&part.draw_sums) {
                *s += v;
            }
        }
        Ok(Intervals::assemble(quantiles, mean, values, sums))
    }

    /// P(alive) with intervals, each customer with the draws of its group
    /// ([`Draws::prob_alive`]).
    ///
    /// # Errors
    /// Those of [`Draws::prob_alive`]; an unknown label or a wrong number
    /// of labels (field `groups`).
    pub fn prob_alive<S: AsRef<str>>(
        &self,
        groups: &[S],
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
        quantiles: &[f64],
    ) -> Result<Intervals> {
        self.by_group(
            groups,
            frequency.len(),
            quantiles,
            |m| m.transaction("prob_alive")?.validate(frequency, recency, t),
            [frequency, recency, t],
            |d, [f, r, t]| d.prob_alive(&f, &r, &t, quantiles),
        )
    }

    /// Expected purchases in the next `horizon` units with intervals
    /// ([`Draws::expected_purchases`]), each customer with its group.
    ///
    /// # Errors
    /// As [`GroupedDraws::prob_alive`].
    pub fn expected_purchases<S: AsRef<str>>(
        &self,
        groups: &[S],
        horizon: &[f64],
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
        quantiles: &[f64],
    ) -> Result<Intervals> {
        self.by_group(
            groups,
            frequency.len(),
            quantiles,
            |m| {
                m.expected_purchases_each(horizon, frequency, recency, t)
                    .map(drop)
            },
            [horizon, frequency, recency, t],
            |d, [h, f, r, t]| d.expected_purchases(&h, &f, &r, &t, quantiles),
        )
    }

    /// E[X(t)] of a new customer of each element's group, with intervals
    /// ([`Draws::expected_purchases_new`]).
    ///
    /// # Errors
    /// As [`GroupedDraws::prob_alive`].
    pub fn expected_purchases_new<S: AsRef<str>>(
        &self,
        groups: &[S],
        t: &[f64],
        quantiles: &[f64],
    ) -> Result<Intervals> {
        self.by_group(
            groups,
            t.len(),
            quantiles,
            |m| m.expected_purchases_new_each(t).map(drop),
            [t],
            |d, [t]| d.expected_purchases_new(&t, quantiles),
        )
    }

    /// P(X(t) = n) of a new customer of each element's group (`n` and `t`
    /// broadcast), with intervals ([`Draws::prob_purchases`]).
    ///
    /// # Errors
    /// As [`GroupedDraws::prob_alive`].
    pub fn prob_purchases<S: AsRef<str>>(
        &self,
        groups: &[S],
        n: &[f64],
        t: &[f64],
        quantiles: &[f64],
    ) -> Result<Intervals> {
        let len = self.groups[0].models()[0].prob_purchases_each(n, t)?.len();
        self.by_group(
            groups,
            len,
            quantiles,
            |_| Ok(()),
            // a broadcast argument stays of length one
            [n, t],
            |d, [n, t]| d.prob_purchases(&n, &t, quantiles),
        )
    }

    /// Discounted expected residual transactions with intervals
    /// ([`Draws::dert`]), each customer with its group.
    ///
    /// # Errors
    /// As [`GroupedDraws::prob_alive`]; [`Error::Unsupported`] for a model
    /// without DERT.
    pub fn dert<S: AsRef<str>>(
        &self,
        groups: &[S],
        discount: f64,
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
        quantiles: &[f64],
    ) -> Result<Intervals> {
        self.by_group(
            groups,
            frequency.len(),
            quantiles,
            |m| m.dert(discount, frequency, recency, t).map(drop),
            [frequency, recency, t],
            |d, [f, r, t]| d.dert(discount, &f, &r, &t, quantiles),
        )
    }

    /// Expected spend per transaction with intervals (a Gamma-Gamma
    /// grouped posterior, [`Draws::expected_spend`]).
    ///
    /// # Errors
    /// As [`GroupedDraws::prob_alive`].
    pub fn expected_spend<S: AsRef<str>>(
        &self,
        groups: &[S],
        frequency: &[f64],
        monetary_value: &[f64],
        quantiles: &[f64],
    ) -> Result<Intervals> {
        self.by_group(
            groups,
            frequency.len(),
            quantiles,
            |m| m.expected_spend(frequency, monetary_value).map(drop),
            [frequency, monetary_value],
            |d, [f, m]| d.expected_spend(&f, &m, quantiles),
        )
    }

    /// Discounted CLV per customer with intervals
    /// ([`Draws::customer_lifetime_value`]), each customer with its
    /// group's transaction draws; the spend from `spend` (a point model,
    /// or spend draws paired by index with every group's draws).
    ///
    /// # Errors
    /// As [`Draws::customer_lifetime_value`]; as
    /// [`GroupedDraws::prob_alive`].
    #[allow(clippy::too_many_arguments)]
    pub fn customer_lifetime_value<S: AsRef<str>>(
        &self,
        groups: &[S],
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
        self.by_group(
            groups,
            frequency.len(),
            quantiles,
            |m| {
                let s0 = spend.model(0).expected_spend(frequency, monetary_value)?;
                m.transaction("customer_lifetime_value")?;
                crate::value::customer_lifetime_value(
                    m,
                    &s0,
                    frequency,
                    recency,
                    t,
                    0,
                    discount_rate_monthly,
                    periods_per_month,
                )
                .map(drop)
            },
            [frequency, recency, t, monetary_value],
            |d, [f, r, t, m]| {
                d.customer_lifetime_value(
                    spend,
                    &f,
                    &r,
                    &t,
                    &m,
                    time_months,
                    discount_rate_monthly,
                    periods_per_month,
                    quantiles,
                )
            },
        )
    }
}

/// The elements `rows` of `a`; an array of length one (a broadcast value)
/// is kept as it is.
fn pick(a: &[f64], rows: &[usize]) -> Vec<f64> {
    if a.len() == 1 {
        a.to_vec()
    } else {
        rows.iter().map(|&r| a[r]).collect()
    }
}
