import { describe, expect, it } from 'vitest';
import hpa from './hpa.js';
import podStartup from './pod-startup.js';
import rollout from './rollout.js';
import { estimateCellMs, expandMatrix, resolveScenario, validateScenario } from './matrix.js';

const scenarios = { hpa, 'pod-startup': podStartup, rollout };

describe('Kubernetes-only scenarios', () => {
  it.each(Object.entries(scenarios))('%s validates and runs only on cluster targets', (name, input) => {
    const scenario = validateScenario(input, `scenarios/${name}.ts`);
    expect(scenario.name).toBe(name);
    expect(scenario.targets).toEqual(['kind', 'kubernetes']);
  });

  it('hpa: default vs nogreenteagc × container-aware vs unaware, staged load with a step and a ramp', () => {
    const resolved = resolveScenario(validateScenario(hpa, 'scenarios/hpa.ts'), 'default');
    const cells = expandMatrix(resolved);
    expect(cells.map((c) => `${c.settings.gc}/${c.settings.maxprocs}`).sort()).toEqual([
      'default/auto',
      'default/unaware(8)',
      'nogreenteagc/auto',
      'nogreenteagc/unaware(8)',
    ]);
    expect(
      cells.every((c) => c.settings.cpuRequest === 0.25),
      'HPA utilisation is relative to a request',
    ).toBe(true);
    const load = resolved.load;
    expect(load.model).toBe('stages');
    if (load.model !== 'stages') return;
    const rates = load.stages.map((s) => s.ratePerSec);
    expect(rates, 'baseline, step up, hold, step down, low, ramp, hold').toEqual([40, 200, 200, 40, 40, 200, 200]);
  });

  it('rollout: no graceful shutdown, graceful only, preStop + graceful', () => {
    const cells = expandMatrix(resolveScenario(validateScenario(rollout, 'scenarios/rollout.ts'), 'default'));
    expect(cells.map((c) => [c.settings.graceful, c.settings.drainMs])).toEqual([
      [false, 0],
      [true, 0],
      [true, 5000],
    ]);
  });

  it('the smoke profiles of the three take under 6 minutes on a cluster', () => {
    let totalMs = 0;
    for (const [name, input] of Object.entries(scenarios)) {
      const resolved = resolveScenario(validateScenario(input, `scenarios/${name}.ts`), 'smoke');
      // Kubernetes overhead per repeat: deploy (schedule, start, Ready) and teardown, about 15 s.
      for (const cell of expandMatrix(resolved)) totalMs += estimateCellMs(cell, 15_000) * resolved.repeats;
    }
    expect(totalMs, `smoke estimate ${Math.round(totalMs / 1000)} s`).toBeLessThan(6 * 60_000);
  });
});
