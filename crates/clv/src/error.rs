//! The one error type of the crate.
//!
//! Every fallible function in `clv` returns [`Result<T>`](crate::Result). Each
//! variant names the offending field (argument, column or parameter) and the
//! value that was rejected, so that a binding can show a useful message and
//! branch on [`Error::code`].

use std::fmt;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `clv`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value is outside its domain (negative amount, NaN, zero rate, ...).
    ///
    /// `index` is the 0-based position of the element in the input array when
    /// the value came from an array, `None` for a scalar argument.
    #[error("invalid {field}{}: {value} (expected {expected})", Index(*.index))]
    InvalidValue {
        /// Argument, column or parameter name.
        field: String,
        /// 0-based element index for array inputs.
        index: Option<usize>,
        /// The rejected value, formatted.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A text value in an input file could not be parsed.
    #[error("cannot parse {column} on line {line}: {value:?} ({reason})")]
    Parse {
        /// Column name.
        column: String,
        /// 1-based line number in the file.
        line: u64,
        /// The text that failed to parse.
        value: String,
        /// Why it failed, e.g. the expected format.
        reason: String,
    },
    /// Arrays that must have the same length do not.
    #[error("length mismatch: {field} has {actual} elements but {reference} has {expected}")]
    LengthMismatch {
        /// The array with the unexpected length.
        field: String,
        /// Its length.
        actual: usize,
        /// The array it is compared with.
        reference: String,
        /// That array's length.
        expected: usize,
    },
    /// A required column is not in the input header.
    #[error("missing column {column:?}; the header has: {available}")]
    MissingColumn {
        /// The column that was asked for.
        column: String,
        /// The columns that exist, comma separated.
        available: String,
    },
    /// An input that must not be empty is empty.
    #[error("{field} is empty: {reason}")]
    Empty {
        /// What is empty.
        field: String,
        /// Why that is a problem.
        reason: String,
    },
    /// A maximum-likelihood fit did not reach a stationary point.
    #[error(
        "{model} fit did not converge after {iterations} iterations (gradient norm {gradient_norm:e}): {reason}"
    )]
    NotConverged {
        /// Model name.
        model: String,
        /// Iterations performed.
        iterations: u64,
        /// Norm of the gradient at the last iterate.
        gradient_norm: f64,
        /// What stopped the optimiser.
        reason: String,
    },
    /// A fit whose data do not pin the parameters down: the log-likelihood
    /// has no interior maximum (it is flat along `parameter`), so no
    /// estimate would mean anything ([`crate::fit::fit_model`]).
    #[error("{model} is not identified by these data: {parameter} = {value:e} has {why}. {advice}")]
    NotIdentified {
        /// Model name.
        model: String,
        /// The first parameter the data leave free.
        parameter: String,
        /// Where the optimiser stopped along it.
        value: f64,
        /// What shows it ("no finite standard error", …).
        why: String,
        /// Likely causes and what to do.
        advice: String,
    },
    /// Arithmetic overflowed: an exact (Decimal) sum, or a model prediction
    /// whose value lies beyond ±f64::MAX (≈ ±1.8e308).
    #[error("arithmetic overflow while computing {context}")]
    Overflow {
        /// The computation that overflowed.
        context: String,
    },
    /// Reading or writing a file failed.
    #[error("I/O error on {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// A model without parameters was asked for its parameters or a
    /// prediction (an unfitted model object in a binding).
    #[error("{model} has no parameters yet: fit it to data or build it from parameters")]
    NotFitted {
        /// Model name, e.g. `"BetaGeo"`.
        model: String,
    },
    /// The model does not define this operation (e.g. DERT where the model
    /// has no closed form, or P(alive) of a spend model).
    #[error("{operation} is not defined for {model}: {reason}")]
    Unsupported {
        /// Model name.
        model: String,
        /// The operation asked for.
        operation: String,
        /// Why it is not defined.
        reason: String,
    },
    /// Two time units that must agree do not: e.g. the `freq` given to a
    /// CLV and the unit the transaction model was fitted in (a horizon of
    /// months would be converted to the wrong number of periods).
    #[error(
        "time unit mismatch ({field}): {stated_by} is {given:?} but {other} is in {expected:?}"
    )]
    UnitMismatch {
        /// The unit argument concerned (e.g. `freq`).
        field: String,
        /// What stated `given`: the argument itself, or e.g. "the
        /// transaction model" when the argument was not given.
        stated_by: String,
        /// The unit it stated.
        given: String,
        /// What has the other unit (e.g. "the transaction model").
        other: String,
        /// That unit.
        expected: String,
    },
    /// A long computation was stopped by its caller: a progress callback
    /// asked to stop, or threw ([`crate::bayes::sample_with_progress`]).
    #[error("{operation} was cancelled: {reason}")]
    Cancelled {
        /// What was stopped (e.g. "NUTS sampling").
        operation: String,
        /// Why: the callback returned false, or what it threw.
        reason: String,
    },
    /// A serialised model or option set could not be read.
    #[error("invalid {what}: {message}")]
    Format {
        /// What was being read (e.g. "model JSON").
        what: String,
        /// The parser's message.
        message: String,
    },
}

struct Index(Option<usize>);

impl fmt::Display for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(i) => write!(f, "[{i}]"),
            None => Ok(()),
        }
    }
}

impl Error {
    /// A stable, machine-readable code for the variant, used by the bindings
    /// (JS `error.code`, Python `ClvError.code`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidValue { .. } => "INVALID_INPUT",
            Error::Parse { .. } => "PARSE_ERROR",
            Error::LengthMismatch { .. } => "LENGTH_MISMATCH",
            Error::MissingColumn { .. } => "MISSING_COLUMN",
            Error::Empty { .. } => "EMPTY_INPUT",
            Error::NotConverged { .. } => "NOT_CONVERGED",
            Error::NotIdentified { .. } => "NOT_IDENTIFIED",
            Error::Overflow { .. } => "OVERFLOW",
            Error::Io { .. } => "IO_ERROR",
            Error::Format { .. } => "FORMAT_ERROR",
            Error::NotFitted { .. } => "NOT_FITTED",
            Error::Unsupported { .. } => "NOT_SUPPORTED",
            Error::UnitMismatch { .. } => "UNIT_MISMATCH",
            Error::Cancelled { .. } => "CANCELLED",
        }
    }

    /// The field (argument, column or parameter) the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidValue { field, .. }
            | Error::LengthMismatch { field, .. }
            | Error::Empty { field, .. }
            | Error::UnitMismatch { field, .. } => Some(field),
            Error::Parse { column, .. } | Error::MissingColumn { column, .. } => Some(column),
            Error::Unsupported { operation, .. } => Some(operation),
            Error::NotIdentified { parameter, .. } => Some(parameter),
            _ => None,
        }
    }

    /// The same error with the element index `i` added to an
    /// [`Error::InvalidValue`] that has none (a scalar check applied to
    /// element `i` of an array); any other error unchanged.
    #[must_use]
    pub fn at_index(self, i: usize) -> Self {
        match self {
            Error::InvalidValue {
                field,
                index: None,
                value,
                expected,
            } => Error::InvalidValue {
                field,
                index: Some(i),
                value,
                expected,
            },
            other => other,
        }
    }

    /// The same error with every field name it carries (of
    /// [`Error::InvalidValue`], [`Error::LengthMismatch`] and
    /// [`Error::Empty`]) passed through `rename`; code, values and reasons
    /// unchanged. For a caller whose arguments carry other names than the
    /// core's (JS `camelCase`, a covariate set's process).
    pub fn rename_fields(self, rename: impl Fn(String) -> String) -> Self {
        match self {
            Error::InvalidValue {
                field,
                index,
                value,
                expected,
            } => Error::InvalidValue {
                field: rename(field),
                index,
                value,
                expected,
            },
            Error::LengthMismatch {
                field,
                actual,
                reference,
                expected,
            } => Error::LengthMismatch {
                field: rename(field),
                actual,
                reference: rename(reference),
                expected,
            },
            Error::Empty { field, reason } => Error::Empty {
                field: rename(field),
                reason,
            },
            other => other,
        }
    }

    /// Shorthand for [`Error::InvalidValue`] on a scalar argument.
    pub fn invalid(
        field: impl Into<String>,
        value: impl fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Error::InvalidValue {
            field: field.into(),
            index: None,
            value: value.to_string(),
            expected: expected.into(),
        }
    }

    /// The error of a one-element call made for row `row` of the caller's
    /// arrays, naming that row: an [`Error::InvalidValue`] at index 0
    /// becomes one at `row`; any other error is unchanged.
    #[must_use]
    pub(crate) fn at_row(self, row: usize) -> Self {
        match self {
            Error::InvalidValue {
                field,
                index: Some(0),
                value,
                expected,
            } => Error::InvalidValue {
                field,
                index: Some(row),
                value,
                expected,
            },
            other => other,
        }
    }

    /// Shorthand for [`Error::InvalidValue`] on element `index` of an array.
    pub fn invalid_at(
        field: impl Into<String>,
        index: usize,
        value: impl fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Error::InvalidValue {
            field: field.into(),
            index: Some(index),
            value: value.to_string(),
            expected: expected.into(),
        }
    }
}

/// The value named `text` in `names` (every accepted name with its value),
/// or [`Error::InvalidValue`] naming `field` and listing the accepted names:
/// the one `FromStr` of the option enums (delimiter, tier method, metric).
pub(crate) fn parse_name<T: Copy>(field: &str, text: &str, names: &[(&str, T)]) -> Result<T> {
    match names.iter().find(|(name, _)| *name == text) {
        Some(&(_, value)) => Ok(value),
        None => {
            let quoted: Vec<String> = names.iter().map(|(name, _)| format!("{name:?}")).collect();
            let expected = match quoted.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                None => String::from("nothing"),
            };
            Err(Error::invalid(field, format!("{text:?}"), expected))
        }
    }
}

/// The `ALL` list, `as_str` and [`FromStr`](std::str::FromStr) of an option
/// enum, from one table of its variants and their names: `ALL` lists the
/// variants in the table's order (the order the help lists them); `as_str`
/// answers a variant's name; `from_str` reads the names, then the aliases,
/// through [`parse_name`] (an unknown text is an [`Error::InvalidValue`] on
/// `field` listing the names and aliases in that order). Doc lines before
/// `as_str` and before `from_str` document those methods.
macro_rules! named_choices {
    (
        $ty:ident, field $field:literal,
        $(#[$as_doc:meta])*
        as_str { $($variant:ident => $name:literal),+ $(,)? }
        $(#[$from_doc:meta])*
        from_str aliases { $($alias:literal => $target:ident),* $(,)? }
    ) => {
        impl $ty {
            /// Every choice, in the order the help lists them (that of the
            /// names of [`Self::as_str`]).
            pub const ALL: [$ty; [$($name),+].len()] = [$($ty::$variant),+];

            $(#[$as_doc])*
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)+
                }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::Error;

            $(#[$from_doc])*
            fn from_str(text: &str) -> $crate::Result<Self> {
                $crate::error::parse_name(
                    $field,
                    text,
                    &[$(($name, $ty::$variant),)+ $(($alias, $ty::$target),)*],
                )
            }
        }
    };
}
pub(crate) use named_choices;

/// Validation helpers shared by every module, so that all inputs are checked
/// the same way and produce the same messages.
pub mod check {
    use super::{Error, Result};

    /// `value` must be finite and > 0.
    pub fn positive(field: &str, value: f64) -> Result<f64> {
        if value.is_finite() && value > 0.0 {
            Ok(value)
        } else {
            Err(Error::invalid(field, value, "a finite number > 0"))
        }
    }

    /// The largest model parameter accepted, 10¹⁰⁰: sums and products of
    /// two parameters stay finite, and with them every prediction's algebra
    /// (larger values carry no meaning a fit or a user could give them).
    pub const MAX_PARAMETER: f64 = 1e100;

    /// A model parameter: finite, > 0 and ≤ [`MAX_PARAMETER`].
    pub fn parameter(field: &str, value: f64) -> Result<f64> {
        const EXPECTED: &str = "a finite number > 0 and <= 1e100";
        if value.is_finite() && value > 0.0 && value <= MAX_PARAMETER {
            Ok(value)
        } else if value.abs() >= 1e16 {
            // 1e101, not a hundred and two digits
            Err(Error::invalid(field, format!("{value:e}"), EXPECTED))
        } else {
            Err(Error::invalid(field, value, EXPECTED))
        }
    }

    /// A size or count given as a number (JS numbers, Python floats): a
    /// whole number in `[0, 10⁹)`, as `usize`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming `field` otherwise.
    pub fn whole(field: &str, value: f64) -> Result<usize> {
        if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value < 1e9 {
            // exact: a whole number below 1e9
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Ok(value as usize)
        } else {
            Err(Error::invalid(field, value, "a whole number >= 0"))
        }
    }

    /// A random seed given as a number: a whole number in `[0, 2⁵³)` (every
    /// such number is exact in a JS number or an f64).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming `field` otherwise.
    pub fn seed(field: &str, value: f64) -> Result<u64> {
        if value.is_finite()
            && value >= 0.0
            && value.fract() == 0.0
            && value < 9_007_199_254_740_992.0
        {
            // exact: a whole number below 2^53
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Ok(value as u64)
        } else {
            Err(Error::invalid(field, value, "a whole number in [0, 2^53)"))
        }
    }

    /// `value` must be finite and >= 0.
    pub fn non_negative(field: &str, value: f64) -> Result<f64> {
        if value.is_finite() && value >= 0.0 {
            Ok(value)
        } else {
            Err(Error::invalid(field, value, "a finite number >= 0"))
        }
    }

    /// `value` must be finite.
    pub fn finite(field: &str, value: f64) -> Result<f64> {
        if value.is_finite() {
            Ok(value)
        } else {
            Err(Error::invalid(field, value, "a finite number"))
        }
    }

    /// `value` must lie in the closed interval `[lo, hi]`.
    pub fn in_closed(field: &str, value: f64, lo: f64, hi: f64) -> Result<f64> {
        if value.is_finite() && value >= lo && value <= hi {
            Ok(value)
        } else {
            Err(Error::invalid(
                field,
                value,
                format!("a number in [{lo}, {hi}]"),
            ))
        }
    }

    /// Every element must be finite and >= 0.
    pub fn all_non_negative(field: &str, values: &[f64]) -> Result<()> {
        match values.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
            Some(i) => Err(Error::invalid_at(
                field,
                i,
                values[i],
                "a finite number >= 0",
            )),
            None => Ok(()),
        }
    }

    /// Counts ([`all_non_negative`]) whose first element is > 0;
    /// `first_expected` says in an error what the first one is.
    pub fn counts_first_positive(field: &str, values: &[f64], first_expected: &str) -> Result<()> {
        all_non_negative(field, values)?;
        match values.first() {
            Some(&first) if first <= 0.0 => Err(Error::invalid_at(field, 0, first, first_expected)),
            _ => Ok(()),
        }
    }

    /// Every name in `given` must be one of `expected`: a misspelt or
    /// unknown name (a parameter of `fromParams`, a group of covariate
    /// effects) is an error naming it, never dropped. `what` says what the
    /// names are, e.g. `"a parameter of BG/NBD"`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] with the first unknown name as its field.
    pub fn known_names<S: AsRef<str>>(given: &[S], expected: &[&str], what: &str) -> Result<()> {
        match given.iter().find(|g| !expected.contains(&g.as_ref())) {
            Some(name) => Err(Error::invalid(
                name.as_ref(),
                "an unknown name",
                format!("{what}: {}", expected.join(", ")),
            )),
            None => Ok(()),
        }
    }

    /// `values` must have length `expected` (the length of `reference`).
    pub fn same_len(field: &str, values: usize, reference: &str, expected: usize) -> Result<()> {
        if values == expected {
            Ok(())
        } else {
            Err(Error::LengthMismatch {
                field: field.to_string(),
                actual: values,
                reference: reference.to_string(),
                expected,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_are_named() {
        assert!(check::known_names(&["r", "b"], &["r", "alpha", "a", "b"], "x").is_ok());
        assert!(check::known_names::<&str>(&[], &["r"], "x").is_ok());
        let e = check::known_names(&["r", "zz", "yy"], &["r", "alpha"], "a parameter of BG/NBD")
            .unwrap_err();
        assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("zz")));
        assert_eq!(
            e.to_string(),
            "invalid zz: an unknown name (expected a parameter of BG/NBD: r, alpha)"
        );
    }

    #[test]
    fn whole_numbers_and_seeds_given_as_floats() {
        assert_eq!(check::whole("n", 7.0).unwrap(), 7);
        assert_eq!(check::whole("n", 999_999_999.0).unwrap(), 999_999_999);
        for bad in [-1.0, 2.5, 1e9, f64::NAN, f64::INFINITY] {
            assert_eq!(check::whole("n", bad).unwrap_err().field(), Some("n"));
        }
        assert_eq!(
            check::seed("seed", 9_007_199_254_740_991.0).unwrap(),
            (1 << 53) - 1
        );
        for bad in [-1.0, 0.5, 9_007_199_254_740_992.0, f64::NAN] {
            assert_eq!(check::seed("seed", bad).unwrap_err().field(), Some("seed"));
        }
    }

    #[test]
    fn messages_name_field_and_value() {
        let e = Error::invalid_at("amount", 3, -1.5, "a finite number >= 0");
        assert_eq!(
            e.to_string(),
            "invalid amount[3]: -1.5 (expected a finite number >= 0)"
        );
        assert_eq!(e.code(), "INVALID_INPUT");
        assert_eq!(e.field(), Some("amount"));
        let e = check::positive("alpha", f64::NAN).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid alpha: NaN (expected a finite number > 0)"
        );
        let e = check::same_len("recency", 2, "frequency", 3).unwrap_err();
        assert_eq!(
            e.to_string(),
            "length mismatch: recency has 2 elements but frequency has 3"
        );
    }
}
