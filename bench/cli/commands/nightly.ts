/**
 * `bench nightly` (`npm run nightly`): the nightly regression job, the same here as on the hosted runner.
 * Parses its flags and runs the job (bench/orchestrator/nightly.ts) in this process: for each target
 * this machine has (or the ones named) `bench run --matrix --profile nightly` through the run
 * lifecycle, the comparison with the baseline of this environment and profile, the history and its change
 * points. Writes the summary (reporters/nightly.ts; also into `$GITHUB_STEP_SUMMARY`) and exits 1 on a
 * significant regression. Targets it cannot use are skipped with the reason, never silently.
 */
import path from 'node:path';
import { profileNames, targetNames } from '../../../scenarios/index.js';
import { ExitCode, usageError } from '../../errors.js';
import { runProcess, type ProcessRunner } from '../../exec/index.js';
import { DEFAULT_HISTORY_FILE } from '../../history/index.js';
import { DEFAULT_BASELINE_DIR, timeStamp } from '../../results/index.js';
import { DEFAULT_THRESHOLD_PCT, parseThreshold } from '../../stats/index.js';
import { parseGate, parseTargets, performNightly } from '../../orchestrator/index.js';
import { parseChoice, type Flags } from '../../flags.js';
import { parseFailOn } from '../../claims/index.js';
import { parseCommand, type CommandSpec } from '../help.js';
import type { Command } from '../types.js';

const spec = {
  name: 'nightly',
  usage: 'nightly [options]      (npm run nightly)',
  description:
    'Runs the nightly job on every target this machine has: bench run --matrix --profile nightly, bench\n' +
    'compare against the baseline of this environment and profile, the history and its change points, and\n' +
    'a markdown summary. Exit 1 on a significant regression.',
  positionals: false,
  flags: {
    targets: {
      type: 'string',
      arg: 'LIST',
      help: `comma-separated ${targetNames.join(', ')}, or auto (default): docker when an engine answers, kind when a kind binary is on PATH; each skipped target is printed with why`,
    },
    profile: { type: 'string', arg: 'NAME', help: `${profileNames.join(' | ')} (default nightly)` },
    scenario: { type: 'string', multiple: true, arg: 'NAME|FILE', help: 'instead of --matrix (repeatable)' },
    repeats: { type: 'string', arg: 'N', help: 'passed to bench run' },
    duration: { type: 'string', arg: 'D', help: 'passed to bench run' },
    warmup: { type: 'string', arg: 'D', help: 'passed to bench run' },
    load: { type: 'string', arg: 'NAME', help: 'passed to bench run' },
    seed: { type: 'string', arg: 'N', help: 'passed to bench run' },
    out: { type: 'string', arg: 'DIR', help: "the job's directory; each target's run goes in DIR/<target> (default results/nightly-<time>)" },
    baselines: {
      type: 'string',
      arg: 'DIR',
      help: 'where baselines are kept (default: baselines/ in the repository, as bench baseline and bench compare use; see docs/nightly.md)',
    },
    threshold: { type: 'string', arg: 'PCT', help: 'regression threshold of the comparison, as bench compare (e.g. 5%)' },
    'fail-on': { type: 'string', arg: 'LIST', help: 'what fails the comparison, as bench compare (regression, refuted, inconclusive)' },
    gate: {
      type: 'string',
      arg: 'METRICS',
      help: 'only regressions of these metrics fail the job (comma-separated, e.g. latencyP50Ms,cpuCores); the others are still reported (default: every metric)',
    },
    history: { type: 'string', arg: 'FILE', help: `history file (default ${DEFAULT_HISTORY_FILE})` },
    'no-history': { type: 'boolean', help: 'leave the history alone' },
    summary: { type: 'string', arg: 'FILE', help: 'also append the summary here (default: $GITHUB_STEP_SUMMARY when set)' },
    'fail-on-drift': { type: 'boolean', help: 'exit 1 also when the history flags a new change for the worse' },
  },
} as const satisfies CommandSpec<Flags>;

/** The string flags named, as given. */
const pick = (values: Record<string, unknown>, names: readonly string[]) =>
  Object.fromEntries(names.map((n) => [n, typeof values[n] === 'string' ? values[n] : undefined]));

export interface NightlyCommandDeps {
  runProcess: ProcessRunner;
  now: () => Date;
}

export function createNightlyCommand(deps: NightlyCommandDeps): Command {
  return async (ctx) => {
    const parsed = parseCommand(ctx, spec);
    if (parsed === null) return ExitCode.ok;
    const { values } = parsed;
    const requested = parseTargets(values.targets ?? 'auto');
    const profile = parseChoice('profile', values.profile ?? 'nightly', profileNames);
    const startedAt = deps.now();
    const outDir = path.resolve(ctx.cwd, values.out ?? path.join('results', `nightly-${timeStamp(startedAt)}`));
    const shown = (p: string) => path.relative(ctx.cwd, p) || p;
    const baselinesDir = values.baselines === undefined ? DEFAULT_BASELINE_DIR : path.resolve(ctx.cwd, values.baselines);
    const historyFile = values['no-history'] ? null : path.resolve(ctx.cwd, values.history ?? DEFAULT_HISTORY_FILE);
    const summaryFile = values.summary ?? (ctx.env.GITHUB_STEP_SUMMARY || undefined);
    const failOnDrift = values['fail-on-drift'] === true;
    const gate = parseGate(values.gate);
    if (gate !== null && values['fail-on'] !== undefined)
      throw usageError(
        '--gate and --fail-on cannot be combined',
        '--gate picks the metrics whose regressions fail the job; --fail-on adds claim conditions of bench compare',
      );
    const thresholdPct = values.threshold === undefined ? DEFAULT_THRESHOLD_PCT : parseThreshold(values.threshold);
    const failOn = parseFailOn(values['fail-on'] === undefined ? undefined : [values['fail-on']]);

    return performNightly(
      {
        targets: requested,
        run: { scenarios: values.scenario ?? [], profile, passed: pick(values, ['repeats', 'duration', 'warmup', 'load', 'seed']) },
        outDir,
        baselinesDir,
        compare: { thresholdPct, failOn, gate },
        historyFile,
        shown,
        startedAt,
        summaryFile: summaryFile === undefined ? null : path.resolve(ctx.cwd, summaryFile),
        failOnDrift,
      },
      {
        runConsole: ctx,
        log: (text) => ctx.stdout(text),
        signal: ctx.signal,
        runProcess: deps.runProcess,
      },
    );
  };
}

export const nightlyCommand: Command = createNightlyCommand({
  runProcess,
  now: () => new Date(),
});
