//! The state behind every model class of both JS packages, whatever the
//! model: the registry kind, the model once fitted or built, and the fit
//! options given to the constructor. The classes themselves are generated
//! per runtime from [`clv::for_each_model!`]; everything they do that does
//! not touch a JS value is here, once, as calls to the core.

use clv::fit::FitOptions;
use clv::models::{AnyModel, ModelInfo, ModelKind};
use clv::{Error, Result};
use serde::Serialize;
use serde::ser::SerializeMap;

use crate::{JsObject, camel, js_args};

/// A model class instance: unfitted until `fit`, `fromParams` or `fromJSON`.
#[derive(Debug, Clone)]
pub struct ModelState {
    kind: ModelKind,
    model: Option<AnyModel>,
    options: FitOptions,
}

impl ModelState {
    /// An unfitted model of `kind`; `options` are used by [`Self::fit`].
    pub fn new(kind: ModelKind, options: FitOptions) -> Self {
        ModelState {
            kind,
            model: None,
            options,
        }
    }

    /// A model with known parameters, in the order of the registry's `params`.
    ///
    /// # Errors
    /// Those of [`AnyModel::from_values`].
    pub fn from_values(kind: ModelKind, values: &[f64]) -> Result<Self> {
        Ok(Self::known(kind, AnyModel::from_values(kind, values)?))
    }

    /// A model of `kind` read from what `toJSON()` wrote.
    ///
    /// # Errors
    /// Those of [`AnyModel::from_json_as`].
    pub fn from_json(kind: ModelKind, text: &str) -> Result<Self> {
        Ok(Self::known(kind, AnyModel::from_json_as(kind, text)?))
    }

    fn known(kind: ModelKind, model: AnyModel) -> Self {
        ModelState {
            kind,
            model: Some(model),
            options: FitOptions::default(),
        }
    }

    /// The model family and class this state belongs to.
    pub fn kind(&self) -> ModelKind {
        self.kind
    }

    /// The model, or [`Error::NotFitted`] naming the class.
    ///
    /// # Errors
    /// As above.
    pub fn get(&self) -> Result<&AnyModel> {
        self.model.as_ref().ok_or_else(|| Error::NotFitted {
            model: self.kind.spec().class.to_string(),
        })
    }

    /// Fits the model to `inputs` (one array per registry input).
    ///
    /// # Errors
    /// Those of [`AnyModel::fit`].
    pub fn fit(&mut self, inputs: &[&[f64]], weights: Option<&[f64]>) -> Result<()> {
        self.fit_in(inputs, weights, None)
    }

    /// [`Self::fit`] with the time unit of the inputs (a summary's `unit`),
    /// stored with the fitted model ([`clv::fit::FitInfo::unit`]).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] (`freq`) for a unit that does not parse;
    /// those of [`AnyModel::fit`].
    pub fn fit_in(
        &mut self,
        inputs: &[&[f64]],
        weights: Option<&[f64]>,
        unit: Option<&str>,
    ) -> Result<()> {
        let options = self.fit_options(unit)?;
        self.model = Some(AnyModel::fit(self.kind, inputs, weights, &options)?);
        Ok(())
    }

    /// The constructor's fit options with the time unit of the inputs.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] (`freq`) for a unit that does not parse.
    pub fn fit_options(&self, unit: Option<&str>) -> Result<FitOptions> {
        Ok(FitOptions {
            unit: unit.map(clv::time::TimeUnit::parse).transpose()?,
            ..self.options.clone()
        })
    }
}

impl std::fmt::Display for ModelState {
    /// The model's core `Display` (`BG/NBD(r=0.243, ...)`), or `BetaGeo (not
    /// fitted)`: what JS `toString()` returns.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.model {
            Some(m) => m.fmt(f),
            None => write!(f, "{} (not fitted)", self.kind.spec().class),
        }
    }
}

/// One row of `summary()`: estimate, standard error and 95% interval (NaN
/// without a fit).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParamRow {
    /// Parameter name.
    pub param: &'static str,
    /// Its value.
    pub estimate: f64,
    /// √diag((−H)⁻¹).
    pub std_error: f64,
    /// Lower end of the log-scale Wald interval.
    pub lower95: f64,
    /// Upper end.
    pub upper95: f64,
}

/// The `summary()` rows of a model.
pub fn summary_rows(m: &AnyModel) -> Vec<ParamRow> {
    let info = m.fit_info();
    m.params()
        .into_iter()
        .enumerate()
        .map(|(i, (param, estimate))| ParamRow {
            param,
            estimate,
            std_error: info.map_or(f64::NAN, |f| f.std_errors[i]),
            lower95: info.map_or(f64::NAN, |f| f.ci_95[i].0),
            upper95: info.map_or(f64::NAN, |f| f.ci_95[i].1),
        })
        .collect()
}

/// Named numbers serialised as one object, in order (`params`, `stdErrors`).
#[derive(Debug, Clone, PartialEq)]
pub struct Named(pub Vec<(&'static str, f64)>);

impl Serialize for Named {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// The standard errors of a fitted model by parameter name; `None` for a
/// model built from parameters.
pub fn std_errors(m: &AnyModel) -> Option<Named> {
    let names = m.kind().spec().params;
    m.fit_info()
        .map(|f| Named(names.iter().copied().zip(f.std_errors.clone()).collect()))
}

/// A registry entry as the JS `models()` function lists it (input names in
/// JS spelling: `n_periods` → `nPeriods`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelEntry {
    /// JSON key, e.g. `"bg_nbd"`.
    pub key: &'static str,
    /// Display name, e.g. `"BG/NBD"`.
    pub name: &'static str,
    /// The JS class, e.g. `"BetaGeo"`.
    pub class: &'static str,
    /// `"transaction"`, `"spend"` or `"retention"`.
    pub family: &'static str,
    /// Parameter names, in order.
    pub params: Vec<&'static str>,
    /// The arrays `fit` takes, in JS spelling.
    pub inputs: Vec<String>,
    /// The paper.
    pub reference: &'static str,
    /// How covariates enter the model (empty: none).
    pub covariates: Vec<CovariateLinkEntry>,
}

/// One group of covariate effects of a model (the core's
/// [`clv::models::CovariateLink`]): `θ_i = θ₀ · exp(sign · γᵀ z_i)` for each
/// parameter θ it names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CovariateLinkEntry {
    /// The group of effects: `"purchase"`, `"dropout"`, `"spend"`,
    /// `"alpha"` or `"beta"`.
    pub effects: &'static str,
    /// The covariate set it reads: `"purchase"`, `"dropout"` or `"spend"`.
    pub set: &'static str,
    /// The parameters it scales.
    pub params: Vec<&'static str>,
    /// +1 or −1.
    pub sign: i32,
}

/// Every model of the registry.
pub fn models() -> Vec<ModelEntry> {
    ModelKind::ALL
        .iter()
        .map(|k| {
            let s = k.spec();
            ModelEntry {
                key: s.key,
                name: s.name,
                class: s.class,
                family: s.family.as_str(),
                params: s.params.to_vec(),
                inputs: s.inputs.iter().map(|i| camel(i)).collect(),
                reference: s.reference,
                covariates: s
                    .covariates
                    .iter()
                    .map(|l| CovariateLinkEntry {
                        effects: l.effects,
                        set: l.set,
                        params: l.params.to_vec(),
                        sign: i32::from(l.sign),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Options of `customerLifetimeValue`: the options object's fields and the
/// unit the data carry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClvArgs {
    /// `{time, discountRate, freq}`.
    pub options: ClvOptionArgs,
    /// The unit the data carry (the `unit` of a summary object), if any.
    pub data_unit: Option<String>,
}

impl ClvArgs {
    /// `{time, discountRate, freq}`, with the unit the data carry.
    ///
    /// # Errors
    /// The binding's, for a field of the wrong type.
    pub fn read<O: JsObject>(
        o: &O,
        data_unit: Option<String>,
    ) -> std::result::Result<Self, O::Error> {
        Ok(ClvArgs {
            options: ClvOptionArgs::read(o)?,
            data_unit,
        })
    }
}

js_args! {
    /// The fields of `customerLifetimeValue`'s options object as a JS caller
    /// gives them (lifetimes' defaults: 12 months, 0.01 per month; the unit
    /// of the transaction model, else of the data, else days:
    /// [`clv::value::resolve_unit`]).
    pub struct ClvOptionArgs {
        /// Horizon in months.
        time: number = "time",
        /// Monthly discount rate.
        discount_rate: number = "discountRate",
        /// Unit of recency and T.
        freq: string = "freq",
    }
}

/// `fromParams`' check of the names given (`keys`, the argument object's
/// own keys) against `kind`'s registry parameters: a misspelt one is an
/// `INVALID_INPUT` naming it ([`clv::error::check::known_names`]).
///
/// # Errors
/// As [`clv::error::check::known_names`].
pub fn known_params<S: AsRef<str>>(kind: ModelKind, keys: &[S]) -> Result<()> {
    let spec = kind.spec();
    clv::error::check::known_names(keys, spec.params, &format!("a parameter of {}", spec.name))
}

/// The JS name of the age column of `customerLifetimeValue`'s data for
/// `transaction`: its registry input in camelCase, `nPeriods` for BG/BB as
/// in its other methods, else `T`. `T` is still read for BG/BB when the
/// data have no `nPeriods` (`has` says whether they do).
pub fn clv_age_key(transaction: &AnyModel, has: impl Fn(&str) -> bool) -> &'static str {
    let spec = transaction.kind().spec();
    if spec.inputs.get(2) == Some(&"n_periods") && has("nPeriods") {
        "nPeriods"
    } else {
        "T"
    }
}

/// Discounted CLV of each customer ([`clv::value::customer_lifetime_value_with_spend`]);
/// the core decides which models can be used.
///
/// # Errors
/// `time` not a whole number; those of the core.
pub fn customer_lifetime_value(
    transaction: &AnyModel,
    spend: &AnyModel,
    columns: [&[f64]; 4],
    args: &ClvArgs,
) -> Result<Vec<f64>> {
    let [frequency, recency, t, monetary_value] = columns;
    clv::value::customer_lifetime_value_with_spend(
        transaction,
        spend,
        frequency,
        recency,
        t,
        monetary_value,
        clv::models::whole_count("time", args.options.time.unwrap_or(12.0))?,
        args.options.discount_rate.unwrap_or(0.01),
        &clv::value::resolve_unit(&[
            ("freq", args.options.freq.as_deref()),
            ("the transaction model", clv::value::model_unit(transaction)),
            ("the data", args.data_unit.as_deref()),
        ])?,
    )
}

/// The registry list of [`clv::for_each_model!`] as one
/// `model_class!(Variant, "name", "reference", Class, Family, [params], Input)`
/// per model and one `model_union!(Class, ...)`: macros the calling binding
/// defines, so that each JS runtime writes only its class shape. `Input` is
/// the JS input object of the model's registry inputs (`Customers` for
/// `frequency, recency, T`, `BgBbCustomers` for `frequency, recency,
/// n_periods`, `SpendCustomers` for `frequency, monetary_value`, `Survivors`
/// for `survivors`); a model with other inputs needs a line here.
///
/// Use: `use clv_js_common::model_classes; clv::for_each_model!(model_classes);`
#[macro_export]
macro_rules! model_classes {
    ($(
        $variant:ident : $ty:ident {
            key: $key:literal, name: $name:literal, class: $class:ident, family: $family:ident,
            params: [$($param:ident),*], inputs: [$($input:ident),*], reference: $reference:literal
        }
    ),* $(,)?) => {
        $($crate::__with_input_type!([$($input),*] model_class ($variant, $name, $reference, $class, $family, [$($param),*],));)*
        model_union!($($class),*);
    };
}

/// `$m!(args... Input)` with the JS input object of a registry input list.
#[doc(hidden)]
#[macro_export]
macro_rules! __with_input_type {
    ([frequency, recency, T] $m:ident ($($args:tt)*)) => { $m!($($args)* Customers); };
    ([frequency, recency, n_periods] $m:ident ($($args:tt)*)) => { $m!($($args)* BgBbCustomers); };
    ([frequency, monetary_value] $m:ident ($($args:tt)*)) => { $m!($($args)* SpendCustomers); };
    ([survivors] $m:ident ($($args:tt)*)) => { $m!($($args)* Survivors); };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_has_a_state_and_an_entry() {
        for (kind, entry) in ModelKind::ALL.iter().zip(models()) {
            let s = ModelState::new(*kind, FitOptions::default());
            let e = s.get().unwrap_err();
            assert_eq!((e.code(), entry.class), ("NOT_FITTED", kind.spec().class));
            assert_eq!(entry.params.len(), kind.spec().params.len());
            assert!(!entry.inputs.iter().any(|i| i.contains('_')), "{entry:?}");
        }
    }

    #[test]
    fn summary_and_std_errors() {
        // FH (2007) "regular" survivors, years 0-7.
        let mut s = ModelState::new(ModelKind::Sbg, FitOptions::default());
        s.fit(
            &[&[1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0]],
            None,
        )
        .unwrap();
        let m = s.get().unwrap();
        let rows = summary_rows(m);
        assert_eq!(rows[0].param, "alpha");
        assert!((rows[0].estimate - 0.704).abs() < 5e-4);
        assert_eq!(std_errors(m).unwrap().0[1].1, rows[1].std_error);
        let known = ModelState::from_values(ModelKind::Sbg, &[0.704, 1.182]).unwrap();
        assert!(std_errors(known.get().unwrap()).is_none());
        assert!(summary_rows(known.get().unwrap())[0].std_error.is_nan());
    }
}
