import { describe, expect, it } from 'vitest';
import type { ClaimVerdict } from '../claims/evaluate.js';
import type { RunRecord } from '../results/schema.js';
import { extraRound, scenariosToExtend, MAX_EXTRA_ROUNDS_FACTOR } from './adaptive.js';

const check = (scenario: string, verdict: string, widths: Array<number | null>) => ({
  scenario,
  verdict,
  pairs: widths.map((halfWidthPct) => ({ difference: halfWidthPct === undefined ? null : { halfWidthPct, level: 0.95, achievedLevel: 0.95 } })),
});
const verdicts = (checks: unknown[]) => [{ checks }] as unknown as ClaimVerdict[];

describe('adaptive rounds', () => {
  it('extends only inconclusive scenarios whose widest CI is above the target', () => {
    const out = scenariosToExtend(
      verdicts([check('a', 'inconclusive', [4, 14]), check('b', 'inconclusive', [9]), check('c', 'confirmed', [40]), check('d', 'inconclusive', [null])]),
      10,
    );
    expect([...out]).toEqual([['a', 14]]);
  });

  it('extends a scenario whose interval could not reach its corrected level, however narrow it looks', () => {
    // 5 + 5 values reach 99.2% at most: a Holm level of 99.3% is out of reach (docs/example-run's gomaxprocs).
    const unreachable = { scenario: 'g', verdict: 'inconclusive', pairs: [{ difference: { halfWidthPct: 8, level: 0.9929, achievedLevel: 0.9921 } }] };
    expect([...scenariosToExtend(verdicts([unreachable]), 10)]).toEqual([['g', Number.POSITIVE_INFINITY]]);
  });

  it('adds one round of every cell of the scenario, numbered after the last, up to the allowance', () => {
    const record = {
      seed: 7,
      plan: {
        scenarios: [{ name: 'a', repeats: 2 }],
        cells: [
          { id: 'a/x', scenario: 'a', settings: {} },
          { id: 'a/y', scenario: 'a', settings: {} },
          { id: 'b/x', scenario: 'b', settings: {} },
        ],
        order: [
          { cellId: 'a/x', repeat: 0 },
          { cellId: 'a/y', repeat: 0 },
          { cellId: 'a/x', repeat: 1 },
          { cellId: 'a/y', repeat: 1 },
        ],
      },
    } as unknown as RunRecord;
    const items = extraRound(record, ['a'], 0);
    expect(items.map((i) => `${i.cellId}#${i.repeat}`).sort()).toEqual(['a/x#2', 'a/y#2']);
    const full = {
      ...record,
      plan: {
        ...record.plan,
        order: [
          ...record.plan.order,
          ...Array.from({ length: 2 * MAX_EXTRA_ROUNDS_FACTOR }, (_, k) => [
            { cellId: 'a/x', repeat: 2 + k },
            { cellId: 'a/y', repeat: 2 + k },
          ]).flat(),
        ],
      },
    };
    expect(extraRound(full, ['a'], 1)).toEqual([]);
  });
});
