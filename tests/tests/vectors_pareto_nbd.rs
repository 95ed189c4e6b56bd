//! Pareto/NBD: shared vectors (`tests/vectors/pareto_nbd.json`, written by
//! `tests/vectors/gen_lifetimes_refs_models_b.py`) and the published CDNOW fit
//! (Fader & Hardie's Pareto/NBD notes; DESIGN.md table).
#![allow(clippy::unwrap_used)]

mod common;

#[allow(unused_imports)]
use clv::ModelInfo;
use clv::ParetoNbd;
use clv::fit::FitOptions;
use clv::models::TransactionModel;
use serde_json::Value;

fn published(v: &Value) -> ParetoNbd {
    let g = |k: &str| v["params"][k].as_f64().unwrap();
    ParetoNbd::from_params(g("r"), g("alpha"), g("s"), g("beta")).unwrap()
}

fn run(m: &ParetoNbd, case: &Value) -> clv::Result<Vec<f64>> {
    let a = &case["args"];
    match case["fn"].as_str().unwrap() {
        "prob_purchases_conditional" => {
            let (x, tx, t) = common::customers(a);
            m.prob_purchases_conditional(common::count(a), common::num(a, "t"), &x, &tx, &t)
        }
        "dert" => {
            let (x, tx, t) = common::customers(a);
            m.dert(common::num(a, "delta"), &x, &tx, &t)
        }
        _ => common::run_transaction(m, case),
    }
}

#[test]
fn vectors() {
    let v = common::vector("pareto_nbd.json");
    let m = published(&v);
    let (cases, errors) = common::check_vectors(&v, |c| run(&m, c));
    assert!(cases >= 40 && errors >= 8, "{cases} {errors}");
}

#[test]
fn cdnow_published_fit() {
    let v = common::vector("pareto_nbd.json");
    let fit = &v["fits"][0];
    let c = common::columns(
        fit["data"].as_str().unwrap(),
        &["frequency", "recency", "T"],
    );
    let (x, tx, t) = (&c[0], &c[1], &c[2]);
    assert_eq!(x.len(), 2357);
    let m = ParetoNbd::fit(x, tx, t, None, &FitOptions::default()).unwrap();
    let info = m.fit_info().unwrap();
    // Published: r = 0.553, α = 10.578, s = 0.606, β = 11.669, LL = −9595.0
    // (Fader & Hardie, Pareto/NBD notes; DESIGN.md).
    // β: the likelihood is flat in β (SE ≈ 6.2); our MLE is β = 11.6680 (11.6679
    // with gradient_tolerance 1e-8), one unit of the third decimal below the published
    // 11.669, and it has a *higher* log-likelihood than the published point (asserted
    // below), so the published value is the less converged one: atol_by_param.beta.
    for (name, got) in m.params() {
        let want = fit["expected_params"][name].as_f64().unwrap();
        let tol = fit["atol_by_param"][name]
            .as_f64()
            .unwrap_or_else(|| fit["atol_params"].as_f64().unwrap());
        assert!((got - want).abs() <= tol, "{name}: {got} vs {want}");
    }
    let ll = fit["expected_log_likelihood"].as_f64().unwrap();
    assert!(
        (info.log_likelihood - ll).abs() < fit["atol_ll"].as_f64().unwrap(),
        "LL = {}",
        info.log_likelihood
    );
    // The per-customer log-likelihoods add up to the fitted total.
    let total: f64 = m.log_likelihood(x, tx, t).unwrap().iter().sum();
    assert!((total - info.log_likelihood).abs() < 1e-8);
    let ll_pub: f64 = published(&v).log_likelihood(x, tx, t).unwrap().iter().sum();
    assert!(
        ll_pub <= info.log_likelihood + 1e-9,
        "{ll_pub} vs {}",
        info.log_likelihood
    );
}
