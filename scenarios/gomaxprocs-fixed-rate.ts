import { defineScenario } from './define.js';

/**
 * Container-aware vs container-unaware GOMAXPROCS at the same open-model rate, below saturation: P99
 * latency and the share of CFS periods throttled, the known cost of a GOMAXPROCS above the CPU limit
 * (more Ps than the quota can feed burn the period's quota early, then wait for the next period).
 * One fixed rate for every cell, below saturation but near the 0.5-core quota, where throttling
 * starts. A rate calibrated on P99 would stop at the first throttled period, far too low to load the
 * quota, so the rate is fixed: 350 requests/s of `cpu=400` (about 0.8–0.9 ms of CPU each here, so
 * roughly 60% of 0.5 core). Heavy requests at a modest rate rather than light ones at a high rate: this
 * scenario shares the generator's CPU with the service (below), and at 2 800 light requests/s the
 * generator itself used ~75% of that CPU and sent late (P99 dispatch lag 1.1–2.2 ms); at 350/s it
 * uses ~20% and keeps its schedule (0.46–0.77 ms).
 *
 * The unaware service is emulated with GOMAXPROCS=8 (an 8-CPU node). On a host with fewer CPUs its 8 Ps
 * share those CPUs: it cannot burst the way an 8-CPU node would, so the throttling measured here is a
 * lower bound on that node's. `placement: 'shared'`: the service sees the whole CPU set.
 */
export default defineScenario({
  name: 'gomaxprocs-fixed-rate',
  description: 'GOMAXPROCS container-aware vs unaware at one fixed rate: P99 latency and throttled periods',
  claims: ['gomaxprocs-throughput'],
  kind: 'load',
  placement: 'shared',
  targets: ['docker', 'kind', 'kubernetes'],
  default: true,
  matrix: {
    cpuLimit: [0.5, 1],
    maxprocs: ['auto', 'unaware(8)'],
    workload: ['cpu'],
  },
  workloadPaths: { cpu: '/work?cpu=400' },
  load: { model: 'open', ratePerSec: 350, connections: 64, warmupMs: 1000, durationMs: 6000 },
  repeats: 5,
  profiles: {
    smoke: { repeats: 3, warmupMs: 500, durationMs: 2000, matrix: { cpuLimit: [0.5] } },
    full: { repeats: 10, warmupMs: 2000, durationMs: 20000 },
    nightly: { repeats: 5, durationMs: 5000, matrix: { cpuLimit: [0.5] } },
  },
});
