//! Probabilistic customer-base models ("buy till you die") and spend models.
//!
//! Every transaction model implements [`TransactionModel`] and every spend
//! model [`SpendModel`]; one file per model holds its likelihood, its
//! predictions and the paper they come from. Fitting goes through
//! [`crate::fit::maximize`].
//!
//! ## Customer inputs
//!
//! Per customer, in the time unit of the summary (a model never guesses
//! units): `frequency` x (number of repeat purchases), `recency` t_x (age at the
//! last purchase), `T` (age at the end of observation). The checks of
//! [`validate_customers`] apply to every transaction model.
//!
//! ## JSON format
//!
//! `to_json` / `from_json` on every model use
//! `{"format_version": 1, "model": "bg_nbd", "params": {...}, "fit": {...} | null}`;
//! non-finite numbers in `fit` (a NaN standard error) are written as `null`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check};

pub mod bg_bb;
pub mod bg_nbd;
pub mod gamma_gamma;
pub mod load;
pub mod mbg_nbd;
pub mod pareto_nbd;
pub mod sbg;

use crate::fit::FitInfo;
pub use bg_bb::BetaGeoBetaBinom;
pub use bg_nbd::{BetaGeo, BgNbdParams};
pub use gamma_gamma::{GammaGamma, GammaGammaParams};
pub use mbg_nbd::ModifiedBetaGeo;
pub use pareto_nbd::ParetoNbd;
pub use sbg::ShiftedBetaGeo;

/// Transaction ("buy till you die") model API shared by BG/NBD, Pareto/NBD,
/// MBG/NBD and BG/BB.
///
/// Inputs per customer: frequency x (repeat purchases), recency t_x, T (age)
/// in the summary's time unit. For BG/BB, T is the number of transaction
/// opportunities n and t must be a whole number of periods.
pub trait TransactionModel: Send + Sync {
    /// Model name, e.g. `"BG/NBD"`.
    fn name(&self) -> &'static str;
    /// Parameters in order with their names, e.g. `[("r", 0.243), ...]`.
    fn params(&self) -> Vec<(&'static str, f64)>;
    /// Fit diagnostics, `None` for a model built from known parameters.
    fn fit_info(&self) -> Option<&FitInfo>;
    /// Per-customer log-likelihood ln L(params | x, t_x, T).
    ///
    /// # Errors
    /// Those of [`validate_customers`].
    fn log_likelihood(&self, frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<Vec<f64>>;
    /// P(customer still alive at T | x, t_x, T).
    ///
    /// # Errors
    /// Those of [`validate_customers`].
    fn prob_alive(&self, frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<Vec<f64>>;
    /// E[X(T, T + horizon) | x, t_x, T]: expected purchases in the next
    /// `horizon` units.
    ///
    /// # Errors
    /// Those of [`validate_customers`]; `horizon` must be finite and ≥ 0.
    fn expected_purchases(
        &self,
        horizon: f64,
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
    ) -> Result<Vec<f64>>;
    /// E[X(t)] for a new customer (observed from time 0 for `t` units).
    ///
    /// # Errors
    /// `t` must be finite and ≥ 0.
    fn expected_purchases_new(&self, t: f64) -> Result<f64>;
    /// P(X(t) = n) for a new customer.
    ///
    /// # Errors
    /// `t` must be finite and ≥ 0.
    fn prob_purchases(&self, n: u32, t: f64) -> Result<f64>;
}

/// Spend model API (Gamma-Gamma).
pub trait SpendModel: Send + Sync {
    /// Expected mean transaction value of each customer given their number
    /// of repeat purchases `frequency` and mean repeat spend
    /// `monetary_value`.
    ///
    /// # Errors
    /// Model specific; see the implementing type.
    fn expected_spend(&self, frequency: &[f64], monetary_value: &[f64]) -> Result<Vec<f64>>;
}

/// Validation shared by all transaction models.
///
/// Rules, each violation an error naming the field, the 0-based index and the
/// value:
/// - `recency` and `T` have the length of `frequency`
///   ([`Error::LengthMismatch`]);
/// - `frequency` is a finite whole number ≥ 0;
/// - `T` is finite and ≥ 0;
/// - `recency` is finite with 0 ≤ t_x ≤ T;
/// - x > 0 requires t_x > 0 (a repeat purchase happens after the first).
///
/// When x = 0 the recency is not used by any model (the summary sets it to
/// 0); any value in `[0, T]` is accepted.
///
/// # Errors
/// [`Error::LengthMismatch`] or [`Error::InvalidValue`] as above.
///
/// # Example
/// ```
/// use clv::models::validate_customers;
/// assert!(validate_customers(&[2.0, 0.0], &[30.43, 0.0], &[38.86, 38.86]).is_ok());
/// let e = validate_customers(&[2.0], &[40.0], &[38.86]).unwrap_err();
/// assert_eq!(e.to_string(), "invalid recency[0]: 40 (expected a number in [0, T = 38.86])");
/// ```
pub fn validate_customers(frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<()> {
    check::same_len("recency", recency.len(), "frequency", frequency.len())?;
    check::same_len("T", t.len(), "frequency", frequency.len())?;
    for (i, ((&x, &tx), &tt)) in frequency.iter().zip(recency).zip(t).enumerate() {
        if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) {
            return Err(Error::invalid_at(
                "frequency",
                i,
                x,
                "a finite whole number >= 0",
            ));
        }
        if !(tt.is_finite() && tt >= 0.0) {
            return Err(Error::invalid_at("T", i, tt, "a finite number >= 0"));
        }
        if !(tx.is_finite() && tx >= 0.0 && tx <= tt) {
            return Err(Error::invalid_at(
                "recency",
                i,
                tx,
                format!("a number in [0, T = {tt}]"),
            ));
        }
        if x > 0.0 && tx <= 0.0 {
            return Err(Error::invalid_at(
                "recency",
                i,
                tx,
                format!("a number > 0 when frequency = {x} > 0"),
            ));
        }
    }
    Ok(())
}

/// Checks optional per-row weights (finite, ≥ 0, length `n`, positive sum)
/// and returns them, or all ones.
pub(crate) fn weights_or_ones(weights: Option<&[f64]>, n: usize) -> Result<Vec<f64>> {
    match weights {
        None => Ok(vec![1.0; n]),
        Some(w) => {
            check::same_len("weights", w.len(), "frequency", n)?;
            check::all_non_negative("weights", w)?;
            let total: f64 = w.iter().sum();
            if !(total > 0.0 && total.is_finite()) {
                return Err(Error::invalid(
                    "weights",
                    total,
                    "weights with a finite, positive sum",
                ));
            }
            Ok(w.to_vec())
        }
    }
}

/// The serialised form of every model.
#[derive(Serialize, Deserialize)]
struct Envelope<P> {
    format_version: u32,
    model: String,
    params: P,
    fit: Option<FitInfo>,
}

/// Current model JSON format version.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// Serialises a model as
/// `{"format_version": 1, "model": ..., "params": ..., "fit": ...}`.
pub(crate) fn model_to_json<P: Serialize>(
    model: &str,
    params: &P,
    fit: Option<&FitInfo>,
) -> String {
    let env = Envelope {
        format_version: FORMAT_VERSION,
        model: model.to_string(),
        params,
        fit: fit.cloned(),
    };
    // Serialising structs of numbers and strings cannot fail (serde_json
    // writes non-finite floats as null).
    serde_json::to_string(&env).unwrap_or_default()
}

/// Reads what [`model_to_json`] wrote, checking the model name and version.
pub(crate) fn model_from_json<P: DeserializeOwned>(
    model: &str,
    text: &str,
) -> Result<(P, Option<FitInfo>)> {
    let what = format!("{model} model JSON");
    let env: Envelope<P> = serde_json::from_str(text).map_err(|e| Error::Format {
        what: what.clone(),
        message: e.to_string(),
    })?;
    if env.format_version != FORMAT_VERSION {
        return Err(Error::Format {
            what,
            message: format!(
                "format_version {} is not supported (expected {FORMAT_VERSION})",
                env.format_version
            ),
        });
    }
    if env.model != model {
        return Err(Error::Format {
            what,
            message: format!("model is {:?}, expected {model:?}", env.model),
        });
    }
    Ok((env.params, env.fit))
}

/// The distinct values of a per-customer column (in practice the repeat
/// purchase count x), each row's index into them and the total weight of
/// each value.
///
/// Likelihood terms that depend on x alone (lnΓ(r+x), ψ(r+x), beta
/// functions) are then computed once per distinct x and weighted, instead of
/// once per customer: a data set of a million customers has a few hundred
/// distinct counts.
#[derive(Debug, Clone)]
pub(crate) struct Distinct {
    /// Distinct values, in order of first appearance.
    pub(crate) values: Vec<f64>,
    /// `values[index[i]] == x[i]`.
    pub(crate) index: Vec<u32>,
    /// Sum of the weights of the rows holding each value.
    pub(crate) weight: Vec<f64>,
}

impl Distinct {
    /// Groups `x` (already validated: finite, ≥ 0) with row weights `w`.
    pub(crate) fn new(x: &[f64], w: &[f64]) -> Self {
        /// Integer values below this use a direct table instead of a hash map.
        const DIRECT: usize = 1 << 16;
        let mut values = Vec::new();
        let mut weight = Vec::new();
        let mut index = Vec::with_capacity(x.len());
        let mut direct = vec![u32::MAX; 0];
        let mut map: ahash::AHashMap<u64, u32> = ahash::AHashMap::new();
        for (&v, &wi) in x.iter().zip(w) {
            let slot = if v.fract() == 0.0 && v < DIRECT as f64 {
                // Exact integer below DIRECT: the cast is lossless.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let k = v as usize;
                if direct.len() <= k {
                    direct.resize(k + 1, u32::MAX);
                }
                &mut direct[k]
            } else {
                map.entry(v.to_bits()).or_insert(u32::MAX)
            };
            if *slot == u32::MAX {
                // At most x.len() distinct values; a data set beyond u32::MAX
                // rows cannot be held in memory as f64 columns anyway.
                *slot = u32::try_from(values.len()).unwrap_or(u32::MAX - 1);
                values.push(v);
                weight.push(0.0);
            }
            let k = *slot;
            weight[k as usize] += wi;
            index.push(k);
        }
        Distinct {
            values,
            index,
            weight,
        }
    }
}

/// `f(x_i, t_x,i, T_i)` for every customer, in parallel with the `parallel`
/// feature (predictions are independent per customer); the first error in
/// row order wins, as in a sequential loop.
pub(crate) fn map_customers<F>(
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
    f: F,
) -> Result<Vec<f64>>
where
    F: Fn(f64, f64, f64) -> Result<f64> + Sync,
{
    let one = |i: usize| f(frequency[i], recency[i], t[i]);
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        if frequency.len() > 4096 {
            return (0..frequency.len())
                .into_par_iter()
                .with_min_len(1024)
                .map(one)
                .collect();
        }
    }
    (0..frequency.len()).map(one).collect()
}

/// Index of entry (i, j) of a symmetric 4×4 matrix stored as its packed
/// upper triangle (10 numbers, row by row); the table is symmetric, so
/// `tri(i, j) == tri(j, i)`. The four-parameter likelihoods sum their
/// Hessians in this form.
pub(crate) const fn tri(i: usize, j: usize) -> usize {
    [[0, 1, 2, 3], [1, 4, 5, 6], [2, 5, 7, 8], [3, 6, 8, 9]][i][j]
}

/// Writes the symmetric 4×4 matrix packed as [`tri`] into `out`, row-major
/// (the layout of [`crate::fit::Likelihood::value_gradient_hessian`]).
pub(crate) fn unpack_sym4(packed: &[f64; 10], out: &mut [f64]) {
    for i in 0..4 {
        for j in 0..4 {
            out[i * 4 + j] = packed[tri(i, j)];
        }
    }
}

/// Sums `f(lo, hi)` over chunks of `0..n` (in parallel with the `parallel`
/// feature), adding the value and the `K` gradient components.
///
/// The chunks are fixed (4096 rows) and their results are added in chunk
/// order on the calling thread, so the sum is the same bit for bit whatever
/// the number of threads and however rayon shares out the work (a parallel
/// `reduce` would associate the floating-point additions differently from
/// run to run, and fits would differ in the last digits).
pub(crate) fn chunked_sum<const K: usize, F>(n: usize, f: F) -> (f64, [f64; K])
where
    F: Fn(usize, usize) -> (f64, [f64; K]) + Sync,
{
    const CHUNK: usize = 4096;
    let add = |(l1, g1): (f64, [f64; K]), (l2, g2): (f64, [f64; K])| {
        let mut g = g1;
        for (a, b) in g.iter_mut().zip(g2) {
            *a += b;
        }
        (l1 + l2, g)
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        if n > CHUNK {
            let parts: Vec<(f64, [f64; K])> = (0..n.div_ceil(CHUNK))
                .into_par_iter()
                .map(|c| f(c * CHUNK, ((c + 1) * CHUNK).min(n)))
                .collect();
            return parts.into_iter().fold((0.0, [0.0; K]), add);
        }
    }
    (0..n.div_ceil(CHUNK))
        .map(|c| f(c * CHUNK, ((c + 1) * CHUNK).min(n)))
        .fold((0.0, [0.0; K]), add)
}

/// Test helper: the optimiser's likelihood `lik` at `theta` equals
/// Σ w_i · `row(i)` (ln L_i, filling ∂ ln L_i) to 1e-9, value and gradient.
#[cfg(test)]
pub(crate) fn assert_equals_row_sum<const K: usize>(
    lik: &impl crate::fit::Likelihood,
    theta: &[f64; K],
    w: &[f64],
    row: impl Fn(usize, &mut [f64; K]) -> f64,
    label: &str,
) {
    let mut g = [0.0; K];
    let ll = lik.value_and_gradient(theta, &mut g);
    let (mut ll_ref, mut g_ref) = (0.0, [0.0; K]);
    for (i, wi) in w.iter().enumerate() {
        let mut gi = [0.0; K];
        ll_ref += wi * row(i, &mut gi);
        for k in 0..K {
            g_ref[k] += wi * gi[k];
        }
    }
    assert!(
        (ll - ll_ref).abs() < 1e-9 * ll_ref.abs(),
        "{label}: {ll} vs {ll_ref}"
    );
    for k in 0..K {
        assert!(
            (g[k] - g_ref[k]).abs() < 1e-9 * g_ref[k].abs().max(1.0),
            "{label} gradient {k}: {} vs {}",
            g[k],
            g_ref[k]
        );
    }
}

/// Test helper: `lik`'s closed-form Hessian at `theta` is symmetric and
/// equals central differences of its analytic gradient ([`crate::fit::hessian`],
/// step 10⁻⁵·θ) to `rtol` of the largest entry of its row and column, and
/// its value and gradient equal [`value_and_gradient`](crate::fit::Likelihood::value_and_gradient)
/// to 10⁻¹².
#[cfg(test)]
pub(crate) fn assert_hessian_matches_gradient<const K: usize>(
    lik: &impl crate::fit::Likelihood,
    theta: &[f64; K],
    rtol: f64,
    label: &str,
) {
    let (mut g, mut g2, mut h) = ([0.0; K], [0.0; K], vec![0.0; K * K]);
    let ll = lik.value_and_gradient(theta, &mut g);
    let ll2 = lik
        .value_gradient_hessian(theta, &mut g2, &mut h)
        .expect("closed-form Hessian");
    assert!(
        (ll - ll2).abs() <= 1e-12 * ll.abs(),
        "{label}: {ll} vs {ll2}"
    );
    for k in 0..K {
        assert!(
            (g[k] - g2[k]).abs() <= 1e-12 * g[k].abs().max(1.0),
            "{label} gradient {k}: {} vs {}",
            g[k],
            g2[k]
        );
    }
    let fd = crate::fit::hessian(lik, theta);
    for i in 0..K {
        for j in 0..K {
            assert_eq!(h[i * K + j], h[j * K + i], "{label}: not symmetric");
            let scale = (0..K)
                .map(|m| fd[i][m].abs().max(fd[m][j].abs()))
                .fold(0.0_f64, f64::max);
            assert!(
                (h[i * K + j] - fd[i][j]).abs() <= rtol * scale,
                "{label} H[{i}][{j}]: {} vs finite differences {}",
                h[i * K + j],
                fd[i][j]
            );
        }
    }
}

/// `ln(e^a + e^b)` without overflow; `−∞` terms are neutral.
pub(crate) fn log_add_exp(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let m = a.max(b);
    m + ((a - m).exp() + (b - m).exp()).ln()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn chunked_sum_is_the_same_bit_for_bit_every_run() {
        // Terms of very different sizes, so that any other association of
        // the additions would change the last digits; 40 chunks of 4096.
        let n: usize = 40 * 4096 + 17;
        let term =
            |i: usize| ((i % 97) as f64).exp() * if i.is_multiple_of(2) { 1.0 } else { -1.0 } / 3.0;
        let f = |lo: usize, hi: usize| {
            let mut v = 0.0;
            for i in lo..hi {
                v += term(i);
            }
            (v, [v * 0.5, -v])
        };
        // Reference: the chunks added in order, on one thread.
        let mut want = (0.0, [0.0; 2]);
        for c in 0..n.div_ceil(4096) {
            let (v, g) = f(c * 4096, ((c + 1) * 4096).min(n));
            want.0 += v;
            want.1[0] += g[0];
            want.1[1] += g[1];
        }
        for _ in 0..20 {
            let got = chunked_sum(n, f);
            assert_eq!(got.0.to_bits(), want.0.to_bits());
            assert_eq!(got.1[0].to_bits(), want.1[0].to_bits());
            assert_eq!(got.1[1].to_bits(), want.1[1].to_bits());
        }
    }

    #[test]
    fn accepts_valid_customers() {
        // CDNOW IDs 1-3 (FHL 2005 data) and a T = 0 newcomer.
        validate_customers(
            &[2.0, 1.0, 0.0, 0.0],
            &[30.43, 1.71, 0.0, 0.0],
            &[38.86, 38.86, 38.86, 0.0],
        )
        .unwrap();
        validate_customers(&[], &[], &[]).unwrap();
    }

    #[test]
    fn rejects_bad_customers() {
        let e = validate_customers(&[1.0, 2.0], &[1.0], &[2.0, 3.0]).unwrap_err();
        assert_eq!(e.code(), "LENGTH_MISMATCH");
        assert_eq!(e.field(), Some("recency"));
        let e = validate_customers(&[1.0], &[1.0], &[2.0, 3.0]).unwrap_err();
        assert_eq!(e.field(), Some("T"));

        type Case<'a> = (&'a [f64], &'a [f64], &'a [f64], &'a str, &'a str);
        let cases: [Case; 8] = [
            (
                &[-1.0],
                &[0.0],
                &[1.0],
                "frequency",
                "invalid frequency[0]: -1",
            ),
            (
                &[1.5],
                &[1.0],
                &[2.0],
                "frequency",
                "invalid frequency[0]: 1.5",
            ),
            (
                &[0.0, f64::NAN],
                &[0.0, 0.0],
                &[1.0, 1.0],
                "frequency",
                "invalid frequency[1]: NaN",
            ),
            (&[1.0], &[1.0], &[f64::INFINITY], "T", "invalid T[0]: inf"),
            (&[1.0], &[1.0], &[-2.0], "T", "invalid T[0]: -2"),
            (&[1.0], &[3.0], &[2.0], "recency", "invalid recency[0]: 3"),
            (
                &[1.0],
                &[-0.5],
                &[2.0],
                "recency",
                "invalid recency[0]: -0.5",
            ),
            (
                &[1.0],
                &[0.0],
                &[2.0],
                "recency",
                "invalid recency[0]: 0 (expected a number > 0 when frequency = 1 > 0)",
            ),
        ];
        for (x, tx, tt, field, msg) in cases {
            let e = validate_customers(x, tx, tt).unwrap_err();
            assert_eq!(e.code(), "INVALID_INPUT");
            assert_eq!(e.field(), Some(field));
            assert!(e.to_string().starts_with(msg), "{e}");
        }
    }

    #[test]
    fn weights() {
        assert_eq!(weights_or_ones(None, 2).unwrap(), vec![1.0, 1.0]);
        assert_eq!(
            weights_or_ones(Some(&[2.0, 0.0]), 2).unwrap(),
            vec![2.0, 0.0]
        );
        let e = weights_or_ones(Some(&[1.0]), 2).unwrap_err();
        assert_eq!(e.code(), "LENGTH_MISMATCH");
        let e = weights_or_ones(Some(&[1.0, -1.0]), 2).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid weights[1]: -1 (expected a finite number >= 0)"
        );
        let e = weights_or_ones(Some(&[0.0, 0.0]), 2).unwrap_err();
        assert_eq!(e.field(), Some("weights"));
    }

    #[test]
    fn json_envelope() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct P {
            r: f64,
        }
        let s = model_to_json("toy", &P { r: 0.5 }, None);
        assert_eq!(
            s,
            r#"{"format_version":1,"model":"toy","params":{"r":0.5},"fit":null}"#
        );
        let (p, f): (P, _) = model_from_json("toy", &s).unwrap();
        assert_eq!(p, P { r: 0.5 });
        assert!(f.is_none());
        let e = model_from_json::<P>("other", &s).unwrap_err();
        assert_eq!(e.code(), "FORMAT_ERROR");
        let e = model_from_json::<P>("toy", &s.replace(":1,", ":2,")).unwrap_err();
        assert!(e.to_string().contains("format_version 2"), "{e}");
        let e = model_from_json::<P>("toy", "{").unwrap_err();
        assert_eq!(e.code(), "FORMAT_ERROR");
    }

    #[test]
    fn json_floats_round_trip_exactly() {
        // 2.4257810535016078 is a BG/NBD `b` from a CDNOW fit whose last digit
        // serde_json's default (fast, not correctly rounded) parser lost; with
        // `float_roundtrip` every finite f64 reads back bit for bit.
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct P {
            b: f64,
        }
        for b in [
            2.425_781_053_501_607_8,
            0.1,
            1e-300,
            5e-324,
            f64::MAX,
            1.0 / 3.0,
        ] {
            let s = model_to_json("toy", &P { b }, None);
            let (p, _): (P, _) = model_from_json("toy", &s).unwrap();
            assert_eq!(p.b.to_bits(), b.to_bits(), "{s}");
        }
    }

    #[test]
    fn log_add_exp_is_stable() {
        // ln(e^1000 + e^1000) = 1000 + ln 2
        assert!((log_add_exp(1000.0, 1000.0) - (1000.0 + 2f64.ln())).abs() < 1e-12);
        assert_eq!(log_add_exp(f64::NEG_INFINITY, -3.0), -3.0);
        assert!((log_add_exp(0.0, 0.0) - 2f64.ln()).abs() < 1e-15);
    }
}
