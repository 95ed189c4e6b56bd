//! Priors as plain data, and the default priors of every model.
//!
//! A prior is a density on a parameter θ > 0, written as a name and numbers
//! (`("gamma", shape, rate)`, …) so that every runtime spells it the same
//! way. Each gives ln p(θ) and d ln p/dθ in closed form:
//!
//! ```text
//! gamma(a, b)        ln p = a ln b − lnΓ(a) + (a−1) ln θ − b θ              d = (a−1)/θ − b
//! lognormal(μ, σ)    ln p = −ln θ − ln σ − ½ ln 2π − (ln θ − μ)²/(2σ²)       d = −(1 + (ln θ − μ)/σ²)/θ
//! halfnormal(σ)      ln p = ½ ln(2/π) − ln σ − θ²/(2σ²)                      d = −θ/σ²
//! weibull(k, λ)      ln p = ln k − ln λ + (k−1)(ln θ − ln λ) − (θ/λ)^k       d = (k−1)/θ − (k/λ)(θ/λ)^(k−1)
//! halfflat           ln p = 0 (improper: the posterior must be proper from the data)
//! ```
//!
//! ## Defaults ([`default_priors`])
//!
//! Every default is proper and weakly informative, chosen on the log scale
//! where the sampler works (a lognormal prior on θ is a normal prior on
//! ln θ, so it only adds a gentle quadratic to the log posterior):
//!
//! - **shape parameters** (no unit: BG/NBD and MBG/NBD `r, a, b`;
//!   Pareto/NBD `r, s`; GGom/NBD `r, s`; BG/BB `alpha, beta, gamma, delta`;
//!   sBG `alpha, beta`; Gamma-Gamma `p, q`): `lognormal(0, 2)`, median 1,
//!   95% of its mass in [e⁻³·⁹², e³·⁹²] ≈ [0.02, 50]. Published estimates
//!   of these shapes lie in [0.2, 7] (CDNOW r = 0.243, a = 0.793,
//!   b = 2.426; donations δ = 2.78; Gamma-Gamma p = 6.25); the prior rules
//!   out only Beta or Gamma mixtures more extreme than anything the data of
//!   these models have shown, which keeps a posterior proper when the data
//!   barely identify a shape (a few repeat buyers, a short cohort).
//! - **scale parameters** (in units of time or money, so their size depends
//!   on the unit the user chose: BG/NBD and MBG/NBD `alpha`; Pareto/NBD
//!   `alpha, beta`; GGom/NBD `alpha, b, beta`; Gamma-Gamma `v`):
//!   `lognormal(0, 5)`, 95% of its mass in [e⁻⁹·⁸, e⁹·⁸] ≈ [5·10⁻⁵, 2·10⁴],
//!   wide enough for days, weeks or years, cents or yen, while still
//!   proper.

use std::fmt;

use serde::{Deserialize, Serialize};
use statrs::function::gamma::ln_gamma;

use crate::error::{Error, Result};
use crate::models::ModelKind;

/// The prior families, with the number of arguments each takes.
pub const FAMILIES: [(&str, usize); 5] = [
    ("gamma", 2),
    ("lognormal", 2),
    ("halfnormal", 1),
    ("weibull", 2),
    ("halfflat", 0),
];

/// One element of a prior written as plain data by a binding
/// ([`Prior::from_items`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PriorItem<'a> {
    /// A string (the family name, first).
    Text(&'a str),
    /// A number (an argument).
    Number(f64),
    /// Anything else, by its type name (an error).
    Other(&'a str),
}

impl fmt::Display for PriorItem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PriorItem::Text(s) => write!(f, "{s:?}"),
            PriorItem::Number(v) => write!(f, "{v}"),
            PriorItem::Other(t) => write!(f, "<{t}>"),
        }
    }
}

/// A prior density on one positive parameter (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(into = "(String, Vec<f64>)", try_from = "(String, Vec<f64>)")]
pub enum Prior {
    /// Gamma with shape `shape` and rate `rate` (mean shape/rate).
    Gamma {
        /// Shape a > 0.
        shape: f64,
        /// Rate b > 0.
        rate: f64,
    },
    /// ln θ ~ N(mu, sigma²).
    LogNormal {
        /// Mean of ln θ.
        mu: f64,
        /// Standard deviation of ln θ, > 0.
        sigma: f64,
    },
    /// |N(0, sigma²)|.
    HalfNormal {
        /// Scale σ > 0.
        sigma: f64,
    },
    /// Weibull with shape `k` and scale `lambda`.
    Weibull {
        /// Shape k > 0.
        k: f64,
        /// Scale λ > 0.
        lambda: f64,
    },
    /// The flat improper density on (0, ∞).
    HalfFlat,
}

impl Prior {
    /// A prior from its family name and arguments (module docs), for the
    /// parameter `param` (named in errors).
    ///
    /// ```
    /// use clv::bayes::Prior;
    /// assert_eq!(Prior::new("gamma", &[1.0, 2.0], "r")?, Prior::Gamma { shape: 1.0, rate: 2.0 });
    /// let e = Prior::new("gamma", &[1.0, -2.0], "r").unwrap_err();
    /// assert_eq!(e.field(), Some("r"));
    /// # Ok::<(), clv::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidValue`] with field `param`: an unknown family, the
    /// wrong number of arguments, or an argument out of its domain
    /// (non-finite, or ≤ 0 where it must be positive).
    pub fn new(family: &str, args: &[f64], param: &str) -> Result<Prior> {
        let bad = |expected: String| {
            Error::invalid(
                param,
                format!(
                    "prior {family}({})",
                    args.iter()
                        .map(|a| a.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                expected,
            )
        };
        let Some(&(name, n)) = FAMILIES.iter().find(|(f, _)| *f == family) else {
            return Err(bad(format!(
                "a prior family: {}",
                FAMILIES.map(|(f, _)| f).join(", ")
            )));
        };
        if args.len() != n {
            return Err(bad(format!("{n} argument(s) for a {name} prior")));
        }
        let positive = |i: usize| args[i].is_finite() && args[i] > 0.0;
        let prior = match name {
            "gamma" if positive(0) && positive(1) => Prior::Gamma {
                shape: args[0],
                rate: args[1],
            },
            "lognormal" if args[0].is_finite() && positive(1) => Prior::LogNormal {
                mu: args[0],
                sigma: args[1],
            },
            "halfnormal" if positive(0) => Prior::HalfNormal { sigma: args[0] },
            "weibull" if positive(0) && positive(1) => Prior::Weibull {
                k: args[0],
                lambda: args[1],
            },
            "halfflat" => Prior::HalfFlat,
            "lognormal" => {
                return Err(bad("lognormal(mu, sigma) with mu finite, sigma > 0".into()));
            }
            _ => return Err(bad(format!("{name} arguments that are finite and > 0"))),
        };
        Ok(prior)
    }

    /// A prior written as a list `[family, arg, …]` (or the bare family
    /// name) the way a binding receives it: JS `['gamma', 1, 1]`, Python
    /// `("gamma", 1, 1)`. Each runtime only converts its values to
    /// [`PriorItem`]s, so that all give the same error for the same input.
    ///
    /// ```
    /// use clv::bayes::{Prior, PriorItem};
    /// let p = Prior::from_items(&[PriorItem::Text("gamma"), PriorItem::Number(1.0), PriorItem::Number(2.0)], "r")?;
    /// assert_eq!(p, Prior::Gamma { shape: 1.0, rate: 2.0 });
    /// let e = Prior::from_items(&[PriorItem::Number(1.0)], "r").unwrap_err();
    /// assert_eq!(e.field(), Some("r"));
    /// # Ok::<(), clv::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidValue`] with field `param`: no family name first, an
    /// argument that is not a number; those of [`Prior::new`].
    pub fn from_items(items: &[PriorItem<'_>], param: &str) -> Result<Prior> {
        let shown = || {
            let parts: Vec<String> = items.iter().map(ToString::to_string).collect();
            format!("prior [{}]", parts.join(", "))
        };
        let Some(PriorItem::Text(family)) = items.first() else {
            return Err(Error::invalid(
                param,
                shown(),
                format!(
                    "a list [family, ...args], family one of {}, e.g. ['gamma', 1, 1]",
                    FAMILIES.map(|(f, _)| f).join(", ")
                ),
            ));
        };
        let args = items[1..]
            .iter()
            .map(|a| match a {
                PriorItem::Number(v) => Ok(*v),
                _ => Err(Error::invalid(param, shown(), "numbers after the family")),
            })
            .collect::<Result<Vec<f64>>>()?;
        Prior::new(family, &args, param)
    }

    /// Parses `FAMILY:ARG,ARG` (the CLI spelling), e.g. `gamma:1,1`,
    /// `halfnormal:10`, `halfflat`.
    ///
    /// # Errors
    /// As [`Prior::new`]; an argument that is not a number names `param`.
    pub fn parse(text: &str, param: &str) -> Result<Prior> {
        let (family, rest) = text.split_once(':').unwrap_or((text, ""));
        let args = rest
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                s.trim().parse::<f64>().map_err(|_| {
                    Error::invalid(
                        param,
                        format!("prior {text:?}"),
                        "FAMILY:NUMBER,NUMBER, e.g. gamma:1,1",
                    )
                })
            })
            .collect::<Result<Vec<f64>>>()?;
        Prior::new(family.trim(), &args, param)
    }

    /// The family name, e.g. `"gamma"`.
    pub fn family(&self) -> &'static str {
        match self {
            Prior::Gamma { .. } => "gamma",
            Prior::LogNormal { .. } => "lognormal",
            Prior::HalfNormal { .. } => "halfnormal",
            Prior::Weibull { .. } => "weibull",
            Prior::HalfFlat => "halfflat",
        }
    }

    /// The arguments, in the order of [`Prior::new`].
    pub fn args(&self) -> Vec<f64> {
        match *self {
            Prior::Gamma { shape, rate } => vec![shape, rate],
            Prior::LogNormal { mu, sigma } => vec![mu, sigma],
            Prior::HalfNormal { sigma } => vec![sigma],
            Prior::Weibull { k, lambda } => vec![k, lambda],
            Prior::HalfFlat => Vec::new(),
        }
    }

    /// Whether the prior is a proper density.
    pub fn is_proper(&self) -> bool {
        !matches!(self, Prior::HalfFlat)
    }

    /// ln p(θ) and d ln p/dθ at θ > 0 (module docs).
    ///
    /// ```
    /// use clv::bayes::Prior;
    /// // gamma(2, 1) at θ = 1: ln(1 · e⁻¹ / Γ(2)) = −1; d = 1/1 − 1 = 0
    /// let (v, d) = Prior::Gamma { shape: 2.0, rate: 1.0 }.ln_pdf(1.0);
    /// assert!((v + 1.0).abs() < 1e-15 && d.abs() < 1e-15);
    /// ```
    #[must_use]
    pub fn ln_pdf(&self, theta: f64) -> (f64, f64) {
        const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;
        let ln_t = theta.ln();
        match *self {
            Prior::Gamma { shape: a, rate: b } => (
                a * b.ln() - ln_gamma(a) + (a - 1.0) * ln_t - b * theta,
                (a - 1.0) / theta - b,
            ),
            Prior::LogNormal { mu, sigma } => {
                let z = (ln_t - mu) / sigma;
                (
                    -ln_t - sigma.ln() - HALF_LN_2PI - 0.5 * z * z,
                    -(1.0 + z / sigma) / theta,
                )
            }
            Prior::HalfNormal { sigma } => {
                let z = theta / sigma;
                (
                    std::f64::consts::LN_2 - sigma.ln() - HALF_LN_2PI - 0.5 * z * z,
                    -z / sigma,
                )
            }
            Prior::Weibull { k, lambda } => {
                let u = theta / lambda;
                let uk = u.powf(k);
                (
                    k.ln() - lambda.ln() + (k - 1.0) * u.ln() - uk,
                    (k - 1.0) / theta - k * uk / theta,
                )
            }
            Prior::HalfFlat => (0.0, 0.0),
        }
    }
}

impl fmt::Display for Prior {
    /// `gamma(1, 1)`, `halfflat()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args: Vec<String> = self.args().iter().map(ToString::to_string).collect();
        write!(f, "{}({})", self.family(), args.join(", "))
    }
}

impl From<Prior> for (String, Vec<f64>) {
    fn from(p: Prior) -> Self {
        (p.family().to_string(), p.args())
    }
}

impl TryFrom<(String, Vec<f64>)> for Prior {
    type Error = Error;
    fn try_from((family, args): (String, Vec<f64>)) -> Result<Prior> {
        Prior::new(&family, &args, "prior")
    }
}

/// Whether a parameter of a model is a scale (in units of time or money)
/// rather than a unit-free shape (module docs).
fn is_scale(kind: ModelKind, param: &str) -> bool {
    matches!(
        (kind, param),
        (ModelKind::BgNbd | ModelKind::MbgNbd, "alpha")
            | (ModelKind::ParetoNbd, "alpha" | "beta")
            | (ModelKind::GgomNbd, "alpha" | "b" | "beta")
            | (ModelKind::GammaGamma, "v")
    )
}

/// The default prior of every parameter of `kind`, in the order of its
/// parameters: `lognormal(0, 2)` for shapes, `lognormal(0, 5)` for scales
/// (module docs).
///
/// ```
/// use clv::bayes::{Prior, default_priors};
/// use clv::ModelKind;
/// let p = default_priors(ModelKind::BgNbd);
/// assert_eq!(p[0], Prior::LogNormal { mu: 0.0, sigma: 2.0 }); // r
/// assert_eq!(p[1], Prior::LogNormal { mu: 0.0, sigma: 5.0 }); // alpha
/// ```
#[must_use]
pub fn default_priors(kind: ModelKind) -> Vec<Prior> {
    kind.spec()
        .params
        .iter()
        .map(|p| Prior::LogNormal {
            mu: 0.0,
            sigma: if is_scale(kind, p) { 5.0 } else { 2.0 },
        })
        .collect()
}

/// The priors of every parameter of `kind`: the defaults, replaced by
/// those `given` by parameter name.
///
/// # Errors
/// [`Error::InvalidValue`] with field `priors` for a name that is not a
/// parameter of the model (the value names it), or given twice.
pub fn resolve_priors(kind: ModelKind, given: &[(String, Prior)]) -> Result<Vec<Prior>> {
    replace_by_name(
        kind,
        default_priors(kind),
        given,
        "priors",
        "one prior per parameter",
    )
}

/// `defaults` (one per parameter of `kind`) with those `given` by
/// parameter name replaced; errors name `field`, and say `once` of a name
/// given twice.
///
/// # Errors
/// [`Error::InvalidValue`] with field `field` for a name that is not a
/// parameter of the model (the value names it), or given twice.
pub(crate) fn replace_by_name<T: Copy>(
    kind: ModelKind,
    mut defaults: Vec<T>,
    given: &[(String, T)],
    field: &str,
    once: &str,
) -> Result<Vec<T>> {
    let spec = kind.spec();
    let mut seen = vec![false; defaults.len()];
    for (name, value) in given {
        let Some(i) = spec.params.iter().position(|p| p == name) else {
            return Err(Error::invalid(
                field,
                format!("{name:?}"),
                format!("a parameter of {}: {}", spec.name, spec.params.join(", ")),
            ));
        };
        if seen[i] {
            return Err(Error::invalid(field, format!("{name:?} given twice"), once));
        }
        seen[i] = true;
        defaults[i] = *value;
    }
    Ok(defaults)
}
