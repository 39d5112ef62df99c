import type { LoadProfile } from '../../scenarios/index.js';

/** What to request: a path with query string on the service under test. */
export interface LoadRequest {
  /** e.g. `/work?cpu=200` */
  path: string;
}

/** Errors by kind, counted over the measured window. */
export interface LoadErrors {
  /** Responses with a status outside 2xx. */
  non2xx: number;
  timeouts: number;
  /** Connection resets, refused connections and other socket errors. */
  connection: number;
}

/** Latency summary in milliseconds (fractional), from the microsecond histogram. */
export interface LatencySummary {
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
}

/**
 * The one result type every load generator produces for the measured window (warm-up excluded).
 */
export interface LoadResult {
  generator: string;
  /** Requests completed (any status) in the measured window. */
  requests: number;
  /** Requests completed per second over the measured window. */
  achievedRps: number;
  /** Target rate for open-model runs; `null` for closed model. */
  targetRps: number | null;
  durationMs: number;
  latency: LatencySummary;
  /**
   * Latency histogram, microseconds, HDR histogram compressed and base64-encoded
   * (`hdr-histogram-js` `encodeIntoCompressedBase64`); mergeable across repeats. `null` when the
   * generator only gives percentiles (k6).
   */
  histogramUs: string | null;
  /** Whether latency is measured from the intended send time (open model, coordinated omission corrected). */
  fromIntendedStart: boolean;
  errors: LoadErrors;
  /** Requests the generator could not start on time (k6 `dropped_iterations`, our open-model backlog). */
  dropped: number;
  /** CPU used by the generator process over the window, as a fraction of one core. */
  generatorCpu: number | null;
  /**
   * Open model: how late requests left against their intended send time over the measured window
   * (a late generator under-loads the service and hides latency); `null`/absent for closed-model runs.
   */
  /**
   * Actual − intended send time over the measured window; `sends` counted, `lateSends` of them later
   * than the dispatch-lag limit at their arrival's rate (validity.ts). Older records lack the counts.
   */
  dispatchLagMs?: { p50Ms: number; p99Ms: number; maxMs: number; sends?: number; lateSends?: number } | null;
  /** Per-second time series during the run (rate and P99 of that second). */
  series: Array<{ tMs: number; rps: number; p99Ms: number; errors: number }>;
}

/** Progress updates while a run goes on (every second or so). */
export interface LoadProgress {
  elapsedMs: number;
  totalMs: number;
  rps: number;
  p99Ms: number;
  phase: 'warmup' | 'measure';
}

export interface LoadRunOptions {
  signal: AbortSignal;
  onProgress?: (progress: LoadProgress) => void;
}

/** A load generator: drives `profile` at `baseUrl + request.path` and measures it. */
export interface LoadGenerator {
  readonly name: string;
  /** Why it cannot run on this machine (missing binary…), or `null` when it can. */
  unavailableReason(): Promise<string | null>;
  run(baseUrl: string, request: LoadRequest, profile: LoadProfile, options: LoadRunOptions): Promise<LoadResult>;
}
