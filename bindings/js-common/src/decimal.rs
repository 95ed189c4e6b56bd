//! The money formulas of both JS packages (`walandCole`, `simpleClv`, …):
//! decimal text in and out ([`clv::formulas::text`]). Each reads its input
//! object's fields by their JS names, in order (a missing or wrong-typed
//! field is an error naming it, the first one wins), and calls the core.

use clv::formulas::text;

use crate::{JsObject, Required};

/// `Ok`, or the binding's error for a core error.
type Out<O> = std::result::Result<String, <O as JsObject>::Error>;

/// The formulas whose every argument is one field of the input object,
/// read in order with [`Required`]'s reader `KIND` (`string`, `strings`,
/// `money`): `fn name(KIND "jsName", ...);` is `pub fn name(o)` calling
/// [`text::name`] with those fields.
macro_rules! field_formulas {
    ($($(#[$doc:meta])* fn $name:ident($($kind:ident $js:literal),* $(,)?);)*) => {
        $(
            $(#[$doc])*
            pub fn $name<O: JsObject>(o: &O) -> Out<O> {
                let r = Required(o);
                r.out(text::$name($(&r.$kind($js)?),*))
            }
        )*
    };
}

field_formulas! {
    /// `walandCole({volume, margin, directCosts, retentionCosts,
    /// acquisitionCost, costOfCapital})` ([`text::waland_cole`]).
    ///
    /// # Errors
    /// A missing or wrong-typed field (named as JS does); those of the core.
    fn waland_cole(strings "volume", strings "margin", strings "directCosts",
        strings "retentionCosts", string "acquisitionCost", string "costOfCapital");
    /// `simpleClv({averagePurchaseValue, purchaseFrequency, lifespan,
    /// marginRate, acquisitionCost = "0", retentionCost = "0"})`
    /// ([`text::simple_clv`]).
    ///
    /// # Errors
    /// As [`waland_cole`].
    fn simple_clv(string "averagePurchaseValue", string "purchaseFrequency", string "lifespan",
        string "marginRate", money "acquisitionCost", money "retentionCost");
    /// `contributionMargin({revenue, variableCosts, costToServe = "0"})`
    /// ([`text::contribution_margin`]; the default as in Python and the CLI).
    ///
    /// # Errors
    /// As [`waland_cole`].
    fn contribution_margin(string "revenue", string "variableCosts", money "costToServe");
}

/// `walandColeConstant({volume, margin, directCosts, retentionCosts,
/// periods, acquisitionCost, costOfCapital})`
/// ([`text::waland_cole_constant`]).
///
/// # Errors
/// As [`waland_cole`]; `periods` not a whole number ≥ 1.
pub fn waland_cole_constant<O: JsObject>(o: &O) -> Out<O> {
    let r = Required(o);
    let periods = r.number("periods")?;
    r.out(text::waland_cole_constant(
        &r.string("volume")?,
        &r.string("margin")?,
        &r.string("directCosts")?,
        &r.string("retentionCosts")?,
        r.periods(periods)?,
        &r.string("acquisitionCost")?,
        &r.string("costOfCapital")?,
    ))
}

/// `retentionClv({margin, retention, discountRate, periods?})`
/// ([`text::retention_clv`]: infinite horizon without `periods`).
///
/// # Errors
/// As [`waland_cole_constant`].
pub fn retention_clv<O: JsObject>(o: &O) -> Out<O> {
    let r = Required(o);
    let periods = o.number("periods")?.map(|n| r.periods(n)).transpose()?;
    r.out(text::retention_clv(
        &r.string("margin")?,
        &r.string("retention")?,
        &r.string("discountRate")?,
        periods,
    ))
}
