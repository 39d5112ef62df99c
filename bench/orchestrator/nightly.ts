/**
 * The nightly regression job, in-process: for each target this machine has (or the ones named), a
 * `bench run` of the matrix (or the scenarios named) through the run lifecycle (`performRun`), then the comparison
 * with the baseline of this environment and profile (`compareRuns`, the same as `bench compare`), then
 * the history and its change points. Returns what happened per target and the job's exit code; the
 * summary is rendered by reporters/nightly.ts. Targets it cannot use are skipped with the reason.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { targetNames, type TargetName } from '../../scenarios/index.js';
import {
  renderCompareJson,
  renderCompareMarkdown,
  collapseDetails,
  newWorseChanges,
  renderNightlySummary,
  type CompareOutcome,
  type RegressionRow,
  type RepeatCounts,
  type TargetOutcome,
} from '../../reporters/index.js';
import { compareWithFailOn, type FailOn } from '../claims/index.js';
import { ExitCode, usageError } from '../errors.js';
import { parseChoice } from '../flags.js';
import { runProcess, type ProcessRunner } from '../exec/index.js';
import { createHistoryEntry, seriesKey, appendHistoryEntry, readHistory, buildTrends, groupSeries, type CellTrend } from '../history/index.js';
import { isMetricName, type RunRecord, readRunRecord } from '../results/index.js';
import { IncomparableRunsError, type CompareResult } from '../stats/index.js';
import { savedBaseline } from './compare-job.js';
import { withErrorBoundary } from './error-boundary.js';
import { performRun } from './perform-run.js';
import type { RunConsole } from './report-files.js';
import { parseRunArgs, runRequestOf } from './run-args.js';

/** What a target probe found. */
export type TargetProbe = { target: TargetName; available: true } | { target: TargetName; available: false; reason: string };

/**
 * Which targets can run here. Docker: the engine answers. kind: a `kind` binary is on PATH (the hosted
 * job installs it), or a kind cluster runs on podman (`bench cluster up --provider kind`). kubernetes is
 * never chosen by auto: it needs a cluster named on purpose.
 */
export async function probeTargets(requested: TargetName[] | 'auto', run: ProcessRunner = runProcess): Promise<TargetProbe[]> {
  const wanted: TargetName[] = requested === 'auto' ? ['docker', 'kind'] : requested;
  const answers = async (command: string, args: string[]) => {
    try {
      const result = await run(command, args, { signal: AbortSignal.timeout(20_000) });
      return result.stdout.trim() !== '' ? result.stdout.trim() : 'ok';
    } catch (error) {
      return error as Error;
    }
  };
  const probes: TargetProbe[] = [];
  for (const target of wanted) {
    if (target === 'docker') {
      const docker = await answers('docker', ['version', '--format', '{{.Server.Version}}']);
      probes.push(
        docker instanceof Error
          ? {
              target,
              available: false,
              reason: `no Docker engine answers (${docker.message.split('\n')[0]}); start one: sudo bash infra/setup/docker-engine.sh`,
            }
          : { target, available: true },
      );
    } else if (target === 'kind') {
      let kind = requested === 'auto' ? await answers('kind', ['version']) : 'named';
      if (kind instanceof Error) {
        // No kind on PATH: a cluster made by `bench cluster up --provider kind` (podman) still counts.
        const nodes = await answers('podman', ['ps', '--filter', 'label=io.x-k8s.kind.cluster', '--format', '{{.Names}}']);
        if (!(nodes instanceof Error) && nodes !== 'ok') kind = nodes;
      }
      probes.push(
        kind instanceof Error
          ? {
              target,
              available: false,
              reason:
                'no `kind` binary on PATH and no kind cluster on podman (the hosted job installs kind with helm/kind-action; here: sudo npx bench cluster up --provider kind, see infra/kind/README.md)',
            }
          : { target, available: true },
      );
    } else {
      probes.push({ target, available: true });
    }
  }
  if (requested === 'auto')
    probes.push({
      target: 'kubernetes',
      available: false,
      reason: 'not chosen by --targets auto; name it (--targets docker,kubernetes) to run on the cluster your kubeconfig points at',
    });
  return probes;
}

export function countRepeats(record: RunRecord): RepeatCounts {
  const counts: RepeatCounts = { completed: 0, invalid: 0, failed: 0, skipped: 0, died: 0 };
  for (const r of record.repeats) counts[r.outcome.state]++;
  return counts;
}

/** The job's exit code: interrupted > regression (or drift with --fail-on-drift) > failures > invalid load. */
export function nightlyExitCode(outcomes: readonly TargetOutcome[], failOnDrift: boolean, interrupted = false): ExitCode {
  const failed = outcomes.filter((o) => o.state === 'failed');
  if (interrupted || failed.some((o) => o.exitCode === ExitCode.interrupted)) return ExitCode.interrupted;
  const measured = outcomes.filter((o) => o.state === 'measured');
  if (measured.some((o) => o.compare.state === 'regression')) return ExitCode.regression;
  if (failOnDrift && measured.some((o) => newWorseChanges(o.trends).length > 0)) return ExitCode.regression;
  if (failed.length > 0) return failed.some((o) => o.exitCode === ExitCode.usage) ? ExitCode.usage : ExitCode.infra;
  if (measured.length === 0) return ExitCode.infra;
  if (measured.some((o) => o.compare.state === 'error')) return ExitCode.infra;
  if (measured.some((o) => o.runExitCode === ExitCode.invalidLoad)) return ExitCode.invalidLoad;
  return ExitCode.ok;
}

/** How the comparison with the baseline is judged: `bench compare`'s options, and the job's gate. */
export interface CompareSettings {
  thresholdPct: number;
  failOn: readonly FailOn[];
  /** Metrics whose regressions fail the job (their own multiple-comparison family); null = every metric. */
  gate: ReadonlySet<string> | null;
}

/**
 * A comparison's outcome for the job (pure): the regression rows, each marked gating or not. Without a
 * gate the `--fail-on` conditions decide, as `bench compare`'s exit code does; with one, a regression of
 * a gated metric does (the others stay in the table).
 */
export function judgeComparison(result: CompareResult, failReasons: readonly string[], gate: ReadonlySet<string> | null, markdown: string): CompareOutcome {
  const regressions: RegressionRow[] = result.rows
    .filter((r) => r.status === 'regression')
    .map((r) => ({
      cell: r.cellId,
      metric: r.metric,
      baselineMedian: r.difference.baseline.median,
      currentMedian: r.difference.treatment.median,
      relativePct: r.difference.relativePct,
      p: r.difference.p,
      n: r.n,
      gating: gate === null || gate.has(r.metric),
    }));
  const regressed = gate === null ? failReasons.length > 0 : regressions.some((r) => r.gating);
  return { state: regressed ? 'regression' : 'clean', regressions, markdown };
}

/**
 * Compares a run with the saved baseline of its environment and profile, writing `compare.md` and
 * `compare.json` beside the run (the job's artifacts).
 */
export async function compareWithBaseline(record: RunRecord, runDir: string, baselinesDir: string, settings: CompareSettings): Promise<CompareOutcome> {
  let saved: { file: string; exists: boolean };
  try {
    saved = await savedBaseline(baselinesDir, record);
  } catch (error) {
    return { state: 'error', exitCode: ExitCode.usage, message: (error as Error).message };
  }
  if (!saved.exists) return { state: 'no-baseline', message: `no baseline for this environment and profile at ${saved.file}` };
  try {
    const baseline = await readRunRecord(saved.file);
    const familyMetrics = settings.gate === null ? null : new Set(settings.gate);
    const { result, reasons } = compareWithFailOn(baseline, record, { thresholdPct: settings.thresholdPct, force: false, familyMetrics }, settings.failOn);
    const markdown = renderCompareMarkdown(result);
    await writeFile(path.join(runDir, 'compare.md'), markdown, 'utf8');
    await writeFile(path.join(runDir, 'compare.json'), renderCompareJson(result, settings.failOn, reasons), 'utf8');
    return judgeComparison(result, reasons, settings.gate, markdown);
  } catch (error) {
    const usage = error instanceof IncomparableRunsError;
    return {
      state: 'error',
      exitCode: usage ? ExitCode.usage : ExitCode.infra,
      message: `${usage ? 'the run cannot be compared with its baseline: ' : ''}${(error as Error).message}`,
    };
  }
}

export interface NightlyRun {
  /** `--scenario` names or files; empty: `--matrix`. */
  scenarios: readonly string[];
  profile: string;
  /** `--repeats`, `--duration`, `--warmup`, `--load`, `--seed` as given, passed to `bench run`. */
  passed: Readonly<Record<string, string | undefined>>;
}

/** The `bench run` arguments of one target's run into `runDir`. Pure. */
export function nightlyRunArgs(run: NightlyRun, target: TargetName, runDir: string): string[] {
  const what = run.scenarios.length > 0 ? run.scenarios.flatMap((s) => ['--scenario', s]) : ['--matrix'];
  const passed = Object.entries(run.passed).flatMap(([name, value]) => (value === undefined ? [] : [`--${name}`, value]));
  return [...what, '--profile', run.profile, '--target', target, '--out', runDir, ...passed];
}

export interface NightlyJob {
  probes: readonly TargetProbe[];
  outDir: string;
  /** What each target's `bench run` runs: the matrix or these scenarios, the profile, flags passed through. */
  run: NightlyRun;
  baselinesDir: string;
  compare: CompareSettings;
  /** History file; null leaves the history alone. */
  historyFile: string | null;
  /** Paths as the summary shows them (relative to the working directory). */
  shown: (p: string) => string;
}

export interface NightlyDeps {
  /** Where each target's run prints its plan, progress and errors. */
  runConsole: RunConsole;
  log: (text: string) => void;
  signal: AbortSignal;
}

/**
 * `bench run` with these arguments, in this process, behind the same error boundary as the CLI's: its
 * exit code, and what it wrote to stderr (for the summary when it fails). The arguments are recorded,
 * so that `bench run --resume` continues a nightly run as any other.
 */
async function runInProcess(args: string[], deps: NightlyDeps): Promise<{ exitCode: ExitCode; stderr: string }> {
  let stderr = '';
  const ctx = { ...deps.runConsole, signal: deps.signal, stderr: (text: string) => ((stderr += text), deps.runConsole.stderr(text)) };
  const exitCode = await withErrorBoundary(async () => performRun(await runRequestOf(parseRunArgs(args), { ...ctx, argv: args }), ctx), ctx);
  return { exitCode, stderr };
}

/** Runs the job on every available target; what was measured stays in the run directories. */
export async function runNightlyJob(job: NightlyJob, deps: NightlyDeps): Promise<TargetOutcome[]> {
  const step = (text: string) => deps.log(`\n▶ ${text}\n`);
  const outcomes: TargetOutcome[] = [];
  for (const probe of job.probes) {
    if (!probe.available) {
      deps.log(`skipped ${probe.target}: ${probe.reason}\n`);
      outcomes.push({ target: probe.target, state: 'skipped', reason: probe.reason });
    }
  }
  await mkdir(job.outDir, { recursive: true });

  for (const { target } of job.probes.filter((p) => p.available)) {
    if (deps.signal.aborted) break;
    const runDir = path.join(job.outDir, target);
    const runArgs = nightlyRunArgs(job.run, target, runDir);
    step(`bench ${runArgs.join(' ')}`);
    const { exitCode: runExitCode, stderr } = await runInProcess(runArgs, deps);
    let record: RunRecord | null = null;
    if (runExitCode === ExitCode.ok || runExitCode === ExitCode.invalidLoad) record = await readRunRecord(runDir).catch(() => null);
    if (record === null) {
      outcomes.push({
        target,
        state: 'failed',
        stage: 'run',
        exitCode: runExitCode,
        message: stderr.trim().split('\n').slice(-20).join('\n') || `bench run exited ${runExitCode}`,
        runDir: job.shown(runDir),
      });
      continue;
    }

    step(`compare ${job.shown(runDir)} with the baseline in ${job.shown(job.baselinesDir)}`);
    const compare = await compareWithBaseline(record, runDir, job.baselinesDir, job.compare);
    if ('regressions' in compare) {
      const listed = compare.regressions.map((r) => `${r.cell} ${r.metric}${r.gating ? '' : ' (not gating)'}`);
      deps.log(`compare: ${compare.state === 'regression' ? 'REGRESSION' : 'no gating regression'}${listed.length > 0 ? ` — ${listed.join(', ')}` : ''}\n`);
    } else deps.log(`compare: ${compare.message}\n`);

    let trends: CellTrend[] | null = null;
    let historyRuns = 0;
    if (job.historyFile !== null) {
      step(`history: append ${record.runId} to ${job.shown(job.historyFile)}`);
      try {
        const entry = createHistoryEntry(record, job.shown(runDir));
        await appendHistoryEntry(job.historyFile, entry);
        const series = groupSeries(await readHistory(job.historyFile)).get(seriesKey(entry)) ?? [entry];
        historyRuns = series.length;
        // With a gate, the drift check watches the gated metrics too; else the default set.
        trends = buildTrends(series, job.compare.gate === null ? {} : { metrics: [...job.compare.gate] });
        const worse = newWorseChanges(trends);
        deps.log(
          `history: ${series.length} run(s) of this series; ${worse.length === 0 ? 'no new change point for the worse' : `new change points for the worse: ${worse.map((w) => `${w.cellId} ${w.metric}`).join('; ')}`}\n`,
        );
      } catch (error) {
        outcomes.push({ target, state: 'failed', stage: 'history', exitCode: ExitCode.usage, message: (error as Error).message, runDir: job.shown(runDir) });
        continue;
      }
    }
    const report = await readFile(path.join(runDir, 'report.md'), 'utf8').catch(() => null);
    outcomes.push({
      target,
      state: 'measured',
      runDir: job.shown(runDir),
      runId: record.runId,
      runExitCode,
      cells: record.plan.cells.length,
      counts: countRepeats(record),
      compare,
      trends,
      historyRuns,
      report,
    });
  }
  return outcomes;
}

/** `auto` or a comma list → target names; bad names are a usage error naming the flag. */
export function parseTargets(value: string): TargetName[] | 'auto' {
  if (value === 'auto') return 'auto';
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw usageError('--targets must name at least one target, or be auto');
  return [...new Set(names.map((name) => parseChoice('targets', name, targetNames)))];
}

/** `--gate a,b` → the set of metric names; unknown names are a usage error naming the flag. */
export function parseGate(value: string | undefined): Set<string> | null {
  if (value === undefined) return null;
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw usageError('--gate must name at least one metric', 'e.g. --gate latencyP50Ms,cpuCores');
  for (const name of names) {
    if (!isMetricName(name))
      throw usageError(
        `--gate: "${name}" is not a metric of the run record`,
        'metric names are listed by `bench history --help` and in bench/results/metrics.ts',
      );
  }
  return new Set(names);
}

/** Writes the job's summary beside its runs (summary.md) and appends it to `alsoTo` (the step summary). */
export async function writeNightlySummary(summary: string, outDir: string, alsoTo: string | null): Promise<void> {
  await writeFile(path.join(outDir, 'summary.md'), summary, 'utf8');
  if (alsoTo !== null) await appendFile(alsoTo, summary, 'utf8');
}

export interface NightlyRequest extends Omit<NightlyJob, 'probes'> {
  targets: TargetName[] | 'auto';
  startedAt: Date;
  /** Also append the summary here (`$GITHUB_STEP_SUMMARY`); null: only `summary.md` in the job's folder. */
  summaryFile: string | null;
  failOnDrift: boolean;
}

/**
 * The whole job: the targets probed, each one's run, comparison and history, then the summary written
 * (and appended to `summaryFile`) and printed collapsed. Returns the job's exit code.
 */
export async function performNightly(request: NightlyRequest, deps: NightlyDeps & { runProcess: ProcessRunner }): Promise<ExitCode> {
  const probes = await probeTargets(request.targets, deps.runProcess);
  const outcomes = await runNightlyJob({ ...request, probes }, deps);
  const code = nightlyExitCode(outcomes, request.failOnDrift, deps.signal.aborted);
  const summary = renderNightlySummary({
    profile: request.run.profile,
    startedAt: request.startedAt.toISOString(),
    outDir: request.shown(request.outDir),
    outcomes,
    exitCode: code,
    failOnDrift: request.failOnDrift,
    baselinesDir: request.shown(request.baselinesDir),
  });
  await writeNightlySummary(summary, request.outDir, request.summaryFile);
  const also = request.summaryFile === null ? '' : ` (also appended to ${request.summaryFile})`;
  deps.log(`\n${collapseDetails(summary)}\nsummary: ${request.shown(path.join(request.outDir, 'summary.md'))}${also}\n`);
  for (const o of outcomes.filter((x) => x.state === 'skipped')) deps.log(`skipped ${o.target}: ${o.reason}\n`);
  return code;
}
