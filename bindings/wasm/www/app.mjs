// The demo page: every number is computed by @clv/wasm (the clv Rust core) in
// this browser tab. This file only handles the page: reading the file,
// guessing its layout (sniff.mjs), calling the library, and showing, paging,
// sorting and exporting what the library returned.
import init, {
  BetaGeo,
  Draws,
  GammaGamma,
  customerLifetimeValue,
  periodTransactions,
  rfmSegments,
  rfmSummaryFromCsv,
  trackingSeriesFromCsv,
  whaleCurve,
} from '../pkg-web/clv_wasm.js';
import { columnOptions, firstLines, sniff, sniffColumns } from './sniff.mjs';

const $ = (id) => document.getElementById(id);
const state = {
  bytes: null,
  name: '',
  rows: [], // one object per customer, as the library scored them
  sorted: [], // rows in the current sort order
  shown: [], // sorted rows matching the search
  sort: { key: 'clv', dir: -1 },
  page: 0,
  last: null, // what the library returned for the file, kept for re-rendering
  unit: 'W',
  intervals: null, // 90% CLV intervals: { method: 'laplace' | 'nuts', draws, low, high }, filled as rows are shown
  worker: null, // the NUTS worker while it runs
};

function status(html, kind = 'idle') {
  $('status').innerHTML = html;
  $('status').dataset.state = kind;
}

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// --- settings: every new file starts from its own ---------------------------

/** The settings a new file starts from (those the file does not decide). */
const DEFAULTS = {
  freq: 'W',
  'calibration-end': '',
  'observation-end': '',
  horizon: '52',
  months: '12',
  discount: '0.01',
};

function resetSettings() {
  for (const [id, value] of Object.entries(DEFAULTS)) $(id).value = value;
  $('search').value = '';
  state.page = 0;
  state.sort = { key: 'clv', dir: -1 };
}

const headText = () => new TextDecoder().decode(state.bytes.subarray(0, 64 * 1024));

/** Fills the column pickers for the current delimiter and header choice, selecting `pick`. */
function fillColumns(pick) {
  const lines = firstLines(headText());
  const delimiter = $('delimiter').value;
  const header = $('has-header').checked;
  const options = columnOptions(lines, delimiter, header);
  if (!pick) {
    // The delimiter or header box changed: guess the columns again for that reading.
    const c = sniffColumns(lines, delimiter, header);
    const v = (i) => (i >= 0 && options[i] ? options[i].value : '');
    pick = { customer: v(c.customer), date: v(c.date), amount: v(c.amount) };
  }
  const fill = (el, value, none) => {
    el.replaceChildren(...options.map((o) => new Option(o.label, o.value)));
    if (none) el.prepend(new Option('(none)', ''));
    el.value = options.some((o) => o.value === value) || (none && value === '') ? value : el.options[0]?.value ?? '';
  };
  fill($('customer-col'), pick.customer, false);
  fill($('date-col'), pick.date, false);
  fill($('amount-col'), pick.amount, true);
  $('compute').disabled = options.length === 0;
}

/** A new file: settings reset, its layout guessed, shown for checking. */
function loaded(bytes, name, preset) {
  state.bytes = bytes;
  state.name = name;
  resetSettings();
  $('results').hidden = true;
  state.last = null;
  const guess = preset ?? sniff(headText());
  $('delimiter').value = guess.delimiter;
  $('has-header').checked = guess.hasHeader;
  $('date-format').value = guess.dateFormat;
  fillColumns(guess);
  const note = $('sniff-note');
  note.hidden = !guess.ambiguousDate;
  note.textContent = guess.ambiguousDate
    ? 'No date has a day above 12, so day/month order is a guess (day first): check the date format.'
    : '';
  $('file-name').textContent = `${name}: ${bytes.length.toLocaleString('en-US')} bytes`;
  $('preview').hidden = false;
  $('preview').textContent = new TextDecoder().decode(bytes.subarray(0, 800)).split(/\r?\n/).slice(0, 5).join('\n');
}

async function loadFile(file) {
  loaded(new Uint8Array(await file.arrayBuffer()), file.name);
  status('File loaded. Check how it is read, then press <strong>Compute customer value</strong>.', 'ready');
}

async function loadSample() {
  status('Loading the CDNOW sample…', 'busy');
  const response = await fetch('data/CDNOW_sample.txt');
  if (!response.ok) throw new Error(`cannot load the sample: HTTP ${response.status}`);
  // CDNOW_sample.txt (Fader & Hardie): master id, sample id, YYYYMMDD, CDs, USD; no header.
  // The papers' set-up: 7-day weeks, calibration to 1997-09-30, holdout to 1998-06-30.
  loaded(new Uint8Array(await response.arrayBuffer()), 'CDNOW_sample.txt (Fader, Hardie & Lee 2005)', {
    delimiter: 'whitespace', hasHeader: false, customer: '2', date: '3', amount: '5', dateFormat: '',
  });
  $('freq').value = '7d';
  $('calibration-end').value = '1997-09-30';
  $('observation-end').value = '1998-06-30';
  $('horizon').value = '39';
  await compute();
}

// --- computing --------------------------------------------------------------

function options() {
  const o = {
    customerIdCol: $('customer-col').value,
    datetimeCol: $('date-col').value,
    delimiter: $('delimiter').value,
    hasHeader: $('has-header').checked,
    freq: $('freq').value,
  };
  const text = (id) => $(id).value.trim();
  if ($('amount-col').value) o.monetaryValueCol = $('amount-col').value;
  if (text('date-format')) o.dateFormat = text('date-format');
  if (text('calibration-end')) o.calibrationPeriodEnd = text('calibration-end');
  if (text('observation-end')) o.observationPeriodEnd = text('observation-end');
  return o;
}

/** The label a column picker shows for a column name or position the library named. */
function columnLabel(column) {
  const m = /^column (\d+)$/.exec(column);
  return m ? `column ${m[1]}` : `column “${column}”`;
}

/**
 * A library error in words. Every error has a stable `code`; a file error's
 * message names the line and the column (`clv::Error::Parse`: "cannot parse
 * Date on line 7: …"), which the page puts first — as a row, the way a
 * spreadsheet numbers it (the header is row 1) — with what to do about it.
 * The library's own message stays below it, code included.
 */
function errorHtml(e) {
  const code = e.code ? ` [${e.code}]` : '';
  const raw = `<span class="raw">Error${code}: ${escapeHtml(e.message)}</span>`;
  const parse = /^cannot parse (.+) on line (\d+): ("(?:[^"\\]|\\.)*") \((.*)\)$/.exec(e.message);
  if (parse) {
    const [, column, line, value, reason] = parse;
    const is = (id) => column === $(id).value || column === `column ${$(id).value}`;
    const fmt = $('date-format').value.trim();
    let hint = `It could not be read (${escapeHtml(reason)}).`;
    if (reason === 'not a number') hint = 'An amount must be a number: fix the row, or pick another amount column.';
    else if (is('date-col')) {
      hint = fmt
        ? `It is not a date in the format ${escapeHtml(fmt)}: fix the row, or change the date format.`
        : 'It is not a date the library reads by default (YYYY-MM-DD, YYYYMMDD): set the date format.';
    }
    return `<strong>Row ${line} of ${escapeHtml(state.name)}, ${escapeHtml(columnLabel(column))}: ${escapeHtml(value)}.</strong> ${hint}<br>${raw}`;
  }
  const missing = /^missing column "(.*)"; the header has: (.*)$/.exec(e.message);
  if (missing) {
    return `<strong>No ${escapeHtml(columnLabel(missing[1]))} in the file.</strong> Its columns are: ${escapeHtml(missing[2])}. Is the delimiter right?<br>${raw}`;
  }
  const field = /^invalid (observationPeriodEnd|calibrationPeriodEnd): (.*?) \(/.exec(e.message);
  if (field) {
    const name = field[1] === 'observationPeriodEnd' ? 'Observation end' : 'Calibration end';
    const fmt = $('date-format').value.trim() || 'YYYY-MM-DD';
    return `<strong>${name}: ${escapeHtml(field[2])} is not a date in the date format (${escapeHtml(fmt)}).</strong><br>${raw}`;
  }
  if (e.code === 'NOT_CONVERGED') {
    return `<strong>The model could not be fitted to this data.</strong> Too few customers, or too few repeat purchases, can cause this.<br>${raw}`;
  }
  return `<strong>The file could not be scored.</strong><br>${raw}`;
}

async function compute() {
  status('Computing…', 'busy');
  await new Promise((r) => setTimeout(r, 0)); // let the status paint
  const t0 = performance.now();
  try {
    const s = rfmSummaryFromCsv(state.bytes, options());
    const n = s.customerId.length;
    const monetaryValue = s.monetaryValue ?? new Float64Array(n);
    const customers = { frequency: s.frequency, recency: s.recency, T: s.T };
    const data = { ...customers, monetaryValue };
    const bg = new BetaGeo().fit(customers);
    const alive = bg.probAlive(customers);
    const expected = bg.expectedPurchases(Number($('horizon').value), customers);
    let gg = null;
    let clv = new Float64Array(n);
    try {
      gg = new GammaGamma().fit(data);
      clv = customerLifetimeValue(bg, gg, data, {
        time: Number($('months').value),
        discountRate: Number($('discount').value),
        freq: s.unit,
      });
    } catch (e) {
      if (s.monetaryValue) throw e; // without amounts there is no spend model: CLV stays 0
    }
    const rfm = rfmSegments(data);
    // Model check: the library computes both series; this page only draws them.
    const tracking = trackingSeriesFromCsv(bg, state.bytes, options());
    const period = periodTransactions(bg, customers);
    const ms = performance.now() - t0;
    const clvOptions = { time: Number($('months').value), discountRate: Number($('discount').value), freq: s.unit };
    stopNuts();
    resetUncertainty();
    state.last = { s, bg, gg, alive, expected, clv, rfm, tracking, period, data, clvOptions };
    render(state.last);
    if ($('uncertainty').checked) showLaplace();
    // What the data did not carry into the numbers, in plain words.
    const notes = [];
    if (s.nAfterObservationEnd) notes.push(`${s.nAfterObservationEnd.toLocaleString('en-US')} transactions after the observation end left out`);
    if (!s.monetaryValue) notes.push('no amount column: money values (CLV) need amounts');
    if (gg && gg.leftOut) {
      const ids = Array.from(gg.leftOut.indices, (i) => s.customerId[i]);
      notes.push(`${ids.length} customer(s) with only $0 repeat orders valued at the average spend (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''})`);
    }
    const note = notes.length ? ` Note: ${escapeHtml(notes.join('; '))}.` : '';
    status(`Done: ${n.toLocaleString('en-US')} customers from ${s.nTransactions.toLocaleString('en-US')} transactions in ${ms.toFixed(0)} ms, all in this tab.${note}`, 'done');
  } catch (e) {
    $('results').hidden = true;
    status(errorHtml(e), 'error');
  }
}

// --- formatting -------------------------------------------------------------

const fmt = (x, d = 3) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '—');

let moneyFormat = null;
/** Money in the currency of the field (formatting only; an unknown code shows the number and the code). */
function money(x) {
  const code = $('currency').value.trim().toUpperCase() || 'USD';
  if (moneyFormat?.code !== code) {
    try {
      const f = new Intl.NumberFormat('en-US', { style: 'currency', currency: code });
      moneyFormat = { code, f: (v) => f.format(v) };
    } catch {
      moneyFormat = { code, f: (v) => `${fmt(v, 2)} ${code}` };
    }
  }
  return Number.isFinite(x) ? moneyFormat.f(x) : '—';
}

// --- rendering --------------------------------------------------------------

function paramsTable(table, model, prefix) {
  const rows = model ? model.summary() : [];
  table.innerHTML = '<tr><th>parameter</th><th>estimate</th><th>std. error</th></tr>';
  for (const r of rows) {
    const tr = table.insertRow();
    tr.innerHTML = `<td>${r.param}</td><td id="${prefix}-${r.param}" data-value="${r.estimate}">${fmt(r.estimate, 4)}</td><td>${fmt(r.stdError, 4)}</td>`;
  }
  if (model) {
    const tr = table.insertRow();
    tr.innerHTML = `<td>log-likelihood</td><td id="${prefix}-ll" data-value="${model.logLikelihood}">${fmt(model.logLikelihood, 2)}</td><td></td>`;
  } else {
    table.insertRow().innerHTML = '<td colspan="3">not fitted: no amounts</td>';
  }
}

function kpis({ s, clv, alive, expected }) {
  const n = s.customerId.length;
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  const total = sum(clv);
  const unit = UNITS[s.unit] ?? s.unit;
  const card = (label, value, tip, attrs = '') =>
    `<div class="kpi" title="${escapeHtml(tip)}"><span class="label">${label}</span><span class="value" ${attrs}>${value}</span></div>`;
  $('kpis').innerHTML = [
    card('Customers', n.toLocaleString('en-US'), 'Customers in the file, up to the observation end.', `id="kpi-customers" data-value="${n}"`),
    card(`Lifetime value, next ${escapeHtml($('months').value)} months`, s.monetaryValue ? money(total) : 'needs amounts',
      'The sum of every customer’s expected spend over the months ahead, discounted.', `id="clv-total" data-value="${total}"`),
    card('Customers still active', `${fmt(sum(alive), 0)}`, 'Expected number of customers who still buy from you: the sum of P(alive).', `id="kpi-active" data-value="${sum(alive)}"`),
    card(`Purchases, next ${escapeHtml($('horizon').value)} ${escapeHtml(unit)}`, fmt(sum(expected), 0),
      'The purchases to expect from these customers over the horizon.', `id="kpi-purchases" data-value="${sum(expected)}"`),
  ].join('');
}

function render({ s, bg, gg, alive, expected, clv, rfm, tracking, period }) {
  $('results').hidden = false;
  state.unit = s.unit;
  paramsTable($('bg-params'), bg, 'bg');
  paramsTable($('gg-params'), gg, 'gg');
  kpis({ s, clv, alive, expected });

  const body = $('segments').tBodies[0];
  body.replaceChildren();
  for (const c of rfm.segmentCounts) {
    const tr = body.insertRow();
    tr.dataset.segment = c.segment;
    tr.innerHTML = `<td>${escapeHtml(c.segment)}</td><td data-value="${c.customers}">${c.customers.toLocaleString('en-US')}</td><td>${fmt(100 * c.share, 1)}%</td>`;
  }

  state.rows = s.customerId.map((id, i) => ({
    i,
    id,
    frequency: s.frequency[i],
    recency: s.recency[i],
    T: s.T[i],
    monetary: s.monetaryValue ? s.monetaryValue[i] : NaN,
    alive: alive[i],
    expected: expected[i],
    clv: s.monetaryValue ? clv[i] : NaN,
    segment: rfm.segment[i],
  }));
  drawWhale(clv);
  drawTracking(tracking, s.unit);
  drawPeriod(period);
  tableHead();
  resort();
}

const UNITS = { D: 'days', W: 'weeks', M: 'months', H: 'hours', '7d': 'weeks of 7 days' };

/**
 * The tracking plot (`trackingSeriesFromCsv`: cumulative repeat transactions, actual vs the
 * model's Σ_c n_c E[X(t − c)] over the cohorts of first purchases), the calibration end marked.
 */
function drawTracking(log, unit) {
  const { time, actual, expected } = log.series;
  const n = time.length;
  const W = 420, H = 240, L = 44, B = 26, T = 8, R = 8;
  const tmax = n ? time[n - 1] : 1;
  const ymax = Math.max(1, ...actual, ...expected);
  const x = (t) => L + (t / tmax) * (W - L - R);
  const y = (v) => H - B - (v / ymax) * (H - B - T);
  const line = (v) => [`${x(0)},${y(0)}`, ...Array.from(v, (u, k) => `${x(time[k]).toFixed(1)},${y(u).toFixed(1)}`)].join(' ');
  const cal = log.calibrationTime;
  $('tracking').innerHTML = `
    <line class="axis" x1="${L}" y1="${y(0)}" x2="${x(tmax)}" y2="${y(0)}"/>
    <line class="axis" x1="${L}" y1="${y(0)}" x2="${L}" y2="${y(ymax)}"/>
    ${cal === undefined ? '' : `<line class="cal" x1="${x(cal)}" y1="${y(0)}" x2="${x(cal)}" y2="${y(ymax)}"/>`}
    <polyline class="actual" points="${line(actual)}"/>
    <polyline class="model" points="${line(expected)}"/>
    <text x="${L - 4}" y="${y(ymax) + 8}" text-anchor="end">${Math.round(ymax).toLocaleString()}</text>
    <text x="${L - 4}" y="${y(0)}" text-anchor="end">0</text>
    <text x="${x(tmax / 2)}" y="${H - 6}" text-anchor="middle">time since ${log.start} (${UNITS[unit] ?? unit})</text>
    <text x="${x(tmax)}" y="${H - 6}" text-anchor="end">${tmax}</text>`;
  const last = n - 1;
  $('tracking-note').innerHTML = n
    ? `By the end: <strong id="tracking-actual" data-value="${actual[last]}">${actual[last].toLocaleString()}</strong> repeat transactions, `
      + `<strong id="tracking-expected" data-value="${expected[last]}">${fmt(expected[last], 0)}</strong> expected.`
    : '';
}

/** Customers by repeat purchases 0..6 and 7+, actual vs expected (`periodTransactions`). */
function drawPeriod(d) {
  const k = d.labels.length;
  const W = 420, H = 240, L = 44, B = 26, T = 8, R = 8;
  const ymax = Math.max(1, ...d.actual, ...d.expected);
  const slot = (W - L - R) / k;
  const y = (v) => H - B - (v / ymax) * (H - B - T);
  const bars = d.labels.map((label, i) => {
    const x0 = L + i * slot + slot * 0.1;
    const w = slot * 0.38;
    return `<rect class="actual" data-label="${label}" data-value="${d.actual[i]}" x="${x0.toFixed(1)}" y="${y(d.actual[i]).toFixed(1)}" width="${w.toFixed(1)}" height="${(y(0) - y(d.actual[i])).toFixed(1)}"/>`
      + `<rect class="model" data-label="${label}" data-value="${d.expected[i]}" x="${(x0 + w).toFixed(1)}" y="${y(d.expected[i]).toFixed(1)}" width="${w.toFixed(1)}" height="${(y(0) - y(d.expected[i])).toFixed(1)}"/>`
      + `<text x="${(x0 + w).toFixed(1)}" y="${H - 10}" text-anchor="middle">${label}</text>`;
  });
  $('period-bars').innerHTML = `
    <line class="axis" x1="${L}" y1="${y(0)}" x2="${W - R}" y2="${y(0)}"/>
    <text x="${L - 4}" y="${y(ymax) + 8}" text-anchor="end">${Math.round(ymax).toLocaleString()}</text>
    ${bars.join('')}`;
}

/**
 * Whale curve of the CLVs, computed by the library (`whaleCurve`, Kaplan &
 * Narayanan 2001): point k is (k / n, cumulativeShare[k − 1]), customers
 * sorted by CLV, highest first. This function only draws it.
 */
function drawWhale(clv) {
  const w = whaleCurve(clv);
  const share = w.cumulativeShare;
  const n = share.length;
  const top = Math.max(1, w.peakShare); // above 1 only when some values are negative
  const W = 320, H = 240, L = 34, B = 24, T = 8, R = 8;
  const x = (f) => L + f * (W - L - R);
  const y = (f) => H - B - (f / top) * (H - B - T);
  const step = Math.max(1, Math.floor(n / 400));
  const pts = [`${x(0)},${y(0)}`];
  for (let k = 0; k < n; k++) {
    if ((k + 1) % step === 0 || k === n - 1) pts.push(`${x((k + 1) / n).toFixed(1)},${y(share[k]).toFixed(1)}`);
  }
  const top10 = w.topShares.find((t) => t.fraction === 0.1).share;
  $('whale').innerHTML = `
    <line class="axis" x1="${L}" y1="${y(0)}" x2="${x(1)}" y2="${y(0)}"/>
    <line class="axis" x1="${L}" y1="${y(0)}" x2="${L}" y2="${y(1)}"/>
    <line class="diag" x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}"/>
    <polyline class="curve" points="${pts.join(' ')}"/>
    <text x="${L - 4}" y="${y(1) + 4}" text-anchor="end">100%</text>
    <text x="${L - 4}" y="${y(0.5) + 4}" text-anchor="end">50%</text>
    <text x="${x(0.5)}" y="${H - 6}" text-anchor="middle">share of customers</text>
    <text x="${x(1)}" y="${H - 6}" text-anchor="end">100%</text>`;
  $('whale-note').innerHTML =
    `The top 10% of customers hold <strong id="top10" data-value="${top10}">${fmt(100 * top10, 1)}%</strong> of the CLV; ` +
    `Gini coefficient <strong id="gini" data-value="${w.gini}">${fmt(w.gini, 2)}</strong>.`;
}

// --- the customer table: every customer, sorted, searched, paged, exported --

/** The columns: key in the rows, header, plain-words tooltip, cell text, CSV name. */
const SHORT_UNITS = { D: 'days', W: 'weeks', '7d': 'weeks', M: 'months', H: 'hours' };

function columns() {
  const unit = SHORT_UNITS[state.unit] ?? UNITS[state.unit] ?? state.unit;
  const horizon = $('horizon').value;
  const months = $('months').value;
  return [
    { key: 'id', label: 'Customer', csv: 'customer_id', text: (v) => escapeHtml(v),
      tip: 'The customer id from your file.' },
    { key: 'frequency', label: 'Repeat purchases', csv: 'frequency', text: (v) => v.toLocaleString('en-US'),
      tip: `How many ${unit} with a purchase the customer had after the first one.` },
    { key: 'recency', label: `Last purchase (${unit})`, csv: 'recency', text: (v) => fmt(v, 1),
      tip: `When the customer last bought: ${unit} from their first purchase to their last.` },
    { key: 'T', label: `Customer for (${unit})`, csv: 'T', text: (v) => fmt(v, 1),
      tip: `How long the customer has been with you: ${unit} from their first purchase to the end of the data.` },
    { key: 'monetary', label: 'Average spend', csv: 'monetary_value', text: money,
      tip: 'Average amount of a repeat purchase (the first purchase is not counted).' },
    { key: 'alive', label: 'P(alive)', csv: 'prob_alive', text: (v) => `${fmt(100 * v, 1)}%`,
      tip: 'Chance the customer still buys from you.' },
    { key: 'expected', label: `Purchases, next ${horizon} ${unit}`, csv: 'expected_purchases', text: (v) => fmt(v, 2),
      tip: `How many purchases to expect from the customer in the next ${horizon} ${unit}.` },
    { key: 'clv', label: `Value, next ${months} months`, csv: 'clv', text: clvText, attrs: intervalAttrs,
      tip: `Customer lifetime value: what the customer is expected to spend in the next ${months} months, discounted to today.`
        + (showIntervals() ? ' In brackets: its 90% interval (5% and 95% quantiles over parameter draws).' : '') },
    { key: 'segment', label: 'Segment', csv: 'segment', text: (v) => escapeHtml(v),
      tip: 'RFM segment, from how recently, how often and how much the customer bought.' },
  ];
}

function tableHead() {
  const row = $('customers').tHead.rows[0];
  row.replaceChildren();
  for (const c of columns()) {
    const th = document.createElement('th');
    th.dataset.key = c.key;
    th.title = c.tip;
    th.scope = 'col';
    th.innerHTML = `<button type="button" class="sort">${escapeHtml(c.label)}</button>`;
    row.append(th);
  }
  // The same words for screens without hover.
  $('column-defs').innerHTML = columns().map((c) => `<dt>${escapeHtml(c.label)}</dt><dd>${escapeHtml(c.tip)}</dd>`).join('');
}

/** Ascending order of a column: numbers (NaN first), or text; ties by customer id. */
function compare(key) {
  return (a, b) => {
    const x = a[key];
    const y = b[key];
    let c;
    if (typeof x === 'number') c = Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : Number.isNaN(y) ? 1 : x - y;
    else c = x < y ? -1 : x > y ? 1 : 0;
    return c || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  };
}

function resort() {
  const { key, dir } = state.sort;
  const asc = compare(key);
  state.sorted = [...state.rows].sort((a, b) => dir * asc(a, b) || (a.id < b.id ? -1 : 1));
  markSort();
  filter();
}

function markSort() {
  const { key, dir } = state.sort;
  for (const th of $('customers').tHead.rows[0].cells) {
    th.setAttribute('aria-sort', th.dataset.key === key ? (dir < 0 ? 'descending' : 'ascending') : 'none');
  }
}

function filter() {
  const q = $('search').value.trim().toLowerCase();
  state.shown = q ? state.sorted.filter((r) => r.id.toLowerCase().includes(q)) : state.sorted;
  state.page = 0;
  renderPage();
}

function renderPage() {
  const size = Number($('page-size').value);
  const pages = Math.max(1, Math.ceil(state.shown.length / size));
  state.page = Math.min(Math.max(0, state.page), pages - 1);
  const from = state.page * size;
  const rows = state.shown.slice(from, from + size);
  if (showIntervals()) {
    try {
      fillIntervals(rows);
    } catch (e) {
      dropIntervals();
      intervalNote(`<strong>No intervals.</strong> <span class="raw">Error${e.code ? ` [${escapeHtml(e.code)}]` : ''}: ${escapeHtml(e.message)}</span>`, 'error');
    }
  }
  const cols = columns();
  const body = $('customers').tBodies[0];
  body.replaceChildren();
  for (const r of rows) {
    const tr = body.insertRow();
    tr.dataset.id = r.id;
    tr.dataset.clv = r.clv;
    tr.dataset.alive = r.alive;
    tr.dataset.expected = r.expected;
    tr.innerHTML = cols.map((c) => `<td data-key="${c.key}" data-value="${escapeHtml(r[c.key])}"${c.attrs ? c.attrs(r) : ''}>${c.text(r[c.key], r)}</td>`).join('');
  }
  if (!rows.length) body.insertRow().innerHTML = `<td colspan="${cols.length}" class="muted">No customer id contains “${escapeHtml($('search').value)}”.</td>`;
  const total = state.rows.length;
  const matching = state.shown.length;
  $('page-info').textContent = matching
    ? `${(from + 1).toLocaleString('en-US')}–${(from + rows.length).toLocaleString('en-US')} of ${matching.toLocaleString('en-US')}`
    : '0 of 0';
  $('page-info').dataset.page = state.page + 1;
  $('page-info').dataset.pages = pages;
  $('prev-page').disabled = state.page === 0;
  $('next-page').disabled = state.page >= pages - 1;
  $('table-note').textContent = `${total.toLocaleString('en-US')} customers`
    + (matching === total ? '' : `, ${matching.toLocaleString('en-US')} matching the search`)
    + '. Click a column to sort; hover a header to see what it means.';
}

const csvField = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** Every customer (not only the page or the search), in the current order, full precision. */
function exportCsv() {
  const cols = columns();
  const lines = [cols.map((c) => c.csv).join(',')];
  for (const r of state.sorted) {
    lines.push(cols.map((c) => (typeof r[c.key] === 'number' ? (Number.isNaN(r[c.key]) ? '' : String(r[c.key])) : csvField(r[c.key]))).join(','));
  }
  const blob = new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${state.name.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_') || 'customers'}-scores.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// --- uncertainty: 90% CLV intervals, Laplace at once, NUTS in a Web Worker ---

/** Laplace draws for the instant intervals: enough for stable 5% and 95% quantiles. */
const LAPLACE_DRAWS = 500;
const QUANTILES = [0.05, 0.95];

const showIntervals = () => $('uncertainty').checked && state.intervals !== null;

function clvText(v, r) {
  if (!showIntervals() || !r || Number.isNaN(v)) return money(v);
  const { low, high } = state.intervals;
  return `${money(v)}<span class="interval">[${money(low[r.i])} – ${money(high[r.i])}]</span>`;
}

function intervalAttrs(r) {
  if (!showIntervals()) return '';
  const { low, high, method } = state.intervals;
  return ` data-low="${low[r.i]}" data-high="${high[r.i]}" data-method="${method}"`;
}

function intervalNote(html, method) {
  $('interval-note').innerHTML = html;
  $('interval-note').dataset.method = method ?? '';
}

function nutsStatus(html, kind) {
  const el = $('nuts-status');
  el.hidden = !html;
  el.innerHTML = html;
  el.dataset.state = kind;
}

/** No intervals; their draws (in the wasm memory) freed. */
function dropIntervals() {
  state.intervals?.draws.free();
  state.intervals = null;
}

/** A new file or new settings: no intervals yet, nothing of the last NUTS run shown. */
function resetUncertainty() {
  dropIntervals();
  intervalNote('', '');
  nutsStatus('', 'idle');
  $('nuts-progress').hidden = true;
  $('nuts-summary').hidden = true;
}

/**
 * Intervals from `draws` (a Draws object of the BG/NBD parameters): the table
 * shows them, each computed by the library when its row is first shown (the
 * CLV of every customer under every draw would take seconds on a large file).
 */
function setIntervals(method, draws) {
  const n = state.rows.length;
  dropIntervals();
  state.intervals = { method, draws, low: new Float64Array(n).fill(NaN), high: new Float64Array(n).fill(NaN) };
  tableHead();
  markSort();
  renderPage();
}

/** The 5% and 95% CLV quantiles of the `rows` not computed yet (`Draws.customerLifetimeValue`). */
function fillIntervals(rows) {
  const { draws, low, high } = state.intervals;
  const todo = rows.filter((r) => Number.isNaN(low[r.i]) && !Number.isNaN(r.clv)).map((r) => r.i);
  if (!todo.length) return;
  const { gg, data, clvOptions } = state.last;
  const pick = (a) => Float64Array.from(todo, (i) => a[i]);
  const some = { frequency: pick(data.frequency), recency: pick(data.recency), T: pick(data.T), monetaryValue: pick(data.monetaryValue) };
  const iv = draws.customerLifetimeValue(gg, some, { ...clvOptions, quantiles: QUANTILES });
  todo.forEach((i, k) => {
    low[i] = iv.values[0][k];
    high[i] = iv.values[1][k];
  });
}

/**
 * Laplace intervals, at once on this thread: draws of the BG/NBD parameters
 * from the normal approximation at the estimate (`model.draws`), and the CLV
 * of every customer under each draw (`Draws.customerLifetimeValue`), spend at
 * the Gamma-Gamma estimate; the library returns the 5% and 95% quantiles.
 */
function showLaplace() {
  const { bg, gg } = state.last;
  $('run-nuts').disabled = !gg;
  if (!gg) {
    intervalNote('Intervals need amounts: without a spend model there is no lifetime value.', '');
    return;
  }
  try {
    const t0 = performance.now();
    setIntervals('laplace', bg.draws({ method: 'laplace', n: LAPLACE_DRAWS, seed: 0 }));
    const ms = performance.now() - t0;
    intervalNote(`<strong>Laplace</strong>: 90% intervals from ${LAPLACE_DRAWS.toLocaleString('en-US')} draws of the BG/NBD parameters `
      + `(a normal approximation at the estimate), spend at the Gamma-Gamma estimate; this page’s in ${ms.toFixed(0)} ms. `
      + '<strong>Run NUTS</strong> for the full posterior (in the background: the page stays usable).', 'laplace');
  } catch (e) {
    dropIntervals();
    intervalNote(`<strong>No Laplace intervals.</strong> <span class="raw">Error${e.code ? ` [${escapeHtml(e.code)}]` : ''}: ${escapeHtml(e.message)}</span>`, 'error');
    renderPage();
  }
}

/** Stops a running NUTS worker (Cancel, or new results), if any. */
function stopNuts() {
  state.worker?.terminate();
  state.worker = null;
  $('run-nuts').disabled = false;
  $('cancel-nuts').hidden = true;
}

/** Which intervals stay when a NUTS run stops early. */
const kept = () => (state.intervals?.method === 'nuts' ? 'those of the last NUTS run' : 'Laplace’s');

function nutsError(code, message) {
  stopNuts();
  $('nuts-progress').hidden = true;
  nutsStatus(`<strong>NUTS failed; the intervals shown are ${kept()}.</strong> `
    + `<span class="raw">Error${code ? ` [${escapeHtml(code)}]` : ''}: ${escapeHtml(message)}</span>`, 'error');
}

/** The posterior summary of a NUTS run: R-hat and effective sample sizes per parameter. */
function nutsSummary(rows, divergences) {
  const f = (x, d) => fmt(x, d);
  $('nuts-params').innerHTML = '<tr><th>parameter</th><th>mean</th><th>sd</th><th>5%</th><th>95%</th><th>R-hat</th><th>ESS bulk</th><th>ESS tail</th></tr>'
    + rows.map((r) => `<tr data-param="${escapeHtml(r.param)}" data-r-hat="${r.rHat}" data-ess-bulk="${r.essBulk}"><td>${escapeHtml(r.param)}</td>`
      + `<td>${f(r.mean, 4)}</td><td>${f(r.sd, 4)}</td><td>${f(r.q05, 4)}</td><td>${f(r.q95, 4)}</td>`
      + `<td>${f(r.rHat, 3)}</td><td>${f(r.essBulk, 0)}</td><td>${f(r.essTail, 0)}</td></tr>`).join('');
  $('nuts-summary').hidden = false;
  const good = rows.every((r) => r.rHat < 1.01 && r.essBulk >= 400 && r.essTail >= 400) && divergences === 0;
  return good
    ? { kind: 'done', text: 'R-hat below 1.01, effective sample sizes of 400 or more and no divergences: the chains agree.' }
    : { kind: 'warn', text: 'Check the table: R-hat of 1.01 or more, an effective sample size below 400 or divergences mean the chains '
      + 'have not explored the posterior well; run longer (more warm-up and draws).' };
}

/** Samples the BG/NBD posterior with NUTS in a module Web Worker (worker.mjs), with progress and Cancel. */
function runNuts() {
  const { bg, data } = state.last;
  stopNuts();
  const options = {
    chains: Number($('nuts-chains').value), tune: Number($('nuts-tune').value), draws: Number($('nuts-draws').value), seed: 0,
  };
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module' });
  state.worker = worker;
  const done = [];
  const divergent = [];
  $('run-nuts').disabled = true;
  $('cancel-nuts').hidden = false;
  $('nuts-summary').hidden = true;
  $('nuts-progress').hidden = false;
  $('nuts-bar').value = 0;
  $('nuts-progress-text').textContent = 'NUTS: starting…';
  nutsStatus('', 'busy');
  worker.onmessage = ({ data: m }) => {
    if (state.worker !== worker) return; // a stopped run
    if (m.type === 'progress') {
      done[m.chain] = m.done;
      divergent[m.chain] = m.divergences;
      const sum = (a) => a.reduce((x, y) => x + (y ?? 0), 0);
      const percent = Math.floor((100 * sum(done)) / (m.chains * m.total));
      const divergences = sum(divergent);
      $('nuts-bar').value = percent;
      const text = $('nuts-progress-text');
      Object.assign(text.dataset, { percent, chain: m.chain + 1, divergences });
      text.textContent = `NUTS: ${percent}% — chain ${m.chain + 1} of ${m.chains}, `
        + `${m.done <= options.tune ? 'warm-up' : 'sampling'}, ${divergences} divergence${divergences === 1 ? '' : 's'}`;
    } else if (m.type === 'done') {
      stopNuts();
      $('nuts-progress').hidden = true;
      try {
        setIntervals('nuts', Draws.fromJSON(m.draws));
      } catch (e) {
        nutsError(e.code, e.message);
        return;
      }
      intervalNote(`<strong>NUTS</strong>: 90% intervals from ${m.n.toLocaleString('en-US')} posterior draws of the BG/NBD parameters `
        + `(${options.chains} chains of ${options.tune} warm-up and ${options.draws} kept draws, default priors), spend at the `
        + `Gamma-Gamma estimate; sampled in a background worker in ${(m.ms / 1000).toFixed(1)} s.`, 'nuts');
      const check = nutsSummary(m.summary, m.divergences);
      nutsStatus(`NUTS done: ${m.divergences} divergence${m.divergences === 1 ? '' : 's'}. ${check.text}`, check.kind);
    } else {
      nutsError(m.code, m.message);
    }
  };
  worker.onerror = (e) => {
    e.preventDefault();
    if (state.worker === worker) nutsError(null, e.message || 'the worker could not be started');
  };
  const { frequency, recency, T } = data;
  worker.postMessage({ model: bg.toJSON(), data: { frequency, recency, T }, options });
}

// --- wiring -----------------------------------------------------------------

$('customers').tHead.addEventListener('click', (e) => {
  const key = e.target.closest('th')?.dataset.key;
  if (!key) return;
  state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : key === 'id' || key === 'segment' ? 1 : -1 };
  resort();
});
$('search').addEventListener('input', filter);
$('page-size').addEventListener('change', () => { state.page = 0; renderPage(); });
$('prev-page').addEventListener('click', () => { state.page -= 1; renderPage(); });
$('next-page').addEventListener('click', () => { state.page += 1; renderPage(); });
$('export-csv').addEventListener('click', exportCsv);
$('uncertainty').addEventListener('change', () => {
  $('uncertainty-panel').hidden = !$('uncertainty').checked;
  if (!state.last) return;
  if ($('uncertainty').checked && !state.intervals) showLaplace();
  tableHead();
  markSort();
  renderPage();
});
$('run-nuts').addEventListener('click', runNuts);
$('cancel-nuts').addEventListener('click', () => {
  stopNuts();
  $('nuts-progress').hidden = true;
  nutsStatus(`NUTS cancelled; the intervals shown are ${kept()}.`, 'idle');
});
$('currency').addEventListener('change', () => {
  if (!state.last) return;
  kpis(state.last);
  renderPage();
});
$('file').addEventListener('change', (e) => {
  if (e.target.files[0]) loadFile(e.target.files[0]);
  e.target.value = ''; // the same file chosen again is a new load
});
const drop = $('drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  if (e.dataTransfer.files[0]) loadFile(e.dataTransfer.files[0]);
});
for (const id of ['delimiter', 'has-header']) $(id).addEventListener('change', () => state.bytes && fillColumns());
$('columns').addEventListener('submit', (e) => { e.preventDefault(); compute(); });
$('load-sample').addEventListener('click', () => loadSample().catch((e) => status(`Error: ${escapeHtml(e.message)}`, 'error')));

await init();
status('Ready: drop a file or try the CDNOW sample.', 'ready');
