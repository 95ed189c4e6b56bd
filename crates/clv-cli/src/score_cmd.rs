//! `clv score`: per-customer P(alive), expected purchases and (with a spend
//! model) CLV from a saved model and a summary file.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use clv::models::{AnyModel, ModelInfo, ModelKind, SpendModel};
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
    let mut s = String::with_capacity(cols.len() * 48);
    s.push_str("customer_id,prob_alive,expected_purchases");
    if value.is_some() {
        s.push_str(",expected_spend,clv");
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
        s.push('\n');
    }
    let mut out = crate::output(args.output.as_deref())?;
    crate::write_out(&mut out, &s)
}
