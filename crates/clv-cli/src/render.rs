//! Text and JSON rendering shared by the commands: the output format, CSV
//! quoting, the fixed-width text tables of the commands' text output, and
//! the whale curve and revenue-at-risk blocks that both `clv portfolio` and
//! `clv report` print.

use std::fmt::Write as _;

use clap::ValueEnum;
use clv::fit::LeftOut;
use clv::portfolio::{RiskRanking, WhaleCurve};
use serde_json::{Value, json};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header.
    Csv,
    /// One JSON document.
    Json,
}

/// Quotes a CSV field when it needs quoting.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// How many customer ids a left-out warning lists.
const LEFT_OUT_IDS: usize = 10;

/// The customer ids of the rows a fit left out (`ids` per input row).
pub fn left_out_ids(left: &LeftOut, ids: &[String]) -> Vec<String> {
    left.indices
        .iter()
        .map(|&i| {
            ids.get(i)
                .cloned()
                .unwrap_or_else(|| format!("row {}", i + 1))
        })
        .collect()
}

/// One line naming the customers a fit of `model` left out (the first
/// [`LEFT_OUT_IDS`] ids, then how many more), and why.
pub fn left_out_text(model: &str, left: &LeftOut, ids: &[String]) -> String {
    let named = left_out_ids(left, ids);
    let shown: Vec<String> = named
        .iter()
        .take(LEFT_OUT_IDS)
        .map(|s| csv_field(s))
        .collect();
    let more = named.len().saturating_sub(LEFT_OUT_IDS);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(
        "{model} left out {} customer(s): {}{more} ({})",
        named.len(),
        shown.join(", "),
        left.reason
    )
}

/// `{"count", "customer_ids", "reason"}` of a fit's left-out rows.
pub fn left_out_json(left: &LeftOut, ids: &[String]) -> Value {
    json!({
        "count": left.indices.len(),
        "customer_ids": left_out_ids(left, ids),
        "reason": left.reason,
    })
}

/// The whale curve as JSON (without the per-customer arrays).
pub fn whale_json(w: &WhaleCurve) -> Value {
    json!({
        "customers": w.len(),
        "total": w.total,
        "created": w.created,
        "destroyed": w.destroyed,
        "peak_share": w.peak_share,
        "peak_customers": w.peak_customers,
        "peak_fraction": w.peak_fraction,
        "gini": w.gini,
        "top_shares": w.top_shares,
        "destroyers": w.destroyers.len(),
    })
}

/// Text lines of a whale curve.
pub fn whale_text(s: &mut String, w: &WhaleCurve) {
    let _ = writeln!(
        s,
        "  total {:.2} (created {:.2}, destroyed {:.2}); Gini {:.4}",
        w.total, w.created, w.destroyed, w.gini
    );
    for t in &w.top_shares {
        let _ = writeln!(
            s,
            "  top {:>4.0}% ({:>5} customers): {:>7.1}% of the total",
            100.0 * t.fraction,
            t.customers,
            100.0 * t.share
        );
    }
    let _ = writeln!(
        s,
        "  peak: {:.1}% of the total by the top {} customers ({:.1}%); {} customers destroy value",
        100.0 * w.peak_share,
        w.peak_customers,
        100.0 * w.peak_fraction,
        w.destroyers.len()
    );
}

/// Writes a text table to `s`: a line of the column names, then a line for
/// each row of `rows`, each indented by two spaces, with the first cell
/// left-aligned and the others right-aligned in the width of their column
/// (`columns`: name and width; a cell longer than its width is not cut).
pub fn text_table<const N: usize>(
    s: &mut String,
    columns: &[(&str, usize); N],
    rows: impl IntoIterator<Item = [String; N]>,
) {
    let names = columns.map(|(name, _)| name.to_string());
    for cells in std::iter::once(names).chain(rows) {
        s.push_str("  ");
        for (k, (cell, &(_, width))) in cells.iter().zip(columns).enumerate() {
            let _ = if k == 0 {
                write!(s, "{cell:<width$}")
            } else {
                write!(s, "{cell:>width$}")
            };
        }
        s.push('\n');
    }
}

/// Text lines of revenue at risk, listing the top `top` customers.
pub fn risk_text(s: &mut String, r: &RiskRanking, ids: &[String], values_label: &str, top: usize) {
    let _ = writeln!(
        s,
        "  total at risk {:.2} of {:.2} ({:.1}%); expected to stay {:.2}",
        r.total,
        r.total_value,
        100.0 * r.share.unwrap_or(f64::NAN),
        r.expected_retained
    );
    let columns = [
        ("customer", 12),
        (values_label, 14),
        ("P(alive)", 10),
        ("at risk", 12),
    ];
    let rows = r.at_risk.iter().take(top).map(|c| {
        [
            csv_field(&ids[c.index]),
            format!("{:.2}", c.value),
            format!("{:.3}", c.p_alive),
            format!("{:.2}", c.value_at_risk),
        ]
    });
    text_table(s, &columns, rows);
}
