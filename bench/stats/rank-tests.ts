/**
 * Null distributions of the two rank tests behind every baseline-vs-treatment interval: Mann–Whitney
 * (two independent samples) and Wilcoxon signed-rank (paired rounds). Each is exact (counted by
 * dynamic programming) below EXACT_SIZE_LIMIT per side, else the normal approximation with a
 * continuity correction. Both the p-value and the critical value of the confidence interval are read
 * from the same `cdf`, so "p ≤ α" and "the (1 − α) interval excludes 0" cannot disagree. Pure.
 */

/** At or above this many values on a side (rounds when paired) the normal approximation is used (R's rule). */
export const EXACT_SIZE_LIMIT = 50;

/** Distribution of a count statistic (0…max) under the null hypothesis of no shift. */
export interface NullDistribution {
  /** The statistic's largest value: m·n pairwise differences, or n(n+1)/2 Walsh averages. */
  max: number;
  /** P(statistic ≤ c) under the null; 0 for c < 0. */
  cdf(c: number): number;
  method: 'exact' | 'normal';
}

/** Comparisons with float probabilities: a tie at the boundary counts as "within". */
const RELATIVE_TOLERANCE = 1e-9;

/** Φ(z) via the complementary error function. */
export function standardNormalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** erfc with a Chebyshev fit (Numerical Recipes `erfcc`), relative error < 1.2e-7. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

function cumulative(probabilities: readonly number[]): (c: number) => number {
  const sums: number[] = [];
  let s = 0;
  for (const p of probabilities) sums.push((s += p));
  return (c) => (c < 0 ? 0 : c >= sums.length - 1 ? 1 : sums[Math.floor(c)]!);
}

function normal(max: number, variance: number): NullDistribution {
  const mean = max / 2;
  const sd = Math.sqrt(variance);
  return { max, method: 'normal', cdf: (c) => (c < 0 ? 0 : c >= max ? 1 : standardNormalCdf((Math.floor(c) + 0.5 - mean) / sd)) };
}

const mannWhitneyCache = new Map<string, NullDistribution>();

/**
 * Null distribution of U = #{pairs (i, j) with y_j > x_i} for samples of sizes m and n without ties.
 * Exact: P_{m,n}(u) = m/(m+n)·P_{m−1,n}(u − n) + n/(m+n)·P_{m,n−1}(u) (the largest pooled value
 * belongs to x or to y).
 */
export function mannWhitneyNull(m: number, n: number): NullDistribution {
  if (m < 1 || n < 1) throw new RangeError('Mann–Whitney needs two non-empty samples');
  const key = `${m}x${n}`;
  const known = mannWhitneyCache.get(key);
  if (known) return known;
  let dist: NullDistribution;
  if (m >= EXACT_SIZE_LIMIT || n >= EXACT_SIZE_LIMIT) {
    dist = normal(m * n, (m * n * (m + n + 1)) / 12);
  } else {
    // table[i][j] = distribution of U for sizes i, j (arrays of length i·j + 1).
    const table: number[][][] = [];
    for (let i = 0; i <= m; i++) {
      table.push([]);
      for (let j = 0; j <= n; j++) {
        if (i === 0 || j === 0) {
          table[i]!.push([1]);
          continue;
        }
        const p = new Array<number>(i * j + 1).fill(0);
        const fromX = table[i - 1]![j]!;
        const fromY = table[i]![j - 1]!;
        for (let u = 0; u < fromX.length; u++) p[u + j]! += (i / (i + j)) * fromX[u]!;
        for (let u = 0; u < fromY.length; u++) p[u]! += (j / (i + j)) * fromY[u]!;
        table[i]!.push(p);
      }
    }
    dist = { max: m * n, method: 'exact', cdf: cumulative(table[m]![n]!) };
  }
  mannWhitneyCache.set(key, dist);
  return dist;
}

const signedRankCache = new Map<number, NullDistribution>();

/**
 * Null distribution of the Wilcoxon signed-rank statistic T⁺ for n pairs without zeros or ties
 * (equivalently the number of positive Walsh averages): every subset of the ranks 1…n equally likely.
 */
export function signedRankNull(n: number): NullDistribution {
  if (n < 1) throw new RangeError('the signed-rank test needs at least one pair');
  const known = signedRankCache.get(n);
  if (known) return known;
  const max = (n * (n + 1)) / 2;
  let dist: NullDistribution;
  if (n >= EXACT_SIZE_LIMIT) {
    dist = normal(max, (n * (n + 1) * (2 * n + 1)) / 24);
  } else {
    let p = [1];
    for (let r = 1; r <= n; r++) {
      const next = new Array<number>(p.length + r).fill(0);
      for (let s = 0; s < p.length; s++) {
        next[s]! += p[s]! / 2;
        next[s + r]! += p[s]! / 2;
      }
      p = next;
    }
    dist = { max, method: 'exact', cdf: cumulative(p) };
  }
  signedRankCache.set(n, dist);
  return dist;
}

/**
 * Largest c with P(statistic ≤ c) ≤ tail, or −1 when even c = 0 is too likely (the level cannot be
 * reached with so few values).
 */
export function criticalValue(dist: NullDistribution, tail: number): number {
  let lo = -1;
  let hi = Math.floor(dist.max / 2);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (dist.cdf(mid) <= tail * (1 + RELATIVE_TOLERANCE)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Two-sided p-value from the counts of differences (or Walsh averages) at or below 0 and at or above 0.
 * Zeros count against the alternative on both sides (conservative), which is what keeps
 * `p ≤ α ⇔ the (1 − α) interval excludes 0` exact.
 */
export function twoSidedP(dist: NullDistribution, atOrBelowZero: number, atOrAboveZero: number): number {
  return Math.min(1, 2 * Math.min(dist.cdf(atOrBelowZero), dist.cdf(atOrAboveZero)));
}

export interface MannWhitneyResult {
  /** U of the first sample: #{x_i > y_j} + ½·#{x_i = y_j}. */
  u: number;
  /** Two-sided p-value, ties counted against the alternative. */
  p: number;
  method: 'exact' | 'normal';
}

/** Mann–Whitney U test (two-sided) of x against y, from the same distribution the intervals use. */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const dist = mannWhitneyNull(x.length, y.length);
  let below = 0;
  let above = 0;
  let ties = 0;
  for (const a of x) {
    for (const b of y) {
      if (a > b) above++;
      else if (a < b) below++;
      else ties++;
    }
  }
  return { u: above + ties / 2, p: twoSidedP(dist, above + ties, below + ties), method: dist.method };
}
