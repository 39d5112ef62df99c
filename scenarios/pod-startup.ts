import { defineScenario } from './define.js';

/**
 * Pod start-up on Kubernetes, per GC build: created → scheduled → started → Ready, from the target's pod
 * watch (ms on the run's clock), and deploy → first 200 of /ready through the NodePort, as context for
 * the process start → ready figure the service measures itself (the one the cold-start claim is judged
 * on). The image is already on the node, so this is the runtime's and the service's start, not an
 * image pull.
 */
export default defineScenario({
  name: 'pod-startup',
  description: 'Pod start-up (created → scheduled → started → Ready) per GC build',
  claims: ['cold-start'],
  default: true,
  kind: 'startup',
  targets: ['kind', 'kubernetes'],
  matrix: { gc: ['default', 'nogreenteagc'], cpuLimit: [1], memLimitMiB: [128] },
  load: { model: 'closed', connections: 1, warmupMs: 0, durationMs: 1 },
  repeats: 10,
  profiles: { smoke: { repeats: 2 }, full: { repeats: 30 }, nightly: { repeats: 5 } },
});
