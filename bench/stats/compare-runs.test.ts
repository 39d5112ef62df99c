import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseRunRecord } from '../results/store.js';
import type { RunRecord } from '../results/schema.js';
import type { Difference } from './difference.js';
import { baselineName, classifyChange, compareRuns, environmentFingerprint, IncomparableRunsError } from './compare-runs.js';

function loadFixture(name: string): RunRecord {
  return parseRunRecord(readFileSync(new URL(`../../test/fixtures/${name}.json`, import.meta.url), 'utf8'), name);
}

function diff(relativePct: number, p: number): Difference {
  const est = { n: 5, median: 1, ci: { low: 1, high: 1 } };
  return { baseline: est, treatment: est, absolute: relativePct, absoluteCi: { low: 0, high: 0 }, relativePct, relativeCi: { low: relativePct, high: relativePct }, p, significant: p < 0.05 };
}

describe('regression rule: significant and beyond the threshold in the worse direction', () => {
  test('lower is better (P99)', () => {
    expect(classifyChange(diff(10, 0.008), 'latencyP99Ms', 5)).toBe('regression');
    expect(classifyChange(diff(3, 0.008), 'latencyP99Ms', 5)).toBe('within-threshold');
    expect(classifyChange(diff(5, 0.008), 'latencyP99Ms', 5), 'exactly the threshold is not beyond it').toBe('within-threshold');
    expect(classifyChange(diff(-10, 0.008), 'latencyP99Ms', 5)).toBe('improvement');
    expect(classifyChange(diff(40, 0.1), 'latencyP99Ms', 5), 'not significant').toBe('unchanged');
  });
  test('higher is better (throughput)', () => {
    expect(classifyChange(diff(-10, 0.008), 'throughputRps', 5)).toBe('regression');
    expect(classifyChange(diff(10, 0.008), 'throughputRps', 5)).toBe('improvement');
  });
});

describe('compareRuns', () => {
  const base = loadFixture('record-docker-smoke');
  const worse = structuredClone(base);
  worse.runId = 'fixture-docker-smoke-worse';
  for (const r of worse.repeats) {
    if (r.cellId === 'gomaxprocs/cpuLimit=0.5,maxprocs=auto,workload=cpu') r.metrics.latencyP99Ms = r.metrics.latencyP99Ms! * 1.3;
  }

  test('the same run against itself: no significant change anywhere', () => {
    const result = compareRuns(base, base, { thresholdPct: 5, force: false });
    expect(result.regressions).toEqual([]);
    expect(result.rows.every((r) => r.status === 'unchanged' || r.status === 'too-few-repeats')).toBe(true);
    expect(result.onlyInBaseline).toEqual([]);
  });

  test('+30% P99 in one cell with 5 repeats each is the one regression', () => {
    const result = compareRuns(base, worse, { thresholdPct: 5, force: false });
    expect(result.regressions.map((r) => `${r.cellId} ${r.metric}`)).toEqual(['gomaxprocs/cpuLimit=0.5,maxprocs=auto,workload=cpu latencyP99Ms']);
    expect(result.regressions[0]!.difference.relativePct).toBeCloseTo(30, 10);
    expect(result.regressions[0]!.difference.p).toBeCloseTo(2 / 252, 12);
    // …and not one beyond a 40% threshold.
    expect(compareRuns(base, worse, { thresholdPct: 40, force: false }).regressions).toEqual([]);
  });

  test('geomean row per metric across cells (benchstat)', () => {
    const result = compareRuns(base, worse, { thresholdPct: 5, force: false });
    const g = result.geomeans.find((x) => x.metric === 'latencyP99Ms')!;
    expect(g.cells).toBeGreaterThan(1);
    expect(g.changePct).toBeGreaterThan(0);
  });

  test('refuses runs from different kinds of machine unless forced, and says why', () => {
    const other = structuredClone(base);
    other.fingerprint.hostCpus = 8;
    other.fingerprint.cgroupVersion = 2;
    expect(() => compareRuns(base, other, { thresholdPct: 5, force: false })).toThrow(IncomparableRunsError);
    expect(() => compareRuns(base, other, { thresholdPct: 5, force: false })).toThrow('host CPU count differs: 2 vs 8; cgroup version differs: v1 vs v2');
    expect(compareRuns(base, other, { thresholdPct: 5, force: true }).forcedMismatches).toHaveLength(2);
  });

  test('environment fingerprint: stable, short, and different when what matters differs', () => {
    expect(environmentFingerprint(base)).toMatch(/^docker-2cpu-cg1-[0-9a-f]{8}$/);
    const sameKind = structuredClone(base);
    sameKind.fingerprint.kernel = 'another kernel';
    sameKind.fingerprint.gitSha = 'abc';
    expect(environmentFingerprint(sameKind)).toBe(environmentFingerprint(base));
    const kind = structuredClone(base);
    kind.target = 'kind';
    expect(environmentFingerprint(kind)).not.toBe(environmentFingerprint(base));
    expect(baselineName(base)).toBe(`${environmentFingerprint(base)}-smoke`);
  });
});
