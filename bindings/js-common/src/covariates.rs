//! Static covariates of Pareto/NBD, BG/NBD, MBG/NBD and GGom/NBD for both JS packages
//! (`clv::covariates`, issue 15): the covariate options of
//! `fit(data, {purchaseCovariates, dropoutCovariates, penalty, constrainEqual})`
//! and of the predictions of `CovariateModel`, read through [`JsObject`], and
//! the calls to the core. No math: the checks (missing rows, non-finite
//! values, constant columns, constraints), the fit and the predictions are
//! the core's, as in Python (`bindings/python/src/covariates.rs`).
//!
//! A covariate set comes from JS as an object of named columns
//! (`{ Gender: [...], Channel: [...] }`, names in the object's key order).
//! Without `covariateIds` row i belongs to customer i; with
//! `covariateIds` (the customer id of each row) and the customers' ids
//! (`data.customerId`, e.g. a summary's), the rows are joined on the ids by
//! the core ([`Covariates::by_id_columns`]), as Python joins a pandas frame
//! on the customers' index.

use clv::covariates::spend::SpendCovariateModel;
use clv::covariates::{
    CovariateFitInfo, CovariateModel, CovariateModelKind, CovariateOptions, Covariates,
};
use clv::fit::FitOptions;
use clv::{Error, Result};
use serde::Serialize;

use crate::models::Named;
use crate::{JsObject, Required};

/// Named numeric columns as JS gives them, in the object's key order.
pub type NamedColumns = Vec<(String, Vec<f64>)>;

/// A number, or an object of numbers by name (`penalty`).
#[derive(Debug, Clone, PartialEq)]
pub enum NumberOrNamed {
    /// One number.
    Number(f64),
    /// `{ name: number, ... }`, in key order.
    Named(Vec<(String, f64)>),
}

/// The covariate options of `fit` and of the predictions as a JS caller
/// gives them (every field optional).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CovariateArgs {
    /// `purchaseCovariates`.
    pub purchase: Option<NamedColumns>,
    /// `dropoutCovariates`.
    pub dropout: Option<NamedColumns>,
    /// `penalty`: one number for both processes, or `{purchase, dropout}`.
    pub penalty: Option<NumberOrNamed>,
    /// `constrainEqual`: covariates with one effect on both processes.
    pub constrain_equal: Option<Vec<String>>,
    /// `spendCovariates` (Gamma-Gamma, [`crate::spend`]).
    pub spend: Option<NamedColumns>,
    /// `covariateIds`: the customer id of each row of the sets given.
    pub ids: Option<Vec<String>>,
    /// The customers' ids (`data.customerId`) the rows are joined on,
    /// read with `covariateIds` ([`CovariateArgs::read_for`]).
    pub customers: Option<Vec<String>>,
}

impl CovariateArgs {
    /// The fields of a JS options object, by their JS names.
    ///
    /// # Errors
    /// The binding's, for a field of the wrong type.
    pub fn read<O: JsObject>(o: &O) -> std::result::Result<Self, O::Error> {
        Ok(CovariateArgs {
            purchase: o.columns("purchaseCovariates")?,
            dropout: o.columns("dropoutCovariates")?,
            penalty: o.number_or_named("penalty")?,
            constrain_equal: o.strings("constrainEqual")?,
            spend: o.columns("spendCovariates")?,
            ids: o.strings("covariateIds")?,
            customers: None,
        })
    }

    /// The options `o` of a fit or per-customer prediction on the
    /// customers `data`: [`CovariateArgs::read`], and with `covariateIds`
    /// the customers' ids `data.customerId` to join the rows on.
    ///
    /// # Errors
    /// The binding's, for a field of the wrong type; `covariateIds` without
    /// `data.customerId` ([`Error::InvalidValue`], field `customerId`).
    pub fn read_for<O: JsObject>(o: &O, data: &O) -> std::result::Result<Self, O::Error> {
        let mut args = Self::read(o)?;
        if args.ids.is_some() {
            let ids = data.strings("customerId")?;
            args.customers = Some(Required(data).given(
                "customerId",
                ids,
                "the customers' ids (data.customerId) to join covariateIds on",
            )?);
        }
        Ok(args)
    }

    /// The `penalty` of a fit with one covariate set (spend, retention): one
    /// number, 0 when not given.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] (field `penalty`) for an object of penalties
    /// by name; `expected` says what the penalty is.
    pub(crate) fn one_penalty(&self, expected: &str) -> Result<f64> {
        match &self.penalty {
            None => Ok(0.0),
            Some(NumberOrNamed::Number(v)) => Ok(*v),
            Some(NumberOrNamed::Named(_)) => Err(Error::invalid("penalty", "an object", expected)),
        }
    }

    /// Whether a covariate set is given (then `fit` is a covariate fit).
    #[must_use]
    pub fn given(&self) -> bool {
        self.purchase.is_some() || self.dropout.is_some() || self.spend.is_some()
    }

    /// The purchase and dropout sets for `n` customers (a set not given:
    /// no covariates).
    ///
    /// # Errors
    /// Those of [`Covariates::from_named_columns`], in JS spelling.
    pub fn sets(&self, n: usize) -> Result<(Covariates, Covariates)> {
        Ok((
            self.set("purchase", self.purchase.as_ref(), n)?,
            self.set("dropout", self.dropout.as_ref(), n)?,
        ))
    }

    /// The `process` set of `columns` for `n` customers: joined on the
    /// customers' ids when `covariateIds` and `data.customerId` are given
    /// ([`Covariates::by_id_columns`]), else row i for customer i
    /// ([`Covariates::from_named_columns`]).
    ///
    /// # Errors
    /// `data.customerId` of another length than the customers'
    /// ([`Error::LengthMismatch`], field `customerId`); those of the core,
    /// in JS spelling (a customer without a row: field
    /// `purchaseCovariates`, index = the customer's position, value = the id).
    pub(crate) fn set(
        &self,
        process: &str,
        columns: Option<&NamedColumns>,
        n: usize,
    ) -> Result<Covariates> {
        let (Some(ids), Some(customers)) = (&self.ids, &self.customers) else {
            return set(process, columns, n);
        };
        clv::error::check::same_len("customerId", customers.len(), "frequency", n)?;
        let (names, cols): (Vec<&str>, Vec<&[f64]>) = columns
            .map(|c| c.iter().map(|(k, v)| (k.as_str(), v.as_slice())).unzip())
            .unwrap_or_default();
        Covariates::by_id_columns(process, &names, ids, &cols, customers).map_err(js_fields)
    }

    /// The number of rows of the sets given (their first column), for
    /// the predictions without customers (`expectedPurchasesNew`,
    /// `customerParams`); 0 without covariates.
    #[must_use]
    pub fn rows(&self) -> usize {
        [&self.purchase, &self.dropout]
            .into_iter()
            .flatten()
            .find_map(|s| s.first())
            .map_or(0, |c| c.1.len())
    }

    /// The core's options of a covariate fit (penalties `λ_p`, `λ_d` and
    /// the constraints) with the optimiser options `fit`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] (field `penalty`) for a key other than
    /// `purchase` and `dropout`.
    pub(crate) fn options(&self, fit: FitOptions) -> Result<CovariateOptions> {
        let (mut purchase, mut dropout) = (0.0, 0.0);
        match &self.penalty {
            None => {}
            Some(NumberOrNamed::Number(v)) => (purchase, dropout) = (*v, *v),
            Some(NumberOrNamed::Named(pairs)) => {
                for (k, v) in pairs {
                    match k.as_str() {
                        "purchase" => purchase = *v,
                        "dropout" => dropout = *v,
                        _ => {
                            return Err(Error::invalid(
                                "penalty",
                                format!("key {k:?}"),
                                "a number, or an object with the keys purchase and/or dropout",
                            ));
                        }
                    }
                }
            }
        }
        Ok(CovariateOptions {
            penalty_purchase: purchase,
            penalty_dropout: dropout,
            constrain_equal: self.constrain_equal.clone().unwrap_or_default(),
            fit,
        })
    }

    /// A plain fit (no covariate set) with a covariate option is an error,
    /// as in Python: `constrainEqual`, or `penalty` (the constructor's
    /// `penalty` is the plain models').
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming the option.
    fn check_plain(&self) -> Result<()> {
        let why = "(it applies to a fit with purchaseCovariates, dropoutCovariates or \
                   spendCovariates; the penalty of a plain fit is the constructor's option)";
        if let Some(c) = &self.constrain_equal {
            return Err(Error::invalid(
                "constrainEqual",
                format!("{c:?}"),
                format!("nothing here {why}"),
            ));
        }
        if let Some(p) = &self.penalty {
            let shown = match p {
                NumberOrNamed::Number(v) => v.to_string(),
                NumberOrNamed::Named(_) => "an object".to_string(),
            };
            return Err(Error::invalid(
                "penalty",
                shown,
                format!("nothing here {why}"),
            ));
        }
        Ok(())
    }
}

/// The `process` set from named columns ([`Covariates::from_named_columns`]).
pub(crate) fn set(process: &str, columns: Option<&NamedColumns>, n: usize) -> Result<Covariates> {
    let (names, cols): (Vec<&str>, Vec<&[f64]>) = columns
        .map(|c| c.iter().map(|(k, v)| (k.as_str(), v.as_slice())).unzip())
        .unwrap_or_default();
    Covariates::from_named_columns(process, &names, &cols, n).map_err(js_fields)
}

/// A core error of the covariate options in JS spelling: the core's
/// `penalty_purchase` / `penalty_dropout` are the JS `penalty.purchase` /
/// `penalty.dropout` (the bindings' [`crate::js_names`] does the rest:
/// `purchase_covariates.NAME` → `purchaseCovariates.NAME`,
/// `constrain_equal` → `constrainEqual`).
pub(crate) fn js_fields(e: Error) -> Error {
    e.rename_fields(|f| match f.strip_prefix("penalty_") {
        Some(p @ ("purchase" | "dropout")) => format!("penalty.{p}"),
        _ if f == "covariate ids" => "covariateIds".to_string(),
        _ => f,
    })
}

/// What `fit(data, options)` of a model class gives: the class's own model
/// (fitted in place), a transaction model with static covariates, or the
/// Gamma-Gamma model with spend covariates.
#[derive(Debug, Clone, PartialEq)]
pub enum Fitted {
    /// The plain fit, stored in the class's state.
    Plain,
    /// `purchaseCovariates` / `dropoutCovariates`: a [`CovariateModel`].
    Covariates(CovariateModel),
    /// `spendCovariates`: a [`SpendCovariateModel`].
    Spend(SpendCovariateModel),
}

/// `fit(data, options)` of a model class: without covariate sets, the plain
/// fit of `state` ([`Fitted::Plain`]); with purchase or dropout sets, the
/// covariate model of the state's kind; with `spendCovariates`, the
/// Gamma-Gamma model with spend covariates ([`crate::spend::fit`]); `state`
/// unchanged but for the plain fit. The constructor's optimiser options.
///
/// # Errors
/// A covariate option without covariate sets; [`Error::Unsupported`] for a
/// model other than Pareto/NBD, BG/NBD, MBG/NBD and GGom/NBD (purchase and
/// dropout sets) or Gamma-Gamma (spend sets); those of the core's fits, in
/// JS spelling.
pub fn fit(
    state: &mut crate::models::ModelState,
    inputs: &[&[f64]],
    weights: Option<&[f64]>,
    unit: Option<&str>,
    args: &CovariateArgs,
) -> Result<Fitted> {
    if !args.given() {
        args.check_plain()?;
        state.fit_in(inputs, weights, unit)?;
        return Ok(Fitted::Plain);
    }
    if args.spend.is_some() {
        return crate::spend::fit(state, inputs, weights, unit, args).map(Fitted::Spend);
    }
    let kind = CovariateModelKind::from_model(state.kind())?;
    let [x, tx, t] = inputs else {
        return Err(Error::invalid(
            "data",
            inputs.len(),
            "frequency, recency and T",
        ));
    };
    let (p, d) = args.sets(x.len())?;
    let options = args.options(state.fit_options(unit)?)?;
    clv::covariates::fit(kind, x, tx, t, &p, &d, weights, &options)
        .map(Fitted::Covariates)
        .map_err(js_fields)
}

/// A per-customer prediction of a covariate model on the customers'
/// `[frequency, recency, T]` with each one's covariates.
///
/// # Errors
/// Those of the core (covariates other than the model's, lengths, the
/// customers), in JS spelling.
pub fn per_customer(
    m: &CovariateModel,
    customers: [&[f64]; 3],
    args: &CovariateArgs,
    f: impl FnOnce(&CovariateModel, [&[f64]; 3], &Covariates, &Covariates) -> Result<Vec<f64>>,
) -> Result<Vec<f64>> {
    let (p, d) = args.sets(customers[0].len())?;
    f(m, customers, &p, &d).map_err(js_fields)
}

/// E[X(t)] of a new customer with each row's covariates.
///
/// # Errors
/// Those of [`CovariateModel::expected_purchases_new`].
pub fn expected_purchases_new(
    m: &CovariateModel,
    t: f64,
    args: &CovariateArgs,
) -> Result<Vec<f64>> {
    let (p, d) = args.sets(args.rows())?;
    m.expected_purchases_new(t, &p, &d).map_err(js_fields)
}

/// P(X(t) = n) of a new customer with each row's covariates (rows in the
/// sets' order, as [`expected_purchases_new`]).
///
/// # Errors
/// Those of [`CovariateModel::prob_purchases`] (`n` a whole number ≥ 0,
/// field `n`).
pub fn prob_purchases(
    m: &CovariateModel,
    n: f64,
    t: f64,
    args: &CovariateArgs,
) -> Result<Vec<f64>> {
    let (p, d) = args.sets(args.rows())?;
    m.prob_purchases(n, t, &p, &d).map_err(js_fields)
}

/// The effects of `CovariateModel.fromParams(kind, params, {purchase,
/// dropout})`: `{ NAME: γ }` by process, in key order (the order the
/// predictions take the covariates).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EffectArgs {
    /// `purchase`: the effects of the purchase covariates.
    pub purchase: Vec<(String, f64)>,
    /// `dropout`: the effects of the dropout covariates.
    pub dropout: Vec<(String, f64)>,
}

impl EffectArgs {
    /// The fields of the third argument of `fromParams` (not given: no
    /// effects).
    ///
    /// # Errors
    /// The binding's, for a field of the wrong type (an entry that is not a
    /// number: `purchase.NAME`); `constrainEqual` ([`Error::InvalidValue`]:
    /// the core's `from_params` takes no constraints, as Python's).
    pub fn read<O: JsObject>(o: &O) -> std::result::Result<Self, O::Error> {
        let named = |key: &str| match o.number_or_named(key)? {
            None => Ok(Vec::new()),
            Some(NumberOrNamed::Named(v)) => Ok(v),
            Some(NumberOrNamed::Number(v)) => Err(o.error(Error::invalid(
                key,
                v,
                "an object of effects by covariate name, e.g. { Gender: 0.3 }",
            ))),
        };
        let args = EffectArgs {
            purchase: named("purchase")?,
            dropout: named("dropout")?,
        };
        if let Some(c) = o.strings("constrainEqual")? {
            return Err(o.error(Error::invalid(
                "constrainEqual",
                format!("{c:?}"),
                "nothing here (a model from parameters has no constraints, as in Python: \
                 give the covariate the same effect in purchase and dropout)",
            )));
        }
        Ok(args)
    }
}

/// `CovariateModel.fromParams(kind, params, {purchase, dropout})`: `kind`
/// a registry key or class name (`"pareto_nbd"` / `"ParetoNBD"`, `"bg_nbd"`,
/// `"mbg_nbd"`, `"ggom_nbd"`), `params` the base parameters by name (their
/// values at z = 0, any key order), the core's
/// [`CovariateModel::from_params`], as Python's `from_params`.
///
/// # Errors
/// A `kind` without covariates (`NOT_SUPPORTED`) or unknown; a parameter
/// not of the model, or one missing ([`Error::InvalidValue`] naming it, as
/// Python); those of [`CovariateModel::from_params`], an effect's naming it
/// as the JS argument does (`purchase.NAME`, the core's `purchase_NAME`).
pub fn from_params(
    kind: &str,
    params: &[(String, f64)],
    effects: &EffectArgs,
) -> Result<CovariateModel> {
    let kind = CovariateModelKind::from_model(kind.parse::<clv::models::ModelKind>()?)?;
    let names = kind.base_names();
    let expected = names.join(", ");
    if let Some((k, v)) = params.iter().find(|(k, _)| !names.contains(&k.as_str())) {
        return Err(Error::invalid(
            k.as_str(),
            v,
            format!("a parameter of the model: {expected}"),
        ));
    }
    let base = names
        .iter()
        .map(|n| {
            params
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| *v)
                .ok_or_else(|| Error::invalid(*n, "undefined", format!("a number ({expected})")))
        })
        .collect::<Result<Vec<f64>>>()?;
    fn pairs(e: &[(String, f64)]) -> Vec<(&str, f64)> {
        e.iter().map(|(n, v)| (n.as_str(), *v)).collect()
    }
    CovariateModel::from_params(
        kind,
        &base,
        &pairs(&effects.purchase),
        &pairs(&effects.dropout),
    )
    .map_err(|e| {
        e.rename_fields(|f| {
            for (side, given) in [
                ("purchase", &effects.purchase),
                ("dropout", &effects.dropout),
            ] {
                if let Some(name) = f.strip_prefix(side).and_then(|r| r.strip_prefix('_'))
                    && given.iter().any(|(n, _)| n == name)
                {
                    return format!("{side}.{name}");
                }
            }
            f
        })
    })
}

/// Each row's own parameters (`r, alpha, s, beta` or `r, alpha, a, b`).
///
/// # Errors
/// Those of [`CovariateModel::customer_params`].
pub fn customer_params(m: &CovariateModel, args: &CovariateArgs) -> Result<Vec<Named>> {
    let (p, d) = args.sets(args.rows())?;
    let names = m.kind().base_names();
    let rows = m.customer_params(&p, &d).map_err(js_fields)?;
    Ok(rows
        .into_iter()
        .map(|r| Named(names.iter().copied().zip(r).collect()))
        .collect())
}

/// The registry key of the model a covariate model extends (`"pareto_nbd"`,
/// `"bg_nbd"`), as Python's `CovariateModel.kind`.
#[must_use]
pub fn kind(m: &CovariateModel) -> &'static str {
    m.kind().model().spec().key
}

/// The base parameters by name, in order (their values at z = 0).
#[must_use]
pub fn params(m: &CovariateModel) -> Named {
    Named(m.named_base())
}

/// Effects by covariate name, in the covariates' order.
pub type Effects = clv::covariates::NamedEffects;

/// The purchase and the dropout effects, each in its set's order.
#[must_use]
pub fn effects(m: &CovariateModel) -> (Effects, Effects) {
    m.ordered_effects()
}

/// The fit report of a covariate model as JS gives it (`fitInfo`): the
/// free parameters' names and, in that order, their standard errors and
/// 95% intervals; the unpenalised and the penalised log-likelihood.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FitView {
    /// Base names, `purchase_NAME`, `dropout_NAME`, `constrained_NAME`.
    pub param_names: Vec<String>,
    /// Log-likelihood at the optimum, without the penalty.
    pub log_likelihood: f64,
    /// Penalised log-likelihood at the optimum.
    pub penalized_log_likelihood: f64,
    /// Standard errors, in the order of `param_names` (NaN where not identified).
    pub std_errors: Vec<f64>,
    /// Lower ends of the 95% intervals.
    pub lower95: Vec<f64>,
    /// Upper ends of the 95% intervals.
    pub upper95: Vec<f64>,
    /// Optimiser iterations.
    pub iterations: f64,
    /// Whether the gradient criterion holds.
    pub converged: bool,
    /// The gradient norm at the optimum.
    pub gradient_norm: f64,
    /// Total weight (customers).
    pub n_observations: f64,
    /// The note of a boundary optimum.
    pub boundary: Option<String>,
    /// The time unit of the data.
    pub unit: Option<String>,
    /// AIC.
    pub aic: f64,
    /// BIC.
    pub bic: f64,
}

/// Standard errors by parameter name, in the fit's order (its `param_names`).
#[must_use]
pub fn std_errors_of(f: &CovariateFitInfo) -> Effects {
    f.param_names
        .iter()
        .cloned()
        .zip(f.info.std_errors.iter().copied())
        .collect()
}

/// A covariate fit report (transaction or spend model) as JS gives it.
#[must_use]
pub fn view_of(f: &CovariateFitInfo) -> FitView {
    let i = &f.info;
    #[allow(clippy::cast_precision_loss)] // iteration counts are far below 2^53
    let iterations = i.iterations as f64;
    FitView {
        param_names: f.param_names.clone(),
        log_likelihood: i.log_likelihood,
        penalized_log_likelihood: f.penalized_log_likelihood,
        std_errors: i.std_errors.clone(),
        lower95: i.ci_95.iter().map(|c| c.0).collect(),
        upper95: i.ci_95.iter().map(|c| c.1).collect(),
        iterations,
        converged: i.converged,
        gradient_norm: i.gradient_norm,
        n_observations: i.n_observations,
        boundary: i.boundary.clone(),
        unit: i.unit.clone(),
        aic: i.aic,
        bic: i.bic,
    }
}

/// `Pareto/NBD with static covariates(r=0.1234, ...; purchase [Gender=0.4552, ...], dropout [...])`,
/// as Python's `repr`.
#[must_use]
pub fn display(m: &CovariateModel) -> String {
    m.to_string()
}

/// The members that the covariate classes have alike in both JS packages
/// (name, type, doc and body): `kind`, `name` and `toString`, and for the
/// classes with one covariate set (`spend`, `retention`) `penalty`.
/// `covariate_members!(spend, #[CLASS_ATTR] impl CLASS, ATTR)` writes them
/// in an impl block of `CLASS` (a struct with the core's model in `inner`)
/// under the class attribute `#[CLASS_ATTR]` (`#[napi]` in `clv-node`,
/// `#[wasm_bindgen(js_class = NAME)]` in `clv-wasm`), each member under
/// the runtime's attribute `ATTR` (`napi`, `wasm_bindgen`).
#[macro_export]
macro_rules! covariate_members {
    (transaction, $($a:tt)*) => {
        $crate::__covariate_members!($($a)*
            #[doc = " The registry key of the plain model: \"pareto_nbd\", \"bg_nbd\", \"mbg_nbd\" or \"ggom_nbd\"."]
            kind = |m| $crate::covariates::kind(m);
            #[doc = " Display name, e.g. \"Pareto/NBD with static covariates\"."]
            name = |m| m.kind().name();
            #[doc = " `Pareto/NBD with static covariates(r=..., ...; purchase [...], dropout [...])`."]
            display;
        );
    };
    (spend, $($a:tt)*) => {
        $crate::__covariate_members!($($a)*
            #[doc = " The registry key of the plain model: \"gamma_gamma\"."]
            kind = |_m| $crate::spend::kind();
            #[doc = " Display name: \"Gamma-Gamma with spend covariates\"."]
            name = |_m| $crate::spend::NAME;
            #[doc = " `Gamma-Gamma with spend covariates(p=..., q=..., v=...; spend [...])`."]
            display;
            #[doc = " The L2 penalty on the spend effects of the fit (0 for a model built from parameters)."]
            penalty;
        );
    };
    (retention, $($a:tt)*) => {
        $crate::__covariate_members!($($a)*
            #[doc = " The registry key of the plain model: \"sbg\"."]
            kind = |_m| $crate::retention::kind();
            #[doc = " Display name: \"sBG with covariates\"."]
            name = |_m| $crate::retention::NAME;
            #[doc = " `sBG with covariates(alpha=..., beta=...; alpha [...], beta [...])`."]
            display;
            #[doc = " The L2 penalty on the effects of the fit (0 for a model built from parameters)."]
            penalty;
        );
    };
}

/// The impl block of [`covariate_members!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __covariate_members {
    (
        #[$($class_attr:tt)*] impl $class:ty, $attr:ident
        $(#[doc = $kind_doc:literal])* kind = |$k:ident| $kind:expr;
        $(#[doc = $name_doc:literal])* name = |$n:ident| $name:expr;
        $(#[doc = $display_doc:literal])* display;
        $($(#[doc = $penalty_doc:literal])* penalty;)?
    ) => {
        #[$($class_attr)*]
        impl $class {
            $(#[doc = $kind_doc])*
            #[$attr(getter)]
            pub fn kind(&self) -> String {
                let $k = &self.inner;
                $kind.to_string()
            }

            $(#[doc = $name_doc])*
            #[$attr(getter)]
            pub fn name(&self) -> String {
                let $n = &self.inner;
                $name.to_string()
            }

            $(#[doc = $display_doc])*
            #[$attr(js_name = "toString")]
            pub fn display(&self) -> String {
                self.inner.to_string()
            }

            $(
                $(#[doc = $penalty_doc])*
                #[$attr(getter)]
                pub fn penalty(&self) -> f64 {
                    self.inner.penalty()
                }
            )?
        }
    };
}

/// The doc lines of the members that the covariate classes with one set
/// (`spend`, `retention`) have in both JS packages with a body of each
/// runtime's own, each before its member's name: `one_set_members!(spend,
/// m, args)` is `m!(args one_set DOCS)`, for the `covariate_class!` of
/// `clv-node` and of `clv-wasm`.
#[macro_export]
macro_rules! one_set_members {
    (spend, $m:ident, $($a:tt)*) => {
        $m!($($a)* one_set
            #[doc = " The spend covariate names, in the order the predictions take them."]
            covariate_names;
            #[doc = " Standard errors by name (`p`, `q`, `v`, `spend_NAME`); null for a model not fitted here."]
            std_errors;
        );
    };
    (retention, $m:ident, $($a:tt)*) => {
        $m!($($a)* one_set
            #[doc = " The covariate names, in the order the predictions take them."]
            covariate_names;
            #[doc = " Standard errors by name (`alpha`, `beta`, `alpha_NAME`, `beta_NAME`); null for a model"]
            #[doc = " not fitted here."]
            std_errors;
        );
    };
}

/// The per-customer (per-row) predictions of the covariate classes in both
/// JS packages, one entry each: the doc lines, `rust_name = jsName`, the
/// scalars the method takes first, then `|model, customers, covariate sets|
/// core call`. `covariate_predictions!(transaction, m ARGS)` is `m! { ARGS
/// ENTRIES }` for the `covariate_methods!(customers ...)` of
/// `CovariateModel` in `clv-node` and `clv-wasm` (likewise `spend`,
/// `retention`, without ARGS, for their `per_customer_predictions!`), which
/// write each entry as a method with their runtime's attributes and
/// conversions (napi derives the same camelCase name by itself).
#[macro_export]
macro_rules! covariate_predictions {
    (transaction, $m:ident $($args:tt)*) => {
        $m! {
            $($args)*
            "P(alive) of each customer, with each one's covariates."
            prob_alive = probAlive() |m, [x, tx, t], p, d| m.prob_alive(x, tx, t, p, d);
            "Expected purchases of each customer in the next `t` units, with each one's covariates."
            expected_purchases = expectedPurchases(t) |m, [x, tx, tt], p, d| m.expected_purchases(t, x, tx, tt, p, d);
            "Per-customer log-likelihood, with each one's covariates."
            log_likelihood_of = logLikelihoodOf() |m, [x, tx, t], p, d| m.log_likelihood(x, tx, t, p, d);
            "P(X(T, T + t) = n | x, t_x, T) of each customer, with each one's covariates (where the plain model has it)."
            prob_purchases_conditional = probPurchasesConditional(n, t)
                |m, [x, tx, tt], p, d| m.prob_purchases_conditional(n, t, x, tx, tt, p, d);
            "Discounted expected residual transactions of each customer (Pareto/NBD: continuous rate per unit), with each one's covariates."
            dert = dert(discount) |m, [x, tx, t], p, d| m.dert(discount, x, tx, t, p, d);
        }
    };
    (spend, $m:ident) => {
        $m! {
            " The expected spend per transaction of each customer (Fader & Hardie 2013, eq. 5,"
            " at the customer's p, q, v_i), with each one's `spendCovariates`."
            expected_spend = expectedSpend() |m, [x, mv], z| m.expected_spend(x, mv, z);
            " Per-customer log-likelihood (customers with frequency > 0 and mean spend > 0),"
            " with each one's `spendCovariates`."
            log_likelihood_of = logLikelihoodOf() |m, [x, mv], z| m.log_likelihood(x, mv, z);
        }
    };
    (retention, $m:ident) => {
        $m! {
            " S(t): the probability of being still active after `t` whole periods, for each row of"
            " `dropoutCovariates` (one value for a model without covariates given none)."
            survival = survival(t) |m, z| m.survival(t, z);
            " r(t) = (β_i+t−1)/(α_i+β_i+t−1): the retention rate in period `t` ≥ 1, for each row."
            retention = retention(t) |m, z| m.retention(t, z);
            " P(T = t): the probability of churning in period `t` ≥ 1, for each row."
            prob_churn = probChurn(t) |m, z| m.prob_churn(t, z);
            " The discounted expected lifetime (in periods, the first payment included) of a new"
            " customer with each row's covariates."
            discounted_expected_lifetime = discountedExpectedLifetime(discount)
                |m, z| m.discounted_expected_lifetime(discount, z);
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelState;
    use clv::models::ModelKind;

    fn small() -> [Vec<f64>; 3] {
        [
            vec![0.0, 1.0, 3.0, 0.0, 2.0, 5.0, 1.0, 0.0],
            vec![0.0, 10.0, 30.0, 0.0, 20.0, 35.0, 5.0, 0.0],
            vec![40.0; 8],
        ]
    }

    fn gender() -> NamedColumns {
        vec![(
            "Gender".into(),
            vec![0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0],
        )]
    }

    /// Options with these purchase covariates only.
    fn purchase(columns: NamedColumns) -> CovariateArgs {
        CovariateArgs {
            purchase: Some(columns),
            ..CovariateArgs::default()
        }
    }

    /// An unfitted model of `kind` with the default fit options.
    fn unfitted(kind: ModelKind) -> ModelState {
        ModelState::new(kind, FitOptions::default())
    }

    #[test]
    fn options_and_errors_in_js_spelling() {
        let [x, tx, t] = small();
        let inputs = [x.as_slice(), &tx, &t];
        let mut state = unfitted(ModelKind::ParetoNbd);
        let args = CovariateArgs {
            penalty: Some(NumberOrNamed::Named(vec![("dropout".into(), -1.0)])),
            ..purchase(gender())
        };
        let e = fit(&mut state, &inputs, None, None, &args).unwrap_err();
        assert_eq!(e.field(), Some("penalty.dropout"));
        let args = CovariateArgs {
            penalty: Some(NumberOrNamed::Named(vec![("life".into(), 1.0)])),
            ..purchase(gender())
        };
        let e = fit(&mut state, &inputs, None, None, &args).unwrap_err();
        assert_eq!(e.field(), Some("penalty"));
        let args = CovariateArgs {
            constrain_equal: Some(vec!["Gender".into()]),
            ..CovariateArgs::default()
        };
        let e = fit(&mut state, &inputs, None, None, &args).unwrap_err();
        assert_eq!(e.field(), Some("constrainEqual"));
        // a covariate name keeps its spelling after the process
        let args = purchase(vec![("is_member".into(), vec![1.0; 8])]);
        let e = crate::js_names(fit(&mut state, &inputs, None, None, &args).unwrap_err());
        assert_eq!(e.field(), Some("purchaseCovariates.is_member"));
        // MBG/NBD and GGom/NBD have covariates now; Gamma-Gamma has spend covariates only
        let mut gg = unfitted(ModelKind::GammaGamma);
        let args = purchase(gender());
        let e = fit(&mut gg, &inputs, None, None, &args).unwrap_err();
        assert_eq!(e.code(), "NOT_SUPPORTED");
        assert!(state.get().is_err(), "the model stays unfitted");
    }

    #[test]
    fn a_fit_and_its_views() {
        let [x, tx, t] = small();
        let inputs = [x.as_slice(), &tx, &t];
        let mut state = unfitted(ModelKind::BgNbd);
        let args = purchase(gender());
        let Fitted::Covariates(m) = fit(&mut state, &inputs, None, Some("W"), &args).unwrap()
        else {
            panic!("a covariate model")
        };
        assert_eq!(kind(&m), "bg_nbd");
        let (p, d) = effects(&m);
        assert_eq!((p.len(), d.len()), (1, 0));
        let v = m.fit_info().map(view_of).unwrap();
        assert_eq!(v.param_names, ["r", "alpha", "a", "b", "purchase_Gender"]);
        assert_eq!(v.unit.as_deref(), Some("W"));
        let rows = customer_params(&m, &args).unwrap();
        assert_eq!(rows.len(), 8);
        assert_eq!(expected_purchases_new(&m, 10.0, &args).unwrap().len(), 8);
        assert!(display(&m).starts_with("BG/NBD with static covariates(r="));
        let pa = per_customer(&m, inputs, &args, |m, [x, tx, t], p, d| {
            m.prob_alive(x, tx, t, p, d)
        })
        .unwrap();
        assert_eq!(pa.len(), 8);
    }

    #[test]
    fn from_params_names_and_the_id_join() {
        let base = |v: &[(&str, f64)]| {
            v.iter()
                .map(|(k, x)| ((*k).to_string(), *x))
                .collect::<Vec<_>>()
        };
        let ok = base(&[("beta", 12.0), ("r", 0.5), ("s", 0.6), ("alpha", 10.0)]);
        let effects = EffectArgs {
            purchase: vec![("Gender".into(), 0.3)],
            dropout: Vec::new(),
        };
        let m = from_params("ParetoNBD", &ok, &effects).unwrap();
        assert_eq!(kind(&m), "pareto_nbd");
        assert_eq!(m.base(), [0.5, 10.0, 0.6, 12.0]);
        let e = from_params("pareto_nbd", &ok[..3], &effects).unwrap_err();
        assert_eq!(e.field(), Some("alpha"));
        let mut extra = ok.clone();
        extra.push(("a".into(), 1.0));
        assert_eq!(
            from_params("pareto_nbd", &extra, &effects)
                .unwrap_err()
                .field(),
            Some("a")
        );
        let bad = EffectArgs {
            purchase: Vec::new(),
            dropout: vec![("is_member".into(), f64::NAN)],
        };
        let e = from_params("pareto_nbd", &ok, &bad).unwrap_err();
        assert_eq!(e.field(), Some("dropout.is_member"));
        assert_eq!(
            from_params("bg_bb", &ok, &effects).unwrap_err().code(),
            "NOT_SUPPORTED"
        );

        // rows joined on the ids, in any order; a customer without a row names it
        let args = CovariateArgs {
            purchase: Some(vec![("Gender".into(), vec![1.0, 0.0, 1.0])]),
            ids: Some(vec!["c".into(), "a".into(), "b".into()]),
            customers: Some(vec!["a".into(), "b".into(), "c".into()]),
            ..CovariateArgs::default()
        };
        let (p, d) = args.sets(3).unwrap();
        assert_eq!(
            (p.row(0), p.row(1), p.row(2)),
            (&[0.0][..], &[1.0][..], &[1.0][..])
        );
        assert_eq!(d.len(), 3);
        let missing = CovariateArgs {
            customers: Some(vec!["a".into(), "z".into(), "c".into()]),
            ..args.clone()
        };
        let e = crate::js_names(missing.sets(3).unwrap_err());
        assert_eq!(e.field(), Some("purchaseCovariates"));
        assert!(
            e.to_string()
                .starts_with("invalid purchaseCovariates[1]: z"),
            "{e}"
        );
        let twice = CovariateArgs {
            ids: Some(vec!["a".into(), "a".into(), "b".into()]),
            ..args.clone()
        };
        assert_eq!(twice.sets(3).unwrap_err().field(), Some("covariateIds"));
        assert_eq!(args.sets(2).unwrap_err().field(), Some("customerId"));
    }
}
