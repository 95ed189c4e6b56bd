//! Inputs the fuzz targets (`fuzz/`, `scripts/fuzz.sh`) found, kept as
//! regression tests: each failed once and must not again.
#![allow(clippy::unwrap_used)]

use clv::io::{ColumnRef, Delimiter, ReadOptions, read_transactions_in_chunks};
use clv::time::parse_timestamp;

/// The sequential and the chunked transaction reader give the same result.
fn same_both_ways(text: &[u8], options: &ReadOptions) -> clv::Result<clv::io::TransactionTable> {
    let one = read_transactions_in_chunks(text, options, 1);
    let three = read_transactions_in_chunks(text, options, 3);
    match (&one, &three) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("{one:?} vs {three:?}"),
    }
    one
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
