import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { evaluateClaims } from '../bench/claims/evaluate.js';
import { parseRunRecord } from '../bench/results/store.js';
import type { RunRecord } from '../bench/results/schema.js';
import { analyseRun } from '../bench/stats/analyse.js';
import { claimsCatalog } from '../scenarios/claims.js';
import { buildCharts, renderMarkdownReport } from './index.js';

/**
 * The hand-written docker fixture as a run now records it: the gomemlimit=unset cell OOM-killed in
 * every repeat (`died`), the Green Tea cells with the GC figure without idle marking, and the default
 * GC's windows throttled in three of five repeats.
 */
function recordWithDeathsAndThrottling(): RunRecord {
  const record = parseRunRecord(readFileSync(new URL('../test/fixtures/record-docker-smoke.json', import.meta.url), 'utf8'), 'fixture');
  const throttled = [0.05, 0.19, 0.031, 0.01, 0.004];
  let i = 0;
  for (const r of record.repeats) {
    if (r.cellId.includes('gomemlimit=unset')) {
      r.outcome = { state: 'died', cause: 'oom', exitCode: 137, atMs: 3210 };
      r.metrics = { oomKills: 1, errorRate: 0.7, failedRequests: 450 };
    }
    if (r.cellId.startsWith('greentea/')) {
      r.metrics.gcCpuShareNoIdle = r.metrics.gcCpuShare!;
      r.metrics.cpuMsPer1k = (r.metrics.cpuCores! / r.metrics.throughputRps!) * 1e6;
      r.metrics.throttledPeriodRatio = r.cellId.includes('gc=default') ? throttled[i++]! : 0.005;
    }
  }
  return record;
}

async function render(record: RunRecord): Promise<string> {
  const analysis = analyseRun(record);
  return (await renderMarkdownReport(record, analysis, evaluateClaims(analysis, claimsCatalog))).markdown;
}

describe('markdown report: outcomes and inflated figures', () => {
  test('the repeats table lists died repeats and their OOM kills, with the death as the problem', async () => {
    const markdown = await render(recordWithDeathsAndThrottling());
    expect(markdown).toContain('| cell | completed | invalid | failed | skipped | died | needed | pooled P99 | problems |');
    const row = markdown.split('\n').find((l) => l.startsWith('| gomemlimit/cpuLimit=1,memLimitMiB=192,gomemlimit=unset'))!;
    expect(row).toBe(
      '| gomemlimit/cpuLimit=1,memLimitMiB=192,gomemlimit=unset,workload=memory,liveHeapMiB=110 | 0 | 0 | 0 | 0 | **5** (5 OOM) | 3 (short) | — | died: OOM-killed at 3.2 s (exit code 137) |',
    );
  });
  test('the gomemlimit section shows OOM kills per cell as counted over every repeat', async () => {
    const markdown = await render(recordWithDeathsAndThrottling());
    expect(markdown).toContain('| cell | OOM kills | repeats died | repeats run | document | verdict |');
    expect(markdown).toContain('| gomemlimit=100% | 0 | 0 | 4 | ≤ 0 | confirmed |');
  });
  test('the GC builds are charted on both GC shares and on CPU per 1000 requests', () => {
    const names = buildCharts(analyseRun(recordWithDeathsAndThrottling())).map((c) => c.name);
    expect(names.filter((n) => n.startsWith('greentea-') && !n.includes('latency'))).toEqual([
      'greentea-gcCpuShare.svg',
      'greentea-gcCpuShareNoIdle.svg',
      'greentea-cpuMsPer1k.svg',
    ]);
  });
  test('a GC CPU check says where throttling inflates the figure', async () => {
    const markdown = await render(recordWithDeathsAndThrottling());
    expect(markdown).toContain(
      'GC CPU inflated by throttling in gc=default (3 of 5 repeats, up to 19% of periods): more than 2% of CFS periods were throttled',
    );
    expect(await render(parseRunRecord(readFileSync(new URL('../test/fixtures/record-docker-smoke.json', import.meta.url), 'utf8'), 'fixture'))).not.toContain(
      'GC CPU inflated by throttling',
    );
  });
});
