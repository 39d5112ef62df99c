import { describe, expect, it } from 'vitest';
import { detectChangePoints, referenceOf, standardise } from '../../bench/history/change-points.js';

const flat = [100, 100, 100, 100, 100];

describe('referenceOf', () => {
  it('takes the median and 1.4826 × MAD', () => {
    // median 100; |deviations| 0, 4, 4, 2, 2 → MAD 2 → σ = 2.9652
    const ref = referenceOf([100, 104, 96, 102, 98], 0.01);
    expect(ref.centre, 'centre').toBe(100);
    expect(ref.sigma, 'sigma').toBeCloseTo(2.9652, 10);
  });

  it('floors σ at minRelativeSigma × |centre| for a too-quiet reference', () => {
    expect(referenceOf(flat, 0.01).sigma, 'floor').toBe(1);
  });

  it('is not moved by one wild point', () => {
    const ref = referenceOf([100, 101, 99, 100, 500], 0.01);
    expect(ref.centre, 'centre').toBe(100);
    expect(ref.sigma, 'sigma: MAD 1 → 1.4826').toBeCloseTo(1.4826, 10);
  });
});

describe('standardise', () => {
  it('clips at ±clip and treats any departure from an all-zero reference as a full step', () => {
    expect(standardise(105, 100, 2, 2), 'clipped').toBe(2);
    expect(standardise(99, 100, 2, 2), 'inside').toBe(-0.5);
    expect(standardise(0.001, 0, 0, 2), 'zero σ, up').toBe(2);
    expect(standardise(0, 0, 0, 2), 'zero σ, equal').toBe(0);
  });
});

describe('detectChangePoints (two-sided clipped CUSUM, k = 0.5σ, h = 4σ, clip 2σ)', () => {
  it('finds no change in a series shorter than the reference plus one', () => {
    expect(detectChangePoints(flat)).toEqual([]);
  });

  it('flags a 10 % step on its third night, at the night it began', () => {
    // σ = 1 (floor); z clipped to 2 → S⁺ = 1.5, 3.0, 4.5 > 4 at index 7.
    const changes = detectChangePoints([...flat, 110, 110, 110]);
    expect(changes).toEqual([{ index: 5, detectedAt: 7, direction: 'up', before: 100, after: 110, relativeShift: 0.1, sigma: 1 }]);
  });

  it('does not flag the step before the third night', () => {
    expect(detectChangePoints([...flat, 110, 110])).toEqual([]);
  });

  it('never flags one wild night', () => {
    // S⁺ = 1.5, 1.0, 0.5, 0, 0 → below h throughout.
    expect(detectChangePoints([...flat, 150, 100, 100, 100, 100])).toEqual([]);
  });

  it('catches a slow drift of 0.5 % a night that no single night makes significant', () => {
    // z = 0.5, 1, 1.5, 2, 2.5→2: S⁺ = 0, 0.5, 1.5, 3.0, 4.5 → flagged at index 9 (102.5, +2.5 %).
    // S⁺ is 0 after index 5, so the change is placed at index 6; after = median(101, 101.5, 102, 102.5).
    const changes = detectChangePoints([...flat, 100.5, 101, 101.5, 102, 102.5]);
    expect(changes).toHaveLength(1);
    const [change] = changes;
    expect(change?.index, 'index').toBe(6);
    expect(change?.detectedAt, 'detectedAt').toBe(9);
    expect(change?.direction, 'direction').toBe('up');
    expect(change?.after, 'after').toBe(101.75);
    expect(change?.relativeShift, 'relativeShift').toBeCloseTo(0.0175, 12);
  });

  it('flags a fall as direction down', () => {
    const changes = detectChangePoints([...flat, 90, 90, 90]);
    expect(changes.map((c) => [c.index, c.detectedAt, c.direction, c.relativeShift])).toEqual([[5, 7, 'down', -0.1]]);
  });

  it('ignores noise around a stable level', () => {
    // σ = 2.9652 from the noisy reference; the later points stay within ±1.35σ and alternate.
    expect(detectChangePoints([100, 104, 96, 102, 98, 103, 97, 101, 99, 104, 96, 102])).toEqual([]);
  });

  it('restarts after a change, so a second shift is found and the first is reported once', () => {
    const series = [...flat, 110, 110, 110, 110, 110, 120, 120, 120];
    const changes = detectChangePoints(series);
    // Second reference: indices 5-9 (110 ×5), σ = 1.1; 120 → z = 9.09 → clipped 2 → flagged at index 12.
    expect(changes.map((c) => [c.index, c.detectedAt, c.before, c.after])).toEqual([
      [5, 7, 100, 110],
      [10, 12, 110, 120],
    ]);
  });

  it('reports a rise from an all-zero reference without a relative shift', () => {
    const changes = detectChangePoints([0, 0, 0, 0, 0, 0.02, 0.03, 0.02]);
    expect(changes.map((c) => [c.index, c.detectedAt, c.after, c.relativeShift])).toEqual([[5, 7, 0.02, null]]);
  });

  it('honours the named options', () => {
    // h = 2: the step is flagged on its second night (S⁺ = 1.5, 3.0).
    expect(detectChangePoints([...flat, 110, 110], { thresholdSigma: 2 }).map((c) => c.detectedAt)).toEqual([6]);
    expect(() => detectChangePoints(flat, { referenceSize: 1 })).toThrow(/referenceSize/);
    expect(() => detectChangePoints(flat, { clipSigma: 0.5 })).toThrow(/clipSigma/);
  });
});
