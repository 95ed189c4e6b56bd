//! One property check run over every model of the registry (statrs'
//! `check_continuous_distribution` style): whatever `ModelKind::ALL` holds,
//! including a model added later, must pass it with no test code of its own.
//!
//! - transaction models: P(alive) in [0, 1] and rising with recency;
//!   expected purchases ≥ 0 and growing with the horizon; for a new customer
//!   Σₙ P(X(t) = n) = 1 and Σₙ n·P(X(t) = n) = E[X(t)], and the same for the
//!   conditional distribution where the model has it;
//! - spend models: expected spend between the population mean and z̄ is
//!   model specific (tested in the model's file); here it is finite and > 0;
//! - retention models: S(t) in [0, 1], falling with t, S(0) = 1;
//! - every model: the analytic gradient of the log-likelihood equals central
//!   finite differences, and so does the closed-form Hessian (where the
//!   model has one) of the gradient.
//!
//! Parameters are drawn on a log scale in [0.3, 10] and customers from the
//! registry's input names (`n_periods`: whole numbers of periods).
#![allow(clippy::unwrap_used)]

use clv::models::{AnyModel, Family, ModelInfo, ModelKind, SpendModel, TransactionModel};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Parameters from unit draws, log-uniform in [0.3, 10].
fn params(kind: ModelKind, u: &[f64]) -> Vec<f64> {
    (0..kind.spec().params.len())
        .map(|i| (0.3f64.ln() + u[i] * (10.0f64 / 0.3).ln()).exp())
        .collect()
}

/// Whether the model counts time in whole periods.
fn discrete(kind: ModelKind) -> bool {
    kind.spec().inputs.contains(&"n_periods")
}

/// Three customers (x, t_x, T) from unit draws: one without repeat
/// purchases, one at the observation end, one in between.
fn customers(kind: ModelKind, u: &[f64]) -> [Vec<f64>; 3] {
    if discrete(kind) {
        let n = (1.0 + (u[0] * 30.0).floor()).min(30.0);
        let tx = (1.0 + (u[1] * n).floor()).min(n);
        let x = (1.0 + (u[2] * tx).floor()).min(tx);
        [vec![0.0, x, x], vec![0.0, tx, n], vec![n, n, n]]
    } else {
        let t = 1.0 + u[0] * 60.0;
        let tx = t * (0.05 + 0.9 * u[1]);
        let x = (1.0 + u[2] * 20.0).floor();
        [vec![0.0, x, x], vec![0.0, tx, t], vec![t, t, t]]
    }
}

/// Adds P(n) for n = 0, 1, ... until the remaining mass is below 1e-11;
/// returns (Σ P, Σ n·P).
fn pmf_sums(p: impl Fn(u32) -> f64) -> Result<(f64, f64), TestCaseError> {
    let (mut s, mut mean) = (0.0, 0.0);
    let mut n = 0u32;
    while n < 20_000 && (1.0 - s > 1e-11 || n < 5) {
        let v = p(n);
        prop_assert!((0.0..=1.0).contains(&v), "P({}) = {}", n, v);
        s += v;
        mean += f64::from(n) * v;
        n += 1;
    }
    Ok((s, mean))
}

fn check_transaction(m: &AnyModel, c: &[Vec<f64>; 3], t: f64) -> Result<(), TestCaseError> {
    let name = m.kind().spec().name;
    let [x, tx, tt] = c;
    let p = m.prob_alive(x, tx, tt).unwrap();
    prop_assert!(
        p.iter().all(|v| (0.0..=1.0).contains(v)),
        "{} {:?}",
        name,
        p
    );
    // the same customer, last purchase at the observation end: more alive
    let p_late = m.prob_alive(&x[1..2], &tt[1..2], &tt[1..2]).unwrap()[0];
    prop_assert!(
        p_late >= p[1] * (1.0 - 1e-10),
        "{}: {} < {}",
        name,
        p_late,
        p[1]
    );
    let e1 = m.expected_purchases(t, x, tx, tt).unwrap();
    let e2 = m.expected_purchases(2.0 * t, x, tx, tt).unwrap();
    for (a, b) in e1.iter().zip(&e2) {
        prop_assert!(
            *a >= 0.0 && *b >= a * (1.0 - 1e-10),
            "{}: {} {}",
            name,
            a,
            b
        );
    }
    let (sum, mean) = pmf_sums(|n| m.prob_purchases(n, t).unwrap())?;
    prop_assert!((sum - 1.0).abs() < 1e-8, "{}: Σ P = {}", name, sum);
    let e = m.expected_purchases_new(t).unwrap();
    prop_assert!(
        (mean - e).abs() < 1e-6 * e.max(1e-3),
        "{}: Σ nP = {} vs E = {}",
        name,
        mean,
        e
    );
    // where the model has the conditional distribution, it sums to 1 with
    // the conditional expectation as its mean
    if m.prob_purchases_conditional(0, t, x, tx, tt).is_ok() {
        for i in 0..3 {
            let (sum, mean) = pmf_sums(|n| {
                m.prob_purchases_conditional(n, t, &x[i..=i], &tx[i..=i], &tt[i..=i])
                    .unwrap()[0]
            })?;
            prop_assert!(
                (sum - 1.0).abs() < 1e-8,
                "{}: conditional Σ P = {}",
                name,
                sum
            );
            // the truncated tail (< 1e-11 of mass, at large n) weighs in the
            // mean of a customer who is almost surely gone
            let e = e1[i];
            prop_assert!(
                (mean - e).abs() < 1e-6 * e.max(1e-2),
                "{}: {} vs {}",
                name,
                mean,
                e
            );
        }
    }
    Ok(())
}

/// Central differences of the analytic gradient (and of the value),
/// relative step 1e-5.
fn check_derivatives(
    kind: ModelKind,
    inputs: &[&[f64]],
    theta: &[f64],
) -> Result<(), TestCaseError> {
    let name = kind.spec().name;
    let at = |p: &[f64]| AnyModel::log_likelihood_terms(kind, inputs, None, p, true).unwrap();
    let base = at(theta);
    let k = theta.len();
    for i in 0..k {
        let h = 1e-5 * theta[i];
        let (mut up, mut down) = (theta.to_vec(), theta.to_vec());
        up[i] += h;
        down[i] -= h;
        let (tu, td) = (at(&up), at(&down));
        let fd = (tu.value - td.value) / (2.0 * h);
        let g = base.gradient[i];
        let scale = g.abs().max(base.value.abs() * 1e-3).max(1e-6);
        prop_assert!(
            (fd - g).abs() <= 1e-4 * scale,
            "{} ∂/∂θ{}: {} vs {}",
            name,
            i,
            g,
            fd
        );
        if let Some(hess) = &base.hessian {
            for j in 0..k {
                let fd = (tu.gradient[j] - td.gradient[j]) / (2.0 * h);
                let v = hess[i * k + j];
                let scale = v.abs().max(1e-3 * g.abs()).max(1e-6);
                prop_assert!(
                    (fd - v).abs() <= 1e-3 * scale,
                    "{} H[{}][{}]: {} vs {}",
                    name,
                    i,
                    j,
                    v,
                    fd
                );
            }
        }
    }
    Ok(())
}

fn check_model(kind: ModelKind, u: &[f64], w: &[f64], t: f64) -> Result<(), TestCaseError> {
    let theta = params(kind, u);
    let m = AnyModel::from_values(kind, &theta).unwrap();
    match kind.spec().family {
        Family::Transaction => {
            let c = customers(kind, w);
            let t = if discrete(kind) { t.ceil() } else { t };
            check_transaction(&m, &c, t)?;
            check_derivatives(kind, &[&c[0], &c[1], &c[2]], &theta)?;
        }
        Family::Spend => {
            let (x, z) = (
                [5.0, 7.0, 30.0],
                [10.0 * w[0] + 0.5, 3.0, 120.0 * w[1] + 1.0],
            );
            let e = m.expected_spend(&x, &z).unwrap();
            prop_assert!(e.iter().all(|v| v.is_finite() && *v > 0.0), "{:?}", e);
            check_derivatives(kind, &[&x, &z], &theta)?;
        }
        Family::Retention => {
            let r = m.retention("survival").unwrap();
            prop_assert!((r.survival(0.0).unwrap() - 1.0).abs() < 1e-15);
            let s: Vec<f64> = (0..12).map(|k| r.survival(f64::from(k)).unwrap()).collect();
            prop_assert!(s.windows(2).all(|p| p[1] <= p[0] && p[1] >= 0.0), "{:?}", s);
            let survivors: Vec<f64> = s.iter().map(|v| (1000.0 * v).round()).collect();
            check_derivatives(kind, &[&survivors], &theta)?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_registry_model(
        u in proptest::collection::vec(0.0f64..1.0, 8),
        w in proptest::collection::vec(0.0f64..1.0, 3),
        t in 0.1f64..20.0,
    ) {
        for &kind in ModelKind::ALL {
            check_model(kind, &u, &w, t)?;
        }
    }
}

#[test]
fn every_registry_model_at_fixed_points() {
    // Deterministic corners of the draws, so that a failure reproduces
    // without proptest's seed.
    for u in [0.0, 0.5, 1.0] {
        for &kind in ModelKind::ALL {
            check_model(kind, &[u; 8], &[0.5, u, 1.0 - u], 5.0).unwrap();
        }
    }
}

// ---------------------------------------------------------------------
// Fixed points of every model (tests/data/model_points.json): corners
// that once broke a closed form, the same checks for every model.

fn points() -> serde_json::Value {
    serde_json::from_str(include_str!("data/model_points.json")).unwrap()
}

fn rows(v: &serde_json::Value) -> Vec<Vec<f64>> {
    serde_json::from_value(v.clone()).unwrap()
}

/// The customers of `rows` as the model's input columns (one array per
/// [`clv::ModelSpec::inputs`] name; sBG: each row is one survivor curve).
fn columns(kind: ModelKind, row: &[f64]) -> Vec<Vec<f64>> {
    match kind.spec().family {
        Family::Retention => vec![row.to_vec()],
        _ => row.iter().map(|&v| vec![v]).collect(),
    }
}

/// ln L per customer at `theta`, its analytic gradient against central
/// differences (step 10⁻⁵·θ), compared on the ln θ scale (θ ∂/∂θ) to 10⁻⁶
/// of the larger of the term and 10⁻², plus the rounding of ln L itself.
fn check_gradient_at(kind: ModelKind, theta: &[f64], row: &[f64]) {
    let cols = columns(kind, row);
    let inputs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let at = |p: &[f64]| AnyModel::log_likelihood_terms(kind, &inputs, None, p, false).unwrap();
    let base = at(theta);
    assert!(base.value.is_finite(), "{kind:?} {theta:?} {row:?}");
    for k in 0..theta.len() {
        let h = 1e-5 * theta[k];
        let (mut up, mut down) = (theta.to_vec(), theta.to_vec());
        up[k] += h;
        down[k] -= h;
        let fd = (at(&up).value - at(&down).value) / (2.0 * h) * theta[k];
        let g = base.gradient[k] * theta[k];
        let tol = 1e-6 * fd.abs().max(1e-2) + 1e-9 * base.value.abs();
        assert!(
            (g - fd).abs() < tol,
            "{kind:?} {theta:?} {row:?} θ∂/∂θ{k}: {g} vs {fd}"
        );
    }
}

/// ln L finite, P(alive) in [0, 1], E[X(T, T+h)] finite, ≥ 0 and
/// non-decreasing in h, DERT finite where the model has it, and a new
/// customer's E[X(t)] and P(X(t) = 500) finite at the longest horizon.
fn check_extremes_at(m: &AnyModel, row: &[f64], horizons: &[f64]) {
    let label = format!("{:?} {:?} {row:?}", m.kind(), m.values());
    let (x, tx, t) = (&row[0..1], &row[1..2], &row[2..3]);
    assert!(
        m.log_likelihood(x, tx, t).unwrap()[0].is_finite(),
        "{label}"
    );
    let p = m.prob_alive(x, tx, t).unwrap()[0];
    assert!((0.0..=1.0).contains(&p), "{label}: P(alive) = {p}");
    let mut last = 0.0;
    for &h in horizons {
        let e = m.expected_purchases(h, x, tx, t).unwrap()[0];
        assert!(
            e.is_finite() && e >= last * (1.0 - 1e-12),
            "{label} h={h}: {e} after {last}"
        );
        last = e;
    }
    if let Ok(d) = m.dert(0.01, x, tx, t) {
        assert!(d[0].is_finite() && d[0] >= 0.0, "{label}: DERT {}", d[0]);
    }
    let h = horizons[horizons.len() - 1];
    assert!(m.expected_purchases_new(h).unwrap().is_finite(), "{label}");
    assert!(m.prob_purchases(500, h).unwrap().is_finite(), "{label}");
}

/// Σₙ P(X(t) = n) = 1 and Σₙ n·P(X(t) = n) = E[X(t)] for a new customer,
/// and the same for the conditional distribution of each of `customers`
/// where the model has it.
fn check_pmf_at(m: &AnyModel, horizons: &[f64], customers: &[Vec<f64>]) {
    let label = format!("{:?} {:?}", m.kind(), m.values());
    for &t in horizons {
        let (sum, mean) = pmf_sums(|n| m.prob_purchases(n, t).unwrap()).unwrap();
        let e = m.expected_purchases_new(t).unwrap();
        assert!((sum - 1.0).abs() < 1e-9, "{label} t={t}: Σ P = {sum}");
        assert!(
            (mean - e).abs() < 1e-7 * e.max(1.0),
            "{label} t={t}: {mean} vs {e}"
        );
        for c in customers {
            let (x, tx, tt) = (&c[0..1], &c[1..2], &c[2..3]);
            let (sum, mean) =
                pmf_sums(|n| m.prob_purchases_conditional(n, t, x, tx, tt).unwrap()[0]).unwrap();
            let e = m.expected_purchases(t, x, tx, tt).unwrap()[0];
            assert!((sum - 1.0).abs() < 1e-9, "{label} {c:?} t={t}: Σ P = {sum}");
            assert!(
                (mean - e).abs() < 1e-8 * e.max(1.0),
                "{label} {c:?}: {mean} vs {e}"
            );
        }
    }
}

/// Every parameter must be finite, > 0 and at most 1e100 (the error names it); a fit of
/// nothing, of columns of different lengths or with a negative weight is
/// refused (naming the weights); a model reads back from its JSON as itself, and another
/// model's JSON is a `FORMAT_ERROR`.
fn check_errors_and_json(kind: ModelKind, base: &[f64]) {
    let spec = kind.spec();
    for (k, name) in spec.params.iter().enumerate() {
        // above 1e100 (check::MAX_PARAMETER) the algebra could overflow
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1.1e100, 1e308] {
            let mut v = base.to_vec();
            v[k] = bad;
            let e = AnyModel::from_values(kind, &v).unwrap_err();
            assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some(*name)), "{e}");
        }
    }
    let e = AnyModel::from_values(kind, &base[1..]).unwrap_err();
    assert_eq!(e.field(), Some("params"), "{e}");
    let o = clv::fit::FitOptions::default();
    let n = spec.inputs.len();
    let empty: Vec<&[f64]> = vec![&[]; n];
    let e = AnyModel::fit(kind, &empty, None, &o).unwrap_err();
    assert_eq!(e.code(), "EMPTY_INPUT", "{spec:?}");
    if n > 1 {
        let mut ragged: Vec<&[f64]> = vec![&[1.0]; n];
        ragged[1] = &[1.0, 1.0];
        let e = AnyModel::fit(kind, &ragged, None, &o).unwrap_err();
        assert_eq!(e.code(), "LENGTH_MISMATCH", "{spec:?}");
    }
    if spec.family != Family::Retention {
        // (an sBG fit takes one survivor curve, without weights)
        let one: Vec<&[f64]> = vec![&[1.0]; n];
        let e = AnyModel::fit(kind, &one, Some(&[-1.0]), &o).unwrap_err();
        assert_eq!(e.field(), Some("weights"), "{spec:?}");
    }

    let m = AnyModel::from_values(kind, base).unwrap();
    let back = AnyModel::from_json(&m.to_json()).unwrap();
    assert_eq!(back.kind(), kind);
    assert_eq!(back.values(), m.values());
    for &other in ModelKind::ALL.iter().filter(|&&o| o != kind) {
        let theirs = AnyModel::from_values(other, &vec![1.0; other.spec().params.len()]).unwrap();
        let e = AnyModel::from_json_as(kind, &theirs.to_json()).unwrap_err();
        assert_eq!(e.code(), "FORMAT_ERROR", "{spec:?} reading {other:?}");
    }
    for text in ["{}", "[]", ""] {
        let e = AnyModel::from_json_as(kind, text).unwrap_err();
        assert_eq!(e.code(), "FORMAT_ERROR", "{text:?}");
    }
}

#[test]
fn fixed_points_of_every_model() {
    let all = points();
    for &kind in ModelKind::ALL {
        let key = kind.spec().key;
        let p = all
            .get(key)
            .unwrap_or_else(|| panic!("{key}: no entry in tests/data/model_points.json"));
        let base: Vec<f64> = serde_json::from_value(p["base"].clone()).unwrap();
        check_errors_and_json(kind, &base);
        for theta in rows(&p["gradient"]["params"]) {
            for row in rows(&p["gradient"]["customers"]) {
                check_gradient_at(kind, &theta, &row);
            }
        }
        if kind.spec().family != Family::Transaction {
            continue;
        }
        let horizons: Vec<f64> = serde_json::from_value(p["extremes"]["horizons"].clone()).unwrap();
        for theta in rows(&p["extremes"]["params"]) {
            let m = AnyModel::from_values(kind, &theta).unwrap();
            for row in rows(&p["extremes"]["customers"]) {
                check_extremes_at(&m, &row, &horizons);
            }
        }
        let horizons: Vec<f64> = serde_json::from_value(p["pmf"]["horizons"].clone()).unwrap();
        let customers = rows(&p["pmf"]["customers"]);
        for theta in rows(&p["pmf"]["params"]) {
            check_pmf_at(
                &AnyModel::from_values(kind, &theta).unwrap(),
                &horizons,
                &customers,
            );
        }
    }
}

/// 5000 customers (more than one 4096-row chunk of the parallel sums) with
/// repeated and distinct (x, t_x, T), x = 0, t_x = T, T = 0 and a zero
/// weight, in the model's inputs (BG/BB: whole periods).
fn grouped_rows(kind: ModelKind) -> ([Vec<f64>; 3], Vec<f64>) {
    let n = 5000;
    let x: Vec<f64> = (0..n)
        .map(|i| [0.0, 1.0, 2.0, 7.0, 3.0, 30.0][i % 6])
        .collect();
    let t: Vec<f64> = (0..n)
        .map(|i| match (i, discrete(kind)) {
            (11, _) => 0.0,
            (_, true) => 30.0 + (i % 17) as f64,
            (_, false) => 0.5 + (i % 17) as f64 * 2.3,
        })
        .collect();
    let tx: Vec<f64> = (0..n)
        .map(|i| match (x[i] == 0.0 || t[i] == 0.0, i % 5) {
            (true, _) => 0.0,
            (false, 0) => t[i],
            (false, k) if discrete(kind) => (t[i] * k as f64 / 5.0).ceil().max(x[i]),
            (false, k) => t[i] * k as f64 / 5.0,
        })
        .collect();
    let x = x
        .iter()
        .zip(&tx)
        .map(|(&x, &tx)| if tx == 0.0 { 0.0 } else { x })
        .collect();
    let w = (0..n)
        .map(|i| if i == 5 { 0.0 } else { 1.0 + (i % 3) as f64 })
        .collect();
    ([x, tx, t], w)
}

#[test]
fn grouped_likelihood_equals_the_sum_over_customers() {
    // The optimisers' likelihoods group and cache terms (per distinct x, per
    // distinct row); their total and gradient must equal Σ wᵢ ln Lᵢ and
    // Σ wᵢ ∇ln Lᵢ computed customer by customer.
    let all = points();
    for &kind in ModelKind::ALL
        .iter()
        .filter(|k| k.spec().family == Family::Transaction)
    {
        let ([x, tx, t], w) = grouped_rows(kind);
        let theta = &rows(&all[kind.spec().key]["gradient"]["params"])[0];
        let m = AnyModel::from_values(kind, theta).unwrap();
        let grouped =
            AnyModel::log_likelihood_terms(kind, &[&x, &tx, &t], Some(&w), theta, false).unwrap();
        let ll = m.log_likelihood(&x, &tx, &t).unwrap();
        let (mut total, mut grad) = (0.0, vec![0.0; theta.len()]);
        for i in 0..x.len() {
            total += w[i] * ll[i];
            let row: [&[f64]; 3] = [&x[i..=i], &tx[i..=i], &t[i..=i]];
            let g = AnyModel::log_likelihood_terms(kind, &row, None, theta, false).unwrap();
            for (k, gk) in g.gradient.iter().enumerate() {
                grad[k] += w[i] * gk;
            }
        }
        assert!(
            (grouped.value - total).abs() < 1e-9 * total.abs(),
            "{kind:?}: {} vs {total}",
            grouped.value
        );
        for (k, (got, want)) in grouped.gradient.iter().zip(&grad).enumerate() {
            assert!(
                (got - want).abs() < 1e-9 * want.abs().max(1.0),
                "{kind:?} ∂/∂θ{k}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn grouped_hessian_equals_differences_of_the_gradient() {
    // Where a model has a closed-form Hessian (Newton's method, standard
    // errors), the grouped likelihood's equals central differences of its
    // analytic gradient, and is symmetric.
    let all = points();
    for &kind in ModelKind::ALL {
        let Some(points) = all[kind.spec().key].get("hessian") else {
            continue;
        };
        let ([x, tx, t], w) = grouped_rows(kind);
        let inputs: [&[f64]; 3] = [&x, &tx, &t];
        let at = |p: &[f64], h: bool| {
            AnyModel::log_likelihood_terms(kind, &inputs, Some(&w), p, h).unwrap()
        };
        for theta in rows(points) {
            let k = theta.len();
            let terms = at(&theta, true);
            let h = terms.hessian.expect("a closed-form Hessian");
            let mut fd = vec![vec![0.0; k]; k];
            for j in 0..k {
                let step = 1e-5 * theta[j];
                let (mut up, mut down) = (theta.clone(), theta.clone());
                up[j] += step;
                down[j] -= step;
                let (gu, gd) = (at(&up, false).gradient, at(&down, false).gradient);
                for i in 0..k {
                    fd[i][j] = (gu[i] - gd[i]) / (2.0 * step);
                }
            }
            for i in 0..k {
                for j in 0..k {
                    assert_eq!(
                        h[i * k + j],
                        h[j * k + i],
                        "{kind:?} {theta:?}: not symmetric"
                    );
                    let sym = 0.5 * (fd[i][j] + fd[j][i]);
                    let scale = (0..k)
                        .map(|m| fd[i][m].abs().max(fd[m][j].abs()))
                        .fold(0.0_f64, f64::max);
                    assert!(
                        (h[i * k + j] - sym).abs() <= 1e-6 * scale,
                        "{kind:?} {theta:?} H[{i}][{j}]: {} vs {sym}",
                        h[i * k + j]
                    );
                }
            }
        }
    }
}
