/**
 * A run measured next to another CPU-hungry program must say so: the real CLI on real containers, with a
 * busy-looping process started by the test beside it. Every sequential repeat is `invalid` with the
 * reason naming the other program, each cell gets its replacement rounds (spoilt again), the run ends
 * with exit code 4 and a hint, and the report says the run was disturbed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_REPLACEMENT_ROUNDS } from '../../bench/orchestrator/adaptive.js';
import { readRunRecord } from '../../bench/results/store.js';
import { containersOfRun, dockerAvailable, gomaxprocsSmokeArgs, spawnBench } from '../helpers/docker.js';

const available = await dockerAvailable();

describe.skipIf(!available)('host-busy check (real CLI, a real CPU burner beside it)', () => {
  it('marks sequential repeats measured beside a busy loop invalid and names the busy program', async () => {
    const out = path.join(await mkdtemp(path.join(tmpdir(), 'bench-busy-')), 'run');
    const burner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    try {
      const bench = spawnBench(gomaxprocsSmokeArgs({ repeats: 1, duration: '1s', seed: 3, out }, '--host-check', 'invalid'));
      const code = await bench.code;
      // 4: every repeat of a cell is invalid, which is what a busy loop beside the run should give.
      expect(code, bench.stdout() + bench.stderr()).toBe(4);
      const record = await readRunRecord(out);
      expect(record.repeats.length).toBeGreaterThan(0);
      // Host-spoilt cells get their replacement rounds, and the run says why it gave up, with a hint.
      const perCell = new Map<string, number>();
      for (const r of record.repeats) perCell.set(r.cellId, (perCell.get(r.cellId) ?? 0) + 1);
      for (const [cellId, n] of perCell) expect(n, `${cellId}: the planned repeat and its replacement rounds`).toBe(1 + MAX_REPLACEMENT_ROUNDS);
      expect(bench.stdout()).toContain('replacement round: gomaxprocs');
      expect(bench.stderr()).toMatch(/invalid load in every repeat of .* \(the host spoilt all \d+: /);
      expect(bench.stderr()).toContain('hint: ');
      for (const r of record.repeats) {
        expect(r.outcome.state, r.cellId).toBe('invalid');
        expect(r.outcome.state === 'invalid' ? r.outcome.reason : '').toMatch(/^host busy: other processes used \d+\.\d\d cores \(.*node/);
        expect(r.metrics.hostForeignCores ?? 0, 'a busy loop is about one core').toBeGreaterThan(0.5);
      }
      expect(record.limits.some((l) => l.startsWith('The host was busy during'))).toBe(true);
      const report = await readFile(path.join(out, 'report.md'), 'utf8');
      expect(report).toContain('**Disturbed run.**');
      expect(await containersOfRun(record.runId)).toBe(0);
    } finally {
      burner.kill('SIGKILL');
    }
  });
});
