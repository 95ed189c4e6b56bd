//! Inputs the fuzz targets (`fuzz/`, `scripts/fuzz.sh`) found, kept as
//! regression tests: each failed once and must not again.
#![allow(clippy::unwrap_used)]

use clv::io::{ColumnRef, Delimiter, ReadOptions};
use clv::time::parse_timestamp;

/// The sequential and the chunked transaction reader give the same result
/// (without the `parallel` feature there is only the sequential one).
fn same_both_ways(text: &[u8], options: &ReadOptions) -> clv::Result<clv::io::TransactionTable> {
    #[cfg(not(feature = "parallel"))]
    return clv::io::read_transactions(text, options);
    #[cfg(feature = "parallel")]
    {
        use clv::io::read_transactions_in_chunks;
        let one = read_transactions_in_chunks(text, options, 1);
        let three = read_transactions_in_chunks(text, options, 3);
        match (&one, &three) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!("{one:?} vs {three:?}"),
        }
        one
    }
}

#[test]
fn read_transactions_numbers_lines_after_blank_lines() {
    // fuzz read_transactions crash-8dec7705: "\n\n\t" with tabs, no header,
    // skipping: the sequential reader said line 1 (the csv crate's count,
    // without blank lines), the chunked one line 3 (issue 17 #15).
    let o = ReadOptions {
        customer_col: ColumnRef::Position(1),
        date_col: ColumnRef::Position(2),
        delimiter: Delimiter::Tab,
        has_header: false,
        skip_invalid: true,
        ..ReadOptions::default()
    };
    let e = same_both_ways(b"\n\n\t", &o).unwrap_err();
    assert!(e.to_string().contains("line 3"), "{e}");
    // CRLF line ends and blank lines before a bad date: line 5
    let o = ReadOptions {
        delimiter: Delimiter::Comma,
        ..ReadOptions::default()
    };
    let text = b"customer_id,date\r\na,1997-01-01\r\n\r\n\r\nb,1997-02-30\r\n";
    let e = same_both_ways(text, &o).unwrap_err();
    assert!(e.to_string().contains("line 5"), "{e}");
}

#[test]
fn a_bom_after_blank_lines_is_not_a_bom() {
    // fuzz read_transactions crash-3e8e9c78: a BOM at the start of the
    // first non-blank line (not of the file) was stripped by the chunked
    // reader only.
    let o = ReadOptions {
        customer_col: ColumnRef::Name("id".into()),
        date_col: ColumnRef::Name("date".into()),
        delimiter: Delimiter::Comma,
        ..ReadOptions::default()
    };
    let e = same_both_ways(b"\n\xef\xbb\xbf\t\xbb\xbf", &o).unwrap_err();
    assert_eq!(e.code(), "MISSING_COLUMN");
}

#[test]
fn dates_beyond_the_year_9999_are_refused() {
    // fuzz parse_timestamp crash-3355bf7b: "%s" with 2666666666666 seconds
    // (the year 86,000) was read, and written back as text no reader takes
    // (issue 17 #17: years 0000 and +12345 were accepted).
    assert!(parse_timestamp("02666666666666", Some("%s")).is_err());
    assert!(parse_timestamp("0000-12-31", None).is_err());
    assert_eq!(
        parse_timestamp("0001-01-01", None).unwrap(),
        -62_135_596_800
    );
}

#[test]
fn bg_bb_dert_with_a_large_delta_is_a_number() {
    // fuzz model_json crash-3e4a11a0 (2026-12-02): BG/BB with γ = 455.657,
    // δ = 20956, DERT at d = 0.01 for (x, t_x, n) = (2, 15, 30) was NaN:
    // ₂F₁(1, δ+n+1; γ+δ+n+1; 1/1.01) came out −6.0e140 (the 1 − z
    // transformation's series, whose third parameter 1 − m = −453.657 is
    // negative, stopped while its ratio was briefly below 1).
    use clv::models::{AnyModel, TransactionModel};
    let m = AnyModel::from_json(
        r#"{"format_version": 1, "model": "bg_bb", "params": {"alpha": 1.204, "beta": 0.75, "gamma": 455.657, "delta": 20956}, "fit": null}"#,
    )
    .unwrap();
    let d = m.dert(0.01, &[2.0], &[15.0], &[30.0]).unwrap()[0];
    assert!(d.is_finite() && d > 0.0, "{d}");
    // the same sum by its definition: Σ_{t>n} P(alive at t | data) · E[p | data] / 1.01^{t−n}
    // (FHS 2010 eq. 15 as a series); the survival ratio of the Beta-geometric
    // dropout is B(γ, δ+t)/B(γ, δ+n) = Π_{k=n}^{t−1} (δ+k)/(γ+δ+k)
    let alive = m.prob_alive_ahead(1.0, &[2.0], &[15.0], &[30.0]).unwrap()[0];
    // prob_alive_ahead(1) = P(alive at n+1) = P(alive at n)·(δ+n)/(γ+δ+n)
    let (g, dl, n) = (455.657_f64, 20956.0_f64, 30.0_f64);
    let p_mean = (1.204 + 2.0) / (1.204 + 0.75 + n);
    let mut s = 0.0;
    let mut a = alive; // P(alive at n+1 | data)
    for k in 1..20_000 {
        s += a * p_mean / 1.01_f64.powi(k);
        let t = n + f64::from(k);
        a *= (dl + t) / (g + dl + t);
    }
    assert!((d - s).abs() < 1e-9 * s, "{d} vs {s}");
}
