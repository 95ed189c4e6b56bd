//! The transaction reader: any bytes, with options taken from the first
//! byte, read sequentially and in 3 chunks. Neither may panic, and both must
//! give the same table or the same error (message included: the line an
//! error names).
#![no_main]
use clv::io::read_transactions_in_chunks;
use libfuzzer_sys::fuzz_target;

#[path = "read_options.rs"]
mod read_options;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, text)) = data.split_first() else {
        return;
    };
    let options = read_options::read_options(flags);
    let one = read_transactions_in_chunks(text, &options, 1);
    let three = read_transactions_in_chunks(text, &options, 3);
    match (&one, &three) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("the paths disagree: {one:?} vs {three:?}"),
    }
});
