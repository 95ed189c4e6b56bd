//! The summary (column) reader: any bytes, read in one piece and in 3; no
//! panic, and the same columns or the same error either way.
#![no_main]
use clv::io::read_csv_columns_in_chunks;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let wanted = ["frequency", "recency", "T", "monetary_value"];
    let id = data.first().is_some_and(|b| b & 1 == 1).then_some("customer_id");
    let one = read_csv_columns_in_chunks(data, id, &wanted, 1);
    let three = read_csv_columns_in_chunks(data, id, &wanted, 3);
    match (&one, &three) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("the paths disagree: {one:?} vs {three:?}"),
    }
});
