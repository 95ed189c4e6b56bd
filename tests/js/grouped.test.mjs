// Hierarchical pooling (model.sample(data, { groups, hyperpriors, ... }) →
// GroupedDraws) on the Node addon; WASM does not have it yet. The sampler,
// its density and the recovery of known parameters are tested in Rust
// (crates/clv/tests/hierarchical.rs); the same bad input gives the error
// code and field Python gives (bindings/python/tests/test_hierarchical.py).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const lib = require(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bindings', 'node'));

// three channels of customers simulated from known parameters
const frequency = [];
const recency = [];
const T = [];
const groups = [];
for (const [label, params, n, seed] of [['web', { r: 0.5, alpha: 4, a: 0.6, b: 2.5 }, 120, 5],
  ['store', { r: 1, alpha: 9, a: 0.8, b: 3 }, 120, 6], ['phone', { r: 0.4, alpha: 6, a: 0.4, b: 2 }, 60, 7]]) {
  const m = lib.BetaGeo.fromParams(params);
  const sim = lib.simulate(m, Array.from({ length: n }, (_, j) => 20 + (j % 40)), seed);
  frequency.push(...sim.frequency);
  recency.push(...sim.recency);
  T.push(...sim.T);
  groups.push(...Array(n).fill(label));
}
const data = { frequency, recency, T };
const RUN = { chains: 2, tune: 150, draws: 100, seed: 3 };

function assertClvError(fn, code, field) {
  assert.throws(fn, (e) => {
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.includes(field), `${e.message} (field ${field})`);
    return true;
  });
}

test('@clv/wasm refuses groups (not ignored) until it has hierarchical pooling', () => {
  const wasm = require(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bindings', 'wasm', 'pkg-node',
    'clv_wasm.js'));
  assertClvError(() => new wasm.BetaGeo().sample(data, { ...RUN, groups }), 'NOT_SUPPORTED', 'groups');
});

describe('hierarchical sample on node', () => {
  const post = new lib.BetaGeo().sample(data, { ...RUN, groups, hyperpriors: { r: [-0.5, 1, 0.5] } });

  test('a GroupedDraws with groups, summary and per-group draws', () => {
    assert.ok(post instanceof lib.GroupedDraws);
    assert.deepEqual(post.groups, ['phone', 'store', 'web']);
    assert.equal(post.n, 200);
    const rows = post.summary();
    assert.equal(rows.length, 3 * 4 + 2 * 4);
    assert.equal(rows[0].group, 'phone');
    assert.equal(rows[0].term, 'theta');
    assert.equal(rows[12].term, 'mu');
    assert.equal(rows[12].group ?? null, null);
    for (const r of rows) assert.ok(Number.isFinite(r.rHat) && Number.isFinite(r.essBulk), JSON.stringify(r));
    const web = post.group('web');
    assert.equal(web.method, 'nuts');
    assert.equal(web.n, 200);
    assert.equal(post.hyper()[0].length, 8);
  });

  test('predictions use each customer\'s group', () => {
    const c = { frequency: [0, 2, 5], recency: [0, 10, 30], T: [30, 35, 40] };
    const who = ['store', 'phone', 'web'];
    const p = post.probAlive(c, who);
    who.forEach((g, i) => {
      const one = post.group(g).probAlive({ frequency: [c.frequency[i]], recency: [c.recency[i]], T: [c.T[i]] });
      assert.equal(p.mean[i], one.mean[0]);
      assert.equal(p.values[2][i], one.values[2][0]);
    });
    assert.equal(post.expectedPurchases(10, c, who).mean.length, 3);
    assert.equal(post.expectedPurchasesNew([10, 10], ['phone', 'web']).mean.length, 2);
  });

  test('same seed, same draws; JSON round trip', () => {
    const again = new lib.BetaGeo().sample(data, { ...RUN, groups, hyperpriors: { r: [-0.5, 1, 0.5] } });
    assert.equal(again.toJSON(), post.toJSON());
    const back = lib.GroupedDraws.fromJSON(post.toJSON());
    assert.equal(back.toJSON(), post.toJSON());
    assert.deepEqual(back.summary(), post.summary());
  });

  test('errors: the codes and fields Python gives', () => {
    const short = { ...RUN, chains: 1, tune: 10, draws: 5 };
    assertClvError(() => new lib.BetaGeo().sample(data, { ...short, groups: groups.slice(1) }),
      'LENGTH_MISMATCH', 'groups');
    const empty = [...groups];
    empty[4] = '';
    assertClvError(() => new lib.BetaGeo().sample(data, { ...short, groups: empty }), 'INVALID_INPUT', 'groups');
    assertClvError(() => new lib.BetaGeo().sample(data, { ...short, groups, priors: { r: ['gamma', 1, 1] } }),
      'INVALID_INPUT', 'priors');
    assertClvError(() => new lib.BetaGeo().sample(data, { ...short, groups, hyperpriors: { r: [0, -1, 1] } }),
      'INVALID_INPUT', 'r');
    assertClvError(() => post.probAlive({ frequency: [1, 2], recency: [1, 2], T: [3, 3] }, ['web', 'mars']),
      'INVALID_INPUT', 'mars');
    assertClvError(() => post.group('mars'), 'INVALID_INPUT', 'group');
    assertClvError(() => lib.GroupedDraws.fromJSON(post.group('web').toJSON()), 'FORMAT_ERROR', 'grouped');
    assertClvError(() => new lib.ShiftedBetaGeo().sample([100, 60, 40], { groups: ['a', 'b', 'c'] }),
      'NOT_SUPPORTED', 'groups');
  });
});
