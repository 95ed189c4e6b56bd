//! Property tests of the BG/NBD and MBG/NBD predictions over random
//! parameters and customers.
#![allow(clippy::unwrap_used)]

use clv::{BetaGeo, ModifiedBetaGeo, TransactionModel};
use proptest::prelude::*;

fn models(r: f64, alpha: f64, a: f64, b: f64) -> Vec<Box<dyn TransactionModel>> {
    vec![
        Box::new(BetaGeo::from_params(r, alpha, a, b).unwrap()),
        Box::new(ModifiedBetaGeo::from_params(r, alpha, a, b).unwrap()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn pmf_sums_to_one_with_mean_e_x(
        r in 0.1f64..3.0, alpha in 0.5f64..20.0, a in 0.3f64..3.0, b in 0.5f64..5.0, t in 0.1f64..60.0,
    ) {
        for m in models(r, alpha, a, b) {
            let (mut s, mut mean) = (0.0, 0.0);
            let mut n = 0u32;
            // stop once the remaining tail is negligible (P(X ≥ n) ≤ 1 − Σ)
            while n < 20_000 && (1.0 - s > 1e-13 || n < 10) {
                let p = m.prob_purchases(n, t).unwrap();
                prop_assert!((0.0..=1.0).contains(&p));
                s += p;
                mean += f64::from(n) * p;
                n += 1;
            }
            prop_assert!((s - 1.0).abs() < 1e-9, "{} sum {}", m.name(), s);
            let e = m.expected_purchases_new(t).unwrap();
            prop_assert!((mean - e).abs() < 1e-6 * e.max(1.0), "{} {} vs {}", m.name(), mean, e);
        }
    }

    #[test]
    fn monotone_and_bounded(
        r in 0.1f64..3.0, alpha in 0.5f64..20.0, a in 0.3f64..3.0, b in 0.5f64..5.0,
        x in 1u32..50, frac in 0.01f64..0.99, tt in 1.0f64..100.0, h in 0.1f64..50.0,
    ) {
        let x = f64::from(x);
        let tx = frac * tt;
        for m in models(r, alpha, a, b) {
            let p = m.prob_alive(&[x, x], &[tx, (tx + 0.1 * (tt - tx)).min(tt)], &[tt, tt]).unwrap();
            prop_assert!(p.iter().all(|v| (0.0..=1.0).contains(v)));
            // P(alive) rises with recency
            prop_assert!(p[1] >= p[0] - 1e-12, "{} {:?}", m.name(), p);
            // expected purchases grow with the horizon
            let e1 = m.expected_purchases(h, &[x], &[tx], &[tt]).unwrap()[0];
            let e2 = m.expected_purchases(2.0 * h, &[x], &[tx], &[tt]).unwrap()[0];
            prop_assert!(e1 >= 0.0 && e2 >= e1 - 1e-12, "{} {} {}", m.name(), e1, e2);
        }
    }
}
