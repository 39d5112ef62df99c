import { describe, expect, it } from 'vitest';
import { defaultCellSettings } from '../../scenarios/define.js';
import type { EffectiveSettings } from '../results/schema.js';
import { expectedAutoGomaxprocs, goMemLimitBytes, serviceEnv, settingsMismatches } from './service-env.js';

describe('serviceEnv', () => {
  it.each([
    [{ maxprocs: 'legacy' as const }, { GODEBUG: 'containermaxprocs=0' }],
    [{ maxprocs: 'unaware(8)' as const }, { GOMAXPROCS: '8' }],
    [{ maxprocs: 3 }, { GOMAXPROCS: '3' }],
    [{ gogc: 100 }, { GOGC: '100' }],
    [{ gomemlimit: '90%' as const, memLimitMiB: 100 }, { GOMEMLIMIT: String(Math.floor(100 * 1048576 * 0.9)) }],
    [{ gomemlimit: '100%' as const, memLimitMiB: 192 }, { GOMEMLIMIT: String(192 * 1048576) }],
  ])('%j → %j', (patch, expected) => {
    expect(serviceEnv({ ...defaultCellSettings, ...patch })).toMatchObject(expected);
  });
  it('leaves GOGC, GOMEMLIMIT, GODEBUG and GOMAXPROCS out by default', () => {
    expect(Object.keys(serviceEnv(defaultCellSettings)).sort()).toEqual(['DRAIN_MS', 'GRACEFUL', 'LIVE_HEAP_MB']);
  });
  it('refuses a percentage GOMEMLIMIT without a memory limit', () => {
    expect(() => goMemLimitBytes({ gomemlimit: '90%', memLimitMiB: null })).toThrow('needs a memLimitMiB');
  });
});

describe('expectedAutoGomaxprocs (Go 1.25 rule)', () => {
  it.each([
    [0.5, 2, 2],
    [1, 2, 2],
    [1.5, 2, 2],
    [2, 8, 2],
    [2.1, 8, 3],
    [3, 8, 3],
    [0.5, 1, 1],
    [null, 8, 8],
  ])('limit %s on %s CPUs → %s', (limit, cpus, expected) => {
    expect(expectedAutoGomaxprocs(limit, cpus)).toBe(expected);
  });
});

describe('settingsMismatches', () => {
  const effective: EffectiveSettings = {
    gomaxprocs: 8,
    gogc: 100,
    gomemlimitBytes: 9223372036854775807,
    gcVariant: 'default',
    goVersion: 'go1.26.8',
    godebug: '',
    cgroupCpuLimit: 1,
    cgroupMemLimitBytes: null,
  };
  it('accepts what was planned', () => {
    expect(settingsMismatches({ ...defaultCellSettings, maxprocs: 'unaware(8)', cpuLimit: 1 }, effective, 2)).toEqual([]);
  });
  it('names every difference', () => {
    expect(settingsMismatches({ ...defaultCellSettings, maxprocs: 4, cpuLimit: 0.5, gc: 'nogreenteagc', gogc: 50 }, effective, 2)).toEqual([
      'GOMAXPROCS is 8, expected 4 (maxprocs 4)',
      'GOGC is 100, expected 50',
      'GC variant is default, expected nogreenteagc',
      'container CPU limit is 1, expected 0.5',
    ]);
  });
});
