// Issue 12, units travel with the data, on both backends: a summary carries its
// `unit`, a model fitted on it stores it (`unit`, in its JSON), the CLV takes
// the months from it, and a mismatch throws UNIT_MISMATCH. With no unit
// anywhere the default is days ("D", as lifetimes and Python).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertClvError, backends, root } from './helpers.mjs';

const sample = readFileSync(join(root, 'tests', 'data', 'CDNOW_sample.txt'));
const OPTIONS = {
  customerIdCol: '2',
  datetimeCol: '3',
  monetaryValueCol: '5',
  delimiter: 'whitespace',
  hasHeader: false,
  freq: 'W',
  observationPeriodEnd: '1997-09-30',
};

for (const { name, lib } of backends) {
  describe(`units travel with the data on ${name}`, () => {
    test('summary → model → CLV', () => {
      const s = lib.rfmSummaryFromCsv(new Uint8Array(sample), OPTIONS);
      assert.equal(s.unit, 'W');
      const bg = new lib.BetaGeo().fit(s); // the summary object itself, with its unit
      const gg = new lib.GammaGamma().fit(s);
      assert.equal(bg.unit, 'W');
      assert.equal(lib.BetaGeo.fromJSON(JSON.stringify(bg.toJSON())).unit, 'W');
      const got = lib.customerLifetimeValue(bg, gg, s);
      assert.deepEqual(Array.from(got), Array.from(lib.customerLifetimeValue(bg, gg, s, { freq: 'W' })));
      const e = assertClvError(() => lib.customerLifetimeValue(bg, gg, s, { freq: 'D' }), 'UNIT_MISMATCH', 'freq');
      assert.match(e.message, /freq is "D" but the transaction model is in "W"/);
      // plain arrays carry no unit; a model without one and data in days: refused
      const arrays = { frequency: s.frequency, recency: s.recency, T: s.T, monetaryValue: s.monetaryValue };
      const bare = new lib.BetaGeo().fit(arrays);
      assert.equal(bare.unit, null);
      const days = new lib.BetaGeo().fit({ ...arrays, unit: 'D' });
      assertClvError(() => lib.customerLifetimeValue(days, gg, s), 'UNIT_MISMATCH', 'freq');
      // no unit anywhere: days, the same default as Python
      const known = lib.BetaGeo.fromParams({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 });
      assert.deepEqual(
        Array.from(lib.customerLifetimeValue(known, gg, arrays)),
        Array.from(lib.customerLifetimeValue(known, gg, arrays, { freq: 'D' })),
      );
      assertClvError(() => new lib.BetaGeo().fit({ ...arrays, unit: 'fortnight' }), 'INVALID_INPUT', 'freq');
    });
  });
}
