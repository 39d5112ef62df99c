/**
 * The local single-node Kubernetes (infra/local-k8s) end to end, against the real cluster:
 * up (or reuse) → reference service image loaded into the cluster's containerd → Deployment under a CPU limit
 * → GOMAXPROCS read through a NodePort on 127.0.0.1 → pod metrics from metrics.k8s.io → an autoscaling/v2 HPA
 * scales the Deployment up under bounded load sent only to 127.0.0.1:<nodePort> → namespace deleted.
 *
 * Skipped (with the reason) when not root or not Linux or no Docker engine, unless BENCH_REQUIRE_K8S=1, which
 * turns the skip into a failure. The cluster is left up (other suites use it); `infra/local-k8s/down.sh` ends it.
 * BENCH_LOCAL_K8S_TEST_IMAGE=<tag> uses an image already in the Docker engine instead of building refsvc.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, KubeConfig, Metrics, Watch, type V1Deployment, type V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalCluster } from '../../bench/cluster/index.js';
import { runProcess } from '../../bench/exec/index.js';
import { clusterSuiteSkipReason } from '../helpers/k8s.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const required = process.env.BENCH_REQUIRE_K8S === '1';

const reason = clusterSuiteSkipReason('the local cluster runs containerd, the kubelet and changes iptables');

const CPU_LIMIT_MILLICORES = 1000;
const CPU_REQUEST_MILLICORES = 100;
const HPA_TARGET_UTILISATION = 50;
const LOAD_TIME_LIMIT_MS = 240_000;
const LOAD_CONNECTIONS = 3;
/** SHA-256 rounds per request at /work (refsvc); a few ms of CPU each. */
const WORK_CPU_ROUNDS = 2000;

if (required && reason !== null) {
  describe('local Kubernetes (infra/local-k8s)', () => {
    it('can run here (BENCH_REQUIRE_K8S=1)', () => {
      expect.fail(`BENCH_REQUIRE_K8S=1 but the local cluster cannot run here: ${reason}`);
    });
  });
}

describe.skipIf(reason !== null)(`local Kubernetes (infra/local-k8s)${reason === null ? '' : ` — skipped: ${reason}`}`, () => {
  const cluster = createLocalCluster({ onProgress: (line) => process.stderr.write(`${line}\n`) });
  const namespace = `bench-lk-${randomBytes(3).toString('hex')}`;
  const app = 'refsvc';
  let kc: KubeConfig;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let autoscaling: AutoscalingV2Api;
  let image: string;
  let nodePort: number;
  let nodeCpus: number;

  beforeAll(async () => {
    // Reuses a healthy cluster at once; a cold start on a machine with a build cache takes ~2 min.
    const up = await cluster.up();
    kc = new KubeConfig();
    kc.loadFromFile(up.kubeconfigPath);
    kc.setCurrentContext(up.contextName);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    autoscaling = kc.makeApiClient(AutoscalingV2Api);

    image = process.env.BENCH_LOCAL_K8S_TEST_IMAGE ?? (await buildReferenceImage());
    await cluster.loadImage(image);
    await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'bench.test': 'local-k8s' } } } });
  }, 3_600_000);

  afterAll(async () => {
    if (core === undefined) return;
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    // Wait for the namespace to be gone, so the next suite starts from a clean cluster.
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const ns = await core.readNamespace({ name: namespace }).catch(() => null);
      if (ns === null) return;
      await sleep(2000);
    }
    throw new Error(`namespace ${namespace} still exists 120 s after deletion`);
  }, 180_000);

  it('has a Ready node whose kubelet is the pinned version', async () => {
    const nodes = await core.listNode();
    expect(nodes.items.length, 'node count').toBe(1);
    const node = nodes.items[0];
    const ready = node?.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready?.status, 'Ready condition').toBe('True');
    expect(node?.spec?.taints ?? [], 'taints').toEqual([]);
    expect(node?.status?.nodeInfo?.kubeletVersion, 'kubelet version').toMatch(/^v1\.\d+\.\d+$/);
    nodeCpus = Number(node?.status?.capacity?.cpu);
    expect(nodeCpus, 'node CPU capacity').toBeGreaterThanOrEqual(1);
  });

  it('runs the service under a CPU limit and reads its GOMAXPROCS through a NodePort on 127.0.0.1', async () => {
    await apps.createNamespacedDeployment({ namespace, body: deployment(app, image) });
    const service = await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: app },
        spec: { type: 'NodePort', selector: { app }, ports: [{ port: 8080, targetPort: 8080, protocol: 'TCP' }] },
      },
    });
    nodePort = service.spec?.ports?.[0]?.nodePort ?? 0;
    expect(nodePort, 'nodePort').toBeGreaterThan(0);
    await waitFor('deployment available', 180_000, async () => {
      const d = await apps.readNamespacedDeployment({ name: app, namespace });
      return (d.status?.availableReplicas ?? 0) >= 1;
    });

    const snapshot = await waitFor('GET /debug/runtime through the NodePort', 60_000, async () => {
      const res = await fetch(`http://127.0.0.1:${nodePort}/debug/runtime`, { signal: AbortSignal.timeout(5000) }).catch(() => null);
      return res?.ok === true ? ((await res.json()) as { gomaxprocs: number; numCPU: number }) : null;
    });
    expect(snapshot.numCPU, 'numCPU seen in the pod = node CPUs').toBe(nodeCpus);
    // Go >= 1.25 container-aware default: ceil(limit), at least 2, at most the CPUs (docs/claims.md).
    const expected = Math.min(snapshot.numCPU, Math.max(2, Math.ceil(CPU_LIMIT_MILLICORES / 1000)));
    expect(snapshot.gomaxprocs, `GOMAXPROCS under a ${CPU_LIMIT_MILLICORES}m limit on ${snapshot.numCPU} CPUs`).toBe(expected);
    process.stderr.write(
      `[local-k8s test] GOMAXPROCS ${snapshot.gomaxprocs} (numCPU ${snapshot.numCPU}, limit ${CPU_LIMIT_MILLICORES}m) via 127.0.0.1:${nodePort}\n`,
    );
  });

  it('sees pod CPU and memory through metrics.k8s.io/v1beta1', async () => {
    const metrics = new Metrics(kc);
    const usage = await waitFor('pod metrics', 120_000, async () => {
      const list = await metrics.getPodMetrics(namespace).catch(() => null);
      const container = list?.items.find((p) => p.metadata.name.startsWith(`${app}-`))?.containers.find((c) => c.name === app);
      return container?.usage ?? null;
    });
    expect(usage.cpu, 'cpu usage quantity').toMatch(/^\d+(n|u|m)?$/);
    expect(usage.memory, 'memory usage quantity').toMatch(/^\d+(Ki|Mi|Gi)?$/);
    expect(parseMemoryBytes(usage.memory), 'memory bytes').toBeGreaterThan(1024 * 1024);
  });

  it('scales up through an autoscaling/v2 HPA under bounded load on 127.0.0.1', async () => {
    await autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace, body: hpa(app) });
    // The HPA must first read a utilisation (metrics pipeline working) before load starts.
    await waitFor('HPA current CPU utilisation', 120_000, async () => {
      const h = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: app, namespace });
      return h.status?.currentMetrics?.[0]?.resource?.current.averageUtilization !== undefined;
    });

    const seen: { atMs: number; desired: number; current: number; utilisation: number | undefined }[] = [];
    const started = Date.now();
    const load = new AbortController();
    const scaled = watchHpaUntilScaled(
      kc,
      namespace,
      app,
      (h) => {
        seen.push({
          atMs: Date.now() - started,
          desired: h.status?.desiredReplicas ?? 0,
          current: h.status?.currentReplicas ?? 0,
          utilisation: h.status?.currentMetrics?.[0]?.resource?.current.averageUtilization,
        });
      },
      LOAD_TIME_LIMIT_MS + 30_000,
    );
    const timer = setTimeout(() => load.abort(), LOAD_TIME_LIMIT_MS);
    const requests = sendLoad(`http://127.0.0.1:${nodePort}/work?cpu=${WORK_CPU_ROUNDS}`, LOAD_CONNECTIONS, load.signal);
    let scaledUp: V2HorizontalPodAutoscaler | null;
    try {
      scaledUp = await scaled;
    } finally {
      load.abort();
      clearTimeout(timer);
    }
    const sent = await requests;
    const firstScale = seen.find((e) => e.desired >= 2);
    process.stderr.write(
      `[local-k8s test] HPA: desired ${firstScale?.desired ?? '-'} replicas after ${firstScale === undefined ? '-' : (firstScale.atMs / 1000).toFixed(1)} s of load ` +
        `(utilisation ${firstScale?.utilisation ?? '-'}% of a ${CPU_REQUEST_MILLICORES}m request); ${sent.ok} requests ok, ${sent.failed} failed\n`,
    );
    expect(sent.ok, `requests answered 200 (errors: ${sent.failed})`).toBeGreaterThan(0);
    expect(scaledUp, `HPA scaled above 1 replica within ${LOAD_TIME_LIMIT_MS / 1000}s of load (seen: ${JSON.stringify(seen)})`).not.toBeNull();
    expect(scaledUp?.status?.desiredReplicas ?? 0, 'desired replicas').toBeGreaterThanOrEqual(2);
    const active = scaledUp?.status?.conditions?.find((c) => c.type === 'ScalingActive');
    expect(active?.status, 'ScalingActive').toBe('True');

    await waitFor('deployment scaled to the desired replicas', 180_000, async () => {
      const d = await apps.readNamespacedDeployment({ name: app, namespace });
      return (d.status?.replicas ?? 0) >= 2;
    });
  });
});

function deployment(app: string, image: string): V1Deployment {
  return {
    metadata: { name: app, labels: { app } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: app,
              image,
              imagePullPolicy: 'Never',
              ports: [{ containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 2 },
              resources: {
                requests: { cpu: `${CPU_REQUEST_MILLICORES}m`, memory: '32Mi' },
                limits: { cpu: `${CPU_LIMIT_MILLICORES}m`, memory: '256Mi' },
              },
            },
          ],
        },
      },
    },
  };
}

function hpa(app: string): V2HorizontalPodAutoscaler {
  return {
    metadata: { name: app },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: app },
      minReplicas: 1,
      maxReplicas: 3,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: HPA_TARGET_UTILISATION } } }],
    },
  };
}

/** Resolves with the HPA once it wants more than one replica, or null at the deadline. */
async function watchHpaUntilScaled(
  kc: KubeConfig,
  namespace: string,
  name: string,
  onEvent: (h: V2HorizontalPodAutoscaler) => void,
  timeoutMs: number,
): Promise<V2HorizontalPodAutoscaler | null> {
  const watch = new Watch(kc);
  return new Promise((resolve, reject) => {
    let request: { abort(): void } | undefined;
    const finish = (value: V2HorizontalPodAutoscaler | null): void => {
      clearTimeout(timer);
      request?.abort();
      resolve(value);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    watch
      .watch(
        `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`,
        { fieldSelector: `metadata.name=${name}` },
        (_phase: string, object: V2HorizontalPodAutoscaler) => {
          onEvent(object);
          if ((object.status?.desiredReplicas ?? 0) >= 2) finish(object);
        },
        (error: unknown) => {
          // The API server ends watches after a while; a clean end before the deadline is a failure to observe.
          if (error !== null && error !== undefined && (error as Error).name !== 'AbortError') {
            clearTimeout(timer);
            reject(error as Error);
          }
        },
      )
      .then((r) => {
        request = r;
      }, reject);
  });
}

/** Closed-loop load from `connections` loops until the signal aborts; only ever aimed at 127.0.0.1. */
async function sendLoad(url: string, connections: number, signal: AbortSignal): Promise<{ ok: number; failed: number }> {
  if (new URL(url).hostname !== '127.0.0.1') throw new Error(`load may only go to 127.0.0.1, not ${url}`);
  let ok = 0;
  let failed = 0;
  const loop = async (): Promise<void> => {
    while (!signal.aborted) {
      try {
        // A per-request timeout rather than the shared signal: undici keeps one abort listener per request on it.
        const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        if (res.ok) ok += 1;
        else failed += 1;
      } catch {
        if (!signal.aborted) {
          failed += 1;
          await sleep(100);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return { ok, failed };
}

async function buildReferenceImage(): Promise<string> {
  const result = await runProcess('bash', [path.join(repoRoot, 'infra/refsvc/build.sh'), '--json', '--image']);
  for (const line of result.stdout.split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    const tag = (JSON.parse(line) as { image?: { tag?: string } | null }).image?.tag;
    if (typeof tag === 'string') return tag;
  }
  throw new Error(`infra/refsvc/build.sh --json --image printed no image tag:\n${result.stdout}`);
}

function parseMemoryBytes(quantity: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  if (m === null) return Number.NaN;
  const unit = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] as 'Ki' | 'Mi' | 'Gi'] ?? 1;
  return Number(m[1]) * unit;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== null && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(2000);
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${lastError === undefined ? '' : ` (last error: ${String(lastError)})`}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
