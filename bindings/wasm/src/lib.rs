//! WebAssembly bindings of `clv` (wasm-bindgen), published as `@clv/wasm`.
//!
//! The same API as `@clv/node` (DESIGN.md, camelCase): the same classes,
//! methods, input objects and results. Thin: each function reads the JS
//! values, calls the core crate `clv` (built without its `parallel` feature:
//! no threads in wasm32) or the shared option glue `clv-js-common`, and
//! converts back. Arrays come in as `Float64Array` or plain arrays and go out
//! as `Float64Array`; money is decimal text. Every error is a JS `Error`
//! with a `code` property ([`clv::Error::code`]) and a message naming the
//! field and the value.
//!
//! `fit()` returns the model: a second JS handle on the same fitted state
//! (wasm-bindgen cannot return `this`), so `m.fit(d)` and `m` both see the
//! fitted parameters.
#![allow(missing_docs)] // wasm-bindgen generates undocumented items; the API docs are in the .d.ts.

use clv::summary::Summary;
use clv_js_common as glue;
use js_sys::{Array, Float64Array, Object, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!(concat!(env!("OUT_DIR"), "/types.d.ts"));

pub mod covariates;
pub mod grouped;
pub mod models;
pub mod retention;
pub mod spend;
pub mod uncertainty;

mod diagnostics;

type Result<T> = std::result::Result<T, JsValue>;

/// The one mapping of core errors to JS errors: a JS `Error` with `code` =
/// [`clv::Error::code`], field names in JS spelling (`n_periods` →
/// `nPeriods`, `p_alive` → `pAlive`).
fn js(e: clv::Error) -> JsValue {
    let e = glue::js_names(e);
    let err = js_sys::Error::new(&e.to_string());
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&err, &"code".into(), &e.code().into());
    err.into()
}

fn invalid(field: &str, value: impl std::fmt::Display, expected: &str) -> JsValue {
    js(clv::Error::invalid(field, value, expected))
}

// ---------------------------------------------------------------------------
// reading JS values

fn get(obj: &JsValue, key: &str) -> Result<JsValue> {
    if !obj.is_object() {
        return Ok(JsValue::UNDEFINED);
    }
    // A getter (or Proxy trap) that throws is the caller's bad input: a
    // typed error naming the property, not undefined.
    Reflect::get(obj, &key.into()).map_err(|e| {
        let why = e
            .dyn_ref::<js_sys::Error>()
            .map_or_else(|| type_name(&e), |e| String::from(e.message()));
        invalid(
            key,
            format!("a property whose getter throws ({why})"),
            "a readable value",
        )
    })
}

/// Every own key of `v` (when it is a plain object) must be one of
/// `expected` ([`clv::error::check::known_names`]): a misspelt name is an
/// error naming it, not dropped. Anything else is left to the reader of
/// the values.
fn known_keys(v: &JsValue, expected: &[&str], what: &str) -> Result<()> {
    clv::error::check::known_names(&own_keys(v), expected, what).map_err(js)
}

/// [`known_keys`] for `fromParams`' object: `kind`'s registry parameters.
fn known_params(v: &JsValue, kind: clv::models::ModelKind) -> Result<()> {
    glue::models::known_params(kind, &own_keys(v)).map_err(js)
}

/// The own keys of `v` when it is a plain object, else none.
fn own_keys(v: &JsValue) -> Vec<String> {
    if missing(v) || !v.is_object() || Array::is_array(v) {
        return Vec::new();
    }
    Object::keys(v.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect()
}

fn missing(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

fn type_name(v: &JsValue) -> String {
    v.js_typeof().as_string().unwrap_or_default()
}

const ARRAY: &str = "a Float64Array or an array of numbers";

/// A numeric array: a `Float64Array` (copied) or a plain array of numbers;
/// other typed arrays are rejected, as `@clv/node` does.
fn to_f64s(field: &str, v: &JsValue) -> Result<Vec<f64>> {
    numbers_or_flags(field, v, false)
}

/// The outcomes of an uplift group: numbers, or an array whose elements
/// may also be booleans (1 for true, 0 for false), as Python takes them.
fn outcomes(field: &str, v: &JsValue) -> Result<Vec<f64>> {
    numbers_or_flags(field, v, true)
}

/// [`to_f64s`]; with `flags`, an array's booleans read as 1 and 0.
fn numbers_or_flags(field: &str, v: &JsValue, flags: bool) -> Result<Vec<f64>> {
    if let Some(t) = v.dyn_ref::<Float64Array>() {
        return Ok(t.to_vec());
    }
    if Array::is_array(v) {
        let a: &Array = v.unchecked_ref();
        let expected = if flags {
            "a number or a boolean"
        } else {
            "a number"
        };
        return a
            .iter()
            .enumerate()
            .map(|(i, x)| match (x.as_f64(), x.as_bool()) {
                (Some(n), _) => Ok(n),
                (None, Some(b)) if flags => Ok(f64::from(u8::from(b))),
                _ => Err(js(clv::Error::invalid_at(
                    field,
                    i,
                    format!("{x:?}"),
                    expected,
                ))),
            })
            .collect();
    }
    Err(invalid(
        field,
        if missing(v) {
            "undefined".to_string()
        } else {
            type_name(v)
        },
        ARRAY,
    ))
}

fn f64s(obj: &JsValue, key: &str) -> Result<Vec<f64>> {
    to_f64s(key, &get(obj, key)?)
}

fn opt_f64s(obj: &JsValue, key: &str) -> Result<Option<Vec<f64>>> {
    let v = get(obj, key)?;
    if missing(&v) {
        Ok(None)
    } else {
        to_f64s(key, &v).map(Some)
    }
}

/// The field `key` cast by `cast` (`None` when missing), or our error
/// naming it and what it should be.
fn opt_of<T>(
    obj: &JsValue,
    key: &str,
    cast: fn(&JsValue) -> Option<T>,
    expected: &str,
) -> Result<Option<T>> {
    let v = get(obj, key)?;
    if missing(&v) {
        return Ok(None);
    }
    cast(&v)
        .map(Some)
        .ok_or_else(|| invalid(key, type_name(&v), expected))
}

fn opt_f64(obj: &JsValue, key: &str) -> Result<Option<f64>> {
    opt_of(obj, key, JsValue::as_f64, "a number")
}

fn num(field: &str, v: &JsValue) -> Result<f64> {
    v.as_f64()
        .ok_or_else(|| invalid(field, type_name(v), "a number"))
}

fn opt_bool(obj: &JsValue, key: &str) -> Result<Option<bool>> {
    opt_of(obj, key, JsValue::as_bool, "a boolean")
}

fn opt_string(obj: &JsValue, key: &str) -> Result<Option<String>> {
    opt_of(obj, key, JsValue::as_string, "a string")
}

fn strings(obj: &JsValue, key: &str) -> Result<Vec<String>> {
    labels(key, &get(obj, key)?)
}

/// An options object as js-common's option structs read it.
struct Opts<'a>(&'a JsValue);

impl glue::JsObject for Opts<'_> {
    type Error = JsValue;

    fn number(&self, key: &str) -> Result<Option<f64>> {
        opt_f64(self.0, key)
    }

    fn string(&self, key: &str) -> Result<Option<String>> {
        opt_string(self.0, key)
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>> {
        opt_bool(self.0, key)
    }

    fn strings(&self, key: &str) -> Result<Option<Vec<String>>> {
        if missing(&get(self.0, key)?) {
            return Ok(None);
        }
        strings(self.0, key).map(Some)
    }

    fn columns(&self, key: &str) -> Result<Option<glue::covariates::NamedColumns>> {
        let expected = "an object of numeric columns by name, e.g. { Gender: [0, 1] }";
        self.named(key, expected, to_f64s)
    }

    fn number_or_named(&self, key: &str) -> Result<Option<glue::covariates::NumberOrNamed>> {
        use glue::covariates::NumberOrNamed;
        if let Some(n) = get(self.0, key)?.as_f64() {
            return Ok(Some(NumberOrNamed::Number(n)));
        }
        let expected = "a number, or an object of numbers by name";
        Ok(self.named(key, expected, num)?.map(NumberOrNamed::Named))
    }

    fn error(&self, e: clv::Error) -> JsValue {
        js(e)
    }
}

impl Opts<'_> {
    /// The object `key` as (name, value) entries, each value read by
    /// `value` with the field `key.name`; `None` when not given.
    fn named<T>(
        &self,
        key: &str,
        expected: &str,
        value: impl Fn(&str, &JsValue) -> Result<T>,
    ) -> Result<Option<Vec<(String, T)>>> {
        if missing(&get(self.0, key)?) {
            return Ok(None);
        }
        let pairs = uncertainty::entries(self.0, key, expected)?
            .into_iter()
            .map(|(name, x)| {
                let v = value(&format!("{key}.{name}"), &x)?;
                Ok((name, v))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(pairs))
    }
}

fn fit_options(options: &JsValue) -> Result<clv::fit::FitOptions> {
    glue::FitArgs::read(&Opts(options))?
        .to_options()
        .map_err(js)
}

// ---------------------------------------------------------------------------
// building JS values

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    // Defining a property on a plain object cannot fail.
    let _ = Reflect::set(obj, &key.into(), &value.into());
}

/// The one conversion of core results to JS values: serde-wasm-bindgen,
/// then every object key in camelCase (`n_treated` → `nTreated`) and every
/// array of numbers as a `Float64Array` (empty arrays stay `[]`); `None` is
/// `null`, NaN stays NaN. Integer typed arrays (positions, scores) are set
/// by the caller.
fn to_js<T: serde::Serialize + ?Sized>(value: &T) -> Result<JsValue> {
    let s = serde_wasm_bindgen::Serializer::new()
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(true);
    Ok(js_shape(value.serialize(&s)?))
}

fn js_shape(v: JsValue) -> JsValue {
    if let Some(a) = v.dyn_ref::<Array>() {
        if a.get(0).as_f64().is_some() {
            return Float64Array::new(a).into();
        }
        return a.iter().map(js_shape).collect::<Array>().into();
    }
    if !v.is_object() {
        return v;
    }
    let o = Object::new();
    for entry in Object::entries(v.unchecked_ref()).iter() {
        let kv: Array = entry.unchecked_into();
        let key = kv.get(0).as_string().unwrap_or_default();
        set(&o, &glue::camel(&key), js_shape(kv.get(1)));
    }
    o.into()
}

/// `to_js(value)` with the fields `typed` (JS name, value) set on top.
fn to_js_with<T: serde::Serialize>(value: &T, typed: &[(&str, JsValue)]) -> Result<JsValue> {
    let o = to_js(value)?;
    for (k, v) in typed {
        set(o.unchecked_ref(), k, v);
    }
    Ok(o)
}

fn json_text(json: &JsValue) -> Result<String> {
    if let Some(s) = json.as_string() {
        return Ok(s);
    }
    js_sys::JSON::stringify(json)
        .map(String::from)
        .map_err(|_| invalid("json", type_name(json), "model JSON text or object"))
}

fn strings_array(v: &[String]) -> Array {
    v.iter().map(|s| JsValue::from_str(s)).collect()
}

// ---------------------------------------------------------------------------
// summary and RFM

fn summary_args(options: &JsValue) -> Result<glue::SummaryArgs> {
    glue::SummaryArgs::read(&Opts(options))
}

fn f64_array(v: &[f64]) -> Float64Array {
    Float64Array::from(v)
}

fn summary_js(s: Summary) -> Result<JsValue> {
    to_js(&glue::SummaryView::from(s))
}

/// Transaction log → per-customer frequency, recency, T, monetaryValue.
#[wasm_bindgen(js_name = rfmSummary, unchecked_return_type = "RfmSummary")]
pub fn rfm_summary(
    #[wasm_bindgen(unchecked_param_type = "Transactions")] transactions: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SummaryOptions")] options: JsValue,
) -> Result<JsValue> {
    let ids = strings(&transactions, "customerId")?;
    let dates = strings(&transactions, "datetime")?;
    let amounts = opt_f64s(&transactions, "monetaryValue")?;
    let s = glue::summarize_columns(&ids, &dates, amounts.as_deref(), &summary_args(&options)?)
        .map_err(js)?;
    summary_js(s)
}

/// The bytes of a file given as a string or a `Uint8Array`.
pub(crate) fn text_bytes(text: &JsValue) -> Result<Vec<u8>> {
    if let Some(s) = text.as_string() {
        Ok(s.into_bytes())
    } else if let Some(b) = text.dyn_ref::<Uint8Array>() {
        Ok(b.to_vec())
    } else {
        Err(invalid("text", type_name(text), "a string or a Uint8Array"))
    }
}

/// The reading options of a `CsvOptions` object.
pub(crate) fn csv_args(options: &JsValue) -> Result<glue::CsvArgs> {
    glue::CsvArgs::read(&Opts(options))
}

/// A transaction file (CSV, TSV, `;` or whitespace separated) → summary, as `rfmSummary`.
#[wasm_bindgen(js_name = rfmSummaryFromCsv, unchecked_return_type = "RfmSummary")]
pub fn rfm_summary_from_csv(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] text: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CsvOptions")] options: JsValue,
) -> Result<JsValue> {
    let (bytes, csv) = (text_bytes(&text)?, csv_args(&options)?);
    let s = glue::summarize_csv(&bytes, &csv, &summary_args(&options)?).map_err(js)?;
    summary_js(s)
}

/// A transaction file summarised chunk by chunk: `push` chunks (a
/// `Uint8Array` split anywhere, or a string ending on a character), then
/// `finish` for the summary of `rfmSummaryFromCsv` on the chunks joined.
/// Memory does not grow with the file, so a browser can summarise a file
/// larger than its memory (`file.stream()`); see `order` in `CsvOptions`.
#[wasm_bindgen]
pub struct Summarizer {
    inner: glue::CsvStream,
}

#[wasm_bindgen]
impl Summarizer {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "CsvOptions")] options: JsValue,
    ) -> Result<Summarizer> {
        let csv = csv_args(&options)?;
        let order = opt_string(&options, "order")?;
        let inner =
            glue::CsvStream::new(&csv, &summary_args(&options)?, order.as_deref()).map_err(js)?;
        Ok(Summarizer { inner })
    }

    /// The next bytes of the file.
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] chunk: JsValue,
    ) -> Result<()> {
        let bytes = text_bytes(&chunk)?;
        self.inner.push(&bytes).map_err(js)
    }

    /// The summary of everything pushed (as `rfmSummaryFromCsv`); the
    /// summariser is then spent.
    #[wasm_bindgen(unchecked_return_type = "RfmSummary")]
    pub fn finish(&mut self) -> Result<JsValue> {
        let s = self.inner.finish().map_err(js)?;
        summary_js(s)
    }
}

fn scores(summary: &JsValue, options: &JsValue) -> Result<clv::rfm::RfmScores> {
    glue::rfm_scores(
        &f64s(summary, "frequency")?,
        &f64s(summary, "recency")?,
        &f64s(summary, "T")?,
        &f64s(summary, "monetaryValue")?,
        opt_f64(options, "bins")?,
    )
    .map_err(js)
}

fn scores_js(s: &clv::rfm::RfmScores) -> Result<JsValue> {
    let u8s = |v: &[u8]| JsValue::from(Uint8Array::from(v));
    let codes = JsValue::from(strings_array(&s.codes()));
    let typed = [
        ("rScore", u8s(&s.r_score)),
        ("fScore", u8s(&s.f_score)),
        ("mScore", u8s(&s.m_score)),
        ("rfmScore", codes),
    ];
    to_js_with(s, &typed)
}

/// RFM quantile scores (1..bins) and the combined code.
#[wasm_bindgen(js_name = rfmScores, unchecked_return_type = "RfmScores")]
pub fn rfm_scores(
    #[wasm_bindgen(unchecked_param_type = "RfmInput")] summary: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RfmOptions")] options: JsValue,
) -> Result<JsValue> {
    scores_js(&scores(&summary, &options)?)
}

/// RFM scores plus the named segment of each customer and the segment counts.
#[wasm_bindgen(js_name = rfmSegments, unchecked_return_type = "RfmScores")]
pub fn rfm_segments(
    #[wasm_bindgen(unchecked_param_type = "RfmInput")] summary: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RfmOptions")] options: JsValue,
) -> Result<JsValue> {
    let s = scores(&summary, &options)?;
    let map = opt_string(&options, "segmentMap")?;
    let (segments, table) = glue::rfm_segments(&s, map.as_deref()).map_err(js)?;
    let o = scores_js(&s)?;
    set(o.unchecked_ref(), "segment", strings_array(&segments));
    set(o.unchecked_ref(), "segmentCounts", to_js(&table)?);
    Ok(o)
}

// ---------------------------------------------------------------------------
// formulas (decimal strings in and out)

/// The decimal formulas, each a function of one input object that
/// `clv_js_common::decimal` reads and computes: `"doc" jsName rust_name("TS type")`.
macro_rules! decimal_formulas {
    ($($doc:literal $js:ident $name:ident($ty:literal);)*) => {
        $(
            #[doc = $doc]
            #[wasm_bindgen(js_name = $js)]
            pub fn $name(#[wasm_bindgen(unchecked_param_type = $ty)] input: JsValue) -> Result<String> {
                glue::decimal::$name(&Opts(&input))
            }
        )*
    };
}

decimal_formulas! {
    "VC = Σ_{t=1..n} (Vol_t·M_t − D_t − R_t)·d^t − A, d = 1/(1+COC)."
    walandCole waland_cole("WalandColeInput");
    "Waland & Cole client value with constant per-period values."
    walandColeConstant waland_cole_constant("WalandColeConstantInput");
    "APV × purchase frequency × lifespan × margin rate − acquisition − retention costs."
    simpleClv simple_clv("SimpleClvInput");
    "m·r/(1+i−r), or Σ_{t=1..n} m·(r/(1+i))^t with `periods`."
    retentionClv retention_clv("RetentionClvInput");
    "revenue − variable costs − cost to serve."
    contributionMargin contribution_margin("ContributionMarginInput");
}

/// Rounds decimal text to `dp` places, half away from zero.
#[wasm_bindgen(js_name = roundMoney)]
pub fn round_money(
    #[wasm_bindgen(unchecked_param_type = "string")] value: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] dp: JsValue,
) -> Result<String> {
    let text = value
        .as_string()
        .ok_or_else(|| invalid("value", type_name(&value), "a string"))?;
    glue::round_money(&text, num("dp", &dp)?).map_err(js)
}

// ---------------------------------------------------------------------------
// portfolio measures (`clv::portfolio`) and uplift (`clv::experiment`)

fn positions(v: &[usize]) -> JsValue {
    let v: Vec<u32> = v
        .iter()
        .map(|&i| u32::try_from(i).unwrap_or(u32::MAX))
        .collect();
    js_sys::Uint32Array::from(v.as_slice()).into()
}

/// The whale curve of `values` (per-customer revenue, margin or CLV; finite, total > 0).
#[wasm_bindgen(js_name = whaleCurve, unchecked_return_type = "WhaleCurve")]
pub fn whale_curve(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] values: JsValue,
) -> Result<JsValue> {
    let w = clv::portfolio::whale_curve(&to_f64s("values", &values)?).map_err(js)?;
    let typed = [
        ("order", positions(&w.order)),
        ("destroyers", positions(&w.destroyers)),
    ];
    to_js_with(&w, &typed)
}

/// Gini coefficient G = Σᵢ Σⱼ |vᵢ − vⱼ| / (2 n² μ) (population version; above 1 possible with negative values).
#[wasm_bindgen]
pub fn gini(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] values: JsValue,
) -> Result<f64> {
    clv::portfolio::gini(&to_f64s("values", &values)?).map_err(js)
}

/// Value tiers A, B, C, … by cumulative share of value (ABC analysis) or by quantile; tied values share a tier.
#[wasm_bindgen(js_name = valueTiers, unchecked_return_type = "ValueTiers")]
pub fn value_tiers(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] values: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ValueTiersOptions")] options: JsValue,
) -> Result<JsValue> {
    let method = glue::tier_method(opt_string(&options, "method")?.as_deref()).map_err(js)?;
    let cuts = opt_f64s(&options, "cuts")?.unwrap_or_else(|| clv::portfolio::DEFAULT_CUTS.to_vec());
    let t = clv::portfolio::value_tiers(&to_f64s("values", &values)?, &cuts, method).map_err(js)?;
    to_js_with(&t, &[("method", t.method.as_str().into())])
}

/// Revenue at risk per customer: value × (1 − pAlive).
#[wasm_bindgen(js_name = revenueAtRisk)]
pub fn revenue_at_risk(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] values: JsValue,
    #[wasm_bindgen(js_name = pAlive, unchecked_param_type = "Float64Array | number[]")]
    p_alive: JsValue,
) -> Result<Float64Array> {
    let r = clv::portfolio::revenue_at_risk(
        &to_f64s("values", &values)?,
        &to_f64s("pAlive", &p_alive)?,
    )
    .map_err(js)?;
    Ok(f64_array(&r))
}

/// Revenue at risk, its totals and the ranking of the customers by it.
#[wasm_bindgen(js_name = riskRanking, unchecked_return_type = "RiskRanking")]
pub fn risk_ranking(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] values: JsValue,
    #[wasm_bindgen(js_name = pAlive, unchecked_param_type = "Float64Array | number[]")]
    p_alive: JsValue,
) -> Result<JsValue> {
    let r =
        clv::portfolio::risk_ranking(&to_f64s("values", &values)?, &to_f64s("pAlive", &p_alive)?)
            .map_err(js)?;
    to_js(&r)
}

/// The most one may spend on a retention offer per customer: successRate · (1 − pAlive) · clv / pAlive (clv > 0, else 0).
#[wasm_bindgen(js_name = offerCeiling, unchecked_return_type = "OfferCeiling")]
pub fn offer_ceiling(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] clv: JsValue,
    #[wasm_bindgen(js_name = pAlive, unchecked_param_type = "Float64Array | number[]")]
    p_alive: JsValue,
    #[wasm_bindgen(js_name = successRate, unchecked_optional_param_type = "number")]
    success_rate: JsValue,
) -> Result<JsValue> {
    // 1 when not given, as in Python
    let success_rate = if missing(&success_rate) {
        1.0
    } else {
        num("successRate", &success_rate)?
    };
    let c = clv::portfolio::offer_ceiling(
        &to_f64s("clv", &clv)?,
        &to_f64s("pAlive", &p_alive)?,
        success_rate,
    )
    .map_err(js)?;
    to_js(&c)
}

/// Revenue, transactions and a contribution margin per customer from a transaction log.
#[wasm_bindgen(js_name = customerTotals, unchecked_return_type = "CustomerTotals")]
pub fn customer_totals(
    #[wasm_bindgen(unchecked_param_type = "TotalsInput")] transactions: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "TotalsOptions")] options: JsValue,
) -> Result<JsValue> {
    let t = glue::customer_totals(
        &strings(&transactions, "customerId")?,
        &f64s(&transactions, "monetaryValue")?,
        opt_f64(&options, "marginRate")?,
        opt_f64(&options, "costPerTransaction")?,
    )
    .map_err(js)?;
    to_js(&t)
}

fn uplift_options(options: &JsValue) -> Result<clv::experiment::UpliftOptions> {
    glue::UpliftArgs::read(&Opts(options))?
        .to_options()
        .map_err(js)
}

/// Uplift of treated over control: Welch's interval and test (continuous) or Newcombe's hybrid score interval with the score-test p-value (binary).
#[wasm_bindgen(unchecked_return_type = "Uplift")]
pub fn uplift(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | (number | boolean)[]")] treated: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float64Array | (number | boolean)[]")] control: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "UpliftOptions")] options: JsValue,
) -> Result<JsValue> {
    let o = uplift_options(&options)?;
    let u = clv::experiment::uplift(
        &outcomes("treated", &treated)?,
        &outcomes("control", &control)?,
        &o,
    )
    .map_err(js)?;
    to_js(&u)
}

/// Uplift on a binary metric from counts (Newcombe hybrid score interval, score-test p-value).
#[wasm_bindgen(js_name = upliftProportions, unchecked_return_type = "Uplift")]
pub fn uplift_proportions(
    #[wasm_bindgen(unchecked_param_type = "Proportions")] counts: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ProportionsOptions")] options: JsValue,
) -> Result<JsValue> {
    to_js(&glue::ProportionsArgs::read_uplift(
        &Opts(&counts),
        &Opts(&options),
    )?)
}

/// Wilson score interval [low, high] of successes / n (Wilson 1927).
#[wasm_bindgen(js_name = wilsonInterval, unchecked_return_type = "[number, number]")]
pub fn wilson_interval(
    #[wasm_bindgen(unchecked_param_type = "number")] successes: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] n: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "number")] confidence: JsValue,
) -> Result<JsValue> {
    let (successes, n) = (num("successes", &successes)?, num("n", &n)?);
    let confidence = if missing(&confidence) {
        None
    } else {
        Some(num("confidence", &confidence)?)
    };
    let (lo, hi) = glue::wilson_interval(successes, n, confidence).map_err(js)?;
    Ok(Array::of2(&lo.into(), &hi.into()).into())
}

fn labels(field: &str, v: &JsValue) -> Result<Vec<String>> {
    if !Array::is_array(v) {
        return Err(invalid(field, type_name(v), "an array of strings"));
    }
    let a: &Array = v.unchecked_ref();
    a.iter()
        .enumerate()
        .map(|(i, x)| {
            x.as_string()
                .ok_or_else(|| js(clv::Error::invalid_at(field, i, type_name(&x), "a string")))
        })
        .collect()
}

/// Uplift estimated within strata and combined with treated weights w_s = n_t,s / n_t: δ = Σ w_s δ_s, Var δ = Σ w_s² (a_s + b_s).
#[wasm_bindgen(js_name = upliftStratified, unchecked_return_type = "StratifiedUplift")]
pub fn uplift_stratified(
    #[wasm_bindgen(unchecked_param_type = "Float64Array | (number | boolean)[]")] treated: JsValue,
    #[wasm_bindgen(js_name = treatedStrata, unchecked_param_type = "string[]")]
    treated_strata: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float64Array | (number | boolean)[]")] control: JsValue,
    #[wasm_bindgen(js_name = controlStrata, unchecked_param_type = "string[]")]
    control_strata: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "UpliftOptions")] options: JsValue,
) -> Result<JsValue> {
    let o = uplift_options(&options)?;
    let s = clv::experiment::uplift_stratified(
        &outcomes("treated", &treated)?,
        &labels("treatedStrata", &treated_strata)?,
        &outcomes("control", &control)?,
        &labels("controlStrata", &control_strata)?,
        &o,
    )
    .map_err(js)?;
    to_js(&s)
}
