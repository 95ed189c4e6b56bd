//! `clv report`: a business-first overview of a customer base.
//!
//! With no file it runs on the CDNOW sample bundled in the binary (2,357
//! customers of an online CD retailer who first bought in Q1 1997, followed to
//! 1998-06-30; Fader, Hardie & Lee 2005), with the papers' set-up: weeks of
//! 7 days, calibration through 1997-09-30, holdout to 1998-06-30.
//!
//! The sections, in order (text and `--json` alike):
//! 1. **Expected value** over the next 12 months and the customers who carry
//!    it (top shares of the value, the top customers).
//! 2. **Revenue at risk** of the customers still likely active, and the
//!    **likely lost** customers (P(alive) below
//!    [`clv::portfolio::LIKELY_LOST_BELOW`] = 0.1), listed
//!    apart so that a customer almost surely gone does not top the risks.
//! 3. **Model check**: predicted vs actual purchases in the holdout, in
//!    total and by calibration frequency (0, 1, 2, 3, 4-6, 7+).
//! 4. **RFM segments** with the model's mean P(alive) and value per segment.
//! 5. The customer summary, then the **parameters** of the fitted models.
//!
//! Every number comes from the core (`clv::portfolio`, `clv::diagnostics`,
//! `clv::rfm`, `clv::value`); this file only arranges and formats them.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use clv::Result;
use clv::diagnostics::{FREQUENCY_BUCKETS, HoldoutCheck, holdout_check};
use clv::fit::{FitInfo, FitOptions};
use clv::models::{AnyModel, GammaGamma, Model, ModelInfo, ModelKind, SpendModel};
use clv::portfolio::{
    LIKELY_LOST_BELOW, RiskRanking, WhaleCurve, risk_ranking_with_lost, whale_curve,
};
use clv::summary::{Summary, SummaryOptions};
use clv::time::{Period, TimeUnit, format_timestamp};
use clv::value::{customer_lifetime_value, model_unit, periods_per_month, resolve_unit};
use serde_json::{Value, json};

use crate::data::{CDNOW_SAMPLE, RfmInput, bundled_columns, score, segment_map};
use crate::input::{self, ColumnArgs, parse_date_arg};
use crate::progress::Progress;
use crate::render::{csv_field, left_out_json, left_out_text, text_table, whale_json};

/// The transaction models `clv report` can fit (continuous time,
/// non-contractual: inputs frequency, recency, T).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[allow(clippy::enum_variant_names)] // the models' own names (BG/NBD, ...)
pub enum ReportModel {
    /// BG/NBD (Fader, Hardie & Lee 2005): one-time buyers have P(alive) = 1.
    BgNbd,
    /// MBG/NBD (Batislam et al. 2007): customers may also drop out at the
    /// first purchase, so one-time buyers age too.
    MbgNbd,
    /// Pareto/NBD (Schmittlein, Morrison & Colombo 1987).
    ParetoNbd,
    /// GGom/NBD (Bemmaor & Glady 2012).
    GgomNbd,
}

impl ReportModel {
    fn kind(self) -> ModelKind {
        match self {
            ReportModel::BgNbd => ModelKind::BgNbd,
            ReportModel::MbgNbd => ModelKind::MbgNbd,
            ReportModel::ParetoNbd => ModelKind::ParetoNbd,
            ReportModel::GgomNbd => ModelKind::GgomNbd,
        }
    }
}

/// Arguments of `clv report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Transaction file; default: the bundled CDNOW sample.
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub columns: ColumnArgs,
    /// Time unit (default: 7d, weeks of 7 days, for the bundled data; W
    /// otherwise).
    #[arg(long)]
    pub freq: Option<String>,
    /// End of the observation period (default: 1998-06-30 for the bundled
    /// data, the last transaction otherwise).
    #[arg(long)]
    pub observation_end: Option<String>,
    /// End of the calibration period: the models are fitted up to it and
    /// checked against the purchases after it (default: 1997-09-30 for the
    /// bundled data, none otherwise: no model check).
    #[arg(long)]
    pub calibration_end: Option<String>,
    /// The transaction model. BG/NBD gives one-time buyers P(alive) = 1;
    /// MBG/NBD lets them drop out too.
    #[arg(long, value_enum, default_value = "bg-nbd")]
    pub model: ReportModel,
    /// Currency of the amounts, used to format money: a symbol ("$", "€")
    /// goes before the number, a code ("EUR") after it (default: "$" for the
    /// bundled data, none otherwise).
    #[arg(long)]
    pub currency: Option<String>,
    /// Number of RFM bins.
    #[arg(long, default_value_t = 5)]
    pub bins: u8,
    /// How many customers each list shows.
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
    let money = Money(
        args.currency
            .clone()
            .unwrap_or_else(|| if bundled { "$".into() } else { String::new() }),
    );
    let r = Report::build(&summary, args, money)?;
    for w in &r.warnings {
        eprintln!("warning: {w}");
    }
    let first = table.timestamps.iter().copied().min().unwrap_or(0);
    let last = table.timestamps.iter().copied().max().unwrap_or(0);
    let dataset = json!({
        "name": name,
        "transactions": table.timestamps.len(),
        "customers": summary.len(),
        "first_transaction": format_timestamp(first),
        "last_transaction": format_timestamp(last),
        "unit": summary.unit.to_string(),
        "unit_words": unit_words(&summary.unit),
        "calibration_end": summary.calibration_end.map(format_timestamp),
        "observation_end": format_timestamp(summary.observation_end),
        "holdout_only_customers": summary.holdout_only_customers,
        "after_observation_end": summary.after_observation_end,
        "amounts": summary.monetary_value.is_some(),
        "currency": r.money.0,
    });
    let mut out = crate::output(None)?;
    let text = if args.json {
        r.json(dataset, args).to_string() + "\n"
    } else {
        let mut s = String::new();
        let _ = writeln!(s, "clv report: {name}");
        let _ = writeln!(
            s,
            "{} transactions of {} customers, {} .. {}; time in {}",
            thousands(table.timestamps.len() as f64, 0),
            thousands(summary.len() as f64, 0),
            format_timestamp(first),
            format_timestamp(last),
            unit_words(&summary.unit)
        );
        if summary.after_observation_end > 0 {
            let _ = writeln!(
                s,
                "{} transactions after the observation end {} are outside the window and left out",
                summary.after_observation_end,
                format_timestamp(summary.observation_end)
            );
        }
        r.text(&mut s, args);
        s
    };
    crate::write_out(&mut out, &text)
}

/// CLV horizon of the report, in months.
const CLV_MONTHS: u32 = 12;
/// Monthly discount rate of the report's CLV.
const CLV_DISCOUNT: f64 = 0.01;

/// The columns of the model check's table of holdout purchases by repeat
/// purchases before (name and width).
const CHECK_COLUMNS: [(&str, usize); 4] = [
    ("repeat purchases before", 26),
    ("customers", 10),
    ("predicted", 11),
    ("actual", 10),
];

/// The columns of the table of customers at risk (name and width).
const AT_RISK_COLUMNS: [(&str, usize); 4] = [
    ("customer", 12),
    ("value if active", 16),
    ("P(alive)", 10),
    ("at risk", 14),
];

/// The columns of the table of likely lost customers (name and width).
const LOST_COLUMNS: [(&str, usize); 6] = [
    ("customer", 12),
    ("repeat buys", 12),
    ("last purchase", 20),
    ("repeat spend", 14),
    ("value if active", 16),
    ("P(alive)", 10),
];

/// The columns of the customer summary's statistics (name and width; the
/// first, the summary column, has no name).
const STATS_COLUMNS: [(&str, usize); 5] = [
    ("", 22),
    ("mean", 10),
    ("median", 10),
    ("min", 10),
    ("max", 10),
];

/// What the report says when the log has no amounts.
const NO_AMOUNTS: &str = "no amount column (--amount-col): money values (spend, CLV, whale \
     curve, revenue at risk) need amounts; P(alive) and expected purchases only";

/// The one line that explains who is at risk and who is lost.
fn risk_rule() -> String {
    format!(
        "a customer with P(alive) < {LIKELY_LOST_BELOW} (less than 1 chance in 10 of still \
         buying) is listed as likely lost, not at risk; at risk = value if active × (1 − P(alive))"
    )
}

/// Why one-time buyers have P(alive) = 1 under BG/NBD.
const BG_NBD_ONE_TIME: &str = "under BG/NBD a customer can only drop out right after a repeat \
     purchase, so one-time buyers have P(alive) = 1 whatever their age; --model mbg-nbd lets \
     them drop out too";

/// The unit in words: `7d` (the papers' CDNOW weeks, counted in days) reads
/// as "weeks" like `W`.
fn unit_words(unit: &TimeUnit) -> String {
    if unit.period == Period::Day && unit.multiplier == 7.0 {
        "weeks".to_string()
    } else {
        unit.words()
    }
}

/// Money in the report's currency: a symbol before the number, a code
/// (letters) after it, nothing when empty.
struct Money(String);

impl Money {
    fn fmt(&self, v: f64) -> String {
        let n = thousands(v.abs(), 2);
        let sign = if v < 0.0 { "-" } else { "" };
        let c = &self.0;
        if c.is_empty() {
            format!("{sign}{n}")
        } else if c.chars().all(|ch| ch.is_ascii_alphabetic()) {
            format!("{sign}{n} {c}")
        } else {
            format!("{sign}{c}{n}")
        }
    }
}

/// `v` with `decimals` decimals and thousands separators (`70,726.72`).
fn thousands(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (k, ch) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Everything the report shows, computed once for text and JSON.
struct Report<'a> {
    summary: &'a Summary,
    input: RfmInput,
    money: Money,
    transaction: AnyModel,
    gg: Option<GammaGamma>,
    prob_alive: Vec<f64>,
    /// Expected purchases over the next [`CLV_MONTHS`] months.
    expected: Vec<f64>,
    /// `None` without amounts.
    clv: Option<Vec<f64>>,
    periods_per_month: f64,
    /// Whale curve of the CLV (`None` without amounts or a total ≤ 0).
    whale: Option<WhaleCurve>,
    /// At risk and likely lost: of the value if active (CLV / P(alive)), or
    /// without amounts of the purchases if active.
    risk: RiskRanking,
    /// Predicted vs actual holdout purchases (with a calibration end).
    check: Option<HoldoutCheck>,
    scores: Vec<String>,
    segments: Vec<String>,
    seg_table: Vec<clv::rfm::SegmentCount>,
    seg_p_alive: Vec<f64>,
    seg_value: Vec<f64>,
    /// Ranked by CLV, or by expected purchases without amounts.
    top: Vec<usize>,
    warnings: Vec<String>,
}

impl<'a> Report<'a> {
    /// Fits the transaction model (and, with amounts, Gamma-Gamma) to the
    /// (calibration) summary and computes every section. Repeat customers
    /// whose mean spend is 0 are left out of the Gamma-Gamma fit (and
    /// listed) and valued at the population mean spend.
    fn build(summary: &'a Summary, args: &ReportArgs, money: Money) -> Result<Report<'a>> {
        let input = RfmInput {
            customer_id: summary.customer_id.clone(),
            frequency: summary.frequency.clone(),
            recency: summary.recency.clone(),
            t: summary.t.clone(),
            monetary_value: summary
                .monetary_value
                .clone()
                .unwrap_or_else(|| vec![0.0; summary.len()]),
        };
        let (x, tx, t) = (&input.frequency[..], &input.recency[..], &input.t[..]);
        let options = FitOptions {
            unit: Some(summary.unit),
            ..FitOptions::default()
        };
        let transaction = AnyModel::fit(args.model.kind(), &[x, tx, t], None, &options)?;
        let tm = transaction.transaction("report")?;
        let prob_alive = tm.prob_alive(x, tx, t)?;
        // The summary's unit, which the model now carries (one rule: resolve_unit).
        let unit = resolve_unit(&[
            ("the summary", Some(&summary.unit.to_string())),
            ("the transaction model", model_unit(&transaction)),
        ])?;
        let periods_per_month = periods_per_month(&unit)?;
        let expected =
            tm.expected_purchases(f64::from(CLV_MONTHS) * periods_per_month, x, tx, t)?;
        let mut warnings: Vec<String> = transaction
            .fit_info()
            .map(|i| i.warnings.clone())
            .unwrap_or_default();
        let (gg, clv) = match &summary.monetary_value {
            None => (None, None),
            Some(monetary) => {
                let gg = GammaGamma::fit(&[x, monetary], None, &options)?;
                if let Some(info) = gg.fit_info() {
                    if let Some(left) = &info.left_out {
                        warnings.push(left_out_text("Gamma-Gamma", left, &input.customer_id));
                    }
                    warnings.extend(info.warnings.iter().cloned());
                }
                let spend = gg.expected_spend(x, monetary)?;
                let clv = customer_lifetime_value(
                    tm,
                    &spend,
                    x,
                    tx,
                    t,
                    CLV_MONTHS,
                    CLV_DISCOUNT,
                    periods_per_month,
                )?;
                (Some(gg), Some(clv))
            }
        };
        let value = clv.as_ref().unwrap_or(&expected);
        // E[value | alive] = value / P(alive) (FHL 2005 eq. 10 factors the
        // conditional expectation as P(alive) · E[· | alive]); 0 where
        // P(alive) underflows to 0 (nothing can be said, and that customer
        // is lost anyway).
        let if_active: Vec<f64> = value
            .iter()
            .zip(&prob_alive)
            .map(|(v, p)| if *p > 0.0 { v / p } else { 0.0 })
            .collect();
        let risk = risk_ranking_with_lost(&if_active, &prob_alive, LIKELY_LOST_BELOW)?;
        let whale = match &clv {
            Some(c) if c.iter().sum::<f64>() > 0.0 => Some(whale_curve(c)?),
            _ => None,
        };
        let check = match &summary.holdout {
            Some(h) => Some(holdout_check(
                tm,
                x,
                tx,
                t,
                &h.frequency,
                &vec![h.duration; summary.len()],
                &FREQUENCY_BUCKETS,
            )?),
            None => None,
        };
        let map = segment_map(None)?;
        let (scores, segments) = score(&input, args.bins, &map)?;
        let seg_table = clv::rfm::segment_table(&segments, &map);
        let seg_p_alive = clv::rfm::segment_means(&segments, &map, &prob_alive)?;
        let seg_value = clv::rfm::segment_means(&segments, &map, value)?;
        let top = top_customers(value, args.top);
        Ok(Report {
            summary,
            money,
            transaction,
            gg,
            prob_alive,
            expected,
            clv,
            periods_per_month,
            whale,
            risk,
            check,
            scores: scores.codes(),
            segments,
            seg_table,
            seg_p_alive,
            seg_value,
            top,
            warnings,
            input,
        })
    }

    fn has_money(&self) -> bool {
        self.clv.is_some()
    }

    /// What a customer's "value" is in this report.
    fn value_words(&self) -> String {
        if self.has_money() {
            format!("{CLV_MONTHS}-month value")
        } else {
            format!("purchases in {CLV_MONTHS} months")
        }
    }

    fn value_text(&self, v: f64) -> String {
        if self.has_money() {
            self.money.fmt(v)
        } else {
            thousands(v, 2)
        }
    }

    /// Past repeat spend: frequency × mean repeat spend (the first purchase
    /// is not in the summary).
    fn past_spend(&self, i: usize) -> Option<f64> {
        self.summary
            .monetary_value
            .as_ref()
            .map(|m| self.input.frequency[i] * m[i])
    }

    fn customer_json(&self, i: usize) -> Value {
        json!({
            "customer_id": self.input.customer_id[i],
            "frequency": self.input.frequency[i],
            "recency": self.input.recency[i],
            "T": self.input.t[i],
            "monetary_value": self.summary.monetary_value.as_ref().map(|m| m[i]),
            "repeat_spend": self.past_spend(i),
            "prob_alive": self.prob_alive[i],
            "expected_purchases": self.expected[i],
            "clv": self.clv.as_ref().map(|c| c[i]),
            "rfm_score": self.scores[i],
            "segment": self.segments[i],
        })
    }

    fn json(&self, dataset: Value, args: &ReportArgs) -> Value {
        let unit_words = unit_words(&self.summary.unit);
        let risky = |c: &clv::portfolio::CustomerAtRisk| {
            let mut doc = self.customer_json(c.index);
            doc["value_if_active"] = json!(c.value);
            doc["value_at_risk"] = json!(c.value_at_risk);
            doc["since_last_purchase"] = json!(self.input.t[c.index] - self.input.recency[c.index]);
            doc
        };
        let transaction_key = self.transaction.kind().as_str();
        let mut models = serde_json::Map::new();
        models.insert("transaction_model".into(), json!(transaction_key));
        models.insert(
            transaction_key.into(),
            params_json(&self.transaction.params(), self.transaction.fit_info()),
        );
        models.insert(
            "gamma_gamma".into(),
            self.gg.as_ref().map_or(Value::Null, |g| {
                let mut doc = params_json(&g.params(), g.fit_info());
                doc["left_out"] = g
                    .fit_info()
                    .and_then(|i| i.left_out.as_ref())
                    .map_or(Value::Null, |l| left_out_json(l, &self.input.customer_id));
                doc
            }),
        );
        models.insert("periods_per_month".into(), json!(self.periods_per_month));
        json!({
            // JSON objects have no order: the sections as the text shows them
            "sections": ["value", "revenue_at_risk", "likely_lost", "model_check",
                         "rfm_segments", "summary", "models"],
            "dataset": dataset,
            "notes": (!self.has_money()).then_some(vec![NO_AMOUNTS]).unwrap_or_default(),
            "warnings": self.warnings,
            "value": {
                "months": CLV_MONTHS,
                "monthly_discount_rate": CLV_DISCOUNT,
                "clv_total": self.clv.as_ref().map(|c| c.iter().sum::<f64>()),
                "expected_purchases": self.expected.iter().sum::<f64>(),
                "customers": self.summary.len(),
                "whale_curve": self.whale.as_ref().map(whale_json),
                "top_customers": self.top.iter().map(|&i| self.customer_json(i)).collect::<Vec<_>>(),
            },
            "revenue_at_risk": self.has_money().then(|| json!({
                "rule": risk_rule(),
                "lost_below": self.risk.lost_below,
                "value": format!("{CLV_MONTHS}-month value if active = CLV / P(alive)"),
                "total": self.risk.total,
                "total_value": self.risk.total_value,
                "value_if_active_of_active": self.active_value(),
                "share": self.risk.share,
                "expected_retained": self.risk.expected_retained,
                "lost_total": self.risk.lost_total,
                "customers": self.risk.at_risk.len(),
                "top": self.risk.at_risk.iter().take(args.top).map(risky).collect::<Vec<_>>(),
            })),
            "likely_lost": {
                "rule": risk_rule(),
                "lost_below": self.risk.lost_below,
                "customers": self.risk.lost.len(),
                "value": if self.has_money() {
                    format!("{CLV_MONTHS}-month value if active = CLV / P(alive)")
                } else {
                    format!("purchases in {CLV_MONTHS} months if active")
                },
                "value_if_active": self.risk.lost.iter().map(|c| c.value).sum::<f64>(),
                "repeat_spend": self.summary.monetary_value.as_ref().map(|_| {
                    self.risk.lost.iter().filter_map(|c| self.past_spend(c.index)).sum::<f64>()
                }),
                "top": self.risk.lost.iter().take(args.top).map(risky).collect::<Vec<_>>(),
            },
            "model_check": self.check.as_ref().map(|c| json!({
                "holdout": self.summary.holdout.as_ref().map(|h| h.duration),
                "unit_words": unit_words,
                "customers": c.customers,
                "actual": c.actual,
                "predicted": c.predicted,
                "relative_error": c.relative_error(),
                "by_frequency": c.buckets,
            })),
            "rfm_segments": self.seg_table.iter().enumerate().map(|(k, r)| json!({
                "segment": r.segment,
                "customers": r.customers,
                "share": r.share,
                "mean_prob_alive": finite(self.seg_p_alive[k]),
                "mean_clv": if self.has_money() { finite(self.seg_value[k]) } else { Value::Null },
                "mean_expected_purchases": if self.has_money() { Value::Null } else { finite(self.seg_value[k]) },
            })).collect::<Vec<_>>(),
            "rfm_note": (self.transaction.kind() == ModelKind::BgNbd).then_some(BG_NBD_ONE_TIME),
            "summary": summary_stats_json(self.summary),
            "models": models,
        })
    }

    fn text(&self, s: &mut String, args: &ReportArgs) {
        let unit = unit_words(&self.summary.unit);
        let model_name = self.transaction.name();
        let n = self.summary.len();
        let fitted = match (self.summary.calibration_end, &self.summary.holdout) {
            (Some(c), Some(h)) => format!(
                "fitted on the purchases up to {}, checked on the {} {unit} after it (to {})",
                format_timestamp(c),
                h.duration,
                format_timestamp(self.summary.observation_end)
            ),
            _ => format!(
                "fitted on all purchases up to {}",
                format_timestamp(self.summary.observation_end)
            ),
        };
        let spend = if self.has_money() {
            " + Gamma-Gamma"
        } else {
            ""
        };
        let _ = writeln!(s, "models: {model_name}{spend}, {fitted}");
        if !self.has_money() {
            let _ = writeln!(s, "note: {NO_AMOUNTS}");
        }
        for w in &self.warnings {
            let _ = writeln!(s, "warning: {w}");
        }

        // 1. Expected value and who carries it.
        let total_purchases: f64 = self.expected.iter().sum();
        let _ = writeln!(s, "\nExpected value over the next {CLV_MONTHS} months");
        match &self.clv {
            Some(clv) => {
                let _ = writeln!(
                    s,
                    "  {} from {} customers ({:.0}%/month discount), {} purchases expected",
                    self.money.fmt(clv.iter().sum()),
                    thousands(n as f64, 0),
                    100.0 * CLV_DISCOUNT,
                    thousands(total_purchases, 1)
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "  {} purchases expected from {} customers (money values need amounts)",
                    thousands(total_purchases, 1),
                    thousands(n as f64, 0)
                );
            }
        }
        if let Some(w) = &self.whale {
            let shares: Vec<String> = w
                .top_shares
                .iter()
                .filter(|t| t.fraction == 0.1 || t.fraction == 0.2)
                .map(|t| {
                    format!(
                        "the top {:.0}% ({} customers) carry {:.1}%",
                        100.0 * t.fraction,
                        thousands(t.customers as f64, 0),
                        100.0 * t.share
                    )
                })
                .collect();
            let _ = writeln!(s, "  {}; Gini {:.2}", shares.join(", "), w.gini);
        }
        let _ = writeln!(
            s,
            "\n  Top {} customers by {}",
            self.top.len(),
            self.value_words()
        );
        let _ = writeln!(
            s,
            "  {:<12}{:>14}{:>10}{:>15}{:>14}{:>6}  segment",
            "customer",
            self.value_words_short(),
            "P(alive)",
            // without amounts the value column is the expected purchases already
            if self.has_money() {
                "expected buys"
            } else {
                "repeat buys"
            },
            "repeat spend",
            "rfm"
        );
        for &i in &self.top {
            let (value, fourth) = match &self.clv {
                Some(c) => (c[i], self.expected[i]),
                None => (self.expected[i], self.input.frequency[i]),
            };
            let _ = writeln!(
                s,
                "  {:<12}{:>14}{:>10.3}{:>15.2}{:>14}{:>6}  {}",
                csv_field(&self.input.customer_id[i]),
                self.value_text(value),
                self.prob_alive[i],
                fourth,
                self.past_spend(i)
                    .map_or_else(|| "-".into(), |v| self.money.fmt(v)),
                self.scores[i],
                self.segments[i]
            );
        }

        // 2. Revenue at risk, then the likely lost.
        if self.has_money() {
            let r = &self.risk;
            let _ = writeln!(s, "\nRevenue at risk over the next {CLV_MONTHS} months");
            let active = self.active_value();
            let _ = writeln!(
                s,
                "  {} of the {} that the customers still likely active would bring if all stay ({:.1}%)",
                self.money.fmt(r.total),
                self.money.fmt(active),
                100.0 * r.total / active
            );
            let _ = writeln!(s, "  rule: {}", risk_rule());
            let rows = r.at_risk.iter().take(args.top).map(|c| {
                [
                    csv_field(&self.input.customer_id[c.index]),
                    self.money.fmt(c.value),
                    format!("{:.3}", c.p_alive),
                    self.money.fmt(c.value_at_risk),
                ]
            });
            text_table(s, &AT_RISK_COLUMNS, rows);
        }
        let lost = &self.risk.lost;
        let _ = writeln!(
            s,
            "\nLikely lost customers (P(alive) < {LIKELY_LOST_BELOW}): {}",
            thousands(lost.len() as f64, 0)
        );
        if self.has_money() {
            let spend: f64 = lost.iter().filter_map(|c| self.past_spend(c.index)).sum();
            let _ = writeln!(
                s,
                "  they spent {} on repeat purchases; largest {} if active first",
                self.money.fmt(spend),
                self.value_words()
            );
        } else {
            let _ = writeln!(s, "  largest {} if active first", self.value_words());
        }
        if !lost.is_empty() {
            let rows = lost.iter().take(args.top).map(|c| {
                let i = c.index;
                [
                    csv_field(&self.input.customer_id[i]),
                    self.input.frequency[i].to_string(),
                    format!("{:.1} {unit} ago", self.input.t[i] - self.input.recency[i]),
                    self.past_spend(i)
                        .map_or_else(|| "-".into(), |v| self.money.fmt(v)),
                    self.value_text(c.value),
                    format!("{:.3}", c.p_alive),
                ]
            });
            text_table(s, &LOST_COLUMNS, rows);
            let _ = writeln!(s, "  (last purchase: before the end of the period fitted)");
        }

        // 3. Model check.
        match (&self.check, &self.summary.holdout) {
            (Some(c), Some(h)) => {
                let _ = writeln!(
                    s,
                    "\nModel check: predicted vs actual purchases in the {} {unit} after {}",
                    h.duration,
                    self.summary
                        .calibration_end
                        .map_or_else(String::new, format_timestamp)
                );
                let _ = writeln!(
                    s,
                    "  all customers: predicted {}, actual {} ({})",
                    thousands(c.predicted, 1),
                    thousands(c.actual, 0),
                    c.relative_error()
                        .map_or_else(|| "no purchase".into(), |e| format!("{:+.1}%", 100.0 * e))
                );
                let rows = c.buckets.iter().map(|b| {
                    [
                        b.label.clone(),
                        b.customers.to_string(),
                        format!("{:.1}", b.predicted),
                        b.actual.to_string(),
                    ]
                });
                text_table(s, &CHECK_COLUMNS, rows);
                if self.summary.holdout_only_customers > 0 {
                    let _ = writeln!(
                        s,
                        "  ({} customers first seen after {} are not in the check)",
                        self.summary.holdout_only_customers,
                        self.summary
                            .calibration_end
                            .map_or_else(String::new, format_timestamp)
                    );
                }
            }
            _ => {
                let _ = writeln!(
                    s,
                    "\nModel check: none (give --calibration-end to fit on the purchases up to a date and compare with those after it)"
                );
            }
        }

        // 4. RFM segments against the model.
        let _ = writeln!(
            s,
            "\nRFM segments ({} bins) with the model's view",
            args.bins
        );
        let mean_value = format!("mean {}", self.value_words_short());
        let columns = [
            ("segment", 20),
            ("customers", 10),
            ("share", 9),
            ("mean P(alive)", 16),
            (mean_value.as_str(), 22),
        ];
        let mean = |v: f64, text: String| if v.is_finite() { text } else { "-".into() };
        let rows = self.seg_table.iter().enumerate().map(|(k, r)| {
            [
                r.segment.clone(),
                r.customers.to_string(),
                format!("{:.1}%", 100.0 * r.share),
                mean(self.seg_p_alive[k], format!("{:.3}", self.seg_p_alive[k])),
                mean(self.seg_value[k], self.value_text(self.seg_value[k])),
            ]
        });
        text_table(s, &columns, rows);
        if self.transaction.kind() == ModelKind::BgNbd {
            let _ = writeln!(s, "  note: {BG_NBD_ONE_TIME}");
        }

        // 5. The data, then the parameters.
        let _ = writeln!(
            s,
            "\nCustomer summary{} (time in {unit})",
            match self.summary.calibration_end {
                Some(_) => " of the period fitted",
                None => "",
            }
        );
        let rows = stat_columns(self.summary)
            .into_iter()
            .map(|(label, values)| {
                let st = Stats::of(values);
                [
                    label.to_string(),
                    format!("{:.2}", st.mean),
                    format!("{:.2}", st.median),
                    format!("{:.2}", st.min),
                    format!("{:.2}", st.max),
                ]
            });
        text_table(s, &STATS_COLUMNS, rows);
        let repeat = self.input.frequency.iter().filter(|&&f| f > 0.0).count();
        let _ = writeln!(
            s,
            "  repeat customers: {repeat} ({:.1}%)",
            100.0 * repeat as f64 / n as f64
        );
        let _ = writeln!(
            s,
            "\nParameters (maximum likelihood on {n} customers; 95% log-scale intervals; time in {unit})"
        );
        let mut fitted = vec![(
            model_name,
            self.transaction.params(),
            self.transaction.fit_info(),
        )];
        if let Some(g) = &self.gg {
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
    }

    /// Σ value if active of the customers not likely lost.
    fn active_value(&self) -> f64 {
        self.risk.total_value - self.risk.lost.iter().map(|c| c.value).sum::<f64>()
    }

    /// The value column's short heading.
    fn value_words_short(&self) -> &'static str {
        if self.has_money() {
            "12-month value"
        } else {
            "purchases"
        }
    }
}

/// `v`, or `null` when it is not finite (a segment without customers).
fn finite(v: f64) -> Value {
    if v.is_finite() { json!(v) } else { Value::Null }
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

fn params_json(params: &[(&str, f64)], info: Option<&FitInfo>) -> serde_json::Value {
    json!({
        "params": params.iter().map(|(n, v)| (n.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "log_likelihood": info.map(|i| i.log_likelihood),
        "std_errors": info.map(|i| i.std_errors.clone()),
    })
}
