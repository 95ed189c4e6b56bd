// Shared by the JS test files: the two backends (the same API), the shared
// vectors (tests/vectors/*.json) and data (tests/data/*.csv), and tolerances
// read the way the Rust runners (tests/tests/common/mod.rs) read them.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * CSV options of the CDNOW sample (no header; customer, date, amount in
 * columns 2, 3, 5) in the papers' set-up, as `clv report` reads it: 7-day
 * units, calibration to 1997-09-30, holdout to 1998-06-30.
 */
export const CDNOW = {
  customerIdCol: '2',
  datetimeCol: '3',
  monetaryValueCol: '5',
  delimiter: 'whitespace',
  hasHeader: false,
  freq: '7d',
  calibrationPeriodEnd: '1997-09-30',
  observationPeriodEnd: '1998-06-30',
};

/** Debian's Chromium, driven headless by playwright-core in the browser tests. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The Node addon (napi-rs) and the WASM build (wasm-bindgen, target nodejs). */
export const backends = [
  { name: 'node', lib: require(join(root, 'bindings', 'node')) },
  { name: 'wasm', lib: require(join(root, 'bindings', 'wasm', 'pkg-node', 'clv_wasm.js')) },
];

/** Every vector file, by file name. */
export function vectorFiles() {
  return readdirSync(join(root, 'tests', 'vectors'))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export function vector(name) {
  return JSON.parse(readFileSync(join(root, 'tests', 'vectors', name), 'utf8'));
}

/** Columns of a CSV file in tests/data, parsed as numbers. */
export function columns(file, names) {
  const lines = readFileSync(join(root, 'tests', 'data', file), 'utf8').split(/\r?\n/).filter((l) => l.trim());
  const header = lines[0].split(',');
  const idx = names.map((n) => {
    const i = header.indexOf(n);
    assert.ok(i >= 0, `${file} has no column ${n}`);
    return i;
  });
  const out = names.map(() => []);
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    idx.forEach((i, k) => out[k].push(Number(f[i].trim())));
  }
  return out.map((c) => Float64Array.from(c));
}

/** |got − want| ≤ atol + rtol·|want| elementwise, all finite (Rust `assert_close`). */
export function assertClose(got, c, label = '') {
  const want = Array.isArray(c.expected) ? c.expected : [c.expected];
  const values = typeof got === 'number' ? [got] : Array.from(got);
  const rtol = c.rtol;
  const atol = c.atol ?? 0;
  assert.equal(values.length, want.length, `${label} length`);
  values.forEach((g, i) => {
    const w = want[i];
    assert.ok(
      Number.isFinite(g) && Math.abs(g - w) <= atol + rtol * Math.max(Math.abs(w), 1e-300),
      `${label} ${c.fn} ${JSON.stringify(c.args)}[${i}]: got ${g}, want ${w} (rtol ${rtol}); ${c.source}`,
    );
  });
}

/** The thrown value is an Error with `code` and a message naming `field`. */
export function assertClvError(fn, code, field, label = '') {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof Error, `${label}: expected an Error, got ${thrown}`);
  assert.equal(thrown.code, code, `${label}: ${thrown.message}`);
  if (field) {
    const esc = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(thrown.message, new RegExp(`(^|[^A-Za-z_])${esc}([^A-Za-z_]|$)`), label);
  }
  return thrown;
}

/** snake_case → camelCase (vector keys and fields → the JS API's names). */
export function camel(name) {
  return name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

// CLVTools' apparel data, as crates/clv/tests/covariates.rs,
// bindings/python/tests/test_covariates.py and crates/clv-cli/tests/cli_covariates.rs
// take it: weeks (7 days), calibration to 2005-10-09, the static covariates Gender and
// Channel joined on the customer id.
const APPAREL_DATA = join(root, 'crates', 'clv', 'tests', 'data');
const APPAREL_CSV = {
  customerIdCol: 'Id', datetimeCol: 'Date', monetaryValueCol: 'Price', freq: '7d',
  calibrationPeriodEnd: '2005-10-09', observationPeriodEnd: '2010-12-20',
};

/** The apparel summary `s` (by `lib`) and its customers' covariates `z` (rows in the summary's order). */
export function apparelWithCovariates(lib) {
  const transactions = readFileSync(join(APPAREL_DATA, 'apparel_transactions.csv'));
  const rows = new Map(
    readFileSync(join(APPAREL_DATA, 'apparel_static_covariates.csv'), 'utf8').trim().split(/\r?\n/).slice(1)
      .map((line) => line.split(','))
      .map(([id, ...values]) => [id, values.map(Number)]),
  );
  const s = lib.rfmSummaryFromCsv(new Uint8Array(transactions), APPAREL_CSV);
  const column = (k) => Float64Array.from(s.customerId, (id) => rows.get(id)[k]);
  return { s, z: { Gender: column(0), Channel: column(1) } };
}
