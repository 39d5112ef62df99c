/**
 * `--fail-on`: the conditions under which a comparison with a baseline fails (`bench compare` exits 1,
 * the nightly job reports a regression). Pure.
 */
import { claimsCatalog } from '../../scenarios/index.js';
import { usageError } from '../errors.js';
import { parseChoice } from '../flags.js';
import type { RunRecord } from '../results/index.js';
import { compareRuns, type CompareRunsOptions, type CompareResult } from '../stats/index.js';
import { evaluateClaims, type ClaimVerdict } from './evaluate.js';
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

/**
 * A comparison with its baseline as `bench compare` and the nightly job make it: the regression table
 * (compareRuns) and which `--fail-on` conditions it meets, judged on the current run's claim verdicts.
 * Throws IncomparableRunsError as compareRuns does.
 */
export function compareWithFailOn(
  baseline: RunRecord,
  current: RunRecord,
  options: CompareRunsOptions,
  failOn: readonly FailOn[],
): { result: CompareResult; reasons: string[] } {
  const result = compareRuns(baseline, current, options);
  return { result, reasons: failOnReasons(result, evaluateClaims(result.currentAnalysis, claimsCatalog), failOn) };
}

/** `--fail-on` values (repeated or comma-separated) → the conditions; default: regression. */
export function parseFailOn(values: readonly string[] | undefined): FailOn[] {
  if (values === undefined || values.length === 0) return ['regression'];
  return [...new Set(values.flatMap((v) => v.split(',')).map((v) => parseChoice('fail-on', v.trim(), failOnChoices)))];
}
