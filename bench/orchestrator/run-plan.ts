/**
 * Runs a plan: every (cell, repeat) in the plan's interleaved order, each on a fresh service, with the
 * record written atomically after every repeat. A failed repeat is recorded, not thrown; Ctrl-C stops
 * after tearing down what the current repeat deployed, and the record keeps what was measured.
 */
import { performance } from 'node:perf_hooks';
import { estimateCellMs, type Plan, type PlanItem } from '../../scenarios/matrix.js';
import type { Cell } from '../../scenarios/define.js';
import type { LoadGenerator, LoadProgress } from '../load/types.js';
import type { RepeatResult } from '../results/schema.js';
import { repeatKey, type RunStore } from '../results/store.js';
import type { Target } from '../targets/types.js';
import { procedures, SettingsMismatchError, type Measurement } from './procedures.js';
import { TaskStack } from './task-stack.js';

/** What the orchestrator tells the outside (the console reporter renders it). */
export type RunEvent =
  | { type: 'repeat-start'; index: number; total: number; item: PlanItem; cell: Cell; elapsedMs: number; etaMs: number }
  | { type: 'load-progress'; item: PlanItem; progress: LoadProgress }
  | { type: 'repeat-end'; index: number; total: number; result: RepeatResult }
  | { type: 'log'; line: string };

export interface RunPlanOptions {
  plan: Plan;
  store: RunStore;
  target: Target;
  generator: LoadGenerator;
  signal: AbortSignal;
  cpuset: string | null;
  availableCpus: number;
  onEvent: (event: RunEvent) => void;
  now?: () => Date;
}

export interface RunPlanSummary {
  status: 'completed' | 'interrupted';
  measured: number;
  skippedAlreadyDone: number;
}

function describeError(error: unknown): string {
  if (error instanceof SettingsMismatchError) return error.message;
  const e = error as Error & { cause?: unknown };
  return e?.message ?? String(error);
}

export async function runPlan(options: RunPlanOptions): Promise<RunPlanSummary> {
  const { plan, store, target, generator, signal, onEvent } = options;
  const now = options.now ?? (() => new Date());
  const cells = new Map(plan.cells.map((c) => [c.id, c]));
  const done = store.doneKeys();
  const todo = plan.order.filter((item) => !done.has(repeatKey(item.cellId, item.repeat)));
  const estimates = todo.map((item) => estimateCellMs(cells.get(item.cellId) as Cell));
  const start = performance.now();
  let estimatedSoFar = 0;
  let measured = 0;

  for (const [index, item] of todo.entries()) {
    if (signal.aborted) break;
    const cell = cells.get(item.cellId) as Cell;
    const elapsedMs = performance.now() - start;
    // ETA: remaining estimates, scaled by how far off the estimates were so far.
    const remaining = estimates.slice(index).reduce((a, b) => a + b, 0);
    const scale = estimatedSoFar > 0 ? elapsedMs / estimatedSoFar : 1;
    onEvent({ type: 'repeat-start', index, total: todo.length, item, cell, elapsedMs, etaMs: remaining * scale });

    const startedAt = now();
    const stack = new TaskStack();
    let measurement: Measurement;
    try {
      measurement = await procedures[cell.kind]({
        cell,
        runId: store.record.runId,
        target,
        generator,
        signal,
        stack,
        cpuset: options.cpuset,
        availableCpus: options.availableCpus,
        onLoadProgress: (progress) => onEvent({ type: 'load-progress', item, progress }),
        log: (line) => onEvent({ type: 'log', line }),
      });
    } catch (error) {
      measurement = {
        outcome: { state: 'failed', error: describeError(error) },
        metrics: {},
        effective: null,
        load: null,
        series: {},
        events: [],
        notes: [],
        images: {},
      };
    }
    const teardownFailures = await stack.unwind();
    estimatedSoFar += estimates[index] ?? 0;
    if (signal.aborted) {
      // An interrupted repeat measured only part of its window: it is not recorded, and --resume reruns it.
      onEvent({ type: 'log', line: `interrupted during ${cell.id} repeat ${item.repeat + 1}; teardown done` });
      break;
    }
    const result: RepeatResult = {
      cellId: cell.id,
      repeat: item.repeat,
      order: plan.order.indexOf(item),
      startedAt: startedAt.toISOString(),
      endedAt: now().toISOString(),
      outcome: measurement.outcome,
      metrics: Object.fromEntries(Object.entries(measurement.metrics).filter(([, v]) => Number.isFinite(v))),
      effective: measurement.effective,
      load: measurement.load,
      series: measurement.series,
      events: measurement.events,
      notes: [...measurement.notes, ...teardownFailures.map((f) => `teardown: ${f}`)],
    };
    const newImages = Object.entries(measurement.images).filter(([tag]) => store.record.fingerprint.images[tag] === undefined);
    if (newImages.length > 0) {
      await store.update({ fingerprint: { ...store.record.fingerprint, images: { ...store.record.fingerprint.images, ...Object.fromEntries(newImages) } } });
    }
    await store.appendRepeat(result);
    measured++;
    onEvent({ type: 'repeat-end', index, total: todo.length, result });
  }
  return { status: signal.aborted ? 'interrupted' : 'completed', measured, skippedAlreadyDone: plan.order.length - todo.length };
}
