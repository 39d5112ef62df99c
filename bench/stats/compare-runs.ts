/**
 * Regression compare between two runs (the nightly job): per cell and metric, the Hodges–Lehmann
 * change with its rank-test interval (difference.ts). Many cells and metrics are compared at once, so
 * the p-values of the rows that can be classified are corrected with Benjamini–Hochberg (false
 * discovery rate α) and each interval is widened to match: a row is significant when its adjusted p
 * is ≤ ALPHA, which is when its adjusted interval excludes 0. A regression is significant *and*
 * beyond the threshold in the metric's worse direction (`better` in bench/results/metrics.ts). Runs
 * whose environments differ in what matters (CPU count, target, cgroup version) are not comparable
 * unless forced. Pure.
 */
import { usageError } from '../errors.js';
import { type RunRecord, metrics, isMetricName } from '../results/index.js';
import { analyseRun, type CellAnalysis, type RunAnalysis } from './analyse.js';
import { compareSamples, type Difference } from './difference.js';
import { geomean } from './descriptive.js';
import { adjustPValues } from './multiplicity.js';
import { deriveSeed } from './random.js';

/** Default regression threshold, % change in the worse direction. */
export const DEFAULT_THRESHOLD_PCT = 5;

/** The parts of an environment that must match for two runs to be compared. */
export interface EnvironmentKey {
  target: string;
  hostCpus: number;
  cgroupVersion: 1 | 2 | null;
}

export function environmentKey(record: RunRecord): EnvironmentKey {
  return { target: record.target, hostCpus: record.fingerprint.hostCpus, cgroupVersion: record.fingerprint.cgroupVersion };
}

/** FNV-1a 32-bit as 8 hex digits. */
function fnv1aHex(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * Short stable hash of what matters in an environment: the same kind of machine gives the same hash.
 * Example: `docker-2cpu-cg1-1a2b3c4d`.
 */
export function environmentFingerprint(record: RunRecord): string {
  const key = environmentKey(record);
  const canonical = JSON.stringify([key.target, key.hostCpus, key.cgroupVersion]);
  return `${key.target}-${key.hostCpus}cpu-cg${key.cgroupVersion ?? 'none'}-${fnv1aHex(canonical)}`;
}

/** Name of a run's baseline: environment fingerprint and profile. */
export function baselineName(record: RunRecord): string {
  return `${environmentFingerprint(record)}-${record.profile}`;
}

/** Why two runs are not comparable; empty when they are. */
export function environmentMismatches(baseline: RunRecord, current: RunRecord): string[] {
  const a = environmentKey(baseline);
  const b = environmentKey(current);
  const out: string[] = [];
  if (a.target !== b.target) out.push(`target differs: ${a.target} vs ${b.target}`);
  if (a.hostCpus !== b.hostCpus) out.push(`host CPU count differs: ${a.hostCpus} vs ${b.hostCpus}`);
  if (a.cgroupVersion !== b.cgroupVersion) out.push(`cgroup version differs: v${a.cgroupVersion ?? '?'} vs v${b.cgroupVersion ?? '?'}`);
  return out;
}

/**
 * Differences of the machine that do not make two runs incomparable but may move every figure: the CPU
 * model, the kernel, the Go toolchain, the container engine, the cluster and kind's node image. Each is
 * named, as a warning.
 */
export function environmentWarnings(baseline: Pick<RunRecord, 'fingerprint'>, current: Pick<RunRecord, 'fingerprint'>): string[] {
  const a = baseline.fingerprint;
  const b = current.fingerprint;
  const fields: Array<[string, string | null | undefined, string | null | undefined]> = [
    ['CPU model', a.cpuModel, b.cpuModel],
    ['kernel', a.kernel, b.kernel],
    ['Go version', a.goVersion, b.goVersion],
    ['Docker version', a.dockerVersion, b.dockerVersion],
    ['Kubernetes version', a.kubernetesVersion, b.kubernetesVersion],
    ['kind node image', a.kindNodeImage, b.kindNodeImage],
  ];
  return fields
    .filter(([, x, y]) => (x ?? null) !== (y ?? null))
    .map(([name, x, y]) => `${name} differs: ${x ?? 'unknown'} (baseline) vs ${y ?? 'unknown'} (current)`);
}

export type RowStatus = 'regression' | 'improvement' | 'unchanged' | 'within-threshold' | 'too-few-repeats';

export interface CompareRow {
  cellId: string;
  metric: string;
  difference: Difference;
  status: RowStatus;
  /** n of the baseline and current cells. */
  n: [number, number];
}

export interface GeomeanRow {
  metric: string;
  baseline: number;
  current: number;
  changePct: number;
  cells: number;
}

export interface CompareResult {
  baselineRunId: string;
  currentRunId: string;
  thresholdPct: number;
  /** Environment differences that were overridden with `force`. */
  forcedMismatches: string[];
  /** Differences that leave the runs comparable but may move every figure (environmentWarnings). */
  warnings: string[];
  rows: CompareRow[];
  geomeans: GeomeanRow[];
  /** Cells only one run has. */
  onlyInBaseline: string[];
  onlyInCurrent: string[];
  regressions: CompareRow[];
  currentAnalysis: RunAnalysis;
}

export class IncomparableRunsError extends Error {
  override readonly name = 'IncomparableRunsError';
  constructor(readonly mismatches: string[]) {
    super(`runs are not comparable: ${mismatches.join('; ')}`);
  }
}

/** Classifies one difference under the regression rule. Exported for tests. */
export function classifyChange(d: Difference, metric: string, thresholdPct: number): Exclude<RowStatus, 'too-few-repeats'> {
  if (!d.significant) return 'unchanged';
  const better = isMetricName(metric) ? metrics[metric].better : 'none';
  const change = d.relativePct;
  // With a zero baseline any significant worsening is beyond every threshold.
  const beyond = change === null ? d.absolute !== 0 : Math.abs(change) > thresholdPct;
  if (!beyond) return 'within-threshold';
  const sign = change === null ? Math.sign(d.absolute) : Math.sign(change);
  const worse = better === 'lower' ? sign > 0 : sign < 0;
  return worse ? 'regression' : 'improvement';
}

/** How two runs are compared: the regression threshold, `--force`, the bootstrap seed, the gated family. */
export interface CompareRunsOptions {
  thresholdPct: number;
  force: boolean;
  seed?: number;
  familyMetrics?: ReadonlySet<string> | null;
}

export function compareRuns(baseline: RunRecord, current: RunRecord, options: CompareRunsOptions): CompareResult {
  const mismatches = environmentMismatches(baseline, current);
  if (mismatches.length > 0 && !options.force) throw new IncomparableRunsError(mismatches);
  const seed = options.seed ?? current.seed;
  const a = analyseRun(baseline, { seed });
  const b = analyseRun(current, { seed });
  const byId = new Map(a.cells.map((c) => [c.cell.id, c]));
  const rows: CompareRow[] = [];
  const matched: Array<[CellAnalysis, CellAnalysis]> = [];
  for (const cur of b.cells) {
    const base = byId.get(cur.cell.id);
    if (base) matched.push([base, cur]);
  }
  const planned: Array<{ base: CellAnalysis; cur: CellAnalysis; metric: string; raw: Difference }> = [];
  for (const [base, cur] of matched) {
    const names = Object.keys(cur.metrics)
      .filter((m) => base.metrics[m] && isMetricName(m) && metrics[m].better !== 'none')
      .sort();
    for (const metric of names) {
      const raw = compareSamples(base.metrics[metric]!.values, cur.metrics[metric]!.values, { seed: deriveSeed(seed, `${cur.cell.id}|${metric}`) });
      planned.push({ base, cur, metric, raw });
    }
  }
  // The families: every row that can be classified (rows with too few repeats decide nothing). With
  // `familyMetrics` (the metrics that can fail a job, e.g. the nightly's --gate) those rows form their own
  // family and the other rows another, so the rows that decide are not diluted by the ones shown as context.
  const classifiable = planned.filter((x) => x.base.enough && x.cur.enough);
  const families = options.familyMetrics
    ? [classifiable.filter((x) => options.familyMetrics?.has(x.metric)), classifiable.filter((x) => !options.familyMetrics?.has(x.metric))]
    : [classifiable];
  const adjusted = new Map<(typeof planned)[number], number>();
  for (const family of families) {
    const pAdjusted = adjustPValues(
      family.map((x) => x.raw.p),
      'benjamini-hochberg',
    );
    family.forEach((x, i) => adjusted.set(x, pAdjusted[i]!));
  }
  for (const x of planned) {
    const p = adjusted.get(x);
    const difference =
      p === undefined
        ? x.raw
        : compareSamples(x.base.metrics[x.metric]!.values, x.cur.metrics[x.metric]!.values, {
            seed: deriveSeed(seed, `${x.cur.cell.id}|${x.metric}`),
            adjusted: { method: 'benjamini-hochberg', pAdjusted: p },
          });
    const status: RowStatus = p === undefined ? 'too-few-repeats' : classifyChange(difference, x.metric, options.thresholdPct);
    rows.push({ cellId: x.cur.cell.id, metric: x.metric, difference, status, n: [difference.baseline.n, difference.treatment.n] });
  }
  const geomeans: GeomeanRow[] = [];
  for (const metric of [...new Set(rows.map((r) => r.metric))]) {
    const own = rows.filter((r) => r.metric === metric);
    const gb = geomean(own.map((r) => r.difference.baseline.median));
    const gc = geomean(own.map((r) => r.difference.treatment.median));
    if (own.length > 1 && gb !== null && gc !== null) geomeans.push({ metric, baseline: gb, current: gc, changePct: (gc / gb - 1) * 100, cells: own.length });
  }
  const currentIds = new Set(b.cells.map((c) => c.cell.id));
  return {
    baselineRunId: baseline.runId,
    currentRunId: current.runId,
    thresholdPct: options.thresholdPct,
    forcedMismatches: mismatches,
    warnings: environmentWarnings(baseline, current),
    rows,
    geomeans,
    onlyInBaseline: a.cells.filter((c) => !currentIds.has(c.cell.id)).map((c) => c.cell.id),
    onlyInCurrent: b.cells.filter((c) => !byId.has(c.cell.id)).map((c) => c.cell.id),
    regressions: rows.filter((r) => r.status === 'regression'),
    currentAnalysis: b,
  };
}

/** `5%`, `5`, `2.5%` → 5, 5, 2.5. */
export function parseThreshold(value: string): number {
  const match = /^(\d+(?:\.\d+)?)%?$/.exec(value.trim());
  if (!match) throw usageError(`--threshold must be a percentage such as 5% (got "${value}")`, 'bench compare a b --threshold 5%');
  const pct = Number(match[1]);
  if (pct >= 1000) throw usageError(`--threshold must be below 1000% (got "${value}")`);
  return pct;
}
