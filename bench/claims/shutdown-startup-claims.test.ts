import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseRunRecord } from '../results/store.js';
import type { RunRecord } from '../results/schema.js';
import { analyseRun } from '../stats/analyse.js';
import { claimsCatalog, DROP_RATE_THRESHOLD } from '../../scenarios/claims.js';
import { defaultCellSettings, type CellSettings } from '../../scenarios/define.js';
import { evaluateClaims, judgeNoFailures } from './evaluate.js';

const fixture = parseRunRecord(readFileSync(new URL('../../test/fixtures/record-docker-smoke.json', import.meta.url), 'utf8'), 'record-docker-smoke');

interface CellSpec {
  settings: Partial<CellSettings>;
  /** Metrics of each completed repeat. */
  repeats: Array<Record<string, number>>;
}

/** The fixture with one scenario's cells replaced by `cells` (ids from the settings given). */
function withScenario(scenario: string, kind: string, cells: CellSpec[], target = fixture.target): RunRecord {
  const record = structuredClone(fixture);
  record.target = target;
  const template = record.repeats[0]!;
  record.plan.cells = record.plan.cells.filter((c) => c.scenario !== scenario);
  record.repeats = record.repeats.filter((r) => !r.cellId.startsWith(`${scenario}/`));
  const planned = record.plan.scenarios.find((s) => s.name === scenario);
  if (planned) planned.repeats = Math.max(...cells.map((c) => c.repeats.length));
  else record.plan.scenarios.push({ name: scenario, kind, claims: [], repeats: Math.max(...cells.map((c) => c.repeats.length)), description: scenario });
  for (const spec of cells) {
    const id = `${scenario}/${Object.entries(spec.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}`;
    record.plan.cells.push({
      id,
      scenario,
      kind,
      settings: { ...defaultCellSettings, ...spec.settings },
      load: { model: 'open', ratePerSec: 100, connections: 64, warmupMs: 500, durationMs: 4000 },
    });
    spec.repeats.forEach((metrics, repeat) =>
      record.repeats.push({ ...structuredClone(template), cellId: id, repeat, order: record.repeats.length, metrics, outcome: { state: 'completed' } }),
    );
  }
  return record;
}

function verdictOf(record: RunRecord, claimId: string) {
  return evaluateClaims(analyseRun(record), claimsCatalog).find((v) => v.claim.id === claimId)!;
}

const times = <T>(n: number, value: T): T[] => Array.from({ length: n }, () => value);

describe('rule of three for "drops no request"', () => {
  test('0 of 400 failed: 3/400 = 0.75% < 1% → confirmed', () => {
    const r = judgeNoFailures(0, 400, 0.01);
    expect(r.verdict, 'verdict').toBe('confirmed');
    expect(r.upperBound, '3/N').toBe(0.0075);
    expect(r.reason).toContain('3/400 = 0.75%');
  });
  test('0 of 200 failed: 3/200 = 1.5% is not below 1% → inconclusive, never confirmed', () => {
    const r = judgeNoFailures(0, 200, 0.01);
    expect(r.verdict, 'verdict').toBe('inconclusive');
    expect(r.upperBound, '3/N').toBe(0.015);
    expect(r.reason).toContain('more than 300 exposed requests are needed');
  });
  test('2 of 400 failed → refuted', () => {
    expect(judgeNoFailures(2, 400, 0.01).verdict).toBe('refuted');
  });
  test('nothing exposed → inconclusive', () => {
    expect(judgeNoFailures(0, 0, 0.01).verdict).toBe('inconclusive');
  });
  test('the named threshold is 1%', () => {
    expect(DROP_RATE_THRESHOLD).toBe(0.01);
  });
});

describe('graceful-shutdown on Docker: load through SIGTERM, the recipe cell only', () => {
  const cells = (recipe: Record<string, number>[]): CellSpec[] => [
    { settings: { graceful: false, drainMs: 0, workload: 'slow' }, repeats: times(3, { failedRequests: 110, requestsExposed: 120 }) },
    { settings: { graceful: true, drainMs: 0, workload: 'slow' }, repeats: times(3, { failedRequests: 95, requestsExposed: 120 }) },
    { settings: { graceful: true, drainMs: 2000, workload: 'slow' }, repeats: recipe },
  ];
  test('0 failed among 360 exposed (3/360 = 0.833% < 1%): confirmed, judged on the drain + graceful cell alone', () => {
    const v = verdictOf(withScenario('shutdown', 'shutdown', cells(times(3, { failedRequests: 0, requestsExposed: 120 }))), 'graceful-shutdown');
    expect(v.verdict).toBe('confirmed');
    expect(v.checks[0]!.cells.map((c) => c.cell.cell.id)).toEqual(['shutdown/graceful=true,drainMs=2000,workload=slow']);
    expect(v.measured).toContain('0 of 360 failed, 95% upper bound 0.833%');
    expect(
      v.checks[0]!.contextCells?.map((c) => c.cell.id),
      'shown beside it, not judged',
    ).toEqual(['shutdown/graceful=false,drainMs=0,workload=slow', 'shutdown/graceful=true,drainMs=0,workload=slow']);
  });
  test('0 failed in 3 repeats of in-flight requests only (36 exposed): inconclusive, not confirmed', () => {
    const v = verdictOf(withScenario('shutdown', 'shutdown', cells(times(3, { failedRequests: 0, requestsExposed: 12 }))), 'graceful-shutdown');
    expect(v.verdict).toBe('inconclusive');
    expect(v.reason).toContain('3/36 = 8.33%');
  });
  test('a repeat without the exposure figure (a record from before it) gives no verdict', () => {
    const v = verdictOf(withScenario('shutdown', 'shutdown', cells(times(3, { failedRequests: 0 }))), 'graceful-shutdown');
    expect(v.verdict).toBe('inconclusive');
  });
});

describe('graceful-shutdown on Kubernetes: the selector picks preStop + graceful, not graceful alone', () => {
  test('graceful without preStop drops requests, the recipe drops none: the verdict is the recipe’s', () => {
    const record = withScenario(
      'rollout',
      'rollout',
      [
        { settings: { graceful: false, drainMs: 0 }, repeats: times(3, { failedRequests: 40, requestsExposed: 1500 }) },
        { settings: { graceful: true, drainMs: 0 }, repeats: times(3, { failedRequests: 12, requestsExposed: 1500 }) },
        { settings: { graceful: true, drainMs: 5000 }, repeats: times(3, { failedRequests: 0, requestsExposed: 1500 }) },
      ],
      'kind',
    );
    const v = verdictOf(record, 'graceful-shutdown');
    const rollout = v.checks.find((c) => c.scenario === 'rollout')!;
    expect(
      rollout.cells.map((c) => c.cell.cell.id),
      'cells judged',
    ).toEqual(['rollout/graceful=true,drainMs=5000']);
    expect(rollout.verdict).toBe('confirmed');
  });
});

describe('cold-start: judged on process start → ready, container start → ready as context', () => {
  test('a 6 ms process start with a 300 ms process creation (container set-up) and a 400 ms container start meets "< 100 ms"', () => {
    const record = withScenario('cold-start', 'startup', [
      {
        settings: { gc: 'default' },
        repeats: [6.1, 5.8, 6.5, 6.0, 6.2].map((p) => ({ processReadyMs: p, processCreatedReadyMs: 300 + p, startupMs: 400 + p, idleRssBytes: 50_000_000 })),
      },
      {
        settings: { gc: 'nogreenteagc' },
        repeats: [6.0, 6.2, 5.9, 6.1, 6.0].map((p) => ({ processReadyMs: p, startupMs: 410 + p, idleRssBytes: 50_000_000 })),
      },
    ]);
    const v = verdictOf(record, 'cold-start');
    const start = v.checks.find((c) => c.check.kind === 'absolute' && c.check.metric === 'processReadyMs')!;
    expect(start.verdict, 'process start → ready < 100 ms').toBe('confirmed');
    const judged = v.checks.flatMap((c) => (c.check.kind === 'absolute' ? [c.check.metric] : []));
    expect(judged, 'process creation and container start are not judged').toEqual(['processReadyMs', 'idleRssBytes']);
    expect(start.check.kind === 'absolute' && start.check.context, 'shown as context').toEqual(['processCreatedReadyMs', 'startupMs']);
    expect(v.verdict).toBe('confirmed');
  });
  test('a slow process start is refuted whatever the container figure', () => {
    const record = withScenario('cold-start', 'startup', [
      { settings: { gc: 'default' }, repeats: [150, 160, 155].map((p) => ({ processReadyMs: p, startupMs: 300, idleRssBytes: 50_000_000 })) },
    ]);
    expect(verdictOf(record, 'cold-start').checks[0]!.verdict).toBe('refuted');
  });
});
