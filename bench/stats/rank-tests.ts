/**
 * Mann–Whitney U test (two-sided), as benchstat uses it to say whether two samples differ.
 * The rank sum comes from simple-statistics (`wilcoxonRankSum`, mid-ranks for ties); the p-value is
 * exact (enumerating every split of the pooled mid-ranks) when that is cheap, otherwise the normal
 * approximation with tie and continuity corrections.
 */
import { wilcoxonRankSum } from 'simple-statistics';

/** Above this many splits of the pooled sample the normal approximation is used. */
export const EXACT_SPLITS_LIMIT = 200_000;

export interface MannWhitneyResult {
  /** U statistic of the first sample. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: 'exact' | 'normal';
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Mid-ranks (1-based) of the pooled sample, in input order. */
function midRanks(pooled: readonly number[]): number[] {
  const order = pooled.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(pooled.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.v === order[start]!.v) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]!.i] = rank;
    start = end + 1;
  }
  return ranks;
}

export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  if (x.length === 0 || y.length === 0) throw new RangeError('Mann–Whitney U needs two non-empty samples');
  const n1 = x.length;
  const n2 = y.length;
  const rankSum = wilcoxonRankSum([...x], [...y]);
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const centre = (n1 * n2) / 2;
  const observed = Math.abs(u - centre);
  // Floating mid-ranks: compare with a tolerance so "as extreme as observed" counts the observed split.
  const eps = 1e-9;

  if (binomial(n1 + n2, n1) <= EXACT_SPLITS_LIMIT) {
    const ranks = midRanks([...x, ...y]);
    const offset = (n1 * (n1 + 1)) / 2;
    let extreme = 0;
    let total = 0;
    // Every way to pick n1 of the pooled ranks as "the first sample".
    const pick = (from: number, left: number, sum: number): void => {
      if (left === 0) {
        total++;
        if (Math.abs(sum - offset - centre) >= observed - eps) extreme++;
        return;
      }
      for (let i = from; i <= ranks.length - left; i++) pick(i + 1, left - 1, sum + ranks[i]!);
    };
    pick(0, n1, 0);
    return { u, p: Math.min(1, extreme / total), method: 'exact' };
  }

  const ranks = midRanks([...x, ...y]);
  const n = n1 + n2;
  const counts = new Map<number, number>();
  for (const r of ranks) counts.set(r, (counts.get(r) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of counts.values()) tieTerm += t * t * t - t;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, p: 1, method: 'normal' };
  const z = Math.max(0, observed - 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, 2 * (1 - standardNormalCdf(z))), method: 'normal' };
}

/** Φ(z) via the complementary error function (Abramowitz–Stegun 7.1.26 is too coarse for p-values). */
function standardNormalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** erfc with a Chebyshev fit (Numerical Recipes `erfcc`), relative error < 1.2e-7. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
