import type { RuntimeSnapshot } from '../../bench/collect/runtime-snapshot.js';

/** A `/debug/runtime` snapshot of a Go 1.26 service with GOMAXPROCS 2 and default GC settings, for unit tests. */
export function runtimeSnapshot(overrides: Partial<RuntimeSnapshot> = {}): RuntimeSnapshot {
  return {
    goVersion: 'go1.26',
    gcVariant: 'default',
    goexperiment: '',
    godebug: '',
    stripped: true,
    gomaxprocs: 2,
    numCPU: 2,
    gogc: 100,
    gomemlimitBytes: 2 ** 63 - 1,
    metrics: {},
    gcPauses: { count: 0, p50Seconds: 0, p99Seconds: 0, maxSeconds: 0 },
    rssBytes: 1,
    startTime: '2026-01-01T00:00:00Z',
    uptimeSeconds: 1,
    ready: true,
    pid: 1,
    config: { liveHeapMiB: 0, graceful: true, drainMs: 0, shutdownTimeoutMs: 30000 },
    ...overrides,
  };
}
