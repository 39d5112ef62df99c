/**
 * The `kubernetes` target on a real cluster: the local single-node cluster of infra/local-k8s (context
 * `bench-local`), or any cluster named by BENCH_K8S_CONTEXT / BENCH_K8S_KUBECONFIG whose NodePorts answer
 * on 127.0.0.1. Skipped with the reason when no cluster answers, unless BENCH_REQUIRE_K8S=1. The suite
 * itself (test/helpers/kubernetes-target-suite.ts) runs on kind too, in kind.test.ts.
 */
import { existsSync } from 'node:fs';
import Docker from 'dockerode';
import { describe } from 'vitest';
import { createLocalCluster, LOCAL_CONTEXT_NAME, LOCAL_KUBECONFIG_PATH } from '../../bench/cluster/local.js';
import { runProcess } from '../../bench/exec/index.js';
import { ensureServiceImage } from '../../bench/targets/images.js';
import { createFunctionImageLoader } from '../../bench/targets/kubernetes/image-loader.js';
import { createKubernetesTarget } from '../../bench/targets/kubernetes/kubernetes-target.js';
import { createKubeClients } from '../../bench/targets/kubernetes/client.js';
import { kubernetesTargetSuite } from '../helpers/kubernetes-target-suite.js';

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

describe.skipIf(unavailable !== null)(`kubernetes target on ${context} (real cluster, real reference service)`, () => {
  const docker = new Docker();
  const local = createLocalCluster();
  kubernetesTargetSuite({
    runId: `itest-k8s-${process.pid}`,
    baseUrl: /^http:\/\/127\.0\.0\.1:\d+$/,
    makeTarget: (hpa) =>
      createKubernetesTarget({
        context,
        kubeconfig,
        imageLoader: createFunctionImageLoader('local cluster (infra/local-k8s/load-image.sh)', (tag, s) => local.loadImage(tag, { signal: s })),
        ensureImage: (settings, s) => ensureServiceImage(settings, { docker, run: runProcess, signal: s }),
        hpa,
        log: (line) => console.log(`[kubernetes] ${line}`),
      }),
  });
});
