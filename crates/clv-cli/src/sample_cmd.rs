//! `clv sample`: Bayesian fit of a model with NUTS ([`clv::bayes`]) on a
//! summary file (or, for sBG, survivor counts); prints the posterior
//! summary as a table or JSON and optionally saves the posterior draws.

use std::path::PathBuf;

use clap::Args;
use clv::bayes::{ParamSummary, Prior, SampleOptions, sample};
use clv::uncertainty::Draws;
use clv::{Error, Result};
use serde_json::{Value, json};

use crate::input::ModelData;

/// Arguments of `clv sample`.
#[derive(Debug, Args)]
pub struct SampleArgs {
    #[command(flatten)]
    pub data: ModelData,
    /// Number of chains (run in parallel).
    #[arg(long, default_value_t = 4)]
    pub chains: usize,
    /// Warm-up draws per chain (discarded).
    #[arg(long, default_value_t = 1000)]
    pub tune: u64,
    /// Kept draws per chain.
    #[arg(long, default_value_t = 1000)]
    pub draws: u64,
    /// Seed: the same seed gives the same draws bit for bit.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// A prior replacing a parameter's default, PARAM=FAMILY:ARGS, e.g.
    /// r=gamma:1,1, alpha=lognormal:0,5, b=halfnormal:10, a=weibull:2,1,
    /// s=halfflat (repeat the option for several parameters).
    #[arg(long = "prior", value_name = "PARAM=FAMILY:ARGS")]
    pub priors: Vec<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Save the posterior draws as JSON (chains, priors, divergences).
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// `PARAM=FAMILY:ARGS` options as (parameter, prior).
fn parse_priors(texts: &[String]) -> Result<Vec<(String, Prior)>> {
    texts
        .iter()
        .map(|t| {
            let (param, prior) = t.split_once('=').ok_or_else(|| {
                Error::invalid(
                    "prior",
                    format!("{t:?}"),
                    "PARAM=FAMILY:ARGS, e.g. r=gamma:1,1",
                )
            })?;
            let param = param.trim();
            Ok((param.to_string(), Prior::parse(prior, param)?))
        })
        .collect()
}

/// The JSON document `clv sample --json` prints.
fn summary_json(post: &Draws, rows: &[ParamSummary]) -> Value {
    let nuts = post.nuts();
    let spec = post.kind().spec();
    json!({
        "model": spec.cli_name(),
        "name": spec.name,
        "method": post.method().as_str(),
        "seed": post.seed(),
        "chains": nuts.map(|n| n.chains),
        "tune": nuts.map(|n| n.tune),
        "draws": nuts.map(|n| n.draws),
        "divergences": nuts.map_or(0, |n| n.divergent.len()),
        "priors": nuts.map(|n| spec.params.iter().zip(&n.priors)
            .map(|(p, prior)| (p.to_string(), json!(prior.to_string())))
            .collect::<serde_json::Map<String, Value>>()),
        "summary": rows,
    })
}

/// Runs `clv sample`.
pub fn run(args: &SampleArgs) -> Result<()> {
    let kind = args.data.model.0;
    let given = parse_priors(&args.priors)?;
    let options = SampleOptions {
        chains: args.chains,
        tune: args.tune,
        draws: args.draws,
        seed: args.seed,
        ..SampleOptions::default()
    };
    let post = args
        .data
        .with_inputs(|inputs, weights, _| sample(kind, inputs, weights, &given, &options))?;
    let rows = post.summary()?;
    if let Some(path) = &args.output {
        std::fs::write(path, post.to_json()).map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    }
    let divergences = post.nuts().map_or(0, |n| n.divergent.len());
    if divergences > 0 {
        eprintln!(
            "warning: {divergences} divergent transitions: the posterior may be biased; \
             try more informative priors or a longer tune"
        );
    }
    if let Some(r) = rows.iter().find(|r| r.r_hat >= 1.01 || r.r_hat.is_nan()) {
        eprintln!(
            "warning: r_hat of {} is {:.3} (>= 1.01): the chains disagree; sample longer",
            r.param, r.r_hat
        );
    }
    let text = if args.json {
        summary_json(&post, &rows).to_string() + "\n"
    } else {
        let spec = kind.spec();
        let mut s = format!(
            "{} posterior, NUTS: {} chains x {} draws after {} tune (seed {}), {} divergences\n",
            spec.name, args.chains, args.draws, args.tune, args.seed, divergences
        );
        s.push_str(&format!(
            "  {:<8}{:>12}{:>12}{:>12}{:>12}{:>8}{:>10}{:>10}  prior\n",
            "param", "mean", "sd", "q5", "q95", "r_hat", "ess_bulk", "ess_tail"
        ));
        let priors = post.nuts().map(|n| n.priors.clone()).unwrap_or_default();
        for (i, r) in rows.iter().enumerate() {
            let prior = priors.get(i).map(ToString::to_string).unwrap_or_default();
            s.push_str(&format!(
                "  {:<8}{:>12.4}{:>12.4}{:>12.4}{:>12.4}{:>8.3}{:>10.0}{:>10.0}  {prior}\n",
                r.param, r.mean, r.sd, r.q05, r.q95, r.r_hat, r.ess_bulk, r.ess_tail
            ));
        }
        s
    };
    let mut out = crate::output(None)?;
    crate::write_out(&mut out, &text)
}
