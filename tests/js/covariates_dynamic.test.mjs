// Time-varying covariates of the Pareto/NBD (issue 15 item 3, docs/covariates.md,
// Bachmann, Meierer & Näf 2021) on both backends: `new DynamicCovariateData(transactions,
// covariates, options)`, `CovariateModel.fitDynamic(data, options)` and the `*Dynamic`
// predictions, the core's `clv::covariates::dynamic` as Python gives it
// (`clv.DynamicCovariateData`, `clv.covariates.fit_dynamic`). One fit per backend.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertClvError, backends, root } from './helpers.mjs';

// CLVTools' apparel data as crates/clv/tests/covariates_dynamic.rs takes it: weeks
// (7 days), calibration to 2005-10-09; weekly rows of High.Season, Gender and Channel
// per customer to 2006-01-01; all three on both processes.
const DATA = join(root, 'crates', 'clv', 'tests', 'data');
const rows = (file) => readFileSync(join(DATA, file), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
const tx = rows('apparel_transactions.csv');
const TRANSACTIONS = { customerId: tx.map((r) => r[0]), datetime: tx.map((r) => r[1]) };
const cov = rows('apparel_dynamic_covariates.csv');
const NAMES = ['High.Season', 'Gender', 'Channel'];
const TABLE = {
  id: cov.map((r) => r[0]),
  periodStart: cov.map((r) => r[1]),
  columns: Object.fromEntries(NAMES.map((n, k) => [n, Float64Array.from(cov, (r) => Number(r[2 + k]))])),
};
const OPTIONS = {
  purchaseCovariates: NAMES, dropoutCovariates: NAMES, freq: '7d',
  calibrationPeriodEnd: '2005-10-09', observationPeriodEnd: '2010-12-20',
};

// The core's fit (crates/clv/tests/covariates_dynamic.rs `apparel_dynamic_fit`, as
// bindings/python/tests take it).
const CORE = { logLikelihood: -2568.5736851227, purchaseHighSeason: 0.780755079356307 };

const close = (got, want, rtol, what) =>
  assert.ok(Math.abs(got - want) <= rtol * Math.max(Math.abs(want), 1), `${what}: got ${got}, want ${want}`);

const results = {};

for (const { name, lib } of backends) {
  describe(`time-varying covariates on ${name}`, () => {
    let data;
    let m;
    const fitted = () => {
      if (!m) {
        data = new lib.DynamicCovariateData(TRANSACTIONS, TABLE, OPTIONS);
        m = lib.CovariateModel.fitDynamic(data);
      }
      return { data, m };
    };

    test('the data: the summary of the transactions, in customer order, and the names', () => {
      const { data: d } = fitted();
      const s = lib.rfmSummary(TRANSACTIONS, OPTIONS);
      assert.deepEqual(d.customerId, s.customerId);
      assert.equal(d.customerId.length, 600);
      const sum = d.summary;
      assert.deepEqual(sum.customerId, s.customerId);
      for (const k of ['frequency', 'recency', 'T']) {
        assert.ok(sum[k] instanceof Float64Array, k);
        assert.deepEqual(Array.from(sum[k]), Array.from(s[k]), k);
      }
      assert.equal(sum.unit, '7d');
      assert.equal(d.unit, '7d');
      assert.deepEqual(d.covariateNames, { purchase: NAMES, dropout: NAMES });
    });

    test("the apparel fit is the core's (log-likelihood to 1e-9, High.Season to 1e-6)", () => {
      const { data: d, m: model } = fitted();
      assert.ok(model instanceof lib.CovariateModel);
      assert.equal(model.kind, 'pareto_nbd');
      close(model.logLikelihood, CORE.logLikelihood, 1e-9, 'logLikelihood');
      close(model.covariateEffects.purchase['High.Season'], CORE.purchaseHighSeason, 1e-6, 'purchase High.Season');
      assert.deepEqual(model.covariateNames, { purchase: NAMES, dropout: NAMES });
      assert.equal(model.unit, '7d');
      assert.equal(model.fitInfo.nObservations, 600);
      const ll = model.logLikelihoodDynamic(d);
      assert.ok(ll instanceof Float64Array && ll.length === 600);
      close(ll.reduce((a, b) => a + b, 0), model.logLikelihood, 1e-10, 'sum of logLikelihoodDynamic');
      results[name] = { model, data: d };
    });

    test('predictions: finite, in the customers\' order, P(alive) in (0, 1]', () => {
      const { data: d, m: model } = fitted();
      const pa = model.probAliveDynamic(d);
      const ep = model.expectedPurchasesDynamic(12, d);
      const dep = model.discountedExpectedPurchasesDynamic(12, 0.01, d);
      for (const v of [pa, ep, dep]) assert.ok(v instanceof Float64Array && v.length === 600);
      assert.ok(pa.every((p) => p > 0 && p <= 1));
      assert.ok(ep.every((e) => Number.isFinite(e) && e >= 0));
      assert.ok(dep.every((e, i) => Number.isFinite(e) && e >= 0 && e <= ep[i] + 1e-12));
      assert.ok(model.expectedPurchasesDynamic(0, d).every((v) => v === 0));
      // the model read back from its JSON predicts the same
      const again = lib.CovariateModel.fromJSON(model.toJSON());
      assert.deepEqual(again.probAliveDynamic(d), pa);
    });

    test('errors: past the table, a customer without rows, bad arguments', () => {
      const { data: d, m: model } = fitted();
      // the table ends on 2006-01-01: 20 weeks past the calibration end is not covered
      const e = assertClvError(() => model.expectedPurchasesDynamic(20, d), 'INVALID_INPUT', 'covariates');
      assert.match(e.message, /prediction periods/);
      assertClvError(() => model.discountedExpectedPurchasesDynamic(20, 0.01, d), 'INVALID_INPUT', 'covariates');
      assertClvError(() => model.expectedPurchasesDynamic(-1, d), 'INVALID_INPUT', 't');
      assertClvError(() => model.expectedPurchasesDynamic('12', d), 'INVALID_INPUT', 't');
      assertClvError(() => model.discountedExpectedPurchasesDynamic(12, -0.1, d), 'INVALID_INPUT', 'discountRate');
      if (name === 'node') assertClvError(() => model.probAliveDynamic({}), 'INVALID_INPUT', 'data');
      else assert.throws(() => model.probAliveDynamic({})); // wasm-bindgen's own class check
      // customer "1" (the first rows) has no covariate rows
      const keep = TABLE.id.map((id, j) => (id === '1' ? -1 : j)).filter((j) => j >= 0);
      const without1 = {
        id: keep.map((j) => TABLE.id[j]),
        periodStart: keep.map((j) => TABLE.periodStart[j]),
        columns: Object.fromEntries(NAMES.map((n) => [n, keep.map((j) => TABLE.columns[n][j])])),
      };
      const missing = assertClvError(() => new lib.DynamicCovariateData(TRANSACTIONS, without1, OPTIONS),
        'INVALID_INPUT', 'covariates');
      assert.match(missing.message, /none/);
      // the table's own checks, in JS spelling
      const nan = { ...TABLE, columns: { ...TABLE.columns, Gender: Float64Array.from(TABLE.columns.Gender) } };
      nan.columns.Gender[3] = NaN;
      assertClvError(() => new lib.DynamicCovariateData(TRANSACTIONS, nan, OPTIONS), 'INVALID_INPUT', 'covariates.columns.Gender');
      const short = { ...TABLE, periodStart: TABLE.periodStart.slice(1) };
      assertClvError(() => new lib.DynamicCovariateData(TRANSACTIONS, short, OPTIONS), 'LENGTH_MISMATCH', 'covariates.periodStart');
      assertClvError(() => new lib.DynamicCovariateData(TRANSACTIONS, TABLE, { ...OPTIONS, purchaseCovariates: ['Age'] }),
        'INVALID_INPUT', 'purchaseCovariates');
      assertClvError(() => new lib.DynamicCovariateData(), 'INVALID_INPUT', 'customerId'); // in argument order
      assertClvError(() => new lib.DynamicCovariateData(TRANSACTIONS, { ...TABLE, id: undefined }, OPTIONS), 'INVALID_INPUT', 'id');
      assertClvError(() => new lib.DynamicCovariateData(TRANSACTIONS, { ...TABLE, columns: { Gender: ['x'] } }, OPTIONS),
        'INVALID_INPUT', 'columns.Gender');
      assertClvError(() => new lib.DynamicCovariateData({ customerId: TRANSACTIONS.customerId }, TABLE, OPTIONS),
        'INVALID_INPUT', 'datetime');
      // data with other covariates than the model's
      const genderOnly = new lib.DynamicCovariateData(TRANSACTIONS, TABLE,
        { ...OPTIONS, purchaseCovariates: ['Gender'], dropoutCovariates: ['Gender'] });
      assertClvError(() => model.probAliveDynamic(genderOnly), 'INVALID_INPUT', 'purchaseCovariates');
      // fitDynamic's options
      assertClvError(() => lib.CovariateModel.fitDynamic(d, { penalty: { life: 1 } }), 'INVALID_INPUT', 'penalty');
      assertClvError(() => lib.CovariateModel.fitDynamic(d, { maxIterations: 0 }), 'INVALID_INPUT', 'maxIterations');
      assertClvError(() => lib.CovariateModel.fitDynamic(d, { weights: [1, 2] }), 'LENGTH_MISMATCH');
    });
  });
}

describe('both backends', () => {
  test('node and wasm agree: the fit to 1e-9 (log-likelihood), the predictions at one model to 1e-9', () => {
    const [a, b] = [results.node, results.wasm];
    assert.ok(a && b, 'both fits ran');
    close(b.model.logLikelihood, a.model.logLikelihood, 1e-9, 'logLikelihood');
    for (const side of ['purchase', 'dropout']) {
      for (const n of NAMES) close(b.model.covariateEffects[side][n], a.model.covariateEffects[side][n], 1e-6, `${side} ${n}`);
    }
    // the node model in wasm: the same predictions
    const wasmLib = backends.find((x) => x.name === 'wasm').lib;
    const same = wasmLib.CovariateModel.fromJSON(a.model.toJSON());
    const pairs = [
      [a.model.probAliveDynamic(a.data), same.probAliveDynamic(b.data), 'probAliveDynamic'],
      [a.model.expectedPurchasesDynamic(12, a.data), same.expectedPurchasesDynamic(12, b.data), 'expectedPurchasesDynamic'],
      [a.model.discountedExpectedPurchasesDynamic(12, 0.01, a.data),
        same.discountedExpectedPurchasesDynamic(12, 0.01, b.data), 'discountedExpectedPurchasesDynamic'],
      [a.model.logLikelihoodDynamic(a.data), same.logLikelihoodDynamic(b.data), 'logLikelihoodDynamic'],
    ];
    for (const [x, y, what] of pairs) x.forEach((v, i) => close(y[i], v, 1e-9, `${what}[${i}]`));
  });
});
