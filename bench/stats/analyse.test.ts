import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseRunRecord } from '../results/store.js';
import type { RunRecord } from '../results/schema.js';
import { analyseRun } from './analyse.js';

function loadFixture(name: string): RunRecord {
  const file = new URL(`../../test/fixtures/${name}.json`, import.meta.url);
  return parseRunRecord(readFileSync(file, 'utf8'), name);
}

describe('analyseRun on the hand-written docker fixture', () => {
  const record = loadFixture('record-docker-smoke');
  const analysis = analyseRun(record);
  const cell = (id: string) => analysis.cells.find((c) => c.cell.id === id)!;

  test('only completed repeats enter a statistic; the others are counted', () => {
    const unset = cell('gomemlimit/cpuLimit=1,memLimitMiB=192,gomemlimit=unset,workload=memory,liveHeapMiB=110');
    expect(unset.counts).toEqual({ completed: 4, invalid: 1, failed: 0, skipped: 0, died: 0 });
    // The invalid repeat's 120 ms is left out: median of 48, 52, 45, 50 = 49.
    expect(unset.metrics.latencyP99Ms!.values).toEqual([48, 52, 45, 50]);
    expect(unset.metrics.latencyP99Ms!.median).toBe(49);
    expect(unset.problems).toEqual(['invalid: generator fell 12% behind the target rate']);
    expect(unset.latency!.histograms, 'histograms merged').toBe(4);
  });

  test('labels name only the axes the scenario varies', () => {
    expect(cell('gomaxprocs/cpuLimit=0.5,maxprocs=auto,workload=cpu').label).toBe('cpuLimit=0.5,maxprocs=auto');
    expect(cell('gogc/cpuLimit=1,gogc=100,workload=alloc,liveHeapMiB=32').label).toBe('gogc=100');
  });

  test('required repeats: the profile floor (smoke: 3), or what the scenario plans if fewer', () => {
    expect(cell('gomaxprocs/cpuLimit=0.5,maxprocs=auto,workload=cpu').requiredRepeats).toBe(3);
    expect(cell('image-size/gc=default,stripped=true').requiredRepeats).toBe(1);
    expect(
      analyseRun(record, { minRepeats: 6 }).cells.every((c) => !c.enough),
      'minRepeats override',
    ).toBe(true);
  });

  test('a run planned with one repeat (--repeats 1) gives no verdict on measured cells, only on sizes', () => {
    const single: RunRecord = { ...record, plan: { ...record.plan, scenarios: record.plan.scenarios.map((s) => ({ ...s, repeats: 1 })) } };
    const a = analyseRun(single);
    const of = (id: string) => a.cells.find((c) => c.cell.id === id)!;
    expect(of('gomaxprocs/cpuLimit=0.5,maxprocs=auto,workload=cpu').requiredRepeats).toBe(3);
    expect(of('image-size/gc=default,stripped=true').requiredRepeats).toBe(1);
  });

  test('same seed, same analysis', () => {
    expect(analyseRun(record)).toEqual(analysis);
    expect(analysis.seed).toBe(record.seed);
  });

  test('replica curves come from the kind fixture series', () => {
    const kind = analyseRun(loadFixture('record-kind-hpa'));
    expect(kind.cells[0]!.replicas).toHaveLength(3);
    expect(kind.cells[0]!.replicas[0]!.samples[0]).toEqual({ tMs: 0, replicas: 1 });
  });
});
