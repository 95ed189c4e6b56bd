// Streaming summaries (issue 17 #18): `Summarizer` (both backends) fed a file
// in chunks split anywhere, and Node's `rfmSummaryFromFile`, give exactly the
// summary of `rfmSummaryFromCsv` on the whole text, and the same errors
// (code and line).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { backends, CDNOW, root } from './helpers.mjs';

const data = (name) => readFileSync(join(root, 'tests', 'data', name));
// CDNOW_master.txt has a header: customer_id date number_of_cds dollar_value
const MASTER = {
  customerIdCol: 'customer_id',
  datetimeCol: 'date',
  monetaryValueCol: 'dollar_value',
  delimiter: 'whitespace',
  freq: 'W',
  calibrationPeriodEnd: '1997-09-30',
  observationPeriodEnd: '1998-03-31',
};

/** A small seeded PRNG (mulberry32), so that failures reproduce. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `bytes` cut at `n` random places (mid-line and mid-character included). */
function pieces(bytes, n, seed) {
  const rand = prng(seed);
  const cuts = Array.from({ length: n }, () => Math.floor(rand() * (bytes.length + 1))).sort((a, b) => a - b);
  const out = [];
  let start = 0;
  for (const c of cuts) {
    out.push(bytes.subarray(start, c));
    start = c;
  }
  out.push(bytes.subarray(start));
  return out;
}

function streamed(lib, chunks, options) {
  const s = new lib.Summarizer(options);
  for (const c of chunks) s.push(c);
  return s.finish();
}

/** The error a call throws: its code and message. */
function failure(f) {
  try {
    f();
  } catch (e) {
    return { code: e.code, message: e.message };
  }
  assert.fail('no error');
}

/** A CSV with a header and a multi-byte id, rows shuffled (no date order). */
function csvText() {
  const rand = prng(7);
  const rows = [];
  for (let i = 0; i < 3000; i++) {
    const day = 1 + Math.floor(rand() * 28);
    const month = 1 + Math.floor(rand() * 12);
    const id = i % 7 === 0 ? `čř-${Math.floor(rand() * 50)}` : `c${Math.floor(rand() * 300)}`;
    const amount = (Math.floor(rand() * 10000) / 100).toFixed(2);
    rows.push(`${id},1997-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')},${amount}`);
  }
  return Buffer.from(`id,date,amount\r\n${rows.join('\r\n')}\r\n`);
}
const CSV_OPTIONS = { customerIdCol: 'id', datetimeCol: 'date', monetaryValueCol: 'amount', freq: 'W' };

for (const { name, lib } of backends) {
  describe(`${name}: streaming summaries`, () => {
    test('Summarizer on the CDNOW files in random pieces equals rfmSummaryFromCsv', () => {
      for (const [file, options] of [['CDNOW_sample.txt', CDNOW], ['CDNOW_master.txt', MASTER]]) {
        const bytes = new Uint8Array(data(file));
        const want = lib.rfmSummaryFromCsv(bytes, options);
        assert.ok(want.customerId.length > 2000);
        for (const [n, seed] of [[0, 1], [3, 2], [200, 3]]) {
          for (const order of ['any', 'chronological']) {
            const got = streamed(lib, pieces(bytes, n, seed), { ...options, order });
            assert.deepEqual(got, want, `${file} in ${n + 1} pieces, ${order}`);
          }
        }
      }
    });

    test('Summarizer on a shuffled CSV (CRLF, multi-byte ids, string chunks)', () => {
      const bytes = csvText();
      const want = lib.rfmSummaryFromCsv(bytes, CSV_OPTIONS);
      assert.ok(want.customerId.length > 300);
      assert.deepEqual(streamed(lib, pieces(bytes, 50, 11), CSV_OPTIONS), want);
      // string chunks cut at line ends
      const lines = bytes.toString('utf8').split(/(?<=\n)/);
      const strings = [lines.slice(0, 100).join(''), ...lines.slice(100)];
      assert.deepEqual(streamed(lib, strings, CSV_OPTIONS), want);
      // rows out of date order are an error under "chronological", naming the row
      const e = failure(() => streamed(lib, pieces(bytes, 5, 12), { ...CSV_OPTIONS, order: 'chronological' }));
      assert.equal(e.code, 'INVALID_INPUT');
      assert.match(e.message, /^invalid date\[\d+\]: .* of customer /);
    });

    test('errors: the same code and line as rfmSummaryFromCsv', () => {
      const good = data('CDNOW_sample.txt').toString('latin1').split('\n');
      for (const [line, text] of [[5, ' 00001 0001 19971345  1 11.77'], [700, ' 00001 0001 19970101  x'], [1200, ' 00001 0001 19970101  1 -3']]) {
        const bad = [...good];
        bad[line - 1] = text;
        const bytes = Buffer.from(bad.join('\n'), 'latin1');
        const want = failure(() => lib.rfmSummaryFromCsv(bytes, CDNOW));
        assert.match(want.message, new RegExp(`line ${line}\\b`));
        for (const seed of [1, 2]) {
          assert.deepEqual(failure(() => streamed(lib, pieces(bytes, 40, seed), CDNOW)), want, `line ${line}`);
        }
      }
      for (const text of ['', '\n\n', 'id,date\n']) {
        const opts = { customerIdCol: 'id', datetimeCol: 'date' };
        assert.deepEqual(failure(() => streamed(lib, [text], opts)), failure(() => lib.rfmSummaryFromCsv(text, opts)));
      }
      const opts = { ...CDNOW, observationPeriodEnd: '1990-01-01', calibrationPeriodEnd: undefined };
      const bytes = data('CDNOW_sample.txt');
      assert.deepEqual(failure(() => streamed(lib, [bytes], opts)), failure(() => lib.rfmSummaryFromCsv(bytes, opts)));
      assert.equal(failure(() => new lib.Summarizer({ ...CDNOW, order: 'sorted' })).code, 'INVALID_INPUT');
    });

    test('a Summarizer is spent after finish', () => {
      const s = new lib.Summarizer(CDNOW);
      s.push(data('CDNOW_sample.txt'));
      assert.ok(s.finish().customerId.length > 0);
      assert.equal(failure(() => s.push('x')).code, 'INVALID_INPUT');
      assert.equal(failure(() => s.finish()).code, 'INVALID_INPUT');
    });

    if (name === 'node') {
      test('rfmSummaryFromFile streams a file from disk, in date order or not', () => {
        const dir = mkdtempSync(join(tmpdir(), 'clv-stream-'));
        try {
          const master = join(root, 'tests', 'data', 'CDNOW_master.txt');
          assert.deepEqual(lib.rfmSummaryFromFile(master, MASTER), lib.rfmSummaryFromCsv(readFileSync(master), MASTER));
          const shuffled = join(dir, 'shuffled.csv');
          writeFileSync(shuffled, csvText());
          assert.deepEqual(lib.rfmSummaryFromFile(shuffled, CSV_OPTIONS), lib.rfmSummaryFromCsv(csvText(), CSV_OPTIONS));
          const e = failure(() => lib.rfmSummaryFromFile(join(dir, 'missing.csv'), CSV_OPTIONS));
          assert.equal(e.code, 'IO_ERROR');
          assert.match(e.message, /missing\.csv/);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  });
}
