/** Issue 13 rows checked in-process: bounds before planning, records as data, `--resume` from the record. */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { everyRepeatFailed, retryHint } from '../../bench/orchestrator/finish-run.js';
import { runCli } from '../../bench/cli/main.js';
import type { RunRecord } from '../../bench/results/schema.js';

async function cli(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    cwd,
    env: {},
    signal: new AbortController().signal,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTTY: false,
  });
  return { code, stdout, stderr };
}

function fixture(name: string): RunRecord {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as RunRecord;
}

/** A run directory holding `record` as an interrupted run, in a fresh temp folder. */
async function runDir(record: RunRecord): Promise<{ root: string; dir: string }> {
  const root = await mkdtemp(path.join(tmpdir(), 'bench-hardening-'));
  const dir = path.join(root, 'run');
  await mkdir(dir);
  await writeFile(path.join(dir, 'results.json'), JSON.stringify(record));
  return { root, dir };
}

function interrupted(record: RunRecord, argv: string[]): RunRecord {
  return { ...record, status: 'interrupted', argv, repeats: record.repeats.slice(0, 2) };
}

describe('bounds are checked before planning (exit 2 naming the field)', () => {
  it.each([
    [['--repeats', '99999999999999999999999'], '--repeats must be at most 1000'],
    [['--repeats', '1001'], '--repeats must be at most 1000 (got "1001")'],
    [['--duration', '0.0001ms'], '--duration must be at least 1ms (got "0.0001ms", 0 ms after rounding)'],
    [['--duration', '99999999999m'], '--duration must be at most 60m'],
    [['--warmup', '2h'], '--warmup must be a duration'],
    [['--seed', '99999999999999999999'], '--seed must be a whole number'],
  ])('%j', async (flags, message) => {
    const { code, stderr } = await cli(process.cwd(), 'run', '--scenario', 'gomaxprocs', '--dry-run', ...flags);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('allows --warmup 0', async () => {
    const { code, stdout } = await cli(process.cwd(), 'run', '--scenario', 'gomaxprocs', '--profile', 'smoke', '--warmup', '0', '--dry-run', '--seed', '1');
    expect(code).toBe(0);
    expect(stdout).toContain('Plan: 4 cells');
  });

  it('refuses a scenario file with repeats: 1e8 at once, naming the scenario and field', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'bench-hardening-'));
    const file = path.join(root, 'huge.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'huge',
        description: 'x',
        claims: ['x'],
        kind: 'load',
        targets: ['docker'],
        repeats: 1e8,
        matrix: {},
        load: { model: 'closed', connections: 1, warmupMs: 0, durationMs: 1000 },
      }),
    );
    const started = Date.now();
    const { code, stderr } = await cli(root, 'run', '--scenario', file, '--dry-run');
    expect(stderr).toContain('scenario huge: repeats must be at most 1000 (got 100000000)');
    expect(code).toBe(2);
    expect(Date.now() - started, 'no plan was built').toBeLessThan(5000);
  });
});

describe('--out is checked before anything is created', () => {
  it('refuses a folder that already holds a run, and a file', async () => {
    const { root, dir } = await runDir(fixture('record-docker-smoke.json'));
    let result = await cli(root, 'run', '--scenario', 'gomaxprocs', '--out', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('already holds a run');
    result = await cli(root, 'run', '--scenario', 'gomaxprocs', '--out', path.join(dir, 'results.json'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is a file, not a folder');
    expect(await readdir(root)).toEqual(['run']);
  });
});

describe('names in a record are data', () => {
  it('never imports a module named by a resumed record', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'bench-hardening-'));
    const marker = path.join(root, 'imported');
    await writeFile(path.join(root, 'evil.mjs'), `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'x'); export default {};`);
    const record = interrupted(fixture('record-kind-hpa.json'), ['bench', 'run', '--scenario', 'hpa']);
    record.plan.scenarios = record.plan.scenarios.map((s) => ({ ...s, name: path.join(root, 'evil.mjs') }));
    const { dir } = await runDir(record);
    const { code, stderr } = await cli(root, 'run', '--resume', dir, '--dry-run');
    expect(code).toBe(2);
    expect(stderr).toContain('plan.scenarios.0.name must be a kebab-case name');
    expect(existsSync(marker), 'the module was not imported').toBe(false);
  });

  it('bench report refuses a record whose cell scenario would put a chart outside the folder', async () => {
    const record = fixture('record-docker-smoke.json');
    record.plan.cells = record.plan.cells.map((c) => ({ ...c, scenario: '../../x' }));
    const { root, dir } = await runDir(record);
    const { code, stderr } = await cli(root, 'report', dir);
    expect(code).toBe(2);
    expect(stderr).toContain('plan.cells.0.scenario must be a kebab-case name');
    expect(await readdir(root)).toEqual(['run']);
    expect(await readdir(dir)).toEqual(['results.json']);
  });

  it('bench baseline save refuses a profile that is a path', async () => {
    const record = fixture('record-docker-smoke.json');
    record.profile = 'x/../../../y';
    const { root, dir } = await runDir(record);
    const { code, stderr } = await cli(root, 'baseline', 'save', dir, '--dir', path.join(root, 'baselines'));
    expect(code).toBe(2);
    expect(stderr).toContain('profile must be a kebab-case name');
    expect(await readdir(root)).toEqual(['run']);
  });
});

describe('--resume takes the plan, target, profile and generator from the record', () => {
  it('plans on the recorded target (kind) without --target, from the recorded plan', async () => {
    const { root, dir } = await runDir(
      interrupted(fixture('record-kind-hpa.json'), ['bench', 'run', '--scenario', 'hpa', '--target', 'kind', '--profile', 'smoke']),
    );
    const { code, stdout, stderr } = await cli(root, 'run', '--resume', dir, '--dry-run');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Plan: 2 cells, 6 repeats on kind (profile smoke)');
  });

  it.each([
    [['--repeats', '1'], '--repeats "1" conflicts with the resumed run fixture-kind-smoke (recorded: not given)'],
    [['--duration', '1s'], '--duration "1s" conflicts'],
    [['--target', 'docker'], '--target "docker" conflicts with the resumed run fixture-kind-smoke (recorded: "kind")'],
    [['--profile', 'full'], '--profile "full" conflicts'],
    [['--scenario', 'gogc'], '--scenario ["gogc"] conflicts'],
  ])('refuses a conflicting %j with exit 2', async (flags, message) => {
    const { root, dir } = await runDir(
      interrupted(fixture('record-kind-hpa.json'), ['bench', 'run', '--scenario', 'hpa', '--target', 'kind', '--profile', 'smoke']),
    );
    const { code, stderr } = await cli(root, 'run', '--resume', dir, '--dry-run', ...flags);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('accepts a flag that repeats the record', async () => {
    const { root, dir } = await runDir(
      interrupted(fixture('record-kind-hpa.json'), ['bench', 'run', '--scenario', 'hpa', '--target', 'kind', '--profile', 'smoke']),
    );
    const { code } = await cli(root, 'run', '--resume', dir, '--dry-run', '--target', 'kind', '--scenario', 'hpa');
    expect(code).toBe(0);
  });

  it('a run of a scenario file resumes without the file (the plan is in the record)', async () => {
    const { root, dir } = await runDir(interrupted(fixture('record-kind-hpa.json'), ['bench', 'run', '--scenario', './gone/hpa-copy.mjs', '--target', 'kind']));
    const { code, stdout } = await cli(root, 'run', '--resume', dir, '--dry-run');
    expect(code).toBe(0);
    expect(stdout).toContain('6 repeats on kind');
  });
});

describe('a run whose every repeat failed', () => {
  it('is failed; one measured repeat is enough to not be', () => {
    const record = fixture('record-kind-hpa.json');
    const failed = record.repeats.map((r) => ({ ...r, outcome: { state: 'failed' as const, error: 'go: not found' } }));
    expect(everyRepeatFailed({ ...record, repeats: failed })).toBe(true);
    expect(everyRepeatFailed({ ...record, repeats: [...failed.slice(1), record.repeats[0]!] })).toBe(false);
    expect(everyRepeatFailed({ ...record, repeats: [] })).toBe(false);
    // Some failed (an API server restarted mid-run): the run completes and says how to retry them.
    expect(retryHint({ repeats: [...failed.slice(1), record.repeats[0]!] }, 'results/x')).toBe(
      `Retry the ${failed.length - 1} failed repeat(s) with: npx bench run --resume results/x`,
    );
    expect(retryHint({ repeats: [record.repeats[0]!] }, 'results/x')).toBeNull();
  });

  it('is resumed (failed repeats retried) instead of "already complete"', async () => {
    const record = fixture('record-kind-hpa.json');
    record.argv = ['bench', 'run', '--scenario', 'hpa', '--target', 'kind'];
    record.status = 'failed';
    record.repeats = record.repeats.map((r) => ({ ...r, outcome: { state: 'failed' as const, error: 'go: not found' } }));
    const { root, dir } = await runDir(record);
    const { code, stdout } = await cli(root, 'run', '--resume', dir, '--dry-run');
    expect(code).toBe(0);
    expect(stdout).not.toContain('already complete');
    expect(stdout).toContain('Plan: 2 cells');
  });
});
