// Model checking and simulation as data on both backends (clv::diagnostics, clv::simulate):
// AIC/BIC, the tracking series, the period-transaction histogram, the alive path and the
// seeded simulation, each checked against the model's own predictions computed by hand.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertClvError, backends, columns, root } from './helpers.mjs';

const cdnowText = readFileSync(join(root, 'crates', 'clv-cli', 'data', 'CDNOW_sample.txt'), 'utf8');
// master id, sample id, YYYYMMDD, CDs, USD; the papers' set-up: 7-day units, calibration to
// 1997-09-30, holdout to 1998-06-30
const CDNOW = {
  customerIdCol: '2', datetimeCol: '3', delimiter: 'whitespace', hasHeader: false,
  freq: '7d', calibrationPeriodEnd: '1997-09-30', observationPeriodEnd: '1998-06-30',
};

const FHL = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }; // Fader, Hardie & Lee (2005)
const close = (got, want, rel, label) =>
  assert.ok(Math.abs(got - want) <= rel * Math.max(Math.abs(want), 1e-300), `${label}: got ${got}, want ${want}`);

for (const { name, lib } of backends) {
  describe(`diagnostics on ${name}`, () => {
    test('aic and bic: 2k − 2LL and k ln n − 2LL', () => {
      const [x, tx, t] = columns('cdnow_customers_summary.csv', ['frequency', 'recency', 'T']);
      const m = new lib.BetaGeo().fit({ frequency: x, recency: tx, T: t });
      close(m.aic, 8 - 2 * m.logLikelihood, 1e-14, 'aic');
      close(m.bic, 4 * Math.log(2357) - 2 * m.logLikelihood, 1e-14, 'bic');
      const fit = m.toJSON().fit;
      assert.equal(fit.aic, m.aic);
      assert.equal(lib.BetaGeo.fromParams(FHL).aic, null);
    });

    test('trackingSeries sums E[X(t − c)] over the cohorts', () => {
      const m = lib.BetaGeo.fromParams(FHL);
      // cohorts: 2 customers in period 0, 1 in period 2; repeat transactions in periods 1, 3, 3, 5
      const s = lib.trackingSeries(m, { firstPeriod: [0, 0, 2], repeatPeriods: [1, 3, 3, 5], nPeriods: 6 });
      assert.deepEqual(Array.from(s.actual), [0, 1, 1, 3, 3, 4]);
      assert.deepEqual(Array.from(s.actualIncremental), [0, 1, 0, 2, 0, 1]);
      const e = (u) => m.expectedPurchasesNew(u);
      for (let k = 0; k < 6; k++) {
        const i = k + 1;
        close(s.expected[k], 2 * e(i) + (i > 2 ? e(i - 2) : 0), 1e-12, `expected[${k}]`);
      }
      assert.ok(s.expected instanceof Float64Array && s.time.length === 6);
      assertClvError(() => lib.trackingSeries(m, { firstPeriod: [0.5], repeatPeriods: [], nPeriods: 3 }),
        'INVALID_INPUT', 'firstPeriod');
    });

    test('trackingSeriesFromCsv: the CDNOW tracking plot, recomputed by hand from the file', () => {
      const m = lib.BetaGeo.fromParams(FHL);
      const log = lib.trackingSeriesFromCsv(m, cdnowText, CDNOW);
      // daily periods from 1997-01-01 through 1998-06-30 (546 days), a point every 7 days;
      // the calibration ends after day 273 = week 39
      assert.equal(log.start, '1997-01-01');
      assert.equal(log.nPeriods, 546);
      assert.equal(log.series.time.length, 78);
      assert.equal(log.calibrationTime, 39);
      // by hand: day of each row, first day per customer, distinct repeat days
      const day = (d) => Math.round((Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8)) - Date.UTC(1997, 0, 1)) / 864e5);
      const days = new Map();
      for (const line of cdnowText.split('\n')) {
        const f = line.trim().split(/\s+/);
        if (f.length < 3) continue;
        if (!days.has(f[1])) days.set(f[1], new Set());
        days.get(f[1]).add(day(f[2]));
      }
      const cohorts = new Map();
      const repeats = [];
      for (const set of days.values()) {
        const first = Math.min(...set);
        cohorts.set(first, (cohorts.get(first) ?? 0) + 1);
        for (const d of set) if (d !== first) repeats.push(d);
      }
      for (const k of [0, 38, 77]) {
        const i = 7 * (k + 1);
        let want = 0;
        for (const [c, n] of cohorts) if (c < i) want += n * m.expectedPurchasesNew((i - c) / 7);
        close(log.series.expected[k], want, 1e-12, `expected[${k}]`);
        assert.equal(log.series.actual[k], repeats.filter((d) => d < i).length, `actual[${k}]`);
      }
    });

    test('periodTransactions: expected counts by age, with the 7+ bucket', () => {
      const [x, t] = columns('cdnow_customers_summary.csv', ['frequency', 'T']);
      const m = lib.BetaGeo.fromParams(FHL);
      const d = lib.periodTransactions(m, { frequency: x, T: t });
      assert.deepEqual(d.labels, ['0', '1', '2', '3', '4', '5', '6', '7+']);
      assert.equal(d.actual[0], x.filter((v) => v === 0).length);
      let want0 = 0;
      for (const ti of t) want0 += m.probPurchases(0, ti);
      close(d.expected[0], want0, 1e-10, 'expected[0]');
      close(d.expected.reduce((a, b) => a + b, 0), 2357, 1e-12, 'sum');
      assert.equal(lib.periodTransactions(m, { frequency: x, T: t }, 3).labels.at(-1), '3+');
    });

    test('frequencyRecencyMatrix, calibrationVsHoldout and heterogeneity: the predictions by hand', () => {
      const m = lib.BetaGeo.fromParams(FHL);
      const z = lib.frequencyRecencyMatrix(m, { maxFrequency: 3, maxRecency: 5 });
      assert.deepEqual([z.rows, z.columns, z.values.length], [6, 4, 24]);
      // row t_x = 4, column x = 2: P(alive | 2, 4, T = 5); x = 1 with t_x = 0 is computed too
      assert.equal(z.values[4 * 4 + 2], m.probAlive({ frequency: [2], recency: [4], T: [5] })[0]);
      assert.equal(z.values[1], m.probAlive({ frequency: [1], recency: [0], T: [5] })[0]);
      const e = lib.frequencyRecencyMatrix(m, { what: 'expectedPurchases', t: 2, maxFrequency: 3, maxRecency: 5 });
      assert.equal(e.values[5 * 4 + 3], m.expectedPurchases(2, { frequency: [3], recency: [5], T: [5] })[0]);

      const data = { frequency: [0, 1, 1, 2], recency: [0, 5, 8, 9], T: [10, 10, 10, 10],
        frequencyHoldout: [0, 1, 2, 3], durationHoldout: [5] };
      const c = lib.calibrationVsHoldout(m, data, 'frequency', 2);
      assert.deepEqual(Array.from(c.key), [0, 1]);
      assert.deepEqual(Array.from(c.actual), [0, 1.5]);
      const ep = m.expectedPurchases(5, { frequency: [1, 1], recency: [5, 8], T: [10, 10] });
      close(c.expected[1], (ep[0] + ep[1]) / 2, 1e-15, 'mean expected');
      assertClvError(() => lib.calibrationVsHoldout(m, data, 'age'), 'INVALID_INPUT', 'kind');
      // a summary's durationHoldout is one number: the same as one per customer
      const one = lib.calibrationVsHoldout(m, { ...data, durationHoldout: 5 }, 'frequency', 2);
      assert.deepEqual(Array.from(one.expected), Array.from(c.expected));
      const s = lib.rfmSummaryFromCsv('customer,date\na,2024-01-03\na,2024-01-20\na,2024-02-20\nb,2024-01-09\nb,2024-03-01\n',
        { customerIdCol: 'customer', datetimeCol: 'date', calibrationPeriodEnd: '2024-01-31', observationPeriodEnd: '2024-03-31' });
      assert.equal(typeof s.durationHoldout, 'number');
      const fromSummary = lib.calibrationVsHoldout(m, s);
      assert.deepEqual(Array.from(fromSummary.actual), [1, 1]);  // x = 0: b (1 holdout purchase); x = 1: a (1)

      const h = lib.heterogeneity(m, 'transactionRate');
      assert.equal(h.distribution, 'gamma');
      close(h.mean, FHL.r / FHL.alpha, 1e-15, 'mean');
      const x = h.x[40];
      // Gamma density α^r x^(r−1) e^(−αx) / Γ(r), Γ(0.243) = 3.7137... by Lanczos in the test
      const lnGamma = (zz) => {
        const g = [676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
          12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        if (zz < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * zz)) - lnGamma(1 - zz);
        zz -= 1;
        let a = 0.99999999999980993;
        const t = zz + 7.5;
        g.forEach((gi, i) => { a += gi / (zz + i + 1); });
        return 0.5 * Math.log(2 * Math.PI) + (zz + 0.5) * Math.log(t) - t + Math.log(a);
      };
      const want = Math.exp(FHL.r * Math.log(FHL.alpha) + (FHL.r - 1) * Math.log(x) - FHL.alpha * x - lnGamma(FHL.r));
      close(h.pdf[40], want, 1e-10, 'gamma pdf');
      assert.equal(lib.heterogeneity(m, 'dropout').distribution, 'beta');
      assertClvError(() => lib.heterogeneity(lib.GammaGamma.fromParams({ p: 6, q: 4, v: 15 }), 'dropout'),
        'NOT_SUPPORTED', null);
    });

    test('customerExposure: customers by T, then recency, ties in input order', () => {
      // sorted by hand: T = 2 (index 2), T = 5 with recency 1 (1) then 3 (0), T = 9 (3)
      assert.deepEqual(Array.from(lib.customerExposure([3, 1, 0, 2], [5, 5, 2, 9])), [2, 1, 0, 3]);
      assert.deepEqual(Array.from(lib.customerExposure([1, 1], [4, 4])), [0, 1]);
      assertClvError(() => lib.customerExposure([3], [2]), 'INVALID_INPUT', 'recency');
    });

    test('alivePath is P(alive) at each age', () => {
      const m = lib.BetaGeo.fromParams(FHL);
      const p = lib.alivePath(m, [1, 0, 2, 0, 0, 1], 8);
      assert.deepEqual(Array.from(p.frequency), [0, 0, 1, 1, 1, 2, 2, 2, 2]);
      for (const k of [0, 3, 8]) {
        const want = m.probAlive({ frequency: [p.frequency[k]], recency: [p.recency[k]], T: [k] })[0];
        assert.equal(p.probAlive[k], want, `age ${k}`);
      }
      assertClvError(() => lib.alivePath(m, [0, 1], 3), 'INVALID_INPUT', 'purchases');
    });

    test('simulate: the draws of Rust and Python for the same seed', () => {
      const m = lib.BetaGeo.fromParams(FHL);
      // pinned in crates/clv/src/simulate.rs and bindings/python/tests/test_compat_generate_data.py
      const s = lib.simulate(m, new Float64Array(40).fill(39), 7);
      assert.equal(s.frequency.reduce((a, b) => a + b, 0), 88);
      assert.equal(s.frequency[32], 23);
      assert.equal(s.recency[32], 37.60916126609864);
      assert.equal(s.rate[32], 0.46416262373555855);
      assert.equal(s.purchaseTime.length, 88);
      assert.equal(s.purchaseCustomer.filter((c) => c === 32).length, 23);
      assert.equal(s.alive.length, 40);
      assertClvError(() => lib.simulate(m, [1], -1), 'INVALID_INPUT', 'seed');
      // seed defaults to 0, as in Python
      assert.deepEqual(Array.from(lib.simulate(m, [39, 39]).recency), Array.from(lib.simulate(m, [39, 39], 0).recency));
      assert.deepEqual(Array.from(lib.simulateSurvivors(lib.ShiftedBetaGeo.fromParams({ alpha: 0.704, beta: 1.182 }), 100, 3)),
        Array.from(lib.simulateSurvivors(lib.ShiftedBetaGeo.fromParams({ alpha: 0.704, beta: 1.182 }), 100, 3, 0)));
      // spend (Gamma-Gamma) and survivors (sBG): the same draws as Rust and Python
      const gg = lib.GammaGamma.fromParams({ p: 6.25, q: 3.74, v: 15.44 });
      assert.deepEqual(Array.from(lib.simulateSpend(gg, [1, 2, 3], 9).monetaryValue),
        [136.7562041560296, 17.551443392468776, 84.09909208528624]);
      const sbg = lib.ShiftedBetaGeo.fromParams({ alpha: 0.704, beta: 1.182 });
      assert.deepEqual(Array.from(lib.simulateSurvivors(sbg, 1000, 7, 2)), [1000, 630, 477, 405, 350, 305, 278, 251]);
      assertClvError(() => lib.simulateSurvivors(m, 10, 2, 1), 'NOT_SUPPORTED', 'simulate_survivors');
    });

    test('a model argument that is not a model: INVALID_INPUT naming model', () => {
      // issue 17 #16: napi's InvalidArg in Node before
      const tracking = { firstPeriod: [0], repeatPeriods: [], nPeriods: 2 };
      for (const bad of [3, 'BetaGeo', null, FHL, new lib.BetaGeo().toJSON]) {
        const label = `${typeof bad} ${JSON.stringify(bad)}`;
        for (const call of [
          () => lib.simulate(bad, [39], 7),
          () => lib.alivePath(bad, [1, 0], 2),
          () => lib.trackingSeries(bad, tracking),
          () => lib.simulateSurvivors(bad, 10, 2, 1),
        ]) {
          assertClvError(call, 'INVALID_INPUT', 'model', label);
        }
      }
      assertClvError(() => lib.simulate(new lib.BetaGeo(), [39], 7), 'NOT_FITTED');
    });
  });
}
