/**
 * The last fault of the suite: the Kubernetes API server killed mid-run on the local cluster (infra/
 * local-k8s), while the run's watches are open (the deploy's readiness watch, the pod timeline). The
 * kubelet restarts it, as it restarts any static pod. The three promises: the record is valid and keeps
 * every finished repeat, nothing labelled by the run is left once the API server is back, and the exit
 * code says what happened (0 or 4: the run went through; 3: an infrastructure failure, said as such).
 *
 * Runs after the other suites (the faults project is ordered last), so the restart touches no other test.
 * Skipped with the reason when no local cluster answers, unless BENCH_REQUIRE_K8S=1.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_CONTEXT_NAME, LOCAL_KUBECONFIG_PATH } from '../../bench/cluster/local.js';
import { readRunRecord } from '../../bench/results/store.js';
import { createKubeClients } from '../../bench/targets/kubernetes/client.js';
import { findRunNamespaces } from '../../bench/targets/kubernetes/leftovers.js';
import { runLabelValue } from '../../bench/targets/kubernetes/objects.js';
import { localClusterAnswers } from '../helpers/k8s.js';
import { startBench, tempDir, waitForRepeats } from './fault-helpers.js';

/** PIDs of the kube-apiserver processes on this host (the static pod's container runs in the host's PID view). */
function apiserverPids(): number[] {
  try {
    return execFileSync('pgrep', ['-x', 'kube-apiserver'], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function waitForApi(timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await localClusterAnswers(5_000)) return true;
    await sleep(1_000);
  }
  return false;
}

const clusterUp = (await localClusterAnswers(5_000)) && apiserverPids().length > 0;
if (!clusterUp && process.env.BENCH_REQUIRE_K8S === '1') throw new Error('BENCH_REQUIRE_K8S=1 but the local cluster (infra/local-k8s) does not answer');
if (!clusterUp) console.warn('API-server fault skipped: the local cluster (bash infra/local-k8s/up.sh) does not answer');

describe.skipIf(!clusterUp)('the API server killed mid-watch (local cluster)', () => {
  afterAll(async () => {
    // Leave the cluster as we found it for whatever runs next (CI takes it down afterwards).
    await waitForApi(180_000);
  });

  it('the record keeps every finished repeat, the exit code says what happened, and no namespace of the run is left', async () => {
    const dir = await tempDir();
    const scenario = path.join(dir, 'tiny-k8s.json');
    await writeFile(
      scenario,
      JSON.stringify({
        name: 'tiny-k8s',
        description: 'fault-injection: one cell on the local cluster, a short closed-model load',
        claims: ['gogc-100'],
        kind: 'load',
        targets: ['kubernetes'],
        repeats: 4,
        matrix: {},
        load: { model: 'closed', connections: 2, warmupMs: 0, durationMs: 3000 },
      }),
    );
    const out = path.join(dir, 'apiserver');
    const bench = startBench([
      'run',
      '--scenario',
      scenario,
      '--target',
      'kubernetes',
      '--context',
      LOCAL_CONTEXT_NAME,
      '--kubeconfig',
      LOCAL_KUBECONFIG_PATH,
      '--out',
      out,
      '--seed',
      '9',
    ]);
    // The first repeat is in the record; the second is deploying or loading, its watches open.
    await waitForRepeats(out, 1, 300_000);
    const before = await readRunRecord(out);
    const pids = apiserverPids();
    expect(pids.length, 'a kube-apiserver process to kill').toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, 'SIGKILL');

    const { code } = await bench.exit;
    const what = bench.stdout() + bench.stderr();
    expect([0, 3, 4], what).toContain(code);
    expect(bench.stderr(), what).not.toContain('unexpected error');
    const after = await readRunRecord(out);
    expect(after.status, what).not.toBe('running');
    expect(code === 3, `exit ${code} with status ${after.status}`).toBe(after.status === 'failed');
    const kept = before.repeats.filter((r) => after.repeats.some((a) => JSON.stringify(a) === JSON.stringify(r)));
    expect(kept, 'repeats measured before the kill are kept as they were').toHaveLength(before.repeats.length);
    const failed = after.repeats.filter((r) => r.outcome.state === 'failed');
    for (const r of failed) expect(r.outcome.state === 'failed' && r.outcome.error.length, 'a failed repeat says why').toBeGreaterThan(0);

    // The kubelet brings the API server back; then nothing of the run may be left (what the run could
    // not delete while the API was down, `doctor --cleanup` deletes, as it would for a user).
    expect(await waitForApi(180_000), 'the API server came back (kubelet restarts the static pod)').toBe(true);
    const runId = after.runId;
    const label = runLabelValue(runId);
    const { core } = createKubeClients({ kubeconfig: LOCAL_KUBECONFIG_PATH, context: LOCAL_CONTEXT_NAME });
    const leftBehind = (await findRunNamespaces(core)).filter((l) => l.runId === label);
    if (leftBehind.length > 0) {
      const doctor = startBench(['doctor', '--cleanup', '--run-id', runId, '--context', LOCAL_CONTEXT_NAME, '--kubeconfig', LOCAL_KUBECONFIG_PATH]);
      await doctor.exit;
    }
    const deadline = Date.now() + 120_000;
    let remaining = (await findRunNamespaces(core)).filter((l) => l.runId === label);
    while (remaining.length > 0 && Date.now() < deadline) {
      await sleep(2_000);
      remaining = (await findRunNamespaces(core)).filter((l) => l.runId === label);
    }
    process.stdout.write(
      `faults: kube-apiserver killed with ${before.repeats.length} repeat(s) recorded → exit ${code}, status ${after.status}, outcomes ${after.repeats.map((r) => r.outcome.state).join(', ')}, ` +
        `namespaces left by the run ${leftBehind.length} (after doctor --cleanup: ${remaining.length})\n`,
    );
    expect(remaining, 'no namespace of the run left').toHaveLength(0);

    // What the kill made fail, the run said how to retry; with the API server back, --resume completes it.
    if (failed.length > 0) {
      expect(bench.stdout(), what).toContain(`Retry the ${failed.length} failed repeat(s) with: npx bench run --resume`);
      const resumed = startBench(['run', '--resume', out]);
      const again = await resumed.exit;
      expect([0, 4], resumed.stdout() + resumed.stderr()).toContain(again.code);
      const final = await readRunRecord(out);
      expect(
        final.repeats.filter((r) => r.outcome.state === 'failed'),
        'no failed repeat after --resume',
      ).toHaveLength(0);
      expect(final.status).toBe('completed');
    }
  });
});
