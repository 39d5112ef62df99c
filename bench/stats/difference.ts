/**
 * Baseline vs treatment, benchstat's way: relative difference of the medians with a bootstrap
 * confidence interval, a Mann–Whitney U p-value, and `~` (not significant) when p ≥ ALPHA.
 */
import { bootstrapMedian, median, percentileInterval, resample, BOOTSTRAP_RESAMPLES, type Interval, type MedianEstimate } from './descriptive.js';
import { mannWhitneyU } from './mann-whitney.js';
import { createRandom } from './random.js';

/** Significance level: a difference with p ≥ ALPHA is shown as `~` (benchstat's default). */
export const ALPHA = 0.05;

export interface Difference {
  baseline: MedianEstimate;
  treatment: MedianEstimate;
  /** treatment − baseline (medians). */
  absolute: number;
  /** Bootstrap interval of treatment − baseline. */
  absoluteCi: Interval;
  /** (treatment / baseline − 1) × 100; `null` when the baseline median is 0. */
  relativePct: number | null;
  /** Bootstrap interval of the relative difference, %; `null` when a resampled baseline median is ≤ 0. */
  relativeCi: Interval | null;
  p: number;
  /** p < ALPHA and both samples non-constant-equal: the `~` of benchstat when false. */
  significant: boolean;
}

/**
 * Compares two samples. The bootstrap resamples both sides independently with one seeded stream, so a
 * report is reproducible.
 */
export function compareSamples(
  baseline: readonly number[],
  treatment: readonly number[],
  options: { seed: number; resamples?: number; alpha?: number },
): Difference {
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES;
  const b = bootstrapMedian(baseline, { seed: options.seed, resamples });
  const t = bootstrapMedian(treatment, { seed: options.seed ^ 0x9e3779b9, resamples });
  const random = createRandom(options.seed ^ 0x85ebca6b);
  const abs: number[] = [];
  const rel: number[] = [];
  let relativeDefined = true;
  for (let i = 0; i < resamples; i++) {
    const mb = median(resample(baseline, random));
    const mt = median(resample(treatment, random));
    abs.push(mt - mb);
    if (mb > 0) rel.push((mt / mb - 1) * 100);
    else relativeDefined = false;
  }
  const { p } = mannWhitneyU(baseline, treatment);
  const relativePct = b.median > 0 ? (t.median / b.median - 1) * 100 : null;
  return {
    baseline: b,
    treatment: t,
    absolute: t.median - b.median,
    absoluteCi: percentileInterval(abs),
    relativePct,
    relativeCi: relativeDefined && relativePct !== null ? percentileInterval(rel) : null,
    p,
    significant: p < (options.alpha ?? ALPHA),
  };
}
