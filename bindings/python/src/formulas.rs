//! Deterministic value formulas on exact decimals: decimal strings in,
//! decimal strings out, read and written by the core
//! ([`clv::formulas::text`]). Each function passes its arguments to the
//! core function of the same name ([`text_formulas!`]).

use clv::formulas::text;
use pyo3::prelude::*;

use crate::error::Res;

/// An argument as [`clv::formulas::text`] takes it: decimal texts
/// borrowed, counts by value.
trait Arg<'a> {
    type Core;
    fn arg(&'a self) -> Self::Core;
}

impl<'a> Arg<'a> for &str {
    type Core = &'a str;
    fn arg(&'a self) -> &'a str {
        self
    }
}

impl<'a> Arg<'a> for Vec<String> {
    type Core = &'a [String];
    fn arg(&'a self) -> &'a [String] {
        self
    }
}

impl Arg<'_> for u32 {
    type Core = u32;
    fn arg(&self) -> u32 {
        *self
    }
}

impl Arg<'_> for Option<u32> {
    type Core = Option<u32>;
    fn arg(&self) -> Option<u32> {
        *self
    }
}

/// One `#[pyfunction]` per line: the arguments as Python gives them,
/// passed to the core function of the same name in [`clv::formulas::text`],
/// its result returned (errors as `ClvError`).
macro_rules! text_formulas {
    ($(
        $(#[doc = $doc:literal])*
        $(#[pyo3 $opts:tt])?
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty;
    )*) => {$(
        $(#[doc = $doc])*
        #[pyfunction]
        $(#[pyo3 $opts])?
        pub(crate) fn $name($($arg: $ty),*) -> Res<$ret> {
            Ok(text::$name($($arg.arg()),*)?)
        }
    )*};
}

text_formulas! {
    /// Waland & Cole client value with per-period series (decimal strings).
    fn waland_cole(volume: Vec<String>, margin: Vec<String>, direct_costs: Vec<String>,
        retention_costs: Vec<String>, acquisition_cost: &str, cost_of_capital: &str) -> String;

    /// Waland & Cole client value with constant per-period values.
    fn waland_cole_constant(volume: &str, margin: &str, direct_costs: &str, retention_costs: &str,
        periods: u32, acquisition_cost: &str, cost_of_capital: &str) -> String;

    /// Simple CLV: APV × frequency × lifespan × margin rate − acquisition − retention.
    fn simple_clv(average_purchase_value: &str, purchase_frequency: &str, lifespan: &str,
        margin_rate: &str, acquisition_cost: &str, retention_cost: &str) -> String;

    /// Retention CLV m·r/(1+i−r), or the finite-horizon sum over `periods`.
    #[pyo3(signature = (margin, retention, discount_rate, periods=None))]
    fn retention_clv(margin: &str, retention: &str, discount_rate: &str, periods: Option<u32>)
        -> String;

    /// Contribution margin: revenue − variable costs − cost to serve.
    fn contribution_margin(revenue: &str, variable_costs: &str, cost_to_serve: &str) -> String;

    /// Contribution margins of many customers.
    fn contribution_margins(revenue: Vec<String>, variable_costs: Vec<String>,
        cost_to_serve: Vec<String>) -> Vec<String>;
}
