//! # Scale-out: the pieces a distributed engine reuses
//!
//! A transaction log too large for one machine is summarised, compressed,
//! fitted and scored partition by partition, with the same numbers as on one
//! machine. Nothing here knows an engine: the Python package's `clv.spark`
//! is built on these functions, and DataFusion, Dask or Ray can use them the
//! same way (docs/scale.md).
//!
//! 1. **Summary.** Partition the transactions by customer (all rows of a
//!    customer in one partition, e.g. hashed by id), then summarise each
//!    partition with [`crate::summary::summarize_in_code_order`] and the
//!    *global* observation end (the latest transaction of the whole log
//!    when none is given: one aggregation pass). Every output row depends
//!    on its customer's rows and the ends only, so the union of the
//!    partitions' rows is the one-machine summary, row for row.
//!    [`window_end`] gives the first instant outside the window, to count the
//!    rows left out without a summary.
//! 2. **Compression.** Distinct input rows `(x, t_x, T)` (or the model's
//!    inputs) with summed weights ([`compress`]). Weights make it mergeable:
//!    compressing the union of compressed parts gives the compression of the
//!    whole, and a weighted fit on it is the fit on the expanded rows.
//! 3. **Fit.** The log-likelihood, its gradient and its Hessian are sums over
//!    customers, so the sums over the partitions ([`partial_sums`]), added in
//!    a fixed order, are those of the whole. [`fit_from_partial_sums`] runs
//!    the fit of [`crate::fit`] on such sums: one pass over the data per
//!    evaluation (Newton with the closed-form Hessian: 3–8 passes), started
//!    from the fit of a sample. Newton ends polished to the rounding floor
//!    ([`crate::fit`], "Optimiser"), so the estimate equals the one-machine
//!    fit of the same rows to about 10⁻¹⁰ relative.
//! 4. **Score.** Broadcast the model as its JSON ([`crate::models::ModelInfo::to_json`]);
//!    each partition runs the predictions on its rows.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::fit::{Boundary, FitOptions, Likelihood, LikelihoodTerms};
use crate::models::{AnyModel, Family, ModelKind};
use crate::time::TimeUnit;

/// The total log-likelihood of one partition's rows at `params`, with its
/// gradient and (when `hessian` and the model has one in closed form) its
/// Hessian: [`crate::fit::log_likelihood_terms`] for a model of `kind`.
/// Summed over disjoint partitions these are the terms of the whole data
/// set.
///
/// # Errors
/// Those of [`crate::fit::log_likelihood_terms`]: the inputs' errors naming
/// the field, row and value; [`Error::Empty`] for a partition without rows
/// (skip such partitions).
///
/// # Example
/// ```
/// use clv::models::ModelKind;
/// use clv::scale::partial_sums;
/// let p = [0.243, 4.414, 0.793, 2.426];
/// let (x, tx, t) = ([2.0, 1.0, 0.0], [30.43, 1.71, 0.0], [38.86, 38.86, 38.86]);
/// let whole = partial_sums(ModelKind::BgNbd, &[&x, &tx, &t], None, &p, true)?;
/// let a = partial_sums(ModelKind::BgNbd, &[&x[..1], &tx[..1], &t[..1]], None, &p, true)?;
/// let b = partial_sums(ModelKind::BgNbd, &[&x[1..], &tx[1..], &t[1..]], None, &p, true)?;
/// assert!((a.value + b.value - whole.value).abs() < 1e-12);
/// # Ok::<(), clv::Error>(())
/// ```
pub fn partial_sums(
    kind: ModelKind,
    inputs: &[&[f64]],
    weights: Option<&[f64]>,
    params: &[f64],
    hessian: bool,
) -> Result<LikelihoodTerms> {
    per_customer(kind, "partial_sums")?;
    AnyModel::log_likelihood_terms(kind, inputs, weights, params, hessian)
}

/// Adds partial sums in the order given (the caller fixes the order, e.g.
/// by partition index, so that the total is the same bits on every run).
/// The Hessian is kept only when every part has one.
///
/// # Errors
/// [`Error::Empty`] for no parts; [`Error::LengthMismatch`] for parts of
/// different sizes.
pub fn add_partial_sums(parts: &[LikelihoodTerms]) -> Result<LikelihoodTerms> {
    let first = parts.first().ok_or_else(|| Error::Empty {
        field: "partial_sums".into(),
        reason: "no partition returned partial sums (no rows)".into(),
    })?;
    let k = first.gradient.len();
    let mut total = LikelihoodTerms {
        value: 0.0,
        gradient: vec![0.0; k],
        hessian: first.hessian.as_ref().map(|_| vec![0.0; k * k]),
    };
    for part in parts {
        crate::error::check::same_len("gradient", part.gradient.len(), "parameters", k)?;
        total.value += part.value;
        total
            .gradient
            .iter_mut()
            .zip(&part.gradient)
            .for_each(|(t, g)| *t += g);
        match (&mut total.hessian, &part.hessian) {
            (Some(t), Some(h)) => {
                crate::error::check::same_len("hessian", h.len(), "parameters²", k * k)?;
                t.iter_mut().zip(h).for_each(|(t, h)| *t += h);
            }
            (t, _) => *t = None,
        }
    }
    Ok(total)
}

/// Refuses a model fitted to one cohort curve (sBG): its data are not rows
/// of customers, so they do not partition.
fn per_customer(kind: ModelKind, operation: &str) -> Result<()> {
    let spec = kind.spec();
    if spec.family == Family::Retention {
        return Err(crate::models::registry::unsupported(
            spec.name,
            operation,
            "it is fitted to one cohort's survivor curve, not to rows of customers",
        ));
    }
    Ok(())
}

/// The distinct rows of `inputs` (one array per input, equal lengths) with
/// the sum of their weights (1 per row without weights), in ascending
/// order of the rows (compared as numbers, input by input). Rows are
/// distinct when any input differs in its bits (`0.0` and `-0.0` differ).
///
/// # Errors
/// [`Error::LengthMismatch`] for arrays (or weights) of other lengths;
/// [`Error::InvalidValue`] for a NaN input or a weight that is not finite
/// and ≥ 0 (field `weights`, naming the row).
///
/// # Example
/// ```
/// let x = [1.0, 0.0, 1.0];
/// let t = [5.0, 5.0, 5.0];
/// let (rows, w) = clv::scale::compress(&[&x, &t], None)?;
/// assert_eq!(rows, vec![vec![0.0, 1.0], vec![5.0, 5.0]]);
/// assert_eq!(w, [1.0, 2.0]);
/// # Ok::<(), clv::Error>(())
/// ```
pub fn compress(inputs: &[&[f64]], weights: Option<&[f64]>) -> Result<(Vec<Vec<f64>>, Vec<f64>)> {
    let n = inputs.first().map_or(0, |a| a.len());
    for (j, a) in inputs.iter().enumerate() {
        crate::error::check::same_len(&format!("inputs[{j}]"), a.len(), "inputs[0]", n)?;
        if let Some(i) = a.iter().position(|v| v.is_nan()) {
            return Err(Error::invalid_at(
                format!("inputs[{j}]"),
                i,
                a[i],
                "a number",
            ));
        }
    }
    if let Some(w) = weights {
        crate::error::check::same_len("weights", w.len(), "inputs[0]", n)?;
        crate::error::check::all_non_negative("weights", w)?;
    }
    // Keyed by bits, so 0.0 and -0.0 stay apart; then ordered by value.
    let (reps, w) = group_rows(
        n,
        |i| inputs.iter().map(|a| a[i].to_bits()).collect::<Vec<_>>(),
        weights,
    );
    let mut order: Vec<usize> = (0..reps.len()).collect();
    let reps = &reps;
    order.sort_by(|&a, &b| {
        inputs
            .iter()
            .map(|col| col[reps[a]].total_cmp(&col[reps[b]]))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let rows = inputs
        .iter()
        .map(|a| order.iter().map(|&g| a[reps[g]]).collect())
        .collect();
    Ok((rows, order.iter().map(|&g| w[g]).collect()))
}

/// Groups rows `0..n` by `key(i)`: the index of each group's first row, in
/// order of first appearance, and the group's weight (the sum of
/// `weights`, or the count). The one grouping of [`compress`] and
/// [`crate::covariates::compress`] (the weights checked by the caller).
pub(crate) fn group_rows<K: std::hash::Hash + Eq>(
    n: usize,
    key: impl Fn(usize) -> K,
    weights: Option<&[f64]>,
) -> (Vec<usize>, Vec<f64>) {
    let mut groups: HashMap<K, usize> = HashMap::new();
    let (mut reps, mut sums) = (Vec::new(), Vec::new());
    for i in 0..n {
        let w = weights.map_or(1.0, |w| w[i]);
        match groups.entry(key(i)) {
            Entry::Occupied(g) => sums[*g.get()] += w,
            Entry::Vacant(slot) => {
                slot.insert(reps.len());
                reps.push(i);
                sums.push(w);
            }
        }
    }
    (reps, sums)
}

/// The first timestamp (seconds, naive wall time) outside the observation
/// window of a summary in `unit` with observation end `observation_end`:
/// without a calibration end, the start of the period after the end's
/// period (rows of the end's own period are inside, as in `lifetimes`);
/// with one, the second after the end (holdout rows are selected on raw
/// timestamps). A row is left out of the summary exactly when its
/// timestamp is ≥ this ([`crate::summary`], "Observation window").
///
/// # Example
/// ```
/// use clv::time::{parse_timestamp, TimeUnit};
/// let end = parse_timestamp("1997-01-01 10:00", None)?;
/// let next_day = parse_timestamp("1997-01-02", None)?;
/// assert_eq!(clv::scale::window_end(&TimeUnit::parse("D")?, end, false), next_day);
/// assert_eq!(clv::scale::window_end(&TimeUnit::parse("D")?, end, true), end + 1);
/// # Ok::<(), clv::Error>(())
/// ```
pub fn window_end(unit: &TimeUnit, observation_end: i64, calibration: bool) -> i64 {
    if calibration {
        observation_end.saturating_add(1)
    } else {
        unit.period_start(unit.period_index(observation_end).saturating_add(1))
    }
}

/// What [`fit_from_partial_sums`] asks of the data: the total weight and
/// the partial sums at a point.
pub trait PartialSumsSource: Sync {
    /// The sum of the weights of all rows (the number of customers).
    fn total_weight(&self) -> f64;
    /// The partial sums of all partitions at `params` (natural scale),
    /// added in a fixed order ([`add_partial_sums`]); with the Hessian when
    /// `hessian` and the model has one.
    ///
    /// # Errors
    /// Whatever the engine reports (a failed job, a partition's data error).
    fn terms(&self, params: &[f64], hessian: bool) -> Result<LikelihoodTerms>;
}

/// The fit's view of the distributed data: evaluations go to the source;
/// starting points and the boundary judgement come from a sample held
/// here. The first error of the source is kept and ends the fit.
struct Distributed<'a> {
    kind: ModelKind,
    source: &'a dyn PartialSumsSource,
    weight: f64,
    sample: Box<dyn Likelihood + 'a>,
    sample_optimum: Option<Vec<f64>>,
    error: Mutex<Option<Error>>,
    passes: Mutex<u64>,
}

impl Distributed<'_> {
    fn eval(&self, p: &[f64], hessian: bool) -> Option<LikelihoodTerms> {
        if let Ok(mut n) = self.passes.lock() {
            *n += 1;
        }
        if self.error.lock().map(|e| e.is_some()).unwrap_or(true) {
            return None;
        }
        match self.source.terms(p, hessian) {
            Ok(t) if t.gradient.len() == p.len() => Some(t),
            Ok(t) => {
                self.fail(Error::LengthMismatch {
                    field: "gradient".into(),
                    actual: t.gradient.len(),
                    reference: "parameters".into(),
                    expected: p.len(),
                });
                None
            }
            Err(e) => {
                self.fail(e);
                None
            }
        }
    }

    fn fail(&self, e: Error) {
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(e);
        }
    }
}

impl Likelihood for Distributed<'_> {
    fn names(&self) -> &'static [&'static str] {
        self.kind.spec().params
    }
    fn value_and_gradient(&self, params: &[f64], grad: &mut [f64]) -> f64 {
        match self.eval(params, false) {
            Some(t) => {
                grad.copy_from_slice(&t.gradient);
                t.value
            }
            None => f64::NAN,
        }
    }
    fn total_weight(&self) -> f64 {
        self.weight
    }
    /// The sample's optimum first (Newton then needs a few passes), then
    /// the sample's own starting points.
    fn starting_points(&self) -> Vec<Vec<f64>> {
        self.sample_optimum
            .iter()
            .cloned()
            .chain(self.sample.starting_points())
            .collect()
    }
    fn value_gradient_hessian(&self, p: &[f64], grad: &mut [f64], hess: &mut [f64]) -> Option<f64> {
        let t = self.eval(p, true)?;
        let h = t.hessian?;
        if h.len() != hess.len() {
            return None;
        }
        grad.copy_from_slice(&t.gradient);
        hess.copy_from_slice(&h);
        Some(t.value)
    }
    /// Judged on the sample: whether the parameters run off to a boundary
    /// is a property of the likelihood's shape, which a sample of the
    /// customers shares.
    fn boundary(&self, params: &[f64]) -> Option<Boundary> {
        self.sample.boundary(params)
    }
}

/// Maximum-likelihood fit of a model of `kind` to data that live elsewhere,
/// from their partial sums: the fit of [`crate::fit::fit_model`] (the same
/// optimiser, identification checks and [`crate::fit::FitInfo`]) with each
/// evaluation of the log-likelihood one call of `source.terms` (one pass
/// over the partitions).
///
/// `sample` (with `sample_weights`) is a sample of the rows, e.g. a
/// deterministic hash sample of customers of at most a few hundred
/// thousand distinct rows. It is fitted here first and its optimum is the
/// first start, so that Newton needs only a few passes; it also supplies
/// the model's other starting points and the boundary judgement
/// ([`crate::fit::Likelihood::boundary`]).
///
/// `FitInfo::iterations` counts optimiser steps as in a local fit;
/// the number of passes is returned beside the model.
///
/// # Errors
/// [`Error::Unsupported`] for a cohort model (sBG); the sample's input
/// errors; the first error of `source` (which ends the fit); otherwise
/// those of [`crate::fit::fit_model`].
pub fn fit_from_partial_sums(
    kind: ModelKind,
    sample: &[&[f64]],
    sample_weights: Option<&[f64]>,
    source: &dyn PartialSumsSource,
    options: &FitOptions,
) -> Result<(AnyModel, u64)> {
    per_customer(kind, "fit_from_partial_sums")?;
    options.validate()?;
    let spec = kind.spec();
    let weight = crate::fit::total_weight(source.total_weight())?;
    let sample_lik = AnyModel::likelihood(kind, sample, sample_weights)?;
    // The sample's optimum; a sample too small to identify the model
    // leaves only the model's starting points.
    let sample_optimum = crate::fit::maximize_dyn(spec.name, &*sample_lik, options, None)
        .ok()
        .map(|(p, _)| p);
    let lik = Distributed {
        kind,
        source,
        weight,
        sample: sample_lik,
        sample_optimum,
        error: Mutex::new(None),
        passes: Mutex::new(0),
    };
    let fitted = crate::fit::maximize_dyn(spec.name, &lik, options, None);
    if let Some(e) = lik.error.lock().ok().and_then(|mut e| e.take()) {
        return Err(e);
    }
    let (p, info) = fitted?;
    let info = crate::fit::conclude(spec, &lik, &p, info, options)?;
    let passes = lik.passes.lock().map(|n| *n).unwrap_or(0);
    Ok((
        AnyModel::from_values(kind, &p)?.with_fit_info(Some(info)),
        passes,
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::models::ModelInfo;

    /// A source over in-memory partitions, summed in partition order.
    struct Parts<'a> {
        kind: ModelKind,
        parts: Vec<Vec<&'a [f64]>>,
    }

    impl PartialSumsSource for Parts<'_> {
        fn total_weight(&self) -> f64 {
            self.parts.iter().map(|p| p[0].len() as f64).sum()
        }
        fn terms(&self, params: &[f64], hessian: bool) -> Result<LikelihoodTerms> {
            let sums: Result<Vec<_>> = self
                .parts
                .iter()
                .map(|p| partial_sums(self.kind, p, None, params, hessian))
                .collect();
            add_partial_sums(&sums?)
        }
    }

    fn simulated(n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let m = AnyModel::from_values(ModelKind::BgNbd, &[0.243, 4.414, 0.793, 2.426]).unwrap();
        let t: Vec<f64> = (0..n).map(|i| 20.0 + (i % 19) as f64).collect();
        let s = crate::simulate::simulate(&m, &t, 7).unwrap();
        (s.frequency, s.recency, t)
    }

    #[test]
    fn fit_from_partial_sums_equals_the_local_fit() {
        let (x, tx, t) = simulated(3000);
        let options = FitOptions::default();
        for kind in [ModelKind::BgNbd, ModelKind::ParetoNbd, ModelKind::MbgNbd] {
            let local = AnyModel::fit(kind, &[&x, &tx, &t], None, &options).unwrap();
            // three partitions of unequal size, one sample of every 10th row
            let cuts = [0, 500, 1700, 3000];
            let parts = Parts {
                kind,
                parts: cuts
                    .windows(2)
                    .map(|c| vec![&x[c[0]..c[1]], &tx[c[0]..c[1]], &t[c[0]..c[1]]])
                    .collect(),
            };
            let pick = |a: &[f64]| a.iter().step_by(10).copied().collect::<Vec<_>>();
            let (sx, stx, st) = (pick(&x), pick(&tx), pick(&t));
            let (dist, passes) =
                fit_from_partial_sums(kind, &[&sx, &stx, &st], None, &parts, &options).unwrap();
            for (a, b) in local.values().iter().zip(dist.values()) {
                assert!((a / b - 1.0).abs() < 1e-9, "{kind:?}: {a} vs {b}");
            }
            let (li, di) = (local.fit_info().unwrap(), dist.fit_info().unwrap());
            assert!((li.log_likelihood - di.log_likelihood).abs() < 1e-8 * li.log_likelihood.abs());
            for (a, b) in li.std_errors.iter().zip(&di.std_errors) {
                assert!((a / b - 1.0).abs() < 1e-6, "{kind:?} SE: {a} vs {b}");
            }
            assert!(passes > 0 && passes < 200, "{kind:?}: {passes} passes");
        }
    }

    /// BG/BB and Gamma-Gamma have no closed-form Hessian: L-BFGS runs from
    /// the sample's optimum and from the model's starts stop at different
    /// points inside the gradient tolerance (2.5e-8 and 1.7e-6 apart on the
    /// donations and CDNOW before the polish); the Newton polish on the
    /// differenced Hessian takes both to the optimum.
    #[test]
    fn models_without_a_closed_form_hessian_agree_after_the_polish() {
        let n = 3000;
        let opportunities: Vec<f64> = (0..n).map(|i| (3 + i % 4) as f64).collect();
        let bb = AnyModel::from_values(ModelKind::BgBb, &[1.204, 0.750, 0.657, 2.783]).unwrap();
        let sim = crate::simulate::simulate(&bb, &opportunities, 11).unwrap();
        let gg = AnyModel::from_values(ModelKind::GammaGamma, &[6.25, 3.74, 15.44]).unwrap();
        let counts: Vec<f64> = (0..n).map(|i| (1 + i % 9) as f64).collect();
        let spend = crate::simulate::simulate_spend(&gg, &counts, 5).unwrap();
        let cases: [(ModelKind, Vec<&[f64]>); 2] = [
            (
                ModelKind::BgBb,
                vec![&sim.frequency, &sim.recency, &opportunities],
            ),
            (
                ModelKind::GammaGamma,
                vec![&spend.frequency, &spend.monetary_value],
            ),
        ];
        let options = FitOptions::default();
        for (kind, inputs) in cases {
            let local = AnyModel::fit(kind, &inputs, None, &options).unwrap();
            let cuts = [0, 500, 1700, n];
            let parts = Parts {
                kind,
                parts: cuts
                    .windows(2)
                    .map(|c| inputs.iter().map(|a| &a[c[0]..c[1]]).collect())
                    .collect(),
            };
            let sample: Vec<Vec<f64>> = inputs
                .iter()
                .map(|a| a.iter().step_by(10).copied().collect())
                .collect();
            let sample: Vec<&[f64]> = sample.iter().map(Vec::as_slice).collect();
            let (dist, _) = fit_from_partial_sums(kind, &sample, None, &parts, &options).unwrap();
            assert!(local.fit_info().unwrap().boundary.is_none(), "{kind:?}");
            for (a, b) in local.values().iter().zip(dist.values()) {
                assert!((a / b - 1.0).abs() < 1e-10, "{kind:?}: {a} vs {b}");
            }
            let (li, di) = (local.fit_info().unwrap(), dist.fit_info().unwrap());
            assert!(
                li.gradient_norm < 1e-9 && di.gradient_norm < 1e-9,
                "{kind:?}"
            );
            for (a, b) in li.std_errors.iter().zip(&di.std_errors) {
                assert!((a / b - 1.0).abs() < 1e-6, "{kind:?} SE: {a} vs {b}");
            }
        }
    }

    #[test]
    fn a_source_error_ends_the_fit_with_that_error() {
        struct Failing;
        impl PartialSumsSource for Failing {
            fn total_weight(&self) -> f64 {
                10.0
            }
            fn terms(&self, _: &[f64], _: bool) -> Result<LikelihoodTerms> {
                Err(Error::invalid_at(
                    "frequency",
                    3,
                    -1.0,
                    "a whole number >= 0",
                ))
            }
        }
        let (x, tx, t) = simulated(200);
        let e = fit_from_partial_sums(
            ModelKind::BgNbd,
            &[&x, &tx, &t],
            None,
            &Failing,
            &FitOptions::default(),
        )
        .unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT");
        assert!(e.to_string().contains("frequency"), "{e}");
    }

    #[test]
    fn cohort_models_do_not_partition() {
        let e = partial_sums(
            ModelKind::Sbg,
            &[&[1000.0, 600.0]],
            None,
            &[1.0, 1.0],
            false,
        )
        .unwrap_err();
        assert_eq!(e.code(), "NOT_SUPPORTED");
    }

    #[test]
    fn compress_is_mergeable() {
        let x = [1.0, 0.0, 1.0, 2.0, 0.0];
        let t = [5.0, 5.0, 5.0, 7.0, 5.0];
        let (whole, ww) = compress(&[&x, &t], None).unwrap();
        let (a, wa) = compress(&[&x[..2], &t[..2]], None).unwrap();
        let (b, wb) = compress(&[&x[2..], &t[2..]], None).unwrap();
        let xs: Vec<f64> = a[0].iter().chain(&b[0]).copied().collect();
        let ts: Vec<f64> = a[1].iter().chain(&b[1]).copied().collect();
        let w: Vec<f64> = wa.iter().chain(&wb).copied().collect();
        let (merged, wm) = compress(&[&xs, &ts], Some(&w)).unwrap();
        assert_eq!((whole.clone(), ww.clone()), (merged, wm));
        assert_eq!(whole, vec![vec![0.0, 1.0, 2.0], vec![5.0, 5.0, 7.0]]);
        assert_eq!(ww, [2.0, 2.0, 1.0]);
    }
}
