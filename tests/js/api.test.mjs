// The JS API itself on both backends: fit returns the model, JSON round
// trips, array types, the CDNOW pipeline (transactions → summary → fits →
// CLV → RFM), the decimal formulas, and bad input of every kind.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertClvError, backends, CDNOW, columns, root, vector } from './helpers.mjs';

const FHL = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }; // Fader, Hardie & Lee (2005)
const cdnowText = readFileSync(join(root, 'crates', 'clv-cli', 'data', 'CDNOW_sample.txt'));

function pipeline(lib) {
  const s = lib.rfmSummaryFromCsv(new Uint8Array(cdnowText), CDNOW);
  const data = { frequency: s.frequency, recency: s.recency, T: s.T, monetaryValue: s.monetaryValue };
  const bg = new lib.BetaGeo().fit(data);
  const gg = new lib.GammaGamma().fit(data);
  const clv = lib.customerLifetimeValue(bg, gg, data, { freq: s.unit });
  const alive = bg.probAlive(data);
  const seg = lib.rfmSegments(data);
  return { s, bg, gg, clv, alive, seg };
}

const results = {};

for (const { name, lib } of backends) {
  describe(`API on ${name}`, () => {
    test('fit returns the fitted model; params, logLikelihood, stdErrors, summary', () => {
      const [x, tx, t] = columns('cdnow_customers_summary.csv', ['frequency', 'recency', 'T']);
      const m = new lib.BetaGeo();
      const r = m.fit({ frequency: x, recency: tx, T: t });
      assert.ok(r instanceof lib.BetaGeo);
      for (const model of [m, r]) {
        assert.deepEqual(Object.keys(model.params).sort(), ['a', 'alpha', 'b', 'r']);
        // FHL (2005): r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4
        for (const [k, v] of Object.entries(FHL)) assert.ok(Math.abs(model.params[k] - v) < 5e-4, k);
        assert.ok(Math.abs(model.logLikelihood - -9582.4) < 0.05);
      }
      const rows = m.summary();
      assert.deepEqual(rows.map((row) => row.param), ['r', 'alpha', 'a', 'b']);
      for (const row of rows) {
        assert.equal(row.stdError, m.stdErrors[row.param]);
        assert.ok(row.lower95 < row.estimate && row.estimate < row.upper95);
      }
      // The per-customer log-likelihoods add up to the fitted total.
      const total = m.logLikelihoodOf({ frequency: x, recency: tx, T: t }).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(total - m.logLikelihood) < 1e-6);
      assert.equal(m.boundary, null); // an interior optimum
    });

    test('GGom/NBD on CDNOW: a boundary optimum (b -> 0, the Pareto/NBD) with its note', () => {
      const [x, tx, t] = columns('cdnow_customers_summary.csv', ['frequency', 'recency', 'T']);
      const m = new lib.GammaGompertzNBD().fit({ frequency: x, recency: tx, T: t });
      // The Pareto/NBD optimum, computed by the independent Pareto/NBD model: LL -9594.974,
      // beta 11.668 (published -9595.0 and 11.669, Fader & Hardie's Pareto/NBD notes;
      // CLVTools' ggomnbd test: LL -9594.976 at its boundary).
      assert.ok(Math.abs(m.logLikelihood - -9594.974) < 1e-2, String(m.logLikelihood));
      assert.match(m.boundary, /^b -> 0 .*Pareto\/NBD/);
      assert.ok(Math.abs(m.params.beta / m.params.b - 11.668) < 0.01);
      assert.ok(Number.isNaN(m.stdErrors.b) || m.stdErrors.b === null);
      assertClvError(() => m.dert(0.01, { frequency: [1], recency: [1], T: [2] }), 'NOT_SUPPORTED', 'dert');
      assert.equal(lib.GammaGompertzNBD.fromParams(m.params).boundary, null);
    });

    test('fit options: penalty, and maxIterations too small to converge', () => {
      const [x, tx, t] = columns('cdnow_customers_summary.csv', ['frequency', 'recency', 'T']);
      const d = { frequency: x, recency: tx, T: t };
      const free = new lib.BetaGeo().fit(d);
      const pen = new lib.BetaGeo({ penalty: 0.1 }).fit(d);
      assert.ok(pen.logLikelihood < free.logLikelihood); // the penalty moves away from the MLE
      assertClvError(() => new lib.BetaGeo({ maxIterations: 1 }).fit(d), 'NOT_CONVERGED', null, 'maxIterations 1');
      assertClvError(() => new lib.BetaGeo({ gradientTolerance: -1 }), 'INVALID_INPUT', 'gradientTolerance');
      assertClvError(() => new lib.BetaGeo({ maxIterations: 0.5 }), 'INVALID_INPUT', 'maxIterations');
    });

    test('models from parameters and JSON round trips', () => {
      const pairs = [
        ['BetaGeo', FHL],
        ['ModifiedBetaGeo', { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 }],
        ['ParetoNBD', { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 }],
        ['BetaGeoBetaBinom', { alpha: 1.204, beta: 0.75, gamma: 0.657, delta: 2.783 }],
        ['GammaGamma', { p: 6.25, q: 3.74, v: 15.44 }],
        ['ShiftedBetaGeo', { alpha: 0.704, beta: 1.182 }],
      ];
      for (const [cls, params] of pairs) {
        const m = lib[cls].fromParams(params);
        assert.deepEqual({ ...m.params }, params, cls);
        assert.equal(m.logLikelihood, null, cls);
        assert.equal(m.stdErrors, null, cls);
        const text = JSON.stringify(m);
        assert.equal(JSON.parse(text).format_version, 1);
        assert.deepEqual({ ...lib[cls].fromJSON(text).params }, params, cls);
        assert.deepEqual({ ...lib[cls].fromJSON(m.toJSON()).params }, params, cls);
        assertClvError(() => lib[cls].fromJSON('{'), 'FORMAT_ERROR', null, cls);
        assertClvError(() => new lib[cls]().params, 'NOT_FITTED', null, `${cls} unfitted`);
      }
      // toString is the core's Display, as Python's repr and Rust's {} (issue 12: `BetaGeo {}`).
      assert.equal(String(lib.BetaGeo.fromParams(FHL)), 'BG/NBD(r=0.243, alpha=4.414, a=0.793, b=2.426)');
      assert.equal(`${lib.GammaGamma.fromParams({ p: 6.25, q: 3.74, v: 15.44 })}`, 'Gamma-Gamma(p=6.25, q=3.74, v=15.44)');
      assert.equal(new lib.BetaGeo().toString(), 'BetaGeo (not fitted)');
      // A saved BG/NBD is not a Pareto/NBD.
      assertClvError(() => lib.ParetoNBD.fromJSON(JSON.stringify(lib.BetaGeo.fromParams(FHL))), 'FORMAT_ERROR');
      assertClvError(() => lib.BetaGeo.fromParams({ ...FHL, alpha: -1 }), 'INVALID_INPUT', 'alpha');
      // A fitted model saves its fit and loads it back.
      const fitted = new lib.ShiftedBetaGeo().fit([1000, 631, 468, 382, 326, 289, 262, 241]);
      const back = lib.ShiftedBetaGeo.fromJSON(JSON.stringify(fitted));
      assert.equal(back.logLikelihood, fitted.logLikelihood);
      assert.deepEqual({ ...back.stdErrors }, { ...fitted.stdErrors });
    });

    test('every registry model (models()) has a class with its parameters and its family methods', () => {
      const entries = lib.models();
      assert.ok(entries.length >= 6);
      // how covariates enter each model: the core registry's links
      const links = Object.fromEntries(entries.map((e) => [e.key, e.covariates]));
      const purchase = { effects: 'purchase', set: 'purchase', params: ['alpha'], sign: -1 };
      assert.deepEqual(links.pareto_nbd, [purchase, { effects: 'dropout', set: 'dropout', params: ['beta'], sign: -1 }]);
      assert.deepEqual(links.bg_nbd, [purchase, { effects: 'dropout', set: 'dropout', params: ['a', 'b'], sign: 1 }]);
      assert.deepEqual(links.gamma_gamma, [{ effects: 'spend', set: 'spend', params: ['v'], sign: 1 }]);
      assert.deepEqual(links.bg_bb, []);
      const spendEntry = entries.find((e) => e.family === 'spend');
      // Parameters 1, 1.1, 1.2, …: valid for every model of the registry.
      const ones = (e) => Object.fromEntries(e.params.map((p, i) => [p, 1 + i / 10]));
      const spend = lib[spendEntry.class].fromParams(ones(spendEntry));
      for (const e of entries) {
        const cls = lib[e.class];
        assert.equal(typeof cls, 'function', `${e.key}: no class ${e.class}`);
        const params = ones(e);
        const m = cls.fromParams(params);
        assert.deepEqual(Object.keys(m.params), e.params, e.key);
        assert.deepEqual({ ...m.params }, params, e.key);
        assert.equal(JSON.parse(JSON.stringify(m)).model, e.key);
        assert.deepEqual({ ...cls.fromJSON(JSON.stringify(m)).params }, params, e.key);
        assert.deepEqual(m.summary().map((r) => r.param), e.params, e.key);
        assertClvError(() => new cls().params, 'NOT_FITTED', null, e.key);
        assertClvError(() => cls.fromParams({ ...params, [e.params[0]]: -1 }), 'INVALID_INPUT', e.params[0], e.key);
        if (e.family === 'transaction') {
          // Two customers, whole numbers so that discrete-time models take them too.
          const data = Object.fromEntries(e.inputs.map((k, i) => [k, [[2, 0], [3, 0], [4, 4]][i]]));
          const alive = m.probAlive(data);
          assert.ok(alive.every((p) => p >= 0 && p <= 1), `${e.key} ${alive}`);
          // CLV of every transaction model (monthly units: whole periods).
          const value = m.customerLifetimeValue(spend, { frequency: [2, 0], recency: [3, 0], T: [4, 4], monetaryValue: [10, 0] }, { freq: 'M' });
          assert.ok(value.every(Number.isFinite), `${e.key} CLV ${value}`);
          // the age by the model's own input name too (BG/BB: nPeriods, as its other methods)
          const age = e.inputs[2];
          const named = lib.customerLifetimeValue(m, spend, { frequency: [2, 0], recency: [3, 0], [age]: [4, 4], monetaryValue: [10, 0] }, { freq: 'M' });
          assert.deepEqual(Array.from(named), Array.from(value), `${e.key} CLV with ${age}`);
        }
      }
    });

    test("a method called on another class's instance is refused, not answered for it", () => {
      // issue 17: WASM read a wrong-class `this` as its own model
      const data = { frequency: [2], recency: [30.43], T: [38.86] };
      const pareto = lib.ParetoNBD.fromParams({ r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 });
      const gg = lib.GammaGamma.fromParams({ p: 6.25, q: 3.74, v: 15.44 });
      for (const other of [pareto, gg]) {
        const call = () => lib.BetaGeo.prototype.probAlive.call(other, data);
        if (name === 'wasm') {
          assertClvError(call, 'INVALID_INPUT', 'this');
        } else {
          assert.throws(call, /Illegal invocation|this/); // napi's own type check
        }
      }
      assert.ok(Math.abs(lib.BetaGeo.fromParams(FHL).probAlive(data)[0] - 0.7258) < 1e-3);
    });

    test('scalars must be numbers, and a getter that throws is an error, not undefined', () => {
      // issue 17 #16, #17: WASM read t = '10' as 10, null as 0, and a throwing getter as undefined
      const m = lib.BetaGeo.fromParams(FHL);
      const data = { frequency: [2], recency: [30.43], T: [38.86] };
      for (const bad of ['10', null, true, undefined]) {
        const calls = {
          t: () => m.expectedPurchasesNew(bad),
          'expectedPurchases t': () => m.expectedPurchases(bad, data),
        };
        for (const [what, call] of Object.entries(calls)) {
          assertClvError(call, 'INVALID_INPUT', 't', `${what} ${bad}`);
        }
      }
      assert.equal(m.expectedPurchasesNew(10), m.expectedPurchasesNew(10.0));
      const boom = { recency: [30.43], T: [38.86], get frequency() { throw new Error('boom'); } };
      if (name === 'wasm') assertClvError(() => m.probAlive(boom), 'INVALID_INPUT', 'frequency');
      else assert.throws(() => m.probAlive(boom), /boom|frequency/);
    });

    test('wrong-typed input: our INVALID_INPUT naming the field (and index), not the runtime\'s own error', () => {
      // issue 17 #16: Node answered napi's InvalidArg / NumberExpected here
      const m = lib.BetaGeo.fromParams(FHL);
      const sbg = lib.ShiftedBetaGeo.fromParams({ alpha: 0.704, beta: 1.182 });
      const gg = lib.GammaGamma.fromParams({ p: 6.25, q: 3.74, v: 15.44 });
      const data = { frequency: [2], recency: [30.43], T: [38.86] };
      for (const bad of [null, undefined, '10', true, { x: 1 }]) {
        const label = `${JSON.stringify(bad) ?? 'undefined'}`;
        const scalars = {
          t: [() => m.expectedPurchasesNew(bad), () => m.probPurchases(1, bad), () => sbg.survival(bad)],
          n: [() => m.probPurchases(bad, 10), () => m.probPurchasesConditional(bad, 10, data)],
          discount: [() => m.dert(bad, data), () => sbg.discountedExpectedLifetime(bad)],
          m: [() => m.probAliveAhead(bad, data)],
          renewals: [() => sbg.dert(0.1, bad)],
        };
        for (const [field, calls] of Object.entries(scalars)) {
          calls.forEach((call, i) => assertClvError(call, 'INVALID_INPUT', field, `${field} #${i} ${label}`));
        }
        const arrays = {
          frequency: [
            () => m.probAlive({ ...data, frequency: bad }),
            () => new lib.BetaGeo().fit({ ...data, frequency: bad }),
            () => m.probAlive({ ...data, frequency: [2, bad] }),
            () => gg.expectedSpend({ frequency: bad, monetaryValue: [3] }),
          ],
          T: [() => m.expectedPurchases(1, { ...data, T: bad })],
          monetaryValue: [() => m.customerLifetimeValue(gg, { ...data, monetaryValue: bad })],
          survivors: [() => new lib.ShiftedBetaGeo().fit(bad), () => sbg.logLikelihoodOf([100, bad])],
        };
        for (const [field, calls] of Object.entries(arrays)) {
          calls.forEach((call, i) => assertClvError(call, 'INVALID_INPUT', field, `${field} #${i} ${label}`));
        }
        // module functions: arrays and numbers of the portfolio, experiment and simulation functions
        const fns = {
          values: [() => lib.gini(bad), () => lib.whaleCurve(bad), () => lib.valueTiers(bad), () => lib.riskRanking(bad, [0.5])],
          pAlive: [() => lib.revenueAtRisk([1], bad), () => lib.offerCeiling([1], bad, 0.5)],
          // not given (null, undefined): the defaults, 1 and 0, as in Python
          successRate: bad == null ? [] : [() => lib.offerCeiling([1], [0.5], bad)],
          treated: [() => lib.uplift(bad, [1, 2])],
          control: [() => lib.uplift([1, 2], bad)],
          T: [() => lib.simulate(m, bad, 1), () => lib.customerExposure([1], bad)],
          seed: bad == null ? [] : [() => lib.simulate(m, [10], bad), () => lib.simulateSpend(gg, [2], bad), () => lib.simulateSurvivors(sbg, 10, 3, bad)],
          purchases: [() => lib.alivePath(m, bad, 3)],
          size: [() => lib.simulateSurvivors(sbg, bad, 3, 1)],
          nTreated: [() => lib.upliftProportions({ successesTreated: 9, nTreated: bad, successesControl: 3, nControl: 10 })],
          successes: [() => lib.wilsonInterval(bad, 10)],
          n: [() => lib.wilsonInterval(9, bad)],
          dp: [() => lib.roundMoney('1.005', bad)],
          frequency: [() => lib.periodTransactions(m, { frequency: bad, T: [10] })],
          frequencyHoldout: [() => lib.calibrationVsHoldout(m, { ...data, frequencyHoldout: bad, durationHoldout: [5] })],
        };
        for (const [field, calls] of Object.entries(fns)) {
          calls.forEach((call, i) => assertClvError(call, 'INVALID_INPUT', field, `${field} #${i} ${label}`));
        }
        // options: null and undefined are the default; another type names the option
        if (bad !== null && bad !== undefined) {
          const spend = { ...data, monetaryValue: [3] };
          const options = {
            penalty: () => new lib.BetaGeo({ penalty: bad }),
            maxIterations: () => new lib.BetaGeo({ maxIterations: bad }),
            time: () => m.customerLifetimeValue(gg, spend, { time: bad }),
            discountRate: () => lib.customerLifetimeValue(m, gg, spend, { discountRate: bad }),
            confidence: () => lib.uplift([1, 2, 3], [1, 2], { confidence: bad }),
            population: () => lib.upliftProportions({ successesTreated: 9, nTreated: 10, successesControl: 3, nControl: 10 }, { population: bad }),
          };
          for (const [field, call] of Object.entries(options)) assertClvError(call, 'INVALID_INPUT', field, `${field} ${label}`);
        } else {
          assert.ok(new lib.BetaGeo({ penalty: bad }) instanceof lib.BetaGeo);
        }
        // the data object itself: its first array is missing
        if (bad === null || bad === undefined || typeof bad !== 'object') {
          assertClvError(() => m.probAlive(bad), 'INVALID_INPUT', 'frequency', `data ${label}`);
        }
      }
    });

    test('wrong-typed input, the rest: fromParams, summary, RFM, formula, CSV, tracking and matrix inputs, strata', () => {
      // issue 17 #16: Node answered napi's InvalidArg / NumberExpected / "Cannot convert undefined or null" here
      const m = lib.BetaGeo.fromParams(FHL);
      const tx = { customerId: ['a', 'a'], datetime: ['2020-01-01', '2020-01-05'] };
      const rfm = { frequency: [1, 2], recency: [3, 4], T: [5, 6], monetaryValue: [7, 8] };
      const csvOpts = { customerIdCol: 'id', datetimeCol: 'date' };
      const csv = 'id,date\na,2020-01-01\n';
      const track = { firstPeriod: [0], repeatPeriods: [1], nPeriods: 3 };
      const wcc = { volume: '1', margin: '1', directCosts: '0', retentionCosts: '0', periods: 2, acquisitionCost: '0', costOfCapital: '0.1' };
      const simple = { averagePurchaseValue: '1', purchaseFrequency: '1', lifespan: '1', marginRate: '0.5' };
      const ret = { margin: '1', retention: '0.5', discountRate: '0.1' };
      const wc = { volume: ['1'], margin: ['1'], directCosts: ['0'], retentionCosts: ['0'], acquisitionCost: '0', costOfCapital: '0.1' };
      for (const bad of [null, undefined, '10', true, { x: 1 }, 5]) {
        const label = `${JSON.stringify(bad) ?? 'undefined'}`;
        const given = bad !== null && bad !== undefined;
        const check = (calls) => {
          for (const [field, list] of Object.entries(calls)) {
            list.forEach((call, i) => assertClvError(call, 'INVALID_INPUT', field, `${field} #${i} ${label}`));
          }
        };
        if (typeof bad !== 'number') {
          // in place of a number, an array of numbers or an object of them
          check({
            r: [() => lib.BetaGeo.fromParams(bad), () => lib.BetaGeo.fromParams({ ...FHL, r: bad })],
            alpha: [() => lib.ParetoNBD.fromParams({ r: 0.5, alpha: bad, s: 0.5, beta: 10 }), () => lib.ShiftedBetaGeo.fromParams({ beta: 1 })],
            p: [() => lib.GammaGamma.fromParams(bad)],
            frequency: [() => lib.rfmScores(bad), () => lib.rfmSegments({ ...rfm, frequency: bad }), () => lib.rfmScores({ ...rfm, frequency: [1, bad] })],
            T: [() => lib.rfmScores({ ...rfm, T: bad })],
            monetaryValue: [() => lib.rfmSegments({ ...rfm, monetaryValue: bad }), () => lib.customerTotals({ customerId: ['a'], monetaryValue: bad })],
            nPeriods: [() => lib.trackingSeries(m, bad), () => lib.trackingSeries(m, { ...track, nPeriods: bad })],
            firstPeriod: [() => lib.trackingSeries(m, { ...track, firstPeriod: bad })],
            repeatPeriods: [() => lib.trackingSeries(m, { ...track, repeatPeriods: bad })],
            maxFrequency: [() => lib.frequencyRecencyMatrix(m, bad), () => lib.frequencyRecencyMatrix(m, { maxRecency: 3, maxFrequency: bad })],
            maxRecency: [() => lib.frequencyRecencyMatrix(m, { maxFrequency: 3, maxRecency: bad })],
            periods: [() => lib.walandColeConstant(bad), () => lib.walandColeConstant({ ...wcc, periods: bad })],
          });
          if (given) {
            check({
              monetaryValue: [() => lib.rfmSummary({ ...tx, monetaryValue: bad })],
              bins: [() => lib.rfmScores(rfm, { bins: bad })],
              t: [() => lib.frequencyRecencyMatrix(m, { t: bad, maxFrequency: 3, maxRecency: 3 })],
              periods: [() => lib.retentionClv({ ...ret, periods: bad })],
              cuts: [() => lib.valueTiers([1, 2], { cuts: bad })],
              marginRate: [() => lib.customerTotals({ customerId: ['a'], monetaryValue: [1] }, { marginRate: bad })],
              multiplier: [() => lib.trackingSeries(m, { ...track, multiplier: bad })],
              points: [() => lib.heterogeneity(m, 'dropout', bad)],
            });
          }
        }
        if (typeof bad !== 'string') {
          // in place of a string, a list of strings or the text of a file
          check({
            customerId: [() => lib.rfmSummary(bad), () => lib.rfmSummary({ ...tx, customerId: bad }), () => lib.rfmSummary({ ...tx, customerId: ['a', bad] }),
              () => lib.customerTotals(bad)],
            datetime: [() => lib.rfmSummary({ ...tx, datetime: bad })],
            customerIdCol: [() => lib.rfmSummaryFromCsv(csv, bad), () => new lib.Summarizer(bad), () => lib.trackingSeriesFromCsv(m, csv, { ...csvOpts, customerIdCol: bad })],
            datetimeCol: [() => lib.rfmSummaryFromCsv(csv, { ...csvOpts, datetimeCol: bad })],
            text: [() => lib.rfmSummaryFromCsv(bad, csvOpts), () => lib.trackingSeriesFromCsv(m, bad, csvOpts), () => new lib.Summarizer(csvOpts).push(bad)],
            volume: [() => lib.walandCole(bad), () => lib.walandCole({ ...wc, volume: bad }), () => lib.walandColeConstant({ ...wcc, volume: bad })],
            costOfCapital: [() => lib.walandCole({ ...wc, costOfCapital: bad })],
            averagePurchaseValue: [() => lib.simpleClv(bad), () => lib.simpleClv({ ...simple, averagePurchaseValue: bad })],
            margin: [() => lib.retentionClv(bad), () => lib.retentionClv({ ...ret, margin: bad })],
            revenue: [() => lib.contributionMargin(bad)],
            variableCosts: [() => lib.contributionMargin({ revenue: '1', variableCosts: bad, costToServe: '0' })],
            value: [() => lib.roundMoney(bad, 2)],
            what: [() => lib.heterogeneity(m, bad)],
            treatedStrata: [() => lib.upliftStratified([1], bad, [1], ['a']), () => lib.upliftStratified([1], ['a', bad], [1], ['a'])],
            controlStrata: [() => lib.upliftStratified([1], ['a'], [1], bad)],
          });
          if (given) {
            check({
              freq: [() => lib.rfmSummary(tx, { freq: bad }), () => lib.rfmSummaryFromCsv(csv, { ...csvOpts, freq: bad })],
              monetaryValueCol: [() => lib.rfmSummaryFromCsv(csv, { ...csvOpts, monetaryValueCol: bad })],
              segmentMap: [() => lib.rfmSegments(rfm, { segmentMap: bad })],
              method: [() => lib.valueTiers([1, 2], { method: bad })],
              order: [() => new lib.Summarizer({ ...csvOpts, order: bad })],
              acquisitionCost: [() => lib.simpleClv({ ...simple, acquisitionCost: bad })],
              what: [() => lib.frequencyRecencyMatrix(m, { what: bad, maxFrequency: 3, maxRecency: 3 })],
            });
          }
        }
        if (given && typeof bad !== 'boolean') {
          check({
            skipInvalid: [() => lib.rfmSummary(tx, { skipInvalid: bad })],
            hasHeader: [() => lib.rfmSummaryFromCsv(csv, { ...csvOpts, hasHeader: bad })],
          });
        }
      }
      // the right types still work
      assert.equal(lib.rfmSummary(tx).customerId[0], 'a');
      assert.equal(lib.rfmSummaryFromCsv(csv, csvOpts).customerId[0], 'a');
      assert.equal(lib.rfmScores(rfm, { bins: 2 }).bins, 2);
      assert.equal(lib.trackingSeries(m, track).time.length > 0, true);
      assert.equal(lib.upliftStratified([1, 2], ['a', 'a'], [1, 2], ['a', 'a']).strata.length, 1);
    });

    test('arrays: Float64Array or plain arrays in, Float64Array out', () => {
      const m = lib.BetaGeo.fromParams(FHL);
      const plain = m.probAlive({ frequency: [2, 0], recency: [30.43, 0], T: [38.86, 38.86] });
      const typed = m.probAlive({
        frequency: Float64Array.of(2, 0),
        recency: Float64Array.of(30.43, 0),
        T: Float64Array.of(38.86, 38.86),
      });
      assert.ok(plain instanceof Float64Array);
      assert.deepEqual(Array.from(plain), Array.from(typed));
      // FHL (2005) note / lifetimes: P(alive | x=0) = 1
      assert.equal(plain[1], 1);
      assert.equal(m.probAlive({ frequency: [], recency: [], T: [] }).length, 0);
    });

    test('bad input: a JS Error with a code and the field in the message', () => {
      const m = lib.BetaGeo.fromParams(FHL);
      assertClvError(
        () => m.probAlive({ frequency: [1, 2], recency: [1, 1], T: [2] }),
        'LENGTH_MISMATCH',
        'T',
      );
      assertClvError(() => m.probAlive({ frequency: [1], recency: [1], T: [NaN] }), 'INVALID_INPUT', 'T');
      assertClvError(() => m.probPurchases(1.5, 1), 'INVALID_INPUT', 'n');
      assertClvError(() => m.probPurchases(-1, 1), 'INVALID_INPUT', 'n');
      // Wrong JS types are errors too (napi reports them as InvalidArg, WASM as INVALID_INPUT).
      for (const bad of [{ frequency: 'x', recency: [1], T: [1] }, { recency: [1], T: [1] }, { frequency: Int32Array.of(1), recency: [1], T: [1] }]) {
        let e;
        try {
          m.probAlive(bad);
        } catch (err) {
          e = err;
        }
        assert.ok(e instanceof Error);
        assert.match(e.message, /frequency/);
        assert.ok(['InvalidArg', 'INVALID_INPUT'].includes(e.code), e.code);
      }
      const gg = lib.GammaGamma.fromParams({ p: 6.25, q: 3.74, v: 15.44 });
      const data = { frequency: [1], recency: [1], T: [2], monetaryValue: [10] };
      assertClvError(() => lib.customerLifetimeValue(m, gg, data, { freq: 'Y' }), 'INVALID_INPUT', 'freq');
      assertClvError(() => lib.customerLifetimeValue(m, gg, data, { time: 1.5 }), 'INVALID_INPUT', 'time');
      assertClvError(
        () => lib.customerLifetimeValue(m, gg, { ...data, monetaryValue: [-1] }),
        'INVALID_INPUT',
        'monetaryValue',
      );
      assertClvError(() => lib.customerLifetimeValue(m, new lib.GammaGamma(), data), 'NOT_FITTED');
      // The core, not the binding, says which model does what.
      assertClvError(() => m.dert(0.1, { frequency: [1], recency: [1], T: [2] }), 'NOT_SUPPORTED', 'dert');
      assertClvError(() => lib.customerLifetimeValue(gg, gg, data), 'NOT_SUPPORTED', 'expected_purchases');
      assertClvError(() => new lib.GammaGamma().fit({ frequency: [0, 0], monetaryValue: [0, 0] }), 'EMPTY_INPUT');
    });

    test('rfmSummary: hand-computed days, holdout columns, and errors', () => {
      // a buys 01-01 (10), 01-03 (20); b 01-05 (5); observation end 01-10, days:
      // a: x = 1, t_x = 2, T = 9, monetary = 20 (repeat only); b: x = 0, T = 5.
      const s = lib.rfmSummary(
        { customerId: ['a', 'a', 'b'], datetime: ['2024-01-01', '2024-01-03', '2024-01-05'], monetaryValue: [10, 20, 5] },
        { observationPeriodEnd: '2024-01-10' },
      );
      assert.deepEqual(s.customerId, ['a', 'b']);
      assert.deepEqual(Array.from(s.frequency), [1, 0]);
      assert.deepEqual(Array.from(s.recency), [2, 0]);
      assert.deepEqual(Array.from(s.T), [9, 5]);
      assert.deepEqual(Array.from(s.monetaryValue), [20, 0]);
      assert.equal(s.unit, 'D');
      assert.equal(s.nTransactions, 3);
      assert.equal(s.frequencyHoldout, undefined);
      assertClvError(
        () => lib.rfmSummary({ customerId: ['a'], datetime: ['2024-02-30'] }),
        'INVALID_INPUT',
        'datetime',
      );
      assertClvError(
        () => lib.rfmSummary({ customerId: ['a'], datetime: ['2024-01-01'], monetaryValue: [-5] }),
        'INVALID_INPUT',
        'amount',
      );
      assertClvError(() => lib.rfmSummary({ customerId: [], datetime: [] }), 'EMPTY_INPUT');
      // issue 17 #8: a date-time with an offset is its wall time there, as in
      // Python (pandas tz_localize(None)): 23:30 and 00:30 at +02:00 are two
      // days (in UTC they were one, 21:30 and 22:30 on March 1st)
      const tz = lib.rfmSummary(
        { customerId: ['a', 'a'], datetime: ['2024-03-01T23:30+02:00', '2024-03-02T00:30+02:00'] },
        { observationPeriodEnd: '2024-03-03' },
      );
      assert.deepEqual([tz.frequency[0], tz.recency[0], tz.T[0]], [1, 1, 2]);
      // and years outside 0001..9999 are refused
      assertClvError(() => lib.rfmSummary({ customerId: ['a'], datetime: ['0000-01-01'] }), 'INVALID_INPUT', 'datetime');
      assertClvError(
        () => lib.rfmSummary({ customerId: ['a'], datetime: ['2024-01-01'] }, { freq: 'fortnight' }),
        'INVALID_INPUT',
        'freq',
      );
      const csv = 'id,day\na,2024-01-01\n';
      assertClvError(() => lib.rfmSummaryFromCsv(csv, { customerIdCol: 'id', datetimeCol: 'date' }), 'MISSING_COLUMN', 'date');
      assertClvError(
        () => lib.rfmSummaryFromCsv('id,day\na,yesterday\n', { customerIdCol: 'id', datetimeCol: 'day' }),
        'PARSE_ERROR',
        'day',
      );
    });

    test('CDNOW pipeline: transactions → summary → BG/NBD, Gamma-Gamma → CLV, RFM', () => {
      const r = pipeline(lib);
      results[name] = r;
      // The CDNOW sample summary is the papers' (tests/data/cdnow_customers_summary.csv,
      // FHL 2005): 2357 customers, the same x, t_x, T (up to float rounding of the file).
      const [x, tx, t] = columns('cdnow_customers_summary.csv', ['frequency', 'recency', 'T']);
      assert.equal(r.s.customerId.length, 2357);
      assert.equal(r.s.unit, '7d');
      assert.deepEqual(Array.from(r.s.frequency), Array.from(x));
      for (let i = 0; i < x.length; i++) {
        assert.ok(Math.abs(r.s.recency[i] - tx[i]) < 0.006 && Math.abs(r.s.T[i] - t[i]) < 0.006, `row ${i}`);
      }
      assert.equal(r.s.durationHoldout, 39);
      const fit = vector('bg_nbd.json').fits[0];
      for (const [k, v] of Object.entries(fit.expected_params)) {
        assert.ok(Math.abs(r.bg.params[k] - v) <= fit.atol_params, `${k} ${r.bg.params[k]}`);
      }
      const gg = vector('gamma_gamma.json').fits[0];
      for (const [k, v] of Object.entries(gg.expected_params)) {
        assert.ok(Math.abs(r.gg.params[k] - v) <= gg.atol_params, `${k} ${r.gg.params[k]}`);
      }
      assert.equal(r.clv.length, 2357);
      assert.ok(r.clv.every((v) => Number.isFinite(v) && v >= 0));
      assert.equal(r.seg.segment.length, 2357);
      assert.equal(r.seg.segmentCounts.reduce((a, c) => a + c.customers, 0), 2357);
      assert.equal(r.seg.rfmScore[0].length, 3);
    });

    test('rfmScores and rfmSegments options', () => {
      // frequency 0, 1, 1, 2 with 2 bins: L = 0, 1, 1, 3 → 1 + floor(2·L/4) = 1, 1, 1, 2 (rfm.rs docs)
      const d = { frequency: [0, 1, 1, 2], recency: [0, 0, 0, 0], T: [5, 5, 5, 5], monetaryValue: [1, 1, 1, 1] };
      const s = lib.rfmScores(d, { bins: 2 });
      assert.deepEqual(Array.from(s.fScore), [1, 1, 1, 2]);
      assert.ok(s.fScore instanceof Uint8Array);
      assert.equal(s.bins, 2);
      assertClvError(() => lib.rfmScores(d, { bins: 10 }), 'INVALID_INPUT', 'bins');
      assertClvError(() => lib.rfmSegments(d, { segmentMap: '{' }), 'FORMAT_ERROR');
    });

    test('decimal formulas: strings in, strings out', () => {
      // 50 · 4 · 3 · 0.25 = 150.00 (hand-computed)
      assert.equal(lib.simpleClv({ averagePurchaseValue: '50', purchaseFrequency: '4', lifespan: '3', marginRate: '0.25' }), '150.00');
      // 100 · 0.8 / (1 + 0.1 − 0.8) = 266.66…67
      assert.equal(lib.roundMoney(lib.retentionClv({ margin: '100', retention: '0.8', discountRate: '0.1' }), 2), '266.67');
      // Σ_{t=1..2} 100 · (0.8/1.1)^t = 72.7272… + 52.8925… = 125.6198…
      assert.equal(lib.roundMoney(lib.retentionClv({ margin: '100', retention: '0.8', discountRate: '0.1', periods: 2 }), 4), '125.6198');
      assert.equal(lib.contributionMargin({ revenue: '1000', variableCosts: '600', costToServe: '150' }), '250');
      // costToServe defaults to 0, as in Python and `clv value margin`
      assert.equal(lib.contributionMargin({ revenue: '1000', variableCosts: '600' }), '400');
      // (10·5 − 2 − 1)/1.1 + (12·5 − 2 − 1)/1.21 − 20 = 42.7272… + 47.1074… − 20 = 69.8347…
      const wc = lib.walandCole({
        volume: ['10', '12'],
        margin: ['5', '5'],
        directCosts: ['2', '2'],
        retentionCosts: ['1', '1'],
        acquisitionCost: '20',
        costOfCapital: '0.1',
      });
      assert.equal(lib.roundMoney(wc, 4), '69.8347');
      // constant: 47 · (1/1.1 + 1/1.21) − 20 = 47 · 1.7355… − 20 = 61.5702…
      const wcc = lib.walandColeConstant({
        volume: '10', margin: '5', directCosts: '2', retentionCosts: '1', periods: 2, acquisitionCost: '20', costOfCapital: '0.1',
      });
      assert.equal(lib.roundMoney(wcc, 4), '61.5702');
      // Exact: 0.1 + 0.2 as money is 0.3, not 0.30000000000000004.
      assert.equal(lib.contributionMargin({ revenue: '0.3', variableCosts: '0.1', costToServe: '0.2' }), '0.0');
      assertClvError(() => lib.simpleClv({ averagePurchaseValue: '5O', purchaseFrequency: '4', lifespan: '3', marginRate: '0.25' }), 'INVALID_INPUT', 'averagePurchaseValue');
      assertClvError(() => lib.retentionClv({ margin: '100', retention: '1', discountRate: '0.1' }), 'INVALID_INPUT', 'retention');
      assertClvError(() => lib.roundMoney('1.5', 29), 'INVALID_INPUT', 'dp');
    });

    test('portfolio: whaleCurve, gini, valueTiers, revenueAtRisk, riskRanking, offerCeiling, customerTotals', () => {
      // Hand-computed: sorted 100, 50, −30; total V = 120; shares 100/120, 150/120, 120/120.
      const w = lib.whaleCurve([50, -30, 100]);
      assert.ok(w.cumulativeShare instanceof Float64Array && w.order instanceof Uint32Array);
      assert.deepEqual(Array.from(w.order), [2, 0, 1]);
      assert.deepEqual(Array.from(w.sortedValues), [100, 50, -30]);
      assert.deepEqual(Array.from(w.cumulativeShare), [100 / 120, 150 / 120, 1]);
      assert.deepEqual([w.total, w.created, w.destroyed], [120, 150, -30]);
      // Peak 150/120 = 1.25 after 2 of 3 customers.
      assert.deepEqual([w.peakShare, w.peakCustomers, w.peakFraction], [1.25, 2, 2 / 3]);
      assert.deepEqual(Array.from(w.destroyers), [1]);
      // Top 1 %: ⌈0.03⌉ = 1 customer, 100/120; top 50 %: ⌈1.5⌉ = 2 customers, 150/120.
      assert.deepEqual(w.topShares.map((t) => [t.fraction, t.customers]), [[0.01, 1], [0.05, 1], [0.1, 1], [0.2, 1], [0.5, 2]]);
      assert.equal(w.topShares[4].share, 1.25);
      // Gini = Σᵢ Σⱼ |vᵢ − vⱼ| / (2 n² μ) = 2(80 + 50 + 130) / (2 · 9 · 40) = 520/720.
      assert.ok(Math.abs(w.gini - 520 / 720) < 1e-12);
      assert.ok(Math.abs(lib.gini(Float64Array.from([50, -30, 100])) - 520 / 720) < 1e-12);
      assert.equal(lib.gini([3, 3, 3]), 0);

      // Default cuts (0.8, 0.95) by cumulative share: see portfolio.json's small case
      // (total 427.5; customers before the 8th hold 415.5/427.5 = 0.972 ≥ 0.95 → C).
      const values = [120, 80, 80, 45.5, 30, 30, 30, 12, 0, 0];
      const t = lib.valueTiers(values);
      assert.equal(t.method, 'share');
      assert.deepEqual(Array.from(t.cuts), [0.8, 0.95]);
      assert.deepEqual(t.tier, ['A', 'A', 'A', 'A', 'A', 'A', 'A', 'C', 'C', 'C']);
      assert.deepEqual(t.tiers.map((r) => [r.tier, r.customers, r.value]), [['A', 7, 415.5], ['B', 0, 0], ['C', 3, 12]]);
      assert.equal(t.tiers[0].share, 415.5 / 427.5);
      assert.deepEqual(lib.valueTiers(values, { method: 'cumulativeShare' }).tier, t.tier);
      // Quantile, cuts 0.5, 0.9: top ⌈5⌉ = 5 customers are A, but the tie at 30 pulls customers 6, 7 into A too.
      const q = lib.valueTiers(values, { cuts: [0.5, 0.9], method: 'quantile' });
      assert.equal(q.method, 'quantile');
      assert.deepEqual(q.tier, ['A', 'A', 'A', 'A', 'A', 'A', 'A', 'B', 'B', 'B']);

      // value × (1 − pAlive): 1000 · 0.6 = 600, 50 · 0.1 = 5.
      const r = lib.revenueAtRisk([1000, 50], [0.4, 0.9]);
      assert.ok(r instanceof Float64Array);
      assert.ok(Math.abs(r[0] - 600) < 1e-9 && Math.abs(r[1] - 5) < 1e-9);
      const k = lib.riskRanking([50, 1000], [0.9, 0.4]);
      // total 605 of 1050; retained 1000·0.4 + 50·0.9 = 445; largest at risk first.
      assert.ok(Math.abs(k.total - 605) < 1e-9 && Math.abs(k.share - 605 / 1050) < 1e-12);
      assert.ok(Math.abs(k.expectedRetained - 445) < 1e-9 && k.totalValue === 1050);
      assert.deepEqual(k.atRisk.map((c) => [c.index, c.value, c.pAlive]), [[1, 1000, 0.4], [0, 50, 0.9]]);

      // 1200/0.6 = 2000 if retained, ceiling 0.4 · 2000 = 800; a negative CLV gets no offer.
      const o = lib.offerCeiling([1200, -50], [0.6, 0.9], 1);
      assert.ok(Math.abs(o.ceiling[0] - 800) < 1e-9 && o.ceiling[1] === 0);
      assert.ok(Math.abs(o.valueIfRetained[0] - 2000) < 1e-9);
      assert.deepEqual(Array.from(o.valueIfLost), [0, 0]);
      assert.deepEqual(Array.from(o.valueWithoutOffer), [1200, -50]);
      // Half the offers work: 0.5 · 800 = 400.
      assert.ok(Math.abs(lib.offerCeiling([1200], [0.6], 0.5).ceiling[0] - 400) < 1e-9);

      assertClvError(() => lib.valueTiers(values, { method: 'abc' }), 'INVALID_INPUT', 'method');
      assertClvError(() => lib.valueTiers(values, { cuts: [0.9, 0.8] }), 'INVALID_INPUT', 'cuts');
      const e = assertClvError(() => lib.revenueAtRisk([1, 2], [0.5]), 'LENGTH_MISMATCH', 'pAlive');
      assert.doesNotMatch(e.message, /p_alive/);
      assertClvError(() => lib.riskRanking([1], [-0.1]), 'INVALID_INPUT', 'pAlive');
      assertClvError(() => lib.offerCeiling([1], [0.5], 2), 'INVALID_INPUT', 'successRate');
      assert.deepEqual(Array.from(lib.offerCeiling([1200], [0.6]).ceiling), Array.from(lib.offerCeiling([1200], [0.6], 1).ceiling));
      assertClvError(() => lib.whaleCurve([]), 'EMPTY_INPUT', 'values');
      assertClvError(() => lib.whaleCurve([1, Infinity]), 'INVALID_INPUT', 'values');
      assertClvError(() => lib.gini([0, 0]), 'INVALID_INPUT', 'values');

      // a: 0.3 · 40 − 2 · 2 = 8; b: 0.3 · 4 − 2 · 1 = −0.8 (hand-computed); customers in order of first appearance.
      const log = { customerId: ['a', 'b', 'a'], monetaryValue: [10, 4, 30] };
      const ct = lib.customerTotals(log, { marginRate: 0.3, costPerTransaction: 2 });
      assert.deepEqual(ct.customerId, ['a', 'b']);
      assert.ok(ct.revenue instanceof Float64Array);
      assert.deepEqual([Array.from(ct.revenue), Array.from(ct.transactions)], [[40, 4], [2, 1]]);
      assert.ok(Math.abs(ct.margin[0] - 8) < 1e-12 && Math.abs(ct.margin[1] + 0.8) < 1e-12);
      assert.deepEqual(Array.from(lib.customerTotals(log).margin), [40, 4]); // defaults: margin = revenue
      assertClvError(() => lib.customerTotals({ customerId: ['a'], monetaryValue: [1, 2] }), 'LENGTH_MISMATCH', 'monetaryValue');
      assertClvError(() => lib.customerTotals(log, { marginRate: 1.5 }), 'INVALID_INPUT', 'marginRate');
      assertClvError(() => lib.customerTotals(log, { costPerTransaction: -1 }), 'INVALID_INPUT', 'costPerTransaction');
    });

    test('experiment: uplift, upliftProportions, wilsonInterval, upliftStratified', () => {
      // uplift.json's hand-checked case (scipy Welch): effect 15 − 10.5 = 3.5, total 5 · 3.5 = 17.5.
      const u = lib.uplift([12, 15, 11, 18, 14], [10, 12, 9, 11]);
      assert.deepEqual([u.metric, u.method, u.confidence, u.nTreated, u.nControl], ['continuous', 'welch', 0.95, 5, 4]);
      assert.deepEqual([u.meanTreated, u.meanControl, u.effect, u.population, u.total], [14, 10.5, 3.5, 5, 17.5]);
      assert.ok(Math.abs(u.df - 5.921641791044776) < 1e-9 && Math.abs(u.pValue - 0.04530664166477326) < 1e-9);
      assert.ok(Math.abs(u.relativeEffect - 1 / 3) < 1e-12);
      assert.ok(u.ciLow < u.effect && u.effect < u.ciHigh);
      // population 1000: total = 3.5 · 1000, interval scaled the same way.
      const p = lib.uplift([12, 15, 11, 18, 14], [10, 12, 9, 11], { population: 1000 });
      assert.ok(Math.abs(p.total - 3500) < 1e-9 && Math.abs(p.totalCiLow - 1000 * u.ciLow) < 1e-6);
      // Binary, both groups all 0: no relative effect (null), no df (null).
      const z = lib.uplift(new Float64Array(10), new Float64Array(10), { metric: 'binary' });
      assert.deepEqual([z.metric, z.method, z.relativeEffect, z.df, z.pValue], ['binary', 'newcombe_hybrid_score', null, null, 1]);

      // 9/10 vs 3/10 from counts = from 0/1 outcomes (Newcombe 1998, Table II (b): 0.1705, 0.8090).
      const ones = (k, n) => Array.from({ length: n }, (_, i) => (i < k ? 1 : 0));
      const fromCounts = lib.upliftProportions({ successesTreated: 9, nTreated: 10, successesControl: 3, nControl: 10 });
      const fromOutcomes = lib.uplift(ones(9, 10), ones(3, 10), { metric: 'binary' });
      assert.deepEqual({ ...fromCounts }, { ...fromOutcomes });
      // booleans count as 1 and 0, as in Python
      const flags = (k, n) => ones(k, n).map(Boolean);
      assert.deepEqual({ ...lib.uplift(flags(9, 10), flags(3, 10), { metric: 'binary' }) }, { ...fromOutcomes });
      assert.deepEqual({ ...lib.upliftStratified(flags(9, 10), Array(10).fill('a'), flags(3, 10), Array(10).fill('a'), { metric: 'binary' }) },
        { ...lib.upliftStratified(ones(9, 10), Array(10).fill('a'), ones(3, 10), Array(10).fill('a'), { metric: 'binary' }) });
      assertClvError(() => lib.uplift([1, 'yes'], [0, 1], { metric: 'binary' }), 'INVALID_INPUT', 'treated');
      assert.ok(Math.abs(fromCounts.ciLow - 0.1705) < 5e-5 && Math.abs(fromCounts.ciHigh - 0.809) < 5e-5);

      // Wilson (1927), written out here: (2x + z² ± z√(z² + 4x(1 − x/n))) / (2(n + z²)), z = Φ⁻¹(0.975).
      const zz = 1.959963984540054;
      const root = zz * Math.sqrt(zz * zz + 4 * 9 * (1 - 9 / 10));
      const [lo, hi] = lib.wilsonInterval(9, 10);
      assert.ok(Math.abs(lo - (18 + zz * zz - root) / (2 * (10 + zz * zz))) < 1e-9);
      assert.ok(Math.abs(hi - (18 + zz * zz + root) / (2 * (10 + zz * zz))) < 1e-9);

      // small: 11 − 9.5 = 1.5 (weight 2/5); large: 32 − 26 = 6 (weight 3/5); δ = 0.4 · 1.5 + 0.6 · 6 = 4.2.
      const s = lib.upliftStratified(
        [10, 12, 30, 34, 32], ['small', 'small', 'large', 'large', 'large'],
        [9, 10, 25, 27], ['small', 'small', 'large', 'large'],
      );
      assert.ok(Math.abs(s.overall.effect - 4.2) < 1e-12);
      assert.equal(s.overall.method, 'stratified_welch_satterthwaite');
      assert.deepEqual(s.strata.map((r) => [r.stratum, r.nTreated, r.nControl, r.weight, r.effect]), [['large', 3, 2, 0.6, 6], ['small', 2, 2, 0.4, 1.5]]);

      assertClvError(() => lib.uplift([1, 2], [1, 3], { metric: 'yes' }), 'INVALID_INPUT', 'metric');
      assertClvError(() => lib.uplift([1, 2], [1, 3], { confidence: 1.5 }), 'INVALID_INPUT', 'confidence');
      assertClvError(() => lib.uplift([1, 2], [1, 3], { population: -1 }), 'INVALID_INPUT', 'population');
      assertClvError(() => lib.uplift([1, 2], [], {}), 'EMPTY_INPUT', 'control');
      assertClvError(() => lib.upliftProportions({ successesTreated: 9, nTreated: 2.5, successesControl: 3, nControl: 10 }), 'INVALID_INPUT', 'nTreated');
      assertClvError(() => lib.upliftProportions({ successesTreated: 11, nTreated: 10, successesControl: 3, nControl: 10 }), 'INVALID_INPUT');
      assertClvError(() => lib.wilsonInterval(1, 0), 'INVALID_INPUT');
      assertClvError(() => lib.upliftStratified([1, 2], ['a'], [1, 2], ['a', 'a']), 'LENGTH_MISMATCH', 'treatedStrata');
    });
  });
}

describe('both backends', () => {
  test('the CDNOW pipeline gives the same numbers on node and wasm', () => {
    const a = results.node ?? pipeline(backends[0].lib);
    const b = results.wasm ?? pipeline(backends[1].lib);
    const close = (x, y, what) => assert.ok(Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x)), `${what}: ${x} vs ${y}`);
    for (const k of ['r', 'alpha', 'a', 'b']) close(a.bg.params[k], b.bg.params[k], k);
    for (const k of ['p', 'q', 'v']) close(a.gg.params[k], b.gg.params[k], k);
    a.clv.forEach((v, i) => close(v, b.clv[i], `clv[${i}]`));
    a.alive.forEach((v, i) => close(v, b.alive[i], `alive[${i}]`));
    assert.deepEqual(a.seg.segment, b.seg.segment);
  });

  test('@clv/wasm declares the same input/output types as @clv/node', () => {
    const node = readFileSync(join(root, 'bindings', 'node', 'index.d.ts'), 'utf8');
    const wasm = readFileSync(join(root, 'bindings', 'wasm', 'pkg-node', 'clv_wasm.d.ts'), 'utf8');
    // wasm-bindgen indents the custom section's lines; compare them unindented.
    // Not the generic interfaces (a `<` in the first line: the node model
    // classes' shared methods), which build.rs leaves out.
    const ifaces = (text) => text.match(/^export interface [^<\n]*(\{\}$|\{\n[\s\S]*?^})/gm).join('\n').replace(/^[ \t]+/gm, '');
    assert.equal(ifaces(wasm), ifaces(node), 'bindings/wasm/build.rs copies them from index.d.ts: rebuild @clv/wasm');
  });

  test('the same classes and functions on both', () => {
    const surface = (lib) =>
      Object.keys(lib)
        // rfmSummaryFromFile reads a path: Node only (WASM has Summarizer for streams)
        .filter((k) => !k.startsWith('__') && k !== 'initSync' && k !== 'default' && k !== 'rfmSummaryFromFile')
        .sort()
        .map((k) => (typeof lib[k] === 'function' && lib[k].prototype
          ? `${k}: ${Object.getOwnPropertyNames(lib[k].prototype).filter((p) => p !== 'constructor' && p !== 'free' && !p.startsWith('__') && p !== Symbol.dispose).sort().join(',')}`
          : k));
    assert.deepEqual(surface(backends[1].lib), surface(backends[0].lib));
  });
});
