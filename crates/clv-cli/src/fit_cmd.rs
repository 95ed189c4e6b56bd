//! `clv fit`: maximum-likelihood fit of a model to a summary file (or, for
//! sBG, to survivor counts), printed as text or JSON and optionally saved
//! for `clv score`.

use std::path::PathBuf;

use clap::Args;
use clv::fit::{FitInfo, FitOptions};
use clv::models::{AnyModel, Family, ModelInfo};
use clv::time::TimeUnit;
use clv::{Error, Result};
use serde_json::{Map, Value, json};

use crate::input::ModelData;
use crate::render::{left_out_json, left_out_text};

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
