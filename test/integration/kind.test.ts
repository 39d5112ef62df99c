/**
 * kind for real on this machine: `bench cluster up --provider kind` builds the node image here (cached by
 * the hash of its inputs) and starts a kind cluster on rootful podman with its metrics API; a short
 * `bench run --target kind` measures the reference service in it through kind's port mapping; the
 * Kubernetes target's integration suite (GOMAXPROCS through the port mapping, the metrics API, HPA
 * scaling, rollout, pod start-up) runs against it as against the local cluster; `bench cluster down
 * --provider kind` leaves no node container or volume behind.
 *
 * Skipped (with the reason) when not root, not Linux, or no Docker engine (the reference image is built
 * with Docker and copied into the node), unless BENCH_REQUIRE_KIND=1, which turns the skip into a failure.
 * The node image build needs the local cluster's build (infra/local-k8s/build.sh) and Debian's podman
 * and debootstrap (installed when missing).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Docker from 'dockerode';
import { runProcess } from '../../bench/exec/index.js';
import { ensureServiceImage } from '../../bench/targets/images.js';
import { createKindTarget, KIND_NODE_PORT } from '../../bench/targets/kind/kind-target.js';
import { createKubeClients } from '../../bench/targets/kubernetes/client.js';
import { gomaxprocsSmokeArgs, spawnBench } from '../helpers/docker.js';
import { clusterSuiteSkipReason } from '../helpers/k8s.js';
import { kubernetesTargetSuite } from '../helpers/kubernetes-target-suite.js';
import { useTempDir } from '../helpers/temp-dir.js';

const required = process.env.BENCH_REQUIRE_KIND === '1';
const CLUSTER = 'bench-it';

const reason = clusterSuiteSkipReason('rootful podman runs the kind node');

if (required && reason !== null) {
  describe('kind on podman', () => {
    it('can run here (BENCH_REQUIRE_KIND=1)', () => {
      expect.fail(`BENCH_REQUIRE_KIND=1 but kind cannot run here: ${reason}`);
    });
  });
}

/** Node containers and volumes podman holds for the cluster. */
function podmanLeftovers(): string[] {
  const containers = execFileSync('podman', ['ps', '-a', '--filter', `label=io.x-k8s.kind.cluster=${CLUSTER}`, '--format', '{{.Names}}'], { encoding: 'utf8' });
  return containers.split('\n').filter((line) => line.trim() !== '');
}

describe.skipIf(reason !== null)(`kind on podman (cluster ${CLUSTER})${reason === null ? '' : ` — skipped: ${reason}`}`, () => {
  const tmp = useTempDir('bench-kind-it-');

  beforeAll(async () => {
    const up = spawnBench(['cluster', 'up', '--provider', 'kind', '--cluster', CLUSTER, '--fresh']);
    const code = await up.code;
    expect(code, `bench cluster up --provider kind:\n${up.stderr().slice(-3000)}`).toBe(0);
    expect(up.stdout()).toMatch(new RegExp(`cluster up: kind cluster ${CLUSTER} \\(created, podman\\), context kind-${CLUSTER}`));
  }, 3_600_000);

  afterAll(async () => {
    const down = spawnBench(['cluster', 'down', '--provider', 'kind', '--cluster', CLUSTER]);
    expect(await down.code, down.stderr().slice(-2000)).toBe(0);
    expect(podmanLeftovers(), 'node containers left on podman').toEqual([]);
  }, 300_000);

  it('has a Ready node on podman whose kubelet is the local build, and a metrics API', async () => {
    const clients = createKubeClients({ context: `kind-${CLUSTER}` });
    const nodes = await clients.core.listNode();
    expect(nodes.items.length, 'node count').toBe(1);
    const node = nodes.items[0];
    expect(node?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'Ready').toBe('True');
    expect(node?.spec?.providerID, 'provider').toBe(`kind://podman/${CLUSTER}/${CLUSTER}-control-plane`);
    expect(node?.status?.nodeInfo?.kubeletVersion, 'kubelet').toMatch(/^v1\.34\.\d+$/);
    const usage = await clients.metrics.getNodeMetrics();
    const cpu = usage.items[0]?.usage.cpu ?? '';
    expect(cpu, 'node CPU from metrics.k8s.io').toMatch(/^\d+(n|u|m)?$/);
  });

  it('runs the gomaxprocs smoke cells in the cluster: container-aware GOMAXPROCS under the pod limit', async () => {
    const out = path.join(tmp(), 'run');
    const run = spawnBench([...gomaxprocsSmokeArgs({ repeats: 1, duration: '2s', seed: 7, out }, '--target', 'kind', '--cluster', CLUSTER)]);
    const code = await run.code;
    expect(code, `bench run --target kind:\n${run.stderr().slice(-3000)}\n${run.stdout().slice(-3000)}`).toBe(0);
    const record = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as {
      target: string;
      fingerprint: { kubernetesVersion: string | null; kindVersion: string | null; kindNodeImage?: string | null };
      repeats: Array<{
        cellId: string;
        outcome: { state: string };
        effective: { gomaxprocs: number; cgroupCpuLimit: number | null };
        metrics: { throughputRps?: number };
      }>;
    };
    expect(record.target).toBe('kind');
    expect(record.fingerprint.kubernetesVersion, 'the API server').toMatch(/^v1\.34\.\d+$/);
    expect(record.fingerprint.kindVersion, '`kind version`').toMatch(/^kind v0\.33\.\d+/);
    expect(record.fingerprint.kindNodeImage, 'the node image built here, with its id').toMatch(
      /^localhost\/bench-kind-node:v1\.34\.\d+-[0-9a-f]+@sha256:[0-9a-f]{64}$/,
    );
    const report = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(report).toContain('Target **kind**');
    expect(report).toContain(`| kind node image | ${record.fingerprint.kindNodeImage} |`);
    expect(record.repeats.length, 'repeats').toBeGreaterThanOrEqual(4);
    for (const repeat of record.repeats) {
      expect(repeat.outcome.state, repeat.cellId).toBe('completed');
      expect(repeat.metrics.throughputRps ?? 0, `${repeat.cellId} throughput`).toBeGreaterThan(100);
      const limit = Number(/cpuLimit=([\d.]+)/.exec(repeat.cellId)?.[1]);
      expect(repeat.effective.cgroupCpuLimit, `${repeat.cellId}: the pod's CPU limit as the runtime reads it`).toBeCloseTo(limit, 3);
      // Go 1.25+: ceil(limit), at least 2, at most the node's CPUs; unaware(8) sets it explicitly.
      const expected = repeat.cellId.includes('unaware(8)') ? 8 : 2;
      expect(repeat.effective.gomaxprocs, repeat.cellId).toBe(expected);
    }
  });

  describe('the Kubernetes target suite on kind', () => {
    const docker = new Docker();
    kubernetesTargetSuite({
      runId: `itest-kind-${process.pid}`,
      // kind's extraPortMappings: the host port to the node's fixed NodePort.
      baseUrl: new RegExp(`^http://127\\.0\\.0\\.1:${KIND_NODE_PORT}$`),
      makeTarget: (hpa) =>
        createKindTarget({
          cluster: CLUSTER,
          run: runProcess,
          ensureImage: (settings, s) => ensureServiceImage(settings, { docker, run: runProcess, signal: s }),
          hpa,
          log: (line) => console.log(`[kind] ${line}`),
        }),
    });
  });
});
