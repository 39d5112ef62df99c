/**
 * End to end, as a user runs it: the real `bench` CLI on real Docker containers of the real reference
 * service. A smoke matrix, Ctrl-C in the middle of a run, and bad input.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunRecord } from '../../bench/results/store.js';
import { expectedAutoGomaxprocs } from '../../bench/targets/service-env.js';
import { containersOfRun, dockerAvailable, gomaxprocsSmokeArgs, spawnBench } from '../helpers/docker.js';

const available = await dockerAvailable();
const tempDir = () => mkdtemp(path.join(tmpdir(), 'bench-e2e-'));

describe.skipIf(!available)('bench run on Docker (real CLI, real containers)', () => {
  it('runs the gomaxprocs smoke matrix and records GOMAXPROCS per CPU limit as the Go rule says', async () => {
    const out = path.join(await tempDir(), 'run');
    const bench = spawnBench(gomaxprocsSmokeArgs({ repeats: 2, duration: '1s', seed: 11, out }));
    const code = await bench.code;
    expect(code, bench.stdout() + bench.stderr()).toBe(0);
    expect(bench.stdout()).toMatch(/Plan: 4 cells, 8 repeats on docker/);
    expect(bench.stdout()).toMatch(/\[8\/8\]/);
    const record = await readRunRecord(out);
    expect(record.status).toBe('completed');
    expect(record.repeats).toHaveLength(8);
    for (const repeat of record.repeats) {
      const cell = record.plan.cells.find((c) => c.id === repeat.cellId);
      expect(repeat.outcome.state, `${repeat.cellId}: ${JSON.stringify(repeat.outcome)}`).not.toBe('failed');
      const expected = cell?.settings.maxprocs === 'auto' ? expectedAutoGomaxprocs(cell.settings.cpuLimit, record.fingerprint.hostCpus) : 8;
      expect(repeat.metrics.gomaxprocs, repeat.cellId).toBe(expected);
      expect(repeat.metrics.throughputRps, repeat.cellId).toBeGreaterThan(0);
      expect(repeat.load?.histogramUs, 'histogram kept').toBeTypeOf('string');
    }
    const tight = record.repeats.filter((r) => r.cellId.includes('cpuLimit=0.5'));
    expect(
      tight.every((r) => (r.metrics.throttledPeriodRatio ?? 0) > 0),
      'throttled under a 0.5 CPU limit',
    ).toBe(true);
    expect(await containersOfRun(record.runId)).toBe(0);
  });

  it('stops cleanly on Ctrl-C: no container left, a valid partial record, resumable', async () => {
    const out = path.join(await tempDir(), 'run');
    const bench = spawnBench(gomaxprocsSmokeArgs({ repeats: 3, duration: '3s', seed: 5, out }));
    await bench.waitForOutput(/\[2\/12\]/, 120_000);
    bench.kill('SIGINT');
    const code = await bench.code;
    expect(code, bench.stderr()).toBe(130);
    const record = await readRunRecord(out);
    expect(record.status).toBe('interrupted');
    expect(record.repeats.length, 'the first repeat was kept').toBeGreaterThanOrEqual(1);
    expect(record.repeats.length).toBeLessThan(12);
    expect(await containersOfRun(record.runId), 'containers left behind').toBe(0);
    expect(bench.stdout()).toContain(`npx bench run --resume`);

    const resumed = spawnBench(['run', '--resume', out]);
    expect(await resumed.code, resumed.stdout() + resumed.stderr()).toBe(0);
    const finished = await readRunRecord(out);
    expect(finished.status).toBe('completed');
    expect(finished.repeats, 'every planned repeat once').toHaveLength(12);
    expect(new Set(finished.repeats.map((r) => `${r.cellId}#${r.repeat}`)).size).toBe(12);
    expect(finished.repeats.slice(0, record.repeats.length), 'what was measured before Ctrl-C is kept as it was').toEqual(record.repeats);
  });

  it('rejects a malformed scenario file with exit 2, naming the file and the field', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'broken.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'broken',
        description: 'x',
        claims: ['gogc-100'],
        kind: 'load',
        targets: ['docker'],
        matrix: { cpuLimit: [1, -2] },
        load: { model: 'closed', connections: 1, warmupMs: 0, durationMs: 1000 },
        repeats: 1,
      }),
    );
    const bench = spawnBench(['run', '--scenario', file]);
    expect(await bench.code).toBe(2);
    expect(bench.stderr()).toContain(`${file}: matrix.cpuLimit[1]: cpuLimit must be > 0 (got -2)`);
  });

  it('rejects a corrupt results file on --resume with exit 2 and leaves it untouched', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'results.json');
    await writeFile(file, '{"schemaVersion":1,"runId":42}');
    const bench = spawnBench(['run', '--resume', dir]);
    expect(await bench.code).toBe(2);
    expect(bench.stderr()).toMatch(/results\.json: invalid run record: runId: .*\(got 42\)/);
    expect(await readFile(file, 'utf8')).toBe('{"schemaVersion":1,"runId":42}');
  });
});
