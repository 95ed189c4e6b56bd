//! Gamma-Gamma and CLV: shared vectors (`tests/vectors/gamma_gamma.json`)
//! and the published CDNOW fit of Fader & Hardie (2013).
#![allow(clippy::unwrap_used)]

mod common;

#[allow(unused_imports)]
use clv::ModelInfo;
use clv::fit::FitOptions;
use clv::value::{customer_lifetime_value, periods_per_month};
use clv::{BetaGeo, GammaGamma, SpendModel};

#[test]
fn vectors() {
    let v = common::vector("gamma_gamma.json");
    let p = &v["params"];
    let g = GammaGamma::from_params(
        p["p"].as_f64().unwrap(),
        p["q"].as_f64().unwrap(),
        p["v"].as_f64().unwrap(),
    )
    .unwrap();
    // FHL (2005) BG/NBD estimates for the CLV case.
    let bg = BetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap();
    for case in v["cases"].as_array().unwrap() {
        let a = &case["args"];
        let x = common::arr(a, "frequency");
        let m = common::arr(a, "monetary_value");
        let got = match case["fn"].as_str().unwrap() {
            "expected_spend" => g.expected_spend(&x, &m).unwrap(),
            "customer_lifetime_value" => {
                let spend = g.expected_spend(&x, &m).unwrap();
                customer_lifetime_value(
                    &bg,
                    &spend,
                    &x,
                    &common::arr(a, "recency"),
                    &common::arr(a, "T"),
                    u32::try_from(a["time"].as_u64().unwrap()).unwrap(),
                    a["discount_rate"].as_f64().unwrap(),
                    periods_per_month(a["freq"].as_str().unwrap()).unwrap(),
                )
                .unwrap()
            }
            other => panic!("unknown fn {other}"),
        };
        common::assert_close(&got, case);
    }
    for case in v["errors"].as_array().unwrap() {
        let a = &case["args"];
        let e = g
            .expected_spend(
                &common::arr(a, "frequency"),
                &common::arr(a, "monetary_value"),
            )
            .unwrap_err();
        assert_eq!(e.code(), case["code"].as_str().unwrap());
        assert_eq!(e.field(), case["field"].as_str());
    }
}

#[test]
fn cdnow_fit_reproduces_fader_hardie_2013() {
    let v = common::vector("gamma_gamma.json");
    let fit = &v["fits"][0];
    let c = common::columns(fit["data"].as_str().unwrap(), &["x", "zbar"]);
    // 946 repeat customers (x > 0); the 1411 others are skipped by the fit.
    assert_eq!(c[0].iter().filter(|x| **x > 0.0).count(), 946);
    let g = GammaGamma::fit(&c[0], &c[1], None, &FitOptions::default()).unwrap();
    let tol = fit["atol_params"].as_f64().unwrap();
    // Fader & Hardie (2013): p = 6.25, q = 3.74, γ = 15.44
    for (name, got) in g.params() {
        let want = fit["expected_params"][name].as_f64().unwrap();
        assert!((got - want).abs() <= tol, "{name}: {got} vs {want}");
    }
    assert_eq!(g.fit_info().unwrap().n_observations, 946.0);
}
