/** Verdict agreement of two runs (`bench selftest --agreement`): the same claims judged on each. Pure. */
import { claimsCatalog } from '../../scenarios/index.js';
import type { RunRecord } from '../results/index.js';
import { analyseRun } from '../stats/index.js';
import { evaluateClaims, type Verdict } from './evaluate.js';

export interface VerdictAgreement {
  rows: Array<{ claim: string; a: Verdict; b: Verdict; agree: boolean }>;
  /** Claims at least one run measured. */
  measurable: number;
  agreeing: number;
}

/** Verdict per claim of two runs, side by side. Pure. */
export function verdictAgreement(a: RunRecord, b: RunRecord): VerdictAgreement {
  const va = evaluateClaims(analyseRun(a), claimsCatalog);
  const vb = new Map(evaluateClaims(analyseRun(b), claimsCatalog).map((v) => [v.claim.id, v.verdict]));
  const rows = va.map((v) => {
    const other = vb.get(v.claim.id) ?? 'not-run';
    return { claim: v.claim.id, a: v.verdict, b: other, agree: v.verdict === other };
  });
  const measured = rows.filter((r) => !['not-measurable', 'not-run'].includes(r.a) || !['not-measurable', 'not-run'].includes(r.b));
  return { rows, measurable: measured.length, agreeing: measured.filter((r) => r.agree).length };
}
