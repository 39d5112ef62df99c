/**
 * The start-up and HPA procedures' glue with a fake target and generator (unit level; the real
 * service's start-up figures are tested in infra/refsvc, the HPA against a real cluster).
 */
import { describe, expect, test } from 'vitest';
import { defaultCellSettings, type Cell } from '../../scenarios/define.js';
import type { RuntimeSnapshot } from '../collect/runtime-snapshot.js';
import type { LoadGenerator, LoadResult } from '../load/types.js';
import type { ContainerSample, Sampler, ScalingObserver, ServiceHandle, Target, TargetObserver } from '../targets/types.js';
import { procedures, type RepeatContext } from './procedures.js';
import { TaskStack } from './task-stack.js';
import { runtimeSnapshot } from '../../test/helpers/runtime-snapshot.js';

const runtime = runtimeSnapshot({ rssBytes: 7_000_000 });

const load: LoadResult = {
  generator: 'fake',
  requests: 640,
  achievedRps: 80,
  targetRps: 80,
  durationMs: 8000,
  latency: { p50Ms: 1, p90Ms: 1, p99Ms: 2, p999Ms: 3, maxMs: 4, meanMs: 1 },
  histogramUs: null,
  fromIntendedStart: true,
  errors: { non2xx: 0, timeouts: 0, connection: 0 },
  dropped: 0,
  generatorCpu: 0.1,
  series: [],
};

function fakeTarget(
  cell: Cell,
  snapshot: RuntimeSnapshot,
  observed: Awaited<ReturnType<TargetObserver['stop']>> | null,
): Target & Sampler & Partial<ScalingObserver> {
  const handle: ServiceHandle = {
    target: 'kubernetes',
    cellId: cell.id,
    baseUrl: 'http://127.0.0.1:1',
    ids: {},
    startedAtMs: 100,
    readyAtMs: 350,
    image: { tag: 't', id: 'sha256:x', bytes: 1, binaryBytes: 1 },
  };
  const sample = (): ContainerSample => ({
    tMs: performance.now(),
    cpuUsageNs: 0,
    nrPeriods: null,
    nrThrottled: null,
    throttledTimeNs: null,
    memUsageBytes: 1,
    memPeakBytes: null,
  });
  return {
    name: 'kubernetes',
    prepare: async () => undefined,
    deploy: async () => handle,
    inspect: async () => ({
      runtime: snapshot,
      effective: {
        gomaxprocs: 2,
        gogc: 100,
        gomemlimitBytes: 2 ** 63 - 1,
        gcVariant: 'default',
        goVersion: 'go1.26',
        godebug: '',
        cgroupCpuLimit: cell.settings.cpuLimit,
        cgroupMemLimitBytes: null,
      },
    }),
    sample: async () => sample(),
    stop: async () => ({ exitCode: 0, oomKilled: false }),
    teardown: async () => undefined,
    cleanup: async () => 0,
    ...(observed === null ? {} : { observe: () => ({ stop: async () => observed }) }),
  };
}

const generator: LoadGenerator = { name: 'fake', unavailableReason: async () => null, run: async () => load };

function context(cell: Cell, target: Target): RepeatContext {
  return {
    cell,
    runId: 'r',
    target,
    generator,
    signal: new AbortController().signal,
    stack: new TaskStack(),
    cpuset: null,
    availableCpus: 2,
    onLoadProgress: () => undefined,
    log: () => undefined,
  };
}

describe('startup procedure: three figures side by side', () => {
  const cell: Cell = {
    id: 'pod-startup/gc=default',
    scenario: 'pod-startup',
    kind: 'startup',
    settings: { ...defaultCellSettings },
    load: { model: 'closed', connections: 1, warmupMs: 0, durationMs: 1 },
  };
  test('process start → ready and process created → ready from the service, container start → ready from the target, the pod timeline from the observer', async () => {
    const snapshot = { ...runtime, startup: { processStartToReadyMs: 2.2, kernelStartToReadyMs: 174, kernelStartResolutionMs: 10, firstReadyMs: 40 } };
    const ctx = context(cell, fakeTarget(cell, snapshot, { series: {}, events: [], metrics: { podReadyMs: 900 }, notes: [] }));
    const m = await procedures.startup(ctx);
    await ctx.stack.unwind();
    expect(m.metrics.processReadyMs, 'process start → ready').toBe(2.2);
    expect(m.metrics.processCreatedReadyMs, 'process created → ready').toBe(174);
    expect(m.metrics.startupMs, 'container start → ready').toBe(250);
    expect(m.metrics.podReadyMs, 'pod created → Ready').toBe(900);
  }, 5000);
  test('a service that does not report its start-up has no process figure, and says so', async () => {
    const ctx = context(cell, fakeTarget(cell, runtime, null));
    const m = await procedures.startup(ctx);
    await ctx.stack.unwind();
    expect(m.metrics.processReadyMs).toBeUndefined();
    expect(m.notes.join(' ')).toContain('processReadyMs not measured');
  }, 5000);
});

describe('HPA procedure: a run that touched maxReplicas', () => {
  const cell: Cell = {
    id: 'hpa/gc=default',
    scenario: 'hpa',
    kind: 'hpa',
    settings: { ...defaultCellSettings, cpuRequest: 0.25, cpuLimit: 0.5 },
    load: { model: 'stages', connections: 8, warmupMs: 0, stages: [{ durationMs: 10, ratePerSec: 10 }] },
  };
  const observed = (maxReplicas: number) => ({
    series: {},
    events: [],
    metrics: { maxReplicas, replicaCap: 8, replicaCapReached: maxReplicas >= 8 ? 1 : 0 },
    notes: [],
  });
  test('replicas reached the cap: invalid, with the cap named', async () => {
    const ctx = context(cell, fakeTarget(cell, runtime, observed(8)));
    const m = await procedures.hpa(ctx);
    await ctx.stack.unwind();
    expect(m.outcome.state).toBe('invalid');
    expect(m.outcome.state === 'invalid' && m.outcome.reason).toContain('maxReplicas (8)');
  });
  test('below the cap: completed', async () => {
    const ctx = context(cell, fakeTarget(cell, runtime, observed(3)));
    const m = await procedures.hpa(ctx);
    await ctx.stack.unwind();
    expect(m.outcome.state).toBe('completed');
    expect(m.metrics.maxReplicas).toBe(3);
  });
});
