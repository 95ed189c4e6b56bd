//! The model classes, one per line of the core's registry
//! ([`clv::for_each_model!`]): `BetaGeo`, `ParetoNBD`, `GammaGamma`, … each
//! holding a [`ModelState`] (an `Option<clv::AnyModel>`), with the methods of
//! its family (transaction, spend or retention) and a parameter object
//! `<Class>Params` from the registry's parameter names. A model added to the
//! registry appears here with no code of its own. Every method calls the
//! core, which decides what a model supports (`NOT_SUPPORTED` otherwise).

use clv::models::{ModelInfo, ModelKind, SpendModel, TransactionModel, whole_count};
use clv_js_common::models::{self as common, ModelState};
use napi::bindgen_prelude::{Either, Either3, Float64Array, This, Unknown};
use napi_derive::napi;

use crate::read::{self, Data, number, numbers};
use crate::{FitOptions, Result, fit_options, js, out, sl};

/// The data object of a model of `kind`: its registry inputs (by their JS
/// names), weights and unit. Its TS types (`Customers`, `BgBbCustomers`,
/// `SpendCustomers`) are in the head of `index.d.ts` (`index.d.ts.in`).
fn data_of(kind: ModelKind, data: &Unknown<'_>) -> Result<Data> {
    Data::read(data, &clv_js_common::uncertainty::input_names(kind))
}

/// `f(model, columns)` of a model's data object: the `N` arrays of its
/// registry inputs (`[frequency, recency, T]`, `[frequency, monetaryValue]`).
fn per_customer<const N: usize>(
    class: &impl HasModel,
    data: &Unknown<'_>,
    f: impl FnOnce(&clv::models::AnyModel, [&[f64]; N]) -> clv::Result<Vec<f64>>,
) -> Result<Float64Array> {
    let m = class.model()?;
    let d = data_of(m.kind(), data)?;
    let c = d.slices();
    f(m, std::array::from_fn(|i| c[i])).map(out).map_err(js)
}

/// Customers a fit left out although their data are valid (`leftOut`).
#[napi(object, object_from_js = false)]
pub struct LeftOut {
    /// 0-based indices in the fit's input arrays, ascending.
    pub indices: Vec<u32>,
    /// Why they were left out and how they are valued.
    pub reason: String,
}

impl From<&clv::fit::LeftOut> for LeftOut {
    fn from(l: &clv::fit::LeftOut) -> Self {
        LeftOut {
            indices: l.indices.iter().map(|&i| crate::count(i)).collect(),
            reason: l.reason.clone(),
        }
    }
}

js_object! {
#[doc = "One row of `summary()`: estimate, standard error and 95% interval."]
#[napi(object, object_from_js = false)]
pub struct ParamSummary from common::ParamRow {
    pub param: String => String::from,
    pub estimate: f64,
    #[doc = "√diag((−H)⁻¹); NaN when the information matrix is not positive definite."]
    pub std_error: f64,
    #[doc = "Log-scale Wald interval θ·exp(−1.96·SE/θ)."]
    pub lower95: f64,
    #[doc = "θ·exp(+1.96·SE/θ)."]
    pub upper95: f64,
}
}

js_object! {
#[doc = "A model of the registry as `models()` lists it."]
#[napi(object, object_from_js = false)]
pub struct ModelEntry from common::ModelEntry {
    #[doc = "JSON key, e.g. \"bg_nbd\"."]
    pub key: String => String::from,
    #[doc = "Display name, e.g. \"BG/NBD\"."]
    pub name: String => String::from,
    #[doc = "The class in this package, e.g. \"BetaGeo\"."]
    pub class: String => String::from,
    #[doc = "\"transaction\", \"spend\" or \"retention\"."]
    pub family: String => String::from,
    #[doc = "Parameter names, in order (the keys of `params`)."]
    pub params: Vec<String> => crate::rows,
    #[doc = "The arrays `fit` takes (the keys of its input object)."]
    pub inputs: Vec<String>,
    #[doc = "The paper the model comes from."]
    pub reference: String => String::from,
    #[doc = "How covariates enter the model (empty: none)."]
    pub covariates: Vec<CovariateLink> => crate::rows,
}
}

js_object! {
#[doc = "One group of covariate effects of a model: θ_i = θ₀·exp(sign·γᵀz_i) for each parameter θ it names."]
#[napi(object, object_from_js = false)]
pub struct CovariateLink from common::CovariateLinkEntry {
    #[doc = "The group of effects: \"purchase\", \"dropout\", \"spend\", \"alpha\" or \"beta\"."]
    pub effects: String => String::from,
    #[doc = "The covariate set it reads: \"purchase\", \"dropout\" or \"spend\"."]
    pub set: String => String::from,
    #[doc = "The parameters it scales."]
    pub params: Vec<String> => crate::rows,
    #[doc = "+1 or −1."]
    pub sign: i32,
}
}

/// Every model of the package, from the core's registry.
#[napi(catch_unwind)]
pub fn models() -> Vec<ModelEntry> {
    crate::rows(common::models())
}

/// Model JSON text from what a caller gives `fromJSON`: the text itself or
/// the object `toJSON()` returned.
fn json_text(json: serde_json::Value) -> String {
    match json {
        serde_json::Value::String(s) => s,
        v => v.to_string(),
    }
}

/// The model state of a class instance.
pub trait HasModel {
    /// The class's model state.
    fn state(&self) -> &ModelState;
}

impl<T: HasModel> HasModel for &T {
    fn state(&self) -> &ModelState {
        (*self).state()
    }
}

impl<A: HasModel, B: HasModel> HasModel for Either<A, B> {
    fn state(&self) -> &ModelState {
        match self {
            Either::A(a) => a.state(),
            Either::B(b) => b.state(),
        }
    }
}

/// The model of a JS value that is an instance of a model class (`None`
/// for any other value), for a model given as an argument ([`read::model`]).
/// Implemented for each class reference `&T` and for `ModelClass`, the
/// nested `Either` of them, which lists the classes.
///
/// The check is napi's `ClassInstance` conversion (the class recorded when
/// the object was wrapped). `Either`'s own conversion cannot be used from
/// our code: its `instanceof` validation does not find the class
/// constructors there ("Value is none of these types"), and a `&T` can only
/// be created by napi's generated argument conversion. So the model is
/// copied out of the instance (a few numbers and the fit report), as
/// @clv/wasm reads it back from `toJSON()`.
pub trait ReadModel {
    /// The instance's model (`NOT_FITTED` for an unfitted one), `None`
    /// when `v` is not an instance.
    fn read_model(v: Unknown<'_>) -> Option<clv::Result<clv::models::AnyModel>>;
}

impl<T> ReadModel for &T
where
    T: HasModel + 'static,
    for<'e> napi::bindgen_prelude::ClassInstance<'e, T>: napi::bindgen_prelude::FromNapiValue,
{
    fn read_model(v: Unknown<'_>) -> Option<clv::Result<clv::models::AnyModel>> {
        use napi::bindgen_prelude::{ClassInstance, FromNapiValue};
        let instance = ClassInstance::<T>::from_unknown(v).ok()?;
        Some(instance.state().get().cloned())
    }
}

impl<A: ReadModel, B: ReadModel> ReadModel for Either<A, B> {
    fn read_model(v: Unknown<'_>) -> Option<clv::Result<clv::models::AnyModel>> {
        A::read_model(v).or_else(|| B::read_model(v))
    }
}

/// Methods every model class has, around its [`ModelState`].
trait Class: HasModel {
    fn model(&self) -> Result<&clv::models::AnyModel> {
        self.state().get().map_err(js)
    }
}

impl<T: HasModel> Class for T {}

/// `ModelClass`: any model class (a nested `Either`): the TS type of the
/// model arguments in index.d.ts, and the class list of [`ReadModel`],
/// which reads them (the arguments themselves come in as `Unknown`).
macro_rules! model_union {
    ($($class:ident),*) => {
        any_model_class!([] [] $($class),*);
    };
}

macro_rules! any_model_class {
    ([$($open:tt)*] [$($close:tt)*] $last:ident) => {
        /// Any model class of the package.
        #[napi]
        pub type ModelClass<'a> = $($open)* &'a $last $($close)*;
    };
    ([$($open:tt)*] [$($close:tt)*] $first:ident, $($rest:ident),+) => {
        any_model_class!([$($open)* Either<&'a $first,] [$($close)* >] $($rest),+);
    };
}

/// One model class: state, parameter object, lifecycle and its family's methods.
/// The TS of the methods all classes (or all of a family) share is written
/// once, in the head of index.d.ts (`index.d.ts.in`: `Model<P>`,
/// `FitsCustomers<D>`, `TransactionModel<P, D>`, merged into each class), so
/// those methods carry `skip_typescript`; the constructor, the factories and
/// the methods of one class only are typed here.
macro_rules! model_class {
    ($variant:ident, $name:literal, $reference:literal, $class:ident, $family:ident, [$($param:ident),*], $Input:ident) => { paste::paste! {
        #[doc = $name " parameters, in the registry's order."]
        #[napi(object, js_name = [<$class Params>])]
        #[derive(Clone, Copy)]
        pub struct [<$class Params>] {
            $(pub $param: f64,)*
        }

        impl [<$class Params>] {
            fn from_values(v: &[f64]) -> Self {
                let mut it = v.iter().copied();
                Self { $($param: it.next().unwrap_or(f64::NAN),)* }
            }
        }

        /// `fromParams`' argument: the JS object itself, read with our
        /// errors (`read::number_of`); typed `{Class}Params` in index.d.ts
        /// by this alias's name.
        mod [<$class:snake _params>] {
            pub type [<$class Params>]<'a> = napi::bindgen_prelude::Unknown<'a>;
        }

        #[doc = $name " (" $reference ")."]
        #[napi(js_name = $class)]
        pub struct $class {
            state: ModelState,
        }

        impl HasModel for $class {
            fn state(&self) -> &ModelState {
                &self.state
            }
        }

        #[napi]
        impl $class {
            /// An unfitted model; `options` are used by `fit`.
            #[napi(catch_unwind, constructor)]
            pub fn new(options: Option<FitOptions<'_>>) -> Result<Self> {
                Ok(Self { state: ModelState::new(ModelKind::$variant, fit_options(options)?) })
            }

            /// A model with known parameters.
            #[napi(catch_unwind, factory)]
            pub fn from_params(params: [<$class:snake _params>]::[<$class Params>]<'_>) -> Result<Self> {
                read::known_params(&params, ModelKind::$variant)?;
                let values = [$(read::number_of(&params, stringify!($param))?),*];
                let state = ModelState::from_values(ModelKind::$variant, &values);
                Ok(Self { state: state.map_err(js)? })
            }

            /// Reads what `toJSON()` wrote (the object, or its JSON text).
            #[napi(catch_unwind, factory, js_name = "fromJSON", ts_args_type = "json: string | Record<string, unknown>")]
            pub fn from_json(json: serde_json::Value) -> Result<Self> {
                let state = ModelState::from_json(ModelKind::$variant, &json_text(json));
                Ok(Self { state: state.map_err(js)? })
            }

            /// `{format_version, model, params, fit}`: what `JSON.stringify(model)` writes.
            #[napi(catch_unwind, skip_typescript, js_name = "toJSON")]
            pub fn to_json(&self) -> Result<serde_json::Value> {
                // The core writes valid JSON.
                Ok(serde_json::from_str(&self.model()?.to_json()).unwrap_or_default())
            }

            /// The parameters.
            #[napi(catch_unwind, skip_typescript, getter)]
            pub fn params(&self) -> Result<[<$class Params>]> {
                Ok([<$class Params>]::from_values(&self.model()?.values()))
            }

            /// Total log-likelihood at the optimum; null for a model built from parameters.
            #[napi(catch_unwind, skip_typescript, getter)]
            pub fn log_likelihood(&self) -> Result<Option<f64>> {
                Ok(self.model()?.fit_info().map(|f| f.log_likelihood))
            }

            /// Akaike information criterion 2k − 2·LL (k parameters); null for a model built from parameters.
            #[napi(catch_unwind, skip_typescript, getter)]
            pub fn aic(&self) -> Result<Option<f64>> {
                Ok(self.model()?.fit_info().map(|f| f.aic))
            }

            /// Bayesian information criterion k·ln(n) − 2·LL (n the weighted number of customers);
            /// null for a model built from parameters.
            #[napi(catch_unwind, skip_typescript, getter)]
            pub fn bic(&self) -> Result<Option<f64>> {
                Ok(self.model()?.fit_info().map(|f| f.bic))
            }

            /// The note of a boundary optimum (the parameters running off and the model
            /// the fit reduces to; their standard errors are NaN); null for an interior
            /// optimum or a model built from parameters.
            #[napi(catch_unwind, skip_typescript, getter)]
            pub fn boundary(&self) -> Result<Option<String>> {
                Ok(self.model()?.fit_info().and_then(|f| f.boundary.clone()))
            }

            /// Customers the fit left out although their data are valid (Gamma-Gamma:
            /// repeat customers whose mean spend is 0, valued at the population mean
            /// spend): their 0-based indices in the fit's arrays and why; null when none,
            /// or for a model built from parameters.
            #[napi(catch_unwind, skip_typescript, getter)]
            pub fn left_out(&self) -> Result<Option<LeftOut>> {
                Ok(self.model()?.fit_info().and_then(|f| f.left_out.as_ref()).map(LeftOut::from))
            }

            /// The time unit the model was fitted in (the `unit` of the fitted data, e.g.
            /// "W"): that of recency, T and every horizon; null when not known.
            #[napi(catch_unwind, skip_typescript, getter)]
            pub fn unit(&self) -> Result<Option<String>> {
                Ok(self.model()?.fit_info().and_then(|f| f.unit.clone()))
            }

            /// Standard errors of the parameters; null for a model built from parameters.
            #[napi(catch_unwind, skip_typescript, getter)]
            pub fn std_errors(&self) -> Result<Option<[<$class Params>]>> {
                Ok(self.model()?.fit_info().map(|f| [<$class Params>]::from_values(&f.std_errors)))
            }

            /// The model in one line: `BG/NBD(r=0.2426, ...; fitted to 2357 customers ...)`.
            #[napi(skip_typescript, js_name = "toString")]
            pub fn display(&self) -> String { self.state.to_string() }

            /// Parameter draws: `method` "laplace" (default; from the fit's covariance) or
            /// "bootstrap" (refits to customers resampled from `data`), `n` draws (default
            /// 2000), `seed` (default 0); every prediction of the draws has intervals.
            #[napi(catch_unwind, skip_typescript)]
            pub fn draws(&self, options: Option<crate::uncertainty::DrawsOptions<'_>>) -> Result<crate::uncertainty::Draws> {
                crate::uncertainty::draws(self, options)
            }

            /// Estimate, standard error and 95% interval of each parameter.
            #[napi(catch_unwind, skip_typescript)]
            pub fn summary(&self) -> Result<Vec<ParamSummary>> {
                Ok(crate::rows(common::summary_rows(self.model()?)))
            }
        }

        family_methods!($family, $class, $Input);
    }};
}

/// The methods of a family; `fit` takes the input object (or, for a
/// retention model, the survivor array).
macro_rules! family_methods {
    (Transaction, $class:ident, $Input:ident) => {
        input_fit!($class, $Input);
        transaction_methods!($class, $Input);
    };
    (Spend, $class:ident, $Input:ident) => {
        input_fit!($class, $Input);
        spend_methods!($class, $Input);
    };
    (Retention, $class:ident, $Input:ident) => {
        retention_methods!($class);
    };
}

macro_rules! input_fit {
    ($class:ident, $Input:ident) => {
        #[napi]
        impl $class {
            /// Fits the model by maximum likelihood (a spend model on the customers with
            /// frequency > 0) and returns the model itself; with `purchaseCovariates` and/or
            /// `dropoutCovariates` in `options` (Pareto/NBD, BG/NBD, MBG/NBD, GGom/NBD), the
            /// model with static covariates (a `CovariateModel`), with `spendCovariates`
            /// (Gamma-Gamma) a `SpendCovariateModel`; this model stays as it was.
            #[napi(catch_unwind, skip_typescript)]
            pub fn fit<'a>(
                &mut self,
                this: This<'a>,
                data: Unknown<'_>,
                options: Option<Unknown<'_>>,
            ) -> Result<
                Either3<
                    This<'a>,
                    crate::covariates::CovariateModel,
                    crate::spend::SpendCovariateModel,
                >,
            > {
                use clv_js_common::covariates::Fitted;
                let d = data_of(self.state.kind(), &data)?;
                let args = crate::covariates::args_for(options.as_ref(), &data)?;
                let fitted = clv_js_common::covariates::fit(
                    &mut self.state,
                    &d.slices(),
                    d.weights(),
                    d.unit.as_deref(),
                    &args,
                );
                Ok(match fitted.map_err(js)? {
                    Fitted::Plain => Either3::A(this),
                    Fitted::Covariates(m) => Either3::B(m.into()),
                    Fitted::Spend(m) => Either3::C(m.into()),
                })
            }

            /// Bayesian fit with NUTS to the same data as `fit` (`priors` by parameter name,
            /// `chains` in parallel, each of `tune` warm-up and `draws` kept draws, `seed`):
            /// the posterior draws (method "nuts"), with every prediction as intervals. The
            /// model itself stays unfitted.
            #[napi(catch_unwind, skip_typescript)]
            pub fn sample(
                &self,
                data: Unknown<'_>,
                options: Option<crate::uncertainty::SampleOptions<'_>>,
            ) -> Result<Either<crate::uncertainty::Draws, crate::grouped::GroupedDraws>> {
                let d = data_of(self.state.kind(), &data)?;
                crate::uncertainty::sample(self.state.kind(), &d.slices(), d.weights(), options)
            }
        }
    };
}

/// Methods of a transaction model that answer per customer, one per line:
/// `"doc" name(scalars) |model, x, t_x, T| call`; each scalar is read as a
/// number (our error naming it), the data object by the registry's inputs.
/// Their TS is `TransactionModel` in `index.d.ts.in`.
macro_rules! per_customer_methods {
    ($class:ident; $($doc:literal $name:ident($($s:ident),*) |$m:ident, $x:ident, $tx:ident, $t:ident| $call:expr;)*) => {
        #[napi]
        impl $class {
            $(
                #[doc = $doc]
                #[napi(catch_unwind, skip_typescript)]
                pub fn $name(&self, $($s: Unknown<'_>,)* data: Unknown<'_>) -> Result<Float64Array> {
                    $(let $s = number(stringify!($s), $s)?;)*
                    per_customer(self, &data, |$m, [$x, $tx, $t]| $call)
                }
            )*
        }
    };
}

macro_rules! transaction_methods {
    ($class:ident, $Input:ident) => {
        per_customer_methods! { $class;
            "Per-customer log-likelihood."
            log_likelihood_of() |m, x, tx, tt| m.log_likelihood(x, tx, tt);
            "P(alive) of each customer."
            prob_alive() |m, x, tx, tt| m.prob_alive(x, tx, tt);
            "Expected purchases of each customer in the next `t` units."
            expected_purchases(t) |m, x, tx, tt| m.expected_purchases(t, x, tx, tt);
            "P(X(T, T+t) = n | x, t_x, T) for each customer, where the model has it."
            prob_purchases_conditional(n, t) |m, x, tx, tt| m.prob_purchases_conditional(whole_count("n", n)?, t, x, tx, tt);
            "Discounted expected residual transactions, where the model has them in closed form (Pareto/NBD: continuous rate per unit; BG/BB: rate per opportunity)."
            dert(discount) |m, x, tx, tt| m.dert(discount, x, tx, tt);
            "P(alive at opportunity n + m) for each customer (discrete-time models)."
            prob_alive_ahead(m) |model, x, tx, tt| model.prob_alive_ahead(m, x, tx, tt);
        }

        #[napi]
        impl $class {
            /// Expected purchases of a new customer in `t` units.
            #[napi(catch_unwind, skip_typescript)]
            pub fn expected_purchases_new(&self, t: Unknown<'_>) -> Result<f64> {
                let t = number("t", t)?;
                self.model()?.expected_purchases_new(t).map_err(js)
            }

            /// P(X(t) = n) for a new customer.
            #[napi(catch_unwind, skip_typescript)]
            pub fn prob_purchases(&self, n: Unknown<'_>, t: Unknown<'_>) -> Result<f64> {
                let (m, n, t) = (self.model()?, number("n", n)?, number("t", t)?);
                whole_count("n", n).and_then(|n| m.prob_purchases(n, t)).map_err(js)
            }

            /// Discounted CLV of each customer with `spendModel` (see `customerLifetimeValue`).
            #[napi(catch_unwind, skip_typescript)]
            pub fn customer_lifetime_value(
                &self,
                spend_model: Unknown<'_>,
                data: Unknown<'_>,
                options: Option<Unknown<'_>>,
            ) -> Result<Float64Array> {
                let spend = read::model("spendModel", spend_model)?;
                clv_of(self.model()?, &spend, &data, options)
            }
        }
    };
}

macro_rules! spend_methods {
    ($class:ident, $Input:ident) => {
        #[napi]
        impl $class {
            /// Per-customer log-likelihood (repeat customers).
            #[napi(catch_unwind)]
            pub fn log_likelihood_of(
                &self,
                #[napi(ts_arg_type = "SpendCustomers")] data: Unknown<'_>,
            ) -> Result<Float64Array> {
                per_customer(self, &data, |m, [x, mv]| {
                    m.gamma_gamma("log_likelihood")?.log_likelihood(x, mv)
                })
            }

            /// Expected mean transaction value of each customer.
            #[napi(catch_unwind)]
            pub fn expected_spend(
                &self,
                #[napi(ts_arg_type = "SpendCustomers")] data: Unknown<'_>,
            ) -> Result<Float64Array> {
                per_customer(self, &data, |m, [x, mv]| m.expected_spend(x, mv))
            }
        }
    };
}

macro_rules! retention_methods {
    ($class:ident) => {
        #[napi]
        impl $class {
            /// Fits to the active customers at the start of each period (survivors[0] = cohort size) and returns the model itself.
            #[napi(catch_unwind)]
            pub fn fit<'a>(
                &mut self,
                this: This<'a>,
                #[napi(ts_arg_type = "Float64Array | Array<number>")] survivors: Unknown<'_>,
            ) -> Result<This<'a>> {
                let s = numbers("survivors", survivors)?;
                self.state.fit(&[sl(&s)], None).map_err(js)?;
                Ok(this)
            }

            /// Maximum-likelihood fit of the sBG with static covariates to per-customer
            /// contract data (`periods` observed, whole ≥ 1; `churned` in the last of them,
            /// booleans or 0/1; optional `weights`) with each customer's `dropoutCovariates`
            /// (none: the plain sBG on individual data): a `RetentionCovariateModel`; this
            /// model stays as it was. The optimiser options are the constructor's, with
            /// `maxIterations` and `gradientTolerance` of `options` over them.
            #[napi(catch_unwind)]
            pub fn fit_individual(
                &self,
                #[napi(ts_arg_type = "RetentionCustomers")] data: Unknown<'_>,
                #[napi(ts_arg_type = "RetentionCovariateFitOptions | undefined | null")]
                options: Option<Unknown<'_>>,
            ) -> Result<crate::retention::RetentionCovariateModel> {
                crate::retention::fit(&self.state, &data, options.as_ref())
            }

            /// Bayesian fit with NUTS to a survivor series (see `BetaGeo.sample`).
            #[napi(catch_unwind)]
            pub fn sample(
                &self,
                #[napi(ts_arg_type = "Float64Array | Array<number>")] survivors: Unknown<'_>,
                options: Option<crate::uncertainty::SampleOptions<'_>>,
            ) -> Result<crate::uncertainty::Draws> {
                let s = numbers("survivors", survivors)?;
                // the core refuses groups for a survivor curve (NOT_SUPPORTED)
                match crate::uncertainty::sample(self.state.kind(), &[sl(&s)], None, options)? {
                    Either::A(d) => Ok(d),
                    Either::B(_) => Err(napi::Error::new(
                        "NOT_SUPPORTED".to_string(),
                        "groups: a survivor curve has no customers to group".to_string(),
                    )),
                }
            }

            /// Log-likelihood of a survivor series at these parameters.
            #[napi(catch_unwind)]
            pub fn log_likelihood_of(
                &self,
                #[napi(ts_arg_type = "Float64Array | Array<number>")] survivors: Unknown<'_>,
            ) -> Result<f64> {
                let s = numbers("survivors", survivors)?;
                with_retention(self, "log_likelihood", |m| m.log_likelihood(sl(&s)))
            }
        }

        retention_scalar_methods! { $class;
            "S(t): probability of being active after t periods."
            survival(t) |m| m.survival(t);
            "r(t) = S(t)/S(t−1): retention rate in period t."
            retention(t) |m| m.retention(t);
            "P(T = t): probability of churning in period t."
            prob_churn(t) |m| m.prob_churn(t);
            "Discounted expected residual lifetime of a customer who has made `renewals` renewals."
            dert(discount, renewals) |m| m.dert(discount, renewals);
            "Discounted expected lifetime of a new customer."
            discounted_expected_lifetime(discount) |m| m.discounted_expected_lifetime(discount);
        }
    };
}

/// Methods of the retention model of numbers only, one per line: `"doc"
/// name(scalars) |model| call`; each scalar is read as a number (our error
/// naming it), and a model of another family is `NOT_SUPPORTED` naming the
/// method.
macro_rules! retention_scalar_methods {
    ($class:ident; $($doc:literal $name:ident($($s:ident),*) |$m:ident| $call:expr;)*) => {
        #[napi]
        impl $class {
            $(
                #[doc = $doc]
                #[napi(catch_unwind)]
                pub fn $name(&self, $(#[napi(ts_arg_type = "number")] $s: Unknown<'_>),*) -> Result<f64> {
                    $(let $s = number(stringify!($s), $s)?;)*
                    with_retention(self, stringify!($name), |$m| $call)
                }
            )*
        }
    };
}

/// `f` of the retention model of `class` (`NOT_SUPPORTED` naming `what`
/// for another family).
fn with_retention(
    class: &impl HasModel,
    what: &str,
    f: impl FnOnce(&clv::models::ShiftedBetaGeo) -> clv::Result<f64>,
) -> Result<f64> {
    class.model()?.retention(what).and_then(f).map_err(js)
}

use clv_js_common::model_classes;
clv::for_each_model!(model_classes);

fn clv_of(
    transaction: &clv::models::AnyModel,
    spend: &clv::models::AnyModel,
    data: &Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<Float64Array> {
    let has = |k: &str| read::property(data, k).is_ok_and(|v| v.is_some());
    let age = common::clv_age_key(transaction, has);
    let d = Data::read(data, &["frequency", "recency", age, "monetaryValue"])?;
    let (args, _) = read::clv_args(options.as_ref(), d.unit.clone())?;
    let c = d.slices();
    common::customer_lifetime_value(transaction, spend, [c[0], c[1], c[2], c[3]], &args)
        .map(out)
        .map_err(js)
}

/// Discounted CLV of each customer over `time` months (lifetimes-compatible):
/// Σ_{k=1..time} spend · (E[Y(k·u)] − E[Y((k−1)·u)]) / (1+discountRate)^k, spend from the spend model.
#[napi(catch_unwind)]
pub fn customer_lifetime_value(
    #[napi(ts_arg_type = "ModelClass")] transaction_model: Unknown<'_>,
    #[napi(ts_arg_type = "ModelClass")] spend_model: Unknown<'_>,
    #[napi(ts_arg_type = "SpendCustomers")] data: Unknown<'_>,
    #[napi(ts_arg_type = "ClvOptions | undefined | null")] options: Option<Unknown<'_>>,
) -> Result<Float64Array> {
    // both models read with our errors, as @clv/wasm reads them
    let transaction = read::model("transactionModel", transaction_model)?;
    let spend = read::model("spendModel", spend_model)?;
    clv_of(&transaction, &spend, &data, options)
}
