/**
 * Scalar metrics of a measured window, derived from container samples and from two runtime snapshots
 * (window start and end). Pure.
 */
import type { ContainerSample } from '../targets/types.js';
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
  out.memPeakBytes = Math.max(...window.map((s) => s.memUsageBytes), ...window.map((s) => s.memPeakBytes ?? 0));
  return out;
}

const delta = (a: RuntimeSnapshot, b: RuntimeSnapshot, name: string) => (b.metrics[name] ?? 0) - (a.metrics[name] ?? 0);

/**
 * Go runtime metrics over a window. GC CPU share = GC CPU (minus idle-priority mark work, which only
 * uses otherwise idle Ps) / CPU the process used (total minus idle), both from runtime/metrics.
 */
export function deriveRuntimeMetrics(start: RuntimeSnapshot, end: RuntimeSnapshot, windowSeconds: number, cpuLimit: number | null): Record<string, number> {
  const gcCpu = delta(start, end, m.gcCpu) - delta(start, end, m.gcIdleMarkCpu);
  const usedCpu = delta(start, end, m.totalCpu) - delta(start, end, m.idleCpu);
  const out: Record<string, number> = {
    gomaxprocs: end.gomaxprocs,
    gogcPercent: end.gogc,
    gcCycles: delta(start, end, m.gcCycles),
    gcPauseP99Ms: end.gcPauses.p99Seconds * 1000,
    heapLiveBytes: end.metrics[m.heapLive] ?? 0,
  };
  if (usedCpu > 0) out.gcCpuShare = gcCpu / usedCpu;
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
