import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BenchError } from '../errors.js';
import type { RepeatResult, RunRecord } from './schema.js';
import { readRunRecord, RunStore } from './store.js';

export function minimalRecord(): RunRecord {
  return {
    schemaVersion: 1,
    runId: 'r1',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    status: 'running',
    target: 'docker',
    profile: 'smoke',
    loadGenerator: 'autocannon',
    seed: 1,
    argv: ['bench', 'run'],
    fingerprint: {
      hostCpus: 2, cpuModel: 'cpu', kernel: '6.1', cgroupVersion: 1, os: 'linux x64', nodeVersion: 'v20', goVersion: 'go1.26.8',
      dockerVersion: '20.10', kubernetesVersion: null, kindVersion: null, k6Version: null, gitSha: null, images: {},
    },
    placement: { serviceCpus: null, generatorCpus: null, note: 'not pinned' },
    plan: { scenarios: [], cells: [], order: [{ cellId: 'a', repeat: 0 }, { cellId: 'a', repeat: 1 }] },
    repeats: [],
    limits: [],
  };
}

function repeat(cellId: string, index: number, state: RepeatResult['outcome']): RepeatResult {
  return {
    cellId, repeat: index, order: index, startedAt: 'x', endedAt: 'y', outcome: state, metrics: { latencyP99Ms: 1.5 },
    effective: null, load: null, series: {}, events: [], notes: [],
  };
}

async function tempDir() {
  return mkdtemp(path.join(tmpdir(), 'bench-store-'));
}

describe('RunStore', () => {
  it('writes after every repeat, leaves no temp file, and resumes with what was measured', async () => {
    const dir = path.join(await tempDir(), 'run');
    const store = await RunStore.create(dir, minimalRecord());
    await store.appendRepeat(repeat('a', 0, { state: 'completed' }));
    await store.appendRepeat(repeat('a', 1, { state: 'skipped', reason: 'x' }));
    expect(await readdir(dir)).toEqual(['results.json']);
    const reopened = await RunStore.open(dir);
    expect(reopened.record.repeats).toHaveLength(2);
    expect([...reopened.doneKeys()], 'skipped repeats are retried on resume').toEqual(['a#0']);
  });

  it('replaces an earlier attempt of the same repeat instead of duplicating it', async () => {
    const store = await RunStore.create(path.join(await tempDir(), 'run'), minimalRecord());
    await store.appendRepeat(repeat('a', 1, { state: 'skipped', reason: 'x' }));
    await store.appendRepeat(repeat('a', 1, { state: 'completed' }));
    expect(store.record.repeats.map((r) => r.outcome.state)).toEqual(['completed']);
  });

  it('refuses to overwrite an existing run', async () => {
    const dir = path.join(await tempDir(), 'run');
    await RunStore.create(dir, minimalRecord());
    await expect(RunStore.create(dir, minimalRecord())).rejects.toThrow(/already exists/);
  });
});

describe('readRunRecord', () => {
  it('names the field of a corrupt record, as a usage error', async () => {
    const dir = await tempDir();
    const record = { ...minimalRecord(), repeats: [{ ...repeat('a', 0, { state: 'completed' }), metrics: { latencyP99Ms: 'fast' } }] };
    await writeFile(path.join(dir, 'results.json'), JSON.stringify(record));
    const error = await readRunRecord(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BenchError);
    expect((error as BenchError).exitCode).toBe(2);
    expect((error as BenchError).message).toMatch(/repeats\.0\.metrics\.latencyP99Ms: .*\(got "fast"\)/);
  });

  it('says so for a file that is not JSON, and for another schema version', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'results.json'), '{"schemaVersion": 1, "runId": ');
    await expect(readRunRecord(dir)).rejects.toThrow(/not valid JSON/);
    await writeFile(path.join(dir, 'results.json'), JSON.stringify({ ...minimalRecord(), schemaVersion: 9 }));
    await expect(readRunRecord(dir)).rejects.toThrow('schemaVersion must be 1 (got 9)');
  });

  it('leaves the bad file as it was', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'results.json'), 'garbage');
    await readRunRecord(dir).catch(() => undefined);
    expect(await readFile(path.join(dir, 'results.json'), 'utf8')).toBe('garbage');
  });
});
