// Bayesian fits with NUTS (model.sample) on both backends: BG/NBD on the
// CDNOW summary (posterior means near the MLE, R-hat, no divergences),
// reproducible by seed, the JSON round trip, the errors Python gives for the
// same bad input (bindings/python/tests/test_bayes.py), and the Node addon
// (chains in parallel) and the WASM build (chains one after another)
// sampling the same posterior.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClvError, backends, columns } from './helpers.mjs';

const [x, tx, T] = columns('cdnow_customers_summary.csv', ['frequency', 'recency', 'T']);
const data = { frequency: x, recency: tx, T };
// Short runs, a few seconds on both backends (the long ones are the core's tests).
const RUN = { chains: 2, tune: 300, draws: 300, seed: 1 };
const REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241];

const summaries = {};
for (const { name, lib } of backends) {
  describe(`sample on ${name}`, () => {
    const mle = new lib.BetaGeo().fit(data).params;
    const post = new lib.BetaGeo().sample(data, { ...RUN, priors: { r: ['gamma', 1, 1] } });
    const rows = post.summary();

    test('BG/NBD on CDNOW: posterior near the MLE, converged, no divergences', () => {
      assert.equal(post.method, 'nuts');
      assert.equal(post.kind, 'bg_nbd');
      assert.equal(post.n, 600);
      assert.equal(post.chains, 2);
      assert.equal(post.divergences, 0);
      assert.deepEqual(rows.map((r) => r.param), ['r', 'alpha', 'a', 'b']);
      for (const r of rows) {
        for (const k of ['mean', 'sd', 'q05', 'q95', 'rHat', 'essBulk', 'essTail']) {
          assert.ok(Number.isFinite(r[k]), `${r.param}.${k} = ${r[k]}`);
        }
        assert.ok(r.q05 < r.mean && r.mean < r.q95, r.param);
        assert.ok(r.rHat < 1.05, `${r.param}: rHat ${r.rHat}`);
        assert.equal(r.divergences, 0);
      }
      for (const p of ['r', 'alpha']) {
        const r = rows.find((row) => row.param === p);
        assert.ok(Math.abs(r.mean - mle[p]) < 3 * r.sd, `${p}: mean ${r.mean}, MLE ${mle[p]}, sd ${r.sd}`);
      }
      // a posterior is a draws object: predictions with intervals
      const iv = post.probAlive({ frequency: x.slice(0, 5), recency: tx.slice(0, 5), T: T.slice(0, 5) });
      assert.equal(iv.mean.length, 5);
      summaries[name] = rows;
    });

    test('the same seed gives the same summary; another seed another', () => {
      const again = new lib.BetaGeo().sample(data, { ...RUN, priors: { r: ['gamma', 1, 1] } });
      assert.deepEqual(again.summary(), rows);
      const other = new lib.BetaGeo().sample(data, { ...RUN, seed: 2, priors: { r: ['gamma', 1, 1] } });
      assert.notDeepEqual(other.summary(), rows);
    });

    test('toJSON / Draws.fromJSON round trip', () => {
      const text = post.toJSON();
      assert.equal(typeof text, 'string');
      const back = lib.Draws.fromJSON(text);
      assert.equal(back.method, 'nuts');
      assert.equal(back.divergences, 0);
      assert.deepEqual(back.summary(), rows);
      assert.deepEqual(back.values(), post.values());
    });

    test('sBG samples its survivor series; weights from the data or the options', () => {
      const sbg = new lib.ShiftedBetaGeo().sample(REGULAR, {
        chains: 1, tune: 200, draws: 100, seed: 1, priors: { alpha: ['halfnormal', 5], beta: ['weibull', 2, 5] },
      });
      assert.equal(sbg.method, 'nuts');
      assert.equal(sbg.survival([1, 2]).mean.length, 2);
      const few = { frequency: x.slice(0, 200), recency: tx.slice(0, 200), T: T.slice(0, 200) };
      const w = new Float64Array(200).fill(2);
      const opts = { chains: 1, tune: 100, draws: 50, seed: 3 };
      const a = new lib.BetaGeo().sample({ ...few, weights: w }, opts).values();
      const b = new lib.BetaGeo().sample(few, { ...opts, weights: w }).values();
      assert.deepEqual(a, b);
      assertClvError(() => new lib.BetaGeo().sample({ ...few, weights: w }, { ...opts, weights: w }), 'INVALID_INPUT', 'weights');
    });

    test('onProgress: each chain reports, in order, up to its total; the draws are the same', () => {
      const seen = [];
      const opts = { chains: 2, tune: 100, draws: 100, seed: 5 };
      const withProgress = new lib.BetaGeo().sample(data, { ...opts, onProgress: (p) => { seen.push(p); } });
      assert.deepEqual(withProgress.values(), new lib.BetaGeo().sample(data, opts).values());
      assert.deepEqual(Object.keys(seen[0]).sort(), ['chain', 'chains', 'divergences', 'done', 'total']);
      for (const chain of [0, 1]) {
        const mine = seen.filter((p) => p.chain === chain);
        assert.equal(mine.length, 100); // about every 1% of the 200 draws
        assert.ok(mine.every((p, i) => p.total === 200 && p.chains === 2 && (i === 0 || p.done > mine[i - 1].done)));
        assert.equal(mine.at(-1).done, 200);
        assert.equal(typeof mine.at(-1).divergences, 'number');
      }
      if (name === 'wasm') {
        // no threads in wasm32: chain 0 reports everything before chain 1
        assert.deepEqual(seen.map((p) => p.chain), [...Array(100).fill(0), ...Array(100).fill(1)]);
      }
    });

    test('onProgress: false stops the run, and so does throwing; both CANCELLED, no panic', () => {
      const opts = { chains: 2, tune: 100, draws: 100, seed: 5 };
      let calls = 0;
      assertClvError(() => new lib.BetaGeo().sample(data, { ...opts, onProgress: (p) => { calls += 1; return p.done < 50; } }), 'CANCELLED');
      assert.ok(calls < 100, `${calls} calls after asking to stop`);
      assert.throws(() => new lib.BetaGeo().sample(data, { ...opts, onProgress: () => { throw new Error('stop here'); } }),
        (e) => e.code === 'CANCELLED' && /onProgress threw: Error: stop here$/.test(e.message));
      // returning anything but false goes on; a non-function is a typed error
      const post = new lib.BetaGeo().sample(data, { ...opts, chains: 1, onProgress: () => 0 });
      assert.equal(post.n, 100);
      assertClvError(() => new lib.BetaGeo().sample(data, { ...opts, onProgress: 3 }), 'INVALID_INPUT', 'onProgress');
    });

    test('bad priors and options: the code and field Python gives', () => {
      const m = new lib.ShiftedBetaGeo();
      assertClvError(() => m.sample(REGULAR, { priors: { r: ['gamma', 1, 1] } }), 'INVALID_INPUT', 'priors');
      assertClvError(() => m.sample(REGULAR, { priors: { alpha: ['gamma', 1, -1] } }), 'INVALID_INPUT', 'alpha');
      assertClvError(() => m.sample(REGULAR, { priors: { alpha: ['cauchy', 0, 1] } }), 'INVALID_INPUT', 'alpha');
      assertClvError(() => m.sample(REGULAR, { priors: { beta: ['gamma', 'one', 1] } }), 'INVALID_INPUT', 'beta');
      assertClvError(() => m.sample(REGULAR, { priors: { beta: [] } }), 'INVALID_INPUT', 'beta');
      assertClvError(() => m.sample(REGULAR, { priors: { beta: ['halfnormal'] } }), 'INVALID_INPUT', 'beta');
      // issue 17 #16: wrong-typed priors are our error in Node too, not napi's
      for (const bad of [true, 'gamma', 3, [['gamma', 1, 1]]]) {
        assertClvError(() => m.sample(REGULAR, { priors: bad }), 'INVALID_INPUT', 'priors', `priors ${bad}`);
      }
      for (const bad of [null, true, { x: 1 }]) {
        assertClvError(() => m.sample(REGULAR, { priors: { beta: ['gamma', bad, 1] } }), 'INVALID_INPUT', 'beta', `item ${bad}`);
        assertClvError(() => m.sample(REGULAR, { priors: { beta: bad } }), 'INVALID_INPUT', 'beta', `prior ${bad}`);
      }
      assert.equal(m.sample(REGULAR, { priors: null, chains: 1, tune: 20, draws: 10 }).n, 10);
      for (const field of ['chains', 'tune', 'draws', 'seed']) {
        assertClvError(() => m.sample(REGULAR, { [field]: '4' }), 'INVALID_INPUT', field, field);
      }
      assertClvError(() => m.sample(REGULAR, { chains: 0 }), 'INVALID_INPUT', 'chains');
      assertClvError(() => m.sample(REGULAR, { draws: 1.5 }), 'INVALID_INPUT', 'draws');
      assertClvError(() => lib.Draws.fromJSON('{'), 'FORMAT_ERROR');
    });
  });
}

test('Node and WASM sample the same posterior; a chain does not depend on the others', () => {
  // Not bit for bit across runtimes: wasm32's exp/ln (Rust's libm port) and
  // glibc's differ in the last ulp, so the MLE start and then the NUTS
  // trajectories drift apart (measured: 1e-9 after 100 draws of one chain,
  // different draws after a few hundred). Both are draws of one posterior.
  const [a, b] = [summaries.node, summaries.wasm];
  assert.ok(a && b);
  a.forEach((r, i) => {
    assert.equal(b[i].param, r.param);
    assert.ok(Math.abs(b[i].mean - r.mean) < 0.5 * r.sd, `${r.param}: ${b[i].mean} vs ${r.mean} (sd ${r.sd})`);
  });
  // Within a runtime a chain's draws come from the seed and its index only:
  // chain 0 alone equals chain 0 of two (in parallel in Node, in sequence in WASM).
  for (const { name, lib } of backends) {
    const opts = { tune: 100, draws: 100, seed: 4 };
    const one = new lib.BetaGeo().sample(data, { ...opts, chains: 1 }).values();
    const two = new lib.BetaGeo().sample(data, { ...opts, chains: 2 }).values();
    assert.deepEqual(two.slice(0, 100), one, name);
    assert.notDeepEqual(two.slice(100), one, name);
  }
});
