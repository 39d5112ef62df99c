import { defineScenario } from './define.js';
import { halfCpuAxes, halfCpuDuet } from './duet.js';

/**
 * Green Tea GC (default in Go 1.26) against the previous collector (`GOEXPERIMENT=nogreenteagc` build),
 * on an allocation-heavy, pointer-rich workload over a live heap, at one fixed open-model rate: GC CPU
 * share, container CPU, memory, P99, and the pods a capacity model derives from the CPU per request.
 */
export default defineScenario({
  name: 'greentea',
  description: 'Green Tea GC vs the pre-1.26 GC at a fixed request rate (GC CPU, CPU, memory, P99, pods)',
  claims: ['greentea-gc-overhead', 'greentea-pod-table'],
  ...halfCpuDuet,
  // default/full runs add an A/A control (the first cell again), run in the same rounds: the run's own
  // false-positive check, shown in the report.
  control: true,
  matrix: {
    gc: ['default', 'nogreenteagc'],
    ...halfCpuAxes,
    memLimitMiB: [512],
    liveHeapMiB: [64],
    workload: ['alloc'],
  },
  load: { model: 'open', ratePerSec: 100, capacityFraction: 0.5, connections: 64, warmupMs: 2000, durationMs: 8000 },
  repeats: 8,
  profiles: {
    smoke: { repeats: 3, warmupMs: 500, durationMs: 2000 },
    full: { repeats: 12, durationMs: 20000 },
    nightly: { repeats: 6, durationMs: 5000 },
  },
});
