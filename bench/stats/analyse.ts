/**
 * Per-cell statistics of a run record: counts by outcome, median ± bootstrap CI of every scalar metric
 * over the completed repeats, pooled latency percentiles from the merged histograms, and replica
 * curves. Only `completed` repeats enter a statistic; the others are counted and shown.
 */
import { CONTROL_REPLICA, isDriftReference, describeDeath, type RunRecord } from '../results/index.js';
import { bootstrapMedian, type MedianEstimate } from './descriptive.js';
import { comparePaired, compareSamples, type CompareOptions, type Difference } from './difference.js';
import { mergeLatencyHistograms, type PooledLatency } from './histogram.js';
import { deriveSeed } from './random.js';

export type CellRecord = RunRecord['plan']['cells'][number];

/**
 * Completed repeats a cell needs before any verdict is drawn from it, by profile. A scenario that plans
 * fewer repeats (deterministic sizes plan one) needs what it plans.
 * @default 3 for a profile not listed
 */
export const MIN_REPEATS_BY_PROFILE: Record<string, number> = { smoke: 3, default: 5, nightly: 5, full: 8 };
export const MIN_REPEATS_FALLBACK = 3;
/**
 * Completed repeats per side below which a baseline-vs-treatment comparison gives no directional
 * verdict, whatever the profile: 5 vs 5 is the smallest design whose rank interval reaches 95% with
 * room for a correction (smallest p = 2/252).
 */
export const MIN_REPEATS_DIRECTIONAL = 5;

export interface MetricSummary extends MedianEstimate {
  /** The completed repeats' values, in repeat order. */
  values: number[];
  /** The repeat index of each value (rounds of a duet pair share it). */
  repeats: number[];
}

export interface OutcomeCounts {
  completed: number;
  invalid: number;
  failed: number;
  skipped: number;
  /** The service was OOM-killed or exited on its own during the repeat. */
  died: number;
}

export interface ReplicaCurve {
  repeat: number;
  samples: Array<{ tMs: number; replicas: number }>;
}

export interface CellAnalysis {
  cell: CellRecord;
  /** How the cell's scenario ran: `duet` cells are compared round by round as pairs. */
  execution: 'sequential' | 'duet';
  /** The axes that vary within the scenario, e.g. `cpuLimit=0.5,maxprocs=auto`. */
  label: string;
  counts: OutcomeCounts;
  /** Completed repeats needed for a verdict. */
  requiredRepeats: number;
  /** Enough completed repeats for a verdict. */
  enough: boolean;
  metrics: Partial<Record<string, MetricSummary>>;
  /** Percentiles of all completed repeats' requests together (merged HDR histograms). */
  latency: PooledLatency | null;
  replicas: ReplicaCurve[];
  /** Reasons of invalid / failed / skipped / died repeats, de-duplicated. */
  problems: string[];
  /** OOM kills over every recorded repeat of the cell, whatever its outcome (a killed repeat is `died`). */
  oomKills: number;
}

export interface RunAnalysis {
  runId: string;
  target: string;
  profile: string;
  seed: number;
  hostCpus: number;
  cells: CellAnalysis[];
}

export interface AnalyseOptions {
  /** Bootstrap seed; defaults to the run's own seed, so a report is reproducible. */
  seed?: number;
  /** Completed repeats needed per cell for a verdict (overrides the profile's). */
  minRepeats?: number;
}

/** Axes whose value differs between the cells of each scenario, in cell-id order. */
function varyingAxes(cells: readonly CellRecord[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const scenario of new Set(cells.map((c) => c.scenario))) {
    const own = cells.filter((c) => c.scenario === scenario);
    const first = own[0]!;
    const axesInId = first.id
      .slice(first.id.indexOf('/') + 1)
      .split(',')
      .map((part) => part.split('=')[0]!)
      .filter((axis) => Object.hasOwn(first.settings, axis));
    out.set(
      scenario,
      axesInId.filter((axis) => new Set(own.map((c) => String(c.settings[axis as keyof CellRecord['settings']]))).size > 1),
    );
  }
  return out;
}

function cellLabel(cell: CellRecord, axes: readonly string[]): string {
  const label = axes.length === 0 ? cell.scenario : axes.map((axis) => `${axis}=${String(cell.settings[axis as keyof CellRecord['settings']])}`).join(',');
  if (cell.settings.replica === CONTROL_REPLICA) return `${label} (A/A control)`;
  return isDriftReference(cell) ? `${label} (drift reference)` : label;
}

export function analyseRun(record: RunRecord, options: AnalyseOptions = {}): RunAnalysis {
  const seed = options.seed ?? record.seed;
  const plannedRepeats = new Map(record.plan.scenarios.map((s) => [s.name, s.repeats]));
  const executions = new Map(record.plan.scenarios.map((s) => [s.name, s.execution ?? 'sequential']));
  const profileFloor = MIN_REPEATS_BY_PROFILE[record.profile] ?? MIN_REPEATS_FALLBACK;
  const axes = varyingAxes(record.plan.cells);
  const cells = record.plan.cells.map((cell): CellAnalysis => {
    const repeats = record.repeats.filter((r) => r.cellId === cell.id).sort((a, b) => a.repeat - b.repeat);
    const completed = repeats.filter((r) => r.outcome.state === 'completed');
    const counts: OutcomeCounts = { completed: 0, invalid: 0, failed: 0, skipped: 0, died: 0 };
    const problems = new Set<string>();
    for (const r of repeats) {
      counts[r.outcome.state]++;
      if (r.outcome.state === 'invalid' || r.outcome.state === 'skipped') problems.add(`${r.outcome.state}: ${r.outcome.reason}`);
      if (r.outcome.state === 'failed') problems.add(`failed: ${r.outcome.error}`);
      if (r.outcome.state === 'died') problems.add(`died: ${describeDeath(r.outcome)}`);
    }
    // A scenario that plans fewer repeats than the profile's floor may lower it, but never below
    // MIN_REPEATS_FALLBACK (a `--repeats 1` run gives no verdict); only deterministic measurements
    // (image sizes) count from a single repeat.
    const planned = plannedRepeats.get(cell.scenario) ?? profileFloor;
    // The drift reference is measured three times by design and never compared: any repeat is enough.
    const required = isDriftReference(cell)
      ? 1
      : (options.minRepeats ?? (cell.kind === 'image' ? 1 : Math.max(MIN_REPEATS_FALLBACK, Math.min(planned, profileFloor))));
    const names = [...new Set(completed.flatMap((r) => Object.keys(r.metrics)))].sort();
    const metrics: Partial<Record<string, MetricSummary>> = {};
    for (const name of names) {
      const measured = completed.filter((r) => Number.isFinite(r.metrics[name]));
      const values = measured.map((r) => r.metrics[name]!);
      if (values.length === 0) continue;
      metrics[name] = { ...bootstrapMedian(values, { seed: deriveSeed(seed, `${cell.id}|${name}`) }), values, repeats: measured.map((r) => r.repeat) };
    }
    const histograms = completed.flatMap((r) => (r.load?.histogramUs ? [r.load.histogramUs] : []));
    const replicas = completed.flatMap((r): ReplicaCurve[] => {
      const series = r.series.replicas;
      if (!series || series.length === 0) return [];
      return [
        { repeat: r.repeat, samples: series.flatMap((s) => (s.tMs !== undefined && s.replicas !== undefined ? [{ tMs: s.tMs, replicas: s.replicas }] : [])) },
      ];
    });
    return {
      cell,
      execution: executions.get(cell.scenario) ?? 'sequential',
      label: cellLabel(cell, axes.get(cell.scenario) ?? []),
      counts,
      requiredRepeats: required,
      enough: counts.completed >= required && counts.completed > 0,
      metrics,
      latency: mergeLatencyHistograms(histograms),
      replicas,
      problems: [...problems].sort(),
      oomKills: repeats.reduce((sum, r) => sum + (r.metrics.oomKills ?? (r.outcome.state === 'died' && r.outcome.cause === 'oom' ? 1 : 0)), 0),
    };
  });
  return { runId: record.runId, target: record.target, profile: record.profile, seed, hostCpus: record.fingerprint.hostCpus, cells };
}

/**
 * Baseline vs treatment of one metric between two analysed cells; `null` when a side has no values.
 * `adjusted` carries the multiplicity-corrected p when the comparison belongs to a family.
 */
export function compareCellMetric(
  analysis: Pick<RunAnalysis, 'seed'>,
  baseline: CellAnalysis,
  treatment: CellAnalysis,
  metric: string,
  options: Pick<CompareOptions, 'adjusted'> = {},
): Difference | null {
  const b = baseline.metrics[metric];
  const t = treatment.metrics[metric];
  if (!b || !t) return null;
  const seed = deriveSeed(analysis.seed, `${baseline.cell.id}→${treatment.cell.id}|${metric}`);
  if (baseline.execution === 'duet' && treatment.execution === 'duet' && baseline.cell.scenario === treatment.cell.scenario) {
    // Measured at the same time, round by round: compare the rounds both completed as pairs.
    const byRepeat = new Map(t.repeats.map((repeat, i) => [repeat, t.values[i]!]));
    const pairs = b.repeats.flatMap((repeat, i) => (byRepeat.has(repeat) ? [[b.values[i]!, byRepeat.get(repeat)!] as const] : []));
    return pairs.length === 0 ? null : comparePaired(pairs, { ...options, seed });
  }
  return compareSamples(b.values, t.values, { ...options, seed });
}
