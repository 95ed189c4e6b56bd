//! `clv fit`: maximum-likelihood fit of a model to a summary file (or, for
//! sBG, to survivor counts), printed as text or JSON and optionally saved
//! for `clv score`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use clv::fit::{FitInfo, FitOptions};
use clv::models::{
    BetaGeo, BetaGeoBetaBinom, GammaGamma, ModifiedBetaGeo, ParetoNbd, ShiftedBetaGeo,
    TransactionModel,
};
use clv::{Error, Result};
use serde_json::{Map, Value, json};

use crate::input::SummaryColumnArgs;

/// Which model to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// BG/NBD (Fader, Hardie & Lee 2005): r, alpha, a, b.
    BgNbd,
    /// Pareto/NBD (Schmittlein, Morrison & Colombo 1987): r, alpha, s, beta.
    ParetoNbd,
    /// MBG/NBD (Batislam et al. 2007): r, alpha, a, b.
    MbgNbd,
    /// BG/BB, discrete time (Fader, Hardie & Shang 2010): alpha, beta, gamma, delta.
    BgBb,
    /// Gamma-Gamma spend model (Fader & Hardie 2013): p, q, v.
    GammaGamma,
    /// Shifted-beta-geometric contractual retention (Fader & Hardie 2007): alpha, beta.
    Sbg,
}

/// Arguments of `clv fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
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
    /// L2 penalty on the parameters (as lifetimes' penalizer_coef).
    #[arg(long, default_value_t = 0.0)]
    pub penalty: f64,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Save the fitted model as JSON (for `clv score`).
    #[arg(long)]
    pub save: Option<PathBuf>,
}

/// A fitted model, whatever its kind.
pub struct Fitted {
    /// The model's name, e.g. "BG/NBD".
    pub name: &'static str,
    /// Parameters in order.
    pub params: Vec<(&'static str, f64)>,
    /// Fit diagnostics.
    pub info: FitInfo,
    /// The model's own JSON (for `clv score`).
    pub model_json: String,
}

fn transaction(m: &dyn TransactionModel, model_json: String) -> Result<Fitted> {
    let info = m.fit_info().cloned().ok_or_else(|| Error::Format {
        what: "fit".to_string(),
        message: "the fitted model carries no fit information".to_string(),
    })?;
    Ok(Fitted {
        name: m.name(),
        params: m.params(),
        info,
        model_json,
    })
}

fn parse_survivors(text: &str) -> Result<Vec<f64>> {
    text.split(',')
        .enumerate()
        .map(|(i, p)| {
            p.trim()
                .parse::<f64>()
                .map_err(|_| Error::invalid_at("survivors", i, p.trim(), "a number"))
        })
        .collect()
}

/// Fits the model the arguments ask for.
pub fn fit(args: &FitArgs) -> Result<Fitted> {
    let options = FitOptions {
        penalty: args.penalty,
        ..FitOptions::default()
    };
    if args.model == ModelArg::Sbg {
        let text = args.survivors.as_deref().ok_or_else(|| {
            Error::invalid(
                "survivors",
                "(none)",
                "--survivors N0,N1,... for the sBG model",
            )
        })?;
        let m = ShiftedBetaGeo::fit(&parse_survivors(text)?, &options)?;
        let info = m.fit_info().cloned().ok_or_else(|| Error::Format {
            what: "fit".to_string(),
            message: "the fitted model carries no fit information".to_string(),
        })?;
        return Ok(Fitted {
            name: "sBG",
            params: m.params(),
            info,
            model_json: m.to_json(),
        });
    }
    let path = args.summary.as_ref().ok_or_else(|| {
        Error::invalid(
            "summary",
            "(none)",
            "--summary FILE with the per-customer summary",
        )
    })?;
    let c = &args.columns;
    let cols = c.read_numeric(path)?;
    let weights = c.weights(&cols)?;
    let x = cols.get(&c.frequency_col)?;
    match args.model {
        ModelArg::GammaGamma => {
            let m = GammaGamma::fit(x, cols.get(&c.monetary_col)?, weights, &options)?;
            let info = m.fit_info().cloned().ok_or_else(|| Error::Format {
                what: "fit".to_string(),
                message: "the fitted model carries no fit information".to_string(),
            })?;
            Ok(Fitted {
                name: "Gamma-Gamma",
                params: m.params(),
                info,
                model_json: m.to_json(),
            })
        }
        ModelArg::BgBb => {
            let m = BetaGeoBetaBinom::fit(
                x,
                cols.get(&c.recency_col)?,
                cols.get(&c.periods_col)?,
                weights,
                &options,
            )?;
            transaction(&m, m.to_json())
        }
        ModelArg::BgNbd | ModelArg::MbgNbd | ModelArg::ParetoNbd => {
            let (r, t) = (cols.get(&c.recency_col)?, cols.get(&c.t_col)?);
            match args.model {
                ModelArg::BgNbd => {
                    let m = BetaGeo::fit(x, r, t, weights, &options)?;
                    transaction(&m, m.to_json())
                }
                ModelArg::MbgNbd => {
                    let m = ModifiedBetaGeo::fit(x, r, t, weights, &options)?;
                    transaction(&m, m.to_json())
                }
                _ => {
                    let m = ParetoNbd::fit(x, r, t, weights, &options)?;
                    transaction(&m, m.to_json())
                }
            }
        }
        ModelArg::Sbg => unreachable!("handled above"),
    }
}

/// The JSON document `clv fit --json` prints.
pub fn fit_json(model: ModelArg, f: &Fitted) -> Value {
    let mut params = Map::new();
    let mut se = Map::new();
    let mut ci = Map::new();
    for (i, (name, value)) in f.params.iter().enumerate() {
        params.insert(name.to_string(), json!(value));
        se.insert(name.to_string(), json!(f.info.std_errors.get(i)));
        ci.insert(
            name.to_string(),
            json!(f.info.ci_95.get(i).map(|(lo, hi)| [lo, hi])),
        );
    }
    let key = model
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    json!({
        "model": key,
        "name": f.name,
        "params": params,
        "log_likelihood": f.info.log_likelihood,
        "std_errors": se,
        "ci_95": ci,
        "converged": f.info.converged,
        "iterations": f.info.iterations,
        "gradient_norm": f.info.gradient_norm,
        "n_observations": f.info.n_observations,
    })
}

/// Runs `clv fit`.
pub fn run(args: &FitArgs) -> Result<()> {
    let f = fit(args)?;
    if let Some(path) = &args.save {
        std::fs::write(path, &f.model_json).map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    }
    let mut out = crate::output(None)?;
    let text = if args.json {
        fit_json(args.model, &f).to_string() + "\n"
    } else {
        let mut s = format!(
            "{} fitted on {} observations (log-likelihood {:.4}, {} iterations)\n",
            f.name, f.info.n_observations, f.info.log_likelihood, f.info.iterations
        );
        s.push_str(&format!(
            "  {:<8}{:>12}{:>12}{:>12}{:>12}\n",
            "param", "estimate", "std_error", "lower_95", "upper_95"
        ));
        for (i, (name, value)) in f.params.iter().enumerate() {
            let se = f.info.std_errors.get(i).copied().unwrap_or(f64::NAN);
            let (lo, hi) = f.info.ci_95.get(i).copied().unwrap_or((f64::NAN, f64::NAN));
            s.push_str(&format!(
                "  {name:<8}{value:>12.4}{se:>12.4}{lo:>12.4}{hi:>12.4}\n"
            ));
        }
        s
    };
    crate::write_out(&mut out, &text)
}
