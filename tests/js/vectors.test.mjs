// The shared vectors (tests/vectors/*.json) against both JS backends: every
// case, every error case and every published fit of every file, read as the
// Rust runners in tests/tests/vectors_*.rs read them. Files with a `model`
// hold one model's cases (numbers or arrays); files with a `module`
// (portfolio.json, uplift.json) hold functions returning objects, compared
// key by key as tests/tests/structured/mod.rs does, with the JS names.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClose, assertClvError, backends, camel, columns, customers, vector, vectorFiles } from './helpers.mjs';

const CLASSES = {
  bg_nbd: 'BetaGeo',
  mbg_nbd: 'ModifiedBetaGeo',
  pareto_nbd: 'ParetoNBD',
  bg_bb: 'BetaGeoBetaBinom',
  gamma_gamma: 'GammaGamma',
  sbg: 'ShiftedBetaGeo',
};

function runTransaction(m, c) {
  const a = c.args;
  switch (c.fn) {
    case 'prob_alive':
      return m.probAlive(customers(a));
    case 'log_likelihood':
      return m.logLikelihoodOf(customers(a));
    case 'expected_purchases':
      return m.expectedPurchases(a.t, customers(a));
    case 'expected_purchases_new':
      return m.expectedPurchasesNew(a.t);
    case 'prob_purchases':
      return m.probPurchases(a.n, a.t);
    case 'prob_purchases_conditional':
      return m.probPurchasesConditional(a.n, a.t, customers(a));
    case 'dert': // Pareto/NBD: continuous delta; BG/BB: discrete discount
      return a.delta !== undefined ? m.dert(a.delta, customers(a)) : m.dert(a.discount, customers(a));
    case 'prob_alive_ahead':
      return m.probAliveAhead(a.m, customers(a));
    default:
      throw new Error(`unknown fn ${c.fn}`);
  }
}

function runGammaGamma(lib, v, c) {
  const g = lib.GammaGamma.fromParams(v.params);
  const a = c.args;
  switch (c.fn) {
    case 'expected_spend':
      return g.expectedSpend(customers(a));
    case 'customer_lifetime_value': {
      // As tests/tests/vectors_gamma_gamma.rs: FHL (2005) BG/NBD estimates.
      const bg = lib.BetaGeo.fromParams({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 });
      const options = { time: a.time, discountRate: a.discount_rate, freq: a.freq };
      const viaFunction = lib.customerLifetimeValue(bg, g, customers(a), options);
      const viaMethod = bg.customerLifetimeValue(g, customers(a), options);
      assert.deepEqual(Array.from(viaMethod), Array.from(viaFunction));
      return viaFunction;
    }
    default:
      throw new Error(`unknown fn ${c.fn}`);
  }
}

function runSbg(lib, v, c) {
  const m = lib.ShiftedBetaGeo.fromParams(v.params_sets[c.params ?? 'regular']);
  const a = c.args;
  switch (c.fn) {
    case 'survival':
      return m.survival(a.t);
    case 'retention':
      return m.retention(a.t);
    case 'dert':
      return m.dert(a.discount, a.renewals);
    case 'discounted_expected_lifetime':
      return m.discountedExpectedLifetime(a.discount);
    case 'log_likelihood':
      return m.logLikelihoodOf(a.survivors);
    case 'fit':
      return new lib.ShiftedBetaGeo().fit(a.survivors).params.alpha;
    default:
      throw new Error(`unknown fn ${c.fn}`);
  }
}

function run(lib, v, c) {
  if (v.model === 'gamma_gamma') return runGammaGamma(lib, v, c);
  if (v.model === 'sbg') return runSbg(lib, v, c);
  return runTransaction(lib[CLASSES[v.model]].fromParams(v.params), c);
}

/** An array argument of a struct-valued vector case; the string "NaN" is a NaN. */
const arr = (a, key) => a[key].map((x) => (x === 'NaN' ? NaN : x));

// Arguments as the Python runner passes them, in the JS API's spelling.
const MODULES = {
  portfolio(lib, c) {
    const a = c.args;
    switch (c.fn) {
      case 'whale_curve':
        return lib.whaleCurve(arr(a, 'values'));
      case 'value_tiers':
        return lib.valueTiers(arr(a, 'values'), { cuts: arr(a, 'cuts'), method: camel(a.method) });
      case 'revenue_at_risk':
        return lib.revenueAtRisk(arr(a, 'values'), arr(a, 'p_alive'));
      case 'risk_ranking':
        return lib.riskRanking(arr(a, 'values'), arr(a, 'p_alive'));
      case 'offer_ceiling':
        return lib.offerCeiling(arr(a, 'clv'), arr(a, 'p_alive'), a.success_rate);
      default:
        throw new Error(`unknown fn ${c.fn}`);
    }
  },
  experiment(lib, c) {
    const a = c.args;
    const options = { confidence: a.confidence, metric: a.metric, population: a.population };
    switch (c.fn) {
      case 'uplift':
        return lib.uplift(arr(a, 'treated'), arr(a, 'control'), options);
      case 'uplift_stratified':
        return lib.upliftStratified(arr(a, 'treated'), a.treated_strata, arr(a, 'control'), a.control_strata, options);
      default:
        throw new Error(`unknown fn ${c.fn}`);
    }
  },
};

/**
 * `got` against the case's `expected` (snake_case keys read as camelCase):
 * numbers within atol + rtol·|want| and finite, arrays (and typed arrays)
 * element by element, objects on the keys `expected` has, anything else
 * (strings, null) strictly equal.
 */
function compare(got, want, rtol, atol, path) {
  if (typeof want === 'number') {
    assert.ok(
      typeof got === 'number' && Number.isFinite(got) && Math.abs(got - want) <= atol + rtol * Math.abs(want),
      `${path}: got ${got}, want ${want} (rtol ${rtol}, atol ${atol})`,
    );
  } else if (Array.isArray(want)) {
    assert.ok(Array.isArray(got) || ArrayBuffer.isView(got), `${path}: got ${got}, want an array`);
    const g = Array.from(got);
    assert.equal(g.length, want.length, `${path}: length`);
    want.forEach((w, i) => compare(g[i], w, rtol, atol, `${path}[${i}]`));
  } else if (want !== null && typeof want === 'object') {
    for (const [k, w] of Object.entries(want)) {
      const key = camel(k);
      assert.ok(got !== null && typeof got === 'object' && key in got, `${path}.${key}: missing in the result`);
      compare(got[key], w, rtol, atol, `${path}.${key}`);
    }
  } else {
    assert.strictEqual(got, want, path);
  }
}

function fitData(lib, v, fit) {
  if (v.model === 'sbg') return new lib.ShiftedBetaGeo().fit(fit.survivors);
  const names = [...fit.columns, ...(fit.weights ? [fit.weights] : [])];
  const c = columns(fit.data, names);
  if (v.model === 'gamma_gamma') return new lib.GammaGamma().fit({ frequency: c[0], monetaryValue: c[1] });
  const third = v.model === 'bg_bb' ? 'nPeriods' : 'T';
  const data = { frequency: c[0], recency: c[1], [third]: c[2] };
  if (fit.weights) data.weights = c[3];
  return new lib[CLASSES[v.model]]().fit(data);
}

for (const { name, lib } of backends) {
  describe(`vectors on ${name}`, () => {
    test('every vector file has a runner', () => {
      for (const file of vectorFiles()) {
        const v = vector(file);
        assert.ok(v.module ? MODULES[v.module] : CLASSES[v.model], `${file}: model ${v.model}, module ${v.module}`);
      }
    });
    for (const file of vectorFiles()) {
      const v = vector(file);
      if (v.module) {
        const run = MODULES[v.module];
        test(`${file}: ${v.cases.length} cases`, () => {
          for (const c of v.cases) {
            compare(run(lib, c), c.expected, c.rtol, c.atol ?? 0, `${name} ${file} ${c.fn} (${c.source})`);
          }
        });
        test(`${file}: ${v.errors.length} error cases`, () => {
          // Field names in the JS spelling (p_alive → pAlive), as the JS arguments.
          for (const c of v.errors) assertClvError(() => run(lib, c), c.code, camel(c.field), `${name} ${file} ${c.fn}`);
        });
        continue;
      }
      test(`${file}: ${v.cases.length} cases`, () => {
        for (const c of v.cases) assertClose(run(lib, v, c), c, `${name} ${file}`);
      });
      test(`${file}: ${v.errors.length} error cases`, () => {
        for (const c of v.errors) assertClvError(() => run(lib, v, c), c.code, c.field, `${name} ${file} ${c.fn}`);
      });
      for (const fit of v.fits ?? []) {
        test(`${file}: published fit (${fit.source.slice(0, 60)})`, () => {
          const m = fitData(lib, v, fit);
          for (const [p, want] of Object.entries(fit.expected_params)) {
            const tol = fit.atol_by_param?.[p] ?? fit.atol_params;
            assert.ok(Math.abs(m.params[p] - want) <= tol, `${p}: ${m.params[p]} vs ${want} (${fit.source})`);
          }
          if (fit.expected_log_likelihood !== undefined) {
            const ll = m.logLikelihood;
            if (v.model === 'mbg_nbd') {
              // As the Rust runner: our optimum is at least as good as lifetimes' one.
              assert.ok(ll >= fit.expected_log_likelihood - fit.atol_ll, `LL ${ll}`);
            } else {
              assert.ok(Math.abs(ll - fit.expected_log_likelihood) <= fit.atol_ll, `LL ${ll}`);
            }
          }
          for (const se of Object.values(m.stdErrors)) assert.ok(Number.isFinite(se) && se > 0, `SE ${se}`);
        });
      }
    }
  });
}
