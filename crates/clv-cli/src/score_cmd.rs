//! `clv score`: per-customer P(alive), expected purchases and (with a spend
//! model) CLV from a saved model and a summary file; with `--intervals`,
//! each with its interval from parameter draws (`clv::uncertainty`). A
//! model with static covariates (`clv fit ... --covariates ... --save`)
//! scores each customer with their own covariates (`clv::covariates`); a
//! Pareto/NBD with time-varying covariates (`clv fit pareto-nbd
//! --transactions ... --dynamic-covariates ... --save`) scores the
//! customers of a transaction file with their covariates per period
//! (`clv::covariates::dynamic`). An sBG with covariates (`clv fit sbg
//! --summary ... --save`) scores contract customers: each one's own
//! (α_i, β_i), the probability of staying --horizon more periods and, with
//! --discount-rate, the discounted expected residual lifetime
//! (`clv::covariates::retention`).

use std::path::PathBuf;

use clap::Args;
use clv::covariates::retention::RetentionCovariateModel;
use clv::covariates::spend::SpendCovariateModel;
use clv::covariates::{CovariateModel, Covariates};
use clv::fit::FitOptions;
use clv::io::CsvColumns;
use clv::models::{AnyModel, ModelInfo, ModelKind, SpendModel};
use clv::uncertainty::{Data, Draws, Intervals, Method, Spend, central_quantiles};
use clv::value::{customer_lifetime_value, model_unit, periods_per_month, resolve_unit};
use clv::{Error, Result};

use crate::input::{CovariateFileArgs, DynamicArgs, SummaryColumnArgs};

/// Arguments of `clv score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// A transaction model saved by `clv fit ... --save` (BG/NBD, MBG/NBD,
    /// Pareto/NBD, GGom/NBD, BG/BB), or a Pareto/NBD, BG/NBD, MBG/NBD or GGom/NBD model with static
    /// covariates (`clv fit ... --covariates ... --save`; give --covariates),
    /// or a Pareto/NBD with time-varying covariates (`clv fit pareto-nbd
    /// --transactions ... --dynamic-covariates ... --save`; give
    /// --transactions and --dynamic-covariates), or an sBG with covariates
    /// (`clv fit sbg --summary ... --save`; give --summary with one row per
    /// contract customer, --periods-col and --churned-col, and their
    /// covariates: --covariates, default the --summary file). Writes
    /// customer_id, alpha, beta (each one's own), survival (the probability
    /// that a customer active after their periods stays --horizon more
    /// periods; 0 for one who churned) and, with --discount-rate (per
    /// period), dert (the discounted expected residual lifetime in periods
    /// after as many renewals as periods; 0 for one who churned).
    pub model: PathBuf,
    /// Per-customer summary CSV (not with --transactions).
    #[arg(long)]
    pub summary: Option<PathBuf>,
    #[command(flatten)]
    pub columns: SummaryColumnArgs,
    /// A covariate model's covariates, joined to the summary on the customer
    /// id (the --covariate-id-col column of --covariates, the --id-col column
    /// of the summary); the covariate names default to the model's.
    #[command(flatten)]
    pub covariates: CovariateFileArgs,
    /// A Pareto/NBD with time-varying covariates: the customers of the
    /// transactions with their covariates per period, which must cover
    /// the horizon (instead of --summary; the unit is the model's, or
    /// --freq). Writes customer_id, prob_alive, expected_purchases and,
    /// with --discount-rate, discounted_expected_purchases.
    #[command(flatten)]
    pub dynamic: DynamicArgs,
    /// A Gamma-Gamma model saved by `clv fit gamma-gamma --save`: adds
    /// expected_spend and clv (needs the monetary column; without it, or
    /// without this model, a note says so and the money columns are left out).
    #[arg(long)]
    pub spend_model: Option<PathBuf>,
    /// Horizon of expected_purchases, in the model's (the summary's) time unit.
    #[arg(long, default_value_t = 1.0)]
    pub horizon: f64,
    /// CLV horizon in months.
    #[arg(long, default_value_t = 12)]
    pub clv_months: u32,
    /// Monthly discount rate of the CLV (default 0.01). With
    /// --dynamic-covariates: the continuous discount rate per time unit δ
    /// of discounted_expected_purchases, ∫ e^{−δ(u−T)} dE[X(T, u)] over the
    /// horizon (the column is written only when a rate is given).
    #[arg(long)]
    pub discount_rate: Option<f64>,
    /// Time unit of the summary (W, D, H, M or `<n>d`), for the CLV's months.
    /// Default: the unit the model was fitted in (`clv fit --freq`), else D
    /// (days, as lifetimes); a unit other than the model's is an error.
    #[arg(long)]
    pub freq: Option<String>,
    /// Add an interval of this level (e.g. 0.9) to each value: columns
    /// `<value>_lower` and `<value>_upper`, the (1 − level)/2 and (1 + level)/2
    /// quantiles over parameter draws; the portfolio totals with their
    /// intervals go to stderr.
    #[arg(long)]
    pub intervals: Option<f64>,
    /// How the draws are made: `laplace` (normal on the log-parameter scale
    /// from the fit's covariance) or `bootstrap` (refits to customers
    /// resampled from the summary, which must be the data the models were
    /// fitted to).
    #[arg(long, default_value = "laplace")]
    pub method: String,
    /// Number of parameter draws.
    #[arg(long, default_value_t = 2000)]
    pub draws: usize,
    /// Seed of the draws (the spend model's draws use seed + 1): the same
    /// seed gives the same intervals in every runtime.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Write to this file instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// The CLV's monthly discount rate without --discount-rate.
const DEFAULT_DISCOUNT_RATE: f64 = 0.01;

impl ScoreArgs {
    /// The CLV's monthly discount rate: --discount-rate, else 0.01.
    fn monthly_discount_rate(&self) -> f64 {
        self.discount_rate.unwrap_or(DEFAULT_DISCOUNT_RATE)
    }
}

fn read(path: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// A model saved by `clv fit --save`.
enum Saved {
    /// A model of the registry (`{"format_version", "model", "params", "fit"}`).
    Plain(Box<AnyModel>),
    /// A model with static covariates ([`CovariateModel::to_json`]).
    Covariate(Box<CovariateModel>),
    /// An sBG with covariates ([`RetentionCovariateModel::to_json`]).
    Retention(Box<RetentionCovariateModel>),
}

/// Reads a saved model, telling the two kinds apart: a registry model's
/// JSON has the key `"model"` (its errors those of [`AnyModel::from_json`]),
/// a covariate model's has `"layout"` instead (its errors those of
/// [`CovariateModel::from_json`]); anything else is [`Error::Format`].
fn load(path: &std::path::Path) -> Result<Saved> {
    let text = read(path)?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::Format {
        what: "model JSON".to_string(),
        message: format!("{}: {e}", path.display()),
    })?;
    let has = |key: &str| value.get(key).is_some();
    if has("model") {
        AnyModel::from_json(&text).map(|m| Saved::Plain(Box::new(m)))
    } else if has("layout") {
        CovariateModel::from_json(&text).map(|m| Saved::Covariate(Box::new(m)))
    } else if has("alpha_effects") {
        RetentionCovariateModel::from_json(&text).map(|m| Saved::Retention(Box::new(m)))
    } else {
        Err(Error::Format {
            what: "model JSON".to_string(),
            message: format!(
                "{}: neither a model (key \"model\"), a covariate model (key \"layout\") \
                 nor an sBG with covariates (key \"alpha_effects\") as `clv fit --save` \
                 writes them",
                path.display()
            ),
        })
    }
}

/// What `clv score` writes per customer, in the summary's order.
struct Scores {
    alive: Vec<f64>,
    expected: Vec<f64>,
    /// Expected spend and CLV, with a spend model and amounts.
    value: Option<(Vec<f64>, Vec<f64>)>,
    intervals: Option<Vec<(&'static str, Intervals)>>,
}

/// `--intervals` for a model with covariates (`model` its name).
fn no_intervals(model: &str) -> Error {
    Error::Unsupported {
        model: model.to_string(),
        operation: "intervals".to_string(),
        reason: "parameter draws are there for the models without covariates only".to_string(),
    }
}

/// The spend model of `--spend-model`: a Gamma-Gamma model, or one with
/// spend covariates (`clv fit gamma-gamma --covariates ... --spend-covariates
/// ... --save`), scored with each customer's covariates from --covariates.
enum SpendSource {
    Plain(Box<AnyModel>),
    Covariates(Box<SpendCovariateModel>),
}

impl SpendSource {
    /// Reads `--spend-model`: a spend-covariate model's JSON has the keys
    /// `base` and `effects` ([`SpendCovariateModel::from_json`]), anything
    /// else is read as a Gamma-Gamma model ([`AnyModel::from_json_as`]).
    fn load(path: &std::path::Path) -> Result<SpendSource> {
        let text = read(path)?;
        let value: serde_json::Value =
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        if value.get("base").is_some() && value.get("effects").is_some() {
            return SpendCovariateModel::from_json(&text)
                .map(|m| SpendSource::Covariates(Box::new(m)));
        }
        AnyModel::from_json_as(ModelKind::GammaGamma, &text)
            .map(|m| SpendSource::Plain(Box::new(m)))
    }

    /// The plain model (for parameter draws), or [`Error::Unsupported`].
    fn plain(&self) -> Result<&AnyModel> {
        match self {
            SpendSource::Plain(m) => Ok(m),
            SpendSource::Covariates(m) => Err(no_intervals(m.name())),
        }
    }

    /// Each customer's expected spend per transaction; with spend
    /// covariates, each one's own, read from --covariates and joined on the
    /// summary's id column.
    fn expected_spend(
        &self,
        args: &ScoreArgs,
        cols: &CsvColumns,
        x: &[f64],
        monetary: &[f64],
    ) -> Result<Vec<f64>> {
        let m = match self {
            SpendSource::Plain(gg) if args.covariates.spend_covariates.is_empty() => {
                return gg.expected_spend(x, monetary);
            }
            SpendSource::Plain(gg) => {
                return Err(Error::Unsupported {
                    model: gg.name().to_string(),
                    operation: "spend_covariates".to_string(),
                    reason: "the spend model was fitted without covariates (`clv fit gamma-gamma \
                             --covariates FILE --spend-covariates ... --save` saves one with \
                             them)"
                        .to_string(),
                });
            }
            SpendSource::Covariates(m) => m,
        };
        let cov = &args.covariates;
        let path = crate::input::required(
            cov.covariates.as_ref(),
            "covariates",
            format!(
                "--covariates FILE: the spend model is a Gamma-Gamma with spend covariates \
                 [{}], scored with each customer's own covariates",
                m.covariate_names().join(", ")
            ),
        )?;
        let names = covariate_names("spend", &cov.spend_covariates, m.covariate_names())?;
        let ids = cols.ids_of(&args.columns.id_col)?;
        let z = cov.read_spend(path, &names, ids)?;
        m.expected_spend(x, monetary, &z)
    }
}

/// The spend model of --spend-model, read once ([`SpendSource::load`]).
fn load_spend(args: &ScoreArgs) -> Result<Option<SpendSource>> {
    args.spend_model
        .as_deref()
        .map(SpendSource::load)
        .transpose()
}

/// The spend model (of [`load_spend`]) and the amounts, when both are
/// there (notes on stderr say what is missing otherwise).
fn spend_inputs<'a>(
    args: &ScoreArgs,
    cols: &'a CsvColumns,
    spend_model: Option<SpendSource>,
) -> Result<Option<(SpendSource, &'a [f64])>> {
    // Money values need amounts: without a spend model, or without the
    // monetary column in the summary, P(alive) and expected purchases alone.
    let c = &args.columns;
    match (spend_model, cols.opt(&c.monetary_col)) {
        (Some(_), None) => {
            eprintln!(
                "note: the summary has no {:?} column: money values (expected_spend, clv) need \
                 amounts; scoring P(alive) and expected purchases only",
                c.monetary_col
            );
            Ok(None)
        }
        (None, _) => {
            eprintln!(
                "note: money values (expected_spend, clv) need amounts and a spend model \
                 (--spend-model); scoring P(alive) and expected purchases only"
            );
            Ok(None)
        }
        (Some(gg), Some(m)) => Ok(Some((gg, m))),
    }
}

/// Runs `clv score`.
pub fn run(args: &ScoreArgs) -> Result<()> {
    if args.dynamic.given() {
        let s = score_dynamic(args)?;
        let mut out = crate::output(args.output.as_deref())?;
        return crate::write_out(&mut out, &s);
    }
    let saved = load(&args.model)?;
    if let Saved::Retention(m) = &saved {
        let s = score_retention(args, m)?;
        let mut out = crate::output(args.output.as_deref())?;
        return crate::write_out(&mut out, &s);
    }
    let c = &args.columns;
    let summary = crate::input::required(
        args.summary.as_ref(),
        "summary",
        "--summary FILE with the per-customer summary (or --transactions and \
         --dynamic-covariates for a model with time-varying covariates)",
    )?;
    let cols = c.read(summary)?;
    let scores = match &saved {
        Saved::Plain(any) => score_plain(args, any, &cols)?,
        Saved::Covariate(m) => score_covariates(args, m, &cols)?,
        Saved::Retention(_) => unreachable!("scored above"),
    };
    let mut columns: Vec<(String, &[f64])> = vec![
        ("prob_alive".into(), &scores.alive),
        ("expected_purchases".into(), &scores.expected),
    ];
    if let Some((spend, clv)) = &scores.value {
        columns.push(("expected_spend".into(), spend));
        columns.push(("clv".into(), clv));
    }
    for (name, v) in scores.intervals.iter().flatten() {
        columns.push((format!("{name}_lower"), &v.values[0]));
        columns.push((format!("{name}_upper"), &v.values[2]));
    }
    let s = csv_table(&cols.ids, &columns)?;
    let mut out = crate::output(args.output.as_deref())?;
    crate::write_out(&mut out, &s)
}

/// The scores of a registry model.
fn score_plain(args: &ScoreArgs, any: &AnyModel, cols: &CsvColumns) -> Result<Scores> {
    let model = any.transaction("clv score")?;
    let cov = &args.covariates;
    let spend_model = load_spend(args)?;
    let spend_covariates = matches!(spend_model, Some(SpendSource::Covariates(_)));
    // a spend model with covariates reads them from --covariates
    // (--spend-covariates for a plain spend model: the spend model's error)
    let transaction_covariates = !cov.purchase_covariates.is_empty()
        || !cov.dropout_covariates.is_empty()
        || (!spend_covariates && cov.spend_covariates.is_empty() && cov.given());
    if transaction_covariates {
        return Err(Error::Unsupported {
            model: any.name().to_string(),
            operation: "covariates".to_string(),
            reason: format!(
                "{} was fitted without covariates (`clv fit ... --covariates FILE --save` \
                 saves a covariate model); score it without --covariates",
                args.model.display()
            ),
        });
    }
    let c = &args.columns;
    // The registry names the arrays (BG/BB's third is n_periods).
    let names = any.kind().spec().inputs;
    let x = cols.get(c.column_of(names[0]))?;
    let r = cols.get(c.column_of(names[1]))?;
    let t = cols.get(c.column_of(names[2]))?;
    let alive = model.prob_alive(x, r, t)?;
    let expected = model.expected_purchases(args.horizon, x, r, t)?;
    let spend_model = spend_inputs(args, cols, spend_model)?;
    let value = match &spend_model {
        Some((gg, monetary)) => {
            let spend = gg.expected_spend(args, cols, x, monetary)?;
            let clv = customer_lifetime_value(
                model,
                &spend,
                x,
                r,
                t,
                args.clv_months,
                args.monthly_discount_rate(),
                periods_per_month(&resolve_unit(&[
                    ("freq", args.freq.as_deref()),
                    ("the transaction model", model_unit(any)),
                ])?)?,
            )?;
            Some((spend, clv))
        }
        None => None,
    };
    let intervals = match args.intervals {
        Some(level) => Some(intervals(
            args,
            level,
            any,
            spend_model.as_ref().map(|(gg, _)| gg.plain()).transpose()?,
            [x, r, t],
            spend_model.as_ref().map(|&(_, m)| m),
        )?),
        None => None,
    };
    Ok(Scores {
        alive,
        expected,
        value,
        intervals,
    })
}

/// The covariate names of `process` to read: the model's; names given on
/// the command line must be the model's (in any order).
fn covariate_names(process: &str, given: &[String], model: &[String]) -> Result<Vec<String>> {
    let sorted = |v: &[String]| {
        let mut v = v.to_vec();
        v.sort();
        v
    };
    if !given.is_empty() && sorted(given) != sorted(model) {
        return Err(Error::invalid(
            format!("{process}_covariates"),
            given.join(","),
            format!(
                "the model's {process} covariates [{}] (or no --{process}-covariates)",
                model.join(", ")
            ),
        ));
    }
    Ok(model.to_vec())
}

/// The scores of a model with static covariates: each customer's with
/// their own covariates, joined on the id ([`CovariateFileArgs::read_sets`]).
fn score_covariates(args: &ScoreArgs, m: &CovariateModel, cols: &CsvColumns) -> Result<Scores> {
    let name = m.kind().name();
    let (model_purchase, model_dropout) = m.covariate_names();
    let cov = &args.covariates;
    let path = crate::input::required(
        cov.covariates.as_ref(),
        "covariates",
        format!(
            "--covariates FILE: {} is a covariate model ({name}; purchase covariates \
             [{}], dropout covariates [{}]), scored with each customer's own covariates",
            args.model.display(),
            model_purchase.join(", "),
            model_dropout.join(", ")
        ),
    )?;
    if args.intervals.is_some() {
        return Err(no_intervals(name));
    }
    let purchase = covariate_names("purchase", &cov.purchase_covariates, model_purchase)?;
    let dropout = covariate_names("dropout", &cov.dropout_covariates, model_dropout)?;
    let c = &args.columns;
    // Without the id column the summary's ids would be row numbers: never
    // join on them.
    let ids = cols.ids_of(&c.id_col)?;
    let (purchase, dropout) = cov.read_sets(path, &purchase, &dropout, ids)?;
    let x = cols.get(&c.frequency_col)?;
    let r = cols.get(&c.recency_col)?;
    let t = cols.get(&c.t_col)?;
    let alive = m.prob_alive(x, r, t, &purchase, &dropout)?;
    let expected = m.expected_purchases(args.horizon, x, r, t, &purchase, &dropout)?;
    let value = match spend_inputs(args, cols, load_spend(args)?)? {
        Some((gg, monetary)) => {
            let spend = gg.expected_spend(args, cols, x, monetary)?;
            let unit = m.fit_info().and_then(|f| f.info.unit.as_deref());
            let ppm = periods_per_month(&resolve_unit(&[
                ("freq", args.freq.as_deref()),
                ("the transaction model", unit),
            ])?)?;
            let clv = covariate_clv(m, [&purchase, &dropout], &spend, [x, r, t], args, ppm)?;
            Some((spend, clv))
        }
        None => None,
    };
    Ok(Scores {
        alive,
        expected,
        value,
        intervals: None,
    })
}

/// `clv score MODEL --transactions ... --dynamic-covariates ...`: the CSV
/// of P(alive), expected purchases over --horizon and, with
/// --discount-rate, discounted expected purchases of each customer of the
/// transactions (in the summary's order) with their time-varying
/// covariates ([`CovariateModel::prob_alive_dynamic`] and the others). The
/// unit is --freq, else the model's (another is [`Error::UnitMismatch`]),
/// else D; the covariate names default to the model's.
///
/// # Errors
/// [`Error::Unsupported`] for a model without covariates (operation
/// `time-varying covariates`), for --spend-model and --intervals; the
/// core's for a covariate model other than a Pareto/NBD;
/// [`Error::InvalidValue`] for --summary or --covariates beside
/// --transactions, and a horizon past a customer's covariates (field
/// `covariates`, the customer); those of [`DynamicArgs::read`].
fn score_dynamic(args: &ScoreArgs) -> Result<Vec<u8>> {
    let m = match load(&args.model)? {
        Saved::Covariate(m) => m,
        Saved::Plain(any) => {
            return Err(Error::Unsupported {
                model: any.name().to_string(),
                operation: "time-varying covariates".to_string(),
                reason: format!(
                    "{} was fitted without covariates (`clv fit pareto-nbd --transactions ... \
                     --dynamic-covariates FILE --save` saves a model with time-varying \
                     covariates)",
                    args.model.display()
                ),
            });
        }
        Saved::Retention(m) => {
            return Err(Error::Unsupported {
                model: m.name().to_string(),
                operation: "time-varying covariates".to_string(),
                reason: "an sBG with covariates scores contract customers (--summary with \
                         periods and churned)"
                    .to_string(),
            });
        }
    };
    let name = m.kind().name();
    if let Some(p) = &args.summary {
        return Err(Error::invalid(
            "summary",
            p.display(),
            "no --summary with --transactions (the customers are those of the transactions)",
        ));
    }
    let cov = &args.covariates;
    if let Some(p) = &cov.covariates {
        return Err(Error::invalid(
            "covariates",
            p.display(),
            "no static --covariates with --dynamic-covariates",
        ));
    }
    no_spend_model_or_intervals(
        args,
        name,
        "scores with time-varying covariates are P(alive) and (discounted) expected purchases",
    )?;
    let (model_purchase, model_dropout) = m.covariate_names();
    let purchase = covariate_names("purchase", &cov.purchase_covariates, model_purchase)?;
    let dropout = covariate_names("dropout", &cov.dropout_covariates, model_dropout)?;
    let unit = m.fit_info().and_then(|f| f.info.unit.as_deref());
    let freq = resolve_unit(&[
        ("freq", args.freq.as_deref()),
        ("the transaction model", unit),
    ])?;
    let data = args
        .dynamic
        .read(&freq, &cov.covariate_id_col, &purchase, &dropout)?;
    let alive = m.prob_alive_dynamic(&data)?;
    let expected = m.expected_purchases_dynamic(args.horizon, &data)?;
    let discounted = args
        .discount_rate
        .map(|rate| m.discounted_expected_purchases_dynamic(args.horizon, rate, &data))
        .transpose()?;
    let mut columns: Vec<(String, &[f64])> = vec![
        ("prob_alive".into(), &alive),
        ("expected_purchases".into(), &expected),
    ];
    if let Some(d) = &discounted {
        columns.push(("discounted_expected_purchases".into(), d));
    }
    csv_table(&data.customer_id, &columns)
}

/// Refuses --spend-model and --intervals (the first given) for the
/// `model` whose scores `reason` says what they are.
///
/// # Errors
/// [`Error::Unsupported`] with operation `spend-model` or `intervals`.
fn no_spend_model_or_intervals(args: &ScoreArgs, model: &str, reason: &str) -> Result<()> {
    for (given, operation) in [
        (args.spend_model.is_some(), "spend-model"),
        (args.intervals.is_some(), "intervals"),
    ] {
        if given {
            return Err(Error::Unsupported {
                model: model.to_string(),
                operation: operation.to_string(),
                reason: reason.to_string(),
            });
        }
    }
    Ok(())
}

/// `clv score MODEL --summary F` for an sBG with covariates: the CSV of
/// each contract customer's `alpha`, `beta` (α_i, β_i), `survival`
/// (S(t+h)/S(t): a customer active after their t = --periods-col periods
/// stays h = --horizon more; 0 for one who churned) and, with
/// --discount-rate d per period, `dert` (FH 2010 eq. 6 after t renewals,
/// [`RetentionCovariateModel::dert`]; 0 for one who churned). The
/// covariates come from --covariates (default the --summary file), joined
/// on the id; their names default to the model's. Without the
/// --churned-col column every customer is taken as still active.
///
/// # Errors
/// [`Error::Unsupported`] for --spend-model and --intervals;
/// [`Error::InvalidValue`] for --transactions, purchase or spend
/// covariates, other dropout covariates than the model's, a missing
/// --summary; those of [`crate::input::SummaryColumnArgs::read_contractual`],
/// [`CovariateFileArgs::read_retention`] and the core's predictions.
fn score_retention(args: &ScoreArgs, m: &RetentionCovariateModel) -> Result<Vec<u8>> {
    let name = m.name();
    no_spend_model_or_intervals(
        args,
        name,
        "scores of the sBG with covariates are each customer's parameters, survival and DERT",
    )?;
    let cov = &args.covariates;
    crate::input::retention_covariates_alone(&[
        ("purchase_covariates", &cov.purchase_covariates),
        ("spend_covariates", &cov.spend_covariates),
    ])?;
    let path = crate::input::required(
        args.summary.as_deref(),
        "summary",
        format!(
            "--summary FILE with one row per contract customer (periods, churned): {} \
             is an sBG with covariates",
            args.model.display()
        ),
    )?;
    let names = covariate_names("dropout", &cov.dropout_covariates, m.covariate_names())?;
    let data = args.columns.read_contractual(path, false)?;
    let cov_path = cov.covariates.as_deref().unwrap_or(path);
    let z = cov.read_retention(cov_path, &names, &data.ids)?;
    let own = m.customer_models(&z)?;
    let h = args.horizon;
    let survival = own
        .iter()
        .zip(data.periods.iter().zip(&data.churned))
        .map(|(c, (&t, &churned))| {
            let ahead = c.survival(t + h)?;
            Ok(if churned { 0.0 } else { ahead / c.survival(t)? })
        })
        .collect::<Result<Vec<f64>>>()?;
    let dert = args
        .discount_rate
        .map(|d| {
            let v = m.dert(d, &data.periods, &z)?;
            Ok::<_, Error>(
                v.into_iter()
                    .zip(&data.churned)
                    .map(|(x, &churned)| if churned { 0.0 } else { x })
                    .collect::<Vec<f64>>(),
            )
        })
        .transpose()?;
    let alpha: Vec<f64> = own.iter().map(|c| c.alpha()).collect();
    let beta: Vec<f64> = own.iter().map(|c| c.beta()).collect();
    let mut columns: Vec<(String, &[f64])> = vec![
        ("alpha".into(), &alpha),
        ("beta".into(), &beta),
        ("survival".into(), &survival),
    ];
    if let Some(d) = &dert {
        columns.push(("dert".into(), d));
    }
    csv_table(&data.ids, &columns)
}

/// The CSV of `clv score`: `customer_id` and the named columns, one row per
/// customer, numbers in shortest round-trip form
/// ([`clv::io::write_csv_columns`]).
fn csv_table(ids: &[String], columns: &[(String, &[f64])]) -> Result<Vec<u8>> {
    let named: Vec<(&str, &[f64])> = columns.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    let mut bytes = Vec::with_capacity(ids.len() * (16 + 20 * columns.len()));
    clv::io::write_csv_columns(&mut bytes, ids, &named)?;
    Ok(bytes)
}

/// The CLV of each customer: [`customer_lifetime_value`] of the registry
/// model the covariate model extends, with that customer's own parameters
/// ([`CovariateModel::customer_params`], matched to the registry's by name).
fn covariate_clv(
    m: &CovariateModel,
    [purchase, dropout]: [&Covariates; 2],
    spend: &[f64],
    [x, r, t]: [&[f64]; 3],
    args: &ScoreArgs,
    periods_per_month: f64,
) -> Result<Vec<f64>> {
    let kind = m.kind().model();
    let base = m.kind().base_names();
    let order = kind
        .spec()
        .params
        .iter()
        .map(|p| {
            base.iter()
                .position(|b| b == p)
                .ok_or_else(|| Error::Format {
                    what: "covariate model".to_string(),
                    message: format!("no base parameter {p:?} of {}", kind.spec().name),
                })
        })
        .collect::<Result<Vec<usize>>>()?;
    let params = m.customer_params(purchase, dropout)?;
    params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let values: Vec<f64> = order.iter().map(|&k| p[k]).collect();
            let own = AnyModel::from_values(kind, &values)?;
            let one = i..=i;
            let clv = customer_lifetime_value(
                own.transaction("clv score")?,
                &spend[one.clone()],
                &x[one.clone()],
                &r[one.clone()],
                &t[one],
                args.clv_months,
                args.monthly_discount_rate(),
                periods_per_month,
            )?;
            Ok(clv[0])
        })
        .collect()
}

/// The intervals of `--intervals LEVEL`: (column name, intervals) of
/// P(alive), expected purchases and, with a spend model and amounts, the
/// CLV; the portfolio totals on stderr.
fn intervals(
    args: &ScoreArgs,
    level: f64,
    model: &AnyModel,
    spend_model: Option<&AnyModel>,
    [x, r, t]: [&[f64]; 3],
    monetary: Option<&[f64]>,
) -> Result<Vec<(&'static str, Intervals)>> {
    let q = central_quantiles(level)?;
    let method: Method = args.method.parse()?;
    let options = FitOptions::default();
    let inputs = [x, r, t];
    let data = Data {
        inputs: &inputs,
        weights: None,
    };
    let draws = Draws::new(model, method, args.draws, args.seed, Some(data), &options)?;
    let mut out = vec![
        ("prob_alive", draws.prob_alive(x, r, t, &q)?),
        (
            "expected_purchases",
            draws.expected_purchases(&[args.horizon], x, r, t, &q)?,
        ),
    ];
    if let (Some(gg), Some(m)) = (spend_model, monetary) {
        let spend_inputs = [x, m];
        let spend_data = Data {
            inputs: &spend_inputs,
            weights: None,
        };
        let seed = args.seed.wrapping_add(1);
        let spend = Draws::new(gg, method, args.draws, seed, Some(spend_data), &options)?;
        let ppm = periods_per_month(&resolve_unit(&[
            ("freq", args.freq.as_deref()),
            ("the transaction model", model_unit(model)),
        ])?)?;
        let clv = draws.customer_lifetime_value(
            Spend::Draws(&spend),
            x,
            r,
            t,
            m,
            args.clv_months,
            args.monthly_discount_rate(),
            ppm,
            &q,
        )?;
        out.push(("clv", clv));
    }
    for (name, iv) in &out {
        eprintln!(
            "note: total {name} over {} customers: {} ({}% interval {} to {}; {} {} draws, seed {})",
            x.len(),
            iv.total.mean,
            level * 100.0,
            iv.total.values[0],
            iv.total.values[2],
            args.draws,
            method,
            args.seed,
        );
    }
    Ok(out)
}
