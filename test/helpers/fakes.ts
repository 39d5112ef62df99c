/**
 * Fakes for unit tests of pure logic and glue: a load result, effective settings, a target that
 * deploys nothing, a generator that sends nothing, and the context of one repeat. Each takes the
 * fields a test cares about; the rest are plausible defaults.
 */
import type { Cell, LoadProfile } from '../../scenarios/define.js';
import type { RuntimeSnapshot } from '../../bench/collect/runtime-snapshot.js';
import type { LoadGenerator, LoadResult } from '../../bench/load/types.js';
import type { RepeatContext } from '../../bench/orchestrator/procedures.js';
import { TaskStack } from '../../bench/orchestrator/task-stack.js';
import type { EffectiveSettings } from '../../bench/results/schema.js';
import type { ContainerSample, Sampler, ScalingObserver, ServiceHandle, Target, TargetObserver } from '../../bench/targets/types.js';
import { runtimeSnapshot } from './runtime-snapshot.js';

/** 640 requests at 80 req/s over 8 s, no errors, no histogram. */
export function loadResult(patch: Partial<LoadResult> = {}): LoadResult {
  return {
    generator: 'fake',
    requests: 640,
    achievedRps: 80,
    targetRps: 80,
    durationMs: 8000,
    latency: { p50Ms: 1, p90Ms: 1, p99Ms: 2, p999Ms: 3, maxMs: 4, meanMs: 1 },
    histogramUs: null,
    fromIntendedStart: true,
    errors: { non2xx: 0, timeouts: 0, connection: 0 },
    dropped: 0,
    generatorCpu: 0.1,
    series: [],
    ...patch,
  };
}

/** What a Go 1.26 service with GOMAXPROCS 2 and default GC settings reports, no cgroup limits. */
export function effectiveSettings(patch: Partial<EffectiveSettings> = {}): EffectiveSettings {
  return {
    gomaxprocs: 2,
    gogc: 100,
    gomemlimitBytes: 2 ** 63 - 1,
    gcVariant: 'default',
    goVersion: 'go1.26',
    godebug: '',
    cgroupCpuLimit: null,
    cgroupMemLimitBytes: null,
    ...patch,
  };
}

export interface FakeTargetOptions {
  name?: 'docker' | 'kubernetes';
  cellId?: string;
  handle?: Partial<ServiceHandle>;
  runtime?: RuntimeSnapshot;
  effective?: Partial<EffectiveSettings>;
  /** What `stop` reports. @default a clean exit */
  stopped?: Awaited<ReturnType<Target['stop']>>;
  /** What a scaling observer reports when stopped; without it the target has no `observe`. */
  observed?: Awaited<ReturnType<TargetObserver['stop']>>;
}

/** A target that deploys nothing: its service is at an unused address, its samples are flat. */
export function fakeTarget(options: FakeTargetOptions = {}): Target & Sampler & Partial<ScalingObserver> {
  const name = options.name ?? 'docker';
  const handle: ServiceHandle = {
    target: name,
    cellId: options.cellId ?? 'fake/cell',
    baseUrl: 'http://127.0.0.1:1',
    ids: {},
    startedAtMs: 0,
    readyAtMs: 0,
    image: { tag: 't', id: 'sha256:x', bytes: 1, binaryBytes: 1 },
    ...options.handle,
  };
  const sample = (): ContainerSample => ({
    tMs: performance.now(),
    cpuUsageNs: 0,
    nrPeriods: null,
    nrThrottled: null,
    throttledTimeNs: null,
    memUsageBytes: 1,
    memPeakBytes: null,
  });
  const observed = options.observed;
  return {
    name,
    prepare: async () => undefined,
    deploy: async () => handle,
    inspect: async () => ({ runtime: options.runtime ?? runtimeSnapshot(), effective: effectiveSettings(options.effective) }),
    sample: async () => sample(),
    stop: async () => options.stopped ?? { exitCode: 0, oomKilled: false },
    teardown: async () => undefined,
    cleanup: async () => 0,
    ...(observed === undefined ? {} : { observe: () => ({ stop: async () => observed }) }),
  };
}

/** A generator that sends nothing and returns `load`. */
export function fakeGenerator(load: LoadResult = loadResult()): LoadGenerator {
  return { name: 'fake', unavailableReason: async () => null, run: async () => load };
}

/** The context of one repeat of `cell` on `target`, on the whole CPU set of a 2-CPU host. */
export function repeatContext(cell: Cell, target: Target, generator: LoadGenerator = fakeGenerator()): RepeatContext {
  return {
    cell,
    runId: 'r',
    target,
    generator,
    signal: new AbortController().signal,
    stack: new TaskStack(),
    cpuset: null,
    availableCpus: 2,
    onLoadProgress: () => undefined,
    log: () => undefined,
  };
}

/** A `stages` profile: stage i lasts `durationsMs[i]` and ramps to `rates[i]` req/s. */
export function stagesProfile(p: { connections: number; warmupMs: number; durationsMs: number[]; rates: number[] }): LoadProfile {
  const stages = p.durationsMs.map((durationMs, i) => ({ durationMs, ratePerSec: p.rates[i]! }));
  return { model: 'stages', connections: p.connections, warmupMs: p.warmupMs, stages };
}
