//! The model classes, one per line of the core's registry
//! ([`clv::for_each_model!`]), as in `@clv/node`: each holds a
//! [`ModelState`] (an `Option<clv::AnyModel>`) shared with the handle `fit`
//! returns, has the methods of its family (transaction, spend or retention)
//! and reads its input arrays by the registry's input names in JS spelling.
//! A model added to the registry appears here with no code of its own.
//! Every method calls the core, which decides what a model supports
//! (`NOT_SUPPORTED` otherwise).

use std::cell::RefCell;
use std::rc::Rc;

use clv::models::{AnyModel, ModelInfo, ModelKind, SpendModel, TransactionModel, whole_count};
use clv_js_common::models::{self as common, ClvArgs, ModelState, Named};
use js_sys::Function;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::{
    Result, f64s, fit_options, get, invalid, js, json_text, num, opt_f64s, opt_string, to_f64s,
    to_js, type_name,
};

/// A class instance's model; `fit` returns a second handle on the same state
/// (wasm-bindgen cannot return `this`).
type Shared = Rc<RefCell<ModelState>>;

fn shared(state: ModelState) -> Shared {
    Rc::new(RefCell::new(state))
}

/// `state` when it belongs to a `kind` instance: a method called with
/// another class's instance as `this` (`BetaGeo.prototype.probAlive.call(
/// paretoNbd, …)`) is refused (`INVALID_INPUT`, field `this`) instead of
/// answering for the other model.
fn own(state: &Shared, kind: ModelKind) -> Result<&Shared> {
    let actual = state.borrow().kind();
    if actual == kind {
        Ok(state)
    } else {
        let expected = format!("a {} instance", kind.spec().class);
        Err(invalid("this", actual.spec().class, &expected))
    }
}

/// `f` of the model, or `NOT_FITTED`.
fn with<T>(state: &Shared, f: impl FnOnce(&AnyModel) -> clv::Result<T>) -> Result<T> {
    state.borrow().get().and_then(f).map_err(js)
}

/// The arrays of `data` named by the registry's inputs, in their order.
fn inputs(kind: ModelKind, data: &JsValue) -> Result<Vec<Vec<f64>>> {
    let names = kind.spec().inputs.iter();
    names
        .map(|n| f64s(data, &clv_js_common::camel(n)))
        .collect()
}

/// `f(model, columns)` with the `N` arrays of the model's input
/// (`[frequency, recency, T]` of a transaction model, `[frequency,
/// monetaryValue]` of a spend model).
fn per_customer<const N: usize>(
    state: &Shared,
    kind: ModelKind,
    data: &JsValue,
    f: impl FnOnce(&AnyModel, [&[f64]; N]) -> clv::Result<Vec<f64>>,
) -> Result<Vec<f64>> {
    let c = inputs(kind, data)?;
    with(state, |m| f(m, std::array::from_fn(|i| c[i].as_slice())))
}

/// Fits `state` to the arrays of `data` (and its optional `weights`); with
/// covariate sets in `options`, the covariate model instead (`state`
/// unchanged).
fn fit(
    state: &Shared,
    kind: ModelKind,
    data: &JsValue,
    options: &JsValue,
) -> Result<clv_js_common::covariates::Fitted> {
    let (c, w) = (inputs(kind, data)?, opt_f64s(data, "weights")?);
    let columns: Vec<&[f64]> = c.iter().map(Vec::as_slice).collect();
    // The unit the data carry (a summary object's `unit`): stored with the model.
    let unit = opt_string(data, "unit")?;
    let args = crate::covariates::args_for(options, data)?;
    let mut s = state.borrow_mut();
    let fitted =
        clv_js_common::covariates::fit(&mut s, &columns, w.as_deref(), unit.as_deref(), &args);
    fitted.map_err(js)
}

/// The model of any model class instance given as an argument, read back
/// from its `toJSON()` (wasm-bindgen has no "one of these classes" argument
/// type; the JSON holds the parameters and the fit exactly). A value
/// without `toJSON` (a number, a string, null, a plain object), or whose
/// JSON is not a model's (`Draws`, a `Date`), is an `INVALID_INPUT` naming
/// `field`, as @clv/node gives it; an unfitted model's `toJSON` throws
/// `NOT_FITTED`, which passes through.
pub(crate) fn model_arg(field: &str, v: &JsValue) -> Result<AnyModel> {
    const A_MODEL: &str = "a model (BetaGeo, GammaGamma, …)";
    let to_json = get(v, "toJSON")?.dyn_into::<Function>();
    let f = to_json.map_err(|_| invalid(field, type_name(v), A_MODEL))?;
    AnyModel::from_json(&json_text(&f.call0(v)?)?)
        .map_err(|_| invalid(field, "an object that is not a model", A_MODEL))
}

fn clv_of(
    transaction: &AnyModel,
    spend: &JsValue,
    data: &JsValue,
    options: &JsValue,
) -> Result<Vec<f64>> {
    let spend = model_arg("spendModel", spend)?;
    let args = ClvArgs::read(&crate::Opts(options), opt_string(data, "unit")?)?;
    let has = |k: &str| crate::get(data, k).is_ok_and(|v| !crate::missing(&v));
    let age = common::clv_age_key(transaction, has);
    let c = ["frequency", "recency", age, "monetaryValue"].map(|k| f64s(data, k));
    let [x, tx, t, m] = c;
    let (x, tx, t, m) = (x?, tx?, t?, m?);
    common::customer_lifetime_value(transaction, &spend, [&x, &tx, &t, &m], &args).map_err(js)
}

/// Discounted CLV of each customer over `time` months (lifetimes-compatible):
/// Σ_{k=1..time} spend · (E[Y(k·u)] − E[Y((k−1)·u)]) / (1+discountRate)^k, spend from the spend model.
#[wasm_bindgen(js_name = customerLifetimeValue)]
pub fn customer_lifetime_value(
    #[wasm_bindgen(js_name = transactionModel, unchecked_param_type = "ModelClass")]
    transaction_model: JsValue,
    #[wasm_bindgen(js_name = spendModel, unchecked_param_type = "ModelClass")] spend_model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "SpendCustomers")] data: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ClvOptions")] options: JsValue,
) -> Result<Vec<f64>> {
    clv_of(
        &model_arg("transactionModel", &transaction_model)?,
        &spend_model,
        &data,
        &options,
    )
}

/// Every model of the package, from the core's registry.
#[wasm_bindgen(unchecked_return_type = "Array<ModelEntry>")]
pub fn models() -> Result<JsValue> {
    to_js(&common::models())
}

/// Any model class, and the nullable standard errors of each, for the `.d.ts`.
macro_rules! model_union {
    ($($class:ident),*) => {
        #[wasm_bindgen(typescript_custom_section)]
        const MODEL_TYPES: &str = concat!(
            "export type ModelClass = ", $(stringify!($class), " | ",)* "never;\n",
            $("export type ", stringify!($class), "StdErrors = ", stringify!($class), "Params | null;\n",)*
        );
    };
}

/// One model class: state, lifecycle and its family's methods.
macro_rules! model_class {
    ($variant:ident, $name:literal, $reference:literal, $class:ident, $family:ident, [$($param:ident),*], $Input:ident) => { paste::paste! {
        #[doc = $name " (" $reference ")."]
        #[wasm_bindgen]
        pub struct $class {
            state: Shared,
        }

        impl $class {
            /// This instance's state ([`own`]).
            fn state(&self) -> Result<&Shared> {
                own(&self.state, ModelKind::$variant)
            }
        }

        #[wasm_bindgen]
        impl $class {
            /// An unfitted model; `options` are used by `fit`.
            #[wasm_bindgen(constructor)]
            pub fn new(#[wasm_bindgen(unchecked_optional_param_type = FitOptions)] options: JsValue) -> Result<$class> {
                Ok($class { state: shared(ModelState::new(ModelKind::$variant, fit_options(&options)?)) })
            }

            /// A model with known parameters.
            #[wasm_bindgen(js_name = fromParams)]
            pub fn from_params(#[wasm_bindgen(unchecked_param_type = [<$class Params>])] params: JsValue) -> Result<$class> {
                crate::known_params(&params, ModelKind::$variant)?;
                let values = [$(num(stringify!($param), &get(&params, stringify!($param))?)?),*];
                let state = ModelState::from_values(ModelKind::$variant, &values).map_err(js)?;
                Ok($class { state: shared(state) })
            }

            /// Reads what `toJSON()` wrote (the object, or its JSON text).
            #[wasm_bindgen(js_name = fromJSON)]
            pub fn from_json(#[wasm_bindgen(unchecked_param_type = "string | Record<string, unknown>")] json: JsValue) -> Result<$class> {
                let state = ModelState::from_json(ModelKind::$variant, &json_text(&json)?).map_err(js)?;
                Ok($class { state: shared(state) })
            }

            /// `{format_version, model, params, fit}`: what `JSON.stringify(model)` writes.
            #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, unknown>")]
            pub fn to_json(&self) -> Result<JsValue> {
                js_sys::JSON::parse(&with(self.state()?, |m| Ok(m.to_json()))?)
            }

            /// The parameters.
            #[wasm_bindgen(getter, unchecked_return_type = [<$class Params>])]
            pub fn params(&self) -> Result<JsValue> {
                to_js(&Named(with(self.state()?, |m| Ok(m.params()))?))
            }

            /// Total log-likelihood at the optimum; null for a model built from parameters.
            #[wasm_bindgen(getter, js_name = logLikelihood, unchecked_return_type = "number | null")]
            pub fn log_likelihood(&self) -> Result<JsValue> {
                with(self.state()?, |m| Ok(m.fit_info().map_or(JsValue::NULL, |f| f.log_likelihood.into())))
            }

            /// Akaike information criterion 2k − 2·LL (k parameters); null for a model built from parameters.
            #[wasm_bindgen(getter, unchecked_return_type = "number | null")]
            pub fn aic(&self) -> Result<JsValue> {
                with(&self.state, |m| Ok(m.fit_info().map_or(JsValue::NULL, |f| f.aic.into())))
            }

            /// Bayesian information criterion k·ln(n) − 2·LL (n the weighted number of customers);
            /// null for a model built from parameters.
            #[wasm_bindgen(getter, unchecked_return_type = "number | null")]
            pub fn bic(&self) -> Result<JsValue> {
                with(&self.state, |m| Ok(m.fit_info().map_or(JsValue::NULL, |f| f.bic.into())))
            }

            /// The note of a boundary optimum (the parameters running off and the model
            /// the fit reduces to; their standard errors are NaN); null for an interior
            /// optimum or a model built from parameters.
            #[wasm_bindgen(getter, unchecked_return_type = "string | null")]
            pub fn boundary(&self) -> Result<JsValue> {
                with(self.state()?, |m| Ok(m.fit_info().and_then(|f| f.boundary.clone()).map_or(JsValue::NULL, JsValue::from)))
            }

            /// Customers the fit left out although their data are valid (Gamma-Gamma:
            /// repeat customers whose mean spend is 0, valued at the population mean
            /// spend): their 0-based indices in the fit's arrays and why; null when none,
            /// or for a model built from parameters.
            #[wasm_bindgen(getter, js_name = leftOut, unchecked_return_type = "LeftOut | null")]
            pub fn left_out(&self) -> Result<JsValue> {
                with(&self.state, |m| Ok(m.fit_info().and_then(|f| f.left_out.clone())))
                    .and_then(|l| l.map_or(Ok(JsValue::NULL), |l| to_js(&l)))
            }

            /// The time unit the model was fitted in (the `unit` of the fitted data, e.g.
            /// "W"): that of recency, T and every horizon; null when not known.
            #[wasm_bindgen(getter, unchecked_return_type = "string | null")]
            pub fn unit(&self) -> Result<JsValue> {
                with(&self.state, |m| Ok(m.fit_info().and_then(|f| f.unit.clone()).map_or(JsValue::NULL, JsValue::from)))
            }

            /// Standard errors of the parameters; null for a model built from parameters.
            #[wasm_bindgen(getter, js_name = stdErrors, unchecked_return_type = [<$class StdErrors>])]
            pub fn std_errors(&self) -> Result<JsValue> {
                with(self.state()?, |m| Ok(common::std_errors(m))).and_then(|s| s.map_or(Ok(JsValue::NULL), |s| to_js(&s)))
            }

            /// The model in one line: `BG/NBD(r=0.2426, ...; fitted to 2357 customers ...)`.
            #[wasm_bindgen(js_name = toString)]
            pub fn display(&self) -> String { self.state.borrow().to_string() }

            /// Parameter draws: `method` "laplace" (default; from the fit's covariance) or
            /// "bootstrap" (refits to customers resampled from `data`), `n` draws (default
            /// 2000), `seed` (default 0); every prediction of the draws has intervals.
            pub fn draws(&self, #[wasm_bindgen(unchecked_optional_param_type = "DrawsOptions")] options: JsValue) -> Result<crate::uncertainty::WasmDraws> {
                let m = self.state()?.borrow().get().map_err(js)?.clone();
                crate::uncertainty::draws(&m, &options)
            }

            /// Estimate, standard error and 95% interval of each parameter.
            #[wasm_bindgen(unchecked_return_type = "ParamSummary[]")]
            pub fn summary(&self) -> Result<JsValue> {
                to_js(&with(self.state()?, |m| Ok(common::summary_rows(m)))?)
            }
        }

        family_methods!($family, $variant, $class, $Input);
    }};
}

/// The methods of a family; `fit` takes the input object (or, for a
/// retention model, the survivor array).
macro_rules! family_methods {
    (Transaction, $variant:ident, $class:ident, $Input:ident) => {
        input_fit!($variant, $class, $Input);
        transaction_methods!($variant, $class, $Input);
    };
    (Spend, $variant:ident, $class:ident, $Input:ident) => {
        input_fit!($variant, $class, $Input);
        spend_methods!($variant, $class, $Input);
    };
    (Retention, $variant:ident, $class:ident, $Input:ident) => {
        retention_methods!($variant, $class);
    };
}

macro_rules! input_fit {
    ($variant:ident, $class:ident, $Input:ident) => {
        paste::paste! {
            #[wasm_bindgen(typescript_custom_section)]
            const [<$class:snake:upper _FIT>]: &str = concat!(
                "export interface ", stringify!($class), " extends FitsCovariates<",
                stringify!($Input), ", ", stringify!($class), "> {}\n"
            );
        }

        #[wasm_bindgen]
        impl $class {
            /// Fits the model by maximum likelihood (a spend model on the customers with
            /// frequency > 0) and returns it (the same fitted state); with
            /// `purchaseCovariates` and/or `dropoutCovariates` in `options` (Pareto/NBD,
            /// BG/NBD, MBG/NBD, GGom/NBD), the model with static covariates (a
            /// `CovariateModel`), with `spendCovariates` (Gamma-Gamma) a
            /// `SpendCovariateModel`; this model stays as it was. Its TS is
            /// `FitsCovariates` (src/covariates.rs).
            #[wasm_bindgen(skip_typescript)]
            pub fn fit(&self, data: JsValue, options: JsValue) -> Result<JsValue> {
                let state = self.state()?;
                use clv_js_common::covariates::Fitted;
                Ok(match fit(state, ModelKind::$variant, &data, &options)? {
                    Fitted::Plain => $class {
                        state: Rc::clone(state),
                    }
                    .into(),
                    Fitted::Covariates(m) => crate::covariates::WasmCovariateModel::from(m).into(),
                    Fitted::Spend(m) => crate::spend::WasmSpendCovariateModel::from(m).into(),
                })
            }

            /// Bayesian fit with NUTS to the same data as `fit` (`priors` by parameter name,
            /// `chains` (run one after another here), each of `tune` warm-up and `draws` kept
            /// draws, `seed`): the posterior draws (method "nuts"), with every prediction as
            /// intervals. The model itself stays unfitted.
            #[wasm_bindgen(unchecked_return_type = "Draws | GroupedDraws")]
            pub fn sample(
                &self,
                #[wasm_bindgen(unchecked_param_type = $Input)] data: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "SampleOptions")] options: JsValue,
            ) -> Result<JsValue> {
                self.state()?;
                let (c, w) = (
                    inputs(ModelKind::$variant, &data)?,
                    opt_f64s(&data, "weights")?,
                );
                let columns: Vec<&[f64]> = c.iter().map(Vec::as_slice).collect();
                crate::uncertainty::sample(ModelKind::$variant, &columns, w.as_deref(), &options)
            }
        }
    };
}

/// One `#[wasm_bindgen]` method per line: `"doc" jsName rust_name (scalar
/// arguments) |model, [the N input arrays]| core call`, each taking the
/// scalars and then the input object.
macro_rules! per_customer_methods {
    ($variant:ident, $class:ident, $Input:ident, $n:literal, $($doc:literal $js:ident $name:ident ($($arg:ident),*) |$m:ident, $c:tt| $body:expr;)*) => {
        $(
            #[wasm_bindgen]
            impl $class {
                #[doc = $doc]
                #[wasm_bindgen(js_name = $js)]
                pub fn $name(&self, $(#[wasm_bindgen(unchecked_param_type = "number")] $arg: JsValue,)* #[wasm_bindgen(unchecked_param_type = $Input)] data: JsValue) -> Result<Vec<f64>> {
                    $(let $arg = num(stringify!($arg), &$arg)?;)*
                    per_customer::<$n>(self.state()?, ModelKind::$variant, &data, |$m, $c| $body)
                }
            }
        )*
    };
}

macro_rules! transaction_methods {
    ($variant:ident, $class:ident, $Input:ident) => {
        per_customer_methods!($variant, $class, $Input, 3,
            "Per-customer log-likelihood." logLikelihoodOf log_likelihood_of () |m, [x, tx, t]| m.log_likelihood(x, tx, t);
            "P(alive) of each customer." probAlive prob_alive () |m, [x, tx, t]| m.prob_alive(x, tx, t);
            "Expected purchases of each customer in the next `t` units." expectedPurchases expected_purchases (t)
                |m, [x, tx, tt]| m.expected_purchases(t, x, tx, tt);
            "P(X(T, T+t) = n | x, t_x, T) for each customer, where the model has it." probPurchasesConditional prob_purchases_conditional (n, t)
                |m, [x, tx, tt]| m.prob_purchases_conditional(whole_count("n", n)?, t, x, tx, tt);
            "Discounted expected residual transactions, where the model has them in closed form (Pareto/NBD: continuous rate per unit; BG/BB: rate per opportunity)." dert dert (discount)
                |m, [x, tx, t]| m.dert(discount, x, tx, t);
            "P(alive at opportunity n + m) for each customer (discrete-time models)." probAliveAhead prob_alive_ahead (m)
                |model, [x, tx, t]| model.prob_alive_ahead(m, x, tx, t);
        );

        #[wasm_bindgen]
        impl $class {
            /// Expected purchases of a new customer in `t` units.
            #[wasm_bindgen(js_name = expectedPurchasesNew)]
            pub fn expected_purchases_new(&self, #[wasm_bindgen(unchecked_param_type = "number")] t: JsValue) -> Result<f64> {
                let t = num("t", &t)?;
                with(self.state()?, |m| m.expected_purchases_new(t))
            }

            /// P(X(t) = n) for a new customer.
            #[wasm_bindgen(js_name = probPurchases)]
            pub fn prob_purchases(&self, #[wasm_bindgen(unchecked_param_type = "number")] n: JsValue, #[wasm_bindgen(unchecked_param_type = "number")] t: JsValue) -> Result<f64> {
                let n = num("n", &n)?; let t = num("t", &t)?;
                with(self.state()?, |m| m.prob_purchases(whole_count("n", n)?, t))
            }

            /// Discounted CLV of each customer with `spendModel` (see `customerLifetimeValue`).
            #[wasm_bindgen(js_name = customerLifetimeValue)]
            pub fn customer_lifetime_value(
                &self,
                #[wasm_bindgen(js_name = spendModel, unchecked_param_type = "ModelClass")] spend_model: JsValue,
                #[wasm_bindgen(unchecked_param_type = "SpendCustomers")] data: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "ClvOptions")] options: JsValue,
            ) -> Result<Vec<f64>> {
                clv_of(self.state()?.borrow().get().map_err(js)?, &spend_model, &data, &options)
            }
        }
    };
}

macro_rules! spend_methods {
    ($variant:ident, $class:ident, $Input:ident) => {
        per_customer_methods!($variant, $class, $Input, 2,
            "Per-customer log-likelihood (repeat customers)." logLikelihoodOf log_likelihood_of ()
                |m, [x, mv]| m.gamma_gamma("log_likelihood")?.log_likelihood(x, mv);
            "Expected mean transaction value of each customer." expectedSpend expected_spend ()
                |m, [x, mv]| m.expected_spend(x, mv);
        );
    };
}

macro_rules! retention_methods {
    ($variant:ident, $class:ident) => {
        #[wasm_bindgen]
        impl $class {
            /// Fits to the active customers at the start of each period (survivors[0] = cohort size) and returns the model.
            pub fn fit(
                &self,
                #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")]
                survivors: JsValue,
            ) -> Result<$class> {
                let s = to_f64s("survivors", &survivors)?;
                self.state()?.borrow_mut().fit(&[&s], None).map_err(js)?;
                Ok($class {
                    state: Rc::clone(self.state()?),
                })
            }

            /// Maximum-likelihood fit of the sBG with static covariates to per-customer
            /// contract data (`periods` observed, whole ≥ 1; `churned` in the last of them,
            /// booleans or 0/1; optional `weights`) with each customer's `dropoutCovariates`
            /// (none: the plain sBG on individual data): a `RetentionCovariateModel`; this
            /// model stays as it was. The optimiser options are the constructor's, with
            /// `maxIterations` and `gradientTolerance` of `options` over them.
            #[wasm_bindgen(js_name = fitIndividual)]
            pub fn fit_individual(
                &self,
                #[wasm_bindgen(unchecked_param_type = "RetentionCustomers")] data: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "RetentionCovariateFitOptions | null")]
                options: JsValue,
            ) -> Result<crate::retention::WasmRetentionCovariateModel> {
                crate::retention::fit(&self.state()?.borrow(), &data, &options)
            }

            /// Bayesian fit with NUTS to a survivor series (see `BetaGeo.sample`).
            #[wasm_bindgen(unchecked_return_type = "Draws | GroupedDraws")]
            pub fn sample(
                &self,
                #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")]
                survivors: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "SampleOptions")] options: JsValue,
            ) -> Result<JsValue> {
                self.state()?;
                let s = to_f64s("survivors", &survivors)?;
                crate::uncertainty::sample(ModelKind::$variant, &[&s], None, &options)
            }

            /// Log-likelihood of a survivor series at these parameters.
            #[wasm_bindgen(js_name = logLikelihoodOf)]
            pub fn log_likelihood_of(
                &self,
                #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")]
                survivors: JsValue,
            ) -> Result<f64> {
                let s = to_f64s("survivors", &survivors)?;
                with(self.state()?, |m| {
                    m.retention("log_likelihood")?.log_likelihood(&s)
                })
            }

        }

        retention_numbers! {
            $class;
            #[doc = "S(t): probability of being active after t periods."]
            survival fn survival(t);
            #[doc = "r(t) = S(t)/S(t−1): retention rate in period t."]
            retention fn retention(t);
            #[doc = "P(T = t): probability of churning in period t."]
            probChurn fn prob_churn(t);
            #[doc = "Discounted expected residual lifetime of a customer who has made `renewals` renewals."]
            dert fn dert(discount, renewals);
            #[doc = "Discounted expected lifetime of a new customer."]
            discountedExpectedLifetime fn discounted_expected_lifetime(discount);
        }
    };
}

/// An impl block of sBG methods of numbers to a number: each reads its
/// arguments in order and calls the retention model's method of its name.
macro_rules! retention_numbers {
    ($class:ident; $($(#[doc = $doc:literal])* $js:ident fn $name:ident($($arg:ident),*);)*) => {
        #[wasm_bindgen]
        impl $class {
            $(
                $(#[doc = $doc])*
                #[wasm_bindgen(js_name = $js)]
                pub fn $name(
                    &self,
                    $(#[wasm_bindgen(unchecked_param_type = "number")] $arg: JsValue,)*
                ) -> Result<f64> {
                    $(let $arg = num(stringify!($arg), &$arg)?;)*
                    with(self.state()?, |m| m.retention(stringify!($name))?.$name($($arg),*))
                }
            )*
        }
    };
}

use clv_js_common::model_classes;
clv::for_each_model!(model_classes);
