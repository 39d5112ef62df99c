/**
 * Parser for the kubelet's cAdvisor metrics (`/metrics/cadvisor`, Prometheus text exposition format)
 * and the per-container figures the Kubernetes target reads from it: cumulative CPU, CFS periods and
 * throttling, memory, and the CPU quota / memory limit the container's cgroup really has. Pure.
 */
import type { ContainerSample } from './sample.js';

/** One sample of the exposition: `name{labels} value [timestampMs]`. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** The sample's own timestamp (ms since the epoch) when the exposition gives one. */
  timestampMs: number | null;
}

const LABEL = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function parseValue(text: string): number {
  switch (text) {
    case '+Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
    default:
      return Number(text);
  }
}

/**
 * Parses the text exposition format. Only samples whose name is in `names` are kept (the cAdvisor page
 * of a busy node is megabytes). Malformed lines throw with their line number: a silently short parse
 * would read as "no throttling".
 */
export function parsePrometheusText(text: string, names?: ReadonlySet<string>): PromSample[] {
  const samples: PromSample[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const nameEnd = line.search(/[{\s]/);
    const name = nameEnd === -1 ? line : line.slice(0, nameEnd);
    if (names !== undefined && !names.has(name)) continue;
    let rest = nameEnd === -1 ? '' : line.slice(nameEnd);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      let position = 1;
      while (position < rest.length && rest[position] !== '}') {
        LABEL.lastIndex = position;
        const match = LABEL.exec(rest);
        if (match === null) throw new Error(`cAdvisor metrics line ${index + 1}: bad label set: ${line.slice(0, 200)}`);
        labels[match[1]!] = unescapeLabel(match[2]!);
        position = LABEL.lastIndex;
      }
      if (rest[position] !== '}') throw new Error(`cAdvisor metrics line ${index + 1}: unterminated label set: ${line.slice(0, 200)}`);
      rest = rest.slice(position + 1);
    }
    const fields = rest.trim().split(/\s+/);
    const value = parseValue(fields[0] ?? '');
    if (fields[0] === undefined || fields[0] === '' || (Number.isNaN(value) && fields[0] !== 'NaN')) {
      throw new Error(`cAdvisor metrics line ${index + 1}: bad value: ${line.slice(0, 200)}`);
    }
    const timestampMs = fields[1] === undefined ? null : Number(fields[1]);
    samples.push({ name, labels, value, timestampMs: timestampMs !== null && Number.isFinite(timestampMs) ? timestampMs : null });
  }
  return samples;
}

/** The cAdvisor series the harness reads. */
export const cadvisorMetricNames = {
  cpuUsage: 'container_cpu_usage_seconds_total',
  cfsPeriods: 'container_cpu_cfs_periods_total',
  cfsThrottledPeriods: 'container_cpu_cfs_throttled_periods_total',
  cfsThrottledSeconds: 'container_cpu_cfs_throttled_seconds_total',
  memWorkingSet: 'container_memory_working_set_bytes',
  memUsage: 'container_memory_usage_bytes',
  memMaxUsage: 'container_memory_max_usage_bytes',
  cpuQuota: 'container_spec_cpu_quota',
  cpuPeriod: 'container_spec_cpu_period',
  memLimit: 'container_spec_memory_limit_bytes',
  startTime: 'container_start_time_seconds',
} as const;

const wanted = new Set<string>(Object.values(cadvisorMetricNames));

/** The cAdvisor figures of one container of one pod. Counters are cumulative since the container started. */
export interface CadvisorContainerStats {
  namespace: string;
  pod: string;
  container: string;
  /**
   * `container`: the container's own cgroup. `pod`: the pod's cgroup (the container plus the pause
   * container, which uses next to nothing), used when cAdvisor cannot name the container's cgroup —
   * as when the kubelet's runtime is a containerd cAdvisor does not know (the local cluster).
   */
  level: 'container' | 'pod';
  /** `null` until cAdvisor's first housekeeping of a new cgroup (up to ~15 s); the spec figures come first. */
  cpuUsageNs: number | null;
  nrPeriods: number | null;
  nrThrottled: number | null;
  throttledTimeNs: number | null;
  memWorkingSetBytes: number;
  memUsageBytes: number;
  memPeakBytes: number | null;
  /** CPU limit of the container's cgroup, cores (quota / period), `null` when unlimited. */
  cpuLimitCores: number | null;
  /** Memory limit of the container's cgroup, bytes, `null` when unlimited (cAdvisor reports 0 then). */
  memLimitBytes: number | null;
  /** Newest sample timestamp among the series read (ms since the epoch), when given. */
  timestampMs: number | null;
}

/**
 * Per-container figures for the containers of `namespace` named `container`, one entry per pod.
 * cAdvisor also reports the pod's sandbox (`container="POD"`), the pod cgroup (`container=""`) and,
 * after a restart, the dead container under its old id; the running container (the series with the
 * newest start) is taken, per pod. A pod whose container cAdvisor does not label falls back to the
 * pod cgroup (`level: 'pod'`).
 */
export function readContainerStats(text: string, select: { namespace: string; container: string; pods?: ReadonlySet<string> }): CadvisorContainerStats[] {
  const byPod = new Map<string, { container: Map<string, PromSample[]>; pod: PromSample[] }>();
  for (const sample of parsePrometheusText(text, wanted)) {
    const { namespace, pod, container } = sample.labels;
    if (namespace !== select.namespace || pod === undefined || pod === '') continue;
    if (select.pods !== undefined && !select.pods.has(pod)) continue;
    let entry = byPod.get(pod);
    if (entry === undefined) byPod.set(pod, (entry = { container: new Map(), pod: [] }));
    if (container === select.container) {
      const id = sample.labels.id ?? '';
      const list = entry.container.get(id) ?? [];
      list.push(sample);
      entry.container.set(id, list);
    } else if (container === '' || container === undefined) {
      entry.pod.push(sample);
    }
  }
  const out: CadvisorContainerStats[] = [];
  for (const [pod, entry] of [...byPod].sort(([a], [b]) => a.localeCompare(b))) {
    // Several ids per pod: a restarted container. The newest start is the running one.
    const lists = [...entry.container.values()];
    const level = lists.length > 0 ? 'container' : 'pod';
    const newest = lists.length > 0 ? lists.reduce((best, list) => (startedAt(list) > startedAt(best) ? list : best)) : entry.pod;
    const value = (name: string): number | null => newest.find((s) => s.name === name)?.value ?? null;
    const cpu = value(cadvisorMetricNames.cpuUsage);
    const quota = value(cadvisorMetricNames.cpuQuota);
    const period = value(cadvisorMetricNames.cpuPeriod);
    const memLimit = value(cadvisorMetricNames.memLimit);
    const throttledSeconds = value(cadvisorMetricNames.cfsThrottledSeconds);
    const workingSet = value(cadvisorMetricNames.memWorkingSet) ?? 0;
    out.push({
      namespace: select.namespace,
      pod,
      container: select.container,
      level,
      cpuUsageNs: cpu === null ? null : Math.round(cpu * 1e9),
      nrPeriods: value(cadvisorMetricNames.cfsPeriods),
      nrThrottled: value(cadvisorMetricNames.cfsThrottledPeriods),
      throttledTimeNs: throttledSeconds === null ? null : Math.round(throttledSeconds * 1e9),
      memWorkingSetBytes: workingSet,
      memUsageBytes: value(cadvisorMetricNames.memUsage) ?? workingSet,
      memPeakBytes: value(cadvisorMetricNames.memMaxUsage),
      cpuLimitCores: quota !== null && period !== null && quota > 0 && period > 0 ? quota / period : null,
      // cgroup v1 reports "no limit" as a huge number (page-rounded max int64), v2 as 0.
      memLimitBytes: memLimit !== null && memLimit > 0 && memLimit < 2 ** 62 ? memLimit : null,
      timestampMs: newestTimestamp(newest) === Number.NEGATIVE_INFINITY ? null : newestTimestamp(newest),
    });
  }
  return out;
}

/** When the container of a series set started: its start time, else its newest sample. */
function startedAt(samples: readonly PromSample[]): number {
  return samples.find((s) => s.name === cadvisorMetricNames.startTime)?.value ?? newestTimestamp(samples) / 1000;
}

function newestTimestamp(samples: readonly PromSample[]): number {
  return samples.reduce((max, s) => Math.max(max, s.timestampMs ?? Number.NEGATIVE_INFINITY), Number.NEGATIVE_INFINITY);
}

export type CadvisorCpuStats = CadvisorContainerStats & { cpuUsageNs: number };

/** Whether cAdvisor has CPU figures for the entry yet. */
export function hasCpuFigures(stats: CadvisorContainerStats): stats is CadvisorCpuStats {
  return stats.cpuUsageNs !== null;
}

/**
 * Sum of several containers' figures: the service's total over its pods. Pass only entries with CPU
 * figures (`cpuUsageNs !== null`); CFS counters are null if any pod lacks them.
 */
export function sumContainerStats(stats: readonly CadvisorCpuStats[]): Omit<ContainerSample, 'tMs'> {
  const sumOrNull = (pick: (s: CadvisorContainerStats) => number | null): number | null =>
    stats.length === 0 || stats.some((s) => pick(s) === null) ? null : stats.reduce((sum, s) => sum + (pick(s) ?? 0), 0);
  return {
    cpuUsageNs: stats.reduce((sum, s) => sum + s.cpuUsageNs, 0),
    nrPeriods: sumOrNull((s) => s.nrPeriods),
    nrThrottled: sumOrNull((s) => s.nrThrottled),
    throttledTimeNs: sumOrNull((s) => s.throttledTimeNs),
    memUsageBytes: stats.reduce((sum, s) => sum + s.memWorkingSetBytes, 0),
    memPeakBytes: sumOrNull((s) => s.memPeakBytes),
  };
}
