/**
 * `bench compare <baseline> <current> [--threshold 5%] [--fail-on regression|refuted|inconclusive]
 * [--force] [--format md|json] [-o FILE]`, or `bench compare --baseline auto <current>` for the
 * nightly job. Exit 1 when a --fail-on condition is met (default: regression), 2 for bad usage or runs
 * that are not comparable without --force.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, usageError } from '../../errors.js';
import { DEFAULT_THRESHOLD_PCT, parseThreshold } from '../../stats/index.js';
import { DEFAULT_BASELINE_DIR } from '../../results/index.js';
import { parseChoice, type Flags } from '../../flags.js';
import { parseFailOn } from '../../claims/index.js';
import { parseCommand, type CommandSpec } from '../help.js';
import type { Command } from '../types.js';
import { compareJob } from '../../orchestrator/index.js';

const spec = {
  name: 'compare',
  usage: 'compare <baseline-run> <current-run> [options]\n       bench compare --baseline auto <current-run> [options]',
  positionals: true,
  flags: {
    threshold: { type: 'string', arg: 'P', help: `regression threshold, e.g. 5% (default ${DEFAULT_THRESHOLD_PCT}%)` },
    'fail-on': { type: 'string', multiple: true, arg: 'WHAT', help: 'exit 1 on: regression (default), refuted, inconclusive; repeat or comma-separate' },
    force: { type: 'boolean', help: 'compare even if CPU count, target or cgroup version differ' },
    family: {
      type: 'string',
      arg: 'METRICS',
      help: 'these metrics (comma-separated) form their own Benjamini–Hochberg family, apart from the other rows (the nightly job passes its --gate); default: one family of all rows',
    },
    baseline: { type: 'string', arg: 'auto', help: "use the saved baseline of the current run's environment and profile" },
    dir: { type: 'string', arg: 'DIR', help: 'baseline directory for --baseline auto (default: baselines/)' },
    format: { type: 'string', arg: 'md|json', help: 'output format (default md)' },
    out: { type: 'string', short: 'o', arg: 'FILE', help: 'write the output to FILE instead of stdout' },
  },
} as const satisfies CommandSpec<Flags>;

export const compareCommand: Command = async (ctx) => {
  const parsed = parseCommand(ctx, spec);
  if (parsed === null) return ExitCode.ok;
  const { values, positionals } = parsed;
  const thresholdPct = values.threshold === undefined ? DEFAULT_THRESHOLD_PCT : parseThreshold(values.threshold);
  const failOn = parseFailOn(values['fail-on']);
  const format = values.format === undefined ? 'md' : parseChoice('format', values.format, ['md', 'json'] as const);
  let baselineArg: string;
  let currentArg: string;
  if (values.baseline !== undefined) {
    if (positionals.length !== 1)
      throw usageError(`bench compare --baseline: expected one current run (got ${positionals.length})`, 'bench compare --baseline auto results/<run-id>');
    baselineArg = values.baseline;
    currentArg = positionals[0]!;
  } else {
    if (positionals.length !== 2)
      throw usageError(
        `bench compare: expected <baseline> <current> (got ${positionals.length} runs)`,
        'bench compare results/<old> results/<new>, or --baseline auto results/<new>',
      );
    [baselineArg, currentArg] = positionals as [string, string];
  }
  const familyMetrics = values.family === undefined ? null : new Set(values.family.split(',').flatMap((m) => (m.trim() === '' ? [] : [m.trim()])));
  const { result, reasons, text } = await compareJob({
    baseline: baselineArg === 'auto' ? 'auto' : path.resolve(ctx.cwd, baselineArg),
    current: path.resolve(ctx.cwd, currentArg),
    baselineDir: values.dir === undefined ? DEFAULT_BASELINE_DIR : path.resolve(ctx.cwd, values.dir),
    thresholdPct,
    force: values.force === true,
    familyMetrics,
    failOn,
    format,
  });
  if (values.out === undefined || values.out === '-') ctx.stdout(text.endsWith('\n') ? text : `${text}\n`);
  else await writeFile(path.resolve(ctx.cwd, values.out), text, 'utf8');
  if (result.forcedMismatches.length > 0) ctx.stderr(`bench compare: compared with --force although ${result.forcedMismatches.join('; ')}\n`);
  for (const warning of result.warnings) ctx.stderr(`bench compare: warning: ${warning}\n`);
  if (reasons.length > 0) {
    ctx.stderr(`bench compare: --fail-on ${failOn.join(',')} met: ${reasons.join('; ')}\n`);
    return ExitCode.regression;
  }
  return ExitCode.ok;
};
