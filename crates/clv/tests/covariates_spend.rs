//! Spend covariates: the Gamma-Gamma model with static covariates
//! (`clv::covariates::spend`, issue 15).
#![allow(clippy::unwrap_used)]

mod common;

use common::{cdnow_spend as cdnow, rel, synthetic_covariates as synthetic};

use clv::covariates::Covariates;
use clv::covariates::spend::{SpendCovariateModel, SpendCovariateOptions, SpendLikelihood, fit};
use clv::fit::FitOptions;
use clv::models::{AnyModel, ModelInfo, ModelKind};
use clv::simulate::Rng;
use clv::{GammaGamma, SpendModel};

/// The default options with the L2 penalty λ = `penalty` on the effects.
fn penalised(penalty: f64) -> SpendCovariateOptions {
    SpendCovariateOptions {
        penalty,
        ..SpendCovariateOptions::default()
    }
}

/// At γ = 0 the likelihood is the plain Gamma-Gamma's, value and gradient
/// (CDNOW at Fader & Hardie's 2013 estimates p = 6.25, q = 3.74, v = 15.44).
#[test]
fn zero_effects_give_the_plain_likelihood() {
    let (x, m) = cdnow();
    let z = synthetic(x.len(), 3);
    let lik = SpendLikelihood::new(&x, &m, &z, None, &SpendCovariateOptions::default()).unwrap();
    let base = [6.25, 3.74, 15.44];
    let p = [base[0], base[1], base[2], 0.0, 0.0];
    let mut g = [0.0; 5];
    let ll = lik.log_likelihood(&p, &mut g);
    let plain = GammaGamma::from_params(base[0], base[1], base[2]).unwrap();
    let (xr, mr): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(&m)
        .filter(|(x, m)| **x > 0.0 && **m > 0.0)
        .map(|(x, m)| (*x, *m))
        .unzip();
    assert_eq!(xr.len(), 946); // Fader & Hardie (2013): 946 repeat customers
    let want: f64 = plain.log_likelihood(&xr, &mr).unwrap().iter().sum();
    assert!(rel(ll, want) < 1e-12, "{ll} vs {want}");
    let plain_lik = AnyModel::likelihood(ModelKind::GammaGamma, &[&x, &m], None).unwrap();
    let mut gp = [0.0; 3];
    plain_lik.value_and_gradient(&base, &mut gp);
    for j in 0..3 {
        assert!(rel(g[j], gp[j]) < 1e-10, "d{j}: {} vs {}", g[j], gp[j]);
    }
}

#[test]
fn analytic_gradient_and_hessian_match_central_differences() {
    let (x, m) = cdnow();
    let z = synthetic(x.len(), 5);
    for penalty in [0.0, 0.2] {
        let opts = penalised(penalty);
        let lik = SpendLikelihood::new(&x, &m, &z, None, &opts).unwrap();
        for p in [
            [6.25, 3.74, 15.44, 0.3, -0.2],
            [2.0, 8.0, 40.0, -0.7, 0.5],
            [12.0, 2.5, 3.0, 0.0, 1.1],
        ] {
            // the gradient, and the closed-form Hessian through the link(s)
            common::assert_derivatives(
                |q, gq| lik.penalized_log_likelihood(q, gq),
                |q, gq| lik.penalized_hessian(q, gq).unwrap(),
                &p,
                3,
                &format!("penalty {penalty} at {p:?}"),
            );
        }
    }
}

/// Without covariates the fit is the plain fit (CDNOW: lifetimes 0.11.3 and
/// Fader & Hardie 2013, p = 6.2488, q = 3.7446, v = 15.4477).
#[test]
fn no_covariates_fit_equals_the_plain_fit() {
    let (x, m) = cdnow();
    let none = Covariates::none(x.len());
    let s = fit(&x, &m, &none, None, &SpendCovariateOptions::default()).unwrap();
    let plain = AnyModel::fit(
        ModelKind::GammaGamma,
        &[&x, &m],
        None,
        &FitOptions::default(),
    )
    .unwrap();
    for (a, b) in s.base().iter().zip(plain.values()) {
        assert!(rel(*a, b) < 1e-9, "{a} vs {b}");
    }
    for (a, b) in s.base().iter().zip([6.2488, 3.7446, 15.4477]) {
        assert!((a - b).abs() < 1e-3, "{a} vs {b}");
    }
    let f = s.fit_info().unwrap();
    let pll = plain.info().fit_info().unwrap().log_likelihood;
    assert!(rel(f.info.log_likelihood, pll) < 1e-10);
    let pse = &plain.info().fit_info().unwrap().std_errors;
    for (a, b) in f.info.std_errors.iter().zip(pse) {
        assert!(rel(*a, *b) < 1e-4, "SE {a} vs {b}");
    }
    // CDNOW has repeat customers with $0 mean spend? (none: all listed are > 0)
    assert_eq!(
        f.info.left_out.as_ref().map(|l| l.indices.len()),
        plain
            .info()
            .fit_info()
            .unwrap()
            .left_out
            .as_ref()
            .map(|l| l.indices.len())
    );
}

/// Simulated customers: ν_i ~ Gamma(q, v_i) (rate v_i = v₀ e^{γᵀz}), each
/// of x_i transactions Gamma(p, ν_i) (rate ν_i), z̄_i their mean, drawn
/// independently of the likelihood's code. The effects are recovered within
/// 3 standard errors, p, q, v₀ within 3.5.
#[test]
fn simulated_effects_are_recovered_within_three_standard_errors() {
    let (p, q, v0, g1, g2) = (4.0, 3.0, 20.0, 0.6, -0.4);
    let n = 3000;
    let mut rng = Rng::new(77);
    let z = synthetic(n, 78);
    let (mut x, mut m) = (Vec::new(), Vec::new());
    for i in 0..n {
        let zi = z.row(i);
        let vi = v0 * (g1 * zi[0] + g2 * zi[1]).exp();
        let nu = rng.gamma(q) / vi;
        let xi = 1 + (rng.uniform() * 8.0) as usize;
        let total: f64 = (0..xi).map(|_| rng.gamma(p) / nu).sum();
        x.push(xi as f64);
        m.push(total / xi as f64);
    }
    let s = fit(&x, &m, &z, None, &SpendCovariateOptions::default()).unwrap();
    let se = s.std_errors().unwrap();
    let e = s.effects();
    for (name, truth) in [("z1", g1), ("z2", g2)] {
        let sd = se[&format!("spend_{name}")];
        assert!(sd > 0.0 && sd < 0.1, "{name}: {sd}");
        assert!(
            (e[name] - truth).abs() < 3.0 * sd,
            "{name}: {} ± {sd} vs {truth}",
            e[name]
        );
    }
    for (j, (name, truth)) in [("p", p), ("q", q), ("v", v0)].into_iter().enumerate() {
        assert!(
            (s.base()[j] - truth).abs() < 3.5 * se[name],
            "{name}: {} ± {} vs {truth}",
            s.base()[j],
            se[name]
        );
    }
    assert!(s.fit_info().unwrap().info.converged);
}

/// Penalties shrink the effects toward 0, monotonically in λ, and leave
/// p, q, v₀ free.
#[test]
fn penalties_shrink_effects_monotonically() {
    let (x, m) = cdnow();
    let z = synthetic(x.len(), 11);
    let mut last = f64::INFINITY;
    for penalty in [0.0, 0.01, 0.1, 1.0] {
        let s = fit(&x, &m, &z, None, &penalised(penalty)).unwrap();
        let norm = common::sum_of_squares(s.effects().values()).sqrt();
        assert!(norm <= last + 1e-12, "penalty {penalty}: {norm} > {last}");
        last = norm;
        let f = s.fit_info().unwrap();
        if penalty > 0.0 {
            assert!(f.penalized_log_likelihood < f.info.log_likelihood);
        }
    }
    assert!(last < 0.05, "{last}");
}

/// CLVTools' apparel data: mean spend per transaction by Gender and
/// Channel, weekly summary split 40 weeks after 2005-01-02 (as the
/// transaction-model covariate tests). Figures pinned as regression values
/// (docs/covariates.md); the model nests the plain fit, fitted here too.
#[test]
fn apparel_spend_by_gender_and_channel() {
    let (s, z) = common::apparel();
    let mv = s.monetary_value.as_ref().unwrap();
    let model = fit(
        &s.frequency,
        mv,
        &z,
        None,
        &SpendCovariateOptions::default(),
    )
    .unwrap();
    let f = model.fit_info().unwrap();
    let plain = AnyModel::fit(
        ModelKind::GammaGamma,
        &[&s.frequency, mv],
        None,
        &FitOptions::default(),
    )
    .unwrap();
    let pll = plain.info().fit_info().unwrap().log_likelihood;
    // regression figures (this crate, 2026-12): 293 repeat customers;
    // neither Gender nor Channel moves the spend per transaction much
    assert_eq!(f.info.n_observations, 293.0);
    assert!((f.info.log_likelihood - (-1275.9439)).abs() < 1e-3);
    assert!((pll - (-1276.7275)).abs() < 1e-3);
    let (e, se) = (model.effects(), model.std_errors().unwrap());
    assert!((e["Gender"] - 0.0916).abs() < 1e-3, "{e:?}");
    assert!((e["Channel"] - 0.0393).abs() < 1e-3, "{e:?}");
    assert!((se["spend_Gender"] - 0.0779).abs() < 1e-3, "{se:?}");
    assert!((model.base()[0] - 3.6533).abs() < 1e-3);
    assert!(f.info.log_likelihood >= pll - 1e-9);
    let ll_i: f64 = {
        let (xr, mr, zr): (Vec<f64>, Vec<f64>, Vec<usize>) = {
            let mut v = (Vec::new(), Vec::new(), Vec::new());
            for (i, (&xi, &mi)) in s.frequency.iter().zip(mv).enumerate() {
                if xi > 0.0 && mi > 0.0 {
                    v.0.push(xi);
                    v.1.push(mi);
                    v.2.push(i);
                }
            }
            v
        };
        model
            .log_likelihood(&xr, &mr, &z.select(&zr))
            .unwrap()
            .iter()
            .sum()
    };
    assert!(rel(ll_i, f.info.log_likelihood) < 1e-12);
}

/// Predictions are the plain model's at each customer's (p, q, v_i), the
/// link written out; errors are typed and name the row; JSON round-trips
/// with the checks of `from_params`.
#[test]
fn predictions_errors_and_json() {
    let m = SpendCovariateModel::from_params([6.25, 3.74, 15.44], &[("z1", 0.4), ("z2", -0.3)])
        .unwrap();
    let z = synthetic(6, 9);
    let x = [0.0, 1.0, 2.0, 5.0, 3.0, 1.0];
    let zbar = [0.0, 20.0, 35.5, 12.0, 0.0, 80.0];
    let e = m.expected_spend(&x, &zbar, &z).unwrap();
    for i in 0..6 {
        let r = z.row(i);
        let vi = 15.44 * (0.4 * r[0] - 0.3 * r[1]).exp();
        let plain = GammaGamma::from_params(6.25, 3.74, vi).unwrap();
        let want = plain.expected_spend(&x[i..=i], &zbar[i..=i]).unwrap()[0];
        assert!(rel(e[i], want) < 1e-14, "{i}: {} vs {want}", e[i]);
    }
    // a customer without repeat spend gets the mean of their covariate cell
    let r0 = z.row(0);
    let mean0 = 6.25 * 15.44 * (0.4 * r0[0] - 0.3 * r0[1]).exp() / 2.74;
    assert!(rel(e[0], mean0) < 1e-14);
    // log-likelihood: outside the density is an error naming the row
    let err = m.log_likelihood(&x, &zbar, &z).unwrap_err();
    assert_eq!(
        (err.code(), err.field()),
        ("INVALID_INPUT", Some("frequency"))
    );
    assert!(err.to_string().contains("[0]"), "{err}");
    let err = m
        .log_likelihood(&x[1..], &zbar[1..], &z.select(&[1, 2, 3, 4, 5]))
        .unwrap_err();
    assert!(
        err.to_string().starts_with("invalid monetary_value[3]"),
        "{err}"
    );
    // other covariates than the model's; lengths
    let other = Covariates::new(&["z2", "z1"], &vec![vec![0.0, 1.0]; 6]).unwrap();
    let err = m.expected_spend(&x, &zbar, &other).unwrap_err();
    assert_eq!(err.field(), Some("spend_covariates"));
    let err = m.expected_spend(&x[..5], &zbar[..5], &z).unwrap_err();
    assert_eq!(err.code(), "LENGTH_MISMATCH");
    // fit errors
    let (cx, cm) = cdnow();
    let constant = Covariates::new(&["c"], &vec![vec![1.0]; cx.len()]).unwrap();
    let err = fit(&cx, &cm, &constant, None, &SpendCovariateOptions::default()).unwrap_err();
    assert_eq!(err.field(), Some("spend_covariates.c"));
    let err = fit(&cx, &cm, &z, None, &SpendCovariateOptions::default()).unwrap_err();
    assert_eq!(
        (err.code(), err.field()),
        ("LENGTH_MISMATCH", Some("spend_covariates"))
    );
    let bad = penalised(-1.0);
    let zz = synthetic(cx.len(), 1);
    assert_eq!(
        fit(&cx, &cm, &zz, None, &bad).unwrap_err().field(),
        Some("penalty")
    );
    let err = fit(&[0.0, 0.0], &[0.0, 0.0], &synthetic(2, 1), None, &bad);
    assert!(err.is_err());
    let err = SpendCovariateModel::from_params([6.25, -1.0, 15.44], &[]).unwrap_err();
    assert_eq!(err.field(), Some("q"));
    let err = SpendCovariateModel::from_params([6.25, 3.0, 15.44], &[("a", f64::NAN)]).unwrap_err();
    assert_eq!(err.field(), Some("spend_a"));
    // spend covariates are the Gamma-Gamma model's
    clv::covariates::spend::check_model(ModelKind::GammaGamma).unwrap();
    let err = clv::covariates::spend::check_model(ModelKind::ParetoNbd).unwrap_err();
    assert_eq!(
        (err.code(), err.field()),
        ("NOT_SUPPORTED", Some("spend_covariates"))
    );
    // JSON
    let text = m.to_json().unwrap();
    assert!(text.contains("\"format_version\":1"));
    assert_eq!(SpendCovariateModel::from_json(&text).unwrap(), m);
    let err = SpendCovariateModel::from_json(&text.replace("15.44", "-15.44")).unwrap_err();
    assert_eq!(err.field(), Some("v"));
    let err = SpendCovariateModel::from_json(&text.replace("[0.4,-0.3]", "[0.4]")).unwrap_err();
    assert_eq!(err.field(), Some("json"));
    let err = SpendCovariateModel::from_json("{").unwrap_err();
    assert_eq!(err.field(), Some("json"));
}
