/**
 * The `kubernetes` target: cells deployed into an existing cluster (`--context`), one namespace per run
 * (`bench-<runId>`, labelled `bench.run-id`), nothing created outside it. Load reaches the pods through
 * a NodePort on 127.0.0.1 (kube-proxy, like real traffic). Pods are followed with watches on the run's
 * clock; CPU, CFS throttling and memory come from the kubelet's cAdvisor metrics through the node
 * proxy; Go runtime metrics from each pod's `/debug/runtime` through the pod proxy.
 * The `kind` target is this one with a cluster provider that makes the cluster (cluster-provider.ts).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { PatchStrategy, setHeaderOptions, type CoreV1Event, type V1Namespace, type V1Pod, type V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { Cell, CellSettings, TargetName } from '../../../scenarios/index.js';
import {
  hasCpuFigures,
  readContainerStats,
  sumContainerStats,
  type CadvisorContainerStats,
  hpaEventReasons,
  parseRescaleSize,
  summarizeHpaTimeline,
  type ReplicaSample,
  type ScalingEvent,
  type RuntimeSnapshot,
} from '../../collect/index.js';
import { infraError, usageError } from '../../errors.js';
import type { EffectiveSettings, RepeatResult } from '../../results/index.js';
import type { ContainerSample, DeployOptions, Rollout, Sampler, ScalingObserver, ServiceHandle, Target, TargetObserver, TargetVersions } from '../types.js';
import type { ClusterProvider } from './cluster-provider.js';
import { apiMessage, apiStatus, createKubeClients, ignoreNotFound, type KubeClients } from './client.js';
import { waitForReady } from '../http.js';
import { effectiveFromRuntime } from '../service-env.js';
import type { ImageLoader } from './image-loader.js';
import {
  buildCellObjects,
  buildNamespace,
  cellSelector,
  CONTAINER_NAME,
  CONTAINER_PORT,
  defaultHpaOptions,
  formatSelector,
  namespaceName,
  objectName,
  ROLLOUT_ANNOTATION,
  RUN_LABEL,
  runLabelValue,
  type HpaOptions,
} from './objects.js';
import { ownerLabels } from '../owner.js';
import { applyPodEvent, countPods, summarizePodStartup, type PodLifecycle, type WatchEventType } from './pod-timeline.js';
import { listAndWatch, waitForWatch, type RunningWatch } from './watches.js';

/** Builds (or finds) the service image for a cell: `ensureServiceImage` from bench/targets/images.ts. */
export type EnsureImage = (settings: CellSettings, signal: AbortSignal) => Promise<ServiceHandle['image']>;

export interface KubernetesTargetOptions {
  /** kubeconfig context; default: the kubeconfig's current context. */
  context?: string | undefined;
  /** kubeconfig file; default: `$KUBECONFIG` or `~/.kube/config`. */
  kubeconfig?: string | undefined;
  imageLoader: ImageLoader;
  ensureImage: EnsureImage;
  /** Fixed NodePort (kind maps it to the host); default: the API server picks one. */
  nodePort?: number | null;
  /**
   * Host port on 127.0.0.1 where the NodePort answers; default: the NodePort itself (a node on this
   * host, or kind's `extraPortMappings` with equal ports).
   */
  hostPort?: number | null;
  /** HPA shape for `hpa` cells; defaults in `defaultHpaOptions`. */
  hpa?: Partial<HpaOptions>;
  /** Registry name of the target. @default 'kubernetes' */
  name?: TargetName;
  /** Minimum time given to a deployment to become ready (pods are scheduled and started). @default 120000 */
  minReadyTimeoutMs?: number;
  /** Makes the cluster exist before the target connects (kind); none for a cluster that already runs. */
  provider?: ClusterProvider;
  log?: (line: string) => void;
}

/** What the target remembers about a deployed cell. */
interface CellState {
  cell: Cell;
  namespace: string;
  name: string;
  selector: string;
  hpa: boolean;
  pods: Map<string, PodLifecycle>;
  podWatch: RunningWatch;
  listeners: Set<() => void>;
  rolloutGeneration: number;
  /** Whether the log already said that cAdvisor figures are of the pod cgroup. */
  podLevelLogged?: boolean;
}

const POD_WATCH_CONTAINER = { container: CONTAINER_NAME };
/** Minimum interval between two reads of a node's cAdvisor page (it is large; the kubelet refreshes it about every second at best). */
const CADVISOR_MIN_INTERVAL_MS = 1000;
/** How long to wait for cAdvisor's first usage figures of a new pod. */
const CADVISOR_FIRST_FIGURES_MS = 30_000;
/** How long a pod may stay Unschedulable before deploy gives up (the cell does not fit the node). */
const UNSCHEDULABLE_GRACE_MS = 15_000;
/** metrics API sampling interval of the observer (metrics-server resolution is 15 s). */
const POD_METRICS_INTERVAL_MS = 5000;

/** Kubernetes (kind or any other cluster): samples cAdvisor, watches the HPA and pods, rolls deployments. */
export class KubernetesTarget implements Target, Sampler, ScalingObserver, Rollout {
  readonly name: TargetName;
  private kube: KubeClients | null = null;
  private provisioned = false;
  private readonly options: KubernetesTargetOptions;
  private readonly hpaOptions: HpaOptions;
  private readonly cells = new Map<string, CellState>();
  private readonly loadedImages = new Map<string, Promise<void>>();
  private readonly namespaces = new Map<string, Promise<void>>();
  private readonly cadvisorCache = new Map<string, { atMs: number; text: Promise<string> }>();
  private metricsApi: boolean | null = null;

  constructor(options: KubernetesTargetOptions) {
    this.options = options;
    this.name = options.name ?? 'kubernetes';
    this.hpaOptions = { ...defaultHpaOptions, ...options.hpa };
  }

  /** The API clients, made on first use: a provider's cluster (and its kubeconfig) exists only after `prepare`. */
  get clients(): KubeClients {
    this.kube ??= createKubeClients(this.options);
    return this.kube;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** The API server's version, and what the cluster's provider knows of itself (kind's version and node image). */
  async versions(): Promise<TargetVersions> {
    const info = await this.clients.version.getCode();
    const provided = (await this.options.provider?.versions?.().catch(() => ({}))) ?? {};
    return { kubernetes: info.gitVersion, ...provided };
  }

  async prepare(signal: AbortSignal): Promise<void> {
    const provider = this.options.provider;
    if (provider !== undefined && !this.provisioned) {
      await provider.provision(signal);
      this.provisioned = true;
    }
    const where = `context ${this.clients.context} (${this.clients.kc.getCurrentCluster()?.server ?? '?'})`;
    try {
      await this.clients.version.getCode();
    } catch (error) {
      throw infraError(
        `the Kubernetes API server of ${where} does not answer: ${apiMessage(error)}`,
        'start the cluster (local: bash infra/local-k8s/up.sh) or pick another --context',
        error,
      );
    }
    signal.throwIfAborted();
    const nodes = await this.clients.core.listNode();
    const ready = nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    if (ready.length === 0) {
      throw infraError(`no Ready node in ${where} (${nodes.items.length} node(s))`, 'wait for the node to become Ready: kubectl get nodes');
    }
    await provider?.ready?.(this.clients, signal);
    this.metricsApi = await this.clients.metrics.getNodeMetrics().then(
      () => true,
      () => false,
    );
    if (!this.metricsApi) this.log(`metrics API (metrics.k8s.io) not available in ${where}: HPA cells will fail until metrics-server runs`);
  }

  private ensureNamespace(runId: string, signal: AbortSignal): Promise<void> {
    const name = namespaceName(runId);
    let pending = this.namespaces.get(name);
    if (pending === undefined) {
      pending = this.createNamespace(runId, signal);
      this.namespaces.set(name, pending);
      pending.catch(() => this.namespaces.delete(name));
    }
    return pending;
  }

  private async createNamespace(runId: string, signal: AbortSignal): Promise<void> {
    const body = buildNamespace(runId);
    // Who created it, so that `bench doctor --cleanup` can tell a crashed run from one still going.
    body.metadata = { ...body.metadata, labels: { ...body.metadata?.labels, ...ownerLabels() } };
    const name = body.metadata.name!;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.clients.core.createNamespace({ body });
        return;
      } catch (error) {
        if (apiStatus(error) !== 409) throw infraError(`creating namespace ${name} failed: ${apiMessage(error)}`, undefined, error);
      }
      const existing = await ignoreNotFound(() => this.clients.core.readNamespace({ name }));
      if (existing === null) continue;
      if (existing.metadata?.labels?.[RUN_LABEL] !== runLabelValue(runId)) {
        throw infraError(
          `namespace ${name} exists and is not this run's (no ${RUN_LABEL}=${runLabelValue(runId)} label)`,
          'use another run id, or delete the namespace if it is a leftover',
        );
      }
      if (existing.status?.phase !== 'Terminating') return;
      // A leftover of the same run id being deleted: wait for it to go, then create it anew.
      if (attempt > 120) throw infraError(`namespace ${name} stays Terminating`, `kubectl get namespace ${name} -o yaml`);
      await sleep(1000, undefined, { signal });
    }
  }

  private ensureLoaded(tag: string, signal: AbortSignal): Promise<void> {
    let pending = this.loadedImages.get(tag);
    if (pending === undefined) {
      this.log(`loading image ${tag} into the cluster (${this.options.imageLoader.name})`);
      pending = this.options.imageLoader.load(tag, signal);
      this.loadedImages.set(tag, pending);
      pending.catch(() => this.loadedImages.delete(tag));
    }
    return pending;
  }

  private podsPath(namespace: string): string {
    return `/api/v1/namespaces/${namespace}/pods`;
  }

  /** Follows the cell's pods for as long as the cell is deployed. */
  private startPodWatch(namespace: string, selector: string, pods: Map<string, PodLifecycle>, listeners: Set<() => void>, signal: AbortSignal): RunningWatch {
    const notify = (): void => {
      for (const listener of listeners) listener();
    };
    return listAndWatch<V1Pod>({
      watch: this.clients.watch,
      path: this.podsPath(namespace),
      query: { labelSelector: selector },
      list: () => this.clients.core.listNamespacedPod({ namespace, labelSelector: selector }),
      onList: (items, relist) => {
        const now = performance.now();
        const present = new Set(items.map((p) => p.metadata?.uid));
        for (const pod of items) applyPodEvent(pods, 'MODIFIED', pod, now, { ...POD_WATCH_CONTAINER, initial: !relist });
        if (relist) for (const life of pods.values()) if (!present.has(life.uid) && life.deletedMs === null) life.deletedMs = now;
        notify();
      },
      onEvent: (type, pod) => {
        applyPodEvent(pods, type, pod, performance.now(), POD_WATCH_CONTAINER);
        notify();
      },
      onError: (error) => this.log(`pod watch in ${namespace}: ${apiMessage(error)} (re-listing)`),
      signal,
    });
  }

  /**
   * Waits until `check` over the cell's pod timelines holds (true) or gives up (an Error). Re-checked
   * on every pod event, and every second for conditions that depend on elapsed time alone.
   */
  private waitForPods(state: CellState, check: () => boolean | Error, timeoutMs: number, signal: AbortSignal, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        clearInterval(ticker);
        state.listeners.delete(listener);
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const listener = (): void => {
        const result = check();
        if (result === true) finish();
        else if (result instanceof Error) finish(result);
      };
      const onAbort = (): void => finish(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      const ticker = setInterval(listener, 1000);
      state.listeners.add(listener);
      signal.addEventListener('abort', onAbort, { once: true });
      listener();
    });
  }

  async deploy(cell: Cell, options: DeployOptions): Promise<ServiceHandle> {
    const { runId, signal } = options;
    const namespace = namespaceName(runId);
    const wantsHpa = cell.kind === 'hpa';
    if (wantsHpa && this.metricsApi === false) {
      throw infraError(
        `${cell.id} needs an HPA, and the metrics API (metrics.k8s.io) is not served in context ${this.clients.context}`,
        'install metrics-server (kind: it is installed on create; local cluster: infra/local-k8s/up.sh)',
      );
    }
    await this.ensureNamespace(runId, signal);
    const image = await this.options.ensureImage(cell.settings, signal);
    await this.ensureLoaded(image.tag, signal);
    const reference = this.options.imageLoader.reference?.(image.tag) ?? image.tag;
    const objects = buildCellObjects(cell, {
      runId,
      image: reference,
      imagePullPolicy: this.options.imageLoader.pullPolicy,
      nodePort: this.options.nodePort ?? null,
      hpa: wantsHpa ? this.hpaOptions : null,
    });
    const name = objectName(cell.id);
    const selector = formatSelector(cellSelector(cell.id));
    const stateKey = `${namespace}/${name}`;
    if (this.cells.has(stateKey)) throw new Error(`${cell.id} is already deployed in ${namespace}; tear it down first`);
    const pods = new Map<string, PodLifecycle>();
    const listeners = new Set<() => void>();
    // Runs until the cell is removed (podWatch.stop()), not bound to the deploy call's signal.
    const podWatch = this.startPodWatch(namespace, selector, pods, listeners, new AbortController().signal);
    const state: CellState = { cell, namespace, name, selector, hpa: wantsHpa, pods, podWatch, listeners, rolloutGeneration: 0 };
    this.cells.set(stateKey, state);
    try {
      return await this.createAndWait(cell, options, state, objects, image, reference);
    } catch (error) {
      // The orchestrator only tears down what deploy returned: remove what was created here.
      await this.removeCell(stateKey, false).catch(() => undefined);
      throw error;
    }
  }

  private async createAndWait(
    cell: Cell,
    options: DeployOptions,
    state: CellState,
    objects: ReturnType<typeof buildCellObjects>,
    image: ServiceHandle['image'],
    reference: string,
  ): Promise<ServiceHandle> {
    const { signal } = options;
    const { namespace, name, selector, pods } = state;
    await state.podWatch.ready;

    const startedAtMs = performance.now();
    let nodePort: number;
    try {
      const service = await this.clients.core.createNamespacedService({ namespace, body: objects.service });
      nodePort = service.spec?.ports?.[0]?.nodePort ?? Number.NaN;
      if (!Number.isInteger(nodePort)) throw new Error(`service ${name} got no NodePort`);
      await this.clients.apps.createNamespacedDeployment({ namespace, body: objects.deployment });
      if (objects.hpa !== null) await this.clients.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace, body: objects.hpa });
    } catch (error) {
      throw infraError(`creating ${cell.id} in ${namespace} failed: ${apiMessage(error)}`, undefined, error);
    }
    const port = this.options.hostPort ?? nodePort;
    const baseUrl = `http://127.0.0.1:${port}`;
    const timeoutMs = Math.max(options.readyTimeoutMs, this.options.minReadyTimeoutMs ?? 120_000);
    try {
      const readyOrStuck = (): boolean | Error => {
        if (countPods(pods.values()).ready > 0) return true;
        // The previous cell's pods are gone by now (teardown waits for them): a pod the scheduler
        // cannot place for this long will not fit the node at all.
        return this.unschedulableError(state) ?? false;
      };
      await this.waitForPods(state, readyOrStuck, timeoutMs, signal, `a Ready pod of ${name}`);
      const left = Math.max(5000, timeoutMs - (performance.now() - startedAtMs));
      const readyAtMs = await waitForHttpReady(`${baseUrl}/ready`, left, signal);
      this.log(`${cell.id}: Ready in ${Math.round(readyAtMs - startedAtMs)} ms at ${baseUrl} (${namespace}/${name})`);
      return {
        target: this.name,
        cellId: cell.id,
        baseUrl,
        ids: {
          namespace,
          deployment: name,
          service: name,
          ...(objects.hpa !== null ? { hpa: name } : {}),
          nodePort: String(nodePort),
          context: this.clients.context,
        },
        startedAtMs,
        readyAtMs,
        image: { ...image, tag: reference },
      };
    } catch (error) {
      if (signal.aborted) throw error;
      const diagnosis = await this.diagnose(namespace, selector).catch(() => '');
      throw infraError(
        `${cell.id} did not become ready: ${(error as Error).message}${diagnosis}`,
        `kubectl -n ${namespace} describe pods -l ${selector}`,
        error,
      );
    }
  }

  /** Why pods are not Ready: waiting reasons and the latest warning events, one line each. */
  private async diagnose(namespace: string, selector: string): Promise<string> {
    const pods = await this.clients.core.listNamespacedPod({ namespace, labelSelector: selector });
    const lines = pods.items.map((pod) => {
      const status = pod.status?.containerStatuses?.[0];
      const waiting = status?.state?.waiting;
      const terminated = status?.lastState?.terminated ?? status?.state?.terminated;
      return `pod ${pod.metadata?.name}: ${pod.status?.phase}${waiting ? `, waiting: ${waiting.reason} ${waiting.message ?? ''}` : ''}${terminated ? `, exited ${terminated.exitCode} (${terminated.reason})` : ''}`;
    });
    const events = await this.clients.core.listNamespacedEvent({ namespace });
    for (const event of events.items.filter((e) => e.type === 'Warning').slice(-5)) lines.push(`event ${event.reason}: ${event.message}`);
    return lines.length === 0 ? ' (no pod was created)' : `\n${lines.join('\n')}`;
  }

  /** An error when one of the cell's pods has been Unschedulable for too long (it does not fit the node). */
  private unschedulableError(state: CellState): Error | null {
    const stuck = [...state.pods.values()].find(
      (l) => l.deletedMs === null && l.unschedulable !== null && performance.now() - l.unschedulable.sinceMs > UNSCHEDULABLE_GRACE_MS,
    );
    return stuck === undefined ? null : new Error(`pod ${stuck.name} cannot be scheduled: ${stuck.unschedulable!.message}`);
  }

  private stateOf(handle: ServiceHandle): CellState {
    const key = `${handle.ids.namespace}/${handle.ids.deployment}`;
    const state = this.cells.get(key);
    if (state === undefined) throw new Error(`${handle.cellId} is not deployed by this target (${key})`);
    return state;
  }

  /** Ready pods of the cell, oldest first (the same pod answers every inspect of a window). */
  private async readyPods(state: CellState): Promise<V1Pod[]> {
    const list = await this.clients.core.listNamespacedPod({ namespace: state.namespace, labelSelector: state.selector });
    return list.items
      .filter((p) => p.metadata?.deletionTimestamp === undefined && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      .sort((a, b) => podStart(a) - podStart(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  }

  /** The pod's `/debug/runtime`, through the API server's pod proxy. */
  async fetchPodRuntime(namespace: string, pod: string): Promise<RuntimeSnapshot> {
    const body: unknown = await this.clients.core.connectGetNamespacedPodProxyWithPath({
      namespace,
      name: `${pod}:${CONTAINER_PORT}`,
      path: 'debug/runtime',
    });
    return (typeof body === 'string' ? JSON.parse(body) : body) as RuntimeSnapshot;
  }

  /** The kubelet's cAdvisor page of a node (cached for a second: several calls in one sampling tick share it). */
  private cadvisorText(node: string): Promise<string> {
    const now = performance.now();
    const cached = this.cadvisorCache.get(node);
    if (cached !== undefined && now - cached.atMs < CADVISOR_MIN_INTERVAL_MS) return cached.text;
    const text = this.clients.core.connectGetNodeProxyWithPath({ name: node, path: 'metrics/cadvisor' }).then((body: unknown) => {
      if (typeof body !== 'string') throw new Error(`cAdvisor metrics of node ${node} are not text`);
      return body;
    });
    text.catch(() => this.cadvisorCache.delete(node));
    this.cadvisorCache.set(node, { atMs: now, text });
    return text;
  }

  private async containerStats(state: CellState, pods: ReadonlyArray<{ name: string; node: string | null }>): Promise<CadvisorContainerStats[]> {
    const byNode = new Map<string, Set<string>>();
    for (const pod of pods) {
      if (pod.node === null) continue;
      const names = byNode.get(pod.node) ?? new Set<string>();
      names.add(pod.name);
      byNode.set(pod.node, names);
    }
    const perNode = await Promise.all(
      [...byNode].map(async ([node, names]) =>
        readContainerStats(await this.cadvisorText(node), { namespace: state.namespace, container: CONTAINER_NAME, pods: names }),
      ),
    );
    const stats = perNode.flat();
    if (!state.podLevelLogged && stats.some((s) => s.level === 'pod')) {
      state.podLevelLogged = true;
      this.log(
        `${state.cell.id}: cAdvisor does not name the container's cgroup on this node; CPU, CFS and memory figures are of the pod cgroup (container + pause)`,
      );
    }
    return stats;
  }

  async inspect(handle: ServiceHandle, signal: AbortSignal): Promise<{ runtime: RuntimeSnapshot; effective: EffectiveSettings }> {
    const state = this.stateOf(handle);
    const ready = await this.readyPods(state);
    const pod = ready[0];
    if (pod?.metadata?.name === undefined) throw new Error(`${handle.cellId}: no Ready pod to inspect in ${state.namespace}`);
    const runtime = await this.fetchPodRuntime(state.namespace, pod.metadata.name);
    // Every pod must run with the same settings (an HPA-added pod too); the oldest one is reported.
    for (const other of ready.slice(1)) {
      const name = other.metadata?.name;
      if (name === undefined) continue;
      const theirs = await this.fetchPodRuntime(state.namespace, name);
      const differs = (['gomaxprocs', 'gogc', 'gomemlimitBytes', 'gcVariant', 'godebug'] as const).filter((key) => theirs[key] !== runtime[key]);
      if (differs.length > 0) {
        throw new Error(
          `${handle.cellId}: pods ${pod.metadata.name} and ${name} run with different settings (${differs.map((k) => `${k} ${String(runtime[k])} vs ${String(theirs[k])}`).join(', ')})`,
        );
      }
    }
    // cAdvisor reports a new cgroup's spec at once and its first usage figures after its first
    // housekeeping (10–20 s on a kubelet). Wait for both, so that the sampler that follows has data;
    // after the deadline the limits alone will do.
    let stats: CadvisorContainerStats | undefined;
    const deadline = performance.now() + CADVISOR_FIRST_FIGURES_MS;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) await sleep(1000, undefined, { signal });
      this.cadvisorCache.delete(pod.spec?.nodeName ?? '');
      stats = (await this.containerStats(state, [{ name: pod.metadata.name, node: pod.spec?.nodeName ?? null }]))[0] ?? stats;
      if ((stats !== undefined && hasCpuFigures(stats)) || performance.now() > deadline) break;
    }
    return {
      runtime,
      effective: effectiveFromRuntime(runtime, stats?.cpuLimitCores ?? null, stats?.memLimitBytes ?? null),
    };
  }

  /**
   * Sum over the cell's running pods of the cAdvisor figures. `tMs` is when cAdvisor took the
   * measurement (its sample timestamp, on performance.now()'s clock), not when it was read: the
   * kubelet refreshes container stats only every few seconds, and rates must use the real interval.
   */
  async sample(handle: ServiceHandle, signal: AbortSignal): Promise<ContainerSample> {
    const state = this.stateOf(handle);
    const deadline = performance.now() + CADVISOR_FIRST_FIGURES_MS;
    let stats: Array<CadvisorContainerStats & { cpuUsageNs: number }> = [];
    for (let attempt = 0; stats.length === 0; attempt++) {
      if (attempt > 0) {
        if (performance.now() > deadline) throw new Error(`${handle.cellId}: cAdvisor has no CPU figures for the pods of ${state.namespace}/${state.name}`);
        await sleep(1000, undefined, { signal });
      }
      // The pod watch knows which pods run where: no API call per sample (the sampler calls often).
      const running = [...state.pods.values()].filter((l) => l.deletedMs === null && l.startedMs !== null);
      stats = (await this.containerStats(state, running)).filter(hasCpuFigures);
    }
    const sum = sumContainerStats(stats);
    const newest = Math.max(...stats.map((s) => s.timestampMs ?? Number.NEGATIVE_INFINITY));
    // cAdvisor's wall-clock time on the monotonic clock, through the fixed origin: the same page read
    // twice gives the same time (reading both clocks anew jitters by tens of µs, and time went backwards).
    const tMs = Number.isFinite(newest) ? newest - performance.timeOrigin : performance.now();
    return { tMs, ...sum };
  }

  async stop(handle: ServiceHandle, options: { signal: AbortSignal; graceSeconds: number }): Promise<{ exitCode: number | null; oomKilled: boolean }> {
    const state = this.stateOf(handle);
    if (state.hpa)
      await ignoreNotFound(() => this.clients.autoscaling.deleteNamespacedHorizontalPodAutoscaler({ namespace: state.namespace, name: state.name }));
    await this.clients.apps.patchNamespacedDeployment(
      { namespace: state.namespace, name: state.name, body: { spec: { replicas: 0 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const deadlineMs = (options.graceSeconds + 60) * 1000;
    await this.waitForPods(state, () => countPods(state.pods.values()).pods === 0, deadlineMs, options.signal, `the pods of ${state.name} to exit`);
    const lives = [...state.pods.values()];
    const last = lives.filter((l) => l.lastExit !== null).sort((a, b) => (b.deletedMs ?? 0) - (a.deletedMs ?? 0))[0];
    return { exitCode: last?.lastExit?.exitCode ?? null, oomKilled: lives.some((l) => l.oomKilledContainers.length > 0) };
  }

  async rollout(handle: ServiceHandle, signal: AbortSignal): Promise<void> {
    const state = this.stateOf(handle);
    const before = new Set([...state.pods.values()].filter((l) => l.deletedMs === null).map((l) => l.uid));
    state.rolloutGeneration++;
    const patched = await this.clients.apps.patchNamespacedDeployment(
      {
        namespace: state.namespace,
        name: state.name,
        body: { spec: { template: { metadata: { annotations: { [ROLLOUT_ANNOTATION]: String(state.rolloutGeneration) } } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const generation = patched.metadata?.generation ?? 0;
    const timeoutMs = 300_000;
    // A new pod the scheduler cannot place (no room for the surge pod) fails the rollout at once.
    const done = new AbortController();
    const stuck = this.waitForPods(
      state,
      () => this.unschedulableError(state) ?? false,
      timeoutMs,
      AbortSignal.any([done.signal, signal]),
      'an unschedulable pod',
    );
    stuck.catch(() => undefined);
    const rolled = waitForWatch({
      watch: this.clients.watch,
      path: `/apis/apps/v1/namespaces/${state.namespace}/deployments`,
      query: { fieldSelector: `metadata.name=${state.name}` },
      list: () => this.clients.apps.listNamespacedDeployment({ namespace: state.namespace, fieldSelector: `metadata.name=${state.name}` }),
      onList: (items) => (items[0] !== undefined && rolledOut(items[0], generation) ? true : undefined),
      onEvent: (_type, deployment) => (rolledOut(deployment, generation) ? true : undefined),
      signal,
      timeoutMs,
      describe: () => `deployment ${state.namespace}/${state.name} to roll out generation ${generation}`,
    });
    try {
      await Promise.race([rolled, stuck.then(() => rolled)]);
    } finally {
      done.abort();
    }
    // "Complete" counts replicas, not processes: the old pods may still be draining. Wait for them.
    await this.waitForPods(
      state,
      () => [...before].every((uid) => state.pods.get(uid)?.deletedMs !== null),
      timeoutMs,
      signal,
      `the old pods of ${state.name} to exit`,
    );
  }

  observe(handle: ServiceHandle, clockMs: () => number, signal: AbortSignal): TargetObserver {
    return new KubernetesObserver(this, this.stateOf(handle), clockMs, signal);
  }

  async teardown(handle: ServiceHandle): Promise<void> {
    const namespace = handle.ids.namespace;
    const name = handle.ids.deployment;
    if (namespace === undefined || name === undefined) return;
    await this.removeCell(`${namespace}/${name}`, true);
  }

  /**
   * Deletes the cell's objects and its pods (1 s grace: nothing is measured any more, and the next
   * cell must not share the node with draining pods); with `wait`, until the pods have exited. The
   * cell is forgotten even when the API server cannot be reached.
   */
  private async removeCell(key: string, wait: boolean): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const state = this.cells.get(key);
    try {
      await ignoreNotFound(() => this.clients.autoscaling.deleteNamespacedHorizontalPodAutoscaler({ namespace, name }));
      await ignoreNotFound(() => this.clients.core.deleteNamespacedService({ namespace, name }));
      await ignoreNotFound(() => this.clients.apps.deleteNamespacedDeployment({ namespace, name, propagationPolicy: 'Background' }));
      if (state === undefined) return;
      await ignoreNotFound(() => this.clients.core.deleteCollectionNamespacedPod({ namespace, labelSelector: state.selector, gracePeriodSeconds: 1 }));
      if (wait) {
        await this.waitForPods(state, () => countPods(state.pods.values()).pods === 0, 60_000, AbortSignal.timeout(65_000), `the pods of ${name} to go`).catch(
          (error: unknown) => this.log(`removing ${state.cell.id}: ${(error as Error).message}`),
        );
      }
    } finally {
      if (state !== undefined) {
        this.cells.delete(key);
        await state.podWatch.stop();
      }
    }
  }

  async cleanup(runId: string | null): Promise<number> {
    // From a fresh process (`bench doctor --cleanup`): only a cluster that exists is connected to.
    const provider = this.options.provider;
    if (provider !== undefined && !this.provisioned && !(await provider.exists().catch(() => false))) return 0;
    const selector = runId === null ? RUN_LABEL : `${RUN_LABEL}=${runLabelValue(runId)}`;
    for (const state of this.cells.values()) if (runId === null || state.namespace === namespaceName(runId)) await state.podWatch.stop();
    const list = await this.clients.core.listNamespace({ labelSelector: selector });
    const names = list.items.map((n) => n.metadata?.name).filter((n): n is string => n !== undefined);
    for (const name of names) {
      await ignoreNotFound(() => this.clients.core.deleteNamespace({ name, propagationPolicy: 'Background' }));
      this.namespaces.delete(name);
    }
    for (const key of [...this.cells.keys()]) if (names.some((n) => key.startsWith(`${n}/`))) this.cells.delete(key);
    if (names.length > 0) {
      const left = new Set<string>();
      await waitForWatch<V1Namespace, true>({
        watch: this.clients.watch,
        path: '/api/v1/namespaces',
        query: { labelSelector: selector },
        list: () => this.clients.core.listNamespace({ labelSelector: selector }),
        onList: (items) => {
          left.clear();
          for (const item of items) if (item.metadata?.name) left.add(item.metadata.name);
          return left.size === 0 ? true : undefined;
        },
        onEvent: (type, item) => {
          if (type === 'DELETED' && item.metadata?.name) left.delete(item.metadata.name);
          return left.size === 0 ? true : undefined;
        },
        signal: AbortSignal.timeout(200_000),
        timeoutMs: 180_000,
        describe: () => `namespace(s) ${names.join(', ')} to be deleted`,
      }).catch(async () => {
        // Timed out or the watch failed: say which are left (they finish terminating on their own).
        const remaining = await this.clients.core.listNamespace({ labelSelector: selector });
        if (remaining.items.length > 0) this.log(`namespaces still terminating: ${remaining.items.map((n) => n.metadata?.name).join(', ')}`);
      });
    }
    return names.length;
  }

  async dispose(): Promise<void> {
    for (const state of this.cells.values()) await state.podWatch.stop();
    // The provider knows what it made (also half of an interrupted create); release is idempotent.
    this.provisioned = false;
    await this.options.provider?.release();
  }

  /** @internal observer access */
  hpaPath(namespace: string): string {
    return `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`;
  }
}

function podStart(pod: V1Pod): number {
  const created = pod.metadata?.creationTimestamp as unknown;
  return created instanceof Date ? created.getTime() : typeof created === 'string' ? Date.parse(created) : 0;
}

function rolledOut(
  deployment: {
    metadata?: { generation?: number };
    spec?: { replicas?: number };
    status?: { observedGeneration?: number; updatedReplicas?: number; replicas?: number; availableReplicas?: number };
  },
  generation: number,
): boolean {
  const want = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  return (
    (status.observedGeneration ?? 0) >= generation &&
    (status.updatedReplicas ?? 0) === want &&
    (status.replicas ?? 0) === want &&
    (status.availableReplicas ?? 0) === want
  );
}

/** Shared with the Docker target (bench/targets/http.ts). */
export const waitForHttpReady = (url: string, timeoutMs: number, signal: AbortSignal) => waitForReady(url, timeoutMs, signal, 20);

/** The watches of one measured window: HPA status, Events, Pods (shared with the target), pod metrics. */
class KubernetesObserver implements TargetObserver {
  private readonly replicas: Array<{ tMs: number; replicas: number; current: number }> = [];
  private readonly events: ScalingEvent[] = [];
  private readonly seenEvents = new Set<string>();
  private readonly podSeries: Array<{ tMs: number; pods: number; ready: number }> = [];
  private readonly podMetrics: Array<{ tMs: number; cpuMillicores: number; memBytes: number; pods: number }> = [];
  private readonly notes = new Set<string>();
  private readonly watches: RunningWatch[] = [];
  private readonly stopper = new AbortController();
  private readonly startMs: number;
  /** performance.now() − clockMs(): converts the pod timelines' times to the run's clock. */
  private readonly offsetMs: number;
  private readonly metricsTimer: NodeJS.Timeout;
  private readonly podListener: () => void;
  private lastPods = '';
  /** The HPA's `spec.maxReplicas`, to flag a run that touched the cap. */
  private replicaCap: number | null = null;

  constructor(
    private readonly target: KubernetesTarget,
    private readonly state: CellState,
    private readonly clockMs: () => number,
    signal: AbortSignal,
  ) {
    this.startMs = clockMs();
    this.offsetMs = performance.now() - this.startMs;
    const stopped = AbortSignal.any([this.stopper.signal, signal]);
    const { namespace, name } = state;
    const { clients } = target;
    if (state.hpa) {
      this.watches.push(
        listAndWatch<V2HorizontalPodAutoscaler>({
          watch: clients.watch,
          path: target.hpaPath(namespace),
          query: { fieldSelector: `metadata.name=${name}` },
          list: () => clients.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace, fieldSelector: `metadata.name=${name}` }),
          onList: (items) => items.forEach((hpa) => this.onHpa(hpa)),
          onEvent: (_type, hpa) => this.onHpa(hpa),
          onError: (error) => this.notes.add(`HPA watch: ${apiMessage(error)} (re-listed)`),
          signal: stopped,
        }),
      );
    }
    let eventsListed = false;
    this.watches.push(
      listAndWatch<CoreV1Event>({
        watch: clients.watch,
        path: `/api/v1/namespaces/${namespace}/events`,
        list: () => clients.core.listNamespacedEvent({ namespace }),
        onList: (items) => {
          // Events from before the window are history: remember them so a re-list does not replay them.
          for (const event of items) {
            if (!eventsListed) this.seenEvents.add(eventKey(event));
            else this.onEvent(event);
          }
          eventsListed = true;
        },
        onEvent: (type, event) => {
          if (type !== 'DELETED') this.onEvent(event);
        },
        onError: (error) => this.notes.add(`event watch: ${apiMessage(error)} (re-listed)`),
        signal: stopped,
      }),
    );
    this.podListener = () => this.onPods();
    state.listeners.add(this.podListener);
    this.onPods();
    const samplePodMetrics = (): void => {
      clients.metrics.getPodMetrics(namespace).then(
        (list) => {
          const mine = list.items.filter((p) => [...state.pods.values()].some((l) => l.name === p.metadata.name));
          let cpu = 0;
          let mem = 0;
          for (const pod of mine) {
            for (const container of pod.containers) {
              cpu += parseCpuMillicores(container.usage.cpu);
              mem += parseBytes(container.usage.memory);
            }
          }
          this.podMetrics.push({ tMs: Math.round(this.clockMs()), cpuMillicores: cpu, memBytes: mem, pods: mine.length });
        },
        () => undefined,
      );
    };
    samplePodMetrics();
    this.metricsTimer = setInterval(samplePodMetrics, POD_METRICS_INTERVAL_MS);
  }

  private onHpa(hpa: V2HorizontalPodAutoscaler): void {
    this.replicaCap = hpa.spec?.maxReplicas ?? this.replicaCap;
    const current = hpa.status?.currentReplicas ?? 0;
    // Before its first sync the HPA reports desiredReplicas 0: no decision yet, so the replica count
    // in force is the current one (an HPA never scales below minReplicas ≥ 1).
    const desired = hpa.status?.desiredReplicas || current;
    if (desired === 0) return;
    const last = this.replicas[this.replicas.length - 1];
    if (last !== undefined && last.replicas === desired && last.current === current) return;
    this.replicas.push({ tMs: Math.round(this.clockMs()), replicas: desired, current });
  }

  private onEvent(event: CoreV1Event): void {
    const key = eventKey(event);
    const reason = event.reason ?? '';
    if (event.involvedObject?.kind !== 'HorizontalPodAutoscaler' || event.involvedObject.name !== this.state.name) return;
    if (reason !== hpaEventReasons.success && reason !== hpaEventReasons.failure) return;
    if (this.seenEvents.has(key)) return;
    this.seenEvents.add(key);
    const message = event.message ?? '';
    const toReplicas = reason === hpaEventReasons.success ? parseRescaleSize(message) : null;
    // Scaled from: the previous rescale's size, else the replicas running when the HPA decided: its status's
    // current count (the status may already show the new desired one by the time the event arrives), or,
    // when the event comes before any status, the Ready pods.
    const from =
      [...this.events].reverse().find((e) => e.toReplicas !== null)?.toReplicas ??
      (this.replicas[this.replicas.length - 1]?.current || this.podSeries[this.podSeries.length - 1]?.ready || null);
    this.events.push({ tMs: Math.round(this.clockMs()), reason, message, fromReplicas: toReplicas === null ? null : from, toReplicas });
  }

  private onPods(): void {
    const { pods, ready } = countPods(this.state.pods.values());
    const key = `${pods}/${ready}`;
    if (key === this.lastPods) return;
    this.lastPods = key;
    this.podSeries.push({ tMs: Math.round(this.clockMs()), pods, ready });
  }

  async stop(): Promise<Awaited<ReturnType<TargetObserver['stop']>>> {
    const endMs = this.clockMs();
    clearInterval(this.metricsTimer);
    this.state.listeners.delete(this.podListener);
    this.stopper.abort();
    await Promise.all(this.watches.map((w) => w.stop()));
    const metrics: Record<string, number> = {};
    const notes = [...this.notes];
    if (this.podMetrics.length === 0 && endMs - this.startMs > 2 * POD_METRICS_INTERVAL_MS) notes.push('the metrics API gave no pod metrics during the window');
    if (this.state.hpa) {
      if (this.replicas.length === 0) {
        notes.push('the HPA reported no status during the window (is metrics-server running?)');
      } else {
        const summary = summarizeHpaTimeline(this.replicas, this.events, { startMs: this.startMs, endMs });
        metrics.maxReplicas = summary.maxReplicas;
        metrics.replicaSeconds = summary.replicaSeconds;
        metrics.scaleEvents = summary.scaleEvents;
        metrics.flaps = summary.flaps;
        if (summary.timeToScaleUpMs !== null) metrics.timeToScaleUpMs = summary.timeToScaleUpMs;
        else notes.push(`the HPA did not scale up (replicas stayed at ${summary.initialReplicas})`);
        if (summary.failedRescales > 0) notes.push(`${summary.failedRescales} FailedRescale event(s)`);
        if (this.replicaCap !== null) {
          metrics.replicaCap = this.replicaCap;
          metrics.replicaCapReached = summary.maxReplicas >= this.replicaCap ? 1 : 0;
        }
      }
    }
    const lives = [...this.state.pods.values()];
    const inWindow = lives.filter((l) => !l.seenAtStart && l.createdMs - this.offsetMs >= this.startMs);
    const startup = summarizePodStartup(inWindow.length > 0 ? inWindow : lives);
    if (inWindow.length === 0 && startup.pods > 0)
      notes.push(`pod start-up figures are of the ${startup.pods} pod(s) the deploy created (no pod was created during the window)`);
    if (startup.podScheduledMs !== null) metrics.podScheduledMs = startup.podScheduledMs;
    if (startup.podStartedMs !== null) metrics.podStartedMs = startup.podStartedMs;
    if (startup.podReadyMs !== null) metrics.podReadyMs = startup.podReadyMs;
    metrics.oomKills = lives.reduce((sum, l) => sum + l.oomKilledContainers.length, 0);
    const restarts = lives.reduce((sum, l) => sum + l.restarts, 0);
    if (restarts > 0) notes.push(`${restarts} container restart(s) in the cell's pods`);
    const series: RepeatResult['series'] = {
      pods: this.podSeries.map((s) => ({ ...s })),
      podMetrics: this.podMetrics.map((s) => ({ ...s })),
    };
    if (this.state.hpa) {
      series.replicas = this.replicas.map((s) => ({ tMs: s.tMs, replicas: s.replicas, current: s.current }));
      // Close the curve at the window end, so a reader sees the replica count held until then.
      const last = this.replicas[this.replicas.length - 1];
      if (last !== undefined) series.replicas.push({ tMs: Math.round(endMs), replicas: last.replicas, current: last.current });
    }
    return { series, events: this.events.map((e) => ({ ...e })), metrics, notes };
  }
}

function eventKey(event: CoreV1Event): string {
  return `${event.metadata?.uid ?? event.metadata?.name}/${event.count ?? 1}/${event.series?.count ?? 0}`;
}

/** `250m` → 250, `1` → 1000, `1500000n` → 1.5. */
export function parseCpuMillicores(quantity: string): number {
  const match = /^([0-9.]+)([num]?)$/.exec(quantity);
  if (match === null) return Number.NaN;
  const value = Number(match[1]);
  switch (match[2]) {
    case 'n':
      return value / 1e6;
    case 'u':
      return value / 1e3;
    case 'm':
      return value;
    default:
      return value * 1000;
  }
}

const binarySuffixes: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const decimalSuffixes: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** `12345Ki` → bytes. */
export function parseBytes(quantity: string): number {
  const match = /^([0-9.]+)([KMGT]i|[kMGT])?$/.exec(quantity);
  if (match === null) return Number.NaN;
  const suffix = match[2];
  const factor = suffix === undefined ? 1 : (binarySuffixes[suffix] ?? decimalSuffixes[suffix] ?? Number.NaN);
  return Number(match[1]) * factor;
}

/** Creates the `kubernetes` target. */
export function createKubernetesTarget(options: KubernetesTargetOptions): KubernetesTarget {
  if (
    options.hostPort !== undefined &&
    options.hostPort !== null &&
    !(Number.isInteger(options.hostPort) && options.hostPort > 0 && options.hostPort < 65536)
  ) {
    throw usageError(`hostPort must be a TCP port (got ${options.hostPort})`);
  }
  if (
    options.nodePort !== undefined &&
    options.nodePort !== null &&
    !(Number.isInteger(options.nodePort) && options.nodePort >= 30000 && options.nodePort <= 32767)
  ) {
    throw usageError(`nodePort must be in the NodePort range 30000-32767 (got ${options.nodePort})`, "pick a port in the cluster's service-node-port-range");
  }
  return new KubernetesTarget(options);
}

export type { WatchEventType };
