//! Transaction bytes → summary, in bounded memory: [`SummaryReader`] takes
//! the file in chunks of any size (split anywhere, mid-line or mid-UTF-8
//! character), parses the complete lines of each batch (on all threads when
//! the text is plain), interns the ids and folds each row into the
//! per-customer state of [`crate::summary::Summarizer`]; no row is kept.
//!
//! Lines, errors and skipped lines are those of [`read_transactions`]
//! followed by [`summarize_coded`](crate::summary::summarize_coded) on the
//! whole file, and so is the summary (bit for bit): the same reader code
//! (the `csv` crate's parser, `csv-core`, for quoted text; the chunk parser
//! of the multi-threaded reader for plain text; the whitespace splitter)
//! runs on each batch, with line numbers carried over.
//!
//! Memory: the batch being parsed (`batch` bytes, 8 MiB by default, plus
//! one line), the interned ids and the per-customer state (see
//! [`RowOrder`]); it does not grow with the number of rows.

use super::*;
use crate::summary::{Accumulator, RowOrder, Summary, SummaryInfo, SummaryOptions};
use std::io::Write;

/// Bytes parsed at a time by default (8 MiB).
pub const DEFAULT_BATCH: usize = 8 << 20;

/// How many bytes [`read_sequential`] looks at to sniff the delimiter (its
/// buffer).
const SNIFF: usize = 1 << 16;

/// A transaction file summarised as its bytes arrive: [`SummaryReader::push`]
/// chunks, then [`SummaryReader::finish`].
///
/// ```
/// use clv::io::{ColumnRef, ReadOptions, SummaryReader};
/// use clv::summary::{RowOrder, SummaryOptions};
/// let text = "id,date,amount\na,1997-01-01,10\nb,1997-01-03,2\na,1997-01-08,5\n";
/// let read = ReadOptions {
///     customer_col: ColumnRef::parse("id"),
///     amount_col: Some(ColumnRef::parse("amount")),
///     ..ReadOptions::default()
/// };
/// let mut reader = SummaryReader::new(&read, &SummaryOptions::default(), RowOrder::Any)?;
/// for chunk in text.as_bytes().chunks(7) {
///     reader.push(chunk)?;
/// }
/// let (summary, skipped_lines) = reader.finish()?;
/// assert_eq!(summary.customer_id, ["a", "b"]);
/// assert_eq!(summary.monetary_value.unwrap(), [5.0, 0.0]);
/// assert!(skipped_lines.is_empty());
/// # Ok::<(), clv::Error>(())
/// ```
pub struct SummaryReader {
    builder: Builder,
    acc: Accumulator,
    /// Bytes received and not yet parsed (from the start of a line).
    pending: Vec<u8>,
    /// Bytes before `pending`.
    offset: u64,
    /// `\n` bytes before `pending`.
    lines_before: u64,
    mode: Mode,
    batch: usize,
    /// The first error; later pushes do nothing.
    failed: Option<Error>,
    /// The columns of the last batch's parsed chunks, emptied, for the
    /// next batch's (their allocations are reused).
    #[cfg(feature = "parallel")]
    spare: Vec<parallel::Spare>,
    /// All input has been parsed.
    ended: bool,
}

enum Mode {
    /// The delimiter is not known yet.
    Sniff,
    Whitespace,
    /// Plain delimited text (no `"`, no lone `\r`) so far: lines are records.
    #[cfg(feature = "parallel")]
    Plain(u8),
    /// The `csv` crate's parser.
    Csv(Box<CsvState>),
}

/// A `csv_core` parser fed across batches, with the line bookkeeping of
/// [`read_delimited`].
struct CsvState {
    core: csv_core::Reader,
    delimiter: u8,
    fields: Vec<u8>,
    ends: Vec<usize>,
    outlen: usize,
    endlen: usize,
    /// Bytes consumed by the parser.
    pos: u64,
    /// `\n` bytes among them.
    newlines: u64,
    /// The last byte consumed.
    last: u8,
    /// Started mid-file: `csv_core` strips a UTF-8 BOM at the start of its
    /// first input, which is right only at the start of the file; its first
    /// input is then one byte, too short for that.
    mid_file: bool,
}

impl CsvState {
    fn new(delimiter: u8, pos: u64, newlines: u64) -> Self {
        CsvState {
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            delimiter,
            fields: vec![0; 1024],
            ends: vec![0; 32],
            outlen: 0,
            endlen: 0,
            pos,
            newlines,
            last: b'\n',
            mid_file: pos > 0,
        }
    }

    /// Parses `input` (`None`: the end of the file), handing each record
    /// to `builder` with the line [`read_delimited`] gives it.
    fn feed(&mut self, input: Option<&[u8]>, builder: &mut Builder) -> Result<()> {
        use csv_core::ReadRecordResult as R;
        let eof = input.is_none();
        let mut input = input.unwrap_or_default();
        loop {
            if input.is_empty() && !eof {
                return Ok(());
            }
            let take = if self.mid_file {
                input.len().min(1)
            } else {
                input.len()
            };
            self.mid_file &= take == 0;
            let (res, nin, nout, nend) = self.core.read_record(
                &input[..take],
                &mut self.fields[self.outlen..],
                &mut self.ends[self.endlen..],
            );
            let used = &input[..nin];
            self.newlines += count_newlines(used);
            if let Some(&b) = used.last() {
                self.last = b;
            }
            self.pos += nin as u64;
            input = &input[nin..];
            self.outlen += nout;
            self.endlen += nend;
            match res {
                R::InputEmpty => {}
                R::OutputFull => {
                    let n = self.fields.len() * 2;
                    self.fields.resize(n, 0);
                }
                R::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                R::Record => {
                    // As `Lines::line_of(position − 1)`: newlines before the
                    // record's last byte.
                    let line = 1 + self.newlines - u64::from(self.pos > 0 && self.last == b'\n');
                    let record = CoreRecord {
                        fields: &self.fields[..self.outlen],
                        ends: &self.ends[..self.endlen],
                    };
                    let sep = [self.delimiter];
                    let joined = || {
                        let parts: Vec<&[u8]> =
                            (0..record.ends.len()).map(|i| record.raw(i)).collect();
                        text(&parts.join(&sep[..]))
                    };
                    builder.line(&record, line, joined)?;
                    self.outlen = 0;
                    self.endlen = 0;
                }
                R::End => return Ok(()),
            }
        }
    }
}

/// One record of [`CsvState`]; fields trimmed as for `ByteRecord`.
struct CoreRecord<'a> {
    fields: &'a [u8],
    ends: &'a [usize],
}

impl CoreRecord<'_> {
    fn raw(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.ends
            .get(i)
            .map_or(&[][..], |&end| &self.fields[start..end])
    }
}

impl Fields for CoreRecord<'_> {
    fn count(&self) -> usize {
        self.ends.len()
    }
    fn field(&self, i: usize) -> &[u8] {
        self.raw(i).trim_ascii()
    }
}

impl SummaryReader {
    /// A reader for a file with the columns of `read`, summarised with
    /// `summary` (rows may come in any order with [`RowOrder::Any`]).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a bad time unit.
    pub fn new(read: &ReadOptions, summary: &SummaryOptions, order: RowOrder) -> Result<Self> {
        Ok(SummaryReader {
            builder: Builder::new(read),
            acc: Accumulator::new(summary, order, read.amount_col.is_some())?,
            pending: Vec::new(),
            offset: 0,
            lines_before: 0,
            mode: Mode::Sniff,
            batch: DEFAULT_BATCH,
            failed: None,
            #[cfg(feature = "parallel")]
            spare: Vec::new(),
            ended: false,
        })
    }

    /// Parses `batch` bytes at a time (at least 1; default [`DEFAULT_BATCH`]).
    #[must_use]
    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch.max(1);
        self
    }

    /// `true` once a row came out of order under [`RowOrder::Chronological`].
    pub fn out_of_order(&self) -> bool {
        self.acc.out_of_order()
    }

    /// Data rows read so far.
    pub fn rows(&self) -> usize {
        self.acc.rows
    }

    /// Takes the next bytes of the file; parses every full batch.
    ///
    /// # Errors
    /// The first parse error of the file so far (as [`read_transactions`]
    /// names it); it is returned again by every later call.
    pub fn push(&mut self, bytes: &[u8]) -> Result<()> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        debug_assert!(!self.ended, "no push after the end of the input");
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= self.batch {
            self.run(false)?;
        }
        Ok(())
    }

    /// Parses what is left and returns the summary and the lines skipped
    /// (with `skip_invalid`).
    ///
    /// # Errors
    /// Those of [`read_transactions`], then those of
    /// [`summarize_coded`](crate::summary::summarize_coded), as on the whole file.
    pub fn finish(self) -> Result<(Summary, Vec<SkippedLine>)> {
        let (acc, skipped) = self.into_parts()?;
        Ok((acc.finish()?, skipped))
    }

    /// [`SummaryReader::finish`] written as CSV ([`Summary::write_csv`], the
    /// same bytes) to the writer `out` opens, without building the
    /// [`Summary`]: the columns are never held (a `String` and four to
    /// seven numbers per customer), so that the peak memory is that of the
    /// fold. `out` is called only once the summary is known to be valid.
    ///
    /// # Errors
    /// Those of [`SummaryReader::finish`], then those of `out` and
    /// [`Error::Io`] (path `<output>`) when writing fails.
    pub fn write_csv<W: Write>(
        self,
        out: impl FnOnce() -> Result<W>,
    ) -> Result<(SummaryInfo, Vec<SkippedLine>)> {
        let (acc, skipped) = self.into_parts()?;
        Ok((acc.write_csv(out)?, skipped))
    }

    /// The rows folded and the lines skipped, once the input is parsed.
    fn into_parts(mut self) -> Result<(Accumulator, Vec<SkippedLine>)> {
        self.end_input()?;
        if self.acc.rows == 0 {
            // The reader's own error for a file without rows.
            let builder =
                std::mem::replace(&mut self.builder, Builder::new(&ReadOptions::default()));
            builder.finish()?;
        }
        let skipped = std::mem::take(&mut self.builder.skipped);
        let SummaryReader { builder, acc, .. } = self;
        drop(builder);
        Ok((acc, skipped))
    }

    /// Parses what is left (no more input will come), without summarising.
    fn end_input(&mut self) -> Result<()> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if !self.ended {
            self.ended = true;
            self.run(true)?;
        }
        Ok(())
    }

    fn run(&mut self, eof: bool) -> Result<()> {
        let out = self.parse(eof);
        if let Err(e) = &out {
            self.failed = Some(e.clone());
            self.pending = Vec::new();
        }
        out
    }

    /// Parses the complete lines of `pending` (everything at `eof`), a
    /// batch at a time.
    fn parse(&mut self, eof: bool) -> Result<()> {
        if matches!(self.mode, Mode::Sniff) {
            let head = &self.pending[..self.pending.len().min(SNIFF)];
            if !eof && head.len() < SNIFF && !head.contains(&b'\n') {
                return Ok(());
            }
            let delimiter = match self.builder.options.delimiter {
                Delimiter::Auto => sniff(head),
                d => d,
            };
            self.mode = match delimiter {
                Delimiter::Whitespace => Mode::Whitespace,
                d => {
                    let byte = match d {
                        Delimiter::Comma => b',',
                        Delimiter::Tab => b'\t',
                        _ => b';',
                    };
                    #[cfg(feature = "parallel")]
                    {
                        Mode::Plain(byte)
                    }
                    #[cfg(not(feature = "parallel"))]
                    Mode::Csv(Box::new(CsvState::new(byte, 0, 0)))
                }
            };
        }
        let mut pending = std::mem::take(&mut self.pending);
        let mut start = 0;
        let result = loop {
            let rest = &pending[start..];
            if rest.is_empty() || (!eof && rest.len() < self.batch) {
                break Ok(());
            }
            let window = &rest[..rest.len().min(self.batch)];
            let cut = match window.iter().rposition(|&b| b == b'\n') {
                Some(p) => Some(p + 1),
                None => rest[window.len()..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map(|p| window.len() + p + 1),
            };
            let end = match cut {
                Some(end) => end,
                None if eof => rest.len(),
                None => break Ok(()),
            };
            if let Err(e) = self.batch(&rest[..end]) {
                break Err(e);
            }
            self.offset += end as u64;
            start += end;
        };
        result?;
        // The rest moves to the front; the allocation is kept for the next
        // batch (a new one would grow, copy and fault its pages again).
        pending.drain(..start);
        self.pending = pending;
        if eof && let Mode::Csv(state) = &mut self.mode {
            state.feed(None, &mut self.builder)?;
            self.drain();
        }
        Ok(())
    }

    /// Parses one batch of whole lines (the last may lack its `\n` at the
    /// end of the file) and folds its rows.
    fn batch(&mut self, b: &[u8]) -> Result<()> {
        match &mut self.mode {
            Mode::Sniff => unreachable!("the delimiter is sniffed first"),
            Mode::Whitespace => {
                let mut spans = Vec::new();
                let mut line_no = self.lines_before;
                for raw in b.split_inclusive(|&c| c == b'\n') {
                    line_no += 1;
                    whitespace_line(&mut self.builder, raw, line_no, &mut spans)?;
                }
            }
            #[cfg(feature = "parallel")]
            Mode::Plain(delimiter) => {
                let delimiter = *delimiter;
                if !parallel::plain_pieces(b) {
                    self.switch_to_csv(delimiter);
                    return self.batch(b);
                }
                self.plain_batch(b, delimiter)?;
            }
            Mode::Csv(state) => state.feed(Some(b), &mut self.builder)?,
        }
        self.lines_before += count_newlines(b);
        self.drain();
        Ok(())
    }

    /// From here on the `csv` parser reads (at a line start).
    #[cfg(feature = "parallel")]
    fn switch_to_csv(&mut self, delimiter: u8) {
        self.mode = Mode::Csv(Box::new(CsvState::new(
            delimiter,
            self.offset,
            self.lines_before,
        )));
    }

    /// A plain batch, as the multi-threaded reader reads a plain file: the
    /// first line with content through the `csv` crate, the rest cut at
    /// line ends and parsed on all threads.
    #[cfg(feature = "parallel")]
    fn plain_batch(&mut self, b: &[u8], delimiter: u8) -> Result<()> {
        use rayon::prelude::*;
        let mut rest = b;
        let mut lines = self.lines_before;
        if self.builder.columns.is_none() {
            // The first line with content.
            let Some((hs, he)) = parallel::head(b, self.offset == 0) else {
                return Ok(()); // blank lines only
            };
            if (self.offset > 0 || hs > 0) && b[hs..].starts_with(BOM) {
                // A BOM counts only at the start of the file (as in read_chunked).
                self.switch_to_csv(delimiter);
                let Mode::Csv(state) = &mut self.mode else {
                    unreachable!()
                };
                return state.feed(Some(b), &mut self.builder);
            }
            let blank = lines + count_newlines(&b[..hs]);
            let before = self.builder.skipped.len();
            read_delimited(&b[hs..he], delimiter, &mut self.builder).map_err(|mut e| {
                if let Error::Parse { line, .. } = &mut e {
                    *line += blank;
                }
                e
            })?;
            for s in &mut self.builder.skipped[before..] {
                s.line += blank;
            }
            // a data row on the head line (no header) comes first
            self.drain();
            lines += count_newlines(&b[..he]);
            rest = &b[he..];
            if self.builder.columns.is_none() {
                self.switch_to_csv(delimiter);
                let Mode::Csv(state) = &mut self.mode else {
                    unreachable!()
                };
                state.pos = self.offset + he as u64;
                state.newlines = lines;
                return state.feed(Some(rest), &mut self.builder);
            }
        }
        let Some(cols) = &self.builder.columns else {
            return Ok(());
        };
        let pieces = split_at_line_ends(rest, rayon::current_num_threads() * 4);
        let date_format = self.builder.options.date_format.as_deref();
        let skip = self.builder.options.skip_invalid;
        let spares: Vec<parallel::Spare> = (0..pieces.len())
            .map(|_| self.spare.pop().unwrap_or_default())
            .collect();
        let parsed: Vec<parallel::Chunk> = pieces
            .par_iter()
            .zip(spares)
            .map(|(piece, spare)| {
                parallel::parse_chunk(piece, cols, date_format, delimiter, skip, spare)
            })
            .collect();
        // The chunks before the first error are folded (in one pipeline,
        // `Accumulator::fold_batches`), then the error is returned.
        let mut error = None;
        let mut batches = Vec::with_capacity(parsed.len());
        for chunk in &parsed {
            if let Some(e) = &chunk.error {
                let mut e = e.clone();
                if let Error::Parse { line, .. } = &mut e {
                    *line += lines;
                }
                error = Some(e);
                break;
            }
            self.builder
                .skipped
                .extend(chunk.skipped.iter().map(|s| SkippedLine {
                    line: s.line + lines,
                    reason: s.reason.clone(),
                }));
            batches.push((&chunk.ids[..], &chunk.timestamps[..], &chunk.amounts[..]));
            lines += chunk.newlines;
        }
        self.acc.fold_batches(&batches);
        drop(batches);
        self.spare
            .extend(parsed.into_iter().map(parallel::Chunk::into_spare));
        error.map_or(Ok(()), Err)
    }

    /// Folds the rows the builder collected, then forgets them (and their
    /// ids: the summary's own table holds every customer).
    fn drain(&mut self) {
        let b = &mut self.builder;
        if !b.ids.codes.is_empty() {
            let ids: Vec<&str> = b
                .ids
                .codes
                .iter()
                .map(|&c| b.ids.names.get(c as usize).map_or("", String::as_str))
                .collect();
            self.acc.fold_batch(&ids, &b.timestamps, &b.amounts);
        }
        b.ids.clear();
        b.timestamps.clear();
        b.amounts.clear();
    }
}

/// Summarises a transaction file read in batches of `batch` bytes: memory
/// does not grow with the file (module docs). Reads it once assuming each
/// customer's rows are in date order ([`RowOrder::Chronological`],
/// O(customers) memory); if they are not, reads it again with
/// [`RowOrder::Any`] (O(customers + distinct (customer, period) pairs)).
///
/// # Errors
/// Those of [`read_transactions_path`] and
/// [`summarize_coded`](crate::summary::summarize_coded) on the whole file.
pub fn summarize_path(
    path: &Path,
    read: &ReadOptions,
    summary: &SummaryOptions,
    batch: usize,
) -> Result<(Summary, Vec<SkippedLine>)> {
    let name = || path.display().to_string();
    let open = || std::fs::File::open(path).map_err(|e| io_failure(&name(), e));
    summarize_reader(open, read, summary, batch).map_err(|e| match e {
        Error::Io { message, .. } => Error::Io {
            path: name(),
            message,
        },
        other => other,
    })
}

/// [`summarize_path`] on the reader `open` returns (called again for a
/// second pass when the rows are not in date order per customer).
///
/// # Errors
/// Those of `open`, [`read_transactions`] and
/// [`summarize_coded`](crate::summary::summarize_coded) on the whole input.
pub fn summarize_reader<R: Read>(
    open: impl FnMut() -> Result<R>,
    read: &ReadOptions,
    summary: &SummaryOptions,
    batch: usize,
) -> Result<(Summary, Vec<SkippedLine>)> {
    read_all(open, read, summary, batch)?.finish()
}

/// [`summarize_reader`] written as CSV to the writer `out` opens
/// ([`SummaryReader::write_csv`]: the same bytes as
/// [`Summary::write_csv`], without holding the summary's columns; `out` is
/// called only once the summary is known to be valid).
///
/// # Errors
/// Those of [`summarize_reader`], then those of `out` and [`Error::Io`]
/// (path `<output>`) when writing fails.
pub fn summarize_reader_csv<R: Read, W: Write>(
    open: impl FnMut() -> Result<R>,
    read: &ReadOptions,
    summary: &SummaryOptions,
    batch: usize,
    out: impl FnOnce() -> Result<W>,
) -> Result<(SummaryInfo, Vec<SkippedLine>)> {
    read_all(open, read, summary, batch)?.write_csv(out)
}

/// The reader of [`summarize_reader`] once it has read all the input: in
/// date order per customer, else the second pass in any order.
fn read_all<R: Read>(
    mut open: impl FnMut() -> Result<R>,
    read: &ReadOptions,
    summary: &SummaryOptions,
    batch: usize,
) -> Result<SummaryReader> {
    let mut buf = vec![0u8; batch.clamp(1, 1 << 20)];
    for order in [RowOrder::Chronological, RowOrder::Any] {
        let mut input = open()?;
        let mut reader = SummaryReader::new(read, summary, order)?.with_batch(batch);
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_error(e)),
            };
            reader.push(&buf[..n])?;
            if reader.out_of_order() {
                break;
            }
        }
        // Out of order part-way: the first pass is dropped as it stands (what
        // it has not parsed is the start of a line cut by the read, not the
        // end of the file). Otherwise the last batch is parsed here, and a
        // row out of order may show only now.
        if !reader.out_of_order() {
            reader.end_input()?;
        }
        if order == RowOrder::Any || !reader.out_of_order() {
            return Ok(reader);
        }
    }
    unreachable!("the second pass accepts any order")
}

/// For the fuzz targets and tests: `buf` summarised by a [`SummaryReader`]
/// fed the pieces that end at each of `cuts` (byte offsets, clamped), in
/// batches of `batch` bytes.
///
/// # Errors
/// As [`SummaryReader::finish`].
#[doc(hidden)]
pub fn summarize_bytes_in_pieces(
    buf: &[u8],
    cuts: &[usize],
    read: &ReadOptions,
    summary: &SummaryOptions,
    order: RowOrder,
    batch: usize,
) -> Result<(Summary, Vec<SkippedLine>)> {
    let mut reader = SummaryReader::new(read, summary, order)?.with_batch(batch);
    let mut start = 0;
    for &cut in cuts {
        let cut = cut.clamp(start, buf.len());
        reader.push(&buf[start..cut])?;
        start = cut;
    }
    reader.push(&buf[start..])?;
    reader.finish()
}

#[cfg(all(test, feature = "parallel"))]
mod tests {
    use super::*;
    use crate::summary::summarize_coded;
    use proptest::prelude::*;

    fn one_shot(
        buf: &[u8],
        read: &ReadOptions,
        summary: &SummaryOptions,
    ) -> Result<(Summary, Vec<SkippedLine>)> {
        let table = read_transactions_in_chunks(buf, read, 1)?;
        let s = summarize_coded(
            &table.ids,
            &table.timestamps,
            table.amounts.as_deref(),
            summary,
        )?;
        Ok((s, table.skipped))
    }

    fn agree(
        buf: &[u8],
        cuts: &[usize],
        read: &ReadOptions,
        summary: &SummaryOptions,
        batch: usize,
    ) -> std::result::Result<(), String> {
        let want = one_shot(buf, read, summary);
        for order in [RowOrder::Any, RowOrder::Chronological] {
            let got = summarize_bytes_in_pieces(buf, cuts, read, summary, order, batch);
            let same = match (&want, &got) {
                (Ok(a), Ok(b)) => a == b,
                (_, Err(Error::InvalidValue { field, .. }))
                    if order == RowOrder::Chronological && field == "date" =>
                {
                    true
                }
                (Err(a), Err(b)) => a.to_string() == b.to_string(),
                _ => false,
            };
            if !same {
                return Err(format!(
                    "{order:?} batch {batch} cuts {cuts:?}\n{want:?}\n{got:?}"
                ));
            }
        }
        Ok(())
    }

    fn options(header: bool, amount: bool, delimiter: Delimiter, skip: bool) -> ReadOptions {
        let col = |name: &str, pos: usize| {
            if header {
                ColumnRef::Name(name.into())
            } else {
                ColumnRef::Position(pos)
            }
        };
        ReadOptions {
            customer_col: col("id", 1),
            date_col: col("date", 2),
            amount_col: amount.then(|| col("amount", 3)),
            date_format: None,
            delimiter,
            has_header: header,
            skip_invalid: skip,
        }
    }

    #[test]
    fn cdnow_in_any_pieces() {
        let text = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/data/CDNOW_sample.txt"
        ))
        .unwrap();
        let read = ReadOptions {
            customer_col: ColumnRef::parse("2"),
            date_col: ColumnRef::parse("3"),
            amount_col: Some(ColumnRef::parse("5")),
            has_header: false,
            ..ReadOptions::default()
        };
        let day = |s| crate::time::parse_timestamp(s, None).unwrap();
        let summary = SummaryOptions {
            unit: crate::time::TimeUnit::parse("W").unwrap(),
            observation_end: Some(day("1998-06-30")),
            calibration_end: Some(day("1997-09-30")),
            skip_invalid: false,
        };
        let n = text.len();
        for (cuts, batch) in [
            (vec![], DEFAULT_BATCH),
            (vec![1, 2, 3, 100, n / 2, n / 2 + 1], 4096),
            ((0..n).step_by(777).collect(), 1000),
            (vec![5], 1),
        ] {
            agree(&text, &cuts, &read, &summary, batch).unwrap();
        }
        let (s, _) = summarize_bytes_in_pieces(
            &text,
            &[],
            &read,
            &summary,
            RowOrder::Chronological,
            1 << 12,
        )
        .unwrap();
        assert!(s.len() > 100);
    }

    #[test]
    fn quoted_crlf_bom_and_errors() {
        let read = options(true, true, Delimiter::Auto, false);
        let summary = SummaryOptions::default();
        for text in [
            "\u{feff}id,date,amount\r\na,1997-01-01,1\r\n\r\nb,1997-01-02,2\r\na,1997-01-09,3\r\n",
            "id,date,amount\n\"a\nb\",1997-01-01,1\nc,1997-01-02,\"2\"\n\n\"a\nb\",1997-02-01,3",
            "id,date,amount\na,1997-01-01,1\nb,1997-13-02,2\n",
            "id,date,amount\na,1997-01-01,1\n\"b,1997-01-02,2\n",
            "\n\n\nid,date,amount\n\na,1997-01-01,-1\n",
            "id,date\na,1997-01-01\n",
            "",
            "\n\n",
            "id;date;amount\na;1997-01-01;1\r\nb;1997-01-02;x\n",
            "id date amount\n a 1997-01-01 1\n\n b 1997-01-02 2 3\n",
            "id,date,amount\na,1997-01-01,1\r\n\u{feff}b,1997-01-02,2\n",
            "id,date,amount\na,1997-01-01,1\rb,1997-01-02,2\n",
            // fuzz summarize_stream crash-525497b9: a BOM line after blank lines
            "\n\n\n\n\n\n\n\n\n\u{feff}\n\x0c1\x0c\x0c05,1\nb,1997-01-02\n",
        ] {
            let bytes = text.as_bytes();
            for skip in [false, true] {
                let mut read = read.clone();
                read.skip_invalid = skip;
                for batch in [1, 3, 16, 1 << 20] {
                    let cuts: Vec<usize> = (0..bytes.len()).step_by(5).collect();
                    agree(bytes, &cuts, &read, &summary, batch).unwrap();
                    agree(bytes, &[], &read, &summary, batch).unwrap();
                }
            }
        }
    }

    #[test]
    fn summarize_reader_reads_again_when_out_of_order() {
        let text =
            "id,date,amount\na,1997-01-09,1\nb,1997-01-02,2\na,1997-01-01,3\na,1997-01-05,4\n";
        let read = options(true, true, Delimiter::Auto, false);
        let summary = SummaryOptions::default();
        let mut opens = 0;
        let open = || {
            opens += 1;
            Ok(text.as_bytes())
        };
        let got = summarize_reader(open, &read, &summary, DEFAULT_BATCH).unwrap();
        assert_eq!(opens, 2);
        assert_eq!(got, one_shot(text.as_bytes(), &read, &summary).unwrap());
        let mut opens = 0;
        let sorted = "id,date,amount\na,1997-01-01,1\nb,1997-01-02,2\n";
        let open = || {
            opens += 1;
            Ok(sorted.as_bytes())
        };
        summarize_reader(open, &read, &summary, 8).unwrap();
        assert_eq!(opens, 1);
    }

    #[test]
    fn out_of_order_detected_mid_file_does_not_read_a_cut_line_as_the_last() {
        // The first pass stops at the first batch that shows rows out of
        // date order; the bytes it had not parsed end mid-line ("b,1997-0").
        // They were parsed as the end of the file: a PARSE_ERROR ("expected
        // 3 fields, found 2") on any unsorted file whose batch boundary cut
        // a line (found on a 1M-row file cut at 8 MiB by benches/compare_spark.py).
        let mut text = String::from("id,date,amount\n");
        for i in 0..400 {
            let day = 1 + (i * 7) % 28;
            text.push_str(&format!(
                "{},1997-0{}-{day:02},{i}\n",
                ["a", "b", "c"][i % 3],
                1 + i % 9
            ));
        }
        let read = options(true, true, Delimiter::Auto, false);
        let summary = SummaryOptions::default();
        let want = one_shot(text.as_bytes(), &read, &summary).unwrap();
        for batch in [64, 100, 1000, 4096] {
            let open = || Ok(text.as_bytes());
            assert_eq!(
                summarize_reader(open, &read, &summary, batch).unwrap(),
                want,
                "batch {batch}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn any_file_any_pieces(
            rows in proptest::collection::vec(
                (0u8..15, 0u32..400, 0u32..3000, 0u8..40), 0..60),
            header in any::<bool>(),
            amount in any::<bool>(),
            skip in any::<bool>(),
            delimiter in prop_oneof![Just(Delimiter::Auto), Just(Delimiter::Comma), Just(Delimiter::Whitespace), Just(Delimiter::Semicolon)],
            crlf in any::<bool>(),
            cuts in proptest::collection::vec(0usize..4000, 0..8),
            batch in prop_oneof![Just(1usize), 1usize..200, Just(1 << 20)],
            unit in prop_oneof![Just("D"), Just("W"), Just("M")],
            end in proptest::option::of(0u32..400),
            cal in proptest::option::of(0u32..400),
        ) {
            let sep = match delimiter { Delimiter::Whitespace => " ", Delimiter::Semicolon => ";", _ => "," };
            let nl = if crlf { "\r\n" } else { "\n" };
            let base = crate::time::parse_timestamp("1997-01-01", None).unwrap();
            let date = |d: u32| crate::time::format_timestamp(base + i64::from(d) * 86_400 + 3600 * i64::from(d % 5));
            let mut text = String::new();
            if header {
                text += &["id", "date", "amount"][..if amount { 3 } else { 2 }].join(sep);
                text += nl;
            }
            for &(c, d, a, noise) in &rows {
                let a = format!("{}.{:02}", a / 100, a % 100);
                let mut fields = vec![format!("c{c}"), date(d)];
                if amount { fields.push(a); }
                match noise {
                    0 => fields[1] = "1997-02-30".into(),
                    1 => { fields.pop(); }
                    2 if amount => fields[2] = "-1".into(),
                    3 => { text += nl; }
                    4 if !matches!(delimiter, Delimiter::Whitespace) => fields[0] = format!("\"c{c}\""),
                    _ => {}
                }
                text += &fields.join(sep);
                text += nl;
            }
            let read = options(header, amount, delimiter, skip);
            let summary = SummaryOptions {
                unit: crate::time::TimeUnit::parse(unit).unwrap(),
                observation_end: end.map(|e| base + i64::from(e) * 86_400),
                calibration_end: cal.map(|c| base + i64::from(c) * 86_400),
                skip_invalid: false,
            };
            let mut cuts = cuts;
            cuts.sort_unstable();
            prop_assert!(agree(text.as_bytes(), &cuts, &read, &summary, batch).is_ok(), "{}\n{:?}", text, agree(text.as_bytes(), &cuts, &read, &summary, batch));
        }
    }
}
