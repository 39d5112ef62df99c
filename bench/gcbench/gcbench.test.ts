import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { renderGcBench } from '../../reporters/gcbench.js';
import { renderMarkdownReport } from '../../reporters/markdown.js';
import { evaluateClaims } from '../claims/evaluate.js';
import { claimsCatalog } from '../../scenarios/claims.js';
import { parseRunRecord } from '../results/store.js';
import { analyseRun } from '../stats/analyse.js';
import { readGcBenchResult } from './store.js';
import { parseGoBenchOutput } from './parse.js';
import { requiredVersion } from './run.js';
import { compareGcBenchSamples, interleavedOrder, type GcBenchResult, type GcBenchSample } from './summary.js';

const output = `goos: linux
goarch: amd64
pkg: github.com/google/btree
cpu: AMD EPYC
BenchmarkGetCloneEachTime-2            	 2262710	       518.1 ns/op	      64 B/op	       3 allocs/op
BenchmarkDeleteInsertCloneEachTime-2   	  193268	      5817 ns/op	    3186 B/op	      11 allocs/op
BenchmarkNoMem     	  1000	      12.5 ns/op
PASS
`;

describe('go test -bench output', () => {
  test('result lines with -benchmem, the GOMAXPROCS suffix split off; other lines skipped', () => {
    expect(parseGoBenchOutput(output)).toEqual([
      { name: 'BenchmarkGetCloneEachTime', procs: 2, iterations: 2262710, nsPerOp: 518.1, bytesPerOp: 64, allocsPerOp: 3 },
      { name: 'BenchmarkDeleteInsertCloneEachTime', procs: 2, iterations: 193268, nsPerOp: 5817, bytesPerOp: 3186, allocsPerOp: 11 },
      { name: 'BenchmarkNoMem', procs: 1, iterations: 1000, nsPerOp: 12.5, bytesPerOp: null, allocsPerOp: null },
    ]);
  });
});

describe('pinned version', () => {
  test('from a one-line require and from a require block', () => {
    expect(requiredVersion('module m\n\ngo 1.26\n\nrequire github.com/google/btree v1.1.3\n', 'github.com/google/btree')).toBe('v1.1.3');
    expect(requiredVersion('module m\n\nrequire (\n\tgithub.com/google/btree v1.1.2 // indirect\n)\n', 'github.com/google/btree')).toBe('v1.1.2');
    expect(requiredVersion('module m\n', 'github.com/google/btree')).toBeNull();
  });
});

describe('interleaving and comparison', () => {
  test('both builds every round, which goes first alternating', () => {
    expect(interleavedOrder(3).map((o) => `${o.round}:${o.build}`)).toEqual([
      '0:nogreenteagc',
      '0:default',
      '1:default',
      '1:nogreenteagc',
      '2:nogreenteagc',
      '2:default',
    ]);
  });
  const sample = (round: number, build: GcBenchSample['build'], nsPerOp: number): GcBenchSample => ({
    round,
    build,
    benchmark: 'BenchmarkGetCloneEachTime',
    nsPerOp,
    bytesPerOp: 64,
    allocsPerOp: 3,
  });
  const samples = [500, 510, 505, 495, 520, 515].flatMap((ns, round) => [sample(round, 'nogreenteagc', ns), sample(round, 'default', ns * 0.9)]);
  test('ns/op of the default build against nogreenteagc: a 10% cut in every round is significant', () => {
    const [c] = compareGcBenchSamples(samples, 1);
    expect(c!.n, 'n').toEqual({ baseline: 6, treatment: 6 });
    expect(c!.design, 'every round ran both builds: paired').toBe('paired');
    expect(c!.difference!.relativePct, 'Δ of identical per-round ratios').toBeCloseTo(-10, 9);
    expect(c!.difference!.baseline.median, 'baseline median').toBe(507.5);
    expect(c!.difference!.treatment.median, 'treatment median').toBeCloseTo(456.75, 9);
    expect(c!.difference!.relativePct, 'Δ').toBeLessThan(0);
    expect(c!.difference!.significant, 'significant').toBe(true);
  });
  test('a round missing one build: independent samples', () => {
    const [c] = compareGcBenchSamples(
      samples.filter((s) => !(s.round === 2 && s.build === 'default')),
      1,
    );
    expect(c!.design).toBe('independent');
    expect(c!.n).toEqual({ baseline: 6, treatment: 5 });
  });
  test('a side without samples has no difference', () => {
    expect(
      compareGcBenchSamples(
        samples.filter((s) => s.build === 'default'),
        1,
      )[0]!.difference,
    ).toBeNull();
  });
  const result: GcBenchResult = {
    schemaVersion: 1,
    kind: 'gcbench',
    createdAt: '2026-12-07T01:00:00.000Z',
    goVersion: 'go1.26.8',
    module: { path: 'github.com/google/btree', version: 'v1.1.3' },
    benchmarks: ['BenchmarkGetCloneEachTime'],
    rounds: 6,
    benchtime: '1s',
    hostCpus: 2,
    durationMs: 61_000,
    samples,
    comparisons: compareGcBenchSamples(samples, 1),
    notes: ['a note'],
  };
  test('the report section names the module, the builds and the figures', () => {
    const md = renderGcBench(result);
    expect(md).toContain('### Standard GC benchmark: github.com/google/btree@v1.1.3');
    expect(md).toContain('| BenchmarkGetCloneEachTime | 508 ns/op | 457 ns/op | −');
    expect(md).toContain('- a note');
  });
  test('a run’s report carries the section when the run directory has gcbench.json', async () => {
    const record = parseRunRecord(readFileSync(new URL('../../test/fixtures/record-docker-smoke.json', import.meta.url), 'utf8'), 'record-docker-smoke');
    const analysis = analyseRun(record);
    const verdicts = evaluateClaims(analysis, claimsCatalog);
    expect((await renderMarkdownReport(record, analysis, verdicts)).markdown, 'without').not.toContain('## Standard GC benchmark');
    expect((await renderMarkdownReport(record, analysis, verdicts, result)).markdown, 'with').toContain('## Standard GC benchmark');
  });
  test('gcbench.json of a run directory: null when absent, an error naming the file when it is not one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gcbench-store-'));
    try {
      expect(await readGcBenchResult(dir), 'absent').toBeNull();
      await writeFile(path.join(dir, 'gcbench.json'), JSON.stringify(result));
      expect((await readGcBenchResult(dir))?.module.version, 'read').toBe('v1.1.3');
      await writeFile(path.join(dir, 'gcbench.json'), '{"kind":"other"}');
      await expect(readGcBenchResult(dir)).rejects.toThrow(/gcbench\.json: not a gcbench result/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
