import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadProfile } from '../../scenarios/define.js';
import { BenchError } from '../errors.js';
import { repoRoot } from '../paths.js';
import { describeK6Exit, failedThresholds, parseK6Summary, summaryToLoadResult, type K6RunPlan } from './k6-summary.js';
import { judgeLoad } from './validity.js';

const fixture = (name: string) => readFileSync(path.join(repoRoot, 'test', 'fixtures', 'k6', name), 'utf8');

const open200: LoadProfile = { model: 'open', ratePerSec: 200, connections: 64, warmupMs: 5000, durationMs: 30_000 };
const plan = (profile: LoadProfile, targetRps: number | null): K6RunPlan => ({
  generator: 'k6 v1.3.0',
  profile,
  measuredDurationMs: 30_000,
  targetRps,
  generatorCpu: 0.25,
});

describe('parseK6Summary', () => {
  it('reads the handleSummary shape: types, values, thresholds, run duration, trend stats', () => {
    const summary = parseK6Summary(fixture('handle-summary-open.json'));
    expect(summary.format, 'format').toBe('handleSummary');
    expect(summary.testRunDurationMs, 'testRunDurationMs').toBe(35021.7);
    expect(summary.trendStats, 'trendStats').toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(99)', 'p(99.9)', 'count']);
    const duration = summary.metrics['http_req_duration{scenario:measure}'];
    expect(duration?.type, 'type').toBe('trend');
    expect(duration?.values['p(99)'], 'p(99)').toBe(5.912);
    expect(duration?.values['p(99.9)'], 'p(99.9)').toBe(12.87);
    expect(duration?.thresholds, 'thresholds').toEqual({ 'max>=0': { ok: true } });
    expect(summary.metrics['http_req_failed{scenario:measure}']?.values, 'rate metric').toEqual({ rate: 0, passes: 0, fails: 5998 });
  });

  it('reads the --summary-export shape: flattened values, threshold true = failed, rate named value', () => {
    const summary = parseK6Summary(fixture('summary-export-closed.json'));
    expect(summary.format, 'format').toBe('summary-export');
    expect(summary.testRunDurationMs, 'no state in this shape').toBeNull();
    expect(summary.metrics['http_req_duration{scenario:measure}']?.thresholds, 'p(99)<10 failed').toEqual({ 'p(99)<10': { ok: false } });
    expect(summary.metrics['http_reqs{scenario:measure}']?.thresholds, 'count>=0 held').toEqual({ 'count>=0': { ok: true } });
    const failed = summary.metrics['http_req_failed{scenario:measure}'];
    expect(failed?.type, 'rate type inferred').toBe('rate');
    expect(failed?.values, 'value renamed to rate').toEqual({ passes: 25, fails: 41225, rate: 0.000606 });
  });

  it('rejects text that is not a summary with an infra error naming the file', () => {
    expect(() => parseK6Summary('{"metrics": ', '/tmp/x/summary.json')).toThrow(/\/tmp\/x\/summary.json: not valid JSON/);
    expect(() => parseK6Summary('{"state": {}}')).toThrow(/no "metrics" object/);
    try {
      parseK6Summary('[]');
      expect.unreachable('parseK6Summary accepted []');
    } catch (error) {
      expect(error, 'BenchError').toBeInstanceOf(BenchError);
      expect((error as BenchError).exitCode, 'exit code').toBe(3);
    }
    const badThreshold = '{"metrics": {"http_reqs": {"values": {"count": 1}, "thresholds": {"count>0": {"ok": "yes"}}}}}';
    expect(() => parseK6Summary(badThreshold)).toThrow(/metrics\["http_reqs"\].thresholds\["count>0"\].ok must be a boolean/);
  });
});

describe('summaryToLoadResult', () => {
  it('takes the measured window only from the {scenario:measure} sub-metrics', () => {
    const result = summaryToLoadResult(parseK6Summary(fixture('handle-summary-open.json')), plan(open200, 200));
    expect(result.generator, 'generator').toBe('k6 v1.3.0');
    expect(result.requests, 'requests: 5998 measured, not 6999 with warm-up').toBe(5998);
    expect(result.achievedRps, 'achievedRps = 5998 / 30 s').toBeCloseTo(199.9333, 4);
    expect(result.targetRps, 'targetRps').toBe(200);
    expect(result.durationMs, 'durationMs').toBe(30_000);
    expect(result.latency, 'latency from the measured sub-metric').toEqual({
      p50Ms: 1.094,
      p90Ms: 2.205,
      p99Ms: 5.912,
      p999Ms: 12.87,
      maxMs: 17.42,
      meanMs: 1.288,
    });
    expect(result.histogramUs, 'k6 gives no histogram').toBeNull();
    expect(result.fromIntendedStart, 'fromIntendedStart').toBe(false);
    expect(result.errors, 'errors').toEqual({ non2xx: 0, timeouts: 0, connection: 0 });
    expect(result.dropped, 'dropped').toBe(0);
    expect(result.generatorCpu, 'generatorCpu').toBe(0.25);
    expect(result.series, 'series').toEqual([]);
    expect(judgeLoad(result, open200), 'valid run').toEqual({ valid: true });
  });

  it('counts measured dropped iterations and errors by kind, and the run is invalid', () => {
    const profile: LoadProfile = { model: 'open', ratePerSec: 2000, connections: 64, warmupMs: 5000, durationMs: 30_000 };
    const result = summaryToLoadResult(parseK6Summary(fixture('handle-summary-dropped.json')), plan(profile, 2000));
    expect(result.dropped, 'dropped: measure sub-metric (4210), not the whole run (4890)').toBe(4210);
    expect(result.requests, 'requests').toBe(55790);
    expect(result.achievedRps, 'achievedRps = 55790 / 30 s').toBeCloseTo(1859.6667, 4);
    expect(result.errors, 'errors by kind from the script counters').toEqual({ non2xx: 3, timeouts: 7, connection: 2 });
    expect(result.latency.p99Ms, 'p99').toBe(412.6);
    const verdict = judgeLoad(result, profile);
    expect(verdict.valid, 'invalid').toBe(false);
    expect(verdict.valid ? '' : verdict.reason, 'reason names the drops').toMatch(/4210 requests could not be sent on time/);
  });

  it('falls back to the whole-run dropped_iterations when the measured sub-metric is missing', () => {
    const summary = parseK6Summary(fixture('handle-summary-dropped.json'));
    delete summary.metrics['dropped_iterations{scenario:measure}'];
    expect(summaryToLoadResult(summary, plan(open200, 200)).dropped, 'conservative fallback').toBe(4890);
  });

  it('reads the --summary-export shape of a closed-model run', () => {
    const closed: LoadProfile = { model: 'closed', connections: 8, warmupMs: 5000, durationMs: 30_000 };
    const result = summaryToLoadResult(parseK6Summary(fixture('summary-export-closed.json')), plan(closed, 999));
    expect(result.targetRps, 'closed model has no target rate').toBeNull();
    expect(result.requests, 'requests').toBe(41250);
    expect(result.achievedRps, 'achievedRps = 41250 / 30 s').toBe(1375);
    expect(result.latency.p99Ms, 'p99').toBe(17.35);
    expect(result.latency.p999Ms, 'p99.9').toBe(33.1);
    expect(result.errors, 'no script counters: http_req_failed passes kept as non2xx').toEqual({ non2xx: 25, timeouts: 0, connection: 0 });
  });

  it('names the missing stat and the fix when p(99.9) was not in summaryTrendStats', () => {
    const summary = parseK6Summary(fixture('handle-summary-open.json'));
    delete summary.metrics['http_req_duration{scenario:measure}']?.values['p(99.9)'];
    expect(() => summaryToLoadResult(summary, plan(open200, 200))).toThrow(/"http_req_duration\{scenario:measure\}" has no "p\(99.9\)" value/);
    try {
      summaryToLoadResult(summary, plan(open200, 200));
    } catch (error) {
      expect((error as BenchError).hint, 'hint').toMatch(/summaryTrendStats must include .*'p\(99.9\)'/);
    }
  });

  it('refuses a summary without the measured request count', () => {
    const summary = parseK6Summary(fixture('handle-summary-open.json'));
    delete summary.metrics['http_reqs{scenario:measure}'];
    expect(() => summaryToLoadResult(summary, plan(open200, 200))).toThrow(/no "http_reqs\{scenario:measure\}" metric/);
  });
});

describe('thresholds and exit codes', () => {
  it('lists the failed thresholds', () => {
    expect(failedThresholds(parseK6Summary(fixture('handle-summary-threshold-failed.json'))), 'failed').toEqual([
      'http_req_duration{scenario:measure}: p(99)<5',
    ]);
    expect(failedThresholds(parseK6Summary(fixture('handle-summary-open.json'))), 'none failed').toEqual([]);
    expect(failedThresholds(parseK6Summary(fixture('summary-export-closed.json'))), 'reversed booleans').toEqual([
      'http_req_duration{scenario:measure}: p(99)<10',
    ]);
  });

  it('describes k6 exit codes', () => {
    expect(describeK6Exit(99, null), '99').toBe('exited with code 99 (thresholds have failed)');
    expect(describeK6Exit(107, null), '107').toBe('exited with code 107 (script exception)');
    expect(describeK6Exit(255, null), 'unknown').toBe('exited with code 255');
    expect(describeK6Exit(null, 'SIGKILL'), 'signal').toBe('was killed by SIGKILL');
  });
});
