/**
 * The nightly job's summary (markdown, also for `$GITHUB_STEP_SUMMARY`): what happened on each target,
 * the regressions against the baseline, the history's change points, each run's report. Pure: the job
 * (bench/orchestrator/nightly.ts) produces the outcomes, this renders them.
 */
import { ExitCode } from '../bench/errors.js';
import type { TargetName } from '../scenarios/index.js';
import { formatMetricValue, renderDriftMarkdown, type CellTrend } from '../bench/history/index.js';
import { isMetricName } from '../bench/results/index.js';

/** A regression row of the comparison with the baseline. */
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
    const change =
      r.relativePct === null ? `${value(r.baselineMedian)} → ${value(r.currentMedian)}` : `${r.relativePct >= 0 ? '+' : ''}${r.relativePct.toFixed(1)}%`;
    lines.push(
      `| ${r.cell} | ${r.metric}${r.gating ? '' : ' (not gating)'} | ${value(r.baselineMedian)} | ${value(r.currentMedian)} | **${change}** | ${r.p < 0.001 ? '<0.001' : r.p.toFixed(3)} | ${r.n[0]}+${r.n[1]} |`,
    );
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

/** New change points for the worse on the newest run of a target's series. */
export function newWorseChanges(trends: readonly CellTrend[] | null): Array<{ cellId: string; metric: string }> {
  return (trends ?? []).flatMap((t) => t.changes.filter((c) => c.new && c.verdict === 'worse').map(() => ({ cellId: t.cellId, metric: t.metric })));
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
      return measured.length === 0
        ? '**Result: nothing measured** — no target could run (see Skipped).'
        : '**Result: failed** — `bench compare` failed (see below).';
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
export function renderNightlySummary(input: {
  profile: string;
  startedAt: string;
  outDir: string;
  outcomes: readonly TargetOutcome[];
  exitCode: ExitCode;
  failOnDrift: boolean;
  baselinesDir: string;
}): string {
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
    else if (o.state === 'failed')
      lines.push(`| ${o.target} | ${o.runDir === null ? '—' : `\`${o.runDir}\``} | — | **${o.stage} failed (exit ${o.exitCode})** | — |`);
    else {
      const worse = newWorseChanges(o.trends);
      lines.push(
        `| ${o.target} | \`${o.runDir}\` | ${o.counts.completed} / ${o.counts.invalid} / ${o.counts.failed} / ${o.counts.died} | ${compareCell(o.compare)} | ${o.trends === null ? 'history off' : worse.length === 0 ? 'none' : `**${worse.length}**`} |`,
      );
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
        lines.push(
          `### Regressions (${gating} gating${gating === o.compare.regressions.length ? '' : `, ${o.compare.regressions.length - gating} reported only`})`,
          '',
          renderRegressionTable(o.compare.regressions),
          '',
        );
      }
      lines.push(`<details><summary>full comparison (bench compare)</summary>\n\n${cap(demoteHeadings(o.compare.markdown, 2), budget)}\n\n</details>`);
    }
    if (o.trends !== null) {
      lines.push('', `## ${o.target}: history (${o.historyRuns} run(s) of this environment)`, '', renderDriftMarkdown(o.trends, o.historyRuns));
    }
    lines.push('', `## ${o.target}: report`, '');
    lines.push(
      o.report === null
        ? `\`bench run\` wrote no report.md in \`${o.runDir}\`; the record is \`${o.runDir}/results.json\`.`
        : `<details><summary>report.md of ${o.runId}</summary>\n\n${cap(demoteHeadings(o.report, 2), budget)}\n\n</details>`,
    );
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
