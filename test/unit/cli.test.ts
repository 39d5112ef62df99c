import { describe, expect, it } from 'vitest';
import { runCli } from '../../bench/cli/main.js';

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    cwd: process.cwd(),
    env: {},
    signal: new AbortController().signal,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTTY: false,
  });
  return { code, stdout, stderr };
}

describe('bench CLI parsing (in-process)', () => {
  it.each([
    [['run', '--matrix', '--profile', 'huge'], '--profile must be one of smoke, default, full, nightly (got "huge")'],
    [['run', '--matrix', '--target', 'ecs'], '--target must be one of docker, kind, kubernetes (got "ecs")'],
    [['run', '--matrix', '--repeats', '0'], '--repeats must be a positive whole number (got "0")'],
    [['run', '--matrix', '--duration', 'ten'], '--duration must be a duration such as 10s, 1500ms or 2m (got "ten")'],
    [['run', '--matrix', '--bogus'], "Unknown option '--bogus'"],
    [['run'], 'nothing to run'],
    [['run', '--scenario', 'nope'], 'unknown scenario "nope"'],
    [['nosuch'], 'unknown command "nosuch"'],
  ])('%j → exit 2 naming the problem', async (argv, message) => {
    const { code, stderr } = await cli(...argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('prints the plan with --dry-run without touching Docker', async () => {
    const { code, stdout } = await cli('run', '--scenario', 'gomaxprocs', '--profile', 'smoke', '--dry-run', '--seed', '7');
    expect(code).toBe(0);
    expect(stdout).toContain('Plan: 4 cells, 12 repeats on docker (profile smoke)');
  });

  it('lists scenarios with their claims', async () => {
    const { code, stdout } = await cli('list');
    expect(code).toBe(0);
    expect(stdout).toContain('claims: greentea-gc-overhead, greentea-pod-table');
  });
});

describe('--help of every command comes from its flag table', () => {
  const names = ['run', 'list', 'doctor', 'report', 'compare', 'baseline', 'cluster', 'nightly', 'selftest', 'gcbench', 'generators', 'history'];
  it.each(names)('bench %s --help: exit 0, a usage line, every row within 100 columns, and -h the same', async (name) => {
    const long = await cli(name, '--help');
    expect(long.code).toBe(0);
    expect(long.stdout.startsWith(`Usage: bench ${name}`)).toBe(true);
    expect(long.stdout).toContain('-h, --help');
    for (const line of long.stdout.split('\n').filter((l) => l.startsWith('  '))) expect(line.length, line).toBeLessThanOrEqual(100);
    expect((await cli(name, '-h')).stdout).toBe(long.stdout);
  });
  it('a flag of one command is refused by another, naming it', async () => {
    const { code, stderr } = await cli('report', '--matrix');
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--matrix'");
  });
});
