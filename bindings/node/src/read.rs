//! JS values read with our errors. The data objects, arrays and numbers of
//! the model methods come in as napi's `Unknown` (typed in `index.d.ts`
//! by `ts_arg_type` or the head `index.d.ts.in`) and are converted here,
//! so that a value of the wrong type (null, undefined, a string, a
//! boolean, an object) is an `INVALID_INPUT` naming the field, and the
//! index in an array, as @clv/wasm and Python give it, rather than napi's
//! own `InvalidArg` or `NumberExpected`.

use napi::bindgen_prelude::{
    ClassInstance, Either, Float64Array, FromNapiValue, JsObjectValue, Object, Uint8Array, Unknown,
};
use napi::{JsValue, ValueType};

use clv_js_common::covariates::{NamedColumns, NumberOrNamed};
use clv_js_common::models::ClvArgs;
use clv_js_common::uncertainty::ReadItem;

use crate::models::ReadModel;
use crate::{Result, invalid, js};

/// A numeric array: a `Float64Array` (read in place) or a plain array.
pub(crate) type Numbers = Either<Float64Array, Vec<f64>>;

const ARRAY: &str = "a Float64Array or an array of numbers";

/// The JS type of `v` (`null` for null), as the error message shows it.
fn type_name(v: &Unknown<'_>) -> String {
    v.get_type()
        .map_or_else(|e| e.reason, |t| t.to_string().to_lowercase())
}

fn is(v: &Unknown<'_>, t: ValueType) -> bool {
    v.get_type().is_ok_and(|x| x == t)
}

fn missing(v: &Unknown<'_>) -> bool {
    is(v, ValueType::Undefined) || is(v, ValueType::Null)
}

/// A napi failure (a property that cannot be read) as our error on `field`.
fn unreadable(field: &str, e: &napi::Error) -> napi::Error<String> {
    invalid(
        field,
        format!("a value that cannot be read ({})", e.reason),
        "a readable value",
    )
}

/// A number.
pub(crate) fn number(field: &str, v: Unknown<'_>) -> Result<f64> {
    if is(&v, ValueType::Number) {
        return f64::from_unknown(v).map_err(|e| unreadable(field, &e));
    }
    Err(invalid(field, type_name(&v), "a number"))
}

/// A numeric array.
pub(crate) fn numbers(field: &str, v: Unknown<'_>) -> Result<Numbers> {
    numbers_or_flags(field, v, false)
}

/// The outcomes of an uplift group: numbers, or an array whose elements
/// may also be booleans (1 for true, 0 for false), as Python takes them.
pub(crate) fn outcomes(field: &str, v: Unknown<'_>) -> Result<Numbers> {
    numbers_or_flags(field, v, true)
}

/// A numeric array; with `flags`, an array's booleans read as 1 and 0.
fn numbers_or_flags(field: &str, v: Unknown<'_>, flags: bool) -> Result<Numbers> {
    if v.is_typedarray().unwrap_or(false) {
        if let Ok(t) = Float64Array::from_unknown(v) {
            return Ok(Either::A(t));
        }
    } else if v.is_array().unwrap_or(false) {
        if let Ok(a) = Vec::<f64>::from_unknown(v) {
            return Ok(Either::B(a));
        }
        // element by element: the first that is not a number (nor, with
        // `flags`, a boolean) is named
        let a = Object::from_unknown(v).map_err(|e| unreadable(field, &e))?;
        let n = a.get_array_length().map_err(|e| unreadable(field, &e))?;
        let mut out = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
        for i in 0..n {
            let x: Unknown<'_> = a.get_element(i).map_err(|e| unreadable(field, &e))?;
            let value = if is(&x, ValueType::Number) {
                f64::from_unknown(x).map_err(|e| unreadable(field, &e))?
            } else if flags && is(&x, ValueType::Boolean) {
                let b = bool::from_unknown(x).map_err(|e| unreadable(field, &e))?;
                f64::from(u8::from(b))
            } else {
                let at = usize::try_from(i).unwrap_or(usize::MAX);
                let expected = if flags {
                    "a number or a boolean"
                } else {
                    "a number"
                };
                return Err(js(clv::Error::invalid_at(
                    field,
                    at,
                    type_name(&x),
                    expected,
                )));
            };
            out.push(value);
        }
        return Ok(Either::B(out));
    }
    let shown = if missing(&v) {
        "undefined".to_string()
    } else {
        type_name(&v)
    };
    Err(invalid(field, shown, ARRAY))
}

/// Property `key` of `obj`; undefined (`None`) when it is missing, null,
/// or `obj` is not an object.
pub(crate) fn property<'a>(obj: &Unknown<'a>, key: &str) -> Result<Option<Unknown<'a>>> {
    if !is(obj, ValueType::Object) && !is(obj, ValueType::Function) {
        return Ok(None);
    }
    let o = Object::from_unknown(*obj).map_err(|e| unreadable(key, &e))?;
    let v: Unknown<'a> = o.get_named_property(key).map_err(|e| unreadable(key, &e))?;
    Ok((!missing(&v)).then_some(v))
}

/// The numeric array `obj[key]`, which must be given.
pub(crate) fn numbers_of(obj: &Unknown<'_>, key: &str) -> Result<Numbers> {
    match property(obj, key)? {
        Some(v) => numbers(key, v),
        None => Err(invalid(key, "undefined", ARRAY)),
    }
}

/// The numeric array `obj[key]`, if given.
pub(crate) fn opt_numbers_of(obj: &Unknown<'_>, key: &str) -> Result<Option<Numbers>> {
    property(obj, key)?.map(|v| numbers(key, v)).transpose()
}

/// The string `obj[key]`, if given.
pub(crate) fn opt_string_of(obj: &Unknown<'_>, key: &str) -> Result<Option<String>> {
    property(obj, key)?.map(|v| string(key, v)).transpose()
}

/// A data object of customers: the arrays `names` (all required), the
/// optional `weights` and the time unit the data carry.
pub(crate) struct Data {
    pub columns: Vec<Numbers>,
    pub weights: Option<Numbers>,
    pub unit: Option<String>,
}

impl Data {
    /// Reads `obj`; a missing or wrong-typed array names its field.
    pub(crate) fn read<S: AsRef<str>>(obj: &Unknown<'_>, names: &[S]) -> Result<Data> {
        let columns = names
            .iter()
            .map(|n| numbers_of(obj, n.as_ref()))
            .collect::<Result<Vec<_>>>()?;
        Ok(Data {
            columns,
            weights: opt_numbers_of(obj, "weights")?,
            unit: opt_string_of(obj, "unit")?,
        })
    }

    /// The arrays as slices, in the order of `names`.
    pub(crate) fn slices(&self) -> Vec<&[f64]> {
        self.columns.iter().map(crate::sl).collect()
    }

    /// The weights as a slice, if given.
    pub(crate) fn weights(&self) -> Option<&[f64]> {
        self.weights.as_ref().map(crate::sl)
    }
}

/// The entries of the object option `key` (`v`), none when it is not
/// given; anything but a plain object is an error naming `key`.
pub(crate) fn entries<'a>(
    v: Option<&Unknown<'a>>,
    key: &str,
    expected: &str,
) -> Result<Vec<(String, Unknown<'a>)>> {
    let Some(v) = v.filter(|v| !missing(v)) else {
        return Ok(Vec::new());
    };
    if !is(v, ValueType::Object) || v.is_array().unwrap_or(false) {
        return Err(invalid(key, type_name(v), expected));
    }
    let o = Object::from_unknown(*v).map_err(|e| unreadable(key, &e))?;
    let keys = Object::keys(&o).map_err(|e| unreadable(key, &e))?;
    keys.into_iter()
        .map(|k| {
            let x = o.get_named_property(&k).map_err(|e| unreadable(&k, &e))?;
            Ok((k, x))
        })
        .collect()
}

/// Every own key of `v` (when it is a plain object) must be one of
/// `expected` ([`clv::error::check::known_names`]): a misspelt name is an
/// error naming it, not dropped. Anything else is left to the reader of
/// the values.
pub(crate) fn known_keys(v: Option<&Unknown<'_>>, expected: &[&str], what: &str) -> Result<()> {
    clv::error::check::known_names(&own_keys(v, what)?, expected, what).map_err(js)
}

/// [`known_keys`] for `fromParams`' object: `kind`'s registry parameters.
pub(crate) fn known_params(v: &Unknown<'_>, kind: clv::models::ModelKind) -> Result<()> {
    let keys = own_keys(Some(v), "params")?;
    clv_js_common::models::known_params(kind, &keys).map_err(js)
}

/// The own keys of `v` when it is a plain object, else none.
fn own_keys(v: Option<&Unknown<'_>>, what: &str) -> Result<Vec<String>> {
    let Some(v) = v.filter(|v| is(v, ValueType::Object) && !v.is_array().unwrap_or(false)) else {
        return Ok(Vec::new());
    };
    let o = Object::from_unknown(*v).map_err(|e| unreadable(what, &e))?;
    Object::keys(&o).map_err(|e| unreadable(what, &e))
}

/// The entries of the object option `key` (`v`, as [`entries`]), each
/// value read by `value` with the field `key.name`.
pub(crate) fn named_entries<'a, T>(
    v: Option<&Unknown<'a>>,
    key: &str,
    expected: &str,
    value: impl Fn(&str, Unknown<'a>) -> Result<T>,
) -> Result<Vec<(String, T)>> {
    entries(v, key, expected)?
        .into_iter()
        .map(|(name, x)| {
            let v = value(&format!("{key}.{name}"), x)?;
            Ok((name, v))
        })
        .collect()
}

/// One element of a prior list: its string, number and type name.
pub(crate) fn item(v: &Unknown<'_>) -> ReadItem {
    let text = is(v, ValueType::String)
        .then(|| String::from_unknown(*v).ok())
        .flatten();
    let number = is(v, ValueType::Number)
        .then(|| f64::from_unknown(*v).ok())
        .flatten();
    (text, number, type_name(v))
}

/// The elements of an array, or the value itself as one element.
pub(crate) fn elements<'a>(field: &str, v: Unknown<'a>) -> Result<Vec<Unknown<'a>>> {
    if !v.is_array().unwrap_or(false) {
        return Ok(vec![v]);
    }
    let a = Object::from_unknown(v).map_err(|e| unreadable(field, &e))?;
    let n = a.get_array_length().map_err(|e| unreadable(field, &e))?;
    (0..n)
        .map(|i| a.get_element(i).map_err(|e| unreadable(field, &e)))
        .collect()
}

/// An optional number (an option's field): `None` when not given (napi
/// gives undefined and null as `None`).
pub(crate) fn opt_number(field: &str, v: Option<Unknown<'_>>) -> Result<Option<f64>> {
    v.filter(|v| !missing(v))
        .map(|v| number(field, v))
        .transpose()
}

/// The number `obj[key]`, which must be given.
pub(crate) fn number_of(obj: &Unknown<'_>, key: &str) -> Result<f64> {
    match property(obj, key)? {
        Some(v) => number(key, v),
        None => Err(invalid(key, "undefined", "a number")),
    }
}

/// The number `obj[key]`, if given.
pub(crate) fn opt_number_of(obj: &Unknown<'_>, key: &str) -> Result<Option<f64>> {
    property(obj, key)?.map(|v| number(key, v)).transpose()
}

/// An options object (none when not given) as js-common's option structs
/// read it ([`clv_js_common::JsObject`]).
pub(crate) struct Opts<'o, 'a>(pub Option<&'o Unknown<'a>>);

impl clv_js_common::JsObject for Opts<'_, '_> {
    type Error = napi::Error<String>;

    fn number(&self, key: &str) -> Result<Option<f64>> {
        self.0.map_or(Ok(None), |o| opt_number_of(o, key))
    }

    fn string(&self, key: &str) -> Result<Option<String>> {
        self.0.map_or(Ok(None), |o| opt_string_of(o, key))
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>> {
        self.0.map_or(Ok(None), |o| opt_bool_of(o, key))
    }

    fn strings(&self, key: &str) -> Result<Option<Vec<String>>> {
        self.given(key)?.map(|v| strings(key, v)).transpose()
    }

    fn columns(&self, key: &str) -> Result<Option<NamedColumns>> {
        let expected = "an object of numeric columns by name, e.g. { Gender: [0, 1] }";
        self.named(key, expected, |field, v| {
            Ok(crate::sl(&numbers(field, v)?).to_vec())
        })
    }

    fn number_or_named(&self, key: &str) -> Result<Option<NumberOrNamed>> {
        match self.given(key)? {
            Some(v) if is(&v, ValueType::Number) => {
                number(key, v).map(|n| Some(NumberOrNamed::Number(n)))
            }
            _ => {
                let expected = "a number, or an object of numbers by name";
                Ok(self.named(key, expected, number)?.map(NumberOrNamed::Named))
            }
        }
    }

    fn error(&self, e: clv::Error) -> napi::Error<String> {
        crate::js(e)
    }
}

impl<'a> Opts<'_, 'a> {
    /// Property `key` of the options, if given.
    fn given(&self, key: &str) -> Result<Option<Unknown<'a>>> {
        self.0.map_or(Ok(None), |o| property(o, key))
    }

    /// The object `key` as (name, value) entries, each value read by
    /// `value` with the field `key.name`; `None` when not given.
    fn named<T>(
        &self,
        key: &str,
        expected: &str,
        value: impl Fn(&str, Unknown<'_>) -> Result<T>,
    ) -> Result<Option<Vec<(String, T)>>> {
        let Some(v) = self.given(key)? else {
            return Ok(None);
        };
        named_entries(Some(&v), key, expected, value).map(Some)
    }
}

/// The CLV options object (`ClvOptions`, or `ClvIntervalOptions` with its
/// `quantiles`): the JS glue's CLV arguments with the unit the data carry,
/// and the quantile levels if given.
pub(crate) fn clv_args(
    options: Option<&Unknown<'_>>,
    data_unit: Option<String>,
) -> Result<(ClvArgs, Option<Vec<f64>>)> {
    let args = ClvArgs::read(&Opts(options), data_unit)?;
    let quantiles = options
        .map(|o| opt_numbers_of(o, "quantiles"))
        .transpose()?;
    Ok((args, quantiles.flatten().map(|q| crate::sl(&q).to_vec())))
}

/// An array of strings (labels, ids); an element that is not a string
/// names its index.
pub(crate) fn strings(field: &str, v: Unknown<'_>) -> Result<Vec<String>> {
    if !v.is_array().unwrap_or(false) {
        return Err(invalid(field, type_name(&v), "an array of strings"));
    }
    elements(field, v)?
        .into_iter()
        .enumerate()
        .map(|(i, x)| {
            if is(&x, ValueType::String) {
                String::from_unknown(x).map_err(|e| unreadable(field, &e))
            } else {
                Err(js(clv::Error::invalid_at(
                    field,
                    i,
                    type_name(&x),
                    "a string",
                )))
            }
        })
        .collect()
}

/// The string array `obj[key]`, which must be given.
pub(crate) fn strings_of(obj: &Unknown<'_>, key: &str) -> Result<Vec<String>> {
    match property(obj, key)? {
        Some(v) => strings(key, v),
        None => Err(invalid(key, "undefined", "an array of strings")),
    }
}

/// The boolean `obj[key]`, if given.
pub(crate) fn opt_bool_of(obj: &Unknown<'_>, key: &str) -> Result<Option<bool>> {
    property(obj, key)?.map(|v| boolean(key, v)).transpose()
}

/// A boolean.
fn boolean(field: &str, v: Unknown<'_>) -> Result<bool> {
    if is(&v, ValueType::Boolean) {
        return bool::from_unknown(v).map_err(|e| unreadable(field, &e));
    }
    Err(invalid(field, type_name(&v), "a boolean"))
}

/// A string.
pub(crate) fn string(field: &str, v: Unknown<'_>) -> Result<String> {
    if is(&v, ValueType::String) {
        return String::from_unknown(v).map_err(|e| unreadable(field, &e));
    }
    Err(invalid(field, type_name(&v), "a string"))
}

/// The text of a file: a string or a `Uint8Array`.
pub(crate) fn text(field: &str, v: Unknown<'_>) -> Result<Either<String, Uint8Array>> {
    if is(&v, ValueType::String) {
        return String::from_unknown(v)
            .map(Either::A)
            .map_err(|e| unreadable(field, &e));
    }
    if v.is_typedarray().unwrap_or(false)
        && let Ok(b) = Uint8Array::from_unknown(v)
    {
        return Ok(Either::B(b));
    }
    Err(invalid(field, type_name(&v), "a string or a Uint8Array"))
}

/// What a model argument must be, in the words @clv/wasm uses.
const A_MODEL: &str = "a model (BetaGeo, GammaGamma, …)";

/// The model of a model class instance given as an argument
/// (`transactionModel`, `spendModel`, the `model` of the diagnostics),
/// `NOT_FITTED` for an unfitted one: anything else (a number, a string,
/// null, a plain object, an instance of another class) is an
/// `INVALID_INPUT` naming `field`, as @clv/wasm's `model_arg` gives it,
/// rather than napi's `InvalidArg` ("Value is none of these types …").
/// Which family the model must be of is the core's check, after this one.
pub(crate) fn model(field: &str, v: Unknown<'_>) -> Result<clv::models::AnyModel> {
    if is(&v, ValueType::Object)
        && let Some(m) = crate::models::ModelClass::read_model(v)
    {
        return m.map_err(js);
    }
    Err(invalid(field, type_name(&v), A_MODEL))
}

/// The `spend` of a CLV with intervals: spend draws (an instance of
/// `Draws`, napi's `ClassInstance` check) or a spend model ([`model`]);
/// anything else is an `INVALID_INPUT` naming `spend`.
pub(crate) fn draws_or_model<'a>(
    v: Unknown<'a>,
) -> Result<Either<ClassInstance<'a, crate::uncertainty::Draws>, clv::models::AnyModel>> {
    if is(&v, ValueType::Object)
        && let Ok(d) = ClassInstance::<crate::uncertainty::Draws>::from_unknown(v)
    {
        return Ok(Either::A(d));
    }
    model("spend", v).map(Either::B)
}

/// The `DynamicCovariateData` argument `field` of a `*Dynamic` method
/// (napi's `ClassInstance` check); anything else is an `INVALID_INPUT`
/// naming `field`.
pub(crate) fn dynamic_data<'a>(
    field: &str,
    v: Unknown<'a>,
) -> Result<ClassInstance<'a, crate::covariates::DynamicCovariateData>> {
    if is(&v, ValueType::Object)
        && let Ok(d) = ClassInstance::<crate::covariates::DynamicCovariateData>::from_unknown(v)
    {
        return Ok(d);
    }
    Err(invalid(field, type_name(&v), "a DynamicCovariateData"))
}

/// The array `obj[key]` of booleans or numbers (each boolean read as 1 or
/// 0; js-common checks the numbers), e.g. `churned`; a `Float64Array` too.
pub(crate) fn flags_of(obj: &Unknown<'_>, key: &str) -> Result<Vec<f64>> {
    const FLAGS: &str = "an array of booleans (or of 0 and 1)";
    let Some(v) = property(obj, key)? else {
        return Err(invalid(key, "undefined", FLAGS));
    };
    if v.is_typedarray().unwrap_or(false) || !v.is_array().unwrap_or(false) {
        return numbers(key, v).map(|n| crate::sl(&n).to_vec());
    }
    elements(key, v)?
        .into_iter()
        .enumerate()
        .map(|(i, x)| {
            if is(&x, ValueType::Boolean) {
                let b = bool::from_unknown(x).map_err(|e| unreadable(key, &e))?;
                Ok(if b { 1.0 } else { 0.0 })
            } else if is(&x, ValueType::Number) {
                f64::from_unknown(x).map_err(|e| unreadable(key, &e))
            } else {
                Err(js(clv::Error::invalid_at(key, i, type_name(&x), FLAGS)))
            }
        })
        .collect()
}
