/** `bench run`: plan, run and record scenarios on a target. */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { profileNames, targetNames, type Cell, type ProfileName, type Scenario, type TargetName } from '../../../scenarios/define.js';
import { createPlan, estimateCellMs, resolveScenario, type Plan } from '../../../scenarios/matrix.js';
import { ExitCode, usageError } from '../../errors.js';
import { createLoadGenerator, loadGeneratorNames } from '../../load/index.js';
import { executeRun, realRunDeps } from '../../orchestrator/run-lifecycle.js';
import { builtinScenarioList, loadScenario, scenarioFileHash } from '../../orchestrator/scenarios.js';
import type { RunRecord } from '../../results/schema.js';
import { RESULTS_FILE, RunStore } from '../../results/store.js';
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

  const store: RunStore | null = resumed;
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
  const scenarioFiles = store === null ? (await Promise.all((values.scenario ?? []).map((ref) => scenarioFileHash(ref, ctx.cwd)))).filter((f) => f !== null) : [];
  const deps = realRunDeps({
    createTarget: () => createTarget(targetName, targetFlags, { log }),
    createGenerator: (onSkipped) => createLoadGenerator(loadName, { k6Path: values.k6, env: ctx.env }, onSkipped),
    signal: ctx.signal,
    log,
    stdout: ctx.stdout,
    onEvent: createProgressPrinter(ctx.stdout, ctx.isTTY && ctx.env.NO_COLOR === undefined ? true : ctx.isTTY),
  });
  const outcome = await executeRun(
    {
      runId,
      target: targetName,
      profile,
      seed,
      argv: ['bench', 'run', ...ctx.argv],
      outDir,
      plan,
      scenarios,
      scenarioFiles,
      resumed: store,
      hostCheck,
      maxTimeMs: maxTimeFlag,
      startedAtMs: runStartedMs,
      cwd: ctx.cwd,
    },
    deps,
  );
  return finishRun(ctx, outcome.store, outcome.summary, { hostCpus: outcome.hostCpus, availableCpus: outcome.availableCpus });
};
