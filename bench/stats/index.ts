export { createRandom, deriveSeed } from './random.js';
export type { Random } from './random.js';
export { median, quantileSorted, bootstrapMedian, percentileInterval, resample, geomean, CONFIDENCE_LEVEL, BOOTSTRAP_RESAMPLES } from './descriptive.js';
export type { Interval, MedianEstimate } from './descriptive.js';
export { mannWhitneyU, mannWhitneyNull, signedRankNull, criticalValue, twoSidedP, EXACT_SIZE_LIMIT } from './rank-tests.js';
export type { MannWhitneyResult, NullDistribution } from './rank-tests.js';
export { compareSamples, comparePaired, ALPHA } from './difference.js';
export type { Difference, CompareOptions } from './difference.js';
export { adjustPValues } from './multiplicity.js';
export type { CorrectionMethod } from './multiplicity.js';
export { mergeLatencyHistograms } from './histogram.js';
export type { PooledLatency } from './histogram.js';
export { analyseRun, compareCellMetric, MIN_REPEATS_BY_PROFILE, MIN_REPEATS_FALLBACK, MIN_REPEATS_DIRECTIONAL } from './analyse.js';
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
export { binomialUpperTail } from './binomial.js';
export { measureDrift } from './drift.js';
export type { DriftMeasure } from './drift.js';
export { parseThreshold } from './compare-runs.js';
export type { CompareRunsOptions } from './compare-runs.js';
export { expectedAutoGomaxprocs } from './go-runtime.js';
export { encodeHistogram, createLatencyHistogram, decodeHistogram } from './latency-histogram.js';
