import { defineScenario } from './define.js';

/**
 * GOMEMLIMIT near a container memory limit: unset vs 100% of the limit (what the document's
 * `resourceFieldRef: limits.memory` gives) vs 90% (the GC guide's headroom), on a large live heap with
 * allocation churn. OOM kills, GC CPU share, P99 and errors.
 */
export default defineScenario({
  name: 'gomemlimit',
  description: 'GOMEMLIMIT unset / 100% / 90% of the container memory limit, near the limit',
  claims: ['gomemlimit-from-limit'],
  kind: 'load',
  targets: ['docker', 'kind', 'kubernetes'],
  default: true,
  matrix: {
    gomemlimit: ['unset', '100%', '90%'],
    memLimitMiB: [192],
    cpuLimit: [1],
    liveHeapMiB: [110],
    workload: ['memory'],
  },
  load: { model: 'open', ratePerSec: 80, connections: 64, warmupMs: 1000, durationMs: 6000 },
  // Six a side: with five, one slow repeat decides the end of a no-worse interval at the claim's Holm
  // level (docs/example-run's predecessor: P99 −64% [−78%, +18%] from one 59 ms repeat among 15 ms ones).
  repeats: 6,
  profiles: {
    smoke: { repeats: 3, warmupMs: 500, durationMs: 2500 },
    full: { repeats: 10, warmupMs: 2000, durationMs: 20000 },
    nightly: { repeats: 5, durationMs: 5000 },
  },
});
