/** Medians, quantiles and the bootstrap confidence interval of a median. Pure. */
import { createRandom, type Random } from './random.js';

/** Confidence level of every interval in the reports. */
export const CONFIDENCE_LEVEL = 0.95;
/** Bootstrap resamples per interval: enough for stable 2.5% / 97.5% quantiles, cheap for n ≤ 30. */
export const BOOTSTRAP_RESAMPLES = 2000;

export interface Interval {
  low: number;
  high: number;
}

function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Median of a non-empty sample (mean of the two middle values for even n). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty sample');
  return medianSorted(sortedCopy(values));
}

/** Median of values already sorted ascending, non-empty. */
export function medianSorted(s: readonly number[]): number {
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Quantile of sorted values by linear interpolation between order statistics (Hyndman–Fan type 7,
 * the default of R and NumPy).
 */
export function quantileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty sample');
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Draws a resample of the same size, with replacement. */
export function resample(values: readonly number[], random: Random): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[Math.floor(random() * values.length)]!;
  return out;
}

/** Percentile interval of bootstrap statistics at `level`. */
export function percentileInterval(statistics: readonly number[], level = CONFIDENCE_LEVEL): Interval {
  const s = sortedCopy(statistics);
  const alpha = (1 - level) / 2;
  return { low: quantileSorted(s, alpha), high: quantileSorted(s, 1 - alpha) };
}

export interface MedianEstimate {
  n: number;
  median: number;
  /** Percentile bootstrap interval of the median; equals [median, median] for n = 1. */
  ci: Interval;
}

/**
 * Median with a seeded percentile-bootstrap confidence interval. With few repeats the interval is wide
 * and honest: for n = 3 it spans the smallest to the largest value.
 */
export function bootstrapMedian(values: readonly number[], options: { seed: number; resamples?: number; level?: number }): MedianEstimate {
  const m = median(values);
  if (values.length === 1) return { n: 1, median: m, ci: { low: m, high: m } };
  const random = createRandom(options.seed);
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES;
  const stats = new Array<number>(resamples);
  for (let b = 0; b < resamples; b++) stats[b] = median(resample(values, random));
  return { n: values.length, median: m, ci: percentileInterval(stats, options.level) };
}

/** Geometric mean of positive values; `null` when a value is ≤ 0 (benchstat leaves such rows out). */
export function geomean(values: readonly number[]): number | null {
  if (values.length === 0 || values.some((v) => !(v > 0))) return null;
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}
