//! # Deterministic value formulas on exact money ([`Decimal`])
//!
//! | function | formula | source |
//! | --- | --- | --- |
//! | [`waland_cole`], [`waland_cole_constant`], [`waland_cole_breakdown`] | `VC = Σ_{t=1..n} (Vol_t·M_t − D_t − R_t)·d^t − A`, `d = 1/(1+COC)` | Waland & Cole, "client value" |
//! | [`simple_clv`] | `APV × frequency × lifespan × margin_rate − acquisition − retention` | textbook "simple CLV" |
//! | [`retention_clv`] | `m·r / (1 + i − r)` | Gupta & Lehmann (2003) |
//! | [`retention_clv_finite`] | `Σ_{t=1..n} m·(r/(1+i))^t` | Gupta & Lehmann (2003), finite horizon |
//! | [`contribution_margin`], [`contribution_margins`] | `revenue − variable_costs − cost_to_serve` | definition |
//!
//! ## Arithmetic and rounding
//!
//! All arithmetic is [`rust_decimal::Decimal`] (96-bit mantissa, at most 28
//! decimal places) with checked operations: an overflow is
//! [`Error::Overflow`], never a panic or a wrapped value. Addition,
//! subtraction and multiplication are exact while the result fits; division
//! (and a product that would need more than 28 decimal places) rounds to the
//! nearest representable value, as `rust_decimal` does, so a discounted value
//! is correct to a few units in the 28th decimal place. Results are returned
//! **unrounded**; round for display or booking with [`round_money`].
//!
//! ## Validation
//!
//! Rates: `retention` in `[0, 1)`; `discount_rate` and `cost_of_capital` `≥ 0`
//! (a negative rate is rejected even though `> −1` would keep the formulas
//! finite); `margin_rate` in `[0, 1]`; `periods ≥ 1`. Volumes, frequencies,
//! lifespans, average purchase values and every cost are `≥ 0`. A margin per
//! unit, a retention-model margin and a revenue may have either sign (a
//! customer served below cost, or net revenue after returns, is negative).
//! A rejected value is an [`Error::InvalidValue`] naming the field and the
//! value (and the 0-based index for a series element).

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check};

// ---------------------------------------------------------------------------
// helpers

fn overflow(context: &str) -> Error {
    Error::Overflow {
        context: context.to_string(),
    }
}

fn add(a: Decimal, b: Decimal, context: &str) -> Result<Decimal> {
    a.checked_add(b).ok_or_else(|| overflow(context))
}

fn sub(a: Decimal, b: Decimal, context: &str) -> Result<Decimal> {
    a.checked_sub(b).ok_or_else(|| overflow(context))
}

fn mul(a: Decimal, b: Decimal, context: &str) -> Result<Decimal> {
    a.checked_mul(b).ok_or_else(|| overflow(context))
}

fn div(a: Decimal, b: Decimal, context: &str) -> Result<Decimal> {
    a.checked_div(b).ok_or_else(|| overflow(context))
}

/// `a − b − c`, `None` on overflow: a contribution (revenue less two kinds
/// of costs).
fn less_costs(a: Decimal, b: Decimal, c: Decimal) -> Option<Decimal> {
    a.checked_sub(b)?.checked_sub(c)
}

const NON_NEGATIVE: &str = "a decimal >= 0";

fn non_negative(field: &str, x: Decimal) -> Result<Decimal> {
    if x < Decimal::ZERO {
        Err(Error::invalid(field, x, NON_NEGATIVE))
    } else {
        Ok(x)
    }
}

fn all_non_negative(field: &str, xs: &[Decimal]) -> Result<()> {
    match xs.iter().position(|x| *x < Decimal::ZERO) {
        Some(i) => Err(Error::invalid_at(field, i, xs[i], NON_NEGATIVE)),
        None => Ok(()),
    }
}

fn unit_closed(field: &str, x: Decimal) -> Result<Decimal> {
    if x < Decimal::ZERO || x > Decimal::ONE {
        Err(Error::invalid(field, x, "a decimal in [0, 1]"))
    } else {
        Ok(x)
    }
}

fn retention_rate(x: Decimal) -> Result<Decimal> {
    if x < Decimal::ZERO || x >= Decimal::ONE {
        Err(Error::invalid("retention", x, "a decimal in [0, 1)"))
    } else {
        Ok(x)
    }
}

fn periods_at_least_one(periods: u32) -> Result<u32> {
    if periods == 0 {
        Err(Error::invalid("periods", periods, "an integer >= 1"))
    } else {
        Ok(periods)
    }
}

/// `Σ_{t=1..n} x^t` for `0 ≤ x ≤ 1`, in `O(log n)` steps without the
/// cancellation of the closed form `x(1 − xⁿ)/(1 − x)`: binary doubling with
/// `S(2k) = S(k)·(1 + x^k)` and `S(k+1) = x·(1 + S(k))`. Written by hand:
/// `rust_decimal` has no geometric series, and its `powu` needs the `maths`
/// feature while a plain power would still leave the cancellation.
fn geometric_sum(x: Decimal, n: u32, context: &str) -> Result<Decimal> {
    let mut sum = Decimal::ZERO; // S(k)
    let mut power = Decimal::ONE; // x^k
    for bit in (0..u32::BITS - n.leading_zeros()).rev() {
        // k → 2k
        sum = mul(sum, add(Decimal::ONE, power, context)?, context)?;
        power = mul(power, power, context)?;
        if n & (1 << bit) != 0 {
            // k → k + 1
            sum = mul(x, add(Decimal::ONE, sum, context)?, context)?;
            power = mul(power, x, context)?;
        }
    }
    Ok(sum)
}

/// Round `x` to `dp` decimal places, **half away from zero** (2.345 → 2.35,
/// −2.345 → −2.35), the usual commercial rule; not banker's rounding. A value
/// with at most `dp` places is returned unchanged.
///
/// ```
/// use clv::formulas::round_money;
/// use rust_decimal::Decimal;
/// let x: Decimal = "266.66666666666666666666666667".parse().unwrap();
/// assert_eq!(round_money(x, 2).to_string(), "266.67");
/// assert_eq!(round_money("2.345".parse().unwrap(), 2).to_string(), "2.35");
/// assert_eq!(round_money("-2.345".parse().unwrap(), 2).to_string(), "-2.35");
/// assert_eq!(round_money("0.125".parse().unwrap(), 2).to_string(), "0.13");
/// ```
pub fn round_money(x: Decimal, dp: u32) -> Decimal {
    x.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// Parses a decimal string for argument `field` (e.g. `"1234.50"`, `"-3"`,
/// `"1e-3"`); surrounding spaces are ignored. The one decimal parser of the
/// project: the bindings take money as decimal strings so that no binary
/// float ever touches it, and the CLI's decimal options go through it too.
///
/// # Errors
/// [`Error::InvalidValue`] naming `field` and the text when it is not a
/// decimal number representable by [`Decimal`] (28 significant digits).
///
/// ```
/// use clv::formulas::parse_decimal;
/// assert_eq!(parse_decimal("margin", " 12.50 ")?.to_string(), "12.50");
/// assert_eq!(parse_decimal("margin", "1e-3")?.to_string(), "0.001");
/// let e = parse_decimal("margin", "12,5").unwrap_err();
/// assert_eq!(e.to_string(), "invalid margin: \"12,5\" (expected a decimal number such as \"1234.56\")");
/// # Ok::<(), clv::Error>(())
/// ```
pub fn parse_decimal(field: &str, text: &str) -> Result<Decimal> {
    let t = text.trim();
    let parsed = if t.contains(['e', 'E']) {
        Decimal::from_scientific(t)
    } else {
        t.parse::<Decimal>()
    };
    parsed.map_err(|_| {
        Error::invalid(
            field,
            format!("{text:?}"),
            "a decimal number such as \"1234.56\"",
        )
    })
}

// ---------------------------------------------------------------------------
// Waland & Cole

/// Per-period inputs of the Waland & Cole client value; the four series have
/// one element per period `t = 1..n` (element 0 is period 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalandColeInput {
    /// `Vol_t`: units bought in period t (≥ 0).
    pub volume: Vec<Decimal>,
    /// `M_t`: margin per unit in period t (any sign).
    pub margin: Vec<Decimal>,
    /// `D_t`: direct costs of serving the client in period t (≥ 0).
    pub direct_costs: Vec<Decimal>,
    /// `R_t`: retention costs in period t (≥ 0).
    pub retention_costs: Vec<Decimal>,
    /// `A`: acquisition cost, paid once at t = 0, undiscounted (≥ 0).
    pub acquisition_cost: Decimal,
    /// `COC`: cost of capital per period (≥ 0), the discount rate.
    pub cost_of_capital: Decimal,
}

/// One period of a [`WalandColeBreakdown`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalandColePeriod {
    /// Period number t, 1-based.
    pub period: usize,
    /// Undiscounted contribution `Vol_t·M_t − D_t − R_t`.
    pub contribution: Decimal,
    /// `d^t = 1/(1+COC)^t`.
    pub discount_factor: Decimal,
    /// `contribution · discount_factor`.
    pub discounted: Decimal,
}

/// The Waland & Cole client value with its per-period terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalandColeBreakdown {
    /// One entry per period, in order.
    pub periods: Vec<WalandColePeriod>,
    /// `A`, subtracted once.
    pub acquisition_cost: Decimal,
    /// `VC = Σ discounted − A`.
    pub value: Decimal,
}

/// Waland & Cole client value from per-period series.
///
/// # Formula
///
/// ```text
/// VC = Σ_{t=1..n} (Vol_t·M_t − D_t − R_t) · d^t − A,     d = 1 / (1 + COC)
/// ```
///
/// Vol_t units bought in period t, M_t margin per unit, D_t direct costs,
/// R_t retention costs, A acquisition cost, COC cost of capital per period.
/// Discounting convention: each period's contribution arrives at the **end**
/// of period t and is discounted t periods; the acquisition cost is paid at
/// t = 0 and not discounted. `d^t` is computed as `d^{t−1} / (1 + COC)`.
///
/// Source: Waland, R. & Cole, T., "client value" — the standard CLV textbook
/// formula named in DESIGN.md (capability 3).
///
/// # Errors
///
/// [`Error::Empty`] for no periods; [`Error::LengthMismatch`] if `margin`,
/// `direct_costs` or `retention_costs` differ in length from `volume`;
/// [`Error::InvalidValue`] for a negative volume, cost (with its index),
/// acquisition cost or cost of capital; [`Error::Overflow`].
///
/// # Example
///
/// Three periods, COC = 0.25 so that `d = 0.8` and `d^t` = 0.8, 0.64, 0.512:
/// contributions 10·5 − 10 − 5 = 35, 12·5 − 10 − 5 = 45, 15·4 − 12 − 3 = 45;
/// VC = 35·0.8 + 45·0.64 + 45·0.512 − 50 = 28 + 28.8 + 23.04 − 50 = 29.84.
///
/// ```
/// use clv::formulas::{waland_cole, WalandColeInput};
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let input = WalandColeInput {
///     volume: vec![d("10"), d("12"), d("15")],
///     margin: vec![d("5"), d("5"), d("4")],
///     direct_costs: vec![d("10"), d("10"), d("12")],
///     retention_costs: vec![d("5"), d("5"), d("3")],
///     acquisition_cost: d("50"),
///     cost_of_capital: d("0.25"),
/// };
/// assert_eq!(waland_cole(&input)?, d("29.84"));
/// # Ok::<(), clv::Error>(())
/// ```
pub fn waland_cole(input: &WalandColeInput) -> Result<Decimal> {
    waland_cole_breakdown(input).map(|b| b.value)
}

/// [`waland_cole`] with the per-period contributions, discount factors and
/// discounted contributions.
///
/// # Errors
///
/// As [`waland_cole`].
///
/// ```
/// use clv::formulas::{waland_cole_breakdown, WalandColeInput};
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let input = WalandColeInput {
///     volume: vec![d("10"), d("12")],
///     margin: vec![d("5"), d("5")],
///     direct_costs: vec![d("10"), d("10")],
///     retention_costs: vec![d("5"), d("5")],
///     acquisition_cost: d("20"),
///     cost_of_capital: d("0.25"),
/// };
/// let b = waland_cole_breakdown(&input)?;
/// // period 2: (12·5 − 10 − 5) · 0.8² = 45 · 0.64 = 28.8
/// assert_eq!(b.periods[1].contribution, d("45"));
/// assert_eq!(b.periods[1].discount_factor, d("0.64"));
/// assert_eq!(b.periods[1].discounted, d("28.8"));
/// assert_eq!(b.value, d("36.8")); // 28 + 28.8 − 20
/// # Ok::<(), clv::Error>(())
/// ```
pub fn waland_cole_breakdown(input: &WalandColeInput) -> Result<WalandColeBreakdown> {
    let n = input.volume.len();
    check::same_len("margin", input.margin.len(), "volume", n)?;
    check::same_len("direct_costs", input.direct_costs.len(), "volume", n)?;
    check::same_len("retention_costs", input.retention_costs.len(), "volume", n)?;
    if n == 0 {
        return Err(Error::Empty {
            field: "volume".to_string(),
            reason: "the Waland & Cole client value needs at least one period".to_string(),
        });
    }
    all_non_negative("volume", &input.volume)?;
    all_non_negative("direct_costs", &input.direct_costs)?;
    all_non_negative("retention_costs", &input.retention_costs)?;
    non_negative("acquisition_cost", input.acquisition_cost)?;
    non_negative("cost_of_capital", input.cost_of_capital)?;

    let ctx = "Waland & Cole client value";
    let growth = add(Decimal::ONE, input.cost_of_capital, ctx)?;
    let mut factor = Decimal::ONE;
    let mut total = Decimal::ZERO;
    let mut periods = Vec::with_capacity(n);
    for t in 0..n {
        let gross = mul(input.volume[t], input.margin[t], ctx)?;
        let contribution = less_costs(gross, input.direct_costs[t], input.retention_costs[t])
            .ok_or_else(|| overflow(ctx))?;
        factor = div(factor, growth, ctx)?;
        let discounted = mul(contribution, factor, ctx)?;
        total = add(total, discounted, ctx)?;
        periods.push(WalandColePeriod {
            period: t + 1,
            contribution,
            discount_factor: factor,
            discounted,
        });
    }
    let value = sub(total, input.acquisition_cost, ctx)?;
    Ok(WalandColeBreakdown {
        periods,
        acquisition_cost: input.acquisition_cost,
        value,
    })
}

/// Waland & Cole client value with the same volume, margin and costs in each
/// of `periods` periods:
///
/// ```text
/// VC = (Vol·M − D − R) · Σ_{t=1..n} d^t − A,     d = 1 / (1 + COC)
/// Σ_{t=1..n} d^t = (1 − dⁿ) / COC   (= n when COC = 0)
/// ```
///
/// Same conventions and source as [`waland_cole`]. The annuity factor
/// `Σ d^t` is summed by binary doubling in `O(log n)` exact-Decimal steps
/// (no cancellation in `1 − dⁿ`), with `d = 1/(1+COC)` rounded once to 28
/// places; so the result can differ from the series form in the last few of
/// the 28 decimal places.
///
/// # Errors
///
/// [`Error::InvalidValue`] for a negative `volume`, `direct_costs`,
/// `retention_costs`, `acquisition_cost` or `cost_of_capital`, or
/// `periods = 0`; [`Error::Overflow`].
///
/// # Example
///
/// Vol 10, M 5, D 10, R 5 → 35 per period; COC = 0.25 → d = 0.8;
/// Σ_{t=1..3} 0.8^t = 0.8 + 0.64 + 0.512 = 1.952; VC = 35·1.952 − 50 = 18.32.
///
/// ```
/// use clv::formulas::waland_cole_constant;
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let vc = waland_cole_constant(d("10"), d("5"), d("10"), d("5"), 3, d("50"), d("0.25"))?;
/// assert_eq!(vc, d("18.32"));
/// # Ok::<(), clv::Error>(())
/// ```
pub fn waland_cole_constant(
    volume: Decimal,
    margin: Decimal,
    direct_costs: Decimal,
    retention_costs: Decimal,
    periods: u32,
    acquisition_cost: Decimal,
    cost_of_capital: Decimal,
) -> Result<Decimal> {
    non_negative("volume", volume)?;
    non_negative("direct_costs", direct_costs)?;
    non_negative("retention_costs", retention_costs)?;
    non_negative("acquisition_cost", acquisition_cost)?;
    non_negative("cost_of_capital", cost_of_capital)?;
    periods_at_least_one(periods)?;
    let ctx = "Waland & Cole client value (constant)";
    let contribution = less_costs(mul(volume, margin, ctx)?, direct_costs, retention_costs)
        .ok_or_else(|| overflow(ctx))?;
    let d = div(Decimal::ONE, add(Decimal::ONE, cost_of_capital, ctx)?, ctx)?;
    let annuity = geometric_sum(d, periods, ctx)?;
    sub(mul(contribution, annuity, ctx)?, acquisition_cost, ctx)
}

// ---------------------------------------------------------------------------
// Simple CLV

/// Simple (undiscounted) customer lifetime value.
///
/// # Formula
///
/// ```text
/// CLV = APV × purchase_frequency × lifespan × margin_rate − acquisition_cost − retention_cost
/// ```
///
/// Units: `average_purchase_value` is money per purchase; `purchase_frequency`
/// is purchases per period; `lifespan` is the expected relationship length in
/// the **same** periods; `margin_rate` is the gross margin as a fraction of
/// revenue in `[0, 1]`; `acquisition_cost` is paid once; `retention_cost` is
/// the **total** over the lifespan (not per period). No discounting.
///
/// Source: the common "simple CLV" textbook/practitioner formula
/// (DESIGN.md capability 3).
///
/// # Errors
///
/// [`Error::InvalidValue`] for a negative input or a `margin_rate` outside
/// `[0, 1]`; [`Error::Overflow`].
///
/// # Example
///
/// 50 per purchase, 4 purchases a year, 3 years, 25 % margin, 20 to acquire,
/// 10 to retain: 50·4·3·0.25 − 20 − 10 = 150 − 30 = 120.
///
/// ```
/// use clv::formulas::simple_clv;
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// assert_eq!(simple_clv(d("50"), d("4"), d("3"), d("0.25"), d("20"), d("10"))?, d("120"));
/// # Ok::<(), clv::Error>(())
/// ```
pub fn simple_clv(
    average_purchase_value: Decimal,
    purchase_frequency: Decimal,
    lifespan: Decimal,
    margin_rate: Decimal,
    acquisition_cost: Decimal,
    retention_cost: Decimal,
) -> Result<Decimal> {
    non_negative("average_purchase_value", average_purchase_value)?;
    non_negative("purchase_frequency", purchase_frequency)?;
    non_negative("lifespan", lifespan)?;
    unit_closed("margin_rate", margin_rate)?;
    non_negative("acquisition_cost", acquisition_cost)?;
    non_negative("retention_cost", retention_cost)?;
    let ctx = "simple CLV";
    let revenue = mul(
        mul(average_purchase_value, purchase_frequency, ctx)?,
        lifespan,
        ctx,
    )?;
    let margin = mul(revenue, margin_rate, ctx)?;
    sub(sub(margin, acquisition_cost, ctx)?, retention_cost, ctx)
}

// ---------------------------------------------------------------------------
// Retention-based CLV

/// Retention-based CLV, infinite horizon (Gupta & Lehmann's margin multiple).
///
/// # Formula
///
/// ```text
/// CLV = Σ_{t=1..∞} m · r^t / (1 + i)^t = m · r / (1 + i − r)
/// ```
///
/// `m` margin per period, received at the **end** of each period the customer
/// is still retained; `r` retention rate per period (the customer survives to
/// the end of period t with probability `r^t`); `i` discount rate per period.
/// No acquisition cost is subtracted (the value of an acquired customer).
///
/// Source: Gupta, S. & Lehmann, D. R. (2003), "Customers as Assets",
/// Journal of Interactive Marketing 17(1), 9–24; Gupta & Lehmann (2005),
/// *Managing Customers as Investments*.
///
/// # Errors
///
/// [`Error::InvalidValue`] for `retention` outside `[0, 1)` or a negative
/// `discount_rate`; [`Error::Overflow`].
///
/// # Example
///
/// m = 100, r = 0.6, i = 0.2: 100·0.6 / (1.2 − 0.6) = 60 / 0.6 = 100.
///
/// ```
/// use clv::formulas::retention_clv;
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// assert_eq!(retention_clv(d("100"), d("0.6"), d("0.2"))?, d("100"));
/// # Ok::<(), clv::Error>(())
/// ```
pub fn retention_clv(
    margin: Decimal,
    retention: Decimal,
    discount_rate: Decimal,
) -> Result<Decimal> {
    retention_rate(retention)?;
    non_negative("discount_rate", discount_rate)?;
    let ctx = "retention CLV";
    // 1 + i − r ≥ 1 − r > 0 because i ≥ 0 and r < 1.
    let denominator = sub(add(Decimal::ONE, discount_rate, ctx)?, retention, ctx)?;
    div(mul(margin, retention, ctx)?, denominator, ctx)
}

/// Retention-based CLV over a finite horizon of `periods` periods.
///
/// # Formula
///
/// ```text
/// CLV_n = Σ_{t=1..n} m · (r / (1+i))^t
///       = m · r / (1 + i − r) · (1 − (r / (1+i))ⁿ)      (closed form)
/// ```
///
/// Same conventions and source as [`retention_clv`], to which it tends as
/// `n → ∞`. Computed as the sum, by binary doubling in `O(log n)` Decimal
/// steps with `q = r/(1+i)` rounded once to 28 places (exact when `q` is a
/// short decimal).
///
/// # Errors
///
/// As [`retention_clv`], plus [`Error::InvalidValue`] for `periods = 0`.
///
/// # Example
///
/// m = 100, r = 0.6, i = 0.2 → q = 0.5: 50 + 25 + 12.5 = 87.5 for n = 3;
/// closed form 100 · (1 − 0.5³) = 87.5.
///
/// ```
/// use clv::formulas::retention_clv_finite;
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// assert_eq!(retention_clv_finite(d("100"), d("0.6"), d("0.2"), 3)?, d("87.5"));
/// # Ok::<(), clv::Error>(())
/// ```
pub fn retention_clv_finite(
    margin: Decimal,
    retention: Decimal,
    discount_rate: Decimal,
    periods: u32,
) -> Result<Decimal> {
    retention_rate(retention)?;
    non_negative("discount_rate", discount_rate)?;
    periods_at_least_one(periods)?;
    let ctx = "finite-horizon retention CLV";
    let q = div(retention, add(Decimal::ONE, discount_rate, ctx)?, ctx)?;
    mul(margin, geometric_sum(q, periods, ctx)?, ctx)
}

// ---------------------------------------------------------------------------
// Contribution margin

/// Contribution margin of one customer.
///
/// # Formula
///
/// ```text
/// contribution = revenue − variable_costs − cost_to_serve
/// ```
///
/// `revenue` may be negative (net of returns and credit notes); both costs
/// must be `≥ 0`. A negative result marks a customer who destroys margin.
///
/// # Errors
///
/// [`Error::InvalidValue`] for a negative cost; [`Error::Overflow`].
///
/// ```
/// use clv::formulas::contribution_margin;
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// assert_eq!(contribution_margin(d("1000.00"), d("620.50"), d("129.95"))?, d("249.55"));
/// # Ok::<(), clv::Error>(())
/// ```
pub fn contribution_margin(
    revenue: Decimal,
    variable_costs: Decimal,
    cost_to_serve: Decimal,
) -> Result<Decimal> {
    non_negative("variable_costs", variable_costs)?;
    non_negative("cost_to_serve", cost_to_serve)?;
    less_costs(revenue, variable_costs, cost_to_serve)
        .ok_or_else(|| overflow("contribution margin"))
}

/// [`contribution_margin`] for every customer: one value per element, same
/// order. Empty slices give an empty result.
///
/// # Errors
///
/// [`Error::LengthMismatch`] if `variable_costs` or `cost_to_serve` differ in
/// length from `revenue`; [`Error::InvalidValue`] with the index for a
/// negative cost; [`Error::Overflow`].
///
/// ```
/// use clv::formulas::contribution_margins;
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let cm = contribution_margins(&[d("100"), d("40")], &[d("60"), d("30")], &[d("10"), d("25")])?;
/// assert_eq!(cm, [d("30"), d("-15")]);
/// # Ok::<(), clv::Error>(())
/// ```
pub fn contribution_margins(
    revenue: &[Decimal],
    variable_costs: &[Decimal],
    cost_to_serve: &[Decimal],
) -> Result<Vec<Decimal>> {
    let n = revenue.len();
    check::same_len("variable_costs", variable_costs.len(), "revenue", n)?;
    check::same_len("cost_to_serve", cost_to_serve.len(), "revenue", n)?;
    all_non_negative("variable_costs", variable_costs)?;
    all_non_negative("cost_to_serve", cost_to_serve)?;
    revenue
        .iter()
        .zip(variable_costs)
        .zip(cost_to_serve)
        .enumerate()
        .map(|(i, ((&r, &v), &c))| {
            less_costs(r, v, c)
                .ok_or_else(|| overflow(&format!("contribution margin of customer {i}")))
        })
        .collect()
}

/// The formulas on decimal text, for the bindings (Python, JavaScript) that
/// take and return money as strings: each argument is read with
/// [`parse_decimal`] (an error names the argument in snake_case, and the
/// element index in a series), each result written with `Decimal`'s
/// `Display`.
///
/// ```
/// use clv::formulas::text;
/// assert_eq!(text::retention_clv("100", "0.8", "0.1", None)?.parse::<f64>().unwrap().round(), 267.0);
/// assert_eq!(text::contribution_margins(&["100", "40"], &["60", "30"], &["10", "25"])?, ["30", "-15"]);
/// let e = text::waland_cole(&["1", "x"], &["1", "1"], &["0", "0"], &["0", "0"], "0", "0.1").unwrap_err();
/// assert_eq!(e.to_string(), "invalid volume[1]: \"x\" (expected a decimal number such as \"1234.56\")");
/// # Ok::<(), clv::Error>(())
/// ```
pub mod text {
    use super::{Decimal, Result, parse_decimal};

    /// One decimal per element, naming `field[i]` in an error.
    fn series<S: AsRef<str>>(field: &str, texts: &[S]) -> Result<Vec<Decimal>> {
        let parse =
            |(i, t): (usize, &S)| parse_decimal(field, t.as_ref()).map_err(|e| e.at_index(i));
        texts.iter().enumerate().map(parse).collect()
    }

    /// [`super::waland_cole`] with per-period series.
    ///
    /// # Errors
    /// A value that is not a decimal; those of [`super::waland_cole`].
    pub fn waland_cole<S: AsRef<str>>(
        volume: &[S],
        margin: &[S],
        direct_costs: &[S],
        retention_costs: &[S],
        acquisition_cost: &str,
        cost_of_capital: &str,
    ) -> Result<String> {
        let input = super::WalandColeInput {
            volume: series("volume", volume)?,
            margin: series("margin", margin)?,
            direct_costs: series("direct_costs", direct_costs)?,
            retention_costs: series("retention_costs", retention_costs)?,
            acquisition_cost: parse_decimal("acquisition_cost", acquisition_cost)?,
            cost_of_capital: parse_decimal("cost_of_capital", cost_of_capital)?,
        };
        Ok(super::waland_cole(&input)?.to_string())
    }

    /// [`super::waland_cole_constant`].
    ///
    /// # Errors
    /// A value that is not a decimal; those of [`super::waland_cole_constant`].
    pub fn waland_cole_constant(
        volume: &str,
        margin: &str,
        direct_costs: &str,
        retention_costs: &str,
        periods: u32,
        acquisition_cost: &str,
        cost_of_capital: &str,
    ) -> Result<String> {
        Ok(super::waland_cole_constant(
            parse_decimal("volume", volume)?,
            parse_decimal("margin", margin)?,
            parse_decimal("direct_costs", direct_costs)?,
            parse_decimal("retention_costs", retention_costs)?,
            periods,
            parse_decimal("acquisition_cost", acquisition_cost)?,
            parse_decimal("cost_of_capital", cost_of_capital)?,
        )?
        .to_string())
    }

    /// [`super::simple_clv`].
    ///
    /// # Errors
    /// A value that is not a decimal; those of [`super::simple_clv`].
    pub fn simple_clv(
        average_purchase_value: &str,
        purchase_frequency: &str,
        lifespan: &str,
        margin_rate: &str,
        acquisition_cost: &str,
        retention_cost: &str,
    ) -> Result<String> {
        Ok(super::simple_clv(
            parse_decimal("average_purchase_value", average_purchase_value)?,
            parse_decimal("purchase_frequency", purchase_frequency)?,
            parse_decimal("lifespan", lifespan)?,
            parse_decimal("margin_rate", margin_rate)?,
            parse_decimal("acquisition_cost", acquisition_cost)?,
            parse_decimal("retention_cost", retention_cost)?,
        )?
        .to_string())
    }

    /// [`super::retention_clv`], or [`super::retention_clv_finite`] over `periods`.
    ///
    /// # Errors
    /// A value that is not a decimal; those of the formulas.
    pub fn retention_clv(
        margin: &str,
        retention: &str,
        discount_rate: &str,
        periods: Option<u32>,
    ) -> Result<String> {
        let m = parse_decimal("margin", margin)?;
        let r = parse_decimal("retention", retention)?;
        let i = parse_decimal("discount_rate", discount_rate)?;
        let v = match periods {
            None => super::retention_clv(m, r, i)?,
            Some(n) => super::retention_clv_finite(m, r, i, n)?,
        };
        Ok(v.to_string())
    }

    /// [`super::contribution_margin`].
    ///
    /// # Errors
    /// A value that is not a decimal; those of [`super::contribution_margin`].
    pub fn contribution_margin(
        revenue: &str,
        variable_costs: &str,
        cost_to_serve: &str,
    ) -> Result<String> {
        Ok(super::contribution_margin(
            parse_decimal("revenue", revenue)?,
            parse_decimal("variable_costs", variable_costs)?,
            parse_decimal("cost_to_serve", cost_to_serve)?,
        )?
        .to_string())
    }

    /// [`super::contribution_margins`].
    ///
    /// # Errors
    /// A value that is not a decimal; those of [`super::contribution_margins`].
    pub fn contribution_margins<S: AsRef<str>>(
        revenue: &[S],
        variable_costs: &[S],
        cost_to_serve: &[S],
    ) -> Result<Vec<String>> {
        let v = super::contribution_margins(
            &series("revenue", revenue)?,
            &series("variable_costs", variable_costs)?,
            &series("cost_to_serve", cost_to_serve)?,
        )?;
        Ok(v.iter().map(Decimal::to_string).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn parse_decimal_accepts_decimal_text_and_names_the_field() {
        assert_eq!(parse_decimal("x", "0.1").unwrap(), dec!(0.1));
        assert_eq!(parse_decimal("x", "-1234.5600").unwrap(), dec!(-1234.5600));
        assert_eq!(parse_decimal("x", "2.5E2").unwrap(), dec!(250));
        for bad in [
            "",
            "abc",
            "1,5",
            "NaN",
            "inf",
            "1e400",
            "99999999999999999999999999999999",
        ] {
            let e = parse_decimal("acquisition_cost", bad).unwrap_err();
            assert_eq!(e.code(), "INVALID_INPUT", "{bad}");
            assert_eq!(e.field(), Some("acquisition_cost"), "{bad}");
        }
    }

    fn three_periods(coc: Decimal) -> WalandColeInput {
        WalandColeInput {
            volume: vec![dec!(10), dec!(12), dec!(15)],
            margin: vec![dec!(5), dec!(5), dec!(4)],
            direct_costs: vec![dec!(10), dec!(10), dec!(12)],
            retention_costs: vec![dec!(5), dec!(5), dec!(3)],
            acquisition_cost: dec!(50),
            cost_of_capital: coc,
        }
    }

    fn close(a: Decimal, b: Decimal, tol: Decimal) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn waland_cole_exact_discount() {
        // contributions: 10·5−10−5 = 35, 12·5−10−5 = 45, 15·4−12−3 = 45
        // COC 0.25 → d = 0.8; 35·0.8 + 45·0.64 + 45·0.512 − 50
        //   = 28 + 28.8 + 23.04 − 50 = 29.84
        let b = waland_cole_breakdown(&three_periods(dec!(0.25))).unwrap();
        let contributions: Vec<Decimal> = b.periods.iter().map(|p| p.contribution).collect();
        assert_eq!(contributions, [dec!(35), dec!(45), dec!(45)]);
        let factors: Vec<Decimal> = b.periods.iter().map(|p| p.discount_factor).collect();
        assert_eq!(factors, [dec!(0.8), dec!(0.64), dec!(0.512)]);
        let discounted: Vec<Decimal> = b.periods.iter().map(|p| p.discounted).collect();
        assert_eq!(discounted, [dec!(28), dec!(28.8), dec!(23.04)]);
        let periods: Vec<usize> = b.periods.iter().map(|p| p.period).collect();
        assert_eq!(periods, [1, 2, 3]);
        assert_eq!(b.acquisition_cost, dec!(50));
        assert_eq!(b.value, dec!(29.84));
        assert_eq!(
            waland_cole(&three_periods(dec!(0.25))).unwrap(),
            dec!(29.84)
        );
        // COC 0: plain sum 35 + 45 + 45 − 50 = 75
        assert_eq!(waland_cole(&three_periods(dec!(0))).unwrap(), dec!(75));
    }

    #[test]
    fn waland_cole_three_periods_by_hand() {
        // COC 0.1: over the common denominator 1.1³ = 1.331,
        // VC = (35·1.21 + 45·1.1 + 45)/1.331 − 50 = (42.35 + 49.5 + 45)/1.331 − 50
        //    = 136.85/1.331 − 50 = 102.8174305033809166040570999... − 50
        let vc = waland_cole(&three_periods(dec!(0.1))).unwrap();
        let expected = dec!(136.85) / dec!(1.331) - dec!(50);
        assert!(close(vc, expected, dec!(1e-24)), "{vc} vs {expected}");
        assert_eq!(round_money(vc, 2), dec!(52.82));
        // per-period terms: 35/1.1 = 31.818181..., 45/1.21 = 37.190082...
        let b = waland_cole_breakdown(&three_periods(dec!(0.1))).unwrap();
        assert!(close(
            b.periods[0].discounted,
            dec!(35) / dec!(1.1),
            dec!(1e-25)
        ));
        assert!(close(
            b.periods[1].discounted,
            dec!(45) / dec!(1.21),
            dec!(1e-25)
        ));
        assert!(close(
            b.periods[2].discounted,
            dec!(45) / dec!(1.331),
            dec!(1e-25)
        ));
        let sum: Decimal = b.periods.iter().map(|p| p.discounted).sum();
        assert_eq!(sum - b.acquisition_cost, b.value);
    }

    #[test]
    fn waland_cole_negative_margin() {
        // selling below cost: 10·(−1) − 0 − 0 = −10; COC 0.25 → −10·0.8 − 0 = −8
        let input = WalandColeInput {
            volume: vec![dec!(10)],
            margin: vec![dec!(-1)],
            direct_costs: vec![dec!(0)],
            retention_costs: vec![dec!(0)],
            acquisition_cost: dec!(0),
            cost_of_capital: dec!(0.25),
        };
        assert_eq!(waland_cole(&input).unwrap(), dec!(-8));
    }

    #[test]
    fn waland_cole_constant_matches_series() {
        // constant 35 per period, COC 0.25: 35·(0.8 + 0.64 + 0.512) − 50 = 68.32 − 50
        assert_eq!(
            waland_cole_constant(
                dec!(10),
                dec!(5),
                dec!(10),
                dec!(5),
                3,
                dec!(50),
                dec!(0.25)
            )
            .unwrap(),
            dec!(18.32)
        );
        // COC 0: 35·4 − 50 = 90
        assert_eq!(
            waland_cole_constant(dec!(10), dec!(5), dec!(10), dec!(5), 4, dec!(50), dec!(0))
                .unwrap(),
            dec!(90)
        );
        // against the series form and the closed form (1 − dⁿ)/COC, COC 0.1
        for n in [1u32, 2, 3, 7, 12, 37, 100] {
            let series = WalandColeInput {
                volume: vec![dec!(3); n as usize],
                margin: vec![dec!(12.5); n as usize],
                direct_costs: vec![dec!(7); n as usize],
                retention_costs: vec![dec!(2.5); n as usize],
                acquisition_cost: dec!(40),
                cost_of_capital: dec!(0.1),
            };
            let a = waland_cole(&series).unwrap();
            let b = waland_cole_constant(
                dec!(3),
                dec!(12.5),
                dec!(7),
                dec!(2.5),
                n,
                dec!(40),
                dec!(0.1),
            )
            .unwrap();
            assert!(close(a, b, dec!(1e-22)), "n={n}: {a} vs {b}");
            // closed form: 28·(1 − 1.1^−n)/0.1 − 40, with 1.1^n exact
            let mut g = Decimal::ONE;
            for _ in 0..n {
                g *= dec!(1.1);
            }
            let closed = dec!(28) * (Decimal::ONE - Decimal::ONE / g) / dec!(0.1) - dec!(40);
            assert!(close(b, closed, dec!(1e-20)), "n={n}: {b} vs {closed}");
        }
        // a long horizon tends to the perpetuity 28/0.1 − 40 = 240
        let long = waland_cole_constant(
            dec!(3),
            dec!(12.5),
            dec!(7),
            dec!(2.5),
            u32::MAX,
            dec!(40),
            dec!(0.1),
        )
        .unwrap();
        assert!(close(long, dec!(240), dec!(1e-20)), "{long}");
    }

    #[test]
    fn waland_cole_errors() {
        let mut i = three_periods(dec!(0.1));
        i.margin.pop();
        assert_eq!(
            waland_cole(&i).unwrap_err(),
            Error::LengthMismatch {
                field: "margin".into(),
                actual: 2,
                reference: "volume".into(),
                expected: 3
            }
        );
        let mut i = three_periods(dec!(0.1));
        i.direct_costs.push(dec!(1));
        assert_eq!(waland_cole(&i).unwrap_err().field(), Some("direct_costs"));
        let mut i = three_periods(dec!(0.1));
        i.retention_costs.clear();
        assert_eq!(
            waland_cole(&i).unwrap_err().field(),
            Some("retention_costs")
        );
        let empty = WalandColeInput {
            volume: vec![],
            margin: vec![],
            direct_costs: vec![],
            retention_costs: vec![],
            acquisition_cost: dec!(0),
            cost_of_capital: dec!(0),
        };
        assert_eq!(waland_cole(&empty).unwrap_err().code(), "EMPTY_INPUT");
        let mut i = three_periods(dec!(0.1));
        i.volume[2] = dec!(-1);
        assert_eq!(
            waland_cole(&i).unwrap_err(),
            Error::invalid_at("volume", 2, "-1", "a decimal >= 0")
        );
        let mut i = three_periods(dec!(0.1));
        i.direct_costs[1] = dec!(-0.5);
        assert_eq!(
            waland_cole(&i).unwrap_err(),
            Error::invalid_at("direct_costs", 1, "-0.5", "a decimal >= 0")
        );
        let mut i = three_periods(dec!(0.1));
        i.retention_costs[0] = dec!(-2);
        assert_eq!(
            waland_cole(&i).unwrap_err().field(),
            Some("retention_costs")
        );
        let mut i = three_periods(dec!(0.1));
        i.acquisition_cost = dec!(-50);
        assert_eq!(
            waland_cole(&i).unwrap_err(),
            Error::invalid("acquisition_cost", "-50", "a decimal >= 0")
        );
        let i = three_periods(dec!(-0.05));
        let e = waland_cole(&i).unwrap_err();
        assert_eq!(
            e,
            Error::invalid("cost_of_capital", "-0.05", "a decimal >= 0")
        );
        assert_eq!(
            e.to_string(),
            "invalid cost_of_capital: -0.05 (expected a decimal >= 0)"
        );
        // overflow
        let mut i = three_periods(dec!(0));
        i.volume[0] = Decimal::MAX;
        assert_eq!(waland_cole(&i).unwrap_err().code(), "OVERFLOW");

        let c = |v, m, dc, rc, n, a, coc| waland_cole_constant(v, m, dc, rc, n, a, coc);
        let one = dec!(1);
        assert_eq!(
            c(dec!(-1), one, one, one, 3, one, one).unwrap_err().field(),
            Some("volume")
        );
        assert_eq!(
            c(one, one, dec!(-1), one, 3, one, one).unwrap_err().field(),
            Some("direct_costs")
        );
        assert_eq!(
            c(one, one, one, dec!(-1), 3, one, one).unwrap_err().field(),
            Some("retention_costs")
        );
        assert_eq!(
            c(one, one, one, one, 3, dec!(-1), one).unwrap_err().field(),
            Some("acquisition_cost")
        );
        assert_eq!(
            c(one, one, one, one, 3, one, dec!(-1)).unwrap_err().field(),
            Some("cost_of_capital")
        );
        assert_eq!(
            c(one, one, one, one, 0, one, one).unwrap_err(),
            Error::invalid("periods", 0, "an integer >= 1")
        );
        assert_eq!(
            c(Decimal::MAX, dec!(2), one, one, 3, one, one).unwrap_err(),
            Error::Overflow {
                context: "Waland & Cole client value (constant)".into()
            }
        );
    }

    #[test]
    fn simple_clv_values_and_errors() {
        // 50·4·3·0.25 − 20 − 10 = 150 − 30 = 120
        assert_eq!(
            simple_clv(dec!(50), dec!(4), dec!(3), dec!(0.25), dec!(20), dec!(10)).unwrap(),
            dec!(120)
        );
        // 19.99·2.5·4·0.4 − 100 − 0 = 79.96 − 100 = −20.04
        assert_eq!(
            simple_clv(
                dec!(19.99),
                dec!(2.5),
                dec!(4),
                dec!(0.4),
                dec!(100),
                dec!(0)
            )
            .unwrap(),
            dec!(-20.04)
        );
        let one = dec!(1);
        let s = simple_clv;
        assert_eq!(
            s(dec!(-1), one, one, one, one, one).unwrap_err(),
            Error::invalid("average_purchase_value", "-1", "a decimal >= 0")
        );
        assert_eq!(
            s(one, dec!(-1), one, one, one, one).unwrap_err().field(),
            Some("purchase_frequency")
        );
        assert_eq!(
            s(one, one, dec!(-1), one, one, one).unwrap_err().field(),
            Some("lifespan")
        );
        assert_eq!(
            s(one, one, one, dec!(1.01), one, one).unwrap_err(),
            Error::invalid("margin_rate", "1.01", "a decimal in [0, 1]")
        );
        assert_eq!(
            s(one, one, one, dec!(-0.1), one, one).unwrap_err().field(),
            Some("margin_rate")
        );
        assert_eq!(
            s(one, one, one, one, dec!(-1), one).unwrap_err().field(),
            Some("acquisition_cost")
        );
        assert_eq!(
            s(one, one, one, one, one, dec!(-1)).unwrap_err().field(),
            Some("retention_cost")
        );
        assert_eq!(
            s(Decimal::MAX, dec!(2), one, one, one, one).unwrap_err(),
            Error::Overflow {
                context: "simple CLV".into()
            }
        );
        // margin_rate bounds are inclusive
        assert_eq!(s(one, one, one, dec!(0), one, one).unwrap(), dec!(-2));
        assert_eq!(s(one, one, one, dec!(1), one, one).unwrap(), dec!(-1));
    }

    #[test]
    fn retention_clv_values() {
        // 100·0.8/(1 + 0.1 − 0.8) = 80/0.3 = 266.666…
        let v = retention_clv(dec!(100), dec!(0.8), dec!(0.1)).unwrap();
        assert_eq!(v.to_string(), "266.66666666666666666666666667");
        assert_eq!(round_money(v, 2), dec!(266.67));
        // 100·0.6/(1.2 − 0.6) = 100
        assert_eq!(
            retention_clv(dec!(100), dec!(0.6), dec!(0.2)).unwrap(),
            dec!(100)
        );
        // r = 0 → 0; i = 0, r = 0.5: m·0.5/0.5 = m
        assert_eq!(
            retention_clv(dec!(100), dec!(0), dec!(0.1)).unwrap(),
            dec!(0)
        );
        assert_eq!(
            retention_clv(dec!(40), dec!(0.5), dec!(0)).unwrap(),
            dec!(40)
        );
        // a loss-making customer: −10·0.75/(1.25 − 0.75) = −15
        assert_eq!(
            retention_clv(dec!(-10), dec!(0.75), dec!(0.25)).unwrap(),
            dec!(-15)
        );
    }

    #[test]
    fn retention_finite_sum_and_closed_form_agree() {
        // q = 0.6/1.2 = 0.5: n = 3 → 50 + 25 + 12.5 = 87.5
        assert_eq!(
            retention_clv_finite(dec!(100), dec!(0.6), dec!(0.2), 3).unwrap(),
            dec!(87.5)
        );
        // n = 1 → m·q = 100·0.8/1.1
        let one = retention_clv_finite(dec!(100), dec!(0.8), dec!(0.1), 1).unwrap();
        assert!(close(one, dec!(80) / dec!(1.1), dec!(1e-25)));
        for (m, r, i) in [
            (dec!(100), dec!(0.8), dec!(0.1)),
            (dec!(37.5), dec!(0.95), dec!(0.01)),
            (dec!(-12), dec!(0.3), dec!(0)),
            (dec!(250), dec!(0.999), dec!(0.2)),
        ] {
            for n in [1u32, 2, 5, 10, 31, 64, 200] {
                let fast = retention_clv_finite(m, r, i, n).unwrap();
                // explicit sum Σ m·r^t/(1+i)^t with exact powers
                let (mut rt, mut gt, mut sum) = (Decimal::ONE, Decimal::ONE, Decimal::ZERO);
                for _ in 0..n {
                    rt *= r;
                    gt *= Decimal::ONE + i;
                    sum += m * rt / gt;
                }
                // closed form m·r/(1+i−r)·(1 − qⁿ)
                let closed = retention_clv(m, r, i).unwrap() * (Decimal::ONE - rt / gt);
                assert!(
                    close(fast, sum, dec!(1e-20)),
                    "{m} {r} {i} {n}: {fast} vs sum {sum}"
                );
                assert!(
                    close(fast, closed, dec!(1e-20)),
                    "{m} {r} {i} {n}: {fast} vs {closed}"
                );
            }
        }
    }

    #[test]
    fn retention_finite_tends_to_infinite() {
        let inf = retention_clv(dec!(100), dec!(0.8), dec!(0.1)).unwrap();
        let mut last = Decimal::ZERO;
        for n in [1u32, 10, 100, 1000, u32::MAX] {
            let v = retention_clv_finite(dec!(100), dec!(0.8), dec!(0.1), n).unwrap();
            assert!(v > last && v <= inf + dec!(1e-24), "n={n}: {v}");
            last = v;
        }
        // the gap is inf·qⁿ: for n = 10, 266.666…·(8/11)^10 = 266.666…·0.0413974… = 11.0393…
        let v10 = retention_clv_finite(dec!(100), dec!(0.8), dec!(0.1), 10).unwrap();
        assert_eq!(round_money(inf - v10, 2), dec!(11.04));
        assert!(close(last, inf, dec!(1e-24)), "{last} vs {inf}");
    }

    #[test]
    fn retention_errors() {
        let e = retention_clv(dec!(100), dec!(1), dec!(0.1)).unwrap_err();
        assert_eq!(e, Error::invalid("retention", "1", "a decimal in [0, 1)"));
        assert_eq!(
            retention_clv(dec!(100), dec!(-0.1), dec!(0.1))
                .unwrap_err()
                .field(),
            Some("retention")
        );
        assert_eq!(
            retention_clv(dec!(100), dec!(0.5), dec!(-0.01)).unwrap_err(),
            Error::invalid("discount_rate", "-0.01", "a decimal >= 0")
        );
        assert_eq!(
            retention_clv(Decimal::MAX, dec!(0.9), dec!(0))
                .unwrap_err()
                .code(),
            "OVERFLOW"
        );
        let f = retention_clv_finite;
        assert_eq!(
            f(dec!(1), dec!(1.5), dec!(0), 3).unwrap_err().field(),
            Some("retention")
        );
        assert_eq!(
            f(dec!(1), dec!(0.5), dec!(-1), 3).unwrap_err().field(),
            Some("discount_rate")
        );
        assert_eq!(
            f(dec!(1), dec!(0.5), dec!(0.1), 0).unwrap_err(),
            Error::invalid("periods", 0, "an integer >= 1")
        );
        assert_eq!(
            f(Decimal::MAX, dec!(0.9), dec!(0), 30).unwrap_err().code(),
            "OVERFLOW"
        );
    }

    #[test]
    fn contribution_margin_values_and_errors() {
        // 1000 − 620.50 − 129.95 = 249.55
        assert_eq!(
            contribution_margin(dec!(1000), dec!(620.50), dec!(129.95)).unwrap(),
            dec!(249.55)
        );
        // net revenue after returns may be negative: −20 − 5 − 1 = −26
        assert_eq!(
            contribution_margin(dec!(-20), dec!(5), dec!(1)).unwrap(),
            dec!(-26)
        );
        assert_eq!(
            contribution_margin(dec!(1), dec!(-5), dec!(1)).unwrap_err(),
            Error::invalid("variable_costs", "-5", "a decimal >= 0")
        );
        assert_eq!(
            contribution_margin(dec!(1), dec!(5), dec!(-1))
                .unwrap_err()
                .field(),
            Some("cost_to_serve")
        );
        assert_eq!(
            contribution_margin(Decimal::MIN, dec!(1), dec!(0)).unwrap_err(),
            Error::Overflow {
                context: "contribution margin".into()
            }
        );

        // slices: 100−60−10 = 30, 40−30−25 = −15, 0−0−0 = 0
        let cm = contribution_margins(
            &[dec!(100), dec!(40), dec!(0)],
            &[dec!(60), dec!(30), dec!(0)],
            &[dec!(10), dec!(25), dec!(0)],
        )
        .unwrap();
        assert_eq!(cm, [dec!(30), dec!(-15), dec!(0)]);
        assert_eq!(contribution_margins(&[], &[], &[]).unwrap(), []);
        assert_eq!(
            contribution_margins(&[dec!(1)], &[dec!(1), dec!(2)], &[dec!(1)]).unwrap_err(),
            Error::LengthMismatch {
                field: "variable_costs".into(),
                actual: 2,
                reference: "revenue".into(),
                expected: 1
            }
        );
        assert_eq!(
            contribution_margins(&[dec!(1)], &[dec!(1)], &[])
                .unwrap_err()
                .field(),
            Some("cost_to_serve")
        );
        assert_eq!(
            contribution_margins(
                &[dec!(1), dec!(2)],
                &[dec!(1), dec!(-2)],
                &[dec!(0), dec!(0)]
            )
            .unwrap_err(),
            Error::invalid_at("variable_costs", 1, "-2", "a decimal >= 0")
        );
        assert_eq!(
            contribution_margins(
                &[dec!(0), dec!(0)],
                &[dec!(0), dec!(0)],
                &[dec!(0), dec!(-1)]
            )
            .unwrap_err(),
            Error::invalid_at("cost_to_serve", 1, "-1", "a decimal >= 0")
        );
        assert_eq!(
            contribution_margins(
                &[dec!(0), Decimal::MIN],
                &[dec!(0), dec!(1)],
                &[dec!(0), dec!(0)]
            )
            .unwrap_err(),
            Error::Overflow {
                context: "contribution margin of customer 1".into()
            }
        );
    }

    #[test]
    fn rounding_half_away_from_zero() {
        assert_eq!(round_money(dec!(2.345), 2), dec!(2.35));
        assert_eq!(round_money(dec!(-2.345), 2), dec!(-2.35));
        assert_eq!(round_money(dec!(2.344), 2), dec!(2.34));
        // banker's rounding would give 0.12 and 2
        assert_eq!(round_money(dec!(0.125), 2), dec!(0.13));
        assert_eq!(round_money(dec!(2.5), 0), dec!(3));
        assert_eq!(round_money(dec!(1.5), 40), dec!(1.5));
    }

    #[test]
    fn geometric_sum_by_doubling() {
        // Σ_{t=1..n} 0.5^t = 1 − 0.5^n
        for n in 1..=20u32 {
            let mut p = Decimal::ONE;
            for _ in 0..n {
                p *= dec!(0.5);
            }
            assert_eq!(
                geometric_sum(dec!(0.5), n, "t").unwrap(),
                Decimal::ONE - p,
                "n={n}"
            );
        }
        // x = 1 → n; x = 0 → 0
        assert_eq!(
            geometric_sum(dec!(1), 1_000_000, "t").unwrap(),
            dec!(1000000)
        );
        assert_eq!(geometric_sum(dec!(0), 7, "t").unwrap(), dec!(0));
        assert_eq!(geometric_sum(dec!(0.5), 0, "t").unwrap(), dec!(0));
    }

    #[test]
    fn inputs_round_trip_through_json() {
        let i = three_periods(dec!(0.1));
        let text = serde_json::to_string(&i).unwrap();
        assert!(text.contains(r#""cost_of_capital":"0.1""#), "{text}");
        let back: WalandColeInput = serde_json::from_str(&text).unwrap();
        assert_eq!(back, i);
    }
}
