import { describe, expect, it } from 'vitest';
import type { LoadProfile } from '../../scenarios/define.js';
import type { LoadResult } from '../load/types.js';
import { repeatResultSchema } from '../results/schema.js';
import type { ContainerSample } from '../targets/types.js';
import { loadResultMetrics, summariseLoadWindow, type LoadWindowInput } from './load-window.js';
import type { RuntimeSnapshot } from './runtime-snapshot.js';
import { runtimeSnapshot } from '../../test/helpers/runtime-snapshot.js';
import { effectiveSettings, loadResult as fakeLoadResult } from '../../test/helpers/fakes.js';

const profile: LoadProfile = { model: 'open', ratePerSec: 80, connections: 64, warmupMs: 2000, durationMs: 8000 };

const effective = effectiveSettings({ cgroupCpuLimit: 1, cgroupMemLimitBytes: 192 * 2 ** 20 });

function loadResult(patch: Partial<Omit<LoadResult, 'series'>>): Omit<LoadResult, 'series'> {
  const { series: _series, ...rest } = fakeLoadResult({ latency: { p50Ms: 2, p90Ms: 4, p99Ms: 9, p999Ms: 12, maxMs: 15, meanMs: 2.5 }, ...patch });
  return rest;
}

/** Samples every second from 0 to 10 s: 0.4 cores, `throttled` of 100 periods/s throttled, memory 100 → 200 → 150 MB. */
function samples(throttled = 0): ContainerSample[] {
  return Array.from({ length: 11 }, (_, i) => ({
    tMs: i * 1000,
    cpuUsageNs: i * 0.4e9,
    nrPeriods: i * 100,
    nrThrottled: i * throttled,
    throttledTimeNs: 0,
    memUsageBytes: (i === 5 ? 200 : i < 2 ? 100 : 150) * 1e6,
    memPeakBytes: 400e6,
  }));
}

function snapshot(metrics: Record<string, number>, pid = 1): RuntimeSnapshot {
  return runtimeSnapshot({
    metrics,
    pid,
    gcPauses: { count: 1, p50Seconds: 0.0001, p99Seconds: 0.0005, maxSeconds: 0.001 },
    config: { liveHeapMiB: 110, graceful: true, drainMs: 0, shutdownTimeoutMs: 30000 },
  });
}

const startRuntime = snapshot({
  '/cpu/classes/gc/total:cpu-seconds': 1,
  '/cpu/classes/gc/mark/idle:cpu-seconds': 0.5,
  '/cpu/classes/total:cpu-seconds': 10,
  '/cpu/classes/idle:cpu-seconds': 4,
  '/gc/cycles/total:gc-cycles': 10,
  '/memory/classes/total:bytes': 5,
});
const endRuntime = snapshot({
  '/cpu/classes/gc/total:cpu-seconds': 2,
  '/cpu/classes/gc/mark/idle:cpu-seconds': 0.7,
  '/cpu/classes/total:cpu-seconds': 14,
  '/cpu/classes/idle:cpu-seconds': 5,
  '/gc/cycles/total:gc-cycles': 25,
  '/memory/classes/total:bytes': 6,
});

function input(patch: Partial<LoadWindowInput>): LoadWindowInput {
  return {
    settings: { cpuLimit: 1, cpuRequest: null },
    profile,
    load: loadResult({}),
    samples: samples(),
    windowStartMs: 2000,
    windowEndMs: 10_000,
    startRuntime,
    endRuntime,
    effective,
    end: { exitCode: 0, oomKilled: false, exitedOnItsOwn: false, atMs: null },
    ...patch,
  };
}

describe('summariseLoadWindow: a service that dies', () => {
  // The gomemlimit=unset cell of a real run: killed 3.2 s into the load, every later request refused.
  const oomCell = input({
    load: loadResult({
      requests: 640,
      achievedRps: 80,
      errors: { non2xx: 0, timeouts: 0, connection: 450 },
      latency: { p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 3, meanMs: 0.1 },
    }),
    samples: samples().slice(0, 4),
    endRuntime: null,
    end: { exitCode: 137, oomKilled: true, exitedOnItsOwn: true, atMs: 3210.4 },
  });

  it('an OOM-killed service is `died` with cause, exit code and time, never `completed`', () => {
    const s = summariseLoadWindow(oomCell);
    expect(s.outcome).toEqual({ state: 'died', cause: 'oom', exitCode: 137, atMs: 3210 });
    expect(s.metrics.oomKills, 'oomKills').toBe(1);
    expect(s.notes[0]).toBe('the kernel OOM-killed the service 3.2 s after the load started (exit code 137); 190 of 640 requests succeeded');
  });
  it('records no latency and no throughput for it (not 0 ms, not the rate of refused connections)', () => {
    const m = summariseLoadWindow(oomCell).metrics;
    expect(m.latencyP99Ms, 'latencyP99Ms').toBeUndefined();
    expect(m.latencyP50Ms, 'latencyP50Ms').toBeUndefined();
    expect(m.throughputRps, 'throughputRps').toBeUndefined();
    expect(m.errorRate, 'errorRate').toBeCloseTo(450 / 640, 12);
    expect(m.failedRequests, 'failedRequests').toBe(450);
  });
  it('a crash that is not an OOM kill is `died` with cause `exit`', () => {
    const s = summariseLoadWindow(input({ end: { exitCode: 2, oomKilled: false, exitedOnItsOwn: true, atMs: null } }));
    expect(s.outcome).toEqual({ state: 'died', cause: 'exit', exitCode: 2, atMs: null });
    expect(s.metrics.oomKills, 'oomKills').toBe(0);
  });
  it('an OOM kill the container survived (a Kubernetes restart) is still `died`', () => {
    expect(summariseLoadWindow(input({ end: { exitCode: 0, oomKilled: true, exitedOnItsOwn: false, atMs: null } })).outcome.state).toBe('died');
  });
  it('the died outcome is a valid record', () => {
    const s = summariseLoadWindow(oomCell);
    const repeat = {
      cellId: 'c',
      repeat: 0,
      order: 0,
      startedAt: '',
      endedAt: '',
      outcome: s.outcome,
      metrics: s.metrics,
      effective,
      load: oomCell.load,
      runtimeWindow: s.runtimeWindow,
      series: {},
      events: [],
      notes: s.notes,
    };
    expect(repeatResultSchema.parse(repeat).outcome.state).toBe('died');
  });
});

describe('summariseLoadWindow: a live service', () => {
  it('is completed, with CPU per 1000 successful requests and both GC shares', () => {
    const s = summariseLoadWindow(input({}));
    expect(s.outcome).toEqual({ state: 'completed' });
    // 0.4 cores over the 8 s window = 3200 ms of CPU for 640 successful requests.
    expect(s.metrics.cpuMsPer1k, 'cpuMsPer1k').toBeCloseTo(5000, 9);
    expect(s.metrics.gcCpuShare, 'gcCpuShare').toBeCloseTo(1 / 3, 12);
    expect(s.metrics.gcCpuShareNoIdle, 'gcCpuShareNoIdle').toBeCloseTo(0.8 / 2.8, 12);
    expect(s.metrics.latencyP99Ms, 'latencyP99Ms').toBe(9);
    expect(s.metrics.oomKills, 'oomKills').toBe(0);
  });
  it('takes peak memory from the window (200 MB), not the cgroup high-water mark (400 MB)', () => {
    expect(summariseLoadWindow(input({})).metrics.memPeakBytes, 'memPeakBytes').toBe(200e6);
  });
  it('stores the raw counters and the window length', () => {
    const w = summariseLoadWindow(input({})).runtimeWindow;
    expect(w.windowMs, 'windowMs').toBe(8000);
    expect(w.gomaxprocs, 'gomaxprocs').toBe(2);
    expect(w.start?.['/cpu/classes/gc/mark/idle:cpu-seconds'], 'start idle mark').toBe(0.5);
    expect(w.end?.['/gc/cycles/total:gc-cycles'], 'end cycles').toBe(25);
    expect(w.start?.['/memory/classes/total:bytes'], 'not a /cpu or /gc counter').toBeUndefined();
    expect(w.cgroup).toEqual({ spanMs: 8000, cpuUsageNs: [0.8e9, 4e9], nrPeriods: [200, 1000], nrThrottled: [0, 0] });
  });
  it('counts throughput as successful responses only, and a window with more than 1% errors is invalid', () => {
    const s = summariseLoadWindow(input({ load: loadResult({ errors: { non2xx: 64, timeouts: 0, connection: 0 } }) }));
    expect(s.metrics.throughputRps, 'throughputRps').toBeCloseTo(72, 12);
    expect(s.outcome).toEqual({ state: 'invalid', reason: '10.0% of 640 requests failed (limit 1%): the window measured a failing service' });
  });
  it('flags GC CPU of a throttled window as inflated', () => {
    const throttled = summariseLoadWindow(input({ samples: samples(5) }));
    expect(throttled.metrics.throttledPeriodRatio, 'throttledPeriodRatio').toBe(0.05);
    expect(throttled.notes.some((n) => n.startsWith('GC CPU inflated by throttling: 5.0% of CFS periods were throttled (above 2%)'))).toBe(true);
    expect(summariseLoadWindow(input({ samples: samples(1) })).notes).toEqual([]);
  });
  it('a service that restarted inside the window (a new process at its end) died, with no GC figure', () => {
    const s = summariseLoadWindow(input({ endRuntime: { ...endRuntime, pid: 7 } }));
    expect(s.outcome).toEqual({ state: 'died', cause: 'exit', exitCode: 0, atMs: null });
    expect(s.metrics.gcCpuShare, 'gcCpuShare').toBeUndefined();
    expect(s.notes[0]).toBe('the service restarted during the window (exit code 0); 640 of 640 requests succeeded');
  });
});

describe('loadResultMetrics', () => {
  it('has no latency when nothing succeeded', () => {
    const m = loadResultMetrics(loadResult({ errors: { non2xx: 640, timeouts: 0, connection: 0 } }));
    expect(m).toEqual({ throughputRps: 0, errorRate: 1, failedRequests: 640 });
  });
});
