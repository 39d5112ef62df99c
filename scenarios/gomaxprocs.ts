import { defineScenario } from './define.js';

/**
 * Container-aware GOMAXPROCS (Go 1.25+): does GOMAXPROCS follow the CPU limit, and what does that do to
 * throughput, tail latency and CFS throttling compared with a container-unaware service? The unaware
 * service is emulated on this host with an explicit GOMAXPROCS of a bigger node (8 CPUs), and `legacy`
 * is the runtime's own switch back to the pre-1.25 behaviour (GODEBUG=containermaxprocs=0).
 *
 * A closed-model load at saturation: throughput and GOMAXPROCS per limit. CPU used / limit is shown
 * but not judged here, since both variants sit at their quota when saturated; the fixed-rate
 * comparison is `gomaxprocs-fixed-rate`. GOMAXPROCS=8 on a host with fewer CPUs runs 8 Ps on those
 * CPUs only: it cannot burst the way an 8-CPU node would, so throttling is milder than there.
 * `placement: 'shared'`: the service sees the whole CPU set, or the runtime would read a pinned cpuset.
 */
export default defineScenario({
  name: 'gomaxprocs',
  description: 'GOMAXPROCS under CPU limits: container-aware (Go 1.25+) vs container-unaware',
  claims: ['gomaxprocs-follows-limit', 'gomaxprocs-throughput'],
  kind: 'load',
  placement: 'shared',
  // Its first cell (0.5 CPU, container-aware) is the run's drift reference in default and full runs: a
  // CPU-bound saturation throughput, measured at the start, the middle and the end of the planned rounds.
  driftReference: true,
  targets: ['docker', 'kind', 'kubernetes'],
  default: true,
  // `legacy` (GODEBUG=containermaxprocs=0) gives the host's CPU count, which on a 2-CPU host is what
  // `auto` gives at every limit here: it runs in the `full` profile only.
  matrix: {
    cpuLimit: [0.5, 1, 1.5],
    maxprocs: ['auto', 'unaware(8)'],
    workload: ['cpu'],
  },
  load: { model: 'closed', connections: 32, warmupMs: 1000, durationMs: 4000 },
  // Six a side: the claim's seven comparisons share a Holm correction, whose strictest level (99.3%)
  // five values a side cannot reach (an exact rank interval of 5 + 5 values reaches 99.2% at most).
  repeats: 6,
  profiles: {
    smoke: { repeats: 3, warmupMs: 500, durationMs: 2000, matrix: { cpuLimit: [0.5, 1.5], maxprocs: ['auto', 'unaware(8)'] } },
    full: { repeats: 10, warmupMs: 2000, durationMs: 20000, matrix: { maxprocs: ['auto', 'legacy', 'unaware(8)'] } },
    nightly: { repeats: 5, durationMs: 5000, matrix: { cpuLimit: [0.5, 1], maxprocs: ['auto', 'unaware(8)'] } },
  },
});
