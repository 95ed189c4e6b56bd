// Issue 12 on both backends: as-of summaries (the observation end defines the
// window, as in lifetimes) and spend data as it comes ($0 orders count,
// zero-spend customers are left out of the Gamma-Gamma fit and listed, a
// return is an error naming the customer and the date).
//
// The expected summary is computed here independently: lifetimes 0.11.3's
// period rule (`summary_data_from_transaction_data`: every date and the
// observation end become the Monday of their week, rows whose week is after
// the end's are dropped, amounts are summed per customer and week, the first
// week is not a repeat). lifetimes' own sum of frequency here is 22490.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertClvError, backends, root } from './helpers.mjs';

const masterText = readFileSync(join(root, 'tests', 'data', 'CDNOW_master.txt'));
const DAY = 86400000;

/** Days since 1970-01-01 of the Monday of the week of yyyymmdd. */
function mondayOf(yyyymmdd) {
  const t = Date.UTC(+yyyymmdd.slice(0, 4), +yyyymmdd.slice(4, 6) - 1, +yyyymmdd.slice(6, 8));
  const day = Math.round(t / DAY);
  return day - ((new Date(t).getUTCDay() + 6) % 7);
}

function lifetimesWeekly(endYmd) {
  const end = mondayOf(endYmd);
  const weeks = new Map(); // id -> Map(week -> sum)
  let dropped = 0;
  for (const line of masterText.toString('utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    const w = mondayOf(f[1]);
    if (w > end) {
      dropped += 1;
      continue;
    }
    if (!weeks.has(f[0])) weeks.set(f[0], new Map());
    const m = weeks.get(f[0]);
    m.set(w, (m.get(w) ?? 0) + Number(f[3]));
  }
  const ids = [...weeks.keys()].sort();
  const out = { ids, frequency: [], recency: [], T: [], monetary: [] };
  for (const id of ids) {
    const ws = [...weeks.get(id).entries()].sort((a, b) => a[0] - b[0]);
    const x = ws.length - 1;
    const repeat = ws.slice(1).reduce((s, [, v]) => s + v, 0);
    out.frequency.push(x);
    out.recency.push((ws[x][0] - ws[0][0]) / 7);
    out.T.push((end - ws[0][0]) / 7);
    out.monetary.push(x > 0 ? repeat / x : 0);
  }
  return { ...out, dropped };
}

const want = lifetimesWeekly('19970930');
const OPTIONS = {
  customerIdCol: 'customer_id',
  datetimeCol: 'date',
  monetaryValueCol: 'dollar_value',
  delimiter: 'whitespace',
  freq: 'W',
  observationPeriodEnd: '1997-09-30',
};

for (const { name, lib } of backends) {
  describe(`as-of summaries and spend data on ${name}`, () => {
    const s = lib.rfmSummaryFromCsv(new Uint8Array(masterText), OPTIONS);

    test('CDNOW_master in weeks as of 1997-09-30 equals lifetimes column for column', () => {
      assert.deepEqual(s.customerId, want.ids);
      assert.deepEqual(Array.from(s.frequency), want.frequency);
      assert.deepEqual(Array.from(s.recency), want.recency);
      assert.deepEqual(Array.from(s.T), want.T);
      s.monetaryValue.forEach((m, i) => {
        assert.ok(Math.abs(m - want.monetary[i]) <= 1e-9 * Math.max(1, m), `${want.ids[i]}: ${m}`);
      });
      assert.equal(want.frequency.reduce((a, b) => a + b, 0), 22490); // lifetimes' figure (issue 12)
      assert.ok(want.dropped > 0);
      assert.equal(s.nAfterObservationEnd, want.dropped);
      assert.equal(s.nTransactions + s.nAfterObservationEnd, 69659);
    });

    test('Gamma-Gamma leaves the zero-spend repeat customers out, lists them, values them at the population mean', () => {
      const zero = [];
      want.frequency.forEach((x, i) => {
        if (x > 0 && want.monetary[i] === 0) zero.push(i);
      });
      assert.ok(zero.length > 0);
      const data = { frequency: s.frequency, monetaryValue: s.monetaryValue };
      const gg = new lib.GammaGamma().fit(data);
      assert.deepEqual(Array.from(gg.leftOut.indices), zero);
      assert.match(gg.leftOut.reason, /population mean spend/);
      const { p, q, v } = gg.params;
      const spend = gg.expectedSpend(data);
      for (const i of zero) assert.ok(Math.abs(spend[i] - (p * v) / (q - 1)) < 1e-9 * spend[i]);
      assert.equal(lib.GammaGamma.fromParams({ p: 6.25, q: 3.74, v: 15.44 }).leftOut, null);
      assert.equal(lib.GammaGamma.fromJSON(JSON.stringify(gg.toJSON())).leftOut.indices.length, zero.length);
    });

    test('rows of the end week stay in; a return names the customer and the date; $0 orders count', () => {
      // Tue 2024-01-16 is in the week of Mon 01-15 (the end's week); 01-22 is not.
      const t = lib.rfmSummary(
        { customerId: ['a', 'a', 'a'], datetime: ['2024-01-01', '2024-01-16', '2024-01-22'], monetaryValue: [5, 0, 7] },
        { freq: 'W', observationPeriodEnd: '2024-01-15' },
      );
      assert.deepEqual([t.frequency[0], t.recency[0], t.T[0], t.monetaryValue[0]], [1, 2, 2, 0]);
      assert.equal(t.nAfterObservationEnd, 1);
      const e = assertClvError(
        () => lib.rfmSummary({ customerId: ['ann', 'bob'], datetime: ['2024-01-01', '2024-01-09'], monetaryValue: [3, -5] }),
        'INVALID_INPUT',
        'amount',
      );
      assert.match(e.message, /-5 for customer "bob" on 2024-01-09/);
    });
  });
}
