/**
 * The shutdown procedure against the real engine and the real reference service: load keeps arriving
 * for the endpoint-removal delay after SIGTERM, so a service that closes its listener at once drops
 * requests, and the document's recipe (a drain longer than the delay, then Shutdown) drops none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCellSettings, type Cell } from '../../scenarios/define.js';
import { procedures, type RepeatContext } from '../../bench/orchestrator/procedures.js';
import { TaskStack } from '../../bench/orchestrator/task-stack.js';
import { AutocannonLoadGenerator } from '../../bench/load/autocannon.js';
import { DockerTarget } from '../../bench/targets/docker/docker-target.js';
import { dockerAvailable } from '../helpers/docker.js';

const available = await dockerAvailable();
const runId = `itest-shutdown-${process.pid}`;

function cell(graceful: boolean, drainMs: number): Cell {
  return {
    id: `shutdown/graceful=${graceful},drainMs=${drainMs}`,
    scenario: 'shutdown',
    kind: 'shutdown',
    settings: { ...defaultCellSettings, graceful, drainMs, workload: 'slow', cpuLimit: 1 },
    load: { model: 'open', ratePerSec: 100, connections: 64, warmupMs: 500, durationMs: 4000 },
    endpointRemovalDelayMs: 1000,
  };
}

describe.skipIf(!available)('shutdown procedure (real engine, real reference service)', () => {
  const target = new DockerTarget();
  const signal = new AbortController().signal;
  const run = async (c: Cell) => {
    const stack = new TaskStack();
    const ctx: RepeatContext = {
      cell: c,
      runId,
      target,
      generator: new AutocannonLoadGenerator(),
      signal,
      stack,
      cpuset: null,
      availableCpus: 2,
      onLoadProgress: () => undefined,
      log: () => undefined,
    };
    try {
      return await procedures.shutdown(ctx);
    } finally {
      await stack.unwind();
    }
  };

  beforeAll(async () => {
    await target.prepare(signal);
  });
  afterAll(async () => {
    await target.cleanup(runId);
  });

  it('drain (2 s) longer than the endpoint-removal delay (1 s), then Shutdown: none of the exposed requests fails', async () => {
    const m = await run(cell(true, 2000));
    // 1 s of arrivals at 100/s after SIGTERM plus those in flight at it.
    expect(m.metrics.sentAfterSigterm, 'sent after SIGTERM').toBeGreaterThan(80);
    expect(m.metrics.requestsExposed, 'exposed').toBeGreaterThanOrEqual(m.metrics.sentAfterSigterm!);
    expect(m.metrics.failedRequests, 'failed').toBe(0);
  });

  it('graceful without a drain closes the listener at SIGTERM: requests still arriving fail', async () => {
    const m = await run(cell(true, 0));
    expect(m.metrics.failedRequests, 'failed').toBeGreaterThan(10);
    expect(m.metrics.failedRequests!, 'at most the exposed').toBeLessThanOrEqual(m.metrics.requestsExposed!);
  });
});
