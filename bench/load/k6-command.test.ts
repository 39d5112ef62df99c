import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../paths.js';
import { stagesProfile } from '../../test/helpers/fakes.js';
import {
  createK6Command,
  expectedLatencyFor,
  k6EnvNames,
  parseK6Version,
  scaleRates,
  sizeArrivalRateVUs,
  typeScriptSupport,
  type K6CommandInput,
} from './k6-command.js';

const v1 = { major: 1, minor: 3, patch: 0 };
const base: Omit<K6CommandInput, 'profile'> = {
  binary: '/usr/bin/k6',
  version: v1,
  scriptPath: '/repo/scenarios/k6/load.ts',
  summaryPath: '/tmp/bench-k6-x/summary.json',
  baseUrl: 'http://127.0.0.1:18080',
  request: { path: '/work?cpu=40' },
};

describe('parseK6Version', () => {
  it('reads current and older `k6 version` output', () => {
    expect(parseK6Version('k6 v1.3.0 (go1.24.6, linux/amd64)\n'), 'v1').toEqual({ major: 1, minor: 3, patch: 0 });
    expect(parseK6Version('k6 v0.49.0 (2024-01-29T13:20:22+0000/v0.49.0-0-g1a15fbcf, go1.21.6, linux/amd64)'), 'v0.49').toEqual({
      major: 0,
      minor: 49,
      patch: 0,
    });
    expect(parseK6Version('command not found'), 'garbage').toBeNull();
  });

  it('knows which versions run TypeScript and how', () => {
    expect(typeScriptSupport({ major: 0, minor: 57, patch: 0 }), '0.57 native').toEqual({ flags: [] });
    expect(typeScriptSupport(v1), '1.3 native').toEqual({ flags: [] });
    expect(typeScriptSupport({ major: 0, minor: 54, patch: 0 }), '0.54 enhanced mode').toEqual({ flags: ['--compatibility-mode=experimental_enhanced'] });
    expect(typeScriptSupport({ major: 0, minor: 49, patch: 0 }), '0.49 none').toEqual({
      unsupported: expect.stringMatching(/k6 v0.49.0 cannot run TypeScript/),
    });
  });
});

describe('sizing', () => {
  it('turns rates into integers per time unit', () => {
    expect(scaleRates([200]), '200/s').toEqual({ rates: [200], timeUnitSec: 1 });
    expect(scaleRates([12.5]), '12.5/s').toEqual({ rates: [125], timeUnitSec: 10 });
    expect(scaleRates([100, 0.25]), 'one unit for all stages').toEqual({ rates: [10000, 25], timeUnitSec: 100 });
    expect(scaleRates([1 / 3]), 'rounded at 1/1000 s').toEqual({ rates: [333], timeUnitSec: 1000 });
  });

  it('pre-allocates twice the in-flight requests of Little’s law, capped by the connections', () => {
    // 200/s × 20 ms = 4 in flight → 8 pre-allocated; maxVUs = connection cap.
    expect(sizeArrivalRateVUs(200, 20, 64), '200/s').toEqual({ preAllocatedVUs: 8, maxVUs: 64 });
    // 1000/s × 20 ms = 20 in flight → 40, capped at 10 connections.
    expect(sizeArrivalRateVUs(1000, 20, 10), 'capped').toEqual({ preAllocatedVUs: 10, maxVUs: 10 });
    expect(sizeArrivalRateVUs(5, 1, 64), 'floor of 2').toEqual({ preAllocatedVUs: 2, maxVUs: 64 });
  });

  it('expects at least the sleep the workload asks for', () => {
    expect(expectedLatencyFor({ path: '/work?sleep_ms=200' }, 20), 'sleep 200').toBe(220);
    expect(expectedLatencyFor({ path: '/work?cpu=40' }, 20), 'no sleep').toBe(20);
  });
});

describe('createK6Command', () => {
  it('open model: constant-arrival-rate, everything through the environment', () => {
    const command = createK6Command({ ...base, profile: { model: 'open', ratePerSec: 200, connections: 64, warmupMs: 5000, durationMs: 30_000 } });
    expect(command.command, 'command').toBe('/usr/bin/k6');
    expect(command.args, 'args').toEqual(['run', '--quiet', '--no-color', '/repo/scenarios/k6/load.ts']);
    expect(command.executor, 'executor').toBe('constant-arrival-rate');
    expect(command.targetRps, 'targetRps').toBe(200);
    expect(command.measuredDurationMs, 'measuredDurationMs').toBe(30_000);
    expect(command.env, 'env').toEqual({
      K6_NO_USAGE_REPORT: 'true',
      BENCH_EXECUTOR: 'constant-arrival-rate',
      BENCH_BASE_URL: 'http://127.0.0.1:18080',
      BENCH_PATH: '/work?cpu=40',
      BENCH_DURATION_MS: '30000',
      BENCH_WARMUP_MS: '5000',
      BENCH_TIMEOUT_MS: '10000',
      BENCH_SUMMARY_PATH: '/tmp/bench-k6-x/summary.json',
      BENCH_RATE: '200',
      BENCH_WARMUP_RATE: '200',
      BENCH_TIME_UNIT: '1s',
      BENCH_PRE_ALLOCATED_VUS: '8',
      BENCH_MAX_VUS: '64',
    });
  });

  it('closed model: constant-vus with one VU per connection, no target rate', () => {
    const command = createK6Command({ ...base, profile: { model: 'closed', connections: 16, warmupMs: 0, durationMs: 10_000 } });
    expect(command.executor, 'executor').toBe('constant-vus');
    expect(command.targetRps, 'targetRps').toBeNull();
    expect(command.env, 'env').toEqual({
      K6_NO_USAGE_REPORT: 'true',
      BENCH_EXECUTOR: 'constant-vus',
      BENCH_BASE_URL: 'http://127.0.0.1:18080',
      BENCH_PATH: '/work?cpu=40',
      BENCH_DURATION_MS: '10000',
      BENCH_WARMUP_MS: '0',
      BENCH_TIMEOUT_MS: '10000',
      BENCH_SUMMARY_PATH: '/tmp/bench-k6-x/summary.json',
      BENCH_VUS: '16',
    });
  });

  it('stages: ramping-arrival-rate from the first rate, target = mean rate of the ramps', () => {
    const command = createK6Command({
      ...base,
      p99LimitMs: 50,
      profile: stagesProfile({ connections: 100, warmupMs: 10_000, durationsMs: [30_000, 60_000], rates: [100, 300] }),
    });
    expect(command.executor, 'executor').toBe('ramping-arrival-rate');
    expect(command.measuredDurationMs, 'measured = sum of stages').toBe(90_000);
    // 100/s for 30 s, then 100 → 300/s over 60 s (mean 200): (3000 + 12000) / 90 s.
    expect(command.targetRps, 'targetRps').toBeCloseTo(166.6667, 4);
    expect(command.env.BENCH_START_RATE, 'start rate').toBe('100');
    expect(command.env.BENCH_WARMUP_RATE, 'warm-up at the first rate').toBe('100');
    expect(JSON.parse(command.env.BENCH_STAGES ?? 'null'), 'stages').toEqual([
      { duration: '30000ms', target: 100 },
      { duration: '60000ms', target: 300 },
    ]);
    // 300/s × 20 ms = 6 in flight → 12 pre-allocated.
    expect(command.env.BENCH_PRE_ALLOCATED_VUS, 'pre-allocated for the peak rate').toBe('12');
    expect(command.env.BENCH_MAX_VUS, 'maxVUs').toBe('100');
    expect(command.env.BENCH_P99_LIMIT_MS, 'p99 limit').toBe('50');
    expect(command.env.BENCH_RATE, 'no constant rate').toBeUndefined();
  });

  it('fractional rates keep their value through a longer time unit', () => {
    const command = createK6Command({ ...base, profile: { model: 'open', ratePerSec: 12.5, connections: 8, warmupMs: 0, durationMs: 20_000 } });
    expect(command.env.BENCH_RATE, 'rate').toBe('125');
    expect(command.env.BENCH_TIME_UNIT, 'time unit').toBe('10s');
    expect(command.targetRps, 'targetRps').toBe(12.5);
  });

  it('adds the compatibility mode for k6 v0.52–v0.56 and refuses older k6', () => {
    const profile = { model: 'closed', connections: 1, warmupMs: 0, durationMs: 1000 } as const;
    expect(createK6Command({ ...base, version: { major: 0, minor: 55, patch: 1 }, profile }).args, 'v0.55').toEqual([
      'run',
      '--quiet',
      '--no-color',
      '--compatibility-mode=experimental_enhanced',
      '/repo/scenarios/k6/load.ts',
    ]);
    expect(() => createK6Command({ ...base, version: { major: 0, minor: 47, patch: 0 }, profile }), 'v0.47').toThrow(/cannot run TypeScript/);
  });
});

describe('the k6 script and the command agree', () => {
  const script = readFileSync(path.join(repoRoot, 'scenarios', 'k6', 'load.ts'), 'utf8');
  const readByScript = new Set([...script.matchAll(/'(BENCH_[A-Z0-9_]+)'/g)].map((m) => m[1]));

  it('every variable the harness sets is read by the script, and the script reads no other', () => {
    expect([...readByScript].sort(), 'names').toEqual([...k6EnvNames].sort());
  });

  it('the script asks for p(99) and p(99.9) and filters on the measure scenario', () => {
    expect(script, 'summaryTrendStats').toMatch(/summaryTrendStats: \[[^\]]*'p\(99\)'[^\]]*'p\(99\.9\)'/);
    for (const metric of ['http_req_duration', 'http_reqs', 'http_req_failed', 'dropped_iterations']) {
      expect(script, metric).toContain(`measured('${metric}')`);
    }
    expect(script, 'sub-metric tag').toContain('{scenario:measure}');
  });
});
