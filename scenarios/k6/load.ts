/**
 * The k6 script behind `K6LoadGenerator` (bench/load/k6.ts). k6 ≥ v0.57 runs it as TypeScript directly
 * (it strips the types with esbuild); `tsc -p scenarios/k6/tsconfig.json` checks them against @types/k6.
 *
 * Everything that varies comes in through environment variables set by the harness
 * (`createK6Command` in bench/load/k6-command.ts builds them; its test checks that every name it sets is
 * read here). The script text is never rewritten.
 *
 * Warm-up: two scenarios, `warmup` then `measure` (started at the end of the warm-up). k6 tags every
 * sample, `dropped_iterations` included, with the name of the scenario that produced it, and a threshold on
 * a tag-filtered sub-metric (`http_req_duration{scenario:measure}`) makes the end-of-test summary carry
 * that sub-metric. The harness reads only those measured-only sub-metrics, so warm-up samples never reach
 * a result. (A custom `phase` tag would not do: k6 does not put scenario `tags` on `dropped_iterations`.)
 */
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import type { Options, Scenario } from 'k6/options';

function required(name: string): string {
  const value = __ENV[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set: this script is driven by the bench harness (bench/load/k6.ts), which sets it`);
  }
  return value;
}

function integer(name: string): number {
  const value = Number(required(name));
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer (got ${__ENV[name]})`);
  return value;
}

const executor = required('BENCH_EXECUTOR');
const target = required('BENCH_BASE_URL').replace(/\/$/, '') + required('BENCH_PATH');
const durationMs = integer('BENCH_DURATION_MS');
const warmupMs = integer('BENCH_WARMUP_MS');
const requestTimeoutMs = integer('BENCH_TIMEOUT_MS');
const summaryPath = required('BENCH_SUMMARY_PATH');
/** Optional pass/fail criterion: P99 of the measured window below this many ms (k6 exits 99 otherwise). */
const p99LimitMs = __ENV['BENCH_P99_LIMIT_MS'];

const gracefulStop = `${requestTimeoutMs}ms`;

interface RateStageEnv {
  duration: string;
  target: number;
}

function parseStages(text: string): RateStageEnv[] {
  const stages: unknown = JSON.parse(text);
  if (!Array.isArray(stages) || stages.length === 0) throw new Error('BENCH_STAGES must be a non-empty JSON array');
  return stages.map((stage: unknown, i: number) => {
    const s = stage as Partial<RateStageEnv>;
    if (typeof s.duration !== 'string' || typeof s.target !== 'number' || !Number.isInteger(s.target)) {
      throw new Error(`BENCH_STAGES[${i}] must be {"duration": "<ms>ms", "target": <integer>}`);
    }
    return { duration: s.duration, target: s.target };
  });
}

/** The measured scenario, and the warm-up scenario that precedes it (same load, samples excluded). */
function createScenarios(): Record<string, Scenario> {
  const measureStart = `${warmupMs}ms`;
  const scenarios: Record<string, Scenario> = {};
  if (executor === 'constant-vus') {
    const vus = integer('BENCH_VUS');
    if (warmupMs > 0) scenarios['warmup'] = { executor, vus, duration: `${warmupMs}ms`, gracefulStop };
    scenarios['measure'] = { executor, vus, duration: `${durationMs}ms`, startTime: measureStart, gracefulStop };
    return scenarios;
  }
  const timeUnit = required('BENCH_TIME_UNIT');
  const preAllocatedVUs = integer('BENCH_PRE_ALLOCATED_VUS');
  const maxVUs = integer('BENCH_MAX_VUS');
  const warmupRate = integer('BENCH_WARMUP_RATE');
  if (warmupMs > 0 && warmupRate > 0) {
    scenarios['warmup'] = {
      executor: 'constant-arrival-rate',
      rate: warmupRate,
      timeUnit,
      duration: `${warmupMs}ms`,
      preAllocatedVUs,
      maxVUs,
      gracefulStop,
    };
  }
  if (executor === 'constant-arrival-rate') {
    scenarios['measure'] = {
      executor,
      rate: integer('BENCH_RATE'),
      timeUnit,
      duration: `${durationMs}ms`,
      preAllocatedVUs,
      maxVUs,
      startTime: measureStart,
      gracefulStop,
    };
    return scenarios;
  }
  if (executor === 'ramping-arrival-rate') {
    scenarios['measure'] = {
      executor,
      startRate: integer('BENCH_START_RATE'),
      timeUnit,
      stages: parseStages(required('BENCH_STAGES')),
      preAllocatedVUs,
      maxVUs,
      startTime: measureStart,
      gracefulStop,
    };
    return scenarios;
  }
  throw new Error(`BENCH_EXECUTOR must be constant-vus, constant-arrival-rate or ramping-arrival-rate (got ${executor})`);
}

const measured = (metric: string): string => `${metric}{scenario:measure}`;

export const options: Options = {
  scenarios: createScenarios(),
  // p(99) and p(99.9) are what the harness reports; k6's default trend stats stop at p(95).
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(99)', 'p(99.9)', 'count'],
  // The service's answer is not used; discarding it keeps k6's own CPU down, as autocannon does.
  discardResponseBodies: true,
  // These thresholds exist to make the summary carry the measured-only sub-metrics (k6 lists a tagged
  // sub-metric only when a threshold names it). Apart from the optional P99 limit they always hold; the
  // harness, not k6, decides whether a run is valid.
  thresholds: {
    [measured('http_req_duration')]: p99LimitMs === undefined || p99LimitMs === '' ? ['max>=0'] : [`p(99)<${Number(p99LimitMs)}`],
    [measured('http_reqs')]: ['count>=0'],
    [measured('http_req_failed')]: ['rate>=0'],
    [measured('iterations')]: ['count>=0'],
    [measured('dropped_iterations')]: ['count>=0'],
  },
};

// Errors by kind, counted over the measured window only (k6's http_req_failed does not say which kind).
const non2xx = new Counter('bench_non2xx');
const timeouts = new Counter('bench_timeouts');
const connectionErrors = new Counter('bench_connection_errors');

/** k6 error codes for a request that timed out (1050) and a TCP dial that timed out (1211). */
const timeoutErrorCodes = [1050, 1211];

export default function (): void {
  const res = http.get(target, { timeout: `${requestTimeoutMs}ms` });
  if (exec.scenario.name !== 'measure') return;
  if (res.status === 0) {
    if (timeoutErrorCodes.includes(res.error_code)) timeouts.add(1);
    else connectionErrors.add(1);
  } else if (res.status < 200 || res.status >= 300) {
    non2xx.add(1);
  }
}

/** The summary object k6 hands to `handleSummary` (only what this script touches). */
interface SummaryData {
  metrics: Record<string, unknown>;
}

/** Writes the whole end-of-test summary as JSON where the harness reads it, and one line to stdout. */
export function handleSummary(data: SummaryData): Record<string, string> {
  return {
    [summaryPath]: JSON.stringify(data),
    stdout: `bench: k6 summary written to ${summaryPath} (${Object.keys(data.metrics).length} metrics)\n`,
  };
}
