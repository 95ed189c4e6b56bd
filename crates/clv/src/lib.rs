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
#![cfg_attr(docsrs, feature(doc_cfg))]

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
pub mod simulate;
pub mod special;
pub mod summary;
pub mod time;
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
