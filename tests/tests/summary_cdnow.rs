//! Transaction log → customer summary on the CDNOW data (Fader & Hardie).
//!
//! 1. The papers' 39-week calibration summary of the 1/10 sample (2,357
//!    customers): `cdnow_customers_summary.csv` (x, t_x, T of Fader, Hardie &
//!    Lee 2005, "Counting Your Customers the Easy Way", Marketing Science
//!    24(2)) and `cdnow_customers_summary_with_transactions.csv` (plus z̄, Fader
//!    & Hardie 2013, "The Gamma-Gamma Model of Monetary Value"). Per
//!    `tests/data/README.md` (shared/data/README) both are reproduced from
//!    `CDNOW_sample.txt` by lifetimes' summary with `freq="D",
//!    freq_multiplier=7`, observation end 1997-09-30, rounded to 2 decimals
//!    (z̄ half up).
//! 2. The calibration/holdout split of the full `CDNOW_master.txt` in weeks,
//!    checked customer by customer against an independent computation written
//!    here with chrono and BTreeMaps (no code shared with `clv::summary`).
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use clv::io::{ColumnRef, ReadOptions, read_transactions_path};
use clv::summary::{SummaryOptions, summarize_coded};
use clv::time::{TimeUnit, parse_timestamp};
use clv_conformance::data_path;

fn ts(text: &str) -> i64 {
    parse_timestamp(text, None).unwrap()
}

/// Rows of a small CSV file with a header, as strings.
fn csv_rows(name: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(data_path(name)).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|f| f.trim().to_string()).collect())
        .collect()
}

/// Round half up to cents. Our z̄ is S/n with S an exact number of cents and
/// n ≤ 39 repeat days, so a true tie (k + ½ cent) may come out of binary
/// arithmetic a hair below k + ½; a non-tie is at least 1/(2n) ≥ 1/78 cent
/// away from any tie. Nudging by 1e-6 cent therefore rounds every tie up and
/// changes nothing else.
fn cents_half_up(x: f64) -> i64 {
    (x * 100.0 + 0.5 + 1e-6).floor() as i64
}

fn cents(text: &str) -> i64 {
    (text.parse::<f64>().unwrap() * 100.0).round() as i64
}

#[test]
fn cdnow_sample_reproduces_the_papers_calibration_summary() {
    let read = ReadOptions {
        customer_col: ColumnRef::parse("2"),
        date_col: ColumnRef::parse("3"),
        amount_col: Some(ColumnRef::parse("5")),
        has_header: false,
        ..ReadOptions::default()
    };
    let table = read_transactions_path(&data_path("CDNOW_sample.txt"), &read).unwrap();
    assert_eq!(table.timestamps.len(), 6919);
    let options = SummaryOptions {
        unit: TimeUnit::parse("7d").unwrap(),
        observation_end: Some(ts("1998-06-30")),
        calibration_end: Some(ts("1997-09-30")),
        skip_invalid: false,
    };
    let s = summarize_coded(
        &table.ids,
        &table.timestamps,
        table.amounts.as_deref(),
        &options,
    )
    .unwrap();
    assert_eq!(s.len(), 2357);
    assert_eq!(s.n_transactions, 6919);
    assert_eq!(s.holdout_only_customers, 0);
    // 273 days from 1997-09-30 to 1998-06-30, in units of 7 days.
    assert_eq!(s.holdout.as_ref().unwrap().duration, 39.0);

    let xtt = csv_rows("cdnow_customers_summary.csv");
    let zbar = csv_rows("cdnow_customers_summary_with_transactions.csv");
    assert_eq!((xtt.len(), zbar.len()), (2357, 2357));
    let money = s.monetary_value.as_ref().unwrap();
    let mut repeaters = 0;
    for (k, id) in s.customer_id.iter().enumerate() {
        // Sample ids "0001".."2357" are the summaries' ID 1..2357, in order.
        let row = &xtt[k];
        assert_eq!(id.parse::<u32>().unwrap(), row[0].parse::<u32>().unwrap());
        assert_eq!(s.frequency[k], row[1].parse::<f64>().unwrap(), "x of {id}");
        assert_eq!(
            (s.recency[k] * 100.0).round() as i64,
            cents(&row[2]),
            "t_x of {id}"
        );
        assert_eq!((s.t[k] * 100.0).round() as i64, cents(&row[3]), "T of {id}");
        let z = &zbar[k];
        assert_eq!(z[0], row[0]);
        assert_eq!(
            cents_half_up(money[k]),
            cents(&z[4]),
            "zbar of {id}: {}",
            money[k]
        );
        repeaters += usize::from(s.frequency[k] > 0.0);
    }
    // README: 946 customers have x > 0.
    assert_eq!(repeaters, 946);
    // Sample customer 0001 (master 00004): days 01-01, 01-18, 08-02 of 1997 →
    // x = 2, t_x = 213/7 = 30.43, T = 272/7 = 38.86, z̄ = (29.73 + 14.96)/2 = 22.345 → 22.35.
    assert_eq!(s.customer_id[0], "0001");
    assert_eq!(
        (s.frequency[0], s.recency[0], s.t[0]),
        (2.0, 213.0 / 7.0, 272.0 / 7.0)
    );
    assert_eq!(cents_half_up(money[0]), 2235);
}

/// One customer's expected row, computed independently.
#[derive(Debug, PartialEq)]
struct Expected {
    frequency: f64,
    recency: f64,
    t: f64,
    monetary: f64,
    frequency_holdout: f64,
    monetary_holdout: f64,
}

fn monday(d: NaiveDate) -> NaiveDate {
    d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

fn weeks(a: NaiveDate, b: NaiveDate) -> f64 {
    let days = (b - a).num_days();
    assert_eq!(days % 7, 0);
    (days / 7) as f64
}

/// Straightforward weekly calibration/holdout summary of CDNOW_master.txt.
fn reference(cal_end: NaiveDate, obs_end: NaiveDate) -> (BTreeMap<String, Expected>, usize) {
    let text = std::fs::read_to_string(data_path("CDNOW_master.txt")).unwrap();
    let mut cal: BTreeMap<String, BTreeMap<NaiveDate, f64>> = BTreeMap::new();
    let mut hold: BTreeMap<String, (BTreeSet<NaiveDate>, Vec<f64>)> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let date = NaiveDate::parse_from_str(f[1], "%Y%m%d").unwrap();
        let amount: f64 = f[3].parse().unwrap();
        assert!(date <= obs_end);
        if date <= cal_end {
            *cal.entry(f[0].to_string())
                .or_default()
                .entry(monday(date))
                .or_insert(0.0) += amount;
        } else {
            let h = hold.entry(f[0].to_string()).or_default();
            h.0.insert(monday(date));
            h.1.push(amount);
        }
    }
    let end_week = monday(cal_end);
    let mut out = BTreeMap::new();
    for (id, periods) in &cal {
        let first = *periods.keys().next().unwrap();
        let last = *periods.keys().next_back().unwrap();
        let x = periods.len() - 1;
        let repeat: f64 = periods.iter().skip(1).map(|(_, v)| v).sum();
        let (fh, mh) = match hold.get(id) {
            Some((w, a)) => (w.len() as f64, a.iter().sum::<f64>() / a.len() as f64),
            None => (0.0, 0.0),
        };
        out.insert(
            id.clone(),
            Expected {
                frequency: x as f64,
                recency: weeks(first, last),
                t: weeks(first, end_week),
                monetary: if x > 0 { repeat / x as f64 } else { 0.0 },
                frequency_holdout: fh,
                monetary_holdout: mh,
            },
        );
    }
    let holdout_only = hold.keys().filter(|id| !cal.contains_key(*id)).count();
    (out, holdout_only)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn cdnow_master_weekly_holdout_matches_independent_computation() {
    let read = ReadOptions {
        amount_col: Some(ColumnRef::parse("dollar_value")),
        ..ReadOptions::default()
    };
    let table = read_transactions_path(&data_path("CDNOW_master.txt"), &read).unwrap();
    assert_eq!(table.timestamps.len(), 69_659);
    let options = SummaryOptions {
        unit: TimeUnit::parse("W").unwrap(),
        observation_end: Some(ts("1998-06-30")),
        calibration_end: Some(ts("1997-09-30")),
        skip_invalid: false,
    };
    let s = summarize_coded(
        &table.ids,
        &table.timestamps,
        table.amounts.as_deref(),
        &options,
    )
    .unwrap();
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let (expected, holdout_only) = reference(d(1997, 9, 30), d(1998, 6, 30));
    assert_eq!(s.len(), expected.len());
    // Every CDNOW customer's first purchase is in Q1 1997 (README).
    assert_eq!(
        (s.len(), holdout_only, s.holdout_only_customers),
        (23_570, 0, 0)
    );
    assert_eq!(s.n_transactions, 69_659);
    let h = s.holdout.as_ref().unwrap();
    // Mondays 1997-09-29 → 1998-06-29: 273 days = 39 weeks.
    assert_eq!(h.duration, 39.0);
    let m = s.monetary_value.as_ref().unwrap();
    let mh = h.monetary_value.as_ref().unwrap();
    for (k, (id, e)) in expected.iter().enumerate() {
        assert_eq!(&s.customer_id[k], id);
        assert_eq!(
            (s.frequency[k], s.recency[k], s.t[k], h.frequency[k]),
            (e.frequency, e.recency, e.t, e.frequency_holdout),
            "{id}"
        );
        assert!(close(m[k], e.monetary), "{id}: {} vs {}", m[k], e.monetary);
        assert!(
            close(mh[k], e.monetary_holdout),
            "{id}: {} vs {}",
            mh[k],
            e.monetary_holdout
        );
    }

    let row = |id: &str| {
        let k = s.customer_id.iter().position(|c| c == id).unwrap();
        (
            s.frequency[k],
            s.recency[k],
            s.t[k],
            m[k],
            h.frequency[k],
            mh[k],
        )
    };
    // 00002: 12.00 and 77.00 both on Sun 1997-01-12 (week of Mon 01-06): one
    // period, x = 0, m = 0; T = (Mon 1997-09-29 − Mon 01-06) = 266 days = 38 weeks.
    assert_eq!(row("00002"), (0.0, 0.0, 38.0, 0.0, 0.0, 0.0));
    // 00003: calibration weeks of Mon 1996-12-30, 1997-03-24, 1997-03-31 →
    // x = 2, t_x = 91 days = 13 weeks, T = 273 days = 39 weeks,
    // m = (20.76 + 19.54)/2 = 20.15; holdout weeks of 11-10, 11-24, 1998-05-25
    // → 3, raw mean (57.45 + 20.96 + 16.99)/3 = 31.8.
    let r = row("00003");
    assert_eq!((r.0, r.1, r.2, r.4), (2.0, 13.0, 39.0, 3.0));
    assert!((r.3 - 20.15).abs() < 1e-9 && (r.5 - 31.8).abs() < 1e-9);
    // 03324: weeks of Mon 1997-01-20, 02-17, 06-23, 09-29 (Mon 09-29, ≤ 09-30) →
    // x = 3, t_x = T = 252 days = 36 weeks, m = (15.96 + 15.36 + 22.98)/3 = 18.10.
    // Sat 1997-10-04 is in the holdout but in the same week of Mon 09-29: that
    // week counts in both (lifetimes does the same), frequency_holdout = 1, 13.99.
    let r = row("03324");
    assert_eq!((r.0, r.1, r.2, r.4, r.5), (3.0, 36.0, 36.0, 1.0, 13.99));
    assert!((r.3 - 18.10).abs() < 1e-9);
}

#[test]
fn frequency_holdout_is_not_divided_by_the_multiplier() {
    // lifetimes quirk: with "7d", frequency_holdout counts distinct holdout
    // DAYS (not weeks) while duration_holdout is divided by 7. Sample customer
    // 0001 (master 00004) has one holdout purchase, on 1997-12-12.
    let read = ReadOptions {
        customer_col: ColumnRef::parse("2"),
        date_col: ColumnRef::parse("3"),
        amount_col: Some(ColumnRef::parse("5")),
        has_header: false,
        ..ReadOptions::default()
    };
    let table = read_transactions_path(&data_path("CDNOW_sample.txt"), &read).unwrap();
    let options = SummaryOptions {
        unit: TimeUnit::parse("7d").unwrap(),
        observation_end: Some(ts("1998-06-30")),
        calibration_end: Some(ts("1997-09-30")),
        skip_invalid: false,
    };
    let s = summarize_coded(
        &table.ids,
        &table.timestamps,
        table.amounts.as_deref(),
        &options,
    )
    .unwrap();
    let h = s.holdout.unwrap();
    assert_eq!(
        (h.frequency[0], h.monetary_value.as_ref().unwrap()[0]),
        (1.0, 26.48)
    );
    // Sample customer 0009 buys in the holdout on Tue 1998-02-10 (28.49) and
    // Wed 1998-02-11 (28.98): 2 distinct days (not 2/7 and not 1 week);
    // monetary_value_holdout = (28.49 + 28.98)/2 = 28.735.
    assert_eq!(s.customer_id[8], "0009");
    assert_eq!(h.frequency[8], 2.0);
    assert!((h.monetary_value.as_ref().unwrap()[8] - 28.735).abs() < 1e-9);
    assert_eq!(h.duration, 39.0);
}

/// As-of weekly summary of CDNOW_master.txt computed independently with
/// lifetimes' period rule (`summary_data_from_transaction_data`: each date
/// and the observation end become the Monday of their week, rows whose
/// Monday is after the end's Monday are dropped): per customer (frequency,
/// recency, T, monetary value), and the number of rows dropped. With
/// `raw_cut`, rows are dropped by their date instead (the old behaviour).
fn as_of_reference(obs_end: NaiveDate, raw_cut: bool) -> (BTreeMap<String, [f64; 4]>, usize) {
    let text = std::fs::read_to_string(data_path("CDNOW_master.txt")).unwrap();
    let end_week = monday(obs_end);
    let mut weeks_of: BTreeMap<String, BTreeMap<NaiveDate, f64>> = BTreeMap::new();
    let mut dropped = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let date = NaiveDate::parse_from_str(f[1], "%Y%m%d").unwrap();
        let week = monday(date);
        if week > end_week || (raw_cut && date > obs_end) {
            dropped += 1;
            continue;
        }
        *weeks_of
            .entry(f[0].to_string())
            .or_default()
            .entry(week)
            .or_insert(0.0) += f[3].parse::<f64>().unwrap();
    }
    let out = weeks_of
        .iter()
        .map(|(id, w)| {
            let first = *w.keys().next().unwrap();
            let last = *w.keys().next_back().unwrap();
            let x = w.len() - 1;
            let repeat: f64 = w.values().skip(1).sum();
            let m = if x > 0 { repeat / x as f64 } else { 0.0 };
            let row = [x as f64, weeks(first, last), weeks(first, end_week), m];
            (id.clone(), row)
        })
        .collect();
    (out, dropped)
}

#[test]
fn cdnow_master_weekly_as_of_summary_equals_lifetimes() {
    // Issue 12: `--freq W --observation-end 1997-09-30` on CDNOW_master. The
    // observation end is a period (the week of Mon 1997-09-29 .. Sun 10-05):
    // rows of that week after Tuesday 09-30 are in the window, later rows are
    // left out and counted, as lifetimes 0.11.3 does (its summary gives a sum
    // of frequency of 22490; dropping the rows of 10-01 .. 10-05 gave 22198
    // and 292 customers different).
    let read = ReadOptions {
        amount_col: Some(ColumnRef::parse("dollar_value")),
        ..ReadOptions::default()
    };
    let table = read_transactions_path(&data_path("CDNOW_master.txt"), &read).unwrap();
    let options = SummaryOptions {
        unit: TimeUnit::parse("W").unwrap(),
        observation_end: Some(ts("1997-09-30")),
        calibration_end: None,
        skip_invalid: false,
    };
    let s = summarize_coded(
        &table.ids,
        &table.timestamps,
        table.amounts.as_deref(),
        &options,
    )
    .unwrap();
    let end = NaiveDate::from_ymd_opt(1997, 9, 30).unwrap();
    let (expected, dropped) = as_of_reference(end, false);
    assert_eq!(s.len(), expected.len());
    assert_eq!(s.len(), 23_570);
    assert_eq!(s.after_observation_end, dropped);
    assert_eq!(s.n_transactions + s.after_observation_end, 69_659);
    let m = s.monetary_value.as_ref().unwrap();
    for (k, (id, e)) in expected.iter().enumerate() {
        assert_eq!(&s.customer_id[k], id);
        assert_eq!([s.frequency[k], s.recency[k], s.t[k]], e[..3], "{id}");
        assert!(close(m[k], e[3]), "{id}: {} vs {}", m[k], e[3]);
    }
    assert_eq!(s.frequency.iter().sum::<f64>(), 22_490.0);
    // The rows of the end's week after the end itself make the difference:
    // cut at the raw date, 292 customers differ in (frequency, recency, T)
    // (301 with the monetary value) and the sum is 22198 (the figures).
    let (raw, _) = as_of_reference(end, true);
    let differ = expected
        .iter()
        .filter(|(id, e)| raw[*id][..3] != e[..3])
        .count();
    let raw_sum: f64 = raw.values().map(|e| e[0]).sum();
    assert_eq!((differ, raw_sum), (292, 22_198.0));
}
