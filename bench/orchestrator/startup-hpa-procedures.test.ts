/**
 * The start-up and HPA procedures' glue with a fake target and generator (unit level; the real
 * service's start-up figures are tested in infra/refsvc, the HPA against a real cluster).
 */
import { describe, expect, test } from 'vitest';
import { defaultCellSettings, type Cell } from '../../scenarios/define.js';
import type { RuntimeSnapshot } from '../collect/runtime-snapshot.js';
import type { Target, TargetObserver } from '../targets/types.js';
import { procedures } from './procedures.js';
import { runtimeSnapshot } from '../../test/helpers/runtime-snapshot.js';
import { fakeTarget, repeatContext } from '../../test/helpers/fakes.js';

const runtime = runtimeSnapshot({ rssBytes: 7_000_000 });

function target(cell: Cell, snapshot: RuntimeSnapshot, observed: Awaited<ReturnType<TargetObserver['stop']>> | null) {
  return fakeTarget({
    name: 'kubernetes',
    cellId: cell.id,
    handle: { startedAtMs: 100, readyAtMs: 350 },
    runtime: snapshot,
    effective: { cgroupCpuLimit: cell.settings.cpuLimit },
    ...(observed === null ? {} : { observed }),
  });
}

const context = (cell: Cell, t: Target) => repeatContext(cell, t);

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
    const ctx = context(cell, target(cell, snapshot, { series: {}, events: [], metrics: { podReadyMs: 900 }, notes: [] }));
    const m = await procedures.startup(ctx);
    await ctx.stack.unwind();
    expect(m.metrics.processReadyMs, 'process start → ready').toBe(2.2);
    expect(m.metrics.processCreatedReadyMs, 'process created → ready').toBe(174);
    expect(m.metrics.startupMs, 'container start → ready').toBe(250);
    expect(m.metrics.podReadyMs, 'pod created → Ready').toBe(900);
  }, 5000);
  test('a service that does not report its start-up has no process figure, and says so', async () => {
    const ctx = context(cell, target(cell, runtime, null));
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
    const ctx = context(cell, target(cell, runtime, observed(8)));
    const m = await procedures.hpa(ctx);
    await ctx.stack.unwind();
    expect(m.outcome.state).toBe('invalid');
    expect(m.outcome.state === 'invalid' && m.outcome.reason).toContain('maxReplicas (8)');
  });
  test('below the cap: completed', async () => {
    const ctx = context(cell, target(cell, runtime, observed(3)));
    const m = await procedures.hpa(ctx);
    await ctx.stack.unwind();
    expect(m.outcome.state).toBe('completed');
    expect(m.metrics.maxReplicas).toBe(3);
  });
});
