import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BenchError, isBenchError } from '../errors.js';
import type { RepeatResult, RunRecord } from './schema.js';
import { parseRunRecord, readRunRecord, RunStore, writeFileAtomic } from './store.js';

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
    expect((error as BenchError).message).toMatch(/repeats\[0\]\.metrics\.latencyP99Ms: .*\(got "fast"\)/);
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

function cellFixture(): RunRecord['plan']['cells'][number] {
  const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/record-docker-smoke.json', import.meta.url), 'utf8')) as RunRecord;
  return fixture.plan.cells[0]!;
}

describe('hardening: records are data, writes fail cleanly', () => {
  it('refuses a record whose scenario name is a module path or whose names leave their folder', async () => {
    for (const [field, patch] of [
      ['plan.scenarios.0.name', (r: RunRecord) => { r.plan.scenarios = [{ name: './evil.mjs', kind: 'load', claims: [], repeats: 1, description: '' }]; }],
      ['plan.cells.0.scenario', (r: RunRecord) => { r.plan.cells = [{ ...(r.plan.cells[0] ?? cellFixture()), scenario: '../../x' }]; }],
      ['profile', (r: RunRecord) => { r.profile = 'x/../../../y'; }],
    ] as const) {
      const record = minimalRecord();
      patch(record);
      expect(() => parseRunRecord(JSON.stringify(record), 'r.json'), field).toThrow(new RegExp(`${field.replace(/\./g, '\\.')} must be a kebab-case name`));
    }
  });

  it('failed repeats are retried on resume (they measured nothing)', async () => {
    const store = await RunStore.create(path.join(await tempDir(), 'run'), minimalRecord());
    await store.appendRepeat(repeat('a', 0, { state: 'failed', error: 'go: not found' }));
    await store.appendRepeat(repeat('a', 1, { state: 'invalid', reason: 'rate missed' }));
    expect([...store.doneKeys()]).toEqual(['a#1']);
  });

  it('a failed write removes its temp file and names the file in an infrastructure error', async () => {
    const dir = await tempDir();
    // A directory where the file should be makes the rename fail after the temp file was written.
    await mkdir(path.join(dir, 'results.json'));
    const error = await writeFileAtomic(path.join(dir, 'results.json'), 'x').catch((e: unknown) => e);
    expect(isBenchError(error) && error.exitCode).toBe(3);
    expect((error as Error).message).toContain(path.join(dir, 'results.json'));
    expect(await readdir(dir)).toEqual(['results.json']);
  });
});
