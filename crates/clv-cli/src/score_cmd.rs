//! `clv score`: per-customer P(alive), expected purchases and (with a spend
//! model) CLV from a saved model and a summary file.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use clv::models::load::{AnyModel, model_from_json};
use clv::models::{GammaGamma, SpendModel};
use clv::value::{customer_lifetime_value, periods_per_month};
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
    /// expected_spend and clv (needs the monetary column).
    #[arg(long)]
    pub spend_model: Option<PathBuf>,
    /// Horizon of expected_purchases, in the summary's time unit.
    #[arg(long, default_value_t = 1.0)]
    pub horizon: f64,
    /// CLV horizon in months.
    #[arg(long, default_value_t = 12)]
    pub clv_months: u32,
    /// Monthly discount rate of the CLV.
    #[arg(long, default_value_t = 0.01)]
    pub discount_rate: f64,
    /// Time unit of the summary (W, D, H, M or <n>d), for the CLV's months.
    #[arg(long, default_value = "W")]
    pub freq: String,
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
    let AnyModel::Transaction(model) = model_from_json(&read(&args.model)?)? else {
        return Err(Error::invalid(
            "model",
            args.model.display(),
            "a transaction model (bg_nbd, mbg_nbd, pareto_nbd or bg_bb)",
        ));
    };
    let spend_model = match &args.spend_model {
        Some(p) => Some(GammaGamma::from_json(&read(p)?)?),
        None => None,
    };
    let c = &args.columns;
    let cols = c.read(&args.summary)?;
    let x = cols.get(&c.frequency_col)?;
    let r = cols.get(&c.recency_col)?;
    // BG/BB's "T" is the number of opportunities.
    let t = if model.name() == "BG/BB" {
        cols.get(&c.periods_col)?
    } else {
        cols.get(&c.t_col)?
    };
    let alive = model.prob_alive(x, r, t)?;
    let expected = model.expected_purchases(args.horizon, x, r, t)?;
    let value = match &spend_model {
        Some(gg) => {
            let spend = gg.expected_spend(x, cols.get(&c.monetary_col)?)?;
            let clv = customer_lifetime_value(
                model.as_ref(),
                &spend,
                x,
                r,
                t,
                args.clv_months,
                args.discount_rate,
                periods_per_month(&args.freq)?,
            )?;
            Some((spend, clv))
        }
        None => None,
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
