// Parameter draws and intervals (model.draws) on both backends: the same
// seed gives the same quantiles in the Node addon and the WASM build (the
// cross-runtime values themselves are in tests/vectors/draws.json).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClvError, backends, columns } from './helpers.mjs';

const [x, tx, T] = columns('cdnow_customers_summary.csv', ['frequency', 'recency', 'T']);
const [gx, , , z] = columns('cdnow_customers_summary_with_transactions.csv', ['x', 't_x', 'T', 'zbar']);
const rep = [...gx.keys()].filter((i) => gx[i] > 0 && z[i] > 0);
const node = backends[0].lib;
// One fit (in Node), read by both backends from its JSON: the same model everywhere.
const BG = JSON.stringify(new node.BetaGeo().fit({ frequency: x, recency: tx, T, unit: 'W' }).toJSON());
const GG = JSON.stringify(
  new node.GammaGamma().fit({ frequency: rep.map((i) => gx[i]), monetaryValue: rep.map((i) => z[i]) }).toJSON(),
);
const head = { frequency: x.slice(0, 20), recency: tx.slice(0, 20), T: T.slice(0, 20) };

const results = {};
for (const { name, lib } of backends) {
  describe(`draws on ${name}`, () => {
    test('laplace intervals: shape, order, totals from per-draw sums', () => {
      const d = lib.BetaGeo.fromJSON(BG).draws({ method: 'laplace', n: 300, seed: 1 });
      assert.equal(d.method, 'laplace');
      assert.equal(d.n, 300);
      assert.equal(d.kind, 'bg_nbd');
      assert.equal(d.values().length, 300);
      const iv = d.expectedPurchases(39, head, { quantiles: [0.05, 0.5, 0.95] });
      assert.ok(iv.mean instanceof Float64Array && iv.mean.length === 20);
      assert.equal(iv.values.length, 3);
      for (let i = 0; i < 20; i++) assert.ok(iv.values[0][i] <= iv.values[1][i] && iv.values[1][i] <= iv.values[2][i]);
      const sum = Array.from(iv.mean).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(iv.total.mean - sum) <= 1e-12 * sum);
      results[name] = iv;
    });

    test('CLV with spend draws, new-customer predictions, sBG survival', () => {
      const d = lib.BetaGeo.fromJSON(BG).draws({ n: 100, seed: 1 });
      const s = lib.GammaGamma.fromJSON(GG).draws({ n: 100, seed: 2 });
      const data = { ...head, monetaryValue: Float64Array.from(rep.slice(0, 20).map((i) => z[i])) };
      const withDraws = d.customerLifetimeValue(s, data, { time: 12, discountRate: 0.01 });
      const withModel = d.customerLifetimeValue(lib.GammaGamma.fromJSON(GG), data, { time: 12, discountRate: 0.01 });
      assert.equal(withDraws.mean.length, 20);
      assert.notDeepEqual(Array.from(withDraws.mean), Array.from(withModel.mean));
      assert.equal(d.expectedPurchasesNew([10, 39]).mean.length, 2);
      assert.equal(d.probPurchases([0, 1, 2], [39]).mean.length, 3);
      const sbg = new lib.ShiftedBetaGeo().fit([1000, 631, 468, 382, 326, 289, 262, 241]);
      const surv = sbg.draws({ n: 200, seed: 3 }).survival([1, 7, 12]);
      assert.ok(surv.values[0][2] < surv.mean[2] && surv.mean[2] < surv.values[2][2]);
    });

    test('bootstrap on compressed counts equals bootstrap on expanded rows', () => {
      const m = lib.BetaGeo.fromJSON(BG);
      const rows = new Map();
      for (let i = 0; i < 300; i++) {
        const k = `${x[i]},${tx[i]},${T[i]}`;
        rows.set(k, (rows.get(k) ?? 0) + 1);
      }
      const keys = [...rows.keys()].map((k) => k.split(',').map(Number));
      const compressed = {
        frequency: keys.map((k) => k[0]), recency: keys.map((k) => k[1]), T: keys.map((k) => k[2]), weights: [...rows.values()],
      };
      const a = m.draws({ method: 'bootstrap', n: 4, seed: 5, data: { frequency: x.slice(0, 300), recency: tx.slice(0, 300), T: T.slice(0, 300) } });
      const b = m.draws({ method: 'bootstrap', n: 4, seed: 5, data: compressed });
      assert.deepEqual(a.values(), b.values());
    });

    test('errors name the field', () => {
      const m = lib.BetaGeo.fromJSON(BG);
      assertClvError(() => m.draws({ method: 'nuts' }), 'INVALID_INPUT', 'method');
      assertClvError(() => m.draws({ n: 0 }), 'INVALID_INPUT', 'n');
      assertClvError(() => m.draws({ n: 10 }).probAlive(head, { quantiles: [2] }), 'INVALID_INPUT', 'quantiles');
      assertClvError(() => m.draws({ n: 10 }).probAlive({ frequency: [1], recency: [1] }), 'INVALID_INPUT', 'T');
      assertClvError(() => m.draws({ n: 10 }).dert(0.1, head), 'NOT_SUPPORTED', 'dert');
      assertClvError(() => m.draws({ method: 'bootstrap', n: 2 }), 'INVALID_INPUT', 'inputs');
      assertClvError(() => lib.BetaGeo.fromParams(m.params).draws({ n: 10 }), 'NOT_SUPPORTED', 'laplace draws');
      // issue 17 #16: a wrong-typed array is our error in Node too, not napi's
      const d = m.draws({ n: 10 });
      const gg = lib.GammaGamma.fromJSON(GG);
      for (const bad of ['1', true, { x: 1 }, [1, null]]) {
        const label = JSON.stringify(bad);
        assertClvError(() => d.probAlive({ ...head, recency: bad }), 'INVALID_INPUT', 'recency', label);
        assertClvError(() => d.customerLifetimeValue(gg, { ...head, monetaryValue: bad }), 'INVALID_INPUT', 'monetaryValue', label);
        assertClvError(() => m.draws({ method: 'bootstrap', n: 2, data: { ...head, weights: bad } }), 'INVALID_INPUT', 'weights', label);
      }
      // issue 17 #16: a spend that is neither draws nor a model was napi's InvalidArg in Node
      const spendData = { ...head, monetaryValue: head.T };
      for (const bad of [5, 'GammaGamma', null, { p: 6.25 }]) {
        assertClvError(() => d.customerLifetimeValue(bad, spendData), 'INVALID_INPUT', 'spend', `spend ${JSON.stringify(bad)}`);
      }
      assertClvError(() => d.customerLifetimeValue(m, spendData), 'NOT_SUPPORTED');
      assertClvError(() => d.probAlive({ ...head, T: null }), 'INVALID_INPUT', 'T');
      assertClvError(() => m.draws({ n: '10' }), 'INVALID_INPUT', 'n');
      assertClvError(() => d.probAlive(head, { quantiles: 'x' }), 'INVALID_INPUT', 'quantiles');
      for (const bad of [null, '39', true]) assertClvError(() => d.expectedPurchases(bad, head), 'INVALID_INPUT', 't', `t ${bad}`);
      assertClvError(() => d.probAlive(head, { quantiles: [0.5, null] }), 'INVALID_INPUT', 'quantiles');
      assertClvError(() => m.draws({ seed: true }), 'INVALID_INPUT', 'seed');
      assertClvError(() => d.customerLifetimeValue(gg, { ...head, monetaryValue: head.T }, { time: '12' }), 'INVALID_INPUT', 'time');
      assertClvError(() => d.customerLifetimeValue(gg, { ...head, monetaryValue: head.T }, { quantiles: 'x' }), 'INVALID_INPUT', 'quantiles');
      assertClvError(() => d.customerLifetimeValue(gg, { ...head, monetaryValue: head.T }, { freq: 7 }), 'INVALID_INPUT', 'freq');
    });

    test('wrong-typed arrays of predictions: our INVALID_INPUT naming the argument', () => {
      // issue 17 #16: Node answered napi's InvalidArg here
      const d = lib.BetaGeo.fromJSON(BG).draws({ n: 10, seed: 1 });
      const sbg = new lib.ShiftedBetaGeo().fit([1000, 631, 468, 382, 326, 289, 262, 241]).draws({ n: 10, seed: 1 });
      for (const bad of [null, undefined, '10', true, { x: 1 }, [1, 'x']]) {
        const label = `${JSON.stringify(bad) ?? 'undefined'}`;
        for (const [field, call] of [
          ['t', () => d.expectedPurchasesNew(bad)],
          ['n', () => d.probPurchases(bad, [1])],
          ['t', () => d.probPurchases([1], bad)],
          ['t', () => sbg.survival(bad)],
          ['t', () => sbg.retention(bad)],
        ]) {
          assertClvError(call, 'INVALID_INPUT', field, `${field} ${label}`);
        }
      }
      for (const bad of [null, undefined, 5, true, { x: 1 }]) {
        // WASM once read a number here as a string's memory ("memory access out of bounds")
        assertClvError(() => lib.Draws.fromJSON(bad), 'INVALID_INPUT', 'text', `fromJSON ${JSON.stringify(bad)}`);
      }
      assert.equal(d.expectedPurchasesNew([1, 2]).mean.length, 2);
    });
  });
}

test('the same seed gives the same quantiles on both backends (to 1e-12)', () => {
  const [a, b] = [results.node, results.wasm];
  assert.ok(a && b);
  const close = (g, w) => assert.ok(Math.abs(g - w) <= 1e-12 * Math.abs(w), `${g} vs ${w}`);
  a.mean.forEach((v, i) => close(b.mean[i], v));
  for (let k = 0; k < 3; k++) a.values[k].forEach((v, i) => close(b.values[k][i], v));
  close(b.total.mean, a.total.mean);
});
