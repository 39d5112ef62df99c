/**
 * Change points in a nightly series, by a two-sided tabular CUSUM (Page 1954; Montgomery, "Introduction
 * to Statistical Quality Control", § 9.1) against a robust reference window. Pure.
 *
 * Method, for a series x₀ … xₙ₋₁ in run order:
 * 1. Reference: the first `referenceSize` points from the current start. centre = their median;
 *    σ = max(1.4826 · MAD, `minRelativeSigma` · |centre|) — the MAD makes one wild night harmless, the floor
 *    keeps a suspiciously quiet reference from turning 0.1 % wobbles into alarms.
 * 2. For each later point, z = clip((x − centre) / σ, ±`clipSigma`) and
 *    S⁺ = max(0, S⁺ + z − k),  S⁻ = max(0, S⁻ − z − k)   with slack k = `slackSigma`.
 *    Clipping (a Huber-type robust CUSUM) bounds what one wild night can add to clip − k = 1.5σ, so a
 *    single noisy night never makes a change point; three nights in a row beyond 2σ do.
 * 3. When S⁺ or S⁻ exceeds h = `thresholdSigma`, a change is flagged. Its position is the first point after
 *    the sum last stood at 0 (the usual CUSUM estimate of when the shift began); its size is the median
 *    of the points from there to the detection, relative to the centre.
 * 4. The search restarts with the change point as the new start, so a later second shift is found too,
 *    and a shift is reported once, not every night after.
 *
 * With the defaults (k = 0.5σ, h = 4σ, clip 2σ, σ at least 1 % of the centre): a step of 2σ or more is
 * flagged on its third night, a step of 1σ on its ninth, and a drift of +0.5σ a night (0.5 % a night on a
 * quiet series) on its fifth night, when it stands 2.5 % above the reference — below a 5 % compare
 * threshold on every single night.
 */
import { median } from '../stats/index.js';

/** CUSUM settings; k = 0.5σ and h = 4σ are the textbook defaults. */
export interface ChangePointOptions {
  /** Points that form the reference before monitoring starts. @default 5 */
  referenceSize: number;
  /** Slack k, in σ: shifts smaller than this do not accumulate. @default 0.5 */
  slackSigma: number;
  /** Decision threshold h, in σ. @default 4 */
  thresholdSigma: number;
  /** Floor of σ as a fraction of |centre|. @default 0.01 */
  minRelativeSigma: number;
  /** Each standardised point is clipped to ±this before it is summed. @default 2 */
  clipSigma: number;
}

export const DEFAULT_CHANGE_POINT_OPTIONS: ChangePointOptions = {
  referenceSize: 5,
  slackSigma: 0.5,
  thresholdSigma: 4,
  minRelativeSigma: 0.01,
  clipSigma: 2,
};

/** Scale factor that makes the MAD a consistent estimate of σ for normal data. */
export const MAD_TO_SIGMA = 1.4826;

export interface ChangePoint {
  /** Index of the first point after the change. */
  index: number;
  /** Index at which the CUSUM crossed the threshold (the night the change was flagged). */
  detectedAt: number;
  direction: 'up' | 'down';
  /** Median of the reference window the change is measured against. */
  before: number;
  /** Median of the points from `index` to `detectedAt`. */
  after: number;
  /** (after − before) / |before|; `null` when before is 0. */
  relativeShift: number | null;
  /** The σ used, so a reader can judge the size in noise units. */
  sigma: number;
}

/** Reference centre and σ of a window (see the method above). */
export function referenceOf(window: readonly number[], minRelativeSigma: number): { centre: number; sigma: number } {
  const centre = median(window);
  const mad = median(window.map((x) => Math.abs(x - centre)));
  return { centre, sigma: Math.max(MAD_TO_SIGMA * mad, minRelativeSigma * Math.abs(centre)) };
}

/** (x − centre) / σ clipped to ±clip; with σ = 0 (a reference of identical zeros) any departure counts fully. */
export function standardise(x: number, centre: number, sigma: number, clip: number): number {
  const z = sigma > 0 ? (x - centre) / sigma : x === centre ? 0 : x > centre ? clip : -clip;
  return Math.max(-clip, Math.min(clip, z));
}

/** All change points of a series, in order. Fewer than `referenceSize + 1` points: none. */
export function detectChangePoints(values: readonly number[], options: Partial<ChangePointOptions> = {}): ChangePoint[] {
  const o = { ...DEFAULT_CHANGE_POINT_OPTIONS, ...options };
  if (!(Number.isInteger(o.referenceSize) && o.referenceSize >= 2)) throw new Error(`referenceSize must be an integer >= 2 (got ${o.referenceSize})`);
  if (!(o.thresholdSigma > 0) || !(o.clipSigma > o.slackSigma) || !(o.slackSigma >= 0) || !(o.minRelativeSigma >= 0)) {
    throw new Error('thresholdSigma must be > 0, clipSigma > slackSigma >= 0, minRelativeSigma >= 0');
  }
  const found: ChangePoint[] = [];
  let start = 0;
  while (start + o.referenceSize < values.length) {
    const { centre, sigma } = referenceOf(values.slice(start, start + o.referenceSize), o.minRelativeSigma);
    let high = 0;
    let low = 0;
    let highFrom = start + o.referenceSize;
    let lowFrom = highFrom;
    let change: ChangePoint | null = null;
    for (let i = start + o.referenceSize; i < values.length; i++) {
      const z = standardise(values[i] as number, centre, sigma, o.clipSigma);
      high = Math.max(0, high + z - o.slackSigma);
      low = Math.max(0, low - z - o.slackSigma);
      if (high === 0) highFrom = i + 1;
      if (low === 0) lowFrom = i + 1;
      const up = high > o.thresholdSigma;
      const down = low > o.thresholdSigma;
      if (up || down) {
        const index = up ? highFrom : lowFrom;
        const after = median(values.slice(index, i + 1));
        change = {
          index,
          detectedAt: i,
          direction: up ? 'up' : 'down',
          before: centre,
          after,
          relativeShift: centre === 0 ? null : (after - centre) / Math.abs(centre),
          sigma,
        };
        break;
      }
    }
    if (change === null) break;
    found.push(change);
    start = change.index;
  }
  return found;
}
