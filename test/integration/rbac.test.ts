/**
 * Least privilege on the local cluster: `bench run --target kubernetes` with only the rules of
 * infra/k8s/bench-rbac.yaml (a ServiceAccount token in a kubeconfig of its own) completes a scenario;
 * with a ServiceAccount that has no rules it stops with exit 3, naming the verb, the resource and the
 * RBAC rule that is missing (no stack trace). Skipped with the reason when no local cluster answers,
 * unless BENCH_REQUIRE_K8S=1.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CONTEXT_NAME, LOCAL_KUBECONFIG_PATH } from '../../bench/cluster/local.js';
import { readRunRecord } from '../../bench/results/store.js';
import { createKubeClients, type KubeClients } from '../../bench/targets/kubernetes/client.js';
import { repoRoot } from '../helpers/docker.js';
import { localClusterAnswers } from '../helpers/k8s.js';

const available = await localClusterAnswers();
if (!available && process.env.BENCH_REQUIRE_K8S === '1') throw new Error('BENCH_REQUIRE_K8S=1 but the local cluster does not answer');

function bench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/bench.mjs'), ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!available)('least privilege on the local cluster (infra/k8s/bench-rbac.yaml)', () => {
  let admin: KubeClients;
  let dir: string;
  let applied: KubernetesObject[] = [];

  /** A kubeconfig whose context (named like the local cluster's, so images load the same way) uses a ServiceAccount token. */
  async function kubeconfigFor(serviceAccount: string): Promise<string> {
    const token = await admin.core.createNamespacedServiceAccountToken({
      name: serviceAccount,
      namespace: 'bench-system',
      body: { spec: { expirationSeconds: 3600, audiences: [] } },
    });
    const cluster = admin.kc.getCurrentCluster();
    if (cluster === null) throw new Error('no cluster in the admin kubeconfig');
    const ca = cluster.caData ?? (cluster.caFile === undefined ? undefined : readFileSync(cluster.caFile).toString('base64'));
    const file = path.join(dir, `${serviceAccount}.kubeconfig`);
    await writeFile(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'c',
            cluster: { server: cluster.server, ...(ca === undefined ? { 'insecure-skip-tls-verify': true } : { 'certificate-authority-data': ca }) },
          },
        ],
        users: [{ name: serviceAccount, user: { token: token.status?.token } }],
        contexts: [{ name: LOCAL_CONTEXT_NAME, context: { cluster: 'c', user: serviceAccount } }],
        'current-context': LOCAL_CONTEXT_NAME,
      }),
      { mode: 0o600 },
    );
    return file;
  }

  beforeAll(async () => {
    admin = createKubeClients({ kubeconfig: LOCAL_KUBECONFIG_PATH, context: LOCAL_CONTEXT_NAME });
    dir = await mkdtemp(path.join(tmpdir(), 'bench-rbac-'));
    const manifest = loadAllYaml(readFileSync(path.join(repoRoot, 'infra/k8s/bench-rbac.yaml'), 'utf8')) as KubernetesObject[];
    const noRules: KubernetesObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bench-no-rules', namespace: 'bench-system' } };
    applied = [...manifest, noRules];
    for (const object of applied) {
      await admin.objects.create(object).catch(async (error: { code?: number }) => {
        if (error.code !== 409) throw error;
      });
    }
  }, 120_000);

  afterAll(async () => {
    if (admin === undefined) return;
    for (const object of [...applied].reverse()) await admin.objects.delete(object).catch(() => undefined);
  });

  const scenario = async (): Promise<string> => {
    const file = path.join(dir, 'tiny-k8s.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'tiny-rbac',
        description: 'one cell on the local cluster under least privilege',
        claims: ['gogc-100'],
        kind: 'load',
        targets: ['kubernetes'],
        repeats: 2,
        matrix: {},
        load: { model: 'closed', connections: 2, warmupMs: 0, durationMs: 2000 },
      }),
    );
    return file;
  };

  /** `bench run` of the one-cell scenario on the local cluster as the user of `kubeconfig`. */
  const runAs = async (kubeconfig: string, out: string) =>
    bench(['run', '--scenario', await scenario(), '--target', 'kubernetes', '--kubeconfig', kubeconfig, '--context', LOCAL_CONTEXT_NAME, '--out', out]);

  it('runs a scenario with only the rules of bench-rbac.yaml', async () => {
    const kubeconfig = await kubeconfigFor('bench');
    const out = path.join(dir, 'with-rules');
    const r = await runAs(kubeconfig, out);
    expect([0, 4], r.stdout + r.stderr).toContain(r.code);
    const record = await readRunRecord(out);
    expect(record.repeats.map((x) => x.outcome.state)).toEqual(['completed', 'completed']);
  }, 600_000);

  it('without them: exit 3, the verb, the resource and the missing rule named, no stack trace', async () => {
    const kubeconfig = await kubeconfigFor('bench-no-rules');
    const r = await runAs(kubeconfig, path.join(dir, 'no-rules'));
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toMatch(/the Kubernetes API server refused: user "system:serviceaccount:bench-system:bench-no-rules" may not \w+ \S+/);
    expect(r.stderr).toMatch(/hint: grant the RBAC rule \{ apiGroups: \[".*"\], resources: \["[^"]+"\], verbs: \["\w+"\] \}/);
    expect(r.stderr).not.toContain('unexpected error');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 300_000);
});
