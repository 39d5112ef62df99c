/** The nightly job's pure parts: target choice, compare outcomes, exit code, summary. */
import { describe, expect, it } from 'vitest';
import { parseGate, parseTargets, judgeComparison, nightlyExitCode, probeTargets } from '../../bench/orchestrator/nightly.js';
import type { CompareResult } from '../../bench/stats/compare-runs.js';
import { collapseDetails, demoteHeadings, renderNightlySummary, renderRegressionTable, type TargetOutcome } from '../../reporters/nightly.js';
import type { ProcessRunner } from '../../bench/exec/index.js';
import { buildTrends } from '../../bench/history/trend.js';
import type { HistoryEntry } from '../../bench/history/entry.js';

const runner =
  (answers: Record<string, string | Error>): ProcessRunner =>
  async (command) => {
    const answer = answers[command];
    if (answer === undefined || answer instanceof Error) throw answer ?? new Error(`${command}: not found on PATH`);
    return { command, exitCode: 0, signal: null, stdout: answer, stderr: '' };
  };

describe('targets', () => {
  it('parse auto or a comma list, and name the flag on a bad target', () => {
    expect(parseTargets('auto')).toBe('auto');
    expect(parseTargets('docker, kind,docker')).toEqual(['docker', 'kind']);
    expect(() => parseTargets('docker,minikube')).toThrow('--targets must be one of docker, kind, kubernetes (got "minikube")');
    expect(() => parseTargets(',')).toThrow('--targets must name at least one target');
  });

  it('auto takes what answers and says why the rest is skipped', async () => {
    const probes = await probeTargets('auto', runner({ docker: '20.10.24' }));
    expect(probes.map((p) => [p.target, p.available])).toEqual([
      ['docker', true],
      ['kind', false],
      ['kubernetes', false],
    ]);
    expect(probes[1]?.available === false && probes[1].reason).toMatch(/no `kind` binary on PATH/);
    const none = await probeTargets('auto', runner({}));
    expect(none[0]?.available === false && none[0].reason).toMatch(/^no Docker engine answers .*docker-engine\.sh$/);
  });

  it('named targets are tried, not second-guessed (their failure is loud)', async () => {
    const probes = await probeTargets(['kind', 'kubernetes'], runner({}));
    expect(probes.map((p) => [p.target, p.available])).toEqual([
      ['kind', true],
      ['kubernetes', true],
    ]);
  });
});

describe('compare outcomes', () => {
  // Two rows of a comparison (only the fields the job reads): s/a's median P50 12 → 15.84 ms, significant
  // and beyond the threshold; s/b unchanged.
  const result = {
    rows: [
      {
        cellId: 's/a',
        metric: 'latencyP50Ms',
        status: 'regression',
        n: [6, 6],
        difference: { baseline: { median: 12 }, treatment: { median: 15.84 }, relativePct: 32, p: 0.0022 },
      },
      {
        cellId: 's/b',
        metric: 'latencyP50Ms',
        status: 'unchanged',
        n: [6, 6],
        difference: { baseline: { median: 1.5 }, treatment: { median: 1.4 }, relativePct: -6.7, p: 0.39 },
      },
    ],
  } as unknown as CompareResult;

  it('take the regression rows of the comparison, each marked gating or not', () => {
    const outcome = judgeComparison(result, ['1 regression(s): s/a P50 latency'], null, '# md');
    expect(outcome).toEqual({
      state: 'regression',
      markdown: '# md',
      regressions: [{ cell: 's/a', metric: 'latencyP50Ms', n: [6, 6], baselineMedian: 12, currentMedian: 15.84, relativePct: 32, p: 0.0022, gating: true }],
    });
    expect(outcome.state !== 'no-baseline' && outcome.state !== 'error' && renderRegressionTable(outcome.regressions)).toBe(
      [
        '| cell | metric | baseline | current | change | p | n |',
        '|---|---|---|---|---|---|---|',
        '| s/a | latencyP50Ms | 12 ms | 15.8 ms | **+32.0%** | 0.002 | 6+6 |',
      ].join('\n'),
    );
  });

  it('without a gate the --fail-on conditions decide; with one, only a regression of a gated metric', () => {
    expect(judgeComparison(result, [], null, '').state, 'no --fail-on condition met').toBe('clean');
    const outside = judgeComparison(result, ['1 regression(s)'], new Set(['cpuCores']), '');
    expect(outside.state).toBe('clean');
    expect(outside.state === 'clean' && outside.regressions[0]?.gating, 'outside the gate').toBe(false);
    expect(judgeComparison(result, [], new Set(['latencyP50Ms']), '').state).toBe('regression');
  });

  it('parse --gate into metric names, naming the flag on a bad one', () => {
    expect(parseGate(undefined)).toBeNull();
    expect([...(parseGate('latencyP50Ms, cpuCores') ?? [])]).toEqual(['latencyP50Ms', 'cpuCores']);
    expect(() => parseGate('p50')).toThrow('--gate: "p50" is not a metric of the run record');
    expect(() => parseGate(',')).toThrow('--gate must name at least one metric');
  });

  it('mark rows outside the gate in the table', () => {
    const row = {
      cell: 'c',
      metric: 'cpuCores',
      n: [5, 5] as [number, number],
      baselineMedian: 0.02,
      currentMedian: 0.03,
      relativePct: 50,
      p: 0.01,
      gating: false,
    };
    expect(renderRegressionTable([row]).split('\n')[2]).toBe('| c | cpuCores (not gating) | 0.02 cores | 0.03 cores | **+50.0%** | 0.010 | 5+5 |');
  });

  it('leave the collapsed sections out of the terminal copy of the summary', () => {
    expect(collapseDetails('a\n<details><summary>full comparison</summary>\n\n| x |\n</details>\nb')).toBe('a\n(full comparison: see summary.md)\nb');
  });

  it('nest a document by demoting its headings, leaving code blocks alone', () => {
    expect(demoteHeadings('# Compare\n## P99\n```\n# not a heading\n```\n###### deep', 2)).toBe(
      '### Compare\n#### P99\n```\n# not a heading\n```\n###### deep',
    );
  });
});

function entry(i: number, p99: number): HistoryEntry {
  return {
    schemaVersion: 1,
    runId: `r${i}`,
    createdAt: `2026-11-${String(i).padStart(2, '0')}T02:00:00Z`,
    gitSha: null,
    environmentKey: 'e',
    environment: 'e',
    target: 'docker',
    profile: 'nightly',
    goVersion: null,
    runDir: '',
    cells: { 's/a': { n: 5, medians: { latencyP99Ms: p99 } } },
  };
}

const counts = { completed: 10, invalid: 0, failed: 0, skipped: 0, died: 0 };
const measured = (
  compare: Extract<TargetOutcome, { state: 'measured' }>['compare'],
  trends: Extract<TargetOutcome, { state: 'measured' }>['trends'] = [],
): TargetOutcome => ({
  target: 'docker',
  state: 'measured',
  runDir: 'results/n/docker',
  runId: 'r1',
  runExitCode: 0,
  cells: 2,
  counts,
  compare,
  trends,
  historyRuns: 3,
  report: null,
});
const clean = { state: 'clean' as const, markdown: '# Compare\n**No regression.**', regressions: [] };
const regressed = {
  state: 'regression' as const,
  markdown: '# Compare: a → b\n## P50 latency\n| s/a | … | ❌ regression |',
  regressions: [
    { cell: 's/a', metric: 'latencyP50Ms', baselineMedian: 12, currentMedian: 16, relativePct: 33.3, p: 0.002, n: [6, 6] as [number, number], gating: true },
  ],
};
const skippedKind: TargetOutcome = { target: 'kind', state: 'skipped', reason: 'no `kind` binary on PATH' };

describe('nightlyExitCode', () => {
  const drift = buildTrends(
    [100, 100, 100, 100, 100, 110, 110, 110].map((v, i) => entry(i + 1, v)),
    { metrics: ['latencyP99Ms'] },
  );

  it('is 0 for a clean compare with skipped targets, 1 for a regression', () => {
    expect(nightlyExitCode([measured(clean), skippedKind], false)).toBe(0);
    expect(nightlyExitCode([measured(regressed), skippedKind], false)).toBe(1);
  });

  it('fails on a new worse change point only with --fail-on-drift', () => {
    expect(nightlyExitCode([measured(clean, drift)], false)).toBe(0);
    expect(nightlyExitCode([measured(clean, drift)], true)).toBe(1);
  });

  it('is 3 when nothing could run or a step failed, 130 when interrupted, 4 for invalid load', () => {
    expect(nightlyExitCode([skippedKind], false)).toBe(3);
    expect(nightlyExitCode([measured(clean), { target: 'kind', state: 'failed', stage: 'run', exitCode: 3, message: 'x', runDir: null }], false)).toBe(3);
    expect(nightlyExitCode([measured(regressed)], false, true)).toBe(130);
    expect(nightlyExitCode([{ ...(measured(clean) as Extract<TargetOutcome, { state: 'measured' }>), runExitCode: 4 }], false)).toBe(4);
  });
});

describe('renderNightlySummary', () => {
  const base = { profile: 'nightly', startedAt: '2026-11-27T02:17:00.000Z', outDir: 'results/n', failOnDrift: false, baselinesDir: 'baselines' };

  it('leads with the verdict and the regression table, lists skipped targets with the reason', () => {
    const text = renderNightlySummary({ ...base, outcomes: [measured(regressed), skippedKind], exitCode: 1 });
    expect(text).toContain('**Result: REGRESSION** on docker — see the regression table below.');
    expect(text).toContain('| docker | `results/n/docker` | 10 / 0 / 0 / 0 | **regression** | none |');
    expect(text).toContain(
      '## docker: comparison with the baseline\n\n### Regressions (1 gating)\n\n| cell | metric | baseline | current | change | p | n |\n|---|---|---|---|---|---|---|\n| s/a | latencyP50Ms | 12 ms | 16 ms | **+33.3%** | 0.002 | 6+6 |',
    );
    expect(text, 'the full comparison nested below its section').toContain(
      '<details><summary>full comparison (bench compare)</summary>\n\n### Compare: a → b\n#### P50 latency',
    );
    expect(text).toContain('## Skipped\n\n- **kind**: no `kind` binary on PATH');
    expect(text).toContain('`bench run` wrote no report.md in `results/n/docker`');
  });

  it('says a failed step failed, and nothing measured only when every target was skipped', () => {
    const failed: TargetOutcome = {
      target: 'kind',
      state: 'failed',
      stage: 'run',
      exitCode: 3,
      message: 'kind create cluster exited with code 1',
      runDir: 'results/n/kind',
    };
    expect(renderNightlySummary({ ...base, outcomes: [failed], exitCode: 3 })).toContain('**Result: failed** — a step failed (see below).');
    expect(renderNightlySummary({ ...base, outcomes: [failed], exitCode: 3 })).toContain(
      '## kind: run failed (exit 3)\n\n```\nkind create cluster exited with code 1\n```',
    );
    expect(renderNightlySummary({ ...base, outcomes: [skippedKind], exitCode: 3 })).toContain(
      '**Result: nothing measured** — no target could run (see Skipped).',
    );
  });

  it('tells how to accept a baseline when there is none', () => {
    const text = renderNightlySummary({
      ...base,
      outcomes: [measured({ state: 'no-baseline', message: 'bench: --baseline auto: no baseline for this environment and profile at x' })],
      exitCode: 0,
    });
    expect(text).toContain('**Result: pass**');
    expect(text).toContain('`npx bench baseline save results/n/docker --dir baselines`');
  });
});
