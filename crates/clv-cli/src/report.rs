//! `clv report`: a readable overview of a customer base.
//!
//! With no file it runs on the CDNOW sample bundled in the binary (2,357
//! customers of an online CD retailer who first bought in Q1 1997, followed to
//! 1998-06-30; Fader, Hardie & Lee 2005), with the papers' set-up: unit 7 days,
//! calibration through 1997-09-30, holdout to 1998-06-30.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use clv::Result;
use clv::fit::{FitInfo, FitOptions};
use clv::models::{BetaGeo, GammaGamma, Model, ModelInfo, SpendModel, TransactionModel};
use clv::summary::{Summary, SummaryOptions};
use clv::time::{TimeUnit, format_timestamp};
use clv::value::{customer_lifetime_value, model_unit, periods_per_month, resolve_unit};
use serde_json::json;

use clv::portfolio::{RiskRanking, WhaleCurve, offer_ceiling, risk_ranking, whale_curve};

use crate::data::{CDNOW_SAMPLE, RfmInput, bundled_columns, score, segment_map};
use crate::input::{self, ColumnArgs, parse_date_arg};
use crate::progress::Progress;
use crate::render::{csv_field, left_out_json, left_out_text, risk_text, whale_json, whale_text};

/// Arguments of `clv report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Transaction file; default: the bundled CDNOW sample.
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub columns: ColumnArgs,
    /// Time unit (default: 7d for the bundled data, W otherwise).
    #[arg(long)]
    pub freq: Option<String>,
    /// End of the observation period (default: 1998-06-30 for the bundled
    /// data, the last transaction otherwise).
    #[arg(long)]
    pub observation_end: Option<String>,
    /// End of the calibration period (default: 1997-09-30 for the bundled
    /// data, none otherwise).
    #[arg(long)]
    pub calibration_end: Option<String>,
    /// Number of RFM bins.
    #[arg(long, default_value_t = 5)]
    pub bins: u8,
    /// How many top customers to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Machine-readable JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `clv report`.
pub fn run(args: &ReportArgs) -> Result<()> {
    let bundled = args.file.is_none();
    let (table, progress, name) = match &args.file {
        Some(path) => {
            let (table, progress) = input::read_file(path, &args.columns)?;
            (table, progress, path.display().to_string())
        }
        None => {
            let columns = bundled_columns();
            (
                input::read_bytes(CDNOW_SAMPLE, &columns)?,
                Progress::hidden(),
                "CDNOW sample (bundled; Fader, Hardie & Lee 2005)".to_string(),
            )
        }
    };
    let default = |bundled_value: &'static str| bundled.then_some(bundled_value);
    let freq = args
        .freq
        .as_deref()
        .unwrap_or(if bundled { "7d" } else { "W" });
    let options = SummaryOptions {
        unit: TimeUnit::parse(freq)?,
        observation_end: parse_date_arg(
            "observation_end",
            args.observation_end.as_deref().or(default("1998-06-30")),
        )?,
        calibration_end: parse_date_arg(
            "calibration_end",
            args.calibration_end.as_deref().or(default("1997-09-30")),
        )?,
        skip_invalid: args.columns.skip_invalid,
    };
    let summary = input::summarize(&table, &options, &progress)?;
    let first = table.timestamps.iter().copied().min().unwrap_or(0);
    let last = table.timestamps.iter().copied().max().unwrap_or(0);

    let rfm_input = RfmInput {
        customer_id: summary.customer_id.clone(),
        frequency: summary.frequency.clone(),
        recency: summary.recency.clone(),
        t: summary.t.clone(),
        monetary_value: summary
            .monetary_value
            .clone()
            .unwrap_or_else(|| vec![0.0; summary.len()]),
    };
    let map = segment_map(None)?;
    let (scores, segments) = score(&rfm_input, args.bins, &map)?;
    let seg_table = clv::rfm::segment_table(&segments, &map);
    let models = fit_models(&summary, &rfm_input)?;
    // Ranked by CLV, or by expected purchases without amounts.
    let top = top_customers(models.clv.as_ref().unwrap_or(&models.expected), args.top);
    let codes = scores.codes();
    let port = models
        .clv
        .as_ref()
        .map(|clv| portfolio(clv, &models.prob_alive))
        .transpose()?;
    let left_out = models
        .gg
        .as_ref()
        .and_then(|g| g.fit_info())
        .and_then(|i| i.left_out.as_ref());
    if let Some(left) = left_out {
        eprintln!(
            "warning: {}",
            left_out_text("Gamma-Gamma", left, &rfm_input.customer_id)
        );
    }
    let clv_at = |i: usize| models.clv.as_ref().map(|c| c[i]);

    let mut out = crate::output(None)?;
    if args.json {
        let doc = json!({
            "dataset": {
                "name": name,
                "transactions": table.timestamps.len(),
                "customers": summary.len(),
                "first_transaction": format_timestamp(first),
                "last_transaction": format_timestamp(last),
                "unit": summary.unit.to_string(),
                "unit_words": summary.unit.words(),
                "calibration_end": summary.calibration_end.map(format_timestamp),
                "observation_end": format_timestamp(summary.observation_end),
                "holdout_only_customers": summary.holdout_only_customers,
                "after_observation_end": summary.after_observation_end,
                "amounts": summary.monetary_value.is_some(),
            },
            "notes": models.clv.is_none().then_some(vec![NO_AMOUNTS]).unwrap_or_default(),
            "summary": summary_stats_json(&summary),
            "models": {
                "bg_nbd": params_json(&models.bg.params(), models.bg.fit_info()),
                "gamma_gamma": models.gg.as_ref().map(|g| {
                    let mut doc = params_json(&g.params(), g.fit_info());
                    doc["left_out"] = left_out
                        .map_or(serde_json::Value::Null, |l| left_out_json(l, &rfm_input.customer_id));
                    doc
                }),
                "expected_purchases": {"months": CLV_MONTHS,
                        "total": models.expected.iter().sum::<f64>()},
                "clv": models.clv.as_ref().map(|clv| json!({
                        "months": CLV_MONTHS, "monthly_discount_rate": CLV_DISCOUNT,
                        "periods_per_month": models.periods_per_month,
                        "total": clv.iter().sum::<f64>()})),
            },
            "whale_curve": port.as_ref().map(|port| json!({
                "value": format!("{CLV_MONTHS}-month CLV"),
                "curve": whale_json(&port.whale),
            })),
            "revenue_at_risk": port.as_ref().map(|port| json!({
                "value": format!("{CLV_MONTHS}-month value if active = CLV / P(alive)"),
                "total": port.risk.total,
                "total_value": port.risk.total_value,
                "share": port.risk.share,
                "expected_retained": port.risk.expected_retained,
                "top": port.risk.at_risk.iter().take(args.top).map(|c| json!({
                    "customer_id": rfm_input.customer_id[c.index],
                    "clv": clv_at(c.index),
                    "prob_alive": c.p_alive,
                    "value_if_active": c.value,
                    "value_at_risk": c.value_at_risk,
                })).collect::<Vec<_>>(),
            })),
            "rfm_segments": seg_table.iter().map(|r| json!({
                "segment": r.segment, "customers": r.customers, "share": r.share
            })).collect::<Vec<_>>(),
            "top_customers": top.iter().map(|&i| json!({
                "customer_id": rfm_input.customer_id[i],
                "frequency": rfm_input.frequency[i],
                "recency": rfm_input.recency[i],
                "T": rfm_input.t[i],
                "monetary_value": rfm_input.monetary_value[i],
                "repeat_spend": rfm_input.frequency[i] * rfm_input.monetary_value[i],
                "prob_alive": models.prob_alive[i],
                "expected_purchases": models.expected[i],
                "clv": clv_at(i),
                "rfm_score": codes[i],
                "segment": segments[i],
            })).collect::<Vec<_>>(),
        });
        return crate::write_out(&mut out, &(doc.to_string() + "\n"));
    }

    let mut s = String::new();
    let _ = writeln!(s, "clv report: {name}");
    let _ = writeln!(
        s,
        "{} transactions, {} customers, {} .. {}",
        table.timestamps.len(),
        summary.len(),
        format_timestamp(first),
        format_timestamp(last)
    );
    let _ = writeln!(
        s,
        "unit {} ({}); calibration end {}; observation end {}",
        summary.unit,
        summary.unit.words(),
        summary
            .calibration_end
            .map_or_else(|| "none".to_string(), format_timestamp),
        format_timestamp(summary.observation_end)
    );
    if summary.after_observation_end > 0 {
        let _ = writeln!(
            s,
            "{} transactions after the observation end are outside the window and left out",
            summary.after_observation_end
        );
    }
    if models.clv.is_none() {
        let _ = writeln!(s, "note: {NO_AMOUNTS}");
    }
    let _ = writeln!(
        s,
        "\nCustomer summary{}",
        match summary.calibration_end {
            Some(_) => " (calibration period)",
            None => "",
        }
    );
    let _ = writeln!(
        s,
        "  {:<22}{:>10}{:>10}{:>10}{:>10}",
        "", "mean", "median", "min", "max"
    );
    for (label, values) in stat_columns(&summary) {
        let st = Stats::of(values);
        let _ = writeln!(
            s,
            "  {label:<22}{:>10.2}{:>10.2}{:>10.2}{:>10.2}",
            st.mean, st.median, st.min, st.max
        );
    }
    let repeat = summary.frequency.iter().filter(|&&f| f > 0.0).count();
    let _ = writeln!(
        s,
        "  repeat customers: {repeat} ({:.1}%)",
        100.0 * repeat as f64 / summary.len() as f64
    );
    if let Some(h) = &summary.holdout {
        let active = h.frequency.iter().filter(|&&f| f > 0.0).count();
        let total: f64 = h.frequency.iter().sum();
        let _ = writeln!(
            s,
            "\nHoldout ({} {}): {active} customers bought again, {total} purchase periods in all",
            h.duration,
            summary.unit.words()
        );
        if summary.holdout_only_customers > 0 {
            let _ = writeln!(
                s,
                "  ({} customers first seen in the holdout are not in the summary)",
                summary.holdout_only_customers
            );
        }
    }
    let _ = writeln!(
        s,
        "\nModels fitted on the {} customers (maximum likelihood; 95% log-scale intervals)",
        summary.len()
    );
    let mut fitted = vec![("BG/NBD", models.bg.params(), models.bg.fit_info())];
    if let Some(g) = &models.gg {
        fitted.push(("Gamma-Gamma", g.params(), g.fit_info()));
    }
    for (label, params, info) in fitted {
        let ll = info.map_or(f64::NAN, |i| i.log_likelihood);
        let _ = writeln!(s, "  {label} (log-likelihood {ll:.1})");
        for (i, (name, value)) in params.iter().enumerate() {
            let (lo, hi) = info
                .and_then(|f| f.ci_95.get(i).copied())
                .unwrap_or((f64::NAN, f64::NAN));
            let _ = writeln!(s, "    {name:<6}{value:>10.4}   [{lo:.4}, {hi:.4}]");
        }
    }
    if let Some(left) = left_out {
        let _ = writeln!(
            s,
            "  {}",
            left_out_text("Gamma-Gamma", left, &rfm_input.customer_id)
        );
    }
    let _ = writeln!(
        s,
        "  expected purchases in the next {CLV_MONTHS} months, all customers: {:.1}",
        models.expected.iter().sum::<f64>()
    );
    if let Some(clv) = &models.clv {
        let _ = writeln!(
            s,
            "  {CLV_MONTHS}-month CLV at {:.0}%/month, all customers: {:.2}",
            100.0 * CLV_DISCOUNT,
            clv.iter().sum::<f64>()
        );
    }
    let _ = writeln!(s, "\nRFM segments ({} bins)", args.bins);
    let _ = writeln!(s, "  {:<20}{:>10}{:>9}", "segment", "customers", "share");
    for r in &seg_table {
        let _ = writeln!(
            s,
            "  {:<20}{:>10}{:>8.1}%",
            r.segment,
            r.customers,
            100.0 * r.share
        );
    }
    let _ = writeln!(
        s,
        "\nTop {} customers by {}",
        top.len(),
        if models.clv.is_some() {
            format!("{CLV_MONTHS}-month CLV (BG/NBD + Gamma-Gamma)")
        } else {
            format!("expected purchases in the next {CLV_MONTHS} months (BG/NBD)")
        }
    );
    let _ = writeln!(
        s,
        "  {:<12}{:>10}{:>10}{:>10}{:>11}{:>9}{:>10}{:>10}{:>6}  segment",
        "customer", "frequency", "recency", "T", "monetary", "P(alive)", "purchases", "CLV", "rfm"
    );
    for &i in &top {
        let money = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |c| format!("{c:.2}"));
        let clv = money(clv_at(i));
        let monetary = money(summary.monetary_value.as_ref().map(|m| m[i]));
        let _ = writeln!(
            s,
            "  {:<12}{:>10}{:>10.2}{:>10.2}{monetary:>11}{:>9.3}{:>10.2}{clv:>10}{:>6}  {}",
            csv_field(&rfm_input.customer_id[i]),
            rfm_input.frequency[i],
            rfm_input.recency[i],
            rfm_input.t[i],
            models.prob_alive[i],
            models.expected[i],
            codes[i],
            segments[i]
        );
    }
    if let Some(port) = &port {
        let _ = writeln!(
            s,
            "\nWhale curve of the {CLV_MONTHS}-month CLV (customers by CLV, largest first)"
        );
        whale_text(&mut s, &port.whale);
        let _ = writeln!(
            s,
            "\nRevenue at risk over {CLV_MONTHS} months = value if active × (1 − P(alive)), value if active = CLV / P(alive)"
        );
        risk_text(
            &mut s,
            &port.risk,
            &rfm_input.customer_id,
            "if active",
            args.top,
        );
    }
    crate::write_out(&mut out, &s)
}

/// The report's portfolio view: the whale curve of the CLV and the revenue
/// at risk.
struct PortfolioView {
    whale: WhaleCurve,
    risk: RiskRanking,
}

/// Whale curve of the CLV, and revenue at risk of the value if active
/// (CLV / P(alive), the `value_if_retained` of [`offer_ceiling`]): the CLV
/// already weighs the future by P(alive), so the value at stake is the value
/// of a customer who is still active, times the probability that they are
/// not — which is also the offer ceiling of an offer sure to work.
fn portfolio(clv: &[f64], prob_alive: &[f64]) -> Result<PortfolioView> {
    let whale = whale_curve(clv)?;
    let if_active = offer_ceiling(clv, prob_alive, 1.0)?.value_if_retained;
    let risk = risk_ranking(&if_active, prob_alive)?;
    Ok(PortfolioView { whale, risk })
}

fn stat_columns(summary: &Summary) -> Vec<(&'static str, &[f64])> {
    let mut cols: Vec<(&'static str, &[f64])> = vec![
        ("frequency", &summary.frequency),
        ("recency", &summary.recency),
        ("T", &summary.t),
    ];
    if let Some(m) = &summary.monetary_value {
        cols.push(("monetary_value", m));
    }
    if let Some(h) = &summary.holdout {
        cols.push(("frequency_holdout", &h.frequency));
        if let Some(m) = &h.monetary_value {
            cols.push(("monetary_value_holdout", m));
        }
    }
    cols
}

fn summary_stats_json(summary: &Summary) -> serde_json::Value {
    let mut doc = serde_json::Map::new();
    for (label, values) in stat_columns(summary) {
        let st = Stats::of(values);
        doc.insert(
            label.to_string(),
            json!({"mean": st.mean, "median": st.median, "min": st.min, "max": st.max}),
        );
    }
    doc.insert(
        "repeat_customers".into(),
        summary
            .frequency
            .iter()
            .filter(|&&f| f > 0.0)
            .count()
            .into(),
    );
    if let Some(h) = &summary.holdout {
        doc.insert("duration_holdout".into(), h.duration.into());
    }
    serde_json::Value::Object(doc)
}

/// Descriptive statistics of a column, for display only.
struct Stats {
    mean: f64,
    median: f64,
    min: f64,
    max: f64,
}

impl Stats {
    fn of(values: &[f64]) -> Stats {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = match n {
            0 => f64::NAN,
            _ if n % 2 == 1 => v[n / 2],
            _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        };
        Stats {
            mean: v.iter().sum::<f64>() / n as f64,
            median,
            min: v.first().copied().unwrap_or(f64::NAN),
            max: v.last().copied().unwrap_or(f64::NAN),
        }
    }
}

/// Indices of the `k` customers with the largest CLV, ties by position.
fn top_customers(clv: &[f64], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..clv.len()).collect();
    idx.sort_by(|&a, &b| clv[b].total_cmp(&clv[a]).then(a.cmp(&b)));
    idx.truncate(k);
    idx
}

/// CLV horizon of the report, in months.
const CLV_MONTHS: u32 = 12;
/// Monthly discount rate of the report's CLV.
const CLV_DISCOUNT: f64 = 0.01;

/// What the report says when the log has no amounts.
const NO_AMOUNTS: &str = "no amount column (--amount-col): money values (spend, CLV, whale \
     curve, revenue at risk) need amounts; P(alive) and expected purchases only";

/// The report's fitted models and per-customer scores.
struct Models {
    bg: BetaGeo,
    /// `None` without amounts.
    gg: Option<GammaGamma>,
    prob_alive: Vec<f64>,
    /// Expected purchases over the next [`CLV_MONTHS`] months.
    expected: Vec<f64>,
    /// `None` without amounts.
    clv: Option<Vec<f64>>,
    periods_per_month: f64,
}

/// Fits BG/NBD (and, with amounts, Gamma-Gamma) to the (calibration)
/// summary and scores every customer: P(alive), expected purchases over the
/// horizon and the lifetimes-compatible monthly CLV. Repeat customers whose
/// mean spend is 0 are left out of the Gamma-Gamma fit (and listed) and
/// valued at the population mean spend (`clv::models::gamma_gamma`).
fn fit_models(summary: &Summary, input: &RfmInput) -> Result<Models> {
    let options = FitOptions {
        unit: Some(summary.unit),
        ..FitOptions::default()
    };
    let bg = BetaGeo::fit(
        &[&input.frequency, &input.recency, &input.t],
        None,
        &options,
    )?;
    let prob_alive = bg.prob_alive(&input.frequency, &input.recency, &input.t)?;
    // The summary's unit, which the model now carries (one rule: resolve_unit).
    let unit = resolve_unit(&[
        ("the summary", Some(&summary.unit.to_string())),
        ("the transaction model", model_unit(&bg)),
    ])?;
    let periods_per_month = periods_per_month(&unit)?;
    let expected = bg.expected_purchases(
        f64::from(CLV_MONTHS) * periods_per_month,
        &input.frequency,
        &input.recency,
        &input.t,
    )?;
    let (gg, clv) = match &summary.monetary_value {
        None => (None, None),
        Some(monetary) => {
            let gg = GammaGamma::fit(&[&input.frequency, monetary], None, &options)?;
            let spend = gg.expected_spend(&input.frequency, monetary)?;
            let clv = customer_lifetime_value(
                &bg,
                &spend,
                &input.frequency,
                &input.recency,
                &input.t,
                CLV_MONTHS,
                CLV_DISCOUNT,
                periods_per_month,
            )?;
            (Some(gg), Some(clv))
        }
    };
    Ok(Models {
        bg,
        gg,
        prob_alive,
        expected,
        clv,
        periods_per_month,
    })
}

fn params_json(params: &[(&str, f64)], info: Option<&FitInfo>) -> serde_json::Value {
    json!({
        "params": params.iter().map(|(n, v)| (n.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "log_likelihood": info.map(|i| i.log_likelihood),
        "std_errors": info.map(|i| i.std_errors.clone()),
    })
}
