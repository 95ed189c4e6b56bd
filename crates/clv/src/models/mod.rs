//! Probabilistic customer-base models ("buy till you die") and spend models.
//!
//! Every model is one line of the registry ([`registry`],
//! [`for_each_model!`](crate::for_each_model)) and one file that holds its
//! likelihood, its predictions, the paper they come from and its [`Model`]
//! impl. Every transaction model implements [`TransactionModel`] and every
//! spend model [`SpendModel`]; [`AnyModel`] holds any of them. Fitting goes
//! through [`crate::fit::fit_model`].
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
//! [`ModelInfo::to_json`] / [`Model::from_json`] on every model use
//! `{"format_version": 1, "model": "bg_nbd", "params": {...}, "fit": {...} | null}`;
//! non-finite numbers in `fit` (a NaN standard error) are written as `null`.

use crate::error::{Error, Result, check};

pub mod bg_bb;
pub mod bg_nbd;
pub mod gamma_gamma;
pub mod ggom_nbd;
pub mod mbg_nbd;
pub mod pareto_nbd;
pub mod registry;
pub mod sbg;

pub use bg_bb::BetaGeoBetaBinom;
pub use bg_nbd::{BetaGeo, BgNbdParams};
pub use gamma_gamma::{GammaGamma, GammaGammaParams};
pub use ggom_nbd::GammaGompertzNbd;
pub use mbg_nbd::ModifiedBetaGeo;
pub use pareto_nbd::ParetoNbd;
pub use registry::{
    AnyModel, CovariateLink, Family, Model, ModelInfo, ModelKind, ModelSpec, Registered,
};
pub use sbg::ShiftedBetaGeo;

/// The models of the crate: one line each. Bindings call this macro with a
/// macro of their own to generate one class per model.
///
/// Each entry reads
/// `Variant: Type { key, name, class, family, params: [..], inputs: [..], reference }`:
/// `Type` is the core type in [`crate::models`], `key` the JSON and CLI key
/// (`bg_nbd`; the CLI also accepts `bg-nbd`), `name` the display name,
/// `class` the class name in Python and JavaScript, `family` one of
/// `Transaction`, `Spend`, `Retention` ([`Family`]), `params` the parameter
/// names in order and `inputs` the arrays a fit takes, in order.
#[macro_export]
macro_rules! for_each_model {
    ($callback:ident) => {
        $callback! {
            BgNbd: BetaGeo { key: "bg_nbd", name: "BG/NBD", class: BetaGeo, family: Transaction, params: [r, alpha, a, b], inputs: [frequency, recency, T], reference: "Fader, Hardie & Lee (2005), Marketing Science 24(2)" },
            MbgNbd: ModifiedBetaGeo { key: "mbg_nbd", name: "MBG/NBD", class: ModifiedBetaGeo, family: Transaction, params: [r, alpha, a, b], inputs: [frequency, recency, T], reference: "Batislam, Denizel & Filiztekin (2007), IJRM 24(3)" },
            ParetoNbd: ParetoNbd { key: "pareto_nbd", name: "Pareto/NBD", class: ParetoNBD, family: Transaction, params: [r, alpha, s, beta], inputs: [frequency, recency, T], reference: "Schmittlein, Morrison & Colombo (1987), Management Science 33(1)" },
            GgomNbd: GammaGompertzNbd { key: "ggom_nbd", name: "GGom/NBD", class: GammaGompertzNBD, family: Transaction, params: [r, alpha, b, s, beta], inputs: [frequency, recency, T], reference: "Bemmaor & Glady (2012), Management Science 58(5)" },
            BgBb: BetaGeoBetaBinom { key: "bg_bb", name: "BG/BB", class: BetaGeoBetaBinom, family: Transaction, params: [alpha, beta, gamma, delta], inputs: [frequency, recency, n_periods], reference: "Fader, Hardie & Shang (2010), Marketing Science 29(6)" },
            GammaGamma: GammaGamma { key: "gamma_gamma", name: "Gamma-Gamma", class: GammaGamma, family: Spend, params: [p, q, v], inputs: [frequency, monetary_value], reference: "Fader & Hardie (2013), The Gamma-Gamma Model of Monetary Value" },
            Sbg: ShiftedBetaGeo { key: "sbg", name: "sBG", class: ShiftedBetaGeo, family: Retention, params: [alpha, beta], inputs: [survivors], reference: "Fader & Hardie (2007), Journal of Interactive Marketing 21(1)" },
        }
    };
}

/// The part of a [`Model`] impl that only moves values: the parameters
/// (a struct `params` with these fields, in registry order) and the fit
/// information (a field `fit`), and `from_values` through the model's
/// `from_params` (which checks them).
macro_rules! model_state {
    ($($p:ident),+) => {
        fn param_values(&self) -> Vec<f64> {
            vec![$(self.params.$p),+]
        }
        fn fit_ref(&self) -> Option<&crate::fit::FitInfo> {
            self.fit.as_ref()
        }
        fn from_values(v: &[f64]) -> crate::Result<Self> {
            let &[$($p),+] = v else {
                return Err($crate::models::registry::params_len_error(
                    <Self as $crate::models::Model>::spec(),
                    v.len(),
                ));
            };
            Self::from_params($($p),+)
        }
        fn with_fit_info(self, fit: Option<crate::fit::FitInfo>) -> Self {
            Self { fit, ..self }
        }
    };
}
pub(crate) use model_state;

/// The [`Model`] impl of a transaction model fitted to `frequency, recency,
/// T` whose covariates are CLVTools' purchase and dropout links
/// ([`CovariateLink::PURCHASE_ALPHA`], [`CovariateLink::DROPOUT_BETA`]), as
/// the Pareto/NBD and GGom/NBD are: the parameters (these names, through
/// [`model_state!`]), the likelihood `$lik::new(x, t_x, T, weights)` and the
/// per-customer likelihood of the fits with covariates, the unit struct
/// `$rows`. Doc lines before the model's name document the impl, those
/// before `rows` its `COVARIATES`.
macro_rules! alpha_beta_model {
    (
        $(#[$doc:meta])*
        $model:ident($($p:ident),+): $lik:ty,
        $(#[$links:meta])*
        rows $rows:ident
    ) => {
        $(#[$doc])*
        impl $crate::models::Model for $model {
            type Lik<'a> = $lik;
            $crate::models::model_state!($($p),+);
            fn likelihood<'a>(
                inputs: &[&'a [f64]],
                w: Vec<f64>,
            ) -> $crate::Result<Self::Lik<'a>> {
                Ok(<Self::Lik<'a>>::new(inputs[0], inputs[1], inputs[2], w))
            }
            $(#[$links])*
            const COVARIATES: &'static [$crate::models::CovariateLink] = &[
                $crate::models::CovariateLink::PURCHASE_ALPHA,
                $crate::models::CovariateLink::DROPOUT_BETA,
            ];
            fn covariate_rows() -> Option<&'static dyn $crate::covariates::LinkedRows> {
                Some(&$rows)
            }
        }
    };
}
pub(crate) use alpha_beta_model;

/// A model's constructor and getters, for models whose parameters are all
/// finite, > 0 and at most [`MAX_PARAMETER`](crate::error::check::MAX_PARAMETER) (a struct `params` of type `$params` with these fields,
/// in registry order, and a field `fit`): `from_params(p₁, p₂, …)`, which
/// checks each value and names the first bad one in its error, and one
/// getter per parameter with the doc given before its name. Doc lines
/// before the model's name are added to `from_params`'s.
macro_rules! model_params {
    ($(#[$fdoc:meta])* $model:ident($params:ident) { $($(#[$doc:meta])* $p:ident),+ $(,)? }) => {
        impl $model {
            /// A model with known parameters.
            ///
            /// # Errors
            /// [`Error::InvalidValue`](crate::Error::InvalidValue) naming
            /// the first parameter that is not finite, > 0 and at most
            /// [`MAX_PARAMETER`](crate::error::check::MAX_PARAMETER).
            $(#[$fdoc])*
            pub fn from_params($($p: f64),+) -> crate::Result<Self> {
                $(crate::error::check::parameter(stringify!($p), $p)?;)+
                Ok($model { params: $params { $($p),+ }, fit: None })
            }
            $(
                $(#[$doc])*
                pub fn $p(&self) -> f64 {
                    self.params.$p
                }
            )+
        }
    };
}
pub(crate) use model_params;

/// Why [`TransactionModel::prob_purchases_conditional`] is refused by default.
const NO_CONDITIONAL: &str =
    "the model has no implementation of the conditional purchase distribution";
/// Why [`TransactionModel::dert`] is refused by default.
const NO_DERT: &str = "the model has no closed form for discounted expected residual transactions; use customer_lifetime_value (a discounted sum over periods)";
/// Why [`TransactionModel::prob_alive_ahead`] is refused by default.
const BG_BB_ONLY: &str = "it is defined for the discrete-time BG/BB model only";

/// Transaction ("buy till you die") model API shared by BG/NBD, Pareto/NBD,
/// MBG/NBD and BG/BB (and [`AnyModel`], which answers
/// [`Error::Unsupported`] for the other families).
///
/// Inputs per customer: frequency x (repeat purchases), recency t_x, T (age)
/// in the summary's time unit. For BG/BB, T is the number of transaction
/// opportunities n and t must be a whole number of periods.
pub trait TransactionModel: ModelInfo + Send + Sync {
    /// Per-customer log-likelihood ln L(params | x, t_x, T).
    ///
    /// # Errors
    /// Those of [`validate_customers`].
    fn log_likelihood(&self, x: &[f64], tx: &[f64], t: &[f64]) -> Result<Vec<f64>>;
    /// P(customer still alive at T | x, t_x, T).
    ///
    /// # Errors
    /// Those of [`validate_customers`].
    fn prob_alive(&self, x: &[f64], tx: &[f64], t: &[f64]) -> Result<Vec<f64>>;
    /// E[X(T, T + h) | x, t_x, T]: expected purchases in the next `h`
    /// units (the horizon).
    ///
    /// # Errors
    /// Those of [`validate_customers`]; `h` must be finite and ≥ 0.
    fn expected_purchases(&self, h: f64, x: &[f64], tx: &[f64], t: &[f64]) -> Result<Vec<f64>>;
    /// E[X(t)] for a new customer (observed from time 0 for `t` units).
    ///
    /// # Errors
    /// `t` must be finite and ≥ 0.
    fn expected_purchases_new(&self, t: f64) -> Result<f64>;
    /// ln P(X(t) = n) for a new customer, for probabilities that underflow.
    ///
    /// # Errors
    /// `t` must be finite and ≥ 0 (BG/BB: a whole number of periods).
    fn ln_prob_purchases(&self, n: u32, t: f64) -> Result<f64>;
    /// P(X(t) = n) for a new customer: `exp` of [`Self::ln_prob_purchases`].
    ///
    /// # Errors
    /// Those of [`Self::ln_prob_purchases`].
    fn prob_purchases(&self, n: u32, t: f64) -> Result<f64> {
        Ok(self.ln_prob_purchases(n, t)?.exp())
    }

    /// The model's checks of customer inputs: [`validate_customers`] (BG/BB:
    /// whole numbers of periods).
    ///
    /// # Errors
    /// As above.
    fn validate(&self, x: &[f64], tx: &[f64], t: &[f64]) -> Result<()> {
        validate_customers(x, tx, t)
    }

    /// P(X(T, T+h) = n | x, t_x, T): probability of exactly `n`
    /// purchases in the next `h` units, where the model has it:
    /// `1[n = 0]·(1 − P(alive)) + P(alive)·P(X(T, T+h) = n | alive at T)`,
    /// the two parts from [`Self::alive_and_pmf`].
    ///
    /// # Errors
    /// [`Error::Unsupported`] for a model without it; `h` must be finite
    /// and ≥ 0; customers as [`Self::validate`].
    fn prob_purchases_conditional(
        &self,
        n: u32,
        h: f64,
        x: &[f64],
        tx: &[f64],
        t: &[f64],
    ) -> Result<Vec<f64>> {
        let unsupported =
            || registry::unsupported(self.name(), "prob_purchases_conditional", NO_CONDITIONAL);
        // the model has it iff it gives the parts (here of a newcomer)
        self.alive_and_pmf(n, 0.0, 0.0, 0.0, 0.0)
            .ok_or_else(unsupported)?;
        check::non_negative("t", h)?;
        self.validate(x, tx, t)?;
        map_customers(x, tx, t, |x, tx, tt| {
            let (pa, pn) = self
                .alive_and_pmf(n, h, x, tx, tt)
                .ok_or_else(unsupported)?;
            let dead = if n == 0 { 1.0 - pa } else { 0.0 };
            Ok((dead + pa * pn).min(1.0))
        })
    }

    /// For one valid customer (x, t_x, T): P(alive at T) and
    /// P(X(T, T+h) = n | alive at T), the purchases of the posterior
    /// customer; `None` (the default) for a model without them.
    fn alive_and_pmf(&self, _n: u32, _h: f64, _x: f64, _tx: f64, _t: f64) -> Option<(f64, f64)> {
        None
    }

    /// Discounted expected residual transactions where the model has them
    /// in closed form (Pareto/NBD: continuous rate δ per unit; BG/BB: rate d
    /// per period).
    ///
    /// # Errors
    /// [`Error::Unsupported`] for a model without a closed form; the
    /// model's own.
    fn dert(&self, _discount: f64, _x: &[f64], _tx: &[f64], _t: &[f64]) -> Result<Vec<f64>> {
        Err(registry::unsupported(self.name(), "dert", NO_DERT))
    }

    /// P(alive at period n + m | x, t_x, n) (BG/BB only).
    ///
    /// # Errors
    /// [`Error::Unsupported`] for the other models; the model's own.
    fn prob_alive_ahead(&self, _m: f64, _x: &[f64], _tx: &[f64], _t: &[f64]) -> Result<Vec<f64>> {
        Err(registry::unsupported(
            self.name(),
            "prob_alive_ahead",
            BG_BB_ONLY,
        ))
    }

    /// [`Self::expected_purchases`] with one horizon for everybody
    /// (`horizons` of length 1) or one per customer.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] (field `t`) for another length; those of
    /// [`Self::expected_purchases`], with the customer's index for a bad
    /// per-customer horizon.
    fn expected_purchases_each(
        &self,
        horizons: &[f64],
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
    ) -> Result<Vec<f64>> {
        if horizons.len() == 1 {
            return self.expected_purchases(horizons[0], frequency, recency, t);
        }
        check::same_len("t", horizons.len(), "frequency", frequency.len())?;
        self.validate(frequency, recency, t)?;
        (0..horizons.len())
            .map(|i| {
                self.expected_purchases(horizons[i], &frequency[i..=i], &recency[i..=i], &t[i..=i])
                    .map(|v| v[0])
                    .map_err(|e| e.at_index(i))
            })
            .collect()
    }

    /// [`Self::expected_purchases_new`] for each `t`.
    ///
    /// # Errors
    /// Those of [`Self::expected_purchases_new`], with the index when
    /// `t` has more than one element.
    fn expected_purchases_new_each(&self, t: &[f64]) -> Result<Vec<f64>> {
        each(t.len(), |i| self.expected_purchases_new(t[i]))
    }

    /// [`Self::prob_purchases`] element by element (`n` and `t` have the
    /// same length, or one of them length 1); `n` must hold whole numbers.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`]; [`Error::InvalidValue`] naming `n[i]` or
    /// `t[i]`.
    fn prob_purchases_each(&self, n: &[f64], t: &[f64]) -> Result<Vec<f64>> {
        let len = broadcast_len("t", t.len(), "n", n.len())?;
        each(len, |i| {
            let k = whole_count("n", n[i.min(n.len() - 1)])?;
            self.prob_purchases(k, t[i.min(t.len() - 1)])
        })
    }
}

/// `f(i)` for i in 0..n, adding the index to a scalar-argument error when
/// n > 1.
pub fn each(n: usize, f: impl Fn(usize) -> Result<f64>) -> Result<Vec<f64>> {
    (0..n)
        .map(|i| f(i).map_err(|e| if n > 1 { e.at_index(i) } else { e }))
        .collect()
}

/// The common length of two arrays that are broadcast against each other
/// (equal lengths, or one of them of length 1).
///
/// # Errors
/// [`Error::LengthMismatch`] naming `field` otherwise, and for an empty array
/// against a longer one.
pub fn broadcast_len(field: &str, len: usize, reference: &str, ref_len: usize) -> Result<usize> {
    if len == ref_len || ref_len == 1 && len > 0 || len == 1 && ref_len > 0 {
        Ok(len.max(ref_len))
    } else {
        check::same_len(field, len, reference, ref_len).map(|()| len)
    }
}

/// A count given as a float (from Python or JavaScript), checked to be a
/// whole number in `[0, u32::MAX]`.
///
/// # Errors
/// [`Error::InvalidValue`] naming `field` for a negative, fractional,
/// non-finite or huge value.
pub fn whole_count(field: &str, v: f64) -> Result<u32> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) {
        // exact: a whole number in [0, u32::MAX]
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(v as u32)
    } else {
        Err(Error::invalid(field, v, "a whole number >= 0"))
    }
}

/// Spend model API (Gamma-Gamma).
pub trait SpendModel: ModelInfo + Send + Sync {
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
/// - x > 0 with t_x = 0 is accepted: the likelihood and the predictions are
///   defined there (the frequency/recency grids of the diagnostic plots have
///   such cells, and a summary in coarse periods can produce them).
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
    // Blocks of rows checked with one branch each ([`row_is_valid`], which
    // the compiler runs two rows per instruction); a block with a bad row is
    // read again row by row for the error, so the first bad row in row
    // order is named as ever. With a branch per row the checks took about
    // 0.2 ms more of a 100,000-customer fit (docs/performance.md).
    const BLOCK: usize = 64;
    let blocks = frequency
        .chunks(BLOCK)
        .zip(recency.chunks(BLOCK))
        .zip(t.chunks(BLOCK));
    for (b, ((x, tx), tt)) in blocks.enumerate() {
        let valid = x
            .iter()
            .zip(tx)
            .zip(tt)
            .fold(true, |ok, ((&x, &tx), &tt)| ok & row_is_valid(x, tx, tt));
        if !valid {
            first_invalid_customer(b * BLOCK, x, tx, tt)?;
        }
    }
    Ok(())
}

/// Whether one customer's `x`, `t_x`, `T` pass [`validate_customers`]'
/// checks, without a branch: `&` of comparisons and [`is_whole`]. NaN
/// fails every comparison; T < ∞ with 0 ≤ t_x ≤ T makes both finite.
#[inline(always)]
// `&` and not `&&` or `contains`: no branch per row.
#[allow(clippy::manual_range_contains)]
fn row_is_valid(x: f64, tx: f64, tt: f64) -> bool {
    (x >= 0.0) & is_whole(x) & (tt >= 0.0) & (tt < f64::INFINITY) & (tx >= 0.0) & (tx <= tt)
}

/// [`validate_customers`]' error for the first bad row of a block whose
/// first row is row `first`: `frequency` (`x`), then `T` (`tt`), then
/// `recency` (`tx`) of that row, each [`Error::InvalidValue`] with the row.
fn first_invalid_customer(first: usize, x: &[f64], tx: &[f64], tt: &[f64]) -> Result<()> {
    for (i, ((&x, &tx), &tt)) in (first..).zip(x.iter().zip(tx).zip(tt)) {
        if !(x >= 0.0 && is_whole(x)) {
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
    }
    Ok(())
}

/// Whether `x` is a finite whole number: `x.is_finite() && x.fract() ==
/// 0.0` (also for −0 and negative x), without the call to libm's `trunc`
/// that `fract` is on baseline x86-64 (no SSE4.1 `roundsd`; a fifth of
/// [`validate_customers`]' time on 100,000 rows went to it) and without a
/// branch, so that the per-row checks of a fit run two rows per SSE2
/// instruction ([`row_is_valid`]). With a = |x|: every `f64` of magnitude
/// ≥ 2⁵² is whole; for a < 2⁵², a + 2⁵² lies where the spacing of `f64`s
/// is 1, so the sum is a rounded to an integer and `(a + 2⁵²) − 2⁵² = a`
/// exactly when a is whole. ∞ and NaN fail `a < ∞`.
#[inline(always)]
// `&` and not `&&` or `contains`: no branch.
#[allow(clippy::manual_range_contains)]
pub(crate) fn is_whole(x: f64) -> bool {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    let a = x.abs();
    (((a + TWO_52) - TWO_52 == a) | (a >= TWO_52)) & (a < f64::INFINITY)
}

/// The weighted mean age T of a data set (1 when it is not finite and > 0):
/// the time scale of the scale-aware starting points.
pub(crate) fn mean_age(t: &[f64], w: &[f64]) -> f64 {
    let tw: f64 = w.iter().sum();
    let m = t.iter().zip(w).map(|(t, w)| t * w).sum::<f64>() / tw;
    if m.is_finite() && m > 0.0 { m } else { 1.0 }
}

/// The largest age T among the rows with weight > 0 (the observed window).
pub(crate) fn max_age(t: &[f64], w: &[f64]) -> f64 {
    t.iter()
        .zip(w)
        .filter(|(_, w)| **w > 0.0)
        .fold(0.0_f64, |m, (t, _)| m.max(*t))
}

/// Whether a fit at `p` lies on the ridge toward the limit where the two
/// shapes `i`, `j` of a mixing distribution run off together with their
/// ratio fixed (Pareto/NBD's s, β; BG/NBD's a, b): they are past `least`
/// and the log-likelihood `ll` is as high (within 0.01) with both 10³ times
/// larger. On such data (e.g. CLVTools' apparel cohort) the optimiser
/// stops somewhere along the ridge, and what the data pin down is the
/// ratio only.
pub(crate) fn shapes_run_off(
    ll: impl Fn(&[f64]) -> f64,
    p: &[f64],
    [i, j]: [usize; 2],
    least: [f64; 2],
) -> bool {
    if !(p[i] > least[0] && p[j] > least[1]) {
        return false;
    }
    let mut far = p.to_vec();
    far[i] *= 1e3;
    far[j] *= 1e3;
    let (at, beyond) = (ll(p), ll(&far));
    at.is_finite() && beyond.is_finite() && beyond >= at - 1e-2
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
    /// Groups `x` (already validated: finite, ≥ 0) with row weights `w`
    /// (empty: every row weighs 1, [`Model::IMPLICIT_UNIT_WEIGHTS`]).
    pub(crate) fn new(x: &[f64], w: &[f64]) -> Self {
        if w.is_empty() {
            Self::with_weights(x, std::iter::repeat(1.0))
        } else {
            Self::with_weights(x, w.iter().copied())
        }
    }

    fn with_weights(x: &[f64], w: impl Iterator<Item = f64>) -> Self {
        /// Integer values below this use a direct table instead of a hash map.
        const DIRECT: usize = 1 << 16;
        let mut values = Vec::new();
        let mut weight = Vec::new();
        let mut index = Vec::with_capacity(x.len());
        let mut direct = vec![u32::MAX; 0];
        let mut map: ahash::AHashMap<u64, u32> = ahash::AHashMap::new();
        for (&v, wi) in x.iter().zip(w) {
            let slot = if v < DIRECT as f64 && is_whole(v) {
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

/// Checks a whole number of periods ≥ `min` (BG/BB, sBG) and returns it.
pub(crate) fn whole(field: &str, t: f64, min: f64) -> Result<f64> {
    if t.is_finite() && t >= min && t.fract() == 0.0 {
        Ok(t)
    } else {
        Err(Error::invalid(
            field,
            t,
            format!("a whole number of periods >= {min}"),
        ))
    }
}

/// Per-customer map with validation, shared by the prediction methods of
/// the models checked by [`validate_customers`].
pub(crate) fn per_customer(
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
    f: impl Fn(f64, f64, f64) -> Result<f64> + Sync,
) -> Result<Vec<f64>> {
    validate_customers(frequency, recency, t)?;
    map_customers(frequency, recency, t, f)
}

/// `values` (one per customer) unchanged when all are finite; else
/// [`Error::Overflow`] naming the first customer whose `what` lies beyond
/// ±f64::MAX. For predictions whose algebra is kept finite wherever the
/// value itself is representable, so that an infinity can only mean that
/// the value is not (e.g. a Pareto/NBD expectation of 1e400 purchases).
pub(crate) fn representable(values: Vec<f64>, what: &str, model: &str) -> Result<Vec<f64>> {
    match values.iter().position(|v| v.is_infinite()) {
        None => Ok(values),
        Some(i) => Err(Error::Overflow {
            context: format!("the {model} {what} of customer {i} (it lies beyond ±1.8e308)"),
        }),
    }
}

/// [`representable`] for one value that belongs to no customer.
pub(crate) fn representable_one(value: f64, what: &str, model: &str) -> Result<f64> {
    if value.is_infinite() {
        Err(Error::Overflow {
            context: format!("the {model} {what} (it lies beyond ±1.8e308)"),
        })
    } else {
        Ok(value)
    }
}

/// Index of entry (i, j) of a symmetric 4×4 matrix stored as its packed
/// upper triangle (10 numbers, row by row); the table is symmetric, so
/// `tri(i, j) == tri(j, i)`. The four-parameter likelihoods sum their
/// Hessians in this form.
pub(crate) const fn tri(i: usize, j: usize) -> usize {
    [[0, 1, 2, 3], [1, 4, 5, 6], [2, 5, 7, 8], [3, 6, 8, 9]][i][j]
}

/// The end of a 4-parameter [`crate::fit::Likelihood::value_gradient_hessian`]:
/// writes the gradient `g` into `grad` and the symmetric Hessian packed as
/// [`tri`] into `hess` (row-major), and returns the total.
pub(crate) fn write_sym4(
    total: f64,
    g: &[f64; 4],
    packed: &[f64; 10],
    grad: &mut [f64],
    hess: &mut [f64],
) -> Option<f64> {
    grad.copy_from_slice(g);
    for i in 0..4 {
        for j in 0..4 {
            hess[i * 4 + j] = packed[tri(i, j)];
        }
    }
    Some(total)
}

/// The rows of one chunk of [`chunked_sum`].
pub(crate) const SUM_CHUNK: usize = 4096;

/// [`chunked_sum`] runs on the rayon threads only beyond this many rows (4
/// chunks); below, on the calling thread. Handing out a few chunks and
/// waking the other thread cost more than it saved: a whole `clv fit
/// bg-nbd` of 12,000 customers (3 chunks a pass) took 5.5 ms against
/// 6.0 ms in parallel, and the 100,000-customer fit's warm start (passes
/// over 6,250 rows) 0.2 ms less; with 30,000 customers (8 chunks) the
/// parallel passes were 1.2 ms faster than 8 chunks on one thread (medians
/// of 100 interleaved runs, 2 cores, nothing else running). The chunks and
/// the order of their addition are the same either way.
#[cfg(feature = "parallel")]
const PARALLEL_ROWS: usize = 4 * SUM_CHUNK;

/// Sums `f(lo, hi)` over chunks of `0..n` (in parallel with the `parallel`
/// feature), adding the value and the `K` gradient components.
///
/// The chunks are fixed ([`SUM_CHUNK`] rows: `lo` a multiple of it) and
/// their results are added in chunk order on the calling thread, so the sum
/// is the same bit for bit whatever the number of threads and however rayon
/// shares out the work (a parallel `reduce` would associate the
/// floating-point additions differently from run to run, and fits would
/// differ in the last digits).
pub(crate) fn chunked_sum<const K: usize, F>(n: usize, f: F) -> (f64, [f64; K])
where
    F: Fn(usize, usize) -> (f64, [f64; K]) + Sync,
{
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
        if n > PARALLEL_ROWS {
            let parts: Vec<(f64, [f64; K])> = (0..n.div_ceil(SUM_CHUNK))
                .into_par_iter()
                .map(|c| f(c * SUM_CHUNK, ((c + 1) * SUM_CHUNK).min(n)))
                .collect();
            return parts.into_iter().fold((0.0, [0.0; K]), add);
        }
    }
    (0..n.div_ceil(SUM_CHUNK))
        .map(|c| f(c * SUM_CHUNK, ((c + 1) * SUM_CHUNK).min(n)))
        .fold((0.0, [0.0; K]), add)
}

/// Σᵢ wᵢ·ℓᵢ and Σᵢ wᵢ·dᵢ over the rows with wᵢ ≠ 0, in the fixed chunks of
/// [`chunked_sum`] (so bit for bit the same on any number of threads):
/// `row(i, d)` returns row i's term ℓᵢ and writes its `K` derivative
/// entries dᵢ (gradient, then packed Hessian where wanted) into `d`.
pub(crate) fn weighted_rows<const K: usize, F>(w: &[f64], row: F) -> (f64, [f64; K])
where
    F: Fn(usize, &mut [f64; K]) -> f64 + Sync,
{
    chunked_sum(w.len(), |lo, hi| {
        let (mut total, mut acc) = (0.0, [0.0; K]);
        for (i, &wi) in w.iter().enumerate().take(hi).skip(lo) {
            if wi == 0.0 {
                continue;
            }
            let mut d = [0.0; K];
            total += wi * row(i, &mut d);
            for (a, v) in acc.iter_mut().zip(d) {
                *a += wi * v;
            }
        }
        (total, acc)
    })
}

/// Test helper: the analytic gradient of `f` at `theta` (what `f` writes
/// when given `Some`) against central differences `(f(θ + h e_k) −
/// f(θ − h e_k)) / 2h` with `h = step(θ_k)`, component by component:
/// `close(g_k, fd_k, θ_k)` must hold.
#[cfg(test)]
pub(crate) fn assert_gradient_matches_differences<const K: usize>(
    theta: [f64; K],
    f: impl Fn([f64; K], Option<&mut [f64; K]>) -> f64,
    step: impl Fn(f64) -> f64,
    close: impl Fn(f64, f64, f64) -> bool,
    label: &str,
) {
    let mut g = [0.0; K];
    f(theta, Some(&mut g));
    for k in 0..K {
        let h = step(theta[k]);
        let (mut up, mut down) = (theta, theta);
        up[k] += h;
        down[k] -= h;
        let fd = (f(up, None) - f(down, None)) / (2.0 * h);
        assert!(
            close(g[k], fd, theta[k]),
            "{label} {k}: {} vs {fd} ({g:?})",
            g[k]
        );
    }
}

/// Test helper: central differences of an analytic gradient `grad` at
/// `theta`, `fd[i][j] = (∂ᵢ(θ + h_j e_j) − ∂ᵢ(θ − h_j e_j)) / 2h_j` with
/// `h_j = step(j)`: the Hessian a closed form is checked against.
#[cfg(test)]
pub(crate) fn gradient_differences<const K: usize>(
    theta: [f64; K],
    step: impl Fn(usize) -> f64,
    grad: impl Fn([f64; K]) -> [f64; K],
) -> [[f64; K]; K] {
    let mut fd = [[0.0; K]; K];
    for j in 0..K {
        let h = step(j);
        let (mut up, mut dn) = (theta, theta);
        up[j] += h;
        dn[j] -= h;
        let (gu, gd) = (grad(up), grad(dn));
        for i in 0..K {
            fd[i][j] = (gu[i] - gd[i]) / (2.0 * h);
        }
    }
    fd
}

/// Test helper: each fitted parameter of `m` is within 3 of its standard
/// errors of `truth` (a simulation's parameters, in registry order).
#[cfg(test)]
pub(crate) fn assert_within_3_se(m: &impl ModelInfo, truth: &[f64]) {
    let est = m.values();
    let se = &m.fit_info().expect("a fitted model").std_errors;
    for (k, truth) in truth.iter().enumerate() {
        assert!(
            (est[k] - truth).abs() < 3.0 * se[k],
            "{k}: {} ± {} vs {truth}",
            est[k],
            se[k]
        );
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
mod tests {
    use super::*;

    #[test]
    fn is_whole_is_finite_and_fract_zero() {
        let two52 = 4_503_599_627_370_496.0_f64;
        let mut xs = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -0.5,
            1e-300,
            f64::MIN_POSITIVE,
            5e-324,
            2.5,
            1e15 + 0.5,
            two52 - 0.5,
            two52,
            two52 + 1.0,
            -two52 + 0.5,
            9.223_372_036_854_776e18,
            1e300,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        // around every power of two the cast could get wrong
        for e in 0..64 {
            let p = 2f64.powi(e);
            for x in [p, p.next_up(), p.next_down(), -p, -p.next_up(), p + 0.5] {
                xs.push(x);
            }
        }
        for &x in &xs {
            assert_eq!(is_whole(x), x.is_finite() && x.fract() == 0.0, "{x:e}");
        }
        // The branch-free check of a customer is the row-by-row one: every x
        // above with valid t_x and T, and the first 22 values (and a few
        // more) as x, t_x and T in every combination.
        let mut values = xs[..22].to_vec();
        values.extend([
            0.1,
            3.0,
            7.5,
            38.86,
            1e-320,
            two52.next_down(),
            two52.next_up(),
        ]);
        let row_by_row = |x: f64, tx: f64, tt: f64| {
            x >= 0.0
                && x.is_finite()
                && x.fract() == 0.0
                && tt.is_finite()
                && tt >= 0.0
                && tx.is_finite()
                && tx >= 0.0
                && tx <= tt
        };
        let one = |x: f64, tx: f64, tt: f64| {
            let want = row_by_row(x, tx, tt);
            assert_eq!(row_is_valid(x, tx, tt), want, "{x:e} {tx:e} {tt:e}");
            assert_eq!(first_invalid_customer(0, &[x], &[tx], &[tt]).is_ok(), want);
        };
        for &x in &xs {
            one(x, 1.0, 2.0);
        }
        for &x in &values {
            for &tx in &values {
                for &tt in &values {
                    one(x, tx, tt);
                }
            }
        }
    }

    /// The first bad row in row order is named, wherever it stands in the
    /// blocks of `validate_customers`, and whichever of its fields is bad.
    #[test]
    fn validate_customers_names_the_first_bad_row() {
        let n = 300;
        let (x, tx, tt) = (vec![2.0; n], vec![5.0; n], vec![10.0; n]);
        assert!(validate_customers(&x, &tx, &tt).is_ok());
        for row in [0, 1, 63, 64, 65, 127, 128, 200, 299] {
            for (field, bad) in [("frequency", 0.5), ("T", f64::NAN), ("recency", 11.0)] {
                let (mut x, mut tx, mut tt) = (x.clone(), tx.clone(), tt.clone());
                match field {
                    "frequency" => x[row] = bad,
                    "T" => tt[row] = bad,
                    _ => tx[row] = bad,
                }
                // A later bad row does not change the error.
                if row < n - 1 {
                    x[n - 1] = -1.0;
                }
                let e = validate_customers(&x, &tx, &tt).unwrap_err();
                let Error::InvalidValue {
                    field: f, index, ..
                } = &e
                else {
                    panic!("{e:?}");
                };
                assert_eq!((f.as_str(), *index), (field, Some(row)), "{e}");
            }
        }
    }

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
        let cases: [Case; 7] = [
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
        ];
        // x > 0 with t_x = 0 is valid (a grid cell of the diagnostic plots)
        assert!(validate_customers(&[3.0], &[0.0], &[2.0]).is_ok());
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
    fn log_add_exp_is_stable() {
        // ln(e^1000 + e^1000) = 1000 + ln 2
        assert!((log_add_exp(1000.0, 1000.0) - (1000.0 + 2f64.ln())).abs() < 1e-12);
        assert_eq!(log_add_exp(f64::NEG_INFINITY, -3.0), -3.0);
        assert!((log_add_exp(0.0, 0.0) - 2f64.ln()).abs() < 1e-15);
    }
}
