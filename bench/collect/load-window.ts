/**
 * What a steady-load repeat measured, from the pieces the load procedure gathered: the generator's
 * result, the container samples, the runtime snapshots at the window's edges and how the service ended.
 * Pure, so that a service that died mid-window can be tested without killing one.
 */
import type { LoadProfile } from '../../scenarios/index.js';
import { judgeLoad, successfulRequests, type LoadResult } from '../load/index.js';
import { gcCpuInflatedByThrottling, GC_CPU_THROTTLED_SHARE_LIMIT, type EffectiveSettings, type Outcome, type RuntimeWindow } from '../results/index.js';
import type { ContainerSample } from './sample.js';
import { containerWindowCounters, cpuMsPer1k, deriveContainerMetrics, deriveRuntimeMetrics, podsForRate, runtimeCounters } from './derive.js';
import type { RuntimeSnapshot } from './runtime-snapshot.js';

/** How the service ended: from the target's `stop`, with the time of a death on the load's clock. */
export interface ServiceEnd {
  exitCode: number | null;
  oomKilled: boolean;
  /** The service had exited on its own before the stop (Docker: the container was no longer running). */
  exitedOnItsOwn: boolean;
  /** When it exited, ms after the load started; null when unknown. */
  atMs: number | null;
}

export interface LoadWindowInput {
  settings: { cpuLimit: number | null; cpuRequest: number | null };
  profile: LoadProfile;
  load: Omit<LoadResult, 'series'>;
  samples: readonly ContainerSample[];
  /** Measured window on the samples' clock (warm-up excluded). */
  windowStartMs: number;
  windowEndMs: number;
  startRuntime: RuntimeSnapshot | null;
  endRuntime: RuntimeSnapshot | null;
  effective: EffectiveSettings;
  end: ServiceEnd;
}

export interface LoadWindowSummary {
  outcome: Outcome;
  metrics: Record<string, number>;
  runtimeWindow: RuntimeWindow;
  notes: string[];
}

/** Latency and rate figures of a load result; throughput counts successful (2xx) responses only. */
export function loadResultMetrics(load: Omit<LoadResult, 'series'>): Record<string, number> {
  const total = load.requests;
  const ok = successfulRequests(load);
  const failed = total - ok;
  const out: Record<string, number> = {
    throughputRps: total === 0 ? 0 : load.achievedRps * (ok / total),
    errorRate: total === 0 ? 0 : failed / total,
    failedRequests: failed,
  };
  // Latency of a window without one successful answer describes refused connections, not the service.
  if (ok > 0) {
    out.latencyP50Ms = load.latency.p50Ms;
    out.latencyP90Ms = load.latency.p90Ms;
    out.latencyP99Ms = load.latency.p99Ms;
    out.latencyP999Ms = load.latency.p999Ms;
  }
  return out;
}

function deathOutcome(end: ServiceEnd): Extract<Outcome, { state: 'died' }> {
  return { state: 'died', cause: end.oomKilled ? 'oom' : 'exit', exitCode: end.exitCode, atMs: end.atMs === null ? null : Math.round(end.atMs) };
}

/** Outcome, metrics, raw counters and notes of one steady-load window. */
export function summariseLoadWindow(input: LoadWindowInput): LoadWindowSummary {
  const { load, samples, windowStartMs, windowEndMs, startRuntime, endRuntime, effective, end } = input;
  const windowMs = windowEndMs - windowStartMs;
  const notes: string[] = [];
  const runtimeWindow: RuntimeWindow = {
    windowMs,
    gomaxprocs: effective.gomaxprocs,
    start: startRuntime === null ? null : runtimeCounters(startRuntime),
    end: endRuntime === null ? null : runtimeCounters(endRuntime),
    cgroup: containerWindowCounters(samples, windowStartMs, windowEndMs),
  };
  const metrics: Record<string, number> = { oomKills: end.oomKilled ? 1 : 0 };

  // A new process at the window's end (Kubernetes restarts a container that died) is a death too.
  const restarted = startRuntime !== null && endRuntime !== null && (startRuntime.pid !== endRuntime.pid || startRuntime.startTime !== endRuntime.startTime);
  if (end.oomKilled || end.exitedOnItsOwn || restarted) {
    // A dead service has no latency, throughput or GC figure worth a median: record what happened.
    const outcome = deathOutcome(end);
    const when = outcome.atMs === null ? '' : ` ${(outcome.atMs / 1000).toFixed(1)} s after the load started`;
    const what =
      outcome.cause === 'oom'
        ? 'the kernel OOM-killed the service'
        : restarted && !end.exitedOnItsOwn
          ? 'the service restarted during the window'
          : 'the service exited on its own';
    notes.push(`${what}${when} (exit code ${outcome.exitCode ?? 'unknown'}); ` + `${successfulRequests(load)} of ${load.requests} requests succeeded`);
    const { errorRate, failedRequests } = loadResultMetrics(load);
    Object.assign(metrics, deriveContainerMetrics(samples, windowStartMs, windowEndMs, input.settings.cpuLimit), { errorRate, failedRequests });
    return { outcome, metrics, runtimeWindow, notes };
  }

  Object.assign(metrics, loadResultMetrics(load), deriveContainerMetrics(samples, windowStartMs, windowEndMs, input.settings.cpuLimit));
  if (startRuntime !== null && endRuntime !== null) {
    Object.assign(metrics, deriveRuntimeMetrics(startRuntime, endRuntime, windowMs / 1000, input.settings.cpuLimit));
  } else {
    metrics.gomaxprocs = effective.gomaxprocs;
    metrics.gogcPercent = effective.gogc;
    notes.push('Go runtime metrics of the window are missing: the service did not answer /debug/runtime at the window edges');
  }
  if (metrics.cpuCores !== undefined) {
    const cost = cpuMsPer1k(metrics.cpuCores, windowMs, successfulRequests(load));
    if (cost !== undefined) metrics.cpuMsPer1k = cost;
    const request = input.settings.cpuRequest ?? input.settings.cpuLimit;
    if (request !== null) {
      const pods = podsForRate(metrics.cpuCores, metrics.throughputRps ?? 0, request);
      if (Number.isFinite(pods)) metrics.podsModel = pods;
    }
  }
  if (gcCpuInflatedByThrottling(metrics)) {
    notes.push(
      `GC CPU inflated by throttling: ${((metrics.throttledPeriodRatio ?? 0) * 100).toFixed(1)}% of CFS periods were throttled (above ${GC_CPU_THROTTLED_SHARE_LIMIT * 100}%), ` +
        'and the runtime counts throttled time as CPU its Ps used; judge cost by cpuMsPer1k',
    );
  }
  const validity = judgeLoad({ ...load, series: [] }, input.profile);
  const outcome: Outcome = validity.valid ? { state: 'completed' } : { state: 'invalid', reason: validity.reason };
  return { outcome, metrics, runtimeWindow, notes };
}
