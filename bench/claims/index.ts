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
export { analyseRun, compareCellMetric } from '../stats/analyse.js';
export type { RunAnalysis, CellAnalysis } from '../stats/analyse.js';
export { claimsCatalog } from '../../scenarios/claims.js';
export type { ClaimSpec, ClaimCheck, CellSelector } from '../../scenarios/claims.js';
