import { describe, expect, it } from 'vitest';
import { parseCfsQuota, parseCpuMax, parseKeyValues, parseMemLimit } from './cgroup.js';

describe('cgroup parsers', () => {
  it('reads cpu.stat (v1 and v2 keys)', () => {
    expect(parseKeyValues('nr_periods 120\nnr_throttled 30\nthrottled_time 4500000000\n')).toEqual({
      nr_periods: 120,
      nr_throttled: 30,
      throttled_time: 4500000000,
    });
    expect(parseKeyValues('usage_usec 1000\nthrottled_usec 250\n')).toEqual({ usage_usec: 1000, throttled_usec: 250 });
  });
  it('turns quota/period into cores', () => {
    expect(parseCfsQuota('150000\n', '100000\n')).toBe(1.5);
    expect(parseCfsQuota('-1', '100000')).toBeNull();
    expect(parseCpuMax('50000 100000')).toBe(0.5);
    expect(parseCpuMax('max 100000')).toBeNull();
  });
  it('treats the v1 "no limit" number and v2 max as no limit', () => {
    expect(parseMemLimit('9223372036854771712')).toBeNull();
    expect(parseMemLimit('max')).toBeNull();
    expect(parseMemLimit('201326592\n')).toBe(201326592);
  });
});
