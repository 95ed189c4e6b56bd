//! `clv sample`: Bayesian fit of a model with NUTS ([`clv::bayes`]) on a
//! summary file (or, for sBG, survivor counts); prints the posterior
//! summary as a table or JSON and optionally saves the posterior draws.
//! With `--group-col`, a hierarchical fit ([`clv::bayes::sample_grouped`]):
//! each group of customers its own parameters, partially pooled.

use std::path::PathBuf;

use clap::Args;
use clv::bayes::{
    GroupedDraws, Hyperprior, ParamSummary, Prior, SampleOptions, sample, sample_grouped,
};
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
    /// A column of the summary file with each customer's group (cohort,
    /// country, channel): a hierarchical fit, each group its own
    /// parameters, partially pooled (docs/uncertainty.md).
    #[arg(long, value_name = "NAME")]
    pub group_col: Option<String>,
    /// With --group-col: a hyperprior replacing a parameter's default,
    /// PARAM=MU_MEAN,MU_SD,TAU_SD, e.g. r=0,2,0.5 (repeat for several).
    #[arg(long = "hyperprior", value_name = "PARAM=M,S,SIGMA_TAU")]
    pub hyperpriors: Vec<String>,
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

/// `PARAM=M,S,SIGMA_TAU` options as (parameter, hyperprior).
fn parse_hyperpriors(texts: &[String]) -> Result<Vec<(String, Hyperprior)>> {
    texts
        .iter()
        .map(|t| {
            let bad = || {
                Error::invalid(
                    "hyperprior",
                    format!("{t:?}"),
                    "PARAM=MU_MEAN,MU_SD,TAU_SD, e.g. r=0,2,0.5",
                )
            };
            let (param, rest) = t.split_once('=').ok_or_else(bad)?;
            let args = rest
                .split(',')
                .map(|v| v.trim().parse::<f64>().map_err(|_| bad()))
                .collect::<Result<Vec<f64>>>()?;
            let param = param.trim();
            Ok((param.to_string(), Hyperprior::new(&args, param)?))
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

/// Saves `text` to `path` when asked.
fn save(path: Option<&PathBuf>, text: &str) -> Result<()> {
    if let Some(path) = path {
        std::fs::write(path, text).map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    }
    Ok(())
}

/// Warnings on stderr: divergences, and the first R-hat ≥ 1.01 (`what`).
fn warn(divergences: usize, bad_r_hat: Option<(String, f64)>) {
    if divergences > 0 {
        eprintln!(
            "warning: {divergences} divergent transitions: the posterior may be biased; \
             try more informative priors or a longer tune"
        );
    }
    if let Some((what, r_hat)) = bad_r_hat {
        eprintln!(
            "warning: r_hat of {what} is {r_hat:.3} (>= 1.01): the chains disagree; sample longer"
        );
    }
}

/// `clv sample --group-col NAME`: the hierarchical fit.
fn run_grouped(args: &SampleArgs, col: &str, options: &SampleOptions) -> Result<()> {
    let kind = args.data.model.0;
    let given = parse_hyperpriors(&args.hyperpriors)?;
    // the labels: the group column read as the file's id column
    let labels: Vec<String> = match &args.data.summary {
        Some(path) => clv::io::read_csv_columns(path, Some(col), &[])?
            .ids_of(col)?
            .to_vec(),
        None => Vec::new(),
    };
    let post: GroupedDraws = args.data.with_unnamed_inputs(|inputs, weights| {
        sample_grouped(kind, inputs, weights, &labels, &given, options)
    })?;
    let rows = post.summary()?;
    save(args.output.as_ref(), &post.to_json())?;
    let divergences = post.nuts().divergent.len();
    warn(
        divergences,
        rows.iter()
            .find(|r| r.stats.r_hat >= 1.01 || r.stats.r_hat.is_nan())
            .map(|r| {
                let g = r.group.as_deref().unwrap_or("-");
                (format!("{} {g} {}", r.term, r.stats.param), r.stats.r_hat)
            }),
    );
    let spec = kind.spec();
    let text = if args.json {
        json!({
            "model": spec.cli_name(),
            "name": spec.name,
            "method": "nuts",
            "seed": post.seed(),
            "chains": args.chains,
            "tune": args.tune,
            "draws": args.draws,
            "divergences": divergences,
            "groups": post.labels(),
            "hyperpriors": spec.params.iter().zip(post.hyperpriors())
                .map(|(p, h)| (p.to_string(), json!(h)))
                .collect::<serde_json::Map<String, Value>>(),
            "summary": rows,
        })
        .to_string()
            + "\n"
    } else {
        let mut s = format!(
            "{} hierarchical posterior ({} groups), NUTS: {} chains x {} draws after {} tune (seed {}), {} divergences\n",
            spec.name,
            post.labels().len(),
            args.chains,
            args.draws,
            args.tune,
            args.seed,
            divergences
        );
        s.push_str(&format!(
            "  {:<12}{:<7}{:<8}{:>12}{:>12}{:>12}{:>12}{:>8}{:>10}{:>10}\n",
            "group", "term", "param", "mean", "sd", "q5", "q95", "r_hat", "ess_bulk", "ess_tail"
        ));
        for r in &rows {
            let st = &r.stats;
            s.push_str(&format!(
                "  {:<12}{:<7}{:<8}{:>12.4}{:>12.4}{:>12.4}{:>12.4}{:>8.3}{:>10.0}{:>10.0}\n",
                r.group.as_deref().unwrap_or("-"),
                r.term,
                st.param,
                st.mean,
                st.sd,
                st.q05,
                st.q95,
                st.r_hat,
                st.ess_bulk,
                st.ess_tail
            ));
        }
        s
    };
    let mut out = crate::output(None)?;
    crate::write_out(&mut out, &text)
}

/// Runs `clv sample`.
pub fn run(args: &SampleArgs) -> Result<()> {
    let kind = args.data.model.0;
    let options = SampleOptions {
        chains: args.chains,
        tune: args.tune,
        draws: args.draws,
        seed: args.seed,
        ..SampleOptions::default()
    };
    clv::bayes::check_prior_options(
        args.group_col.is_some(),
        !args.priors.is_empty(),
        !args.hyperpriors.is_empty(),
    )?;
    if let Some(col) = &args.group_col {
        return run_grouped(args, col, &options);
    }
    let given = parse_priors(&args.priors)?;
    let post = args
        .data
        .with_unnamed_inputs(|inputs, weights| sample(kind, inputs, weights, &given, &options))?;
    let rows = post.summary()?;
    save(args.output.as_ref(), &post.to_json())?;
    let divergences = post.nuts().map_or(0, |n| n.divergent.len());
    warn(
        divergences,
        rows.iter()
            .find(|r| r.r_hat >= 1.01 || r.r_hat.is_nan())
            .map(|r| (r.param.to_string(), r.r_hat)),
    );
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
