import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseRunRecord } from '../bench/results/store.js';
import type { RunRecord } from '../bench/results/schema.js';
import { analyseRun } from '../bench/stats/analyse.js';
import { compareRuns } from '../bench/stats/compare-runs.js';
import { evaluateClaims } from '../bench/claims/evaluate.js';
import { claimsCatalog } from '../scenarios/claims.js';
import { buildCharts, renderCompareMarkdown, renderConsoleSummary, renderJsonReport, renderMarkdownReport, renderMermaidChart, reporters } from './index.js';

function loadFixture(name: string): RunRecord {
  return parseRunRecord(readFileSync(new URL(`../test/fixtures/${name}.json`, import.meta.url), 'utf8'), name);
}

function inputs(name: string) {
  const record = loadFixture(name);
  const analysis = analyseRun(record);
  return { record, analysis, verdicts: evaluateClaims(analysis, claimsCatalog) };
}

describe('markdown report (frozen hand-written fixtures, fixed seed)', () => {
  test('docker fixture', async () => {
    const { record, analysis, verdicts } = inputs('record-docker-smoke');
    const { markdown, files } = await renderMarkdownReport(record, analysis, verdicts);
    await expect(markdown).toMatchFileSnapshot('__snapshots__/report-docker-smoke.md');
    expect(files.map((f) => f.name)).toEqual([
      'gomaxprocs-latency.svg',
      'gomaxprocs-throughputRps.svg',
      'gomaxprocs-throttledPeriodRatio.svg',
      'greentea-latency.svg',
      'greentea-gcCpuShare.svg',
      'gomemlimit-latency.svg',
      'gogc-latency.svg',
    ]);
    for (const f of files) {
      expect(f.content.startsWith('<svg'), f.name).toBe(true);
      expect(markdown, `${f.name} linked`).toContain(`](${f.name})`);
    }
    expect(files[1]!.content, 'chart title in the SVG').toContain('throughput vs CPU limit');
  });

  test('kind fixture: replica curve, not-run rows name scenario and target', async () => {
    const { record, analysis, verdicts } = inputs('record-kind-hpa');
    const { markdown, files } = await renderMarkdownReport(record, analysis, verdicts);
    await expect(markdown).toMatchFileSnapshot('__snapshots__/report-kind-hpa.md');
    expect(files.map((f) => f.name)).toContain('hpa-replicas.svg');
    expect(markdown).toContain('not run — covered by `gomaxprocs` on docker/kind/kubernetes');
    expect(markdown, 'the node image the cluster ran on').toContain(
      '| kind node image | localhost/bench-kind-node:v1.34.0-fixture@sha256:1111111111111111111111111111111111111111111111111111111111111111 |',
    );
  });

  test('verdict table first, with a row for every claim of the catalog', async () => {
    const { record, analysis, verdicts } = inputs('record-docker-smoke');
    const { markdown } = await renderMarkdownReport(record, analysis, verdicts);
    const sections = [...markdown.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(sections).toEqual([
      'Verdicts',
      'Claims',
      'Repeats',
      'A/A control',
      'Execution and operating points',
      'Drift',
      'Environment',
      'Method',
      'Honest limits',
    ]);
    const table = markdown.slice(markdown.indexOf('## Verdicts'), markdown.indexOf('## Claims'));
    for (const claim of claimsCatalog) expect(table, claim.id).toContain(`[\`${claim.id}\`]`);
    expect(markdown).toContain('HAND-WRITTEN FIXTURE');
    expect(markdown, 'emulated node size').toContain('GOMAXPROCS=8');
  });
});

describe('charts', () => {
  test('mermaid xychart with one line per variant and a caption naming them', () => {
    const [chart] = buildCharts(inputs('record-docker-smoke').analysis).filter((c) => c.name === 'gomaxprocs-throughputRps.svg');
    expect(renderMermaidChart(chart!)).toBe(
      [
        '```mermaid',
        'xychart-beta',
        '    title "gomaxprocs: throughput vs CPU limit (median, 95% CI)"',
        '    x-axis "CPU limit (cores)" ["0.5", "1.5"]',
        '    y-axis "throughput (req/s)"',
        '    line [7410, 16050]',
        '    line [6950, 15750]',
        '```',
        '*Lines in order: 1 = maxprocs=auto; 2 = maxprocs=unaware(8).*',
      ].join('\n'),
    );
  });
});

describe('console summary', () => {
  const { verdicts } = inputs('record-docker-smoke');
  test('plain without colour', () => {
    const text = renderConsoleSummary(verdicts, { color: false, reportPath: 'results/x/report.md' });
    expect(text).not.toContain('\u001b[');
    expect(text.split('\n')[0]).toMatch(/^claim\s+verdict\s+measured$/);
    expect(text).toContain('gogc-100                  refuted');
    expect(text.trimEnd().endsWith('report: results/x/report.md')).toBe(true);
  });
  test('ANSI colours only when asked', () => {
    expect(renderConsoleSummary(verdicts, { color: true })).toContain('\u001b[31mrefuted');
  });
});

test('JSON report carries every verdict and cell', () => {
  const { record, analysis, verdicts } = inputs('record-docker-smoke');
  const json = JSON.parse(renderJsonReport(record, analysis, verdicts));
  expect(json.verdicts).toHaveLength(claimsCatalog.length);
  expect(json.cells).toHaveLength(record.plan.cells.length);
  expect(json.verdicts.find((v: { claim: string }) => v.claim === 'gogc-100').verdict).toBe('refuted');
});

test('reporter registry names match --format choices', () => {
  expect(Object.keys(reporters)).toEqual(['md', 'json', 'console']);
});

test('compare markdown', () => {
  const base = loadFixture('record-docker-smoke');
  const worse = structuredClone(base);
  worse.runId = 'fixture-worse';
  for (const r of worse.repeats) if (r.cellId === 'gogc/cpuLimit=1,gogc=unset,workload=alloc,liveHeapMiB=32') r.metrics.cpuCores = r.metrics.cpuCores! * 2;
  const md = renderCompareMarkdown(compareRuns(base, worse, { thresholdPct: 5, force: false }));
  expect(md).toContain('# Compare: fixture-docker-smoke → fixture-worse');
  // 3 repeats per side reach at most a 90% interval: the doubling is shown with it, as `~`, not a regression.
  expect(md).toContain('**No regression.**');
  expect(md).toContain(
    '| gogc/cpuLimit=1,gogc=unset,workload=alloc,liveHeapMiB=32 | 0.3 cores ±0.667% | 0.6 cores ±0.667% | +100% [+97.4%, +103%] (a 90% interval: 99.5% is out of reach) ~ | p=1.000 | 3+3 | ~ |',
  );
});
