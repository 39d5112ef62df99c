/**
 * The whole life of one `bench run`, after its flags are parsed: the target, the load generator, CPU
 * placement, calibration, the record, the planned and adaptive rounds, the standard GC benchmark. Every
 * step that sets something up registers its teardown on one `TaskStack`, unwound in reverse order
 * whatever happens (a failure, Ctrl-C, a full disk) — from the moment the target exists, so a cluster
 * that `prepare` created or a calibration container is never left behind. Effects come in through
 * `RunLifecycleDeps`, so the order of setup and teardown is testable with fakes.
 */
import os from 'node:os';
import path from 'node:path';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { type Cell, type ProfileName, type Scenario, type TargetName, estimateCellMs, type Plan, type PlanItem, claimsCatalog } from '../../scenarios/index.js';
import { evaluateClaims } from '../claims/index.js';
import { runProcess } from '../exec/index.js';
import { defaultGcBenchmarks, defaultGcBenchOptions, runGcBench } from '../gcbench/index.js';
import type { LoadGenerator } from '../load/index.js';
import {
  collectFingerprint,
  RUN_RECORD_SCHEMA_VERSION,
  type Calibration,
  type Placement,
  type RunRecord,
  RunStore,
  writeFileAtomic,
} from '../results/index.js';
import { analyseRun } from '../stats/index.js';
import type { Target } from '../targets/index.js';
import { extraRound, maxTimeByProfile, scenariosToExtend, scenariosToReplace } from './adaptive.js';
import { applyCalibration, calibrateScenario, type CalibrationContext } from './calibrate.js';
import { runPlan, type RunEvent, type RunPlanSummary, type ScenarioExecution } from './run-plan.js';
import { formatDuration } from './format-duration.js';
import { scenarioFileChanges } from './scenarios.js';
import { TaskStack } from './task-stack.js';

/** The run's fingerprint: the host, the toolchains and what the target says of itself (versions, kind's node image). */
export async function fingerprintOf(target: Pick<Target, 'versions'>): Promise<RunRecord['fingerprint']> {
  const v = (await target.versions?.().catch(() => null)) ?? {};
  return collectFingerprint({
    run: runProcess,
    dockerVersion: v.docker ?? null,
    kubernetesVersion: v.kubernetes ?? null,
    kindVersion: v.kind ?? null,
    kindNodeImage: v.kindNodeImage ?? null,
  });
}

/** Where the service and the generator run. */
export interface PlacementChoice {
  placement: Placement;
  /** The service's cpuset, or `null` when not pinned. */
  cpuset: string | null;
  /** CPUs the pinned service may run on. */
  availableCpus: number;
}

/**
 * Service/generator CPU placement: disjoint CPUs when the host has two or more, said in the record either
 * way. Only Docker can give the service a CPU set: on a cluster the pod runs in a node whose CPUs the
 * harness does not assign, so there only the generator is pinned (measured on kind: unpinned, its sends
 * were later still) and the record says the service shares its CPU.
 */
export async function choosePlacement(
  hostCpus: number,
  target: TargetName = 'docker',
  pin: (cpus: string) => Promise<boolean> = pinThisProcess,
): Promise<PlacementChoice> {
  if (target !== 'docker') {
    const pinned = hostCpus >= 2 && (await pin('0'));
    return {
      placement: {
        serviceCpus: null,
        generatorCpus: pinned ? '0' : null,
        note:
          `service not pinned: on ${target} it runs in a cluster node whose CPUs the harness does not assign, so it and the node's ` +
          `control plane share the CPUs${pinned ? ' with the load generator (pinned to CPU 0)' : ' with the load generator'}; compare variants within this run only`,
      },
      cpuset: null,
      availableCpus: hostCpus,
    };
  }
  if (hostCpus >= 2) {
    // One CPU for the generator (this process and its open-model child), the rest for the service: the
    // generator's cycles are not taken from the service it measures.
    const generatorCpus = '0';
    const serviceCpus = hostCpus === 2 ? '1' : `1-${hostCpus - 1}`;
    if (await pin(generatorCpus)) {
      return {
        placement: {
          serviceCpus,
          generatorCpus,
          note:
            `service pinned to CPU ${serviceCpus}, load generator to CPU ${generatorCpus}; CPU affinity caps the service's GOMAXPROCS at ` +
            `${hostCpus - 1} (Go counts the CPUs it may run on), except in scenarios that need the whole CPU set (GOMAXPROCS), which share it`,
        },
        cpuset: serviceCpus,
        availableCpus: hostCpus - 1,
      };
    }
  }
  return {
    placement: {
      serviceCpus: null,
      generatorCpus: null,
      note: `not pinned: ${hostCpus < 2 ? `the host has ${hostCpus} CPU` : 'taskset failed'}, so service and load generator share the CPUs; compare variants within this run only`,
    },
    cpuset: null,
    availableCpus: hostCpus,
  };
}

/** Pins every thread of this process (and so the processes it starts later) to `cpus`. */
async function pinThisProcess(cpus: string): Promise<boolean> {
  return runProcess('taskset', ['-a', '-pc', cpus, String(process.pid)]).then(
    () => true,
    () => false,
  );
}

/**
 * How each scenario runs here: duet only where it can (Docker, the built-in generator), pinned unless the
 * scenario needs the whole CPU set. Fallbacks are returned as sentences for the record's limits.
 */
export function scenarioExecutions(
  scenarios: ReadonlyArray<Pick<Scenario, 'name' | 'execution' | 'placement'>>,
  where: { target: TargetName; generator: string; hostCpus: number; cpuset: string | null; availableCpus: number },
): { executions: Map<string, ScenarioExecution>; limits: string[] } {
  const executions = new Map<string, ScenarioExecution>();
  const limits: string[] = [];
  for (const scenario of scenarios) {
    let execution = scenario.execution ?? 'sequential';
    if (execution === 'duet' && (where.target !== 'docker' || where.generator === 'k6')) {
      limits.push(
        `${scenario.name}: duet execution needs the docker target and an in-process generator; ran sequentially on ${where.target} with ${where.generator}`,
      );
      execution = 'sequential';
    }
    const shared = scenario.placement === 'shared' || where.cpuset === null;
    executions.set(scenario.name, {
      execution,
      cpuset: shared ? null : where.cpuset,
      availableCpus: shared ? where.hostCpus : where.availableCpus,
    });
  }
  return { executions, limits };
}

/** Executions of a resumed run: as recorded (older records: sequential, pinned). */
export function recordedExecutions(
  record: RunRecord,
  where: { hostCpus: number; cpuset: string | null; availableCpus: number },
): Map<string, ScenarioExecution> {
  const executions = new Map<string, ScenarioExecution>();
  for (const s of record.plan.scenarios) {
    const shared = s.placement === 'shared' || where.cpuset === null;
    executions.set(s.name, {
      execution: s.execution ?? 'sequential',
      cpuset: shared ? null : where.cpuset,
      availableCpus: shared ? where.hostCpus : where.availableCpus,
    });
  }
  return executions;
}

/** What a run is, once its flags are parsed and its plan made (or read back from the record). */
export interface RunSpec {
  runId: string;
  target: TargetName;
  profile: ProfileName;
  seed: number;
  /** `bench run …` as typed, for the record. */
  argv: string[];
  /** The run's folder (checked to hold no record before anything was created). */
  outDir: string;
  plan: Plan;
  /** The scenarios of a new run (empty on --resume: the plan is the recorded one). */
  scenarios: Scenario[];
  /** Scenario files of a new run, with their content hash. */
  scenarioFiles: Array<{ path: string; sha256: string }>;
  /** The run being resumed, or `null`. */
  resumed: RunStore | null;
  hostCheck: 'invalid' | 'note' | 'off';
  /** `--max-time` in ms (0 = no adaptive rounds); `undefined` = the profile's default. */
  maxTimeMs: number | undefined;
  startedAtMs: number;
  /** Folder that paths in messages are relative to. */
  cwd: string;
}

/** The effects a run needs: made by the command from the real ones, by tests from fakes. */
export interface RunLifecycleDeps {
  createTarget(): Promise<Target>;
  /** The generator; `onSkipped` hears of generators that were not available (a limit of the run). */
  createGenerator(onSkipped: (reason: string) => void): Promise<LoadGenerator>;
  hostCpus: number;
  choosePlacement(hostCpus: number, target: TargetName): Promise<PlacementChoice>;
  fingerprint(target: Target): Promise<RunRecord['fingerprint']>;
  /** Runs the standard GC benchmark into `<run>/gcbench.json` (default and full Docker runs with Green Tea). */
  gcBench(runDir: string, signal: AbortSignal, log: (line: string) => void): Promise<void>;
  signal: AbortSignal;
  log(line: string): void;
  stdout(text: string): void;
  onEvent(event: RunEvent): void;
  now(): number;
}

export interface RunOutcome {
  store: RunStore;
  summary: RunPlanSummary;
  hostCpus: number;
  availableCpus: number;
}

/** The real effects, for `bench run`. */
export function realRunDeps(options: {
  createTarget: () => Promise<Target>;
  createGenerator: (onSkipped: (reason: string) => void) => Promise<LoadGenerator>;
  signal: AbortSignal;
  log: (line: string) => void;
  stdout: (text: string) => void;
  onEvent: (event: RunEvent) => void;
}): RunLifecycleDeps {
  return {
    ...options,
    hostCpus: os.cpus().length,
    choosePlacement: (hostCpus, target) => choosePlacement(hostCpus, target),
    fingerprint: fingerprintOf,
    gcBench: runStandardGcBench,
    now: () => Date.now(),
  };
}

/**
 * Runs a planned (or resumed) run to its end. Throws what stopped it after every teardown has run and
 * the record says `interrupted`; returns the store and the summary for the command to report on.
 */
export async function executeRun(spec: RunSpec, deps: RunLifecycleDeps): Promise<RunOutcome> {
  const tasks = new TaskStack();
  let store: RunStore | null = spec.resumed;
  try {
    const target = await deps.createTarget();
    // Dispose undoes what prepare made (a kind cluster it created), even when prepare failed half-way.
    tasks.defer('target dispose', async () => target.dispose?.());
    await target.prepare(deps.signal);
    // From here on containers and namespaces carry the run's label (calibration's too). Not before: a
    // prepare that failed (an engine that does not answer) leaves nothing labelled, and asking that engine
    // to clean up would only hold up Ctrl-C until its deadline.
    tasks.defer('remove what the run labelled', async () => {
      const removed = await target.cleanup(store?.record.runId ?? spec.runId);
      if (removed > 0) deps.stdout(`removed ${removed} leftover object(s) of run ${store?.record.runId ?? spec.runId}\n`);
    });
    const skippedGenerators: string[] = [];
    const generator = await deps.createGenerator((reason) => {
      skippedGenerators.push(reason);
      deps.log(reason);
    });
    const { placement, cpuset, availableCpus } = await deps.choosePlacement(deps.hostCpus, spec.target);
    const where = { target: spec.target, generator: generator.name, hostCpus: deps.hostCpus, cpuset, availableCpus };
    const { executions, limits } =
      store === null ? scenarioExecutions(spec.scenarios, where) : { executions: recordedExecutions(store.record, where), limits: [] };
    const plan = spec.plan;
    let calibrations: Calibration[] = store?.record.calibration ?? [];
    if (store === null) {
      calibrations = await calibrate(plan, {
        runId: spec.runId,
        target,
        generator,
        signal: deps.signal,
        cpusetOf: (cell) => executions.get(cell.scenario)?.cpuset ?? null,
        log: deps.log,
      });
    }
    plan.cells = applyCalibration(plan.cells, calibrations);
    if (store === null) {
      store = await RunStore.create(
        spec.outDir,
        newRecord(spec, {
          generator: generator.name,
          fingerprint: await deps.fingerprint(target),
          placement,
          executions,
          cpuset,
          calibrations,
          limits: [...skippedGenerators, ...limits],
        }),
      );
    } else {
      for (const note of await scenarioFileChanges(store.record.scenarioFiles ?? [])) deps.log(note);
      await store.update({ status: 'running' });
    }
    deps.stdout(`Run ${store.record.runId} → ${path.relative(spec.cwd, store.file) || store.file}\n${placement.note}\n`);
    const runStore = store;
    const runOnce = () =>
      runPlan({
        plan,
        store: runStore,
        target,
        generator,
        signal: deps.signal,
        executions,
        fallback: { execution: 'sequential', cpuset, availableCpus },
        onEvent: deps.onEvent,
        ...(spec.hostCheck === 'off' ? { readHost: null } : { hostBusy: spec.hostCheck }),
      });
    const withGcBench = wantsGcBench(store.record);
    const maxTimeMs = Math.max(0, (spec.maxTimeMs ?? maxTimeByProfile[store.record.profile] ?? 0) - (withGcBench ? GC_BENCH_BUDGET_MS : 0));
    const summary = await runAdaptively(runStore, plan, runOnce, { maxTimeMs, startedAtMs: spec.startedAtMs, now: deps.now, log: deps.log });
    if (summary.status === 'completed' && withGcBench) await deps.gcBench(store.dir, deps.signal, deps.log);
    return { store, summary, hostCpus: deps.hostCpus, availableCpus };
  } catch (error) {
    // The record says the run stopped and can be resumed; best effort (on a full disk this write fails too).
    await store?.update({ status: 'interrupted' }).catch(() => undefined);
    throw error;
  } finally {
    // Whatever happened, nothing this run set up or labelled may stay behind.
    // Deleting a cluster that `prepare` created may take a while: a generous deadline per teardown.
    for (const failure of await tasks.unwind(TEARDOWN_DEADLINE_MS)) deps.log(`teardown: ${failure}`);
  }
}

/** Deadline of each run-level teardown (removing containers, deleting a kind cluster). */
const TEARDOWN_DEADLINE_MS = 180_000;

/** The record of a new run, before its first repeat. */
function newRecord(
  spec: RunSpec,
  run: {
    generator: string;
    fingerprint: RunRecord['fingerprint'];
    placement: Placement;
    executions: ReadonlyMap<string, ScenarioExecution>;
    cpuset: string | null;
    calibrations: Calibration[];
    limits: string[];
  },
): RunRecord {
  const now = new Date().toISOString();
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: spec.runId,
    createdAt: now,
    updatedAt: now,
    status: 'running',
    target: spec.target,
    profile: spec.profile,
    loadGenerator: run.generator,
    seed: spec.seed,
    argv: spec.argv,
    fingerprint: run.fingerprint,
    placement: run.placement,
    plan: {
      scenarios: spec.plan.scenarios.map((r) => ({
        name: r.scenario.name,
        kind: r.scenario.kind,
        claims: [...r.scenario.claims],
        repeats: r.repeats,
        description: r.scenario.description,
        execution: run.executions.get(r.scenario.name)?.execution ?? 'sequential',
        placement: run.executions.get(r.scenario.name)?.cpuset === null && run.cpuset !== null ? 'shared' : 'pinned',
      })),
      cells: spec.plan.cells,
      order: spec.plan.order,
    },
    ...(run.calibrations.length > 0 ? { calibration: run.calibrations } : {}),
    ...(spec.scenarioFiles.length > 0 ? { scenarioFiles: spec.scenarioFiles } : {}),
    repeats: [],
    limits: run.limits,
  };
}

/** Calibrates every open-model scenario that asks for it; a scenario that cannot be calibrated keeps its rate. */
async function calibrate(plan: Plan, ctx: CalibrationContext): Promise<Calibration[]> {
  const out: Calibration[] = [];
  for (const resolved of plan.scenarios) {
    const load = resolved.load;
    if (load.model !== 'open' || load.capacityFraction === undefined) continue;
    const cells = plan.cells.filter((c) => c.scenario === resolved.scenario.name);
    const calibration = await calibrateScenario(resolved.scenario.name, cells, load.capacityFraction, ctx);
    if (calibration === null) {
      ctx.log(`${resolved.scenario.name}: calibration failed (a cell sustained not even the first step); it runs at its declared ${load.ratePerSec} req/s`);
      continue;
    }
    ctx.log(
      `${resolved.scenario.name}: operating point ${calibration.chosenRatePerSec} req/s (${Math.round(load.capacityFraction * 100)}% of the lowest capacity)`,
    );
    out.push(calibration);
  }
  return out;
}

/**
 * The planned rounds, then replacement rounds for cells the host left with no valid repeat, then adaptive
 * ones: while a scenario's deciding comparison is inconclusive with a CI wider than the target and the
 * time budget allows, one more round of it (see adaptive.ts).
 */
async function runAdaptively(
  store: RunStore,
  plan: Plan,
  runOnce: () => Promise<RunPlanSummary>,
  budget: { maxTimeMs: number; startedAtMs: number; now: () => number; log: (line: string) => void },
): Promise<RunPlanSummary> {
  let summary = await runOnce();
  const addRound = async (items: PlanItem[]): Promise<void> => {
    plan.order.push(...items);
    await store.update({ plan: { ...store.record.plan, order: [...store.record.plan.order, ...items] } });
    const more = await runOnce();
    summary = { status: more.status, measured: summary.measured + more.measured, skippedAlreadyDone: summary.skippedAlreadyDone };
  };
  for (let round = 0; summary.status === 'completed'; round++) {
    const spoilt = scenariosToReplace(store.record);
    if (spoilt.length === 0) break;
    budget.log(`replacement round: ${spoilt.join(', ')} (a cell has no valid repeat yet, only ones the busy host spoilt)`);
    await addRound(extraRound(store.record, spoilt, REPLACEMENT_SEED_ROUND + round, false));
  }
  for (let round = 0; summary.status === 'completed' && budget.maxTimeMs > 0; round++) {
    const wide = scenariosToExtend(evaluateClaims(analyseRun(store.record), claimsCatalog));
    if (wide.size === 0) break;
    const items = extraRound(store.record, wide.keys(), round);
    if (items.length === 0) break;
    const cells = new Map(plan.cells.map((c) => [c.id, c]));
    const estimate = items.reduce((sum, item) => sum + estimateCellMs(cells.get(item.cellId) as Cell), 0);
    const elapsed = budget.now() - budget.startedAtMs;
    if (elapsed + estimate > budget.maxTimeMs) {
      budget.log(`adaptive rounds stop: the next one (~${formatDuration(estimate)}) would pass the time budget ${formatDuration(budget.maxTimeMs)}`);
      break;
    }
    budget.log(
      `adaptive round: ${[...wide].map(([name, width]) => `${name} (${Number.isFinite(width) ? `CI ±${width.toFixed(0)}%` : 'level out of reach'})`).join(', ')}`,
    );
    await addRound(items);
  }
  return summary;
}

/** Replacement rounds shuffle with seeds of their own, apart from the adaptive rounds'. */
const REPLACEMENT_SEED_ROUND = 1000;

/** Time kept back from adaptive rounds for the standard GC benchmark. */
const GC_BENCH_BUDGET_MS = 90_000;

/** `default` and `full` Docker runs with Green Tea cells end with the standard GC benchmark, once. */
export function wantsGcBench(record: RunRecord): boolean {
  return record.target === 'docker' && ['default', 'full'].includes(record.profile) && record.plan.scenarios.some((s) => s.name === 'greentea');
}

/**
 * The standard GC-bound benchmark (bench/gcbench) beside the service-level Green Tea result, written as
 * `<run>/gcbench.json`, which the run's report shows. A failure is said, not fatal: the run's own
 * measurements stand.
 */
export async function runStandardGcBench(runDir: string, signal: AbortSignal, log: (line: string) => void): Promise<void> {
  const out = path.join(runDir, 'gcbench.json');
  if (
    await access(out).then(
      () => true,
      () => false,
    )
  )
    return;
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'bench-gcbench-'));
  try {
    log('standard GC benchmark (bench gcbench): both GC builds, interleaved rounds');
    const result = await runGcBench({
      ...defaultGcBenchOptions,
      benchmarks: [...defaultGcBenchmarks],
      workDir,
      seed: 1,
      signal,
      run: runProcess,
      log: (line) => log(`gcbench: ${line}`),
    });
    await writeFileAtomic(out, `${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    if (signal.aborted) throw error;
    log(`standard GC benchmark failed, the run's own results stand: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
