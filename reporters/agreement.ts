/** The verdict agreement of two runs as a markdown table (`bench selftest --agreement`). Pure. */
import { type VerdictAgreement, verdictText } from '../bench/claims/index.js';

export function renderAgreement(runA: string, runB: string, result: VerdictAgreement): string {
  const lines = [`Verdict agreement: ${runA} vs ${runB}`, '', '| claim | run A | run B | same |', '|---|---|---|---|'];
  for (const r of result.rows) lines.push(`| ${r.claim} | ${verdictText[r.a]} | ${verdictText[r.b]} | ${r.agree ? 'yes' : '**no**'} |`);
  lines.push('', `${result.agreeing} of ${result.measurable} measured claims agree`);
  return lines.join('\n');
}
