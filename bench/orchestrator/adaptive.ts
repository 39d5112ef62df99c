/**
 * Adaptive repeats: after the planned rounds, rounds are added (still interleaved, seeded) to the
 * scenarios whose deciding comparison is still `inconclusive` with a CI wider than the target (or one
 * that too few values could not take to its corrected level), until
 * none is left, a scenario has had `maxExtraRoundsFactor ×` its planned rounds added, or the time budget
 * (`--max-time`) would be spent. Pure: it decides, the run command runs.
 */
import type { ClaimVerdict } from '../claims/index.js';
import { type PlanItem, createRandom, shuffle } from '../../scenarios/index.js';
import { isDriftReference, type RunRecord } from '../results/index.js';

/** A deciding comparison whose CI half-width is above this, %, asks for another round. */
export const TARGET_HALF_WIDTH_PCT = 10;
/** A scenario gets at most this many times its planned rounds on top. */
export const MAX_EXTRA_ROUNDS_FACTOR = 1;

/** Time budget per profile (ms) for the whole run, planned rounds included; 0 = no extra rounds. */
export const maxTimeByProfile: Record<string, number> = { smoke: 0, nightly: 0, default: 20 * 60_000, full: 60 * 60_000 };

/** Scenarios with an inconclusive check whose widest CI half-width exceeds the target. */
export function scenariosToExtend(verdicts: readonly ClaimVerdict[], targetHalfWidthPct = TARGET_HALF_WIDTH_PCT): Map<string, number> {
  const out = new Map<string, number>();
  for (const verdict of verdicts) {
    for (const check of verdict.checks) {
      if (check.verdict !== 'inconclusive') continue;
      // An interval that could not reach its (corrected) level with this many values is as wide as it gets.
      const widths = check.pairs.flatMap((p) => {
        const d = p.difference;
        if (d === null) return [];
        if (d.achievedLevel < d.level - 1e-12) return [Number.POSITIVE_INFINITY];
        return d.halfWidthPct === null ? [] : [d.halfWidthPct];
      });
      if (widths.length === 0) continue;
      const widest = Math.max(...widths);
      if (widest > targetHalfWidthPct) out.set(check.scenario, Math.max(out.get(check.scenario) ?? 0, widest));
    }
  }
  return out;
}

/**
 * One more round for each scenario named: every cell once, in a seeded order, numbered after the
 * scenario's last repeat. Scenarios past their extra-round allowance are left out.
 */
export function extraRound(record: Pick<RunRecord, 'plan' | 'seed'>, scenarios: Iterable<string>, round: number): PlanItem[] {
  const random = createRandom((record.seed ^ (0x5bd1e995 * (round + 1))) >>> 0);
  const items: PlanItem[] = [];
  for (const scenario of scenarios) {
    const planned = record.plan.scenarios.find((s) => s.name === scenario)?.repeats ?? 0;
    const cells = record.plan.cells.filter((c) => c.scenario === scenario && !isDriftReference(c));
    const next = Math.max(-1, ...record.plan.order.filter((i) => cells.some((c) => c.id === i.cellId)).map((i) => i.repeat)) + 1;
    if (cells.length === 0 || next >= planned * (1 + MAX_EXTRA_ROUNDS_FACTOR)) continue;
    for (const cell of cells) items.push({ cellId: cell.id, repeat: next });
  }
  return shuffle(items, random);
}
