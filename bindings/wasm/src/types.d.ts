// Input and output object types of @clv/wasm: the interfaces of @clv/node's generated
// index.d.ts (same API), copied by scripts/sync-types.mjs and checked by the JS test suite.
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
export interface BgBbParams {
  alpha: number
  beta: number
  gamma: number
  delta: number
}
export interface BgNbdParams {
  r: number
  alpha: number
  a: number
  b: number
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
export interface FitOptions {
  /** L2 penalty on the parameters, as `lifetimes`' `penalizer_coef` (default 0). */
  penalty?: number
  /** Maximum L-BFGS iterations (default 1000). */
  maxIterations?: number
  /** Convergence threshold on the gradient (default 1e-6). */
  gradientTolerance?: number
}
export interface GammaGammaParams {
  p: number
  q: number
  v: number
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
export interface ParetoNbdParams {
  r: number
  alpha: number
  s: number
  beta: number
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
export interface SbgParams {
  alpha: number
  beta: number
}
export interface SegmentCount {
  segment: string
  customers: number
  share: number
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
export interface Transactions {
  /** Customer ids. */
  customerId: Array<string>
  /** Dates: YYYY-MM-DD, YYYYMMDD, ISO date-times, or `dateFormat`. */
  datetime: Array<string>
  /** Amounts (≥ 0), optional. */
  monetaryValue?: Float64Array | Array<number>
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
