import { defineScenario } from './define.js';

/**
 * Container-aware vs container-unaware GOMAXPROCS at the same open-model rate, below saturation: P99
 * latency and the share of CFS periods throttled, the known cost of a GOMAXPROCS above the CPU limit
 * (more Ps than the quota can feed burn the period's quota early, then wait for the next period).
 * One rate for every cell: the calibrated capacity of the weakest cell times `capacityFraction`.
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
  targets: ['docker', 'kind', 'kubernetes'],
  default: true,
  matrix: {
    cpuLimit: [0.5, 1],
    maxprocs: ['auto', 'unaware(8)'],
    workload: ['cpu'],
  },
  load: { model: 'open', ratePerSec: 1000, connections: 64, warmupMs: 2000, durationMs: 8000 },
  repeats: 5,
  profiles: {
    smoke: { repeats: 3, warmupMs: 500, durationMs: 2000, matrix: { cpuLimit: [0.5] } },
    full: { repeats: 10, durationMs: 20000 },
    nightly: { repeats: 5, durationMs: 5000, matrix: { cpuLimit: [0.5] } },
  },
});
