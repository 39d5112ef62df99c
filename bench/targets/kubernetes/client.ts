/**
 * The cluster connection: a KubeConfig for the chosen context and the typed API clients the target uses.
 */
import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  Metrics,
  VersionApi,
  Watch,
} from '@kubernetes/client-node';
import { usageError } from '../../errors.js';

export interface KubeClients {
  kc: KubeConfig;
  context: string;
  core: CoreV1Api;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  version: VersionApi;
  objects: KubernetesObjectApi;
  metrics: Metrics;
  watch: Watch;
}

/**
 * Loads the kubeconfig (`kubeconfig` path, else `$KUBECONFIG` / `~/.kube/config`) and selects `context`
 * (else the current context). An unknown context is a usage error naming the ones that exist.
 */
export function createKubeClients(options: { context?: string | undefined; kubeconfig?: string | undefined }): KubeClients {
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig !== undefined) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    throw usageError(`cannot read the kubeconfig ${options.kubeconfig ?? '(default)'}: ${(error as Error).message}`, 'pass --kubeconfig PATH to a readable kubeconfig');
  }
  if (options.context !== undefined) {
    if (kc.getContextObject(options.context) === null) {
      const known = kc.getContexts().map((c) => c.name);
      throw usageError(
        `--context ${options.context}: no such context in ${options.kubeconfig ?? 'the kubeconfig'} (known: ${known.join(', ') || 'none'})`,
        'pass one of the known contexts, or --kubeconfig with the file that has it',
      );
    }
    kc.setCurrentContext(options.context);
  }
  const context = kc.getCurrentContext();
  if (context === '' || kc.getCurrentCluster() === null) {
    throw usageError('the kubeconfig has no current context or cluster', 'pass --context NAME (and --kubeconfig PATH)');
  }
  return {
    kc,
    context,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
    version: kc.makeApiClient(VersionApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
    metrics: new Metrics(kc),
    watch: new Watch(kc),
  };
}

/** HTTP status of a failed API call, or null for other errors. */
export function apiStatus(error: unknown): number | null {
  if (error instanceof ApiException) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : null;
}

/** Runs `call`, treating 404 as "already gone". */
export async function ignoreNotFound<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    if (apiStatus(error) === 404) return null;
    throw error;
  }
}

/** The API server's message for a failed call, short. */
export function apiMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body = error.body as unknown;
    let message: string | undefined;
    if (typeof body === 'string') {
      try {
        message = (JSON.parse(body) as { message?: string }).message ?? body;
      } catch {
        message = body;
      }
    } else if (body !== null && typeof body === 'object') {
      message = (body as { message?: string }).message;
    }
    return `HTTP ${error.code}${message ? `: ${message.slice(0, 300)}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}
