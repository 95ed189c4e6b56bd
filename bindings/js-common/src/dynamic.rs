//! Time-varying covariates of the Pareto/NBD for both JS packages
//! (`clv::covariates::dynamic`, issue 15 item 3): what
//! `new DynamicCovariateData(transactions, covariates, options)`,
//! `CovariateModel.fitDynamic(data, options)` and the `*Dynamic` predictions
//! read, and the calls to the core. No math and no checks of our own: the
//! table, the customers' walks (missing or doubled periods, non-finite
//! values, unknown names), the fit and the predictions are the core's, as in
//! Python (`bindings/python/src/covariates.rs`, `PyDynamicData`).
//!
//! - `transactions`: `{ customerId: string[], datetime: string[] }`, as
//!   `rfmSummary` takes them;
//! - `covariates`: the long table `{ id: string[], periodStart: string[],
//!   columns: { NAME: number[] } }`, one row per customer and time unit;
//! - `options`: `purchaseCovariates` and `dropoutCovariates` (names of
//!   table columns) and the summary options of `rfmSummary` (`freq`,
//!   `observationPeriodEnd`, `calibrationPeriodEnd`, `dateFormat`).

use clv::covariates::CovariateModel;
use clv::covariates::dynamic::{self as core, CovariateTable, DynamicData};
use clv::time::parse_timestamp_for;
use clv::{Error, Result};

use crate::covariates::{CovariateArgs, NamedColumns, js_fields};
use crate::{FitArgs, JsObject, Required, SummaryArgs, js_args};

/// The three arguments of `new DynamicCovariateData(...)` as a JS caller
/// gives them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DynamicArgs {
    /// `transactions.customerId`.
    pub customer_id: Vec<String>,
    /// `transactions.datetime` (date text).
    pub datetime: Vec<String>,
    /// `covariates.id`: the customer of each table row.
    pub table_id: Vec<String>,
    /// `covariates.periodStart` (date text).
    pub period_start: Vec<String>,
    /// `covariates.columns`, in key order.
    pub columns: NamedColumns,
    /// `options.purchaseCovariates`: names of table columns.
    pub purchase: Vec<String>,
    /// `options.dropoutCovariates`: names of table columns.
    pub dropout: Vec<String>,
    /// The summary options (`freq`, `observationPeriodEnd`, ...).
    pub summary: SummaryArgs,
}

impl DynamicArgs {
    /// Reads the three JS objects. `purchaseCovariates` and
    /// `dropoutCovariates` default to none (at least one is needed: the
    /// core's check).
    ///
    /// # Errors
    /// The binding's, for a field missing or of the wrong type.
    pub fn read<O: JsObject>(
        transactions: &O,
        covariates: &O,
        options: &O,
    ) -> std::result::Result<Self, O::Error> {
        let (t, c) = (Required(transactions), Required(covariates));
        // in the order of the arguments
        let customer_id = t.strings("customerId")?;
        let datetime = t.strings("datetime")?;
        let table_id = c.strings("id")?;
        let period_start = c.strings("periodStart")?;
        let columns = c.given(
            "columns",
            covariates.columns("columns")?,
            "an object of numeric columns by name, e.g. { Gender: [0, 1] }",
        )?;
        Ok(DynamicArgs {
            customer_id,
            datetime,
            table_id,
            period_start,
            columns,
            purchase: options.strings("purchaseCovariates")?.unwrap_or_default(),
            dropout: options.strings("dropoutCovariates")?.unwrap_or_default(),
            summary: SummaryArgs::read(options)?,
        })
    }

    /// The core's data: dates parsed (`dateFormat`), the table built, the
    /// transactions summarised and each customer's walk checked.
    ///
    /// # Errors
    /// A date that does not parse (`datetime` or `covariates.periodStart`,
    /// with its index); those of [`CovariateTable::new`] and
    /// [`DynamicData::new`], in JS spelling (`covariates.periodStart`,
    /// `covariates.id`, `covariates.columns.NAME`, `purchaseCovariates`).
    pub fn build(&self) -> Result<DynamicData> {
        let fmt = self.summary.date_format.as_deref();
        let dates = |field: &str, v: &[String]| {
            v.iter()
                .enumerate()
                .map(|(i, d)| parse_timestamp_for(field, d, fmt).map_err(|e| e.at_index(i)))
                .collect::<Result<Vec<i64>>>()
        };
        let ts = dates("datetime", &self.datetime)?;
        let starts = dates("covariates.periodStart", &self.period_start)?;
        let (names, cols): (Vec<&str>, Vec<&[f64]>) = self
            .columns
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
            .unzip();
        let table =
            CovariateTable::new(&names, &self.table_id, &starts, &cols).map_err(table_fields)?;
        DynamicData::new(
            &self.customer_id,
            &ts,
            &table,
            &self.purchase,
            &self.dropout,
            &self.summary.to_options()?,
        )
        .map_err(data_fields)
    }
}

/// The core's names of the table's columns as the JS object's
/// (`period_start` → `covariates.periodStart`, `covariate ids` →
/// `covariates.id`, `covariates.NAME` → `covariates.columns.NAME`).
fn table_fields(e: Error) -> Error {
    e.rename_fields(|f| match f.as_str() {
        "period_start" => "covariates.periodStart".to_string(),
        "covariate ids" => "covariates.id".to_string(),
        _ => match f.strip_prefix("covariates.") {
            Some(name) => format!("covariates.columns.{name}"),
            None => f,
        },
    })
}

/// [`DynamicData::new`]'s field `covariates.period_start` (two rows in one
/// period) as the JS object's `covariates.periodStart`.
fn data_fields(e: Error) -> Error {
    e.rename_fields(|f| match f.as_str() {
        "covariates.period_start" => "covariates.periodStart".to_string(),
        _ => f,
    })
}

js_args! {
    /// The options of `CovariateModel.fitDynamic` as a JS caller gives them
    /// (every field optional; `weights` is read by the binding, an array).
    pub struct DynamicFitArgs {
        /// `penalty`: one number for both processes, or `{purchase, dropout}`.
        penalty: number_or_named = "penalty",
        /// `constrainEqual`: covariates with one effect on both processes.
        constrain_equal: strings = "constrainEqual",
        /// `maxIterations`, default 1000.
        max_iterations: number = "maxIterations",
        /// `gradientTolerance`, default 1e-6.
        gradient_tolerance: number = "gradientTolerance",
    }
}

/// Fits the Pareto/NBD with time-varying covariates to `data` (the same
/// penalties, constraints, standard errors and boundary reports as the
/// static fit); the model carries the data's time unit.
///
/// # Errors
/// The options' (`penalty`, `maxIterations`, `gradientTolerance`) and those
/// of [`core::fit`], in JS spelling.
pub fn fit(
    data: &DynamicData,
    weights: Option<&[f64]>,
    args: &DynamicFitArgs,
) -> Result<CovariateModel> {
    let mut fit = FitArgs {
        penalty: None,
        max_iterations: args.max_iterations,
        gradient_tolerance: args.gradient_tolerance,
    }
    .to_options()?;
    fit.unit = Some(data.unit());
    let options = CovariateArgs {
        penalty: args.penalty.clone(),
        constrain_equal: args.constrain_equal.clone(),
        ..CovariateArgs::default()
    }
    .options(fit)?;
    core::fit(data, weights, &options).map_err(js_fields)
}

/// P(alive at T) of each customer of `data`.
///
/// # Errors
/// Those of [`CovariateModel::prob_alive_dynamic`], in JS spelling.
pub fn prob_alive(m: &CovariateModel, data: &DynamicData) -> Result<Vec<f64>> {
    m.prob_alive_dynamic(data).map_err(js_fields)
}

/// E[X(T, T+t)] of each customer of `data`.
///
/// # Errors
/// Those of [`CovariateModel::expected_purchases_dynamic`], in JS spelling.
pub fn expected_purchases(m: &CovariateModel, t: f64, data: &DynamicData) -> Result<Vec<f64>> {
    m.expected_purchases_dynamic(t, data).map_err(js_fields)
}

/// The discounted expected purchases over (T, T+t] at the continuous
/// `discount_rate` per unit.
///
/// # Errors
/// Those of [`CovariateModel::discounted_expected_purchases_dynamic`], in
/// JS spelling (`discountRate`).
pub fn discounted_expected_purchases(
    m: &CovariateModel,
    t: f64,
    discount_rate: f64,
    data: &DynamicData,
) -> Result<Vec<f64>> {
    m.discounted_expected_purchases_dynamic(t, discount_rate, data)
        .map_err(js_fields)
}

/// ln L_i of each customer of `data`.
///
/// # Errors
/// Those of [`CovariateModel::log_likelihood_dynamic`], in JS spelling.
pub fn log_likelihood(m: &CovariateModel, data: &DynamicData) -> Result<Vec<f64>> {
    m.log_likelihood_dynamic(data).map_err(js_fields)
}

/// The predictions on a `DynamicCovariateData` of `CovariateModel` in both
/// JS packages, one entry each: the doc lines, `rust_name =
/// jsName(scalar = jsScalar, ...) |model, data| core call`.
/// `dynamic_predictions!(m ARGS)` is `m! { ARGS ENTRIES }` for the
/// `covariate_methods!(dynamic ...)` of `clv-node` and `clv-wasm`, which
/// write each entry as a method taking its scalars (JS numbers) and then
/// the data.
#[macro_export]
macro_rules! dynamic_predictions {
    ($m:ident $($args:tt)*) => {
        $m! {
            $($args)*
            " P(alive at T) of each customer of `data`, with their time-varying covariates."
            prob_alive_dynamic = probAliveDynamic() |m, d| $crate::dynamic::prob_alive(m, d);
            " Expected purchases of each customer of `data` in the next `t` units"
            " (CET), with the covariates of those periods (which the table must cover)."
            expected_purchases_dynamic = expectedPurchasesDynamic(t = t)
                |m, d| $crate::dynamic::expected_purchases(m, t, d);
            " Discounted expected purchases of each customer of `data` over the next"
            " `t` units (DECT) at the continuous rate `discountRate` per unit."
            discounted_expected_purchases_dynamic = discountedExpectedPurchasesDynamic(t = t, discount_rate = discountRate)
                |m, d| $crate::dynamic::discounted_expected_purchases(m, t, discount_rate, d);
            " Per-customer log-likelihood of `data`, with their time-varying covariates."
            log_likelihood_dynamic = logLikelihoodDynamic() |m, d| $crate::dynamic::log_likelihood(m, d);
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::covariates::NumberOrNamed;

    /// Two customers, weekly rows from their first purchase to the
    /// calibration end and beyond.
    fn args() -> DynamicArgs {
        let weeks = ["2005-01-02", "2005-01-09", "2005-01-16", "2005-01-23"];
        let (mut id, mut start, mut z) = (Vec::new(), Vec::new(), Vec::new());
        for c in ["a", "b"] {
            for (k, w) in weeks.iter().enumerate() {
                id.push(c.to_string());
                start.push((*w).to_string());
                z.push(f64::from(u8::try_from(k % 2).unwrap_or(0)));
            }
        }
        DynamicArgs {
            customer_id: ["a", "a", "b"].map(String::from).to_vec(),
            datetime: ["2005-01-02", "2005-01-10", "2005-01-03"]
                .map(String::from)
                .to_vec(),
            table_id: id,
            period_start: start,
            columns: vec![("Season".into(), z)],
            purchase: vec!["Season".into()],
            dropout: vec!["Season".into()],
            summary: SummaryArgs {
                freq: Some("7d".into()),
                observation_period_end: Some("2005-01-16".into()),
                ..SummaryArgs::default()
            },
        }
    }

    #[test]
    fn data_and_errors_in_js_spelling() {
        let d = args().build().unwrap();
        assert_eq!(d.customer_id, ["a", "b"]);
        assert_eq!(d.frequency, [1.0, 0.0]);
        let mut bad = args();
        bad.period_start.pop();
        let e = crate::js_names(bad.build().unwrap_err());
        assert_eq!(e.field(), Some("covariates.periodStart"));
        let mut bad = args();
        bad.columns[0].1[0] = f64::NAN;
        let e = crate::js_names(bad.build().unwrap_err());
        assert_eq!(e.field(), Some("covariates.columns.Season"));
        let mut bad = args();
        bad.period_start[1] = "2005-01-03".into();
        let e = crate::js_names(bad.build().unwrap_err());
        assert_eq!(e.field(), Some("covariates.periodStart"));
        let mut bad = args();
        bad.purchase = vec!["Gender".into()];
        let e = crate::js_names(bad.build().unwrap_err());
        assert_eq!(e.field(), Some("purchaseCovariates"));
        let mut bad = args();
        bad.table_id.truncate(4);
        bad.period_start.truncate(4);
        bad.columns[0].1.truncate(4);
        let e = crate::js_names(bad.build().unwrap_err());
        assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("covariates")));
        let mut bad = args();
        bad.datetime[2] = "yesterday".into();
        let e = crate::js_names(bad.build().unwrap_err());
        assert_eq!(e.field(), Some("datetime"));
    }

    #[test]
    fn options_in_js_spelling() {
        let d = args().build().unwrap();
        let a = DynamicFitArgs {
            penalty: Some(NumberOrNamed::Named(vec![("dropout".into(), -1.0)])),
            ..DynamicFitArgs::default()
        };
        let e = crate::js_names(fit(&d, None, &a).unwrap_err());
        assert_eq!(e.field(), Some("penalty.dropout"));
        let a = DynamicFitArgs {
            max_iterations: Some(0.5),
            ..DynamicFitArgs::default()
        };
        let e = crate::js_names(fit(&d, None, &a).unwrap_err());
        assert_eq!(e.field(), Some("maxIterations"));
    }
}
