// The demo page (bindings/wasm/www) as a product page, in headless Chromium
// (Debian's, driven by playwright-core) at desktop (1280 px) and phone (390 px)
// width. Each run first loads the bundled CDNOW sample, then uploads a file
// this test writes — a header row, columns in an unusual order, $0 orders,
// dd/mm/yyyy dates — to prove that settings reset and the layout is guessed
// for each new file. The page's numbers are checked against @clv/node (the
// native addon) on the same file, to 1e-6 relative (WASM and native builds of
// the core differ in the last bits, as in browser.test.mjs); then search,
// sort, pagination, the CSV export, the column tooltips, an error naming its
// row and column, and no horizontal overflow. Screenshots go to tests/js/out/ (git-ignored).
// The sniffing module (www/sniff.mjs) is also tested on its own, in Node.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CHROMIUM, CHROMIUM_FLAGS as FLAGS, root } from './helpers.mjs';

const require = createRequire(join(root, 'bindings', 'wasm', 'package.json'));
const { chromium } = require('playwright-core');
const { serve } = await import(join(root, 'bindings', 'wasm', 'scripts', 'serve.mjs'));
const sniffer = await import(join(root, 'bindings', 'wasm', 'www', 'sniff.mjs'));
const node = require(join(root, 'bindings', 'node'));

const OUT = join(root, 'tests', 'js', 'out');

// --- the uploaded file ------------------------------------------------------

/** A small deterministic generator (LCG), so the file is the same on every run. */
function rng(seed) {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

const DAY = 86_400_000;
const ddmmyyyy = (ms) => {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
};

/**
 * 180 customers from 2023 to 2024, each with a purchase rate, a chance to leave
 * after each purchase and a spend level; dates dd/mm/yyyy, about one order in six at $0;
 * the header names the columns in an order the page must find by name.
 * C007 is known by hand: five orders, one at $0. C003 repeats only at $0
 * (the spend model leaves it out and values it at the average spend).
 */
function transactions() {
  const rand = rng(12);
  const start = Date.UTC(2023, 0, 1);
  const rows = [];
  for (let c = 1; c <= 180; c++) {
    const id = `C${String(c).padStart(3, '0')}`;
    if (id === 'C007') continue;
    // BG/NBD's story: a purchase rate of its own, and a chance to leave after each purchase.
    let t = start + Math.floor(rand() * 365) * DAY;
    const gap = 7 + 100 * rand();
    const leave = 0.1 + 0.5 * rand();
    const level = 8 + 120 * rand() ** 2; // and a spend level of its own
    for (let k = 0; t < Date.UTC(2025, 0, 1); k++) {
      const zero = (id === 'C003' && k > 0) || rand() < 0.17;
      rows.push([t, id, zero ? 0 : Math.round(level * (50 + 100 * rand())) / 100]);
      if (rand() < leave) break;
      t += Math.ceil(gap * -Math.log(1 - rand())) * DAY;
    }
  }
  const known = [['2023-02-14', 25], ['2023-03-20', 0], ['2023-06-02', 40.5], ['2023-11-28', 12.25], ['2024-05-17', 60]];
  for (const [date, amount] of known) rows.push([Date.parse(`${date}T00:00:00Z`), 'C007', amount]);
  rows.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
  return rows;
}

const rows = transactions();
const CSV = `Order Date,Customer ID,Amount\n${rows.map(([t, id, a]) => `${ddmmyyyy(t)},${id},${a}`).join('\n')}\n`;
/** The same file with a bad date on line BAD_LINE (31 February). */
const BAD_LINE = 6;
const BAD_CSV = CSV.split('\n').map((l, i) => (i === BAD_LINE - 1 ? l.replace(/^[^,]+/, '31/02/2024') : l)).join('\n');

/** What @clv/node computes on the same file, with the settings the page should guess. */
function expected() {
  const opts = {
    customerIdCol: 'Customer ID', datetimeCol: 'Order Date', monetaryValueCol: 'Amount',
    delimiter: ',', hasHeader: true, dateFormat: '%d/%m/%Y', freq: 'W',
  };
  const s = node.rfmSummaryFromCsv(Buffer.from(CSV), opts);
  const customers = { frequency: s.frequency, recency: s.recency, T: s.T };
  const data = { ...customers, monetaryValue: s.monetaryValue };
  const bg = new node.BetaGeo().fit(customers);
  const gg = new node.GammaGamma().fit(data);
  const clv = node.customerLifetimeValue(bg, gg, data, { time: 12, discountRate: 0.01, freq: s.unit });
  const alive = bg.probAlive(customers);
  const purchases = bg.expectedPurchases(52, customers);
  const byId = new Map(s.customerId.map((id, i) => [id, { alive: alive[i], expected: purchases[i], clv: clv[i], frequency: s.frequency[i] }]));
  return { s, gg, byId };
}

const close = (got, want, what, rtol = 1e-6) =>
  assert.ok(Math.abs(got - want) <= rtol * Math.max(1, Math.abs(want)), `${what}: page ${got}, @clv/node ${want}`);

// --- sniffing, in Node --------------------------------------------------------

describe('www/sniff.mjs guesses the layout of a file', () => {
  test('the test file: comma, header, columns by name, dd/mm/yyyy', () => {
    assert.deepEqual(sniffer.sniff(CSV), {
      delimiter: ',', hasHeader: true, customer: 'Customer ID', date: 'Order Date', amount: 'Amount',
      dateFormat: '%d/%m/%Y', ambiguousDate: false,
    });
  });
  test('the CDNOW sample: whitespace, no header, columns by content, YYYYMMDD', () => {
    const cdnow = readFileSync(join(root, 'crates', 'clv-cli', 'data', 'CDNOW_sample.txt'), 'utf8');
    const g = sniffer.sniff(cdnow);
    assert.equal(g.delimiter, 'whitespace');
    assert.equal(g.hasHeader, false);
    assert.deepEqual([g.date, g.amount, g.dateFormat], ['3', '5', '%Y%m%d']);
  });
  test('semicolons, tabs, month-first and ambiguous dates', () => {
    assert.equal(sniffer.sniff('date;client;amount\n2024-01-01;a;10\n2024-01-05;a;20\n').delimiter, ';');
    const tab = sniffer.sniff('a\t20240101\t5\nb\t20240102\t0\n');
    assert.deepEqual([tab.delimiter, tab.hasHeader, tab.customer, tab.date, tab.amount], ['\t', false, '1', '2', '3']);
    assert.equal(sniffer.sniff('user,when,price\nx,01/13/2024,5\n').dateFormat, '%m/%d/%Y');
    const amb = sniffer.sniff('user,when,price\nx,01/02/2024,5\n');
    assert.deepEqual([amb.dateFormat, amb.ambiguousDate], ['%d/%m/%Y', true]);
    assert.equal(sniffer.sniff('id,day,sum\n1,2024-01-01,3\n').dateFormat, '');
  });
});

// --- in Chromium ----------------------------------------------------------------

let server;
let url;
let context;
let profile;
let dir;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  ({ server, url } = await serve(0));
  profile = mkdtempSync(join(tmpdir(), 'clv-chromium-'));
  dir = mkdtempSync(join(tmpdir(), 'clv-demo-'));
  writeFileSync(join(dir, 'orders.csv'), CSV);
  writeFileSync(join(dir, 'bad.csv'), BAD_CSV);
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, acceptDownloads: true,
  });
});

after(async () => {
  await context?.close();
  server?.close();
  for (const d of [profile, dir]) if (d) rmSync(d, { recursive: true, force: true });
});

/** The page's width fits the viewport: nothing makes the document scroll sideways. */
async function assertNoOverflow(page, when) {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
  }));
  assert.ok(scroll <= inner, `${when}: the page is ${scroll} px wide in a ${inner} px viewport`);
}

async function finished(page) {
  await page.waitForSelector('#status[data-state=done], #status[data-state=error]', { timeout: 60_000 });
  return page.textContent('#status');
}

const cells = (page, key) =>
  page.$$eval(`#customers tbody td[data-key="${key}"]`, (tds) => tds.map((td) => td.dataset.value));

for (const width of [1280, 390]) {
  test(`the demo at ${width} px: a file of our own after the sample, scored, searched, sorted, paged, exported`, { timeout: 180_000 }, async () => {
    const want = expected();
    const n = want.s.customerId.length;
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${url}/www/`);
    await page.waitForSelector('#status[data-state=ready]', { timeout: 30_000 });
    await assertNoOverflow(page, 'before any file');

    // 1. The sample first: it sets whitespace, no header, 7-day weeks and a calibration end.
    await page.click('#load-sample');
    assert.match(await finished(page), /2,357 customers from 6,919 transactions/);
    assert.equal(await page.inputValue('#calibration-end'), '1997-09-30');
    await assertNoOverflow(page, 'the CDNOW sample scored');

    // 2. Our file: every setting starts again from the file (the bug was whitespace, columns 1 and 1).
    await page.setInputFiles('#file', join(dir, 'orders.csv'));
    await page.waitForSelector('#status[data-state=ready]');
    assert.equal(await page.inputValue('#delimiter'), ',');
    assert.equal(await page.isChecked('#has-header'), true);
    assert.equal(await page.inputValue('#customer-col'), 'Customer ID');
    assert.equal(await page.inputValue('#date-col'), 'Order Date');
    assert.equal(await page.inputValue('#amount-col'), 'Amount');
    assert.equal(await page.inputValue('#date-format'), '%d/%m/%Y');
    assert.equal(await page.inputValue('#freq'), 'W');
    assert.equal(await page.inputValue('#calibration-end'), '');
    assert.equal(await page.inputValue('#observation-end'), '');
    assert.equal(await page.inputValue('#horizon'), '52');
    await page.fill('#currency', 'EUR');
    await page.press('#currency', 'Escape'); // close the list of currencies
    await page.click('#compute');
    const text = await finished(page);
    assert.match(text, new RegExp(`Done: ${n} customers from ${rows.length} transactions`), text);
    // The $0-only repeat customer is named as valued at the average spend.
    assert.ok(Array.from(want.gg.leftOut.indices, (i) => want.s.customerId[i]).includes('C003'));
    assert.match(text, /valued at the average spend \(.*C003/, text);

    // 3. All customers, a page at a time: walking the pages shows each customer once.
    assert.equal(await page.textContent('#page-info'), `1–25 of ${n}`);
    const seen = [];
    for (let p = 1; ; p++) {
      assert.equal(await page.getAttribute('#page-info', 'data-page'), String(p));
      seen.push(...(await page.$$eval('#customers tbody tr', (trs) => trs.map((tr) => tr.dataset.id))));
      if (await page.isDisabled('#next-page')) break;
      await page.click('#next-page');
    }
    assert.equal(seen.length, n);
    assert.deepEqual([...seen].sort(), [...want.s.customerId].sort());
    await page.click('#prev-page');
    assert.equal(await page.getAttribute('#page-info', 'data-page'), String(Math.ceil(n / 25) - 1));
    // Sorted by value, highest first (the default): page 1 starts with @clv/node's top customer.
    await page.selectOption('#page-size', '250');
    const top = [...want.byId].sort((a, b) => b[1].clv - a[1].clv || (a[0] < b[0] ? -1 : 1))[0][0];
    assert.equal(await page.getAttribute('#customers tbody tr:first-child', 'data-id'), top);

    // 4. Search by id; the known customer's numbers are @clv/node's.
    await page.fill('#search', 'c007');
    assert.deepEqual(await page.$$eval('#customers tbody tr', (trs) => trs.map((tr) => tr.dataset.id)), ['C007']);
    assert.match(await page.textContent('#table-note'), new RegExp(`${n} customers, 1 matching`));
    const row = await page.$eval('#customers tbody tr', (tr) => ({ ...tr.dataset, text: tr.textContent }));
    const c7 = want.byId.get('C007');
    assert.equal(c7.frequency, 4); // five orders in five different weeks
    close(Number(row.alive), c7.alive, 'P(alive) of C007');
    close(Number(row.expected), c7.expected, 'expected purchases of C007 in 52 weeks');
    close(Number(row.clv), c7.clv, 'CLV of C007');
    assert.match(row.text, /€/, 'money in the chosen currency');
    await page.fill('#search', 'nobody');
    assert.match(await page.textContent('#customers tbody'), /No customer id contains/);
    await page.fill('#search', '');

    // 5. Every column sorts, both ways; P(alive) descending starts with @clv/node's most alive customer.
    const keys = await page.$$eval('#customers thead th', (ths) => ths.map((th) => th.dataset.key));
    assert.deepEqual(keys, ['id', 'frequency', 'recency', 'T', 'monetary', 'alive', 'expected', 'clv', 'segment']);
    for (const key of keys) {
      for (let click = 0; click < 2; click++) {
        await page.click(`#customers th[data-key="${key}"]`);
        const dir = await page.getAttribute(`#customers th[data-key="${key}"]`, 'aria-sort');
        const v = await cells(page, key);
        const text = key === 'id' || key === 'segment';
        const ordered = v.every((x, i) => {
          if (i === 0) return true;
          const [a, b] = text ? [v[i - 1], x] : [Number(v[i - 1]), Number(x)];
          return dir === 'ascending' ? a <= b : a >= b;
        });
        assert.ok(ordered, `sorted by ${key}, ${dir}`);
      }
    }
    await page.click('#customers th[data-key="alive"]'); // descending first
    const most = [...want.byId].sort((a, b) => b[1].alive - a[1].alive || (a[0] < b[0] ? -1 : 1))[0];
    close(Number((await cells(page, 'alive'))[0]), most[1].alive, 'highest P(alive)');

    // 6. A tooltip in plain words on every column.
    const tips = await page.$$eval('#customers thead th', (ths) => ths.map((th) => th.title));
    assert.ok(tips.every((t) => t.length > 15), JSON.stringify(tips));
    assert.match(tips[keys.indexOf('alive')], /chance the customer still buys from you/i);
    // ... and the same words under the table, for screens without hover.
    assert.equal((await page.$$eval('#column-defs dd', (dds) => dds.map((d) => d.textContent))).join('|'), tips.join('|'));
    await page.click('#column-help summary'); // open, for the width check and the screenshot

    // 7. The CSV export: every customer (not the page, not the search), full precision.
    await page.fill('#search', 'C00');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    assert.equal(download.suggestedFilename(), 'orders-scores.csv');
    const lines = readFileSync(await download.path(), 'utf8').trim().split('\n');
    assert.equal(lines[0], 'customer_id,frequency,recency,T,monetary_value,prob_alive,expected_purchases,clv,segment');
    assert.equal(lines.length, n + 1);
    const exported = new Map(lines.slice(1).map((l) => l.split(',')).map((f) => [f[0], f]));
    assert.deepEqual([...exported.keys()].sort(), [...want.s.customerId].sort());
    for (const [id, w] of want.byId) {
      const f = exported.get(id);
      close(Number(f[5]), w.alive, `exported P(alive) of ${id}`);
      close(Number(f[6]), w.expected, `exported expected purchases of ${id}`);
      close(Number(f[7]), w.clv, `exported CLV of ${id}`);
    }
    await page.fill('#search', '');
    await page.selectOption('#page-size', '25');
    await page.click('#customers th[data-key="clv"]'); // back to the most valuable first
    await page.$eval('#customers', (t) => { t.parentElement.scrollLeft = 0; }); // the sort clicks scrolled it

    mkdirSync(OUT, { recursive: true });
    await assertNoOverflow(page, `${width} px, scored`);
    await page.screenshot({ path: join(OUT, `demo-${width}.png`), fullPage: true });

    // 8. A bad date on line BAD_LINE: the message names the row and the column, in words.
    await page.setInputFiles('#file', join(dir, 'bad.csv'));
    await page.waitForSelector('#status[data-state=ready]');
    await page.click('#compute');
    const err = await finished(page);
    assert.equal(await page.getAttribute('#status', 'data-state'), 'error');
    assert.match(err, new RegExp(`Row ${BAD_LINE} of bad\\.csv, column “Order Date”: "31/02/2024"`), err);
    assert.match(err, /not a date in the format %d\/%m\/%Y/, err);
    assert.match(err, new RegExp(`Error \\[PARSE_ERROR\\]: cannot parse Order Date on line ${BAD_LINE}`), err);
    assert.equal(await page.isHidden('#results'), true);
    await assertNoOverflow(page, `${width} px, an error shown`);
    await page.screenshot({ path: join(OUT, `demo-${width}-error.png`) });

    assert.deepEqual(errors, []);
    await page.close();
  });
}

// --- uncertainty: Laplace intervals at once, NUTS in a Web Worker -------------

/** The CLV cells of the page shown: value, interval and method. */
const clvCells = (page) => page.$$eval('#customers tbody td[data-key="clv"]', (tds) => tds.map((td) => ({
  value: Number(td.dataset.value), low: Number(td.dataset.low), high: Number(td.dataset.high), method: td.dataset.method, text: td.textContent,
})));

function assertIntervals(cells, method) {
  assert.equal(cells.length, 25);
  for (const c of cells) {
    assert.equal(c.method, method);
    assert.ok(c.low <= c.value && c.value <= c.high && c.low < c.high, `${method}: ${c.low} ≤ ${c.value} ≤ ${c.high}`);
    assert.match(c.text, /\[\$[\d,.]+ – \$[\d,.]+\]$/, c.text);
  }
}

test('the uncertainty switch: Laplace intervals at once, NUTS in a worker with progress, the page responsive', { timeout: 240_000 }, async () => {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${url}/www/`);
  await page.waitForSelector('#status[data-state=ready]', { timeout: 30_000 });
  await page.click('#load-sample');
  assert.match(await finished(page), /2,357 customers/);
  assert.equal(await page.isHidden('#uncertainty-panel'), true);
  assert.equal((await clvCells(page))[0].method, undefined, 'no intervals before the switch');

  // 1. The switch (a labelled checkbox with the switch role): Laplace intervals at once.
  const toggle = page.getByRole('switch', { name: 'Uncertainty' });
  await toggle.check();
  await page.waitForSelector('#interval-note[data-method=laplace]');
  assert.match(await page.textContent('#interval-note'), /Laplace.*500 draws/);
  const laplace = await clvCells(page);
  assertIntervals(laplace, 'laplace');
  // the next page gets its intervals when shown
  await page.click('#next-page');
  assertIntervals(await clvCells(page), 'laplace');
  await page.click('#prev-page');

  // 2. NUTS in the worker, small settings; a timer on the page keeps ticking meanwhile.
  await page.fill('#nuts-chains', '2');
  await page.fill('#nuts-tune', '200');
  await page.fill('#nuts-draws', '200');
  const t0 = await page.evaluate(() => {
    window.ticks = [];
    window.timer = setInterval(() => window.ticks.push(performance.now()), 20);
    return performance.now();
  });
  await page.click('#run-nuts');
  assert.equal(await page.isVisible('#cancel-nuts'), true);
  assert.equal(await page.isDisabled('#run-nuts'), true);
  // attached, not visible: on a loaded machine this short run can end (and
  // the progress line hide, its last report kept) before the test looks
  await page.waitForSelector('#nuts-progress-text[data-percent]', { state: 'attached', timeout: 60_000 });
  assert.match(await page.textContent('#nuts-progress-text'), /^NUTS: \d+% — chain [12] of 2, (warm-up|sampling), \d+ divergences?$/);
  await page.waitForSelector('#interval-note[data-method=nuts]', { timeout: 200_000 });
  const { gaps, ticks, t1 } = await page.evaluate((from) => {
    clearInterval(window.timer);
    const t = window.ticks.filter((x) => x >= from);
    return { gaps: Math.max(...t.slice(1).map((x, i) => x - t[i])), ticks: t.length, t1: performance.now() };
  }, t0);
  assert.ok(ticks > (t1 - t0) / 20 / 4, `${ticks} timer ticks in ${(t1 - t0).toFixed(0)} ms`);
  assert.ok(gaps < 1000, `the page stopped for ${gaps.toFixed(0)} ms while NUTS ran`);
  assert.equal(await page.isHidden('#nuts-progress'), true);
  assert.equal(await page.isHidden('#cancel-nuts'), true);
  // done, or warn: a run this short may not reach R-hat < 1.01 and ESS ≥ 400, and the page says so
  assert.match(await page.getAttribute('#nuts-status', 'data-state'), /^(done|warn)$/);
  assert.match(await page.textContent('#nuts-status'), /^NUTS done: \d+ divergences?\. /);
  assert.match(await page.textContent('#interval-note'), /NUTS.*400 posterior draws.*2 chains/);
  const nuts = await clvCells(page);
  assertIntervals(nuts, 'nuts');
  assert.ok(nuts.some((c, i) => c.low !== laplace[i].low), 'the NUTS intervals replace the Laplace ones');
  const summary = await page.$$eval('#nuts-params tr[data-param]', (trs) => trs.map((tr) => ({ ...tr.dataset })));
  assert.deepEqual(summary.map((r) => r.param), ['r', 'alpha', 'a', 'b']);
  for (const r of summary) assert.ok(Number(r.rHat) > 0.9 && Number(r.rHat) < 1.1 && Number(r.essBulk) > 10, JSON.stringify(r));

  // 3. Cancel: the worker stops, the intervals stay those of the last run.
  await page.fill('#nuts-tune', '5000');
  await page.fill('#nuts-draws', '5000');
  await page.click('#run-nuts');
  await page.waitForSelector('#nuts-progress-text[data-percent]', { timeout: 60_000 });
  await page.click('#cancel-nuts');
  assert.match(await page.textContent('#nuts-status'), /cancelled; the intervals shown are those of the last NUTS run/);
  assert.equal(await page.isEnabled('#run-nuts'), true);
  assertIntervals(await clvCells(page), 'nuts');

  // 4. A bad setting: the library's typed error is shown, not swallowed.
  await page.fill('#nuts-chains', '0');
  await page.click('#run-nuts');
  await page.waitForSelector('#nuts-status[data-state=error]', { timeout: 60_000 });
  assert.match(await page.textContent('#nuts-status'), /NUTS failed; the intervals shown are those of the last NUTS run\. Error \[INVALID_INPUT\]: invalid chains: 0/);
  assertIntervals(await clvCells(page), 'nuts');

  // 5. It fits a phone; off again: plain values.
  await assertNoOverflow(page, 'uncertainty panel at 1280 px');
  await page.setViewportSize({ width: 390, height: 900 });
  await assertNoOverflow(page, 'uncertainty panel at 390 px');
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, 'demo-uncertainty-390.png'), fullPage: true });
  await toggle.uncheck();
  assert.equal((await clvCells(page))[0].method, undefined);
  assert.deepEqual(errors, []);
  await page.close();
});
