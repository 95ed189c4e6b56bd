//! The transaction reader: any bytes, with options taken from the first
//! byte, read sequentially and in 3 chunks. Neither may panic, and both must
//! give the same table or the same error (message included: the line an
//! error names).
#![no_main]
use clv::io::{ColumnRef, Delimiter, ReadOptions, read_transactions_in_chunks};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, text)) = data.split_first() else {
        return;
    };
    let delimiter = [Delimiter::Auto, Delimiter::Comma, Delimiter::Tab, Delimiter::Semicolon, Delimiter::Whitespace]
        [usize::from(flags & 7) % 5];
    let has_header = flags & 8 != 0;
    let col = |name: &str, pos: usize| {
        if has_header { ColumnRef::Name(name.into()) } else { ColumnRef::Position(pos) }
    };
    let options = ReadOptions {
        customer_col: col("id", 1),
        date_col: col("date", 2),
        amount_col: (flags & 16 != 0).then(|| col("amount", 3)),
        date_format: (flags & 32 != 0).then(|| "%d/%m/%Y".to_string()),
        delimiter,
        has_header,
        skip_invalid: flags & 64 != 0,
    };
    let one = read_transactions_in_chunks(text, &options, 1);
    let three = read_transactions_in_chunks(text, &options, 3);
    match (&one, &three) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("the paths disagree: {one:?} vs {three:?}"),
    }
});
