/**
 * `bench history`: the nightly history (JSON lines, one entry per run). `append` adds a run; `show` (the
 * default) prints the trend of chosen metrics per cell and flags change points (clipped two-sided CUSUM,
 * docs/nightly.md), so a slow drift shows even when no single night crossed the compare threshold.
 */
import path from 'node:path';
import { ExitCode, usageError } from '../../errors.js';
import { buildTrends, groupSeries, renderTrendText, selectSeries, type TrendSelection } from '../../history/trend.js';
import { createHistoryEntry, type HistoryEntry } from '../../history/entry.js';
import { appendHistoryEntry, DEFAULT_HISTORY_FILE, readHistory } from '../../history/file.js';
import { isMetricName, metrics } from '../../results/metrics.js';
import { readRunRecord } from '../../results/store.js';
import { parsePositiveInt } from '../args.js';
import type { Flags } from '../../flags.js';
import { parseCommand, type CommandSpec } from '../help.js';
import type { Command } from '../types.js';

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
  const [action = 'show', ...rest] = positionals;

  if (action === 'append') {
    const runDir = rest[0];
    if (runDir === undefined || rest.length > 1)
      throw usageError('bench history append needs exactly one run directory', 'e.g. bench history append results/<run-id>');
    const record = await readRunRecord(path.resolve(ctx.cwd, runDir));
    if (record.status !== 'completed')
      throw usageError(`${runDir}: the run is ${record.status}; only completed runs go into the history`, 'finish it with `bench run --resume`');
    const entry = createHistoryEntry(record, path.relative(ctx.cwd, path.resolve(ctx.cwd, runDir)) || runDir);
    await appendHistoryEntry(file, entry);
    ctx.stdout(
      `appended ${record.runId} (${Object.keys(entry.cells).length} cells, ${entry.target}/${entry.profile}, environment ${entry.environmentKey}) to ${path.relative(ctx.cwd, file) || file}\n`,
    );
    return ExitCode.ok;
  }
  if (action !== 'show' || rest.length > 0)
    throw usageError(`bench history: unknown action "${[action, ...rest].join(' ')}"`, 'use `bench history [show]` or `bench history append <run-dir>`');

  const chosen = values.metric ?? undefined;
  for (const name of chosen ?? []) {
    if (!isMetricName(name)) throw usageError(`--metric must be a metric of the run record (got "${name}")`, `one of ${Object.keys(metrics).join(', ')}`);
  }
  const selection: TrendSelection = {
    ...(chosen === undefined ? {} : { metrics: chosen }),
    ...(values.cell === undefined ? {} : { cellPattern: values.cell }),
    ...(values.last === undefined ? {} : { last: parsePositiveInt('last', values.last) }),
  };
  const entries = await readHistory(file);
  if (entries.length === 0) {
    throw usageError(
      `${path.relative(ctx.cwd, file) || file}: no history yet`,
      'the nightly job appends to it (`npm run nightly`), or add a run with `bench history append <run-dir>`',
    );
  }
  const picked = selectSeries(entries, { target: values.target, profile: values.profile, env: values.env });
  if (picked === null)
    throw usageError('no history entry matches --target/--profile/--env', `entries exist for: ${[...groupSeries(entries).keys()].join(', ')}`);
  const trends = buildTrends(picked.series, selection);
  const first = picked.series[0] as HistoryEntry;
  ctx.stdout(
    `History ${picked.key}: ${picked.series.length} run(s) of ${first.environment}${picked.others > 0 ? ` (${picked.others} runs of other series not shown)` : ''}\n`,
  );
  if (trends.length === 0) {
    ctx.stdout(`no cell matches${values.cell === undefined ? '' : ` "${values.cell}"`} with ${(chosen ?? ['the default metrics']).join(', ')}\n`);
    return ExitCode.ok;
  }
  ctx.stdout(`${renderTrendText(trends)}\n`);
  const newWorse = trends.flatMap((t) => t.changes.filter((c) => c.new && c.verdict === 'worse').map(() => t.cellId));
  if (newWorse.length > 0) ctx.stdout(`\n${newWorse.length} new change point(s) for the worse on the newest run: ${[...new Set(newWorse)].join(', ')}\n`);
  return values['fail-on-drift'] && newWorse.length > 0 ? ExitCode.regression : ExitCode.ok;
};
