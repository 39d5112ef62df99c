/**
 * The cluster connection: a KubeConfig for the chosen context and the typed API clients the target uses.
 */
import net from 'node:net';
import os from 'node:os';
import { ApiException, AppsV1Api, AutoscalingV2Api, CoreV1Api, KubeConfig, KubernetesObjectApi, Metrics, VersionApi, Watch } from '@kubernetes/client-node';
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
    throw usageError(
      `cannot read the kubeconfig ${options.kubeconfig ?? '(default)'}: ${(error as Error).message}`,
      'pass --kubeconfig PATH to a readable kubeconfig',
    );
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
  const cluster = kc.getCurrentCluster();
  if (context === '' || cluster === null) {
    throw usageError('the kubeconfig has no current context or cluster', 'pass --context NAME (and --kubeconfig PATH)');
  }
  // Load reaches the service on 127.0.0.1:<nodePort>: on a remote cluster that is a wrong, possibly
  // unrelated, local listener. Remote clusters need a load path of their own (not there yet).
  if (!isThisMachine(cluster.server, localAddresses())) {
    throw usageError(
      `context ${context}: its API server ${cluster.server} is not this machine; bench drives load to 127.0.0.1:<nodePort>, which only reaches a cluster running here`,
      'use a cluster on this machine (kind, or `sudo npx bench cluster up --provider local`); remote clusters are not supported yet',
    );
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

/** This machine's names and addresses: loopback, its hostname and the addresses of its interfaces. */
export function localAddresses(): string[] {
  const own = Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
  return ['localhost', os.hostname(), ...own];
}

/**
 * Whether an API server URL points at this machine: 127.0.0.0/8, ::1, `localhost`, or one of `local`
 * (this host's name and interface addresses, where a kubeadm cluster advertises itself). Pure.
 */
export function isThisMachine(server: string, local: readonly string[]): boolean {
  let host: string;
  try {
    host = new URL(server).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  if (host === '::1' || host === 'localhost' || host.endsWith('.localhost')) return true;
  if (net.isIPv4(host) && host.startsWith('127.')) return true;
  return local.some((address) => address.toLowerCase() === host);
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
