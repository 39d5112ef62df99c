/**
 * `bench report <run-dir> [--format md|json] [-o FILE]`: renders a stored run. Markdown goes to
 * `<run-dir>/report.md` with its SVG charts beside it (or to FILE, charts beside FILE; `-o -` prints
 * the markdown without charts); the verdict table is printed at the end.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, usageError } from '../../errors.js';
import { readRunRecord } from '../../results/store.js';
import { analyseRun } from '../../stats/analyse.js';
import { evaluateClaims } from '../../claims/evaluate.js';
import { claimsCatalog } from '../../../scenarios/claims.js';
import { readGcBenchResult } from '../../gcbench/store.js';
import { reporters, type ReporterName } from '../../../reporters/index.js';
import { useColor, writeReport } from '../../orchestrator/report-files.js';
import { parseChoice, parseCommandArgs, parsePositiveInt } from '../args.js';
import type { Command } from '../types.js';

const formats = ['md', 'json'] as const satisfies ReadonlyArray<ReporterName>;

export const reportUsage = `Usage: bench report <run-dir> [--format md|json] [-o FILE] [--seed N]

Renders the report of a stored run (results/<run-id>/ or its results.json).
  --format md|json  markdown with SVG charts (default) or JSON
  -o, --out FILE    where to write (default: report.md / report.json in the run directory; - for stdout)
  --seed N          bootstrap seed (default: the run's seed, so the report is reproducible)`;

export const reportCommand: Command = async (ctx) => {
  const { values, positionals } = parseCommandArgs('report', ctx.argv, {
    format: { type: 'string' },
    out: { type: 'string', short: 'o' },
    seed: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    ctx.stdout(`${reportUsage}\n`);
    return ExitCode.ok;
  }
  if (positionals.length !== 1) {
    throw usageError(`bench report: expected one run directory (got ${positionals.length})`, 'bench report results/<run-id>');
  }
  const format = values.format === undefined ? 'md' : parseChoice('format', values.format, formats);
  const seed = values.seed === undefined ? undefined : parsePositiveInt('seed', values.seed);
  const input = path.resolve(ctx.cwd, positionals[0]!);
  const record = await readRunRecord(input);
  const runDir = (await stat(input)).isDirectory() ? input : path.dirname(input);
  if (values.out === '-') {
    const analysis = analyseRun(record, seed === undefined ? {} : { seed });
    const output = await reporters[format].render({
      record,
      analysis,
      verdicts: evaluateClaims(analysis, claimsCatalog),
      gcBench: await readGcBenchResult(runDir),
    });
    ctx.stdout(output.text);
    return ExitCode.ok;
  }
  const outFile = values.out === undefined ? path.join(runDir, format === 'md' ? 'report.md' : 'report.json') : path.resolve(ctx.cwd, values.out);
  const { summary, files } = await writeReport(record, outFile, {
    format,
    color: useColor(ctx),
    gcBench: await readGcBenchResult(runDir),
    ...(seed === undefined ? {} : { seed }),
  });
  ctx.stdout(summary);
  ctx.stdout(`\nreport: ${path.relative(ctx.cwd, outFile) || outFile}${files.length > 1 ? ` (${files.length - 1} SVG chart file(s) beside it)` : ''}\n`);
  return ExitCode.ok;
};
