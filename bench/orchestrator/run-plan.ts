/**
 * Runs a plan: every (cell, repeat) in the plan's interleaved order, each on a fresh service, with the
 * record written atomically after every repeat. The cells of a `duet` scenario's round run at the same
 * time (a group), each on its own service, their load started together. A failed repeat is recorded, not
 * thrown; Ctrl-C stops after tearing down what the current group deployed, and the record keeps what was
 * measured. Around every group the host's other activity is measured: a sequential repeat measured
 * while other processes used the CPUs is `invalid` ("host busy"), a duet repeat keeps a note (the pair
 * shared the disturbance).
 */
import { forbiddenError, type Target } from '../targets/index.js';
import { performance } from 'node:perf_hooks';
import { estimateCellMs, type Plan, type PlanItem, type Cell, type ExecutionMode } from '../../scenarios/index.js';
import { clusterCommands, engineCommands, hostActivity, hostBusyReason, readHostCpu, type HostCpuSnapshot } from '../collect/index.js';
import { LATE_SENDS_REASON, type LoadGenerator, type LoadProgress } from '../load/index.js';
import { type RepeatResult, repeatKey, type RunStore } from '../results/index.js';
import { procedures, SettingsMismatchError, type Measurement } from './procedures.js';
import { TaskStack } from './task-stack.js';

/** What the orchestrator tells the outside (the console reporter renders it). */
export type RunEvent =
  | { type: 'repeat-start'; index: number; total: number; item: PlanItem; cell: Cell; elapsedMs: number; etaMs: number }
  | { type: 'load-progress'; item: PlanItem; progress: LoadProgress }
  | { type: 'repeat-end'; index: number; total: number; result: RepeatResult }
  | { type: 'log'; line: string };

/** How one scenario's cells run: together or one at a time, and on which CPUs. */
export interface ScenarioExecution {
  execution: ExecutionMode;
  /** The service's cpuset (`null`: the whole CPU set). */
  cpuset: string | null;
  /** CPUs the service can run on (for the GOMAXPROCS rule). */
  availableCpus: number;
}

export interface RunPlanOptions {
  plan: Plan;
  store: RunStore;
  target: Target;
  generator: LoadGenerator;
  signal: AbortSignal;
  /** Per scenario name; a scenario not listed runs sequentially on `fallback`. */
  executions: ReadonlyMap<string, ScenarioExecution>;
  fallback: ScenarioExecution;
  onEvent: (event: RunEvent) => void;
  now?: () => Date;
  /** Reads the host's foreign CPU activity; `null` turns the check off. */
  readHost?: (() => Promise<HostCpuSnapshot | null>) | null;
  /** What a busy host does to a sequential repeat: `invalid` (default) or only a `note`. */
  hostBusy?: 'invalid' | 'note';
}

export interface RunPlanSummary {
  status: 'completed' | 'interrupted';
  measured: number;
  skippedAlreadyDone: number;
}

function describeError(error: unknown): string {
  if (error instanceof SettingsMismatchError) return error.message;
  const forbidden = forbiddenError(error);
  if (forbidden !== null) return `${forbidden.message} (${forbidden.hint ?? ''})`;
  const e = error as Error & { cause?: unknown };
  return e?.message ?? String(error);
}

function failedMeasurement(error: unknown): Measurement {
  return {
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

/**
 * A start line for the loads of a duet group: each member arrives when its service is deployed and
 * verified; the loads start when every member still in the group has arrived. A member that failed
 * before arriving leaves, so the others do not wait for it.
 */
export function createStartLine(members: number): { arrive(): Promise<void>; leave(): void } {
  let waiting = members;
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const check = () => {
    if (waiting <= 0) release();
  };
  return {
    arrive() {
      waiting--;
      check();
      return released;
    },
    leave() {
      waiting--;
      check();
    },
  };
}

/** Groups the plan's order: a duet scenario's cells of one round form one group, at the first member's place. */
export function groupOrder(order: readonly PlanItem[], cells: ReadonlyMap<string, Cell>, executionOf: (scenario: string) => ExecutionMode): PlanItem[][] {
  const groups: PlanItem[][] = [];
  const duetGroups = new Map<string, PlanItem[]>();
  for (const item of order) {
    const cell = cells.get(item.cellId) as Cell;
    if (executionOf(cell.scenario) !== 'duet') {
      groups.push([item]);
      continue;
    }
    const key = `${cell.scenario}#${item.repeat}`;
    const existing = duetGroups.get(key);
    if (existing) existing.push(item);
    else {
      const group = [item];
      duetGroups.set(key, group);
      groups.push(group);
    }
  }
  return groups;
}

export async function runPlan(options: RunPlanOptions): Promise<RunPlanSummary> {
  const { plan, store, target, generator, signal, onEvent } = options;
  const now = options.now ?? (() => new Date());
  const own = target.name === 'docker' ? [engineCommands] : [engineCommands, clusterCommands];
  const readHost = options.readHost === undefined ? () => readHostCpu(new Set([process.pid]), () => performance.now(), own) : options.readHost;
  const cells = new Map(plan.cells.map((c) => [c.id, c]));
  const executionOf = (scenario: string) => options.executions.get(scenario) ?? options.fallback;
  const done = store.doneKeys();
  const todo = plan.order.filter((item) => !done.has(repeatKey(item.cellId, item.repeat)));
  const groups = groupOrder(todo, cells, (scenario) => executionOf(scenario).execution);
  const groupEstimates = groups.map((group) => Math.max(...group.map((item) => estimateCellMs(cells.get(item.cellId) as Cell))));
  const start = performance.now();
  let estimatedSoFar = 0;
  let measured = 0;
  let index = 0;

  for (const [groupIndex, group] of groups.entries()) {
    if (signal.aborted) break;
    const elapsedMs = performance.now() - start;
    // ETA: remaining estimates, scaled by how far off the estimates were so far.
    const remaining = groupEstimates.slice(groupIndex).reduce((a, b) => a + b, 0);
    const scale = estimatedSoFar > 0 ? elapsedMs / estimatedSoFar : 1;
    for (const [offset, item] of group.entries()) {
      onEvent({
        type: 'repeat-start',
        index: index + offset,
        total: todo.length,
        item,
        cell: cells.get(item.cellId) as Cell,
        elapsedMs,
        etaMs: remaining * scale,
      });
    }

    const startedAt = now();
    const hostBefore = readHost ? await readHost() : null;
    const startLine = group.length > 1 ? createStartLine(group.length) : null;
    const runs = group.map(async (item) => {
      const cell = cells.get(item.cellId) as Cell;
      const execution = executionOf(cell.scenario);
      const stack = new TaskStack();
      let arrived = false;
      let measurement: Measurement;
      try {
        measurement = await procedures[cell.kind]({
          cell,
          runId: store.record.runId,
          target,
          generator,
          signal,
          stack,
          cpuset: execution.cpuset,
          availableCpus: execution.availableCpus,
          beforeLoad: startLine
            ? () => {
                arrived = true;
                return startLine.arrive();
              }
            : undefined,
          onLoadProgress: (progress) => onEvent({ type: 'load-progress', item, progress }),
          log: (line) => onEvent({ type: 'log', line }),
        });
      } catch (error) {
        measurement = failedMeasurement(error);
      } finally {
        if (!arrived) startLine?.leave();
      }
      const teardownFailures = await stack.unwind();
      return { item, cell, measurement, teardownFailures };
    });
    const results = await Promise.all(runs);
    const hostAfter = readHost && hostBefore ? await readHost() : null;
    const activity = hostBefore && hostAfter ? hostActivity(hostBefore, hostAfter) : null;
    const busy = activity ? hostBusyReason(activity) : null;
    estimatedSoFar += groupEstimates[groupIndex] ?? 0;
    if (signal.aborted) {
      // An interrupted repeat measured only part of its window: it is not recorded, and --resume reruns it.
      const names = group.map((item) => `${item.cellId} repeat ${item.repeat + 1}`).join(', ');
      onEvent({ type: 'log', line: `interrupted during ${names}; teardown done` });
      break;
    }
    for (const { item, cell, measurement, teardownFailures } of results) {
      const notes = [...measurement.notes, ...teardownFailures.map((f) => `teardown: ${f}`)];
      let outcome = measurement.outcome;
      // `note`: a busy host (here or in the generator's late sends, its usual symptom) leaves a note only.
      if (options.hostBusy === 'note' && outcome.state === 'invalid' && outcome.reason.startsWith(LATE_SENDS_REASON)) {
        notes.push(`${outcome.reason} (kept: --host-check note)`);
        outcome = { state: 'completed' };
      }
      const metrics = Object.fromEntries(Object.entries(measurement.metrics).filter(([, v]) => Number.isFinite(v)));
      if (activity) {
        metrics.hostForeignCores = activity.foreignCores;
        metrics.hostStealShare = activity.stealShare;
      }
      if (busy !== null) {
        if (group.length > 1) notes.push(`${busy}; the duet pair shared it`);
        // Image sizes are counted, not timed: a busy host cannot change them.
        else if (outcome.state === 'completed' && options.hostBusy !== 'note' && cell.kind !== 'image') outcome = { state: 'invalid', reason: busy };
        else notes.push(busy);
      }
      const result: RepeatResult = {
        cellId: cell.id,
        repeat: item.repeat,
        order: plan.order.indexOf(item),
        startedAt: startedAt.toISOString(),
        endedAt: now().toISOString(),
        outcome,
        metrics,
        effective: measurement.effective,
        load: measurement.load,
        ...(measurement.runtimeWindow !== undefined ? { runtimeWindow: measurement.runtimeWindow } : {}),
        series: measurement.series,
        events: measurement.events,
        notes,
      };
      const newImages = Object.entries(measurement.images).filter(([tag]) => store.record.fingerprint.images[tag] === undefined);
      if (newImages.length > 0) {
        await store.update({ fingerprint: { ...store.record.fingerprint, images: { ...store.record.fingerprint.images, ...Object.fromEntries(newImages) } } });
      }
      await store.appendRepeat(result);
      measured++;
      onEvent({ type: 'repeat-end', index, total: todo.length, result });
      index++;
    }
  }
  return { status: signal.aborted ? 'interrupted' : 'completed', measured, skippedAlreadyDone: plan.order.length - todo.length };
}
