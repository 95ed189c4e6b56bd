#!/usr/bin/env node
// Side-by-side timing of the JS builds against native Rust, one run:
//
//   fit    BG/NBD on the CDNOW calibration summary (2357 customers)
//   score  for N customers (CDNOW rows repeated; default 100,000): P(alive),
//          expected purchases in the next 39 weeks and the 12-month CLV
//          (Gamma-Gamma spend at the published estimates, 1%/month, weeks)
//
// on @clv/node (napi-rs addon), @clv/wasm (wasm-bindgen, target nodejs, in
// this Node process) and native Rust (benches/examples/compare_js_native.rs,
// release build, once on 1 thread and once on all cores). Medians of REPS
// runs after one warm-up; prints times, ratios to native (1 thread), and
// checks that all builds found the same optimum and the same scores.
//
// Usage (from the repository root, after ./scripts/test.sh or the two `npm run build`):
//   node benches/compare_js.mjs [N=100000] [REPS=5]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const N = Number(process.argv[2] ?? 100_000);
const REPS = Number(process.argv[3] ?? 5);
const file = join(root, 'tests', 'data', 'cdnow_customers_summary.csv');

const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
const header = lines[0].split(',');
const col = (name) => Float64Array.from(lines.slice(1), (l) => Number(l.split(',')[header.indexOf(name)]));
const small = { frequency: col('frequency'), recency: col('recency'), T: col('T') };
const big = {};
for (const k of ['frequency', 'recency', 'T']) big[k] = Float64Array.from({ length: N }, (_, i) => small[k][i % small[k].length]);
big.monetaryValue = big.frequency.map((f) => (f > 0 ? 35 : 0));

const median = (v) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
const sum = (a) => a.reduce((s, v) => s + v, 0);

function timeJs(lib) {
  const fit = [];
  let bg;
  for (let i = 0; i <= REPS; i++) {
    const t0 = performance.now();
    bg = new lib.BetaGeo().fit(small);
    if (i > 0) fit.push(performance.now() - t0);
  }
  const gg = lib.GammaGamma.fromParams({ p: 6.25, q: 3.74, v: 15.44 });
  const score = [];
  let checksum = 0;
  for (let i = 0; i <= REPS; i++) {
    const t0 = performance.now();
    const alive = bg.probAlive(big);
    const exp = bg.expectedPurchases(39, big);
    const clv = lib.customerLifetimeValue(bg, gg, big, { time: 12, discountRate: 0.01, freq: 'W' });
    if (i > 0) score.push(performance.now() - t0);
    checksum = sum(alive) + sum(exp) + sum(clv);
  }
  return { fit_ms: median(fit), score_ms: median(score), params: { ...bg.params }, checksum };
}

function timeNative(threads) {
  const env = { ...process.env };
  if (threads) env.RAYON_NUM_THREADS = String(threads);
  const out = execFileSync(
    'cargo',
    ['run', '--quiet', '--release', '--locked', '-p', 'clv-benches', '--example', 'compare_js_native', '--', file, String(N), String(REPS + 1)],
    { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out);
}

const results = {
  'native Rust, 1 thread': timeNative(1),
  [`native Rust, ${cpus().length} threads`]: timeNative(0),
  '@clv/node (napi-rs)': timeJs(require(join(root, 'bindings', 'node'))),
  '@clv/wasm (wasm-bindgen, Node)': timeJs(require(join(root, 'bindings', 'wasm', 'pkg-node', 'clv_wasm.js'))),
};

const base = results['native Rust, 1 thread'];
for (const [name, r] of Object.entries(results)) {
  for (const k of ['r', 'alpha', 'a', 'b']) {
    if (Math.abs(r.params[k] - base.params[k]) > 1e-6 * Math.abs(base.params[k])) throw new Error(`${name}: ${k} = ${r.params[k]} vs ${base.params[k]}`);
  }
  if (Math.abs(r.checksum - base.checksum) > 1e-6 * Math.abs(base.checksum)) throw new Error(`${name}: scores differ (${r.checksum} vs ${base.checksum})`);
}

const wasm = readFileSync(join(root, 'bindings', 'wasm', 'pkg-web', 'clv_wasm_bg.wasm'));
console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0].model}); N = ${N.toLocaleString()}, median of ${REPS} runs`);
console.log(`clv_wasm_bg.wasm: ${wasm.length.toLocaleString()} bytes, ${gzipSync(wasm, { level: 9 }).length.toLocaleString()} gzipped`);
console.log('all builds agree on the BG/NBD optimum (1e-6) and the scores (checksum, 1e-6)\n');
const pad = (s, n) => String(s).padEnd(n);
console.log(`${pad('build', 34)}${pad('fit CDNOW (ms)', 16)}${pad('ratio', 8)}${pad(`score ${N / 1000}k (ms)`, 17)}ratio`);
for (const [name, r] of Object.entries(results)) {
  console.log(
    `${pad(name, 34)}${pad(r.fit_ms.toFixed(1), 16)}${pad((r.fit_ms / base.fit_ms).toFixed(2), 8)}` +
      `${pad(r.score_ms.toFixed(1), 17)}${(r.score_ms / base.score_ms).toFixed(2)}`,
  );
}
