import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseRunRecord } from '../results/store.js';
import type { RunRecord } from '../results/schema.js';
import type { Difference } from './difference.js';
import { baselineName, classifyChange, compareRuns, environmentFingerprint, environmentWarnings, IncomparableRunsError } from './compare-runs.js';

function loadFixture(name: string): RunRecord {
  return parseRunRecord(readFileSync(new URL(`../../test/fixtures/${name}.json`, import.meta.url), 'utf8'), name);
}

function diff(relativePct: number, p: number): Difference {
  const est = { n: 5, median: 1, ci: { low: 1, high: 1 } };
  const ci = { low: relativePct, high: relativePct };
  return {
    design: 'independent',
    scale: 'ratio',
    baseline: est,
    treatment: est,
    pairs: null,
    absolute: relativePct,
    absoluteCi: ci,
    relativePct,
    relativeCi: ci,
    halfWidthPct: 0,
    level: 0.95,
    achievedLevel: 0.96,
    p,
    pAdjusted: p,
    correction: 'none',
    significant: p < 0.05,
    method: 'exact',
  };
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

describe('compareRuns', { timeout: 30_000 }, () => {
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

  test('+30% P99 in one cell of 84 compared rows: p = 2/252 alone, but Benjamini–Hochberg gives 84·2/252 = 0.667', () => {
    const result = compareRuns(base, worse, { thresholdPct: 5, force: false });
    const row = result.rows.find((r) => r.cellId === 'gomaxprocs/cpuLimit=0.5,maxprocs=auto,workload=cpu' && r.metric === 'latencyP99Ms')!;
    expect(
      result.rows.filter((r) => r.status !== 'too-few-repeats'),
      'family size',
    ).toHaveLength(84);
    expect(row.difference.relativePct, 'Δ').toBeCloseTo(30, 10);
    expect(row.difference.p, 'p').toBeCloseTo(2 / 252, 12);
    expect(row.difference.pAdjusted, 'p̃').toBeCloseTo((84 * 2) / 252, 12);
    expect(row.difference.correction).toBe('benjamini-hochberg');
    expect(row.difference.significant, 'not significant after correction').toBe(false);
    expect(row.status).toBe('unchanged');
    expect(result.regressions).toEqual([]);
  });

  test('every metric ×1.3 in every cell: many small p survive Benjamini–Hochberg; flagged ⇔ p̃ ≤ α ⇔ widened CI excludes 0', () => {
    const everywhere = structuredClone(base);
    for (const r of everywhere.repeats) for (const name of Object.keys(r.metrics)) r.metrics[name] = r.metrics[name]! * 1.3;
    const result = compareRuns(base, everywhere, { thresholdPct: 5, force: false });
    const p99 = result.rows.filter((r) => r.metric === 'latencyP99Ms' && r.status !== 'too-few-repeats');
    expect(result.regressions.length, 'regressions').toBeGreaterThan(0);
    for (const r of p99) {
      // Every flagged row: adjusted p ≤ α and its widened interval excludes 0; every other row: neither.
      expect(r.status === 'regression', `${r.cellId}: p̃ = ${r.difference.pAdjusted}`).toBe(r.difference.pAdjusted <= 0.05);
      expect(r.difference.significant, `${r.cellId}: CI`).toBe(r.difference.relativeCi!.low > 0 && r.difference.achievedLevel >= r.difference.level - 1e-12);
      expect(r.difference.level, `${r.cellId}: widened`).toBeGreaterThanOrEqual(0.95);
    }
    expect(compareRuns(base, everywhere, { thresholdPct: 40, force: false }).regressions, 'none beyond 40%').toEqual([]);
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

  test("warns when the cluster or kind's node image changed between two kind runs", () => {
    const a = structuredClone(base);
    a.fingerprint.kubernetesVersion = 'v1.34.4';
    a.fingerprint.kindNodeImage = `localhost/bench-kind-node:v1.34.4-1@sha256:${'a'.repeat(64)}`;
    const b = structuredClone(a);
    expect(environmentWarnings(a, b)).toEqual([]);
    b.fingerprint.kindNodeImage = `localhost/bench-kind-node:v1.34.4-2@sha256:${'b'.repeat(64)}`;
    expect(environmentWarnings(a, b)).toEqual([
      `kind node image differs: ${a.fingerprint.kindNodeImage} (baseline) vs ${b.fingerprint.kindNodeImage} (current)`,
    ]);
    // Records from before the field: absent is unknown, not a difference from null.
    delete a.fingerprint.kindNodeImage;
    b.fingerprint.kindNodeImage = null;
    expect(environmentWarnings(a, b)).toEqual([]);
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
