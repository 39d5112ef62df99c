import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinScenarios } from '../../scenarios/index.js';
import { createPlan, resolveScenario, validateScenario } from '../../scenarios/matrix.js';
import type { LoadGenerator } from '../load/types.js';
import type { RunRecord } from '../results/schema.js';
import { readRunRecord, RunStore } from '../results/store.js';
import type { Target } from '../targets/types.js';
import { useTempDir } from '../../test/helpers/temp-dir.js';
import { choosePlacement, executeRun, scenarioExecutions, type RunLifecycleDeps, type RunSpec } from './run-lifecycle.js';

const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/record-docker-smoke.json', import.meta.url), 'utf8')) as RunRecord;

/** Every effect of the lifecycle as a line, in order; `failAt` makes that step throw. */
function fakes(failAt: string | null, controller = new AbortController()) {
  const steps: string[] = [];
  const step = (name: string) => {
    steps.push(name);
    if (name === failAt) throw new Error(`${name} failed`);
  };
  const target = {
    name: 'docker',
    prepare: async () => step('target prepare'),
    cleanup: async (runId: string | null) => {
      step(`target cleanup ${runId}`);
      return 0;
    },
    dispose: async () => step('target dispose'),
    version: async () => '20.10',
  } as unknown as Target;
  const generator = {
    name: 'native',
    unavailableReason: async () => null,
    run: async () => Promise.reject(new Error('no load in this test')),
  } as unknown as LoadGenerator;
  const deps: RunLifecycleDeps = {
    createTarget: async () => {
      step('create target');
      return target;
    },
    createGenerator: async () => {
      step('create generator');
      return generator;
    },
    hostCpus: 2,
    choosePlacement: async (hostCpus) => {
      step('placement');
      return choosePlacement(hostCpus, 'docker', async () => true);
    },
    fingerprint: async () => {
      step('fingerprint');
      return fixture.fingerprint;
    },
    gcBench: async () => {
      step('gcbench');
    },
    signal: controller.signal,
    log: () => undefined,
    stdout: () => undefined,
    onEvent: () => undefined,
    now: () => 0,
  };
  return { steps, deps, controller };
}

describe('run lifecycle (executeRun): every setup undone in reverse order, whatever happens', () => {
  const dir = useTempDir('bench-lifecycle-');

  /** A new smoke run of `gomaxprocs` (no calibration) whose order is emptied: the lifecycle, no load. */
  function spec(): RunSpec {
    const scenario = validateScenario(builtinScenarios.gomaxprocs, 'scenarios/gomaxprocs.ts');
    const plan = createPlan([resolveScenario(scenario, 'smoke')], 1);
    plan.order = [];
    return {
      runId: '20261207-000000-docker-abcd',
      target: 'docker',
      profile: 'smoke',
      seed: 1,
      argv: ['bench', 'run', '--scenario', 'gomaxprocs', '--profile', 'smoke'],
      outDir: path.join(dir(), 'run'),
      plan,
      scenarios: [scenario],
      scenarioFiles: [],
      resumed: null,
      hostCheck: 'off',
      maxTimeMs: 0,
      startedAtMs: 0,
      cwd: dir(),
    };
  }

  it('a run that completes: set up in order, torn down in reverse, the record written', async () => {
    const { steps, deps } = fakes(null);
    const outcome = await executeRun(spec(), deps);
    expect(outcome.summary.status).toBe('completed');
    expect(steps).toEqual([
      'create target',
      'target prepare',
      'create generator',
      'placement',
      'fingerprint',
      'target cleanup 20261207-000000-docker-abcd',
      'target dispose',
    ]);
    const record = await readRunRecord(path.join(dir(), 'run'));
    expect(record.placement.generatorCpus).toBe('0');
    expect(record.plan.scenarios.map((s) => [s.name, s.placement])).toEqual([['gomaxprocs', 'shared']]);
  });

  it('a failure in prepare disposes the target (what prepare made) and asks the engine nothing more', async () => {
    const { steps, deps } = fakes('target prepare');
    await expect(executeRun(spec(), deps)).rejects.toThrow('target prepare failed');
    expect(steps).toEqual(['create target', 'target prepare', 'target dispose']);
  });

  it.each(['create generator', 'placement', 'fingerprint'])('a failure at "%s" still removes what the run labelled and disposes the target', async (failAt) => {
    const { steps, deps } = fakes(failAt);
    await expect(executeRun(spec(), deps)).rejects.toThrow(`${failAt} failed`);
    expect(steps.slice(-2)).toEqual(['target cleanup 20261207-000000-docker-abcd', 'target dispose']);
    expect(await readdir(dir()), 'no record for a run that never started').toEqual([]);
  });

  it('a failure creating the target: nothing was set up, nothing to undo', async () => {
    const { steps, deps } = fakes('create target');
    await expect(executeRun(spec(), deps)).rejects.toThrow('create target failed');
    expect(steps).toEqual(['create target']);
  });

  it('a teardown that fails does not skip the others', async () => {
    const { steps, deps } = fakes('target cleanup 20261207-000000-docker-abcd');
    await executeRun(spec(), deps);
    expect(steps.slice(-2)).toEqual(['target cleanup 20261207-000000-docker-abcd', 'target dispose']);
  });

  it('Ctrl-C before the rounds: the run ends interrupted, its record kept and resumable, everything torn down', async () => {
    const { steps, deps, controller } = fakes(null);
    const withOrder = spec();
    const full = createPlan([resolveScenario(withOrder.scenarios[0]!, 'smoke')], 1);
    withOrder.plan.order = full.order;
    deps.fingerprint = async () => {
      steps.push('fingerprint');
      controller.abort();
      return fixture.fingerprint;
    };
    const outcome = await executeRun(withOrder, deps);
    expect(outcome.summary.status).toBe('interrupted');
    expect(outcome.summary.measured).toBe(0);
    expect(steps.slice(-2)).toEqual(['target cleanup 20261207-000000-docker-abcd', 'target dispose']);
    expect((await readRunRecord(path.join(dir(), 'run'))).repeats).toEqual([]);
  });

  it('a resumed run keeps its recorded plan, id and executions, and cleans up under its own id', async () => {
    const first = fakes(null);
    await executeRun(spec(), first.deps);
    const resumed = await RunStore.open(path.join(dir(), 'run'));
    const { steps, deps } = fakes(null);
    const again = { ...spec(), runId: '20261207-111111-docker-ffff', resumed, scenarios: [] };
    const outcome = await executeRun(again, deps);
    expect(outcome.store.record.runId).toBe('20261207-000000-docker-abcd');
    expect(steps, 'no new fingerprint or record for a resumed run').not.toContain('fingerprint');
    expect(steps).toContain('target cleanup 20261207-000000-docker-abcd');
  });
});

describe('placement and executions', () => {
  it('pins the generator to CPU 0 and the service to the rest on 2+ CPUs; says so when it cannot', async () => {
    expect((await choosePlacement(4, 'docker', async () => true)).placement).toMatchObject({ serviceCpus: '1-3', generatorCpus: '0' });
    expect((await choosePlacement(2, 'docker', async () => false)).cpuset).toBeNull();
    expect((await choosePlacement(1, 'docker', async () => true)).placement.note).toContain('the host has 1 CPU');
    const onKind = await choosePlacement(2, 'kind', async () => true);
    expect(onKind.cpuset, 'a cluster node takes no CPU set from the harness').toBeNull();
    expect(onKind.placement).toMatchObject({ serviceCpus: null, generatorCpus: '0' });
    expect(onKind.placement.note).toContain('service not pinned: on kind it runs in a cluster node');
  });
  it('duet only on Docker with an in-process generator, the fallback stated as a limit', () => {
    const scenarios = [{ name: 'greentea', execution: 'duet' as const, placement: undefined }];
    const where = { hostCpus: 2, cpuset: '1', availableCpus: 1 };
    expect(scenarioExecutions(scenarios, { ...where, target: 'docker', generator: 'native' }).executions.get('greentea')?.execution).toBe('duet');
    const k6 = scenarioExecutions(scenarios, { ...where, target: 'docker', generator: 'k6' });
    expect(k6.executions.get('greentea')?.execution).toBe('sequential');
    expect(k6.limits[0]).toContain('duet execution needs the docker target and an in-process generator');
  });
});
