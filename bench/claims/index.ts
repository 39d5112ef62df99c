export {
  evaluateClaims,
  combineVerdicts,
  judgeEffect,
  judgeNoWorse,
  judgeAbsolute,
  judgeGomaxprocs,
  judgeNoFailures,
  expectedGomaxprocs,
  pairCells,
  describeCoverage,
  noEffectMarginPct,
  verdictLabel,
  verdictText,
  NO_EFFECT_MARGIN_PCT,
} from './evaluate.js';
export type { Verdict, ClaimVerdict, CheckResult, PairResult, CellResult } from './evaluate.js';
export { formatNumber, formatMetricValue, formatWithCi, formatPct, formatPctInterval, formatP, metricLabel } from './format.js';
export { analyseRun, compareCellMetric } from '../stats/index.js';
export type { RunAnalysis, CellAnalysis } from '../stats/index.js';
export { claimsCatalog } from '../../scenarios/index.js';
export type { ClaimSpec, ClaimCheck, CellSelector } from '../../scenarios/index.js';
export { verdictAgreement } from './agreement.js';
export type { VerdictAgreement } from './agreement.js';
export { formatChange } from './evaluate.js';
export { compareWithFailOn, parseFailOn } from './fail-on.js';
export type { FailOn } from './fail-on.js';
