import { describe, expect, it } from 'vitest';
import { groupOrder } from './run-plan.js';
import { controlCell, planExperiments, planSelftest, selftestProfiles } from './selftest.js';

describe('selftest plan', () => {
  const profile = selftestProfiles.smoke;
  const experiments = planExperiments(profile, 150);
  const plan = planSelftest(experiments, controlCell(150, profile), profile, 1);
  const cells = new Map(plan.cells.map((c) => [c.id, c]));
  const executionOf = new Map(experiments.map((e) => [e.scenario, e.execution]));

  it('every comparison is a scenario of its own', () => {
    expect(new Set(experiments.map((e) => e.scenario)).size).toBe(experiments.length);
  });

  it('a duet round runs exactly the two sides of one comparison together, never other comparisons', () => {
    const groups = groupOrder(plan.order, cells, (scenario) => executionOf.get(scenario) ?? 'sequential');
    const duets = groups.filter((g) => g.length > 1);
    const duetExperiments = experiments.filter((e) => e.execution === 'duet');
    expect(duets).toHaveLength(duetExperiments.length * profile.rounds.duet);
    for (const group of duets) {
      expect(group).toHaveLength(2);
      const [a, b] = group.map((item) => cells.get(item.cellId)!);
      expect(a!.scenario).toBe(b!.scenario);
      expect(group.map((item) => item.cellId).sort()).toEqual([`${a!.scenario}/${a!.id.split('/')[1]}`, `${b!.scenario}/${b!.id.split('/')[1]}`].sort());
    }
    expect(
      groups.filter((g) => g.length === 1).every((g) => executionOf.get(cells.get(g[0]!.cellId)!.scenario) !== 'duet'),
      'duet cells never run alone',
    ).toBe(true);
  });

  it('interleaves rounds as a run does: every comparison has a cell in each round before any has the next', () => {
    const afterControl = plan.order.filter((item) => !item.cellId.startsWith(plan.cells[0]!.id));
    const rounds = afterControl.map((item) => item.repeat);
    expect(rounds).toEqual([...rounds].sort((a, b) => a - b));
    const firstRound = new Set(afterControl.filter((item) => item.repeat === 0).map((item) => cells.get(item.cellId)!.scenario));
    expect(firstRound.size).toBe(experiments.length);
  });

  it('the injected effect is 53.75% more SHA-256 work per request than the A/A sides', () => {
    const injected = experiments.find((e) => e.kind === 'injected')!;
    expect([injected.baseline.requestPath, injected.treatment.requestPath]).toEqual(['/work?cpu=800&alloc=100', '/work?cpu=1230&alloc=100']);
  });
});

describe('the recommended execution mode', () => {
  const summary = (power: number, coverage: number, halfWidth: number) =>
    ({
      metric: 'cpuMsPer1k',
      expectedPct: null,
      referencePct: 25,
      comparisons: 10,
      significant: 10,
      rate: 1,
      detected: power * 10,
      power,
      ciHolds: coverage * 10,
      coverage,
      medianHalfWidthPct: halfWidth,
      medianDeltaPct: 25,
    }) as const;

  it('prefers intervals that hold their reference over narrow overconfident ones (measured: duet ±2.3% held 7 of 10)', async () => {
    const { recommendMode } = await import('./selftest.js');
    expect(recommendMode({ sequential: summary(1, 0.9, 13.9), duet: summary(1, 0.7, 2.3) })).toBe('sequential');
    expect(recommendMode({ sequential: summary(1, 0.9, 13.9), duet: summary(1, 0.9, 2.3) }), 'both cover: the narrower').toBe('duet');
    expect(recommendMode({ sequential: summary(0.6, 1, 13.9), duet: summary(1, 1, 12) }), 'both cover: more power').toBe('duet');
  });
});
