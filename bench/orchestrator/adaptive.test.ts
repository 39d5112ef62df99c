import { describe, expect, it } from 'vitest';
import type { ClaimVerdict } from '../claims/evaluate.js';
import { DRIFT_REPLICA } from '../results/cell-roles.js';
import type { RunRecord } from '../results/schema.js';
import { extraRound, scenariosToExtend, scenariosToReplace, spoiltByHost, MAX_EXTRA_ROUNDS_FACTOR, MAX_REPLACEMENT_ROUNDS } from './adaptive.js';

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

describe('replacement rounds', () => {
  const busy = { state: 'invalid', reason: 'host busy: the hypervisor stole 11.2% of CPU time (limit 5%)' };
  const late = { state: 'invalid', reason: 'the generator sent late: 14 of 201 sends over 1.24 ms (7.0%, more than 1% at p=2.2e-8; P99 3.04 ms)' };
  const saturated = { state: 'invalid', reason: '403 requests could not be sent on time (more than 1% of 11201)' };
  const ok = { state: 'completed' };
  const died = { state: 'died', reason: 'OOM-killed' };
  /** Scenario `a` (cells x, y) and `b` (cell z), one planned repeat each; `outcomes` by cell, in repeat order. */
  const record = (outcomes: Record<string, object[]>, drift = false) => {
    const cells = [
      { id: 'a/x', scenario: 'a', settings: {} },
      { id: 'a/y', scenario: 'a', settings: {} },
      { id: 'b/z', scenario: 'b', settings: drift ? { replica: DRIFT_REPLICA } : {} },
    ];
    const repeats = Object.entries(outcomes).flatMap(([cellId, list]) => list.map((outcome, repeat) => ({ cellId, repeat, outcome })));
    return {
      plan: {
        scenarios: [
          { name: 'a', repeats: 1 },
          { name: 'b', repeats: 1 },
        ],
        cells,
        order: repeats.map(({ cellId, repeat }) => ({ cellId, repeat })),
      },
      repeats,
    } as unknown as RunRecord;
  };

  it("knows a host-spoilt repeat from the cell's own results", () => {
    expect([busy, late].map((o) => spoiltByHost(o as RunRecord['repeats'][number]['outcome']))).toEqual([true, true]);
    expect([saturated, ok, died].map((o) => spoiltByHost(o as RunRecord['repeats'][number]['outcome']))).toEqual([false, false, false]);
  });

  it('replaces a scenario one of whose cells has only host-spoilt repeats, and nothing else', () => {
    expect(scenariosToReplace(record({ 'a/x': [busy], 'a/y': [ok], 'b/z': [ok] }))).toEqual(['a']);
    expect(scenariosToReplace(record({ 'a/x': [late], 'a/y': [ok], 'b/z': [busy] }))).toEqual(['a', 'b']);
    // A valid repeat, a death or a saturated service is the cell's result: no replacement.
    expect(scenariosToReplace(record({ 'a/x': [ok], 'a/y': [ok], 'b/z': [ok] }))).toEqual([]);
    expect(scenariosToReplace(record({ 'a/x': [died], 'a/y': [saturated], 'b/z': [ok] }))).toEqual([]);
    expect(scenariosToReplace(record({ 'a/x': [busy, ok], 'a/y': [ok, ok], 'b/z': [ok] }))).toEqual([]);
    // The drift reference is not a cell of the comparison.
    expect(scenariosToReplace(record({ 'a/x': [ok], 'a/y': [ok], 'b/z': [busy] }, true))).toEqual([]);
  });

  it(`stops after ${MAX_REPLACEMENT_ROUNDS} rounds beyond the plan, and waits for the plan to be measured`, () => {
    const spoilt = Array.from({ length: MAX_REPLACEMENT_ROUNDS }, () => busy);
    expect(scenariosToReplace(record({ 'a/x': spoilt, 'a/y': [ok, ok], 'b/z': [ok] }))).toEqual(['a']);
    expect(scenariosToReplace(record({ 'a/x': [...spoilt, busy], 'a/y': [ok, ok, ok], 'b/z': [ok] }))).toEqual([]);
    const unfinished = record({ 'a/x': [busy], 'a/y': [ok], 'b/z': [ok] });
    unfinished.plan.order.push({ cellId: 'b/z', repeat: 1 });
    expect(scenariosToReplace(unfinished)).toEqual([]);
  });

  it('a replacement round is one uncapped round of every cell, numbered after the last', () => {
    const r = { ...record({ 'a/x': [busy, busy], 'a/y': [ok, ok], 'b/z': [ok] }), seed: 3 };
    expect(extraRound(r, ['a'], 1000, true), 'the adaptive cap (1 extra round) is reached').toEqual([]);
    expect(
      extraRound(r, ['a'], 1000, false)
        .map((i) => `${i.cellId}#${i.repeat}`)
        .sort(),
    ).toEqual(['a/x#2', 'a/y#2']);
  });
});
