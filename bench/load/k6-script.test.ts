/**
 * The k6 script's own logic (environment → scenarios, error counting, summary file), run in Node with
 * stand-ins for the k6 modules it imports. k6 cannot be installed here; this checks the contract between
 * `createK6Command` and scenarios/k6/load.ts, not k6 itself (the integration test does that where k6 is).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { LoadProfile } from '../../scenarios/define.js';
import { repoRoot } from '../paths.js';
import { stagesProfile } from '../../test/helpers/fakes.js';
import { createK6Command } from './k6-command.js';

interface K6Stub {
  exec: { scenario: { name: string } };
  response: { status: number; error_code: number };
  requests: Array<{ url: string; params: unknown }>;
  counters: Record<string, number>;
}

interface ScriptModule {
  options: {
    scenarios: Record<string, Record<string, unknown>>;
    thresholds: Record<string, string[]>;
    summaryTrendStats: string[];
    discardResponseBodies: boolean;
  };
  default: () => void;
  handleSummary: (data: { metrics: Record<string, unknown> }) => Record<string, string>;
}

const scriptSource = readFileSync(path.join(repoRoot, 'scenarios', 'k6', 'load.ts'), 'utf8');
// Module URLs are cached across loads, so the stand-ins look the current stub up at call time.
const stubModules: Record<string, string> = {
  'k6/execution': 'export default { get scenario() { return globalThis.__k6stub.exec.scenario; } };',
  'k6/http': 'export default { get: (url, params) => { globalThis.__k6stub.requests.push({ url, params }); return globalThis.__k6stub.response; } };',
  'k6/metrics':
    'export class Counter { constructor(name) { this.name = name; globalThis.__k6stub.counters[name] ??= 0; } add(n) { globalThis.__k6stub.counters[this.name] += n; } }',
};
const dataUrl = (code: string) => `data:text/javascript,${encodeURIComponent(code)}`;
let loads = 0;

/** Evaluates the script as k6 would at init time, with `env` as `__ENV`. */
async function loadScript(env: Record<string, string>): Promise<{ module: ScriptModule; stub: K6Stub }> {
  const stub: K6Stub = { exec: { scenario: { name: 'measure' } }, response: { status: 200, error_code: 0 }, requests: [], counters: {} };
  Object.assign(globalThis, { __ENV: env, __k6stub: stub });
  let js = ts.transpileModule(scriptSource, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  for (const [name, code] of Object.entries(stubModules)) js = js.replaceAll(`'${name}'`, `'${dataUrl(code)}'`);
  loads++;
  const module = (await import(dataUrl(`${js}\n// load ${loads}`))) as ScriptModule;
  return { module, stub };
}

const base = {
  binary: 'k6',
  version: { major: 1, minor: 3, patch: 0 },
  scriptPath: 'load.ts',
  summaryPath: '/tmp/bench-k6-x/summary.json',
  baseUrl: 'http://127.0.0.1:18080/',
  request: { path: '/work?sleep_ms=10' },
};
const envFor = (profile: LoadProfile, extra: Partial<Parameters<typeof createK6Command>[0]> = {}) =>
  createK6Command({ ...base, profile, ...extra }).env as Record<string, string>;

describe('scenarios/k6/load.ts with the environment createK6Command builds', () => {
  it('open model: a constant-arrival-rate warm-up, then the measured scenario', async () => {
    const { module } = await loadScript(envFor({ model: 'open', ratePerSec: 12.5, connections: 16, warmupMs: 5000, durationMs: 30_000 }));
    expect(module.options.scenarios, 'scenarios').toEqual({
      warmup: { executor: 'constant-arrival-rate', rate: 125, timeUnit: '10s', duration: '5000ms', preAllocatedVUs: 2, maxVUs: 16, gracefulStop: '10000ms' },
      measure: {
        executor: 'constant-arrival-rate',
        rate: 125,
        timeUnit: '10s',
        duration: '30000ms',
        preAllocatedVUs: 2,
        maxVUs: 16,
        startTime: '5000ms',
        gracefulStop: '10000ms',
      },
    });
    expect(module.options.summaryTrendStats, 'trend stats').toContain('p(99.9)');
    expect(module.options.discardResponseBodies, 'bodies discarded').toBe(true);
    expect(Object.keys(module.options.thresholds).sort(), 'measured sub-metrics').toEqual([
      'dropped_iterations{scenario:measure}',
      'http_req_duration{scenario:measure}',
      'http_req_failed{scenario:measure}',
      'http_reqs{scenario:measure}',
      'iterations{scenario:measure}',
    ]);
  });

  it('stages: ramping-arrival-rate from the first rate', async () => {
    const { module } = await loadScript(envFor(stagesProfile({ connections: 50, warmupMs: 2000, durationsMs: [10_000, 20_000], rates: [50, 150] })));
    expect(module.options.scenarios['measure'], 'measure').toEqual({
      executor: 'ramping-arrival-rate',
      startRate: 50,
      timeUnit: '1s',
      stages: [
        { duration: '10000ms', target: 50 },
        { duration: '20000ms', target: 150 },
      ],
      // 150/s × (10 ms sleep + 20 ms) = 4.5 in flight → 9.
      preAllocatedVUs: 9,
      maxVUs: 50,
      startTime: '2000ms',
      gracefulStop: '10000ms',
    });
    expect(module.options.scenarios['warmup']?.['rate'], 'warm-up at the first rate').toBe(50);
  });

  it('closed model without warm-up: one constant-vus scenario', async () => {
    const { module } = await loadScript(envFor({ model: 'closed', connections: 8, warmupMs: 0, durationMs: 10_000 }));
    expect(module.options.scenarios, 'scenarios').toEqual({
      measure: { executor: 'constant-vus', vus: 8, duration: '10000ms', startTime: '0ms', gracefulStop: '10000ms' },
    });
  });

  it('a P99 limit becomes a real threshold', async () => {
    const { module } = await loadScript(envFor({ model: 'closed', connections: 8, warmupMs: 0, durationMs: 10_000 }, { p99LimitMs: 25 }));
    expect(module.options.thresholds['http_req_duration{scenario:measure}'], 'threshold').toEqual(['p(99)<25']);
  });

  it('requests the workload URL and counts errors by kind in the measured scenario only', async () => {
    const { module, stub } = await loadScript(envFor({ model: 'open', ratePerSec: 100, connections: 16, warmupMs: 1000, durationMs: 5000 }));
    const hit = (scenario: string, status: number, errorCode = 0) => {
      stub.exec.scenario.name = scenario;
      stub.response = { status, error_code: errorCode };
      module.default();
    };
    hit('warmup', 503);
    hit('warmup', 0, 1050);
    hit('measure', 200);
    hit('measure', 503);
    hit('measure', 302);
    hit('measure', 0, 1050);
    hit('measure', 0, 1211);
    hit('measure', 0, 1212);
    expect(stub.requests[0], 'request').toEqual({ url: 'http://127.0.0.1:18080/work?sleep_ms=10', params: { timeout: '10000ms' } });
    expect(stub.requests.length, 'every iteration sends one request').toBe(8);
    expect(stub.counters, 'counters').toEqual({ bench_non2xx: 2, bench_timeouts: 2, bench_connection_errors: 1 });
  });

  it('handleSummary writes the whole summary to BENCH_SUMMARY_PATH', async () => {
    const { module } = await loadScript(envFor({ model: 'closed', connections: 1, warmupMs: 0, durationMs: 1000 }));
    const data = { metrics: { http_reqs: { type: 'counter', values: { count: 3, rate: 3 } } } };
    const out = module.handleSummary(data);
    expect(JSON.parse(out['/tmp/bench-k6-x/summary.json'] ?? 'null'), 'file').toEqual(data);
    expect(out['stdout'], 'stdout').toBe('bench: k6 summary written to /tmp/bench-k6-x/summary.json (1 metrics)\n');
  });

  it('a missing variable stops the script with its name', async () => {
    const env = envFor({ model: 'closed', connections: 1, warmupMs: 0, durationMs: 1000 });
    delete env['BENCH_SUMMARY_PATH'];
    await expect(loadScript(env)).rejects.toThrow(/BENCH_SUMMARY_PATH is not set/);
    await expect(loadScript({ ...envFor({ model: 'closed', connections: 1, warmupMs: 0, durationMs: 1000 }), BENCH_VUS: '-1' })).rejects.toThrow(
      /BENCH_VUS must be a non-negative integer/,
    );
  });
});
