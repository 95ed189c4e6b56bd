//! `ln` and `exp` of [`LANES`] values at once, for the per-row passes of
//! the fits (BG/NBD: two logarithms and one exponential per customer with
//! repeat purchases, most of a pass).
//!
//! glibc's `log` and `exp` are one call per value; these are the same
//! kind of algorithm without a branch on the value, so that the compiler
//! runs them on several lanes of a vector register: a reduction to a
//! small interval by the binary exponent and a minimax polynomial there,
//! those of fdlibm (Sun Microsystems, 1993: `e_log.c` and `e_exp.c`,
//! "error < 1 ulp"; the coefficients are its Remez fits). Lanes outside
//! the range where the branch-free reduction is exact (zero, negative,
//! subnormal, infinite or NaN arguments of `ln`; `exp` below −708 or above
//! 709, or NaN) send the whole group to the standard library's functions,
//! so that every value stays within 1 ulp of the true one or is exactly
//! the standard library's.

/// Values per call: 16 rows of a pass ([`crate::models::bg_nbd`]'s
/// products of 16 factors).
pub(crate) const LANES: usize = 16;

/// The `f64`s with these bits, as fdlibm's comments give its constants.
const fn from_bits<const N: usize>(bits: [u64; N]) -> [f64; N] {
    let mut out = [0.0; N];
    let mut i = 0;
    while i < N {
        out[i] = f64::from_bits(bits[i]);
        i += 1;
    }
    out
}

/// ln 2 in two parts: `LN2_HI` has 32 significant bits, so that k·LN2_HI is
/// exact for |k| < 2¹¹ (fdlibm's split).
const LN2: [f64; 2] = from_bits([0x3fe6_2e42_fee0_0000, 0x3dea_39ef_3579_3c76]);
const LN2_HI: f64 = LN2[0];
const LN2_LO: f64 = LN2[1];

/// fdlibm `e_log.c`: ln(1+f) = f − f²/2 + s(f²/2 + R(s²)) with
/// s = f/(2+f), R a degree-7 polynomial in s² (Remez, |error| < 2^−58.45).
const LG: [f64; 7] = from_bits([
    0x3fe5_5555_5555_5593,
    0x3fd9_9999_9997_fa04,
    0x3fd2_4924_9422_9359,
    0x3fcc_71c5_1d8e_78af,
    0x3fc7_4664_96cb_03de,
    0x3fc3_9a09_d078_c69f,
    0x3fc2_f112_df3e_5244,
]);

/// fdlibm `e_exp.c`: exp(r) = 1 + 2r/(2 − c) with c = r − r²·P(r²), P a
/// degree-4 polynomial (Remez, |error| < 2^−59) on |r| ≤ ln2/2.
const P: [f64; 5] = from_bits([
    0x3fc5_5555_5555_553e,
    0xbf66_c16c_16be_bd93,
    0x3f11_566a_af25_de2c,
    0xbebb_bd41_c5d2_6bf1,
    0x3e66_3769_72be_a4d0,
]);

/// 1.5·2⁵²: x + SHIFT − SHIFT rounds x (|x| < 2⁵¹) to the nearest integer,
/// and the low bits of x + SHIFT hold that integer.
const SHIFT: f64 = 6_755_399_441_055_744.0;

/// ln of one value, for a normal, positive, finite `x` (the lanes' range;
/// anything else gives a wrong number, which [`ln_lanes`] never returns).
#[inline(always)]
fn ln_normal(x: f64) -> f64 {
    // x = 2^k · m with m in [√2/2, √2): fdlibm's shift of the high word by
    // the bits of √2/2, which carries into the exponent exactly when the
    // mantissa is at least √2.
    let bits = x.to_bits();
    let high = (bits >> 32) + (0x3ff0_0000 - 0x3fe6_a09e);
    let k = (high >> 20) as i64 - 0x3ff;
    let high = (high & 0x000f_ffff) + 0x3fe6_a09e;
    let m = f64::from_bits((high << 32) | (bits & 0xffff_ffff));
    let f = m - 1.0;
    let half_f2 = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG[1] + w * (LG[3] + w * LG[5]));
    let t2 = z * (LG[0] + w * (LG[2] + w * (LG[4] + w * LG[6])));
    // k as a float without a conversion instruction the baseline lacks:
    // |k| < 2¹¹, exact through the SHIFT constant's bits.
    let dk = f64::from_bits(SHIFT.to_bits().wrapping_add(k as u64)) - SHIFT;
    s * (half_f2 + (t1 + t2)) + dk * LN2_LO - half_f2 + f + dk * LN2_HI
}

/// exp of one value in [−708, 709] (the lanes' range; 2^k stays normal).
#[inline(always)]
fn exp_in_range(x: f64) -> f64 {
    // k = round(x / ln 2); r = x − k ln 2 in two parts, |r| ≤ ln2/2 (+ulps).
    let t = x * std::f64::consts::LOG2_E + SHIFT;
    let kf = t - SHIFT;
    let hi = x - kf * LN2_HI;
    let lo = kf * LN2_LO;
    let r = hi - lo;
    let r2 = r * r;
    let c = r - r2 * (P[0] + r2 * (P[1] + r2 * (P[2] + r2 * (P[3] + r2 * P[4]))));
    let y = 1.0 + (r * c / (2.0 - c) - lo + hi);
    // 2^k from its exponent bits; k = low bits of t (two's complement).
    let k = t.to_bits().wrapping_sub(SHIFT.to_bits()) as i64;
    y * f64::from_bits(((k + 0x3ff) as u64) << 52)
}

/// `x[i] ← ln x[i]` for every lane: within 1 ulp of the true value (the
/// branch-free path) where every lane is normal, positive and finite; else
/// `f64::ln` of each, as it would have been.
pub(crate) fn ln_lanes(x: &mut [f64; LANES]) {
    // `&` and not `&&` or `contains`: no branch per lane.
    #[allow(clippy::manual_range_contains)]
    let all_normal = x.iter().fold(true, |ok, &v| {
        ok & (v >= f64::MIN_POSITIVE) & (v <= f64::MAX)
    });
    if all_normal {
        for v in x.iter_mut() {
            *v = ln_normal(*v);
        }
    } else {
        for v in x.iter_mut() {
            *v = v.ln();
        }
    }
}

/// `x[i] ← e^{x[i]}` for every lane: within 1 ulp of the true value where
/// every lane is in [−708, 709] (results from 3.3·10⁻³⁰⁸ to 8.2·10³⁰⁷, all
/// normal); else `f64::exp` of each.
pub(crate) fn exp_lanes(x: &mut [f64; LANES]) {
    #[allow(clippy::manual_range_contains)]
    let in_range = x
        .iter()
        .fold(true, |ok, &v| ok & (v >= -708.0) & (v <= 709.0));
    if in_range {
        for v in x.iter_mut() {
            *v = exp_in_range(*v);
        }
    } else {
        for v in x.iter_mut() {
            *v = v.exp();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::simulate::Rng;

    /// The largest distance in ulps between `lanes` and the standard
    /// library's `std` over 200,000 groups of values `draw(rng, group)`.
    fn worst_ulps(
        seed: u64,
        draw: impl Fn(&mut Rng, usize) -> f64,
        lanes: fn(&mut [f64; LANES]),
        std: fn(f64) -> f64,
    ) -> u64 {
        let mut rng = Rng::new(seed);
        let mut worst = 0;
        for group in 0..200_000 {
            let x: [f64; LANES] = std::array::from_fn(|_| draw(&mut rng, group));
            let mut y = x;
            lanes(&mut y);
            for (&v, &got) in x.iter().zip(&y) {
                worst = worst.max(got.to_bits().abs_diff(std(v).to_bits()));
            }
        }
        worst
    }

    /// Against glibc's `log` (itself within 0.52 ulp of the true value):
    /// at most 1 ulp apart over the whole normal range; ln 1 = 0 and
    /// ln 2 = −ln ½ = `LN_2` exactly.
    #[test]
    fn ln_lanes_agree_with_the_standard_library() {
        let draw = |rng: &mut Rng, group: usize| match group % 3 {
            // any normal value: a random exponent and mantissa
            0 => f64::from_bits(((rng.next_u64() % 2046 + 1) << 52) | (rng.next_u64() >> 12)),
            // around 1, where ln is small
            1 => 1.0 + (rng.uniform() - 0.5) * 0.1,
            // the fits' α + T: weeks to years
            _ => 0.01 + rng.uniform() * 500.0,
        };
        let worst = worst_ulps(1, draw, ln_lanes, f64::ln);
        assert!(worst <= 1, "{worst} ulps");
        let mut x = [1.0; LANES];
        x[1] = 2.0;
        x[2] = 0.5;
        ln_lanes(&mut x);
        assert_eq!(x[0].to_bits(), 0.0f64.to_bits());
        assert_eq!(x[1], std::f64::consts::LN_2);
        assert_eq!(x[2], -std::f64::consts::LN_2);
    }

    /// Against glibc's `exp`: at most 1 ulp apart on [−708, 709], and
    /// exp(0) = 1 exactly.
    #[test]
    fn exp_lanes_agree_with_the_standard_library() {
        let draw = |rng: &mut Rng, group: usize| match group % 3 {
            0 => -708.0 + rng.uniform() * 1417.0,
            // the fits' e^{−|a4 − a3|}
            1 => -rng.uniform() * 40.0,
            _ => (rng.uniform() - 0.5) * 1e-6,
        };
        let worst = worst_ulps(2, draw, exp_lanes, f64::exp);
        assert!(worst <= 1, "{worst} ulps");
        let mut x = [0.0; LANES];
        exp_lanes(&mut x);
        assert!(x.iter().all(|&v| v == 1.0));
    }

    /// A lane outside the branch-free range sends the group to the standard
    /// library: the same values as `f64::ln` / `f64::exp`, bit for bit,
    /// including 0, −inf, inf and NaN.
    #[test]
    fn lanes_outside_the_range_take_the_standard_functions() {
        let odd = [
            0.0,
            -1.0,
            5e-324,
            f64::INFINITY,
            f64::NAN,
            2.2e-308,
            1.0,
            3.5,
        ];
        for &bad in &odd {
            let mut x = [2.5; LANES];
            x[7] = bad;
            let mut y = x;
            ln_lanes(&mut y);
            for (&v, &got) in x.iter().zip(&y) {
                assert_eq!(got.to_bits(), v.ln().to_bits(), "ln {v}");
            }
        }
        for &bad in &[-745.0, -709.0, 710.0, f64::NEG_INFINITY, f64::NAN] {
            let mut x = [-2.5; LANES];
            x[3] = bad;
            let mut y = x;
            exp_lanes(&mut y);
            for (&v, &got) in x.iter().zip(&y) {
                assert_eq!(got.to_bits(), v.exp().to_bits(), "exp {v}");
            }
        }
    }
}
