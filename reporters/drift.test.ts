import { describe, expect, it } from 'vitest';
import type { ClaimVerdict } from '../bench/claims/evaluate.js';
import type { DriftMeasure } from '../bench/stats/drift.js';
import { renderDrift, smallestReportedEffect } from './markdown.js';

const verdict = (id: string, label: string, changes: Array<{ pct: number; significant: boolean }>) =>
  ({
    claim: { id },
    checks: [{ check: { label }, pairs: changes.map((c) => ({ difference: { relativePct: c.pct, significant: c.significant } })) }],
  }) as unknown as ClaimVerdict;
const drift = (driftPct: number | null): DriftMeasure => ({
  cellId: 'gomaxprocs/cpuLimit=0.5,maxprocs=auto,workload=cpu,replica=2',
  metric: 'throughputRps',
  values: [
    { repeat: 0, value: 8000 },
    { repeat: 1, value: 8400 },
    { repeat: 2, value: 7600 },
  ],
  driftPct,
});

describe('drift in the report', () => {
  const verdicts = [
    verdict('a', 'throughput', [
      { pct: 13, significant: true },
      { pct: 2, significant: false },
    ]),
    verdict('b', 'GC share', [{ pct: -40, significant: true }]),
  ];

  it('finds the smallest significant effect the run reports', () => {
    expect(smallestReportedEffect(verdicts)).toEqual({ pct: 13, where: 'a: throughput' });
    expect(smallestReportedEffect([])).toBeNull();
  });

  it('warns at the top when the drift exceeds it, and only then', () => {
    const high = renderDrift([drift(15)], verdicts);
    expect(high.warning).toMatch(/^> \*\*The machine drifted 15% over this run\*\* .*more than the smallest effect it reports \(13%, a: throughput\)/);
    expect(high.section).toContain('8000/s → 8400/s → 7600/s: drift 15%');
    const low = renderDrift([drift(5)], verdicts);
    expect(low.warning).toBeNull();
    expect(low.section).toContain('The drift (5%) is below the smallest effect reported (13%, a: throughput).');
    expect(renderDrift([], verdicts).section).toMatch(/^No drift reference in this run/);
  });
});
