export { createRandom, deriveSeed } from './random.js';
export type { Random } from './random.js';
export { median, quantileSorted, bootstrapMedian, percentileInterval, resample, geomean, CONFIDENCE_LEVEL, BOOTSTRAP_RESAMPLES } from './descriptive.js';
export type { Interval, MedianEstimate } from './descriptive.js';
export { mannWhitneyU, EXACT_SPLITS_LIMIT } from './mann-whitney.js';
export type { MannWhitneyResult } from './mann-whitney.js';
export { compareSamples, ALPHA } from './difference.js';
export type { Difference } from './difference.js';
export { mergeLatencyHistograms } from './histogram.js';
export type { PooledLatency } from './histogram.js';
export { analyseRun, compareCellMetric, MIN_REPEATS_BY_PROFILE, MIN_REPEATS_FALLBACK } from './analyse.js';
export type { RunAnalysis, CellAnalysis, CellRecord, MetricSummary, OutcomeCounts, ReplicaCurve, AnalyseOptions } from './analyse.js';
export {
  compareRuns,
  classifyChange,
  environmentKey,
  environmentFingerprint,
  environmentMismatches,
  baselineName,
  IncomparableRunsError,
  DEFAULT_THRESHOLD_PCT,
} from './compare-runs.js';
export type { CompareResult, CompareRow, GeomeanRow, RowStatus, EnvironmentKey } from './compare-runs.js';
