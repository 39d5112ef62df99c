/**
 * The vocabulary of scalar metrics a repeat can carry. Statistics, claims and reporters refer to
 * metrics by these names only. Pure data.
 */
export interface MetricInfo {
  label: string;
  unit: 'ms' | 'rps' | 'ratio' | 'cores' | 'bytes' | 'count' | 'threads' | 'pods' | 'replica-s';
  /** Which direction is an improvement; `none` for descriptive metrics (GOMAXPROCS). */
  better: 'lower' | 'higher' | 'none';
}

export const metrics = {
  throughputRps: { label: 'throughput', unit: 'rps', better: 'higher' },
  latencyP50Ms: { label: 'per-repeat P50 latency', unit: 'ms', better: 'lower' },
  latencyP90Ms: { label: 'per-repeat P90 latency', unit: 'ms', better: 'lower' },
  latencyP99Ms: { label: 'per-repeat P99 latency', unit: 'ms', better: 'lower' },
  latencyP999Ms: { label: 'per-repeat P99.9 latency', unit: 'ms', better: 'lower' },
  errorRate: { label: 'error rate', unit: 'ratio', better: 'lower' },
  failedRequests: { label: 'failed requests', unit: 'count', better: 'lower' },
  cpuCores: { label: 'container CPU', unit: 'cores', better: 'lower' },
  cpuOfLimit: { label: 'CPU used / limit', unit: 'ratio', better: 'none' },
  throttledPeriodRatio: { label: 'throttled periods', unit: 'ratio', better: 'lower' },
  throttledMsPerSec: { label: 'throttled time per second', unit: 'ms', better: 'lower' },
  memPeakBytes: { label: 'peak memory', unit: 'bytes', better: 'lower' },
  memAvgBytes: { label: 'average memory', unit: 'bytes', better: 'lower' },
  /** GC CPU (idle mark workers included) / CPU the Go runtime counted as used; runtime estimates. */
  gcCpuShare: { label: 'GC CPU share', unit: 'ratio', better: 'lower' },
  /** As `gcCpuShare` with idle-priority mark work (which only runs on otherwise idle Ps) left out of both sides. */
  gcCpuShareNoIdle: { label: 'GC CPU share (no idle marking)', unit: 'ratio', better: 'lower' },
  /** Container (cgroup) CPU time in the window per 1000 successful requests: the cost figure. */
  cpuMsPer1k: { label: 'CPU per 1000 requests', unit: 'ms', better: 'lower' },
  gcCpuOfLimit: { label: 'GC CPU / limit', unit: 'ratio', better: 'lower' },
  gcCycles: { label: 'GC cycles', unit: 'count', better: 'none' },
  gcPauseP99Ms: { label: 'GC pause P99', unit: 'ms', better: 'lower' },
  heapLiveBytes: { label: 'live heap', unit: 'bytes', better: 'lower' },
  gomaxprocs: { label: 'GOMAXPROCS', unit: 'threads', better: 'none' },
  gogcPercent: { label: 'GOGC in effect', unit: 'count', better: 'none' },
  startupMs: { label: 'container start → ready', unit: 'ms', better: 'lower' },
  processReadyMs: { label: 'process start → ready', unit: 'ms', better: 'lower' },
  processCreatedReadyMs: { label: 'process created → ready (incl. container set-up)', unit: 'ms', better: 'lower' },
  inFlightAtStop: { label: 'requests in flight at SIGTERM', unit: 'count', better: 'none' },
  requestsExposed: { label: 'requests exposed to the shutdown', unit: 'count', better: 'none' },
  sentAfterSigterm: { label: 'requests sent after SIGTERM', unit: 'count', better: 'none' },
  idleRssBytes: { label: 'idle RSS', unit: 'bytes', better: 'lower' },
  imageBytes: { label: 'image size', unit: 'bytes', better: 'lower' },
  binaryBytes: { label: 'binary size', unit: 'bytes', better: 'lower' },
  oomKills: { label: 'OOM kills', unit: 'count', better: 'lower' },
  podsModel: { label: 'pods (capacity model)', unit: 'pods', better: 'lower' },
  maxReplicas: { label: 'max replicas', unit: 'pods', better: 'lower' },
  replicaCap: { label: 'HPA maxReplicas', unit: 'pods', better: 'none' },
  replicaCapReached: { label: 'replicas reached maxReplicas', unit: 'count', better: 'none' },
  replicaSeconds: { label: 'replica-seconds', unit: 'replica-s', better: 'lower' },
  scaleEvents: { label: 'scaling events', unit: 'count', better: 'lower' },
  flaps: { label: 'direction changes', unit: 'count', better: 'lower' },
  timeToScaleUpMs: { label: 'time to scale up', unit: 'ms', better: 'lower' },
  podScheduledMs: { label: 'created → scheduled', unit: 'ms', better: 'lower' },
  podStartedMs: { label: 'created → started', unit: 'ms', better: 'lower' },
  podReadyMs: { label: 'created → Ready', unit: 'ms', better: 'lower' },
} as const satisfies Record<string, MetricInfo>;

export type MetricName = keyof typeof metrics;

/**
 * Share of CFS periods throttled above which a window's runtime GC CPU figures (`gcCpuShare`,
 * `gcCpuShareNoIdle`, `gcCpuOfLimit`) are flagged as inflated: the runtime estimates its CPU classes
 * as GOMAXPROCS × wall time, so time spent throttled counts as if the Ps were running.
 */
export const GC_CPU_THROTTLED_SHARE_LIMIT = 0.02;

/** Whether a repeat's GC CPU figures come from a window throttled beyond `GC_CPU_THROTTLED_SHARE_LIMIT`. */
export function gcCpuInflatedByThrottling(metrics: Readonly<Record<string, number>>): boolean {
  const share = metrics.throttledPeriodRatio;
  return metrics.gcCpuShare !== undefined && share !== undefined && share > GC_CPU_THROTTLED_SHARE_LIMIT;
}

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(metrics, name);
}
