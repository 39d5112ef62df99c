/**
 * `bench selftest`: measures the harness's own false-positive rate and power on this machine (see
 * bench/orchestrator/selftest.ts), or with `--agreement RUN_A RUN_B` the verdict agreement of two runs.
 * A benchmark that prints figures, not a test: the smoke profile takes about 10 minutes on 2 CPUs, the
 * default about 45. Every repeat is recorded as it ends (`results.json` in the output folder).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { analyseRun } from '../../stats/analyse.js';
import { evaluateClaims, verdictText, type Verdict } from '../../claims/evaluate.js';
import { claimsCatalog } from '../../../scenarios/claims.js';
import { ExitCode, usageError } from '../../errors.js';
import { runProcess } from '../../exec/index.js';
import { createLoadGenerator } from '../../load/index.js';
import { calibrateScenario } from '../../orchestrator/calibrate.js';
import { runPlan, type ScenarioExecution } from '../../orchestrator/run-plan.js';
import {
  controlCell,
  formatSelftest,
  planExperiments,
  planSelftest,
  selftestPaths,
  selftestProfileNames,
  selftestProfiles,
  summariseSelftest,
} from '../../orchestrator/selftest.js';
import { collectFingerprint } from '../../results/fingerprint.js';
import { RUN_RECORD_SCHEMA_VERSION, type RunRecord } from '../../results/schema.js';
import { readRunRecord, RunStore, writeFileAtomic } from '../../results/store.js';
import { createTarget } from '../../targets/registry.js';
import { parseChoice, parseCommandArgs } from '../args.js';
import { createProgressPrinter } from '../progress.js';
import type { Command, CommandContext } from '../types.js';
import { choosePlacement } from '../../orchestrator/run-lifecycle.js';
import { createRunId } from './run.js';

const help = `Usage: bench selftest [--profile smoke|default] [--out DIR] [--seed N]
       bench selftest --agreement RUN_A RUN_B

  Measures this harness's error rates on this machine, on Docker:
  - A/A comparisons (the same cell under two labels), sequential and duet: false-positive rate per metric;
  - an injected +${selftestPaths.injectedWorkPct}% of SHA-256 work per request, about +25% of its CPU cost (${selftestPaths.base} → ${selftestPaths.injected}): power, and
    whether the CI of the measured change contains the expected change.
  Prints a table and writes selftest.json and results.json to --out (default results/selftest-<id>).
  --profile   smoke (about 10 min on 2 CPUs) | default (about 45 min)
  --agreement two run folders of \`bench run --matrix\`: verdict per claim, and whether they agree
`;

const options = {
  profile: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  agreement: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Verdict per claim of two runs, side by side. Pure. */
export function verdictAgreement(a: RunRecord, b: RunRecord): { rows: Array<{ claim: string; a: Verdict; b: Verdict; agree: boolean }>; measurable: number; agreeing: number } {
  const va = evaluateClaims(analyseRun(a), claimsCatalog);
  const vb = new Map(evaluateClaims(analyseRun(b), claimsCatalog).map((v) => [v.claim.id, v.verdict]));
  const rows = va.map((v) => {
    const other = vb.get(v.claim.id) ?? 'not-run';
    return { claim: v.claim.id, a: v.verdict, b: other, agree: v.verdict === other };
  });
  const measured = rows.filter((r) => !['not-measurable', 'not-run'].includes(r.a) || !['not-measurable', 'not-run'].includes(r.b));
  return { rows, measurable: measured.length, agreeing: measured.filter((r) => r.agree).length };
}

async function agreementCommand(ctx: CommandContext, dirs: string[]): Promise<ExitCode> {
  if (dirs.length !== 2) throw usageError(`--agreement needs two run folders (got ${dirs.length})`, 'e.g. bench selftest --agreement results/run-a results/run-b');
  const [a, b] = await Promise.all(dirs.map((d) => readRunRecord(path.resolve(ctx.cwd, d))));
  const result = verdictAgreement(a as RunRecord, b as RunRecord);
  const lines = [`Verdict agreement: ${(a as RunRecord).runId} vs ${(b as RunRecord).runId}`, '', '| claim | run A | run B | same |', '|---|---|---|---|'];
  for (const r of result.rows) lines.push(`| ${r.claim} | ${verdictText[r.a]} | ${verdictText[r.b]} | ${r.agree ? 'yes' : '**no**'} |`);
  lines.push('', `${result.agreeing} of ${result.measurable} measured claims agree`);
  ctx.stdout(`${lines.join('\n')}\n`);
  return ExitCode.ok;
}

export const selftestCommand: Command = async (ctx) => {
  const { values, positionals } = parseCommandArgs('selftest', ctx.argv, options, true);
  if (values.help) {
    ctx.stdout(help);
    return ExitCode.ok;
  }
  if (values.agreement) return agreementCommand(ctx, positionals);
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, 'see bench selftest --help');
  const profileName = parseChoice('profile', values.profile ?? 'smoke', selftestProfileNames);
  const profile = selftestProfiles[profileName];
  if (values.seed !== undefined && !/^\d{1,10}$/.test(values.seed)) throw usageError(`--seed must be a whole number (got "${values.seed}")`);
  const seed = values.seed === undefined ? randomBytes(4).readUInt32BE() : Number(values.seed);
  const runId = createRunId('selftest');
  const dir = path.resolve(ctx.cwd, values.out ?? path.join('results', runId));

  const log = (line: string) => ctx.stdout(`  ${line}\n`);
  const target = await createTarget('docker', {}, { log });
  const started = Date.now();
  try {
    await target.prepare(ctx.signal);
    const generator = await createLoadGenerator('native', { env: ctx.env });
    const hostCpus = os.cpus().length;
    const { placement, cpuset, availableCpus } = await choosePlacement(hostCpus);
    const pinned: ScenarioExecution = { execution: 'sequential', cpuset, availableCpus };
    // One operating point for every comparison: half the capacity of the cell with the work.
    const probe = controlCell(1, profile);
    const base = { ...probe, id: 'selftest-calibration/base', scenario: 'selftest-calibration', requestPath: selftestPaths.base };
    const calibration = await calibrateScenario('selftest-calibration', [base], 0.5, { runId, target, generator, signal: ctx.signal, cpusetOf: () => cpuset, log });
    if (calibration === null) throw usageError('calibration failed: the service sustained not even the first step of the ramp', 'check `npx bench doctor` and that the machine is idle');
    const rate = calibration.chosenRatePerSec;
    const experiments = planExperiments(profile, rate);
    const control = controlCell(rate, profile);
    const plan = planSelftest(experiments, control, profile, seed);
    const scenarioNames = [...new Set(plan.cells.map((c) => c.scenario))];
    const executionOf = new Map(experiments.map((e) => [e.scenario, e.execution]));
    const executions = new Map<string, ScenarioExecution>(scenarioNames.map((name) => [name, { ...pinned, execution: executionOf.get(name) ?? 'sequential' }]));
    ctx.stdout(`Selftest (${profileName}): ${experiments.length} comparisons, ${plan.order.length} repeats at ${rate} req/s per service → ${dir}\n${placement.note}\n`);
    const now = new Date().toISOString();
    const record: RunRecord = {
      schemaVersion: RUN_RECORD_SCHEMA_VERSION,
      runId,
      createdAt: now,
      updatedAt: now,
      status: 'running',
      target: 'docker',
      profile: profileName,
      loadGenerator: generator.name,
      seed,
      argv: ['bench', 'selftest', ...ctx.argv],
      fingerprint: await collectFingerprint({ run: runProcess, dockerVersion: (await target.version?.().catch(() => null)) ?? null }),
      placement,
      plan: {
        scenarios: scenarioNames.map((name) => ({
          name,
          kind: 'load',
          claims: [],
          repeats: Math.max(...plan.order.filter((i) => i.cellId.startsWith(`${name}/`)).map((i) => i.repeat + 1)),
          description: 'selftest',
          execution: executions.get(name)?.execution ?? 'sequential',
          placement: 'pinned' as const,
        })),
        cells: plan.cells,
        order: plan.order,
      },
      calibration: [calibration],
      repeats: [],
      limits: [],
    };
    const store = await RunStore.create(dir, record);
    const printer = createProgressPrinter(ctx.stdout, ctx.isTTY);
    const summary = await runPlan({ plan, store, target, generator, signal: ctx.signal, executions, fallback: pinned, onEvent: printer });
    const result = summariseSelftest(experiments, store.record.repeats, control.id);
    await store.update({ status: summary.status });
    const elapsedMs = Date.now() - started;
    const invalid = store.record.repeats.filter((r) => r.outcome.state !== 'completed').length;
    await writeFileAtomic(
      path.join(dir, 'selftest.json'),
      `${JSON.stringify({ profile: profileName, seed, status: summary.status, elapsedMs, ratePerSec: rate, repeats: store.record.repeats.length, notCompleted: invalid, ...result }, null, 2)}\n`,
    );
    ctx.stdout(`\n${formatSelftest(result)}\n\n${store.record.repeats.length} repeats (${invalid} not completed) in ${(elapsedMs / 60000).toFixed(1)} min → ${path.join(dir, 'selftest.json')}\n`);
    return summary.status === 'completed' ? ExitCode.ok : ExitCode.interrupted;
  } finally {
    await target.cleanup(runId).catch(() => 0);
    await target.dispose?.().catch(() => undefined);
  }
};
