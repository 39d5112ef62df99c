/**
 * The Docker target against the real engine and the real reference service: limits applied and read
 * back, GOMAXPROCS per the Go 1.25 rule, CFS throttling under a tight limit and load, cleanup by label.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCellSettings, type Cell } from '../../scenarios/define.js';
import { AutocannonLoadGenerator } from '../../bench/load/autocannon.js';
import { DockerTarget } from '../../bench/targets/docker/docker-target.js';
import { expectedAutoGomaxprocs } from '../../bench/targets/service-env.js';
import type { ServiceHandle } from '../../bench/targets/types.js';
import { containersOfRun, dockerAvailable } from '../helpers/docker.js';

const available = await dockerAvailable();
const runId = `itest-${process.pid}`;

function cell(patch: Partial<Cell['settings']>): Cell {
  return {
    id: `itest/${JSON.stringify(patch)}`,
    scenario: 'itest',
    kind: 'load',
    settings: { ...defaultCellSettings, ...patch },
    load: { model: 'closed', connections: 16, warmupMs: 0, durationMs: 2000 },
  };
}

describe.skipIf(!available)('DockerTarget (real engine, real reference service)', () => {
  const target = new DockerTarget();
  const signal = new AbortController().signal;
  const deploy = (c: Cell) => target.deploy(c, { runId, signal, cpuset: null, readyTimeoutMs: 30_000 });
  const handles: ServiceHandle[] = [];

  beforeAll(async () => {
    await target.prepare(signal);
  });
  afterAll(async () => {
    await Promise.all(handles.map((h) => target.teardown(h)));
    await target.cleanup(runId);
  });

  it.each([0.5, 1, 1.5])('GOMAXPROCS under a %s CPU limit follows max(2, ceil(limit)) capped by the host CPUs', async (cpuLimit) => {
    const handle = await deploy(cell({ cpuLimit }));
    handles.push(handle);
    const { effective, runtime } = await target.inspect(handle, signal);
    expect(effective.cgroupCpuLimit, 'cgroup CPU limit read back').toBeCloseTo(cpuLimit, 6);
    expect(effective.gomaxprocs, 'GOMAXPROCS').toBe(expectedAutoGomaxprocs(cpuLimit, runtime.numCPU));
    // The container's bridge address on Linux (no docker-proxy in the path), else the published loopback port.
    expect(handle.baseUrl).toMatch(/^http:\/\/(127\.0\.0\.1:\d+|\d+\.\d+\.\d+\.\d+:8080)$/);
    await target.teardown(handle);
  });

  it('applies the unaware and legacy GOMAXPROCS settings and the memory limit', async () => {
    const unaware = await deploy(cell({ cpuLimit: 1, maxprocs: 'unaware(8)', memLimitMiB: 128 }));
    handles.push(unaware);
    const a = await target.inspect(unaware, signal);
    expect(a.effective.gomaxprocs).toBe(8);
    expect(a.effective.cgroupMemLimitBytes).toBe(128 * 1024 * 1024);
    const legacy = await deploy(cell({ cpuLimit: 1, maxprocs: 'legacy' }));
    handles.push(legacy);
    const b = await target.inspect(legacy, signal);
    expect(b.effective.gomaxprocs, 'containermaxprocs=0 falls back to the CPU count').toBe(b.runtime.numCPU);
    expect(b.effective.godebug).toContain('containermaxprocs=0');
  });

  it('sees CFS throttling under a tight CPU limit and load', async () => {
    const handle = await deploy(cell({ cpuLimit: 0.3, workload: 'cpu' }));
    handles.push(handle);
    const before = await target.sample(handle, signal);
    await new AutocannonLoadGenerator().run(
      handle.baseUrl,
      { path: '/work?cpu=40' },
      { model: 'closed', connections: 8, warmupMs: 0, durationMs: 2000 },
      { signal },
    );
    const after = await target.sample(handle, signal);
    expect((after.nrPeriods ?? 0) - (before.nrPeriods ?? 0), 'CFS periods').toBeGreaterThan(5);
    expect((after.nrThrottled ?? 0) - (before.nrThrottled ?? 0), 'throttled periods').toBeGreaterThan(0);
    const cores = (after.cpuUsageNs - before.cpuUsageNs) / 1e9 / ((after.tMs - before.tMs) / 1000);
    expect(cores, 'CPU used stays near the 0.3 limit').toBeLessThan(0.45);
  });

  it('reports a service that died before the stop, with its exit code and time, not as a graceful exit', async () => {
    const handle = await deploy(cell({}));
    handles.push(handle);
    const killedAt = Date.now();
    await target.docker.getContainer(handle.ids.containerId as string).kill({ signal: 'SIGKILL' });
    const state = await target.state(handle);
    expect(state.running, 'running').toBe(false);
    const stopped = await target.stop(handle, { signal, graceSeconds: 5 });
    expect(stopped.exitCode, 'exit code of SIGKILL').toBe(137);
    expect(stopped.oomKilled, 'not an OOM kill').toBe(false);
    expect(stopped.exitedAt, 'exitedAt set: it exited on its own').not.toBeUndefined();
    expect(Math.abs(Date.parse(stopped.exitedAt!) - killedAt), 'exit time from Docker').toBeLessThan(5000);
    const live = await deploy(cell({}));
    handles.push(live);
    expect((await target.stop(live, { signal, graceSeconds: 5 })).exitedAt, 'a stop we caused').toBeUndefined();
  });

  it('removes every container of the run by label', async () => {
    await deploy(cell({}));
    expect(await containersOfRun(runId)).toBeGreaterThan(0);
    await target.cleanup(runId);
    expect(await containersOfRun(runId)).toBe(0);
  });
});
