import { describe, expect, it } from 'vitest';
import { type Cell, defaultCellSettings } from '../../scenarios/define.js';
import { applyCalibration, chooseRate, judgeStep, rampRates, rampRules } from './calibrate.js';
import { createStartLine, groupOrder } from './run-plan.js';

const step = (ratePerSec: number, over: Partial<{ achievedRps: number; p99Ms: number; errorRate: number; throttledShare: number | null }> = {}) => ({
  ratePerSec,
  achievedRps: over.achievedRps ?? ratePerSec,
  p99Ms: over.p99Ms ?? 4,
  errorRate: over.errorRate ?? 0,
  throttledShare: over.throttledShare === undefined ? 0 : over.throttledShare,
});

describe('calibration ramp', () => {
  it('grows geometrically from the first rate', () => {
    const rates = rampRates();
    expect(rates[0]).toBe(rampRules.firstRatePerSec);
    expect(rates).toHaveLength(rampRules.maxSteps);
    expect(rates[1]).toBe(Math.round(rampRules.firstRatePerSec * rampRules.growth));
  });

  it('stops on a shortfall, errors, throttling and the latency knee, and only there', () => {
    const first = step(40, { p99Ms: 4 });
    expect(judgeStep(step(100), first)).toBeNull();
    expect(judgeStep(step(100, { achievedRps: 94 }), first)).toMatch(/achieved 94 of 100/);
    expect(judgeStep(step(100, { achievedRps: 95 }), first)).toBeNull();
    expect(judgeStep(step(100, { errorRate: 0.02 }), first)).toMatch(/errors/);
    expect(judgeStep(step(100, { throttledShare: 0.25 }), first)).toMatch(/throttled/);
    expect(judgeStep(step(100, { throttledShare: null }), first)).toBeNull();
    // knee: 3 × 4 ms + 5 ms = 17 ms
    expect(judgeStep(step(100, { p99Ms: 17 }), first)).toBeNull();
    expect(judgeStep(step(100, { p99Ms: 17.5 }), first)).toMatch(/knee/);
  });

  it('chooses the fraction of the weakest capacity, or nothing when a cell has none', () => {
    expect(chooseRate([400, 300], 0.5)).toBe(150);
    expect(chooseRate([400, null], 0.5)).toBeNull();
    expect(chooseRate([], 0.5)).toBeNull();
    expect(chooseRate([1], 0.1)).toBe(1);
  });

  it('puts the chosen rate into the open-model cells of that scenario only', () => {
    const cell = (id: string, scenario: string): Cell => ({
      id,
      scenario,
      kind: 'load',
      settings: defaultCellSettings,
      load: { model: 'open', ratePerSec: 100, capacityFraction: 0.5, connections: 8, warmupMs: 0, durationMs: 1000 },
    });
    const out = applyCalibration([cell('a/x', 'a'), cell('b/x', 'b')], [{ scenario: 'a', fraction: 0.5, cells: [], chosenRatePerSec: 150 }]);
    expect(out.map((c) => (c.load.model === 'open' ? c.load.ratePerSec : null))).toEqual([150, 100]);
  });
});

describe('duet groups', () => {
  const cells = new Map<string, Cell>(
    ['g/a', 'g/b', 's/a'].map((id) => [
      id,
      {
        id,
        scenario: id.split('/')[0] as string,
        kind: 'load',
        settings: defaultCellSettings,
        load: { model: 'closed', connections: 1, warmupMs: 0, durationMs: 1 },
      },
    ]),
  );
  it('groups a duet scenario’s cells of one round at the first member’s place; others stay single', () => {
    const order = [
      { cellId: 's/a', repeat: 0 },
      { cellId: 'g/b', repeat: 0 },
      { cellId: 'g/a', repeat: 0 },
      { cellId: 'g/a', repeat: 1 },
      { cellId: 's/a', repeat: 1 },
      { cellId: 'g/b', repeat: 1 },
    ];
    const groups = groupOrder(order, cells, (scenario) => (scenario === 'g' ? 'duet' : 'sequential'));
    expect(groups.map((g) => g.map((i) => `${i.cellId}#${i.repeat}`))).toEqual([['s/a#0'], ['g/b#0', 'g/a#0'], ['g/a#1', 'g/b#1'], ['s/a#1']]);
    expect(groupOrder(order, cells, () => 'sequential')).toHaveLength(order.length);
  });

  it('starts the loads when every member arrived, and does not wait for a member that left', async () => {
    const line = createStartLine(3);
    let released = false;
    const a = line.arrive().then(() => (released = true));
    void line.arrive();
    await new Promise((r) => setTimeout(r, 5));
    expect(released).toBe(false);
    line.leave();
    await a;
    expect(released).toBe(true);
  });
});
