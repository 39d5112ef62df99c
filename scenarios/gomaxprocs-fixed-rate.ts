import { defineScenario } from './define.js';

/**
 * Container-aware vs container-unaware GOMAXPROCS at the same open-model rate, below saturation: P99
 * latency and the share of CFS periods throttled, the known cost of a GOMAXPROCS above the CPU limit
 * (more Ps than the quota can feed burn the period's quota early, then wait for the next period).
 * One fixed rate for every cell, below saturation but near the 0.5-core quota, where throttling
 * starts: the `cpu` request costs about 0.1–0.15 ms of CPU (0.25–0.40 cores at 2 000–2 800 requests/s
 * on a busy 2-CPU Docker host), so 2 800/s sit at roughly 55–80% of 0.5 core. There, in a first smoke
 * run, the unaware service had about 6% of its periods throttled and the aware one none; at 2 000/s
 * neither was throttled. A rate calibrated on P99 would stop at the first throttled period, far too
 * low to load the quota.
 *
 * The unaware service is emulated with GOMAXPROCS=8 (an 8-CPU node). On a host with fewer CPUs its 8 Ps
 * share those CPUs: it cannot burst the way an 8-CPU node would, so the throttling measured here is a
 * lower bound on that node's. `placement: 'shared'`: the service sees the whole CPU set.
 *
 * That means the generator shares its CPU with the service here, and at 2 800/s it uses most of it, so
 * some repeats are invalid for a late generator (P99 dispatch lag over 1 ms). Heavier requests at a lower
 * rate were tried and lose the effect: 350/s of `cpu=400` loaded 36–48% of the quota and throttled
 * nothing; 290–320/s of `cpu=1600` throttled both variants alike. Light requests at a high rate are what
 * lets 8 Ps burst through the quota where 2 do not.
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
  load: { model: 'open', ratePerSec: 2800, connections: 64, warmupMs: 1000, durationMs: 4000 },
  // Six a side, as in `gomaxprocs`: the Holm level of the claim's seven comparisons needs them.
  repeats: 6,
  profiles: {
    smoke: { repeats: 3, warmupMs: 500, durationMs: 2000, matrix: { cpuLimit: [0.5] } },
    full: { repeats: 10, warmupMs: 2000, durationMs: 20000 },
    nightly: { repeats: 5, durationMs: 5000, matrix: { cpuLimit: [0.5] } },
  },
});
