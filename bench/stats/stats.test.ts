import { describe, expect, test } from 'vitest';
import * as hdr from 'hdr-histogram-js';
import { bootstrapMedian, geomean, median, quantileSorted } from './descriptive.js';
import { mannWhitneyU } from './mann-whitney.js';
import { compareSamples } from './difference.js';
import { mergeLatencyHistograms } from './histogram.js';
import { createRandom, deriveSeed } from './random.js';

describe('median and quantiles', () => {
  test('odd and even n', () => {
    expect(median([3, 1, 2]), 'odd').toBe(2);
    expect(median([4, 1, 3, 2]), 'even').toBe(2.5);
    expect(() => median([]), 'empty').toThrow(RangeError);
  });
  test('type-7 quantile interpolates between order statistics', () => {
    // h = (5 - 1) * 0.25 = 1 → sorted[1]; h = 4 * 0.1 = 0.4 → 10 + 0.4 * (20 - 10)
    expect(quantileSorted([10, 20, 30, 40, 50], 0.25), 'q25').toBe(20);
    expect(quantileSorted([10, 20, 30, 40, 50], 0.1), 'q10').toBe(14);
  });
});

describe('bootstrap CI of the median', () => {
  test('n = 1 gives a zero-width interval', () => {
    expect(bootstrapMedian([7], { seed: 1 })).toEqual({ n: 1, median: 7, ci: { low: 7, high: 7 } });
  });
  test('a constant sample gives a zero-width interval', () => {
    expect(bootstrapMedian([5, 5, 5, 5], { seed: 1 }).ci).toEqual({ low: 5, high: 5 });
  });
  test('n = 3 spans min..max: P(resampled median = min) = 7/27 > 2.5%', () => {
    // The median of 3 draws from {1,2,3} is 1 when at least two draws are 1: 3·(1/3)²·(2/3) + (1/3)³ = 7/27.
    const est = bootstrapMedian([1, 2, 3], { seed: 42 });
    expect(est.median, 'median').toBe(2);
    expect(est.ci.low, 'ci.low').toBe(1);
    expect(est.ci.high, 'ci.high').toBe(3);
  });
  test('same seed, same interval (reports are reproducible)', () => {
    const values = [10.2, 11.5, 9.8, 10.9, 12.1, 10.4, 11.1];
    expect(bootstrapMedian(values, { seed: 9 })).toEqual(bootstrapMedian(values, { seed: 9 }));
    const ci = bootstrapMedian(values, { seed: 9 }).ci;
    expect(ci.low, 'ci.low ≤ median').toBeLessThanOrEqual(10.9);
    expect(ci.high, 'ci.high ≥ median').toBeGreaterThanOrEqual(10.9);
  });
  test('seeded random is deterministic and derived seeds differ per key', () => {
    const a = createRandom(1);
    const b = createRandom(1);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    expect(deriveSeed(7, 'cell|metric')).not.toBe(deriveSeed(7, 'cell|other'));
    expect(deriveSeed(7, 'x')).toBe(deriveSeed(7, 'x'));
  });
});

describe('geomean', () => {
  test('exact values; null with a non-positive value', () => {
    expect(geomean([1, 4]), '√(1·4)').toBeCloseTo(2, 12);
    expect(geomean([2, 8, 4]), '∛64').toBeCloseTo(4, 12);
    expect(geomean([1, 0]), 'zero').toBeNull();
    expect(geomean([]), 'empty').toBeNull();
  });
});

describe('Mann–Whitney U', () => {
  test('3 vs 3 fully separated: U = 0, exact p = 2/C(6,3) = 0.1 (never < 0.05)', () => {
    const r = mannWhitneyU([1, 2, 3], [4, 5, 6]);
    expect(r.u, 'U').toBe(0);
    expect(r.p, 'p').toBeCloseTo(0.1, 12);
    expect(r.method).toBe('exact');
  });
  test('5 vs 5 fully separated: p = 2/252', () => {
    const r = mannWhitneyU([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]);
    expect(r.u, 'U').toBe(25);
    expect(r.p, 'p').toBeCloseTo(2 / 252, 12);
  });
  test('ties: x = [1, 2], y = [2, 3] → mid-ranks 1, 2.5 | 2.5, 4; U = 0.5, p = 4/6', () => {
    const r = mannWhitneyU([1, 2], [2, 3]);
    expect(r.u, 'U').toBe(0.5);
    expect(r.p, 'p').toBeCloseTo(4 / 6, 12);
  });
  test('identical constant samples: p = 1', () => {
    expect(mannWhitneyU([4, 4, 4], [4, 4, 4]).p).toBe(1);
  });
  test('large samples use the normal approximation (U = 0, z = 312/51.54 ≈ 6.05)', () => {
    const x = Array.from({ length: 25 }, (_, i) => i + 1);
    const y = Array.from({ length: 25 }, (_, i) => i + 26);
    const r = mannWhitneyU(x, y);
    expect(r.method).toBe('normal');
    expect(r.u).toBe(0);
    // 2·(1 − Φ(6.0536)) = 1.42e-9
    expect(r.p).toBeGreaterThan(1.3e-9);
    expect(r.p).toBeLessThan(1.55e-9);
  });
});

describe('baseline vs treatment', () => {
  test('constant samples: exact +20%, CI [20, 20], but n = 3 cannot be significant', () => {
    const d = compareSamples([10, 10, 10], [12, 12, 12], { seed: 1 });
    expect(d.relativePct, 'Δ%').toBeCloseTo(20, 12);
    expect(d.relativeCi!.low, 'ci.low').toBeCloseTo(20, 12);
    expect(d.relativeCi!.high, 'ci.high').toBeCloseTo(20, 12);
    expect(d.absolute, 'absolute').toBe(2);
    expect(d.p, 'p').toBeCloseTo(0.1, 12);
    expect(d.significant, 'significant').toBe(false);
  });
  test('5 vs 5 separated: −10%, p = 2/252, significant', () => {
    const d = compareSamples([100, 100, 100, 100, 100], [90, 90, 90, 90, 90], { seed: 1 });
    expect(d.relativePct).toBeCloseTo(-10, 12);
    expect(d.p).toBeCloseTo(2 / 252, 12);
    expect(d.significant).toBe(true);
  });
  test('zero baseline: no relative change, absolute only', () => {
    const d = compareSamples([0, 0, 0], [1, 1, 1], { seed: 1 });
    expect(d.relativePct).toBeNull();
    expect(d.relativeCi).toBeNull();
    expect(d.absolute).toBe(1);
    expect(d.absoluteCi).toEqual({ low: 1, high: 1 });
  });
});

describe('P99 across repeats from merged histograms', () => {
  function encoded(values: Array<[number, number]>): string {
    const h = hdr.build({ bitBucketSize: 32, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
    for (const [us, count] of values) h.recordValueWithCount(us, count);
    const text = hdr.encodeIntoCompressedBase64(h);
    h.destroy();
    return text;
  }
  test('merged P99 is 10 ms, not the 5.5 ms average of the per-repeat P99s (1 ms and 10 ms)', () => {
    // Repeat 1: 99 × 1 ms + 1 × 100 ms → P99 1 ms. Repeat 2: 50 × 1 ms + 50 × 10 ms → P99 10 ms.
    // Pooled 200 requests: 149 × 1 ms, 50 × 10 ms, 1 × 100 ms → the 198th is 10 ms.
    const pooled = mergeLatencyHistograms([encoded([[1000, 99], [100_000, 1]]), encoded([[1000, 50], [10_000, 50]])]);
    expect(pooled!.requests, 'requests').toBe(200);
    expect(pooled!.histograms, 'histograms').toBe(2);
    // HDR with 3 significant digits reports the bucket's highest equivalent value (10 ms → 10.007 ms).
    expect(pooled!.p99Ms, 'p99').toBeCloseTo(10, 1);
    expect(pooled!.p50Ms, 'p50').toBeCloseTo(1, 2);
    expect(pooled!.maxMs, 'max').toBeCloseTo(100, 0);
  });
  test('no histograms → null', () => {
    expect(mergeLatencyHistograms([])).toBeNull();
  });
});
