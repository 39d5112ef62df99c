import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BenchError } from '../../bench/errors.js';
import type { CommandContext } from '../../bench/cli/types.js';
import { reportCommand } from '../../bench/cli/commands/report.js';

const fixture = new URL('../fixtures/record-docker-smoke.json', import.meta.url);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bench-report-'));
  await copyFile(fixture, path.join(dir, 'results.json'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function context(argv: string[]): { ctx: CommandContext; out: string[] } {
  const out: string[] = [];
  return {
    out,
    ctx: { argv, cwd: dir, env: {}, signal: new AbortController().signal, stdout: (t) => out.push(t), stderr: (t) => out.push(t), isTTY: false },
  };
}

describe('bench report', () => {
  test('writes report.md and its SVG charts into the run directory and prints the verdict table', async () => {
    const { ctx, out } = context(['.']);
    expect(await reportCommand(ctx)).toBe(0);
    const files = (await readdir(dir)).sort();
    expect(files).toContain('report.md');
    expect(files.filter((f) => f.endsWith('.svg'))).toHaveLength(7);
    expect(await readFile(path.join(dir, 'report.md'), 'utf8')).toContain('## Verdicts');
    expect(out.join('')).toContain('gogc-100');
    expect(out.join('')).not.toContain('\u001b[');
  });

  test('--format json -o FILE', async () => {
    const { ctx } = context(['results.json', '--format', 'json', '-o', 'out/r.json']);
    expect(await reportCommand(ctx)).toBe(0);
    expect(JSON.parse(await readFile(path.join(dir, 'out/r.json'), 'utf8')).runId).toBe('fixture-docker-smoke');
  });

  test('-o - prints the markdown', async () => {
    const { ctx, out } = context(['.', '-o', '-']);
    expect(await reportCommand(ctx)).toBe(0);
    expect(out.join('')).toMatch(/^# Benchmark report: fixture-docker-smoke/);
  });

  test('bad input is a usage error naming the flag', async () => {
    await expect(reportCommand(context(['.', '--format', 'html']).ctx)).rejects.toThrow('--format must be one of md, json (got "html")');
    await expect(reportCommand(context(['.', '--colour']).ctx)).rejects.toBeInstanceOf(BenchError);
    await expect(reportCommand(context([]).ctx)).rejects.toThrow('expected one run directory');
    await expect(reportCommand(context(['missing']).ctx)).rejects.toThrow('no such run directory');
  });
});
