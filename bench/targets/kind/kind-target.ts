/**
 * The `kind` target: the Kubernetes target on a kind cluster, made by the kind cluster provider (created
 * by the run, or reused with `--cluster`). Load reaches the service through kind's `extraPortMappings`
 * (127.0.0.1:<hostPort> → the node's NodePort → kube-proxy). Images go in with `kind load docker-image`.
 * A cluster the run created is deleted when the target is disposed, unless `--keep-cluster`.
 */
import { usageError } from '../../errors.js';
import type { ProcessRunner } from '../../exec/index.js';
import { createKubeClients } from '../kubernetes/client.js';
import type { ClusterProvider } from '../kubernetes/cluster-provider.js';
import type { ImageLoader } from '../kubernetes/image-loader.js';
import { createKubernetesTarget, type EnsureImage, type KubernetesTarget } from '../kubernetes/kubernetes-target.js';
import type { HpaOptions } from '../kubernetes/objects.js';
import { KindCluster } from './kind-cluster.js';
import { installMetricsServer } from './metrics-server.js';

/** NodePort the service gets on kind, mapped to the same host port by default. */
export const KIND_NODE_PORT = 30080;
/** Cluster name when `--cluster` is not given. */
export const DEFAULT_KIND_CLUSTER = 'bench';

export interface KindTargetOptions {
  /** `--cluster NAME`: reuse this cluster when it exists (else create it under that name). */
  cluster?: string | undefined;
  /** `--keep-cluster`: do not delete a cluster this run created. */
  keepCluster?: boolean;
  /** `--node-image`: kind node image (default: the pinned kind's default). */
  nodeImage?: string | undefined;
  /** kubeconfig kind writes to and the target reads. */
  kubeconfig?: string | undefined;
  /** Host port on 127.0.0.1 mapped to the NodePort. @default 30080 */
  hostPort?: number;
  run: ProcessRunner;
  ensureImage: EnsureImage;
  hpa?: Partial<HpaOptions>;
  /** Install metrics-server when the metrics API is missing (HPA needs it). @default true */
  metricsServer?: boolean;
  log?: (line: string) => void;
}

/** The image loader of a kind cluster: `kind load docker-image TAG --name NAME`. */
export function kindImageLoader(cluster: KindCluster): ImageLoader {
  return { name: `kind load docker-image (${cluster.name})`, pullPolicy: 'Never', load: (tag, signal) => cluster.loadImage(tag, signal) };
}

/** Makes the kind cluster exist (reusing one of that name), installs metrics-server, deletes what it created. */
export function kindClusterProvider(cluster: KindCluster, options: Pick<KindTargetOptions, 'keepCluster' | 'metricsServer' | 'run' | 'log'>): ClusterProvider {
  let created = false;
  const log = options.log ?? (() => undefined);
  return {
    name: `kind (${cluster.name})`,
    async provision(signal) {
      if (await cluster.exists(signal)) {
        log(`reusing kind cluster ${cluster.name}`);
        return;
      }
      // Marked before creating: an interrupted create leaves a half-made cluster to delete too.
      created = true;
      await cluster.create(signal);
    },
    exists: () => cluster.exists(),
    versions: () => cluster.versions(),
    async ready(clients, signal) {
      const hasMetrics = await clients.metrics.getNodeMetrics().then(
        () => true,
        () => false,
      );
      if (hasMetrics || options.metricsServer === false) return;
      await installMetricsServer({ clients, run: options.run, loadImage: (tag, s) => cluster.loadImage(tag, s), signal, log });
    },
    async release() {
      if (!created || options.keepCluster === true) return;
      created = false;
      await cluster.delete();
    },
  };
}

/** The kind cluster of a run or of `bench cluster --provider kind`: its name, node image and port mapping. */
export function kindClusterOf(options: Pick<KindTargetOptions, 'cluster' | 'nodeImage' | 'kubeconfig' | 'hostPort' | 'run' | 'log'>): KindCluster {
  const hostPort = options.hostPort ?? KIND_NODE_PORT;
  if (!(Number.isInteger(hostPort) && hostPort > 0 && hostPort < 65536)) throw usageError(`kind host port must be a TCP port (got ${hostPort})`);
  return new KindCluster({
    name: options.cluster ?? DEFAULT_KIND_CLUSTER,
    run: options.run,
    nodeImage: options.nodeImage,
    kubeconfig: options.kubeconfig,
    portMappings: [{ hostPort, containerPort: KIND_NODE_PORT }],
    ...(options.log ? { log: options.log } : {}),
  });
}

/**
 * `bench cluster up --provider kind`: makes the cluster exist (kept: `bench run --target kind` reuses
 * it) and its metrics API answer. Returns whether it was created now.
 */
export async function bringUpKindCluster(
  options: Pick<KindTargetOptions, 'cluster' | 'nodeImage' | 'kubeconfig' | 'run' | 'log'> & { signal: AbortSignal },
): Promise<{ cluster: KindCluster; created: boolean }> {
  const cluster = kindClusterOf(options);
  const existed = await cluster.exists(options.signal);
  const provider = kindClusterProvider(cluster, { keepCluster: true, run: options.run, ...(options.log ? { log: options.log } : {}) });
  await provider.provision(options.signal);
  await provider.ready?.(createKubeClients({ context: cluster.context, kubeconfig: options.kubeconfig }), options.signal);
  return { cluster, created: !existed };
}

export function createKindTarget(options: KindTargetOptions): KubernetesTarget {
  const hostPort = options.hostPort ?? KIND_NODE_PORT;
  const cluster = kindClusterOf(options);
  return createKubernetesTarget({
    name: 'kind',
    context: cluster.context,
    kubeconfig: options.kubeconfig,
    imageLoader: kindImageLoader(cluster),
    ensureImage: options.ensureImage,
    nodePort: KIND_NODE_PORT,
    hostPort,
    provider: kindClusterProvider(cluster, options),
    ...(options.hpa ? { hpa: options.hpa } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}
