import { describe, expect, it } from 'vitest';
import type { RuntimeSnapshot } from './runtime-snapshot.js';
import { deriveContainerMetrics, deriveRuntimeMetrics, podsForRate } from './derive.js';

describe('deriveContainerMetrics', () => {
  const samples = [
    { tMs: 0, cpuUsageNs: 0, nrPeriods: 0, nrThrottled: 0, throttledTimeNs: 0, memUsageBytes: 100, memPeakBytes: 150 },
    { tMs: 1000, cpuUsageNs: 0.5e9, nrPeriods: 10, nrThrottled: 4, throttledTimeNs: 200e6, memUsageBytes: 300, memPeakBytes: 350 },
    { tMs: 2000, cpuUsageNs: 1e9, nrPeriods: 20, nrThrottled: 5, throttledTimeNs: 400e6, memUsageBytes: 200, memPeakBytes: 350 },
    { tMs: 3000, cpuUsageNs: 9e9, nrPeriods: 30, nrThrottled: 30, throttledTimeNs: 900e6, memUsageBytes: 999, memPeakBytes: 999 },
  ];
  it('uses only the window and gives rates per second', () => {
    const m = deriveContainerMetrics(samples, 0, 2000, 1);
    expect(m.cpuCores, 'cpuCores').toBe(0.5);
    expect(m.cpuOfLimit, 'cpuOfLimit').toBe(0.5);
    expect(m.throttledPeriodRatio, 'throttledPeriodRatio').toBe(0.25);
    expect(m.throttledMsPerSec, 'throttledMsPerSec').toBe(200);
    expect(m.memAvgBytes, 'memAvgBytes').toBe(200);
    expect(m.memPeakBytes, 'memPeakBytes').toBe(350);
  });
  it('gives nothing for fewer than two samples', () => {
    expect(deriveContainerMetrics(samples.slice(0, 1), 0, 5000, 1)).toEqual({});
  });
});

function snapshot(metrics: Record<string, number>): RuntimeSnapshot {
  return {
    goVersion: 'go1.26', gcVariant: 'default', goexperiment: '', godebug: '', stripped: true, gomaxprocs: 2, numCPU: 2, gogc: 100,
    gomemlimitBytes: 9223372036854775807, metrics, gcPauses: { count: 1, p50Seconds: 0.0001, p99Seconds: 0.0005, maxSeconds: 0.001 },
    rssBytes: 1, startTime: '2026-01-01T00:00:00Z', uptimeSeconds: 1, ready: true, pid: 1,
    config: { liveHeapMiB: 0, graceful: true, drainMs: 0, shutdownTimeoutMs: 30000 },
  };
}

describe('deriveRuntimeMetrics', () => {
  it('GC CPU share excludes idle mark work and counts only CPU the process used', () => {
    const start = snapshot({ '/cpu/classes/gc/total:cpu-seconds': 1, '/cpu/classes/gc/mark/idle:cpu-seconds': 0.5, '/cpu/classes/total:cpu-seconds': 10, '/cpu/classes/idle:cpu-seconds': 4, '/gc/cycles/total:gc-cycles': 10 });
    const end = snapshot({ '/cpu/classes/gc/total:cpu-seconds': 2, '/cpu/classes/gc/mark/idle:cpu-seconds': 0.7, '/cpu/classes/total:cpu-seconds': 14, '/cpu/classes/idle:cpu-seconds': 5, '/gc/cycles/total:gc-cycles': 25 });
    const m = deriveRuntimeMetrics(start, end, 2, 1);
    // GC: (2 - 1) - (0.7 - 0.5) = 0.8 s; used: (14 - 10) - (5 - 4) = 3 s.
    expect(m.gcCpuShare, 'gcCpuShare').toBeCloseTo(0.8 / 3, 12);
    expect(m.gcCpuOfLimit, 'gcCpuOfLimit').toBeCloseTo(0.4, 12);
    expect(m.gcCycles, 'gcCycles').toBe(15);
    expect(m.gcPauseP99Ms, 'gcPauseP99Ms').toBe(0.5);
  });
});

describe('podsForRate', () => {
  it('is ceil(rate × cpuPerRequest / (request × target))', () => {
    // 0.35 cores at 350 req/s = 1 ms CPU per request; 5000 req/s need 5 cores; at 70% of 1 core: 7.14 → 8.
    expect(podsForRate(0.35, 350, 1)).toBe(8);
    expect(podsForRate(0.35, 0, 1)).toBeNaN();
  });
});
