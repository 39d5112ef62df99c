/** `bench run`: plan, run and record scenarios on a target. */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { profileNames, targetNames, type ProfileName, type Scenario, type TargetName } from '../../../scenarios/define.js';
import { createPlan, estimateCellMs, resolveScenario, type Plan } from '../../../scenarios/matrix.js';
import { ExitCode, usageError } from '../../errors.js';
import { runProcess } from '../../exec/index.js';
import { createLoadGenerator, loadGeneratorNames } from '../../load/index.js';
import { runPlan } from '../../orchestrator/run-plan.js';
import { builtinScenarioList, loadScenario } from '../../orchestrator/scenarios.js';
import { collectFingerprint } from '../../results/fingerprint.js';
import { RUN_RECORD_SCHEMA_VERSION, type Placement, type RunRecord } from '../../results/schema.js';
import { RunStore } from '../../results/store.js';
import { createTarget, type TargetFlags } from '../../targets/registry.js';
import { parseChoice, parseCommandArgs, parseDuration, parsePositiveInt } from '../args.js';
import { formatDuration, createProgressPrinter } from '../progress.js';
import { finishRun } from '../finish-run.js';
import type { Command } from '../types.js';

const help = `Usage: bench run (--matrix | --scenario NAME|FILE ...) [options]

  --matrix               run the default scenarios (all their matrix cells)
  --scenario NAME|FILE   a built-in scenario (see \`bench list\`) or a scenario file; repeatable
  --target NAME          ${targetNames.join(' | ')} (default docker)
  --profile NAME         ${profileNames.join(' | ')} (default: default; smoke takes a few minutes, for CI)
  --repeats N            repeats per cell (overrides the profile)
  --duration D           measured window per repeat, e.g. 10s (overrides the profile)
  --warmup D             warm-up per repeat, not measured
  --load NAME            ${loadGeneratorNames.join(' | ')} | auto (default autocannon)
  --k6 PATH              the k6 binary (default: K6_BINARY or k6 on PATH)
  --out DIR              run directory (default results/<run-id>)
  --resume DIR           continue an interrupted run in DIR
  --seed N               seed of the interleaved order (default: random, recorded)
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

/** Text of the plan printed before a run. */
export function formatPlan(plan: Plan, target: string, profile: string): string {
  const lines = [`Plan: ${plan.cells.length} cells, ${plan.order.length} repeats on ${target} (profile ${profile})`];
  for (const resolved of plan.scenarios) {
    const cells = plan.cells.filter((c) => c.scenario === resolved.scenario.name);
    const ms = cells.reduce((sum, c) => sum + estimateCellMs(c), 0) * resolved.repeats;
    lines.push(`  ${resolved.scenario.name.padEnd(12)} ${String(cells.length).padStart(3)} cells × ${resolved.repeats} repeats  ~${formatDuration(ms)}  [${resolved.scenario.claims.join(', ')}]`);
  }
  const total = plan.order.reduce((sum, item) => sum + estimateCellMs(plan.cells.find((c) => c.id === item.cellId) as Plan['cells'][number]), 0);
  lines.push(`  estimated time: ~${formatDuration(total)}`);
  return lines.join('\n');
}

/** Service/generator CPU placement: disjoint CPUs when the host has enough, said in the record either way. */
async function choosePlacement(hostCpus: number): Promise<{ placement: Placement; cpuset: string | null; availableCpus: number }> {
  if (hostCpus >= 4) {
    const generatorCpus = '0-1';
    const serviceCpus = `2-${hostCpus - 1}`;
    const pinned = await runProcess('taskset', ['-a', '-pc', generatorCpus, String(process.pid)]).then(() => true, () => false);
    if (pinned) {
      return {
        placement: { serviceCpus, generatorCpus, note: `service pinned to CPUs ${serviceCpus}, load generator to ${generatorCpus}` },
        cpuset: serviceCpus,
        availableCpus: hostCpus - 2,
      };
    }
  }
  return {
    placement: {
      serviceCpus: null,
      generatorCpus: null,
      note: `not pinned: the host has ${hostCpus} CPUs${hostCpus >= 4 ? ' and taskset failed' : ''}, so service and load generator share them; compare variants within this run only`,
    },
    cpuset: null,
    availableCpus: hostCpus,
  };
}

export const runCommand: Command = async (ctx) => {
  const { values } = parseCommandArgs('run', ctx.argv, options, false);
  if (values.help) {
    ctx.stdout(help);
    return ExitCode.ok;
  }
  const targetName: TargetName = parseChoice('target', values.target ?? 'docker', targetNames);
  const profile: ProfileName = parseChoice('profile', values.profile ?? 'default', profileNames);
  const loadName = parseChoice('load', values.load ?? 'autocannon', [...loadGeneratorNames, 'auto'] as const);
  const overrides = {
    repeats: values.repeats === undefined ? undefined : parsePositiveInt('repeats', values.repeats),
    durationMs: values.duration === undefined ? undefined : parseDuration('duration', values.duration),
    warmupMs: values.warmup === undefined ? undefined : parseDuration('warmup', values.warmup),
  };
  if (values.seed !== undefined && !/^\d+$/.test(values.seed)) throw usageError(`--seed must be a whole number (got "${values.seed}")`);

  let store: RunStore | null = null;
  let scenarios: Scenario[];
  let seed: number;
  if (values.resume !== undefined) {
    store = await RunStore.open(path.resolve(ctx.cwd, values.resume));
    if (store.record.status === 'completed') {
      ctx.stdout(`${store.dir}: the run is already complete; nothing to resume\n`);
      return ExitCode.ok;
    }
    if (store.record.target !== targetName && values.target !== undefined) {
      throw usageError(`--target ${targetName} differs from the resumed run's target ${store.record.target}`);
    }
    const names = store.record.plan.scenarios.map((s) => s.name);
    scenarios = await Promise.all(names.map((name) => loadScenario(name, ctx.cwd)));
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

  const resolved = scenarios.map((s) => resolveScenario(s, store?.record.profile as ProfileName ?? profile, overrides));
  const plan = createPlan(resolved, seed);
  const shownProfile = store?.record.profile ?? profile;
  ctx.stdout(`${formatPlan(plan, targetName, shownProfile)}\n`);
  if (values['dry-run']) return ExitCode.ok;

  const log = (line: string) => ctx.stdout(`  ${line}\n`);
  const targetFlags: TargetFlags = {
    context: values.context,
    kubeconfig: values.kubeconfig,
    cluster: values.cluster,
    keepCluster: values['keep-cluster'] === true,
    nodeImage: values['node-image'],
    imageRegistry: values['image-registry'],
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
  if (store === null) {
    const runId = createRunId(targetName);
    const dir = path.resolve(ctx.cwd, values.out ?? path.join('results', runId));
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
        scenarios: resolved.map((r) => ({ name: r.scenario.name, kind: r.scenario.kind, claims: [...r.scenario.claims], repeats: r.repeats, description: r.scenario.description })),
        cells: plan.cells,
        order: plan.order,
      },
      repeats: [],
      limits: skippedGenerators,
    };
    store = await RunStore.create(dir, record);
  } else {
    await store.update({ status: 'running' });
  }
  ctx.stdout(`Run ${store.record.runId} → ${path.relative(ctx.cwd, store.file) || store.file}\n${placement.note}\n`);

  const printer = createProgressPrinter(ctx.stdout, ctx.isTTY && ctx.env.NO_COLOR === undefined ? true : ctx.isTTY);
  let summary;
  try {
    summary = await runPlan({ plan, store, target, generator, signal: ctx.signal, cpuset, availableCpus, onEvent: printer });
  } finally {
    // Whatever happened, nothing this run labelled may stay behind.
    const removed = await target.cleanup(store.record.runId).catch(() => 0);
    if (removed > 0) ctx.stdout(`removed ${removed} leftover object(s) of run ${store.record.runId}\n`);
    await target.dispose?.().catch(() => undefined);
  }
  return finishRun(ctx, store, summary, { hostCpus, availableCpus });
};
