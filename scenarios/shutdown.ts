import { defineScenario } from './define.js';

/**
 * SIGTERM under steady load, with and without graceful shutdown. Requests sent before SIGTERM that
 * then fail are what a rollout would drop. (On Docker there is no load balancer to drain from, so the
 * drain delay is 0 here; the rollout scenario on Kubernetes covers preStop.)
 */
export default defineScenario({
  name: 'shutdown',
  description: 'Failed in-flight requests on SIGTERM, graceful shutdown on vs off',
  claims: ['graceful-shutdown'],
  kind: 'shutdown',
  targets: ['docker'],
  default: true,
  matrix: { graceful: [true, false], workload: ['slow'], cpuLimit: [1] },
  load: { model: 'open', ratePerSec: 50, connections: 64, warmupMs: 500, durationMs: 2000 },
  repeats: 5,
  profiles: { smoke: { repeats: 3 }, full: { repeats: 10 }, nightly: { repeats: 3 } },
});
