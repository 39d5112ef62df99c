/** The nightly job's pure parts: target choice, compare outcomes, exit code, summary. */
import { describe, expect, it } from 'vitest';
import { classifyCompare, nightlyExitCode, parseTargets, probeTargets, renderNightlySummary, type TargetOutcome } from '../../bench/cli/commands/nightly.js';
import type { ProcessRunner } from '../../bench/exec/index.js';
import { buildTrends } from '../../bench/history/trend.js';
import type { HistoryEntry } from '../../bench/history/entry.js';

const runner = (answers: Record<string, string | Error>): ProcessRunner => async (command) => {
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
    expect(probes.map((p) => [p.target, p.available])).toEqual([['docker', true], ['kind', false], ['kubernetes', false]]);
    expect(probes[1]?.available === false && probes[1].reason).toMatch(/no `kind` binary on PATH/);
    const none = await probeTargets('auto', runner({}));
    expect(none[0]?.available === false && none[0].reason).toMatch(/^no Docker engine answers .*docker-engine\.sh$/);
  });

  it('named targets are tried, not second-guessed (their failure is loud)', async () => {
    const probes = await probeTargets(['kind', 'kubernetes'], runner({}));
    expect(probes.map((p) => [p.target, p.available])).toEqual([['kind', true], ['kubernetes', true]]);
  });
});

describe('classifyCompare', () => {
  it('maps exit codes to clean, regression, no baseline and error', () => {
    expect(classifyCompare({ exitCode: 0, stdout: 'table\n', stderr: '' })).toEqual({ state: 'clean', output: 'table' });
    expect(classifyCompare({ exitCode: 1, stdout: '| regressed |', stderr: '' })).toEqual({ state: 'regression', output: '| regressed |' });
    expect(classifyCompare({ exitCode: 2, stdout: '', stderr: 'bench: no baseline for profile nightly' }).state).toBe('no-baseline');
    expect(classifyCompare({ exitCode: 2, stdout: '', stderr: 'bench: --threshold must be' })).toEqual({ state: 'error', exitCode: 2, output: 'bench: --threshold must be' });
  });
});

function entry(i: number, p99: number): HistoryEntry {
  return {
    schemaVersion: 1, runId: `r${i}`, createdAt: `2026-11-${String(i).padStart(2, '0')}T02:00:00Z`, gitSha: null, environmentKey: 'e', environment: 'e',
    target: 'docker', profile: 'nightly', goVersion: null, runDir: '', cells: { 's/a': { n: 5, medians: { latencyP99Ms: p99 } } },
  };
}

const counts = { completed: 10, invalid: 0, failed: 0, skipped: 0 };
const measured = (compare: Extract<TargetOutcome, { state: 'measured' }>['compare'], trends: Extract<TargetOutcome, { state: 'measured' }>['trends'] = []): TargetOutcome => ({
  target: 'docker', state: 'measured', runDir: 'results/n/docker', runId: 'r1', runExitCode: 0, cells: 2, counts, compare, trends, historyRuns: 3, report: null,
});
const skippedKind: TargetOutcome = { target: 'kind', state: 'skipped', reason: 'no `kind` binary on PATH' };

describe('nightlyExitCode', () => {
  const drift = buildTrends([100, 100, 100, 100, 100, 110, 110, 110].map((v, i) => entry(i + 1, v)), { metrics: ['latencyP99Ms'] });

  it('is 0 for a clean compare with skipped targets, 1 for a regression', () => {
    expect(nightlyExitCode([measured({ state: 'clean', output: '' }), skippedKind], false)).toBe(0);
    expect(nightlyExitCode([measured({ state: 'regression', output: '' }), skippedKind], false)).toBe(1);
  });

  it('fails on a new worse change point only with --fail-on-drift', () => {
    expect(nightlyExitCode([measured({ state: 'clean', output: '' }, drift)], false)).toBe(0);
    expect(nightlyExitCode([measured({ state: 'clean', output: '' }, drift)], true)).toBe(1);
  });

  it('is 3 when nothing could run or a step failed, 130 when interrupted, 4 for invalid load', () => {
    expect(nightlyExitCode([skippedKind], false)).toBe(3);
    expect(nightlyExitCode([measured({ state: 'clean', output: '' }), { target: 'kind', state: 'failed', stage: 'run', exitCode: 3, message: 'x', runDir: null }], false)).toBe(3);
    expect(nightlyExitCode([measured({ state: 'regression', output: '' })], false, true)).toBe(130);
    expect(nightlyExitCode([{ ...(measured({ state: 'clean', output: '' }) as Extract<TargetOutcome, { state: 'measured' }>), runExitCode: 4 }], false)).toBe(4);
  });
});

describe('renderNightlySummary', () => {
  const base = { profile: 'nightly', startedAt: '2026-11-27T02:17:00.000Z', outDir: 'results/n', failOnDrift: false, baselinesDir: 'baselines' };

  it('leads with the verdict and the regression table, lists skipped targets with the reason', () => {
    const text = renderNightlySummary({ ...base, outcomes: [measured({ state: 'regression', output: '| cell | metric |\n|---|---|\n| s/a | latencyP99Ms +40% |' }), skippedKind], exitCode: 1 });
    expect(text).toContain('**Result: REGRESSION** on docker — see the regression table below.');
    expect(text).toContain('| docker | `results/n/docker` | 10 / 0 / 0 | **regression** | none |');
    expect(text).toContain('## docker: comparison with the baseline\n\n| cell | metric |\n|---|---|\n| s/a | latencyP99Ms +40% |');
    expect(text).toContain('## Skipped\n\n- **kind**: no `kind` binary on PATH');
    expect(text).toContain('`bench run` wrote no report.md in `results/n/docker`');
  });

  it('tells how to accept a baseline when there is none', () => {
    const text = renderNightlySummary({ ...base, outcomes: [measured({ state: 'no-baseline', output: '' })], exitCode: 0 });
    expect(text).toContain('**Result: pass**');
    expect(text).toContain('`npx bench baseline save results/n/docker --dir baselines`');
  });
});
