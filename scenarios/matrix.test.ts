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
      expect(block.every((item) => item.repeat === round), `round ${round}`).toBe(true);
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
    expect(slowed.map((c) => c.id), 'ids').toEqual(plain.map((c) => c.id));
    expect(slowed.map((c) => c.requestPath), 'paths').toEqual(['/work?sleep_ms=14', undefined]);
    expect(plain.every((c) => !('requestPath' in c)), 'no override, no field').toBe(true);
  });

  it('rejects a path outside /work with the field and the fix', () => {
    expect(() => validateScenario({ ...sleepy, workloadPaths: { sleep: 'http://example.com/' } }, 'x.json')).toThrow(
      /x\.json: workloadPaths\.sleep: must be a path of the reference service's \/work endpoint/,
    );
  });
});
