/**
 * The Kubernetes target's integration suite, run against each cluster provider that can run here (the
 * local cluster in kubernetes-target.test.ts, kind on podman in kind.test.ts):
 * - one cell deploys, answers on its address on 127.0.0.1, and reports GOMAXPROCS per the Go 1.25 rule for its
 *   CPU limit, with the limits read back from the kubelet's cAdvisor;
 * - an explicit GOMAXPROCS is what the pod reports;
 * - an HPA cell really scales up under load (bounded in time and count, loopback only), and the observer
 *   records the SuccessfulRescale events, the replica curve and the added pod's start-up;
 * - a rollout under load completes and replaces the pod;
 * - the run's namespace is gone afterwards.
 * Call it inside a `describe` whose cluster is up.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { V1Deployment } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { defaultCellSettings, type Cell, type CellSettings } from '../../scenarios/define.js';
import { workloadPath } from '../../scenarios/workloads.js';
import { runOpenModel } from '../../bench/load/open-model.js';
import type { KubernetesTarget } from '../../bench/targets/kubernetes/kubernetes-target.js';
import type { HpaOptions } from '../../bench/targets/kubernetes/objects.js';
import { namespaceName } from '../../bench/targets/kubernetes/objects.js';
import { waitForWatch } from '../../bench/targets/kubernetes/watches.js';
import { expectedAutoGomaxprocs, settingsMismatches } from '../../bench/targets/service-env.js';
import type { ServiceHandle } from '../../bench/targets/types.js';

export interface KubernetesTargetSuiteOptions {
  /** The target under test, made once the cluster is up; `hpa` is the suite's (fast) autoscaler. */
  makeTarget(hpa: Partial<HpaOptions>): KubernetesTarget;
  /** Run id of the suite's namespace. */
  runId: string;
  /** The address the service must answer on (the cluster's NodePort on 127.0.0.1). */
  baseUrl: RegExp;
}

const nodeCpus = availableParallelism();

function cell(kind: Cell['kind'], id: string, patch: Partial<CellSettings>): Cell {
  return {
    id: `itest-${kind}/${id}`,
    scenario: `itest-${kind}`,
    kind,
    settings: { ...defaultCellSettings, ...patch },
    load: { model: 'closed', connections: 1, warmupMs: 0, durationMs: 1 },
  };
}

export function kubernetesTargetSuite({ makeTarget, runId, baseUrl }: KubernetesTargetSuiteOptions): void {
  const signal = new AbortController().signal;
  let target: KubernetesTarget;
  const handles: ServiceHandle[] = [];
  const deploy = async (c: Cell): Promise<ServiceHandle> => {
    const handle = await target.deploy(c, { runId, signal, cpuset: null, readyTimeoutMs: 120_000 });
    handles.push(handle);
    return handle;
  };

  beforeAll(async () => {
    // Fast enough for a test: scale down is not under test here.
    target = makeTarget({ minReplicas: 1, maxReplicas: 3, targetCpuUtilizationPercent: 50 });
    await target.prepare(signal);
  });

  // One cell at a time: the node has 2 CPUs, and the control plane requests part of them.
  afterEach(async () => {
    for (const handle of handles.splice(0)) await target.teardown(handle);
  });

  afterAll(async () => {
    if (target === undefined) return;
    for (const handle of handles) await target.teardown(handle).catch(() => undefined);
    await target.cleanup(runId);
    await target.dispose();
  });

  it('deploys one cell that answers on 127.0.0.1:<NodePort> and reports GOMAXPROCS per its CPU limit', async () => {
    const settings: Partial<CellSettings> = { cpuLimit: 1, memLimitMiB: 128, gomemlimit: '90%' };
    const handle = await deploy(cell('load', 'cpu1', settings));
    expect(handle.baseUrl).toMatch(baseUrl);
    expect(handle.readyAtMs).toBeGreaterThan(handle.startedAtMs);
    const response = await fetch(`${handle.baseUrl}/work?cpu=1`);
    expect(response.status, 'the service answers through the NodePort').toBe(200);

    const { runtime, effective } = await target.inspect(handle, signal);
    expect(effective.cgroupCpuLimit, 'CPU limit read back from cAdvisor').toBe(1);
    expect(effective.cgroupMemLimitBytes, 'memory limit read back from cAdvisor').toBe(128 * 1024 * 1024);
    expect(runtime.gomaxprocs, 'Go 1.25 rule: max(2, ceil(1)) capped by the node CPUs').toBe(expectedAutoGomaxprocs(1, nodeCpus));
    expect(settingsMismatches({ ...defaultCellSettings, ...settings }, effective, nodeCpus), 'all planned settings in effect').toEqual([]);

    const first = await target.sample(handle, signal);
    expect(first.cpuUsageNs, 'cumulative CPU from cAdvisor').toBeGreaterThan(0);
    expect(first.nrPeriods, 'CFS periods (the container has a quota)').not.toBeNull();
    expect(first.memUsageBytes).toBeGreaterThan(0);
  });

  it('an explicit GOMAXPROCS (maxprocs 1) is what the pod reports', async () => {
    const handle = await deploy(cell('load', 'maxprocs1', { cpuLimit: 1, maxprocs: 1 }));
    const { effective } = await target.inspect(handle, signal);
    expect(effective.gomaxprocs).toBe(1);
  });

  it('an HPA cell scales up under load; the observer records SuccessfulRescale events and the replica curve', async () => {
    // 0.1 core requested, HPA at 50 %: 0.05 core per pod. The `alloc` request costs about 1.8 ms of CPU,
    // so 60 requests/s (≈ 0.11 core) asks for ceil(0.11 / 0.05) = 3 pods.
    const handle = await deploy(cell('hpa', 'scale', { cpuRequest: 0.1, cpuLimit: 0.5, memLimitMiB: 128, workload: 'alloc' }));
    const origin = performance.now();
    const observer = target.observe(handle, () => performance.now() - origin, signal);
    // Bounded load on loopback only: at most 150 s at 60 requests/s (9 000 requests), stopped as soon
    // as a second pod is Ready.
    const stopIssuing = new AbortController();
    const scaled = waitForReplicas(target, handle, 2, 150_000).then((ok) => {
      stopIssuing.abort();
      return ok;
    });
    const load = await runOpenModel(
      handle.baseUrl,
      { path: workloadPath('alloc') },
      { model: 'open', ratePerSec: 60, connections: 32, warmupMs: 0, durationMs: 150_000 },
      {
        signal,
        stopIssuing: stopIssuing.signal,
      },
    );
    const reachedTwo = await scaled;
    const observed = await observer.stop();
    console.log(
      JSON.stringify({
        requests: load.requests,
        p99Ms: load.latency.p99Ms,
        metrics: observed.metrics,
        events: observed.events,
        replicas: observed.series.replicas,
        notes: observed.notes,
      }),
    );
    expect(reachedTwo, 'a second pod became Ready within 150 s').toBe(true);
    expect(load.requests, 'requests were served').toBeGreaterThan(100);
    const rescales = observed.events.filter((e) => e.reason === 'SuccessfulRescale');
    expect(rescales.length, 'SuccessfulRescale events recorded').toBeGreaterThan(0);
    expect(rescales[0]?.toReplicas, 'the first rescale is up').toBeGreaterThan(1);
    expect(rescales[0]?.fromReplicas, 'from the one replica it started with').toBe(1);
    expect(observed.series.replicas?.length, 'replica curve recorded').toBeGreaterThan(1);
    expect(observed.metrics.maxReplicas, 'max replicas').toBeGreaterThanOrEqual(2);
    expect(observed.metrics.timeToScaleUpMs, 'time to scale up').toBeGreaterThan(0);
    expect(observed.metrics.replicaSeconds, 'replica-seconds').toBeGreaterThan(0);
    expect(observed.metrics.podReadyMs, 'start-up of the pod the HPA added').toBeGreaterThan(0);
  });

  it('a rollout under load completes and replaces the pod', async () => {
    const handle = await deploy(cell('rollout', 'prestop', { cpuLimit: 0.5, memLimitMiB: 128, graceful: true, drainMs: 2000, workload: 'slow' }));
    const before = (await target.inspect(handle, signal)).runtime.pid + (await target.inspect(handle, signal)).runtime.startTime;
    const loadRun = runOpenModel(
      handle.baseUrl,
      { path: workloadPath('slow') },
      { model: 'open', ratePerSec: 20, connections: 32, warmupMs: 0, durationMs: 25_000 },
      { signal },
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const rolledAt = performance.now();
    await target.rollout(handle, signal);
    const rolloutMs = performance.now() - rolledAt;
    const load = await loadRun;
    const after = (await target.inspect(handle, signal)).runtime;
    const failed = load.outcomes.filter((o) => o.error !== null || o.status !== 200).length;
    console.log(JSON.stringify({ rolloutMs: Math.round(rolloutMs), requests: load.requests, failed }));
    expect(after.pid + after.startTime, 'a new process serves after the rollout').not.toBe(before);
    expect(load.requests).toBeGreaterThan(300);
  });

  it('cleanup deletes the run namespace', async () => {
    expect(await target.cleanup(runId), 'one namespace for the run').toBe(1);
    const left = await target.clients.core.listNamespace({ labelSelector: `bench.run-id=${runId}` });
    expect(
      left.items.map((n) => n.metadata?.name),
      `namespace ${namespaceName(runId)} is gone`,
    ).toEqual([]);
  });
}

/** Watches the cell's Deployment until `count` replicas are Ready; false on timeout. */
async function waitForReplicas(target: KubernetesTarget, handle: ServiceHandle, count: number, timeoutMs: number): Promise<boolean> {
  const { apps, watch } = target.clients;
  const namespace = handle.ids.namespace!;
  const fieldSelector = `metadata.name=${handle.ids.deployment!}`;
  const enough = (d: V1Deployment): true | undefined => ((d.status?.readyReplicas ?? 0) >= count ? true : undefined);
  return waitForWatch<V1Deployment, true>({
    watch,
    path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
    query: { fieldSelector },
    list: () => apps.listNamespacedDeployment({ namespace, fieldSelector }),
    onList: (items) => (items.some((d) => enough(d)) ? true : undefined),
    onEvent: (_type, d) => enough(d),
    signal: AbortSignal.timeout(timeoutMs + 5000),
    timeoutMs,
    describe: () => `${count} Ready replicas`,
  }).catch(() => false);
}
