/** `bench run`: plan, run and record scenarios on a target. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { profileNames, targetNames, type ProfileName, type TargetName } from '../../../scenarios/define.js';
import { ExitCode, usageError } from '../../errors.js';
import { createLoadGenerator, loadGeneratorNames } from '../../load/index.js';
import { executeRun, realRunDeps } from '../../orchestrator/run-lifecycle.js';
import { planRun, resumedFlags } from '../../orchestrator/plan-run.js';
import { checkNewRunDir, RunStore } from '../../results/store.js';
import { createRunId } from '../../results/layout.js';
import { formatPlan } from '../../orchestrator/plan-outline.js';
import { createTarget, type TargetFlags } from '../../targets/registry.js';
import { parseChoice, parseCommandArgs, parseDuration, parsePositiveInt } from '../args.js';
import { createProgressPrinter } from '../../orchestrator/progress.js';
import { finishRun } from '../../orchestrator/finish-run.js';
import { planLimits } from '../../orchestrator/plan-bounds.js';
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

type RunValues = ReturnType<typeof parseCommandArgs<typeof options>>['values'];

/** Flags that shape the plan or pick the target; on `--resume` they come from the record. */
const recordedFlags = [
  'matrix',
  'scenario',
  'target',
  'profile',
  'repeats',
  'duration',
  'warmup',
  'load',
  'seed',
  'out',
  'context',
  'kubeconfig',
  'cluster',
  'node-image',
  'image-registry',
] as const;

export const runCommand: Command = async (ctx) => {
  const { values } = parseCommandArgs('run', ctx.argv, options, false);
  if (values.help) {
    ctx.stdout(help);
    return ExitCode.ok;
  }
  const resumed = values.resume === undefined ? null : await RunStore.open(path.resolve(ctx.cwd, values.resume));
  // On --resume the plan and everything that shaped it come from the record; a flag may only repeat it.
  const flags =
    resumed === null
      ? values
      : resumedFlags(
          values,
          parseArgs({ args: resumed.record.argv.slice(2), options, allowPositionals: true, strict: false }).values as RunValues,
          resumed.record,
          recordedFlags,
        );
  const targetName: TargetName = parseChoice('target', flags.target ?? 'docker', targetNames);
  const profile: ProfileName = parseChoice('profile', flags.profile ?? 'default', profileNames);
  const loadName = parseChoice('load', flags.load ?? 'native', [...loadGeneratorNames, 'auto'] as const);
  // `--max-time 0` turns adaptive rounds off.
  const maxTimeFlag =
    values['max-time'] === undefined ? undefined : /^0+(ms|s|m)?$/.test(values['max-time']) ? 0 : parseDuration('max-time', values['max-time']);
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
  const outDir = resumed === null ? await checkNewRunDir('out', path.resolve(ctx.cwd, values.out ?? path.join('results', runId))) : resumed.dir;

  if (resumed !== null && resumed.record.status === 'completed' && !resumed.record.repeats.some((r) => r.outcome.state === 'failed')) {
    ctx.stdout(`${resumed.dir}: the run is already complete; nothing to resume\n`);
    return ExitCode.ok;
  }
  const { plan, outline, scenarios, seed, scenarioFiles } = await planRun({
    matrix: values.matrix === true,
    scenarioRefs: values.scenario ?? [],
    target: targetName,
    profile,
    overrides,
    seed: values.seed === undefined ? undefined : Number(values.seed),
    cwd: ctx.cwd,
    resumed,
  });
  ctx.stdout(`${formatPlan(outline, targetName, profile)}\n`);
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
      resumed,
      hostCheck,
      maxTimeMs: maxTimeFlag,
      startedAtMs: runStartedMs,
      cwd: ctx.cwd,
    },
    deps,
  );
  return finishRun(ctx, outcome.store, outcome.summary, { hostCpus: outcome.hostCpus, availableCpus: outcome.availableCpus });
};
