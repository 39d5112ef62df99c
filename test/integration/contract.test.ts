/**
 * The contracts every `Target` and every `LoadGenerator` keeps, run against each real implementation this
 * machine has: the Docker target (always, with an engine), the Kubernetes target on the local cluster
 * (when it answers), and every load generator by name (`native`, `autocannon`; `k6` where a binary is
 * installed). The implementations' own suites test what only they do; this one tests what the
 * orchestrator relies on from all of them.
 *
 * Target: the service answers on loopback; the limits asked for are the ones in effect; samples are
 * cumulative (CPU never goes backwards); `stop` reports a graceful exit; `teardown` is idempotent; and
 * `cleanup(runId)` leaves nothing labelled with the run.
 * Generator: the counts add up (requests, the histogram, the errors), the percentiles are ordered, an
 * open-model rate is held and measured from the intended send times, and an abort ends a run early.
 */
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCellSettings, type Cell, type LoadProfile } from '../../scenarios/define.js';
import { LOCAL_CONTEXT_NAME, LOCAL_KUBECONFIG_PATH, createLocalCluster } from '../../bench/cluster/local.js';
import { runProcess } from '../../bench/exec/index.js';
import { loadGeneratorFactories, loadGeneratorNames } from '../../bench/load/index.js';
import { decodeHistogram } from '../../bench/load/histogram.js';
import type { LoadGenerator } from '../../bench/load/types.js';
import { DockerTarget } from '../../bench/targets/docker/docker-target.js';
import { ensureServiceImage } from '../../bench/targets/images.js';
import { createFunctionImageLoader } from '../../bench/targets/kubernetes/image-loader.js';
import { createKubernetesTarget } from '../../bench/targets/kubernetes/kubernetes-target.js';
import type { Sampler, ServiceHandle, Target } from '../../bench/targets/types.js';
import { dockerAvailable } from '../helpers/docker.js';
import { localClusterAnswers } from '../helpers/k8s.js';

const hasDocker = await dockerAvailable();

const hasCluster = hasDocker && (await localClusterAnswers());
if (!hasCluster && process.env.BENCH_REQUIRE_K8S === '1') throw new Error('BENCH_REQUIRE_K8S=1 but the local cluster does not answer');

const runId = `contract-${process.pid}`;
const signal = new AbortController().signal;

function cell(id: string, patch: Partial<Cell['settings']>): Cell {
  return {
    id: `contract/${id}`,
    scenario: 'contract',
    kind: 'load',
    settings: { ...defaultCellSettings, ...patch },
    load: { model: 'closed', connections: 1, warmupMs: 0, durationMs: 1 },
  };
}

interface TargetCase {
  name: string;
  available: boolean;
  make: () => Target & Sampler;
  readyTimeoutMs: number;
}

const targetCases: TargetCase[] = [
  { name: 'docker', available: hasDocker, make: () => new DockerTarget(), readyTimeoutMs: 30_000 },
  {
    name: 'kubernetes (local cluster)',
    available: hasCluster,
    readyTimeoutMs: 120_000,
    make: () => {
      const local = createLocalCluster();
      const docker = new Docker();
      return createKubernetesTarget({
        context: LOCAL_CONTEXT_NAME,
        kubeconfig: LOCAL_KUBECONFIG_PATH,
        imageLoader: createFunctionImageLoader('local cluster', (tag, s) => local.loadImage(tag, { signal: s })),
        ensureImage: (settings, s) => ensureServiceImage(settings, { docker, run: runProcess, signal: s }),
        hpa: { minReplicas: 1, maxReplicas: 2, targetCpuUtilizationPercent: 50 },
        log: () => undefined,
      });
    },
  },
];

for (const tc of targetCases) {
  describe.skipIf(!tc.available)(`Target contract: ${tc.name}`, () => {
    let target: Target & Sampler;
    let handle: ServiceHandle;

    beforeAll(async () => {
      target = tc.make();
      await target.prepare(signal);
      handle = await target.deploy(cell('a', { cpuLimit: 1, memLimitMiB: 128, workload: 'cpu' }), {
        runId,
        signal,
        cpuset: null,
        readyTimeoutMs: tc.readyTimeoutMs,
      });
    });
    afterAll(async () => {
      if (target === undefined) return;
      await target.cleanup(runId).catch(() => undefined);
      await target.dispose?.();
    });

    it('serves on loopback (or the engine’s bridge), ready after it started', async () => {
      expect(handle.baseUrl).toMatch(/^http:\/\/(127\.0\.0\.1|\d+\.\d+\.\d+\.\d+):\d+$/);
      expect(handle.readyAtMs).toBeGreaterThanOrEqual(handle.startedAtMs);
      expect((await fetch(`${handle.baseUrl}/work?cpu=1`)).status).toBe(200);
    });

    it('puts the limits asked for into effect and reads them back', async () => {
      const { effective, runtime } = await target.inspect(handle, signal);
      expect(effective.cgroupCpuLimit).toBeCloseTo(1, 6);
      expect(effective.cgroupMemLimitBytes).toBe(128 * 1024 * 1024);
      expect(effective.gomaxprocs).toBe(runtime.gomaxprocs);
    });

    it('samples cumulative CPU that never goes backwards, and memory in use', async () => {
      const first = await target.sample(handle, signal);
      for (let i = 0; i < 20; i++) await fetch(`${handle.baseUrl}/work?cpu=200`);
      const second = await target.sample(handle, signal);
      // A sampler may return the same sample again within its source's resolution (the kubelet's cAdvisor
      // refreshes a container's figures every 10–15 s), but its time never goes backwards.
      expect(second.tMs).toBeGreaterThanOrEqual(first.tMs);
      expect(second.cpuUsageNs).toBeGreaterThanOrEqual(first.cpuUsageNs);
      expect(second.memUsageBytes).toBeGreaterThan(0);
    });

    it('stops the service gracefully, tears it down twice without error, and cleanup leaves nothing of the run', async () => {
      const stopped = await target.stop(handle, { signal, graceSeconds: 10 });
      expect(stopped.oomKilled).toBe(false);
      // A cluster may not report the exit code of a deleted pod (null); an engine must, and it is 0.
      expect(stopped.exitCode ?? (tc.name === 'docker' ? -1 : 0), 'exit code of a SIGTERM the service handled').toBe(0);
      await target.teardown(handle);
      await expect(target.teardown(handle), 'teardown is idempotent').resolves.toBeUndefined();
      // A namespace takes a while to go: cleanup is asked until it finds nothing of the run.
      const deadline = Date.now() + 120_000;
      let left = await target.cleanup(runId);
      while (left > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        left = await target.cleanup(runId);
      }
      expect(left, 'nothing of the run left').toBe(0);
    });
  });
}

describe.skipIf(!hasDocker)('LoadGenerator contract (every generator by name, on one real service)', () => {
  const target = new DockerTarget();
  let handle: ServiceHandle;

  beforeAll(async () => {
    await target.prepare(signal);
    handle = await target.deploy(cell('load', { cpuLimit: 1 }), { runId: `${runId}-load`, signal, cpuset: null, readyTimeoutMs: 30_000 });
  });
  afterAll(async () => {
    await target.cleanup(`${runId}-load`);
  });

  const closed: LoadProfile = { model: 'closed', connections: 4, warmupMs: 200, durationMs: 1500 };
  const open: LoadProfile = { model: 'open', ratePerSec: 200, connections: 8, warmupMs: 200, durationMs: 1500 };

  for (const name of loadGeneratorNames) {
    describe(name, () => {
      let generator: LoadGenerator;
      let unavailable: string | null = null;
      beforeAll(async () => {
        generator = await loadGeneratorFactories[name]({ env: process.env });
        unavailable = await generator.unavailableReason();
        if (unavailable !== null) console.warn(`LoadGenerator contract: ${name} skipped here: ${unavailable}`);
      });

      for (const profile of [closed, open]) {
        it(`${profile.model} model: the counts add up and the percentiles are ordered`, async (ctx) => {
          if (unavailable !== null) ctx.skip();
          const result = await generator.run(handle.baseUrl, { path: '/work?cpu=20' }, profile, { signal });
          expect(result.requests).toBeGreaterThan(0);
          const l = result.latency;
          expect(l.p50Ms).toBeGreaterThan(0);
          expect(l.p50Ms).toBeLessThanOrEqual(l.p90Ms);
          expect(l.p90Ms).toBeLessThanOrEqual(l.p99Ms);
          expect(l.p99Ms).toBeLessThanOrEqual(l.maxMs);
          expect(result.errors).toEqual({ non2xx: 0, timeouts: 0, connection: 0 });
          if (result.histogramUs !== null)
            expect(decodeHistogram(result.histogramUs).totalCount, 'the histogram holds every request of the window').toBe(result.requests);
          if (profile.model === 'open') {
            expect(result.fromIntendedStart, 'open-model latency counts from the intended send time').toBe(true);
            expect(Math.abs((result.targetRps ?? 0) - 200) / 200, 'the schedule asked for the rate (within 2%)').toBeLessThan(0.02);
            expect(result.achievedRps / 200, 'the rate held within 5%').toBeGreaterThan(0.95);
          }
        });
      }

      it('an abort ends the run early', async (ctx) => {
        if (unavailable !== null) ctx.skip();
        const controller = new AbortController();
        const started = Date.now();
        setTimeout(() => controller.abort(new Error('contract test')), 500);
        await generator
          .run(handle.baseUrl, { path: '/work?cpu=20' }, { model: 'closed', connections: 2, warmupMs: 0, durationMs: 20_000 }, { signal: controller.signal })
          .catch(() => undefined);
        expect(Date.now() - started, 'stopped long before the 20 s window ended').toBeLessThan(10_000);
      });
    });
  }
});
