/**
 * One `bench selftest` on Docker: calibrates the operating point, runs the plan of bench/orchestrator/
 * selftest.ts with every repeat recorded as it ends, then prints the summary and writes selftest.json.
 */
import os from 'node:os';
import path from 'node:path';
import { usageError } from '../errors.js';
import { runProcess } from '../exec/index.js';
import { createLoadGenerator } from '../load/index.js';
import { RUN_RECORD_SCHEMA_VERSION, type RunRecord, RunStore, writeFileAtomic } from '../results/index.js';
import { createTarget } from '../targets/index.js';
import { calibrateScenario } from './calibrate.js';
import { createProgressPrinter } from './progress.js';
import { choosePlacement, fingerprintOf } from './run-lifecycle.js';
import { runPlan, type ScenarioExecution } from './run-plan.js';
import {
  controlCell,
  formatSelftest,
  planExperiments,
  planSelftest,
  selftestPaths,
  selftestProfiles,
  summariseSelftest,
  type SelftestProfileName,
} from './selftest.js';

export interface SelftestOptions {
  profileName: SelftestProfileName;
  seed: number;
  runId: string;
  /** The output folder (results.json and selftest.json). */
  dir: string;
  argv: string[];
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  stdout: (text: string) => void;
}

/** Runs the selftest; resolves with the run's status (`interrupted` after Ctrl-C). */
export async function runSelftest(options: SelftestOptions): Promise<RunRecord['status']> {
  const { profileName, seed, runId, dir } = options;
  const profile = selftestProfiles[profileName];
  const log = (line: string) => options.stdout(`  ${line}\n`);
  const target = await createTarget('docker', {}, { log });
  const started = Date.now();
  try {
    await target.prepare(options.signal);
    const generator = await createLoadGenerator('native', { env: options.env });
    const hostCpus = os.cpus().length;
    const { placement, cpuset, availableCpus } = await choosePlacement(hostCpus);
    const pinned: ScenarioExecution = { execution: 'sequential', cpuset, availableCpus };
    // One operating point for every comparison: half the capacity of the cell with the work.
    const probe = controlCell(1, profile);
    const base = { ...probe, id: 'selftest-calibration/base', scenario: 'selftest-calibration', requestPath: selftestPaths.base };
    const calibration = await calibrateScenario('selftest-calibration', [base], 0.5, {
      runId,
      target,
      generator,
      signal: options.signal,
      cpusetOf: () => cpuset,
      log,
    });
    if (calibration === null)
      throw usageError(
        'calibration failed: the service sustained not even the first step of the ramp',
        'check `npx bench doctor` and that the machine is idle',
      );
    const rate = calibration.chosenRatePerSec;
    const experiments = planExperiments(profile, rate);
    const control = controlCell(rate, profile);
    const plan = planSelftest(experiments, control, profile, seed);
    const scenarioNames = [...new Set(plan.cells.map((c) => c.scenario))];
    const executionOf = new Map(experiments.map((e) => [e.scenario, e.execution]));
    const executions = new Map<string, ScenarioExecution>(scenarioNames.map((name) => [name, { ...pinned, execution: executionOf.get(name) ?? 'sequential' }]));
    options.stdout(
      `Selftest (${profileName}): ${experiments.length} comparisons, ${plan.order.length} repeats at ${rate} req/s per service → ${dir}\n${placement.note}\n`,
    );
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
      argv: options.argv,
      fingerprint: await fingerprintOf(target),
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
    const printer = createProgressPrinter(options.stdout, options.isTTY);
    const summary = await runPlan({ plan, store, target, generator, signal: options.signal, executions, fallback: pinned, onEvent: printer });
    const result = summariseSelftest(experiments, store.record.repeats, control.id);
    await store.update({ status: summary.status });
    const elapsedMs = Date.now() - started;
    const invalid = store.record.repeats.filter((r) => r.outcome.state !== 'completed').length;
    await writeFileAtomic(
      path.join(dir, 'selftest.json'),
      `${JSON.stringify({ profile: profileName, seed, status: summary.status, elapsedMs, ratePerSec: rate, repeats: store.record.repeats.length, notCompleted: invalid, ...result }, null, 2)}\n`,
    );
    options.stdout(
      `\n${formatSelftest(result)}\n\n${store.record.repeats.length} repeats (${invalid} not completed) in ${(elapsedMs / 60000).toFixed(1)} min → ${path.join(dir, 'selftest.json')}\n`,
    );
    return summary.status;
  } finally {
    await target.cleanup(runId).catch(() => 0);
    await target.dispose?.().catch(() => undefined);
  }
}
