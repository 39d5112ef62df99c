/** Machine-readable report: verdicts with their numbers, per-cell summaries. Pure. */
import type { RunRecord } from '../bench/results/index.js';
import type { RunAnalysis } from '../bench/stats/index.js';
import type { ClaimVerdict } from '../bench/claims/index.js';

export const JSON_REPORT_VERSION = 1;

export function renderJsonReport(record: RunRecord, analysis: RunAnalysis, verdicts: readonly ClaimVerdict[]): string {
  const report = {
    reportVersion: JSON_REPORT_VERSION,
    runId: record.runId,
    target: record.target,
    profile: record.profile,
    seed: analysis.seed,
    fingerprint: record.fingerprint,
    verdicts: verdicts.map((v) => ({
      claim: v.claim.id,
      documentSays: v.claim.documentSays,
      verdict: v.verdict,
      measured: v.measured,
      reason: v.reason,
      notRun: v.notRun,
      checks: v.checks.map((c) => ({
        label: c.check.label,
        kind: c.check.kind,
        scenario: c.scenario,
        verdict: c.verdict,
        reason: c.reason,
        pairs: c.pairs.map((p) => ({
          metric: p.metric,
          baseline: p.baseline.cell.id,
          treatment: p.treatment.cell.id,
          verdict: p.verdict,
          difference: p.difference && {
            baselineMedian: p.difference.baseline.median,
            treatmentMedian: p.difference.treatment.median,
            relativePct: p.difference.relativePct,
            relativeCi: p.difference.relativeCi,
            halfWidthPct: p.difference.halfWidthPct,
            level: p.difference.level,
            p: p.difference.p,
            pAdjusted: p.difference.pAdjusted,
            significant: p.difference.significant,
            n: [p.difference.baseline.n, p.difference.treatment.n],
          },
        })),
        cells: c.cells.map((r) => ({ cell: r.cell.cell.id, metric: r.metric, verdict: r.verdict, reason: r.reason })),
      })),
    })),
    cells: analysis.cells.map((c) => ({
      id: c.cell.id,
      counts: c.counts,
      oomKills: c.oomKills,
      problems: c.problems,
      requiredRepeats: c.requiredRepeats,
      enough: c.enough,
      metrics: Object.fromEntries(Object.entries(c.metrics).map(([k, m]) => [k, m && { n: m.n, median: m.median, ci: m.ci }])),
      pooledLatency: c.latency,
    })),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
