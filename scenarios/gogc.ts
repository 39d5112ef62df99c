import { defineScenario } from './define.js';

/** `GOGC=100` against no GOGC at all: 100 is the runtime's default, so nothing should change. */
export default defineScenario({
  name: 'gogc',
  description: 'GOGC=100 vs unset (the default): a no-op',
  claims: ['gogc-100'],
  kind: 'load',
  // Both cells of a round at once, 0.5 CPU each beside the generator's CPU, compared round by round as
  // pairs: interference from the host hits both alike (`bench selftest` measures how much that buys here).
  execution: 'duet',
  targets: ['docker', 'kind', 'kubernetes'],
  default: true,
  matrix: {
    gogc: ['unset', 100],
    cpuLimit: [0.5],
    // as Go sets it for a 0.5-CPU limit on any node (max(2, ceil(limit))); the service's cpuset of one
    // CPU beside the generator would otherwise make it 1
    maxprocs: [2],
    liveHeapMiB: [32],
    workload: ['alloc'],
  },
  load: { model: 'open', ratePerSec: 100, capacityFraction: 0.5, connections: 64, warmupMs: 2000, durationMs: 6000 },
  repeats: 8,
  profiles: {
    smoke: { repeats: 3, warmupMs: 500, durationMs: 2000 },
    full: { repeats: 10, durationMs: 15000 },
    nightly: { repeats: 6, durationMs: 4000 },
  },
});
