/** The verdict table for the terminal at the end of a run. Pure: the caller prints it. */
import { verdictLabel, type ClaimVerdict, type Verdict } from '../bench/claims/index.js';

const colors: Record<Verdict, string> = {
  confirmed: '\u001b[32m',
  weaker: '\u001b[33m',
  refuted: '\u001b[31m',
  inconclusive: '\u001b[36m',
  'not-measurable': '\u001b[90m',
  'not-run': '\u001b[90m',
};
const RESET = '\u001b[0m';
/** Longest "measured" text shown before it is cut with an ellipsis. */
export const CONSOLE_MEASURED_WIDTH = 70;

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

export interface ConsoleSummaryOptions {
  /** ANSI colours; the caller decides (TTY and `NO_COLOR`). */
  color: boolean;
  /** Path of the written report, named in the last line. */
  reportPath?: string;
}

export function renderConsoleSummary(verdicts: readonly ClaimVerdict[], options: ConsoleSummaryOptions): string {
  const rows = verdicts.map((v) => ({
    id: v.claim.id,
    verdict: verdictLabel(v),
    raw: v.verdict,
    measured: clip(v.verdict === 'not-run' ? `not run (${v.notRun.map((n) => n.scenario).join(', ')})` : v.measured, CONSOLE_MEASURED_WIDTH),
  }));
  const idWidth = Math.max(5, ...rows.map((r) => r.id.length));
  const verdictWidth = Math.max(7, ...rows.map((r) => r.verdict.length));
  const lines = [`${'claim'.padEnd(idWidth)}  ${'verdict'.padEnd(verdictWidth)}  measured`];
  for (const r of rows) {
    const verdict = r.verdict.padEnd(verdictWidth);
    lines.push(`${r.id.padEnd(idWidth)}  ${options.color ? `${colors[r.raw]}${verdict}${RESET}` : verdict}  ${r.measured}`);
  }
  if (options.reportPath) lines.push('', `report: ${options.reportPath}`);
  return `${lines.join('\n')}\n`;
}
