/**
 * `bench run`'s arguments: their table (bench/flags.ts) and their reading into a run request. It lives
 * beside the run lifecycle because the record keeps the command line and `--resume` reads it back, and
 * because the nightly job runs `bench run` in this process with arguments it builds.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { profileNames, targetNames, type ProfileName, type TargetName } from '../../scenarios/index.js';
import { parseChoice, parseCommandArgs, parseDuration, parsePositiveInt, parseSeed, type Flags } from '../flags.js';
import { loadGeneratorNames } from '../load/index.js';
import { RunStore } from '../results/index.js';
import type { RunRequest } from './perform-run.js';
import { planLimits } from './plan-bounds.js';
import { resumedFlags } from './plan-run.js';

export const runFlags = {
  matrix: { type: 'boolean', recorded: true, help: 'run the default scenarios (all their matrix cells)' },
  scenario: { type: 'string', multiple: true, recorded: true, arg: 'NAME|FILE', help: 'a built-in scenario (see `bench list`) or a scenario file; repeatable' },
  target: { type: 'string', recorded: true, arg: 'NAME', help: `${targetNames.join(' | ')} (default docker)` },
  profile: { type: 'string', recorded: true, arg: 'NAME', help: `${profileNames.join(' | ')} (default: default; smoke takes a few minutes, for CI)` },
  repeats: { type: 'string', recorded: true, arg: 'N', help: 'repeats per cell (overrides the profile)' },
  duration: { type: 'string', recorded: true, arg: 'D', help: 'measured window per repeat, e.g. 10s (overrides the profile)' },
  warmup: { type: 'string', recorded: true, arg: 'D', help: 'warm-up per repeat, not measured' },
  load: { type: 'string', recorded: true, arg: 'NAME', help: `${loadGeneratorNames.join(' | ')} | auto (default native: raw sockets + arrival schedule)` },
  k6: { type: 'string', arg: 'PATH', help: 'the k6 binary (default: K6_BINARY or k6 on PATH)' },
  out: { type: 'string', recorded: true, arg: 'DIR', help: 'run directory (default results/<run-id>)' },
  resume: { type: 'string', arg: 'DIR', help: 'continue an interrupted run in DIR' },
  seed: { type: 'string', recorded: true, arg: 'N', help: 'seed of the interleaved order (default: random, recorded)' },
  'host-check': {
    type: 'string',
    arg: 'MODE',
    help: 'invalid | note | off: what a repeat measured while other processes used the CPUs (or the generator, their usual victim, sent late) becomes (default invalid; env BENCH_HOST_CHECK)',
  },
  'max-time': {
    type: 'string',
    arg: 'D',
    help: 'time budget for adaptive rounds: rounds are added to scenarios whose deciding CI is still wider than ±10% until this is spent (default: 20m for the default profile, 60m for full, 0 = none for smoke and nightly)',
  },
  'dry-run': { type: 'boolean', help: 'print the plan and stop' },
  context: { type: 'string', recorded: true, arg: 'NAME', help: 'Kubernetes: the kubeconfig context' },
  kubeconfig: { type: 'string', recorded: true, arg: 'FILE', help: 'Kubernetes: the kubeconfig file' },
  cluster: { type: 'string', recorded: true, arg: 'NAME', help: 'kind: the cluster name' },
  'keep-cluster': { type: 'boolean', help: 'kind: keep a cluster the run created' },
  'node-image': { type: 'string', recorded: true, arg: 'IMAGE', help: 'kind: the node image (default: built here by infra/kind/node/build.sh, run on podman)' },
  'image-registry': { type: 'string', recorded: true, arg: 'REGISTRY', help: 'Kubernetes: push the service image there instead of loading it into the nodes' },
} as const satisfies Flags;
export type RunValues = ReturnType<typeof parseCommandArgs<typeof runFlags>>['values'];

/** Flags that shape the plan or pick the target; on `--resume` they come from the record. */
const recordedFlags = Object.entries(runFlags as Flags).flatMap(([name, flag]) => (flag.recorded ? [name as keyof RunValues & string] : []));

/** Reads `bench run`'s arguments (a usage error names a flag it does not know). */
export function parseRunArgs(args: readonly string[]): RunValues {
  return parseCommandArgs('run', [...args], runFlags, false).values;
}

/**
 * The run request of `bench run` with these flags: every value checked (a usage error names the flag
 * and the fix); on `--resume` the plan and what shaped it come from the record.
 */
export async function runRequestOf(values: RunValues, ctx: { cwd: string; env: NodeJS.ProcessEnv; argv: readonly string[] }): Promise<RunRequest> {
  const resumed = values.resume === undefined ? null : await RunStore.open(path.resolve(ctx.cwd, values.resume));
  // On --resume the plan and everything that shaped it come from the record; a flag may only repeat it.
  const flags =
    resumed === null
      ? values
      : resumedFlags(
          values,
          parseArgs({ args: resumed.record.argv.slice(2), options: runFlags, allowPositionals: true, strict: false }).values as RunValues,
          resumed.record,
          recordedFlags,
        );
  const target: TargetName = parseChoice('target', flags.target ?? 'docker', targetNames);
  const profile: ProfileName = parseChoice('profile', flags.profile ?? 'default', profileNames);
  // `--max-time 0` turns adaptive rounds off.
  const maxTimeMs = values['max-time'] === undefined ? undefined : /^0+(ms|s|m)?$/.test(values['max-time']) ? 0 : parseDuration('max-time', values['max-time']);
  return {
    matrix: values.matrix === true,
    scenarioRefs: values.scenario ?? [],
    target,
    profile,
    overrides: {
      repeats: values.repeats === undefined ? undefined : parsePositiveInt('repeats', values.repeats, planLimits.repeats),
      durationMs: values.duration === undefined ? undefined : parseDuration('duration', values.duration, { maxMs: planLimits.durationMs }),
      warmupMs: values.warmup === undefined ? undefined : parseDuration('warmup', values.warmup, { allowZero: true, maxMs: planLimits.durationMs }),
    },
    seed: values.seed === undefined ? undefined : parseSeed(values.seed),
    outDir: values.out,
    resumed,
    load: parseChoice('load', flags.load ?? 'native', [...loadGeneratorNames, 'auto'] as const),
    k6Path: values.k6,
    hostCheck: parseChoice('host-check', values['host-check'] ?? ctx.env.BENCH_HOST_CHECK ?? 'invalid', ['invalid', 'note', 'off'] as const),
    maxTimeMs,
    dryRun: values['dry-run'] === true,
    targetFlags: {
      context: flags.context,
      kubeconfig: flags.kubeconfig,
      cluster: flags.cluster,
      keepCluster: values['keep-cluster'] === true,
      nodeImage: flags['node-image'],
      imageRegistry: flags['image-registry'],
    },
    argv: ['bench', 'run', ...ctx.argv],
  };
}
