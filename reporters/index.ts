/**
 * Reporters: pure renderers from a run record, its analysis and the claim verdicts to text. The CLI
 * picks one by name from `reporters` (its `--format` choices come from this registry).
 */
import type { RunRecord } from '../bench/results/index.js';
import type { RunAnalysis } from '../bench/stats/index.js';
import type { ClaimVerdict } from '../bench/claims/index.js';
import type { GcBenchResult } from '../bench/gcbench/index.js';
import { renderMarkdownReport, type ReportFile } from './markdown.js';
import { renderJsonReport } from './json.js';
import { renderConsoleSummary } from './console.js';

export interface ReportInput {
  record: RunRecord;
  analysis: RunAnalysis;
  verdicts: readonly ClaimVerdict[];
  /** The run's standard GC benchmark (`bench gcbench`), shown beside the Green Tea claims; `null` when none. */
  gcBench?: GcBenchResult | null;
}

export interface ReportOutput {
  text: string;
  /** Extra files beside the report (SVG charts). */
  files: ReportFile[];
  /** Suggested file name of the report. */
  fileName: string;
}

export interface Reporter {
  name: string;
  render(input: ReportInput): Promise<ReportOutput>;
}

export const markdownReporter: Reporter = {
  name: 'md',
  async render({ record, analysis, verdicts, gcBench }) {
    const { markdown, files } = await renderMarkdownReport(record, analysis, verdicts, gcBench ?? null);
    return { text: markdown, files, fileName: 'report.md' };
  },
};

export const jsonReporter: Reporter = {
  name: 'json',
  render: ({ record, analysis, verdicts }) => Promise.resolve({ text: renderJsonReport(record, analysis, verdicts), files: [], fileName: 'report.json' }),
};

export const consoleReporter: Reporter = {
  name: 'console',
  render: ({ verdicts }) => Promise.resolve({ text: renderConsoleSummary(verdicts, { color: false }), files: [], fileName: 'summary.txt' }),
};

export const reporters = { md: markdownReporter, json: jsonReporter, console: consoleReporter } satisfies Record<string, Reporter>;
export type ReporterName = keyof typeof reporters;

export { renderMarkdownReport, renderVerdictTable } from './markdown.js';
export type { MarkdownReport, ReportFile } from './markdown.js';
export { renderJsonReport, JSON_REPORT_VERSION } from './json.js';
export { renderConsoleSummary, CONSOLE_MEASURED_WIDTH } from './console.js';
export type { ConsoleSummaryOptions } from './console.js';
export { buildCharts, createVegaSpec, renderChartSvg, renderMermaidChart } from './charts.js';
export type { ChartData, ChartPoint } from './charts.js';
export { renderCompareMarkdown } from './compare.js';
export { renderGcBench } from './gcbench.js';
export { renderAgreement } from './agreement.js';
export { renderClaimsDoc } from './claims-doc.js';
export { renderCompareJson } from './compare.js';
export { collapseDetails, newWorseChanges, renderNightlySummary } from './nightly.js';
export type { CompareOutcome, RegressionRow, RepeatCounts, TargetOutcome } from './nightly.js';
export { formatScenarioList } from './scenario-list.js';
