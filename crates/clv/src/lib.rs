//! # clv — customer lifetime value
//!
//! One core for everything `clv` computes; the Python, Node and WebAssembly
//! bindings convert types and call into this crate.
//!
//! - [`summary`]: transaction log → per-customer `frequency`, `recency`, `T`,
//!   `monetary_value` (the `lifetimes` definitions), with an optional
//!   calibration/holdout split.
//! - [`time`]: timestamps, periods and time units of a summary.
//! - [`io`]: reading transaction files (CSV or whitespace separated).
//! - [`rfm`]: quantile RFM scores and named segments.
//! - [`formulas`]: exact (Decimal) deterministic value formulas.
//! - [`models`]: probabilistic customer-base and spend models, fitted by
//!   maximum likelihood with [`fit`].
//! - [`diagnostics`]: the numbers behind the model-checking plots (tracking
//!   series, alive path, period transactions, holdout comparison, mixing
//!   distributions).
//! - [`portfolio`]: whale curve, concentration, value tiers, revenue at risk
//!   and the retention-offer ceiling.
//! - [`simulate`]: seeded simulation of customer bases from the transaction
//!   models (the same data in every runtime).
//! - [`experiment`]: uplift of an action against a control group.
//!
//! Every fallible function returns [`Result`]; errors are one [`Error`] enum
//! whose messages name the field and the offending value.
//!
//! # Quick start
//! Transactions → summary → a model → P(alive), expected purchases and CLV,
//! here with the published CDNOW estimates of BG/NBD and Gamma-Gamma (Fader,
//! Hardie & Lee 2005; Fader & Hardie 2013) in weeks of 7 days; a fit on data
//! is `BetaGeo::fit(&[&frequency, &recency, &t], None, &FitOptions::default())`.
//! ```
//! use clv::models::{SpendModel, TransactionModel};
//! use clv::summary::{summarize, SummaryOptions};
//! use clv::time::{parse_timestamp, TimeUnit};
//! use clv::{BetaGeo, GammaGamma};
//!
//! let day = |d| parse_timestamp(d, None);
//! let ids = ["a", "a", "a", "b"];
//! let ts = [day("1997-01-01")?, day("1997-02-12")?, day("1997-05-21")?, day("1997-01-08")?];
//! let options = SummaryOptions {
//!     unit: TimeUnit::parse("7d")?,
//!     observation_end: Some(day("1997-09-30")?),
//!     ..SummaryOptions::default()
//! };
//! let s = summarize(&ids, &ts, Some(&[20.0, 30.0, 40.0, 15.0]), &options)?;
//! assert_eq!(s.frequency, [2.0, 0.0]);
//! assert_eq!(s.recency[0], 20.0); // 140 days = 20 weeks
//!
//! let bg = BetaGeo::from_params(0.243, 4.414, 0.793, 2.426)?;
//! let p = bg.prob_alive(&s.frequency, &s.recency, &s.t)?;
//! assert!(p[0] > 0.5 && p[0] < 1.0);
//! assert_eq!(p[1], 1.0); // BG/NBD: no repeat purchase, no chance to drop out yet
//! let next_year = bg.expected_purchases(52.0, &s.frequency, &s.recency, &s.t)?;
//! assert!(next_year[0] > next_year[1]);
//!
//! let gg = GammaGamma::from_params(6.25, 3.74, 15.44)?;
//! let spend = gg.expected_spend(&s.frequency, s.monetary_value.as_deref().unwrap())?;
//! assert!((spend[1] - 6.25 * 15.44 / 2.74).abs() < 1e-9); // no repeat: the population mean
//! let per_month = clv::value::periods_per_month("7d")?; // weeks of 7 days in a month
//! let clv = clv::value::customer_lifetime_value(&bg, &spend, &s.frequency, &s.recency, &s.t, 12, 0.01, per_month)?;
//! assert!(clv[0] > clv[1] && clv[1] > 0.0);
//! # Ok::<(), clv::Error>(())
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod bayes;
pub mod covariates;
pub mod diagnostics;
mod display;
pub mod error;
pub mod experiment;
pub mod fit;
pub mod formulas;
pub mod io;
pub mod models;
pub mod portfolio;
pub mod rfm;
pub mod scale;
pub mod simulate;
pub mod special;
pub mod summary;
pub mod time;
pub mod uncertainty;
pub mod value;

pub use error::{Error, Result};
pub use models::{
    AnyModel, BetaGeo, BetaGeoBetaBinom, GammaGamma, Model, ModelInfo, ModelKind, ModifiedBetaGeo,
    ParetoNbd, ShiftedBetaGeo, SpendModel, TransactionModel,
};

/// The README's Rust example, compiled and run as a doctest so it cannot drift.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
