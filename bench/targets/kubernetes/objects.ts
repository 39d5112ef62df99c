/**
 * The Kubernetes objects of one cell, built as typed `@kubernetes/client-node` models from the cell's
 * settings: Namespace (one per run), Deployment, Service (NodePort) and HorizontalPodAutoscaler
 * (autoscaling/v2). Pure: no client, no I/O, so every object is unit-tested as a snapshot.
 */
import { createHash } from 'node:crypto';
import type { V1ObjectMeta, V1Deployment, V1EnvVar, V1Namespace, V1ResourceRequirements, V1Service, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { Cell, CellSettings } from '../../../scenarios/index.js';
import { usageError } from '../../errors.js';

/** Label every object of a run carries; `cleanup(null)` deletes every namespace that has it. */
export const RUN_LABEL = 'bench.run-id';
/** Label that selects the pods of one cell (a hash of the cell id: cell ids are not label values). */
export const CELL_LABEL = 'bench.cell';
export const APP_LABEL = 'app.kubernetes.io/name';
export const APP_NAME = 'refsvc';
export const CONTAINER_NAME = 'refsvc';
/** The reference service listens here (infra/refsvc). */
export const CONTAINER_PORT = 8080;
/** The uid the reference service image runs as. */
export const SERVICE_UID = 65532;
/** Annotation changed by `rollout()` to roll the pods. */
export const ROLLOUT_ANNOTATION = 'bench.rollout-generation';

/** How the HorizontalPodAutoscaler of a cell is shaped. Defaults are in `defaultHpaOptions`. */
export interface HpaOptions {
  /** @default 1 */
  minReplicas: number;
  /**
   * Above what the HPA scenario's load needs (about 3 pods at its peak), so the cap cannot hide a
   * difference between variants; a repeat that reaches it is recorded invalid.
   * @default 8
   */
  maxReplicas: number;
  /** Target average CPU utilisation, percent of the pods' CPU *request*. @default 50 */
  targetCpuUtilizationPercent: number;
  /**
   * Scale-down stabilization window, seconds; `null` leaves it to Kubernetes (300 s). The default is
   * shorter than the HPA scenario's low phases, so a scale-down (and so a direction change) can
   * happen within them: with 300 s, flaps were 0 by construction.
   * @default 60
   */
  scaleDownStabilizationSeconds: number | null;
}

export const defaultHpaOptions: HpaOptions = {
  minReplicas: 1,
  maxReplicas: 8,
  targetCpuUtilizationPercent: 50,
  scaleDownStabilizationSeconds: 60,
};

/**
 * The HPA `behavior` written out in full: Kubernetes' defaults (scale up at once by 100% or 4 pods per
 * 15 s, whichever is more; scale down by up to 100% per 15 s) with the scale-down stabilization window
 * of the options, so the object says what the run used.
 */
export function hpaBehavior(scaleDownStabilizationSeconds: number): NonNullable<NonNullable<V2HorizontalPodAutoscaler['spec']>['behavior']> {
  return {
    scaleUp: {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Percent', value: 100, periodSeconds: 15 },
        { type: 'Pods', value: 4, periodSeconds: 15 },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: scaleDownStabilizationSeconds,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    },
  };
}

/** Everything besides the cell that shapes the objects. */
export interface CellObjectOptions {
  runId: string;
  /** Image reference as the nodes know it. */
  image: string;
  /** `Never` when images are loaded into the nodes (local cluster, kind), `IfNotPresent` for a registry. */
  imagePullPolicy: 'Never' | 'IfNotPresent' | 'Always';
  /** Fixed NodePort (kind's `extraPortMappings` point at it); `null` lets the API server pick one. */
  nodePort: number | null;
  /** Whether to create a HorizontalPodAutoscaler (HPA scenarios). */
  hpa: HpaOptions | null;
  /**
   * Graceful shutdown timeout the service gets (`SHUTDOWN_TIMEOUT_MS`): the document's `Shutdown(30 s)`.
   * @default 30000
   */
  shutdownTimeoutMs?: number;
}

const DNS_LABEL_MAX = 63;

function toDnsLabel(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `bench-<runId>`, made a valid DNS label (lowercase, at most 63 characters). */
export function namespaceName(runId: string): string {
  const label = toDnsLabel(runId);
  if (label === '')
    throw usageError(`run id ${JSON.stringify(runId)} has no character usable in a namespace name`, 'use letters, digits and dashes in the run id');
  return `bench-${label}`.slice(0, DNS_LABEL_MAX).replace(/-+$/, '');
}

/** The run id as a label value (63 characters of `[A-Za-z0-9_.-]`, alphanumeric at both ends). */
export function runLabelValue(runId: string): string {
  const value = runId
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .slice(0, DNS_LABEL_MAX)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  if (value === '')
    throw usageError(`run id ${JSON.stringify(runId)} has no character usable in a label value`, 'use letters, digits and dashes in the run id');
  return value;
}

/** Short stable hash of a cell id: object names and the cell label. */
export function cellKey(cellId: string): string {
  return createHash('sha256').update(cellId).digest('hex').slice(0, 10);
}

/** Name of the cell's Deployment, Service and HPA. */
export function objectName(cellId: string): string {
  return `${APP_NAME}-${cellKey(cellId)}`;
}

export function cellSelector(cellId: string): Record<string, string> {
  return { [APP_LABEL]: APP_NAME, [CELL_LABEL]: cellKey(cellId) };
}

/** `k=v,k=v` label selector string for list and watch calls. */
export function formatSelector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

export function buildNamespace(runId: string): V1Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: namespaceName(runId),
      labels: { [RUN_LABEL]: runLabelValue(runId), 'app.kubernetes.io/managed-by': 'bench' },
      annotations: { 'bench.run-id': runId },
    },
  };
}

/** `0.5` cores → `500m`. Millicores, because Kubernetes rounds CPU quantities to 1m anyway. */
export function formatCpu(cores: number): string {
  return `${Math.round(cores * 1000)}m`;
}

/** MiB → `<n>Mi` (fractions to whole KiB). */
export function formatMemory(mib: number): string {
  return Number.isInteger(mib) ? `${mib}Mi` : `${Math.round(mib * 1024)}Ki`;
}

/** Requests and limits from the matrix. The memory request equals the limit, so memory is never overcommitted. */
export function buildResources(settings: CellSettings): V1ResourceRequirements {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  const cpuRequest = settings.cpuRequest ?? settings.cpuLimit;
  if (cpuRequest !== null) requests.cpu = formatCpu(cpuRequest);
  if (settings.cpuLimit !== null) limits.cpu = formatCpu(settings.cpuLimit);
  if (settings.memLimitMiB !== null) {
    requests.memory = formatMemory(settings.memLimitMiB);
    limits.memory = formatMemory(settings.memLimitMiB);
  }
  if (settings.cpuLimit !== null && cpuRequest !== null && cpuRequest > settings.cpuLimit) {
    throw usageError(`cpuRequest ${cpuRequest} is above cpuLimit ${settings.cpuLimit}`, 'set cpuRequest ≤ cpuLimit (or leave it null to use the limit)');
  }
  return {
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
}

const MIB = 1024 * 1024;

/** Seconds of the preStop sleep the cell asks for (its drain delay), 0 for none. */
export function preStopSeconds(settings: CellSettings): number {
  return settings.drainMs > 0 ? Math.ceil(settings.drainMs / 1000) : 0;
}

/**
 * Environment of the service container. GOMEMLIMIT: bytes as given; `100%` as a `resourceFieldRef`
 * to `limits.memory` (what the document does); any other percentage as bytes of the memory limit.
 * On Kubernetes the drain delay is the preStop sleep (before SIGTERM), so the service's own
 * `DRAIN_MS` is 0.
 */
export function buildEnv(settings: CellSettings, shutdownTimeoutMs: number): V1EnvVar[] {
  const env: V1EnvVar[] = [
    { name: 'ADDR', value: `:${CONTAINER_PORT}` },
    { name: 'LIVE_HEAP_MB', value: String(settings.liveHeapMiB) },
    { name: 'GRACEFUL', value: String(settings.graceful) },
    { name: 'DRAIN_MS', value: '0' },
    { name: 'SHUTDOWN_TIMEOUT_MS', value: String(shutdownTimeoutMs) },
  ];
  if (settings.gogc !== 'unset') env.push({ name: 'GOGC', value: String(settings.gogc) });
  const limit = settings.gomemlimit;
  if (typeof limit === 'number') {
    env.push({ name: 'GOMEMLIMIT', value: String(limit) });
  } else if (limit !== 'unset') {
    const percent = Number(limit.slice(0, -1));
    if (settings.memLimitMiB === null) {
      throw usageError(`gomemlimit '${limit}' needs a memory limit (memLimitMiB is null)`, 'set matrix.memLimitMiB, or give gomemlimit in bytes');
    }
    if (!(percent > 0 && percent <= 100)) {
      throw usageError(`gomemlimit '${limit}' must be a percentage in (0, 100]`, "use e.g. '90%'");
    }
    if (percent === 100) {
      env.push({ name: 'GOMEMLIMIT', valueFrom: { resourceFieldRef: { containerName: CONTAINER_NAME, resource: 'limits.memory' } } });
    } else {
      env.push({ name: 'GOMEMLIMIT', value: String(Math.floor((settings.memLimitMiB * MIB * percent) / 100)) });
    }
  }
  if (settings.maxprocs === 'legacy') env.push({ name: 'GODEBUG', value: 'containermaxprocs=0' });
  const unaware = typeof settings.maxprocs === 'string' ? /^unaware\((\d+)\)$/.exec(settings.maxprocs) : null;
  if (typeof settings.maxprocs === 'number') env.push({ name: 'GOMAXPROCS', value: String(settings.maxprocs) });
  else if (unaware?.[1] !== undefined) env.push({ name: 'GOMAXPROCS', value: unaware[1] });
  return env;
}

/**
 * `terminationGracePeriodSeconds`: preStop sleep + the service's shutdown timeout + 5 s of slack, so
 * the kubelet never SIGKILLs a graceful shutdown that is still within its own timeout.
 */
export function terminationGraceSeconds(settings: CellSettings, shutdownTimeoutMs: number): number {
  const shutdown = settings.graceful ? Math.ceil(shutdownTimeoutMs / 1000) : 0;
  return preStopSeconds(settings) + shutdown + 5;
}

export function buildDeployment(cell: Cell, options: CellObjectOptions): V1Deployment {
  const settings = cell.settings;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 30_000;
  const labels = { ...cellSelector(cell.id), [RUN_LABEL]: runLabelValue(options.runId) };
  const preStop = preStopSeconds(settings);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: cellMetadata(cell, options.runId),
    spec: {
      replicas: options.hpa?.minReplicas ?? 1,
      revisionHistoryLimit: 2,
      progressDeadlineSeconds: 300,
      selector: { matchLabels: cellSelector(cell.id) },
      // One new pod before an old one goes: a rollout never lowers capacity, so failed requests in
      // the rollout scenario come from the shutdown path, not from missing pods.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels, annotations: { 'bench.cell-id': cell.id, [ROLLOUT_ANNOTATION]: '0' } },
        spec: {
          enableServiceLinks: false,
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: terminationGraceSeconds(settings, shutdownTimeoutMs),
          securityContext: { runAsNonRoot: true, runAsUser: SERVICE_UID, runAsGroup: SERVICE_UID },
          containers: [
            {
              name: CONTAINER_NAME,
              image: options.image,
              imagePullPolicy: options.imagePullPolicy,
              ports: [{ name: 'http', containerPort: CONTAINER_PORT, protocol: 'TCP' }],
              env: buildEnv(settings, shutdownTimeoutMs),
              resources: buildResources(settings),
              readinessProbe: {
                httpGet: { path: '/ready', port: 'http' },
                periodSeconds: 1,
                timeoutSeconds: 1,
                successThreshold: 1,
                failureThreshold: 3,
              },
              // Generous: a CPU-throttled pod under load must not be restarted by its own probe.
              livenessProbe: {
                httpGet: { path: '/health', port: 'http' },
                periodSeconds: 5,
                timeoutSeconds: 3,
                failureThreshold: 6,
              },
              ...(preStop > 0 ? { lifecycle: { preStop: { sleep: { seconds: preStop } } } } : {}),
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
        },
      },
    },
  };
}

/** Name, namespace, labels and annotation shared by every object of a cell. */
function cellMetadata(cell: Cell, runId: string): V1ObjectMeta {
  return {
    name: objectName(cell.id),
    namespace: namespaceName(runId),
    labels: { ...cellSelector(cell.id), [RUN_LABEL]: runLabelValue(runId) },
    annotations: { 'bench.cell-id': cell.id },
  };
}

export function buildService(cell: Cell, options: CellObjectOptions): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: cellMetadata(cell, options.runId),
    spec: {
      type: 'NodePort',
      selector: cellSelector(cell.id),
      ports: [
        {
          name: 'http',
          port: CONTAINER_PORT,
          targetPort: 'http',
          protocol: 'TCP',
          ...(options.nodePort === null ? {} : { nodePort: options.nodePort }),
        },
      ],
    },
  };
}

/** The cell's HPA on CPU utilisation of the request. Throws a usage error when the cell has no CPU request. */
export function buildHorizontalPodAutoscaler(cell: Cell, options: CellObjectOptions & { hpa: HpaOptions }): V2HorizontalPodAutoscaler {
  const { hpa } = options;
  if ((cell.settings.cpuRequest ?? cell.settings.cpuLimit) === null) {
    throw usageError(
      `${cell.id}: an HPA needs a CPU request (cpuRequest and cpuLimit are both null)`,
      'set matrix.cpuRequest or matrix.cpuLimit: HPA utilisation is relative to the request',
    );
  }
  if (!(hpa.minReplicas >= 1 && hpa.maxReplicas >= hpa.minReplicas)) {
    throw usageError(`hpa.maxReplicas (${hpa.maxReplicas}) must be ≥ hpa.minReplicas (${hpa.minReplicas}) ≥ 1`);
  }
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: cellMetadata(cell, options.runId),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: objectName(cell.id) },
      minReplicas: hpa.minReplicas,
      maxReplicas: hpa.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: hpa.targetCpuUtilizationPercent } },
        },
      ],
      ...(hpa.scaleDownStabilizationSeconds === null ? {} : { behavior: hpaBehavior(hpa.scaleDownStabilizationSeconds) }),
    },
  };
}

/** All objects of a cell, in creation order (the HPA only when asked). */
export function buildCellObjects(
  cell: Cell,
  options: CellObjectOptions,
): {
  deployment: V1Deployment;
  service: V1Service;
  hpa: V2HorizontalPodAutoscaler | null;
} {
  return {
    deployment: buildDeployment(cell, options),
    service: buildService(cell, options),
    hpa: options.hpa === null ? null : buildHorizontalPodAutoscaler(cell, { ...options, hpa: options.hpa }),
  };
}
