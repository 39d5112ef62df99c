/**
 * `--fail-on`: the conditions under which a comparison with a baseline fails (`bench compare` exits 1,
 * the nightly job reports a regression). Pure.
 */
import type { CompareResult } from '../stats/compare-runs.js';
import type { ClaimVerdict } from './evaluate.js';
import { metricLabel } from './format.js';

export const failOnChoices = ['regression', 'refuted', 'inconclusive'] as const;
export type FailOn = (typeof failOnChoices)[number];

/** Which --fail-on conditions the result meets, with the reason for each. */
export function failOnReasons(result: CompareResult, verdicts: readonly ClaimVerdict[], failOn: readonly FailOn[]): string[] {
  const reasons: string[] = [];
  if (failOn.includes('regression') && result.regressions.length > 0) {
    reasons.push(`${result.regressions.length} regression(s): ${result.regressions.map((r) => `${r.cellId} ${metricLabel(r.metric)}`).join(', ')}`);
  }
  for (const kind of ['refuted', 'inconclusive'] as const) {
    const hit = verdicts.filter((v) => v.verdict === kind);
    if (failOn.includes(kind) && hit.length > 0) reasons.push(`${kind} claim(s) in the current run: ${hit.map((v) => v.claim.id).join(', ')}`);
  }
  return reasons;
}
