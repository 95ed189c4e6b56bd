//! The reading options of the transaction targets, taken from one byte of
//! flags: bits 0-2 the delimiter, 3 a header (columns by name, else by
//! position), 4 an amount column, 5 a dd/mm/YYYY date format, 6
//! `skip_invalid`. Included by the targets with `#[path]` (not a target).
use clv::io::{ColumnRef, Delimiter, ReadOptions};

pub fn read_options(flags: u8) -> ReadOptions {
    let delimiter = [Delimiter::Auto, Delimiter::Comma, Delimiter::Tab, Delimiter::Semicolon, Delimiter::Whitespace]
        [usize::from(flags & 7) % 5];
    let has_header = flags & 8 != 0;
    let col = |name: &str, pos: usize| {
        if has_header { ColumnRef::Name(name.into()) } else { ColumnRef::Position(pos) }
    };
    ReadOptions {
        customer_col: col("id", 1),
        date_col: col("date", 2),
        amount_col: (flags & 16 != 0).then(|| col("amount", 3)),
        date_format: (flags & 32 != 0).then(|| "%d/%m/%Y".to_string()),
        delimiter,
        has_header,
        skip_invalid: flags & 64 != 0,
    }
}
