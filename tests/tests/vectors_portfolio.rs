//! Portfolio measures: shared vectors (`tests/vectors/portfolio.json`, written
//! by `tests/vectors/gen_portfolio_uplift_refs.py` from an independent numpy
//! computation: stable sort, cumulative sums, the O(n²) Gini definition).
#![allow(clippy::unwrap_used)]

mod structured;

#[allow(unused_imports)]
use clv::ModelInfo;
use clv::portfolio::{
    TierMethod, offer_ceiling, revenue_at_risk, risk_ranking, value_tiers, whale_curve,
};
use serde_json::{Value, to_value};
use structured::{arr, num};

fn run(case: &Value) -> clv::Result<Value> {
    let a = &case["args"];
    Ok(match case["fn"].as_str().unwrap() {
        "whale_curve" => to_value(whale_curve(&arr(a, "values"))?),
        "value_tiers" => {
            let method = match a["method"].as_str().unwrap() {
                "cumulative_share" => TierMethod::CumulativeShare,
                "quantile" => TierMethod::Quantile,
                other => panic!("unknown method {other}"),
            };
            to_value(value_tiers(&arr(a, "values"), &arr(a, "cuts"), method)?)
        }
        "revenue_at_risk" => to_value(revenue_at_risk(&arr(a, "values"), &arr(a, "p_alive"))?),
        "risk_ranking" => to_value(risk_ranking(&arr(a, "values"), &arr(a, "p_alive"))?),
        "offer_ceiling" => to_value(offer_ceiling(
            &arr(a, "clv"),
            &arr(a, "p_alive"),
            num(a, "success_rate"),
        )?),
        other => panic!("unknown fn {other}"),
    }
    .unwrap())
}

#[test]
fn vectors() {
    let v = structured::vector("portfolio.json");
    let (cases, errors) = structured::check(&v, run);
    assert!(cases >= 17 && errors >= 10, "{cases} {errors}");
}
