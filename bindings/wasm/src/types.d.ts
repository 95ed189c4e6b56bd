// Input and output object types of @clv/wasm: the interfaces of @clv/node's generated
// index.d.ts (same API), copied by scripts/sync-types.mjs and checked by the JS test suite.
export interface BetaGeoBetaBinomParams {
  alpha: number
  beta: number
  gamma: number
  delta: number
}
export interface BetaGeoParams {
  r: number
  alpha: number
  a: number
  b: number
}
export interface BgBbCustomers {
  /** Repeat transactions x (whole numbers, 0 ≤ x ≤ nPeriods). */
  frequency: Float64Array | Array<number>
  /** Opportunity of the last transaction t_x. */
  recency: Float64Array | Array<number>
  /** Number of transaction opportunities n. */
  nPeriods: Float64Array | Array<number>
  /** Optional weight per row (for `fit` only; e.g. the number of donors with this history). */
  weights?: Float64Array | Array<number>
}
export interface ClvOptions {
  /** Horizon in months (default 12). */
  time?: number
  /** Monthly discount rate (default 0.01). */
  discountRate?: number
  /** Unit of recency and T: "W" (default), "D", "H", "M" or "<n>d". */
  freq?: string
}
export interface ContributionMarginInput {
  revenue: string
  variableCosts: string
  costToServe: string
}
export interface CsvOptions {
  /** Customer id column: header name or 1-based position ("2"). */
  customerIdCol: string
  /** Date column. */
  datetimeCol: string
  /** Amount column, if any. */
  monetaryValueCol?: string
  /** "auto" (default), ",", "\t", ";" or "whitespace". */
  delimiter?: string
  /** First line is a header (default true). */
  hasHeader?: boolean
  freq?: string
  observationPeriodEnd?: string
  calibrationPeriodEnd?: string
  dateFormat?: string
  skipInvalid?: boolean
}
export interface CustomerAtRisk {
  /** Input position. */
  index: number
  value: number
  pAlive: number
  /** value × (1 − pAlive). */
  valueAtRisk: number
}
export interface Customers {
  /** Repeat purchases x (whole numbers ≥ 0). */
  frequency: Float64Array | Array<number>
  /** Age at the last purchase t_x (0 ≤ t_x ≤ T). */
  recency: Float64Array | Array<number>
  /** Age at the end of observation. */
  T: Float64Array | Array<number>
  /** Optional weight per row (for `fit` only; e.g. counts of identical customers). */
  weights?: Float64Array | Array<number>
}
export interface CustomerTotals {
  customerId: Array<string>
  /** Σ amounts. */
  revenue: Float64Array
  /** Number of transactions. */
  transactions: Float64Array
  /** marginRate · revenue − costPerTransaction · transactions. */
  margin: Float64Array
}
export interface FitOptions {
  /** L2 penalty on the parameters, as `lifetimes`' `penalizer_coef` (default 0). */
  penalty?: number
  /** Maximum optimiser iterations per start (default 1000). */
  maxIterations?: number
  /** Convergence threshold on the gradient (default 1e-6). */
  gradientTolerance?: number
}
export interface GammaGammaParams {
  p: number
  q: number
  v: number
}
export interface GammaGompertzNBDParams {
  r: number
  alpha: number
  b: number
  s: number
  beta: number
}
export interface ModelEntry {
  /** JSON key, e.g. "bg_nbd". */
  key: string
  /** Display name, e.g. "BG/NBD". */
  name: string
  /** The class in this package, e.g. "BetaGeo". */
  class: string
  /** "transaction", "spend" or "retention". */
  family: string
  /** Parameter names, in order (the keys of `params`). */
  params: Array<string>
  /** The arrays `fit` takes (the keys of its input object). */
  inputs: Array<string>
  /** The paper the model comes from. */
  reference: string
}
export interface ModifiedBetaGeoParams {
  r: number
  alpha: number
  a: number
  b: number
}
export interface OfferCeiling {
  /** clv / pAlive: the value of a customer known to stay. */
  valueIfRetained: Float64Array
  /** 0: a lost customer is worth nothing more. */
  valueIfLost: Float64Array
  /** clv (= pAlive · valueIfRetained). */
  valueWithoutOffer: Float64Array
  /** successRate · (1 − pAlive) · clv / pAlive when clv > 0, else 0. */
  ceiling: Float64Array
}
export interface ParamSummary {
  param: string
  estimate: number
  /** √diag((−H)⁻¹); NaN when the information matrix is not positive definite. */
  stdError: number
  /** Log-scale Wald interval θ·exp(−1.96·SE/θ). */
  lower95: number
  /** θ·exp(+1.96·SE/θ). */
  upper95: number
}
export interface ParetoNBDParams {
  r: number
  alpha: number
  s: number
  beta: number
}
export interface Proportions {
  successesTreated: number
  nTreated: number
  successesControl: number
  nControl: number
}
export interface ProportionsOptions {
  /** Confidence level of the intervals, in (0, 1) (default 0.95). */
  confidence?: number
  /** Population `total` is computed for (default: nTreated). */
  population?: number
}
export interface RetentionClvInput {
  margin: string
  /** In [0, 1). */
  retention: string
  discountRate: string
  /** Finite horizon; infinite when absent. */
  periods?: number
}
export interface RfmInput {
  frequency: Float64Array | Array<number>
  recency: Float64Array | Array<number>
  T: Float64Array | Array<number>
  monetaryValue: Float64Array | Array<number>
}
export interface RfmOptions {
  /** Quantile bins per score, 2..=9 (default 5). */
  bins?: number
  /** A segment map as JSON (default: the documented 11-segment map). */
  segmentMap?: string
}
export interface RfmScores {
  rScore: Uint8Array
  fScore: Uint8Array
  mScore: Uint8Array
  /** R, F and M digits, e.g. "545". */
  rfmScore: Array<string>
  bins: number
  /** Segment names (rfmSegments only). */
  segment?: Array<string>
  /** Customers per segment, in map order (rfmSegments only). */
  segmentCounts?: Array<SegmentCount>
}
export interface RfmSummary {
  customerId: Array<string>
  frequency: Float64Array
  recency: Float64Array
  T: Float64Array
  /** Mean repeat spend; present when amounts were given. */
  monetaryValue?: Float64Array
  /** Holdout columns; present with `calibrationPeriodEnd`. */
  frequencyHoldout?: Float64Array
  monetaryValueHoldout?: Float64Array
  durationHoldout?: number
  /** The time unit, e.g. "W" or "7d". */
  unit: string
  observationPeriodEnd: string
  calibrationPeriodEnd?: string
  /** Transactions used. */
  nTransactions: number
  /** Rows skipped with `skipInvalid`. */
  nSkipped: number
}
export interface RiskRanking {
  /** value × (1 − pAlive), input order. */
  valueAtRisk: Float64Array
  /** Σ valueAtRisk. */
  total: number
  /** Σ value. */
  totalValue: number
  /** total / totalValue; null when totalValue ≤ 0. */
  share: number | null
  /** Σ value × pAlive. */
  expectedRetained: number
  /** Customers with positive value at risk, largest first (ties in input order). */
  atRisk: Array<CustomerAtRisk>
}
export interface SegmentCount {
  segment: string
  customers: number
  share: number
}
export interface ShiftedBetaGeoParams {
  alpha: number
  beta: number
}
export interface SimpleClvInput {
  averagePurchaseValue: string
  purchaseFrequency: string
  lifespan: string
  /** In [0, 1]. */
  marginRate: string
  /** Default "0". */
  acquisitionCost?: string
  /** Default "0". */
  retentionCost?: string
}
export interface SpendCustomers {
  /** Repeat purchases x. */
  frequency: Float64Array | Array<number>
  /** Mean repeat spend. */
  monetaryValue: Float64Array | Array<number>
  /** Age at the last purchase (CLV only). */
  recency?: Float64Array | Array<number>
  /** Age at the end of observation (CLV only). */
  T?: Float64Array | Array<number>
  /** Optional weight per row (for `fit` only). */
  weights?: Float64Array | Array<number>
}
export interface StratifiedUplift {
  overall: Uplift
  strata: Array<StratumUplift>
}
export interface StratumUplift {
  stratum: string
  nTreated: number
  nControl: number
  weight: number
  meanTreated: number
  meanControl: number
  effect: number
  stdError: number
}
export interface SummaryOptions {
  /** Time unit: "D" (default), "W", "M", "H" or "<n>d" (e.g. "7d"). */
  freq?: string
  /** End of observation (default: the latest transaction). */
  observationPeriodEnd?: string
  /** End of calibration: adds the holdout columns. */
  calibrationPeriodEnd?: string
  /** chrono strftime format of the dates. */
  dateFormat?: string
  /** Skip and count bad rows instead of failing. */
  skipInvalid?: boolean
}
export interface TierSummary {
  tier: string
  customers: number
  /** Σ value of its customers. */
  value: number
  /** value / total; null when the total is ≤ 0. */
  share: number | null
}
export interface TopShare {
  /** Fraction of customers (0.01, 0.05, 0.1, 0.2, 0.5). */
  fraction: number
  /** ⌈fraction·n⌉ customers. */
  customers: number
  /** Their share of the total value. */
  share: number
}
export interface TotalsInput {
  customerId: Array<string>
  monetaryValue: Float64Array | Array<number>
}
export interface TotalsOptions {
  /** Gross margin rate in [0, 1] (default 1). */
  marginRate?: number
  /** Cost to serve one transaction, ≥ 0 (default 0). */
  costPerTransaction?: number
}
export interface Transactions {
  /** Customer ids. */
  customerId: Array<string>
  /** Dates: YYYY-MM-DD, YYYYMMDD, ISO date-times, or `dateFormat`. */
  datetime: Array<string>
  /** Amounts (≥ 0), optional. */
  monetaryValue?: Float64Array | Array<number>
}
export interface Uplift {
  /** "continuous" or "binary". */
  metric: string
  /** "welch", "newcombe_hybrid_score", "stratified_welch_satterthwaite" or "stratified_wald". */
  method: string
  confidence: number
  nTreated: number
  nControl: number
  /** Mean outcome of the treated group (a proportion for binary metrics). */
  meanTreated: number
  /** Mean outcome of the control group (stratified: standardised to the treated mix). */
  meanControl: number
  /** treated − control, per customer. */
  effect: number
  ciLow: number
  ciHigh: number
  /** Standard error of `effect` (binary: the unpooled Wald one, for information). */
  stdError: number
  /** Degrees of freedom (continuous metrics), else null. */
  df: number | null
  /** Welch's t, or the z of the score test. */
  statistic: number
  /** Two-sided p-value of "no effect". */
  pValue: number
  /** effect / meanControl; null when the control mean is 0. */
  relativeEffect: number | null
  /** The treated population `total` is computed for. */
  population: number
  /** effect × population: the incremental value created. */
  total: number
  totalCiLow: number
  totalCiHigh: number
}
export interface UpliftOptions {
  /** Confidence level of the intervals, in (0, 1) (default 0.95). */
  confidence?: number
  /** "continuous" (Welch, the default) or "binary" (0/1 outcomes, Newcombe hybrid score). */
  metric?: string
  /** Population `total` is computed for (default: the number of treated customers). */
  population?: number
}
export interface ValueTiers {
  /** "share" or "quantile". */
  method: string
  cuts: Float64Array
  /** Tier letter of each customer, in input order. */
  tier: Array<string>
  tiers: Array<TierSummary>
}
export interface ValueTiersOptions {
  /** Strictly increasing cuts in (0, 1]; k cuts make k + 1 tiers A, B, C, … (default [0.8, 0.95]). */
  cuts?: Float64Array | Array<number>
  /** "share" (cumulative share of value, the default; alias "cumulativeShare") or "quantile". */
  method?: string
}
export interface WalandColeConstantInput {
  volume: string
  margin: string
  directCosts: string
  retentionCosts: string
  periods: number
  acquisitionCost: string
  costOfCapital: string
}
export interface WalandColeInput {
  volume: Array<string>
  margin: Array<string>
  directCosts: Array<string>
  retentionCosts: Array<string>
  acquisitionCost: string
  costOfCapital: string
}
export interface WhaleCurve {
  /** Input positions in curve order. */
  order: Uint32Array
  /** Values in curve order. */
  sortedValues: Float64Array
  /** cumulativeShare[k−1] = (v₍₁₎ + … + v₍ₖ₎) / V, ending at 1. */
  cumulativeShare: Float64Array
  /** V = Σ v (> 0). */
  total: number
  /** Σ of the positive values (value created). */
  created: number
  /** Σ of the negative values (value destroyed, ≤ 0). */
  destroyed: number
  /** max_k cumulativeShare[k−1] (above 1 when some customers destroy value). */
  peakShare: number
  /** k*: customers at the peak (first position of the maximum, from 1). */
  peakCustomers: number
  /** k*\/n. */
  peakFraction: number
  /** Shares of the top 1, 5, 10, 20, 50 % of customers. */
  topShares: Array<TopShare>
  /** Input positions of the customers with negative value, most negative first. */
  destroyers: Uint32Array
  /** Gini coefficient Σᵢ Σⱼ |vᵢ − vⱼ| / (2 n² μ). */
  gini: number
}
