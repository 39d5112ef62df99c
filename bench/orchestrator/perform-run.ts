/**
 * A `bench run` once its flags are read: the folder checked before anything is created, the plan
 * printed, then the run lifecycle on the real target and generator with progress on the console, and
 * the end of the run (record status, report, exit code). The command parses; this performs.
 */
import path from 'node:path';
import { ExitCode } from '../errors.js';
import { createLoadGenerator, type LoadGeneratorName } from '../load/index.js';
import { createRunId, checkNewRunDir, type RunStore } from '../results/index.js';
import { createTarget, type TargetFlags } from '../targets/index.js';
import { finishRun } from './finish-run.js';
import { formatPlan } from './plan-outline.js';
import { planRun, type PlanRequest } from './plan-run.js';
import { createProgressPrinter } from './progress.js';
import type { RunConsole } from './report-files.js';
import { executeRun, realRunDeps } from './run-lifecycle.js';

export interface RunRequest extends Omit<PlanRequest, 'cwd' | 'resumed'> {
  /** `--out`; `results/<run-id>` when undefined. Ignored on `--resume` (the run's own folder). */
  outDir: string | undefined;
  resumed: RunStore | null;
  load: LoadGeneratorName | 'auto';
  k6Path: string | undefined;
  hostCheck: 'invalid' | 'note' | 'off';
  /** `--max-time` in ms (0: no adaptive rounds); the profile's budget when undefined. */
  maxTimeMs: number | undefined;
  dryRun: boolean;
  targetFlags: TargetFlags;
  /** The command line, recorded so `--resume` can read it back. */
  argv: string[];
}

export async function performRun(request: RunRequest, ctx: RunConsole & { signal: AbortSignal }): Promise<ExitCode> {
  const { target, profile, resumed } = request;
  // Checked before anything is created (a cluster, a container, a folder).
  const runId = createRunId(target);
  const startedAtMs = Date.now();
  const outDir = resumed === null ? await checkNewRunDir('out', path.resolve(ctx.cwd, request.outDir ?? path.join('results', runId))) : resumed.dir;
  if (resumed !== null && resumed.record.status === 'completed' && !resumed.record.repeats.some((r) => r.outcome.state === 'failed')) {
    ctx.stdout(`${resumed.dir}: the run is already complete; nothing to resume\n`);
    return ExitCode.ok;
  }
  const { plan, outline, scenarios, seed, scenarioFiles } = await planRun({ ...request, cwd: ctx.cwd });
  ctx.stdout(`${formatPlan(outline, target, profile)}\n`);
  if (request.dryRun) return ExitCode.ok;

  const log = (line: string) => ctx.stdout(`  ${line}\n`);
  const deps = realRunDeps({
    createTarget: () => createTarget(target, request.targetFlags, { log }),
    createGenerator: (onSkipped) => createLoadGenerator(request.load, { k6Path: request.k6Path, env: ctx.env }, onSkipped),
    signal: ctx.signal,
    log,
    stdout: ctx.stdout,
    onEvent: createProgressPrinter(ctx.stdout, ctx.isTTY && ctx.env.NO_COLOR === undefined ? true : ctx.isTTY),
  });
  const outcome = await executeRun(
    {
      runId,
      target,
      profile,
      seed,
      argv: request.argv,
      outDir,
      plan,
      scenarios,
      scenarioFiles,
      resumed,
      hostCheck: request.hostCheck,
      maxTimeMs: request.maxTimeMs,
      startedAtMs,
      cwd: ctx.cwd,
    },
    deps,
  );
  return finishRun(ctx, outcome.store, outcome.summary, { hostCpus: outcome.hostCpus, availableCpus: outcome.availableCpus });
}
