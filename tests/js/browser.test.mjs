// The demo page (bindings/wasm/www) in headless Chromium (Debian's, driven by
// playwright-core): loads the bundled CDNOW sample, and checks the numbers the
// page shows — computed by the WASM build in the browser — against the Rust
// CLI (`clv report --json`, native code) on the same data. Saves a screenshot
// to tests/js/out/demo.png (git-ignored).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CHROMIUM, CHROMIUM_FLAGS as FLAGS, root } from './helpers.mjs';

const require = createRequire(join(root, 'bindings', 'wasm', 'package.json'));
const { chromium } = require('playwright-core');
const { serve } = await import(join(root, 'bindings', 'wasm', 'scripts', 'serve.mjs'));


let server;
let url;
let context;
let profile;
const pageErrors = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  ({ server, url } = await serve(0));
  profile = mkdtempSync(join(tmpdir(), 'clv-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
});

after(async () => {
  await context?.close();
  server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** The Rust CLI's report on the bundled sample (same data, same set-up). */
function cliReport() {
  const out = execFileSync('cargo', ['run', '--quiet', '--locked', '-p', 'clv-cli', '--', 'report', '--json', '--top', '10'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out);
}

const close = (got, want, what, rtol = 1e-6) =>
  assert.ok(Math.abs(got - want) <= rtol * Math.max(1, Math.abs(want)), `${what}: page ${got}, Rust CLI ${want}`);

test('the demo computes the CDNOW sample in the browser, matching the Rust CLI', { timeout: 120_000 }, async () => {
  const report = cliReport();
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e));
  await page.goto(`${url}/www/`);
  await page.waitForSelector('#status[data-state=ready]', { timeout: 30_000 });
  await page.click('#load-sample');
  await page.waitForSelector('#status[data-state=done], #status[data-state=error]', { timeout: 60_000 });
  const statusText = await page.textContent('#status');
  assert.equal(await page.getAttribute('#status', 'data-state'), 'done', statusText);
  assert.match(statusText, /2,357 customers from 6,919 transactions/);

  const value = async (sel) => Number(await page.getAttribute(sel, 'data-value'));
  // Fitted parameters: WASM in the browser vs native Rust, to 1e-6 relative.
  for (const [k, v] of Object.entries(report.models.bg_nbd.params)) close(await value(`#bg-${k}`), v, `BG/NBD ${k}`);
  close(await value('#bg-ll'), report.models.bg_nbd.log_likelihood, 'BG/NBD LL');
  for (const [k, v] of Object.entries(report.models.gamma_gamma.params)) close(await value(`#gg-${k}`), v, `Gamma-Gamma ${k}`);
  close(await value('#clv-total'), report.value.clv_total, 'total CLV');
  // And the published values: FHL (2005) r = 0.243, α = 4.414, a = 0.793, b = 2.426.
  for (const [k, v] of Object.entries({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 })) {
    assert.ok(Math.abs((await value(`#bg-${k}`)) - v) < 5e-4, k);
  }

  // RFM segment counts: exactly the CLI's.
  for (const s of report.rfm_segments) {
    const cell = `#segments tr[data-segment="${s.segment.replace(/"/g, '\\"')}"] td:nth-child(2)`;
    assert.equal(Number(await page.getAttribute(cell, 'data-value')), s.customers, s.segment);
  }

  // The customer table, sorted by CLV (default), starts with the CLI's top customers.
  const rows = await page.$$eval('#customers tbody tr', (trs) =>
    trs.slice(0, 10).map((tr) => ({ id: tr.dataset.id, clv: Number(tr.dataset.clv), alive: Number(tr.dataset.alive) })),
  );
  report.value.top_customers.forEach((c, i) => {
    assert.equal(rows[i].id, c.customer_id, `rank ${i + 1}`);
    close(rows[i].clv, c.clv, `CLV of ${c.customer_id}`);
    close(rows[i].alive, c.prob_alive, `P(alive) of ${c.customer_id}`);
  });

  mkdirSync(join(root, 'tests', 'js', 'out'), { recursive: true });
  await page.screenshot({ path: join(root, 'tests', 'js', 'out', 'demo.png'), fullPage: true });

  // Sorting: P(alive) ascending after two clicks on its header.
  await page.click('#customers th[data-key=alive]');
  await page.click('#customers th[data-key=alive]');
  const alive = await page.$$eval('#customers tbody tr', (trs) => trs.map((tr) => Number(tr.dataset.alive)));
  assert.ok(alive.every((v, i) => i === 0 || alive[i - 1] <= v), 'sorted ascending');

  // Whale curve: drawn, and its top-10% share is a share.
  const top10 = await value('#top10');
  assert.ok(top10 > 0.1 && top10 <= 1, `top 10% share ${top10}`);
  assert.ok((await page.$$eval('#whale polyline', (p) => p[0].getAttribute('points').split(' ').length)) > 100);
  // ... computed by the library (wasm whaleCurve): Gini and top-10% share equal the native CLI's whale curve.
  const curve = report.value.whale_curve;
  close(await value('#gini'), curve.gini, 'Gini');
  close(top10, curve.top_shares.find((t) => t.fraction === 0.1).share, 'top 10% share');

  // Model check panel (WASM trackingSeriesFromCsv and periodTransactions in the page), against
  // @clv/node on the same file with the CLI's BG/NBD parameters.
  const node = require(join(root, 'bindings', 'node'));
  const cdnow = readFileSync(join(root, 'crates', 'clv-cli', 'data', 'CDNOW_sample.txt'));
  const opts = {
    customerIdCol: '2', datetimeCol: '3', delimiter: 'whitespace', hasHeader: false,
    freq: '7d', calibrationPeriodEnd: '1997-09-30', observationPeriodEnd: '1998-06-30',
  };
  const bg = node.BetaGeo.fromParams(report.models.bg_nbd.params);
  const log = node.trackingSeriesFromCsv(bg, cdnow, opts);
  assert.equal(await value('#tracking-actual'), log.series.actual.at(-1));
  close(await value('#tracking-expected'), log.series.expected.at(-1), 'tracking: expected repeat transactions by the end');
  assert.equal(await page.$$eval('#tracking polyline', (p) => p.length), 2);
  assert.equal(await page.$$eval('#tracking line.cal', (l) => l.length), 1); // the calibration end
  const s = node.rfmSummaryFromCsv(cdnow, opts);
  const period = node.periodTransactions(bg, { frequency: s.frequency, T: s.T });
  const bars = (cls) => page.$$eval(`#period-bars rect.${cls}`, (r) => r.map((e) => [e.dataset.label, Number(e.dataset.value)]));
  const model = await bars('model');
  assert.deepEqual(model.map((b) => b[0]), ['0', '1', '2', '3', '4', '5', '6', '7+']);
  model.forEach(([label, v], i) => close(v, period.expected[i], `expected customers with ${label} repeat purchases`));
  assert.deepEqual((await bars('actual')).map((b) => b[1]), Array.from(period.actual));

  assert.deepEqual(pageErrors, []);
  await page.close();
});

test('a dropped CSV with a header: pick columns, compute; a bad file shows the error code', { timeout: 60_000 }, async () => {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e));
  await page.goto(`${url}/www/`);
  await page.waitForSelector('#status[data-state=ready]');
  // Hand-made log: a buys on 3 days, b on 2, c once (days unit, observation end = last date).
  const csv = 'date;client;amount\n2024-01-01;a;10\n2024-01-05;a;20\n2024-01-09;a;30\n2024-01-02;b;5\n2024-01-08;b;7\n2024-01-03;c;9\n';
  await page.setInputFiles('#file', { name: 'tx.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.waitForFunction(() => !document.getElementById('compute').disabled);
  // The pickers guessed the columns from the header names.
  assert.equal(await page.inputValue('#customer-col'), 'client');
  assert.equal(await page.inputValue('#date-col'), 'date');
  assert.equal(await page.inputValue('#amount-col'), 'amount');
  await page.selectOption('#freq', 'D');
  await page.click('#compute');
  await page.waitForSelector('#status[data-state=done], #status[data-state=error]');
  // 3 customers; BG/NBD on 3 customers may or may not converge, but either way the page says so.
  const text = await page.textContent('#status');
  assert.match(text, /3 customers from 6 transactions|Error \[NOT_(CONVERGED|IDENTIFIED)\]/, text);
  // A bad column choice (dates as amounts) is reported with the library's error code, naming the column.
  await page.selectOption('#amount-col', 'date');
  await page.click('#compute');
  await page.waitForSelector('#status[data-state=error]');
  assert.match(await page.textContent('#status'), /Error \[PARSE_ERROR\]: cannot parse date on line 2: "2024-01-01" \(not a number\)/);
  assert.deepEqual(pageErrors, []);
  await page.close();
});
