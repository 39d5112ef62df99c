/**
 * The load procedure's glue with a fake target and generator (unit level; the Docker target's own
 * report of a dead container is tested against the real engine in test/integration).
 */
import { describe, expect, test } from 'vitest';
import { defaultCellSettings, type Cell } from '../../scenarios/define.js';
import type { LoadGenerator, LoadResult } from '../load/types.js';
import type { Rollout, Sampler, Target } from '../targets/types.js';
import { procedures } from './procedures.js';
import { fakeGenerator, fakeTarget, loadResult, repeatContext } from '../../test/helpers/fakes.js';

const cell: Cell = {
  id: 'gomemlimit/gomemlimit=unset',
  scenario: 'gomemlimit',
  kind: 'load',
  settings: { ...defaultCellSettings },
  load: { model: 'open', ratePerSec: 80, connections: 8, warmupMs: 0, durationMs: 50 },
};

const load = loadResult({ latency: { p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 1, meanMs: 0 }, errors: { non2xx: 0, timeouts: 0, connection: 600 } });

const target = (stopped: Awaited<ReturnType<Target['stop']>>) => fakeTarget({ cellId: cell.id, stopped });
const context = (t: Target) => repeatContext(cell, t, fakeGenerator(load));

describe('load procedure: a service that dies', () => {
  test('an OOM kill the target reports before the stop is `died`, timed on the load clock, without latency', async () => {
    const ctx = context(target({ exitCode: 137, oomKilled: true, exitedAt: new Date(Date.now() - 60_000).toISOString() }));
    const m = await procedures.load(ctx);
    await ctx.stack.unwind();
    expect(m.outcome.state).toBe('died');
    if (m.outcome.state !== 'died') return;
    expect(m.outcome.cause).toBe('oom');
    expect(m.outcome.exitCode).toBe(137);
    // Killed a minute before the stop, so about a minute before the load started (the load took ~0 s).
    expect(m.outcome.atMs, 'atMs').toBeLessThan(-55_000);
    expect(m.metrics.oomKills, 'oomKills').toBe(1);
    expect(m.metrics.latencyP99Ms, 'no P99').toBeUndefined();
    expect(m.metrics.throughputRps, 'no throughput').toBeUndefined();
    expect(m.runtimeWindow?.windowMs, 'window recorded').toBeGreaterThanOrEqual(0);
  });
  test('a stop the procedure caused leaves the outcome to the load rules (here: 94% errors, invalid)', async () => {
    const ctx = context(target({ exitCode: 0, oomKilled: false }));
    const m = await procedures.load(ctx);
    await ctx.stack.unwind();
    expect(m.outcome).toEqual({ state: 'invalid', reason: '93.8% of 640 requests failed (limit 1%): the window measured a failing service' });
  });
});

describe('a load that fails while a timed action is under way', () => {
  test("rollout: the procedure fails with the load's error, and the rollout's own failure is awaited, never an unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const rolling: Target & Sampler & Rollout = {
        ...target({ exitCode: 0, oomKilled: false }),
        name: 'kubernetes',
        // The rollout starts 1 s into the load and fails after the load has failed.
        rollout: () => new Promise<void>((_, reject) => setTimeout(() => reject(new Error('rollout failed')), 300)),
      };
      const failing: LoadGenerator = {
        name: 'fake',
        unavailableReason: async () => null,
        run: () => new Promise<LoadResult>((_, reject) => setTimeout(() => reject(new Error('load failed')), 1100)),
      };
      const ctx = { ...context(rolling), generator: failing, cell: { ...cell, id: 'rollout/x', scenario: 'rollout', kind: 'rollout' as const } };
      await expect(procedures.rollout(ctx)).rejects.toThrow('load failed');
      // Give a stray rejection time to surface.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
