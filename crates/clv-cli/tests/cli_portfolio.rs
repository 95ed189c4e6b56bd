//! End-to-end tests of `clv portfolio`, `clv uplift` and the portfolio part of
//! `clv report`: every expected value is worked out by hand from the tiny
//! files each test writes (arithmetic in the comments), or is a published
//! figure (Newcombe 1998).
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Output;

use common::{assert_fails, clv, file, json, run, run_on};

use serde_json::Value;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Exit code 2 with `error [code]` and `needle` in the message.
fn fails(o: &Output, code: &str, needle: &str) {
    assert_fails(o, &[&format!("error [{code}]"), needle]);
}

fn close(v: &Value, want: f64) {
    let g = v.as_f64().unwrap();
    assert!(
        (g - want).abs() < 1e-9 * want.abs().max(1.0),
        "{g} vs {want}"
    );
}

/// Five accounts' contribution margins and P(alive); total 200.
const ACCOUNTS: &str = "customer_id,margin,p_alive
alpha,150,0.5
beta,-20,0.9
gamma,60,0.8
delta,30,1.0
eps,-20,0.2
";

#[test]
fn portfolio_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let p = file(&dir, "accounts.csv", ACCOUNTS);
    let out = dir.path().join("customers.csv");
    let d = json(&run(&format!(
        "portfolio {} --value-col margin --p-alive-col p_alive --customers-out {} --json",
        p.display(),
        out.display()
    )));
    let w = &d["whale_curve"];
    // Sorted: alpha 150, gamma 60, delta 30, beta −20, eps −20 (ties in input order).
    // Cumulative: 150/200 = 0.75, 210/200 = 1.05, 240/200 = 1.2 (peak), 1.1, 1.0.
    close(&w["total"], 200.0);
    close(&w["created"], 240.0);
    close(&w["destroyed"], -40.0);
    close(&w["peak_share"], 1.2);
    assert_eq!(w["peak_customers"], 3);
    close(&w["peak_fraction"], 0.6);
    assert_eq!(w["destroyers"], 2);
    // Top 20 % of 5 = 1 customer: 0.75; top 50 % = ⌈2.5⌉ = 3: 1.2.
    close(&w["top_shares"][3]["share"], 0.75);
    close(&w["top_shares"][4]["share"], 1.2);
    // Gini: Σ_i Σ_j |v_i − v_j| over ordered pairs = 2 × (90 + 120 + 170 + 170 + 30 + 80
    //   + 80 + 50 + 50 + 0) = 2 × 840 = 1680; / (2 n² μ) = 1680 / (2 · 25 · 40) = 0.84.
    close(&w["gini"], 0.84);
    // Tiers by share (0.8, 0.95): alpha (before 0) A, gamma (0.75) A, delta (1.05) C,
    // beta and eps C. A = 210, C = −10.
    let t = &d["tiers"]["tiers"];
    assert_eq!(t[0]["customers"], 2);
    close(&t[0]["value"], 210.0);
    assert_eq!(t[1]["customers"], 0);
    assert_eq!(t[2]["customers"], 3);
    close(&t[2]["value"], -10.0);
    // Revenue at risk: 150·0.5 = 75, −20·0.1 = −2, 60·0.2 = 12, 30·0 = 0, −20·0.8 = −16.
    let r = &d["revenue_at_risk"];
    close(&r["total"], 69.0);
    close(&r["expected_retained"], 131.0); // 200 − 69
    close(&r["share"], 69.0 / 200.0);
    assert_eq!(r["customers_at_risk"], 2);
    assert_eq!(r["top"][0]["customer_id"], "alpha");
    assert_eq!(r["top"][1]["customer_id"], "gamma");
    assert_eq!(d["value_destroyers"][0]["customer_id"], "eps");
    let rows = std::fs::read_to_string(out).unwrap();
    assert_eq!(
        rows.lines().nth(1).unwrap(),
        "alpha,150,1,0.75,A,0.5,75",
        "{rows}"
    );
    // Text output names the measures.
    let text = run(&format!("portfolio {} --value-col margin", p.display()));
    let s = String::from_utf8(text.stdout).unwrap();
    assert!(
        s.contains("peak: 120.0% of the total by the top 3 customers (60.0%)"),
        "{s}"
    );
}

#[test]
fn portfolio_quantile_tiers_and_transactions() {
    let dir = tempfile::tempdir().unwrap();
    let p = file(&dir, "accounts.csv", ACCOUNTS);
    let d = json(&run(&format!(
        "portfolio {} --value-col margin --tiers quantile --cuts 0.2,0.6 --json",
        p.display()
    )));
    // A = top ⌈1⌉ = 1 customer, B = up to ⌈3⌉ = 3, C the rest (the two −20 tie).
    let t = &d["tiers"]["tiers"];
    assert_eq!(
        [&t[0]["customers"], &t[1]["customers"], &t[2]["customers"]],
        [1, 2, 2]
    );
    // A transaction log: a: 10 + 30 (2 rows), b: 4 (1 row).
    // margin = 0.3 · revenue − 2 · rows: a 12 − 4 = 8, b 1.2 − 2 = −0.8; total 7.2.
    let log = file(
        &dir,
        "log.csv",
        "customer_id,date,amount\na,2024-01-01,10\nb,2024-01-02,4\na,2024-01-05,30\n",
    );
    let d = json(&run(&format!(
        "portfolio {} --transactions --amount-col amount --margin-rate 0.3 --cost-per-transaction 2 --json",
        log.display()
    )));
    close(&d["whale_curve"]["total"], 7.2);
    close(&d["whale_curve"]["peak_share"], 8.0 / 7.2);
    close(&d["value_destroyers"][0]["value"], -0.8);
}

#[test]
fn portfolio_errors() {
    let neg = "customer_id,margin\na,-1\nb,-2\n";
    fails(
        &run_on("portfolio", neg, "--value-col margin"),
        "INVALID_INPUT",
        "positive total",
    );
    let dir = tempfile::tempdir().unwrap();
    let p = file(&dir, "accounts.csv", ACCOUNTS);
    fails(
        &run(&format!("portfolio {} --value-col revenue", p.display())),
        "MISSING_COLUMN",
        "revenue",
    );
    fails(
        &run(&format!(
            "portfolio {} --value-col margin --cuts 0.9,0.5",
            p.display()
        )),
        "INVALID_INPUT",
        "cuts[1]",
    );
    let bad = "customer_id,margin,p\na,1,1.5\n";
    fails(
        &run_on("portfolio", bad, "--value-col margin --p-alive-col p"),
        "INVALID_INPUT",
        "p_alive[0]: 1.5",
    );
}

/// Writes a group file `{name}.csv` (columns customer_id, segment, margin)
/// from `segment:margin` pairs separated by spaces, e.g. `"s:12 s:15"`, and
/// returns its path.
fn group(dir: &tempfile::TempDir, name: &str, rows: &str) -> String {
    let mut s = String::from("customer_id,segment,margin\n");
    for (i, row) in rows.split_whitespace().enumerate() {
        let (seg, v) = row.split_once(':').unwrap();
        s.push_str(&format!("{name}{i},{seg},{v}\n"));
    }
    file(dir, &format!("{name}.csv"), &s)
        .to_str()
        .unwrap()
        .to_string()
}

/// Runs `clv uplift --treated t --control c` with the words of `rest`
/// after them (split at white space).
fn uplift(t: &str, c: &str, rest: &str) -> Output {
    let mut args = vec!["uplift", "--treated", t, "--control", c];
    args.extend(rest.split_whitespace());
    clv(&args)
}

#[test]
fn uplift_welch_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let t = group(&dir, "t", "s:12 s:15 s:11 s:18 s:14");
    let c = group(&dir, "c", "s:10 s:12 s:9 s:11");
    let d = json(&uplift(&t, &c, "--metric margin --json"));
    // Means 14 and 10.5; s² 7.5 and 5/3; se² = 7.5/5 + (5/3)/4 = 23/12;
    // df = (23/12)² / (1.5²/4 + (5/12)²/3) = 1587/268.
    let se = (23.0f64 / 12.0).sqrt();
    let df = 1587.0 / 268.0;
    let q = StudentsT::new(0.0, 1.0, df).unwrap().inverse_cdf(0.975);
    close(&d["effect"], 3.5);
    close(&d["df"], df);
    close(&d["ci_low"], 3.5 - q * se);
    close(&d["ci_high"], 3.5 + q * se);
    close(&d["relative_effect"], 3.5 / 10.5);
    close(&d["total"], 17.5); // 3.5 × 5 treated
    let p = 2.0 * (1.0 - StudentsT::new(0.0, 1.0, df).unwrap().cdf(3.5 / se));
    close(&d["p_value"], p);
    // With a population of 2000 reached customers: total 7000.
    let d = json(&uplift(&t, &c, "--metric margin --population 2000 --json"));
    close(&d["total"], 7000.0);
    close(&d["total_ci_low"], 2000.0 * (3.5 - q * se));
}

#[test]
fn uplift_binary_newcombe_published() {
    // Newcombe (1998), Stat. Med. 17:873-890, Table II example (a):
    // 56/70 − 48/80, method 10: 0.0524 to 0.3339.
    let dir = tempfile::tempdir().unwrap();
    let rows = |x: usize, n: usize| {
        (0..n)
            .map(|i| if i < x { "s:1" } else { "s:0" })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let t = group(&dir, "t", &rows(56, 70));
    let c = group(&dir, "c", &rows(48, 80));
    let d = json(&uplift(&t, &c, "--metric margin --binary --json"));
    assert!((d["ci_low"].as_f64().unwrap() - 0.0524).abs() < 5e-5);
    assert!((d["ci_high"].as_f64().unwrap() - 0.3339).abs() < 5e-5);
    close(&d["effect"], 0.2);
    close(&d["total"], 14.0); // 0.2 × 70 treated customers retained in addition
    assert_eq!(d["method"], "newcombe_hybrid_score");
}

#[test]
fn uplift_stratified_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let t = group(&dir, "t", "small:10 small:12 large:30 large:34 large:32");
    let c = group(&dir, "c", "small:9 small:10 large:25 large:27");
    let d = json(&uplift(
        &t,
        &c,
        "--metric margin --strata-col segment --json",
    ));
    // small: 11 − 9.5 = 1.5, weight 2/5; large: 32 − 26 = 6, weight 3/5.
    // effect = 0.6 + 3.6 = 4.2; Var = 0.16 · (1 + 0.25) + 0.36 · (4/3 + 1) = 1.04.
    close(&d["effect"], 4.2);
    close(&d["std_error"], 1.04f64.sqrt());
    assert_eq!(d["strata"][0]["stratum"], "large");
    close(&d["strata"][1]["effect"], 1.5);
    let s =
        String::from_utf8(uplift(&t, &c, "--metric margin --strata-col segment").stdout).unwrap();
    assert!(s.contains("by stratum"), "{s}");
}

#[test]
fn uplift_errors() {
    let dir = tempfile::tempdir().unwrap();
    let t = group(&dir, "t", "s:1 s:2");
    let empty = group(&dir, "e", "");
    let k = group(&dir, "k", "s:3 s:3");
    for (treated, control, rest, code, needle) in [
        (&t, &empty, "--metric margin", "EMPTY_INPUT", "control"),
        (
            &t,
            &t,
            "--metric margin --confidence 95",
            "INVALID_INPUT",
            "confidence",
        ),
        (
            &t,
            &t,
            "--metric margin --binary",
            "INVALID_INPUT",
            "treated[1]: 2",
        ),
        (&k, &k, "--metric margin", "INVALID_INPUT", "both constant"),
        (&t, &t, "--metric revenue", "MISSING_COLUMN", "revenue"),
    ] {
        fails(&uplift(treated, control, rest), code, needle);
    }
}

#[test]
fn report_has_whale_curve_and_revenue_at_risk() {
    let d = json(&run("report --json --top 3"));
    let clv_total = d["value"]["clv_total"].as_f64().unwrap();
    let w = &d["value"]["whale_curve"];
    close(&w["total"], clv_total);
    // CLV is never negative: the curve peaks at 1.
    close(&w["peak_share"], 1.0);
    assert!(w["gini"].as_f64().unwrap() > 0.0 && w["gini"].as_f64().unwrap() < 1.0);
    let r = &d["revenue_at_risk"];
    // Σ value_if_active · P(alive) = Σ CLV, so at risk + likely lost + expected to stay
    // = value if active.
    close(&r["expected_retained"], clv_total);
    close(
        &Value::from(r["total"].as_f64().unwrap() + r["lost_total"].as_f64().unwrap() + clv_total),
        r["total_value"].as_f64().unwrap(),
    );
    let top = &r["top"][0];
    close(
        &top["value_at_risk"],
        top["value_if_active"].as_f64().unwrap() * (1.0 - top["prob_alive"].as_f64().unwrap()),
    );
    let text = String::from_utf8(run("report --top 3").stdout).unwrap();
    assert!(
        text.contains("the top 10% (236 customers) carry 56.8%"),
        "{text}"
    );
    assert!(
        text.contains("Revenue at risk over the next 12 months"),
        "{text}"
    );
}
