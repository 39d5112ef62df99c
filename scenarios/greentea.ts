import { defineScenario } from './define.js';
import { duetSmoke, halfCapacityLoad, halfCpuAxes, halfCpuDuet } from './duet.js';

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
  load: halfCapacityLoad(8000),
  profiles: {
    smoke: duetSmoke,
    full: { repeats: 12, durationMs: 20000 },
    nightly: { repeats: 6, durationMs: 5000 },
  },
});
