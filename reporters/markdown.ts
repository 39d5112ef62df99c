/**
 * The markdown report: verdict table first (a row for every claim of the catalog), one section per
 * claim with benchstat-style tables and charts, then repeats, environment, method and honest limits.
 * Pure: returns the markdown and the SVG files to write beside it.
 */
import { GC_CPU_THROTTLED_SHARE_LIMIT, type RunRecord } from '../bench/results/index.js';
import {
  compareCellMetric,
  type CellAnalysis,
  type RunAnalysis,
  measureDrift,
  type DriftMeasure,
  ALPHA,
  BOOTSTRAP_RESAMPLES,
  CONFIDENCE_LEVEL,
  MIN_REPEATS_BY_PROFILE,
  MIN_REPEATS_DIRECTIONAL,
  MIN_REPEATS_FALLBACK,
} from '../bench/stats/index.js';
import { controlPair } from '../scenarios/index.js';
import {
  describeCoverage,
  expectedGomaxprocs,
  formatChange,
  NO_EFFECT_MARGIN_PCT,
  verdictLabel,
  verdictText,
  type CheckResult,
  type ClaimVerdict,
  type PairResult,
  formatMetricValue,
  formatNumber,
  formatP,
  formatPct,
  formatWithCi,
  metricLabel,
} from '../bench/claims/index.js';
import { buildCharts, renderChartSvg, renderMermaidChart, type ChartData } from './charts.js';
import { renderGcBench } from './gcbench.js';
import type { GcBenchResult } from '../bench/gcbench/index.js';

export interface ReportFile {
  name: string;
  content: string;
}

export interface MarkdownReport {
  markdown: string;
  /** SVG charts to write beside report.md. */
  files: ReportFile[];
}

/** Escapes a table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

const verdictIcon: Record<string, string> = {
  confirmed: '✅',
  weaker: '🟡',
  refuted: '❌',
  inconclusive: '❔',
  'not-measurable': '⛔',
  'not-run': '➖',
};

function verdictCell(v: ClaimVerdict['verdict'] | { verdict: ClaimVerdict['verdict']; betterThanClaimed?: boolean }): string {
  const judged = typeof v === 'string' ? { verdict: v } : v;
  return `${verdictIcon[judged.verdict]} ${verdictLabel(judged)}`;
}

function anchor(id: string): string {
  return `#${id
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-')}`;
}

export function renderVerdictTable(verdicts: readonly ClaimVerdict[]): string {
  return table(
    ['claim', 'document says', 'measured (± CI)', 'verdict'],
    verdicts.map((v) => {
      let measured = v.measured;
      if (v.verdict === 'not-run') measured = `not run — covered by ${describeCoverage(v.notRun)}`;
      if (v.verdict === 'not-measurable')
        measured = v.claim.kind === 'note' ? `version note: ${v.claim.correctedFact}` : `not measurable here — needs ${describeCoverage(v.coverage)}`;
      return [`[\`${v.claim.id}\`](${anchor(v.claim.id)})`, v.claim.documentSays, measured, verdictCell(v)];
    }),
  );
}

function nText(c: CellAnalysis): string {
  const other = c.counts.invalid + c.counts.failed + c.counts.skipped + c.counts.died;
  return other > 0 ? `${c.counts.completed} (+${other} not used)` : String(c.counts.completed);
}

function valueCell(c: CellAnalysis, metric: string): string {
  const m = c.metrics[metric];
  return m ? formatWithCi(metric, m.median, m.ci) : 'n/a';
}

function deltaCell(p: PairResult): string {
  const d = p.difference;
  if (!d) return 'n/a';
  return `${formatChange(d, p.metric)}${d.significant ? '' : ' ~'}`;
}

/** A pair's cells of a comparison table: cells, baseline, treatment, Δ [CI], the p named, n. */
function pairCells(p: PairResult, pValue: 'p' | 'pAdjusted'): string[] {
  return [
    sharedLabel(p),
    valueCell(p.baseline, p.metric),
    valueCell(p.treatment, p.metric),
    deltaCell(p),
    p.difference ? formatP(p.difference[pValue]) : '',
    `${nText(p.baseline)}+${nText(p.treatment)}`,
  ];
}

/** benchstat-style: geomean of the medians on both sides and the change of the geomeans. */
function geomeanRow(pairs: readonly PairResult[], metric: string): string[] | null {
  const usable = pairs.filter((p) => p.difference && p.difference.baseline.median > 0 && p.difference.treatment.median > 0);
  if (usable.length < 2) return null;
  const g = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
  const b = g(usable.map((p) => p.difference!.baseline.median));
  const t = g(usable.map((p) => p.difference!.treatment.median));
  return ['**geomean**', formatMetricValue(metric, b), formatMetricValue(metric, t), formatPct((t / b - 1) * 100), '', '', ''];
}

function renderCheck(check: CheckResult, hostCpus: number): string {
  const scope = check.scope === undefined ? '' : ` Holds for: ${check.scope}.`;
  const out: string[] = [`#### ${check.check.label} — ${verdictCell(check)}`, '', `Scenario \`${check.scenario}\`.${scope} ${check.reason}`, ''];
  switch (check.check.kind) {
    case 'effect':
    case 'no-worse': {
      const c = check.check;
      const claimed =
        c.kind === 'effect' ? (c.claimedChangePct === null ? 'claimed: an improvement' : `claimed: ${formatPct(c.claimedChangePct)}`) : 'claimed: no worse';
      out.push(`${metricLabel(c.metric)}, baseline \`${JSON.stringify(c.baseline)}\` → treatment \`${JSON.stringify(c.treatment)}\` (${claimed}).`, '');
      const rows = check.pairs.map((p) => [...pairCells(p, 'pAdjusted'), verdictText[p.verdict]]);
      const geo = geomeanRow(check.pairs, c.metric);
      out.push(table(['cells', 'baseline', 'treatment', 'Δ [CI]', 'p (Holm)', 'n', 'verdict'], geo ? [...rows, geo] : rows));
      break;
    }
    case 'absolute': {
      const c = check.check;
      const figure =
        c.relation === 'about'
          ? `≈ ${formatMetricValue(c.metric, c.value)} ±${c.tolerancePct ?? 0}%`
          : `${{ below: '<', 'at-most': '≤', 'at-least': '≥' }[c.relation]} ${formatMetricValue(c.metric, c.value)}`;
      const context = c.context ?? [];
      out.push(
        table(
          ['cell', `${metricLabel(c.metric)} (median ± CI)`, 'document', ...context.map((m) => `${metricLabel(m)} (context)`), 'n', 'verdict'],
          check.cells.map((r) => [
            r.cell.label,
            valueCell(r.cell, c.metric),
            figure,
            ...context.map((m) => valueCell(r.cell, m)),
            nText(r.cell),
            verdictLabel(r),
          ]),
        ),
      );
      break;
    }
    case 'no-failures': {
      const c = check.check;
      const sum = (cell: CellAnalysis, metric: string) => cell.metrics[metric]?.values.reduce((a, b) => a + b, 0) ?? null;
      out.push(
        table(
          ['cell', metricLabel(c.metric), metricLabel(c.exposureMetric), '95% upper bound on the failure rate (3/N)', 'document', 'n', 'verdict'],
          [
            ...check.cells.map((r) => ({ cell: r.cell, verdict: verdictLabel(r) })),
            ...(check.contextCells ?? []).map((cell) => ({ cell, verdict: 'context (not judged)' })),
          ].map(({ cell, verdict }) => {
            const failed = sum(cell, c.metric);
            const exposed = sum(cell, c.exposureMetric);
            const bound =
              failed === 0 && exposed !== null && exposed > 0
                ? `${formatNumber((3 / exposed) * 100)}% (threshold ${formatNumber(c.maxFailureRate * 100)}%)`
                : '—';
            return [cell.label, failed === null ? 'n/a' : String(failed), exposed === null ? 'n/a' : String(exposed), bound, '0 dropped', nText(cell), verdict];
          }),
        ),
      );
      break;
    }
    case 'oom-kills': {
      const c = check.check;
      out.push(
        table(
          ['cell', 'OOM kills', 'repeats died', 'repeats run', 'document', 'verdict'],
          check.cells.map((r) => {
            const counts = r.cell.counts;
            return [
              r.cell.label,
              String(r.cell.oomKills),
              String(counts.died),
              String(counts.completed + counts.invalid + counts.died),
              `≤ ${c.atMost}`,
              verdictText[r.verdict],
            ];
          }),
        ),
      );
      break;
    }
    case 'gomaxprocs-rule':
      out.push(
        table(
          ['CPU limit', 'GOMAXPROCS measured', 'Go 1.25 rule', 'document (= limit)', 'n'],
          check.cells.map((r) => {
            const limit = r.cell.cell.settings.cpuLimit;
            const m = r.cell.metrics.gomaxprocs;
            return [
              String(limit ?? 'none'),
              m ? formatNumber(m.median) : 'n/a',
              String(expectedGomaxprocs(limit, hostCpus)),
              String(limit ?? '—'),
              nText(r.cell),
            ];
          }),
        ),
      );
      break;
    case 'no-op':
      out.push(
        table(
          ['metric', 'cells', 'baseline', 'treatment', 'Δ [95% CI]', 'p', 'n'],
          check.pairs.map((p) => [metricLabel(p.metric), ...pairCells(p, 'p')]),
        ),
      );
      break;
  }
  const inflated = renderGcThrottleNote(check);
  if (inflated !== null) out.push('', inflated);
  return out.join('\n');
}

const gcCpuMetrics = new Set(['gcCpuShare', 'gcCpuShareNoIdle', 'gcCpuOfLimit']);

/** Says where a check's GC CPU figures come from throttled windows, which inflate them. */
function renderGcThrottleNote(check: CheckResult): string | null {
  const metricsShown = [...check.pairs.map((p) => p.metric), ...check.cells.map((c) => c.metric)];
  if (!metricsShown.some((m) => gcCpuMetrics.has(m))) return null;
  const cells = [...new Set([...check.pairs.flatMap((p) => [p.baseline, p.treatment]), ...check.cells.map((c) => c.cell)])];
  const throttled = cells.flatMap((c) => {
    const values = c.metrics.throttledPeriodRatio?.values ?? [];
    const over = values.filter((v) => v > GC_CPU_THROTTLED_SHARE_LIMIT);
    return over.length === 0 ? [] : [`${c.label} (${over.length} of ${values.length} repeats, up to ${formatNumber(Math.max(...over) * 100)}% of periods)`];
  });
  if (throttled.length === 0) return null;
  return (
    `GC CPU inflated by throttling in ${throttled.join(', ')}: more than ${formatNumber(GC_CPU_THROTTLED_SHARE_LIMIT * 100)}% of CFS periods were throttled, and the runtime counts ` +
    'throttled time as CPU its Ps used (GOMAXPROCS × wall time), so the GC share there reads high. The cost figure unaffected by this is container CPU per 1000 requests.'
  );
}

function sharedLabel(p: { baseline: CellAnalysis; treatment: CellAnalysis }): string {
  const t = new Set(p.treatment.label.split(','));
  const shared = p.baseline.label.split(',').filter((part) => t.has(part));
  return shared.length > 0 ? shared.join(',') : `${p.baseline.label} → ${p.treatment.label}`;
}

function renderChart(chart: ChartData): string {
  return [
    `![${chart.title}](${chart.name})`,
    '',
    '<details><summary>Same chart as Mermaid (renders on GitHub)</summary>',
    '',
    renderMermaidChart(chart),
    '',
    '</details>',
  ].join('\n');
}

function renderClaimSection(v: ClaimVerdict, charts: readonly ChartData[], hostCpus: number): string {
  const out: string[] = [
    `### ${v.claim.id}`,
    '',
    `**${verdictCell(v)}** · ${v.claim.documentSays}`,
    '',
    `> ${v.claim.quote}`,
    `> — § ${v.claim.section}`,
    '',
    `What it really is: ${v.claim.correctedFact}. Measured by ${describeCoverage(v.coverage)}.`,
    '',
  ];
  if (v.checks.length === 0) {
    out.push(v.reason, '');
    return out.join('\n');
  }
  for (const check of v.checks) out.push(renderCheck(check, hostCpus), '');
  if (v.notRun.length > 0) out.push(`Not run in this run: ${describeCoverage(v.notRun)}.`, '');
  for (const chart of chartsOfClaim(v, charts)) out.push(renderChart(chart), '');
  return out.join('\n');
}

function checkMetrics(check: CheckResult['check']): string[] {
  switch (check.kind) {
    case 'gomaxprocs-rule':
      return ['gomaxprocs'];
    case 'no-op':
      return [check.settingMetric, ...check.metrics];
    case 'no-failures':
      return [check.metric, check.exposureMetric];
    case 'oom-kills':
      return ['oomKills', 'memPeakBytes'];
    case 'absolute':
      return [check.metric, ...(check.context ?? [])];
    default:
      return [check.metric];
  }
}

/** Charts of the claim's scenarios that show a metric the claim is about. */
function chartsOfClaim(v: ClaimVerdict, charts: readonly ChartData[]): ChartData[] {
  const wanted = new Set([...v.checks.flatMap((c) => checkMetrics(c.check)), ...(v.claim.chartMetrics ?? [])]);
  const scenarios = new Set(v.checks.map((c) => c.scenario));
  return charts.filter((c) => scenarios.has(c.scenario) && c.metrics.some((m) => wanted.has(m)));
}

/** Charts no claim section showed, so nothing measured is hidden. */
function renderOtherCharts(verdicts: readonly ClaimVerdict[], charts: readonly ChartData[]): string[] {
  const shown = new Set(verdicts.flatMap((v) => chartsOfClaim(v, charts)));
  const rest = charts.filter((c) => !shown.has(c));
  if (rest.length === 0) return [];
  return ['## Other charts', '', ...rest.flatMap((c) => [renderChart(c), ''])];
}

function renderRepeats(analysis: RunAnalysis): string {
  const rows = analysis.cells.map((c) => [
    c.cell.id,
    String(c.counts.completed),
    String(c.counts.invalid),
    String(c.counts.failed),
    String(c.counts.skipped),
    c.counts.died === 0 ? '0' : `**${c.counts.died}**${c.oomKills > 0 ? ` (${c.oomKills} OOM)` : ''}`,
    `${c.requiredRepeats}${c.enough ? '' : ' (short)'}`,
    c.latency ? `${formatNumber(c.latency.p99Ms)} ms (${c.latency.requests} req)` : '—',
    c.problems.join('; '),
  ]);
  return table(['cell', 'completed', 'invalid', 'failed', 'skipped', 'died', 'needed', 'pooled P99', 'problems'], rows);
}

/** Metrics of the A/A control comparison: those the load scenarios' verdicts use. */
const CONTROL_METRICS = ['latencyP99Ms', 'latencyP50Ms', 'throughputRps', 'cpuMsPer1k', 'gcCpuShareNoIdle', 'memPeakBytes'];

export interface ControlResult {
  scenario: string;
  metric: string;
  difference: NonNullable<ReturnType<typeof compareCellMetric>>;
}

/** Each scenario's A/A control: the same cell measured twice under two labels, compared like a claim. */
export function controlResults(analysis: RunAnalysis): ControlResult[] {
  const out: ControlResult[] = [];
  for (const scenario of new Set(analysis.cells.map((c) => c.cell.scenario))) {
    const pair = controlPair(
      analysis.cells.map((c) => c.cell),
      scenario,
    );
    if (pair === null) continue;
    const original = analysis.cells.find((c) => c.cell.id === pair.original.id) as CellAnalysis;
    const control = analysis.cells.find((c) => c.cell.id === pair.control.id) as CellAnalysis;
    for (const metric of CONTROL_METRICS) {
      const difference = compareCellMetric(analysis, original, control, metric);
      if (difference !== null) out.push({ scenario, metric, difference });
    }
  }
  return out;
}

function renderControls(results: readonly ControlResult[]): string {
  if (results.length === 0) return 'No scenario of this run has an A/A control (`default` and `full` runs add one to scenarios with `control: true`).';
  const rows = results.map((r) => [
    r.scenario,
    metricLabel(r.metric),
    r.difference.relativePct === null || r.difference.relativeCi === null
      ? '—'
      : `${formatPct(r.difference.relativePct)} [${formatPct(r.difference.relativeCi.low)}, ${formatPct(r.difference.relativeCi.high)}]`,
    r.difference.significant ? '**significant** (a false positive)' : '~',
  ]);
  const significant = results.filter((r) => r.difference.significant).length;
  return [
    'The first cell of each scenario with a control was measured a second time as its own cell (replica 1) and compared with the original by the same method as the claims. Nothing differs between them, so a significant row is a false positive: at 95% about 1 in 20 rows is expected to be one.',
    '',
    table(['scenario', 'metric', 'Δ [95% CI]', 'significant'], rows),
    '',
    `${significant} of ${results.length} A/A comparisons significant.`,
  ].join('\n');
}

/** How each scenario ran (duet or sequential, CPUs) and how its operating point was chosen. */
function renderExecution(record: RunRecord): string {
  const rows = record.plan.scenarios.map((sc) => {
    const calibration = record.calibration?.find((c) => c.scenario === sc.name);
    const cells = record.plan.cells.filter((c) => c.scenario === sc.name);
    const load = cells[0]?.load;
    const rate =
      load?.model === 'open'
        ? `${formatNumber(load.ratePerSec)} req/s`
        : load?.model === 'closed'
          ? `closed, ${load.connections} connections`
          : (load?.model ?? '—');
    const point = calibration
      ? `${rate} = ${Math.round(calibration.fraction * 100)}% of the lowest capacity (${calibration.cells.map((c) => `${c.capacityRps ?? 'none'} req/s, ramp stopped at ${c.knee}`).join('; ')})`
      : rate;
    const cpus =
      sc.placement === 'shared' || record.placement.serviceCpus === null
        ? 'all CPUs, shared with the generator'
        : `CPU ${record.placement.serviceCpus} (generator on ${record.placement.generatorCpus})`;
    return [sc.name, sc.execution === 'duet' ? 'duet (cells of a round at once, compared as pairs)' : 'sequential (interleaved rounds)', cpus, point];
  });
  return table(['scenario', 'execution', 'service CPUs', 'operating point'], rows);
}

/** The smallest significant relative change any check of the run reports, %, with where; null when none. */
export function smallestReportedEffect(verdicts: readonly ClaimVerdict[]): { pct: number; where: string } | null {
  let best: { pct: number; where: string } | null = null;
  for (const v of verdicts) {
    for (const check of v.checks) {
      for (const pair of check.pairs) {
        const d = pair.difference;
        if (d === null || !d.significant || d.relativePct === null) continue;
        if (best === null || Math.abs(d.relativePct) < best.pct) best = { pct: Math.abs(d.relativePct), where: `${v.claim.id}: ${check.check.label}` };
      }
    }
  }
  return best;
}

/** The drift reference's figures, and a warning for the top of the report when drift exceeds an effect. */
export function renderDrift(drift: readonly DriftMeasure[], verdicts: readonly ClaimVerdict[]): { warning: string | null; section: string } {
  if (drift.length === 0)
    return {
      warning: null,
      section: 'No drift reference in this run (`default` and `full` runs measure one cell at the start, the middle and the end of the planned rounds).',
    };
  const smallest = smallestReportedEffect(verdicts);
  const lines = drift.map((d) => {
    const values = d.values.map((v) => formatMetricValue(d.metric, v.value)).join(' → ');
    return `- \`${d.cellId}\`, ${metricLabel(d.metric)} at the start, the middle and the end of the planned rounds: ${values || 'not measured'}${d.driftPct === null ? '' : `: drift ${formatNumber(d.driftPct)}%`}.`;
  });
  const worst = drift.reduce<DriftMeasure | null>((w, d) => (d.driftPct !== null && (w === null || (w.driftPct ?? 0) < d.driftPct) ? d : w), null);
  const exceeds = worst !== null && worst.driftPct !== null && smallest !== null && worst.driftPct > smallest.pct;
  const warning = exceeds
    ? `> **The machine drifted ${formatNumber(worst.driftPct ?? 0)}% over this run** (the drift reference \`${worst.cellId}\`), more than the smallest effect it reports (${formatNumber(smallest.pct)}%, ${smallest.where}). The interleaved rounds spread drift over the variants, so it widens intervals rather than biasing them; still, read effects of that size with care.\n`
    : null;
  const verdict =
    worst === null || worst.driftPct === null
      ? 'Too few repeats of the reference to measure drift.'
      : smallest === null
        ? `The run reports no significant effect to compare the drift of ${formatNumber(worst.driftPct)}% with.`
        : exceeds
          ? `The drift (${formatNumber(worst.driftPct)}%) exceeds the smallest effect reported (${formatNumber(smallest.pct)}%, ${smallest.where}).`
          : `The drift (${formatNumber(worst.driftPct)}%) is below the smallest effect reported (${formatNumber(smallest.pct)}%, ${smallest.where}).`;
  return { warning, section: [...lines, '', verdict].join('\n') };
}

function renderEnvironment(record: RunRecord): string {
  const f = record.fingerprint;
  const rows: Array<[string, string]> = [
    ['target', record.target],
    ['profile', record.profile],
    ['host CPUs', `${f.hostCpus} (${f.cpuModel})`],
    ['kernel / cgroup', `${f.kernel} / cgroup v${f.cgroupVersion ?? '?'}`],
    ['OS', f.os],
    ['Go', f.goVersion ?? 'not found'],
    ['Docker', f.dockerVersion ?? '—'],
    ['Kubernetes / kind', `${f.kubernetesVersion ?? '—'} / ${f.kindVersion ?? '—'}`],
    ...(f.kindNodeImage ? [['kind node image', f.kindNodeImage] as [string, string]] : []),
    ['Node / k6', `${f.nodeVersion} / ${f.k6Version ?? '—'}`],
    ['load generator', record.loadGenerator],
    [
      'placement',
      `${record.placement.note} (service CPUs ${record.placement.serviceCpus ?? 'any'}, generator CPUs ${record.placement.generatorCpus ?? 'any'})`,
    ],
    ['git', f.gitSha ?? 'unknown'],
    [
      'images',
      Object.entries(f.images)
        .map(([tag, id]) => `${tag} ${id.slice(0, 19)}`)
        .join(', ') || '—',
    ],
  ];
  return table(
    ['', ''],
    rows.map(([k, v]) => [k, v]),
  );
}

function renderMethod(record: RunRecord, analysis: RunAnalysis): string {
  const floor = MIN_REPEATS_BY_PROFILE[record.profile] ?? MIN_REPEATS_FALLBACK;
  return [
    `- Command: \`${record.argv.join(' ')}\`; seed ${record.seed}; repeats of all cells interleaved in a seeded order.`,
    `- Per cell and metric: median of the completed repeats with a ${CONFIDENCE_LEVEL * 100}% percentile-bootstrap CI (${BOOTSTRAP_RESAMPLES} resamples, seed ${analysis.seed}); invalid, failed, skipped and died repeats (the service was OOM-killed or exited) are counted, never used; OOM kills are counted over every repeat.`,
    "- Two P99s, named as what they are: the *per-repeat P99* (each repeat's own P99; a cell's figure is the median over its repeats, and verdicts compare these) and the *pooled P99* (the P99 of all the cell's requests together, from the merged HDR histograms, shown in the outcomes table).",
    `- Baseline vs treatment: one method for the change, its interval and significance: the Hodges–Lehmann ratio (median of all pairwise treatment/baseline ratios, as a % change) with the distribution-free ${CONFIDENCE_LEVEL * 100}% interval that inverts the two-sided Mann–Whitney test (exact below 50 values a side); significant ⇔ the interval excludes 0 ⇔ p ≤ ${ALPHA}, else \`~\`. 3 values a side reach at most a 90% interval, so nothing is significant; 5 a side reach p = 0.008.`,
    `- Within a claim the p-values of its judged figures are Holm-adjusted (column p (Holm)) and each interval is widened to the matching level 1 − ${ALPHA}·p/p̃, named in the reason, so a figure is significant after the correction exactly when its interval excludes 0.`,
    `- Verdicts: confirmed = the interval excludes 0 on the claimed side and contains the claimed change or lies beyond it; weaker than claimed = it lies entirely short of the claim (excluding 0 on the claimed side, or reaching 0: smaller than claimed, perhaps none); refuted = it lies entirely on the other side, or inside ±${NO_EFFECT_MARGIN_PCT}% (at most half the claim) around no effect, or a no-op setting; inconclusive = anything else (the reason says which effects the interval rules out), or fewer than ${MIN_REPEATS_DIRECTIONAL} completed repeats a side. A claim with several figures takes the worst of them.`,
    '- Duet scenarios (see Execution): both cells of a round ran at the same time on the same CPUs, each under its own limit, their loads started together by one generator; they are compared round by round as pairs (Hodges–Lehmann of the per-round ratios with the Wilcoxon signed-rank interval), so host interference that hits both alike cancels. 6 pairs reach p = 0.031; 5 cannot reach significance.',
    '- Every repeat measures the host around it: CPU used by processes outside the measurement and CPU stolen by the hypervisor. A sequential repeat measured while they exceeded their limits is invalid ("host busy"); a duet pair keeps a note.',
    `- No verdict from a cell with fewer completed repeats than the profile needs (${record.profile}: ${floor}, or fewer if the scenario plans fewer).`,
  ].join('\n');
}

function renderLimits(record: RunRecord, analysis: RunAnalysis, verdicts: readonly ClaimVerdict[]): string {
  const limits = [...record.limits];
  const unaware = [...new Set(record.plan.cells.map((c) => String(c.settings.maxprocs)).filter((m) => m.startsWith('unaware(')))];
  for (const u of unaware) {
    const node = u.slice('unaware('.length, -1);
    const line = `Emulated node size: a container-unaware service on a ${node}-CPU node is emulated with GOMAXPROCS=${node}; this host has ${record.fingerprint.hostCpus} CPUs.`;
    if (!limits.some((l) => l.includes(`GOMAXPROCS=${node}`))) limits.push(line);
  }
  const toolchains = [...new Set(record.plan.cells.map((c) => c.settings.toolchain))];
  limits.push(`Toolchains in this run: ${toolchains.map((t) => (t === 'local' ? `local (${record.fingerprint.goVersion ?? 'unknown'})` : t)).join(', ')}.`);
  const notMeasurable = verdicts.filter((v) => v.verdict === 'not-measurable' && v.claim.kind !== 'note');
  if (notMeasurable.length > 0) {
    limits.push(`Not measurable on ${analysis.target}: ${notMeasurable.map((v) => `\`${v.claim.id}\` (needs ${describeCoverage(v.coverage)})`).join(', ')}.`);
  }
  const short = analysis.cells.filter((c) => !c.enough);
  if (short.length > 0)
    limits.push(
      `Cells with too few completed repeats for a verdict: ${short.map((c) => `${c.cell.id} (${c.counts.completed}/${c.requiredRepeats})`).join(', ')}.`,
    );
  return [...new Set(limits)].map((l) => `- ${l}`).join('\n');
}

export async function renderMarkdownReport(
  record: RunRecord,
  analysis: RunAnalysis,
  verdicts: readonly ClaimVerdict[],
  gcBench: GcBenchResult | null = null,
): Promise<MarkdownReport> {
  const charts = buildCharts(analysis);
  const controls = controlResults(analysis);
  const drift = renderDrift(measureDrift(record), verdicts);
  const files: ReportFile[] = [];
  for (const chart of charts) files.push({ name: chart.name, content: await renderChartSvg(chart) });
  const counted = verdicts.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v.verdict]: (acc[v.verdict] ?? 0) + 1 }), {});
  const summary = Object.entries(counted)
    .map(([k, n]) => `${n} ${verdictText[k as ClaimVerdict['verdict']]}`)
    .join(', ');
  const markdown = [
    `# Benchmark report: ${record.runId}`,
    '',
    `Target **${record.target}**, profile **${record.profile}**, ${record.status} run started ${record.createdAt}. ${analysis.cells.length} cells, ${record.repeats.length} repeats. Claims: ${summary}.`,
    '',
    ...record.limits.filter((l) => l.startsWith('The host was busy')).map((l) => `> **Disturbed run.** ${l}\n`),
    ...(controls.some((c) => c.difference.significant)
      ? [
          `> **The A/A control came out significant** for ${controls
            .filter((c) => c.difference.significant)
            .map((c) => `${c.scenario} ${metricLabel(c.metric)}`)
            .join(', ')}: in this run the noise of those figures exceeds their stated intervals; read their verdicts with that in mind.\n`,
        ]
      : []),
    ...(drift.warning === null ? [] : [drift.warning]),
    '## Verdicts',
    '',
    renderVerdictTable(verdicts),
    '',
    '## Claims',
    '',
    ...verdicts.map((v) => renderClaimSection(v, charts, analysis.hostCpus)),
    ...renderOtherCharts(verdicts, charts),
    ...(gcBench === null
      ? []
      : [
          '## Standard GC benchmark',
          '',
          'Beside the service-level Green Tea result: a GC-bound Go benchmark this project did not write, on the same machine.',
          '',
          renderGcBench(gcBench),
        ]),
    '## Repeats',
    '',
    renderRepeats(analysis),
    '',
    '## A/A control',
    '',
    renderControls(controls),
    '',
    '## Execution and operating points',
    '',
    renderExecution(record),
    '',
    '## Drift',
    '',
    drift.section,
    '',
    '## Environment',
    '',
    renderEnvironment(record),
    '',
    '## Method',
    '',
    renderMethod(record, analysis),
    '',
    '## Honest limits',
    '',
    renderLimits(record, analysis, verdicts),
    '',
  ].join('\n');
  return { markdown, files };
}
