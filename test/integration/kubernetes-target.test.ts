/**
 * The `kubernetes` target on a real cluster: the local single-node cluster of infra/local-k8s (context
 * `bench-local`), or any cluster named by BENCH_K8S_CONTEXT / BENCH_K8S_KUBECONFIG whose NodePorts answer
 * on 127.0.0.1. Skipped with the reason when no cluster answers, unless BENCH_REQUIRE_K8S=1.
 *
 * - one cell deploys, answers on 127.0.0.1:<NodePort>, and reports GOMAXPROCS per the Go 1.25 rule for
 *   its CPU limit, with the limit read back from the kubelet's cAdvisor;
 * - an HPA cell really scales up under load (bounded in time and count, loopback only), and the observer
 *   records the SuccessfulRescale events and the replica curve;
 * - a rollout under load completes and replaces the pod;
 * - the run's namespace is gone afterwards;
 * - the `kind` target, on the same cluster under a kind-style context, with only the `kind` commands
 *   stood in for (kind cannot start here): it reuses the cluster, loads images through `kind load`,
 *   serves on the fixed NodePort 30080 at 127.0.0.1:30080, and does not delete a cluster it did not create.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, availableParallelism } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultCellSettings, type Cell, type CellSettings } from '../../scenarios/define.js';
import { workloadPath } from '../../scenarios/workloads.js';
import { createLocalCluster, LOCAL_CONTEXT_NAME, LOCAL_KUBECONFIG_PATH } from '../../bench/cluster/local.js';
import { runProcess, type ProcessRunner } from '../../bench/exec/index.js';
import { createKindTarget, KIND_NODE_PORT } from '../../bench/targets/kind/kind-target.js';
import { runOpenModel } from '../../bench/load/open-model.js';
import { ensureServiceImage } from '../../bench/targets/images.js';
import { createFunctionImageLoader } from '../../bench/targets/kubernetes/image-loader.js';
import { createKubernetesTarget, type KubernetesTarget } from '../../bench/targets/kubernetes/kubernetes-target.js';
import { createKubeClients } from '../../bench/targets/kubernetes/client.js';
import { namespaceName } from '../../bench/targets/kubernetes/objects.js';
import { waitForWatch } from '../../bench/targets/kubernetes/watches.js';
import { expectedAutoGomaxprocs, settingsMismatches } from '../../bench/targets/service-env.js';
import type { ServiceHandle } from '../../bench/targets/types.js';

const kubeconfig = process.env.BENCH_K8S_KUBECONFIG ?? LOCAL_KUBECONFIG_PATH;
const context = process.env.BENCH_K8S_CONTEXT ?? LOCAL_CONTEXT_NAME;

/** Why the cluster cannot be used, or null when it answers with a Ready node. */
async function clusterUnavailable(): Promise<string | null> {
  if (!existsSync(kubeconfig)) return `no kubeconfig at ${kubeconfig} (start the local cluster: bash infra/local-k8s/up.sh)`;
  try {
    const clients = createKubeClients({ kubeconfig, context });
    const nodes = await Promise.race([
      clients.core.listNode(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the API server did not answer within 10 s')), 10_000)),
    ]);
    const ready = nodes.items.some((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return ready ? null : 'the cluster has no Ready node';
  } catch (error) {
    return `the cluster does not answer: ${(error as Error).message}`;
  }
}

const unavailable = await clusterUnavailable();
if (unavailable !== null && process.env.BENCH_REQUIRE_K8S === '1') throw new Error(`BENCH_REQUIRE_K8S=1 but ${unavailable}`);
if (unavailable !== null) console.warn(`kubernetes-target integration tests skipped: ${unavailable}`);

const runId = `itest-k8s-${process.pid}`;
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

describe.skipIf(unavailable !== null)(`kubernetes target on ${context} (real cluster, real reference service)`, () => {
  const signal = new AbortController().signal;
  const docker = new Docker();
  const local = createLocalCluster();
  let target: KubernetesTarget;
  const handles: ServiceHandle[] = [];
  const deploy = async (c: Cell): Promise<ServiceHandle> => {
    const handle = await target.deploy(c, { runId, signal, cpuset: null, readyTimeoutMs: 120_000 });
    handles.push(handle);
    return handle;
  };

  beforeAll(async () => {
    target = createKubernetesTarget({
      context,
      kubeconfig,
      imageLoader: createFunctionImageLoader('local cluster (infra/local-k8s/load-image.sh)', (tag, s) => local.loadImage(tag, { signal: s })),
      ensureImage: (settings, s) => ensureServiceImage(settings, { docker, run: runProcess, signal: s }),
      // Fast enough for a test: scale down is not under test here.
      hpa: { minReplicas: 1, maxReplicas: 3, targetCpuUtilizationPercent: 50 },
      log: (line) => console.log(`[kubernetes] ${line}`),
    });
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
    expect(handle.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
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
    const clients = createKubeClients({ kubeconfig, context });
    const left = await clients.core.listNamespace({ labelSelector: `bench.run-id=${runId}` });
    expect(
      left.items.map((n) => n.metadata?.name),
      `namespace ${namespaceName(runId)} is gone`,
    ).toEqual([]);
  });
});

describe.skipIf(unavailable !== null)('kind target on the same cluster (kind commands stood in for)', () => {
  const signal = new AbortController().signal;
  const docker = new Docker();
  const local = createLocalCluster();
  const kindRunId = `itest-kind-${process.pid}`;
  const commands: string[] = [];
  let dir: string;

  /** `kind` as this machine cannot run it: the cluster "bench" exists, images load through the local cluster. */
  const kindStandIn: ProcessRunner = async (command, args, options) => {
    const line = [command, ...args].join(' ');
    commands.push(line);
    if (command !== 'kind') return runProcess(command, args, options);
    let stdout = '';
    if (args[0] === 'version') stdout = 'kind v0.33.0 (stand-in)\n';
    else if (args[0] === 'get' && args[1] === 'clusters') stdout = 'bench\n';
    else if (args[0] === 'load' && args[1] === 'docker-image') await local.loadImage(args[2]!, options?.signal ? { signal: options.signal } : {});
    else throw new Error(`unexpected kind command in the test: ${line}`);
    return { command: line, exitCode: 0, signal: null, stdout, stderr: '' };
  };

  beforeAll(async () => {
    // The local cluster's kubeconfig with its context named as kind names it (kind-<cluster>).
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const ctx = kc.getContextObject(context)!;
    const renamed = new KubeConfig();
    renamed.loadFromOptions({ clusters: kc.clusters, users: kc.users, contexts: [{ ...ctx, name: 'kind-bench' }], currentContext: 'kind-bench' });
    dir = await mkdtemp(path.join(tmpdir(), 'bench-kind-itest-'));
    await writeFile(path.join(dir, 'kubeconfig'), renamed.exportConfig(), { mode: 0o600 });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reuses the cluster, loads with `kind load docker-image`, serves on 127.0.0.1:30080, keeps the cluster', async () => {
    const target = createKindTarget({
      cluster: 'bench',
      kubeconfig: path.join(dir, 'kubeconfig'),
      run: kindStandIn,
      ensureImage: (settings, s) => ensureServiceImage(settings, { docker, run: runProcess, signal: s }),
      log: (line) => console.log(`[kind] ${line}`),
    });
    await target.prepare(signal);
    const c = cell('load', 'kind', { cpuLimit: 0.5, memLimitMiB: 128 });
    const handle = await target.deploy(c, { runId: kindRunId, signal, cpuset: null, readyTimeoutMs: 120_000 });
    try {
      expect(handle.target).toBe('kind');
      expect(handle.baseUrl, 'the kind extraPortMappings address').toBe(`http://127.0.0.1:${KIND_NODE_PORT}`);
      expect((await fetch(`${handle.baseUrl}/ready`)).status).toBe(200);
      const { effective } = await target.inspect(handle, signal);
      expect(effective.cgroupCpuLimit).toBe(0.5);
      expect(effective.gomaxprocs, 'max(2, ceil(0.5))').toBe(expectedAutoGomaxprocs(0.5, nodeCpus));
    } finally {
      await target.teardown(handle);
      await target.cleanup(kindRunId);
      await target.dispose();
    }
    const kindCommands = commands.filter((line) => line.startsWith('kind '));
    expect(kindCommands[0]).toBe('kind version');
    expect(kindCommands).toContain('kind get clusters');
    expect(
      kindCommands.some((line) => /^kind load docker-image refsvc:\S+ --name bench$/.test(line)),
      'image loaded with kind load',
    ).toBe(true);
    expect(
      kindCommands.filter((line) => /^kind (create|delete)/.test(line)),
      'a reused cluster is neither created nor deleted',
    ).toEqual([]);
  });
});

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
