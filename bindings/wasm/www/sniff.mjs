// Guesses how a dropped transactions file is laid out, from its first lines,
// so that each new file starts from its own settings: the delimiter, whether
// the first line is a header, which columns hold the customer, the date and
// the amount, and the date format. Only guesses for the form: the page shows
// them in the pickers, the user can change them, and the library (the clv
// core, through @clv/wasm) reads the file and reports any bad row itself.
// No DOM here, so the Node tests can import it.

/** At most this many lines are looked at. */
const SAMPLE_LINES = 50;

/** The non-empty lines at the start of a file's text. */
export function firstLines(text, n = SAMPLE_LINES) {
  const out = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim()) out.push(line);
    if (out.length >= n) break;
  }
  return out;
}

const unquote = (f) => {
  const t = f.trim();
  return t.length >= 2 && t[0] === '"' && t.at(-1) === '"' ? t.slice(1, -1).replace(/""/g, '"') : t;
};

/** The fields of one line for a delimiter (`","`, `"\t"`, `";"` or `"whitespace"`). */
export function splitLine(line, delimiter) {
  if (delimiter === 'whitespace') return line.trim().split(/\s+/);
  return line.split(delimiter).map(unquote);
}

/**
 * The delimiter: the one of comma, tab, semicolon that splits every sampled
 * line into the same number (> 1) of fields, the most fields winning;
 * otherwise whitespace when that splits the lines alike; otherwise comma.
 */
export function sniffDelimiter(lines) {
  let best = null;
  for (const d of [',', '\t', ';', 'whitespace']) {
    const counts = lines.map((l) => splitLine(l, d).length);
    const same = counts.every((c) => c === counts[0]);
    if (same && counts[0] > 1 && (!best || counts[0] > best.fields)) best = { d, fields: counts[0] };
  }
  return best ? best.d : ',';
}

const ISO = /^\d{4}-\d{1,2}-\d{1,2}([T ]\d.*)?$/;
const COMPACT = /^(1[89]|20|21)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;
const YMD_SLASH = /^\d{4}\/\d{1,2}\/\d{1,2}$/;
const DMY = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/;

/** Whether a field looks like a date in one of the shapes the sniffer knows. */
export function looksLikeDate(field) {
  const f = field.trim();
  return ISO.test(f) || COMPACT.test(f) || YMD_SLASH.test(f) || DMY.test(f);
}

const looksLikeNumber = (f) => f.trim() !== '' && Number.isFinite(Number(f.trim()));

/**
 * A chrono `strftime` format for the date values, or `''` when the library's
 * default reading (YYYY-MM-DD, YYYYMMDD, ISO date-times) takes them all.
 * Day and month are told apart by a value above 12; when none is, day first
 * is assumed and `ambiguous` is set so the page can say so.
 */
export function sniffDateFormat(values) {
  const v = values.map((x) => x.trim()).filter(Boolean);
  if (!v.length || v.every((x) => ISO.test(x))) return { format: '', ambiguous: false };
  if (v.every((x) => COMPACT.test(x))) return { format: '%Y%m%d', ambiguous: false };
  if (v.every((x) => YMD_SLASH.test(x))) return { format: '%Y/%m/%d', ambiguous: false };
  const parts = v.map((x) => DMY.exec(x));
  if (parts.every(Boolean)) {
    const sep = parts[0][2];
    const dayFirst = parts.some((p) => Number(p[1]) > 12);
    const monthFirst = parts.some((p) => Number(p[3]) > 12);
    if (monthFirst && !dayFirst) return { format: `%m${sep}%d${sep}%Y`, ambiguous: false };
    return { format: `%d${sep}%m${sep}%Y`, ambiguous: !dayFirst };
  }
  return { format: '', ambiguous: false };
}

const NAMES = {
  customer: [/cust|client|user|member|buyer|shopper|account|contact/i, /(^|[^a-z])id($|[^a-z])/i],
  date: [/date|time|day|when|purchased/i],
  amount: [/amount|revenue|sales|spend|price|value|total|usd|eur|gbp|dollar|paid|sum/i],
};

/**
 * The columns of a file, as the pickers show them: `{ value, label }` with
 * the header name as value, or the 1-based position without a header.
 */
export function columnOptions(lines, delimiter, hasHeader) {
  const first = lines.length ? splitLine(lines[0], delimiter) : [];
  return first.map((f, i) =>
    hasHeader ? { value: f, label: f } : { value: String(i + 1), label: `column ${i + 1} (${f})` },
  );
}

/**
 * Guesses the customer, date and amount columns (indices, or -1 for no amount):
 * by header name where the header says it, else by content — the date is the
 * first column that looks like a date, the customer the first other column,
 * the amount the last other numeric column.
 */
export function sniffColumns(lines, delimiter, hasHeader) {
  const rows = lines.map((l) => splitLine(l, delimiter));
  const header = hasHeader ? rows[0] ?? [] : [];
  const data = hasHeader ? rows.slice(1) : rows;
  const width = rows[0]?.length ?? 0;
  const byName = (patterns, taken) => {
    for (const re of patterns) {
      const i = header.findIndex((h, k) => !taken.includes(k) && re.test(h));
      if (i >= 0) return i;
    }
    return -1;
  };
  const column = (k) => data.map((r) => r[k] ?? '');
  const all = (k, test) => data.length > 0 && column(k).every(test);
  let date = byName(NAMES.date, []);
  if (date < 0) date = [...Array(width).keys()].find((k) => all(k, looksLikeDate)) ?? -1;
  if (date < 0) date = Math.min(1, width - 1);
  let customer = byName(NAMES.customer, [date]);
  if (customer < 0) customer = [...Array(width).keys()].find((k) => k !== date) ?? 0;
  let amount = byName(NAMES.amount, [date, customer]);
  if (amount < 0) {
    const numeric = [...Array(width).keys()].filter((k) => k !== date && k !== customer && all(k, looksLikeNumber));
    amount = numeric.length ? numeric.at(-1) : -1;
  }
  return { customer, date, amount };
}

/**
 * Everything the page needs to start a new file from its own settings:
 * `{ delimiter, hasHeader, customer, date, amount, dateFormat, ambiguousDate }`
 * (columns as picker values, `amount` `''` for none).
 */
export function sniff(text) {
  const lines = firstLines(text);
  const delimiter = sniffDelimiter(lines);
  const rows = lines.map((l) => splitLine(l, delimiter));
  // The header: the first row has no date where the following rows have one
  // (a file of dates with no header starts with a date).
  let hasHeader = true;
  if (rows.length > 1) {
    const k = rows[1].findIndex(looksLikeDate);
    if (k >= 0) hasHeader = !looksLikeDate(rows[0][k] ?? '');
    else hasHeader = rows[0].some((f, i) => !looksLikeNumber(f) && looksLikeNumber(rows[1][i] ?? ''));
  }
  const cols = sniffColumns(lines, delimiter, hasHeader);
  const options = columnOptions(lines, delimiter, hasHeader);
  const dates = rows.slice(hasHeader ? 1 : 0).map((r) => r[cols.date] ?? '');
  const { format, ambiguous } = sniffDateFormat(dates);
  const value = (i) => (i >= 0 && options[i] ? options[i].value : '');
  return {
    delimiter,
    hasHeader,
    customer: value(cols.customer),
    date: value(cols.date),
    amount: value(cols.amount),
    dateFormat: format,
    ambiguousDate: ambiguous,
  };
}
