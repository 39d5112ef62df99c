import { describe, expect, it } from 'vitest';
import { defaultCellSettings, type Cell, type CellSettings } from '../../../scenarios/define.js';
import {
  buildCellObjects,
  buildEnv,
  buildNamespace,
  buildResources,
  cellKey,
  defaultHpaOptions,
  namespaceName,
  objectName,
  runLabelValue,
  terminationGraceSeconds,
  type CellObjectOptions,
} from './objects.js';

function cell(patch: Partial<CellSettings>, kind: Cell['kind'] = 'hpa'): Cell {
  return {
    id: `hpa/gc=nogreenteagc,maxprocs=unaware(8)`,
    scenario: 'hpa',
    kind,
    settings: { ...defaultCellSettings, ...patch },
    load: { model: 'stages', connections: 8, warmupMs: 0, stages: [{ durationMs: 1000, ratePerSec: 10 }] },
  };
}

const options: CellObjectOptions = {
  runId: '20261127-001200-abc',
  image: 'refsvc:local-nogreenteagc-s-0123456789ab',
  imagePullPolicy: 'Never',
  nodePort: null,
  hpa: defaultHpaOptions,
};

const hpaCell = cell({ gc: 'nogreenteagc', maxprocs: 'unaware(8)', cpuRequest: 0.25, cpuLimit: 0.5, memLimitMiB: 256, gomemlimit: '100%', workload: 'alloc' });

describe('names and labels', () => {
  it('namespace is bench-<runId> as a DNS label, labelled with the run id', () => {
    expect(namespaceName('2026-11-27T00:12:00Z_X')).toBe('bench-2026-11-27t00-12-00z-x');
    expect(namespaceName('a'.repeat(80)).length, 'at most 63 characters').toBe(63);
    expect(runLabelValue('2026-11-27T00:12:00Z_X'), 'label values keep case, drop ":"').toBe('2026-11-27T00-12-00Z_X');
    expect(buildNamespace('r1').metadata?.labels).toEqual({ 'bench.run-id': 'r1', 'app.kubernetes.io/managed-by': 'bench' });
    expect(() => namespaceName('::'), 'nothing usable').toThrow(/run id "::"/);
  });

  it('object names are stable and distinct per cell', () => {
    expect(objectName('a/x=1')).toBe(objectName('a/x=1'));
    expect(objectName('a/x=1')).not.toBe(objectName('a/x=2'));
    expect(objectName('a/x=1')).toMatch(/^refsvc-[0-9a-f]{10}$/);
    expect(cellKey('a/x=1')).toHaveLength(10);
  });
});

describe('objects of a cell (snapshots)', () => {
  const objects = buildCellObjects(hpaCell, options);

  it('Deployment', () => {
    expect(objects.deployment).toMatchSnapshot();
  });

  it('Service', () => {
    expect(objects.service).toMatchSnapshot();
  });

  it('HorizontalPodAutoscaler', () => {
    expect(objects.hpa).toMatchSnapshot();
  });

  it('Namespace', () => {
    expect(buildNamespace(options.runId)).toMatchSnapshot();
  });

  it('a rollout cell with a drain delay gets a preStop sleep and a grace period that covers it', () => {
    const rollout = buildCellObjects(cell({ graceful: true, drainMs: 5000, cpuLimit: 1, memLimitMiB: 128 }, 'rollout'), {
      ...options,
      hpa: null,
      nodePort: 30080,
    });
    const container = rollout.deployment.spec?.template.spec?.containers[0];
    expect(container?.lifecycle, 'preStop sleep of the drain delay').toEqual({ preStop: { sleep: { seconds: 5 } } });
    expect(rollout.deployment.spec?.template.spec?.terminationGracePeriodSeconds, '5 s preStop + 30 s shutdown + 5 s').toBe(40);
    expect(container?.env?.find((e) => e.name === 'DRAIN_MS')?.value, 'the preStop does the draining').toBe('0');
    expect(rollout.service.spec?.ports?.[0]?.nodePort, 'fixed NodePort (kind)').toBe(30080);
    expect(rollout.hpa).toBeNull();
  });

  it('no preStop without a drain delay; non-graceful gets only the slack', () => {
    const plain = buildCellObjects(cell({ graceful: false, drainMs: 0 }, 'rollout'), { ...options, hpa: null });
    expect(plain.deployment.spec?.template.spec?.containers[0]?.lifecycle).toBeUndefined();
    expect(terminationGraceSeconds({ ...defaultCellSettings, graceful: false, drainMs: 0 }, 30_000)).toBe(5);
  });

  it('the HPA behavior is written out in full: Kubernetes scale-up policies, the options’ scale-down window', () => {
    const hpa = buildCellObjects(hpaCell, { ...options, hpa: { ...defaultHpaOptions, scaleDownStabilizationSeconds: 30 } }).hpa;
    expect(hpa?.spec?.behavior?.scaleDown, 'scale-down').toEqual({
      stabilizationWindowSeconds: 30,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    });
    expect(hpa?.spec?.behavior?.scaleUp, 'scale-up as Kubernetes does by default').toEqual({
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Percent', value: 100, periodSeconds: 15 },
        { type: 'Pods', value: 4, periodSeconds: 15 },
      ],
    });
  });

  it('by default: a 60 s scale-down window, shorter than the HPA scenario’s 150 s low phase, and maxReplicas 8', () => {
    const hpa = buildCellObjects(hpaCell, options).hpa;
    expect(hpa?.spec?.behavior?.scaleDown?.stabilizationWindowSeconds, 'scale-down window').toBe(60);
    expect(hpa?.spec?.maxReplicas, 'maxReplicas').toBe(8);
  });

  it('null leaves the behavior to Kubernetes (300 s scale-down window)', () => {
    const hpa = buildCellObjects(hpaCell, { ...options, hpa: { ...defaultHpaOptions, scaleDownStabilizationSeconds: null } }).hpa;
    expect(hpa?.spec?.behavior).toBeUndefined();
  });

  it('an HPA cell without any CPU request is a usage error naming the fix', () => {
    expect(() => buildCellObjects(cell({ cpuRequest: null, cpuLimit: null }), options)).toThrow(/needs a CPU request/);
  });
});

describe('buildEnv', () => {
  const env = (patch: Partial<CellSettings>) =>
    Object.fromEntries(buildEnv({ ...defaultCellSettings, ...patch }, 30_000).map((e) => [e.name, e.value ?? e.valueFrom]));

  it('GOMEMLIMIT: 100% of the limit as the document does (resourceFieldRef), other percentages in bytes', () => {
    expect(env({ memLimitMiB: 192, gomemlimit: '100%' }).GOMEMLIMIT).toEqual({ resourceFieldRef: { containerName: 'refsvc', resource: 'limits.memory' } });
    expect(env({ memLimitMiB: 192, gomemlimit: '90%' }).GOMEMLIMIT, 'floor(192 MiB × 0.9)').toBe(String(Math.floor(192 * 1048576 * 0.9)));
    expect(env({ gomemlimit: 123456789 }).GOMEMLIMIT).toBe('123456789');
    expect(env({ gomemlimit: 'unset' }).GOMEMLIMIT).toBeUndefined();
    expect(() => env({ memLimitMiB: null, gomemlimit: '90%' })).toThrow("gomemlimit '90%' needs a memory limit (memLimitMiB is null)");
  });

  it('GOMAXPROCS, GODEBUG and GOGC per the maxprocs and gogc axes', () => {
    expect(env({ maxprocs: 'auto' }).GOMAXPROCS, 'auto: the runtime decides').toBeUndefined();
    expect(env({ maxprocs: 'legacy' }).GODEBUG).toBe('containermaxprocs=0');
    expect(env({ maxprocs: 'unaware(8)' }).GOMAXPROCS).toBe('8');
    expect(env({ maxprocs: 3 }).GOMAXPROCS).toBe('3');
    expect(env({ gogc: 50 }).GOGC).toBe('50');
    expect(env({ gogc: 'unset' }).GOGC).toBeUndefined();
  });
});

describe('buildResources', () => {
  it('requests default to the limit; memory request = limit', () => {
    expect(buildResources({ ...defaultCellSettings, cpuLimit: 1.5, memLimitMiB: 128 })).toEqual({
      requests: { cpu: '1500m', memory: '128Mi' },
      limits: { cpu: '1500m', memory: '128Mi' },
    });
    expect(buildResources({ ...defaultCellSettings, cpuRequest: 0.25, cpuLimit: null })).toEqual({ requests: { cpu: '250m' } });
    expect(buildResources(defaultCellSettings), 'nothing set: best effort').toEqual({});
  });

  it('a request above the limit is a usage error', () => {
    expect(() => buildResources({ ...defaultCellSettings, cpuRequest: 2, cpuLimit: 1 })).toThrow('cpuRequest 2 is above cpuLimit 1');
  });
});
