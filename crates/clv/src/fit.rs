//! Shared maximum-likelihood machinery for every model in [`crate::models`].
//!
//! A model implements [`Likelihood`] (its total log-likelihood and the
//! analytic gradient on the natural, positive parameter scale); [`maximize`]
//! does the rest:
//!
//! - **Scale.** The optimiser works on `φ = ln θ`, so every parameter stays
//!   positive without bounds. By the chain rule `∂f/∂φᵢ = θᵢ · ∂f/∂θᵢ`.
//! - **Objective** (minimised), the form of `lifetimes`' `penalizer_coef`:
//!   `f(φ) = −LL(θ)/W + penalty · Σᵢ θᵢ²`, where `W` is the total weight
//!   (the number of customers for unweighted data). The penalty is on the
//!   parameters in the data's time unit; `lifetimes` first rescales time to
//!   `max(T) = 1` for BG/NBD, MBG/NBD and Pareto/NBD (and divides the
//!   Pareto/NBD's by the mean weight), which the Python `clv.compat.lifetimes`
//!   fitters reproduce on top of this objective.
//! - **Optimiser, with a closed-form Hessian**
//!   ([`Likelihood::value_gradient_hessian`]): Newton's method on φ with
//!   Levenberg–Marquardt damping. In φ the Hessian of `f` is
//!   `∇²f = −D H D / W + diag(θᵢ (−gᵢ/W + 4 penalty θᵢ))`, `D = diag(θ)`,
//!   `g`, `H` the gradient and Hessian of LL in θ. The step `p` solves
//!   `(∇²f + λI) p = −∇f` by Cholesky: `λ = 0` (the pure Newton step) while
//!   `∇²f` is positive definite and the step decreases `f` enough (Armijo,
//!   `f(φ+p) ≤ f(φ) + 10⁻⁴ ∇f·p`); otherwise `λ` starts at
//!   `10⁻³ · max(1, maxᵢ |∇²f|ᵢᵢ)` and grows tenfold until the step is
//!   accepted (ever shorter steps, ever closer to the gradient direction),
//!   and shrinks tenfold after each accepted step. No step moves a `ln θᵢ` by
//!   more than 2. Near the optimum convergence is quadratic: 5–10 passes over
//!   the data instead of about 25 for L-BFGS. Once converged, up to three
//!   more pure Newton steps polish the optimum to the rounding floor (each
//!   must halve the gradient), so that fits of the same data by different
//!   routes (compressed, summed over partitions) agree to about 10⁻¹²
//!   rather than to the tolerance. A run that has not converged
//!   after 20 steps follows its drift further (a pattern move, see
//!   `pattern_move`: Newton creeps along a ridge toward a boundary), and
//!   stops when 20 steps and the move lowered the objective by no more than
//!   its rounding (`10⁻¹³·|f|`). If Newton does not converge, L-BFGS runs
//!   from the same start, unless the run ended at a boundary or at a
//!   rounding of f larger than the gradient tolerance.
//! - **Region.** Every `|ln θᵢ| ≤ ln 10¹⁰` (`LN_THETA_MAX`, with the
//!   reasoning): beyond it the likelihoods' cancelling terms are rounding
//!   noise that an optimiser can "climb" for minutes. Newton projects its
//!   steps onto the box (L-BFGS is not bounded, see there) and judges
//!   convergence by the projected gradient (a component pushing out of the
//!   box at its edge does not count), and the model then judges the point
//!   ([`Likelihood::boundary`]; a fit stuck at the edge without a boundary
//!   is `NOT_IDENTIFIED` or `NOT_CONVERGED`).
//! - **Optimiser, otherwise** (and as that fallback): L-BFGS (memory 10)
//!   from the `argmin` crate with the Moré–Thuente line search. A trial step
//!   where the log-likelihood is `−∞` or NaN is a rejected step: the best
//!   finite point seen so far is kept and L-BFGS is restarted from it,
//!   falling back to an Armijo backtracking line search (which simply
//!   shortens such steps).
//! - **Starts.** Every point of [`Likelihood::starting_points`] and the
//!   all-ones point; all deterministic. Newton takes them in that order;
//!   L-BFGS takes them best first, ranked by the objective at the start. The
//!   next ones are used only if a run does not converge (or ends at a
//!   boundary, below); the first converged run is kept.
//! - **Convergence** is checked on the gradient itself:
//!   `maxᵢ |∂f/∂φᵢ| < gradient_tolerance`. A fit where no start satisfies it is
//!   [`Error::NotConverged`], never a silent result.
//! - **Boundary optima.** Some likelihoods rise toward the edge of the
//!   parameter space: a parameter runs to 0 or ∞ and the model reduces to a
//!   simpler one (GGom/NBD with b → 0 is Pareto/NBD). The model recognises
//!   such a point with [`Likelihood::boundary`]. A run that ends at such a
//!   point, converged or not (the gradient also vanishes toward infinity),
//!   does not stop the search: the other starts still look for an interior
//!   optimum, and the best boundary run is returned only when none
//!   converges or its log-likelihood is higher, with [`FitInfo::boundary`]
//!   set (the note names the parameters and the reduced model) instead of
//!   [`Error::NotConverged`]; the standard
//!   errors and intervals of the parameters involved are NaN (JSON `null`),
//!   and those of the others are conditional on them (the information matrix
//!   of the other parameters alone is inverted).
//! - **Uncertainty.** The Hessian `H` of the (unpenalised) LL in natural
//!   parameters is the model's closed form when it has one, else central
//!   differences of the analytic gradient ([`hessian`]); standard errors are
//!   `√diag((−H)⁻¹)` (inverse observed information). The 95% intervals are
//!   **log-scale Wald intervals** `exp(ln θ ± 1.96 · SE/θ) = θ · exp(±1.96 · SE/θ)`
//!   (delta method: `SE(ln θ) = SE(θ)/θ`), which are always positive, unlike
//!   `θ ± 1.96·SE`.

use std::cell::RefCell;

use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::linesearch::condition::ArmijoCondition;
use argmin::solver::linesearch::{BacktrackingLineSearch, MoreThuenteLineSearch};
use argmin::solver::quasinewton::LBFGS;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::models::{Family, Model, ModelSpec};

/// A model's likelihood as the optimiser sees it.
///
/// Parameters are on the natural scale (all > 0); [`maximize`] optimises over
/// log-parameters itself (chain rule: `∂/∂ ln θ = θ · ∂/∂θ`).
pub trait Likelihood: Sync {
    /// Parameter names, in order (e.g. `["r", "alpha", "a", "b"]`).
    fn names(&self) -> &'static [&'static str];
    /// Total (weighted) log-likelihood at `params`; writes `∂LL/∂params` into
    /// `grad` (same length). May return `−∞` / NaN outside the region where it
    /// is finite; [`maximize`] treats that as a rejected step.
    fn value_and_gradient(&self, params: &[f64], grad: &mut [f64]) -> f64;
    /// Sum of weights (number of customers for unweighted data). Used to scale
    /// the objective.
    fn total_weight(&self) -> f64;
    /// Deterministic starting points on the natural scale ([`maximize`] also
    /// tries all-ones). No randomness.
    fn starting_points(&self) -> Vec<Vec<f64>>;
    /// Total log-likelihood, its gradient and its Hessian
    /// `∂²LL/∂θᵢ∂θⱼ` (row-major k×k in `hess`) in one pass, for a model that
    /// has them in closed form; `None` (the default) when it does not. With
    /// it, [`maximize`] runs Newton's method and the standard errors come
    /// from the exact Hessian.
    fn value_gradient_hessian(&self, _p: &[f64], _grad: &mut [f64], _h: &mut [f64]) -> Option<f64> {
        None
    }
    /// Whether `params` (the end of an optimiser run) lies at a boundary
    /// optimum: some parameters running off to 0 or ∞ along a direction in
    /// which the likelihood is flat, the model reducing to a simpler one.
    /// `None` (the default) for an interior point. See [`Boundary`] and the
    /// [module docs](self).
    fn boundary(&self, _params: &[f64]) -> Option<Boundary> {
        None
    }
}

/// A boundary optimum reported by [`Likelihood::boundary`].
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    /// Indices (into [`Likelihood::names`]) of the parameters running off;
    /// their standard errors and intervals are reported as NaN.
    pub params: Vec<usize>,
    /// What happens and what the model reduces to, e.g.
    /// `"b -> 0 (b = 1e-9): GGom/NBD reduces to Pareto/NBD with beta/b = 11.67"`.
    pub note: String,
}

/// Options of [`maximize`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitOptions {
    /// Maximum number of optimiser iterations (Newton steps or L-BFGS
    /// iterations) per starting point (default 1000).
    pub max_iterations: u64,
    /// Convergence when `maxᵢ |∂(mean penalised NLL)/∂ ln θᵢ|` is below this
    /// (default `1e-6`).
    pub gradient_tolerance: f64,
    /// L2 penalty of the form of `lifetimes`' `penalizer_coef`: the objective
    /// is `−LL/W + penalty · Σθ²` (default 0), θ in the data's time unit
    /// (`lifetimes` rescales time to `max(T) = 1` first; see the module docs).
    pub penalty: f64,
    /// The time unit of the inputs (the summary's), stored in
    /// [`FitInfo::unit`] so that the fitted model carries it (default
    /// `None`: not known). Not used by the fit itself.
    #[serde(default)]
    pub unit: Option<crate::time::TimeUnit>,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            max_iterations: 1000,
            gradient_tolerance: 1e-6,
            penalty: 0.0,
            unit: None,
        }
    }
}

impl FitOptions {
    /// Checks the options: `max_iterations ≥ 1`, `gradient_tolerance` finite
    /// and > 0, `penalty` finite and ≥ 0.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming the offending option.
    pub fn validate(&self) -> Result<()> {
        if self.max_iterations == 0 {
            return Err(Error::invalid("max_iterations", 0, "an integer >= 1"));
        }
        crate::error::check::positive("gradient_tolerance", self.gradient_tolerance)?;
        crate::error::check::non_negative("penalty", self.penalty)?;
        Ok(())
    }
}

/// What a fit reports besides the parameters.
///
/// Model comparison: [`aic`](Self::aic) and [`bic`](Self::bic) with `k` the
/// number of parameters and `n` = [`n_observations`](Self::n_observations)
/// (the weighted number of customers; for a retention model the cohort
/// size). JSON written before they existed reads back with them computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "FitInfoJson")]
pub struct FitInfo {
    /// Total (weighted) log-likelihood at the optimum, without the penalty.
    pub log_likelihood: f64,
    /// Standard errors `√diag((−H)⁻¹)` from the observed information (`H`
    /// the Hessian of LL in natural parameters). NaN for a parameter when the
    /// observed information is not positive definite at the optimum (a weakly
    /// identified model), and for the parameters running off at a
    /// [boundary](Self::boundary) optimum.
    pub std_errors: Vec<f64>,
    /// 95% log-scale Wald intervals `θ · exp(±1.96 · SE/θ)` (always positive);
    /// `(NaN, NaN)` where the standard error is NaN.
    pub ci_95: Vec<(f64, f64)>,
    /// Optimiser iterations (Newton steps or L-BFGS iterations) used by the
    /// retained start.
    pub iterations: u64,
    /// `true` when the gradient criterion holds at the returned point. Only a
    /// boundary fit ([`Self::boundary`] set) may be returned with `false`:
    /// its supremum lies at the edge of the parameter space; any other
    /// non-convergence is an error.
    pub converged: bool,
    /// `maxᵢ |∂f/∂ ln θᵢ|` of the objective `f` at the optimum.
    pub gradient_norm: f64,
    /// Total weight (number of customers for unweighted data).
    pub n_observations: f64,
    /// Set when the optimum lies at the boundary of the parameter space
    /// ([`Likelihood::boundary`]): which parameters run off and what the
    /// model reduces to. The log-likelihood is then the best value reached
    /// (the supremum up to the optimiser's tolerance), the standard errors of
    /// the parameters involved are NaN and those of the others conditional
    /// on them. Absent from the JSON when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<String>,
    /// Input rows the model's likelihood leaves out although they are valid
    /// data (e.g. Gamma-Gamma's repeat customers whose mean spend is 0), so
    /// that callers can warn and name them. `None` when every row that the
    /// model describes entered the fit. Absent from the JSON when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_out: Option<LeftOut>,
    /// The time unit the model was fitted in (`"W"`, `"7d"`, ...; from
    /// [`FitOptions::unit`]): that of `recency`, `T` and every horizon. CLV
    /// takes it from here ([`crate::value::resolve_unit`]). Absent from the
    /// JSON when not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Akaike information criterion `AIC = 2k − 2 LL` (Akaike 1974, "A new
    /// look at the statistical model identification", IEEE TAC 19(6)), `k`
    /// the number of parameters, `LL` [`log_likelihood`](Self::log_likelihood).
    /// Lower is better; only differences between models fitted to the same
    /// data mean something.
    pub aic: f64,
    /// Bayesian (Schwarz) information criterion `BIC = k ln n − 2 LL`
    /// (Schwarz 1978, "Estimating the dimension of a model", Annals of
    /// Statistics 6(2)), `n` = [`n_observations`](Self::n_observations).
    pub bic: f64,
    /// The covariance matrix of the parameters `(−H)⁻¹` (row-major, k×k;
    /// its diagonal is the square of [`std_errors`](Self::std_errors)): NaN
    /// where the standard errors are NaN. Empty for JSON written before it
    /// existed.
    #[serde(default)]
    pub covariance: Vec<Vec<f64>>,
    /// What the fit suggests about the data, for the caller to show as a
    /// warning (Python `warnings.warn`, the CLI on stderr): e.g. a
    /// parameter past [`EXTREME_PARAMETER`] ([`extreme_parameter_warnings`]).
    /// Empty for a plain fit; absent from the JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Valid input rows a fit did not use ([`FitInfo::left_out`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftOut {
    /// 0-based indices of the rows in the fit's input arrays, ascending.
    pub indices: Vec<usize>,
    /// Why they were left out and how they are valued, in one sentence.
    pub reason: String,
}

impl FitInfo {
    /// `(AIC, BIC)` = `(2k − 2 LL, k ln n − 2 LL)` for `k` parameters fitted
    /// to a (weighted) number `n` of observations (see [`FitInfo::aic`]).
    #[must_use]
    pub fn information_criteria(log_likelihood: f64, k: usize, n: f64) -> (f64, f64) {
        let k = k as f64;
        (
            2.0 * k - 2.0 * log_likelihood,
            k * n.ln() - 2.0 * log_likelihood,
        )
    }
}

/// [`FitInfo`] as read from JSON: `aic` and `bic` are optional (JSON written
/// before they existed), then computed from the log-likelihood, the number
/// of parameters (the length of `std_errors`) and `n_observations`.
#[derive(Deserialize)]
struct FitInfoJson {
    log_likelihood: f64,
    #[serde(deserialize_with = "de_nullable_vec")]
    std_errors: Vec<f64>,
    #[serde(deserialize_with = "de_nullable_pairs")]
    ci_95: Vec<(f64, f64)>,
    iterations: u64,
    converged: bool,
    gradient_norm: f64,
    n_observations: f64,
    #[serde(default)]
    boundary: Option<String>,
    #[serde(default)]
    aic: Option<f64>,
    #[serde(default)]
    bic: Option<f64>,
    #[serde(default, deserialize_with = "de_nullable_matrix")]
    covariance: Vec<Vec<f64>>,
    #[serde(default)]
    left_out: Option<LeftOut>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
}

/// A matrix whose NaN entries were written as `null`.
fn de_nullable_matrix<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<Vec<f64>>, D::Error> {
    let v: Vec<Vec<Option<f64>>> = Deserialize::deserialize(d)?;
    Ok(v.into_iter()
        .map(|row| row.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
        .collect())
}

impl From<FitInfoJson> for FitInfo {
    fn from(j: FitInfoJson) -> Self {
        let (aic, bic) =
            FitInfo::information_criteria(j.log_likelihood, j.std_errors.len(), j.n_observations);
        FitInfo {
            log_likelihood: j.log_likelihood,
            std_errors: j.std_errors,
            ci_95: j.ci_95,
            iterations: j.iterations,
            converged: j.converged,
            gradient_norm: j.gradient_norm,
            n_observations: j.n_observations,
            boundary: j.boundary,
            aic: j.aic.unwrap_or(aic),
            bic: j.bic.unwrap_or(bic),
            covariance: j.covariance,
            left_out: j.left_out,
            unit: j.unit,
            warnings: j.warnings,
        }
    }
}

/// serde_json writes NaN as `null`; read `null` back as NaN.
fn de_nullable_vec<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<f64>, D::Error> {
    let v: Vec<Option<f64>> = Deserialize::deserialize(d)?;
    Ok(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
}

/// As [`de_nullable_vec`] for the interval pairs.
fn de_nullable_pairs<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<(f64, f64)>, D::Error> {
    let v: Vec<(Option<f64>, Option<f64>)> = Deserialize::deserialize(d)?;
    Ok(v.into_iter()
        .map(|(a, b)| (a.unwrap_or(f64::NAN), b.unwrap_or(f64::NAN)))
        .collect())
}

/// z-quantile of the two-sided 95% interval.
const Z_95: f64 = 1.959_963_984_540_054;

/// Best finite point met by the optimiser (argmin loses its state when the
/// line search errors on a non-finite trial step, so the objective keeps it).
#[derive(Debug, Clone)]
struct Best {
    phi: Vec<f64>,
    cost: f64,
}

/// The objective `f = −LL/W + penalty · Σθ²` and its gradient in φ = ln θ,
/// `∂f/∂φᵢ = θᵢ (−gᵢ/W + 2 penalty θᵢ)`, from the log-likelihood `ll` and its
/// gradient `g` in θ (module docs).
fn objective_in_phi(
    theta: &[f64],
    ll: f64,
    g: &[f64],
    weight: f64,
    penalty: f64,
) -> (f64, Vec<f64>) {
    let f = -ll / weight + theta.iter().map(|t| t * t).sum::<f64>() * penalty;
    let grad = theta
        .iter()
        .zip(g)
        .map(|(t, gi)| t * (-gi / weight + 2.0 * penalty * t))
        .collect();
    (f, grad)
}

/// The objective on log-parameters, `f(φ) = −LL(e^φ)/W + penalty · Σ e^{2φ}`.
struct Objective<'a, L: Likelihood + ?Sized> {
    likelihood: &'a L,
    weight: f64,
    penalty: f64,
    best: &'a RefCell<Best>,
    /// Evaluations left in this run. argmin runs its line searches without an
    /// iteration limit, so the objective itself stops a run that would loop
    /// forever by returning an error once the budget is spent.
    budget: &'a std::cell::Cell<u64>,
    /// The last point evaluated with its value and gradient: argmin asks for
    /// the cost and the gradient at the same point in two calls, and one
    /// likelihood pass gives both.
    memo: &'a RefCell<Option<Memo>>,
}

// References and numbers only: each argmin run takes its own copy of the
// one objective of an attempt (not derived: that would ask `L: Copy`).
impl<L: Likelihood + ?Sized> Clone for Objective<'_, L> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<L: Likelihood + ?Sized> Copy for Objective<'_, L> {}

/// One evaluated point of the objective.
struct Memo {
    phi: Vec<f64>,
    value: f64,
    grad: Vec<f64>,
}

impl<L: Likelihood + ?Sized> Objective<'_, L> {
    /// Objective value and gradient in φ; the value is `+∞` where LL is not
    /// finite (the gradient is then zero and meaningless).
    fn eval(&self, phi: &[f64]) -> (f64, Vec<f64>) {
        if let Some(m) = self.memo.borrow().as_ref()
            && m.phi == phi
        {
            return (m.value, m.grad.clone());
        }
        let (f, grad) = self.eval_uncached(phi);
        *self.memo.borrow_mut() = Some(Memo {
            phi: phi.to_vec(),
            value: f,
            grad: grad.clone(),
        });
        (f, grad)
    }

    fn eval_uncached(&self, phi: &[f64]) -> (f64, Vec<f64>) {
        let theta: Vec<f64> = phi.iter().map(|p| p.exp()).collect();
        let mut g = vec![0.0; theta.len()];
        if theta.iter().any(|t| !(t.is_finite() && *t > 0.0)) {
            return (f64::INFINITY, g);
        }
        let ll = self.likelihood.value_and_gradient(&theta, &mut g);
        let (f, grad) = objective_in_phi(&theta, ll, &g, self.weight, self.penalty);
        if !f.is_finite() || grad.iter().any(|v| !v.is_finite()) {
            return (f64::INFINITY, vec![0.0; theta.len()]);
        }
        let mut best = self.best.borrow_mut();
        if f < best.cost {
            best.cost = f;
            best.phi = phi.to_vec();
        }
        (f, grad)
    }
}

impl<L: Likelihood + ?Sized> Objective<'_, L> {
    /// Uses one evaluation of the budget; an error when none is left.
    fn spend(&self) -> std::result::Result<(), argmin::core::Error> {
        let left = self.budget.get();
        if left == 0 {
            return Err(argmin::core::Error::msg("evaluation budget exhausted"));
        }
        self.budget.set(left - 1);
        Ok(())
    }
}

impl<L: Likelihood + ?Sized> CostFunction for Objective<'_, L> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, phi: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        self.spend()?;
        Ok(self.eval(phi).0)
    }
}

impl<L: Likelihood + ?Sized> Gradient for Objective<'_, L> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, phi: &Vec<f64>) -> std::result::Result<Vec<f64>, argmin::core::Error> {
        self.spend()?;
        Ok(self.eval(phi).1)
    }
}

/// The reason of a run stopped at the objective's rounding.
const STALLED: &str = "no decrease of the objective beyond its rounding";

/// Outcome of one start.
struct Attempt {
    phi: Vec<f64>,
    cost: f64,
    grad_max: f64,
    iterations: u64,
    converged: bool,
    reason: String,
}

/// Iterations allowed in one argmin run (bounded so that the evaluation
/// budget cannot overflow).
fn budget_iters(left: u64) -> u64 {
    left.min(1 << 40)
}

/// Runs L-BFGS from `phi0` (restarting from the best point as needed) until
/// the gradient criterion holds, progress stops or the iteration budget is
/// spent.
fn run_start<L: Likelihood + ?Sized>(
    likelihood: &L,
    options: &FitOptions,
    phi0: Vec<f64>,
) -> Attempt {
    let weight = likelihood.total_weight();
    let best = RefCell::new(Best {
        phi: phi0.clone(),
        cost: f64::INFINITY,
    });
    let budget = std::cell::Cell::new(u64::MAX);
    let memo = RefCell::new(None);
    let objective = Objective {
        likelihood,
        weight,
        penalty: options.penalty,
        best: &best,
        budget: &budget,
        memo: &memo,
    };
    let (c0, _) = objective.eval(&phi0);
    let mut iterations = 0u64;
    let mut reason = String::from("iteration limit reached");
    let mut use_backtracking = false;
    let mut stalls = 0;
    let grad_max_at = |phi: &[f64]| -> f64 {
        let (_, g) = objective.eval(phi);
        g.iter().fold(0.0_f64, |m, v| m.max(v.abs()))
    };
    if !c0.is_finite() {
        return Attempt {
            phi: phi0,
            cost: f64::INFINITY,
            grad_max: f64::INFINITY,
            iterations: 0,
            converged: false,
            reason: "log-likelihood is not finite at the starting point".into(),
        };
    }
    loop {
        let (start_phi, start_cost) = {
            let b = best.borrow();
            (b.phi.clone(), b.cost)
        };
        let gmax = grad_max_at(&start_phi);
        if gmax < options.gradient_tolerance {
            return Attempt {
                phi: start_phi,
                cost: start_cost,
                grad_max: gmax,
                iterations,
                converged: true,
                reason: String::new(),
            };
        }
        if iterations >= options.max_iterations {
            break;
        }
        let iters_left = options.max_iterations - iterations;
        budget.set(20 * budget_iters(iters_left) + 100);
        // Stop argmin on a slightly smaller gradient 2-norm than our max-abs
        // criterion so that its own stop implies ours when all goes well.
        let tol = options.gradient_tolerance * 0.5;
        let run = if use_backtracking {
            ArmijoCondition::new(1e-4)
                .and_then(|c| BacktrackingLineSearch::new(c).rho(0.5))
                .and_then(|ls| {
                    LBFGS::new(ls, 10)
                        .with_tolerance_grad(tol)?
                        .with_tolerance_cost(0.0)
                })
                .and_then(|solver| {
                    Executor::new(objective, solver)
                        .configure(|s| s.param(start_phi.clone()).max_iters(iters_left))
                        .run()
                })
                .map(|r| r.state().get_iter())
        } else {
            LBFGS::new(MoreThuenteLineSearch::new(), 10)
                .with_tolerance_grad(tol)
                .and_then(|s| s.with_tolerance_cost(0.0))
                .and_then(|solver| {
                    Executor::new(objective, solver)
                        .configure(|s| s.param(start_phi.clone()).max_iters(iters_left))
                        .run()
                })
                .map(|r| r.state().get_iter())
        };
        match run {
            // argmin counts its iterations; a run that errored used at least one.
            Ok(n) => iterations += n.max(1),
            Err(e) => {
                iterations += 1;
                reason = format!("line search stopped: {e}");
            }
        }
        let new_cost = best.borrow().cost;
        if new_cost < start_cost {
            stalls = 0;
        } else if !use_backtracking {
            use_backtracking = true;
        } else {
            stalls += 1;
            if stalls >= 2 {
                reason = "no further decrease of the objective".into();
                break;
            }
        }
    }
    let b = best.borrow().clone();
    let gmax = grad_max_at(&b.phi);
    Attempt {
        converged: gmax < options.gradient_tolerance,
        phi: b.phi,
        cost: b.cost,
        grad_max: gmax,
        iterations,
        reason,
    }
}

/// One point of Newton's method: the objective `f`, its gradient and
/// Hessian in φ, and the log-likelihood with its Hessian in θ (kept for the
/// standard errors).
struct NewtonPoint {
    phi: Vec<f64>,
    f: f64,
    grad: Vec<f64>,
    /// ∇²f in φ, row-major.
    hess: Vec<f64>,
    ll: f64,
    /// ∂²LL/∂θᵢ∂θⱼ, row-major.
    ll_hess: Vec<f64>,
}

impl NewtonPoint {
    /// The convergence measure: the largest component of the projected
    /// gradient ([`projected_grad_max`]).
    fn grad_max(&self) -> f64 {
        projected_grad_max(&self.phi, &self.grad)
    }
}

/// Evaluates the objective with its φ-Hessian at `phi` (see the module docs
/// for the chain rule). `None` when the model has no closed-form Hessian;
/// `f = +∞` where the log-likelihood, gradient or Hessian is not finite.
fn newton_point(
    likelihood: &dyn Likelihood,
    weight: f64,
    penalty: f64,
    phi: &[f64],
) -> Option<NewtonPoint> {
    let k = phi.len();
    let theta: Vec<f64> = phi.iter().map(|p| p.exp()).collect();
    let mut g = vec![0.0; k];
    let mut h = vec![0.0; k * k];
    if !in_box(phi) || theta.iter().any(|t| !(t.is_finite() && *t > 0.0)) {
        return Some(rejected_point(phi));
    }
    let ll = likelihood.value_gradient_hessian(&theta, &mut g, &mut h)?;
    let (f, grad) = objective_in_phi(&theta, ll, &g, weight, penalty);
    let mut hess = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            hess[i * k + j] = -theta[i] * theta[j] * h[i * k + j] / weight;
        }
        hess[i * k + i] += theta[i] * (-g[i] / weight + 4.0 * penalty * theta[i]);
    }
    if !f.is_finite() || grad.iter().chain(&hess).any(|v| !v.is_finite()) {
        return Some(rejected_point(phi));
    }
    Some(NewtonPoint {
        phi: phi.to_vec(),
        f,
        grad,
        hess,
        ll,
        ll_hess: h,
    })
}

/// Cholesky factor `L` (row-major, lower) of `A + λI` for symmetric `A`
/// (row-major k×k): `A + λI = L Lᵀ`; `None` when `A + λI` is not positive
/// definite (or not finite).
fn cholesky(a: &[f64], k: usize, lambda: f64) -> Option<Vec<f64>> {
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let s: f64 = (0..j).map(|m| l[i * k + m] * l[j * k + m]).sum();
            if i == j {
                let d = a[i * k + i] + lambda - s;
                if !(d > 0.0 && d.is_finite()) {
                    return None;
                }
                l[i * k + i] = d.sqrt();
            } else {
                l[i * k + j] = (a[i * k + j] - s) / l[j * k + j];
            }
        }
    }
    Some(l)
}

/// Solves `L Lᵀ x = b` with the factor from [`cholesky`] (forward, then
/// back substitution).
fn cholesky_solve(l: &[f64], b: &[f64]) -> Vec<f64> {
    let k = b.len();
    let mut y = vec![0.0; k];
    for i in 0..k {
        let s: f64 = (0..i).map(|m| l[i * k + m] * y[m]).sum();
        y[i] = (b[i] - s) / l[i * k + i];
    }
    let mut x = vec![0.0; k];
    for i in (0..k).rev() {
        let s: f64 = (i + 1..k).map(|m| l[m * k + i] * x[m]).sum();
        x[i] = (y[i] - s) / l[i * k + i];
    }
    x
}

/// The optimiser's region: every `|ln θᵢ| ≤ LN_THETA_MAX = ln 10¹⁰`, i.e.
/// `θᵢ ∈ [10⁻¹⁰, 10¹⁰]` (a covariate effect γ, which the optimiser sees as
/// `ln e^γ`, within ±23), for Newton's method: its trial points are
/// projected onto the box. L-BFGS (models without a closed-form Hessian,
/// and Newton's fallback) is not bounded: it cannot project, and rejecting
/// its steps at the edge leaves a run that follows a ridge to its end
/// unable to stop (the covariate Pareto/NBD example of
/// `covariates::fit`, whose r and α run off together, ends at r = 3.5·10²⁹
/// and would be `NOT_CONVERGED`; it is `NOT_IDENTIFIED` there, by the
/// check every fit ends with, `identified`). A Newton run that ends at a boundary or
/// at the objective's rounding no longer hands over to L-BFGS, which is
/// how the x = 10⁹ fit below wandered off.
///
/// Why a bound, and this one: the likelihoods hold terms such as
/// `s ln β − s ln(β+T)` (Pareto/NBD) or `r ln α`, which cancel to a small
/// difference of large terms. Their rounding error grows as `ε·θ·|ln θ|`:
/// at θ = 10³³ it reaches 10¹⁹ per customer, and an optimiser that wanders
/// there (a Pareto/NBD fit with one customer of x = 10⁹ purchases went to
/// s = 10³³, α = 10⁻¹⁶⁵ and r = 10⁵⁰, issue 17 finding 13) "improves" the
/// log-likelihood by nothing but rounding, for minutes. At 10¹⁰ that error
/// is about 5·10⁻⁵ per customer. No identified parameter comes near it in a
/// sensible time unit (CDNOW: 0.24–4.4 in weeks; Pareto/NBD α of a customer
/// with 10⁹ purchases: 10⁻⁸), and a parameter that runs toward it runs off
/// to 0 or ∞: the model recognises such a point as a boundary optimum
/// ([`Likelihood::boundary`], e.g. Pareto/NBD's s, β → ∞ with s/β fixed,
/// whose check looks 10³ times beyond, still accurate there), and
/// otherwise the fit is [`Error::NotIdentified`] (no finite standard
/// error) or [`Error::NotConverged`]: a typed outcome either way.
const LN_THETA_MAX: f64 = 23.025_850_929_940_457;

/// Whether `phi` lies in the optimiser's region ([`LN_THETA_MAX`]).
fn in_box(phi: &[f64]) -> bool {
    phi.iter().all(|p| p.abs() <= LN_THETA_MAX)
}

/// The largest gradient component that can still be followed from `phi`:
/// a component whose descent direction `−gᵢ` leaves the box at its edge is
/// left out (the projected gradient of box-constrained optimisation; at an
/// edge the model judges the point with [`Likelihood::boundary`]).
fn projected_grad_max(phi: &[f64], grad: &[f64]) -> f64 {
    phi.iter()
        .zip(grad)
        .filter(|(p, g)| !(p.abs() >= LN_THETA_MAX && -**g * p.signum() > 0.0))
        .fold(0.0_f64, |m, (_, g)| m.max(g.abs()))
}

/// Newton iterations between two pattern moves ([`pattern_move`]).
const PATTERN_EVERY: u64 = 20;

/// Largest change of one `ln θᵢ` in a Newton step (a factor e² ≈ 7.4).
const MAX_LOG_STEP: f64 = 2.0;

/// Damping trials per Newton iteration before giving up (λ then spans
/// 10⁻³ to 10⁵⁶ times the Hessian's scale).
const MAX_DAMPING_TRIALS: usize = 60;

/// The next, larger damping: `10⁻³ · scale` from 0, else tenfold.
fn raise(lambda: f64, scale: f64) -> f64 {
    if lambda == 0.0 {
        1e-3 * scale
    } else {
        lambda * 10.0
    }
}

/// Damped Newton from `start` (see the module docs). Returns the attempt and
/// the last accepted point.
fn run_newton(
    likelihood: &dyn Likelihood,
    options: &FitOptions,
    start: NewtonPoint,
) -> (Attempt, NewtonPoint) {
    let weight = likelihood.total_weight();
    let k = start.phi.len();
    let mut cur = start;
    let mut lambda = 0.0_f64;
    let mut iterations = 0u64;
    // where the run was PATTERN_EVERY iterations ago, and its objective
    let mut anchor = (cur.phi.clone(), cur.f);
    let reason = loop {
        let gmax = cur.grad_max();
        if gmax < options.gradient_tolerance {
            break String::new();
        }
        if iterations >= options.max_iterations {
            break String::from("iteration limit reached");
        }
        if iterations > 0 && iterations.is_multiple_of(PATTERN_EVERY) {
            if let Some(next) = pattern_move(likelihood, weight, options.penalty, &anchor.0, &cur) {
                cur = next;
            }
            if anchor.1 - cur.f <= ROUNDING * cur.f.abs().max(1.0) {
                break String::from(STALLED);
            }
            anchor = (cur.phi.clone(), cur.f);
        }
        let scale = (0..k)
            .map(|i| cur.hess[i * k + i].abs())
            .fold(1.0_f64, f64::max);
        let neg_grad: Vec<f64> = cur.grad.iter().map(|v| -v).collect();
        let mut next = None;
        for _ in 0..MAX_DAMPING_TRIALS {
            let Some(l) = cholesky(&cur.hess, k, lambda) else {
                lambda = raise(lambda, scale);
                continue;
            };
            let mut step = cholesky_solve(&l, &neg_grad);
            let longest = step.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            if longest > MAX_LOG_STEP {
                step.iter_mut().for_each(|v| *v *= MAX_LOG_STEP / longest);
            }
            let slope: f64 = cur.grad.iter().zip(&step).map(|(g, p)| g * p).sum();
            let phi: Vec<f64> = cur
                .phi
                .iter()
                .zip(&step)
                .map(|(a, b)| (a + b).clamp(-LN_THETA_MAX, LN_THETA_MAX))
                .collect();
            let trial = newton_point(likelihood, weight, options.penalty, &phi)
                .unwrap_or_else(|| rejected_point(&phi));
            // Armijo; or, at the rounding floor of f, a step that does not
            // raise f beyond rounding and shrinks the gradient.
            let armijo = trial.f <= cur.f + 1e-4 * slope;
            let floor = trial.f <= cur.f + 1e-14 * cur.f.abs().max(1.0) && trial.grad_max() < gmax;
            if trial.f.is_finite() && (armijo || floor) {
                next = Some(trial);
                break;
            }
            lambda = raise(lambda, scale);
        }
        let Some(trial) = next else {
            break String::from("no further decrease of the objective");
        };
        cur = trial;
        iterations += 1;
        lambda = if lambda < 1e-12 * scale {
            0.0
        } else {
            lambda / 10.0
        };
    };
    if reason.is_empty() {
        iterations += polish(likelihood, options.penalty, &mut cur);
    }
    let gmax = cur.grad_max();
    (
        Attempt {
            phi: cur.phi.clone(),
            cost: cur.f,
            grad_max: gmax,
            iterations,
            converged: gmax < options.gradient_tolerance,
            reason,
        },
        cur,
    )
}

/// Most undamped Newton steps [`polish`] takes after convergence.
const MAX_POLISH_STEPS: u64 = 3;

/// A Newton step shorter than this in every `ln θᵢ` (10⁻¹² relative in
/// `θᵢ`) is not taken by [`polish`]: the point is then at the optimum to
/// the 10⁻¹² it promises, and checking the step would cost a pass over
/// the data (the last pass of most fits; at the rounding floor of `f`,
/// about there on 10⁵ customers, such a step is refused anyway).
const POLISH_FLOOR: f64 = 1e-12;

/// Polishes a converged Newton run to the rounding floor: pure Newton steps
/// (λ = 0) while each one at least halves the largest gradient component
/// without raising `f` beyond rounding, at most [`MAX_POLISH_STEPS`].
/// Returns the steps taken (counted as iterations).
///
/// Newton converges quadratically, so a run stopped at
/// `max |∂f/∂φ| < gradient_tolerance` (10⁻⁶) is still up to about that far
/// from the optimum in `ln θ` (2·10⁻⁶ relative for the BG/NBD on CDNOW), and
/// two fits of the same data that take different paths (another start, the
/// data compressed, or the likelihood summed over partitions by
/// [`crate::scale`]) stop at different such points. One or two more steps
/// take each to the optimum itself, to about 10⁻¹² relative, for the cost of
/// a pass over the data each, so that every route to the estimate gives the
/// same numbers.
fn polish(likelihood: &dyn Likelihood, penalty: f64, cur: &mut NewtonPoint) -> u64 {
    let weight = likelihood.total_weight();
    let k = cur.phi.len();
    let mut steps = 0;
    while steps < MAX_POLISH_STEPS {
        let Some(l) = cholesky(&cur.hess, k, 0.0) else {
            break;
        };
        let neg_grad: Vec<f64> = cur.grad.iter().map(|v| -v).collect();
        let step = cholesky_solve(&l, &neg_grad);
        if step.iter().any(|v| v.is_nan() || v.abs() > MAX_LOG_STEP) {
            break;
        }
        if step.iter().all(|v| v.abs() < POLISH_FLOOR) {
            // at the optimum to POLISH_FLOOR: a pass to check the step
            // would change nothing that counts
            break;
        }
        let phi: Vec<f64> = cur.phi.iter().zip(&step).map(|(a, b)| a + b).collect();
        if !in_box(&phi) {
            break;
        }
        let Some(trial) = newton_point(likelihood, weight, penalty, &phi) else {
            break;
        };
        // f is at its rounding floor here: the guard is against a step that
        // leaves the basin, not against rounding.
        let no_rise = trial.f <= cur.f + 1e-12 * cur.f.abs().max(1.0);
        if !(trial.f.is_finite() && no_rise && trial.grad_max() <= 0.5 * cur.grad_max()) {
            break;
        }
        *cur = trial;
        steps += 1;
    }
    steps
}

/// The required methods of a [`Likelihood`] that wraps another one, `self.0`,
/// passed through to it (a wrapper changes the Hessian only; `boundary`
/// stays the trait's default).
macro_rules! delegate_likelihood {
    () => {
        fn names(&self) -> &'static [&'static str] {
            self.0.names()
        }
        fn value_and_gradient(&self, params: &[f64], grad: &mut [f64]) -> f64 {
            self.0.value_and_gradient(params, grad)
        }
        fn total_weight(&self) -> f64 {
            self.0.total_weight()
        }
        fn starting_points(&self) -> Vec<Vec<f64>> {
            self.0.starting_points()
        }
    };
}
pub(crate) use delegate_likelihood;

/// A likelihood whose Hessian is the central-difference one of its
/// gradient ([`hessian`]): Newton steps for models without a closed form.
struct DifferencedHessian<'a>(&'a dyn Likelihood);

impl Likelihood for DifferencedHessian<'_> {
    crate::fit::delegate_likelihood!();
    fn value_gradient_hessian(&self, p: &[f64], grad: &mut [f64], h: &mut [f64]) -> Option<f64> {
        let ll = self.0.value_and_gradient(p, grad);
        for (dst, v) in h.iter_mut().zip(hessian(self.0, p).into_iter().flatten()) {
            *dst = v;
        }
        Some(ll)
    }
}

/// [`polish`] for an L-BFGS optimum of a model without a closed-form
/// Hessian, on the central-difference Hessian ([`DifferencedHessian`]).
/// L-BFGS stops at `max |∂f/∂φ| < gradient_tolerance`, up to ~10⁻⁶ relative
/// from the optimum; two runs from different starts (a local fit and one
/// over partial sums, [`crate::scale`]) stopped 2.5·10⁻⁸ (BG/BB) to
/// 1.7·10⁻⁶ (Gamma-Gamma) apart. Newton with a Hessian accurate to ~10⁻⁵
/// shrinks the error ~10⁵-fold a step, so one or two steps reach the
/// optimum to the rounding floor. Each step costs `2k + 1` gradient
/// evaluations. The attempt is returned unchanged when no step gains; either
/// way with the last Newton point, whose differenced Hessian gives the
/// standard errors (the one [`hessian`] would compute there).
fn polish_by_differences(
    likelihood: &dyn Likelihood,
    penalty: f64,
    att: Attempt,
) -> (Attempt, Option<NewtonPoint>) {
    let fd = DifferencedHessian(likelihood);
    let weight = likelihood.total_weight();
    let Some(mut pt) = newton_point(&fd, weight, penalty, &att.phi) else {
        return (att, None);
    };
    if !pt.f.is_finite() {
        return (att, None);
    }
    let steps = polish(&fd, penalty, &mut pt);
    if steps == 0 {
        return (att, Some(pt));
    }
    let polished = Attempt {
        phi: pt.phi.clone(),
        cost: pt.f,
        grad_max: pt.grad_max(),
        iterations: att.iterations + steps,
        converged: true,
        reason: att.reason,
    };
    (polished, Some(pt))
}

/// The relative rounding level of the objective: a run whose objective
/// fell by no more than `ROUNDING·|f|` over [`PATTERN_EVERY`] Newton
/// iterations and a pattern move has stopped (with one customer of 10⁹
/// purchases |f| is 1.6·10⁹ and its last digits are noise; it crept on
/// for thousands of steps).
const ROUNDING: f64 = 1e-13;

/// Doublings a pattern move tries at most (its step grows to 2¹⁶ times the
/// drift; the box bounds it anyway).
const MAX_PATTERN_DOUBLINGS: usize = 16;

/// A pattern move (Hooke & Jeeves 1961): Newton creeps along a curved,
/// nearly flat ridge, a few percent per step, when the likelihood rises
/// toward a boundary, e.g. Pareto/NBD's s, β → ∞ with s/β fixed. With one
/// customer of 10⁷ purchases among ten it took a thousand steps, with
/// 10⁹ it made no headway in 3000 (issue 17, finding 13). Every
/// [`PATTERN_EVERY`] iterations that have not converged, the drift `d`
/// of the run since the last such point is followed further: `cur + t·d`
/// with t = 1, 2, 4, … (inside the box, [`LN_THETA_MAX`]) while the
/// objective keeps falling. The best point is returned, `None` when even
/// the first one is not lower. A run that converges within
/// [`PATTERN_EVERY`] iterations (CDNOW: 5–10) never takes one.
fn pattern_move(
    likelihood: &dyn Likelihood,
    weight: f64,
    penalty: f64,
    anchor: &[f64],
    cur: &NewtonPoint,
) -> Option<NewtonPoint> {
    let d: Vec<f64> = cur.phi.iter().zip(anchor).map(|(c, a)| c - a).collect();
    if d.iter().all(|v| *v == 0.0) {
        return None;
    }
    let mut best: Option<NewtonPoint> = None;
    let mut t = 1.0;
    for _ in 0..MAX_PATTERN_DOUBLINGS {
        let phi: Vec<f64> = cur
            .phi
            .iter()
            .zip(&d)
            .map(|(c, v)| (c + t * v).clamp(-LN_THETA_MAX, LN_THETA_MAX))
            .collect();
        let trial = newton_point(likelihood, weight, penalty, &phi)?;
        let lower = best.as_ref().map_or(cur.f, |b| b.f);
        if !(trial.f.is_finite() && trial.f < lower) {
            break;
        }
        best = Some(trial);
        t *= 2.0;
    }
    best
}

/// A point with `f = +∞`: a rejected step (the log-likelihood, its
/// derivatives or the parameters are not finite there).
fn rejected_point(phi: &[f64]) -> NewtonPoint {
    let k = phi.len();
    NewtonPoint {
        phi: phi.to_vec(),
        f: f64::INFINITY,
        grad: vec![0.0; k],
        hess: vec![0.0; k * k],
        ll: f64::NAN,
        ll_hess: vec![0.0; k * k],
    }
}

/// Maximises a log-likelihood (see the [module docs](self) for the method).
///
/// `model` is the model's name, used in error messages. Returns the
/// parameters on the natural scale and the [`FitInfo`].
///
/// # Errors
/// - [`Error::InvalidValue`] for bad `options`, a total weight that is not
///   finite and > 0, or when the log-likelihood is not finite at every start;
/// - [`Error::NotConverged`] when no start reaches
///   `max |∂f/∂ ln θ| < gradient_tolerance`.
///
/// # Example
/// ```
/// use clv::fit::{maximize, FitOptions, Likelihood};
/// // Poisson sample of n = 4 counts summing to S = 10: LL(λ) = S ln λ − n λ (+ const).
/// // MLE λ̂ = S/n = 2.5; LL'' = −S/λ̂² = −1.6, so SE = √(1/1.6) = √(λ̂/n) = 0.790569.
/// struct Poisson;
/// impl Likelihood for Poisson {
///     fn names(&self) -> &'static [&'static str] { &["lambda"] }
///     fn value_and_gradient(&self, p: &[f64], g: &mut [f64]) -> f64 {
///         g[0] = 10.0 / p[0] - 4.0;
///         10.0 * p[0].ln() - 4.0 * p[0]
///     }
///     fn total_weight(&self) -> f64 { 4.0 }
///     fn starting_points(&self) -> Vec<Vec<f64>> { vec![vec![0.1]] }
/// }
/// let (p, info) = maximize("Poisson", &Poisson, &FitOptions::default()).unwrap();
/// assert!((p[0] - 2.5).abs() < 1e-6);
/// assert!((info.std_errors[0] - (2.5f64 / 4.0).sqrt()).abs() < 1e-5);
/// ```
pub fn maximize<L: Likelihood>(
    model: &str,
    likelihood: &L,
    options: &FitOptions,
) -> Result<(Vec<f64>, FitInfo)> {
    // One copy of the optimiser for every model (argmin's L-BFGS and line
    // searches are large generic code): the likelihood is called through a
    // trait object, once per objective evaluation, which costs nothing next
    // to a pass over the customers, and keeps the WebAssembly build small.
    maximize_dyn(model, likelihood, options, None)
}

/// The total weight of the customers a fit runs on: finite and > 0.
///
/// # Errors
/// [`Error::InvalidValue`] (field `weights`) otherwise.
pub(crate) fn total_weight(weight: f64) -> Result<f64> {
    if weight.is_finite() && weight > 0.0 {
        Ok(weight)
    } else {
        Err(Error::invalid(
            "weights",
            weight,
            "a finite total weight > 0",
        ))
    }
}

/// [`maximize`], trying `warm` (natural parameters, e.g. the optimum of a
/// subsample: [`warm_start`]) before the likelihood's own starts.
pub(crate) fn maximize_dyn(
    model: &str,
    likelihood: &dyn Likelihood,
    options: &FitOptions,
    warm: Option<Vec<f64>>,
) -> Result<(Vec<f64>, FitInfo)> {
    options.validate()?;
    let weight = total_weight(likelihood.total_weight())?;
    let k = likelihood.names().len();
    let mut starts: Vec<Vec<f64>> = warm.into_iter().collect();
    starts.extend(likelihood.starting_points());
    starts.push(vec![1.0; k]);
    let starts: Vec<Vec<f64>> = starts
        .into_iter()
        .filter(|s| s.len() == k && s.iter().all(|v| v.is_finite() && *v > 0.0))
        .map(|s| s.iter().map(|v| v.ln()).collect())
        .collect();
    // With a closed-form Hessian, Newton runs from the starts in the
    // model's order (it converges from any of them in a few steps, and
    // scoring the starts would cost a pass over the data each). Without
    // one, the starts are tried best first (lowest objective at the start).
    // Either way the first run that converges is kept and the other starts
    // are only fallbacks: the customer-base likelihoods have one interior
    // optimum in practice.
    let first = starts
        .first()
        .and_then(|phi| newton_point(likelihood, weight, options.penalty, phi));
    let has_hessian = first.is_some();
    let mut scored: Vec<(f64, Vec<f64>, Option<NewtonPoint>)> = Vec::new();
    if has_hessian {
        let mut first = first;
        for phi in starts {
            scored.push((0.0, phi, first.take()));
        }
    } else {
        for phi in starts {
            let theta: Vec<f64> = phi.iter().map(|v| v.exp()).collect();
            let mut g = vec![0.0; k];
            let ll = likelihood.value_and_gradient(&theta, &mut g);
            let (cost, _) = objective_in_phi(&theta, ll, &g, weight, options.penalty);
            scored.push((if cost.is_nan() { f64::INFINITY } else { cost }, phi, None));
        }
        scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let at_boundary = |a: &Attempt| -> Option<Boundary> {
        if !a.cost.is_finite() {
            return None;
        }
        let theta: Vec<f64> = a.phi.iter().map(|p| p.exp()).collect();
        likelihood.boundary(&theta)
    };
    let mut best: Option<(Attempt, Option<NewtonPoint>)> = None;
    let mut best_failed: Option<Attempt> = None;
    // Runs that ended at a boundary optimum, converged or not (the gradient
    // vanishes at infinity too): kept aside while the other starts look for
    // an interior optimum, the best one returned only if none is found or
    // its log-likelihood is higher.
    let mut best_boundary: Option<(Attempt, Option<NewtonPoint>, Boundary)> = None;
    let mut any_finite = false;
    for (_, phi0, point) in scored {
        let point = match point {
            Some(pt) => Some(pt),
            None if has_hessian => newton_point(likelihood, weight, options.penalty, &phi0),
            None => None,
        };
        let (attempt, last) = match point {
            Some(pt) if pt.f.is_finite() => {
                let (attempt, last) = run_newton(likelihood, options, pt);
                // A run that ends at a boundary (converged or not) has
                // found what L-BFGS from the same start would look for. So
                // has one stopped at the objective's rounding when that
                // rounding exceeds the gradient tolerance: the decrease a
                // gradient of that size promises is below what f can show,
                // and L-BFGS steers by f's decreases (with a customer of 10⁹
                // purchases, |f| = 1.6·10⁹, it crept on for 900 iterations).
                let at_rounding = attempt.reason == STALLED
                    && ROUNDING * attempt.cost.abs() > options.gradient_tolerance;
                if attempt.converged || at_rounding || at_boundary(&attempt).is_some() {
                    (attempt, Some(last))
                } else {
                    // Fallback: L-BFGS from the same start.
                    let fallback = run_start(likelihood, options, phi0);
                    if fallback.converged || fallback.cost < attempt.cost {
                        (fallback, None)
                    } else {
                        (attempt, None)
                    }
                }
            }
            _ => (run_start(likelihood, options, phi0), None),
        };
        if attempt.cost.is_finite() {
            any_finite = true;
        }
        if let Some(b) = at_boundary(&attempt) {
            if best_boundary
                .as_ref()
                .is_none_or(|(a, _, _)| attempt.cost < a.cost)
            {
                best_boundary = Some((attempt, last, b));
            }
            continue;
        }
        if attempt.converged {
            best = Some((attempt, last));
            break;
        }
        if best_failed.as_ref().is_none_or(|b| attempt.cost < b.cost) {
            best_failed = Some(attempt);
        }
    }
    if !any_finite {
        return Err(Error::invalid(
            "log_likelihood",
            "non-finite",
            format!("a finite {model} log-likelihood at one of the starting points"),
        ));
    }
    let (att, last, boundary) = match (best, best_boundary) {
        (Some((att, last)), Some((batt, blast, b))) => {
            if batt.cost < att.cost {
                (batt, blast, Some(b))
            } else {
                (att, last, None)
            }
        }
        (Some((att, last)), None) => (att, last, None),
        (None, Some((att, last, b))) => (att, last, Some(b)),
        (None, None) => {
            let (iterations, gradient_norm, reason) = best_failed
                .map(|a| (a.iterations, a.grad_max, a.reason))
                .unwrap_or((0, f64::INFINITY, String::from("no usable start")));
            return Err(Error::NotConverged {
                model: model.to_string(),
                iterations,
                gradient_norm,
                reason,
            });
        }
    };
    // An interior L-BFGS optimum of a model without a closed-form Hessian is
    // polished by Newton on the central-difference Hessian, as Newton runs
    // are ([`polish`]), so that every route to it agrees to ~1e-10.
    let (att, last) = match (has_hessian, &boundary, att.converged) {
        (false, None, true) => polish_by_differences(likelihood, options.penalty, att),
        _ => (att, last),
    };
    let params: Vec<f64> = att.phi.iter().map(|p| p.exp()).collect();
    // LL and its Hessian at the optimum: from the last Newton point, else
    // the closed form, else central differences.
    let last = match last {
        Some(pt) => Some(pt),
        None if has_hessian => newton_point(likelihood, weight, options.penalty, &att.phi),
        None => None,
    };
    let (ll, h) = match last {
        Some(pt) => (
            pt.ll,
            pt.ll_hess
                .chunks(k)
                .map(<[f64]>::to_vec)
                .collect::<Vec<_>>(),
        ),
        None => {
            let mut g = vec![0.0; k];
            let ll = likelihood.value_and_gradient(&params, &mut g);
            (ll, hessian(likelihood, &params))
        }
    };
    let excluded = boundary.as_ref().map_or(&[][..], |b| &b.params[..]);
    let (std_errors, ci_95, covariance) = std_errors_and_ci(&h, &params, excluded);
    let (aic, bic) = FitInfo::information_criteria(ll, k, weight);
    Ok((
        params,
        FitInfo {
            log_likelihood: ll,
            std_errors,
            ci_95,
            iterations: att.iterations,
            converged: att.converged,
            gradient_norm: att.grad_max,
            n_observations: weight,
            boundary: boundary.map(|b| b.note),
            left_out: None,
            unit: None,
            aic,
            bic,
            covariance,
            warnings: Vec::new(),
        },
    ))
}

/// Standard errors, 95% intervals and the covariance matrix of a fit.
type Uncertainty = (Vec<f64>, Vec<(f64, f64)>, Vec<Vec<f64>>);

/// Standard errors from the inverse observed information, log-scale Wald
/// intervals (see the module docs) and that inverse (the covariance). The
/// parameters in `excluded` (at a boundary) get NaN; the others come from
/// the information matrix of the others alone, i.e. conditional on the
/// excluded ones. With nothing excluded this is the full inverse.
fn std_errors_and_ci(h: &[Vec<f64>], params: &[f64], excluded: &[usize]) -> Uncertainty {
    let (se, cov) = std_errors_and_covariance(h, excluded);
    let ci = params
        .iter()
        .zip(&se)
        .map(|(t, s)| {
            if s.is_finite() {
                let m = (Z_95 * s / t).exp();
                (t / m, t * m)
            } else {
                (f64::NAN, f64::NAN)
            }
        })
        .collect();
    (se, ci, cov)
}

/// Standard errors and covariance from the inverse observed information
/// `−h` of the parameters not in `excluded` (those get NaN, as does every
/// entry when `−h` is not positive definite).
pub(crate) fn std_errors_and_covariance(
    h: &[Vec<f64>],
    excluded: &[usize],
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let k = h.len();
    let free: Vec<usize> = (0..k).filter(|i| !excluded.contains(i)).collect();
    let mut se = vec![f64::NAN; k];
    let mut cov = vec![vec![f64::NAN; k]; k];
    let sub_h: Vec<Vec<f64>> = free
        .iter()
        .map(|&i| free.iter().map(|&j| h[i][j]).collect())
        .collect();
    if let Some(inv) = free_covariance(&sub_h) {
        for (a, &i) in free.iter().enumerate() {
            let v = inv[a][a];
            if v > 0.0 && v.is_finite() {
                se[i] = v.sqrt();
            }
            for (b, &j) in free.iter().enumerate() {
                cov[i][j] = inv[a][b];
            }
        }
    }
    (se, cov)
}

/// `(−H)⁻¹` (the covariance of the estimates), `None` when `−H` is not
/// positive definite.
fn free_covariance(h: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let info: Vec<Vec<f64>> = h
        .iter()
        .map(|row| row.iter().map(|v| -v).collect())
        .collect();
    invert_spd(&info)
}

/// Inverse of a symmetric positive-definite matrix by Cholesky
/// decomposition; `None` when the matrix is not positive definite.
#[allow(clippy::needless_range_loop)] // index notation mirrors the matrix algebra
fn invert_spd(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let flat: Vec<f64> = a.iter().flatten().copied().collect();
    let l = cholesky(&flat, n, 0.0)?;
    // Solve L Lᵀ X = I column by column.
    let mut inv = vec![vec![0.0; n]; n];
    for c in 0..n {
        let e: Vec<f64> = (0..n).map(|i| if i == c { 1.0 } else { 0.0 }).collect();
        for (r, v) in cholesky_solve(&l, &e).into_iter().enumerate() {
            inv[r][c] = v;
        }
    }
    Some(inv)
}

/// Hessian of the log-likelihood in natural parameters, by central
/// differences of the analytic gradient:
///
/// ```text
/// H[i][j] = (gᵢ(θ + hⱼ eⱼ) − gᵢ(θ − hⱼ eⱼ)) / (2 hⱼ),   hⱼ = 1e-5 · θⱼ,
/// ```
///
/// symmetrised as `(H + Hᵀ)/2`. The relative step keeps `θ ± h > 0`; the
/// truncation error is `O(h²)`, the rounding error `O(ε/h)`.
///
/// # Example
/// ```
/// use clv::fit::{hessian, Likelihood};
/// // LL(λ) = 10 ln λ − 4 λ has d²LL/dλ² = −10/λ² = −1.6 at λ = 2.5.
/// struct Poisson;
/// impl Likelihood for Poisson {
///     fn names(&self) -> &'static [&'static str] { &["lambda"] }
///     fn value_and_gradient(&self, p: &[f64], g: &mut [f64]) -> f64 {
///         g[0] = 10.0 / p[0] - 4.0;
///         10.0 * p[0].ln() - 4.0 * p[0]
///     }
///     fn total_weight(&self) -> f64 { 4.0 }
///     fn starting_points(&self) -> Vec<Vec<f64>> { vec![] }
/// }
/// let h = hessian(&Poisson, &[2.5]);
/// assert!((h[0][0] + 1.6).abs() < 1e-8);
/// ```
pub fn hessian<L: Likelihood + ?Sized>(likelihood: &L, params: &[f64]) -> Vec<Vec<f64>> {
    hessian_of(
        |p, g| {
            likelihood.value_and_gradient(p, g);
        },
        params,
        |_, v| 1e-5 * v.abs().max(f64::MIN_POSITIVE),
    )
}

/// The symmetrised central-difference Jacobian of `gradient` (which writes
/// the gradient at its first argument into its second) at `params`, with
/// the step `step(j, θ_j)` for parameter `j`.
#[allow(clippy::needless_range_loop)] // index notation mirrors the matrix algebra
pub(crate) fn hessian_of(
    gradient: impl Fn(&[f64], &mut [f64]),
    params: &[f64],
    step: impl Fn(usize, f64) -> f64,
) -> Vec<Vec<f64>> {
    let k = params.len();
    let mut h = vec![vec![0.0; k]; k];
    let mut gp = vec![0.0; k];
    let mut gm = vec![0.0; k];
    for j in 0..k {
        let step = step(j, params[j]);
        let mut p = params.to_vec();
        p[j] = params[j] + step;
        gradient(&p, &mut gp);
        p[j] = params[j] - step;
        gradient(&p, &mut gm);
        for i in 0..k {
            h[i][j] = (gp[i] - gm[i]) / (2.0 * step);
        }
    }
    for i in 0..k {
        for j in 0..i {
            let s = 0.5 * (h[i][j] + h[j][i]);
            h[i][j] = s;
            h[j][i] = s;
        }
    }
    h
}

/// The one fit pipeline of every model of the registry: checks the inputs
/// (one array per [`ModelSpec::inputs`](crate::models::ModelSpec::inputs)
/// name, of equal lengths, then the model's own checks), requires at least
/// one row, checks the weights ([`Family::Retention`] models take none),
/// builds the model's likelihood, [`maximize`]s it, lets the model judge the
/// outcome ([`Model::finish`]) and attaches the [`FitInfo`].
///
/// # Errors
/// [`Error::InvalidValue`] (field `inputs`) for the wrong number of arrays;
/// [`Error::LengthMismatch`]; the model's input errors; [`Error::Empty`] for
/// no rows; bad weights ([`Error::InvalidValue`] / [`Error::LengthMismatch`],
/// field `weights`); the errors of [`maximize`] (e.g. [`Error::NotConverged`]).
///
/// # Example
/// ```
/// use clv::fit::{fit_model, FitOptions};
/// use clv::models::{ModelInfo, ShiftedBetaGeo};
/// // Fader & Hardie (2007) "regular" customers, years 0-7: α = 0.704, β = 1.182
/// let s = [1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0];
/// let m: ShiftedBetaGeo = fit_model(&[&s], None, &FitOptions::default())?;
/// assert!((m.alpha() - 0.704).abs() < 5e-4 && (m.beta() - 1.182).abs() < 5e-4);
/// assert!((m.fit_info().unwrap().log_likelihood - (-1680.27)).abs() < 5e-3);
/// # Ok::<(), clv::Error>(())
/// ```
pub fn fit_model<M: Model>(
    inputs: &[&[f64]],
    weights: Option<&[f64]>,
    options: &FitOptions,
) -> Result<M> {
    let spec = M::spec();
    let (likelihood, warm) = prepare_and_warm_start::<M>(inputs, weights, options);
    let likelihood = likelihood?;
    let fitted = maximize_dyn(spec.name, &likelihood, options, warm);
    let (p, info) = M::finish(&likelihood, fitted, options)?;
    let info = conclude(spec, &likelihood, &p, info, options)?;
    Ok(M::from_values(&p)?.with_fit_info(Some(info)))
}

/// [`prepare`] and [`warm_start`] of the same inputs; with the `parallel`
/// feature, when there is a warm start to compute ([`wants_warm_start`]),
/// it (its own checks and fit on the subsample) runs on a thread of its
/// own while this one checks the whole data and builds its likelihood
/// (about 1.2 and 0.6 ms on 100,000 customers). The results do not depend on
/// which thread computes them. The warm start of data the checks refuse is
/// computed and dropped.
///
/// Called from outside the rayon pool (a program's main thread), with a
/// pool of two threads or more, the warm start runs on a scoped thread
/// rather than as a job of the pool: the pool's idle workers, parked or
/// yielding, took the job up only once this thread was done with `prepare`
/// in half the fits of 100,000 customers on the 2-core machines of
/// docs/performance.md (the two phases then took 2.1 ms instead of 1.45),
/// while a new thread starts on the idle core; its creation (tens of µs)
/// is paid only where a warm start is computed. From within the pool
/// (fits run in parallel, e.g. bootstrap refits) the warm start is a job
/// of the pool, so that the fits do not start more threads than it has.
fn prepare_and_warm_start<'a, M: Model>(
    inputs: &[&'a [f64]],
    weights: Option<&[f64]>,
    options: &FitOptions,
) -> (Result<M::Lik<'a>>, Option<Vec<f64>>) {
    #[cfg(feature = "parallel")]
    {
        if !wants_warm_start::<M>(inputs) {
            return (prepare::<M>(inputs, weights), None);
        }
        if rayon::current_thread_index().is_some() || rayon::current_num_threads() < 2 {
            let mut warm = None;
            let likelihood = rayon::in_place_scope(|s| {
                s.spawn(|_| warm = warm_start::<M>(inputs, weights, options));
                prepare::<M>(inputs, weights)
            });
            return (likelihood, warm);
        }
        std::thread::scope(|s| {
            let thread = std::thread::Builder::new()
                .spawn_scoped(s, || warm_start::<M>(inputs, weights, options));
            let likelihood = prepare::<M>(inputs, weights);
            let warm = match thread {
                // (a panic of the warm start is the fit's own)
                Ok(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                // No thread to be had: the warm start after `prepare`.
                Err(_) => warm_start::<M>(inputs, weights, options),
            };
            (likelihood, warm)
        })
    }
    #[cfg(not(feature = "parallel"))]
    {
        let likelihood = prepare::<M>(inputs, weights);
        (likelihood, warm_start::<M>(inputs, weights, options))
    }
}

/// Rows from which [`fit_model`] starts from the optimum of a subsample
/// ([`warm_start`]): a subsample of 5,000 rows or more. BG/NBD's estimates
/// on 5,000–6,250 customers are close enough that Newton takes 3–5 passes
/// from them (6 data sets of 100,000 simulated at the CDNOW estimates).
/// They are too rough for Pareto/NBD (its β on 5,000 customers: 27 % off,
/// and Newton took as many passes as from its own start), which does not
/// ask for a warm start.
const WARM_START_ROWS: usize = 80_000;

/// The subsample of [`warm_start`]: every `WARM_START_STRIDE`-th row.
///
/// 16 rather than 8: on those 6 data sets the whole `clv fit bg-nbd`
/// process took 18.3–19.0 ms on average against 19.8–21.4 ms, the
/// subsample's fit costing half while Newton took the same passes on the
/// full data in 5 of 6 (one more in the other); on 1,000,000 customers
/// the same within the noise. Every 32nd row was no faster at 100,000
/// and slower at 1,000,000 (a pass more).
const WARM_START_STRIDE: usize = 16;

/// A first start for the fit of `inputs` (one array per customer-level
/// input, `WARM_START_ROWS` rows or more) of a model that asks for one
/// ([`Model::WARM_START`]): the optimum of the same fit on
/// every [`WARM_START_STRIDE`]-th row (warm-started the same way while it
/// is that large), when that fit converges to an interior optimum; else
/// `None` (the likelihood's own starts then run as without it).
///
/// From the model's own starts Newton takes 9 passes over the data to
/// converge (BG/NBD on 100,000 customers simulated at the CDNOW
/// estimates); from the subsample's optimum, which lies within a few
/// standard errors of the full one, 4–6, and the subsample's fit costs
/// about half a pass more (its 9 passes over a sixteenth of the rows).
/// The optimum is the same (Newton's convergence test and [`polish`] are
/// on the full data); only the path to it is shorter. Retention models
/// (one survivor curve, not rows of customers) have no subsample.
fn warm_start<M: Model>(
    inputs: &[&[f64]],
    weights: Option<&[f64]>,
    options: &FitOptions,
) -> Option<Vec<f64>> {
    if !wants_warm_start::<M>(inputs) {
        return None;
    }
    let spec = M::spec();
    let every = |a: &[f64]| -> Vec<f64> { a.iter().step_by(WARM_START_STRIDE).copied().collect() };
    let columns: Vec<Vec<f64>> = inputs.iter().map(|a| every(a)).collect();
    let sub: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let sub_weights = weights.map(every);
    let likelihood = prepare::<M>(&sub, sub_weights.as_deref()).ok()?;
    let warm = warm_start::<M>(&sub, sub_weights.as_deref(), options);
    let (p, info) = maximize_dyn(spec.name, &likelihood, options, warm).ok()?;
    (info.converged && info.boundary.is_none()).then_some(p)
}

/// Whether [`warm_start`] computes a start for `inputs`: the model asks for
/// one ([`Model::WARM_START`]), has rows of customers (not a
/// [`Family::Retention`] survivor curve) and there are at least
/// [`WARM_START_ROWS`] of them.
fn wants_warm_start<M: Model>(inputs: &[&[f64]]) -> bool {
    M::WARM_START
        && M::spec().family != Family::Retention
        && inputs.first().is_some_and(|a| a.len() >= WARM_START_ROWS)
}

/// The last checks and notes of a fit, shared by [`fit_model`] and
/// [`crate::scale::fit_from_partial_sums`]: an unpenalised optimum must be
/// identified ([`identified`]), the extreme-parameter warnings are added
/// and the unit is stored.
pub(crate) fn conclude(
    spec: &ModelSpec,
    likelihood: &dyn Likelihood,
    p: &[f64],
    mut info: FitInfo,
    options: &FitOptions,
) -> Result<FitInfo> {
    // a reported boundary (e.g. BG/NBD's a, b → ∞ on data that are not
    // swapped columns) explains its extreme shapes: no mis-specification
    // warning
    let warnings = match info.boundary {
        Some(_) => Vec::new(),
        None => extreme_parameter_warnings(spec, p),
    };
    if options.penalty == 0.0 {
        // At a boundary the parameters running off are not judged; the
        // others must still be identified (a single customer or customers
        // all alike leave r and alpha unidentified too: not a boundary
        // optimum but data that say nothing).
        let running_off = match info.boundary {
            Some(_) => likelihood.boundary(p).map(|b| b.params).unwrap_or_default(),
            None => Vec::new(),
        };
        identified(
            spec.name,
            spec.params,
            p,
            &info.std_errors,
            &warnings,
            &running_off,
            p.len(),
        )?;
    }
    info.unit = options.unit.map(|u| u.to_string());
    info.warnings.extend(warnings);
    Ok(info)
}

/// The largest relative standard error `SE(θ)/θ` of an identified
/// estimate: 10 puts the log-scale 95% interval across a factor of
/// e^{±19.6} ≈ 10^{±8.5}, i.e. the data say nothing about `θ`.
pub const MAX_RELATIVE_STD_ERROR: f64 = 10.0;

/// An unpenalised interior optimum must be identified: every parameter has
/// a finite standard error (the observed information `−H` is positive
/// definite) no larger than [`MAX_RELATIVE_STD_ERROR`] times the estimate.
/// Otherwise the log-likelihood is flat along some direction (no repeat
/// purchases at all, a single customer, all customers alike, an sBG cohort
/// in which nobody or everybody leaves): the optimiser stops somewhere on
/// a ridge, typically with parameters of 10⁵–10⁸ that differ between
/// machines, and the fit is refused as [`Error::NotIdentified`] (code
/// `NOT_IDENTIFIED`, field the parameter) in every runtime; a `penalty`
/// makes the optimum unique.
///
/// The first `n_positive` parameters are positive and judged relative to
/// their value; the others are effects on the real line (covariate effects
/// γ, [`crate::covariates`]), judged relative to `max(1, |γ|)`: an effect
/// that runs off to ±∞ (a covariate that separates the customers) has a
/// standard error growing with it. Parameters in `skip` (running off at a
/// boundary optimum, or penalised) are not judged.
/// The extreme-parameter `warnings` of the fit (swapped columns, …) lead
/// the error's advice.
pub(crate) fn identified<S: AsRef<str>>(
    model: &str,
    names: &[S],
    params: &[f64],
    std_errors: &[f64],
    warnings: &[String],
    skip: &[usize],
    n_positive: usize,
) -> Result<()> {
    for (i, (&theta, name)) in params.iter().zip(names).enumerate() {
        if skip.contains(&i) {
            continue;
        }
        let se = std_errors.get(i).copied().unwrap_or(f64::NAN);
        let rel = if i < n_positive {
            se / theta
        } else {
            se / theta.abs().max(1.0)
        };
        if rel <= MAX_RELATIVE_STD_ERROR {
            continue;
        }
        return Err(Error::NotIdentified {
            model: model.to_string(),
            parameter: name.as_ref().to_string(),
            value: theta,
            why: if se.is_finite() && i < n_positive {
                format!("a standard error {rel:.3e} times its value")
            } else if se.is_finite() {
                format!("a standard error {rel:.3e} times max(1, |its value|)")
            } else {
                String::from("no finite standard error")
            },
            advice: warnings
                .iter()
                .map(|w| format!("{w}. "))
                .chain([String::from(
                    "Typical causes: no customer with a repeat purchase, a single customer or all \
                     customers alike, an sBG cohort in which nobody or everybody leaves. Fit more \
                     varied data, or give a penalty (e.g. 0.001) for a regularised estimate",
                )])
                .collect(),
        });
    }
    Ok(())
}

/// A fitted value past which [`extreme_parameter_warnings`] warns: 10⁴.
pub const EXTREME_PARAMETER: f64 = 1e4;

/// The parameters that [`extreme_parameter_warnings`] checks, per model:
/// the shapes of the Beta mixing distributions (of the dropout probability
/// in BG/NBD and MBG/NBD, of the purchase and dropout probabilities in
/// BG/BB). They do not depend on the time unit, and on real data they stay
/// far below 10⁴ (CDNOW: a = 0.79, b = 2.43); a value past it means a Beta
/// with no spread at all, which a likelihood reaches when the inputs do not
/// describe customers as the model reads them.
const UNIT_FREE_SHAPES: [(&str, &[&str]); 3] = [
    ("bg_nbd", &["a", "b"]),
    ("mbg_nbd", &["a", "b"]),
    ("bg_bb", &["alpha", "beta", "gamma", "delta"]),
];

/// One warning when a fitted unit-free shape parameter (see the list
/// above) is past [`EXTREME_PARAMETER`]: the data may be mis-specified, most
/// likely swapped columns (`recency` given as `frequency`, or the reverse).
/// [`fit_model`] puts it in [`FitInfo::warnings`].
///
/// ```
/// use clv::fit::extreme_parameter_warnings;
/// use clv::ModelKind;
/// let w = extreme_parameter_warnings(ModelKind::BgNbd.spec(), &[0.2, 4.0, 465_869.0, 2.0]);
/// assert!(w[0].contains("a = 465869") && w[0].contains("swapped"));
/// assert!(extreme_parameter_warnings(ModelKind::BgNbd.spec(), &[0.24, 4.4, 0.79, 2.43]).is_empty());
/// ```
#[must_use]
pub fn extreme_parameter_warnings(spec: &ModelSpec, params: &[f64]) -> Vec<String> {
    let Some((_, names)) = UNIT_FREE_SHAPES.iter().find(|(key, _)| *key == spec.key) else {
        return Vec::new();
    };
    let extreme: Vec<String> = spec
        .params
        .iter()
        .zip(params)
        .filter(|(name, v)| names.contains(name) && **v > EXTREME_PARAMETER)
        .map(|(name, v)| format!("{name} = {v:.0}"))
        .collect();
    if extreme.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "{} fit has {} past {EXTREME_PARAMETER:e}: the data may be mis-specified; a likely cause \
         is swapped columns (recency given as frequency or the reverse); check that {} are in \
         that order",
        spec.name,
        extreme.join(", "),
        spec.inputs.join(", ")
    )]
}

/// The checks of [`fit_model`] and the model's likelihood of the inputs.
pub(crate) fn prepare<'a, M: Model>(
    inputs: &[&'a [f64]],
    weights: Option<&[f64]>,
) -> Result<M::Lik<'a>> {
    let spec = M::spec();
    if inputs.len() != spec.inputs.len() {
        return Err(Error::invalid(
            "inputs",
            format!("{} arrays", inputs.len()),
            format!(
                "{} arrays for {}: {}",
                spec.inputs.len(),
                spec.name,
                spec.inputs.join(", ")
            ),
        ));
    }
    for (name, a) in spec.inputs.iter().zip(inputs).skip(1) {
        crate::error::check::same_len(name, a.len(), spec.inputs[0], inputs[0].len())?;
    }
    M::check_inputs(inputs)?;
    let n = inputs[0].len();
    if n == 0 {
        return Err(Error::Empty {
            field: spec.inputs[0].to_string(),
            reason: format!("{} needs at least one customer to fit", spec.name),
        });
    }
    let w = match (spec.family, weights) {
        (Family::Retention, None) => Vec::new(),
        (Family::Retention, Some(_)) => {
            return Err(Error::invalid(
                "weights",
                "given",
                format!("no weights: {} is fitted to one survivor curve", spec.name),
            ));
        }
        (_, None) if M::IMPLICIT_UNIT_WEIGHTS => Vec::new(),
        (_, w) => crate::models::weights_or_ones(w, n)?,
    };
    M::likelihood(inputs, w)
}

/// A model's total log-likelihood of some data with its derivatives in the
/// natural parameters ([`log_likelihood_terms`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LikelihoodTerms {
    /// Σ wᵢ ln Lᵢ.
    pub value: f64,
    /// ∂/∂θ of the value, in the order of the model's parameters.
    pub gradient: Vec<f64>,
    /// ∂²/∂θᵢ∂θⱼ (row-major k×k) when asked for and the model has it in
    /// closed form; `None` otherwise.
    pub hessian: Option<Vec<f64>>,
}

/// The total (weighted) log-likelihood of `inputs` at `params`, with its
/// analytic gradient and, when `hessian` and the model has one in closed
/// form, its Hessian; the inputs and weights are checked as by
/// [`fit_model`]. Sums over disjoint parts of a data set add up to the sums
/// over the whole (the per-partition terms a distributed Newton step
/// reduces), and the derivatives are what the fit uses.
///
/// # Errors
/// Those of the inputs in [`fit_model`]; [`Error::InvalidValue`] for
/// invalid parameters.
///
/// # Example
/// ```
/// use clv::fit::log_likelihood_terms;
/// use clv::ShiftedBetaGeo;
/// // FH (2007) "regular" customers at the published α = 0.704, β = 1.182: LL = −1680.27
/// let s = [1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0];
/// let t = log_likelihood_terms::<ShiftedBetaGeo>(&[&s], None, &[0.704, 1.182], false)?;
/// assert!((t.value - (-1680.27)).abs() < 0.01 && t.gradient[0].abs() < 5.0);
/// # Ok::<(), clv::Error>(())
/// ```
pub fn log_likelihood_terms<M: Model>(
    inputs: &[&[f64]],
    weights: Option<&[f64]>,
    params: &[f64],
    hessian: bool,
) -> Result<LikelihoodTerms> {
    M::from_values(params)?;
    let likelihood = prepare::<M>(inputs, weights)?;
    let k = params.len();
    let mut gradient = vec![0.0; k];
    if hessian {
        let mut h = vec![0.0; k * k];
        if let Some(value) = likelihood.value_gradient_hessian(params, &mut gradient, &mut h) {
            return Ok(LikelihoodTerms {
                value,
                gradient,
                hessian: Some(h),
            });
        }
    }
    let value = likelihood.value_and_gradient(params, &mut gradient);
    Ok(LikelihoodTerms {
        value,
        gradient,
        hessian: None,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::needless_range_loop)]
mod tests {
    use super::*;

    /// A likelihood that counts its passes over the data.
    struct Counted<'a>(&'a dyn Likelihood, std::sync::atomic::AtomicUsize);

    impl Counted<'_> {
        fn passes(&self) -> usize {
            self.1.load(std::sync::atomic::Ordering::Relaxed)
        }
        fn count(&self) {
            self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    impl Likelihood for Counted<'_> {
        fn names(&self) -> &'static [&'static str] {
            self.0.names()
        }
        fn value_and_gradient(&self, params: &[f64], grad: &mut [f64]) -> f64 {
            self.count();
            self.0.value_and_gradient(params, grad)
        }
        fn value_gradient_hessian(&self, p: &[f64], g: &mut [f64], h: &mut [f64]) -> Option<f64> {
            self.count();
            self.0.value_gradient_hessian(p, g, h)
        }
        fn total_weight(&self) -> f64 {
            self.0.total_weight()
        }
        fn starting_points(&self) -> Vec<Vec<f64>> {
            self.0.starting_points()
        }
    }

    /// The fit of `inputs` from [`warm_start`] (as [`fit_model`] runs it)
    /// against the same likelihood maximised from the model's own starts
    /// alone: the same optimum (the log-parameters within 10⁻¹¹, the
    /// log-likelihood within 10⁻¹² relative), in fewer passes over all
    /// the data, counting the subsample's passes at their size.
    fn check_warm_start<M: Model>(inputs: &[&[f64]]) {
        let options = FitOptions::default();
        let likelihood = prepare::<M>(inputs, None).unwrap();
        let fitted: M = fit_model(inputs, None, &options).unwrap();
        let cold = Counted(&likelihood, 0.into());
        let (cold_p, cold_info) = maximize_dyn("cold", &cold, &options, None).unwrap();
        let warm = Counted(&likelihood, 0.into());
        let start = warm_start::<M>(inputs, None, &options).unwrap();
        let (warm_p, warm_info) = maximize_dyn("warm", &warm, &options, Some(start)).unwrap();
        assert_eq!(
            fitted.values(),
            warm_p,
            "fit_model runs from the warm start"
        );
        // Called from within a rayon pool the warm start is a job of the
        // pool instead of a thread of its own: the same fit, bit for bit.
        #[cfg(feature = "parallel")]
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let in_pool: M = pool.install(|| fit_model(inputs, None, &options).unwrap());
            assert_eq!(in_pool.values(), warm_p, "{threads} threads");
        }
        for (w, c) in warm_p.iter().zip(&cold_p) {
            assert!((w.ln() - c.ln()).abs() < 1e-11, "{w} vs {c}");
        }
        let rel = (warm_info.log_likelihood / cold_info.log_likelihood - 1.0).abs();
        assert!(
            rel < 1e-12,
            "{} vs {}",
            warm_info.log_likelihood,
            cold_info.log_likelihood
        );
        // The subsample (every 16th row) costs at most as many passes as a
        // cold fit, at a sixteenth of the rows.
        let subsample = cold.passes().div_ceil(WARM_START_STRIDE);
        assert!(
            warm.passes() + subsample < cold.passes(),
            "{} + {subsample} vs {} passes",
            warm.passes(),
            cold.passes()
        );
    }

    #[test]
    fn warm_start_reaches_the_same_optimum_in_fewer_passes() {
        use crate::models::{AnyModel, BetaGeo, ParetoNbd};
        // Ages of 27-39 weeks as in CDNOW, 100,000 customers (a subsample
        // of 12,500: not warm-started itself).
        let t: Vec<f64> = (0..100_000)
            .map(|i| 27.0 + f64::from(i % 1200) / 100.0)
            .collect();
        // FHL (2005) BG/NBD and Pareto/NBD estimates on CDNOW.
        let bg = AnyModel::from(BetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap());
        let s = crate::simulate::simulate(&bg, &t, 7).unwrap();
        check_warm_start::<BetaGeo>(&[&s.frequency, &s.recency, &s.t]);
        check_warm_start::<crate::models::ModifiedBetaGeo>(&[&s.frequency, &s.recency, &s.t]);
        // Pareto/NBD does not ask for one (Model::WARM_START).
        let pnbd = AnyModel::from(ParetoNbd::from_params(0.553, 10.578, 0.606, 11.669).unwrap());
        let s = crate::simulate::simulate(&pnbd, &t, 7).unwrap();
        let inputs = [&s.frequency[..], &s.recency[..], &s.t[..]];
        assert!(warm_start::<ParetoNbd>(&inputs, None, &FitOptions::default()).is_none());
    }

    /// Gamma-distributed sample summarised by n, Σy, Σ ln y:
    /// LL(k, θ) = (k−1) Σ ln y − Σy/θ − n k ln θ − n ln Γ(k).
    struct GammaSample {
        n: f64,
        sum: f64,
        sum_ln: f64,
    }

    impl Likelihood for GammaSample {
        fn names(&self) -> &'static [&'static str] {
            &["k", "theta"]
        }
        fn value_and_gradient(&self, p: &[f64], g: &mut [f64]) -> f64 {
            use statrs::function::gamma::{digamma, ln_gamma};
            let (k, th) = (p[0], p[1]);
            g[0] = self.sum_ln - self.n * th.ln() - self.n * digamma(k);
            g[1] = self.sum / (th * th) - self.n * k / th;
            (k - 1.0) * self.sum_ln - self.sum / th - self.n * k * th.ln() - self.n * ln_gamma(k)
        }
        fn total_weight(&self) -> f64 {
            self.n
        }
        fn starting_points(&self) -> Vec<Vec<f64>> {
            vec![vec![0.5, 5.0]]
        }
    }

    /// LL = Σᵢ (kᵢ ln θᵢ − cᵢ θᵢ) (independent Poisson-type terms) with a
    /// known maximum at θᵢ = kᵢ/cᵢ = m = (3, 0.2, 40) and Hessian
    /// −diag(kᵢ/θᵢ²), so SE = θ/√k.
    struct Toy;
    const TOY_K: [f64; 3] = [2.0, 50.0, 4.0];
    const TOY_M: [f64; 3] = [3.0, 0.2, 40.0];
    impl Likelihood for Toy {
        fn names(&self) -> &'static [&'static str] {
            &["x", "y", "z"]
        }
        fn value_and_gradient(&self, p: &[f64], g: &mut [f64]) -> f64 {
            let mut v = 0.0;
            for i in 0..3 {
                let c = TOY_K[i] / TOY_M[i];
                g[i] = TOY_K[i] / p[i] - c;
                v += TOY_K[i] * p[i].ln() - c * p[i];
            }
            v
        }
        fn total_weight(&self) -> f64 {
            1.0
        }
        fn starting_points(&self) -> Vec<Vec<f64>> {
            vec![vec![10.0, 10.0, 10.0]]
        }
    }

    #[test]
    fn toy_optimum_and_std_errors() {
        let (p, info) = maximize("toy", &Toy, &FitOptions::default()).unwrap();
        for i in 0..3 {
            assert!((p[i] - TOY_M[i]).abs() < 1e-5 * TOY_M[i], "{p:?}");
        }
        assert!(info.converged && info.gradient_norm < 1e-6);
        // LL at the optimum: Σ k (ln m − 1) = 2(ln 3 − 1) + 50(ln 0.2 − 1) + 4(ln 40 − 1)
        let ll = 2.0 * (3f64.ln() - 1.0) + 50.0 * (0.2f64.ln() - 1.0) + 4.0 * (40f64.ln() - 1.0);
        assert!((info.log_likelihood - ll).abs() < 1e-9);
        // SE = m/√k: 3/√2 = 2.1213203, 0.2/√50 = 0.0282843, 40/√4 = 20
        let want = [2.121_320_3, 0.028_284_3, 20.0];
        for (s, w) in info.std_errors.iter().zip(want) {
            assert!((s - w).abs() < 1e-5 * w, "{s} vs {w}");
        }
        // log-scale interval for x: 3·exp(±1.959964·2.1213203/3) = 3·exp(±1.385891) = (0.75026, 11.9958)
        let (lo, hi) = info.ci_95[0];
        assert!(
            (lo - 0.750_26).abs() < 1e-4 && (hi - 11.995_8).abs() < 1e-3,
            "{lo} {hi}"
        );
    }

    #[test]
    fn gamma_mle_satisfies_score_equations() {
        // Sample 1, 2, 3, 4, 5: n = 5, Σy = 15, Σ ln y = ln 120 = 4.787492.
        let s = GammaSample {
            n: 5.0,
            sum: 15.0,
            sum_ln: 120f64.ln(),
        };
        let (p, info) = maximize("gamma", &s, &FitOptions::default()).unwrap();
        // MLE: θ̂ = ȳ/k̂ and ln k̂ − ψ(k̂) = ln ȳ − mean(ln y) = ln 3 − 0.957498 = 0.141114.
        let (k, th) = (p[0], p[1]);
        assert!((k * th - 3.0).abs() < 1e-5);
        let lhs = k.ln() - statrs::function::gamma::digamma(k);
        assert!((lhs - (3f64.ln() - 120f64.ln() / 5.0)).abs() < 1e-6);
        // Known solution of that equation: k̂ ≈ 3.6, θ̂ = 3/k̂.
        assert!(k > 3.0 && k < 4.5, "{k}");
        assert_eq!(info.n_observations, 5.0);
        assert!(info.std_errors.iter().all(|v| v.is_finite() && *v > 0.0));
    }

    #[test]
    fn penalty_shrinks_parameters() {
        let opts = FitOptions {
            penalty: 0.1,
            ..FitOptions::default()
        };
        let (p, info) = maximize("toy", &Toy, &opts).unwrap();
        // Stationarity of −(k ln θ − cθ) + 0.1 θ² (W = 1): 0.2 θ² + c θ − k = 0,
        // θ = (−c + √(c² + 0.8 k)) / 0.4; for x: c = 2/3, k = 2 → 1.907926.
        for i in 0..3 {
            let (k, c) = (TOY_K[i], TOY_K[i] / TOY_M[i]);
            let want = (-c + (c * c + 0.8 * k).sqrt()) / 0.4;
            assert!((p[i] - want).abs() < 1e-5 * want, "{p:?}");
        }
        assert!((p[0] - 1.907_926).abs() < 1e-5);
        // The reported LL excludes the penalty: it is below the unpenalised maximum.
        assert!(
            info.log_likelihood
                < 2.0 * (3f64.ln() - 1.0) + 50.0 * (0.2f64.ln() - 1.0) + 4.0 * (40f64.ln() - 1.0)
        );
    }

    /// LL finite only for θ < 5: `−∞` beyond (as a likelihood that breaks
    /// down for extreme parameters); maximum at θ = 4.
    struct Walled;
    impl Likelihood for Walled {
        fn names(&self) -> &'static [&'static str] {
            &["theta"]
        }
        fn value_and_gradient(&self, p: &[f64], g: &mut [f64]) -> f64 {
            if p[0] >= 5.0 {
                g[0] = f64::NAN;
                return f64::NEG_INFINITY;
            }
            // LL = 4 ln θ − θ: maximum at 4
            g[0] = 4.0 / p[0] - 1.0;
            4.0 * p[0].ln() - p[0]
        }
        fn total_weight(&self) -> f64 {
            1.0
        }
        fn starting_points(&self) -> Vec<Vec<f64>> {
            vec![vec![0.01], vec![50.0]]
        }
    }

    #[test]
    fn rejects_non_finite_trial_steps() {
        let (p, _) = maximize("walled", &Walled, &FitOptions::default()).unwrap();
        assert!((p[0] - 4.0).abs() < 1e-5, "{p:?}");
    }

    struct Unbounded;
    impl Likelihood for Unbounded {
        fn names(&self) -> &'static [&'static str] {
            &["theta"]
        }
        fn value_and_gradient(&self, p: &[f64], g: &mut [f64]) -> f64 {
            // LL = θ: no maximum.
            g[0] = 1.0;
            p[0]
        }
        fn total_weight(&self) -> f64 {
            1.0
        }
        fn starting_points(&self) -> Vec<Vec<f64>> {
            vec![]
        }
    }

    /// At most 20 iterations: enough to see an unbounded likelihood run off.
    fn twenty_iterations() -> FitOptions {
        FitOptions {
            max_iterations: 20,
            ..FitOptions::default()
        }
    }

    #[test]
    fn errors() {
        let e = maximize("unbounded", &Unbounded, &twenty_iterations()).unwrap_err();
        assert_eq!(e.code(), "NOT_CONVERGED");
        assert!(e.to_string().contains("unbounded"), "{e}");

        let default = FitOptions::default;
        for (options, field) in [
            (
                FitOptions {
                    gradient_tolerance: -1.0,
                    ..default()
                },
                "gradient_tolerance",
            ),
            (
                FitOptions {
                    penalty: f64::NAN,
                    ..default()
                },
                "penalty",
            ),
            (
                FitOptions {
                    max_iterations: 0,
                    ..default()
                },
                "max_iterations",
            ),
        ] {
            let e = maximize("toy", &Toy, &options).unwrap_err();
            assert_eq!(e.field(), Some(field));
        }

        struct Nowhere;
        impl Likelihood for Nowhere {
            fn names(&self) -> &'static [&'static str] {
                &["theta"]
            }
            fn value_and_gradient(&self, _: &[f64], g: &mut [f64]) -> f64 {
                g[0] = f64::NAN;
                f64::NAN
            }
            fn total_weight(&self) -> f64 {
                1.0
            }
            fn starting_points(&self) -> Vec<Vec<f64>> {
                vec![vec![2.0]]
            }
        }
        let e = maximize("nowhere", &Nowhere, &FitOptions::default()).unwrap_err();
        assert_eq!(e.field(), Some("log_likelihood"));
    }

    /// `L` with a closed-form Hessian `hess(l, θ, h)` (row-major `h`), so
    /// that [`maximize`] takes the Newton path; everything else is `L`'s.
    struct WithHessian<L>(L, fn(&L, &[f64], &mut [f64]));
    impl<L: Likelihood> Likelihood for WithHessian<L> {
        fn names(&self) -> &'static [&'static str] {
            self.0.names()
        }
        fn value_and_gradient(&self, p: &[f64], g: &mut [f64]) -> f64 {
            self.0.value_and_gradient(p, g)
        }
        fn value_gradient_hessian(&self, p: &[f64], g: &mut [f64], h: &mut [f64]) -> Option<f64> {
            (self.1)(&self.0, p, h);
            Some(self.0.value_and_gradient(p, g))
        }
        fn total_weight(&self) -> f64 {
            self.0.total_weight()
        }
        fn starting_points(&self) -> Vec<Vec<f64>> {
            self.0.starting_points()
        }
    }

    /// [`GammaSample`] with its closed-form Hessian
    /// (`∂²/∂k² = −n ψ′(k)`, `∂²/∂k∂θ = −n/θ`, `∂²/∂θ² = −2Σy/θ³ + n k/θ²`).
    fn gamma_sample_h() -> WithHessian<GammaSample> {
        WithHessian(sample(), |s, p, h| {
            let (k, th) = (p[0], p[1]);
            h[0] = -s.n * crate::special::trigamma(k);
            h[1] = -s.n / th;
            h[2] = h[1];
            h[3] = -2.0 * s.sum / th.powi(3) + s.n * k / (th * th);
        })
    }

    fn sample() -> GammaSample {
        GammaSample {
            n: 5.0,
            sum: 15.0,
            sum_ln: 120f64.ln(),
        }
    }

    #[test]
    fn newton_matches_lbfgs() {
        // Same data, with and without the closed-form Hessian: the Newton and
        // L-BFGS optima agree, and the exact-Hessian standard errors agree
        // with the central-difference ones.
        let (p1, i1) = maximize("gamma", &sample(), &FitOptions::default()).unwrap();
        let (p2, i2) = maximize("gamma", &gamma_sample_h(), &FitOptions::default()).unwrap();
        for j in 0..2 {
            assert!((p1[j] - p2[j]).abs() < 1e-5 * p1[j], "{p1:?} {p2:?}");
            assert!(
                (i1.std_errors[j] - i2.std_errors[j]).abs() < 1e-4 * i1.std_errors[j],
                "{:?} {:?}",
                i1.std_errors,
                i2.std_errors
            );
        }
        // Newton: quadratic convergence, well inside the gradient tolerance.
        assert!(i2.iterations <= 12 && i2.gradient_norm < 1e-6, "{i2:?}");
        assert!(i2.log_likelihood >= i1.log_likelihood - 1e-9);
        // k̂θ̂ = ȳ = 3 and ln k̂ − ψ(k̂) = ln 3 − (ln 120)/5 (score equations).
        let (k, th) = (p2[0], p2[1]);
        assert!((k * th - 3.0).abs() < 1e-8);
        let lhs = k.ln() - statrs::function::gamma::digamma(k);
        assert!((lhs - (3f64.ln() - 120f64.ln() / 5.0)).abs() < 1e-8);
    }

    #[test]
    fn newton_with_penalty() {
        let opts = FitOptions {
            penalty: 0.01,
            ..FitOptions::default()
        };
        let (p1, _) = maximize("gamma", &sample(), &opts).unwrap();
        let (p2, i2) = maximize("gamma", &gamma_sample_h(), &opts).unwrap();
        for j in 0..2 {
            assert!((p1[j] - p2[j]).abs() < 1e-5 * p1[j], "{p1:?} {p2:?}");
        }
        assert!(i2.gradient_norm < 1e-6);
    }

    #[test]
    fn newton_rejects_non_finite_steps() {
        // Walled with its Hessian −4/θ²: Newton's capped steps from θ = 0.01
        // and the rejected steps past θ = 5.
        let walled = WithHessian(Walled, |_, p, h| h[0] = -4.0 / (p[0] * p[0]));
        let (p, info) = maximize("walled", &walled, &FitOptions::default()).unwrap();
        assert!((p[0] - 4.0).abs() < 1e-6, "{p:?}");
        // SE from the exact Hessian: 1/√(4/θ²) = θ/2 = 2.
        assert!((info.std_errors[0] - 2.0).abs() < 1e-6, "{info:?}");
    }

    #[test]
    fn newton_survives_a_wrong_hessian() {
        // The Toy likelihood with a wrong Hessian (the sign flipped): Newton's
        // damping still has to make progress, or the L-BFGS fallback takes
        // over; the optimum must be right either way.
        let wrong = WithHessian(Toy, |_, p, h| {
            h.fill(0.0);
            for i in 0..3 {
                h[i * 3 + i] = TOY_K[i] / (p[i] * p[i]);
            }
        });
        let (p, info) = maximize("toy", &wrong, &FitOptions::default()).unwrap();
        for i in 0..3 {
            assert!((p[i] - TOY_M[i]).abs() < 1e-5 * TOY_M[i], "{p:?}");
        }
        assert!(info.gradient_norm < 1e-6);
    }

    #[test]
    fn newton_unbounded_is_an_error() {
        let unbounded = WithHessian(Unbounded, |_, _, h| h[0] = 0.0);
        let e = maximize("unbounded", &unbounded, &twenty_iterations()).unwrap_err();
        assert_eq!(e.code(), "NOT_CONVERGED");
    }

    /// LL(x, y) = 2 ln x − x/3·2 − 1/y: an interior optimum in x (x = 3,
    /// SE = 3/√2 as in [`Toy`]) and a supremum as y → ∞ (the model
    /// "reduces" to the x part alone). The boundary is reported once
    /// y > 10⁴.
    struct RunsOff;
    impl Likelihood for RunsOff {
        fn names(&self) -> &'static [&'static str] {
            &["x", "y"]
        }
        fn value_and_gradient(&self, p: &[f64], g: &mut [f64]) -> f64 {
            let c = 2.0 / 3.0;
            g[0] = 2.0 / p[0] - c;
            g[1] = 1.0 / (p[1] * p[1]);
            2.0 * p[0].ln() - c * p[0] - 1.0 / p[1]
        }
        fn total_weight(&self) -> f64 {
            1.0
        }
        fn starting_points(&self) -> Vec<Vec<f64>> {
            vec![vec![1.0, 1.0]]
        }
        fn boundary(&self, p: &[f64]) -> Option<Boundary> {
            (p[1] > 1e4).then(|| Boundary {
                params: vec![1],
                note: format!("y -> inf (y = {:.3e})", p[1]),
            })
        }
    }

    #[test]
    fn boundary_optimum_is_a_result_with_nan_std_errors() {
        // Whether the run stops on the gradient criterion (∂f/∂ln y = 1/y
        // small: converged after 35 iterations at y ≈ 6e9) or on the
        // iteration limit (30 iterations, y ≈ 4e8, not converged), the
        // result is the boundary fit.
        for (max_iterations, converged) in [(1000, true), (30, false)] {
            let opts = FitOptions {
                max_iterations,
                ..FitOptions::default()
            };
            let (p, info) = maximize("runs-off", &RunsOff, &opts).unwrap();
            assert!(p[1] > 1e4, "{p:?}");
            assert!((p[0] - 3.0).abs() < 1e-5, "{p:?}");
            assert_eq!(info.converged, converged, "{info:?}");
            let note = info.boundary.as_deref().unwrap();
            assert!(note.starts_with("y -> inf"), "{note}");
            // The parameter running off has no standard error; x's is the
            // interior one, 3/√2 = 2.1213203, conditional on y.
            assert!(info.std_errors[1].is_nan() && info.ci_95[1].0.is_nan());
            assert!((info.std_errors[0] - 2.121_320_3).abs() < 1e-5, "{info:?}");
            // LL = 2 ln 3 − 2 − 1/y: the supremum 2 ln 3 − 2 up to 1/y.
            assert!((info.log_likelihood - (2.0 * 3f64.ln() - 2.0)).abs() < 1e-4);
            let json = serde_json::to_string(&info).unwrap();
            assert!(json.contains("\"boundary\":\"y -> inf"), "{json}");
            assert!(json.contains("\"std_errors\":[2.12"), "{json}");
            assert!(json.contains(",null]"), "{json}");
            let back: FitInfo = serde_json::from_str(&json).unwrap();
            assert_eq!(back.boundary, info.boundary);
        }
        // Stopped by the iteration limit before the boundary (y ≈ 550):
        // still an error.
        let opts = FitOptions {
            max_iterations: 10,
            ..FitOptions::default()
        };
        let e = maximize("runs-off", &RunsOff, &opts).unwrap_err();
        assert_eq!(e.code(), "NOT_CONVERGED");
    }

    /// LL(φ) = 2 exp(−(φ−3)²) + 1/(1 + e^{−φ}), φ = ln y: an interior
    /// maximum near φ = 3 (LL ≈ 2.95) and a lower supremum 1 as y → ∞,
    /// where the gradient vanishes too. The best-ranked start (y = e⁸)
    /// runs off to infinity; the all-ones start finds the interior optimum.
    struct FalseBoundary;
    impl Likelihood for FalseBoundary {
        fn names(&self) -> &'static [&'static str] {
            &["y"]
        }
        fn value_and_gradient(&self, p: &[f64], g: &mut [f64]) -> f64 {
            let phi = p[0].ln();
            let gauss = 2.0 * (-(phi - 3.0) * (phi - 3.0)).exp();
            let sig = 1.0 / (1.0 + (-phi).exp());
            g[0] = (-2.0 * (phi - 3.0) * gauss + sig * (1.0 - sig)) / p[0];
            gauss + sig
        }
        fn total_weight(&self) -> f64 {
            1.0
        }
        fn starting_points(&self) -> Vec<Vec<f64>> {
            vec![vec![8f64.exp()]]
        }
        fn boundary(&self, p: &[f64]) -> Option<Boundary> {
            (p[0] > 1e5).then(|| Boundary {
                params: vec![0],
                note: "y -> inf".into(),
            })
        }
    }

    #[test]
    fn interior_optimum_beats_a_lower_boundary() {
        let (p, info) = maximize("false-boundary", &FalseBoundary, &FitOptions::default()).unwrap();
        // Stationary point: −2(φ−3)·2e^{−(φ−3)²} + σ(1−σ) = 0, φ slightly above 3.
        let phi = p[0].ln();
        assert!(phi > 3.0 && phi < 3.05, "{p:?}");
        assert_eq!(info.boundary, None);
        assert!(info.log_likelihood > 2.9 && info.std_errors[0].is_finite());
    }

    /// Poisson sample of n = 4 counts summing to 10 (the [`maximize`]
    /// example): LL(λ) = 10 ln λ − 4λ, λ̂ = 2.5, k = 1.
    struct Poisson;
    impl Likelihood for Poisson {
        fn names(&self) -> &'static [&'static str] {
            &["lambda"]
        }
        fn value_and_gradient(&self, p: &[f64], g: &mut [f64]) -> f64 {
            g[0] = 10.0 / p[0] - 4.0;
            10.0 * p[0].ln() - 4.0 * p[0]
        }
        fn total_weight(&self) -> f64 {
            4.0
        }
        fn starting_points(&self) -> Vec<Vec<f64>> {
            vec![vec![0.1]]
        }
    }

    #[test]
    fn aic_and_bic_of_a_fit() {
        let (_, info) = maximize("Poisson", &Poisson, &FitOptions::default()).unwrap();
        let ll = 10.0 * 2.5f64.ln() - 10.0; // −0.837 07
        assert!((info.log_likelihood - ll).abs() < 1e-10);
        // AIC = 2k − 2LL, BIC = k ln n − 2LL with k = 1, n = 4
        assert!((info.aic - (2.0 - 2.0 * ll)).abs() < 1e-10, "{info:?}");
        assert!(
            (info.bic - (4f64.ln() - 2.0 * ll)).abs() < 1e-10,
            "{info:?}"
        );
        // covariance (−H)⁻¹ = λ̂²/S = λ̂/n = 0.625, the square of the standard error
        assert!((info.covariance[0][0] - 0.625).abs() < 1e-6, "{info:?}");
        assert!((info.covariance[0][0] - info.std_errors[0].powi(2)).abs() < 1e-15);
        let json = serde_json::to_string(&info).unwrap();
        assert!(
            json.contains("\"aic\":") && json.contains("\"bic\":"),
            "{json}"
        );
        // JSON written before aic/bic existed reads back with them computed.
        let mut old: serde_json::Value = serde_json::from_str(&json).unwrap();
        let obj = old.as_object_mut().unwrap();
        obj.remove("aic");
        obj.remove("bic");
        obj.remove("covariance");
        let back: FitInfo = serde_json::from_value(old).unwrap();
        assert_eq!((back.aic, back.bic), (info.aic, info.bic));
        assert!(back.covariance.is_empty());
    }

    #[test]
    fn interior_fit_json_has_no_boundary_key() {
        // Every existing model's JSON stays as it was: no `boundary` key
        // when there is none, and older JSON without it reads back.
        let (_, info) = maximize("toy", &Toy, &FitOptions::default()).unwrap();
        assert_eq!(info.boundary, None);
        let json = serde_json::to_string(&info).unwrap();
        assert!(!json.contains("boundary"), "{json}");
        let back: FitInfo = serde_json::from_str(&json).unwrap();
        assert_eq!(back, info);
    }

    #[test]
    fn hessian_of_toy() {
        let h = hessian(&Toy, &[1.0, 1.0, 1.0]);
        // −diag(k/θ²) = −diag(2, 50, 4) at θ = 1
        assert!((h[0][0] + 2.0).abs() < 1e-6);
        assert!((h[1][1] + 50.0).abs() < 1e-5);
        assert!((h[2][2] + 4.0).abs() < 1e-6);
        assert!(h[0][1].abs() < 1e-9);
    }
}
