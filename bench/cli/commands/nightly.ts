/**
 * `bench nightly` (`npm run nightly`): the nightly regression job, the same here as on the hosted runner.
 * For each target this machine has (or the ones named): `bench run --matrix --profile nightly`, then
 * `bench compare` against the baseline of this environment and profile, then the run goes into the
 * history and its trend is checked for change points. Writes one markdown summary (also into
 * `$GITHUB_STEP_SUMMARY`) and exits 1 on a significant regression. Targets it cannot use are skipped
 * with the reason, never silently.
 *
 * The steps run as child `bench` processes, exactly the commands a user would type, so the job tests the
 * CLI as shipped and each run gets a fresh process (pinning, sockets, memory).
 */
import { spawn } from 'node:child_process';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { profileNames, targetNames, type TargetName } from '../../../scenarios/define.js';
import { ExitCode, usageError } from '../../errors.js';
import { runProcess, type ProcessRunner } from '../../exec/index.js';
import { createHistoryEntry, seriesKey } from '../../history/entry.js';
import { appendHistoryEntry, DEFAULT_HISTORY_FILE, readHistory } from '../../history/file.js';
import { buildTrends, formatMetricValue, groupSeries, renderDriftMarkdown, type CellTrend } from '../../history/trend.js';
import { isMetricName } from '../../results/metrics.js';
import { repoRoot } from '../../paths.js';
import { readRunRecord } from '../../results/store.js';
import type { RunRecord } from '../../results/schema.js';
import { parseChoice, parseCommandArgs } from '../args.js';
import type { Command } from '../types.js';

const help = `Usage: bench nightly [options]      (npm run nightly)

Runs the nightly job on every target this machine has: bench run --matrix --profile nightly, bench
compare against the baseline of this environment and profile, the history and its change points, and
a markdown summary. Exit 1 on a significant regression.

  --targets LIST       comma-separated ${targetNames.join(', ')}, or auto (default): docker when an engine
                       answers, kind when a kind binary is on PATH; each skipped target is printed with why
  --profile NAME       ${profileNames.join(' | ')} (default nightly)
  --scenario NAME|FILE instead of --matrix (repeatable)
  --repeats N, --duration D, --warmup D, --load NAME, --seed N   passed to bench run
  --out DIR            the job's directory; each target's run goes in DIR/<target> (default results/nightly-<time>)
  --baselines DIR      where baselines are kept (default baselines; see docs/nightly.md)
  --threshold PCT      passed to bench compare (e.g. 5%)
  --fail-on LIST       passed to bench compare
  --gate METRICS       only regressions of these metrics fail the job (comma-separated, e.g.
                       latencyP50Ms,cpuCores); the others are still reported (default: every metric)
  --history FILE       history file (default ${DEFAULT_HISTORY_FILE}); --no-history to leave it alone
  --summary FILE       also append the summary here (default: $GITHUB_STEP_SUMMARY when set)
  --fail-on-drift      exit 1 also when the history flags a new change for the worse
`;

const options = {
  targets: { type: 'string' },
  profile: { type: 'string' },
  scenario: { type: 'string', multiple: true },
  repeats: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  load: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  baselines: { type: 'string' },
  threshold: { type: 'string' },
  'fail-on': { type: 'string' },
  gate: { type: 'string' },
  history: { type: 'string' },
  'no-history': { type: 'boolean' },
  summary: { type: 'string' },
  'fail-on-drift': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** What a target probe found. */
export type TargetProbe = { target: TargetName; available: true } | { target: TargetName; available: false; reason: string };

/** `auto` or a comma list → target names; bad names are a usage error naming the flag. */
export function parseTargets(value: string): TargetName[] | 'auto' {
  if (value === 'auto') return 'auto';
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw usageError('--targets must name at least one target, or be auto');
  return [...new Set(names.map((name) => parseChoice('targets', name, targetNames)))];
}

/**
 * Which targets can run here. Docker: the engine answers. kind: a `kind` binary is on PATH (the hosted
 * job installs it; on machines without a registry kind cannot start: infra/kind/README.md). kubernetes is
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
      probes.push(docker instanceof Error ? { target, available: false, reason: `no Docker engine answers (${docker.message.split('\n')[0]}); start one: sudo bash infra/setup/docker-engine.sh` } : { target, available: true });
    } else if (target === 'kind') {
      const kind = requested === 'auto' ? await answers('kind', ['version']) : 'named';
      probes.push(kind instanceof Error ? { target, available: false, reason: 'no `kind` binary on PATH (the hosted job installs it with helm/kind-action; kind cannot start without a container registry, see infra/kind/README.md)' } : { target, available: true });
    } else {
      probes.push({ target, available: true });
    }
  }
  if (requested === 'auto') probes.push({ target: 'kubernetes', available: false, reason: 'not chosen by --targets auto; name it (--targets docker,kubernetes) to run on the cluster your kubeconfig points at' });
  return probes;
}

/** How a child `bench` process ended. */
export interface ChildResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type BenchRunner = (args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; signal: AbortSignal; echo: (text: string) => void }) => Promise<ChildResult>;

/** Runs the built CLI (`node bin/bench.mjs …`) as a child, echoing its output; SIGTERM to it on abort. */
export const spawnBenchCli: BenchRunner = (args, { cwd, env, signal, echo }) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'bench.mjs'), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      echo(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      echo(chunk);
    });
    const onAbort = () => child.kill('SIGTERM');
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', reject);
    child.on('close', (code, killedBy) => {
      signal.removeEventListener('abort', onAbort);
      resolve({ exitCode: code ?? (killedBy === 'SIGINT' || killedBy === 'SIGTERM' ? ExitCode.interrupted : ExitCode.infra), stdout, stderr });
    });
  });

/** A regression row of `bench compare --format json`. */
export interface RegressionRow {
  cell: string;
  metric: string;
  baselineMedian: number;
  currentMedian: number;
  relativePct: number | null;
  p: number;
  n: [number, number];
  /** Whether this row can fail the job (`--gate`; every row when no gate is set). */
  gating: boolean;
}

/** The comparison of one run with its baseline. */
export type CompareOutcome =
  | { state: 'clean' | 'regression'; markdown: string; regressions: RegressionRow[] }
  | { state: 'no-baseline'; message: string }
  | { state: 'error'; exitCode: number; message: string };

/** Maps `bench compare`'s exit code and output to an outcome (rows and markdown are added by the caller). */
export function classifyCompare(result: ChildResult): CompareOutcome {
  if (result.exitCode === ExitCode.ok) return { state: 'clean', markdown: '', regressions: [] };
  if (result.exitCode === ExitCode.regression) return { state: 'regression', markdown: '', regressions: [] };
  const message = [result.stderr.trim(), result.stdout.trim()].filter((t) => t !== '').join('\n');
  if (result.exitCode === ExitCode.usage && /no baseline/i.test(message)) return { state: 'no-baseline', message };
  return { state: 'error', exitCode: result.exitCode, message };
}

const compareJsonSchema = z.object({
  rows: z.array(
    z.object({
      cell: z.string(),
      metric: z.string(),
      status: z.string(),
      n: z.tuple([z.number(), z.number()]),
      baselineMedian: z.number(),
      currentMedian: z.number(),
      relativePct: z.number().nullable(),
      p: z.number(),
    }),
  ),
});

/**
 * The regression rows of `bench compare --format json` output, each marked gating or not (`gate`: the
 * metrics that may fail the job; null = all). Throws when the text is not that format.
 */
export function parseCompareRegressions(text: string, gate: ReadonlySet<string> | null = null): RegressionRow[] {
  const parsed = compareJsonSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`unexpected bench compare JSON: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  return parsed.data.rows
    .filter((r) => r.status === 'regression')
    .map(({ status: _status, ...row }) => ({ ...row, gating: gate === null || gate.has(row.metric) }));
}

/** `--gate a,b` → the set of metric names; unknown names are a usage error naming the flag. */
export function parseGate(value: string | undefined): Set<string> | null {
  if (value === undefined) return null;
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw usageError('--gate must name at least one metric', 'e.g. --gate latencyP50Ms,cpuCores');
  for (const name of names) {
    if (!isMetricName(name)) throw usageError(`--gate: "${name}" is not a metric of the run record`, 'metric names are listed by `bench history --help` and in bench/results/metrics.ts');
  }
  return new Set(names);
}

/** Pushes every markdown heading down by `levels` (to nest another document's headings in a section). */
export function demoteHeadings(markdown: string, levels: number): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^(```|~~~)/.test(line)) fenced = !fenced;
      const match = fenced ? null : /^(#{1,6}) /.exec(line);
      return match ? `${'#'.repeat(Math.min(6, (match[1] as string).length + levels))}${line.slice((match[1] as string).length)}` : line;
    })
    .join('\n');
}

/** The regression table of the summary: one row per regressed cell and metric. */
export function renderRegressionTable(rows: readonly RegressionRow[]): string {
  const lines = ['| cell | metric | baseline | current | change | p | n |', '|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const value = (v: number) => (isMetricName(r.metric) ? formatMetricValue(r.metric, v) : String(v));
    const change = r.relativePct === null ? `${value(r.baselineMedian)} → ${value(r.currentMedian)}` : `${r.relativePct >= 0 ? '+' : ''}${r.relativePct.toFixed(1)}%`;
    lines.push(`| ${r.cell} | ${r.metric}${r.gating ? '' : ' (not gating)'} | ${value(r.baselineMedian)} | ${value(r.currentMedian)} | **${change}** | ${r.p < 0.001 ? '<0.001' : r.p.toFixed(3)} | ${r.n[0]}+${r.n[1]} |`);
  }
  return lines.join('\n');
}

export interface RepeatCounts {
  completed: number;
  invalid: number;
  failed: number;
  skipped: number;
  /** The service was OOM-killed or exited on its own. */
  died: number;
}

/** What happened on one target. */
export type TargetOutcome =
  | { target: TargetName; state: 'skipped'; reason: string }
  | { target: TargetName; state: 'failed'; stage: 'run' | 'compare' | 'history'; exitCode: number; message: string; runDir: string | null }
  | {
      target: TargetName;
      state: 'measured';
      runDir: string;
      runId: string;
      runExitCode: number;
      cells: number;
      counts: RepeatCounts;
      compare: CompareOutcome;
      /** Trends of this run's series (history), null when the history was not used. */
      trends: CellTrend[] | null;
      historyRuns: number;
      report: string | null;
    };

export function countRepeats(record: RunRecord): RepeatCounts {
  const counts: RepeatCounts = { completed: 0, invalid: 0, failed: 0, skipped: 0, died: 0 };
  for (const r of record.repeats) counts[r.outcome.state]++;
  return counts;
}

/** New change points for the worse on the newest run of a target's series. */
export function newWorseChanges(trends: readonly CellTrend[] | null): Array<{ cellId: string; metric: string }> {
  return (trends ?? []).flatMap((t) => t.changes.filter((c) => c.new && c.verdict === 'worse').map(() => ({ cellId: t.cellId, metric: t.metric })));
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

function verdictLine(outcomes: readonly TargetOutcome[], code: ExitCode, failOnDrift: boolean): string {
  const measured = outcomes.filter((o) => o.state === 'measured');
  const regressed = measured.filter((o) => o.compare.state === 'regression').map((o) => o.target);
  const drift = measured.filter((o) => newWorseChanges(o.trends).length > 0).map((o) => o.target);
  switch (code) {
    case ExitCode.ok:
      return `**Result: pass** — no significant regression${drift.length > 0 ? `; new change points for the worse on ${drift.join(', ')} (not failing: run with --fail-on-drift)` : ''}.`;
    case ExitCode.regression:
      return regressed.length > 0
        ? `**Result: REGRESSION** on ${regressed.join(', ')} — see the regression table below.`
        : `**Result: DRIFT** — new change points for the worse on ${drift.join(', ')}${failOnDrift ? ' (--fail-on-drift)' : ''}.`;
    case ExitCode.interrupted:
      return '**Result: interrupted** — the job was stopped; what was measured is kept in the run directories.';
    case ExitCode.invalidLoad:
      return '**Result: invalid load** — in some cells the load generator missed the rate or was saturated; no verdict for them.';
    default:
      if (outcomes.some((o) => o.state === 'failed')) return '**Result: failed** — a step failed (see below).';
      return measured.length === 0 ? '**Result: nothing measured** — no target could run (see Skipped).' : '**Result: failed** — `bench compare` failed (see below).';
  }
}

function compareCell(outcome: CompareOutcome): string {
  switch (outcome.state) {
    case 'clean':
      return outcome.regressions.length === 0 ? 'no significant regression' : `no gating regression (${outcome.regressions.length} not gating)`;
    case 'regression':
      return '**regression**';
    case 'no-baseline':
      return 'no baseline yet';
    case 'error':
      return `compare failed (exit ${outcome.exitCode})`;
  }
}

/** Caps a section so the whole summary stays under GitHub's 1 MiB step-summary limit. */
function cap(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n\n… (cut at ${max} characters; the full text is in the artifact)`;
}

/** The markdown summary of the job (pure). */
export function renderNightlySummary(input: { profile: string; startedAt: string; outDir: string; outcomes: readonly TargetOutcome[]; exitCode: ExitCode; failOnDrift: boolean; baselinesDir: string }): string {
  const { outcomes } = input;
  const lines: string[] = [
    `# Nightly benchmark — profile ${input.profile}`,
    '',
    `Started ${input.startedAt}; run directories under \`${input.outDir}\`.`,
    '',
    verdictLine(outcomes, input.exitCode, input.failOnDrift),
    '',
    '| target | run | repeats (ok / invalid / failed / died) | vs baseline | change points (new, worse) |',
    '|---|---|---|---|---|',
  ];
  for (const o of outcomes) {
    if (o.state === 'skipped') lines.push(`| ${o.target} | — | — | skipped | — |`);
    else if (o.state === 'failed') lines.push(`| ${o.target} | ${o.runDir === null ? '—' : `\`${o.runDir}\``} | — | **${o.stage} failed (exit ${o.exitCode})** | — |`);
    else {
      const worse = newWorseChanges(o.trends);
      lines.push(`| ${o.target} | \`${o.runDir}\` | ${o.counts.completed} / ${o.counts.invalid} / ${o.counts.failed} / ${o.counts.died} | ${compareCell(o.compare)} | ${o.trends === null ? 'history off' : worse.length === 0 ? 'none' : `**${worse.length}**`} |`);
    }
  }
  const budget = Math.floor(900_000 / Math.max(1, outcomes.length * 3));
  for (const o of outcomes) {
    if (o.state === 'failed') {
      lines.push('', `## ${o.target}: ${o.stage} failed (exit ${o.exitCode})`, '', '```', cap(o.message.trim(), 20_000), '```');
      continue;
    }
    if (o.state !== 'measured') continue;
    lines.push('', `## ${o.target}: comparison with the baseline`, '');
    if (o.compare.state === 'no-baseline') {
      lines.push(
        `No baseline for this environment and profile in \`${input.baselinesDir}\`, so nothing to compare against yet.`,
        `Accept this run as the baseline: \`npx bench baseline save ${o.runDir} --dir ${input.baselinesDir}\` (docs/nightly.md).`,
      );
    } else if (o.compare.state === 'error') {
      lines.push('`bench compare` failed:', '', '```', cap(o.compare.message, 20_000), '```');
    } else {
      if (o.compare.regressions.length > 0) {
        const gating = o.compare.regressions.filter((r) => r.gating).length;
        lines.push(`### Regressions (${gating} gating${gating === o.compare.regressions.length ? '' : `, ${o.compare.regressions.length - gating} reported only`})`, '', renderRegressionTable(o.compare.regressions), '');
      }
      lines.push(`<details><summary>full comparison (bench compare)</summary>\n\n${cap(demoteHeadings(o.compare.markdown, 2), budget)}\n\n</details>`);
    }
    if (o.trends !== null) {
      lines.push('', `## ${o.target}: history (${o.historyRuns} run(s) of this environment)`, '', renderDriftMarkdown(o.trends, o.historyRuns));
    }
    lines.push('', `## ${o.target}: report`, '');
    lines.push(o.report === null ? `\`bench run\` wrote no report.md in \`${o.runDir}\`; the record is \`${o.runDir}/results.json\`.` : `<details><summary>report.md of ${o.runId}</summary>\n\n${cap(demoteHeadings(o.report, 2), budget)}\n\n</details>`);
  }
  const skipped = outcomes.filter((o) => o.state === 'skipped');
  if (skipped.length > 0) {
    lines.push('', '## Skipped', '', ...skipped.map((o) => `- **${o.target}**: ${o.reason}`));
  }
  return `${lines.join('\n')}\n`;
}

/** The summary for the terminal: collapsed `<details>` blocks (full comparison, report) left out. */
export function collapseDetails(markdown: string): string {
  return markdown.replace(/<details><summary>([^<]*)<\/summary>[\s\S]*?<\/details>/g, '($1: see summary.md)');
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

function passThrough(values: Record<string, string | boolean | string[] | undefined>, names: readonly string[]): string[] {
  return names.flatMap((name) => {
    const value = values[name];
    if (value === undefined || typeof value === 'boolean') return [];
    return Array.isArray(value) ? value.flatMap((v) => [`--${name}`, v]) : [`--${name}`, value];
  });
}

export interface NightlyDeps {
  runBench: BenchRunner;
  runProcess: ProcessRunner;
  now: () => Date;
}

export function createNightlyCommand(deps: NightlyDeps): Command {
  return async (ctx) => {
    const { values } = parseCommandArgs('nightly', ctx.argv, options, false);
    if (values.help) {
      ctx.stdout(help);
      return ExitCode.ok;
    }
    const requested = parseTargets(values.targets ?? 'auto');
    const profile = parseChoice('profile', values.profile ?? 'nightly', profileNames);
    const startedAt = deps.now();
    const outDir = path.resolve(ctx.cwd, values.out ?? path.join('results', `nightly-${stamp(startedAt)}`));
    const shown = (p: string) => path.relative(ctx.cwd, p) || p;
    const baselinesDir = values.baselines ?? 'baselines';
    const historyFile = values['no-history'] ? null : path.resolve(ctx.cwd, values.history ?? DEFAULT_HISTORY_FILE);
    const summaryFile = values.summary ?? (ctx.env.GITHUB_STEP_SUMMARY || undefined);
    const failOnDrift = values['fail-on-drift'] === true;
    const gate = parseGate(values.gate);
    if (gate !== null && values['fail-on'] !== undefined) throw usageError('--gate and --fail-on cannot be combined', '--gate picks the metrics whose regressions fail the job; --fail-on adds claim conditions of bench compare');
    const echo = (text: string) => ctx.stdout(text);
    const step = (text: string) => ctx.stdout(`\n▶ ${text}\n`);

    const probes = await probeTargets(requested, deps.runProcess);
    const outcomes: TargetOutcome[] = [];
    for (const probe of probes.filter((p) => !p.available)) {
      ctx.stdout(`skipped ${probe.target}: ${probe.available ? '' : probe.reason}\n`);
      outcomes.push({ target: probe.target, state: 'skipped', reason: probe.available ? '' : probe.reason });
    }
    await mkdir(outDir, { recursive: true });

    for (const { target } of probes.filter((p) => p.available)) {
      if (ctx.signal.aborted) break;
      const runDir = path.join(outDir, target);
      const what = (values.scenario ?? []).length > 0 ? passThrough(values, ['scenario']) : ['--matrix'];
      const runArgs = ['run', ...what, '--profile', profile, '--target', target, '--out', runDir, ...passThrough(values, ['repeats', 'duration', 'warmup', 'load', 'seed'])];
      step(`bench ${runArgs.join(' ')}`);
      const run = await deps.runBench(runArgs, { cwd: ctx.cwd, env: ctx.env, signal: ctx.signal, echo });
      let record: RunRecord | null = null;
      if (run.exitCode === ExitCode.ok || run.exitCode === ExitCode.invalidLoad) record = await readRunRecord(runDir).catch(() => null);
      if (record === null) {
        outcomes.push({ target, state: 'failed', stage: 'run', exitCode: run.exitCode, message: run.stderr.trim().split('\n').slice(-20).join('\n') || run.stdout.trim().split('\n').slice(-20).join('\n'), runDir: shown(runDir) });
        continue;
      }

      // The gated metrics are their own multiple-comparison family: the rows that can fail the job.
      const compareArgs = ['compare', '--baseline', 'auto', runDir, '--dir', baselinesDir, ...passThrough(values, ['threshold', 'fail-on']), ...(gate === null ? [] : ['--family', [...gate].join(',')])];
      const compareJson = path.join(runDir, 'compare.json');
      const compareMd = path.join(runDir, 'compare.md');
      step(`bench ${compareArgs.join(' ')}`);
      let compare = classifyCompare(await deps.runBench([...compareArgs, '--format', 'json', '-o', compareJson], { cwd: ctx.cwd, env: ctx.env, signal: ctx.signal, echo }));
      if (compare.state === 'clean' || compare.state === 'regression') {
        const markdown = await deps.runBench([...compareArgs, '-o', compareMd], { cwd: ctx.cwd, env: ctx.env, signal: ctx.signal, echo });
        try {
          if (markdown.exitCode !== ExitCode.ok && markdown.exitCode !== ExitCode.regression) throw new Error(`bench compare (markdown) exited ${markdown.exitCode}: ${markdown.stderr.trim()}`);
          const regressions = parseCompareRegressions(await readFile(compareJson, 'utf8'), gate);
          // With a gate, only regressions of the gated metrics fail; the rest stay in the table.
          const state = gate === null ? compare.state : regressions.some((r) => r.gating) ? 'regression' : 'clean';
          compare = { state, regressions, markdown: await readFile(compareMd, 'utf8') };
        } catch (error) {
          compare = { state: 'error', exitCode: ExitCode.infra, message: `cannot read the comparison: ${(error as Error).message}` };
        }
        if (compare.state !== 'error') {
          const listed = compare.regressions.map((r) => `${r.cell} ${r.metric}${r.gating ? '' : ' (not gating)'}`);
          ctx.stdout(`compare: ${compare.state === 'regression' ? 'REGRESSION' : 'no gating regression'}${listed.length > 0 ? ` — ${listed.join(', ')}` : ''}\n`);
        }
      }
      if (compare.state === 'error' && compare.exitCode === ExitCode.interrupted) {
        outcomes.push({ target, state: 'failed', stage: 'compare', exitCode: compare.exitCode, message: compare.message, runDir: shown(runDir) });
        break;
      }

      let trends: CellTrend[] | null = null;
      let historyRuns = 0;
      if (historyFile !== null) {
        step(`history: append ${record.runId} to ${shown(historyFile)}`);
        try {
          const entry = createHistoryEntry(record, shown(runDir));
          await appendHistoryEntry(historyFile, entry);
          const series = groupSeries(await readHistory(historyFile)).get(seriesKey(entry)) ?? [entry];
          historyRuns = series.length;
          // With a gate, the drift check watches the gated metrics too; else the default set.
          trends = buildTrends(series, gate === null ? {} : { metrics: [...gate] });
          const worse = newWorseChanges(trends);
          ctx.stdout(`history: ${series.length} run(s) of this series; ${worse.length === 0 ? 'no new change point for the worse' : `new change points for the worse: ${worse.map((w) => `${w.cellId} ${w.metric}`).join('; ')}`}\n`);
        } catch (error) {
          outcomes.push({ target, state: 'failed', stage: 'history', exitCode: ExitCode.usage, message: (error as Error).message, runDir: shown(runDir) });
          continue;
        }
      }
      const report = await readFile(path.join(runDir, 'report.md'), 'utf8').catch(() => null);
      outcomes.push({ target, state: 'measured', runDir: shown(runDir), runId: record.runId, runExitCode: run.exitCode, cells: record.plan.cells.length, counts: countRepeats(record), compare, trends, historyRuns, report });
    }
    const code = nightlyExitCode(outcomes, failOnDrift, ctx.signal.aborted);
    const summary = renderNightlySummary({ profile, startedAt: startedAt.toISOString(), outDir: shown(outDir), outcomes, exitCode: code, failOnDrift, baselinesDir });
    await writeFile(path.join(outDir, 'summary.md'), summary, 'utf8');
    if (summaryFile !== undefined) await appendFile(path.resolve(ctx.cwd, summaryFile), summary, 'utf8');
    ctx.stdout(`\n${collapseDetails(summary)}\nsummary: ${shown(path.join(outDir, 'summary.md'))}${summaryFile === undefined ? '' : ` (also appended to ${summaryFile})`}\n`);
    for (const o of outcomes.filter((x) => x.state === 'skipped')) ctx.stdout(`skipped ${o.target}: ${o.reason}\n`);
    return code;
  };
}

export const nightlyCommand: Command = createNightlyCommand({ runBench: spawnBenchCli, runProcess, now: () => new Date() });
