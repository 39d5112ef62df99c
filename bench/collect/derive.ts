/**
 * Scalar metrics of a measured window, derived from container samples and from two runtime snapshots
 * (window start and end). Pure.
 */
import type { ContainerSample } from './sample.js';
import type { RuntimeWindow } from '../results/index.js';
import { runtimeMetricNames as m, type RuntimeSnapshot } from './runtime-snapshot.js';

/** Container metrics over the samples inside [startMs, endMs] (monotonic clock). */
export function deriveContainerMetrics(samples: readonly ContainerSample[], startMs: number, endMs: number, cpuLimit: number | null): Record<string, number> {
  const window = samples.filter((s) => s.tMs >= startMs && s.tMs <= endMs);
  const first = window[0];
  const last = window[window.length - 1];
  if (first === undefined || last === undefined || last.tMs <= first.tMs) return {};
  const seconds = (last.tMs - first.tMs) / 1000;
  const out: Record<string, number> = {};
  out.cpuCores = (last.cpuUsageNs - first.cpuUsageNs) / 1e9 / seconds;
  if (cpuLimit !== null) out.cpuOfLimit = out.cpuCores / cpuLimit;
  if (first.nrPeriods !== null && last.nrPeriods !== null && first.nrThrottled !== null && last.nrThrottled !== null) {
    const periods = last.nrPeriods - first.nrPeriods;
    out.throttledPeriodRatio = periods > 0 ? (last.nrThrottled - first.nrThrottled) / periods : 0;
  }
  if (first.throttledTimeNs !== null && last.throttledTimeNs !== null) {
    out.throttledMsPerSec = (last.throttledTimeNs - first.throttledTimeNs) / 1e6 / seconds;
  }
  out.memAvgBytes = window.reduce((sum, s) => sum + s.memUsageBytes, 0) / window.length;
  // The highest sample inside the window, not the cgroup's high-water mark (`memory.max_usage_in_bytes`,
  // `memory.peak`): that one covers the container's whole life, start-up and warm-up included.
  out.memPeakBytes = Math.max(...window.map((s) => s.memUsageBytes));
  return out;
}

/** The cgroup counters at the first and last sample inside [startMs, endMs], for the record. */
export function containerWindowCounters(samples: readonly ContainerSample[], startMs: number, endMs: number): RuntimeWindow['cgroup'] {
  const window = samples.filter((s) => s.tMs >= startMs && s.tMs <= endMs);
  const first = window[0];
  const last = window[window.length - 1];
  if (first === undefined || last === undefined || last.tMs <= first.tMs) return null;
  const pair = (a: number | null, b: number | null): [number, number] | null => (a === null || b === null ? null : [a, b]);
  return {
    spanMs: last.tMs - first.tMs,
    cpuUsageNs: [first.cpuUsageNs, last.cpuUsageNs],
    nrPeriods: pair(first.nrPeriods, last.nrPeriods),
    nrThrottled: pair(first.nrThrottled, last.nrThrottled),
  };
}

/** The runtime/metrics counters the GC figures are derived from (`/cpu/classes/*`, `/gc/*`), by name. */
export function runtimeCounters(snapshot: RuntimeSnapshot): Record<string, number> {
  return Object.fromEntries(Object.entries(snapshot.metrics).filter(([name]) => name.startsWith('/cpu/classes/') || name.startsWith('/gc/')));
}

/**
 * Container CPU per 1000 successful requests, ms: `cpuCores × windowMs / successful × 1000`. The
 * cgroup's own CPU time, so CFS throttling does not inflate it the way it inflates the runtime's
 * estimates. Undefined without a successful request.
 */
export function cpuMsPer1k(cpuCores: number, windowMs: number, successfulRequests: number): number | undefined {
  if (successfulRequests <= 0 || windowMs <= 0) return undefined;
  return ((cpuCores * windowMs) / successfulRequests) * 1000;
}

const delta = (a: RuntimeSnapshot, b: RuntimeSnapshot, name: string) => (b.metrics[name] ?? 0) - (a.metrics[name] ?? 0);

/**
 * Go runtime metrics over a window, from runtime/metrics (estimates: GOMAXPROCS × wall time, split by
 * class). Used CPU = total − idle. `gcCpuShare` = GC CPU / used CPU, idle-priority mark work included;
 * `gcCpuShareNoIdle` leaves that work (which only runs on otherwise idle Ps) out of both sides.
 * `gcCpuOfLimit` uses GC CPU without idle marking.
 */
export function deriveRuntimeMetrics(start: RuntimeSnapshot, end: RuntimeSnapshot, windowSeconds: number, cpuLimit: number | null): Record<string, number> {
  const gcTotal = delta(start, end, m.gcCpu);
  const idleMark = delta(start, end, m.gcIdleMarkCpu);
  const gcCpu = gcTotal - idleMark;
  const usedCpu = delta(start, end, m.totalCpu) - delta(start, end, m.idleCpu);
  const out: Record<string, number> = {
    gomaxprocs: end.gomaxprocs,
    gogcPercent: end.gogc,
    gcCycles: delta(start, end, m.gcCycles),
    gcPauseP99Ms: end.gcPauses.p99Seconds * 1000,
    heapLiveBytes: end.metrics[m.heapLive] ?? 0,
  };
  if (usedCpu > 0) out.gcCpuShare = gcTotal / usedCpu;
  if (usedCpu - idleMark > 0) out.gcCpuShareNoIdle = gcCpu / (usedCpu - idleMark);
  if (cpuLimit !== null && windowSeconds > 0) out.gcCpuOfLimit = gcCpu / (windowSeconds * cpuLimit);
  return out;
}

/**
 * Capacity model for pods on a target without an autoscaler: pods needed to serve a reference rate at
 * a target CPU utilisation of the request, from the CPU one request costs.
 * `pods = ceil(rate × cpuPerRequest / (request × target))` (CLAIMS.md, hpa-pods).
 */
export const capacityModel = {
  /** Requests per second the modelled fleet serves. */
  referenceRps: 5000,
  /** HPA target utilisation of the CPU request. */
  targetUtilisation: 0.7,
} as const;

export function podsForRate(cpuCoresUsed: number, achievedRps: number, requestCores: number, model = capacityModel): number {
  if (achievedRps <= 0 || requestCores <= 0) return Number.NaN;
  const cpuPerRequest = cpuCoresUsed / achievedRps;
  return Math.ceil((model.referenceRps * cpuPerRequest) / (requestCores * model.targetUtilisation));
}
