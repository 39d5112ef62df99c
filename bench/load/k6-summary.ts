/**
 * k6's end-of-test summary → the harness's `LoadResult`. Pure: text in, data out.
 *
 * Two JSON shapes are read (test/fixtures/k6/README.md cites the documentation of both):
 * - the object k6 passes to `handleSummary(data)`, which our script writes as is:
 *   `metrics[name] = { type, contains, values: {…}, thresholds?: { [expr]: { ok } } }`, plus
 *   `state.testRunDurationMs` and `options.summaryTrendStats`;
 * - the older `--summary-export` file: `metrics[name] = { …values, thresholds?: { [expr]: <failed?> } }`
 *   where a threshold's boolean is `true` when it FAILED, and a rate metric's `rate` is called `value`.
 *
 * The measured window is read from the `{scenario:measure}` sub-metrics (see scenarios/k6/load.ts).
 */
import { infraError } from '../errors.js';
import type { LoadProfile } from '../../scenarios/index.js';
import type { LoadErrors, LoadResult } from './types.js';

export type K6MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

export interface K6Metric {
  /** `null` when the summary does not say (the `--summary-export` shape). */
  type: K6MetricType | null;
  values: Record<string, number>;
  /** Threshold expression → whether it held. */
  thresholds: Record<string, { ok: boolean }>;
}

export interface K6Summary {
  format: 'handleSummary' | 'summary-export';
  metrics: Record<string, K6Metric>;
  testRunDurationMs: number | null;
  trendStats: string[] | null;
}

/** Sub-metric keys the harness reads: the metric restricted to the measured scenario. */
export const measuredKey = (metric: string): string => `${metric}{scenario:measure}`;

/** Trend stats the harness needs from `http_req_duration`; the script's `summaryTrendStats` lists them. */
export const requiredTrendStats = ['avg', 'med', 'max', 'p(90)', 'p(99)', 'p(99.9)'] as const;

const metricTypes: readonly string[] = ['counter', 'gauge', 'rate', 'trend'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numericFields(record: Record<string, unknown>): Record<string, number> {
  const values: Record<string, number> = {};
  for (const [key, value] of Object.entries(record)) if (typeof value === 'number') values[key] = value;
  return values;
}

function parseMetric(name: string, raw: unknown, source: string): K6Metric {
  if (!isRecord(raw)) throw infraError(`${source}: metrics["${name}"] is not an object`);
  if (isRecord(raw['values'])) {
    const thresholds: K6Metric['thresholds'] = {};
    if (isRecord(raw['thresholds'])) {
      for (const [expr, t] of Object.entries(raw['thresholds'])) {
        if (!isRecord(t) || typeof t['ok'] !== 'boolean') throw infraError(`${source}: metrics["${name}"].thresholds["${expr}"].ok must be a boolean`);
        thresholds[expr] = { ok: t['ok'] };
      }
    }
    const type = typeof raw['type'] === 'string' && metricTypes.includes(raw['type']) ? (raw['type'] as K6MetricType) : null;
    return { type, values: numericFields(raw['values']), thresholds };
  }
  // --summary-export: values flattened into the metric; threshold booleans mean "failed".
  const values = numericFields(raw);
  const thresholds: K6Metric['thresholds'] = {};
  if (isRecord(raw['thresholds'])) {
    for (const [expr, failed] of Object.entries(raw['thresholds'])) {
      if (typeof failed !== 'boolean') throw infraError(`${source}: metrics["${name}"].thresholds["${expr}"] must be a boolean`);
      thresholds[expr] = { ok: !failed };
    }
  }
  let type: K6MetricType | null = null;
  if ('passes' in values && 'fails' in values) {
    type = 'rate';
    if ('value' in values && !('rate' in values)) {
      values['rate'] = values['value'] as number;
      delete values['value'];
    }
  }
  return { type, values, thresholds };
}

/** Parses a k6 summary file (either shape). Throws a BenchError 'infra' naming what is wrong. */
export function parseK6Summary(text: string, source = 'k6 summary'): K6Summary {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw infraError(`${source}: not valid JSON (${(error as Error).message})`, 'k6 did not finish writing its summary; see its stderr');
  }
  if (!isRecord(json) || !isRecord(json['metrics'])) throw infraError(`${source}: no "metrics" object at the top level`);
  const metrics: Record<string, K6Metric> = {};
  let format: K6Summary['format'] = 'summary-export';
  for (const [name, raw] of Object.entries(json['metrics'])) {
    metrics[name] = parseMetric(name, raw, source);
    if (isRecord(raw) && isRecord(raw['values'])) format = 'handleSummary';
  }
  const state = json['state'];
  const options = json['options'];
  const trendStats =
    isRecord(options) && Array.isArray(options['summaryTrendStats']) ? options['summaryTrendStats'].filter((s): s is string => typeof s === 'string') : null;
  return {
    format,
    metrics,
    testRunDurationMs: isRecord(state) && typeof state['testRunDurationMs'] === 'number' ? state['testRunDurationMs'] : null,
    trendStats,
  };
}

/** Thresholds that did not hold, as `metric: expression`. */
export function failedThresholds(summary: K6Summary): string[] {
  const failed: string[] = [];
  for (const [name, metric] of Object.entries(summary.metrics)) {
    for (const [expr, t] of Object.entries(metric.thresholds)) if (!t.ok) failed.push(`${name}: ${expr}`);
  }
  return failed.sort();
}

/** What the harness knows about the run that the summary does not say. */
export interface K6RunPlan {
  /** e.g. `k6 v1.3.0` */
  generator: string;
  profile: LoadProfile;
  measuredDurationMs: number;
  targetRps: number | null;
  /** CPU of the k6 process over its life, fraction of one core; `null` when not measured. */
  generatorCpu: number | null;
}

function value(summary: K6Summary, key: string, stat: string): number | undefined {
  return summary.metrics[key]?.values[stat];
}

function requireValue(summary: K6Summary, key: string, stat: string, fix: string): number {
  const metric = summary.metrics[key];
  if (!metric) throw infraError(`k6 summary has no "${key}" metric`, fix);
  const v = metric.values[stat];
  if (v === undefined) throw infraError(`k6 summary: "${key}" has no "${stat}" value`, fix);
  return v;
}

/**
 * The measured window of a k6 run as a `LoadResult`. k6 reports percentiles, not a histogram
 * (`histogramUs: null`), and no per-second series (`series: []`). Latency is k6's `http_req_duration`
 * (sending + waiting + receiving) from the moment the iteration started; an arrival the executor could
 * not start on time is not delayed but dropped (`dropped_iterations`), so `fromIntendedStart` is false
 * and a run with drops is judged invalid instead (bench/load/validity.ts).
 */
export function summaryToLoadResult(summary: K6Summary, plan: K6RunPlan): LoadResult {
  const scriptFix = 'the summary must come from scenarios/k6/load.ts, whose thresholds put the {scenario:measure} sub-metrics in it';
  const duration = measuredKey('http_req_duration');
  const statsFix = `summaryTrendStats must include ${requiredTrendStats.map((s) => `'${s}'`).join(', ')} (scenarios/k6/load.ts)`;
  const requests = requireValue(summary, measuredKey('http_reqs'), 'count', scriptFix);
  // No request in the window: nothing to take percentiles of (judgeLoad marks such a run invalid).
  const latency =
    requests === 0
      ? { p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0, meanMs: 0 }
      : {
          p50Ms: requireValue(summary, duration, 'med', statsFix),
          p90Ms: requireValue(summary, duration, 'p(90)', statsFix),
          p99Ms: requireValue(summary, duration, 'p(99)', statsFix),
          p999Ms: requireValue(summary, duration, 'p(99.9)', statsFix),
          maxMs: requireValue(summary, duration, 'max', statsFix),
          meanMs: requireValue(summary, duration, 'avg', statsFix),
        };
  // http_req_failed is a rate metric: "passes" counts the true values, i.e. the failed requests.
  const failed = value(summary, measuredKey('http_req_failed'), 'passes') ?? 0;
  const kinds = {
    non2xx: value(summary, 'bench_non2xx', 'count'),
    timeouts: value(summary, 'bench_timeouts', 'count'),
    connection: value(summary, 'bench_connection_errors', 'count'),
  };
  const errors: LoadErrors =
    kinds.non2xx === undefined && kinds.timeouts === undefined && kinds.connection === undefined
      ? // Without the script's counters k6 cannot tell failure kinds apart; keep the count, never drop it.
        { non2xx: failed, timeouts: 0, connection: 0 }
      : { non2xx: kinds.non2xx ?? 0, timeouts: kinds.timeouts ?? 0, connection: kinds.connection ?? 0 };
  // Without the measured sub-metric, the whole run's drops (warm-up included) are the safe side.
  const dropped = value(summary, measuredKey('dropped_iterations'), 'count') ?? value(summary, 'dropped_iterations', 'count') ?? 0;
  return {
    generator: plan.generator,
    requests,
    achievedRps: requests / (plan.measuredDurationMs / 1000),
    targetRps: plan.profile.model === 'closed' ? null : plan.targetRps,
    durationMs: plan.measuredDurationMs,
    latency,
    histogramUs: null,
    fromIntendedStart: false,
    errors,
    dropped,
    generatorCpu: plan.generatorCpu,
    series: [],
  };
}

/** k6's own exit codes (go.k6.io/k6/errext/exitcodes). */
export const k6ExitCodes: Readonly<Record<number, string>> = {
  97: 'cloud test run failed',
  98: 'cloud progress unavailable',
  99: 'thresholds have failed',
  100: 'setup() timed out',
  101: 'teardown() timed out',
  102: 'generic timeout',
  103: 'stopped from the REST API',
  104: 'invalid configuration',
  105: 'aborted by a signal',
  106: 'cannot start the REST API',
  107: 'script exception',
  108: 'script aborted (test.abort())',
  109: 'k6 panicked',
};

/** 99: k6 ran the test to the end, but a threshold did not hold. */
export const k6ThresholdsFailedExitCode = 99;

export function describeK6Exit(exitCode: number | null, signal: string | null): string {
  if (signal !== null) return `was killed by ${signal}`;
  const meaning = exitCode === null ? undefined : k6ExitCodes[exitCode];
  return `exited with code ${exitCode}${meaning === undefined ? '' : ` (${meaning})`}`;
}
