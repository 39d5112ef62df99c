/**
 * Microsecond latency histograms (HDR): one recorder per run, encoded into the run record so repeats
 * can be merged later (P99 across repeats from the merged histogram, not an average of P99s).
 */
import type * as hdr from 'hdr-histogram-js';
import type { LoadProfile } from '../../scenarios/index.js';
import type { LatencySummary, LoadProgress, LoadResult } from './types.js';

// The format itself lives with the analysis that merges it; the generators record into it.
import { encodeHistogram } from '../stats/index.js';
export { createLatencyHistogram, decodeHistogram, encodeHistogram } from '../stats/index.js';

/** Percentiles of a µs histogram, in ms. An empty histogram gives zeros. */
export function summarizeHistogram(histogram: hdr.Histogram): LatencySummary {
  if (histogram.totalCount === 0) return { p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0, meanMs: 0 };
  const ms = (us: number) => us / 1000;
  return {
    p50Ms: ms(histogram.getValueAtPercentile(50)),
    p90Ms: ms(histogram.getValueAtPercentile(90)),
    p99Ms: ms(histogram.getValueAtPercentile(99)),
    p999Ms: ms(histogram.getValueAtPercentile(99.9)),
    maxMs: ms(histogram.maxValue),
    meanMs: ms(histogram.mean),
  };
}

/** Records a latency given in fractional milliseconds, at microsecond resolution. */
export function recordMs(histogram: hdr.Histogram, latencyMs: number): void {
  histogram.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
}

/** Nearest-rank percentile of an ascending array (0 when empty). */
export function percentileOfSorted(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] as number;
}

/** Requests of one second of a run: count, errors, latencies (ms). */
export interface SecondBucket {
  n: number;
  errors: number;
  lat: number[];
}

/**
 * Progress at `elapsedMs` of a closed-model run: the rate and P99 of the last full second (whose bucket
 * is numbered from the end of the warm-up).
 */
export function progressOfLastSecond(perSecond: ReadonlyMap<number, SecondBucket>, elapsedMs: number, warmupMs: number, totalMs: number): LoadProgress {
  const current = perSecond.get(Math.floor((elapsedMs - warmupMs) / 1000) - 1);
  const lat = (current?.lat ?? []).slice().sort((a, b) => a - b);
  return { elapsedMs, totalMs, rps: current?.n ?? 0, p99Ms: percentileOfSorted(lat, 0.99), phase: elapsedMs < warmupMs ? 'warmup' : 'measure' };
}

/** Per-second buckets → the LoadResult time series (seconds before the window are dropped). */
export function seriesFromBuckets(perSecond: ReadonlyMap<number, SecondBucket>): Array<{ tMs: number; rps: number; p99Ms: number; errors: number }> {
  return [...perSecond.entries()]
    .filter(([second]) => second >= 0)
    .sort(([a], [b]) => a - b)
    .map(([second, b]) => ({
      tMs: second * 1000,
      rps: b.n,
      errors: b.errors,
      p99Ms: percentileOfSorted(
        [...b.lat].sort((x, y) => x - y),
        0.99,
      ),
    }));
}

/** What a closed-model run counted, at its end: the LoadResult over the measured window (after the warm-up). */
export function closedModelResult(
  generator: string,
  run: {
    requests: number;
    errors: LoadResult['errors'];
    histogram: hdr.Histogram;
    perSecond: ReadonlyMap<number, SecondBucket>;
    /** `performance.now()` and `process.cpuUsage()` at the start. */
    t0: number;
    cpuStart: NodeJS.CpuUsage;
    profile: Extract<LoadProfile, { model: 'closed' }>;
  },
): LoadResult {
  const cpu = process.cpuUsage(run.cpuStart);
  const wallMs = performance.now() - run.t0;
  const measuredMs = Math.max(1, Math.min(run.profile.durationMs, wallMs - run.profile.warmupMs));
  return {
    generator,
    requests: run.requests,
    achievedRps: run.requests / (measuredMs / 1000),
    targetRps: null,
    durationMs: measuredMs,
    latency: summarizeHistogram(run.histogram),
    histogramUs: encodeHistogram(run.histogram),
    fromIntendedStart: false,
    errors: run.errors,
    dropped: 0,
    generatorCpu: (cpu.user + cpu.system) / 1000 / wallMs,
    series: seriesFromBuckets(run.perSecond),
  };
}
