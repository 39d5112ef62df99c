import { describe, expect, it } from 'vitest';
import { defineScenario, type ScenarioInput } from './define.js';
import { createPlan, expandMatrix, resolveScenario, validateScenario } from './matrix.js';

const base: ScenarioInput = defineScenario({
  name: 'demo',
  description: 'demo scenario',
  claims: ['gomaxprocs-follows-limit'],
  kind: 'load',
  targets: ['docker'],
  matrix: { cpuLimit: [0.5, 1], maxprocs: ['auto', 'unaware(8)'] },
  load: { model: 'closed', connections: 8, warmupMs: 1000, durationMs: 5000 },
  repeats: 3,
  profiles: { smoke: { repeats: 2, durationMs: 1000, matrix: { cpuLimit: [1] } } },
});

describe('validateScenario', () => {
  it('names the file, the field path, the problem and the bad value', () => {
    const bad = { ...base, matrix: { cpuLimit: [0.5, 1, 0] } };
    expect(() => validateScenario(bad, 'scenarios/gc.ts')).toThrow('scenarios/gc.ts: matrix.cpuLimit[2]: cpuLimit must be > 0 (got 0)');
  });

  it('rejects unknown axes and keys instead of ignoring them', () => {
    expect(() => validateScenario({ ...base, matrix: { cpuLimt: [1] } }, 'x.ts')).toThrow(/x\.ts: matrix: Unrecognized key: "cpuLimt"/);
  });

  it('rejects a bad maxprocs value with the accepted forms', () => {
    expect(() => validateScenario({ ...base, matrix: { maxprocs: ['unaware'] } }, 'x.ts')).toThrow(/matrix\.maxprocs\[0\]/);
  });

  it('requires stages for hpa scenarios', () => {
    expect(() => validateScenario({ ...base, kind: 'hpa' }, 'hpa.ts')).toThrow("hpa.ts: load.model must be 'stages' for an hpa scenario (got 'closed')");
  });
});

describe('resolveScenario', () => {
  const scenario = validateScenario(base, 'demo.ts');

  it('applies CLI flag > profile > scenario default', () => {
    const fromProfile = resolveScenario(scenario, 'smoke');
    expect(fromProfile.repeats, 'profile repeats').toBe(2);
    expect(fromProfile.load.model === 'closed' && fromProfile.load.durationMs, 'profile duration').toBe(1000);
    expect(fromProfile.matrix.cpuLimit, 'profile matrix').toEqual([1]);
    const fromFlag = resolveScenario(scenario, 'smoke', { repeats: 7, durationMs: 3000 });
    expect(fromFlag.repeats, 'flag repeats').toBe(7);
    expect(fromFlag.load.model === 'closed' && fromFlag.load.durationMs, 'flag duration').toBe(3000);
    expect(resolveScenario(scenario, 'default').repeats, 'scenario default').toBe(3);
  });
});

describe('expandMatrix', () => {
  it('takes the cartesian product in axis order with stable ids', () => {
    const cells = expandMatrix(resolveScenario(validateScenario(base, 'demo.ts'), 'default'));
    expect(cells.map((c) => c.id)).toEqual([
      'demo/cpuLimit=0.5,maxprocs=auto',
      'demo/cpuLimit=0.5,maxprocs=unaware(8)',
      'demo/cpuLimit=1,maxprocs=auto',
      'demo/cpuLimit=1,maxprocs=unaware(8)',
    ]);
    expect(cells[0]?.settings.gc, 'axes left out take their default').toBe('default');
  });

  it('drops excluded combinations', () => {
    const scenario = validateScenario({ ...base, exclude: [{ cpuLimit: [0.5], maxprocs: ['unaware(8)'] }] }, 'demo.ts');
    expect(expandMatrix(resolveScenario(scenario, 'default')).map((c) => c.id)).not.toContain('demo/cpuLimit=0.5,maxprocs=unaware(8)');
  });
});

describe('createPlan', () => {
  const resolved = [resolveScenario(validateScenario(base, 'demo.ts'), 'default')];

  it('runs every cell once per round, rounds in order (interleaved blocks)', () => {
    const plan = createPlan(resolved, 42);
    expect(plan.order).toHaveLength(12);
    for (let round = 0; round < 3; round++) {
      const block = plan.order.slice(round * 4, round * 4 + 4);
      expect(
        block.every((item) => item.repeat === round),
        `round ${round}`,
      ).toBe(true);
      expect(new Set(block.map((item) => item.cellId)).size, `round ${round} has every cell`).toBe(4);
    }
  });

  it('is reproducible from the seed and differs across seeds', () => {
    expect(createPlan(resolved, 42).order).toEqual(createPlan(resolved, 42).order);
    const orders = new Set([1, 2, 3, 4, 5].map((seed) => JSON.stringify(createPlan(resolved, seed).order)));
    expect(orders.size).toBeGreaterThan(1);
  });
});

describe('workloadPaths', () => {
  const sleepy: ScenarioInput = { ...base, matrix: { cpuLimit: [1], workload: ['sleep', 'cpu'] } };

  it('carries an override into the cells of that workload only, keeping the cell ids', () => {
    const plain = expandMatrix(resolveScenario(validateScenario(sleepy, 'x.ts'), 'default'));
    const slowed = expandMatrix(resolveScenario(validateScenario({ ...sleepy, workloadPaths: { sleep: '/work?sleep_ms=14' } }, 'x.ts'), 'default'));
    expect(
      slowed.map((c) => c.id),
      'ids',
    ).toEqual(plain.map((c) => c.id));
    expect(
      slowed.map((c) => c.requestPath),
      'paths',
    ).toEqual(['/work?sleep_ms=14', undefined]);
    expect(
      plain.every((c) => !('requestPath' in c)),
      'no override, no field',
    ).toBe(true);
  });

  it('rejects a path outside /work with the field and the fix', () => {
    expect(() => validateScenario({ ...sleepy, workloadPaths: { sleep: 'http://example.com/' } }, 'x.json')).toThrow(
      /x\.json: workloadPaths\.sleep: must be a path of the reference service's \/work endpoint/,
    );
  });
});

describe('drift reference', () => {
  it('places the reference at the start, the middle and the end of the planned order, outside the rounds', async () => {
    const { placeDriftReferences } = await import('./matrix.js');
    const order = ['a', 'b', 'c', 'd', 'e'].map((cellId) => ({ cellId, repeat: 0 }));
    const placed = placeDriftReferences(order, [{ id: 'r' }]);
    expect(placed.map((i) => `${i.cellId}#${i.repeat}`)).toEqual(['r#0', 'a#0', 'b#0', 'r#1', 'c#0', 'd#0', 'e#0', 'r#2']);
    expect(placeDriftReferences(order, [])).toEqual(order);
  });
});

describe('a scenario with a drift reference', () => {
  const withDrift = (profile: 'default' | 'smoke') =>
    createPlan([resolveScenario(validateScenario({ ...base, driftReference: true }, 'demo.ts'), profile)], 42);

  it('adds a copy of its first cell (replica 2) in default runs, run three times outside the rounds', () => {
    const plan = withDrift('default');
    const reference = plan.cells.filter((c) => c.settings.replica === 2);
    expect(reference.map((c) => c.id)).toEqual(['demo/cpuLimit=0.5,maxprocs=auto,replica=2']);
    const at = plan.order.flatMap((item, i) => (item.cellId === reference[0]!.id ? [i] : []));
    expect(at).toEqual([0, 7, 14]);
    expect(plan.order).toHaveLength(15);
  });

  it('leaves it out of smoke runs', () => {
    expect(withDrift('smoke').cells.some((c) => c.settings.replica === 2)).toBe(false);
  });
});
