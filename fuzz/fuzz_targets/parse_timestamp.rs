//! The date parser: any text, with and without a format: no panic; a date
//! it reads writes back (format_timestamp) to text it reads as the same
//! second.
#![no_main]
use clv::time::{format_timestamp, parse_timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (format, text) = match text.split_once('|') {
        Some((f, t)) => (Some(f), t),
        None => (None, text),
    };
    if let Ok(ts) = parse_timestamp(text, format) {
        let back = format_timestamp(ts);
        assert_eq!(parse_timestamp(&back, None), Ok(ts), "{text:?} -> {back:?}");
    }
});
