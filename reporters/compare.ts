/** Markdown for `bench compare`: a benchstat-style table per metric, regressions first. Pure. */
import type { CompareResult, CompareRow } from '../bench/stats/index.js';
import { formatChange, formatMetricValue, formatP, formatPct, formatWithCi, metricLabel } from '../bench/claims/index.js';

const statusText: Record<CompareRow['status'], string> = {
  regression: '❌ regression',
  improvement: '✅ improvement',
  unchanged: '~',
  'within-threshold': 'within threshold',
  'too-few-repeats': 'too few repeats',
};

function row(r: CompareRow): string {
  const d = r.difference;
  const delta = `${formatChange(d, r.metric)}${d.significant ? '' : ' ~'}`;
  const cells = [
    r.cellId,
    formatWithCi(r.metric, d.baseline.median, d.baseline.ci),
    formatWithCi(r.metric, d.treatment.median, d.treatment.ci),
    delta,
    formatP(d.pAdjusted),
    `${r.n[0]}+${r.n[1]}`,
    statusText[r.status],
  ];
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

export function renderCompareMarkdown(result: CompareResult): string {
  const out = [
    `# Compare: ${result.baselineRunId} → ${result.currentRunId}`,
    '',
    `Regression = significant and more than ${result.thresholdPct}% worse (direction from each metric's \`better\`). Δ is the Hodges–Lehmann change with the interval that inverts the Mann–Whitney test; the p-values of all compared rows are adjusted by Benjamini–Hochberg (column p (BH)) and each interval is widened to the matching level, so a row is significant exactly when its interval excludes 0 (otherwise \`~\`).`,
    '',
    result.regressions.length === 0
      ? '**No regression.**'
      : `**${result.regressions.length} regression(s):** ${result.regressions.map((r) => `${r.cellId} ${metricLabel(r.metric)}`).join(', ')}`,
    '',
  ];
  if (result.forcedMismatches.length > 0) out.push(`> ⚠️ Compared with --force although ${result.forcedMismatches.join('; ')}.`, '');
  if (result.warnings.length > 0)
    out.push(
      `> ⚠️ The runs were measured on different machines or software: ${result.warnings.join('; ')}. A change of these can move every figure; read the rows with that in mind.`,
      '',
    );
  const metricsInOrder = [...new Set(result.rows.map((r) => r.metric))];
  for (const metric of metricsInOrder) {
    const own = result.rows.filter((r) => r.metric === metric);
    out.push(`## ${metricLabel(metric)}`, '', '| cell | baseline | current | Δ [CI] | p (BH) | n | status |', '|---|---|---|---|---|---|---|', ...own.map(row));
    const g = result.geomeans.find((x) => x.metric === metric);
    if (g)
      out.push(`| **geomean** | ${formatMetricValue(metric, g.baseline)} | ${formatMetricValue(metric, g.current)} | ${formatPct(g.changePct)} |  |  |  |`);
    out.push('');
  }
  if (result.onlyInBaseline.length > 0) out.push(`Only in the baseline: ${result.onlyInBaseline.join(', ')}.`, '');
  if (result.onlyInCurrent.length > 0) out.push(`Only in the current run: ${result.onlyInCurrent.join(', ')}.`, '');
  return out.join('\n');
}

/** The JSON of `bench compare --format json` (also the nightly job's `compare.json`). Pure. */
export function renderCompareJson(result: CompareResult, failOn: readonly string[], failed: readonly string[]): string {
  return `${JSON.stringify(
    {
      baseline: result.baselineRunId,
      current: result.currentRunId,
      thresholdPct: result.thresholdPct,
      forcedMismatches: result.forcedMismatches,
      warnings: result.warnings,
      rows: result.rows.map((r) => ({
        cell: r.cellId,
        metric: r.metric,
        status: r.status,
        n: r.n,
        baselineMedian: r.difference.baseline.median,
        currentMedian: r.difference.treatment.median,
        relativePct: r.difference.relativePct,
        relativeCi: r.difference.relativeCi,
        p: r.difference.p,
      })),
      geomeans: result.geomeans,
      failOn,
      failed,
    },
    null,
    2,
  )}\n`;
}
