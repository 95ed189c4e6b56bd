// The sBG with static covariates (clv::covariates::retention) on both backends:
// `new ShiftedBetaGeo().fitIndividual({periods, churned}, {dropoutCovariates,
// penalty})` returns a `RetentionCovariateModel` (alpha_i = alpha·exp(−γ_αᵀz_i),
// beta_i = beta·exp(−γ_βᵀz_i)); predictions with each row's covariates,
// fromParams, JSON and the typed errors (the core's codes and fields, in JS
// spelling), as bindings/python/tests/test_covariates_sbg.py.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertClvError, backends, root } from './helpers.mjs';

/** Fader & Hardie (2007) "regular" cohort: customers active at the start of years 1-8. */
const REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241];

/** The cohort as 1000 customers (crates/clv/tests/covariates_sbg.rs `individuals`). */
function individuals() {
  const periods = [];
  const churned = [];
  for (let t = 1; t < REGULAR.length; t++) {
    for (let k = 0; k < REGULAR[t - 1] - REGULAR[t]; k++) {
      periods.push(t);
      churned.push(true);
    }
  }
  for (let k = 0; k < 241; k++) {
    periods.push(7);
    churned.push(false);
  }
  return { periods, churned };
}

/** Two synthetic covariates of the 1000 customers (the pattern of the Python and CLI tests). */
function covariates(n) {
  const Premium = [];
  const Tenure = [];
  for (let i = 0; i < n; i++) {
    Premium.push((i * 7) % 10 < 4 ? 1 : 0);
    Tenure.push(((i * 37) % 101) / 101 - 0.5);
  }
  return { Premium, Tenure };
}

const close = (got, want, tol, what) =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got}, want ${want} (tol ${tol})`);
const rel = (got, want, rtol, what) =>
  assert.ok(Math.abs(got - want) <= rtol * Math.max(Math.abs(want), 1e-300), `${what}: got ${got}, want ${want}`);

const nodeFits = {};

for (const { name, lib } of backends) {
  describe(`sBG covariates on ${name}`, () => {
    test('without covariates the fit is the cohort fit (the core\'s figures)', () => {
      const data = individuals();
      const m = new lib.ShiftedBetaGeo().fitIndividual(data, { gradientTolerance: 1e-8 });
      assert.ok(m instanceof lib.RetentionCovariateModel);
      assert.equal(m.kind, 'sbg');
      assert.equal(m.name, 'sBG with covariates');
      assert.deepEqual(m.covariateNames, []);
      assert.deepEqual(m.covariateEffects, { alpha: {}, beta: {} });
      assert.deepEqual(Object.keys(m.params), ['alpha', 'beta']);
      close(m.params.alpha, 0.704077, 1e-6, 'alpha');
      close(m.params.beta, 1.182043, 1e-6, 'beta');
      close(m.logLikelihood, -1680.2651884633, 1e-8, 'LL');
      const plain = new lib.ShiftedBetaGeo({ gradientTolerance: 1e-10 }).fit(REGULAR);
      close(m.params.alpha, plain.params.alpha, 1e-6, 'alpha vs cohort fit');
      close(m.params.beta, plain.params.beta, 1e-6, 'beta vs cohort fit');
      close(m.logLikelihood, plain.logLikelihood, 1e-8, 'LL vs cohort fit');
      const info = m.fitInfo;
      assert.equal(info.nObservations, 1000);
      assert.deepEqual(info.paramNames, ['alpha', 'beta']);
      rel(m.stdErrors.alpha, plain.stdErrors.alpha, 1e-4, 'SE alpha');
      rel(m.stdErrors.beta, plain.stdErrors.beta, 1e-4, 'SE beta');
      // the eight distinct rows weighted by their counts: the same fit
      const rows = [1, 2, 3, 4, 5, 6, 7, 7];
      const flags = [true, true, true, true, true, true, true, false];
      const weights = [...REGULAR.slice(1).map((s, t) => REGULAR[t] - s), 241];
      const mw = new lib.ShiftedBetaGeo().fitIndividual({ periods: rows, churned: flags, weights }, { gradientTolerance: 1e-8 });
      close(mw.params.alpha, m.params.alpha, 1e-6, 'weighted alpha');
      close(mw.params.beta, m.params.beta, 1e-6, 'weighted beta');
      // 0/1 flags read as booleans
      const m01 = new lib.ShiftedBetaGeo().fitIndividual(
        { periods: data.periods, churned: data.churned.map(Number) },
        { gradientTolerance: 1e-8 },
      );
      assert.deepEqual(m01.params, m.params);
      const mf = new lib.ShiftedBetaGeo().fitIndividual(
        { periods: Float64Array.from(data.periods), churned: Float64Array.from(data.churned.map(Number)) },
        { gradientTolerance: 1e-8 },
      );
      assert.deepEqual(mf.params, m.params);
    });

    test('two covariates: the fit, its report, and fromParams predictions', () => {
      const data = individuals();
      const z = covariates(data.periods.length);
      const m = new lib.ShiftedBetaGeo().fitIndividual(data, { dropoutCovariates: z, penalty: 0.001 });
      if (name === 'node') nodeFits.two = m;
      assert.deepEqual(m.covariateNames, ['Premium', 'Tenure']);
      assert.equal(m.penalty, 0.001);
      const info = m.fitInfo;
      assert.deepEqual(info.paramNames, ['alpha', 'beta', 'alpha_Premium', 'alpha_Tenure', 'beta_Premium', 'beta_Tenure']);
      assert.equal(info.converged, true);
      assert.deepEqual(Object.keys(m.stdErrors), info.paramNames);
      for (const v of Object.values(m.stdErrors)) assert.ok(Number.isFinite(v) && v > 0);
      assert.ok(info.penalizedLogLikelihood <= m.logLikelihood);
      // the same fit with the rows joined on ids, in reverse order
      const ids = data.periods.map((_, i) => `c${i}`);
      const rev = { Premium: [...z.Premium].reverse(), Tenure: [...z.Tenure].reverse() };
      const joined = new lib.ShiftedBetaGeo().fitIndividual(
        { ...data, customerId: ids },
        { dropoutCovariates: rev, covariateIds: [...ids].reverse(), penalty: 0.001 },
      );
      assert.deepEqual(joined.params, m.params);
      assert.deepEqual(joined.covariateEffects, m.covariateEffects);
      // a model from the fitted parameters predicts as the fit
      const g = lib.RetentionCovariateModel.fromParams(m.params, m.covariateEffects);
      const rows = { dropoutCovariates: { Premium: [0, 1, 1], Tenure: [-0.3, 0, 0.4] } };
      for (const t of [1, 3, 7]) {
        assert.deepEqual(g.survival(t, rows), m.survival(t, rows));
        assert.deepEqual(g.retention(t, rows), m.retention(t, rows));
        assert.deepEqual(g.probChurn(t, rows), m.probChurn(t, rows));
      }
      assert.deepEqual(g.dert(0.1, [0, 2, 5], rows), m.dert(0.1, [0, 2, 5], rows));
      // ln L summed over the customers is the fit's log-likelihood
      const ll = m.logLikelihoodOf(data, { dropoutCovariates: z });
      assert.equal(ll.length, 1000);
      close(ll.reduce((a, b) => a + b, 0), m.logLikelihood, 1e-8, 'Σ ln L_i');
      // the link written out
      const [p0] = m.customerParams({ dropoutCovariates: { Premium: [1], Tenure: [0.2] } });
      const e = m.covariateEffects;
      rel(p0.alpha, m.params.alpha * Math.exp(-(e.alpha.Premium + 0.2 * e.alpha.Tenure)), 1e-14, 'alpha_i');
      rel(p0.beta, m.params.beta * Math.exp(-(e.beta.Premium + 0.2 * e.beta.Tenure)), 1e-14, 'beta_i');
      if (name === 'wasm' && nodeFits.two) {
        const n = nodeFits.two;
        // libm on wasm32 may differ in the last ulp: the estimates to 1e-6, LL to 1e-9
        rel(m.logLikelihood, n.logLikelihood, 1e-9, 'LL wasm vs node');
        for (const k of ['alpha', 'beta']) rel(m.params[k], n.params[k], 1e-6, `${k} wasm vs node`);
        for (const side of ['alpha', 'beta']) {
          for (const k of m.covariateNames) {
            close(m.covariateEffects[side][k], n.covariateEffects[side][k], 1e-6, `${side}.${k} wasm vs node`);
          }
        }
      }
    });

    // The CLI's fit of the same customers (as bindings/python/tests/test_covariates_sbg.py),
    // when the debug CLI is built (skipped otherwise; node only: wasm is compared with node).
    const cli = join(root, 'target', 'debug', 'clv');
    test('two covariates equal the CLI\'s `clv fit sbg --summary ... --json` to 1e-9', { skip: name !== 'node' || !existsSync(cli) }, () => {
      const data = individuals();
      const z = covariates(data.periods.length);
      const rows = data.periods.map((p, i) => `c${i},${p},${data.churned[i] ? 1 : 0},${z.Premium[i]},${z.Tenure[i]}`);
      const file = join(mkdtempSync(join(tmpdir(), 'clv-sbg-')), 'customers.csv');
      writeFileSync(file, ['id,periods,churned,Premium,Tenure', ...rows].join('\n') + '\n');
      const doc = JSON.parse(execFileSync(cli, ['fit', 'sbg', '--summary', file, '--id-col', 'id', '--periods-col', 'periods',
        '--churned-col', 'churned', '--covariate-id-col', 'id', '--dropout-covariates', 'Premium,Tenure', '--penalty', '0.001',
        '--json'], { encoding: 'utf8' }));
      const m = new lib.ShiftedBetaGeo().fitIndividual(data, { dropoutCovariates: z, penalty: 0.001 });
      for (const k of ['alpha', 'beta']) rel(m.params[k], doc.params[k], 1e-9, k);
      for (const side of ['alpha', 'beta']) {
        for (const k of ['Premium', 'Tenure']) rel(m.covariateEffects[side][k], doc.covariates[side][k], 1e-9, `${side}.${k}`);
      }
      rel(m.logLikelihood, doc.log_likelihood, 1e-9, 'LL');
      for (const [k, v] of Object.entries(m.stdErrors)) rel(v, doc.std_errors[k], 1e-9, `SE ${k}`);
    });

    test('at γ = 0 the predictions are plain ShiftedBetaGeo\'s', () => {
      const zero = lib.RetentionCovariateModel.fromParams({ alpha: 0.704, beta: 1.182 }, { alpha: { z: 0 }, beta: { z: 0 } });
      const plain = lib.ShiftedBetaGeo.fromParams({ alpha: 0.704, beta: 1.182 });
      const rows = { dropoutCovariates: { z: [0.3, -1, 2] } };
      const each = (got, want, what) => {
        assert.equal(got.length, 3);
        for (const v of got) close(v, want, 1e-13, what);
      };
      for (const t of [1, 2, 7]) {
        each(zero.survival(t, rows), plain.survival(t), `survival(${t})`);
        each(zero.retention(t, rows), plain.retention(t), `retention(${t})`);
        each(zero.probChurn(t, rows), plain.probChurn(t), `probChurn(${t})`);
      }
      const d = zero.dert(0.1, [0, 3, 10], rows);
      [0, 3, 10].forEach((r, i) => close(d[i], plain.dert(0.1, r), 1e-13, `dert(${r})`));
      each(zero.dert(0.1, 2, rows), plain.dert(0.1, 2), 'dert(one number)');
      each(zero.discountedExpectedLifetime(0.1, rows), plain.discountedExpectedLifetime(0.1), 'DEL');
      assert.deepEqual(zero.customerParams(rows), [0, 1, 2].map(() => ({ alpha: 0.704, beta: 1.182 })));
      // a model without covariates predicts one value
      const bare = lib.RetentionCovariateModel.fromParams({ alpha: 0.704, beta: 1.182 });
      const s = bare.survival(3);
      assert.equal(s.length, 1);
      close(s[0], plain.survival(3), 1e-13, 'bare survival');
      // effects: alpha_i = alpha0 exp(-g_a z), beta_i = beta0 exp(-g_b z)
      const m = lib.RetentionCovariateModel.fromParams({ alpha: 0.704, beta: 1.182 }, { alpha: { Premium: 0.5 }, beta: { Premium: -0.2 } });
      assert.deepEqual(m.covariateEffects, { alpha: { Premium: 0.5 }, beta: { Premium: -0.2 } });
      const two = { dropoutCovariates: { Premium: [0, 1] } };
      const a1 = 0.704 * Math.exp(-0.5);
      const b1 = 1.182 * Math.exp(0.2);
      const r1 = m.retention(1, two);
      close(r1[0], 1.182 / 1.886, 1e-15, 'basic r(1)');
      close(r1[1], b1 / (a1 + b1), 1e-15, 'premium r(1)');
      const own = lib.ShiftedBetaGeo.fromParams({ alpha: a1, beta: b1 });
      close(m.survival(4, two)[1], own.survival(4), 1e-15, 'premium S(4)');
      const ll = m.logLikelihoodOf({ periods: [2, 4], churned: [true, false] }, two);
      rel(ll[0], Math.log(plain.probChurn(2)), 1e-13, 'ln P(T = 2)');
      rel(ll[1], Math.log(own.survival(4)), 1e-13, 'ln S(4)');
    });

    test('JSON round trip and toString', () => {
      const data = individuals();
      const m = new lib.ShiftedBetaGeo().fitIndividual(data, { dropoutCovariates: covariates(1000) });
      const json = m.toJSON();
      assert.equal(json.format_version, 1);
      for (const back of [lib.RetentionCovariateModel.fromJSON(json), lib.RetentionCovariateModel.fromJSON(JSON.stringify(m))]) {
        assert.deepEqual(back.toJSON(), json);
        assert.deepEqual(back.params, m.params);
        assert.deepEqual(back.covariateEffects, m.covariateEffects);
        assert.deepEqual(back.stdErrors, m.stdErrors);
        assert.equal(back.logLikelihood, m.logLikelihood);
      }
      const g = lib.RetentionCovariateModel.fromParams({ alpha: 0.704, beta: 1.182 }, { alpha: { Premium: 0.5 }, beta: { Premium: -0.2 } });
      assert.equal(g.stdErrors, null);
      assert.equal(g.fitInfo, null);
      assert.equal(g.logLikelihood, null);
      assert.equal(g.penalty, 0);
      assert.equal(String(g), 'sBG with covariates(alpha=0.7040, beta=1.1820; alpha [Premium=0.5000], beta [Premium=-0.2000])');
    });

    test('typed errors: the core\'s codes and fields, in JS spelling', () => {
      const sbg = new lib.ShiftedBetaGeo();
      const fit = (data, options) => () => sbg.fitIndividual(data, options);
      let e = assertClvError(fit({ periods: [1, 2.5, 3], churned: [true, false, true] }), 'INVALID_INPUT', 'periods');
      assert.match(e.message, /periods\[1\]: 2\.5/);
      e = assertClvError(fit({ periods: [0, 2], churned: [true, false] }), 'INVALID_INPUT', 'periods');
      assert.match(e.message, /periods\[0\]: 0/);
      e = assertClvError(fit({ periods: [1, 2, 3], churned: [1, 2, 0] }), 'INVALID_INPUT', 'churned');
      assert.match(e.message, /churned\[1\]: 2/);
      e = assertClvError(fit({ periods: [1, 2, 3], churned: [true, 'yes', false] }), 'INVALID_INPUT', 'churned');
      assert.match(e.message, /churned\[1\]/);
      assertClvError(fit({ periods: [1, 2, 3], churned: [true, false] }), 'LENGTH_MISMATCH', 'churned');
      assertClvError(fit({ periods: [1, 2, 3] }), 'INVALID_INPUT', 'churned');
      const ok = { periods: [1, 2, 3, 3], churned: [true, true, false, false] };
      assertClvError(fit(ok, { dropoutCovariates: { Premium: [1, 1, 1, 1] } }), 'INVALID_INPUT', 'dropoutCovariates.Premium');
      assertClvError(fit(ok, { dropoutCovariates: { Premium: [1, NaN, 0, 1] } }), 'INVALID_INPUT', 'dropoutCovariates.Premium');
      assertClvError(fit(ok, { dropoutCovariates: { Premium: [1, 0] } }), 'LENGTH_MISMATCH', 'dropoutCovariates');
      assertClvError(fit(ok, { penalty: -1 }), 'INVALID_INPUT', 'penalty');
      assertClvError(fit(ok, { penalty: { dropout: 1 } }), 'INVALID_INPUT', 'penalty');
      assertClvError(fit(ok, { purchaseCovariates: { Premium: [0, 1, 0, 1] } }), 'INVALID_INPUT', 'purchaseCovariates');
      assertClvError(fit(ok, { maxIterations: 0 }), 'INVALID_INPUT', 'maxIterations');
      // a customer without a covariate row (joined on ids)
      e = assertClvError(
        fit({ ...ok, customerId: ['a', 'b', 'c', 'd'] }, { dropoutCovariates: { Premium: [1, 0, 1] }, covariateIds: ['a', 'b', 'c'] }),
        'INVALID_INPUT',
        'dropoutCovariates',
      );
      assert.match(e.message, /\bd\b/);
      // predictions with other covariates than the model's
      const m = lib.RetentionCovariateModel.fromParams({ alpha: 0.704, beta: 1.182 }, { alpha: { Premium: 0.5 } });
      e = assertClvError(() => m.survival(2, { dropoutCovariates: { Age: [1] } }), 'INVALID_INPUT', 'dropoutCovariates');
      assert.match(e.message, /Premium/);
      assertClvError(() => m.survival(2), 'INVALID_INPUT', 'dropoutCovariates');
      assertClvError(() => m.retention(0, { dropoutCovariates: { Premium: [1] } }), 'INVALID_INPUT', 't');
      assertClvError(() => m.dert(0.1, [1, 2], { dropoutCovariates: { Premium: [1] } }), 'LENGTH_MISMATCH', 'renewals');
      assertClvError(() => m.dert(-1, [1], { dropoutCovariates: { Premium: [1] } }), 'INVALID_INPUT', 'discount');
      assertClvError(() => lib.RetentionCovariateModel.fromParams({ alpha: -1, beta: 1 }), 'INVALID_INPUT', 'alpha');
      assertClvError(() => lib.RetentionCovariateModel.fromParams({ alpha: 1 }), 'INVALID_INPUT', 'beta');
      assertClvError(() => lib.RetentionCovariateModel.fromParams({ alpha: 1, beta: 1 }, { beta: { Premium: NaN } }), 'INVALID_INPUT', 'beta.Premium');
      assertClvError(() => lib.RetentionCovariateModel.fromParams({ alpha: 1, beta: 1 }, { beta: { Premium: 'x' } }), 'INVALID_INPUT', 'beta.Premium');
      assertClvError(() => lib.RetentionCovariateModel.fromJSON('{}'), 'INVALID_INPUT');
    });
  });
}
