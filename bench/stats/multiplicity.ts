/**
 * Multiplicity corrections for families of comparisons. Pure.
 *
 * - `holm`: family-wise error (the checks of one claim): sort p ascending, p̃₍ᵢ₎ = max over j ≤ i of
 *   min(1, (m − j + 1)·p₍ⱼ₎).
 * - `benjamini-hochberg`: false discovery rate (the many cells of a run compare): p̃₍ᵢ₎ = min over
 *   j ≥ i of min(1, m·p₍ⱼ₎ / j).
 *
 * A comparison is significant after correction when p̃ ≤ α; `compareSamples` / `comparePaired` turn
 * p̃ into the interval level 1 − α·p/p̃, at which the interval excludes 0 exactly when p̃ ≤ α.
 */

export type CorrectionMethod = 'holm' | 'benjamini-hochberg';

/** Adjusted p-values, in input order. */
export function adjustPValues(ps: readonly number[], method: CorrectionMethod): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const out = new Array<number>(m);
  if (method === 'holm') {
    let running = 0;
    order.forEach(({ p, i }, rank) => {
      running = Math.max(running, Math.min(1, (m - rank) * p));
      out[i] = running;
    });
  } else {
    let running = 1;
    for (let rank = m - 1; rank >= 0; rank--) {
      const { p, i } = order[rank]!;
      running = Math.min(running, Math.min(1, (m * p) / (rank + 1)));
      out[i] = running;
    }
  }
  return out;
}
