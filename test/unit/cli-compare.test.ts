import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BenchError } from '../../bench/errors.js';
import type { RunRecord } from '../../bench/results/schema.js';
import type { CommandContext } from '../../bench/cli/types.js';
import { parseFailOn } from '../../bench/claims/fail-on.js';
import { parseThreshold } from '../../bench/stats/compare-runs.js';
import { compareCommand } from '../../bench/cli/commands/compare.js';
import { baselineCommand } from '../../bench/cli/commands/baseline.js';

const fixture = new URL('../fixtures/record-docker-smoke.json', import.meta.url);

let dir: string;
let base: RunRecord;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bench-compare-'));
  base = JSON.parse(await readFile(fixture, 'utf8')) as RunRecord;
  await save('base', base);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function save(name: string, record: RunRecord): Promise<void> {
  await mkdir(path.join(dir, name), { recursive: true });
  await writeFile(path.join(dir, name, 'results.json'), JSON.stringify(record));
}

function run(command: typeof compareCommand, argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const ctx: CommandContext = {
    argv,
    cwd: dir,
    env: {},
    signal: new AbortController().signal,
    stdout: (t) => stdout.push(t),
    stderr: (t) => stderr.push(t),
    isTTY: false,
  };
  return { result: command(ctx), stdout, stderr };
}

function slower(): RunRecord {
  const worse = structuredClone(base);
  worse.runId = 'fixture-slower';
  // Every cell's P99 ×1.5: with 5 repeats a side one slowed row among ~80 cannot survive the
  // Benjamini–Hochberg correction (smallest adjusted p = 80 · 2/252); a slowdown of every cell can.
  for (const r of worse.repeats) if (r.metrics.latencyP99Ms !== undefined) r.metrics.latencyP99Ms = r.metrics.latencyP99Ms * 1.5;
  return worse;
}

describe('bench compare across machines or software', () => {
  test('warns, naming each difference (CPU model, kernel, Go, Docker), and still compares', async () => {
    const other = structuredClone(base);
    other.runId = 'fixture-other-machine';
    other.fingerprint = { ...other.fingerprint, cpuModel: 'Other CPU @ 3.0GHz', kernel: '6.99.0', goVersion: 'go1.27.3' };
    await save('other', other);
    const { result, stdout, stderr } = run(compareCommand, ['base', 'other']);
    expect(await result).toBe(0);
    const warnings = stderr
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('bench compare: warning: '));
    expect(warnings.map((w) => w.split(': ').slice(0, 3).join(': '))).toEqual([
      'bench compare: warning: CPU model differs',
      'bench compare: warning: kernel differs',
      'bench compare: warning: Go version differs',
    ]);
    expect(warnings[2]).toBe(`bench compare: warning: Go version differs: ${base.fingerprint.goVersion} (baseline) vs go1.27.3 (current)`);
    expect(stdout.join('')).toContain('> ⚠️ The runs were measured on different machines or software: CPU model differs');
  });

  test('says nothing for the same machine', async () => {
    const { stderr } = run(compareCommand, ['base', 'base']);
    expect(stderr.join('')).not.toContain('warning');
  });
});

describe('bench compare exit codes', () => {
  test('0 when nothing regressed', async () => {
    const { result, stdout } = run(compareCommand, ['base', 'base']);
    expect(await result).toBe(0);
    expect(stdout.join('')).toContain('**No regression.**');
  });

  test('1 on a significant regression beyond the threshold, naming it', async () => {
    await save('slower', slower());
    // The P99 rows as their own family (as the nightly job does for its --gate): ~20 rows instead of ~80.
    const { result, stderr } = run(compareCommand, ['base', 'slower', '--threshold', '10%', '--family', 'latencyP99Ms']);
    expect(await result).toBe(1);
    expect(stderr.join('')).toContain('greentea/cpuLimit=1,memLimitMiB=512,gc=default,workload=alloc,liveHeapMiB=64 per-repeat P99 latency');
  });

  test('0 when the regression is within the threshold', async () => {
    await save('slower', slower());
    expect(await run(compareCommand, ['base', 'slower', '--threshold', '60%']).result).toBe(0);
  });

  test('--fail-on refuted: 1 because the current run has refuted claims', async () => {
    const { result, stderr } = run(compareCommand, ['base', 'base', '--fail-on', 'refuted']);
    expect(await result).toBe(1);
    expect(stderr.join('')).toContain('refuted claim(s) in the current run: gomaxprocs-throughput, greentea-pod-table');
  });

  test('2 for runs from another kind of machine, unless --force', async () => {
    const other = structuredClone(base);
    other.fingerprint.hostCpus = 16;
    await save('other', other);
    await expect(run(compareCommand, ['base', 'other']).result).rejects.toThrow('host CPU count differs: 2 vs 16');
    const forced = run(compareCommand, ['base', 'other', '--force']);
    expect(await forced.result).toBe(0);
    expect(forced.stderr.join('')).toContain('compared with --force');
  });

  test('usage errors name the flag and the fix', async () => {
    await expect(run(compareCommand, ['base', 'base', '--threshold', 'lots']).result).rejects.toThrow(
      '--threshold must be a percentage such as 5% (got "lots")',
    );
    await expect(run(compareCommand, ['base', 'base', '--fail-on', 'slow']).result).rejects.toThrow(
      '--fail-on must be one of regression, refuted, inconclusive (got "slow")',
    );
    await expect(run(compareCommand, ['base']).result).rejects.toThrow('expected <baseline> <current>');
    const error = await run(compareCommand, ['base', 'base', '--bogus']).result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BenchError);
    expect((error as BenchError).exitCode).toBe(2);
  });

  test('threshold and fail-on parsing', () => {
    expect(parseThreshold('5%')).toBe(5);
    expect(parseThreshold('2.5')).toBe(2.5);
    expect(parseFailOn(undefined)).toEqual(['regression']);
    expect(parseFailOn(['regression,refuted', 'refuted'])).toEqual(['regression', 'refuted']);
  });
});

describe('baselines', () => {
  test('save keys the baseline by environment fingerprint and profile; compare --baseline auto picks it', async () => {
    const saved = run(baselineCommand, ['save', 'base', '--dir', 'bl']);
    expect(await saved.result).toBe(0);
    expect(saved.stdout.join('')).toMatch(/baseline for docker-2cpu-cg1-[0-9a-f]{8}-smoke: .*bl\/docker-2cpu-cg1-[0-9a-f]{8}-smoke\/results\.json/);
    await save('slower', slower());
    const auto = run(compareCommand, ['--baseline', 'auto', 'slower', '--dir', 'bl', '--threshold', '10%', '--family', 'latencyP99Ms']);
    expect(await auto.result).toBe(1);
    expect(auto.stdout.join('')).toContain('# Compare: fixture-docker-smoke → fixture-slower');
  });

  test('--baseline auto without a saved baseline says how to make one', async () => {
    await expect(run(compareCommand, ['--baseline', 'auto', 'base', '--dir', 'none']).result).rejects.toThrow('no baseline for this environment and profile');
  });

  test('only completed runs become baselines', async () => {
    await save('partial', { ...base, status: 'interrupted' });
    await expect(run(baselineCommand, ['save', 'partial', '--dir', 'bl']).result).rejects.toThrow('is interrupted, not completed');
    await expect(run(baselineCommand, ['keep', 'base']).result).rejects.toThrow('must be save or path');
  });
});
