import { defineScenario } from './define.js';

/**
 * Green Tea GC (default in Go 1.26) against the previous collector (`GOEXPERIMENT=nogreenteagc` build),
 * on an allocation-heavy, pointer-rich workload over a live heap, at one fixed open-model rate: GC CPU
 * share, container CPU, memory, P99, and the pods a capacity model derives from the CPU per request.
 */
export default defineScenario({
  name: 'greentea',
  description: 'Green Tea GC vs the pre-1.26 GC at a fixed request rate (GC CPU, CPU, memory, P99, pods)',
  claims: ['greentea-gc-overhead', 'greentea-pod-table'],
  kind: 'load',
  // Both cells of a round at once, 0.5 CPU each beside the generator's CPU, compared round by round as
  // pairs: interference from the host hits both alike (`bench selftest` measures how much that buys here).
  execution: 'duet',
  // default/full runs add an A/A control (the first cell again), run in the same rounds: the run's own
  // false-positive check, shown in the report.
  control: true,
  targets: ['docker', 'kind', 'kubernetes'],
  default: true,
  matrix: {
    gc: ['default', 'nogreenteagc'],
    cpuLimit: [0.5],
    // as Go sets it for a 0.5-CPU limit on any node (max(2, ceil(limit))); the service's cpuset of one
    // CPU beside the generator would otherwise make it 1
    maxprocs: [2],
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
