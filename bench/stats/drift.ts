/**
 * Drift of the machine over a run, from the drift reference (a copy of one cell measured at the start,
 * the middle and the end of the planned rounds; scenarios/matrix.ts). The block design spreads drift
 * evenly over the variants, so it widens intervals rather than biasing them; this says how large it was,
 * so that a report can say when it exceeds the effects it reports. Pure.
 */
import { isDriftReference, type RunRecord } from '../results/index.js';
import { median } from './descriptive.js';

export interface DriftMeasure {
  cellId: string;
  /** The figure compared: throughput for a closed-model load, CPU per 1000 requests for an open one. */
  metric: 'throughputRps' | 'cpuMsPer1k';
  /** The reference's completed repeats in the order they ran (start, middle, end). */
  values: Array<{ repeat: number; value: number }>;
  /** (largest − smallest) / median of the values, %; null with fewer than two values. */
  driftPct: number | null;
}

export function measureDrift(record: Pick<RunRecord, 'plan' | 'repeats'>): DriftMeasure[] {
  return record.plan.cells.filter(isDriftReference).map((cell) => {
    const metric = cell.load.model === 'closed' ? 'throughputRps' : 'cpuMsPer1k';
    const values = record.repeats
      .filter((r) => r.cellId === cell.id && r.outcome.state === 'completed' && Number.isFinite(r.metrics[metric]))
      .sort((a, b) => a.order - b.order)
      .map((r) => ({ repeat: r.repeat, value: r.metrics[metric] as number }));
    const xs = values.map((v) => v.value);
    const mid = xs.length === 0 ? 0 : median(xs);
    const driftPct = xs.length < 2 || mid <= 0 ? null : ((Math.max(...xs) - Math.min(...xs)) / mid) * 100;
    return { cellId: cell.id, metric, values, driftPct };
  });
}
