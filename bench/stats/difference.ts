/**
 * Baseline vs treatment with one method, so the change, its interval and "significant" cannot
 * contradict each other:
 *
 * - independent samples (`compareSamples`): the Hodges–Lehmann estimate, the median of all m·n
 *   pairwise differences treatment_j − baseline_i, with the distribution-free interval obtained by
 *   inverting the Mann–Whitney test: [D₍ₖ₎, D₍ₘₙ₊₁₋ₖ₎] where k − 1 is the test's critical value;
 * - paired rounds (`comparePaired`, both variants measured at the same time): the same with the Walsh
 *   averages (dᵢ + dⱼ)/2, i ≤ j, of the per-round differences and the Wilcoxon signed-rank test.
 *
 * The relative change is the same estimate on log values (a ratio, shown as a % change); the absolute
 * shift on raw values is kept for metrics that can be 0. The relative scale decides when every value
 * is > 0, else the absolute one. The p-value comes from the same test at a shift of 0, so
 * `significant ⇔ p ≤ α ⇔ the interval excludes 0`. When so few values cannot reach the level (3 vs 3
 * independent values reach at most 90%), the interval shown is the widest one, its achieved level is
 * reported, and nothing is significant.
 *
 * Under a multiplicity correction the caller passes the adjusted p (see multiplicity.ts); the interval
 * is then computed at the level 1 − α·p/p_adjusted, so "significant after correction ⇔ the adjusted
 * interval excludes 0" holds too. Pure.
 */
import { bootstrapMedian, medianSorted, type Interval, type MedianEstimate } from './descriptive.js';
import type { CorrectionMethod } from './multiplicity.js';
import { criticalValue, mannWhitneyNull, signedRankNull, twoSidedP, type NullDistribution } from './rank-tests.js';

/** Significance level, per test or per family: 1 − CONFIDENCE_LEVEL (descriptive.ts). */
export const ALPHA = 0.05;

export interface Difference {
  /** `independent`: Hodges–Lehmann + Mann–Whitney; `paired`: Walsh averages + Wilcoxon signed-rank. */
  design: 'independent' | 'paired';
  /** The scale that decides significance: `ratio` (log values) when every value is > 0, else `shift`. */
  scale: 'ratio' | 'shift';
  /** Median (with its own bootstrap CI) of each side's values: descriptive, not the estimate of the change. */
  baseline: MedianEstimate;
  treatment: MedianEstimate;
  /** Rounds of a paired comparison; `null` for independent samples. */
  pairs: number | null;
  /** Hodges–Lehmann estimate of treatment − baseline on raw values. */
  absolute: number;
  /** Its distribution-free interval at `level` (widest possible when the level cannot be reached). */
  absoluteCi: Interval;
  /** Hodges–Lehmann estimate of the ratio treatment / baseline as a % change; `null` when a value is ≤ 0. */
  relativePct: number | null;
  /** Its interval at `level`, %; `null` with `relativePct`. */
  relativeCi: Interval | null;
  /**
   * Half the width of the interval in %: the smallest effect this comparison can resolve. From
   * `relativeCi`, else from `absoluteCi` relative to the baseline median; `null` when neither exists.
   */
  halfWidthPct: number | null;
  /** Confidence level asked for: CONFIDENCE_LEVEL, or higher under a multiplicity correction. */
  level: number;
  /** Coverage the interval actually has (exact tests are discrete); below `level` when unreachable. */
  achievedLevel: number;
  /** Two-sided p of the test the interval inverts (ties and zeros counted against an effect). */
  p: number;
  /** p after the multiplicity correction (equal to `p` without one). */
  pAdjusted: number;
  correction: CorrectionMethod | 'none';
  /** pAdjusted ≤ α ⇔ the interval at `level` excludes 0 (and `level` was reached). */
  significant: boolean;
  /** The test's null distribution: exact below 50 values a side, normal approximation above. */
  method: 'exact' | 'normal';
}

export interface CompareOptions {
  /** Seed of the per-side median bootstraps (descriptive only). @default 1 */
  seed?: number;
  /** @default ALPHA */
  alpha?: number;
  /** The adjusted p of this comparison within its family (from `adjustPValues`). */
  adjusted?: { method: CorrectionMethod; pAdjusted: number };
}

/** Sorted differences (pairwise or Walsh averages) of one scale with the counts the test needs. */
interface Scale {
  sorted: number[];
  atOrBelowZero: number;
  atOrAboveZero: number;
}

function scaleOf(values: number[]): Scale {
  values.sort((a, b) => a - b);
  let below = 0;
  let above = 0;
  for (const v of values) {
    if (v <= 0) below++;
    if (v >= 0) above++;
  }
  return { sorted: values, atOrBelowZero: below, atOrAboveZero: above };
}

/** [s₍ₖ₎, s₍N₊₁₋ₖ₎] (1-based) with k − 1 the critical value, or the whole range when c = −1. */
function intervalAt(s: readonly number[], c: number): Interval {
  const k = Math.max(c, 0);
  return { low: s[k]!, high: s[s.length - 1 - k]! };
}

const toPct = (logRatio: number) => Math.expm1(logRatio) * 100;

function build(
  design: Difference['design'],
  dist: NullDistribution,
  shift: Scale,
  ratio: Scale | null,
  sides: { baseline: readonly number[]; treatment: readonly number[]; pairs: number | null },
  options: CompareOptions,
): Difference {
  const alpha = options.alpha ?? ALPHA;
  const decisive = ratio ?? shift;
  const p = twoSidedP(dist, decisive.atOrBelowZero, decisive.atOrAboveZero);
  const pAdjusted = options.adjusted ? Math.max(p, options.adjusted.pAdjusted) : p;
  // α·p/p_adj makes "p ≤ α_test" the same statement as "p_adj ≤ α".
  const alphaTest = p > 0 && pAdjusted > 0 ? (alpha * p) / pAdjusted : alpha;
  const c = criticalValue(dist, alphaTest / 2);
  const reached = c >= 0;
  const achievedLevel = 1 - 2 * dist.cdf(Math.max(c, 0));
  const absoluteCi = intervalAt(shift.sorted, c);
  const logCi = ratio && intervalAt(ratio.sorted, c);
  const relativeCi = logCi && { low: toPct(logCi.low), high: toPct(logCi.high) };
  const decisiveCi = logCi ?? absoluteCi;
  const seed = options.seed ?? 1;
  const baseline = bootstrapMedian(sides.baseline, { seed });
  const treatment = bootstrapMedian(sides.treatment, { seed: seed ^ 0x9e3779b9 });
  const halfWidthPct = relativeCi
    ? (relativeCi.high - relativeCi.low) / 2
    : baseline.median !== 0
      ? ((absoluteCi.high - absoluteCi.low) / 2 / Math.abs(baseline.median)) * 100
      : null;
  return {
    design,
    scale: ratio ? 'ratio' : 'shift',
    baseline,
    treatment,
    pairs: sides.pairs,
    absolute: medianSorted(shift.sorted),
    absoluteCi,
    relativePct: ratio && toPct(medianSorted(ratio.sorted)),
    relativeCi,
    halfWidthPct,
    level: 1 - alphaTest,
    achievedLevel,
    p,
    pAdjusted,
    correction: options.adjusted?.method ?? 'none',
    significant: reached && (decisiveCi.low > 0 || decisiveCi.high < 0),
    method: dist.method,
  };
}

/** Compares two independent samples (Hodges–Lehmann with the Mann–Whitney interval). */
export function compareSamples(baseline: readonly number[], treatment: readonly number[], options: CompareOptions = {}): Difference {
  if (baseline.length === 0 || treatment.length === 0) throw new RangeError('compareSamples needs two non-empty samples');
  const positive = baseline.every((v) => v > 0) && treatment.every((v) => v > 0);
  const shift: number[] = [];
  const ratio: number[] = [];
  for (const b of baseline) {
    for (const t of treatment) {
      shift.push(t - b);
      if (positive) ratio.push(Math.log(t) - Math.log(b));
    }
  }
  return build(
    'independent',
    mannWhitneyNull(baseline.length, treatment.length),
    scaleOf(shift),
    positive ? scaleOf(ratio) : null,
    { baseline, treatment, pairs: null },
    options,
  );
}

function walshAverages(d: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < d.length; i++) for (let j = i; j < d.length; j++) out.push((d[i]! + d[j]!) / 2);
  return out;
}

/**
 * Compares paired rounds ([baseline, treatment] measured at the same time): per-round log-ratios (or
 * differences when a value is ≤ 0), Hodges–Lehmann from their Walsh averages with the Wilcoxon
 * signed-rank interval. With paired designs the two scales can disagree in sign; the decisive one is
 * `scale`.
 */
export function comparePaired(pairs: ReadonlyArray<readonly [number, number]>, options: CompareOptions = {}): Difference {
  if (pairs.length === 0) throw new RangeError('comparePaired needs at least one pair');
  const baseline = pairs.map(([b]) => b);
  const treatment = pairs.map(([, t]) => t);
  const positive = pairs.every(([b, t]) => b > 0 && t > 0);
  const shift = scaleOf(walshAverages(pairs.map(([b, t]) => t - b)));
  const ratio = positive ? scaleOf(walshAverages(pairs.map(([b, t]) => Math.log(t) - Math.log(b)))) : null;
  return build('paired', signedRankNull(pairs.length), shift, ratio, { baseline, treatment, pairs: pairs.length }, options);
}
