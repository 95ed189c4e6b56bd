//! `clv fit`: maximum-likelihood fit of a model to a summary file (or, for
//! sBG, to survivor counts), printed as text or JSON and optionally saved
//! for `clv score`.

use std::path::PathBuf;

use clap::Args;
use clap::builder::PossibleValue;
use clv::fit::{FitInfo, FitOptions};
use clv::models::{AnyModel, Family, ModelInfo, ModelKind};
use clv::time::TimeUnit;
use clv::{Error, Result};
use serde_json::{Map, Value, json};

use crate::input::{SummaryColumnArgs, parse_numbers};
use crate::render::{left_out_json, left_out_text};

/// A model of the core's registry, as a command-line value (`bg-nbd`, ...):
/// the CLI lists whatever models the core has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelArg(pub ModelKind);

impl clap::ValueEnum for ModelArg {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: std::sync::OnceLock<Vec<ModelArg>> = std::sync::OnceLock::new();
        ALL.get_or_init(|| ModelKind::ALL.iter().map(|&k| ModelArg(k)).collect())
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        // The CLI spellings (`bg-nbd`), made once: clap asks for them on
        // every parse and help.
        static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        let names =
            NAMES.get_or_init(|| ModelKind::ALL.iter().map(|k| k.spec().cli_name()).collect());
        let spec = self.0.spec();
        let i = ModelKind::ALL.iter().position(|&k| k == self.0)?;
        let help = format!(
            "{} ({}): {}",
            spec.name,
            spec.reference,
            spec.params.join(", ")
        );
        Some(
            PossibleValue::new(names[i].as_str())
                .alias(spec.key)
                .help(help),
        )
    }
}

/// The model and its data, as `clv fit` and `clv sample` take them.
#[derive(Debug, Args)]
pub struct ModelData {
    /// The model.
    #[arg(value_enum)]
    pub model: ModelArg,
    /// Per-customer summary CSV (frequency, recency, T / periods, monetary_value).
    #[arg(long)]
    pub summary: Option<PathBuf>,
    #[command(flatten)]
    pub columns: SummaryColumnArgs,
    /// sBG only: customers still active at the start of each period, the
    /// first being the cohort size (e.g. 1000,631,468,382).
    #[arg(long)]
    pub survivors: Option<String>,
}

/// Arguments of `clv fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    #[command(flatten)]
    pub data: ModelData,
    /// L2 penalty on the parameters (as lifetimes' penalizer_coef).
    #[arg(long, default_value_t = 0.0)]
    pub penalty: f64,
    /// Time unit of the summary (W, D, H, M or <n>d; what `clv summary
    /// --freq` used): saved with the model, so that `clv score` takes the
    /// CLV's months from it and refuses another unit.
    #[arg(long)]
    pub freq: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Save the fitted model as JSON (for `clv score`).
    #[arg(long)]
    pub save: Option<PathBuf>,
}

/// A fitted model, whatever its kind.
pub struct Fitted {
    /// The model.
    pub model: AnyModel,
    /// Fit diagnostics.
    pub info: FitInfo,
    /// Customer id of each input row (empty for a retention model).
    pub ids: Vec<String>,
}

impl ModelData {
    /// The data the model takes, read as `clv fit` and `clv sample` read
    /// it: the registry names the arrays the model takes, read from the
    /// summary's columns (`--survivors` for a retention model); `f` gets
    /// them with the optional weights and the customer ids (empty for a
    /// retention model).
    pub fn with_inputs<T>(
        &self,
        f: impl FnOnce(&[&[f64]], Option<&[f64]>, &[String]) -> Result<T>,
    ) -> Result<T> {
        let (kind, columns) = (self.model.0, &self.columns);
        let (summary, survivors) = (self.summary.as_ref(), self.survivors.as_deref());
        let spec = kind.spec();
        if spec.family == Family::Retention {
            let text = survivors.ok_or_else(|| {
                Error::invalid(
                    "survivors",
                    "(none)",
                    format!("--survivors N0,N1,... for the {} model", spec.name),
                )
            })?;
            return f(&[&parse_numbers("survivors", text, "a number")?], None, &[]);
        }
        let path = summary.ok_or_else(|| {
            Error::invalid(
                "summary",
                "(none)",
                "--summary FILE with the per-customer summary",
            )
        })?;
        let cols = columns.read(path)?;
        let weights = columns.weights(&cols)?;
        let inputs = spec
            .inputs
            .iter()
            .map(|name| cols.get(columns.column_of(name)))
            .collect::<Result<Vec<&[f64]>>>()?;
        f(&inputs, weights, &cols.ids)
    }
}

/// Fits the model the arguments ask for ([`ModelData::with_inputs`]).
pub fn fit(args: &FitArgs) -> Result<Fitted> {
    let options = FitOptions {
        penalty: args.penalty,
        unit: args.freq.as_deref().map(TimeUnit::parse).transpose()?,
        ..FitOptions::default()
    };
    let kind = args.data.model.0;
    // With the ids: a fit that leaves customers out names them.
    let (model, ids) = args.data.with_inputs(|inputs, weights, ids| {
        Ok((
            AnyModel::fit(kind, inputs, weights, &options)?,
            ids.to_vec(),
        ))
    })?;
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
    json!({
        "model": f.model.kind().spec().cli_name(),
        "name": f.model.name(),
        "params": params,
        "log_likelihood": f.info.log_likelihood,
        "std_errors": se,
        "ci_95": ci,
        "converged": f.info.converged,
        "iterations": f.info.iterations,
        "gradient_norm": f.info.gradient_norm,
        "n_observations": f.info.n_observations,
        "n": f.info.n_observations,
        "aic": f.info.aic,
        "bic": f.info.bic,
        "boundary": f.info.boundary,
        "left_out": f.info.left_out.as_ref().map(|l| left_out_json(l, &f.ids)),
        "unit": f.info.unit,
        "warnings": f.info.warnings,
    })
}

/// Runs `clv fit`.
pub fn run(args: &FitArgs) -> Result<()> {
    let f = fit(args)?;
    if args.freq.is_none() && f.model.kind().spec().family == Family::Transaction {
        eprintln!(
            "note: a summary CSV does not say its time unit: give --freq (as `clv summary \
             --freq`) so that the saved model carries it and `clv score` can check it"
        );
    }
    if let Some(left) = &f.info.left_out {
        eprintln!("warning: {}", left_out_text(f.model.name(), left, &f.ids));
    }
    for w in &f.info.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(path) = &args.save {
        std::fs::write(path, f.model.to_json()).map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    }
    let mut out = crate::output(None)?;
    let text = if args.json {
        fit_json(&f).to_string() + "\n"
    } else {
        let mut s = format!(
            "{} fitted on {} observations (log-likelihood {:.4}, {} iterations)\n",
            f.model.name(),
            f.info.n_observations,
            f.info.log_likelihood,
            f.info.iterations
        );
        s.push_str(&format!(
            "  n = {}, k = {}, AIC = 2k - 2LL = {:.4}, BIC = k ln n - 2LL = {:.4}\n",
            f.info.n_observations,
            f.info.std_errors.len(),
            f.info.aic,
            f.info.bic
        ));
        s.push_str(&format!(
            "  {:<8}{:>12}{:>12}{:>12}{:>12}\n",
            "param", "estimate", "std_error", "lower_95", "upper_95"
        ));
        for (i, (name, value)) in f.model.params().iter().enumerate() {
            let se = f.info.std_errors.get(i).copied().unwrap_or(f64::NAN);
            let (lo, hi) = f.info.ci_95.get(i).copied().unwrap_or((f64::NAN, f64::NAN));
            s.push_str(&format!(
                "  {name:<8}{value:>12.4}{se:>12.4}{lo:>12.4}{hi:>12.4}\n"
            ));
        }
        if let Some(note) = &f.info.boundary {
            s.push_str(&format!("  boundary optimum: {note}\n"));
        }
        s
    };
    crate::write_out(&mut out, &text)
}
