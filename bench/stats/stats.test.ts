import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as hdr from 'hdr-histogram-js';
import { createLatencyHistogram } from './latency-histogram.js';
import { bootstrapMedian, geomean, median, quantileSorted } from './descriptive.js';
import { mannWhitneyNull, mannWhitneyU, signedRankNull } from './rank-tests.js';
import { ALPHA, comparePaired, compareSamples, type Difference } from './difference.js';
import { adjustPValues } from './multiplicity.js';
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
  test('ties count against an effect: x = [1, 2], y = [2, 3] → U = 0.5, p = 2·P(U ≤ 1) = 2·2/6', () => {
    const r = mannWhitneyU([1, 2], [2, 3]);
    expect(r.u, 'U').toBe(0.5);
    expect(r.p, 'p').toBeCloseTo(4 / 6, 12);
  });
  test('identical constant samples: p = 1', () => {
    expect(mannWhitneyU([4, 4, 4], [4, 4, 4]).p).toBe(1);
  });
  test('exact null distribution: U for 2 vs 2 takes 0, 1, 2, 2, 3, 4 over the 6 splits', () => {
    const dist = mannWhitneyNull(2, 2);
    expect([0, 1, 2, 3, 4].map((c) => dist.cdf(c) * 6)).toEqual([1, 2, 4, 5, 6].map((x) => expect.closeTo(x, 12)));
  });
  test('50 a side use the normal approximation with continuity correction (U = 0: z = (0.5 − 1250)/√(2500·101/12))', () => {
    const x = Array.from({ length: 50 }, (_, i) => i + 51);
    const y = Array.from({ length: 50 }, (_, i) => i + 1);
    const r = mannWhitneyU(x, y);
    expect(r.method).toBe('normal');
    expect(r.u).toBe(2500);
    // z = −1249.5 / 145.057 = −8.614 → 2·Φ(z) = 7.05e-18
    expect(r.p).toBeGreaterThan(6.9e-18);
    expect(r.p).toBeLessThan(7.2e-18);
  });
  test('signed-rank null: 3 pairs, T⁺ over the 8 sign vectors is 0, 1, 2, 3, 3, 4, 5, 6', () => {
    const dist = signedRankNull(3);
    expect([0, 1, 2, 3, 4, 5, 6].map((c) => dist.cdf(c) * 8)).toEqual([1, 2, 3, 5, 6, 7, 8].map((x) => expect.closeTo(x, 12)));
  });
});

interface ReferenceCase {
  name: string;
  design: 'independent' | 'paired';
  input: { baseline?: number[]; treatment?: number[]; pairs?: Array<[number, number]> };
  criticalValue: number;
  achievedLevel: number;
  absolute: number;
  absoluteCi: [number, number];
  relativePct: number | null;
  relativeCi: [number, number] | null;
  p: number;
  significant: boolean;
}

const reference = JSON.parse(readFileSync(new URL('./reference/rank-intervals.json', import.meta.url), 'utf8')) as { alpha: number; cases: ReferenceCase[] };

function run(c: ReferenceCase): Difference {
  return c.design === 'paired' ? comparePaired(c.input.pairs!) : compareSamples(c.input.baseline!, c.input.treatment!);
}

describe('Hodges–Lehmann with the inverted rank test, against the brute-force reference (reference/rank-intervals.mjs)', () => {
  test('the fixture has the cases the rules depend on', () => {
    expect(reference.alpha).toBe(ALPHA);
    expect(reference.cases.length).toBeGreaterThanOrEqual(10);
    expect(
      reference.cases.some((c) => c.significant),
      'a significant case',
    ).toBe(true);
    expect(
      reference.cases.some((c) => c.criticalValue < 0),
      'an unreachable level',
    ).toBe(true);
  });
  test.each(reference.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const d = run(c);
    expect(d.design, 'design').toBe(c.design);
    expect(d.absolute, 'absolute').toBeCloseTo(c.absolute, 9);
    expect(d.absoluteCi.low, 'absoluteCi.low').toBeCloseTo(c.absoluteCi[0], 9);
    expect(d.absoluteCi.high, 'absoluteCi.high').toBeCloseTo(c.absoluteCi[1], 9);
    if (c.relativePct === null) {
      expect(d.relativePct, 'relativePct').toBeNull();
      expect(d.relativeCi, 'relativeCi').toBeNull();
      expect(d.scale).toBe('shift');
    } else {
      expect(d.relativePct!, 'relativePct').toBeCloseTo(c.relativePct, 9);
      expect(d.relativeCi!.low, 'relativeCi.low').toBeCloseTo(c.relativeCi![0], 9);
      expect(d.relativeCi!.high, 'relativeCi.high').toBeCloseTo(c.relativeCi![1], 9);
      expect(d.halfWidthPct!, 'halfWidthPct').toBeCloseTo((c.relativeCi![1] - c.relativeCi![0]) / 2, 9);
      expect(d.scale).toBe('ratio');
    }
    expect(d.achievedLevel, 'achievedLevel').toBeCloseTo(c.achievedLevel, 12);
    expect(d.p, 'p').toBeCloseTo(c.p, 12);
    expect(d.significant, 'significant').toBe(c.significant);
    expect(d.level, 'level').toBeCloseTo(0.95, 12);
    expect(d.pairs, 'pairs').toBe(c.design === 'paired' ? c.input.pairs!.length : null);
  });
  test('the bootstrap counterexample: p was 0.032 with a CI reaching 0; now one method says not significant', () => {
    const d = compareSamples([13, 48, 28, 12, 20, 12], [10, 11, 13, 10, 13, 10]);
    expect(d.relativeCi!.high, 'CI reaches 0').toBeCloseTo(0, 12);
    expect(d.p, 'p').toBeGreaterThan(ALPHA);
    expect(d.significant, 'significant').toBe(false);
  });
  test('3 vs 3 cannot reach 95%: the widest interval at its achieved 90%, never significant', () => {
    const d = compareSamples([10, 10, 10], [12, 12, 12]);
    expect(d.relativeCi, 'CI').toEqual({ low: expect.closeTo(20, 12), high: expect.closeTo(20, 12) });
    expect(d.achievedLevel, 'achieved').toBeCloseTo(0.9, 12);
    expect(d.significant).toBe(false);
  });
  test('p ≤ α ⇔ the interval excludes 0, on 200 seeded random designs, with and without a correction', { timeout: 60_000 }, () => {
    const random = createRandom(20261207);
    for (let i = 0; i < 200; i++) {
      const m = 2 + Math.floor(random() * 9);
      const n = 2 + Math.floor(random() * 9);
      const shift = (random() - 0.5) * 0.6;
      const draw = (k: number, s: number) => Array.from({ length: k }, () => Math.round(Math.exp(s + random() * 0.4) * 20) / 2);
      const d = compareSamples(draw(m, 0), draw(n, shift));
      const ci = d.relativeCi!;
      expect(d.significant, `case ${i}: significant vs p=${d.p}`).toBe(d.p <= ALPHA);
      expect(d.significant, `case ${i}: significant vs CI`).toBe(d.achievedLevel >= d.level - 1e-12 && (ci.low > 0 || ci.high < 0));
      const pAdjusted = Math.min(1, d.p * (1 + Math.floor(random() * 4)));
      const a = compareSamples(draw(m, 0), draw(n, shift), { adjusted: { method: 'holm', pAdjusted } });
      const aci = a.relativeCi!;
      expect(a.significant, `case ${i}: adjusted`).toBe(a.pAdjusted <= ALPHA);
      expect(a.significant, `case ${i}: adjusted CI`).toBe(a.achievedLevel >= a.level - 1e-12 && (aci.low > 0 || aci.high < 0));
      const pairs = Array.from({ length: m + 3 }, (): [number, number] => [20 + random() * 4, (20 + random() * 4) * Math.exp(shift / 3)]);
      const p = comparePaired(pairs);
      expect(p.significant, `case ${i}: paired`).toBe(p.p <= ALPHA);
    }
  });
  test('a correction widens the interval to 1 − α·p/p̃ and removes significance when p̃ > α', () => {
    const plain = compareSamples([100, 101, 99, 102, 98], [90, 91, 89, 92, 88]);
    const corrected = compareSamples([100, 101, 99, 102, 98], [90, 91, 89, 92, 88], { adjusted: { method: 'holm', pAdjusted: 3 * plain.p } });
    expect(corrected.level, 'level').toBeCloseTo(1 - ALPHA / 3, 12);
    expect(corrected.relativeCi!.low, 'wider').toBeLessThanOrEqual(plain.relativeCi!.low);
    expect(corrected.significant, '3·(2/252) ≤ 0.05').toBe(true);
    const many = compareSamples([100, 101, 99, 102, 98], [90, 91, 89, 92, 88], { adjusted: { method: 'holm', pAdjusted: 7 * plain.p } });
    expect(many.pAdjusted, 'p̃ = 14/252').toBeCloseTo(14 / 252, 12);
    expect(many.significant, '7 tests: 0.056 > 0.05').toBe(false);
    expect(many.achievedLevel, 'level 1 − 0.05/7 is out of reach of 5 vs 5').toBeLessThan(many.level);
  });
  test('paired rounds resolve a shift that independent samples of the same values cannot', () => {
    const pairs: Array<[number, number]> = [
      [100, 102],
      [130, 132.5],
      [80, 81.7],
      [115, 117.2],
      [95, 97],
      [125, 127.6],
      [105, 107.3],
      [88, 89.9],
    ];
    const paired = comparePaired(pairs);
    const independent = compareSamples(
      pairs.map(([b]) => b),
      pairs.map(([, t]) => t),
    );
    expect(paired.significant, 'paired').toBe(true);
    expect(paired.relativeCi!.low, 'paired CI low').toBeGreaterThan(1.5);
    expect(independent.significant, 'independent').toBe(false);
  });
});

describe('multiplicity', () => {
  test('Holm: sorted p × (m − rank), made monotone; in input order', () => {
    // Sorted 0.01, 0.03, 0.04, 0.2: 0.01·4 = 0.04, 0.03·3 = 0.09, 0.04·2 = 0.08 → max(0.09, 0.08) = 0.09, 0.2·1 = 0.2
    expect(adjustPValues([0.04, 0.01, 0.2, 0.03], 'holm')).toEqual([0.09, 0.04, 0.2, 0.09].map((x) => expect.closeTo(x, 12)));
  });
  test('Benjamini–Hochberg: m·p/rank, made monotone from the top', () => {
    // ranks 1…4 of 0.01, 0.03, 0.04, 0.2: 0.04, 0.06, 0.0533, 0.2 → min from the top: 0.04, 0.0533, 0.0533, 0.2
    expect(adjustPValues([0.04, 0.01, 0.2, 0.03], 'benjamini-hochberg')).toEqual([0.16 / 3, 0.04, 0.2, 0.16 / 3].map((x) => expect.closeTo(x, 12)));
  });
  test('a family of one is unchanged; p̃ never exceeds 1', () => {
    expect(adjustPValues([0.3], 'holm')).toEqual([0.3]);
    expect(adjustPValues([0.6, 0.7], 'holm')).toEqual([1, 1]);
  });
});

describe('P99 across repeats from merged histograms', () => {
  function encoded(values: Array<[number, number]>): string {
    const h = createLatencyHistogram();
    for (const [us, count] of values) h.recordValueWithCount(us, count);
    const text = hdr.encodeIntoCompressedBase64(h);
    h.destroy();
    return text;
  }
  test('merged P99 is 10 ms, not the 5.5 ms average of the per-repeat P99s (1 ms and 10 ms)', () => {
    // Repeat 1: 99 × 1 ms + 1 × 100 ms → P99 1 ms. Repeat 2: 50 × 1 ms + 50 × 10 ms → P99 10 ms.
    // Pooled 200 requests: 149 × 1 ms, 50 × 10 ms, 1 × 100 ms → the 198th is 10 ms.
    const pooled = mergeLatencyHistograms([
      encoded([
        [1000, 99],
        [100_000, 1],
      ]),
      encoded([
        [1000, 50],
        [10_000, 50],
      ]),
    ]);
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
