//! `clv fit`: maximum-likelihood fit of a model to a summary file (or, for
//! sBG, to survivor counts or, with covariates, to one row per contract
//! customer; for a Pareto/NBD with time-varying covariates, to a
//! transaction file), printed as text or JSON and optionally saved for
//! `clv score`.

use std::path::PathBuf;

use clap::Args;
use clv::covariates::retention::{RetentionCovariateModel, RetentionCovariateOptions};
use clv::covariates::spend::{SpendCovariateModel, SpendCovariateOptions};
use clv::covariates::{CovariateFitInfo, CovariateModel, CovariateModelKind, CovariateOptions};
use clv::fit::{FitInfo, FitOptions};
use clv::models::{AnyModel, Family, ModelInfo, ModelKind};
use clv::time::TimeUnit;
use clv::{Error, Result};
use serde_json::{Map, Value, json};

use crate::input::{CovariateFileArgs, DynamicArgs, ModelData};
use crate::render::{left_out_json, left_out_text, text_table};

/// Arguments of `clv fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    #[command(flatten)]
    pub data: ModelData,
    /// L2 penalty: on the parameters in the data's unit (the form of
    /// lifetimes' penalizer_coef, without its rescaling of time); with
    /// --covariates on the covariate effects only, `P,D` for the purchase
    /// and dropout effects (CLVTools' reg.lambdas) or one number for both
    /// (one number on the spend effects of Gamma-Gamma and on the effects
    /// of the sBG with per-customer data).
    #[arg(long, default_value = "0")]
    pub penalty: String,
    #[command(flatten)]
    pub covariates: CovariateArgs,
    /// Pareto/NBD with time-varying covariates: the transactions and the
    /// covariates per customer and period (instead of --summary).
    #[command(flatten)]
    pub dynamic: DynamicArgs,
    /// Time unit of the summary (W, D, H, M or `<n>d`; what `clv summary
    /// --freq` used): saved with the model, so that `clv score` takes the
    /// CLV's months from it and refuses another unit. With --transactions,
    /// the unit the transactions are summarised in (default D).
    #[arg(long)]
    pub freq: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Save the fitted model as JSON (for `clv score`).
    #[arg(long)]
    pub save: Option<PathBuf>,
}

/// The static covariates of `clv fit` (Pareto/NBD, BG/NBD, MBG/NBD and GGom/NBD; module
/// [`clv::covariates`]): the file and the two sets, and the constraints.
#[derive(Debug, Args, Default)]
pub struct CovariateArgs {
    #[command(flatten)]
    pub file: CovariateFileArgs,
    /// Covariates whose purchase and dropout effects are forced equal
    /// (CLVTools' names.cov.constr); each must be in both sets.
    #[arg(long, value_delimiter = ',')]
    pub constrain_equal: Vec<String>,
}

/// A fitted model, whatever its kind.
pub struct Fitted {
    /// The model.
    pub model: AnyModel,
    /// Fit diagnostics.
    pub info: FitInfo,
    /// Customer id of each input row when the fit left customers out (to
    /// name them; read again then), else empty: reading 100,000 ids costs
    /// as much as a quarter of the fit.
    pub ids: Vec<String>,
}

/// The note of a fit without `--freq` whose model is saved for `clv score`.
const FREQ_NOTE: &str = "note: a summary CSV does not say its time unit: give --freq (as `clv \
                         summary --freq`) so that the saved model carries it and `clv score` \
                         can check it";

/// Fits the model the arguments ask for ([`ModelData::with_inputs`]).
pub fn fit(args: &FitArgs) -> Result<Fitted> {
    let penalty = one_penalty(
        &args.penalty,
        "one number (P,D penalties are those of --covariates)",
    )?;
    let options = FitOptions {
        penalty,
        ..unit_options(args.freq.as_deref())?
    };
    let kind = args.data.model.0;
    let model = args
        .data
        .with_unnamed_inputs(|inputs, weights| AnyModel::fit(kind, inputs, weights, &options))?;
    // A fit that leaves customers out names them.
    let ids = if model.fit_info().is_some_and(|i| i.left_out.is_some()) {
        args.data.ids()?
    } else {
        Vec::new()
    };
    let info = model.fit_info().cloned().ok_or_else(|| Error::Format {
        what: "fit".to_string(),
        message: "the fitted model carries no fit information".to_string(),
    })?;
    Ok(Fitted { model, info, ids })
}

/// The JSON document `clv fit --json` prints.
pub fn fit_json(f: &Fitted) -> Value {
    let mut params = Map::new();
    let mut se = Map::new();
    let mut ci = Map::new();
    for (i, (name, value)) in f.model.params().iter().enumerate() {
        params.insert(name.to_string(), json!(value));
        se.insert(name.to_string(), json!(f.info.std_errors.get(i)));
        ci.insert(
            name.to_string(),
            json!(f.info.ci_95.get(i).map(|(lo, hi)| [lo, hi])),
        );
    }
    fit_doc(
        &f.info,
        json!({
            "model": f.model.kind().spec().cli_name(),
            "name": f.model.name(),
            "params": params,
            "std_errors": se,
            "ci_95": ci,
            "left_out": f.info.left_out.as_ref().map(|l| left_out_json(l, &f.ids)),
        }),
    )
}

/// The JSON of `clv fit --json`: the keys every fit report has (`info`'s
/// log-likelihood, convergence, counts, criteria, boundary, unit and
/// warnings) and the fit's `own` keys (model, parameters, their errors).
fn fit_doc(info: &FitInfo, own: Value) -> Value {
    let mut doc = match json!({
        "log_likelihood": info.log_likelihood,
        "converged": info.converged,
        "iterations": info.iterations,
        "gradient_norm": info.gradient_norm,
        "n_observations": info.n_observations,
        "n": info.n_observations,
        "aic": info.aic,
        "bic": info.bic,
        "boundary": info.boundary,
        "unit": info.unit,
        "warnings": info.warnings,
    }) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    if let Value::Object(o) = own {
        doc.extend(o);
    }
    Value::Object(doc)
}

/// The default fit options with the time unit `unit` (`--freq`) to save
/// with the model.
fn unit_options(unit: Option<&str>) -> Result<FitOptions> {
    Ok(FitOptions {
        unit: unit.map(TimeUnit::parse).transpose()?,
        ..FitOptions::default()
    })
}

/// The one number of `--penalty` (`what` it is, said when `P,D` is
/// refused) and the fit options with `--freq`'s unit ([`unit_options`]),
/// as the spend and retention covariate fits take them.
fn penalty_and_fit_options(args: &FitArgs, what: &str) -> Result<(f64, FitOptions)> {
    let penalty = one_penalty(&args.penalty, &format!("one number ({what})"))?;
    Ok((penalty, unit_options(args.freq.as_deref())?))
}

/// The one number of `--penalty` (`expected` says why `P,D` is refused).
fn one_penalty(text: &str, expected: &str) -> Result<f64> {
    match penalties(text)?[..] {
        [p] => Ok(p),
        _ => Err(Error::invalid("penalty", text, expected)),
    }
}

/// The numbers of `--penalty`: one, or `P,D`.
fn penalties(text: &str) -> Result<Vec<f64>> {
    let v = crate::input::parse_numbers("penalty", text, "a number >= 0, or P,D")?;
    if v.is_empty() || v.len() > 2 {
        return Err(Error::invalid("penalty", text, "a number >= 0, or P,D"));
    }
    Ok(v)
}

/// The options of a covariate fit: `--penalty` (one number or `P,D`),
/// `--constrain-equal` and the time unit `unit` to save with the model.
fn covariate_options(args: &FitArgs, unit: Option<&str>) -> Result<CovariateOptions> {
    let (penalty_purchase, penalty_dropout) = match penalties(&args.penalty)?[..] {
        [p] => (p, p),
        [p, d] => (p, d),
        _ => unreachable!("penalties gives one or two numbers"),
    };
    Ok(CovariateOptions {
        penalty_purchase,
        penalty_dropout,
        constrain_equal: args.covariates.constrain_equal.clone(),
        fit: unit_options(unit)?,
    })
}

/// `clv fit --covariates`: the fit with static covariates of the summary's
/// customers, their covariates joined on the id
/// ([`CovariateFileArgs::read_sets`]).
pub fn fit_covariates(args: &FitArgs, path: &std::path::Path) -> Result<CovariateModel> {
    let kind = CovariateModelKind::from_model(args.data.model.0)?;
    let c = &args.covariates;
    let options = covariate_options(args, args.freq.as_deref())?;
    args.data.with_inputs(|inputs, weights, ids| {
        let (purchase, dropout) = c.file.read_sets(
            path,
            &c.file.purchase_covariates,
            &c.file.dropout_covariates,
            ids,
        )?;
        let [x, tx, t] = inputs else {
            unreachable!("a transaction model takes frequency, recency and T")
        };
        clv::covariates::fit(kind, x, tx, t, &purchase, &dropout, weights, &options)
    })
}

/// `clv fit gamma-gamma --covariates F --spend-covariates ...`: the
/// Gamma-Gamma model with spend covariates ([`clv::covariates::spend`]) of
/// the summary's repeat customers, their covariates joined on the id; with
/// the summary's customer ids (to name those left out).
///
/// # Errors
/// [`Error::Unsupported`] for any model but Gamma-Gamma (before any file is
/// read); [`Error::InvalidValue`] for purchase or dropout covariates, a
/// constraint, or a `P,D` penalty beside spend covariates; those of
/// [`CovariateFileArgs::read_spend`] and of [`clv::covariates::spend::fit`].
pub fn fit_spend(
    args: &FitArgs,
    path: &std::path::Path,
) -> Result<(SpendCovariateModel, Vec<String>)> {
    clv::covariates::spend::check_model(args.data.model.0)?;
    let c = &args.covariates;
    if !c.file.purchase_covariates.is_empty() || !c.file.dropout_covariates.is_empty() {
        return Err(Error::invalid(
            "spend_covariates",
            c.file.spend_covariates.join(","),
            "spend covariates alone (purchase and dropout covariates are the transaction \
             models')",
        ));
    }
    if !c.constrain_equal.is_empty() {
        return Err(Error::invalid(
            "constrain_equal",
            c.constrain_equal.join(","),
            "no constraint (it ties purchase and dropout effects)",
        ));
    }
    let (penalty, fit) = penalty_and_fit_options(args, "the penalty on the spend effects")?;
    let options = SpendCovariateOptions { penalty, fit };
    args.data.with_inputs(|inputs, weights, ids| {
        let z = c.file.read_spend(path, &c.file.spend_covariates, ids)?;
        let [x, m] = inputs else {
            unreachable!("Gamma-Gamma takes frequency and monetary_value")
        };
        Ok((
            clv::covariates::spend::fit(x, m, &z, weights, &options)?,
            ids.to_vec(),
        ))
    })
}

/// `clv fit sbg --summary F [--covariates COV] --dropout-covariates ...`
/// (alias `--retention-covariates`): the sBG with static covariates
/// ([`clv::covariates::retention`]) of one row per contract customer
/// (--periods-col, --churned-col, --weights-col), their covariates joined on
/// the id from --covariates (default: the same file); without covariates,
/// the plain sBG on individual data.
///
/// # Errors
/// [`Error::InvalidValue`] for --survivors beside --summary, purchase or
/// spend covariates, a constraint, a `P,D` penalty or covariates named
/// without a file; those of [`crate::input::SummaryColumnArgs::read_contractual`],
/// [`CovariateFileArgs::read_retention`] and
/// [`clv::covariates::retention::fit`].
pub fn fit_retention(args: &FitArgs, path: &std::path::Path) -> Result<RetentionCovariateModel> {
    let c = &args.covariates;
    if let Some(s) = &args.data.survivors {
        return Err(Error::invalid(
            "survivors",
            s,
            "no --survivors with --summary (one row per customer: the survivor counts are \
             the plain sBG's data)",
        ));
    }
    crate::input::retention_covariates_alone(&[
        ("purchase_covariates", &c.file.purchase_covariates),
        ("spend_covariates", &c.file.spend_covariates),
        ("constrain_equal", &c.constrain_equal),
    ])?;
    let (penalty, fit) = penalty_and_fit_options(args, "the penalty on the retention effects")?;
    let options = RetentionCovariateOptions { penalty, fit };
    let data = args.data.columns.read_contractual(path, true)?;
    let cov_path = c.file.covariates.as_deref().unwrap_or(path);
    let z = c
        .file
        .read_retention(cov_path, &c.file.dropout_covariates, &data.ids)?;
    clv::covariates::retention::fit(
        &data.periods,
        &data.churned,
        &z,
        data.weights.as_deref(),
        &options,
    )
}

/// The JSON of `clv fit sbg --summary ... --json`: the keys of every fit
/// report, `params` (alpha, beta: α₀, β₀), `"covariates": {"alpha": {NAME:
/// γ_α}, "beta": {NAME: γ_β}}`, the standard errors (`alpha_NAME`,
/// `beta_NAME` for the effects) and the 95% intervals.
pub fn retention_json(model: &RetentionCovariateModel) -> Result<Value> {
    covariate_doc(
        model.fit_info(),
        json!({
            "model": ModelKind::Sbg.spec().cli_name(),
            "name": model.name(),
            "params": model.params(),
            "covariates": {
                "alpha": model.alpha_effects(),
                "beta": model.beta_effects(),
            },
            "std_errors": model.std_errors(),
        }),
    )
}

/// The JSON of a covariate fit: [`fit_doc`] of its report (an error for a
/// model without one) with the model's `own` keys, the penalised
/// log-likelihood and the 95% intervals by parameter name (`ci_95`).
fn covariate_doc(fit: Option<&CovariateFitInfo>, mut own: Value) -> Result<Value> {
    let fi = fit.ok_or_else(|| Error::Format {
        what: "fit".to_string(),
        message: "the fitted model carries no fit information".to_string(),
    })?;
    let ci: Map<String, Value> = fi
        .param_names
        .iter()
        .zip(&fi.info.ci_95)
        .map(|(n, (lo, hi))| (n.clone(), json!([lo, hi])))
        .collect();
    own["penalized_log_likelihood"] = json!(fi.penalized_log_likelihood);
    own["ci_95"] = Value::Object(ci);
    Ok(fit_doc(&fi.info, own))
}

/// The JSON of `clv fit gamma-gamma --covariates ... --json`: the keys of
/// every fit report, `params` (p, q, v₀), `"covariates": {"spend": {NAME:
/// effect}}`, the standard errors (`spend_NAME` for the effects), the 95%
/// intervals and the customers left out (repeat customers with mean spend 0).
pub fn spend_json(model: &SpendCovariateModel, ids: &[String]) -> Result<Value> {
    let left_out = model.fit_info().and_then(|f| f.info.left_out.as_ref());
    covariate_doc(
        model.fit_info(),
        json!({
            "model": ModelKind::GammaGamma.spec().cli_name(),
            "name": model.name(),
            "params": model.params(),
            "covariates": { "spend": model.effects() },
            "std_errors": model.std_errors(),
            "left_out": left_out.map(|l| left_out_json(l, ids)),
        }),
    )
}

/// The unit of `clv fit --transactions` without `--freq` (as `clv summary`'s).
const DEFAULT_FREQ: &str = "D";

/// `clv fit pareto-nbd --transactions ... --dynamic-covariates ...`: the
/// Pareto/NBD with time-varying covariates ([`clv::covariates::dynamic`])
/// of the transactions' customers, summarised in the unit --freq (saved
/// with the model) over the window of --observation-end and
/// --calibration-end.
///
/// # Errors
/// [`Error::Unsupported`] (operation `time-varying covariates`) for any
/// other model; [`Error::InvalidValue`] for --summary or --covariates
/// beside --transactions (fields `summary`, `covariates`) and for a missing
/// --transactions or --dynamic-covariates; those of
/// [`DynamicArgs::read`] and of [`clv::covariates::dynamic::fit`].
pub fn fit_dynamic(args: &FitArgs) -> Result<CovariateModel> {
    let kind = args.data.model.0;
    if kind != ModelKind::ParetoNbd {
        // the core's refusal, before any file is read
        return Err(clv::covariates::dynamic::unsupported_model(
            kind.spec().name,
        ));
    }
    if let Some(p) = &args.data.summary {
        return Err(Error::invalid(
            "summary",
            p.display(),
            "no --summary with --transactions (a fit with time-varying covariates reads the \
             transactions themselves)",
        ));
    }
    if let Some(p) = &args.covariates.file.covariates {
        return Err(Error::invalid(
            "covariates",
            p.display(),
            "no static --covariates with --dynamic-covariates (give the static ones as \
             columns of the time-varying file, constant over time)",
        ));
    }
    let freq = args.freq.as_deref().unwrap_or(DEFAULT_FREQ);
    let options = covariate_options(args, Some(freq))?;
    let file = &args.covariates.file;
    let data = args.dynamic.read(
        freq,
        &file.covariate_id_col,
        &file.purchase_covariates,
        &file.dropout_covariates,
    )?;
    clv::covariates::dynamic::fit(&data, None, &options)
}

/// The JSON of `clv fit --transactions ... --dynamic-covariates ... --json`:
/// that of [`covariates_json`], named as a model with time-varying
/// covariates and marked `"time_varying": true`.
pub fn dynamic_json(model: &CovariateModel) -> Result<Value> {
    let mut doc = covariates_json(model)?;
    doc["name"] = json!(DYNAMIC_NAME);
    doc["time_varying"] = json!(true);
    Ok(doc)
}

/// The name of a fit with time-varying covariates (the core's
/// [`CovariateModelKind::name`] says "static").
const DYNAMIC_NAME: &str = "Pareto/NBD with time-varying covariates";

/// The JSON of `clv fit --covariates --json`: that of [`fit_json`] (its
/// keys for the base parameters) plus `"covariates": {"purchase": {NAME:
/// effect}, "dropout": {...}, "constrained": [...]}` and the effects'
/// standard errors under `purchase_NAME` / `dropout_NAME`.
pub fn covariates_json(model: &CovariateModel) -> Result<Value> {
    let params: Map<String, Value> = model
        .params()
        .into_iter()
        .map(|(n, v)| (n, json!(v)))
        .collect();
    covariate_doc(
        model.fit_info(),
        json!({
            "model": model.kind().model().spec().cli_name(),
            "name": model.kind().name(),
            "params": params,
            "covariates": {
                "purchase": model.purchase_effects(),
                "dropout": model.dropout_effects(),
                "constrained": model.constrained(),
            },
            "std_errors": model.std_errors(),
        }),
    )
}

/// Writes `json` (a model's JSON) to `path`, for `clv score`.
fn save(path: &std::path::Path, json: &str) -> Result<()> {
    std::fs::write(path, json).map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// The columns of `clv fit`'s table of parameters (name and width), the
/// parameter names `first` characters wide.
fn param_columns(first: usize) -> [(&'static str, usize); 5] {
    [
        ("param", first),
        ("estimate", 12),
        ("std_error", 12),
        ("lower_95", 12),
        ("upper_95", 12),
    ]
}

/// A row of `clv fit`'s table of parameters: the name, then the estimate,
/// its standard error and the 95% interval's bounds to 4 decimals.
fn param_row(name: &str, numbers: [f64; 4]) -> [String; 5] {
    let [value, se, lo, hi] = numbers.map(|v| format!("{v:.4}"));
    [name.to_string(), value, se, lo, hi]
}

/// The first line of `clv fit`'s table.
fn heading(name: &str, n: f64, log_likelihood: f64, iterations: &dyn std::fmt::Display) -> String {
    format!(
        "{name} fitted on {n} observations (log-likelihood {log_likelihood:.4}, {iterations} iterations)\n"
    )
}

/// The table `clv fit --covariates` prints: the base parameters, then
/// each effect as `purchase_NAME` / `dropout_NAME`, from [`fit_covariates`]'
/// JSON.
fn covariates_text(doc: &Value) -> String {
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let mut s = heading(
        doc["name"].as_str().unwrap_or_default(),
        num(&doc["n_observations"]),
        num(&doc["log_likelihood"]),
        &doc["iterations"],
    );
    let effects = ["purchase", "dropout", "spend", "alpha", "beta"]
        .into_iter()
        .flat_map(|side| {
            let set = doc["covariates"][side]
                .as_object()
                .cloned()
                .unwrap_or_default();
            set.into_iter()
                .map(move |(n, v)| (format!("{side}_{n}"), v, format!("constrained_{n}")))
        });
    let base = doc["params"].as_object().cloned().unwrap_or_default();
    let base = base.into_iter().map(|(n, v)| (n.clone(), v, n));
    let rows = base.chain(effects).map(|(label, value, ci_key)| {
        let ci = &doc["ci_95"];
        let ci = if ci[&label].is_null() {
            &ci[&ci_key]
        } else {
            &ci[&label]
        };
        let numbers = [
            num(&value),
            num(&doc["std_errors"][&label]),
            num(&ci[0]),
            num(&ci[1]),
        ];
        param_row(&label, numbers)
    });
    text_table(&mut s, &param_columns(20), rows);
    if let Some(note) = doc["boundary"].as_str() {
        s.push_str(&format!("  boundary optimum: {note}\n"));
    }
    s
}

/// Saves (--save, the model's JSON `json`) and prints a covariate model
/// whose report is `doc`.
fn finish_covariates(args: &FitArgs, json: &str, doc: &Value) -> Result<()> {
    if let Some(save_to) = &args.save {
        save(save_to, json)?;
    }
    let mut out = crate::output(None)?;
    let text = if args.json {
        doc.to_string() + "\n"
    } else {
        covariates_text(doc)
    };
    crate::write_out(&mut out, &text)
}

/// Runs `clv fit`.
pub fn run(args: &FitArgs) -> Result<()> {
    if args.dynamic.given() {
        let model = fit_dynamic(args)?;
        return finish_covariates(args, &model.to_json()?, &dynamic_json(&model)?);
    }
    if args.data.model.0 == ModelKind::Sbg
        && (args.data.summary.is_some() || args.covariates.file.given())
    {
        let path = crate::input::required(
            args.data.summary.as_deref(),
            "summary",
            "--summary FILE (alias --customers) with one row per customer (periods, \
             churned) for the sBG with covariates",
        )?;
        let model = fit_retention(args, path)?;
        return finish_covariates(args, &model.to_json()?, &retention_json(&model)?);
    }
    if let Some(path) = &args.covariates.file.covariates {
        if !args.covariates.file.spend_covariates.is_empty() {
            let (model, ids) = fit_spend(args, path)?;
            let doc = spend_json(&model, &ids)?;
            if let Some(left) = &model.fit_info().and_then(|f| f.info.left_out.clone()) {
                eprintln!("warning: {}", left_out_text(model.name(), left, &ids));
            }
            return finish_covariates(args, &model.to_json()?, &doc);
        }
        let model = fit_covariates(args, path)?;
        if args.save.is_some() && args.freq.is_none() {
            eprintln!("{FREQ_NOTE}");
        }
        return finish_covariates(args, &model.to_json()?, &covariates_json(&model)?);
    }
    let f = fit(args)?;
    if args.freq.is_none() && f.model.kind().spec().family == Family::Transaction {
        eprintln!("{FREQ_NOTE}");
    }
    if let Some(left) = &f.info.left_out {
        eprintln!("warning: {}", left_out_text(f.model.name(), left, &f.ids));
    }
    for w in &f.info.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(path) = &args.save {
        save(path, &f.model.to_json())?;
    }
    let mut out = crate::output(None)?;
    let text = if args.json {
        fit_json(&f).to_string() + "\n"
    } else {
        let (info, name) = (&f.info, f.model.name());
        let mut s = heading(
            name,
            info.n_observations,
            info.log_likelihood,
            &info.iterations,
        );
        s.push_str(&format!(
            "  n = {}, k = {}, AIC = 2k - 2LL = {:.4}, BIC = k ln n - 2LL = {:.4}\n",
            f.info.n_observations,
            f.info.std_errors.len(),
            f.info.aic,
            f.info.bic
        ));
        let rows = f
            .model
            .params()
            .into_iter()
            .enumerate()
            .map(|(i, (name, value))| {
                let se = f.info.std_errors.get(i).copied().unwrap_or(f64::NAN);
                let (lo, hi) = f.info.ci_95.get(i).copied().unwrap_or((f64::NAN, f64::NAN));
                param_row(name, [value, se, lo, hi])
            });
        text_table(&mut s, &param_columns(8), rows);
        if let Some(note) = &f.info.boundary {
            s.push_str(&format!("  boundary optimum: {note}\n"));
        }
        s
    };
    crate::write_out(&mut out, &text)
}
