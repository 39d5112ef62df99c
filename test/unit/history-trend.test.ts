import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHistoryEntry, environmentDescription, machineKey, medianOf, type HistoryEntry } from '../../bench/history/entry.js';
import { appendHistoryEntry, parseHistory, readHistory } from '../../bench/history/file.js';
import { buildTrends, cellMatcher, groupSeries, renderDriftMarkdown, renderTrendText, sparkline } from '../../bench/history/trend.js';
import type { Fingerprint, RepeatResult, RunRecord } from '../../bench/results/schema.js';

const fingerprint: Fingerprint = {
  hostCpus: 2,
  cpuModel: 'Test  CPU   @ 2.0GHz',
  kernel: '6.1.0',
  cgroupVersion: 1,
  os: 'linux x64',
  nodeVersion: 'v20.19.0',
  goVersion: 'go version go1.26.8 linux/amd64',
  dockerVersion: '20.10.24',
  kubernetesVersion: null,
  kindVersion: null,
  k6Version: null,
  gitSha: 'abcdef1234567890',
  images: {},
};

function repeat(cellId: string, i: number, metrics: Record<string, number>, state: RepeatResult['outcome']['state'] = 'completed'): RepeatResult {
  const outcome: RepeatResult['outcome'] =
    state === 'completed'
      ? { state }
      : state === 'failed'
        ? { state, error: 'x' }
        : state === 'died'
          ? { state, cause: 'oom', exitCode: 137, atMs: null }
          : { state, reason: 'x' };
  return { cellId, repeat: i, order: i, startedAt: '', endedAt: '', outcome, metrics, effective: null, load: null, series: {}, events: [], notes: [] };
}

const load = { model: 'closed' as const, connections: 1, warmupMs: 0, durationMs: 1000 };
const settings = {
  cpuLimit: 1,
  cpuRequest: null,
  memLimitMiB: null,
  maxprocs: 'auto',
  gc: 'default' as const,
  gogc: 'unset' as const,
  gomemlimit: 'unset',
  toolchain: 'local',
  workload: 'sleep',
  liveHeapMiB: 0,
  graceful: true,
  drainMs: 0,
  stripped: true,
};

function record(runId: string, createdAt: string, p99: number[]): RunRecord {
  return {
    schemaVersion: 1,
    runId,
    createdAt,
    updatedAt: createdAt,
    status: 'completed',
    target: 'docker',
    profile: 'nightly',
    loadGenerator: 'autocannon',
    seed: 1,
    argv: [],
    fingerprint,
    placement: { serviceCpus: null, generatorCpus: null, note: '' },
    plan: {
      scenarios: [],
      cells: [
        { id: 's/a', scenario: 's', kind: 'load', settings, load },
        { id: 's/b', scenario: 's', kind: 'load', settings, load },
      ],
      order: [],
    },
    repeats: [
      ...p99.map((v, i) => repeat('s/a', i, { latencyP99Ms: v, throughputRps: 100 + i, notAMetric: 5 })),
      repeat('s/a', 9, { latencyP99Ms: 1000 }, 'invalid'),
      repeat('s/b', 0, { latencyP99Ms: 7 }, 'failed'),
    ],
    limits: [],
  };
}

describe('history entries', () => {
  it('take the median of each vocabulary metric over completed repeats only', () => {
    const entry = createHistoryEntry(record('r1', '2026-11-01T02:00:00Z', [12, 10, 11, 40]), 'results/r1');
    expect(entry.cells['s/a'], 's/a').toEqual({ n: 4, medians: { latencyP99Ms: 11.5, throughputRps: 101.5 } });
    expect(entry.cells['s/b'], 's/b: no completed repeat').toEqual({ n: 0, medians: {} });
    expect(entry.gitSha).toBe('abcdef1234567890');
    expect(entry.runDir).toBe('results/r1');
  });

  it('key the environment by hardware only, not by toolchain or engine versions', () => {
    expect(environmentDescription(fingerprint)).toBe('2 CPUs · Test CPU @ 2.0GHz · linux x64 · cgroup v1');
    const newerGo = { ...fingerprint, goVersion: 'go1.27.3', dockerVersion: '28.0', kernel: '6.8' };
    expect(machineKey(newerGo), 'same runner type').toBe(machineKey(fingerprint));
    expect(machineKey({ ...fingerprint, hostCpus: 4 }), 'other runner type').not.toBe(machineKey(fingerprint));
    expect(machineKey(fingerprint)).toMatch(/^[0-9a-f]{12}$/);
  });

  it('medianOf handles odd and even lengths', () => {
    expect(medianOf([3, 1, 2])).toBe(2);
    expect(medianOf([4, 1, 3, 2])).toBe(2.5);
    expect(() => medianOf([])).toThrow();
  });
});

function entry(runId: string, day: number, p99: number, overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    schemaVersion: 1,
    runId,
    createdAt: `2026-11-${String(day).padStart(2, '0')}T02:00:00Z`,
    gitSha: `sha${day}aaaaa`,
    environmentKey: 'env1',
    environment: 'e',
    target: 'docker',
    profile: 'nightly',
    goVersion: null,
    runDir: '',
    cells: { 's/a': { n: 5, medians: { latencyP99Ms: p99, cpuCores: 0.5 } } },
    ...overrides,
  };
}

describe('trends', () => {
  const drifting = [100, 100, 100, 100, 100, 100.5, 101, 101.5, 102, 102.5].map((v, i) => entry(`r${i + 1}`, i + 1, v));

  it('group entries by target, profile and environment, in time order', () => {
    const other = entry('x', 3, 50, { environmentKey: 'env2' });
    const groups = groupSeries([drifting[1] as HistoryEntry, other, drifting[0] as HistoryEntry]);
    expect([...groups.keys()]).toEqual(['docker/nightly/env1', 'docker/nightly/env2']);
    expect(groups.get('docker/nightly/env1')?.map((e) => e.runId)).toEqual(['r1', 'r2']);
  });

  it('flag a slow P99 drift as worse and new on the night it is detected', () => {
    const [trend] = buildTrends(drifting, { metrics: ['latencyP99Ms'] });
    expect(trend?.changes.map((c) => [c.index, c.verdict, c.new, c.run.runId])).toEqual([[6, 'worse', true, 'r7']]);
  });

  it('call a fall in throughput worse and a fall in latency better', () => {
    const rps = [100, 100, 100, 100, 100, 90, 90, 90].map((v, i) =>
      entry(`r${i}`, i + 1, 10, { cells: { c: { n: 5, medians: { throughputRps: v, latencyP99Ms: v / 10 } } } }),
    );
    const trends = buildTrends(rps, { metrics: ['throughputRps', 'latencyP99Ms'] });
    expect(trends.map((t) => [t.metric, t.changes[0]?.verdict])).toEqual([
      ['throughputRps', 'worse'],
      ['latencyP99Ms', 'better'],
    ]);
  });

  it('select cells by substring or * pattern, the newest N entries, and reject unknown metrics', () => {
    expect(cellMatcher('gomax')('gomaxprocs/cpuLimit=1')).toBe(true);
    expect(cellMatcher('*cpuLimit=1,*')('gomaxprocs/cpuLimit=1,maxprocs=auto')).toBe(true);
    expect(cellMatcher('*cpuLimit=1,*')('gomaxprocs/cpuLimit=0.5,maxprocs=auto')).toBe(false);
    expect(buildTrends(drifting, { cellPattern: 'nomatch' })).toEqual([]);
    expect(buildTrends(drifting, { metrics: ['latencyP99Ms'], last: 4 })[0]?.points.map((p) => p.runId)).toEqual(['r7', 'r8', 'r9', 'r10']);
    expect(() => buildTrends(drifting, { metrics: ['p99'] })).toThrow('unknown metric "p99"');
  });

  it('draw sparklines scaled between min and max, with | before change points', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([5, 5, 5])).toBe('▄▄▄');
    expect(sparkline([0, 10, 10], [1])).toBe('▁|██');
  });

  it('render text and markdown that name the cell, the shift and the run', () => {
    const trends = buildTrends(drifting, { metrics: ['latencyP99Ms', 'cpuCores'] });
    expect(renderTrendText(trends)).toBe(
      [
        's/a',
        '  latencyP99Ms   ▁▁▁▁▁▂|▄▅▇█  100 ms → 103 ms (+2.5%), n=10, lower is better',
        '    ! change point at #7 (2026-11-07 r7 sha7aaa): +1.8% worse (100 ms → 102 ms), flagged at #10 — new tonight',
        '  cpuCores       ▄▄▄▄▄▄▄▄▄▄  0.5 cores → 0.5 cores (+0.0%), n=10, lower is better',
      ].join('\n'),
    );
    expect(renderDriftMarkdown(trends, 10)).toBe(
      [
        '| cell | metric | trend | shift | verdict | from run |',
        '|---|---|---|---|---|---|',
        '| s/a | latencyP99Ms | `▁▁▁▁▁▂|▄▅▇█` | +1.8% | worse (new) | r7 (sha7aaa) |',
      ].join('\n'),
    );
    expect(renderDriftMarkdown([], 3)).toMatch(/^No change points in the last 3 nightly run\(s\)/);
  });
});

describe('history file', () => {
  let dir = '';
  afterEach(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('appends one line per run, reads them back and refuses a run twice', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'history-'));
    const file = path.join(dir, 'nested', 'history.jsonl');
    expect(await readHistory(file), 'missing file = empty history').toEqual([]);
    await appendHistoryEntry(file, entry('r1', 1, 10));
    await appendHistoryEntry(file, entry('r2', 2, 11));
    expect((await readFile(file, 'utf8')).split('\n')).toHaveLength(3);
    expect((await readHistory(file)).map((e) => e.runId)).toEqual(['r1', 'r2']);
    await expect(appendHistoryEntry(file, entry('r2', 3, 12))).rejects.toThrow('run r2 is already in the history');
  });

  it('names the file, the line and the field of a bad line', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'history-'));
    const file = path.join(dir, 'h.jsonl');
    await writeFile(file, `${JSON.stringify(entry('r1', 1, 10))}\n\n{"schemaVersion":1,"runId":""}\n`);
    await expect(readHistory(file)).rejects.toThrow(new RegExp(`${file.replace(/[.]/g, '\\.')}:3: invalid history entry: runId: `));
    expect(() => parseHistory('{oops', 'h.jsonl')).toThrow(/^h\.jsonl:1: not valid JSON/);
  });
});

describe('bench history (in process)', () => {
  let dir = '';
  afterEach(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  async function history(argv: string[]): Promise<{ code: number; out: string }> {
    const { historyCommand } = await import('../../bench/cli/commands/history.js');
    let out = '';
    const code = await historyCommand({
      argv,
      cwd: dir,
      env: {},
      signal: new AbortController().signal,
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      isTTY: false,
    });
    return { code, out };
  }

  it('shows the newest series, flags the drift and fails on it only with --fail-on-drift', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'history-cli-'));
    const file = path.join(dir, 'h.jsonl');
    const other = entry('other', 1, 500, { environmentKey: 'env2', createdAt: '2026-10-01T00:00:00Z' });
    await writeFile(
      file,
      [other, ...[100, 100, 100, 100, 100, 110, 110, 110].map((v, i) => entry(`r${i + 1}`, i + 1, v))].map((e) => JSON.stringify(e)).join('\n'),
    );
    const shown = await history(['--file', 'h.jsonl', '--metric', 'latencyP99Ms']);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('History docker/nightly/env1: 8 run(s) of e (1 runs of other series not shown)');
    expect(shown.out).toContain('! change point at #6 (2026-11-06 r6 sha6aaa): +10.0% worse (100 ms → 110 ms), flagged at #8 — new tonight');
    expect((await history(['--file', 'h.jsonl', '--metric', 'latencyP99Ms', '--fail-on-drift'])).code).toBe(1);
    expect((await history(['--file', 'h.jsonl', '--env', 'env2'])).out).toContain('History docker/nightly/env2: 1 run(s)');
  });

  it('names the flag and the fix on bad input', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'history-cli-'));
    await expect(history(['--file', 'none.jsonl'])).rejects.toThrow('none.jsonl: no history yet');
    await expect(history(['--metric', 'p99'])).rejects.toThrow('--metric must be a metric of the run record (got "p99")');
    await expect(history(['--last', '0'])).rejects.toThrow('--last must be a positive whole number (got "0")');
    await expect(history(['append'])).rejects.toThrow('bench history append needs exactly one run directory');
    await expect(history(['frobnicate'])).rejects.toThrow('bench history: unknown action "frobnicate"');
  });
});
