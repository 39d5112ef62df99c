import { describe, expect, it } from 'vitest';
import type { RuntimeSnapshot } from './runtime-snapshot.js';
import { containerWindowCounters, cpuMsPer1k, deriveContainerMetrics, deriveRuntimeMetrics, podsForRate, runtimeCounters } from './derive.js';
import { runtimeSnapshot } from '../../test/helpers/runtime-snapshot.js';

describe('deriveContainerMetrics', () => {
  const samples = [
    { tMs: 0, cpuUsageNs: 0, nrPeriods: 0, nrThrottled: 0, throttledTimeNs: 0, memUsageBytes: 100, memPeakBytes: 150 },
    { tMs: 1000, cpuUsageNs: 0.5e9, nrPeriods: 10, nrThrottled: 4, throttledTimeNs: 200e6, memUsageBytes: 300, memPeakBytes: 350 },
    { tMs: 2000, cpuUsageNs: 1e9, nrPeriods: 20, nrThrottled: 5, throttledTimeNs: 400e6, memUsageBytes: 200, memPeakBytes: 350 },
    { tMs: 3000, cpuUsageNs: 9e9, nrPeriods: 30, nrThrottled: 30, throttledTimeNs: 900e6, memUsageBytes: 999, memPeakBytes: 999 },
  ];
  it('uses only the window and gives rates per second', () => {
    const m = deriveContainerMetrics(samples, 0, 2000, 1);
    expect(m).toMatchObject({ cpuCores: 0.5, cpuOfLimit: 0.5, throttledPeriodRatio: 0.25, throttledMsPerSec: 200, memAvgBytes: 200, memPeakBytes: 300 });
  });
  it('takes peak memory from the samples inside the window, not the cgroup high-water mark', () => {
    // The cgroup's lifetime peak (start-up, warm-up) is 5000; the window itself never exceeds 300.
    const lifetimePeak = samples.map((s) => ({ ...s, memPeakBytes: 5000 }));
    expect(deriveContainerMetrics(lifetimePeak, 1000, 2000, 1).memPeakBytes, 'memPeakBytes').toBe(300);
  });
  it('records the cgroup counters at the window edges', () => {
    expect(containerWindowCounters(samples, 0, 2000)).toEqual({ spanMs: 2000, cpuUsageNs: [0, 1e9], nrPeriods: [0, 20], nrThrottled: [0, 5] });
    expect(containerWindowCounters(samples, 0, 500)).toBeNull();
  });
  it('gives nothing for fewer than two samples', () => {
    expect(deriveContainerMetrics(samples.slice(0, 1), 0, 5000, 1)).toEqual({});
  });
});

function snapshot(metrics: Record<string, number>): RuntimeSnapshot {
  return runtimeSnapshot({ metrics, gcPauses: { count: 1, p50Seconds: 0.0001, p99Seconds: 0.0005, maxSeconds: 0.001 } });
}

const start = snapshot({
  '/cpu/classes/gc/total:cpu-seconds': 1,
  '/cpu/classes/gc/mark/idle:cpu-seconds': 0.5,
  '/cpu/classes/total:cpu-seconds': 10,
  '/cpu/classes/idle:cpu-seconds': 4,
  '/gc/cycles/total:gc-cycles': 10,
  '/memory/classes/total:bytes': 7,
});
const end = snapshot({
  '/cpu/classes/gc/total:cpu-seconds': 2,
  '/cpu/classes/gc/mark/idle:cpu-seconds': 0.7,
  '/cpu/classes/total:cpu-seconds': 14,
  '/cpu/classes/idle:cpu-seconds': 5,
  '/gc/cycles/total:gc-cycles': 25,
});
describe('deriveRuntimeMetrics', () => {
  it('gives GC CPU share with and without idle mark work, over the CPU the process used', () => {
    const m = deriveRuntimeMetrics(start, end, 2, 1);
    // GC: 2 - 1 = 1 s, of which idle marking 0.7 - 0.5 = 0.2 s; used: (14 - 10) - (5 - 4) = 3 s.
    expect(m.gcCpuShare, 'gcCpuShare').toBeCloseTo(1 / 3, 12);
    // Without idle marking on both sides: 0.8 / (3 - 0.2).
    expect(m.gcCpuShareNoIdle, 'gcCpuShareNoIdle').toBeCloseTo(0.8 / 2.8, 12);
    expect(m.gcCpuOfLimit, 'gcCpuOfLimit').toBeCloseTo(0.4, 12);
    expect(m.gcCycles, 'gcCycles').toBe(15);
    expect(m.gcPauseP99Ms, 'gcPauseP99Ms').toBe(0.5);
  });
});

describe('runtimeCounters', () => {
  it('keeps the /cpu/classes/* and /gc/* counters only', () => {
    expect(Object.keys(runtimeCounters(start)).sort()).toEqual([
      '/cpu/classes/gc/mark/idle:cpu-seconds',
      '/cpu/classes/gc/total:cpu-seconds',
      '/cpu/classes/idle:cpu-seconds',
      '/cpu/classes/total:cpu-seconds',
      '/gc/cycles/total:gc-cycles',
    ]);
  });
});

describe('cpuMsPer1k', () => {
  it('is container CPU ms in the window per 1000 successful requests', () => {
    // 0.5 cores for 8 s = 4000 ms CPU; 1600 successful requests → 2.5 ms each → 2500 ms per 1000.
    expect(cpuMsPer1k(0.5, 8000, 1600)).toBe(2500);
    expect(cpuMsPer1k(0.5, 8000, 0)).toBeUndefined();
  });
});

describe('podsForRate', () => {
  it('is ceil(rate × cpuPerRequest / (request × target))', () => {
    // 0.35 cores at 350 req/s = 1 ms CPU per request; 5000 req/s need 5 cores; at 70% of 1 core: 7.14 → 8.
    expect(podsForRate(0.35, 350, 1)).toBe(8);
    expect(podsForRate(0.35, 0, 1)).toBeNaN();
  });
});
