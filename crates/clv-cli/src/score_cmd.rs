//! `clv score`: per-customer P(alive), expected purchases and (with a spend
//! model) CLV from a saved model and a summary file; with `--intervals`,
//! each with its interval from parameter draws (`clv::uncertainty`).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use clv::fit::FitOptions;
use clv::models::{AnyModel, ModelInfo, ModelKind, SpendModel};
use clv::uncertainty::{Data, Draws, Intervals, Method, Spend, central_quantiles};
use clv::value::{customer_lifetime_value, model_unit, periods_per_month, resolve_unit};
use clv::{Error, Result};

use crate::input::SummaryColumnArgs;
use crate::render::csv_field;

/// Arguments of `clv score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// A transaction model saved by `clv fit ... --save` (BG/NBD, MBG/NBD, Pareto/NBD, BG/BB).
    pub model: PathBuf,
    /// Per-customer summary CSV.
    #[arg(long)]
    pub summary: PathBuf,
    #[command(flatten)]
    pub columns: SummaryColumnArgs,
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
    /// Monthly discount rate of the CLV.
    #[arg(long, default_value_t = 0.01)]
    pub discount_rate: f64,
    /// Time unit of the summary (W, D, H, M or <n>d), for the CLV's months.
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

fn read(path: &PathBuf) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Runs `clv score`.
pub fn run(args: &ScoreArgs) -> Result<()> {
    let any = AnyModel::from_json(&read(&args.model)?)?;
    let model = any.transaction("clv score")?;
    let spend_model = match &args.spend_model {
        Some(p) => Some(AnyModel::from_json_as(ModelKind::GammaGamma, &read(p)?)?),
        None => None,
    };
    let c = &args.columns;
    let cols = c.read(&args.summary)?;
    // The registry names the arrays (BG/BB's third is n_periods).
    let names = any.kind().spec().inputs;
    let x = cols.get(c.column_of(names[0]))?;
    let r = cols.get(c.column_of(names[1]))?;
    let t = cols.get(c.column_of(names[2]))?;
    let alive = model.prob_alive(x, r, t)?;
    let expected = model.expected_purchases(args.horizon, x, r, t)?;
    // Money values need amounts: without a spend model, or without the
    // monetary column in the summary, P(alive) and expected purchases alone.
    let monetary = cols.opt(&c.monetary_col);
    let spend_model = match (spend_model, monetary) {
        (Some(_), None) => {
            eprintln!(
                "note: the summary has no {:?} column: money values (expected_spend, clv) need \
                 amounts; scoring P(alive) and expected purchases only",
                c.monetary_col
            );
            None
        }
        (None, _) => {
            eprintln!(
                "note: money values (expected_spend, clv) need amounts and a spend model \
                 (--spend-model); scoring P(alive) and expected purchases only"
            );
            None
        }
        (gg, Some(_)) => gg,
    };
    let value = match (&spend_model, monetary) {
        (Some(gg), Some(monetary)) => {
            let spend = gg.expected_spend(x, monetary)?;
            let clv = customer_lifetime_value(
                model,
                &spend,
                x,
                r,
                t,
                args.clv_months,
                args.discount_rate,
                periods_per_month(&resolve_unit(&[
                    ("freq", args.freq.as_deref()),
                    ("the transaction model", model_unit(&any)),
                ])?)?,
            )?;
            Some((spend, clv))
        }
        _ => None,
    };
    let intervals = match args.intervals {
        Some(level) => Some(intervals(
            args,
            level,
            &any,
            spend_model.as_ref(),
            [x, r, t],
            monetary,
        )?),
        None => None,
    };
    let mut s = String::with_capacity(cols.len() * 48);
    s.push_str("customer_id,prob_alive,expected_purchases");
    if value.is_some() {
        s.push_str(",expected_spend,clv");
    }
    if let Some(iv) = &intervals {
        for (name, _) in iv {
            let _ = write!(s, ",{name}_lower,{name}_upper");
        }
    }
    s.push('\n');
    for i in 0..cols.len() {
        // Writing into a String cannot fail.
        let _ = write!(
            s,
            "{},{},{}",
            csv_field(&cols.ids[i]),
            alive[i],
            expected[i]
        );
        if let Some((spend, clv)) = &value {
            let _ = write!(s, ",{},{}", spend[i], clv[i]);
        }
        if let Some(iv) = &intervals {
            for (_, v) in iv {
                let _ = write!(s, ",{},{}", v.values[0][i], v.values[2][i]);
            }
        }
        s.push('\n');
    }
    let mut out = crate::output(args.output.as_deref())?;
    crate::write_out(&mut out, &s)
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
            args.discount_rate,
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
