import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { claimsCatalog, type ClaimCheck } from '../../scenarios/claims.js';
import { parseRunRecord } from '../results/store.js';
import type { RunRecord } from '../results/schema.js';
import { analyseRun } from '../stats/analyse.js';
import { evaluateClaims, judgeOomKills } from './evaluate.js';

function loadFixture(name: string): RunRecord {
  return parseRunRecord(readFileSync(new URL(`../../test/fixtures/${name}.json`, import.meta.url), 'utf8'), name);
}

/**
 * The smoke fixture's gomemlimit cells as a run now records them: every unset repeat and `killedAt100`
 * of the 100% cell's OOM-killed (`died`), and the GC figure the fixture predates filled in.
 */
function gomemlimitRecord(killedAt100: number): RunRecord {
  const record = structuredClone(loadFixture('record-docker-smoke'));
  let killed = 0;
  for (const r of record.repeats) {
    if (!r.cellId.startsWith('gomemlimit/')) continue;
    if (r.metrics.gcCpuShare !== undefined) r.metrics.gcCpuShareNoIdle = r.metrics.gcCpuShare;
    if (r.cellId.includes('gomemlimit=unset')) {
      r.outcome = { state: 'died', cause: 'oom', exitCode: 137, atMs: 3210 };
      r.metrics = { oomKills: 1, errorRate: 0.7, failedRequests: 450 };
    }
    if (r.cellId.includes('gomemlimit=100%') && r.outcome.state === 'completed' && killed < killedAt100) {
      killed++;
      r.outcome = { state: 'died', cause: 'oom', exitCode: 137, atMs: null };
      r.metrics = { oomKills: 1, errorRate: 0.7, failedRequests: 450 };
    }
  }
  return record;
}

const cellOf = (record: RunRecord, gomemlimit: string) =>
  analyseRun(record).cells.find((c) => c.cell.scenario === 'gomemlimit' && c.cell.settings.gomemlimit === gomemlimit)!;
const verdictOf = (record: RunRecord) => evaluateClaims(analyseRun(record), claimsCatalog).find((v) => v.claim.id === 'gomemlimit-from-limit')!;

describe('a cell whose service died', () => {
  test('is counted as died, listed as a problem, and kept out of every statistic', () => {
    const unset = cellOf(gomemlimitRecord(0), 'unset');
    expect(unset.counts.died, 'died').toBe(5);
    expect(unset.counts.completed, 'completed').toBe(0);
    expect(unset.oomKills, 'oomKills').toBe(5);
    expect(unset.problems).toEqual(['died: OOM-killed at 3.2 s (exit code 137)']);
    expect(unset.metrics.latencyP99Ms, 'no P99 of a dead service').toBeUndefined();
    expect(unset.metrics.throughputRps, 'no throughput of a dead service').toBeUndefined();
    expect(unset.latency, 'no pooled latency').toBeNull();
  });
  test('an old record whose OOM-killed repeats say `completed` still counts their OOM kills', () => {
    expect(cellOf(loadFixture('record-docker-smoke'), 'unset').oomKills, 'oomKills').toBe(4);
  });
});

describe('the gomemlimit verdict counts OOM kills', () => {
  test('no OOM kill at 100% in enough repeats: confirmed', () => {
    const check = verdictOf(gomemlimitRecord(0)).checks.find((c) => c.check.kind === 'oom-kills')!;
    expect(check.verdict).toBe('confirmed');
    expect(check.measured).toBe('OOM kills at 100%: 0 in 4 repeats');
  });
  test('one OOM kill at 100% refutes the claim, though the killed repeat enters no statistic', () => {
    const v = verdictOf(gomemlimitRecord(1));
    const check = v.checks.find((c) => c.check.kind === 'oom-kills')!;
    expect(check.verdict).toBe('refuted');
    expect(check.reason).toBe('the kernel OOM-killed the service in 1 of 4 repeats (allowed: 0)');
    expect(v.verdict).toBe('refuted');
  });
  test('judgeOomKills: kills refute at any n; none confirm only with the repeats a verdict needs', () => {
    expect(judgeOomKills(1, 1, 5, 0).verdict, '1 kill in 1 repeat').toBe('refuted');
    expect(judgeOomKills(0, 4, 5, 0).verdict, 'too few repeats').toBe('inconclusive');
    expect(judgeOomKills(0, 5, 5, 0).verdict, 'enough repeats').toBe('confirmed');
  });
  test('the catalog judges GOMEMLIMIT=100% on OOM kills and the greentea claims on CPU per request and GC without idle marking', () => {
    const checks = (id: string): ClaimCheck[] => claimsCatalog.find((c) => c.id === id)!.measurements.flatMap((m) => m.checks);
    expect(checks('gomemlimit-from-limit')[0]).toEqual({ kind: 'oom-kills', label: 'OOM kills at 100%', select: { gomemlimit: '100%' }, atMost: 0 });
    expect(checks('greentea-gc-overhead').map((c) => ('metric' in c ? c.metric : c.kind))).toEqual(['gcCpuShareNoIdle']);
    expect(checks('greentea-pod-table').map((c) => ('metric' in c ? c.metric : c.kind))).toContain('cpuMsPer1k');
    expect(checks('greentea-pod-table').map((c) => ('metric' in c ? c.metric : c.kind))).not.toContain('cpuCores');
  });
});
