//! Numeric columns of a comma-separated file with a header (per-customer
//! summary files, portfolio value files), read by name: [`read_csv_columns`].
//!
//! The header line is parsed by the `csv` crate (BOM, blank lines before it,
//! UTF-8 check, field trimming as before). Then one of two readers takes
//! the rest; both give the same columns, ids, row count and first error:
//!
//! - **plain rows** (no `"` byte in the file, the usual case), following the
//!   chunked transaction reader: the rows are cut into chunks at line ends
//!   ([`split_at_line_ends`], shared with it) and the records of each chunk
//!   counted, so that every chunk, on its own rayon thread (with the
//!   `parallel` feature; else one after the other), writes its
//!   rows straight into its part of the final columns. A chunk is split at
//!   `,` and line ends and its numbers parsed from the bytes; it stops at
//!   its first bad record, and the bad record of the earliest chunk is the
//!   error, with its line counted in the whole file;
//!
//!   A file of more than 256 KiB is read a block at a time (about an eighth
//!   of the file, 256 KiB to 4 MiB) into two reused buffers, the next block
//!   read while the rows of the last one are parsed and appended, so that
//!   the file is never held whole. Anything but valid plain rows (a quote in
//!   a field read, a bad record, no rows) sends the file to the whole-file
//!   reader, which gives the error with its position as ever;
//! - **quoted rows** (a `"` anywhere, where a quoted field may hold a `,` or
//!   a line break): the `csv` crate reads every record, one reused
//!   `ByteRecord` for the whole file.
//!
//! What the plain reader copies from the `csv` crate (default settings:
//! `,`, CRLF terminator, no comments), so that the two never differ:
//! - a record ends at `\n` or at `\r` (a lone `\r` too); empty records
//!   (blank lines, the `\n` of a `\r\n`) are skipped; a line holding only
//!   spaces is a record of one field;
//! - every record must have as many fields as the header, else the error is
//!   the `csv` crate's `UnequalLengths` text (record number counting the
//!   header as record 0, line, byte offset), as [`Error::Io`];
//! - the position of a record is the `csv` crate's: the byte just after the
//!   terminator byte of the record before it (so after blank lines, or after
//!   the `\r` of a CRLF file, it lies before the record's own line), and its
//!   line is 1 + the `\n` bytes before that byte; the `UnequalLengths`
//!   text gives these. [`Error::Parse`] gives the line the record's first
//!   byte stands on instead (with the `csv` crate too), the true line after
//!   blank lines and in CRLF files.
//!
//! A field is a number when its text, decoded as UTF-8 and trimmed of
//! Unicode white space, parses as an `f64` with `str::parse` (the
//! transaction reader's [`parse_number`]); an id is that text, U+FFFD when
//! it is not UTF-8. Plain decimals (`-12.345`: at most 19 digits, at most 2^53
//! as one integer) are converted while the field is scanned instead, giving
//! the same correctly rounded value (see [`scan_number`]).

use std::path::Path;

#[cfg(feature = "parallel")]
use rayon::prelude::*;

use super::{count_newlines, field_text, io_failure, parse_number, split_at_line_ends};
use crate::error::{Error, Result};

/// Numeric columns of a CSV file with a header, read by name.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvColumns {
    path: String,
    header: Vec<String>,
    /// Customer ids (the id column, or 1-based row numbers when it is absent);
    /// empty when the caller did not ask for them.
    pub ids: Vec<String>,
    rows: usize,
    columns: Vec<(String, Vec<f64>)>,
}

impl CsvColumns {
    /// The column `name`, or [`Error::MissingColumn`] naming the header.
    pub fn get(&self, name: &str) -> Result<&[f64]> {
        self.opt(name).ok_or_else(|| Error::MissingColumn {
            column: name.to_string(),
            available: format!("{} (in {})", self.header.join(", "), self.path),
        })
    }

    /// The column `name` if the file has it.
    pub fn opt(&self, name: &str) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The ids, when they were read from the column `name` (a per-row
    /// label such as a group, read as the id column); [`Error::MissingColumn`]
    /// naming the header when the file has no such column (the ids are
    /// then row numbers).
    pub fn ids_of(&self, name: &str) -> Result<&[String]> {
        if self.header.iter().any(|h| h == name) {
            Ok(&self.ids)
        } else {
            Err(Error::MissingColumn {
                column: name.to_string(),
                available: format!("{} (in {})", self.header.join(", "), self.path),
            })
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// `true` when there is no row (never for a file that was read: a file
    /// without data rows is an [`Error::Empty`]).
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }
}

/// Files shorter than this are read on the calling thread (one chunk).
#[cfg_attr(not(feature = "parallel"), allow(dead_code))]
const MIN_PARALLEL: usize = 1 << 18;

/// Chunks per rayon thread: more than one, so that a thread slowed down by
/// other work on the machine does not hold up the others.
#[cfg(feature = "parallel")]
const CHUNKS_PER_THREAD: usize = 4;

/// Reads the numeric columns `wanted` (those the header has) and, when
/// `id_col` is given, the ids of a comma-separated file with a header (the
/// id column, or 1-based row numbers when the header lacks it). Every value
/// must parse as a number; an error names the column, the line and the text.
///
/// Without a `"` in it, the file's rows are split and parsed in chunks (on
/// the rayon threads with the `parallel` feature; a file of more than 256
/// KiB a block at a time, never held whole), else the `csv` crate reads the
/// file in memory. Both give the same result: the header is
/// trimmed, blank lines, CRLF line ends and a byte-order mark are allowed,
/// and a parse error names the line the bad row stands on.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("clv-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("summary.csv");
/// std::fs::write(&path, "customer_id, frequency ,T\r\na,1,2.5\r\n\r\nb,0,3\r\n").unwrap();
/// let cols = clv::io::read_csv_columns(&path, Some("customer_id"), &["frequency", "T", "x"])?;
/// assert_eq!(cols.ids, ["a", "b"]);
/// assert_eq!(cols.get("T")?, [2.5, 3.0]);
/// assert!(cols.opt("x").is_none());
/// std::fs::write(&path, "customer_id,T\na,1\n\nb,x\n").unwrap();
/// let e = clv::io::read_csv_columns(&path, None, &["T"]).unwrap_err();
/// assert_eq!(e.to_string(), "cannot parse T on line 4: \"x\" (expected a number)");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), clv::Error>(())
/// ```
///
/// # Errors
/// - [`Error::Io`] when the file cannot be read, its header is not UTF-8, or
///   a row has not as many fields as the header (the `csv` crate's message);
/// - [`Error::Parse`] (column, line, untrimmed text) for the first field in
///   file order, and in the order of `wanted` within a row, that is not a
///   number;
/// - [`Error::Empty`] when there is no data row.
pub fn read_csv_columns(path: &Path, id_col: Option<&str>, wanted: &[&str]) -> Result<CsvColumns> {
    let name = path.display().to_string();
    let len = std::fs::metadata(path).map_or(0, |m| if m.is_file() { m.len() } else { 0 });
    if len > BLOCK as u64
        && let Some(columns) = read_streamed(path, len, &name, id_col, wanted)?
    {
        return Ok(columns);
    }
    let buf = std::fs::read(path).map_err(|e| io_failure(&name, e))?;
    read_buffer(&buf, &name, id_col, wanted, chunk_count(buf.len()))
}

/// Bytes [`read_streamed`] reads at a time, at the least: a file of up to
/// 8 blocks is read in blocks of this size, a larger one in about 8 blocks
/// (each block costs a few hand-overs between the threads), of at most
/// [`MAX_BLOCK`] bytes.
const BLOCK: usize = 1 << 18;

/// The largest block [`read_streamed`] reads.
const MAX_BLOCK: usize = 1 << 22;

/// Reads a file of plain rows (`len` bytes, more than [`BLOCK`]) a block at
/// a time into two reused buffers, the rows of each block (its whole lines)
/// appended to the columns with [`append_rows`] while the next block is
/// read. The file is never held whole, and the buffers' pages are touched
/// once: the kernel's copy of a whole file into a fresh buffer faults in
/// every page of it (about 1 ms of the read of a 2 MB file on the machines
/// of docs/performance.md), and nothing else runs meanwhile.
///
/// `None` where the whole-file reader must read the file ([`read_buffer`]):
/// a header not within the first block or that the `csv` crate refuses, a
/// `"`, a bad record, no data rows. It then gives the columns or the error,
/// positions counted in the whole file, as ever.
///
/// # Errors
/// [`Error::Io`] when the file cannot be opened or read.
fn read_streamed(
    path: &Path,
    len: u64,
    name: &str,
    id_col: Option<&str>,
    wanted: &[&str],
) -> Result<Option<CsvColumns>> {
    use std::io::Read;
    let failure = |e: std::io::Error| io_failure(name, e);
    let mut file = std::fs::File::open(path).map_err(failure)?;
    let size = usize::try_from(len / 8).map_or(MAX_BLOCK, |s| s.clamp(BLOCK, MAX_BLOCK));
    // Reads up to `size` more bytes; `true` at the end of the file.
    let fill = |file: &mut std::fs::File, block: &mut Vec<u8>| -> Result<bool> {
        let read = file.take(size as u64).read_to_end(block).map_err(failure)?;
        Ok(read < size)
    };
    // The end of the whole lines of `block[start..]` (all of it at the end
    // of the file).
    let lines_end = |block: &[u8], start: usize, end_of_file: bool| {
        if end_of_file {
            return block.len();
        }
        block[start..]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(start, |p| start + p + 1)
    };
    let mut block = Vec::with_capacity(2 * size);
    let mut end_of_file = fill(&mut file, &mut block)?;
    if !end_of_file && !block.contains(&b'\n') {
        return Ok(None);
    }
    let Ok(Header { names, data, .. }) = read_header(&block, name) else {
        return Ok(None);
    };
    // The header must end within the block (the csv crate stops short of
    // the block's end only after a terminator) and hold no quote.
    if (!end_of_file && data >= block.len()) || block[..data].contains(&b'"') {
        return Ok(None);
    }
    let layout = Layout::new(&names, id_col, wanted);
    let mut rows = Rows::new(&layout);
    // Room for the rows of the whole file at the first block's bytes per
    // row, and a little more.
    let first = lines_end(&block, data, end_of_file);
    let per_byte = count_records(&block[data..first]) as f64 / first.max(1) as f64;
    let total = (per_byte * len as f64 * 1.02) as usize + 64;
    rows.presize(total.min(usize::try_from(len).unwrap_or(usize::MAX)));
    // A block is read in as many chunks as a file of BLOCK bytes.
    let chunks = chunk_count(BLOCK);
    let mut start = data;
    let mut next = Vec::with_capacity(2 * size);
    loop {
        let end = lines_end(&block, start, end_of_file);
        // The next block, after the start of a line that continues in it,
        // is read while this one is parsed.
        next.clear();
        next.extend_from_slice(&block[end..]);
        let last = end_of_file;
        let (read, appended) = both(
            || {
                if last {
                    Ok(true)
                } else {
                    fill(&mut file, &mut next)
                }
            },
            || append_rows(&mut rows, &block[start..end], &layout, chunks),
        );
        end_of_file = read?;
        if appended.is_err() {
            return Ok(None);
        }
        if last {
            break;
        }
        std::mem::swap(&mut block, &mut next);
        start = 0;
    }
    match rows.finish(&layout, name) {
        Ok(rows) => Ok(Some(rows.into_columns(name, names, layout))),
        Err(_) => Ok(None),
    }
}

/// `a()` and `b()`, on two rayon threads with the `parallel` feature.
fn both<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(feature = "parallel")]
    return rayon::join(a, b);
    #[cfg(not(feature = "parallel"))]
    (a(), b())
}

/// Writes per-customer numbers as CSV, the counterpart of
/// [`read_csv_columns`]: the header `customer_id` and the names of
/// `columns`, then a row per id: the id (in `"` where it holds `,`, `"` or a
/// line break, `"` doubled) and its number of each column in shortest
/// round-trip form (what `{}` prints: `2`, `0.5389760084258178`, `NaN`),
/// lines ending in `\n`. Blocks of rows are formatted in parallel with the
/// `parallel` feature and written in order: the bytes are those of one `csv`
/// writer row by row.
///
/// ```
/// let mut out = Vec::new();
/// let ids = ["a".to_string(), "b,c".to_string()];
/// clv::io::write_csv_columns(&mut out, &ids, &[("p", &[0.5, 1.0]), ("e", &[0.25, f64::NAN])])?;
/// assert_eq!(out, b"customer_id,p,e\na,0.5,0.25\n\"b,c\",1,NaN\n");
/// # Ok::<(), clv::Error>(())
/// ```
///
/// # Errors
/// - [`Error::LengthMismatch`] when a column has not one number per id;
/// - [`Error::Io`] (path `<output>`) when writing fails.
pub fn write_csv_columns<W: std::io::Write>(
    w: W,
    ids: &[String],
    columns: &[(&str, &[f64])],
) -> Result<()> {
    for (name, column) in columns {
        if column.len() != ids.len() {
            return Err(Error::LengthMismatch {
                field: (*name).to_string(),
                actual: column.len(),
                reference: "customer_id".to_string(),
                expected: ids.len(),
            });
        }
    }
    let header: Vec<&str> = std::iter::once("customer_id")
        .chain(columns.iter().map(|(name, _)| *name))
        .collect();
    crate::summary::write_csv_rows(w, &header, ids.len(), |i, id, values| {
        id.extend_from_slice(ids[i].as_bytes());
        values.extend(columns.iter().map(|(_, column)| column[i]));
    })
}

/// For the fuzz targets (`fuzz/`): `buf` read as [`read_csv_columns`]
/// reads a file, in `n_chunks` pieces (1: one piece). Both must give the
/// same columns or the same error.
///
/// # Errors
/// As [`read_csv_columns`].
#[doc(hidden)]
pub fn read_csv_columns_in_chunks(
    buf: &[u8],
    id_col: Option<&str>,
    wanted: &[&str],
    n_chunks: usize,
) -> Result<CsvColumns> {
    read_buffer(buf, "<input>", id_col, wanted, n_chunks)
}

/// How many chunks a file of `len` bytes is read in.
fn chunk_count(len: usize) -> usize {
    #[cfg(feature = "parallel")]
    if len >= MIN_PARALLEL {
        return rayon::current_num_threads() * CHUNKS_PER_THREAD;
    }
    let _ = len;
    1
}

/// `f` of every item, in order: on the rayon threads when `parallel` (and
/// the `parallel` feature is on), else on this one.
fn map_items<I: Send, R: Send>(
    items: Vec<I>,
    parallel: bool,
    f: impl Fn(I) -> R + Sync + Send,
) -> Vec<R> {
    #[cfg(feature = "parallel")]
    if parallel {
        return items.into_par_iter().map(f).collect();
    }
    let _ = parallel;
    items.into_iter().map(f).collect()
}

/// The columns picked from the header.
struct Layout {
    /// Fields per record (those of the header).
    n_fields: usize,
    /// `None`: no ids wanted; `Some(None)`: row numbers; `Some(Some(i))`:
    /// field `i`.
    id: Option<Option<usize>>,
    /// Field index and name of each wanted column the header has, in the
    /// order of `wanted`, without repeats.
    picked: Vec<(usize, String)>,
    /// What each field of a record is for.
    roles: Vec<Role>,
}

/// What one field of a record is for.
#[derive(Debug, Clone, Copy, Default)]
struct Role {
    /// A wanted column: its index in [`Layout::picked`].
    column: Option<usize>,
    /// The id column.
    id: bool,
}

impl Layout {
    fn new(header: &[String], id_col: Option<&str>, wanted: &[&str]) -> Self {
        let position = |name: &str| header.iter().position(|h| h == name);
        let mut picked: Vec<(usize, String)> = Vec::new();
        for name in wanted {
            if let Some(i) = position(name)
                && !picked.iter().any(|(_, n)| n == name)
            {
                picked.push((i, name.to_string()));
            }
        }
        let id = id_col.map(position);
        let mut roles = vec![Role::default(); header.len()];
        for (k, (i, _)) in picked.iter().enumerate() {
            roles[*i].column = Some(k);
        }
        if let Some(Some(i)) = id {
            roles[i].id = true;
        }
        Layout {
            n_fields: header.len(),
            id,
            picked,
            roles,
        }
    }
}

/// Reads `buf` (the whole file): the header with the `csv` crate, the rows
/// in about `n_chunks` chunks, or with the `csv` crate when they hold a `"`.
fn read_buffer(
    buf: &[u8],
    path: &str,
    id_col: Option<&str>,
    wanted: &[&str],
    n_chunks: usize,
) -> Result<CsvColumns> {
    let header = read_header(buf, path)?;
    let layout = Layout::new(&header.names, id_col, wanted);
    let rows = match read_chunked(buf, header.data, path, &layout, n_chunks) {
        Some(rows) => rows?,
        None => read_records(buf, header.reader, path, &layout)?,
    };
    Ok(rows.into_columns(path, header.names, layout))
}

/// The header line, read by the `csv` crate.
struct Header<'b> {
    /// The reader, just after the header.
    reader: csv::Reader<&'b [u8]>,
    /// The trimmed names.
    names: Vec<String>,
    /// Where the rows start in the file: just after the header's terminator
    /// byte, where the reader stopped.
    data: usize,
}

fn read_header<'b>(buf: &'b [u8], path: &str) -> Result<Header<'b>> {
    let mut reader = csv::ReaderBuilder::new()
        .buffer_capacity(1 << 16)
        .from_reader(buf);
    let names: Vec<String> = reader
        .headers()
        .map_err(|e| io_failure(path, e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let data = usize::try_from(reader.position().byte()).map_or(buf.len(), |b| b.min(buf.len()));
    Ok(Header {
        reader,
        names,
        data,
    })
}

fn no_rows(path: &str) -> Error {
    Error::Empty {
        field: path.to_string(),
        reason: "the file has no data rows".to_string(),
    }
}

/// The rows read, before they are named.
struct Rows {
    rows: usize,
    ids: Vec<String>,
    /// One column per [`Layout::picked`].
    values: Vec<Vec<f64>>,
}

impl Rows {
    /// No rows yet, a column per [`Layout::picked`].
    fn new(layout: &Layout) -> Self {
        Rows {
            rows: 0,
            ids: Vec::new(),
            values: vec![Vec::new(); layout.picked.len()],
        }
    }

    /// The rows of a whole file: [`Error::Empty`] when there are none; the
    /// 1-based row numbers as ids when the header lacks the id column.
    fn finish(mut self, layout: &Layout, path: &str) -> Result<Self> {
        if self.rows == 0 {
            return Err(no_rows(path));
        }
        for column in &mut self.values {
            column.truncate(self.rows);
        }
        if layout.id == Some(None) {
            self.ids = (1..=self.rows).map(|r| r.to_string()).collect();
        }
        Ok(self)
    }

    /// Zeroed room for `total` rows in every column, written by the chunks'
    /// threads ([`append_rows`]; fresh zeroed memory is first touched
    /// there, in parallel) and cut to the rows read by [`Rows::finish`].
    fn presize(&mut self, total: usize) {
        for column in &mut self.values {
            if column.is_empty() {
                *column = vec![0.0; total];
            } else if column.len() < total {
                column.resize(total, 0.0);
            }
        }
    }

    fn into_columns(self, path: &str, header: Vec<String>, layout: Layout) -> CsvColumns {
        CsvColumns {
            path: path.to_string(),
            header,
            ids: self.ids,
            rows: self.rows,
            columns: layout
                .picked
                .into_iter()
                .map(|(_, name)| name)
                .zip(self.values)
                .collect(),
        }
    }
}

/// Reads the rows of `buf[data..]` in about `n_chunks` chunks, on the
/// rayon threads when more than one; `None` when the header or a row holds
/// a `"` (the `csv` crate must read the rows then).
fn read_chunked(
    buf: &[u8],
    data: usize,
    path: &str,
    layout: &Layout,
    n_chunks: usize,
) -> Option<Result<Rows>> {
    if buf[..data].contains(&b'"') {
        return None;
    }
    let mut rows = Rows::new(layout);
    let Err(stopped) = append_rows(&mut rows, &buf[data..], layout, n_chunks) else {
        return Some(rows.finish(layout, path));
    };
    let start = data + stopped.offset;
    match stopped.stop {
        Stop::Csv => None,
        Stop::Fields { at, found } => {
            let (byte, line) = record_position(buf, data, start + at);
            Some(Err(Error::Io {
                path: path.to_string(),
                // The text of csv::Error for ErrorKind::UnequalLengths
                // (csv 1.4, src/error.rs); the header is record 0.
                message: format!(
                    "CSV error: record {} (line: {line}, byte: {byte}): found record \
                     with {found} fields, but the previous record has {} fields",
                    1 + stopped.record,
                    layout.n_fields
                ),
            }))
        }
        Stop::Parse { at, column, field } => Some(Err(Error::Parse {
            column: layout.picked[column].1.clone(),
            line: line_of(buf, start + at),
            value: String::from_utf8_lossy(&buf[start + field.0..start + field.1]).into_owned(),
            reason: "expected a number".to_string(),
        })),
    }
}

/// Where [`append_rows`] stopped.
struct Stopped {
    /// Where the chunk that stopped starts in the text.
    offset: usize,
    /// Records of the text before the one that stopped the chunk.
    record: usize,
    /// Why; positions in it are relative to the chunk.
    stop: Stop,
}

/// Appends the records of `text` (whole lines, or the end of the file) to
/// `rows`, in about `n_chunks` chunks, on the rayon threads when more than
/// one: the records of every chunk are counted first, so that each chunk
/// writes its rows straight into its part of the grown columns (per-chunk
/// columns joined afterwards cost as much again as the parsing: fresh
/// memory is slow to touch). On a [`Stopped`], `rows` is left part-written.
fn append_rows(
    rows: &mut Rows,
    text: &[u8],
    layout: &Layout,
    n_chunks: usize,
) -> std::result::Result<(), Stopped> {
    let pieces = split_at_line_ends(text, n_chunks);
    let parallel = pieces.len() > 1;
    let counts: Vec<usize> = map_items(pieces.clone(), parallel, count_records);
    let added: usize = counts.iter().sum();
    let old = rows.rows;
    rows.presize(old + added);
    if matches!(layout.id, Some(Some(_))) {
        #[cfg(feature = "parallel")]
        if parallel {
            rows.ids
                .par_extend(rayon::iter::repeat_n(String::new(), added));
        }
        // (A no-op after the parallel fill.)
        rows.ids.resize(old + added, String::new());
    }
    let mut slots: Vec<Slots> = counts
        .iter()
        .map(|_| Slots {
            values: Vec::with_capacity(rows.values.len()),
            ids: &mut [],
        })
        .collect();
    for column in &mut rows.values {
        let mut rest = &mut column[old..old + added];
        for (slot, &n) in slots.iter_mut().zip(&counts) {
            let n = n.min(rest.len());
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(n);
            slot.values.push(head);
            rest = tail;
        }
    }
    let mut rest = rows.ids.get_mut(old..).unwrap_or_default();
    for (slot, &n) in slots.iter_mut().zip(&counts) {
        let n = n.min(rest.len());
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(n);
        slot.ids = head;
        rest = tail;
    }
    let jobs: Vec<(&[u8], Slots)> = pieces.iter().copied().zip(slots).collect();
    let outcomes: Vec<Outcome> = map_items(jobs, parallel, |(p, s)| parse_chunk(p, layout, s));
    let mut offset = 0;
    let mut record = 0;
    for ((piece, outcome), &count) in pieces.iter().zip(&outcomes).zip(&counts) {
        let stop = match outcome.stop {
            None if outcome.rows == count => None,
            // A quote; or (impossible) a count that differs from the rows.
            None => Some(Stop::Csv),
            stop => stop,
        };
        if let Some(stop) = stop {
            return Err(Stopped {
                offset,
                record: record + outcome.rows,
                stop,
            });
        }
        record += count;
        offset += piece.len();
    }
    rows.rows += added;
    Ok(())
}

/// The `csv` crate's position (byte offset, line) of the record whose text
/// starts at `record`: just after the terminator byte of the record before
/// it (the header's when it is the first, i.e. `data`).
fn record_position(buf: &[u8], data: usize, record: usize) -> (usize, u64) {
    let byte = buf[data..record]
        .iter()
        .rposition(|&b| b != b'\n' && b != b'\r')
        .map_or(data, |last| data + last + 2);
    (byte, 1 + count_newlines(&buf[..byte]))
}

/// The 1-based line of the file on which byte `at` stands (for parse
/// errors: the line of the record's first byte, whatever line ends and blank
/// lines come before it; the `csv` crate's own line number points at the
/// end of the previous record instead, one line early in a CRLF file or
/// after a blank line).
fn line_of(buf: &[u8], at: usize) -> u64 {
    1 + count_newlines(&buf[..at.min(buf.len())])
}

/// The first byte of the record that the `csv` crate places at `byte` (just
/// after the previous record's terminator): past the line-end bytes of that
/// terminator and of any blank lines.
fn record_start(buf: &[u8], byte: u64) -> usize {
    let mut i = usize::try_from(byte).map_or(buf.len(), |b| b.min(buf.len()));
    while i < buf.len() && (buf[i] == b'\n' || buf[i] == b'\r') {
        i += 1;
    }
    i
}

/// Reads the rows after the header with the `csv` crate (quoted files).
fn read_records(
    buf: &[u8],
    mut reader: csv::Reader<&[u8]>,
    path: &str,
    layout: &Layout,
) -> Result<Rows> {
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); layout.picked.len()];
    let mut ids = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut rows = 0usize;
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| io_failure(path, e))?
    {
        rows += 1;
        // Counted only for an error (a pass over the bytes before it).
        let line = || {
            record.position().map_or(rows as u64 + 1, |p| {
                line_of(buf, record_start(buf, p.byte()))
            })
        };
        match layout.id {
            Some(Some(i)) => ids.push(id_text(record.get(i).unwrap_or(b"")).to_string()),
            Some(None) => ids.push(rows.to_string()),
            None => {}
        }
        for ((i, name), column) in layout.picked.iter().zip(&mut values) {
            let bytes = record.get(*i).unwrap_or(b"");
            column.push(parse_field(bytes).ok_or_else(|| Error::Parse {
                column: name.clone(),
                line: line(),
                value: String::from_utf8_lossy(bytes).into_owned(),
                reason: "expected a number".to_string(),
            })?);
        }
    }
    if rows == 0 {
        return Err(no_rows(path));
    }
    Ok(Rows { rows, ids, values })
}

/// The id in a field: its [`field_text`], U+FFFD when it is not UTF-8.
fn id_text(bytes: &[u8]) -> &str {
    field_text(bytes).unwrap_or("\u{fffd}")
}

/// The value of a field as the `csv` crate reader computes it: the
/// transaction reader's [`parse_number`] (`str::parse` of the trimmed text).
fn parse_field(bytes: &[u8]) -> Option<f64> {
    parse_number(bytes).ok()
}

/// 10^0 ..= 10^19, all exact in an `f64` (5^19 < 2^53).
const POW10: [f64; 20] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19,
];

/// Bytes that end a field: the delimiter, both terminators, and the quote
/// (which sends the file to the `csv` crate).
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'"' as usize] = true;
    t
};

/// The end of the field starting at `buf[i]`: the first [`SPECIAL`] byte
/// from `i` on, or the end of `buf`.
fn field_end(buf: &[u8], i: usize) -> usize {
    buf[i..]
        .iter()
        .position(|&b| SPECIAL[usize::from(b)])
        .map_or(buf.len(), |p| i + p)
}

/// The end of the field starting at `buf[i]` (as [`field_end`]) and, when
/// the field is a plain decimal `[+-]digits[.digits]` with at most 19
/// digits whose digits read as one integer m are at most 2^53, its value
/// m / 10^k (k digits after the point); `None` for any other field, whose
/// value is then [`parse_field`]'s.
///
/// # Why the value equals `str::parse::<f64>`
/// m and 10^k (k ≤ 19) are exact `f64`s and IEEE 754 division rounds
/// correctly, so m / 10^k is the correctly rounded value of the decimal,
/// which is what `str::parse` returns for every input (Clinger 1990, "How to
/// read floating point numbers accurately", PLDI; the fast path of Rust's
/// `dec2flt`). The sign is applied last, so `-0` gives −0.0 as `str::parse`
/// does. Fields with white space, exponents or other text take the general
/// path. Hand-written because going through `str` (UTF-8 check, Unicode
/// trim, the general parser) took about half of reading a summary file.
fn scan_number(buf: &[u8], i: usize) -> (usize, Option<f64>) {
    let mut j = i;
    let negative = match buf.get(j) {
        Some(b'-') => {
            j += 1;
            true
        }
        Some(b'+') => {
            j += 1;
            false
        }
        _ => false,
    };
    let mut m = 0u64;
    let mut digits = |j: &mut usize| {
        let start = *j;
        while let Some(&b) = buf.get(*j) {
            let d = b.wrapping_sub(b'0');
            if d >= 10 {
                break;
            }
            // Wrapping: more than 19 digits are rejected below.
            m = m.wrapping_mul(10).wrapping_add(u64::from(d));
            *j += 1;
        }
        *j - start
    };
    let whole = digits(&mut j);
    let point = buf.get(j) == Some(&b'.');
    let decimals = if point {
        j += 1;
        digits(&mut j)
    } else {
        0
    };
    if buf.get(j).is_some_and(|&b| !SPECIAL[usize::from(b)]) {
        return (field_end(buf, j), None);
    }
    if whole == 0 || (point && decimals == 0) || whole + decimals > 19 || m > 1 << 53 {
        return (j, None);
    }
    let value = m as f64 / POW10[decimals];
    (j, Some(if negative { -value } else { value }))
}

/// The number of records in `piece` as [`parse_chunk`] reads them: the
/// maximal runs of bytes other than `\n` and `\r` (each ends at a
/// terminator or at the end of the piece).
fn count_records(piece: &[u8]) -> usize {
    let term = |b: u8| (b == b'\n') | (b == b'\r');
    let next = piece.get(1..).unwrap_or_default();
    // Record ends (a byte of a record followed by a terminator), counted in
    // blocks of 255 pairs in a u8, which the compiler vectorises.
    let mut ends = 0;
    for (a, b) in piece.chunks(255).zip(next.chunks(255)) {
        let block = a.iter().zip(b).fold(0u8, |n, (&x, &y)| {
            n.wrapping_add(u8::from(!term(x) & term(y)))
        });
        ends += usize::from(block);
    }
    ends + usize::from(piece.last().is_some_and(|&b| !term(b)))
}

/// Why a chunk stopped before its end.
#[derive(Debug, Clone, Copy)]
enum Stop {
    /// A record with a `"` (or, which cannot happen, more records than
    /// [`count_records`] found): the `csv` crate must read the file.
    Csv,
    /// The record starting at byte `at` of the chunk has `found` fields.
    Fields { at: usize, found: usize },
    /// Field `field` (byte range in the chunk) of the record starting at
    /// `at` is not a number; `column` indexes [`Layout::picked`].
    Parse {
        at: usize,
        column: usize,
        field: (usize, usize),
    },
}

/// Where one chunk writes its rows: its part of every final column, and
/// of the ids when they are wanted (else empty).
struct Slots<'a> {
    /// One slice per [`Layout::picked`].
    values: Vec<&'a mut [f64]>,
    ids: &'a mut [String],
}

/// What one chunk read.
struct Outcome {
    /// Records read (all of the chunk's unless `stop`).
    rows: usize,
    stop: Option<Stop>,
}

/// Reads the records of `buf` (a chunk of whole lines) into `slots`, up to
/// the first record with a quote, a wrong field count or a value that is
/// not a number.
fn parse_chunk(buf: &[u8], layout: &Layout, mut slots: Slots<'_>) -> Outcome {
    let with_ids = matches!(layout.id, Some(Some(_)));
    // Fields of the current record that are not plain decimals:
    // (column, start, end), parsed by `parse_field` once the record is whole.
    let mut general: Vec<(usize, usize, usize)> = Vec::new();
    let mut row = 0;
    let stop = |rows: usize, stop: Stop| Outcome {
        rows,
        stop: Some(stop),
    };
    let mut i = 0;
    while i < buf.len() {
        if buf[i] == b'\n' || buf[i] == b'\r' {
            i += 1;
            continue;
        }
        let at = i;
        let mut fields = 0;
        let mut id = (0, 0);
        general.clear();
        loop {
            let start = i;
            let role = layout.roles.get(fields).copied().unwrap_or_default();
            match role.column {
                Some(k) => {
                    let (end, value) = scan_number(buf, i);
                    i = end;
                    match slots.values.get_mut(k).and_then(|c| c.get_mut(row)) {
                        Some(slot) => *slot = value.unwrap_or(0.0),
                        None => return stop(row, Stop::Csv),
                    }
                    if value.is_none() {
                        general.push((k, start, end));
                    }
                }
                None => i = field_end(buf, i),
            }
            if role.id {
                id = (start, i);
            }
            fields += 1;
            match buf.get(i) {
                Some(b',') => i += 1,
                Some(b'"') => return stop(row, Stop::Csv),
                // A terminator (consumed with the record) or the end.
                _ => break,
            }
        }
        i += 1;
        if fields != layout.n_fields {
            return stop(row, Stop::Fields { at, found: fields });
        }
        // In the order of the columns asked for, as the csv crate reader.
        general.sort_unstable();
        for &(k, a, b) in &general {
            let Some(slot) = slots.values.get_mut(k).and_then(|c| c.get_mut(row)) else {
                return stop(row, Stop::Csv);
            };
            match parse_field(&buf[a..b]) {
                Some(v) => *slot = v,
                None => {
                    let field = (a, b);
                    return stop(
                        row,
                        Stop::Parse {
                            at,
                            column: k,
                            field,
                        },
                    );
                }
            }
        }
        if with_ids {
            match slots.ids.get_mut(row) {
                Some(slot) => *slot = id_text(&buf[id.0..id.1]).to_string(),
                None => return stop(row, Stop::Csv),
            }
        }
        row += 1;
    }
    Outcome {
        rows: row,
        stop: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `write_csv_columns` against a row-by-row formatter written out here
    /// (the quoting rule and `{}` of every number), on more rows than one
    /// block (2^14) so that several blocks are formatted, in parallel with
    /// the `parallel` feature; and a column of another length.
    #[test]
    fn written_columns_are_the_row_by_row_csv() {
        let n = 40_000;
        let ids: Vec<String> = (0..n)
            .map(|i| match i % 7 {
                0 => format!("a,{i}"),
                1 => format!("q\"{i}"),
                2 => format!("l\n{i}"),
                3 => format!("r\r{i}"),
                4 => String::new(),
                _ => format!("é{i}"),
            })
            .collect();
        let special = [0.0, -0.0, 1.0, 1e15, 1e16, -3.0, f64::NAN, f64::INFINITY];
        let a: Vec<f64> = (0..n).map(|i| (i as f64).sqrt() / 7.0).collect();
        let b: Vec<f64> = (0..n).map(|i| special[i % special.len()]).collect();
        let mut out = Vec::new();
        write_csv_columns(&mut out, &ids, &[("a", &a), ("b", &b)]).unwrap();
        let mut want = String::from("customer_id,a,b\n");
        for i in 0..n {
            let id = &ids[i];
            if id.contains([',', '"', '\n', '\r']) {
                want.push_str(&format!("\"{}\"", id.replace('"', "\"\"")));
            } else {
                want.push_str(id);
            }
            want.push_str(&format!(",{},{}\n", a[i], b[i]));
        }
        assert_eq!(String::from_utf8(out).unwrap(), want);
        let e = write_csv_columns(Vec::new(), &ids, &[("a", &a[1..])]).unwrap_err();
        assert!(matches!(
            e,
            Error::LengthMismatch { ref field, actual: 39_999, expected: 40_000, .. } if field == "a"
        ));
    }

    /// `read_csv_columns` as it was before the chunked reader (commit
    /// 1dfeae0, crates/clv-cli/src/input.rs), reading from any `csv` reader:
    /// the reference every result here is compared with. One change since:
    /// a parse error names the line of the record's first byte in `text`
    /// (the file's bytes), found from the `csv` crate's record position by
    /// skipping line-end bytes and counting `\n` before it, where the old
    /// reader gave the crate's line number (one early after a blank line or
    /// a CRLF line end).
    fn before<R: std::io::Read>(
        reader: std::result::Result<csv::Reader<R>, csv::Error>,
        text: &[u8],
        path: &str,
        id_col: Option<&str>,
        wanted: &[&str],
    ) -> Result<CsvColumns> {
        let io_err = |e: csv::Error| Error::Io {
            path: path.to_string(),
            message: e.to_string(),
        };
        let mut reader = reader.map_err(io_err)?;
        let header: Vec<String> = reader
            .headers()
            .map_err(io_err)?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let position = |name: &str| header.iter().position(|h| h == name);
        let id_idx = id_col.map(&position);
        let mut picked: Vec<(usize, String, Vec<f64>)> = Vec::new();
        for name in wanted {
            if let Some(i) = position(name)
                && !picked.iter().any(|(_, n, _)| n == name)
            {
                picked.push((i, name.to_string(), Vec::new()));
            }
        }
        let mut ids = Vec::new();
        let mut record = csv::ByteRecord::new();
        let mut rows = 0usize;
        while reader.read_byte_record(&mut record).map_err(io_err)? {
            rows += 1;
            let line = || {
                record.position().map_or(rows as u64 + 1, |p| {
                    let mut at = p.byte() as usize;
                    while at < text.len() && matches!(text[at], b'\n' | b'\r') {
                        at += 1;
                    }
                    1 + text[..at].iter().filter(|&&b| b == b'\n').count() as u64
                })
            };
            let text_of = |i: usize| -> &str {
                let bytes = record.get(i).unwrap_or(b"");
                std::str::from_utf8(bytes).unwrap_or("\u{fffd}").trim()
            };
            match id_idx {
                Some(Some(i)) => ids.push(text_of(i).to_string()),
                Some(None) => ids.push(rows.to_string()),
                None => {}
            }
            for (i, name, values) in &mut picked {
                let text = text_of(*i);
                values.push(text.parse::<f64>().map_err(|_| Error::Parse {
                    column: name.clone(),
                    line: line(),
                    value: String::from_utf8_lossy(record.get(*i).unwrap_or(b"")).into_owned(),
                    reason: "expected a number".to_string(),
                })?);
            }
        }
        if rows == 0 {
            return Err(Error::Empty {
                field: path.to_string(),
                reason: "the file has no data rows".to_string(),
            });
        }
        Ok(CsvColumns {
            path: path.to_string(),
            header,
            ids,
            rows,
            columns: picked.into_iter().map(|(_, n, v)| (n, v)).collect(),
        })
    }

    fn before_bytes(text: &[u8], id_col: Option<&str>, wanted: &[&str]) -> Result<CsvColumns> {
        let reader = csv::ReaderBuilder::new()
            .buffer_capacity(1 << 16)
            .from_reader(text);
        before(Ok(reader), text, "f.csv", id_col, wanted)
    }

    fn before_path(path: &Path, id_col: Option<&str>, wanted: &[&str]) -> Result<CsvColumns> {
        let reader = csv::ReaderBuilder::new()
            .buffer_capacity(1 << 16)
            .from_path(path);
        let text = std::fs::read(path).unwrap_or_default();
        before(reader, &text, &path.display().to_string(), id_col, wanted)
    }

    /// The result with the numbers as bits: NaN equals NaN, −0 differs from 0.
    type Bits = std::result::Result<(CsvColumns, Vec<Vec<u64>>), Error>;

    fn bits(r: Result<CsvColumns>) -> Bits {
        r.map(|mut c| {
            let values = c
                .columns
                .iter_mut()
                .map(|(_, v)| {
                    let b = v.iter().map(|x| x.to_bits()).collect();
                    v.clear();
                    b
                })
                .collect();
            (c, values)
        })
    }

    const SUMMARY: [&str; 5] = ["frequency", "recency", "T", "monetary_value", "periods"];

    /// Reads `text` with the chunked reader in several chunk counts (down to
    /// one line per chunk) and with the `csv` crate alone, for several id
    /// options, and checks every result against [`before`]; checks too that
    /// the chunked reader reads every file without a quote itself.
    fn check(text: &[u8]) {
        let lines = text.iter().filter(|&&b| b == b'\n').count();
        for id_col in [None, Some("customer_id"), Some("no_such_column")] {
            for wanted in [
                &SUMMARY[..],
                &["T", "frequency", "T"][..],
                &["x", "customer_id"][..],
                &[][..],
            ] {
                let expected = bits(before_bytes(text, id_col, wanted));
                let mut counts = vec![1, 2, 3, 7, lines / 2 + 1, lines + 1];
                counts.dedup();
                for n in counts {
                    let got = bits(read_buffer(text, "f.csv", id_col, wanted, n));
                    assert_eq!(
                        got,
                        expected,
                        "{n} chunks, ids {id_col:?}, {wanted:?}, {:?}",
                        String::from_utf8_lossy(text)
                    );
                    // Only a quote sends a file to the csv crate.
                    if !text.contains(&b'"') {
                        let h = read_header(text, "f.csv").unwrap();
                        let layout = Layout::new(&h.names, id_col, wanted);
                        assert!(read_chunked(text, h.data, "f.csv", &layout, n).is_some());
                    }
                }
                let csv_only = read_header(text, "f.csv").and_then(|h| {
                    let layout = Layout::new(&h.names, id_col, wanted);
                    let rows = read_records(text, h.reader, "f.csv", &layout)?;
                    Ok(rows.into_columns("f.csv", h.names, layout))
                });
                assert_eq!(
                    bits(csv_only),
                    expected,
                    "csv crate, {:?}",
                    String::from_utf8_lossy(text)
                );
            }
        }
    }

    /// SplitMix64 (Steele, Lea & Flood 2014): a tiny seeded generator, so
    /// that the generated inputs are the same on every run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn chance(&mut self, one_in: usize) -> bool {
            self.below(one_in) == 0
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    /// `min..min + spread` random decimal digits.
    fn digits(rng: &mut Rng, min: usize, spread: usize) -> String {
        let n = min + rng.below(spread);
        (0..n)
            .map(|_| char::from(b'0' + rng.below(10) as u8))
            .collect()
    }

    /// A number as a summary file may hold it: integers, decimals of any
    /// length, signs, exponents, leading zeros, specials.
    fn number(rng: &mut Rng) -> String {
        match rng.below(10) {
            0 => digits(rng, 1, 20),
            1 => {
                let whole = digits(rng, 1, 3);
                format!("-{whole}.{}", digits(rng, 1, 20))
            }
            2 => {
                let whole = digits(rng, 1, 3);
                format!("{whole}e{}", rng.below(30))
            }
            3 => rng
                .pick(&[
                    "0",
                    "-0",
                    "+0.0",
                    "-0.0",
                    "9007199254740992",
                    "9007199254740993",
                    "0.1",
                    "1.",
                    ".5",
                    "00012.50",
                    "inf",
                    "-inf",
                    "NaN",
                    "1e-400",
                    "1e400",
                ])
                .to_string(),
            _ => {
                let whole = digits(rng, 1, 4);
                format!("{whole}.{}", digits(rng, 0, 8))
            }
        }
    }

    /// White space around a field, mostly none.
    fn pad(rng: &mut Rng) -> &'static str {
        if rng.chance(4) {
            rng.pick(&[" ", "  ", "\t", "\x0b", "\x0c", "\u{a0}", "\u{2003}"])
        } else {
            ""
        }
    }

    /// A value that is not a number (rarely) or a padded number.
    fn field(rng: &mut Rng, bad_one_in: usize) -> Vec<u8> {
        if rng.chance(bad_one_in) {
            let bad: [&[u8]; 10] = [
                b"",
                b" ",
                b"x",
                b"1.2.3",
                b"--1",
                b"1e",
                b"-",
                "é".as_bytes(),
                "\u{feff}1".as_bytes(),
                b"1\xff",
            ];
            return bad[rng.below(bad.len())].to_vec();
        }
        format!("{}{}{}", pad(rng), number(rng), pad(rng)).into_bytes()
    }

    fn line_end(rng: &mut Rng, crlf: bool) -> &'static str {
        match rng.below(40) {
            0 => "\n\n",
            1 => "\r\n\r\n",
            2 => "\r",
            3 if rng.chance(10) => "\n \n",
            _ if crlf => "\r\n",
            _ => "\n",
        }
    }

    /// A random summary-like file: BOM, leading blank lines, padded header
    /// names in any order, ids, numbers in many forms, CRLF or LF, blank
    /// lines, lone `\r`, rarely a bad value, a wrong field count or a quote,
    /// with or without a final line end.
    fn generate(rng: &mut Rng, rows: usize, bad_one_in: usize) -> Vec<u8> {
        let crlf = rng.chance(2);
        let numeric_ids = rng.chance(2);
        let mut names = vec![
            "customer_id",
            "frequency",
            "recency",
            "T",
            "monetary_value",
            "x",
        ];
        for i in (1..names.len()).rev() {
            names.swap(i, rng.below(i + 1));
        }
        names.truncate(1 + rng.below(names.len()));
        if rng.chance(8) {
            // A repeated name: the first one is read.
            names.push(names[rng.below(names.len())]);
        }
        let mut text = Vec::new();
        if rng.chance(3) {
            text.extend_from_slice("\u{feff}".as_bytes());
        }
        if rng.chance(5) {
            text.extend_from_slice(rng.pick(&["\n", "\r\n", "\n\r\n"]).as_bytes());
        }
        let header: Vec<String> = names
            .iter()
            .map(|n| format!("{}{n}{}", pad(rng), pad(rng)))
            .collect();
        text.extend_from_slice(header.join(",").as_bytes());
        for r in 0..rows {
            text.extend_from_slice(line_end(rng, crlf).as_bytes());
            let mut n = names.len();
            if rng.chance(bad_one_in * 4) {
                n = if n > 1 && rng.chance(2) { n - 1 } else { n + 1 };
            }
            for (k, name) in names
                .iter()
                .chain(std::iter::repeat(&"x"))
                .take(n)
                .enumerate()
            {
                if k > 0 {
                    text.push(b',');
                }
                if *name == "customer_id" {
                    let prefix = if numeric_ids { "" } else { "c" };
                    text.extend_from_slice(
                        format!("{}{prefix}{r}{}", pad(rng), pad(rng)).as_bytes(),
                    );
                } else {
                    text.extend(field(rng, bad_one_in));
                }
            }
            if rng.chance(bad_one_in * 20) {
                text.extend_from_slice(b",\"q\"");
            }
        }
        if rng.chance(2) {
            text.extend_from_slice(line_end(rng, crlf).as_bytes());
        }
        text
    }

    #[test]
    fn chunked_equals_csv_crate_on_generated_files() {
        let mut rng = Rng(20_240_601);
        for case in 0..600 {
            let rows = rng.below(if case % 10 == 0 { 300 } else { 40 });
            // Mostly valid files, so that errors fall in later chunks too.
            let bad_one_in = [5, 50, 500, 100_000][case % 4];
            check(&generate(&mut rng, rows, bad_one_in));
        }
    }

    /// [`scan_number`] on `text` followed by `next` (a delimiter, a
    /// terminator or nothing): the field end and the direct value.
    fn scan(text: &str, next: &str) -> (usize, Option<f64>) {
        scan_number(format!("{text}{next}").as_bytes(), 0)
    }

    /// The direct conversion agrees bit for bit with `str::parse` wherever
    /// it applies, applies to the usual summary values, and finds the end
    /// of the field.
    #[test]
    fn scan_number_equals_str_parse() {
        let mut rng = Rng(7);
        let mut direct = 0;
        for i in 0..200_000 {
            let text = match i % 3 {
                0 => number(&mut rng),
                // Mantissas near 2^53, the point anywhere.
                1 => {
                    let m = (1u64 << 53) - 50 + rng.below(100) as u64;
                    let s = m.to_string();
                    let at = 1 + rng.below(s.len() - 1);
                    format!("{}.{}", &s[..at], &s[at..])
                }
                _ => format!("{}{}{}", pad(&mut rng), number(&mut rng), pad(&mut rng)),
            };
            let expected = text.trim().parse::<f64>().ok().map(f64::to_bits);
            let next = ["", ",", "\n", "\r"][i % 4];
            let (end, value) = scan(&text, next);
            assert_eq!(end, text.len(), "{text:?}");
            if let Some(v) = value {
                direct += 1;
                assert_eq!(Some(v.to_bits()), expected, "{text:?}");
            }
            let general = parse_field(text.as_bytes()).map(f64::to_bits);
            assert_eq!(general, expected, "{text:?}");
        }
        assert!(direct > 100_000, "{direct}");
        for (text, value) in [
            ("13.2786", Some(13.2786)),
            ("-0", Some(-0.0)),
            ("+2.50", Some(2.5)),
            ("9007199254740992", Some(9_007_199_254_740_992.0)),
            ("0.000000000000000001", Some(1e-18)),
            // Beyond 2^53 or 19 digits, an exponent, no digit before or
            // after the point, white space: left to str::parse.
            ("9007199254740993", None),
            ("0.0000000000000000001", None),
            ("1e3", None),
            (".5", None),
            ("5.", None),
            (" 1", None),
            ("1\u{a0}", None),
            ("-", None),
            ("", None),
        ] {
            assert_eq!(
                scan(text, ",").1.map(f64::to_bits),
                value.map(f64::to_bits),
                "{text:?}"
            );
        }
        // The field ends at the first delimiter, terminator or quote.
        assert_eq!(scan("12x3", ",4"), (4, None));
        assert_eq!(scan("12", "\"3\","), (2, Some(12.0)));
    }

    fn parse_error(column: &str, line: u64, value: &str) -> Error {
        Error::Parse {
            column: column.into(),
            line,
            value: value.into(),
            reason: "expected a number".into(),
        }
    }

    /// Files of several blocks read block by block ([`read_streamed`]):
    /// the columns, ids and errors of the whole-file reader, with lines
    /// across block ends, a line longer than a block, CRLF and blank lines,
    /// a length that is a whole number of blocks, and late quotes and bad
    /// values (which hand the file to the whole-file reader).
    #[test]
    fn streamed_files_equal_the_whole_file_reader() {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = Rng(20_261_205);
        let mut files: Vec<Vec<u8>> = Vec::new();
        for bad_one_in in [1_000_000_000, 1_000_000_000, 1_000_000, 20_000, 2_000] {
            let mut rows = 30_000;
            let mut text = generate(&mut rng, rows, bad_one_in);
            while text.len() <= 2 * BLOCK {
                rows *= 2;
                text = generate(&mut rng, rows, bad_one_in);
            }
            files.push(text);
        }
        let mut plain = String::from("customer_id,frequency,recency,T\r\n\r\n");
        for i in 0.. {
            if plain.len() >= 3 * BLOCK - 40 {
                break;
            }
            plain.push_str(&format!(
                "c{i},{},{}.25,{}.5\r\n",
                i % 7,
                i % 30,
                30 + i % 9
            ));
            if i == 1000 {
                // A line longer than a block: an id padded with spaces.
                let pad = " ".repeat(BLOCK);
                plain.push_str(&format!("{pad}wide{pad},1,2,3\r\n"));
            }
        }
        plain.push_str(&"\n".repeat(3 * BLOCK - plain.len()));
        assert_eq!(plain.len(), 3 * BLOCK);
        // Valid and quote-free (read block by block in every case), then a
        // quote and a bad recency in the last line.
        files.push(plain.clone().into_bytes());
        files.push(plain.replace("\r\n", "\n").into_bytes());
        files.push(format!("{plain}c,1,\"2\",3\n").into_bytes());
        files.push(format!("{plain}c,1,y,3\n").into_bytes());
        let mut streamed = 0;
        for (k, text) in files.iter().enumerate() {
            assert!(text.len() > 2 * BLOCK);
            let path = dir.path().join(format!("f{k}.csv"));
            std::fs::write(&path, text).unwrap();
            let name = path.display().to_string();
            for id_col in [None, Some("customer_id")] {
                for wanted in [&SUMMARY[..], &["T", "x"][..], &[][..]] {
                    let whole = bits(read_buffer(text, &name, id_col, wanted, 1));
                    let got = read_csv_columns(&path, id_col, wanted);
                    assert_eq!(bits(got), whole, "file {k}, ids {id_col:?}, {wanted:?}");
                    if let Some(c) =
                        read_streamed(&path, text.len() as u64, &name, id_col, wanted).unwrap()
                    {
                        assert_eq!(bits(Ok(c)), whole);
                        streamed += 1;
                    }
                }
            }
        }
        // The two valid files in all 6 cases, the last two where recency is
        // not read (a quote in a field not read is text like any other, as
        // in the whole-file reader); the generated files have bad records.
        assert_eq!(streamed, 2 * 6 + 2 * 4);
        let e = read_csv_columns(&dir.path().join("f8.csv"), None, &SUMMARY).unwrap_err();
        let line = 1 + plain.matches('\n').count() as u64;
        assert_eq!(e, parse_error("recency", line, "y"));
    }

    /// Records counted in blocks equal records counted one by one, around
    /// the block length too.
    #[test]
    fn count_records_counts_runs() {
        let mut rng = Rng(3);
        for len in (0..600).chain([765, 766, 767, 1020]) {
            for _ in 0..4 {
                let piece: Vec<u8> = (0..len)
                    .map(|_| [b'a', b',', b'\n', b'\r', b' '][rng.below(5)])
                    .collect();
                let runs = piece
                    .split(|&b| b == b'\n' || b == b'\r')
                    .filter(|r| !r.is_empty())
                    .count();
                assert_eq!(count_records(&piece), runs, "{piece:?}");
            }
        }
    }

    /// Hand-checked cases: the values, ids and the line numbers of parse
    /// errors: the line the bad record stands on, after blank lines and with
    /// CRLF line ends too (lines counted by hand in the comments).
    #[test]
    fn line_ends_blank_lines_bom_and_errors() {
        let read = |text: &str, n: usize| {
            read_buffer(text.as_bytes(), "f.csv", Some("customer_id"), &SUMMARY, n)
        };
        let text = "\u{feff}customer_id, frequency ,T\r\n a ,1,2.5\r\n\r\nb,0, 3\r\n";
        for n in [1, 2, 4] {
            let c = read(text, n).unwrap();
            assert_eq!(c.ids, ["a", "b"]);
            assert_eq!(c.len(), 2);
            assert_eq!(c.get("frequency").unwrap(), [1.0, 0.0]);
            assert_eq!(c.get("T").unwrap(), [2.5, 3.0]);
            assert!(c.opt("recency").is_none());
            // The missing column names the trimmed header and the file.
            assert_eq!(
                c.get("recency").unwrap_err(),
                Error::MissingColumn {
                    column: "recency".into(),
                    available: "customer_id, frequency, T (in f.csv)".into()
                }
            );
        }
        // No final line end; the last row is read.
        let c = read("customer_id,T\na,1\nb,2", 2).unwrap();
        assert_eq!(c.get("T").unwrap(), [1.0, 2.0]);
        // LF: a bad value on line 4 is reported on line 4; after a blank
        // line 4 it is on line 5; with CRLF line ends on line 4 (the `csv`
        // crate's own line numbers would say 4, 4 and 3); blank lines
        // before the header count too (line 6).
        let lf = "customer_id,T\na,1\nb,2\nc,x\n";
        let blank = "customer_id,T\na,1\nb,2\n\nc,x\n";
        let crlf = "customer_id,T\r\na,1\r\nb,2\r\nc,x\r\n";
        let lead = "\n\ncustomer_id,T\r\na,1\r\n\r\nc,x\r\n";
        // A quoted file goes through the csv crate: the same lines.
        let quoted = "customer_id,T\r\n\"a\",1\r\nb,2\r\n\r\nc,x\r\n";
        for (text, line) in [(lf, 4), (blank, 5), (crlf, 4), (lead, 6), (quoted, 5)] {
            for n in [1, 2, 3, 10] {
                assert_eq!(
                    read(text, n).unwrap_err(),
                    parse_error("T", line, "x"),
                    "{text:?}"
                );
            }
        }
        // The untrimmed text is reported; columns are checked in the
        // order asked for (frequency before T).
        let e = read("customer_id,T,frequency\na, y , z \n", 1).unwrap_err();
        assert_eq!(e, parse_error("frequency", 2, " z "));
        // A row of 3 fields under a header of 2: record 3 counting the
        // header as 0, at byte 13 (5 + 4 + 4 bytes of lines 1-3).
        let e = read("id,T\na,1\nb,2\nc,3,4\nd,x\n", 3).unwrap_err();
        assert_eq!(
            e,
            Error::Io {
                path: "f.csv".into(),
                message: "CSV error: record 3 (line: 4, byte: 13): found record with 3 fields, \
                          but the previous record has 2 fields"
                    .into()
            }
        );
        // No data row; a line of spaces is a record of one field.
        for text in ["", "\u{feff}", "customer_id,T\r\n\r\n", "\n\ncustomer_id,T"] {
            assert_eq!(read(text, 2).unwrap_err().code(), "EMPTY_INPUT", "{text:?}");
        }
        assert_eq!(
            read("customer_id,T\n \n", 1).unwrap_err().code(),
            "IO_ERROR"
        );
        // Without an id column, ids are row numbers.
        let c = read("T\n1\n\n2\n", 2).unwrap();
        assert_eq!(c.ids, ["1", "2"]);
        // A quoted field hides a comma and a line break from the splitter:
        // the csv crate reads such files.
        let c = read("customer_id,T\n\"a,\nb\",1\nc,2\n", 2).unwrap();
        assert_eq!(c.ids, ["a,\nb", "c"]);
        assert_eq!(c.get("T").unwrap(), [1.0, 2.0]);
    }

    /// Through real files: the public entry point (with rayon and the size
    /// threshold) equals the reader before the change, read from the path.
    #[test]
    fn files_equal_the_reader_before() {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = Rng(99);
        let mut paths = vec![dir.path().join("missing.csv"), dir.path().to_path_buf()];
        for (i, (rows, bad_one_in)) in [(20_000, 1_000_000), (20_000, 20_000), (30, 1_000_000)]
            .into_iter()
            .enumerate()
        {
            let p = dir.path().join(format!("s{i}.csv"));
            std::fs::write(&p, generate(&mut rng, rows, bad_one_in)).unwrap();
            paths.push(p);
        }
        // A big plain file (read in chunks on the rayon threads) with a bad
        // value in its last row, and the same file without it.
        let mut big = String::from("customer_id,frequency,recency,T\n");
        for i in 0..20_000 {
            big.push_str(&format!("c{i},{},{}.25,{}.5\n", i % 7, i % 30, 30 + i % 9));
        }
        assert!(big.len() > MIN_PARALLEL);
        for (name, tail) in [("big.csv", ""), ("late_error.csv", "c,1,x,2\n")] {
            let p = dir.path().join(name);
            std::fs::write(&p, format!("{big}{tail}")).unwrap();
            paths.push(p);
        }
        let late = read_csv_columns(paths.last().unwrap(), None, &SUMMARY).unwrap_err();
        assert_eq!(late, parse_error("recency", 20_002, "x"));
        for p in &paths {
            for id_col in [None, Some("customer_id")] {
                let expected = bits(before_path(p, id_col, &SUMMARY));
                assert_eq!(
                    bits(read_csv_columns(p, id_col, &SUMMARY)),
                    expected,
                    "{p:?}"
                );
            }
        }
    }
}
