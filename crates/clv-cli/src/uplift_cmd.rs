//! `clv uplift`: the measured effect of an action, treated group vs control
//! group, per customer and in total ("protected income").

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use clv::experiment::{Metric, StratifiedUplift, Uplift, UpliftOptions, uplift, uplift_stratified};
use clv::{Error, Result};
use serde_json::json;

use crate::render::text_table;

/// The columns of the table of strata (name and width).
const STRATA_COLUMNS: [(&str, usize); 6] = [
    ("stratum", 16),
    ("treated", 9),
    ("control", 9),
    ("weight", 8),
    ("effect", 12),
    ("std_error", 12),
];

/// Arguments of `clv uplift`.
#[derive(Debug, Args)]
pub struct UpliftArgs {
    /// CSV (with a header) of the treated customers, one row each.
    #[arg(long)]
    pub treated: PathBuf,
    /// CSV (with a header) of the control customers, one row each.
    #[arg(long)]
    pub control: PathBuf,
    /// The outcome column (revenue, margin, or 0/1 with --binary).
    #[arg(long)]
    pub metric: String,
    /// The outcome is 0/1 (retained, converted): difference of proportions
    /// with Newcombe's hybrid score interval.
    #[arg(long)]
    pub binary: bool,
    /// Stratum column (segment, size band): estimate per stratum and combine
    /// with treated-population weights.
    #[arg(long)]
    pub strata_col: Option<String>,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Treated population for the total (default: the treated rows).
    #[arg(long)]
    pub population: Option<f64>,
    /// Machine-readable JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The metric column (and the stratum column) of a CSV file with a header.
fn read_group(path: &Path, metric: &str, strata: Option<&str>) -> Result<(Vec<f64>, Vec<String>)> {
    let io_err = |e: csv::Error| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(io_err)?;
    let header: Vec<String> = reader
        .headers()
        .map_err(io_err)?
        .iter()
        .map(str::to_string)
        .collect();
    let position = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::MissingColumn {
                column: name.to_string(),
                available: format!("{} (in {})", header.join(", "), path.display()),
            })
    };
    let m = position(metric)?;
    let s = strata.map(position).transpose()?;
    let (mut values, mut labels) = (Vec::new(), Vec::new());
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(io_err)?;
        let line = record.position().map_or(row as u64 + 2, |p| p.line());
        let text = record.get(m).unwrap_or("");
        values.push(text.parse::<f64>().map_err(|_| Error::Parse {
            column: metric.to_string(),
            line,
            value: text.to_string(),
            reason: "expected a number".to_string(),
        })?);
        if let Some(s) = s {
            labels.push(record.get(s).unwrap_or("").to_string());
        }
    }
    Ok((values, labels))
}

fn uplift_json(u: &Uplift) -> serde_json::Value {
    serde_json::to_value(u).unwrap_or_else(|e| json!({ "error": e.to_string() }))
}

fn uplift_text(s: &mut String, u: &Uplift) {
    let pct = 100.0 * u.confidence;
    let _ = writeln!(
        s,
        "  treated {} customers, mean {:.4}; control {} customers, mean {:.4}",
        u.n_treated, u.mean_treated, u.n_control, u.mean_control
    );
    let _ = writeln!(
        s,
        "  effect per customer {:.4}  [{:.4}, {:.4}] ({pct}% CI, {})",
        u.effect, u.ci_low, u.ci_high, u.method
    );
    let _ = writeln!(
        s,
        "  p-value {:.4}{}",
        u.p_value,
        u.df.map_or(String::new(), |d| format!(
            " (t = {:.3}, df = {d:.1})",
            u.statistic
        ))
    );
    let _ = writeln!(
        s,
        "  relative effect {}",
        u.relative_effect
            .map_or("undefined (control mean 0)".to_string(), |r| format!(
                "{:+.1}%",
                100.0 * r
            ))
    );
    let _ = writeln!(
        s,
        "  total incremental value (× {} treated) {:.2}  [{:.2}, {:.2}]",
        u.population, u.total, u.total_ci_low, u.total_ci_high
    );
}

/// Runs `clv uplift`.
pub fn run(args: &UpliftArgs) -> Result<()> {
    let options = UpliftOptions {
        confidence: args.confidence,
        metric: if args.binary {
            Metric::Binary
        } else {
            Metric::Continuous
        },
        population: args.population,
    };
    let strata = args.strata_col.as_deref();
    let (t, ts) = read_group(&args.treated, &args.metric, strata)?;
    let (c, cs) = read_group(&args.control, &args.metric, strata)?;
    let mut out = crate::output(None)?;
    let (overall, per_stratum): (Uplift, Option<StratifiedUplift>) = match strata {
        Some(_) => {
            let s = uplift_stratified(&t, &ts, &c, &cs, &options)?;
            (s.overall.clone(), Some(s))
        }
        None => (uplift(&t, &c, &options)?, None),
    };
    if args.json {
        let mut doc = uplift_json(&overall);
        if let (Some(s), Some(obj)) = (&per_stratum, doc.as_object_mut()) {
            obj.insert("strata".into(), json!(s.strata));
        }
        return crate::write_out(&mut out, &(doc.to_string() + "\n"));
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Uplift of {:?} ({}), treated {} vs control {}",
        args.metric,
        options.metric.as_str(),
        args.treated.display(),
        args.control.display()
    );
    uplift_text(&mut s, &overall);
    if let Some(st) = &per_stratum {
        let _ = writeln!(
            s,
            "\n  by stratum (weights = share of the treated customers)"
        );
        let rows = st.strata.iter().map(|r| {
            [
                r.stratum.clone(),
                r.n_treated.to_string(),
                r.n_control.to_string(),
                format!("{:.3}", r.weight),
                format!("{:.4}", r.effect),
                format!("{:.4}", r.std_error),
            ]
        });
        text_table(&mut s, &STRATA_COLUMNS, rows);
    }
    crate::write_out(&mut out, &s)
}
