//! `clv value`: the deterministic value formulas on exact decimals.

use clap::builder::{StringValueParser, TypedValueParser};
use clap::{Args, Subcommand};
use clv::formulas;
use clv::{Error, Result};
use rust_decimal::Decimal;

/// A comma-separated list of decimals (`10,12.5,14`), or one value.
#[derive(Debug, Clone)]
pub struct DecimalList(pub Vec<Decimal>);

/// Reads a [`DecimalList`] for option `field`: each element with the core's
/// [`formulas::parse_decimal`].
fn decimal_list(field: &str, text: &str) -> Result<DecimalList> {
    text.split(',')
        .map(|p| formulas::parse_decimal(field, p))
        .collect::<Result<Vec<_>>>()
        .map(DecimalList)
}

/// The clap parser of an option read by a core parser that names the field
/// in its errors: `parse(field, text)` with the option's name as the field.
#[derive(Clone, Copy)]
pub struct Named<T>(fn(&str, &str) -> Result<T>);

impl<T: Clone + Send + Sync + 'static> TypedValueParser for Named<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> std::result::Result<T, clap::Error> {
        let field = arg.map_or_else(|| "value".to_string(), |a| a.get_id().to_string());
        let parse = self.0;
        StringValueParser::new()
            .try_map(move |text| parse(&field, &text))
            .parse_ref(cmd, arg, value)
    }
}

/// A decimal option (plain or scientific notation, spaces around ignored).
const DECIMAL: Named<Decimal> = Named(formulas::parse_decimal);
/// A decimal option taking one value or a comma-separated list.
const DECIMALS: Named<DecimalList> = Named(decimal_list);

/// Which formula to compute.
#[derive(Debug, Subcommand)]
pub enum ValueCommand {
    /// Waland & Cole client value:
    /// VC = Σ_{t=1..n} (Vol_t·M_t − D_t − R_t)·d^t − A, d = 1/(1+COC).
    WalandCole(WalandColeArgs),
    /// Simple CLV: APV × purchase frequency × lifespan × margin − acquisition − retention.
    Simple(SimpleArgs),
    /// Retention-based CLV: m·r/(1+i−r), or Σ_{t=1..n} m·(r/(1+i))^t with --periods.
    Retention(RetentionArgs),
    /// Contribution margin: revenue − variable costs − cost to serve.
    Margin(MarginArgs),
}

/// Arguments of `clv value waland-cole`. Each series is one value (the same
/// every period) or a comma-separated list of one value per period.
#[derive(Debug, Args)]
pub struct WalandColeArgs {
    /// Volume (units) per period, Vol_t.
    #[arg(long, value_parser = DECIMALS)]
    pub volume: DecimalList,
    /// Margin per unit, M_t.
    #[arg(long, value_parser = DECIMALS)]
    pub margin: DecimalList,
    /// Direct costs per period, D_t.
    #[arg(long, value_parser = DECIMALS, default_value = "0")]
    pub direct_costs: DecimalList,
    /// Retention costs per period, R_t.
    #[arg(long, value_parser = DECIMALS, default_value = "0")]
    pub retention_costs: DecimalList,
    /// Acquisition cost A (paid once, undiscounted).
    #[arg(long, value_parser = DECIMAL, default_value = "0")]
    pub acquisition_cost: Decimal,
    /// Cost of capital per period (0.1 = 10%).
    #[arg(long, value_parser = DECIMAL)]
    pub cost_of_capital: Decimal,
    /// Number of periods n (default: the length of the longest series).
    #[arg(long)]
    pub periods: Option<u32>,
    /// Print the per-period breakdown as JSON too.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `clv value simple`.
#[derive(Debug, Args)]
pub struct SimpleArgs {
    /// Average purchase value.
    #[arg(long, value_parser = DECIMAL)]
    pub average_purchase_value: Decimal,
    /// Purchases per period.
    #[arg(long, value_parser = DECIMAL)]
    pub purchase_frequency: Decimal,
    /// Customer lifespan in periods.
    #[arg(long, value_parser = DECIMAL)]
    pub lifespan: Decimal,
    /// Margin as a fraction of revenue (0.3 = 30%).
    #[arg(long, value_parser = DECIMAL)]
    pub margin_rate: Decimal,
    /// Acquisition cost.
    #[arg(long, value_parser = DECIMAL, default_value = "0")]
    pub acquisition_cost: Decimal,
    /// Total retention cost over the lifespan.
    #[arg(long, value_parser = DECIMAL, default_value = "0")]
    pub retention_cost: Decimal,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `clv value retention`.
#[derive(Debug, Args)]
pub struct RetentionArgs {
    /// Margin per period m.
    #[arg(long, value_parser = DECIMAL)]
    pub margin: Decimal,
    /// Retention rate per period r, in [0, 1).
    #[arg(long, value_parser = DECIMAL)]
    pub retention: Decimal,
    /// Discount rate per period i.
    #[arg(long, value_parser = DECIMAL)]
    pub discount_rate: Decimal,
    /// Finite horizon in periods (default: infinite).
    #[arg(long)]
    pub periods: Option<u32>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `clv value margin`.
#[derive(Debug, Args)]
pub struct MarginArgs {
    /// Revenue.
    #[arg(long, value_parser = DECIMAL)]
    pub revenue: Decimal,
    /// Variable costs.
    #[arg(long, value_parser = DECIMAL, default_value = "0")]
    pub variable_costs: Decimal,
    /// Cost to serve.
    #[arg(long, value_parser = DECIMAL, default_value = "0")]
    pub cost_to_serve: Decimal,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

fn series(field: &str, list: &DecimalList, n: usize) -> Result<Vec<Decimal>> {
    match list.0.len() {
        1 => Ok(vec![list.0[0]; n]),
        len if len == n => Ok(list.0.clone()),
        len => Err(Error::LengthMismatch {
            field: field.to_string(),
            actual: len,
            reference: "periods".to_string(),
            expected: n,
        }),
    }
}

fn print(value: Decimal, json: bool, formula: &str, extra: serde_json::Value) -> Result<()> {
    let text = if json {
        let mut doc = serde_json::json!({ "formula": formula, "value": value.to_string() });
        if let (Some(d), serde_json::Value::Object(e)) = (doc.as_object_mut(), extra) {
            d.extend(e);
        }
        format!("{doc}\n")
    } else {
        format!("{value}\n")
    };
    crate::write_out(&mut crate::output(None)?, &text)
}

/// The most periods of `clv value waland-cole`, which computes and prints
/// one row per period.
const MAX_PERIODS: u32 = 100_000;

/// Runs `clv value ...`.
pub fn run(cmd: &ValueCommand) -> Result<()> {
    match cmd {
        ValueCommand::WalandCole(a) => {
            let longest = [&a.volume, &a.margin, &a.direct_costs, &a.retention_costs]
                .iter()
                .map(|l| l.0.len())
                .max()
                .unwrap_or(1);
            let n = match a.periods {
                Some(p) if !(1..=MAX_PERIODS).contains(&p) => {
                    return Err(Error::invalid(
                        "periods",
                        p,
                        "an integer in [1, 100000] (one row per period)",
                    ));
                }
                Some(p) => p as usize,
                None => longest,
            };
            let input = formulas::WalandColeInput {
                volume: series("volume", &a.volume, n)?,
                margin: series("margin", &a.margin, n)?,
                direct_costs: series("direct_costs", &a.direct_costs, n)?,
                retention_costs: series("retention_costs", &a.retention_costs, n)?,
                acquisition_cost: a.acquisition_cost,
                cost_of_capital: a.cost_of_capital,
            };
            let breakdown = formulas::waland_cole_breakdown(&input)?;
            let value = breakdown.value;
            let extra = serde_json::json!({
                "periods": n,
                "discounted_contributions": breakdown.periods.iter().map(|p| p.discounted.to_string()).collect::<Vec<_>>(),
            });
            print(value, a.json, "waland_cole", extra)?;
        }
        ValueCommand::Simple(a) => {
            let value = formulas::simple_clv(
                a.average_purchase_value,
                a.purchase_frequency,
                a.lifespan,
                a.margin_rate,
                a.acquisition_cost,
                a.retention_cost,
            )?;
            print(value, a.json, "simple_clv", serde_json::json!({}))?;
        }
        ValueCommand::Retention(a) => {
            let value = match a.periods {
                None => formulas::retention_clv(a.margin, a.retention, a.discount_rate)?,
                Some(n) => {
                    formulas::retention_clv_finite(a.margin, a.retention, a.discount_rate, n)?
                }
            };
            print(
                value,
                a.json,
                "retention_clv",
                serde_json::json!({ "periods": a.periods }),
            )?;
        }
        ValueCommand::Margin(a) => {
            let value =
                formulas::contribution_margin(a.revenue, a.variable_costs, a.cost_to_serve)?;
            print(value, a.json, "contribution_margin", serde_json::json!({}))?;
        }
    }
    Ok(())
}
