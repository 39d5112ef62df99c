/** The local cluster (infra/local-k8s) as the tests that need it see it. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { LOCAL_CONTEXT_NAME, LOCAL_KUBECONFIG_PATH } from '../../bench/cluster/local.js';
import { createKubeClients } from '../../bench/targets/kubernetes/client.js';

/** Whether the local cluster's API server answers a namespace list within `timeoutMs`. */
export async function localClusterAnswers(timeoutMs = 10_000): Promise<boolean> {
  if (!existsSync(LOCAL_KUBECONFIG_PATH)) return false;
  try {
    const { core } = createKubeClients({ kubeconfig: LOCAL_KUBECONFIG_PATH, context: LOCAL_CONTEXT_NAME });
    await Promise.race([
      core.listNamespace({ limit: 1 }),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)),
    ]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why a cluster suite cannot run here (`null` when it can): it needs Linux, root (`rootFor` says what
 * for) and a Docker engine that builds the reference service image.
 */
export function clusterSuiteSkipReason(rootFor: string): string | null {
  if (process.platform !== 'linux') return `needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return `needs root: ${rootFor} (run as root)`;
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 20_000 });
  } catch {
    return 'needs a running Docker engine to build the reference service image (infra/setup/docker-engine.sh)';
  }
  return null;
}
