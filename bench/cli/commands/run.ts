/** `bench run`: plan, run and record scenarios on a target. */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { stat } from 'node:fs/promises';
import { access, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { profileNames, targetNames, type Cell, type ProfileName, type Scenario, type TargetName } from '../../../scenarios/define.js';
import { createPlan, estimateCellMs, resolveScenario, type Plan } from '../../../scenarios/matrix.js';
import { ExitCode, usageError } from '../../errors.js';
import { runProcess } from '../../exec/index.js';
import { createLoadGenerator, loadGeneratorNames } from '../../load/index.js';
import { analyseRun } from '../../stats/analyse.js';
import { evaluateClaims } from '../../claims/evaluate.js';
import { claimsCatalog } from '../../../scenarios/claims.js';
import { extraRound, maxTimeByProfile, scenariosToExtend } from '../../orchestrator/adaptive.js';
import type { RunPlanSummary } from '../../orchestrator/run-plan.js';
import { applyCalibration, calibrateScenario, type CalibrationContext } from '../../orchestrator/calibrate.js';
import { runPlan, type ScenarioExecution } from '../../orchestrator/run-plan.js';
import { builtinScenarioList, loadScenario } from '../../orchestrator/scenarios.js';
import { collectFingerprint } from '../../results/fingerprint.js';
import { RUN_RECORD_SCHEMA_VERSION, type Calibration, type Placement, type RunRecord } from '../../results/schema.js';
import { defaultGcBenchmarks, defaultGcBenchOptions, runGcBench } from '../../gcbench/index.js';
import { RESULTS_FILE, RunStore, writeFileAtomic } from '../../results/store.js';
import { createTarget, type TargetFlags } from '../../targets/registry.js';
import { parseChoice, parseCommandArgs, parseDuration, parsePositiveInt } from '../args.js';
import { formatDuration, createProgressPrinter } from '../progress.js';
import { finishRun } from '../finish-run.js';
import { checkPlanBounds, planLimits } from '../plan-bounds.js';
import type { Command } from '../types.js';

const help = `Usage: bench run (--matrix | --scenario NAME|FILE ...) [options]

  --matrix               run the default scenarios (all their matrix cells)
  --scenario NAME|FILE   a built-in scenario (see \`bench list\`) or a scenario file; repeatable
  --target NAME          ${targetNames.join(' | ')} (default docker)
  --profile NAME         ${profileNames.join(' | ')} (default: default; smoke takes a few minutes, for CI)
  --repeats N            repeats per cell (overrides the profile)
  --duration D           measured window per repeat, e.g. 10s (overrides the profile)
  --warmup D             warm-up per repeat, not measured
  --load NAME            ${loadGeneratorNames.join(' | ')} | auto (default native: raw sockets + arrival schedule, in-process)
  --k6 PATH              the k6 binary (default: K6_BINARY or k6 on PATH)
  --out DIR              run directory (default results/<run-id>)
  --resume DIR           continue an interrupted run in DIR
  --seed N               seed of the interleaved order (default: random, recorded)
  --host-check MODE      invalid | note | off: what a repeat measured while other processes used the CPUs
                         (or the generator, their usual victim, sent late) becomes (default invalid;
                         env BENCH_HOST_CHECK)
  --max-time D           time budget for adaptive rounds: rounds are added to scenarios whose deciding
                         CI is still wider than ±10% until this is spent (default: 20m for the default
                         profile, 60m for full, 0 = none for smoke and nightly)
  --dry-run              print the plan and stop
  Kubernetes: --context NAME, --kubeconfig FILE, --cluster NAME, --keep-cluster, --node-image IMAGE,
              --image-registry REGISTRY
`;

const options = {
  matrix: { type: 'boolean' },
  scenario: { type: 'string', multiple: true },
  target: { type: 'string' },
  profile: { type: 'string' },
  repeats: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  load: { type: 'string' },
  k6: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  seed: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'max-time': { type: 'string' },
  'host-check': { type: 'string' },
  context: { type: 'string' },
  kubeconfig: { type: 'string' },
  cluster: { type: 'string' },
  'keep-cluster': { type: 'boolean' },
  'node-image': { type: 'string' },
  'image-registry': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function createRunId(target: string, date = new Date()): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${target}-${randomBytes(2).toString('hex')}`;
}

/** What `formatPlan` shows of a plan: a fresh one or the one recorded in a run being resumed. */
export interface PlanOutline {
  scenarios: ReadonlyArray<{ name: string; claims: readonly string[]; repeats: number; execution?: string | undefined }>;
  cells: Plan['cells'];
  order: Plan['order'];
}

/** Text of the plan printed before a run. */
export function formatPlan(plan: PlanOutline, target: string, profile: string): string {
  const lines = [`Plan: ${plan.cells.length} cells, ${plan.order.length} repeats on ${target} (profile ${profile})`];
  // A duet scenario's round takes as long as its slowest cell: its cells run at the same time.
  const scenarioMs = (name: string, execution: string | undefined, rounds: number) => {
    const estimates = plan.cells.filter((c) => c.scenario === name).map((c) => estimateCellMs(c));
    return (execution === 'duet' ? Math.max(0, ...estimates) : estimates.reduce((a, b) => a + b, 0)) * rounds;
  };
  let total = 0;
  for (const scenario of plan.scenarios) {
    const cells = plan.cells.filter((c) => c.scenario === scenario.name);
    const ms = scenarioMs(scenario.name, scenario.execution, scenario.repeats);
    total += ms;
    const mode = scenario.execution === 'duet' ? ' (duet)' : '';
    lines.push(`  ${scenario.name.padEnd(12)} ${String(cells.length).padStart(3)} cells × ${scenario.repeats} repeats${mode}  ~${formatDuration(ms)}  [${scenario.claims.join(', ')}]`);
  }
  lines.push(`  estimated time: ~${formatDuration(total)} (plus calibration of open-model scenarios with a capacity fraction)`);
  return lines.join('\n');
}

type RunValues = ReturnType<typeof parseCommandArgs<typeof options>>['values'];

/** Flags that shape the plan or pick the target; on `--resume` they come from the record. */
const recordedFlags = ['matrix', 'scenario', 'target', 'profile', 'repeats', 'duration', 'warmup', 'load', 'seed', 'out', 'context', 'kubeconfig', 'cluster', 'node-image', 'image-registry'] as const;

/**
 * The flags of a resumed run: those of its recorded command line, with the record's target, profile and
 * generator. A flag given again must say the same; anything else would mix a new plan with old data.
 */
export function resumedFlags(values: RunValues, record: RunRecord): RunValues {
  const recorded = parseArgs({ args: record.argv.slice(2), options, allowPositionals: true, strict: false }).values as RunValues;
  const effective: RunValues = { ...recorded, target: record.target, profile: record.profile, load: record.loadGenerator };
  for (const flag of recordedFlags) {
    const given = values[flag];
    if (given === undefined) continue;
    const same = JSON.stringify(given) === JSON.stringify(effective[flag]) || (flag === 'load' && given === recorded.load);
    if (!same) {
      const was = effective[flag] === undefined ? 'not given' : JSON.stringify(effective[flag]);
      throw usageError(`--${flag} ${JSON.stringify(given)} conflicts with the resumed run ${record.runId} (recorded: ${was})`, `drop --${flag}: a resumed run keeps its plan, target and generator; start a new run to change them`);
    }
  }
  return { ...values, ...effective };
}

/** `--out` must be a folder without a record in it (or not exist yet); refused before anything is created. */
async function checkOutDir(dir: string): Promise<string> {
  const info = await stat(dir).catch(() => null);
  if (info !== null && !info.isDirectory()) throw usageError(`--out ${dir} is a file, not a folder`, 'choose a new folder for the run');
  if (await stat(path.join(dir, RESULTS_FILE)).catch(() => null)) {
    throw usageError(`--out ${dir} already holds a run (${RESULTS_FILE})`, 'choose another --out, or continue that run with --resume');
  }
  return dir;
}

/** Service/generator CPU placement: disjoint CPUs when the host has two or more, said in the record either way. */
export async function choosePlacement(hostCpus: number): Promise<{ placement: Placement; cpuset: string | null; availableCpus: number }> {
  if (hostCpus >= 2) {
    // One CPU for the generator (this process: the built-in closed- and open-model drivers run in it), the
    // rest for the service: the generator's cycles are not taken from the service it measures.
    const generatorCpus = '0';
    const serviceCpus = hostCpus === 2 ? '1' : `1-${hostCpus - 1}`;
    const pinned = await runProcess('taskset', ['-a', '-pc', generatorCpus, String(process.pid)]).then(() => true, () => false);
    if (pinned) {
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
      limits.push(`${scenario.name}: duet execution needs the docker target and an in-process generator; ran sequentially on ${where.target} with ${where.generator}`);
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

export const runCommand: Command = async (ctx) => {
  const { values } = parseCommandArgs('run', ctx.argv, options, false);
  if (values.help) {
    ctx.stdout(help);
    return ExitCode.ok;
  }
  const resumed = values.resume === undefined ? null : await RunStore.open(path.resolve(ctx.cwd, values.resume));
  // On --resume the plan and everything that shaped it come from the record; a flag may only repeat it.
  const flags = resumed === null ? values : resumedFlags(values, resumed.record);
  const targetName: TargetName = parseChoice('target', flags.target ?? 'docker', targetNames);
  const profile: ProfileName = parseChoice('profile', flags.profile ?? 'default', profileNames);
  const loadName = parseChoice('load', flags.load ?? 'native', [...loadGeneratorNames, 'auto'] as const);
  // `--max-time 0` turns adaptive rounds off.
  const maxTimeFlag = values['max-time'] === undefined ? undefined : /^0+(ms|s|m)?$/.test(values['max-time']) ? 0 : parseDuration('max-time', values['max-time']);
  const hostCheck = parseChoice('host-check', values['host-check'] ?? ctx.env.BENCH_HOST_CHECK ?? 'invalid', ['invalid', 'note', 'off'] as const);
  const overrides = {
    repeats: values.repeats === undefined ? undefined : parsePositiveInt('repeats', values.repeats, planLimits.repeats),
    durationMs: values.duration === undefined ? undefined : parseDuration('duration', values.duration, { maxMs: planLimits.durationMs }),
    warmupMs: values.warmup === undefined ? undefined : parseDuration('warmup', values.warmup, { allowZero: true, maxMs: planLimits.durationMs }),
  };
  if (values.seed !== undefined && !/^\d{1,10}$/.test(values.seed)) throw usageError(`--seed must be a whole number (got "${values.seed}")`);
  // Checked before anything is created (a cluster, a container, a folder).
  const runId = createRunId(targetName);
  const runStartedMs = Date.now();
  const outDir = resumed === null ? await checkOutDir(path.resolve(ctx.cwd, values.out ?? path.join('results', runId))) : resumed.dir;

  let store: RunStore | null = resumed;
  let scenarios: Scenario[] = [];
  let seed: number;
  if (store !== null) {
    const retry = store.record.repeats.filter((r) => r.outcome.state === 'failed').length;
    if (store.record.status === 'completed' && retry === 0) {
      ctx.stdout(`${store.dir}: the run is already complete; nothing to resume\n`);
      return ExitCode.ok;
    }
    seed = store.record.seed;
  } else {
    if (!values.matrix && (values.scenario ?? []).length === 0) {
      throw usageError('nothing to run', 'use --matrix for the default scenarios, or --scenario NAME (see `bench list`)');
    }
    if ((values.scenario ?? []).length > 0) {
      scenarios = await Promise.all((values.scenario ?? []).map((ref) => loadScenario(ref, ctx.cwd)));
      const unsupported = scenarios.filter((s) => !s.targets.includes(targetName));
      if (unsupported.length > 0) {
        throw usageError(
          `scenario ${unsupported.map((s) => s.name).join(', ')} cannot run on target ${targetName}`,
          `it runs on ${unsupported[0]?.targets.join(', ')}; pick another --target`,
        );
      }
    } else {
      scenarios = builtinScenarioList().filter((s) => s.default === true && s.targets.includes(targetName));
    }
    seed = values.seed === undefined ? randomBytes(4).readUInt32BE() : Number(values.seed);
  }

  const resolved = scenarios.map((s) => resolveScenario(s, profile, overrides));
  checkPlanBounds(resolved);
  // A resumed run's plan is the recorded one: no scenario is loaded again (a record's names are data).
  const plan: Plan = store === null ? createPlan(resolved, seed) : { scenarios: [], cells: store.record.plan.cells as Cell[], order: store.record.plan.order };
  const outline = store === null ? plan.scenarios.map((r) => ({ name: r.scenario.name, claims: r.scenario.claims, repeats: r.repeats, execution: r.scenario.execution })) : store.record.plan.scenarios;
  ctx.stdout(`${formatPlan({ ...plan, scenarios: outline }, targetName, profile)}\n`);
  if (values['dry-run']) return ExitCode.ok;

  const log = (line: string) => ctx.stdout(`  ${line}\n`);
  const targetFlags: TargetFlags = {
    context: flags.context,
    kubeconfig: flags.kubeconfig,
    cluster: flags.cluster,
    keepCluster: values['keep-cluster'] === true,
    nodeImage: flags['node-image'],
    imageRegistry: flags['image-registry'],
  };
  const target = await createTarget(targetName, targetFlags, { log });
  await target.prepare(ctx.signal);
  const skippedGenerators: string[] = [];
  const generator = await createLoadGenerator(loadName, { k6Path: values.k6, env: ctx.env }, (reason) => {
    skippedGenerators.push(reason);
    log(reason);
  });

  const hostCpus = os.cpus().length;
  const { placement, cpuset, availableCpus } = await choosePlacement(hostCpus);
  const { executions, limits: executionLimits } = store === null
    ? scenarioExecutions(scenarios, { target: targetName, generator: generator.name, hostCpus, cpuset, availableCpus })
    : recordedExecutions(store.record, { hostCpus, cpuset, availableCpus });
  let calibrations: Calibration[] = store?.record.calibration ?? [];
  if (store === null) {
    calibrations = await calibrate(plan, { runId, target, generator, signal: ctx.signal, cpusetOf: (cell) => executions.get(cell.scenario)?.cpuset ?? null, log });
  }
  plan.cells = applyCalibration(plan.cells, calibrations);
  if (store === null) {
    const dir = outDir;
    const fingerprint = await collectFingerprint({ run: runProcess, dockerVersion: await target.version?.().catch(() => null) ?? null });
    const now = new Date().toISOString();
    const record: RunRecord = {
      schemaVersion: RUN_RECORD_SCHEMA_VERSION,
      runId,
      createdAt: now,
      updatedAt: now,
      status: 'running',
      target: targetName,
      profile,
      loadGenerator: generator.name,
      seed,
      argv: ['bench', 'run', ...ctx.argv],
      fingerprint,
      placement,
      plan: {
        scenarios: resolved.map((r) => ({
          name: r.scenario.name,
          kind: r.scenario.kind,
          claims: [...r.scenario.claims],
          repeats: r.repeats,
          description: r.scenario.description,
          execution: executions.get(r.scenario.name)?.execution ?? 'sequential',
          placement: executions.get(r.scenario.name)?.cpuset === null && cpuset !== null ? 'shared' : 'pinned',
        })),
        cells: plan.cells,
        order: plan.order,
      },
      ...(calibrations.length > 0 ? { calibration: calibrations } : {}),
      repeats: [],
      limits: [...skippedGenerators, ...executionLimits],
    };
    store = await RunStore.create(dir, record);
  } else {
    await store.update({ status: 'running' });
  }
  ctx.stdout(`Run ${store.record.runId} → ${path.relative(ctx.cwd, store.file) || store.file}\n${placement.note}\n`);

  const printer = createProgressPrinter(ctx.stdout, ctx.isTTY && ctx.env.NO_COLOR === undefined ? true : ctx.isTTY);
  let summary;
  try {
    const runStore = store;
    const runOnce = () =>
      runPlan({
        plan,
        store: runStore,
        target,
        generator,
        signal: ctx.signal,
        executions,
        fallback: { execution: 'sequential', cpuset, availableCpus },
        onEvent: printer,
        ...(hostCheck === 'off' ? { readHost: null } : { hostBusy: hostCheck }),
      });
    const withGcBench = wantsGcBench(store.record);
    const maxTimeMs = Math.max(0, (maxTimeFlag ?? maxTimeByProfile[store.record.profile] ?? 0) - (withGcBench ? GC_BENCH_BUDGET_MS : 0));
    summary = await runAdaptively(runStore, plan, runOnce, { maxTimeMs, startedAtMs: runStartedMs, log });
    if (summary.status === 'completed' && withGcBench) await runStandardGcBench(store.dir, ctx.signal, log);
  } catch (error) {
    // The record says the run stopped and can be resumed; best effort (on a full disk this write fails too).
    await store.update({ status: 'interrupted' }).catch(() => undefined);
    throw error;
  } finally {
    // Whatever happened, nothing this run labelled may stay behind.
    const removed = await target.cleanup(store.record.runId).catch(() => 0);
    if (removed > 0) ctx.stdout(`removed ${removed} leftover object(s) of run ${store.record.runId}\n`);
    await target.dispose?.().catch(() => undefined);
  }
  return finishRun(ctx, store, summary, { hostCpus, availableCpus });
};

/** Executions of a resumed run: as recorded (older records: sequential, pinned). */
function recordedExecutions(record: RunRecord, where: { hostCpus: number; cpuset: string | null; availableCpus: number }): { executions: Map<string, ScenarioExecution>; limits: string[] } {
  const executions = new Map<string, ScenarioExecution>();
  for (const s of record.plan.scenarios) {
    const shared = s.placement === 'shared' || where.cpuset === null;
    executions.set(s.name, { execution: s.execution ?? 'sequential', cpuset: shared ? null : where.cpuset, availableCpus: shared ? where.hostCpus : where.availableCpus });
  }
  return { executions, limits: [] };
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
    ctx.log(`${resolved.scenario.name}: operating point ${calibration.chosenRatePerSec} req/s (${Math.round(load.capacityFraction * 100)}% of the lowest capacity)`);
    out.push(calibration);
  }
  return out;
}

/**
 * The planned rounds, then adaptive ones: while a scenario's deciding comparison is inconclusive with a
 * CI wider than the target and the time budget allows, one more round of it (see orchestrator/adaptive.ts).
 */
async function runAdaptively(
  store: RunStore,
  plan: Plan,
  runOnce: () => Promise<RunPlanSummary>,
  budget: { maxTimeMs: number; startedAtMs: number; log: (line: string) => void },
): Promise<RunPlanSummary> {
  const started = budget.startedAtMs;
  let summary = await runOnce();
  for (let round = 0; summary.status === 'completed' && budget.maxTimeMs > 0; round++) {
    const wide = scenariosToExtend(evaluateClaims(analyseRun(store.record), claimsCatalog));
    if (wide.size === 0) break;
    const items = extraRound(store.record, wide.keys(), round);
    if (items.length === 0) break;
    const cells = new Map(plan.cells.map((c) => [c.id, c]));
    const estimate = items.reduce((sum, item) => sum + estimateCellMs(cells.get(item.cellId) as Cell), 0);
    const elapsed = Date.now() - started;
    if (elapsed + estimate > budget.maxTimeMs) {
      budget.log(`adaptive rounds stop: the next one (~${formatDuration(estimate)}) would pass the time budget ${formatDuration(budget.maxTimeMs)}`);
      break;
    }
    budget.log(`adaptive round: ${[...wide].map(([name, width]) => `${name} (CI ±${width.toFixed(0)}%)`).join(', ')}`);
    plan.order.push(...items);
    await store.update({ plan: { ...store.record.plan, order: [...store.record.plan.order, ...items] } });
    const more = await runOnce();
    summary = { status: more.status, measured: summary.measured + more.measured, skippedAlreadyDone: summary.skippedAlreadyDone };
  }
  return summary;
}

/** Time kept back from adaptive rounds for the standard GC benchmark. */
const GC_BENCH_BUDGET_MS = 90_000;

/** `default` and `full` Docker runs with Green Tea cells end with the standard GC benchmark, once. */
function wantsGcBench(record: RunRecord): boolean {
  return record.target === 'docker' && ['default', 'full'].includes(record.profile) && record.plan.scenarios.some((s) => s.name === 'greentea');
}

/**
 * The standard GC-bound benchmark (bench/gcbench) beside the service-level Green Tea result, written as
 * `<run>/gcbench.json`, which the run's report shows. A failure is said, not fatal: the run's own
 * measurements stand.
 */
async function runStandardGcBench(runDir: string, signal: AbortSignal, log: (line: string) => void): Promise<void> {
  const out = path.join(runDir, 'gcbench.json');
  if (await access(out).then(() => true, () => false)) return;
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'bench-gcbench-'));
  try {
    log('standard GC benchmark (bench gcbench): both GC builds, interleaved rounds');
    const result = await runGcBench({ ...defaultGcBenchOptions, benchmarks: [...defaultGcBenchmarks], workDir, seed: 1, signal, run: runProcess, log: (line) => log(`gcbench: ${line}`) });
    await writeFileAtomic(out, `${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    if (signal.aborted) throw error;
    log(`standard GC benchmark failed, the run's own results stand: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
