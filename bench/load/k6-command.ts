/**
 * The command line and environment of one k6 run, as a pure function of the load profile, so what k6 is
 * asked to do can be read and unit-tested. The script (scenarios/k6/load.ts) turns these variables into
 * k6 scenarios; nothing rewrites its text.
 *
 * Load models: closed → `constant-vus` (one VU per connection), open → `constant-arrival-rate`,
 * stages → `ramping-arrival-rate`; a warm-up runs first as its own scenario whose samples are excluded.
 */
import type { LoadProfile, RateStage } from '../../scenarios/index.js';
import type { LoadRequest } from './types.js';

/** Environment variables the k6 script reads. */
export const k6EnvNames = [
  'BENCH_EXECUTOR',
  'BENCH_BASE_URL',
  'BENCH_PATH',
  'BENCH_DURATION_MS',
  'BENCH_WARMUP_MS',
  'BENCH_TIMEOUT_MS',
  'BENCH_SUMMARY_PATH',
  'BENCH_VUS',
  'BENCH_RATE',
  'BENCH_START_RATE',
  'BENCH_WARMUP_RATE',
  'BENCH_TIME_UNIT',
  'BENCH_PRE_ALLOCATED_VUS',
  'BENCH_MAX_VUS',
  'BENCH_STAGES',
  'BENCH_P99_LIMIT_MS',
] as const;
export type K6EnvName = (typeof k6EnvNames)[number];

export type K6Executor = 'constant-vus' | 'constant-arrival-rate' | 'ramping-arrival-rate';

/** A k6 version, as printed by `k6 version`. */
export interface K6Version {
  major: number;
  minor: number;
  patch: number;
}

/** Parses `k6 v1.2.3 (go1.24.1, linux/amd64)` (and the older `k6 v0.49.0 (2024-01-…, …)`). */
export function parseK6Version(text: string): K6Version | null {
  const match = /\bk6\s+v?(\d+)\.(\d+)\.(\d+)/.exec(text) ?? /\bv(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!match) return null;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

export function formatK6Version(version: K6Version): string {
  return `v${version.major}.${version.minor}.${version.patch}`;
}

function atLeast(version: K6Version, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

/**
 * How this k6 runs a `.ts` script: natively from v0.57 (TypeScript on by default), with
 * `--compatibility-mode=experimental_enhanced` from v0.52 to v0.56, not at all before v0.52.
 */
export function typeScriptSupport(version: K6Version): { flags: string[] } | { unsupported: string } {
  if (atLeast(version, 0, 57)) return { flags: [] };
  if (atLeast(version, 0, 52)) return { flags: ['--compatibility-mode=experimental_enhanced'] };
  return {
    unsupported: `k6 ${formatK6Version(version)} cannot run TypeScript scripts (k6 v0.52 added experimental support, v0.57 made it the default); upgrade k6`,
  };
}

/**
 * An integer rate per time unit for a rate in requests/s: k6's `rate` is an integer, so 12.5/s becomes
 * 125 per 10 s (k6 spaces the starts evenly either way). Rates finer than 1/1000 s⁻¹ are rounded.
 */
export function scaleRates(ratesPerSec: readonly number[]): { rates: number[]; timeUnitSec: number } {
  for (const timeUnitSec of [1, 10, 100, 1000]) {
    if (ratesPerSec.every((r) => Math.abs(r * timeUnitSec - Math.round(r * timeUnitSec)) < 1e-9)) {
      return { rates: ratesPerSec.map((r) => Math.round(r * timeUnitSec)), timeUnitSec };
    }
  }
  return { rates: ratesPerSec.map((r) => Math.round(r * 1000)), timeUnitSec: 1000 };
}

/**
 * VUs for an arrival-rate scenario. By Little's law a rate R with latency L keeps R·L requests in flight;
 * twice that is pre-allocated (k6 initialises extra VUs mid-test slowly and drops iterations meanwhile),
 * never fewer than 2, and never more than the profile's connection cap, which is `maxVUs`. When the cap
 * is too small for the real latency k6 drops iterations and the run is judged invalid, not hidden.
 */
export function sizeArrivalRateVUs(peakRatePerSec: number, expectedLatencyMs: number, connections: number): { preAllocatedVUs: number; maxVUs: number } {
  const inFlight = (peakRatePerSec * expectedLatencyMs) / 1000;
  const preAllocatedVUs = Math.min(connections, Math.max(2, Math.ceil(2 * inFlight)));
  return { preAllocatedVUs, maxVUs: Math.max(preAllocatedVUs, connections) };
}

/**
 * Latency to size VUs for: the caller's expectation, raised to the workload's own sleep when the request
 * asks the service to sleep (`sleep_ms=200` cannot answer faster than 200 ms).
 */
export function expectedLatencyFor(request: LoadRequest, defaultMs: number): number {
  const sleep = /[?&]sleep_ms=(\d+(?:\.\d+)?)/.exec(request.path);
  return Math.max(defaultMs, sleep ? Number(sleep[1]) + defaultMs : 0);
}

/** Measured window of a profile, ms (warm-up excluded). */
export function measuredDurationMs(profile: LoadProfile): number {
  return profile.model === 'stages' ? profile.stages.reduce((sum: number, s: RateStage) => sum + s.durationMs, 0) : profile.durationMs;
}

export interface K6CommandInput {
  /** The k6 binary (absolute path or a name on PATH). */
  binary: string;
  version: K6Version;
  scriptPath: string;
  summaryPath: string;
  baseUrl: string;
  request: LoadRequest;
  profile: LoadProfile;
  /** Latency the VU pool is sized for, ms. @default 20 */
  expectedLatencyMs?: number;
  /** Per-request timeout, ms (the same 10 s as the other generators). @default 10000 */
  requestTimeoutMs?: number;
  /** Optional k6 threshold on the measured P99, ms; k6 exits 99 when it is crossed. */
  p99LimitMs?: number;
}

export interface K6Command {
  command: string;
  args: string[];
  /** Variables for the script (and k6's own switches); the caller adds them to the inherited environment. */
  env: Partial<Record<K6EnvName, string>> & { K6_NO_USAGE_REPORT: 'true' };
  executor: K6Executor;
  /** The rate k6 will really try to hold over the measured window (after integer scaling), or null. */
  targetRps: number | null;
  measuredDurationMs: number;
}

/** Builds the k6 invocation for one run. Pure. */
export function createK6Command(input: K6CommandInput): K6Command {
  const support = typeScriptSupport(input.version);
  if ('unsupported' in support) throw new Error(support.unsupported);
  const { profile } = input;
  const requestTimeoutMs = input.requestTimeoutMs ?? 10_000;
  const durationMs = measuredDurationMs(profile);
  const env: K6Command['env'] = {
    // k6 reports usage to Grafana by default; a benchmark run on loopback has no business calling out.
    K6_NO_USAGE_REPORT: 'true',
    BENCH_BASE_URL: input.baseUrl,
    BENCH_PATH: input.request.path,
    BENCH_DURATION_MS: String(durationMs),
    BENCH_WARMUP_MS: String(profile.warmupMs),
    BENCH_TIMEOUT_MS: String(requestTimeoutMs),
    BENCH_SUMMARY_PATH: input.summaryPath,
  };
  if (input.p99LimitMs !== undefined) env.BENCH_P99_LIMIT_MS = String(input.p99LimitMs);

  let executor: K6Executor;
  let targetRps: number | null;
  if (profile.model === 'closed') {
    executor = 'constant-vus';
    targetRps = null;
    env.BENCH_VUS = String(profile.connections);
  } else {
    const stageRates = profile.model === 'open' ? [profile.ratePerSec] : profile.stages.map((s) => s.ratePerSec);
    const { rates, timeUnitSec } = scaleRates(stageRates);
    const latencyMs = expectedLatencyFor(input.request, input.expectedLatencyMs ?? 20);
    const vus = sizeArrivalRateVUs(Math.max(...stageRates), latencyMs, profile.connections);
    env.BENCH_TIME_UNIT = `${timeUnitSec}s`;
    env.BENCH_PRE_ALLOCATED_VUS = String(vus.preAllocatedVUs);
    env.BENCH_MAX_VUS = String(vus.maxVUs);
    // The warm-up holds the first rate, as the autocannon open-model driver does (open-model.ts rateAt).
    env.BENCH_WARMUP_RATE = String(rates[0] ?? 0);
    if (profile.model === 'open') {
      executor = 'constant-arrival-rate';
      env.BENCH_RATE = String(rates[0] ?? 0);
      targetRps = (rates[0] ?? 0) / timeUnitSec;
    } else {
      executor = 'ramping-arrival-rate';
      // RateStage: "target rate at the end of the stage, linear ramp from the previous stage's rate",
      // which is exactly what ramping-arrival-rate's stages mean; the ramp starts at the first rate.
      env.BENCH_START_RATE = String(rates[0] ?? 0);
      env.BENCH_STAGES = JSON.stringify(profile.stages.map((s, i) => ({ duration: `${s.durationMs}ms`, target: rates[i] ?? 0 })));
      let expected = 0;
      let previous = rates[0] ?? 0;
      profile.stages.forEach((s, i) => {
        const rate = rates[i] ?? 0;
        expected += (((previous + rate) / 2) * s.durationMs) / 1000;
        previous = rate;
      });
      targetRps = expected / timeUnitSec / (durationMs / 1000);
    }
  }
  env.BENCH_EXECUTOR = executor;
  return {
    command: input.binary,
    // --quiet: no progress bar on stdout; the script's handleSummary writes the JSON summary file.
    args: ['run', '--quiet', '--no-color', ...support.flags, input.scriptPath],
    env,
    executor,
    targetRps,
    measuredDurationMs: durationMs,
  };
}
