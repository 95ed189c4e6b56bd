//! Reading input files: transaction files ([`read_transactions`]), one row
//! per transaction with a customer id, a date (or date-time) and optionally
//! an amount; and the numeric columns of per-customer files such as
//! summaries or scores ([`read_csv_columns`]), read by header name. Both cut
//! a file held in memory into chunks at line ends for the rayon threads and
//! parse numbers the same way (UTF-8, trimmed, `str::parse`).
//!
//! # Transaction files
//!
//! Two layouts are read:
//! - delimited text (comma, tab or semicolon; quoting as in RFC 4180), read
//!   with the `csv` crate into one reused `ByteRecord`;
//! - whitespace-separated columns such as `CDNOW_master.txt` (any run of
//!   spaces or tabs separates fields, leading spaces are ignored), split by
//!   hand because the `csv` crate cannot treat a run of blanks as one
//!   delimiter.
//!
//! CRLF line ends and a UTF-8 byte-order mark are tolerated, fields are
//! trimmed and blank lines are ignored. Ids are interned while reading
//! ([`CustomerIds::push`]), dates go through [`parse_timestamp`], amounts are
//! parsed from the bytes without allocating.
//!
//! Every bad line is an [`Error::Parse`] naming the column, the 1-based line of
//! the file and the text; with [`ReadOptions::skip_invalid`] it is skipped
//! instead and listed in [`TransactionTable::skipped`], never dropped
//! silently. Negative or non-finite amounts are parse errors here, so that
//! the message can name the line.
//!
//! ```
//! use clv::io::{read_transactions, ColumnRef, ReadOptions};
//! let text = "id,date,amount\na,1997-01-01,10.5\nb,1997-01-03,2\na,1997-01-08,0\n";
//! let options = ReadOptions {
//!     customer_col: ColumnRef::parse("id"),
//!     amount_col: Some(ColumnRef::parse("amount")),
//!     ..ReadOptions::default()
//! };
//! let table = read_transactions(text.as_bytes(), &options)?;
//! assert_eq!(table.ids.names, ["a", "b"]);
//! assert_eq!(table.ids.codes, [0, 1, 0]);
//! assert_eq!(table.timestamps[1], 852_249_600); // 1997-01-03 = day 9864 · 86400
//! assert_eq!(table.amounts, Some(vec![10.5, 2.0, 0.0]));
//! # Ok::<(), clv::Error>(())
//! ```

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::{Error, Result};
use crate::summary::CustomerIds;
#[cfg(doc)]
use crate::time::parse_timestamp;
use crate::time::timestamp_or_reason;

mod columns;
mod stream;

pub use columns::{CsvColumns, read_csv_columns, read_csv_columns_in_chunks, write_csv_columns};
#[doc(hidden)]
pub use stream::summarize_bytes_in_pieces;
pub use stream::{
    DEFAULT_BATCH, SummaryReader, summarize_path, summarize_reader, summarize_reader_csv,
};

/// A column, by header name or by 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnRef {
    /// The column whose header is this name.
    Name(String),
    /// The n-th column, counting from 1.
    Position(usize),
}

impl ColumnRef {
    /// All digits (and ≥ 1) → [`ColumnRef::Position`], otherwise
    /// [`ColumnRef::Name`]. When the file has a header, a header field equal
    /// to the digits still wins over the position.
    ///
    /// ```
    /// use clv::io::ColumnRef;
    /// assert_eq!(ColumnRef::parse("3"), ColumnRef::Position(3));
    /// assert_eq!(ColumnRef::parse("date"), ColumnRef::Name("date".into()));
    /// ```
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        match text.parse::<usize>() {
            Ok(n) if n >= 1 && text.bytes().all(|b| b.is_ascii_digit()) => ColumnRef::Position(n),
            _ => ColumnRef::Name(text.to_string()),
        }
    }
}

impl From<&str> for ColumnRef {
    fn from(text: &str) -> Self {
        ColumnRef::parse(text)
    }
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnRef::Name(name) => f.write_str(name),
            ColumnRef::Position(n) => write!(f, "{n}"),
        }
    }
}

/// How fields are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Delimiter {
    /// Sniff the first line: the most frequent of `,` `\t` `;`, or
    /// [`Delimiter::Whitespace`] when none occurs.
    #[default]
    Auto,
    /// `,`
    Comma,
    /// `\t` (exactly one tab per separation, empty fields allowed).
    Tab,
    /// `;`
    Semicolon,
    /// Any run of spaces and tabs (`CDNOW_master.txt`).
    Whitespace,
}

crate::error::named_choices! {
    Delimiter, field "delimiter",
    /// The name of the choice: `"auto"`, `"comma"`, `"tab"`, `"semicolon"`
    /// or `"whitespace"`.
    ///
    /// ```
    /// use clv::io::Delimiter;
    /// assert_eq!(Delimiter::Tab.as_str(), "tab");
    /// for d in Delimiter::ALL {
    ///     assert_eq!(d.as_str().parse::<Delimiter>()?, d);
    /// }
    /// # Ok::<(), clv::Error>(())
    /// ```
    as_str {
        Auto => "auto",
        Comma => "comma",
        Tab => "tab",
        Semicolon => "semicolon",
        Whitespace => "whitespace",
    }
    /// A name (`"auto"`, `"comma"`, `"tab"`, `"semicolon"`, `"whitespace"`)
    /// or the separator itself (`","`, `"\t"`, `";"`, `" "` for whitespace).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] on the field `delimiter`, listing the names.
    ///
    /// ```
    /// use clv::io::Delimiter;
    /// assert_eq!("whitespace".parse::<Delimiter>()?, Delimiter::Whitespace);
    /// assert_eq!("\t".parse::<Delimiter>()?, Delimiter::Tab);
    /// let e = "|".parse::<Delimiter>().unwrap_err();
    /// assert_eq!(e.field(), Some("delimiter"));
    /// assert_eq!(
    ///     e.to_string(),
    ///     r#"invalid delimiter: "|" (expected "auto", "comma", "tab", "semicolon", "whitespace", ",", "\t", ";" or " ")"#
    /// );
    /// # Ok::<(), clv::Error>(())
    /// ```
    from_str aliases {
        "," => Comma,
        "\t" => Tab,
        ";" => Semicolon,
        " " => Whitespace,
    }
}

/// Options of [`read_transactions`].
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOptions {
    /// Customer id column (kept as text: `"00001"` keeps its zeros).
    pub customer_col: ColumnRef,
    /// Date or date-time column.
    pub date_col: ColumnRef,
    /// Amount column, if any (finite, ≥ 0).
    pub amount_col: Option<ColumnRef>,
    /// chrono `strftime` format of the dates; `None` = the forms of
    /// [`parse_timestamp`] (`YYYY-MM-DD`, `YYYYMMDD`, ISO date-times).
    pub date_format: Option<String>,
    /// Field separator.
    pub delimiter: Delimiter,
    /// The first non-blank line holds column names.
    pub has_header: bool,
    /// Skip and list bad lines instead of failing.
    pub skip_invalid: bool,
}

impl Default for ReadOptions {
    /// Columns `customer_id` and `date`, no amount, default date forms,
    /// sniffed delimiter, a header, bad lines are errors.
    fn default() -> Self {
        ReadOptions {
            customer_col: ColumnRef::Name("customer_id".into()),
            date_col: ColumnRef::Name("date".into()),
            amount_col: None,
            date_format: None,
            delimiter: Delimiter::Auto,
            has_header: true,
            skip_invalid: false,
        }
    }
}

/// A line skipped because [`ReadOptions::skip_invalid`] was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLine {
    /// 1-based line number in the file.
    pub line: u64,
    /// Column, text and reason.
    pub reason: String,
}

/// The transactions read from a file, ready for
/// [`summarize_coded`](crate::summary::summarize_coded).
#[derive(Debug, Clone, PartialEq)]
pub struct TransactionTable {
    /// Interned customer ids, one code per row.
    pub ids: CustomerIds,
    /// Seconds since 1970-01-01 (naive), one per row.
    pub timestamps: Vec<i64>,
    /// Amounts, one per row; `Some` iff an amount column was given.
    pub amounts: Option<Vec<f64>>,
    /// Lines skipped (only with `skip_invalid`).
    pub skipped: Vec<SkippedLine>,
}

/// Reads a transaction file from `reader`.
///
/// # Errors
/// - [`Error::MissingColumn`] when a column is not in the header (or beyond
///   the number of fields);
/// - [`Error::Parse`] naming column, 1-based line and text for an
///   unparseable date, an unparseable, negative or non-finite amount, an
///   empty customer id, or a line with the wrong number of fields (unless
///   `skip_invalid`);
/// - [`Error::Empty`] when there is no data row (or all were skipped);
/// - [`Error::Io`] (path `<input>`) when reading fails.
///
/// # Example
/// A CSV with a header (the delimiter is sniffed), a $0 order and an
/// amount column, then the summary of [`summarize_coded`](crate::summary::summarize_coded):
/// ```
/// use clv::io::{read_transactions, ColumnRef, ReadOptions};
/// use clv::summary::{summarize_coded, SummaryOptions};
/// use clv::time::parse_timestamp;
///
/// let csv = "customer_id,date,amount\n\
///            b,2024-01-01,10\n\
///            a,2024-01-03,12\n\
///            a,2024-01-10,0\n";
/// let options = ReadOptions {
///     amount_col: Some(ColumnRef::Name("amount".into())),
///     ..ReadOptions::default()
/// };
/// let table = read_transactions(csv.as_bytes(), &options)?;
/// assert_eq!(table.ids.names, ["b", "a"]); // in order of first appearance
/// assert_eq!(table.ids.codes, [0, 1, 1]);
/// assert_eq!(table.timestamps[0], parse_timestamp("2024-01-01", None)?);
/// assert_eq!(table.amounts, Some(vec![10.0, 12.0, 0.0]));
///
/// let s = summarize_coded(&table.ids, &table.timestamps, table.amounts.as_deref(), &SummaryOptions::default())?;
/// assert_eq!(s.customer_id, ["a", "b"]); // byte-sorted
/// assert_eq!((s.frequency[0], s.recency[0], s.t[0]), (1.0, 7.0, 7.0)); // days
/// assert_eq!(s.monetary_value, Some(vec![0.0, 0.0])); // a's repeat order was $0
///
/// // a bad date names the column, the line and the text
/// let bad = read_transactions("customer_id,date\na,2024-13-45\n".as_bytes(), &ReadOptions::default());
/// let e = bad.unwrap_err();
/// assert_eq!(e.code(), "PARSE_ERROR");
/// assert!(e.to_string().starts_with("cannot parse date on line 2: \"2024-13-45\""), "{e}");
/// # Ok::<(), clv::Error>(())
/// ```
pub fn read_transactions<R: Read>(reader: R, options: &ReadOptions) -> Result<TransactionTable> {
    #[cfg(feature = "parallel")]
    {
        let mut reader = reader;
        let mut buf = Vec::new();
        reader.read_to_end(&mut buf).map_err(io_error)?;
        parallel::read_buffer(
            &buf,
            options,
            rayon::current_num_threads(),
            parallel::MIN_PARALLEL,
        )
    }
    #[cfg(not(feature = "parallel"))]
    read_sequential(reader, options)
}

/// The streaming reader: one line at a time, in file order.
fn read_sequential<R: Read>(reader: R, options: &ReadOptions) -> Result<TransactionTable> {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let delimiter = match options.delimiter {
        Delimiter::Auto => sniff(reader.fill_buf().map_err(io_error)?),
        d => d,
    };
    let mut builder = Builder::new(options);
    match delimiter {
        Delimiter::Whitespace => read_whitespace(reader, &mut builder)?,
        Delimiter::Comma => read_delimited(reader, b',', &mut builder)?,
        Delimiter::Tab => read_delimited(reader, b'\t', &mut builder)?,
        Delimiter::Semicolon | Delimiter::Auto => read_delimited(reader, b';', &mut builder)?,
    }
    builder.finish()
}

/// For the fuzz targets (`fuzz/`): `buf` read as [`read_transactions`]
/// reads it, in `n_chunks` pieces at any size (1: the sequential reader).
/// Both must give the same table or the same error.
///
/// # Errors
/// As [`read_transactions`].
#[doc(hidden)]
#[cfg(feature = "parallel")]
pub fn read_transactions_in_chunks(
    buf: &[u8],
    options: &ReadOptions,
    n_chunks: usize,
) -> Result<TransactionTable> {
    parallel::read_buffer(buf, options, n_chunks, 0)
}

/// Opens `path` and calls [`read_transactions`].
///
/// # Errors
/// As [`read_transactions`]; [`Error::Io`] errors name `path`.
pub fn read_transactions_path(path: &Path, options: &ReadOptions) -> Result<TransactionTable> {
    let name = || path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| io_failure(&name(), e))?;
    read_transactions(file, options).map_err(|e| match e {
        Error::Io { message, .. } => Error::Io {
            path: name(),
            message,
        },
        other => other,
    })
}

fn io_error(e: std::io::Error) -> Error {
    io_failure("<input>", e)
}

/// [`Error::Io`] on `path` with the message of `e`.
fn io_failure(path: &str, e: impl fmt::Display) -> Error {
    Error::Io {
        path: path.to_string(),
        message: e.to_string(),
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn sniff(head: &[u8]) -> Delimiter {
    let head = head.strip_prefix(BOM).unwrap_or(head);
    let line = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let count = |c: u8| line.iter().filter(|&&b| b == c).count();
    let (comma, tab, semicolon) = (count(b','), count(b'\t'), count(b';'));
    if comma == 0 && tab == 0 && semicolon == 0 {
        Delimiter::Whitespace
    } else if comma >= tab && comma >= semicolon {
        Delimiter::Comma
    } else if tab >= semicolon {
        Delimiter::Tab
    } else {
        Delimiter::Semicolon
    }
}

/// Access to the fields of one line, whichever reader produced it.
trait Fields {
    fn count(&self) -> usize;
    fn field(&self, i: usize) -> &[u8];
    /// [`Fields::field`] as text when it is known to be UTF-8 already
    /// (saves checking it again); `None` otherwise.
    fn field_str(&self, _i: usize) -> Option<&str> {
        None
    }
}

impl Fields for csv::ByteRecord {
    fn count(&self) -> usize {
        self.len()
    }
    fn field(&self, i: usize) -> &[u8] {
        // Trimmed here rather than by `csv::Trim`, which allocates a new record per line.
        self.get(i).unwrap_or_default().trim_ascii()
    }
}

/// One line cut into fields at `spans` (runs of non-blank bytes, or the
/// text between delimiters); fields trimmed as for `ByteRecord` (nothing to
/// trim on a run of non-blank bytes).
struct SplitLine<'a, 's> {
    line: &'a [u8],
    spans: &'s [(usize, usize)],
    /// `line` as text, when it is known to be UTF-8.
    text: Option<&'a str>,
}

impl<'a> SplitLine<'a, '_> {
    /// The bytes of field `i`, trimmed of ASCII white space (empty when
    /// there is no such field), borrowed from the line.
    fn raw(&self, i: usize) -> &'a [u8] {
        self.spans
            .get(i)
            .map_or(&[][..], |&(a, b)| &self.line[a..b])
            .trim_ascii()
    }

    /// Field `i` as text when the line is known to be UTF-8 (a span that
    /// does not fall on character boundaries, impossible with an ASCII
    /// delimiter, gives `None`).
    fn str_field(&self, i: usize) -> Option<&'a str> {
        let &(a, b) = self.spans.get(i)?;
        Some(self.text?.get(a..b)?.trim_ascii())
    }
}

impl Fields for SplitLine<'_, '_> {
    fn count(&self) -> usize {
        self.spans.len()
    }
    fn field(&self, i: usize) -> &[u8] {
        self.raw(i)
    }
    fn field_str(&self, i: usize) -> Option<&str> {
        self.str_field(i)
    }
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0b' | b'\x0c')
}

/// Start/end of each run of non-blank bytes.
fn split_whitespace(line: &[u8], spans: &mut Vec<(usize, usize)>) {
    spans.clear();
    let mut i = 0;
    while i < line.len() {
        while i < line.len() && is_blank(line[i]) {
            i += 1;
        }
        let start = i;
        while i < line.len() && !is_blank(line[i]) {
            i += 1;
        }
        if i > start {
            spans.push((start, i));
        }
    }
}

/// Column indices resolved against the header (or the first line).
struct Columns {
    index: [usize; 3],
    name: [String; 3],
    has_amount: bool,
    n_fields: usize,
}

fn resolve(col: &ColumnRef, header: Option<&[String]>, n_fields: usize) -> Result<(usize, String)> {
    let position = |n: usize| (n >= 1 && n <= n_fields).then(|| (n - 1, format!("column {n}")));
    let missing = |column: String| Error::MissingColumn {
        column,
        available: match header {
            Some(h) => h.join(", "),
            None => format!("no header line; use 1-based positions 1..={n_fields}"),
        },
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match (col, header) {
        (ColumnRef::Name(name), Some(h)) => h
            .iter()
            .position(|f| f == name)
            .or_else(|| {
                let mut ci = h
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.eq_ignore_ascii_case(name));
                match (ci.next(), ci.next()) {
                    (Some((i, _)), None) => Some(i),
                    _ => None,
                }
            })
            .map(|i| (i, h[i].clone()))
            .or_else(|| {
                digits(name)
                    .then(|| name.parse().ok().and_then(position))
                    .flatten()
            })
            .ok_or_else(|| missing(name.clone())),
        (ColumnRef::Position(n), Some(h)) => {
            let text = n.to_string();
            h.iter()
                .position(|f| *f == text)
                .map(|i| (i, text.clone()))
                .or_else(|| position(*n))
                .ok_or_else(|| missing(text))
        }
        (ColumnRef::Name(name), None) => digits(name)
            .then(|| name.parse().ok().and_then(position))
            .flatten()
            .ok_or_else(|| missing(name.clone())),
        (ColumnRef::Position(n), None) => position(*n).ok_or_else(|| missing(n.to_string())),
    }
}

struct Builder {
    options: ReadOptions,
    columns: Option<Columns>,
    header: Option<Vec<String>>,
    ids: CustomerIds,
    timestamps: Vec<i64>,
    amounts: Vec<f64>,
    skipped: Vec<SkippedLine>,
}

/// Why one field of one line was rejected.
struct Bad {
    column: String,
    value: String,
    reason: String,
}

fn text(bytes: &[u8]) -> String {
    const MAX: usize = 200;
    let s = String::from_utf8_lossy(bytes);
    if s.chars().count() > MAX {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    } else {
        s.into_owned()
    }
}

/// The text of a field as numbers (and the column reader's ids) see it:
/// UTF-8, trimmed of Unicode white space.
fn field_text(bytes: &[u8]) -> std::result::Result<&str, &'static str> {
    std::str::from_utf8(bytes)
        .map(crate::time::trim)
        .map_err(|_| "not valid UTF-8")
}

/// A number field: `str::parse` of [`field_text`] ([`plain_decimal`]
/// first, which gives the same value for the common form).
fn parse_number(bytes: &[u8]) -> std::result::Result<f64, &'static str> {
    if let Some(v) = plain_decimal(bytes) {
        return Ok(v);
    }
    field_text(bytes)?.parse().map_err(|_| "not a number")
}

/// `str::parse::<f64>` of an unsigned decimal `d…d[.d…d]` of at most 15
/// digits in all (`None` for any other text): `m / 10^k` for the digits
/// `m` and `k` decimals. Both are exact in an `f64` (`m < 10¹⁵ < 2⁵³`,
/// `10^k` for `k ≤ 22`), so the one rounding of the division gives the
/// correctly rounded value, which is what `str::parse` returns (Clinger's
/// fast path: W. D. Clinger, "How to read floating point numbers
/// accurately", PLDI 1990).
fn plain_decimal(bytes: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (int, frac) = match bytes.iter().position(|&b| b == b'.') {
        Some(p) => (&bytes[..p], &bytes[p + 1..]),
        None => (bytes, &[][..]),
    };
    if int.is_empty() || int.len() + frac.len() > 15 || (frac.is_empty() && int.len() < bytes.len())
    {
        return None;
    }
    let mut m: u64 = 0;
    for &b in int.iter().chain(frac) {
        if !b.is_ascii_digit() {
            return None;
        }
        m = m * 10 + u64::from(b - b'0');
    }
    Some(m as f64 / POW10[frac.len()])
}

/// The reason [`parse_amount`] gives for a negative amount; the row's
/// error then names the customer and the date (see [`crate::summary`],
/// "Amounts": a return is not a purchase).
const NEGATIVE: &str = "negative; amounts must be >= 0";

fn parse_amount(bytes: &[u8]) -> std::result::Result<f64, &'static str> {
    let value = parse_number(bytes)?;
    if !value.is_finite() {
        Err("not a finite number")
    } else if value < 0.0 {
        Err(NEGATIVE)
    } else {
        Ok(value)
    }
}

impl Builder {
    fn new(options: &ReadOptions) -> Self {
        Builder {
            options: options.clone(),
            columns: None,
            header: None,
            ids: CustomerIds::new(),
            timestamps: Vec::new(),
            amounts: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// Handles one non-blank line: the header, or a data row.
    fn line<F: Fields>(
        &mut self,
        fields: &F,
        line: u64,
        joined: impl Fn() -> String,
    ) -> Result<()> {
        if self.columns.is_none() {
            if self.options.has_header && self.header.is_none() {
                let mut names: Vec<String> =
                    (0..fields.count()).map(|i| text(fields.field(i))).collect();
                if let Some(first) = names.first_mut()
                    && let Some(rest) = first.strip_prefix('\u{feff}')
                {
                    *first = rest.to_string();
                }
                self.set_columns(Some(&names), names.len())?;
                self.header = Some(names);
                return Ok(());
            }
            self.set_columns(None, fields.count())?;
        }
        let Some(cols) = &self.columns else {
            return Ok(());
        };
        match Self::parse_row(cols, self.options.date_format.as_deref(), fields, joined) {
            Ok((ts, amount)) => {
                let id = fields.field(cols.index[0]);
                // Checked in parse_row.
                self.ids.push(std::str::from_utf8(id).unwrap_or_default());
                self.timestamps.push(ts);
                if cols.has_amount {
                    self.amounts.push(amount);
                }
                Ok(())
            }
            Err(bad) if self.options.skip_invalid => {
                self.skipped.push(SkippedLine {
                    line,
                    reason: format!("{} {:?}: {}", bad.column, bad.value, bad.reason),
                });
                Ok(())
            }
            Err(bad) => Err(Error::Parse {
                column: bad.column,
                line,
                value: bad.value,
                reason: bad.reason,
            }),
        }
    }

    fn set_columns(&mut self, header: Option<&[String]>, n_fields: usize) -> Result<()> {
        let o = &self.options;
        let (c, cn) = resolve(&o.customer_col, header, n_fields)?;
        let (d, dn) = resolve(&o.date_col, header, n_fields)?;
        let (a, an) = match &o.amount_col {
            Some(col) => resolve(col, header, n_fields)?,
            None => (0, String::new()),
        };
        self.columns = Some(Columns {
            index: [c, d, a],
            name: [cn, dn, an],
            has_amount: o.amount_col.is_some(),
            n_fields,
        });
        Ok(())
    }

    pub(super) fn parse_row<F: Fields>(
        cols: &Columns,
        date_format: Option<&str>,
        fields: &F,
        joined: impl Fn() -> String,
    ) -> std::result::Result<(i64, f64), Bad> {
        if fields.count() != cols.n_fields {
            return Err(Bad {
                column: "record".into(),
                value: joined(),
                reason: format!(
                    "expected {} fields, found {}",
                    cols.n_fields,
                    fields.count()
                ),
            });
        }
        let bad = |k: usize, reason: String| Bad {
            column: cols.name[k].clone(),
            value: text(fields.field(cols.index[k])),
            reason,
        };
        let utf8 = |k: usize| match fields.field_str(cols.index[k]) {
            Some(text) => Ok(text),
            None => std::str::from_utf8(fields.field(cols.index[k]))
                .map_err(|_| bad(k, "not valid UTF-8".into())),
        };
        let id = match utf8(0)? {
            "" => return Err(bad(0, "empty customer id".into())),
            id => id,
        };
        let date = utf8(1)?;
        let ts = timestamp_or_reason(date, date_format).map_err(|r| bad(1, r))?;
        let amount = if cols.has_amount {
            parse_amount(fields.field(cols.index[2])).map_err(|r| {
                if r == NEGATIVE {
                    bad(
                        2,
                        format!(
                            "{NEGATIVE}: a return of customer {id:?} on {}; a return is not a \
                             purchase: net it against the purchase it refunds, or skip such rows",
                            crate::time::format_timestamp(ts)
                        ),
                    )
                } else {
                    bad(2, r.into())
                }
            })?
        } else {
            0.0
        };
        Ok((ts, amount))
    }

    fn finish(self) -> Result<TransactionTable> {
        if self.timestamps.is_empty() {
            let reason = match self.skipped.first() {
                Some(first) => format!(
                    "all {} data rows were skipped (first: line {}: {})",
                    self.skipped.len(),
                    first.line,
                    first.reason
                ),
                None => "the input has no data rows".into(),
            };
            return Err(Error::Empty {
                field: "transactions".into(),
                reason,
            });
        }
        let has_amount = self.options.amount_col.is_some();
        Ok(TransactionTable {
            ids: self.ids,
            timestamps: self.timestamps,
            amounts: has_amount.then_some(self.amounts),
            skipped: self.skipped,
        })
    }
}

fn read_whitespace<R: BufRead>(mut reader: R, builder: &mut Builder) -> Result<()> {
    let mut buf = Vec::new();
    let mut spans = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).map_err(io_error)? == 0 {
            return Ok(());
        }
        line_no += 1;
        whitespace_line(builder, &buf, line_no, &mut spans)?;
    }
}

/// Folds line `line_no` (1-based, its BOM dropped on line 1) of a file
/// whose fields are separated by white space; a blank line is passed over.
fn whitespace_line(
    builder: &mut Builder,
    raw: &[u8],
    line_no: u64,
    spans: &mut Vec<(usize, usize)>,
) -> Result<()> {
    let line = if line_no == 1 {
        raw.strip_prefix(BOM).unwrap_or(raw)
    } else {
        raw
    };
    split_whitespace(line, spans);
    if spans.is_empty() {
        return Ok(());
    }
    let fields = SplitLine {
        line,
        spans,
        text: None,
    };
    builder.line(&fields, line_no, || text(line.trim_ascii()))
}

/// The 1-based line of a byte offset of a stream read through
/// [`NewlineReader`]: the `csv` crate's own line numbers skip blank lines
/// and CRLF line ends (and so named an earlier line), so lines are counted
/// here from the `\n` bytes. Offsets are asked for in increasing order, so only the
/// newlines after the last one asked for are kept.
#[derive(Default)]
struct Lines {
    /// Offsets of the `\n` bytes read but not yet passed.
    pending: std::collections::VecDeque<u64>,
    /// Lines before the first pending newline.
    passed: u64,
}

impl Lines {
    fn line_of(&mut self, byte: u64) -> u64 {
        while self.pending.front().is_some_and(|&nl| nl < byte) {
            self.pending.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

/// A reader that notes where its `\n` bytes are ([`Lines`]).
struct NewlineReader<R> {
    inner: R,
    offset: u64,
    lines: std::rc::Rc<std::cell::RefCell<Lines>>,
}

impl<R: Read> Read for NewlineReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut lines = self.lines.borrow_mut();
        for (i, _) in buf[..n].iter().enumerate().filter(|(_, b)| **b == b'\n') {
            lines.pending.push_back(self.offset + i as u64);
        }
        self.offset += n as u64;
        Ok(n)
    }
}

fn read_delimited<R: Read>(reader: R, delimiter: u8, builder: &mut Builder) -> Result<()> {
    let lines = std::rc::Rc::new(std::cell::RefCell::new(Lines::default()));
    let reader = NewlineReader {
        inner: reader,
        offset: 0,
        lines: std::rc::Rc::clone(&lines),
    };
    // The reader's position after a record is just past the record's
    // terminator (its `\r` for CRLF): one byte back is on the record's
    // last line. (The record's own start position is where parsing began,
    // before the blank lines it skipped.)
    let line_after = |p: &csv::Position| lines.borrow_mut().line_of(p.byte().saturating_sub(1));
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::ByteRecord::new();
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                let line = line_after(csv.position());
                match e.into_kind() {
                    csv::ErrorKind::Io(io) => return Err(io_error(io)),
                    other => {
                        let reason = format!("{other:?}");
                        if builder.options.skip_invalid {
                            builder.skipped.push(SkippedLine { line, reason });
                            continue;
                        }
                        return Err(Error::Parse {
                            column: "record".into(),
                            line,
                            value: String::new(),
                            reason,
                        });
                    }
                }
            }
        }
        let line = line_after(csv.position());
        let joined = || {
            let sep = char::from(delimiter).to_string();
            text(&record.iter().collect::<Vec<_>>().join(sep.as_bytes()))
        };
        builder.line(&record, line, joined)?;
    }
}

/// Cuts `buf` into at most `n` consecutive pieces of about `buf.len() / n`
/// bytes for parsing on separate threads: every piece but the last ends just
/// after a `\n` byte, the last at the end of `buf`, so every piece starts at
/// the start of a line and no line is split (a piece runs on to the end of
/// the line it would be cut in, so there may be fewer than `n`). The pieces
/// joined in order give `buf` back; an empty `buf` gives no piece.
///
/// Used by the chunked transaction reader and by the column reader
/// ([`read_csv_columns`]).
fn split_at_line_ends(buf: &[u8], n: usize) -> Vec<&[u8]> {
    let target = buf.len().div_ceil(n.max(1)).max(1);
    let mut chunks = Vec::with_capacity(n);
    let mut start = 0;
    while start < buf.len() {
        let guess = (start + target).min(buf.len());
        let end = buf[guess..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(buf.len(), |p| guess + p + 1);
        chunks.push(&buf[start..end]);
        start = end;
    }
    chunks
}

/// The number of `\n` bytes in `bytes`: the 1-based line of the byte just
/// after them, less one.
fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Multi-threaded reading of delimited text held in memory.
///
/// Used only when the result is certain to equal [`read_sequential`]'s: a
/// delimited file without any `"` (so no quoted field can hold a delimiter
/// or a line break) and without a `\r` that is not followed by `\n` (the
/// `csv` crate ends a record at a lone `\r` too). The first non-blank line
/// (header, or the line that fixes the number of fields) goes through the
/// `csv` crate; the rest is cut into chunks at line ends, each chunk parsed
/// on its own thread into its own columns and id interner with chunk-local
/// line numbers; the chunks are then joined in file order, ids re-coded
/// against the merged interner and line numbers shifted by the lines before
/// the chunk, so codes, names (first-appearance order), skipped lines and
/// the first error are those of the sequential reader. One difference:
/// line numbers here are the true 1-based file lines, whereas the `csv`
/// crate numbers a record that follows blank lines (or, with CRLF ends,
/// any record) by an earlier line.
#[cfg(feature = "parallel")]
mod parallel {
    use super::*;
    use rayon::prelude::*;

    /// Below this many bytes the sequential reader is used.
    pub(super) const MIN_PARALLEL: usize = 1 << 20;

    /// Reads `buf` in `n_chunks` pieces when it is delimited, plain (see
    /// [`plain`]) and at least `min_bytes` long; else sequentially.
    pub(super) fn read_buffer(
        buf: &[u8],
        options: &ReadOptions,
        n_chunks: usize,
        min_bytes: usize,
    ) -> Result<TransactionTable> {
        let delimiter = match options.delimiter {
            Delimiter::Auto => sniff(buf),
            d => d,
        };
        let byte = match delimiter {
            Delimiter::Whitespace => return read_sequential(buf, options),
            Delimiter::Comma => b',',
            Delimiter::Tab => b'\t',
            Delimiter::Semicolon | Delimiter::Auto => b';',
        };
        if n_chunks <= 1 || buf.len() < min_bytes {
            return read_sequential(buf, options);
        }
        read_chunked(buf, options, byte, n_chunks)
    }

    /// `true` when plain splitting at `\n` and `delimiter` reads `buf`
    /// exactly as the `csv` crate does.
    pub(super) fn plain(buf: &[u8]) -> bool {
        // `contains` is a fast search; most files have neither byte.
        if buf.contains(&b'"') {
            return false;
        }
        if !buf.contains(&b'\r') {
            return true;
        }
        let mut prev_cr = false;
        for &b in buf {
            if prev_cr && b != b'\n' {
                return false;
            }
            if b == b'"' {
                return false;
            }
            prev_cr = b == b'\r';
        }
        !prev_cr
    }

    /// [`plain`] of `buf`, checked in pieces cut after line ends on all
    /// threads (the same answer: a `\r` can end only the last piece).
    pub(super) fn plain_pieces(buf: &[u8]) -> bool {
        split_at_line_ends(buf, rayon::current_num_threads() * 4)
            .par_iter()
            .all(|p| plain(p))
    }

    /// The text of a line without its `\n` or `\r\n`.
    pub(super) fn content(line: &[u8]) -> &[u8] {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        line.strip_suffix(b"\r").unwrap_or(line)
    }

    /// Start and end (after its `\n`) of the first line with any content
    /// (a BOM at the start of `buf` not counted when `buf` starts the file);
    /// `None` for blank lines only.
    pub(super) fn head(buf: &[u8], file_start: bool) -> Option<(usize, usize)> {
        let mut start = 0;
        while start < buf.len() {
            let end = buf[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(buf.len(), |p| start + p + 1);
            let mut line = &buf[start..end];
            if file_start && start == 0 {
                line = line.strip_prefix(BOM).unwrap_or(line);
            }
            if !content(line).is_empty() {
                return Some((start, end));
            }
            start = end;
        }
        None
    }

    fn read_chunked(
        buf: &[u8],
        options: &ReadOptions,
        delimiter: u8,
        n_chunks: usize,
    ) -> Result<TransactionTable> {
        if !plain(buf) {
            return read_sequential(buf, options);
        }
        let (head_start, head) = head(buf, true).unwrap_or((buf.len(), buf.len()));
        if head_start > 0 && buf[head_start..].starts_with(BOM) {
            // a BOM only counts at the start of the file, where the csv
            // crate strips it; the head read on its own would lose this one
            return read_sequential(buf, options);
        }
        let mut builder = Builder::new(options);
        // The `csv` crate numbers a record after blank lines by the first
        // blank line, so the blank lines before the head are skipped here.
        let blank_lines = count_newlines(&buf[..head_start]);
        read_delimited(&buf[head_start..head], delimiter, &mut builder).map_err(|mut e| {
            if let Error::Parse { line, .. } = &mut e {
                *line += blank_lines;
            }
            e
        })?;
        for s in &mut builder.skipped {
            s.line += blank_lines;
        }
        let Some(cols) = &builder.columns else {
            return read_sequential(buf, options);
        };
        let rest = &buf[head..];
        let chunks = split_at_line_ends(rest, n_chunks);
        let date_format = options.date_format.as_deref();
        let parsed: Vec<Chunk> = chunks
            .par_iter()
            .map(|c| {
                let skip = options.skip_invalid;
                parse_chunk(c, cols, date_format, delimiter, skip, Spare::default())
            })
            .collect();
        let mut lines_before = count_newlines(&buf[..head]);
        let total: usize = parsed.iter().map(|c| c.timestamps.len()).sum();
        // Ids of every row in file order (a row read with the head first).
        let mut ids: Vec<&str> = Vec::with_capacity(builder.ids.len() + total);
        ids.extend(
            builder
                .ids
                .codes
                .iter()
                .map(|&c| builder.ids.names.get(c as usize).map_or("", String::as_str)),
        );
        builder.timestamps.reserve(total);
        if cols.has_amount {
            builder.amounts.reserve(total);
        }
        for chunk in parsed {
            if let Some(mut e) = chunk.error {
                if let Error::Parse { line, .. } = &mut e {
                    *line += lines_before;
                }
                return Err(e);
            }
            builder
                .skipped
                .extend(chunk.skipped.into_iter().map(|s| SkippedLine {
                    line: s.line + lines_before,
                    reason: s.reason,
                }));
            ids.extend_from_slice(&chunk.ids);
            builder.timestamps.extend_from_slice(&chunk.timestamps);
            builder.amounts.extend_from_slice(&chunk.amounts);
            lines_before += chunk.newlines;
        }
        let ids = crate::summary::intern_partitioned(&ids);
        builder.ids = ids;
        builder.finish()
    }

    /// The emptied columns of a parsed [`Chunk`], kept for a chunk of the
    /// next batch ([`crate::io::SummaryReader`]): their allocations are
    /// reused instead of a new one per batch, whose pages the kernel would
    /// zero again (with the allocator's delayed return of freed memory,
    /// about a third of the process's kernel time on 10M rows).
    #[derive(Debug, Default)]
    pub(super) struct Spare {
        ids: Vec<&'static str>,
        timestamps: Vec<i64>,
        amounts: Vec<f64>,
    }

    /// `v`, emptied, as a vector of another lifetime. Collecting a mapped
    /// `vec::IntoIter` into a vector of the same layout reuses its
    /// allocation (the standard library's in-place collection): no element
    /// is made, only the capacity moves.
    fn recycle<'b>(mut v: Vec<&str>) -> Vec<&'b str> {
        v.clear();
        v.into_iter().map(|_| "").collect()
    }

    impl Chunk<'_> {
        /// The chunk's columns, emptied, for another chunk.
        pub(super) fn into_spare(self) -> Spare {
            let Chunk {
                ids,
                mut timestamps,
                mut amounts,
                ..
            } = self;
            timestamps.clear();
            amounts.clear();
            Spare {
                ids: recycle(ids),
                timestamps,
                amounts,
            }
        }
    }

    /// One chunk's rows, with chunk-local codes and 1-based line numbers.
    pub(super) struct Chunk<'a> {
        /// Customer id of each row (checked UTF-8).
        pub(super) ids: Vec<&'a str>,
        pub(super) timestamps: Vec<i64>,
        pub(super) amounts: Vec<f64>,
        pub(super) skipped: Vec<SkippedLine>,
        /// `\n` bytes in the chunk (complete only without `error`).
        pub(super) newlines: u64,
        pub(super) error: Option<Error>,
    }

    /// The rows of `buf` (whole lines), in columns taken from `spare`.
    pub(super) fn parse_chunk<'a>(
        buf: &'a [u8],
        cols: &Columns,
        date_format: Option<&str>,
        delimiter: u8,
        skip_invalid: bool,
        spare: Spare,
    ) -> Chunk<'a> {
        // Rough row estimate from the first line, to size the columns once.
        let first = buf
            .iter()
            .position(|&b| b == b'\n')
            .map_or(buf.len(), |p| p + 1);
        let estimate = buf.len() / first.max(8) + 16;
        let Spare {
            ids,
            mut timestamps,
            mut amounts,
        } = spare;
        let mut ids = recycle(ids);
        ids.reserve(estimate);
        timestamps.reserve(estimate);
        if cols.has_amount {
            amounts.reserve(estimate);
        }
        let mut out = Chunk {
            ids,
            timestamps,
            amounts,
            skipped: Vec::new(),
            newlines: 0,
            error: None,
        };
        let mut spans: Vec<(usize, usize)> = Vec::with_capacity(cols.n_fields + 1);
        // The whole chunk checked as UTF-8 at once (almost always true):
        // its fields are then text without checking each again.
        let chunk_text = std::str::from_utf8(buf).ok();
        let mut start = 0;
        let mut line_no = 0u64;
        while start < buf.len() {
            // One scan finds the delimiters (offsets relative to the line)
            // and the end of the line.
            spans.clear();
            let line_start = start;
            let mut field_start = 0;
            let mut i = start;
            while i < buf.len() && buf[i] != b'\n' {
                if buf[i] == delimiter {
                    spans.push((field_start, i - line_start));
                    field_start = i - line_start + 1;
                }
                i += 1;
            }
            if i < buf.len() {
                out.newlines += 1;
                start = i + 1;
            } else {
                start = i;
            }
            line_no += 1;
            let mut end = i;
            if end > line_start && buf[end - 1] == b'\r' {
                end -= 1;
            }
            let line = &buf[line_start..end];
            if line.is_empty() {
                continue;
            }
            // The last field ends at the line end (before any `\r`).
            spans.push((field_start.min(line.len()), line.len()));
            let fields = SplitLine {
                line,
                spans: &spans,
                text: chunk_text.and_then(|t| t.get(line_start..end)),
            };
            match Builder::parse_row(cols, date_format, &fields, || text(line)) {
                Ok((ts, amount)) => {
                    // Borrowed from `buf` (not through `fields`) to outlive the line.
                    // Checked in parse_row.
                    let id = fields.str_field(cols.index[0]).unwrap_or_else(|| {
                        std::str::from_utf8(fields.raw(cols.index[0])).unwrap_or_default()
                    });
                    out.ids.push(id);
                    out.timestamps.push(ts);
                    if cols.has_amount {
                        out.amounts.push(amount);
                    }
                }
                Err(bad) if skip_invalid => out.skipped.push(SkippedLine {
                    line: line_no,
                    reason: format!("{} {:?}: {}", bad.column, bad.value, bad.reason),
                }),
                Err(bad) => {
                    out.error = Some(Error::Parse {
                        column: bad.column,
                        line: line_no,
                        value: bad.value,
                        reason: bad.reason,
                    });
                    break;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> i64 {
        crate::time::parse_timestamp(text, None).unwrap()
    }

    fn cdnow_like() -> ReadOptions {
        ReadOptions {
            customer_col: ColumnRef::parse("2"),
            date_col: ColumnRef::parse("3"),
            amount_col: Some(ColumnRef::parse("5")),
            has_header: false,
            ..ReadOptions::default()
        }
    }

    #[test]
    fn whitespace_without_header() {
        let text = " 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n\r\n 00018 0002 19970112  2   14.96\n";
        let t = read_transactions(text.as_bytes(), &cdnow_like()).unwrap();
        assert_eq!(t.ids.names, ["0001", "0002"]);
        assert_eq!(t.ids.codes, [0, 0, 1]);
        assert_eq!(
            t.timestamps,
            [day("1997-01-01"), day("1997-01-18"), day("1997-01-12")]
        );
        assert_eq!(t.amounts, Some(vec![29.33, 29.73, 14.96]));
        assert!(t.skipped.is_empty());
    }

    #[test]
    fn whitespace_with_header_by_name() {
        let text = " customer_id  date number_of_cds  dollar_value\n 00001 19970101  1   11.77\n";
        let o = ReadOptions {
            amount_col: Some("dollar_value".into()),
            ..ReadOptions::default()
        };
        let t = read_transactions(text.as_bytes(), &o).unwrap();
        assert_eq!(t.ids.names, ["00001"]);
        assert_eq!(t.amounts, Some(vec![11.77]));
        // Explicit Whitespace gives the same; positions work with a header too.
        let o = ReadOptions {
            customer_col: ColumnRef::Position(1),
            delimiter: Delimiter::Whitespace,
            ..o
        };
        assert_eq!(read_transactions(text.as_bytes(), &o).unwrap(), t);
    }

    #[test]
    fn delimited_variants() {
        let o = ReadOptions {
            amount_col: Some("amount".into()),
            ..ReadOptions::default()
        };
        let expected = (vec!["a".to_string(), "b c".to_string()], vec![1.5, 2.0]);
        for text in [
            "\u{feff}customer_id,date,amount\r\na,1997-01-01,1.5\r\n\"b c\", 1997-01-02 ,2\r\n",
            "customer_id;date;amount\na;1997-01-01;1.5\nb c;1997-01-02;2\n",
            "customer_id\tdate\tamount\na\t1997-01-01\t1.5\nb c\t1997-01-02\t2",
        ] {
            let t = read_transactions(text.as_bytes(), &o).unwrap();
            assert_eq!(
                (t.ids.names.clone(), t.amounts.clone().unwrap()),
                expected,
                "{text}"
            );
            assert_eq!(t.timestamps, [day("1997-01-01"), day("1997-01-02")]);
        }
        // Case-insensitive header match, a date format, date-times.
        let o = ReadOptions {
            customer_col: "ID".into(),
            date_format: Some("%d/%m/%Y %H:%M".into()),
            ..ReadOptions::default()
        };
        let t = read_transactions("id,date\nx,02/01/1997 10:00\n".as_bytes(), &o).unwrap();
        assert_eq!(t.timestamps, [day("1997-01-02 10:00")]);
        assert_eq!(t.amounts, None);
        // A header field named "2" wins over position 2.
        let o = ReadOptions {
            customer_col: ColumnRef::parse("2"),
            date_col: ColumnRef::parse("1"),
            ..ReadOptions::default()
        };
        let t = read_transactions("x,2,1\n1997-01-05,bad,1997-01-01\n".as_bytes(), &o);
        // "2" is the second header field (id "bad"), "1" the third (dates).
        let t = t.unwrap();
        assert_eq!(t.ids.names, ["bad"]);
        assert_eq!(t.timestamps, [day("1997-01-01")]);
    }

    #[test]
    fn errors_name_column_line_and_value() {
        let o = ReadOptions {
            amount_col: Some("amount".into()),
            ..ReadOptions::default()
        };
        let parse = |text: &str| read_transactions(text.as_bytes(), &o).unwrap_err();
        let e = parse("customer_id,date,amount\na,1997-01-01,1\nb,1997-02-30,1\n");
        assert!(
            matches!(e, Error::Parse { ref column, line: 3, ref value, .. } if column == "date" && value == "1997-02-30"),
            "{e}"
        );
        for (amount, reason) in [
            ("x", "not a number"),
            ("-1", "negative"),
            ("inf", "not a finite"),
            ("NaN", "not a finite"),
        ] {
            let e = parse(&format!("customer_id,date,amount\na,1997-01-01,{amount}\n"));
            match e {
                Error::Parse {
                    column,
                    line,
                    value,
                    reason: r,
                } => {
                    assert_eq!(
                        (column.as_str(), line, value.as_str()),
                        ("amount", 2, amount)
                    );
                    assert!(r.contains(reason), "{r}");
                }
                other => panic!("{other}"),
            }
        }
        let e = parse("customer_id,date,amount\na,1997-01-01,1,9\n");
        assert_eq!(
            e.to_string(),
            "cannot parse record on line 2: \"a,1997-01-01,1,9\" (expected 3 fields, found 4)"
        );
        let e = parse("customer_id,date,amount\n,1997-01-01,1\n");
        assert_eq!(e.field(), Some("customer_id"));
        let e = parse("customer,date,amount\na,1997-01-01,1\n");
        assert_eq!(
            e,
            Error::MissingColumn {
                column: "customer_id".into(),
                available: "customer, date, amount".into()
            }
        );
        let e = read_transactions(
            "a 19970101 1\n".as_bytes(),
            &ReadOptions {
                has_header: false,
                customer_col: ColumnRef::Position(4),
                ..cdnow_like()
            },
        )
        .unwrap_err();
        assert_eq!(e.code(), "MISSING_COLUMN");
        let e = read_transactions(
            "a 19970101 1\n".as_bytes(),
            &ReadOptions {
                has_header: false,
                ..ReadOptions::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("customer_id"));
        assert_eq!(parse("").code(), "EMPTY_INPUT");
        assert_eq!(parse("customer_id,date,amount\n").code(), "EMPTY_INPUT");
        let e = read_transactions_path(Path::new("/nonexistent/x.csv"), &o).unwrap_err();
        assert!(matches!(e, Error::Io { ref path, .. } if path == "/nonexistent/x.csv"));
    }

    #[test]
    fn skip_invalid_lists_lines() {
        let o = ReadOptions {
            skip_invalid: true,
            ..cdnow_like()
        };
        let text = "x 0001 19970101 1 10\nx 0001 1997013 1 10\nx 0002 19970105 1 -3\nx 0003\nx 0002 19970106 1 4\n";
        let t = read_transactions(text.as_bytes(), &o).unwrap();
        assert_eq!(t.ids.names, ["0001", "0002"]);
        assert_eq!(t.amounts, Some(vec![10.0, 4.0]));
        let lines: Vec<u64> = t.skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, [2, 3, 4]);
        assert!(
            t.skipped[0].reason.starts_with("column 3 \"1997013\""),
            "{}",
            t.skipped[0].reason
        );
        assert!(t.skipped[2].reason.contains("expected 5 fields, found 2"));
        let e = read_transactions("x 0001 bad 1 1\n".as_bytes(), &o).unwrap_err();
        assert!(
            matches!(e, Error::Empty { ref reason, .. } if reason.contains("line 1")),
            "{e}"
        );
    }

    /// The fast path of amounts gives `str::parse`'s value bit for bit,
    /// and is taken for the usual forms.
    #[test]
    fn plain_decimal_is_str_parse() {
        use proptest::prelude::*;
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(20_000));
        runner
            .run(&"[0-9]{0,17}(\\.[0-9]{0,17})?", |text| {
                if let Some(v) = plain_decimal(text.as_bytes()) {
                    prop_assert_eq!(
                        v.to_bits(),
                        text.parse::<f64>().unwrap().to_bits(),
                        "{}",
                        text
                    );
                }
                Ok(())
            })
            .unwrap();
        for (text, v) in [
            ("187.12", 187.12),
            ("0", 0.0),
            ("0.1", 0.1),
            ("999999999999999", 999999999999999.0),
            ("1.00", 1.0),
        ] {
            assert_eq!(plain_decimal(text.as_bytes()), Some(v), "{text}");
        }
        for text in [
            "",
            ".5",
            "1.",
            "-1",
            "+1",
            "1e3",
            " 1",
            "1.2.3",
            "1234567890123456",
            "0x10",
            "inf",
        ] {
            assert_eq!(plain_decimal(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn split_at_line_ends_cuts_after_newlines() {
        let text = b"a,1\nb,2\nc,3\nd,4";
        let pieces = split_at_line_ends(text, 2);
        assert_eq!(pieces, [&b"a,1\nb,2\nc,3\n"[..], &b"d,4"[..]]);
        assert_eq!(pieces.concat(), text);
        assert!(split_at_line_ends(b"", 4).is_empty());
    }

    #[test]
    fn sniffing_and_column_refs() {
        assert_eq!(sniff(b"a,b;c\n"), Delimiter::Comma);
        assert_eq!(sniff(b"a\tb\tc;d\n"), Delimiter::Tab);
        assert_eq!(sniff(b"a;b;c\n1,5"), Delimiter::Semicolon);
        assert_eq!(sniff(b" a  b c\n"), Delimiter::Whitespace);
        assert_eq!(ColumnRef::parse("0"), ColumnRef::Name("0".into()));
        assert_eq!(ColumnRef::parse(" 12 "), ColumnRef::Position(12));
        assert_eq!(ColumnRef::parse("+1"), ColumnRef::Name("+1".into()));
        assert_eq!(ColumnRef::Position(3).to_string(), "3");
    }

    /// The chunked reader gives exactly the sequential reader's table or
    /// error (same codes, names, lines, skipped lines) for any number of
    /// chunks, including chunks that start on blank lines.
    #[cfg(feature = "parallel")]
    #[test]
    fn parallel_matches_sequential() {
        let mut big = String::from("\u{feff}customer_id,date,amount\n");
        for i in 0..300 {
            // Ids recur across chunks. (No blank or CRLF lines: there the
            // csv crate's line numbers are off; see the next test.)
            big.push_str(&format!(
                "c{},1997-{:02}-{:02}, {}.5\n",
                (i * 7) % 23,
                1 + i % 12,
                1 + i % 28,
                i
            ));
        }
        let with_error = |bad: &str| {
            let mut t = big.clone();
            let at = t.match_indices('\n').nth(200).unwrap().0 + 1;
            t.insert_str(at, bad);
            t
        };
        let inputs = [
            big.clone(),
            big.trim_end().to_string(),
            with_error("c1,1997-02-30,1\n"),
            with_error("c1,1997-02-01,-1\n"),
            with_error("c1,1997-02-01\n"),
            with_error("   \n"),
            with_error(",1997-02-01,1\n"),
            with_error("c1,1997-02-01,1\n\"q\",1997-02-01,1\n"),
            with_error("lone\rcr,1997-02-01,1\n"),
            big.replace(',', "\t"),
            big.replace("customer_id,date,amount\n", ""),
            String::from("customer_id,date,amount\n"),
            String::new(),
        ];
        let amount = options_amount();
        let no_header = ReadOptions {
            customer_col: ColumnRef::Position(1),
            date_col: ColumnRef::Position(2),
            amount_col: Some(ColumnRef::Position(3)),
            has_header: false,
            ..ReadOptions::default()
        };
        for options in [amount, no_header] {
            for skip_invalid in [false, true] {
                let o = ReadOptions {
                    skip_invalid,
                    ..options.clone()
                };
                for text in &inputs {
                    let expected = read_sequential(text.as_bytes(), &o);
                    for n in [1, 2, 3, 7, 50] {
                        let got = parallel::read_buffer(text.as_bytes(), &o, n, 0);
                        assert_eq!(got, expected, "{n} chunks, {o:?}, {text:?}");
                    }
                    // The public entry point agrees too.
                    assert_eq!(read_transactions(text.as_bytes(), &o), expected);
                }
            }
        }
        // The bad line was inserted after 201 lines (BOM + header, 200 rows).
        let e = read_sequential(inputs[2].as_bytes(), &options_amount()).unwrap_err();
        assert!(matches!(e, Error::Parse { line: 202, .. }), "{e}");
        let t = read_sequential(inputs[3].as_bytes(), &skipping()).unwrap();
        assert_eq!(t.skipped.len(), 1);
        assert_eq!(t.skipped[0].line, 202);
        assert_eq!(t.timestamps.len(), 300);
    }

    /// With blank lines and CRLF ends the chunked reader reports the true
    /// file line (counted by hand in the comments).
    #[cfg(feature = "parallel")]
    #[test]
    fn parallel_counts_blank_and_crlf_lines() {
        let mut text = String::from("\u{feff}\r\ncustomer_id,date,amount\r\n\r\n"); // lines 1-3
        for i in 0..40 {
            text.push_str(&format!("c{},1997-01-{:02},1\r\n\n", i % 5, 1 + i % 28)); // lines 4..=83
        }
        text.push_str("c1,1997-13-01,1\r\n"); // line 84
        // n = 1 is the sequential reader, which used the csv crate's line
        // numbers: blank lines uncounted (issue 17 #15)
        for n in [1, 2, 5, 9] {
            let e =
                parallel::read_buffer(text.as_bytes(), &comma(options_amount()), n, 0).unwrap_err();
            assert!(
                matches!(e, Error::Parse { line: 84, ref value, .. } if value == "1997-13-01"),
                "{e}"
            );
            let t = parallel::read_buffer(text.as_bytes(), &comma(skipping()), n, 0).unwrap();
            assert_eq!(t.skipped.len(), 1);
            assert_eq!(t.skipped[0].line, 84);
            assert_eq!(t.ids.names, ["c0", "c1", "c2", "c3", "c4"]);
            assert_eq!(t.timestamps.len(), 40);
        }
        // No header, first row bad after two blank lines: line 3.
        let o = comma(ReadOptions {
            has_header: false,
            customer_col: ColumnRef::Position(1),
            date_col: ColumnRef::Position(2),
            ..ReadOptions::default()
        });
        for n in [1, 2] {
            let e = parallel::read_buffer(b"\n\r\nc1,x\nc2,1997-01-01\n", &o, n, 0).unwrap_err();
            assert!(matches!(e, Error::Parse { line: 3, .. }), "{e}");
        }
    }

    #[cfg(feature = "parallel")]
    fn skipping() -> ReadOptions {
        ReadOptions {
            skip_invalid: true,
            ..options_amount()
        }
    }

    #[cfg(feature = "parallel")]
    /// Explicit delimiter: sniffing looks at the first line only, blank here.
    fn comma(o: ReadOptions) -> ReadOptions {
        ReadOptions {
            delimiter: Delimiter::Comma,
            ..o
        }
    }

    #[cfg(feature = "parallel")]
    fn options_amount() -> ReadOptions {
        ReadOptions {
            amount_col: Some("amount".into()),
            ..ReadOptions::default()
        }
    }
}
