//! # Measured value of actions: uplift against a control group
//!
//! A retention campaign, a price change or an account plan is applied to a
//! *treated* group and withheld from a randomly chosen *control* group. The
//! difference of the groups' outcomes is the incremental effect of the
//! action per customer; times the treated population it is the incremental
//! value in total — the "protected income" the action created.
//!
//! - [`uplift`] with [`Metric::Continuous`] (revenue, margin, CLV): the
//!   difference of means with Welch's t interval and p-value (Welch 1947,
//!   "The generalization of 'Student's' problem when several different
//!   population variances are involved", *Biometrika* 34).
//! - [`uplift`] with [`Metric::Binary`] (retained yes/no; values 0/1), or
//!   [`uplift_proportions`] from counts: the difference of proportions with
//!   Newcombe's hybrid score interval (Newcombe 1998, "Interval estimation
//!   for the difference between independent proportions: comparison of
//!   eleven methods", *Statistics in Medicine* 17:873-890, method 10) built
//!   from Wilson score intervals ([`wilson_interval`]; Wilson 1927), and the
//!   p-value of the two-proportion score (pooled z) test.
//! - [`uplift_stratified`]: comparable segments (size band, RFM segment, ...)
//!   estimated per stratum and combined with treated-population weights.
//!
//! The effect is always treated − control; `relative_effect` is
//! effect / control mean (`None` when the control mean is 0: a relative
//! change from zero is undefined).

use std::collections::BTreeMap;

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use crate::error::{Error, Result};

/// The kind of outcome measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Any number per customer (revenue, margin, CLV): Welch's t.
    #[default]
    Continuous,
    /// 0/1 per customer (retained, converted): difference of proportions.
    Binary,
}

crate::error::named_choices! {
    Metric, field "metric",
    /// The name of the metric: `"continuous"` or `"binary"`.
    ///
    /// ```
    /// use clv::experiment::Metric;
    /// assert_eq!(Metric::Binary.as_str(), "binary");
    /// for m in Metric::ALL {
    ///     assert_eq!(m.as_str().parse::<Metric>()?, m);
    /// }
    /// # Ok::<(), clv::Error>(())
    /// ```
    as_str {
        Continuous => "continuous",
        Binary => "binary",
    }
    /// `"continuous"` or `"binary"`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] on the field `metric`, listing the names.
    ///
    /// ```
    /// use clv::experiment::Metric;
    /// assert_eq!("continuous".parse::<Metric>()?, Metric::Continuous);
    /// let e = "Binary".parse::<Metric>().unwrap_err();
    /// assert_eq!(e.to_string(), "invalid metric: \"Binary\" (expected \"continuous\" or \"binary\")");
    /// assert_eq!(e.field(), Some("metric"));
    /// # Ok::<(), clv::Error>(())
    /// ```
    from_str aliases {}
}

/// Options of [`uplift`], [`uplift_proportions`] and [`uplift_stratified`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UpliftOptions {
    /// Confidence level of the intervals, in (0, 1); default 0.95.
    pub confidence: f64,
    /// The kind of outcome; default continuous.
    pub metric: Metric,
    /// The treated population the effect is multiplied by for `total`
    /// (e.g. all customers the campaign reached, when the measured treated
    /// group is a sample of them); default: the number of treated customers.
    pub population: Option<f64>,
}

impl Default for UpliftOptions {
    fn default() -> Self {
        UpliftOptions {
            confidence: 0.95,
            metric: Metric::Continuous,
            population: None,
        }
    }
}

/// The measured effect of an action (see [`uplift`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Uplift {
    /// The kind of outcome.
    pub metric: Metric,
    /// How the interval was computed: `welch`, `newcombe_hybrid_score`,
    /// `stratified_welch_satterthwaite` or `stratified_wald`.
    pub method: &'static str,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Customers in the treated group.
    pub n_treated: usize,
    /// Customers in the control group.
    pub n_control: usize,
    /// Mean outcome of the treated group (a proportion for binary metrics).
    pub mean_treated: f64,
    /// Mean outcome of the control group (for a stratified estimate: the
    /// control means weighted by the treated strata, i.e. the control group
    /// standardised to the treated mix).
    pub mean_control: f64,
    /// treated − control, per customer.
    pub effect: f64,
    /// Lower end of the interval of `effect`.
    pub ci_low: f64,
    /// Upper end of the interval of `effect`.
    pub ci_high: f64,
    /// Standard error of `effect` (binary: the unpooled Wald standard error,
    /// for information; the interval is Newcombe's).
    pub std_error: f64,
    /// Degrees of freedom of the t distribution (continuous metrics).
    pub df: Option<f64>,
    /// The test statistic: Welch's t, or the z of the score test.
    pub statistic: f64,
    /// Two-sided p-value of "no effect".
    pub p_value: f64,
    /// `effect / mean_control` (`None` when the control mean is 0).
    pub relative_effect: Option<f64>,
    /// The treated population used for `total`.
    pub population: f64,
    /// `effect × population`: the incremental value created (protected income).
    pub total: f64,
    /// `ci_low × population`.
    pub total_ci_low: f64,
    /// `ci_high × population`.
    pub total_ci_high: f64,
}

fn check_confidence(confidence: f64) -> Result<()> {
    if confidence.is_finite() && confidence > 0.0 && confidence < 1.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            "confidence",
            confidence,
            "a confidence level in (0, 1), e.g. 0.95",
        ))
    }
}

fn check_group(field: &str, values: &[f64], min: usize, metric: Metric) -> Result<()> {
    if values.is_empty() {
        return Err(Error::Empty {
            field: field.to_string(),
            reason: "an uplift needs customers in both the treated and the control group"
                .to_string(),
        });
    }
    match metric {
        Metric::Continuous => {
            if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                return Err(Error::invalid_at(field, i, values[i], "a finite number"));
            }
        }
        Metric::Binary => {
            if let Some(i) = values.iter().position(|&v| v != 0.0 && v != 1.0) {
                return Err(Error::invalid_at(
                    field,
                    i,
                    values[i],
                    "0 or 1 for a binary metric",
                ));
            }
        }
    }
    if values.len() < min {
        return Err(Error::invalid(
            field,
            format!("{} customer(s)", values.len()),
            format!("at least {min} customers (a sample variance needs two)"),
        ));
    }
    Ok(())
}

fn check_population(p: Option<f64>, n_treated: usize) -> Result<f64> {
    match p {
        Some(p) if p.is_finite() && p > 0.0 => Ok(p),
        Some(p) => Err(Error::invalid("population", p, "a finite number > 0")),
        None => Ok(n_treated as f64),
    }
}

/// Mean and sample variance (denominator n − 1), by Welford's update.
fn mean_var(values: &[f64]) -> (f64, f64) {
    let (mut mean, mut m2) = (0.0, 0.0);
    for (k, &v) in values.iter().enumerate() {
        let d = v - mean;
        mean += d / (k + 1) as f64;
        m2 += d * (v - mean);
    }
    let var = if values.len() > 1 {
        m2 / (values.len() - 1) as f64
    } else {
        0.0
    };
    (mean, var)
}

fn relative(effect: f64, base: f64) -> Option<f64> {
    (base != 0.0).then(|| effect / base)
}

fn normal_quantile(confidence: f64) -> f64 {
    // Normal::new(0, 1) cannot fail.
    let n = Normal::new(0.0, 1.0).unwrap_or_else(|_| unreachable!());
    n.inverse_cdf(0.5 + confidence / 2.0)
}

fn normal_two_sided(z: f64) -> f64 {
    let n = Normal::new(0.0, 1.0).unwrap_or_else(|_| unreachable!());
    (2.0 * n.sf(z.abs())).min(1.0)
}

fn student(df: f64) -> Result<StudentsT> {
    StudentsT::new(0.0, 1.0, df)
        .map_err(|e| Error::invalid("df", df, format!("positive degrees of freedom ({e})")))
}

/// Uplift of an action: treated vs control, per customer and in total.
///
/// # Continuous metric (Welch)
/// With group means x̄_t, x̄_c, sample variances s²_t, s²_c (denominator
/// n − 1) and sizes n_t, n_c ≥ 2:
/// ```text
/// effect = x̄_t − x̄_c,   a = s²_t/n_t,   b = s²_c/n_c,   se = √(a + b)
/// df     = (a + b)² / (a²/(n_t − 1) + b²/(n_c − 1))     (Welch–Satterthwaite)
/// CI     = effect ± t_{df, (1+confidence)/2} · se
/// t      = effect / se,   p = 2 · P(T_df > |t|)
/// ```
/// One constant group is fine (its variance is 0); both constant gives
/// se = 0 and an error.
///
/// # Binary metric (Newcombe hybrid score)
/// See [`uplift_proportions`]; the values must be 0 or 1.
///
/// # Total
/// `total = effect × population` with the interval scaled the same way
/// (the population, by default n_t, is taken as known).
///
/// # Errors
/// - [`Error::Empty`] (field `treated` or `control`) for an empty group;
/// - [`Error::InvalidValue`] for a NaN or infinite value (binary: a value
///   other than 0 or 1) naming the group and index; for a continuous group
///   with fewer than 2 customers; for both groups constant (field
///   `treated, control`); for `confidence` outside (0, 1) or a
///   non-positive `population`.
///
/// # Example
/// ```
/// use clv::experiment::{uplift, UpliftOptions};
/// let u = uplift(&[12.0, 15.0, 11.0, 18.0, 14.0], &[10.0, 12.0, 9.0, 11.0],
///                &UpliftOptions::default()).unwrap();
/// assert!((u.effect - 3.5).abs() < 1e-12);          // 14 − 10.5
/// assert!((u.total - 17.5).abs() < 1e-12);          // 3.5 × 5 treated
/// assert!(u.ci_low > 0.0 && u.p_value < 0.05);
/// ```
pub fn uplift(treated: &[f64], control: &[f64], options: &UpliftOptions) -> Result<Uplift> {
    check_confidence(options.confidence)?;
    let min = match options.metric {
        Metric::Continuous => 2,
        Metric::Binary => 1,
    };
    check_group("treated", treated, min, options.metric)?;
    check_group("control", control, min, options.metric)?;
    let population = check_population(options.population, treated.len())?;
    match options.metric {
        Metric::Binary => {
            let count = |v: &[f64]| v.iter().filter(|&&x| x == 1.0).count() as u64;
            uplift_proportions(
                count(treated),
                treated.len() as u64,
                count(control),
                control.len() as u64,
                &UpliftOptions {
                    population: Some(population),
                    ..*options
                },
            )
        }
        Metric::Continuous => {
            let (mt, vt) = mean_var(treated);
            let (mc, vc) = mean_var(control);
            let (nt, nc) = (treated.len() as f64, control.len() as f64);
            let (a, b) = (vt / nt, vc / nc);
            let se = (a + b).sqrt();
            if se <= 0.0 {
                return Err(Error::invalid(
                    "treated, control",
                    format!("both constant (treated all {mt}, control all {mc})"),
                    "some variation in at least one group (Welch's interval needs a variance)",
                ));
            }
            let df = (a + b).powi(2) / (a * a / (nt - 1.0) + b * b / (nc - 1.0));
            let t_dist = student(df)?;
            let q = t_dist.inverse_cdf(0.5 + options.confidence / 2.0);
            let effect = mt - mc;
            let t = effect / se;
            let (lo, hi) = (effect - q * se, effect + q * se);
            Ok(Uplift {
                metric: Metric::Continuous,
                method: "welch",
                confidence: options.confidence,
                n_treated: treated.len(),
                n_control: control.len(),
                mean_treated: mt,
                mean_control: mc,
                effect,
                ci_low: lo,
                ci_high: hi,
                std_error: se,
                df: Some(df),
                statistic: t,
                p_value: (2.0 * t_dist.sf(t.abs())).min(1.0),
                relative_effect: relative(effect, mc),
                population,
                total: effect * population,
                total_ci_low: lo * population,
                total_ci_high: hi * population,
            })
        }
    }
}

/// The Wilson score interval of a proportion x/n (Wilson 1927, "Probable
/// inference, the law of succession, and statistical inference", *JASA*
/// 22; Newcombe 1998 method 3):
/// ```text
/// (2x + z² ± z √(z² + 4x(1 − x/n))) / (2(n + z²)),   z = Φ⁻¹((1+confidence)/2)
/// ```
///
/// # Errors
/// [`Error::InvalidValue`] for n = 0 (field `n`), x > n (field
/// `successes`) or a bad `confidence`.
///
/// # Example
/// ```
/// // Hand-computed: z = 1.959964, z² = 3.841459; 2x + z² = 21.841459,
/// // z·√(z² + 4·9·0.1) = 5.346594, 2(n + z²) = 27.682918 → 0.595850 to 0.982124.
/// let (lo, hi) = clv::experiment::wilson_interval(9, 10, 0.95).unwrap();
/// assert!((lo - 0.5958).abs() < 5e-5 && (hi - 0.9821).abs() < 5e-5);
/// ```
pub fn wilson_interval(successes: u64, n: u64, confidence: f64) -> Result<(f64, f64)> {
    check_confidence(confidence)?;
    if n == 0 {
        return Err(Error::invalid("n", n, "at least 1 trial"));
    }
    if successes > n {
        return Err(Error::invalid(
            "successes",
            successes,
            format!("at most n = {n}"),
        ));
    }
    let z = normal_quantile(confidence);
    Ok(wilson(successes as f64, n as f64, z))
}

fn wilson(x: f64, n: f64, z: f64) -> (f64, f64) {
    let z2 = z * z;
    let centre = 2.0 * x + z2;
    let half = z * (z2 + 4.0 * x * (1.0 - x / n)).max(0.0).sqrt();
    let denom = 2.0 * (n + z2);
    // At x = 0 (x = n) the lower (upper) limit is exactly 0 (1).
    let lo = if x == 0.0 {
        0.0
    } else {
        (centre - half) / denom
    };
    let hi = if x == n { 1.0 } else { (centre + half) / denom };
    (lo, hi)
}

/// Uplift on a binary metric from counts: treated x_t/n_t, control x_c/n_c.
///
/// # Formula
/// ```text
/// p_t = x_t/n_t,  p_c = x_c/n_c,  effect δ = p_t − p_c
/// (l_t, u_t), (l_c, u_c): Wilson score intervals of p_t and p_c at z
/// CI = ( δ − √((p_t − l_t)² + (u_c − p_c)²),  δ + √((u_t − p_t)² + (p_c − l_c)²) )
/// ```
/// (Newcombe 1998, method 10, the "hybrid score" interval; it stays inside
/// [−1, 1] and is defined at 0 % and 100 %). The p-value is that of the
/// score test, the pooled two-proportion z test (= Pearson's χ² without
/// continuity correction):
/// ```text
/// p̄ = (x_t + x_c)/(n_t + n_c),   z = δ / √(p̄(1 − p̄)(1/n_t + 1/n_c)),   p = 2(1 − Φ(|z|))
/// ```
/// When both groups are all 0 or all 1 (p̄ ∈ {0, 1}) the data carry no
/// evidence of a difference: z = 0 and p = 1 (Fisher's exact test gives 1
/// too). The interval and the test are different methods and may disagree
/// at the margin (an interval just excluding 0 with p just above 0.05).
/// `std_error` is the unpooled √(p_t(1−p_t)/n_t + p_c(1−p_c)/n_c).
///
/// # Errors
/// [`Error::InvalidValue`] for n_t or n_c = 0 (fields `n_treated`,
/// `n_control`), successes above n, a bad confidence or population.
///
/// # Example
/// ```
/// use clv::experiment::{uplift_proportions, UpliftOptions};
/// // Newcombe (1998), Table II example (a): 56/70 − 48/80 → 0.0524 to 0.3339.
/// let u = uplift_proportions(56, 70, 48, 80, &UpliftOptions::default()).unwrap();
/// assert!((u.ci_low - 0.0524).abs() < 5e-5 && (u.ci_high - 0.3339).abs() < 5e-5);
/// ```
pub fn uplift_proportions(
    successes_treated: u64,
    n_treated: u64,
    successes_control: u64,
    n_control: u64,
    options: &UpliftOptions,
) -> Result<Uplift> {
    check_confidence(options.confidence)?;
    for (field, x, n, xfield) in [
        (
            "n_treated",
            successes_treated,
            n_treated,
            "successes_treated",
        ),
        (
            "n_control",
            successes_control,
            n_control,
            "successes_control",
        ),
    ] {
        if n == 0 {
            return Err(Error::invalid(field, n, "at least 1 customer"));
        }
        if x > n {
            return Err(Error::invalid(xfield, x, format!("at most {field} = {n}")));
        }
    }
    let population = check_population(options.population, n_treated as usize)?;
    let z = normal_quantile(options.confidence);
    let (xt, nt, xc, nc) = (
        successes_treated as f64,
        n_treated as f64,
        successes_control as f64,
        n_control as f64,
    );
    let (pt, pc) = (xt / nt, xc / nc);
    let (lt, ut) = wilson(xt, nt, z);
    let (lc, uc) = wilson(xc, nc, z);
    let effect = pt - pc;
    let lo = effect - ((pt - lt).powi(2) + (uc - pc).powi(2)).sqrt();
    let hi = effect + ((ut - pt).powi(2) + (pc - lc).powi(2)).sqrt();
    let pooled = (xt + xc) / (nt + nc);
    let se0 = (pooled * (1.0 - pooled) * (1.0 / nt + 1.0 / nc)).sqrt();
    let (stat, p_value) = if se0 > 0.0 {
        let z = effect / se0;
        (z, normal_two_sided(z))
    } else {
        (0.0, 1.0)
    };
    Ok(Uplift {
        metric: Metric::Binary,
        method: "newcombe_hybrid_score",
        confidence: options.confidence,
        n_treated: n_treated as usize,
        n_control: n_control as usize,
        mean_treated: pt,
        mean_control: pc,
        effect,
        ci_low: lo,
        ci_high: hi,
        std_error: (pt * (1.0 - pt) / nt + pc * (1.0 - pc) / nc).sqrt(),
        df: None,
        statistic: stat,
        p_value,
        relative_effect: relative(effect, pc),
        population,
        total: effect * population,
        total_ci_low: lo * population,
        total_ci_high: hi * population,
    })
}

/// One stratum of a [`StratifiedUplift`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StratumUplift {
    /// The stratum's label.
    pub stratum: String,
    /// Treated customers in it.
    pub n_treated: usize,
    /// Control customers in it.
    pub n_control: usize,
    /// Its weight w_s = n_t,s / n_t.
    pub weight: f64,
    /// Mean outcome of its treated customers.
    pub mean_treated: f64,
    /// Mean outcome of its control customers.
    pub mean_control: f64,
    /// treated − control in the stratum.
    pub effect: f64,
    /// Standard error of the stratum's effect (see [`uplift_stratified`]).
    pub std_error: f64,
}

/// A stratified uplift: the combined estimate and one row per stratum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StratifiedUplift {
    /// The combined estimate (fields as for [`uplift`]).
    pub overall: Uplift,
    /// The strata, sorted by label.
    pub strata: Vec<StratumUplift>,
}

/// Uplift estimated within comparable segments (strata) and combined.
///
/// Each customer carries a stratum label (size band, RFM segment, region…);
/// the effect is estimated within each stratum and the strata are combined
/// with **treated-population weights**, so the estimate is the average
/// effect on the treated (the campaign's customers as they are mixed), and
/// `total` = Σ_s δ_s · n_t,s (times population / n_t) is the incremental
/// value in the treated population:
/// ```text
/// w_s = n_t,s / n_t                       (Σ w_s = 1)
/// δ_s = x̄_t,s − x̄_c,s,   a_s = s²_t,s / n_t,s,   b_s = s²_c,s / n_c,s
///       (binary: s² = p(1 − p), the binomial variance)
/// δ   = Σ w_s δ_s,   Var(δ) = Σ w_s² (a_s + b_s)   (strata are independent)
/// ```
/// Continuous: the interval uses Student's t with Satterthwaite's degrees of
/// freedom over all 2S variance components,
/// `df = Var(δ)² / Σ_s w_s⁴ (a_s²/(n_t,s − 1) + b_s²/(n_c,s − 1))`, which is
/// Welch's interval exactly when there is one stratum. Binary: the normal
/// (Wald) interval δ ± z √Var(δ) and z test — a stratified Newcombe interval
/// has no closed form; with large strata the two agree. `mean_control` is
/// the control group standardised to the treated mix, Σ w_s x̄_c,s, and
/// `relative_effect` = δ / that.
///
/// Comparable means every stratum has both treated and control customers
/// (continuous: at least 2 of each): a stratum missing from either group is
/// an error naming it, never silently dropped.
///
/// # Errors
/// As [`uplift`], plus [`Error::LengthMismatch`] when a group and its
/// strata differ in length, [`Error::InvalidValue`] (field `strata`) for a
/// stratum without enough treated or control customers, and (field
/// `treated, control`) when the combined variance is 0.
///
/// # Example
/// ```
/// use clv::experiment::{uplift_stratified, UpliftOptions};
/// let t = [10.0, 12.0, 30.0, 34.0, 32.0];
/// let ts = ["small", "small", "large", "large", "large"];
/// let c = [9.0, 10.0, 25.0, 27.0];
/// let cs = ["small", "small", "large", "large"];
/// let s = uplift_stratified(&t, &ts, &c, &cs, &UpliftOptions::default()).unwrap();
/// // small: 11 − 9.5 = 1.5 (weight 2/5); large: 32 − 26 = 6 (weight 3/5)
/// assert!((s.overall.effect - (0.4 * 1.5 + 0.6 * 6.0)).abs() < 1e-12);
/// ```
pub fn uplift_stratified<S: AsRef<str>>(
    treated: &[f64],
    treated_strata: &[S],
    control: &[f64],
    control_strata: &[S],
    options: &UpliftOptions,
) -> Result<StratifiedUplift> {
    check_confidence(options.confidence)?;
    let min = match options.metric {
        Metric::Continuous => 2,
        Metric::Binary => 1,
    };
    check_group("treated", treated, 1, options.metric)?;
    check_group("control", control, 1, options.metric)?;
    crate::error::check::same_len(
        "treated_strata",
        treated_strata.len(),
        "treated",
        treated.len(),
    )?;
    crate::error::check::same_len(
        "control_strata",
        control_strata.len(),
        "control",
        control.len(),
    )?;
    let population = check_population(options.population, treated.len())?;
    let mut groups: BTreeMap<&str, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for (v, s) in treated.iter().zip(treated_strata) {
        groups.entry(s.as_ref()).or_default().0.push(*v);
    }
    for (v, s) in control.iter().zip(control_strata) {
        groups.entry(s.as_ref()).or_default().1.push(*v);
    }
    let n_t = treated.len() as f64;
    let mut strata = Vec::with_capacity(groups.len());
    let (mut effect, mut var, mut mean_c, mut df_denom) = (0.0, 0.0, 0.0, 0.0);
    for (label, (t, c)) in &groups {
        if t.len() < min || c.len() < min {
            return Err(Error::invalid(
                "strata",
                format!(
                    "{label:?} with {} treated and {} control customers",
                    t.len(),
                    c.len()
                ),
                format!("at least {min} treated and {min} control customers in every stratum"),
            ));
        }
        let (mt, vt) = mean_var(t);
        let (mc, vc) = mean_var(c);
        let (nt, nc) = (t.len() as f64, c.len() as f64);
        let (a, b) = match options.metric {
            Metric::Continuous => (vt / nt, vc / nc),
            Metric::Binary => (mt * (1.0 - mt) / nt, mc * (1.0 - mc) / nc),
        };
        let w = nt / n_t;
        effect += w * (mt - mc);
        var += w * w * (a + b);
        mean_c += w * mc;
        if options.metric == Metric::Continuous {
            df_denom += w.powi(4) * (a * a / (nt - 1.0) + b * b / (nc - 1.0));
        }
        strata.push(StratumUplift {
            stratum: (*label).to_string(),
            n_treated: t.len(),
            n_control: c.len(),
            weight: w,
            mean_treated: mt,
            mean_control: mc,
            effect: mt - mc,
            std_error: (a + b).sqrt(),
        });
    }
    let se = var.sqrt();
    if se <= 0.0 {
        return Err(Error::invalid(
            "treated, control",
            "no variation within any stratum",
            "some variation in at least one group of one stratum",
        ));
    }
    let stat = effect / se;
    let (method, df, q, p_value) = match options.metric {
        Metric::Continuous => {
            let df = var * var / df_denom;
            let t = student(df)?;
            (
                "stratified_welch_satterthwaite",
                Some(df),
                t.inverse_cdf(0.5 + options.confidence / 2.0),
                (2.0 * t.sf(stat.abs())).min(1.0),
            )
        }
        Metric::Binary => (
            "stratified_wald",
            None,
            normal_quantile(options.confidence),
            normal_two_sided(stat),
        ),
    };
    let (lo, hi) = (effect - q * se, effect + q * se);
    let mean_t = treated.iter().sum::<f64>() / n_t;
    Ok(StratifiedUplift {
        overall: Uplift {
            metric: options.metric,
            method,
            confidence: options.confidence,
            n_treated: treated.len(),
            n_control: control.len(),
            mean_treated: mean_t,
            mean_control: mean_c,
            effect,
            ci_low: lo,
            ci_high: hi,
            std_error: se,
            df,
            statistic: stat,
            p_value,
            relative_effect: relative(effect, mean_c),
            population,
            total: effect * population,
            total_ci_low: lo * population,
            total_ci_high: hi * population,
        },
        strata,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::ChiSquared;

    fn opts(confidence: f64, metric: Metric) -> UpliftOptions {
        UpliftOptions {
            confidence,
            metric,
            population: None,
        }
    }

    #[test]
    fn welch_by_hand() {
        let t = [12.0, 15.0, 11.0, 18.0, 14.0];
        let c = [10.0, 12.0, 9.0, 11.0];
        let u = uplift(&t, &c, &UpliftOptions::default()).unwrap();
        // Treated: mean 70/5 = 14; deviations −2, 1, −3, 4, 0; SS = 30; s² = 30/4 = 7.5.
        // Control: mean 42/4 = 10.5; deviations −0.5, 1.5, −1.5, 0.5; SS = 5; s² = 5/3.
        // a = 7.5/5 = 1.5; b = (5/3)/4 = 5/12; se² = 1.5 + 5/12 = 23/12.
        // df = (23/12)² / (1.5²/4 + (5/12)²/3) = (529/144) / (0.5625 + 25/432)
        //    = (529/144) / (268/432) = 529·3/268 = 1587/268 ≈ 5.9216.
        let se = (23.0f64 / 12.0).sqrt();
        let df = 1587.0 / 268.0;
        let tq = StudentsT::new(0.0, 1.0, df).unwrap().inverse_cdf(0.975);
        assert!((u.mean_treated - 14.0).abs() < 1e-12 && (u.mean_control - 10.5).abs() < 1e-12);
        assert!((u.effect - 3.5).abs() < 1e-12);
        assert!((u.std_error - se).abs() < 1e-12);
        assert!((u.df.unwrap() - df).abs() < 1e-10);
        assert!((u.ci_low - (3.5 - tq * se)).abs() < 1e-10);
        assert!((u.ci_high - (3.5 + tq * se)).abs() < 1e-10);
        let tstat = 3.5 / se; // ≈ 2.5281
        assert!((u.statistic - tstat).abs() < 1e-12);
        let p = 2.0 * (1.0 - StudentsT::new(0.0, 1.0, df).unwrap().cdf(tstat));
        assert!((u.p_value - p).abs() < 1e-10);
        // t quantile sanity against the printed table: t_{0.975, 6} = 2.447 and
        // t_{0.975, 5} = 2.571 bracket t_{0.975, 5.92}.
        assert!(tq > 2.447 && tq < 2.571, "{tq}");
        assert!((u.relative_effect.unwrap() - 3.5 / 10.5).abs() < 1e-12);
        // total = effect × 5 treated customers, interval scaled too.
        assert!((u.total - 17.5).abs() < 1e-12);
        assert!((u.total_ci_low - 5.0 * u.ci_low).abs() < 1e-12);
        // A given population: 1000 customers reached.
        let u = uplift(
            &t,
            &c,
            &UpliftOptions {
                population: Some(1000.0),
                ..UpliftOptions::default()
            },
        )
        .unwrap();
        assert!((u.total - 3500.0).abs() < 1e-9);
        // 90 % interval: t_{0.95, df}.
        let u90 = uplift(&t, &c, &opts(0.9, Metric::Continuous)).unwrap();
        let tq90 = StudentsT::new(0.0, 1.0, df).unwrap().inverse_cdf(0.95);
        assert!((u90.ci_high - (3.5 + tq90 * se)).abs() < 1e-10);
    }

    #[test]
    fn welch_with_one_constant_group() {
        // Control constant (variance 0): se² = s²_t/n_t and df = n_t − 1 exactly.
        let u = uplift(&[1.0, 2.0, 3.0], &[0.0, 0.0], &UpliftOptions::default()).unwrap();
        // s²_t = 1, se² = 1/3, df = (1/3)² / ((1/3)²/2) = 2.
        assert!((u.df.unwrap() - 2.0).abs() < 1e-12);
        let tq = StudentsT::new(0.0, 1.0, 2.0).unwrap().inverse_cdf(0.975); // 4.303 (tables)
        assert!((tq - 4.303).abs() < 5e-4);
        assert!((u.ci_low - (2.0 - tq * (1.0f64 / 3.0).sqrt())).abs() < 1e-10);
        assert_eq!(u.relative_effect, None); // control mean 0
    }

    #[test]
    fn newcombe_published_examples() {
        // Newcombe (1998) Stat. Med. 17:873-890, Table II, method 10, 95 %:
        // (a) 56/70 − 48/80: 0.0524 to 0.3339; (b) 9/10 − 3/10: 0.1705 to 0.8090.
        for (xt, nt, xc, nc, lo, hi) in [
            (56, 70, 48, 80, 0.0524, 0.3339),
            (9, 10, 3, 10, 0.1705, 0.8090),
        ] {
            let u = uplift_proportions(xt, nt, xc, nc, &UpliftOptions::default()).unwrap();
            assert!((u.ci_low - lo).abs() < 5e-5, "{} vs {lo}", u.ci_low);
            assert!((u.ci_high - hi).abs() < 5e-5, "{} vs {hi}", u.ci_high);
        }
    }

    #[test]
    fn binary_p_value_is_pearson_chi_square() {
        // 56/70 vs 48/80. Pearson χ² (no continuity correction) of the 2×2 table
        // [[56, 14], [48, 32]]: N(ad − bc)² / (r₁ r₂ c₁ c₂)
        //   = 150 · (56·32 − 14·48)² / (70 · 80 · 104 · 46) = 150 · 1120² / 26 790 400 ≈ 7.0234,
        // and the score z test has z² = χ², p = P(χ²₁ > 7.0234).
        let chi2: f64 = 150.0 * 1120.0f64.powi(2) / (70.0 * 80.0 * 104.0 * 46.0);
        let p = 1.0 - ChiSquared::new(1.0).unwrap().cdf(chi2);
        let u = uplift_proportions(56, 70, 48, 80, &UpliftOptions::default()).unwrap();
        assert!((u.statistic.powi(2) - chi2).abs() < 1e-10);
        assert!((u.p_value - p).abs() < 1e-10, "{} {p}", u.p_value);
        assert!((u.effect - 0.2).abs() < 1e-12);
        assert!((u.relative_effect.unwrap() - 0.2 / 0.6).abs() < 1e-12);
        assert!((u.total - 0.2 * 70.0).abs() < 1e-9);
        // The same from 0/1 values.
        let ones = |x: usize, n: usize| {
            (0..n)
                .map(|i| f64::from(u8::from(i < x)))
                .collect::<Vec<_>>()
        };
        let v = uplift(&ones(56, 70), &ones(48, 80), &opts(0.95, Metric::Binary)).unwrap();
        assert_eq!(v, u);
    }

    #[test]
    fn binary_boundaries() {
        // 0/10 − 0/10: effect 0, p = 1 by definition (no evidence), interval from
        // the Wilson upper limits: u = z²/(n + z²) = 3.841459/13.841459 = 0.277530,
        // CI = ±√(0 + 0.277530²) = ±0.2775 (hand-computed).
        let u = uplift_proportions(0, 10, 0, 10, &UpliftOptions::default()).unwrap();
        assert_eq!((u.effect, u.p_value, u.statistic), (0.0, 1.0, 0.0));
        let z2 = 1.959963984540054f64.powi(2);
        assert!((u.ci_high - z2 / (10.0 + z2)).abs() < 1e-9);
        assert!((u.ci_low + z2 / (10.0 + z2)).abs() < 1e-9);
        // 10/10 − 0/10: interval inside [−1, 1].
        let u = uplift_proportions(10, 10, 0, 10, &UpliftOptions::default()).unwrap();
        assert!(u.ci_high <= 1.0 && u.ci_low > 0.0);
        assert_eq!(u.relative_effect, None);
    }

    #[test]
    fn wilson_matches_formula() {
        // 56/70 at 95 %: hand-computed with z = 1.959964, z² = 3.841459:
        // 2x + z² = 115.841459; z√(z² + 4·56·(14/70)) = 1.959964·√48.641459 = 13.669...
        let z = normal_quantile(0.95);
        let (lo, hi) = wilson_interval(56, 70, 0.95).unwrap();
        let half = z * (z * z + 4.0 * 56.0 * 0.2f64).sqrt();
        let d = 2.0 * (70.0 + z * z);
        assert!((lo - (112.0 + z * z - half) / d).abs() < 1e-12);
        assert!((hi - (112.0 + z * z + half) / d).abs() < 1e-12);
        assert!((z - 1.959963984540054).abs() < 1e-12);
        assert!(wilson_interval(3, 2, 0.95).is_err());
        assert!(wilson_interval(0, 0, 0.95).is_err());
    }

    #[test]
    fn stratified_one_stratum_is_welch() {
        let t = [12.0, 15.0, 11.0, 18.0, 14.0];
        let c = [10.0, 12.0, 9.0, 11.0];
        let w = uplift(&t, &c, &UpliftOptions::default()).unwrap();
        let s = uplift_stratified(&t, &["x"; 5], &c, &["x"; 4], &UpliftOptions::default()).unwrap();
        for (a, b) in [
            (s.overall.effect, w.effect),
            (s.overall.ci_low, w.ci_low),
            (s.overall.ci_high, w.ci_high),
            (s.overall.p_value, w.p_value),
            (s.overall.df.unwrap(), w.df.unwrap()),
        ] {
            assert!((a - b).abs() < 1e-12, "{a} {b}");
        }
    }

    #[test]
    fn stratified_by_hand() {
        // small: treated 10, 12 (mean 11, s² 2), control 9, 10 (mean 9.5, s² 0.5)
        // large: treated 30, 34, 32 (mean 32, s² 4), control 25, 27 (mean 26, s² 2)
        // weights 2/5, 3/5. effect = 0.4·1.5 + 0.6·6 = 4.2
        // a_small = 2/2 = 1, b_small = 0.5/2 = 0.25; a_large = 4/3, b_large = 2/2 = 1
        // Var = 0.16·1.25 + 0.36·(7/3) = 0.2 + 0.84 = 1.04
        // df = 1.04² / (0.4⁴(1²/1 + 0.25²/1) + 0.6⁴((4/3)²/2 + 1²/1))
        //    = 1.0816 / (0.0256·1.0625 + 0.1296·(8/9 + 1)) = 1.0816 / (0.0272 + 0.2448) = 3.976...
        let t = [10.0, 12.0, 30.0, 34.0, 32.0];
        let ts = ["small", "small", "large", "large", "large"];
        let c = [9.0, 10.0, 25.0, 27.0];
        let cs = ["small", "small", "large", "large"];
        let s = uplift_stratified(&t, &ts, &c, &cs, &UpliftOptions::default()).unwrap();
        let df = 1.0816 / (0.0256 * 1.0625 + 0.1296 * (16.0 / 18.0 + 1.0));
        let q = StudentsT::new(0.0, 1.0, df).unwrap().inverse_cdf(0.975);
        assert!((s.overall.effect - 4.2).abs() < 1e-12);
        assert!((s.overall.std_error - 1.04f64.sqrt()).abs() < 1e-12);
        assert!((s.overall.df.unwrap() - df).abs() < 1e-9);
        assert!((s.overall.ci_low - (4.2 - q * 1.04f64.sqrt())).abs() < 1e-9);
        // control standardised to the treated mix: 0.4·9.5 + 0.6·26 = 19.4
        assert!((s.overall.mean_control - 19.4).abs() < 1e-12);
        assert!((s.overall.total - 4.2 * 5.0).abs() < 1e-12);
        assert_eq!(s.strata[0].stratum, "large"); // sorted by label
        assert!((s.strata[0].weight - 0.6).abs() < 1e-15);
        // Binary, Wald: stratum A treated 1,1,0,1 (0.75) control 1,0,0,0 (0.25);
        // B treated 1,0 (0.5) control 0,0,1,0 (0.25). w = 4/6, 2/6.
        // effect = (2/3)·0.5 + (1/3)·0.25 = 5/12
        // var = (4/9)(0.75·0.25/4 + 0.25·0.75/4) + (1/9)(0.25/2 + 0.1875/4)
        //     = (4/9)(0.09375) + (1/9)(0.171875) = 0.0416667 + 0.0190972 = 0.0607639
        let bt = [1.0, 1.0, 0.0, 1.0, 1.0, 0.0];
        let bts = ["A", "A", "A", "A", "B", "B"];
        let bc = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0];
        let bcs = ["A", "A", "A", "A", "B", "B", "B", "B"];
        let s = uplift_stratified(&bt, &bts, &bc, &bcs, &opts(0.95, Metric::Binary)).unwrap();
        let var: f64 = 4.0 / 9.0 * 0.09375 + 1.0 / 9.0 * (0.125 + 0.046875);
        let z = 1.959963984540054;
        assert!((s.overall.effect - 5.0 / 12.0).abs() < 1e-12);
        assert!((s.overall.ci_high - (5.0 / 12.0 + z * var.sqrt())).abs() < 1e-9);
        assert_eq!(s.overall.method, "stratified_wald");
    }

    #[test]
    fn errors_are_typed() {
        let d = UpliftOptions::default();
        let field = |r: Result<Uplift>| {
            let e = r.unwrap_err();
            (e.code(), e.field().map(str::to_string))
        };
        assert_eq!(
            field(uplift(&[], &[1.0, 2.0], &d)),
            ("EMPTY_INPUT", Some("treated".into()))
        );
        assert_eq!(
            field(uplift(&[1.0, 2.0], &[], &d)),
            ("EMPTY_INPUT", Some("control".into()))
        );
        assert_eq!(
            field(uplift(&[1.0], &[1.0, 2.0], &d)),
            ("INVALID_INPUT", Some("treated".into()))
        );
        assert_eq!(
            field(uplift(&[1.0, f64::NAN], &[1.0, 2.0], &d)),
            ("INVALID_INPUT", Some("treated".into()))
        );
        let e = uplift(&[3.0, 3.0], &[2.0, 2.0, 2.0], &d).unwrap_err();
        assert!(e.to_string().contains("both constant"), "{e}");
        for c in [0.0, 1.0, -0.5, f64::NAN, 95.0] {
            assert_eq!(
                field(uplift(
                    &[1.0, 2.0],
                    &[1.0, 2.0],
                    &opts(c, Metric::Continuous)
                )),
                ("INVALID_INPUT", Some("confidence".into()))
            );
        }
        let b = opts(0.95, Metric::Binary);
        let e = uplift(&[1.0, 2.0], &[0.0], &b).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid treated[1]: 2 (expected 0 or 1 for a binary metric)"
        );
        assert_eq!(
            field(uplift_proportions(1, 0, 0, 1, &d)),
            ("INVALID_INPUT", Some("n_treated".into()))
        );
        assert_eq!(
            field(uplift_proportions(1, 1, 3, 2, &d)),
            ("INVALID_INPUT", Some("successes_control".into()))
        );
        let pop = UpliftOptions {
            population: Some(-1.0),
            ..d
        };
        assert_eq!(
            field(uplift(&[1.0, 2.0], &[1.0, 2.0], &pop)),
            ("INVALID_INPUT", Some("population".into()))
        );
        // Stratified: a stratum missing from the control group, length mismatch.
        let e = uplift_stratified(
            &[1.0, 2.0, 3.0, 4.0],
            &["a", "a", "b", "b"],
            &[1.0, 2.0],
            &["a", "a"],
            &d,
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("strata"));
        assert!(
            e.to_string().contains("\"b\" with 2 treated and 0 control"),
            "{e}"
        );
        let e = uplift_stratified(&[1.0, 2.0], &["a"], &[1.0, 2.0], &["a", "a"], &d).unwrap_err();
        assert_eq!(e.code(), "LENGTH_MISMATCH");
    }
}
