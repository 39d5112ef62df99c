/**
 * `bench report <run-dir> [--format md|json] [-o FILE]`: renders a stored run. Markdown goes to
 * `<run-dir>/report.md` with its SVG charts beside it (or to FILE, charts beside FILE; `-o -` prints
 * the markdown without charts); the verdict table is printed at the end.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, usageError } from '../../errors.js';
import { readRunRecord } from '../../results/index.js';
import { readGcBenchResult } from '../../gcbench/index.js';
import { type ReporterName } from '../../../reporters/index.js';
import { useColor, writeReport, renderReport } from '../../orchestrator/index.js';
import { parseChoice, parsePositiveInt, type Flags } from '../../flags.js';
import { parseCommand, type CommandSpec } from '../help.js';
import type { Command } from '../types.js';

const formats = ['md', 'json'] as const satisfies ReadonlyArray<ReporterName>;

const spec = {
  name: 'report',
  usage: 'report <run-dir> [--format md|json] [-o FILE] [--seed N]',
  description: 'Renders the report of a stored run (results/<run-id>/ or its results.json).',
  positionals: true,
  flags: {
    format: { type: 'string', arg: 'md|json', help: 'markdown with SVG charts (default) or JSON' },
    out: { type: 'string', short: 'o', arg: 'FILE', help: 'where to write (default: report.md / report.json in the run directory; - for stdout)' },
    seed: { type: 'string', arg: 'N', help: "bootstrap seed (default: the run's seed, so the report is reproducible)" },
  },
} as const satisfies CommandSpec<Flags>;

export const reportCommand: Command = async (ctx) => {
  const parsed = parseCommand(ctx, spec);
  if (parsed === null) return ExitCode.ok;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    throw usageError(`bench report: expected one run directory (got ${positionals.length})`, 'bench report results/<run-id>');
  }
  const format = values.format === undefined ? 'md' : parseChoice('format', values.format, formats);
  const seed = values.seed === undefined ? undefined : parsePositiveInt('seed', values.seed);
  const input = path.resolve(ctx.cwd, positionals[0]!);
  const record = await readRunRecord(input);
  const runDir = (await stat(input)).isDirectory() ? input : path.dirname(input);
  const gcBench = await readGcBenchResult(runDir);
  if (values.out === '-') {
    ctx.stdout((await renderReport(record, { format, gcBench, ...(seed === undefined ? {} : { seed }) })).output.text);
    return ExitCode.ok;
  }
  const outFile = values.out === undefined ? path.join(runDir, format === 'md' ? 'report.md' : 'report.json') : path.resolve(ctx.cwd, values.out);
  const { summary, files } = await writeReport(record, outFile, {
    format,
    color: useColor(ctx),
    gcBench,
    ...(seed === undefined ? {} : { seed }),
  });
  ctx.stdout(summary);
  ctx.stdout(`\nreport: ${path.relative(ctx.cwd, outFile) || outFile}${files.length > 1 ? ` (${files.length - 1} SVG chart file(s) beside it)` : ''}\n`);
  return ExitCode.ok;
};
