import { describe, expect, it } from 'vitest';
import { binomialUpperTail } from './binomial.js';

// Exact values from Python's fractions and math.comb:
//   float(sum(comb(n, i) * p**i * (1 - p)**(n - i) for i in range(k, n + 1))) with p = Fraction('0.01')
const exact: Array<[k: number, n: number, p: number, tail: number]> = [
  [6, 246, 0.01, 0.03858517143797912],
  [5, 246, 0.01, 0.1025311605435656],
  [3, 246, 0.01, 0.4464830716417959],
  [1, 100, 0.01, 0.6339676587267705],
  [200, 16800, 0.01, 0.008548197308328186],
  [10, 10, 0.5, 0.0009765625],
];

describe('binomialUpperTail', () => {
  it.each(exact)('P(X ≥ %i | n=%i, p=%f) matches the exact value', (k, n, p, tail) => {
    expect(binomialUpperTail(k, n, p)).toBeCloseTo(tail, 10);
  });

  it('is 1 at k ≤ 0 and 0 past n', () => {
    expect(binomialUpperTail(0, 10, 0.5)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.5)).toBe(0);
  });

  it('refuses a probability outside (0, 1) or a fractional count', () => {
    expect(() => binomialUpperTail(1, 10, 0)).toThrow(RangeError);
    expect(() => binomialUpperTail(1.5, 10, 0.1)).toThrow(RangeError);
  });
});
