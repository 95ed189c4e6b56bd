//! Retention covariates: the shifted-beta-geometric model with static
//! covariates (`clv::covariates::retention`, issue 15).
#![allow(clippy::unwrap_used)]

mod common;

use common::{rel, synthetic_covariates as synthetic};

use clv::covariates::Covariates;
use clv::covariates::retention::{
    RetentionCovariateModel, RetentionCovariateOptions, RetentionLikelihood, fit,
};
use clv::fit::FitOptions;
use clv::models::{AnyModel, ModelKind};
use clv::simulate::Rng;
use clv::{Model, ModelInfo, ShiftedBetaGeo};

/// Fader & Hardie (2007) "regular" segment, years 0-7 (as in
/// `models::sbg`'s tests; published α = 0.704, β = 1.182, LL = −1680.27).
const REGULAR: [f64; 8] = [1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0];

/// The cohort as 1000 customers: `s[t−1] − s[t]` churned in period t, the
/// last count still active after 7 periods.
fn individuals(s: &[f64]) -> (Vec<f64>, Vec<bool>) {
    let (mut periods, mut churned) = (vec![], vec![]);
    for t in 1..s.len() {
        for _ in 0..(s[t - 1] - s[t]) as usize {
            periods.push(t as f64);
            churned.push(true);
        }
    }
    let k = (s.len() - 1) as f64;
    for _ in 0..s[s.len() - 1] as usize {
        periods.push(k);
        churned.push(false);
    }
    (periods, churned)
}

/// The default options with the L2 penalty λ = `penalty` on the effects.
fn penalised(penalty: f64) -> RetentionCovariateOptions {
    RetentionCovariateOptions {
        penalty,
        ..RetentionCovariateOptions::default()
    }
}

fn tight() -> FitOptions {
    FitOptions {
        gradient_tolerance: 1e-10,
        ..FitOptions::default()
    }
}

/// At γ = 0 the per-customer likelihood of the expanded cohort is the
/// cohort likelihood (FH 2007 eq. 5), value and gradient.
#[test]
fn zero_effects_give_the_cohort_likelihood() {
    let (periods, churned) = individuals(&REGULAR);
    assert_eq!(periods.len(), 1000);
    assert_eq!(churned.iter().filter(|c| !**c).count(), 241);
    let plain = ShiftedBetaGeo::from_params(0.704, 1.182).unwrap();
    let cohort = plain.log_likelihood(&REGULAR).unwrap();
    assert!((cohort - (-1680.27)).abs() < 5e-3, "{cohort}");
    // the model's per-customer log-likelihood, with two covariates at γ = 0
    let z = synthetic(1000, 7);
    let m =
        RetentionCovariateModel::from_params([0.704, 1.182], &[("z1", 0.0, 0.0), ("z2", 0.0, 0.0)])
            .unwrap();
    let per: f64 = m
        .log_likelihood(&periods, &churned, &z)
        .unwrap()
        .iter()
        .sum();
    assert!((per - cohort).abs() < 1e-9, "{per} vs {cohort}");
    // the fit's likelihood and its gradient in (α, β)
    let lik = RetentionLikelihood::new(
        &periods,
        &churned,
        &z,
        None,
        &RetentionCovariateOptions::default(),
    )
    .unwrap();
    let mut g = [0.0; 6];
    let ll = lik.log_likelihood(&[0.704, 1.182, 0.0, 0.0, 0.0, 0.0], &mut g);
    assert!((ll - cohort).abs() < 1e-9, "{ll} vs {cohort}");
    let plain_lik = AnyModel::likelihood(ModelKind::Sbg, &[&REGULAR], None).unwrap();
    let mut gp = [0.0; 2];
    plain_lik.value_and_gradient(&[0.704, 1.182], &mut gp);
    for j in 0..2 {
        assert!(rel(g[j], gp[j]) < 1e-9, "d{j}: {} vs {}", g[j], gp[j]);
    }
}

/// Without covariates the fit on the 1000 customers is the cohort fit.
#[test]
fn no_covariates_fit_equals_the_cohort_fit() {
    let (periods, churned) = individuals(&REGULAR);
    let plain = ShiftedBetaGeo::fit(&[&REGULAR], None, &tight()).unwrap();
    // the sum over 1000 rows carries more rounding than the cohort's 8
    // terms: a gradient tolerance of 1e-8 (that of the cohort fit 1e-10)
    let opts = RetentionCovariateOptions {
        penalty: 0.0,
        fit: FitOptions {
            gradient_tolerance: 1e-8,
            ..FitOptions::default()
        },
    };
    let m = fit(&periods, &churned, &Covariates::none(1000), None, &opts).unwrap();
    let [a, b] = m.base();
    eprintln!(
        "individual fit alpha = {a}, beta = {b}; cohort fit alpha = {}, beta = {}",
        plain.alpha(),
        plain.beta()
    );
    assert!((a - plain.alpha()).abs() < 1e-6, "{a} vs {}", plain.alpha());
    assert!((b - plain.beta()).abs() < 1e-6, "{b} vs {}", plain.beta());
    // FH (2007): 0.704, 1.182, −1680.27
    assert!((a - 0.704).abs() < 5e-4 && (b - 1.182).abs() < 5e-4);
    let info = &m.fit_info().unwrap().info;
    let pinfo = plain.fit_info().unwrap();
    assert!((info.log_likelihood - pinfo.log_likelihood).abs() < 1e-8);
    assert!((info.log_likelihood - (-1680.27)).abs() < 5e-3);
    for j in 0..2 {
        assert!(
            rel(info.std_errors[j], pinfo.std_errors[j]) < 1e-4,
            "SE {j}: {} vs {}",
            info.std_errors[j],
            pinfo.std_errors[j]
        );
    }
    // weights: the seven distinct rows, weighted by their counts
    let reps: Vec<f64> = (1..=7).map(f64::from).chain([7.0]).collect();
    let flags = [true, true, true, true, true, true, true, false];
    let w: Vec<f64> = (1..8)
        .map(|t| REGULAR[t - 1] - REGULAR[t])
        .chain([241.0])
        .collect();
    let mw = fit(&reps, &flags, &Covariates::none(8), Some(&w), &opts).unwrap();
    assert!((mw.base()[0] - a).abs() < 1e-6 && (mw.base()[1] - b).abs() < 1e-6);
}

#[test]
fn analytic_gradient_and_hessian_match_central_differences() {
    let (periods, churned) = individuals(&REGULAR);
    let z = synthetic(periods.len(), 5);
    for penalty in [0.0, 0.2] {
        let opts = penalised(penalty);
        let lik = RetentionLikelihood::new(&periods, &churned, &z, None, &opts).unwrap();
        assert_eq!(
            lik.param_names(),
            [
                "alpha", "beta", "alpha_z1", "alpha_z2", "beta_z1", "beta_z2"
            ]
        );
        for p in [
            [0.704, 1.182, 0.3, -0.2, -0.4, 0.5],
            [2.0, 0.6, -0.7, 0.9, 0.25, -1.1],
            [0.15, 6.0, 1.2, 0.0, 0.8, 0.3],
        ] {
            // the gradient, and the closed-form Hessian through the link(s)
            common::assert_derivatives(
                |q, gq| lik.penalized_log_likelihood(q, gq),
                |q, gq| lik.penalized_hessian(q, gq).unwrap(),
                &p,
                2,
                &format!("penalty {penalty} at {p:?}"),
            );
        }
    }
}

/// Customers drawn from the model: θ_i ~ Beta(α_i, β_i), churn period
/// geometric in θ_i, censored at a horizon of 3-12 periods.
fn simulate(
    n: usize,
    base: [f64; 2],
    ga: [f64; 2],
    gb: [f64; 2],
    seed: u64,
) -> (Vec<f64>, Vec<bool>, Covariates) {
    let z = synthetic(n, seed);
    let mut rng = Rng::new(seed ^ 0xABCD);
    let (mut periods, mut churned) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let r = z.row(i);
        let ai = base[0] * (-(ga[0] * r[0] + ga[1] * r[1])).exp();
        let bi = base[1] * (-(gb[0] * r[0] + gb[1] * r[1])).exp();
        let theta = rng.beta(ai, bi);
        let horizon = 3 + (rng.uniform() * 10.0) as u32;
        let mut t = 1;
        loop {
            if rng.uniform() < theta {
                periods.push(f64::from(t));
                churned.push(true);
                break;
            }
            if t == horizon {
                periods.push(f64::from(t));
                churned.push(false);
                break;
            }
            t += 1;
        }
    }
    (periods, churned, z)
}

/// The unweighted fit with the default options.
fn fit_default(
    periods: &[f64],
    churned: &[bool],
    z: &Covariates,
) -> clv::Result<RetentionCovariateModel> {
    fit(
        periods,
        churned,
        z,
        None,
        &RetentionCovariateOptions::default(),
    )
}

#[test]
fn simulated_effects_are_recovered_within_three_standard_errors() {
    let truth = [0.8, 2.5, 0.6, -0.4, -0.5, 0.3];
    let (periods, churned, z) = simulate(
        3000,
        [truth[0], truth[1]],
        [truth[2], truth[3]],
        [truth[4], truth[5]],
        2024,
    );
    let m = fit_default(&periods, &churned, &z).unwrap();
    let f = m.fit_info().unwrap();
    let se = &f.info.std_errors;
    let est: Vec<f64> = m
        .base()
        .into_iter()
        .chain(m.alpha_effects().values().copied())
        .chain(m.beta_effects().values().copied())
        .collect();
    let mut report = String::new();
    for j in 0..6 {
        report += &format!(
            "{} = {:.4} (SE {:.4}, truth {})\n",
            f.param_names[j], est[j], se[j], truth[j]
        );
    }
    eprintln!("{report}");
    for j in 0..6 {
        assert!(se[j].is_finite() && se[j] > 0.0, "{report}");
        assert!((est[j] - truth[j]).abs() < 3.0 * se[j], "{report}");
    }
    // 95% intervals: log-scale for α₀, β₀, γ ± 1.96 SE for the effects
    let (lo, hi) = f.info.ci_95[2];
    assert!((hi - lo - 2.0 * 1.959_963_984_540_054 * se[2]).abs() < 1e-12);
    assert!(f.info.converged);
    assert_eq!(f.info.n_observations, 3000.0);
}

#[test]
fn penalties_shrink_effects_monotonically() {
    let (periods, churned, z) = simulate(1500, [0.8, 2.5], [0.6, -0.4], [-0.5, 0.3], 11);
    let (mut last, mut first) = (f64::INFINITY, f64::NAN);
    for penalty in [0.0, 0.001, 0.01, 0.1, 1.0] {
        let m = fit(&periods, &churned, &z, None, &penalised(penalty)).unwrap();
        let norm =
            common::sum_of_squares(m.alpha_effects().values().chain(m.beta_effects().values()));
        eprintln!("penalty {penalty}: sum of squared effects {norm:.6}");
        assert!(norm < last, "penalty {penalty}: {norm} >= {last}");
        last = norm;
        if penalty == 0.0 {
            first = norm;
        }
        assert_eq!(m.penalty(), penalty);
        let f = m.fit_info().unwrap();
        if penalty > 0.0 {
            assert!(f.penalized_log_likelihood < f.info.log_likelihood);
        } else {
            assert_eq!(f.penalized_log_likelihood, f.info.log_likelihood);
        }
    }
    // λ = 1 leaves under 1% of the unpenalised Σγ²
    assert!(last < 0.01 * first, "{last} vs {first}");
}

#[test]
fn predictions_are_the_plain_model_at_each_customers_parameters() {
    let m = RetentionCovariateModel::from_params(
        [0.704, 1.182],
        &[("z1", 0.5, -0.2), ("z2", -0.3, 0.4)],
    )
    .unwrap();
    let z = synthetic(6, 9);
    let params = m.customer_params(&z).unwrap();
    let s = m.survival(3.0, &z).unwrap();
    let r = m.retention(2.0, &z).unwrap();
    let p = m.prob_churn(4.0, &z).unwrap();
    let renewals = [0.0, 1.0, 2.0, 3.0, 4.0, 10.0];
    let d = m.dert(0.1, &renewals, &z).unwrap();
    let del = m.discounted_expected_lifetime(0.1, &z).unwrap();
    for i in 0..6 {
        let row = z.row(i);
        let ai = 0.704 * (-(0.5 * row[0] - 0.3 * row[1])).exp();
        let bi = 1.182 * (-(-0.2 * row[0] + 0.4 * row[1])).exp();
        assert!(rel(params[i][0], ai) < 1e-15 && rel(params[i][1], bi) < 1e-15);
        let plain = ShiftedBetaGeo::from_params(ai, bi).unwrap();
        assert!(rel(s[i], plain.survival(3.0).unwrap()) < 1e-14);
        assert!(rel(r[i], (bi + 1.0) / (ai + bi + 1.0)) < 1e-14);
        assert!(rel(p[i], plain.prob_churn(4.0).unwrap()) < 1e-14);
        assert!(rel(d[i], plain.dert(0.1, renewals[i]).unwrap()) < 1e-14);
        assert!(rel(del[i], plain.discounted_expected_lifetime(0.1).unwrap()) < 1e-14);
    }
    assert_eq!(
        m.to_string(),
        "sBG with covariates(alpha=0.7040, beta=1.1820; alpha [z1=0.5000, z2=-0.3000], \
         beta [z1=-0.2000, z2=0.4000])"
    );
    assert_eq!(m.name(), RetentionCovariateModel::NAME);
    assert!(m.fit_info().is_none() && m.std_errors().is_none());
}

#[test]
fn typed_errors_name_the_field_row_and_value() {
    let o = RetentionCovariateOptions::default();
    let z3 = synthetic(3, 1);
    // periods: a whole number >= 1
    for (bad, shown) in [(1.5, "1.5"), (0.0, "0"), (f64::NAN, "NaN"), (-2.0, "-2")] {
        let e = fit(&[3.0, bad, 2.0], &[true, false, true], &z3, None, &o).unwrap_err();
        assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("periods")));
        assert!(
            e.to_string()
                .starts_with(&format!("invalid periods[1]: {shown} ")),
            "{e}"
        );
    }
    // lengths
    let e = fit(&[3.0, 1.0, 2.0], &[true, false], &z3, None, &o).unwrap_err();
    assert_eq!(
        e.to_string(),
        "length mismatch: churned has 2 elements but periods has 3"
    );
    let e = fit(&[3.0, 1.0], &[true, false], &z3, None, &o).unwrap_err();
    assert_eq!(
        e.to_string(),
        "length mismatch: dropout_covariates has 3 elements but periods has 2"
    );
    let e = fit(
        &[3.0, 1.0, 2.0],
        &[true, false, true],
        &z3,
        Some(&[1.0]),
        &o,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "length mismatch: weights has 1 elements but periods has 3"
    );
    let e = fit(&[], &[], &Covariates::none(0), None, &o).unwrap_err();
    assert_eq!(e.code(), "EMPTY_INPUT");
    // non-finite covariates are refused when the set is built, with the row
    let e = Covariates::new(&["z1"], &[vec![0.0], vec![f64::INFINITY]]).unwrap_err();
    assert_eq!(e.field(), Some("covariates.z1"));
    assert!(
        e.to_string().starts_with("invalid covariates.z1[1]: inf"),
        "{e}"
    );
    // a constant column is not identified
    let (periods, churned) = individuals(&REGULAR);
    let constant = Covariates::new(&["c"], &vec![vec![1.0]; 1000]).unwrap();
    let e = fit(&periods, &churned, &constant, None, &o).unwrap_err();
    assert_eq!(e.field(), Some("dropout_covariates.c"));
    assert!(e.to_string().contains("constant 1"), "{e}");
    // ... constant among the customers with a positive weight
    let mut rows = vec![vec![1.0]; 1000];
    rows[0] = vec![2.0];
    let mut w = vec![1.0; 1000];
    w[0] = 0.0;
    let almost = Covariates::new(&["c"], &rows).unwrap();
    let e = fit(&periods, &churned, &almost, Some(&w), &o).unwrap_err();
    assert_eq!(e.field(), Some("dropout_covariates.c"));
    // penalties
    let bad = penalised(-1.0);
    let z = synthetic(1000, 3);
    assert_eq!(
        fit(&periods, &churned, &z, None, &bad).unwrap_err().field(),
        Some("penalty")
    );
    let bad = RetentionCovariateOptions {
        penalty: 0.0,
        fit: FitOptions {
            penalty: 0.1,
            ..FitOptions::default()
        },
    };
    assert_eq!(
        fit(&periods, &churned, &z, None, &bad).unwrap_err().field(),
        Some("penalty")
    );
    // nobody churns: α₀ → 0 is not identified
    let e = fit_default(&[5.0; 50], &[false; 50], &Covariates::none(50)).unwrap_err();
    eprintln!("nobody churns: {e}");
    assert!(
        ["NOT_IDENTIFIED", "NOT_CONVERGED"].contains(&e.code()),
        "{e}"
    );
    // parameters and predictions
    let e = RetentionCovariateModel::from_params([0.0, 1.0], &[]).unwrap_err();
    assert_eq!(e.field(), Some("alpha"));
    let e = RetentionCovariateModel::from_params([1.0, 1.0], &[("a", 0.0, f64::NAN)]).unwrap_err();
    assert_eq!(e.field(), Some("beta_a"));
    let e = RetentionCovariateModel::from_params([1.0, 1.0], &[("a", 0.0, 0.0), ("a", 1.0, 1.0)])
        .unwrap_err();
    assert_eq!(e.field(), Some("covariate names"));
    let m = RetentionCovariateModel::from_params([0.7, 1.2], &[("z1", 0.1, 0.2), ("z2", 0.0, 0.3)])
        .unwrap();
    let other = Covariates::new(&["z2", "z1"], &vec![vec![0.0, 1.0]; 3]).unwrap();
    assert_eq!(
        m.survival(1.0, &other).unwrap_err().field(),
        Some("dropout_covariates")
    );
    assert_eq!(m.survival(1.5, &z3).unwrap_err().field(), Some("t"));
    assert_eq!(m.retention(0.0, &z3).unwrap_err().field(), Some("t"));
    let e = m.dert(0.1, &[0.0, -1.0, 2.0], &z3).unwrap_err();
    assert!(e.to_string().starts_with("invalid renewals[1]: -1"), "{e}");
    assert_eq!(
        m.dert(0.0, &[0.0; 3], &z3).unwrap_err().field(),
        Some("discount")
    );
    assert_eq!(
        m.dert(0.1, &[0.0; 2], &z3).unwrap_err().code(),
        "LENGTH_MISMATCH"
    );
    let huge = Covariates::new(&["z1", "z2"], &[vec![0.0, 0.0], vec![-5000.0, 0.0]]).unwrap();
    let e = m.customer_params(&huge).unwrap_err();
    assert_eq!(e.field(), Some("dropout_covariates"));
    assert!(
        e.to_string().starts_with("invalid dropout_covariates[1]"),
        "{e}"
    );
}

#[test]
fn json_round_trip() {
    let (periods, churned, z) = simulate(800, [0.8, 2.5], [0.6, -0.4], [-0.5, 0.3], 5);
    let m = fit_default(&periods, &churned, &z).unwrap();
    let text = m.to_json().unwrap();
    assert!(text.contains("\"format_version\":1"), "{text}");
    let back = RetentionCovariateModel::from_json(&text).unwrap();
    // serde_json parses floats to within 1 ulp
    for (x, y) in back.base().iter().zip(m.base()) {
        assert!(rel(*x, y) < 1e-15);
    }
    for (x, y) in back
        .alpha_effects()
        .values()
        .zip(m.alpha_effects().values())
    {
        assert!((x - y).abs() < 1e-15 * y.abs().max(1.0));
    }
    for (x, y) in back.beta_effects().values().zip(m.beta_effects().values()) {
        assert!((x - y).abs() < 1e-15 * y.abs().max(1.0));
    }
    assert_eq!(back.covariate_names(), m.covariate_names());
    assert_eq!(back.std_errors().unwrap().len(), 6);
    assert_eq!(back.to_string(), m.to_string());
    assert_eq!(
        RetentionCovariateModel::from_json("{").unwrap_err().field(),
        Some("json")
    );
    let v2 = text.replace("\"format_version\":1", "\"format_version\":2");
    assert_eq!(
        RetentionCovariateModel::from_json(&v2).unwrap_err().field(),
        Some("format_version")
    );
    let g = m.alpha_effects()["z1"];
    let fewer = text.replacen(
        &format!("\"alpha_effects\":[{g},"),
        "\"alpha_effects\":[",
        1,
    );
    assert_ne!(fewer, text);
    assert_eq!(
        RetentionCovariateModel::from_json(&fewer)
            .unwrap_err()
            .field(),
        Some("json")
    );
    let bad = text.replacen("\"base\":[", "\"base\":[-", 1);
    assert_eq!(
        RetentionCovariateModel::from_json(&bad)
            .unwrap_err()
            .field(),
        Some("alpha")
    );
}
