/**
 * Trends of chosen metrics per cell over the nightly history, with change points, as text (terminal) and
 * markdown (job summary). Pure.
 */
import { formatMetricValue } from '../claims/index.js';
import { metrics, isMetricName, type MetricName } from '../results/index.js';
import { detectChangePoints, type ChangePoint, type ChangePointOptions } from './change-points.js';
import { seriesKey, type HistoryEntry } from './entry.js';

/** Metrics shown when none is chosen: latency, CPU, memory, scaling. */
export const DEFAULT_TREND_METRICS: readonly MetricName[] = ['latencyP99Ms', 'throughputRps', 'cpuCores', 'memPeakBytes', 'maxReplicas'];

export interface TrendPoint {
  runId: string;
  createdAt: string;
  gitSha: string | null;
  value: number;
}

/** A change point, judged against the metric's direction. */
export interface FlaggedChange extends ChangePoint {
  /** `worse` / `better` for metrics with a direction, `changed` for descriptive ones. */
  verdict: 'worse' | 'better' | 'changed';
  /** The run where the change begins. */
  run: TrendPoint;
  /** Flagged on the newest entry of the series (a new finding tonight). */
  new: boolean;
}

export interface CellTrend {
  cellId: string;
  metric: MetricName;
  points: TrendPoint[];
  changes: FlaggedChange[];
}

export interface TrendSelection {
  metrics?: readonly string[];
  /** `*` is a wildcard; without one, a substring of the cell id. */
  cellPattern?: string;
  /** Only the newest N entries of the series. */
  last?: number;
  changePoints?: Partial<ChangePointOptions>;
}

/** `gomaxprocs/*auto*` → RegExp; a pattern without `*` matches as a substring. */
export function cellMatcher(pattern: string | undefined): (cellId: string) => boolean {
  if (pattern === undefined || pattern === '') return () => true;
  if (!pattern.includes('*')) return (id) => id.includes(pattern);
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`);
  return (id) => regex.test(id);
}

/** Groups entries by series (target / profile / environment), each in time order. */
export function groupSeries(entries: readonly HistoryEntry[]): Map<string, HistoryEntry[]> {
  const groups = new Map<string, HistoryEntry[]>();
  for (const entry of entries) groups.set(seriesKey(entry), [...(groups.get(seriesKey(entry)) ?? []), entry]);
  for (const list of groups.values()) list.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.runId.localeCompare(b.runId));
  return groups;
}

function verdictOf(metric: MetricName, direction: 'up' | 'down'): FlaggedChange['verdict'] {
  const better = metrics[metric].better;
  if (better === 'none') return 'changed';
  return (direction === 'up') === (better === 'lower') ? 'worse' : 'better';
}

/** Trends of one series (entries of one target/profile/environment, in time order). */
export function buildTrends(series: readonly HistoryEntry[], selection: TrendSelection = {}): CellTrend[] {
  const chosen = selection.metrics ?? DEFAULT_TREND_METRICS;
  for (const name of chosen) {
    if (!isMetricName(name)) throw new Error(`unknown metric "${name}"`);
  }
  const entries = selection.last === undefined ? series : series.slice(-selection.last);
  const matches = cellMatcher(selection.cellPattern);
  const cellIds = [...new Set(entries.flatMap((e) => Object.keys(e.cells)))].filter(matches).sort();
  const trends: CellTrend[] = [];
  for (const cellId of cellIds) {
    for (const metric of chosen as MetricName[]) {
      const points: TrendPoint[] = [];
      for (const entry of entries) {
        const value = entry.cells[cellId]?.medians[metric];
        if (value !== undefined) points.push({ runId: entry.runId, createdAt: entry.createdAt, gitSha: entry.gitSha, value });
      }
      if (points.length === 0) continue;
      const changes = detectChangePoints(
        points.map((p) => p.value),
        selection.changePoints,
      ).map((c) => ({
        ...c,
        verdict: verdictOf(metric, c.direction),
        run: points[c.index] as TrendPoint,
        new: c.detectedAt === points.length - 1,
      }));
      trends.push({ cellId, metric, points, changes });
    }
  }
  return trends;
}

const BARS = '▁▂▃▄▅▆▇█';

/** One block character per value, scaled between the series' min and max; `|` before each change point. */
export function sparkline(values: readonly number[], breaks: readonly number[] = []): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  return values
    .map((v, i) => {
      const level = max === min ? 3 : Math.round(((v - min) / (max - min)) * (BARS.length - 1));
      return `${breaks.includes(i) ? '|' : ''}${BARS[level]}`;
    })
    .join('');
}

/** A metric value with its unit (one home: bench/claims/format.ts). */
export { formatMetricValue };

function formatShift(change: ChangePoint): string {
  return change.relativeShift === null
    ? `${change.before} → ${change.after}`
    : `${change.relativeShift >= 0 ? '+' : ''}${(change.relativeShift * 100).toFixed(1)}%`;
}

function describeChange(trend: CellTrend, change: FlaggedChange): string {
  const sha = change.run.gitSha === null ? '' : ` ${change.run.gitSha.slice(0, 7)}`;
  return `change point at #${change.index + 1} (${change.run.createdAt.slice(0, 10)} ${change.run.runId}${sha}): ${formatShift(change)} ${change.verdict} (${formatMetricValue(trend.metric, change.before)} → ${formatMetricValue(trend.metric, change.after)}), flagged at #${change.detectedAt + 1}${change.new ? ' — new tonight' : ''}`;
}

/** Terminal text: per cell and metric a sparkline, first → last, and the change points. */
export function renderTrendText(trends: readonly CellTrend[]): string {
  const lines: string[] = [];
  let lastCell = '';
  for (const trend of trends) {
    if (trend.cellId !== lastCell) {
      lines.push(trend.cellId);
      lastCell = trend.cellId;
    }
    const values = trend.points.map((p) => p.value);
    const first = values[0] as number;
    const last = values[values.length - 1] as number;
    const delta = first === 0 ? '' : ` (${last >= first ? '+' : ''}${(((last - first) / Math.abs(first)) * 100).toFixed(1)}%)`;
    const better = metrics[trend.metric].better;
    lines.push(
      `  ${trend.metric.padEnd(14)} ${sparkline(
        values,
        trend.changes.map((c) => c.index),
      )}  ${formatMetricValue(trend.metric, first)} → ${formatMetricValue(trend.metric, last)}${delta}, n=${values.length}${better === 'none' ? '' : `, ${better} is better`}`,
    );
    for (const change of trend.changes) lines.push(`    ${change.verdict === 'worse' ? '!' : '·'} ${describeChange(trend, change)}`);
  }
  return lines.join('\n');
}

/** Markdown for the job summary: only the trends with change points, worst first. */
export function renderDriftMarkdown(trends: readonly CellTrend[], entries: number): string {
  const flagged = trends.flatMap((t) => t.changes.map((c) => ({ t, c })));
  if (flagged.length === 0) return `No change points in the last ${entries} nightly run(s) of this environment (two-sided CUSUM, h = 4σ; see docs/nightly.md).`;
  const order = { worse: 0, changed: 1, better: 2 } as const;
  flagged.sort((a, b) => order[a.c.verdict] - order[b.c.verdict] || Number(b.c.new) - Number(a.c.new));
  const rows = flagged.map(
    ({ t, c }) =>
      `| ${t.cellId} | ${t.metric} | \`${sparkline(
        t.points.map((p) => p.value),
        [c.index],
      )}\` | ${formatShift(c)} | ${c.verdict}${c.new ? ' (new)' : ''} | ${c.run.runId}${c.run.gitSha === null ? '' : ` (${c.run.gitSha.slice(0, 7)})`} |`,
  );
  return ['| cell | metric | trend | shift | verdict | from run |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

/** Picks the series to show: the newest entry's unless target/profile/env say otherwise. */
export function selectSeries(
  entries: readonly HistoryEntry[],
  want: { target?: string | undefined; profile?: string | undefined; env?: string | undefined },
): { key: string; series: HistoryEntry[]; others: number } | null {
  const candidates = entries.filter(
    (e) =>
      (want.target === undefined || e.target === want.target) &&
      (want.profile === undefined || e.profile === want.profile) &&
      (want.env === undefined || e.environmentKey === want.env),
  );
  if (candidates.length === 0) return null;
  const newest = [...candidates].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1) as HistoryEntry;
  const key = seriesKey(newest);
  const series = groupSeries(candidates).get(key) ?? [];
  return { key, series, others: entries.length - series.length };
}
