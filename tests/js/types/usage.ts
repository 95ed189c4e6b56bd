// Type-checked (tsc --noEmit) against @clv/node's generated index.d.ts and,
// with the same code, @clv/wasm's generated .d.ts: both declare the same API.
import type * as Clv from 'clv-backend';

export function example(clv: typeof Clv): number {
  const summary: Clv.RfmSummary = clv.rfmSummary(
    { customerId: ['a', 'a', 'b'], datetime: ['2024-01-01', '2024-01-08', '2024-01-02'], monetaryValue: [10, 20, 5] },
    { freq: 'W', observationPeriodEnd: '2024-03-01' },
  );
  const customers: Clv.Customers = { frequency: summary.frequency, recency: summary.recency, T: summary.T };
  const monetaryValue = summary.monetaryValue ?? new Float64Array(summary.frequency.length);
  const data: Clv.SpendCustomers = { ...customers, monetaryValue };
  const bg = clv.BetaGeo.fromParams({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 });
  const params: Clv.BetaGeoParams = bg.params;
  const se: Clv.BetaGeoParams | null = bg.stdErrors;
  const alive: Float64Array = bg.probAlive(customers);
  const next: Float64Array = bg.expectedPurchases(10, customers);
  const newCustomer: number = bg.expectedPurchasesNew(39) + bg.probPurchases(0, 39);
  const gg = clv.GammaGamma.fromParams({ p: 6.25, q: 3.74, v: 15.44 });
  const value: Float64Array = clv.customerLifetimeValue(bg, gg, data, { time: 12, discountRate: 0.01, freq: 'W' });
  const saved: Record<string, unknown> = bg.toJSON();
  const again = clv.BetaGeo.fromJSON(JSON.stringify(saved));
  const ll: number | null = again.logLikelihood;
  const seg: Clv.RfmScores = clv.rfmSegments({ ...customers, monetaryValue }, { bins: 5 });
  const money: string = clv.simpleClv({ averagePurchaseValue: '50', purchaseFrequency: '4', lifespan: '3', marginRate: '0.25' });
  const fitted = new clv.ParetoNBD({ penalty: 0 }).fit({ frequency: [1, 0], recency: [5, 0], T: [10, 10] });
  // Any transaction model with any spend model (the core decides what is valid).
  const bgbb = clv.BetaGeoBetaBinom.fromParams({ alpha: 1.204, beta: 0.75, gamma: 0.657, delta: 2.783 });
  const discrete: Float64Array = clv.customerLifetimeValue(bgbb, gg, data, { freq: 'M' });
  const ahead: Float64Array = bgbb.probAliveAhead(1, { frequency: [1], recency: [2], nPeriods: [5] });
  const pareto: Clv.ParetoNBDParams = fitted.params;
  // Static covariates (Pareto/NBD, BG/NBD): fit with covariate sets gives a CovariateModel.
  const z: Clv.Covariates = { Gender: [0, 1] };
  const withCovariates: Clv.CovariateModel = new clv.ParetoNBD().fit({ frequency: [1, 0], recency: [5, 0], T: [10, 10] },
    { purchaseCovariates: z, dropoutCovariates: z, penalty: { purchase: 0.1 }, constrainEqual: ['Gender'] });
  const covs: Clv.CovariateOptions = { purchaseCovariates: z, dropoutCovariates: z };
  const info: Clv.CovariateFitInfo | null = withCovariates.fitInfo;
  const maybe: Clv.BetaGeo | Clv.CovariateModel = new clv.BetaGeo().fit(customers, {} as Clv.CovariateFitOptions);
  const covariate = withCovariates.params.r + withCovariates.covariateEffects.purchase.Gender
    + (withCovariates.stdErrors?.purchase_Gender ?? 0) + (withCovariates.logLikelihood ?? 0) + (info?.penalizedLogLikelihood ?? 0)
    + withCovariates.probAlive(customers, covs)[0] + withCovariates.expectedPurchases(10, customers, covs)[0]
    + withCovariates.logLikelihoodOf(customers, covs)[0] + withCovariates.expectedPurchasesNew(10, covs)[0]
    + withCovariates.customerParams(covs)[0].alpha + withCovariates.constrained.length + withCovariates.covariateNames.purchase.length
    + withCovariates.kind.length + (withCovariates.boundary ?? '').length
    + clv.CovariateModel.fromJSON(withCovariates.toJSON()).params.s + (maybe instanceof clv.CovariateModel ? 1 : 0)
    + withCovariates.probPurchases(2, 10, covs)[0] + withCovariates.probPurchasesConditional(1, 10, customers, covs)[0]
    + withCovariates.dert(0.01, customers, covs)[0];
  // Known parameters, and covariate rows joined on the customers' ids.
  const effects: Clv.CovariateEffects = { purchase: { Gender: 0.3 }, dropout: {} };
  const known: Clv.CovariateModel = clv.CovariateModel.fromParams('pareto_nbd', { r: 0.5, alpha: 10, s: 0.6, beta: 12 }, effects);
  const joined: Clv.CovariateOptions = { purchaseCovariates: { Gender: [1, 0] }, covariateIds: ['b', 'a'] };
  const byId = known.probAlive({ frequency: [1, 0], recency: [5, 0], T: [10, 10], customerId: ['a', 'b'] }, joined)[0]
    + clv.CovariateModel.fromParams('BetaGeo', { r: 0.2, alpha: 4, a: 0.8, b: 2.4 }).params.a;
  // Spend covariates (Gamma-Gamma): fit with spendCovariates gives a SpendCovariateModel.
  const spendFit: Clv.SpendCovariateModel = new clv.GammaGamma().fit(data, { spendCovariates: z, penalty: 0.1 });
  const spendCovs: Clv.SpendCovariateOptions = { spendCovariates: z };
  const spendInfo: Clv.CovariateFitInfo | null = spendFit.fitInfo;
  const given = clv.SpendCovariateModel.fromParams({ p: 6.25, q: 3.74, v: 15.44 }, { Gender: 0.1 });
  const maybeSpend: Clv.GammaGamma | Clv.SpendCovariateModel = new clv.GammaGamma().fit(data, {} as Clv.SpendCovariateFitOptions);
  const spending = spendFit.params.p + spendFit.covariateEffects.Gender + (spendFit.stdErrors?.spend_Gender ?? 0)
    + (spendFit.logLikelihood ?? 0) + (spendInfo?.nObservations ?? 0) + spendFit.penalty + spendFit.covariateNames.length
    + spendFit.expectedSpend(data, spendCovs)[0] + spendFit.logLikelihoodOf(data, spendCovs)[0] + given.kind.length
    + given.name.length + given.toString().length + clv.SpendCovariateModel.fromJSON(given.toJSON()).params.q
    + clv.SpendCovariateModel.fromParams({ p: 1, q: 2, v: 3 }).params.v + (maybeSpend instanceof clv.SpendCovariateModel ? 1 : 0);
  // Retention covariates (sBG): fitIndividual gives a RetentionCovariateModel.
  const contracts: Clv.RetentionCustomers = { periods: [1, 2, 3, 3], churned: [true, 1, false, 0], weights: [1, 1, 1, 1] };
  const retCovs: Clv.RetentionCovariateOptions = { dropoutCovariates: { Premium: [0, 1, 0, 1] } };
  const retFit: Clv.RetentionCovariateModel = new clv.ShiftedBetaGeo().fitIndividual(contracts,
    { ...retCovs, penalty: 0.1, maxIterations: 100, gradientTolerance: 1e-6 } as Clv.RetentionCovariateFitOptions);
  const retEffects: Clv.RetentionCovariateEffects = retFit.covariateEffects;
  const retGiven = clv.RetentionCovariateModel.fromParams({ alpha: 0.704, beta: 1.182 }, { alpha: { Premium: 0.5 } });
  const retaining = retFit.params.alpha + (retEffects.alpha?.Premium ?? 0) + (retFit.stdErrors?.beta_Premium ?? 0)
    + (retFit.logLikelihood ?? 0) + (retFit.fitInfo?.nObservations ?? 0) + retFit.penalty + retFit.covariateNames.length
    + retFit.survival(2, retCovs)[0] + retFit.retention(2, retCovs)[0] + retFit.probChurn(2, retCovs)[0]
    + retFit.dert(0.1, [1, 2, 3, 4], retCovs)[0] + retFit.dert(0.1, 2, retCovs)[0]
    + retFit.discountedExpectedLifetime(0.1, retCovs)[0] + retFit.customerParams(retCovs)[0].beta
    + retFit.logLikelihoodOf(contracts, retCovs)[0] + retGiven.kind.length + retGiven.name.length + retGiven.toString().length
    + clv.RetentionCovariateModel.fromJSON(retGiven.toJSON()).params.beta + clv.RetentionCovariateModel.fromParams({ alpha: 1, beta: 2 }).survival(1)[0];
  // Time-varying covariates (Pareto/NBD): a DynamicCovariateData, fitDynamic and the *Dynamic predictions.
  const table: Clv.DynamicCovariateTable = { id: ['a', 'a', 'b'], periodStart: ['2024-01-01', '2024-01-08', '2024-01-01'],
    columns: { Season: [0, 1, 0] } };
  const dynOptions: Clv.DynamicCovariateOptions = { purchaseCovariates: ['Season'], dropoutCovariates: ['Season'], freq: 'W' };
  const dyn = new clv.DynamicCovariateData({ customerId: ['a', 'b'], datetime: ['2024-01-01', '2024-01-02'] }, table, dynOptions);
  const dynSummary: Clv.DynamicSummary = dyn.summary;
  const dynFit: Clv.CovariateModel = clv.CovariateModel.fitDynamic(dyn, { penalty: { dropout: 0.1 }, constrainEqual: ['Season'],
    weights: [1, 1], maxIterations: 100 } as Clv.DynamicFitOptions);
  const dynamic = dynFit.probAliveDynamic(dyn)[0] + dynFit.expectedPurchasesDynamic(1, dyn)[0]
    + dynFit.discountedExpectedPurchasesDynamic(1, 0.01, dyn)[0] + dynFit.logLikelihoodDynamic(dyn)[0]
    + dyn.customerId.length + dynSummary.T[0] + dynSummary.unit.length + dyn.covariateNames.purchase.length + dyn.unit.length
    + clv.CovariateModel.fitDynamic(dyn).params.r;
  const entries: Array<Clv.ModelEntry> = clv.models();
  const sbg = new clv.ShiftedBetaGeo().fit([1000, 631, 468, 382]);
  const whale: Clv.WhaleCurve = clv.whaleCurve(value);
  const shares: Float64Array = whale.cumulativeShare;
  const tiers: Clv.ValueTiers = clv.valueTiers(value, { cuts: [0.8, 0.95], method: 'quantile' });
  const atRisk: Float64Array = clv.revenueAtRisk(value, alive);
  const ranking: Clv.RiskRanking = clv.riskRanking(value, alive);
  const ceiling: Clv.OfferCeiling = clv.offerCeiling(value, alive, 0.3);
  const u: Clv.Uplift = clv.uplift([12, 15, 11], [10, 12, 9], { confidence: 0.9, metric: 'continuous', population: 100 });
  const rel: number | null = u.relativeEffect;
  const strat: Clv.StratifiedUplift = clv.upliftStratified([1, 2, 3, 4], ['a', 'a', 'b', 'b'], [1, 2, 2, 3], ['a', 'a', 'b', 'b']);
  const props: Clv.Uplift = clv.upliftProportions({ successesTreated: 9, nTreated: 10, successesControl: 3, nControl: 10 });
  const [lo, hi]: [number, number] = clv.wilsonInterval(9, 10);
  const totals: Clv.CustomerTotals = clv.customerTotals({ customerId: ['a', 'b'], monetaryValue: [1, 2] }, { marginRate: 0.3 });
  const portfolio = totals.margin[0] + shares[0] + whale.peakShare + whale.gini + clv.gini([1, 2]) + tiers.tier.length + atRisk[0]
    + (ranking.share ?? 0) + ceiling.ceiling[0] + u.ciLow + (rel ?? 0) + strat.overall.effect + props.pValue + lo + hi;
  // Parameter draws: every prediction with intervals.
  const draws: Clv.Draws = fitted.draws({ method: 'laplace', n: 100, seed: 1 });
  const iv: Clv.PredictionIntervals = draws.probAlive({ frequency: [1], recency: [5], T: [10] }, { quantiles: [0.05, 0.95] });
  const ivClv: Clv.PredictionIntervals = draws.customerLifetimeValue(
    gg.draws({ n: 100 }), { frequency: [1], recency: [5], T: [10], monetaryValue: [3] }, { time: 12, freq: 'W' });
  const lower: Float64Array = iv.values[0];
  const uncertain = iv.mean[0] + lower[0] + iv.total.mean + ivClv.total.values[0] + draws.n + draws.values()[0][0]
    + draws.expectedPurchasesNew([10]).mean[0] + draws.kind.length + draws.method.length;
  // Bayesian fit with NUTS: a draws object with its posterior summary.
  const post = new clv.BetaGeo().sample({ frequency: [1, 0], recency: [5, 0], T: [10, 8] },
    { priors: { r: ['gamma', 1, 1], b: 'halfflat' }, chains: 1, tune: 10, draws: 10, seed: 1 }) as Clv.Draws;
  const rows: Clv.PosteriorRow[] = post.summary();
  const back: Clv.Draws = clv.Draws.fromJSON(post.toJSON());
  const posterior = rows[0].rHat + rows[0].essBulk + rows[0].q05 + rows[0].param.length + (post.divergences ?? 0)
    + (back.chains ?? 0) + new clv.ShiftedBetaGeo().sample([100, 60, 40], { chains: 1 }).n
    + new clv.ShiftedBetaGeo().sample([100, 60, 40], {
      chains: 1, onProgress: (p: Clv.SampleProgress) => p.done + p.chain + p.chains + p.divergences < p.total,
    }).n;
  // Hierarchical pooling: a GroupedDraws, predictions by each customer's group.
  const grouped = new clv.BetaGeo().sample({ frequency: [1, 0], recency: [5, 0], T: [10, 8] },
    { groups: ['a', 'b'], hyperpriors: { r: [0, 2, 0.5] }, chains: 1, tune: 10, draws: 10, seed: 1 });
  let pooled = 0;
  if (grouped instanceof clv.GroupedDraws) {
    const gRows: Clv.GroupPosteriorRow[] = grouped.summary();
    const one: Clv.Draws = grouped.group(grouped.groups[0]);
    const who = ['a', 'b'];
    const gc = { frequency: [1, 0], recency: [5, 0], T: [10, 8], monetaryValue: [3, 0] };
    const gIv: Clv.PredictionIntervals = grouped.probAlive(gc, who, { quantiles: [0.1, 0.9] });
    pooled = gRows[0].mean + (gRows[0].group ?? '').length + one.n + gIv.mean[0] + grouped.n + grouped.divergences
      + grouped.hyper()[0][0] + grouped.expectedPurchases(5, gc, who).mean[0]
      + grouped.expectedPurchasesNew([5], ['a']).mean[0] + grouped.probPurchases([0, 1], [5], who).mean[0]
      + grouped.dert(0.05, gc, who).mean[0] + grouped.expectedSpend(gc, who).mean[0]
      + grouped.customerLifetimeValue(gg, gc, who, { time: 12, freq: 'W' }).total.mean
      + clv.GroupedDraws.fromJSON(grouped.toJSON()).n;
  }
  return spending + retaining + dynamic + covariate + byId + pooled + posterior + uncertain + portfolio + alive[0] + next[0] + newCustomer + value[0] + (ll ?? 0) + seg.rfmScore.length + money.length
    + fitted.expectedPurchasesNew(1) + sbg.survival(3) + params.r + (se?.r ?? 0)
    + discrete[0] + ahead[0] + pareto.s + entries[0].params.length + entries[0].class.length;
}
