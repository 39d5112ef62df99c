/**
 * The `kind` target: the `kubernetes` target on a kind cluster the run creates (or reuses with
 * `--cluster`). Load reaches the service through kind's `extraPortMappings` (127.0.0.1:<hostPort> →
 * the node's NodePort → kube-proxy). Images go in with `kind load docker-image`. A cluster the run
 * created is deleted by `dispose()` unless `--keep-cluster`.
 */
import type { Cell } from '../../../scenarios/define.js';
import { usageError } from '../../errors.js';
import type { ProcessRunner } from '../../exec/index.js';
import type { DeployOptions, ServiceHandle, Target, TargetCapabilities, TargetObserver } from '../types.js';
import type { ImageLoader } from '../kubernetes/image-loader.js';
import { createKubernetesTarget, kubernetesCapabilities, type EnsureImage, type KubernetesTarget } from '../kubernetes/kubernetes-target.js';
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

export class KindTarget implements Target {
  readonly name = 'kind' as const;
  readonly capabilities: TargetCapabilities = kubernetesCapabilities;
  readonly cluster: KindCluster;
  private inner: KubernetesTarget | null = null;
  private created = false;
  private readonly options: KindTargetOptions;

  constructor(options: KindTargetOptions) {
    this.options = options;
    const hostPort = options.hostPort ?? KIND_NODE_PORT;
    if (!(Number.isInteger(hostPort) && hostPort > 0 && hostPort < 65536)) throw usageError(`kind host port must be a TCP port (got ${hostPort})`);
    this.cluster = new KindCluster({
      name: options.cluster ?? DEFAULT_KIND_CLUSTER,
      run: options.run,
      nodeImage: options.nodeImage,
      kubeconfig: options.kubeconfig,
      portMappings: [{ hostPort, containerPort: KIND_NODE_PORT }],
      ...(options.log ? { log: options.log } : {}),
    });
  }

  /** The image loader of this cluster: `kind load docker-image TAG --name NAME`. */
  imageLoader(): ImageLoader {
    return {
      name: `kind load docker-image (${this.cluster.name})`,
      pullPolicy: 'Never',
      load: (tag, signal) => this.cluster.loadImage(tag, signal),
    };
  }

  private get target(): KubernetesTarget {
    if (this.inner === null) throw new Error('the kind target is not prepared: call prepare() first');
    return this.inner;
  }

  async prepare(signal: AbortSignal): Promise<void> {
    if (this.inner !== null) return this.inner.prepare(signal);
    if (await this.cluster.exists(signal)) {
      this.options.log?.(`reusing kind cluster ${this.cluster.name}`);
    } else {
      // Marked before creating: an interrupted create leaves a half-made cluster to delete too.
      this.created = true;
      await this.cluster.create(signal);
    }
    this.inner = this.createInner();
    const hasMetrics = await this.inner.clients.metrics.getNodeMetrics().then(
      () => true,
      () => false,
    );
    if (!hasMetrics && this.options.metricsServer !== false) {
      await installMetricsServer({
        clients: this.inner.clients,
        run: this.options.run,
        loadImage: (tag, s) => this.cluster.loadImage(tag, s),
        signal,
        ...(this.options.log ? { log: this.options.log } : {}),
      });
    }
    await this.inner.prepare(signal);
  }

  version(): Promise<string> {
    return this.target.version();
  }

  deploy(cell: Cell, options: DeployOptions): Promise<ServiceHandle> {
    return this.target.deploy(cell, options);
  }

  inspect(handle: ServiceHandle, signal: AbortSignal): ReturnType<Target['inspect']> {
    return this.target.inspect(handle, signal);
  }

  sample(handle: ServiceHandle, signal: AbortSignal): ReturnType<Target['sample']> {
    return this.target.sample(handle, signal);
  }

  stop(handle: ServiceHandle, options: { signal: AbortSignal; graceSeconds: number }): ReturnType<Target['stop']> {
    return this.target.stop(handle, options);
  }

  observe(handle: ServiceHandle, clockMs: () => number, signal: AbortSignal): TargetObserver {
    return this.target.observe(handle, clockMs, signal);
  }

  rollout(handle: ServiceHandle, signal: AbortSignal): Promise<void> {
    return this.target.rollout(handle, signal);
  }

  async teardown(handle: ServiceHandle): Promise<void> {
    if (this.inner !== null) await this.inner.teardown(handle);
  }

  async cleanup(runId: string | null): Promise<number> {
    if (this.inner === null) {
      // `bench doctor --cleanup` on a fresh process: connect to an existing cluster only.
      if (!(await this.cluster.exists().catch(() => false))) return 0;
      await this.prepareClientOnly();
    }
    return this.target.cleanup(runId);
  }

  /** The Kubernetes target that does the work, on the kind cluster's context and mapped port. */
  private createInner(): KubernetesTarget {
    return createKubernetesTarget({
      name: 'kind',
      context: this.cluster.context,
      kubeconfig: this.options.kubeconfig,
      imageLoader: this.imageLoader(),
      ensureImage: this.options.ensureImage,
      nodePort: KIND_NODE_PORT,
      hostPort: this.options.hostPort ?? KIND_NODE_PORT,
      ...(this.options.hpa ? { hpa: this.options.hpa } : {}),
      ...(this.options.log ? { log: this.options.log } : {}),
    });
  }

  private async prepareClientOnly(): Promise<void> {
    this.inner = this.createInner();
  }

  /** Deletes the cluster when this run created it and `--keep-cluster` was not given. */
  async dispose(): Promise<void> {
    await this.inner?.dispose();
    if (this.created && this.options.keepCluster !== true) {
      await this.cluster.delete();
      this.created = false;
    }
  }
}

export function createKindTarget(options: KindTargetOptions): KindTarget {
  return new KindTarget(options);
}
