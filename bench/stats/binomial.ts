/**
 * The binomial distribution's upper tail, for rules that count rare events in a sample (e.g. sends of a
 * load generator that were late): whether k events in n trials show a rate above p. Pure.
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9): ~15 significant digits. */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function logPmf(i: number, n: number, p: number): number {
  return logGamma(n + 1) - logGamma(i + 1) - logGamma(n - i + 1) + i * Math.log(p) + (n - i) * Math.log1p(-p);
}

/** P(X ≥ k) for X ~ Binomial(n, p), 0 < p < 1; 1 for k ≤ 0, 0 for k > n. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 0) throw new RangeError(`binomialUpperTail needs integer k and n ≥ 0, got k=${k}, n=${n}`);
  if (!(p > 0 && p < 1)) throw new RangeError(`binomialUpperTail needs 0 < p < 1, got ${p}`);
  if (k <= 0) return 1;
  if (k > n) return 0;
  // Sum the shorter side: the tail itself when k is above the mean, else 1 − the lower part.
  if (k > n * p) {
    let sum = 0;
    for (let i = k; i <= n; i++) {
      const term = Math.exp(logPmf(i, n, p));
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return Math.min(1, sum);
  }
  let lower = 0;
  for (let i = 0; i < k; i++) lower += Math.exp(logPmf(i, n, p));
  return Math.max(0, 1 - lower);
}
