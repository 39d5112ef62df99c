/** Seeded PRNG shared with the statistics (mulberry32): plans and bootstrap resamples are reproducible from the seed. */
export { createRandom } from '../bench/stats/index.js';

/** Fisher–Yates shuffle of a copy, driven by `random`. */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
