//! `clv portfolio`: whale curve, concentration, value tiers and revenue at
//! risk of a customer base, from a per-customer file (a value column and an
//! optional P(alive) column) or from a transaction log (revenue or a
//! margin per customer).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use clv::io::read_csv_columns;
use clv::portfolio::{
    RiskRanking, TierMethod, ValueTiers, WhaleCurve, customer_totals, risk_ranking, value_tiers,
    whale_curve,
};
use clv::{Error, Result};
use serde_json::json;

use crate::data::{CDNOW_SAMPLE, bundled_columns};
use crate::input::{self, ColumnArgs, parse_numbers};
use crate::render::{csv_field, risk_text, text_table, whale_json, whale_text};

/// Arguments of `clv portfolio`.
#[derive(Debug, Args)]
pub struct PortfolioArgs {
    /// Per-customer CSV with a header (e.g. written by `clv score`); with
    /// `--transactions`, a transaction log (default: the bundled CDNOW sample).
    pub file: Option<PathBuf>,
    /// Column of the per-customer value (revenue, margin, CLV; may be negative).
    #[arg(long, default_value = "value")]
    pub value_col: String,
    /// Customer id column of the per-customer file (row numbers when absent).
    #[arg(long = "id-col", default_value = "customer_id")]
    pub id_col: String,
    /// Column of P(alive): adds revenue at risk = value × (1 − P(alive)).
    #[arg(long)]
    pub p_alive_col: Option<String>,
    /// Read a transaction log instead and use the revenue per customer, or
    /// the margin `--margin-rate × revenue − --cost-per-transaction × transactions`.
    #[arg(long)]
    pub transactions: bool,
    #[command(flatten)]
    pub columns: ColumnArgs,
    /// With --transactions: gross margin rate applied to revenue (1 = revenue).
    #[arg(long, default_value_t = 1.0)]
    pub margin_rate: f64,
    /// With --transactions: cost to serve per transaction, subtracted from the margin.
    #[arg(long, default_value_t = 0.0)]
    pub cost_per_transaction: f64,
    /// Tier cut points, increasing in (0, 1].
    #[arg(long, default_value = "0.8,0.95")]
    pub cuts: String,
    /// How tiers are cut.
    ///
    /// share: by cumulative share of value (ABC: A = top 80 % of value, ...);
    /// quantile: by value quantiles (A = top 80 % of customers for cut 0.8, ...).
    #[arg(long, default_value = "share",
          value_parser = input::core_enum(&TierMethod::ALL, TierMethod::as_str))]
    pub tiers: TierMethod,
    /// How many customers to list (largest value at risk, value destroyers).
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Machine-readable JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also write one row per customer (value, rank, cumulative share, tier,
    /// p_alive, value at risk) as CSV to this file.
    #[arg(long)]
    pub customers_out: Option<PathBuf>,
}

/// A portfolio: ids, values, optional P(alive), and where they came from.
struct Portfolio {
    label: String,
    ids: Vec<String>,
    values: Vec<f64>,
    p_alive: Option<Vec<f64>>,
}

fn load(args: &PortfolioArgs) -> Result<Portfolio> {
    if args.transactions {
        if args.p_alive_col.is_some() {
            return Err(Error::invalid(
                "p_alive_col",
                args.p_alive_col.as_deref().unwrap_or_default(),
                "a per-customer file (a transaction log has no P(alive); score it with `clv score` first)",
            ));
        }
        let (table, name) = match &args.file {
            Some(p) => (
                input::read_file(p, &args.columns)?.0,
                p.display().to_string(),
            ),
            None => (
                input::read_bytes(CDNOW_SAMPLE, &bundled_columns())?,
                "CDNOW sample (bundled)".to_string(),
            ),
        };
        let amounts = crate::input::required(
            table.amounts.as_deref(),
            "amount_col",
            "--amount-col naming the transaction amounts",
        )?;
        let t = customer_totals(
            &table.ids,
            amounts,
            args.margin_rate,
            args.cost_per_transaction,
        )?;
        let what = if args.margin_rate == 1.0 && args.cost_per_transaction == 0.0 {
            "revenue".to_string()
        } else if args.cost_per_transaction == 0.0 {
            format!("margin = {} × revenue", args.margin_rate)
        } else {
            format!(
                "margin = {} × revenue − {} × transactions",
                args.margin_rate, args.cost_per_transaction
            )
        };
        return Ok(Portfolio {
            label: format!("{name}: {what} per customer"),
            ids: t.customer_id,
            values: t.margin,
            p_alive: None,
        });
    }
    let path = crate::input::required(
        args.file.as_ref(),
        "file",
        "a per-customer CSV file (or --transactions for a transaction log)",
    )?;
    let mut wanted = vec![args.value_col.as_str()];
    if let Some(p) = &args.p_alive_col {
        wanted.push(p);
    }
    let cols = read_csv_columns(path, Some(&args.id_col), &wanted)?;
    let values = cols.get(&args.value_col)?.to_vec();
    let p_alive = match &args.p_alive_col {
        Some(p) => Some(cols.get(p)?.to_vec()),
        None => None,
    };
    Ok(Portfolio {
        label: format!("{}: column {:?}", path.display(), args.value_col),
        ids: cols.ids.clone(),
        values,
        p_alive,
    })
}

/// The columns of the value tier table: name and width.
const TIER_COLUMNS: [(&str, usize); 4] =
    [("tier", 6), ("customers", 10), ("value", 14), ("share", 9)];

fn tiers_text(s: &mut String, t: &ValueTiers) {
    let rows = t.tiers.iter().map(|r| {
        [
            r.tier.clone(),
            r.customers.to_string(),
            format!("{:.2}", r.value),
            format!("{:.1}%", 100.0 * r.share.unwrap_or(f64::NAN)),
        ]
    });
    text_table(s, &TIER_COLUMNS, rows);
}

/// Runs `clv portfolio`.
pub fn run(args: &PortfolioArgs) -> Result<()> {
    let p = load(args)?;
    let cuts = parse_numbers("cuts", &args.cuts, "a number in (0, 1]")?;
    let method = args.tiers;
    let w = whale_curve(&p.values)?;
    let tiers = value_tiers(&p.values, &cuts, method)?;
    let risk = match &p.p_alive {
        Some(pa) => Some(risk_ranking(&p.values, pa)?),
        None => None,
    };
    if let Some(path) = &args.customers_out {
        write_customers(path, &p, &w, &tiers, risk.as_ref())?;
    }
    let mut out = crate::output(None)?;
    if args.json {
        let doc = json!({
            "source": p.label,
            "customers": p.values.len(),
            "whale_curve": whale_json(&w),
            "value_destroyers": w.destroyers.iter().take(args.top).map(|&i| json!({
                "customer_id": p.ids[i], "value": p.values[i]
            })).collect::<Vec<_>>(),
            "tiers": {"method": tiers.method, "cuts": tiers.cuts, "tiers": tiers.tiers},
            "revenue_at_risk": risk.as_ref().map(|r| json!({
                "total": r.total,
                "total_value": r.total_value,
                "share": r.share,
                "expected_retained": r.expected_retained,
                "customers_at_risk": r.at_risk.len(),
                "top": r.at_risk.iter().take(args.top).map(|c| json!({
                    "customer_id": p.ids[c.index], "value": c.value,
                    "p_alive": c.p_alive, "value_at_risk": c.value_at_risk
                })).collect::<Vec<_>>(),
            })),
        });
        return crate::write_out(&mut out, &(doc.to_string() + "\n"));
    }
    let mut s = String::new();
    let _ = writeln!(s, "Portfolio of {} customers ({})", p.values.len(), p.label);
    let _ = writeln!(s, "\nWhale curve (customers by value, largest first)");
    whale_text(&mut s, &w);
    if !w.destroyers.is_empty() {
        let _ = writeln!(s, "  largest value destroyers:");
        for &i in w.destroyers.iter().take(args.top) {
            let _ = writeln!(s, "    {:<12}{:>12.2}", csv_field(&p.ids[i]), p.values[i]);
        }
    }
    let _ = writeln!(
        s,
        "\nValue tiers ({}, cuts {})",
        match method {
            TierMethod::CumulativeShare => "cumulative share of value",
            TierMethod::Quantile => "value quantiles",
        },
        args.cuts
    );
    tiers_text(&mut s, &tiers);
    if let Some(r) = &risk {
        let _ = writeln!(s, "\nRevenue at risk = value × (1 − P(alive))");
        risk_text(&mut s, r, &p.ids, "value", args.top);
    }
    crate::write_out(&mut out, &s)
}

fn write_customers(
    path: &PathBuf,
    p: &Portfolio,
    w: &WhaleCurve,
    tiers: &ValueTiers,
    risk: Option<&RiskRanking>,
) -> Result<()> {
    let mut rank = vec![0usize; p.values.len()];
    let mut share = vec![0.0; p.values.len()];
    for (k, &i) in w.order.iter().enumerate() {
        rank[i] = k + 1;
        share[i] = w.cumulative_share[k];
    }
    let mut s = String::from("customer_id,value,rank,cumulative_share,tier");
    if risk.is_some() {
        s.push_str(",p_alive,value_at_risk");
    }
    s.push('\n');
    for i in 0..p.values.len() {
        let _ = write!(
            s,
            "{},{},{},{},{}",
            csv_field(&p.ids[i]),
            p.values[i],
            rank[i],
            share[i],
            tiers.tier[i]
        );
        if let (Some(r), Some(pa)) = (risk, &p.p_alive) {
            let _ = write!(s, ",{},{}", pa[i], r.value_at_risk[i]);
        }
        s.push('\n');
    }
    std::fs::write(path, s).map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}
