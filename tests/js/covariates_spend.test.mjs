// Spend covariates (clv::covariates::spend) on both backends:
// `new GammaGamma().fit(data, {spendCovariates, penalty})` returns a
// `SpendCovariateModel`, the core's Gamma-Gamma model with v_i = v·exp(γᵀz_i);
// predictions with each customer's covariates, fromParams, JSON and the typed
// errors (the core's codes and fields, in JS spelling).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apparelWithCovariates, assertClvError, backends } from './helpers.mjs';

/**
 * The summary's frequency and mean repeat spend (every customer: the core's fit
 * leaves out those with frequency 0) and their covariates (rows in the summary's order).
 */
function apparel(lib) {
  const { s, z } = apparelWithCovariates(lib);
  return { data: { frequency: s.frequency, monetaryValue: s.monetaryValue, unit: s.unit }, z };
}

const close = (got, want, rtol, what) =>
  assert.ok(Math.abs(got - want) <= rtol * Math.max(Math.abs(want), 1), `${what}: got ${got}, want ${want}`);

/**
 * @clv/node runs the core's native code; @clv/wasm's exp/ln (Rust's libm on
 * wasm32) may differ in the last ulp, so its optimiser may stop at another point
 * within the gradient tolerance: the log-likelihood to 1e-9, the estimates to
 * 1e-6, the standard errors to 1e-5 of node's (as tests/js/covariates.test.mjs).
 */
const WASM_TOLERANCE = { ll: 1e-9, estimate: 1e-6, se: 1e-5 };

/** Ten customers, one binary covariate (the core's doc example). */
const SMALL = {
  data: {
    frequency: [1, 2, 3, 1, 4, 2, 0, 5, 1, 3],
    monetaryValue: [20, 35, 18, 60, 25, 80, 0, 30, 45, 55],
  },
  premium: [0, 0, 0, 1, 0, 1, 0, 0, 1, 1],
};

const nodeFits = {};

for (const { name, lib } of backends) {
  describe(`spend covariates on ${name}`, () => {
    let fit;
    const fitted = () => {
      if (!fit) {
        const { data, z } = apparel(lib);
        fit = new lib.GammaGamma().fit(data, { spendCovariates: z });
        if (name === 'node') nodeFits.apparel = fit;
      }
      return fit;
    };

    test('GammaGamma on apparel by Gender and Channel: the core test\'s figures (crates/clv/tests/covariates_spend.rs)', () => {
      const m = fitted();
      assert.ok(m instanceof lib.SpendCovariateModel);
      assert.equal(m.kind, 'gamma_gamma');
      assert.equal(m.name, 'Gamma-Gamma with spend covariates');
      assert.deepEqual(Object.keys(m.params), ['p', 'q', 'v']);
      assert.deepEqual(m.covariateNames, ['Gender', 'Channel']);
      assert.deepEqual(Object.keys(m.covariateEffects), ['Gender', 'Channel']);
      assert.ok(Math.abs(m.logLikelihood - -1275.9439) < 1e-3, String(m.logLikelihood));
      assert.ok(Math.abs(m.covariateEffects.Gender - 0.0916) < 1e-3, String(m.covariateEffects.Gender));
      assert.ok(Math.abs(m.covariateEffects.Channel - 0.0393) < 1e-3, String(m.covariateEffects.Channel));
      assert.ok(Math.abs(m.params.p - 3.6533) < 1e-3, String(m.params.p));
      assert.ok(Math.abs(m.stdErrors.spend_Gender - 0.0779) < 1e-3, String(m.stdErrors.spend_Gender));
      assert.deepEqual(Object.keys(m.stdErrors), ['p', 'q', 'v', 'spend_Gender', 'spend_Channel']);
      assert.equal(m.penalty, 0);
      const info = m.fitInfo;
      assert.equal(info.nObservations, 293); // the repeat customers
      assert.deepEqual(info.paramNames, ['p', 'q', 'v', 'spend_Gender', 'spend_Channel']);
      assert.equal(info.logLikelihood, m.logLikelihood);
      assert.equal(info.penalizedLogLikelihood, m.logLikelihood); // no penalty
      assert.equal(info.stdErrors.length, 5);
      assert.equal(info.lower95.length, 5);
      assert.ok(info.converged);
      assert.equal(info.unit, '7d');
      assert.ok(m.toString().startsWith('Gamma-Gamma with spend covariates(p=3.65'), m.toString());
      // the model nests the plain Gamma-Gamma (LL -1276.7275 in the core test)
      const plain = new lib.GammaGamma().fit(apparel(lib).data);
      assert.ok(Math.abs(plain.logLikelihood - -1276.7275) < 1e-3, String(plain.logLikelihood));
      assert.ok(m.logLikelihood >= plain.logLikelihood - 1e-9);
    });

    test('fit with spendCovariates returns a new model; the GammaGamma stays unfitted', () => {
      const gg = new lib.GammaGamma();
      const { data, z } = apparel(lib);
      const m = gg.fit(data, { spendCovariates: z, penalty: 0.1 });
      assert.ok(m instanceof lib.SpendCovariateModel);
      assert.equal(m.penalty, 0.1);
      const { Gender: a, Channel: b } = m.covariateEffects;
      close(m.fitInfo.penalizedLogLikelihood, m.logLikelihood - 293 * 0.1 * (a * a + b * b), 1e-12,
        'PLL = LL − Nλ(γ₁² + γ₂²)');
      const free = fitted().covariateEffects;
      assert.ok(a * a + b * b < free.Gender ** 2 + free.Channel ** 2, 'the penalty shrinks the effects');
      assert.ok(m.logLikelihood <= fitted().logLikelihood + 1e-9);
      assertClvError(() => gg.params, 'NOT_FITTED', null, 'the model stays unfitted');
    });

    test('expectedSpend is the plain model\'s at each customer\'s v_i = v·exp(γ·z_i); logLikelihoodOf sums to LL', () => {
      const m = fitted();
      const { data, z } = apparel(lib);
      const covs = { spendCovariates: z };
      const es = m.expectedSpend(data, covs);
      assert.ok(es instanceof Float64Array && es.length === 600);
      const { p, q, v } = m.params;
      const g = m.covariateEffects;
      for (let i = 0; i < 600; i += 1) {
        const vi = v * Math.exp(g.Gender * z.Gender[i] + g.Channel * z.Channel[i]);
        const plain = lib.GammaGamma.fromParams({ p, q, v: vi });
        const one = { frequency: [data.frequency[i]], monetaryValue: [data.monetaryValue[i]] };
        close(es[i], plain.expectedSpend(one)[0], 1e-13, `expectedSpend[${i}]`);
      }
      // a customer without repeat spend: the mean p·v_i/(q−1) of their covariate cell
      const i0 = data.frequency.findIndex((x) => x === 0);
      const v0 = v * Math.exp(g.Gender * z.Gender[i0] + g.Channel * z.Channel[i0]);
      close(es[i0], (p * v0) / (q - 1), 1e-13, 'no repeat spend');
      // the log-likelihood of the customers in the fit (frequency > 0, spend > 0)
      const rows = [];
      data.frequency.forEach((x, i) => { if (x > 0 && data.monetaryValue[i] > 0) rows.push(i); });
      assert.equal(rows.length, 293);
      const pick = (a) => Float64Array.from(rows, (i) => a[i]);
      const ll = m.logLikelihoodOf({ frequency: pick(data.frequency), monetaryValue: pick(data.monetaryValue) },
        { spendCovariates: { Gender: pick(z.Gender), Channel: pick(z.Channel) } });
      close(ll.reduce((a, b) => a + b, 0), m.logLikelihood, 1e-12, 'sum of logLikelihoodOf');
    });

    test('fromParams and the JSON round trip', () => {
      const m = fitted();
      const json = m.toJSON();
      assert.equal(json.format_version, 1);
      const { data, z } = apparel(lib);
      const covs = { spendCovariates: z };
      for (const again of [lib.SpendCovariateModel.fromJSON(json), lib.SpendCovariateModel.fromJSON(JSON.stringify(m))]) {
        assert.deepEqual(again.toJSON(), json);
        assert.deepEqual(again.params, m.params);
        assert.deepEqual(again.covariateEffects, m.covariateEffects);
        assert.deepEqual(again.stdErrors, m.stdErrors);
        assert.equal(again.logLikelihood, m.logLikelihood);
        assert.deepEqual(again.expectedSpend(data, covs), m.expectedSpend(data, covs));
      }
      const given = lib.SpendCovariateModel.fromParams(m.params, m.covariateEffects);
      assert.equal(given.stdErrors, null);
      assert.equal(given.fitInfo, null);
      assert.equal(given.logLikelihood, null);
      assert.equal(given.penalty, 0);
      assert.deepEqual(given.covariateNames, ['Gender', 'Channel']);
      assert.deepEqual(given.expectedSpend(data, covs), m.expectedSpend(data, covs));
      const back = lib.SpendCovariateModel.fromJSON(given.toJSON());
      assert.deepEqual(back.toJSON(), given.toJSON());
      // without covariates: the plain Gamma-Gamma
      const none = lib.SpendCovariateModel.fromParams({ p: 6.25, q: 3.74, v: 15.44 });
      const gg = lib.GammaGamma.fromParams({ p: 6.25, q: 3.74, v: 15.44 });
      assert.deepEqual(none.expectedSpend(SMALL.data), gg.expectedSpend(SMALL.data));
      assert.equal(none.toString(), 'Gamma-Gamma with spend covariates(p=6.2500, q=3.7400, v=15.4400; spend [])');
    });

    test('errors: the core\'s codes and fields, in JS spelling', () => {
      const d = SMALL.data;
      const g = SMALL.premium;
      const fit = (options, cls = 'GammaGamma', data = d) => () => new lib[cls]().fit(data, options);
      // a constant column is not identified
      let e = assertClvError(fit({ spendCovariates: { Premium: g, Channel: new Array(10).fill(1) } }), 'INVALID_INPUT',
        'spendCovariates.Channel');
      assert.match(e.message, /^invalid spendCovariates\.Channel: constant 1/);
      // constant over the customers in the fit (frequency > 0 and spend > 0) only
      assertClvError(fit({ spendCovariates: { Premium: g, Other: [1, 1, 1, 1, 1, 1, 0, 1, 1, 1] } }), 'INVALID_INPUT',
        'spendCovariates.Other');
      // one row short: nothing is filled in
      e = assertClvError(fit({ spendCovariates: { Premium: g.slice(1) } }), 'LENGTH_MISMATCH', 'spendCovariates');
      assert.equal(e.message, 'length mismatch: spendCovariates has 9 elements but frequency has 10');
      // a non-finite value, a value that is not a number, a set that is not an object of columns
      const bad = Float64Array.from(g);
      bad[3] = NaN;
      e = assertClvError(fit({ spendCovariates: { Premium: bad } }), 'INVALID_INPUT', 'spendCovariates.Premium');
      assert.match(e.message, /^invalid spendCovariates\.Premium\[3\]: NaN/);
      assertClvError(fit({ spendCovariates: { Premium: ['a'] } }), 'INVALID_INPUT', 'spendCovariates.Premium');
      assertClvError(fit({ spendCovariates: [g] }), 'INVALID_INPUT', 'spendCovariates');
      // penalties: ≥ 0, one number
      assertClvError(fit({ spendCovariates: { Premium: g }, penalty: -1 }), 'INVALID_INPUT', 'penalty');
      assertClvError(fit({ spendCovariates: { Premium: g }, penalty: { purchase: 1 } }), 'INVALID_INPUT', 'penalty');
      assertClvError(fit({ spendCovariates: { Premium: g }, constrainEqual: ['Premium'] }), 'INVALID_INPUT',
        'constrainEqual');
      // spend covariates are Gamma-Gamma's; purchase and dropout covariates are not
      const customers = { frequency: [0, 1, 3, 0], recency: [0, 10, 30, 0], T: [40, 40, 40, 40] };
      e = assertClvError(fit({ spendCovariates: { Premium: [0, 1, 1, 0] } }, 'ParetoNBD', customers), 'NOT_SUPPORTED',
        'spendCovariates');
      assert.match(e.message, /^spendCovariates is not defined for Pareto\/NBD/);
      assertClvError(fit({ purchaseCovariates: { Premium: g } }), 'NOT_SUPPORTED', 'covariates');
      assertClvError(fit({ spendCovariates: { Premium: g }, dropoutCovariates: { Premium: g } }), 'NOT_SUPPORTED',
        'covariates');
      // predictions with other covariates than the model's, or none, or of another length
      const m = lib.SpendCovariateModel.fromParams({ p: 6.25, q: 3.74, v: 15.44 }, { Premium: 0.3 });
      e = assertClvError(() => m.expectedSpend(d, { spendCovariates: { Gold: g } }), 'INVALID_INPUT', 'spendCovariates');
      assert.match(e.message, /^invalid spendCovariates: \[Gold\]/);
      assertClvError(() => m.expectedSpend(d, {}), 'INVALID_INPUT', 'spendCovariates');
      assertClvError(() => m.expectedSpend(d), 'INVALID_INPUT', 'spendCovariates');
      assertClvError(() => m.expectedSpend(d, { spendCovariates: { Premium: g.slice(2) } }), 'LENGTH_MISMATCH',
        'spendCovariates');
      assertClvError(() => m.expectedSpend({ frequency: d.frequency }, { spendCovariates: { Premium: g } }),
        'INVALID_INPUT', 'monetaryValue');
      // outside the density: a customer without repeat spend
      e = assertClvError(() => m.logLikelihoodOf(d, { spendCovariates: { Premium: g } }), 'INVALID_INPUT', 'frequency');
      assert.match(e.message, /\[6\]/);
      // fromParams: the parameters, the effects
      assertClvError(() => lib.SpendCovariateModel.fromParams({ p: 6.25, q: -1, v: 15.44 }), 'INVALID_INPUT', 'q');
      assertClvError(() => lib.SpendCovariateModel.fromParams({ p: 6.25, q: 3.74 }), 'INVALID_INPUT', 'v');
      assertClvError(() => lib.SpendCovariateModel.fromParams({ p: 6.25, q: 3.74, v: 15.44 }, { Premium: NaN }),
        'INVALID_INPUT', 'effects.Premium');
      assertClvError(() => lib.SpendCovariateModel.fromParams({ p: 6.25, q: 3.74, v: 15.44 }, { Premium: '1' }),
        'INVALID_INPUT', 'effects.Premium');
      assertClvError(() => lib.SpendCovariateModel.fromParams({ p: 6.25, q: 3.74, v: 15.44 }, [0.3]),
        'INVALID_INPUT', 'effects');
      // tampered JSON: the checks of fromParams
      const text = JSON.stringify(m.toJSON());
      assert.ok(text.includes('15.44'), text);
      assertClvError(() => lib.SpendCovariateModel.fromJSON(text.replace('15.44', '-15.44')), 'INVALID_INPUT', 'v');
      assertClvError(() => lib.SpendCovariateModel.fromJSON(text.replace('[0.3]', '[0.3,0.1]')), 'INVALID_INPUT',
        'json');
      assertClvError(() => lib.SpendCovariateModel.fromJSON(text.replace('"format_version":1', '"format_version":2')),
        'INVALID_INPUT', 'formatVersion');
      assertClvError(() => lib.SpendCovariateModel.fromJSON('{'), 'INVALID_INPUT', 'json');
      // a transaction CovariateModel's JSON is not a spend model's
      const cm = new lib.BetaGeo().fit({ frequency: [0, 1, 3, 0, 2, 5, 1, 0], recency: [0, 10, 30, 0, 20, 35, 5, 0],
        T: new Array(8).fill(40) }, { purchaseCovariates: { Gender: [0, 0, 0, 0, 1, 1, 1, 1] } });
      assertClvError(() => lib.SpendCovariateModel.fromJSON(cm.toJSON()), 'INVALID_INPUT', 'json');
    });
  });
}

test('@clv/wasm fits the apparel spend model as @clv/node does, and predicts at its estimates to 1e-12', () => {
  const wasm = backends.find((b) => b.name === 'wasm').lib;
  const native = nodeFits.apparel;
  assert.ok(native, 'the node suite fitted apparel');
  const { data, z } = apparel(wasm);
  const covs = { spendCovariates: z };
  const w = new wasm.GammaGamma().fit(data, covs);
  const tol = WASM_TOLERANCE;
  close(w.logLikelihood, native.logLikelihood, tol.ll, 'logLikelihood');
  for (const k of ['p', 'q', 'v']) close(w.params[k], native.params[k], tol.estimate, k);
  for (const k of ['Gender', 'Channel']) close(w.covariateEffects[k], native.covariateEffects[k], tol.estimate, k);
  for (const [k, v] of Object.entries(native.stdErrors)) close(w.stdErrors[k], v, tol.se, `stdErrors.${k}`);
  assert.deepEqual(w.fitInfo.paramNames, native.fitInfo.paramNames);
  assert.equal(w.fitInfo.nObservations, native.fitInfo.nObservations);
  const m = wasm.SpendCovariateModel.fromJSON(native.toJSON());
  assert.deepEqual(m.params, native.params);
  assert.deepEqual(m.covariateEffects, native.covariateEffects);
  const got = m.expectedSpend(data, covs);
  const want = native.expectedSpend(data, covs);
  assert.equal(got.length, want.length);
  want.forEach((x, i) => close(got[i], x, 1e-12, `expectedSpend[${i}]`));
  console.log(`apparel spend fit: node LL ${native.logLikelihood} p ${native.params.p} q ${native.params.q} `
    + `v ${native.params.v} Gender ${native.covariateEffects.Gender} Channel ${native.covariateEffects.Channel}; `
    + `wasm LL ${w.logLikelihood} p ${w.params.p} q ${w.params.q} v ${w.params.v} `
    + `Gender ${w.covariateEffects.Gender} Channel ${w.covariateEffects.Channel}`);
});
