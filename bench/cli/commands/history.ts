/**
 * `bench history`: the nightly history (JSON lines, one entry per run). `append` adds a run; `show` (the
 * default) prints the trend of chosen metrics per cell and flags change points (clipped two-sided CUSUM,
 * docs/nightly.md), so a slow drift shows even when no single night crossed the compare threshold.
 */
import path from 'node:path';
import { ExitCode, usageError } from '../../errors.js';
import { type TrendSelection, DEFAULT_HISTORY_FILE } from '../../history/index.js';
import { isMetricName, metrics } from '../../results/index.js';
import { parsePositiveInt, type Flags } from '../../flags.js';
import { parseCommand, type CommandSpec } from '../help.js';
import type { Command } from '../types.js';
import { appendRunToHistory, showHistory } from '../../orchestrator/index.js';

const spec = {
  name: 'history',
  usage: 'history [show] [options]\n       bench history append <run-dir> [--file F]',
  description:
    'show (default): the trend per cell of the chosen metrics over the nightly runs, with change points.\n' +
    'append <run-dir>: add a finished run (its per-cell medians) to the history.\n' +
    'A trend only ever spans runs of one target, profile and environment (hardware) key, so runs from\n' +
    'another kind of machine never make a change point.',
  positionals: true,
  flags: {
    metric: {
      type: 'string',
      multiple: true,
      arg: 'NAME',
      help: 'show: a metric of the run record (repeatable; default latencyP99Ms, throughputRps, cpuCores, memPeakBytes, maxReplicas)',
    },
    cell: { type: 'string', arg: 'PATTERN', help: 'show: cells whose id contains PATTERN, or matches it with * wildcards' },
    last: { type: 'string', arg: 'N', help: 'show: only the newest N runs' },
    target: { type: 'string', arg: 'NAME', help: 'show: the series of this target (default: that of the newest entry)' },
    profile: { type: 'string', arg: 'NAME', help: 'show: the series of this profile (default: that of the newest entry)' },
    env: { type: 'string', arg: 'KEY', help: 'show: the series of this environment key (default: that of the newest entry)' },
    'fail-on-drift': { type: 'boolean', help: 'show: exit 1 when a change for the worse is flagged on the newest run' },
    file: { type: 'string', arg: 'F', help: `the history file (default ${DEFAULT_HISTORY_FILE})` },
  },
} as const satisfies CommandSpec<Flags>;

export const historyCommand: Command = async (ctx) => {
  const parsed = parseCommand(ctx, spec);
  if (parsed === null) return ExitCode.ok;
  const { values, positionals } = parsed;
  const file = path.resolve(ctx.cwd, values.file ?? DEFAULT_HISTORY_FILE);
  const shown = (p: string) => path.relative(ctx.cwd, p) || p;
  const [action = 'show', ...rest] = positionals;
  if (action === 'append') {
    if (rest.length !== 1) throw usageError('bench history append needs exactly one run directory', 'e.g. bench history append results/<run-id>');
    ctx.stdout(`${await appendRunToHistory(file, path.resolve(ctx.cwd, rest[0]!), shown)}\n`);
    return ExitCode.ok;
  }
  if (action !== 'show' || rest.length > 0)
    throw usageError(`bench history: unknown action "${[action, ...rest].join(' ')}"`, 'use `bench history [show]` or `bench history append <run-dir>`');
  for (const name of values.metric ?? []) {
    if (!isMetricName(name)) throw usageError(`--metric must be a metric of the run record (got "${name}")`, `one of ${Object.keys(metrics).join(', ')}`);
  }
  const selection: TrendSelection = {
    ...(values.metric === undefined ? {} : { metrics: values.metric }),
    ...(values.cell === undefined ? {} : { cellPattern: values.cell }),
    ...(values.last === undefined ? {} : { last: parsePositiveInt('last', values.last) }),
  };
  const { text, newWorse } = await showHistory(file, selection, { target: values.target, profile: values.profile, env: values.env }, shown);
  ctx.stdout(`${text}\n`);
  return values['fail-on-drift'] && newWorse.length > 0 ? ExitCode.regression : ExitCode.ok;
};
