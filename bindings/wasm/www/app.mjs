// The demo page: every number is computed by @clv/wasm (the clv Rust core) in
// this browser tab. This file only handles the page: reading the file,
// picking columns, calling the library and drawing the results.
import init, {
  BetaGeo,
  GammaGamma,
  customerLifetimeValue,
  periodTransactions,
  rfmSegments,
  rfmSummaryFromCsv,
  trackingSeriesFromCsv,
  whaleCurve,
} from '../pkg-web/clv_wasm.js';

const $ = (id) => document.getElementById(id);
const state = { bytes: null, rows: [], sort: { key: 'clv', dir: -1 } };
const SHOWN = 100; // rows rendered in the customer table

function status(text, kind = 'idle') {
  $('status').textContent = text;
  $('status').dataset.state = kind;
}

// --- loading a file ---------------------------------------------------------

function splitLine(line, delimiter) {
  if (delimiter === 'whitespace') return line.trim().split(/\s+/);
  if (delimiter === 'auto') {
    const counts = [',', '\t', ';'].map((d) => [d, line.split(d).length - 1]).sort((a, b) => b[1] - a[1]);
    return counts[0][1] > 0 ? line.split(counts[0][0]) : line.trim().split(/\s+/);
  }
  return line.split(delimiter);
}

/** Fills the column pickers from the first line (names, or positions without a header). */
function fillColumns(guess = {}) {
  const first = new TextDecoder().decode(state.bytes.subarray(0, 4096)).split(/\r?\n/).find((l) => l.trim()) ?? '';
  const fields = splitLine(first, $('delimiter').value);
  const header = $('has-header').checked;
  const options = fields.map((f, i) => (header ? { value: f.trim(), label: f.trim() } : { value: String(i + 1), label: `column ${i + 1} (${f.trim()})` }));
  const pick = (el, value, fallback) => {
    el.replaceChildren(...options.map((o) => new Option(o.label, o.value)));
    if (el.id === 'amount-col') el.prepend(new Option('(none)', ''));
    const match = options.find((o) => o.value === value) ?? options.find((o) => fallback.test(o.label));
    el.value = match ? match.value : el.options[0].value;
  };
  pick($('customer-col'), guess.customer, /cust|client|user|id/i);
  pick($('date-col'), guess.date, /date|time|day/i);
  pick($('amount-col'), guess.amount, /amount|value|price|revenue|sales|spend|usd/i);
  $('compute').disabled = false;
}

function loaded(bytes, name, guess) {
  state.bytes = bytes;
  $('file-name').textContent = `${name}: ${bytes.length.toLocaleString()} bytes`;
  $('preview').textContent = new TextDecoder().decode(bytes.subarray(0, 600)).split(/\r?\n/).slice(0, 5).join('\n');
  fillColumns(guess);
}

async function loadFile(file) {
  loaded(new Uint8Array(await file.arrayBuffer()), file.name, {});
  status('File loaded: check the columns, then Compute.');
}

async function loadSample() {
  status('Loading the CDNOW sample…');
  const response = await fetch('data/CDNOW_sample.txt');
  if (!response.ok) throw new Error(`cannot load the sample: HTTP ${response.status}`);
  // CDNOW_sample.txt (Fader & Hardie): master id, sample id, YYYYMMDD, CDs, USD; no header.
  // The papers' set-up: 7-day weeks, calibration to 1997-09-30, holdout to 1998-06-30.
  $('delimiter').value = 'whitespace';
  $('has-header').checked = false;
  $('freq').value = '7d';
  $('calibration-end').value = '1997-09-30';
  $('observation-end').value = '1998-06-30';
  $('horizon').value = '39';
  loaded(new Uint8Array(await response.arrayBuffer()), 'CDNOW_sample.txt (Fader, Hardie & Lee 2005)', { customer: '2', date: '3', amount: '5' });
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
  if ($('amount-col').value) o.monetaryValueCol = $('amount-col').value;
  if ($('calibration-end').value.trim()) o.calibrationPeriodEnd = $('calibration-end').value.trim();
  if ($('observation-end').value.trim()) o.observationPeriodEnd = $('observation-end').value.trim();
  return o;
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
    render({ s, bg, gg, alive, expected, clv, rfm, ms, tracking, period });
    // What the data did not carry into the numbers, in plain words.
    const notes = [];
    if (s.nAfterObservationEnd) notes.push(`${s.nAfterObservationEnd.toLocaleString()} transactions after the observation end left out`);
    if (!s.monetaryValue) notes.push('no amount column: money values (CLV) need amounts');
    if (gg && gg.leftOut) {
      const ids = Array.from(gg.leftOut.indices, (i) => s.customerId[i]);
      notes.push(`${ids.length} customer(s) with only $0 repeat orders valued at the average spend (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''})`);
    }
    const note = notes.length ? ` Note: ${notes.join('; ')}.` : '';
    status(`Done: ${n.toLocaleString()} customers from ${s.nTransactions.toLocaleString()} transactions in ${ms.toFixed(0)} ms, all in this tab.${note}`, 'done');
  } catch (e) {
    $('results').hidden = true;
    status(`Error${e.code ? ` [${e.code}]` : ''}: ${e.message}`, 'error');
  }
}

// --- rendering --------------------------------------------------------------

const fmt = (x, d = 3) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '—');

function paramsTable(table, model, prefix) {
  const rows = model ? model.summary() : [];
  table.innerHTML = '<tr><th>param</th><th>estimate</th><th>std. error</th></tr>';
  for (const r of rows) {
    const tr = table.insertRow();
    tr.innerHTML = `<td>${r.param}</td><td id="${prefix}-${r.param}" data-value="${r.estimate}">${fmt(r.estimate, 4)}</td><td>${fmt(r.stdError, 4)}</td>`;
  }
  if (model) {
    const tr = table.insertRow();
    tr.innerHTML = `<td>log-likelihood</td><td id="${prefix}-ll" data-value="${model.logLikelihood}">${fmt(model.logLikelihood, 2)}</td><td></td>`;
  }
}

function render({ s, bg, gg, alive, expected, clv, rfm, tracking, period }) {
  $('results').hidden = false;
  paramsTable($('bg-params'), bg, 'bg');
  paramsTable($('gg-params'), gg, 'gg');
  const total = clv.reduce((a, b) => a + b, 0);
  $('totals').innerHTML = `Total CLV (${$('months').value} months): <strong id="clv-total" data-value="${total}">${fmt(total, 2)}</strong>`;

  const body = $('segments').tBodies[0];
  body.replaceChildren();
  for (const c of rfm.segmentCounts) {
    const tr = body.insertRow();
    tr.dataset.segment = c.segment;
    tr.innerHTML = `<td>${c.segment}</td><td data-value="${c.customers}">${c.customers}</td><td>${fmt(100 * c.share, 1)}%</td>`;
  }

  state.rows = s.customerId.map((id, i) => ({
    id,
    frequency: s.frequency[i],
    recency: s.recency[i],
    T: s.T[i],
    monetary: s.monetaryValue ? s.monetaryValue[i] : 0,
    alive: alive[i],
    expected: expected[i],
    clv: clv[i],
    segment: rfm.segment[i],
  }));
  drawWhale(clv);
  drawTracking(tracking, s.unit);
  drawPeriod(period);
  renderCustomers();
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

function renderCustomers() {
  const { key, dir } = state.sort;
  const rows = [...state.rows].sort((a, b) => (a[key] < b[key] ? -dir : a[key] > b[key] ? dir : a.id < b.id ? -1 : 1));
  for (const th of $('customers').tHead.rows[0].cells) {
    th.setAttribute('aria-sort', th.dataset.key === key ? (dir < 0 ? 'descending' : 'ascending') : 'none');
  }
  const body = $('customers').tBodies[0];
  body.replaceChildren();
  for (const r of rows.slice(0, SHOWN)) {
    const tr = body.insertRow();
    tr.dataset.id = r.id;
    tr.dataset.clv = r.clv;
    tr.dataset.alive = r.alive;
    tr.innerHTML = `<td>${r.id}</td><td>${r.frequency}</td><td>${fmt(r.recency, 2)}</td><td>${fmt(r.T, 2)}</td>`
      + `<td>${fmt(r.monetary, 2)}</td><td>${fmt(r.alive, 3)}</td><td>${fmt(r.expected, 3)}</td><td>${fmt(r.clv, 2)}</td><td>${r.segment}</td>`;
  }
  $('table-note').textContent = `${Math.min(SHOWN, rows.length)} of ${rows.length.toLocaleString()} customers shown; click a column to sort.`;
}

// --- wiring -----------------------------------------------------------------

$('customers').tHead.addEventListener('click', (e) => {
  const key = e.target.closest('th')?.dataset.key;
  if (!key) return;
  state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : key === 'id' || key === 'segment' ? 1 : -1 };
  renderCustomers();
});
$('file').addEventListener('change', (e) => e.target.files[0] && loadFile(e.target.files[0]));
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
$('load-sample').addEventListener('click', () => loadSample().catch((e) => status(`Error: ${e.message}`, 'error')));

await init();
status('Ready: drop a file or load the CDNOW sample.', 'ready');
