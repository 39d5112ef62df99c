/**
 * Extra rounds, decided from the record. Replacement rounds first: a scenario with a cell that has no
 * valid repeat yet, only ones the host spoilt (other processes or the hypervisor took the CPUs, or the
 * generator sent late, their usual symptom), gets another round, at most `MAX_REPLACEMENT_ROUNDS` times:
 * a cell with nothing measured says nothing, and a spoilt window is a fact about that moment, not about
 * the cell (the spoilt repeats stay in the record, invalid). A cell that stays spoilt round after round
 * is a fact about the cell on this host, and the run says so (exit code 4).
 * Adaptive repeats: after the planned rounds, rounds are added (still interleaved, seeded) to the
 * scenarios whose deciding comparison is still `inconclusive` with a CI wider than the target (or one
 * that too few values could not take to its corrected level), until
 * none is left, a scenario has had `maxExtraRoundsFactor ×` its planned rounds added, or the time budget
 * (`--max-time`) would be spent. Pure: it decides, the run command runs.
 */
import type { ClaimVerdict } from '../claims/index.js';
import { type PlanItem, createRandom, shuffle } from '../../scenarios/index.js';
import { HOST_BUSY_REASON } from '../collect/index.js';
import { LATE_SENDS_REASON } from '../load/index.js';
import { isDriftReference, type RepeatResult, type RunRecord } from '../results/index.js';

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

/** A scenario gets at most this many replacement rounds (see above). */
export const MAX_REPLACEMENT_ROUNDS = 2;

/** Whether an invalid repeat was spoilt by the host at that moment rather than by its cell. */
export function spoiltByHost(outcome: RepeatResult['outcome']): boolean {
  return outcome.state === 'invalid' && (outcome.reason.startsWith(HOST_BUSY_REASON) || outcome.reason.startsWith(LATE_SENDS_REASON));
}

/**
 * Scenarios owed a replacement round: every repeat of the plan is measured, and a cell of theirs has no
 * valid repeat, at least one host-spoilt one and no other kind (a death or a failure is the cell's own
 * result), and has had fewer than `MAX_REPLACEMENT_ROUNDS` rounds beyond the planned ones.
 */
export function scenariosToReplace(record: Pick<RunRecord, 'plan' | 'repeats'>): string[] {
  const done = new Set(record.repeats.map((r) => `${r.cellId}#${r.repeat}`));
  if (record.plan.order.some((i) => !done.has(`${i.cellId}#${i.repeat}`))) return [];
  const out = new Set<string>();
  for (const cell of record.plan.cells) {
    if (isDriftReference(cell) || out.has(cell.scenario)) continue;
    const planned = record.plan.scenarios.find((s) => s.name === cell.scenario)?.repeats ?? 0;
    const repeats = record.repeats.filter((r) => r.cellId === cell.id);
    const beyondPlan = repeats.filter((r) => r.repeat >= planned).length;
    if (repeats.length === 0 || beyondPlan >= MAX_REPLACEMENT_ROUNDS) continue;
    if (repeats.every((r) => spoiltByHost(r.outcome))) out.add(cell.scenario);
  }
  return [...out];
}

/**
 * One more round for each scenario named: every cell once, in a seeded order, numbered after the
 * scenario's last repeat. For adaptive rounds (`capped`), scenarios past their extra-round allowance are
 * left out; replacement rounds are bounded by `scenariosToReplace`.
 */
export function extraRound(record: Pick<RunRecord, 'plan' | 'seed'>, scenarios: Iterable<string>, round: number, capped = true): PlanItem[] {
  const random = createRandom((record.seed ^ (0x5bd1e995 * (round + 1))) >>> 0);
  const items: PlanItem[] = [];
  for (const scenario of scenarios) {
    const planned = record.plan.scenarios.find((s) => s.name === scenario)?.repeats ?? 0;
    const cells = record.plan.cells.filter((c) => c.scenario === scenario && !isDriftReference(c));
    const next = Math.max(-1, ...record.plan.order.filter((i) => cells.some((c) => c.id === i.cellId)).map((i) => i.repeat)) + 1;
    if (cells.length === 0 || (capped && next >= planned * (1 + MAX_EXTRA_ROUNDS_FACTOR))) continue;
    for (const cell of cells) items.push({ cellId: cell.id, repeat: next });
  }
  return shuffle(items, random);
}
