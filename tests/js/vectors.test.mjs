// The shared vectors (tests/vectors/*.json) against both JS backends: every
// case, every error case and every published fit of every file, read as the
// Rust runners in tests/tests/vectors_*.rs read them. One runner per file
// (RUNNERS): a model file's calls go to the class of the model's registry
// entry (`models()`); files with a `module` (portfolio.json, uplift.json)
// hold functions returning objects, compared key by key as
// tests/tests/structured/mod.rs does, with the JS names; errors.json is the
// cross-runtime error contract.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClose, assertClvError, backends, camel, columns, vector, vectorFiles } from './helpers.mjs';

/** The registry entry of a model key, from the package itself (`models()`). */
const entry = (lib, key) => lib.models().find((m) => m.key === key);

/** Input arrays are passed as one object (a retention model takes its one array as is). */
const isInput = (e, k) => e.inputs.includes(camel(k)) || k === 'weights';

/**
 * A vector case's call on `m` (a model of registry entry `e`): the scalar
 * arguments in the case's order, then the input object of the registry's
 * inputs in JS spelling; `log_likelihood` per customer is `logLikelihoodOf`.
 */
function invoke(e, m, fn, args) {
  const keys = Object.keys(args);
  const scalars = keys.filter((k) => !isInput(e, k)).map((k) => args[k]);
  const inputs = keys.filter((k) => isInput(e, k));
  const method = fn === 'log_likelihood' ? 'logLikelihoodOf' : camel(fn);
  if (inputs.length === 0) return m[method](...scalars);
  if (e.family === 'retention') return m[method](...scalars, ...inputs.map((k) => args[k]));
  return m[method](...scalars, Object.fromEntries(inputs.map((k) => [camel(k), args[k]])));
}

/** A case of a model file, on the model at the file's (or the case's) parameters. */
function runModel(lib, v, c) {
  const e = entry(lib, v.model);
  const m = lib[e.class].fromParams(c.params ? v.params_sets[c.params] : v.params);
  if (c.fn !== 'customer_lifetime_value') return invoke(e, m, c.fn, c.args);
  // As tests/tests/vectors_gamma_gamma.rs: FHL (2005) BG/NBD estimates with this spend model.
  const a = c.args;
  const bg = lib.BetaGeo.fromParams({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 });
  const data = { frequency: a.frequency, recency: a.recency, T: a.T, monetaryValue: a.monetary_value };
  const options = { time: a.time, discountRate: a.discount_rate, freq: a.freq };
  const viaFunction = lib.customerLifetimeValue(bg, m, data, options);
  assert.deepEqual(Array.from(bg.customerLifetimeValue(m, data, options)), Array.from(viaFunction));
  return viaFunction;
}

/**
 * A case of errors.json (the cross-runtime error contract): `params: null`
 * is an unfitted model (`new Class()`); `fit`, `from_params` and `from_json`
 * are the class's constructors.
 */
function runErrorCase(lib, c) {
  const e = entry(lib, c.model);
  const cls = lib[e.class];
  if (c.call === 'from_params') return cls.fromParams(c.args);
  if (c.call === 'from_json') return cls.fromJSON(c.args.json);
  const m = c.params ? cls.fromParams(c.params) : new cls();
  if (c.call === 'customer_lifetime_value') return clvCase(lib, m, c.args);
  if (c.call === 'simulate') return lib.simulate(modelArg(lib, c.args.model), c.args.T, c.args.seed);
  return invoke(e, m, c.call, c.args);
}

/**
 * A model argument of an errors.json case: `{"instance": key, "params": p}`
 * is that model class's instance (`fromParams(p)`); anything else (a
 * number, a string, null, a plain object) is passed as it is.
 */
function modelArg(lib, v) {
  if (v === null || typeof v !== 'object' || !('instance' in v)) return v;
  return lib[entry(lib, v.instance).class].fromParams(v.params);
}

/**
 * `customerLifetimeValue` of a case's model `m`: the transaction model when
 * the case gives `spend_model` (the function and the method must throw
 * the same), else the spend model of the case's `transaction_model`.
 */
function clvCase(lib, m, a) {
  const data = { frequency: a.frequency, recency: a.recency, T: a.T, monetaryValue: a.monetary_value };
  if ('transaction_model' in a) return lib.customerLifetimeValue(modelArg(lib, a.transaction_model), m, data);
  const spend = modelArg(lib, a.spend_model);
  let method;
  try {
    m.customerLifetimeValue(spend, data);
  } catch (err) {
    method = err;
  }
  try {
    lib.customerLifetimeValue(m, spend, data);
  } catch (err) {
    assert.equal(method?.code, err.code, `the method threw ${method?.message}, the function ${err.message}`);
    throw err;
  }
  throw new Error(`no error; the method threw ${method?.message}`);
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
  const e = entry(lib, v.model);
  if (e.family === 'retention') return new lib[e.class]().fit(fit.survivors);
  const names = [...fit.columns, ...(fit.weights ? [fit.weights] : [])];
  const c = columns(fit.data, names);
  const data = Object.fromEntries(e.inputs.map((k, i) => [k, c[i]]));
  if (fit.weights) data.weights = c[e.inputs.length];
  return new lib[e.class]().fit(data);
}

/** Cases, error cases and published fits of a model file. */
function modelFile(name, lib, file, v) {
  test(`${file}: ${v.cases.length} cases`, () => {
    for (const c of v.cases) assertClose(runModel(lib, v, c), c, `${name} ${file}`);
  });
  test(`${file}: ${v.errors.length} error cases`, () => {
    // Field names in the JS spelling (monetary_value → monetaryValue).
    for (const c of v.errors) assertClvError(() => runModel(lib, v, c), c.code, camel(c.field), `${name} ${file} ${c.fn}`);
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

/** Functions returning objects (portfolio.json, uplift.json), compared key by key. */
function moduleFile(name, lib, file, v) {
  const run = MODULES[v.module];
  test(`${file}: ${v.cases.length} cases`, () => {
    for (const c of v.cases) compare(run(lib, c), c.expected, c.rtol, c.atol ?? 0, `${name} ${file} ${c.fn} (${c.source})`);
  });
  test(`${file}: ${v.errors.length} error cases`, () => {
    // Field names in the JS spelling (p_alive → pAlive), as the JS arguments.
    for (const c of v.errors) assertClvError(() => run(lib, c), c.code, camel(c.field), `${name} ${file} ${c.fn}`);
  });
}

/** errors.json: the same code and field for the same bad input as in every runtime. */
function errorsFile(name, lib, file, v) {
  const cases = v.cases.filter((c) => !c.runtimes || c.runtimes.includes(name));
  test(`${file}: ${cases.length} error contract cases`, () => {
    for (const c of cases) {
      const label = `${name} ${file} ${c.model} ${c.call}`;
      assertClvError(() => runErrorCase(lib, c), c.code, c.field && camel(c.field), label);
    }
  });
}

/**
 * draws.json: the model from its JSON, its draws ({method, n, seed, data}), a
 * prediction with `quantiles`; the same quantiles to 1e-12 as every runtime.
 */
function runDraws(lib, c) {
  const m = lib.BetaGeo.fromJSON(c.model);
  const { method, n, seed, data } = c.draws;
  const d = m.draws({ method, n, seed, data: data && { frequency: data.frequency, recency: data.recency, T: data.T, weights: data.weights } });
  if (!c.fn) return null;
  const a = c.args;
  const customers = { frequency: a.frequency, recency: a.recency, T: a.T };
  const options = { quantiles: c.quantiles };
  return c.fn === 'prob_alive' ? d.probAlive(customers, options) : d.expectedPurchases(a.t, customers, options);
}

function drawsFile(name, lib, file, v) {
  test(`${file}: ${v.cases.length} cases`, () => {
    for (const c of v.cases) compare(runDraws(lib, c), c.expected, c.rtol, 0, `${name} ${file} ${c.name}`);
  });
  test(`${file}: ${v.errors.length} error cases`, () => {
    for (const c of v.errors) assertClvError(() => runDraws(lib, c), c.code, camel(c.field), `${name} ${file} ${c.field}`);
  });
}

/**
 * covariates.json: static-covariate models (`CovariateModel.fromParams`) and the
 * Gamma-Gamma with spend covariates (`SpendCovariateModel.fromParams`); each
 * case's customers carry their covariates as named columns, as the Rust
 * runner (tests/tests/covariates/mod.rs) and Python read them.
 */
function runCovariates(lib, v, c) {
  const m = v.models[c.model];
  const model = lib.CovariateModel.fromParams(c.model, m.params, { purchase: m.purchase, dropout: m.dropout });
  const a = c.args;
  const cov = { purchaseCovariates: a.purchase_covariates, dropoutCovariates: a.dropout_covariates };
  const data = { frequency: a.frequency, recency: a.recency, T: a.T };
  switch (c.fn) {
    case 'customer_params':
      return model.customerParams(cov);
    case 'prob_alive':
      return model.probAlive(data, cov);
    case 'log_likelihood':
      return model.logLikelihoodOf(data, cov);
    case 'expected_purchases':
      return model.expectedPurchases(a.t, data, cov);
    case 'expected_purchases_new':
      return model.expectedPurchasesNew(a.t, cov);
    case 'prob_purchases':
      return model.probPurchases(a.n, a.t, cov);
    case 'prob_purchases_conditional':
      return model.probPurchasesConditional(a.n, a.t, data, cov);
    case 'dert':
      return model.dert(a.discount, data, cov);
    default:
      throw new Error(`unknown fn ${c.fn}`);
  }
}

function runSpendCovariates(lib, v, c) {
  const model = lib.SpendCovariateModel.fromParams(v.spend_model.params, v.spend_model.effects);
  const a = c.args;
  const data = { frequency: a.frequency, monetaryValue: a.monetary_value };
  const cov = { spendCovariates: a.spend_covariates };
  return c.fn === 'log_likelihood' ? model.logLikelihoodOf(data, cov) : model.expectedSpend(data, cov);
}

function covariatesFile(name, lib, file, v) {
  test(`${file}: ${v.cases.length} cases`, () => {
    for (const c of v.cases) compare(runCovariates(lib, v, c), c.expected, c.rtol, c.atol ?? 0, `${name} ${file} ${c.model} ${c.fn} (${c.source})`);
  });
  test(`${file}: ${v.spend_cases.length} spend cases`, () => {
    for (const c of v.spend_cases) compare(runSpendCovariates(lib, v, c), c.expected, c.rtol, c.atol ?? 0, `${name} ${file} ${c.fn} (${c.source})`);
  });
}

// One runner per vector file; a vector file without one fails the guard below.
const RUNNERS = {
  'bg_bb.json': modelFile,
  'bg_nbd.json': modelFile,
  'covariates.json': covariatesFile,
  'draws.json': drawsFile,
  'errors.json': errorsFile,
  'gamma_gamma.json': modelFile,
  'mbg_nbd.json': modelFile,
  'pareto_nbd.json': modelFile,
  'ggom_nbd.json': modelFile,
  'portfolio.json': moduleFile,
  'sbg.json': modelFile,
  'uplift.json': moduleFile,
};

test('every vector file has a runner', () => {
  assert.deepEqual(vectorFiles().filter((f) => !RUNNERS[f]), [], 'add a line to RUNNERS in tests/js/vectors.test.mjs');
});

for (const { name, lib } of backends) {
  describe(`vectors on ${name}`, () => {
    for (const file of vectorFiles()) RUNNERS[file]?.(name, lib, file, vector(file));
  });
}
