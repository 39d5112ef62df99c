/**
 * `bench history` once its flags are read: `append` puts a finished run's per-cell medians into the
 * history file; `show` picks one series (target, profile, environment), builds the trends of the chosen
 * metrics and renders them with their change points.
 */
import { usageError } from '../errors.js';
import {
  createHistoryEntry,
  type HistoryEntry,
  appendHistoryEntry,
  readHistory,
  buildTrends,
  groupSeries,
  renderTrendText,
  selectSeries,
  type TrendSelection,
} from '../history/index.js';
import { readRunRecord } from '../results/index.js';

/** Appends the run in `runDir`; returns the line to print. `shown` turns a path into what the user typed. */
export async function appendRunToHistory(file: string, runDir: string, shown: (p: string) => string): Promise<string> {
  const record = await readRunRecord(runDir);
  if (record.status !== 'completed')
    throw usageError(`${shown(runDir)}: the run is ${record.status}; only completed runs go into the history`, 'finish it with `bench run --resume`');
  const entry = createHistoryEntry(record, shown(runDir));
  await appendHistoryEntry(file, entry);
  const cells = Object.keys(entry.cells).length;
  return `appended ${record.runId} (${cells} cells, ${entry.target}/${entry.profile}, environment ${entry.environmentKey}) to ${shown(file)}`;
}

/** The trends of one series, as text; `newWorse`: the cells with a new change point for the worse on the newest run. */
export async function showHistory(
  file: string,
  selection: TrendSelection,
  series: { target?: string | undefined; profile?: string | undefined; env?: string | undefined },
  shown: (p: string) => string,
): Promise<{ text: string; newWorse: string[] }> {
  const entries = await readHistory(file);
  if (entries.length === 0) {
    throw usageError(`${shown(file)}: no history yet`, 'the nightly job appends to it (`npm run nightly`), or add a run with `bench history append <run-dir>`');
  }
  const picked = selectSeries(entries, series);
  if (picked === null)
    throw usageError('no history entry matches --target/--profile/--env', `entries exist for: ${[...groupSeries(entries).keys()].join(', ')}`);
  const trends = buildTrends(picked.series, selection);
  const first = picked.series[0] as HistoryEntry;
  const others = picked.others > 0 ? ` (${picked.others} runs of other series not shown)` : '';
  const head = `History ${picked.key}: ${picked.series.length} run(s) of ${first.environment}${others}`;
  if (trends.length === 0) {
    const metrics = (selection.metrics ?? ['the default metrics']).join(', ');
    return { text: `${head}\nno cell matches${selection.cellPattern === undefined ? '' : ` "${selection.cellPattern}"`} with ${metrics}`, newWorse: [] };
  }
  const points = trends.flatMap((t) => t.changes.filter((c) => c.new && c.verdict === 'worse').map(() => t.cellId));
  const newWorse = [...new Set(points)];
  const worse = points.length === 0 ? '' : `\n\n${points.length} new change point(s) for the worse on the newest run: ${newWorse.join(', ')}`;
  return { text: `${head}\n${renderTrendText(trends)}${worse}`, newWorse };
}
