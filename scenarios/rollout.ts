import { defineScenario } from './define.js';

/**
 * A rolling update under steady open-model load (slow requests, so some are in flight when pods go):
 * failed requests with no graceful shutdown and no preStop, with graceful shutdown only, and with a
 * preStop sleep plus graceful shutdown (the document's recipe, with a 5 s sleep instead of 15 s).
 * On Kubernetes `drainMs` is the preStop sleep: it keeps the old pod serving while the endpoint
 * removal reaches kube-proxy, before SIGTERM. Half a core per pod: the surge pod of the rolling
 * update must fit next to the old one on a 2-CPU node that also runs the control plane.
 */
export default defineScenario({
  name: 'rollout',
  description: 'Failed requests during a rollout: no graceful shutdown vs graceful vs preStop + graceful',
  claims: ['graceful-shutdown'],
  default: true,
  kind: 'rollout',
  targets: ['kind', 'kubernetes'],
  matrix: { graceful: [false, true], drainMs: [0, 5000], workload: ['slow'], cpuLimit: [0.5], memLimitMiB: [128] },
  exclude: [{ graceful: [false], drainMs: [5000] }],
  load: { model: 'open', ratePerSec: 50, connections: 64, warmupMs: 2000, durationMs: 30_000 },
  repeats: 5,
  profiles: {
    smoke: { repeats: 1, durationMs: 15_000, matrix: { graceful: [false, true], drainMs: [0, 5000] } },
    full: { repeats: 10 },
    nightly: { repeats: 3 },
  },
});
